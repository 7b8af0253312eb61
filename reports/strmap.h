/*
 * strmap.h - a hash table from byte-string keys to a number and a pointer,
 * for authmilter-reports: the store's interning caches (key -> row id) and
 * the grouping of messages into report rows (key -> row).  Open addressing,
 * grows by doubling.  Not thread-safe per map.
 */
#ifndef AUTHMILTER_REPORTS_STRMAP_H
#define AUTHMILTER_REPORTS_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_entry {
	char *key;		/* malloc'd copy, NUL-terminated (may hold NULs before) */
	size_t len;
	uint64_t hash;
	int64_t num;		/* the caller's: 0 in a new entry */
	void *ptr;		/* the caller's: NULL in a new entry */
};

struct strmap {
	struct strmap_entry *slot;	/* cap slots; key NULL = free */
	size_t cap, n;
};

enum strmap_status {
	STRMAP_OK = 0,
	STRMAP_NOMEM
};

/* strmap_init - an empty map. */
void strmap_init(struct strmap *m);

/* strmap_free - release the keys and slots (not what ptr points to); m is empty again. */
void strmap_free(struct strmap *m);

/* strmap_get - the entry for key, or NULL. */
struct strmap_entry *strmap_get(const struct strmap *m, const char *key, size_t len);

/*
 * strmap_put - the entry for key, inserted (num 0, ptr NULL) when absent.
 * *created says which.  Pointers to entries are valid until the next put.
 */
enum strmap_status strmap_put(struct strmap *m, const char *key, size_t len,
    struct strmap_entry **out, int *created);

/* strmap_hash - the hash used (FNV-1a, 64 bits). */
uint64_t strmap_hash(const char *key, size_t len);

#endif
