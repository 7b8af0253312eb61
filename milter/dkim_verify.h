/*
 * dkim_verify.h - DKIM verification (RFC 6376, RFC 8301, RFC 8463) for the
 * milter, over libopendkim, with every key lookup made through the shared
 * resolver (milter/resolver.h) so timeouts and DNSSEC status are the same as
 * for SPF and DMARC.
 *
 * One struct dkim_engine per process (one DKIM_LIB); one struct dkim_msg per
 * message, fed in the order the milter sees the message:
 *   dkim_msg_new -> dkim_msg_header* -> dkim_msg_eoh -> dkim_msg_body* ->
 *   dkim_msg_eom -> dkim_msg_free
 *
 * Local policy on top of libopendkim (RFC 8301):
 *   - RSA keys shorter than min_key_bits: result fail, "key too small";
 *   - rsa-sha1 signatures that verify: result policy, "rsa-sha1 not
 *     accepted (RFC 8301)"; they never count as pass;
 *   - at most max_signatures signatures per message are evaluated, the rest
 *     are ignored (counted in dkim_outcome.ignored).
 * and on top of RFC 6376 checks libopendkim skips: q= must offer dns/txt,
 * the i= domain (dkim-quoted-printable decoded) must be d= or below it.
 *
 * Result of a signature: pass; fail for body hash mismatch, a signature
 * that does not verify, a key too small; policy for rsa-sha1; temperror
 * when the key lookup failed temporarily (timeout, SERVFAIL, DNSSEC bogus);
 * permerror for a missing key record (NXDOMAIN/NODATA), a revoked key,
 * expiry and every syntax or key-record error; neutral when libopendkim did
 * not evaluate it.  best ranks pass > fail > policy > neutral > temperror >
 * permerror > none.
 *
 * Thread-safety: dkim_engine_new/free from one thread; any number of
 * dkim_msg objects may be used concurrently, each by one thread at a time.
 */
#ifndef AUTHMILTER_DKIM_VERIFY_H
#define AUTHMILTER_DKIM_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "env.h"
#include "results.h"

struct resolver;

/* Most signatures reported per message (max_signatures is capped to it). */
#define DKIM_VERIFY_MAX_SIGS 16

struct dkim_config {
	unsigned min_key_bits;		/* DKIMMinKeyBits; 0: 1024 */
	unsigned max_signatures;	/* DKIMMaxSignatures; 0: 5 */
	unsigned dns_budget_ms;		/* key lookups, from dkim_msg_eoh;
					 * 0: the resolver's per-query timeout */
};

/* The evaluation of one signature. */
struct dkim_sig_result {
	char d[256];			/* signing domain, "" if unparseable */
	char s[64];			/* selector */
	char a[24];			/* "rsa-sha256", "rsa-sha1", "ed25519-sha256", "" */
	char b8[9];			/* first 8 characters of b= */
	unsigned key_bits;		/* 0 when no key was loaded */
	enum dkim_result result;
	char reason[128];		/* human readable, "" on pass */
	bool key_queried;		/* a key record was looked up */
	enum dns_rcode key_rcode;	/* its DNS status */
	enum dns_sec key_sec;		/* its DNSSEC status */
};

struct dkim_outcome {
	size_t n;			/* signatures evaluated */
	struct dkim_sig_result sig[DKIM_VERIFY_MAX_SIGS];
	size_t ignored;			/* signatures beyond the cap */
	enum dkim_result best;		/* pass > fail/policy/... > none */
	char error[128];		/* message-level problem, "" if none */
};

struct dkim_engine;
struct dkim_msg;

/* dkim_engine_new - one DKIM_LIB over r; NULL with the reason in err. */
struct dkim_engine *dkim_engine_new(const struct dkim_config *cfg,
    struct resolver *r, char *err, size_t errsize);

/* dkim_engine_free - release (NULL is fine); no message may be alive. */
void dkim_engine_free(struct dkim_engine *e);

/* dkim_msg_new - start verifying one message; id is for logging. */
struct dkim_msg *dkim_msg_new(struct dkim_engine *e, const char *id);

/* dkim_msg_header - one header field "Name: value" (no trailing CRLF;
 * folded lines keep their CRLF). Returns 0, -1 when the message is broken
 * (the outcome then carries the error). */
int dkim_msg_header(struct dkim_msg *m, const char *field, size_t len);

/* dkim_msg_eoh - end of the header. */
int dkim_msg_eoh(struct dkim_msg *m);

/* dkim_msg_body - a chunk of the body (CRLF line ends). */
int dkim_msg_body(struct dkim_msg *m, const unsigned char *data, size_t len);

/* dkim_msg_eom - finish and fill out (always filled). */
void dkim_msg_eom(struct dkim_msg *m, struct dkim_outcome *out);

/* dkim_msg_free - release (NULL is fine). */
void dkim_msg_free(struct dkim_msg *m);

#endif
