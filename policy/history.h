/*
 * history.h - history records: one text line per evaluated message, the
 * interface between the milter (which appends one line per message with a
 * single write) and the report tool (which reads the lines back to build
 * RFC 9990 aggregate reports).  The format is versioned ("AMH1.0") and
 * documented in doc/history-format.md; this module is its only encoder and
 * decoder.  Pure computation (no I/O, no clock: the time comes in the
 * record); one record per thread, functions are reentrant.
 */
#ifndef AUTHMILTER_HISTORY_H
#define AUTHMILTER_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "discover.h"
#include "dmarc_record.h"
#include "domain.h"
#include "results.h"
#include "str.h"
#include "verdict.h"

#define HISTORY_VERSION_MAJOR 1	/* a decoder rejects any other major version */
#define HISTORY_VERSION_MINOR 1	/* the newest this code knows; higher minors are read.
				 * The encoder writes the lowest minor whose keys a
				 * line uses: 1.0 unless it carries "arc" (1.1). */

#define HISTORY_LINE_MAX 65536	/* bytes in one line, including the "\n" */
#define HISTORY_MAX_RCPT 16	/* envelope_to domains */
#define HISTORY_MAX_DKIM 32	/* DKIM results */
#define HISTORY_MAX_SPF 4	/* SPF results */
#define HISTORY_MAX_URI DMARC_URI_MAX	/* rua / ruf URIs each */
#define HISTORY_MAX_EXT 16	/* x-* extension fields */
#define HISTORY_IP_BUFSIZE 46	/* INET6_ADDRSTRLEN */
#define HISTORY_HUMAN_BUFSIZE 256	/* human_result text, with its NUL */
#define HISTORY_QID_BUFSIZE 64	/* MTA queue id, with its NUL */
#define HISTORY_MSGID_MAX 998	/* Message-ID bytes */
#define HISTORY_URI_MAX 2048	/* bytes of one rua / ruf URI */
#define HISTORY_EXT_KEY_MAX 32	/* bytes of any key, "x-" included */
#define HISTORY_EXT_VALUE_MAX 1024	/* bytes of one extension value */

enum history_status {
	HISTORY_OK = 0,
	HISTORY_NOMEM,		/* allocation failed */
	HISTORY_TOO_LONG,	/* the line exceeds HISTORY_LINE_MAX (or the output string's maximum) */
	HISTORY_TRUNCATED,	/* no terminating "\n": a partial write */
	HISTORY_BAD_VERSION,	/* not "AMH<major>.<minor>", or a major version other than 1 */
	HISTORY_BAD_CHAR,	/* NUL, CR, LF or another byte not allowed unencoded */
	HISTORY_BAD_SYNTAX,	/* field, key, escape or tuple structure; data after the "\n" */
	HISTORY_MISSING_FIELD,	/* a required field is absent */
	HISTORY_DUPLICATE_KEY,	/* a single-valued key appears twice */
	HISTORY_BAD_NUMBER,	/* not a decimal number in range */
	HISTORY_BAD_IP,		/* not an IPv4 or IPv6 address */
	HISTORY_BAD_DOMAIN,	/* rejected by domain_normalize */
	HISTORY_BAD_WORD,	/* unknown keyword (result, policy, ...) */
	HISTORY_TOO_MANY,	/* more list items than the record holds */
	HISTORY_BAD_VALUE	/* empty or overlong text, duplicate list item, bad extension key */
};

/* The ARC chain result of a message ("arc" key, minor version 1). */
enum history_arc {
	HISTORY_ARC_ABSENT = 0,	/* not recorded (no ARC set, or ARC not verified) */
	HISTORY_ARC_NONE,
	HISTORY_ARC_PASS,
	HISTORY_ARC_FAIL,
	HISTORY_ARC_TEMPERROR
};

struct history_dkim {
	char domain[DOMAIN_BUFSIZE];		/* d=, normalised */
	char selector[DOMAIN_BUFSIZE];		/* s=, as given (non-empty) */
	enum dkim_result result;
	char human[HISTORY_HUMAN_BUFSIZE];	/* human_result, "" when none */
};

struct history_spf {
	char domain[DOMAIN_BUFSIZE];		/* normalised */
	enum spf_scope scope;
	enum spf_result result;
	char human[HISTORY_HUMAN_BUFSIZE];	/* human_result, "" when none */
};

struct history_uri {
	char *uri;		/* malloc'd, without the "!size" suffix */
	uint64_t size_limit;	/* bytes; 0 when the URI had no size limit */
};

struct history_ext {
	char *key;		/* malloc'd, "x-..." */
	char *value;		/* malloc'd, may be "" */
};

/*
 * One evaluated message.  Plain data: fixed arrays, except the URIs, the
 * Message-ID and the extension fields, which history_record_free releases.
 */
struct history_record {
	int64_t time;				/* seconds since the epoch, >= 0 (milter's clock) */
	char source_ip[HISTORY_IP_BUFSIZE];	/* IPv4 / IPv6 text */
	char header_from[DOMAIN_BUFSIZE];	/* RFC5322.From domain (required) */
	bool envelope_from_present;		/* false: not known */
	char envelope_from[DOMAIN_BUFSIZE];	/* "" with _present: null reverse-path */
	size_t nrcpt;
	char envelope_to[HISTORY_MAX_RCPT][DOMAIN_BUFSIZE];
	enum org_mode discovery;		/* treewalk or psl */
	char org_domain[DOMAIN_BUFSIZE];	/* "" when not known */

	/* Published policy: meaningful only when policy_found. */
	bool policy_found;
	char policy_domain[DOMAIN_BUFSIZE];
	enum dmarc_policy p;			/* never UNSET when policy_found */
	enum dmarc_policy sp, np;		/* UNSET when absent */
	enum dmarc_align adkim, aspf;
	unsigned fo;				/* DMARC_FO_* flags */
	bool testing;				/* t=y */
	enum dmarc_psd psd;
	int pct;				/* historic; -1 when absent */
	size_t nrua, nruf;
	struct history_uri rua[HISTORY_MAX_URI], ruf[HISTORY_MAX_URI];

	/* Evaluation. */
	enum dmarc_result result;
	enum disposition disposition;
	enum dmarc_policy policy;		/* policy selected before t=y / pct; UNSET when none */
	enum policy_tag applied_tag;		/* p, sp, np; NONE when none */
	unsigned overrides;			/* OVERRIDE_* bits */
	bool dkim_aligned, spf_aligned;
	size_t ndkim;
	struct history_dkim dkim[HISTORY_MAX_DKIM];
	size_t nspf;
	struct history_spf spf[HISTORY_MAX_SPF];

	/* ARC (minor version 1): the chain result and, when a trusted sealer's
	 * instance made the trusted_forwarder override, that instance and its
	 * sealing domain (arc_instance 0 and arc_sealer "" otherwise). */
	enum history_arc arc;
	unsigned arc_instance;			/* 1..50 */
	char arc_sealer[DOMAIN_BUFSIZE];	/* normalised */

	/* Optional identification and site extensions. */
	char queue_id[HISTORY_QID_BUFSIZE];	/* "" when absent */
	char *message_id;			/* malloc'd; NULL (or "") when absent */
	size_t next;
	struct history_ext ext[HISTORY_MAX_EXT];

	/* Filled by history_decode only; ignored by the encoder and by history_record_equal. */
	unsigned version_minor;			/* minor version of the line read */
	size_t unknown_keys;			/* fields of a newer minor version that were skipped */
};

/* history_record_init - an empty record (pct -1, nothing present). */
void history_record_init(struct history_record *h);

/* history_record_free - release the URIs, Message-ID and extensions; h is empty again. */
void history_record_free(struct history_record *h);

/*
 * history_record_from_verdict - fill the policy part of h from the inputs
 * and the verdict of one message: header_from, discovery method,
 * organizational and policy domain, the published record (p, sp, np,
 * adkim, aspf, fo, t, psd, pct, rua, ruf, deep-copied), result,
 * disposition, policy and tag applied, overrides, alignment, and the DKIM
 * and SPF results.  The caller's own fields (time, source_ip,
 * envelope_from, envelope_to, queue_id, message_id, ext) are left alone,
 * as are human_result texts it may add afterwards.  h must have been
 * initialised.  Returns HISTORY_OK or HISTORY_NOMEM (h stays freeable).
 */
enum history_status history_record_from_verdict(struct history_record *h,
    const struct verdict_input *in, const struct verdict *v);

/*
 * history_encode - replace the content of out with one line (ending in
 * "\n") for h.  Fields are validated as the decoder would (required fields,
 * domains, IP, keywords, list sizes, text sizes); domains and the IP are
 * written in normalised form, so what is written always decodes.  On any
 * status but OK, out is left empty.
 */
enum history_status history_encode(const struct history_record *h, struct str *out);

/*
 * history_decode - parse one line of len bytes, which must end with its
 * "\n" (and contain no other).  h need not be initialised and must hold no
 * allocation; on success the caller releases it with history_record_free,
 * on failure it is left empty and reason (reasonsize bytes) says precisely
 * what was wrong.  Decoding never depends on other lines.
 */
enum history_status history_decode(const char *line, size_t len,
    struct history_record *h, char *reason, size_t reasonsize);

/* history_record_equal - same content (version_minor and unknown_keys ignored)? */
bool history_record_equal(const struct history_record *a, const struct history_record *b);

/* history_arc_name - "", "none", "pass", "fail", "temperror". */
const char *history_arc_name(enum history_arc a);

/* history_status_name - short text for a status ("ok", "bad_domain", ...). */
const char *history_status_name(enum history_status st);

#endif
