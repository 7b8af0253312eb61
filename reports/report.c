/*
 * report.c - the aggregate report model: history record -> row facts,
 * published policy and interning keys; fo, override and day helpers.
 * See report.h.  Pure and reentrant.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *const report_policy_words[4] = { "", "none", "quarantine", "reject" };
const char *const report_align_words[2] = { "r", "s" };
const char *const report_psd_words[3] = { "u", "y", "n" };
const char *const report_disc_words[2] = { "treewalk", "psl" };

static const char fo_chars[] = { '0', '1', 'd', 's' };	/* DMARC_FO_0 << i */

int
report_word_find(const char *const *tab, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(tab[i], word) == 0)
			return (int)i;
	return -1;
}

void
report_msg_from_history(const struct history_record *h, struct report_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->time = h->time;
	m->source_ip = h->source_ip;
	m->header_from = h->header_from;
	m->envelope_from = h->envelope_from_present ? h->envelope_from : NULL;
	/* A row has at most one envelope_to: name it only when it is unambiguous. */
	m->envelope_to = h->nrcpt == 1 ? h->envelope_to[0] : NULL;
	m->result = h->result;
	m->disposition = h->disposition;
	m->policy = h->policy;
	m->dkim_aligned = h->dkim_aligned;
	m->spf_aligned = h->spf_aligned;
	m->overrides = h->overrides & OVERRIDE_ALL;
	if ((m->overrides & OVERRIDE_TRUSTED_FORWARDER) && h->arc != HISTORY_ARC_ABSENT &&
	    h->arc_instance != 0)
		snprintf(m->forwarder, sizeof(m->forwarder), "arc=%s i=%u d=%s",
		    history_arc_name(h->arc), h->arc_instance, h->arc_sealer);
}

/* disposition_matches - is d what policy p asks for? */
static bool
disposition_matches(enum disposition d, enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE:
		return d == DISP_NONE;
	case DMARC_POLICY_QUARANTINE:
		return d == DISP_QUARANTINE;
	case DMARC_POLICY_REJECT:
		return d == DISP_REJECT;
	default:
		return true;
	}
}

unsigned
report_reasons(const struct report_msg *m)
{
	unsigned r = m->overrides & OVERRIDE_ALL;

	if (r == 0 && m->result != DMARC_RES_PASS && m->policy != DMARC_POLICY_UNSET &&
	    !disposition_matches(m->disposition, m->policy))
		r |= REPORT_REASON_UNEXPLAINED;
	return r;
}

void
report_policy_init(struct report_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->pct = -1;
}

void
report_policy_free(struct report_policy *p)
{
	size_t i;

	for (i = 0; i < p->nrua; i++)
		free(p->rua[i].uri);
	report_policy_init(p);
}

int
report_policy_from_history(const struct history_record *h, struct report_policy *p)
{
	size_t i;

	report_policy_init(p);
	snprintf(p->domain, sizeof(p->domain), "%s", h->policy_domain);
	p->discovery = h->discovery;
	p->p = h->p;
	p->sp = h->sp;
	p->np = h->np;
	p->adkim = h->adkim;
	p->aspf = h->aspf;
	p->fo = h->fo;
	p->testing = h->testing;
	p->psd = h->psd;
	p->pct = h->pct;
	for (i = 0; i < h->nrua; i++) {
		if ((p->rua[i].uri = strdup(h->rua[i].uri)) == NULL) {
			report_policy_free(p);
			return -1;
		}
		p->rua[i].size_limit = h->rua[i].size_limit;
		p->nrua++;
	}
	return 0;
}

enum str_status
report_key_add(struct str *out, const char *field)
{
	if (field == NULL)
		return str_appends(out, "-");
	return str_printf(out, "%zu:%s", strlen(field), field);
}

enum str_status
report_key_addi(struct str *out, long long v)
{
	return str_printf(out, "#%lld", v);
}

enum str_status
report_policy_key(const struct history_record *h, struct str *out)
{
	enum str_status st;
	size_t i;

	str_reset(out);
	st = report_key_add(out, h->policy_domain);
	if (st == STR_OK)
		st = str_printf(out, "#%d#%d#%d#%d#%d#%d#%u#%d#%d#%d#%zu", (int)h->discovery,
		    (int)h->p, (int)h->sp, (int)h->np, (int)h->adkim, (int)h->aspf, h->fo,
		    (int)h->testing, (int)h->psd, h->pct, h->nrua);
	for (i = 0; st == STR_OK && i < h->nrua; i++) {
		st = report_key_add(out, h->rua[i].uri);
		if (st == STR_OK)
			st = str_printf(out, "#%llu", (unsigned long long)h->rua[i].size_limit);
	}
	return st;
}

enum str_status
report_auth_key(const struct history_record *h, struct str *out)
{
	enum str_status st;
	size_t i;

	str_reset(out);
	st = str_printf(out, "#%zu", h->ndkim);
	for (i = 0; st == STR_OK && i < h->ndkim; i++) {
		st = report_key_add(out, h->dkim[i].domain);
		if (st == STR_OK)
			st = report_key_add(out, h->dkim[i].selector);
		if (st == STR_OK)
			st = str_printf(out, "#%d", (int)h->dkim[i].result);
		if (st == STR_OK)
			st = report_key_add(out, h->dkim[i].human);
	}
	if (st == STR_OK)
		st = str_printf(out, "#%zu", h->nspf);
	for (i = 0; st == STR_OK && i < h->nspf; i++) {
		st = report_key_add(out, h->spf[i].domain);
		if (st == STR_OK)
			st = str_printf(out, "#%d#%d", (int)h->spf[i].scope, (int)h->spf[i].result);
		if (st == STR_OK)
			st = report_key_add(out, h->spf[i].human);
	}
	return st;
}

void
report_fo_text(unsigned fo, char buf[8])
{
	size_t i, n = 0;

	for (i = 0; i < NELEM(fo_chars); i++) {
		if ((fo & (DMARC_FO_0 << i)) == 0)
			continue;
		if (n > 0)
			buf[n++] = ':';
		buf[n++] = fo_chars[i];
	}
	buf[n] = '\0';
}

bool
report_fo_parse(const char *text, unsigned *fo)
{
	char canon[8];
	unsigned v = 0;
	const char *s;
	size_t i;

	for (s = text; *s != '\0'; s++) {
		for (i = 0; i < NELEM(fo_chars) && fo_chars[i] != *s; i++)
			;
		if (i < NELEM(fo_chars))
			v |= DMARC_FO_0 << i;
		else if (*s != ':')
			return false;
	}
	report_fo_text(v, canon);
	if (strcmp(canon, text) != 0)
		return false;
	*fo = v;
	return true;
}

enum str_status
report_overrides_text(unsigned bits, struct str *out)
{
	enum str_status st = STR_OK;
	unsigned bit;

	str_reset(out);
	st = str_appends(out, "");
	for (bit = 1; st == STR_OK && bit <= OVERRIDE_ALL; bit <<= 1) {
		if ((bits & bit) == 0)
			continue;
		if (out->len > 0)
			st = str_appendc(out, ',');
		if (st == STR_OK)
			st = str_appends(out, override_name(bit));
	}
	return st;
}

bool
report_overrides_parse(const char *text, unsigned *bits)
{
	char word[32];
	const char *s = text, *comma;
	unsigned v = 0, bit;
	size_t n;

	while (*s != '\0') {
		comma = strchr(s, ',');
		n = comma != NULL ? (size_t)(comma - s) : strlen(s);
		if (n == 0 || n >= sizeof(word))
			return false;
		memcpy(word, s, n);
		word[n] = '\0';
		if (!override_from_name(word, &bit))
			return false;
		v |= bit;
		s += n;
		if (*s == ',' && *++s == '\0')
			return false;	/* a trailing comma */
	}
	*bits = v;
	return true;
}

int64_t
report_day_begin(int64_t t)
{
	return t - t % REPORT_DAY;
}

void
report_date_text(int64_t t, char buf[9])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 9, "%Y%m%d", &tm) != 8)
		snprintf(buf, 9, "%s", "00000000");
}
