/*
 * meta.c - parse and extend the .meta file of a spooled report (see
 * meta.h and doc/report-spool.md).  Pure functions; thread-safe.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "rfc5322.h"
#include "rua.h"

#define META_LINE_MAX 2048	/* bytes of one line */
#define META_NUM_MAX 19		/* digits of begin/end (below INT64_MAX) */

/* One parse: where we are and what was seen. */
struct parser {
	const char *name;
	const char *base;	/* base name the file key must repeat, or NULL */
	size_t base_len;
	unsigned line;
	unsigned seen;		/* bit per key of keys[] seen */
	struct meta *m;
	char *err;
	size_t errsize;
};

typedef enum meta_status (*key_fn)(struct parser *p, const char *v, size_t n);

/* bad - set err to "NAME:LINE: what"; returns META_BAD. */
static enum meta_status bad(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum meta_status
bad(struct parser *p, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errsize, "%s:%u: %s", p->name, p->line, what);
	return META_BAD;
}

/* dup_value - a malloc'd NUL-terminated copy of n bytes, or NULL. */
static char *
dup_value(const char *v, size_t n)
{
	char *s = malloc(n + 1);

	if (s != NULL) {
		memcpy(s, v, n);
		s[n] = '\0';
	}
	return s;
}

/* parse_num - 1..19 digits, no leading zero unless "0". */
static bool
parse_num(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > META_NUM_MAX || (v[0] == '0' && n > 1))
		return false;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return true;
}

/* key_format - "dmarc-2.0" or "rfc7489". */
static enum meta_status
key_format(struct parser *p, const char *v, size_t n)
{
	if (n == 9 && memcmp(v, "dmarc-2.0", 9) == 0)
		p->m->format = META_FORMAT_DMARC2;
	else if (n == 7 && memcmp(v, "rfc7489", 7) == 0)
		p->m->format = META_FORMAT_RFC7489;
	else
		return bad(p, "format must be dmarc-2.0 or rfc7489");
	return META_OK;
}

/* key_policy_domain - a domain already in normalised form. */
static enum meta_status
key_policy_domain(struct parser *p, const char *v, size_t n)
{
	enum domain_status st = domain_normalize(v, n, p->m->policy_domain);

	if (st != DOMAIN_OK)
		return bad(p, "policy_domain: %s", domain_strerror(st));
	if (strlen(p->m->policy_domain) != n || memcmp(p->m->policy_domain, v, n) != 0)
		return bad(p, "policy_domain is not in normalised form (lower-case A-labels, no trailing dot)");
	return META_OK;
}

/* key_org_name - free text (UTF-8 allowed), at most META_ORG_NAME_MAX bytes. */
static enum meta_status
key_org_name(struct parser *p, const char *v, size_t n)
{
	if (n > META_ORG_NAME_MAX)
		return bad(p, "org_name longer than %d bytes", META_ORG_NAME_MAX);
	if ((p->m->org_name = dup_value(v, n)) == NULL)
		return META_NOMEM;
	return META_OK;
}

/* key_report_id - RFC 9990 ridfmt. */
static enum meta_status
key_report_id(struct parser *p, const char *v, size_t n)
{
	if (!rfc5322_is_ridfmt(v, n))
		return bad(p, "report_id is not an RFC 9990 ridfmt (dot-atom-text [\"@\" dot-atom-text], "
		    "at most %d bytes)", RFC5322_RID_MAX);
	if ((p->m->report_id = dup_value(v, n)) == NULL)
		return META_NOMEM;
	return META_OK;
}

/* key_begin, key_end - seconds since the epoch. */
static enum meta_status
key_begin(struct parser *p, const char *v, size_t n)
{
	return parse_num(v, n, &p->m->begin) ? META_OK : bad(p, "begin is not a number of seconds");
}

static enum meta_status
key_end(struct parser *p, const char *v, size_t n)
{
	return parse_num(v, n, &p->m->end) ? META_OK : bad(p, "end is not a number of seconds");
}

/* key_file - NAME.xml.gz, NAME being the .meta's base name. */
static enum meta_status
key_file(struct parser *p, const char *v, size_t n)
{
	if (!rfc5322_is_safe_filename(v, n) || n <= 7 || memcmp(v + n - 7, ".xml.gz", 7) != 0)
		return bad(p, "file must be a plain file name ending in .xml.gz "
		    "(printable ASCII, no blank, quote, backslash or slash)");
	if (p->base != NULL && (n != p->base_len + 7 || memcmp(v, p->base, p->base_len) != 0))
		return bad(p, "file is not this .meta's base name with .xml.gz");
	if ((p->m->file = dup_value(v, n)) == NULL)
		return META_NOMEM;
	return META_OK;
}

/* find_dest - index of the destination uri (n bytes), or -1. */
static int
find_dest(const struct meta *m, const char *uri, size_t n)
{
	size_t i;

	for (i = 0; i < m->n_dest; i++)
		if (strlen(m->dest[i].uri) == n && memcmp(m->dest[i].uri, uri, n) == 0)
			return (int)i;
	return -1;
}

/* key_rua - one destination; a repeated one is the same destination. */
static enum meta_status
key_rua(struct parser *p, const char *v, size_t n)
{
	struct meta *m = p->m;

	if (n > RUA_MAX || memchr(v, ' ', n) != NULL)
		return bad(p, "rua must be one URI without blanks, at most %d bytes", RUA_MAX);
	if (find_dest(m, v, n) >= 0)
		return META_OK;
	if (m->n_dest >= META_MAX_DEST)
		return bad(p, "more than %d rua lines", META_MAX_DEST);
	if ((m->dest[m->n_dest].uri = dup_value(v, n)) == NULL)
		return META_NOMEM;
	m->dest[m->n_dest].line = p->line;
	m->dest[m->n_dest].done = META_DUE;
	m->n_dest++;
	return META_OK;
}

/* key_done - "URI TIME" or "URI TIME REASON" of a sent/skipped line. */
static enum meta_status
key_done(struct parser *p, const char *v, size_t n, enum meta_done what)
{
	const char *sp = memchr(v, ' ', n), *t, *te;
	uint64_t when;
	int i;

	if (sp == NULL)
		return bad(p, "expected URI and time");
	if ((i = find_dest(p->m, v, (size_t)(sp - v))) < 0)
		return bad(p, "%s line for a destination with no rua line above it",
		    what == META_SENT ? "sent" : "skipped");
	t = sp + 1;
	te = memchr(t, ' ', n - (size_t)(t - v));
	if (te == NULL)
		te = v + n;
	if (!parse_num(t, (size_t)(te - t), &when))
		return bad(p, "the time is not a number of seconds");
	if (what == META_SENT && te != v + n)
		return bad(p, "trailing text after the time of a sent line");
	if (p->m->dest[i].done != META_DUE)
		return bad(p, "second sent/skipped line for the destination of line %u",
		    p->m->dest[i].line);
	p->m->dest[i].done = what;
	return META_OK;
}

static enum meta_status
key_sent(struct parser *p, const char *v, size_t n)
{
	return key_done(p, v, n, META_SENT);
}

static enum meta_status
key_skipped(struct parser *p, const char *v, size_t n)
{
	return key_done(p, v, n, META_SKIPPED);
}

/* The keys: once = must appear exactly once; blanks = value may hold blanks. */
static const struct key {
	const char *name;
	key_fn fn;
	bool once;
	bool blanks;
	bool utf8;
} keys[] = {
	{ "format", key_format, true, false, false },
	{ "policy_domain", key_policy_domain, true, false, false },
	{ "org_name", key_org_name, true, true, true },
	{ "report_id", key_report_id, true, false, false },
	{ "begin", key_begin, true, false, false },
	{ "end", key_end, true, false, false },
	{ "file", key_file, true, false, false },
	{ "rua", key_rua, false, false, false },
	{ "sent", key_sent, false, true, false },
	{ "skipped", key_skipped, false, true, false },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* value_chars_ok - printable ASCII (blank only if allowed; 8-bit if allowed), no edge blanks. */
static bool
value_chars_ok(const char *v, size_t n, const struct key *k)
{
	size_t i;

	if (n == 0 || v[0] == ' ' || v[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c == ' ' ? !k->blanks : (c < 0x21 || c == 0x7f || (c > 0x7f && !k->utf8)))
			return false;
	}
	return true;
}

/* parse_line - one line of n bytes (without its LF). */
static enum meta_status
parse_line(struct parser *p, const char *s, size_t n)
{
	const char *sp = memchr(s, ' ', n);
	size_t klen = sp != NULL ? (size_t)(sp - s) : n, i;

	if (n > META_LINE_MAX)
		return bad(p, "line longer than %d bytes", META_LINE_MAX);
	if (sp == NULL)
		return bad(p, n == 0 ? "empty line" : "expected \"key value\"");
	for (i = 0; i < N_KEYS; i++)
		if (strlen(keys[i].name) == klen && memcmp(keys[i].name, s, klen) == 0)
			break;
	if (i == N_KEYS)
		return bad(p, "unknown key \"%.*s\"", (int)(klen > 40 ? 40 : klen), s);
	if (!value_chars_ok(sp + 1, n - klen - 1, &keys[i]))
		return bad(p, "bad characters or blanks in the value of %s", keys[i].name);
	if (keys[i].once && (p->seen & (1u << i)) != 0)
		return bad(p, "%s given twice", keys[i].name);
	p->seen |= 1u << i;
	return keys[i].fn(p, sp + 1, n - klen - 1);
}

/* check_file_parts - receiver!policy-domain!begin!end[!id]: the same domain and times. */
static enum meta_status
check_file_parts(struct parser *p)
{
	const struct meta *m = p->m;
	char want[DOMAIN_BUFSIZE + 48];
	const char *bang = strchr(m->file, '!');
	int len;

	len = snprintf(want, sizeof(want), "!%s!%llu!%llu", m->policy_domain,
	    (unsigned long long)m->begin, (unsigned long long)m->end);
	if (bang == NULL || bang == m->file || strncmp(bang, want, (size_t)len) != 0 ||
	    strchr("!.-", bang[len]) == NULL || bang[len] == '\0')
		return bad(p, "file is not named receiver!%s!%llu!%llu[!id].xml.gz", m->policy_domain,
		    (unsigned long long)m->begin, (unsigned long long)m->end);
	return META_OK;
}

/* check_complete - every single key present, one rua at least, begin <= end. */
static enum meta_status
check_complete(struct parser *p)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (keys[i].once && (p->seen & (1u << i)) == 0)
			return bad(p, "no %s line", keys[i].name);
	if (p->m->n_dest == 0)
		return bad(p, "no rua line");
	if (p->m->begin > p->m->end)
		return bad(p, "begin is after end");
	return check_file_parts(p);
}

/* set_base - the base name of name when it ends in ".meta". */
static void
set_base(struct parser *p, const char *name)
{
	const char *slash = strrchr(name, '/');
	size_t n;

	p->base = slash != NULL ? slash + 1 : name;
	n = strlen(p->base);
	if (n > 5 && strcmp(p->base + n - 5, ".meta") == 0)
		p->base_len = n - 5;
	else
		p->base = NULL;
}

enum meta_status
meta_parse(const char *text, size_t len, const char *name, struct meta *m, char *err,
    size_t errsize)
{
	struct parser p = { .name = name, .m = m, .err = err, .errsize = errsize };
	const char *s = text, *end = text + len, *nl;
	enum meta_status st;

	memset(m, 0, sizeof(*m));
	set_base(&p, name);
	if (len > META_MAX_BYTES)
		return bad(&p, "larger than %d bytes", META_MAX_BYTES);
	if (memchr(text, '\0', len) != NULL)
		return bad(&p, "NUL byte in the file");
	while (s < end) {
		p.line++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			return bad(&p, "last line has no newline");
		if ((st = parse_line(&p, s, (size_t)(nl - s))) != META_OK)
			return st;
		s = nl + 1;
	}
	return check_complete(&p);
}

void
meta_free(struct meta *m)
{
	size_t i;

	free(m->org_name);
	free(m->report_id);
	free(m->file);
	for (i = 0; i < m->n_dest; i++)
		free(m->dest[i].uri);
	memset(m, 0, sizeof(*m));
}

bool
meta_all_done(const struct meta *m)
{
	size_t i;

	for (i = 0; i < m->n_dest; i++)
		if (m->dest[i].done == META_DUE)
			return false;
	return true;
}

const char *
meta_format_name(enum meta_format f)
{
	return f == META_FORMAT_RFC7489 ? "rfc7489" : "dmarc-2.0";
}

/* clean_reason - reason as printable ASCII ('?' for others), cut, no edge blanks. */
static void
clean_reason(const char *reason, char *out, size_t outsize)
{
	size_t i, o = 0;

	for (i = 0; reason != NULL && reason[i] != '\0' && o + 1 < outsize; i++) {
		unsigned char c = (unsigned char)reason[i];

		if (c == ' ' && o == 0)
			continue;
		out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
}

enum str_status
meta_append_line(struct str *out, enum meta_done done, const char *uri, int64_t when,
    const char *reason)
{
	char why[META_REASON_MAX + 1];

	if (done == META_SENT)
		return str_printf(out, "sent %s %lld\n", uri, (long long)when);
	clean_reason(reason, why, sizeof(why));
	return str_printf(out, "%s %s %lld%s%s\n", done == META_DROPPED ? "dropped" : "skipped", uri,
	    (long long)when, why[0] ? " " : "", why);
}
