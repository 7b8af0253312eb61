/*
 * metrics.c - counters, gauges, histograms and their exposition; see
 * metrics.h.  The metric names, types and labels are listed in README.md
 * and authmilter(8) (section METRICS): keep the three in step.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "metrics.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define ADD(var, n) __atomic_add_fetch(&(var), (n), __ATOMIC_RELAXED)
#define GET(var) __atomic_load_n(&(var), __ATOMIC_RELAXED)

/* The reason label of authmilter_messages_total. */
enum mreason {
	MR_DMARC_PASS, MR_DMARC_FAIL, MR_NO_POLICY, MR_OVERRIDE, MR_DNS_TEMPERROR,
	MR_PERMERROR, MR_UNUSABLE_FROM, MR_MULTIPLE_FROM, MR_REQUIRED_HEADERS,
	MR_INTERNAL_ERROR, MR_IGNORED_HOST, MR_AUTHENTICATED, MR_IGNORED_AUTHOR,
	MR_NO_ENVELOPE, MR_N
};

static const char *const mreason_names[MR_N] = {
	"dmarc_pass", "dmarc_fail", "no_policy", "override", "dns_temperror",
	"permerror", "unusable_from", "multiple_from_domains", "required_headers",
	"internal_error", "ignored_host", "authenticated_client", "ignored_author",
	"no_envelope"
};

/* The results' names are results.h's and decide.h's; these are their counts. */
#define N_ACTIONS 4		/* enum decision_action */
#define N_DMARC 5		/* enum dmarc_result */
#define N_SCOPES 2		/* enum spf_scope */
#define N_SPF 7			/* enum spf_result */
#define N_DKIM 7		/* enum dkim_result */
#define N_OVERRIDES 6		/* OVERRIDE_* bits */
static const char *const policy_names[] = { "absent", "none", "quarantine", "reject" };
static const char *const alg_names[] = { "rsa-sha256", "rsa-sha1", "ed25519-sha256", "other" };
static const char *const key_names[] = {
	"none", "rsa_lt1024", "rsa_1024", "rsa_2048", "rsa_3072", "rsa_ge4096", "ed25519"
};
static const char *const arc_names[] = { "none", "pass", "fail", "temperror" };
static const char *const history_names[] = { "written", "write_error", "refused" };
static const char *const reload_names[] = { "ok", "rejected" };

/* Histogram bucket upper bounds, in microseconds (and as printed). */
static const int64_t bound_us[] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000, 30000000, 60000000, 300000000
};
static const char *const bound_text[] = {
	"0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
	"1", "2.5", "5", "10", "30", "60", "300"
};
#define NBOUNDS NELEM(bound_us)

struct histogram {
	size_t nbounds;			/* the first nbounds of bound_us */
	unsigned long bucket[NBOUNDS + 1];	/* not cumulative; [nbounds]: above the last */
	unsigned long sum_us;
};

static struct {
	bool on;
	unsigned long messages[N_ACTIONS][MR_N];
	unsigned long dmarc[N_DMARC][NELEM(policy_names)];
	unsigned long overrides[N_OVERRIDES];
	unsigned long spf[N_SCOPES][N_SPF];
	unsigned long dkim[N_DKIM];
	unsigned long dkim_sigs[NELEM(alg_names)][NELEM(key_names)];
	unsigned long arc[NELEM(arc_names)];
	unsigned long authres_removed;
	unsigned long history[NELEM(history_names)];
	unsigned long reloads[NELEM(reload_names)];
	long connections;
	int last_reload_ok;
	int64_t last_reload_ok_time;
	int64_t start_time;
	struct histogram decision, message;
	struct resolver_stats dns;
} M = {
	.decision = { .nbounds = 13 },
	.message = { .nbounds = NBOUNDS },
};

void
metrics_enable(void)
{
	int64_t now = (int64_t)time(NULL);

	__atomic_store_n(&M.start_time, now, __ATOMIC_RELAXED);
	__atomic_store_n(&M.last_reload_ok, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&M.last_reload_ok_time, now, __ATOMIC_RELAXED);
	__atomic_store_n(&M.on, true, __ATOMIC_RELEASE);
}

bool
metrics_enabled(void)
{
	return __atomic_load_n(&M.on, __ATOMIC_RELAXED);
}

struct resolver_stats *
metrics_dns(void)
{
	return &M.dns;
}

int64_t
metrics_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
metrics_connection(int delta)
{
	if (metrics_enabled())
		ADD(M.connections, delta);
}

/* observe - one duration into a histogram (negative: none). */
static void
observe(struct histogram *h, int64_t us)
{
	size_t i;

	if (us < 0)
		return;
	for (i = 0; i < h->nbounds && us > bound_us[i]; i++)
		;
	ADD(h->bucket[i], 1);
	ADD(h->sum_us, (unsigned long)us);
}

/* reason_of - the reason label of a decided message. */
static enum mreason
reason_of(const struct decision *d)
{
	switch (d->reason) {
	case REASON_REQUIRED_HEADERS: return MR_REQUIRED_HEADERS;
	case REASON_UNUSABLE_FROM: return MR_UNUSABLE_FROM;
	case REASON_MULTIPLE_FROM: return MR_MULTIPLE_FROM;
	case REASON_INTERNAL_ERROR: return MR_INTERNAL_ERROR;
	case REASON_IGNORED_HOST: return MR_IGNORED_HOST;
	case REASON_AUTHENTICATED: return MR_AUTHENTICATED;
	case REASON_IGNORED_AUTHOR: return MR_IGNORED_AUTHOR;
	case REASON_NO_ENVELOPE: return MR_NO_ENVELOPE;
	case REASON_DMARC: break;
	}
	switch (d->verdict.result) {
	case DMARC_RES_PASS: return MR_DMARC_PASS;
	case DMARC_RES_NONE: return MR_NO_POLICY;
	case DMARC_RES_TEMPERROR: return MR_DNS_TEMPERROR;
	case DMARC_RES_PERMERROR: return MR_PERMERROR;
	case DMARC_RES_FAIL: break;
	}
	return d->verdict.overrides != 0 ? MR_OVERRIDE : MR_DMARC_FAIL;
}

/* count_dmarc - the DMARC result, its policy and the overrides that applied. */
static void
count_dmarc(const struct verdict *v)
{
	size_t p = v->record_found && (size_t)v->policy < NELEM(policy_names) ? (size_t)v->policy : 0;
	size_t i;

	if ((size_t)v->result < N_DMARC)
		ADD(M.dmarc[v->result][p], 1);
	for (i = 0; i < N_OVERRIDES; i++)
		if (v->overrides & (1u << i))
			ADD(M.overrides[i], 1);
}

/* alg_of / key_of - a DKIM signature's algorithm and key size classes. */
static size_t
alg_of(const char *a)
{
	size_t i;

	for (i = 0; i + 1 < NELEM(alg_names); i++)
		if (strcasecmp(a, alg_names[i]) == 0)
			return i;
	return NELEM(alg_names) - 1;
}

static size_t
key_of(const struct dkim_sig_result *s)
{
	if (s->key_bits == 0)
		return 0;
	if (strncasecmp(s->a, "ed25519", 7) == 0)
		return 6;
	return s->key_bits < 1024 ? 1 : s->key_bits < 2048 ? 2 : s->key_bits < 3072 ? 3 :
	    s->key_bits < 4096 ? 4 : 5;
}

/* count_engines - the SPF, DKIM and ARC results of an evaluated message. */
static void
count_engines(const struct facts *f)
{
	size_t i;

	for (i = 0; i < f->nspf && i < NELEM(f->spf); i++)
		if ((size_t)f->spf[i].scope < N_SCOPES && (size_t)f->spf[i].result < N_SPF)
			ADD(M.spf[f->spf[i].scope][f->spf[i].result], 1);
	for (i = 0; f->dkim_done && i < f->dkim.n && i < DKIM_VERIFY_MAX_SIGS; i++) {
		if ((size_t)f->dkim.sig[i].result < N_DKIM)
			ADD(M.dkim[f->dkim.sig[i].result], 1);
		ADD(M.dkim_sigs[alg_of(f->dkim.sig[i].a)][key_of(&f->dkim.sig[i])], 1);
	}
	if (f->arc != NULL)
		ADD(M.arc[f->arc->temperror ? 3 : (size_t)f->arc->chain % 3], 1);
}

void
metrics_message(const struct facts *f, const struct decision *d, int64_t decide_us,
    int64_t message_us)
{
	if (!metrics_enabled())
		return;
	if ((size_t)d->action < N_ACTIONS)
		ADD(M.messages[d->action][reason_of(d)], 1);
	if (!d->evaluated)
		return;
	if (d->reason != REASON_INTERNAL_ERROR)
		count_dmarc(&d->verdict);
	count_engines(f);
	if (d->ndelete > 0)
		ADD(M.authres_removed, d->ndelete);
	observe(&M.decision, decide_us);
	observe(&M.message, message_us);
}

void
metrics_history(size_t written, size_t failed, size_t refused)
{
	if (!metrics_enabled())
		return;
	if (written > 0)
		ADD(M.history[0], written);
	if (failed > 0)
		ADD(M.history[1], failed);
	if (refused > 0)
		ADD(M.history[2], refused);
}

void
metrics_reload(bool ok, int64_t now)
{
	ADD(M.reloads[ok ? 0 : 1], 1);
	__atomic_store_n(&M.last_reload_ok, ok ? 1 : 0, __ATOMIC_RELAXED);
	if (ok)
		__atomic_store_n(&M.last_reload_ok_time, now, __ATOMIC_RELAXED);
}

void
metrics_summarize(struct metrics_summary *s)
{
	size_t a, r;
	unsigned long n;

	memset(s, 0, sizeof(*s));
	for (a = 0; a < N_ACTIONS; a++)
		for (r = 0; r < MR_N; r++) {
			n = GET(M.messages[a][r]);
			s->messages += n;
			if (r >= MR_IGNORED_HOST)
				s->skipped += n;
			else if (a == ACTION_ACCEPT)
				s->accepted += n;
			else if (a == ACTION_QUARANTINE)
				s->quarantined += n;
			else if (a == ACTION_REJECT)
				s->rejected += n;
			else
				s->tempfailed += n;
		}
	s->dns_errors = GET(M.dns.timeouts) + GET(M.dns.servfail) + GET(M.dns.bogus) +
	    GET(M.dns.errors);
	s->connections = GET(M.connections);
}

/* ------------------------------------------------------------ exposition */

/* head - the HELP and TYPE lines of a metric. */
static void
head(struct str *o, const char *name, const char *type, const char *help)
{
	(void)str_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* counter1 - a counter with one label over a table of values. */
static void
counter1(struct str *o, const char *name, const char *help, const char *label,
    const char *const *values, const unsigned long *v, size_t n)
{
	size_t i;

	head(o, name, "counter", help);
	for (i = 0; i < n; i++)
		(void)str_printf(o, "%s{%s=\"%s\"} %lu\n", name, label, values[i], GET(v[i]));
}

/* scalar - a metric without labels. */
static void
scalar(struct str *o, const char *name, const char *type, const char *help, long long v)
{
	head(o, name, type, help);
	(void)str_printf(o, "%s %lld\n", name, v);
}

/* histogram - buckets (cumulative), sum and count. */
static void
histogram(struct str *o, const char *name, const char *help, const struct histogram *h)
{
	unsigned long cum = 0;
	size_t i;

	head(o, name, "histogram", help);
	for (i = 0; i < h->nbounds; i++) {
		cum += GET(h->bucket[i]);
		(void)str_printf(o, "%s_bucket{le=\"%s\"} %lu\n", name, bound_text[i], cum);
	}
	cum += GET(h->bucket[h->nbounds]);
	(void)str_printf(o, "%s_bucket{le=\"+Inf\"} %lu\n%s_sum %lu.%06lu\n%s_count %lu\n",
	    name, cum, name, GET(h->sum_us) / 1000000, GET(h->sum_us) % 1000000, name, cum);
}

/* render_messages - the per-message counters. */
static void
render_messages(struct str *o)
{
	size_t a, r, i;

	head(o, "authmilter_messages_total", "counter",
	    "Messages decided, by action and by what decided it.");
	for (a = 0; a < N_ACTIONS; a++)
		for (r = 0; r < MR_N; r++)
			(void)str_printf(o, "authmilter_messages_total{action=\"%s\",reason=\"%s\"} %lu\n",
			    action_name((enum decision_action)a), mreason_names[r], GET(M.messages[a][r]));
	head(o, "authmilter_dmarc_results_total", "counter",
	    "DMARC results of the messages evaluated, by the policy that applied.");
	for (a = 0; a < N_DMARC; a++)
		for (i = 0; i < NELEM(policy_names); i++)
			(void)str_printf(o, "authmilter_dmarc_results_total{result=\"%s\",policy=\"%s\"} %lu\n",
			    dmarc_result_name((enum dmarc_result)a), policy_names[i], GET(M.dmarc[a][i]));
	head(o, "authmilter_dmarc_overrides_total", "counter",
	    "DMARC dispositions changed by an override (RFC 9990 PolicyOverrideType).");
	for (i = 0; i < N_OVERRIDES; i++)
		(void)str_printf(o, "authmilter_dmarc_overrides_total{type=\"%s\"} %lu\n",
		    override_name(1u << i), GET(M.overrides[i]));
	head(o, "authmilter_spf_results_total", "counter", "SPF results, by identity checked.");
	for (a = 0; a < N_SCOPES; a++)
		for (i = 0; i < N_SPF; i++)
			(void)str_printf(o, "authmilter_spf_results_total{scope=\"%s\",result=\"%s\"} %lu\n",
			    spf_scope_name((enum spf_scope)a), spf_result_name((enum spf_result)i),
			    GET(M.spf[a][i]));
	head(o, "authmilter_dkim_results_total", "counter", "DKIM signatures evaluated, by result.");
	for (i = 0; i < N_DKIM; i++)
		(void)str_printf(o, "authmilter_dkim_results_total{result=\"%s\"} %lu\n",
		    dkim_result_name((enum dkim_result)i), GET(M.dkim[i]));
	head(o, "authmilter_dkim_signatures_total", "counter",
	    "DKIM signatures evaluated, by algorithm and key size class.");
	for (a = 0; a < NELEM(alg_names); a++)
		for (i = 0; i < NELEM(key_names); i++)
			(void)str_printf(o, "authmilter_dkim_signatures_total{algorithm=\"%s\",key=\"%s\"} %lu\n",
			    alg_names[a], key_names[i], GET(M.dkim_sigs[a][i]));
	counter1(o, "authmilter_arc_results_total", "ARC chain results (with ARCVerify).",
	    "result", arc_names, M.arc, NELEM(arc_names));
	scalar(o, "authmilter_authres_removed_total", "counter",
	    "Authentication-Results fields claiming this site's authserv-id, removed.",
	    (long long)GET(M.authres_removed));
	histogram(o, "authmilter_decision_seconds",
	    "Time to decide at end of message: DKIM, ARC, DMARC and the replies.", &M.decision);
	histogram(o, "authmilter_message_seconds",
	    "Time from MAIL FROM to the decision, the MTA's pauses included.", &M.message);
}

/* render_dns - the resolver counters. */
static void
render_dns(struct str *o)
{
	static const char *const kinds[] = { "timeout", "servfail", "bogus", "other" };
	unsigned long v[4];

	scalar(o, "authmilter_dns_queries_total", "counter", "DNS queries sent to the resolver.",
	    (long long)GET(M.dns.queries));
	scalar(o, "authmilter_dns_cache_hits_total", "counter",
	    "DNS lookups answered from authmilter's answer cache.", (long long)GET(M.dns.cache_hits));
	v[0] = GET(M.dns.timeouts);
	v[1] = GET(M.dns.servfail);
	v[2] = GET(M.dns.bogus);
	v[3] = GET(M.dns.errors);
	counter1(o, "authmilter_dns_errors_total", "DNS lookups that failed, by kind.", "kind",
	    kinds, v, 4);
}

/* label_escape - v as a label value (backslash, quote and newline escaped). */
static void
label_escape(struct str *o, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			(void)str_appendc(o, '\\');
		if (*v == '\n')
			(void)str_appends(o, "\\n");
		else
			(void)str_appendc(o, *v);
	}
}

/* fd_count - descriptors open in this process, -1 when unknown. */
static long
fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;			/* the directory's own */
}

/* render_process - the daemon's own gauges and the usual process_* metrics. */
static void
render_process(struct str *o)
{
	struct rusage ru;
	struct rlimit rl;
	long pages = 0, rss = 0;
	FILE *f;

	scalar(o, "authmilter_connections", "gauge", "MTA connections open.",
	    (long long)GET(M.connections));
	counter1(o, "authmilter_history_records_total",
	    "History records: written, lost to a failed write, refused by the format.",
	    "result", history_names, M.history, NELEM(history_names));
	counter1(o, "authmilter_config_reloads_total", "Configuration reloads (SIGHUP).",
	    "result", reload_names, M.reloads, NELEM(reload_names));
	scalar(o, "authmilter_config_last_reload_successful", "gauge",
	    "Whether the last reload worked (1 before any).", GET(M.last_reload_ok));
	scalar(o, "authmilter_config_last_reload_success_timestamp_seconds", "gauge",
	    "When the configuration in use was loaded (Unix time).", GET(M.last_reload_ok_time));
	head(o, "authmilter_build_info", "gauge", "The version running (always 1).");
	(void)str_appends(o, "authmilter_build_info{version=\"");
	label_escape(o, PACKAGE_VERSION);
	(void)str_appends(o, "\"} 1\n");
	if (getrusage(RUSAGE_SELF, &ru) == 0) {
		head(o, "process_cpu_seconds_total", "counter", "User and system CPU time spent.");
		(void)str_printf(o, "process_cpu_seconds_total %.3f\n",
		    (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	}
	if ((f = fopen("/proc/self/statm", "r")) != NULL) {
		if (fscanf(f, "%ld %ld", &pages, &rss) == 2)
			scalar(o, "process_resident_memory_bytes", "gauge", "Resident memory size.",
			    (long long)rss * sysconf(_SC_PAGESIZE));
		fclose(f);
	}
	scalar(o, "process_open_fds", "gauge", "Open file descriptors.", fd_count());
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		scalar(o, "process_max_fds", "gauge", "The limit on open file descriptors.",
		    (long long)rl.rlim_cur);
	scalar(o, "process_start_time_seconds", "gauge", "When the daemon started (Unix time).",
	    GET(M.start_time));
}

int
metrics_render(struct str *out)
{
	str_reset(out);
	render_messages(out);
	render_dns(out);
	render_process(out);
	return out->len > 0 && out->s[out->len - 1] == '\n' ? 0 : -1;
}
