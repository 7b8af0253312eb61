/*
 * test_netlist.c - unit tests for milter/netlist.c: parsing of CIDR lists
 * (good and bad entries, the exact error text), matching of IPv4, IPv6 and
 * IPv4-mapped IPv6 clients, named list text with line numbers, sockaddr
 * matching.  Single-threaded.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netlist.h"
#include "tap.h"

struct match_case {
	const char *name;
	const char *list;
	const char *ip;
	bool want;
};

static const struct match_case match_cases[] = {
	{ "v4 host", "127.0.0.1", "127.0.0.1", true },
	{ "v4 host, other", "127.0.0.1", "127.0.0.2", false },
	{ "v4 /8 inside", "10.0.0.0/8", "10.255.1.2", true },
	{ "v4 /8 outside", "10.0.0.0/8", "11.0.0.1", false },
	{ "v4 /32", "192.0.2.7/32", "192.0.2.7", true },
	{ "v4 /31 pair", "192.0.2.6/31", "192.0.2.7", true },
	{ "v4 /31 outside", "192.0.2.6/31", "192.0.2.8", false },
	{ "v4 /0 matches all v4", "0.0.0.0/0", "203.0.113.9", true },
	{ "v4 /0 does not match v6", "0.0.0.0/0", "2001:db8::1", false },
	{ "v4 /12 odd prefix in", "172.16.0.0/12", "172.31.255.255", true },
	{ "v4 /12 odd prefix out", "172.16.0.0/12", "172.32.0.0", false },
	{ "v4 /25 in", "198.51.100.0/25", "198.51.100.127", true },
	{ "v4 /25 out", "198.51.100.0/25", "198.51.100.128", false },
	{ "v6 host", "::1", "::1", true },
	{ "v6 host long form", "::1", "0:0:0:0:0:0:0:1", true },
	{ "v6 /32 inside", "2001:db8::/32", "2001:db8:ffff::1", true },
	{ "v6 /32 outside", "2001:db8::/32", "2001:db9::1", false },
	{ "v6 /33 in", "2001:db8::/33", "2001:db8:7fff::1", true },
	{ "v6 /33 out", "2001:db8::/33", "2001:db8:8000::1", false },
	{ "v6 /128", "2001:db8::5/128", "2001:db8::5", true },
	{ "v6 /0 matches all v6", "::/0", "2001:db8::1", true },
	{ "v6 upper case", "2001:DB8::/32", "2001:db8::1", true },
	{ "v6 entry, v4 client", "::1", "127.0.0.1", false },
	{ "mapped client matches v4 entry", "127.0.0.1", "::ffff:127.0.0.1", true },
	{ "mapped client in v4 network", "10.0.0.0/8", "::ffff:10.1.2.3", true },
	{ "mapped client outside v4 network", "10.0.0.0/8", "::ffff:11.1.2.3", false },
	{ "mapped client, hex form", "127.0.0.1", "::ffff:7f00:1", true },
	{ "mapped entry matches v4 client", "::ffff:192.0.2.0/120", "192.0.2.99", true },
	{ "mapped entry, v4 client outside", "::ffff:192.0.2.0/120", "192.0.3.1", false },
	{ "mapped host entry", "::ffff:192.0.2.1", "192.0.2.1", true },
	{ "mapped /96 entry matches every v4", "::ffff:0:0/96", "198.51.100.1", true },
	{ "short v6 prefix covers mapped v4", "::/64", "192.0.2.1", true },
	{ "v4 entry, native v6 client", "0.0.0.0/0", "::1", false },
	{ "v4-compatible is not mapped", "127.0.0.1", "::127.0.0.1", false },
	{ "several, second matches", "10.0.0.0/8, 192.0.2.0/24 ::1", "192.0.2.1", true },
	{ "several, none match", "10.0.0.0/8, 192.0.2.0/24 ::1", "198.51.100.1", false },
	{ "newline separated", "10.0.0.0/8\n::1\n", "::1", true },
	{ "comment skipped", "10.0.0.0/8 # 192.0.2.0/24\n", "192.0.2.1", false },
	{ "comment, then line", "# local\n192.0.2.0/24\n", "192.0.2.1", true },
	{ "comment glued to entry", "192.0.2.1#x", "192.0.2.1", true },
	{ "CRLF lines", "192.0.2.1\r\n192.0.2.2\r\n", "192.0.2.2", true },
	{ "empty list", "", "127.0.0.1", false },
	{ "client text invalid", "0.0.0.0/0", "localhost", false },
	{ "client text with prefix", "0.0.0.0/0", "127.0.0.1/8", false },
	{ "client empty", "0.0.0.0/0", "", false },
	{ "client with brackets", "::1", "[::1]", false },
};

struct error_case {
	const char *name;
	const char *list;
	const char *want;	/* exact err text */
};

static const struct error_case error_cases[] = {
	{ "host name", "localhost",
	  "bad entry 'localhost': not an IPv4 or IPv6 address or network (host names are not supported)" },
	{ "bad v4", "10.0.0.256",
	  "bad entry '10.0.0.256': not an IPv4 or IPv6 address or network (host names are not supported)" },
	{ "short v4", "10/8",
	  "bad entry '10/8': not an IPv4 or IPv6 address or network (host names are not supported)" },
	{ "v4 prefix too long", "10.0.0.0/33",
	  "bad entry '10.0.0.0/33': prefix length is not a number from 0 to 32" },
	{ "v6 prefix too long", "::/129",
	  "bad entry '::/129': prefix length is not a number from 0 to 128" },
	{ "empty prefix", "10.0.0.0/",
	  "bad entry '10.0.0.0/': prefix length is not a number from 0 to 32" },
	{ "signed prefix", "10.0.0.0/+8",
	  "bad entry '10.0.0.0/+8': prefix length is not a number from 0 to 32" },
	{ "negative prefix", "10.0.0.0/-8",
	  "bad entry '10.0.0.0/-8': prefix length is not a number from 0 to 32" },
	{ "prefix with junk", "10.0.0.0/8x",
	  "bad entry '10.0.0.0/8x': prefix length is not a number from 0 to 32" },
	{ "huge prefix", "10.0.0.0/99999999999999999999",
	  "bad entry '10.0.0.0/99999999999999999999': prefix length is not a number from 0 to 32" },
	{ "two slashes", "10.0.0.0/8/8",
	  "bad entry '10.0.0.0/8/8': prefix length is not a number from 0 to 32" },
	{ "host bits v4", "192.168.1.1/24",
	  "bad entry '192.168.1.1/24': bits set after the first 24 (the network is 192.168.1.0/24)" },
	{ "host bits v6", "2001:db8::1/32",
	  "bad entry '2001:db8::1/32': bits set after the first 32 (the network is 2001:db8::/32)" },
	{ "zone id", "fe80::1%eth0",
	  "bad entry 'fe80::1%eth0': not an IPv4 or IPv6 address or network (host names are not supported)" },
	{ "negation", "!10.0.0.0/8",
	  "bad entry '!10.0.0.0/8': not an IPv4 or IPv6 address or network (host names are not supported)" },
	{ "bracketed v6", "[::1]",
	  "bad entry '[::1]': not an IPv4 or IPv6 address or network (host names are not supported)" },
	{ "second entry bad", "10.0.0.0/8, x",
	  "bad entry 'x': not an IPv4 or IPv6 address or network (host names are not supported)" },
	{ "very long entry",
	  "1111111111111111111111111111111111111111111111111111111111111111111111111111111111",
	  "bad entry '1111111111111111111111111111111111111111111111111111111111111111...': "
	  "not an IPv4 or IPv6 address or network (host names are not supported)" },
};

/* test_matches - every row of match_cases. */
static void
test_matches(void)
{
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++) {
		const struct match_case *c = &match_cases[i];
		struct netlist *l = netlist_parse(c->list, err, sizeof(err));

		if (!tap_ok(l != NULL, "%s: parses", c->name)) {
			tap_diag("error: %s", err);
			continue;
		}
		tap_ok(netlist_match(l, c->ip) == c->want, "%s: %s %s", c->name, c->ip,
		    c->want ? "in" : "not in");
		netlist_free(l);
	}
}

/* test_errors - every row of error_cases. */
static void
test_errors(void)
{
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
		const struct error_case *c = &error_cases[i];
		struct netlist *l;

		err[0] = '\0';
		l = netlist_parse(c->list, err, sizeof(err));
		tap_ok(l == NULL, "%s: rejected", c->name);
		tap_streq(err, c->want, "%s: error text", c->name);
		netlist_free(l);
	}
}

/* test_named - text of a named file: entries, line numbers in errors, NUL bytes. */
static void
test_named(void)
{
	static const char good[] = "# ignored hosts\n127.0.0.1\n\n10.0.0.0/8 # lan\n::1\n";
	static const char bad[] = "127.0.0.1\n# comment\n\n10.0.0.0/8 mail.example.com\n";
	static const char nul[] = "127.0.0.1\n\0::1\n";
	char err[256];
	struct netlist *l;

	l = netlist_parse_named(good, sizeof(good) - 1, "/etc/hosts.ignore", err, sizeof(err));
	tap_ok(l != NULL, "named text parses");
	tap_inteq((long long)netlist_count(l), 3, "named text: 3 entries");
	tap_ok(netlist_match(l, "10.9.8.7"), "named text: 10.9.8.7 matches");
	netlist_free(l);

	l = netlist_parse_named(bad, sizeof(bad) - 1, "/etc/hosts.ignore", err, sizeof(err));
	tap_ok(l == NULL, "bad named text rejected");
	tap_streq(err, "/etc/hosts.ignore:4: bad entry 'mail.example.com': not an IPv4 or IPv6 "
	    "address or network (host names are not supported)", "bad named text: file and line");

	l = netlist_parse_named(nul, sizeof(nul) - 1, "/etc/hosts.ignore", err, sizeof(err));
	tap_ok(l == NULL, "NUL byte rejected");
	tap_streq(err, "/etc/hosts.ignore: NUL byte in a network list", "NUL byte: error");

	l = netlist_parse_named("10.0.0.1 10.0.0.2", 8, "t", err, sizeof(err));
	tap_ok(l != NULL && netlist_match(l, "10.0.0.1") && !netlist_match(l, "10.0.0.2"),
	    "only len bytes are read");
	netlist_free(l);
}

/* test_sockaddr - netlist_match_sockaddr on IPv4, IPv6 and mapped addresses. */
static void
test_sockaddr(void)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	struct sockaddr sun = { .sa_family = AF_UNIX };
	char err[256];
	struct netlist *l = netlist_parse("192.0.2.0/24, 2001:db8::/32", err, sizeof(err));

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.200", &sin.sin_addr);
	tap_ok(netlist_match_sockaddr(l, (struct sockaddr *)&sin), "sockaddr_in in list");
	inet_pton(AF_INET, "192.0.3.1", &sin.sin_addr);
	tap_ok(!netlist_match_sockaddr(l, (struct sockaddr *)&sin), "sockaddr_in not in list");
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:1::1", &sin6.sin6_addr);
	tap_ok(netlist_match_sockaddr(l, (struct sockaddr *)&sin6), "sockaddr_in6 in list");
	inet_pton(AF_INET6, "::ffff:192.0.2.1", &sin6.sin6_addr);
	tap_ok(netlist_match_sockaddr(l, (struct sockaddr *)&sin6), "mapped sockaddr_in6 in list");
	tap_ok(!netlist_match_sockaddr(l, &sun), "AF_UNIX never matches");
	tap_ok(!netlist_match_sockaddr(l, NULL), "NULL never matches");
	tap_ok(!netlist_match(NULL, "127.0.0.1"), "NULL list never matches");
	tap_ok(!netlist_match(l, NULL), "NULL address never matches");
	tap_inteq((long long)netlist_count(l), 2, "count");
	tap_inteq((long long)netlist_count(NULL), 0, "count of NULL");
	netlist_free(l);
	netlist_free(NULL);
}

int
main(void)
{
	test_matches();
	test_errors();
	test_named();
	test_sockaddr();
	return tap_done();
}
