/*
 * netlist.h - lists of IPv4 and IPv6 networks (CIDR) for IgnoreHosts:
 * which clients are not evaluated.  Built once from configuration text,
 * then read-only: netlist_match may be called from any thread.
 */
#ifndef AUTHMILTER_NETLIST_H
#define AUTHMILTER_NETLIST_H

#include <stdbool.h>
#include <stddef.h>

struct netlist;
struct sockaddr;

/*
 * netlist_parse - entries separated by commas, blanks or newlines, '#'
 * comments to end of line: "ADDR" or "ADDR/BITS", IPv4 or IPv6
 * ("127.0.0.1", "10.0.0.0/8", "::1", "2001:db8::/32").  NULL on error with
 * the offending entry named in err ("bad entry 'X': why").  Host names are
 * not accepted, nor bits set after the prefix ("10.1.2.3/8").  An empty
 * text gives an empty list.
 */
struct netlist *netlist_parse(const char *text, char *err, size_t errsize);

/*
 * netlist_parse_named - the same for len bytes of text read from a file
 * called name (one entry a line, usually): errors are "NAME:LINE: bad entry
 * 'X': why".  The caller reads the file.
 */
struct netlist *netlist_parse_named(const char *text, size_t len, const char *name,
    char *err, size_t errsize);

/* netlist_free - release (NULL is fine). */
void netlist_free(struct netlist *l);

/* netlist_match - is the address text ip (IPv4, IPv6, or IPv4-mapped IPv6) in l? */
bool netlist_match(const struct netlist *l, const char *ip);

/* netlist_match_sockaddr - the same for an AF_INET or AF_INET6 address (else false). */
bool netlist_match_sockaddr(const struct netlist *l, const struct sockaddr *sa);

/* netlist_count - number of entries. */
size_t netlist_count(const struct netlist *l);

#endif
