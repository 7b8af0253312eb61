/*
 * testfile.c - file helpers for the test programs (see testfile.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testfile.h"

#ifndef SRCDIR
#define SRCDIR "."
#endif

const char *
test_srcdir(void)
{
	const char *top = getenv("top_srcdir");

	return top != NULL && top[0] != '\0' ? top : SRCDIR;
}

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

void
test_put_name(FILE *out, const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '*')
			fputc(*p, out);
		else
			fprintf(out, "\\%03u", *p);
	}
	if (p == (const unsigned char *)name || p[-1] != '.')
		fputc('.', out);
}

void
test_put_string(FILE *out, const char *s, size_t n)
{
	const unsigned char *p, *end = (const unsigned char *)s + n;

	fputc('"', out);
	for (p = (const unsigned char *)s; p < end; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(out, "\\%03u", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

bool
test_name_loadable(const char *name)
{
	size_t n = strlen(name), l;

	if (n == 0 || n > 253)
		return false;
	while (*name != '\0') {
		l = strcspn(name, ".");
		if (l > 63 || (l == 0 && name[l] != '\0'))
			return false;
		name += l + (name[l] == '.');
	}
	return true;
}

int
test_rm_rf(const char *dir)
{
	char cmd[1100];

	/* dir comes from mkdtemp: no quote can be in it */
	if (strchr(dir, '\'') != NULL ||
	    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) >= (int)sizeof(cmd))
		return -1;
	return system(cmd) == 0 ? 0 : -1;
}
