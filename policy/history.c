/*
 * history.c - encoder and decoder of history lines (see history.h and
 * doc/history-format.md): the line framing (the version marker, the final
 * newline, "key=value" fields split at spaces, duplicate keys, required
 * fields and the fields that need pdom, x-* extensions, the canonical order
 * when writing) over the field table of history_fields.c, and the status
 * names.  Called by the milter's history writer (encode) and by the report
 * tool (decode).  Records as data are in history_record.c.
 * Pure computation; reentrant (no static mutable state).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "history_int.h"

static const char version_marker[] = "AMH";

/* ------------------------------------------------------------ line decoding */

/*
 * check_line - length cap, no NUL or CR, exactly one LF and it is last.
 * *body is set to the length without the LF.
 */
static enum history_status
check_line(struct dctx *c, const char *line, size_t len, size_t *body)
{
	size_t i;

	if (len > HISTORY_LINE_MAX)
		return history_fail(c, HISTORY_TOO_LONG, "line of %zu bytes exceeds %d", len, HISTORY_LINE_MAX);
	for (i = 0; i < len; i++) {
		if (line[i] == '\0')
			return history_fail(c, HISTORY_BAD_CHAR, "NUL byte at offset %zu", i);
		if (line[i] == '\r')
			return history_fail(c, HISTORY_BAD_CHAR, "CR byte at offset %zu", i);
		if (line[i] == '\n' && i + 1 < len)
			return history_fail(c, HISTORY_BAD_SYNTAX, "trailing garbage: %zu bytes after the newline",
			    len - i - 1);
	}
	if (len == 0 || line[len - 1] != '\n')
		return history_fail(c, HISTORY_TRUNCATED, "line does not end with a newline (partial write?)");
	*body = len - 1;
	return HISTORY_OK;
}

/* parse_version_number - 1 to 4 digits at *pos; false when none. */
static bool
parse_version_number(const char *s, size_t n, size_t *pos, unsigned *out)
{
	size_t start = *pos;
	unsigned v = 0;

	while (*pos < n && *pos - start < 5 && s[*pos] >= '0' && s[*pos] <= '9')
		v = v * 10 + (unsigned)(s[(*pos)++] - '0');
	if (*pos == start || *pos - start > 4)
		return false;
	*out = v;
	return true;
}

/* parse_version - "AMH<major>.<minor>" followed by a space or the end. */
static enum history_status
parse_version(struct dctx *c, const char *s, size_t n, size_t *pos)
{
	unsigned major = 0, minor = 0;
	size_t p = sizeof(version_marker) - 1;

	if (n < p || memcmp(s, version_marker, p) != 0)
		return history_fail(c, HISTORY_BAD_VERSION, "line does not start with the version marker '%s'",
		    version_marker);
	if (!parse_version_number(s, n, &p, &major) || p >= n || s[p++] != '.' ||
	    !parse_version_number(s, n, &p, &minor) || (p < n && s[p] != ' '))
		return history_fail(c, HISTORY_BAD_VERSION, "malformed version marker (want AMH<major>.<minor>)");
	if (major != HISTORY_VERSION_MAJOR)
		return history_fail(c, HISTORY_BAD_VERSION, "unsupported major version %u (this decoder reads %d)",
		    major, HISTORY_VERSION_MAJOR);
	c->h->version_minor = minor;
	*pos = p;
	return HISTORY_OK;
}

/* check_key - "[a-z][a-z0-9_-]*", at most HISTORY_EXT_KEY_MAX bytes; copied into c->key. */
static enum history_status
check_key(struct dctx *c, const char *k, size_t n)
{
	size_t i;

	if (n == 0)
		return history_fail(c, HISTORY_BAD_SYNTAX, "empty key");
	if (n > HISTORY_EXT_KEY_MAX)
		return history_fail(c, HISTORY_BAD_SYNTAX, "key longer than %d bytes", HISTORY_EXT_KEY_MAX);
	for (i = 0; i < n; i++) {
		if (!((k[i] >= 'a' && k[i] <= 'z') || (i > 0 && ((k[i] >= '0' && k[i] <= '9') ||
		    k[i] == '_' || k[i] == '-'))))
			return history_fail(c, HISTORY_BAD_SYNTAX, "bad character 0x%02x in key", (unsigned char)k[i]);
	}
	memcpy(c->key, k, n);
	c->key[n] = '\0';
	return HISTORY_OK;
}

/* unknown_field - skip a key of a newer minor version (its value must still be well formed). */
static enum history_status
unknown_field(struct dctx *c, const char *raw, size_t n)
{
	enum history_status st;

	if (c->h->version_minor <= HISTORY_VERSION_MINOR)
		return history_fail(c, HISTORY_BAD_SYNTAX, "unknown key '%s' in a version %d.%u line",
		    c->key, HISTORY_VERSION_MAJOR, c->h->version_minor);
	if ((st = history_pct_decode(c, raw, n, NULL, 0, NULL)) == HISTORY_OK)
		c->h->unknown_keys++;
	return st;
}

/* dec_ext - one x-* extension field, kept with its key. */
static enum history_status
dec_ext(struct dctx *c, const char *raw, size_t n)
{
	struct history_record *h = c->h;
	struct history_ext *e = &h->ext[h->next];
	enum history_status st;

	if ((st = history_list_room(c, h->next, HISTORY_MAX_EXT)) != HISTORY_OK)
		return st;
	if ((e->key = strdup(c->key)) == NULL)
		return history_fail(c, HISTORY_NOMEM, "out of memory");
	if ((st = history_dec_alloc(c, raw, n, HISTORY_EXT_VALUE_MAX, &e->value)) != HISTORY_OK) {
		free(e->key);
		e->key = NULL;
		return st;
	}
	h->next++;
	return HISTORY_OK;
}

/* decode_field - one "key=value"; seen marks the single-valued keys met. */
static enum history_status
decode_field(struct dctx *c, const char *f, size_t n, uint64_t *seen)
{
	const char *eq = memchr(f, '=', n);
	char ex[SHOW_BUFSIZE];
	enum history_status st;
	size_t i, klen;

	if (eq == NULL)
		return history_fail(c, HISTORY_BAD_SYNTAX, "field '%s' has no '='", history_show(f, n, ex));
	klen = (size_t)(eq - f);
	if ((st = check_key(c, f, klen)) != HISTORY_OK)
		return st;
	if (klen > 2 && memcmp(f, "x-", 2) == 0)
		return dec_ext(c, eq + 1, n - klen - 1);
	if ((i = history_field_index(c->key)) == history_nfields ||
	    history_fields[i].minor > c->h->version_minor)
		return unknown_field(c, eq + 1, n - klen - 1);
	if (!(history_fields[i].flags & F_LIST) && (*seen & ((uint64_t)1 << i)))
		return history_fail(c, HISTORY_DUPLICATE_KEY, "key '%s' appears twice", c->key);
	*seen |= (uint64_t)1 << i;
	return history_fields[i].dec(c, eq + 1, n - klen - 1);
}

/* check_required - required fields, and the policy fields that need pdom. */
static enum history_status
check_required(struct dctx *c, uint64_t seen)
{
	bool pdom = (seen & ((uint64_t)1 << history_field_index("pdom"))) != 0;
	uint64_t bit;
	size_t i;

	for (i = 0; i < history_nfields; i++) {
		bit = (uint64_t)1 << i;
		if ((history_fields[i].flags & F_REQ) && !(seen & bit))
			return history_fail(c, HISTORY_MISSING_FIELD, "required field '%s' is missing",
			    history_fields[i].key);
		if (pdom && (history_fields[i].flags & F_POLREQ) && !(seen & bit))
			return history_fail(c, HISTORY_MISSING_FIELD, "field '%s' is required with 'pdom'",
			    history_fields[i].key);
		if (!pdom && (history_fields[i].flags & F_POL) && (seen & bit))
			return history_fail(c, HISTORY_MISSING_FIELD, "field '%s' needs 'pdom'",
			    history_fields[i].key);
	}
	return HISTORY_OK;
}

/* decode_body - the fields after the version marker. */
static enum history_status
decode_body(struct dctx *c, const char *line, size_t body)
{
	enum history_status st;
	uint64_t seen = 0;
	size_t pos = 0, end;

	if ((st = parse_version(c, line, body, &pos)) != HISTORY_OK)
		return st;
	while (pos < body) {
		pos++;	/* the space parse_version or the previous field stopped at */
		for (end = pos; end < body && line[end] != ' '; end++)
			continue;
		if (end == pos)
			return history_fail(c, HISTORY_BAD_SYNTAX,
			    "empty field at offset %zu (two spaces, or a trailing space)", pos);
		if ((st = decode_field(c, line + pos, end - pos, &seen)) != HISTORY_OK)
			return st;
		pos = end;
	}
	return check_required(c, seen);
}

enum history_status
history_decode(const char *line, size_t len, struct history_record *h,
    char *reason, size_t reasonsize)
{
	struct dctx c;
	enum history_status st;
	size_t body = 0;

	history_record_init(h);
	memset(&c, 0, sizeof(c));
	c.h = h;
	c.reason = reason;
	c.reasonsize = reasonsize;
	if (reason != NULL && reasonsize > 0)
		reason[0] = '\0';
	if (line == NULL)
		return history_fail(&c, HISTORY_TRUNCATED, "no line");
	st = check_line(&c, line, len, &body);
	if (st == HISTORY_OK)
		st = decode_body(&c, line, body);
	if (st != HISTORY_OK)
		history_record_free(h);
	return st;
}

/* ------------------------------------------------------------ line encoding */

/* ext_key_ok - "x-" and at least one more key character. */
static bool
ext_key_ok(const char *key)
{
	size_t i, n = key != NULL ? strlen(key) : 0;

	if (n <= 2 || n > HISTORY_EXT_KEY_MAX || memcmp(key, "x-", 2) != 0)
		return false;
	for (i = 2; i < n; i++)
		if (!((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9') ||
		    key[i] == '_' || key[i] == '-'))
			return false;
	return true;
}

/* enc_ext - extension fields in their order. */
static enum history_status
enc_ext(const struct history_record *h, struct wr *w)
{
	const char *v;
	size_t i;

	if (h->next > HISTORY_MAX_EXT)
		return HISTORY_TOO_MANY;
	for (i = 0; i < h->next; i++) {
		v = h->ext[i].value != NULL ? h->ext[i].value : "";
		if (!ext_key_ok(h->ext[i].key) || strlen(v) > HISTORY_EXT_VALUE_MAX)
			return HISTORY_BAD_VALUE;
		history_wr_field(w, h->ext[i].key, v);
	}
	return HISTORY_OK;
}

/* line_minor - the lowest minor version whose keys can carry h. */
static unsigned
line_minor(const struct history_record *h)
{
	return h->arc != HISTORY_ARC_ABSENT ? 1u : 0u;
}

enum history_status
history_encode(const struct history_record *h, struct str *out)
{
	enum history_status st = HISTORY_OK;
	struct wr w = { out, STR_OK };
	size_t i;

	str_reset(out);
	if (w.st == STR_OK)
		w.st = str_printf(out, "%s%d.%u", version_marker, HISTORY_VERSION_MAJOR,
		    line_minor(h));
	for (i = 0; i < history_nfields && st == HISTORY_OK; i++)
		if (h->policy_found || !(history_fields[i].flags & F_POL))
			st = history_fields[i].enc(h, &w);
	if (st == HISTORY_OK)
		st = enc_ext(h, &w);
	history_wr_raw(&w, "\n", 1);
	if (st == HISTORY_OK && w.st != STR_OK)
		st = w.st == STR_ENOMEM ? HISTORY_NOMEM : HISTORY_TOO_LONG;
	if (st == HISTORY_OK && out->len > HISTORY_LINE_MAX)
		st = HISTORY_TOO_LONG;
	if (st != HISTORY_OK)
		str_reset(out);
	return st;
}

const char *
history_status_name(enum history_status st)
{
	static const char *const names[] = {
		"ok", "nomem", "too_long", "truncated", "bad_version", "bad_char", "bad_syntax",
		"missing_field", "duplicate_key", "bad_number", "bad_ip", "bad_domain",
		"bad_word", "too_many", "bad_value"
	};

	return (unsigned)st < NELEM(names) ? names[st] : "unknown";
}
