/*
 * spf.c - SPF checks over libspf2 with a DNS layer on the milter's resolver.
 *
 * Called by the milter's evaluation and the offline checker (spf.h).  Each
 * spf_check builds a private SPF_dns_server_t whose lookup answers TXT, A,
 * AAAA, MX and PTR from resolver_lookup() within the check's deadline, and a
 * private SPF_server_t over it; both are freed before returning.  Nothing
 * libspf2 owns is shared between checks, so concurrent checks need no lock
 * (libspf2's only globals are its error/warning handlers, set nowhere here).
 *
 * The layer also corrects libspf2 (Debian 1.2.10) where it departs from
 * RFC 7208, which is why it looks at what it serves:
 *   - temperror vs permerror: any DNS failure seen makes the check a
 *     temperror (libspf2 says "invalid" for both);
 *   - grammar (4.6.1, 7.1): each SPF record served is checked against the
 *     ABNF first; a bad one makes the check a permerror;
 *   - text libspf2 mis-parses is rewritten to equivalent text: unknown
 *     modifiers dropped (6), redirect= dropped beside "all" (6.1), "/0"
 *     prefixes expressed without /0 (ip4/ip6 as two halves, a/mx through
 *     ANY_SUFFIX names);
 *   - limits (4.6.4) per check, not per record: 10 DNS-querying terms,
 *     2 void lookups; MX names in order of preference (libspf2 stops at
 *     10), PTR names beyond 10 ignored (libspf2 would fail the check);
 *   - an IPv4-mapped IPv6 client is checked as IPv4 (5), a name with an
 *     over-long or empty label does not exist, a single-label domain
 *     gives none (4.3);
 *   - a macro whose digits keep every part loses them (libspf2 would drop
 *     the value's first character, see digits_fixed);
 *   - exp= explanations are found, fetched and expanded here (6.2, 7; see
 *     explanation()), with spf_macro.c;
 *   - a loopback client (127.0.0.0/8, ::1) is checked like any other:
 *     libspf2 passes it for every domain (see query_mailfrom).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <spf2/spf.h>
#include <spf2/spf_dns.h>
#include <spf2/spf_dns_rr.h>

#include "resolver.h"
#include "spf.h"
#include "spf_macro.h"

/* RFC 7208 4.6.4: most MX names one mx mechanism looks at (libspf2 checks). */
#define SPF_MAX_MX_NAMES 10

/* RFC 7208 4.6.4 (ptr) and 7.3 (%{p}): most PTR names looked at. */
#define SPF_MAX_PTR_NAMES 10

/* RFC 7208 4.6.4: most DNS-querying terms (include a mx ptr exists redirect). */
#define SPF_MAX_DNS_TERMS 10

/* RFC 7208 4.6.4: most void lookups (NODATA / NXDOMAIN) per check. */
#define SPF_MAX_VOID_LOOKUPS 2

/* Names of MX/PTR answers remembered, to tell their A lookups apart. */
#define SPF_MAX_TARGETS 32

/*
 * Suffix of the names the rewritten "a/0" and "mx/0" terms ask about: an
 * address query there answers the client's address when the name without
 * the suffix has any address of that type; an MX query answers the real
 * MX names with the suffix added.
 */
#define ANY_SUFFIX "any--authmilter.invalid"

/* Largest text form of a domain name, with its NUL (the resolver takes 254). */
#define SPF_NAME_MAX 256

/*
 * libspf2 sees each record's exp= as "exp=N." EXP_SUFFIX, N the record's
 * index + 1 in the check's table (0: the record has none); see
 * explanation().
 */
#define EXP_SUFFIX "exp--authmilter.invalid"

/* Records whose exp= is remembered per check (more are a permerror anyway). */
#define SPF_MAX_EXPS 24

/* RFC 7208 7.3: the receiver's name for %{r} when none is configured. */
#define SPF_UNKNOWN_RECEIVER "unknown"

struct spf_engine {
	struct resolver *r;
	char receiver[SPF_NAME_MAX];	/* %{r} */
};

/* Longest <sender> kept for the macros: local-part, '@', domain. */
#define SPF_SENDER_MAX (2 * SPF_NAME_MAX)

/* The <sender> identity and client address, for the macros. */
struct spf_ident {
	char sender[SPF_SENDER_MAX];	/* s */
	char local[SPF_NAME_MAX];	/* l (RFC 5321 allows 64; longer is cut) */
	char domain[SPF_NAME_MAX];	/* o */
	char ip[INET6_ADDRSTRLEN];	/* i c v, IPv4-mapped as IPv4 */
};

/* The exp= of one SPF record: its domain-spec and the record's domain. */
struct spf_exp {
	char *spec;			/* NULL: the record has no exp= */
	char domain[SPF_NAME_MAX];	/* %{d} while that record is evaluated */
};

/* State of one check, reached from the DNS layer through its hook. */
struct spf_check_ctx {
	struct resolver *r;
	int64_t deadline_ms;
	bool tempfail;		/* some answer was a temporary failure */
	bool bad_syntax;	/* some SPF record broke the grammar */
	bool syntax_first;	/* ... and that came before any tempfail */
	bool v6;		/* the client is an IPv6 address */
	SPF_request_t *req;	/* the request: the client's address */
	unsigned voids;		/* void lookups so far (RFC 7208 4.6.4) */
	unsigned terms;		/* DNS-querying terms so far (ditto) */
	bool seen_record;	/* the top-level record has been fetched */
	unsigned n_targets;	/* names from MX/PTR answers, a ring */
	char targets[SPF_MAX_TARGETS][SPF_NAME_MAX];
	bool target_ptr[SPF_MAX_TARGETS];	/* the name came from a PTR answer */
	char dns_reason[160];	/* the first such problem */
	/* exp= of each record served (see explanation()), and the last one
	 * libspf2 asked for: 1 + index, 0 none. */
	unsigned n_exps;
	struct spf_exp exps[SPF_MAX_EXPS];
	unsigned exp_asked;
	struct spf_ident id;	/* for the explanation's macros */
};


/* set_text - copy src into dst (bounded, always terminated). */
static void
set_text(char *dst, size_t size, const char *src)
{
	if (size == 0)
		return;
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

/* txt_text - one TXT rdata's character-strings joined into out. */
static int
txt_text(const unsigned char *d, size_t len, char *out)
{
	size_t i = 0, n = 0, l;

	while (i < len) {
		l = d[i++];
		if (l > len - i)
			return -1;
		memcpy(out + n, d + i, l);
		n += l;
		i += l;
	}
	out[n] = '\0';
	/* A NUL would cut the text short: make it a (forbidden) control. */
	while (strlen(out) < n)
		out[strlen(out)] = '\x01';
	return 0;
}

/* rr_set - store one record (rdata d, len) of rr at index idx. */
static int
rr_set(SPF_dns_rr_t *rr, int idx, const unsigned char *d, size_t len)
{
	char name[SPF_NAME_MAX];

	switch (rr->rr_type) {
	case ns_t_a:
	case ns_t_aaaa:
		if (len != (rr->rr_type == ns_t_a ? 4u : 16u) ||
		    SPF_dns_rr_buf_realloc(rr, idx, len) != SPF_E_SUCCESS)
			return -1;
		memcpy(rr->rr[idx], d, len);
		return 0;
	case ns_t_txt:
		if (SPF_dns_rr_buf_realloc(rr, idx, len + 1) != SPF_E_SUCCESS)
			return -1;
		return txt_text(d, len, rr->rr[idx]->txt);
	case ns_t_mx:
	case ns_t_ptr:
		if (resolver_wire_name(d, len, rr->rr_type == ns_t_mx ? 2 : 0, name,
		    sizeof(name)) != 0 ||
		    SPF_dns_rr_buf_realloc(rr, idx, strlen(name) + 1) !=
		    SPF_E_SUCCESS)
			return -1;
		memcpy(rr->rr[idx]->ptr, name, strlen(name) + 1);
		return 0;
	default:
		return -1;
	}
}

/*
 * sort_names - the names of a PTR answer in one fixed order (ASCII,
 * case-insensitive).  RFC 7208 4.6.4 looks at "the first 10" names of an
 * RRset that the DNS gives in no defined order (RFC 2181 5), so without
 * this the names looked at, and the result, could change from one query to
 * the next.  rr_buf_len moves with its record.
 */
static void
sort_names(SPF_dns_rr_t *rr)
{
	SPF_dns_rr_data_t *t;
	size_t l;
	int i, j;

	for (i = 1; i < rr->num_rr; i++) {
		for (j = i; j > 0 && strcasecmp(rr->rr[j - 1]->ptr, rr->rr[j]->ptr) > 0; j--) {
			t = rr->rr[j];
			l = rr->rr_buf_len[j];
			rr->rr[j] = rr->rr[j - 1];
			rr->rr_buf_len[j] = rr->rr_buf_len[j - 1];
			rr->rr[j - 1] = t;
			rr->rr_buf_len[j - 1] = l;
		}
	}
}

/* ------------------------------------------------------------ syntax */

/*
 * RFC 7208 section 4.6.1 and 12: the record grammar.  libspf2 accepts
 * records the grammar rejects (bad domain-end, bad macros, repeated
 * redirect=/exp=, non-ASCII), so every SPF record the layer hands over is
 * checked here first; a failure makes the check a permerror.  Unknown
 * modifiers, which RFC 7208 6 says to ignore but libspf2 rejects when their
 * value holds ':' or '/', are validated and then removed from the text.
 */

/* macro_literal - RFC 7208 7.1 macro-literal: %x21-24 / %x26-7E. */
static bool
macro_literal(unsigned char ch)
{
	return ch >= 0x21 && ch <= 0x7e && ch != '%';
}

/*
 * macro_string - is s[0..n) a macro-string?  *last_macro tells whether it
 * ends with a macro-expand (a valid domain-end by itself).
 */
static bool
macro_string(const char *s, size_t n, bool *last_macro)
{
	size_t i = 0;

	*last_macro = false;
	while (i < n) {
		if (s[i] == '%') {
			if (!spf_macro_parse(s, n, &i, SPF_MACRO_DOMAIN, NULL))
				return false;
			*last_macro = true;
		} else if (macro_literal((unsigned char)s[i])) {
			i++;
			*last_macro = false;
		} else
			return false;
	}
	return true;
}

/* toplabel - RFC 7208 toplabel: alphanumerics, not all digits, inner '-'. */
static bool
toplabel(const char *s, size_t n)
{
	bool alpha = false, dash = false;
	size_t i;

	if (n == 0 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			dash = true;
		else if (isalpha((unsigned char)s[i]))
			alpha = true;
		else if (!isdigit((unsigned char)s[i]))
			return false;
	}
	return alpha || dash;
}

/* domain_spec - RFC 7208 domain-spec: macro-string domain-end. */
static bool
domain_spec(const char *s, size_t n)
{
	bool last_macro;
	size_t dot;

	if (n == 0 || !macro_string(s, n, &last_macro))
		return false;
	if (last_macro)
		return true;
	if (s[n - 1] == '.')
		n--;
	for (dot = n; dot > 0 && s[dot - 1] != '.'; dot--)
		continue;
	if (dot == 0 || memchr(s + dot, '%', n - dot) != NULL)
		return false;
	return toplabel(s + dot, n - dot);
}

/* cidr - "/" 0..max without leading zeros at s[0..n); *used its length. */
static bool
cidr(const char *s, size_t n, unsigned max, size_t *used)
{
	unsigned v = 0;
	size_t i = 1;

	if (n < 2 || s[0] != '/' || !isdigit((unsigned char)s[1]))
		return false;
	if (s[1] == '0' && n > 2 && isdigit((unsigned char)s[2]))
		return false;
	while (i < n && isdigit((unsigned char)s[i]) && i < 5)
		v = v * 10 + (unsigned)(s[i++] - '0');
	*used = i;
	return v <= max;
}

/* dual_cidr - [ip4-cidr] ["/" ip6-cidr] filling all of s[0..n). */
static bool
dual_cidr(const char *s, size_t n)
{
	size_t used = 0;

	if (n > 0 && !(n > 1 && s[1] == '/')) {
		if (!cidr(s, n, 32, &used))
			return false;
		s += used;
		n -= used;
	}
	if (n == 0)
		return true;
	if (n < 2 || s[0] != '/' || !cidr(s + 1, n - 1, 128, &used))
		return false;
	return used == n - 1;
}

/* ip_network - an ip4/ip6 argument: address then optional cidr. */
static bool
ip_network(const char *s, size_t n, bool v6)
{
	char buf[64];
	unsigned char addr[16];
	size_t alen = 0, used = 0;

	while (alen < n && s[alen] != '/')
		alen++;
	if (alen == 0 || alen >= sizeof(buf))
		return false;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) != 1)
		return false;
	if (alen == n)
		return true;
	return cidr(s + alen, n - alen, v6 ? 128 : 32, &used) &&
	    used == n - alen;
}

/*
 * cidr_split - where the dual-cidr starts in the rest s[0..n) of an a or mx
 * term: 0 without ":domain", n without cidr, (size_t)-1 when invalid.  A
 * '/' may belong to the domain-spec (a macro-literal), so the cidr is the
 * suffix after the last '/' split that leaves a valid domain-spec.
 */
static size_t
cidr_split(const char *s, size_t n)
{
	size_t d;

	if (n == 0 || s[0] != ':')
		return 0;
	if (domain_spec(s + 1, n - 1))
		return n;
	for (d = n - 1; d > 1; d--)
		if (s[d] == '/' && dual_cidr(s + d, n - d) &&
		    domain_spec(s + 1, d - 1))
			return d;
	return (size_t)-1;
}

/* spec_and_cidr - [":" domain-spec] [dual-cidr] of a and mx. */
static bool
spec_and_cidr(const char *s, size_t n)
{
	size_t d = cidr_split(s, n);

	if (d == (size_t)-1)
		return false;
	return d != 0 || dual_cidr(s, n);
}

/* mech_is - does term t[0..n) start with mechanism name m? *rest after. */
static bool
mech_is(const char *t, size_t n, const char *m, size_t *rest)
{
	size_t l = strlen(m);

	if (n < l || strncasecmp(t, m, l) != 0 ||
	    (n > l && t[l] != ':' && t[l] != '/'))
		return false;
	*rest = l;
	return true;
}

/* directive_ok - [qualifier] mechanism. */
static bool
directive_ok(const char *t, size_t n)
{
	size_t r;

	if (n > 0 && strchr("+-~?", t[0]) != NULL) {
		t++;
		n--;
	}
	if (n == 3 && strncasecmp(t, "all", 3) == 0)
		return true;
	if (mech_is(t, n, "include", &r) || mech_is(t, n, "exists", &r))
		return n > r + 1 && t[r] == ':' && domain_spec(t + r + 1,
		    n - r - 1);
	if (mech_is(t, n, "a", &r) || mech_is(t, n, "mx", &r))
		return spec_and_cidr(t + r, n - r);
	if (mech_is(t, n, "ptr", &r))
		return n == r || (t[r] == ':' && domain_spec(t + r + 1,
		    n - r - 1));
	if (mech_is(t, n, "ip4", &r) || mech_is(t, n, "ip6", &r))
		return n > r + 1 && t[r] == ':' && ip_network(t + r + 1,
		    n - r - 1, t[2] == '6');
	return false;
}

/* modifier_name - length of a modifier's name when t is "name=...", else 0. */
static size_t
modifier_name(const char *t, size_t n)
{
	size_t i = 1;

	if (n == 0 || !isalpha((unsigned char)t[0]))
		return 0;
	while (i < n && (isalnum((unsigned char)t[i]) || t[i] == '-' ||
	    t[i] == '_' || t[i] == '.'))
		i++;
	return (i < n && t[i] == '=') ? i : 0;
}

/* Per-record syntax state: repeated modifiers are errors (RFC 7208 6). */
struct spf_syntax {
	unsigned redirects, exps;
	bool all;		/* an "all" mechanism is present */
};

/*
 * term_check - one term; 1 keep, 2 keep (redirect=), 3 exp= (the layer
 * handles it), 0 drop (unknown modifier), -1 invalid.
 */
static int
term_check(const char *t, size_t n, struct spf_syntax *st)
{
	size_t name = modifier_name(t, n);
	bool last;

	if (name == 0) {
		if (n >= 3 && strncasecmp(t + n - 3, "all", 3) == 0 &&
		    (n == 3 || (n == 4 && strchr("+-~?", t[0]) != NULL)))
			st->all = true;
		return directive_ok(t, n) ? 1 : -1;
	}
	if (name == 8 && strncasecmp(t, "redirect", 8) == 0)
		return (st->redirects++ == 0 &&
		    domain_spec(t + 9, n - 9)) ? 2 : -1;
	if (name == 3 && strncasecmp(t, "exp", 3) == 0)
		return (st->exps++ == 0 && domain_spec(t + 4, n - 4)) ? 3 : -1;
	return macro_string(t + name + 1, n - name - 1, &last) ? 0 : -1;
}

/* is_spf_record - does TXT text start with the version "v=spf1"? */
static bool
is_spf_record(const char *txt)
{
	return strncasecmp(txt, "v=spf1", 6) == 0 &&
	    (txt[6] == '\0' || txt[6] == ' ');
}

/*
 * The macro values a record will be expanded with, for digits_fixed(): the
 * sender's parts, the record's own domain (%{d}), HELO and client address.
 */
struct macro_fix {
	const char *s, *l, *o, *d, *h;
	char i[80];		/* %{i}: dotted IPv4 or the IPv6 nibbles */
	const char *v;
};

/* A record being rewritten for libspf2; overflow makes it unusable. */
struct spf_out {
	char *p;
	size_t n, size;
	bool overflow;
	const char *exp;	/* the exp= domain-spec in the input, or NULL */
	size_t exp_len;
	const struct macro_fix *fix;	/* NULL: macros copied as they are */
};

/* out_put - append s[0..n) to o. */
static void
out_put(struct spf_out *o, const char *s, size_t n)
{
	if (o->n + n >= o->size) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
}

/* out_str - append a string to o. */
static void
out_str(struct spf_out *o, const char *s)
{
	out_put(o, s, strlen(s));
}

/* fix_value - the value a macro letter will have, NULL if unknown (%{p}). */
static const char *
fix_value(const struct macro_fix *f, char letter)
{
	switch (letter) {
	case 's': return f->s;
	case 'l': return f->l;
	case 'o': return f->o;
	case 'd': return f->d;
	case 'h': return f->h;
	case 'i': return f->i;
	case 'v': return f->v;
	default: return NULL;
	}
}

/*
 * digits_fixed - does the macro need its digit transformer dropped?
 * libspf2 1.2.10 (SPF_record_expand_data) loses the first character of a
 * value that has no more parts than the digits ask for ("%{l1r+}" of "joel"
 * gives "oel", "%{d3}" of "example.com" "xample.com"); keeping that many
 * right-hand parts keeps them all, so the digits can go.  A %{p} value is
 * not known before libspf2 looks it up, so that one cannot be corrected.
 */
static bool
digits_fixed(const struct macro_fix *f, const struct spf_macro_term *t)
{
	const char *value = fix_value(f, t->letter), *delims, *p;
	unsigned parts = 1;

	if (t->digits == 0 || value == NULL)
		return false;
	delims = t->delims[0] != '\0' ? t->delims : ".";
	for (p = value; (p = strpbrk(p, delims)) != NULL; p++)
		parts++;
	return parts <= t->digits;
}

/* out_spec - append term text s[0..n), correcting macros (digits_fixed). */
static void
out_spec(struct spf_out *o, const char *s, size_t n)
{
	struct spf_macro_term t;
	size_t i = 0, start;

	while (i < n) {
		start = i;
		if (s[i] != '%' || o->fix == NULL ||
		    !spf_macro_parse(s, n, &i, SPF_MACRO_DOMAIN, &t)) {
			out_put(o, s + i, 1);
			i = start + 1;
			continue;
		}
		if (t.digits == 0 || !digits_fixed(o->fix, &t)) {
			out_put(o, s + start, i - start);
			continue;
		}
		out_put(o, s + start, 3);	/* "%{" and the letter */
		if (t.reverse)
			out_put(o, "r", 1);
		out_str(o, t.delims);
		out_put(o, "}", 1);
	}
}

/* dual_values - the ip4 and ip6 prefix lengths of a valid dual-cidr (-1). */
static void
dual_values(const char *s, size_t n, int *v4, int *v6)
{
	size_t i = 0;

	*v4 = *v6 = -1;
	if (n > 1 && s[0] == '/' && s[1] != '/') {
		for (*v4 = 0, i = 1; i < n && isdigit((unsigned char)s[i]); i++)
			*v4 = *v4 * 10 + (s[i] - '0');
	}
	if (i + 2 < n && s[i] == '/' && s[i + 1] == '/')
		for (*v6 = 0, i += 2; i < n && isdigit((unsigned char)s[i]); i++)
			*v6 = *v6 * 10 + (s[i] - '0');
}

/*
 * emit_a_mx - an a or mx term for a client of family v6 or not.  libspf2
 * rejects a prefix length of 0, so the prefix of the other family is
 * dropped (it cannot matter), and a term with /0 for the client's family
 * is sent to ANY_SUFFIX names, at which the layer answers with the
 * client's own address whenever the real name has an address record:
 * exactly what /0 means (any address matches).
 */
static void
emit_a_mx(struct spf_out *o, const char *t, size_t n, size_t q, size_t r,
    bool v6)
{
	size_t d = cidr_split(t + q + r, n - q - r);
	const char *dom = t + q + r;
	char num[16];
	int c4, c6, keep;

	dual_values(dom + d, n - q - r - d, &c4, &c6);
	keep = v6 ? c6 : c4;
	out_put(o, t, q + r);
	if (keep == 0) {
		if (d > 0)
			out_spec(o, dom, d);
		else
			out_str(o, ":%{d}");
		out_str(o, "." ANY_SUFFIX);
		return;
	}
	out_spec(o, dom, d);
	if (keep > 0) {
		snprintf(num, sizeof(num), v6 ? "//%d" : "/%d", keep);
		out_str(o, num);
	}
}

/*
 * emit_term - append one valid term, rewritten where libspf2 would get it
 * wrong: ip4:x/0 and ip6:x/0 become the two halves of the address space.
 */
static void
emit_term(struct spf_out *o, const char *t, size_t n, bool v6)
{
	size_t q = (n > 0 && strchr("+-~?", t[0]) != NULL) ? 1 : 0, r;
	bool zero = n > 2 && t[n - 2] == '/' && t[n - 1] == '0';

	if (mech_is(t + q, n - q, "ip4", &r) && zero) {
		out_put(o, t, q);
		out_str(o, "ip4:0.0.0.0/1 ");
		out_put(o, t, q);
		out_str(o, "ip4:128.0.0.0/1");
	} else if (mech_is(t + q, n - q, "ip6", &r) && zero) {
		out_put(o, t, q);
		out_str(o, "ip6:::/1 ");
		out_put(o, t, q);
		out_str(o, "ip6:8000::/1");
	} else if (mech_is(t + q, n - q, "a", &r) ||
	    mech_is(t + q, n - q, "mx", &r))
		emit_a_mx(o, t, n, q, r, v6);
	else
		out_spec(o, t, n);
}

/*
 * record_check - validate the SPF record txt and write into o the text
 * libspf2 is to see: unknown modifiers dropped, redirect= dropped when the
 * record has "all" (RFC 7208 6.1: it MUST then be ignored), exp= taken
 * out into o->exp (check_records puts a stand-in in its place), terms
 * rewritten by emit_term.  false when the record breaks the grammar.
 */
static bool
record_check(const char *txt, struct spf_out *o, bool v6)
{
	struct spf_syntax st = {0, 0, false};
	size_t i = 6, n, redir = 0, redir_len = 0;
	int keep;

	out_put(o, txt, 6);
	while (txt[i] != '\0') {
		if (txt[i] != ' ')
			return false;
		while (txt[i] == ' ')
			i++;
		n = strcspn(txt + i, " ");
		if (n == 0)
			break;
		if ((keep = term_check(txt + i, n, &st)) < 0)
			return false;
		if (keep == 3) {	/* exp=: kept aside, see explanation() */
			o->exp = txt + i + 4;
			o->exp_len = n - 4;
			keep = 0;
		}
		if (keep == 2)
			redir = o->n;
		if (keep)
			out_put(o, " ", 1);
		if (keep)
			emit_term(o, txt + i, n, v6);
		if (keep == 2)
			redir_len = o->n - redir;
		i += n;
	}
	if (st.all && redir_len > 0 && !o->overflow) {
		memmove(o->p + redir, o->p + redir + redir_len,
		    o->n - redir - redir_len);
		o->n -= redir_len;
	}
	if (o->n < o->size)
		o->p[o->n] = '\0';
	return true;
}

/* ------------------------------------------------------------ DNS layer */

/* herrno_of - libspf2's h_errno for a resolver status. */
static SPF_dns_stat_t
herrno_of(enum dns_rcode rc)
{
	switch (rc) {
	case DNS_OK:
		return NETDB_SUCCESS;
	case DNS_NODATA:
		return NO_DATA;
	case DNS_NXDOMAIN:
		return HOST_NOT_FOUND;
	default:
		return TRY_AGAIN;	/* RFC 7208 5: any other error */
	}
}

/*
 * name_valid - can name be asked at all?  RFC 7208 4.3 and 5: a name with
 * an empty label or a label over 63 octets does not exist; the resolver
 * would call it a syntax error, which is not a temporary failure.
 */
static bool
name_valid(const char *name)
{
	size_t n = strlen(name), l;

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return false;
	while (n > 0) {
		l = strcspn(name, ".");
		if (l == 0 || l > 63)
			return false;
		if (l >= n)
			break;
		name += l + 1;
		n -= l + 1;
	}
	return true;
}

/* note_tempfail - remember a temporary failure for the result mapping. */
static void
note_tempfail(struct spf_check_ctx *c, const char *name, const char *why)
{
	/* A reason cut short is fine: it is only for the log. */
	if (!c->tempfail && !c->bad_syntax &&
	    snprintf(c->dns_reason, sizeof(c->dns_reason), "DNS %s: %s",
	    name, why) >= (int)sizeof(c->dns_reason))
		c->dns_reason[sizeof(c->dns_reason) - 1] = '\0';
	c->tempfail = true;
}

/* note_syntax - a permanent error (RFC 7208 grammar or limits) at name. */
static void
note_syntax(struct spf_check_ctx *c, const char *name, const char *why)
{
	if (!c->bad_syntax && !c->tempfail) {
		c->syntax_first = true;
		if (snprintf(c->dns_reason, sizeof(c->dns_reason), "%s at %s",
		    why, name) >= (int)sizeof(c->dns_reason))
			c->dns_reason[sizeof(c->dns_reason) - 1] = '\0';
	}
	c->bad_syntax = true;
}

/* fix_init - the values libspf2 expands the macros of name's record with. */
static void
fix_init(const struct spf_check_ctx *c, const char *name, struct macro_fix *f)
{
	const SPF_request_t *req = c->req;
	size_t k, n = 0;

	memset(f, 0, sizeof(*f));
	f->s = req->env_from;
	f->l = req->env_from_lp;
	f->o = req->env_from_dp;
	f->d = name;
	f->h = req->helo_dom;
	f->v = req->client_ver == AF_INET6 ? "ip6" : "in-addr";
	if (req->client_ver != AF_INET6) {
		inet_ntop(AF_INET, &req->ipv4, f->i, sizeof(f->i));
		return;
	}
	for (k = 0; k < 16; k++)
		n += (size_t)snprintf(f->i + n, sizeof(f->i) - n, "%s%x.%x",
		    k > 0 ? "." : "", req->ipv6.s6_addr[k] >> 4,
		    req->ipv6.s6_addr[k] & 15);
}

/*
 * exp_standin - remember the exp= of a record fetched for name and append
 * its stand-in " exp=N.EXP_SUFFIX" (N = 0 when there is none, or when the
 * table is full: no explanation then).
 */
static void
exp_standin(struct spf_check_ctx *c, struct spf_out *o, const char *name)
{
	struct spf_exp *x;
	unsigned idx = 0;
	char term[64];

	if (o->exp != NULL && c->n_exps < SPF_MAX_EXPS) {
		x = &c->exps[c->n_exps];
		x->spec = strndup(o->exp, o->exp_len);
		set_text(x->domain, sizeof(x->domain), name);
		if (x->spec != NULL)
			idx = ++c->n_exps;
	}
	snprintf(term, sizeof(term), " exp=%u." EXP_SUFFIX, idx);
	out_str(o, term);
	if (!o->overflow)
		o->p[o->n] = '\0';
}

/*
 * check_records - validate the SPF records of a TXT answer and hand libspf2
 * their rewritten text (record_check).  An invalid one is cut to "v=spf1"
 * so that libspf2 does no more work for it, and the check is marked to end
 * in permerror.
 */
static void
check_records(struct spf_check_ctx *c, SPF_dns_rr_t *rr, const char *name)
{
	struct macro_fix fix;
	struct spf_out o;
	char *txt;
	int i;

	fix_init(c, name, &fix);
	for (i = 0; i < rr->num_rr; i++) {
		txt = rr->rr[i]->txt;
		if (!is_spf_record(txt))
			continue;
		memset(&o, 0, sizeof(o));
		o.fix = &fix;
		o.size = 4 * strlen(txt) + 128;
		if ((o.p = malloc(o.size)) == NULL) {
			note_tempfail(c, name, "out of memory");
			continue;
		}
		if (record_check(txt, &o, c->v6))
			exp_standin(c, &o, name);
		else
			o.overflow = true;
		if (o.overflow) {
			note_syntax(c, name, "invalid SPF record");
			txt[6] = '\0';
		} else if (SPF_dns_rr_buf_realloc(rr, i, o.n + 1) ==
		    SPF_E_SUCCESS)
			memcpy(rr->rr[i]->txt, o.p, o.n + 1);
		else
			note_tempfail(c, name, "out of memory");
		free(o.p);
	}
}

/* mx_pref - the preference of MX rdata i of ans (malformed: last). */
static unsigned
mx_pref(const struct resolver_answer *ans, size_t i)
{
	if (ans->len[i] < 2)
		return 65536;
	return (unsigned)ans->data[i][0] << 8 | ans->data[i][1];
}

/*
 * fill_rr - copy the records of ans into rr; -1 on a malformed record.  MX
 * names go in order of preference (stable): RFC 7208 4.6.4 lets an mx
 * mechanism look at 10 of them, and libspf2 takes them in the order given,
 * which the DNS does not define.
 */
static int
fill_rr(SPF_dns_rr_t *rr, const struct resolver_answer *ans)
{
	size_t i, j, n = ans->n < 1000 ? ans->n : 1000, *order;
	int rc = 0;

	if ((order = calloc(n > 0 ? n : 1, sizeof(*order))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		for (j = i; j > 0 && rr->rr_type == ns_t_mx &&
		    mx_pref(ans, order[j - 1]) > mx_pref(ans, i); j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = rr_set(rr, (int)i, ans->data[order[i]],
		    (size_t)ans->len[order[i]]);
	free(order);
	if (rc != 0)
		return -1;
	rr->num_rr = (int)n;
	return 0;
}

/* remember_targets - the names of an MX or PTR answer. */
static void
remember_targets(struct spf_check_ctx *c, const SPF_dns_rr_t *rr)
{
	int i;

	for (i = 0; i < rr->num_rr; i++) {
		c->target_ptr[c->n_targets % SPF_MAX_TARGETS] = rr->rr_type == ns_t_ptr;
		set_text(c->targets[c->n_targets++ % SPF_MAX_TARGETS],
		    SPF_NAME_MAX, rr->rr[i]->mx);
	}
}

/*
 * is_ptr_target - is name one of the remembered PTR names?  A DNS error
 * while validating one skips that name (RFC 7208 5.5).
 */
static bool
is_ptr_target(const struct spf_check_ctx *c, const char *name)
{
	unsigned i, n = c->n_targets < SPF_MAX_TARGETS ? c->n_targets :
	    SPF_MAX_TARGETS;

	for (i = 0; i < n; i++)
		if (c->target_ptr[i] && strcasecmp(c->targets[i], name) == 0)
			return true;
	return false;
}

/* is_target - is name one of the remembered MX/PTR names? */
static bool
is_target(const struct spf_check_ctx *c, const char *name)
{
	unsigned i, n = c->n_targets < SPF_MAX_TARGETS ? c->n_targets :
	    SPF_MAX_TARGETS;

	for (i = 0; i < n; i++)
		if (strcasecmp(c->targets[i], name) == 0)
			return true;
	return false;
}

/*
 * count_void - RFC 7208 4.6.4: more than two lookups of terms answering
 * NODATA or NXDOMAIN is a permerror.  Counted: the A, AAAA, MX and PTR
 * lookups of a, mx, ptr and exists; not the address lookups of MX and PTR
 * names.  TXT lookups are not counted: a void include or redirect target
 * is a permerror by itself, and a void exp= must not change the result.
 */
static void
count_void(struct spf_check_ctx *c, const char *name, ns_type type,
    enum dns_rcode rc, const SPF_dns_rr_t *rr)
{
	if (rc == DNS_OK && rr != NULL && (type == ns_t_mx ||
	    type == ns_t_ptr))
		remember_targets(c, rr);
	if ((rc != DNS_NODATA && rc != DNS_NXDOMAIN) || type == ns_t_txt ||
	    ((type == ns_t_a || type == ns_t_aaaa) && is_target(c, name)))
		return;
	if (++c->voids > SPF_MAX_VOID_LOOKUPS)
		note_syntax(c, name, "more than 2 void lookups");
}

/* has_spf_record - does a TXT answer hold an SPF record? */
static bool
has_spf_record(const SPF_dns_rr_t *rr)
{
	int i;

	for (i = 0; i < rr->num_rr; i++)
		if (is_spf_record(rr->rr[i]->txt))
			return true;
	return false;
}

/*
 * count_term - RFC 7208 4.6.4: more than 10 terms that query the DNS is a
 * permerror.  libspf2 counts per record, not per check, so the layer
 * counts the lookups that stand for a term: a TXT answer holding an SPF
 * record other than the first (include, redirect; not exp=, whose text is
 * no SPF record), MX and PTR lookups, and A/AAAA lookups other than those
 * of MX and PTR names.  A void include/redirect is a permerror anyway.
 * Approximation: the PTR and A lookups of a %{p} macro count too.
 */
static void
count_term(struct spf_check_ctx *c, const char *name, ns_type type,
    enum dns_rcode rc, const SPF_dns_rr_t *rr)
{
	if (type == ns_t_txt) {
		if (rc != DNS_OK || rr == NULL || !has_spf_record(rr))
			return;
		if (!c->seen_record) {
			c->seen_record = true;
			return;
		}
	} else if ((type == ns_t_a || type == ns_t_aaaa) && is_target(c, name))
		return;
	if (++c->terms > SPF_MAX_DNS_TERMS)
		note_syntax(c, name, "more than 10 DNS-querying terms");
}

/* layer_query - one query via the resolver, as libspf2 wants it. */
static SPF_dns_rr_t *
layer_query(SPF_dns_server_t *dns, const char *domain, ns_type type)
{
	struct spf_check_ctx *c = dns->hook;
	struct resolver_answer ans;
	enum dns_rcode rc;
	SPF_dns_rr_t *rr;

	rc = resolver_lookup(c->r, domain, (int)type, c->deadline_ms, &ans);
	rr = SPF_dns_rr_new_init(dns, domain, type, 0, herrno_of(rc));
	if (rr != NULL && rc == DNS_OK && fill_rr(rr, &ans) != 0) {
		rr->num_rr = 0;
		rr->herrno = TRY_AGAIN;
		rc = DNS_PERMFAIL;
		set_text(ans.reason, sizeof(ans.reason), "malformed record");
	}
	if (rr != NULL && rc == DNS_OK && type == ns_t_txt)
		check_records(c, rr, domain);
	/*
	 * RFC 7208 4.6.4: more than 10 MX names is a permerror once the first
	 * 10 did not match, as libspf2 does by itself; of more than 10 PTR
	 * names the rest are ignored, where libspf2 would fail the check.
	 */
	if (rr != NULL && rc == DNS_OK && type == ns_t_ptr)
		sort_names(rr);
	if (rr != NULL && rc == DNS_OK && type == ns_t_ptr &&
	    rr->num_rr > SPF_MAX_PTR_NAMES)
		rr->num_rr = SPF_MAX_PTR_NAMES;
	if (rr != NULL && (rc == DNS_TEMPFAIL || rc == DNS_PERMFAIL) &&
	    (type == ns_t_a || type == ns_t_aaaa) && is_ptr_target(c, domain)) {
		rr->herrno = HOST_NOT_FOUND;	/* RFC 7208 5.5: skip the name */
		rc = DNS_NXDOMAIN;
	}
	count_term(c, domain, type, rc, rr);
	count_void(c, domain, type, rc, rr);
	if (rc == DNS_TEMPFAIL || rc == DNS_PERMFAIL || rr == NULL)
		note_tempfail(c, domain, rr == NULL ? "out of memory" :
		    ans.reason);
	resolver_answer_free(&ans);
	return rr;
}

/*
 * any_name - is name "REAL." ANY_SUFFIX?  REAL goes to out when out is not
 * NULL.
 */
static bool
any_name(const char *name, char *out, size_t outsize)
{
	size_t n = strlen(name), sl = strlen(ANY_SUFFIX);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n < sl + 2 || name[n - sl - 1] != '.' ||
	    strncasecmp(name + n - sl, ANY_SUFFIX, sl) != 0)
		return false;
	if (out != NULL)
		snprintf(out, outsize, "%.*s", (int)(n - sl - 1), name);
	return true;
}

/* any_mx - MX names of real, each with ANY_SUFFIX, into rr. */
static void
any_mx(SPF_dns_rr_t *rr)
{
	char name[SPF_NAME_MAX];
	int i, k = 0;

	for (i = 0; i < rr->num_rr; i++) {
		if (snprintf(name, sizeof(name), "%s.%s", rr->rr[i]->mx,
		    ANY_SUFFIX) >= (int)sizeof(name))
			continue;
		if (SPF_dns_rr_buf_realloc(rr, k, strlen(name) + 1) !=
		    SPF_E_SUCCESS)
			break;
		memcpy(rr->rr[k++]->mx, name, strlen(name) + 1);
	}
	rr->num_rr = k;
}

/*
 * any_lookup - a query at an ANY_SUFFIX name (see emit_a_mx): the real
 * lookup, then for A/AAAA the client's address in place of the records.
 */
static SPF_dns_rr_t *
any_lookup(SPF_dns_server_t *dns, const char *domain, ns_type type)
{
	struct spf_check_ctx *c = dns->hook;
	char real[SPF_NAME_MAX];
	SPF_dns_rr_t *rr;
	size_t len = type == ns_t_a ? sizeof(struct in_addr) :
	    sizeof(struct in6_addr);

	any_name(domain, real, sizeof(real));
	if (type != ns_t_mx && type != ns_t_a && type != ns_t_aaaa)
		return SPF_dns_rr_new_init(dns, domain, type, 0, NO_DATA);
	rr = layer_query(dns, real, type);
	if (rr == NULL || rr->herrno != NETDB_SUCCESS || rr->num_rr == 0)
		return rr;
	if (type == ns_t_mx) {
		any_mx(rr);
		return rr;
	}
	rr->num_rr = 0;
	if (SPF_dns_rr_buf_realloc(rr, 0, len) == SPF_E_SUCCESS) {
		if (type == ns_t_a)
			memcpy(rr->rr[0], &c->req->ipv4, len);
		else
			memcpy(rr->rr[0], &c->req->ipv6, len);
		rr->num_rr = 1;
	}
	return rr;
}

/* layer_lookup - the SPF_dns_server_t lookup. */
static SPF_dns_rr_t *
layer_lookup(SPF_dns_server_t *dns, const char *domain, ns_type type,
    int should_cache)
{
	(void)should_cache;
	if (type != ns_t_txt && type != ns_t_a && type != ns_t_aaaa &&
	    type != ns_t_mx && type != ns_t_ptr)
		return SPF_dns_rr_new_init(dns, domain, type, 0, NO_DATA);
	if (!name_valid(domain))
		return SPF_dns_rr_new_init(dns, domain, type, 0,
		    HOST_NOT_FOUND);
	if (any_name(domain, NULL, 0))
		return any_lookup(dns, domain, type);
	return layer_query(dns, domain, type);
}

/* ------------------------------------------------------------ explanation */

/*
 * Explanations (RFC 7208 6.2) are the layer's work because libspf2 1.2.10
 * gets them wrong: SPF_request_get_exp compiles the explanation TXT with
 * SPF_record_compile_macro, whose parser (SPF_c_parse_macro) treats a space
 * as the end of a record term, so each space is taken as a '%' escape and
 * eats the character after it ("go away %{i}" comes back as "go%away%{i}",
 * nothing expanded); it also takes the first of several TXT records where
 * the RFC says to ignore the exp=, asks for the explanation of softfail and
 * neutral results too, and computes one at every include level using the
 * including record's exp= with the included domain.  So the layer keeps
 * every record's exp= aside (exp_standin) and gives libspf2 a stand-in that
 * names the record; libspf2's last call of the get_exp hook is made for the
 * record that decided the result (the sub-checks of include end before
 * their parent, and a redirect= target's own exp= replaces the original's,
 * both as RFC 7208 6.2 wants).  On a fail, explanation() expands that
 * exp= domain-spec, fetches its one TXT record and expands the text with
 * spf_macro.c.
 */

/* layer_get_exp - libspf2's get_exp hook: note which exp= was asked for. */
static SPF_errcode_t
layer_get_exp(SPF_server_t *srv, const char *domain, char **bufp,
    size_t *buflenp)
{
	struct spf_check_ctx *c = srv->resolver->hook;
	char *end;
	unsigned long idx = strtoul(domain, &end, 10);

	c->exp_asked = 0;
	if (end != domain && strcasecmp(end, "." EXP_SUFFIX) == 0 &&
	    idx <= c->n_exps)
		c->exp_asked = (unsigned)idx;
	if (*bufp != NULL && *buflenp > 0)
		(*bufp)[0] = '\0';	/* libspf2's own text stays empty */
	return SPF_E_SUCCESS;
}

/* The environment of the explanation's macros (%{p} found on demand). */
struct exp_env {
	struct spf_check_ctx *c;
	const char *ip;			/* the client, IPv4-mapped as IPv4 */
	const char *domain;		/* the current domain */
	bool looked;			/* %{p} already computed */
	char validated[SPF_NAME_MAX];	/* "" when none */
};

/* reverse_name - the in-addr.arpa / ip6.arpa name of ip, and its bytes. */
static int
reverse_name(const char *ip, char *out, size_t size, unsigned char *a,
    size_t *alen)
{
	size_t n = 0;
	int k;

	if (inet_pton(AF_INET, ip, a) == 1) {
		*alen = 4;
		snprintf(out, size, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2],
		    a[1], a[0]);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, a) != 1 || size < 74)
		return -1;
	*alen = 16;
	for (k = 15; k >= 0; k--)
		n += (size_t)snprintf(out + n, size - n, "%x.%x.", a[k] & 15,
		    a[k] >> 4);
	snprintf(out + n, size - n, "ip6.arpa");
	return 0;
}

/* has_address - does name have the address a (alen bytes)? */
static bool
has_address(struct spf_check_ctx *c, const char *name,
    const unsigned char *a, size_t alen)
{
	struct resolver_answer ans;
	bool found = false;
	size_t k;

	if (resolver_lookup(c->r, name, alen == 4 ? RESOLVER_T_A :
	    RESOLVER_T_AAAA, c->deadline_ms, &ans) == DNS_OK)
		for (k = 0; k < ans.n && !found; k++)
			found = (size_t)ans.len[k] == alen &&
			    memcmp(ans.data[k], a, alen) == 0;
	resolver_answer_free(&ans);
	return found;
}

/* name_rank - RFC 7208 7.3 %{p}: 3 the domain, 2 a subdomain, 1 other. */
static int
name_rank(const char *name, const char *domain)
{
	size_t n = strlen(name), d = strlen(domain);

	if (strcasecmp(name, domain) == 0)
		return 3;
	if (n > d && name[n - d - 1] == '.' &&
	    strcasecmp(name + n - d, domain) == 0)
		return 2;
	return 1;
}

/*
 * find_validated - RFC 7208 5.5 and 7.3: of the client's PTR names (the
 * first SPF_MAX_PTR_NAMES) those whose addresses include the client; the
 * domain itself, else a subdomain, else any.  DNS errors: none.
 */
static void
find_validated(struct exp_env *x)
{
	struct resolver_answer ans;
	unsigned char a[16];
	char rev[SPF_NAME_MAX], name[SPF_NAME_MAX];
	size_t alen, k;
	int best = 0, rank;

	if (reverse_name(x->ip, rev, sizeof(rev), a, &alen) != 0)
		return;
	if (resolver_lookup(x->c->r, rev, RESOLVER_T_PTR, x->c->deadline_ms,
	    &ans) != DNS_OK) {
		resolver_answer_free(&ans);
		return;
	}
	for (k = 0; k < ans.n && k < SPF_MAX_PTR_NAMES && best < 3; k++) {
		if (resolver_wire_name(ans.data[k], (size_t)ans.len[k], 0, name,
		    sizeof(name)) != 0 || !name_valid(name) ||
		    (rank = name_rank(name, x->domain)) <= best ||
		    !has_address(x->c, name, a, alen))
			continue;
		best = rank;
		set_text(x->validated, sizeof(x->validated), name);
	}
	resolver_answer_free(&ans);
}

/* validated_name - the %{p} callback of struct spf_macro_vars. */
static const char *
validated_name(void *arg)
{
	struct exp_env *x = arg;

	if (!x->looked) {
		x->looked = true;
		find_validated(x);
	}
	return x->validated[0] != '\0' ? x->validated : NULL;
}

/* exp_text - the one TXT record at name, joined, malloc'd; NULL if not one. */
static char *
exp_text(struct spf_check_ctx *c, const char *name)
{
	struct resolver_answer ans;
	char *text = NULL;

	/* RFC 7208 6.2: a DNS error, no record or several: no explanation. */
	if (resolver_lookup(c->r, name, RESOLVER_T_TXT, c->deadline_ms,
	    &ans) == DNS_OK && ans.n == 1 &&
	    (text = malloc((size_t)ans.len[0] + 1)) != NULL &&
	    txt_text(ans.data[0], (size_t)ans.len[0], text) != 0) {
		free(text);
		text = NULL;
	}
	resolver_answer_free(&ans);
	return text;
}

/* sanitize - control characters of an expanded explanation become '?'. */
static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			*s = '?';
}

/*
 * explanation - RFC 7208 6.2: the explanation of a fail into out, from the
 * exp= libspf2 last asked for; "" when there is none or it cannot be had
 * (bad macro, DNS error, not exactly one TXT record, bad explain-string).
 * An explanation longer than out's buffer is cut.
 */
static void
explanation(struct spf_check_ctx *c, struct spf_macro_vars *v,
    struct spf_outcome *out)
{
	struct exp_env x;
	const struct spf_exp *e;
	char name[1024], *text;
	enum spf_macro_status st;

	out->explanation[0] = '\0';
	if (c->exp_asked == 0 || c->exp_asked > c->n_exps)
		return;
	e = &c->exps[c->exp_asked - 1];
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.ip = v->ip;
	x.domain = e->domain;
	v->domain = e->domain;
	v->validated_name = validated_name;
	v->validated_arg = &x;
	if (spf_macro_expand(e->spec, strlen(e->spec), SPF_MACRO_DOMAIN, v,
	    name, sizeof(name)) != SPF_MACRO_OK || !name_valid(name) ||
	    (text = exp_text(c, name)) == NULL)
		return;
	st = spf_macro_expand(text, strlen(text), SPF_MACRO_EXPLAIN, v,
	    out->explanation, sizeof(out->explanation));
	free(text);
	if (st == SPF_MACRO_SYNTAX)
		out->explanation[0] = '\0';
	sanitize(out->explanation);
}

/* ------------------------------------------------------------ the engine */

struct spf_engine *
spf_engine_new(struct resolver *r, const char *receiver, char *err,
    size_t errsize)
{
	struct spf_engine *e;

	if (r == NULL) {
		set_text(err, errsize, "spf: no resolver");
		return NULL;
	}
	if (receiver != NULL && (strlen(receiver) >= SPF_NAME_MAX ||
	    strpbrk(receiver, " \t\r\n%") != NULL)) {
		set_text(err, errsize, "spf: bad receiver name");
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		set_text(err, errsize, "spf: out of memory");
		return NULL;
	}
	e->r = r;
	set_text(e->receiver, sizeof(e->receiver), receiver != NULL &&
	    receiver[0] != '\0' ? receiver : SPF_UNKNOWN_RECEIVER);
	return e;
}

void
spf_engine_free(struct spf_engine *e)
{
	free(e);
}

/* map_result - our result from libspf2's, its error code and the layer. */
static enum spf_result
map_result(SPF_result_t res, SPF_errcode_t err, const struct spf_check_ctx *c)
{
	if (c->syntax_first)
		return SPF_RES_PERMERROR;
	switch (res) {
	case SPF_RESULT_PASS:
		return SPF_RES_PASS;
	case SPF_RESULT_FAIL:
		return SPF_RES_FAIL;
	case SPF_RESULT_SOFTFAIL:
		return SPF_RES_SOFTFAIL;
	case SPF_RESULT_NEUTRAL:
		return SPF_RES_NEUTRAL;
	case SPF_RESULT_NONE:
		return c->tempfail ? SPF_RES_TEMPERROR : SPF_RES_NONE;
	case SPF_RESULT_TEMPERROR:
		return SPF_RES_TEMPERROR;
	default:
		break;
	}
	if (c->tempfail || err == SPF_E_DNS_ERROR)
		return SPF_RES_TEMPERROR;
	return SPF_RES_PERMERROR;
}

/* set_identity - the request's client address and identity; -1 if bad. */
static int
set_identity(SPF_request_t *req, const char *ip, const char *helo,
    const char *from, bool *v6, struct spf_outcome *out)
{
	struct in6_addr a6;
	struct in_addr a4;
	const char *at;
	SPF_errcode_t rc;

	/* RFC 7208 5: an IPv4-mapped IPv6 client is an IPv4 client. */
	*v6 = false;
	if (inet_pton(AF_INET6, ip, &a6) == 1 && IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], sizeof(a4));
		rc = SPF_request_set_ipv4(req, a4);
	} else if (strchr(ip, ':') != NULL) {
		rc = SPF_request_set_ipv6_str(req, ip);
		*v6 = true;
	} else
		rc = SPF_request_set_ipv4_str(req, ip);
	if (rc != SPF_E_SUCCESS) {
		set_text(out->reason, sizeof(out->reason), "bad client address");
		return -1;
	}
	if (helo[0] != '\0' && SPF_request_set_helo_dom(req, helo)) {
		set_text(out->reason, sizeof(out->reason), "bad HELO name");
		return -1;
	}
	if (from == NULL) {
		set_text(out->domain, sizeof(out->domain), helo);
		return 0;
	}
	at = strrchr(from, '@');
	set_text(out->domain, sizeof(out->domain), at != NULL ? at + 1 : from);
	if (SPF_request_set_env_from(req, from)) {
		set_text(out->reason, sizeof(out->reason), "bad MAIL FROM");
		return -1;
	}
	return 0;
}

/* first_error - libspf2's first error message of rp, if any. */
static const char *
first_error(SPF_response_t *rp)
{
	SPF_error_t *e;
	int i, n = SPF_response_messages(rp);

	for (i = 0; i < n; i++) {
		e = SPF_response_message(rp, i);
		if (e != NULL && SPF_error_errorp(e))
			return SPF_error_message(e);
	}
	return NULL;
}

/*
 * query_mailfrom - SPF_request_query_mailfrom without its "free ride": for
 * a loopback client libspf2 answers pass for every domain without looking
 * at the record, which RFC 7208 has no word for (a host that relays for
 * 127.0.0.2 would pass any spoof).  The same steps as libspf2's, with the
 * record evaluated: the current domain as SPF_request_prepare (static in
 * libspf2) sets it, the record, then SPF_request_query_record's tail.
 */
static SPF_errcode_t
query_mailfrom(SPF_request_t *req, SPF_response_t **rpp)
{
	SPF_record_t *rec = NULL;
	SPF_response_t *rp;
	SPF_errcode_t err;

	if (!SPF_request_is_loopback(req))
		return SPF_request_query_mailfrom(req, rpp);
	if ((*rpp = rp = SPF_response_new(req)) == NULL)
		return SPF_E_NO_MEMORY;
	req->cur_dom = req->use_helo ? req->helo_dom : req->env_from_dp;
	err = SPF_server_get_record(req->spf_server, req, rp, &rec);
	if (err != SPF_E_SUCCESS) {
		if (rec != NULL)
			SPF_record_free(rec);
		SPF_i_done(rp, rp->result, rp->reason, rp->err);
		return err;
	}
	rp->spf_record_exp = rec;
	err = SPF_record_interpret(rec, req, rp, 0);
	SPF_record_free(rec);
	rp->spf_record_exp = NULL;
	return err;
}

/* run_query - run the request and fill out from libspf2's response. */
static void
run_query(SPF_request_t *req, struct spf_check_ctx *c, struct spf_outcome *out)
{
	SPF_response_t *rp = NULL;
	SPF_errcode_t err;
	const char *why;

	err = query_mailfrom(req, &rp);
	if (rp == NULL) {
		out->result = c->tempfail ? SPF_RES_TEMPERROR : SPF_RES_PERMERROR;
		set_text(out->reason, sizeof(out->reason), c->tempfail ?
		    c->dns_reason : SPF_strerror(err));
		return;
	}
	if (err == SPF_E_SUCCESS)
		err = SPF_response_errcode(rp);
	out->result = map_result(SPF_response_result(rp), err, c);
	if (c->syntax_first || (out->result == SPF_RES_TEMPERROR &&
	    c->tempfail))
		why = c->dns_reason;
	else if (out->result == SPF_RES_TEMPERROR)
		why = SPF_strerror(err);
	else if (out->result == SPF_RES_PERMERROR)
		why = (why = first_error(rp)) != NULL ? why : SPF_strerror(err);
	else
		why = SPF_response_get_header_comment(rp);
	set_text(out->reason, sizeof(out->reason), why);
	SPF_response_free(rp);
}

/*
 * fail_explanation - the explanation of a fail: the <sender> identity's
 * parts (RFC 7208 4.3: "postmaster" when it has no local-part) and the
 * other macro values, then explanation().
 */
static void
fail_explanation(const struct spf_engine *e, struct spf_check_ctx *c,
    const char *ip, const char *helo, const char *from,
    struct spf_outcome *out)
{
	struct spf_ident *id = &c->id;
	struct spf_macro_vars v;
	struct in6_addr a6;
	const char *at = from != NULL ? strrchr(from, '@') : NULL;

	if (from == NULL)
		set_text(id->domain, sizeof(id->domain), helo);
	else
		set_text(id->domain, sizeof(id->domain), at != NULL ? at + 1 :
		    from);
	if (at != NULL && at > from)
		snprintf(id->local, sizeof(id->local), "%.*s",
		    (int)(at - from), from);
	else
		set_text(id->local, sizeof(id->local), "postmaster");
	snprintf(id->sender, sizeof(id->sender), "%s@%s", id->local,
	    id->domain);
	if (inet_pton(AF_INET6, ip, &a6) == 1 && IN6_IS_ADDR_V4MAPPED(&a6))
		inet_ntop(AF_INET, &a6.s6_addr[12], id->ip, sizeof(id->ip));
	else
		set_text(id->ip, sizeof(id->ip), ip);
	memset(&v, 0, sizeof(v));
	v.sender = id->sender;
	v.local_part = id->local;
	v.sender_domain = id->domain;
	v.ip = id->ip;
	v.helo = helo;
	v.receiver = e->receiver;
	v.now = (long long)time(NULL);
	explanation(c, &v, out);
}

/* multi_label - RFC 7208 4.3: is the domain a multi-label name? */
static bool
multi_label(const char *domain)
{
	const char *dot = strchr(domain, '.');

	return dot != NULL && dot != domain && dot[1] != '\0';
}

/* run_check - the identity, check_host() and the explanation of a fail. */
static void
run_check(const struct spf_engine *e, struct spf_check_ctx *c,
    const char *ip, const char *helo, const char *from,
    struct spf_outcome *out)
{
	if (set_identity(c->req, ip, helo, from, &c->v6, out) != 0) {
		out->result = SPF_RES_PERMERROR;
		return;
	}
	if (!multi_label(out->domain)) {
		/* RFC 7208 4.3: not a multi-label domain name: none. */
		out->result = SPF_RES_NONE;
		set_text(out->reason, sizeof(out->reason),
		    "not a multi-label domain name");
		return;
	}
	run_query(c->req, c, out);
	if (out->result == SPF_RES_FAIL)
		fail_explanation(e, c, ip, helo, from, out);
}

/* ctx_free - a check's state, with the exp= texts it kept. */
static void
ctx_free(struct spf_check_ctx *c)
{
	unsigned i;

	for (i = 0; i < c->n_exps; i++)
		free(c->exps[i].spec);
	free(c);
}

enum spf_result
spf_check(struct spf_engine *e, const char *client_ip, const char *helo,
    const char *mail_from, enum spf_scope scope, int64_t deadline_ms,
    struct spf_outcome *out)
{
	struct spf_check_ctx *c;
	SPF_dns_server_t dns;
	SPF_server_t *srv;
	SPF_request_t *req;
	const char *from;

	memset(out, 0, sizeof(*out));
	out->result = SPF_RES_TEMPERROR;
	from = (scope == SPF_SCOPE_MFROM && mail_from != NULL &&
	    mail_from[0] != '\0') ? mail_from : NULL;
	out->scope = from != NULL ? SPF_SCOPE_MFROM : SPF_SCOPE_HELO;
	if (helo == NULL)
		helo = "";
	if (from == NULL && helo[0] == '\0') {
		out->result = SPF_RES_NONE;
		set_text(out->reason, sizeof(out->reason), "no HELO name");
		return out->result;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		set_text(out->reason, sizeof(out->reason), "out of memory");
		return out->result;
	}
	c->r = e->r;
	c->deadline_ms = deadline_ms;
	memset(&dns, 0, sizeof(dns));
	dns.lookup = layer_lookup;
	dns.get_exp = layer_get_exp;
	dns.name = "authmilter";
	dns.hook = c;
	srv = SPF_server_new_dns(&dns, 0);
	if (srv != NULL) {
		SPF_server_set_rec_dom(srv, e->receiver);
		SPF_server_set_max_dns_mx(srv, SPF_MAX_MX_NAMES);
	}
	req = srv != NULL ? SPF_request_new(srv) : NULL;
	c->req = req;
	if (req == NULL)
		set_text(out->reason, sizeof(out->reason), "out of memory");
	else
		run_check(e, c, client_ip, helo, from, out);
	if (req != NULL)
		SPF_request_free(req);
	if (srv != NULL)
		SPF_server_free(srv);
	ctx_free(c);
	return out->result;
}
