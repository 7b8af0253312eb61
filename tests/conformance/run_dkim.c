/*
 * run_dkim.c - conformance runner for testdata/dkim-mail-dkim-corpus (the
 * Mail::DKIM verification corpus) through the real stack: libopendkim via
 * milter/dkim_verify.c, keys from the resolver in zone-file mode.
 *
 * FAKE_DNS.dat is converted to a temporary master-format zone file:
 * NXDOMAIN lines are left out (absent names are NXDOMAIN), "~~Query timed
 * out~~" and "~~SERVFAIL~~" become TIMEOUT names, other rdata becomes one
 * TXT record split into 255-byte character-strings.
 *
 * Each active DKIM-Signature case is verified and the best result over its
 * signatures compared with Mail::DKIM's default-mode verdict: pass -> pass,
 * fail -> fail, invalid -> neutral or permerror (or temperror when a key
 * record of the case is a timeout/SERVFAIL name).  Cases that RFC 8301
 * changes (rsa-sha1, keys under 1024 bits) are listed in deviations.tsv.
 * Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dkim_feed.h"
#include "dkim_verify.h"
#include "resolver.h"
#include "suite.h"
#include "testfile.h"
#include "tsv.h"

#define SUITE_NAME "dkim-mail-dkim-corpus"
#define MAX_TIMEOUT_NAMES 16

/* Names FAKE_DNS.dat makes fail temporarily. */
static char timeout_names[MAX_TIMEOUT_NAMES][256];
static size_t n_timeout_names;

/* convert_line - one FAKE_DNS.dat line to the zone file. */
static void
convert_line(FILE *out, char *line)
{
	char *name = line, *rdata;
	size_t len;

	line[strcspn(line, "\r\n")] = '\0';
	if (line[0] == '\0' || line[0] == '#' || line[0] == ';')
		return;
	len = strcspn(line, " \t");
	if (line[len] == '\0')
		return;
	line[len] = '\0';
	rdata = line + len + 1;
	rdata += strspn(rdata, " \t");
	len = strlen(rdata);
	while (len > 0 && (rdata[len - 1] == ' ' || rdata[len - 1] == '\t'))
		rdata[--len] = '\0';
	if (strcmp(rdata, "NXDOMAIN") == 0)
		return;
	if (strcmp(rdata, "~~Query timed out~~") == 0 ||
	    strcmp(rdata, "~~SERVFAIL~~") == 0) {
		fprintf(out, "%s. TIMEOUT\n", name);
		if (n_timeout_names < MAX_TIMEOUT_NAMES)
			snprintf(timeout_names[n_timeout_names++], 256, "%.255s",
			    name);
		return;
	}
	if (strcmp(rdata, "\"\"") == 0)
		len = 0;
	fprintf(out, "%s. TXT ", name);
	test_put_txt(out, rdata, len);
	fputc('\n', out);
}

/* make_zone - convert FAKE_DNS.dat into a temporary zone file at path. */
static int
make_zone(const char *dat, char *path, size_t size)
{
	char line[8192];
	FILE *in, *out;
	int fd;

	snprintf(path, size, "/tmp/run_dkim_zone.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if ((out = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	if ((in = fopen(dat, "r")) == NULL) {
		fclose(out);
		return -1;
	}
	while (fgets(line, sizeof(line), in) != NULL)
		convert_line(out, line);
	fclose(in);
	return fclose(out) == 0 ? 0 : -1;
}

/* has_timeout_key - does key_records name a TIMEOUT name? */
static bool
has_timeout_key(const char *key_records)
{
	size_t i;

	for (i = 0; i < n_timeout_names; i++)
		if (strstr(key_records, timeout_names[i]) != NULL)
			return true;
	return false;
}

/* verdict_ok - does our best result match Mail::DKIM's verdict? */
static bool
verdict_ok(const char *expected, enum dkim_result best, bool timeout_key)
{
	if (strcmp(expected, "pass") == 0)
		return best == DKIM_RES_PASS;
	if (strcmp(expected, "fail") == 0)
		return best == DKIM_RES_FAIL;
	if (strcmp(expected, "invalid") == 0)
		return best == DKIM_RES_NEUTRAL || best == DKIM_RES_PERMERROR ||
		    (timeout_key && best == DKIM_RES_TEMPERROR);
	return false;
}

/* describe - the per-signature results as one line. */
static void
describe(const struct dkim_outcome *o, char *buf, size_t size)
{
	size_t i, used = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < o->n && used < size; i++) {
		n = snprintf(buf + used, size - used, "%s[d=%s s=%s a=%s %s%s%s]",
		    i ? " " : "", o->sig[i].d, o->sig[i].s, o->sig[i].a,
		    dkim_result_name(o->sig[i].result),
		    o->sig[i].reason[0] ? ": " : "", o->sig[i].reason);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* run_case - verify one corpus message and report it. */
static void
run_case(struct suite *s, struct dkim_engine *e, const struct tsv_row *row)
{
	const char *file = tsv_get(row, 0), *expected = tsv_get(row, 1);
	char rel[512], detail[1024];
	struct dkim_outcome out;
	struct dkim_msg *m;
	size_t len = 0;
	char *msg;

	snprintf(rel, sizeof(rel), "corpus/%s", file);
	if ((msg = test_read_file(suite_path(s, rel), &len)) == NULL) {
		suite_case(s, file, false, "cannot read %s", rel);
		return;
	}
	m = dkim_msg_new(e, file);
	if (m == NULL) {
		free(msg);
		suite_case(s, file, false, "dkim_msg_new failed");
		return;
	}
	dkim_feed_message(m, msg, len);
	dkim_msg_eom(m, &out);
	dkim_msg_free(m);
	free(msg);
	describe(&out, detail, sizeof(detail));
	suite_case(s, file, verdict_ok(expected, out.best,
	    has_timeout_key(tsv_get(row, 6))), "expected %s, got %s %s%s",
	    expected, dkim_result_name(out.best), detail, out.error);
}

int
main(void)
{
	struct suite *s = suite_open(SUITE_NAME);
	struct resolver_config rc = { .timeout_ms = 2000 };
	struct dkim_engine *e;
	struct resolver *r;
	char zone[64], err[256];
	struct tsv t;
	size_t i;
	int status;

	if (make_zone(suite_path(s, "FAKE_DNS.dat"), zone, sizeof(zone)) != 0) {
		fprintf(stderr, "run_dkim: cannot build the zone file\n");
		return 99;
	}
	rc.zone_file = zone;
	r = resolver_new(&rc, err, sizeof(err));
	unlink(zone);
	if (r == NULL || (e = dkim_engine_new(NULL, r, err, sizeof(err))) == NULL) {
		fprintf(stderr, "run_dkim: %s\n", err);
		resolver_free(r);
		return 99;
	}
	if (tsv_load(suite_path(s, "expected.tsv"), &t) != 0) {
		fprintf(stderr, "run_dkim: cannot read expected.tsv\n");
		return 99;
	}
	for (i = 0; i < t.nrows; i++)
		if (strcmp(tsv_get(&t.rows[i], 3), "active") == 0 &&
		    strcmp(tsv_get(&t.rows[i], 4), "DKIM") == 0)
			run_case(s, e, &t.rows[i]);
	tsv_free(&t);
	status = suite_finish(s);
	dkim_engine_free(e);
	resolver_free(r);
	return status;
}
