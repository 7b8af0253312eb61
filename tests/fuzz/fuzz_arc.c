/*
 * fuzz_arc.c - libFuzzer target for policy/arc_parse.c (ARC-Seal,
 * ARC-Message-Signature, ARC-Authentication-Results, key records) and
 * policy/canon.c (the input as a header field and as a body).  Invariants
 * checked (abort on violation):
 *   - a parse that succeeds gives an instance in 1..50, spans inside the
 *     input and decoded lengths within their caps; a failure gives a reason;
 *   - a relaxed header has no CR or LF but its final CRLF and no two SPs in
 *     a row; a body canonicalized in one piece and byte by byte is the
 *     same, and a relaxed one has no whitespace before a CRLF.
 * Everything allocated is freed.  Single-threaded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arc_parse.h"
#include "canon.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* span_in - is s inside [0, size)? */
static void
span_in(struct arc_span s, size_t size)
{
	if (s.off > size || s.len > size - s.off)
		abort();
}

/* check_sig - invariants of a parsed seal or AMS. */
static void
check_sig(enum arc_parse_status st, const struct arc_sig *sig, const char *why,
    size_t size)
{
	size_t k;

	if (st != ARC_PARSE_OK) {
		if (why[0] == '\0' || (sig->i > ARC_PARSE_MAX_INSTANCE))
			abort();
		return;
	}
	if (sig->i < 1 || sig->i > ARC_PARSE_MAX_INSTANCE || sig->blen == 0 ||
	    sig->blen > sizeof(sig->b) || sig->alg == ARC_ALG_NONE || sig->nh > ARC_PARSE_MAX_H)
		abort();
	span_in(sig->bval, size);
	for (k = 0; k < sig->nh; k++)
		span_in(sig->h[k], size);
}

/* parsers - every parser over the input. */
static void
parsers(const char *s, size_t size)
{
	static struct arc_sig sig;
	static struct arc_key key;
	struct arc_aar aar;
	char why[128];
	enum arc_parse_status st;

	why[0] = '\0';
	st = arc_seal_parse(s, size, &sig, why, sizeof(why));
	check_sig(st, &sig, why, size);
	if (st == ARC_PARSE_OK && sig.cv == ARC_CV_UNKNOWN)
		abort();
	why[0] = '\0';
	check_sig(arc_ams_parse(s, size, &sig, why, sizeof(why)), &sig, why, size);
	why[0] = '\0';
	if (arc_aar_parse(s, size, &aar, why, sizeof(why)) == ARC_PARSE_OK) {
		span_in(aar.rest, size);
		if (aar.i < 1 || aar.i > ARC_PARSE_MAX_INSTANCE || aar.rest.len == 0)
			abort();
	} else if (why[0] == '\0')
		abort();
	if (arc_key_parse(s, size, &key, why, sizeof(why)) == ARC_PARSE_OK &&
	    (key.plen > sizeof(key.p) || key.alg == ARC_ALG_NONE))
		abort();
}

/* check_relaxed_header - no inner line breaks, no double SP. */
static void
check_relaxed_header(const struct str *h)
{
	size_t k;

	if (h->len < 2 || memcmp(h->s + h->len - 2, "\r\n", 2) != 0)
		abort();
	for (k = 0; k + 2 < h->len; k++)
		if (h->s[k] == '\r' || h->s[k] == '\n' || (h->s[k] == ' ' && h->s[k + 1] == ' '))
			abort();
}

/* collect - sink into a struct str. */
static void
collect(void *ctx, const unsigned char *d, size_t n)
{
	if (str_append((struct str *)ctx, (const char *)d, n) != STR_OK)
		abort();
}

/* body - canonicalize whole and byte by byte in mode. */
static void
body(const uint8_t *data, size_t size, enum canon_mode mode)
{
	struct str a = STR_INITIALIZER(4 * size + 16), b = STR_INITIALIZER(4 * size + 16);
	struct canon_body cb;
	size_t k;

	canon_body_init(&cb, mode, collect, &a);
	canon_body_update(&cb, data, size);
	canon_body_final(&cb);
	canon_body_init(&cb, mode, collect, &b);
	for (k = 0; k < size; k++)
		canon_body_update(&cb, data + k, 1);
	canon_body_final(&cb);
	if (a.len != b.len || (a.len > 0 && memcmp(a.s, b.s, a.len) != 0))
		abort();
	for (k = 0; mode == CANON_RELAXED && k + 2 < a.len; k++)
		if ((a.s[k] == ' ' || a.s[k] == '\t') && a.s[k + 1] == '\r' && a.s[k + 2] == '\n')
			abort();
	str_free(&a);
	str_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct str h = STR_INITIALIZER(2 * size + 16);

	parsers(s, size);
	if (memchr(s, ':', size) != NULL) {
		if (canon_header(CANON_RELAXED, s, size, true, &h) != STR_OK)
			abort();
		check_relaxed_header(&h);
		str_reset(&h);
		if (canon_header(CANON_SIMPLE, s, size, false, &h) != STR_OK || h.len != size)
			abort();
	}
	str_free(&h);
	if (size <= 65536) {
		body(data, size, CANON_SIMPLE);
		body(data, size, CANON_RELAXED);
	}
	return 0;
}
