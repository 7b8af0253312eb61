/*
 * failsend.c - "authmilter-reports send-failures" (see failsend.h): for
 * each failure report in FailureReportSpool/outgoing (failmeta.c), each
 * ruf without a sent/skipped/dropped line: parse it (rua.c), check the
 * size, verify an external destination (extdest.c, ruf), apply the rate
 * limit (failrate.c), put the header in front of the .eml, pipe it to
 * ReportSendCommand (sendcmd.c), record the outcome (sendutil.c); a report
 * done for every destination moves to sent/ (spool.c).
 *
 * Called once by reports/main.c.  Single-threaded.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "failmeta.h"
#include "failrate.h"
#include "failsend.h"
#include "mime.h"
#include "psl.h"
#include "resolver.h"
#include "rfc5322.h"
#include "rua.h"
#include "sendcmd.h"
#include "sendutil.h"
#include "spool.h"
#include "strmap.h"

#define FAILSEND_STATE "rate"		/* the rate state file in FailureReportSpool */
#define FAILSEND_HEADER_MAX (4 * 1024 + CONF_MAX_LIST * RFC5322_ADDR_BUFSIZE)

/* One run. */
struct run {
	const struct conf *c;
	bool dry;
	FILE *log;
	struct failsend_totals *t;
	struct spool spool;
	struct resolver *resolver;
	struct psl *psl;
	struct extdest_config x;
	struct failrate rate;
	struct strmap dropped;		/* policy domain -> reports dropped this run */
	char state[4200];		/* the rate state file */
	char from[RFC5322_ADDR_BUFSIZE];
	struct str bcc;			/* "a@x, b@y" or empty */
	int64_t now;
	int rc;				/* 0, or 1 when something stays for the next run */
};

/* One report. */
struct report {
	const char *meta_name;		/* NAME.meta */
	char name[256];			/* NAME */
	char eml_name[256];		/* NAME.eml */
	struct str text;		/* the .meta as on disk */
	struct failmeta m;
	uint64_t size;			/* of the .eml */
	char *eml;			/* the .eml, once read */
	size_t eml_len;
	bool unusable;			/* the .eml is missing or bad: stop */
};

/* One destination. */
struct dest {
	size_t i;
	struct rua rua;
	uint64_t limit;
	const char *limit_from;		/* "FailureReportsMaxBytes" or "the ruf !size" */
};

/* say - one progress line "send-failures: ..." to the log. */
static void say(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct run *r, const char *fmt, ...)
{
	va_list ap;

	fputs("send-failures: ", r->log);
	va_start(ap, fmt);
	vfprintf(r->log, fmt, ap);
	va_end(ap);
	fputc('\n', r->log);
	fflush(r->log);
}

/* done_word - the .meta key of an outcome. */
static const char *
done_word(enum meta_done done)
{
	return done == META_SENT ? "sent" : done == META_DROPPED ? "dropped" : "skipped";
}

/* record - append the outcome line of destination i to the .meta. */
static void
record(struct run *r, struct report *rep, size_t i, enum meta_done done, const char *why)
{
	char err[600];

	if (r->dry || sendutil_record(&r->spool, rep->meta_name, &rep->text, FAILMETA_MAX_BYTES,
	    done, rep->m.dest[i].uri, r->now, why, err, sizeof(err))) {
		rep->m.dest[i].done = done;
		return;
	}
	say(r, "%s: cannot record \"%s %s\" in %s: %s%s", rep->name, done_word(done),
	    rep->m.dest[i].uri, rep->meta_name, err,
	    done == META_SENT ? " (it will be sent again by the next run)" : "");
	r->rc = 1;
}

/* skip - the destination is refused for good: count, say, record. */
static void
skip(struct run *r, struct report *rep, size_t i, const char *why)
{
	r->t->skipped++;
	say(r, "%s: %sskipped %s: %s", rep->name, r->dry ? "would be " : "", rep->m.dest[i].uri,
	    why);
	record(r, rep, i, META_SKIPPED, why);
}

/* set_limit - the smaller of FailureReportsMaxBytes and the ruf's "!size". */
static void
set_limit(struct run *r, struct dest *d)
{
	d->limit = r->c->failure_reports_max_bytes;
	d->limit_from = "FailureReportsMaxBytes";
	if (d->rua.has_size && d->rua.size_limit < d->limit) {
		d->limit = d->rua.size_limit;
		d->limit_from = "the ruf !size";
	}
}

/* check_size - does size fit d's limit?  Skips ("too big") when not. */
static bool
check_size(struct run *r, struct report *rep, const struct dest *d, uint64_t size)
{
	char why[256];

	if (size <= d->limit)
		return true;
	snprintf(why, sizeof(why), "too big (%llu bytes, the destination takes %llu: %s)",
	    (unsigned long long)size, (unsigned long long)d->limit, d->limit_from);
	skip(r, rep, d->i, why);
	return false;
}

/* verify - the external destination check (ruf); false when not sent now. */
static bool
verify(struct run *r, struct report *rep, struct dest *d)
{
	struct extdest_result res;

	switch (extdest_check(&r->x, rep->m.policy_domain, &d->rua, &res)) {
	case EXTDEST_OK:
		if (res.external)
			say(r, "%s: %s: %s", rep->name, rep->m.dest[d->i].uri, res.why);
		d->rua = res.dest;
		set_limit(r, d);
		return true;
	case EXTDEST_TEMPFAIL:
		r->t->deferred++;
		r->rc = 1;
		say(r, "%s: %s: %s (left for the next run)", rep->name, rep->m.dest[d->i].uri,
		    res.why);
		return false;
	case EXTDEST_REFUSED:
		break;
	}
	skip(r, rep, d->i, res.why);
	return false;
}

/* note_drop - count a report dropped for its policy domain (the run's summary). */
static void
note_drop(struct run *r, const char *domain)
{
	struct strmap_entry *e;
	int created;

	if (strmap_put(&r->dropped, domain, strlen(domain), &e, &created) == STRMAP_OK)
		e->num++;
}

/* rate_ok - within FailureReportsRate?  Drops (counted, said, recorded) when not. */
static bool
rate_ok(struct run *r, struct report *rep, const struct dest *d)
{
	char why[FAILRATE_KEY_MAX + 64], reason[FAILRATE_KEY_MAX + 96];

	if (failrate_allows(&r->rate, rep->m.policy_domain, d->rua.addr, why, sizeof(why)))
		return true;
	r->t->dropped++;
	note_drop(r, rep->m.policy_domain);
	snprintf(reason, sizeof(reason), "rate limit (%s)", why);
	say(r, "%s: %sdropped %s: %s", rep->name, r->dry ? "would be " : "", rep->m.dest[d->i].uri,
	    reason);
	record(r, rep, d->i, META_DROPPED, reason);
	return false;
}

/* load_eml - read and check the .eml once; false when unusable. */
static bool
load_eml(struct run *r, struct report *rep)
{
	char err[600];

	if (rep->eml != NULL)
		return true;
	if (spool_read(&r->spool, rep->eml_name, rep->size, &rep->eml, &rep->eml_len, err,
	    sizeof(err)) != SPOOL_OK)
		say(r, "%s: %s (left for the next run)", rep->name, err);
	else if (rep->eml_len < 9 || strncasecmp(rep->eml, "Subject:", 8) != 0 ||
	    strstr(rep->eml, "\r\n\r\n") == NULL)
		say(r, "%s: %s is not a report message (no header starting with Subject:; left "
		    "alone)", rep->name, rep->eml_name);
	else
		return true;
	free(rep->eml);
	rep->eml = NULL;
	rep->unusable = true;
	return false;
}

/* message_id - "<NAME.n@From-domain>" (NAME when a dot-atom, else the time and our PID). */
static void
message_id(struct run *r, const struct report *rep, size_t i, char *out, size_t size)
{
	if (rfc5322_is_dot_atom(rep->name, strlen(rep->name)))
		snprintf(out, size, "<%s.%zu@%s>", rep->name, i + 1, rfc5322_addr_domain(r->from));
	else
		snprintf(out, size, "<%lld.%ld.%zu@%s>", (long long)r->now, (long)getpid(), i + 1,
		    rfc5322_addr_domain(r->from));
}

/* build - the header fields the sender adds, then the .eml, into msg. */
static bool
build(struct run *r, struct report *rep, const struct dest *d, struct str *msg)
{
	char date[64], mid[400];

	message_id(r, rep, d->i, mid, sizeof(mid));
	str_init(msg, rep->eml_len + FAILSEND_HEADER_MAX);
	if (!mime_date(r->now, date, sizeof(date)) ||
	    str_printf(msg, "From: %s\r\nTo: %s\r\n", r->from, d->rua.addr) != STR_OK ||
	    (r->bcc.len > 0 && str_printf(msg, "Bcc: %s\r\n", str_cstr(&r->bcc)) != STR_OK) ||
	    str_printf(msg, "Date: %s\r\nMessage-ID: %s\r\n", date, mid) != STR_OK ||
	    str_append(msg, rep->eml, rep->eml_len) != STR_OK) {
		say(r, "%s: %s: cannot build the message (left for the next run)", rep->name,
		    rep->m.dest[d->i].uri);
		r->t->failed++;
		r->rc = 1;
		return false;
	}
	return true;
}

/* deliver - hand msg to the send command (or say what would happen). */
static void
deliver(struct run *r, struct report *rep, const struct dest *d, const struct str *msg)
{
	char why[512];

	if (!r->dry && sendcmd_run(r->c->report_send_command, msg->s, msg->len, 0, why,
	    sizeof(why)) != SENDCMD_OK) {
		r->t->failed++;
		r->rc = 1;
		say(r, "%s: sending to %s failed: %s (left for the next run)", rep->name,
		    d->rua.addr, why);
		return;
	}
	r->t->sent++;
	if (failrate_count(&r->rate, rep->m.policy_domain, d->rua.addr) != FAILRATE_OK)
		say(r, "%s: out of memory counting for the rate limit", rep->name);
	say(r, "%s: %s %s (%zu bytes)", rep->name, r->dry ? "would send to" : "sent to",
	    d->rua.addr, msg->len);
	record(r, rep, d->i, META_SENT, NULL);
}

/* parse_dest - the ruf as a mailto: destination; false (skipped) when not one. */
static bool
parse_dest(struct run *r, struct report *rep, struct dest *d)
{
	const char *uri = rep->m.dest[d->i].uri;
	char why[256], reason[300];

	switch (rua_parse(uri, strlen(uri), &d->rua, why, sizeof(why))) {
	case RUA_OK:
		set_limit(r, d);
		return true;
	case RUA_NOT_MAILTO:
		snprintf(reason, sizeof(reason), "not a mailto URI (%s)", why);
		break;
	case RUA_BAD:
		snprintf(reason, sizeof(reason), "%s (malformed URI)", why);
		break;
	}
	skip(r, rep, d->i, reason);
	return false;
}

/* send_dest - everything for destination i of rep. */
static void
send_dest(struct run *r, struct report *rep, size_t i)
{
	struct dest d = { .i = i };
	struct str msg = STR_INITIALIZER(0);

	if (!parse_dest(r, rep, &d) || !check_size(r, rep, &d, rep->size) ||
	    !verify(r, rep, &d) || !check_size(r, rep, &d, rep->size) ||
	    !load_eml(r, rep))
		return;
	if (build(r, rep, &d, &msg) && check_size(r, rep, &d, msg.len) && rate_ok(r, rep, &d))
		deliver(r, rep, &d, &msg);
	str_free(&msg);
}

/* finish - move a report done for every destination to sent/. */
static void
finish(struct run *r, struct report *rep)
{
	char err[600];

	if (r->dry) {
		say(r, "%s: done for every destination: would move to sent/", rep->name);
		return;
	}
	if (spool_finish(&r->spool, rep->meta_name, rep->eml_name, err, sizeof(err)) != SPOOL_OK) {
		say(r, "%s: %s", rep->name, err);
		r->rc = 1;
		return;
	}
	say(r, "%s: done for every destination: moved to sent/", rep->name);
}

/* load_meta - read and parse the .meta; false (said, counted) when unusable. */
static bool
load_meta(struct run *r, struct report *rep)
{
	char err[600], path[4400];
	char *data;
	size_t len;

	snprintf(path, sizeof(path), "%s/outgoing/%s", r->spool.path, rep->meta_name);
	if (spool_read(&r->spool, rep->meta_name, FAILMETA_MAX_BYTES, &data, &len, err,
	    sizeof(err)) != SPOOL_OK) {
		say(r, "%s: %s (left alone)", path, err);
		goto bad;
	}
	if (str_set(&rep->text, data, len) != STR_OK) {
		free(data);
		say(r, "%s: out of memory", path);
		goto bad;
	}
	free(data);
	if (failmeta_parse(str_cstr(&rep->text), rep->text.len, path, &rep->m, err,
	    sizeof(err)) != META_OK) {
		say(r, "%s (left alone)", err);
		goto bad;
	}
	return true;
bad:
	r->t->bad++;
	r->rc = 1;
	return false;
}

/* send_due - every destination of rep without a line yet. */
static void
send_due(struct run *r, struct report *rep)
{
	char err[600];
	size_t i;

	if (spool_stat(&r->spool, rep->eml_name, &rep->size, err, sizeof(err)) != SPOOL_OK) {
		say(r, "%s: %s (left alone)", rep->name, err);
		rep->unusable = true;
	}
	for (i = 0; i < rep->m.n_dest && !rep->unusable; i++)
		if (rep->m.dest[i].done == META_DUE)
			send_dest(r, rep, i);
	if (rep->unusable) {
		r->t->bad++;
		r->rc = 1;
	}
}

/* send_report - one .meta and its .eml. */
static void
send_report(struct run *r, const char *meta_name)
{
	struct report rep = { .meta_name = meta_name, .text = STR_INITIALIZER(FAILMETA_MAX_BYTES) };
	int n = (int)(strlen(meta_name) - 5);

	snprintf(rep.name, sizeof(rep.name), "%.*s", n, meta_name);
	snprintf(rep.eml_name, sizeof(rep.eml_name), "%.*s.eml", n, meta_name);
	if (load_meta(r, &rep)) {
		r->t->reports++;
		if (!failmeta_all_done(&rep.m))
			send_due(r, &rep);
		if (failmeta_all_done(&rep.m))
			finish(r, &rep);
	}
	failmeta_free(&rep.m);
	str_free(&rep.text);
	free(rep.eml);
}

/* setup_addrs - the From address and the Bcc list. */
static bool
setup_addrs(struct run *r)
{
	const struct conf *c = r->c;
	const char *used, *configured = c->failure_reports_sent_by != NULL ?
	    c->failure_reports_sent_by : c->report_email;
	char why[160], addr[RFC5322_ADDR_BUFSIZE];
	size_t i;

	if (!sendutil_from(configured, c->authserv_id, r->from, &used, why, sizeof(why))) {
		say(r, "%s %s is not a usable address: %s", c->failure_reports_sent_by != NULL ?
		    "FailureReportsSentBy" : "ReportEmail", used, why);
		return false;
	}
	for (i = 0; i < c->failure_reports_bcc.n; i++) {
		const char *b = c->failure_reports_bcc.item[i];

		if (!rfc5322_addr_normalize(b, strlen(b), addr, why, sizeof(why))) {
			say(r, "FailureReportsBcc %s is not a usable address: %s", b, why);
			return false;
		}
		if (str_printf(&r->bcc, "%s%s", i > 0 ? ", " : "", addr) != STR_OK)
			return false;
	}
	return true;
}

/* setup_rate - the rate limit and its state (read under the spool lock). */
static bool
setup_rate(struct run *r)
{
	char err[600];

	snprintf(r->state, sizeof(r->state), "%s/%s", r->c->failure_report_spool,
	    FAILSEND_STATE);
	if (failrate_load(&r->rate, r->c->failure_reports_rate, r->now, r->state, err,
	    sizeof(err)) != FAILRATE_OK) {
		say(r, "%s", err);
		return false;
	}
	if (r->rate.ignored > 0)
		say(r, "%s: %u lines not understood, ignored", r->state, r->rate.ignored);
	return true;
}

/* setup - everything before the first report; 0, 1 (nothing to do) or 2. */
static int
setup(struct run *r)
{
	char buf[4096], *argv[SENDCMD_MAX_ARGS + 1], err[600];
	enum spool_status st;

	if (!setup_addrs(r))
		return 2;
	if (sendcmd_split(r->c->report_send_command, buf, sizeof(buf), argv,
	    SENDCMD_MAX_ARGS + 1) < 0) {
		say(r, "ReportSendCommand is empty or has more than %d words", SENDCMD_MAX_ARGS);
		return 2;
	}
	r->x.ruf = true;
	if (!sendutil_dns(r->c, &r->x, &r->resolver, &r->psl, err, sizeof(err))) {
		say(r, "%s", err);
		return 2;
	}
	st = spool_open(&r->spool, r->c->failure_report_spool, err, sizeof(err));
	if (st == SPOOL_NONE) {
		say(r, "no directory %s/outgoing: nothing to send", r->c->failure_report_spool);
		return 1;
	}
	if (st != SPOOL_OK) {
		say(r, "%s", err);
		return 2;
	}
	return setup_rate(r) ? 0 : 2;
}

/* say_dropped - the run's summary of the rate limit: reports dropped per policy domain. */
static void
say_dropped(struct run *r)
{
	struct str line = STR_INITIALIZER(65536);
	size_t i;

	for (i = 0; i < r->dropped.cap; i++)
		if (r->dropped.slot[i].key != NULL)
			str_printf(&line, " %s %lld", r->dropped.slot[i].key,
			    (long long)r->dropped.slot[i].num);
	if (line.len > 0)
		say(r, "%s%u dropped by the rate limit (%s), per policy domain:%s",
		    r->dry ? "would be " : "", r->t->dropped, r->c->failure_reports_rate,
		    str_cstr(&line));
	str_free(&line);
}

/* send_all - every .meta of outgoing/, in name order; then the rate state saved. */
static int
send_all(struct run *r)
{
	char **names, err[600];
	size_t n, i;

	if (spool_list(&r->spool, &names, &n, err, sizeof(err)) != SPOOL_OK) {
		say(r, "%s", err);
		return 2;
	}
	for (i = 0; i < n; i++)
		send_report(r, names[i]);
	spool_list_free(names, n);
	say_dropped(r);
	if (!r->dry && failrate_save(&r->rate, r->state, err, sizeof(err)) != FAILRATE_OK) {
		say(r, "%s (the counts of this run are lost)", err);
		r->rc = 1;
	}
	return r->rc;
}

int
failsend_run(const struct conf *c, bool dry_run, int64_t now, FILE *log,
    struct failsend_totals *t)
{
	struct run r = { .c = c, .dry = dry_run, .log = log != NULL ? log : stderr, .t = t,
	    .now = now, .bcc = STR_INITIALIZER(CONF_MAX_LIST * (RFC5322_ADDR_BUFSIZE + 2)) };
	int rc;

	memset(t, 0, sizeof(*t));
	r.spool.outfd = -1;
	strmap_init(&r.dropped);
	strmap_init(&r.rate.counts);
	rc = setup(&r);
	if (rc == 0)
		rc = send_all(&r);
	else if (rc == 1)
		rc = 0;
	spool_close(&r.spool);
	resolver_free(r.resolver);
	psl_free(r.psl);
	failrate_free(&r.rate);
	strmap_free(&r.dropped);
	str_free(&r.bcc);
	say(&r, "%s%u reports, %u sent, %u skipped, %u dropped, %u failed, %u deferred, %u left "
	    "alone", dry_run ? "dry run, nothing changed: " : "", t->reports, t->sent, t->skipped,
	    t->dropped, t->failed, t->deferred, t->bad);
	return rc;
}
