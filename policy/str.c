/*
 * str.c - length-carrying, bounded, growable strings (see str.h).
 * Called by every parser and writer of the policy library.  No global state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

void
str_init(struct str *sp, size_t maxlen)
{
	sp->s = NULL;
	sp->len = 0;
	sp->cap = 0;
	sp->max = maxlen;
}

void
str_free(struct str *sp)
{
	free(sp->s);
	sp->s = NULL;
	sp->len = 0;
	sp->cap = 0;
}

void
str_reset(struct str *sp)
{
	sp->len = 0;
	if (sp->s != NULL)
		sp->s[0] = '\0';
}

/* str_reserve - make room for extra more bytes plus the NUL. */
static enum str_status
str_reserve(struct str *sp, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > sp->max || sp->len > sp->max - extra)
		return STR_ETOOLONG;
	need = sp->len + extra + 1;
	if (need <= sp->cap)
		return STR_OK;
	ncap = sp->cap ? sp->cap : 32;
	while (ncap < need)
		ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
	if ((p = realloc(sp->s, ncap)) == NULL)
		return STR_ENOMEM;
	sp->s = p;
	sp->cap = ncap;
	return STR_OK;
}

enum str_status
str_append(struct str *sp, const char *data, size_t n)
{
	enum str_status st;

	if ((st = str_reserve(sp, n)) != STR_OK)
		return st;
	if (n > 0)
		memcpy(sp->s + sp->len, data, n);
	sp->len += n;
	sp->s[sp->len] = '\0';
	return STR_OK;
}

enum str_status
str_appends(struct str *sp, const char *cstr)
{
	return str_append(sp, cstr, strlen(cstr));
}

enum str_status
str_appendc(struct str *sp, char c)
{
	return str_append(sp, &c, 1);
}

enum str_status
str_set(struct str *sp, const char *data, size_t n)
{
	str_reset(sp);
	return str_append(sp, data, n);
}

enum str_status
str_printf(struct str *sp, const char *fmt, ...)
{
	va_list ap;
	enum str_status st;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return STR_ENOMEM;
	if ((st = str_reserve(sp, (size_t)n)) != STR_OK)
		return st;
	va_start(ap, fmt);
	vsnprintf(sp->s + sp->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sp->len += (size_t)n;
	return STR_OK;
}

const char *
str_cstr(const struct str *sp)
{
	return sp->s != NULL ? sp->s : "";
}

char *
str_steal(struct str *sp)
{
	char *p = sp->s;

	sp->s = NULL;
	sp->len = 0;
	sp->cap = 0;
	return p;
}

const char *
str_strerror(enum str_status st)
{
	switch (st) {
	case STR_OK:
		return "success";
	case STR_ENOMEM:
		return "out of memory";
	case STR_ETOOLONG:
		return "text exceeds its maximum length";
	}
	return "unknown string status";
}

int
str_hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
str_b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}
