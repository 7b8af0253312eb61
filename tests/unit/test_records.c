/*
 * test_records.c - a property of the history records (issue 13): every
 * evaluated author domain with a DMARC record gets exactly one record
 * (every evaluated author domain with RecordAllMessages yes), whatever the
 * SPF identity looks like, and every record decodes and names its domain.
 *
 * The messages go through exactly the calls milter/callbacks.c makes
 * (message_connect ... message_eom) on a runtime whose DNS is a built-in
 * zone.  The From fields are every input the From fuzzer knows
 * (tests/fuzz/corpus/from: hand-written seeds and what the fuzzer found;
 * a NUL splits an input into several From fields, as in fuzz_from), each
 * sent with every identity shape below, under RecordAllMessages yes and
 * no, with RejectUnusableFrom no (so that recovered domains count too).
 * The expected count does not come from the verdict: an author domain has
 * a DMARC record when it is, or is under, one of the zone's policy domains.
 * A tempfailed message (a DNS temporary failure) has none: the MTA's retry
 * is recorded.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "decide.h"
#include "history.h"
#include "message.h"
#include "runtime.h"
#include "tap.h"
#include "testfile.h"

#define NOW 1795400000
#define CORPUS_INPUT_MAX 65536			/* bytes of a corpus input used */

static const char *const zone_lines[] = {
	"example.org. TXT \"v=spf1 ip4:192.0.2.0/24 -all\"",
	"_dmarc.example.org. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@example.org\"",
	"_dmarc.example.com. TXT \"v=DMARC1; p=none\"",
	"_dmarc.d1.example.net. TXT \"v=DMARC1; p=quarantine; pct=50\"",
	"mx.example.net. A 192.0.2.25",
	"slow.example. TIMEOUT",
	"_dmarc.slow.example. TIMEOUT",
	/* Domains the From corpus uses often. */
	"_dmarc.d1.example. TXT \"v=DMARC1; p=reject\"",
	"_dmarc.d3.example. TXT \"v=DMARC1; p=quarantine; sp=none\"",
	"_dmarc.d5.example. TXT \"v=DMARC1; p=none; rua=mailto:r@d5.example\"",
	"_dmarc.d7.example. TIMEOUT",			/* temperror: no record */
	"_dmarc.d9.example. TXT \"v=DMARC1; p=bogus\"",	/* unusable: no record */
};

/* The policy domains of the zone: an author at or under one has a record. */
static const char *const policy_domains[] = {
	"example.org", "example.com", "d1.example.net", "d1.example", "d3.example", "d5.example"
};

/* The SPF identities: client address, HELO (NULL: none sent), MAIL FROM. */
static const struct shape {
	const char *name, *ip, *helo, *mail_from;
} shapes[] = {
	{ "an ordinary sender", "192.0.2.10", "mx.example.org", "<a@example.org>" },
	{ "null sender, HELO an address literal", "192.0.2.10", "[192.0.2.1]", "<>" },
	{ "null sender, no HELO", "192.0.2.10", NULL, "<>" },
	{ "null sender, HELO a domain", "2001:db8::1", "mx.example.net", "<>" },
	{ "MAIL FROM without a domain", "192.0.2.10", "mx.example.net", "<postmaster>" },
	{ "unreadable MAIL FROM", "192.0.2.10", "mx.example.net", "<bad@@x..>" },
	{ "MAIL FROM with a control character", "192.0.2.10", "h\001", "<a@\001.example>" },
	{ "no client address", "", "mx.example.net", "<a@example.com>" },
};

/* One corpus input: its From fields, split at NUL. */
struct input {
	char *data;
	size_t len;
};

struct tally {
	size_t messages, evaluated, records, want, mismatched;
	char first[512];		/* the first mismatch */
};

/* write_zone - the zone into a temporary file named in path. */
static int
write_zone(char *path)
{
	FILE *out;
	size_t i;
	int fd;

	if ((fd = mkstemp(path)) < 0 || (out = fdopen(fd, "w")) == NULL)
		return -1;
	for (i = 0; i < sizeof(zone_lines) / sizeof(zone_lines[0]); i++)
		fprintf(out, "%s\n", zone_lines[i]);
	return fclose(out);
}

/* runtime_for - defaults, the zone, RejectUnusableFrom no, RecordAllMessages all. */
static struct runtime *
runtime_for(const char *zone, const char *all)
{
	struct conf *c = conf_defaults();
	struct runtime *rt = NULL;
	char err[512];

	if (c != NULL && conf_set(c, "DNSZoneFile", zone, err, sizeof(err)) == 0 &&
	    conf_set(c, "RejectUnusableFrom", "no", err, sizeof(err)) == 0 &&
	    conf_set(c, "RecordAllMessages", all, err, sizeof(err)) == 0 &&
	    conf_set(c, "AuthservID", "mx.example.net", err, sizeof(err)) == 0)
		rt = runtime_new(c, NULL, err, sizeof(err));
	if (rt == NULL)
		tap_diag("runtime: %s", c == NULL ? "no memory" : err);
	conf_unref(c);
	return rt;
}

/* has_record - is author at or under one of the zone's policy domains? */
static bool
has_record(const char *author)
{
	size_t i, n, a = strlen(author);

	for (i = 0; i < sizeof(policy_domains) / sizeof(policy_domains[0]); i++) {
		n = strlen(policy_domains[i]);
		if (a == n ? strcmp(author, policy_domains[i]) == 0 :
		    a > n && author[a - n - 1] == '.' && strcmp(author + a - n, policy_domains[i]) == 0)
			return true;
	}
	return false;
}

/* send_message - one message: the shape's envelope, the input's From fields. */
static const struct decision *
send_message(struct message *m, const struct shape *s, const struct input *in)
{
	static const unsigned char body[] = "body\r\n";
	const char *p = in->data, *end = in->data + in->len;

	message_connect(m, s->ip, "client.example");
	if (s->helo != NULL)
		message_helo(m, s->helo);
	if (!message_envfrom(m, s->mail_from, NULL))
		return NULL;
	message_rcpt(m, "<bob@example.net>");
	message_rcpt(m, "<postmaster>");
	for (;;) {
		message_header(m, "From", p, false);
		p += strlen(p) + 1;
		if (p >= end)
			break;
	}
	message_header(m, "Date", "Sun, 6 Dec 2026 04:00:00 +0000", false);
	message_eoh(m);
	message_body(m, body, sizeof(body) - 1);
	return message_eom(m, "", NOW);
}

/* line_ok - record line k (of len bytes) decodes and names author. */
static bool
line_ok(const char *line, size_t len, const char *author, char *why, size_t size)
{
	struct history_record h;
	char reason[256];

	if (history_decode(line, len, &h, reason, sizeof(reason)) != HISTORY_OK) {
		snprintf(why, size, "a record does not decode: %s", reason);
		return false;
	}
	if (strcmp(h.header_from, author) != 0)
		snprintf(why, size, "record for %s where %s was due", h.header_from, author);
	history_record_free(&h);
	return why[0] == '\0';
}

/*
 * check_records - the records of d against its author domains: one per
 * author that has a record (all: every author), in order, each decoding.
 */
static bool
check_records(const struct decision *d, bool all, struct tally *t, char *why, size_t size)
{
	const char *p = d->history.len > 0 ? d->history.s : "", *nl;
	size_t i, want = 0;

	why[0] = '\0';
	for (i = 0; d->action != ACTION_TEMPFAIL && i < d->in.nauthors; i++) {
		if (!all && !has_record(d->in.authors[i]))
			continue;
		want++;
		if ((nl = strchr(p, '\n')) == NULL) {
			snprintf(why, size, "no record for %s", d->in.authors[i]);
			break;
		}
		if (!line_ok(p, (size_t)(nl - p) + 1, d->in.authors[i], why, size))
			break;
		p = nl + 1;
		t->records++;
	}
	t->want += want;
	if (why[0] == '\0' && *p != '\0')
		snprintf(why, size, "a record more than the %zu due", want);
	if (why[0] == '\0' && (d->nhistory != want || d->history_lost != 0))
		snprintf(why, size, "nhistory %zu, history_lost %zu for %zu due", d->nhistory,
		    d->history_lost, want);
	return why[0] == '\0';
}

/* run_shape - every input with one shape; the tally in t. */
static void
run_shape(struct runtime *rt, bool all, const struct shape *s, const struct input *in,
    size_t nin, struct tally *t)
{
	const struct decision *d;
	struct message *m;
	char why[384];
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < nin; i++) {
		if ((m = message_new(rt)) == NULL)
			abort();
		t->messages++;
		if ((d = send_message(m, s, &in[i])) != NULL && d->evaluated) {
			t->evaluated++;
			if (!check_records(d, all, t, why, sizeof(why)) && t->mismatched++ == 0)
				snprintf(t->first, sizeof(t->first), "input %zu: %s", i, why);
		}
		message_free(m);
	}
}

/* read_input - a corpus file (its first CORPUS_INPUT_MAX bytes), NUL-terminated. */
static bool
read_input(const char *path, struct input *in)
{
	if ((in->data = test_read_file(path, &in->len)) == NULL)
		return false;
	if (in->len > CORPUS_INPUT_MAX)
		in->len = CORPUS_INPUT_MAX;
	in->data[in->len] = '\0';
	if (in->len == 0)
		in->len = 1;		/* an empty input: one empty From */
	return true;
}

/* load_corpus - every file of dir; the count, or 0. */
static size_t
load_corpus(const char *dir, struct input **out)
{
	struct dirent *e;
	struct input *in = NULL, *grown;
	size_t n = 0;
	char path[4096 + 256];
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.' || (grown = realloc(in, (n + 1) * sizeof(*in))) == NULL)
			continue;
		in = grown;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (read_input(path, &in[n]))
			n++;
	}
	closedir(dp);
	*out = in;
	return n;
}

/* run_config - every shape under RecordAllMessages all. */
static void
run_config(const char *zone, bool all, const struct input *in, size_t nin)
{
	struct runtime *rt = runtime_for(zone, all ? "yes" : "no");
	struct tally t;
	size_t i;

	if (!tap_ok(rt != NULL, "runtime with RecordAllMessages %s", all ? "yes" : "no"))
		return;
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		run_shape(rt, all, &shapes[i], in, nin, &t);
		tap_ok(t.mismatched == 0 && t.evaluated > nin / 2 && t.records > 0,
		    "RecordAllMessages %s, %s: %zu messages, %zu evaluated, %zu records of %zu due",
		    all ? "yes" : "no", shapes[i].name, t.messages, t.evaluated, t.records, t.want);
		if (t.mismatched > 0)
			tap_diag("%zu mismatched; first: %s", t.mismatched, t.first);
	}
	runtime_unref(rt);
}

int
main(void)
{
	char dir[4096], zone[] = "/tmp/test_records.XXXXXX";
	struct input *in = NULL;
	size_t nin, i;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/from", test_srcdir());
	nin = load_corpus(dir, &in);
	if (!tap_ok(nin >= 20, "the From fuzzer's corpus: %zu inputs in %s", nin, dir) ||
	    !tap_ok(write_zone(zone) == 0, "the zone file"))
		return tap_done();
	run_config(zone, true, in, nin);
	run_config(zone, false, in, nin);
	unlink(zone);
	for (i = 0; i < nin; i++)
		free(in[i].data);
	free(in);
	return tap_done();
}
