/*
 * metrics.h - the daemon's counters, gauges and histograms, and their
 * Prometheus text exposition (served by metrics_http.c on /metrics when
 * MetricsSocket is set; summed up in the systemd STATUS line).
 *
 * Every value is a word updated with a relaxed atomic add by the thread
 * that saw the event: nothing is locked on the per-message path, and a
 * scrape reads the words as they are at that instant (each value exact,
 * the set not a transaction).  Nothing is counted until metrics_enable:
 * without MetricsSocket and without a service manager the counters cost a
 * predicted branch.  Labels are small fixed sets (actions, reasons,
 * results, algorithms): never a domain, an address or a host.
 *
 * Thread-safety: every function may be called from any thread.
 */
#ifndef AUTHMILTER_METRICS_H
#define AUTHMILTER_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decide.h"
#include "resolver.h"
#include "str.h"

/* metrics_enable - start counting (once, before the MTA connects). */
void metrics_enable(void);

/* metrics_enabled - whether anything is counted. */
bool metrics_enabled(void);

/* metrics_dns - the counters the resolvers add their lookups to (resolver_config.stats). */
struct resolver_stats *metrics_dns(void);

/* metrics_connection - an MTA connection opened (+1) or closed (-1). */
void metrics_connection(int delta);

/*
 * metrics_message - one message decided: its action and reason, the SPF,
 * DKIM, ARC and DMARC results (from f and d), the end-of-message decision
 * time and the time since MAIL FROM, in microseconds.
 */
void metrics_message(const struct facts *f, const struct decision *d, int64_t decide_us,
    int64_t message_us);

/* metrics_history - records written, records lost to a failed write, records refused. */
void metrics_history(size_t written, size_t failed, size_t refused);

/* metrics_reload - a configuration (re)load that worked (ok) or was refused, at now. */
void metrics_reload(bool ok, int64_t now);

/* metrics_now_us - the monotonic clock the timings use, in microseconds. */
int64_t metrics_now_us(void);

/* The few counters of the systemd STATUS line. */
struct metrics_summary {
	unsigned long messages, accepted, quarantined, rejected, tempfailed, skipped;
	unsigned long dns_errors;
	long connections;
};

/* metrics_summarize - the counters of the STATUS line. */
void metrics_summarize(struct metrics_summary *s);

/*
 * metrics_render - the Prometheus text exposition (format 0.0.4) of every
 * metric into out (reset first).  -1 when out cannot hold it.
 */
int metrics_render(struct str *out);

#endif
