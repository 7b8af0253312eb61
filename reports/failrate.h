/*
 * failrate.h - the rate limit of failure reports (FailureReportsRate, "N/m",
 * "N/h" or "N/d"): at most N messages per window per policy domain and per
 * destination address.  Windows are fixed: they start at multiples of
 * their length since the epoch (a burst of up to 2N across a boundary is
 * possible).  The counts survive across runs in a state file of lines
 * "KEY WINDOW_START COUNT" (KEY "domain:D" or "to:ADDR"); lines of other
 * windows (stale, or of another rate) are dropped when it is read, so it
 * holds at most the keys of the current window, and at most FAILRATE_MAX_KEYS
 * of them (beyond that nothing more is allowed in the window).
 *
 * The caller serialises runs (send-failures holds the spool lock while it
 * loads, uses and saves the state).  Not thread-safe.
 */
#ifndef AUTHMILTER_REPORTS_FAILRATE_H
#define AUTHMILTER_REPORTS_FAILRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strmap.h"

#define FAILRATE_MAX_KEYS 20000		/* keys of one window */
#define FAILRATE_KEY_MAX 320		/* bytes of a key */

enum failrate_status {
	FAILRATE_OK = 0,
	FAILRATE_ERROR		/* see err */
};

struct failrate {
	unsigned limit;		/* N */
	unsigned seconds;	/* the window's length */
	int64_t window;		/* the current window's start */
	struct strmap counts;	/* key -> messages sent in the window (num) */
	unsigned ignored;	/* lines of the state file not understood */
};

/*
 * failrate_load - rate ("N/m", "N/h", "N/d"), the clock now, and the
 * state file path (missing: no counts yet) into fr (released with
 * failrate_free whatever the status).  A malformed line is counted in
 * fr->ignored, not an error; an unreadable file is.
 */
enum failrate_status failrate_load(struct failrate *fr, const char *rate, int64_t now,
    const char *path, char *err, size_t errsize);

/*
 * failrate_allows - may one more message for policy domain domain go to
 * addr?  When not, why (whysize bytes) says which limit: "10/h for
 * example.com" or "10/h to x@example.net".
 */
bool failrate_allows(const struct failrate *fr, const char *domain, const char *addr,
    char *why, size_t whysize);

/* failrate_count - one message sent for domain to addr. */
enum failrate_status failrate_count(struct failrate *fr, const char *domain, const char *addr);

/*
 * failrate_save - write the counts to path: a temporary file beside it
 * (".NAME.tmp"), fsync'd, renamed into place.
 */
enum failrate_status failrate_save(const struct failrate *fr, const char *path, char *err,
    size_t errsize);

/* failrate_free - release fr.  Safe twice. */
void failrate_free(struct failrate *fr);

#endif
