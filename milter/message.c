/*
 * message.c - collect the facts of a connection and its messages, run the
 * SPF, DKIM and ARC engines, hand the facts to decide(); see message.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "afrf.h"
#include "arc_verify.h"
#include "authres.h"
#include "failspool.h"
#include "failure.h"
#include "message.h"
#include "netlist.h"
#include "resolver.h"
#include "runtime.h"

enum msg_state {
	MSG_IDLE = 0,		/* between messages */
	MSG_SKIPPED,		/* not evaluated: skip_reason says why */
	MSG_EVALUATING,		/* collecting */
	MSG_DECIDED		/* message_eom ran */
};

struct message {
	struct runtime *rt;
	enum msg_state state;
	char skip_reason[128];
	enum decision_reason skip_kind;
	char hostname[DOMAIN_BUFSIZE];
	struct facts f;
	struct dkim_msg *dkim;
	struct arc_msg *arc;		/* NULL unless ARCVerify */
	struct str field;		/* "Name:value" for the DKIM and ARC engines */
	struct str hdr, body;		/* the message as received, for a failure report */
	bool cut;			/* hdr or body not kept whole */
	char report[128];		/* the failure report written ("" none) */
	struct decision d;
	size_t ovr_nspf;		/* message_override */
	struct spf_outcome ovr_spf[2];
	bool ovr_dkim_set;
	struct dkim_outcome ovr_dkim;
};

/* Header fields counted for RequiredHeaders, in enum facts_counted order. */
static const char *const counted_names[FH_NCOUNTED] = {
	"From", "Date", "Sender", "Reply-To", "To", "Cc", "Bcc",
	"Message-ID", "In-Reply-To", "References", "Subject"
};

struct message *
message_new(struct runtime *rt)
{
	struct message *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->rt = runtime_ref(rt);
	facts_init(&m->f);
	decision_init(&m->d);
	str_init(&m->field, FACTS_FIELD_MAX + 1024);
	str_init(&m->hdr, 16 * 1024 * 1024);
	str_init(&m->body, 16 * 1024 * 1024);
	return m;
}

void
message_free(struct message *m)
{
	if (m == NULL)
		return;
	message_reset(m);
	facts_free(&m->f);
	decision_free(&m->d);
	str_free(&m->field);
	str_free(&m->hdr);
	str_free(&m->body);
	runtime_unref(m->rt);
	free(m);
}

struct runtime *
message_runtime(const struct message *m)
{
	return m->rt;
}

const struct facts *
message_facts(const struct message *m)
{
	return &m->f;
}

void
message_connect(struct message *m, const char *ip, const char *hostname)
{
	snprintf(m->f.ip, sizeof(m->f.ip), "%s", ip != NULL ? ip : "");
	snprintf(m->hostname, sizeof(m->hostname), "%s", hostname != NULL ? hostname : "");
}

void
message_helo(struct message *m, const char *helo)
{
	snprintf(m->f.helo, sizeof(m->f.helo), "%s", helo != NULL ? helo : "");
}

/* strip_brackets - the address of a MAIL FROM / RCPT TO argument, without <>. */
static void
strip_brackets(const char *arg, char *out, size_t size)
{
	size_t n;

	while (*arg == ' ')
		arg++;
	n = strlen(arg);
	if (n >= 2 && arg[0] == '<' && arg[n - 1] == '>') {
		arg++;
		n -= 2;
	}
	if (n >= size)
		n = size - 1;
	memcpy(out, arg, n);
	out[n] = '\0';
}

/*
 * postmaster_local - RFC 7208 4.3: a MAIL FROM with no local-part
 * ("@example.net") is checked as postmaster@example.net.  A source route
 * ("@relay:user@example.net") is left alone.
 */
static void
postmaster_local(char *addr, size_t size)
{
	static const char pm[] = "postmaster";
	size_t n = strlen(addr), k = sizeof(pm) - 1;

	if (addr[0] != '@' || n < 2 || strchr(addr + 1, '@') != NULL ||
	    strchr(addr, ':') != NULL || n + k >= size)
		return;
	memmove(addr + k, addr, n + 1);
	memcpy(addr, pm, k);
}

/* addr_domain - the normalised domain of an address, "" when none or invalid. */
static void
addr_domain(const char *addr, char *out)
{
	const char *at = strrchr(addr, '@');

	out[0] = '\0';
	if (at == NULL || at[1] == '\0')
		return;
	if (domain_normalize(at + 1, strlen(at + 1), out) != DOMAIN_OK)
		out[0] = '\0';
}

/*
 * mailbox_ok - is addr an RFC 5321 Mailbox: a dot-atom or quoted-string
 * local part, "@", a domain without blanks, commas or brackets?  Anything
 * else ("a@ b.example", "a@b.example, c@d.example") has no SPF domain.
 */
static bool
mailbox_ok(const char *addr)
{
	const char *p = addr, *at;

	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++)
			if (*p == '\\' && p[1] != '\0')
				p++;
		if (*p++ != '"')
			return false;
	} else {
		p += strcspn(p, "@ \t,<>()[]:;\"\\");
	}
	if (*p != '@' || p == addr)
		return false;
	at = p;
	return at[1] != '\0' && strcspn(at + 1, "@ \t,<>()[]:;\"\\") == strlen(at + 1);
}

/* skip_why - why this message is not evaluated, or NULL. */
static const char *
skip_why(struct message *m, const char *auth_user)
{
	const struct conf *c = m->rt->conf;

	if (m->f.ip[0] != '\0' && c->ignore_hosts != NULL &&
	    netlist_match(c->ignore_hosts, m->f.ip)) {
		m->skip_kind = REASON_IGNORED_HOST;
		return "client in IgnoreHosts";
	}
	if (auth_user != NULL && auth_user[0] != '\0' && c->ignore_authenticated) {
		m->skip_kind = REASON_AUTHENTICATED;
		return "authenticated client (IgnoreAuthenticatedClients)";
	}
	return NULL;
}

/* run_spf - SPF for MAIL FROM (or postmaster@HELO) and for HELO. */
static void
run_spf(struct message *m)
{
	struct facts *f = &m->f;
	int64_t deadline = resolver_now_ms() + m->rt->conf->dns_budget_ms;

	f->nspf = 0;
	if (!f->null_sender && !mailbox_ok(f->mail_from)) {
		memset(&f->spf[0], 0, sizeof(f->spf[0]));
		f->spf[0].result = SPF_RES_NONE;
		f->spf[0].scope = SPF_SCOPE_MFROM;
		snprintf(f->spf[0].reason, sizeof(f->spf[0].reason),
		    "MAIL FROM is not a valid mailbox: no SPF domain");
		f->nspf = 1;
	} else {
		spf_check(m->rt->spf, f->ip, f->helo, f->null_sender ? "" : f->mail_from,
		    SPF_SCOPE_MFROM, deadline, &f->spf[f->nspf++]);
	}
	if (!f->null_sender && f->helo[0] != '\0')
		spf_check(m->rt->spf, f->ip, f->helo, f->mail_from, SPF_SCOPE_HELO,
		    deadline, &f->spf[f->nspf++]);
}

bool
message_envfrom(struct message *m, const char *mail_from, const char *auth_user)
{
	const char *why;

	message_reset(m);
	m->f.have_envfrom = true;
	strip_brackets(mail_from != NULL ? mail_from : "", m->f.mail_from,
	    sizeof(m->f.mail_from));
	postmaster_local(m->f.mail_from, sizeof(m->f.mail_from));
	m->f.null_sender = m->f.mail_from[0] == '\0';
	if (mailbox_ok(m->f.mail_from))
		addr_domain(m->f.mail_from, m->f.mail_from_domain);
	if ((why = skip_why(m, auth_user)) != NULL) {
		snprintf(m->skip_reason, sizeof(m->skip_reason), "%s", why);
		m->state = MSG_SKIPPED;
		return false;
	}
	m->state = MSG_EVALUATING;
	if (m->f.ip[0] != '\0')
		run_spf(m);
	m->dkim = dkim_msg_new(m->rt->dkim, "");
	if (m->rt->arc != NULL)
		m->arc = arc_msg_new(m->rt->arc);
	return true;
}

void
message_rcpt(struct message *m, const char *rcpt)
{
	char addr[DOMAIN_BUFSIZE + 256], dom[DOMAIN_BUFSIZE];
	size_t i;

	if (m->state != MSG_EVALUATING || rcpt == NULL)
		return;
	strip_brackets(rcpt, addr, sizeof(addr));
	addr_domain(addr, dom);
	if (dom[0] == '\0' || m->f.nrcpt >= FACTS_MAX_RCPT)
		return;
	for (i = 0; i < m->f.nrcpt; i++)
		if (strcmp(m->f.rcpt_domain[i], dom) == 0)
			return;
	memcpy(m->f.rcpt_domain[m->f.nrcpt++], dom, DOMAIN_BUFSIZE);
}

/*
 * is_field - is name the field name want, ignoring case and blanks before
 * the colon (RFC 5322 4.5.3 obsolete syntax: "From :" is a From field, and
 * a reader shows it as one)?
 */
static bool
is_field(const char *name, const char *want)
{
	size_t n = strlen(want);

	return strncasecmp(name, want, n) == 0 && name[n + strspn(name + n, " \t")] == '\0';
}

/* count_field - the RFC 5322 3.6 counts. */
static void
count_field(struct facts *f, const char *name)
{
	size_t i;

	for (i = 0; i < FH_NCOUNTED; i++)
		if (is_field(name, counted_names[i]) && f->count[i] < 1000000)
			f->count[i]++;
}

/*
 * keep_from - keep a From value as written after the colon (the MTA drops
 * one leading space unless LEADSPC), so reasons give the same offsets as
 * authmilter-check on the message file.  One that cannot be kept whole
 * sets from_lost: the From fields are then unusable, never partly read.
 */
static void
keep_from(struct facts *f, const char *value, size_t len, bool leadspc)
{
	struct str *v;

	if (f->nfrom == FACTS_MAX_FROM) {
		f->from_lost = true;
		return;
	}
	v = &f->from[f->nfrom++];
	str_reset(v);
	if ((!leadspc && len > 0 && str_appendc(v, ' ') != STR_OK) ||
	    str_append(v, value, len) != STR_OK) {
		f->header_too_big = true;
		f->from_lost = true;
	}
}

/*
 * claims_site_id - does an Authentication-Results value claim AuthservID
 * or another id of this site (TrustedAuthservIDs)?  Arriving from outside,
 * such a field can only be forged (RFC 8601 section 5).
 */
static bool
claims_site_id(const struct conf *c, const char *value, size_t len)
{
	size_t i;

	if (authres_claims_id(value, len, c->authserv_id))
		return true;
	for (i = 0; i < c->trusted_authserv_ids.n; i++)
		if (authres_claims_id(value, len, c->trusted_authserv_ids.item[i]))
			return true;
	return false;
}

/* note_authres - an Authentication-Results field: forged when it claims a site id. */
static void
note_authres(struct message *m, const char *value, size_t len)
{
	const struct conf *c = m->rt->conf;
	struct facts *f = &m->f;
	unsigned *grown;

	if (f->nar >= FACTS_MAX_AR)
		return;
	f->nar++;
	if (!claims_site_id(c, value, len))
		return;
	if ((f->nforged & (f->nforged - 1)) == 0) {	/* 0, 1, 2, 4, ...: grow */
		grown = realloc(f->forged, (f->nforged ? 2 * f->nforged : 1) * sizeof(*grown));
		if (grown == NULL)
			return;
		f->forged = grown;
	}
	f->forged[f->nforged++] = (unsigned)f->nar;
}

/* keep_value - copy a From or Message-ID value into s (bounded). */
static void
keep_value(struct facts *f, struct str *s, const char *value, size_t len)
{
	if (str_set(s, value, len) != STR_OK)
		f->header_too_big = true;
}

/* feed_dkim - "Name:value" with bare LFs as CRLF, into the DKIM and ARC engines. */
static void
feed_dkim(struct message *m, const char *name, const char *value, bool leadspc)
{
	struct str *s = &m->field;
	enum str_status st;
	const char *p;

	str_reset(s);
	st = str_appends(s, name);
	if (st == STR_OK)
		st = str_appends(s, leadspc ? ":" : ": ");
	for (p = value; st == STR_OK && *p != '\0'; p++) {
		if (*p == '\n' && (p == value || p[-1] != '\r'))
			st = str_appendc(s, '\r');
		if (st == STR_OK)
			st = str_appendc(s, *p);
	}
	if (st != STR_OK) {
		m->f.header_too_big = true;
		return;
	}
	if (m->dkim != NULL)
		dkim_msg_header(m->dkim, str_cstr(s), s->len);
	/* -1 (over the verifier's limits) is not a message error: the ARC
	 * outcome says fail with the reason. */
	if (m->arc != NULL)
		(void)arc_msg_header(m->arc, str_cstr(s), s->len);
}

/* keep_bytes - data onto s while the report's budget allows, else cut. */
static void
keep_bytes(struct message *m, struct str *s, const char *data, size_t len)
{
	size_t budget = afrf_budget(m->rt->conf->failure_reports_max_bytes);

	if (m->cut || m->hdr.len + m->body.len + len > budget ||
	    str_append(s, data, len) != STR_OK)
		m->cut = true;
}

/* keep_for_report - one header field, "Name: value" CRLF, for a failure report. */
static void
keep_for_report(struct message *m, const char *name, const char *value, bool leadspc)
{
	const char *p;
	size_t before = m->hdr.len;

	if (!m->rt->conf->failure_reports || m->cut)
		return;
	keep_bytes(m, &m->hdr, name, strlen(name));
	keep_bytes(m, &m->hdr, leadspc ? ":" : ": ", leadspc ? 1 : 2);
	for (p = value; !m->cut && *p != '\0'; p++) {
		if (*p == '\n' && (p == value || p[-1] != '\r'))
			keep_bytes(m, &m->hdr, "\r", 1);
		keep_bytes(m, &m->hdr, p, 1);
	}
	keep_bytes(m, &m->hdr, "\r\n", 2);
	if (m->cut && m->hdr.s != NULL) {	/* never half a field */
		m->hdr.len = before;
		m->hdr.s[before] = '\0';
	}
}

void
message_header(struct message *m, const char *name, const char *value, bool leadspc)
{
	struct facts *f = &m->f;
	size_t len;

	if (m->state != MSG_EVALUATING || name == NULL || value == NULL)
		return;
	len = strlen(value);
	count_field(f, name);
	keep_for_report(m, name, value, leadspc);
	if (is_field(name, "From"))
		keep_from(f, value, len, leadspc);
	else if (strcasecmp(name, "Message-ID") == 0 && f->message_id.len == 0)
		keep_value(f, &f->message_id, value, len);
	else if (strcasecmp(name, "Authentication-Results") == 0)
		note_authres(m, value, len);
	feed_dkim(m, name, value, leadspc);
}

void
message_eoh(struct message *m)
{
	if (m->state != MSG_EVALUATING)
		return;
	if (m->dkim != NULL)
		dkim_msg_eoh(m->dkim);
	if (m->arc != NULL)
		(void)arc_msg_eoh(m->arc);
}

void
message_body(struct message *m, const unsigned char *data, size_t len)
{
	if (m->state != MSG_EVALUATING)
		return;
	if (m->rt->conf->failure_reports && m->rt->conf->failure_reports_body)
		keep_bytes(m, &m->body, (const char *)data, len);
	if (m->dkim != NULL)
		dkim_msg_body(m->dkim, data, len);
	if (m->arc != NULL)
		(void)arc_msg_body(m->arc, data, len);
}

void
message_override(struct message *m, const struct spf_outcome *spf, size_t nspf,
    const struct dkim_outcome *dkim)
{
	if (nspf > 2)
		nspf = 2;
	if (nspf > 0)
		memcpy(m->ovr_spf, spf, nspf * sizeof(*spf));
	m->ovr_nspf = nspf;
	m->ovr_dkim_set = dkim != NULL;
	if (dkim != NULL)
		m->ovr_dkim = *dkim;
}

/* apply_override - message_override's results into the facts. */
static void
apply_override(struct message *m)
{
	if (m->ovr_nspf > 0) {
		memcpy(m->f.spf, m->ovr_spf, m->ovr_nspf * sizeof(m->ovr_spf[0]));
		m->f.nspf = m->ovr_nspf;
	}
	if (m->ovr_dkim_set) {
		m->f.dkim = m->ovr_dkim;
		m->f.dkim_done = true;
	}
}

/* run_arc - the ARC outcome into the facts (allocated: it is large). */
static void
run_arc(struct message *m)
{
	struct facts *f = &m->f;

	if (m->arc == NULL || (f->arc = malloc(sizeof(*f->arc))) == NULL)
		return;
	arc_outcome_init(f->arc);
	arc_msg_eom(m->arc, f->arc);
}

/*
 * failure_report - a failure report when the policy record asks for one
 * (fo=, failure.h) and FailureReportsOnNone allows it; what became of it
 * goes into the log line.
 */
static void
failure_report(struct message *m)
{
	const struct conf *c = m->rt->conf;
	struct decision *d = &m->d;
	struct str eml = STR_INITIALIZER(32 * 1024 * 1024), meta = STR_INITIALIZER(64 * 1024);
	struct afrf_input in;
	char boundary[64], err[512];
	unsigned due = failure_due(&d->verdict, &d->in);
	enum failspool_status st;

	if (due == 0 || (d->verdict.record.p == DMARC_POLICY_NONE && !c->failure_reports_on_none))
		return;
	failspool_boundary(&m->hdr, c->failure_reports_body ? &m->body : NULL, boundary,
	    sizeof(boundary));
	in = (struct afrf_input){ c, &m->f, d, due, &m->hdr,
	    c->failure_reports_body ? &m->body : NULL, m->cut, boundary };
	if (afrf_build(&in, &eml, &meta) != 0) {
		(void)str_appends(&d->log, " failure_report=error failure_report_why=\"too big\"");
	} else {
		st = failspool_write(c, d->verdict.policy_domain, m->f.now, &eml, &meta, m->report,
		    sizeof(m->report), err, sizeof(err));
		if (st == FAILSPOOL_WRITTEN)
			(void)str_printf(&d->log, " failure_report=%s", m->report);
		else if (st == FAILSPOOL_LIMITED)
			(void)str_appends(&d->log, " failure_report=dropped failure_report_why=\"FailureReportsRate\"");
		else
			(void)str_printf(&d->log, " failure_report=error failure_report_why=\"%s\"", err);
	}
	str_free(&eml);
	str_free(&meta);
}

const struct decision *
message_eom(struct message *m, const char *queue_id, int64_t now)
{
	struct facts *f = &m->f;

	decision_free(&m->d);
	snprintf(f->queue_id, sizeof(f->queue_id), "%s", queue_id != NULL ? queue_id : "");
	f->now = now;
	if (m->state != MSG_EVALUATING) {
		if (m->state == MSG_SKIPPED)
			decision_skip(&m->d, f, m->skip_kind, m->skip_reason);
		else
			decision_skip(&m->d, f, REASON_NO_ENVELOPE, "no MAIL FROM seen");
		m->state = MSG_DECIDED;
		return &m->d;
	}
	if (m->dkim != NULL) {
		dkim_msg_eom(m->dkim, &f->dkim);
		f->dkim_done = true;
	}
	run_arc(m);
	apply_override(m);
	decide(m->rt, f, &m->d);
	if (m->rt->conf->failure_reports && m->d.evaluated)
		failure_report(m);
	m->state = MSG_DECIDED;
	return &m->d;
}

const char *
message_failure_report(const struct message *m)
{
	return m->report[0] != '\0' ? m->report : NULL;
}

void
message_reset(struct message *m)
{
	char ip[sizeof(m->f.ip)], helo[sizeof(m->f.helo)];

	dkim_msg_free(m->dkim);
	m->dkim = NULL;
	arc_msg_free(m->arc);
	m->arc = NULL;
	memcpy(ip, m->f.ip, sizeof(ip));
	memcpy(helo, m->f.helo, sizeof(helo));
	facts_free(&m->f);
	facts_init(&m->f);
	memcpy(m->f.ip, ip, sizeof(ip));
	memcpy(m->f.helo, helo, sizeof(helo));
	decision_free(&m->d);
	str_reset(&m->hdr);
	str_reset(&m->body);
	m->cut = false;
	m->report[0] = '\0';
	m->state = MSG_IDLE;
	m->skip_reason[0] = '\0';
	m->ovr_nspf = 0;
	m->ovr_dkim_set = false;
}
