/*
 * test_report_sendcmd.c - unit tests for reports/sendcmd.c: splitting
 * ReportSendCommand at blanks, and running real commands with a message
 * on their standard input: delivered intact (5 MB), exit statuses,
 * signals, a command that does not read, one that cannot be executed, and
 * one killed at the time limit.  Helper scripts are written to a
 * temporary directory.  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sendcmd.h"
#include "tap.h"
#include "testfile.h"

struct split_case {
	const char *cmd;
	int want;		/* words, or -1 */
	const char *last;	/* the last word */
};

static const struct split_case split_cases[] = {
	{ "/usr/sbin/sendmail -t -oi", 3, "-oi" },
	{ "  /usr/sbin/sendmail\t-C  /etc/x -t ", 4, "-t" },
	{ "cat", 1, "cat" },
	{ "", -1, NULL },
	{ " \t ", -1, NULL },
	{ "a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6", 32, "6" },
	{ "a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 4 5 6 7", -1, NULL },
};

static void
test_split(void)
{
	char buf[256], *argv[SENDCMD_MAX_ARGS + 1];
	size_t i;
	int n;

	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];

		n = sendcmd_split(c->cmd, buf, sizeof(buf), argv, SENDCMD_MAX_ARGS + 1);
		tap_ok(n == c->want && (n < 0 || (strcmp(argv[n - 1], c->last) == 0 &&
		    argv[n] == NULL)), "split: \"%s\": %d words", c->cmd, c->want);
	}
	tap_ok(sendcmd_split("abcdef", buf, 6, argv, 4) == -1, "split: buffer too small");
}

static char dir[64];

/* script - write dir/name with body (run as "/bin/sh dir/name"); its command line. */
static const char *
script(const char *name, const char *body, const char *args)
{
	static char cmd[512];
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(body, f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "/bin/sh %s%s%s", path, args[0] ? " " : "", args);
	return cmd;
}

struct run_case {
	const char *name;
	const char *script;	/* NULL: command is run as is */
	const char *command;	/* or the script's arguments */
	size_t len;		/* bytes of message */
	unsigned timeout_ms;
	enum sendcmd_status want;
	const char *why;	/* substring of why */
};

static const struct run_case run_cases[] = {
	{ "exit 0 after reading", "cat >/dev/null\n", "", 100000, 0, SENDCMD_OK, "" },
	{ "exit 75 (EX_TEMPFAIL)", "cat >/dev/null; exit 75\n", "", 1000, 0, SENDCMD_FAILED,
	    "exit status 75" },
	{ "/bin/false", NULL, "/bin/false", 10, 0, SENDCMD_FAILED, "/bin/false: exit status 1" },
	{ "killed by a signal", "cat >/dev/null; kill -TERM $$\n", "", 10, 0, SENDCMD_FAILED,
	    "killed by signal 15" },
	{ "does not read 1 MB, exits 0", NULL, "/bin/true", 1000000, 0, SENDCMD_FAILED,
	    "exited before reading the whole message" },
	{ "not executable", NULL, "/nonexistent/sendmail -t", 10, 0, SENDCMD_ERROR,
	    "cannot run /nonexistent/sendmail: No such file or directory" },
	{ "found in PATH", NULL, "true", 10, 0, SENDCMD_OK, "" },
	{ "time limit", NULL, "/bin/sleep 60", 10, 300, SENDCMD_FAILED,
	    "did not finish in time: killed" },
	{ "time limit while writing", NULL, "/bin/sleep 60", 4000000, 300, SENDCMD_FAILED,
	    "did not finish in time" },
};

/*
 * A case with a time limit (300 ms) must end long before its command
 * (60 s): under RUN_CEILING seconds, 100 times the limit (a loaded machine
 * or a sanitizer build does not reach it) and half the command's time.  It
 * says the limit was used, not how fast.
 */
#define RUN_CEILING 30.0

static void
test_run(void)
{
	char *data = malloc(4000000), why[512];
	struct timespec t0, t1;
	const char *cmd;
	double secs;
	size_t i;

	memset(data, 'x', 4000000);
	for (i = 0; i < sizeof(run_cases) / sizeof(run_cases[0]); i++) {
		const struct run_case *c = &run_cases[i];
		enum sendcmd_status st;

		cmd = c->script != NULL ? script("s.sh", c->script, c->command) : c->command;
		why[0] = '\0';
		clock_gettime(CLOCK_MONOTONIC, &t0);
		st = sendcmd_run(cmd, data, c->len, c->timeout_ms, why, sizeof(why));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		if (!tap_ok(st == c->want && strstr(why, c->why) != NULL &&
		    (c->timeout_ms == 0 || secs < RUN_CEILING), "run: %s", c->name))
			tap_diag("status %d, why \"%s\", %.1f s", (int)st, why, secs);
	}
	free(data);
}

/* test_intact - 5 MB of every byte value arrive unchanged. */
static void
test_intact(void)
{
	size_t n = 5 * 1024 * 1024, got = 0, i;
	char *data = malloc(n), *back, why[512] = "", out[128];

	for (i = 0; i < n; i++)
		data[i] = (char)(i * 7 + i / 251);
	snprintf(out, sizeof(out), "%s/out", dir);
	tap_ok(sendcmd_run(script("cat.sh", "cat >\"$1\"\n", out), data, n, 0, why, sizeof(why)) ==
	    SENDCMD_OK, "run: 5 MB to cat (%s)", why);
	back = test_read_file(out, &got);
	tap_ok(back != NULL && got == n && memcmp(back, data, n) == 0, "run: 5 MB arrived intact");
	free(back);
	free(data);
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_sendcmd.XXXXXX");
	if (mkdtemp(dir) == NULL)
		tap_skip_all("mkdtemp failed");
	test_split();
	test_run();
	test_intact();
	test_rm_rf(dir);
	return tap_done();
}
