/*
 * arc_override.c - the trusted_forwarder override from ARC; see
 * arc_override.h.  Called by the milter's decision step and
 * authmilter-check (through decide) and by the unit tests.  No state:
 * reentrant.
 */
#include <stdio.h>
#include <string.h>

#include "align.h"
#include "arc_override.h"
#include "authres.h"

/* The state of one check. */
struct ctx {
	const struct arc_override_input *in;
	char org_author[DOMAIN_BUFSIZE];
	int org_author_known;		/* -1 not asked yet, 0 unknown, 1 known */
};

/* is_trusted - is the sealing domain (as written) in the trusted list? */
static bool
is_trusted(const struct arc_override_input *in, const char *sealer, char *norm)
{
	size_t i;

	if (sealer == NULL || sealer[0] == '\0' ||
	    domain_normalize(sealer, strlen(sealer), norm) != DOMAIN_OK)
		return false;
	for (i = 0; i < in->ntrusted; i++)
		if (in->trusted[i] != NULL && domain_equal(in->trusted[i], norm))
			return true;
	return false;
}

/* id_domain - the domain of an identifier ("d", "@d" or "local@d"), normalised; false if none. */
static bool
id_domain(const char *value, char *out)
{
	const char *at = strrchr(value, '@');
	const char *d = at != NULL ? at + 1 : value;

	return d[0] != '\0' && domain_normalize(d, strlen(d), out) == DOMAIN_OK;
}

/* aligned - does identifier domain id align with the author domain under mode? */
static bool
aligned(struct ctx *c, enum dmarc_align mode, const char *id)
{
	const struct arc_override_input *in = c->in;
	char org_id[DOMAIN_BUFSIZE];

	if (domain_equal(id, in->author))
		return true;
	if (mode == DMARC_ALIGN_STRICT || in->org == NULL)
		return false;
	if (c->org_author_known < 0)
		c->org_author_known = in->org(in->org_ctx, in->author, c->org_author) ? 1 : 0;
	if (c->org_author_known == 0 || !in->org(in->org_ctx, id, org_id))
		return false;
	return align_check(mode, id, in->author, org_id, c->org_author);
}

/* prop_value - the value of ptype.property in r, or NULL. */
static const char *
prop_value(const struct authres_result *r, const char *ptype, const char *property)
{
	size_t i;

	for (i = 0; i < r->nprops; i++)
		if (r->props[i].ptype != NULL && strcmp(r->props[i].ptype, ptype) == 0 &&
		    strcmp(r->props[i].property, property) == 0)
			return r->props[i].value;
	return NULL;
}

/* vouches_one - does this one resinfo show a pass for the author domain?  why gets what. */
static bool
vouches_one(struct ctx *c, const struct authres_result *r, char *why, size_t whysize)
{
	static const struct { const char *method, *ptype, *property; } ids[] = {
		{ "dmarc", "header", "from" },
		{ "spf", "smtp", "mailfrom" },
		{ "dkim", "header", "d" },
		{ "dkim", "header", "i" },
	};
	char dom[DOMAIN_BUFSIZE];
	const char *v;
	bool ok;
	size_t k;

	if (strcmp(r->result, "pass") != 0)
		return false;
	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		if (strcmp(r->method, ids[k].method) != 0 ||
		    (v = prop_value(r, ids[k].ptype, ids[k].property)) == NULL || !id_domain(v, dom))
			continue;
		if (k == 0)
			ok = domain_equal(dom, c->in->author);	/* DMARC: the very domain */
		else
			ok = aligned(c, k == 1 ? c->in->spf_mode : c->in->dkim_mode, dom);
		if (ok) {
			snprintf(why, whysize, "%s=pass %s.%s=%s", r->method, ids[k].ptype,
			    ids[k].property, dom);
			return true;
		}
	}
	return false;
}

/* vouches - does the AAR text show a pass for the author domain? */
static bool
vouches(struct ctx *c, const struct arc_override_set *s, char *why, size_t whysize)
{
	struct authres_header h;
	char reason[128];
	bool yes = false;
	size_t k;

	if (s->aar == NULL || s->aar_len == 0)
		return false;
	if (authres_parse_flags(s->aar, s->aar_len, AUTHRES_LENIENT, &h, reason,
	    sizeof(reason)) == AUTHRES_OK)
		for (k = 0; k < h.nresults && !yes; k++)
			yes = vouches_one(c, &h.results[k], why, whysize);
	authres_header_free(&h);
	return yes;
}

void
arc_override_check(const struct arc_override_input *in, struct arc_override_result *out)
{
	struct ctx c;
	char sealer[DOMAIN_BUFSIZE], why[sizeof(out->why)];
	size_t k;

	memset(out, 0, sizeof(*out));
	if (!in->chain_pass || in->oldest_pass == 0 || in->ntrusted == 0 || in->author == NULL ||
	    in->author[0] == '\0')
		return;
	memset(&c, 0, sizeof(c));
	c.in = in;
	c.org_author_known = -1;
	for (k = 0; k < in->nsets; k++) {
		const struct arc_override_set *s = &in->sets[k];

		/* An instance older than oldest_pass: the message changed since. */
		if (s->i < in->oldest_pass || (out->applies && s->i <= out->i) ||
		    !is_trusted(in, s->sealer, sealer))
			continue;
		if (!vouches(&c, s, why, sizeof(why)))
			continue;
		out->applies = true;
		out->i = s->i;
		memcpy(out->sealer, sealer, sizeof(out->sealer));
		memcpy(out->why, why, sizeof(out->why));
	}
}

void
arc_override_detail(const struct arc_override_result *r, char *buf, size_t size)
{
	if (size == 0)
		return;
	buf[0] = '\0';
	if (r->applies)
		snprintf(buf, size, "arc i=%u d=%s", r->i, r->sealer);
}

bool
arc_override_apply(struct verdict *v, const struct arc_override_result *r)
{
	enum disposition was = v->disposition;

	if (!r->applies || v->result != DMARC_RES_FAIL ||
	    (was != DISP_QUARANTINE && was != DISP_REJECT))
		return false;
	v->disposition = DISP_NONE;
	v->overrides |= OVERRIDE_TRUSTED_FORWARDER;
	(void)str_printf(&v->reason,
	    "; local override (trusted_forwarder: arc i=%u d=%s, %s): %s lowered to none",
	    r->i, r->sealer, r->why, disposition_name(was));
	return true;
}
