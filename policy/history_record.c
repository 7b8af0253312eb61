/*
 * history_record.c - history records as data (see history.h): init and
 * free, the record of a verdict (history_record_from_verdict, a deep copy
 * of the published policy and of the DKIM and SPF results that name a
 * domain), and field-by-field equality.  Called by the milter, the report
 * tool and the tests; the line codec is history.c.
 * Pure computation; reentrant (no static mutable state).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"

_Static_assert(HISTORY_MAX_DKIM >= VERDICT_MAX_DKIM, "history holds every verdict DKIM result");
_Static_assert(HISTORY_MAX_SPF >= VERDICT_MAX_SPF, "history holds every verdict SPF result");

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
