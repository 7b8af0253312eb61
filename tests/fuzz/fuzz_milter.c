/*
 * fuzz_milter.c - libFuzzer target for the milter protocol side: the input
 * is a sequence of libmilter callbacks, driven through exactly the calls
 * milter/callbacks.c makes (message_connect, message_helo,
 * message_envfrom, message_rcpt, message_header, message_eoh,
 * message_body, message_eom, message_reset, message_free), with no
 * libmilter and no network: the runtime is built from the default
 * configuration with DNSZoneFile set to a small built-in zone (SPF, DMARC
 * p=reject and p=none, the ARC test suite's RSA-1024 key, a name that
 * times out; fz._domainkey.example.com is the key tests/fuzz/milter_seeds.py
 * signs a seed with).  FUZZ_MILTER_VERBOSE=1 in the environment prints each
 * decision (action, Authentication-Results) on standard error.
 *
 * Input: records of one opcode byte, a 16-bit little-endian length and
 * that many payload bytes (a short record at the end is dropped):
 *	'C' connect: flags byte (bits 0-1: 0 AF_INET, 1 AF_INET6, 2-3 no
 *	    address; bit 2: SMFIP_HDR_LEADSPC), 4 or 16 address bytes (IPv4
 *	    only 4), then the client host name
 *	'E' HELO argument		'F' MAIL FROM argument
 *	'R' RCPT TO argument		'O' end of header
 *	'M' macro: name NUL value ({i}, {auth_authen}, {daemon_name}, ...)
 *	'H' header: repeat byte r, name NUL value; the value is repeated
 *	    1 + r * r * 16 times (at most 2 MB), so huge fields are cheap
 *	'B' body chunk (raw bytes)	'Z' end of message
 *	'A' abort			'Q' close the connection
 * Text arguments stop at their first NUL, as in the milter protocol (whose
 * strings are NUL-terminated).  Calls out of order are passed on: the MTA
 * may skip steps, and message.c must tolerate that.
 *
 * Invariants checked at each end of message (abort on violation): every
 * text of the decision is as long as its length says and holds no NUL; the
 * Authentication-Results value and the added header value hold no CR and
 * an LF only to start a fold; the SMTP reply and the log line hold no CR
 * or LF; the history holds one line ending in LF per record counted
 * (nhistory), at most one per author domain, and none was refused; a skipped
 * message is accepted unchanged; a reject has a 5xx code, a tempfail 4xx.
 *
 * Single-threaded; the runtime lives for the process.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "decide.h"
#include "message.h"
#include "runtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FM_MAX_MACROS 8
#define FM_MAX_TEXT 65536		/* a record's payload is at most this */
#define FM_MAX_HEADER (2 * 1024 * 1024)	/* bytes of one built header value */
#define FM_NOW 1700000000		/* the clock of every message */

/* The ARC test suite's key (tests/fuzz/fuzz_arc_verify.c uses it too). */
#define FM_KEY "\"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3id" \
	"Y6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lx" \
	"j+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB\""

static const char *const zone_lines[] = {
	"example.org. TXT \"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all\"",
	"_dmarc.example.org. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@example.org; "
	"ruf=mailto:ruf@example.org!10k,mailto:ruf@example.net; fo=1:d:s\"",
	"dummy._domainkey.example.org. TXT " FM_KEY,
	"fz._domainkey.example.com. TXT \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDX06pEWd"
	"s3sipPG5I+31j3MtmPLnM61l330pyo7tDdUlOmtZj90WcQWsU3RSo3XnAC26c6mwsMu5yn3OkOziXcfJB0jrQLeksb7x9NNCG\" "
	"\"YbeBEhq+denPE4IX+0q1CV4wi7yn+x+nzDEvDork1yXDPSdcHpv1GhDsUksA+OLIgcwIDAQAB\"",
	"d1.example.org. TXT \"v=spf1 a mx include:example.org ~all\"",
	"d1.example.org. A 192.0.2.10",
	"d1.example.org. MX 10 mx.d1.example.org.",
	"mx.d1.example.org. A 192.0.2.11",
	"_dmarc.d1.example.org. TXT \"v=DMARC1; p=quarantine; adkim=s; aspf=s; pct=50\"",
	"example.com. TXT \"v=spf1 exists:%{i}.%{l}.x.example.com redirect=example.org\"",
	"_dmarc.example.com. TXT \"v=DMARC1; p=none; sp=reject\"",
	"mx.example.net. TXT \"v=spf1 a -all\"",
	"mx.example.net. A 192.0.2.25",
	"slow.example. TIMEOUT",
	"_dmarc.slow.example. TIMEOUT",
	"slow._domainkey.example.org. TIMEOUT",
};

/* One connection, as callbacks.c's struct conn keeps it. */
struct fm_conn {
	struct message *m;
	bool leadspc;
	char qid[HISTORY_QID_BUFSIZE];
};

struct fm_macro {
	char name[64];
	char value[256];
};

static struct runtime *rt;
static struct fm_macro macros[FM_MAX_MACROS];
static size_t nmacros;

/* write_zone - the built-in zone into a temporary file; its path in path. */
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

/* setup - the runtime: defaults, the zone, keys that open more paths. */
static int
setup(void)
{
	static const char *const keys[][2] = {
		{ "AuthservID", "mx.example.net" },
		{ "IgnoreHosts", "10.0.0.0/8, 2001:db8:ffff::/48" },
		{ "IgnoreAuthenticatedClients", "yes" },
		{ "ARCVerify", "yes" },
		/* every failure report is built (afrf.c reads the hostile header
		 * and body), none is written (a rate of 0: dropped at the spool) */
		{ "FailureReports", "yes" },
		{ "FailureReportsBody", "yes" },
		{ "FailureReportsOnNone", "yes" },
		{ "FailureReportsRate", "0/d" },
		{ "FailureReportSpool", "/nonexistent/authmilter-fuzz" },
	};
	char path[] = "/tmp/fuzz_milter.XXXXXX", err[1024];
	struct conf *c = conf_defaults();
	size_t i;
	int rc = -1;

	if (c == NULL || write_zone(path) != 0)
		goto out;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (conf_set(c, keys[i][0], keys[i][1], err, sizeof(err)) != 0)
			goto out;
	if (conf_set(c, "DNSZoneFile", path, err, sizeof(err)) != 0)
		goto out;
	if ((rt = runtime_new(c, NULL, err, sizeof(err))) != NULL)
		rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "fuzz_milter: setup: %s\n", c == NULL ? "no memory" : err);
	unlink(path);
	conf_unref(c);
	return rc;
}

/* text - payload bytes as a C string (up to the first NUL) in buf. */
static const char *
text(char *buf, const uint8_t *p, size_t n)
{
	memcpy(buf, p, n);
	buf[n] = '\0';
	return buf;
}

/* macro - a macro's value, or NULL as smfi_getsymval gives it. */
static const char *
macro(const char *name)
{
	size_t i;

	for (i = 0; i < nmacros; i++)
		if (strcmp(macros[i].name, name) == 0)
			return macros[i].value;
	return NULL;
}

/* set_macro - 'M': name NUL value (a later value of a name replaces it). */
static void
set_macro(const uint8_t *p, size_t n)
{
	const uint8_t *nul = memchr(p, '\0', n);
	struct fm_macro *mc;
	size_t nlen, vlen, i;

	if (nul == NULL)
		return;
	nlen = (size_t)(nul - p);
	vlen = n - nlen - 1;
	if (nlen >= sizeof(mc->name))
		return;
	for (i = 0; i < nmacros; i++)
		if (strlen(macros[i].name) == nlen && memcmp(macros[i].name, p, nlen) == 0)
			break;
	if (i == nmacros && nmacros == FM_MAX_MACROS)
		return;
	mc = &macros[i];
	nmacros += i == nmacros;
	memcpy(mc->name, p, nlen);
	mc->name[nlen] = '\0';
	if (vlen >= sizeof(mc->value))
		vlen = sizeof(mc->value) - 1;
	memcpy(mc->value, nul + 1, vlen);
	mc->value[vlen] = '\0';
}

/* note_qid - callbacks.c's note_qid: the {i} macro, when set and not empty. */
static void
note_qid(struct fm_conn *c)
{
	const char *q = macro("i");

	if (q != NULL && q[0] != '\0')
		snprintf(c->qid, sizeof(c->qid), "%s", q);
}

/* conn_close - cb_close. */
static void
conn_close(struct fm_conn *c)
{
	message_free(c->m);
	c->m = NULL;
}

/* conn_open - cb_connect: the address as inet_ntop writes it, the host name. */
static void
conn_open(struct fm_conn *c, const uint8_t *p, size_t n, char *buf)
{
	int fam = n > 0 ? p[0] & 3 : 3;
	size_t alen = fam == 0 ? 4 : fam == 1 ? 16 : 0;
	char ip[INET6_ADDRSTRLEN];

	conn_close(c);
	if (n < 1 + alen)
		return;
	ip[0] = '\0';
	if (alen > 0)
		inet_ntop(fam == 0 ? AF_INET : AF_INET6, p + 1, ip, sizeof(ip));
	if ((c->m = message_new(rt)) == NULL)
		abort();
	c->leadspc = (p[0] & 4) != 0;
	c->qid[0] = '\0';
	message_connect(c->m, ip, text(buf, p + 1 + alen, n - 1 - alen));
}

/* has - does s[0..len) hold any byte of set (NUL included when nul)? */
static bool
has(const char *s, size_t len, const char *set, bool nul)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((nul && s[i] == '\0') || (s[i] != '\0' && strchr(set, s[i]) != NULL))
			return true;
	return false;
}

/* str_sane - s holds len bytes, NUL-terminated, none NUL, none of set. */
static bool
str_sane(const struct str *s, const char *set)
{
	const char *c = str_cstr(s);

	return strlen(c) == s->len && !has(c, s->len, set, true);
}

/* folded_sane - a header value: no NUL or CR, every LF starts a fold. */
static bool
folded_sane(const struct str *s)
{
	const char *c = str_cstr(s);
	size_t i;

	if (strlen(c) != s->len || has(c, s->len, "\r", true))
		return false;
	for (i = 0; i < s->len; i++)
		if (c[i] == '\n' && (i + 1 == s->len || (c[i + 1] != ' ' && c[i + 1] != '\t')))
			return false;
	return true;
}

/* lines - the number of LF in s[0..len). */
static size_t
lines(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

/* check_decision - the invariants of a decision (see the file comment). */
static void
check_decision(const struct decision *d)
{
	const char *h = str_cstr(&d->history);

	if (!folded_sane(&d->authres) || !str_sane(&d->reply, "\r\n") ||
	    !str_sane(&d->log, "\r\n") || !str_sane(&d->history, "\r") ||
	    !str_sane(&d->quarantine_reason, "") || !folded_sane(&d->add_value))
		abort();
	if (d->history.len > 0 && h[d->history.len - 1] != '\n')
		abort();
	if (lines(h, d->history.len) != d->nhistory || d->history_lost != 0 ||
	    d->nhistory > d->in.nauthors)
		abort();
	if (!d->evaluated && (d->action != ACTION_ACCEPT || d->authres.len != 0))
		abort();
	if ((d->action == ACTION_REJECT && d->rcode[0] != '5') ||
	    (d->action == ACTION_TEMPFAIL && d->rcode[0] != '4'))
		abort();
}

/* show - FUZZ_MILTER_VERBOSE: the decision on standard error. */
static const struct decision *
show(const struct decision *d)
{
	static int verbose = -1;

	if (verbose < 0)
		verbose = getenv("FUZZ_MILTER_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "%s %s%s | %s\n", action_name(d->action), d->evaluated ? "" : "(skipped) ",
		    str_cstr(&d->authres), str_cstr(&d->log));
	return d;
}

/* envfrom - cb_envfrom: a skipped message ends here (eom, log, reset). */
static void
envfrom(struct fm_conn *c, const char *arg)
{
	c->qid[0] = '\0';
	note_qid(c);
	if (message_envfrom(c->m, arg, macro("{auth_authen}")))
		return;
	check_decision(show(message_eom(c->m, c->qid, FM_NOW)));
	message_reset(c->m);
}

/* eom - cb_eom without the smfi_* calls: decide, check, reset. */
static void
eom(struct fm_conn *c)
{
	(void)macro("{daemon_name}");	/* read by nothing today; set by seeds */
	note_qid(c);
	check_decision(show(message_eom(c->m, c->qid, FM_NOW)));
	message_reset(c->m);
}

/* header - 'H': repeat byte, name NUL value; the value built repeated. */
static void
header(struct fm_conn *c, const uint8_t *p, size_t n, char *buf)
{
	const uint8_t *nul = n > 1 ? memchr(p + 1, '\0', n - 1) : NULL;
	size_t reps = n > 0 ? 1 + (size_t)p[0] * p[0] * 16 : 1, vlen, i;
	char *value;

	if (nul == NULL)
		return;
	vlen = strnlen((const char *)nul + 1, n - (size_t)(nul + 1 - p));
	if (vlen == 0 || reps * vlen > FM_MAX_HEADER)
		reps = vlen == 0 ? 1 : FM_MAX_HEADER / vlen;
	if ((value = malloc(reps * vlen + 1)) == NULL)
		abort();
	for (i = 0; i < reps; i++)
		memcpy(value + i * vlen, nul + 1, vlen);
	value[reps * vlen] = '\0';
	message_header(c->m, text(buf, p + 1, (size_t)(nul - p - 1)), value, c->leadspc);
	free(value);
}

/* step - one record, on an open connection. */
static void
step(struct fm_conn *c, uint8_t op, const uint8_t *p, size_t n, char *buf)
{
	switch (op) {
	case 'E': message_helo(c->m, text(buf, p, n)); break;
	case 'F': envfrom(c, text(buf, p, n)); break;
	case 'R': message_rcpt(c->m, text(buf, p, n)); break;
	case 'H': header(c, p, n, buf); break;
	case 'O': note_qid(c); message_eoh(c->m); break;
	case 'B': message_body(c->m, p, n); break;
	case 'Z': eom(c); break;
	case 'A': message_reset(c->m); break;
	case 'Q': conn_close(c); break;
	default: break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[FM_MAX_TEXT + 1];
	struct fm_conn c = { .m = NULL };
	size_t off = 0, n;
	uint8_t op;

	if (rt == NULL && setup() != 0)
		abort();
	nmacros = 0;
	while (size - off >= 3) {
		op = data[off];
		n = (size_t)data[off + 1] | (size_t)data[off + 2] << 8;
		off += 3;
		if (n > size - off)
			break;
		if (op == 'C')
			conn_open(&c, data + off, n, buf);
		else if (op == 'M')
			set_macro(data + off, n);
		else if (c.m != NULL)
			step(&c, op, data + off, n, buf);
		off += n;
	}
	conn_close(&c);
	return 0;
}
