/*
 * authres.c - Authentication-Results (RFC 8601) parser, authserv-id
 * extractor and writer (see authres.h).
 *
 * Called by the milter (forged-header check, writing its own header), the
 * command-line checker and the tests.  No global mutable state: thread-safe
 * on distinct objects.
 *
 * Grammar implemented (RFC 8601 section 2.2, RFC 2045 token, RFC 5322
 * quoted-string / comment / dot-atom, RFC 6376 domain-name):
 *   payload   = [CFWS] authserv-id [CFWS version] (no-result / 1*resinfo) [CFWS]
 *   no-result = [CFWS] ";" [CFWS] "none"
 *   resinfo   = [CFWS] ";" methodspec [CFWS reasonspec] [CFWS 1*propspec]
 *   method    = Keyword [[CFWS] "/" [CFWS] 1*DIGIT [CFWS]]
 *   propspec  = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 *   pvalue    = [CFWS] (value / [[local-part] "@"] domain-name) [CFWS]
 * The text is unfolded first; the parser then works on one logical line.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"

/* ---------------------------------------------------------------- *
 * Character classes and validators shared by parser and writer.
 * ---------------------------------------------------------------- */

/* is_wsp - SP or HTAB. */
static bool
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* is_tspecial - RFC 2045 tspecials. */
static bool
is_tspecial(int c)
{
	return c != '\0' && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* is_token_char - RFC 2045 token character (UTF-8 bytes allowed, RFC 6532). */
static bool
is_token_char(unsigned char c)
{
	if (c >= 0x80)
		return true;
	return c > 0x20 && c < 0x7f && !is_tspecial(c);
}

/* is_atext - RFC 5322 atext (UTF-8 bytes allowed, RFC 6532). */
static bool
is_atext(unsigned char c)
{
	if (c >= 0x80 || isalnum(c))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* is_ldh - letter, digit or hyphen. */
static bool
is_ldh(unsigned char c)
{
	return (c < 0x80 && isalnum(c)) || c == '-';
}

/* is_ctl - a control character other than HTAB (ctext/qtext exclude them). */
static bool
is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* valid_token - is s[0..n) a non-empty RFC 2045 token? */
static bool
valid_token(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_token_char((unsigned char)s[i]))
			return false;
	return n > 0;
}

/* valid_dot_atom - is s[0..n) an RFC 5322 dot-atom-text? */
static bool
valid_dot_atom(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !is_atext((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* valid_domain_name - RFC 6376 domain-name: two or more LDH labels (UTF-8 allowed). */
static bool
valid_domain_name(const char *s, size_t n)
{
	size_t i, label = 0, labels = 0;
	unsigned char c;

	for (i = 0; i <= n; i++) {
		c = i < n ? (unsigned char)s[i] : '.';
		if (c == '.') {
			if (label == 0 || s[i - 1] == '-' || s[i - label] == '-')
				return false;
			labels++;
			label = 0;
		} else if (is_ldh(c) || c >= 0x80) {
			label++;
		} else {
			return false;
		}
	}
	return labels >= 2;
}

/* valid_addr_form - [local-part] "@" domain-name with a dot-atom local-part. */
static bool
valid_addr_form(const char *s, size_t n)
{
	const char *at = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '@')
			at = s + i;
	if (at == NULL)
		return false;
	if (at > s && !valid_dot_atom(s, (size_t)(at - s)))
		return false;
	return valid_domain_name(at + 1, n - (size_t)(at - s) - 1);
}

/* pvalue_bare_ok - may s[0..n) be written as an unquoted pvalue? */
static bool
pvalue_bare_ok(const char *s, size_t n)
{
	return valid_token(s, n) || valid_addr_form(s, n);
}

/* dup_span - malloc'd copy of n bytes, lower-cased when lower is set. */
static char *
dup_span(const char *s, size_t n, bool lower)
{
	char *d = malloc(n + 1);
	size_t i;

	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		d[i] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
	d[n] = '\0';
	return d;
}

/* map_str - a str status as an authres status. */
static enum authres_status
map_str(enum str_status st)
{
	if (st == STR_OK)
		return AUTHRES_OK;
	return st == STR_ENOMEM ? AUTHRES_NOMEM : AUTHRES_LIMIT;
}

const char *
authres_strerror(enum authres_status st)
{
	switch (st) {
	case AUTHRES_OK:
		return "ok";
	case AUTHRES_SYNTAX:
		return "syntax error";
	case AUTHRES_LIMIT:
		return "too many results or properties, or too long";
	case AUTHRES_NOMEM:
		return "out of memory";
	case AUTHRES_UNREGISTERED:
		return "not a registered name";
	}
	return "unknown status";
}

/* ---------------------------------------------------------------- *
 * Field name and unfolding.
 * ---------------------------------------------------------------- */

/* skip_field_name - length of a leading "Authentication-Results:" (any case), else 0. */
static size_t
skip_field_name(const char *v, size_t len)
{
	static const char name[] = "Authentication-Results";
	size_t n = sizeof(name) - 1, i;

	if (len < n || strncasecmp(v, name, n) != 0)
		return 0;
	for (i = n; i < len && is_wsp(v[i]); i++)
		continue;
	return i < len && v[i] == ':' ? i + 1 : 0;
}

/* unfold_into - copy v to buf without folding line breaks (other breaks become
 * spaces); -1 on a NUL byte in strict mode. */
static int
unfold_into(const char *v, size_t len, bool lenient, char *buf, size_t *outlen)
{
	size_t i, j, n = 0;

	for (i = 0; i < len; i++) {
		char c = v[i];

		if (c == '\r' || c == '\n') {
			j = (c == '\r' && i + 1 < len && v[i + 1] == '\n') ? i + 1 : i;
			if (j + 1 == len || (j + 1 < len && is_wsp(v[j + 1]))) {
				i = j;	/* a fold, or the final line break */
				continue;
			}
			/* the caller already delimited the field, so a break
			 * without WSP cannot start a new one: whitespace */
			buf[n++] = ' ';
			i = j;
			continue;
		}
		if (c == '\0') {
			if (!lenient)
				return -1;
			c = ' ';
		}
		buf[n++] = c;
	}
	buf[n] = '\0';
	*outlen = n;
	return 0;
}

/* ---------------------------------------------------------------- *
 * The parser.
 * ---------------------------------------------------------------- */

struct parser {
	const char *s;		/* unfolded text */
	size_t len, pos;
	bool lenient;
	struct str comment;	/* comments of the current resinfo */
	bool collect;		/* append comments to comment */
	enum authres_status st;
	char *reason;
	size_t reasonsize;
};

/* fail - record the first error (status and reason); returns false. */
__attribute__((format(printf, 3, 4)))
static bool
fail(struct parser *p, enum authres_status st, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->st != AUTHRES_OK)
		return false;
	p->st = st;
	if (p->reason == NULL || p->reasonsize == 0)
		return false;
	va_start(ap, fmt);
	n = vsnprintf(p->reason, p->reasonsize, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < p->reasonsize)
		snprintf(p->reason + n, p->reasonsize - (size_t)n, " at offset %zu", p->pos);
	return false;
}

/* peek - the byte at the cursor, or -1 at the end. */
static int
peek(const struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

/* keep_comment - add the text of a top-level comment to p->comment. */
static bool
keep_comment(struct parser *p, size_t start, size_t end)
{
	enum str_status st = STR_OK;

	if (!p->collect)
		return true;
	if (p->comment.len > 0)
		st = str_appendc(&p->comment, ' ');
	if (st == STR_OK)
		st = str_append(&p->comment, p->s + start, end - start);
	if (st != STR_OK)
		return fail(p, map_str(st), "comment");
	return true;
}

/* skip_comment - skip one (possibly nested) comment at the cursor. */
static bool
skip_comment(struct parser *p)
{
	size_t depth = 0, start = p->pos;
	unsigned char c;

	do {
		c = (unsigned char)p->s[p->pos];
		if (c == '\\') {
			if (p->pos + 1 >= p->len)
				return fail(p, AUTHRES_SYNTAX, "quoted-pair at the end");
			p->pos += 2;
			continue;
		}
		if (c == '(')
			depth++;
		else if (c == ')')
			depth--;
		else if (is_ctl(c) && !p->lenient)
			return fail(p, AUTHRES_SYNTAX, "control character in a comment");
		p->pos++;
	} while (depth > 0 && p->pos < p->len);
	if (depth > 0)
		return fail(p, AUTHRES_SYNTAX, "unterminated comment");
	return keep_comment(p, start + 1, p->pos - 1);
}

/* skip_cfws - skip whitespace and comments; *consumed tells whether any was there. */
static bool
skip_cfws(struct parser *p, bool *consumed)
{
	size_t start = p->pos;

	while (p->pos < p->len) {
		if (is_wsp(p->s[p->pos]))
			p->pos++;
		else if (p->s[p->pos] == '(') {
			if (!skip_comment(p))
				return false;
		} else
			break;
	}
	if (consumed != NULL)
		*consumed = p->pos > start;
	return true;
}

/* parse_keyword - an ldh-str Keyword, stored lower-cased in *out. */
static bool
parse_keyword(struct parser *p, const char *what, char **out)
{
	size_t start = p->pos;

	while (p->pos < p->len && (is_ldh((unsigned char)p->s[p->pos]) ||
	    (p->lenient && p->s[p->pos] == '_')))
		p->pos++;
	if (p->pos == start)
		return fail(p, AUTHRES_SYNTAX, "expected %s", what);
	if (p->s[p->pos - 1] == '-' && !p->lenient)
		return fail(p, AUTHRES_SYNTAX, "%s ends with '-'", what);
	if ((*out = dup_span(p->s + start, p->pos - start, true)) == NULL)
		return fail(p, AUTHRES_NOMEM, "out of memory");
	return true;
}

/* parse_digits - 1*DIGIT into *out. */
static bool
parse_digits(struct parser *p, const char *what, char **out)
{
	size_t start = p->pos;

	while (p->pos < p->len && isdigit((unsigned char)p->s[p->pos]))
		p->pos++;
	if (p->pos == start)
		return fail(p, AUTHRES_SYNTAX, "expected %s", what);
	if ((*out = dup_span(p->s + start, p->pos - start, false)) == NULL)
		return fail(p, AUTHRES_NOMEM, "out of memory");
	return true;
}

/* parse_quoted - a quoted-string at the cursor; the content, unescaped, in *out. */
static bool
parse_quoted(struct parser *p, char **out)
{
	struct str v = STR_INITIALIZER(p->len);
	enum str_status st = STR_OK;
	unsigned char c;

	for (p->pos++; p->pos < p->len && st == STR_OK; p->pos++) {
		c = (unsigned char)p->s[p->pos];
		if (c == '"')
			break;
		if (c == '\\') {
			if (++p->pos >= p->len)
				break;
			c = (unsigned char)p->s[p->pos];
		} else if (is_ctl(c) && !p->lenient) {
			str_free(&v);
			return fail(p, AUTHRES_SYNTAX, "control character in a quoted-string");
		}
		st = str_appendc(&v, (char)c);
	}
	if (st != STR_OK || p->pos >= p->len) {
		str_free(&v);
		return st != STR_OK ? fail(p, map_str(st), "quoted-string") :
		    fail(p, AUTHRES_SYNTAX, "unterminated quoted-string");
	}
	p->pos++;	/* the closing quote */
	*out = v.s != NULL ? str_steal(&v) : dup_span("", 0, false);
	return *out != NULL || fail(p, AUTHRES_NOMEM, "out of memory");
}

/* parse_value - RFC 2045 value: token or quoted-string. */
static bool
parse_value(struct parser *p, const char *what, char **out)
{
	size_t start = p->pos;

	if (peek(p) == '"')
		return parse_quoted(p, out);
	while (p->pos < p->len && is_token_char((unsigned char)p->s[p->pos]))
		p->pos++;
	if (p->pos == start)
		return fail(p, AUTHRES_SYNTAX, "expected %s", what);
	if ((*out = dup_span(p->s + start, p->pos - start, false)) == NULL)
		return fail(p, AUTHRES_NOMEM, "out of memory");
	return true;
}

/* is_pvalue_run_char - may c be part of an unquoted pvalue (strict scanning)? */
static bool
is_pvalue_run_char(const struct parser *p, unsigned char c)
{
	if (p->lenient)
		return !is_wsp(c) && !is_ctl(c) && c != ';' && c != '(' && c != ')' && c != '"';
	return c >= 0x80 || (c > 0x20 && c < 0x7f && strchr("()<>,;:\\\"[]", c) == NULL);
}

/* parse_quoted_local - the rest of "quoted local-part"@domain-name after the quotes. */
static bool
parse_quoted_local(struct parser *p, char **out)
{
	size_t start = ++p->pos, n = strlen(*out);
	char *addr;

	while (p->pos < p->len && is_pvalue_run_char(p, (unsigned char)p->s[p->pos]))
		p->pos++;
	if (!valid_domain_name(p->s + start, p->pos - start) && !p->lenient)
		return fail(p, AUTHRES_SYNTAX, "bad domain-name after a quoted local-part");
	if ((addr = malloc(n + 2 + p->pos - start)) == NULL)
		return fail(p, AUTHRES_NOMEM, "out of memory");
	memcpy(addr, *out, n);
	addr[n] = '@';
	memcpy(addr + n + 1, p->s + start, p->pos - start);
	addr[n + 1 + p->pos - start] = '\0';
	free(*out);
	*out = addr;
	return true;
}

/* parse_pvalue - [CFWS] (value / [[local-part] "@"] domain-name) [CFWS]. */
static bool
parse_pvalue(struct parser *p, char **out)
{
	size_t start;

	if (!skip_cfws(p, NULL))
		return false;
	if (peek(p) == '"') {
		if (!parse_quoted(p, out))
			return false;
		if (peek(p) == '@' && !parse_quoted_local(p, out))
			return false;
		return skip_cfws(p, NULL);
	}
	start = p->pos;
	while (p->pos < p->len && is_pvalue_run_char(p, (unsigned char)p->s[p->pos]))
		p->pos++;
	if (!p->lenient && !pvalue_bare_ok(p->s + start, p->pos - start)) {
		p->pos = start;
		return fail(p, AUTHRES_SYNTAX, "property value is not a token, "
		    "quoted-string or [local-part]@domain-name");
	}
	if ((*out = dup_span(p->s + start, p->pos - start, false)) == NULL)
		return fail(p, AUTHRES_NOMEM, "out of memory");
	return skip_cfws(p, NULL);
}

/* expect_char - consume c (after nothing else) or fail. */
static bool
expect_char(struct parser *p, int c, const char *what)
{
	if (peek(p) != c)
		return fail(p, AUTHRES_SYNTAX, "expected %s", what);
	p->pos++;
	return true;
}

/* parse_methodspec - method [/version] = result. */
static bool
parse_methodspec(struct parser *p, struct authres_result *r)
{
	if (!parse_keyword(p, "a method name", &r->method) || !skip_cfws(p, NULL))
		return false;
	if (peek(p) == '/') {
		p->pos++;
		if (!skip_cfws(p, NULL) ||
		    !parse_digits(p, "a method version", &r->method_version) ||
		    !skip_cfws(p, NULL))
			return false;
	}
	if (!expect_char(p, '=', "'=' after the method") || !skip_cfws(p, NULL))
		return false;
	return parse_keyword(p, "a result", &r->result);
}

/* parse_prop - the rest of a propspec whose first keyword (ptype or name) is in name. */
static bool
parse_prop(struct parser *p, struct authres_result *r, char *name)
{
	struct authres_prop *pr;

	if (r->nprops >= AUTHRES_MAX_PROPS) {
		free(name);
		return fail(p, AUTHRES_LIMIT, "more than %d properties", AUTHRES_MAX_PROPS);
	}
	pr = &r->props[r->nprops++];
	if (peek(p) == '=' && p->lenient) {	/* "name=value" without ptype */
		pr->property = name;
	} else {
		pr->ptype = name;
		if (!expect_char(p, '.', "'.' after a ptype") || !skip_cfws(p, NULL) ||
		    !parse_keyword(p, "a property name", &pr->property) ||
		    !skip_cfws(p, NULL))
			return false;
	}
	if (!expect_char(p, '=', "'=' after a property"))
		return false;
	return parse_pvalue(p, &pr->value);
}

/* parse_resinfo - methodspec [reasonspec] [propspecs], up to ';' or the end. */
static bool
parse_resinfo(struct parser *p, struct authres_result *r)
{
	char *name;

	str_reset(&p->comment);
	p->collect = true;
	if (!parse_methodspec(p, r))
		return false;
	for (;;) {
		if (!skip_cfws(p, NULL))
			return false;
		if (peek(p) == -1 || peek(p) == ';')
			break;
		name = NULL;
		if (!parse_keyword(p, "a property or ';'", &name) || !skip_cfws(p, NULL)) {
			free(name);
			return false;
		}
		if (peek(p) == '=' && strcmp(name, "reason") == 0 &&
		    r->reason == NULL && r->nprops == 0) {
			free(name);
			p->pos++;
			if (!skip_cfws(p, NULL) || !parse_value(p, "a reason", &r->reason))
				return false;
		} else if (!parse_prop(p, r, name))
			return false;
	}
	p->collect = false;
	if (p->comment.len > 0 &&
	    (r->comment = dup_span(p->comment.s, p->comment.len, false)) == NULL)
		return fail(p, AUTHRES_NOMEM, "out of memory");
	return true;
}

/* free_result - release one resinfo and zero it. */
static void
free_result(struct authres_result *r)
{
	size_t i;

	for (i = 0; i < r->nprops; i++) {
		free(r->props[i].ptype);
		free(r->props[i].property);
		free(r->props[i].value);
	}
	free(r->method);
	free(r->method_version);
	free(r->result);
	free(r->reason);
	free(r->comment);
	memset(r, 0, sizeof(*r));
}

/* new_result - room for one more resinfo, zeroed, or NULL (status set). */
static struct authres_result *
new_result(struct parser *p, struct authres_header *h)
{
	struct authres_result *nr;
	size_t n = h->nresults;

	if (n >= AUTHRES_MAX_RESULTS) {
		fail(p, AUTHRES_LIMIT, "more than %d results", AUTHRES_MAX_RESULTS);
		return NULL;
	}
	/* capacities 4, 8, 16, 32, 64: grow when n reaches one of them */
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		if ((nr = realloc(h->results, (n == 0 ? 4 : 2 * n) * sizeof(*nr))) == NULL) {
			fail(p, AUTHRES_NOMEM, "out of memory");
			return NULL;
		}
		h->results = nr;
	}
	memset(&h->results[n], 0, sizeof(*nr));
	h->nresults = n + 1;
	return &h->results[n];
}

/* skip_to_semicolon - lenient recovery: advance to the next ';' outside quotes and comments. */
static void
skip_to_semicolon(struct parser *p)
{
	size_t depth = 0;
	bool quoted = false;
	char c;

	for (; p->pos < p->len; p->pos++) {
		c = p->s[p->pos];
		if (c == '\\' && (quoted || depth > 0))
			p->pos++;
		else if (quoted)
			quoted = c != '"';
		else if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (depth == 0 && c == '"')
			quoted = true;
		else if (depth == 0 && c == ';')
			return;
	}
	p->pos = p->len;
}

/* at_no_result - is the cursor at "none" [CFWS] end?  Consumes it if so. */
static bool
at_no_result(struct parser *p)
{
	size_t save = p->pos;

	if (p->len - p->pos < 4 || strncasecmp(p->s + p->pos, "none", 4) != 0)
		return false;
	p->pos += 4;
	if (p->pos < p->len && is_ldh((unsigned char)p->s[p->pos])) {
		p->pos = save;
		return false;
	}
	if (skip_cfws(p, NULL) && p->pos == p->len)
		return true;
	p->st = AUTHRES_OK;	/* a bad comment after "none" is reported by the resinfo parse */
	if (p->reason != NULL && p->reasonsize > 0)
		p->reason[0] = '\0';
	p->pos = save;
	return false;
}

/* recover - lenient mode: forget a syntax error and skip to the next ';'. */
static bool
recover(struct parser *p, struct authres_header *h)
{
	if (!p->lenient || p->st != AUTHRES_SYNTAX)
		return false;
	p->st = AUTHRES_OK;
	if (p->reason != NULL && p->reasonsize > 0)
		p->reason[0] = '\0';
	p->collect = false;
	h->nskipped++;
	skip_to_semicolon(p);
	return true;
}

/* parse_one - one resinfo after its ';' (lenient: skipped when unparsable). */
static bool
parse_one(struct parser *p, struct authres_header *h)
{
	struct authres_result *r;

	if ((r = new_result(p, h)) == NULL)
		return false;
	if (parse_resinfo(p, r) && skip_cfws(p, NULL)) {
		if (peek(p) == -1 || peek(p) == ';')
			return true;
		fail(p, AUTHRES_SYNTAX, "expected ';' or the end");
	}
	if (!p->lenient || p->st != AUTHRES_SYNTAX)
		return false;
	free_result(r);
	h->nresults--;
	return recover(p, h);
}

/* parse_results - ( no-result / 1*resinfo ): the cursor is at the first ';'. */
static bool
parse_results(struct parser *p, struct authres_header *h)
{
	bool first = true;

	while (p->pos < p->len) {
		p->pos++;	/* the ';' */
		if (!skip_cfws(p, NULL) && !recover(p, h))
			return false;
		if (p->lenient && (peek(p) == -1 || peek(p) == ';')) {
			if (peek(p) == -1)
				break;
			continue;	/* empty resinfo */
		}
		if ((first || p->lenient) && at_no_result(p))
			return true;
		first = false;
		if (!parse_one(p, h))
			return false;
	}
	return true;
}

/* parse_payload - authserv-id [version] and the results. */
static bool
parse_payload(struct parser *p, struct authres_header *h)
{
	bool ws;

	if (!skip_cfws(p, NULL) || !parse_value(p, "an authserv-id", &h->authserv_id))
		return false;
	if (h->authserv_id[0] == '\0')		/* "": names no server (RFC 8601 2.5) */
		return fail(p, AUTHRES_SYNTAX, "empty authserv-id");
	if (!skip_cfws(p, &ws))
		return false;
	if (ws && peek(p) >= '0' && peek(p) <= '9') {
		if (!parse_digits(p, "a version", &h->version) || !skip_cfws(p, NULL))
			return false;
	}
	if (peek(p) != ';') {
		if (!p->lenient)
			return fail(p, AUTHRES_SYNTAX, peek(p) == -1 ?
			    "expected ';' and \"none\" or results after the authserv-id" :
			    "expected ';' after the authserv-id");
		if (peek(p) != -1)
			h->nskipped++;
		skip_to_semicolon(p);
	}
	return parse_results(p, h);
}

/* parser_run - set up the parser over the unfolded text and parse. */
static enum authres_status
parser_run(const char *text, size_t len, bool lenient, struct authres_header *out,
    char *reason, size_t reasonsize)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.s = text;
	p.len = len;
	p.lenient = lenient;
	p.reason = reason;
	p.reasonsize = reasonsize;
	str_init(&p.comment, len + 16);
	if (!parse_payload(&p, out) && p.st == AUTHRES_OK)
		p.st = AUTHRES_SYNTAX;	/* not reached: every failure sets a status */
	str_free(&p.comment);
	return p.st;
}

enum authres_status
authres_parse_flags(const char *value, size_t len, unsigned flags,
    struct authres_header *out, char *reason, size_t reasonsize)
{
	bool lenient = (flags & AUTHRES_LENIENT) != 0;
	enum authres_status st;
	size_t skip, n;
	char *buf;

	memset(out, 0, sizeof(*out));
	if (reason != NULL && reasonsize > 0)
		reason[0] = '\0';
	skip = skip_field_name(value, len);
	if ((buf = malloc(len - skip + 1)) == NULL) {
		if (reason != NULL && reasonsize > 0)
			snprintf(reason, reasonsize, "out of memory");
		return AUTHRES_NOMEM;
	}
	if (unfold_into(value + skip, len - skip, lenient, buf, &n) != 0) {
		free(buf);
		if (reason != NULL && reasonsize > 0)
			snprintf(reason, reasonsize, "NUL byte in the header");
		return AUTHRES_SYNTAX;
	}
	st = parser_run(buf, n, lenient, out, reason, reasonsize);
	free(buf);
	return st;
}

enum authres_status
authres_parse(const char *value, size_t len, struct authres_header *out,
    char *reason, size_t reasonsize)
{
	return authres_parse_flags(value, len, 0, out, reason, reasonsize);
}

void
authres_header_free(struct authres_header *h)
{
	size_t i;

	for (i = 0; i < h->nresults; i++)
		free_result(&h->results[i]);
	free(h->results);
	free(h->authserv_id);
	free(h->version);
	memset(h, 0, sizeof(*h));
}

/* ---------------------------------------------------------------- *
 * Lenient authserv-id extraction (no unfolding, no allocation).
 * ---------------------------------------------------------------- */

/* lax_space - whitespace for the lenient scan: SP, HTAB, CR, LF. */
static bool
lax_space(int c)
{
	return is_wsp(c) || c == '\r' || c == '\n';
}

/* lax_skip_cfws - skip whitespace, line breaks and nested comments; false if one never ends. */
static bool
lax_skip_cfws(const char *s, size_t len, size_t *pos)
{
	size_t depth = 0, i = *pos;

	for (; i < len; i++) {
		if (depth > 0 && s[i] == '\\')
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && depth > 0)
			depth--;
		else if (depth == 0 && !lax_space(s[i]))
			break;
	}
	*pos = i;
	return depth == 0;
}

/* lax_id_span - locate the authserv-id: [start, end) and whether it was quoted. */
static bool
lax_id_span(const char *value, size_t len, size_t *start, size_t *end, bool *quoted)
{
	size_t i = skip_field_name(value, len);

	if (!lax_skip_cfws(value, len, &i) || i >= len)
		return false;
	*quoted = value[i] == '"';
	if (*quoted) {
		*start = ++i;
		for (; i < len && value[i] != '"'; i++)
			if (value[i] == '\\')
				i++;
		if (i >= len)
			return false;
		*end = i;
		return true;
	}
	*start = i;
	while (i < len && is_token_char((unsigned char)value[i]))
		i++;
	*end = i;
	return i > *start;
}

/* id cursor - walks an id span yielding unescaped bytes. */
struct idcur {
	const char *s;
	size_t pos, end;
	bool quoted;
};

/* idcur_next - next byte of the id, or -1 at its end. */
static int
idcur_next(struct idcur *c)
{
	unsigned char ch;

	while (c->pos < c->end) {
		ch = (unsigned char)c->s[c->pos++];
		if (c->quoted && (ch == '\r' || ch == '\n'))
			continue;
		if (c->quoted && ch == '\\' && c->pos < c->end)
			return (unsigned char)c->s[c->pos++];
		return ch;
	}
	return -1;
}

/* idcur_open - cursor over the id of a header value, quoted ids trimmed of whitespace. */
static bool
idcur_open(struct idcur *c, const char *value, size_t len)
{
	if (!lax_id_span(value, len, &c->pos, &c->end, &c->quoted))
		return false;
	c->s = value;
	if (c->quoted) {
		while (c->pos < c->end && lax_space(value[c->pos]))
			c->pos++;
		while (c->end > c->pos && lax_space(value[c->end - 1]) &&
		    (c->end - 1 == c->pos || value[c->end - 2] != '\\'))
			c->end--;
	}
	return c->pos < c->end;
}

enum authres_status
authres_authserv_id(const char *value, size_t len, struct str *id)
{
	struct idcur c;
	enum str_status st = STR_OK;
	int ch;

	str_reset(id);
	if (!idcur_open(&c, value, len))
		return AUTHRES_SYNTAX;
	while (st == STR_OK && (ch = idcur_next(&c)) != -1)
		st = str_appendc(id, (char)ch);
	if (st == STR_OK && id->s == NULL)
		st = str_append(id, "", 0);
	return map_str(st);
}

bool
authres_claims_id(const char *value, size_t len, const char *id)
{
	struct idcur c, count;
	size_t n = 0, idlen = strlen(id), i;
	int ch, last = -1;

	if (idlen == 0 || !idcur_open(&c, value, len))
		return false;			/* the empty id names no server */
	if (id[idlen - 1] == '.')		/* "." claims "." as "a." claims "a" */
		idlen--;
	count = c;
	while ((ch = idcur_next(&count)) != -1) {
		n++;
		last = ch;
	}
	if (last == '.')
		n--;
	if (n != idlen)
		return false;
	for (i = 0; i < n; i++) {
		ch = idcur_next(&c);
		if (tolower(ch) != tolower((unsigned char)id[i]))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------- *
 * The writer.
 * ---------------------------------------------------------------- */

/* The registered names we write (IANA "Email Authentication Methods" and
 * "Result Names"; RFC 7208, 6376/6008/7601, 9989, 8617, 8601). */
struct reg_method {
	const char *name;
	const char *const *results;
	const char *const *props;	/* "ptype.property" */
};

static const char *const spf_results[] = { "none", "neutral", "pass", "fail",
	"softfail", "temperror", "permerror", NULL };
static const char *const dkim_results[] = { "none", "pass", "fail", "policy",
	"neutral", "temperror", "permerror", NULL };
static const char *const dmarc_results[] = { "none", "pass", "fail", "temperror",
	"permerror", NULL };
/* RFC 8617 defines none, pass and fail; temperror is RFC 8601 2.7.1's meaning
 * for a key lookup that failed temporarily (the chain could not be judged). */
static const char *const arc_results[] = { "none", "pass", "fail", "temperror", NULL };
static const char *const iprev_results[] = { "pass", "fail", "temperror", "permerror", NULL };
static const char *const spf_props[] = { "smtp.mailfrom", "smtp.helo", NULL };
static const char *const dkim_props[] = { "header.d", "header.i", "header.b", "header.a",
	"header.s", NULL };
static const char *const dmarc_props[] = { "header.from", "policy.dmarc", NULL };
static const char *const arc_props[] = { "smtp.remote-ip", "header.oldest-pass", NULL };
static const char *const iprev_props[] = { "policy.iprev", NULL };

static const struct reg_method registry[] = {
	{ "spf", spf_results, spf_props },
	{ "dkim", dkim_results, dkim_props },
	{ "dmarc", dmarc_results, dmarc_props },
	{ "arc", arc_results, arc_props },
	{ "iprev", iprev_results, iprev_props },
};

/* reg_find_method - registry index of a method, or -1. */
static int
reg_find_method(const char *method)
{
	size_t i;

	for (i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (strcasecmp(registry[i].name, method) == 0)
			return (int)i;
	return -1;
}

/* reg_in_list - is word (case-insensitive) in a NULL-terminated list? */
static bool
reg_in_list(const char *const *list, const char *word)
{
	for (; *list != NULL; list++)
		if (strcasecmp(*list, word) == 0)
			return true;
	return false;
}

/* reg_has_prop - is ptype.property in a list of "ptype.property"? */
static bool
reg_has_prop(const char *const *list, const char *ptype, const char *property)
{
	size_t n = strlen(ptype);

	for (; *list != NULL; list++)
		if (strncasecmp(*list, ptype, n) == 0 && (*list)[n] == '.' &&
		    strcasecmp(*list + n + 1, property) == 0)
			return true;
	return false;
}

bool
authres_is_registered(const char *method, const char *ptype, const char *property)
{
	int m = reg_find_method(method);

	return m >= 0 && reg_has_prop(registry[m].props, ptype, property);
}

/* w_error - record the first writer error. */
__attribute__((format(printf, 3, 4)))
static void
w_error(struct authres_writer *w, enum authres_status st, const char *fmt, ...)
{
	va_list ap;

	if (w->st != AUTHRES_OK)
		return;
	w->st = st;
	va_start(ap, fmt);
	vsnprintf(w->why, sizeof(w->why), fmt, ap);
	va_end(ap);
}

/* w_check - record a str failure; true when all is well. */
static bool
w_check(struct authres_writer *w, enum str_status st)
{
	if (st != STR_OK)
		w_error(w, map_str(st), "output: %s", str_strerror(st));
	return w->st == AUTHRES_OK;
}

/* w_unit - append one unbreakable unit after a space or a "\n\t" fold. */
static void
w_unit(struct authres_writer *w, const char *text, size_t n)
{
	enum str_status st;

	if (w->st != AUTHRES_OK)
		return;
	if (w->col + 1 + n > AUTHRES_FOLD_COLUMN && w->col > 8) {
		st = str_append(w->out, "\n\t", 2);
		w->col = 8;
	} else {
		st = str_appendc(w->out, ' ');
		w->col++;
	}
	if (w_check(w, st) && w_check(w, str_append(w->out, text, n)))
		w->col += n;
}

/* sanitize - copy text, control characters as spaces (CR, LF, HTAB) or '?', non-ASCII as '?';
 * in a comment, parentheses and backslashes become quoted-pairs. */
static enum str_status
sanitize(struct str *dst, const char *text, bool comment)
{
	enum str_status st = STR_OK;
	unsigned char c;

	for (; *text != '\0' && st == STR_OK; text++) {
		c = (unsigned char)*text;
		if (c == '\r' || c == '\n' || c == '\t')
			c = ' ';
		else if (is_ctl(c) || c >= 0x80)
			c = '?';
		if (comment && (c == '(' || c == ')' || c == '\\'))
			st = str_appendc(dst, '\\');
		if (st == STR_OK)
			st = str_appendc(dst, (char)c);
	}
	return st;
}

/* render_value - append v bare when allowed (token, or address form if addr), else quoted. */
static enum str_status
render_value(struct str *u, const char *v, bool addr)
{
	struct str clean = STR_INITIALIZER(u->max);
	enum str_status st = sanitize(&clean, v, false);
	const char *c = str_cstr(&clean);
	size_t i;

	if (st == STR_OK && (valid_token(c, clean.len) || (addr && valid_addr_form(c, clean.len))))
		st = str_append(u, c, clean.len);
	else if (st == STR_OK) {
		st = str_appendc(u, '"');
		for (i = 0; i < clean.len && st == STR_OK; i++) {
			if (c[i] == '"' || c[i] == '\\')
				st = str_appendc(u, '\\');
			if (st == STR_OK)
				st = str_appendc(u, c[i]);
		}
		if (st == STR_OK)
			st = str_appendc(u, '"');
	}
	str_free(&clean);
	return st;
}

void
authres_writer_init(struct authres_writer *w, struct str *out, const char *authserv_id)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->method = -1;
	w->col = sizeof("Authentication-Results:");	/* the name and a space */
	/* RFC 8601 allows a quoted-string, but python authres and others do not */
	if (authserv_id == NULL || !valid_token(authserv_id, strlen(authserv_id))) {
		w_error(w, AUTHRES_SYNTAX, "authserv-id is not an RFC 2045 token");
		return;
	}
	if (w_check(w, str_appends(out, authserv_id)))
		w->col += strlen(authserv_id);
}

void
authres_add(struct authres_writer *w, const char *method, const char *result)
{
	struct str u = STR_INITIALIZER(w->out->max);
	int m = reg_find_method(method);

	if (w->st != AUTHRES_OK)
		return;
	if (m < 0) {
		w_error(w, AUTHRES_UNREGISTERED, "method %s not registered", method);
		return;
	}
	if (!reg_in_list(registry[m].results, result)) {
		w_error(w, AUTHRES_UNREGISTERED, "result %s not registered for %s", result,
		    registry[m].name);
		return;
	}
	if (!w_check(w, str_appendc(w->out, ';')))
		return;
	w->col++;
	if (w_check(w, str_printf(&u, "%s=%s", registry[m].name, result))) {
		for (char *q = u.s; *q != '\0'; q++)
			*q = (char)tolower((unsigned char)*q);
		w_unit(w, u.s, u.len);
	}
	str_free(&u);
	w->method = m;
	w->nprops = 0;
	w->nresults++;
}

void
authres_add_reason(struct authres_writer *w, const char *reason)
{
	struct str u = STR_INITIALIZER(w->out->max);

	if (w->st != AUTHRES_OK)
		return;
	if (w->method < 0 || w->nprops > 0) {
		w_error(w, AUTHRES_SYNTAX, "reason outside a resinfo or after a property");
		return;
	}
	if (w_check(w, str_appends(&u, "reason=")) && w_check(w, render_value(&u, reason, false)))
		w_unit(w, u.s, u.len);
	str_free(&u);
}

void
authres_add_prop(struct authres_writer *w, const char *ptype, const char *property,
    const char *value)
{
	struct str u = STR_INITIALIZER(w->out->max);

	if (w->st != AUTHRES_OK)
		return;
	if (w->method < 0 || !reg_has_prop(registry[w->method].props, ptype, property)) {
		w_error(w, AUTHRES_UNREGISTERED, "%s.%s not registered for %s", ptype, property,
		    w->method < 0 ? "(no method)" : registry[w->method].name);
		return;
	}
	if (w->nprops >= AUTHRES_MAX_PROPS) {
		w_error(w, AUTHRES_LIMIT, "more than %d properties", AUTHRES_MAX_PROPS);
		return;
	}
	if (w_check(w, str_printf(&u, "%s.%s=", ptype, property)) &&
	    w_check(w, render_value(&u, value, true))) {
		for (char *q = u.s; *q != '='; q++)
			*q = (char)tolower((unsigned char)*q);
		w_unit(w, u.s, u.len);
	}
	str_free(&u);
	w->nprops++;
}

void
authres_add_comment(struct authres_writer *w, const char *text)
{
	struct str clean = STR_INITIALIZER(w->out->max), u = STR_INITIALIZER(w->out->max);
	const char *s, *e;
	bool firstword = true;

	if (w->st != AUTHRES_OK || !w_check(w, sanitize(&clean, text, true)))
		goto done;
	for (s = str_cstr(&clean); w->st == AUTHRES_OK; s = e) {
		while (*s == ' ')
			s++;
		for (e = s; *e != '\0' && *e != ' '; e++)
			continue;
		if (e == s)
			break;
		str_reset(&u);
		if (firstword && !w_check(w, str_appendc(&u, '(')))
			break;
		if (!w_check(w, str_append(&u, s, (size_t)(e - s))))
			break;
		while (*e == ' ')
			e++;
		if (*e == '\0' && !w_check(w, str_appendc(&u, ')')))
			break;
		w_unit(w, u.s, u.len);
		firstword = false;
	}
done:
	str_free(&clean);
	str_free(&u);
}

enum authres_status
authres_writer_finish(struct authres_writer *w, char *reason, size_t reasonsize)
{
	if (w->st == AUTHRES_OK && w->nresults == 0 && w_check(w, str_appendc(w->out, ';')))
		w_unit(w, "none", 4);
	if (w->st != AUTHRES_OK && reason != NULL && reasonsize > 0)
		snprintf(reason, reasonsize, "%s", w->why);
	return w->st;
}

/* ---------------------------------------------------------------- *
 * The verdict as a header.
 * ---------------------------------------------------------------- */

/* write_spf - one spf resinfo per SPF result. */
static void
write_spf(struct authres_writer *w, const struct verdict_input *in)
{
	const struct verdict_spf *r;
	size_t i;

	for (i = 0; i < in->nspf && i < VERDICT_MAX_SPF; i++) {
		r = &in->spf[i];
		authres_add(w, "spf", spf_result_name(r->result));
		if (r->domain[0] != '\0')
			authres_add_prop(w, "smtp", r->scope == SPF_SCOPE_HELO ? "helo" : "mailfrom",
			    r->domain);
	}
}

/* write_dkim_b - header.b: the first 8 characters of b= (whitespace ignored). */
static void
write_dkim_b(struct authres_writer *w, const char *b)
{
	struct str prefix = STR_INITIALIZER(8);

	for (; *b != '\0' && prefix.len < 8; b++)
		if (!isspace((unsigned char)*b) && !w_check(w, str_appendc(&prefix, *b)))
			break;
	if (prefix.len > 0)
		authres_add_prop(w, "header", "b", prefix.s);
	str_free(&prefix);
}

/* write_dkim - one dkim resinfo per signature, or dkim=none. */
static void
write_dkim(struct authres_writer *w, const struct verdict_input *in,
    const struct authres_dkim_extra *extra)
{
	const struct verdict_dkim *r;
	size_t i;

	if (in->ndkim == 0)
		authres_add(w, "dkim", "none");
	for (i = 0; i < in->ndkim && i < VERDICT_MAX_DKIM; i++) {
		r = &in->dkim[i];
		authres_add(w, "dkim", dkim_result_name(r->result));
		if (r->domain[0] != '\0')
			authres_add_prop(w, "header", "d", r->domain);
		if (r->selector[0] != '\0')
			authres_add_prop(w, "header", "s", r->selector);
		if (extra == NULL)
			continue;
		if (extra[i].i != NULL && extra[i].i[0] != '\0')
			authres_add_prop(w, "header", "i", extra[i].i);
		if (extra[i].a != NULL && extra[i].a[0] != '\0')
			authres_add_prop(w, "header", "a", extra[i].a);
		if (extra[i].b != NULL)
			write_dkim_b(w, extra[i].b);
	}
}

/* dmarc_comment - "p=.. sp=.. np=.. disposition=.. override=a,b" into c. */
static enum str_status
dmarc_comment(struct str *c, const struct verdict *v)
{
	enum str_status st = STR_OK;
	unsigned bit;
	bool first = true;

	if (v->record_found) {
		st = str_printf(c, "p=%s", dmarc_policy_name(v->record.p));
		if (st == STR_OK && v->record.sp != DMARC_POLICY_UNSET)
			st = str_printf(c, " sp=%s", dmarc_policy_name(v->record.sp));
		if (st == STR_OK && v->record.np != DMARC_POLICY_UNSET)
			st = str_printf(c, " np=%s", dmarc_policy_name(v->record.np));
		if (st == STR_OK)
			st = str_printf(c, " disposition=%s", disposition_name(v->disposition));
	}
	for (bit = 1; bit <= OVERRIDE_ALL && st == STR_OK; bit <<= 1) {
		if ((v->overrides & bit) == 0)
			continue;
		st = str_printf(c, "%s%s", first ? (c->len > 0 ? " override=" : "override=") : ",",
		    override_name(bit));
		first = false;
	}
	return st;
}

/* applied_word - the policy.dmarc value: what the disposition does. */
static const char *
applied_word(enum disposition d)
{
	if (d == DISP_REJECT)
		return "reject";
	return d == DISP_QUARANTINE ? "quarantine" : "none";
}

/* write_arc - the arc resinfo: result, fail comment, smtp.remote-ip, header.oldest-pass. */
static void
write_arc(struct authres_writer *w, const struct authres_arc *arc)
{
	char n[16];

	if (arc == NULL || arc->result == NULL)
		return;
	authres_add(w, "arc", arc->result);
	if (arc->comment != NULL && arc->comment[0] != '\0')
		authres_add_comment(w, arc->comment);
	if (arc->remote_ip != NULL && arc->remote_ip[0] != '\0')
		authres_add_prop(w, "smtp", "remote-ip", arc->remote_ip);
	if (strcmp(arc->result, "pass") == 0) {
		snprintf(n, sizeof(n), "%u", arc->oldest_pass);
		authres_add_prop(w, "header", "oldest-pass", n);
	}
}

/* write_override_detail - "(override trusted_forwarder: DETAIL)" when ARC made the override. */
static void
write_override_detail(struct authres_writer *w, const struct verdict *v,
    const struct authres_arc *arc)
{
	struct str c = STR_INITIALIZER(512);

	if (arc == NULL || arc->override_detail == NULL || arc->override_detail[0] == '\0' ||
	    (v->overrides & OVERRIDE_TRUSTED_FORWARDER) == 0)
		return;
	if (w_check(w, str_printf(&c, "override trusted_forwarder: %s", arc->override_detail)))
		authres_add_comment(w, c.s);
	str_free(&c);
}

/* write_dmarc - the dmarc resinfo (why: its reason=, or NULL). */
static void
write_dmarc(struct authres_writer *w, const struct verdict_input *in, const struct verdict *v,
    const char *why, const struct authres_arc *arc)
{
	struct str c = STR_INITIALIZER(512);
	const char *from = v->header_from;

	if (from[0] == '\0' && in->nauthors > 0)
		from = in->authors[0];
	authres_add(w, "dmarc", dmarc_result_name(v->result));
	if (why != NULL && why[0] != '\0')
		authres_add_reason(w, why);
	if (w_check(w, dmarc_comment(&c, v)) && c.len > 0)
		authres_add_comment(w, c.s);
	write_override_detail(w, v, arc);
	if (from[0] != '\0')
		authres_add_prop(w, "header", "from", from);
	if (v->record_found && (v->result == DMARC_RES_PASS || v->result == DMARC_RES_FAIL))
		authres_add_prop(w, "policy", "dmarc", applied_word(v->disposition));
	str_free(&c);
}

enum authres_status
authres_write_verdict(struct str *out, const char *authserv_id,
    const struct verdict_input *in, const struct verdict *v,
    const struct authres_dkim_extra *extra, char *reason, size_t reasonsize)
{
	return authres_write_verdict_why(out, authserv_id, in, v, extra, NULL, reason,
	    reasonsize);
}

enum authres_status
authres_write_verdict_why(struct str *out, const char *authserv_id,
    const struct verdict_input *in, const struct verdict *v,
    const struct authres_dkim_extra *extra, const char *dmarc_why, char *reason,
    size_t reasonsize)
{
	return authres_write_verdict_arc(out, authserv_id, in, v, extra, dmarc_why, NULL, reason,
	    reasonsize);
}

enum authres_status
authres_write_verdict_arc(struct str *out, const char *authserv_id,
    const struct verdict_input *in, const struct verdict *v,
    const struct authres_dkim_extra *extra, const char *dmarc_why,
    const struct authres_arc *arc, char *reason, size_t reasonsize)
{
	struct authres_writer w;

	authres_writer_init(&w, out, authserv_id);
	write_spf(&w, in);
	write_dkim(&w, in, extra);
	write_arc(&w, arc);
	write_dmarc(&w, in, v, dmarc_why, arc);
	return authres_writer_finish(&w, reason, reasonsize);
}
