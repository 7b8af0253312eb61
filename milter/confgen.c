/*
 * confgen.c - authmilter-confgen, a build tool (not installed): writes the
 * files generated from the configuration table, and checks a configuration
 * file the way "authmilter -n" will.
 *
 *   authmilter-confgen sample        the sample file (conf/authmilter.conf)
 *   authmilter-confgen man           the manual page (doc/authmilter.conf.5)
 *   authmilter-confgen defaults      the built-in values, one "Key value" a line
 *   authmilter-confgen check FILE    load FILE: warnings and the error on
 *                                    standard error, the effective values on
 *                                    standard output; exit 1 on error
 *
 * "make update-conf" rewrites the committed files.  Single-threaded.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"

/* usage - the synopsis on standard error; returns 2. */
static int
usage(void)
{
	fputs("usage: authmilter-confgen sample | man | defaults | check FILE\n", stderr);
	return 2;
}

/* check - load path, report, dump. */
static int
check(const char *path)
{
	char err[1024];
	struct conf *c = conf_load(path, stderr, err, sizeof(err));

	if (c == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	conf_dump(c, stdout);
	conf_unref(c);
	return 0;
}

int
main(int argc, char **argv)
{
	struct conf *c;

	if (argc == 2 && strcmp(argv[1], "sample") == 0) {
		conf_sample(stdout);
	} else if (argc == 2 && strcmp(argv[1], "man") == 0) {
		conf_man(stdout);
	} else if (argc == 2 && strcmp(argv[1], "defaults") == 0) {
		if ((c = conf_defaults()) == NULL)
			return 1;
		conf_dump(c, stdout);
		conf_unref(c);
	} else if (argc == 3 && strcmp(argv[1], "check") == 0) {
		return check(argv[2]);
	} else {
		return usage();
	}
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
