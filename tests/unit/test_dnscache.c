/*
 * test_dnscache.c - unit tests for milter/dnscache.c, the answer cache in
 * front of libunbound: what is stored and what is not (temporary failures,
 * bogus answers, TTL 0), case-insensitive names, types kept apart, expiry,
 * replacement, the size bound, and an entry outliving its eviction and the
 * cache.  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnscache.h"
#include "tap.h"

static const unsigned char rec1[] = "\x0bv=spf1 -all";
static const unsigned char rec2[] = "\x05hello";
static const unsigned char *const two_data[] = { rec1, rec2 };
static const int two_len[] = { 12, 6 };

/* answer - an answer of rcode/sec with the two records when ok. */
static struct dnscache_answer
answer(enum dns_rcode rc, enum dns_sec sec)
{
	struct dnscache_answer a;

	memset(&a, 0, sizeof(a));
	a.rcode = rc;
	a.sec = sec;
	if (rc == DNS_OK) {
		a.n = 2;
		a.data = two_data;
		a.len = two_len;
	}
	return a;
}

struct store_case {
	const char *name;
	enum dns_rcode rc;
	enum dns_sec sec;
	uint32_t ttl;
	int want_cached;
};

static const struct store_case store_cases[] = {
	{ "ok is kept", DNS_OK, DNS_SEC_INSECURE, 300, 1 },
	{ "secure ok is kept", DNS_OK, DNS_SEC_SECURE, 300, 1 },
	{ "nodata is kept", DNS_NODATA, DNS_SEC_INSECURE, 60, 1 },
	{ "nxdomain is kept", DNS_NXDOMAIN, DNS_SEC_INSECURE, 60, 1 },
	{ "tempfail is never kept", DNS_TEMPFAIL, DNS_SEC_INSECURE, 300, 0 },
	{ "permfail is not kept", DNS_PERMFAIL, DNS_SEC_INSECURE, 300, 0 },
	{ "bogus is never kept", DNS_OK, DNS_SEC_BOGUS, 300, 0 },
	{ "ttl 0 is not kept", DNS_OK, DNS_SEC_INSECURE, 0, 0 },
};

static void
test_store(void)
{
	size_t i;

	for (i = 0; i < sizeof(store_cases) / sizeof(store_cases[0]); i++) {
		const struct store_case *t = &store_cases[i];
		struct dnscache *c = dnscache_new(100);
		struct dnscache_answer a = answer(t->rc, t->sec);
		struct dnscache_entry *e;

		dnscache_put(c, "example.org", 16, &a, t->ttl, 1000);
		e = dnscache_get(c, "example.org", 16, 1001);
		tap_inteq(e != NULL, t->want_cached, "%s", t->name);
		if (e != NULL) {
			const struct dnscache_answer *g = dnscache_entry_answer(e);

			tap_ok(g->rcode == t->rc && g->sec == t->sec && g->n == a.n,
			    "%s: status, DNSSEC status and count come back", t->name);
		}
		dnscache_unref(e);
		dnscache_free(c);
	}
}

static void
test_records_and_names(void)
{
	struct dnscache *c = dnscache_new(100);
	struct dnscache_answer a = answer(DNS_OK, DNS_SEC_INSECURE);
	struct dnscache_entry *e;
	const struct dnscache_answer *g;

	dnscache_put(c, "Mail.Example.ORG", 16, &a, 300, 0);
	e = dnscache_get(c, "mail.example.org", 16, 1);
	tap_ok(e != NULL, "names are compared without case");
	if (e != NULL) {
		g = dnscache_entry_answer(e);
		tap_ok(g->n == 2 && g->len[0] == 12 && memcmp(g->data[0], rec1, 12) == 0 &&
		    g->len[1] == 6 && memcmp(g->data[1], rec2, 6) == 0,
		    "the records are copied exactly");
		tap_ok(g->data[0] != rec1, "the cache holds its own copy");
	}
	dnscache_unref(e);
	tap_ok(dnscache_get(c, "mail.example.org", 1, 1) == NULL, "another type is another entry");
	tap_ok(dnscache_get(c, "example.org", 16, 1) == NULL, "a parent name is another entry");
	tap_ok(dnscache_get(c, "mail.example.org.x", 16, 1) == NULL, "a longer name is another entry");
	dnscache_free(c);
}

static void
test_expiry_and_replace(void)
{
	struct dnscache *c = dnscache_new(100);
	struct dnscache_answer ok = answer(DNS_OK, DNS_SEC_INSECURE);
	struct dnscache_answer nx = answer(DNS_NXDOMAIN, DNS_SEC_INSECURE);
	struct dnscache_entry *e;

	dnscache_put(c, "a.example", 16, &ok, 10, 5000);
	e = dnscache_get(c, "a.example", 16, 14999);
	tap_ok(e != NULL, "alive one millisecond before the TTL ends");
	dnscache_unref(e);
	tap_ok(dnscache_get(c, "a.example", 16, 15000) == NULL, "gone when the TTL ends");
	dnscache_put(c, "b.example", 16, &ok, 100, 0);
	dnscache_put(c, "b.example", 16, &nx, 100, 10);
	e = dnscache_get(c, "b.example", 16, 20);
	tap_ok(e != NULL && dnscache_entry_answer(e)->rcode == DNS_NXDOMAIN,
	    "a newer answer replaces the older one");
	dnscache_unref(e);
	dnscache_put(c, "c.example", 16, &ok, 10u * DNSCACHE_MAX_TTL, 0);
	tap_ok(dnscache_get(c, "c.example", 16, 1000LL * DNSCACHE_MAX_TTL) == NULL,
	    "a TTL is capped at DNSCACHE_MAX_TTL");
	dnscache_free(c);
}

static void
test_bound_and_lifetime(void)
{
	struct dnscache *c = dnscache_new(64);
	struct dnscache_answer ok = answer(DNS_OK, DNS_SEC_INSECURE);
	struct dnscache_entry *held, *e;
	char name[64];
	size_t i, kept = 0;

	dnscache_put(c, "held.example", 16, &ok, 1, 0);
	held = dnscache_get(c, "held.example", 16, 0);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "n%zu.example", i);
		dnscache_put(c, name, 16, &ok, 300, 2000);
	}
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "n%zu.example", i);
		if ((e = dnscache_get(c, name, 16, 2001)) != NULL)
			kept++;
		dnscache_unref(e);
	}
	tap_ok(kept > 0 && kept <= 64 + 64, "the cache stays within its bound (%zu kept)", kept);
	tap_ok(dnscache_get(c, "held.example", 16, 2001) == NULL, "the expired entry was purged");
	dnscache_free(c);
	tap_ok(held != NULL && dnscache_entry_answer(held)->n == 2 &&
	    memcmp(dnscache_entry_answer(held)->data[1], rec2, 6) == 0,
	    "a referenced entry outlives its eviction and the cache");
	dnscache_unref(held);
}

int
main(void)
{
	test_store();
	test_records_and_names();
	test_expiry_and_replace();
	test_bound_and_lifetime();
	return tap_done();
}
