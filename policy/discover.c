/*
 * discover.c - DMARC policy discovery and organizational domains: the
 * RFC 9989 DNS tree walk (section 4.10) and the legacy RFC 7489 public
 * suffix list mode.  Called by verdict.c (and the tests).  Every DNS query
 * goes through the policy_env txt callback and is remembered in the
 * struct discover, so one evaluation asks for each _dmarc name at most once
 * (temporary failures are remembered too).  A struct discover belongs to
 * one thread.
 *
 * Readings of RFC 9989 made here:
 *  - Every TXT record starting with v=DMARC1 counts as "a DMARC Policy
 *    Record at that name" for the several-records rule (4.10 steps 2 and 6),
 *    even one dmarc_record_parse() finds UNUSABLE: two v=DMARC1 records at
 *    one name discard both, as if there were none.
 *  - A single v=DMARC1 record, usable or not, takes part in the walk (its
 *    psd tag stops it) and in the organizational-domain selection of 4.10.2:
 *    a PSO's "v=DMARC1; psd=y" carries no p and no rua, yet it is exactly the
 *    record 4.10.2 rule 2 is about.
 *  - Only a usable record (DMARC_RECORD_OK) can be the policy record; an
 *    unusable one counts as "no valid DMARC Policy Record" there (4.10.1),
 *    and discovery goes on to the organizational domain and the PSD.
 *  - A DNS answer that is not NXDOMAIN/NODATA/records (a temporary or
 *    permanent failure) is never read as "no record".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"

/* What one _dmarc name holds, after the filtering of 4.10 step 2. */
enum rec_class {
	REC_NONE = 0,	/* no v=DMARC1 record (or NXDOMAIN/NODATA) */
	REC_MULTIPLE,	/* several v=DMARC1 records: all discarded */
	REC_UNUSABLE,	/* one v=DMARC1 record without usable policy */
	REC_VALID	/* one usable DMARC policy record */
};

#define WHY_SIZE 160

/* One remembered answer. */
struct memo {
	char name[DOMAIN_BUFSIZE];	/* the domain (without _dmarc.) */
	enum dns_rcode rc;
	enum dns_sec sec;
	enum rec_class cls;
	struct dmarc_record rec;	/* parsed for REC_UNUSABLE and REC_VALID */
	char why[WHY_SIZE];		/* the parser's reason for REC_UNUSABLE */
};

struct discover {
	const struct policy_env *env;
	enum org_mode mode;
	const struct psl *psl;
	size_t nqueries;		/* real txt calls */
	size_t n, cap;
	struct memo **memo;
};

/* One step of a walk: the name (a suffix of the start) and its answer. */
struct walk_hit {
	const char *name;
	const struct memo *m;
};

struct walk_state {
	size_t n;
	struct walk_hit hit[DISCOVER_MAX_QUERIES];
};

const char *
org_mode_name(enum org_mode mode)
{
	return mode == ORG_MODE_PSL ? "psl" : "treewalk";
}

struct discover *
discover_new(const struct policy_env *env, enum org_mode mode, const struct psl *psl)
{
	struct discover *d;

	if (env == NULL || (mode == ORG_MODE_PSL && psl == NULL))
		return NULL;
	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->env = env;
	d->mode = mode;
	d->psl = psl;
	return d;
}

void
discover_free(struct discover *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		if (d->memo[i]->cls == REC_VALID || d->memo[i]->cls == REC_UNUSABLE)
			dmarc_record_free(&d->memo[i]->rec);
		free(d->memo[i]);
	}
	free(d->memo);
	free(d);
}

size_t
discover_query_count(const struct discover *d)
{
	return d != NULL ? d->nqueries : 0;
}

void
discover_policy_free(struct discover_policy *out)
{
	dmarc_record_free(&out->record);
	memset(&out->record, 0, sizeof(out->record));
}

/* copy_name - copy a name that is known to fit DOMAIN_BUFSIZE. */
static void
copy_name(char *dst, const char *src)
{
	size_t len = strlen(src);

	if (len > DOMAIN_MAX)
		len = 0;	/* cannot happen: callers check the input length */
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* classify - apply 4.10 step 2 to one answer and parse the survivor. */
static enum discover_status
classify(struct memo *m, const struct dns_txt *txt)
{
	size_t i, count = 0, idx = 0;
	enum dmarc_record_status st;

	for (i = 0; i < txt->n; i++) {
		if (dmarc_record_is_dmarc(str_cstr(&txt->rec[i]), txt->rec[i].len)) {
			count++;
			idx = i;
		}
	}
	if (count != 1) {
		m->cls = count == 0 ? REC_NONE : REC_MULTIPLE;
		return DISCOVER_FOUND;
	}
	st = dmarc_record_parse(str_cstr(&txt->rec[idx]), txt->rec[idx].len,
	    &m->rec, m->why, sizeof(m->why));
	switch (st) {
	case DMARC_RECORD_OK:
		m->cls = REC_VALID;
		return DISCOVER_FOUND;
	case DMARC_RECORD_UNUSABLE:
		m->cls = REC_UNUSABLE;
		return DISCOVER_FOUND;
	case DMARC_RECORD_NOT_DMARC:
		dmarc_record_free(&m->rec);
		m->cls = REC_NONE;
		return DISCOVER_FOUND;
	case DMARC_RECORD_NOMEM:
		break;
	}
	dmarc_record_free(&m->rec);
	return DISCOVER_NOMEM;
}

/* fetch - query _dmarc.<m->name> through the environment. */
static enum discover_status
fetch(struct discover *d, struct memo *m)
{
	char qname[DOMAIN_BUFSIZE + 8];
	struct dns_txt txt;
	enum discover_status st = DISCOVER_FOUND;
	int n;

	m->cls = REC_NONE;
	m->sec = DNS_SEC_INSECURE;
	n = snprintf(qname, sizeof(qname), "_dmarc.%s", m->name);
	if (n < 0 || (size_t)n > DOMAIN_MAX) {
		/* Not a name the DNS can hold: no record can be there. */
		m->rc = DNS_NXDOMAIN;
		return DISCOVER_FOUND;
	}
	dns_txt_init(&txt);
	m->rc = d->env->txt(d->env->ctx, qname, &txt, &m->sec);
	d->nqueries++;
	if (m->rc == DNS_OK)
		st = classify(m, &txt);
	dns_txt_free(&txt);
	return st;
}

/* answer_status - what a remembered answer means for the walk. */
static enum discover_status
answer_status(const struct memo *m)
{
	if (m->rc == DNS_TEMPFAIL)
		return DISCOVER_TEMPFAIL;
	if (m->rc == DNS_PERMFAIL)
		return DISCOVER_PERMFAIL;
	return DISCOVER_FOUND;
}

/* memo_add - remember one new answer; DISCOVER_NOMEM when the table cannot grow. */
static enum discover_status
memo_add(struct discover *d, struct memo *m)
{
	struct memo **grown;
	size_t cap;

	if (d->n == d->cap) {
		cap = d->cap == 0 ? 16 : d->cap * 2;
		grown = realloc(d->memo, cap * sizeof(*grown));
		if (grown == NULL)
			return DISCOVER_NOMEM;
		d->memo = grown;
		d->cap = cap;
	}
	d->memo[d->n++] = m;
	return DISCOVER_FOUND;
}

/*
 * lookup - the answer for _dmarc.<name>, from memory or the DNS.  Returns
 * FOUND when an answer (possibly "no record") is known, TEMPFAIL/PERMFAIL
 * when the DNS failed, NOMEM.
 */
static enum discover_status
lookup(struct discover *d, const char *name, const struct memo **out)
{
	struct memo *m;
	enum discover_status st;
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (domain_equal(d->memo[i]->name, name)) {
			*out = d->memo[i];
			return answer_status(*out);
		}
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return DISCOVER_NOMEM;
	copy_name(m->name, name);
	if ((st = fetch(d, m)) != DISCOVER_FOUND || memo_add(d, m) != DISCOVER_FOUND) {
		if (st == DISCOVER_FOUND && (m->cls == REC_VALID || m->cls == REC_UNUSABLE))
			dmarc_record_free(&m->rec);
		free(m);
		return DISCOVER_NOMEM;
	}
	*out = m;
	return answer_status(m);
}

/* has_record - a single v=DMARC1 record is at this name (usable or not). */
static bool
has_record(const struct memo *m)
{
	return m->cls == REC_VALID || m->cls == REC_UNUSABLE;
}

/* walk_log - note one logical query. */
static void
walk_log(struct discover_walk *log, const char *name)
{
	if (log == NULL || log->nqueries >= DISCOVER_MAX_QUERIES)
		return;
	snprintf(log->queries[log->nqueries++], sizeof(log->queries[0]), "_dmarc.%s", name);
}

/* next_target - 4.10 steps 4 and 7: the next name, or NULL after the TLD. */
static const char *
next_target(const char *target)
{
	size_t labels = domain_labels(target);

	if (labels <= 1)
		return NULL;
	if (labels > DISCOVER_SHORTCUT_LABELS)
		return domain_suffix(target, DISCOVER_SHORTCUT_LABELS);
	return domain_parent(target);
}

/*
 * tree_walk - RFC 9989 4.10 from start: query, stop at a single record with
 * psd=y or psd=n, at the TLD, or after DISCOVER_MAX_QUERIES.  ws holds the
 * answers up to (not including) a failed query.
 */
static enum discover_status
tree_walk(struct discover *d, const char *start, struct walk_state *ws,
    struct discover_walk *log)
{
	const char *target = start;
	const struct memo *m;
	enum discover_status st;

	ws->n = 0;
	if (log != NULL)
		log->nqueries = 0;
	while (target != NULL && *target != '\0' && ws->n < DISCOVER_MAX_QUERIES) {
		walk_log(log, target);
		if ((st = lookup(d, target, &m)) != DISCOVER_FOUND)
			return st;
		ws->hit[ws->n].name = target;
		ws->hit[ws->n].m = m;
		ws->n++;
		if (has_record(m) && m->rec.psd != DMARC_PSD_U)
			break;
		target = next_target(target);
	}
	return DISCOVER_FOUND;
}

/* select_org - 4.10.2: the organizational domain among a walk's records. */
static const char *
select_org(const char *start, const struct walk_state *ws)
{
	const char *fewest = NULL;
	const struct memo *m;
	size_t i;

	for (i = 0; i < ws->n; i++) {
		m = ws->hit[i].m;
		if (!has_record(m))
			continue;
		if (m->rec.psd == DMARC_PSD_N)
			return ws->hit[i].name;
		if (m->rec.psd == DMARC_PSD_Y && i > 0)
			return domain_suffix(start, domain_labels(ws->hit[i].name) + 1);
		fewest = ws->hit[i].name;
	}
	return fewest != NULL ? fewest : start;
}

/* check_name - is name usable as a start (non-empty, fits a buffer)? */
static bool
check_name(const char *name)
{
	return name != NULL && *name != '\0' && strlen(name) <= DOMAIN_MAX;
}

/* psl_org - the RFC 7489 organizational domain (the name itself for a public suffix). */
static const char *
psl_org(const struct discover *d, const char *name)
{
	const char *org = NULL;

	if (psl_org_domain(d->psl, name, &org) != PSL_OK || org == NULL)
		return name;
	return org;
}

enum discover_status
discover_org_domain(struct discover *d, const char *name, char *org,
    struct discover_walk *walk)
{
	struct walk_state ws;
	enum discover_status st;

	org[0] = '\0';
	if (walk != NULL)
		walk->nqueries = 0;
	if (!check_name(name))
		return DISCOVER_NONE;
	if (d->mode == ORG_MODE_PSL) {
		copy_name(org, psl_org(d, name));
		return DISCOVER_FOUND;
	}
	if ((st = tree_walk(d, name, &ws, walk)) != DISCOVER_FOUND)
		return st;
	copy_name(org, select_org(name, &ws));
	return DISCOVER_FOUND;
}

/* say_failure - the reason for a failed query. */
static void
say_failure(enum discover_status st, const struct discover_walk *walk,
    char *reason, size_t reasonsize)
{
	const char *q = walk->nqueries > 0 ? walk->queries[walk->nqueries - 1] : "?";

	if (st == DISCOVER_NOMEM)
		snprintf(reason, reasonsize, "out of memory");
	else
		snprintf(reason, reasonsize, "DNS %s failure looking up %s",
		    st == DISCOVER_TEMPFAIL ? "temporary" : "permanent", q);
}

/* say_none - why no record applies, naming the most telling answer. */
static void
say_none(const struct walk_state *ws, const char *author, char *reason, size_t reasonsize)
{
	size_t i;

	for (i = 0; i < ws->n; i++) {
		if (ws->hit[i].m->cls == REC_MULTIPLE) {
			snprintf(reason, reasonsize, "several DMARC records at _dmarc.%s, all discarded",
			    ws->hit[i].name);
			return;
		}
		if (ws->hit[i].m->cls == REC_UNUSABLE) {
			snprintf(reason, reasonsize, "DMARC record at _dmarc.%s unusable: %s",
			    ws->hit[i].name, ws->hit[i].m->why);
			return;
		}
	}
	snprintf(reason, reasonsize, "no DMARC policy record for %s", author);
}

/* pick_policy - 4.10.1: the author's record, else the org domain's, else the PSD's. */
static const struct walk_hit *
pick_policy(const struct walk_state *ws, const char *org)
{
	size_t i;

	if (ws->n > 0 && ws->hit[0].m->cls == REC_VALID)
		return &ws->hit[0];
	for (i = 1; i < ws->n; i++)
		if (ws->hit[i].m->cls == REC_VALID && domain_equal(ws->hit[i].name, org))
			return &ws->hit[i];
	for (i = 1; i < ws->n; i++)
		if (ws->hit[i].m->cls == REC_VALID && ws->hit[i].m->rec.psd == DMARC_PSD_Y)
			return &ws->hit[i];
	return NULL;
}

/* use_record - fill out from the chosen answer. */
static enum discover_status
use_record(struct discover_policy *out, const struct walk_hit *h)
{
	copy_name(out->policy_domain, h->name);
	out->sec = h->m->sec;
	if (dmarc_record_copy(&out->record, &h->m->rec) != 0) {
		memset(&out->record, 0, sizeof(out->record));
		return DISCOVER_NOMEM;
	}
	return DISCOVER_FOUND;
}

/* policy_treewalk - RFC 9989 4.10.1 for one author domain. */
static enum discover_status
policy_treewalk(struct discover *d, const char *author, struct discover_policy *out,
    char *reason, size_t reasonsize)
{
	struct walk_state ws;
	const struct walk_hit *h;
	enum discover_status st;

	st = tree_walk(d, author, &ws, &out->walk);
	if (st != DISCOVER_FOUND) {
		/* The author's own record stands even when the walk above it failed. */
		if (st != DISCOVER_NOMEM && ws.n > 0 && ws.hit[0].m->cls == REC_VALID)
			return use_record(out, &ws.hit[0]);
		say_failure(st, &out->walk, reason, reasonsize);
		return st;
	}
	copy_name(out->org_domain, select_org(author, &ws));
	if ((h = pick_policy(&ws, out->org_domain)) == NULL) {
		say_none(&ws, author, reason, reasonsize);
		return DISCOVER_NONE;
	}
	return use_record(out, h);
}

/* psl_step - one RFC 7489 query; ws gets the answer. */
static enum discover_status
psl_step(struct discover *d, const char *name, struct walk_state *ws, struct discover_policy *out)
{
	const struct memo *m;
	enum discover_status st;

	walk_log(&out->walk, name);
	if ((st = lookup(d, name, &m)) != DISCOVER_FOUND)
		return st;
	ws->hit[ws->n].name = name;
	ws->hit[ws->n].m = m;
	ws->n++;
	return DISCOVER_FOUND;
}

/*
 * policy_psl - RFC 7489 6.6.3: the author's record; only when there is no
 * DMARC record at all there, the organizational domain's.  Several records
 * or an unusable one end discovery (steps 5 and 6).
 */
static enum discover_status
policy_psl(struct discover *d, const char *author, struct discover_policy *out,
    char *reason, size_t reasonsize)
{
	struct walk_state ws;
	const char *org = psl_org(d, author);
	enum discover_status st;

	ws.n = 0;
	copy_name(out->org_domain, org);
	if ((st = psl_step(d, author, &ws, out)) == DISCOVER_FOUND &&
	    ws.hit[0].m->cls == REC_NONE && !domain_equal(org, author))
		st = psl_step(d, org, &ws, out);
	if (st != DISCOVER_FOUND) {
		say_failure(st, &out->walk, reason, reasonsize);
		return st;
	}
	if (ws.hit[ws.n - 1].m->cls != REC_VALID) {
		say_none(&ws, author, reason, reasonsize);
		return DISCOVER_NONE;
	}
	return use_record(out, &ws.hit[ws.n - 1]);
}

enum discover_status
discover_policy(struct discover *d, const char *author, struct discover_policy *out,
    char *reason, size_t reasonsize)
{
	memset(out, 0, sizeof(*out));
	out->mode = d->mode;
	if (reasonsize > 0)
		reason[0] = '\0';
	if (!check_name(author)) {
		snprintf(reason, reasonsize, "no usable author domain");
		return DISCOVER_NONE;
	}
	copy_name(out->author_domain, author);
	if (d->mode == ORG_MODE_PSL)
		return policy_psl(d, author, out, reason, reasonsize);
	return policy_treewalk(d, author, out, reason, reasonsize);
}
