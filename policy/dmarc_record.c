/*
 * dmarc_record.c - parse the text of one DMARC policy record (RFC 9989
 * sections 4.7, 4.8 and the "no valid p" rule of 4.10.1) into a struct
 * dmarc_record.  Called by the policy discovery / tree walk (discover.c)
 * for every TXT record at a _dmarc name, and by the fuzz target and tests.
 * Pure computation, no global state: thread-safe.
 *
 * Decisions (each is also stated at the code that applies it):
 *  - Tag names match case-insensitively: RFC 5234 quoted strings are
 *    case-insensitive and the v tag is written "v" (not %s"v") in the ABNF;
 *    a tag name is 1*ALPHA, anything else makes the term a syntax error.
 *  - Keyword values (none, r, s, y, n, u, d, 0, 1, afrf...) match
 *    case-insensitively for the same reason (and as Mail::DMARC does);
 *    only the v value is case-sensitive (%s"DMARC1").
 *  - A term without '=' (real-world "fo:0", "sp-none", a bare "0") is a
 *    syntax error of that term alone: it is skipped.
 *  - The first occurrence of a tag wins; later duplicates are ignored (a
 *    repeated tag is a syntax error of the repetition, RFC 6376 3.2 style).
 *  - Leading WSP before v= is tolerated, and one backslash right before a
 *    ';' is dropped (zone-file escaping "\;" published verbatim); neither
 *    can turn a non-DMARC text into a different valid record.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_record.h"
#include "env.h"

/* One "name=value" term of the tag list, as spans into the record text. */
struct term {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
	bool has_eq;	/* the term had a 1*ALPHA name and '=' */
	bool empty;	/* nothing but WSP between two separators */
};

/* Result of one tag's value parser. */
enum tag_res {
	TAG_OK = 0,
	TAG_BAD,	/* syntax error: keep the default, set the DMARC_BAD_* bit */
	TAG_NOMEM
};

/* is_wsp - RFC 5234 WSP. */
static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* is_alpha - RFC 5234 ALPHA. */
static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* is_digit - RFC 5234 DIGIT. */
static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* lower - ASCII lower case, locale-independent. */
static char
lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* ieq - case-insensitive ASCII compare of a span with a literal. */
static bool
ieq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lit[i] == '\0' || lower(s[i]) != lower(lit[i]))
			return false;
	return lit[n] == '\0';
}

/* set_reason - write a reason, tolerating a missing buffer. */
static void
set_reason(char *reason, size_t size, const char *text)
{
	if (reason != NULL && size > 0)
		snprintf(reason, size, "%s", text);
}

/* split_term - parse the text of one term (no ';' inside) into t. */
static void
split_term(const char *s, size_t n, struct term *t)
{
	size_t i = 0;

	memset(t, 0, sizeof(*t));
	while (n > 0 && is_wsp(s[n - 1]))
		n--;
	while (i < n && is_wsp(s[i]))
		i++;
	if (i == n) {
		t->empty = true;
		return;
	}
	t->name = s + i;
	while (i < n && is_alpha(s[i]))
		i++;
	t->nlen = (size_t)(s + i - t->name);
	while (i < n && is_wsp(s[i]))
		i++;
	if (t->nlen == 0 || i == n || s[i] != '=')
		return;
	i++;
	while (i < n && is_wsp(s[i]))
		i++;
	t->has_eq = true;
	t->val = s + i;
	t->vlen = n - i;
}

/*
 * next_term - the term starting at *pos (up to the next ';' or the end);
 * false when the text is exhausted.  A backslash right before the ';' is
 * dropped (see the file header).
 */
static bool
next_term(const char *txt, size_t len, size_t *pos, struct term *t)
{
	size_t start = *pos, end;
	const char *semi;

	if (start > len || (start == len && start != 0))
		return false;
	semi = start < len ? memchr(txt + start, ';', len - start) : NULL;
	end = semi != NULL ? (size_t)(semi - txt) : len;
	*pos = semi != NULL ? end + 1 : len + 1;
	if (semi != NULL && end > start && txt[end - 1] == '\\')
		end--;
	split_term(txt + start, end - start, t);
	return true;
}

/* term_is_version - is this term exactly v=DMARC1 (value case-sensitive)? */
static bool
term_is_version(const struct term *t)
{
	return t->has_eq && ieq(t->name, t->nlen, "v") &&
	    t->vlen == 6 && memcmp(t->val, "DMARC1", 6) == 0;
}

bool
dmarc_record_is_dmarc(const char *txt, size_t len)
{
	struct term t;
	size_t pos = 0;

	if (txt == NULL || !next_term(txt, len, &pos, &t))
		return false;
	return term_is_version(&t);
}

/* ---- value parsers ---------------------------------------------------- */

/* parse_request - dmarc-request: none / quarantine / reject. */
static enum tag_res
parse_request(const char *v, size_t n, enum dmarc_policy *out)
{
	if (ieq(v, n, "none"))
		*out = DMARC_POLICY_NONE;
	else if (ieq(v, n, "quarantine"))
		*out = DMARC_POLICY_QUARANTINE;
	else if (ieq(v, n, "reject"))
		*out = DMARC_POLICY_REJECT;
	else
		return TAG_BAD;
	return TAG_OK;
}

/* tag_p - p=, the domain policy; remembers that a valid p was seen. */
static enum tag_res
tag_p(struct dmarc_record *rec, const char *v, size_t n)
{
	enum tag_res r = parse_request(v, n, &rec->p);

	rec->p_explicit = r == TAG_OK;
	return r;
}

/* tag_sp - sp=, the existing-subdomain policy. */
static enum tag_res
tag_sp(struct dmarc_record *rec, const char *v, size_t n)
{
	return parse_request(v, n, &rec->sp);
}

/* tag_np - np=, the non-existent-subdomain policy. */
static enum tag_res
tag_np(struct dmarc_record *rec, const char *v, size_t n)
{
	return parse_request(v, n, &rec->np);
}

/* parse_rors - dmarc-rors: r / s. */
static enum tag_res
parse_rors(const char *v, size_t n, enum dmarc_align *out)
{
	if (ieq(v, n, "r"))
		*out = DMARC_ALIGN_RELAXED;
	else if (ieq(v, n, "s"))
		*out = DMARC_ALIGN_STRICT;
	else
		return TAG_BAD;
	return TAG_OK;
}

/* tag_adkim - adkim=, DKIM alignment mode. */
static enum tag_res
tag_adkim(struct dmarc_record *rec, const char *v, size_t n)
{
	return parse_rors(v, n, &rec->adkim);
}

/* tag_aspf - aspf=, SPF alignment mode. */
static enum tag_res
tag_aspf(struct dmarc_record *rec, const char *v, size_t n)
{
	return parse_rors(v, n, &rec->aspf);
}

/* tag_psd - dmarc-psd: y / n / u. */
static enum tag_res
tag_psd(struct dmarc_record *rec, const char *v, size_t n)
{
	if (ieq(v, n, "y"))
		rec->psd = DMARC_PSD_Y;
	else if (ieq(v, n, "n"))
		rec->psd = DMARC_PSD_N;
	else if (ieq(v, n, "u"))
		rec->psd = DMARC_PSD_U;
	else
		return TAG_BAD;
	return TAG_OK;
}

/* tag_t - dmarc-yorn: y / n. */
static enum tag_res
tag_t(struct dmarc_record *rec, const char *v, size_t n)
{
	if (ieq(v, n, "y"))
		rec->t = true;
	else if (ieq(v, n, "n"))
		rec->t = false;
	else
		return TAG_BAD;
	return TAG_OK;
}

/*
 * tag_fo - dmarc-fo: colon-separated, "0" and "1" mutually exclusive, each
 * of "d" and "s" at most once, no empty element.  The three ABNF
 * alternatives together allow exactly every ordering of such a set.
 */
static enum tag_res
tag_fo(struct dmarc_record *rec, const char *v, size_t n)
{
	unsigned flags = 0, bit;
	size_t i;

	for (i = 0; i < n; i += 2) {
		switch (lower(v[i])) {
		case '0': bit = DMARC_FO_0; break;
		case '1': bit = DMARC_FO_1; break;
		case 'd': bit = DMARC_FO_D; break;
		case 's': bit = DMARC_FO_S; break;
		default: return TAG_BAD;
		}
		if ((flags & bit) != 0)
			return TAG_BAD;
		if ((bit & (DMARC_FO_0 | DMARC_FO_1)) != 0 &&
		    (flags & (DMARC_FO_0 | DMARC_FO_1)) != 0)
			return TAG_BAD;
		flags |= bit;
		if (i + 1 < n && (v[i + 1] != ':' || i + 2 == n))
			return TAG_BAD;
	}
	if (flags == 0)
		return TAG_BAD;
	rec->fo = flags;
	return TAG_OK;
}

/* parse_uint - 1*DIGIT no greater than max. */
static bool
parse_uint(const char *v, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (!is_digit(v[i]))
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
		if (x > max)
			return false;
	}
	*out = x;
	return true;
}

/* tag_pct - historic pct: an integer 0..100 (RFC 7489 6.3). */
static enum tag_res
tag_pct(struct dmarc_record *rec, const char *v, size_t n)
{
	uint64_t x;

	if (!parse_uint(v, n, 100, &x))
		return TAG_BAD;
	rec->pct = (int)x;
	return TAG_OK;
}

/* tag_ri - historic ri: a 32-bit unsigned integer of seconds. */
static enum tag_res
tag_ri(struct dmarc_record *rec, const char *v, size_t n)
{
	uint64_t x;

	if (!parse_uint(v, n, UINT32_MAX, &x))
		return TAG_BAD;
	rec->ri = (uint32_t)x;
	rec->ri_present = true;
	return TAG_OK;
}

/* tag_rf - historic rf: colon-separated "afrf" / "iodef" (RFC 7489 6.3). */
static enum tag_res
tag_rf(struct dmarc_record *rec, const char *v, size_t n)
{
	size_t i = 0, s, e;

	for (;;) {
		while (i < n && is_wsp(v[i]))
			i++;
		for (s = i; i < n && v[i] != ':'; i++)
			;
		for (e = i; e > s && is_wsp(v[e - 1]); e--)
			;
		if (!ieq(v + s, e - s, "afrf") && !ieq(v + s, e - s, "iodef"))
			return TAG_BAD;
		if (i >= n)
			break;
		i++;
	}
	rec->rf_present = true;
	return TAG_OK;
}

/* ---- URIs --------------------------------------------------------------- */

/* is_unreserved - RFC 3986 unreserved. */
static bool
is_unreserved(char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' ||
	    c == '_' || c == '~';
}

/* is_subdelim - RFC 3986 sub-delims, minus ',' and '!' (DMARC: MUST be encoded). */
static bool
is_subdelim(char c)
{
	return c != '\0' && strchr("$&'()*+;=", c) != NULL;
}

/* is_hex - RFC 5234 HEXDIG (case-insensitive). */
static bool
is_hex(char c)
{
	return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f');
}

/*
 * scan_chars - length of the prefix of s made of unreserved, pct-encoded,
 * sub-delims and the characters of extra; a broken %XX ends the scan.
 */
static size_t
scan_chars(const char *s, size_t n, const char *extra)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				break;
			if (!is_hex(s[i + 1]) || !is_hex(s[i + 2]))
				break;
			i += 3;
		} else if (is_unreserved(s[i]) || is_subdelim(s[i]) ||
		    (s[i] != '\0' && strchr(extra, s[i]) != NULL)) {
			i++;
		} else
			break;
	}
	return i;
}

/* valid_host - RFC 3986 host: IP-literal in brackets or reg-name/IPv4. */
static bool
valid_host(const char *s, size_t n)
{
	size_t i;

	if (n > 0 && s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return false;
		for (i = 1; i + 1 < n; i++)
			if (!is_hex(s[i]) && s[i] != ':' && s[i] != '.' &&
			    !is_unreserved(s[i]) && !is_subdelim(s[i]))
				return false;
		return true;
	}
	return scan_chars(s, n, "") == n;
}

/* valid_authority - RFC 3986 authority: [ userinfo "@" ] host [ ":" port ]. */
static bool
valid_authority(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t i, hlen;

	if (at != NULL) {
		i = (size_t)(at - s);
		if (scan_chars(s, i, ":") != i)
			return false;
		s += i + 1;
		n -= i + 1;
	}
	/* the port starts at the last ':' that is not inside an IP-literal */
	hlen = n;
	for (i = n; i > 0; i--) {
		if (s[i - 1] == ']')
			break;
		if (s[i - 1] == ':') {
			hlen = i - 1;
			break;
		}
	}
	for (i = hlen + 1; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return valid_host(s, hlen);
}

/*
 * valid_uri - RFC 3986 "URI": scheme ":" hier-part [ "?" query ]
 * [ "#" fragment ], with ',' and '!' not allowed unencoded (RFC 9989 4.8).
 */
static bool
valid_uri(const char *s, size_t n)
{
	size_t i = 0, a;

	if (n == 0 || !is_alpha(s[0]))
		return false;
	while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' ||
	    s[i] == '-' || s[i] == '.'))
		i++;
	if (i == n || s[i] != ':')
		return false;
	i++;
	if (n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
		i += 2;
		a = i;
		while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#')
			i++;
		if (!valid_authority(s + a, i - a))
			return false;
	}
	/* path (pchar and '/'), then query (pchar, '/', '?') */
	i += scan_chars(s + i, n - i, ":@/");
	if (i < n && s[i] == '?')
		i += 1 + scan_chars(s + i + 1, n - i - 1, ":@/?");
	if (i < n && s[i] == '#')
		i += 1 + scan_chars(s + i + 1, n - i - 1, ":@/?");
	return i == n;
}

/*
 * parse_size - obs-dmarc-report-size after the '!': 1*DIGIT [k/m/g/t]
 * (unit case-insensitive, powers of 1024).  Saturates at UINT64_MAX:
 * reporters ignore the value anyway (RFC 9989 4.8).
 */
static bool
parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t x = 0, mult = 1;
	size_t i, digits = n;

	if (n > 0 && !is_digit(s[n - 1])) {
		switch (lower(s[n - 1])) {
		case 'k': mult = 1ULL << 10; break;
		case 'm': mult = 1ULL << 20; break;
		case 'g': mult = 1ULL << 30; break;
		case 't': mult = 1ULL << 40; break;
		default: return false;
		}
		digits--;
	}
	if (digits == 0)
		return false;
	for (i = 0; i < digits; i++) {
		if (!is_digit(s[i]))
			return false;
		x = x > (UINT64_MAX - 9) / 10 ? UINT64_MAX : x * 10 + (uint64_t)(s[i] - '0');
	}
	*out = x > UINT64_MAX / mult ? UINT64_MAX : x * mult;
	return true;
}

/*
 * uri_list_add - validate one list element (URI plus optional !size) and
 * append it; TAG_BAD when invalid or the list is already full.
 */
static enum tag_res
uri_list_add(struct dmarc_uri_list *l, const char *s, size_t n)
{
	const char *bang = memchr(s, '!', n);
	size_t ulen = bang != NULL ? (size_t)(bang - s) : n;
	uint64_t size = 0;
	char *copy;

	if (bang != NULL && !parse_size(bang + 1, n - ulen - 1, &size))
		return TAG_BAD;
	if (!valid_uri(s, ulen) || l->n >= DMARC_URI_MAX)
		return TAG_BAD;
	if ((copy = malloc(ulen + 1)) == NULL)
		return TAG_NOMEM;
	memcpy(copy, s, ulen);
	copy[ulen] = '\0';
	l->v[l->n].uri = copy;
	l->v[l->n].size_limit = size;
	l->n++;
	return TAG_OK;
}

/*
 * parse_urilist - dmarc-urilist: elements separated by *WSP "," *WSP.
 * Valid elements are kept (at most DMARC_URI_MAX); any invalid element, or
 * one past the maximum, makes the result TAG_BAD while the valid ones stay:
 * only the erroneous parts are discarded (RFC 9989 4.8).
 */
static enum tag_res
parse_urilist(struct dmarc_uri_list *l, const char *v, size_t n)
{
	enum tag_res res = TAG_OK, r;
	size_t i = 0, s, e;

	for (;;) {
		while (i < n && is_wsp(v[i]))
			i++;
		for (s = i; i < n && v[i] != ','; i++)
			;
		for (e = i; e > s && is_wsp(v[e - 1]); e--)
			;
		if ((r = uri_list_add(l, v + s, e - s)) == TAG_NOMEM)
			return TAG_NOMEM;
		if (r == TAG_BAD)
			res = TAG_BAD;
		if (i >= n)
			break;
		i++;
	}
	return res;
}

/* tag_rua - rua=, aggregate report URIs. */
static enum tag_res
tag_rua(struct dmarc_record *rec, const char *v, size_t n)
{
	return parse_urilist(&rec->rua, v, n);
}

/* tag_ruf - ruf=, failure report URIs. */
static enum tag_res
tag_ruf(struct dmarc_record *rec, const char *v, size_t n)
{
	return parse_urilist(&rec->ruf, v, n);
}

/* ---- the record --------------------------------------------------------- */

/* The known tags; anything else is ignored (RFC 9989 4.7). */
static const struct tag_def {
	const char *name;
	enum tag_res (*parse)(struct dmarc_record *, const char *, size_t);
	unsigned bad;
} tag_defs[] = {
	{ "p", tag_p, DMARC_BAD_P },
	{ "sp", tag_sp, DMARC_BAD_SP },
	{ "np", tag_np, DMARC_BAD_NP },
	{ "adkim", tag_adkim, DMARC_BAD_ADKIM },
	{ "aspf", tag_aspf, DMARC_BAD_ASPF },
	{ "fo", tag_fo, DMARC_BAD_FO },
	{ "rua", tag_rua, DMARC_BAD_RUA },
	{ "ruf", tag_ruf, DMARC_BAD_RUF },
	{ "psd", tag_psd, DMARC_BAD_PSD },
	{ "t", tag_t, DMARC_BAD_T },
	{ "pct", tag_pct, DMARC_BAD_PCT },
	{ "rf", tag_rf, DMARC_BAD_RF },
	{ "ri", tag_ri, DMARC_BAD_RI },
	{ "v", NULL, 0 },	/* a repeated v= is ignored */
};

/* record_init - every field at its RFC 9989 default. */
static void
record_init(struct dmarc_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->p = DMARC_POLICY_UNSET;
	rec->sp = DMARC_POLICY_UNSET;
	rec->np = DMARC_POLICY_UNSET;
	rec->adkim = DMARC_ALIGN_RELAXED;
	rec->aspf = DMARC_ALIGN_RELAXED;
	rec->psd = DMARC_PSD_U;
	rec->fo = DMARC_FO_0;
	rec->pct = -1;
	rec->ri = 86400;
}

/*
 * value_ok - dmarc-value: 1*(%x20-3A / %x3C-7E).  HTAB is let through as
 * well: dmarc-urilist allows *WSP around its commas, which the generic
 * dmarc-value rule forgot; every other value parser rejects it anyway.
 */
static bool
value_ok(const char *v, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') ||
		    (unsigned char)v[i] > 0x7e)
			return false;
	return true;
}

/*
 * apply_term - dispatch one term after v=.  *seen has one bit per tag_defs
 * entry: only the first occurrence of a tag counts.
 */
static enum tag_res
apply_term(struct dmarc_record *rec, const struct term *t, unsigned *seen)
{
	const struct tag_def *d;
	enum tag_res r;
	size_t i;

	if (!t->has_eq)
		return TAG_OK;		/* not a tag: a syntax error of this term only */
	for (i = 0; i < sizeof(tag_defs) / sizeof(tag_defs[0]); i++)
		if (ieq(t->name, t->nlen, tag_defs[i].name))
			break;
	if (i == sizeof(tag_defs) / sizeof(tag_defs[0]) || (*seen & (1u << i)) != 0)
		return TAG_OK;		/* unknown or repeated: ignored */
	*seen |= 1u << i;
	d = &tag_defs[i];
	if (d->parse == NULL)
		return TAG_OK;
	r = value_ok(t->val, t->vlen) ? d->parse(rec, t->val, t->vlen) : TAG_BAD;
	if (r == TAG_BAD)
		rec->invalid |= d->bad;
	return r;
}

/*
 * apply_no_p_rule - RFC 9989 4.10.1: a record without a valid p, or with
 * an invalid sp or np, is used as if it were "v=DMARC1; p=none" when rua
 * holds at least one syntactically valid URI, and is not used otherwise.
 *
 * Section 4.7 also says a missing p in "an otherwise syntactically valid"
 * record is read as p=none, but points to 4.10.1 for how: we read the two
 * together as one rule, so a record with neither p nor a valid rua (e.g.
 * "v=DMARC1" or "v=DMARC1; psd=y") is UNUSABLE as a policy.  Its other tags
 * (psd in particular) are still parsed and returned: the organizational
 * domain selection of 4.10.2 looks at psd on any DMARC record.
 */
static enum dmarc_record_status
apply_no_p_rule(struct dmarc_record *rec, char *reason, size_t reasonsize)
{
	bool bad_sub = (rec->invalid & (DMARC_BAD_SP | DMARC_BAD_NP)) != 0;

	if (rec->p_explicit && !bad_sub)
		return DMARC_RECORD_OK;
	if (rec->rua.n > 0) {
		rec->rua_rule = true;
		rec->p = DMARC_POLICY_NONE;
		rec->sp = DMARC_POLICY_UNSET;
		rec->np = DMARC_POLICY_UNSET;
		return DMARC_RECORD_OK;
	}
	if (bad_sub)
		set_reason(reason, reasonsize, (rec->invalid & DMARC_BAD_SP) != 0 ?
		    "invalid sp= value and no valid rua=" : "invalid np= value and no valid rua=");
	else if ((rec->invalid & DMARC_BAD_P) != 0)
		set_reason(reason, reasonsize, "invalid p= value and no valid rua=");
	else
		set_reason(reason, reasonsize, "no p= tag and no valid rua=");
	return DMARC_RECORD_UNUSABLE;
}

/* check_version - the first term must be v=DMARC1; explains why not. */
static bool
check_version(const char *txt, size_t len, size_t *pos, char *reason, size_t reasonsize)
{
	struct term t;

	if (len == 0) {
		set_reason(reason, reasonsize, "empty record");
		return false;
	}
	if (!next_term(txt, len, pos, &t) || !t.has_eq || !ieq(t.name, t.nlen, "v")) {
		set_reason(reason, reasonsize, "first tag is not v=");
		return false;
	}
	if (!term_is_version(&t)) {
		set_reason(reason, reasonsize, "v= value is not \"DMARC1\" (case-sensitive)");
		return false;
	}
	return true;
}

enum dmarc_record_status
dmarc_record_parse(const char *txt, size_t len, struct dmarc_record *rec,
    char *reason, size_t reasonsize)
{
	struct term t;
	size_t pos = 0;
	unsigned seen = 0;

	record_init(rec);
	set_reason(reason, reasonsize, "");
	if (txt == NULL)
		len = 0;
	if (!check_version(txt, len, &pos, reason, reasonsize))
		return DMARC_RECORD_NOT_DMARC;
	if (len > DNS_TXT_MAX) {
		set_reason(reason, reasonsize, "record longer than DNS_TXT_MAX bytes");
		return DMARC_RECORD_UNUSABLE;
	}
	while (next_term(txt, len, &pos, &t)) {
		if (t.empty)
			continue;
		if (apply_term(rec, &t, &seen) == TAG_NOMEM) {
			dmarc_record_free(rec);
			set_reason(reason, reasonsize, "out of memory");
			return DMARC_RECORD_NOMEM;
		}
	}
	return apply_no_p_rule(rec, reason, reasonsize);
}

/* uri_list_free - release the URIs of one list. */
static void
uri_list_free(struct dmarc_uri_list *l)
{
	size_t i;

	for (i = 0; i < l->n && i < DMARC_URI_MAX; i++)
		free(l->v[i].uri);
	l->n = 0;
}

void
dmarc_record_free(struct dmarc_record *rec)
{
	if (rec == NULL)
		return;
	uri_list_free(&rec->rua);
	uri_list_free(&rec->ruf);
	record_init(rec);
}

/* uri_list_copy - deep copy of one list; -1 (dst holds what was copied) on no memory. */
static int
uri_list_copy(struct dmarc_uri_list *dst, const struct dmarc_uri_list *src)
{
	size_t i, n;

	dst->n = 0;
	for (i = 0; i < src->n && i < DMARC_URI_MAX; i++) {
		n = strlen(src->v[i].uri);
		if ((dst->v[i].uri = malloc(n + 1)) == NULL)
			return -1;
		memcpy(dst->v[i].uri, src->v[i].uri, n + 1);
		dst->v[i].size_limit = src->v[i].size_limit;
		dst->n = i + 1;
	}
	return 0;
}

int
dmarc_record_copy(struct dmarc_record *dst, const struct dmarc_record *src)
{
	*dst = *src;
	dst->rua.n = 0;
	dst->ruf.n = 0;
	if (uri_list_copy(&dst->rua, &src->rua) != 0 ||
	    uri_list_copy(&dst->ruf, &src->ruf) != 0) {
		dmarc_record_free(dst);
		return -1;
	}
	return 0;
}

const char *
dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE:
		return "none";
	case DMARC_POLICY_QUARANTINE:
		return "quarantine";
	case DMARC_POLICY_REJECT:
		return "reject";
	case DMARC_POLICY_UNSET:
		break;
	}
	return "";
}

const char *
dmarc_record_status_name(enum dmarc_record_status st)
{
	switch (st) {
	case DMARC_RECORD_OK:
		return "ok";
	case DMARC_RECORD_NOT_DMARC:
		return "not a DMARC record";
	case DMARC_RECORD_UNUSABLE:
		return "unusable DMARC record";
	case DMARC_RECORD_NOMEM:
		return "out of memory";
	}
	return "unknown";
}
