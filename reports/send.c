/*
 * send.c - "authmilter-reports send" (see send.h): for each report in
 * ReportSpool/outgoing, each destination without a sent/skipped line:
 * parse the rua (rua.c), check the sizes, verify an external destination
 * (extdest.c), build the message (mime.c), pipe it to ReportSendCommand
 * (sendcmd.c), record the outcome in the .meta (meta.c, spool.c); a report
 * done for every destination moves to sent/.
 *
 * Called once by reports/main.c (and tests/reports/send_driver.c).
 * Single-threaded.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "extdest.h"
#include "meta.h"
#include "mime.h"
#include "psl.h"
#include "resolver.h"
#include "rfc5322.h"
#include "rua.h"
#include "send.h"
#include "sendcmd.h"
#include "sendutil.h"
#include "spool.h"

#define GZIP_MAGIC "\x1f\x8b"

/* One run. */
struct run {
	const struct conf *c;
	bool dry;
	FILE *log;
	struct send_totals *t;
	struct spool spool;
	struct resolver *resolver;
	struct psl *psl;
	struct extdest_config x;
	char from[RFC5322_ADDR_BUFSIZE];
	int64_t now;
	int rc;			/* 0, or 1 when something stays for the next run */
};

/* One report. */
struct report {
	const char *meta_name;	/* NAME.meta */
	char name[256];		/* NAME, for log lines */
	struct str text;	/* the .meta as on disk (grows as lines are recorded) */
	struct meta m;
	char submitter[DOMAIN_BUFSIZE];
	uint64_t size;		/* of the report file */
	char *gz;		/* the report file, once read */
	size_t gz_len;
	bool unusable;		/* the report file is missing or bad: stop */
};

/* One destination's limits and outcome. */
struct dest {
	size_t i;		/* index into m.dest */
	struct rua rua;
	uint64_t limit;		/* bytes */
	const char *limit_from;	/* "ReportMaxBytes" or "the rua !size" */
};

/* say - one progress line "send: ..." to the log. */
static void say(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct run *r, const char *fmt, ...)
{
	va_list ap;

	fputs("send: ", r->log);
	va_start(ap, fmt);
	vfprintf(r->log, fmt, ap);
	va_end(ap);
	fputc('\n', r->log);
	fflush(r->log);
}

/*
 * record - append the sent/skipped line of destination i to the .meta:
 * the new text is written in full (temporary file, rename) and only then
 * becomes the report's text.
 */
static bool
record(struct run *r, struct report *rep, size_t i, enum meta_done done, const char *why)
{
	char err[512];

	if (r->dry) {
		rep->m.dest[i].done = done;	/* in memory only: to say what would happen */
		return true;
	}
	if (sendutil_record(&r->spool, rep->meta_name, &rep->text, META_MAX_BYTES, done,
	    rep->m.dest[i].uri, r->now, why, err, sizeof(err))) {
		rep->m.dest[i].done = done;
		return true;
	}
	say(r, "%s: cannot record \"%s %s\" in %s: %s%s", rep->name,
	    done == META_SENT ? "sent" : "skipped", rep->m.dest[i].uri, rep->meta_name, err,
	    done == META_SENT ? " (it will be sent again by the next run)" : "");
	r->rc = 1;
	return false;
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

/* set_limit - the smaller of ReportMaxBytes and the rua's "!size". */
static void
set_limit(struct run *r, struct dest *d)
{
	d->limit = r->c->report_max_bytes;
	d->limit_from = "ReportMaxBytes";
	if (d->rua.has_size && d->rua.size_limit < d->limit) {
		d->limit = d->rua.size_limit;
		d->limit_from = "the rua !size";
	}
}

/* load_report - read and check the report file once; false when unusable. */
static bool
load_report(struct run *r, struct report *rep)
{
	char err[512];

	if (rep->gz != NULL)
		return true;
	if (spool_read(&r->spool, rep->m.file, r->c->report_max_bytes, &rep->gz, &rep->gz_len, err,
	    sizeof(err)) != SPOOL_OK)
		say(r, "%s: %s (left for the next run)", rep->name, err);
	else if (rep->gz_len < 18 || memcmp(rep->gz, GZIP_MAGIC, 2) != 0)
		say(r, "%s: %s is not a gzip file (left alone)", rep->name, rep->m.file);
	else
		return true;
	free(rep->gz);
	rep->gz = NULL;
	rep->unusable = true;
	return false;
}

/* message_id - "<rid-left>.<n>@<rid-right or From domain>" for destination i. */
static void
message_id(struct run *r, const struct report *rep, size_t i, char *out, size_t size)
{
	const char *id = rep->m.report_id, *at = strchr(id, '@');
	int left = at != NULL ? (int)(at - id) : (int)strlen(id);

	snprintf(out, size, "%.*s.%zu@%s", left, id, i + 1,
	    at != NULL ? at + 1 : rfc5322_addr_domain(r->from));
}

/* build - the message of report rep for destination d into msg. */
static bool
build(struct run *r, struct report *rep, const struct dest *d, struct str *msg)
{
	char mid[RFC5322_RID_MAX + DOMAIN_BUFSIZE + 32], boundary[64], why[256];
	struct mime_report mr = {
		.from = r->from, .to = d->rua.addr, .policy_domain = rep->m.policy_domain,
		.submitter = rep->submitter, .report_id = rep->m.report_id,
		.filename = rep->m.file, .message_id = mid, .boundary = boundary,
		.legacy = rep->m.format == META_FORMAT_RFC7489, .begin = rep->m.begin,
		.end = rep->m.end, .date = r->now, .data = (const unsigned char *)rep->gz,
		.len = rep->gz_len,
	};

	message_id(r, rep, d->i, mid, sizeof(mid));
	snprintf(boundary, sizeof(boundary), "=_authmilter_%lld_%zu", (long long)r->now, d->i + 1);
	str_init(msg, 2 * rep->gz_len + 65536);
	if (mime_build(&mr, msg, why, sizeof(why)) != MIME_OK) {
		say(r, "%s: %s: %s (left for the next run)", rep->name, rep->m.dest[d->i].uri, why);
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

	if (r->dry) {
		r->t->sent++;
		say(r, "%s: would send to %s (%zu bytes)", rep->name, d->rua.addr, msg->len);
		record(r, rep, d->i, META_SENT, NULL);
		return;
	}
	if (sendcmd_run(r->c->report_send_command, msg->s, msg->len, 0, why, sizeof(why)) !=
	    SENDCMD_OK) {
		r->t->failed++;
		r->rc = 1;
		say(r, "%s: sending to %s failed: %s (left for the next run)", rep->name,
		    d->rua.addr, why);
		return;
	}
	r->t->sent++;
	say(r, "%s: sent to %s (%zu bytes)", rep->name, d->rua.addr, msg->len);
	record(r, rep, d->i, META_SENT, NULL);
}

/* check_size - is the report file within d's limit?  Skips when not. */
static bool
check_size(struct run *r, struct report *rep, const struct dest *d, uint64_t size,
    const char *what)
{
	char why[256];

	if (size <= d->limit)
		return true;
	snprintf(why, sizeof(why), "%s of %llu bytes is over the limit of %llu bytes (%s)", what,
	    (unsigned long long)size, (unsigned long long)d->limit, d->limit_from);
	skip(r, rep, d->i, why);
	return false;
}

/* verify - the external destination check; false when not sent now. */
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

/* send_dest - everything for destination i of rep. */
static void
send_dest(struct run *r, struct report *rep, size_t i)
{
	struct dest d = { .i = i };
	struct str msg = STR_INITIALIZER(0);
	const char *uri = rep->m.dest[i].uri;
	char why[256];

	switch (rua_parse(uri, strlen(uri), &d.rua, why, sizeof(why))) {
	case RUA_OK:
		break;
	case RUA_NOT_MAILTO:
		skip(r, rep, i, why);
		return;
	case RUA_BAD:
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " (malformed URI)");
		skip(r, rep, i, why);
		return;
	}
	set_limit(r, &d);
	if (!check_size(r, rep, &d, rep->size, "the report file") || !verify(r, rep, &d) ||
	    !check_size(r, rep, &d, rep->size, "the report file") || !load_report(r, rep))
		return;
	if (build(r, rep, &d, &msg) && check_size(r, rep, &d, msg.len, "the message"))
		deliver(r, rep, &d, &msg);
	str_free(&msg);
}

/* set_submitter - org_name when it is a domain name, else the From domain. */
static void
set_submitter(struct run *r, struct report *rep)
{
	const char *org = rep->m.org_name;

	if (domain_normalize(org, strlen(org), rep->submitter) != DOMAIN_OK) {
		snprintf(rep->submitter, sizeof(rep->submitter), "%s", rfc5322_addr_domain(r->from));
		say(r, "%s: org_name \"%s\" is no domain name: Submitter %s", rep->name, org,
		    rep->submitter);
	}
}

/* finish - move a report done for every destination to sent/. */
static void
finish(struct run *r, struct report *rep)
{
	char err[512];

	if (r->dry) {
		say(r, "%s: done for every destination: would move to sent/", rep->name);
		return;
	}
	if (spool_finish(&r->spool, rep->meta_name, rep->m.file, err, sizeof(err)) != SPOOL_OK) {
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
	if (spool_read(&r->spool, rep->meta_name, META_MAX_BYTES, &data, &len, err, sizeof(err)) !=
	    SPOOL_OK) {
		say(r, "%s: %s (left alone)", path, err);
		goto bad;
	}
	if (str_set(&rep->text, data, len) != STR_OK) {
		free(data);
		say(r, "%s: out of memory", path);
		goto bad;
	}
	free(data);
	if (meta_parse(str_cstr(&rep->text), rep->text.len, path, &rep->m, err, sizeof(err)) !=
	    META_OK) {
		say(r, "%s (left alone)", err);
		goto bad;
	}
	return true;
bad:
	r->t->bad++;
	r->rc = 1;
	return false;
}

/* send_report - one .meta and its report. */
static void
send_report(struct run *r, const char *meta_name)
{
	struct report rep = { .meta_name = meta_name, .text = STR_INITIALIZER(META_MAX_BYTES) };
	char err[512];
	size_t i;

	snprintf(rep.name, sizeof(rep.name), "%.*s", (int)(strlen(meta_name) - 5), meta_name);
	if (!load_meta(r, &rep))
		goto out;
	r->t->reports++;
	if (!meta_all_done(&rep.m)) {
		if (spool_stat(&r->spool, rep.m.file, &rep.size, err, sizeof(err)) != SPOOL_OK) {
			say(r, "%s: %s (left alone)", rep.name, err);
			r->t->bad++;
			r->rc = 1;
			goto out;
		}
		set_submitter(r, &rep);
		for (i = 0; i < rep.m.n_dest && !rep.unusable; i++)
			if (rep.m.dest[i].done == META_DUE)
				send_dest(r, &rep, i);
		if (rep.unusable) {
			r->t->bad++;
			r->rc = 1;
		}
	}
	if (meta_all_done(&rep.m))
		finish(r, &rep);
out:
	meta_free(&rep.m);
	str_free(&rep.text);
	free(rep.gz);
}

/* setup_from - the From address: ReportEmail, or postmaster@AuthservID. */
static bool
setup_from(struct run *r)
{
	const char *from;
	char why[160];

	if (!sendutil_from(r->c->report_email, r->c->authserv_id, r->from, &from, why,
	    sizeof(why))) {
		say(r, "ReportEmail %s is not a usable address: %s", from, why);
		return false;
	}
	return true;
}

/* setup_dns - the resolver (and the PSL) for the external destination check. */
static bool
setup_dns(struct run *r)
{
	char err[600];

	if (!sendutil_dns(r->c, &r->x, &r->resolver, &r->psl, err, sizeof(err))) {
		say(r, "%s", err);
		return false;
	}
	return true;
}

/* setup - everything before the first report; 0, 1 (nothing to do) or 2. */
static int
setup(struct run *r)
{
	char buf[4096], *argv[SENDCMD_MAX_ARGS + 1], err[600];
	enum spool_status st;

	if (!setup_from(r))
		return 2;
	if (sendcmd_split(r->c->report_send_command, buf, sizeof(buf), argv,
	    SENDCMD_MAX_ARGS + 1) < 0) {
		say(r, "ReportSendCommand is empty or has more than %d words", SENDCMD_MAX_ARGS);
		return 2;
	}
	if (!setup_dns(r))
		return 2;
	st = spool_open(&r->spool, r->c->report_spool, err, sizeof(err));
	if (st == SPOOL_NONE) {
		say(r, "no directory %s/outgoing: nothing to send", r->c->report_spool);
		return 1;
	}
	if (st != SPOOL_OK) {
		say(r, "%s", err);
		return 2;
	}
	return 0;
}

/* send_all - every .meta of outgoing/, in name order. */
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
	return r->rc;
}

int
send_run(const struct conf *c, bool dry_run, FILE *log, struct send_totals *t)
{
	struct run r = { .c = c, .dry = dry_run, .log = log != NULL ? log : stderr, .t = t };
	int rc;

	memset(t, 0, sizeof(*t));
	r.spool.outfd = -1;
	r.now = (int64_t)time(NULL);
	rc = setup(&r);
	if (rc == 0)
		rc = send_all(&r);
	else if (rc == 1)
		rc = 0;
	spool_close(&r.spool);
	resolver_free(r.resolver);
	psl_free(r.psl);
	say(&r, "%s%u reports, %u sent, %u skipped, %u failed, %u deferred, %u left alone",
	    dry_run ? "dry run, nothing changed: " : "", t->reports, t->sent, t->skipped,
	    t->failed, t->deferred, t->bad);
	return rc;
}
