/*
 * failspool.c - failure reports into the spool; see failspool.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "failspool.h"

#define SLOTS 1024

/* The rate table: a slot per policy domain (by hash; a collision starts the slot again). */
static struct {
	uint64_t hash;
	int64_t window;
	unsigned n;
} slots[SLOTS];
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned long seq;		/* atomic: file names */

/* hash - FNV-1a of a domain name. */
static uint64_t
hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* allowed - one more report of domain within FailureReportsRate? */
static int
allowed(const struct conf *c, const char *domain, int64_t now)
{
	unsigned count, secs;
	uint64_t h = hash(domain);
	int ok;

	if (conf_rate(c->failure_reports_rate, &count, &secs) != 0)
		return 1;
	pthread_mutex_lock(&slots_mu);
	if (slots[h % SLOTS].hash != h || now - slots[h % SLOTS].window >= (int64_t)secs ||
	    now < slots[h % SLOTS].window) {
		slots[h % SLOTS].hash = h;
		slots[h % SLOTS].window = now;
		slots[h % SLOTS].n = 0;
	}
	ok = slots[h % SLOTS].n < count;
	if (ok)
		slots[h % SLOTS].n++;
	pthread_mutex_unlock(&slots_mu);
	return ok;
}

/* give_back - a report that could not be written does not count against the rate. */
static void
give_back(const char *domain)
{
	uint64_t h = hash(domain);

	pthread_mutex_lock(&slots_mu);
	if (slots[h % SLOTS].hash == h && slots[h % SLOTS].n > 0)
		slots[h % SLOTS].n--;
	pthread_mutex_unlock(&slots_mu);
}

/* random_hex - n random bytes as hex (a counter's bits if the kernel gives none). */
static void
random_hex(char *out, size_t n)
{
	unsigned char b[16];
	size_t i;

	if (n > sizeof(b) || getrandom(b, n, GRND_NONBLOCK) != (ssize_t)n)
		for (i = 0; i < n && i < sizeof(b); i++)
			b[i] = (unsigned char)(__atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED) * 131 + i);
	for (i = 0; i < n && i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

void
failspool_boundary(const struct str *a, const struct str *b, char *out, size_t size)
{
	char hex[33];
	int tries;

	for (tries = 0; tries < 8; tries++) {
		random_hex(hex, 12);
		snprintf(out, size, "=_authmilter_%s", hex);
		if ((a == NULL || a->len == 0 || memmem(a->s, a->len, out, strlen(out)) == NULL) &&
		    (b == NULL || b->len == 0 || memmem(b->s, b->len, out, strlen(out)) == NULL))
			return;
	}
}

/* write_file - dir/name written through dir/.name.tmp; 0, or -1 with errno. */
static int
write_file(const char *dir, const char *name, const struct str *s)
{
	char tmp[4096], path[4096];
	size_t off = 0;
	ssize_t w;
	int fd, err;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640)) < 0)
		return -1;
	errno = 0;
	while (off < s->len && (w = write(fd, s->s + off, s->len - off)) > 0)
		off += (size_t)w;
	err = off == s->len ? 0 : (errno ? errno : EIO);
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err == 0 && rename(tmp, path) != 0)
		err = errno;
	if (err != 0) {
		unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
}

enum failspool_status
failspool_write(const struct conf *c, const char *policy_domain, int64_t now,
    const struct str *eml, const struct str *meta, char *name, size_t namesize, char *err,
    size_t errsize)
{
	char dir[4096], path[4300], base[96], hex[9], file[128];

	if (!allowed(c, policy_domain, now))
		return FAILSPOOL_LIMITED;
	snprintf(dir, sizeof(dir), "%s/outgoing", c->failure_report_spool);
	(void)mkdir(c->failure_report_spool, 0750);
	(void)mkdir(dir, 0750);
	random_hex(hex, 4);
	snprintf(base, sizeof(base), "%lld.%ld.%lu.%s", (long long)now, (long)getpid(),
	    __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED), hex);
	snprintf(file, sizeof(file), "%s.eml", base);
	if (write_file(dir, file, eml) != 0) {
		snprintf(err, errsize, "%s/%s: %s", dir, file, strerror(errno));
		give_back(policy_domain);
		return FAILSPOOL_ERROR;
	}
	snprintf(file, sizeof(file), "%s.meta", base);
	if (write_file(dir, file, meta) != 0) {
		snprintf(err, errsize, "%s/%s: %s", dir, file, strerror(errno));
		snprintf(path, sizeof(path), "%s/%s.eml", dir, base);
		unlink(path);
		give_back(policy_domain);
		return FAILSPOOL_ERROR;
	}
	snprintf(name, namesize, "%s", base);
	return FAILSPOOL_WRITTEN;
}
