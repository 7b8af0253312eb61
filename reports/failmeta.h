/*
 * failmeta.h - the .meta file of a spooled failure report (doc/report-
 * spool.md, "The failure report spool"): what the daemon wrote (format
 * afrf-1, policy_domain, org_domain, created, source_ip, one ruf line per
 * destination) and what "send-failures" appended (a "sent URI TIME",
 * "skipped URI TIME REASON" or "dropped URI TIME REASON" line per
 * destination dealt with, written by meta_append_line).
 *
 * The parser is strict, as meta.c's: one "key value" per line, a single
 * blank between, every line ending in LF, printable ASCII only (reasons
 * may hold blanks), every key but ruf, sent, skipped and dropped exactly
 * once, no unknown key; the daemon's part (the lines before the first
 * sent/skipped/dropped line) at most FAILMETA_WRITTEN_MAX bytes, at most
 * META_MAX_DEST ruf lines of at most RUA_MAX bytes; a done line only for a
 * ruf above it, at most one per destination.  Identical ruf lines are one
 * destination.  Pure functions; thread-safe.
 */
#ifndef AUTHMILTER_REPORTS_FAILMETA_H
#define AUTHMILTER_REPORTS_FAILMETA_H

#include <stddef.h>
#include <stdint.h>

#include "meta.h"
#include "rua.h"

#define FAILMETA_WRITTEN_MAX 16384	/* the daemon's part (the contract) */
#define FAILMETA_SOURCE_IP_MAX 64	/* bytes of source_ip */
/* The whole file: the daemon's part and a done line per destination. */
#define FAILMETA_MAX_BYTES (FAILMETA_WRITTEN_MAX + META_MAX_DEST * (RUA_MAX + META_REASON_MAX + 48))

struct failmeta {
	char policy_domain[DOMAIN_BUFSIZE];
	char org_domain[DOMAIN_BUFSIZE];
	uint64_t created;		/* seconds since the epoch */
	char source_ip[FAILMETA_SOURCE_IP_MAX];
	size_t n_dest;
	struct meta_dest dest[META_MAX_DEST];	/* uri malloc'd; done as in meta.h */
};

/*
 * failmeta_parse - parse len bytes of a failure .meta named name (for the
 * messages) into m, which need not be initialised and must be released
 * with failmeta_free whatever the status.  On META_BAD err (errsize
 * bytes) is "NAME:LINE: what".
 */
enum meta_status failmeta_parse(const char *text, size_t len, const char *name,
    struct failmeta *m, char *err, size_t errsize);

/* failmeta_free - release m's strings; m is empty afterwards.  Safe twice. */
void failmeta_free(struct failmeta *m);

/* failmeta_all_done - has every destination a sent, skipped or dropped line? */
bool failmeta_all_done(const struct failmeta *m);

#endif
