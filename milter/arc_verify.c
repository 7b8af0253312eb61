/*
 * arc_verify.c - ARC chain verification (RFC 8617 5.2); see arc_verify.h.
 *
 * Called by the milter's per-message code and authmilter-check (and the
 * tests).  The header fields of a message are kept (the AMS may sign any of
 * them); at the end of the header the body canonicalizations the AMSs ask
 * for are started, and at the end of the message every field is parsed
 * (policy/arc_parse.c), the chain's structure checked, keys looked up
 * through the resolver within the message's budget and the signatures
 * verified with OpenSSL.  The engine is read-only after creation; each
 * struct arc_msg belongs to one thread at a time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "arc_parse.h"
#include "arc_verify.h"
#include "canon.h"
#include "resolver.h"

#define DEFAULT_MIN_KEY_BITS	1024
#define MAX_KEY_BITS		4096	/* RFC 8301 3.2: verifiers need not go higher */
#define ARC_MAX_FIELDS		2048	/* header fields kept per message */
#define ARC_MAX_HEADER_BYTES	(1024 * 1024)
#define ARC_MAX_ARC_FIELDS	(3 * ARC_MAX_INSTANCES + 30)
#define ARC_MAX_KEYS		(2 * ARC_MAX_INSTANCES)
#define SIGNING_INPUT_MAX	(ARC_MAX_HEADER_BYTES + 65536)

enum field_kind {
	FIELD_OTHER = 0,
	FIELD_SEAL,
	FIELD_AMS,
	FIELD_AAR
};

struct arc_engine {
	struct resolver *r;
	unsigned min_key_bits;
	unsigned budget_ms;
};

struct field {
	char *text;		/* "Name:value", malloc'd */
	size_t len;
	size_t vstart;		/* offset of the value (after the colon) */
	enum field_kind kind;
};

/* One body canonicalization and its hash. */
struct body_hash {
	bool on;
	EVP_MD_CTX *md;
	struct canon_body cb;
	unsigned char sum[32];
	bool done;
};

struct arc_msg {
	struct arc_engine *e;
	struct field *f;
	size_t nf, capf, bytes, narc;
	bool over, eoh;
	bool arc_seen;		/* an ARC field, kept or past a limit */
	char err[128];
	struct body_hash body[2];	/* by enum canon_mode */
};

/* A key looked up for d/s, kept for the message. */
struct key_entry {
	char d[256];
	char s[64];
	enum arc_sig_status st;		/* ARC_SIG_PASS: pkey usable */
	char reason[96];
	EVP_PKEY *pkey;
	enum arc_alg alg;
	unsigned bits;
};

/* Everything of one evaluation (heap: too large for a milter stack). */
struct eval {
	struct arc_msg *m;
	struct arc_outcome *out;
	int64_t deadline_ms;
	int seal_at[ARC_MAX_INSTANCES];		/* field index, -1: none */
	int ams_at[ARC_MAX_INSTANCES];
	int aar_at[ARC_MAX_INSTANCES];
	struct arc_sig seal[ARC_MAX_INSTANCES];
	struct arc_sig ams[ARC_MAX_INSTANCES];
	struct arc_aar aar[ARC_MAX_INSTANCES];
	size_t nkeys;
	struct key_entry keys[ARC_MAX_KEYS];
	struct arc_key rec;			/* scratch for key parsing */
	struct arc_sig scratch;			/* a field being parsed */
	bool *used;				/* header selection, per field */
	struct str input;			/* signing input */
};

/* ---------------------------------------------------------------- outcome */

void
arc_outcome_init(struct arc_outcome *o)
{
	unsigned k;

	memset(o, 0, sizeof(*o));
	o->chain = ARC_CHAIN_NONE;
	for (k = 0; k < ARC_MAX_INSTANCES; k++) {
		o->set[k].i = k + 1;
		str_init(&o->set[k].aar, ARC_PARSE_MAX_VALUE);
	}
}

/*
 * arc_outcome_free - only the sets below n can have been written (every
 * write to set[i - 1] comes after n was raised to i), so only they are
 * reset: clearing all 50 on every message cost more than the rest of an
 * ARC-less message's verification.
 */
void
arc_outcome_free(struct arc_outcome *o)
{
	unsigned k, n = o->n < ARC_MAX_INSTANCES ? o->n : ARC_MAX_INSTANCES;

	for (k = 0; k < n; k++) {
		str_free(&o->set[k].aar);
		memset(&o->set[k], 0, sizeof(o->set[k]));
		o->set[k].i = k + 1;
		str_init(&o->set[k].aar, ARC_PARSE_MAX_VALUE);
	}
	memset(o, 0, offsetof(struct arc_outcome, set));	/* chain, reason, n */
	o->chain = ARC_CHAIN_NONE;
	o->oldest_pass = 0;
	o->temperror = false;
}

unsigned
arc_header_oldest_pass(const struct arc_outcome *o)
{
	return o->oldest_pass > 1 ? o->oldest_pass : 0;
}

const char *
arc_result_name(const struct arc_outcome *o)
{
	return o->temperror ? "temperror" : arc_chain_name(o->chain);
}

const char *
arc_chain_name(enum arc_chain c)
{
	switch (c) {
	case ARC_CHAIN_NONE:	return "none";
	case ARC_CHAIN_PASS:	return "pass";
	case ARC_CHAIN_FAIL:	return "fail";
	}
	return "none";
}

/* ---------------------------------------------------------------- engine */

struct arc_engine *
arc_engine_new(const struct arc_config *cfg, struct resolver *r, char *err,
    size_t errsize)
{
	struct arc_engine *e;

	if (r == NULL) {
		snprintf(err, errsize, "ARC: no resolver");
		return NULL;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(err, errsize, "ARC: out of memory");
		return NULL;
	}
	e->r = r;
	e->min_key_bits = cfg != NULL && cfg->min_key_bits != 0 ? cfg->min_key_bits :
	    DEFAULT_MIN_KEY_BITS;
	e->budget_ms = cfg != NULL ? cfg->dns_budget_ms : 0;
	return e;
}

void
arc_engine_free(struct arc_engine *e)
{
	free(e);
}

/* ---------------------------------------------------------------- collect */

struct arc_msg *
arc_msg_new(struct arc_engine *e)
{
	struct arc_msg *m = calloc(1, sizeof(*m));

	if (m != NULL)
		m->e = e;
	return m;
}

/* field_kind_of - which ARC field "Name:value" is, by name. */
static enum field_kind
field_kind_of(const char *f, size_t len, size_t *vstart)
{
	const char *colon = memchr(f, ':', len);
	size_t n;

	if (colon == NULL)
		return FIELD_OTHER;
	*vstart = (size_t)(colon - f) + 1;
	n = (size_t)(colon - f);
	while (n > 0 && (f[n - 1] == ' ' || f[n - 1] == '\t'))
		n--;
	if (n == 8 && strncasecmp(f, "ARC-Seal", 8) == 0)
		return FIELD_SEAL;
	if (n == 21 && strncasecmp(f, "ARC-Message-Signature", 21) == 0)
		return FIELD_AMS;
	if (n == 26 && strncasecmp(f, "ARC-Authentication-Results", 26) == 0)
		return FIELD_AAR;
	return FIELD_OTHER;
}

/* over_limit - note that the message went past a limit; returns -1. */
static int
over_limit(struct arc_msg *m, const char *why)
{
	if (!m->over)
		snprintf(m->err, sizeof(m->err), "%s", why);
	m->over = true;
	return -1;
}

int
arc_msg_header(struct arc_msg *m, const char *field, size_t len)
{
	struct field *nf, *f;

	size_t vstart;

	if (field_kind_of(field, len, &vstart) != FIELD_OTHER)
		m->arc_seen = true;
	if (m->over)
		return -1;
	if (m->nf >= ARC_MAX_FIELDS || len > ARC_MAX_HEADER_BYTES - m->bytes)
		return over_limit(m, "header over the ARC verifier's limits");
	if (m->nf == m->capf) {
		size_t cap = m->capf ? m->capf * 2 : 32;

		if ((nf = realloc(m->f, cap * sizeof(*nf))) == NULL)
			return over_limit(m, "out of memory");
		m->f = nf;
		m->capf = cap;
	}
	f = &m->f[m->nf];
	memset(f, 0, sizeof(*f));
	if ((f->text = malloc(len + 1)) == NULL)
		return over_limit(m, "out of memory");
	memcpy(f->text, field, len);
	f->text[len] = '\0';
	f->len = len;
	f->kind = field_kind_of(field, len, &f->vstart);
	m->nf++;
	m->bytes += len;
	if (f->kind != FIELD_OTHER && ++m->narc > ARC_MAX_ARC_FIELDS)
		return over_limit(m, "too many ARC header fields");
	return 0;
}

/* hash_sink - canonical body bytes into the digest. */
static void
hash_sink(void *ctx, const unsigned char *data, size_t len)
{
	EVP_DigestUpdate((EVP_MD_CTX *)ctx, data, len);
}

/* body_start - begin hashing the body in mode. */
static int
body_start(struct arc_msg *m, enum canon_mode mode)
{
	struct body_hash *b = &m->body[mode];

	if (b->on)
		return 0;
	if ((b->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(b->md, EVP_sha256(), NULL) != 1)
		return over_limit(m, "out of memory");
	canon_body_init(&b->cb, mode, hash_sink, b->md);
	b->on = true;
	return 0;
}

int
arc_msg_eoh(struct arc_msg *m)
{
	struct arc_sig *sig;
	size_t k;
	int rc = 0;

	if (m->eoh)
		return 0;
	m->eoh = true;
	if (m->narc == 0 || m->over)
		return m->over ? -1 : 0;
	if ((sig = malloc(sizeof(*sig))) == NULL)
		return over_limit(m, "out of memory");
	for (k = 0; k < m->nf && rc == 0; k++) {
		const struct field *f = &m->f[k];

		if (f->kind == FIELD_AMS && arc_ams_parse(f->text + f->vstart,
		    f->len - f->vstart, sig, NULL, 0) == ARC_PARSE_OK)
			rc = body_start(m, sig->bcanon == ARC_CANON_RELAXED ?
			    CANON_RELAXED : CANON_SIMPLE);
	}
	free(sig);
	return rc;
}

int
arc_msg_body(struct arc_msg *m, const unsigned char *data, size_t len)
{
	int k;

	for (k = 0; k < 2; k++)
		if (m->body[k].on)
			canon_body_update(&m->body[k].cb, data, len);
	return 0;
}

/* body_finish - end the body hashes. */
static void
body_finish(struct arc_msg *m)
{
	unsigned int n;
	int k;

	for (k = 0; k < 2; k++) {
		struct body_hash *b = &m->body[k];

		if (!b->on || b->done)
			continue;
		canon_body_final(&b->cb);
		b->done = EVP_DigestFinal_ex(b->md, b->sum, &n) == 1 && n == sizeof(b->sum);
	}
}

void
arc_msg_free(struct arc_msg *m)
{
	size_t k;

	if (m == NULL)
		return;
	for (k = 0; k < m->nf; k++)
		free(m->f[k].text);
	free(m->f);
	for (k = 0; k < 2; k++)
		EVP_MD_CTX_free(m->body[k].md);
	free(m);
}

/* ---------------------------------------------------------------- keys */

/* key_from_der - an RSA key: SubjectPublicKeyInfo, or a bare RSAPublicKey. */
static EVP_PKEY *
key_from_der(const unsigned char *p, size_t len)
{
	const unsigned char *q = p;
	EVP_PKEY *k;

	if ((k = d2i_PUBKEY(NULL, &q, (long)len)) != NULL)
		return k;
	q = p;
	return d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, (long)len);
}

/* key_load - turn the parsed record ev->rec into ke's pkey. */
static void
key_load(struct eval *ev, struct key_entry *ke)
{
	const struct arc_key *rec = &ev->rec;

	ke->alg = rec->alg;
	ke->st = ARC_SIG_PERMERROR;
	if (rec->plen == 0) {
		snprintf(ke->reason, sizeof(ke->reason), "key revoked");
		return;
	}
	if (rec->alg == ARC_ALG_ED25519_SHA256)
		ke->pkey = rec->plen == 32 ? EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519,
		    NULL, rec->p, 32) : NULL;
	else {
		ke->pkey = key_from_der(rec->p, rec->plen);
		if (ke->pkey != NULL && EVP_PKEY_get_base_id(ke->pkey) != EVP_PKEY_RSA) {
			EVP_PKEY_free(ke->pkey);
			ke->pkey = NULL;
		}
	}
	if (ke->pkey == NULL) {
		snprintf(ke->reason, sizeof(ke->reason), "key p= is not a %s key",
		    rec->alg == ARC_ALG_ED25519_SHA256 ? "ed25519" : "RSA");
		return;
	}
	ke->bits = (unsigned)EVP_PKEY_get_bits(ke->pkey);
	ke->st = ARC_SIG_PASS;
}

/* key_records - pick the first TXT record that parses as a key. */
static void
key_records(struct eval *ev, struct key_entry *ke, const struct dns_txt *txt)
{
	char why[64] = "no key record";
	size_t k;

	for (k = 0; k < txt->n; k++)
		if (arc_key_parse(str_cstr(&txt->rec[k]), txt->rec[k].len, &ev->rec, why,
		    sizeof(why)) == ARC_PARSE_OK) {
			key_load(ev, ke);
			return;
		}
	ke->st = ARC_SIG_PERMERROR;
	snprintf(ke->reason, sizeof(ke->reason), "bad key record: %s", why);
}

/* key_fetch - look up s._domainkey.d into ke. */
static void
key_fetch(struct eval *ev, struct key_entry *ke)
{
	char name[400];
	struct dns_txt txt;
	enum dns_rcode rc;
	int n;

	n = snprintf(name, sizeof(name), "%s._domainkey.%s", ke->s, ke->d);
	if (n < 0 || n > 253) {
		ke->st = ARC_SIG_PERMERROR;
		snprintf(ke->reason, sizeof(ke->reason), "key name too long");
		return;
	}
	dns_txt_init(&txt);
	rc = resolver_txt(ev->m->e->r, name, ev->deadline_ms, &txt, NULL);
	if (rc == DNS_OK)
		key_records(ev, ke, &txt);
	else {
		ke->st = rc == DNS_TEMPFAIL ? ARC_SIG_TEMPERROR : ARC_SIG_PERMERROR;
		snprintf(ke->reason, sizeof(ke->reason), "key lookup: %s",
		    rc == DNS_NXDOMAIN || rc == DNS_NODATA ? "no key" : dns_rcode_name(rc));
		if (rc == DNS_TEMPFAIL)
			ev->out->temperror = true;
	}
	dns_txt_free(&txt);
}

/* key_get - the key of d/s, looked up once per message. */
static const struct key_entry *
key_get(struct eval *ev, const char *d, const char *s)
{
	static const struct key_entry too_many = { .st = ARC_SIG_PERMERROR,
		.reason = "too many keys" };
	struct key_entry *ke;
	size_t k;

	for (k = 0; k < ev->nkeys; k++)
		if (strcasecmp(ev->keys[k].d, d) == 0 && strcasecmp(ev->keys[k].s, s) == 0)
			return &ev->keys[k];
	if (ev->nkeys >= ARC_MAX_KEYS)
		return &too_many;
	ke = &ev->keys[ev->nkeys++];
	memset(ke, 0, sizeof(*ke));
	snprintf(ke->d, sizeof(ke->d), "%s", d);
	snprintf(ke->s, sizeof(ke->s), "%s", s);
	key_fetch(ev, ke);
	return ke;
}

/* ---------------------------------------------------------------- crypto */

/* verify_data - the signature sig over data with pkey (RFC 8463: Ed25519
 * signs the SHA-256 hash of the data). */
static bool
verify_data(EVP_PKEY *pkey, enum arc_alg alg, const unsigned char *data, size_t len,
    const unsigned char *sig, size_t siglen)
{
	unsigned char h[32];
	unsigned int hl = 0;
	EVP_MD_CTX *ctx;
	bool ok = false;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return false;
	if (alg == ARC_ALG_RSA_SHA256)
		ok = EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
		    EVP_DigestVerify(ctx, sig, siglen, data, len) == 1;
	else if (EVP_Digest(data, len, h, &hl, EVP_sha256(), NULL) == 1)
		ok = EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1 &&
		    EVP_DigestVerify(ctx, sig, siglen, h, hl) == 1;
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* check_sig - verify sig over ev->input; key size noted in bits. */
static enum arc_sig_status
check_sig(struct eval *ev, const struct arc_sig *sig, unsigned *bits, char *reason,
    size_t rsize)
{
	const struct key_entry *ke = key_get(ev, sig->d, sig->s);
	unsigned min = ev->m->e->min_key_bits;

	if (ke->st != ARC_SIG_PASS) {
		snprintf(reason, rsize, "%s", ke->reason);
		return ke->st;
	}
	if (bits != NULL)
		*bits = ke->bits;
	if (ke->alg != sig->alg) {
		snprintf(reason, rsize, "key type does not match a=");
		return ARC_SIG_PERMERROR;
	}
	if (ke->alg == ARC_ALG_RSA_SHA256 && (ke->bits < min || ke->bits > MAX_KEY_BITS)) {
		snprintf(reason, rsize, "RSA key of %u bits (%u..%u accepted)", ke->bits, min,
		    MAX_KEY_BITS);
		return ARC_SIG_FAIL;
	}
	if (!verify_data(ke->pkey, sig->alg, (const unsigned char *)ev->input.s,
	    ev->input.len, sig->b, sig->blen)) {
		snprintf(reason, rsize, "signature does not verify");
		return ARC_SIG_FAIL;
	}
	return ARC_SIG_PASS;
}

/* ---------------------------------------------------------------- input */

/* add_blanked - field with its b= value emptied, canonicalized, no CRLF. */
static enum str_status
add_blanked(struct eval *ev, const struct field *f, const struct arc_sig *sig,
    enum canon_mode mode)
{
	struct str tmp = STR_INITIALIZER(ARC_MAX_HEADER_BYTES);
	size_t cut = f->vstart + sig->bval.off;
	enum str_status st;

	if ((st = str_append(&tmp, f->text, cut)) == STR_OK &&
	    (st = str_append(&tmp, f->text + cut + sig->bval.len,
	    f->len - cut - sig->bval.len)) == STR_OK)
		st = canon_header(mode, tmp.s, tmp.len, false, &ev->input);
	str_free(&tmp);
	return st;
}

/* name_is - does field f carry the name [n, n + nlen)? */
static bool
name_is(const struct field *f, const char *n, size_t nlen)
{
	size_t e = f->vstart > 0 ? f->vstart - 1 : 0;

	while (e > 0 && (f->text[e - 1] == ' ' || f->text[e - 1] == '\t'))
		e--;
	return f->vstart > 0 && e == nlen && strncasecmp(f->text, n, nlen) == 0;
}

/* select_field - the bottom-most unused field named n other than self
 * (RFC 6376 5.4.2), or -1. */
static int
select_field(struct eval *ev, const char *n, size_t nlen, int self)
{
	size_t k;

	for (k = ev->m->nf; k-- > 0;)
		if ((int)k != self && !ev->used[k] && name_is(&ev->m->f[k], n, nlen)) {
			ev->used[k] = true;
			return (int)k;
		}
	return -1;
}

/* ams_input - the AMS signing input: the h= fields, then the AMS. */
static enum str_status
ams_input(struct eval *ev, unsigned i)
{
	const struct arc_sig *sig = &ev->ams[i - 1];
	const struct field *self = &ev->m->f[ev->ams_at[i - 1]];
	const char *v = self->text + self->vstart;
	enum canon_mode mode = sig->hcanon == ARC_CANON_RELAXED ? CANON_RELAXED :
	    CANON_SIMPLE;
	enum str_status st = STR_OK;
	size_t k;
	int at;

	str_reset(&ev->input);
	memset(ev->used, 0, ev->m->nf * sizeof(*ev->used));
	for (k = 0; k < sig->nh && st == STR_OK; k++) {
		at = select_field(ev, v + sig->h[k].off, sig->h[k].len, ev->ams_at[i - 1]);
		if (at >= 0)
			st = canon_header(mode, ev->m->f[at].text, ev->m->f[at].len, true,
			    &ev->input);
	}
	return st == STR_OK ? add_blanked(ev, self, sig, mode) : st;
}

/* seal_input - RFC 8617 5.1.1: sets 1..i (AAR, AMS, AS), relaxed, the
 * seal i last with b= emptied and no CRLF. */
static enum str_status
seal_input(struct eval *ev, unsigned i)
{
	enum str_status st = STR_OK;
	const struct field *f;
	unsigned j;

	str_reset(&ev->input);
	for (j = 0; j < i && st == STR_OK; j++) {
		f = &ev->m->f[ev->aar_at[j]];
		st = canon_header(CANON_RELAXED, f->text, f->len, true, &ev->input);
		f = &ev->m->f[ev->ams_at[j]];
		if (st == STR_OK)
			st = canon_header(CANON_RELAXED, f->text, f->len, true, &ev->input);
		f = &ev->m->f[ev->seal_at[j]];
		if (st == STR_OK && j + 1 < i)
			st = canon_header(CANON_RELAXED, f->text, f->len, true, &ev->input);
	}
	f = &ev->m->f[ev->seal_at[i - 1]];
	return st == STR_OK ? add_blanked(ev, f, &ev->seal[i - 1], CANON_RELAXED) : st;
}

/* ---------------------------------------------------------------- verify */

/* set_reason - the set's reason, the first one written wins. */
static void
set_reason(struct arc_set_result *r, const char *what, const char *why)
{
	if (r->reason[0] == '\0')
		snprintf(r->reason, sizeof(r->reason), "%s: %s", what, why);
}

/* verify_ams - the AMS of instance i: body hash, then the signature. */
static enum arc_sig_status
verify_ams(struct eval *ev, unsigned i)
{
	const struct arc_sig *sig = &ev->ams[i - 1];
	struct arc_set_result *r = &ev->out->set[i - 1];
	const struct body_hash *b = &ev->m->body[sig->bcanon == ARC_CANON_RELAXED ?
	    CANON_RELAXED : CANON_SIMPLE];
	char why[96];

	if (!b->done || sig->bhlen != sizeof(b->sum) ||
	    memcmp(sig->bh, b->sum, sizeof(b->sum)) != 0) {
		set_reason(r, "AMS", "body hash mismatch");
		return r->ams = ARC_SIG_FAIL;
	}
	if (ams_input(ev, i) != STR_OK) {
		set_reason(r, "AMS", "signing input too long");
		return r->ams = ARC_SIG_FAIL;
	}
	r->ams = check_sig(ev, sig, NULL, why, sizeof(why));
	if (r->ams != ARC_SIG_PASS)
		set_reason(r, "AMS", why);
	return r->ams;
}

/* verify_seal - the ARC-Seal of instance i. */
static enum arc_sig_status
verify_seal(struct eval *ev, unsigned i)
{
	struct arc_set_result *r = &ev->out->set[i - 1];
	char why[96];

	if (seal_input(ev, i) != STR_OK) {
		set_reason(r, "ARC-Seal", "signing input too long");
		return r->seal = ARC_SIG_FAIL;
	}
	r->seal = check_sig(ev, &ev->seal[i - 1], &r->key_bits, why, sizeof(why));
	if (r->seal != ARC_SIG_PASS)
		set_reason(r, "ARC-Seal", why);
	return r->seal;
}

/* chain_fail - the chain fails, for the first reason given. */
static void
chain_fail(struct arc_outcome *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
chain_fail(struct arc_outcome *o, const char *fmt, ...)
{
	va_list ap;

	if (o->chain == ARC_CHAIN_FAIL)
		return;
	o->chain = ARC_CHAIN_FAIL;
	va_start(ap, fmt);
	vsnprintf(o->reason, sizeof(o->reason), fmt, ap);
	va_end(ap);
}

static const char *const kind_name[] = {
	"", "ARC-Seal", "ARC-Message-Signature", "ARC-Authentication-Results"
};

/* place - remember field k as instance i of its kind; duplicates fail. */
static void
place(struct eval *ev, int *at, unsigned i, size_t k)
{
	if (at[i - 1] >= 0) {
		chain_fail(ev->out, "duplicate %s i=%u", kind_name[ev->m->f[k].kind], i);
		return;
	}
	at[i - 1] = (int)k;
	if (i > ev->out->n)
		ev->out->n = i;
}

/* parse_field - parse the ARC field k and place it by instance; a
 * malformed field fails the chain, naming the instance when known. */
static void
parse_field(struct eval *ev, size_t k)
{
	const struct field *f = &ev->m->f[k];
	const char *v = f->text + f->vstart;
	size_t vlen = f->len - f->vstart;
	enum arc_parse_status st;
	struct arc_aar aar;
	char why[96] = "";
	unsigned i;

	if (f->kind == FIELD_AAR) {
		st = arc_aar_parse(v, vlen, &aar, why, sizeof(why));
		i = aar.i;
	} else {
		st = f->kind == FIELD_SEAL ?
		    arc_seal_parse(v, vlen, &ev->scratch, why, sizeof(why)) :
		    arc_ams_parse(v, vlen, &ev->scratch, why, sizeof(why));
		i = ev->scratch.i;
	}
	if (st != ARC_PARSE_OK) {
		if (i != 0)
			chain_fail(ev->out, "malformed %s i=%u: %s", kind_name[f->kind], i, why);
		else
			chain_fail(ev->out, "malformed %s: %s", kind_name[f->kind], why);
	}
	if (i == 0)
		return;
	if (f->kind == FIELD_AAR) {
		if (ev->aar_at[i - 1] < 0)
			ev->aar[i - 1] = aar;
		place(ev, ev->aar_at, i, k);
	} else if (f->kind == FIELD_SEAL) {
		if (ev->seal_at[i - 1] < 0)
			ev->seal[i - 1] = ev->scratch;
		place(ev, ev->seal_at, i, k);
	} else {
		if (ev->ams_at[i - 1] < 0)
			ev->ams[i - 1] = ev->scratch;
		place(ev, ev->ams_at, i, k);
	}
}

/* aar_text - the AAR's text after "i=N;", unfolded, into the outcome. */
static void
aar_text(struct eval *ev, unsigned i)
{
	const struct field *f = &ev->m->f[ev->aar_at[i - 1]];
	const char *p = f->text + f->vstart + ev->aar[i - 1].rest.off;
	size_t k, n = ev->aar[i - 1].rest.len;
	struct str *out = &ev->out->set[i - 1].aar;

	for (k = 0; k < n; k++)
		if (p[k] != '\r' && p[k] != '\n' && str_appendc(out, p[k]) != STR_OK)
			break;
}

/* fill_sets - what was found, per instance, into the outcome. */
static void
fill_sets(struct eval *ev)
{
	struct arc_set_result *r;
	unsigned i;

	for (i = 1; i <= ev->out->n; i++) {
		r = &ev->out->set[i - 1];
		if (ev->seal_at[i - 1] >= 0) {
			snprintf(r->seal_d, sizeof(r->seal_d), "%s", ev->seal[i - 1].d);
			snprintf(r->seal_s, sizeof(r->seal_s), "%s", ev->seal[i - 1].s);
			snprintf(r->cv, sizeof(r->cv), "%s", arc_cv_name(ev->seal[i - 1].cv));
		}
		if (ev->ams_at[i - 1] >= 0) {
			snprintf(r->ams_d, sizeof(r->ams_d), "%s", ev->ams[i - 1].d);
			snprintf(r->ams_s, sizeof(r->ams_s), "%s", ev->ams[i - 1].s);
		}
		if (ev->aar_at[i - 1] >= 0)
			aar_text(ev, i);
	}
}

/* check_structure - RFC 8617 5.2 steps 2 and 3: complete sets 1..N, cv=
 * none for 1, pass for the others, the newest not fail. */
static void
check_structure(struct eval *ev)
{
	unsigned i, n = ev->out->n;

	for (i = 1; i <= n; i++) {
		if (ev->seal_at[i - 1] < 0)
			chain_fail(ev->out, "ARC-Seal i=%u missing", i);
		else if (ev->ams_at[i - 1] < 0)
			chain_fail(ev->out, "ARC-Message-Signature i=%u missing", i);
		else if (ev->aar_at[i - 1] < 0)
			chain_fail(ev->out, "ARC-Authentication-Results i=%u missing", i);
	}
	if (ev->out->chain == ARC_CHAIN_FAIL)
		return;
	if (ev->seal[n - 1].cv == ARC_CV_FAIL)
		chain_fail(ev->out, "ARC-Seal i=%u says cv=fail", n);
	else if (ev->seal[0].cv != ARC_CV_NONE)
		chain_fail(ev->out, "ARC-Seal i=1 has cv=%s, not none",
		    arc_cv_name(ev->seal[0].cv));
	for (i = 2; i <= n; i++)
		if (ev->seal[i - 1].cv != ARC_CV_PASS)
			chain_fail(ev->out, "ARC-Seal i=%u has cv=%s, not pass", i,
			    arc_cv_name(ev->seal[i - 1].cv));
}

/*
 * verify_chain - RFC 8617 5.2 steps 4 to 6: the newest AMS, every seal
 * newest to oldest, then oldest-pass.
 *
 * oldest_pass: the AMSs are checked from N - 1 down to 1, stopping at the
 * first that does not verify; oldest_pass is the oldest instance from
 * which every newer AMS verifies.  When all AMSs verify it is 1 (the
 * oldest instance whose AMS still verifies, as arc_verify.h defines it);
 * RFC 8617 5.2 step 5 writes that case as header.oldest-pass=0, so an
 * Authentication-Results writer maps oldest_pass 1 to 0.  0 here means
 * "not computed" (the chain did not pass).
 */
static void
verify_chain(struct eval *ev)
{
	struct arc_outcome *o = ev->out;
	unsigned i, n = o->n;

	if (verify_ams(ev, n) != ARC_SIG_PASS) {
		chain_fail(o, "i=%u %s", n, o->set[n - 1].reason);
		return;
	}
	for (i = n; i >= 1; i--)
		if (verify_seal(ev, i) != ARC_SIG_PASS) {
			chain_fail(o, "i=%u %s", i, o->set[i - 1].reason);
			return;
		}
	o->chain = ARC_CHAIN_PASS;
	o->oldest_pass = n;
	for (i = n - 1; i >= 1; i--) {
		if (verify_ams(ev, i) != ARC_SIG_PASS)
			break;
		o->oldest_pass = i;
	}
}

/* eval_new - the evaluation state of m (NULL when out of memory). */
static struct eval *
eval_new(struct arc_msg *m, struct arc_outcome *out)
{
	struct eval *ev = calloc(1, sizeof(*ev));
	unsigned k;

	if (ev == NULL)
		return NULL;
	if ((ev->used = calloc(m->nf ? m->nf : 1, sizeof(*ev->used))) == NULL) {
		free(ev);
		return NULL;
	}
	ev->m = m;
	ev->out = out;
	for (k = 0; k < ARC_MAX_INSTANCES; k++)
		ev->seal_at[k] = ev->ams_at[k] = ev->aar_at[k] = -1;
	str_init(&ev->input, SIGNING_INPUT_MAX);
	if (m->e->budget_ms > 0)
		ev->deadline_ms = resolver_now_ms() + (int64_t)m->e->budget_ms;
	return ev;
}

/* eval_free - release ev and its keys. */
static void
eval_free(struct eval *ev)
{
	size_t k;

	for (k = 0; k < ev->nkeys; k++)
		EVP_PKEY_free(ev->keys[k].pkey);
	str_free(&ev->input);
	free(ev->used);
	free(ev);
}

void
arc_msg_eom(struct arc_msg *m, struct arc_outcome *out)
{
	struct eval *ev;
	size_t k;

	arc_outcome_free(out);
	if (!m->eoh)
		(void)arc_msg_eoh(m);
	if (!m->arc_seen)
		return;		/* no ARC field at all: none, whatever the size */
	if (m->over) {
		chain_fail(out, "%s", m->err);
		return;
	}
	body_finish(m);
	if ((ev = eval_new(m, out)) == NULL) {
		chain_fail(out, "out of memory");
		return;
	}
	for (k = 0; k < m->nf; k++)
		if (m->f[k].kind != FIELD_OTHER)
			parse_field(ev, k);
	fill_sets(ev);
	if (out->n == 0)
		chain_fail(out, "no usable ARC instance");
	if (out->chain != ARC_CHAIN_FAIL)
		check_structure(ev);
	if (out->chain != ARC_CHAIN_FAIL)
		verify_chain(ev);
	if (out->chain != ARC_CHAIN_PASS)
		out->oldest_pass = 0;
	eval_free(ev);
}
