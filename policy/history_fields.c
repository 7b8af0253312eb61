/*
 * history_fields.c - the fields of a history line: one table (its order is
 * the canonical order in which fields are written) drives both directions,
 * giving each key its flags, the minor version that added it, its decoder
 * (value text into the record) and its encoder (record into " key=value").
 * The keyword tables of the format live here too.  Used by the line framing
 * in history.c through history_int.h; the value codecs the fields share are
 * in history_value.c.  Pure computation; reentrant (no static mutable state).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "history_int.h"

/* Keyword tables of this format; an empty entry is never matched. */
static const char *const policy_words[] = { "", "none", "quarantine", "reject" };
static const char *const align_words[] = { "r", "s" };
static const char *const psd_words[] = { "u", "y", "n" };
static const char *const mode_words[] = { "treewalk", "psl" };
static const char *const tag_words[] = { "", "p", "sp", "np" };
static const char *const bool_words[] = { "n", "y" };
static const char *const arc_words[] = { "", "none", "pass", "fail", "temperror" };
#define ARC_MAX_INSTANCE 50	/* RFC 8617 4.2.1 */
static const char fo_chars[] = { '0', '1', 'd', 's' };	/* DMARC_FO_0 << i */

/* ------------------------------------------------------------ decoding */

/* dec_bool - "y" or "n". */
static enum history_status
dec_bool(struct dctx *c, const char *raw, size_t n, bool *out)
{
	enum history_status st;
	int i = 0;

	if ((st = history_dec_word(c, raw, n, bool_words, NELEM(bool_words), &i)) == HISTORY_OK)
		*out = i == 1;
	return st;
}

/* dec_policy - none, quarantine or reject. */
static enum history_status
dec_policy(struct dctx *c, const char *raw, size_t n, enum dmarc_policy *out)
{
	enum history_status st;
	int i = 0;

	if ((st = history_dec_word(c, raw, n, policy_words, NELEM(policy_words), &i)) == HISTORY_OK)
		*out = (enum dmarc_policy)i;
	return st;
}

/* dec_align - r or s. */
static enum history_status
dec_align(struct dctx *c, const char *raw, size_t n, enum dmarc_align *out)
{
	enum history_status st;
	int i = 0;

	if ((st = history_dec_word(c, raw, n, align_words, NELEM(align_words), &i)) == HISTORY_OK)
		*out = (enum dmarc_align)i;
	return st;
}

/* dec_time - seconds since the epoch. */
static enum history_status
dec_time(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	uint64_t v = 0;

	if ((st = history_dec_number(c, raw, n, (uint64_t)INT64_MAX, &v)) == HISTORY_OK)
		c->h->time = (int64_t)v;
	return st;
}

/* dec_ip - the source address. */
static enum history_status
dec_ip(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	char buf[64], ex[SHOW_BUFSIZE];

	st = history_pct_decode(c, raw, n, buf, sizeof(buf), NULL);
	if (st == HISTORY_BAD_VALUE || (st == HISTORY_OK && !history_canon_ip(buf, c->h->source_ip)))
		return history_fail(c, HISTORY_BAD_IP, "%s: '%s' is not an IPv4 or IPv6 address",
		    c->key, history_show(raw, n, ex));
	return st;
}

/* dec_hfrom - RFC5322.From domain. */
static enum history_status
dec_hfrom(struct dctx *c, const char *raw, size_t n)
{
	return history_dec_domain(c, raw, n, c->h->header_from);
}

/* dec_mfrom - RFC5321.MailFrom domain; empty for the null reverse-path. */
static enum history_status
dec_mfrom(struct dctx *c, const char *raw, size_t n)
{
	c->h->envelope_from_present = true;
	if (n == 0)
		return HISTORY_OK;
	return history_dec_domain(c, raw, n, c->h->envelope_from);
}

/* dec_rcpt - one RFC5321.RcptTo domain. */
static enum history_status
dec_rcpt(struct dctx *c, const char *raw, size_t n)
{
	struct history_record *h = c->h;
	enum history_status st;

	if ((st = history_list_room(c, h->nrcpt, HISTORY_MAX_RCPT)) != HISTORY_OK)
		return st;
	if ((st = history_dec_domain(c, raw, n, h->envelope_to[h->nrcpt])) == HISTORY_OK)
		h->nrcpt++;
	return st;
}

/* dec_disc - discovery method. */
static enum history_status
dec_disc(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	int i = 0;

	if ((st = history_dec_word(c, raw, n, mode_words, NELEM(mode_words), &i)) == HISTORY_OK)
		c->h->discovery = (enum org_mode)i;
	return st;
}

/* dec_org - organizational domain. */
static enum history_status
dec_org(struct dctx *c, const char *raw, size_t n)
{
	return history_dec_domain(c, raw, n, c->h->org_domain);
}

/* dec_pdom - policy domain; its presence means a policy was found. */
static enum history_status
dec_pdom(struct dctx *c, const char *raw, size_t n)
{
	c->h->policy_found = true;
	return history_dec_domain(c, raw, n, c->h->policy_domain);
}

/* dec_p, dec_sp, dec_np - published policies. */
static enum history_status
dec_p(struct dctx *c, const char *raw, size_t n)
{
	return dec_policy(c, raw, n, &c->h->p);
}

static enum history_status
dec_sp(struct dctx *c, const char *raw, size_t n)
{
	return dec_policy(c, raw, n, &c->h->sp);
}

static enum history_status
dec_np(struct dctx *c, const char *raw, size_t n)
{
	return dec_policy(c, raw, n, &c->h->np);
}

/* dec_adkim, dec_aspf - alignment modes. */
static enum history_status
dec_adkim(struct dctx *c, const char *raw, size_t n)
{
	return dec_align(c, raw, n, &c->h->adkim);
}

static enum history_status
dec_aspf(struct dctx *c, const char *raw, size_t n)
{
	return dec_align(c, raw, n, &c->h->aspf);
}

/* dec_t - testing mode. */
static enum history_status
dec_t(struct dctx *c, const char *raw, size_t n)
{
	return dec_bool(c, raw, n, &c->h->testing);
}

/* dec_fo - failure reporting options "0:1:d:s" (any order, no repeats; "" for none). */
static enum history_status
dec_fo(struct dctx *c, const char *raw, size_t n)
{
	unsigned flags = 0, bit;
	size_t i, k;
	char ch;

	for (i = 0; i < n; i++) {
		if (i % 2 == 1) {
			if (raw[i] != ':')
				return history_fail(c, HISTORY_BAD_SYNTAX,
				    "%s: options are single characters separated by ':'", c->key);
			continue;
		}
		ch = (raw[i] >= 'A' && raw[i] <= 'Z') ? (char)(raw[i] - 'A' + 'a') : raw[i];
		for (k = 0; k < NELEM(fo_chars) && fo_chars[k] != ch; k++)
			continue;
		if (k == NELEM(fo_chars))
			return history_fail(c, HISTORY_BAD_WORD, "%s: unknown option '%c'", c->key,
			    history_is_safe((unsigned char)raw[i]) ? raw[i] : '?');
		bit = DMARC_FO_0 << k;
		if (flags & bit)
			return history_fail(c, HISTORY_BAD_VALUE, "%s: option '%c' repeated", c->key, raw[i]);
		flags |= bit;
	}
	if (n > 0 && n % 2 == 0)
		return history_fail(c, HISTORY_BAD_SYNTAX, "%s: trailing ':'", c->key);
	c->h->fo = flags;
	return HISTORY_OK;
}

/* dec_psd - psd=y/n/u. */
static enum history_status
dec_psd(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	int i = 0;

	if ((st = history_dec_word(c, raw, n, psd_words, NELEM(psd_words), &i)) == HISTORY_OK)
		c->h->psd = (enum dmarc_psd)i;
	return st;
}

/* dec_pct - historic pct, 0..100. */
static enum history_status
dec_pct(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	uint64_t v = 0;

	if ((st = history_dec_number(c, raw, n, 100, &v)) == HISTORY_OK)
		c->h->pct = (int)v;
	return st;
}

/* dec_uri - "uri[,size]" appended to list (*count items). */
static enum history_status
dec_uri(struct dctx *c, const char *raw, size_t n, struct history_uri *list, size_t *count)
{
	const char *comp[2];
	size_t len[2], ncomp;
	enum history_status st;
	uint64_t size = 0;

	if ((st = history_list_room(c, *count, HISTORY_MAX_URI)) != HISTORY_OK)
		return st;
	if (!history_split_commas(raw, n, comp, len, 2, &ncomp))
		return history_fail(c, HISTORY_BAD_SYNTAX, "%s: more than 2 components", c->key);
	if (len[0] == 0)
		return history_fail(c, HISTORY_BAD_VALUE, "%s: empty URI", c->key);
	if (ncomp == 2 && (!history_parse_u64(comp[1], len[1], UINT64_MAX, &size) || size == 0))
		return history_fail(c, HISTORY_BAD_NUMBER, "%s: size limit is not a positive decimal number", c->key);
	if ((st = history_dec_alloc(c, comp[0], len[0], HISTORY_URI_MAX, &list[*count].uri)) != HISTORY_OK)
		return st;
	list[*count].size_limit = size;
	(*count)++;
	return HISTORY_OK;
}

/* dec_rua, dec_ruf - report URIs. */
static enum history_status
dec_rua(struct dctx *c, const char *raw, size_t n)
{
	return dec_uri(c, raw, n, c->h->rua, &c->h->nrua);
}

static enum history_status
dec_ruf(struct dctx *c, const char *raw, size_t n)
{
	return dec_uri(c, raw, n, c->h->ruf, &c->h->nruf);
}

/* dec_result - DMARC result. */
static enum history_status
dec_result(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	char buf[32];

	if ((st = history_dec_token(c, raw, n, buf)) != HISTORY_OK)
		return st;
	return dmarc_result_from_name(buf, &c->h->result) ? HISTORY_OK : history_bad_word(c, buf);
}

/* dec_disp - disposition. */
static enum history_status
dec_disp(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	char buf[32];

	if ((st = history_dec_token(c, raw, n, buf)) != HISTORY_OK)
		return st;
	return disposition_from_name(buf, &c->h->disposition) ? HISTORY_OK : history_bad_word(c, buf);
}

/* dec_evpolicy - the policy selected by the evaluation. */
static enum history_status
dec_evpolicy(struct dctx *c, const char *raw, size_t n)
{
	return dec_policy(c, raw, n, &c->h->policy);
}

/* dec_applied - the tag whose policy applied. */
static enum history_status
dec_applied(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	int i = 0;

	if ((st = history_dec_word(c, raw, n, tag_words, NELEM(tag_words), &i)) == HISTORY_OK)
		c->h->applied_tag = (enum policy_tag)i;
	return st;
}

/* dec_override - one override reason (RFC 9990 name), no repeats. */
static enum history_status
dec_override(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	unsigned bit = 0;
	char buf[32];

	if ((st = history_dec_token(c, raw, n, buf)) != HISTORY_OK)
		return st;
	if (!override_from_name(buf, &bit))
		return history_bad_word(c, buf);
	if (c->h->overrides & bit)
		return history_fail(c, HISTORY_BAD_VALUE, "%s: '%s' repeated", c->key, override_name(bit));
	c->h->overrides |= bit;
	return HISTORY_OK;
}

/* dec_align_dkim, dec_align_spf - DMARC identifier alignment. */
static enum history_status
dec_align_dkim(struct dctx *c, const char *raw, size_t n)
{
	return dec_bool(c, raw, n, &c->h->dkim_aligned);
}

static enum history_status
dec_align_spf(struct dctx *c, const char *raw, size_t n)
{
	return dec_bool(c, raw, n, &c->h->spf_aligned);
}

/* dec_dkim - "domain,selector,result[,human_result]". */
static enum history_status
dec_dkim(struct dctx *c, const char *raw, size_t n)
{
	struct history_record *h = c->h;
	struct history_dkim *d = &h->dkim[h->ndkim];
	const char *comp[4];
	size_t len[4], ncomp;
	enum history_status st;
	char buf[32];

	if ((st = history_list_room(c, h->ndkim, HISTORY_MAX_DKIM)) != HISTORY_OK)
		return st;
	if (!history_split_commas(raw, n, comp, len, 4, &ncomp) || ncomp < 3)
		return history_fail(c, HISTORY_BAD_SYNTAX, "%s: want domain,selector,result[,human_result]", c->key);
	if ((st = history_dec_domain(c, comp[0], len[0], d->domain)) != HISTORY_OK ||
	    (st = history_dec_text(c, comp[1], len[1], d->selector, sizeof(d->selector))) != HISTORY_OK ||
	    (st = history_dec_token(c, comp[2], len[2], buf)) != HISTORY_OK)
		return st;
	if (!dkim_result_from_name(buf, &d->result))
		return history_bad_word(c, buf);
	if ((st = history_dec_human(c, comp, len, ncomp, d->human)) == HISTORY_OK)
		h->ndkim++;
	return st;
}

/* dec_spf - "domain,scope,result[,human_result]". */
static enum history_status
dec_spf(struct dctx *c, const char *raw, size_t n)
{
	struct history_record *h = c->h;
	struct history_spf *s = &h->spf[h->nspf];
	const char *comp[4];
	size_t len[4], ncomp;
	enum history_status st;
	char buf[32];

	if ((st = history_list_room(c, h->nspf, HISTORY_MAX_SPF)) != HISTORY_OK)
		return st;
	if (!history_split_commas(raw, n, comp, len, 4, &ncomp) || ncomp < 3)
		return history_fail(c, HISTORY_BAD_SYNTAX, "%s: want domain,scope,result[,human_result]", c->key);
	if ((st = history_dec_domain(c, comp[0], len[0], s->domain)) != HISTORY_OK ||
	    (st = history_dec_token(c, comp[1], len[1], buf)) != HISTORY_OK)
		return st;
	if (!spf_scope_from_name(buf, &s->scope))
		return history_bad_word(c, buf);
	if ((st = history_dec_token(c, comp[2], len[2], buf)) != HISTORY_OK)
		return st;
	if (!spf_result_from_name(buf, &s->result))
		return history_bad_word(c, buf);
	if ((st = history_dec_human(c, comp, len, ncomp, s->human)) == HISTORY_OK)
		h->nspf++;
	return st;
}

/* dec_arc - "result[,instance,sealer]" (minor version 1). */
static enum history_status
dec_arc(struct dctx *c, const char *raw, size_t n)
{
	struct history_record *h = c->h;
	const char *comp[3];
	size_t len[3], ncomp;
	enum history_status st;
	uint64_t i;
	int idx = 0;

	if (!history_split_commas(raw, n, comp, len, 3, &ncomp) || (ncomp != 1 && ncomp != 3))
		return history_fail(c, HISTORY_BAD_SYNTAX, "%s: want result[,instance,sealer]", c->key);
	if ((st = history_dec_word(c, comp[0], len[0], arc_words, NELEM(arc_words), &idx)) != HISTORY_OK)
		return st;
	h->arc = (enum history_arc)idx;
	if (ncomp == 1)
		return HISTORY_OK;
	if ((st = history_dec_number(c, comp[1], len[1], ARC_MAX_INSTANCE, &i)) != HISTORY_OK)
		return st;
	if (i == 0)
		return history_fail(c, HISTORY_BAD_NUMBER, "%s: instance 0", c->key);
	h->arc_instance = (unsigned)i;
	return history_dec_domain(c, comp[2], len[2], h->arc_sealer);
}

/* dec_qid - MTA queue id. */
static enum history_status
dec_qid(struct dctx *c, const char *raw, size_t n)
{
	return history_dec_text(c, raw, n, c->h->queue_id, sizeof(c->h->queue_id));
}

/* dec_msgid - Message-ID. */
static enum history_status
dec_msgid(struct dctx *c, const char *raw, size_t n)
{
	if (n == 0)
		return history_fail(c, HISTORY_BAD_VALUE, "%s: empty value", c->key);
	return history_dec_alloc(c, raw, n, HISTORY_MSGID_MAX, &c->h->message_id);
}

/* ------------------------------------------------------------ encoding */

/* enc_time - seconds since the epoch. */
static enum history_status
enc_time(const struct history_record *h, struct wr *w)
{
	char buf[24];

	if (h->time < 0)
		return HISTORY_BAD_NUMBER;
	snprintf(buf, sizeof(buf), "%" PRId64, h->time);
	history_wr_field(w, "time", buf);
	return HISTORY_OK;
}

/* enc_ip - source address in canonical form. */
static enum history_status
enc_ip(const struct history_record *h, struct wr *w)
{
	char canon[HISTORY_IP_BUFSIZE];

	if (h->source_ip[0] == '\0')
		return HISTORY_MISSING_FIELD;
	if (!history_bounded(h->source_ip, sizeof(h->source_ip)) || !history_canon_ip(h->source_ip, canon))
		return HISTORY_BAD_IP;
	history_wr_field(w, "ip", canon);
	return HISTORY_OK;
}

/* enc_hfrom - RFC5322.From domain. */
static enum history_status
enc_hfrom(const struct history_record *h, struct wr *w)
{
	return history_wr_domain(w, "hfrom", h->header_from);
}

/* enc_mfrom - RFC5321.MailFrom domain, empty for the null reverse-path. */
static enum history_status
enc_mfrom(const struct history_record *h, struct wr *w)
{
	if (!h->envelope_from_present)
		return HISTORY_OK;
	if (h->envelope_from[0] == '\0') {
		history_wr_key(w, "mfrom");
		return HISTORY_OK;
	}
	return history_wr_domain(w, "mfrom", h->envelope_from);
}

/* enc_rcpt - RFC5321.RcptTo domains. */
static enum history_status
enc_rcpt(const struct history_record *h, struct wr *w)
{
	enum history_status st;
	size_t i;

	if (h->nrcpt > HISTORY_MAX_RCPT)
		return HISTORY_TOO_MANY;
	for (i = 0; i < h->nrcpt; i++)
		if ((st = history_wr_domain(w, "rcpt", h->envelope_to[i])) != HISTORY_OK)
			return st == HISTORY_MISSING_FIELD ? HISTORY_BAD_DOMAIN : st;
	return HISTORY_OK;
}

/* enc_disc - discovery method. */
static enum history_status
enc_disc(const struct history_record *h, struct wr *w)
{
	return history_wr_word(w, "disc", mode_words, NELEM(mode_words), (unsigned)h->discovery);
}

/* enc_org - organizational domain, when known. */
static enum history_status
enc_org(const struct history_record *h, struct wr *w)
{
	return h->org_domain[0] == '\0' ? HISTORY_OK : history_wr_domain(w, "org", h->org_domain);
}

/* enc_pdom - policy domain, when a policy was found. */
static enum history_status
enc_pdom(const struct history_record *h, struct wr *w)
{
	return h->policy_found ? history_wr_domain(w, "pdom", h->policy_domain) : HISTORY_OK;
}

/* enc_opt_policy - a policy word unless UNSET. */
static enum history_status
enc_opt_policy(struct wr *w, const char *key, enum dmarc_policy p)
{
	if (p == DMARC_POLICY_UNSET)
		return HISTORY_OK;
	return history_wr_word(w, key, policy_words, NELEM(policy_words), (unsigned)p);
}

/* enc_p - published p (required with a policy). */
static enum history_status
enc_p(const struct history_record *h, struct wr *w)
{
	if (h->p == DMARC_POLICY_UNSET)
		return HISTORY_MISSING_FIELD;
	return enc_opt_policy(w, "p", h->p);
}

/* enc_sp, enc_np - published sp / np when present. */
static enum history_status
enc_sp(const struct history_record *h, struct wr *w)
{
	return enc_opt_policy(w, "sp", h->sp);
}

static enum history_status
enc_np(const struct history_record *h, struct wr *w)
{
	return enc_opt_policy(w, "np", h->np);
}

/* enc_adkim, enc_aspf, enc_t, enc_psd - published modes and flags. */
static enum history_status
enc_adkim(const struct history_record *h, struct wr *w)
{
	return history_wr_word(w, "adkim", align_words, NELEM(align_words), (unsigned)h->adkim);
}

static enum history_status
enc_aspf(const struct history_record *h, struct wr *w)
{
	return history_wr_word(w, "aspf", align_words, NELEM(align_words), (unsigned)h->aspf);
}

static enum history_status
enc_t(const struct history_record *h, struct wr *w)
{
	return history_wr_word(w, "t", bool_words, NELEM(bool_words), h->testing ? 1u : 0u);
}

static enum history_status
enc_psd(const struct history_record *h, struct wr *w)
{
	return history_wr_word(w, "psd", psd_words, NELEM(psd_words), (unsigned)h->psd);
}

/* enc_fo - failure reporting options in canonical order 0:1:d:s. */
static enum history_status
enc_fo(const struct history_record *h, struct wr *w)
{
	char buf[2 * NELEM(fo_chars)];
	size_t i, n = 0;

	if (h->fo & ~(unsigned)(DMARC_FO_0 | DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S))
		return HISTORY_BAD_WORD;
	for (i = 0; i < NELEM(fo_chars); i++) {
		if (h->fo & (DMARC_FO_0 << i)) {
			if (n > 0)
				buf[n++] = ':';
			buf[n++] = fo_chars[i];
		}
	}
	history_wr_key(w, "fo");
	history_wr_raw(w, buf, n);
	return HISTORY_OK;
}

/* enc_pct - historic pct when present. */
static enum history_status
enc_pct(const struct history_record *h, struct wr *w)
{
	char buf[8];

	if (h->pct < 0)
		return HISTORY_OK;
	if (h->pct > 100)
		return HISTORY_BAD_NUMBER;
	snprintf(buf, sizeof(buf), "%d", h->pct);
	history_wr_field(w, "pct", buf);
	return HISTORY_OK;
}

/* enc_uris - a URI list as repeated "key=uri[,size]". */
static enum history_status
enc_uris(struct wr *w, const char *key, const struct history_uri *list, size_t n)
{
	char buf[24];
	size_t i, len;

	if (n > HISTORY_MAX_URI)
		return HISTORY_TOO_MANY;
	for (i = 0; i < n; i++) {
		len = list[i].uri != NULL ? strlen(list[i].uri) : 0;
		if (len == 0 || len > HISTORY_URI_MAX)
			return HISTORY_BAD_VALUE;
		history_wr_key(w, key);
		history_wr_pct(w, list[i].uri, len);
		if (list[i].size_limit > 0) {
			snprintf(buf, sizeof(buf), ",%" PRIu64, list[i].size_limit);
			history_wr_raw(w, buf, strlen(buf));
		}
	}
	return HISTORY_OK;
}

/* enc_rua, enc_ruf - report URIs. */
static enum history_status
enc_rua(const struct history_record *h, struct wr *w)
{
	return enc_uris(w, "rua", h->rua, h->nrua);
}

static enum history_status
enc_ruf(const struct history_record *h, struct wr *w)
{
	return enc_uris(w, "ruf", h->ruf, h->nruf);
}

/* enc_result - DMARC result. */
static enum history_status
enc_result(const struct history_record *h, struct wr *w)
{
	if ((unsigned)h->result > DMARC_RES_PERMERROR)
		return HISTORY_BAD_WORD;
	history_wr_field(w, "result", dmarc_result_name(h->result));
	return HISTORY_OK;
}

/* enc_disp - disposition. */
static enum history_status
enc_disp(const struct history_record *h, struct wr *w)
{
	if ((unsigned)h->disposition > DISP_REJECT)
		return HISTORY_BAD_WORD;
	history_wr_field(w, "disp", disposition_name(h->disposition));
	return HISTORY_OK;
}

/* enc_evpolicy - policy selected, when any. */
static enum history_status
enc_evpolicy(const struct history_record *h, struct wr *w)
{
	return enc_opt_policy(w, "policy", h->policy);
}

/* enc_applied - tag applied, when any. */
static enum history_status
enc_applied(const struct history_record *h, struct wr *w)
{
	if (h->applied_tag == POLICY_TAG_NONE)
		return HISTORY_OK;
	return history_wr_word(w, "applied", tag_words, NELEM(tag_words), (unsigned)h->applied_tag);
}

/* enc_override - one field per override bit, in bit order. */
static enum history_status
enc_override(const struct history_record *h, struct wr *w)
{
	unsigned bit;

	if (h->overrides & ~(unsigned)OVERRIDE_ALL)
		return HISTORY_BAD_WORD;
	for (bit = 1; bit <= OVERRIDE_ALL; bit <<= 1)
		if (h->overrides & bit)
			history_wr_field(w, "override", override_name(bit));
	return HISTORY_OK;
}

/* enc_align_dkim, enc_align_spf - DMARC identifier alignment. */
static enum history_status
enc_align_dkim(const struct history_record *h, struct wr *w)
{
	return history_wr_word(w, "align_dkim", bool_words, NELEM(bool_words), h->dkim_aligned ? 1u : 0u);
}

static enum history_status
enc_align_spf(const struct history_record *h, struct wr *w)
{
	return history_wr_word(w, "align_spf", bool_words, NELEM(bool_words), h->spf_aligned ? 1u : 0u);
}

/* enc_dkim - "dkim=domain,selector,result[,human]" per result. */
static enum history_status
enc_dkim(const struct history_record *h, struct wr *w)
{
	const struct history_dkim *d;
	char norm[DOMAIN_BUFSIZE];
	enum history_status st;
	size_t i;

	if (h->ndkim > HISTORY_MAX_DKIM)
		return HISTORY_TOO_MANY;
	for (i = 0; i < h->ndkim; i++) {
		d = &h->dkim[i];
		if ((st = history_norm_domain(d->domain, norm)) != HISTORY_OK)
			return st;
		if (!history_bounded(d->selector, sizeof(d->selector)))
			return HISTORY_BAD_VALUE;
		if ((unsigned)d->result > DKIM_RES_PERMERROR)
			return HISTORY_BAD_WORD;
		history_wr_field(w, "dkim", norm);
		history_wr_raw(w, ",", 1);
		history_wr_pct(w, d->selector, strlen(d->selector));
		if ((st = history_wr_tuple_tail(w, dkim_result_name(d->result), d->human)) != HISTORY_OK)
			return st;
	}
	return HISTORY_OK;
}

/* enc_spf - "spf=domain,scope,result[,human]" per result. */
static enum history_status
enc_spf(const struct history_record *h, struct wr *w)
{
	const struct history_spf *s;
	char norm[DOMAIN_BUFSIZE];
	enum history_status st;
	size_t i;

	if (h->nspf > HISTORY_MAX_SPF)
		return HISTORY_TOO_MANY;
	for (i = 0; i < h->nspf; i++) {
		s = &h->spf[i];
		if ((st = history_norm_domain(s->domain, norm)) != HISTORY_OK)
			return st;
		if ((unsigned)s->scope > SPF_SCOPE_HELO || (unsigned)s->result > SPF_RES_PERMERROR)
			return HISTORY_BAD_WORD;
		history_wr_field(w, "spf", norm);
		history_wr_raw(w, ",", 1);
		history_wr_raw(w, spf_scope_name(s->scope), strlen(spf_scope_name(s->scope)));
		if ((st = history_wr_tuple_tail(w, spf_result_name(s->result), s->human)) != HISTORY_OK)
			return st;
	}
	return HISTORY_OK;
}

/* enc_arc - "arc=result[,instance,sealer]" when recorded. */
static enum history_status
enc_arc(const struct history_record *h, struct wr *w)
{
	char norm[DOMAIN_BUFSIZE], num[16];
	enum history_status st;

	if (h->arc == HISTORY_ARC_ABSENT)
		return h->arc_instance == 0 && h->arc_sealer[0] == '\0' ? HISTORY_OK :
		    HISTORY_BAD_VALUE;
	if ((st = history_wr_word(w, "arc", arc_words, NELEM(arc_words), (unsigned)h->arc)) != HISTORY_OK)
		return st;
	if (h->arc_instance == 0 && h->arc_sealer[0] == '\0')
		return HISTORY_OK;
	if (h->arc_instance == 0 || h->arc_instance > ARC_MAX_INSTANCE)
		return HISTORY_BAD_NUMBER;
	if ((st = history_norm_domain(h->arc_sealer, norm)) != HISTORY_OK)
		return st;
	snprintf(num, sizeof(num), ",%u,", h->arc_instance);
	history_wr_raw(w, num, strlen(num));
	history_wr_pct(w, norm, strlen(norm));
	return HISTORY_OK;
}

/* enc_qid - queue id when present. */
static enum history_status
enc_qid(const struct history_record *h, struct wr *w)
{
	if (h->queue_id[0] == '\0')
		return HISTORY_OK;
	if (!history_bounded(h->queue_id, sizeof(h->queue_id)))
		return HISTORY_BAD_VALUE;
	history_wr_field(w, "qid", h->queue_id);
	return HISTORY_OK;
}

/* enc_msgid - Message-ID when present. */
static enum history_status
enc_msgid(const struct history_record *h, struct wr *w)
{
	if (h->message_id == NULL || h->message_id[0] == '\0')
		return HISTORY_OK;
	if (strlen(h->message_id) > HISTORY_MSGID_MAX)
		return HISTORY_BAD_VALUE;
	history_wr_field(w, "msgid", h->message_id);
	return HISTORY_OK;
}

/* ------------------------------------------------------------ the field table */

/* Canonical order of the fields in a line. */
const struct field history_fields[] = {
	{ "time", F_REQ, 0, dec_time, enc_time },
	{ "ip", F_REQ, 0, dec_ip, enc_ip },
	{ "hfrom", F_REQ, 0, dec_hfrom, enc_hfrom },
	{ "mfrom", 0, 0, dec_mfrom, enc_mfrom },
	{ "rcpt", F_LIST, 0, dec_rcpt, enc_rcpt },
	{ "disc", F_REQ, 0, dec_disc, enc_disc },
	{ "org", 0, 0, dec_org, enc_org },
	{ "pdom", 0, 0, dec_pdom, enc_pdom },
	{ "p", F_POL | F_POLREQ, 0, dec_p, enc_p },
	{ "sp", F_POL, 0, dec_sp, enc_sp },
	{ "np", F_POL, 0, dec_np, enc_np },
	{ "adkim", F_POL | F_POLREQ, 0, dec_adkim, enc_adkim },
	{ "aspf", F_POL | F_POLREQ, 0, dec_aspf, enc_aspf },
	{ "fo", F_POL | F_POLREQ, 0, dec_fo, enc_fo },
	{ "t", F_POL | F_POLREQ, 0, dec_t, enc_t },
	{ "psd", F_POL | F_POLREQ, 0, dec_psd, enc_psd },
	{ "pct", F_POL, 0, dec_pct, enc_pct },
	{ "rua", F_POL | F_LIST, 0, dec_rua, enc_rua },
	{ "ruf", F_POL | F_LIST, 0, dec_ruf, enc_ruf },
	{ "result", F_REQ, 0, dec_result, enc_result },
	{ "disp", F_REQ, 0, dec_disp, enc_disp },
	{ "policy", 0, 0, dec_evpolicy, enc_evpolicy },
	{ "applied", 0, 0, dec_applied, enc_applied },
	{ "override", F_LIST, 0, dec_override, enc_override },
	{ "align_dkim", F_REQ, 0, dec_align_dkim, enc_align_dkim },
	{ "align_spf", F_REQ, 0, dec_align_spf, enc_align_spf },
	{ "dkim", F_LIST, 0, dec_dkim, enc_dkim },
	{ "spf", F_LIST, 0, dec_spf, enc_spf },
	{ "arc", 0, 1, dec_arc, enc_arc },
	{ "qid", 0, 0, dec_qid, enc_qid },
	{ "msgid", 0, 0, dec_msgid, enc_msgid },
};

const size_t history_nfields = NELEM(history_fields);

_Static_assert(NELEM(history_fields) <= 64, "the seen mask of history.c holds every field");

/* history_field_index - position of a key in the table (history_nfields when absent). */
size_t
history_field_index(const char *key)
{
	size_t i;

	for (i = 0; i < NELEM(history_fields) && strcmp(history_fields[i].key, key) != 0; i++)
		continue;
	return i;
}

const char *
history_arc_name(enum history_arc a)
{
	return (unsigned)a < NELEM(arc_words) ? arc_words[a] : "";
}
