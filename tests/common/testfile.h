/*
 * testfile.h - small file helpers shared by the test programs: the source
 * directory, read a whole file, write owner names and TXT rdata into a
 * master-format zone file (the format the resolver's zone-file mode loads),
 * remove a temporary directory.  Single-threaded.
 */
#ifndef AUTHMILTER_TESTFILE_H
#define AUTHMILTER_TESTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * test_srcdir - the source tree: $top_srcdir (set by make check), else the
 * directory configure was run for (so a test binary also runs by hand).
 */
const char *test_srcdir(void);

/* test_read_file - whole file into a NUL-terminated malloc'd buffer (NULL on error); lenp may be NULL. */
char *test_read_file(const char *path, size_t *lenp);

/* test_put_txt - write rdata as quoted character-strings of at most 255 bytes. */
void test_put_txt(FILE *out, const char *rdata, size_t len);

/*
 * test_put_name - write a domain name as an absolute zone-file name: a
 * trailing dot added, octets other than letters, digits and "-_.*" as \DDD.
 */
void test_put_name(FILE *out, const char *name);

/*
 * test_put_string - write one TXT character-string of n octets, quoted,
 * with '"' and '\\' escaped and octets outside 0x20..0x7e as \DDD.
 */
void test_put_string(FILE *out, const char *s, size_t n);

/*
 * test_name_loadable - can name be loaded into a zone: every label 1..63
 * octets (a trailing dot allowed), the whole under 254?
 */
bool test_name_loadable(const char *name);

/* test_rm_rf - remove the directory tree dir (made by mkdtemp); 0 or -1. */
int test_rm_rf(const char *dir);

#endif
