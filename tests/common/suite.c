/*
 * suite.c - conformance-suite bookkeeping (see suite.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suite.h"
#include "tap.h"
#include "tsv.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

struct suite {
	char name[128];
	char dir[4200];
	char path[8400];
	struct tsv dev;		/* suite, case id, reason */
	bool dev_loaded;
	int total, passed;
};

/* data_root - where the shared test data lives. */
static void
data_root(char *out, size_t outsize)
{
	const char *env = getenv("AUTHMILTER_TESTDATA");
	const char *top = getenv("top_srcdir");

	if (env != NULL && *env != '\0')
		snprintf(out, outsize, "%s", env);
	else
		snprintf(out, outsize, "%s/../shared/testdata", top ? top : SRCDIR);
}

/* deviation - the reason a case is listed as an expected failure, or NULL. */
static const char *
deviation(struct suite *s, const char *id)
{
	size_t i;

	for (i = 0; s->dev_loaded && i < s->dev.nrows; i++)
		if (strcmp(tsv_get(&s->dev.rows[i], 0), s->name) == 0 &&
		    strcmp(tsv_get(&s->dev.rows[i], 1), id) == 0)
			return tsv_get(&s->dev.rows[i], 2);
	return NULL;
}

struct suite *
suite_open(const char *name)
{
	return suite_open_as(name, name);
}

struct suite *
suite_open_as(const char *dir, const char *label)
{
	struct suite *s = calloc(1, sizeof(*s));
	char root[4096], devpath[4096];
	const char *top = getenv("top_srcdir");
	const char *ci = getenv("CI");
	struct stat sb;

	if (s == NULL)
		exit(99);
	snprintf(s->name, sizeof(s->name), "%s", label);
	data_root(root, sizeof(root));
	snprintf(s->dir, sizeof(s->dir), "%.4000s/%.120s", root, dir);
	if (stat(s->dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		if (ci != NULL && strcmp(ci, "true") == 0) {
			printf("Bail out! %s: test data not found at %s\n", dir, s->dir);
			exit(99);
		}
		fprintf(stderr, "%s: test data not found at %s; skipped "
		    "(set AUTHMILTER_TESTDATA to the testdata directory)\n", dir, s->dir);
		tap_skip_all("conformance data absent");
	}
	snprintf(devpath, sizeof(devpath), "%s/tests/conformance/deviations.tsv", top ? top : SRCDIR);
	if (tsv_load(devpath, &s->dev) == 0)
		s->dev_loaded = true;
	else if (errno != ENOENT) {
		printf("Bail out! cannot read %s\n", devpath);
		exit(99);
	}
	return s;
}

const char *
suite_path(struct suite *s, const char *file)
{
	snprintf(s->path, sizeof(s->path), "%.4190s/%.4000s", s->dir, file);
	return s->path;
}

void
suite_case(struct suite *s, const char *id, bool passed, const char *detail, ...)
{
	const char *why = deviation(s, id);
	char text[2048] = "";
	va_list ap;

	if (detail != NULL) {
		va_start(ap, detail);
		vsnprintf(text, sizeof(text), detail, ap);
		va_end(ap);
	}
	s->total++;
	if (passed)
		s->passed++;
	if (why != NULL)
		tap_todo(passed, why, "%s: %s%s", s->name, id, passed ? " (listed as a deviation but passes)" : "");
	else
		tap_ok(passed, "%s: %s", s->name, id);
	if (!passed && text[0] != '\0')
		tap_diag("  %s", text);
}

void
suite_close(struct suite *s)
{
	printf("# %s: %d/%d passed\n", s->name, s->passed, s->total);
	tsv_free(&s->dev);
	free(s);
}

int
suite_finish(struct suite *s)
{
	suite_close(s);
	return tap_done();
}
