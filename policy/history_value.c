/*
 * history_value.c - the value codecs of history lines, shared by the field
 * codecs (history_fields.c) and the line framing (history.c): the decode
 * failure reason, percent-encoding, strict decimal numbers, domains,
 * keywords, comma-separated tuples and list bounds, addresses, and the
 * output line writer.  Declared in history_int.h.
 * Pure computation; reentrant (no static mutable state).
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "history_int.h"

/* ------------------------------------------------------------ decoding */

/* history_fail - write the reason and return st. */
enum history_status
history_fail(struct dctx *c, enum history_status st, const char *fmt, ...)
{
	va_list ap;

	if (c->reason != NULL && c->reasonsize > 0) {
		va_start(ap, fmt);
		vsnprintf(c->reason, c->reasonsize, fmt, ap);
		va_end(ap);
	}
	return st;
}

/* history_show - a printable excerpt of untrusted bytes for a reason text. */
const char *
history_show(const char *s, size_t n, char *buf)
{
	size_t i, k = n > 40 ? 40 : n;

	for (i = 0; i < k; i++)
		buf[i] = (s[i] > ' ' && s[i] < 0x7f) ? s[i] : '?';
	memcpy(buf + k, n > k ? "..." : "", n > k ? 4 : 1);
	return buf;
}

/* history_is_safe - may this byte appear unencoded in a value? */
bool
history_is_safe(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
		return true;
	return ch != '\0' && strchr("-._~!$&'()*+/:;?@[]", ch) != NULL;
}

/*
 * pct_decode - percent-decode n raw bytes into out (outsize bytes, NUL
 * added) and set *outlen.  out NULL: only validate.  A decoded NUL, an
 * unsafe raw byte and a malformed escape are errors.
 */
enum history_status
history_pct_decode(struct dctx *c, const char *raw, size_t n, char *out, size_t outsize, size_t *outlen)
{
	size_t i, o = 0;
	unsigned char ch;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)raw[i];
		if (ch == '%') {
			if (n - i < 3 || str_hex_value((unsigned char)raw[i + 1]) < 0 ||
			    str_hex_value((unsigned char)raw[i + 2]) < 0)
				return history_fail(c, HISTORY_BAD_SYNTAX, "%s: malformed percent escape", c->key);
			ch = (unsigned char)(str_hex_value((unsigned char)raw[i + 1]) * 16 +
			    str_hex_value((unsigned char)raw[i + 2]));
			i += 2;
			if (ch == '\0')
				return history_fail(c, HISTORY_BAD_CHAR, "%s: encoded NUL (%%00)", c->key);
		} else if (!history_is_safe(ch))
			return history_fail(c, HISTORY_BAD_CHAR, "%s: byte 0x%02x must be percent-encoded",
			    c->key, ch);
		if (out != NULL) {
			if (o + 1 >= outsize)
				return history_fail(c, HISTORY_BAD_VALUE, "%s: value longer than %zu bytes",
				    c->key, outsize - 1);
			out[o] = (char)ch;
		}
		o++;
	}
	if (out != NULL)
		out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return HISTORY_OK;
}

/* history_parse_u64 - strict decimal (no sign, no leading zero) up to max. */
bool
history_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		if (v > (max - (uint64_t)(s[i] - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* history_dec_number - a decimal field value up to max. */
enum history_status
history_dec_number(struct dctx *c, const char *raw, size_t n, uint64_t max, uint64_t *out)
{
	char ex[SHOW_BUFSIZE];

	if (!history_parse_u64(raw, n, max, out))
		return history_fail(c, HISTORY_BAD_NUMBER, "%s: '%s' is not a decimal number from 0 to %" PRIu64,
		    c->key, history_show(raw, n, ex), max);
	return HISTORY_OK;
}

/* history_dec_text - a non-empty text value into a fixed buffer. */
enum history_status
history_dec_text(struct dctx *c, const char *raw, size_t n, char *out, size_t outsize)
{
	if (n == 0)
		return history_fail(c, HISTORY_BAD_VALUE, "%s: empty value", c->key);
	return history_pct_decode(c, raw, n, out, outsize, NULL);
}

/* history_dec_alloc - a text value of at most max bytes into a malloc'd string. */
enum history_status
history_dec_alloc(struct dctx *c, const char *raw, size_t n, size_t max, char **out)
{
	enum history_status st;
	size_t len;
	char *buf;

	if ((st = history_pct_decode(c, raw, n, NULL, 0, &len)) != HISTORY_OK)
		return st;
	if (len > max)
		return history_fail(c, HISTORY_BAD_VALUE, "%s: value longer than %zu bytes", c->key, max);
	if ((buf = malloc(len + 1)) == NULL)
		return history_fail(c, HISTORY_NOMEM, "out of memory");
	(void)history_pct_decode(c, raw, n, buf, len + 1, NULL);
	*out = buf;
	return HISTORY_OK;
}

/* history_dec_domain - a domain, normalised into out (DOMAIN_BUFSIZE bytes). */
enum history_status
history_dec_domain(struct dctx *c, const char *raw, size_t n, char *out)
{
	char tmp[4 * DOMAIN_BUFSIZE], ex[SHOW_BUFSIZE];
	enum history_status st;
	enum domain_status ds;
	size_t len;

	st = history_pct_decode(c, raw, n, tmp, sizeof(tmp), &len);
	if (st == HISTORY_BAD_VALUE)
		return history_fail(c, HISTORY_BAD_DOMAIN, "%s: domain too long", c->key);
	if (st != HISTORY_OK)
		return st;
	if ((ds = domain_normalize(tmp, len, out)) != DOMAIN_OK)
		return history_fail(c, HISTORY_BAD_DOMAIN, "%s: '%s': %s", c->key,
		    history_show(tmp, len, ex), domain_strerror(ds));
	return HISTORY_OK;
}

/* history_dec_token - a short keyword into buf (32 bytes). */
enum history_status
history_dec_token(struct dctx *c, const char *raw, size_t n, char *buf)
{
	enum history_status st;

	st = history_pct_decode(c, raw, n, buf, 32, NULL);
	if (st == HISTORY_BAD_VALUE || (st == HISTORY_OK && buf[0] == '\0'))
		return history_fail(c, HISTORY_BAD_WORD, "%s: empty or overlong keyword", c->key);
	return st;
}

/* history_bad_word - the unknown-keyword failure. */
enum history_status
history_bad_word(struct dctx *c, const char *word)
{
	char ex[SHOW_BUFSIZE];

	return history_fail(c, HISTORY_BAD_WORD, "%s: unknown keyword '%s'", c->key,
	    history_show(word, strlen(word), ex));
}

/* history_dec_word - a keyword of one of this format's tables; its index in *idx. */
enum history_status
history_dec_word(struct dctx *c, const char *raw, size_t n, const char *const *tab, size_t ntab, int *idx)
{
	enum history_status st;
	char buf[32];
	size_t i;

	if ((st = history_dec_token(c, raw, n, buf)) != HISTORY_OK)
		return st;
	for (i = 0; i < ntab; i++) {
		if (tab[i][0] != '\0' && strcasecmp(tab[i], buf) == 0) {
			*idx = (int)i;
			return HISTORY_OK;
		}
	}
	return history_bad_word(c, buf);
}

/*
 * split_commas - cut a raw value at its commas (escaped commas are not
 * commas) into at most max components; false when there are more.
 */
bool
history_split_commas(const char *raw, size_t n, const char **comp, size_t *len, size_t max, size_t *ncomp)
{
	const char *p = raw, *end = raw + n, *comma;
	size_t k = 0;

	for (;;) {
		if (k == max)
			return false;
		comma = memchr(p, ',', (size_t)(end - p));
		comp[k] = p;
		len[k] = comma ? (size_t)(comma - p) : (size_t)(end - p);
		k++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*ncomp = k;
	return true;
}

/* history_list_room - fail with TOO_MANY when a list already holds max items. */
enum history_status
history_list_room(struct dctx *c, size_t have, size_t max)
{
	if (have >= max)
		return history_fail(c, HISTORY_TOO_MANY, "%s: more than %zu items", c->key, max);
	return HISTORY_OK;
}

/* history_dec_human - optional 4th tuple component. */
enum history_status
history_dec_human(struct dctx *c, const char **comp, const size_t *len, size_t ncomp, char *out)
{
	if (ncomp < 4)
		return HISTORY_OK;
	return history_dec_text(c, comp[3], len[3], out, HISTORY_HUMAN_BUFSIZE);
}

/* history_canon_ip - validate an address with inet_pton; canonical text into out. */
bool
history_canon_ip(const char *text, char *out)
{
	unsigned char addr[sizeof(struct in6_addr)];
	int af = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(af, text, addr) != 1)
		return false;
	return inet_ntop(af, addr, out, HISTORY_IP_BUFSIZE) != NULL;
}

/* ------------------------------------------------------------ encoding */

/* history_wr_raw - append n bytes as they are. */
void
history_wr_raw(struct wr *w, const char *s, size_t n)
{
	if (w->st == STR_OK)
		w->st = str_append(w->out, s, n);
}

/* history_wr_key - start a field: " key=". */
void
history_wr_key(struct wr *w, const char *key)
{
	history_wr_raw(w, " ", 1);
	history_wr_raw(w, key, strlen(key));
	history_wr_raw(w, "=", 1);
}

/* history_wr_pct - append n bytes, percent-encoding every byte outside the safe set. */
void
history_wr_pct(struct wr *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[3];
	size_t i, run;

	for (i = 0; i < n; i += run) {
		for (run = 0; i + run < n && history_is_safe((unsigned char)s[i + run]); run++)
			continue;
		if (run > 0) {
			history_wr_raw(w, s + i, run);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[(unsigned char)s[i] >> 4];
		esc[2] = hex[(unsigned char)s[i] & 0xf];
		history_wr_raw(w, esc, 3);
		run = 1;
	}
}

/* history_wr_field - " key=" and a percent-encoded value. */
void
history_wr_field(struct wr *w, const char *key, const char *value)
{
	history_wr_key(w, key);
	history_wr_pct(w, value, strlen(value));
}

/* history_wr_word - " key=word" from a table, checking the index. */
enum history_status
history_wr_word(struct wr *w, const char *key, const char *const *tab, size_t ntab, unsigned idx)
{
	if (idx >= ntab || tab[idx][0] == '\0')
		return HISTORY_BAD_WORD;
	history_wr_field(w, key, tab[idx]);
	return HISTORY_OK;
}

/* history_wr_tuple_tail - ",result[,human]" of a DKIM or SPF tuple. */
enum history_status
history_wr_tuple_tail(struct wr *w, const char *result, const char *human)
{
	size_t n = strnlen(human, HISTORY_HUMAN_BUFSIZE);

	if (n >= HISTORY_HUMAN_BUFSIZE)
		return HISTORY_BAD_VALUE;
	history_wr_raw(w, ",", 1);
	history_wr_pct(w, result, strlen(result));
	if (n > 0) {
		history_wr_raw(w, ",", 1);
		history_wr_pct(w, human, n);
	}
	return HISTORY_OK;
}

/* history_bounded - is the fixed buffer NUL-terminated and its text non-empty? */
bool
history_bounded(const char *buf, size_t size)
{
	size_t n = strnlen(buf, size);

	return n > 0 && n < size;
}

/* history_norm_domain - normalise a fixed-buffer domain for writing. */
enum history_status
history_norm_domain(const char *name, char *out)
{
	if (strnlen(name, DOMAIN_BUFSIZE) >= DOMAIN_BUFSIZE)
		return HISTORY_BAD_DOMAIN;
	return domain_normalize(name, strlen(name), out) == DOMAIN_OK ? HISTORY_OK : HISTORY_BAD_DOMAIN;
}

/* history_wr_domain - " key=domain", normalised; an empty name is missing. */
enum history_status
history_wr_domain(struct wr *w, const char *key, const char *name)
{
	char norm[DOMAIN_BUFSIZE];
	enum history_status st;

	if (name[0] == '\0')
		return HISTORY_MISSING_FIELD;
	if ((st = history_norm_domain(name, norm)) == HISTORY_OK)
		history_wr_field(w, key, norm);
	return st;
}
