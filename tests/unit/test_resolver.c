/*
 * test_resolver.c - TAP tests of milter/resolver.c over real libunbound:
 * (1) zone-file mode, (2) forwarding to a private nsd on 127.0.0.1 started
 * through tests/common/testdns.c (a failure when nsd is not installed),
 * (3) a nameserver that never answers (a bound UDP socket that is never
 * read) giving DNS_TEMPFAIL at the deadline, (4) DNSSEC: a zone signed
 * during the test by tests/dns/sign-zone.sh (ldnsutils), served by nsd,
 * validated with its DS as trust anchor: secure, and bogus for a tampered
 * record; plus threads sharing one resolver; (5) a spent deadline: a name
 * that answers at once still gives DNS_TEMPFAIL, from the cache too, and no
 * query leaves (seen by a counting relay in front of nsd).  Single-threaded
 * except the thread tests and the relay.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
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

/*
 * Timing checks say only "the deadline (or timeout) bounded the wait, not a
 * longer one", never how fast: the wait that must not happen (FULL_WAIT_MS,
 * a resolver timeout set that long) is 30 s, the expected one at most 0.8
 * s, and the ceiling between them (CEILING_MS) at least 10 times the
 * expected wait, so that a loaded machine or a sanitizer build does not
 * fail them.  A lower bound checks that a wait really happened.
 */
#define FULL_WAIT_MS 30000
#define CEILING_MS 10000

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

/* test_zone_timeout - a TIMEOUT name waits for the deadline (not the timeout) when asked to. */
static void
test_zone_timeout(const char *zone)
{
	struct resolver_config cfg = { .zone_file = zone, .timeout_ms = FULL_WAIT_MS,
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
	tap_ok(dt >= 290 && dt < CEILING_MS, "zone: TIMEOUT waited %lld ms (deadline 300, "
	    "timeout %d)", (long long)dt, FULL_WAIT_MS);
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
	/* names that answer at once, asked with the message's budget spent */
	ctx.deadline_ms = resolver_now_ms() - 1;
	tap_streq(dns_rcode_name(env.exists(env.ctx, "mxonly.example.com")),
	    "tempfail", "env: exists with the budget spent is tempfail");
	dns_txt_init(&t);
	tap_streq(dns_rcode_name(env.txt(env.ctx, "_dmarc.example.com", &t, &sec)),
	    "tempfail", "env: txt with the budget spent is tempfail");
	tap_inteq((long long)t.n, 0, "env: txt with the budget spent, no record");
	dns_txt_free(&t);
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

/*
 * The relay: a UDP socket on 127.0.0.1 that the resolver takes as its
 * nameserver; each query is forwarded to nsd (its name recorded) and each
 * answer sent back to the query's source, matched by DNS id.  Its own thread.
 */
#define RELAY_SLOTS 64

struct relay {
	int fd;			/* the resolver's nameserver */
	int up;			/* connected to nsd */
	int port;
	pthread_t thread;
	pthread_mutex_t mu;
	bool stop;		/* under mu */
	size_t nnames;		/* under mu */
	char names[RELAY_SLOTS][256];	/* qnames forwarded, lower case; under mu */
	unsigned char id[RELAY_SLOTS][2];	/* the rest: relay thread only */
	struct sockaddr_in from[RELAY_SLOTS];
	size_t next;
};

/* relay_query - record and forward one query from the resolver. */
static void
relay_query(struct relay *rl)
{
	unsigned char buf[4096];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	char name[256];
	ssize_t n;
	size_t i, k = rl->next++ % RELAY_SLOTS;

	n = recvfrom(rl->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	if (n < 12 || resolver_wire_name(buf, (size_t)n, 12, name, sizeof(name)) != 0)
		return;
	for (i = 0; name[i] != '\0'; i++)
		name[i] = (char)tolower((unsigned char)name[i]);
	pthread_mutex_lock(&rl->mu);
	snprintf(rl->names[rl->nnames++ % RELAY_SLOTS], sizeof(rl->names[0]), "%s", name);
	pthread_mutex_unlock(&rl->mu);
	memcpy(rl->id[k], buf, 2);
	rl->from[k] = from;
	(void)send(rl->up, buf, (size_t)n, 0);
}

/* relay_answer - send one answer from nsd back to its query's source. */
static void
relay_answer(struct relay *rl)
{
	unsigned char buf[4096];
	ssize_t n = recv(rl->up, buf, sizeof(buf), 0);
	size_t k;

	for (k = 0; n >= 12 && k < RELAY_SLOTS; k++)
		if (memcmp(rl->id[k], buf, 2) == 0 && rl->from[k].sin_port != 0) {
			(void)sendto(rl->fd, buf, (size_t)n, 0, (struct sockaddr *)&rl->from[k],
			    sizeof(rl->from[k]));
			return;
		}
}

/* relay_loop - the relay's thread: forward until told to stop. */
static void *
relay_loop(void *arg)
{
	struct relay *rl = arg;
	struct pollfd pfd[2] = { { rl->fd, POLLIN, 0 }, { rl->up, POLLIN, 0 } };
	bool stop = false;

	while (!stop) {
		if (poll(pfd, 2, 50) > 0) {
			if (pfd[0].revents & POLLIN)
				relay_query(rl);
			if (pfd[1].revents & POLLIN)
				relay_answer(rl);
		}
		pthread_mutex_lock(&rl->mu);
		stop = rl->stop;
		pthread_mutex_unlock(&rl->mu);
	}
	return NULL;
}

/* relay_start - a relay to nsd on 127.0.0.1:nsd_port; its port, or 0. */
static int
relay_start(struct relay *rl, int nsd_port)
{
	struct sockaddr_in sin;

	memset(rl, 0, sizeof(*rl));
	pthread_mutex_init(&rl->mu, NULL);
	rl->port = silent_port(&rl->fd);
	rl->up = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)nsd_port);
	if (rl->port == 0 || rl->up < 0 ||
	    connect(rl->up, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    pthread_create(&rl->thread, NULL, relay_loop, rl) != 0) {
		close(rl->fd);
		close(rl->up);
		pthread_mutex_destroy(&rl->mu);
		return rl->port = 0;
	}
	return rl->port;
}

/* relay_stop - stop the thread and close the sockets. */
static void
relay_stop(struct relay *rl)
{
	pthread_mutex_lock(&rl->mu);
	rl->stop = true;
	pthread_mutex_unlock(&rl->mu);
	pthread_join(rl->thread, NULL);
	close(rl->fd);
	close(rl->up);
	pthread_mutex_destroy(&rl->mu);
}

/* relay_saw - did the relay forward a query for name (lower case)? */
static bool
relay_saw(struct relay *rl, const char *name)
{
	bool saw = false;
	size_t i;

	pthread_mutex_lock(&rl->mu);
	for (i = 0; i < rl->nnames && i < RELAY_SLOTS; i++)
		saw = saw || strcmp(rl->names[i], name) == 0;
	pthread_mutex_unlock(&rl->mu);
	return saw;
}

/* spent_lookup - name/type with a deadline already passed: tempfail, at once. */
static void
spent_lookup(struct resolver *r, const char *name, int type, const char *what)
{
	struct resolver_answer a;
	int64_t t0 = resolver_now_ms(), dt;

	tap_streq(dns_rcode_name(resolver_lookup(r, name, type, t0 - 1, &a)), "tempfail",
	    "spent: %s: tempfail (%s)", what, a.reason);
	dt = resolver_now_ms() - t0;
	tap_ok(dt < CEILING_MS, "spent: %s: returned at once (%lld ms, timeout %d)", what,
	    (long long)dt, FULL_WAIT_MS);
	resolver_answer_free(&a);
}

/* expect_ok - name/type answers DNS_OK within the configured timeout. */
static void
expect_ok(struct resolver *r, const char *name, int type, const char *what)
{
	struct resolver_answer a;

	tap_streq(dns_rcode_name(resolver_lookup(r, name, type, 0, &a)), "ok",
	    "spent: %s (%s)", what, a.reason);
	resolver_answer_free(&a);
}

/*
 * test_spent - part (5): through the relay, names nsd answers at once.  A
 * name asked with a spent deadline is not sent: a later query's answer
 * comes back through the relay after any query sent before it, and the
 * relay has not seen the name.  A cached answer is not used either.
 */
static void
test_spent(int nsd_port)
{
	struct resolver_config cfg = { .timeout_ms = FULL_WAIT_MS };
	struct relay rl;
	struct resolver *r;
	char ns[64], err[256];

	if (!tap_ok(relay_start(&rl, nsd_port) > 0, "spent: relay in front of nsd"))
		return;
	snprintf(ns, sizeof(ns), "127.0.0.1@%d", rl.port);
	cfg.nameservers[0] = ns;
	cfg.n_nameservers = 1;
	r = resolver_new(&cfg, err, sizeof(err));
	if (tap_ok(r != NULL, "spent: resolver_new %s (%s)", ns, r ? "" : err)) {
		expect_ok(r, "aonly.resolver-test.example", RESOLVER_T_A, "a name that answers");
		tap_ok(relay_saw(&rl, "aonly.resolver-test.example"),
		    "spent: its query went through the relay");
		spent_lookup(r, "_dmarc.resolver-test.example", RESOLVER_T_TXT, "a name never asked");
		spent_lookup(r, "aonly.resolver-test.example", RESOLVER_T_A, "a cached answer");
		tap_streq(dns_rcode_name(resolver_exists(r, "mxonly.resolver-test.example",
		    resolver_now_ms() - 1)), "tempfail", "spent: exists is tempfail");
		expect_ok(r, "multi.resolver-test.example", RESOLVER_T_TXT, "a later query");
		tap_ok(!relay_saw(&rl, "_dmarc.resolver-test.example") &&
		    !relay_saw(&rl, "mxonly.resolver-test.example"),
		    "spent: no query sent with the deadline spent");
	}
	resolver_free(r);
	relay_stop(&rl);
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
	test_spent(port);
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

/* silent_wait - a lookup (exists when exists) waits from deadline - now to within CEILING_MS. */
static void
silent_wait(struct resolver *r, int64_t wait_ms, int64_t deadline, bool exists)
{
	struct resolver_answer a;
	int64_t t0 = resolver_now_ms(), dt;

	if (exists) {
		tap_streq(dns_rcode_name(resolver_exists(r, "example.com", deadline)),
		    "tempfail", "silent: exists is tempfail, not nxdomain");
	} else {
		tap_streq(dns_rcode_name(resolver_lookup(r, "example.com",
		    RESOLVER_T_TXT, deadline, &a)), "tempfail",
		    "silent: deadline gives tempfail (%s)", a.reason);
		resolver_answer_free(&a);
	}
	dt = resolver_now_ms() - t0;
	tap_ok(dt >= wait_ms - 50 && dt < CEILING_MS, "silent: %s took %lld ms (%lld)",
	    exists ? "exists" : "lookup", (long long)dt, (long long)wait_ms);
}

/*
 * test_silent - part (3): a server that never answers gives TEMPFAIL: a
 * lookup at its deadline (500 ms), not at the resolver's 30 s timeout;
 * exists(), without a deadline, after the configured timeout (800 ms) and
 * without hanging.
 */
static void
test_silent(void)
{
	struct resolver_config cfg = { .timeout_ms = FULL_WAIT_MS };
	struct resolver *r;
	char ns[64], err[256];
	int fd, port = silent_port(&fd);

	if (!tap_ok(port > 0, "silent: bound a UDP port"))
		return;
	snprintf(ns, sizeof(ns), "127.0.0.1@%d", port);
	cfg.nameservers[0] = ns;
	cfg.n_nameservers = 1;
	r = resolver_new(&cfg, err, sizeof(err));
	if (tap_ok(r != NULL, "silent: resolver_new (%s)", r ? "" : err))
		silent_wait(r, 500, resolver_now_ms() + 500, false);
	resolver_free(r);
	cfg.timeout_ms = 800;
	r = resolver_new(&cfg, err, sizeof(err));
	if (tap_ok(r != NULL, "silent: resolver_new, 800 ms timeout (%s)", r ? "" : err))
		silent_wait(r, 800, 0, true);
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
