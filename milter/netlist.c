/*
 * netlist.c - lists of IPv4 and IPv6 networks (see netlist.h).
 *
 * Each entry is an address and a prefix length.  An IPv4-mapped IPv6 entry
 * of at least 96 bits (::ffff:192.0.2.0/120) is stored as the IPv4 network
 * it names, and an IPv4-mapped client address is matched as IPv4, so either
 * spelling of an IPv4 network or client gives the same answer.  Matching is
 * a linear scan: lists are short (a few local networks).
 *
 * Thread-safety: a list is written only while it is parsed; afterwards
 * every function here only reads it.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlist.h"

#define NETLIST_ENTRY_MAX 64		/* longest entry text: "addr/bits" */
#define NETLIST_MAX_ENTRIES 100000	/* entries in one list */

struct netent {
	unsigned char addr[16];	/* network address, host bits zero */
	unsigned bits;		/* prefix length */
	bool v6;		/* 16-byte address; else 4 */
};

struct netlist {
	size_t n, cap;
	struct netent *e;
};

static const unsigned char v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* is_sep - does c separate entries? */
static bool
is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* prefix_equal - do a and b agree on their first bits bits? */
static bool
prefix_equal(const unsigned char *a, const unsigned char *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	unsigned char mask;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	mask = (unsigned char)(0xff << (8 - rest));
	return (a[full] & mask) == (b[full] & mask);
}

/* clear_host_bits - zero the bits of addr (len bytes) after bits; were any set? */
static bool
clear_host_bits(unsigned char *addr, size_t len, unsigned bits)
{
	bool was_set = false;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned keep = bits >= 8 * (i + 1) ? 8 : bits > 8 * i ? bits - 8 * (unsigned)i : 0;
		unsigned char hostmask = (unsigned char)(0xff >> keep);

		if ((addr[i] & hostmask) != 0)
			was_set = true;
		addr[i] &= (unsigned char)~hostmask;
	}
	return was_set;
}

/* unmap - turn an IPv4-mapped IPv6 network of 96 bits or more into IPv4. */
static void
unmap(struct netent *e)
{
	if (e->v6 && e->bits >= 96 && memcmp(e->addr, v4mapped_prefix, 12) == 0) {
		memmove(e->addr, e->addr + 12, 4);
		memset(e->addr + 4, 0, 12);
		e->bits -= 96;
		e->v6 = false;
	}
}

/* parse_bits - the decimal prefix length s (NUL-terminated), at most max. */
static int
parse_bits(const char *s, unsigned max, unsigned *bits)
{
	unsigned long v;
	char *end;

	if (s[0] < '0' || s[0] > '9' || strlen(s) > 3)
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*bits = (unsigned)v;
	return 0;
}

/* parse_entry - one "ADDR[/BITS]" of len bytes into e; why says what is wrong. */
static int
parse_entry(const char *s, size_t len, struct netent *e, char *why, size_t whysize)
{
	char buf[NETLIST_ENTRY_MAX + 1], net[INET6_ADDRSTRLEN], *slash;
	unsigned max;

	snprintf(why, whysize, "not an IPv4 or IPv6 address or network (host names are not supported)");
	if (len > NETLIST_ENTRY_MAX)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(e, 0, sizeof(*e));
	e->v6 = strchr(buf, ':') != NULL;
	if (inet_pton(e->v6 ? AF_INET6 : AF_INET, buf, e->addr) != 1)
		return -1;
	max = e->v6 ? 128 : 32;
	e->bits = max;
	if (slash != NULL && parse_bits(slash, max, &e->bits) != 0) {
		snprintf(why, whysize, "prefix length is not a number from 0 to %u", max);
		return -1;
	}
	if (clear_host_bits(e->addr, e->v6 ? 16 : 4, e->bits)) {
		if (inet_ntop(e->v6 ? AF_INET6 : AF_INET, e->addr, net, sizeof(net)) == NULL)
			net[0] = '\0';
		snprintf(why, whysize, "bits set after the first %u (the network is %s/%u)",
		    e->bits, net, e->bits);
		return -1;
	}
	unmap(e);
	return 0;
}

/* add_entry - append e to l. */
static int
add_entry(struct netlist *l, const struct netent *e)
{
	struct netent *ne;
	size_t cap;

	if (l->n == l->cap) {
		if (l->n >= NETLIST_MAX_ENTRIES)
			return -1;
		cap = l->cap ? l->cap * 2 : 8;
		if ((ne = realloc(l->e, cap * sizeof(*ne))) == NULL)
			return -1;
		l->e = ne;
		l->cap = cap;
	}
	l->e[l->n++] = *e;
	return 0;
}

/* set_error - "[FILE:LINE: ]bad entry 'X': why" into err. */
static void
set_error(char *err, size_t errsize, const char *fname, unsigned line,
    const char *s, size_t len, const char *why)
{
	const char *dots = len > NETLIST_ENTRY_MAX ? "..." : "";
	int shown = len > NETLIST_ENTRY_MAX ? NETLIST_ENTRY_MAX : (int)len;

	if (err == NULL || errsize == 0)
		return;
	if (fname != NULL)
		snprintf(err, errsize, "%s:%u: bad entry '%.*s%s': %s", fname, line,
		    shown, s, dots, why);
	else
		snprintf(err, errsize, "bad entry '%.*s%s': %s", shown, s, dots, why);
}

/* parse_into - add the entries of text[0..len) to l; fname names a file in errors. */
static int
parse_into(struct netlist *l, const char *text, size_t len, const char *fname,
    char *err, size_t errsize)
{
	const char *p = text, *end = text + len, *start;
	unsigned line = 1;
	struct netent e;
	char why[160];

	while (p < end) {
		if (*p == '\n')
			line++;
		if (is_sep(*p)) {
			p++;
			continue;
		}
		if (*p == '#') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		start = p;
		while (p < end && !is_sep(*p) && *p != '#')
			p++;
		if (parse_entry(start, (size_t)(p - start), &e, why, sizeof(why)) != 0) {
			set_error(err, errsize, fname, line, start, (size_t)(p - start), why);
			return -1;
		}
		if (add_entry(l, &e) != 0) {
			set_error(err, errsize, fname, line, start, (size_t)(p - start),
			    "too many entries, or out of memory");
			return -1;
		}
	}
	return 0;
}

/* parse_text - a new list from text[0..len). */
static struct netlist *
parse_text(const char *text, size_t len, const char *fname, char *err, size_t errsize)
{
	struct netlist *l = calloc(1, sizeof(*l));

	if (l == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errsize, "%s%sNUL byte in a network list",
		    fname ? fname : "", fname ? ": " : "");
		netlist_free(l);
		return NULL;
	}
	if (parse_into(l, text, len, fname, err, errsize) != 0) {
		netlist_free(l);
		return NULL;
	}
	return l;
}

struct netlist *
netlist_parse(const char *text, char *err, size_t errsize)
{
	return parse_text(text, strlen(text), NULL, err, errsize);
}

struct netlist *
netlist_parse_named(const char *text, size_t len, const char *name, char *err,
    size_t errsize)
{
	return parse_text(text, len, name, err, errsize);
}

void
netlist_free(struct netlist *l)
{
	if (l == NULL)
		return;
	free(l->e);
	free(l);
}

size_t
netlist_count(const struct netlist *l)
{
	return l ? l->n : 0;
}

/* match_entry - does the client address (v4: 4 bytes, else 16) fall in e? */
static bool
match_entry(const struct netent *e, const unsigned char *addr, bool v6)
{
	unsigned char mapped[16];

	if (e->v6 == v6)
		return prefix_equal(e->addr, addr, e->bits);
	if (!e->v6)
		return false;	/* IPv4 network, native IPv6 client */
	memcpy(mapped, v4mapped_prefix, 12);
	memcpy(mapped + 12, addr, 4);
	return prefix_equal(e->addr, mapped, e->bits);
}

/* match_addr - the client address in its canonical form (mapped IPv6 as IPv4). */
static bool
match_addr(const struct netlist *l, const unsigned char *addr, bool v6)
{
	unsigned char v4[4];
	size_t i;

	if (l == NULL)
		return false;
	if (v6 && memcmp(addr, v4mapped_prefix, 12) == 0) {
		memcpy(v4, addr + 12, 4);
		addr = v4;
		v6 = false;
	}
	for (i = 0; i < l->n; i++)
		if (match_entry(&l->e[i], addr, v6))
			return true;
	return false;
}

bool
netlist_match(const struct netlist *l, const char *ip)
{
	unsigned char addr[16];

	if (ip == NULL)
		return false;
	if (inet_pton(AF_INET, ip, addr) == 1)
		return match_addr(l, addr, false);
	if (inet_pton(AF_INET6, ip, addr) == 1)
		return match_addr(l, addr, true);
	return false;
}

bool
netlist_match_sockaddr(const struct netlist *l, const struct sockaddr *sa)
{
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET)
		return match_addr(l, (const unsigned char *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr, false);
	if (sa->sa_family == AF_INET6)
		return match_addr(l, (const unsigned char *)
		    &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, true);
	return false;
}
