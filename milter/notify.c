/*
 * notify.c - sd_notify for systemd's Type=notify; see notify.h.  The
 * STATUS line names the socket, the configuration and the time of the
 * last (re)load, the reloads so far and the message counters: what an
 * admin wants from "systemctl status authmilter".
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "notify.h"

#define TICK_SECONDS 60

static unsigned reloads_ok, reloads_failed;	/* atomic: the reload thread counts, any thread reads */
static const char *listen_socket, *conf_file;	/* set once, before the MTA connects */
static pthread_mutex_t loaded_mu = PTHREAD_MUTEX_INITIALIZER;
static char loaded[96];				/* "loaded at ...", under loaded_mu */
static int64_t last_status;			/* atomic: when the STATUS line was last sent */

bool
notify_wanted(void)
{
	const char *s = getenv("NOTIFY_SOCKET");

	return s != NULL && s[0] != '\0';
}

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

/* status - [READY=1 and] the STATUS line. */
static void
status(const char *ready)
{
	struct metrics_summary s;
	char buf[1024];

	metrics_summarize(&s);
	pthread_mutex_lock(&loaded_mu);
	snprintf(buf, sizeof(buf), "%sSTATUS=listening on %s; configuration %s %s; "
	    "reloads: %u, %u refused; messages: %lu (%lu accepted, %lu quarantined, "
	    "%lu rejected, %lu tempfailed, %lu not evaluated); DNS errors: %lu",
	    ready, listen_socket, conf_file ? conf_file : "built-in defaults", loaded,
	    __atomic_load_n(&reloads_ok, __ATOMIC_RELAXED),
	    __atomic_load_n(&reloads_failed, __ATOMIC_RELAXED), s.messages, s.accepted,
	    s.quarantined, s.rejected, s.tempfailed, s.skipped, s.dns_errors);
	pthread_mutex_unlock(&loaded_mu);
	__atomic_store_n(&last_status, (int64_t)time(NULL), __ATOMIC_RELAXED);
	tell(buf);
}

/* stamp - "WHAT at TIME" for the STATUS line. */
static void
stamp(const char *what)
{
	char when[32];

	now_text(when);
	pthread_mutex_lock(&loaded_mu);
	snprintf(loaded, sizeof(loaded), "%s at %s", what, when);
	pthread_mutex_unlock(&loaded_mu);
}

void
notify_ready(const char *socket, const char *conf_path)
{
	if (!notify_wanted())
		return;
	listen_socket = socket;
	conf_file = conf_path;
	stamp("loaded");
	status("READY=1\n");
}

void
notify_reloading(void)
{
	tell("RELOADING=1");
}

void
notify_reloaded(const char *socket, const char *conf_path, int ok)
{
	(void)socket;
	(void)conf_path;
	if (listen_socket == NULL)
		return;
	__atomic_add_fetch(ok ? &reloads_ok : &reloads_failed, 1, __ATOMIC_RELAXED);
	stamp(ok ? "reloaded" : "NOT reloaded (see the log)");
	status("READY=1\n");
}

void
notify_tick(int64_t now)
{
	int64_t last = __atomic_load_n(&last_status, __ATOMIC_RELAXED);

	if (listen_socket == NULL || now - last < TICK_SECONDS ||
	    !__atomic_compare_exchange_n(&last_status, &last, now, false, __ATOMIC_RELAXED,
	    __ATOMIC_RELAXED))
		return;
	status("");
}

void
notify_stopping(void)
{
	tell("STOPPING=1");
}
