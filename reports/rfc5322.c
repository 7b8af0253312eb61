/*
 * rfc5322.c - checks of the tokens the report sender writes into header
 * fields (see rfc5322.h).  Pure functions; thread-safe.
 */
#include <stdio.h>
#include <string.h>

#include "rfc5322.h"

bool
rfc5322_is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

bool
rfc5322_is_dot_atom(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!rfc5322_is_atext((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

bool
rfc5322_addr_normalize(const char *s, size_t n, char *out, char *why, size_t whysize)
{
	const char *at = NULL;
	char dom[DOMAIN_BUFSIZE];
	enum domain_status st;
	size_t i, llen;

	for (i = 0; i < n; i++)
		if (s[i] == '@')
			at = s + i;
	if (at == NULL) {
		snprintf(why, whysize, "no '@' in the address");
		return false;
	}
	llen = (size_t)(at - s);
	if (llen > 0 && s[0] == '"') {
		snprintf(why, whysize, "quoted local parts are not supported");
		return false;
	}
	if (llen > RFC5322_LOCAL_MAX || !rfc5322_is_dot_atom(s, llen)) {
		snprintf(why, whysize, "the local part is not a dot-atom of at most %d bytes",
		    RFC5322_LOCAL_MAX);
		return false;
	}
	if (n - llen - 1 > 0 && at[1] == '[') {
		snprintf(why, whysize, "address literals are not supported");
		return false;
	}
	if ((st = domain_normalize(at + 1, n - llen - 1, dom)) != DOMAIN_OK) {
		snprintf(why, whysize, "bad domain: %s", domain_strerror(st));
		return false;
	}
	memcpy(out, s, llen);
	out[llen] = '@';
	memcpy(out + llen + 1, dom, strlen(dom) + 1);
	return true;
}

const char *
rfc5322_addr_domain(const char *addr)
{
	const char *at = strrchr(addr, '@');

	return at != NULL ? at + 1 : "";
}

bool
rfc5322_is_ridfmt(const char *s, size_t n)
{
	const char *at = memchr(s, '@', n);
	size_t left;

	if (n == 0 || n > RFC5322_RID_MAX)
		return false;
	if (at == NULL)
		return rfc5322_is_dot_atom(s, n);
	left = (size_t)(at - s);
	return rfc5322_is_dot_atom(s, left) && rfc5322_is_dot_atom(at + 1, n - left - 1) &&
	    memchr(at + 1, '@', n - left - 1) == NULL;
}

bool
rfc5322_is_safe_filename(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > RFC5322_FILENAME_MAX || s[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c > '~' || c == '"' || c == '\\' || c == '/')
			return false;
	}
	return true;
}
