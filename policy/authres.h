/*
 * authres.h - Authentication-Results header fields (RFC 8601): a parser
 * (strict RFC 8601 ABNF, or lenient for mail seen in the wild), an
 * authserv-id extractor for the forged-header check, and a writer that
 * emits only registered method / result / ptype.property names.
 *
 * Called by the milter (forgery check on incoming headers, writing our own
 * header from the verdict), by the command-line checker and by the tests.
 * Pure computation; every function is thread-safe on distinct objects.
 *
 * Folding: the writer folds with "\n\t" (a bare LF, the form libmilter's
 * smfi_insheader/smfi_addheader expect; the MTA turns it into CRLF), so
 * lines stay within 78 characters where a single token allows.  Counted
 * from a line start of "Authentication-Results: ".
 */
#ifndef AUTHMILTER_AUTHRES_H
#define AUTHMILTER_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"
#include "verdict.h"

#define AUTHRES_MAX_RESULTS 64	/* resinfo per header; more is AUTHRES_LIMIT */
#define AUTHRES_MAX_PROPS 32	/* properties per resinfo; more is AUTHRES_LIMIT */
#define AUTHRES_FOLD_COLUMN 78	/* the writer's target line length */

enum authres_status {
	AUTHRES_OK = 0,
	AUTHRES_SYNTAX,		/* not RFC 8601 (strict) / no authserv-id (lenient) */
	AUTHRES_LIMIT,		/* too many results or properties, or output too long */
	AUTHRES_NOMEM,
	AUTHRES_UNREGISTERED	/* writer: name not in the IANA registries we know */
};

struct authres_prop {
	char *ptype;	/* lower-case; NULL for "name=value" without ptype (lenient only) */
	char *property;	/* lower-case */
	char *value;	/* quotes and quoted-pairs removed */
};

struct authres_result {
	char *method;		/* lower-case */
	char *method_version;	/* digits, or NULL */
	char *result;		/* lower-case */
	char *reason;		/* reason= value, or NULL */
	char *comment;		/* top-level comments inside this resinfo, joined by " ", or NULL */
	size_t nprops;
	struct authres_prop props[AUTHRES_MAX_PROPS];
};

struct authres_header {
	char *authserv_id;	/* as written (case kept), quotes removed */
	char *version;		/* digits, or NULL */
	size_t nresults;	/* 0 for "none" */
	struct authres_result *results;	/* malloc'd array of nresults */
	size_t nskipped;	/* lenient: resinfo that were skipped as unparsable */
};

/* Flags of authres_parse_flags. */
#define AUTHRES_LENIENT 0x1	/* accept what real mail contains; see below */

/*
 * authres_parse - parse one header field value (len bytes, may contain NUL)
 * by the RFC 8601 ABNF (section 2.2), strictly.  The value may start with
 * the field name "Authentication-Results:" (any case) and may be folded
 * (CRLF or LF followed by WSP); a trailing CRLF is allowed.  A line break
 * not followed by WSP is taken as a space: the caller has already cut the
 * field out of the message, so it cannot start another field.  Comments
 * (nested, with quoted-pairs) are accepted wherever CFWS is.  UTF-8 bytes
 * are accepted in tokens, quoted-strings and comments (RFC 6532).
 *
 * out is always initialised and must be released with authres_header_free()
 * whatever the status.  On a status other than OK, reason (reasonsize bytes)
 * says what was wrong and where.
 */
enum authres_status authres_parse(const char *value, size_t len,
    struct authres_header *out, char *reason, size_t reasonsize);

/*
 * authres_parse_flags - as authres_parse; with AUTHRES_LENIENT the parse
 * only fails when no authserv-id can be found.  Lenient mode accepts
 * properties without ptype, empty values, unquoted values with ':' or '/',
 * NUL bytes (as spaces), and skips (counting in nskipped) each
 * resinfo it cannot parse, up to the next ';' outside quotes and comments.
 * Stray text between the authserv-id and the first ';' is skipped too.
 */
enum authres_status authres_parse_flags(const char *value, size_t len,
    unsigned flags, struct authres_header *out, char *reason, size_t reasonsize);

/* authres_header_free - release what a parse stored; out may be parsed into again. */
void authres_header_free(struct authres_header *h);

/*
 * authres_authserv_id - extract only the authserv-id, leniently: after an
 * optional field name, CFWS (nested comments, CR/LF as whitespace), a
 * quoted-string (unescaped) or the longest RFC 2045 token.  Whatever follows
 * is ignored, so garbage after the id does not hide it.  id is set (reset
 * first) on OK; AUTHRES_SYNTAX when there is no id (empty value, ";" first,
 * unterminated comment or quote).
 */
enum authres_status authres_authserv_id(const char *value, size_t len, struct str *id);

/*
 * authres_claims_id - does this header field value claim authserv-id id?
 * Uses authres_authserv_id's lenient extraction, so comments, folding,
 * whitespace, quoting, a version or garbage after the id do not hide a
 * forged claim; compares ASCII case-insensitively, ignoring one trailing
 * dot on either side and whitespace inside a quoted id.  Allocates nothing.
 * False when no id can be found or id is empty.
 */
bool authres_claims_id(const char *value, size_t len, const char *id);

/*
 * The writer.  Usage:
 *	authres_writer_init(&w, &out, "mx.example.com");
 *	authres_add(&w, "spf", "pass");
 *	authres_add_prop(&w, "smtp", "mailfrom", "example.org");
 *	authres_add_comment(&w, "free text");
 *	st = authres_writer_finish(&w, reason, sizeof(reason));
 * The first error is sticky: later calls do nothing and finish returns it.
 * A header without resinfo is written as "id; none".  The authserv-id must
 * be an RFC 2045 token (AUTHRES_SYNTAX otherwise).  Values are written
 * bare when they are an RFC 8601 token or [local-part]@domain-name and as a
 * quoted-string otherwise; reasons and comments are sanitised (control
 * characters and non-ASCII bytes become '?' or spaces, parentheses and
 * backslashes are escaped as quoted-pairs).  out receives the field value
 * only (no name, no trailing newline); it is appended to, not reset.
 */
struct authres_writer {
	struct str *out;
	size_t col;			/* column of the current output line */
	size_t nresults;
	int method;			/* registry index of the open resinfo, -1 none */
	size_t nprops;			/* properties written in the open resinfo */
	enum authres_status st;		/* first error */
	char why[160];			/* its explanation */
};

void authres_writer_init(struct authres_writer *w, struct str *out, const char *authserv_id);

/* authres_add - start a resinfo "method=result" (both registered, result valid for method). */
void authres_add(struct authres_writer *w, const char *method, const char *result);

/* authres_add_reason - reason= for the open resinfo (before any property). */
void authres_add_reason(struct authres_writer *w, const char *reason);

/* authres_add_prop - ptype.property=value; the pair must be registered for the open method. */
void authres_add_prop(struct authres_writer *w, const char *ptype, const char *property,
    const char *value);

/* authres_add_comment - "(text)" after what was written last; empty text writes nothing. */
void authres_add_comment(struct authres_writer *w, const char *text);

/* authres_writer_finish - close the header; the first error, if any, with its reason. */
enum authres_status authres_writer_finish(struct authres_writer *w, char *reason, size_t reasonsize);

/* authres_is_registered - is ptype.property registered for method? (for tests and callers) */
bool authres_is_registered(const char *method, const char *ptype, const char *property);

/*
 * Per-signature DKIM details that struct verdict_dkim does not carry; a
 * parallel array to verdict_input.dkim.  Any member may be NULL.
 */
struct authres_dkim_extra {
	const char *b;		/* the b= tag value; its first 8 characters become header.b */
	const char *a;		/* a= algorithm, e.g. "rsa-sha256" */
	const char *i;		/* i= identity, e.g. "@example.com" */
};

/*
 * authres_write_verdict - append the A-R value for one message to out:
 * one spf resinfo per SPF result (smtp.mailfrom or smtp.helo), one dkim
 * resinfo per signature (header.d, header.s, header.i, header.a, header.b
 * when known) or "dkim=none" when there was none, and one dmarc resinfo
 * (result, header.from, policy.dmarc = the disposition actually applied:
 * none, quarantine or reject, written when a record was found), with a
 * comment giving p=, sp=, np=, the disposition and the override reasons
 * (no override property is registered).  extra is NULL or has in->ndkim
 * entries.  Status as authres_writer_finish.
 */
enum authres_status authres_write_verdict(struct str *out, const char *authserv_id,
    const struct verdict_input *in, const struct verdict *v,
    const struct authres_dkim_extra *extra, char *reason, size_t reasonsize);

/*
 * authres_write_verdict_why - authres_write_verdict with a reason= for the
 * dmarc resinfo (dmarc_why; NULL or "" for none), e.g. why no author domain
 * could be evaluated.
 */
enum authres_status authres_write_verdict_why(struct str *out, const char *authserv_id,
    const struct verdict_input *in, const struct verdict *v,
    const struct authres_dkim_extra *extra, const char *dmarc_why, char *reason,
    size_t reasonsize);

/*
 * The arc resinfo (RFC 8617 6) and the ARC detail of a trusted_forwarder
 * override, for authres_write_verdict_arc.  Strings belong to the caller.
 */
struct authres_arc {
	const char *result;		/* "none", "pass", "fail", "temperror" */
	const char *comment;		/* why it failed, or NULL / "" */
	const char *remote_ip;		/* smtp.remote-ip, or NULL / "" */
	unsigned oldest_pass;		/* header.oldest-pass, written with result pass */
	const char *override_detail;	/* e.g. "arc i=2 d=lists.example.org": with
					 * OVERRIDE_TRUSTED_FORWARDER, the comment
					 * "(override trusted_forwarder: DETAIL)" follows
					 * the dmarc comment; NULL / "" for none */
};

/*
 * authres_write_verdict_arc - authres_write_verdict_why with an arc resinfo
 * (written after the dkim ones and before dmarc; arc NULL or arc->result
 * NULL: none, as authres_write_verdict_why).
 */
enum authres_status authres_write_verdict_arc(struct str *out, const char *authserv_id,
    const struct verdict_input *in, const struct verdict *v,
    const struct authres_dkim_extra *extra, const char *dmarc_why,
    const struct authres_arc *arc, char *reason, size_t reasonsize);

/* authres_strerror - short text for a status. */
const char *authres_strerror(enum authres_status st);

#endif
