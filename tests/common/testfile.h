/*
 * testfile.h - small file helpers shared by the test programs: read a whole
 * file, write TXT rdata into a master-format zone file.  Single-threaded.
 */
#ifndef AUTHMILTER_TESTFILE_H
#define AUTHMILTER_TESTFILE_H

#include <stddef.h>
#include <stdio.h>

/* test_read_file - whole file into a NUL-terminated malloc'd buffer (NULL on error); lenp may be NULL. */
char *test_read_file(const char *path, size_t *lenp);

/* test_put_txt - write rdata as quoted character-strings of at most 255 bytes. */
void test_put_txt(FILE *out, const char *rdata, size_t len);

#endif
