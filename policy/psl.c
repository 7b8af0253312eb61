/*
 * psl.c - the Public Suffix List (publicsuffix.org format) and the RFC 7489
 * organizational domain (see psl.h).
 *
 * Called at start-up or reload by the milter (psl_load_file) and per message
 * by the organizational-domain code (psl_org_domain).  Rules are kept in an
 * open-addressing hash table keyed by the rule's domain (lower-case
 * A-labels, without "*." or "!"); each key carries flag bits for the kinds
 * of rule spelled with it.  A loaded list is never modified, so lookups from
 * any number of threads are safe; loading touches only the new object.
 * psl_load_file is the one place in the policy library that reads a file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "psl.h"
#include "str.h"

#define PSL_FILE_MAX	(16u * 1024 * 1024)	/* today's list is about 300 KB */
#define PSL_POOL_MAX	(32u * 1024 * 1024)	/* rule text kept in memory */
#define PSL_TABLE_MIN	1024			/* initial slots, a power of two */

#define RULE_NORMAL	0x1u	/* "example.com": the key itself is a public suffix */
#define RULE_WILDCARD	0x2u	/* "*.example.com": any label below the key is */
#define RULE_EXCEPTION	0x4u	/* "!www.example.com": the key is not, its parent is */

struct psl_slot {
	size_t off;		/* key offset in the pool */
	uint32_t hash;
	unsigned flags;		/* RULE_* bits; 0 = free slot */
};

struct psl {
	struct psl_slot *slot;
	size_t cap;		/* slots, a power of two */
	size_t used;		/* occupied slots */
	size_t rules;		/* distinct rules (key, kind) */
	struct str pool;	/* NUL-separated keys */
};

/* lower - ASCII lower case of one byte. */
static unsigned char
lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* key_hash - FNV-1a over the lower-cased bytes of a NUL-terminated key. */
static uint32_t
key_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key != '\0'; key++) {
		h ^= lower((unsigned char)*key);
		h *= 16777619u;
	}
	return h;
}

/* key_equal - case-insensitive equality of two NUL-terminated keys. */
static int
key_equal(const char *a, const char *b)
{
	while (*a != '\0' && lower((unsigned char)*a) == lower((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* slot_find - the slot holding key, or the free slot where it belongs. */
static struct psl_slot *
slot_find(const struct psl *psl, const char *key, uint32_t h)
{
	size_t i = h & (psl->cap - 1);
	struct psl_slot *s;

	for (;;) {
		s = &psl->slot[i];
		if (s->flags == 0)
			return s;
		if (s->hash == h && key_equal(psl->pool.s + s->off, key))
			return s;
		i = (i + 1) & (psl->cap - 1);
	}
}

/* rule_flags - the RULE_* bits of key (0 when no rule uses it). */
static unsigned
rule_flags(const struct psl *psl, const char *key)
{
	if (psl == NULL || psl->cap == 0)
		return 0;
	return slot_find(psl, key, key_hash(key))->flags;
}

/* table_grow - double the table (or create it) and rehash every key. */
static enum psl_status
table_grow(struct psl *psl)
{
	size_t ncap = psl->cap ? psl->cap * 2 : PSL_TABLE_MIN, i;
	struct psl_slot *old = psl->slot, *s;
	size_t ocap = psl->cap;

	if ((psl->slot = calloc(ncap, sizeof(*psl->slot))) == NULL) {
		psl->slot = old;
		return PSL_NOMEM;
	}
	psl->cap = ncap;
	for (i = 0; i < ocap; i++) {
		if (old[i].flags == 0)
			continue;
		s = slot_find(psl, psl->pool.s + old[i].off, old[i].hash);
		*s = old[i];
	}
	free(old);
	return PSL_OK;
}

/* rule_add - record that key is used by a rule of kind flag. */
static enum psl_status
rule_add(struct psl *psl, const char *key, unsigned flag)
{
	uint32_t h = key_hash(key);
	struct psl_slot *s;
	size_t off;

	if ((psl->used + 1) * 2 > psl->cap && table_grow(psl) != PSL_OK)
		return PSL_NOMEM;
	s = slot_find(psl, key, h);
	if (s->flags == 0) {
		off = psl->pool.len;
		if (str_append(&psl->pool, key, strlen(key) + 1) != STR_OK)
			return PSL_NOMEM;
		s->off = off;
		s->hash = h;
		psl->used++;
	}
	if ((s->flags & flag) == 0)
		psl->rules++;
	s->flags |= flag;
	return PSL_OK;
}

/* is_space - the whitespace that ends a rule. */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * load_line - add the rule of one line (n bytes, no newline).  Comments and
 * blank lines add nothing; so does a rule our domain code rejects (a list
 * update must not make the whole list unusable because of one odd line).
 */
static enum psl_status
load_line(struct psl *psl, const char *line, size_t n)
{
	char key[DOMAIN_BUFSIZE];
	unsigned flag = RULE_NORMAL;
	size_t i = 0, w;

	while (i < n && is_space(line[i]))
		i++;
	line += i;
	n -= i;
	for (w = 0; w < n && !is_space(line[w]); w++)
		continue;
	if (w == 0 || (w >= 2 && line[0] == '/' && line[1] == '/'))
		return PSL_OK;
	if (line[0] == '!') {
		flag = RULE_EXCEPTION;
		line++;
		w--;
	} else if (w >= 2 && line[0] == '*' && line[1] == '.') {
		flag = RULE_WILDCARD;
		line += 2;
		w -= 2;
	}
	if (memchr(line, '*', w) != NULL || memchr(line, '!', w) != NULL)
		return PSL_OK;
	if (domain_normalize(line, w, key) != DOMAIN_OK)
		return PSL_OK;
	if (flag == RULE_EXCEPTION && domain_parent(key) == NULL)
		return PSL_OK;
	return rule_add(psl, key, flag);
}

/* load_text - parse a whole list; origin names it in reasons. */
static enum psl_status
load_text(const char *text, size_t len, struct psl **out, char *reason,
    size_t reasonsize, const char *origin)
{
	const char *p = text, *end = text + len, *nl;
	enum psl_status st = PSL_OK;
	struct psl *psl;

	*out = NULL;
	if ((psl = calloc(1, sizeof(*psl))) == NULL) {
		snprintf(reason, reasonsize, "%s: out of memory", origin);
		return PSL_NOMEM;
	}
	str_init(&psl->pool, PSL_POOL_MAX);
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && st == PSL_OK) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		st = load_line(psl, p, (size_t)(nl - p));
		p = nl + 1;
	}
	if (st == PSL_OK && psl->rules == 0)
		st = PSL_EMPTY;
	if (st != PSL_OK) {
		snprintf(reason, reasonsize, "%s: %s", origin, st == PSL_EMPTY ?
		    "no public suffix rules found" : "out of memory");
		psl_free(psl);
		return st;
	}
	*out = psl;
	return PSL_OK;
}

enum psl_status
psl_load_buffer(const char *text, size_t len, struct psl **out, char *reason, size_t reasonsize)
{
	return load_text(text, len, out, reason, reasonsize, "public suffix list");
}

/* io_reason - "path: what: errno text" into reason. */
static void
io_reason(char *reason, size_t reasonsize, const char *path, const char *what, int err)
{
	char etext[128];

	if (strerror_r(err, etext, sizeof(etext)) != 0)
		snprintf(etext, sizeof(etext), "error %d", err);
	snprintf(reason, reasonsize, "%s: %s: %s", path, what, etext);
}

/* read_file - the whole file into buf (bounded by PSL_FILE_MAX). */
static enum psl_status
read_file(const char *path, struct str *buf, char *reason, size_t reasonsize)
{
	char chunk[8192];
	size_t n;
	FILE *fp;
	int err;

	if ((fp = fopen(path, "re")) == NULL) {
		io_reason(reason, reasonsize, path, "cannot open", errno);
		return PSL_IO;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (str_append(buf, chunk, n) != STR_OK) {
			fclose(fp);
			snprintf(reason, reasonsize, "%s: larger than %u bytes or out of memory",
			    path, PSL_FILE_MAX);
			return PSL_IO;
		}
	}
	err = ferror(fp) ? errno : 0;
	fclose(fp);
	if (err != 0) {
		io_reason(reason, reasonsize, path, "cannot read", err);
		return PSL_IO;
	}
	return PSL_OK;
}

enum psl_status
psl_load_file(const char *path, struct psl **out, char *reason, size_t reasonsize)
{
	struct str buf = STR_INITIALIZER(PSL_FILE_MAX);
	enum psl_status st;

	*out = NULL;
	if ((st = read_file(path, &buf, reason, reasonsize)) == PSL_OK)
		st = load_text(buf.s != NULL ? buf.s : "", buf.len, out, reason, reasonsize, path);
	str_free(&buf);
	return st;
}

void
psl_free(struct psl *psl)
{
	if (psl == NULL)
		return;
	free(psl->slot);
	str_free(&psl->pool);
	free(psl);
}

size_t
psl_rule_count(const struct psl *psl)
{
	return psl != NULL ? psl->rules : 0;
}

/* name_ok - non-empty, no leading or trailing dot, no empty label. */
static int
name_ok(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && name[0] != '.' && name[n - 1] != '.' && strstr(name, "..") == NULL;
}

/*
 * find_suffix - the PSL algorithm.  Suffixes are tried from the longest,
 * so the first normal or wildcard match is the prevailing one unless an
 * exception rule matches anywhere; with no match the default rule "*"
 * makes the last label the public suffix.
 */
static const char *
find_suffix(const struct psl *psl, const char *name)
{
	const char *p, *prev = NULL, *last = name, *best = NULL, *except = NULL;
	unsigned f;

	for (p = name; p != NULL; prev = p, p = domain_parent(p)) {
		last = p;
		f = rule_flags(psl, p);
		if ((f & RULE_EXCEPTION) != 0 && except == NULL)
			except = p;
		if (best == NULL && (f & RULE_WILDCARD) != 0 && prev != NULL)
			best = prev;
		else if (best == NULL && (f & RULE_NORMAL) != 0)
			best = p;
	}
	if (except != NULL)
		return domain_parent(except);
	return best != NULL ? best : last;
}

const char *
psl_public_suffix(const struct psl *psl, const char *name)
{
	if (name == NULL || !name_ok(name))
		return NULL;
	return find_suffix(psl, name);
}

enum psl_status
psl_org_domain(const struct psl *psl, const char *name, const char **org)
{
	const char *ps, *p;

	*org = NULL;
	if ((ps = psl_public_suffix(psl, name)) == NULL || ps == name)
		return PSL_NOT_FOUND;
	p = ps - 1;		/* the dot before the public suffix */
	while (p > name && p[-1] != '.')
		p--;
	*org = p;
	return PSL_OK;
}
