/*
 * run_spf_stalwart.c - the Stalwart mail-auth SPF cases (spf-stalwart)
 * through the real stack: milter/spf.c (libspf2 + its DNS layer) over the
 * resolver in zone-file mode.
 *
 * Run by make check (top_srcdir set).  Single-threaded.  The files are read
 * line by line as the suite's README says (they repeat keys, so they are not
 * YAML): a file is split on "---" lines; each line is trimmed and loses one
 * leading '-'.  Record lines (spf: exp: a: aaaa: ptr: mx:) add to the file's
 * DNS data, replacing the set of the same name and type; mx: invents one
 * exchange "mx.<ip>.<position>" per address, with that address.  Query lines
 * (domain: = HELO, sender: = MAIL FROM, ip:, default 127.0.0.1) hold until
 * changed within a part.  Each expect: is one case "<file>:<n>": the zone
 * file is rewritten from the DNS data when that changed, and the check runs
 * as the upstream reader runs it (Stalwart's verify with both identities):
 * the HELO identity first, and only when that passes the MAIL FROM identity
 * (postmaster@HELO for an empty sender), whose result is then the one
 * compared.  Text after the result must equal the explanation.  %{r} is
 * "localdomain.org".
 *
 * Names containing "_dns_error." must fail with a server error: every such
 * name written in the file is made a TIMEOUT name of the zone (a temporary
 * failure either way, RFC 7208 5); a name built by macro expansion would not
 * be covered (the suite has none).  Names the zone cannot hold (a label over
 * 63 octets, over 253 in all) are left out, so they do not exist.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "resolver.h"
#include "spf.h"
#include "suite.h"
#include "tap.h"
#include "testfile.h"

#define SUITE_NAME "spf-stalwart"
#define RECEIVER "localdomain.org"
#define DNS_ERROR_MARK "_dns_error."
#define MAX_SETS 256		/* record sets per file */
#define MAX_ERROR_NAMES 16	/* _dns_error. names per file */
#define NAME_MAX_LEN 256

/* One record set: the values of one name and type, one per line. */
struct rrset {
	char name[NAME_MAX_LEN];
	char type[8];		/* TXT A AAAA MX PTR */
	char *values;		/* '\n'-separated rdata (MX: "pref name") */
};

/* The DNS data of one file and the engine built over it. */
struct file_dns {
	struct rrset sets[MAX_SETS];
	size_t n_sets;
	char errors[MAX_ERROR_NAMES][NAME_MAX_LEN];
	size_t n_errors;
	bool dirty;		/* changed since the zone was written */
	char zpath[64];
	struct resolver *r;
	struct spf_engine *e;
	char err[256];
};

/* The query parameters of a part. */
struct query {
	char helo[NAME_MAX_LEN * 2];
	char from[NAME_MAX_LEN * 2];
	char ip[64];
	char name[256];		/* the scenario, for messages */
};

/* copy_text - bounded copy of s[0..n). */
static void
copy_text(char *dst, size_t size, const char *s, size_t n)
{
	snprintf(dst, size, "%.*s", (int)n, s);
}

/* trim - s without surrounding white space, in place. */
static char *
trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* set_values - replace (or add) the set name/type with values (copied). */
static void
set_values(struct file_dns *d, const char *name, const char *type,
    const char *values)
{
	struct rrset *s = NULL;
	size_t i;

	for (i = 0; i < d->n_sets && s == NULL; i++)
		if (strcasecmp(d->sets[i].name, name) == 0 &&
		    strcmp(d->sets[i].type, type) == 0)
			s = &d->sets[i];
	if (s == NULL && d->n_sets < MAX_SETS) {
		s = &d->sets[d->n_sets++];
		copy_text(s->name, sizeof(s->name), name, strlen(name));
		copy_text(s->type, sizeof(s->type), type, strlen(type));
	}
	if (s == NULL)
		return;
	free(s->values);
	s->values = strdup(values);
	d->dirty = true;
}

/* canon_ip - an address in its canonical text form ("" if not one). */
static void
canon_ip(const char *in, char *out, size_t size, bool *v6)
{
	unsigned char a[16];

	*v6 = strchr(in, ':') != NULL;
	if (inet_pton(*v6 ? AF_INET6 : AF_INET, in, a) != 1 ||
	    inet_ntop(*v6 ? AF_INET6 : AF_INET, a, out, (socklen_t)size) == NULL)
		out[0] = '\0';
}

/* reverse_of - the in-addr.arpa / ip6.arpa name of an address. */
static void
reverse_of(const char *ip, char *out, size_t size)
{
	unsigned char a[16];
	size_t n = 0;
	int k;

	out[0] = '\0';
	if (inet_pton(AF_INET, ip, a) == 1) {
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1],
		    a[0]);
		return;
	}
	if (inet_pton(AF_INET6, ip, a) != 1 || size < 74)
		return;
	for (k = 15; k >= 0; k--)
		n += (size_t)snprintf(out + n, size - n, "%x.%x.", a[k] & 15,
		    a[k] >> 4);
	snprintf(out + n, size - n, "ip6.arpa");
}

/* next_item - the next ','-separated item of *p (trimmed), or NULL. */
static char *
next_item(char **p)
{
	char *item = *p;
	size_t n;

	if (item == NULL)
		return NULL;
	n = strcspn(item, ",");
	*p = item[n] == ',' ? item + n + 1 : NULL;
	item[n] = '\0';
	return trim(item);
}

/* add_list - a ','-separated list of values into a '\n' list. */
static void
add_list(struct file_dns *d, const char *name, const char *type, char *list)
{
	char values[4096] = "", *item;
	size_t n = 0;

	while ((item = next_item(&list)) != NULL && n < sizeof(values))
		n += (size_t)snprintf(values + n, sizeof(values) - n, "%s%s",
		    n > 0 ? "\n" : "", item);
	set_values(d, name, type, values);
}

/* add_mx - MX names mx.<ip>.<pos> (preference pos + 1), each with its address. */
static void
add_mx(struct file_dns *d, const char *name, char *list)
{
	char values[4096] = "", ip[64], mx[NAME_MAX_LEN], *item;
	size_t n = 0;
	unsigned pos = 0;
	bool v6;

	for (; (item = next_item(&list)) != NULL && n < sizeof(values); pos++) {
		canon_ip(item, ip, sizeof(ip), &v6);
		snprintf(mx, sizeof(mx), "mx.%s.%u", ip, pos);
		set_values(d, mx, v6 ? "AAAA" : "A", ip);
		n += (size_t)snprintf(values + n, sizeof(values) - n, "%s%u %s",
		    n > 0 ? "\n" : "", pos + 1, mx);
	}
	set_values(d, name, "MX", values);
}

/* record_line - one record line (key without ':', rest after it). */
static void
record_line(struct file_dns *d, const char *key, char *rest)
{
	char *name = trim(rest), *data, rev[80];

	data = name + strcspn(name, " \t");
	if (*data != '\0')
		*data++ = '\0';
	data = trim(data);
	if (strcmp(key, "spf") == 0 || strcmp(key, "exp") == 0)
		set_values(d, name, "TXT", data);
	else if (strcmp(key, "a") == 0)
		add_list(d, name, "A", data);
	else if (strcmp(key, "aaaa") == 0)
		add_list(d, name, "AAAA", data);
	else if (strcmp(key, "mx") == 0)
		add_mx(d, name, data);
	else if (strcmp(key, "ptr") == 0) {
		reverse_of(name, rev, sizeof(rev));
		add_list(d, rev, "PTR", data);
	}
}

/* note_error_names - every name holding DNS_ERROR_MARK in the file text. */
static void
note_error_names(struct file_dns *d, const char *text)
{
	const char *p = text, *b, *e;
	size_t i;

	while ((p = strstr(p, DNS_ERROR_MARK)) != NULL) {
		for (b = p; b > text && (isalnum((unsigned char)b[-1]) ||
		    strchr("-_.", b[-1]) != NULL); b--)
			continue;
		for (e = p; *e != '\0' && (isalnum((unsigned char)*e) ||
		    strchr("-_.", *e) != NULL); e++)
			continue;
		while (e > b && e[-1] == '.')
			e--;
		p = e > p ? e : p + 1;
		for (i = 0; i < d->n_errors; i++)
			if (strlen(d->errors[i]) == (size_t)(e - b) &&
			    strncasecmp(d->errors[i], b, (size_t)(e - b)) == 0)
				break;
		if (i == d->n_errors && d->n_errors < MAX_ERROR_NAMES)
			copy_text(d->errors[d->n_errors++], NAME_MAX_LEN, b,
			    (size_t)(e - b));
	}
}

/* put_set - the zone lines of one record set. */
static void
put_set(FILE *fp, const struct rrset *s)
{
	const char *v = s->values, *eol;
	char item[1024];
	size_t n;

	if (!test_name_loadable(s->name))
		return;
	for (; v != NULL && *v != '\0'; v = *eol != '\0' ? eol + 1 : eol) {
		eol = v + strcspn(v, "\n");
		n = (size_t)(eol - v);
		test_put_name(fp, s->name);
		fprintf(fp, " 300 IN %s ", s->type);
		if (strcmp(s->type, "TXT") == 0)
			test_put_txt(fp, v, n);
		else if (strcmp(s->type, "A") == 0 || strcmp(s->type, "AAAA") == 0)
			fprintf(fp, "%.*s", (int)n, v);
		else {
			copy_text(item, sizeof(item), v, n);
			if (strcmp(s->type, "MX") == 0) {
				fprintf(fp, "%.*s ", (int)strcspn(item, " "), item);
				test_put_name(fp, item + strcspn(item, " ") + 1);
			} else
				test_put_name(fp, item);
		}
		fputc('\n', fp);
	}
}

/* write_zone - the file's DNS data as a zone file; 0 or -1. */
static int
write_zone(const struct file_dns *d)
{
	FILE *fp = fopen(d->zpath, "w");
	size_t i;

	if (fp == NULL)
		return -1;
	for (i = 0; i < d->n_errors; i++) {
		test_put_name(fp, d->errors[i]);
		fputs(" TIMEOUT\n", fp);
	}
	for (i = 0; i < d->n_sets; i++)
		put_set(fp, &d->sets[i]);
	return fclose(fp) == 0 ? 0 : -1;
}

/* rebuild - a new zone, resolver and engine after the DNS data changed. */
static bool
rebuild(struct file_dns *d)
{
	struct resolver_config cfg;

	if (!d->dirty && d->e != NULL)
		return true;
	spf_engine_free(d->e);
	resolver_free(d->r);
	d->e = NULL;
	d->r = NULL;
	d->dirty = false;
	memset(&cfg, 0, sizeof(cfg));
	cfg.zone_file = d->zpath;
	if (write_zone(d) != 0) {
		snprintf(d->err, sizeof(d->err), "cannot write %s", d->zpath);
		return false;
	}
	if ((d->r = resolver_new(&cfg, d->err, sizeof(d->err))) != NULL)
		d->e = spf_engine_new(d->r, RECEIVER, d->err, sizeof(d->err));
	return d->e != NULL;
}

/* run_expect - one case: the checks of the upstream reader, then compare. */
static void
run_expect(struct suite *s, struct file_dns *d, const struct query *q,
    const char *id, char *want_line)
{
	char *word = want_line, *exp;
	struct spf_outcome out;
	enum spf_result want;
	bool ok;

	exp = word + strcspn(word, " \t");
	if (*exp != '\0')
		*exp++ = '\0';
	exp = trim(exp);
	if (!spf_result_from_name(word, &want) || !rebuild(d)) {
		suite_case(s, id, false, "%s: bad expectation \"%s\" or setup: %s",
		    q->name, word, d->err);
		return;
	}
	spf_check(d->e, q->ip, q->helo, "", SPF_SCOPE_HELO, 0, &out);
	if (out.result == SPF_RES_PASS)
		spf_check(d->e, q->ip, q->helo, q->from, SPF_SCOPE_MFROM, 0,
		    &out);
	ok = out.result == want && (exp[0] == '\0' ||
	    strcmp(out.explanation, exp) == 0);
	suite_case(s, id, ok, "%s (HELO %s, MAIL FROM %s, ip %s): got %s (%s) "
	    "\"%s\", want %s \"%s\"", q->name, q->helo, q->from, q->ip,
	    spf_result_name(out.result), out.reason, out.explanation, word, exp);
}

/* key_is - does line start with key followed by ':'?  *rest after it. */
static bool
key_is(char *line, const char *key, char **rest)
{
	size_t n = strlen(key);

	if (strncmp(line, key, n) != 0 || line[n] != ':')
		return false;
	*rest = line + n + 1;
	return true;
}

/* run_line - one trimmed line of a part. */
static void
run_line(struct suite *s, struct file_dns *d, struct query *q, char *line,
    const char *file, unsigned *n_expect)
{
	static const char *const records[] = {"spf", "exp", "a", "aaaa", "ptr",
	    "mx"};
	char id[300], *rest;
	size_t i;

	if (key_is(line, "name", &rest)) {
		rest = trim(rest);
		copy_text(q->name, sizeof(q->name), rest, strlen(rest));
		return;
	}
	for (i = 0; i < sizeof(records) / sizeof(records[0]); i++)
		if (key_is(line, records[i], &rest)) {
			record_line(d, records[i], rest);
			return;
		}
	if (key_is(line, "domain", &rest))
		copy_text(q->helo, sizeof(q->helo), trim(rest), strlen(trim(rest)));
	else if (key_is(line, "sender", &rest))
		copy_text(q->from, sizeof(q->from), trim(rest), strlen(trim(rest)));
	else if (key_is(line, "ip", &rest))
		copy_text(q->ip, sizeof(q->ip), trim(rest), strlen(trim(rest)));
	else if (key_is(line, "expect", &rest)) {
		snprintf(id, sizeof(id), "%s:%u", file, ++*n_expect);
		run_expect(s, d, q, id, trim(rest));
	}
}

/* run_text - every part and line of one file's text (modified). */
static void
run_text(struct suite *s, struct file_dns *d, char *text, const char *file)
{
	struct query q;
	unsigned n_expect = 0;
	char *line, *next;

	memset(&q, 0, sizeof(q));
	snprintf(q.ip, sizeof(q.ip), "127.0.0.1");
	for (line = text; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line = trim(line);
		if (strcmp(line, "---") == 0) {	/* a new part */
			memset(&q, 0, sizeof(q));
			snprintf(q.ip, sizeof(q.ip), "127.0.0.1");
			continue;
		}
		if (line[0] == '-')
			line = trim(line + 1);
		run_line(s, d, &q, line, file, &n_expect);
	}
}

/* run_file - one file with DNS data of its own. */
static void
run_file(struct suite *s, const char *file, const char *zpath)
{
	struct file_dns *d = calloc(1, sizeof(*d));
	char *text = test_read_file(suite_path(s, file), NULL);
	size_t i;

	if (d == NULL || text == NULL) {
		suite_case(s, file, false, "cannot read %s", file);
		free(d);
		free(text);
		return;
	}
	copy_text(d->zpath, sizeof(d->zpath), zpath, strlen(zpath));
	d->dirty = true;
	note_error_names(d, text);
	run_text(s, d, text, file);
	spf_engine_free(d->e);
	resolver_free(d->r);
	for (i = 0; i < d->n_sets; i++)
		free(d->sets[i].values);
	free(d);
	free(text);
}

/* is_yml - scandir filter: the suite's *.yml files. */
static int
is_yml(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 4 && strcmp(de->d_name + n - 4, ".yml") == 0;
}

int
main(void)
{
	struct suite *s = suite_open(SUITE_NAME);
	char zpath[] = "/tmp/run_spf_stalwart_zoneXXXXXX";
	struct dirent **list = NULL;
	int fd, n, i;

	fd = mkstemp(zpath);
	n = scandir(suite_path(s, ""), &list, is_yml, alphasort);
	if (fd < 0 || n <= 0) {
		suite_case(s, "open", false, "no *.yml files or no temp file");
		return suite_finish(s);
	}
	close(fd);
	for (i = 0; i < n; i++) {
		run_file(s, list[i]->d_name, zpath);
		free(list[i]);
	}
	free(list);
	unlink(zpath);
	return suite_finish(s);
}
