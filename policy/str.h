/*
 * str.h - the one string type for untrusted text.
 *
 * A struct str carries its length, is always NUL-terminated once anything
 * was appended, grows on demand and never beyond its hard maximum: going
 * past the maximum is an error (STR_ETOOLONG), never silent truncation.
 * Not thread-safe per object; distinct objects are independent.
 */
#ifndef AUTHMILTER_STR_H
#define AUTHMILTER_STR_H

#include <stdarg.h>
#include <stddef.h>

enum str_status {
	STR_OK = 0,
	STR_ENOMEM,	/* allocation failed */
	STR_ETOOLONG	/* the result would exceed the string's maximum */
};

struct str {
	char *s;	/* NULL until the first append; then NUL-terminated */
	size_t len;	/* bytes in use, not counting the NUL */
	size_t cap;	/* bytes allocated */
	size_t max;	/* hard maximum length */
};

#define STR_INITIALIZER(maxlen) { NULL, 0, 0, (maxlen) }

/* str_init - empty string that may grow to maxlen bytes. */
void str_init(struct str *sp, size_t maxlen);

/* str_free - release the buffer; the string is empty and reusable. */
void str_free(struct str *sp);

/* str_reset - set the length to zero, keeping the buffer. */
void str_reset(struct str *sp);

/* str_append - append n bytes (may contain NUL). */
enum str_status str_append(struct str *sp, const char *data, size_t n);

/* str_appends - append a NUL-terminated string. */
enum str_status str_appends(struct str *sp, const char *cstr);

/* str_appendc - append one byte. */
enum str_status str_appendc(struct str *sp, char c);

/* str_set - replace the content with n bytes. */
enum str_status str_set(struct str *sp, const char *data, size_t n);

/*
 * str_printf - append formatted text.  The format must be a literal of the
 * program, never text from a peer or a config file.
 */
enum str_status str_printf(struct str *sp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* str_cstr - the content as a C string ("" when nothing was appended). */
const char *str_cstr(const struct str *sp);

/* str_steal - hand the buffer to the caller (malloc'd, may be NULL); the string is emptied. */
char *str_steal(struct str *sp);

/* str_strerror - text for a status. */
const char *str_strerror(enum str_status st);

/* str_hex_value - the value of the hex digit c (either case), or -1. */
int str_hex_value(int c);

/* str_b64_value - the 6-bit value of the base64 character c, or -1. */
int str_b64_value(int c);

#endif
