/*
 * notify.c - sd_notify for systemd's Type=notify; see notify.h.  The
 * STATUS line names the socket, the configuration and the time of the
 * last (re)load, and the reloads so far: what an admin wants from
 * "systemctl status authmilter".
 */
#include <stdio.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"
#include "notify.h"

static unsigned reloads_ok, reloads_failed;	/* atomic: the reload thread counts, any thread reads */

/* tell - one notification; a failure is logged once (the manager waits in vain). */
static void
tell(const char *state)
{
	static int said;
	int rc = sd_notify(0, state);

	if (rc < 0 && !__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		log_msg(LOG_WARNING, NULL, "cannot notify the service manager: %s", state);
}

/* now_text - the current UTC time as 2026-12-06 11:40:00 UTC. */
static void
now_text(char buf[32])
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, 32, "%lld", (long long)t);
}

/* status - READY=1 with the STATUS line. */
static void
status(const char *socket, const char *conf_path, const char *what)
{
	char buf[1024], when[32];

	now_text(when);
	snprintf(buf, sizeof(buf), "READY=1\nSTATUS=listening on %s; configuration %s %s %s; "
	    "reloads: %u, %u refused", socket, conf_path ? conf_path : "built-in defaults", what,
	    when, __atomic_load_n(&reloads_ok, __ATOMIC_RELAXED),
	    __atomic_load_n(&reloads_failed, __ATOMIC_RELAXED));
	tell(buf);
}

void
notify_ready(const char *socket, const char *conf_path)
{
	status(socket, conf_path, "loaded at");
}

void
notify_reloading(void)
{
	tell("RELOADING=1");
}

void
notify_reloaded(const char *socket, const char *conf_path, int ok)
{
	__atomic_add_fetch(ok ? &reloads_ok : &reloads_failed, 1, __ATOMIC_RELAXED);
	status(socket, conf_path, ok ? "reloaded at" : "NOT reloaded (see the log) at");
}

void
notify_stopping(void)
{
	tell("STOPPING=1");
}
