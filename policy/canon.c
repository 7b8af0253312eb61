/*
 * canon.c - RFC 6376 3.4 canonicalization; see canon.h.  Called by
 * milter/arc_verify.c and the tests.  Thread-safe (caller's state only).
 */
#include <string.h>

#include "canon.h"

/* is_wsp - SP or HTAB. */
static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* lower - ASCII lower case. */
static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/*
 * relaxed_run - text unfolded (CR and LF deleted), each whitespace run
 * made one SP, whitespace at both ends deleted; lower-cased when lc.
 */
static enum str_status
relaxed_run(const char *v, size_t n, bool lc, struct str *out)
{
	enum str_status st = STR_OK;
	bool wsp = false, any = false;
	size_t k;

	for (k = 0; k < n && st == STR_OK; k++) {
		if (v[k] == '\r' || v[k] == '\n')
			continue;
		if (is_wsp(v[k])) {
			wsp = true;
			continue;
		}
		if (wsp && any)
			st = str_appendc(out, ' ');
		if (st == STR_OK)
			st = str_appendc(out, lc ? lower(v[k]) : v[k]);
		wsp = false;
		any = true;
	}
	return st;
}

enum str_status
canon_header(enum canon_mode mode, const char *field, size_t len, bool crlf,
    struct str *out)
{
	const char *colon = memchr(field, ':', len);
	enum str_status st;
	size_t nlen;

	if (mode == CANON_SIMPLE || colon == NULL) {
		st = str_append(out, field, len);
	} else {
		nlen = (size_t)(colon - field);
		if ((st = relaxed_run(field, nlen, true, out)) == STR_OK &&
		    (st = str_appendc(out, ':')) == STR_OK)
			st = relaxed_run(colon + 1, len - nlen - 1, false, out);
	}
	if (st == STR_OK && crlf)
		st = str_append(out, "\r\n", 2);
	return st;
}

void
canon_body_init(struct canon_body *b, enum canon_mode mode, canon_sink sink, void *ctx)
{
	memset(b, 0, sizeof(*b));
	b->mode = mode;
	b->sink = sink;
	b->ctx = ctx;
}

/* flush - hand the buffered output to the sink. */
static void
flush(struct canon_body *b)
{
	if (b->blen > 0)
		b->sink(b->ctx, b->buf, b->blen);
	b->emitted += b->blen;
	b->blen = 0;
}

/* put - one output byte. */
static void
put(struct canon_body *b, unsigned char c)
{
	if (b->blen == sizeof(b->buf))
		flush(b);
	b->buf[b->blen++] = c;
}

/* content - one byte of line content: first release held-back empty lines. */
static void
content(struct canon_body *b, unsigned char c)
{
	for (; b->pending > 0; b->pending--) {
		put(b, '\r');
		put(b, '\n');
	}
	put(b, c);
	b->line = true;
}

/* end_line - a CRLF: emit it after content, hold it back after none. */
static void
end_line(struct canon_body *b)
{
	b->wsp = false;		/* relaxed: trailing whitespace is dropped */
	if (b->line) {
		put(b, '\r');
		put(b, '\n');
		b->line = false;
	} else
		b->pending++;
}

/* byte - one input byte that is not part of a CRLF. */
static void
byte(struct canon_body *b, unsigned char c)
{
	if (b->mode == CANON_RELAXED) {
		if (c == ' ' || c == '\t') {
			b->wsp = true;
			return;
		}
		if (b->wsp)
			content(b, ' ');
		b->wsp = false;
	}
	content(b, c);
}

void
canon_body_update(struct canon_body *b, const unsigned char *data, size_t len)
{
	size_t k;

	for (k = 0; k < len; k++) {
		if (b->cr) {
			b->cr = false;
			if (data[k] == '\n') {
				end_line(b);
				continue;
			}
			byte(b, '\r');
		}
		if (data[k] == '\r')
			b->cr = true;
		else
			byte(b, data[k]);
	}
}

void
canon_body_final(struct canon_body *b)
{
	if (b->cr) {
		b->cr = false;
		byte(b, '\r');
	}
	b->wsp = false;
	if (b->line) {
		put(b, '\r');
		put(b, '\n');
		b->line = false;
	}
	b->pending = 0;
	if (b->mode == CANON_SIMPLE && b->emitted == 0 && b->blen == 0) {
		put(b, '\r');
		put(b, '\n');
	}
	flush(b);
}
