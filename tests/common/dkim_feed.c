/*
 * dkim_feed.c - a whole message into the DKIM or ARC engine (see
 * dkim_feed.h).
 */
#include <stdlib.h>
#include <string.h>

#include "dkim_feed.h"

/* line_end - length of the line ending at p ("\r\n", "\n" or 0). */
static size_t
line_end(const char *p)
{
	if (p[0] == '\r' && p[1] == '\n')
		return 2;
	return p[0] == '\n' ? 1 : 0;
}

/* feed_crlf - msg_feed on a message with CRLF line ends. */
static int
feed_crlf(const char *msg, size_t len, size_t chunk, const struct msg_feed_ops *ops,
    void *ctx)
{
	const char *p = msg, *end = msg + len, *field = NULL, *fend = NULL;
	size_t el, n;
	int bad = 0;

	while (p < end) {
		const char *eol = p + strcspn(p, "\r\n");

		if (eol == p) {			/* empty line: end of header */
			p += line_end(p);
			break;
		}
		if (*p != ' ' && *p != '\t') {
			if (field != NULL)
				bad |= ops->header(ctx, field, (size_t)(fend - field));
			field = p;
		}
		fend = eol;
		el = line_end(eol);
		p = eol + (el ? el : (size_t)(end - eol));
	}
	if (field != NULL)
		bad |= ops->header(ctx, field, (size_t)(fend - field));
	bad |= ops->eoh(ctx);
	for (; p < end; p += n) {
		n = chunk == 0 || (size_t)(end - p) < chunk ? (size_t)(end - p) : chunk;
		bad |= ops->body(ctx, (const unsigned char *)p, n);
	}
	return bad ? -1 : 0;
}

/*
 * to_crlf - a copy of msg with every bare LF made CRLF, as an MTA hands a
 * message to a milter (the engine takes CRLF line ends only); NULL when out
 * of memory.  *outlen is its length.
 */
static char *
to_crlf(const char *msg, size_t len, size_t *outlen)
{
	char *out = malloc(2 * len + 1);
	size_t i, n = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if (msg[i] == '\n' && (i == 0 || msg[i - 1] != '\r'))
			out[n++] = '\r';
		out[n++] = msg[i];
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

int
msg_feed(const char *raw, size_t rawlen, size_t chunk, const struct msg_feed_ops *ops,
    void *ctx)
{
	size_t len;
	char *msg = to_crlf(raw, rawlen, &len);
	int rc;

	if (msg == NULL)
		return -2;
	rc = feed_crlf(msg, len, chunk, ops, ctx);
	free(msg);
	return rc;
}

/* dkim_header - the engine's call, as msg_feed wants it. */
static int
dkim_header(void *m, const char *f, size_t n)
{
	return dkim_msg_header(m, f, n);
}
/* dkim_eoh - the engine's call, as msg_feed wants it. */
static int
dkim_eoh(void *m)
{
	return dkim_msg_eoh(m);
}
/* dkim_body - the engine's call, as msg_feed wants it. */
static int
dkim_body(void *m, const unsigned char *d, size_t n)
{
	return dkim_msg_body(m, d, n);
}

void
dkim_feed_message(struct dkim_msg *m, const char *msg, size_t len)
{
	static const struct msg_feed_ops ops = { dkim_header, dkim_eoh, dkim_body };

	(void)msg_feed(msg, len, 0, &ops, m);
}

/* arc_header - the engine's call, as msg_feed wants it. */
static int
arc_header(void *m, const char *f, size_t n)
{
	return arc_msg_header(m, f, n);
}
/* arc_eoh - the engine's call, as msg_feed wants it. */
static int
arc_eoh(void *m)
{
	return arc_msg_eoh(m);
}
/* arc_body - the engine's call, as msg_feed wants it. */
static int
arc_body(void *m, const unsigned char *d, size_t n)
{
	return arc_msg_body(m, d, n);
}

int
arc_feed_message(struct arc_msg *m, const char *msg, size_t len, size_t chunk)
{
	static const struct msg_feed_ops ops = { arc_header, arc_eoh, arc_body };

	return msg_feed(msg, len, chunk, &ops, m);
}
