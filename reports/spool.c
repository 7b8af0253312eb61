/*
 * spool.c - ReportSpool files for "send" (see spool.h).  Single-threaded.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spool.h"

#define SPOOL_NAME_MAX 255

/* fail - err = "what: strerror(errno)"; returns SPOOL_ERROR. */
static enum spool_status
fail(char *err, size_t errsize, const char *what, const char *name)
{
	snprintf(err, errsize, "%s %s: %s", what, name, strerror(errno));
	return SPOOL_ERROR;
}

enum spool_status
spool_open(struct spool *sp, const char *root, char *err, size_t errsize)
{
	char dir[sizeof(sp->path) + 16];
	int n = snprintf(sp->path, sizeof(sp->path), "%s", root);

	sp->outfd = -1;
	if (n < 0 || (size_t)n >= sizeof(sp->path)) {
		snprintf(err, errsize, "ReportSpool path too long");
		return SPOOL_ERROR;
	}
	snprintf(dir, sizeof(dir), "%s/outgoing", sp->path);
	if ((sp->outfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return SPOOL_NONE;
		return fail(err, errsize, "cannot open", dir);
	}
	if (flock(sp->outfd, LOCK_EX | LOCK_NB) != 0) {
		enum spool_status st = errno == EWOULDBLOCK ? SPOOL_BUSY :
		    fail(err, errsize, "cannot lock", dir);

		if (st == SPOOL_BUSY)
			snprintf(err, errsize, "%s is locked by another run", dir);
		spool_close(sp);
		return st;
	}
	return SPOOL_OK;
}

void
spool_close(struct spool *sp)
{
	if (sp->outfd >= 0)
		close(sp->outfd);
	sp->outfd = -1;
}

/* is_meta_name - "*.meta", not hidden, not too long. */
static bool
is_meta_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && n <= SPOOL_NAME_MAX && strcmp(name + n - 5, ".meta") == 0;
}

/* cmp_names - qsort order of C strings. */
static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* add_name - append a copy of name to *names (grown as needed); -1 on no memory. */
static int
add_name(char ***names, size_t *n, size_t *cap, const char *name)
{
	char **p;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if ((p = realloc(*names, *cap * sizeof(*p))) == NULL)
			return -1;
		*names = p;
	}
	if (((*names)[*n] = strdup(name)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

enum spool_status
spool_list(struct spool *sp, char ***names, size_t *n, char *err, size_t errsize)
{
	struct dirent *de;
	size_t cap = 0;
	DIR *d;
	int fd;

	*names = NULL;
	*n = 0;
	if ((fd = openat(sp->outfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return fail(err, errsize, "cannot read", "outgoing/");
	}
	while ((de = readdir(d)) != NULL) {
		if (is_meta_name(de->d_name) && add_name(names, n, &cap, de->d_name) != 0) {
			closedir(d);
			spool_list_free(*names, *n);
			*names = NULL, *n = 0;
			snprintf(err, errsize, "out of memory");
			return SPOOL_ERROR;
		}
	}
	closedir(d);
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), cmp_names);
	return SPOOL_OK;
}

void
spool_list_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

enum spool_status
spool_stat(struct spool *sp, const char *name, uint64_t *size, char *err, size_t errsize)
{
	struct stat st;

	if (fstatat(sp->outfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return fail(err, errsize, "cannot stat", name);
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errsize, "%s is not a regular file", name);
		return SPOOL_ERROR;
	}
	*size = (uint64_t)st.st_size;
	return SPOOL_OK;
}

/* read_all - read exactly len bytes of fd into buf; 0 or -1. */
static int
read_all(int fd, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t r;

	while (off < len) {
		r = read(fd, buf + off, len - off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		off += (size_t)r;
	}
	return 0;
}

enum spool_status
spool_read(struct spool *sp, const char *name, size_t max, char **data, size_t *len,
    char *err, size_t errsize)
{
	struct stat st;
	int fd;

	*data = NULL;
	*len = 0;
	if ((fd = openat(sp->outfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)) < 0)
		return fail(err, errsize, "cannot open", name);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(err, errsize, "%s is not a regular file", name);
		return SPOOL_ERROR;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		snprintf(err, errsize, "%s is larger than %zu bytes", name, max);
		return SPOOL_TOOBIG;
	}
	*len = (size_t)st.st_size;
	if ((*data = malloc(*len + 1)) == NULL || read_all(fd, *data, *len) != 0) {
		enum spool_status r = *data == NULL ? SPOOL_ERROR : fail(err, errsize, "cannot read", name);

		if (*data == NULL)
			snprintf(err, errsize, "out of memory reading %s", name);
		close(fd);
		free(*data);
		*data = NULL;
		return r;
	}
	(*data)[*len] = '\0';
	close(fd);
	return SPOOL_OK;
}

/* write_all - write len bytes of buf to fd; 0 or -1. */
static int
write_all(int fd, const char *buf, size_t len)
{
	size_t off = 0;
	ssize_t w;

	while (off < len) {
		w = write(fd, buf + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

enum spool_status
spool_rewrite(struct spool *sp, const char *name, const char *old, size_t oldlen,
    const char *add, size_t addlen, char *err, size_t errsize)
{
	char tmp[SPOOL_NAME_MAX + 8];
	struct stat st;
	mode_t mode = 0640;
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		snprintf(err, errsize, "name too long: %s", name);
		return SPOOL_ERROR;
	}
	if (fstatat(sp->outfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		mode = st.st_mode & 0777;
	unlinkat(sp->outfd, tmp, 0);
	if ((fd = openat(sp->outfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode)) < 0)
		return fail(err, errsize, "cannot create", tmp);
	if (write_all(fd, old, oldlen) != 0 || write_all(fd, add, addlen) != 0 ||
	    fsync(fd) != 0) {
		fail(err, errsize, "cannot write", tmp);
		close(fd);
		unlinkat(sp->outfd, tmp, 0);
		return SPOOL_ERROR;
	}
	if (close(fd) != 0 || renameat(sp->outfd, tmp, sp->outfd, name) != 0) {
		fail(err, errsize, "cannot replace", name);
		unlinkat(sp->outfd, tmp, 0);
		return SPOOL_ERROR;
	}
	fsync(sp->outfd);
	return SPOOL_OK;
}

/* open_sent - root/sent/, created when missing; fd or -1 (err set). */
static int
open_sent(struct spool *sp, char *err, size_t errsize)
{
	char dir[sizeof(sp->path) + 16];
	int fd;

	snprintf(dir, sizeof(dir), "%s/sent", sp->path);
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		fail(err, errsize, "cannot create", dir);
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		fail(err, errsize, "cannot open", dir);
	return fd;
}

enum spool_status
spool_finish(struct spool *sp, const char *meta_name, const char *file, char *err,
    size_t errsize)
{
	struct stat st;
	int sent;

	if ((sent = open_sent(sp, err, errsize)) < 0)
		return SPOOL_ERROR;
	if (renameat(sp->outfd, file, sent, file) != 0 &&
	    !(errno == ENOENT && fstatat(sent, file, &st, AT_SYMLINK_NOFOLLOW) == 0)) {
		fail(err, errsize, "cannot move to sent/:", file);
		close(sent);
		return SPOOL_ERROR;
	}
	if (renameat(sp->outfd, meta_name, sent, meta_name) != 0) {
		fail(err, errsize, "cannot move to sent/:", meta_name);
		close(sent);
		return SPOOL_ERROR;
	}
	fsync(sent);
	fsync(sp->outfd);
	close(sent);
	return SPOOL_OK;
}
