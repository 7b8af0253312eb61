/*
 * signals.c - SIGHUP for reloading, beside libmilter's signal thread.
 *
 * libmilter's smfi_main() starts a thread that waits with sigwait() for
 * SIGHUP, SIGTERM and SIGINT and stops the filter on any of them; it offers
 * no way to reserve SIGHUP for a reload.  Two threads waiting for the same
 * signal get it in an unspecified order, so a reload would sometimes stop
 * the daemon instead.  This file therefore defines sigwait() itself: the
 * program's definition is the one libmilter's call binds to (the executable
 * comes first in symbol resolution), and it waits for the caller's set
 * without SIGHUP.  Only the reloader thread below ever takes SIGHUP, with
 * sigwaitinfo().  Nothing else in the program calls sigwait().
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "notify.h"
#include "signals.h"

static void (*reload_fn)(void);

/* sigwait - libmilter's wait, minus SIGHUP (see the file comment). */
int
sigwait(const sigset_t *set, int *sig)
{
	sigset_t without_hup = *set;
	int s;

	sigdelset(&without_hup, SIGHUP);
	do
		s = sigwaitinfo(&without_hup, NULL);
	while (s < 0 && errno == EINTR);
	if (s < 0)
		return errno;
	if (s == SIGTERM || s == SIGINT)
		notify_stopping();	/* libmilter stops on these */
	*sig = s;
	return 0;
}

void
signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* reloader - wait for SIGHUP forever, reloading on each. */
static void *
reloader(void *arg)
{
	sigset_t hup;

	(void)arg;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	for (;;)
		if (sigwaitinfo(&hup, NULL) == SIGHUP)
			reload_fn();
	return NULL;
}

int
signals_start_reloader(void (*reload)(void))
{
	pthread_t t;

	reload_fn = reload;
	if (pthread_create(&t, NULL, reloader, NULL) != 0)
		return -1;
	pthread_detach(t);
	return 0;
}
