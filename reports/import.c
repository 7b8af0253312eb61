/*
 * import.c - history files into the store; see import.h.  Files are read
 * through zlib (plain or gzip) with our own line buffer, so that a line
 * is handled by its length (NUL bytes and all) and an overlong line is
 * skipped without holding it.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "import.h"

#define READER_BUF (1024 * 1024)	/* > HISTORY_LINE_MAX: a good line always fits */
#define FINGERPRINT_SCAN (HISTORY_LINE_MAX + 1)	/* bytes looked at for the first line */
#define FINGERPRINT_TAG "AMH-file-1:"	/* versions the fingerprint */

enum rd {
	RD_LINE,		/* a complete line */
	RD_LONG,		/* a complete line over HISTORY_LINE_MAX (its bytes are not kept) */
	RD_TORN,		/* the file ends in an incomplete line */
	RD_EOF,
	RD_ERR
};

struct reader {
	gzFile gz;
	char *buf;
	size_t start, end;	/* unread bytes are buf[start..end) */
	int64_t pos;		/* file offset of buf[start] */
};

/* One file being imported. */
struct job {
	const char *path;
	struct store *st;
	const struct import_opts *o;
	struct import_totals *t;
	struct store_file f;
	struct reader r;
	struct history_record *h;
	uint64_t lines, stored, malformed, batch;
	int status;		/* 0, 1 or 2 as import_files */
};

/* say - a line on the log, prefixed with the program name. */
static void __attribute__((format(printf, 2, 3)))
say(const struct import_opts *o, const char *fmt, ...)
{
	va_list ap;

	fputs("authmilter-reports: ", o->log);
	va_start(ap, fmt);
	vfprintf(o->log, fmt, ap);
	va_end(ap);
	fputc('\n', o->log);
}

/* fill - read more into the buffer after moving the unread bytes to its start; bytes read, -1 on error. */
static int
fill(struct reader *r)
{
	int n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == READER_BUF)
		return 0;
	n = gzread(r->gz, r->buf + r->end, (unsigned)(READER_BUF - r->end));
	if (n > 0)
		r->end += (size_t)n;
	return n;
}

/* skip_long - consume an overlong line (the buffer is full of it) through its "\n". */
static enum rd
skip_long(struct reader *r, size_t *len)
{
	size_t total = 0;
	char *nl;
	int n;

	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL) {
			total += (size_t)(nl - (r->buf + r->start)) + 1;
			r->start = (size_t)(nl - r->buf) + 1;
			r->pos += (int64_t)total;
			*len = total;
			return RD_LONG;
		}
		total += r->end - r->start;
		r->start = r->end = 0;
		if ((n = fill(r)) < 0)
			return RD_ERR;
		if (n == 0)
			return RD_TORN;	/* pos stays at the line's start: read again next run */
	}
}

/* reader_line - the next line: *line (len bytes, "\n" included) valid until the next call. */
static enum rd
reader_line(struct reader *r, const char **line, size_t *len)
{
	char *nl;
	int n;

	for (;;) {
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl != NULL) {
			*line = r->buf + r->start;
			*len = (size_t)(nl - *line) + 1;
			r->start += *len;
			r->pos += (int64_t)*len;
			return *len > HISTORY_LINE_MAX ? RD_LONG : RD_LINE;
		}
		if (r->start == 0 && r->end == READER_BUF)
			return skip_long(r, len);
		if ((n = fill(r)) < 0)
			return RD_ERR;
		if (n == 0)
			return r->start < r->end ? RD_TORN : RD_EOF;
	}
}

/* hex - bytes as lower-case hex into out (2n+1 bytes). */
static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * fingerprint - SHA-256 of the file's first line (of its first
 * FINGERPRINT_SCAN bytes when that line is longer), which an appended
 * file never changes.  Returns 1 with the hex digest, 0 when the file
 * has no complete line yet, -1 on a read error.
 */
static int
fingerprint(gzFile gz, char out[STORE_FINGERPRINT_SIZE])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char *buf = malloc(FINGERPRINT_SCAN + sizeof(FINGERPRINT_TAG));
	size_t tag = sizeof(FINGERPRINT_TAG) - 1, n;
	char *nl;
	int got, rc = -1;

	if (buf == NULL)
		return -1;
	memcpy(buf, FINGERPRINT_TAG, tag);
	if ((got = gzread(gz, buf + tag, FINGERPRINT_SCAN)) < 0)
		goto out;
	n = (size_t)got;
	if ((nl = memchr(buf + tag, '\n', n)) != NULL)
		n = (size_t)(nl - (buf + tag)) + 1;
	else if (n < FINGERPRINT_SCAN) {
		rc = 0;		/* empty, or a first line still being written */
		goto out;
	}
	if (EVP_Digest(buf, tag + n, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32) {
		hex(md, mdlen, out);
		rc = 1;
	}
out:
	free(buf);
	return rc;
}

/* seek_to - position the file at offset, the end of a line imported before: false when it is not there. */
static bool
seek_to(gzFile gz, int64_t offset)
{
	if (offset == 0)
		return gzrewind(gz) == 0;
	/* The byte before the offset must be the "\n" that ended the last line read. */
	if (gzseek(gz, (z_off_t)(offset - 1), SEEK_SET) != (z_off_t)(offset - 1))
		return false;
	return gzgetc(gz) == '\n';
}

/*
 * other_host - a file new to this host that another host has imported
 * too: imported all the same (two hosts' files may begin alike: the key is
 * the host and the fingerprint), with a warning and exit status 1, since
 * it may also be a copy of that host's file or this host under a new
 * ReportHostID, whose records would then be counted twice.  0, or -2 on a
 * store error.
 */
static int
other_host(struct job *j)
{
	char owner[256];
	enum store_status rc = store_file_owner(j->st, j->f.fingerprint, owner, sizeof(owner));

	if (rc == STORE_ERROR)
		return -2;
	if (rc == STORE_OK) {
		say(j->o, "%s: warning: host %s imported a file that begins with the same line; "
		    "imported as this host's (%s), but if it is a copy of that file, or this "
		    "host's ReportHostID changed, its records are counted twice", j->path, owner,
		    store_host(j->st));
		j->status = 1;
	}
	return 0;
}

/* open_job - open the file, take its fingerprint, look it up, seek to where the last run stopped. */
static int
open_job(struct job *j)
{
	enum store_status rc;
	int fp;

	if ((j->r.gz = gzopen(j->path, "rb")) == NULL) {
		say(j->o, "%s: %s", j->path, errno ? strerror(errno) : "cannot open");
		return -1;
	}
	gzbuffer(j->r.gz, 256 * 1024);
	if ((fp = fingerprint(j->r.gz, j->f.fingerprint)) <= 0) {
		if (fp < 0)
			say(j->o, "%s: read error", j->path);
		else if (!j->o->quiet)
			say(j->o, "%s: no complete line yet", j->path);
		return fp < 0 ? -1 : 0;
	}
	if ((rc = store_file_find(j->st, &j->f)) == STORE_ERROR)
		return -2;
	if (rc == STORE_NOTFOUND && (rc = other_host(j)) != 0)
		return rc;
	if (!seek_to(j->r.gz, j->f.offset)) {
		say(j->o, "%s: does not match the %lld bytes imported from it before (truncated "
		    "or rewritten in place?): skipped", j->path, (long long)j->f.offset);
		return -1;
	}
	j->r.pos = j->f.offset;
	j->lines = (uint64_t)j->f.lines;
	return 1;
}

/* save_offset - record how far the file is imported (in the open transaction). */
static int
save_offset(struct job *j)
{
	j->f.offset = j->r.pos;
	j->f.lines = (int64_t)j->lines;
	if (j->f.first_import == 0)
		j->f.first_import = j->o->now;
	j->f.last_import = j->o->now;
	if (store_file_save(j->st, &j->f, j->path) != STORE_OK) {
		say(j->o, "%s: %s", j->path, store_error(j->st));
		return -1;
	}
	return 0;
}

/* end_batch - commit the batch with the file's offset (a dry run keeps one transaction). */
static int
end_batch(struct job *j)
{
	if (save_offset(j) != 0)
		return -1;
	j->batch = 0;
	if (j->o->dry_run)
		return 0;
	if (store_commit(j->st) != STORE_OK || store_begin(j->st) != STORE_OK) {
		say(j->o, "%s: %s", j->path, store_error(j->st));
		return -1;
	}
	return 0;
}

/* malformed - report one bad line (the first IMPORT_SHOW_MALFORMED of a file). */
static void
malformed(struct job *j, const char *status, const char *reason)
{
	j->malformed++;
	j->status = 1;
	if (j->malformed <= IMPORT_SHOW_MALFORMED)
		say(j->o, "%s:%llu: %s: %s", j->path, (unsigned long long)j->lines, status, reason);
	else if (j->malformed == IMPORT_SHOW_MALFORMED + 1)
		say(j->o, "%s: more malformed lines not shown", j->path);
}

/* store_record - the decoded record *j->h: stored or counted. */
static int
store_record(struct job *j)
{
	struct history_record *h = j->h;
	enum store_add res;

	if (!h->policy_found || h->result == DMARC_RES_NONE) {
		j->t->no_policy++;
		return 0;
	}
	if (h->time < j->o->oldest) {
		j->t->too_old++;
		return 0;
	}
	if (store_message_add(j->st, h, &res) != STORE_OK) {
		say(j->o, "%s:%llu: %s", j->path, (unsigned long long)j->lines, store_error(j->st));
		return -1;
	}
	if (res == STORE_ADDED)
		j->stored++;
	else
		j->t->late++;
	return 0;
}

/* one_line - decode and store one complete line. */
static int
one_line(struct job *j, const char *line, size_t len)
{
	char reason[256];
	enum history_status hs;
	int rc;

	hs = history_decode(line, len, j->h, reason, sizeof(reason));
	if (hs != HISTORY_OK) {
		malformed(j, history_status_name(hs), reason);
		return 0;
	}
	rc = store_record(j);
	history_record_free(j->h);
	return rc;
}

/* step - handle what reader_line returned: 1 go on, 0 done, -1 store error. */
static int
step(struct job *j, enum rd what, const char *line, size_t len)
{
	switch (what) {
	case RD_LINE:
		j->lines++;
		return one_line(j, line, len) == 0 ? 1 : -1;
	case RD_LONG:
		j->lines++;
		malformed(j, "too_long", "line longer than 65536 bytes");
		return 1;
	case RD_TORN:
		j->t->torn++;
		if (!j->o->quiet)
			say(j->o, "%s: incomplete last line left for the next run", j->path);
		return 0;
	case RD_EOF:
		return 0;
	default:
		say(j->o, "%s: read error after line %llu", j->path, (unsigned long long)j->lines);
		j->status = 1;
		return 0;
	}
}

/* read_lines - every complete line after the offset, in batches. */
static int
read_lines(struct job *j)
{
	const char *line = NULL;
	size_t len = 0;
	uint64_t first = j->lines;
	enum rd what;
	int go;

	for (;;) {
		what = reader_line(&j->r, &line, &len);
		if ((go = step(j, what, line, len)) != 1)
			break;
		if (++j->batch >= IMPORT_BATCH_LINES && end_batch(j) != 0)
			return -1;
		if (!j->o->quiet && (j->lines - first) % IMPORT_PROGRESS_LINES == 0)
			say(j->o, "%s: %llu lines...", j->path, (unsigned long long)(j->lines - first));
	}
	if (go < 0)
		return -1;
	return end_batch(j);
}

/* summary_line - what one file gave. */
static void
summary_line(const struct job *j, uint64_t first_line)
{
	if (j->o->quiet && j->malformed == 0)
		return;
	say(j->o, "%s: %llu new lines (from line %llu), %llu messages stored, %llu malformed",
	    j->path, (unsigned long long)(j->lines - first_line), (unsigned long long)first_line + 1,
	    (unsigned long long)j->stored, (unsigned long long)j->malformed);
}

/* import_one - one file; returns 0, 1 or 2 as import_files. */
static int
import_one(struct job *j)
{
	uint64_t first_line;
	int rc;

	if ((rc = open_job(j)) <= 0) {
		if (j->r.gz != NULL)
			gzclose(j->r.gz);
		if (rc == -2) {
			say(j->o, "%s: %s", j->path, store_error(j->st));
			return 2;
		}
		if (rc < 0)
			j->t->failed_files++;
		return rc < 0 ? 1 : 0;
	}
	first_line = j->lines;
	rc = read_lines(j);
	gzclose(j->r.gz);
	j->t->files++;
	j->t->lines += j->lines - first_line;
	j->t->stored += j->stored;
	j->t->malformed += j->malformed;
	if (rc != 0)
		return 2;
	summary_line(j, first_line);
	return j->status;
}

/* job_run - set up the job for path and run it. */
static int
job_run(struct store *st, const char *path, const struct import_opts *o, struct import_totals *t,
    struct history_record *h, char *buf)
{
	struct job j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.path = path;
	j.st = st;
	j.o = o;
	j.t = t;
	j.h = h;
	j.r.buf = buf;
	rc = import_one(&j);
	free(j.f.path);
	return rc;
}

int
import_files(struct store *st, const char *const *paths, size_t n, const struct import_opts *o,
    struct import_totals *t)
{
	struct history_record *h = malloc(sizeof(*h));
	char *buf = malloc(READER_BUF);
	int status = 0, rc = 0;
	size_t i;

	memset(t, 0, sizeof(*t));
	store_set_lock(st, STORE_LOCK_SHARED);	/* imports of several hosts run at once */
	if (h == NULL || buf == NULL || store_begin(st) != STORE_OK) {
		say(o, "%s", h == NULL || buf == NULL ? "out of memory" : store_error(st));
		free(h);
		free(buf);
		return 2;
	}
	history_record_init(h);
	for (i = 0; i < n && rc != 2; i++) {
		rc = job_run(st, paths[i], o, t, h, buf);
		if (rc > status)
			status = rc;
	}
	if (rc != 2 && t->failed_files == 0 && store_host_imported(st, o->now) != STORE_OK) {
		say(o, "%s", store_error(st));
		rc = status = 2;
	}
	if (rc == 2 || o->dry_run)
		store_rollback(st);
	else if (store_commit(st) != STORE_OK) {
		say(o, "%s", store_error(st));
		status = 2;
	}
	free(h);
	free(buf);
	return status;
}
