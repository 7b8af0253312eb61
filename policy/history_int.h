/*
 * history_int.h - internals of the history module, shared by its files and
 * included by nothing else (not installed; the public interface is
 * history.h): the decoding and encoding state, the value codecs of
 * history_value.c, and the field table of history_fields.c that the line
 * framing in history.c walks.
 */
#ifndef AUTHMILTER_HISTORY_INT_H
#define AUTHMILTER_HISTORY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "str.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ decoding */

/* State of one history_decode call. */
struct dctx {
	struct history_record *h;
	char *reason;
	size_t reasonsize;
	char key[HISTORY_EXT_KEY_MAX + 1];	/* key being decoded, for messages */
};

typedef enum history_status (*dec_fn)(struct dctx *c, const char *raw, size_t n);

#define SHOW_BUFSIZE 48	/* the buffer history_show() fills */

/* Value decoders (history_value.c); each fails through history_fail(). */
enum history_status history_fail(struct dctx *c, enum history_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *history_show(const char *s, size_t n, char *buf);
bool history_is_safe(unsigned char ch);
enum history_status history_pct_decode(struct dctx *c, const char *raw, size_t n, char *out,
    size_t outsize, size_t *outlen);
bool history_parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out);
enum history_status history_dec_number(struct dctx *c, const char *raw, size_t n, uint64_t max,
    uint64_t *out);
enum history_status history_dec_text(struct dctx *c, const char *raw, size_t n, char *out,
    size_t outsize);
enum history_status history_dec_alloc(struct dctx *c, const char *raw, size_t n, size_t max,
    char **out);
enum history_status history_dec_domain(struct dctx *c, const char *raw, size_t n, char *out);
enum history_status history_dec_token(struct dctx *c, const char *raw, size_t n, char *buf);
enum history_status history_bad_word(struct dctx *c, const char *word);
enum history_status history_dec_word(struct dctx *c, const char *raw, size_t n,
    const char *const *tab, size_t ntab, int *idx);
bool history_split_commas(const char *raw, size_t n, const char **comp, size_t *len, size_t max,
    size_t *ncomp);
enum history_status history_list_room(struct dctx *c, size_t have, size_t max);
enum history_status history_dec_human(struct dctx *c, const char **comp, const size_t *len,
    size_t ncomp, char *out);
bool history_canon_ip(const char *text, char *out);

/* ------------------------------------------------------------ encoding */

/* An output line being written; the first string error sticks. */
struct wr {
	struct str *out;
	enum str_status st;
};

typedef enum history_status (*enc_fn)(const struct history_record *h, struct wr *w);

/* Value encoders (history_value.c); the first string error sticks in w. */
void history_wr_raw(struct wr *w, const char *s, size_t n);
void history_wr_key(struct wr *w, const char *key);
void history_wr_pct(struct wr *w, const char *s, size_t n);
void history_wr_field(struct wr *w, const char *key, const char *value);
enum history_status history_wr_word(struct wr *w, const char *key, const char *const *tab,
    size_t ntab, unsigned idx);
enum history_status history_wr_tuple_tail(struct wr *w, const char *result, const char *human);
bool history_bounded(const char *buf, size_t size);
enum history_status history_norm_domain(const char *name, char *out);
enum history_status history_wr_domain(struct wr *w, const char *key, const char *name);

/* ------------------------------------------------------------ the field table */

#define F_LIST	0x1	/* may repeat */
#define F_REQ	0x2	/* always required */
#define F_POL	0x4	/* part of the published policy: only with pdom */
#define F_POLREQ 0x8	/* required with pdom */

struct field {
	const char *key;
	unsigned flags;
	unsigned minor;		/* the minor version that added the key */
	dec_fn dec;
	enc_fn enc;
};

/* The fields in their canonical order (history_fields.c). */
extern const struct field history_fields[];
extern const size_t history_nfields;

/* history_field_index - position of a key in the table (history_nfields when absent). */
size_t history_field_index(const char *key);

#endif /* AUTHMILTER_HISTORY_INT_H */
