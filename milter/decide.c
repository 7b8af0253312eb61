/*
 * decide.c - facts in, decision out; see decide.h.  The order of the
 * rules is the documented one (authmilter.conf(5), README):
 *   1. RequiredHeaders: an RFC 5322 3.6 field count violation is rejected;
 *   2. RejectUnusableFrom: From field(s) that give no usable author domain
 *      set are rejected (with RejectUnusableFrom no, the domains a reader
 *      may display are evaluated instead; more than are evaluated is a
 *      reject all the same);
 *   3. RejectMultiValueFrom: several author domains are rejected;
 *   4. a DNS temporary failure: DNSFailAction (when enforcing);
 *   5. the DMARC disposition: reject (RejectFailures), quarantine
 *      (HoldQuarantinedMessages or QuarantineHeader), or accept; before
 *      that a DMARC failure may be overridden (trusted_forwarder) by a
 *      passing ARC chain through a sealer in ARCTrustedSealers.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arc_override.h"
#include "authres.h"
#include "conf.h"
#include "decide.h"
#include "from.h"
#include "resolver.h"
#include "runtime.h"

#define REPLY_MAX 512			/* bytes of SMTP reply text */
#define LOG_MAX 4096			/* bytes of the log line */

static const char *const action_names[] = { "accept", "quarantine", "reject", "tempfail" };

const char *
action_name(enum decision_action a)
{
	return (unsigned)a < 4 ? action_names[a] : "?";
}

void
facts_init(struct facts *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < FACTS_MAX_FROM; i++)
		str_init(&f->from[i], FACTS_FIELD_MAX);
	str_init(&f->message_id, HISTORY_MSGID_MAX);
}

void
facts_free(struct facts *f)
{
	size_t i;

	for (i = 0; i < FACTS_MAX_FROM; i++)
		str_free(&f->from[i]);
	str_free(&f->message_id);
	free(f->forged);
	f->forged = NULL;
	f->nforged = 0;
	if (f->arc != NULL) {
		arc_outcome_free(f->arc);
		free(f->arc);
		f->arc = NULL;
	}
}

void
decision_init(struct decision *d)
{
	memset(d, 0, sizeof(*d));
	str_init(&d->reply, REPLY_MAX);
	str_init(&d->authres, 64 * 1024);
	str_init(&d->quarantine_reason, REPLY_MAX);
	str_init(&d->add_name, 256);
	str_init(&d->add_value, 1024);
	str_init(&d->history, HISTORY_LINE_MAX * VERDICT_MAX_AUTHORS);
	str_init(&d->log, LOG_MAX);
	verdict_init(&d->verdict);
}

void
decision_free(struct decision *d)
{
	str_free(&d->reply);
	str_free(&d->authres);
	str_free(&d->quarantine_reason);
	str_free(&d->add_name);
	str_free(&d->add_value);
	str_free(&d->history);
	str_free(&d->log);
	verdict_free(&d->verdict);
	verdict_init(&d->verdict);
	memset(&d->in, 0, sizeof(d->in));
	d->evaluated = false;
	d->skip_reason[0] = '\0';
	d->action = ACTION_ACCEPT;
	d->reason = REASON_DMARC;
	d->rcode[0] = d->xcode[0] = '\0';
	d->ndelete = 0;
	d->delete_index = NULL;
	d->hold = false;
	d->nhistory = d->history_lost = 0;
	d->history_why = NULL;
	memset(&d->arc_override, 0, sizeof(d->arc_override));
	d->arc = NULL;
}

/*
 * clean_log - control characters of the log line as '?': it quotes peer
 * text (the HELO name, the MAIL FROM domain, engine reasons), and a CR or
 * LF in it would forge log lines.
 */
static void
clean_log(struct str *l)
{
	size_t i;

	for (i = 0; i < l->len; i++)
		if ((unsigned char)l->s[i] < 0x20 || l->s[i] == 0x7f)
			l->s[i] = '?';
}

void
decision_skip(struct decision *d, const struct facts *f, enum decision_reason reason,
    const char *why)
{
	d->evaluated = false;
	d->reason = reason;
	d->action = ACTION_ACCEPT;
	snprintf(d->skip_reason, sizeof(d->skip_reason), "%.*s", (int)sizeof(d->skip_reason) - 1, why);
	(void)str_printf(&d->log, "ip=%s mail_from=<%s> action=accept skipped=\"%s\"",
	    f->ip[0] ? f->ip : "-", f->mail_from, why);
	clean_log(&d->log);
}

/* ---------------------------------------------------------------- input */

/* add_spf - one SPF outcome as a verdict input. */
static void
add_spf(struct verdict_input *in, const struct spf_outcome *o)
{
	struct verdict_spf *s = &in->spf[in->nspf];

	if (in->nspf >= VERDICT_MAX_SPF)
		return;
	s->scope = o->scope;
	s->result = o->result;
	if (domain_normalize(o->domain, strlen(o->domain), s->domain) != DOMAIN_OK)
		s->domain[0] = '\0';
	in->nspf++;
}

/* add_dkim - the DKIM signatures as verdict inputs (extra: a= and b=). */
static void
add_dkim(struct verdict_input *in, const struct dkim_outcome *o,
    struct authres_dkim_extra *extra)
{
	const struct dkim_sig_result *r;
	struct verdict_dkim *v;
	size_t i;

	for (i = 0; i < o->n && in->ndkim < VERDICT_MAX_DKIM; i++) {
		r = &o->sig[i];
		v = &in->dkim[in->ndkim];
		if (domain_normalize(r->d, strlen(r->d), v->domain) != DOMAIN_OK)
			v->domain[0] = '\0';
		snprintf(v->selector, sizeof(v->selector), "%s", r->s);
		v->result = r->result;
		extra[in->ndkim].a = r->a;
		extra[in->ndkim].b = r->b8;
		extra[in->ndkim].i = NULL;
		in->ndkim++;
	}
}

/*
 * add_authors - the author domains of the From field(s) into in.  When the
 * fields do not name every author domain (from_usable, and every field
 * kept whole), *usable is false and, with RejectUnusableFrom no, the
 * domains a reader may display (from_recover) are the authors instead.
 */
static void
add_authors(const struct conf *c, const struct facts *f, struct verdict_input *in,
    struct from_result *fr, bool *usable)
{
	const char *vals[FACTS_MAX_FROM];
	size_t lens[FACTS_MAX_FROM], i;

	for (i = 0; i < f->nfrom; i++) {
		vals[i] = str_cstr(&f->from[i]);
		lens[i] = f->from[i].len;
	}
	from_collect(vals, lens, f->nfrom, fr);
	in->nauthors = 0;
	*usable = from_usable(fr) && !f->from_lost;
	if (!*usable && (c->reject_unusable_from || from_recover(vals, lens, f->nfrom, fr) == 0))
		return;
	for (i = 0; i < fr->ndomains && i < VERDICT_MAX_AUTHORS; i++)
		memcpy(in->authors[in->nauthors++], fr->domains[i], DOMAIN_BUFSIZE);
}

/* fill_input - everything the verdict depends on. */
static void
fill_input(const struct runtime *rt, const struct facts *f, struct verdict_input *in,
    struct authres_dkim_extra *extra, struct from_result *fr, bool *usable)
{
	size_t i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < f->nspf; i++) {
		struct spf_outcome o = f->spf[i];

		/* RFC 9989 3.2.4: for a null path the MAIL FROM identity is
		 * postmaster@HELO, and its SPF result is what DMARC uses. */
		if (i == 0 && f->null_sender)
			o.scope = SPF_SCOPE_MFROM;
		add_spf(in, &o);
	}
	if (f->dkim_done)
		add_dkim(in, &f->dkim, extra);
	add_authors(rt->conf, f, in, fr, usable);
	in->mode = rt->conf->org_mode;
	in->psl = rt->psl;
	in->honor_pct = rt->conf->honor_pct;
}

/* ---------------------------------------------------------------- rules */

/* header_violation - the first RFC 5322 3.6 count violation, or NULL. */
static const char *
header_violation(const struct facts *f)
{
	static const struct { enum facts_counted h; const char *why; } once[] = {
		{ FH_SENDER, "more than one Sender field" },
		{ FH_REPLY_TO, "more than one Reply-To field" },
		{ FH_TO, "more than one To field" },
		{ FH_CC, "more than one Cc field" },
		{ FH_BCC, "more than one Bcc field" },
		{ FH_MESSAGE_ID, "more than one Message-ID field" },
		{ FH_IN_REPLY_TO, "more than one In-Reply-To field" },
		{ FH_REFERENCES, "more than one References field" },
		{ FH_SUBJECT, "more than one Subject field" },
	};
	size_t i;

	if (f->count[FH_FROM] != 1)
		return f->count[FH_FROM] == 0 ? "no From field" : "more than one From field";
	if (f->count[FH_DATE] != 1)
		return f->count[FH_DATE] == 0 ? "no Date field" : "more than one Date field";
	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		if (f->count[once[i].h] > 1)
			return once[i].why;
	return NULL;
}

/* set_reply - rcode, xcode and the sanitised text (printable ASCII, no '%'). */
static void
set_reply(struct decision *d, const char *rcode, const char *xcode, const char *text)
{
	const unsigned char *p;

	snprintf(d->rcode, sizeof(d->rcode), "%s", rcode);
	snprintf(d->xcode, sizeof(d->xcode), "%s", xcode);
	str_reset(&d->reply);
	for (p = (const unsigned char *)text; *p != '\0'; p++)
		if (str_appendc(&d->reply, (*p < 0x20 || *p > 0x7e || *p == '%') ? '?' : (char)*p) != STR_OK)
			break;
}

/* split_xcode - a leading "5.x.y " of text as the enhanced status code. */
static const char *
split_xcode(const char *text, char *xcode, size_t size, const char *dflt)
{
	size_t n = strspn(text, "0123456789.");

	if (n >= 5 && n < size && text[0] == dflt[0] && text[1] == '.' && text[n] == ' ') {
		memcpy(xcode, text, n);
		xcode[n] = '\0';
		return text + n + 1;
	}
	snprintf(xcode, size, "%s", dflt);
	return text;
}

/* reject_dmarc - the RejectText reply for a DMARC reject. */
static void
reject_dmarc(const struct conf *c, struct decision *d)
{
	const struct verdict *v = &d->verdict;
	const char *domain = v->policy_domain[0] != '\0' ? v->policy_domain : v->header_from;
	char text[REPLY_MAX], xcode[16];
	const char *rest;

	if (c->reject_text == NULL ||
	    conf_reject_text_expand(c->reject_text, domain, dmarc_policy_name(v->policy),
	    str_cstr(&v->reason), text, sizeof(text)) != 0)
		snprintf(text, sizeof(text), "5.7.1 rejected by DMARC policy for %s", domain);
	rest = split_xcode(text, xcode, sizeof(xcode), "5.7.1");
	d->action = ACTION_REJECT;
	set_reply(d, "550", xcode, rest);
}

/* quarantine - hold the message or add the QuarantineHeader. */
static void
quarantine(const struct conf *c, struct decision *d)
{
	const char *h = c->quarantine_header != NULL ? c->quarantine_header : "";
	const char *colon = strchr(h, ':');

	d->action = ACTION_QUARANTINE;
	d->hold = c->hold_quarantined || colon == NULL;
	(void)str_printf(&d->quarantine_reason, "DMARC policy of %s is quarantine",
	    d->verdict.policy_domain);
	if (d->hold)
		return;
	(void)str_set(&d->add_name, h, (size_t)(colon - h));
	for (colon++; *colon == ' ' || *colon == '\t'; colon++)
		;
	(void)str_appends(&d->add_value, colon);
}

/*
 * reject_unusable - RejectUnusableFrom: no author domain set to evaluate
 * is a reject, never a pass (and more domains than are evaluated, even
 * with RejectUnusableFrom no).
 */
static void
reject_unusable(struct decision *d, const char *why)
{
	char text[REPLY_MAX];

	snprintf(text, sizeof(text), "message not RFC 5322 compliant: %s", why);
	d->action = ACTION_REJECT;
	set_reply(d, "550", "5.7.1", text);
}

/* not_enforced - RejectFailures no: a reject is lowered to none (local_policy). */
static void
not_enforced(struct verdict *v)
{
	v->disposition = DISP_NONE;
	v->overrides |= OVERRIDE_LOCAL_POLICY;
	(void)str_appends(&v->reason, "; reject not enforced (RejectFailures no)");
}

/* choose - the action, by the rules in the file comment. */
static void
choose(const struct conf *c, const struct facts *f, const struct from_result *fr,
    const char *unusable, struct decision *d)
{
	const char *why;
	struct verdict *v = &d->verdict;

	if (c->required_headers && (why = header_violation(f)) != NULL) {
		d->reason = REASON_REQUIRED_HEADERS;
		d->action = ACTION_REJECT;
		set_reply(d, "550", "5.7.1", why);
		return;
	}
	if (unusable != NULL && (c->reject_unusable_from || fr->overflow || f->from_lost)) {
		d->reason = REASON_UNUSABLE_FROM;
		reject_unusable(d, unusable);
		return;
	}
	if (c->reject_multi_value_from && fr->ndomains > 1) {
		d->reason = REASON_MULTIPLE_FROM;
		d->action = ACTION_REJECT;
		set_reply(d, "550", "5.7.1", "several author domains in From (RejectMultiValueFrom)");
		return;
	}
	if (v->result == DMARC_RES_TEMPERROR && c->reject_failures &&
	    c->dns_fail_action == CONF_FAIL_TEMPFAIL) {
		d->action = ACTION_TEMPFAIL;
		set_reply(d, "451", "4.7.1", "temporary DNS failure evaluating DMARC, try again later");
		return;
	}
	if (v->disposition == DISP_REJECT && !c->reject_failures)
		not_enforced(v);
	if (v->disposition == DISP_REJECT)
		reject_dmarc(c, d);
	else if (v->disposition == DISP_QUARANTINE)
		quarantine(c, d);
	else
		d->action = ACTION_ACCEPT;
}

/* ---------------------------------------------------------------- ARC */

/* arc_org - organizational domains for relaxed alignment, as the verdict finds them. */
static bool
arc_org(void *ctx, const char *name, char *org)
{
	return discover_org_domain(ctx, name, org, NULL) == DISCOVER_FOUND;
}

/* arc_may_override - is there a DMARC failure a trusted sealer could override? */
static bool
arc_may_override(const struct conf *c, const struct facts *f, const struct decision *d)
{
	const struct verdict *v = &d->verdict;

	/* One author domain only: the AAR vouches for one domain, and with
	 * several the strictest of the others would have to be weighed again. */
	return f->arc != NULL && f->arc->chain == ARC_CHAIN_PASS &&
	    c->arc_trusted_sealers.n > 0 && d->in.nauthors == 1 &&
	    v->result == DMARC_RES_FAIL && v->record_found &&
	    (v->disposition == DISP_QUARANTINE || v->disposition == DISP_REJECT);
}

/* arc_trusted - the trusted_forwarder override from the ARC chain, into d. */
static void
arc_trusted(const struct conf *c, const struct facts *f, struct decision *d,
    const struct policy_env *env)
{
	struct arc_override_set *sets;	/* on the heap: libmilter thread stacks are small */
	struct arc_override_input in;
	struct discover *disc;
	size_t k;

	memset(&d->arc_override, 0, sizeof(d->arc_override));
	if (!arc_may_override(c, f, d) ||
	    (sets = calloc(ARC_MAX_INSTANCES, sizeof(*sets))) == NULL)
		return;
	memset(&in, 0, sizeof(in));
	for (k = 0; k < f->arc->n && k < ARC_MAX_INSTANCES; k++) {
		sets[k].i = f->arc->set[k].i;
		sets[k].sealer = f->arc->set[k].seal_d;
		sets[k].aar = str_cstr(&f->arc->set[k].aar);
		sets[k].aar_len = f->arc->set[k].aar.len;
	}
	in.chain_pass = true;
	in.oldest_pass = f->arc->oldest_pass;
	in.nsets = k;
	in.sets = sets;
	in.author = d->verdict.header_from;
	in.spf_mode = d->verdict.record.aspf;
	in.dkim_mode = d->verdict.record.adkim;
	in.ntrusted = c->arc_trusted_sealers.n;
	in.trusted = (const char *const *)c->arc_trusted_sealers.item;
	disc = discover_new(env, d->in.mode, d->in.psl);
	in.org = disc != NULL ? arc_org : NULL;
	in.org_ctx = disc;
	arc_override_check(&in, &d->arc_override);
	discover_free(disc);
	free(sets);
	if (!arc_override_apply(&d->verdict, &d->arc_override))
		d->arc_override.applies = false;
}

/* arc_authres - the arc resinfo of f (result NULL when ARC was not verified). */
static void
arc_authres(const struct facts *f, const struct decision *d, struct authres_arc *a,
    char *detail, size_t size)
{
	memset(a, 0, sizeof(*a));
	if (f->arc == NULL)
		return;
	/* RFC 8617 registers none, pass and fail only: a key lookup that
	 * failed temporarily is a failed chain whose comment says so (the
	 * log line and the history record keep "temperror"). */
	a->result = arc_chain_name(f->arc->chain);
	if (f->arc->chain != ARC_CHAIN_NONE)
		a->remote_ip = f->ip;
	if (f->arc->chain == ARC_CHAIN_FAIL)
		a->comment = f->arc->reason;
	a->oldest_pass = arc_header_oldest_pass(f->arc);
	arc_override_detail(&d->arc_override, detail, size);
	a->override_detail = detail;
}

/* ---------------------------------------------------------------- outputs */

/* trim_msgid - the Message-ID value without surrounding blanks. */
static char *
trim_msgid(const struct str *s)
{
	const char *p = s->len ? str_cstr(s) : "";
	size_t n;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	n = strlen(p);
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	return n ? strndup(p, n) : NULL;
}

/*
 * fill_history - the caller's fields of the history record.  The MAIL FROM
 * domain is recorded for a null reverse-path (empty) or a usable address,
 * not for one whose domain could not be read (unknown); recipients
 * without a domain (RFC 5321 "postmaster") are left out.
 */
static void
fill_history(const struct facts *f, struct history_record *h)
{
	size_t i;

	h->time = f->now;
	snprintf(h->source_ip, sizeof(h->source_ip), "%s", f->ip[0] ? f->ip : "0.0.0.0");
	h->envelope_from_present = f->have_envfrom &&
	    (f->null_sender || f->mail_from_domain[0] != '\0');
	memcpy(h->envelope_from, f->mail_from_domain, DOMAIN_BUFSIZE);
	for (i = 0; i < f->nrcpt && i < HISTORY_MAX_RCPT; i++)
		if (f->rcpt_domain[i][0] != '\0')
			memcpy(h->envelope_to[h->nrcpt++], f->rcpt_domain[i], DOMAIN_BUFSIZE);
	snprintf(h->queue_id, sizeof(h->queue_id), "%s", f->queue_id);
	h->message_id = trim_msgid(&f->message_id);
}

/*
 * history_arc - the ARC result and, for the deciding author domain, the
 * instance that made the override.
 */
static void
history_arc(const struct facts *f, const struct decision *d, bool deciding,
    struct history_record *h)
{
	if (f->arc == NULL || f->arc->chain == ARC_CHAIN_NONE)
		return;
	h->arc = f->arc->temperror ? HISTORY_ARC_TEMPERROR :
	    f->arc->chain == ARC_CHAIN_PASS ? HISTORY_ARC_PASS : HISTORY_ARC_FAIL;
	if (!deciding || !d->arc_override.applies)
		return;
	h->arc_instance = d->arc_override.i;
	memcpy(h->arc_sealer, d->arc_override.sealer, sizeof(h->arc_sealer));
}

/*
 * encode_record - append the record of verdict v (one author domain) to
 * d->history.  A Message-ID the format cannot carry is dropped rather
 * than the record.  Returns the encoder's status.
 */
static enum history_status
encode_record(const struct facts *f, struct decision *d, const struct verdict *v,
    bool deciding)
{
	struct history_record h;
	struct str line;
	enum history_status st;

	history_record_init(&h);
	str_init(&line, HISTORY_LINE_MAX);
	fill_history(f, &h);
	st = history_record_from_verdict(&h, &d->in, v);
	history_arc(f, d, deciding, &h);
	if (st == HISTORY_OK && (st = history_encode(&h, &line)) != HISTORY_OK &&
	    h.message_id != NULL) {
		free(h.message_id);		/* an unusable Message-ID: drop it */
		h.message_id = NULL;
		st = history_encode(&h, &line);
	}
	if (st == HISTORY_OK && str_append(&d->history, line.s, line.len) != STR_OK)
		st = HISTORY_NOMEM;
	str_free(&line);
	history_record_free(&h);
	return st;
}

/*
 * author_verdict - the verdict of author domain i of several on its own,
 * for its record (RFC 9989 evaluates, and so reports, each); its DNS
 * answers are in the cache by now.  RejectFailures no lowers its reject as
 * it lowers the deciding one's.
 */
static enum verdict_status
author_verdict(const struct conf *c, const struct policy_env *env,
    const struct decision *d, size_t i, struct verdict *v)
{
	struct verdict_input *one;
	enum verdict_status st;

	if ((one = malloc(sizeof(*one))) == NULL)
		return VERDICT_NOMEM;
	*one = d->in;
	one->nauthors = 1;
	memcpy(one->authors[0], d->in.authors[i], DOMAIN_BUFSIZE);
	st = verdict_evaluate(env, one, v);
	free(one);
	if (st == VERDICT_OK && v->disposition == DISP_REJECT && !c->reject_failures)
		not_enforced(v);
	return st;
}

/*
 * write_history - one record per evaluated author domain that has a
 * DMARC record (every one with RecordAllMessages); none without an author
 * domain (no policy domain to report to), and none for a tempfailed
 * message (the MTA's retry is evaluated, and recorded, again).  A record the format refuses is
 * counted in d->history_lost with the reason for the log line.
 */
static void
write_history(const struct conf *c, const struct policy_env *env, const struct facts *f,
    struct decision *d)
{
	struct verdict other;
	const struct verdict *v;
	enum history_status st;
	size_t i;

	if (d->action == ACTION_TEMPFAIL)
		return;
	for (i = 0; i < d->in.nauthors && i < VERDICT_MAX_AUTHORS; i++) {
		verdict_init(&other);
		v = &d->verdict;
		if (strcmp(d->in.authors[i], d->verdict.header_from) != 0) {
			v = &other;
			if (author_verdict(c, env, d, i, &other) != VERDICT_OK) {
				d->history_lost++;
				d->history_why = history_status_name(HISTORY_NOMEM);
				verdict_free(&other);
				continue;
			}
		}
		if (v->record_found || c->record_all_messages) {
			if ((st = encode_record(f, d, v, v == &d->verdict)) == HISTORY_OK)
				d->nhistory++;
			else {
				d->history_lost++;
				d->history_why = history_status_name(st);
			}
		}
		verdict_free(&other);
	}
}

/* log_results - the SPF and DKIM part of the log line. */
static void
log_results(const struct facts *f, struct str *l)
{
	size_t i;

	for (i = 0; i < f->nspf; i++)
		(void)str_printf(l, " spf=%s(%s %s)", spf_result_name(f->spf[i].result),
		    spf_scope_name(f->spf[i].scope), f->spf[i].domain[0] ? f->spf[i].domain : "-");
	if (!f->dkim_done || f->dkim.n == 0)
		(void)str_appends(l, " dkim=none");
	for (i = 0; f->dkim_done && i < f->dkim.n; i++)
		(void)str_printf(l, " dkim=%s(d=%s s=%s%s%s)",
		    dkim_result_name(f->dkim.sig[i].result), f->dkim.sig[i].d,
		    f->dkim.sig[i].s, f->dkim.sig[i].reason[0] ? ": " : "",
		    f->dkim.sig[i].reason);
	if (f->arc != NULL)
		(void)str_printf(l, " arc=%s%s%s%s", arc_result_name(f->arc),
		    f->arc->reason[0] ? "(" : "", f->arc->reason, f->arc->reason[0] ? ")" : "");
}

/* write_log - the one log line of the message. */
static void
write_log(const struct facts *f, struct decision *d)
{
	const struct verdict *v = &d->verdict;
	struct str *l = &d->log;

	(void)str_printf(l, "ip=%s from=%s", f->ip[0] ? f->ip : "-",
	    v->header_from[0] ? v->header_from : "-");
	log_results(f, l);
	(void)str_printf(l, " dmarc=%s policy=%s disposition=%s action=%s",
	    dmarc_result_name(v->result),
	    v->policy != DMARC_POLICY_UNSET ? dmarc_policy_name(v->policy) : "-",
	    disposition_name(v->disposition), action_name(d->action));
	if (d->arc_override.applies)
		(void)str_printf(l, " override=trusted_forwarder(arc i=%u d=%s)",
		    d->arc_override.i, d->arc_override.sealer);
	if (d->rcode[0] != '\0')
		(void)str_printf(l, " reply=\"%s %s %s\"", d->rcode, d->xcode, str_cstr(&d->reply));
	if (f->nforged > 0)
		(void)str_printf(l, " removed_authres=%zu", f->nforged);
	if (d->history_lost > 0)
		(void)str_printf(l, " history_lost=%zu(%s)", d->history_lost, d->history_why);
	(void)str_printf(l, " why=\"%s\"", v->reason.len ? str_cstr(&v->reason) : "");
	clean_log(l);
}

/*
 * ignored_author - the first author domain when every one is listed in
 * IgnoreMailFrom, else NULL: one listed domain beside another is no pass
 * for the other (a p=reject author would otherwise go through unchecked,
 * with forged Authentication-Results kept).
 */
static const char *
ignored_author(const struct conf *c, const struct verdict_input *in)
{
	size_t i;

	for (i = 0; i < in->nauthors; i++)
		if (!conf_list_has(&c->ignore_mail_from, in->authors[i]))
			return NULL;
	return in->nauthors > 0 ? in->authors[0] : NULL;
}

/*
 * unusable_why - why the From field(s) of f name no usable author domain
 * set (for the reply, the log line and the A-R reason=).
 */
static const char *
unusable_why(const struct facts *f, const struct from_result *fr, char *buf, size_t size)
{
	if (f->from_lost)
		snprintf(buf, size, "a From field not kept whole (more than %d fields, "
		    "or over %d bytes)", FACTS_MAX_FROM, FACTS_FIELD_MAX);
	else if (fr->status == FROM_NONE)
		snprintf(buf, size, "no From field");
	else if (fr->overflow)
		snprintf(buf, size, "more than %d author domains in From", FROM_MAX_DOMAINS);
	else
		snprintf(buf, size, "unusable From field: %s%s%s", from_status_name(fr->status),
		    fr->reason[0] ? ", " : "", fr->reason);
	return buf;
}

/*
 * unusable_note - the From field was unusable: say why in the verdict's
 * reason (the log line), and when RejectUnusableFrom no found domains to
 * evaluate, say so in why (the A-R reason=) too.
 */
static void
unusable_note(struct decision *d, char *why, size_t size)
{
	size_t n = strlen(why);

	if (d->in.nauthors > 0)
		snprintf(why + n, size - n, "; evaluated as displayed: %zu domain%s in its text",
		    d->in.nauthors, d->in.nauthors == 1 ? "" : "s");
	(void)str_printf(&d->verdict.reason, "; %s", why);
}

/*
 * internal_error - DMARC could not be evaluated (out of memory):
 * InternalErrorAction; the forged Authentication-Results fields still go.
 */
static void
internal_error(const struct conf *c, const struct facts *f, struct decision *d)
{
	d->reason = REASON_INTERNAL_ERROR;
	if (c->internal_error_action == CONF_FAIL_TEMPFAIL) {
		d->action = ACTION_TEMPFAIL;
		set_reply(d, "451", "4.3.0", "temporary local problem, try again later");
	} else {
		d->action = ACTION_ACCEPT;
	}
	(void)str_printf(&d->log, "ip=%s internal error: out of memory evaluating DMARC, "
	    "action=%s", f->ip[0] ? f->ip : "-", action_name(d->action));
	clean_log(&d->log);
}

void
decide(struct runtime *rt, const struct facts *f, struct decision *d)
{
	const struct conf *c = rt->conf;
	struct authres_dkim_extra extra[VERDICT_MAX_DKIM];
	struct resolver_env_ctx ctx = { rt->resolver, resolver_now_ms() + c->dns_budget_ms };
	struct policy_env env = resolver_policy_env(&ctx);
	struct from_result fr;
	char why[256 + DOMAIN_BUFSIZE], err[256], detail[32 + DOMAIN_BUFSIZE];
	const char *dwhy = NULL, *ignored;
	struct authres_arc arc;
	bool usable;

	d->evaluated = true;
	d->arc = f->arc;
	memset(extra, 0, sizeof(extra));
	fill_input(rt, f, &d->in, extra, &fr, &usable);
	if ((ignored = ignored_author(c, &d->in)) != NULL) {
		snprintf(why, sizeof(why), "author domain %.253s%s in IgnoreMailFrom",
		    ignored, d->in.nauthors > 1 ? " and the others" : "");
		decision_skip(d, f, REASON_IGNORED_AUTHOR, why);
		return;
	}
	if (!usable)
		dwhy = unusable_why(f, &fr, why, sizeof(why));
	d->ndelete = f->nforged;		/* forged A-R go, whatever follows */
	d->delete_index = f->forged;
	if (verdict_evaluate(&env, &d->in, &d->verdict) != VERDICT_OK) {
		internal_error(c, f, d);
		return;
	}
	if (dwhy != NULL)
		unusable_note(d, why, sizeof(why));
	arc_trusted(c, f, d, &env);
	choose(c, f, &fr, dwhy, d);
	arc_authres(f, d, &arc, detail, sizeof(detail));
	if (authres_write_verdict_arc(&d->authres, c->authserv_id, &d->in, &d->verdict,
	    extra, dwhy, &arc, err, sizeof(err)) != AUTHRES_OK)
		str_reset(&d->authres);
	write_history(c, &env, f, d);
	write_log(f, d);
}
