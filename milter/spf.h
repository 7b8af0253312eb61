/*
 * spf.h - SPF (RFC 7208) checks through libspf2, resolving through the
 * milter's one resolver (resolver.h) with a per-check deadline.
 *
 * Called by the milter's message evaluation (and the offline checker) once
 * per identity: MAIL FROM, or HELO.  The null sender is checked as
 * postmaster@HELO, as RFC 7208 section 2.4 says.
 *
 * Thread-safety: spf_engine_new/spf_engine_free from one thread; spf_check
 * may be called concurrently on one engine.  Each check builds its own
 * libspf2 server over its own DNS layer, so no libspf2 object is shared
 * between threads and no lock is needed.
 */
#ifndef AUTHMILTER_SPF_H
#define AUTHMILTER_SPF_H

#include <stddef.h>
#include <stdint.h>

#include "results.h"

struct resolver;
struct spf_engine;

/* Longest explanation / reason kept; longer text is cut at a character. */
#define SPF_TEXT_MAX 256

/* The outcome of one check, ready for the verdict and Authentication-Results. */
struct spf_outcome {
	enum spf_result result;
	enum spf_scope scope;
	char domain[256];		/* the domain checked (lower-case as given) */
	char explanation[SPF_TEXT_MAX];	/* expanded exp= text on fail, else "" */
	char reason[SPF_TEXT_MAX];	/* why: libspf2 comment or error */
};

/*
 * spf_engine_new - an engine resolving through r (which must outlive it).
 * receiver is this host's name, the %{r} of explanations (RFC 7208 7.3;
 * NULL or "": "unknown"); it is copied.  NULL with the reason in err on
 * failure.
 */
struct spf_engine *spf_engine_new(struct resolver *r, const char *receiver,
    char *err, size_t errsize);

/* spf_engine_free - release (NULL is fine); no check may be running. */
void spf_engine_free(struct spf_engine *e);

/*
 * spf_check - evaluate SPF for client_ip (IPv4 or IPv6 text).  scope
 * SPF_SCOPE_MFROM checks mail_from ("" = null sender: postmaster@helo, and
 * out->scope becomes SPF_SCOPE_HELO); SPF_SCOPE_HELO checks helo.  All DNS
 * answers must arrive before deadline_ms (resolver_now_ms() clock; 0 or
 * less: the resolver's timeout per query).  out is always filled; returns
 * out->result.  A DNS timeout or server failure gives temperror, a
 * malformed record permerror.
 */
enum spf_result spf_check(struct spf_engine *e, const char *client_ip,
    const char *helo, const char *mail_from, enum spf_scope scope,
    int64_t deadline_ms, struct spf_outcome *out);

#endif
