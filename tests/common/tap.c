/*
 * tap.c - minimal TAP producer (see tap.h).  Output goes to stdout,
 * flushed after every line so that a crash loses nothing already reported.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int tap_n;
static int tap_nfail;

/* tap_vreport - print one result line. */
static void
tap_vreport(bool cond, const char *directive, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void
tap_vreport(bool cond, const char *directive, const char *fmt, va_list ap)
{
	tap_n++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
	vprintf(fmt, ap);
	if (directive != NULL)
		printf(" # %s", directive);
	printf("\n");
	fflush(stdout);
}

bool
tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(cond, NULL, fmt, ap);
	va_end(ap);
	if (!cond)
		tap_nfail++;
	return cond;
}

void
tap_todo(bool cond, const char *reason, const char *fmt, ...)
{
	char directive[512];
	va_list ap;

	snprintf(directive, sizeof(directive), "TODO %s", reason);
	va_start(ap, fmt);
	tap_vreport(cond, directive, fmt, ap);
	va_end(ap);
	if (cond)
		tap_nfail++;	/* a listed deviation that passes is stale */
}

bool
tap_streq(const char *got, const char *want, const char *fmt, ...)
{
	bool eq;
	va_list ap;

	if (got == NULL || want == NULL)
		eq = got == want;
	else
		eq = strcmp(got, want) == 0;
	va_start(ap, fmt);
	tap_vreport(eq, NULL, fmt, ap);
	va_end(ap);
	if (!eq) {
		tap_nfail++;
		tap_diag("   got: %s", got ? got : "(null)");
		tap_diag("  want: %s", want ? want : "(null)");
	}
	return eq;
}

bool
tap_inteq(long long got, long long want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vreport(got == want, NULL, fmt, ap);
	va_end(ap);
	if (got != want) {
		tap_nfail++;
		tap_diag("   got: %lld", got);
		tap_diag("  want: %lld", want);
	}
	return got == want;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void
tap_skip_all(const char *reason)
{
	printf("1..0 # SKIP %s\n", reason);
	fflush(stdout);
	exit(0);
}

void
tap_missing(const char *reason)
{
	const char *ci = getenv("CI");

	if (ci != NULL && strcmp(ci, "true") == 0) {
		printf("Bail out! %s (run tests/deps.sh)\n", reason);
		fflush(stdout);
		exit(99);
	}
	tap_skip_all(reason);
}

int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_nfail > 0)
		printf("# %d of %d failed\n", tap_nfail, tap_n);
	fflush(stdout);
	return tap_nfail == 0 && tap_n > 0 ? 0 : 1;
}

int
tap_failed(void)
{
	return tap_nfail;
}
