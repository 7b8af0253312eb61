/*
 * fake_dns.c - table-driven DNS for tests (see fake_dns.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain.h"
#include "fake_dns.h"

struct fake_rr {
	char *name;
	char *txt;	/* NULL: the name merely exists */
	int tempfail;
};

struct fake_dns {
	size_t n;
	struct fake_rr *rr;
	size_t nlog;
	char **log;
	unsigned roll;
	long long now;
};

/* xstrdup - strdup or exit. */
static char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL) {
		perror("strdup");
		exit(99);
	}
	return p;
}

/* add_rr - append one entry. */
static void
add_rr(struct fake_dns *f, const char *name, const char *txt, int tempfail)
{
	f->rr = realloc(f->rr, (f->n + 1) * sizeof(*f->rr));
	if (f->rr == NULL)
		exit(99);
	f->rr[f->n].name = xstrdup(name);
	f->rr[f->n].txt = txt ? xstrdup(txt) : NULL;
	f->rr[f->n].tempfail = tempfail;
	f->n++;
}

struct fake_dns *
fake_dns_new(void)
{
	struct fake_dns *f = calloc(1, sizeof(*f));

	if (f == NULL)
		exit(99);
	return f;
}

void
fake_dns_clear_log(struct fake_dns *f)
{
	size_t i;

	for (i = 0; i < f->nlog; i++)
		free(f->log[i]);
	free(f->log);
	f->log = NULL;
	f->nlog = 0;
}

void
fake_dns_free(struct fake_dns *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		free(f->rr[i].name);
		free(f->rr[i].txt);
	}
	free(f->rr);
	fake_dns_clear_log(f);
	free(f);
}

void
fake_dns_txt(struct fake_dns *f, const char *name, const char *txt)
{
	add_rr(f, name, txt, 0);
}

void
fake_dns_exists(struct fake_dns *f, const char *name)
{
	add_rr(f, name, NULL, 0);
}

void
fake_dns_tempfail(struct fake_dns *f, const char *name)
{
	add_rr(f, name, NULL, 1);
}

void
fake_dns_set_roll(struct fake_dns *f, unsigned roll)
{
	f->roll = roll;
}

void
fake_dns_set_now(struct fake_dns *f, long long now)
{
	f->now = now;
}

/* name_state - DNS_TEMPFAIL, DNS_OK (exists) or DNS_NXDOMAIN for a name. */
static enum dns_rcode
name_state(const struct fake_dns *f, const char *name)
{
	enum dns_rcode rc = DNS_NXDOMAIN;
	size_t i;

	for (i = 0; i < f->n; i++) {
		if (f->rr[i].tempfail) {
			if (strcasecmp(f->rr[i].name, name) == 0)
				return DNS_TEMPFAIL;
			continue;
		}
		if (domain_is_within(f->rr[i].name, name))
			rc = DNS_OK;
	}
	return rc;
}

/* fake_txt - the txt callback. */
static enum dns_rcode
fake_txt(void *ctx, const char *name, struct dns_txt *out, enum dns_sec *sec)
{
	struct fake_dns *f = ctx;
	enum dns_rcode rc;
	size_t i;

	f->log = realloc(f->log, (f->nlog + 1) * sizeof(*f->log));
	if (f->log == NULL)
		exit(99);
	f->log[f->nlog++] = xstrdup(name);
	if (sec != NULL)
		*sec = DNS_SEC_INSECURE;
	if ((rc = name_state(f, name)) != DNS_OK)
		return rc;
	for (i = 0; i < f->n; i++)
		if (f->rr[i].txt != NULL && strcasecmp(f->rr[i].name, name) == 0)
			dns_txt_add(out, f->rr[i].txt, strlen(f->rr[i].txt));
	return out->n > 0 ? DNS_OK : DNS_NODATA;
}

/* fake_exists - the exists callback. */
static enum dns_rcode
fake_exists(void *ctx, const char *name)
{
	return name_state(ctx, name);
}

/* fake_now - the clock callback. */
static int64_t
fake_now(void *ctx)
{
	return ((struct fake_dns *)ctx)->now;
}

/* fake_roll - the sampling callback. */
static unsigned
fake_roll(void *ctx)
{
	return ((struct fake_dns *)ctx)->roll;
}

struct policy_env
fake_dns_env(struct fake_dns *f)
{
	struct policy_env env;

	env.ctx = f;
	env.txt = fake_txt;
	env.exists = fake_exists;
	env.now = fake_now;
	env.roll = fake_roll;
	return env;
}

size_t
fake_dns_nqueries(const struct fake_dns *f)
{
	return f->nlog;
}

const char *
fake_dns_query(const struct fake_dns *f, size_t i)
{
	return i < f->nlog ? f->log[i] : NULL;
}
