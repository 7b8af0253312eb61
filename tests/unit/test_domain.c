/*
 * test_domain.c - table tests for policy/domain.c: normalisation (case,
 * trailing dot, IDN, bad characters, hyphens, lengths, numeric TLD, empty
 * labels) and the label helpers.  Single-threaded TAP program.
 */
#include <string.h>

#include "domain.h"
#include "tap.h"

#define L10 "aaaaaaaaaa"
#define L63 L10 L10 L10 L10 L10 L10 "aaa"
#define L64 L63 "a"
#define N251 L63 "." L63 "." L63 "." L10 L10 L10 L10 L10 "bbbbbbbbb"	/* 3*64 + 59 = 251 */

struct norm_case {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	enum domain_status want;
	const char *out;
};

#define S(x) x, sizeof(x) - 1

static const struct norm_case norm_cases[] = {
	{ "lower case kept", "example.com", 0, DOMAIN_OK, "example.com" },
	{ "upper case folded", "ExAmPlE.COM", 0, DOMAIN_OK, "example.com" },
	{ "trailing dot", "example.com.", 0, DOMAIN_OK, "example.com" },
	{ "two trailing dots", "example.com..", 0, DOMAIN_EMPTY_LABEL, "" },
	{ "single label", "localhost", 0, DOMAIN_OK, "localhost" },
	{ "digits and hyphens", "a-1.2b.example", 0, DOMAIN_OK, "a-1.2b.example" },
	{ "double hyphen inside", "ex--ample.com", 0, DOMAIN_OK, "ex--ample.com" },
	{ "numeric label not last", "123.example", 0, DOMAIN_OK, "123.example" },
	{ "alnum TLD", "example.x1", 0, DOMAIN_OK, "example.x1" },
	{ "empty", "", 0, DOMAIN_EMPTY, "" },
	{ "only a dot", ".", 0, DOMAIN_EMPTY, "" },
	{ "leading dot", ".example.com", 0, DOMAIN_EMPTY_LABEL, "" },
	{ "double dot", "example..com", 0, DOMAIN_EMPTY_LABEL, "" },
	{ "underscore", "_dmarc.example.com", 0, DOMAIN_BAD_CHAR, "" },
	{ "space", "exa mple.com", 0, DOMAIN_BAD_CHAR, "" },
	{ "at sign", "a@example.com", 0, DOMAIN_BAD_CHAR, "" },
	{ "brackets", "[192.0.2.1]", 0, DOMAIN_BAD_CHAR, "" },
	{ "NUL inside", S("example\0.com"), DOMAIN_BAD_CHAR, "" },
	{ "leading hyphen", "-example.com", 0, DOMAIN_BAD_HYPHEN, "" },
	{ "trailing hyphen", "example-.com", 0, DOMAIN_BAD_HYPHEN, "" },
	{ "hyphen TLD", "example.-", 0, DOMAIN_BAD_HYPHEN, "" },
	{ "IPv4 address", "192.0.2.1", 0, DOMAIN_NUMERIC_TLD, "" },
	{ "numeric TLD", "example.123", 0, DOMAIN_NUMERIC_TLD, "" },
	{ "numeric single label", "42", 0, DOMAIN_NUMERIC_TLD, "" },
	{ "label 63", L63 ".com", 0, DOMAIN_OK, L63 ".com" },
	{ "label 64", L64 ".com", 0, DOMAIN_TOO_LONG, "" },
	{ "name 251", N251, 0, DOMAIN_OK, N251 },
	{ "name 253", N251 "cc", 0, DOMAIN_OK, N251 "cc" },
	{ "name 253 plus dot", N251 "cc.", 0, DOMAIN_OK, N251 "cc" },
	{ "name 254", N251 "ccc", 0, DOMAIN_TOO_LONG, "" },
	{ "very long", N251 N251 N251 N251 N251, 0, DOMAIN_TOO_LONG, "" },
	{ "U-label", "b\xc3\xbc" "cher.example", 0, DOMAIN_OK, "xn--bcher-kva.example" },
	{ "U-label upper case", "B\xc3\x9c" "CHER.Example", 0, DOMAIN_OK, "xn--bcher-kva.example" },
	{ "U-label trailing dot", "b\xc3\xbc" "cher.example.", 0, DOMAIN_OK, "xn--bcher-kva.example" },
	{ "A-label kept", "XN--BCHER-KVA.example", 0, DOMAIN_OK, "xn--bcher-kva.example" },
	{ "sharp s non-transitional", "fa\xc3\x9f.de", 0, DOMAIN_OK, "xn--fa-hia.de" },
	{ "ideographic full stop", "b\xc3\xbc" "cher\xe3\x80\x82" "example", 0, DOMAIN_OK, "xn--bcher-kva.example" },
	{ "U-label empty label", "b\xc3\xbc" "cher..example", 0, DOMAIN_EMPTY_LABEL, "" },
	{ "U-label leading dot", ".b\xc3\xbc" "cher.example", 0, DOMAIN_EMPTY_LABEL, "" },
	{ "U-label underscore", "a_b.b\xc3\xbc" "cher.example", 0, DOMAIN_BAD_CHAR, "" },
	{ "U-label numeric TLD", "b\xc3\xbc" "cher.123", 0, DOMAIN_NUMERIC_TLD, "" },
	{ "disallowed code point", "a\xe2\x98\x83.example", 0, DOMAIN_BAD_IDN, "" },
	{ "invalid UTF-8", "\xff\xfe.example", 0, DOMAIN_BAD_IDN, "" },
	{ "U-label hyphen start", "-b\xc3\xbc" "cher.example", 0, DOMAIN_BAD_IDN, "" },
	{ "len bounds the input", "example.com.evil", 11, DOMAIN_OK, "example.com" },
};

/* run_normalize - every row of norm_cases[]. */
static void
run_normalize(void)
{
	char out[DOMAIN_BUFSIZE];
	enum domain_status st;
	size_t i, len;

	for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		const struct norm_case *c = &norm_cases[i];

		len = c->len ? c->len : strlen(c->in);
		memset(out, 'X', sizeof(out));
		st = domain_normalize(c->in, len, out);
		tap_streq(domain_strerror(st), domain_strerror(c->want), "normalize %s: status", c->name);
		tap_streq(out, c->out, "normalize %s: output", c->name);
	}
}

struct label_case {
	const char *name;
	size_t labels;
	const char *parent;	/* NULL: none */
	const char *suffix1, *suffix2, *suffix9;
};

static const struct label_case label_cases[] = {
	{ "", 0, NULL, "", "", "" },
	{ "com", 1, NULL, "com", "com", "com" },
	{ "example.com", 2, "com", "com", "example.com", "example.com" },
	{ "a.b.example.com", 4, "b.example.com", "com", "example.com", "a.b.example.com" },
};

/* run_labels - labels, parent, suffix. */
static void
run_labels(void)
{
	size_t i;

	for (i = 0; i < sizeof(label_cases) / sizeof(label_cases[0]); i++) {
		const struct label_case *c = &label_cases[i];

		tap_inteq((long long)domain_labels(c->name), (long long)c->labels, "labels '%s'", c->name);
		tap_streq(domain_parent(c->name), c->parent, "parent '%s'", c->name);
		tap_streq(domain_suffix(c->name, 1), c->suffix1, "suffix 1 '%s'", c->name);
		tap_streq(domain_suffix(c->name, 2), c->suffix2, "suffix 2 '%s'", c->name);
		tap_streq(domain_suffix(c->name, 9), c->suffix9, "suffix 9 '%s'", c->name);
		tap_streq(domain_suffix(c->name, 0), "", "suffix 0 '%s'", c->name);
	}
}

struct within_case {
	const char *name, *parent;
	bool within, equal;
};

static const struct within_case within_cases[] = {
	{ "example.com", "example.com", true, true },
	{ "EXAMPLE.com", "example.COM", true, true },
	{ "mail.example.com", "example.com", true, false },
	{ "a.b.example.com", "example.com", true, false },
	{ "badexample.com", "example.com", false, false },
	{ "example.com", "mail.example.com", false, false },
	{ "com", "example.com", false, false },
	{ "example.com", "com", true, false },
	{ "example.com", "", false, false },
	{ "", "", false, true },
	{ "example.co", "example.com", false, false },
	{ "xexample.com", "example.com", false, false },
};

/* run_within - is_within and equal. */
static void
run_within(void)
{
	size_t i;

	for (i = 0; i < sizeof(within_cases) / sizeof(within_cases[0]); i++) {
		const struct within_case *c = &within_cases[i];

		tap_ok(domain_is_within(c->name, c->parent) == c->within, "'%s' within '%s': %s",
		    c->name, c->parent, c->within ? "yes" : "no");
		tap_ok(domain_equal(c->name, c->parent) == c->equal, "'%s' equal '%s': %s",
		    c->name, c->parent, c->equal ? "yes" : "no");
	}
}

/* run_unicode - domain_to_unicode and its size check. */
static void
run_unicode(void)
{
	char out[DOMAIN_BUFSIZE], tiny[8];

	tap_inteq(domain_to_unicode("xn--bcher-kva.example", out, sizeof(out)), 0, "to_unicode ok");
	tap_streq(out, "b\xc3\xbc" "cher.example", "to_unicode text");
	tap_inteq(domain_to_unicode("example.com", out, sizeof(out)), 0, "to_unicode ASCII");
	tap_streq(out, "example.com", "to_unicode ASCII text");
	tap_inteq(domain_to_unicode("xn--bcher-kva.example", tiny, sizeof(tiny)), -1,
	    "to_unicode refuses a small buffer");
}

/* run_strerror - every status has its own text. */
static void
run_strerror(void)
{
	int i, j;
	bool distinct = true;

	for (i = DOMAIN_OK; i <= DOMAIN_BAD_IDN; i++)
		for (j = i + 1; j <= DOMAIN_BAD_IDN; j++)
			if (strcmp(domain_strerror((enum domain_status)i),
			    domain_strerror((enum domain_status)j)) == 0)
				distinct = false;
	tap_ok(distinct, "strerror texts distinct");
	tap_streq(domain_strerror((enum domain_status)99), "unknown domain status", "strerror unknown");
}

int
main(void)
{
	run_normalize();
	run_labels();
	run_within();
	run_unicode();
	run_strerror();
	return tap_done();
}
