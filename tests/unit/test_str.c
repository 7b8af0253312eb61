/*
 * test_str.c - table tests for policy/str.c: appending, the hard maximum
 * (STR_ETOOLONG, never truncation), printf, set, reset, steal.
 * Single-threaded TAP program.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "tap.h"

struct append_case {
	const char *name;
	size_t max;
	const char *first, *second;	/* appended in turn */
	enum str_status want;		/* status of the second append */
	const char *content;		/* content afterwards */
};

static const struct append_case append_cases[] = {
	{ "two pieces", 100, "abc", "def", STR_OK, "abcdef" },
	{ "empty second", 100, "abc", "", STR_OK, "abc" },
	{ "empty both", 100, "", "", STR_OK, "" },
	{ "exactly max", 6, "abc", "def", STR_OK, "abcdef" },
	{ "one over max", 5, "abc", "def", STR_ETOOLONG, "abc" },
	{ "first fills max", 3, "abc", "d", STR_ETOOLONG, "abc" },
	{ "max zero, empty", 0, "", "", STR_OK, "" },
	{ "max zero, one byte", 0, "", "x", STR_ETOOLONG, "" },
	{ "grows past 32", 1000, "0123456789012345678901234567890", "0123456789",
	  STR_OK, "01234567890123456789012345678900123456789" },
};

/* run_append - str_appends twice, check status and content. */
static void
run_append(void)
{
	struct str s;
	enum str_status st;
	size_t i;

	for (i = 0; i < sizeof(append_cases) / sizeof(append_cases[0]); i++) {
		const struct append_case *c = &append_cases[i];

		str_init(&s, c->max);
		tap_inteq(str_appends(&s, c->first), STR_OK, "%s: first append", c->name);
		st = str_appends(&s, c->second);
		tap_streq(str_strerror(st), str_strerror(c->want), "%s: status", c->name);
		tap_streq(str_cstr(&s), c->content, "%s: content", c->name);
		tap_inteq((long long)s.len, (long long)strlen(c->content), "%s: length", c->name);
		tap_ok(s.len <= s.max, "%s: within max", c->name);
		str_free(&s);
	}
}

struct printf_case {
	const char *name;
	size_t max;
	const char *prefix;
	int num;
	const char *word;
	enum str_status want;
	const char *content;
};

static const struct printf_case printf_cases[] = {
	{ "fits", 100, "x=", 42, "ok", STR_OK, "x=42:ok" },
	{ "exactly max", 7, "x=", 42, "ok", STR_OK, "x=42:ok" },
	{ "over max untouched", 6, "x=", 42, "ok", STR_ETOOLONG, "x=" },
	{ "negative", 100, "", -7, "", STR_OK, "-7:" },
	{ "long word", 1000, "", 0, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  STR_OK, "0:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
};

/* run_printf - str_printf appends after a prefix. */
static void
run_printf(void)
{
	struct str s;
	enum str_status st;
	size_t i;

	for (i = 0; i < sizeof(printf_cases) / sizeof(printf_cases[0]); i++) {
		const struct printf_case *c = &printf_cases[i];

		str_init(&s, c->max);
		str_appends(&s, c->prefix);
		st = str_printf(&s, "%d:%s", c->num, c->word);
		tap_streq(str_strerror(st), str_strerror(c->want), "printf %s: status", c->name);
		tap_streq(str_cstr(&s), c->content, "printf %s: content", c->name);
		tap_inteq((long long)s.len, (long long)strlen(c->content), "printf %s: length", c->name);
		str_free(&s);
	}
}

/* run_binary - NUL bytes are data; appendc; set. */
static void
run_binary(void)
{
	struct str s = STR_INITIALIZER(16);

	tap_streq(str_cstr(&s), "", "fresh string reads as empty");
	tap_ok(s.s == NULL, "fresh string has no buffer");
	tap_inteq(str_append(&s, "a\0b", 3), STR_OK, "append with NUL");
	tap_inteq((long long)s.len, 3, "NUL counted in length");
	tap_ok(memcmp(s.s, "a\0b", 4) == 0, "bytes kept and terminated");
	tap_inteq(str_appendc(&s, 'c'), STR_OK, "appendc");
	tap_inteq((long long)s.len, 4, "appendc length");
	tap_inteq(str_set(&s, "xyz", 3), STR_OK, "set");
	tap_streq(str_cstr(&s), "xyz", "set replaces");
	tap_inteq(str_append(&s, "0123456789abc", 13), STR_OK, "append up to max 16");
	tap_inteq(str_appendc(&s, 'd'), STR_ETOOLONG, "appendc past max");
	tap_inteq((long long)s.len, 16, "length unchanged after refusal");
	tap_inteq(str_append(&s, "x", SIZE_MAX), STR_ETOOLONG, "huge length refused, no overflow");
	str_reset(&s);
	tap_streq(str_cstr(&s), "", "reset empties");
	tap_ok(s.s != NULL && s.cap > 0, "reset keeps the buffer");
	str_free(&s);
	tap_ok(s.s == NULL && s.len == 0 && s.cap == 0, "free empties");
	tap_inteq(str_appends(&s, "again"), STR_OK, "usable after free");
	tap_streq(str_cstr(&s), "again", "content after free and append");
	str_free(&s);
}

/* run_steal - the caller takes the buffer. */
static void
run_steal(void)
{
	struct str s;
	char *p;

	str_init(&s, 64);
	tap_ok(str_steal(&s) == NULL, "steal of a fresh string is NULL");
	str_appends(&s, "hello");
	p = str_steal(&s);
	tap_streq(p, "hello", "steal hands over the content");
	tap_ok(s.s == NULL && s.len == 0 && s.cap == 0, "steal empties the string");
	tap_streq(str_cstr(&s), "", "stolen string reads as empty");
	tap_inteq(str_appends(&s, "more"), STR_OK, "stolen string reusable");
	tap_streq(p, "hello", "stolen buffer independent");
	free(p);
	str_free(&s);
}

/* run_growth - many appends, content intact. */
static void
run_growth(void)
{
	struct str s = STR_INITIALIZER(10000);
	size_t i;
	bool ok = true;

	for (i = 0; i < 10000; i++)
		if (str_appendc(&s, (char)('a' + i % 26)) != STR_OK)
			ok = false;
	tap_ok(ok, "10000 appends up to max");
	tap_inteq(str_appendc(&s, 'x'), STR_ETOOLONG, "10001st refused");
	for (i = 0; i < 10000 && ok; i++)
		ok = s.s[i] == (char)('a' + i % 26);
	tap_ok(ok && s.s[10000] == '\0', "content intact after growth");
	str_free(&s);
}

/* run_strerror - a distinct text per status. */
static void
run_strerror(void)
{
	tap_streq(str_strerror(STR_OK), "success", "strerror ok");
	tap_streq(str_strerror(STR_ENOMEM), "out of memory", "strerror nomem");
	tap_streq(str_strerror(STR_ETOOLONG), "text exceeds its maximum length", "strerror toolong");
	tap_streq(str_strerror((enum str_status)42), "unknown string status", "strerror unknown");
}

int
main(void)
{
	run_append();
	run_printf();
	run_binary();
	run_steal();
	run_growth();
	run_strerror();
	return tap_done();
}
