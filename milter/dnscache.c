/*
 * dnscache.c - the answer cache in front of libunbound (see dnscache.h).
 *
 * Called by resolver.c from every libmilter thread.  The table is split in
 * shards, each with its own mutex and chained buckets, so threads looking
 * up different names rarely wait for each other.  An entry is one
 * allocation: the struct, the record pointers and lengths, the name and the
 * record data.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnscache.h"

#define SHARDS 64
#define BUCKETS 256			/* per shard */

struct dnscache_entry {
	struct dnscache_entry *next;	/* in its bucket */
	unsigned refs;			/* atomic; the table holds one */
	uint32_t hash;
	int type;
	int64_t expires_ms;
	struct dnscache_answer a;
	const char *name;
};

struct shard {
	pthread_mutex_t mu;
	size_t count;
	struct dnscache_entry *bucket[BUCKETS];
};

struct dnscache {
	size_t max_per_shard;
	struct shard shard[SHARDS];
};

/* name_hash - FNV-1a over the lower-cased name and the type. */
static uint32_t
name_hash(const char *name, int type)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;
	unsigned char ch;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		ch = (*p >= 'A' && *p <= 'Z') ? (unsigned char)(*p + 32) : *p;
		h = (h ^ ch) * 16777619u;
	}
	return (h ^ (uint32_t)type) * 16777619u;
}

struct dnscache *
dnscache_new(size_t max_entries)
{
	struct dnscache *c = calloc(1, sizeof(*c));
	size_t i;

	if (c == NULL)
		return NULL;
	c->max_per_shard = max_entries / SHARDS + 1;
	for (i = 0; i < SHARDS; i++)
		if (pthread_mutex_init(&c->shard[i].mu, NULL) != 0) {
			while (i-- > 0)
				pthread_mutex_destroy(&c->shard[i].mu);
			free(c);
			return NULL;
		}
	return c;
}

void
dnscache_unref(struct dnscache_entry *e)
{
	if (e != NULL && __atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(e);
}

void
dnscache_free(struct dnscache *c)
{
	struct dnscache_entry *e, *next;
	size_t i, b;

	if (c == NULL)
		return;
	for (i = 0; i < SHARDS; i++) {
		for (b = 0; b < BUCKETS; b++)
			for (e = c->shard[i].bucket[b]; e != NULL; e = next) {
				next = e->next;
				dnscache_unref(e);
			}
		pthread_mutex_destroy(&c->shard[i].mu);
	}
	free(c);
}

/* unlink_at - remove *pp from its bucket and drop the table's reference. */
static void
unlink_at(struct shard *s, struct dnscache_entry **pp)
{
	struct dnscache_entry *e = *pp;

	*pp = e->next;
	s->count--;
	dnscache_unref(e);
}

/* find_at - the link pointing at name/type in its bucket, expired ones dropped. */
static struct dnscache_entry **
find_at(struct shard *s, uint32_t h, const char *name, int type, int64_t now_ms)
{
	struct dnscache_entry **pp = &s->bucket[(h / SHARDS) % BUCKETS];

	while (*pp != NULL) {
		if ((*pp)->expires_ms <= now_ms) {
			unlink_at(s, pp);
			continue;
		}
		if ((*pp)->hash == h && (*pp)->type == type && strcasecmp((*pp)->name, name) == 0)
			return pp;
		pp = &(*pp)->next;
	}
	return pp;
}

struct dnscache_entry *
dnscache_get(struct dnscache *c, const char *name, int type, int64_t now_ms)
{
	uint32_t h = name_hash(name, type);
	struct shard *s = &c->shard[h % SHARDS];
	struct dnscache_entry *e;

	pthread_mutex_lock(&s->mu);
	e = *find_at(s, h, name, type, now_ms);
	if (e != NULL)
		__atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&s->mu);
	return e;
}

/* purge_expired - drop every expired entry of a shard. */
static void
purge_expired(struct shard *s, int64_t now_ms)
{
	struct dnscache_entry **pp;
	size_t b;

	for (b = 0; b < BUCKETS; b++)
		for (pp = &s->bucket[b]; *pp != NULL;)
			if ((*pp)->expires_ms <= now_ms)
				unlink_at(s, pp);
			else
				pp = &(*pp)->next;
}

/* entry_new - one allocation holding a copy of a and name. */
static struct dnscache_entry *
entry_new(const char *name, int type, const struct dnscache_answer *a)
{
	size_t i, nlen = strlen(name) + 1, size = sizeof(struct dnscache_entry);
	struct dnscache_entry *e;
	const unsigned char **data;
	unsigned char *p;
	int *len;

	size += a->n * (sizeof(*data) + sizeof(*len)) + nlen;
	for (i = 0; i < a->n; i++)
		size += (size_t)a->len[i];
	if ((e = malloc(size)) == NULL)
		return NULL;
	data = (const unsigned char **)(void *)(e + 1);
	len = (int *)(void *)(data + a->n);
	p = (unsigned char *)(len + a->n);
	memcpy(p, name, nlen);
	e->name = (const char *)p;
	p += nlen;
	for (i = 0; i < a->n; i++) {
		memcpy(p, a->data[i], (size_t)a->len[i]);
		data[i] = p;
		len[i] = a->len[i];
		p += a->len[i];
	}
	e->a = *a;
	e->a.data = (const unsigned char *const *)data;
	e->a.len = len;
	e->type = type;
	e->refs = 1;
	return e;
}

/* cacheable - a final answer worth keeping. */
static bool
cacheable(const struct dnscache_answer *a, uint32_t ttl)
{
	size_t i;

	if (ttl == 0 || a->sec == DNS_SEC_BOGUS)
		return false;
	if (a->rcode != DNS_OK && a->rcode != DNS_NODATA && a->rcode != DNS_NXDOMAIN)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->len[i] < 0)
			return false;
	return true;
}

void
dnscache_put(struct dnscache *c, const char *name, int type,
    const struct dnscache_answer *a, uint32_t ttl, int64_t now_ms)
{
	uint32_t h = name_hash(name, type);
	struct shard *s = &c->shard[h % SHARDS];
	struct dnscache_entry *e, **pp;

	if (!cacheable(a, ttl) || (e = entry_new(name, type, a)) == NULL)
		return;
	e->hash = h;
	e->expires_ms = now_ms + 1000 * (int64_t)(ttl > DNSCACHE_MAX_TTL ? DNSCACHE_MAX_TTL : ttl);
	pthread_mutex_lock(&s->mu);
	pp = find_at(s, h, name, type, now_ms);
	if (*pp != NULL)
		unlink_at(s, pp);	/* a newer answer replaces it */
	if (s->count >= c->max_per_shard)
		purge_expired(s, now_ms);
	if (s->count >= c->max_per_shard) {
		pthread_mutex_unlock(&s->mu);
		free(e);
		return;
	}
	pp = &s->bucket[(h / SHARDS) % BUCKETS];
	e->next = *pp;
	*pp = e;
	s->count++;
	pthread_mutex_unlock(&s->mu);
}

const struct dnscache_answer *
dnscache_entry_answer(const struct dnscache_entry *e)
{
	return &e->a;
}
