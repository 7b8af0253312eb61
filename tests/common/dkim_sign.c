/*
 * dkim_sign.c - run the DKIM test signer (see dkim_sign.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "dkim_sign.h"
#include "testfile.h"

const char *
dkim_sign_python(void)
{
	/* /usr/bin first: a python3 earlier in PATH may lack Debian's modules */
	static const char *const cands[] = { "/usr/bin/python3", "python3" };
	char cmd[256];
	size_t i;

	if (system("openssl version >/dev/null 2>&1") != 0)
		return NULL;
	for (i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
		snprintf(cmd, sizeof(cmd),
		    "%s -c 'import dkim, nacl' >/dev/null 2>&1", cands[i]);
		if (system(cmd) == 0)
			return cands[i];
	}
	return NULL;
}

int
dkim_sign_generate(const char *python, const char *dir)
{
	char cmd[2048];
	int n;

	n = snprintf(cmd, sizeof(cmd), "%s '%s/tests/common/dkim_sign.py' '%s'",
	    python, test_srcdir(), dir);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}
