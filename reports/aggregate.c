/*
 * aggregate.c - reports from the store into the spool; see aggregate.h.
 * Each report is made in its own store transaction: the files are
 * written and renamed into place first, then the period is recorded and
 * committed.  A crash in between leaves files the next run writes again
 * under the same names (the Report-ID depends only on the period).
 */
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aggregate.h"
#include "config.h"
#include "group.h"
#include "outbox.h"
#include "xml.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define AGG_ERRORS 3		/* error texts of one report */
#define AGG_ERROR_LEN 160
#define AGG_NAME_MAX 600	/* receiver!domain!begin!end!idrfc7489.xml.gz fits */
#define AGG_AUTH_CACHE 64	/* result sets kept (direct-mapped by id): rows share few */

/* Result sets read from the store, for the run (they do not change during it). */
struct auth_cache {
	int64_t id[AGG_AUTH_CACHE];	/* 0: empty (store ids start at 1) */
	struct report_auth a[AGG_AUTH_CACHE];
};

/* One report being made. */
struct build {
	struct store *st;
	const struct aggregate_opts *o;
	struct aggregate_totals *t;
	const struct store_day *day;
	int64_t begin, end;
	struct group g;
	struct report_policy pol;
	unsigned nconfigs;
	uint64_t temperror, permerror;
	char report_id[AGGREGATE_ID_SIZE];
	char base[AGG_NAME_MAX];	/* receiver!domain!begin!end!id */
	char errtext[AGG_ERRORS][AGG_ERROR_LEN];
	const char *errors[AGG_ERRORS];
	size_t nerrors;
	struct auth_cache *auths;
	char err[PATH_MAX + 256];
};

/* The files of one format. */
struct output {
	enum xml_format format;
	char xml_name[AGG_NAME_MAX], meta_name[AGG_NAME_MAX];
	struct outbox_file f;
	struct xml_writer w;
	bool open, renamed;
};

/* say - a line on the log, prefixed with the program name. */
static void __attribute__((format(printf, 2, 3)))
say(const struct aggregate_opts *o, const char *fmt, ...)
{
	va_list ap;

	fputs("authmilter-reports: ", o->log);
	va_start(ap, fmt);
	vfprintf(o->log, fmt, ap);
	va_end(ap);
	fputc('\n', o->log);
}

void
aggregate_report_id(const char *receiver, const char *domain, int64_t begin, int64_t end,
    char out[AGGREGATE_ID_SIZE])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	char text[600], date[9];
	unsigned mdlen = 0, i;
	int n;

	n = snprintf(text, sizeof(text), "%s!%s!%lld!%lld", receiver, domain, (long long)begin,
	    (long long)end);
	if (n < 0 || (size_t)n >= sizeof(text))
		n = (int)sizeof(text) - 1;	/* names are at most 253 bytes: never */
	if (EVP_Digest(text, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen < 8)
		memset(md, 0, sizeof(md));
	report_date_text(begin, date);
	memcpy(out, date, 8);
	for (i = 0; i < 8; i++) {
		out[8 + 2 * i] = digits[md[i] >> 4];
		out[9 + 2 * i] = digits[md[i] & 15];
	}
	out[24] = '\0';
}

/* add_message - store_messages callback: count the message in its row. */
static int
add_message(void *arg, const struct report_msg *m)
{
	struct build *b = arg;

	if (m->result == DMARC_RES_TEMPERROR)
		b->temperror++;
	else if (m->result == DMARC_RES_PERMERROR)
		b->permerror++;
	return group_add(&b->g, m) == GROUP_OK ? 0 : -1;
}

/* add_error - one error text of the report's metadata. */
static void __attribute__((format(printf, 2, 3)))
add_error(struct build *b, const char *fmt, ...)
{
	va_list ap;

	if (b->nerrors == AGG_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(b->errtext[b->nerrors], AGG_ERROR_LEN, fmt, ap);
	va_end(ap);
	b->errors[b->nerrors] = b->errtext[b->nerrors];
	b->nerrors++;
}

/* utc_text - t as 2026-11-23T18:00:00Z. */
static void
utc_text(int64_t t, char buf[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, 32, "%lld", (long long)t);
}

/* behind - one host that has not imported past the period: wait for it, or report without it. */
static bool
behind(struct build *b, const struct store_host *h)
{
	char upto[32], until[32];

	utc_text(h->imported_upto, upto);
	if (b->o->now < b->end + 1 + b->o->host_grace) {
		utc_text(b->end + 1 + b->o->host_grace, until);
		if (!b->o->quiet)
			say(b->o, "%s %lld-%lld: waiting for host %s (imported up to %s) until %s",
			    b->day->domain, (long long)b->begin, (long long)b->end, h->name, upto,
			    until);
		return true;
	}
	say(b->o, "%s %lld-%lld: host %s imported only up to %s: reported without its later "
	    "records (ReportHostGrace passed)", b->day->domain, (long long)b->begin,
	    (long long)b->end, h->name, upto);
	add_error(b, "host %s: history after %s not included", h->name, upto);
	return false;
}

/*
 * hosts_ready - 0 when every host that imported since the day before the
 * period has imported past its end (or ReportHostGrace has passed), 1 to
 * wait, -1 on a store error.
 */
static int
hosts_ready(struct build *b)
{
	struct store_host *hosts;
	size_t n, i;
	bool wait = false;

	if (store_hosts_behind(b->st, b->day->day - REPORT_DAY, b->end, &hosts, &n) != STORE_OK)
		return -1;
	for (i = 0; i < n && !wait; i++)
		wait = behind(b, &hosts[i]);
	free(hosts);
	if (wait)
		b->t->waiting++;
	return wait ? 1 : 0;
}

/* collect - the period's policy and rows into b; 0, or 1 when there is nothing (yet). */
static int
collect(struct build *b)
{
	enum store_status rc;
	int64_t upto;
	int ready;

	rc = store_reported_upto(b->st, b->day->pdom_id, b->day->day, b->day->day + REPORT_DAY - 1,
	    &upto);
	if (rc != STORE_OK)
		return -1;
	if (upto != b->day->reported_upto)
		return 1;	/* another run reported it meanwhile */
	if ((ready = hosts_ready(b)) != 0)
		return ready;
	rc = store_last_policy(b->st, b->day->pdom_id, b->begin, b->end, &b->pol, &b->nconfigs);
	if (rc == STORE_NOTFOUND)
		return 1;
	if (rc != STORE_OK ||
	    store_messages(b->st, b->day->pdom_id, b->begin, b->end, add_message, b) != STORE_OK)
		return -1;
	if (b->g.total == 0)
		return 1;
	group_sort(&b->g);
	if (b->nconfigs > 1)
		add_error(b, "the DMARC policy record changed during the period: %u configurations "
		    "seen, the latest is reported", b->nconfigs);
	if (b->temperror > 0)
		add_error(b, "%llu messages: DMARC temperror (DNS), the policy was not applied",
		    (unsigned long long)b->temperror);
	if (b->permerror > 0)
		add_error(b, "%llu messages: DMARC permerror, the policy was not applied",
		    (unsigned long long)b->permerror);
	return 0;
}

/* output_names - the file names of one format. */
static bool
output_names(const struct build *b, struct output *out, enum xml_format format)
{
	const char *suffix = format == XML_FORMAT_RFC7489 ? "rfc7489" : "";	/* unique-id stays 1*(ALPHA / DIGIT) */
	int n1, n2;

	memset(out, 0, sizeof(*out));
	out->format = format;
	out->f.fd = -1;
	n1 = snprintf(out->xml_name, sizeof(out->xml_name), "%s%s.xml.gz", b->base, suffix);
	n2 = snprintf(out->meta_name, sizeof(out->meta_name), "%s%s.meta", b->base, suffix);
	return n1 > 0 && (size_t)n1 < sizeof(out->xml_name) && n2 > 0 &&
	    (size_t)n2 < sizeof(out->meta_name);
}

/* xml_meta - the metadata of b's report. */
static void
xml_meta(const struct build *b, struct xml_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->org_name = b->o->org_name;
	m->email = b->o->email;
	m->report_id = b->report_id;
	m->generator = PACKAGE_NAME "-reports " PACKAGE_VERSION;
	m->begin = b->begin;
	m->end = b->end;
	m->nerrors = b->nerrors;
	m->errors = b->errors;
}

/* open_outputs - the gzip files and their writers, heads written. */
static int
open_outputs(struct build *b, const char *dir, struct output *out, size_t n)
{
	struct xml_meta meta;
	size_t i;

	xml_meta(b, &meta);
	for (i = 0; i < n; i++) {
		if (outbox_gz_open(dir, out[i].xml_name, &out[i].f, b->err, sizeof(b->err)) != 0)
			return -1;
		out[i].open = true;
		xml_writer_init(&out[i].w, out[i].format, out[i].f.gz);
		if (xml_report_head(&out[i].w, &meta, &b->pol) != XML_OK) {
			snprintf(b->err, sizeof(b->err), "%s: %s", out[i].xml_name,
			    xml_strerror(out[i].w.status));
			return -1;
		}
	}
	return 0;
}

/* auth_get - result set id, from the cache or the store; NULL on a store error. */
static const struct report_auth *
auth_get(struct build *b, int64_t id)
{
	size_t slot = (size_t)((uint64_t)id % AGG_AUTH_CACHE);
	struct auth_cache *c = b->auths;

	if (c->id[slot] == id && id != 0)
		return &c->a[slot];
	c->id[slot] = 0;
	if (store_auth(b->st, id, &c->a[slot]) != STORE_OK) {
		snprintf(b->err, sizeof(b->err), "%s", store_error(b->st));
		return NULL;
	}
	c->id[slot] = id;
	return &c->a[slot];
}

/* write_records - every row into every output. */
static int
write_records(struct build *b, struct output *out, size_t n)
{
	const struct report_auth *a;
	size_t r, i;

	for (r = 0; r < b->g.nrows; r++) {
		if ((a = auth_get(b, b->g.rows[r]->auth_id)) == NULL)
			return -1;
		for (i = 0; i < n; i++) {
			if (xml_report_record(&out[i].w, b->g.rows[r], a) != XML_OK) {
				snprintf(b->err, sizeof(b->err), "%s: %s", out[i].xml_name,
				    xml_strerror(out[i].w.status));
				return -1;
			}
		}
	}
	return 0;
}

/* close_outputs - the tails, then each file renamed into place. */
static int
close_outputs(struct build *b, struct output *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (xml_report_tail(&out[i].w) != XML_OK) {
			snprintf(b->err, sizeof(b->err), "%s: %s", out[i].xml_name,
			    xml_strerror(out[i].w.status));
			return -1;
		}
		out[i].open = false;
		if (outbox_commit(&out[i].f, b->err, sizeof(b->err)) != 0)
			return -1;
		out[i].renamed = true;
	}
	return 0;
}

/* write_metas - the .meta files, last: with them the reports exist for the sender. */
static int
write_metas(struct build *b, const char *dir, struct output *out, size_t n)
{
	struct outbox_meta m;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.format = out[i].format == XML_FORMAT_RFC7489 ? "rfc7489" : "dmarc-2.0";
		m.policy_domain = b->pol.domain;
		m.org_name = b->o->org_name;
		m.report_id = b->report_id;
		m.begin = b->begin;
		m.end = b->end;
		m.file = out[i].xml_name;
		m.pol = &b->pol;
		if (outbox_meta_write(dir, out[i].meta_name, &m, b->err, sizeof(b->err)) != 0)
			return -1;
	}
	return 0;
}

/* undo_outputs - remove whatever was written of the outputs (after a failure). */
static void
undo_outputs(const char *dir, struct output *out, size_t n)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		if (out[i].open)
			outbox_abort(&out[i].f);
		if (snprintf(path, sizeof(path), "%s/%s", dir, out[i].meta_name) < (int)sizeof(path))
			unlink(path);
		if (out[i].renamed &&
		    snprintf(path, sizeof(path), "%s/%s", dir, out[i].xml_name) < (int)sizeof(path))
			unlink(path);
	}
}

/* write_files - the report (and its legacy twin) into ReportSpool/outgoing. */
static int
write_files(struct build *b)
{
	struct output out[2];
	char dir[PATH_MAX];
	size_t n = b->o->legacy ? 2 : 1, i;
	int rc;

	if (snprintf(dir, sizeof(dir), "%s/%s", b->o->spool, SPOOL_OUTGOING) >= (int)sizeof(dir) ||
	    !output_names(b, &out[0], XML_FORMAT_DMARC2) ||
	    !output_names(b, &out[1], XML_FORMAT_RFC7489)) {
		snprintf(b->err, sizeof(b->err), "file name too long");
		return -1;
	}
	rc = open_outputs(b, dir, out, n);
	if (rc == 0)
		rc = write_records(b, out, n);
	if (rc == 0)
		rc = close_outputs(b, out, n);
	if (rc == 0)
		rc = write_metas(b, dir, out, n);
	if (rc != 0)
		undo_outputs(dir, out, n);
	for (i = 0; i < n; i++)
		xml_writer_free(&out[i].w);
	return rc;
}

/* record - the period is done: in the store, committed. */
static int
record(struct build *b, const char *file)
{
	struct store_report r;

	memset(&r, 0, sizeof(r));
	r.pdom_id = b->day->pdom_id;
	r.begin = b->begin;
	r.end = b->end;
	r.report_id = b->report_id;
	r.file = file;
	r.messages = (int64_t)b->g.total;
	r.rows = (int64_t)b->g.nrows;
	r.created = b->o->now;
	if (store_report_add(b->st, &r) != STORE_OK || store_commit(b->st) != STORE_OK) {
		snprintf(b->err, sizeof(b->err), "%s", store_error(b->st));
		return -1;
	}
	return 0;
}

/* describe - one progress line for the report. */
static void
describe(const struct build *b, const char *what)
{
	char date[9];

	if (b->o->quiet)
		return;
	report_date_text(b->begin, date);
	say(b->o, "%s %s %lld-%lld: %llu messages in %zu records, %zu rua: %s", b->pol.domain, date,
	    (long long)b->begin, (long long)b->end, (unsigned long long)b->g.total, b->g.nrows,
	    b->pol.nrua, what);
}

/* finish - write and record the collected report (or only say what would be made). */
static int
finish(struct build *b)
{
	char file[AGG_NAME_MAX + 8];

	aggregate_report_id(b->o->receiver, b->pol.domain, b->begin, b->end, b->report_id);
	snprintf(b->base, sizeof(b->base), "%s!%s!%lld!%lld!%s", b->o->receiver, b->pol.domain,
	    (long long)b->begin, (long long)b->end, b->report_id);
	snprintf(file, sizeof(file), "%s.xml.gz", b->base);
	if (b->pol.nrua == 0) {
		describe(b, b->o->dry_run ? "no rua, would be closed without a report" :
		    "no rua, closed without a report");
		b->t->no_rua++;
		return b->o->dry_run ? 0 : record(b, NULL);
	}
	if (b->o->dry_run) {
		describe(b, "would write");
		say(b->o, "  %s", file);
	} else if (write_files(b) != 0 || record(b, file) != 0) {
		return -1;
	} else {
		describe(b, file);
	}
	b->t->reports++;
	b->t->legacy += b->o->legacy;
	b->t->messages += b->g.total;
	b->t->rows += b->g.nrows;
	return 0;
}

/* make_one - one period of one policy domain, in its own transaction. */
static int
make_one(struct build *b)
{
	int rc;

	if (store_begin(b->st) != STORE_OK) {
		say(b->o, "%s", store_error(b->st));
		return 2;
	}
	rc = collect(b);
	if (rc == 0)
		rc = finish(b);
	else if (rc < 0)
		snprintf(b->err, sizeof(b->err), "%s", store_error(b->st));
	/* A dry run, nothing to do, or a failure: nothing is kept. */
	if (b->o->dry_run || rc != 0 || b->g.total == 0)
		store_rollback(b->st);
	if (rc < 0) {
		say(b->o, "%s %lld-%lld: %s", b->day->domain, (long long)b->begin, (long long)b->end,
		    b->err);
		b->t->failed++;
		return 1;
	}
	return 0;
}

/* period - the part of day d still to report at o->now; false when none is due. */
static bool
period(const struct store_day *d, const struct aggregate_opts *o, int64_t *begin, int64_t *end)
{
	*begin = d->reported_upto >= 0 ? d->reported_upto + 1 : d->day;
	*end = d->day + REPORT_DAY - 1;
	if (*end >= o->now) {
		if (!o->partial)
			return false;	/* the day is not over */
		*end = o->now - 1;
	}
	return *begin <= *end;
}

/* run_day - the report of one (domain, day) when due. */
static int
run_day(struct build *b, const struct store_day *d)
{
	int rc;

	if (!period(d, b->o, &b->begin, &b->end))
		return 0;
	b->day = d;
	group_init(&b->g);
	report_policy_init(&b->pol);
	b->nconfigs = 0;
	b->temperror = b->permerror = 0;
	b->nerrors = 0;
	rc = make_one(b);
	group_free(&b->g);
	report_policy_free(&b->pol);
	return rc;
}

int
aggregate_run(struct store *st, const struct aggregate_opts *o, struct aggregate_totals *t)
{
	struct store_day *days = NULL;
	struct build b;
	size_t ndays = 0, i;
	int status = 0, rc;

	memset(t, 0, sizeof(*t));
	memset(&b, 0, sizeof(b));
	b.st = st;
	b.o = o;
	b.t = t;
	if ((b.auths = calloc(1, sizeof(*b.auths))) == NULL) {
		say(o, "out of memory");
		return 2;
	}
	if (store_days(st, report_day_begin(o->now), &days, &ndays) != STORE_OK) {
		say(o, "%s", store_error(st));
		free(b.auths);
		return 2;
	}
	for (i = 0; i < ndays && status < 2; i++) {
		rc = run_day(&b, &days[i]);
		if (rc > status)
			status = rc;
	}
	free(days);
	free(b.auths);
	return status;
}
