/*
 * arc_sign.c - run the ARC test sealer (see arc_sign.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "arc_sign.h"
#include "testfile.h"

int
arc_sign_generate(const char *python, const char *dir)
{
	char cmd[2048];
	int n;

	n = snprintf(cmd, sizeof(cmd), "%s '%s/tests/common/arc_sign.py' '%s'",
	    python, test_srcdir(), dir);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}
