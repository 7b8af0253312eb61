/*
 * domain.c - domain name validation and label arithmetic (see domain.h).
 * IDN conversion through libidn2 (pure computation, no I/O).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "domain.h"

/* is_ldh - letter, digit or hyphen. */
static bool
is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/* check_label - validate one ASCII label of n bytes. */
static enum domain_status
check_label(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return DOMAIN_EMPTY_LABEL;
	if (n > DOMAIN_LABEL_MAX)
		return DOMAIN_TOO_LONG;
	for (i = 0; i < n; i++)
		if (!is_ldh((unsigned char)p[i]))
			return DOMAIN_BAD_CHAR;
	if (p[0] == '-' || p[n - 1] == '-')
		return DOMAIN_BAD_HYPHEN;
	return DOMAIN_OK;
}

/* check_ascii - validate a lower-cased ASCII name (no trailing dot). */
static enum domain_status
check_ascii(const char *name)
{
	const char *p = name, *dot, *last = name;
	enum domain_status st;
	size_t i, n;

	if (*name == '\0')
		return DOMAIN_EMPTY;
	if (strlen(name) > DOMAIN_MAX)
		return DOMAIN_TOO_LONG;
	for (;;) {
		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if ((st = check_label(p, n)) != DOMAIN_OK)
			return st;
		last = p;
		if (dot == NULL)
			break;
		p = dot + 1;
	}
	for (i = 0; last[i] != '\0'; i++)
		if (last[i] < '0' || last[i] > '9')
			return DOMAIN_OK;
	return DOMAIN_NUMERIC_TLD;
}

/* has_8bit - any byte >= 0x80 among n? */
static bool
has_8bit(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x80)
			return true;
	return false;
}

/* to_alabels - convert a UTF-8 name to A-labels into out. */
static enum domain_status
to_alabels(const char *utf8, char *out)
{
	char *ascii = NULL;
	size_t n;

	if (idn2_to_ascii_8z(utf8, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK)
		return DOMAIN_BAD_IDN;
	n = strlen(ascii);
	if (n > DOMAIN_MAX) {
		idn2_free(ascii);
		return DOMAIN_TOO_LONG;
	}
	memcpy(out, ascii, n + 1);
	idn2_free(ascii);
	return DOMAIN_OK;
}

enum domain_status
domain_normalize(const char *in, size_t len, char *out)
{
	char tmp[4 * DOMAIN_BUFSIZE];
	enum domain_status st;
	size_t i;

	out[0] = '\0';
	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0)
		return DOMAIN_EMPTY;
	if (len >= sizeof(tmp) || memchr(in, '\0', len) != NULL)
		return len >= sizeof(tmp) ? DOMAIN_TOO_LONG : DOMAIN_BAD_CHAR;
	memcpy(tmp, in, len);
	tmp[len] = '\0';
	if (has_8bit(tmp, len)) {
		if (strstr(tmp, "..") != NULL || tmp[0] == '.')
			return DOMAIN_EMPTY_LABEL;
		if ((st = to_alabels(tmp, out)) != DOMAIN_OK)
			return st;
	} else {
		if (len > DOMAIN_MAX)
			return DOMAIN_TOO_LONG;
		memcpy(out, tmp, len + 1);
	}
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
	if ((st = check_ascii(out)) != DOMAIN_OK)
		out[0] = '\0';
	return st;
}

const char *
domain_strerror(enum domain_status st)
{
	switch (st) {
	case DOMAIN_OK:
		return "valid domain";
	case DOMAIN_EMPTY:
		return "empty domain";
	case DOMAIN_TOO_LONG:
		return "domain or label too long";
	case DOMAIN_EMPTY_LABEL:
		return "empty label in domain";
	case DOMAIN_BAD_CHAR:
		return "invalid character in domain";
	case DOMAIN_BAD_HYPHEN:
		return "label starts or ends with a hyphen";
	case DOMAIN_NUMERIC_TLD:
		return "all-numeric top-level label";
	case DOMAIN_BAD_IDN:
		return "invalid internationalized domain name";
	}
	return "unknown domain status";
}

size_t
domain_labels(const char *name)
{
	size_t n;

	if (*name == '\0')
		return 0;
	for (n = 1; *name != '\0'; name++)
		if (*name == '.')
			n++;
	return n;
}

const char *
domain_parent(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot != NULL ? dot + 1 : NULL;
}

const char *
domain_suffix(const char *name, size_t n)
{
	size_t have = domain_labels(name);

	if (n == 0)
		return name + strlen(name);	/* no labels: the empty name, never NULL */
	while (have > n) {
		name = domain_parent(name);	/* have >= 2: there is a dot */
		have--;
	}
	return name;
}

bool
domain_equal(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

bool
domain_is_within(const char *name, const char *parent)
{
	size_t nl = strlen(name), pl = strlen(parent);

	if (pl == 0 || nl < pl)
		return false;
	if (strcasecmp(name + nl - pl, parent) != 0)
		return false;
	return nl == pl || name[nl - pl - 1] == '.';
}

int
domain_to_unicode(const char *name, char *out, size_t outsize)
{
	char *u = NULL;
	size_t n;

	if (idn2_to_unicode_8z8z(name, &u, 0) != IDN2_OK)
		return -1;
	n = strlen(u);
	if (n >= outsize) {
		idn2_free(u);
		return -1;
	}
	memcpy(out, u, n + 1);
	idn2_free(u);
	return 0;
}
