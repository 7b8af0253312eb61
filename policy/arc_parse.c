/*
 * arc_parse.c - ARC header field and DKIM key record parsing; see
 * arc_parse.h.  Called by milter/arc_verify.c, the unit tests and the fuzz
 * targets.  Thread-safe: no state outside the caller's structs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "arc_parse.h"
#include "str.h"

/* One tag-spec: name, trimmed value, and where the value's raw text ends. */
struct tag {
	struct arc_span name;
	struct arc_span val;
	size_t vend;		/* offset of the ";" ending the value, or len */
};

struct taglist {
	size_t n;
	struct tag t[ARC_PARSE_MAX_TAGS];
};

/* is_ws - folding whitespace: SP, HTAB, CR, LF. */
static bool
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* fail - write the reason (printf-style, program literals only), return st. */
static enum arc_parse_status
fail(char *reason, size_t rsize, enum arc_parse_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum arc_parse_status
fail(char *reason, size_t rsize, enum arc_parse_status st, const char *fmt, ...)
{
	va_list ap;

	if (reason != NULL && rsize > 0) {
		va_start(ap, fmt);
		vsnprintf(reason, rsize, fmt, ap);
		va_end(ap);
	}
	return st;
}

/* skip_ws - first offset at or after pos that is not whitespace. */
static size_t
skip_ws(const char *v, size_t len, size_t pos)
{
	while (pos < len && is_ws(v[pos]))
		pos++;
	return pos;
}

/* valchar_ok - RFC 6376 3.2 tag-value: VALCHAR runs separated by FWS. */
static bool
valchar_ok(const char *v, struct arc_span s)
{
	size_t k;
	unsigned char c;

	for (k = s.off; k < s.off + s.len; k++) {
		c = (unsigned char)v[k];
		if (!is_ws((char)c) && (c < 0x21 || c > 0x7e || c == ';'))
			return false;
	}
	return true;
}

/* find_tag - the tag named name (case-sensitive), or NULL. */
static const struct tag *
find_tag(const char *v, const struct taglist *tl, const char *name)
{
	size_t k, n = strlen(name);

	for (k = 0; k < tl->n; k++)
		if (tl->t[k].name.len == n && memcmp(v + tl->t[k].name.off, name, n) == 0)
			return &tl->t[k];
	return NULL;
}

/* read_name - a tag-name at pos: ALPHA *(ALPHA / DIGIT / "_"). */
static bool
read_name(const char *v, size_t len, size_t *pos, struct arc_span *name)
{
	size_t p = *pos;

	if (p >= len || !is_alpha(v[p]))
		return false;
	name->off = p;
	while (p < len && (is_alpha(v[p]) || is_digit(v[p]) || v[p] == '_'))
		p++;
	name->len = p - name->off;
	*pos = p;
	return true;
}

/* read_value - the value from pos to ";" or the end, trimmed. */
static void
read_value(const char *v, size_t len, size_t *pos, struct tag *t)
{
	size_t p = skip_ws(v, len, *pos), e;

	t->val.off = p;
	while (p < len && v[p] != ';')
		p++;
	t->vend = p;
	e = p;
	while (e > t->val.off && is_ws(v[e - 1]))
		e--;
	t->val.len = e - t->val.off;
	*pos = p;
}

/* add_tag - append t unless its name is already there. */
static enum arc_parse_status
add_tag(const char *v, struct taglist *tl, const struct tag *t, char *reason,
    size_t rsize)
{
	size_t k;

	for (k = 0; k < tl->n; k++)
		if (tl->t[k].name.len == t->name.len &&
		    memcmp(v + tl->t[k].name.off, v + t->name.off, t->name.len) == 0)
			return fail(reason, rsize, ARC_PARSE_DUPLICATE, "duplicate tag %.*s=",
			    (int)(t->name.len > 32 ? 32 : t->name.len), v + t->name.off);
	if (tl->n >= ARC_PARSE_MAX_TAGS)
		return fail(reason, rsize, ARC_PARSE_TOOLONG, "more than %d tags",
		    ARC_PARSE_MAX_TAGS);
	tl->t[tl->n++] = *t;
	return ARC_PARSE_OK;
}

/*
 * tokenize - RFC 6376 3.2 tag-list into tl.  strict: tag values must be
 * VALCHAR runs (header fields); key records are checked per tag instead.
 */
static enum arc_parse_status
tokenize(const char *v, size_t len, bool strict, struct taglist *tl, char *reason,
    size_t rsize)
{
	enum arc_parse_status st;
	struct tag t;
	size_t pos = 0;

	tl->n = 0;
	if (len > ARC_PARSE_MAX_VALUE)
		return fail(reason, rsize, ARC_PARSE_TOOLONG, "value over %d bytes",
		    ARC_PARSE_MAX_VALUE);
	for (;;) {
		pos = skip_ws(v, len, pos);
		if (pos >= len && tl->n > 0)
			return ARC_PARSE_OK;	/* after a trailing ";" */
		if (!read_name(v, len, &pos, &t.name))
			return fail(reason, rsize, ARC_PARSE_SYNTAX,
			    pos >= len ? "empty tag-list" : "bad tag name at offset %zu", pos);
		pos = skip_ws(v, len, pos);
		if (pos >= len || v[pos] != '=')
			return fail(reason, rsize, ARC_PARSE_SYNTAX, "tag %.*s without \"=\"",
			    (int)(t.name.len > 32 ? 32 : t.name.len), v + t.name.off);
		pos++;
		read_value(v, len, &pos, &t);
		if (strict && !valchar_ok(v, t.val))
			return fail(reason, rsize, ARC_PARSE_SYNTAX, "bad character in %.*s=",
			    (int)(t.name.len > 32 ? 32 : t.name.len), v + t.name.off);
		if ((st = add_tag(v, tl, &t, reason, rsize)) != ARC_PARSE_OK)
			return st;
		if (pos >= len)
			return ARC_PARSE_OK;
		pos++;		/* the ";" */
	}
}

/* span_eq - does span s of v equal the literal lit exactly? */
static bool
span_eq(const char *v, struct arc_span s, const char *lit)
{
	return s.len == strlen(lit) && memcmp(v + s.off, lit, s.len) == 0;
}

/* parse_instance - i= as a decimal 1..50. */
static enum arc_parse_status
parse_instance(const char *v, struct arc_span s, unsigned *out, char *reason,
    size_t rsize)
{
	unsigned n = 0;
	size_t k;

	*out = 0;
	if (s.len == 0 || s.len > 3)
		return fail(reason, rsize, ARC_PARSE_INSTANCE, "i= is not 1..%d",
		    ARC_PARSE_MAX_INSTANCE);
	for (k = 0; k < s.len; k++) {
		if (!is_digit(v[s.off + k]))
			return fail(reason, rsize, ARC_PARSE_INSTANCE, "i= is not a number");
		n = n * 10 + (unsigned)(v[s.off + k] - '0');
	}
	if (n < 1 || n > ARC_PARSE_MAX_INSTANCE)
		return fail(reason, rsize, ARC_PARSE_INSTANCE, "i=%u is not 1..%d", n,
		    ARC_PARSE_MAX_INSTANCE);
	*out = n;
	return ARC_PARSE_OK;
}

/*
 * b64_decode - base64 with whitespace ignored (RFC 6376 2.4), "=" padding
 * only at the end; into out (cap bytes).  Empty input is an error.
 */
static enum arc_parse_status
b64_decode(const char *v, struct arc_span s, unsigned char *out, size_t cap,
    size_t *outlen, char *reason, size_t rsize)
{
	unsigned long acc = 0;
	size_t k, nchar = 0, npad = 0, o = 0;
	int val;

	for (k = s.off; k < s.off + s.len; k++) {
		if (is_ws(v[k]))
			continue;
		if (v[k] == '=') {
			npad++;
			continue;
		}
		if (npad > 0 || (val = str_b64_value((unsigned char)v[k])) < 0)
			return fail(reason, rsize, ARC_PARSE_BASE64, "not base64");
		acc = (acc << 6) | (unsigned long)val;
		if (++nchar % 4 == 0) {
			if (o + 3 > cap)
				return fail(reason, rsize, ARC_PARSE_TOOLONG, "over %zu bytes", cap);
			out[o++] = (unsigned char)(acc >> 16);
			out[o++] = (unsigned char)(acc >> 8);
			out[o++] = (unsigned char)acc;
			acc = 0;
		}
	}
	if (nchar == 0 || npad > 2 || (nchar + npad) % 4 != 0 ||
	    (npad > 0 && nchar % 4 != 4 - npad))
		return fail(reason, rsize, ARC_PARSE_BASE64, "not base64 (length or padding)");
	if (nchar % 4 != 0) {
		if (o + 2 > cap)
			return fail(reason, rsize, ARC_PARSE_TOOLONG, "over %zu bytes", cap);
		acc <<= 6 * (4 - nchar % 4);
		out[o++] = (unsigned char)(acc >> 16);
		if (nchar % 4 == 3)
			out[o++] = (unsigned char)(acc >> 8);
	}
	*outlen = o;
	return ARC_PARSE_OK;
}

/* name_ok - a domain name or selector: dot-separated labels of 1..63
 * letters, digits, "-" and "_", not starting or ending with "-". */
static bool
name_ok(const char *v, struct arc_span s)
{
	size_t k, lab = 0;
	char c;

	if (s.len == 0 || s.len > 253)
		return false;
	for (k = 0; k < s.len; k++) {
		c = v[s.off + k];
		if (c == '.') {
			if (lab == 0 || v[s.off + k - 1] == '-')
				return false;
			lab = 0;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_')
			return false;
		if (c == '-' && lab == 0)
			return false;
		if (++lab > 63)
			return false;
	}
	return lab > 0 && v[s.off + s.len - 1] != '-';
}

/* copy_name - validate d= or s= and copy it into out (size bytes). */
static enum arc_parse_status
copy_name(const char *v, const struct tag *t, char *out, size_t size, const char *tag,
    char *reason, size_t rsize)
{
	if (t->val.len >= size)
		return fail(reason, rsize, ARC_PARSE_TOOLONG, "%s= too long", tag);
	if (!name_ok(v, t->val))
		return fail(reason, rsize, ARC_PARSE_VALUE, "%s= is not a valid name", tag);
	memcpy(out, v + t->val.off, t->val.len);
	out[t->val.len] = '\0';
	return ARC_PARSE_OK;
}

/* parse_alg - a= (rsa-sha1 refused: RFC 8301 3.1). */
static enum arc_parse_status
parse_alg(const char *v, struct arc_span s, enum arc_alg *out, char *reason,
    size_t rsize)
{
	if (span_eq(v, s, "rsa-sha256"))
		*out = ARC_ALG_RSA_SHA256;
	else if (span_eq(v, s, "ed25519-sha256"))
		*out = ARC_ALG_ED25519_SHA256;
	else if (span_eq(v, s, "rsa-sha1"))
		return fail(reason, rsize, ARC_PARSE_ALGORITHM, "rsa-sha1 not accepted (RFC 8301)");
	else
		return fail(reason, rsize, ARC_PARSE_ALGORITHM, "unknown algorithm a=");
	return ARC_PARSE_OK;
}

/* parse_time - t= (optional): 1 to 12 digits. */
static enum arc_parse_status
parse_time(const char *v, const struct taglist *tl, char *reason, size_t rsize)
{
	const struct tag *t = find_tag(v, tl, "t");
	size_t k;

	if (t == NULL)
		return ARC_PARSE_OK;
	if (t->val.len == 0 || t->val.len > 12)
		return fail(reason, rsize, ARC_PARSE_VALUE, "t= is not a timestamp");
	for (k = 0; k < t->val.len; k++)
		if (!is_digit(v[t->val.off + k]))
			return fail(reason, rsize, ARC_PARSE_VALUE, "t= is not a timestamp");
	return ARC_PARSE_OK;
}

/* require - every tag of the space-separated list names is present. */
static enum arc_parse_status
require(const char *v, const struct taglist *tl, const char *const *names, char *reason,
    size_t rsize)
{
	size_t k;

	for (k = 0; names[k] != NULL; k++)
		if (find_tag(v, tl, names[k]) == NULL)
			return fail(reason, rsize, ARC_PARSE_MISSING, "%s= missing", names[k]);
	return ARC_PARSE_OK;
}

/* sig_common - i=, a=, b=, d=, s=, t= shared by the seal and the AMS. */
static enum arc_parse_status
sig_common(const char *v, size_t len, const struct taglist *tl, struct arc_sig *out,
    char *reason, size_t rsize)
{
	const struct tag *b = find_tag(v, tl, "b");
	enum arc_parse_status st;

	(void)len;
	if ((st = parse_alg(v, find_tag(v, tl, "a")->val, &out->alg, reason, rsize)) ||
	    (st = copy_name(v, find_tag(v, tl, "d"), out->d, sizeof(out->d), "d", reason,
	    rsize)) ||
	    (st = copy_name(v, find_tag(v, tl, "s"), out->s, sizeof(out->s), "s", reason,
	    rsize)) ||
	    (st = parse_time(v, tl, reason, rsize)))
		return st;
	if ((st = b64_decode(v, b->val, out->b, sizeof(out->b), &out->blen, reason, rsize)))
		return st;
	out->bval.off = b->val.off;
	out->bval.len = b->vend - b->val.off;
	/* "b=" directly followed by whitespace: empty from just after "=" */
	while (out->bval.off > 0 && v[out->bval.off - 1] != '=') {
		out->bval.off--;
		out->bval.len++;
	}
	return ARC_PARSE_OK;
}

/* start_sig - tokenize and read i= (kept even if a later tag fails). */
static enum arc_parse_status
start_sig(const char *v, size_t len, struct taglist *tl, struct arc_sig *out,
    char *reason, size_t rsize)
{
	const struct tag *i;
	enum arc_parse_status st;

	memset(out, 0, sizeof(*out));
	if (reason != NULL && rsize > 0)
		reason[0] = '\0';
	if ((st = tokenize(v, len, true, tl, reason, rsize)) != ARC_PARSE_OK)
		return st;
	if ((i = find_tag(v, tl, "i")) == NULL)
		return fail(reason, rsize, ARC_PARSE_MISSING, "i= missing");
	return parse_instance(v, i->val, &out->i, reason, rsize);
}

enum arc_parse_status
arc_seal_parse(const char *v, size_t len, struct arc_sig *out, char *reason, size_t rsize)
{
	static const char *const req[] = { "a", "b", "cv", "d", "s", NULL };
	struct taglist tl;
	const struct tag *cv;
	enum arc_parse_status st;

	if ((st = start_sig(v, len, &tl, out, reason, rsize)) != ARC_PARSE_OK)
		return st;
	if (find_tag(v, &tl, "h") != NULL)
		return fail(reason, rsize, ARC_PARSE_FORBIDDEN,
		    "h= in an ARC-Seal (RFC 8617 4.1.3)");
	if ((st = require(v, &tl, req, reason, rsize)) != ARC_PARSE_OK)
		return st;
	cv = find_tag(v, &tl, "cv");
	if (span_eq(v, cv->val, "none"))
		out->cv = ARC_CV_NONE;
	else if (span_eq(v, cv->val, "pass"))
		out->cv = ARC_CV_PASS;
	else if (span_eq(v, cv->val, "fail"))
		out->cv = ARC_CV_FAIL;
	else
		return fail(reason, rsize, ARC_PARSE_VALUE, "cv= is not none, pass or fail");
	return sig_common(v, len, &tl, out, reason, rsize);
}

/* parse_canon_one - "simple" or "relaxed" at [p, p + n). */
static bool
parse_canon_one(const char *p, size_t n, enum arc_canon *out)
{
	if (n == 6 && memcmp(p, "simple", 6) == 0)
		*out = ARC_CANON_SIMPLE;
	else if (n == 7 && memcmp(p, "relaxed", 7) == 0)
		*out = ARC_CANON_RELAXED;
	else
		return false;
	return true;
}

/* parse_canon - c= header[/body]; absent: simple/simple (RFC 6376 3.5). */
static enum arc_parse_status
parse_canon(const char *v, const struct taglist *tl, struct arc_sig *out, char *reason,
    size_t rsize)
{
	const struct tag *c = find_tag(v, tl, "c");
	const char *p, *slash;

	out->hcanon = out->bcanon = ARC_CANON_SIMPLE;
	if (c == NULL)
		return ARC_PARSE_OK;
	p = v + c->val.off;
	slash = memchr(p, '/', c->val.len);
	if (!parse_canon_one(p, slash ? (size_t)(slash - p) : c->val.len, &out->hcanon) ||
	    (slash != NULL && !parse_canon_one(slash + 1,
	    c->val.len - (size_t)(slash + 1 - p), &out->bcanon)))
		return fail(reason, rsize, ARC_PARSE_VALUE, "c= is not a canonicalization");
	return ARC_PARSE_OK;
}

/* field_name_ok - RFC 5322 ftext: printable, no colon. */
static bool
field_name_ok(const char *p, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if ((unsigned char)p[k] < 0x21 || (unsigned char)p[k] > 0x7e || p[k] == ':')
			return false;
	return n > 0;
}

/* add_h - one trimmed h= name [off, end). */
static enum arc_parse_status
add_h(const char *v, size_t off, size_t end, struct arc_sig *out, char *reason,
    size_t rsize)
{
	while (off < end && is_ws(v[off]))
		off++;
	while (end > off && is_ws(v[end - 1]))
		end--;
	if (!field_name_ok(v + off, end - off))
		return fail(reason, rsize, ARC_PARSE_VALUE, "h= has an empty or bad name");
	if (end - off == 8 && strncasecmp(v + off, "arc-seal", 8) == 0)
		return fail(reason, rsize, ARC_PARSE_FORBIDDEN,
		    "h= lists ARC-Seal (RFC 8617 4.1.2)");
	if (out->nh >= ARC_PARSE_MAX_H)
		return fail(reason, rsize, ARC_PARSE_TOOLONG, "more than %d names in h=",
		    ARC_PARSE_MAX_H);
	out->h[out->nh].off = off;
	out->h[out->nh].len = end - off;
	out->nh++;
	return ARC_PARSE_OK;
}

/* parse_h - the colon-separated h= list; an empty list is allowed. */
static enum arc_parse_status
parse_h(const char *v, const struct tag *h, struct arc_sig *out, char *reason,
    size_t rsize)
{
	size_t p = h->val.off, end = h->val.off + h->val.len, c;
	enum arc_parse_status st;

	out->nh = 0;
	if (h->val.len == 0)
		return ARC_PARSE_OK;
	for (;;) {
		c = p;
		while (c < end && v[c] != ':')
			c++;
		if ((st = add_h(v, p, c, out, reason, rsize)) != ARC_PARSE_OK)
			return st;
		if (c >= end)
			return ARC_PARSE_OK;
		p = c + 1;
	}
}

enum arc_parse_status
arc_ams_parse(const char *v, size_t len, struct arc_sig *out, char *reason, size_t rsize)
{
	static const char *const req[] = { "a", "b", "bh", "d", "h", "s", NULL };
	struct taglist tl;
	enum arc_parse_status st;

	if ((st = start_sig(v, len, &tl, out, reason, rsize)) != ARC_PARSE_OK)
		return st;
	if ((st = require(v, &tl, req, reason, rsize)) ||
	    (st = parse_canon(v, &tl, out, reason, rsize)) ||
	    (st = parse_h(v, find_tag(v, &tl, "h"), out, reason, rsize)) ||
	    (st = b64_decode(v, find_tag(v, &tl, "bh")->val, out->bh, sizeof(out->bh),
	    &out->bhlen, reason, rsize)))
		return st;
	return sig_common(v, len, &tl, out, reason, rsize);
}

/* skip_cfws - whitespace and (nested) comments; false on an open comment. */
static bool
skip_cfws(const char *v, size_t len, size_t *pos)
{
	size_t p = *pos, depth = 0;

	while (p < len) {
		if (depth > 0 && v[p] == '\\' && p + 1 < len)
			p++;
		else if (v[p] == '(') {
			if (++depth > 32)
				return false;
		} else if (v[p] == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !is_ws(v[p]))
			break;
		p++;
	}
	*pos = p;
	return depth == 0;
}

enum arc_parse_status
arc_aar_parse(const char *v, size_t len, struct arc_aar *out, char *reason, size_t rsize)
{
	struct arc_span num;
	size_t p = 0, e;

	memset(out, 0, sizeof(*out));
	if (len > ARC_PARSE_MAX_VALUE)
		return fail(reason, rsize, ARC_PARSE_TOOLONG, "value over %d bytes",
		    ARC_PARSE_MAX_VALUE);
	if (!skip_cfws(v, len, &p) || p >= len || v[p] != 'i')
		return fail(reason, rsize, ARC_PARSE_MISSING, "does not start with i=");
	p++;
	if (!skip_cfws(v, len, &p) || p >= len || v[p] != '=')
		return fail(reason, rsize, ARC_PARSE_MISSING, "does not start with i=");
	p++;
	if (!skip_cfws(v, len, &p))
		return fail(reason, rsize, ARC_PARSE_SYNTAX, "unterminated comment");
	num.off = p;
	while (p < len && is_digit(v[p]))
		p++;
	num.len = p - num.off;
	if (parse_instance(v, num, &out->i, reason, rsize) != ARC_PARSE_OK)
		return ARC_PARSE_INSTANCE;
	if (!skip_cfws(v, len, &p) || p >= len || v[p] != ';')
		return fail(reason, rsize, ARC_PARSE_SYNTAX, "no \";\" after i=%u", out->i);
	p = skip_ws(v, len, p + 1);
	e = len;
	while (e > p && is_ws(v[e - 1]))
		e--;
	if (e == p)
		return fail(reason, rsize, ARC_PARSE_MISSING, "no authserv-id after i=%u", out->i);
	out->rest.off = p;
	out->rest.len = e - p;
	return ARC_PARSE_OK;
}

/* list_has - does the colon-separated list s contain word (case-insensitive)? */
static bool
list_has(const char *v, struct arc_span s, const char *word)
{
	size_t p = s.off, end = s.off + s.len, a, b, n = strlen(word);

	while (p <= end) {
		a = p;
		while (p < end && v[p] != ':')
			p++;
		b = p;
		while (a < b && is_ws(v[a]))
			a++;
		while (b > a && is_ws(v[b - 1]))
			b--;
		if (b - a == n && strncasecmp(v + a, word, n) == 0)
			return true;
		p++;
	}
	return false;
}

/* key_tags - v=, k=, h=, s= of a key record. */
static enum arc_parse_status
key_tags(const char *v, const struct taglist *tl, struct arc_key *out, char *reason,
    size_t rsize)
{
	const struct tag *t;

	if ((t = find_tag(v, tl, "v")) != NULL &&
	    (t != &tl->t[0] || !span_eq(v, t->val, "DKIM1")))
		return fail(reason, rsize, ARC_PARSE_VALUE, "key v= is not DKIM1 first");
	out->alg = ARC_ALG_RSA_SHA256;
	if ((t = find_tag(v, tl, "k")) != NULL) {
		if (t->val.len == 7 && strncasecmp(v + t->val.off, "ed25519", 7) == 0)
			out->alg = ARC_ALG_ED25519_SHA256;
		else if (!(t->val.len == 3 && strncasecmp(v + t->val.off, "rsa", 3) == 0))
			return fail(reason, rsize, ARC_PARSE_ALGORITHM, "unknown key type k=");
	}
	if ((t = find_tag(v, tl, "h")) != NULL && !list_has(v, t->val, "sha256"))
		return fail(reason, rsize, ARC_PARSE_ALGORITHM, "key h= excludes sha256");
	if ((t = find_tag(v, tl, "s")) != NULL && !list_has(v, t->val, "*") &&
	    !list_has(v, t->val, "email"))
		return fail(reason, rsize, ARC_PARSE_VALUE, "key s= excludes email");
	return ARC_PARSE_OK;
}

enum arc_parse_status
arc_key_parse(const char *v, size_t len, struct arc_key *out, char *reason, size_t rsize)
{
	struct taglist tl;
	const struct tag *p;
	enum arc_parse_status st;

	memset(out, 0, sizeof(*out));
	if ((st = tokenize(v, len, false, &tl, reason, rsize)) != ARC_PARSE_OK ||
	    (st = key_tags(v, &tl, out, reason, rsize)) != ARC_PARSE_OK)
		return st;
	if ((p = find_tag(v, &tl, "p")) == NULL)
		return fail(reason, rsize, ARC_PARSE_MISSING, "key p= missing");
	if (p->val.len == 0)
		return ARC_PARSE_OK;	/* revoked */
	return b64_decode(v, p->val, out->p, sizeof(out->p), &out->plen, reason, rsize);
}

const char *
arc_parse_strerror(enum arc_parse_status st)
{
	switch (st) {
	case ARC_PARSE_OK:		return "ok";
	case ARC_PARSE_SYNTAX:		return "syntax error";
	case ARC_PARSE_MISSING:		return "required tag missing";
	case ARC_PARSE_DUPLICATE:	return "duplicate tag";
	case ARC_PARSE_INSTANCE:	return "bad instance";
	case ARC_PARSE_ALGORITHM:	return "bad algorithm";
	case ARC_PARSE_VALUE:		return "bad tag value";
	case ARC_PARSE_BASE64:		return "bad base64";
	case ARC_PARSE_FORBIDDEN:	return "forbidden tag";
	case ARC_PARSE_TOOLONG:		return "too long";
	}
	return "unknown";
}

const char *
arc_alg_name(enum arc_alg a)
{
	switch (a) {
	case ARC_ALG_RSA_SHA256:	return "rsa-sha256";
	case ARC_ALG_ED25519_SHA256:	return "ed25519-sha256";
	case ARC_ALG_NONE:		break;
	}
	return "";
}

const char *
arc_cv_name(enum arc_cv cv)
{
	switch (cv) {
	case ARC_CV_NONE:	return "none";
	case ARC_CV_PASS:	return "pass";
	case ARC_CV_FAIL:	return "fail";
	case ARC_CV_UNKNOWN:	break;
	}
	return "";
}
