/*
 * check.c - authmilter-check: run the daemon's evaluation on one message
 * file.  The message goes through exactly the calls the libmilter callbacks
 * make (message.h: connect, helo, envfrom, rcpt, header, eoh, body, eom),
 * with the daemon's configuration (--config) and DNS from the configured
 * resolver or, with --zone, a master-format file as the only DNS data.
 * Prints the Authentication-Results header the daemon would add and the
 * action; --json the whole decision; --dump a line-oriented rendering for
 * golden files.  --spf / --dkim replace the engines' results (what-if).
 * Single-threaded program.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "config.h"
#include "decide.h"
#include "message.h"
#include "runtime.h"

#define CHECK_MESSAGE_MAX (64 * 1024 * 1024)	/* bytes of message read */
#define CHECK_MAX_RCPT 64
#define CHECK_MAX_SET 32		/* --set KEY=VALUE */

struct check_opts {
	const char *config, *zone, *authserv_id, *psl, *org_mode;
	const char *ip, *helo, *mail_from, *message;
	const char *rcpt[CHECK_MAX_RCPT];
	size_t nrcpt;
	char *set[CHECK_MAX_SET];	/* --set, "KEY=VALUE" (argv strings) */
	size_t nset;
	int64_t time;			/* -1: now */
	bool json, dump, honor_pct, trace_dns;
	size_t nspf;			/* --spf / --helo-spf */
	struct spf_outcome spf[2];
	bool dkim_given;		/* --dkim */
	struct dkim_outcome dkim;
};

/* usage - print the synopsis and exit. */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: authmilter-check [--config FILE] --ip IP [--helo NAME] [--mail-from ADDR]\n"
	    "                        [--rcpt ADDR]... [--zone FILE] [--authserv-id ID]\n"
	    "                        [--time EPOCH] [--json | --dump] MESSAGE.eml\n"
	    "  --config FILE      the daemon's configuration (default: built-in defaults)\n"
	    "  --ip IP            client address (default 192.0.2.1)\n"
	    "  --helo NAME        HELO name; --mail-from ADDR  envelope sender (\"\" = null sender)\n"
	    "  --rcpt ADDR        envelope recipient (repeatable)\n"
	    "  --zone FILE        master-format file as the only DNS data (--dns is the same)\n"
	    "  --authserv-id ID   override AuthservID; --psl FILE, --org-mode treewalk|psl, --honor-pct\n"
	    "  --set KEY=VALUE    set any configuration key (repeatable), e.g. --set ARCVerify=no\n"
	    "  --time EPOCH       time of the history record (default now)\n"
	    "  --json             the whole decision as JSON; --dump  the decision, line by line\n"
	    "  --trace-dns        every DNS lookup and its answer on standard error\n"
	    "  what-if: --spf RESULT:DOMAIN, --helo-spf RESULT:DOMAIN, --dkim RESULT:DOMAIN[:SELECTOR]\n"
	    "           replace the engines' results\n"
	    "Exit status: 0 accept, 2 quarantine, 3 reject, 4 tempfail, 1 usage or input error.\n");
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

/* split3 - "word:domain[:selector]"; returns the number of parts. */
static int
split3(char *arg, char **word, char **domain, char **sel)
{
	char *c1 = strchr(arg, ':'), *c2;

	*word = arg;
	*domain = *sel = NULL;
	if (c1 == NULL)
		return 1;
	*c1 = '\0';
	*domain = c1 + 1;
	if ((c2 = strchr(*domain, ':')) == NULL)
		return 2;
	*c2 = '\0';
	*sel = c2 + 1;
	return 3;
}

/* add_spf - one --spf / --helo-spf. */
static void
add_spf(struct check_opts *o, char *arg, enum spf_scope scope)
{
	struct spf_outcome *s;
	char *word, *domain, *sel;

	if (o->nspf >= 2)
		die("at most one --spf and one --helo-spf");
	s = &o->spf[o->nspf];
	memset(s, 0, sizeof(*s));
	if (split3(arg, &word, &domain, &sel) != 2 || !spf_result_from_name(word, &s->result))
		die("bad SPF result '%s' (want RESULT:DOMAIN, RESULT one of pass fail softfail neutral none temperror permerror)", arg);
	s->scope = scope;
	snprintf(s->domain, sizeof(s->domain), "%s", domain);
	snprintf(s->reason, sizeof(s->reason), "given on the command line");
	o->nspf++;
}

/* add_dkim - one --dkim. */
static void
add_dkim(struct check_opts *o, char *arg)
{
	struct dkim_sig_result *r;
	char *word, *domain, *sel;

	if (o->dkim.n >= DKIM_VERIFY_MAX_SIGS)
		die("too many --dkim results");
	r = &o->dkim.sig[o->dkim.n];
	memset(r, 0, sizeof(*r));
	if (split3(arg, &word, &domain, &sel) < 2 || !dkim_result_from_name(word, &r->result))
		die("bad DKIM result '%s' (want RESULT:DOMAIN[:SELECTOR])", arg);
	snprintf(r->d, sizeof(r->d), "%s", domain);
	snprintf(r->s, sizeof(r->s), "%s", sel != NULL ? sel : "");
	o->dkim.n++;
	o->dkim_given = true;
}

/* parse_time - seconds since the epoch. */
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

/* parse_more - the options of parse_args that take a value. */
static void
parse_more(int c, struct check_opts *o)
{
	switch (c) {
	case 'C': o->config = optarg; break;
	case 'z': o->zone = optarg; break;
	case 'a': o->authserv_id = optarg; break;
	case 'p': o->psl = optarg; break;
	case 'm': o->org_mode = optarg; break;
	case 'i': o->ip = optarg; break;
	case 'H': o->helo = optarg; break;
	case 'f': o->mail_from = optarg; break;
	case 't': o->time = parse_time(optarg); break;
	case 's': add_spf(o, optarg, SPF_SCOPE_MFROM); break;
	case 'S': add_spf(o, optarg, SPF_SCOPE_HELO); break;
	case 'k': add_dkim(o, optarg); break;
	case 'X':
		if (o->nset >= CHECK_MAX_SET || strchr(optarg, '=') == NULL)
			die(o->nset >= CHECK_MAX_SET ? "too many --set" : "--set wants KEY=VALUE");
		o->set[o->nset++] = optarg;
		break;
	case 'r':
		if (o->nrcpt >= CHECK_MAX_RCPT)
			die("too many --rcpt");
		o->rcpt[o->nrcpt++] = optarg;
		break;
	default: usage(1);
	}
}

/* parse_args - the command line into o. */
static void
parse_args(int argc, char **argv, struct check_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'C' }, { "zone", required_argument, NULL, 'z' },
		{ "dns", required_argument, NULL, 'z' }, { "authserv-id", required_argument, NULL, 'a' },
		{ "psl", required_argument, NULL, 'p' }, { "org-mode", required_argument, NULL, 'm' },
		{ "ip", required_argument, NULL, 'i' }, { "helo", required_argument, NULL, 'H' },
		{ "mail-from", required_argument, NULL, 'f' }, { "rcpt", required_argument, NULL, 'r' },
		{ "time", required_argument, NULL, 't' }, { "spf", required_argument, NULL, 's' },
		{ "helo-spf", required_argument, NULL, 'S' }, { "dkim", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' }, { "dump", no_argument, NULL, 'd' },
		{ "honor-pct", no_argument, NULL, 'P' }, { "trace-dns", no_argument, NULL, 'T' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { "set", required_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h')
			usage(0);
		if (c == 'V') {
			printf("authmilter-check %s\n", PACKAGE_VERSION);
			exit(0);
		}
		if (c == 'j')
			o->json = true;
		else if (c == 'd')
			o->dump = true;
		else if (c == 'P')
			o->honor_pct = true;
		else if (c == 'T')
			o->trace_dns = true;
		else
			parse_more(c, o);
	}
	if (optind != argc - 1)
		usage(1);
	o->message = argv[optind];
}

/* set - one configuration key through the table; exits on a bad value. */
static void
set(struct conf *c, const char *key, const char *value)
{
	char err[512];

	if (value != NULL && conf_set(c, key, value, err, sizeof(err)) != 0)
		die("%s", err);
}

/* set_path - a file named on the command line (relative to the current directory). */
static void
set_path(struct conf *c, const char *key, const char *path)
{
	char *abs;

	if (path == NULL)
		return;
	if ((abs = realpath(path, NULL)) == NULL)
		die("%s: %s", path, strerror(errno));
	set(c, key, abs);
	free(abs);
}

/* set_keys - the --set KEY=VALUE options, in order. */
static void
set_keys(struct conf *c, const struct check_opts *o)
{
	char *eq;
	size_t i;

	for (i = 0; i < o->nset; i++) {
		eq = strchr(o->set[i], '=');
		*eq = '\0';
		set(c, o->set[i], eq + 1);
		*eq = '=';
	}
}

/* dns_log - --trace-dns: every lookup on standard error. */
static void
dns_log(const char *line)
{
	fprintf(stderr, "%s\n", line);
}

/* build_runtime - the configuration with the command line's overrides. */
static struct runtime *
build_runtime(const struct check_opts *o)
{
	struct conf *c;
	struct runtime *rt;
	char err[1024];

	c = o->config ? conf_load(o->config, stderr, err, sizeof(err)) : conf_defaults();
	if (c == NULL)
		die("%s", o->config ? err : "out of memory");
	set_path(c, "DNSZoneFile", o->zone);
	set(c, "AuthservID", o->authserv_id);
	set_path(c, "PublicSuffixList", o->psl);
	set(c, "OrganizationalDomain", o->org_mode);
	set(c, "HonorPct", o->honor_pct ? "yes" : NULL);
	set(c, "LogDNS", o->trace_dns ? "yes" : NULL);
	set_keys(c, o);
	if ((rt = runtime_new(c, dns_log, err, sizeof(err))) == NULL)
		die("%s", err);
	conf_unref(c);
	return rt;
}

/* read_file - the whole message. */
static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t n;

	if (fp == NULL)
		die("%s: %s", path, strerror(errno));
	if ((buf = malloc(CHECK_MESSAGE_MAX + 1)) == NULL)
		die("out of memory");
	n = fread(buf, 1, CHECK_MESSAGE_MAX + 1, fp);
	if (ferror(fp) || n > CHECK_MESSAGE_MAX)
		die("%s: %s", path, ferror(fp) ? strerror(errno) : "message larger than 64 MB");
	fclose(fp);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* header_end - offset just past the header section (the empty line), or len. */
static size_t
header_end(const char *msg, size_t len, size_t *body)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (msg[i] == '\n' && i + 1 < len && msg[i + 1] == '\n') {
			*body = i + 2;
			return i + 1;
		}
		if (msg[i] == '\n' && i + 2 < len && msg[i + 1] == '\r' && msg[i + 2] == '\n') {
			*body = i + 3;
			return i + 1;
		}
	}
	*body = len;
	return len;
}

/* feed_field - one "Name: value" field (folds kept, final line end dropped). */
static void
feed_field(struct message *m, const char *f, size_t n, struct str *name, struct str *value)
{
	const char *colon = memchr(f, ':', n);

	while (n > 0 && (f[n - 1] == '\n' || f[n - 1] == '\r'))
		n--;
	if (colon == NULL || colon == f)
		return;				/* not a field: the MTA would not pass it either */
	if (str_set(name, f, (size_t)(colon - f)) != STR_OK ||
	    str_set(value, colon + 1, n - (size_t)(colon + 1 - f)) != STR_OK)
		die("header field too large");
	while (name->len > 0 && (name->s[name->len - 1] == ' ' || name->s[name->len - 1] == '\t'))
		name->s[--name->len] = '\0';
	/* The milter protocol carries C strings: a NUL ends the name or the
	 * value there, as it does for the daemon (and for readers in C). */
	message_header(m, str_cstr(name), str_cstr(value), true);
}

/* feed_header - every header field of msg[0..end). */
static void
feed_header(struct message *m, const char *msg, size_t end)
{
	struct str name = STR_INITIALIZER(1024), value = STR_INITIALIZER(CHECK_MESSAGE_MAX);
	size_t i = 0, start;

	while (i < end) {
		start = i;
		do {
			const char *nl = memchr(msg + i, '\n', end - i);

			i = nl != NULL ? (size_t)(nl - msg) + 1 : end;
		} while (i < end && (msg[i] == ' ' || msg[i] == '\t'));
		feed_field(m, msg + start, i - start, &name, &value);
	}
	str_free(&name);
	str_free(&value);
}

/* feed_body - the body with CRLF line ends, as an MTA sends it. */
static void
feed_body(struct message *m, const char *b, size_t n)
{
	struct str crlf = STR_INITIALIZER(2 * (size_t)CHECK_MESSAGE_MAX);
	size_t i;

	for (i = 0; i < n; i++) {
		if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r') && str_appendc(&crlf, '\r') != STR_OK)
			die("out of memory");
		if (str_appendc(&crlf, b[i]) != STR_OK)
			die("out of memory");
	}
	if (crlf.len > 0)
		message_body(m, (const unsigned char *)crlf.s, crlf.len);
	str_free(&crlf);
}

/* default_from - --mail-from, else the --spf domain's postmaster, else null. */
static const char *
default_from(const struct check_opts *o, char *buf, size_t size)
{
	size_t i;

	if (o->mail_from != NULL)
		return o->mail_from;
	for (i = 0; i < o->nspf; i++)
		if (o->spf[i].scope == SPF_SCOPE_MFROM) {
			snprintf(buf, size, "postmaster@%s", o->spf[i].domain);
			return buf;
		}
	return "";
}

/* feed - the message through the daemon's sequence of calls. */
static const struct decision *
feed(const struct check_opts *o, struct message *m, const char *msg, size_t len)
{
	char from[600];
	size_t i, body, end = header_end(msg, len, &body);

	message_connect(m, o->ip, NULL);
	message_helo(m, o->helo != NULL ? o->helo : "");
	if (message_envfrom(m, default_from(o, from, sizeof(from)), NULL)) {
		for (i = 0; i < o->nrcpt; i++)
			message_rcpt(m, o->rcpt[i]);
		message_override(m, o->spf, o->nspf, o->dkim_given ? &o->dkim : NULL);
		feed_header(m, msg, end);
		message_eoh(m);
		feed_body(m, msg + body, len - body);
	}
	return message_eom(m, NULL, o->time >= 0 ? o->time : (int64_t)time(NULL));
}

/* json_str - s as a JSON string. */
static void
json_str(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* json_kv - "key": "value" with a leading comma unless first. */
static void
json_kv(const char *key, const char *value, bool first)
{
	printf("%s\n  ", first ? "" : ",");
	json_str(key);
	printf(": ");
	json_str(value != NULL ? value : "");
}

/* sig_status_name - an ARC signature check as a word. */
static const char *
sig_status_name(enum arc_sig_status st)
{
	static const char *const names[] = { "unchecked", "pass", "fail", "temperror", "permerror" };

	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

/* json_arc_set - one ARC instance as a JSON object. */
static void
json_arc_set(const struct arc_set_result *r, bool first)
{
	printf("%s\n    {\n      \"i\": %u", first ? "" : ",", r->i);
	printf(",\n      \"seal\": {\"d\": ");
	json_str(r->seal_d);
	printf(", \"s\": ");
	json_str(r->seal_s);
	printf(", \"cv\": ");
	json_str(r->cv);
	printf(", \"status\": ");
	json_str(sig_status_name(r->seal));
	printf(", \"key_bits\": %u}", r->key_bits);
	printf(",\n      \"ams\": {\"d\": ");
	json_str(r->ams_d);
	printf(", \"s\": ");
	json_str(r->ams_s);
	printf(", \"status\": ");
	json_str(sig_status_name(r->ams));
	printf("},\n      \"reason\": ");
	json_str(r->reason);
	printf(",\n      \"aar\": ");
	json_str(str_cstr(&r->aar));
	printf("\n    }");
}

/* json_arc - "arc": the chain, its reason, oldest-pass and each instance. */
static void
json_arc(const struct decision *d)
{
	const struct arc_outcome *o = d->arc;
	unsigned k;

	if (o == NULL)
		return;
	printf(",\n  \"arc\": {\n    \"chain\": ");
	json_str(arc_chain_name(o->chain));
	printf(",\n    \"reason\": ");
	json_str(o->reason);
	printf(",\n    \"oldest_pass\": %u,\n    \"header_oldest_pass\": %u,\n    \"temperror\": %s",
	    o->oldest_pass, arc_header_oldest_pass(o), o->temperror ? "true" : "false");
	printf(",\n    \"override\": ");
	if (d->arc_override.applies) {
		printf("{\"reason\": \"trusted_forwarder\", \"i\": %u, \"d\": ", d->arc_override.i);
		json_str(d->arc_override.sealer);
		printf(", \"aar\": ");
		json_str(d->arc_override.why);
		printf("}");
	} else {
		printf("null");
	}
	printf(",\n    \"instances\": [");
	for (k = 0; k < o->n && k < ARC_MAX_INSTANCES; k++)
		json_arc_set(&o->set[k], k == 0);
	printf("%s]\n  }", o->n > 0 ? "\n    " : "");
}

/* arc_line - "arc: CHAIN (oldest-pass N)..." for the text outputs; "" when no ARC set. */
static void
arc_line(const struct decision *d, struct str *out)
{
	const struct arc_outcome *o = d->arc;

	if (o == NULL || o->chain == ARC_CHAIN_NONE)
		return;
	(void)str_printf(out, "arc: %s", arc_result_name(o));
	(void)str_printf(out, " (%u instance%s", o->n, o->n == 1 ? "" : "s");
	if (o->chain == ARC_CHAIN_PASS)
		(void)str_printf(out, ", oldest-pass %u", arc_header_oldest_pass(o));
	(void)str_appends(out, ")");
	if (o->reason[0] != '\0')
		(void)str_printf(out, ": %s", o->reason);
	if (d->arc_override.applies)
		(void)str_printf(out, "; override trusted_forwarder: arc i=%u d=%s (%s)",
		    d->arc_override.i, d->arc_override.sealer, d->arc_override.why);
}

/* print_json - the whole decision as one JSON object. */
static void
print_json(const struct decision *d)
{
	struct str dump = STR_INITIALIZER(1 << 20);

	printf("{");
	json_kv("action", action_name(d->action), true);
	json_kv("evaluated", d->evaluated ? "yes" : "no", false);
	json_kv("skip_reason", d->skip_reason, false);
	json_kv("smtp_reply", d->rcode[0] ? d->rcode : "", false);
	json_kv("smtp_xcode", d->xcode, false);
	json_kv("smtp_text", d->reply.len ? d->reply.s : "", false);
	json_kv("authentication_results", d->authres.len ? d->authres.s : "", false);
	json_kv("quarantine", d->action != ACTION_QUARANTINE ? "" : d->hold ? "hold" : "header", false);
	json_kv("history", d->history.len ? d->history.s : "", false);
	json_kv("log", d->log.len ? d->log.s : "", false);
	if (d->evaluated && verdict_dump(&d->verdict, &dump) == STR_OK)
		json_kv("verdict", dump.s != NULL ? dump.s : "", false);
	json_arc(d);
	printf("\n}\n");
	str_free(&dump);
}

/* print_history - each record line as "history: LINE". */
static void
print_history(const struct decision *d)
{
	const char *p = d->history.len > 0 ? d->history.s : "", *nl;

	for (; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);	/* (the encoder ends every line) */
		printf("history: %.*s\n", (int)(nl - p), p);
		if (*nl == '\0')
			break;
	}
}

/* print_dump - the decision line by line (golden files). */
static void
print_dump(const struct decision *d)
{
	struct str dump = STR_INITIALIZER(1 << 20);

	if (d->evaluated && verdict_dump(&d->verdict, &dump) == STR_OK && dump.s != NULL)
		fputs(dump.s, stdout);
	printf("action: %s\n", action_name(d->action));
	if (d->rcode[0] != '\0')
		printf("reply: %s %s %s\n", d->rcode, d->xcode, str_cstr(&d->reply));
	if (d->authres.len > 0)
		printf("Authentication-Results: %s\n", d->authres.s);
	print_history(d);
	printf("log: %s\n", d->log.len ? d->log.s : "");
	str_reset(&dump);
	arc_line(d, &dump);
	if (dump.len > 0)
		printf("%s\n", dump.s);
	str_free(&dump);
}

/* print_unfolded - name and value on one line: each fold becomes one space. */
static void
print_unfolded(const char *name, const char *v)
{
	fputs(name, stdout);
	for (; *v != '\0'; v++) {
		if (*v == '\r' || *v == '\n') {
			while (v[1] == ' ' || v[1] == '\t' || v[1] == '\n')
				v++;
			putchar(' ');
		} else {
			putchar(*v);
		}
	}
	putchar('\n');
}

/* print_decision - what the options ask for. */
static void
print_decision(const struct check_opts *o, const struct runtime *rt, const struct decision *d)
{
	(void)rt;
	if (o->json) {
		print_json(d);
	} else if (o->dump) {
		print_dump(d);
	} else {
		struct str arc = STR_INITIALIZER(4096);

		if (d->evaluated)
			print_unfolded("Authentication-Results: ", str_cstr(&d->authres));
		else
			printf("(not evaluated: %s)\n", d->skip_reason);
		arc_line(d, &arc);
		if (arc.len > 0)
			printf("%s\n", arc.s);
		str_free(&arc);
		printf("%s\n", action_name(d->action));
	}
}

/*
 * print_report - the failure report written, if any: its path, and with
 * --dump its .meta and message, as the daemon would have spooled them.
 */
static void
print_report(const struct check_opts *o, const struct runtime *rt, const char *name)
{
	char path[4200];
	size_t len;
	char *text;

	if (name == NULL || o->json)
		return;
	snprintf(path, sizeof(path), "%s/outgoing/%s", rt->conf->failure_report_spool, name);
	printf("failure report: %s.eml\n", path);
	if (!o->dump)
		return;
	snprintf(path, sizeof(path), "%s/outgoing/%s.meta", rt->conf->failure_report_spool, name);
	text = read_file(path, &len);
	printf("failure report meta:\n%s", text);
	free(text);
	snprintf(path, sizeof(path), "%s/outgoing/%s.eml", rt->conf->failure_report_spool, name);
	text = read_file(path, &len);
	printf("failure report message:\n%s", text);
	free(text);
}

/* exit_code - the documented exit status of an action. */
static int
exit_code(const struct decision *d)
{
	static const int codes[] = { 0, 2, 3, 4 };

	return d->evaluated ? codes[d->action] : 0;
}

int
main(int argc, char **argv)
{
	struct check_opts o;
	struct runtime *rt;
	struct message *m;
	const struct decision *d;
	char *msg;
	size_t len;
	int rc;

	memset(&o, 0, sizeof(o));
	o.time = -1;
	o.ip = "192.0.2.1";
	parse_args(argc, argv, &o);
	rt = build_runtime(&o);
	msg = read_file(o.message, &len);
	if ((m = message_new(rt)) == NULL)
		die("out of memory");
	d = feed(&o, m, msg, len);
	print_decision(&o, rt, d);
	print_report(&o, rt, message_failure_report(m));
	rc = exit_code(d);
	message_free(m);
	runtime_unref(rt);
	free(msg);
	return rc;
}
