/*
 * env.h - what the policy library gets from the outside world.
 *
 * The library does no I/O of its own: DNS answers, the clock and the
 * sampling roll come through this struct of callbacks.  The milter fills it
 * with the libunbound resolver; tests fill it with tables.  The callbacks
 * must be safe to call from whatever thread calls the library.
 */
#ifndef AUTHMILTER_ENV_H
#define AUTHMILTER_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "str.h"

/* Outcome of one DNS query; a temporary failure is never "not found". */
enum dns_rcode {
	DNS_OK = 0,	/* answer with at least one record of the type */
	DNS_NODATA,	/* the name exists, no record of the type */
	DNS_NXDOMAIN,	/* the name does not exist */
	DNS_TEMPFAIL,	/* timeout, SERVFAIL, network error: try later */
	DNS_PERMFAIL	/* REFUSED, malformed answer: will not improve */
};

/* DNSSEC status of an answer. */
enum dns_sec {
	DNS_SEC_INSECURE = 0,
	DNS_SEC_SECURE,
	DNS_SEC_BOGUS
};

/* Maximum size of one TXT RRset member after joining its strings. */
#define DNS_TXT_MAX 4096
/* Maximum number of TXT records kept from one answer. */
#define DNS_TXT_MAX_RECORDS 32

/* The TXT records of one answer, each already joined from its strings. */
struct dns_txt {
	size_t n;
	struct str rec[DNS_TXT_MAX_RECORDS];
};

/* dns_txt_init - empty set. */
void dns_txt_init(struct dns_txt *t);

/* dns_txt_add - add one record; returns 0, or -1 when full, too long or out of memory. */
int dns_txt_add(struct dns_txt *t, const char *data, size_t len);

/* dns_txt_free - release all records; the set is empty and reusable. */
void dns_txt_free(struct dns_txt *t);

/* dns_rcode_name - "ok", "nodata", "nxdomain", "tempfail", "permfail". */
const char *dns_rcode_name(enum dns_rcode rc);

/* dns_sec_name - "insecure", "secure", "bogus". */
const char *dns_sec_name(enum dns_sec sec);

struct policy_env {
	void *ctx;	/* passed back to every callback */

	/*
	 * txt - look up the TXT records at name (no trailing dot).  On DNS_OK
	 * the callee adds each record to out with dns_txt_add(); sec (may be
	 * NULL) receives the DNSSEC status.
	 */
	enum dns_rcode (*txt)(void *ctx, const char *name, struct dns_txt *out,
	    enum dns_sec *sec);

	/*
	 * exists - does name exist in the DNS (RFC 9989 3.2.13: an A, AAAA or
	 * MX query answers other than NXDOMAIN)?  Returns DNS_OK when it
	 * exists, DNS_NXDOMAIN when not, DNS_TEMPFAIL when unknown.
	 */
	enum dns_rcode (*exists)(void *ctx, const char *name);

	/* now - seconds since the epoch. */
	int64_t (*now)(void *ctx);

	/* roll - a uniform random integer in [0, 100), for pct sampling. */
	unsigned (*roll)(void *ctx);
};

#endif
