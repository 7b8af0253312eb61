/*
 * fuzz_arc_verify.c - libFuzzer target for milter/arc_verify.c: the input
 * is a message (header fields with LF or CRLF line ends, a blank line, the
 * body), fed through arc_msg_header / eoh / body / eom with a resolver in
 * zone-file mode that knows one RSA-1024 key (dummy._domainkey.example.org,
 * the key of the ARC test suite) so that mutated valid chains reach the
 * signature checks, and one name that times out.  Invariants (abort on
 * violation): the chain is none when no field named ARC-* was given,
 * n <= 50, oldest_pass is 0
 * unless the chain passed and then within 1..n, a failing chain has a
 * reason.  Single-threaded; the resolver and engine live for the process.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arc_verify.h"
#include "resolver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEY_RECORD "\"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3id" \
	"Y6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lx" \
	"j+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\""

static struct resolver *res;
static struct arc_engine *eng;

/* setup - the resolver over a one-record zone, and the engine. */
static int
setup(void)
{
	struct resolver_config rc = { .timeout_ms = 1000 };
	struct arc_config cfg = { .min_key_bits = 1024 };
	char path[] = "/tmp/fuzz_arc_verify.XXXXXX", err[256];
	FILE *out;
	int fd;

	if ((fd = mkstemp(path)) < 0 || (out = fdopen(fd, "w")) == NULL)
		return -1;
	fputs("dummy._domainkey.example.org. TXT ", out);
	fputs(KEY_RECORD, out);
	fputs("\nslow._domainkey.example.org TIMEOUT\n", out);
	fclose(out);
	rc.zone_file = path;
	res = resolver_new(&rc, err, sizeof(err));
	unlink(path);
	if (res == NULL || (eng = arc_engine_new(&cfg, res, err, sizeof(err))) == NULL) {
		fprintf(stderr, "fuzz_arc_verify: %s\n", err);
		return -1;
	}
	return 0;
}

/* is_arc - does the header field start with an ARC field name? */
static int
is_arc(const char *f, size_t n)
{
	return (n >= 4 && strncasecmp(f, "ARC-", 4) == 0);
}

/* feed - split the input into fields and body and feed m; returns 1 when
 * a field named ARC-* was given. */
static int
feed(struct arc_msg *m, const char *p, const char *end)
{
	char *field = malloc((size_t)(end - p) * 2 + 1);
	size_t flen = 0, n;
	int arc = 0;

	if (field == NULL)
		abort();
	while (p < end && *p != '\n' && !(*p == '\r' && p + 1 < end && p[1] == '\n')) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *next = eol != NULL ? eol + 1 : end;

		n = (size_t)((eol != NULL ? eol : end) - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (*p != ' ' && *p != '\t' && flen > 0) {
			arc |= is_arc(field, flen);
			arc_msg_header(m, field, flen);
			flen = 0;
		}
		if (flen > 0) {
			memcpy(field + flen, "\r\n", 2);
			flen += 2;
		}
		memcpy(field + flen, p, n);
		flen += n;
		p = next;
	}
	if (flen > 0) {
		arc |= is_arc(field, flen);
		arc_msg_header(m, field, flen);
	}
	free(field);
	arc_msg_eoh(m);
	p += p < end && *p == '\r' ? 2 : (p < end ? 1 : 0);
	if (p < end)
		arc_msg_body(m, (const unsigned char *)p, (size_t)(end - p));
	return arc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arc_outcome out;
	static int ready;
	struct arc_msg *m;
	int arc;

	if (!ready) {
		if (setup() != 0)
			abort();
		arc_outcome_init(&out);
		ready = 1;
	}
	if ((m = arc_msg_new(eng)) == NULL)
		abort();
	arc = feed(m, (const char *)data, (const char *)data + size);
	arc_msg_eom(m, &out);
	arc_msg_free(m);
	if (out.chain != ARC_CHAIN_NONE && !arc)
		abort();
	if (out.n > ARC_MAX_INSTANCES || (out.chain != ARC_CHAIN_PASS && out.oldest_pass != 0) ||
	    (out.chain == ARC_CHAIN_PASS && (out.oldest_pass < 1 || out.oldest_pass > out.n)) ||
	    (out.chain == ARC_CHAIN_FAIL && out.reason[0] == '\0'))
		abort();
	arc_outcome_free(&out);
	return 0;
}
