/*
 * dkim_feed.h - feed a whole message (CRLF or LF lines) to a verifier's
 * streaming API as a milter sees it, for the DKIM and ARC test programs:
 * line ends made CRLF, each header field (folds kept, no trailing CRLF) in
 * order, the end of the header, then the body.  Single-threaded.
 */
#ifndef AUTHMILTER_DKIM_FEED_H
#define AUTHMILTER_DKIM_FEED_H

#include <stddef.h>

#include "arc_verify.h"
#include "dkim_verify.h"

/* What msg_feed calls; each returns 0, non-zero when it failed. */
struct msg_feed_ops {
	int (*header)(void *ctx, const char *field, size_t len);
	int (*eoh)(void *ctx);
	int (*body)(void *ctx, const unsigned char *data, size_t len);
};

/*
 * msg_feed - split msg into header fields and body, with CRLF line ends,
 * and pass them to ops; the body in pieces of chunk bytes (0: whole).
 * Every call is made even after one failed.  Returns 0, -1 when a call
 * failed, -2 when out of memory (nothing was fed).
 */
int msg_feed(const char *msg, size_t len, size_t chunk,
    const struct msg_feed_ops *ops, void *ctx);

/* dkim_feed_message - msg_feed into the DKIM message m, body whole. */
void dkim_feed_message(struct dkim_msg *m, const char *msg, size_t len);

/* arc_feed_message - msg_feed into the ARC message m: its return. */
int arc_feed_message(struct arc_msg *m, const char *msg, size_t len, size_t chunk);

#endif
