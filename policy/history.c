/*
 * history.c - encoder and decoder of history lines (see history.h and
 * doc/history-format.md).  Called by the milter's history writer (encode)
 * and by the report tool (decode).  One table of fields drives both
 * directions: its order is the canonical order in which fields are written.
 * Pure computation; reentrant (no static mutable state).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "history.h"
#include "str.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(HISTORY_MAX_DKIM >= VERDICT_MAX_DKIM, "history holds every verdict DKIM result");
_Static_assert(HISTORY_MAX_SPF >= VERDICT_MAX_SPF, "history holds every verdict SPF result");

static const char version_marker[] = "AMH";

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

/* State of one history_decode call. */
struct dctx {
	struct history_record *h;
	char *reason;
	size_t reasonsize;
	char key[HISTORY_EXT_KEY_MAX + 1];	/* key being decoded, for messages */
};

typedef enum history_status (*dec_fn)(struct dctx *c, const char *raw, size_t n);

/* fail - write the reason and return st. */
static enum history_status __attribute__((format(printf, 3, 4)))
fail(struct dctx *c, enum history_status st, const char *fmt, ...)
{
	va_list ap;

	if (c->reason != NULL && c->reasonsize > 0) {
		va_start(ap, fmt);
		vsnprintf(c->reason, c->reasonsize, fmt, ap);
		va_end(ap);
	}
	return st;
}

#define SHOW_BUFSIZE 48

/* show - a printable excerpt of untrusted bytes for a reason text. */
static const char *
show(const char *s, size_t n, char *buf)
{
	size_t i, k = n > 40 ? 40 : n;

	for (i = 0; i < k; i++)
		buf[i] = (s[i] > ' ' && s[i] < 0x7f) ? s[i] : '?';
	memcpy(buf + k, n > k ? "..." : "", n > k ? 4 : 1);
	return buf;
}

/* is_safe - may this byte appear unencoded in a value? */
static bool
is_safe(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return true;
	return ch != '\0' && strchr("-._~!$&'()*+/:;?@[]", ch) != NULL;
}

/*
 * pct_decode - percent-decode n raw bytes into out (outsize bytes, NUL
 * added) and set *outlen.  out NULL: only validate.  A decoded NUL, an
 * unsafe raw byte and a malformed escape are errors.
 */
static enum history_status
pct_decode(struct dctx *c, const char *raw, size_t n, char *out, size_t outsize, size_t *outlen)
{
	size_t i, o = 0;
	unsigned char ch;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)raw[i];
		if (ch == '%') {
			if (n - i < 3 || str_hex_value((unsigned char)raw[i + 1]) < 0 ||
			    str_hex_value((unsigned char)raw[i + 2]) < 0)
				return fail(c, HISTORY_BAD_SYNTAX, "%s: malformed percent escape", c->key);
			ch = (unsigned char)(str_hex_value((unsigned char)raw[i + 1]) * 16 +
			    str_hex_value((unsigned char)raw[i + 2]));
			i += 2;
			if (ch == '\0')
				return fail(c, HISTORY_BAD_CHAR, "%s: encoded NUL (%%00)", c->key);
		} else if (!is_safe(ch))
			return fail(c, HISTORY_BAD_CHAR, "%s: byte 0x%02x must be percent-encoded",
			    c->key, ch);
		if (out != NULL) {
			if (o + 1 >= outsize)
				return fail(c, HISTORY_BAD_VALUE, "%s: value longer than %zu bytes",
				    c->key, outsize - 1);
			out[o] = (char)ch;
		}
		o++;
	}
	if (out != NULL)
		out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return HISTORY_OK;
}

/* parse_u64 - strict decimal (no sign, no leading zero) up to max. */
static bool
parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* dec_number - a decimal field value up to max. */
static enum history_status
dec_number(struct dctx *c, const char *raw, size_t n, uint64_t max, uint64_t *out)
{
	char ex[SHOW_BUFSIZE];

	if (!parse_u64(raw, n, max, out))
		return fail(c, HISTORY_BAD_NUMBER, "%s: '%s' is not a decimal number from 0 to %" PRIu64,
		    c->key, show(raw, n, ex), max);
	return HISTORY_OK;
}

/* dec_text - a non-empty text value into a fixed buffer. */
static enum history_status
dec_text(struct dctx *c, const char *raw, size_t n, char *out, size_t outsize)
{
	if (n == 0)
		return fail(c, HISTORY_BAD_VALUE, "%s: empty value", c->key);
	return pct_decode(c, raw, n, out, outsize, NULL);
}

/* dec_alloc - a text value of at most max bytes into a malloc'd string. */
static enum history_status
dec_alloc(struct dctx *c, const char *raw, size_t n, size_t max, char **out)
{
	enum history_status st;
	size_t len;
	char *buf;

	if ((st = pct_decode(c, raw, n, NULL, 0, &len)) != HISTORY_OK)
		return st;
	if (len > max)
		return fail(c, HISTORY_BAD_VALUE, "%s: value longer than %zu bytes", c->key, max);
	if ((buf = malloc(len + 1)) == NULL)
		return fail(c, HISTORY_NOMEM, "out of memory");
	(void)pct_decode(c, raw, n, buf, len + 1, NULL);
	*out = buf;
	return HISTORY_OK;
}

/* dec_domain - a domain, normalised into out (DOMAIN_BUFSIZE bytes). */
static enum history_status
dec_domain(struct dctx *c, const char *raw, size_t n, char *out)
{
	char tmp[4 * DOMAIN_BUFSIZE], ex[SHOW_BUFSIZE];
	enum history_status st;
	enum domain_status ds;
	size_t len;

	st = pct_decode(c, raw, n, tmp, sizeof(tmp), &len);
	if (st == HISTORY_BAD_VALUE)
		return fail(c, HISTORY_BAD_DOMAIN, "%s: domain too long", c->key);
	if (st != HISTORY_OK)
		return st;
	if ((ds = domain_normalize(tmp, len, out)) != DOMAIN_OK)
		return fail(c, HISTORY_BAD_DOMAIN, "%s: '%s': %s", c->key,
		    show(tmp, len, ex), domain_strerror(ds));
	return HISTORY_OK;
}

/* dec_token - a short keyword into buf (32 bytes). */
static enum history_status
dec_token(struct dctx *c, const char *raw, size_t n, char *buf)
{
	enum history_status st;

	st = pct_decode(c, raw, n, buf, 32, NULL);
	if (st == HISTORY_BAD_VALUE || (st == HISTORY_OK && buf[0] == '\0'))
		return fail(c, HISTORY_BAD_WORD, "%s: empty or overlong keyword", c->key);
	return st;
}

/* bad_word - the unknown-keyword failure. */
static enum history_status
bad_word(struct dctx *c, const char *word)
{
	char ex[SHOW_BUFSIZE];

	return fail(c, HISTORY_BAD_WORD, "%s: unknown keyword '%s'", c->key,
	    show(word, strlen(word), ex));
}

/* dec_word - a keyword of one of this format's tables; its index in *idx. */
static enum history_status
dec_word(struct dctx *c, const char *raw, size_t n, const char *const *tab, size_t ntab, int *idx)
{
	enum history_status st;
	char buf[32];
	size_t i;

	if ((st = dec_token(c, raw, n, buf)) != HISTORY_OK)
		return st;
	for (i = 0; i < ntab; i++) {
		if (tab[i][0] != '\0' && strcasecmp(tab[i], buf) == 0) {
			*idx = (int)i;
			return HISTORY_OK;
		}
	}
	return bad_word(c, buf);
}

/* dec_bool - "y" or "n". */
static enum history_status
dec_bool(struct dctx *c, const char *raw, size_t n, bool *out)
{
	enum history_status st;
	int i = 0;

	if ((st = dec_word(c, raw, n, bool_words, NELEM(bool_words), &i)) == HISTORY_OK)
		*out = i == 1;
	return st;
}

/* dec_policy - none, quarantine or reject. */
static enum history_status
dec_policy(struct dctx *c, const char *raw, size_t n, enum dmarc_policy *out)
{
	enum history_status st;
	int i = 0;

	if ((st = dec_word(c, raw, n, policy_words, NELEM(policy_words), &i)) == HISTORY_OK)
		*out = (enum dmarc_policy)i;
	return st;
}

/* dec_align - r or s. */
static enum history_status
dec_align(struct dctx *c, const char *raw, size_t n, enum dmarc_align *out)
{
	enum history_status st;
	int i = 0;

	if ((st = dec_word(c, raw, n, align_words, NELEM(align_words), &i)) == HISTORY_OK)
		*out = (enum dmarc_align)i;
	return st;
}

/*
 * split_commas - cut a raw value at its commas (escaped commas are not
 * commas) into at most max components; false when there are more.
 */
static bool
split_commas(const char *raw, size_t n, const char **comp, size_t *len, size_t max, size_t *ncomp)
{
	const char *p = raw, *end = raw + n, *comma;
	size_t k = 0;

	for (;;) {
		if (k == max)
			return false;
		comma = memchr(p, ',', (size_t)(end - p));
		comp[k] = p;
		len[k] = comma ? (size_t)(comma - p) : (size_t)(end - p);
		k++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*ncomp = k;
	return true;
}

/* list_room - fail with TOO_MANY when a list already holds max items. */
static enum history_status
list_room(struct dctx *c, size_t have, size_t max)
{
	if (have >= max)
		return fail(c, HISTORY_TOO_MANY, "%s: more than %zu items", c->key, max);
	return HISTORY_OK;
}

/* dec_time - seconds since the epoch. */
static enum history_status
dec_time(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	uint64_t v = 0;

	if ((st = dec_number(c, raw, n, (uint64_t)INT64_MAX, &v)) == HISTORY_OK)
		c->h->time = (int64_t)v;
	return st;
}

/* canon_ip - validate an address with inet_pton; canonical text into out. */
static bool
canon_ip(const char *text, char *out)
{
	unsigned char addr[sizeof(struct in6_addr)];
	int af = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(af, text, addr) != 1)
		return false;
	return inet_ntop(af, addr, out, HISTORY_IP_BUFSIZE) != NULL;
}

/* dec_ip - the source address. */
static enum history_status
dec_ip(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	char buf[64], ex[SHOW_BUFSIZE];

	st = pct_decode(c, raw, n, buf, sizeof(buf), NULL);
	if (st == HISTORY_BAD_VALUE || (st == HISTORY_OK && !canon_ip(buf, c->h->source_ip)))
		return fail(c, HISTORY_BAD_IP, "%s: '%s' is not an IPv4 or IPv6 address",
		    c->key, show(raw, n, ex));
	return st;
}

/* dec_hfrom - RFC5322.From domain. */
static enum history_status
dec_hfrom(struct dctx *c, const char *raw, size_t n)
{
	return dec_domain(c, raw, n, c->h->header_from);
}

/* dec_mfrom - RFC5321.MailFrom domain; empty for the null reverse-path. */
static enum history_status
dec_mfrom(struct dctx *c, const char *raw, size_t n)
{
	c->h->envelope_from_present = true;
	if (n == 0)
		return HISTORY_OK;
	return dec_domain(c, raw, n, c->h->envelope_from);
}

/* dec_rcpt - one RFC5321.RcptTo domain. */
static enum history_status
dec_rcpt(struct dctx *c, const char *raw, size_t n)
{
	struct history_record *h = c->h;
	enum history_status st;

	if ((st = list_room(c, h->nrcpt, HISTORY_MAX_RCPT)) != HISTORY_OK)
		return st;
	if ((st = dec_domain(c, raw, n, h->envelope_to[h->nrcpt])) == HISTORY_OK)
		h->nrcpt++;
	return st;
}

/* dec_disc - discovery method. */
static enum history_status
dec_disc(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	int i = 0;

	if ((st = dec_word(c, raw, n, mode_words, NELEM(mode_words), &i)) == HISTORY_OK)
		c->h->discovery = (enum org_mode)i;
	return st;
}

/* dec_org - organizational domain. */
static enum history_status
dec_org(struct dctx *c, const char *raw, size_t n)
{
	return dec_domain(c, raw, n, c->h->org_domain);
}

/* dec_pdom - policy domain; its presence means a policy was found. */
static enum history_status
dec_pdom(struct dctx *c, const char *raw, size_t n)
{
	c->h->policy_found = true;
	return dec_domain(c, raw, n, c->h->policy_domain);
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
				return fail(c, HISTORY_BAD_SYNTAX,
				    "%s: options are single characters separated by ':'", c->key);
			continue;
		}
		ch = (raw[i] >= 'A' && raw[i] <= 'Z') ? (char)(raw[i] - 'A' + 'a') : raw[i];
		for (k = 0; k < NELEM(fo_chars) && fo_chars[k] != ch; k++)
			continue;
		if (k == NELEM(fo_chars))
			return fail(c, HISTORY_BAD_WORD, "%s: unknown option '%c'", c->key,
			    is_safe((unsigned char)raw[i]) ? raw[i] : '?');
		bit = DMARC_FO_0 << k;
		if (flags & bit)
			return fail(c, HISTORY_BAD_VALUE, "%s: option '%c' repeated", c->key, raw[i]);
		flags |= bit;
	}
	if (n > 0 && n % 2 == 0)
		return fail(c, HISTORY_BAD_SYNTAX, "%s: trailing ':'", c->key);
	c->h->fo = flags;
	return HISTORY_OK;
}

/* dec_psd - psd=y/n/u. */
static enum history_status
dec_psd(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	int i = 0;

	if ((st = dec_word(c, raw, n, psd_words, NELEM(psd_words), &i)) == HISTORY_OK)
		c->h->psd = (enum dmarc_psd)i;
	return st;
}

/* dec_pct - historic pct, 0..100. */
static enum history_status
dec_pct(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	uint64_t v = 0;

	if ((st = dec_number(c, raw, n, 100, &v)) == HISTORY_OK)
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

	if ((st = list_room(c, *count, HISTORY_MAX_URI)) != HISTORY_OK)
		return st;
	if (!split_commas(raw, n, comp, len, 2, &ncomp))
		return fail(c, HISTORY_BAD_SYNTAX, "%s: more than 2 components", c->key);
	if (len[0] == 0)
		return fail(c, HISTORY_BAD_VALUE, "%s: empty URI", c->key);
	if (ncomp == 2 && (!parse_u64(comp[1], len[1], UINT64_MAX, &size) || size == 0))
		return fail(c, HISTORY_BAD_NUMBER, "%s: size limit is not a positive decimal number", c->key);
	if ((st = dec_alloc(c, comp[0], len[0], HISTORY_URI_MAX, &list[*count].uri)) != HISTORY_OK)
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

	if ((st = dec_token(c, raw, n, buf)) != HISTORY_OK)
		return st;
	return dmarc_result_from_name(buf, &c->h->result) ? HISTORY_OK : bad_word(c, buf);
}

/* dec_disp - disposition. */
static enum history_status
dec_disp(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;
	char buf[32];

	if ((st = dec_token(c, raw, n, buf)) != HISTORY_OK)
		return st;
	return disposition_from_name(buf, &c->h->disposition) ? HISTORY_OK : bad_word(c, buf);
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

	if ((st = dec_word(c, raw, n, tag_words, NELEM(tag_words), &i)) == HISTORY_OK)
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

	if ((st = dec_token(c, raw, n, buf)) != HISTORY_OK)
		return st;
	if (!override_from_name(buf, &bit))
		return bad_word(c, buf);
	if (c->h->overrides & bit)
		return fail(c, HISTORY_BAD_VALUE, "%s: '%s' repeated", c->key, override_name(bit));
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

/* dec_human - optional 4th tuple component. */
static enum history_status
dec_human(struct dctx *c, const char **comp, const size_t *len, size_t ncomp, char *out)
{
	if (ncomp < 4)
		return HISTORY_OK;
	return dec_text(c, comp[3], len[3], out, HISTORY_HUMAN_BUFSIZE);
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

	if ((st = list_room(c, h->ndkim, HISTORY_MAX_DKIM)) != HISTORY_OK)
		return st;
	if (!split_commas(raw, n, comp, len, 4, &ncomp) || ncomp < 3)
		return fail(c, HISTORY_BAD_SYNTAX, "%s: want domain,selector,result[,human_result]", c->key);
	if ((st = dec_domain(c, comp[0], len[0], d->domain)) != HISTORY_OK ||
	    (st = dec_text(c, comp[1], len[1], d->selector, sizeof(d->selector))) != HISTORY_OK ||
	    (st = dec_token(c, comp[2], len[2], buf)) != HISTORY_OK)
		return st;
	if (!dkim_result_from_name(buf, &d->result))
		return bad_word(c, buf);
	if ((st = dec_human(c, comp, len, ncomp, d->human)) == HISTORY_OK)
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

	if ((st = list_room(c, h->nspf, HISTORY_MAX_SPF)) != HISTORY_OK)
		return st;
	if (!split_commas(raw, n, comp, len, 4, &ncomp) || ncomp < 3)
		return fail(c, HISTORY_BAD_SYNTAX, "%s: want domain,scope,result[,human_result]", c->key);
	if ((st = dec_domain(c, comp[0], len[0], s->domain)) != HISTORY_OK ||
	    (st = dec_token(c, comp[1], len[1], buf)) != HISTORY_OK)
		return st;
	if (!spf_scope_from_name(buf, &s->scope))
		return bad_word(c, buf);
	if ((st = dec_token(c, comp[2], len[2], buf)) != HISTORY_OK)
		return st;
	if (!spf_result_from_name(buf, &s->result))
		return bad_word(c, buf);
	if ((st = dec_human(c, comp, len, ncomp, s->human)) == HISTORY_OK)
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

	if (!split_commas(raw, n, comp, len, 3, &ncomp) || (ncomp != 1 && ncomp != 3))
		return fail(c, HISTORY_BAD_SYNTAX, "%s: want result[,instance,sealer]", c->key);
	if ((st = dec_word(c, comp[0], len[0], arc_words, NELEM(arc_words), &idx)) != HISTORY_OK)
		return st;
	h->arc = (enum history_arc)idx;
	if (ncomp == 1)
		return HISTORY_OK;
	if ((st = dec_number(c, comp[1], len[1], ARC_MAX_INSTANCE, &i)) != HISTORY_OK)
		return st;
	if (i == 0)
		return fail(c, HISTORY_BAD_NUMBER, "%s: instance 0", c->key);
	h->arc_instance = (unsigned)i;
	return dec_domain(c, comp[2], len[2], h->arc_sealer);
}

/* dec_qid - MTA queue id. */
static enum history_status
dec_qid(struct dctx *c, const char *raw, size_t n)
{
	return dec_text(c, raw, n, c->h->queue_id, sizeof(c->h->queue_id));
}

/* dec_msgid - Message-ID. */
static enum history_status
dec_msgid(struct dctx *c, const char *raw, size_t n)
{
	if (n == 0)
		return fail(c, HISTORY_BAD_VALUE, "%s: empty value", c->key);
	return dec_alloc(c, raw, n, HISTORY_MSGID_MAX, &c->h->message_id);
}

/* dec_ext - one x-* extension field, kept with its key. */
static enum history_status
dec_ext(struct dctx *c, const char *raw, size_t n)
{
	struct history_record *h = c->h;
	struct history_ext *e = &h->ext[h->next];
	enum history_status st;

	if ((st = list_room(c, h->next, HISTORY_MAX_EXT)) != HISTORY_OK)
		return st;
	if ((e->key = strdup(c->key)) == NULL)
		return fail(c, HISTORY_NOMEM, "out of memory");
	if ((st = dec_alloc(c, raw, n, HISTORY_EXT_VALUE_MAX, &e->value)) != HISTORY_OK) {
		free(e->key);
		e->key = NULL;
		return st;
	}
	h->next++;
	return HISTORY_OK;
}

/* ------------------------------------------------------------ encoding */

/* An output line being written; the first string error sticks. */
struct wr {
	struct str *out;
	enum str_status st;
};

typedef enum history_status (*enc_fn)(const struct history_record *h, struct wr *w);

/* wr_raw - append n bytes as they are. */
static void
wr_raw(struct wr *w, const char *s, size_t n)
{
	if (w->st == STR_OK)
		w->st = str_append(w->out, s, n);
}

/* wr_key - start a field: " key=". */
static void
wr_key(struct wr *w, const char *key)
{
	wr_raw(w, " ", 1);
	wr_raw(w, key, strlen(key));
	wr_raw(w, "=", 1);
}

/* wr_pct - append n bytes, percent-encoding every byte outside the safe set. */
static void
wr_pct(struct wr *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];
	size_t i, run;

	for (i = 0; i < n; i += run) {
		for (run = 0; i + run < n && is_safe((unsigned char)s[i + run]); run++)
			continue;
		if (run > 0) {
			wr_raw(w, s + i, run);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[(unsigned char)s[i] >> 4];
		esc[2] = hex[(unsigned char)s[i] & 0xf];
		wr_raw(w, esc, 3);
		run = 1;
	}
}

/* wr_field - " key=" and a percent-encoded value. */
static void
wr_field(struct wr *w, const char *key, const char *value)
{
	wr_key(w, key);
	wr_pct(w, value, strlen(value));
}

/* wr_word - " key=word" from a table, checking the index. */
static enum history_status
wr_word(struct wr *w, const char *key, const char *const *tab, size_t ntab, unsigned idx)
{
	if (idx >= ntab || tab[idx][0] == '\0')
		return HISTORY_BAD_WORD;
	wr_field(w, key, tab[idx]);
	return HISTORY_OK;
}

/* bounded - is the fixed buffer NUL-terminated and its text non-empty? */
static bool
bounded(const char *buf, size_t size)
{
	size_t n = strnlen(buf, size);

	return n > 0 && n < size;
}

/* norm_domain - normalise a fixed-buffer domain for writing. */
static enum history_status
norm_domain(const char *name, char *out)
{
	if (strnlen(name, DOMAIN_BUFSIZE) >= DOMAIN_BUFSIZE)
		return HISTORY_BAD_DOMAIN;
	return domain_normalize(name, strlen(name), out) == DOMAIN_OK ? HISTORY_OK : HISTORY_BAD_DOMAIN;
}

/* wr_domain - " key=domain", normalised; an empty name is missing. */
static enum history_status
wr_domain(struct wr *w, const char *key, const char *name)
{
	char norm[DOMAIN_BUFSIZE];
	enum history_status st;

	if (name[0] == '\0')
		return HISTORY_MISSING_FIELD;
	if ((st = norm_domain(name, norm)) == HISTORY_OK)
		wr_field(w, key, norm);
	return st;
}

/* enc_time - seconds since the epoch. */
static enum history_status
enc_time(const struct history_record *h, struct wr *w)
{
	char buf[24];

	if (h->time < 0)
		return HISTORY_BAD_NUMBER;
	snprintf(buf, sizeof(buf), "%" PRId64, h->time);
	wr_field(w, "time", buf);
	return HISTORY_OK;
}

/* enc_ip - source address in canonical form. */
static enum history_status
enc_ip(const struct history_record *h, struct wr *w)
{
	char canon[HISTORY_IP_BUFSIZE];

	if (h->source_ip[0] == '\0')
		return HISTORY_MISSING_FIELD;
	if (!bounded(h->source_ip, sizeof(h->source_ip)) || !canon_ip(h->source_ip, canon))
		return HISTORY_BAD_IP;
	wr_field(w, "ip", canon);
	return HISTORY_OK;
}

/* enc_hfrom - RFC5322.From domain. */
static enum history_status
enc_hfrom(const struct history_record *h, struct wr *w)
{
	return wr_domain(w, "hfrom", h->header_from);
}

/* enc_mfrom - RFC5321.MailFrom domain, empty for the null reverse-path. */
static enum history_status
enc_mfrom(const struct history_record *h, struct wr *w)
{
	if (!h->envelope_from_present)
		return HISTORY_OK;
	if (h->envelope_from[0] == '\0') {
		wr_key(w, "mfrom");
		return HISTORY_OK;
	}
	return wr_domain(w, "mfrom", h->envelope_from);
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
		if ((st = wr_domain(w, "rcpt", h->envelope_to[i])) != HISTORY_OK)
			return st == HISTORY_MISSING_FIELD ? HISTORY_BAD_DOMAIN : st;
	return HISTORY_OK;
}

/* enc_disc - discovery method. */
static enum history_status
enc_disc(const struct history_record *h, struct wr *w)
{
	return wr_word(w, "disc", mode_words, NELEM(mode_words), (unsigned)h->discovery);
}

/* enc_org - organizational domain, when known. */
static enum history_status
enc_org(const struct history_record *h, struct wr *w)
{
	return h->org_domain[0] == '\0' ? HISTORY_OK : wr_domain(w, "org", h->org_domain);
}

/* enc_pdom - policy domain, when a policy was found. */
static enum history_status
enc_pdom(const struct history_record *h, struct wr *w)
{
	return h->policy_found ? wr_domain(w, "pdom", h->policy_domain) : HISTORY_OK;
}

/* enc_opt_policy - a policy word unless UNSET. */
static enum history_status
enc_opt_policy(struct wr *w, const char *key, enum dmarc_policy p)
{
	if (p == DMARC_POLICY_UNSET)
		return HISTORY_OK;
	return wr_word(w, key, policy_words, NELEM(policy_words), (unsigned)p);
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
	return wr_word(w, "adkim", align_words, NELEM(align_words), (unsigned)h->adkim);
}

static enum history_status
enc_aspf(const struct history_record *h, struct wr *w)
{
	return wr_word(w, "aspf", align_words, NELEM(align_words), (unsigned)h->aspf);
}

static enum history_status
enc_t(const struct history_record *h, struct wr *w)
{
	return wr_word(w, "t", bool_words, NELEM(bool_words), h->testing ? 1u : 0u);
}

static enum history_status
enc_psd(const struct history_record *h, struct wr *w)
{
	return wr_word(w, "psd", psd_words, NELEM(psd_words), (unsigned)h->psd);
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
	wr_key(w, "fo");
	wr_raw(w, buf, n);
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
	wr_field(w, "pct", buf);
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
		wr_key(w, key);
		wr_pct(w, list[i].uri, len);
		if (list[i].size_limit > 0) {
			snprintf(buf, sizeof(buf), ",%" PRIu64, list[i].size_limit);
			wr_raw(w, buf, strlen(buf));
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
	wr_field(w, "result", dmarc_result_name(h->result));
	return HISTORY_OK;
}

/* enc_disp - disposition. */
static enum history_status
enc_disp(const struct history_record *h, struct wr *w)
{
	if ((unsigned)h->disposition > DISP_REJECT)
		return HISTORY_BAD_WORD;
	wr_field(w, "disp", disposition_name(h->disposition));
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
	return wr_word(w, "applied", tag_words, NELEM(tag_words), (unsigned)h->applied_tag);
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
			wr_field(w, "override", override_name(bit));
	return HISTORY_OK;
}

/* enc_align_dkim, enc_align_spf - DMARC identifier alignment. */
static enum history_status
enc_align_dkim(const struct history_record *h, struct wr *w)
{
	return wr_word(w, "align_dkim", bool_words, NELEM(bool_words), h->dkim_aligned ? 1u : 0u);
}

static enum history_status
enc_align_spf(const struct history_record *h, struct wr *w)
{
	return wr_word(w, "align_spf", bool_words, NELEM(bool_words), h->spf_aligned ? 1u : 0u);
}

/* wr_tuple_tail - ",result[,human]" of a DKIM or SPF tuple. */
static enum history_status
wr_tuple_tail(struct wr *w, const char *result, const char *human)
{
	size_t n = strnlen(human, HISTORY_HUMAN_BUFSIZE);

	if (n >= HISTORY_HUMAN_BUFSIZE)
		return HISTORY_BAD_VALUE;
	wr_raw(w, ",", 1);
	wr_pct(w, result, strlen(result));
	if (n > 0) {
		wr_raw(w, ",", 1);
		wr_pct(w, human, n);
	}
	return HISTORY_OK;
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
		if ((st = norm_domain(d->domain, norm)) != HISTORY_OK)
			return st;
		if (!bounded(d->selector, sizeof(d->selector)))
			return HISTORY_BAD_VALUE;
		if ((unsigned)d->result > DKIM_RES_PERMERROR)
			return HISTORY_BAD_WORD;
		wr_field(w, "dkim", norm);
		wr_raw(w, ",", 1);
		wr_pct(w, d->selector, strlen(d->selector));
		if ((st = wr_tuple_tail(w, dkim_result_name(d->result), d->human)) != HISTORY_OK)
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
		if ((st = norm_domain(s->domain, norm)) != HISTORY_OK)
			return st;
		if ((unsigned)s->scope > SPF_SCOPE_HELO || (unsigned)s->result > SPF_RES_PERMERROR)
			return HISTORY_BAD_WORD;
		wr_field(w, "spf", norm);
		wr_raw(w, ",", 1);
		wr_raw(w, spf_scope_name(s->scope), strlen(spf_scope_name(s->scope)));
		if ((st = wr_tuple_tail(w, spf_result_name(s->result), s->human)) != HISTORY_OK)
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
	if ((st = wr_word(w, "arc", arc_words, NELEM(arc_words), (unsigned)h->arc)) != HISTORY_OK)
		return st;
	if (h->arc_instance == 0 && h->arc_sealer[0] == '\0')
		return HISTORY_OK;
	if (h->arc_instance == 0 || h->arc_instance > ARC_MAX_INSTANCE)
		return HISTORY_BAD_NUMBER;
	if ((st = norm_domain(h->arc_sealer, norm)) != HISTORY_OK)
		return st;
	snprintf(num, sizeof(num), ",%u,", h->arc_instance);
	wr_raw(w, num, strlen(num));
	wr_pct(w, norm, strlen(norm));
	return HISTORY_OK;
}

/* enc_qid - queue id when present. */
static enum history_status
enc_qid(const struct history_record *h, struct wr *w)
{
	if (h->queue_id[0] == '\0')
		return HISTORY_OK;
	if (!bounded(h->queue_id, sizeof(h->queue_id)))
		return HISTORY_BAD_VALUE;
	wr_field(w, "qid", h->queue_id);
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
	wr_field(w, "msgid", h->message_id);
	return HISTORY_OK;
}

/* ------------------------------------------------------------ the field table */

#define F_LIST	0x1	/* may repeat */
#define F_REQ	0x2	/* always required */
#define F_POL	0x4	/* part of the published policy: only with pdom */
#define F_POLREQ 0x8	/* required with pdom */

struct field {
	const char *key;
	unsigned flags;
	unsigned minor;		/* the minor version that added the key */
	dec_fn dec;
	enc_fn enc;
};

/* Canonical order of the fields in a line. */
static const struct field fields[] = {
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

_Static_assert(NELEM(fields) <= 64, "seen mask holds every field");

/* field_index - position of a key in the table (NELEM when absent). */
static size_t
field_index(const char *key)
{
	size_t i;

	for (i = 0; i < NELEM(fields) && strcmp(fields[i].key, key) != 0; i++)
		continue;
	return i;
}

/* ------------------------------------------------------------ line decoding */

/*
 * check_line - length cap, no NUL or CR, exactly one LF and it is last.
 * *body is set to the length without the LF.
 */
static enum history_status
check_line(struct dctx *c, const char *line, size_t len, size_t *body)
{
	size_t i;

	if (len > HISTORY_LINE_MAX)
		return fail(c, HISTORY_TOO_LONG, "line of %zu bytes exceeds %d", len, HISTORY_LINE_MAX);
	for (i = 0; i < len; i++) {
		if (line[i] == '\0')
			return fail(c, HISTORY_BAD_CHAR, "NUL byte at offset %zu", i);
		if (line[i] == '\r')
			return fail(c, HISTORY_BAD_CHAR, "CR byte at offset %zu", i);
		if (line[i] == '\n' && i + 1 < len)
			return fail(c, HISTORY_BAD_SYNTAX, "trailing garbage: %zu bytes after the newline", len - i - 1);
	}
	if (len == 0 || line[len - 1] != '\n')
		return fail(c, HISTORY_TRUNCATED, "line does not end with a newline (partial write?)");
	*body = len - 1;
	return HISTORY_OK;
}

/* parse_version_number - 1 to 4 digits at *pos; false when none. */
static bool
parse_version_number(const char *s, size_t n, size_t *pos, unsigned *out)
{
	size_t start = *pos;
	unsigned v = 0;

	while (*pos < n && *pos - start < 5 && s[*pos] >= '0' && s[*pos] <= '9')
		v = v * 10 + (unsigned)(s[(*pos)++] - '0');
	if (*pos == start || *pos - start > 4)
		return false;
	*out = v;
	return true;
}

/* parse_version - "AMH<major>.<minor>" followed by a space or the end. */
static enum history_status
parse_version(struct dctx *c, const char *s, size_t n, size_t *pos)
{
	unsigned major = 0, minor = 0;
	size_t p = sizeof(version_marker) - 1;

	if (n < p || memcmp(s, version_marker, p) != 0)
		return fail(c, HISTORY_BAD_VERSION, "line does not start with the version marker '%s'",
		    version_marker);
	if (!parse_version_number(s, n, &p, &major) || p >= n || s[p++] != '.' ||
	    !parse_version_number(s, n, &p, &minor) || (p < n && s[p] != ' '))
		return fail(c, HISTORY_BAD_VERSION, "malformed version marker (want AMH<major>.<minor>)");
	if (major != HISTORY_VERSION_MAJOR)
		return fail(c, HISTORY_BAD_VERSION, "unsupported major version %u (this decoder reads %d)",
		    major, HISTORY_VERSION_MAJOR);
	c->h->version_minor = minor;
	*pos = p;
	return HISTORY_OK;
}

/* check_key - "[a-z][a-z0-9_-]*", at most HISTORY_EXT_KEY_MAX bytes; copied into c->key. */
static enum history_status
check_key(struct dctx *c, const char *k, size_t n)
{
	size_t i;

	if (n == 0)
		return fail(c, HISTORY_BAD_SYNTAX, "empty key");
	if (n > HISTORY_EXT_KEY_MAX)
		return fail(c, HISTORY_BAD_SYNTAX, "key longer than %d bytes", HISTORY_EXT_KEY_MAX);
	for (i = 0; i < n; i++) {
		if (!((k[i] >= 'a' && k[i] <= 'z') || (i > 0 && ((k[i] >= '0' && k[i] <= '9') ||
		    k[i] == '_' || k[i] == '-'))))
			return fail(c, HISTORY_BAD_SYNTAX, "bad character 0x%02x in key", (unsigned char)k[i]);
	}
	memcpy(c->key, k, n);
	c->key[n] = '\0';
	return HISTORY_OK;
}

/* unknown_field - skip a key of a newer minor version (its value must still be well formed). */
static enum history_status
unknown_field(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;

	if (c->h->version_minor <= HISTORY_VERSION_MINOR)
		return fail(c, HISTORY_BAD_SYNTAX, "unknown key '%s' in a version %d.%u line",
		    c->key, HISTORY_VERSION_MAJOR, c->h->version_minor);
	if ((st = pct_decode(c, raw, n, NULL, 0, NULL)) == HISTORY_OK)
		c->h->unknown_keys++;
	return st;
}

/* decode_field - one "key=value"; seen marks the single-valued keys met. */
static enum history_status
decode_field(struct dctx *c, const char *f, size_t n, uint64_t *seen)
{
	const char *eq = memchr(f, '=', n);
	char ex[SHOW_BUFSIZE];
	enum history_status st;
	size_t i, klen;

	if (eq == NULL)
		return fail(c, HISTORY_BAD_SYNTAX, "field '%s' has no '='", show(f, n, ex));
	klen = (size_t)(eq - f);
	if ((st = check_key(c, f, klen)) != HISTORY_OK)
		return st;
	if (klen > 2 && memcmp(f, "x-", 2) == 0)
		return dec_ext(c, eq + 1, n - klen - 1);
	if ((i = field_index(c->key)) == NELEM(fields) || fields[i].minor > c->h->version_minor)
		return unknown_field(c, eq + 1, n - klen - 1);
	if (!(fields[i].flags & F_LIST) && (*seen & ((uint64_t)1 << i)))
		return fail(c, HISTORY_DUPLICATE_KEY, "key '%s' appears twice", c->key);
	*seen |= (uint64_t)1 << i;
	return fields[i].dec(c, eq + 1, n - klen - 1);
}

/* check_required - required fields, and the policy fields that need pdom. */
static enum history_status
check_required(struct dctx *c, uint64_t seen)
{
	bool pdom = (seen & ((uint64_t)1 << field_index("pdom"))) != 0;
	uint64_t bit;
	size_t i;

	for (i = 0; i < NELEM(fields); i++) {
		bit = (uint64_t)1 << i;
		if ((fields[i].flags & F_REQ) && !(seen & bit))
			return fail(c, HISTORY_MISSING_FIELD, "required field '%s' is missing", fields[i].key);
		if (pdom && (fields[i].flags & F_POLREQ) && !(seen & bit))
			return fail(c, HISTORY_MISSING_FIELD, "field '%s' is required with 'pdom'", fields[i].key);
		if (!pdom && (fields[i].flags & F_POL) && (seen & bit))
			return fail(c, HISTORY_MISSING_FIELD, "field '%s' needs 'pdom'", fields[i].key);
	}
	return HISTORY_OK;
}

/* decode_body - the fields after the version marker. */
static enum history_status
decode_body(struct dctx *c, const char *line, size_t body)
{
	enum history_status st;
	uint64_t seen = 0;
	size_t pos = 0, end;

	if ((st = parse_version(c, line, body, &pos)) != HISTORY_OK)
		return st;
	while (pos < body) {
		pos++;	/* the space parse_version or the previous field stopped at */
		for (end = pos; end < body && line[end] != ' '; end++)
			continue;
		if (end == pos)
			return fail(c, HISTORY_BAD_SYNTAX,
			    "empty field at offset %zu (two spaces, or a trailing space)", pos);
		if ((st = decode_field(c, line + pos, end - pos, &seen)) != HISTORY_OK)
			return st;
		pos = end;
	}
	return check_required(c, seen);
}

enum history_status
history_decode(const char *line, size_t len, struct history_record *h,
    char *reason, size_t reasonsize)
{
	struct dctx c;
	enum history_status st;
	size_t body = 0;

	history_record_init(h);
	memset(&c, 0, sizeof(c));
	c.h = h;
	c.reason = reason;
	c.reasonsize = reasonsize;
	if (reason != NULL && reasonsize > 0)
		reason[0] = '\0';
	if (line == NULL)
		return fail(&c, HISTORY_TRUNCATED, "no line");
	st = check_line(&c, line, len, &body);
	if (st == HISTORY_OK)
		st = decode_body(&c, line, body);
	if (st != HISTORY_OK)
		history_record_free(h);
	return st;
}

/* ------------------------------------------------------------ line encoding */

/* ext_key_ok - "x-" and at least one more key character. */
static bool
ext_key_ok(const char *key)
{
	size_t i, n = key != NULL ? strlen(key) : 0;

	if (n <= 2 || n > HISTORY_EXT_KEY_MAX || memcmp(key, "x-", 2) != 0)
		return false;
	for (i = 2; i < n; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
		    key[i] == '_' || key[i] == '-'))
			return false;
	return true;
}

/* enc_ext - extension fields in their order. */
static enum history_status
enc_ext(const struct history_record *h, struct wr *w)
{
	const char *v;
	size_t i;

	if (h->next > HISTORY_MAX_EXT)
		return HISTORY_TOO_MANY;
	for (i = 0; i < h->next; i++) {
		v = h->ext[i].value != NULL ? h->ext[i].value : "";
		if (!ext_key_ok(h->ext[i].key) || strlen(v) > HISTORY_EXT_VALUE_MAX)
			return HISTORY_BAD_VALUE;
		wr_field(w, h->ext[i].key, v);
	}
	return HISTORY_OK;
}

/* line_minor - the lowest minor version whose keys can carry h. */
static unsigned
line_minor(const struct history_record *h)
{
	return h->arc != HISTORY_ARC_ABSENT ? 1u : 0u;
}

enum history_status
history_encode(const struct history_record *h, struct str *out)
{
	enum history_status st = HISTORY_OK;
	struct wr w = { out, STR_OK };
	size_t i;

	str_reset(out);
	if (w.st == STR_OK)
		w.st = str_printf(out, "%s%d.%u", version_marker, HISTORY_VERSION_MAJOR,
		    line_minor(h));
	for (i = 0; i < NELEM(fields) && st == HISTORY_OK; i++)
		if (h->policy_found || !(fields[i].flags & F_POL))
			st = fields[i].enc(h, &w);
	if (st == HISTORY_OK)
		st = enc_ext(h, &w);
	wr_raw(&w, "\n", 1);
	if (st == HISTORY_OK && w.st != STR_OK)
		st = w.st == STR_ENOMEM ? HISTORY_NOMEM : HISTORY_TOO_LONG;
	if (st == HISTORY_OK && out->len > HISTORY_LINE_MAX)
		st = HISTORY_TOO_LONG;
	if (st != HISTORY_OK)
		str_reset(out);
	return st;
}

/* ------------------------------------------------------------ records */

void
history_record_init(struct history_record *h)
{
	memset(h, 0, sizeof(*h));
	h->pct = -1;
	h->fo = DMARC_FO_0;
	h->message_id = NULL;
}

/* free_uris - release a URI list. */
static void
free_uris(struct history_uri *list, size_t *n)
{
	size_t i;

	for (i = 0; i < *n && i < HISTORY_MAX_URI; i++)
		free(list[i].uri);
	*n = 0;
}

void
history_record_free(struct history_record *h)
{
	size_t i;

	free_uris(h->rua, &h->nrua);
	free_uris(h->ruf, &h->nruf);
	for (i = 0; i < h->next && i < HISTORY_MAX_EXT; i++) {
		free(h->ext[i].key);
		free(h->ext[i].value);
	}
	free(h->message_id);
	history_record_init(h);
}

/* copy_uris - deep copy a record's URI list. */
static enum history_status
copy_uris(struct history_uri *dst, size_t *ndst, const struct dmarc_uri_list *src)
{
	size_t i;

	for (i = 0; i < src->n && i < HISTORY_MAX_URI; i++) {
		if (src->v[i].uri == NULL || src->v[i].uri[0] == '\0')
			continue;
		if ((dst[*ndst].uri = strdup(src->v[i].uri)) == NULL)
			return HISTORY_NOMEM;
		dst[*ndst].size_limit = src->v[i].size_limit;
		(*ndst)++;
	}
	return HISTORY_OK;
}

/* copy_policy - the published record of the verdict (or no policy). */
static enum history_status
copy_policy(struct history_record *h, const struct verdict *v)
{
	const struct dmarc_record *r = &v->record;
	enum history_status st;

	free_uris(h->rua, &h->nrua);
	free_uris(h->ruf, &h->nruf);
	h->policy_found = v->record_found && v->policy_domain[0] != '\0';
	h->policy_domain[0] = '\0';
	if (!h->policy_found) {
		h->p = h->sp = h->np = DMARC_POLICY_UNSET;
		h->adkim = h->aspf = DMARC_ALIGN_RELAXED;
		h->fo = DMARC_FO_0;
		h->testing = false;
		h->psd = DMARC_PSD_U;
		h->pct = -1;
		return HISTORY_OK;
	}
	memcpy(h->policy_domain, v->policy_domain, sizeof(h->policy_domain));
	h->p = r->p != DMARC_POLICY_UNSET ? r->p : DMARC_POLICY_NONE;
	h->sp = r->sp;
	h->np = r->np;
	h->adkim = r->adkim;
	h->aspf = r->aspf;
	h->fo = r->fo;
	h->testing = r->t;
	h->psd = r->psd;
	h->pct = r->pct;
	if ((st = copy_uris(h->rua, &h->nrua, &r->rua)) != HISTORY_OK)
		return st;
	return copy_uris(h->ruf, &h->nruf, &r->ruf);
}

/* copy_auth - the DKIM and SPF results of the input that name a domain. */
static void
copy_auth(struct history_record *h, const struct verdict_input *in)
{
	struct history_dkim *d;
	struct history_spf *s;
	size_t i;

	h->ndkim = 0;
	for (i = 0; i < in->ndkim && i < VERDICT_MAX_DKIM; i++) {
		if (in->dkim[i].domain[0] == '\0' || in->dkim[i].selector[0] == '\0')
			continue;	/* no d= or s= to report (RFC 9990: both required) */
		d = &h->dkim[h->ndkim++];
		memcpy(d->domain, in->dkim[i].domain, DOMAIN_BUFSIZE);
		memcpy(d->selector, in->dkim[i].selector, DOMAIN_BUFSIZE);
		d->result = in->dkim[i].result;
		d->human[0] = '\0';
	}
	h->nspf = 0;
	for (i = 0; i < in->nspf && i < VERDICT_MAX_SPF; i++) {
		if (in->spf[i].domain[0] == '\0')
			continue;	/* no domain: a HELO literal or none (RFC 9990: spf is optional) */
		s = &h->spf[h->nspf++];
		memcpy(s->domain, in->spf[i].domain, DOMAIN_BUFSIZE);
		s->scope = in->spf[i].scope;
		s->result = in->spf[i].result;
		s->human[0] = '\0';
	}
}

enum history_status
history_record_from_verdict(struct history_record *h, const struct verdict_input *in,
    const struct verdict *v)
{
	const char *from = v->header_from;

	if (from[0] == '\0' && in->nauthors > 0)
		from = in->authors[0];
	memcpy(h->header_from, from, DOMAIN_BUFSIZE);
	h->header_from[DOMAIN_BUFSIZE - 1] = '\0';
	h->discovery = in->mode;
	memcpy(h->org_domain, v->org_domain, DOMAIN_BUFSIZE);
	h->result = v->result;
	h->disposition = v->disposition;
	h->policy = v->policy;
	h->applied_tag = v->applied_tag;
	h->overrides = v->overrides & OVERRIDE_ALL;
	h->dkim_aligned = v->dkim_aligned;
	h->spf_aligned = v->spf_aligned;
	copy_auth(h, in);
	return copy_policy(h, v);
}

/* ------------------------------------------------------------ comparison */

/* same_text - equal C strings, NULL counting as "". */
static bool
same_text(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* same_uris - equal URI lists. */
static bool
same_uris(const struct history_uri *a, size_t na, const struct history_uri *b, size_t nb)
{
	size_t i;

	if (na != nb || na > HISTORY_MAX_URI)
		return false;
	for (i = 0; i < na; i++)
		if (!same_text(a[i].uri, b[i].uri) || a[i].size_limit != b[i].size_limit)
			return false;
	return true;
}

/* same_policy - equal published policies (ignored when neither has one). */
static bool
same_policy(const struct history_record *a, const struct history_record *b)
{
	if (a->policy_found != b->policy_found)
		return false;
	if (!a->policy_found)
		return true;
	return strcmp(a->policy_domain, b->policy_domain) == 0 && a->p == b->p &&
	    a->sp == b->sp && a->np == b->np && a->adkim == b->adkim && a->aspf == b->aspf &&
	    a->fo == b->fo && a->testing == b->testing && a->psd == b->psd &&
	    (a->pct < 0 ? b->pct < 0 : a->pct == b->pct) &&
	    same_uris(a->rua, a->nrua, b->rua, b->nrua) && same_uris(a->ruf, a->nruf, b->ruf, b->nruf);
}

/* same_auth - equal DKIM and SPF result lists. */
static bool
same_auth(const struct history_record *a, const struct history_record *b)
{
	size_t i;

	if (a->ndkim != b->ndkim || a->nspf != b->nspf ||
	    a->ndkim > HISTORY_MAX_DKIM || a->nspf > HISTORY_MAX_SPF)
		return false;
	for (i = 0; i < a->ndkim; i++)
		if (strcmp(a->dkim[i].domain, b->dkim[i].domain) != 0 ||
		    strcmp(a->dkim[i].selector, b->dkim[i].selector) != 0 ||
		    a->dkim[i].result != b->dkim[i].result ||
		    strcmp(a->dkim[i].human, b->dkim[i].human) != 0)
			return false;
	for (i = 0; i < a->nspf; i++)
		if (strcmp(a->spf[i].domain, b->spf[i].domain) != 0 ||
		    a->spf[i].scope != b->spf[i].scope || a->spf[i].result != b->spf[i].result ||
		    strcmp(a->spf[i].human, b->spf[i].human) != 0)
			return false;
	return true;
}

/* same_envelope - equal connection and envelope facts. */
static bool
same_envelope(const struct history_record *a, const struct history_record *b)
{
	size_t i;

	if (a->time != b->time || strcmp(a->source_ip, b->source_ip) != 0 ||
	    strcmp(a->header_from, b->header_from) != 0 ||
	    a->envelope_from_present != b->envelope_from_present ||
	    strcmp(a->envelope_from, b->envelope_from) != 0 ||
	    a->nrcpt != b->nrcpt || a->nrcpt > HISTORY_MAX_RCPT)
		return false;
	for (i = 0; i < a->nrcpt; i++)
		if (strcmp(a->envelope_to[i], b->envelope_to[i]) != 0)
			return false;
	return true;
}

/* same_extras - equal identification and extension fields. */
static bool
same_extras(const struct history_record *a, const struct history_record *b)
{
	size_t i;

	if (strcmp(a->queue_id, b->queue_id) != 0 || !same_text(a->message_id, b->message_id) ||
	    a->next != b->next || a->next > HISTORY_MAX_EXT)
		return false;
	for (i = 0; i < a->next; i++)
		if (!same_text(a->ext[i].key, b->ext[i].key) || !same_text(a->ext[i].value, b->ext[i].value))
			return false;
	return true;
}

bool
history_record_equal(const struct history_record *a, const struct history_record *b)
{
	return same_envelope(a, b) && same_policy(a, b) && same_auth(a, b) && same_extras(a, b) &&
	    a->discovery == b->discovery && strcmp(a->org_domain, b->org_domain) == 0 &&
	    a->result == b->result && a->disposition == b->disposition &&
	    a->policy == b->policy && a->applied_tag == b->applied_tag &&
	    a->overrides == b->overrides && a->dkim_aligned == b->dkim_aligned &&
	    a->spf_aligned == b->spf_aligned && a->arc == b->arc &&
	    a->arc_instance == b->arc_instance && strcmp(a->arc_sealer, b->arc_sealer) == 0;
}

const char *
history_arc_name(enum history_arc a)
{
	return (unsigned)a < NELEM(arc_words) ? arc_words[a] : "";
}

const char *
history_status_name(enum history_status st)
{
	static const char *const names[] = {
		"ok", "nomem", "too_long", "truncated", "bad_version", "bad_char", "bad_syntax",
		"missing_field", "duplicate_key", "bad_number", "bad_ip", "bad_domain",
		"bad_word", "too_many", "bad_value"
	};

	return (unsigned)st < NELEM(names) ? names[st] : "unknown";
}
