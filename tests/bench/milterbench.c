/*
 * milterbench.c - replay the benchmark corpus against one milter or a chain
 * of them (as Postfix chains smtpd_milters) with C concurrent SMTP
 * sessions, and report what an MTA sees: messages per second, latency
 * percentiles, the actions taken, and what each milter process spent (CPU
 * per message and RSS, from /proc).  Run by tests/bench/run.sh.
 *
 *   milterbench -f CORPUS -m SOCKET [-m SOCKET]... [-c CONCURRENCY]
 *       [-n MESSAGES] [-s FIRST] [-k MESSAGES-PER-SESSION] [-q]
 *       [-p NAME=PID]... [-r COUNT[,COUNT]...] [-o RESULTS] [-l LABEL]
 *       [-t TIMEOUT]
 *
 * -m is a milter in chain order (inet:PORT@HOST, inet:HOST:PORT,
 * unix:PATH); -n the messages to send (default: the corpus once; more
 * replays it again and again), starting at corpus message -s; -k messages
 * per session (default 1: each message its own connection, as most inbound
 * SMTP sessions; with more, a session's client address and HELO are those
 * of its first message, so the corpus's expected actions no longer hold for
 * the others); -q sets TCP_QUICKACK after every read; -p a process whose
 * CPU time and RSS are reported; -r the message counts at which to sample
 * their RSS; -o writes one line per corpus message (id, kind, expected,
 * action, reply, every change the milters asked for) from the first pass.
 *
 * Prints a summary and one "RESULT key=value ..." line (read by
 * tests/bench/report.py).  Exit status 0, 1 on a usage or setup error, 3
 * when messages ended in a milter error (protocol or connection).
 *
 * Threads: the main thread loads the corpus, starts C workers (each runs
 * one session at a time through mta.c) and samples /proc while they run.
 * Workers take message numbers from an atomic counter and write only their
 * own slots of the shared arrays.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "corpus.h"
#include "mta.h"

#define MAX_PROCS 8
#define MAX_RSS_POINTS 8
#define MAX_THREADS 1024
#define MAX_PER_SESSION 100

struct proc {
	char name[64];
	pid_t pid;
	unsigned long long ticks0, ticks1;	/* utime + stime */
	unsigned long long sys0, sys1;		/* stime */
	long rss_kb;				/* at the end */
	long rss_at[MAX_RSS_POINTS];		/* at each -r count */
};

struct opts {
	const char *corpus;
	struct mta_milter chain[MTA_MAX_CHAIN];
	size_t nchain;
	unsigned long conc, total, first, per_session;
	struct mta_opts mta;
	struct proc procs[MAX_PROCS];
	size_t nprocs;
	unsigned long rss_points[MAX_RSS_POINTS];
	size_t nrss;
	const char *results;
	const char *label;
};

/* Per-thread tallies, merged at the end. */
struct tally {
	unsigned long final[MTA_NFINAL];
	unsigned long differ[3][MTA_NFINAL];	/* expected accept/quarantine/reject -> got */
	struct mta_mods mods;
};

struct run {
	struct opts *o;
	struct corpus c;
	atomic_ulong next;		/* the next message number to take */
	atomic_ulong done;
	double *latency;		/* per message number */
	char **lines;			/* per corpus message, first pass, with -o */
	pthread_t *threads;
	struct tally *tallies;
	struct worker *workers;
};

/* A worker thread's argument. */
struct worker {
	struct run *run;
	struct tally *t;
};

/* ------------------------------------------------------------------ options */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: milterbench -f CORPUS -m SOCKET [-m SOCKET]... [-c CONCURRENCY] "
	    "[-n MESSAGES]\n       [-s FIRST] [-k PER-SESSION] [-q] [-p NAME=PID]... "
	    "[-r COUNT,...] [-o RESULTS]\n       [-l LABEL] [-t TIMEOUT]\n");
	exit(1);
}

/* number - a decimal in [lo, hi], or exit naming the option. */
static unsigned long
number(const char *s, unsigned long lo, unsigned long hi, char opt)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < lo || v > hi) {
		fprintf(stderr, "milterbench: -%c %s: a number from %lu to %lu\n", opt, s, lo, hi);
		exit(1);
	}
	return v;
}

/* add_proc - "-p NAME=PID". */
static void
add_proc(struct opts *o, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct proc *p;

	if (eq == NULL || eq == arg || o->nprocs == MAX_PROCS ||
	    (size_t)(eq - arg) >= sizeof(p->name)) {
		fprintf(stderr, "milterbench: -p %s: NAME=PID (at most %d)\n", arg, MAX_PROCS);
		exit(1);
	}
	p = &o->procs[o->nprocs++];
	memcpy(p->name, arg, (size_t)(eq - arg));
	p->name[eq - arg] = '\0';
	p->pid = (pid_t)number(eq + 1, 1, INT_MAX, 'p');
}

/* add_rss_points - "-r 100000,1000000". */
static void
add_rss_points(struct opts *o, const char *arg)
{
	char buf[256], *p = buf, *comma;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		usage();
	while (*p != '\0' && o->nrss < MAX_RSS_POINTS) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		o->rss_points[o->nrss++] = number(p, 1, ULONG_MAX / 2, 'r');
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

static void
parse_opts(int argc, char **argv, struct opts *o)
{
	char err[512];
	int ch;

	o->conc = 8;
	o->per_session = 1;
	o->mta.timeout_s = 120;
	o->label = "run";
	while ((ch = getopt(argc, argv, "f:m:c:n:s:k:qp:r:o:l:t:")) != -1) {
		switch (ch) {
		case 'f': o->corpus = optarg; break;
		case 'm':
			if (o->nchain == MTA_MAX_CHAIN ||
			    mta_parse_milter(optarg, &o->chain[o->nchain], err, sizeof(err)) != 0) {
				fprintf(stderr, "milterbench: %s\n",
				    o->nchain == MTA_MAX_CHAIN ? "too many -m" : err);
				exit(1);
			}
			o->nchain++;
			break;
		case 'c': o->conc = number(optarg, 1, MAX_THREADS, 'c'); break;
		case 'n': o->total = number(optarg, 1, ULONG_MAX / 2, 'n'); break;
		case 's': o->first = number(optarg, 0, ULONG_MAX / 2, 's'); break;
		case 'k': o->per_session = number(optarg, 1, MAX_PER_SESSION, 'k'); break;
		case 'q': o->mta.quickack = true; break;
		case 'p': add_proc(o, optarg); break;
		case 'r': add_rss_points(o, optarg); break;
		case 'o': o->results = optarg; o->mta.record = true; break;
		case 'l': o->label = optarg; break;
		case 't': o->mta.timeout_s = (int)number(optarg, 1, 3600, 't'); break;
		default: usage();
		}
	}
	if (optind != argc || o->corpus == NULL || o->nchain == 0)
		usage();
}

/* ------------------------------------------------------------------ /proc */

/* proc_ticks - utime + stime of pid (every thread, dead ones included), stime in *sys. */
static unsigned long long
proc_ticks(pid_t pid, unsigned long long *sys)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	*sys = 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after "pid (comm) ": state is field 3, utime 14, stime 15 */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return 0;
	*sys = st;
	return ut + st;
}

/* proc_rss_kb - VmRSS of pid, or -1. */
static long
proc_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * cpu_ticks - ticks all CPUs spent busy (user, nice, system, irq, softirq)
 * and stolen by the hypervisor, from /proc/stat.
 */
static void
cpu_ticks(unsigned long long *busy, unsigned long long *steal)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	*busy = *steal = 0;
	if (f == NULL)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
	    &v[4], &v[5], &v[6], &v[7]) == 8) {
		*busy = v[0] + v[1] + v[2] + v[5] + v[6];
		*steal = v[7];
	}
	fclose(f);
}

/* loadavg - the one-minute load average, or -1. */
static double
loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f != NULL) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* ------------------------------------------------------------------ workers */

/* expect_index - 0, 1, 2 for accept, quarantine, reject; -1 otherwise. */
static int
expect_index(const char *e)
{
	if (strcmp(e, "accept") == 0)
		return 0;
	if (strcmp(e, "quarantine") == 0)
		return 1;
	return strcmp(e, "reject") == 0 ? 2 : -1;
}

/* result_line - the -o line of one message. */
static char *
result_line(const struct corpus_msg *m, const struct mta_result *r)
{
	const char *log = r->log ? r->log : "";
	size_t n = strlen(m->id) + strlen(m->kind) + strlen(m->expect) + strlen(r->reply) +
	    strlen(log) + 64;
	char *s = malloc(n);

	if (s != NULL)
		snprintf(s, n, "%s\t%s\t%s\t%s\t%s\t%s\n", m->id, m->kind, m->expect,
		    mta_final_name(r->final), r->reply[0] ? r->reply : "-", log);
	return s;
}

/* account - one message's result into the thread's tally and the arrays. */
static void
account(struct run *run, struct tally *t, unsigned long seq, const struct corpus_msg *m,
    const struct mta_result *r)
{
	int e = expect_index(m->expect);

	run->latency[seq] = r->latency_ms;
	t->final[r->final]++;
	if (e >= 0 && strcmp(m->expect, mta_final_name(r->final)) != 0)
		t->differ[e][r->final]++;
	t->mods.insheader += r->mods.insheader;
	t->mods.addheader += r->mods.addheader;
	t->mods.chgheader += r->mods.chgheader;
	t->mods.quarantine += r->mods.quarantine;
	t->mods.replbody += r->mods.replbody;
	t->mods.rcpt += r->mods.rcpt;
	t->mods.chgfrom += r->mods.chgfrom;
	t->mods.progress += r->mods.progress;
	if (run->lines != NULL && seq < run->c.n)
		run->lines[(run->o->first + seq) % run->c.n] = result_line(m, r);
}

static void *
worker(void *arg)
{
	struct run *run = ((struct worker *)arg)->run;
	struct tally *t = ((struct worker *)arg)->t;
	struct opts *o = run->o;
	const struct corpus_msg *msgs[MAX_PER_SESSION];
	const char *qids[MAX_PER_SESSION];
	char qidbuf[MAX_PER_SESSION][24];
	struct mta_result res[MAX_PER_SESSION];
	unsigned long seq, k, i;

	for (;;) {
		seq = atomic_fetch_add(&run->next, o->per_session);
		if (seq >= o->total)
			break;
		k = o->total - seq < o->per_session ? o->total - seq : o->per_session;
		for (i = 0; i < k; i++) {
			msgs[i] = &run->c.msgs[(o->first + seq + i) % run->c.n];
			snprintf(qidbuf[i], sizeof(qidbuf[i]), "4B%010lX", seq + i);
			qids[i] = qidbuf[i];
		}
		mta_session(o->chain, o->nchain, &o->mta, msgs, qids, k, res);
		for (i = 0; i < k; i++) {
			account(run, t, seq + i, msgs[i], &res[i]);
			free(res[i].log);
		}
		atomic_fetch_add(&run->done, k);
	}
	return NULL;
}

/* ------------------------------------------------------------------ report */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* merge - every thread's tally into the first. */
static void
merge(struct run *run)
{
	struct tally *t = &run->tallies[0], *u;
	size_t i, f, e;

	for (i = 1; i < run->o->conc; i++) {
		u = &run->tallies[i];
		for (f = 0; f < MTA_NFINAL; f++) {
			t->final[f] += u->final[f];
			for (e = 0; e < 3; e++)
				t->differ[e][f] += u->differ[e][f];
		}
		t->mods.insheader += u->mods.insheader;
		t->mods.addheader += u->mods.addheader;
		t->mods.chgheader += u->mods.chgheader;
		t->mods.quarantine += u->mods.quarantine;
		t->mods.replbody += u->mods.replbody;
		t->mods.rcpt += u->mods.rcpt;
		t->mods.chgfrom += u->mods.chgfrom;
		t->mods.progress += u->mods.progress;
	}
}

/* print_differ - the expected -> got pairs that happened. */
static unsigned long
print_differ(const struct tally *t, FILE *f)
{
	static const char *const ex[3] = { "accept", "quarantine", "reject" };
	unsigned long total = 0;
	size_t e, g;

	for (e = 0; e < 3; e++)
		for (g = 0; g < MTA_NFINAL; g++)
			if (t->differ[e][g] > 0) {
				fprintf(f, "%s %s->%s %lu", total ? "," : "", ex[e],
				    mta_final_name((enum mta_final)g), t->differ[e][g]);
				total += t->differ[e][g];
			}
	return total;
}

/*
 * What the machine did besides this run, in CPUs: all busy time less that
 * of the -p processes and of milterbench itself; and the time stolen.
 */
struct others {
	double busy, steal;
};

static void
report(struct run *run, double secs, double client_cpu, double load0, double load1,
    const struct others *oth)
{
	struct opts *o = run->o;
	struct tally *t = &run->tallies[0];
	unsigned long n = o->total, differ = 0, e, g;
	double *v = run->latency, mean = 0, tick = (double)sysconf(_SC_CLK_TCK);
	size_t i, j;

	for (i = 0; i < n; i++)
		mean += v[i];
	mean /= (double)n;
	qsort(v, n, sizeof(*v), cmp_double);
	for (e = 0; e < 3; e++)
		for (g = 0; g < MTA_NFINAL; g++)
			differ += t->differ[e][g];
	printf("milterbench: %s: %lu messages, concurrency %lu, quick-ack %s, %lu per session\n",
	    o->label, n, o->conc, o->mta.quickack ? "on" : "off", o->per_session);
	printf("  chain        ");
	for (i = 0; i < o->nchain; i++)
		printf("%s%s", i ? " -> " : "", o->chain[i].spec);
	printf("\n  throughput   %.1f msg/s (%.2f s)\n", (double)n / secs, secs);
	printf("  latency ms   p50 %.2f  p99 %.2f  max %.2f  mean %.2f\n",
	    v[(n - 1) / 2], v[(size_t)((double)(n - 1) * 0.99)], v[n - 1], mean);
	printf("  actions     ");
	for (g = 0; g < MTA_NFINAL; g++)
		printf(" %s %lu", mta_final_name((enum mta_final)g), t->final[g]);
	printf("\n  changes      insheader %u, addheader %u, chgheader %u, quarantine %u, "
	    "other %u\n", t->mods.insheader, t->mods.addheader, t->mods.chgheader,
	    t->mods.quarantine, t->mods.replbody + t->mods.rcpt + t->mods.chgfrom);
	printf("  expected     %lu differ%s", differ, differ ? ":" : "");
	print_differ(t, stdout);
	printf("\n  cpu ms/msg  ");
	for (i = 0; i < o->nprocs; i++)
		printf(" %s %.3f (system %.3f)", o->procs[i].name,
		    (double)(o->procs[i].ticks1 - o->procs[i].ticks0) / tick * 1e3 / (double)n,
		    (double)(o->procs[i].sys1 - o->procs[i].sys0) / tick * 1e3 / (double)n);
	printf(" client %.3f\n  rss MB      ", client_cpu * 1e3 / (double)n);
	for (i = 0; i < o->nprocs; i++)
		printf(" %s %.1f", o->procs[i].name, (double)o->procs[i].rss_kb / 1024.0);
	printf("\n  load         %.2f before, %.2f after; other processes kept %.2f CPUs busy, "
	    "%.2f stolen\n", load0, load1, oth->busy, oth->steal);

	printf("RESULT label=%s msgs=%lu conc=%lu quickack=%d chain=%zu secs=%.3f mps=%.1f "
	    "p50=%.3f p99=%.3f max=%.3f mean=%.3f", o->label, n, o->conc, o->mta.quickack ? 1 : 0,
	    o->nchain, secs, (double)n / secs, v[(n - 1) / 2], v[(size_t)((double)(n - 1) * 0.99)],
	    v[n - 1], mean);
	for (g = 0; g < MTA_NFINAL; g++)
		printf(" %s=%lu", mta_final_name((enum mta_final)g), t->final[g]);
	printf(" differ=%lu insheader=%u chgheader=%u", differ, t->mods.insheader,
	    t->mods.chgheader);
	for (i = 0; i < o->nprocs; i++) {
		struct proc *p = &o->procs[i];

		printf(" cpu.%s=%.4f sys.%s=%.4f rss.%s=%ld", p->name,
		    (double)(p->ticks1 - p->ticks0) / tick * 1e3 / (double)n, p->name,
		    (double)(p->sys1 - p->sys0) / tick * 1e3 / (double)n, p->name, p->rss_kb);
		for (j = 0; j < o->nrss; j++)
			printf(" rss@%lu.%s=%ld", o->rss_points[j], p->name, p->rss_at[j]);
	}
	printf(" cpu.client=%.4f load0=%.2f load1=%.2f others=%.2f steal=%.2f\n",
	    client_cpu * 1e3 / (double)n, load0, load1, oth->busy, oth->steal);
}

/* write_results - the -o file, in corpus order. */
static int
write_results(struct run *run)
{
	FILE *f = fopen(run->o->results, "w");
	size_t i;

	if (f == NULL) {
		fprintf(stderr, "milterbench: %s: %s\n", run->o->results, strerror(errno));
		return -1;
	}
	fprintf(f, "# id\tkind\texpected\taction\treply\tchanges (mN: the Nth milter)\n");
	for (i = 0; i < run->c.n; i++)
		if (run->lines[i] != NULL)
			fputs(run->lines[i], f);
	return fclose(f) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ main */

/* sample - RSS at the -r points as the run passes them; progress lines. */
static void
sample(struct run *run, size_t *next_point, double t0, double *last_note)
{
	struct opts *o = run->o;
	unsigned long done = atomic_load(&run->done);
	size_t i;

	while (*next_point < o->nrss && done >= o->rss_points[*next_point]) {
		for (i = 0; i < o->nprocs; i++)
			o->procs[i].rss_at[*next_point] = proc_rss_kb(o->procs[i].pid);
		(*next_point)++;
	}
	if (now_s() - *last_note >= 30) {
		*last_note = now_s();
		fprintf(stderr, "milterbench: %s: %lu of %lu messages, %.0f msg/s\n", o->label,
		    done, o->total, (double)done / (*last_note - t0));
	}
}

static void
start_workers(struct run *run)
{
	unsigned long i;

	for (i = 0; i < run->o->conc; i++) {
		run->workers[i].run = run;
		run->workers[i].t = &run->tallies[i];
		if (pthread_create(&run->threads[i], NULL, worker, &run->workers[i]) != 0) {
			fprintf(stderr, "milterbench: cannot start thread %lu\n", i);
			exit(1);
		}
	}
}

/* setup - corpus and arrays. */
static void
setup(struct run *run, struct opts *o)
{
	char err[512];

	run->o = o;
	if (corpus_load(&run->c, o->corpus, err, sizeof(err)) != 0) {
		fprintf(stderr, "milterbench: %s\n", err);
		exit(1);
	}
	if (o->total == 0)
		o->total = run->c.n;
	run->latency = calloc(o->total, sizeof(*run->latency));
	run->threads = calloc(o->conc, sizeof(*run->threads));
	run->tallies = calloc(o->conc, sizeof(*run->tallies));
	run->workers = calloc(o->conc, sizeof(*run->workers));
	run->lines = o->results ? calloc(run->c.n, sizeof(*run->lines)) : NULL;
	if (run->latency == NULL || run->threads == NULL || run->tallies == NULL ||
	    run->workers == NULL ||
	    (o->results && run->lines == NULL)) {
		fprintf(stderr, "milterbench: out of memory\n");
		exit(1);
	}
	atomic_init(&run->next, 0);
	atomic_init(&run->done, 0);
}

int
main(int argc, char **argv)
{
	static struct opts o;
	static struct run run;
	double t0, t1, c0, load0, last_note, own, hz = (double)sysconf(_SC_CLK_TCK);
	unsigned long long busy0, busy1, steal0, steal1;
	struct others oth;
	size_t i, next_point = 0;
	struct timespec tick = { 0, 20 * 1000 * 1000 };

	signal(SIGPIPE, SIG_IGN);
	parse_opts(argc, argv, &o);
	setup(&run, &o);
	for (i = 0; i < o.nprocs; i++)
		o.procs[i].ticks0 = proc_ticks(o.procs[i].pid, &o.procs[i].sys0);
	load0 = loadavg();
	cpu_ticks(&busy0, &steal0);
	c0 = cpu_s();
	t0 = last_note = now_s();
	start_workers(&run);
	while (atomic_load(&run.done) < o.total) {
		nanosleep(&tick, NULL);
		sample(&run, &next_point, t0, &last_note);
	}
	for (i = 0; i < o.conc; i++)
		pthread_join(run.threads[i], NULL);
	t1 = now_s();
	cpu_ticks(&busy1, &steal1);
	sample(&run, &next_point, t0, &last_note);
	for (i = 0; i < o.nprocs; i++) {
		o.procs[i].ticks1 = proc_ticks(o.procs[i].pid, &o.procs[i].sys1);
		o.procs[i].rss_kb = proc_rss_kb(o.procs[i].pid);
	}
	own = cpu_s() - c0;
	for (i = 0; i < o.nprocs; i++)
		own += (double)(o.procs[i].ticks1 - o.procs[i].ticks0) / hz;
	oth.busy = ((double)(busy1 - busy0) / hz - own) / (t1 - t0);
	oth.busy = oth.busy > 0 ? oth.busy : 0;
	oth.steal = (double)(steal1 - steal0) / hz / (t1 - t0);
	merge(&run);
	report(&run, t1 - t0, cpu_s() - c0, load0, loadavg(), &oth);
	if (o.results != NULL && write_results(&run) != 0)
		return 1;
	return run.tallies[0].final[MTA_ERROR] > 0 ? 3 : 0;
}
