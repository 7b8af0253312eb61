/*
 * arc_parse.h - strict, bounded parsing of the three ARC header fields
 * (RFC 8617 4.1: ARC-Seal, ARC-Message-Signature,
 * ARC-Authentication-Results) and of the DKIM key records their keys are
 * published in (RFC 6376 3.6.1, RFC 8463).  Tag-lists follow RFC 6376 3.2:
 * tag names are case-sensitive, a duplicate tag is an error, whitespace is
 * allowed around "=" and ";" and a trailing ";" is allowed.
 *
 * Pure: no I/O, no allocation; the results point into (or are copied from)
 * the caller's text and never exceed the fixed caps below, which are
 * errors, never truncation.  Called by milter/arc_verify.c and the tests.
 * Thread-safe (no shared state).
 */
#ifndef AUTHMILTER_ARC_PARSE_H
#define AUTHMILTER_ARC_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#define ARC_PARSE_MAX_INSTANCE	50	/* RFC 8617 4.2.1 */
#define ARC_PARSE_MAX_VALUE	16384	/* longest field value parsed */
#define ARC_PARSE_MAX_TAGS	32	/* tags in one tag-list */
#define ARC_PARSE_MAX_SIG	512	/* decoded b= bytes: RSA-4096 */
#define ARC_PARSE_MAX_HASH	64	/* decoded bh= bytes */
#define ARC_PARSE_MAX_H		64	/* names in an AMS h= list */
#define ARC_PARSE_MAX_KEY	1024	/* decoded key p= bytes */

enum arc_parse_status {
	ARC_PARSE_OK = 0,
	ARC_PARSE_SYNTAX,	/* not a tag-list, bad tag name, empty tag-spec */
	ARC_PARSE_MISSING,	/* a required tag is absent */
	ARC_PARSE_DUPLICATE,	/* a tag appears twice */
	ARC_PARSE_INSTANCE,	/* i= not a decimal in 1..50 */
	ARC_PARSE_ALGORITHM,	/* a= unknown, empty or rsa-sha1 (RFC 8301) */
	ARC_PARSE_VALUE,	/* a tag value is malformed (cv, c, d, s, t, h) */
	ARC_PARSE_BASE64,	/* b=, bh= or p= is not base64 */
	ARC_PARSE_FORBIDDEN,	/* h= in an ARC-Seal, ARC-Seal listed in AMS h= */
	ARC_PARSE_TOOLONG	/* over one of the caps above */
};

enum arc_alg {
	ARC_ALG_NONE = 0,
	ARC_ALG_RSA_SHA256,
	ARC_ALG_ED25519_SHA256
};

enum arc_cv {
	ARC_CV_UNKNOWN = 0,
	ARC_CV_NONE,
	ARC_CV_PASS,
	ARC_CV_FAIL
};

enum arc_canon {
	ARC_CANON_SIMPLE = 0,
	ARC_CANON_RELAXED
};

/* A byte range [off, off + len) of the value parsed. */
struct arc_span {
	size_t off;
	size_t len;
};

/* An ARC-Seal or an ARC-Message-Signature. */
struct arc_sig {
	unsigned i;			/* instance; 0 when i= was unusable */
	enum arc_alg alg;
	char d[256];			/* signing domain */
	char s[64];			/* selector */
	unsigned char b[ARC_PARSE_MAX_SIG];	/* decoded signature */
	size_t blen;
	struct arc_span bval;		/* from after "b=" to the next ";" or
					 * the end: what is emptied for the
					 * signing input (RFC 6376 3.7) */
	/* ARC-Seal only */
	enum arc_cv cv;
	/* ARC-Message-Signature only */
	unsigned char bh[ARC_PARSE_MAX_HASH];	/* decoded body hash */
	size_t bhlen;
	enum arc_canon hcanon, bcanon;	/* c=, default simple/simple */
	size_t nh;			/* names in h= (may be 0) */
	struct arc_span h[ARC_PARSE_MAX_H];	/* each name, trimmed */
};

/* An ARC-Authentication-Results value. */
struct arc_aar {
	unsigned i;
	struct arc_span rest;		/* after "i=N;", trimmed: the
					 * authserv-id and the results */
};

/* A DKIM key record (RFC 6376 3.6.1) as ARC uses it. */
struct arc_key {
	enum arc_alg alg;		/* from k= (rsa by default) */
	unsigned char p[ARC_PARSE_MAX_KEY];	/* decoded p= */
	size_t plen;			/* 0: revoked key (empty p=) */
};

/*
 * arc_seal_parse / arc_ams_parse - parse the value (the text after the
 * colon, folding CRLFs included) of an ARC-Seal or ARC-Message-Signature
 * into out.  out->i is set whenever i= itself was valid, even when another
 * tag is wrong (so the caller can name the instance).  Returns the status
 * and writes a reason into reason (may be NULL) on failure.
 */
enum arc_parse_status arc_seal_parse(const char *v, size_t len, struct arc_sig *out,
    char *reason, size_t rsize);
enum arc_parse_status arc_ams_parse(const char *v, size_t len, struct arc_sig *out,
    char *reason, size_t rsize);

/* arc_aar_parse - "[CFWS] i [CFWS] = [CFWS] N [CFWS] ; rest", rest non-empty. */
enum arc_parse_status arc_aar_parse(const char *v, size_t len, struct arc_aar *out,
    char *reason, size_t rsize);

/*
 * arc_key_parse - a DKIM key record: v= (if present) first and DKIM1,
 * k= rsa or ed25519, h= (if present) listing sha256, s= (if present)
 * allowing email, p= base64 (empty: revoked).
 */
enum arc_parse_status arc_key_parse(const char *v, size_t len, struct arc_key *out,
    char *reason, size_t rsize);

/* arc_parse_strerror - short text for a status. */
const char *arc_parse_strerror(enum arc_parse_status st);

/* arc_alg_name - "rsa-sha256", "ed25519-sha256" or "". */
const char *arc_alg_name(enum arc_alg a);

/* arc_cv_name - "none", "pass", "fail" or "". */
const char *arc_cv_name(enum arc_cv cv);

#endif
