/*
 * failrate.c - the rate limit of failure reports and its state file (see
 * failrate.h).  Not thread-safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "failrate.h"

#define STATE_LINE_MAX (FAILRATE_KEY_MAX + 48)

/* make_key - "domain:D" or "to:ADDR" into out; false when too long. */
static bool
make_key(const char *kind, const char *v, char out[FAILRATE_KEY_MAX + 1])
{
	int n = snprintf(out, FAILRATE_KEY_MAX + 1, "%s:%s", kind, v);

	return n > 0 && n <= FAILRATE_KEY_MAX;
}

/* count_of - messages counted for key in the window. */
static int64_t
count_of(const struct failrate *fr, const char *key)
{
	const struct strmap_entry *e = strmap_get(&fr->counts, key, strlen(key));

	return e != NULL ? e->num : 0;
}

/* parse_int - a whole decimal number of at most 19 digits; false when not. */
static bool
parse_int(const char *s, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && strlen(s) <= 19;
}

/* load_line - one "KEY WINDOW_START COUNT\n" line; false when not understood. */
static bool
load_line(struct failrate *fr, char *line)
{
	char *ws, *cnt, *nl = strchr(line, '\n');
	struct strmap_entry *e;
	long long w, c;
	int created;

	if (nl == NULL || (ws = strchr(line, ' ')) == NULL || (cnt = strchr(ws + 1, ' ')) == NULL)
		return false;
	*nl = *ws = *cnt = '\0';
	if (ws == line || strlen(line) > FAILRATE_KEY_MAX || strchr(cnt + 1, ' ') != NULL ||
	    !parse_int(ws + 1, &w) || !parse_int(cnt + 1, &c) || c < 0 ||
	    c > (long long)UINT32_MAX)
		return false;
	if (w != fr->window)
		return true;	/* another window: stale, dropped */
	if (fr->counts.n >= FAILRATE_MAX_KEYS ||
	    strmap_put(&fr->counts, line, strlen(line), &e, &created) != STRMAP_OK)
		return false;
	e->num = c;
	return true;
}

enum failrate_status
failrate_load(struct failrate *fr, const char *rate, int64_t now, const char *path, char *err,
    size_t errsize)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;

	memset(fr, 0, sizeof(*fr));
	strmap_init(&fr->counts);
	if (conf_rate(rate, &fr->limit, &fr->seconds) != 0) {
		snprintf(err, errsize, "FailureReportsRate '%s' is not N/m, N/h or N/d", rate);
		return FAILRATE_ERROR;
	}
	fr->window = now - now % (int64_t)fr->seconds;
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return FAILRATE_OK;
		snprintf(err, errsize, "cannot read %s: %s", path, strerror(errno));
		return FAILRATE_ERROR;
	}
	while ((n = getline(&line, &cap, f)) > 0)
		if ((size_t)n > STATE_LINE_MAX || !load_line(fr, line))
			fr->ignored++;
	free(line);
	if (ferror(f)) {
		snprintf(err, errsize, "cannot read %s: %s", path, strerror(errno));
		fclose(f);
		return FAILRATE_ERROR;
	}
	fclose(f);
	return FAILRATE_OK;
}

bool
failrate_allows(const struct failrate *fr, const char *domain, const char *addr, char *why,
    size_t whysize)
{
	char kd[FAILRATE_KEY_MAX + 1], ka[FAILRATE_KEY_MAX + 1];
	const char *unit = fr->seconds == 60 ? "m" : fr->seconds == 3600 ? "h" : "d";

	if (!make_key("domain", domain, kd) || !make_key("to", addr, ka)) {
		snprintf(why, whysize, "%u/%s: key too long", fr->limit, unit);
		return false;
	}
	if (count_of(fr, kd) >= (int64_t)fr->limit) {
		snprintf(why, whysize, "%u/%s for %s", fr->limit, unit, domain);
		return false;
	}
	if (count_of(fr, ka) >= (int64_t)fr->limit) {
		snprintf(why, whysize, "%u/%s to %s", fr->limit, unit, addr);
		return false;
	}
	if ((strmap_get(&fr->counts, kd, strlen(kd)) == NULL ||
	    strmap_get(&fr->counts, ka, strlen(ka)) == NULL) &&
	    fr->counts.n + 2 > FAILRATE_MAX_KEYS) {
		snprintf(why, whysize, "%u/%s: more than %d keys in the window", fr->limit, unit,
		    FAILRATE_MAX_KEYS);
		return false;
	}
	return true;
}

/* bump - one more for key. */
static enum failrate_status
bump(struct failrate *fr, const char *key)
{
	struct strmap_entry *e;
	int created;

	if (strmap_put(&fr->counts, key, strlen(key), &e, &created) != STRMAP_OK)
		return FAILRATE_ERROR;
	e->num++;
	return FAILRATE_OK;
}

enum failrate_status
failrate_count(struct failrate *fr, const char *domain, const char *addr)
{
	char kd[FAILRATE_KEY_MAX + 1], ka[FAILRATE_KEY_MAX + 1];

	if (!make_key("domain", domain, kd) || !make_key("to", addr, ka))
		return FAILRATE_ERROR;
	if (bump(fr, kd) != FAILRATE_OK)
		return FAILRATE_ERROR;
	return bump(fr, ka);
}

/* write_entries - every key of the window as a line to f. */
static void
write_entries(const struct failrate *fr, FILE *f)
{
	size_t i;

	for (i = 0; i < fr->counts.cap; i++)
		if (fr->counts.slot[i].key != NULL)
			fprintf(f, "%s %" PRId64 " %" PRId64 "\n", fr->counts.slot[i].key,
			    fr->window, fr->counts.slot[i].num);
}

enum failrate_status
failrate_save(const struct failrate *fr, const char *path, char *err, size_t errsize)
{
	const char *slash = strrchr(path, '/');
	char tmp[4200];
	FILE *f;
	int n, fd;

	n = slash != NULL ? snprintf(tmp, sizeof(tmp), "%.*s/.%s.tmp", (int)(slash - path), path,
	    slash + 1) : snprintf(tmp, sizeof(tmp), ".%s.tmp", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errsize, "name too long: %s", path);
		return FAILRATE_ERROR;
	}
	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errsize, "cannot create %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return FAILRATE_ERROR;
	}
	write_entries(fr, f);
	n = fflush(f) != 0 || fsync(fileno(f)) != 0 || ferror(f);
	if (fclose(f) != 0 || n != 0 || rename(tmp, path) != 0) {
		snprintf(err, errsize, "cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return FAILRATE_ERROR;
	}
	return FAILRATE_OK;
}

void
failrate_free(struct failrate *fr)
{
	strmap_free(&fr->counts);
}
