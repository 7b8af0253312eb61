/*
 * dmarc_record.h - DMARC policy records (RFC 9989 section 4.7, 4.8).
 *
 * Parses the text of one TXT record into plain data.  Tags v, p, sp, np,
 * adkim, aspf, fo, rua, ruf, psd, t; the historic pct, rf, ri are parsed
 * and kept (pct for the milter's optional legacy sampling and for reports)
 * but RFC 9989 gives them no effect on policy.  Unknown tags are ignored.
 * Pure computation; thread-safe.
 */
#ifndef AUTHMILTER_DMARC_RECORD_H
#define AUTHMILTER_DMARC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dmarc_policy {
	DMARC_POLICY_UNSET = 0,	/* tag absent */
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT
};

enum dmarc_align {
	DMARC_ALIGN_RELAXED = 0,
	DMARC_ALIGN_STRICT
};

enum dmarc_psd {
	DMARC_PSD_U = 0,	/* default: unknown */
	DMARC_PSD_Y,
	DMARC_PSD_N
};

/* fo= flags */
#define DMARC_FO_0 0x1
#define DMARC_FO_1 0x2
#define DMARC_FO_D 0x4
#define DMARC_FO_S 0x8

/* Bits of dmarc_record.invalid: tags present with a value that was discarded. */
#define DMARC_BAD_P	0x0001
#define DMARC_BAD_SP	0x0002
#define DMARC_BAD_NP	0x0004
#define DMARC_BAD_ADKIM	0x0008
#define DMARC_BAD_ASPF	0x0010
#define DMARC_BAD_FO	0x0020
#define DMARC_BAD_RUA	0x0040
#define DMARC_BAD_RUF	0x0080
#define DMARC_BAD_PSD	0x0100
#define DMARC_BAD_T	0x0200
#define DMARC_BAD_PCT	0x0400
#define DMARC_BAD_RF	0x0800
#define DMARC_BAD_RI	0x1000

#define DMARC_URI_MAX 16	/* URIs kept per list; more are a syntax error of the list (first 16 kept, DMARC_BAD_* set) */

struct dmarc_uri {
	char *uri;		/* the URI without the size suffix (malloc'd) */
	uint64_t size_limit;	/* obsolete "!size" suffix in bytes; 0 when absent */
};

struct dmarc_uri_list {
	size_t n;
	struct dmarc_uri v[DMARC_URI_MAX];
};

struct dmarc_record {
	enum dmarc_policy p;	/* effective p: NONE when p was missing/invalid but rua saved the record; UNSET only when not OK */
	enum dmarc_policy sp;	/* UNSET when absent (or discarded by the rua rule) */
	enum dmarc_policy np;	/* UNSET when absent (or discarded by the rua rule) */
	bool p_explicit;	/* a valid p= was present */
	bool rua_rule;		/* p, sp or np was missing/invalid and a valid rua made it p=none */
	enum dmarc_align adkim, aspf;
	enum dmarc_psd psd;
	bool t;			/* t=y: testing mode */
	unsigned fo;		/* DMARC_FO_* flags; DMARC_FO_0 by default */
	struct dmarc_uri_list rua, ruf;	/* only the syntactically valid URIs (RFC 3986, any scheme) */
	int pct;		/* historic; -1 when absent */
	bool rf_present, ri_present;	/* historic, ignored */
	uint32_t ri;		/* historic; 86400 when absent */
	unsigned invalid;	/* DMARC_BAD_* flags of discarded values */
};

enum dmarc_record_status {
	DMARC_RECORD_OK = 0,	/* a usable DMARC policy record */
	DMARC_RECORD_NOT_DMARC,	/* does not start with v=DMARC1: not a DMARC record at all */
	DMARC_RECORD_UNUSABLE,	/* v=DMARC1, but no valid p (or bad sp/np) and no valid rua: no DMARC processing */
	DMARC_RECORD_NOMEM
};

/*
 * dmarc_record_is_dmarc - does the text start with a v=DMARC1 tag (the test
 * the tree walk applies before counting records at one name)?
 */
bool dmarc_record_is_dmarc(const char *txt, size_t len);

/*
 * dmarc_record_parse - parse len bytes of record text (need not be
 * NUL-terminated, may contain NULs) into rec, which need not be initialised
 * (a previously parsed rec must be freed first) and which the caller later
 * releases with dmarc_record_free() whatever the status.  On any status but
 * OK, reason (reasonsize bytes; may be NULL/0) explains why; "" on OK.
 *
 * What rec holds per status:
 *  OK         a usable policy.  rec->p is never UNSET.  With rua_rule set
 *             (RFC 9989 4.10.1: p missing/invalid or sp/np invalid, saved
 *             by a valid rua) p is NONE and sp, np are UNSET.
 *  UNUSABLE   v=DMARC1 but no usable policy: no p (or an invalid one) or an
 *             invalid sp/np, and no syntactically valid rua URI; or the
 *             text is longer than DNS_TXT_MAX (then nothing else is parsed).
 *             Every other tag is still parsed and returned: psd in
 *             particular, which the organizational-domain walk (4.10.2)
 *             reads on any DMARC record ("v=DMARC1; psd=y" is UNUSABLE
 *             as a policy but marks a PSD).
 *  NOT_DMARC  the first tag is not v=DMARC1: all fields at their defaults.
 *  NOMEM      all fields at their defaults, nothing allocated.
 *
 * Syntax: tag names and keyword values match case-insensitively (RFC 5234
 * strings), the v value is case-sensitive "DMARC1"; WSP around '=' and ';'
 * allowed, empty terms and a trailing ';' tolerated, a term without '='
 * skipped; a repeated tag is ignored (first occurrence wins); an invalid
 * value is discarded for the default and its DMARC_BAD_* bit set (4.8).
 */
enum dmarc_record_status dmarc_record_parse(const char *txt, size_t len,
    struct dmarc_record *rec, char *reason, size_t reasonsize);

/* dmarc_record_free - release the URI lists and reset rec to defaults; safe twice; rec may be parsed again. */
void dmarc_record_free(struct dmarc_record *rec);

/* dmarc_record_copy - deep copy src into dst (dst need not be initialised); 0, or -1 (no memory; dst freed, at defaults). */
int dmarc_record_copy(struct dmarc_record *dst, const struct dmarc_record *src);

/* dmarc_policy_name - "none", "quarantine", "reject" ("" for UNSET). */
const char *dmarc_policy_name(enum dmarc_policy p);

/* dmarc_record_status_name - short text for a status. */
const char *dmarc_record_status_name(enum dmarc_record_status st);

#endif
