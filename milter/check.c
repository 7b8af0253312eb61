/*
 * check.c - authmilter-check: the offline checker.  Runs the policy
 * library's DMARC evaluation on one message file: the From header(s) of the
 * message, SPF and DKIM results given on the command line, DNS data from a
 * master-format file.  Prints the verdict, the Authentication-Results
 * header the milter would add and the history record it would write.
 * Single-threaded program.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "authres.h"
#include "config.h"
#include "domain.h"
#include "from.h"
#include "history.h"
#include "psl.h"
#include "str.h"
#include "verdict.h"
#include "zonefile.h"

#define CHECK_HEADER_MAX (1024 * 1024)	/* bytes of header read from the message */
#define CHECK_MAX_FROM 16

struct check_opts {
	const char *dns_file;
	const char *psl_file;
	const char *authserv_id;
	const char *ip;
	const char *message;
	int64_t time;		/* -1: now */
	struct verdict_input in;
	bool json;
};

/* usage - print the synopsis and exit. */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: authmilter-check --dns FILE [options] MESSAGE\n"
	    "  --dns FILE              DNS data, master-format file (TXT records; other types make a name exist)\n"
	    "  --spf RESULT:DOMAIN     SPF result for MAIL FROM (e.g. pass:example.com)\n"
	    "  --helo-spf RESULT:DOMAIN SPF result for HELO (reported, never used for DMARC)\n"
	    "  --dkim RESULT:DOMAIN[:SELECTOR]  a DKIM result (repeatable)\n"
	    "  --org-mode treewalk|psl organizational domain by the RFC 9989 tree walk (default) or the PSL\n"
	    "  --psl FILE              public suffix list (default %s)\n"
	    "  --authserv-id ID        authserv-id of the Authentication-Results header (default: host name)\n"
	    "  --ip ADDRESS            client IP address for the history record (default 192.0.2.1)\n"
	    "  (the envelope sender's domain in the history record is the --spf domain)\n"
	    "  --honor-pct             apply the historic pct= sampling (RFC 7489)\n"
	    "  --time SECONDS          time of the history record (default: now)\n"
	    "Exit status: 0 accept, 2 quarantine, 3 reject, 4 temporary failure, 1 usage or input error.\n",
	    PSL_DEFAULT_FILE);
	exit(status);
}

/* die - print a message and exit 1. */
static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "authmilter-check: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* split_result - "word:domain[:selector]" into its parts; returns the number of parts. */
static int
split_result(char *arg, char **word, char **domain, char **selector)
{
	char *c1 = strchr(arg, ':'), *c2;

	*word = arg;
	*domain = *selector = NULL;
	if (c1 == NULL)
		return 1;
	*c1 = '\0';
	*domain = c1 + 1;
	if ((c2 = strchr(*domain, ':')) == NULL)
		return 2;
	*c2 = '\0';
	*selector = c2 + 1;
	return 3;
}

/* add_spf - one --spf / --helo-spf option. */
static void
add_spf(struct verdict_input *in, char *arg, enum spf_scope scope)
{
	struct verdict_spf *s;
	char *word, *domain, *sel;

	if (in->nspf >= VERDICT_MAX_SPF)
		die("too many SPF results");
	s = &in->spf[in->nspf];
	if (split_result(arg, &word, &domain, &sel) != 2 || !spf_result_from_name(word, &s->result))
		die("bad SPF result '%s' (want RESULT:DOMAIN, RESULT one of pass fail softfail neutral none temperror permerror)", arg);
	if (domain_normalize(domain, strlen(domain), s->domain) != DOMAIN_OK)
		die("bad SPF domain '%s'", domain);
	s->scope = scope;
	in->nspf++;
}

/* add_dkim - one --dkim option. */
static void
add_dkim(struct verdict_input *in, char *arg)
{
	struct verdict_dkim *d;
	char *word, *domain, *sel;

	if (in->ndkim >= VERDICT_MAX_DKIM)
		die("too many DKIM results");
	d = &in->dkim[in->ndkim];
	if (split_result(arg, &word, &domain, &sel) < 2 || !dkim_result_from_name(word, &d->result))
		die("bad DKIM result '%s' (want RESULT:DOMAIN[:SELECTOR])", arg);
	if (domain_normalize(domain, strlen(domain), d->domain) != DOMAIN_OK)
		die("bad DKIM domain '%s'", domain);
	snprintf(d->selector, sizeof(d->selector), "%s", sel ? sel : "");
	in->ndkim++;
}

/* parse_time - a --time value: seconds since the epoch. */
static int64_t
parse_time(const char *arg)
{
	char *end;
	long long t;

	errno = 0;
	t = strtoll(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || t < 0)
		die("--time wants seconds since the epoch, not '%s'", arg);
	return (int64_t)t;
}

/* parse_args - the command line into o. */
static void
parse_args(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "dns", required_argument, NULL, 'd' },
		{ "spf", required_argument, NULL, 's' },
		{ "helo-spf", required_argument, NULL, 'H' },
		{ "dkim", required_argument, NULL, 'k' },
		{ "org-mode", required_argument, NULL, 'm' },
		{ "psl", required_argument, NULL, 'p' },
		{ "authserv-id", required_argument, NULL, 'a' },
		{ "ip", required_argument, NULL, 'i' },
		{ "honor-pct", no_argument, NULL, 'P' },
		{ "time", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dns_file = optarg; break;
		case 's': add_spf(&o->in, optarg, SPF_SCOPE_MFROM); break;
		case 'H': add_spf(&o->in, optarg, SPF_SCOPE_HELO); break;
		case 'k': add_dkim(&o->in, optarg); break;
		case 'p': o->psl_file = optarg; break;
		case 'a': o->authserv_id = optarg; break;
		case 'i': o->ip = optarg; break;
		case 'P': o->in.honor_pct = true; break;
		case 't': o->time = parse_time(optarg); break;
		case 'm':
			if (strcmp(optarg, "treewalk") == 0)
				o->in.mode = ORG_MODE_TREEWALK;
			else if (strcmp(optarg, "psl") == 0)
				o->in.mode = ORG_MODE_PSL;
			else
				die("--org-mode must be treewalk or psl, not '%s'", optarg);
			break;
		case 'h': usage(0);
		default: usage(1);
		}
	}
	if (optind != argc - 1 || o->dns_file == NULL)
		usage(1);
	o->message = argv[optind];
}

/* read_header - the header section of a message file, unfolded lines kept as is. */
static void
read_header(const char *path, struct str *hdr)
{
	FILE *fp = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (fp == NULL)
		die("%s: %s", path, strerror(errno));
	while ((len = getline(&line, &cap, fp)) > 0) {
		if (line[0] == '\n' || (line[0] == '\r' && line[1] == '\n'))
			break;
		if (str_append(hdr, line, (size_t)len) != STR_OK)
			die("%s: header section larger than %d bytes", path, CHECK_HEADER_MAX);
	}
	free(line);
	fclose(fp);
}

/* next_field - find the next header field of hdr starting at *pos; returns its length. */
static size_t
next_field(const struct str *hdr, size_t *pos, size_t *start)
{
	const char *s = str_cstr(hdr);
	size_t i = *pos;

	*start = i;
	while (i < hdr->len) {
		if (s[i] == '\n' && !(i + 1 < hdr->len && (s[i + 1] == ' ' || s[i + 1] == '\t'))) {
			i++;
			break;
		}
		i++;
	}
	*pos = i;
	return i - *start;
}

/* find_from - the values of every From field of the header section. */
static size_t
find_from(const struct str *hdr, const char **vals, size_t *lens)
{
	const char *s = str_cstr(hdr), *f;
	size_t pos = 0, start, len, n = 0;

	while (pos < hdr->len && (len = next_field(hdr, &pos, &start)) > 0) {
		f = s + start;
		if (len >= 5 && strncasecmp(f, "from:", 5) == 0 && n < CHECK_MAX_FROM) {
			vals[n] = f + 5;
			lens[n] = len - 5;
			while (lens[n] > 0 && (vals[n][lens[n] - 1] == '\n' || vals[n][lens[n] - 1] == '\r'))
				lens[n]--;
			n++;
		}
	}
	return n;
}

/* fill_authors - the author domains of the message into in. */
static void
fill_authors(const struct from_result *fr, struct verdict_input *in)
{
	size_t i;

	in->nauthors = 0;
	if (fr->status != FROM_OK && fr->status != FROM_MULTI_SAME_DOMAIN &&
	    fr->status != FROM_MULTI_DIFF_DOMAIN && fr->status != FROM_MULTIPLE_HEADERS)
		return;
	for (i = 0; i < fr->ndomains && i < VERDICT_MAX_AUTHORS; i++)
		memcpy(in->authors[in->nauthors++], fr->domains[i], DOMAIN_BUFSIZE);
}

/* exit_code - the documented exit status for a verdict. */
static int
exit_code(const struct verdict *v)
{
	if (v->result == DMARC_RES_TEMPERROR)
		return 4;
	if (v->disposition == DISP_REJECT)
		return 3;
	return v->disposition == DISP_QUARANTINE ? 2 : 0;
}

/* load_psl - the PSL, needed only in psl mode. */
static struct psl *
load_psl(const struct check_opts *o)
{
	struct psl *psl = NULL;
	char reason[512];
	const char *path = o->psl_file ? o->psl_file : PSL_DEFAULT_FILE;

	if (o->in.mode != ORG_MODE_PSL)
		return NULL;
	if (psl_load_file(path, &psl, reason, sizeof(reason)) != PSL_OK)
		die("%s", reason);
	return psl;
}

/* print_history - the history record the milter would write (none without an author domain). */
static void
print_history(const struct check_opts *o, const struct verdict *v)
{
	struct history_record h;
	struct str line = STR_INITIALIZER(1 << 20);
	enum history_status st;
	size_t i;

	if (v->header_from[0] == '\0')
		return;
	history_record_init(&h);
	h.time = o->time >= 0 ? o->time : (int64_t)time(NULL);
	snprintf(h.source_ip, sizeof(h.source_ip), "%s", o->ip ? o->ip : "192.0.2.1");
	for (i = 0; i < o->in.nspf; i++)
		if (o->in.spf[i].scope == SPF_SCOPE_MFROM) {
			h.envelope_from_present = true;
			memcpy(h.envelope_from, o->in.spf[i].domain, DOMAIN_BUFSIZE);
		}
	st = history_record_from_verdict(&h, &o->in, v);
	if (st == HISTORY_OK)
		st = history_encode(&h, &line);
	if (st != HISTORY_OK)
		die("cannot write the history record: %s", history_status_name(st));
	printf("history: %s", str_cstr(&line));
	str_free(&line);
	history_record_free(&h);
}

/* print_outputs - the verdict and what the milter would write. */
static void
print_outputs(const struct check_opts *o, const struct from_result *fr, const struct verdict *v)
{
	struct str out = STR_INITIALIZER(1 << 20);
	char host[256] = "localhost", reason[256];

	printf("from: %s", from_status_name(fr->status));
	if (fr->status != FROM_OK)
		printf(" (%s)", fr->reason);
	printf("\n");
	if (verdict_dump(v, &out) != STR_OK)
		die("out of memory");
	fputs(str_cstr(&out), stdout);
	str_reset(&out);
	if (o->authserv_id == NULL && gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	if (authres_write_verdict(&out, o->authserv_id ? o->authserv_id : host, &o->in, v,
	    NULL, reason, sizeof(reason)) != AUTHRES_OK)
		die("cannot write Authentication-Results: %s", reason);
	printf("Authentication-Results: %s\n", str_cstr(&out));
	str_free(&out);
	print_history(o, v);
}

int
main(int argc, char **argv)
{
	struct check_opts o;
	struct str hdr = STR_INITIALIZER(CHECK_HEADER_MAX);
	const char *vals[CHECK_MAX_FROM];
	size_t lens[CHECK_MAX_FROM], nfrom;
	struct from_result fr;
	struct zonefile *zone;
	struct policy_env env;
	struct verdict v;
	struct psl *psl;
	char err[512];
	int rc;

	memset(&o, 0, sizeof(o));
	o.time = -1;
	parse_args(argc, argv, &o);
	if ((zone = zonefile_load(o.dns_file, err, sizeof(err))) == NULL)
		die("%s", err);
	env = zonefile_env(zone);
	psl = load_psl(&o);
	o.in.psl = psl;
	read_header(o.message, &hdr);
	nfrom = find_from(&hdr, vals, lens);
	from_collect(vals, lens, nfrom, &fr);
	fill_authors(&fr, &o.in);
	verdict_init(&v);
	if (verdict_evaluate(&env, &o.in, &v) != VERDICT_OK)
		die("out of memory");
	print_outputs(&o, &fr, &v);
	rc = exit_code(&v);
	verdict_free(&v);
	psl_free(psl);
	zonefile_free(zone);
	str_free(&hdr);
	return rc;
}
