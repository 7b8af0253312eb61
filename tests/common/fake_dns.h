/*
 * fake_dns.h - a table-driven policy_env for unit tests and conformance
 * runners: TXT records by name, names that exist, names that time out.
 * Not a mock of the code under test: it plays the DNS, with the RFC 8020
 * rule that ancestors of existing names exist (NODATA), everything else
 * NXDOMAIN.  Every TXT query is logged in order.  Single-threaded.
 */
#ifndef AUTHMILTER_FAKE_DNS_H
#define AUTHMILTER_FAKE_DNS_H

#include <stddef.h>

#include "env.h"

struct fake_dns;

struct fake_dns *fake_dns_new(void);
void fake_dns_free(struct fake_dns *f);

/* fake_dns_txt - publish one TXT record (a second call adds another at the same name). */
void fake_dns_txt(struct fake_dns *f, const char *name, const char *txt);

/* fake_dns_exists - make a name exist (with some non-TXT record). */
void fake_dns_exists(struct fake_dns *f, const char *name);

/* fake_dns_tempfail - queries for name (any type) fail temporarily. */
void fake_dns_tempfail(struct fake_dns *f, const char *name);

/* fake_dns_set_roll - the value roll() returns (default 0); fake_dns_set_now likewise. */
void fake_dns_set_roll(struct fake_dns *f, unsigned roll);
void fake_dns_set_now(struct fake_dns *f, long long now);

/* fake_dns_env - an env whose callbacks answer from f. */
struct policy_env fake_dns_env(struct fake_dns *f);

/* fake_dns_nqueries / fake_dns_query - the TXT query log. */
size_t fake_dns_nqueries(const struct fake_dns *f);
const char *fake_dns_query(const struct fake_dns *f, size_t i);
void fake_dns_clear_log(struct fake_dns *f);

#endif
