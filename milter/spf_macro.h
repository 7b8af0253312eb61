/*
 * spf_macro.h - SPF macro strings (RFC 7208 section 7): parse one
 * macro-expand, expand a domain-spec or an explanation string.
 *
 * Called by spf.c: its record grammar check parses every macro-expand
 * through spf_macro_parse, and exp= explanations are expanded here because
 * libspf2 cannot do it (see spf.c).  Pure: no DNS, clock or global state;
 * the time (%{t}) and the validated domain name (%{p}, which needs DNS)
 * come in through struct spf_macro_vars.  Thread-safe.
 */
#ifndef AUTHMILTER_SPF_MACRO_H
#define AUTHMILTER_SPF_MACRO_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 7208 7.3: an expanded domain name is cut to this length. */
#define SPF_MACRO_DOMAIN_MAX 253

/* Where a macro string stands: the grammar and the expansion differ. */
enum spf_macro_kind {
	SPF_MACRO_DOMAIN,	/* domain-spec: letters slodiphv, no spaces */
	SPF_MACRO_EXPLAIN	/* explain-string: also c r t, and spaces */
};

enum spf_macro_status {
	SPF_MACRO_OK,
	SPF_MACRO_SYNTAX,	/* not a valid macro string of that kind */
	SPF_MACRO_TOO_LONG	/* the expansion does not fit the buffer */
};

/* One macro-expand as parsed: "%{" letter transformers delimiters "}". */
struct spf_macro_term {
	char letter;		/* lower-case letter; '%', '_', '-' for escapes */
	bool url_escape;	/* the letter was upper-case (RFC 7208 7.3) */
	bool reverse;		/* "r" transformer */
	unsigned digits;	/* keep this many right-hand parts; 0 = all */
	char delims[8];		/* delimiter characters, NUL-terminated */
};

/*
 * The values of the macro letters for one check.  Strings may be NULL,
 * which expands to "" (or "unknown" for receiver and validated_name).
 * ip: the client address in text form (IPv4 dotted or IPv6).
 */
struct spf_macro_vars {
	const char *sender;		/* s: <sender>, local-part@domain */
	const char *local_part;		/* l */
	const char *sender_domain;	/* o */
	const char *domain;		/* d: the current domain */
	const char *ip;			/* i, c, v */
	const char *helo;		/* h */
	const char *receiver;		/* r */
	long long now;			/* t: seconds since the epoch */
	/* p: called once, on first use; NULL or a NULL answer: "unknown". */
	const char *(*validated_name)(void *arg);
	void *validated_arg;
};

/*
 * spf_macro_parse - parse the macro-expand starting at s[*i] (which must be
 * '%') of the string s[0..n) and advance *i past it.  t may be NULL (a
 * syntax check only).  false, *i unchanged, when it is not a valid
 * macro-expand of that kind.
 */
bool spf_macro_parse(const char *s, size_t n, size_t *i,
    enum spf_macro_kind kind, struct spf_macro_term *t);

/*
 * spf_macro_expand - expand s[0..n) into out (always NUL-terminated when
 * outsize > 0).  A domain-spec longer than SPF_MACRO_DOMAIN_MAX after
 * expansion loses labels on the left until it fits (RFC 7208 7.3).
 * SPF_MACRO_TOO_LONG leaves in out as much as fits, cut at a character.
 */
enum spf_macro_status spf_macro_expand(const char *s, size_t n,
    enum spf_macro_kind kind, const struct spf_macro_vars *v, char *out,
    size_t outsize);

#endif
