/*
 * dkim_feed.c - a whole message into the DKIM engine (see dkim_feed.h).
 */
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

/*
 * dkim_feed_message - split msg into header fields (unfolded boundaries, folds
 * kept) and body, and feed them to m.
 */
void
dkim_feed_message(struct dkim_msg *m, const char *msg, size_t len)
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
