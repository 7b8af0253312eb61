/*
 * replay_main.c - run a fuzz target's LLVMFuzzerTestOneInput over files
 * (the seed corpus) without libFuzzer, so make check and the sanitizer
 * build replay every seed.  Arguments: files or directories.  TAP output.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* replay_file - feed one file to the target. */
static void
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (fp == NULL) {
		tap_ok(0, "open %s", path);
		return;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 131072;
			if ((buf = realloc(buf, cap)) == NULL)
				exit(99);
		}
		if ((n = fread(buf + len, 1, cap - len, fp)) == 0)
			break;
		len += n;
	}
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	tap_ok(1, "replay %s (%zu bytes)", path, len);
}

/* replay_path - a file, or every regular file of a directory. */
static void
replay_path(const char *path)
{
	struct dirent **ents;
	struct stat sb;
	char full[4096];
	int i, n;

	if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		replay_file(path);
		return;
	}
	if ((n = scandir(path, &ents, NULL, alphasort)) < 0) {
		tap_ok(0, "scandir %s", path);
		return;
	}
	for (i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", path, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(full, &sb) == 0 && S_ISREG(sb.st_mode))
			replay_file(full);
		free(ents[i]);
	}
	free(ents);
}

int
main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	const char *name = strrchr(argv[0], '/');
	char dir[4096];
	int i;

	name = name ? name + 1 : argv[0];
	if (strncmp(name, "lt-", 3) == 0)
		name += 3;
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			replay_path(argv[i]);
	} else {
		/* replay_X runs the corpus of fuzz_X */
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
		    top ? top : ".", strncmp(name, "replay_", 7) == 0 ? name + 7 : name);
		replay_path(dir);
	}
	return tap_done();
}
