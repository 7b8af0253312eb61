/*
 * message.h - one SMTP connection and its messages: collect the facts in
 * the order an MTA reports them, run SPF (at MAIL FROM) and DKIM (streamed),
 * then decide at the end of the message (decide.h).  The daemon's libmilter
 * callbacks and authmilter-check both drive this API, so the offline checker
 * runs exactly the daemon's evaluation.
 *
 *	message_new -> message_connect -> message_helo ->
 *	  { message_envfrom -> message_rcpt* -> message_header* ->
 *	    message_eoh -> message_body* -> message_eom -> message_reset }* ->
 *	message_free
 * message_reset ends a message (after eom or on abort) and keeps the
 * connection; calls out of order are tolerated (the MTA may skip steps).
 *
 * Thread-safety: one struct message belongs to one thread at a time (libmilter
 * serialises the callbacks of a connection).
 */
#ifndef AUTHMILTER_MESSAGE_H
#define AUTHMILTER_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decide.h"

struct runtime;
struct message;

/* message_new - a connection evaluated with rt (a reference is taken). */
struct message *message_new(struct runtime *rt);

/* message_free - release (NULL is fine), dropping the runtime reference. */
void message_free(struct message *m);

/* message_runtime - the runtime the connection uses. */
struct runtime *message_runtime(const struct message *m);

/* message_facts - what the current message's evaluation found (valid until message_reset). */
const struct facts *message_facts(const struct message *m);

/* message_connect - the client address as text ("" when unknown) and host name. */
void message_connect(struct message *m, const char *ip, const char *hostname);

/* message_helo - the HELO/EHLO argument. */
void message_helo(struct message *m, const char *helo);

/*
 * message_envfrom - MAIL FROM (with or without <>, "" or "<>" the null
 * sender); auth_user is the SASL login name or NULL.  Decides whether the
 * message is evaluated at all (IgnoreHosts, IgnoreAuthenticatedClients,
 * IgnoreMailFrom) and runs SPF for MAIL FROM and HELO.  Returns true when
 * the message is evaluated.
 */
bool message_envfrom(struct message *m, const char *mail_from, const char *auth_user);

/* message_rcpt - one RCPT TO address. */
void message_rcpt(struct message *m, const char *rcpt);

/*
 * message_header - one header field: name and value as the MTA gave them
 * (value with or without its leading space: leadspc says which; folds with
 * LF or CRLF).
 */
void message_header(struct message *m, const char *name, const char *value, bool leadspc);

/* message_eoh - end of the header section. */
void message_eoh(struct message *m);

/* message_body - a chunk of the body (CRLF line ends, as the MTA sends it). */
void message_body(struct message *m, const unsigned char *data, size_t len);

/*
 * message_eom - finish: DKIM, DMARC and the decision.  queue_id may be NULL;
 * now is seconds since the epoch (the daemon passes time(NULL)).  The
 * returned decision belongs to m and is valid until message_reset.
 */
const struct decision *message_eom(struct message *m, const char *queue_id, int64_t now);

/*
 * message_override - authmilter-check's what-if options: the SPF results
 * (when nspf > 0) and the DKIM outcome (when dkim is not NULL) replace what
 * the engines found, at message_eom, before deciding.  The daemon never
 * calls it.  Lasts until message_reset.
 */
void message_override(struct message *m, const struct spf_outcome *spf, size_t nspf,
    const struct dkim_outcome *dkim);

/*
 * message_failure_report - the base name of the failure report message_eom
 * wrote into FailureReportSpool/outgoing (NAME.eml, NAME.meta), or NULL.
 */
const char *message_failure_report(const struct message *m);

/* message_reset - forget the message, keep the connection. */
void message_reset(struct message *m);

#endif
