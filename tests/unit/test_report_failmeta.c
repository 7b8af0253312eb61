/*
 * test_report_failmeta.c - unit tests for the failure report sender's
 * parser and rate limit: the .meta of a spooled failure report
 * (reports/failmeta.c: the contract's example, the outcome lines, the
 * limits of doc/report-spool.md, strictness) as a table of {name, input,
 * want}, and the rate limit's counting and state file (reports/failrate.c:
 * per domain, per address, the round trip, stale windows dropped, a
 * malformed line ignored).  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "failmeta.h"
#include "failrate.h"
#include "str.h"
#include "tap.h"

#define NAME "/spool/outgoing/1796575494.4242.1.0a1b2c3d.meta"
#define HEAD \
	"format afrf-1\n" \
	"policy_domain example.com\n" \
	"org_domain example.com\n" \
	"created 1796575494\n" \
	"source_ip 192.0.2.1\n"
#define RUF2 "ruf mailto:dmarc-failures@example.com!50k\nruf mailto:failures@thirdparty.example\n"
#define DOC HEAD RUF2		/* the example of doc/report-spool.md */

struct failmeta_case {
	const char *name;
	const char *text;
	const char *err;	/* NULL: META_OK; else a substring of the error */
	size_t n_dest;		/* on OK */
	const char *done;	/* on OK: per destination d(ue) s(ent) k(skipped) x (dropped) */
};

static const struct failmeta_case cases[] = {
	{ "doc example", DOC, NULL, 2, "dd" },
	{ "doc example with send-failures' lines", DOC
	    "sent mailto:dmarc-failures@example.com!50k 1796575500\n"
	    "dropped mailto:failures@thirdparty.example 1796575500 rate limit (10/h for example.com)\n",
	    NULL, 2, "sx" },
	{ "skipped line", DOC "skipped mailto:failures@thirdparty.example 1796575500 not authorized "
	    "(no v=DMARC1 at example.com._report._dmarc.thirdparty.example)\n", NULL, 2, "dk" },
	{ "IPv6 source", "format afrf-1\npolicy_domain example.com\norg_domain example.com\n"
	    "created 1\nsource_ip 2001:db8::1\n" RUF2, NULL, 2, "dd" },
	{ "identical ruf lines are one destination", DOC "ruf mailto:failures@thirdparty.example\n",
	    NULL, 2, "dd" },
	{ "another scheme kept (send-failures skips it)", DOC "ruf https://r.example.net/x\n", NULL,
	    3, "ddd" },
	{ "wrong format", "format dmarc-2.0\n" RUF2, "format must be afrf-1", 0, NULL },
	{ "an aggregate key", DOC "rua mailto:x@example.com\n", "unknown key \"rua\"", 0, NULL },
	{ "no ruf", HEAD, "no ruf line", 0, NULL },
	{ "no source_ip", "format afrf-1\npolicy_domain example.com\norg_domain example.com\n"
	    "created 1\n" RUF2, "no source_ip line", 0, NULL },
	{ "bad source_ip", "format afrf-1\npolicy_domain example.com\norg_domain example.com\n"
	    "created 1\nsource_ip 192.0.2\n" RUF2, "source_ip is not an IP address", 0, NULL },
	{ "policy domain not normalised", "format afrf-1\npolicy_domain Example.COM\n"
	    "org_domain example.com\ncreated 1\nsource_ip 192.0.2.1\n" RUF2, "normalised form", 0,
	    NULL },
	{ "key twice", DOC "created 2\n", "created given twice", 0, NULL },
	{ "outcome for an unknown destination", DOC "sent mailto:x@example.com 1\n",
	    "no ruf line above it", 0, NULL },
	{ "second outcome line", DOC "sent mailto:failures@thirdparty.example 1\n"
	    "dropped mailto:failures@thirdparty.example 2 rate limit\n", "second done line", 0, NULL },
	{ "ruf after an outcome line", DOC "sent mailto:failures@thirdparty.example 1\n"
	    "ruf mailto:late@example.com\n", "ruf line after a sent/skipped/dropped line", 0, NULL },
	{ "trailing text after a sent line", DOC "sent mailto:failures@thirdparty.example 1 x\n",
	    "trailing text", 0, NULL },
	{ "blank in a ruf", DOC "ruf mailto:a@example.com x\n", "bad characters or blanks", 0, NULL },
	{ "no newline at the end", HEAD "ruf mailto:a@example.com", "last line has no newline", 0,
	    NULL },
	{ "empty line", HEAD "\n" RUF2, "empty line", 0, NULL },
};

/* done_letters - one letter per destination. */
static void
done_letters(const struct failmeta *m, char *out)
{
	static const char letter[] = { 'd', 's', 'k', 'x' };
	size_t i;

	for (i = 0; i < m->n_dest; i++)
		out[i] = letter[m->dest[i].done];
	out[i] = '\0';
}

/* test_cases - the table. */
static void
test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct failmeta_case *c = &cases[i];
		char err[512] = "", done[META_MAX_DEST + 1];
		struct failmeta m;
		enum meta_status st;

		st = failmeta_parse(c->text, strlen(c->text), NAME, &m, err, sizeof(err));
		if (c->err == NULL) {
			done_letters(&m, done);
			if (!tap_ok(st == META_OK && m.n_dest == c->n_dest && strcmp(done, c->done) == 0,
			    "failmeta: %s", c->name))
				tap_diag("status %d, %zu destinations (%s), err %s", (int)st, m.n_dest,
				    done, err);
		} else if (!tap_ok(st == META_BAD && strstr(err, c->err) != NULL &&
		    strncmp(err, NAME ":", strlen(NAME) + 1) == 0, "failmeta: %s: refused", c->name)) {
			tap_diag("status %d, err \"%s\", want \"%s\"", (int)st, err, c->err);
		}
		failmeta_free(&m);
	}
}

/* test_limits - 32 ruf lines, not 33; the daemon's part at most 16 KiB, outcome lines beyond. */
static void
test_limits(void)
{
	struct str t = STR_INITIALIZER(FAILMETA_MAX_BYTES * 2);
	struct failmeta m;
	char err[512];
	int i;

	str_appends(&t, HEAD);
	for (i = 0; i < 32; i++)
		str_printf(&t, "ruf mailto:r%d-%0900d@example.com\n", i, 0);
	tap_ok(failmeta_parse(t.s, t.len, NAME, &m, err, sizeof(err)) == META_BAD &&
	    strstr(err, "the daemon's part is larger than 16384 bytes") != NULL,
	    "failmeta: 32 long ruf lines are more than 16 KiB: refused");
	failmeta_free(&m);
	str_reset(&t);
	str_appends(&t, HEAD);
	for (i = 0; i < 32; i++)
		str_printf(&t, "ruf mailto:r%d@example.com\n", i);
	tap_ok(failmeta_parse(t.s, t.len, NAME, &m, err, sizeof(err)) == META_OK && m.n_dest == 32,
	    "failmeta: 32 ruf lines");
	failmeta_free(&m);
	for (i = 0; i < 32; i++)
		str_printf(&t, "skipped mailto:r%d@example.com 1 %0290d\n", i, 0);
	tap_ok(failmeta_parse(t.s, t.len, NAME, &m, err, sizeof(err)) == META_OK &&
	    failmeta_all_done(&m), "failmeta: 32 outcome lines with long reasons beyond the daemon's part");
	failmeta_free(&m);
	str_printf(&t, "ruf mailto:r32@example.com\n");
	tap_ok(failmeta_parse(t.s, t.len, NAME, &m, err, sizeof(err)) == META_BAD,
	    "failmeta: a 33rd ruf: refused");
	failmeta_free(&m);
	str_free(&t);
}

/* test_rate - counting per domain and per address, the state file's round trip. */
static void
test_rate(void)
{
	char path[] = "/tmp/test_failrate.XXXXXX", err[512], why[400];
	struct failrate fr;
	FILE *f;
	int fd = mkstemp(path);

	if (fd < 0) {
		tap_ok(false, "failrate: mkstemp");
		return;
	}
	close(fd);
	unlink(path);
	tap_ok(failrate_load(&fr, "2/h", 7200 + 10, path, err, sizeof(err)) == FAILRATE_OK &&
	    fr.window == 7200 && fr.limit == 2, "failrate: no state file yet");
	tap_ok(failrate_allows(&fr, "example.com", "a@example.com", why, sizeof(why)),
	    "failrate: the first allowed");
	failrate_count(&fr, "example.com", "a@example.com");
	failrate_count(&fr, "example.org", "b@example.com");
	tap_ok(failrate_allows(&fr, "example.com", "c@example.com", why, sizeof(why)),
	    "failrate: a second for the domain allowed");
	failrate_count(&fr, "example.com", "c@example.com");
	tap_ok(!failrate_allows(&fr, "example.com", "d@example.com", why, sizeof(why)) &&
	    strcmp(why, "2/h for example.com") == 0, "failrate: a third for the domain refused");
	failrate_count(&fr, "example.net", "b@example.com");
	tap_ok(!failrate_allows(&fr, "example.edu", "b@example.com", why, sizeof(why)) &&
	    strcmp(why, "2/h to b@example.com") == 0, "failrate: a third to the address refused");
	tap_ok(failrate_save(&fr, path, err, sizeof(err)) == FAILRATE_OK, "failrate: saved");
	failrate_free(&fr);
	if ((f = fopen(path, "a")) != NULL) {
		fputs("garbage\ndomain:old.example 3600 9\n", f);
		fclose(f);
	}
	tap_ok(failrate_load(&fr, "2/h", 7200 + 3599, path, err, sizeof(err)) == FAILRATE_OK &&
	    fr.counts.n == 6 && fr.ignored == 1, "failrate: read back, the stale window dropped, "
	    "the malformed line ignored (%zu keys, %u ignored)", fr.counts.n, fr.ignored);
	tap_ok(!failrate_allows(&fr, "example.com", "e@example.com", why, sizeof(why)),
	    "failrate: the counts survive");
	failrate_free(&fr);
	tap_ok(failrate_load(&fr, "2/h", 7200 + 3600, path, err, sizeof(err)) == FAILRATE_OK &&
	    fr.counts.n == 0 && failrate_allows(&fr, "example.com", "a@example.com", why,
	    sizeof(why)), "failrate: the next window starts from nothing");
	failrate_free(&fr);
	tap_ok(failrate_load(&fr, "2/w", 0, path, err, sizeof(err)) == FAILRATE_ERROR,
	    "failrate: a malformed rate refused");
	failrate_free(&fr);
	unlink(path);
}

int
main(void)
{
	test_cases();
	test_limits();
	test_rate();
	return tap_done();
}
