/*
 * log.h - the daemon's logging: syslog (Syslog, SyslogFacility) and/or
 * standard error (foreground), one line per call, the queue id first when
 * known.  Formats are always literals of this program: configuration or peer
 * text is passed as an argument, never as a format.
 *
 * Thread-safety: log_open/log_close from the main thread before/after the
 * worker threads; log_msg from any thread.
 */
#ifndef AUTHMILTER_LOG_H
#define AUTHMILTER_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* log_open - where lines go; facility as LOG_MAIL etc. */
void log_open(const char *ident, bool use_syslog, int facility, bool use_stderr);

/* log_close - close syslog. */
void log_close(void);

/* log_msg - one line at priority prio (LOG_ERR ...); qid may be NULL or "". */
void log_msg(int prio, const char *qid, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
