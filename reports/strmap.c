/*
 * strmap.c - hash table from byte strings to (number, pointer); see
 * strmap.h.  Linear probing, load kept under 3/4.
 */
#include <stdlib.h>
#include <string.h>

#include "strmap.h"

#define STRMAP_MIN_CAP 64

void
strmap_init(struct strmap *m)
{
	m->slot = NULL;
	m->cap = m->n = 0;
}

void
strmap_free(struct strmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->slot[i].key);
	free(m->slot);
	strmap_init(m);
}

uint64_t
strmap_hash(const char *key, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* find_slot - the slot holding key, or the free slot where it would go (cap > 0). */
static struct strmap_entry *
find_slot(struct strmap_entry *slot, size_t cap, const char *key, size_t len, uint64_t hash)
{
	size_t i = (size_t)(hash & (cap - 1));

	for (;;) {
		struct strmap_entry *e = &slot[i];

		if (e->key == NULL)
			return e;
		if (e->hash == hash && e->len == len && memcmp(e->key, key, len) == 0)
			return e;
		i = (i + 1) & (cap - 1);
	}
}

struct strmap_entry *
strmap_get(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_entry *e;

	if (m->cap == 0)
		return NULL;
	e = find_slot(m->slot, m->cap, key, len, strmap_hash(key, len));
	return e->key != NULL ? e : NULL;
}

/* grow - double the table (or create it). */
static enum strmap_status
grow(struct strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : STRMAP_MIN_CAP, i;
	struct strmap_entry *slot = calloc(cap, sizeof(*slot));

	if (slot == NULL)
		return STRMAP_NOMEM;
	for (i = 0; i < m->cap; i++) {
		struct strmap_entry *e = &m->slot[i];

		if (e->key != NULL)
			*find_slot(slot, cap, e->key, e->len, e->hash) = *e;
	}
	free(m->slot);
	m->slot = slot;
	m->cap = cap;
	return STRMAP_OK;
}

enum strmap_status
strmap_put(struct strmap *m, const char *key, size_t len, struct strmap_entry **out, int *created)
{
	uint64_t hash = strmap_hash(key, len);
	struct strmap_entry *e;

	*created = 0;
	if ((m->n + 1) * 4 > m->cap * 3 && grow(m) != STRMAP_OK)
		return STRMAP_NOMEM;
	e = find_slot(m->slot, m->cap, key, len, hash);
	if (e->key == NULL) {
		if ((e->key = malloc(len + 1)) == NULL)
			return STRMAP_NOMEM;
		memcpy(e->key, key, len);
		e->key[len] = '\0';
		e->len = len;
		e->hash = hash;
		e->num = 0;
		e->ptr = NULL;
		m->n++;
		*created = 1;
	}
	*out = e;
	return STRMAP_OK;
}
