/*
 * results.h - the result vocabularies shared by the verdict, the
 * Authentication-Results writer and the history records: SPF, DKIM and DMARC
 * results (RFC 8601 section 2.7 names), dispositions and override reasons
 * (RFC 9990 names).  Pure; thread-safe.
 */
#ifndef AUTHMILTER_RESULTS_H
#define AUTHMILTER_RESULTS_H

#include <stdbool.h>

enum spf_result {
	SPF_RES_NONE = 0,
	SPF_RES_NEUTRAL,
	SPF_RES_PASS,
	SPF_RES_FAIL,
	SPF_RES_SOFTFAIL,
	SPF_RES_TEMPERROR,
	SPF_RES_PERMERROR
};

enum spf_scope {
	SPF_SCOPE_MFROM = 0,
	SPF_SCOPE_HELO
};

enum dkim_result {
	DKIM_RES_NONE = 0,
	DKIM_RES_PASS,
	DKIM_RES_FAIL,
	DKIM_RES_NEUTRAL,
	DKIM_RES_POLICY,
	DKIM_RES_TEMPERROR,
	DKIM_RES_PERMERROR
};

enum dmarc_result {
	DMARC_RES_NONE = 0,
	DMARC_RES_PASS,
	DMARC_RES_FAIL,
	DMARC_RES_TEMPERROR,
	DMARC_RES_PERMERROR
};

/* What happens to the message (RFC 9990 DispositionType). */
enum disposition {
	DISP_NONE = 0,		/* DMARC did not pass, nothing done (or DMARC did not apply) */
	DISP_PASS,		/* DMARC passed */
	DISP_QUARANTINE,
	DISP_REJECT
};

/* Override reasons (RFC 9990 PolicyOverrideType, plus RFC 7489 sampled_out). */
#define OVERRIDE_POLICY_TEST_MODE	0x01
#define OVERRIDE_SAMPLED_OUT		0x02
#define OVERRIDE_LOCAL_POLICY		0x04
#define OVERRIDE_TRUSTED_FORWARDER	0x08
#define OVERRIDE_MAILING_LIST		0x10
#define OVERRIDE_OTHER			0x20
#define OVERRIDE_ALL			0x3f

const char *spf_result_name(enum spf_result r);		/* "pass", "softfail", ... */
const char *spf_scope_name(enum spf_scope s);		/* "mfrom", "helo" */
const char *dkim_result_name(enum dkim_result r);
const char *dmarc_result_name(enum dmarc_result r);
const char *disposition_name(enum disposition d);	/* "none", "pass", "quarantine", "reject" */
const char *override_name(unsigned bit);		/* one OVERRIDE_* bit -> "policy_test_mode", ... */

/* Parsers of the same names (case-insensitive); false when unknown. */
bool spf_result_from_name(const char *name, enum spf_result *out);
bool spf_scope_from_name(const char *name, enum spf_scope *out);
bool dkim_result_from_name(const char *name, enum dkim_result *out);
bool dmarc_result_from_name(const char *name, enum dmarc_result *out);
bool disposition_from_name(const char *name, enum disposition *out);
bool override_from_name(const char *name, unsigned *bit);

#endif
