/*
 * zonefile.c - master-format DNS data as a policy_env (see zonefile.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain.h"
#include "str.h"
#include "zonefile.h"

#define ZONE_LINE_MAX 65536

enum zrr_type {
	ZRR_TXT,
	ZRR_OTHER,
	ZRR_TIMEOUT
};

struct zrr {
	char name[DOMAIN_BUFSIZE];
	enum zrr_type type;
	struct str txt;
};

struct zonefile {
	size_t n;
	struct zrr *rr;
};

/* next_word - the next blank-separated word of *pp (bounded by end). */
static size_t
next_word(const char **pp, const char *end, const char **word)
{
	const char *p = *pp;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*word = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	*pp = p;
	return (size_t)(p - *word);
}

/* parse_txt - join the quoted strings of TXT rdata into out. */
static int
parse_txt(const char *p, const char *end, struct str *out)
{
	int nstrings = 0;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || *p == ';')
			return nstrings > 0 ? 0 : -1;
		if (*p++ != '"')
			return -1;
		while (p < end && *p != '"') {
			if (*p == '\\' && p + 1 < end)
				p++;
			if (str_appendc(out, *p++) != STR_OK)
				return -1;
		}
		if (p >= end)
			return -1;
		p++;
		nstrings++;
	}
}

/* is_number - all digits? */
static int
is_number(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)w[i]))
			return 0;
	return n > 0;
}

/* owner_name - a DNS owner name (underscores allowed) into out, lower-cased. */
static int
owner_name(const char *w, size_t n, char *out)
{
	size_t i;

	if (n > 0 && w[n - 1] == '.')
		n--;
	if (n == 0 || n > DOMAIN_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)w[i]) && w[i] != '-' && w[i] != '_' && w[i] != '.')
			return -1;
		out[i] = (char)tolower((unsigned char)w[i]);
	}
	out[n] = '\0';
	return 0;
}

/* parse_line - one record line into rr; 1 = record, 0 = blank, -1 = error. */
static int
parse_line(const char *line, size_t len, struct zrr *rr, const char **why)
{
	const char *p = line, *end = line + len, *w;
	size_t n;

	if ((n = next_word(&p, end, &w)) == 0 || *w == ';')
		return 0;
	if (owner_name(w, n, rr->name) != 0) {
		*why = "bad owner name";
		return -1;
	}
	n = next_word(&p, end, &w);
	if (is_number(w, n))
		n = next_word(&p, end, &w);
	if (n == 2 && strncasecmp(w, "IN", 2) == 0)
		n = next_word(&p, end, &w);
	if (n == 0) {
		*why = "missing type";
		return -1;
	}
	str_init(&rr->txt, 4096);
	if (n == 3 && strncasecmp(w, "TXT", 3) == 0) {
		rr->type = ZRR_TXT;
		if (parse_txt(p, end, &rr->txt) != 0) {
			str_free(&rr->txt);
			*why = "bad TXT rdata";
			return -1;
		}
	} else
		rr->type = n == 7 && strncasecmp(w, "TIMEOUT", 7) == 0 ? ZRR_TIMEOUT : ZRR_OTHER;
	return 1;
}

/* zonefile_add - append one record. */
static int
zonefile_add(struct zonefile *z, const struct zrr *rr)
{
	struct zrr *nrr = realloc(z->rr, (z->n + 1) * sizeof(*z->rr));

	if (nrr == NULL)
		return -1;
	z->rr = nrr;
	z->rr[z->n++] = *rr;
	return 0;
}

struct zonefile *
zonefile_load(const char *path, char *err, size_t errsize)
{
	struct zonefile *z = calloc(1, sizeof(*z));
	FILE *fp = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	const char *why = NULL;
	struct zrr rr;
	int rc;

	if (z == NULL || fp == NULL) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		free(z);
		if (fp != NULL)
			fclose(fp);
		return NULL;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len > ZONE_LINE_MAX)
			why = "line too long";
		else if ((rc = parse_line(line, (size_t)len, &rr, &why)) == 1 && zonefile_add(z, &rr) != 0)
			why = "out of memory";
		if (why != NULL) {
			snprintf(err, errsize, "%s:%zu: %s", path, lineno, why);
			break;
		}
	}
	free(line);
	fclose(fp);
	if (why != NULL) {
		zonefile_free(z);
		return NULL;
	}
	return z;
}

void
zonefile_free(struct zonefile *z)
{
	size_t i;

	if (z == NULL)
		return;
	for (i = 0; i < z->n; i++)
		str_free(&z->rr[i].txt);
	free(z->rr);
	free(z);
}

/* name_state - DNS_OK (exists), DNS_NXDOMAIN or DNS_TEMPFAIL. */
static enum dns_rcode
name_state(const struct zonefile *z, const char *name)
{
	enum dns_rcode rc = DNS_NXDOMAIN;
	size_t i;

	for (i = 0; i < z->n; i++) {
		if (z->rr[i].type == ZRR_TIMEOUT && strcasecmp(z->rr[i].name, name) == 0)
			return DNS_TEMPFAIL;
		if (domain_is_within(z->rr[i].name, name))
			rc = DNS_OK;
	}
	return rc;
}

/* zone_txt - the txt callback. */
static enum dns_rcode
zone_txt(void *ctx, const char *name, struct dns_txt *out, enum dns_sec *sec)
{
	const struct zonefile *z = ctx;
	enum dns_rcode rc;
	size_t i;

	if (sec != NULL)
		*sec = DNS_SEC_INSECURE;
	if ((rc = name_state(z, name)) != DNS_OK)
		return rc;
	for (i = 0; i < z->n; i++)
		if (z->rr[i].type == ZRR_TXT && strcasecmp(z->rr[i].name, name) == 0)
			dns_txt_add(out, str_cstr(&z->rr[i].txt), z->rr[i].txt.len);
	return out->n > 0 ? DNS_OK : DNS_NODATA;
}

/* zone_exists - the exists callback. */
static enum dns_rcode
zone_exists(void *ctx, const char *name)
{
	return name_state(ctx, name);
}

/* zone_now - no clock in zone mode. */
static int64_t
zone_now(void *ctx)
{
	(void)ctx;
	return 0;
}

/* zone_roll - deterministic sampling in zone mode. */
static unsigned
zone_roll(void *ctx)
{
	(void)ctx;
	return 0;
}

struct policy_env
zonefile_env(struct zonefile *z)
{
	struct policy_env env = { z, zone_txt, zone_exists, zone_now, zone_roll };

	return env;
}
