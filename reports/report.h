/*
 * report.h - the aggregate report model of authmilter-reports: what one
 * history record contributes to a report (a message's row facts, the
 * published policy, the authentication results), the keys that intern
 * policies and result sets in the store, and small vocabularies (fo text,
 * override reasons, UTC days).  No I/O and no SQL; used by store.c,
 * import.c, group.c, xml.c and aggregate.c.  Pure and reentrant.
 */
#ifndef AUTHMILTER_REPORTS_REPORT_H
#define AUTHMILTER_REPORTS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "str.h"

#define REPORT_DAY 86400		/* seconds of one reporting period (a UTC day) */
#define REPORT_KEY_MAX (1024 * 1024)	/* bytes of one interning key */
#define REPORT_FORWARDER_BUFSIZE (64 + DOMAIN_BUFSIZE)	/* "arc=pass i=N d=DOMAIN" */

/*
 * A reason bit of our own beside the OVERRIDE_* bits: DMARC did not pass,
 * the disposition differs from the policy and the history record names no
 * override.  RFC 9990 requires a reason then; it is written as "other"
 * with a comment.
 */
#define REPORT_REASON_UNEXPLAINED 0x100

/*
 * One message as a report sees it.  Strings are borrowed (from a history
 * record or a store row) and valid as long as their owner.
 */
struct report_msg {
	int64_t time;
	const char *source_ip;
	const char *header_from;
	const char *envelope_from;	/* NULL: not known; "": null reverse-path */
	const char *envelope_to;	/* NULL: none reported (no or several recipient domains) */
	enum dmarc_result result;
	enum disposition disposition;
	enum dmarc_policy policy;	/* selected before t=y and sampling; UNSET when none */
	bool dkim_aligned, spf_aligned;
	unsigned overrides;		/* OVERRIDE_* bits from the history record */
	char forwarder[REPORT_FORWARDER_BUFSIZE];	/* the comment of a trusted_forwarder
					 * override made by ARC ("arc=pass i=N d=DOMAIN"), "" none */
	int64_t auth_id;		/* interned result set (store) */
	int64_t policy_id;		/* interned policy configuration (store) */
};

/* The published policy of a report (policy_published, and the rua list). */
struct report_policy {
	char domain[DOMAIN_BUFSIZE];
	enum org_mode discovery;
	enum dmarc_policy p, sp, np;	/* sp, np UNSET when absent */
	enum dmarc_align adkim, aspf;
	unsigned fo;			/* DMARC_FO_* */
	bool testing;
	enum dmarc_psd psd;
	int pct;			/* -1 when absent */
	size_t nrua;
	struct history_uri rua[HISTORY_MAX_URI];	/* uri malloc'd: report_policy_free */
};

/* The SPF and DKIM results of a message (auth_results), owned arrays. */
struct report_auth {
	size_t ndkim;
	struct history_dkim dkim[HISTORY_MAX_DKIM];
	size_t nspf;
	struct history_spf spf[HISTORY_MAX_SPF];
};

/*
 * report_msg_from_history - the row facts of h (strings point into h).
 * envelope_to is the recipient domain when h names exactly one, else
 * NULL.  auth_id and policy_id are left 0.
 */
void report_msg_from_history(const struct history_record *h, struct report_msg *m);

/* report_reasons - the reason bits of a row: m's overrides, plus REPORT_REASON_UNEXPLAINED when needed. */
unsigned report_reasons(const struct report_msg *m);

/*
 * report_policy_from_history - the published policy of h (h->policy_found
 * must be true); URIs are copied.  Returns 0, or -1 when out of memory (p
 * is then empty).  Release with report_policy_free.
 */
int report_policy_from_history(const struct history_record *h, struct report_policy *p);

/* report_policy_init, report_policy_free - empty policy; release its URIs (p is empty again). */
void report_policy_init(struct report_policy *p);
void report_policy_free(struct report_policy *p);

/*
 * report_policy_key, report_auth_key - an unambiguous text of h's policy
 * configuration (domain and every published value, the rua list) and of
 * its result set (every DKIM and SPF result with its texts), for
 * interning: equal keys mean equal content.  Replace out's content.
 */
enum str_status report_policy_key(const struct history_record *h, struct str *out);
enum str_status report_auth_key(const struct history_record *h, struct str *out);

/* report_key_add - append one length-prefixed field ("-" for NULL) to a key. */
enum str_status report_key_add(struct str *out, const char *field);

/* report_key_addi - append one number field to a key. */
enum str_status report_key_addi(struct str *out, long long v);

/* report_fo_text - fo flags as "0:1:d:s" (a subset, in that order) into buf (8 bytes); "" for none. */
void report_fo_text(unsigned fo, char buf[8]);

/* report_fo_parse - the inverse; false on anything else. */
bool report_fo_parse(const char *text, unsigned *fo);

/* report_overrides_text - OVERRIDE_* bits as "a,b" words into out (replaced). */
enum str_status report_overrides_text(unsigned bits, struct str *out);

/* report_overrides_parse - the inverse ("" is none); false on an unknown word. */
bool report_overrides_parse(const char *text, unsigned *bits);

/*
 * Word tables of the store's text columns, indexed by the enum values:
 * policies ("" for UNSET), alignment modes "r" "s", psd "u" "y" "n",
 * discovery "treewalk" "psl".
 */
extern const char *const report_policy_words[4];
extern const char *const report_align_words[2];
extern const char *const report_psd_words[3];
extern const char *const report_disc_words[2];

/* report_word_find - index of word in tab (n entries), or -1. */
int report_word_find(const char *const *tab, size_t n, const char *word);

/* report_day_begin - start of the UTC day holding t (t >= 0). */
int64_t report_day_begin(int64_t t);

/* report_date_text - t as "YYYYMMDD" (UTC) into buf (9 bytes). */
void report_date_text(int64_t t, char buf[9]);

#endif
