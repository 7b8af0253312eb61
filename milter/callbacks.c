/*
 * callbacks.c - libmilter callbacks; see callbacks.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>

#include "apply.h"
#include "callbacks.h"
#include "config.h"
#include "log.h"
#include "message.h"
#include "metrics.h"
#include "notify.h"
#include "runtime.h"

/* One SMTP connection. */
struct conn {
	struct message *m;
	bool leadspc;			/* SMFIP_HDR_LEADSPC negotiated */
	unsigned long pflags;		/* the negotiated protocol flags */
	char qid[HISTORY_QID_BUFSIZE];	/* the MTA's queue id, once known */
	bool in_message;		/* between an evaluated MAIL FROM and eom */
	bool skipping;			/* a skipped message followed to its end for the queue id */
	int64_t started_us;		/* MAIL FROM, on metrics_now_us (metrics on) */
};

static pthread_mutex_t current_mu = PTHREAD_MUTEX_INITIALIZER;
static struct runtime *current;

void
callbacks_set_runtime(struct runtime *rt)
{
	struct runtime *old;

	if (rt != NULL)
		runtime_ref(rt);
	pthread_mutex_lock(&current_mu);
	old = current;
	current = rt;
	pthread_mutex_unlock(&current_mu);
	runtime_unref(old);
}

struct runtime *
callbacks_get_runtime(void)
{
	struct runtime *rt;

	pthread_mutex_lock(&current_mu);
	rt = current != NULL ? runtime_ref(current) : NULL;
	pthread_mutex_unlock(&current_mu);
	return rt;
}

/*
 * The protocol steps answered with no reply (SMFIP_NR_*), when the MTA
 * offers them: the MTA then streams header fields and body chunks without
 * waiting for one round trip each.  None of these steps can change what
 * happens to a message here (the decision is taken at end of message).
 */
#define NR_STEPS (SMFIP_NR_HELO | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

/*
 * Between negotiation and connect (and after a failed connect) the private
 * pointer holds the negotiated protocol flags, tagged with the low bit:
 * (flags << 1) | 1.  A struct conn pointer never has that bit set.
 */
static void *
pflags_tag(unsigned long pflags)
{
	return (void *)(uintptr_t)((pflags << 1) | 1u);
}

/* conn_of - the connection of ctx, or NULL. */
static struct conn *
conn_of(SMFICTX *ctx)
{
	void *p = smfi_getpriv(ctx);

	return ((uintptr_t)p & 1u) ? NULL : p;
}

/* pflags_of - the protocol flags negotiated for ctx. */
static unsigned long
pflags_of(SMFICTX *ctx)
{
	void *p = smfi_getpriv(ctx);

	if ((uintptr_t)p & 1u)
		return (unsigned long)((uintptr_t)p >> 1);
	return p != NULL ? ((struct conn *)p)->pflags : 0;
}

/* go_on - continue after a step: no reply when the step was negotiated so. */
static sfsistat
go_on(SMFICTX *ctx, unsigned long nr_bit)
{
	return (pflags_of(ctx) & nr_bit) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* note_qid - remember the queue id macro when the MTA sends it. */
static void
note_qid(SMFICTX *ctx, struct conn *c)
{
	const char *q = smfi_getsymval(ctx, (char *)(uintptr_t)"i");

	if (q != NULL && q[0] != '\0')
		snprintf(c->qid, sizeof(c->qid), "%s", q);
}

/* addr_text - the client address as text, "" when not IPv4/IPv6. */
static void
addr_text(const struct sockaddr *sa, char *out, size_t size)
{
	out[0] = '\0';
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
		    (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
		    out, (socklen_t)size);
}

/*
 * warn_actions - the MTA does not let the filter add or change header
 * fields or quarantine: every message it evaluates then meets
 * InternalErrorAction.  Said once per process (an MTA's setting, not a
 * message's), with what is missing.
 */
static void
warn_actions(unsigned long offered)
{
	static int said;

	if (__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
		return;
	log_msg(LOG_WARNING, NULL, "the MTA does not offer the milter actions%s%s%s: "
	    "messages needing them meet InternalErrorAction (check the MTA's milter "
	    "settings, e.g. Sendmail's F= flags)",
	    (offered & SMFIF_ADDHDRS) ? "" : " add-header",
	    (offered & SMFIF_CHGHDRS) ? "" : " change-header",
	    (offered & SMFIF_QUARANTINE) ? "" : " quarantine");
}

/*
 * request_macros - ask for the macros read here at the steps they are read:
 * the queue id at MAIL FROM (Sendmail names it there, Postfix only when it
 * has one), end of header and end of message (Postfix names it from the
 * first RCPT on), and the SMTP AUTH login at MAIL FROM.  Both MTAs
 * send these by default; asking keeps them when a site trimmed its macro
 * lists.  SMFIF_SETSYMLIST when the lists could be set, else 0.
 */
static unsigned long
request_macros(SMFICTX *ctx)
{
	static const struct { int step; const char *macros; } want[] = {
		{ SMFIM_ENVFROM, "i {auth_authen}" }, { SMFIM_EOH, "i" }, { SMFIM_EOM, "i" }
	};
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (smfi_setsymlist(ctx, want[i].step, (char *)(uintptr_t)want[i].macros) != MI_SUCCESS)
			return 0;
	return SMFIF_SETSYMLIST;
}

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	/* f0: the actions the MTA offers; f1: its protocol steps; f2, f3: reserved */
	(void)f2;
	(void)f3;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
	if (f0 != 0 && *pf0 != (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE))
		warn_actions(f0);
	if (f0 & SMFIF_SETSYMLIST)
		*pf0 |= request_macros(ctx);
	*pf1 = f1 & (SMFIP_HDR_LEADSPC | SMFIP_NOUNKNOWN | SMFIP_NODATA | NR_STEPS);
	*pf2 = *pf3 = 0;
	/* read again at connect, through the private data */
	smfi_setpriv(ctx, pflags_tag(*pf1));
	return SMFIS_CONTINUE;
}

static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, struct sockaddr *sa)
{
	unsigned long pflags = pflags_of(ctx);
	struct runtime *rt = callbacks_get_runtime();
	struct conn *c = calloc(1, sizeof(*c));
	char ip[HISTORY_IP_BUFSIZE];

	if (rt == NULL || c == NULL || (c->m = message_new(rt)) == NULL) {
		runtime_unref(rt);
		free(c);
		smfi_setpriv(ctx, pflags_tag(pflags));	/* later steps still need them */
		log_msg(LOG_ERR, NULL, "out of memory at connect: tempfail");
		return SMFIS_TEMPFAIL;
	}
	c->pflags = pflags;
	c->leadspc = (pflags & SMFIP_HDR_LEADSPC) != 0;
	addr_text(sa, ip, sizeof(ip));
	message_connect(c->m, ip, hostname);
	runtime_unref(rt);
	smfi_setpriv(ctx, c);
	metrics_connection(1);
	return SMFIS_CONTINUE;
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helo)
{
	struct conn *c = conn_of(ctx);

	if (c != NULL)
		message_helo(c->m, helo);
	return go_on(ctx, SMFIP_NR_HELO);
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);
	const char *auth;
	const struct decision *d;

	if (c == NULL)
		return SMFIS_ACCEPT;
	c->skipping = false;
	c->qid[0] = '\0';
	c->started_us = metrics_enabled() ? metrics_now_us() : 0;
	note_qid(ctx, c);
	auth = smfi_getsymval(ctx, (char *)(uintptr_t)"{auth_authen}");
	if (message_envfrom(c->m, argv[0], auth)) {
		c->in_message = true;
		return SMFIS_CONTINUE;
	}
	if (c->qid[0] == '\0') {
		/* Not evaluated, but the queue id is not known yet (Postfix names
		 * it after the first RCPT): the skip is logged at the end of the
		 * message, with it; nothing of the message is looked at. */
		c->skipping = true;
		return SMFIS_CONTINUE;
	}
	d = message_eom(c->m, c->qid, (int64_t)time(NULL));
	log_msg(LOG_INFO, c->qid, "%s", str_cstr(&d->log));
	metrics_message(message_facts(c->m), d, -1, -1);
	message_reset(c->m);
	return SMFIS_ACCEPT;
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_of(ctx);

	if (c != NULL)
		message_rcpt(c->m, argv[0]);
	return go_on(ctx, SMFIP_NR_RCPT);
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = conn_of(ctx);

	if (c != NULL)
		message_header(c->m, name, value, c->leadspc);
	return go_on(ctx, SMFIP_NR_HDR);
}

static sfsistat
cb_eoh(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	if (c != NULL) {
		note_qid(ctx, c);
		message_eoh(c->m);
	}
	return go_on(ctx, SMFIP_NR_EOH);
}

static sfsistat
cb_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	struct conn *c = conn_of(ctx);

	if (c != NULL)
		message_body(c->m, data, len);
	return go_on(ctx, SMFIP_NR_BODY);
}

/*
 * write_history - the message's records, if any (one per author domain,
 * in one write); failures logged, never fatal.  The log is rate-limited by
 * count: the first failure, then each time the records lost pass a
 * multiple of 1000 (the counter says how many), and one line when writing
 * works again.
 */
static void
write_history(struct runtime *rt, const struct decision *d, const char *qid)
{
	enum runtime_history_status st;
	unsigned long n;
	int err;

	metrics_history(0, 0, d->history_lost);
	if (d->history.len == 0)
		return;
	st = runtime_history_write(rt, d->history.s, d->history.len, d->nhistory);
	err = errno;
	if (rt->history_wanted)
		metrics_history(st != RUNTIME_HISTORY_FAILED ? d->nhistory : 0,
		    st == RUNTIME_HISTORY_FAILED ? d->nhistory : 0, 0);
	n = __atomic_load_n(&rt->history_errors, __ATOMIC_RELAXED);
	if (st == RUNTIME_HISTORY_RESUMED)
		log_msg(LOG_NOTICE, qid, "HistoryFile %s written again (%lu records lost so far)",
		    rt->conf->history_file, n);
	else if (st == RUNTIME_HISTORY_FAILED &&
	    (n == d->nhistory || n / 1000 != (n - d->nhistory) / 1000))
		log_msg(LOG_ERR, qid, "cannot write HistoryFile %s: %s (%lu failures so far)",
		    rt->conf->history_file, strerror(err), n);
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);
	struct runtime *rt;
	const struct decision *d;
	struct apply_opts o;
	char err[128], sw[512];
	sfsistat rc;
	int64_t t0, t1;

	if (c == NULL)
		return SMFIS_ACCEPT;
	c->in_message = false;
	c->skipping = false;
	note_qid(ctx, c);
	t0 = metrics_enabled() ? metrics_now_us() : 0;
	rt = message_runtime(c->m);
	d = message_eom(c->m, c->qid, (int64_t)time(NULL));
	o.leadspc = c->leadspc;
	snprintf(sw, sizeof(sw), "%s %s on %s", PACKAGE_NAME, PACKAGE_VERSION, rt->conf->authserv_id);
	o.software = rt->conf->software_header ? sw : NULL;
	rc = apply_decision(ctx, d, &o, rt->conf->internal_error_action == CONF_FAIL_TEMPFAIL,
	    err, sizeof(err));
	write_history(rt, d, c->qid);
	log_msg(d->action == ACTION_ACCEPT ? LOG_INFO : LOG_NOTICE, c->qid, "%s",
	    str_cstr(&d->log));
	if (err[0] != '\0')
		log_msg(LOG_ERR, c->qid, "%s: message %s", err,
		    rc == SMFIS_TEMPFAIL ? "tempfailed (InternalErrorAction)" : "accepted unchanged");
	if (metrics_enabled()) {
		t1 = metrics_now_us();
		metrics_message(message_facts(c->m), d, t1 - t0, c->started_us ? t1 - c->started_us : -1);
		notify_tick((int64_t)time(NULL));
	}
	message_reset(c->m);
	return rc;
}

/*
 * dropped - a message left before its end: say so (the MTA decides its
 * fate); a skipped one gets its skip line now, with how it ended.
 */
static void
dropped(struct conn *c, const char *how)
{
	const struct decision *d;

	if (c->skipping) {
		c->skipping = false;
		d = message_eom(c->m, c->qid, (int64_t)time(NULL));
		log_msg(LOG_INFO, c->qid[0] ? c->qid : NULL, "%s unfinished=\"%s\"",
		    str_cstr(&d->log), how);
		metrics_message(message_facts(c->m), d, -1, -1);
		return;
	}
	if (!c->in_message)
		return;
	c->in_message = false;
	log_msg(LOG_INFO, c->qid[0] ? c->qid : NULL, "message not evaluated: %s", how);
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	if (c != NULL) {
		dropped(c, "aborted by the MTA or its connection lost before end of message");
		message_reset(c->m);
	}
	return SMFIS_CONTINUE;
}

static sfsistat
cb_close(SMFICTX *ctx)
{
	struct conn *c = conn_of(ctx);

	if (c != NULL) {
		dropped(c, "connection closed before end of message");
		message_free(c->m);
		free(c);
		metrics_connection(-1);
	}
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc desc = {
	.xxfi_name = (char *)(uintptr_t)PACKAGE_NAME,
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
	.xxfi_connect = cb_connect,
	.xxfi_helo = cb_helo,
	.xxfi_envfrom = cb_envfrom,
	.xxfi_envrcpt = cb_envrcpt,
	.xxfi_header = cb_header,
	.xxfi_eoh = cb_eoh,
	.xxfi_body = cb_body,
	.xxfi_eom = cb_eom,
	.xxfi_abort = cb_abort,
	.xxfi_close = cb_close,
	.xxfi_negotiate = cb_negotiate,
};

struct smfiDesc *
callbacks_desc(void)
{
	return &desc;
}
