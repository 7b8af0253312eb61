/*
 * failure.c - fo= and Identity-Alignment; see failure.h.
 */
#include <stdio.h>
#include <string.h>

#include "failure.h"

/* dkim_failed - a signature whose verification failed. */
static int
dkim_failed(const struct verdict_input *in)
{
	size_t i;

	for (i = 0; i < in->ndkim && i < VERDICT_MAX_DKIM; i++)
		if (in->dkim[i].result == DKIM_RES_FAIL)
			return 1;
	return 0;
}

/* spf_failed - SPF gave fail (for the identity DMARC uses: MAIL FROM, or HELO for a null sender). */
static int
spf_failed(const struct verdict_input *in)
{
	size_t i;

	for (i = 0; i < in->nspf && i < VERDICT_MAX_SPF; i++)
		if (in->spf[i].scope == SPF_SCOPE_MFROM && in->spf[i].result == SPF_RES_FAIL)
			return 1;
	return 0;
}

unsigned
failure_due(const struct verdict *v, const struct verdict_input *in)
{
	unsigned fo, due = 0;

	if (!v->record_found || v->record.ruf.n == 0 || v->record.psd == DMARC_PSD_Y)
		return 0;
	if (v->result != DMARC_RES_PASS && v->result != DMARC_RES_FAIL)
		return 0;
	fo = v->record.fo != 0 ? v->record.fo : DMARC_FO_0;
	if ((fo & DMARC_FO_0) && v->result == DMARC_RES_FAIL)
		due |= DMARC_FO_0;
	if ((fo & DMARC_FO_1) && (!v->spf_aligned || !v->dkim_aligned))
		due |= DMARC_FO_1;
	if ((fo & DMARC_FO_D) && dkim_failed(in))
		due |= DMARC_FO_D;
	if ((fo & DMARC_FO_S) && spf_failed(in))
		due |= DMARC_FO_S;
	return due;
}

const char *
failure_alignment(const struct verdict *v)
{
	if (!v->dkim_aligned && !v->spf_aligned)
		return "dkim, spf";
	if (!v->dkim_aligned)
		return "dkim";
	if (!v->spf_aligned)
		return "spf";
	return "none";
}

const char *
failure_fo_text(unsigned fo, char *buf, size_t size)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ DMARC_FO_0, "0" }, { DMARC_FO_1, "1" }, { DMARC_FO_D, "d" }, { DMARC_FO_S, "s" }
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if ((fo & names[i].bit) && n + 3 < size)
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ":" : "", names[i].name);
	return buf;
}
