/*
 * run_arc.c - conformance runner for ARC verification (milter/arc_verify.c)
 * over the resolver in zone-file mode:
 *   - arc-valimail: every test of arc-draft-validation-tests.yml (one
 *     zone file per scenario from its txt-records; the message's LF line
 *     ends converted to CRLF; the chain result compared case-insensitively
 *     with cv);
 *   - dkim-arc-stalwart/arc: arc/001.txt and arc/002.txt of the Stalwart
 *     vectors (DNS lines, a blank line, the message), both expected to pass
 *     (002 is sealed with ed25519-sha256 at i=1).
 * Data from ../shared/testdata or $AUTHMILTER_TESTDATA (tests/common/suite.h).
 * Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "arc_verify.h"
#include "dkim_feed.h"
#include "resolver.h"
#include "suite.h"
#include "tap.h"
#include "testfile.h"
#include "yaml_tree.h"

#define VALIMAIL_DIR "arc-valimail"
#define VALIMAIL_FILE "arc-draft-validation-tests.yml"
#define STALWART_DIR "dkim-arc-stalwart"

/* next_doc - copy the next "---"-separated document of in into path. */
static bool
next_doc(FILE *in, const char *path)
{
	char line[8192];
	FILE *out = fopen(path, "w");
	bool any = false;

	if (out == NULL)
		return false;
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "---", 3) == 0) {
			if (any)
				break;
			continue;
		}
		any = true;
		fputs(line, out);
	}
	fclose(out);
	return any;
}

/* put_record - one "name TXT value" line; line breaks of value dropped. */
static void
put_record(FILE *out, const char *name, size_t nlen, const char *val, size_t vlen)
{
	char *clean = malloc(vlen + 1);
	size_t k, n = 0;

	if (clean == NULL)
		return;
	for (k = 0; k < vlen; k++)
		if (val[k] != '\n' && val[k] != '\r')
			clean[n++] = val[k];
	clean[n] = '\0';
	fprintf(out, "%.*s. TXT ", (int)nlen, name);
	test_put_txt(out, clean, n);
	fputc('\n', out);
	free(clean);
}

/* verify - the chain result of msg with DNS from the zone file zone. */
static int
verify(const char *zone, const char *msg, struct arc_outcome *out, char *err,
    size_t errsize)
{
	struct resolver_config rc = { .zone_file = zone, .timeout_ms = 2000 };
	struct arc_config cfg = { .min_key_bits = 0 };
	struct arc_engine *e = NULL;
	struct arc_msg *m = NULL;
	struct resolver *r;

	if ((r = resolver_new(&rc, err, errsize)) == NULL)
		return -1;
	if ((e = arc_engine_new(&cfg, r, err, errsize)) == NULL ||
	    (m = arc_msg_new(e)) == NULL) {
		arc_engine_free(e);
		resolver_free(r);
		return -1;
	}
	arc_feed_message(m, msg, strlen(msg), 0);
	arc_msg_eom(m, out);
	arc_msg_free(m);
	arc_engine_free(e);
	resolver_free(r);
	return 0;
}

/* diag_outcome - the per-set details as TAP diagnostics. */
static void
diag_outcome(const char *id, const struct arc_outcome *o)
{
	unsigned k;

	tap_diag("%s: chain %s (%s) oldest_pass %u", id, arc_chain_name(o->chain),
	    o->reason, o->oldest_pass);
	for (k = 0; k < o->n; k++)
		tap_diag("%s:   i=%u cv=%s seal %s/%s ams %s/%s st %d/%d bits %u %s", id,
		    o->set[k].i, o->set[k].cv, o->set[k].seal_d, o->set[k].seal_s,
		    o->set[k].ams_d, o->set[k].ams_s, (int)o->set[k].seal, (int)o->set[k].ams,
		    o->set[k].key_bits, o->set[k].reason);
}

/* run_test - one validation test of a scenario. */
static void
run_test(struct suite *s, const char *id, const struct ynode *t, const char *zone)
{
	const char *msg = ynode_str(t, "message");
	const char *want = ynode_str(t, "cv");
	struct arc_outcome out;
	char err[256] = "";

	arc_outcome_init(&out);
	if (verify(zone, msg != NULL ? msg : "", &out, err, sizeof(err)) != 0) {
		suite_case(s, id, false, "%s", err);
		return;
	}
	if (want == NULL)
		want = "";
	if (strcasecmp(arc_chain_name(out.chain), want) != 0)
		diag_outcome(id, &out);
	else if (out.chain == ARC_CHAIN_FAIL)
		tap_diag("%s: fail: %s", id, out.reason);
	suite_case(s, id, strcasecmp(arc_chain_name(out.chain), want) == 0,
	    "got %s (%s), want \"%s\"", arc_chain_name(out.chain), out.reason, want);
	arc_outcome_free(&out);
}

/*
 * redefined - is key k of map defined again later?  "Arc Seal Fields"
 * defines four test names twice; like the upstream harness (PyYAML), the
 * last definition counts, which gives the README's 171 tests.
 */
static bool
redefined(const struct ynode *map, size_t k)
{
	size_t j;

	for (j = k + 1; j < map->n; j++)
		if (strcmp(map->keys[j], map->keys[k]) == 0)
			return true;
	return false;
}

/* run_scenario - write the scenario's zone, run each of its tests. */
static void
run_scenario(struct suite *s, const struct ynode *doc, const char *zpath)
{
	const struct ynode *tests = ynode_get(doc, "tests");
	const struct ynode *txt = ynode_get(doc, "txt-records");
	FILE *out = fopen(zpath, "w");
	size_t k;

	if (out == NULL || tests == NULL || tests->type != YNODE_MAP) {
		if (out != NULL)
			fclose(out);
		suite_case(s, "scenario", false, "no tests or no zone file");
		return;
	}
	for (k = 0; txt != NULL && txt->type == YNODE_MAP && k < txt->n; k++)
		if (txt->items[k]->type == YNODE_SCALAR)
			put_record(out, txt->keys[k], strlen(txt->keys[k]),
			    txt->items[k]->scalar, txt->items[k]->scalar_len);
	fclose(out);
	for (k = 0; k < tests->n; k++)
		if (!redefined(tests, k))
			run_test(s, tests->keys[k], tests->items[k], zpath);
}

/* run_valimail - every scenario of the validation file. */
static void
run_valimail(const char *dpath, const char *zpath)
{
	struct suite *s = suite_open(VALIMAIL_DIR);
	char err[256];
	struct ynode *doc;
	FILE *in;

	if ((in = fopen(suite_path(s, VALIMAIL_FILE), "r")) == NULL) {
		suite_case(s, "open", false, "cannot open %s", VALIMAIL_FILE);
		suite_close(s);
		return;
	}
	while (next_doc(in, dpath)) {
		err[0] = '\0';
		doc = yaml_load_file(dpath, err, sizeof(err));
		if (doc != NULL && doc->type == YNODE_MAP)
			run_scenario(s, doc, zpath);
		else if (err[0] != '\0')
			suite_case(s, "parse", false, "%s: %s", VALIMAIL_FILE, err);
		ynode_free(doc);
	}
	fclose(in);
	suite_close(s);
}

/* stalwart_zone - the DNS block [p, end) of a Stalwart file as a zone. */
static int
stalwart_zone(const char *p, const char *end, const char *zpath)
{
	FILE *out = fopen(zpath, "w");
	const char *eol, *sp;

	if (out == NULL)
		return -1;
	while (p < end) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if ((sp = memchr(p, ' ', (size_t)(eol - p))) != NULL)
			put_record(out, p, (size_t)(sp - p), sp + 1, (size_t)(eol - sp - 1));
		p = eol + 1;
	}
	return fclose(out) == 0 ? 0 : -1;
}

/* run_stalwart_case - one Stalwart ARC file, expected to pass. */
static void
run_stalwart_case(struct suite *s, const char *file, const char *zpath)
{
	char *text = test_read_file(suite_path(s, file), NULL), *msg;
	struct arc_outcome out;
	char err[256] = "";

	if (text == NULL || (msg = strstr(text, "\n\n")) == NULL ||
	    stalwart_zone(text, msg + 1, zpath) != 0) {
		suite_case(s, file, false, "cannot read, split or write the zone");
		free(text);
		return;
	}
	arc_outcome_init(&out);
	if (verify(zpath, msg + 2, &out, err, sizeof(err)) != 0) {
		suite_case(s, file, false, "%s", err);
		free(text);
		return;
	}
	diag_outcome(file, &out);
	suite_case(s, file, out.chain == ARC_CHAIN_PASS, "got %s (%s)",
	    arc_chain_name(out.chain), out.reason);
	arc_outcome_free(&out);
	free(text);
}

int
main(void)
{
	static const char *const stalwart[] = { "arc/001.txt", "arc/002.txt" };
	char dpath[] = "/tmp/run_arc_docXXXXXX";
	char zpath[] = "/tmp/run_arc_zoneXXXXXX";
	struct suite *s;
	int fd1, fd2;
	size_t k;

	fd1 = mkstemp(dpath);
	fd2 = mkstemp(zpath);
	if (fd1 < 0 || fd2 < 0) {
		tap_ok(false, "cannot create temporary files");
		return tap_done();
	}
	close(fd1);
	close(fd2);
	run_valimail(dpath, zpath);
	s = suite_open_as(STALWART_DIR, STALWART_DIR "/arc");
	for (k = 0; k < sizeof(stalwart) / sizeof(stalwart[0]); k++)
		run_stalwart_case(s, stalwart[k], zpath);
	suite_close(s);
	unlink(dpath);
	unlink(zpath);
	return tap_done();
}
