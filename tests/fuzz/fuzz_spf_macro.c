/*
 * fuzz_spf_macro.c - libFuzzer target for milter/spf_macro.c, the SPF
 * macro expansion that explanation TXT records (untrusted DNS text) go
 * through.  The first input byte picks the kind (even: domain-spec, odd:
 * explain-string) and the IP family; the rest, not NUL-terminated, is the
 * macro string.  Invariants of the output abort() when broken, so the
 * fuzzer reports them.  Single-threaded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spf_macro.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_p - the %{p} callback. */
static const char *
fuzz_p(void *arg)
{
	(void)arg;
	return "mx.example.org";
}

/* check_parse - every '%' of s either parses inside s or is refused. */
static void
check_parse(const char *s, size_t n, enum spf_macro_kind kind)
{
	struct spf_macro_term t;
	size_t i, j;

	for (i = 0; i < n; i++) {
		j = i;
		if (spf_macro_parse(s, n, &j, kind, &t) && (j <= i || j > n))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spf_macro_vars v;
	enum spf_macro_kind kind;
	enum spf_macro_status st;
	char out[512], *s;

	if (size < 1)
		return 0;
	kind = (data[0] & 1) ? SPF_MACRO_EXPLAIN : SPF_MACRO_DOMAIN;
	if ((s = malloc(size - 1 > 0 ? size - 1 : 1)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	memset(&v, 0, sizeof(v));
	v.sender = "strong-bad@email.example.com";
	v.local_part = "strong-bad";
	v.sender_domain = v.domain = "email.example.com";
	v.helo = "mx.example.org";
	v.ip = (data[0] & 2) ? "2001:db8::cb01" : "192.0.2.3";
	v.now = 1700000000;
	v.validated_name = fuzz_p;
	check_parse(s, size - 1, kind);
	st = spf_macro_expand(s, size - 1, kind, &v, out, sizeof(out));
	if (strlen(out) >= sizeof(out))
		abort();
	if (st == SPF_MACRO_OK && kind == SPF_MACRO_DOMAIN &&
	    strlen(out) > SPF_MACRO_DOMAIN_MAX && strchr(out, '.') != NULL)
		abort();
	free(s);
	return 0;
}
