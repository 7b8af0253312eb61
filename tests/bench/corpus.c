/*
 * corpus.c - load the benchmark corpus; see corpus.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "corpus.h"

#define CORPUS_MAGIC "AMBENCH1 "
#define CORPUS_MAX_MESSAGES 100000000UL
#define CORPUS_MAX_RCPT 100

/* dupmem - a NUL-terminated copy of n bytes; exits when memory runs out. */
static char *
dupmem(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL) {
		fprintf(stderr, "milterbench: out of memory\n");
		exit(1);
	}
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* parse_size - a decimal number in [0, max]; -1 when it is not one. */
static int
parse_size(const char *s, unsigned long max, size_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v > max || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

/* split_rcpts - the comma-separated recipients of m. */
static int
split_rcpts(struct corpus_msg *m, const char *list)
{
	const char *p = list, *comma;

	m->rcpt = calloc(CORPUS_MAX_RCPT, sizeof(*m->rcpt));
	if (m->rcpt == NULL)
		return -1;
	while (*p != '\0' && m->nrcpt < CORPUS_MAX_RCPT) {
		comma = strchr(p, ',');
		if (comma == NULL)
			comma = p + strlen(p);
		m->rcpt[m->nrcpt++] = dupmem(p, (size_t)(comma - p));
		p = *comma == ',' ? comma + 1 : comma;
	}
	return m->nrcpt > 0 ? 0 : -1;
}

/* parse_envelope - the tab-separated "M ..." line (NUL-terminated, no LF). */
static int
parse_envelope(struct corpus_msg *m, char *line, size_t *len)
{
	char *f[10], *p = line, *tab = NULL;
	size_t n = 0;

	while (n < 10) {
		f[n++] = p;
		if ((tab = strchr(p, '\t')) == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
	if (n != 10 || tab != NULL || strcmp(f[0], "M") != 0 || parse_size(f[9], 1UL << 30, len) != 0)
		return -1;
	m->id = dupmem(f[1], strlen(f[1]));
	m->ip = dupmem(f[2], strlen(f[2]));
	m->ptr = dupmem(f[3], strlen(f[3]));
	m->helo = dupmem(f[4], strlen(f[4]));
	m->mail_from = dupmem(f[5], strlen(f[5]));
	m->expect = dupmem(f[7], strlen(f[7]));
	m->kind = dupmem(f[8], strlen(f[8]));
	return split_rcpts(m, f[6]);
}

/* add_field - a new field from one "Name: value" line. */
static int
add_field(struct corpus_msg *m, size_t *cap, const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n);
	struct corpus_field *grown;
	size_t nlen;

	if (colon == NULL || colon == line)
		return -1;
	if (m->nfields == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if ((grown = realloc(m->fields, *cap * sizeof(*grown))) == NULL)
			return -1;
		m->fields = grown;
	}
	nlen = (size_t)(colon - line);
	while (nlen > 0 && (line[nlen - 1] == ' ' || line[nlen - 1] == '\t'))
		nlen--;
	m->fields[m->nfields].name = dupmem(line, nlen);
	m->fields[m->nfields].value = dupmem(colon + 1, n - (size_t)(colon + 1 - line));
	m->nfields++;
	return 0;
}

/* fold_into - a continuation line joined to the last field with "\n". */
static int
fold_into(struct corpus_msg *m, const char *line, size_t n)
{
	struct corpus_field *f = &m->fields[m->nfields - 1];
	size_t old = strlen(f->value);
	char *v = realloc(f->value, old + 1 + n + 1);

	if (v == NULL)
		return -1;
	v[old] = '\n';
	memcpy(v + old + 1, line, n);
	v[old + 1 + n] = '\0';
	f->value = v;
	return 0;
}

/* split_message - header fields and body of the len bytes at p. */
static int
split_message(struct corpus_msg *m, const unsigned char *p, size_t len)
{
	size_t pos = 0, cap = 0, eol;
	const unsigned char *nl;

	m->size = len;
	while (pos < len) {
		nl = memchr(p + pos, '\n', len - pos);
		if (nl == NULL)
			return -1;
		eol = (size_t)(nl - p);
		if (eol == pos || (eol == pos + 1 && p[pos] == '\r')) {
			m->body = p + eol + 1;
			m->body_len = len - (eol + 1);
			return 0;
		}
		if (eol > pos && p[eol - 1] == '\r')
			eol--;
		if ((p[pos] == ' ' || p[pos] == '\t') && m->nfields > 0) {
			if (fold_into(m, (const char *)p + pos, eol - pos) != 0)
				return -1;
		} else if (add_field(m, &cap, (const char *)p + pos, eol - pos) != 0) {
			return -1;
		}
		pos = (size_t)(nl - p) + 1;
	}
	m->body = p + len;
	m->body_len = 0;
	return 0;
}

/* map_file - the whole file, read-only. */
static int
map_file(struct corpus *c, const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	c->map_len = (size_t)st.st_size;
	c->map = mmap(NULL, c->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (c->map == MAP_FAILED) {
		c->map = NULL;
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* next_line - the line at *pos (without LF) copied into a string. */
static char *
next_line(const struct corpus *c, size_t *pos)
{
	const char *p = (const char *)c->map + *pos;
	const char *nl = memchr(p, '\n', c->map_len - *pos);
	char *s;

	if (nl == NULL)
		return NULL;
	s = dupmem(p, (size_t)(nl - p));
	*pos += (size_t)(nl - p) + 1;
	return s;
}

/* load_messages - every message after the first line. */
static int
load_messages(struct corpus *c, size_t pos, char *err, size_t errlen)
{
	size_t i, len;
	char *line;

	for (i = 0; i < c->n; i++) {
		struct corpus_msg *m = &c->msgs[i];

		if ((line = next_line(c, &pos)) == NULL || parse_envelope(m, line, &len) != 0 ||
		    len + 1 > c->map_len - pos ||
		    split_message(m, (const unsigned char *)c->map + pos, len) != 0) {
			snprintf(err, errlen, "message %zu: malformed corpus record", i);
			free(line);
			return -1;
		}
		free(line);
		pos += len + 1;
	}
	return 0;
}

int
corpus_load(struct corpus *c, const char *path, char *err, size_t errlen)
{
	size_t pos = 0;
	char *line;

	memset(c, 0, sizeof(*c));
	if (map_file(c, path, err, errlen) != 0)
		return -1;
	line = next_line(c, &pos);
	if (line == NULL || strncmp(line, CORPUS_MAGIC, strlen(CORPUS_MAGIC)) != 0 ||
	    parse_size(line + strlen(CORPUS_MAGIC), CORPUS_MAX_MESSAGES, &c->n) != 0 ||
	    c->n == 0) {
		snprintf(err, errlen, "%s: not a corpus (no \"%sCOUNT\" line)", path, CORPUS_MAGIC);
		free(line);
		return -1;
	}
	free(line);
	if ((c->msgs = calloc(c->n, sizeof(*c->msgs))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return load_messages(c, pos, err, errlen);
}

void
corpus_free(struct corpus *c)
{
	size_t i, j;

	for (i = 0; c->msgs != NULL && i < c->n; i++) {
		struct corpus_msg *m = &c->msgs[i];

		for (j = 0; j < m->nrcpt; j++)
			free(m->rcpt[j]);
		for (j = 0; j < m->nfields; j++) {
			free(m->fields[j].name);
			free(m->fields[j].value);
		}
		free(m->rcpt);
		free(m->fields);
		free(m->id);
		free(m->ip);
		free(m->ptr);
		free(m->helo);
		free(m->mail_from);
		free(m->expect);
		free(m->kind);
	}
	free(c->msgs);
	if (c->map != NULL)
		munmap(c->map, c->map_len);
	memset(c, 0, sizeof(*c));
}
