/*
 * test_decide.c - unit tests for milter/decide.c, the one place that turns
 * the facts of a message into a decision.  Each row of the table is a
 * configuration (a few Key=value overrides on the built-in defaults, set
 * through the configuration table as authmilter-check --set does), the
 * facts message.c would have collected (client, envelope, From fields,
 * header field counts, SPF, DKIM and ARC outcomes, forged
 * Authentication-Results fields) and the decision wanted: evaluated or
 * skipped, the action, the SMTP reply, hold or quarantine header, pieces of
 * the Authentication-Results value and of the log line, and whether a
 * history record is written (only empty or not: its text is the history
 * encoder's, tested in test_history.c).  DNS comes from a zone file written
 * by the test and loaded by the resolver's zone-file mode (DNSZoneFile, as
 * authmilter-check --dns and tests/golden use), where a TIMEOUT name fails
 * at once like a DNS timeout.
 *
 * The rows follow decide.c's documented rule order:
 *   0. IgnoreMailFrom: an author domain listed there skips the message;
 *   1. RequiredHeaders; 2. RejectUnusableFrom; 3. RejectMultiValueFrom;
 *   4. a DNS temporary failure (DNSFailAction, when RejectFailures);
 *   5. the DMARC disposition (RejectFailures and RejectText, quarantine by
 *      HoldQuarantinedMessages or QuarantineHeader, t=y, HonorPct), after
 *      the trusted_forwarder override from ARC (ARCTrustedSealers);
 * then the outputs of every evaluated message (forged A-R fields to
 * delete, the history record and RecordAllMessages).
 *
 * Not here, because decide() never sees them:
 *   - IgnoreHosts and IgnoreAuthenticatedClients act in message.c at MAIL
 *     FROM (skip_why), before any fact is collected: message_eom then
 *     calls decision_skip, never decide();
 *   - TrustedAuthservIDs acts in message.c as well (note_authres decides
 *     which Authentication-Results fields are forged); decide() only
 *     receives their count and indexes (facts.nforged, .forged), which the
 *     rows give directly;
 *   - ARCVerify builds (or not) the ARC engine; message.c then hands
 *     decide() an ARC outcome (chain none when the message has no ARC
 *     set) or none at all.  build_facts does the same from the row's
 *     configuration, so ARCVerify no rows see no outcome;
 *   - InternalErrorAction: decide() uses it only when verdict_evaluate runs
 *     out of memory, which a table cannot cause.
 *
 * DECIDE_TEST_DUMP=1 in the environment prints every decision as TAP
 * diagnostics (for writing new rows).  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "decide.h"
#include "runtime.h"
#include "tap.h"
#include "testfile.h"

#define MAX_SET 6		/* Key=value overrides of a row */
#define MAX_FROM 4		/* From field values of a row */
#define MAX_SUB 3		/* wanted substrings of the A-R and of the log */
#define NOW 1795400000		/* the history record's time */
#define AUTHSERV "mx.test.example"
#define SEALER "lists.example.net"

/* The DNS of every row: one domain per kind of policy. */
static const char zone[] =
    "_dmarc.reject.example.     TXT \"v=DMARC1; p=reject\"\n"
    "reject.example.            A   192.0.2.20\n"
    "_dmarc.quar.example.       TXT \"v=DMARC1; p=quarantine\"\n"
    "quar.example.              A   192.0.2.21\n"
    "_dmarc.none.example.       TXT \"v=DMARC1; p=none\"\n"
    "none.example.              A   192.0.2.22\n"
    "_dmarc.pct0.example.       TXT \"v=DMARC1; p=reject; pct=0\"\n"
    "pct0.example.              A   192.0.2.23\n"
    "_dmarc.testing.example.    TXT \"v=DMARC1; p=reject; t=y\"\n"
    "testing.example.           A   192.0.2.24\n"
    "_dmarc.ignored.example.    TXT \"v=DMARC1; p=reject\"\n"
    "ignored.example.           A   192.0.2.25\n"
    "norecord.example.          A   192.0.2.26\n"
    "_dmarc.slow.example.       TIMEOUT\n"
    "slow.example.              A   192.0.2.27\n";

/* An ARC outcome as message.c would hand it over (one instance at most). */
struct arc_spec {
	const char *chain;		/* "pass", "fail"; NULL: none (no ARC set) */
	const char *sealer;		/* ARC-Seal d= of instance 1; NULL: no instance */
	const char *aar;		/* its ARC-Authentication-Results after "i=1;" */
};

struct fact_spec {
	const char *ip;			/* NULL: 192.0.2.1 */
	const char *mail_from;		/* NULL: bounce@relay.example; "": null sender */
	const char *from[MAX_FROM];	/* From field values (their count is FH_FROM's) */
	const char *counts;		/* "Date=0 Subject=2": other counts (Date is 1) */
	bool from_lost;			/* a From field was not kept whole */
	const char *spf[2];		/* "RESULT:SCOPE:DOMAIN" */
	const char *dkim[3];		/* "RESULT:DOMAIN:SELECTOR" */
	unsigned nforged;		/* forged A-R fields (indexes 1..n) */
	struct arc_spec arc;
};

enum want_q { Q_NO = 0, Q_HOLD, Q_HEADER };
enum want_h { H_EMPTY = 0, H_SOME, H_ANY };

struct want {
	bool evaluated;
	const char *skip;		/* substring of skip_reason when skipped */
	enum decision_action action;
	const char *rcode, *xcode;	/* NULL: none */
	const char *reply;		/* substring of the reply text */
	enum want_q q;
	const char *header;		/* "Name: value" of the quarantine header */
	const char *ar[MAX_SUB];	/* substrings of the A-R value (NULL: none; all
					 * NULL on an evaluated row: any non-empty) */
	const char *log[MAX_SUB];	/* substrings of the log line */
	const char *absent;		/* in neither the A-R value nor the log line */
	enum want_h history;
	const char *todo;		/* a known bug: tap_todo with this reason */
};

struct row {
	const char *name;
	const char *set[MAX_SET];	/* "Key=value" */
	struct fact_spec f;
	struct want w;
};

/* Shorthands for the rows. */
#define SPF_FAIL "fail:mfrom:evil.example"
#define ACC ACTION_ACCEPT
#define QUA ACTION_QUARANTINE
#define REJ ACTION_REJECT
#define TMP ACTION_TEMPFAIL
#define DMARC_REPLY "rejected by DMARC policy for"
#define AAR_PASS(d) SEALER "; dmarc=pass header.from=" d
#define NINE_DOMAINS "a@d1.example, a@d2.example, a@d3.example, a@d4.example, " \
	"a@d5.example, a@d6.example, a@d7.example, a@d8.example, a@d9.example"

static const struct row rows[] = {
	/* ---- 0. IgnoreMailFrom: before every other rule. */
	{ "IgnoreMailFrom: listed author domain is skipped", { "IgnoreMailFrom=ignored.example" },
	  { .from = { "a@ignored.example" }, .spf = { SPF_FAIL }, .nforged = 1 },
	  { .evaluated = false, .skip = "author domain ignored.example in IgnoreMailFrom",
	    .action = ACC, .log = { "action=accept skipped=\"author domain ignored.example" }, .history = H_EMPTY } },
	{ "IgnoreMailFrom unset: same message is rejected", { NULL },
	  { .from = { "a@ignored.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = DMARC_REPLY " ignored.example", .ar = { "dmarc=fail" }, .history = H_SOME } },
	{ "IgnoreMailFrom: a subdomain of a listed domain is evaluated",
	  { "IgnoreMailFrom=example" },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = DMARC_REPLY " reject.example", .history = H_SOME } },
	{ "IgnoreMailFrom before RequiredHeaders",
	  { "IgnoreMailFrom=ignored.example", "RequiredHeaders=yes" },
	  { .from = { "a@ignored.example" }, .counts = "Date=0", .spf = { SPF_FAIL } },
	  { .evaluated = false, .skip = "IgnoreMailFrom", .action = ACC, .history = H_EMPTY } },
	/* One listed author beside another is no pass for the other: the
	 * message is evaluated (p=reject of reject.example rejects it). */
	{ "IgnoreMailFrom: one listed author of two does not skip the message",
	  { "IgnoreMailFrom=ignored.example" },
	  { .from = { "a@reject.example, b@ignored.example" }, .spf = { SPF_FAIL }, .nforged = 1 },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = DMARC_REPLY " reject.example", .history = H_SOME } },
	{ "IgnoreMailFrom: every author listed skips the message",
	  { "IgnoreMailFrom=ignored.example, reject.example" },
	  { .from = { "a@reject.example, b@ignored.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = false, .skip = "author domain reject.example and the others in IgnoreMailFrom",
	    .action = ACC, .history = H_EMPTY } },
	{ "IgnoreMailFrom matches a domain recovered with RejectUnusableFrom no",
	  { "IgnoreMailFrom=ignored.example", "RejectUnusableFrom=no" },
	  { .from = { "Billing <billing@ignored.example>>" }, .spf = { SPF_FAIL } },
	  { .evaluated = false, .skip = "ignored.example in IgnoreMailFrom", .action = ACC,
	    .history = H_EMPTY } },
	{ "IgnoreMailFrom does not see an unusable From (RejectUnusableFrom yes)",
	  { "IgnoreMailFrom=ignored.example" },
	  { .from = { "Billing <billing@ignored.example>>" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "message not RFC 5322 compliant: unusable From field", .history = H_EMPTY } },

	/* ---- 1. RequiredHeaders. */
	{ "RequiredHeaders no: no Date field is fine", { NULL },
	  { .from = { "a@none.example" }, .counts = "Date=0", .spf = { "pass:mfrom:none.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=pass" }, .history = H_SOME } },
	{ "RequiredHeaders: no Date field", { "RequiredHeaders=yes" },
	  { .from = { "a@none.example" }, .counts = "Date=0", .spf = { "pass:mfrom:none.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "no Date field", .ar = { "dmarc=pass" },
	    .log = { "action=reject", "reply=\"550 5.7.1 no Date field\"" }, .history = H_SOME } },
	{ "RequiredHeaders: two Date fields", { "RequiredHeaders=yes" },
	  { .from = { "a@none.example" }, .counts = "Date=2", .spf = { "pass:mfrom:none.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "more than one Date field", .history = H_SOME } },
	{ "RequiredHeaders: two From fields", { "RequiredHeaders=yes" },
	  { .from = { "a@none.example", "b@none.example" }, .spf = { "pass:mfrom:none.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "more than one From field", .history = H_ANY } },
	{ "RequiredHeaders: two Subject fields", { "RequiredHeaders=yes" },
	  { .from = { "a@none.example" }, .counts = "Subject=2", .spf = { "pass:mfrom:none.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "more than one Subject field", .history = H_SOME } },
	{ "RequiredHeaders: two To fields", { "RequiredHeaders=yes" },
	  { .from = { "a@none.example" }, .counts = "To=2", .spf = { "pass:mfrom:none.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "more than one To field", .history = H_SOME } },
	{ "RequiredHeaders: one of each counted field is fine", { "RequiredHeaders=yes" },
	  { .from = { "a@none.example" }, .spf = { "pass:mfrom:none.example" },
	    .counts = "Sender=1 Reply-To=1 To=1 Cc=1 Bcc=1 Message-ID=1 In-Reply-To=1 "
	    "References=1 Subject=1" },
	  { .evaluated = true, .action = ACC, .history = H_SOME } },
	{ "RequiredHeaders before the DMARC reject", { "RequiredHeaders=yes" },
	  { .from = { "a@reject.example" }, .counts = "Date=0", .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "no Date field", .ar = { "dmarc=fail" }, .absent = DMARC_REPLY,
	    .history = H_SOME } },
	{ "RequiredHeaders before RejectUnusableFrom (no From field)", { "RequiredHeaders=yes" },
	  { .from = { NULL }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "no From field", .absent = "RFC 5322 compliant", .history = H_EMPTY } },
	{ "RequiredHeaders before the DNS temporary failure", { "RequiredHeaders=yes" },
	  { .from = { "a@slow.example" }, .counts = "Date=0", .spf = { "pass:mfrom:slow.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "no Date field", .ar = { "dmarc=temperror" }, .history = H_EMPTY } },

	/* ---- 2. RejectUnusableFrom. */
	{ "RejectUnusableFrom: no From field", { NULL },
	  { .from = { NULL }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "message not RFC 5322 compliant: no From field", .history = H_EMPTY } },
	{ "RejectUnusableFrom: group without addresses", { NULL },
	  { .from = { "undisclosed-recipients:;" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "message not RFC 5322 compliant: unusable From field",
	    .ar = { "reason=" }, .history = H_EMPTY } },
	{ "RejectUnusableFrom: unparseable, even when the domain would pass", { NULL },
	  { .from = { "Billing <billing@none.example>>" }, .spf = { "pass:mfrom:none.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "message not RFC 5322 compliant: unusable From field", .history = H_EMPTY } },
	{ "RejectUnusableFrom no: the displayed domain is evaluated (reject)",
	  { "RejectUnusableFrom=no" },
	  { .from = { "Billing <billing@reject.example>>" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = DMARC_REPLY " reject.example",
	    .ar = { "dmarc=fail", "evaluated as displayed: 1 domain", "header.from=reject.example" },
	    .log = { "unusable From field" }, .history = H_SOME } },
	{ "RejectUnusableFrom no: the displayed domain passes", { "RejectUnusableFrom=no" },
	  { .from = { "Billing <billing@reject.example>>" },
	    .spf = { "pass:mfrom:reject.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=pass", "evaluated as displayed" },
	    .history = H_SOME } },
	{ "RejectUnusableFrom no: nothing recovered is accepted, dmarc=none",
	  { "RejectUnusableFrom=no" },
	  { .from = { "undisclosed-recipients:;" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=none", "reason=" },
	    .history = H_EMPTY } },
	{ "RejectUnusableFrom no: a From not kept whole is rejected all the same",
	  { "RejectUnusableFrom=no" },
	  { .from = { "a@none.example" }, .from_lost = true, .spf = { "pass:mfrom:none.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "a From field not kept whole", .history = H_ANY } },
	{ "RejectUnusableFrom no: more than 8 author domains are rejected all the same",
	  { "RejectUnusableFrom=no" },
	  { .from = { NINE_DOMAINS },
	    .spf = { "pass:mfrom:d1.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "more than 8 author domains in From", .history = H_ANY } },
	{ "RejectUnusableFrom before RejectMultiValueFrom (9 domains)",
	  { "RejectMultiValueFrom=yes" },
	  { .from = { NINE_DOMAINS }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "more than 8 author domains", .absent = "RejectMultiValueFrom",
	    .history = H_ANY } },
	{ "RejectUnusableFrom before RejectMultiValueFrom (From not kept whole)",
	  { "RejectMultiValueFrom=yes" },
	  { .from = { "a@none.example", "b@quar.example" }, .from_lost = true,
	    .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "a From field not kept whole", .absent = "RejectMultiValueFrom",
	    .history = H_ANY } },
	{ "RejectUnusableFrom before the DNS temporary failure", { "RejectUnusableFrom=no" },
	  { .from = { "a@slow.example" }, .from_lost = true, .spf = { "pass:mfrom:slow.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "a From field not kept whole", .ar = { "dmarc=temperror" },
	    .history = H_EMPTY } },

	/* ---- 3. RejectMultiValueFrom. */
	{ "RejectMultiValueFrom no: the strictest author domain wins", { NULL },
	  { .from = { "a@none.example, b@quar.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = QUA, .q = Q_HEADER,
	    .header = "X-Authmilter-Quarantine: yes", .ar = { "dmarc=fail" }, .history = H_SOME } },
	{ "RejectMultiValueFrom: several author domains", { "RejectMultiValueFrom=yes" },
	  { .from = { "a@none.example, b@quar.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "several author domains in From (RejectMultiValueFrom)", .history = H_SOME } },
	{ "RejectMultiValueFrom: two From fields count too", { "RejectMultiValueFrom=yes" },
	  { .from = { "a@none.example", "b@quar.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "several author domains", .history = H_ANY } },
	{ "RejectMultiValueFrom: two addresses of one domain are evaluated",
	  { "RejectMultiValueFrom=yes" },
	  { .from = { "a@none.example, b@none.example" }, .spf = { "pass:mfrom:none.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=pass" }, .history = H_SOME } },
	{ "RejectMultiValueFrom before the DNS temporary failure", { "RejectMultiValueFrom=yes" },
	  { .from = { "a@slow.example, b@none.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "several author domains", .history = H_ANY } },

	/* ---- 4. A DNS temporary failure. */
	{ "DNS temporary failure: DNSFailAction tempfail (default)", { NULL },
	  { .from = { "a@slow.example" }, .spf = { "pass:mfrom:slow.example" } },
	  { .evaluated = true, .action = TMP, .rcode = "451", .xcode = "4.7.1",
	    .reply = "temporary DNS failure evaluating DMARC",
	    .ar = { "dmarc=temperror header.from=slow.example" },
	    .log = { "dmarc=temperror", "action=tempfail" }, .history = H_EMPTY } },
	{ "DNS temporary failure: DNSFailAction accept", { "DNSFailAction=accept" },
	  { .from = { "a@slow.example" }, .spf = { "pass:mfrom:slow.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=temperror" },
	    .log = { "action=accept" }, .absent = "reply=", .history = H_EMPTY } },
	{ "DNS temporary failure: RejectFailures no accepts", { "RejectFailures=no" },
	  { .from = { "a@slow.example" }, .spf = { "pass:mfrom:slow.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=temperror" }, .history = H_EMPTY } },
	{ "DNS temporary failure: RecordAllMessages writes a record", { "RecordAllMessages=yes",
	  "DNSFailAction=accept" },
	  { .from = { "a@slow.example" }, .spf = { "pass:mfrom:slow.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=temperror" }, .history = H_SOME } },
	/* A tempfailed message writes no history record, whatever
	 * RecordAllMessages says: the MTA's retry is recorded. */
	{ "DNS temporary failure: tempfail with RecordAllMessages", { "RecordAllMessages=yes" },
	  { .from = { "a@slow.example" }, .spf = { "pass:mfrom:slow.example" } },
	  { .evaluated = true, .action = TMP, .rcode = "451", .history = H_EMPTY } },
	/* An aligned identifier's temporary failure leaves DMARC open too (verdict.c). */
	{ "SPF temperror of the author domain, p=reject: tempfail", { NULL },
	  { .from = { "a@reject.example" }, .spf = { "temperror:mfrom:reject.example" } },
	  { .evaluated = true, .action = TMP, .rcode = "451", .xcode = "4.7.1",
	    .ar = { "dmarc=temperror" }, .history = H_EMPTY } },
	{ "SPF temperror of the author domain, p=reject, DNSFailAction accept",
	  { "DNSFailAction=accept" },
	  { .from = { "a@reject.example" }, .spf = { "temperror:mfrom:reject.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=temperror" }, .history = H_ANY } },
	{ "SPF temperror of the author domain, p=none: a plain fail", { NULL },
	  { .from = { "a@none.example" }, .spf = { "temperror:mfrom:none.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=fail" }, .history = H_SOME } },
	/* (no record for none.example either: the message is tempfailed.) */
	{ "DNS temporary failure of the first of two authors, the other p=none", { NULL },
	  { .from = { "a@slow.example, b@none.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = TMP, .rcode = "451", .xcode = "4.7.1",
	    .ar = { "dmarc=temperror" }, .history = H_EMPTY } },
	/* The same authors the other way round: on a tie the verdict keeps the
	 * temporary failure, whatever the order (it once kept the first,
	 * none.example's fail, and slow.example's failure was lost). */
	{ "DNS temporary failure of the second of two authors, the first p=none", { NULL },
	  { .from = { "b@none.example, a@slow.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = TMP, .rcode = "451", .xcode = "4.7.1",
	    .ar = { "dmarc=temperror" }, .history = H_EMPTY } },
	{ "DNS temporary failure of one author, the other p=reject", { NULL },
	  { .from = { "a@slow.example, b@reject.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = DMARC_REPLY " reject.example", .history = H_ANY } },
	{ "DNS temporary failure of one author, the other passes", { NULL },
	  { .from = { "a@none.example, b@slow.example" }, .spf = { "pass:mfrom:none.example" } },
	  { .evaluated = true, .action = TMP, .rcode = "451", .xcode = "4.7.1",
	    .history = H_EMPTY } },

	/* ---- 5. The DMARC disposition: reject. */
	{ "p=reject, aligned SPF pass", { NULL },
	  { .from = { "a@reject.example" }, .spf = { "pass:mfrom:reject.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=pass", "header.from=reject.example" },
	    .log = { "dmarc=pass", "action=accept" }, .absent = "reply=", .history = H_SOME } },
	{ "p=reject, aligned DKIM pass", { NULL },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL },
	    .dkim = { "pass:mail.reject.example:s1" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=pass", "header.d=mail.reject.example" },
	    .history = H_SOME } },
	{ "p=reject, failing DKIM of the author domain", { NULL },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL },
	    .dkim = { "fail:reject.example:s1" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = DMARC_REPLY " reject.example", .history = H_SOME } },
	{ "p=reject, nothing aligned: RejectFailures yes (default)", { NULL },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL, "pass:helo:reject.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = DMARC_REPLY " reject.example",
	    .ar = { "dmarc=fail", "policy.dmarc=reject" },
	    .log = { "dmarc=fail", "disposition=reject", "action=reject" }, .history = H_SOME } },
	{ "p=reject: RejectFailures no only reports", { "RejectFailures=no" },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=fail" },
	    .log = { "reject not enforced (RejectFailures no)", "action=accept" },
	    .absent = "reply=", .history = H_SOME } },
	{ "p=reject: RejectText with another code and the variables",
	  { "RejectText=5.7.26 DMARC ${policy} for ${domain}" },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.26",
	    .reply = "DMARC reject for reject.example", .history = H_SOME } },
	{ "p=reject: RejectText ${reason}", { "RejectText=5.7.1 no: ${reason}" },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "no: dmarc=fail (p=reject, domain reject.example)", .history = H_SOME } },
	{ "p=reject: RejectText does not change other rejections",
	  { "RejectText=5.7.26 DMARC ${policy} for ${domain}", "RequiredHeaders=yes" },
	  { .from = { "a@reject.example" }, .counts = "Date=0", .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = "no Date field", .history = H_SOME } },
	/* RejectText accepts 5.X.Y with 1 to 3 digits each (conf_check.c):
	 * decision.xcode holds them whole (it once cut "5.100.100" to "5.100.1"). */
	{ "p=reject: RejectText with a 9-character enhanced code", { "RejectText=5.100.100 DMARC" },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.100.100",
	    .reply = "DMARC", .history = H_SOME } },

	/* ---- 5. quarantine. */
	{ "p=quarantine: QuarantineHeader (default)", { NULL },
	  { .from = { "a@quar.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = QUA, .q = Q_HEADER,
	    .header = "X-Authmilter-Quarantine: yes",
	    .ar = { "dmarc=fail", "policy.dmarc=quarantine" },
	    .log = { "action=quarantine" }, .absent = "reply=", .history = H_SOME } },
	{ "p=quarantine: QuarantineHeader set", { "QuarantineHeader=X-Spam-Flag:  DMARC quarantine" },
	  { .from = { "a@quar.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = QUA, .q = Q_HEADER,
	    .header = "X-Spam-Flag: DMARC quarantine", .history = H_SOME } },
	{ "p=quarantine: HoldQuarantinedMessages", { "HoldQuarantinedMessages=yes" },
	  { .from = { "a@quar.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = QUA, .q = Q_HOLD, .history = H_SOME } },
	{ "p=quarantine: RejectFailures no still quarantines", { "RejectFailures=no" },
	  { .from = { "a@quar.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = QUA, .q = Q_HEADER,
	    .header = "X-Authmilter-Quarantine: yes", .history = H_SOME } },
	{ "p=quarantine, aligned pass", { "HoldQuarantinedMessages=yes" },
	  { .from = { "a@quar.example" }, .spf = { "pass:mfrom:bounce.quar.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=pass" }, .history = H_SOME } },

	/* ---- 5. p=none, t=y, pct (HonorPct). */
	{ "p=none: a failure is accepted and recorded", { NULL },
	  { .from = { "a@none.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=fail" },
	    .log = { "policy=none", "action=accept" }, .history = H_SOME } },
	{ "t=y: reject lowered to quarantine", { NULL },
	  { .from = { "a@testing.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = QUA, .q = Q_HEADER,
	    .header = "X-Authmilter-Quarantine: yes", .log = { "t=y: reject lowered to quarantine" },
	    .history = H_SOME } },
	{ "t=y with HoldQuarantinedMessages: held", { "HoldQuarantinedMessages=yes" },
	  { .from = { "a@testing.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = QUA, .q = Q_HOLD, .history = H_SOME } },
	{ "pct=0, HonorPct no (default): rejected", { NULL },
	  { .from = { "a@pct0.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = DMARC_REPLY " pct0.example", .absent = "sampled out", .history = H_SOME } },
	{ "pct=0, HonorPct yes: always sampled out to quarantine", { "HonorPct=yes" },
	  { .from = { "a@pct0.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = QUA, .q = Q_HEADER,
	    .header = "X-Authmilter-Quarantine: yes", .log = { "sampled out (pct=0" },
	    .history = H_SOME } },
	{ "pct=0, HonorPct yes, HoldQuarantinedMessages: held",
	  { "HonorPct=yes", "HoldQuarantinedMessages=yes" },
	  { .from = { "a@pct0.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = QUA, .q = Q_HOLD, .history = H_SOME } },

	/* ---- 5. no DMARC record: RecordAllMessages. */
	{ "no record: accepted, no history (RecordAllMessages no)", { NULL },
	  { .from = { "a@norecord.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=none" }, .log = { "dmarc=none" },
	    .history = H_EMPTY } },
	{ "no record: RecordAllMessages yes writes a record", { "RecordAllMessages=yes" },
	  { .from = { "a@norecord.example" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=none" }, .history = H_SOME } },
	{ "RecordAllMessages yes: still nothing without an author domain",
	  { "RecordAllMessages=yes", "RejectUnusableFrom=no" },
	  { .from = { "undisclosed-recipients:;" }, .spf = { SPF_FAIL } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=none" }, .history = H_EMPTY } },

	/* ---- SPF of a null sender: postmaster@HELO is the MAIL FROM identity. */
	{ "null sender: the HELO identity's SPF pass aligns", { NULL },
	  { .mail_from = "", .from = { "a@reject.example" },
	    .spf = { "pass:helo:mx.reject.example" } },
	  { .evaluated = true, .action = ACC, .ar = { "dmarc=pass" }, .history = H_SOME } },
	{ "non-null sender: a HELO SPF pass does not count", { NULL },
	  { .from = { "a@reject.example" }, .spf = { "none:mfrom:relay.example",
	    "pass:helo:mx.reject.example" } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .reply = DMARC_REPLY " reject.example", .history = H_SOME } },

	/* ---- Forged Authentication-Results fields (TrustedAuthservIDs: message.c). */
	{ "forged A-R fields are deleted and counted", { NULL },
	  { .from = { "a@none.example" }, .spf = { "pass:mfrom:none.example" }, .nforged = 2 },
	  { .evaluated = true, .action = ACC, .log = { "removed_authres=2" }, .history = H_SOME } },
	{ "forged A-R fields on a reject are counted", { NULL },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL }, .nforged = 1 },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .log = { "removed_authres=1" }, .history = H_SOME } },

	/* ---- The trusted_forwarder override (ARCVerify, ARCTrustedSealers). */
	{ "ARC: trusted sealer's dmarc=pass overrides the reject",
	  { "ARCTrustedSealers=" SEALER },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL },
	    .arc = { "pass", SEALER, AAR_PASS("reject.example") } },
	  { .evaluated = true, .action = ACC, .ar = { "arc=pass", "dmarc=fail" },
	    .log = { "override=trusted_forwarder(arc i=1 d=" SEALER ")", "action=accept" },
	    .absent = "reply=", .history = H_SOME } },
	{ "ARC: trusted sealer overrides the quarantine", { "ARCTrustedSealers=" SEALER },
	  { .from = { "a@quar.example" }, .spf = { SPF_FAIL },
	    .arc = { "pass", SEALER, AAR_PASS("quar.example") } },
	  { .evaluated = true, .action = ACC, .log = { "override=trusted_forwarder" },
	    .history = H_SOME } },
	{ "ARC: no trusted sealers (default): rejected", { NULL },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL },
	    .arc = { "pass", SEALER, AAR_PASS("reject.example") } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .xcode = "5.7.1",
	    .ar = { "arc=pass" }, .absent = "override=", .history = H_SOME } },
	{ "ARC: an untrusted sealer: rejected", { "ARCTrustedSealers=other.example" },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL },
	    .arc = { "pass", SEALER, AAR_PASS("reject.example") } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .absent = "override=",
	    .history = H_SOME } },
	{ "ARC: a failed chain: rejected", { "ARCTrustedSealers=" SEALER },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL },
	    .arc = { "fail", SEALER, AAR_PASS("reject.example") } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .ar = { "arc=fail" },
	    .absent = "override=", .history = H_SOME } },
	{ "ARC: the AAR vouches for another domain: rejected", { "ARCTrustedSealers=" SEALER },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL },
	    .arc = { "pass", SEALER, AAR_PASS("other.example") } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .absent = "override=",
	    .history = H_SOME } },
	{ "ARC: ARCVerify no, no outcome: rejected",
	  { "ARCVerify=no", "ARCTrustedSealers=" SEALER },
	  { .from = { "a@reject.example" }, .spf = { SPF_FAIL },
	    .arc = { "pass", SEALER, AAR_PASS("reject.example") } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .absent = " arc=",
	    .history = H_SOME } },
	{ "ARC: no override with several author domains", { "ARCTrustedSealers=" SEALER },
	  { .from = { "a@reject.example, b@none.example" }, .spf = { SPF_FAIL },
	    .arc = { "pass", SEALER, AAR_PASS("reject.example") } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .absent = "override=",
	    .history = H_ANY } },
	{ "ARC: the override does not lift RequiredHeaders",
	  { "ARCTrustedSealers=" SEALER, "RequiredHeaders=yes" },
	  { .from = { "a@reject.example" }, .counts = "Date=0", .spf = { SPF_FAIL },
	    .arc = { "pass", SEALER, AAR_PASS("reject.example") } },
	  { .evaluated = true, .action = REJ, .rcode = "550", .reply = "no Date field",
	    .history = H_SOME } },
};

/* ---------------------------------------------------------------- setup */

/* write_zone - the zone file into dir; its path in path. */
static int
write_zone(const char *dir, char *path, size_t size)
{
	FILE *fp;

	snprintf(path, size, "%s/decide.zone", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return -1;
	fputs(zone, fp);
	return fclose(fp) == 0 ? 0 : -1;
}

/* set_key - one "Key=value" through the configuration table. */
static int
set_key(struct conf *c, const char *kv, char *err, size_t errsize)
{
	char key[64];
	const char *eq = strchr(kv, '=');

	if (eq == NULL || (size_t)(eq - kv) >= sizeof(key)) {
		snprintf(err, errsize, "bad override '%s'", kv);
		return -1;
	}
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	return conf_set(c, key, eq + 1, err, errsize);
}

/* build_runtime - defaults, the test's DNS and AuthservID, then the row's keys. */
static struct runtime *
build_runtime(const char *zonefile, const char *const *set, char *err, size_t errsize)
{
	struct conf *c = conf_defaults();
	struct runtime *rt = NULL;
	size_t i;

	if (c == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if (conf_set(c, "DNSZoneFile", zonefile, err, errsize) == 0 &&
	    conf_set(c, "AuthservID", AUTHSERV, err, errsize) == 0) {
		for (i = 0; i < MAX_SET && set[i] != NULL; i++)
			if (set_key(c, set[i], err, errsize) != 0)
				break;
		if (i == MAX_SET || set[i] == NULL)
			rt = runtime_new(c, NULL, err, errsize);
	}
	conf_unref(c);
	return rt;
}

/* ---------------------------------------------------------------- facts */

/* Header field names of the counts a row may give. */
static const struct { const char *name; enum facts_counted h; } count_names[] = {
	{ "From", FH_FROM }, { "Date", FH_DATE }, { "Sender", FH_SENDER },
	{ "Reply-To", FH_REPLY_TO }, { "To", FH_TO }, { "Cc", FH_CC }, { "Bcc", FH_BCC },
	{ "Message-ID", FH_MESSAGE_ID }, { "In-Reply-To", FH_IN_REPLY_TO },
	{ "References", FH_REFERENCES }, { "Subject", FH_SUBJECT },
};

/* set_count - one "Name=N" of a row's counts; false when unknown. */
static bool
set_count(struct facts *f, const char *item, size_t len)
{
	size_t i, n;

	for (i = 0; i < sizeof(count_names) / sizeof(count_names[0]); i++) {
		n = strlen(count_names[i].name);
		if (n < len && strncmp(item, count_names[i].name, n) == 0 && item[n] == '=') {
			f->count[count_names[i].h] = (unsigned)strtoul(item + n + 1, NULL, 10);
			return true;
		}
	}
	return false;
}

/* set_counts - the row's counts: From is the number of From values, Date 1. */
static bool
set_counts(struct facts *f, const char *spec)
{
	size_t len;

	f->count[FH_DATE] = 1;
	for (; spec != NULL && *spec != '\0'; spec += len) {
		spec += strspn(spec, " ");
		len = strcspn(spec, " ");
		if (len > 0 && !set_count(f, spec, len))
			return false;
	}
	return true;
}

/* split3 - "a:b:c" into three words of buf (c may be empty); false when malformed. */
static bool
split3(const char *spec, char *buf, size_t size, char **w)
{
	char *c1, *c2;

	snprintf(buf, size, "%s", spec);
	if ((c1 = strchr(buf, ':')) == NULL || (c2 = strchr(c1 + 1, ':')) == NULL)
		return false;
	*c1 = *c2 = '\0';
	w[0] = buf;
	w[1] = c1 + 1;
	w[2] = c2 + 1;
	return true;
}

/* set_spf - one "RESULT:SCOPE:DOMAIN". */
static bool
set_spf(struct spf_outcome *o, const char *spec)
{
	char buf[300], *w[3];

	memset(o, 0, sizeof(*o));
	if (!split3(spec, buf, sizeof(buf), w) || !spf_result_from_name(w[0], &o->result) ||
	    !spf_scope_from_name(w[1], &o->scope))
		return false;
	snprintf(o->domain, sizeof(o->domain), "%s", w[2]);
	snprintf(o->reason, sizeof(o->reason), "given by the test");
	return true;
}

/* set_dkim - one "RESULT:DOMAIN:SELECTOR". */
static bool
set_dkim(struct dkim_sig_result *r, const char *spec)
{
	char buf[300], *w[3];

	memset(r, 0, sizeof(*r));
	if (!split3(spec, buf, sizeof(buf), w) || !dkim_result_from_name(w[0], &r->result))
		return false;
	snprintf(r->d, sizeof(r->d), "%s", w[1]);
	snprintf(r->s, sizeof(r->s), "%s", w[2]);
	snprintf(r->a, sizeof(r->a), "rsa-sha256");
	snprintf(r->b8, sizeof(r->b8), "abcdefgh");
	return true;
}

/* set_envelope - connection and MAIL FROM as message_envfrom leaves them. */
static void
set_envelope(struct facts *f, const struct fact_spec *s)
{
	const char *mf = s->mail_from != NULL ? s->mail_from : "bounce@relay.example";
	const char *at = strrchr(mf, '@');

	snprintf(f->ip, sizeof(f->ip), "%s", s->ip != NULL ? s->ip : "192.0.2.1");
	snprintf(f->helo, sizeof(f->helo), "mx.relay.example");
	f->have_envfrom = true;
	f->null_sender = mf[0] == '\0';
	snprintf(f->mail_from, sizeof(f->mail_from), "%s", mf);
	snprintf(f->mail_from_domain, sizeof(f->mail_from_domain), "%s", at ? at + 1 : "");
	f->nrcpt = 1;
	snprintf(f->rcpt_domain[0], sizeof(f->rcpt_domain[0]), "test.example");
	snprintf(f->queue_id, sizeof(f->queue_id), "QTEST1");
	f->now = NOW;
}

/* set_arc - the ARC outcome message.c hands over when ARCVerify is on. */
static bool
set_arc(struct facts *f, const struct arc_spec *a)
{
	struct arc_outcome *o;

	if ((o = f->arc = malloc(sizeof(*o))) == NULL)
		return false;
	arc_outcome_init(o);
	if (a->chain == NULL)
		return true;
	o->chain = strcmp(a->chain, "pass") == 0 ? ARC_CHAIN_PASS : ARC_CHAIN_FAIL;
	if (o->chain == ARC_CHAIN_FAIL)
		snprintf(o->reason, sizeof(o->reason), "seal i=1 did not verify");
	if (a->sealer == NULL)
		return true;
	o->n = 1;
	o->oldest_pass = o->chain == ARC_CHAIN_PASS ? 1 : 0;
	snprintf(o->set[0].seal_d, sizeof(o->set[0].seal_d), "%s", a->sealer);
	snprintf(o->set[0].ams_d, sizeof(o->set[0].ams_d), "%s", a->sealer);
	snprintf(o->set[0].cv, sizeof(o->set[0].cv), "none");
	o->set[0].seal = o->chain == ARC_CHAIN_PASS ? ARC_SIG_PASS : ARC_SIG_FAIL;
	o->set[0].ams = ARC_SIG_PASS;
	return str_set(&o->set[0].aar, a->aar, strlen(a->aar)) == STR_OK;
}

/* build_facts - f (initialised) from the row's spec; false on a bad spec. */
static bool
build_facts(const struct runtime *rt, const struct fact_spec *s, struct facts *f)
{
	size_t i;

	set_envelope(f, s);
	for (i = 0; i < MAX_FROM && s->from[i] != NULL; i++)
		if (str_printf(&f->from[f->nfrom++], " %s", s->from[i]) != STR_OK)
			return false;
	f->from_lost = s->from_lost;
	if (!set_counts(f, s->counts))
		return false;
	if (f->count[FH_FROM] == 0)
		f->count[FH_FROM] = (unsigned)f->nfrom;
	for (i = 0; i < 2 && s->spf[i] != NULL; i++)
		if (!set_spf(&f->spf[f->nspf++], s->spf[i]))
			return false;
	f->dkim_done = true;
	for (i = 0; i < 3 && s->dkim[i] != NULL; i++)
		if (!set_dkim(&f->dkim.sig[f->dkim.n++], s->dkim[i]))
			return false;
	if (s->nforged > 0 && (f->forged = calloc(s->nforged, sizeof(*f->forged))) == NULL)
		return false;
	for (f->nforged = 0; f->nforged < s->nforged; f->nforged++)
		f->forged[f->nforged] = (unsigned)f->nforged + 1;
	f->nar = f->nforged;
	return !rt->conf->arc_verify || set_arc(f, &s->arc);
}

/* ---------------------------------------------------------------- checks */

/* has - is sub in s (NULL s as "")? */
static bool
has(const struct str *s, const char *sub)
{
	return strstr(s->len ? str_cstr(s) : "", sub) != NULL;
}

/* miss - one failed expectation, as a diagnostic; always false. */
static bool
miss(const char *what, const char *want, const char *got)
{
	tap_diag("  %s: want \"%s\", got \"%s\"", what, want, got != NULL ? got : "");
	return false;
}

/* str_of - the text of s, "" when empty. */
static const char *
str_of(const struct str *s)
{
	return s->len ? str_cstr(s) : "";
}

/* check_reply - rcode, xcode and reply text. */
static bool
check_reply(const struct want *w, const struct decision *d)
{
	bool ok = true;

	if (strcmp(d->rcode, w->rcode != NULL ? w->rcode : "") != 0)
		ok = miss("rcode", w->rcode != NULL ? w->rcode : "", d->rcode);
	if (w->rcode != NULL && w->xcode != NULL && strcmp(d->xcode, w->xcode) != 0)
		ok = miss("xcode", w->xcode, d->xcode);
	if (w->reply != NULL && !has(&d->reply, w->reply))
		ok = miss("reply contains", w->reply, str_of(&d->reply));
	return ok;
}

/* check_quarantine - hold, or the quarantine header's name and value. */
static bool
check_quarantine(const struct want *w, const struct decision *d)
{
	char got[1400];

	if (d->action != ACTION_QUARANTINE)
		return true;
	if (d->hold != (w->q == Q_HOLD))
		return miss("quarantine", w->q == Q_HOLD ? "hold" : "header",
		    d->hold ? "hold" : "header");
	if (d->hold)
		return true;
	snprintf(got, sizeof(got), "%s: %s", str_of(&d->add_name), str_of(&d->add_value));
	if (w->header != NULL && strcmp(got, w->header) != 0)
		return miss("quarantine header", w->header, got);
	return true;
}

/* check_texts - the A-R and log substrings, and the absent one. */
static bool
check_texts(const struct want *w, const struct decision *d)
{
	bool ok = true;
	size_t i;

	if (d->evaluated && w->ar[0] == NULL && d->authres.len == 0)
		ok = miss("authres", "(not empty)", "");
	if (!d->evaluated && d->authres.len != 0)
		ok = miss("authres", "", str_of(&d->authres));
	for (i = 0; i < MAX_SUB && w->ar[i] != NULL; i++)
		if (!has(&d->authres, w->ar[i]))
			ok = miss("authres contains", w->ar[i], str_of(&d->authres));
	for (i = 0; i < MAX_SUB && w->log[i] != NULL; i++)
		if (!has(&d->log, w->log[i]))
			ok = miss("log contains", w->log[i], str_of(&d->log));
	if (w->absent != NULL && (has(&d->authres, w->absent) || has(&d->log, w->absent)))
		ok = miss("absent from authres and log", w->absent, str_of(&d->log));
	return ok;
}

/* check_outputs - deletions and history. */
static bool
check_outputs(const struct want *w, const struct facts *f, const struct decision *d)
{
	bool ok = true;
	size_t want_del = d->evaluated ? f->nforged : 0;

	if (d->ndelete != want_del || (want_del > 0 && d->delete_index != f->forged)) {
		tap_diag("  ndelete: want %zu, got %zu", want_del, d->ndelete);
		ok = false;
	}
	if (w->history != H_ANY && (d->history.len > 0) != (w->history == H_SOME))
		ok = miss("history", w->history == H_SOME ? "(a record)" : "",
		    str_of(&d->history));
	return ok;
}

/* check - every expectation of w against d; diagnostics for the misses. */
static bool
check(const struct want *w, const struct facts *f, const struct decision *d)
{
	bool ok = true;

	if (d->evaluated != w->evaluated)
		ok = miss("evaluated", w->evaluated ? "yes" : "no", d->evaluated ? "yes" : "no");
	if (!w->evaluated && w->skip != NULL && strstr(d->skip_reason, w->skip) == NULL)
		ok = miss("skip reason contains", w->skip, d->skip_reason);
	if (d->action != w->action)
		ok = miss("action", action_name(w->action), action_name(d->action));
	ok = check_reply(w, d) && ok;
	ok = check_quarantine(w, d) && ok;
	ok = check_texts(w, d) && ok;
	return check_outputs(w, f, d) && ok;
}

/* dump - the decision as diagnostics (DECIDE_TEST_DUMP). */
static void
dump(const struct decision *d)
{
	tap_diag("  evaluated=%d skip=\"%s\" action=%s reply=\"%s %s %s\" hold=%d header=\"%s: %s\"",
	    d->evaluated, d->skip_reason, action_name(d->action), d->rcode, d->xcode,
	    str_of(&d->reply), d->hold, str_of(&d->add_name), str_of(&d->add_value));
	tap_diag("  authres: %s", str_of(&d->authres));
	tap_diag("  log: %s", str_of(&d->log));
	tap_diag("  history: %s", str_of(&d->history));
}

/* run_row - build, decide, check; true when every expectation held. */
static bool
run_row(const char *zonefile, const struct row *r)
{
	struct runtime *rt;
	struct facts f;
	struct decision d;
	char err[512];
	bool ok;

	if ((rt = build_runtime(zonefile, r->set, err, sizeof(err))) == NULL) {
		tap_diag("  configuration: %s", err);
		return false;
	}
	facts_init(&f);
	decision_init(&d);
	ok = build_facts(rt, &r->f, &f);
	if (!ok)
		tap_diag("  bad facts in the row");
	else
		decide(rt, &f, &d);
	if (ok && getenv("DECIDE_TEST_DUMP") != NULL)
		dump(&d);
	ok = ok && check(&r->w, &f, &d);
	decision_free(&d);
	facts_free(&f);
	runtime_unref(rt);
	return ok;
}

int
main(void)
{
	char dir[] = "/tmp/test_decide.XXXXXX", zonefile[128];
	size_t i;

	if (mkdtemp(dir) == NULL || write_zone(dir, zonefile, sizeof(zonefile)) != 0) {
		tap_ok(false, "temporary zone file");
		return tap_done();
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (rows[i].w.todo != NULL)
			tap_todo(run_row(zonefile, &rows[i]), rows[i].w.todo, "%s", rows[i].name);
		else
			tap_ok(run_row(zonefile, &rows[i]), "%s", rows[i].name);
	}
	test_rm_rf(dir);
	return tap_done();
}
