/*
 * testfile.c - file helpers for the test programs (see testfile.h).
 */
#include <stdlib.h>

#include "testfile.h"

char *
test_read_file(const char *path, size_t *lenp)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	size_t len;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL) {
		fclose(fp);
		return NULL;
	}
	len = fread(buf, 1, (size_t)n, fp);
	buf[len] = '\0';
	fclose(fp);
	if (lenp != NULL)
		*lenp = len;
	return buf;
}

void
test_put_txt(FILE *out, const char *rdata, size_t len)
{
	size_t i, chunk = 0;

	fputc('"', out);
	for (i = 0; i < len; i++) {
		if (chunk == 255) {
			fputs("\" \"", out);
			chunk = 0;
		}
		if (rdata[i] == '"' || rdata[i] == '\\')
			fputc('\\', out);
		fputc(rdata[i], out);
		chunk++;
	}
	fputc('"', out);
}
