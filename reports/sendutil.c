/*
 * sendutil.c - shared by send.c and failsend.c (see sendutil.h).
 * Single-threaded.
 */
#include <stdio.h>
#include <string.h>

#include "psl.h"
#include "resolver.h"
#include "sendutil.h"

bool
sendutil_from(const char *configured, const char *authserv_id, char *out, const char **used,
    char *why, size_t whysize)
{
	static char buf[RFC5322_ADDR_BUFSIZE + 16];
	const char *from = configured;

	if (from == NULL) {
		snprintf(buf, sizeof(buf), "postmaster@%s", authserv_id);
		from = buf;
	}
	*used = from;
	return rfc5322_addr_normalize(from, strlen(from), out, why, whysize);
}

bool
sendutil_dns(const struct conf *c, struct extdest_config *x, struct resolver **resolver,
    struct psl **psl, char *err, size_t errsize)
{
	struct resolver_config rc;
	char why[512];

	*resolver = NULL;
	*psl = NULL;
	conf_resolver(c, &rc);
	if ((*resolver = resolver_new(&rc, why, sizeof(why))) == NULL) {
		snprintf(err, errsize, "cannot set up the resolver: %s", why);
		return false;
	}
	if (c->org_mode == ORG_MODE_PSL &&
	    psl_load_file(c->psl_file, psl, why, sizeof(why)) != PSL_OK) {
		snprintf(err, errsize, "cannot load PublicSuffixList %s: %s", c->psl_file, why);
		return false;
	}
	x->resolver = *resolver;
	x->mode = c->org_mode;
	x->psl = *psl;
	x->budget_ms = c->dns_budget_ms;
	return true;
}

bool
sendutil_record(struct spool *sp, const char *meta_name, struct str *text, size_t max,
    enum meta_done done, const char *uri, int64_t when, const char *why, char *err,
    size_t errsize)
{
	struct str next = STR_INITIALIZER(max);

	snprintf(err, errsize, "the .meta would be too long");
	if (str_append(&next, str_cstr(text), text->len) == STR_OK &&
	    meta_append_line(&next, done, uri, when, why) == STR_OK &&
	    spool_rewrite(sp, meta_name, next.s, next.len, "", 0, err, errsize) == SPOOL_OK) {
		str_free(text);
		*text = next;	/* the buffer changes hands */
		return true;
	}
	str_free(&next);
	return false;
}
