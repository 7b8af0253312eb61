/*
 * testdns.c - start, stop and sign for the private test nsd (see testdns.h).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "testdns.h"
#include "testfile.h"

/* run_stop - nsd-stop.sh for workdir; 0 on success. */
static int
run_stop(const char *workdir)
{
	char cmd[2048];
	int n;

	n = snprintf(cmd, sizeof(cmd), "sh '%s/tests/dns/nsd-stop.sh' '%s'",
	    test_srcdir(), workdir);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}

/*
 * guard_main - the guard process: wait until the test program closes the
 * pipe; if it did so without first writing a byte (it died), stop nsd.
 */
static void __attribute__((noreturn))
guard_main(int rfd, const char *workdir)
{
	char c;
	ssize_t n;
	int null = open("/dev/null", O_RDWR);

	signal(SIGINT, SIG_IGN);	/* outlive a ^C of the test run */
	if (null >= 0) {		/* let the TAP reader see EOF */
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	while ((n = read(rfd, &c, 1)) < 0)
		continue;
	if (n == 0)
		(void)run_stop(workdir);
	_exit(0);
}

/* start_guard - fork the guard of t; without one the test still runs. */
static void
start_guard(struct testdns *t)
{
	int fds[2];
	pid_t pid;

	t->guard_fd = -1;
	t->guard_pid = 0;
	if (pipe(fds) != 0)
		return;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(fds[1]);
		guard_main(fds[0], t->workdir);
	}
	close(fds[0]);
	if (pid < 0) {
		close(fds[1]);
		return;
	}
	(void)fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	t->guard_fd = fds[1];
	t->guard_pid = pid;
}

int
testdns_start(struct testdns *t, const char *workdir, const char *zonefile,
    const char *zone)
{
	char cmd[2048];
	FILE *p;
	int port = 0, status, n;

	memset(t, 0, sizeof(*t));
	t->guard_fd = -1;
	n = snprintf(t->workdir, sizeof(t->workdir), "%s", workdir);
	if (n < 0 || (size_t)n >= sizeof(t->workdir))
		return 0;
	n = snprintf(cmd, sizeof(cmd), "sh '%s/tests/dns/nsd-start.sh' '%s' '%s' '%s'",
	    test_srcdir(), workdir, zonefile, zone);
	if (n < 0 || (size_t)n >= sizeof(cmd) || (p = popen(cmd, "r")) == NULL)
		return 0;
	if (fscanf(p, "%d", &port) != 1)
		port = 0;
	status = pclose(p);
	if (status != 0 || port <= 0) {
		tap_diag("nsd-start.sh exited with status %d", status);
		return 0;
	}
	t->port = port;
	start_guard(t);
	return port;
}

void
testdns_stop(struct testdns *t)
{
	if (t->port != 0 && run_stop(t->workdir) != 0)
		tap_diag("nsd-stop.sh %s failed", t->workdir);
	t->port = 0;
	if (t->guard_fd >= 0) {
		if (write(t->guard_fd, "x", 1) != 1)
			tap_diag("could not dismiss the nsd guard");
		close(t->guard_fd);
		t->guard_fd = -1;
	}
	if (t->guard_pid > 0)
		(void)waitpid(t->guard_pid, NULL, 0);
	t->guard_pid = 0;
}

int
testdns_sign(const char *workdir, const char *zonefile, const char *origin)
{
	char cmd[2048];
	int n, status;

	n = snprintf(cmd, sizeof(cmd), "sh '%s/tests/dns/sign-zone.sh' '%s' '%s' '%s'",
	    test_srcdir(), workdir, zonefile, origin);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	status = system(cmd);
	if (status != 0)
		tap_diag("sign-zone.sh exited with status %d", status);
	return status == 0 ? 0 : -1;
}
