/*
 * log.c - syslog and/or standard error; see log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

static bool to_syslog;
static bool to_stderr = true;

void
log_open(const char *ident, bool use_syslog, int facility, bool use_stderr)
{
	to_syslog = use_syslog;
	to_stderr = use_stderr;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_close(void)
{
	if (to_syslog)
		closelog();
	to_syslog = false;
}

/* prio_name - the priority word of a standard-error line. */
static const char *
prio_name(int prio)
{
	switch (prio) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: case LOG_ERR: return "error";
	case LOG_WARNING: return "warning";
	case LOG_DEBUG: return "debug";
	default: return "info";
	}
}

void
log_msg(int prio, const char *qid, const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	int n;

	n = (qid != NULL && qid[0] != '\0') ? snprintf(line, sizeof(line), "%s: ", qid) : 0;
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	if (to_syslog)
		syslog(prio, "%s", line);
	if (to_stderr)
		fprintf(stderr, "authmilter[%s]: %s\n", prio_name(prio), line);
}
