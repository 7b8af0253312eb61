/*
 * dkim_feed.c - a whole message into the DKIM engine (see dkim_feed.h).
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

/* feed_crlf - dkim_feed_message on a message with CRLF line ends. */
static void
feed_crlf(struct dkim_msg *m, const char *msg, size_t len)
{
	const char *p = msg, *end = msg + len, *field = NULL, *fend = NULL;
	size_t el;

	while (p < end) {
		const char *eol = p + strcspn(p, "\r\n");

		if (eol == p) {			/* empty line: end of header */
			p += line_end(p);
			break;
		}
		if (*p != ' ' && *p != '\t') {
			if (field != NULL)
				dkim_msg_header(m, field, (size_t)(fend - field));
			field = p;
		}
		fend = eol;
		el = line_end(eol);
		p = eol + (el ? el : (size_t)(end - eol));
	}
	if (field != NULL)
		dkim_msg_header(m, field, (size_t)(fend - field));
	dkim_msg_eoh(m);
	if (p < end)
		dkim_msg_body(m, (const unsigned char *)p, (size_t)(end - p));
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

/*
 * dkim_feed_message - split msg into header fields (unfolded boundaries, folds
 * kept) and body, with CRLF line ends, and feed them to m.
 */
void
dkim_feed_message(struct dkim_msg *m, const char *raw, size_t rawlen)
{
	size_t len;
	char *msg = to_crlf(raw, rawlen, &len);

	if (msg == NULL)
		return;
	feed_crlf(m, msg, len);
	free(msg);
}
