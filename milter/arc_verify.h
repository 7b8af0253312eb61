/*
 * arc_verify.h - ARC chain verification (RFC 8617 5.2) for the milter and
 * authmilter-check, with every key lookup made through the shared resolver
 * (milter/resolver.h), RSA-SHA256 (1024 to 4096 bits) and Ed25519 through
 * OpenSSL.  The parsing of the three ARC header fields is in the policy
 * library (pure, fuzzed); canonicalization and hashing are done here once,
 * since libopendkim knows neither ARC's header names nor its instance tag.
 *
 * One struct arc_engine per process; one struct arc_msg per message, fed in
 * the order the milter sees the message (the same calls as dkim_verify.h):
 *   arc_msg_new -> arc_msg_header* -> arc_msg_eoh -> arc_msg_body* ->
 *   arc_msg_eom -> arc_msg_free
 *
 * Chain result (RFC 8617 5.2):
 *   none - no ARC header field at all;
 *   fail - any structural problem (instances not 1..N, gaps, duplicates,
 *          more than ARC_MAX_INSTANCES, an incomplete set, a malformed
 *          field, cv= of instance 1 not none, cv= of a later one not pass,
 *          the newest cv=fail), the newest AMS not verifying, or any
 *          ARC-Seal not verifying; reason says which, naming the instance;
 *   pass - otherwise.
 * oldest_pass is the oldest instance whose AMS still verifies (RFC 8617
 * 5.2, step 5), 0 when not computed (chain not pass).  The AMSs are
 * checked from the newest down, stopping at the first that fails, so when
 * every AMS verifies oldest_pass is 1; RFC 8617 writes that case as
 * header.oldest-pass=0, so an Authentication-Results writer maps 1 to 0.
 *
 * Thread-safety: arc_engine_new/free from one thread; any number of arc_msg
 * objects may be used concurrently, each by one thread at a time.
 */
#ifndef AUTHMILTER_ARC_VERIFY_H
#define AUTHMILTER_ARC_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "env.h"
#include "str.h"

struct resolver;

#define ARC_MAX_INSTANCES 50		/* RFC 8617 4.2.1 */

enum arc_chain {
	ARC_CHAIN_NONE = 0,
	ARC_CHAIN_PASS,
	ARC_CHAIN_FAIL
};

/* The check of one signature (an AMS or an ARC-Seal). */
enum arc_sig_status {
	ARC_SIG_UNCHECKED = 0,		/* not evaluated (chain failed earlier) */
	ARC_SIG_PASS,
	ARC_SIG_FAIL,			/* does not verify, bad body hash, bad key */
	ARC_SIG_TEMPERROR,		/* key lookup failed temporarily */
	ARC_SIG_PERMERROR		/* no key, malformed tags, bad algorithm */
};

/* What was found and checked for one instance (one ARC set). */
struct arc_set_result {
	unsigned i;			/* instance, 1..ARC_MAX_INSTANCES */
	char seal_d[256];		/* ARC-Seal d=, "" when unparseable */
	char seal_s[64];		/* ARC-Seal s= */
	char ams_d[256];		/* ARC-Message-Signature d= */
	char ams_s[64];
	char cv[8];			/* ARC-Seal cv= as written: "none", "pass", "fail", "" */
	enum arc_sig_status ams;
	enum arc_sig_status seal;
	unsigned key_bits;		/* of the seal's key, 0 when not loaded */
	char reason[128];		/* "" when both passed */
	struct str aar;			/* ARC-Authentication-Results value after
					 * "i=N;" (the authserv-id and results),
					 * as written, unfolded */
};

struct arc_outcome {
	enum arc_chain chain;
	char reason[192];		/* why fail, "" otherwise */
	unsigned n;			/* sets in nset (the highest instance seen,
					 * capped at ARC_MAX_INSTANCES) */
	struct arc_set_result set[ARC_MAX_INSTANCES];	/* set[k].i == k + 1;
					 * only set[0..n) is ever written */
	/* (arc_outcome_free resets the fields after set[] one by one) */
	unsigned oldest_pass;		/* header.oldest-pass, 0: none */
	bool temperror;			/* a key lookup failed temporarily */
};

struct arc_config {
	unsigned min_key_bits;		/* DKIMMinKeyBits; 0: 1024 */
	unsigned dns_budget_ms;		/* key lookups; 0: the resolver's timeout */
};

struct arc_engine;
struct arc_msg;

/* arc_outcome_init / arc_outcome_free - an empty outcome (chain none);
 * release its strings (the outcome is reusable after free). */
void arc_outcome_init(struct arc_outcome *o);
void arc_outcome_free(struct arc_outcome *o);

/* arc_header_oldest_pass - the Authentication-Results header.oldest-pass
 * of o: its oldest_pass, but 0 when every AMS verifies (RFC 8617 5.2, the
 * IANA registry's "0 if they all pass"). */
unsigned arc_header_oldest_pass(const struct arc_outcome *o);

/* arc_result_name - the result for logs and the history record: the chain
 * name, or "temperror" when a key lookup failed temporarily. */
const char *arc_result_name(const struct arc_outcome *o);

/* arc_chain_name - "none", "pass", "fail". */
const char *arc_chain_name(enum arc_chain c);

/* arc_engine_new - an engine over r; NULL with the reason in err. */
struct arc_engine *arc_engine_new(const struct arc_config *cfg, struct resolver *r,
    char *err, size_t errsize);

/* arc_engine_free - release (NULL is fine); no message may be alive. */
void arc_engine_free(struct arc_engine *e);

/* arc_msg_new - start one message; NULL when out of memory. */
struct arc_msg *arc_msg_new(struct arc_engine *e);

/* arc_msg_header - one header field "Name:value" exactly as dkim_msg_header
 * takes it (folded lines keep their CRLF, no trailing CRLF).  Every field is
 * given, in order: the AMS signs other fields too.  Returns 0, -1 when out
 * of memory or over a limit (2048 fields, 1 MiB): the outcome then says fail
 * with the reason when the message carries an ARC field, else none. */
int arc_msg_header(struct arc_msg *m, const char *field, size_t len);

/* arc_msg_eoh - end of the header; when no ARC field was seen the body is
 * not hashed at all. */
int arc_msg_eoh(struct arc_msg *m);

/* arc_msg_body - a chunk of the body (CRLF line ends). */
int arc_msg_body(struct arc_msg *m, const unsigned char *data, size_t len);

/* arc_msg_eom - finish: look up keys, verify, fill out (initialised with
 * arc_outcome_init; always filled). */
void arc_msg_eom(struct arc_msg *m, struct arc_outcome *out);

/* arc_msg_free - release (NULL is fine). */
void arc_msg_free(struct arc_msg *m);

#endif
