/*
 * dnscache.h - a small answer cache in front of libunbound, used by
 * resolver.c only.
 *
 * Why: libunbound answers from its own cache, but in threaded async mode
 * every query, even a cache hit, is a round trip through its worker thread
 * (two pipe writes, a poll wake-up, ub_process and a condition broadcast):
 * several context switches per lookup, five or more lookups per message.
 * The benchmark (doc/PERFORMANCE.md) showed those hand-offs as the largest
 * kernel cost of the milter.  This cache keeps complete answers (records,
 * DNS status, DNSSEC status) for as long as the TTL libunbound reported,
 * so a repeated lookup costs a hash and a mutex.
 *
 * Only final answers are stored: OK, NODATA and NXDOMAIN with a TTL above 0
 * and not bogus.  Temporary failures are never cached.
 *
 * Thread-safety: every function may be called concurrently; entries are
 * reference counted, so an answer stays valid after it is evicted.
 */
#ifndef AUTHMILTER_DNSCACHE_H
#define AUTHMILTER_DNSCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "env.h"

#define DNSCACHE_DEFAULT_ENTRIES 20000
#define DNSCACHE_MAX_TTL 86400		/* seconds an answer is kept at most */

struct dnscache;
struct dnscache_entry;

/* The answer an entry holds; pointers stay valid while it is referenced. */
struct dnscache_answer {
	enum dns_rcode rcode;
	enum dns_sec sec;
	size_t n;
	const unsigned char *const *data;
	const int *len;
};

/* dnscache_new - a cache of about max_entries answers (the bound is kept per
 * shard, rounded up); NULL when out of memory. */
struct dnscache *dnscache_new(size_t max_entries);

/* dnscache_free - release the cache (NULL is fine); entries still
 * referenced by callers live until their last dnscache_unref. */
void dnscache_free(struct dnscache *c);

/* dnscache_get - the live answer for name/type (case-insensitive name), or
 * NULL.  A non-NULL result is a reference: release it with dnscache_unref. */
struct dnscache_entry *dnscache_get(struct dnscache *c, const char *name, int type,
    int64_t now_ms);

/* dnscache_put - store a copy of an answer for ttl seconds (capped at
 * DNSCACHE_MAX_TTL); a TTL of 0, a temporary failure, a bogus answer or a
 * full cache store nothing. */
void dnscache_put(struct dnscache *c, const char *name, int type,
    const struct dnscache_answer *a, uint32_t ttl, int64_t now_ms);

/* dnscache_entry_answer - the answer held by e. */
const struct dnscache_answer *dnscache_entry_answer(const struct dnscache_entry *e);

/* dnscache_unref - drop one reference (NULL is fine). */
void dnscache_unref(struct dnscache_entry *e);

#endif
