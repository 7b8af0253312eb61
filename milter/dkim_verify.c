/*
 * dkim_verify.c - DKIM verification over libopendkim with key lookups
 * through the milter's resolver; see dkim_verify.h.
 *
 * Called by the milter's per-message callbacks (and the tests).  The
 * DKIM_LIB is shared and only read after set-up; each DKIM handle and its
 * struct dkim_msg belong to one thread at a time.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opendkim/dkim.h>
#include <openssl/evp.h>

#include "dkim_verify.h"
#include "resolver.h"

#define DEFAULT_MIN_KEY_BITS	1024
#define DEFAULT_MAX_SIGS	5

struct dkim_engine {
	DKIM_LIB *lib;
	struct resolver *r;
	unsigned min_key_bits;
	unsigned max_sigs;
	unsigned budget_ms;
};

/* What the resolver said about one key record. */
struct key_status {
	char d[256];
	char s[64];
	enum dns_rcode rcode;
	enum dns_sec sec;
};

struct dkim_msg {
	struct dkim_engine *e;
	DKIM *dkim;
	int64_t deadline_ms;
	size_t n_keys;
	struct key_status keys[DKIM_VERIFY_MAX_SIGS];
	char error[128];
};

/* copy_str - bounded copy of a possibly NULL string. */
static void
copy_str(char *dst, size_t size, const unsigned char *src)
{
	snprintf(dst, size, "%s", src != NULL ? (const char *)src : "");
}

/* note_key - remember the DNS status of the key record d/s. */
static void
note_key(struct dkim_msg *m, const char *d, const char *s,
    enum dns_rcode rc, enum dns_sec sec)
{
	struct key_status *k;

	if (m->n_keys >= DKIM_VERIFY_MAX_SIGS)
		return;
	k = &m->keys[m->n_keys++];
	snprintf(k->d, sizeof(k->d), "%s", d);
	snprintf(k->s, sizeof(k->s), "%s", s);
	k->rcode = rc;
	k->sec = sec;
}

/* find_key - the status noted for d/s, or NULL. */
static const struct key_status *
find_key(const struct dkim_msg *m, const char *d, const char *s)
{
	size_t i;

	for (i = 0; i < m->n_keys; i++)
		if (strcasecmp(m->keys[i].d, d) == 0 &&
		    strcasecmp(m->keys[i].s, s) == 0)
			return &m->keys[i];
	return NULL;
}

/* q_ok - does q= (absent: dns/txt) name the one method, dns/txt? */
static bool
q_ok(const char *q)
{
	size_t n;

	if (q == NULL)
		return true;
	while (*q != '\0') {
		q += strspn(q, " \t\r\n:");
		n = strcspn(q, " \t\r\n:");
		if ((n == 7 && strncasecmp(q, "dns/txt", 7) == 0) ||
		    (n == 3 && strncasecmp(q, "dns", 3) == 0))
			return true;	/* bare "dns": pre-RFC 4871 drafts */
		q += n;
	}
	return false;
}

/* qp_decode - dkim-quoted-printable (RFC 6376 2.11) into out. */
static void
qp_decode(const char *in, char *out, size_t size)
{
	size_t o = 0;
	unsigned int v;

	while (*in != '\0' && o + 1 < size) {
		if (in[0] == '=' && isxdigit((unsigned char)in[1]) &&
		    isxdigit((unsigned char)in[2]) &&
		    sscanf(in + 1, "%2x", &v) == 1) {
			out[o++] = (char)v;
			in += 3;
		} else
			out[o++] = *in++;
	}
	out[o] = '\0';
}

/* i_ok - RFC 6376 3.5: i= domain is d= or a subdomain of it. */
static bool
i_ok(const char *i_raw, const char *d)
{
	char i[512];
	const char *at;
	size_t il, dl;

	if (i_raw == NULL || d == NULL)
		return true;
	qp_decode(i_raw, i, sizeof(i));
	if ((at = strrchr(i, '@')) == NULL)
		return false;
	at++;
	il = strlen(at);
	dl = strlen(d);
	if (il == dl)
		return strcasecmp(at, d) == 0;
	return il > dl && at[il - dl - 1] == '.' &&
	    strcasecmp(at + il - dl, d) == 0;
}

/* tag_problem - what libopendkim lets through but RFC 6376 refuses. */
static const char *
tag_problem(DKIM_SIGINFO *sig)
{
	const char *q = (const char *)dkim_sig_gettagvalue(sig, 0,
	    (u_char *)(uintptr_t)"q");
	const char *i = (const char *)dkim_sig_gettagvalue(sig, 0,
	    (u_char *)(uintptr_t)"i");

	if (!q_ok(q))
		return "unsupported query method (q=)";
	if (!i_ok(i, (const char *)dkim_sig_getdomain(sig)))
		return "i= is not within d=";
	return NULL;
}

/* tag_value - the value of tag name in a DKIM tag-list, trimmed. */
static bool
tag_value(const char *rec, size_t len, const char *name, size_t *off,
    size_t *vlen)
{
	size_t i = 0, nlen = strlen(name), t, e;

	while (i < len) {
		while (i < len && strchr(" \t\r\n;", rec[i]) != NULL)
			i++;
		t = i;
		while (i < len && rec[i] != '=' && rec[i] != ';')
			i++;
		e = i;
		while (e > t && strchr(" \t\r\n", rec[e - 1]) != NULL)
			e--;
		if (i >= len || rec[i] != '=')
			continue;
		i++;
		while (i < len && strchr(" \t\r\n", rec[i]) != NULL)
			i++;
		*off = i;
		while (i < len && rec[i] != ';')
			i++;
		*vlen = i - *off;
		while (*vlen > 0 && strchr(" \t\r\n", rec[*off + *vlen - 1]))
			(*vlen)--;
		if (e - t == nlen && strncasecmp(rec + t, name, nlen) == 0)
			return true;
	}
	return false;
}

/* der_len - append a DER length; returns the new position. */
static size_t
der_len(unsigned char *out, size_t pos, size_t len)
{
	if (len < 0x80) {
		out[pos++] = (unsigned char)len;
	} else if (len < 0x100) {
		out[pos++] = 0x81;
		out[pos++] = (unsigned char)len;
	} else {
		out[pos++] = 0x82;
		out[pos++] = (unsigned char)(len >> 8);
		out[pos++] = (unsigned char)len;
	}
	return pos;
}

/* is_pkcs1 - does der hold exactly one SEQUENCE starting with INTEGER? */
static bool
is_pkcs1(const unsigned char *der, size_t n)
{
	size_t hdr = 2, len;

	if (n < 4 || der[0] != 0x30)
		return false;
	if (der[1] < 0x80) {
		len = der[1];
	} else if (der[1] == 0x81) {
		len = der[2];
		hdr = 3;
	} else if (der[1] == 0x82 && n > 4) {
		len = ((size_t)der[2] << 8) | der[3];
		hdr = 4;
	} else
		return false;
	return hdr + len == n && der[hdr] == 0x02;
}

/* pkcs1_to_spki - wrap an RSAPublicKey in a SubjectPublicKeyInfo. */
static size_t
pkcs1_to_spki(const unsigned char *key, size_t n, unsigned char *out)
{
	static const unsigned char algid[] = { 0x30, 0x0d, 0x06, 0x09, 0x2a,
	    0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00 };
	size_t bits = n + 1, blen = 1 + (bits < 0x80 ? 1 : bits < 0x100 ? 2 : 3) + bits;
	size_t pos = 0;

	out[pos++] = 0x30;
	pos = der_len(out, pos, sizeof(algid) + blen);
	memcpy(out + pos, algid, sizeof(algid));
	pos += sizeof(algid);
	out[pos++] = 0x03;
	pos = der_len(out, pos, bits);
	out[pos++] = 0x00;
	memcpy(out + pos, key, n);
	return pos + n;
}

/*
 * fix_rsa_key - RFC 6376 3.6.1 keys published as a bare PKCS#1
 * RSAPublicKey (which libopendkim cannot read) rewritten to the usual
 * SubjectPublicKeyInfo in buf; false when rec needs no change.
 */
static bool
fix_rsa_key(const char *rec, size_t len, unsigned char *buf, size_t buflen)
{
	unsigned char b64[4096], der[3072], spki[3100], out[4200];
	size_t off, vlen, i, n = 0, dn, sn;
	int got;

	if (tag_value(rec, len, "k", &off, &vlen) &&
	    !(vlen == 3 && strncasecmp(rec + off, "rsa", 3) == 0))
		return false;
	if (!tag_value(rec, len, "p", &off, &vlen) || vlen >= sizeof(b64))
		return false;
	for (i = 0; i < vlen; i++)
		if (strchr(" \t\r\n", rec[off + i]) == NULL)
			b64[n++] = (unsigned char)rec[off + i];
	if (n == 0 || n % 4 != 0 || n / 4 * 3 > sizeof(der))
		return false;
	if ((got = EVP_DecodeBlock(der, b64, (int)n)) < 0)
		return false;
	dn = (size_t)got - (b64[n - 1] == '=') - (b64[n - 2] == '=');
	if (!is_pkcs1(der, dn))
		return false;
	sn = pkcs1_to_spki(der, dn, spki);
	got = EVP_EncodeBlock(out, spki, (int)sn);
	if (off + (size_t)got + (len - off - vlen) >= buflen)
		return false;
	memcpy(buf, rec, off);
	memcpy(buf + off, out, (size_t)got);
	memcpy(buf + off + (size_t)got, rec + off + vlen, len - off - vlen);
	buf[off + (size_t)got + len - off - vlen] = '\0';
	return true;
}

/* key_lookup - libopendkim callback: fetch <s>._domainkey.<d> TXT. */
static DKIM_CBSTAT
key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct dkim_msg *m = dkim_get_user_context(dkim);
	const char *d = (const char *)dkim_sig_getdomain(sig);
	const char *s = (const char *)dkim_sig_getselector(sig);
	char name[512];
	struct dns_txt txt;
	enum dns_sec sec = DNS_SEC_INSECURE;
	enum dns_rcode rc;
	int n;

	if (m == NULL || d == NULL || s == NULL || buflen == 0 ||
	    tag_problem(sig) != NULL)
		return DKIM_CBSTAT_ERROR;
	n = snprintf(name, sizeof(name), "%s._domainkey.%s", s, d);
	if (n < 0 || (size_t)n >= sizeof(name))
		return DKIM_CBSTAT_NOTFOUND;
	dns_txt_init(&txt);
	rc = resolver_txt(m->e->r, name, m->deadline_ms, &txt, &sec);
	if (rc == DNS_OK && (txt.n == 0 || txt.rec[0].len >= buflen))
		rc = DNS_PERMFAIL;
	if (rc == DNS_OK && !fix_rsa_key(txt.rec[0].s, txt.rec[0].len, buf,
	    buflen)) {
		memcpy(buf, txt.rec[0].s, txt.rec[0].len);
		buf[txt.rec[0].len] = '\0';
	}
	dns_txt_free(&txt);
	note_key(m, d, s, rc, sec);
	switch (rc) {
	case DNS_OK:
		return DKIM_CBSTAT_CONTINUE;
	case DNS_NXDOMAIN:
	case DNS_NODATA:
		return DKIM_CBSTAT_NOTFOUND;
	case DNS_TEMPFAIL:
		return DKIM_CBSTAT_TRYAGAIN;
	default:
		return DKIM_CBSTAT_ERROR;
	}
}

/* prescreen - libopendkim callback: ignore signatures beyond the cap. */
static DKIM_CBSTAT
prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct dkim_msg *m = dkim_get_user_context(dkim);
	int i;

	if (m == NULL)
		return DKIM_CBSTAT_CONTINUE;
	for (i = (int)m->e->max_sigs; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return DKIM_CBSTAT_CONTINUE;
}

/* set_lib_options - flags and key-size floor of a fresh DKIM_LIB. */
static int
set_lib_options(DKIM_LIB *lib)
{
	unsigned int flags = DKIM_LIBFLAGS_BADSIGHANDLES;	/* input is CRLF (dkim_verify.h) */
	unsigned int minbits = 1;	/* the floor is applied by sig_result */

	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof(flags)) != DKIM_STAT_OK)
		return -1;
	if (dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS, &minbits,
	    sizeof(minbits)) != DKIM_STAT_OK)
		return -1;
	if (dkim_set_key_lookup(lib, key_lookup) != DKIM_STAT_OK ||
	    dkim_set_prescreen(lib, prescreen) != DKIM_STAT_OK)
		return -1;
	return 0;
}

struct dkim_engine *
dkim_engine_new(const struct dkim_config *cfg, struct resolver *r, char *err,
    size_t errsize)
{
	struct dkim_engine *e;

	if (r == NULL) {
		snprintf(err, errsize, "dkim: no resolver");
		return NULL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(err, errsize, "dkim: out of memory");
		return NULL;
	}
	e->r = r;
	e->min_key_bits = cfg != NULL && cfg->min_key_bits ? cfg->min_key_bits :
	    DEFAULT_MIN_KEY_BITS;
	e->max_sigs = cfg != NULL && cfg->max_signatures ?
	    cfg->max_signatures : DEFAULT_MAX_SIGS;
	if (e->max_sigs > DKIM_VERIFY_MAX_SIGS)
		e->max_sigs = DKIM_VERIFY_MAX_SIGS;
	e->budget_ms = cfg != NULL ? cfg->dns_budget_ms : 0;
	e->lib = dkim_init(NULL, NULL);
	if (e->lib == NULL || set_lib_options(e->lib) != 0) {
		snprintf(err, errsize, "dkim: cannot initialise libopendkim");
		dkim_engine_free(e);
		return NULL;
	}
	return e;
}

void
dkim_engine_free(struct dkim_engine *e)
{
	if (e == NULL)
		return;
	if (e->lib != NULL)
		dkim_close(e->lib);
	free(e);
}

struct dkim_msg *
dkim_msg_new(struct dkim_engine *e, const char *id)
{
	struct dkim_msg *m;
	DKIM_STAT st = DKIM_STAT_OK;

	if (e == NULL || (m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	m->e = e;
	m->dkim = dkim_verify(e->lib, (const unsigned char *)(id ? id : "-"),
	    NULL, &st);
	if (m->dkim == NULL) {
		free(m);
		return NULL;
	}
	dkim_set_user_context(m->dkim, m);
	return m;
}

/* set_error - remember the first message-level problem. */
static int
set_error(struct dkim_msg *m, const char *what, DKIM_STAT st)
{
	const char *why = dkim_getresultstr(st);

	if (m->error[0] == '\0')
		snprintf(m->error, sizeof(m->error), "%s: %s", what,
		    why != NULL ? why : "libopendkim error");
	return -1;
}

/* is_signature_field - is field a DKIM-Signature header field? */
static bool
is_signature_field(const char *field, size_t len)
{
	static const char name[] = "DKIM-Signature";
	size_t n = sizeof(name) - 1;

	if (len <= n || strncasecmp(field, name, n) != 0)
		return false;
	while (n < len && (field[n] == ' ' || field[n] == '\t'))
		n++;
	return n < len && field[n] == ':';
}

int
dkim_msg_header(struct dkim_msg *m, const char *field, size_t len)
{
	DKIM_STAT st;
	if (m == NULL || field == NULL)
		return -1;
	char what[48];

	st = dkim_header(m->dkim, (u_char *)(uintptr_t)field, len);
	if (st == DKIM_STAT_OK || is_signature_field(field, len))
		return 0;	/* a bad signature is judged per signature */
	snprintf(what, sizeof(what), "header \"%.*s\"",
	    (int)strcspn(field, ":\r\n") > 30 ? 30 : (int)strcspn(field, ":\r\n"),
	    field);
	return set_error(m, what, st);
}

int
dkim_msg_eoh(struct dkim_msg *m)
{
	DKIM_STAT st;

	if (m == NULL)
		return -1;
	/* key lookups start here: the DNS budget runs from now */
	if (m->e->budget_ms != 0)
		m->deadline_ms = resolver_now_ms() + m->e->budget_ms;
	st = dkim_eoh(m->dkim);
	if (st == DKIM_STAT_OK || st == DKIM_STAT_NOSIG)
		return 0;
	return set_error(m, "end of header", st);
}

int
dkim_msg_body(struct dkim_msg *m, const unsigned char *data, size_t len)
{
	DKIM_STAT st;

	if (m == NULL || data == NULL)
		return -1;
	st = dkim_body(m->dkim, (u_char *)(uintptr_t)data, len);
	if (st == DKIM_STAT_OK || st == DKIM_STAT_NOSIG)
		return 0;
	return set_error(m, "body", st);
}

/* alg_name - a= of the signature, from the tag or the parsed value. */
static void
alg_name(DKIM_SIGINFO *sig, char *out, size_t size)
{
	dkim_alg_t alg;
	const unsigned char *tag;

	tag = dkim_sig_gettagvalue(sig, 0, (u_char *)(uintptr_t)"a");
	if (tag != NULL) {
		copy_str(out, size, tag);
		return;
	}
	out[0] = '\0';
	if (dkim_sig_getsignalg(sig, &alg) != DKIM_STAT_OK)
		return;
	if (alg == DKIM_SIGN_RSASHA1)
		snprintf(out, size, "rsa-sha1");
	else if (alg == DKIM_SIGN_RSASHA256)
		snprintf(out, size, "rsa-sha256");
	else if (alg == DKIM_SIGN_ED25519SHA256)
		snprintf(out, size, "ed25519-sha256");
}

/* set_res - store result and reason. */
static void
set_res(struct dkim_sig_result *r, enum dkim_result res, const char *why)
{
	r->result = res;
	snprintf(r->reason, sizeof(r->reason), "%s", why);
}

/* dns_result - temperror/permerror when the key lookup failed. */
static bool
dns_result(struct dkim_sig_result *r)
{
	if (r->key_queried && r->key_rcode == DNS_PERMFAIL) {
		set_res(r, DKIM_RES_PERMERROR, "key record unusable "
		    "(malformed, too long or refused)");
		return true;
	}
	if (!r->key_queried || r->key_rcode != DNS_TEMPFAIL)
		return false;
	set_res(r, DKIM_RES_TEMPERROR, r->key_sec == DNS_SEC_BOGUS ?
	    "key record failed DNSSEC validation" :
	    "key lookup failed temporarily");
	return true;
}

/* error_result - result of a signature libopendkim did not pass. */
static void
error_result(struct dkim_sig_result *r, int err)
{
	char why[128];

	switch (err) {
	case DKIM_SIGERROR_BADSIG:
		set_res(r, DKIM_RES_FAIL, "signature did not verify");
		return;
	case DKIM_SIGERROR_KEYTOOSMALL:
		set_res(r, DKIM_RES_FAIL, "key too small");
		return;
	case DKIM_SIGERROR_NOKEY:
		set_res(r, DKIM_RES_PERMERROR, "no key record");
		return;
	case DKIM_SIGERROR_KEYFAIL:
		set_res(r, DKIM_RES_TEMPERROR, "key lookup failed");
		return;
	case DKIM_SIGERROR_KEYREVOKED:
		set_res(r, DKIM_RES_PERMERROR, "key revoked");
		return;
	case DKIM_SIGERROR_EXPIRED:
		set_res(r, DKIM_RES_PERMERROR, "signature expired");
		return;
	case DKIM_SIGERROR_UNKNOWN:
	case DKIM_SIGERROR_OK:
		set_res(r, DKIM_RES_NEUTRAL, "signature not evaluated");
		return;
	default:
		snprintf(why, sizeof(why), "%s", dkim_sig_geterrorstr(err));
		set_res(r, DKIM_RES_PERMERROR, why);
		return;
	}
}

/* rfc8301 - downgrade a verified signature that RFC 8301 refuses. */
static void
rfc8301(struct dkim_sig_result *r, unsigned min_bits, dkim_alg_t alg)
{
	char why[128];

	if (alg != DKIM_SIGN_RSASHA1 && alg != DKIM_SIGN_RSASHA256)
		return;
	if (r->key_bits < min_bits) {
		snprintf(why, sizeof(why), "key too small (%u bits, minimum "
		    "%u, RFC 8301)", r->key_bits, min_bits);
		set_res(r, DKIM_RES_FAIL, why);
	} else if (alg == DKIM_SIGN_RSASHA1) {
		set_res(r, DKIM_RES_POLICY,
		    "rsa-sha1 not accepted (RFC 8301)");
	}
}

/* sig_result - evaluate one signature after dkim_eom. */
static void
sig_result(const struct dkim_msg *m, DKIM_SIGINFO *sig,
    struct dkim_sig_result *r)
{
	const struct key_status *k;
	unsigned int bits = 0;
	dkim_alg_t alg = DKIM_SIGN_UNKNOWN;
	int err = dkim_sig_geterror(sig);

	memset(r, 0, sizeof(*r));
	copy_str(r->d, sizeof(r->d), dkim_sig_getdomain(sig));
	copy_str(r->s, sizeof(r->s), dkim_sig_getselector(sig));
	copy_str(r->b8, sizeof(r->b8),
	    dkim_sig_gettagvalue(sig, 0, (u_char *)(uintptr_t)"b"));
	alg_name(sig, r->a, sizeof(r->a));
	(void)dkim_sig_getsignalg(sig, &alg);
	if (dkim_sig_getkeysize(sig, &bits) == DKIM_STAT_OK)
		r->key_bits = bits;
	if ((k = find_key(m, r->d, r->s)) != NULL) {
		r->key_queried = true;
		r->key_rcode = k->rcode;
		r->key_sec = k->sec;
	}
	if (tag_problem(sig) != NULL) {
		set_res(r, DKIM_RES_PERMERROR, tag_problem(sig));
		return;
	}
	if (dns_result(r))
		return;
	if (dkim_sig_getbh(sig) == DKIM_SIGBH_MISMATCH)
		set_res(r, DKIM_RES_FAIL, "body hash mismatch");
	else if (err == DKIM_SIGERROR_OK && DKIM_SIG_CHECK(sig)) {
		set_res(r, DKIM_RES_PASS, "");
		rfc8301(r, m->e->min_key_bits, alg);
	} else
		error_result(r, err);
}

/* rank - order of results for the message's best result. */
static int
rank(enum dkim_result r)
{
	switch (r) {
	case DKIM_RES_PASS: return 6;
	case DKIM_RES_FAIL: return 5;
	case DKIM_RES_POLICY: return 4;
	case DKIM_RES_NEUTRAL: return 3;
	case DKIM_RES_TEMPERROR: return 2;
	case DKIM_RES_PERMERROR: return 1;
	default: return 0;
	}
}

void
dkim_msg_eom(struct dkim_msg *m, struct dkim_outcome *out)
{
	DKIM_SIGINFO **sigs = NULL;
	int nsigs = 0, i;

	memset(out, 0, sizeof(*out));
	out->best = DKIM_RES_NONE;
	if (m == NULL)
		return;
	(void)dkim_eom(m->dkim, NULL);
	snprintf(out->error, sizeof(out->error), "%s", m->error);
	if (dkim_getsiglist(m->dkim, &sigs, &nsigs) != DKIM_STAT_OK)
		return;
	for (i = 0; i < nsigs; i++) {
		if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) != 0 ||
		    out->n >= DKIM_VERIFY_MAX_SIGS) {
			out->ignored++;
			continue;
		}
		sig_result(m, sigs[i], &out->sig[out->n]);
		if (rank(out->sig[out->n].result) > rank(out->best))
			out->best = out->sig[out->n].result;
		out->n++;
	}
}

void
dkim_msg_free(struct dkim_msg *m)
{
	if (m == NULL)
		return;
	if (m->dkim != NULL)
		dkim_free(m->dkim);
	free(m);
}
