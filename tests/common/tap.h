/*
 * tap.h - a minimal TAP producer for the unit and conformance tests
 * (automake's tap-driver.sh reads it).  Single-threaded.
 */
#ifndef AUTHMILTER_TAP_H
#define AUTHMILTER_TAP_H

#include <stdbool.h>

/* tap_ok - report one test; returns cond. */
bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* tap_todo - report one test that is expected to fail (an listed deviation). */
void tap_todo(bool cond, const char *reason, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* tap_streq - ok when both strings are equal (NULL equals only NULL); prints both when not. */
bool tap_streq(const char *got, const char *want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* tap_inteq - ok when got == want; prints both when not. */
bool tap_inteq(long long got, long long want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* tap_diag - a "# " diagnostic line. */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* tap_skip_all - no test can run: print "1..0 # SKIP reason" and exit 0. */
void tap_skip_all(const char *reason) __attribute__((noreturn));

/*
 * tap_missing - a tool the test needs is not installed: under CI (CI=true,
 * where tests/deps.sh installs everything) "Bail out!" and exit 99, a hard
 * error; elsewhere skip the whole test like tap_skip_all.
 */
void tap_missing(const char *reason) __attribute__((noreturn));

/* tap_done - print the plan; returns the exit status (0 when every test passed). */
int tap_done(void);

/* tap_failed - number of failed tests so far. */
int tap_failed(void);

#endif
