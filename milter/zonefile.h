/*
 * zonefile.h - DNS data from a master-format file, as a struct policy_env,
 * for the offline checker and tests.  Understands one record per line:
 *   name [ttl] [IN] TYPE rdata      ; comment
 * with TXT rdata as one or more "quoted strings" (joined), and any other
 * type (A, AAAA, MX, ...) only making the name exist.  Names absent from the
 * file are NXDOMAIN, present names without the type are NODATA; the pseudo
 * type TIMEOUT makes every query for that name a temporary failure.
 * Loaded once, then read-only: lookups are thread-safe.
 */
#ifndef AUTHMILTER_ZONEFILE_H
#define AUTHMILTER_ZONEFILE_H

#include <stddef.h>

#include "env.h"

struct zonefile;

/* zonefile_load - read path; NULL on error with "path:line: why" in err. */
struct zonefile *zonefile_load(const char *path, char *err, size_t errsize);

/* zonefile_free - release (NULL is fine). */
void zonefile_free(struct zonefile *z);

/* zonefile_env - callbacks answering from z (clock: 0 unless set; roll: 0). */
struct policy_env zonefile_env(struct zonefile *z);

#endif
