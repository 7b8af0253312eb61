/*
 * expire.c - drop old data from the store and the spool; see expire.h.
 */
#include <string.h>

#include "expire.h"
#include "outbox.h"

int64_t
expire_cutoff(int64_t now, unsigned days)
{
	int64_t cutoff = report_day_begin(now) - (int64_t)days * REPORT_DAY;

	return cutoff > 0 ? cutoff : 0;
}

/* expire_store - the store part, in one transaction (rolled back in a dry run). */
static int
expire_store(struct store *st, const struct expire_opts *o, struct expire_totals *t)
{
	enum store_status rc;

	if (store_begin(st) != STORE_OK) {
		fprintf(o->log, "authmilter-reports: %s\n", store_error(st));
		return 2;
	}
	rc = store_expire(st, expire_cutoff(o->now, o->days), &t->store);
	if (rc == STORE_OK && !o->dry_run)
		rc = store_commit(st);
	if (rc != STORE_OK || o->dry_run)
		store_rollback(st);
	if (rc != STORE_OK) {
		fprintf(o->log, "authmilter-reports: %s\n", store_error(st));
		return 2;
	}
	return 0;
}

int
expire_run(struct store *st, const struct expire_opts *o, struct expire_totals *t)
{
	int rc;
	int64_t cutoff = o->now - (int64_t)o->days * REPORT_DAY;

	memset(t, 0, sizeof(*t));
	if ((rc = expire_store(st, o, t)) != 0)
		return rc;
	if (outbox_expire_sent(o->spool, cutoff, o->dry_run, o->log, &t->sent_files) != 0)
		rc = 1;
	if (o->failure_spool != NULL && outbox_expire_failures(o->failure_spool, cutoff,
	    o->dry_run, o->log, &t->failure_files) != 0)
		rc = 1;
	return rc;
}
