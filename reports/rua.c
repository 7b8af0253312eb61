/*
 * rua.c - parse one rua destination: URI, "!size", mailto: address (see
 * rua.h).  Pure functions; thread-safe.
 */
#include <stdio.h>
#include <string.h>

#include "rua.h"
#include "str.h"

/* is_alpha, is_digit - ASCII classes. */
static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}


/*
 * uri_chars_ok - RFC 3986 characters only: unreserved, gen-delims,
 * sub-delims except '!' and ',' (RFC 9989 4.7: they must be encoded),
 * and '%' followed by two hex digits.
 */
static bool
uri_chars_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= n)
				return false;
			if (str_hex_value((unsigned char)s[i + 1]) < 0 || str_hex_value((unsigned char)s[i + 2]) < 0)
				return false;
			i += 2;
		} else if (!is_alpha(c) && !is_digit(c) && strchr("-._~:/?#[]@$&'()*+;=", c) == NULL) {
			return false;
		}
	}
	return true;
}

/* scheme_len - length of a valid scheme before ':' at s (0: none). */
static size_t
scheme_len(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	while (i < n && (is_alpha((unsigned char)s[i]) || is_digit((unsigned char)s[i]) ||
	    s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	return i < n && s[i] == ':' ? i : 0;
}

bool
rua_parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t x = 0, mult = 1;
	size_t i, digits = n;

	if (n > 0 && !is_digit((unsigned char)s[n - 1])) {
		switch (s[n - 1]) {
		case 'k': case 'K': mult = 1ULL << 10; break;
		case 'm': case 'M': mult = 1ULL << 20; break;
		case 'g': case 'G': mult = 1ULL << 30; break;
		case 't': case 'T': mult = 1ULL << 40; break;
		default: return false;
		}
		digits--;
	}
	if (digits == 0)
		return false;
	for (i = 0; i < digits; i++) {
		if (!is_digit((unsigned char)s[i]))
			return false;
		x = x > (UINT64_MAX - 9) / 10 ? UINT64_MAX : x * 10 + (uint64_t)(s[i] - '0');
	}
	*out = x > UINT64_MAX / mult ? UINT64_MAX : x * mult;
	return true;
}

/*
 * pct_decode - percent-decode n bytes (already checked by uri_chars_ok)
 * into out (outsize bytes, NUL-terminated); false when it does not fit
 * or decodes to a NUL or a control character.
 */
static bool
pct_decode(const char *s, size_t n, char *out, size_t outsize)
{
	size_t i, o = 0;
	int c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			c = str_hex_value((unsigned char)s[i + 1]) * 16 + str_hex_value((unsigned char)s[i + 2]);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || o + 1 >= outsize)
			return false;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return true;
}

/* parse_mailto - the address of "mailto:" URI text after the scheme. */
static enum rua_status
parse_mailto(const char *s, size_t n, struct rua *out, char *why, size_t whysize)
{
	char to[4 * RFC5322_ADDR_BUFSIZE], reason[128];
	size_t tlen = 0;

	while (tlen < n && s[tlen] != '?' && s[tlen] != '#')
		tlen++;
	if (tlen == 0) {
		snprintf(why, whysize, "no address in the mailto: URI");
		return RUA_BAD;
	}
	if (!pct_decode(s, tlen, to, sizeof(to))) {
		snprintf(why, whysize, "the mailto: address is too long or has control characters");
		return RUA_BAD;
	}
	if (strchr(to, ',') != NULL) {
		snprintf(why, whysize, "several addresses in one mailto: URI");
		return RUA_BAD;
	}
	if (!rfc5322_addr_normalize(to, strlen(to), out->addr, reason, sizeof(reason))) {
		snprintf(why, whysize, "bad mailto: address: %s", reason);
		return RUA_BAD;
	}
	memcpy(out->host, rfc5322_addr_domain(out->addr), strlen(rfc5322_addr_domain(out->addr)) + 1);
	return RUA_OK;
}

/*
 * authority_host - the host of "//[userinfo@]host[:port]..." (n bytes
 * after the scheme's ':') into host when it is a domain name.
 */
static void
authority_host(const char *s, size_t n, char *host)
{
	const char *p, *end, *at, *colon;

	host[0] = '\0';
	if (n < 2 || s[0] != '/' || s[1] != '/')
		return;
	p = s + 2;
	end = p;
	while (end < s + n && *end != '/' && *end != '?' && *end != '#')
		end++;
	if ((at = memchr(p, '@', (size_t)(end - p))) != NULL)
		p = at + 1;
	if ((colon = memchr(p, ':', (size_t)(end - p))) != NULL)
		end = colon;
	if (domain_normalize(p, (size_t)(end - p), host) != DOMAIN_OK)
		host[0] = '\0';
}

/* split_size - find the "!size" suffix; fills out's size fields. */
static bool
split_size(const char *s, size_t n, size_t *ulen, struct rua *out)
{
	const char *bang = memchr(s, '!', n);

	*ulen = n;
	if (bang == NULL)
		return true;
	*ulen = (size_t)(bang - s);
	out->has_size = true;
	return rua_parse_size(bang + 1, n - *ulen - 1, &out->size_limit);
}

enum rua_status
rua_parse(const char *s, size_t n, struct rua *out, char *why, size_t whysize)
{
	size_t ulen, slen, i;

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > RUA_MAX) {
		snprintf(why, whysize, "empty or longer than %d bytes", RUA_MAX);
		return RUA_BAD;
	}
	if (!split_size(s, n, &ulen, out)) {
		snprintf(why, whysize, "bad size limit after '!'");
		return RUA_BAD;
	}
	if ((slen = scheme_len(s, ulen)) == 0 || !uri_chars_ok(s, ulen)) {
		snprintf(why, whysize, "not a URI");
		return RUA_BAD;
	}
	for (i = 0; i < slen && i + 1 < sizeof(out->scheme); i++)
		out->scheme[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	out->scheme[i] = '\0';
	if (strcmp(out->scheme, "mailto") != 0 || slen >= sizeof(out->scheme)) {
		authority_host(s + slen + 1, ulen - slen - 1, out->host);
		snprintf(why, whysize, "not a mailto: URI (scheme %s)", out->scheme);
		return RUA_NOT_MAILTO;
	}
	return parse_mailto(s + slen + 1, ulen - slen - 1, out, why, whysize);
}

