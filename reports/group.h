/*
 * group.h - aggregation of one report's messages into rows: messages with
 * the same source IP, identifiers (header_from, envelope_from,
 * envelope_to), DMARC result, disposition, alignment results, reasons (with
 * the ARC detail of a trusted_forwarder override) and
 * authentication results (the store's interned result set) form one row
 * with their count.  Called by aggregate.c (and the unit tests) for one
 * policy domain and period at a time.  Not thread-safe per group.
 */
#ifndef AUTHMILTER_REPORTS_GROUP_H
#define AUTHMILTER_REPORTS_GROUP_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "strmap.h"

struct group_row {
	char *source_ip;
	char *header_from;
	char *envelope_from;		/* NULL: not known; "": null reverse-path */
	char *envelope_to;		/* NULL: not reported */
	enum dmarc_result result;
	enum disposition disposition;
	bool dkim_aligned, spf_aligned;
	unsigned reasons;		/* report_reasons(): OVERRIDE_* | REPORT_REASON_UNEXPLAINED */
	char *forwarder;		/* the trusted_forwarder comment (ARC), NULL none */
	int64_t auth_id;
	uint64_t count;
};

struct group {
	struct strmap map;		/* row key -> struct group_row * */
	struct str key;			/* scratch */
	struct group_row **rows;	/* every row, in order of creation */
	size_t nrows, caprows;
	uint64_t total;			/* messages added */
};

enum group_status {
	GROUP_OK = 0,
	GROUP_NOMEM
};

/* group_init - an empty grouping. */
void group_init(struct group *g);

/* group_free - release the rows; g is empty again. */
void group_free(struct group *g);

/* group_add - count m in its row (created when new). */
enum group_status group_add(struct group *g, const struct report_msg *m);

/*
 * group_sort - order the rows (g->rows) for output: by source IP, then
 * header_from, envelope_from, envelope_to, disposition, alignment,
 * reasons, result and result set, so that a report is reproducible.
 */
void group_sort(struct group *g);

#endif
