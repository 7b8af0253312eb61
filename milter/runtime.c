/*
 * runtime.c - the per-configuration bundle of engines; see runtime.h.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arc_verify.h"
#include "dkim_verify.h"
#include "psl.h"
#include "resolver.h"
#include "runtime.h"
#include "spf.h"

/* open_history - the HistoryFile for appending, or -1 when none is set. */
static int
open_history(const struct conf *c, char *err, size_t errsize)
{
	int fd;

	if (c->history_file == NULL || c->history_file[0] == '\0')
		return -1;
	fd = open(c->history_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0)
		snprintf(err, errsize, "HistoryFile %s: %s", c->history_file,
		    strerror(errno));
	return fd;
}

/* The process's DNS trace sink (one per process: the daemon's log or stderr). */
static runtime_dns_log dns_log_fn;
static struct resolver_stats *dns_stats;

void
runtime_set_dns_stats(struct resolver_stats *stats)
{
	dns_stats = stats;
}

/* rrtype_name - the few types the milter asks for. */
static const char *
rrtype_name(int t)
{
	switch (t) {
	case RESOLVER_T_A: return "A";
	case RESOLVER_T_AAAA: return "AAAA";
	case RESOLVER_T_MX: return "MX";
	case RESOLVER_T_TXT: return "TXT";
	case RESOLVER_T_PTR: return "PTR";
	case RESOLVER_T_CNAME: return "CNAME";
	default: return "?";
	}
}

/* dns_trace - the resolver's trace hook: one line per lookup. */
static void
dns_trace(const char *name, int rrtype, const struct resolver_answer *a, int64_t ms)
{
	char line[512];

	snprintf(line, sizeof(line), "dns %s %s -> %s (%zu records, %s, %lld ms)%s%s", name,
	    rrtype_name(rrtype), dns_rcode_name(a->rcode), a->n, dns_sec_name(a->sec),
	    (long long)ms, a->reason[0] ? ": " : "", a->reason);
	if (dns_log_fn != NULL)
		dns_log_fn(line);
}

/* build_arc - the ARC engine: DKIMMinKeyBits, the DNS budget of a message. */
static int
build_arc(struct runtime *rt, char *err, size_t errsize)
{
	struct arc_config ac;

	memset(&ac, 0, sizeof(ac));
	ac.min_key_bits = rt->conf->dkim_min_key_bits;
	ac.dns_budget_ms = rt->conf->dns_budget_ms;
	rt->arc = arc_engine_new(&ac, rt->resolver, err, errsize);
	return rt->arc != NULL ? 0 : -1;
}

/* build_engines - resolver, SPF, DKIM, ARC and PSL of rt from its conf. */
static int
build_engines(struct runtime *rt, runtime_dns_log dns_log, char *err, size_t errsize)
{
	const struct conf *c = rt->conf;
	struct resolver_config rc;
	struct dkim_config dc;

	memset(&rc, 0, sizeof(rc));
	conf_resolver(c, &rc);
	rc.stats = dns_stats;
	if (c->log_dns && dns_log != NULL) {
		dns_log_fn = dns_log;
		rc.trace = dns_trace;
	}
	if ((rt->resolver = resolver_new(&rc, err, errsize)) == NULL)
		return -1;
	if ((rt->spf = spf_engine_new(rt->resolver, c->authserv_id, err, errsize)) == NULL)
		return -1;
	memset(&dc, 0, sizeof(dc));
	dc.min_key_bits = c->dkim_min_key_bits;
	dc.max_signatures = c->dkim_max_signatures;
	dc.dns_budget_ms = c->dns_budget_ms;
	if ((rt->dkim = dkim_engine_new(&dc, rt->resolver, err, errsize)) == NULL)
		return -1;
	if (c->arc_verify && build_arc(rt, err, errsize) != 0)
		return -1;
	if (c->org_mode == ORG_MODE_PSL &&
	    psl_load_file(c->psl_file, &rt->psl, err, errsize) != PSL_OK)
		return -1;
	return 0;
}

/* runtime_free - release everything (refs already zero). */
static void
runtime_free(struct runtime *rt)
{
	if (rt == NULL)
		return;
	arc_engine_free(rt->arc);
	dkim_engine_free(rt->dkim);
	spf_engine_free(rt->spf);
	resolver_free(rt->resolver);
	psl_free(rt->psl);
	if (rt->history_fd >= 0)
		close(rt->history_fd);
	pthread_mutex_destroy(&rt->history_mu);
	conf_unref(rt->conf);
	free(rt);
}

struct runtime *
runtime_new(struct conf *c, runtime_dns_log dns_log, char *err, size_t errsize)
{
	struct runtime *rt = calloc(1, sizeof(*rt));

	if (rt == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	rt->conf = conf_ref(c);
	rt->refs = 1;
	rt->history_fd = -1;
	pthread_mutex_init(&rt->history_mu, NULL);
	if (build_engines(rt, dns_log, err, errsize) != 0) {
		runtime_free(rt);
		return NULL;
	}
	rt->history_wanted = c->history_file != NULL && c->history_file[0] != '\0';
	rt->history_fd = open_history(c, rt->history_err, sizeof(rt->history_err));
	return rt;
}

struct runtime *
runtime_ref(struct runtime *rt)
{
	__atomic_add_fetch(&rt->refs, 1, __ATOMIC_RELAXED);
	return rt;
}

void
runtime_unref(struct runtime *rt)
{
	if (rt != NULL && __atomic_sub_fetch(&rt->refs, 1, __ATOMIC_ACQ_REL) == 0)
		runtime_free(rt);
}

/* history_rotated - does the HistoryFile path name another file than fd? */
static bool
history_rotated(const char *path, int fd)
{
	struct stat a, b;

	if (fstat(fd, &b) != 0)
		return true;
	if (stat(path, &a) != 0)
		return true;		/* removed: make it again */
	return a.st_ino != b.st_ino || a.st_dev != b.st_dev;
}

/* history_fd - the open HistoryFile, (re)opened when it is not open or was
 * rotated; -1 on error. */
static int
history_fd(struct runtime *rt)
{
	char err[256];
	int fd;

	if (rt->history_fd >= 0 && !history_rotated(rt->conf->history_file, rt->history_fd))
		return rt->history_fd;
	if ((fd = open_history(rt->conf, err, sizeof(err))) < 0)
		return -1;
	if (rt->history_fd >= 0)
		close(rt->history_fd);
	rt->history_fd = fd;
	return fd;
}

/* cut_torn - take the n bytes a short write appended off the end of fd. */
static void
cut_torn(int fd, ssize_t n)
{
	struct stat st;

	if (n > 0 && fstat(fd, &st) == 0 && st.st_size >= n &&
	    ftruncate(fd, st.st_size - n) != 0)
		return;		/* nothing more to do: the write is counted as failed */
}

/* write_record - one write (and fsync); 0, or -1 with errno. */
static int
write_record(struct runtime *rt, int fd, const char *line, size_t len)
{
	ssize_t n = write(fd, line, len);

	if (n >= 0 && (size_t)n != len) {
		cut_torn(fd, n);	/* under history_mu: no other writer */
		errno = ENOSPC;
		return -1;
	}
	if (n < 0 || (rt->conf->history_fsync && fsync(fd) != 0))
		return -1;
	return 0;
}

enum runtime_history_status
runtime_history_write(struct runtime *rt, const char *line, size_t len, size_t nrecords)
{
	enum runtime_history_status st = RUNTIME_HISTORY_OK;
	int fd, saved = 0;

	if (!rt->history_wanted)
		return RUNTIME_HISTORY_OK;
	pthread_mutex_lock(&rt->history_mu);
	if ((fd = history_fd(rt)) < 0 || write_record(rt, fd, line, len) != 0) {
		saved = errno;
		rt->history_failing = true;
		st = RUNTIME_HISTORY_FAILED;
		__atomic_add_fetch(&rt->history_errors, nrecords, __ATOMIC_RELAXED);
	} else if (rt->history_failing) {
		rt->history_failing = false;
		st = RUNTIME_HISTORY_RESUMED;
	}
	pthread_mutex_unlock(&rt->history_mu);
	errno = saved;
	return st;
}
