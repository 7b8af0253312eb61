/*
 * run_dkim_stalwart.c - conformance runner for the DKIM part of
 * testdata/dkim-arc-stalwart (vectors of Stalwart mail-auth) through
 * milter/dkim_verify.c and the resolver in zone-file mode.
 *
 * Each file is DNS lines ("name SP TXT-value"), a blank line, then the
 * message with LF line ends (converted to CRLF here).  The DNS lines become
 * a temporary zone file.  Expected, from the upstream Rust tests:
 * dkim/001 and dkim/003 the last signature passes, dkim/002, 004, 006 pass,
 * dkim/005 passes upstream only at the pinned time 1667843664: its x= is in
 * the past, so at the real date RFC 6376 3.5 makes it permerror "signature
 * expired", which is what is checked here (libopendkim has no verification
 * clock to pin), and
 * for arc/001 and arc/002 at least one DKIM-Signature passes (the ARC sets
 * are not judged here).  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dkim_verify.h"
#include "resolver.h"
#include "suite.h"
#include "tap.h"
#include "testfile.h"

#define SUITE_NAME "dkim-arc-stalwart"

struct stalwart_case {
	const char *file;
	bool last_only;		/* the last signature must pass, else any */
	bool expired;		/* instead: every signature is expired */
};

static const struct stalwart_case cases[] = {
	{ "dkim/001.txt", true, false },
	{ "dkim/002.txt", false, false },
	{ "dkim/003.txt", true, false },
	{ "dkim/004.txt", false, false },
	{ "dkim/005.txt", false, true },
	{ "dkim/006.txt", false, false },
	{ "arc/001.txt", false, false },
	{ "arc/002.txt", false, false },
};

/* write_zone - the DNS block [p, end) as a zone file at path. */
static int
write_zone(const char *p, const char *end, char *path, size_t size)
{
	FILE *out;
	int fd;

	snprintf(path, size, "/tmp/run_dkim_stalwart.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if ((out = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *sp;

		if (eol == NULL)
			eol = end;
		sp = memchr(p, ' ', (size_t)(eol - p));
		if (sp != NULL) {
			fprintf(out, "%.*s. TXT ", (int)(sp - p), p);
			test_put_txt(out, sp + 1, (size_t)(eol - sp - 1));
			fputc('\n', out);
		}
		p = eol + 1;
	}
	return fclose(out) == 0 ? 0 : -1;
}

/* feed_message - LF message: header fields (folds kept, CRLF) and body. */
static void
feed_message(struct dkim_msg *m, const char *p)
{
	char field[8192];
	size_t flen = 0;

	while (*p != '\0' && *p != '\n') {
		size_t n = strcspn(p, "\n");

		if (*p != ' ' && *p != '\t' && flen > 0) {
			dkim_msg_header(m, field, flen);
			flen = 0;
		}
		if (flen > 0 && flen + 2 < sizeof(field)) {
			memcpy(field + flen, "\r\n", 2);
			flen += 2;
		}
		if (flen + n < sizeof(field)) {
			memcpy(field + flen, p, n);
			flen += n;
		}
		p += n + (p[n] == '\n');
	}
	if (flen > 0)
		dkim_msg_header(m, field, flen);
	dkim_msg_eoh(m);
	if (*p == '\n')
		p++;
	while (*p != '\0') {
		size_t n = strcspn(p, "\n");

		dkim_msg_body(m, (const unsigned char *)p, n);
		if (p[n] == '\n')
			dkim_msg_body(m, (const unsigned char *)"\r\n", 2);
		p += n + (p[n] == '\n');
	}
}

/* verify_text - verify the message part of text with keys from zone. */
static int
verify_text(const char *zone, const char *msg, struct dkim_outcome *out,
    char *err, size_t errsize)
{
	struct resolver_config rc = { .zone_file = zone, .timeout_ms = 2000 };
	struct dkim_config cfg = { .min_key_bits = 0 };
	struct dkim_engine *e = NULL;
	struct dkim_msg *m = NULL;
	struct resolver *r;

	if ((r = resolver_new(&rc, err, errsize)) == NULL)
		return -1;
	if ((e = dkim_engine_new(&cfg, r, err, errsize)) == NULL ||
	    (m = dkim_msg_new(e, "stalwart")) == NULL) {
		dkim_engine_free(e);
		resolver_free(r);
		return -1;
	}
	feed_message(m, msg);
	dkim_msg_eom(m, out);
	dkim_msg_free(m);
	dkim_engine_free(e);
	resolver_free(r);
	return 0;
}

/* judged - did the case's expectation hold? */
static bool
judged(const struct stalwart_case *c, const struct dkim_outcome *o)
{
	size_t i;

	if (o->n == 0)
		return false;
	if (c->expired)
		return o->best == DKIM_RES_PERMERROR &&
		    strstr(o->sig[0].reason, "expired") != NULL;
	if (c->last_only)
		return o->sig[o->n - 1].result == DKIM_RES_PASS;
	for (i = 0; i < o->n; i++)
		if (o->sig[i].result == DKIM_RES_PASS)
			return true;
	return false;
}

/* run_case - one file of the suite. */
static void
run_case(struct suite *s, const struct stalwart_case *c)
{
	char *text = test_read_file(suite_path(s, c->file), NULL), *msg;
	char zone[64], err[256] = "";
	struct dkim_outcome out;
	size_t i;

	if (text == NULL || (msg = strstr(text, "\n\n")) == NULL) {
		suite_case(s, c->file, false, "cannot read or split");
		free(text);
		return;
	}
	if (write_zone(text, msg + 1, zone, sizeof(zone)) != 0) {
		suite_case(s, c->file, false, "cannot write the zone");
		free(text);
		return;
	}
	i = (size_t)verify_text(zone, msg + 2, &out, err, sizeof(err));
	unlink(zone);
	free(text);
	if (i != 0) {
		suite_case(s, c->file, false, "%s", err);
		return;
	}
	for (i = 0; i < out.n; i++)
		tap_diag("%s sig %zu d=%s a=%s %s %s", c->file, i, out.sig[i].d,
		    out.sig[i].a, dkim_result_name(out.sig[i].result),
		    out.sig[i].reason);
	suite_case(s, c->file, judged(c, &out), "best %s over %zu signatures",
	    dkim_result_name(out.best), out.n);
}

int
main(void)
{
	struct suite *s = suite_open(SUITE_NAME);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(s, &cases[i]);
	return suite_finish(s);
}
