/*
 * sendcmd.c - run ReportSendCommand with a message on its standard input
 * (see sendcmd.h).  Not for threaded programs (SIGPIPE disposition).
 */
#include <sys/types.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sendcmd.h"

#define SENDCMD_BUF 4096	/* bytes of the command line */

/* One run: the child, its pipes, the deadline. */
struct run {
	pid_t pid;
	int in;			/* write end of the child's standard input */
	int err;		/* read end of the exec-failure pipe */
	int64_t deadline;	/* monotonic ms */
};

int
sendcmd_split(const char *command, char *buf, size_t bufsize, char **argv, size_t maxargs)
{
	size_t n = 0, len = command != NULL ? strlen(command) : 0, i;
	int in_word = 0;

	if (len + 1 > bufsize || maxargs < 2)
		return -1;
	memcpy(buf, command, len + 1);
	for (i = 0; i < len; i++) {
		if (buf[i] == ' ' || buf[i] == '\t') {
			buf[i] = '\0';
			in_word = 0;
		} else if (!in_word) {
			if (n + 1 >= maxargs)
				return -1;
			argv[n++] = buf + i;
			in_word = 1;
		}
	}
	argv[n] = NULL;
	return n > 0 ? (int)n : -1;
}

/* now_ms - the monotonic clock in milliseconds. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* child - in the forked process: stdin from the pipe, stdout to stderr, exec. */
static void
child(char **argv, int in_read, int err_write)
{
	int e;

	signal(SIGPIPE, SIG_DFL);
	if (dup2(in_read, 0) < 0 || dup2(2, 1) < 0) {
		e = errno;
	} else {
		if (in_read != 0)
			close(in_read);
		execvp(argv[0], argv);
		e = errno;
	}
	if (write(err_write, &e, sizeof(e)) < 0)
		_exit(126);
	_exit(127);
}

/* cloexec_pipe - a pipe with FD_CLOEXEC on both ends; 0 or -1. */
static int
cloexec_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	return 0;
}

/* start - fork and exec argv with pipes; 0, or -1 with why. */
static int
start(struct run *r, char **argv, char *why, size_t whysize)
{
	int in[2], err[2];

	if (cloexec_pipe(in) != 0) {
		snprintf(why, whysize, "pipe: %s", strerror(errno));
		return -1;
	}
	if (cloexec_pipe(err) != 0) {
		snprintf(why, whysize, "pipe: %s", strerror(errno));
		close(in[0]), close(in[1]);
		return -1;
	}
	fflush(NULL);
	if ((r->pid = fork()) < 0) {
		snprintf(why, whysize, "fork: %s", strerror(errno));
		close(in[0]), close(in[1]), close(err[0]), close(err[1]);
		return -1;
	}
	if (r->pid == 0)
		child(argv, in[0], err[1]);
	close(in[0]);
	close(err[1]);
	r->in = in[1];
	r->err = err[0];
	return 0;
}

/*
 * feed - write the message to the child's standard input within the
 * deadline.  Returns 0 when all of it was written, 1 when the child
 * stopped reading (EPIPE), -1 on the deadline or another error (why set).
 */
static int
feed(struct run *r, const char *data, size_t len, char *why, size_t whysize)
{
	struct pollfd pfd = { .fd = r->in, .events = POLLOUT };
	size_t off = 0;
	ssize_t w;
	int64_t left;

	fcntl(r->in, F_SETFL, fcntl(r->in, F_GETFL) | O_NONBLOCK);
	while (off < len) {
		if ((left = r->deadline - now_ms()) <= 0) {
			snprintf(why, whysize, "timed out writing the message to the command");
			return -1;
		}
		if (poll(&pfd, 1, left > 1000 ? 1000 : (int)left) < 0 && errno != EINTR) {
			snprintf(why, whysize, "poll: %s", strerror(errno));
			return -1;
		}
		w = write(r->in, data + off, len - off > 65536 ? 65536 : len - off);
		if (w > 0)
			off += (size_t)w;
		else if (w < 0 && errno == EPIPE)
			return 1;
		else if (w < 0 && errno != EAGAIN && errno != EINTR) {
			snprintf(why, whysize, "writing to the command: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* reap - wait for the child until the deadline, then SIGKILL it; its status or -1. */
static int
reap(struct run *r)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	int status;
	pid_t p;

	for (;;) {
		p = waitpid(r->pid, &status, WNOHANG);
		if (p == r->pid)
			return status;
		if (p < 0 && errno != EINTR)
			return -1;
		if (now_ms() >= r->deadline) {
			kill(r->pid, SIGKILL);
			while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR)
				;
			return -1;
		}
		nanosleep(&pause, NULL);
	}
}

/* verdict - the outcome from the exec pipe, the feed result and the exit status. */
static enum sendcmd_status
verdict(struct run *r, const char *prog, int fed, int status, char *why, size_t whysize)
{
	int e;

	if (read(r->err, &e, sizeof(e)) == (ssize_t)sizeof(e)) {
		snprintf(why, whysize, "cannot run %s: %s", prog, strerror(e));
		return SENDCMD_ERROR;
	}
	if (status == -1) {
		snprintf(why, whysize, "%s did not finish in time: killed", prog);
		return SENDCMD_FAILED;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, whysize, "%s killed by signal %d", prog, WTERMSIG(status));
		return SENDCMD_FAILED;
	}
	if (WEXITSTATUS(status) != 0) {
		snprintf(why, whysize, "%s: exit status %d", prog, WEXITSTATUS(status));
		return SENDCMD_FAILED;
	}
	if (fed != 0) {
		if (fed > 0)
			snprintf(why, whysize, "%s exited before reading the whole message", prog);
		return SENDCMD_FAILED;
	}
	return SENDCMD_OK;
}

enum sendcmd_status
sendcmd_run(const char *command, const char *data, size_t len, unsigned timeout_ms,
    char *why, size_t whysize)
{
	char buf[SENDCMD_BUF], *argv[SENDCMD_MAX_ARGS + 1];
	struct sigaction ign, old;
	enum sendcmd_status st;
	struct run r;
	int fed, status;

	if (sendcmd_split(command, buf, sizeof(buf), argv, SENDCMD_MAX_ARGS + 1) < 0) {
		snprintf(why, whysize, "empty send command, or more than %d words or %d bytes",
		    SENDCMD_MAX_ARGS, SENDCMD_BUF - 1);
		return SENDCMD_ERROR;
	}
	r.deadline = now_ms() + (timeout_ms ? timeout_ms : SENDCMD_TIMEOUT_MS);
	if (start(&r, argv, why, whysize) != 0)
		return SENDCMD_ERROR;
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	fed = feed(&r, data, len, why, whysize);
	close(r.in);
	status = reap(&r);
	sigaction(SIGPIPE, &old, NULL);
	st = verdict(&r, argv[0], fed, status, why, whysize);
	close(r.err);
	return st;
}
