/*
 * stress.c - 16 threads running SPF checks and DKIM verifications at once
 * through one resolver, one SPF engine and one DKIM engine, for
 * STRESS_SECONDS seconds (default 10), asserting every result.  A TAP test:
 * make check runs it briefly; .ci/run runs it for 60 s under ASan+UBSan and
 * under ThreadSanitizer.
 *
 * The DNS is real: a private nsd on 127.0.0.1 (tests/common/testdns.c)
 * serves example.com, signed during the test (DNSSEC, tests/dns/sign-zone.sh),
 * holding SPF records and the DKIM keys of messages signed during the test
 * by python3-dkim (tests/common/dkim_sign.py).  The resolver forwards to it
 * and validates with the zone's DS as trust anchor, so libunbound's shared
 * context, its cache and its validator all work for the 16 threads at once.
 * Some SPF checks ask a name no thread asked before (exists:%{l}...), so
 * queries really go to nsd during the whole run, not only to the cache.
 *
 * Threads: the workers share the engines and the read-only tables and
 * messages; each writes only its own struct worker.  TAP output comes from
 * the main thread only, after the workers are joined.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim_feed.h"
#include "dkim_sign.h"
#include "dkim_verify.h"
#include "resolver.h"
#include "spf.h"
#include "tap.h"
#include "testdns.h"
#include "testfile.h"

#define N_THREADS		16
#define DEFAULT_SECONDS		10
#define MAX_SECONDS		3600
#define QUERY_TIMEOUT_MS	10000	/* generous: 16 threads on 2 cores */

/*
 * A bogus answer is never cached and libunbound retries a server that gave
 * one with a back-off: such a lookup takes from 1 ms to over a second.  The
 * bogus case runs in one round of SLOW_EVERY per thread (staggered), so a
 * few are always in flight without making every thread wait for them.
 */
#define SLOW_EVERY		8

/* The zone nsd serves; the DKIM key records of dkim_sign.py are added. */
static const char zone_head[] =
    "$ORIGIN example.com.\n"
    "$TTL 300\n"
    "@ IN SOA ns.example.com. hostmaster.example.com. 1 3600 600 86400 300\n"
    "@ IN NS ns\n"
    "ns IN A 127.0.0.1\n"
    "pass IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "fail IN TXT \"v=spf1 -all\"\n"
    "soft IN TXT \"v=spf1 ~all\"\n"
    "mx IN TXT \"v=spf1 mx -all\"\n"
    "mx IN MX 10 mail.example.com.\n"
    "mail IN A 192.0.2.7\n"
    "mail IN AAAA 2001:db8::7\n"
    "inc IN TXT \"v=spf1 include:pass.example.com -all\"\n"
    "dyn IN TXT \"v=spf1 exists:%{l}.w.example.com -all\"\n"
    "*.w IN A 127.0.0.2\n"
    "dynf IN TXT \"v=spf1 exists:%{l}.nw.example.com -all\"\n"
    "nw IN A 127.0.0.3\n"
    "syntax IN TXT \"v=spf1 ip4:192.0.2.300 -all\"\n"
    "nospf IN TXT \"some other text\"\n"
    "; sign-zone.sh makes this one bogus (-all becomes +all)\n"
    "bad IN TXT \"v=spf1 -all\"\n";

/* How an SPF case picks its deadline. */
enum deadline_kind {
	DL_NORMAL,	/* the resolver's timeout */
	DL_PASSED	/* already passed: every query is cancelled */
};

/* One SPF check and the result it must give. */
struct spf_case {
	const char *name;
	const char *ip, *helo, *from;	/* from: "%s" gets a fresh local part */
	enum spf_scope scope;
	enum deadline_kind deadline;
	enum spf_result want;
	const char *want_reason;	/* substring of the reason, or NULL */
	unsigned every;			/* run in one round of this many */
};

static const struct spf_case spf_cases[] = {
	{ "spf pass", "192.0.2.10", "mta.example.net", "a@pass.example.com",
	    SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_PASS, NULL, 1 },
	{ "spf not listed", "198.51.100.1", "mta.example.net", "a@pass.example.com",
	    SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_FAIL, NULL, 1 },
	{ "spf fail", "192.0.2.10", "mta.example.net", "a@fail.example.com",
	    SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_FAIL, NULL, 1 },
	{ "spf softfail", "192.0.2.10", "mta.example.net", "a@soft.example.com",
	    SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_SOFTFAIL, NULL, 1 },
	{ "spf mx ipv6", "2001:db8::7", "mta.example.net", "a@mx.example.com",
	    SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_PASS, NULL, 1 },
	{ "spf include", "192.0.2.99", "mta.example.net", "a@inc.example.com",
	    SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_PASS, NULL, 1 },
	{ "spf exists, fresh name (wildcard)", "192.0.2.10", "mta.example.net",
	    "%s@dyn.example.com", SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_PASS, NULL, 1 },
	{ "spf exists, fresh name (nxdomain)", "192.0.2.10", "mta.example.net",
	    "%s@dynf.example.com", SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_FAIL, NULL, 1 },
	{ "spf none", "192.0.2.10", "mta.example.net", "a@nospf.example.com",
	    SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_NONE, NULL, 1 },
	{ "spf permerror", "192.0.2.10", "mta.example.net", "a@syntax.example.com",
	    SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_PERMERROR, NULL, 1 },
	{ "spf temperror: DNSSEC bogus", "192.0.2.10", "mta.example.net",
	    "a@bad.example.com", SPF_SCOPE_MFROM, DL_NORMAL, SPF_RES_TEMPERROR,
	    "bogus", SLOW_EVERY },
	{ "spf temperror: deadline passed", "192.0.2.10", "mta.example.net",
	    "a@pass.example.com", SPF_SCOPE_MFROM, DL_PASSED, SPF_RES_TEMPERROR,
	    "timeout", 1 },
	{ "spf helo pass", "192.0.2.10", "pass.example.com", "",
	    SPF_SCOPE_HELO, DL_NORMAL, SPF_RES_PASS, NULL, 1 },
};
#define N_SPF (sizeof(spf_cases) / sizeof(spf_cases[0]))

/* One DKIM message (a file of dkim_sign.py) and the result it must give. */
struct dkim_case {
	const char *file;
	size_t n;			/* signatures evaluated */
	enum dkim_result best;
	const char *want_reason;	/* substring of the first one's reason */
	bool key_queried;		/* its key is looked up (DNSSEC secure) */
};

static const struct dkim_case dkim_cases[] = {
	{ "rsa_relaxed", 1, DKIM_RES_PASS, "", true },
	{ "ed25519", 1, DKIM_RES_PASS, "", true },
	{ "body_changed", 1, DKIM_RES_FAIL, "body hash mismatch", true },
	{ "missing_key", 1, DKIM_RES_PERMERROR, "no key", true },
	{ "two_sigs", 2, DKIM_RES_PASS, "", true },
	{ "small_key", 1, DKIM_RES_FAIL, "key too small", true },
	{ "rsa_sha1", 1, DKIM_RES_POLICY, "RFC 8301", true },
	{ "expired", 1, DKIM_RES_PERMERROR, "signature expired", false },
};
#define N_DKIM (sizeof(dkim_cases) / sizeof(dkim_cases[0]))
#define N_CASES (N_SPF + N_DKIM)

/* What the workers share; read-only while they run. */
struct shared {
	struct spf_engine *spf;
	struct dkim_engine *dkim;
	char *msg[N_DKIM];		/* the messages, loaded once */
	size_t msg_len[N_DKIM];
	int64_t end_ms;			/* resolver_now_ms() to stop at */
};

/* One worker thread's counters: written by that thread only. */
struct worker {
	pthread_t th;
	int id;
	const struct shared *sh;
	unsigned long rounds;		/* complete passes over all cases */
	unsigned long spf_evals, dkim_evals;
	unsigned long wrong;
	unsigned long serial;		/* for fresh local parts */
	char first_wrong[512];		/* what the first wrong result was */
};

/* --------------------------------------------------------------- checks */

/*
 * run_spf - one SPF case; 0 when right, else -1 with why.  w numbers the
 * fresh local parts of exists: cases (NULL: the main thread's check).
 */
static int
run_spf(const struct shared *sh, const struct spf_case *c, struct worker *w,
    char *why, size_t whysize)
{
	struct spf_outcome out;
	char from[128];
	int64_t deadline = 0;

	if (strstr(c->from, "%s") != NULL) {
		const char *at = strchr(c->from, '@');

		snprintf(from, sizeof(from), "t%d-%lu%s", w != NULL ? w->id : 99,
		    w != NULL ? w->serial++ : 0UL, at != NULL ? at : "");
	} else
		snprintf(from, sizeof(from), "%s", c->from);
	if (c->deadline == DL_PASSED)
		deadline = resolver_now_ms() - 1;
	spf_check(sh->spf, c->ip, c->helo, from, c->scope, deadline, &out);
	if (out.result == c->want && (c->want_reason == NULL ||
	    strstr(out.reason, c->want_reason) != NULL))
		return 0;
	snprintf(why, whysize, "%s (%s): got %s (%s), want %s%s%s", c->name,
	    from, spf_result_name(out.result), out.reason,
	    spf_result_name(c->want), c->want_reason ? " with " : "",
	    c->want_reason ? c->want_reason : "");
	return -1;
}

/* dkim_wrong - how out differs from c, into why; 0 when it does not. */
static int
dkim_wrong(const struct dkim_case *c, const struct dkim_outcome *out,
    char *why, size_t whysize)
{
	const struct dkim_sig_result *s = &out->sig[0];
	bool ok = out->n == c->n && out->best == c->best && out->error[0] == '\0';

	if (ok && c->want_reason[0] == '\0')
		ok = s->reason[0] == '\0';
	else if (ok)
		ok = strstr(s->reason, c->want_reason) != NULL;
	if (ok)
		ok = s->key_queried == c->key_queried && (!c->key_queried ||
		    s->key_sec == DNS_SEC_SECURE);
	if (ok)
		return 0;
	snprintf(why, whysize, "dkim %s: got %zu sig(s) best %s (%s; key %s %s)"
	    "%s%s, want %zu best %s (%s)", c->file, out->n,
	    dkim_result_name(out->best), out->n ? s->reason : "",
	    s->key_queried ? dns_rcode_name(s->key_rcode) : "not queried",
	    s->key_queried ? dns_sec_name(s->key_sec) : "",
	    out->error[0] ? ", error " : "", out->error, c->n,
	    dkim_result_name(c->best), c->want_reason);
	return -1;
}

/* run_dkim - verify message i with the shared engine; 0 when right. */
static int
run_dkim(const struct shared *sh, size_t i, char *why, size_t whysize)
{
	const struct dkim_case *c = &dkim_cases[i];
	struct dkim_outcome out;
	struct dkim_msg *m;

	if ((m = dkim_msg_new(sh->dkim, c->file)) == NULL) {
		snprintf(why, whysize, "dkim %s: dkim_msg_new failed", c->file);
		return -1;
	}
	dkim_feed_message(m, sh->msg[i], sh->msg_len[i]);
	dkim_msg_eom(m, &out);
	dkim_msg_free(m);
	return dkim_wrong(c, &out, why, whysize);
}

/* run_case - case k of the mix (SPF cases first, then DKIM). */
static int
run_case(const struct shared *sh, size_t k, struct worker *w, char *why,
    size_t whysize)
{
	if (k < N_SPF)
		return run_spf(sh, &spf_cases[k], w, why, whysize);
	return run_dkim(sh, k - N_SPF, why, whysize);
}

/* --------------------------------------------------------------- workers */

/*
 * worker_main - loop over the mix until end_ms, each thread starting at a
 * different case so that all kinds run at the same time.
 */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	char why[512];
	size_t i, k;

	while (resolver_now_ms() < w->sh->end_ms) {
		for (i = 0; i < N_CASES && resolver_now_ms() < w->sh->end_ms; i++) {
			k = (i + (size_t)w->id * 5) % N_CASES;
			if (k < N_SPF && spf_cases[k].every > 1 &&
			    (w->rounds + (unsigned long)w->id) % spf_cases[k].every != 0)
				continue;
			if (run_case(w->sh, k, w, why, sizeof(why)) != 0 &&
			    w->wrong++ == 0)
				snprintf(w->first_wrong, sizeof(w->first_wrong),
				    "%s", why);
			if (k < N_SPF)
				w->spf_evals++;
			else
				w->dkim_evals++;
		}
		if (i == N_CASES)
			w->rounds++;
	}
	return NULL;
}

/* run_workers - N_THREADS workers for seconds; returns how many started. */
static int
run_workers(struct shared *sh, struct worker *w, long seconds)
{
	int i, started = 0;

	sh->end_ms = resolver_now_ms() + seconds * 1000;
	for (i = 0; i < N_THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].id = i;
		w[i].sh = sh;
		if (pthread_create(&w[i].th, NULL, worker_main, &w[i]) != 0)
			break;
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(w[i].th, NULL);
	return started;
}

/* report - one TAP line per thread and the totals. */
static void
report(const struct worker *w, int started, long seconds)
{
	unsigned long spf = 0, dkim = 0, wrong = 0, rounds = 0;
	int i;

	tap_inteq(started, N_THREADS, "threads started");
	for (i = 0; i < started; i++) {
		tap_ok(w[i].wrong == 0 && w[i].rounds > 0,
		    "thread %2d: %lu rounds, %lu evaluations (SPF %lu, DKIM %lu), "
		    "%lu wrong", i, w[i].rounds, w[i].spf_evals + w[i].dkim_evals,
		    w[i].spf_evals, w[i].dkim_evals, w[i].wrong);
		if (w[i].wrong > 0)
			tap_diag("first wrong: %s", w[i].first_wrong);
		spf += w[i].spf_evals;
		dkim += w[i].dkim_evals;
		wrong += w[i].wrong;
		rounds += w[i].rounds;
	}
	tap_ok(wrong == 0, "%d threads, %ld s: %lu rounds, %lu evaluations "
	    "(SPF %lu, DKIM %lu), %lu wrong", started, seconds, rounds,
	    spf + dkim, spf, dkim, wrong);
	printf("# stress: %lu evaluations in %ld s by %d threads "
	    "(%lu per second)\n", spf + dkim, seconds, started,
	    (spf + dkim) / (unsigned long)seconds);
}

/* --------------------------------------------------------------- set-up */

/* stress_seconds - STRESS_SECONDS (1..MAX_SECONDS), default 10; -1 if bad. */
static long
stress_seconds(void)
{
	const char *s = getenv("STRESS_SECONDS");
	char *end;
	long v;

	if (s == NULL || s[0] == '\0')
		return DEFAULT_SECONDS;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > MAX_SECONDS)
		return -1;
	return v;
}

/* write_zone - zone_head plus the key records of keyzone (not TIMEOUT). */
static int
write_zone(const char *path, const char *keyzone)
{
	char line[8192];
	FILE *in, *out;
	int rc = 0;

	if ((in = fopen(keyzone, "r")) == NULL)
		return -1;
	if ((out = fopen(path, "w")) == NULL) {
		fclose(in);
		return -1;
	}
	fputs(zone_head, out);
	while (fgets(line, sizeof(line), in) != NULL)
		if (strstr(line, " TIMEOUT") == NULL)
			fputs(line, out);
	if (ferror(in))
		rc = -1;
	fclose(in);
	if (fclose(out) != 0)
		rc = -1;
	return rc;
}

/* load_messages - read the DKIM test messages into sh. */
static int
load_messages(struct shared *sh, const char *dir)
{
	char path[600];
	size_t i;

	for (i = 0; i < N_DKIM; i++) {
		snprintf(path, sizeof(path), "%s/%s.eml", dir, dkim_cases[i].file);
		if ((sh->msg[i] = test_read_file(path, &sh->msg_len[i])) == NULL) {
			tap_diag("cannot read %s", path);
			return -1;
		}
	}
	return 0;
}

/*
 * prepare - sign the messages, build and sign the zone, start nsd.  The
 * trust anchor's path goes to ta.  Returns nsd's port, 0 on failure.
 */
static int
prepare(const char *dir, struct testdns *dns, char *ta, size_t tasize)
{
	const char *python = dkim_sign_python();
	char keyzone[600], zone[600], work[600], signed_zone[700];

	if (python == NULL)
		tap_missing("python3-dkim (dkimpy) or openssl not installed");
	snprintf(keyzone, sizeof(keyzone), "%s/zone", dir);
	snprintf(zone, sizeof(zone), "%s/stress.zone", dir);
	snprintf(work, sizeof(work), "%s/sign", dir);
	snprintf(signed_zone, sizeof(signed_zone), "%s/signed.zone", work);
	snprintf(ta, tasize, "%s/ta.ds", work);
	if (!tap_ok(dkim_sign_generate(python, dir) == 0,
	    "messages signed by python3-dkim") ||
	    !tap_ok(write_zone(zone, keyzone) == 0, "zone written") ||
	    !tap_ok(testdns_sign(work, zone, "example.com") == 0,
	    "zone signed (ldnsutils)"))
		return 0;
	snprintf(work, sizeof(work), "%s/nsd", dir);
	if (!tap_ok(testdns_start(dns, work, signed_zone, "example.com") > 0,
	    "nsd started (install nsd: tests/deps.sh)"))
		return 0;
	return dns->port;
}

/* make_engines - the shared resolver (forwarding to port) and engines. */
static struct resolver *
make_engines(struct shared *sh, int port, const char *ta)
{
	struct resolver_config cfg = { .timeout_ms = QUERY_TIMEOUT_MS };
	struct resolver *r;
	char ns[64], err[256] = "";

	snprintf(ns, sizeof(ns), "127.0.0.1@%d", port);
	cfg.nameservers[0] = ns;
	cfg.n_nameservers = 1;
	cfg.trust_anchor_file = ta;
	r = resolver_new(&cfg, err, sizeof(err));
	if (r != NULL)
		sh->spf = spf_engine_new(r, "mx.stress.test", err, sizeof(err));
	if (sh->spf != NULL)
		sh->dkim = dkim_engine_new(NULL, r, err, sizeof(err));
	tap_ok(sh->dkim != NULL, "resolver (forwarding to %s, DNSSEC) and "
	    "engines %s", ns, err);
	return r;
}

/* check_once - every case once, in this thread, before the stress. */
static bool
check_once(const struct shared *sh)
{
	char why[512];
	size_t k;
	bool all = true;

	for (k = 0; k < N_CASES; k++) {
		bool ok = run_case(sh, k, NULL, why, sizeof(why)) == 0;

		if (!tap_ok(ok, "once: %s", k < N_SPF ? spf_cases[k].name :
		    dkim_cases[k - N_SPF].file))
			tap_diag("%s", why);
		all = all && ok;
	}
	return all;
}

int
main(void)
{
	static struct worker w[N_THREADS];
	char dir[] = "/tmp/stress.XXXXXX", ta[700];
	struct shared sh;
	struct testdns dns = { .guard_fd = -1 };
	struct resolver *r = NULL;
	long seconds = stress_seconds();
	int port;
	size_t i;

	memset(&sh, 0, sizeof(sh));
	if (!tap_ok(seconds > 0, "STRESS_SECONDS is 1..%d (%ld)", MAX_SECONDS,
	    seconds) || mkdtemp(dir) == NULL)
		return tap_done();
	port = prepare(dir, &dns, ta, sizeof(ta));
	if (port > 0 && load_messages(&sh, dir) == 0)
		r = make_engines(&sh, port, ta);
	if (sh.dkim != NULL && check_once(&sh))
		report(w, run_workers(&sh, w, seconds), seconds);
	dkim_engine_free(sh.dkim);
	spf_engine_free(sh.spf);
	resolver_free(r);
	testdns_stop(&dns);
	for (i = 0; i < N_DKIM; i++)
		free(sh.msg[i]);
	if (test_rm_rf(dir) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
