/*
 * resolver.h - the one DNS resolver of the milter, over libunbound.
 *
 * One struct resolver is created at start-up and shared by every libmilter
 * thread.  Each lookup is an asynchronous libunbound query waited for with
 * poll() on ub_fd() until a deadline on the monotonic clock; a timeout is
 * cancelled and reported as DNS_TEMPFAIL, never as "not found".
 *
 * Upstream, in order of precedence:
 *   - zone_file: a master-format file loaded as the ONLY DNS data (tests and
 *     the offline checker).  Names absent from it are NXDOMAIN, names present
 *     without the queried type are NODATA, and a line "name TIMEOUT" makes
 *     every query for that name fail as a timeout (DNS_TEMPFAIL).
 *   - nameservers: forward every query to these "IP[@port]" servers.
 *   - recursive: full recursion from the root hints.
 *   - otherwise the servers of /etc/resolv.conf.
 * trust_anchor_file turns DNSSEC validation on.
 *
 * With real DNS, final answers (records, NODATA, NXDOMAIN) are also kept in
 * a small cache of the resolver's own for the TTL libunbound reports
 * (milter/dnscache.h says why); temporary failures never are.
 *
 * DNSSEC: an answer that fails validation (bogus) comes back as DNS_TEMPFAIL
 * with sec = DNS_SEC_BOGUS and no records (libunbound withholds the data);
 * callers that care (DKIM key status) look at sec.
 *
 * Thread-safety: resolver_new/resolver_free from one thread; every other
 * function may be called concurrently on the same resolver.
 */
#ifndef AUTHMILTER_RESOLVER_H
#define AUTHMILTER_RESOLVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"

struct resolver_answer;

/* RR types used by the milter. */
#define RESOLVER_T_A	1
#define RESOLVER_T_CNAME	5
#define RESOLVER_T_MX	15
#define RESOLVER_T_TXT	16
#define RESOLVER_T_AAAA	28
#define RESOLVER_T_PTR	12

/* Most nameservers in a configuration. */
#define RESOLVER_MAX_NAMESERVERS 8
#define RESOLVER_CNAME_HOPS 8	/* CNAME links followed in zone-file mode */

struct resolver_config {
	const char *nameservers[RESOLVER_MAX_NAMESERVERS]; /* "IP[@port]" */
	size_t n_nameservers;
	bool recursive;			/* full recursion (no nameservers) */
	const char *trust_anchor_file;	/* NULL: no DNSSEC validation */
	unsigned timeout_ms;		/* per query; 0: 5000 */
	const char *zone_file;		/* NULL: real DNS */
	bool zone_timeout_waits;	/* TIMEOUT names wait for the deadline */
	/* Debug trace of every lookup (LogDNS), NULL: none.  Called from the
	 * looking-up thread after the answer, with the time it took. */
	void (*trace)(const char *name, int rrtype, const struct resolver_answer *a,
	    int64_t elapsed_ms);
	/* Counters to add the lookups to (metrics), NULL: none. */
	struct resolver_stats *stats;
};

/*
 * What the lookups met, counted atomically (__atomic, relaxed) into a
 * struct the caller owns and may read at any time, from any thread.
 */
struct resolver_stats {
	unsigned long queries;		/* sent to the DNS (libunbound, or the zone file) */
	unsigned long cache_hits;	/* answered from the answer cache */
	unsigned long timeouts;		/* no answer by the deadline, or the budget spent */
	unsigned long servfail;		/* SERVFAIL and other temporary rcodes */
	unsigned long bogus;		/* DNSSEC validation failed */
	unsigned long errors;		/* resolver errors; REFUSED, FORMERR, NOTIMP */
};

/* One answer.  The records point into libunbound's result. */
struct resolver_answer {
	enum dns_rcode rcode;
	enum dns_sec sec;
	size_t n;			/* number of records */
	const unsigned char *const *data; /* rdata of each record (wire) */
	const int *len;			/* length of each rdata */
	char reason[160];		/* why, when not DNS_OK */
	void *priv_;			/* struct ub_result *, internal */
	void *cached_;			/* struct dnscache_entry *, internal */
};

struct resolver;

/* resolver_new - build from cfg; NULL with the reason in err on failure. */
struct resolver *resolver_new(const struct resolver_config *cfg, char *err,
    size_t errsize);

/* resolver_free - release (NULL is fine); no lookup may be in progress. */
void resolver_free(struct resolver *r);

/* resolver_now_ms - the monotonic clock deadlines are measured on. */
int64_t resolver_now_ms(void);

/*
 * resolver_lookup - query name/rrtype, waiting at most until deadline_ms
 * (monotonic milliseconds; 0 or less: now + the configured timeout; never
 * later than now + timeout).  out is always filled and must be released with
 * resolver_answer_free().  Returns out->rcode.
 */
enum dns_rcode resolver_lookup(struct resolver *r, const char *name,
    int rrtype, int64_t deadline_ms, struct resolver_answer *out);

/* resolver_answer_free - release the records of an answer (idempotent). */
void resolver_answer_free(struct resolver_answer *a);

/*
 * resolver_txt - TXT records at name, each joined from its
 * character-strings and added to out (which the caller initialised).  sec
 * may be NULL.  A malformed record gives DNS_PERMFAIL.
 */
enum dns_rcode resolver_txt(struct resolver *r, const char *name,
    int64_t deadline_ms, struct dns_txt *out, enum dns_sec *sec);

/*
 * resolver_exists - RFC 9989 3.2.13: DNS_OK when an A, AAAA or MX query for
 * name answers other than NXDOMAIN, DNS_NXDOMAIN when all three say
 * NXDOMAIN, DNS_TEMPFAIL when it cannot be told.
 */
enum dns_rcode resolver_exists(struct resolver *r, const char *name,
    int64_t deadline_ms);

/* Context of the policy_env adapter: one per message. */
struct resolver_env_ctx {
	struct resolver *r;
	int64_t deadline_ms;	/* the message's DNS budget, monotonic ms */
};

/*
 * resolver_policy_env - callbacks for the policy library: DNS through
 * ctx->r within ctx->deadline_ms, now = time(), roll = arc4random.
 * ctx must outlive the returned struct's use.
 */
struct policy_env resolver_policy_env(struct resolver_env_ctx *ctx);

/*
 * resolver_wire_name - the uncompressed wire-format name at d[off..len) of
 * an rdata (CNAME, MX, PTR targets) as dotted text in out (no trailing dot,
 * "" for the root).  Returns 0, or -1 when malformed or it does not fit.
 */
int resolver_wire_name(const unsigned char *d, size_t len, size_t off, char *out,
    size_t outsize);

#endif
