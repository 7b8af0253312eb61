/*
 * arc_sign.c - run the ARC test sealer (see arc_sign.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "arc_sign.h"
#include "dkim_sign.h"
#include "testfile.h"

const char *
arc_sign_python(void)
{
	const char *python = dkim_sign_python();
	char cmd[256];

	if (python == NULL)
		return NULL;
	snprintf(cmd, sizeof(cmd), "%s -c 'import authres' >/dev/null 2>&1", python);
	return system(cmd) == 0 ? python : NULL;
}

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
