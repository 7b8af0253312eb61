/*
 * callbacks.h - the libmilter callbacks: thin, they only collect facts
 * into the connection's struct message (message.h), and at the end of the
 * message hand the decision to apply.c.  Also the current runtime, swapped
 * by a reload.
 *
 * Thread-safety: callbacks run on libmilter's threads; callbacks_set_runtime
 * may be called from any thread at any time.
 */
#ifndef AUTHMILTER_CALLBACKS_H
#define AUTHMILTER_CALLBACKS_H

#include <libmilter/mfapi.h>

struct runtime;

/* callbacks_desc - the filter description for smfi_register. */
struct smfiDesc *callbacks_desc(void);

/* callbacks_set_runtime - make rt current (takes a reference), dropping the old one. */
void callbacks_set_runtime(struct runtime *rt);

/* callbacks_get_runtime - a new reference to the current runtime (NULL before the first set). */
struct runtime *callbacks_get_runtime(void);

#endif
