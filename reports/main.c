/*
 * main.c - authmilter-reports: DMARC aggregate reports (RFC 9990) from
 * the milter's history records.  Subcommands: import (history files into
 * the store), aggregate (reports into the spool), send (mail them, see
 * send.h), send-failures (mail the daemon's failure reports, RFC 9991,
 * see failsend.h), expire (drop old data).  Reads the daemon's configuration
 * (/etc/authmilter.conf).  Progress and a summary on standard error.
 * See doc/authmilter-reports.8.  Single-threaded program.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "aggregate.h"
#include "conf.h"
#include "config.h"
#include "domain.h"
#include "expire.h"
#include "failsend.h"
#include "import.h"
#include "send.h"
#include "outbox.h"
#include "store.h"

#define EXIT_PARTIAL 1		/* done, but something was skipped or failed */
#define EXIT_SETUP 2		/* nothing done: usage, configuration, database, spool */
#define MAX_DEFAULT_FILES 3

struct opts {
	const char *config;
	bool dry_run, quiet, partial;
	int64_t now;
	const char *command;
	char **files;
	size_t nfiles;
};

/* usage - the synopsis; exits with status. */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: authmilter-reports [-c FILE] [-n] [-q] [--now EPOCH] COMMAND [ARGS]\n"
	    "commands:\n"
	    "  import [FILE...]   history files into the store (default: HistoryFile.1,\n"
	    "                     HistoryFile.1.gz and HistoryFile, those that exist)\n"
	    "  aggregate          one report per policy domain and finished UTC day into\n"
	    "                     ReportSpool/outgoing (--partial: today too, up to now)\n"
	    "  send               mail the reports in ReportSpool/outgoing to their rua\n"
	    "  send-failures      mail the failure reports in FailureReportSpool/outgoing\n"
	    "                     to their ruf (every few minutes)\n"
	    "  expire             drop data older than ReportRetentionDays\n"
	    "options:\n"
	    "  -c, --config FILE  configuration (default " CONF_DEFAULT_FILE ")\n"
	    "  -n, --dry-run      change nothing, say what would be done\n"
	    "  -q, --quiet        only problems and the summary\n"
	    "      --now EPOCH    the run's clock (seconds since the epoch; for tests)\n"
	    "  -V, --version      print the version; -h, --help  this text\n"
	    "exit status: 0 done; 1 done, but something was skipped or failed (see the\n"
	    "messages); 2 nothing done (usage, configuration, database or spool error)\n");
	exit(status);
}

/* die - a setup error: message and exit 2. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("authmilter-reports: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_SETUP);
}

/* parse_epoch - a non-negative decimal number of seconds. */
static int64_t
parse_epoch(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		die("--now: '%s' is not a number of seconds since the epoch", s);
	return (int64_t)v;
}

/* parse_args - options anywhere, the command, then files. */
static void
parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "now", required_argument, NULL, 'N' },
		{ "partial", no_argument, NULL, 'P' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->now = -1;
	while ((ch = getopt_long(argc, argv, "c:nqVh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->config = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'q': o->quiet = true; break;
		case 'N': o->now = parse_epoch(optarg); break;
		case 'P': o->partial = true; break;
		case 'V': printf("authmilter-reports %s\n", PACKAGE_VERSION); exit(0);
		case 'h': usage(0);
		default: usage(EXIT_SETUP);
		}
	}
	if (optind >= argc)
		usage(EXIT_SETUP);
	o->command = argv[optind];
	o->files = argv + optind + 1;
	o->nfiles = (size_t)(argc - optind - 1);
	if (o->now < 0)
		o->now = (int64_t)time(NULL);
	if (o->partial && strcmp(o->command, "aggregate") != 0)
		die("--partial is an option of aggregate");
	if (o->nfiles > 0 && strcmp(o->command, "import") != 0)
		die("%s takes no file arguments", o->command);
}

/* load_conf - the configuration: -c FILE, else the default file, else the built-in defaults. */
static struct conf *
load_conf(const struct opts *o)
{
	const char *path = o->config != NULL ? o->config : CONF_DEFAULT_FILE;
	char err[512];
	struct conf *c;

	if (o->config == NULL && access(path, F_OK) != 0 && errno == ENOENT)
		c = conf_defaults();
	else
		c = conf_load(path, stderr, err, sizeof(err));
	if (c == NULL)
		die("%s", o->config != NULL || access(path, F_OK) == 0 ? err : "out of memory");
	return c;
}

/* open_store - the store of ReportDatabase, or die. */
static struct store *
open_store(const struct conf *c, const struct opts *o)
{
	char err[STORE_ERR_MAX + 64];
	struct store *st;

	if (store_open(c->report_database, c->report_host_id,
	    o->dry_run ? STORE_OPEN_DRY : STORE_OPEN_CREATE, &st, err, sizeof(err)) != STORE_OK)
		die("%s", err);
	if (store_is_memory(st) && !o->quiet)
		fprintf(stderr, "authmilter-reports: %s does not exist: dry run against an empty "
		    "store\n", c->report_database);
	return st;
}

/* prefix - the summary's start. */
static const char *
prefix(const struct opts *o)
{
	return o->dry_run ? "authmilter-reports: dry run, nothing changed: " : "authmilter-reports: ";
}

/* default_files - HistoryFile's previous generation(s) and itself, those that exist. */
static size_t
default_files(const struct conf *c, char names[MAX_DEFAULT_FILES][4096], const char **files)
{
	static const char *const suffix[MAX_DEFAULT_FILES] = { ".1.gz", ".1", "" };
	struct stat sb;
	size_t i, n = 0;

	if (c->history_file == NULL)
		die("import: no HistoryFile configured and no FILE given");
	for (i = 0; i < MAX_DEFAULT_FILES; i++) {
		if (snprintf(names[i], 4096, "%s%s", c->history_file, suffix[i]) >= 4096)
			die("HistoryFile: name too long");
		if (stat(names[i], &sb) == 0)
			files[n++] = names[i];
	}
	return n;
}

/* cmd_import - import FILEs or the default ones. */
static int
cmd_import(const struct conf *c, const struct opts *o)
{
	static char names[MAX_DEFAULT_FILES][4096];
	const char *defaults[MAX_DEFAULT_FILES];
	const char *const *files = (const char *const *)o->files;
	struct import_opts io = { o->dry_run, o->quiet, o->now, 0, stderr };
	struct import_totals t;
	size_t n = o->nfiles;
	struct store *st;
	int rc;

	if (n == 0) {
		n = default_files(c, names, defaults);
		files = defaults;
		if (n == 0 && !o->quiet)
			fprintf(stderr, "authmilter-reports: %s does not exist (yet)\n", c->history_file);
	}
	io.oldest = expire_cutoff(o->now, c->report_retention_days);
	st = open_store(c, o);
	rc = import_files(st, files, n, &io, &t);
	store_close(st);
	fprintf(stderr, "%simport: %u files, %" PRIu64 " lines, %" PRIu64 " messages stored, %"
	    PRIu64 " malformed lines, %" PRIu64 " records without a DMARC policy, %" PRIu64
	    " older than the retention, %" PRIu64 " of periods already reported, %u incomplete "
	    "last lines left%s\n", prefix(o), t.files, t.lines, t.stored, t.malformed, t.no_policy,
	    t.too_old, t.late, t.torn, t.failed_files ? ", some files unreadable" : "");
	return rc;
}

/* receiver - AuthservID as the report file names' receiver (a domain name). */
static void
receiver(const struct conf *c, char out[DOMAIN_BUFSIZE])
{
	enum domain_status st = domain_normalize(c->authserv_id, strlen(c->authserv_id), out);

	if (st != DOMAIN_OK || strchr(out, '.') == NULL)
		die("AuthservID '%s' is not a domain name; the report file names need the "
		    "receiver's domain (RFC 9990): set AuthservID", c->authserv_id);
}

/* cmd_aggregate - make the reports that are due. */
static int
cmd_aggregate(const struct conf *c, const struct opts *o)
{
	char recv[DOMAIN_BUFSIZE], email[DOMAIN_BUFSIZE + 16], dom[DOMAIN_BUFSIZE], err[512];
	struct aggregate_opts ao;
	struct aggregate_totals t;
	struct store *st;
	int rc;

	receiver(c, recv);
	snprintf(email, sizeof(email), "postmaster@%s", recv);
	memset(&ao, 0, sizeof(ao));
	ao.dry_run = o->dry_run;
	ao.partial = o->partial;
	ao.legacy = c->report_legacy;
	ao.quiet = o->quiet;
	ao.now = o->now;
	ao.host_grace = c->report_host_grace / 1000;
	ao.spool = c->report_spool;
	ao.receiver = recv;
	ao.org_name = c->report_org_name != NULL ? c->report_org_name : recv;
	ao.email = c->report_email != NULL ? c->report_email : email;
	ao.log = stderr;
	if (domain_normalize(ao.org_name, strlen(ao.org_name), dom) != DOMAIN_OK)
		fprintf(stderr, "authmilter-reports: warning: ReportOrgName '%s' is not a domain "
		    "name, but it is the Submitter of the report messages' Subject (RFC 9990)\n",
		    ao.org_name);
	if (!o->dry_run && outbox_dir(c->report_spool, err, sizeof(err)) != 0)
		die("ReportSpool: %s", err);
	st = open_store(c, o);
	rc = aggregate_run(st, &ao, &t);
	store_close(st);
	fprintf(stderr, "%saggregate: %u reports (%u of them also as RFC 7489), %" PRIu64
	    " messages in %" PRIu64 " records, %u periods without rua closed, %u reports failed, "
	    "%u periods waiting for hosts\n", prefix(o), t.reports, t.legacy, t.messages, t.rows,
	    t.no_rua, t.failed, t.waiting);
	return rc;
}

/* cmd_expire - drop old data. */
static int
cmd_expire(const struct conf *c, const struct opts *o)
{
	struct expire_opts eo = { o->dry_run, o->now, c->report_retention_days, c->report_spool,
	    c->failure_report_spool, stderr };
	struct expire_totals t;
	struct store *st = open_store(c, o);
	int rc;

	rc = expire_run(st, &eo, &t);
	store_close(st);
	fprintf(stderr, "%sexpire (before %lld): %" PRId64 " messages, %" PRId64 " reports, %"
	    PRId64 " history files, %" PRId64 " policies, %" PRId64 " result sets, %" PRId64
	    " policy domains from the store; %u reports from %s/" SPOOL_SENT "; %u failure reports "
	    "from %s/" SPOOL_SENT "\n", prefix(o),
	    (long long)expire_cutoff(o->now, c->report_retention_days), t.store.messages,
	    t.store.reports, t.store.files, t.store.policies, t.store.results, t.store.domains,
	    t.sent_files, c->report_spool, t.failure_files, c->failure_report_spool);
	return rc;
}

/* cmd_send - the sender (send.c). */
static int
cmd_send(const struct conf *c, const struct opts *o)
{
	struct send_totals t;
	int rc;

	memset(&t, 0, sizeof(t));
	rc = send_run(c, o->dry_run, stderr, &t);
	fprintf(stderr, "%ssend: %u reports, %u messages sent, %u destinations skipped, %u "
	    "failed\n", prefix(o), t.reports, t.sent, t.skipped, t.failed);
	return rc;
}

/* cmd_send_failures - the failure report sender (failsend.c). */
static int
cmd_send_failures(const struct conf *c, const struct opts *o)
{
	struct failsend_totals t;
	int rc;

	rc = failsend_run(c, o->dry_run, o->now, stderr, &t);
	fprintf(stderr, "%ssend-failures: %u reports, %u messages sent, %u destinations skipped, "
	    "%u dropped by the rate limit, %u failed, %u deferred, %u reports left alone\n",
	    prefix(o), t.reports, t.sent, t.skipped, t.dropped, t.failed, t.deferred, t.bad);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct conf *c;
	int rc;

	parse_args(argc, argv, &o);
	c = load_conf(&o);
	if (strcmp(o.command, "import") == 0)
		rc = cmd_import(c, &o);
	else if (strcmp(o.command, "aggregate") == 0)
		rc = cmd_aggregate(c, &o);
	else if (strcmp(o.command, "send") == 0)
		rc = cmd_send(c, &o);
	else if (strcmp(o.command, "send-failures") == 0)
		rc = cmd_send_failures(c, &o);
	else if (strcmp(o.command, "expire") == 0)
		rc = cmd_expire(c, &o);
	else {
		fprintf(stderr, "authmilter-reports: unknown command '%s'\n", o.command);
		rc = EXIT_SETUP;
	}
	conf_unref(c);
	return rc;
}
