/*
 * decide.h - the one place that decides what happens to a message.
 *
 * Input: the facts message.c collected (struct facts: connection, envelope,
 * header facts, SPF, DKIM and ARC outcomes) and the configuration.  Output:
 * plain data (struct decision): the DMARC verdict, the action and SMTP
 * reply, the exact Authentication-Results value, which existing
 * Authentication-Results fields to delete, the quarantine, the history
 * line and the log line.  Nothing is applied here (apply.c does that, in a
 * fixed order, for the daemon; authmilter-check prints it).
 *
 * Thread-safety: reentrant; a facts/decision pair belongs to one thread.
 */
#ifndef AUTHMILTER_DECIDE_H
#define AUTHMILTER_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arc_override.h"
#include "arc_verify.h"
#include "dkim_verify.h"
#include "domain.h"
#include "history.h"
#include "spf.h"
#include "str.h"
#include "verdict.h"

struct runtime;

#define FACTS_MAX_FROM 16		/* From fields kept (more: counted) */
#define FACTS_FIELD_MAX (1024 * 1024)	/* bytes of one kept field value */
#define FACTS_MAX_AR 100000		/* Authentication-Results fields tracked */
#define FACTS_MAX_RCPT HISTORY_MAX_RCPT

/* RFC 5322 3.6 fields whose count RequiredHeaders checks. */
enum facts_counted {
	FH_FROM = 0, FH_DATE, FH_SENDER, FH_REPLY_TO, FH_TO, FH_CC, FH_BCC,
	FH_MESSAGE_ID, FH_IN_REPLY_TO, FH_REFERENCES, FH_SUBJECT, FH_NCOUNTED
};

struct facts {
	/* Connection. */
	char ip[HISTORY_IP_BUFSIZE];	/* "" when the MTA did not say */
	char helo[DOMAIN_BUFSIZE];
	/* Envelope. */
	bool have_envfrom;
	bool null_sender;
	char mail_from[DOMAIN_BUFSIZE + 256];	/* address without <> */
	char mail_from_domain[DOMAIN_BUFSIZE];	/* normalised, "" null or bad */
	size_t nrcpt;
	char rcpt_domain[FACTS_MAX_RCPT][DOMAIN_BUFSIZE];
	/* Header. */
	size_t nfrom;			/* From fields kept in from[] */
	struct str from[FACTS_MAX_FROM];
	unsigned count[FH_NCOUNTED];
	size_t nar;			/* Authentication-Results fields seen */
	size_t nforged;			/* of them claiming our authserv-id */
	unsigned *forged;		/* their 1-based indexes, malloc'd */
	struct str message_id;
	bool header_too_big;		/* a field was over FACTS_FIELD_MAX */
	bool from_lost;			/* a From field not kept whole: more than
					 * FACTS_MAX_FROM, or over FACTS_FIELD_MAX */
	/* Results. */
	size_t nspf;
	struct spf_outcome spf[2];	/* mfrom (or postmaster@helo), helo */
	bool dkim_done;
	struct dkim_outcome dkim;
	struct arc_outcome *arc;	/* malloc'd at eom when ARCVerify, else NULL;
					 * freed by facts_free */
	char queue_id[HISTORY_QID_BUFSIZE];
	int64_t now;			/* seconds since the epoch */
};

enum decision_action {
	ACTION_ACCEPT = 0,
	ACTION_QUARANTINE,
	ACTION_REJECT,
	ACTION_TEMPFAIL
};

/* What decided the action (the metrics' reason label; the log says more). */
enum decision_reason {
	REASON_DMARC = 0,		/* the DMARC result and its policy, overrides included */
	REASON_REQUIRED_HEADERS,	/* RequiredHeaders */
	REASON_UNUSABLE_FROM,		/* no usable author domain */
	REASON_MULTIPLE_FROM,		/* RejectMultiValueFrom */
	REASON_INTERNAL_ERROR,		/* InternalErrorAction */
	REASON_IGNORED_HOST,		/* skipped: IgnoreHosts */
	REASON_AUTHENTICATED,		/* skipped: IgnoreAuthenticatedClients */
	REASON_IGNORED_AUTHOR,		/* skipped: IgnoreMailFrom */
	REASON_NO_ENVELOPE		/* skipped: no MAIL FROM seen */
};

struct decision {
	bool evaluated;			/* false: skipped, nothing is changed */
	enum decision_reason reason;
	char skip_reason[384];
	enum decision_action action;
	char rcode[4];			/* "550", "451" for reject / tempfail */
	char xcode[16];			/* "5.7.1" ... (RejectText: up to "5.999.999") */
	struct str reply;		/* reply text (sanitised) */
	struct str authres;		/* our A-R value (no name, no newline) */
	size_t ndelete;			/* forged A-R fields to delete: */
	const unsigned *delete_index;	/* 1-based, ascending (points into facts) */
	bool hold;			/* smfi_quarantine (else header) */
	struct str quarantine_reason;
	struct str add_name, add_value;	/* quarantine header, when not holding */
	struct str history;		/* one record line ("\n" ended) per evaluated
					 * author domain recorded; "" for none */
	size_t nhistory;		/* record lines in history */
	size_t history_lost;		/* records the format refused (logged) */
	const char *history_why;	/* the last refusal's status name */
	struct str log;			/* the one log line */
	struct verdict verdict;
	struct verdict_input in;
	const struct arc_outcome *arc;	/* the ARC outcome (points into facts), NULL: not verified */
	struct arc_override_result arc_override;	/* applies: the trusted_forwarder override came from ARC */
};

/* decision_init / decision_free - an empty decision; release it (reusable). */
void decision_init(struct decision *d);
void decision_free(struct decision *d);

/*
 * decision_skip - a decision that changes nothing, for reason, with why;
 * its log line names f's client and MAIL FROM.
 */
void decision_skip(struct decision *d, const struct facts *f, enum decision_reason reason,
    const char *why);

/* facts_init / facts_free - empty facts; release them (reusable). */
void facts_init(struct facts *f);
void facts_free(struct facts *f);

/*
 * decide - fill d (initialised, empty) from f, evaluating DMARC through
 * rt's resolver with a deadline of rt's DNS budget.  Never fails: an
 * internal problem gives the InternalErrorAction with a reason.
 */
void decide(struct runtime *rt, const struct facts *f, struct decision *d);

/* action_name - "accept", "quarantine", "reject", "tempfail". */
const char *action_name(enum decision_action a);

#endif
