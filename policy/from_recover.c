/*
 * from_recover.c - the author domains a mail reader may display from From
 * fields that from_parse() could not use (see from.h, from_recover()).
 *
 * Lenient on purpose, the opposite of from.c: no grammar at all.  RFC 2047
 * encoded words ("=?charset?B|Q?text?=") are decoded, then every "@"
 * followed by a run of domain characters (letters, digits, '-', '.', and
 * UTF-8 bytes) gives a candidate, normalised with domain_normalize(); what
 * does not normalise is not a domain.  Over-collecting is the safe error
 * here: the caller applies the strictest policy among the candidates.
 * One scratch copy of a field is allocated and freed; no global state;
 * thread-safe.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "from.h"
#include "str.h"

/* is_domain_byte - may c be part of a domain as a reader shows it? */
static bool
is_domain_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c >= 0x80;
}

/* add_candidate - normalise s[0..n) and add it to out if new. */
static void
add_candidate(const char *s, size_t n, struct from_result *out)
{
	char buf[DOMAIN_BUFSIZE];

	while (n > 0 && s[0] == '.') {
		s++;
		n--;
	}
	while (n > 0 && s[n - 1] == '.')
		n--;
	if (n > 0 && domain_normalize(s, n, buf) == DOMAIN_OK)
		(void)from_result_add(out, buf);
}

/*
 * skip_cfws - past blanks, line ends and (nested) comments at s[i..n).  A
 * comment that never closes is no comment (*open is set, i is where it
 * started): it must not hide the rest of the field, where a reader shows
 * the addresses.  With comments false, only blanks are skipped.
 */
static size_t
skip_cfws(const char *s, size_t i, size_t n, bool comments, bool *open)
{
	size_t depth = 0, start = i, blanks = i;

	for (; i < n; i++) {
		if (s[i] == '(' && comments)
			depth++;
		else if (s[i] == ')' && depth > 0)
			depth--;
		else if (s[i] == '\\' && depth > 0 && i + 1 < n)
			i++;
		else if (depth == 0 && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			break;
		if (depth == 0)
			blanks = i + 1;
	}
	if (depth == 0)
		return i;
	*open = true;
	return blanks > start ? blanks : start;
}

/*
 * scan_plain - every "@domain" of s[0..n), no encoded words; blanks and
 * comments after the "@" are skipped as the strict parser skips them.
 * After a comment that never closes, comments are not skipped any more
 * (each would run to the end again: the scan stays linear).
 */
static void
scan_plain(const char *s, size_t n, struct from_result *out)
{
	size_t i = 0, start;
	bool open = false;

	while (i < n) {
		if (s[i++] != '@')
			continue;
		i = skip_cfws(s, i, n, !open, &open);
		start = i;
		while (i < n && is_domain_byte((unsigned char)s[i]))
			i++;
		add_candidate(s + start, i - start, out);
	}
}

/* decode_q - RFC 2047 4.2 "Q" text into out (at most size); its length. */
static size_t
decode_q(const char *s, size_t n, char *out, size_t size)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n && o < size; i++) {
		if (s[i] == '_') {
			out[o++] = ' ';
		} else if (s[i] == '=' && i + 2 < n && (hi = str_hex_value(s[i + 1])) >= 0 &&
		    (lo = str_hex_value(s[i + 2])) >= 0) {
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	return o;
}

/* decode_b - RFC 2047 4.1 "B" text into out (at most size); its length.
 * Characters outside the alphabet ('=' padding among them) are skipped. */
static size_t
decode_b(const char *s, size_t n, char *out, size_t size)
{
	unsigned long acc = 0;
	size_t i, o = 0;
	int v, bits = 0;

	for (i = 0; i < n && o < size; i++) {
		if ((v = str_b64_value(s[i])) < 0)
			continue;
		acc = ((acc << 6) | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

/*
 * decode_word - at s[0..n) starting "=?", decode one encoded word into out
 * (room for n bytes: decoding never grows the text); returns the bytes it
 * spans and sets *olen, or returns 0 when it is not an encoded word.
 */
static size_t
decode_word(const char *s, size_t n, char *out, size_t *olen)
{
	const char *q, *text, *end;
	char enc;

	if (n < 8 || s[0] != '=' || s[1] != '?' || (q = memchr(s + 2, '?', n - 2)) == NULL ||
	    (size_t)(q - s) + 3 >= n || q[2] != '?')
		return 0;
	enc = q[1];
	text = q + 3;
	for (end = text; end + 1 < s + n && !(end[0] == '?' && end[1] == '='); end++)
		;
	if (end + 1 >= s + n || (enc != 'B' && enc != 'b' && enc != 'Q' && enc != 'q'))
		return 0;
	*olen = (enc == 'B' || enc == 'b') ? decode_b(text, (size_t)(end - text), out, n) :
	    decode_q(text, (size_t)(end - text), out, n);
	return (size_t)(end + 2 - s);
}

/* wsp_before_word - the blanks at v[i..n) when an encoded word follows them
 * (RFC 2047 6.2: they are not displayed), else 0. */
static size_t
wsp_before_word(const char *v, size_t i, size_t n)
{
	size_t j = i;

	while (j < n && (v[j] == ' ' || v[j] == '\t' || v[j] == '\r' || v[j] == '\n'))
		j++;
	if (j == i || j + 1 >= n || v[j] != '=' || v[j + 1] != '?')
		return 0;
	return memchr(v + j + 2, '?', n - j - 2) != NULL ? j - i : 0;
}

/*
 * decode_value - v[0..n) as a reader shows it: encoded words decoded, the
 * blanks between two of them dropped; into out (n bytes); its length.
 */
static size_t
decode_value(const char *v, size_t n, char *out)
{
	size_t i = 0, o = 0, used, olen, skip;
	bool after_word = false;

	while (i < n) {
		if ((used = decode_word(v + i, n - i, out + o, &olen)) > 0) {
			i += used;
			o += olen;
			after_word = true;
			continue;
		}
		if (after_word && (skip = wsp_before_word(v, i, n)) > 0) {
			i += skip;
			after_word = false;
			continue;
		}
		after_word = false;
		out[o++] = v[i++];
	}
	return o;
}

/* recover_one - the candidates of one field value: as written and as
 * decoded (over-collecting is the safe error). */
static void
recover_one(const char *v, size_t n, struct from_result *out)
{
	char *dec;

	scan_plain(v, n, out);
	if (n == 0 || (dec = malloc(n)) == NULL)
		return;
	scan_plain(dec, decode_value(v, n, dec), out);
	free(dec);
}

size_t
from_recover(const char *const *values, const size_t *lens, size_t nvalues,
    struct from_result *out)
{
	size_t i;

	out->ndomains = 0;
	out->overflow = false;
	memset(out->domains, 0, sizeof(out->domains));
	for (i = 0; i < nvalues; i++)
		if (values[i] != NULL)
			recover_one(values[i], lens[i], out);
	return out->ndomains;
}
