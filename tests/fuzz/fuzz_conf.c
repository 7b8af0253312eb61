/*
 * fuzz_conf.c - libFuzzer target for the configuration parser
 * (conf_load_buffer, milter/conf.c).  Any input must load or be rejected
 * without crashing or leaking; a rejection names the file and line; an
 * accepted file's dump (conf_dump) must load again to the same dump.
 * Invariant violations abort() so the fuzzer reports them.
 *
 * An input may name files (IgnoreHosts /path): they are only read, and
 * only regular files are.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define FUZZ_NAME "fuzz.conf"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* dump - c's dump in a malloc'd buffer; aborts when it cannot. */
static char *
dump(const struct conf *c, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);

	if (fp == NULL)
		abort();
	conf_dump(c, fp);
	if (fclose(fp) != 0)
		abort();
	return buf;
}

/* check_round_trip - the dump of c loads, and dumps the same again. */
static void
check_round_trip(const struct conf *c)
{
	char err[1024], *d1, *d2;
	size_t l1, l2;
	struct conf *c2;

	d1 = dump(c, &l1);
	if ((c2 = conf_load_buffer(d1, l1, "dump", NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dump does not load: %s\n%s", err, d1);
		abort();
	}
	d2 = dump(c2, &l2);
	if (l1 != l2 || memcmp(d1, d2, l1) != 0) {
		fprintf(stderr, "dump changed:\n%s----\n%s", d1, d2);
		abort();
	}
	conf_unref(c2);
	free(d1);
	free(d2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct conf *c;

	err[0] = '\0';
	c = conf_load_buffer((const char *)data, size, FUZZ_NAME, NULL, err, sizeof(err));
	if (c == NULL) {
		/* a rejection says where: "fuzz.conf:LINE: ..." */
		if (strncmp(err, FUZZ_NAME ":", strlen(FUZZ_NAME) + 1) != 0)
			abort();
		return 0;
	}
	check_round_trip(c);
	conf_unref(conf_ref(c));
	conf_unref(c);
	return 0;
}
