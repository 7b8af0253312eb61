/*
 * runtime.h - what evaluating a message needs, built from one configuration
 * snapshot: the configuration itself, the one resolver, the SPF, DKIM and
 * ARC engines, the public suffix list (PSL mode) and the history file.
 *
 * The daemon builds one at start and a new one on each successful reload,
 * then swaps the current pointer; every connection holds a reference to the
 * runtime it started with, so a reload never changes a message halfway.
 *
 * Thread-safety: runtime_new/runtime_free from one thread; runtime_ref,
 * runtime_unref and every engine inside may be used from any thread.
 */
#ifndef AUTHMILTER_RUNTIME_H
#define AUTHMILTER_RUNTIME_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct resolver;
struct spf_engine;
struct dkim_engine;
struct arc_engine;
struct psl;
struct resolver_stats;

struct runtime {
	struct conf *conf;		/* a reference of its own */
	struct resolver *resolver;
	struct spf_engine *spf;
	struct dkim_engine *dkim;
	struct arc_engine *arc;		/* NULL unless ARCVerify */
	struct psl *psl;		/* NULL unless OrganizationalDomain psl */
	bool history_wanted;		/* a HistoryFile is configured */
	int history_fd;			/* -1: none, or not open (yet) */
	char history_err[256];		/* why it could not be opened at start */
	pthread_mutex_t history_mu;	/* guards history_fd and history_failing */
	bool history_failing;		/* the last write failed */
	unsigned long history_errors;	/* records lost to failed writes (atomic) */
	int refs;			/* atomic */
};

/* A line of the DNS debug trace (LogDNS): "dns NAME TYPE -> STATUS ...". */
typedef void (*runtime_dns_log)(const char *line);

/*
 * runtime_new - build from c (which gains a reference).  dns_log receives
 * one line per DNS lookup when c->log_dns is set (NULL: never).  NULL with
 * the reason in err when a part cannot be built (bad trust anchor,
 * unreadable public suffix list, ...).  A HistoryFile that cannot be opened
 * is not fatal (a side output never stops the mail): history_fd stays -1,
 * the reason is in history_err, and every record tries to open it again.
 */
struct runtime *runtime_new(struct conf *c, runtime_dns_log dns_log, char *err,
    size_t errsize);

/*
 * runtime_set_dns_stats - the counters every resolver built from now on
 * adds its lookups to (metrics.h); NULL (the default): none.  Call before
 * the first runtime_new.
 */
void runtime_set_dns_stats(struct resolver_stats *stats);

/* runtime_ref - one more reference; returns rt. */
struct runtime *runtime_ref(struct runtime *rt);

/* runtime_unref - drop one reference; frees at zero.  NULL is fine. */
void runtime_unref(struct runtime *rt);

/* What became of a history record. */
enum runtime_history_status {
	RUNTIME_HISTORY_OK,		/* written (or no HistoryFile) */
	RUNTIME_HISTORY_FAILED,		/* not written; history_errors counts its records */
	RUNTIME_HISTORY_RESUMED		/* written, the first after failures */
};

/*
 * runtime_history_write - append the nrecords complete record lines of
 * one message with a single write(2), so concurrent threads never
 * interleave; fsync(2) it when
 * HistoryFsync is set.  When the file's path no longer names the open file
 * (rotated away or removed), or it could not be opened before, it is
 * opened first.  A short write (the file system filled up mid-line) is cut
 * back off the file, so no torn line is left for the next record to follow.
 * On failure errno says why (the caller logs; the message is never
 * affected).
 */
enum runtime_history_status runtime_history_write(struct runtime *rt, const char *line,
    size_t len, size_t nrecords);

#endif
