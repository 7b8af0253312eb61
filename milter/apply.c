/*
 * apply.c - decision -> smfi_* calls; see apply.h.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "apply.h"

#define AR_NAME "Authentication-Results"
#define SOFTWARE_NAME "X-Authmilter"

/* header_value - v with a leading space when the MTA wants one (LEADSPC). */
static int
header_value(const char *v, bool leadspc, struct str *out)
{
	str_reset(out);
	if (leadspc && str_appendc(out, ' ') != STR_OK)
		return -1;
	return str_appends(out, v) == STR_OK ? 0 : -1;
}

/* reply - reject or tempfail with the decided reply. */
static sfsistat
reply(SMFICTX *ctx, const struct decision *d)
{
	const char *text = d->reply.len ? str_cstr(&d->reply) : "rejected";

	(void)smfi_setreply(ctx, (char *)(uintptr_t)d->rcode, (char *)(uintptr_t)d->xcode,
	    (char *)(uintptr_t)text);
	return d->action == ACTION_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* modify - the header changes and the quarantine; 0, or -1 naming the call in err. */
static int
modify(SMFICTX *ctx, const struct decision *d, const struct apply_opts *o,
    struct str *v, char *err, size_t errsize)
{
	size_t i;

	for (i = d->ndelete; i > 0; i--)	/* highest index first */
		if (smfi_chgheader(ctx, (char *)(uintptr_t)AR_NAME, (int)d->delete_index[i - 1],
		    NULL) != MI_SUCCESS)
			return snprintf(err, errsize, "smfi_chgheader failed"), -1;
	if (d->authres.len > 0 && (header_value(str_cstr(&d->authres), o->leadspc, v) != 0 ||
	    smfi_insheader(ctx, 0, (char *)(uintptr_t)AR_NAME, v->s) != MI_SUCCESS))
		return snprintf(err, errsize, "smfi_insheader failed"), -1;
	if (o->software != NULL && (header_value(o->software, o->leadspc, v) != 0 ||
	    smfi_addheader(ctx, (char *)(uintptr_t)SOFTWARE_NAME, v->s) != MI_SUCCESS))
		return snprintf(err, errsize, "smfi_addheader failed"), -1;
	if (d->action != ACTION_QUARANTINE)
		return 0;
	if (d->hold) {
		if (smfi_quarantine(ctx, (char *)(uintptr_t)str_cstr(&d->quarantine_reason)) != MI_SUCCESS)
			return snprintf(err, errsize, "smfi_quarantine failed"), -1;
		return 0;
	}
	if (header_value(str_cstr(&d->add_value), o->leadspc, v) != 0 ||
	    smfi_addheader(ctx, d->add_name.s, v->s) != MI_SUCCESS)
		return snprintf(err, errsize, "smfi_addheader (quarantine) failed"), -1;
	return 0;
}

sfsistat
apply_decision(SMFICTX *ctx, const struct decision *d, const struct apply_opts *o,
    bool tempfail_on_error, char *err, size_t errsize)
{
	struct str v = STR_INITIALIZER(128 * 1024);
	int rc;

	err[0] = '\0';
	if (!d->evaluated)
		return SMFIS_ACCEPT;
	if (d->action == ACTION_REJECT || d->action == ACTION_TEMPFAIL)
		return reply(ctx, d);
	rc = modify(ctx, d, o, &v, err, errsize);
	str_free(&v);
	if (rc == 0)
		return SMFIS_ACCEPT;
	return tempfail_on_error ? SMFIS_TEMPFAIL : SMFIS_ACCEPT;
}
