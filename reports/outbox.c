/*
 * outbox.c - writing reports into the spool and removing old ones; see
 * outbox.h and doc/report-spool.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outbox.h"
#include "str.h"

#define SPOOL_FILE_MODE 0640
#define SPOOL_DIR_MODE 0750
#define SPOOL_META_MAX (64 * 1024)

/* path_join - dir/name into out; false when it does not fit. */
static bool
path_join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	return n > 0 && (size_t)n < size;
}

/* make_dir - mkdir unless it exists as a directory. */
static int
make_dir(const char *path, char *err, size_t errsize)
{
	struct stat sb;

	if (mkdir(path, SPOOL_DIR_MODE) == 0 || (errno == EEXIST && stat(path, &sb) == 0 &&
	    S_ISDIR(sb.st_mode)))
		return 0;
	snprintf(err, errsize, "%s: %s", path, strerror(errno));
	return -1;
}

int
outbox_dir(const char *spool, char *err, size_t errsize)
{
	char path[PATH_MAX];

	if (make_dir(spool, err, errsize) != 0)
		return -1;
	if (!path_join(path, sizeof(path), spool, SPOOL_OUTGOING) ||
	    make_dir(path, err, errsize) != 0)
		return -1;
	if (!path_join(path, sizeof(path), spool, SPOOL_SENT) || make_dir(path, err, errsize) != 0)
		return -1;
	return 0;
}

/* tmp_open - a new temporary file ".name.XXXXXX" in dir for final name dir/name. */
static int
tmp_open(const char *dir, const char *name, struct outbox_file *f, char *err, size_t errsize)
{
	char tmpname[NAME_MAX + 1];
	int n;

	f->gz = NULL;
	f->fd = -1;
	n = snprintf(tmpname, sizeof(tmpname), ".%s.XXXXXX", name);
	if (n <= 0 || (size_t)n >= sizeof(tmpname) || !path_join(f->tmp, sizeof(f->tmp), dir, tmpname) ||
	    !path_join(f->final, sizeof(f->final), dir, name)) {
		snprintf(err, errsize, "%s/%s: name too long", dir, name);
		return -1;
	}
	if ((f->fd = mkstemp(f->tmp)) < 0) {
		snprintf(err, errsize, "%s: %s", f->tmp, strerror(errno));
		return -1;
	}
	if (fchmod(f->fd, SPOOL_FILE_MODE) != 0) {
		snprintf(err, errsize, "%s: %s", f->tmp, strerror(errno));
		outbox_abort(f);
		return -1;
	}
	return 0;
}

int
outbox_gz_open(const char *dir, const char *name, struct outbox_file *f, char *err, size_t errsize)
{
	int fd;

	if (tmp_open(dir, name, f, err, errsize) != 0)
		return -1;
	/* gzclose closes the descriptor it was given: keep ours for the fsync. */
	if ((fd = dup(f->fd)) < 0 || (f->gz = gzdopen(fd, "wb6")) == NULL) {
		snprintf(err, errsize, "%s: %s", f->tmp, fd < 0 ? strerror(errno) : "gzdopen failed");
		if (fd >= 0)
			close(fd);
		outbox_abort(f);
		return -1;
	}
	return 0;
}

int
outbox_commit(struct outbox_file *f, char *err, size_t errsize)
{
	int zrc = Z_OK;

	if (f->gz != NULL) {
		zrc = gzclose(f->gz);
		f->gz = NULL;
	}
	if (zrc != Z_OK) {
		snprintf(err, errsize, "%s: gzip write failed", f->tmp);
		outbox_abort(f);
		return -1;
	}
	if (fsync(f->fd) != 0 || close(f->fd) != 0) {
		f->fd = -1;
		snprintf(err, errsize, "%s: %s", f->tmp, strerror(errno));
		outbox_abort(f);
		return -1;
	}
	f->fd = -1;
	if (rename(f->tmp, f->final) != 0) {
		snprintf(err, errsize, "%s: %s", f->final, strerror(errno));
		outbox_abort(f);
		return -1;
	}
	return 0;
}

void
outbox_abort(struct outbox_file *f)
{
	if (f->gz != NULL)
		gzclose(f->gz);
	if (f->fd >= 0)
		close(f->fd);
	f->gz = NULL;
	f->fd = -1;
	unlink(f->tmp);
}

void
outbox_size_text(uint64_t bytes, char *buf, size_t size)
{
	static const char units[] = "tgmk";
	unsigned shift;
	size_t i;

	for (i = 0, shift = 40; i < 4; i++, shift -= 10) {
		if (bytes >= ((uint64_t)1 << shift) && bytes % ((uint64_t)1 << shift) == 0) {
			snprintf(buf, size, "%llu%c", (unsigned long long)(bytes >> shift), units[i]);
			return;
		}
	}
	snprintf(buf, size, "%llu", (unsigned long long)bytes);
}

/* one_word - printable ASCII without blanks (a rua URI). */
static bool
one_word(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* one_line - no control characters (a value at the end of a "key value" line). */
static bool
one_line(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s == 0x7f)
			return false;
	return true;
}

/* meta_rua - the "rua" lines of p; false (err filled) when a URI cannot go in. */
static bool
meta_rua(const struct outbox_meta *m, struct str *out, char *err, size_t errsize)
{
	const struct report_policy *p = m->pol;
	bool ok = true;
	char size[32];
	size_t i;

	for (i = 0; ok && i < p->nrua; i++) {
		if (!one_word(p->rua[i].uri)) {
			snprintf(err, errsize, "rua %zu of %s is not one printable word", i + 1,
			    m->policy_domain);
			return false;
		}
		ok = str_printf(out, "rua %s", p->rua[i].uri) == STR_OK;
		if (ok && p->rua[i].size_limit > 0) {
			outbox_size_text(p->rua[i].size_limit, size, sizeof(size));
			ok = str_printf(out, "!%s", size) == STR_OK;
		}
		ok = ok && str_appendc(out, '\n') == STR_OK;
	}
	if (!ok)
		snprintf(err, errsize, "the .meta of %s does not fit", m->policy_domain);
	return ok;
}

/* meta_text - the .meta content of m into out; false (err filled) when a value cannot go in. */
static bool
meta_text(const struct outbox_meta *m, struct str *out, char *err, size_t errsize)
{
	if (!one_line(m->org_name) || !one_word(m->policy_domain) || !one_word(m->report_id)) {
		snprintf(err, errsize, "a value of the report holds a control character");
		return false;
	}
	if (str_printf(out, "format %s\npolicy_domain %s\norg_name %s\nreport_id %s\n"
	    "begin %lld\nend %lld\nfile %s\n", m->format, m->policy_domain, m->org_name,
	    m->report_id, (long long)m->begin, (long long)m->end, m->file) != STR_OK) {
		snprintf(err, errsize, "out of memory");
		return false;
	}
	return meta_rua(m, out, err, errsize);
}

int
outbox_meta_write(const char *dir, const char *name, const struct outbox_meta *m, char *err,
    size_t errsize)
{
	struct str text = STR_INITIALIZER(SPOOL_META_MAX);
	struct outbox_file f;
	ssize_t w;
	int rc = -1;

	if (!meta_text(m, &text, err, errsize) || tmp_open(dir, name, &f, err, errsize) != 0)
		goto out;
	if ((w = write(f.fd, text.s, text.len)) < 0 || (size_t)w != text.len) {
		snprintf(err, errsize, "%s: %s", f.tmp, w < 0 ? strerror(errno) : "short write");
		outbox_abort(&f);
		goto out;
	}
	rc = outbox_commit(&f, err, errsize);
out:
	str_free(&text);
	return rc;
}

/*
 * report_name - a report's file, not a temporary one: ending in .meta or
 * the data extension ext (".xml.gz": aggregate reports, whose names hold a
 * '!'; ".eml": failure reports).
 */
static bool
report_name(const char *name, const char *ext, bool *is_meta, size_t *baselen)
{
	size_t n = strlen(name), e = strlen(ext);

	if (name[0] == '.' || (strcmp(ext, ".xml.gz") == 0 && strchr(name, '!') == NULL))
		return false;
	if (n > 5 && strcmp(name + n - 5, ".meta") == 0) {
		*is_meta = true;
		*baselen = n - 5;
		return true;
	}
	if (n > e && strcmp(name + n - e, ext) == 0) {
		*is_meta = false;
		*baselen = n - e;
		return true;
	}
	return false;
}

/* remove_report - unlink dir/base.EXT and dir/base.meta (those that exist). */
static void
remove_report(const char *dir, const char *name, const char *ext, size_t baselen, FILE *log)
{
	const char *const exts[] = { ext, ".meta" };
	char path[PATH_MAX];
	size_t i;
	int n;

	for (i = 0; i < 2; i++) {
		n = snprintf(path, sizeof(path), "%s/%.*s%s", dir, (int)baselen, name, exts[i]);
		if (n > 0 && (size_t)n < sizeof(path) && unlink(path) != 0 && errno != ENOENT)
			fprintf(log, "authmilter-reports: %s: %s\n", path, strerror(errno));
	}
}

/* expired - is dir/name older than cutoff?  A data file with a .meta is judged by the .meta. */
static bool
expired(const char *dir, const char *name, bool is_meta, size_t baselen, int64_t cutoff)
{
	char path[PATH_MAX];
	struct stat sb;
	int n;

	if (!is_meta) {
		n = snprintf(path, sizeof(path), "%s/%.*s.meta", dir, (int)baselen, name);
		if (n <= 0 || (size_t)n >= sizeof(path) || stat(path, &sb) == 0)
			return false;
	}
	if (!path_join(path, sizeof(path), dir, name) || stat(path, &sb) != 0)
		return false;
	return (int64_t)sb.st_mtime < cutoff;
}

/* expire_dir - outbox_expire_sent for reports whose data files end in ext. */
static int
expire_dir(const char *spool, const char *ext, int64_t cutoff, bool dry_run, FILE *log,
    unsigned *removed)
{
	char dir[PATH_MAX];
	struct dirent *de;
	size_t baselen;
	bool is_meta;
	DIR *d;

	*removed = 0;
	if (!path_join(dir, sizeof(dir), spool, SPOOL_SENT))
		return -1;
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		fprintf(log, "authmilter-reports: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!report_name(de->d_name, ext, &is_meta, &baselen) ||
		    !expired(dir, de->d_name, is_meta, baselen, cutoff))
			continue;
		(*removed)++;
		if (dry_run)
			fprintf(log, "authmilter-reports: would remove %s/%.*s\n", dir, (int)baselen,
			    de->d_name);
		else
			remove_report(dir, de->d_name, ext, baselen, log);
	}
	closedir(d);
	return 0;
}

int
outbox_expire_sent(const char *spool, int64_t cutoff, bool dry_run, FILE *log, unsigned *removed)
{
	return expire_dir(spool, ".xml.gz", cutoff, dry_run, log, removed);
}

int
outbox_expire_failures(const char *spool, int64_t cutoff, bool dry_run, FILE *log,
    unsigned *removed)
{
	return expire_dir(spool, ".eml", cutoff, dry_run, log, removed);
}
