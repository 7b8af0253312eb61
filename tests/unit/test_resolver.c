/*
 * test_resolver.c - TAP tests of milter/resolver.c over real libunbound:
 * (1) zone-file mode, (2) forwarding to a private nsd on 127.0.0.1 started
 * through tests/common/testdns.c (a failure when nsd is not installed),
 * (3) a nameserver that never answers (a bound UDP socket that is never
 * read) giving DNS_TEMPFAIL at the deadline, (4) DNSSEC: a zone signed
 * during the test by tests/dns/sign-zone.sh (ldnsutils), served by nsd,
 * validated with its DS as trust anchor: secure, and bogus for a tampered
 * record; plus threads sharing one resolver.  Single-threaded except the
 * thread tests.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "env.h"
#include "resolver.h"
#include "tap.h"
#include "testdns.h"
#include "testfile.h"

#define NTHREADS 8
#define NLOOPS 200

static char tmpdir[] = "/tmp/test_resolver.XXXXXX";

/* One lookup case: name, type, expected rcode, expected joined TXT records. */
struct lookup_case {
	const char *name;
	int type;
	enum dns_rcode want;
	const char *want_txt;	/* records joined with '|', or NULL */
};

static const char zone_text[] =
    "; zone-file mode test data\n"
    "$TTL 300\n"
    "example.com. 300 IN TXT \"v=spf1 -all\"\n"
    "_dmarc.example.com. IN TXT \"v=DMARC1; \" \"p=none\" ; two strings\n"
    "two.example.com. TXT \"a;b\"\n"
    "two.example.com. TXT \"c\"\n"
    "aonly.example.com. A 192.0.2.1\n"
    "mxonly.example.com. MX 10 mail.example.com.\n"
    "v6only.example.com. AAAA 2001:db8::1\n"
    "_dmarc.deep.example.org. TXT \"v=DMARC1; p=reject\"\n"
    "slow.example.com. TIMEOUT\n"
    "Upper.Example.NET. TXT \"case\"\n"
    "\tA 192.0.2.7\n"
    "foo.test. TXT \"in the test tld\"\n"
    "empty.example.com. TXT \"\"\n";

static const struct lookup_case zone_cases[] = {
	{ "example.com", RESOLVER_T_TXT, DNS_OK, "v=spf1 -all" },
	{ "example.com.", RESOLVER_T_TXT, DNS_OK, "v=spf1 -all" },
	{ "_dmarc.example.com", RESOLVER_T_TXT, DNS_OK, "v=DMARC1; p=none" },
	{ "two.example.com", RESOLVER_T_TXT, DNS_OK, NULL },
	{ "aonly.example.com", RESOLVER_T_TXT, DNS_NODATA, NULL },
	{ "aonly.example.com", RESOLVER_T_A, DNS_OK, NULL },
	{ "nope.example.com", RESOLVER_T_TXT, DNS_NXDOMAIN, NULL },
	{ "nope.example.com", RESOLVER_T_A, DNS_NXDOMAIN, NULL },
	{ "example.org", RESOLVER_T_TXT, DNS_NODATA, NULL },	/* ENT */
	{ "other.org", RESOLVER_T_TXT, DNS_NXDOMAIN, NULL },
	{ "deep.example.org", RESOLVER_T_TXT, DNS_NODATA, NULL },
	{ "upper.example.net", RESOLVER_T_TXT, DNS_OK, "case" },
	{ "UPPER.EXAMPLE.NET", RESOLVER_T_A, DNS_OK, NULL },
	{ "foo.test", RESOLVER_T_TXT, DNS_OK, "in the test tld" },
	{ "bar.test", RESOLVER_T_TXT, DNS_NXDOMAIN, NULL },
	{ "empty.example.com", RESOLVER_T_TXT, DNS_OK, "" },
	{ "slow.example.com", RESOLVER_T_TXT, DNS_TEMPFAIL, NULL },
	{ "www.google.com", RESOLVER_T_A, DNS_NXDOMAIN, NULL },
	{ "", RESOLVER_T_A, DNS_PERMFAIL, NULL },
};

static const struct lookup_case nsd_cases[] = {
	{ "_dmarc.resolver-test.example", RESOLVER_T_TXT, DNS_OK,
	    "v=DMARC1; p=reject" },
	{ "multi.resolver-test.example", RESOLVER_T_TXT, DNS_OK,
	    "v=DKIM1; k=rsa; p=ABCDEFGH" },
	{ "aonly.resolver-test.example", RESOLVER_T_TXT, DNS_NODATA, NULL },
	{ "aonly.resolver-test.example", RESOLVER_T_A, DNS_OK, NULL },
	{ "nope.resolver-test.example", RESOLVER_T_TXT, DNS_NXDOMAIN, NULL },
	{ "MULTI.Resolver-Test.Example.", RESOLVER_T_TXT, DNS_OK,
	    "v=DKIM1; k=rsa; p=ABCDEFGH" },
};

/* One exists() case. */
struct exists_case {
	const char *name;
	enum dns_rcode want;
};

static const struct exists_case zone_exists[] = {
	{ "aonly.example.com", DNS_OK },
	{ "mxonly.example.com", DNS_OK },
	{ "v6only.example.com", DNS_OK },
	{ "example.com", DNS_OK },		/* TXT only: NODATA = exists */
	{ "deep.example.org", DNS_OK },		/* empty non-terminal */
	{ "nope.example.com", DNS_NXDOMAIN },
	{ "slow.example.com", DNS_TEMPFAIL },
};

static const struct exists_case nsd_exists[] = {
	{ "aonly.resolver-test.example", DNS_OK },
	{ "mxonly.resolver-test.example", DNS_OK },
	{ "v6only.resolver-test.example", DNS_OK },
	{ "nope.resolver-test.example", DNS_NXDOMAIN },
};

/* join_txt - the TXT answer for name as "rec|rec"; rcode returned. */
static enum dns_rcode
join_txt(struct resolver *r, const char *name, int64_t deadline, char *buf,
    size_t bufsize, enum dns_sec *sec)
{
	struct dns_txt t;
	enum dns_rcode rc;
	size_t i, used = 0;

	dns_txt_init(&t);
	rc = resolver_txt(r, name, deadline, &t, sec);
	buf[0] = '\0';
	for (i = 0; i < t.n && used < bufsize; i++)
		used += (size_t)snprintf(buf + used, bufsize - used, "%s%s",
		    i ? "|" : "", t.rec[i].s);
	dns_txt_free(&t);
	return rc;
}

/* run_lookup_cases - each case through resolver_lookup / resolver_txt. */
static void
run_lookup_cases(struct resolver *r, const char *label,
    const struct lookup_case *cases, size_t n)
{
	struct resolver_answer a;
	enum dns_rcode rc;
	enum dns_sec sec;
	char got[512];
	size_t i;

	for (i = 0; i < n; i++) {
		const struct lookup_case *c = &cases[i];

		rc = resolver_lookup(r, c->name, c->type, 0, &a);
		tap_streq(dns_rcode_name(rc), dns_rcode_name(c->want),
		    "%s: lookup %s/%d (%s)", label, c->name, c->type, a.reason);
		if (rc == DNS_OK)
			tap_ok(a.n > 0 && a.data[0] != NULL,
			    "%s: %s has records", label, c->name);
		resolver_answer_free(&a);
		if (c->want_txt == NULL)
			continue;
		rc = join_txt(r, c->name, 0, got, sizeof(got), &sec);
		tap_streq(got, c->want_txt, "%s: txt %s joined", label,
		    c->name);
		tap_streq(dns_sec_name(sec), "insecure", "%s: %s insecure",
		    label, c->name);
	}
}

/* run_exists_cases - each case through resolver_exists. */
static void
run_exists_cases(struct resolver *r, const char *label,
    const struct exists_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		tap_streq(dns_rcode_name(resolver_exists(r, cases[i].name, 0)),
		    dns_rcode_name(cases[i].want), "%s: exists %s", label,
		    cases[i].name);
}

/* write_file - text into dir/name; the path into buf. */
static void
write_file(const char *name, const char *text, char *buf, size_t bufsize)
{
	FILE *fp;

	snprintf(buf, bufsize, "%s/%s", tmpdir, name);
	fp = fopen(buf, "w");
	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) != 0) {
		perror(buf);
		exit(1);
	}
}

/* Arguments of one lookup thread. */
struct thread_arg {
	struct resolver *r;
	const char *ok_name, *ok_txt, *nx_name;
	int failures;
};

/* thread_main - NLOOPS alternating TXT and NXDOMAIN lookups. */
static void *
thread_main(void *p)
{
	struct thread_arg *t = p;
	enum dns_rcode rc;
	char got[512];
	int i;

	for (i = 0; i < NLOOPS; i++) {
		rc = join_txt(t->r, t->ok_name, 0, got, sizeof(got), NULL);
		if (rc != DNS_OK || strcmp(got, t->ok_txt) != 0)
			t->failures++;
		rc = join_txt(t->r, t->nx_name, 0, got, sizeof(got), NULL);
		if (rc != DNS_NXDOMAIN)
			t->failures++;
	}
	return NULL;
}

/* run_threads - NTHREADS threads sharing r; all answers must be right. */
static void
run_threads(struct resolver *r, const char *label, const char *ok_name,
    const char *ok_txt, const char *nx_name)
{
	pthread_t th[NTHREADS];
	struct thread_arg args[NTHREADS];
	int i, failures = 0, started = 0;

	for (i = 0; i < NTHREADS; i++) {
		args[i] = (struct thread_arg){ r, ok_name, ok_txt, nx_name, 0 };
		if (pthread_create(&th[i], NULL, thread_main, &args[i]) == 0)
			started++;
		else
			break;
	}
	for (i = 0; i < started; i++) {
		pthread_join(th[i], NULL);
		failures += args[i].failures;
	}
	tap_inteq(started, NTHREADS, "%s: threads started", label);
	tap_inteq(failures, 0, "%s: %d threads x %d lookups all right", label,
	    NTHREADS, 2 * NLOOPS);
}

/* test_zone_timeout - a TIMEOUT name waits for the deadline when asked to. */
static void
test_zone_timeout(const char *zone)
{
	struct resolver_config cfg = { .zone_file = zone, .timeout_ms = 2000,
	    .zone_timeout_waits = true };
	struct resolver_answer a;
	struct resolver *r;
	char err[256];
	int64_t t0, dt;

	r = resolver_new(&cfg, err, sizeof(err));
	if (!tap_ok(r != NULL, "zone: resolver with waiting timeouts (%s)",
	    r ? "" : err))
		return;
	t0 = resolver_now_ms();
	tap_streq(dns_rcode_name(resolver_lookup(r, "slow.example.com",
	    RESOLVER_T_TXT, t0 + 300, &a)), "tempfail", "zone: TIMEOUT name");
	dt = resolver_now_ms() - t0;
	tap_ok(dt >= 290 && dt <= 2300, "zone: TIMEOUT waited %lld ms (300)",
	    (long long)dt);
	resolver_answer_free(&a);
	resolver_free(r);
}

/* test_bad_zone - a malformed zone file is refused with file:line. */
static void
test_bad_zone(void)
{
	struct resolver_config cfg = { 0 };
	struct resolver *r;
	char path[512], err[256];

	write_file("bad.zone", "ok.example. TXT \"x\"\nbad.example. A nonsense\n",
	    path, sizeof(path));
	cfg.zone_file = path;
	r = resolver_new(&cfg, err, sizeof(err));
	tap_ok(r == NULL, "bad zone: refused");
	tap_ok(r == NULL && strstr(err, "bad.zone:2:") != NULL,
	    "bad zone: reason names the line (%s)", err);
	resolver_free(r);
	write_file("origin.zone", "$TTL 60\n$ORIGIN example.\nx TXT \"y\"\n",
	    path, sizeof(path));
	r = resolver_new(&cfg, err, sizeof(err));
	tap_ok(r == NULL && strstr(err, "origin.zone:2:") != NULL,
	    "$ORIGIN zone: refused (%s)", err);
	resolver_free(r);
	cfg.zone_file = "/nonexistent/zone";
	r = resolver_new(&cfg, err, sizeof(err));
	tap_ok(r == NULL, "missing zone file: refused (%s)", err);
	resolver_free(r);
}

/* test_env - the policy_env adapter over the zone-file resolver. */
static void
test_env(struct resolver *r)
{
	struct resolver_env_ctx ctx = { r, resolver_now_ms() + 1000 };
	struct policy_env env = resolver_policy_env(&ctx);
	struct dns_txt t;
	enum dns_sec sec;
	unsigned roll;
	int i, bad = 0;

	dns_txt_init(&t);
	tap_streq(dns_rcode_name(env.txt(env.ctx, "_dmarc.example.com", &t,
	    &sec)), "ok", "env: txt");
	tap_ok(t.n == 1 && strcmp(t.rec[0].s, "v=DMARC1; p=none") == 0,
	    "env: txt record joined");
	dns_txt_free(&t);
	tap_streq(dns_rcode_name(env.exists(env.ctx, "mxonly.example.com")),
	    "ok", "env: exists");
	tap_streq(dns_rcode_name(env.exists(env.ctx, "no.example.com")),
	    "nxdomain", "env: does not exist");
	tap_ok(env.now(env.ctx) > 1600000000, "env: now is wall-clock time");
	for (i = 0; i < 1000; i++) {
		roll = env.roll(env.ctx);
		bad += roll >= 100;
	}
	tap_inteq(bad, 0, "env: roll in [0, 100)");
	ctx.deadline_ms = resolver_now_ms() - 1;
	tap_streq(dns_rcode_name(env.exists(env.ctx, "slow.example.com")),
	    "tempfail", "env: exists of a timing-out name");
}

/* test_zone - part (1): zone-file mode. */
static void
test_zone(void)
{
	struct resolver_config cfg = { .timeout_ms = 1000 };
	struct resolver *r;
	char zone[512], err[256], got[64];

	write_file("test.zone", zone_text, zone, sizeof(zone));
	cfg.zone_file = zone;
	r = resolver_new(&cfg, err, sizeof(err));
	if (!tap_ok(r != NULL, "zone: resolver_new (%s)", r ? "" : err))
		return;
	run_lookup_cases(r, "zone", zone_cases,
	    sizeof(zone_cases) / sizeof(zone_cases[0]));
	join_txt(r, "two.example.com", 0, got, sizeof(got), NULL);
	tap_ok(strcmp(got, "a;b|c") == 0 || strcmp(got, "c|a;b") == 0,
	    "zone: two TXT records (%s)", got);
	run_exists_cases(r, "zone", zone_exists,
	    sizeof(zone_exists) / sizeof(zone_exists[0]));
	test_env(r);
	run_threads(r, "zone", "_dmarc.example.com", "v=DMARC1; p=none",
	    "nope.example.com");
	resolver_free(r);
	test_zone_timeout(zone);
	test_bad_zone();
}

/* test_nsd - part (2): forwarding to a private nsd. */
static void
test_nsd(void)
{
	struct resolver_config cfg = { .timeout_ms = 3000 };
	struct resolver *r;
	struct testdns dns;
	char ns[64], err[256], zone[1024], work[512];
	int port;

	snprintf(zone, sizeof(zone), "%s/tests/dns/resolver-nsd.zone",
	    test_srcdir());
	snprintf(work, sizeof(work), "%s/nsd", tmpdir);
	port = testdns_start(&dns, work, zone, "resolver-test.example");

	if (port == 0) {
		tap_ok(false, "nsd started (install nsd: tests/deps.sh)");
		return;
	}
	snprintf(ns, sizeof(ns), "127.0.0.1@%d", port);
	cfg.nameservers[0] = ns;
	cfg.n_nameservers = 1;
	r = resolver_new(&cfg, err, sizeof(err));
	if (tap_ok(r != NULL, "nsd: resolver_new %s (%s)", ns, r ? "" : err)) {
		run_lookup_cases(r, "nsd", nsd_cases,
		    sizeof(nsd_cases) / sizeof(nsd_cases[0]));
		run_exists_cases(r, "nsd", nsd_exists,
		    sizeof(nsd_exists) / sizeof(nsd_exists[0]));
		run_threads(r, "nsd", "multi.resolver-test.example",
		    "v=DKIM1; k=rsa; p=ABCDEFGH",
		    "nope.resolver-test.example");
	}
	resolver_free(r);
	testdns_stop(&dns);
}

/* One DNSSEC case: name, type, rcode and security status. */
struct sec_case {
	const char *name;
	int type;
	enum dns_rcode want;
	enum dns_sec want_sec;
};

static const struct sec_case sec_cases[] = {
	{ "_dmarc.resolver-test.example", RESOLVER_T_TXT, DNS_OK,
	    DNS_SEC_SECURE },
	{ "aonly.resolver-test.example", RESOLVER_T_A, DNS_OK, DNS_SEC_SECURE },
	{ "aonly.resolver-test.example", RESOLVER_T_TXT, DNS_NODATA,
	    DNS_SEC_SECURE },
	{ "nope.resolver-test.example", RESOLVER_T_TXT, DNS_NXDOMAIN,
	    DNS_SEC_SECURE },
	{ "bad.resolver-test.example", RESOLVER_T_TXT, DNS_TEMPFAIL,
	    DNS_SEC_BOGUS },
	{ "bad.resolver-test.example", RESOLVER_T_A, DNS_NODATA,
	    DNS_SEC_SECURE },
};

/* run_sec_cases - each case: rcode and DNSSEC status. */
static void
run_sec_cases(struct resolver *r)
{
	struct resolver_answer a;
	enum dns_rcode rc;
	size_t i;

	for (i = 0; i < sizeof(sec_cases) / sizeof(sec_cases[0]); i++) {
		const struct sec_case *c = &sec_cases[i];

		rc = resolver_lookup(r, c->name, c->type, 0, &a);
		tap_streq(dns_rcode_name(rc), dns_rcode_name(c->want),
		    "dnssec: %s/%d rcode (%s)", c->name, c->type, a.reason);
		tap_streq(dns_sec_name(a.sec), dns_sec_name(c->want_sec),
		    "dnssec: %s/%d status", c->name, c->type);
		resolver_answer_free(&a);
	}
}

/* test_dnssec - part (4): a zone signed now, served by nsd, validated. */
static void
test_dnssec(void)
{
	struct resolver_config cfg = { .timeout_ms = 3000 };
	struct resolver *r;
	struct testdns dns;
	char ns[64], err[256], zone[1024], ta[1024], work[512];
	int port;

	snprintf(zone, sizeof(zone), "%s/tests/dns/resolver-nsd.zone",
	    test_srcdir());
	snprintf(work, sizeof(work), "%s/sign", tmpdir);
	if (testdns_sign(work, zone, "resolver-test.example") != 0) {
		tap_ok(false, "zone signed (install ldnsutils: tests/deps.sh)");
		return;
	}
	snprintf(zone, sizeof(zone), "%s/sign/signed.zone", tmpdir);
	snprintf(ta, sizeof(ta), "%s/sign/ta.ds", tmpdir);
	snprintf(work, sizeof(work), "%s/nsdsec", tmpdir);
	if ((port = testdns_start(&dns, work, zone, "resolver-test.example")) == 0) {
		tap_ok(false, "nsd started for the signed zone (install nsd ldnsutils)");
		return;
	}
	snprintf(ns, sizeof(ns), "127.0.0.1@%d", port);
	cfg.nameservers[0] = ns;
	cfg.n_nameservers = 1;
	cfg.trust_anchor_file = ta;
	r = resolver_new(&cfg, err, sizeof(err));
	if (tap_ok(r != NULL, "dnssec: resolver_new (%s)", r ? "" : err))
		run_sec_cases(r);
	resolver_free(r);
	testdns_stop(&dns);
}

/* silent_port - bind a UDP socket that is never read; its port, fd in *fd. */
static int
silent_port(int *fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	*fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (*fd < 0 || bind(*fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(*fd, (struct sockaddr *)&sin, &len) != 0)
		return 0;
	return ntohs(sin.sin_port);
}

/* test_silent - part (3): a server that never answers gives TEMPFAIL. */
static void
test_silent(void)
{
	struct resolver_config cfg = { .timeout_ms = 800 };
	struct resolver_answer a;
	struct resolver *r;
	char ns[64], err[256];
	int64_t t0, dt;
	int fd, port = silent_port(&fd);

	if (!tap_ok(port > 0, "silent: bound a UDP port"))
		return;
	snprintf(ns, sizeof(ns), "127.0.0.1@%d", port);
	cfg.nameservers[0] = ns;
	cfg.n_nameservers = 1;
	r = resolver_new(&cfg, err, sizeof(err));
	if (tap_ok(r != NULL, "silent: resolver_new (%s)", r ? "" : err)) {
		t0 = resolver_now_ms();
		tap_streq(dns_rcode_name(resolver_lookup(r, "example.com",
		    RESOLVER_T_TXT, t0 + 500, &a)), "tempfail",
		    "silent: deadline gives tempfail (%s)", a.reason);
		dt = resolver_now_ms() - t0;
		tap_ok(dt >= 450 && dt <= 2500, "silent: took %lld ms (500)",
		    (long long)dt);
		resolver_answer_free(&a);
		t0 = resolver_now_ms();
		tap_streq(dns_rcode_name(resolver_exists(r, "example.com", 0)),
		    "tempfail", "silent: exists is tempfail, not nxdomain");
		dt = resolver_now_ms() - t0;
		tap_ok(dt >= 700 && dt <= 2800, "silent: exists took %lld ms (800)",
		    (long long)dt);
	}
	resolver_free(r);
	close(fd);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_zone();
	test_nsd();
	test_dnssec();
	test_silent();
	if (test_rm_rf(tmpdir) != 0)
		tap_diag("could not remove %s", tmpdir);
	return tap_done();
}
