/*
 * meta.h - the .meta file of a spooled report (doc/report-spool.md): what
 * "aggregate" wrote (format, policy_domain, org_name, report_id, begin,
 * end, file, one rua line per destination) and what "send" appended (a
 * "sent URI TIME" or "skipped URI TIME REASON" line per destination dealt
 * with).
 *
 * The parser is strict: one "key value" per line, a single blank between,
 * lines ending in LF (the last one too), printable ASCII only (org_name
 * and the reason of a skipped line may hold blanks; org_name may hold
 * UTF-8), every key but rua, sent and skipped exactly once, no unknown
 * key, values checked (a normalised policy domain, a ridfmt Report-ID,
 * begin <= end, a file name that is the .meta's own name with .xml.gz and
 * names the same policy domain, begin and end, sent/skipped lines only for
 * a rua of the file and at most one per destination).  Identical rua
 * lines are one destination.  Pure functions; thread-safe.
 */
#ifndef AUTHMILTER_REPORTS_META_H
#define AUTHMILTER_REPORTS_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain.h"
#include "str.h"

#define META_MAX_BYTES 131072	/* size of a .meta file: room for 32 rua lines of
				 * RUA_MAX bytes and a sent/skipped line for each */
#define META_MAX_DEST 32	/* destinations of one report */
#define META_ORG_NAME_MAX 256	/* bytes of org_name */
#define META_REASON_MAX 300	/* bytes of the reason of a skipped line */

enum meta_status {
	META_OK = 0,
	META_BAD,		/* malformed: err says where and why */
	META_NOMEM
};

enum meta_format {
	META_FORMAT_DMARC2 = 0,	/* "dmarc-2.0": RFC 9990 */
	META_FORMAT_RFC7489	/* "rfc7489": the legacy format */
};

enum meta_done {
	META_DUE = 0,		/* no sent/skipped line yet */
	META_SENT,
	META_SKIPPED,
	META_DROPPED		/* failure reports only: over the rate limit (failmeta.h) */
};

struct meta_dest {
	char *uri;		/* the rua value as written (malloc'd) */
	unsigned line;		/* line of its first rua line */
	enum meta_done done;
};

struct meta {
	enum meta_format format;
	char policy_domain[DOMAIN_BUFSIZE];
	char *org_name;		/* malloc'd */
	char *report_id;	/* malloc'd, ridfmt */
	uint64_t begin, end;	/* seconds since the epoch */
	char *file;		/* malloc'd: the .xml.gz file name, no directory */
	size_t n_dest;
	struct meta_dest dest[META_MAX_DEST];
};

/*
 * meta_parse - parse len bytes of a .meta file named name (a path; its
 * last component without ".meta" is the base name the file key must
 * repeat; a name not ending in ".meta" skips that check) into m, which
 * need not be initialised and must be released with meta_free whatever
 * the status.  On META_BAD err (errsize bytes) is "NAME:LINE: what".
 */
enum meta_status meta_parse(const char *text, size_t len, const char *name, struct meta *m,
    char *err, size_t errsize);

/* meta_free - release m's strings; m is empty afterwards.  Safe twice. */
void meta_free(struct meta *m);

/* meta_all_done - has every destination a sent or skipped line? */
bool meta_all_done(const struct meta *m);

/* meta_format_name - "dmarc-2.0" or "rfc7489". */
const char *meta_format_name(enum meta_format f);

/*
 * meta_append_line - append the line recording what was done for uri at
 * time when to out: "sent URI TIME\n", or "skipped URI TIME REASON\n" with
 * the reason cut to META_REASON_MAX bytes and every byte outside printable
 * ASCII made '?'; "dropped URI TIME REASON\n" likewise (failure reports,
 * failmeta.h).  done must not be META_DUE.
 */
enum str_status meta_append_line(struct str *out, enum meta_done done, const char *uri,
    int64_t when, const char *reason);

#endif
