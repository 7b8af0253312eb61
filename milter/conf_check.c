/*
 * conf_check.c - validation of the configuration values that have a
 * syntax of their own (Socket, UserID, authserv-ids, domains, nameservers,
 * QuarantineHeader, the RejectText template), and the expansion of that
 * template.  Called by conf.c through the key table (conf_table.h) and by
 * the daemon (conf_reject_text_expand).  No state: thread-safe.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conf_table.h"
#include "domain.h"

#define CONF_NAME_MAX 32		/* a user or group name */
#define CONF_AUTHSERV_ID_MAX 255
#define CONF_HEADER_NAME_MAX 76
#define CONF_HEADER_MAX 998		/* RFC 5322 2.1.1: a header line */

/* The variables of RejectText, in the order of conf_reject_text_expand's arguments. */
static const char *const reject_vars[] = { "domain", "policy", "reason" };
#define N_REJECT_VARS (sizeof(reject_vars) / sizeof(reject_vars[0]))

/* dup - a malloc'd copy of v, or NULL with "out of memory" in why. */
static char *
dup(const char *v, char *why, size_t whysize)
{
	char *s = strdup(v);

	if (s == NULL)
		snprintf(why, whysize, "out of memory");
	return s;
}

/* after_prefix - v without prefix, or NULL when v does not start with it. */
static const char *
after_prefix(const char *v, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(v, prefix, n) == 0 ? v + n : NULL;
}

/* parse_port - the decimal port of len bytes at s, 1..65535. */
static bool
parse_port(const char *s, size_t len)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 5)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v >= 1 && v <= 65535;
}

/* host_chars - is s a plausible host name or address (letters, digits, . - : [ ])? */
static bool
host_chars(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]_", *s) == NULL)
			return false;
	return true;
}

char *
conf_conv_socket(const char *v, char *why, size_t whysize)
{
	const char *rest, *at;

	if ((rest = after_prefix(v, "unix:")) != NULL || (rest = after_prefix(v, "local:")) != NULL) {
		if (rest[0] != '/') {
			snprintf(why, whysize, "'%.80s': the path of a unix socket must be absolute", v);
			return NULL;
		}
		return dup(v, why, whysize);
	}
	if ((rest = after_prefix(v, "inet:")) == NULL && (rest = after_prefix(v, "inet6:")) == NULL) {
		snprintf(why, whysize, "'%.80s' is not inet:PORT@HOST, inet6:PORT@HOST, "
		    "unix:/PATH or local:/PATH", v);
		return NULL;
	}
	at = strchr(rest, '@');
	if (!parse_port(rest, at ? (size_t)(at - rest) : strlen(rest))) {
		snprintf(why, whysize, "'%.80s': the port is not a number from 1 to 65535", v);
		return NULL;
	}
	if (at != NULL && !host_chars(at + 1)) {
		snprintf(why, whysize, "'%.80s': bad host after '@'", v);
		return NULL;
	}
	return dup(v, why, whysize);
}

char *
conf_conv_metrics_socket(const char *v, char *why, size_t whysize)
{
	if (after_prefix(v, "inet:") == NULL && after_prefix(v, "inet6:") == NULL) {
		snprintf(why, whysize, "'%.80s' is not inet:PORT@ADDRESS or inet6:PORT@ADDRESS", v);
		return NULL;
	}
	return conf_conv_socket(v, why, whysize);
}

int
conf_rate(const char *v, unsigned *count, unsigned *seconds)
{
	unsigned long n = 0;
	const char *p = v;

	for (; *p >= '0' && *p <= '9' && n <= 1000000; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	if (p == v || n > 1000000 || p[0] != '/' || p[1] == '\0' || p[2] != '\0')
		return -1;
	switch (p[1]) {
	case 'm': *seconds = 60; break;
	case 'h': *seconds = 3600; break;
	case 'd': *seconds = 86400; break;
	default: return -1;
	}
	*count = (unsigned)n;
	return 0;
}

char *
conf_conv_rate(const char *v, char *why, size_t whysize)
{
	unsigned n, s;

	if (conf_rate(v, &n, &s) != 0) {
		snprintf(why, whysize, "'%.80s' is not N/m, N/h or N/d (N from 0 to 1000000)", v);
		return NULL;
	}
	return dup(v, why, whysize);
}

/* name_ok - a user or group name of len bytes: letters, digits, . _ -, not starting with -. */
static bool
name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > CONF_NAME_MAX || s[0] == '-')
		return false;
	for (i = 0; i < len; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]) == NULL)
			return false;
	return true;
}

char *
conf_conv_user(const char *v, char *why, size_t whysize)
{
	const char *colon = strchr(v, ':');
	size_t ulen = colon ? (size_t)(colon - v) : strlen(v);

	if (!name_ok(v, ulen) || (colon != NULL && !name_ok(colon + 1, strlen(colon + 1)))) {
		snprintf(why, whysize, "'%.80s' is not USER or USER:GROUP", v);
		return NULL;
	}
	return dup(v, why, whysize);
}

char *
conf_conv_authserv_id(const char *v, char *why, size_t whysize)
{
	size_t len = strlen(v), i;

	for (i = 0; i < len; i++)
		if (v[i] <= ' ' || v[i] >= 0x7f || strchr("()<>@,;:\\\"/[]?=", v[i]) != NULL)
			break;
	if (len == 0 || len > CONF_AUTHSERV_ID_MAX || i < len) {
		snprintf(why, whysize, "'%.80s' is not an authserv-id (a token of up to %d "
		    "ASCII characters without ()<>@,;:\\\"/[]?=)", v, CONF_AUTHSERV_ID_MAX);
		return NULL;
	}
	return dup(v, why, whysize);
}

char *
conf_conv_domain(const char *v, char *why, size_t whysize)
{
	char out[DOMAIN_BUFSIZE];
	enum domain_status st = domain_normalize(v, strlen(v), out);

	if (st != DOMAIN_OK) {
		snprintf(why, whysize, "'%.80s': %s", v, domain_strerror(st));
		return NULL;
	}
	return dup(out, why, whysize);
}

char *
conf_conv_nameserver(const char *v, char *why, size_t whysize)
{
	const char *at = strrchr(v, '@');
	size_t len = at ? (size_t)(at - v) : strlen(v);
	char ip[INET6_ADDRSTRLEN];
	unsigned char addr[16];

	if (len == 0 || len >= sizeof(ip))
		goto bad;
	memcpy(ip, v, len);
	ip[len] = '\0';
	if (inet_pton(AF_INET, ip, addr) != 1 && inet_pton(AF_INET6, ip, addr) != 1)
		goto bad;
	if (at != NULL && !parse_port(at + 1, strlen(at + 1)))
		goto bad;
	return dup(v, why, whysize);
bad:
	snprintf(why, whysize, "'%.80s' is not IP or IP@PORT", v);
	return NULL;
}

char *
conf_conv_header(const char *v, char *why, size_t whysize)
{
	const char *colon = strchr(v, ':'), *val, *p;
	size_t nlen = colon ? (size_t)(colon - v) : 0, i;
	char *out;

	for (i = 0; i < nlen; i++)
		if (v[i] <= ' ' || v[i] >= 0x7f)
			break;
	if (colon == NULL || nlen == 0 || nlen > CONF_HEADER_NAME_MAX || i < nlen) {
		snprintf(why, whysize, "'%.80s' is not \"Name: value\" with a header field name "
		    "of 1 to %d printable ASCII characters", v, CONF_HEADER_NAME_MAX);
		return NULL;
	}
	for (val = colon + 1; *val == ' ' || *val == '\t'; val++)
		;
	for (p = val; *p != '\0' && (*p == '\t' || (*p >= ' ' && *p < 0x7f)); p++)
		;
	if (*val == '\0' || *p != '\0' || nlen + 2 + strlen(val) > CONF_HEADER_MAX) {
		snprintf(why, whysize, "'%.80s': the value must be 1 to %d printable ASCII characters",
		    v, CONF_HEADER_MAX);
		return NULL;
	}
	if ((out = malloc(nlen + 2 + strlen(val) + 1)) == NULL) {
		snprintf(why, whysize, "out of memory");
		return NULL;
	}
	memcpy(out, v, nlen);
	memcpy(out + nlen, ": ", 2);
	memcpy(out + nlen + 2, val, strlen(val) + 1);
	return out;
}

/* scan_var - at p ("${"...), the length of "${name}" and the variable's index; 0 if unknown. */
static size_t
scan_var(const char *p, size_t *idx)
{
	const char *close = strchr(p + 2, '}');
	size_t i, nlen;

	if (close == NULL)
		return 0;
	nlen = (size_t)(close - (p + 2));
	for (i = 0; i < N_REJECT_VARS; i++)
		if (strlen(reject_vars[i]) == nlen && strncmp(p + 2, reject_vars[i], nlen) == 0) {
			*idx = i;
			return nlen + 3;
		}
	return 0;
}

/* status_code_len - length of "5.X.Y " (X, Y of 1 to 3 digits) at the start of v, or 0. */
static size_t
status_code_len(const char *v)
{
	size_t i = 2, n;

	if (v[0] != '5' || v[1] != '.')
		return 0;
	for (n = 0; v[i] >= '0' && v[i] <= '9'; i++)
		n++;
	if (n < 1 || n > 3 || v[i++] != '.')
		return 0;
	for (n = 0; v[i] >= '0' && v[i] <= '9'; i++)
		n++;
	if (n < 1 || n > 3 || v[i] != ' ')
		return 0;
	return i + 1;
}

/* bad_var - why a "$" at p is wrong. */
static void
bad_var(const char *p, char *why, size_t whysize)
{
	const char *close = strchr(p, '}');

	if (p[1] != '{')
		snprintf(why, whysize, "a '$' not starting a ${...} variable (known: ${domain} ${policy} ${reason})");
	else if (close == NULL)
		snprintf(why, whysize, "unterminated '${'");
	else
		snprintf(why, whysize, "unknown variable '%.*s' (known: ${domain} ${policy} ${reason})",
		    (int)(close - p + 1 > 40 ? 40 : close - p + 1), p);
}

char *
conf_conv_reject_text(const char *v, char *why, size_t whysize)
{
	size_t code = status_code_len(v), skip, idx;
	const char *p;

	if (code == 0 || v[code] == '\0') {
		snprintf(why, whysize, "must be an enhanced status code 5.X.Y (e.g. 5.7.1), a blank and text");
		return NULL;
	}
	if (strlen(v) > CONF_REJECT_TEXT_MAX) {
		snprintf(why, whysize, "longer than %d characters", CONF_REJECT_TEXT_MAX);
		return NULL;
	}
	for (p = v; *p != '\0'; p++) {
		if (*p < ' ' || *p >= 0x7f) {
			snprintf(why, whysize, "only printable ASCII characters may be used");
			return NULL;
		}
		if (*p == '%') {
			snprintf(why, whysize, "'%%' may not be used (libmilter reads it as a format character)");
			return NULL;
		}
		if (*p == '$') {
			if (p[1] != '{' || (skip = scan_var(p, &idx)) == 0) {
				bad_var(p, why, whysize);
				return NULL;
			}
			p += skip - 1;
		}
	}
	return dup(v, why, whysize);
}

/* append_safe - add s to out[*len..size), bytes outside printable ASCII and '%' as '?'. */
static int
append_safe(char *out, size_t size, size_t *len, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (*len + 1 >= size)
			return -1;
		out[(*len)++] = (s[i] < ' ' || s[i] >= 0x7f || s[i] == '%') ? '?' : s[i];
	}
	out[*len] = '\0';
	return 0;
}

int
conf_reject_text_expand(const char *tmpl, const char *domain, const char *policy,
    const char *reason, char *out, size_t outsize)
{
	const char *val[N_REJECT_VARS];
	const char *p = tmpl;
	size_t len = 0, skip, idx;

	val[0] = domain ? domain : "";
	val[1] = policy ? policy : "";
	val[2] = reason ? reason : "";
	if (outsize == 0)
		return -1;
	out[0] = '\0';
	while (*p != '\0') {
		if (*p == '$' && p[1] == '{' && (skip = scan_var(p, &idx)) != 0) {
			if (append_safe(out, outsize, &len, val[idx], strlen(val[idx])) != 0)
				return -1;
			p += skip;
		} else {
			if (append_safe(out, outsize, &len, p, 1) != 0)
				return -1;
			p++;
		}
	}
	return 0;
}

/* uri_has_password - whether a postgresql:// URI names a password (user:password@ or password=). */
static bool
uri_has_password(const char *v)
{
	const char *auth = strstr(v, "://") + 3, *q;
	size_t len = strcspn(auth, "/?#"), i, at = len;

	for (i = 0; i < len; i++) {
		if (auth[i] == '@')
			at = i;		/* the last '@' ends the user information */
	}
	if (at < len && memchr(auth, ':', at) != NULL)
		return true;
	for (q = strchr(v, '?'); q != NULL; q = strchr(q + 1, '&')) {
		if (strncmp(q + 1, "password=", 9) == 0)
			return true;
	}
	return false;
}

char *
conf_conv_report_database(const char *v, char *why, size_t whysize)
{
	if (strncmp(v, "postgresql://", 13) != 0 && strncmp(v, "postgres://", 11) != 0) {
		if (v[0] != '/' || strlen(v) > 4096) {
			snprintf(why, whysize, "'%.80s' is neither an absolute path nor a "
			    "postgresql:// URI", v);
			return NULL;
		}
		return dup(v, why, whysize);
	}
	if (uri_has_password(v)) {
		/* The value is not repeated: it holds a password. */
		snprintf(why, whysize, "a password in the PostgreSQL URI is refused: "
		    "put it in ~/.pgpass or the file PGPASSFILE names");
		return NULL;
	}
	return dup(v, why, whysize);
}
