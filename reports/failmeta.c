/*
 * failmeta.c - parse the .meta file of a spooled failure report (see
 * failmeta.h and doc/report-spool.md).  Pure functions; thread-safe.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "failmeta.h"

#define LINE_MAX_BYTES 2048	/* bytes of one line */

/* One parse. */
struct parser {
	const char *name;
	unsigned line;
	unsigned seen;		/* bit per key of keys[] seen */
	bool done_seen;		/* a sent/skipped/dropped line was seen */
	struct failmeta *m;
	char *err;
	size_t errsize;
};

typedef enum meta_status (*key_fn)(struct parser *p, const char *v, size_t n);

/* bad - err = "NAME:LINE: what"; returns META_BAD. */
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

/* parse_num - 1..19 digits, no leading zero unless "0". */
static bool
parse_num(const char *v, size_t n, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 19 || (v[0] == '0' && n > 1))
		return false;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	*out = x;
	return true;
}

/* key_format - "afrf-1". */
static enum meta_status
key_format(struct parser *p, const char *v, size_t n)
{
	return n == 6 && memcmp(v, "afrf-1", 6) == 0 ? META_OK : bad(p, "format must be afrf-1");
}

/* domain_value - a domain already in normalised form into out. */
static enum meta_status
domain_value(struct parser *p, const char *key, const char *v, size_t n, char *out)
{
	enum domain_status st = domain_normalize(v, n, out);

	if (st != DOMAIN_OK)
		return bad(p, "%s: %s", key, domain_strerror(st));
	if (strlen(out) != n || memcmp(out, v, n) != 0)
		return bad(p, "%s is not in normalised form (lower-case A-labels, no trailing dot)",
		    key);
	return META_OK;
}

static enum meta_status
key_policy_domain(struct parser *p, const char *v, size_t n)
{
	return domain_value(p, "policy_domain", v, n, p->m->policy_domain);
}

static enum meta_status
key_org_domain(struct parser *p, const char *v, size_t n)
{
	return domain_value(p, "org_domain", v, n, p->m->org_domain);
}

/* key_created - seconds since the epoch. */
static enum meta_status
key_created(struct parser *p, const char *v, size_t n)
{
	return parse_num(v, n, &p->m->created) ? META_OK :
	    bad(p, "created is not a number of seconds");
}

/* key_source_ip - an IPv4 or IPv6 address. */
static enum meta_status
key_source_ip(struct parser *p, const char *v, size_t n)
{
	unsigned char addr[16];

	if (n >= sizeof(p->m->source_ip))
		return bad(p, "source_ip too long");
	memcpy(p->m->source_ip, v, n);
	p->m->source_ip[n] = '\0';
	if (inet_pton(AF_INET, p->m->source_ip, addr) != 1 &&
	    inet_pton(AF_INET6, p->m->source_ip, addr) != 1)
		return bad(p, "source_ip is not an IP address");
	return META_OK;
}

/* find_dest - index of the destination uri (n bytes), or -1. */
static int
find_dest(const struct failmeta *m, const char *uri, size_t n)
{
	size_t i;

	for (i = 0; i < m->n_dest; i++)
		if (strlen(m->dest[i].uri) == n && memcmp(m->dest[i].uri, uri, n) == 0)
			return (int)i;
	return -1;
}

/* key_ruf - one destination; a repeated one is the same destination. */
static enum meta_status
key_ruf(struct parser *p, const char *v, size_t n)
{
	struct failmeta *m = p->m;
	char *uri;

	if (p->done_seen)
		return bad(p, "ruf line after a sent/skipped/dropped line");
	if (n > RUA_MAX || memchr(v, ' ', n) != NULL)
		return bad(p, "ruf must be one URI without blanks, at most %d bytes", RUA_MAX);
	if (find_dest(m, v, n) >= 0)
		return META_OK;
	if (m->n_dest >= META_MAX_DEST)
		return bad(p, "more than %d ruf lines", META_MAX_DEST);
	if ((uri = malloc(n + 1)) == NULL)
		return META_NOMEM;
	memcpy(uri, v, n);
	uri[n] = '\0';
	m->dest[m->n_dest].uri = uri;
	m->dest[m->n_dest].line = p->line;
	m->dest[m->n_dest].done = META_DUE;
	m->n_dest++;
	return META_OK;
}

/* key_done - "URI TIME" (sent) or "URI TIME REASON" (skipped, dropped). */
static enum meta_status
key_done(struct parser *p, const char *v, size_t n, enum meta_done what)
{
	const char *sp = memchr(v, ' ', n), *t, *te;
	uint64_t when;
	int i;

	if (sp == NULL)
		return bad(p, "expected URI and time");
	if ((i = find_dest(p->m, v, (size_t)(sp - v))) < 0)
		return bad(p, "done line for a destination with no ruf line above it");
	t = sp + 1;
	if ((te = memchr(t, ' ', n - (size_t)(t - v))) == NULL)
		te = v + n;
	if (!parse_num(t, (size_t)(te - t), &when))
		return bad(p, "the time is not a number of seconds");
	if (what == META_SENT && te != v + n)
		return bad(p, "trailing text after the time of a sent line");
	if (p->m->dest[i].done != META_DUE)
		return bad(p, "second done line for the destination of line %u",
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

static enum meta_status
key_dropped(struct parser *p, const char *v, size_t n)
{
	return key_done(p, v, n, META_DROPPED);
}

/* The keys: once = exactly once; blanks = the value may hold blanks; done = an outcome line. */
static const struct key {
	const char *name;
	key_fn fn;
	bool once, blanks, done;
} keys[] = {
	{ "format", key_format, true, false, false },
	{ "policy_domain", key_policy_domain, true, false, false },
	{ "org_domain", key_org_domain, true, false, false },
	{ "created", key_created, true, false, false },
	{ "source_ip", key_source_ip, true, false, false },
	{ "ruf", key_ruf, false, false, false },
	{ "sent", key_sent, false, true, true },
	{ "skipped", key_skipped, false, true, true },
	{ "dropped", key_dropped, false, true, true },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* value_chars_ok - printable ASCII (a blank only if allowed), no edge blanks. */
static bool
value_chars_ok(const char *v, size_t n, bool blanks)
{
	size_t i;

	if (n == 0 || v[0] == ' ' || v[n - 1] == ' ')
		return false;
	for (i = 0; i < n; i++)
		if (v[i] == ' ' ? !blanks : (v[i] < 0x21 || v[i] > 0x7e))
			return false;
	return true;
}

/* parse_line - one line of n bytes (without its LF) at offset off. */
static enum meta_status
parse_line(struct parser *p, const char *s, size_t n, size_t off)
{
	const char *sp = memchr(s, ' ', n);
	size_t klen = sp != NULL ? (size_t)(sp - s) : n, i;

	if (n > LINE_MAX_BYTES)
		return bad(p, "line longer than %d bytes", LINE_MAX_BYTES);
	if (sp == NULL)
		return bad(p, n == 0 ? "empty line" : "expected \"key value\"");
	for (i = 0; i < N_KEYS; i++)
		if (strlen(keys[i].name) == klen && memcmp(keys[i].name, s, klen) == 0)
			break;
	if (i == N_KEYS)
		return bad(p, "unknown key \"%.*s\"", (int)(klen > 40 ? 40 : klen), s);
	if (!value_chars_ok(sp + 1, n - klen - 1, keys[i].blanks))
		return bad(p, "bad characters or blanks in the value of %s", keys[i].name);
	if (keys[i].once && (p->seen & (1u << i)) != 0)
		return bad(p, "%s given twice", keys[i].name);
	if (keys[i].done)
		p->done_seen = true;
	if (!keys[i].done && off + n + 1 > FAILMETA_WRITTEN_MAX)
		return bad(p, "the daemon's part is larger than %d bytes", FAILMETA_WRITTEN_MAX);
	p->seen |= 1u << i;
	return keys[i].fn(p, sp + 1, n - klen - 1);
}

/* check_complete - every single key present, one ruf at least. */
static enum meta_status
check_complete(struct parser *p)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (keys[i].once && (p->seen & (1u << i)) == 0)
			return bad(p, "no %s line", keys[i].name);
	return p->m->n_dest == 0 ? bad(p, "no ruf line") : META_OK;
}

enum meta_status
failmeta_parse(const char *text, size_t len, const char *name, struct failmeta *m, char *err,
    size_t errsize)
{
	struct parser p = { .name = name, .m = m, .err = err, .errsize = errsize };
	const char *s = text, *end = text + len, *nl;
	enum meta_status st;

	memset(m, 0, sizeof(*m));
	if (len > FAILMETA_MAX_BYTES)
		return bad(&p, "larger than %d bytes", FAILMETA_MAX_BYTES);
	if (memchr(text, '\0', len) != NULL)
		return bad(&p, "NUL byte in the file");
	while (s < end) {
		p.line++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			return bad(&p, "last line has no newline");
		if ((st = parse_line(&p, s, (size_t)(nl - s), (size_t)(s - text))) != META_OK)
			return st;
		s = nl + 1;
	}
	return check_complete(&p);
}

void
failmeta_free(struct failmeta *m)
{
	size_t i;

	for (i = 0; i < m->n_dest; i++)
		free(m->dest[i].uri);
	memset(m, 0, sizeof(*m));
}

bool
failmeta_all_done(const struct failmeta *m)
{
	size_t i;

	for (i = 0; i < m->n_dest; i++)
		if (m->dest[i].done == META_DUE)
			return false;
	return true;
}
