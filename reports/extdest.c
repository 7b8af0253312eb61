/*
 * extdest.c - RFC 9990 section 4 external destination verification (see
 * extdest.h).  DNS through the project's resolver.
 */
#include <stdio.h>
#include <string.h>

#include "dmarc_record.h"
#include "extdest.h"

/* What the comparison of Organizational Domains found. */
enum org_cmp {
	ORG_SAME = 0,
	ORG_DIFFERENT,		/* different, or not determinable for good */
	ORG_UNKNOWN		/* a DNS temporary failure: not known now */
};

/* compare_orgs - are the Organizational Domains of a and b identical? */
static enum org_cmp
compare_orgs(const struct extdest_config *x, int64_t deadline, const char *a, const char *b,
    char *note, size_t notesize)
{
	struct resolver_env_ctx ctx = { x->resolver, deadline };
	struct policy_env env = resolver_policy_env(&ctx);
	char oa[DOMAIN_BUFSIZE], ob[DOMAIN_BUFSIZE];
	enum discover_status sa, sb;
	struct discover *d;

	if (domain_equal(a, b))
		return ORG_SAME;
	if ((d = discover_new(&env, x->mode, x->psl)) == NULL)
		return ORG_DIFFERENT;
	sa = discover_org_domain(d, a, oa, NULL);
	sb = discover_org_domain(d, b, ob, NULL);
	discover_free(d);
	if (sa == DISCOVER_FOUND && sb == DISCOVER_FOUND) {
		snprintf(note, notesize, "organizational domains %s and %s", oa, ob);
		return domain_equal(oa, ob) ? ORG_SAME : ORG_DIFFERENT;
	}
	snprintf(note, notesize, "organizational domain of %s not determined (%s)",
	    sa != DISCOVER_FOUND ? a : b,
	    (sa == DISCOVER_TEMPFAIL || sb == DISCOVER_TEMPFAIL) ? "DNS temporary failure" :
	    "DNS failure");
	return sa == DISCOVER_TEMPFAIL || sb == DISCOVER_TEMPFAIL ? ORG_UNKNOWN : ORG_DIFFERENT;
}

/*
 * apply_override - step 9: the rua of the confirming record (len bytes of
 * text) replaces the destination when it names the same host; any URI on
 * another host forbids sending.  Returns false (why set) to refuse.
 */
static bool
apply_override(const char *txt, size_t len, bool ruf, struct extdest_result *out)
{
	const char *tag = ruf ? "ruf" : "rua";
	const struct dmarc_uri_list *l;
	struct dmarc_record rec;
	struct rua r, first;
	char reason[160];
	bool found = false, ok = true;
	size_t i;

	memset(&first, 0, sizeof(first));
	dmarc_record_parse(txt, len, &rec, NULL, 0);
	l = ruf ? &rec.ruf : &rec.rua;
	for (i = 0; i < l->n && ok; i++) {
		enum rua_status st = rua_parse(l->v[i].uri, strlen(l->v[i].uri), &r,
		    reason, sizeof(reason));

		if (r.host[0] != '\0' && !domain_equal(r.host, out->dest.host)) {
			snprintf(out->why, sizeof(out->why), "the record at %s sends reports on to "
			    "another host (%s): not sent to either (RFC 9990 section 4)",
			    out->name, r.host);
			ok = false;
		} else if (st == RUA_OK && !found) {
			first = r;
			first.has_size = l->v[i].size_limit != 0;
			first.size_limit = l->v[i].size_limit;
			found = true;
		}
	}
	if (ok && l->n > 0 && !found) {
		snprintf(out->why, sizeof(out->why), "the record at %s overrides the destination "
		    "with no usable mailto: URI in its %s", out->name, tag);
		ok = false;
	}
	dmarc_record_free(&rec);
	if (ok && found) {
		out->overridden = !domain_equal(first.addr, out->dest.addr) ||
		    first.has_size != out->dest.has_size || first.size_limit != out->dest.size_limit;
		out->dest = first;
	}
	return ok;
}

/*
 * verify - steps 2 to 9: query the TXT records at the name; EXTDEST_OK
 * when one starts with v=DMARC1 (and the override allows it).
 */
static enum extdest_status
verify(const struct extdest_config *x, int64_t deadline, struct extdest_result *out)
{
	struct dns_txt txt;
	enum dns_rcode rc;
	enum extdest_status st = EXTDEST_REFUSED;
	size_t i;

	dns_txt_init(&txt);
	rc = resolver_txt(x->resolver, out->name, deadline, &txt, NULL);
	if (rc == DNS_TEMPFAIL) {
		snprintf(out->why, sizeof(out->why), "DNS temporary failure at %s", out->name);
		st = EXTDEST_TEMPFAIL;
	} else if (rc != DNS_OK && rc != DNS_NODATA && rc != DNS_NXDOMAIN) {
		snprintf(out->why, sizeof(out->why), "not authorized (DNS %s at %s)",
		    dns_rcode_name(rc), out->name);
	} else {
		snprintf(out->why, sizeof(out->why), "not authorized (no v=DMARC1 at %s)", out->name);
		for (i = 0; rc == DNS_OK && i < txt.n; i++) {
			if (!dmarc_record_is_dmarc(txt.rec[i].s, txt.rec[i].len))
				continue;
			snprintf(out->why, sizeof(out->why), "authorized by v=DMARC1 at %s", out->name);
			st = apply_override(txt.rec[i].s, txt.rec[i].len, x->ruf, out) ?
			    EXTDEST_OK : EXTDEST_REFUSED;
			if (st == EXTDEST_OK && out->overridden)
				snprintf(out->why, sizeof(out->why), "authorized by v=DMARC1 at %s, "
				    "whose %s names mailto:%s instead", out->name,
				    x->ruf ? "ruf" : "rua", out->dest.addr);
			break;
		}
	}
	dns_txt_free(&txt);
	return st;
}

/* query_name - "<policy-domain>._report._dmarc.<host>"; false when too long (step 4). */
static bool
query_name(const char *policy_domain, const char *host, char *out, size_t size)
{
	int n = snprintf(out, size, "%s._report._dmarc.%s", policy_domain, host);

	return n > 0 && (size_t)n < size && (size_t)n <= DOMAIN_MAX;
}

enum extdest_status
extdest_check(const struct extdest_config *x, const char *policy_domain, const struct rua *dest,
    struct extdest_result *out)
{
	int64_t deadline = resolver_now_ms() + (x->budget_ms ? x->budget_ms : 15000);
	char note[DOMAIN_BUFSIZE * 2 + 64] = "";
	enum org_cmp cmp;
	enum extdest_status st;

	memset(out, 0, sizeof(*out));
	out->dest = *dest;
	cmp = compare_orgs(x, deadline, policy_domain, dest->host, note, sizeof(note));
	if (cmp == ORG_SAME) {
		snprintf(out->why, sizeof(out->why), "same organization as %s", policy_domain);
		return EXTDEST_OK;
	}
	out->external = true;
	if (!query_name(policy_domain, dest->host, out->name, sizeof(out->name))) {
		out->name[0] = '\0';
		snprintf(out->why, sizeof(out->why), "not authorized (the name %s._report._dmarc.%s "
		    "is too long for the DNS)", policy_domain, dest->host);
		return EXTDEST_REFUSED;
	}
	st = verify(x, deadline, out);
	if (st == EXTDEST_REFUSED && cmp == ORG_UNKNOWN) {
		/* Not authorized by a record, but perhaps not external at all. */
		snprintf(out->why, sizeof(out->why), "%s, and %s", "not authorized by a record", note);
		return EXTDEST_TEMPFAIL;
	}
	return st;
}

const char *
extdest_status_name(enum extdest_status st)
{
	switch (st) {
	case EXTDEST_OK:
		return "ok";
	case EXTDEST_REFUSED:
		return "refused";
	case EXTDEST_TEMPFAIL:
		return "tempfail";
	}
	return "?";
}
