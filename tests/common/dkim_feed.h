/*
 * dkim_feed.h - feed a whole message (CRLF or LF lines) to the DKIM
 * engine's streaming API, for the DKIM test programs.  Single-threaded.
 */
#ifndef AUTHMILTER_DKIM_FEED_H
#define AUTHMILTER_DKIM_FEED_H

#include <stddef.h>

#include "dkim_verify.h"

/*
 * dkim_feed_message - split msg into header fields (folds kept) and body,
 * and pass them to m: dkim_msg_header per field, dkim_msg_eoh, dkim_msg_body.
 */
void dkim_feed_message(struct dkim_msg *m, const char *msg, size_t len);

#endif
