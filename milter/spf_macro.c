/*
 * spf_macro.c - SPF macro strings (RFC 7208 section 7), see spf_macro.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "spf_macro.h"

/* RFC 7208 7.1: the delimiters a macro may split on. */
#define MACRO_DELIMS ".-+,/_="

/* Longest letter value handled (a sender's local-part is at most 64). */
#define MACRO_VALUE_MAX 1024

/* An output buffer being filled; overflow keeps what fitted. */
struct macro_out {
	char *p;
	size_t n, size;
	bool overflow;
};

/* out_char - append one character. */
static void
out_char(struct macro_out *o, char ch)
{
	if (o->n + 1 >= o->size) {
		o->overflow = true;
		return;
	}
	o->p[o->n++] = ch;
	o->p[o->n] = '\0';
}

/* out_mem - append s[0..n), escaping when url_escape (RFC 3986 unreserved). */
static void
out_mem(struct macro_out *o, const char *s, size_t n, bool url_escape)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char ch;
	size_t i;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		if (!url_escape || isalnum(ch) || strchr("-._~", ch) != NULL) {
			out_char(o, (char)ch);
			continue;
		}
		out_char(o, '%');
		out_char(o, hex[ch >> 4]);
		out_char(o, hex[ch & 15]);
	}
}

bool
spf_macro_parse(const char *s, size_t n, size_t *i, enum spf_macro_kind kind,
    struct spf_macro_term *t)
{
	const char *letters = kind == SPF_MACRO_EXPLAIN ? "slodiphcrtv" :
	    "slodiphv";
	struct spf_macro_term tmp;
	size_t j = *i + 1, nd = 0;
	unsigned long digits = 0;

	if (t == NULL)
		t = &tmp;
	memset(t, 0, sizeof(*t));
	if (*i >= n || s[*i] != '%' || j >= n)
		return false;
	if (s[j] == '%' || s[j] == '_' || s[j] == '-') {
		t->letter = s[j];
		*i = j + 1;
		return true;
	}
	if (s[j] != '{' || j + 1 >= n || s[j + 1] == '\0' ||
	    strchr(letters, tolower((unsigned char)s[j + 1])) == NULL)
		return false;
	t->letter = (char)tolower((unsigned char)s[j + 1]);
	t->url_escape = isupper((unsigned char)s[j + 1]) != 0;
	for (j += 2; j < n && isdigit((unsigned char)s[j]); j++, nd++)
		if (digits < 100000)
			digits = digits * 10 + (unsigned long)(s[j] - '0');
	if (nd > 0 && digits == 0)
		return false;	/* RFC 7208 7.3: the DIGIT must be nonzero */
	t->digits = (unsigned)digits;
	if (j < n && (s[j] == 'r' || s[j] == 'R')) {
		t->reverse = true;
		j++;
	}
	while (j < n && s[j] != '\0' && strchr(MACRO_DELIMS, s[j]) != NULL) {
		if (strchr(t->delims, s[j]) == NULL)
			t->delims[strlen(t->delims)] = s[j];
		j++;
	}
	if (j >= n || s[j] != '}')
		return false;
	*i = j + 1;
	return true;
}

/* ip_value - the i, c or v value of the client address ip into buf. */
static const char *
ip_value(char letter, const char *ip, char *buf, size_t size)
{
	unsigned char a[16];
	size_t k, n = 0;

	if (ip == NULL)
		return "";
	if (inet_pton(AF_INET, ip, a) == 1)
		return letter == 'v' ? "in-addr" : ip;
	if (inet_pton(AF_INET6, ip, a) != 1)
		return "";
	if (letter == 'v')
		return "ip6";
	if (letter == 'c')
		return inet_ntop(AF_INET6, a, buf, (socklen_t)size) != NULL ?
		    buf : "";
	/* i: the 32 nibbles, dot-separated (RFC 7208 7.3). */
	for (k = 0; k < 16 && n + 4 < size; k++)
		n += (size_t)snprintf(buf + n, size - n, "%s%x.%x",
		    k > 0 ? "." : "", a[k] >> 4, a[k] & 15);
	return buf;
}

/* letter_value - the value of a macro letter (buf for computed ones). */
static const char *
letter_value(char letter, const struct spf_macro_vars *v, char *buf,
    size_t size)
{
	const char *p;

	switch (letter) {
	case 's': return v->sender;
	case 'l': return v->local_part;
	case 'o': return v->sender_domain;
	case 'd': return v->domain;
	case 'h': return v->helo;
	case 'r': return v->receiver != NULL && v->receiver[0] != '\0' ?
	    v->receiver : "unknown";
	case 'i':
	case 'c':
	case 'v': return ip_value(letter, v->ip, buf, size);
	case 't':
		snprintf(buf, size, "%lld", v->now);
		return buf;
	case 'p':
		p = v->validated_name != NULL ?
		    v->validated_name(v->validated_arg) : NULL;
		return p != NULL && p[0] != '\0' ? p : "unknown";
	default:
		return NULL;
	}
}

/* part_at - the idx-th part of value split on delims: start and length. */
static void
part_at(const char *value, const char *delims, size_t idx, size_t *start,
    size_t *len)
{
	size_t i = 0, k = 0;

	while (k < idx) {
		i += strcspn(value + i, delims);
		if (value[i] == '\0')
			break;
		i++;
		k++;
	}
	*start = i;
	*len = strcspn(value + i, delims);
}

/*
 * put_term - RFC 7208 7.3: split the value on the delimiters, reverse if
 * asked, keep the right-most digits parts, join them with '.', and
 * URL-escape for an upper-case letter.
 */
static void
put_term(struct macro_out *o, const struct spf_macro_term *t,
    const char *value)
{
	const char *delims = t->delims[0] != '\0' ? t->delims : ".";
	size_t parts = 1, keep, k, idx, start, len;
	const char *p;

	for (p = value; (p = strpbrk(p, delims)) != NULL; p++)
		parts++;
	keep = (t->digits > 0 && t->digits < parts) ? t->digits : parts;
	for (k = 0; k < keep; k++) {
		/* The k-th kept part, in output order. */
		idx = t->reverse ? keep - 1 - k : parts - keep + k;
		part_at(value, delims, idx, &start, &len);
		if (k > 0)
			out_char(o, '.');
		out_mem(o, value + start, len, t->url_escape);
	}
}

/* put_macro - expand one parsed macro-expand into o. */
static void
put_macro(struct macro_out *o, const struct spf_macro_term *t,
    const struct spf_macro_vars *v)
{
	char buf[MACRO_VALUE_MAX];
	const char *value;

	switch (t->letter) {
	case '%':
		out_char(o, '%');
		return;
	case '_':
		out_char(o, ' ');
		return;
	case '-':
		out_mem(o, "%20", 3, false);
		return;
	default:
		break;
	}
	value = letter_value(t->letter, v, buf, sizeof(buf));
	put_term(o, t, value != NULL ? value : "");
}

/* cut_left - RFC 7208 7.3: drop labels on the left until it fits. */
static void
cut_left(struct macro_out *o)
{
	const char *dot;

	while (o->n > SPF_MACRO_DOMAIN_MAX &&
	    (dot = memchr(o->p, '.', o->n)) != NULL) {
		o->n -= (size_t)(dot + 1 - o->p);
		memmove(o->p, dot + 1, o->n + 1);
	}
}

enum spf_macro_status
spf_macro_expand(const char *s, size_t n, enum spf_macro_kind kind,
    const struct spf_macro_vars *v, char *out, size_t outsize)
{
	struct macro_out o = {out, 0, outsize, false};
	struct spf_macro_term t;
	unsigned char ch;
	size_t i = 0;

	if (outsize == 0)
		return SPF_MACRO_TOO_LONG;
	out[0] = '\0';
	while (i < n) {
		ch = (unsigned char)s[i];
		if (ch == '%') {
			if (!spf_macro_parse(s, n, &i, kind, &t))
				return SPF_MACRO_SYNTAX;
			put_macro(&o, &t, v);
			continue;
		}
		/* macro-literal %x21-24 / %x26-7E; SP only in explain-string */
		if (ch < 0x20 || ch > 0x7e ||
		    (ch == ' ' && kind != SPF_MACRO_EXPLAIN))
			return SPF_MACRO_SYNTAX;
		out_char(&o, (char)ch);
		i++;
	}
	if (o.overflow)
		return SPF_MACRO_TOO_LONG;
	if (kind == SPF_MACRO_DOMAIN)
		cut_left(&o);
	return SPF_MACRO_OK;
}
