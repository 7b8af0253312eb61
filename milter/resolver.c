/*
 * resolver.c - the milter's DNS resolver over libunbound (see resolver.h).
 *
 * Called by the SPF and DKIM adapters and, through resolver_policy_env(), by
 * the policy library, from every libmilter thread at once.
 *
 * Threading: one ub_ctx in threaded async mode.  Queries are started with
 * ub_resolve_async(); results arrive on ub_fd() and are delivered by
 * ub_process(), which runs the callbacks of ALL threads' queries.  So at most
 * one waiting thread (the "poller") polls ub_fd() at a time; it calls
 * ub_process() with r->mu held, then wakes the others through r->cv.  The
 * other threads sleep on r->cv until their query is done, their deadline
 * passes, or the poller steps down and one of them takes over.  Because
 * callbacks only run under r->mu, a query seen not done under r->mu can be
 * cancelled safely (its callback will never run).
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <unbound.h>

#include "dnscache.h"
#include "resolver.h"

#define DEFAULT_TIMEOUT_MS 5000
#define ZONE_LINE_MAX 65536

struct resolver {
	struct ub_ctx *ub;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool polling;		/* a thread is in poll() on ub_fd() */
	unsigned timeout_ms;
	bool zone_mode;
	bool zone_timeout_waits;
	char **timeout_names;	/* zone mode: names that time out */
	size_t n_timeout;
	void (*trace)(const char *, int, const struct resolver_answer *, int64_t);
	struct dnscache *cache;	/* real DNS only */
	struct resolver_stats *stats;	/* NULL: not counted */
};

/* One query in flight; freed by the waiter, or by the callback if abandoned. */
struct query {
	bool done;
	bool abandoned;
	int err;
	int id;
	struct ub_result *result;
};

/* set_err - format a reason into err (may be NULL). */
static void
set_err(char *err, size_t errsize, const char *what, const char *detail)
{
	if (err != NULL && errsize > 0)
		snprintf(err, errsize, "%s%s%s", what,
		    detail != NULL ? ": " : "", detail != NULL ? detail : "");
}

int64_t
resolver_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ms_to_timespec - a monotonic-ms instant as an absolute timespec. */
static struct timespec
ms_to_timespec(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	return ts;
}

/* canon_name - lower-case name without a trailing dot into buf; -1 if too long. */
static int
canon_name(const char *name, char *buf, size_t bufsize)
{
	size_t n = strlen(name);
	size_t i;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n >= bufsize)
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = (char)tolower((unsigned char)name[i]);
	buf[n] = '\0';
	return 0;
}

/* ------------------------------------------------------------ zone file */

/* add_timeout_name - remember that queries for owner time out. */
static int
add_timeout_name(struct resolver *r, const char *owner)
{
	char buf[256];
	char **v;

	if (canon_name(owner, buf, sizeof(buf)) != 0)
		return -1;
	v = realloc(r->timeout_names, (r->n_timeout + 1) * sizeof(*v));
	if (v == NULL)
		return -1;
	r->timeout_names = v;
	v[r->n_timeout] = strdup(buf);
	if (v[r->n_timeout] == NULL)
		return -1;
	r->n_timeout++;
	return 0;
}

/* is_timeout_name - is name one of the zone file's TIMEOUT names? */
static bool
is_timeout_name(const struct resolver *r, const char *name)
{
	char buf[256];
	size_t i;

	if (canon_name(name, buf, sizeof(buf)) != 0)
		return false;
	for (i = 0; i < r->n_timeout; i++)
		if (strcmp(r->timeout_names[i], buf) == 0)
			return true;
	return false;
}

/* strip_comment - cut line at a ';' outside quotes, and trailing space. */
static void
strip_comment(char *line)
{
	bool quoted = false;
	char *p;
	size_t n;

	for (p = line; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		else if (*p == '"')
			quoted = !quoted;
		else if (*p == ';' && !quoted) {
			*p = '\0';
			break;
		}
	}
	n = strlen(line);
	while (n > 0 && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
}

/*
 * timeout_record - does the record's type field (after owner, optional TTL
 * and class) say TIMEOUT?  rest is the text after the owner.
 */
static bool
timeout_record(const char *rest)
{
	char tok[16];
	int used;

	for (;;) {
		while (isspace((unsigned char)*rest))
			rest++;
		if (sscanf(rest, "%15s%n", tok, &used) != 1)
			return false;
		if (isdigit((unsigned char)tok[0]) || strcasecmp(tok, "IN") == 0) {
			rest += used;
			continue;
		}
		return strcasecmp(tok, "TIMEOUT") == 0;
	}
}

/* zone_line - load one stripped record line; prev holds the last owner. */
static int
zone_line(struct resolver *r, const char *line, char *prev, size_t prevsize,
    char *why, size_t whysize)
{
	char rec[ZONE_LINE_MAX + 300];
	size_t olen;
	int rc;

	if (isspace((unsigned char)line[0])) {
		if (prev[0] == '\0') {
			set_err(why, whysize, "record without owner", NULL);
			return -1;
		}
		snprintf(rec, sizeof(rec), "%s%s", prev, line);
	} else {
		olen = strcspn(line, " \t");
		if (olen >= prevsize) {
			set_err(why, whysize, "owner name too long", NULL);
			return -1;
		}
		memcpy(prev, line, olen);
		prev[olen] = '\0';
		snprintf(rec, sizeof(rec), "%s", line);
	}
	if (timeout_record(rec + strlen(prev))) {
		if (add_timeout_name(r, prev) != 0) {
			set_err(why, whysize, "bad TIMEOUT name", NULL);
			return -1;
		}
		return 0;
	}
	rc = ub_ctx_data_add(r->ub, rec);
	if (rc != 0) {
		set_err(why, whysize, "bad record", ub_strerror(rc));
		return -1;
	}
	return 0;
}

/* load_zone - make path the only DNS data of r. */
static int
load_zone(struct resolver *r, const char *path, char *err, size_t errsize)
{
	char line[ZONE_LINE_MAX], prev[256] = "", why[128];
	unsigned lineno = 0;
	FILE *fp;
	int rc;

	rc = ub_ctx_zone_add(r->ub, ".", "static");
	if (rc != 0) {
		set_err(err, errsize, "local-zone", ub_strerror(rc));
		return -1;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		set_err(err, errsize, path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		strip_comment(line);
		if (line[strspn(line, " \t")] == '\0' ||
		    strncasecmp(line, "$TTL", 4) == 0)
			continue;
		if (line[0] == '$')
			set_err(why, sizeof(why), "directive not supported "
			    "(use absolute names)", NULL);
		if (line[0] == '$' ||
		    zone_line(r, line, prev, sizeof(prev), why, sizeof(why))) {
			if (err != NULL && errsize > 0)
				snprintf(err, errsize, "%s:%u: %s", path,
				    lineno, why);
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

/* ------------------------------------------------------------ setup */

/* set_opt - ub_ctx_set_option with an error message. */
static int
set_opt(struct resolver *r, const char *opt, const char *val, char *err,
    size_t errsize)
{
	int rc = ub_ctx_set_option(r->ub, opt, val);

	if (rc != 0) {
		set_err(err, errsize, opt, ub_strerror(rc));
		return -1;
	}
	return 0;
}

/* setup_upstream - zone file, forwarders, recursion or resolv.conf. */
static int
setup_upstream(struct resolver *r, const struct resolver_config *cfg,
    char *err, size_t errsize)
{
	size_t i;
	int rc;

	if (cfg->zone_file != NULL)
		return load_zone(r, cfg->zone_file, err, errsize);
	if (cfg->n_nameservers > RESOLVER_MAX_NAMESERVERS) {
		set_err(err, errsize, "too many nameservers", NULL);
		return -1;
	}
	for (i = 0; i < cfg->n_nameservers; i++) {
		rc = ub_ctx_set_fwd(r->ub, cfg->nameservers[i]);
		if (rc != 0) {
			set_err(err, errsize, cfg->nameservers[i],
			    ub_strerror(rc));
			return -1;
		}
	}
	if (cfg->n_nameservers > 0)
		return set_opt(r, "do-not-query-localhost:", "no", err,
		    errsize);
	if (cfg->recursive)
		return 0;
	rc = ub_ctx_resolvconf(r->ub, "/etc/resolv.conf");
	if (rc != 0) {
		set_err(err, errsize, "/etc/resolv.conf", ub_strerror(rc));
		return -1;
	}
	return 0;
}

/* setup_ctx - everything about the ub_ctx but the upstream. */
static int
setup_ctx(struct resolver *r, const struct resolver_config *cfg, char *err,
    size_t errsize)
{
	int rc;

	rc = ub_ctx_async(r->ub, 1);
	if (rc != 0) {
		set_err(err, errsize, "ub_ctx_async", ub_strerror(rc));
		return -1;
	}
	/* val-log-level 2 fills why_bogus for the reason strings. */
	if (set_opt(r, "val-log-level:", "2", err, errsize) != 0)
		return -1;
	if (cfg->trust_anchor_file != NULL) {
		rc = ub_ctx_add_ta_file(r->ub, cfg->trust_anchor_file);
		if (rc != 0) {
			set_err(err, errsize, cfg->trust_anchor_file,
			    ub_strerror(rc));
			return -1;
		}
	}
	return setup_upstream(r, cfg, err, errsize);
}

/* init_sync - the mutex and the monotonic condition variable. */
static int
init_sync(struct resolver *r)
{
	pthread_condattr_t ca;
	int rc;

	if (pthread_mutex_init(&r->mu, NULL) != 0)
		return -1;
	if (pthread_condattr_init(&ca) != 0)
		goto fail_mu;
	rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&r->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (rc == 0)
		return 0;
fail_mu:
	pthread_mutex_destroy(&r->mu);
	return -1;
}

struct resolver *
resolver_new(const struct resolver_config *cfg, char *err, size_t errsize)
{
	struct resolver *r;

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		set_err(err, errsize, "out of memory", NULL);
		return NULL;
	}
	if (init_sync(r) != 0) {
		free(r);
		set_err(err, errsize, "pthread init failed", NULL);
		return NULL;
	}
	r->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS;
	r->zone_mode = cfg->zone_file != NULL;
	r->zone_timeout_waits = cfg->zone_timeout_waits;
	r->trace = cfg->trace;
	r->stats = cfg->stats;
	r->ub = ub_ctx_create();
	if (r->ub == NULL) {
		set_err(err, errsize, "ub_ctx_create failed", NULL);
		resolver_free(r);
		return NULL;
	}
	if (setup_ctx(r, cfg, err, errsize) != 0) {
		resolver_free(r);
		return NULL;
	}
	if (!r->zone_mode && (r->cache = dnscache_new(DNSCACHE_DEFAULT_ENTRIES)) == NULL) {
		set_err(err, errsize, "out of memory", NULL);
		resolver_free(r);
		return NULL;
	}
	return r;
}

void
resolver_free(struct resolver *r)
{
	size_t i;

	if (r == NULL)
		return;
	if (r->ub != NULL)
		ub_ctx_delete(r->ub);
	dnscache_free(r->cache);
	for (i = 0; i < r->n_timeout; i++)
		free(r->timeout_names[i]);
	free(r->timeout_names);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

/* ------------------------------------------------------------ lookups */

/* count - one more in a counter of r's stats (when counted). */
#define count(r, field) do { \
	if ((r)->stats != NULL) \
		__atomic_add_fetch(&(r)->stats->field, 1, __ATOMIC_RELAXED); \
} while (0)

/* query_done - libunbound callback, run inside ub_process() under r->mu. */
static void
query_done(void *arg, int err, struct ub_result *result)
{
	struct query *q = arg;

	if (q->abandoned) {
		if (result != NULL)
			ub_resolve_free(result);
		free(q);
		return;
	}
	q->err = err;
	q->result = result;
	q->done = true;
}

/* poll_once - as the poller: wait on ub_fd() until deadline, then process. */
static void
poll_once(struct resolver *r, int64_t deadline)
{
	struct pollfd pfd;
	int64_t left = deadline - resolver_now_ms();
	int n;

	r->polling = true;
	pthread_mutex_unlock(&r->mu);
	pfd.fd = ub_fd(r->ub);
	pfd.events = POLLIN;
	pfd.revents = 0;
	n = poll(&pfd, 1, left > 0 ? (int)(left > 60000 ? 60000 : left) : 0);
	pthread_mutex_lock(&r->mu);
	if (n > 0)
		ub_process(r->ub);
	r->polling = false;
	pthread_cond_broadcast(&r->cv);
}

/* wait_query - wait until q is done or deadline passes; r->mu held. */
static void
wait_query(struct resolver *r, struct query *q, int64_t deadline)
{
	struct timespec ts = ms_to_timespec(deadline);

	while (!q->done && resolver_now_ms() < deadline) {
		if (!r->polling)
			poll_once(r, deadline);
		else
			pthread_cond_timedwait(&r->cv, &r->mu, &ts);
	}
}

/* fill_answer - map a finished query into out. */
static void
fill_answer(struct resolver *r, const struct query *q, struct resolver_answer *out)
{
	const struct ub_result *res = q->result;

	if (q->err != 0 || res == NULL) {
		count(r, errors);
		out->rcode = DNS_TEMPFAIL;
		set_err(out->reason, sizeof(out->reason), "resolver error",
		    ub_strerror(q->err));
		return;
	}
	out->priv_ = q->result;
	out->sec = res->secure ? DNS_SEC_SECURE :
	    res->bogus ? DNS_SEC_BOGUS : DNS_SEC_INSECURE;
	if (res->bogus) {
		count(r, bogus);
		out->rcode = DNS_TEMPFAIL;
		set_err(out->reason, sizeof(out->reason), "DNSSEC bogus",
		    res->why_bogus);
		return;
	}
	switch (res->rcode) {
	case 0:
		out->rcode = res->havedata ? DNS_OK : DNS_NODATA;
		break;
	case 3:
		out->rcode = DNS_NXDOMAIN;
		break;
	case 1: case 4: case 5:
		count(r, errors);
		out->rcode = DNS_PERMFAIL;
		break;
	default:
		count(r, servfail);
		out->rcode = DNS_TEMPFAIL;
		break;
	}
	if (out->rcode == DNS_OK) {
		for (out->n = 0; res->data[out->n] != NULL; out->n++)
			continue;
		out->data = (const unsigned char *const *)res->data;
		out->len = res->len;
	} else if (out->rcode == DNS_NODATA)
		set_err(out->reason, sizeof(out->reason), "no record of the type",
		    NULL);
	else if (out->rcode == DNS_NXDOMAIN)
		set_err(out->reason, sizeof(out->reason), "no such name", NULL);
	else
		snprintf(out->reason, sizeof(out->reason), "DNS rcode %d",
		    res->rcode);
}

/* effective_deadline - the caller's deadline capped by the per-query timeout. */
static int64_t
effective_deadline(const struct resolver *r, int64_t deadline)
{
	int64_t cap = resolver_now_ms() + r->timeout_ms;

	return (deadline <= 0 || deadline > cap) ? cap : deadline;
}

/* zone_timeout - a TIMEOUT name of the zone file: fail like a timeout. */
static enum dns_rcode
zone_timeout(const struct resolver *r, int64_t deadline,
    struct resolver_answer *out)
{
	int64_t left;

	while (r->zone_timeout_waits &&
	    (left = deadline - resolver_now_ms()) > 0)
		poll(NULL, 0, (int)left);
	out->rcode = DNS_TEMPFAIL;
	set_err(out->reason, sizeof(out->reason), "timeout (zone file)", NULL);
	return out->rcode;
}

/* run_query - start, wait for, and cancel or map one query. */
static enum dns_rcode
run_query(struct resolver *r, const char *name, int rrtype, int64_t deadline,
    struct resolver_answer *out)
{
	struct query *q = calloc(1, sizeof(*q));
	int rc;

	if (q == NULL) {
		set_err(out->reason, sizeof(out->reason), "out of memory", NULL);
		return out->rcode = DNS_TEMPFAIL;
	}
	count(r, queries);
	pthread_mutex_lock(&r->mu);
	rc = ub_resolve_async(r->ub, name, rrtype, 1, q, query_done, &q->id);
	if (rc != 0) {
		pthread_mutex_unlock(&r->mu);
		free(q);
		count(r, errors);
		set_err(out->reason, sizeof(out->reason), "resolve",
		    ub_strerror(rc));
		return out->rcode = DNS_TEMPFAIL;
	}
	wait_query(r, q, deadline);
	if (!q->done) {
		if (ub_cancel(r->ub, q->id) != 0)
			q->abandoned = true;	/* callback frees it */
		pthread_mutex_unlock(&r->mu);
		if (!q->abandoned)
			free(q);
		count(r, timeouts);
		set_err(out->reason, sizeof(out->reason), "timeout", NULL);
		return out->rcode = DNS_TEMPFAIL;
	}
	pthread_mutex_unlock(&r->mu);
	fill_answer(r, q, out);
	free(q);
	return out->rcode;
}

/*
 * resolver_wire_name - the uncompressed wire name at d[off..len) as dotted text
 * (no trailing dot, "" for the root).  -1 when malformed.
 */
int
resolver_wire_name(const unsigned char *d, size_t len, size_t off, char *out,
    size_t outsize)
{
	size_t n = 0, l;

	for (;;) {
		if (off >= len)
			return -1;
		l = d[off++];
		if (l == 0)
			break;
		if (l > 63 || l > len - off || n + l + 2 > outsize)
			return -1;
		if (n > 0)
			out[n++] = '.';
		memcpy(out + n, d + off, l);
		n += l;
		off += l;
	}
	out[n] = '\0';
	return 0;
}

/*
 * zone_lookup - a query in zone-file mode.  libunbound's local data does not
 * chase CNAMEs for other types, so follow them here (at most
 * RESOLVER_CNAME_HOPS links), as a real resolver would.
 */
static enum dns_rcode
zone_lookup(struct resolver *r, const char *name, int rrtype, int64_t deadline,
    struct resolver_answer *out)
{
	char cur[256], next[256];
	enum dns_rcode rc;
	int hops;

	snprintf(cur, sizeof(cur), "%s", name);
	for (hops = 0; hops <= RESOLVER_CNAME_HOPS; hops++) {
		if (is_timeout_name(r, cur))
			return zone_timeout(r, deadline, out);
		rc = run_query(r, cur, rrtype, deadline, out);
		if (rc != DNS_NODATA || rrtype == RESOLVER_T_CNAME)
			return rc;
		resolver_answer_free(out);
		rc = run_query(r, cur, RESOLVER_T_CNAME, deadline, out);
		if (rc != DNS_OK || out->n == 0 ||
		    resolver_wire_name(out->data[0], out->len[0], 0, next, sizeof(next)) != 0 ||
		    next[0] == '\0') {
			resolver_answer_free(out);
			return run_query(r, cur, rrtype, deadline, out);
		}
		resolver_answer_free(out);
		memcpy(cur, next, sizeof(cur));
	}
	memset(out, 0, sizeof(*out));
	set_err(out->reason, sizeof(out->reason), "CNAME chain too long", name);
	return out->rcode = DNS_PERMFAIL;
}

/* cache_lookup - fill out from the answer cache; false on a miss. */
static bool
cache_lookup(struct resolver *r, const char *name, int rrtype,
    struct resolver_answer *out)
{
	struct dnscache_entry *e;
	const struct dnscache_answer *a;

	if (r->cache == NULL ||
	    (e = dnscache_get(r->cache, name, rrtype, resolver_now_ms())) == NULL)
		return false;
	a = dnscache_entry_answer(e);
	out->cached_ = e;
	out->rcode = a->rcode;
	out->sec = a->sec;
	out->n = a->n;
	out->data = a->data;
	out->len = a->len;
	if (a->rcode == DNS_NODATA)
		set_err(out->reason, sizeof(out->reason), "no record of the type", NULL);
	else if (a->rcode == DNS_NXDOMAIN)
		set_err(out->reason, sizeof(out->reason), "no such name", NULL);
	return true;
}

/* cache_store - keep a final answer of libunbound's for its TTL. */
static void
cache_store(struct resolver *r, const char *name, int rrtype,
    const struct resolver_answer *out)
{
	const struct ub_result *res = out->priv_;
	struct dnscache_answer a;

	if (r->cache == NULL || res == NULL || res->ttl <= 0)
		return;
	a.rcode = out->rcode;
	a.sec = out->sec;
	a.n = out->n;
	a.data = out->data;
	a.len = out->len;
	dnscache_put(r->cache, name, rrtype, &a, (uint32_t)res->ttl, resolver_now_ms());
}

enum dns_rcode
resolver_lookup(struct resolver *r, const char *name, int rrtype,
    int64_t deadline_ms, struct resolver_answer *out)
{
	int64_t deadline = effective_deadline(r, deadline_ms), start = resolver_now_ms();

	memset(out, 0, sizeof(*out));
	out->rcode = DNS_TEMPFAIL;
	if (name == NULL || name[0] == '\0' || strlen(name) > 254 ||
	    rrtype <= 0 || rrtype > 65535) {
		set_err(out->reason, sizeof(out->reason), "bad query", NULL);
		out->rcode = DNS_PERMFAIL;
	} else if (r->zone_mode) {
		zone_lookup(r, name, rrtype, deadline, out);
	} else if (deadline_ms > 0 && deadline_ms <= start) {
		/* the budget is spent: the same verdict, cache warm or cold */
		count(r, timeouts);
		set_err(out->reason, sizeof(out->reason), "timeout", NULL);
	} else if (cache_lookup(r, name, rrtype, out)) {
		count(r, cache_hits);
	} else {
		run_query(r, name, rrtype, deadline, out);
		cache_store(r, name, rrtype, out);
	}
	if (r->trace != NULL)
		r->trace(name != NULL ? name : "", rrtype, out, resolver_now_ms() - start);
	return out->rcode;
}

void
resolver_answer_free(struct resolver_answer *a)
{
	if (a->priv_ != NULL)
		ub_resolve_free(a->priv_);
	dnscache_unref(a->cached_);
	a->priv_ = NULL;
	a->cached_ = NULL;
	a->n = 0;
	a->data = NULL;
	a->len = NULL;
}

/* ------------------------------------------------------------ helpers */

/* txt_join - one TXT rdata's character-strings, concatenated, into out. */
static int
txt_join(const unsigned char *d, size_t len, struct dns_txt *out)
{
	char *buf = malloc(len + 1);
	size_t i = 0, n = 0, sl;
	int rc;

	if (buf == NULL)
		return -1;
	while (i < len) {
		sl = d[i++];
		if (sl > len - i) {
			free(buf);
			return -1;
		}
		memcpy(buf + n, d + i, sl);
		n += sl;
		i += sl;
	}
	rc = dns_txt_add(out, buf, n);
	free(buf);
	return rc;
}

enum dns_rcode
resolver_txt(struct resolver *r, const char *name, int64_t deadline_ms,
    struct dns_txt *out, enum dns_sec *sec)
{
	struct resolver_answer a;
	enum dns_rcode rc;
	size_t i;

	rc = resolver_lookup(r, name, RESOLVER_T_TXT, deadline_ms, &a);
	if (sec != NULL)
		*sec = a.sec;
	for (i = 0; rc == DNS_OK && i < a.n; i++)
		if (a.len[i] < 0 ||
		    txt_join(a.data[i], (size_t)a.len[i], out) != 0)
			rc = DNS_PERMFAIL;
	resolver_answer_free(&a);
	return rc;
}

enum dns_rcode
resolver_exists(struct resolver *r, const char *name, int64_t deadline_ms)
{
	static const int types[] = {
		RESOLVER_T_A, RESOLVER_T_AAAA, RESOLVER_T_MX
	};
	struct resolver_answer a;
	enum dns_rcode rc;
	bool unknown = false;
	int64_t deadline = effective_deadline(r, deadline_ms);
	size_t i;

	/* The three queries share one budget. */
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		rc = resolver_lookup(r, name, types[i], deadline, &a);
		resolver_answer_free(&a);
		if (rc == DNS_OK || rc == DNS_NODATA)
			return DNS_OK;
		if (rc != DNS_NXDOMAIN)
			unknown = true;
	}
	return unknown ? DNS_TEMPFAIL : DNS_NXDOMAIN;
}

/* ------------------------------------------------------------ policy_env */

/* env_txt - policy_env.txt over the resolver. */
static enum dns_rcode
env_txt(void *ctx, const char *name, struct dns_txt *out, enum dns_sec *sec)
{
	struct resolver_env_ctx *c = ctx;

	return resolver_txt(c->r, name, c->deadline_ms, out, sec);
}

/* env_exists - policy_env.exists over the resolver. */
static enum dns_rcode
env_exists(void *ctx, const char *name)
{
	struct resolver_env_ctx *c = ctx;

	return resolver_exists(c->r, name, c->deadline_ms);
}

/* env_now - wall-clock seconds. */
static int64_t
env_now(void *ctx)
{
	(void)ctx;
	return (int64_t)time(NULL);
}

/* env_roll - uniform in [0, 100) from the thread-safe arc4random. */
static unsigned
env_roll(void *ctx)
{
	(void)ctx;
	return arc4random_uniform(100);
}

struct policy_env
resolver_policy_env(struct resolver_env_ctx *ctx)
{
	struct policy_env e;

	memset(&e, 0, sizeof(e));
	e.ctx = ctx;
	e.txt = env_txt;
	e.exists = env_exists;
	e.now = env_now;
	e.roll = env_roll;
	return e;
}
