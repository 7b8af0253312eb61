/*
 * suite.h - conformance-suite bookkeeping for the runners: find the suite's
 * data under ../shared/testdata (or $AUTHMILTER_TESTDATA), apply the list of
 * expected deviations (tests/conformance/deviations.tsv), report each case
 * in TAP and print the one summary line "SUITE: P/T passed".  One program may
 * run several suites in turn (suite_close each, then tap_done).
 * Single-threaded.
 */
#ifndef AUTHMILTER_SUITE_H
#define AUTHMILTER_SUITE_H

#include <stdbool.h>

struct suite;

/*
 * suite_open - start the suite whose data is the directory name under
 * testdata.  When the data is absent (a user's machine), prints why and
 * exits with TAP "skip all"; under CI (CI=true) absent data is an error.
 */
struct suite *suite_open(const char *name);

/*
 * suite_open_as - the same for data in directory dir reported (summary line,
 * deviations file) under another label, for a directory that holds more
 * than one suite: e.g. dir "spf-rfc7208-openspf", label
 * "spf-rfc7208-openspf/rfc4408".
 */
struct suite *suite_open_as(const char *dir, const char *label);

/* suite_path - full path of a file of the suite (static buffer, valid until the next call). */
const char *suite_path(struct suite *s, const char *file);

/*
 * suite_case - report one case.  A failing case listed in the deviations
 * file is an expected failure (TAP TODO); a listed case that passes is
 * reported as a stale deviation and fails the run.  detail (printf-style,
 * may be NULL) explains a failure.
 */
void suite_case(struct suite *s, const char *id, bool passed, const char *detail, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * suite_finish - print the summary line (as the TAP diagnostic "# SUITE: P/T
 * passed", which make check repeats at its end) and the plan; returns the
 * exit status.
 */
int suite_finish(struct suite *s);

/*
 * suite_close - print the summary line and release s, without ending the
 * TAP stream (the program calls tap_done after its last suite).
 */
void suite_close(struct suite *s);

#endif
