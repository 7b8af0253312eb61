/*
 * test_canon.c - table tests for policy/canon.c: header and body
 * canonicalization (RFC 6376 3.4, with the examples of 3.4.6), the body
 * fed in every chunk size, and the SHA-256 body hashes of an empty body
 * (simple: the hash of CRLF; relaxed: the hash of nothing).
 * Single-threaded TAP program.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "canon.h"
#include "str.h"
#include "tap.h"

struct header_case {
	const char *name;
	enum canon_mode mode;
	const char *input;	/* "Name:value", folds as CRLF */
	const char *want;	/* with the trailing CRLF */
};

static const struct header_case header_cases[] = {
	{ "rfc6376 3.4.6 relaxed A", CANON_RELAXED, "A: X", "a:X\r\n" },
	{ "rfc6376 3.4.6 relaxed B", CANON_RELAXED, "B : Y\t\r\n\tZ  ", "b:Y Z\r\n" },
	{ "rfc6376 3.4.6 simple A", CANON_SIMPLE, "A: X", "A: X\r\n" },
	{ "rfc6376 3.4.6 simple B", CANON_SIMPLE, "B : Y\t\r\n\tZ  ", "B : Y\t\r\n\tZ  \r\n" },
	{ "relaxed name case", CANON_RELAXED, "ARC-Seal:i=1", "arc-seal:i=1\r\n" },
	{ "relaxed empty value", CANON_RELAXED, "Subject:", "subject:\r\n" },
	{ "relaxed only whitespace", CANON_RELAXED, "Subject: \t \r\n ", "subject:\r\n" },
	{ "relaxed inner runs", CANON_RELAXED, "X:a  \t b\r\n  c", "x:a b c\r\n" },
	{ "relaxed keeps colons in value", CANON_RELAXED, "To : a: b", "to:a: b\r\n" },
	{ "simple keeps everything", CANON_SIMPLE, "x-A :  b ", "x-A :  b \r\n" },
};

struct body_case {
	const char *name;
	enum canon_mode mode;
	const char *input;
	const char *want;
};

static const struct body_case body_cases[] = {
	{ "rfc6376 3.4.6 relaxed", CANON_RELAXED, " C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n" },
	{ "rfc6376 3.4.6 simple", CANON_SIMPLE, " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n" },
	{ "simple empty", CANON_SIMPLE, "", "\r\n" },
	{ "relaxed empty", CANON_RELAXED, "", "" },
	{ "simple only CRLFs", CANON_SIMPLE, "\r\n\r\n\r\n", "\r\n" },
	{ "relaxed only CRLFs", CANON_RELAXED, "\r\n\r\n", "" },
	{ "relaxed whitespace lines", CANON_RELAXED, "a\r\n \t\r\n  \r\n", "a\r\n" },
	{ "simple whitespace line kept", CANON_SIMPLE, "a\r\n \r\n\r\n", "a\r\n \r\n" },
	{ "simple no final CRLF", CANON_SIMPLE, "a\r\nb", "a\r\nb\r\n" },
	{ "relaxed no final CRLF", CANON_RELAXED, "a \r\nb \t", "a\r\nb\r\n" },
	{ "inner empty lines kept", CANON_RELAXED, "a\r\n\r\n\r\nb\r\n\r\n", "a\r\n\r\n\r\nb\r\n" },
	{ "relaxed leading whitespace", CANON_RELAXED, "  a\r\n", " a\r\n" },
	{ "bare LF is content", CANON_SIMPLE, "a\nb\r\n", "a\nb\r\n" },
	{ "bare CR is content", CANON_SIMPLE, "a\rb\r\n", "a\rb\r\n" },
	{ "CR at the end", CANON_SIMPLE, "a\r", "a\r\r\n" },
	{ "CR CR LF", CANON_RELAXED, "a\r\r\n", "a\r\r\n" },
};

/* collect - sink appending to a struct str. */
static void
collect(void *ctx, const unsigned char *data, size_t len)
{
	str_append((struct str *)ctx, (const char *)data, len);
}

/* run_body - canonicalize input fed in chunks of n bytes. */
static void
run_body(enum canon_mode mode, const char *input, size_t n, struct str *out)
{
	struct canon_body b;
	size_t len = strlen(input), k;

	str_reset(out);
	str_append(out, "", 0);
	canon_body_init(&b, mode, collect, out);
	for (k = 0; k < len; k += n)
		canon_body_update(&b, (const unsigned char *)input + k, len - k < n ? len - k : n);
	canon_body_final(&b);
}

/* test_bodies - every body case in every chunk size up to its length. */
static void
test_bodies(void)
{
	struct str out = STR_INITIALIZER(4096);
	size_t i, n;
	bool same;

	for (i = 0; i < sizeof(body_cases) / sizeof(body_cases[0]); i++) {
		const struct body_case *c = &body_cases[i];

		run_body(c->mode, c->input, 4096, &out);
		tap_streq(str_cstr(&out), c->want, "body: %s", c->name);
		same = true;
		for (n = 1; n <= strlen(c->input); n++) {
			run_body(c->mode, c->input, n, &out);
			same = same && strcmp(str_cstr(&out), c->want) == 0;
		}
		tap_ok(same, "body: %s, every chunk size", c->name);
	}
	str_free(&out);
}

/* test_headers - the header table. */
static void
test_headers(void)
{
	struct str out = STR_INITIALIZER(4096);
	size_t i;

	for (i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		const struct header_case *c = &header_cases[i];

		str_reset(&out);
		tap_ok(canon_header(c->mode, c->input, strlen(c->input), true, &out) == STR_OK,
		    "header: %s status", c->name);
		tap_streq(str_cstr(&out), c->want, "header: %s", c->name);
	}
	str_reset(&out);
	canon_header(CANON_RELAXED, "A: X ", 5, false, &out);
	tap_streq(str_cstr(&out), "a:X", "header without CRLF");
	str_free(&out);
	out.max = 4;
	tap_ok(canon_header(CANON_SIMPLE, "A: X", 4, true, &out) == STR_ETOOLONG,
	    "over the string's maximum is an error");
	str_free(&out);
}

/* sink_sha - canonical bytes into a digest. */
static void
sink_sha(void *ctx, const unsigned char *data, size_t len)
{
	EVP_DigestUpdate((EVP_MD_CTX *)ctx, data, len);
}

/* empty_hash - base64 of the SHA-256 of an empty body in mode. */
static void
empty_hash(enum canon_mode mode, char *b64, size_t size)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char h[32];
	unsigned int n = 0;
	struct canon_body b;

	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	canon_body_init(&b, mode, sink_sha, md);
	canon_body_final(&b);
	EVP_DigestFinal_ex(md, h, &n);
	EVP_MD_CTX_free(md);
	if (size > 45)
		EVP_EncodeBlock((unsigned char *)b64, h, (int)n);
}

int
main(void)
{
	char b64[64] = "";

	test_headers();
	test_bodies();
	empty_hash(CANON_SIMPLE, b64, sizeof(b64));
	tap_streq(b64, "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=",
	    "empty body, simple: SHA-256 of CRLF");
	empty_hash(CANON_RELAXED, b64, sizeof(b64));
	tap_streq(b64, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	    "empty body, relaxed: SHA-256 of nothing");
	return tap_done();
}
