/*
 * from.c - RFC 5322 From header parsing (see from.h).
 *
 * A lexer turns the field value into tokens (atoms, quoted strings, domain
 * literals, specials), skipping CFWS (folding white space and nested
 * comments); a small state machine walks the address-list.  Nothing is
 * copied: tokens are offsets into the caller's bytes, and only a domain's
 * span is handed to domain_normalize().  No recursion, one pass, so the
 * work is linear in the input.  Called by the verdict code and the milter
 * glue; no global state, thread-safe.
 *
 * Deliberate strictness (security over leniency): CFWS inside a domain
 * ("a@example.net.(x)example.com", obsolete syntax) is refused, as is
 * anything after an address but a separator, a phrase followed by a bare
 * addr-spec, and NUL bytes or CR/LF not followed by white space.
 * Deliberate leniency (cannot change the domain): empty or repeated dots
 * in a local part, as some mobile carriers still send.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "domain.h"
#include "from.h"

enum tok_type {
	TOK_END,	/* end of the value */
	TOK_ATOM,	/* 1*atext (with UTF-8) */
	TOK_QSTR,	/* quoted string, quotes included */
	TOK_DLIT,	/* domain literal, brackets included */
	TOK_SPECIAL,	/* one of < > @ , ; : . */
	TOK_ERROR	/* the lexer failed; reason already written */
};

struct token {
	enum tok_type type;
	char c;			/* the special character for TOK_SPECIAL */
	size_t start, end;	/* byte offsets [start, end) */
	bool ws_before;		/* CFWS between the previous token and this one */
};

struct parser {
	const char *v;		/* the field value */
	size_t len;
	size_t pos;		/* lexer position */
	struct token tok;	/* current token */
	bool failed;		/* syntax error; reason written */
	bool in_group;
	size_t nbad;		/* mailboxes with an unusable domain */
	bool overflow;		/* more distinct domains than FROM_MAX_DOMAINS */
	struct from_result *out;
};

/*
 * set_reason - format a reason.  Reasons are diagnostics for logs and may
 * be cut at the buffer size; no header text is ever copied into them.
 */
static void set_reason(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
set_reason(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

/* fail - record the first syntax error with its offset. */
static void
fail(struct parser *ps, size_t at, const char *what)
{
	if (ps->failed)
		return;
	ps->failed = true;
	set_reason(ps->out->reason, sizeof(ps->out->reason), "%s at offset %zu", what, at);
}

/* is_atext - RFC 5322 atext, plus any non-ASCII byte (RFC 6532). */
static bool
is_atext(unsigned char c)
{
	if (c >= 0x80)
		return true;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* is_wsp - space or horizontal tab. */
static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * skip_eol - at a CR or LF: step over a fold (line end + WSP) or a line end
 * that ends the value.  Anything else is a header injection: fail.
 */
static bool
skip_eol(struct parser *ps)
{
	size_t p = ps->pos;

	if (ps->v[p] == '\r' && p + 1 < ps->len && ps->v[p + 1] == '\n')
		p++;
	else if (ps->v[p] == '\r') {
		fail(ps, p, "bare CR");
		return false;
	}
	p++;
	if (p == ps->len || is_wsp(ps->v[p])) {
		ps->pos = p;
		return true;
	}
	fail(ps, ps->pos, "line break not followed by white space");
	return false;
}

/*
 * is_quoted_pair - is there a backslash at ps->pos escaping a byte?  A line
 * end is never escaped: it stays subject to the folding rule.
 */
static bool
is_quoted_pair(const struct parser *ps)
{
	char next;

	if (ps->v[ps->pos] != '\\' || ps->pos + 1 >= ps->len)
		return false;
	next = ps->v[ps->pos + 1];
	return next != '\r' && next != '\n';
}

/* skip_comment - at '(': skip a comment, nested up to FROM_MAX_NESTING. */
static bool
skip_comment(struct parser *ps)
{
	size_t start = ps->pos, depth = 0;
	char c;

	while (ps->pos < ps->len) {
		c = ps->v[ps->pos];
		if (c == '\r' || c == '\n') {
			if (!skip_eol(ps))
				return false;
			continue;
		}
		if (is_quoted_pair(ps))
			ps->pos++;	/* skip the escaped byte */
		else if (c == '(' && ++depth > FROM_MAX_NESTING) {
			fail(ps, ps->pos, "comments nested too deeply");
			return false;
		} else if (c == ')' && --depth == 0) {
			ps->pos++;
			return true;
		}
		ps->pos++;
	}
	fail(ps, start, "unterminated comment");
	return false;
}

/* skip_cfws - skip white space, folds and comments; false on error. */
static bool
skip_cfws(struct parser *ps)
{
	char c;

	while (ps->pos < ps->len) {
		c = ps->v[ps->pos];
		if (is_wsp(c))
			ps->pos++;
		else if (c == '\r' || c == '\n') {
			if (!skip_eol(ps))
				return false;
		} else if (c == '(') {
			if (!skip_comment(ps))
				return false;
		} else
			break;
	}
	return true;
}

/* skip_delimited - at the opening quote or bracket: find the closing close. */
static bool
skip_delimited(struct parser *ps, char close, const char *what)
{
	size_t start = ps->pos;
	char c;

	ps->pos++;
	while (ps->pos < ps->len) {
		c = ps->v[ps->pos];
		if (c == '\r' || c == '\n') {
			if (!skip_eol(ps))
				return false;
			continue;
		}
		if (is_quoted_pair(ps))
			ps->pos++;
		else if (c == close) {
			ps->pos++;
			return true;
		} else if (close == ']' && c == '[')
			break;
		ps->pos++;
	}
	fail(ps, start, what);
	return false;
}

/* lex_one - read the token at ps->pos into *t (CFWS already skipped). */
static void
lex_one(struct parser *ps, struct token *t)
{
	unsigned char c = (unsigned char)ps->v[ps->pos];

	t->start = ps->pos;
	if (is_atext(c)) {
		while (ps->pos < ps->len && is_atext((unsigned char)ps->v[ps->pos]))
			ps->pos++;
		t->type = TOK_ATOM;
	} else if (c == '"') {
		t->type = skip_delimited(ps, '"', "unterminated quoted string") ? TOK_QSTR : TOK_ERROR;
	} else if (c == '[') {
		t->type = skip_delimited(ps, ']', "unterminated or nested domain literal") ? TOK_DLIT : TOK_ERROR;
	} else if (c != '\0' && strchr("<>@,;:.", c) != NULL) {
		t->type = TOK_SPECIAL;
		t->c = (char)c;
		ps->pos++;
	} else {
		fail(ps, ps->pos, c == ')' ? "unbalanced ')'" : c == ']' ? "unbalanced ']'" :
		    "character not allowed here");
		t->type = TOK_ERROR;
	}
	t->end = ps->pos;
}

/* advance - make the next token current. */
static void
advance(struct parser *ps)
{
	struct token *t = &ps->tok;
	size_t before = ps->pos;

	t->c = '\0';
	if (ps->failed || !skip_cfws(ps)) {
		t->type = TOK_ERROR;
		t->start = t->end = ps->pos;
		return;
	}
	t->ws_before = ps->pos != before;
	if (ps->pos >= ps->len) {
		t->type = TOK_END;
		t->start = t->end = ps->len;
		return;
	}
	lex_one(ps, t);
}

/* is_special - is the current token the special character c? */
static bool
is_special(const struct parser *ps, char c)
{
	return ps->tok.type == TOK_SPECIAL && ps->tok.c == c;
}

/* add_domain - remember a normalised domain if it is new. */
static void
add_domain(struct parser *ps, const char *dom)
{
	if (!from_result_add(ps->out, dom))
		ps->overflow = true;
}

/* note_bad - count a mailbox whose domain is unusable; keep the first reason. */
static void
note_bad(struct parser *ps, size_t at, const char *why)
{
	if (ps->nbad++ == 0)
		set_reason(ps->out->reason, sizeof(ps->out->reason),
		    "unusable domain at offset %zu: %s", at, why);
}

/*
 * parse_domain - the current token starts a domain: a dot-atom (no CFWS
 * between its labels) or a domain literal.  When record, the mailbox is
 * counted and its domain normalised and kept.
 */
static void
parse_domain(struct parser *ps, bool record)
{
	char buf[DOMAIN_BUFSIZE];
	size_t start = ps->tok.start, end;
	enum domain_status st;

	if (ps->tok.type == TOK_DLIT) {
		advance(ps);
		if (record)
			note_bad(ps, start, "address literal, not a domain name");
		return;
	}
	if (ps->tok.type != TOK_ATOM) {
		fail(ps, ps->tok.start, "missing domain after '@'");
		return;
	}
	end = ps->tok.end;
	advance(ps);
	while (is_special(ps, '.') && !ps->tok.ws_before) {
		end = ps->tok.end;
		advance(ps);
		if (ps->tok.type != TOK_ATOM || ps->tok.ws_before)
			break;
		end = ps->tok.end;
		advance(ps);
	}
	if (ps->tok.type == TOK_ATOM || ps->tok.type == TOK_QSTR || is_special(ps, '.')) {
		fail(ps, ps->tok.start, "white space or comment inside a domain");
		return;
	}
	if (!record || ps->failed)
		return;
	if ((st = domain_normalize(ps->v + start, end - start, buf)) != DOMAIN_OK)
		note_bad(ps, start, domain_strerror(st));
	else
		add_domain(ps, buf);
}

/* count_mailbox - one more mailbox; fail past FROM_MAX_ADDRS. */
static void
count_mailbox(struct parser *ps, size_t at)
{
	if (++ps->out->naddrs > FROM_MAX_ADDRS)
		fail(ps, at, "too many mailboxes");
}

/* words - what a run of words and dots looked like. */
struct words {
	size_t nwords;		/* atoms and quoted strings */
	bool adjacent;		/* two words with no dot between: a phrase */
};

/* collect_words - skip a run of words and dots (a phrase or local-part). */
static void
collect_words(struct parser *ps, struct words *w)
{
	bool prev_word = false;

	w->nwords = 0;
	w->adjacent = false;
	for (;;) {
		if (ps->tok.type == TOK_ATOM || ps->tok.type == TOK_QSTR) {
			if (prev_word)
				w->adjacent = true;
			prev_word = true;
			w->nwords++;
		} else if (is_special(ps, '.'))
			prev_word = false;
		else
			return;
		advance(ps);
	}
}

/* parse_addr_spec - local-part "@" domain, the local part already skipped. */
static void
parse_addr_spec(struct parser *ps, const struct words *lp, size_t start)
{
	if (lp->nwords == 0) {
		fail(ps, start, "missing local part");
		return;
	}
	if (lp->adjacent) {
		fail(ps, start, "display name without angle brackets before '@'");
		return;
	}
	if (!is_special(ps, '@')) {
		fail(ps, ps->tok.start, "expected '@'");
		return;
	}
	advance(ps);
	count_mailbox(ps, start);
	parse_domain(ps, true);
}

/* parse_route - obs-route: "@" domain *("," ["@" domain]) ":", at '@'. */
static void
parse_route(struct parser *ps)
{
	while (!ps->failed) {
		if (is_special(ps, ',')) {
			advance(ps);
		} else if (is_special(ps, '@')) {
			advance(ps);
			parse_domain(ps, false);
		} else if (is_special(ps, ':')) {
			advance(ps);
			return;
		} else {
			fail(ps, ps->tok.start, "bad source route in angle address");
		}
	}
}

/* parse_angle - at '<': [obs-route] addr-spec '>'. */
static void
parse_angle(struct parser *ps)
{
	struct words lp;
	size_t start;

	advance(ps);
	if (is_special(ps, '@') || is_special(ps, ','))
		parse_route(ps);
	start = ps->tok.start;
	if (is_special(ps, '>')) {
		fail(ps, start, "empty angle address");
		return;
	}
	collect_words(ps, &lp);
	parse_addr_spec(ps, &lp, start);
	if (ps->failed)
		return;
	if (!is_special(ps, '>')) {
		fail(ps, ps->tok.start, "expected '>'");
		return;
	}
	advance(ps);
}

/* parse_element - one mailbox, or the start of a group (returns true). */
static bool
parse_element(struct parser *ps)
{
	struct words w;
	size_t start = ps->tok.start;

	collect_words(ps, &w);
	if (ps->failed)
		return false;
	if (is_special(ps, '<')) {
		parse_angle(ps);
	} else if (is_special(ps, '@')) {
		parse_addr_spec(ps, &w, start);
	} else if (is_special(ps, ':') && w.nwords > 0) {
		if (ps->in_group)
			fail(ps, ps->tok.start, "group inside a group");
		ps->in_group = true;
		advance(ps);
		return true;
	} else if (w.nwords > 0 || ps->tok.start != start) {
		fail(ps, start, "display name without an address");
	} else {
		fail(ps, start, ps->tok.type == TOK_END ? "no address" :
		    "unexpected character");
	}
	return false;
}

/* parse_list - the whole address-list (obs-mbox-list, groups). */
static void
parse_list(struct parser *ps)
{
	bool group_start;

	advance(ps);
	while (!ps->failed && ps->tok.type != TOK_END) {
		group_start = false;
		if (is_special(ps, ',')) {
			advance(ps);
			continue;
		}
		if (is_special(ps, ';') && ps->in_group) {
			ps->in_group = false;
			advance(ps);
		} else if (is_special(ps, ';')) {
			fail(ps, ps->tok.start, "';' outside a group");
		} else if (is_special(ps, ':') && ps->in_group) {
			fail(ps, ps->tok.start, "group inside a group");
		} else {
			group_start = parse_element(ps);
		}
		if (!group_start && !ps->failed && ps->tok.type != TOK_END && !is_special(ps, ',') &&
		    !(ps->in_group && is_special(ps, ';')))
			fail(ps, ps->tok.start, "unexpected text after an address");
	}
	if (!ps->failed && ps->in_group)
		fail(ps, ps->len, "group not terminated by ';'");
}

/* ascii_caseeq - do n bytes of s equal the lower-case lit, ignoring ASCII case? */
static bool
ascii_caseeq(const char *s, const char *lit, size_t n)
{
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != lit[i])
			return false;
	}
	return true;
}

/* skip_field_name - offset after an accidental leading "From:" (else 0). */
static size_t
skip_field_name(const char *v, size_t len)
{
	size_t p = 0;

	while (p < len && is_wsp(v[p]))
		p++;
	if (len - p < 5 || !ascii_caseeq(v + p, "from", 4))
		return 0;
	p += 4;
	while (p < len && is_wsp(v[p]))
		p++;
	return p < len && v[p] == ':' ? p + 1 : 0;
}

/* result_reset - empty result with the given status. */
static void
result_reset(struct from_result *out, enum from_status st)
{
	memset(out, 0, sizeof(*out));
	out->status = st;
}

/* finish - turn the parser's findings into a status. */
static enum from_status
finish(struct parser *ps)
{
	struct from_result *out = ps->out;
	enum from_status st;

	if (ps->failed || out->naddrs == 0)
		st = FROM_UNPARSEABLE;
	else if (ps->nbad > 0)
		st = FROM_BAD_DOMAIN;
	else if (out->naddrs == 1)
		st = FROM_OK;
	else if (out->ndomains == 1 && !ps->overflow)
		st = FROM_MULTI_SAME_DOMAIN;
	else
		st = FROM_MULTI_DIFF_DOMAIN;
	if (st == FROM_UNPARSEABLE && !ps->failed)
		set_reason(out->reason, sizeof(out->reason), "no mailbox in the From field");
	if (st == FROM_UNPARSEABLE || st == FROM_BAD_DOMAIN) {
		out->naddrs = 0;
		out->ndomains = 0;
		memset(out->domains, 0, sizeof(out->domains));
	} else if (st != FROM_OK) {
		set_reason(out->reason, sizeof(out->reason), "%zu mailboxes in %s%zu domain%s",
		    out->naddrs, ps->overflow ? "more than " : "", out->ndomains,
		    out->ndomains == 1 && !ps->overflow ? "" : "s");
	}
	out->overflow = ps->overflow;
	out->status = st;
	return st;
}

enum from_status
from_parse(const char *value, size_t len, struct from_result *out)
{
	struct parser ps;

	result_reset(out, FROM_UNPARSEABLE);
	memset(&ps, 0, sizeof(ps));
	ps.out = out;
	if (value == NULL)
		len = 0;
	ps.v = value != NULL ? value : "";
	ps.len = len;
	if (len > 0 && memchr(value, '\0', len) != NULL) {
		fail(&ps, (size_t)((const char *)memchr(value, '\0', len) - value), "NUL byte");
		return out->status = FROM_UNPARSEABLE;
	}
	ps.pos = skip_field_name(ps.v, len);
	parse_list(&ps);
	return finish(&ps);
}

/* merge_field - add one field's usable domains to the combined result. */
static void
merge_field(struct from_result *out, const struct from_result *one, bool *overflow)
{
	size_t i;

	out->naddrs += one->naddrs;
	for (i = 0; i < one->ndomains; i++)
		if (!from_result_add(out, one->domains[i]))
			*overflow = true;
}

enum from_status
from_collect(const char *const *values, const size_t *lens, size_t nheaders,
    struct from_result *out)
{
	struct from_result one;
	char why[FROM_REASON_SIZE];
	size_t i, bad = 0;
	bool overflow = false;
	enum from_status st;

	if (nheaders == 0) {
		result_reset(out, FROM_NONE);
		set_reason(out->reason, sizeof(out->reason), "no From field");
		return FROM_NONE;
	}
	if (nheaders == 1)
		return from_parse(values[0], lens[0], out);
	result_reset(out, FROM_MULTIPLE_HEADERS);
	for (i = 0; i < nheaders; i++) {
		st = from_parse(values[i], lens[i], &one);
		if (st == FROM_UNPARSEABLE || st == FROM_BAD_DOMAIN || st == FROM_NOMEM) {
			out->nunusable++;
			if (bad++ == 0)
				set_reason(why, sizeof(why), "field %zu %s: %s", i + 1,
				    from_status_name(st), one.reason);
			continue;
		}
		merge_field(out, &one, &overflow);
		overflow = overflow || one.overflow;
	}
	out->overflow = overflow;
	if (bad == 0)
		set_reason(out->reason, sizeof(out->reason), "%zu From fields, %s%zu domain%s",
		    nheaders, overflow ? "more than " : "", out->ndomains,
		    out->ndomains == 1 && !overflow ? "" : "s");
	else
		set_reason(out->reason, sizeof(out->reason), "%zu From fields, %zu unusable; %s",
		    nheaders, bad, why);
	return FROM_MULTIPLE_HEADERS;
}

bool
from_result_add(struct from_result *r, const char *dom)
{
	size_t i;

	for (i = 0; i < r->ndomains; i++)
		if (strcmp(r->domains[i], dom) == 0)
			return true;
	if (r->ndomains == FROM_MAX_DOMAINS) {
		r->overflow = true;
		return false;
	}
	memcpy(r->domains[r->ndomains++], dom, strlen(dom) + 1);
	return true;
}

bool
from_usable(const struct from_result *r)
{
	switch (r->status) {
	case FROM_OK:
	case FROM_MULTI_SAME_DOMAIN:
	case FROM_MULTI_DIFF_DOMAIN:
	case FROM_MULTIPLE_HEADERS:
		return r->ndomains > 0 && !r->overflow && r->nunusable == 0;
	default:
		return false;
	}
}

const char *
from_status_name(enum from_status st)
{
	switch (st) {
	case FROM_OK:
		return "ok";
	case FROM_NONE:
		return "none";
	case FROM_MULTIPLE_HEADERS:
		return "multiple-headers";
	case FROM_MULTI_SAME_DOMAIN:
		return "multi-same-domain";
	case FROM_MULTI_DIFF_DOMAIN:
		return "multi-diff-domain";
	case FROM_UNPARSEABLE:
		return "unparseable";
	case FROM_BAD_DOMAIN:
		return "bad-domain";
	case FROM_NOMEM:
		return "nomem";
	}
	return "unknown";
}
