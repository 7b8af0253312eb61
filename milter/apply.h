/*
 * apply.h - the only place that modifies a message through libmilter
 * (smfi_* calls), after decide() made the decision final.  Order: reject or
 * tempfail (nothing else is changed), else delete forged
 * Authentication-Results fields, insert ours at the top, add the software
 * header, then quarantine (hold or header).
 *
 * Thread-safety: called from the libmilter thread of the connection.
 */
#ifndef AUTHMILTER_APPLY_H
#define AUTHMILTER_APPLY_H

#include <stdbool.h>

#include <libmilter/mfapi.h>

#include "decide.h"

struct apply_opts {
	bool leadspc;			/* header values carry their leading space */
	const char *software;		/* SoftwareHeader value, NULL: none */
};

/*
 * apply_decision - carry out d on ctx.  Returns the sfsistat for eom, or
 * SMFIS_TEMPFAIL/SMFIS_ACCEPT per InternalErrorAction (tempfail_on_error)
 * when a modification failed, with the failing call named in err.
 */
sfsistat apply_decision(SMFICTX *ctx, const struct decision *d, const struct apply_opts *o,
    bool tempfail_on_error, char *err, size_t errsize);

#endif
