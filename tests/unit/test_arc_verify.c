/*
 * test_arc_verify.c - table tests for milter/arc_verify.c over the
 * resolver in zone-file mode (tests/unit/arc/keys.zone): an RSA-3072 chain
 * (the key size that crashed the incumbent), a two-hop chain whose first
 * AMS is broken by a later header change (oldest_pass), body changes, the
 * minimum key size, a key lookup timing out (temperror), a cv= that breaks
 * the structure, no ARC at all, "ARC-Seal: i=1; none", and the header
 * limits; then threads sharing one engine and resolver verify both
 * chains at once.  The fixtures were signed with dkimpy.  TAP program; only
 * main reports.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arc_verify.h"
#include "dkim_feed.h"
#include "resolver.h"
#include "tap.h"
#include "testfile.h"

/* The body is fed in pieces of this many bytes, to exercise the streaming. */
#define BODY_PIECE 64

struct verify_case {
	const char *name;
	const char *file;		/* under tests/unit/arc/, NULL: text */
	const char *text;		/* the message when file is NULL */
	const char *from, *to;		/* replace every from by to, or NULL */
	unsigned min_bits;
	enum arc_chain want;
	unsigned n;
	unsigned oldest_pass;
	bool temperror;
	const char *reason;		/* a substring of the reason, or NULL */
};

static const struct verify_case cases[] = {
	{ "rsa-3072 chain passes", "rsa3072.eml", NULL, NULL, NULL, 0, ARC_CHAIN_PASS, 1, 1,
	  false, NULL },
	{ "body changed", "rsa3072.eml", NULL, "This is a test", "This is a tost", 0,
	  ARC_CHAIN_FAIL, 1, 0, false, "body hash mismatch" },
	{ "signed header changed", "rsa3072.eml", NULL, "Subject: Example 3072",
	  "Subject: Example 3073", 0, ARC_CHAIN_FAIL, 1, 0, false, "does not verify" },
	{ "AAR changed", "rsa3072.eml", NULL, "dmarc=pass\r\nAuthentication", "dmarc=fail\r\n"
	  "Authentication", 0, ARC_CHAIN_FAIL, 1, 0, false, "ARC-Seal: signature does not verify" },
	{ "key under the minimum", "rsa3072.eml", NULL, NULL, NULL, 4096, ARC_CHAIN_FAIL, 1, 0,
	  false, "3072 bits" },
	{ "key lookup times out", "rsa3072.eml", NULL, "s=big", "s=slow", 0, ARC_CHAIN_FAIL, 1,
	  0, true, "tempfail" },
	{ "no key", "rsa3072.eml", NULL, "s=big", "s=gone", 0, ARC_CHAIN_FAIL, 1, 0, false,
	  "no key" },
	{ "two hops pass", "two-hops.eml", NULL, NULL, NULL, 0, ARC_CHAIN_PASS, 2, 1, false, NULL },
	{ "two hops, first AMS broken", "two-hops.eml", NULL, "Subject: Example 3072",
	  "Subject: Example changed", 0, ARC_CHAIN_PASS, 2, 2, false, NULL },
	{ "two hops, second seal cv=none", "two-hops.eml", NULL, "i=2; cv=pass", "i=2; cv=none",
	  0, ARC_CHAIN_FAIL, 2, 0, false, "cv=none, not pass" },
	{ "two hops, newest cv=fail", "two-hops.eml", NULL, "i=2; cv=pass", "i=2; cv=fail", 0,
	  ARC_CHAIN_FAIL, 2, 0, false, "cv=fail" },
	{ "two hops, first set missing its AAR", "two-hops.eml", NULL,
	  "ARC-Authentication-Results: i=1", "X-Old-AAR: i=1", 0, ARC_CHAIN_FAIL, 2, 0, false,
	  "ARC-Authentication-Results i=1 missing" },
	{ "no ARC", NULL, "From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n", NULL, NULL, 0,
	  ARC_CHAIN_NONE, 0, 0, false, NULL },
	{ "historic crash: ARC-Seal: i=1; none", NULL,
	  "ARC-Seal: i=1; none\r\nFrom: a@example.org\r\n\r\nbody\r\n", NULL, NULL, 0,
	  ARC_CHAIN_FAIL, 0, 0, false, "malformed ARC-Seal" },
	{ "gap in instances", NULL, "ARC-Seal: i=2; a=rsa-sha256; cv=pass; d=e.example; s=s;"
	  " b=dGVzdA==\r\nFrom: a@example.org\r\n\r\nbody\r\n", NULL, NULL, 0, ARC_CHAIN_FAIL, 2, 0,
	  false, "i=1 missing" },
};

/* edit - text with every from replaced by to (malloc'd). */
static char *
edit(const char *text, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	const char *p = text, *q;
	char *out;

	for (q = strstr(p, from); q != NULL; q = strstr(q + fl, from))
		n++;
	if ((out = malloc(strlen(text) + n * (tl > fl ? tl - fl : 0) + 1)) == NULL)
		return NULL;
	out[0] = '\0';
	n = 0;
	while ((q = strstr(p, from)) != NULL) {
		memcpy(out + n, p, (size_t)(q - p));
		n += (size_t)(q - p);
		memcpy(out + n, to, tl);
		n += tl;
		p = q + fl;
	}
	memcpy(out + n, p, strlen(p) + 1);
	return out;
}

/* load - the case's message text (malloc'd). */
static char *
load(const struct verify_case *c)
{
	char path[4096];
	char *text, *edited;

	if (c->file == NULL)
		text = strdup(c->text);
	else {
		snprintf(path, sizeof(path), "%s/tests/unit/arc/%s", test_srcdir(), c->file);
		text = test_read_file(path, NULL);
	}
	if (text == NULL || c->from == NULL)
		return text;
	edited = edit(text, c->from, c->to);
	free(text);
	return edited;
}

/* run_case - verify one message and compare. */
static void
run_case(struct resolver *r, const struct verify_case *c, struct arc_outcome *out)
{
	struct arc_config cfg = { .min_key_bits = c->min_bits, .dns_budget_ms = 3000 };
	char err[256] = "", *text = load(c);
	struct arc_engine *e = arc_engine_new(&cfg, r, err, sizeof(err));
	struct arc_msg *m = e != NULL ? arc_msg_new(e) : NULL;

	if (!tap_ok(text != NULL && m != NULL, "%s: set up %s", c->name, err)) {
		free(text);
		arc_engine_free(e);
		return;
	}
	arc_feed_message(m, text, strlen(text), BODY_PIECE);
	arc_msg_eom(m, out);
	arc_msg_free(m);
	arc_engine_free(e);
	free(text);
	tap_streq(arc_chain_name(out->chain), arc_chain_name(c->want), "%s: chain (%s)", c->name,
	    out->reason);
	tap_inteq(out->n, c->n, "%s: instances", c->name);
	tap_inteq(out->oldest_pass, c->oldest_pass, "%s: oldest_pass", c->name);
	tap_inteq(out->temperror, c->temperror, "%s: temperror", c->name);
	if (c->reason != NULL && !tap_ok(strstr(out->reason, c->reason) != NULL,
	    "%s: reason has \"%s\"", c->name, c->reason))
		tap_diag("reason: %s", out->reason);
}

/* test_details - what a passing RSA-3072 chain reports per set. */
static void
test_details(const struct arc_outcome *o)
{
	tap_inteq(o->set[0].i, 1, "set 1: i");
	tap_streq(o->set[0].seal_d, "example.org", "set 1: seal d=");
	tap_streq(o->set[0].seal_s, "big", "set 1: seal s=");
	tap_streq(o->set[0].ams_d, "example.org", "set 1: AMS d=");
	tap_streq(o->set[0].cv, "none", "set 1: cv=");
	tap_inteq(o->set[0].key_bits, 3072, "set 1: seal key bits");
	tap_inteq(o->set[0].seal, ARC_SIG_PASS, "set 1: seal passes");
	tap_inteq(o->set[0].ams, ARC_SIG_PASS, "set 1: AMS passes");
	tap_streq(o->set[0].reason, "", "set 1: no reason");
	tap_streq(str_cstr(&o->set[0].aar), "lists.example.org; spf=pass smtp.mfrom=jqd@d1.example;"
	    "  dkim=pass header.i=@d1.example;  dmarc=pass", "set 1: AAR text unfolded");
}

/* over_limit_outcome - feed n filler fields, with an ARC-Seal first when
 * arc_first; the return of the last call, the outcome in out. */
static int
over_limit_outcome(struct arc_engine *e, int n, bool arc_first,
    struct arc_outcome *out)
{
	struct arc_msg *m = arc_msg_new(e);
	int k, rc = 0;
	const char *seal = "ARC-Seal: i=1; a=rsa-sha256; cv=none; d=x.example; s=s; b=AAAA";

	if (arc_first)
		rc = arc_msg_header(m, seal, strlen(seal));
	for (k = 0; k < n; k++)
		rc = arc_msg_header(m, "X-Filler: x", 11);
	arc_msg_eoh(m);
	arc_msg_eom(m, out);
	arc_msg_free(m);
	return rc;
}

/* test_limits - more header fields than kept: -1; a failing chain when the
 * message carries ARC fields, none when it carries none. */
static void
test_limits(struct resolver *r, struct arc_outcome *out)
{
	struct arc_config cfg = { .min_key_bits = 0 };
	char err[256];
	struct arc_engine *e = arc_engine_new(&cfg, r, err, sizeof(err));

	tap_inteq(over_limit_outcome(e, 2048, true, out), -1, "over 2048 header fields: -1");
	tap_streq(arc_chain_name(out->chain), "fail", "over the limit with ARC: fail (%s)",
	    out->reason);
	tap_ok(strstr(out->reason, "limits") != NULL, "the reason names the limit");
	tap_inteq(over_limit_outcome(e, 2049, false, out), -1, "2049 fields without ARC: -1");
	tap_streq(arc_chain_name(out->chain), "none", "over the limit without ARC: none");
	tap_inteq(over_limit_outcome(e, 2047, true, out), 0, "2048 fields: kept");
	tap_streq(arc_chain_name(out->chain), "fail", "under the limit: the seal itself fails (%s)",
	    out->reason);
	tap_ok(strstr(out->reason, "limits") == NULL, "not for the limit");
	arc_engine_free(e);
	tap_ok(arc_engine_new(&cfg, NULL, err, sizeof(err)) == NULL, "no resolver: no engine");
	arc_msg_free(NULL);
	arc_engine_free(NULL);
	tap_streq(arc_chain_name(ARC_CHAIN_PASS), "pass", "chain name");
}

#define THREADS 4
#define ROUNDS 10

struct worker {
	pthread_t tid;
	struct arc_engine *e;
	const char *text[2];
	int bad;
};

/* worker_run - verify both chains ROUNDS times; count wrong results. */
static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct arc_outcome *out = malloc(sizeof(*out));
	struct arc_msg *m;
	int k, j;

	if (out == NULL) {
		w->bad++;
		return NULL;
	}
	arc_outcome_init(out);
	for (k = 0; k < ROUNDS; k++)
		for (j = 0; j < 2; j++) {
			if ((m = arc_msg_new(w->e)) == NULL) {
				w->bad++;
				continue;
			}
			arc_feed_message(m, w->text[j], strlen(w->text[j]), BODY_PIECE);
			arc_msg_eom(m, out);
			arc_msg_free(m);
			if (out->chain != ARC_CHAIN_PASS || out->n != (unsigned)j + 1)
				w->bad++;
		}
	arc_outcome_free(out);
	free(out);
	return NULL;
}

/* test_threads - THREADS threads on one engine and resolver. */
static void
test_threads(struct resolver *r)
{
	struct arc_config cfg = { .dns_budget_ms = 5000 };
	struct worker w[THREADS];
	char err[256];
	struct arc_engine *e = arc_engine_new(&cfg, r, err, sizeof(err));
	char *t0 = load(&cases[0]), *t1 = load(&cases[7]);
	int k, bad = 0, started = 0;

	for (k = 0; e != NULL && t0 != NULL && t1 != NULL && k < THREADS; k++) {
		w[k] = (struct worker){ .e = e, .text = { t0, t1 } };
		if (pthread_create(&w[k].tid, NULL, worker_run, &w[k]) == 0)
			started++;
		else
			break;
	}
	for (k = 0; k < started; k++) {
		pthread_join(w[k].tid, NULL);
		bad += w[k].bad;
	}
	tap_ok(started == THREADS && bad == 0, "%d threads x %d rounds: every chain passes (%d wrong)",
	    started, ROUNDS, bad);
	free(t0);
	free(t1);
	arc_engine_free(e);
}

/* same_as_fresh - is o, after arc_outcome_free, what arc_outcome_init makes? */
static bool
same_as_fresh(const struct arc_outcome *o)
{
	static struct arc_outcome fresh;
	const struct arc_set_result *a, *b;
	unsigned k;
	bool same;

	arc_outcome_init(&fresh);
	same = o->chain == fresh.chain && o->reason[0] == '\0' && o->n == 0 &&
	    o->oldest_pass == 0 && !o->temperror;
	for (k = 0; same && k < ARC_MAX_INSTANCES; k++) {
		a = &o->set[k];
		b = &fresh.set[k];
		same = a->i == b->i && a->seal_d[0] == '\0' && a->seal_s[0] == '\0' &&
		    a->ams_d[0] == '\0' && a->ams_s[0] == '\0' && a->cv[0] == '\0' &&
		    a->ams == b->ams && a->seal == b->seal && a->key_bits == 0 &&
		    a->reason[0] == '\0' && a->aar.len == 0 && a->aar.max == b->aar.max;
	}
	arc_outcome_free(&fresh);
	return same;
}

/* test_reuse - an outcome freed after a chain is as good as a new one. */
static void
test_reuse(struct resolver *r, struct arc_outcome *out)
{
	run_case(r, &cases[7], out);
	tap_ok(out->n >= 1 && out->set[0].aar.len > 0, "reuse: the outcome holds %u sets", out->n);
	arc_outcome_free(out);
	tap_ok(same_as_fresh(out), "reuse: after arc_outcome_free it equals a fresh outcome");
	arc_outcome_free(out);
	tap_ok(same_as_fresh(out), "reuse: freeing twice is harmless");
}

int
main(void)
{
	char zone[4096], err[256];
	struct resolver_config rc = { .timeout_ms = 2000 };
	static struct arc_outcome out;
	struct resolver *r;
	size_t k;

	snprintf(zone, sizeof(zone), "%s/tests/unit/arc/keys.zone", test_srcdir());
	rc.zone_file = zone;
	if ((r = resolver_new(&rc, err, sizeof(err))) == NULL) {
		tap_ok(false, "resolver: %s", err);
		return tap_done();
	}
	arc_outcome_init(&out);
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		run_case(r, &cases[k], &out);
		if (k == 0)
			test_details(&out);
	}
	test_reuse(r, &out);
	test_limits(r, &out);
	test_threads(r);
	arc_outcome_free(&out);
	resolver_free(r);
	return tap_done();
}
