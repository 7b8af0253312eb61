/*
 * store_report.c - the report store's side of aggregate and expire: the
 * periods due, the policy and messages of a period, recording a report,
 * dropping old data.  The SQL texts are store.c's table (store_int.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* ---------------------------------------------------------------- aggregate */

/* day_list_add - append one day to a growing array. */
static enum store_status
day_list_add(struct store_day **days, size_t *n, size_t *cap, const struct store_day *d)
{
	struct store_day *v;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((v = realloc(*days, *cap * sizeof(*v))) == NULL)
			return STORE_NOMEM;
		*days = v;
	}
	(*days)[(*n)++] = *d;
	return STORE_OK;
}

enum store_status
store_days(struct store *st, int64_t last_day, struct store_day **days, size_t *ndays)
{
	struct db_stmt *s = store_prep(st, S_DAYS);
	enum store_status rc = STORE_OK;
	struct store_day d;
	size_t cap = 0;
	int step;

	*days = NULL;
	*ndays = 0;
	if (s == NULL)
		return STORE_ERROR;
	db_bind_int64(s, 1, last_day);
	while (rc == STORE_OK && (step = db_step(s)) == DB_ROW) {
		memset(&d, 0, sizeof(d));
		d.pdom_id = db_col_int64(s, 0);
		snprintf(d.domain, sizeof(d.domain), "%s", store_col_text(s, 1));
		d.day = db_col_int64(s, 2);
		d.last_time = db_col_int64(s, 3);
		d.reported_upto = db_col_int64(s, 4);
		rc = day_list_add(days, ndays, &cap, &d);
	}
	if (rc == STORE_OK && step != DB_DONE)
		rc = store_db_fail(st, "listing days");
	db_reset(s);
	if (rc != STORE_OK) {
		free(*days);
		*days = NULL;
		*ndays = 0;
	}
	return rc;
}

enum store_status
store_reported_upto(struct store *st, int64_t pdom_id, int64_t begin, int64_t end, int64_t *upto)
{
	struct db_stmt *s = store_prep(st, S_REPORTED_UPTO);
	int rc;

	*upto = -1;
	if (s == NULL)
		return STORE_ERROR;
	db_bind_int64(s, 1, pdom_id);
	db_bind_int64(s, 2, begin);
	db_bind_int64(s, 3, end);
	if ((rc = db_step(s)) == DB_ROW && !db_col_null(s, 0))
		*upto = db_col_int64(s, 0);
	db_reset(s);
	return rc == DB_ROW ? STORE_OK : store_db_fail(st, "reading reports");
}

/* host_list_add - append one host to a growing array. */
static enum store_status
host_list_add(struct store_host **hosts, size_t *n, size_t *cap, const struct store_host *h)
{
	struct store_host *v;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		if ((v = realloc(*hosts, *cap * sizeof(*v))) == NULL)
			return STORE_NOMEM;
		*hosts = v;
	}
	(*hosts)[(*n)++] = *h;
	return STORE_OK;
}

enum store_status
store_hosts_behind(struct store *st, int64_t since, int64_t end, struct store_host **hosts,
    size_t *nhosts)
{
	struct db_stmt *s = store_prep(st, S_HOSTS_BEHIND);
	enum store_status rc = STORE_OK;
	struct store_host h;
	size_t cap = 0;
	int step;

	*hosts = NULL;
	*nhosts = 0;
	if (s == NULL)
		return STORE_ERROR;
	db_bind_int64(s, 1, since);
	db_bind_int64(s, 2, end);
	while (rc == STORE_OK && (step = db_step(s)) == DB_ROW) {
		snprintf(h.name, sizeof(h.name), "%s", store_col_text(s, 0));
		h.imported_upto = db_col_int64(s, 1);
		rc = host_list_add(hosts, nhosts, &cap, &h);
	}
	if (rc == STORE_OK && step != DB_DONE)
		rc = store_db_fail(st, "reading import_host");
	db_reset(s);
	if (rc != STORE_OK) {
		free(*hosts);
		*hosts = NULL;
		*nhosts = 0;
	}
	return rc;
}

/* bind_period - ?1 pdom, ?2 day, ?3 begin, ?4 end. */
static void
bind_period(struct db_stmt *s, int64_t pdom_id, int64_t begin, int64_t end)
{
	db_bind_int64(s, 1, pdom_id);
	db_bind_int64(s, 2, report_day_begin(begin));
	db_bind_int64(s, 3, begin);
	db_bind_int64(s, 4, end);
}

/* word_col - column i as an index of tab; allow_null maps NULL to 0. */
static bool
word_col(struct db_stmt *s, int i, const char *const *tab, size_t n, bool allow_null, int *out)
{
	if (db_col_null(s, i)) {
		*out = 0;
		return allow_null;
	}
	return (*out = report_word_find(tab, n, store_col_text(s, i))) >= 0;
}

/* policy_row - fill pol from an S_POLICY_GET row. */
static bool
policy_row(struct db_stmt *s, struct report_policy *pol)
{
	int disc, p, sp, np, adkim, aspf, psd;

	snprintf(pol->domain, sizeof(pol->domain), "%s", store_col_text(s, 0));
	if (!word_col(s, 1, report_disc_words, 2, false, &disc) ||
	    !word_col(s, 2, report_policy_words, 4, false, &p) || p == 0 ||
	    !word_col(s, 3, report_policy_words, 4, true, &sp) ||
	    !word_col(s, 4, report_policy_words, 4, true, &np) ||
	    !word_col(s, 5, report_align_words, 2, false, &adkim) ||
	    !word_col(s, 6, report_align_words, 2, false, &aspf) ||
	    !report_fo_parse(store_col_text(s, 7), &pol->fo) ||
	    !word_col(s, 9, report_psd_words, 3, false, &psd))
		return false;
	pol->discovery = (enum org_mode)disc;
	pol->p = (enum dmarc_policy)p;
	pol->sp = (enum dmarc_policy)sp;
	pol->np = (enum dmarc_policy)np;
	pol->adkim = (enum dmarc_align)adkim;
	pol->aspf = (enum dmarc_align)aspf;
	pol->testing = db_col_int64(s, 8) != 0;
	pol->psd = (enum dmarc_psd)psd;
	pol->pct = db_col_null(s, 10) ? -1 : db_col_int64(s, 10);
	return true;
}

/* policy_rua - the rua list of policy id into pol. */
static enum store_status
policy_rua(struct store *st, int64_t id, struct report_policy *pol)
{
	struct db_stmt *s = store_prep(st, S_RUA_GET);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	db_bind_int64(s, 1, id);
	while ((rc = db_step(s)) == DB_ROW && pol->nrua < HISTORY_MAX_URI) {
		struct history_uri *u = &pol->rua[pol->nrua];

		if ((u->uri = strdup(store_col_text(s, 0))) == NULL) {
			db_reset(s);
			return STORE_NOMEM;
		}
		u->size_limit = (uint64_t)db_col_int64(s, 1);
		pol->nrua++;
	}
	db_reset(s);
	return rc == DB_ROW || rc == DB_DONE ? STORE_OK : store_db_fail(st, "reading rua");
}

/* policy_get - policy id into pol. */
static enum store_status
policy_get(struct store *st, int64_t id, struct report_policy *pol)
{
	struct db_stmt *s = store_prep(st, S_POLICY_GET);
	bool ok;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	db_bind_int64(s, 1, id);
	if ((rc = db_step(s)) != DB_ROW) {
		db_reset(s);
		return rc == DB_DONE ? store_fail(st, "policy %lld is missing", (long long)id) :
		    store_db_fail(st, "reading a policy");
	}
	ok = policy_row(s, pol);
	db_reset(s);
	if (!ok) {
		store_fail(st, "policy %lld: a value this program cannot read", (long long)id);
		return STORE_BADDATA;
	}
	return policy_rua(st, id, pol);
}

enum store_status
store_last_policy(struct store *st, int64_t pdom_id, int64_t begin, int64_t end,
    struct report_policy *pol, unsigned *nconfigs)
{
	enum store_status rc;
	struct db_stmt *s;
	int64_t id, n = 0;

	report_policy_init(pol);
	if ((rc = store_flush_messages(st)) != STORE_OK)
		return rc;
	if ((s = store_prep(st, S_LAST_POLICY)) == NULL)
		return STORE_ERROR;
	bind_period(s, pdom_id, begin, end);
	if ((rc = store_single_int(st, s, &id)) != STORE_OK)
		return rc;
	if ((s = store_prep(st, S_NCONFIGS)) == NULL)
		return STORE_ERROR;
	bind_period(s, pdom_id, begin, end);
	if ((rc = store_single_int(st, s, &n)) != STORE_OK)
		return rc;
	*nconfigs = (unsigned)n;
	if ((rc = policy_get(st, id, pol)) != STORE_OK)
		report_policy_free(pol);
	return rc;
}

/* message_row - an S_MESSAGES row into m (strings point into the statement). */
static bool
message_row(struct db_stmt *s, struct report_msg *m)
{
	int pol;

	memset(m, 0, sizeof(*m));
	m->time = db_col_int64(s, 0);
	m->source_ip = store_col_text(s, 1);
	m->header_from = store_col_text(s, 2);
	m->envelope_from = db_col_null(s, 3) ? NULL : store_col_text(s, 3);
	m->envelope_to = db_col_null(s, 4) ? NULL : store_col_text(s, 4);
	if (!dmarc_result_from_name(store_col_text(s, 5), &m->result) ||
	    !disposition_from_name(store_col_text(s, 6), &m->disposition) ||
	    !word_col(s, 7, report_policy_words, 4, true, &pol) ||
	    !report_overrides_parse(store_col_text(s, 10), &m->overrides))
		return false;
	m->policy = (enum dmarc_policy)pol;
	m->dkim_aligned = db_col_int64(s, 8) != 0;
	m->spf_aligned = db_col_int64(s, 9) != 0;
	m->auth_id = db_col_int64(s, 11);
	m->policy_id = db_col_int64(s, 12);
	if (!db_col_null(s, 13))
		snprintf(m->forwarder, sizeof(m->forwarder), "%s", store_col_text(s, 13));
	return true;
}

enum store_status
store_messages(struct store *st, int64_t pdom_id, int64_t begin, int64_t end,
    int (*fn)(void *arg, const struct report_msg *m), void *arg)
{
	enum store_status ret = store_flush_messages(st);
	struct db_stmt *s;
	struct report_msg m;
	int rc;

	if (ret != STORE_OK)
		return ret;
	if ((s = store_prep(st, S_MESSAGES)) == NULL)
		return STORE_ERROR;
	bind_period(s, pdom_id, begin, end);
	while ((rc = db_step(s)) == DB_ROW) {
		if (!message_row(s, &m)) {
			store_fail(st, "a message row this program cannot read");
			ret = STORE_BADDATA;
			break;
		}
		if (fn(arg, &m) != 0) {
			ret = store_fail(st, "stopped");
			break;
		}
	}
	if (ret == STORE_OK && rc != DB_DONE)
		ret = store_db_fail(st, "reading messages");
	db_reset(s);
	return ret;
}

/* copy_col - a text column into a fixed buffer; false when it does not fit. */
static bool
copy_col(struct db_stmt *s, int i, char *buf, size_t size)
{
	const char *t = store_col_text(s, i);
	size_t n = strlen(t);

	if (n >= size)
		return false;
	memcpy(buf, t, n + 1);
	return true;
}

/* dkim_row - an S_DKIM_GET row. */
static bool
dkim_row(struct db_stmt *s, struct history_dkim *d)
{
	return copy_col(s, 0, d->domain, sizeof(d->domain)) &&
	    copy_col(s, 1, d->selector, sizeof(d->selector)) &&
	    dkim_result_from_name(store_col_text(s, 2), &d->result) &&
	    copy_col(s, 3, d->human, sizeof(d->human));
}

/* spf_row - an S_SPF_GET row. */
static bool
spf_row(struct db_stmt *s, struct history_spf *p)
{
	return copy_col(s, 0, p->domain, sizeof(p->domain)) &&
	    spf_scope_from_name(store_col_text(s, 1), &p->scope) &&
	    spf_result_from_name(store_col_text(s, 2), &p->result) &&
	    copy_col(s, 3, p->human, sizeof(p->human));
}

/* results_get - the DKIM (dkim true) or SPF rows of auth_id into a. */
static enum store_status
results_get(struct store *st, int64_t auth_id, bool dkim, struct report_auth *a)
{
	struct db_stmt *s = store_prep(st, dkim ? S_DKIM_GET : S_SPF_GET);
	bool ok = true;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	db_bind_int64(s, 1, auth_id);
	while (ok && (rc = db_step(s)) == DB_ROW) {
		if (dkim)
			ok = a->ndkim < HISTORY_MAX_DKIM && dkim_row(s, &a->dkim[a->ndkim++]);
		else
			ok = a->nspf < HISTORY_MAX_SPF && spf_row(s, &a->spf[a->nspf++]);
	}
	db_reset(s);
	if (!ok) {
		store_fail(st, "result set %lld: a row this program cannot read", (long long)auth_id);
		return STORE_BADDATA;
	}
	return rc == DB_DONE ? STORE_OK : store_db_fail(st, "reading results");
}

enum store_status
store_auth(struct store *st, int64_t auth_id, struct report_auth *a)
{
	enum store_status rc;

	a->ndkim = a->nspf = 0;
	if ((rc = results_get(st, auth_id, true, a)) != STORE_OK)
		return rc;
	return results_get(st, auth_id, false, a);
}

enum store_status
store_report_add(struct store *st, const struct store_report *r)
{
	struct db_stmt *s;

	if (st->shared)
		return store_fail(st, "a report needs the store's exclusive lock");
	store_clear_late(st);
	if ((s = store_prep(st, S_REPORT_ADD)) == NULL)
		return STORE_ERROR;
	db_bind_int64(s, 1, r->pdom_id);
	db_bind_int64(s, 2, r->begin);
	db_bind_int64(s, 3, r->end);
	db_bind_text(s, 4, r->report_id);
	db_bind_text(s, 5, r->file);
	db_bind_int64(s, 6, r->messages);
	db_bind_int64(s, 7, r->rows);
	db_bind_int64(s, 8, r->created);
	if (store_run(st, s, "recording a report") != STORE_OK || (s = store_prep(st, S_PERIOD_REPORTED)) == NULL)
		return STORE_ERROR;
	db_bind_int64(s, 1, r->pdom_id);
	db_bind_int64(s, 2, report_day_begin(r->begin));
	db_bind_int64(s, 3, r->end);
	return store_run(st, s, "recording a report");
}

/* ---------------------------------------------------------------- expire */

/* delete_count - run a DELETE (?1 = cutoff, when cutoff >= 0); add the rows deleted to *n. */
static enum store_status
delete_count(struct store *st, enum stmt which, int64_t cutoff, int64_t *n)
{
	struct db_stmt *s = store_prep(st, which);
	enum store_status rc;

	if (s == NULL)
		return STORE_ERROR;
	if (cutoff >= 0)
		db_bind_int64(s, 1, cutoff);
	if ((rc = store_run(st, s, "expiring")) == STORE_OK)
		*n += db_changes(s);
	return rc;
}

enum store_status
store_expire(struct store *st, int64_t cutoff_day, struct store_expired *x)
{
	int64_t ignored = 0;
	enum store_status rc;

	memset(x, 0, sizeof(*x));
	if (st->shared)
		return store_fail(st, "expiring needs the store's exclusive lock");
	if ((rc = store_flush_messages(st)) != STORE_OK)
		return rc;
	store_clear_caches(st);
	if ((rc = delete_count(st, S_EXP_MESSAGES, cutoff_day, &x->messages)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_PERIODS, cutoff_day, &ignored)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_REPORTS, cutoff_day, &x->reports)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_FILES, cutoff_day, &x->files)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_HOSTS, cutoff_day, &ignored)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_RUA, -1, &ignored)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_POLICIES, -1, &x->policies)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_DKIM, -1, &ignored)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_SPF, -1, &ignored)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_AUTH, -1, &x->results)) != STORE_OK)
		return rc;
	return delete_count(st, S_EXP_PDOM, -1, &x->domains);
}

