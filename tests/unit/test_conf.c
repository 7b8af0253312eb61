/*
 * test_conf.c - unit tests for the configuration (milter/conf*.c): good
 * files and the values they give, bad files and their exact "FILE:LINE:"
 * errors, OpenDMARC-only keys (a warning), IgnoreHosts files, the dump and
 * its round trip, the keys that need a restart, the RejectText expansion,
 * the table's own consistency, and that the committed conf/authmilter.conf
 * and doc/authmilter.conf.5 are what the table generates.  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "conf_table.h"
#include "config.h"
#include "tap.h"
#include "testfile.h"

#define NAME "t.conf"

/* A good file, and one key's value as conf_dump writes it. */
struct good_case {
	const char *name;
	const char *text;
	const char *key;
	const char *want;
};

static const struct good_case good_cases[] = {
	{ "empty file", "", "Syslog", "yes" },
	{ "comments only", "# nothing\n   # indented\n\n", "Syslog", "yes" },
	{ "bool yes", "Syslog yes\n", "Syslog", "yes" },
	{ "bool no", "Syslog no\n", "Syslog", "no" },
	{ "bool true", "LogDNS true\n", "LogDNS", "yes" },
	{ "bool false", "Syslog false\n", "Syslog", "no" },
	{ "bool on", "LogDNS on\n", "LogDNS", "yes" },
	{ "bool off", "Syslog off\n", "Syslog", "no" },
	{ "bool 1", "LogDNS 1\n", "LogDNS", "yes" },
	{ "bool 0", "Syslog 0\n", "Syslog", "no" },
	{ "bool any case", "LogDNS YeS\n", "LogDNS", "yes" },
	{ "key any case", "sYSLOG no\n", "Syslog", "no" },
	{ "OpenDMARC spelling Userid", "Userid mail\n", "UserID", "mail" },
	{ "comment after value", "Syslog no # quiet\n", "Syslog", "no" },
	{ "comment glued to value", "Syslog no#quiet\n", "Syslog", "no" },
	{ "blanks around", "  \t Syslog \t no \t \n", "Syslog", "no" },
	{ "CRLF line", "Syslog no\r\n", "Syslog", "no" },
	{ "byte order mark", "\xef\xbb\xbfSyslog no\n", "Syslog", "no" },
	{ "no final newline", "LogDNS yes", "LogDNS", "yes" },
	{ "quoted word", "Syslog \"no\"\n", "Syslog", "no" },
	{ "quoted, comment after", "Syslog \"no\"  # c\n", "Syslog", "no" },
	{ "socket inet", "Socket inet:12345@192.0.2.1\n", "Socket", "inet:12345@192.0.2.1" },
	{ "socket inet any address", "Socket inet:8895\n", "Socket", "inet:8895" },
	{ "socket inet6", "Socket inet6:8895@::1\n", "Socket", "inet6:8895@::1" },
	{ "metrics socket", "MetricsSocket inet:9795@127.0.0.1\n", "MetricsSocket", "inet:9795@127.0.0.1" },
	{ "metrics socket none", "MetricsSocket none\n", "MetricsSocket", "none" },
	{ "rate per hour", "FailureReportsRate 10/h\n", "FailureReportsRate", "10/h" },
	{ "rate per day", "FailureReportsRate 0/d\n", "FailureReportsRate", "0/d" },
	{ "socket inet host name", "Socket inet:8895@localhost\n", "Socket", "inet:8895@localhost" },
	{ "socket unix", "Socket unix:/run/authmilter/authmilter.sock\n", "Socket",
	  "unix:/run/authmilter/authmilter.sock" },
	{ "socket local", "Socket local:/run/a.sock\n", "Socket", "local:/run/a.sock" },
	{ "user", "UserID authmilter\n", "UserID", "authmilter" },
	{ "user and group", "UserID authmilter:mail\n", "UserID", "authmilter:mail" },
	{ "user none", "UserID none\n", "UserID", "none" },
	{ "umask", "UMask 027\n", "UMask", "027" },
	{ "umask zero", "UMask 0\n", "UMask", "000" },
	{ "umask four digits", "UMask 0002\n", "UMask", "002" },
	{ "umask 777", "UMask 777\n", "UMask", "777" },
	{ "facility", "SyslogFacility local3\n", "SyslogFacility", "local3" },
	{ "facility any case", "SyslogFacility DAEMON\n", "SyslogFacility", "daemon" },
	{ "pid file", "PidFile /run/authmilter.pid\n", "PidFile", "/run/authmilter.pid" },
	{ "pid file none", "PidFile none\n", "PidFile", "none" },
	{ "pid file NONE", "PidFile NONE\n", "PidFile", "none" },
	{ "path with blank, quoted", "HistoryFile \"/var/lib/a b/history\"\n", "HistoryFile",
	  "\"/var/lib/a b/history\"" },
	{ "authserv-id", "AuthservID mx.example.org\n", "AuthservID", "mx.example.org" },
	{ "trusted ids", "TrustedAuthservIDs mx1.example.org,mx2.example.org  mx3\n",
	  "TrustedAuthservIDs", "mx1.example.org, mx2.example.org, mx3" },
	{ "trusted ids, empty items skipped", "TrustedAuthservIDs , a,, b ,\n",
	  "TrustedAuthservIDs", "a, b" },
	{ "ignore hosts inline", "IgnoreHosts 10.0.0.0/8, 2001:db8::/32\n", "IgnoreHosts",
	  "10.0.0.0/8, 2001:db8::/32" },
	{ "ignore hosts none", "IgnoreHosts none\n", "IgnoreHosts", "none" },
	{ "ignore mail from normalised", "IgnoreMailFrom Example.COM, b\xc3\xbc" "cher.example.\n",
	  "IgnoreMailFrom", "example.com, xn--bcher-kva.example" },
	{ "ARC trusted sealers normalised", "ARCTrustedSealers Lists.Example.ORG fwd.example.net.\n",
	  "ARCTrustedSealers", "lists.example.org, fwd.example.net" },
	{ "ARC verify off", "ARCVerify no\n", "ARCVerify", "no" },
	{ "ARC defaults", "\n", "ARCTrustedSealers", "none" },
	{ "reject failures off", "RejectFailures no\n", "RejectFailures", "no" },
	{ "quarantine header spacing", "QuarantineHeader X-Spam:yes\n", "QuarantineHeader",
	  "X-Spam: yes" },
	{ "quarantine header blanks", "QuarantineHeader X-Spam:   DMARC quarantine\n",
	  "QuarantineHeader", "X-Spam: DMARC quarantine" },
	{ "reject text", "RejectText 5.7.1 ${policy}: ${domain} (${reason})\n", "RejectText",
	  "5.7.1 ${policy}: ${domain} (${reason})" },
	{ "reject text other code", "RejectText 5.7.26 DMARC\n", "RejectText", "5.7.26 DMARC" },
	{ "reject text quoted with #", "RejectText \"5.7.1 see #dmarc for ${domain}\"\n",
	  "RejectText", "\"5.7.1 see #dmarc for ${domain}\"" },
	{ "reject text escapes", "RejectText \"5.7.1 say \\\"no\\\" \\\\ ${domain}\"\n",
	  "RejectText", "5.7.1 say \"no\" \\ ${domain}" },
	{ "reject text with quote inside, unquoted", "RejectText 5.7.1 say \"no\"\n", "RejectText",
	  "5.7.1 say \"no\"" },
	{ "dns fail accept", "DNSFailAction accept\n", "DNSFailAction", "accept" },
	{ "internal error accept", "InternalErrorAction ACCEPT\n", "InternalErrorAction", "accept" },
	{ "org psl", "OrganizationalDomain psl\n", "OrganizationalDomain", "psl" },
	{ "psl file", "PublicSuffixList /etc/psl.dat\n", "PublicSuffixList", "/etc/psl.dat" },
	{ "dns timeout max", "DNSTimeout 60\nDNSBudget 60\n", "DNSTimeout", "60" },
	{ "dns timeout min", "DNSTimeout 1\n", "DNSTimeout", "1" },
	{ "dns budget max", "DNSBudget 300\n", "DNSBudget", "300" },
	{ "dns budget equal to timeout", "DNSBudget 5\n", "DNSBudget", "5" },
	{ "nameservers", "Nameservers 127.0.0.1, ::1@5353 192.0.2.1@53\n", "Nameservers",
	  "127.0.0.1, ::1@5353, 192.0.2.1@53" },
	{ "nameservers, 8", "Nameservers 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 "
	  "192.0.2.6 192.0.2.7 192.0.2.8\n", "Nameservers",
	  "192.0.2.1, 192.0.2.2, 192.0.2.3, 192.0.2.4, 192.0.2.5, 192.0.2.6, 192.0.2.7, 192.0.2.8" },
	{ "recursion", "DNSRecursion yes\n", "DNSRecursion", "yes" },
	{ "trust anchor", "TrustAnchorFile /usr/share/dns/root.key\n", "TrustAnchorFile",
	  "/usr/share/dns/root.key" },
	{ "zone file", "DNSZoneFile /tmp/zone\n", "DNSZoneFile", "/tmp/zone" },
	{ "dkim bits", "DKIMMinKeyBits 2048\n", "DKIMMinKeyBits", "2048" },
	{ "dkim bits min", "DKIMMinKeyBits 512\n", "DKIMMinKeyBits", "512" },
	{ "dkim signatures max", "DKIMMaxSignatures 16\n", "DKIMMaxSignatures", "16" },
	{ "history", "HistoryFile /var/lib/authmilter/history\n", "HistoryFile",
	  "/var/lib/authmilter/history" },
	{ "record all", "RecordAllMessages yes\n", "RecordAllMessages", "yes" },
	{ "OpenDMARC key skipped", "AutoRestart yes\nSyslog no\n", "Syslog", "no" },
	{ "OpenDMARC key set twice", "Background yes\nBackground no\n", "Syslog", "yes" },
};

/* A bad file and its exact error. */
struct bad_case {
	const char *name;
	const char *text;
	const char *want;
};

#define NOT_BOOL "is not yes or no (yes no true false on off 1 0)"
#define NOT_ADDR "not an IPv4 or IPv6 address or network (host names are not supported)"
#define VARS "(known: ${domain} ${policy} ${reason})"

static const struct bad_case bad_cases[] = {
	{ "unknown key", "Sockets inet:1@localhost\n", NAME ":1: unknown key 'Sockets'" },
	{ "unknown key, line counted", "# c\n\nSyslog yes\nFoo bar\n", NAME ":4: unknown key 'Foo'" },
	{ "unknown key without value", "Frobnicate\n", NAME ":1: unknown key 'Frobnicate'" },
	{ "key glued to value", "Socket=inet:1@localhost\n", NAME ":1: unknown key 'Socket=inet:1@localhost'" },
	{ "OpenDKIM key", "Canonicalization relaxed/simple\n", NAME ":1: unknown key 'Canonicalization'" },
	{ "bad bool", "Syslog maybe\n", NAME ":1: Syslog: 'maybe' " NOT_BOOL },
	{ "bad bool empty quotes", "Syslog \"\"\n", NAME ":1: Syslog: '' " NOT_BOOL },
	{ "trailing junk", "Syslog yes please\n", NAME ":1: Syslog: trailing junk 'please'" },
	{ "trailing junk, number", "DNSTimeout 5 s\n", NAME ":1: DNSTimeout: trailing junk 's'" },
	{ "trailing junk, path", "PidFile /run/a.pid /run/b.pid\n",
	  NAME ":1: PidFile: trailing junk '/run/b.pid'" },
	{ "trailing junk after quotes", "Syslog \"yes\" please\n",
	  NAME ":1: Syslog: trailing junk 'please' after the quoted value" },
	{ "missing value", "Syslog\n", NAME ":1: Syslog: missing value" },
	{ "missing value, comment", "Syslog   # yes\n", NAME ":1: Syslog: missing value" },
	{ "timeout zero", "DNSTimeout 0\n", NAME ":1: DNSTimeout: '0' is not a number of seconds from 1 to 60" },
	{ "timeout too big", "DNSTimeout 61\n", NAME ":1: DNSTimeout: '61' is not a number of seconds from 1 to 60" },
	{ "timeout negative", "DNSTimeout -1\n", NAME ":1: DNSTimeout: '-1' is not a number of seconds from 1 to 60" },
	{ "timeout plus sign", "DNSTimeout +5\n", NAME ":1: DNSTimeout: '+5' is not a number of seconds from 1 to 60" },
	{ "timeout unit", "DNSTimeout 5s\n", NAME ":1: DNSTimeout: '5s' is not a number of seconds from 1 to 60" },
	{ "timeout hex", "DNSTimeout 0x10\n", NAME ":1: DNSTimeout: '0x10' is not a number of seconds from 1 to 60" },
	{ "timeout overflow", "DNSTimeout 99999999999999999999999\n",
	  NAME ":1: DNSTimeout: '99999999999999999999999' is not a number of seconds from 1 to 60" },
	{ "budget too big", "DNSBudget 301\n", NAME ":1: DNSBudget: '301' is not a number of seconds from 1 to 300" },
	{ "key bits too small", "DKIMMinKeyBits 256\n",
	  NAME ":1: DKIMMinKeyBits: '256' is not a number from 512 to 8192" },
	{ "signatures zero", "DKIMMaxSignatures 0\n",
	  NAME ":1: DKIMMaxSignatures: '0' is not a number from 1 to 16" },
	{ "signatures too many", "DKIMMaxSignatures 17\n",
	  NAME ":1: DKIMMaxSignatures: '17' is not a number from 1 to 16" },
	{ "umask not octal", "UMask 008\n", NAME ":1: UMask: '008' is not an octal mode from 000 to 777" },
	{ "umask too big", "UMask 1000\n", NAME ":1: UMask: '1000' is not an octal mode from 000 to 777" },
	{ "facility unknown", "SyslogFacility kern\n", NAME ":1: SyslogFacility: 'kern' is not one of: "
	  "mail daemon user local0 local1 local2 local3 local4 local5 local6 local7" },
	{ "facility LOG_ name", "SyslogFacility LOG_MAIL\n", NAME ":1: SyslogFacility: 'LOG_MAIL' is not "
	  "one of: mail daemon user local0 local1 local2 local3 local4 local5 local6 local7" },
	{ "dns fail action", "DNSFailAction reject\n",
	  NAME ":1: DNSFailAction: 'reject' is not one of: tempfail accept" },
	{ "org mode", "OrganizationalDomain both\n",
	  NAME ":1: OrganizationalDomain: 'both' is not one of: treewalk psl" },
	{ "bad CIDR inline", "IgnoreHosts 10.0.0.0/33\n",
	  NAME ":1: IgnoreHosts: bad entry '10.0.0.0/33': prefix length is not a number from 0 to 32" },
	{ "host name inline", "IgnoreHosts 127.0.0.1, localhost\n",
	  NAME ":1: IgnoreHosts: bad entry 'localhost': " NOT_ADDR },
	{ "hosts file missing", "IgnoreHosts /nonexistent/hosts\n",
	  NAME ":1: IgnoreHosts: /nonexistent/hosts: No such file or directory" },
	{ "hosts file a device", "IgnoreHosts /dev/null\n",
	  NAME ":1: IgnoreHosts: /dev/null: not a regular file" },
	{ "hosts file a directory", "IgnoreHosts /\n", NAME ":1: IgnoreHosts: /: not a regular file" },
	{ "hosts file, junk", "IgnoreHosts /etc/a /etc/b\n", NAME ":1: IgnoreHosts: trailing junk '/etc/b'" },
	{ "reject text unknown variable", "RejectText 5.7.1 no ${sender}\n",
	  NAME ":1: RejectText: unknown variable '${sender}' " VARS },
	{ "reject text variable case", "RejectText 5.7.1 ${Domain}\n",
	  NAME ":1: RejectText: unknown variable '${Domain}' " VARS },
	{ "reject text empty variable", "RejectText 5.7.1 ${}\n",
	  NAME ":1: RejectText: unknown variable '${}' " VARS },
	{ "reject text lone dollar", "RejectText 5.7.1 costs $5\n",
	  NAME ":1: RejectText: a '$' not starting a ${...} variable " VARS },
	{ "reject text dollar name", "RejectText 5.7.1 $domain\n",
	  NAME ":1: RejectText: a '$' not starting a ${...} variable " VARS },
	{ "reject text unterminated", "RejectText 5.7.1 ${domain\n",
	  NAME ":1: RejectText: unterminated '${'" },
	{ "reject text printf format", "RejectText 5.7.1 %s%n\n",
	  NAME ":1: RejectText: '%' may not be used (libmilter reads it as a format character)" },
	{ "reject text without code", "RejectText rejected by DMARC\n",
	  NAME ":1: RejectText: must be an enhanced status code 5.X.Y (e.g. 5.7.1), a blank and text" },
	{ "reject text 4xx code", "RejectText 4.7.1 try later\n",
	  NAME ":1: RejectText: must be an enhanced status code 5.X.Y (e.g. 5.7.1), a blank and text" },
	{ "reject text code only", "RejectText 5.7.1\n",
	  NAME ":1: RejectText: must be an enhanced status code 5.X.Y (e.g. 5.7.1), a blank and text" },
	{ "reject text basic code", "RejectText 550 5.7.1 no\n",
	  NAME ":1: RejectText: must be an enhanced status code 5.X.Y (e.g. 5.7.1), a blank and text" },
	{ "reject text non-ASCII", "RejectText 5.7.1 r\xc3\xa9jet\n",
	  NAME ":1: RejectText: only printable ASCII characters may be used" },
	{ "quarantine header no colon", "QuarantineHeader X-Quarantine yes\n",
	  NAME ":1: QuarantineHeader: 'X-Quarantine yes' is not \"Name: value\" with a header field "
	  "name of 1 to 76 printable ASCII characters" },
	{ "quarantine header blank in name", "QuarantineHeader X Spam: yes\n",
	  NAME ":1: QuarantineHeader: 'X Spam: yes' is not \"Name: value\" with a header field "
	  "name of 1 to 76 printable ASCII characters" },
	{ "quarantine header no name", "QuarantineHeader : yes\n",
	  NAME ":1: QuarantineHeader: ': yes' is not \"Name: value\" with a header field "
	  "name of 1 to 76 printable ASCII characters" },
	{ "quarantine header no value", "QuarantineHeader X-Spam:\n",
	  NAME ":1: QuarantineHeader: 'X-Spam:': the value must be 1 to 998 printable ASCII characters" },
	{ "duplicate key", "Syslog yes\nLogDNS no\nSyslog no\n",
	  NAME ":3: duplicate key 'Syslog' (first set at line 1)" },
	{ "duplicate key, other case", "Syslog yes\nsyslog yes\n",
	  NAME ":2: duplicate key 'Syslog' (first set at line 1)" },
	{ "control character", "Syslog yes\x01\n", NAME ":1: control character 0x01" },
	{ "escape character in comment", "# \x1b[31m\n", NAME ":1: control character 0x1b" },
	{ "DEL", "Syslog \x7fyes\n", NAME ":1: control character 0x7f" },
	{ "bare CR inside", "Syslog yes\rLogDNS no\n", NAME ":1: control character 0x0d" },
	{ "unterminated quote", "RejectText \"5.7.1 x\n", NAME ":1: RejectText: unterminated quoted value" },
	{ "bad escape", "RejectText \"5.7.1 \\n\"\n",
	  NAME ":1: RejectText: bad escape in a quoted value (only \\\" and \\\\)" },
	{ "relative path", "PidFile run/a.pid\n", NAME ":1: PidFile: 'run/a.pid' is not an absolute path" },
	{ "empty quoted path", "PublicSuffixList \"\"\n", NAME ":1: PublicSuffixList: '' is not an absolute path" },
	{ "path none where not allowed", "PublicSuffixList none\n",
	  NAME ":1: PublicSuffixList: 'none' is not an absolute path" },
	{ "socket port too big", "Socket inet:99999@localhost\n",
	  NAME ":1: Socket: 'inet:99999@localhost': the port is not a number from 1 to 65535" },
	{ "socket port zero", "Socket inet:0\n",
	  NAME ":1: Socket: 'inet:0': the port is not a number from 1 to 65535" },
	{ "socket no host", "Socket inet:25@\n", NAME ":1: Socket: 'inet:25@': bad host after '@'" },
	{ "rate no unit", "FailureReportsRate 10\n",
	  NAME ":1: FailureReportsRate: '10' is not N/m, N/h or N/d (N from 0 to 1000000)" },
	{ "rate bad unit", "FailureReportsRate 10/s\n",
	  NAME ":1: FailureReportsRate: '10/s' is not N/m, N/h or N/d (N from 0 to 1000000)" },
	{ "rate too big", "FailureReportsRate 1000001/h\n",
	  NAME ":1: FailureReportsRate: '1000001/h' is not N/m, N/h or N/d (N from 0 to 1000000)" },
	{ "metrics socket unix", "MetricsSocket unix:/run/m.sock\n",
	  NAME ":1: MetricsSocket: 'unix:/run/m.sock' is not inet:PORT@ADDRESS or inet6:PORT@ADDRESS" },
	{ "metrics socket port", "MetricsSocket inet:70000@127.0.0.1\n",
	  NAME ":1: MetricsSocket: 'inet:70000@127.0.0.1': the port is not a number from 1 to 65535" },
	{ "socket other scheme", "Socket tcp:25\n",
	  NAME ":1: Socket: 'tcp:25' is not inet:PORT@HOST, inet6:PORT@HOST, unix:/PATH or local:/PATH" },
	{ "socket none", "Socket none\n",
	  NAME ":1: Socket: 'none' is not inet:PORT@HOST, inet6:PORT@HOST, unix:/PATH or local:/PATH" },
	{ "socket relative unix", "Socket unix:a.sock\n",
	  NAME ":1: Socket: 'unix:a.sock': the path of a unix socket must be absolute" },
	{ "user empty group", "UserID authmilter:\n", NAME ":1: UserID: 'authmilter:' is not USER or USER:GROUP" },
	{ "user dash", "UserID -root\n", NAME ":1: UserID: '-root' is not USER or USER:GROUP" },
	{ "authserv-id with ;", "AuthservID mx;example\n", NAME ":1: AuthservID: 'mx;example' is not an "
	  "authserv-id (a token of up to 255 ASCII characters without ()<>@,;:\\\"/[]?=)" },
	{ "nameservers too many", "Nameservers 192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5 "
	  "192.0.2.6 192.0.2.7 192.0.2.8 192.0.2.9\n", NAME ":1: Nameservers: more than 8 items" },
	{ "nameserver port zero", "Nameservers 192.0.2.1@0\n",
	  NAME ":1: Nameservers: '192.0.2.1@0' is not IP or IP@PORT" },
	{ "nameserver name", "Nameservers dns.example\n",
	  NAME ":1: Nameservers: 'dns.example' is not IP or IP@PORT" },
	{ "nameserver with prefix", "Nameservers 192.0.2.0/24\n",
	  NAME ":1: Nameservers: '192.0.2.0/24' is not IP or IP@PORT" },
	{ "list of separators only", "TrustedAuthservIDs , ,\n",
	  NAME ":1: TrustedAuthservIDs: no items (write none for an empty list)" },
	{ "bad domain", "IgnoreMailFrom example..com\n",
	  NAME ":1: IgnoreMailFrom: 'example..com': empty label in domain" },
	{ "bad ARC sealer", "# trusted\nARCTrustedSealers lists.example.org, lists..example.org\n",
	  NAME ":2: ARCTrustedSealers: 'lists..example.org': empty label in domain" },
	{ "ARCVerify not a bool", "ARCVerify maybe\n",
	  NAME ":1: ARCVerify: 'maybe' is not yes or no (yes no true false on off 1 0)" },
	{ "recursion with nameservers", "Nameservers 127.0.0.1\nSyslog yes\nDNSRecursion yes\n",
	  NAME ":3: DNSRecursion yes and Nameservers cannot be used together" },
	{ "budget shorter than timeout", "DNSTimeout 30\n",
	  NAME ":1: DNSBudget (15 s) is shorter than DNSTimeout (30 s)" },
	{ "budget shorter, budget set later", "DNSTimeout 10\n\nDNSBudget 5\n",
	  NAME ":3: DNSBudget (5 s) is shorter than DNSTimeout (10 s)" },
	{ "error after a good line", "Syslog yes\nLogDNS perhaps\n", NAME ":2: LogDNS: 'perhaps' " NOT_BOOL },
};

/* dump_text - conf_dump of c, malloc'd. */
static char *
dump_text(const struct conf *c)
{
	char *buf = NULL;
	size_t len;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return NULL;
	conf_dump(c, fp);
	fclose(fp);
	return buf;
}

/* dump_value - the value of key in c's dump ("" when absent), in out. */
static void
dump_value(const struct conf *c, const char *key, char *out, size_t outsize)
{
	char *d = dump_text(c), *line, *nl;
	size_t klen = strlen(key);

	out[0] = '\0';
	for (line = d; line != NULL && *line != '\0'; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			snprintf(out, outsize, "%.*s", (int)((nl ? nl : line + strlen(line)) - line - klen - 1),
			    line + klen + 1);
			break;
		}
	}
	free(d);
}

/* load - conf_load_buffer of a string. */
static struct conf *
load(const char *text, char *err, size_t errsize)
{
	return conf_load_buffer(text, strlen(text), NAME, NULL, err, errsize);
}

/* test_good - every row of good_cases. */
static void
test_good(void)
{
	char err[1024], got[1024];
	struct conf *c;
	size_t i;

	for (i = 0; i < sizeof(good_cases) / sizeof(good_cases[0]); i++) {
		const struct good_case *t = &good_cases[i];

		err[0] = '\0';
		if (!tap_ok((c = load(t->text, err, sizeof(err))) != NULL, "good: %s: loads", t->name)) {
			tap_diag("error: %s", err);
			continue;
		}
		dump_value(c, t->key, got, sizeof(got));
		tap_streq(got, t->want, "good: %s: %s", t->name, t->key);
		conf_unref(c);
	}
}

/* test_bad - every row of bad_cases. */
static void
test_bad(void)
{
	char err[1024];
	struct conf *c;
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *t = &bad_cases[i];

		err[0] = '\0';
		c = load(t->text, err, sizeof(err));
		tap_ok(c == NULL, "bad: %s: rejected", t->name);
		tap_streq(err, t->want, "bad: %s: error", t->name);
		conf_unref(c);
	}
}

/* test_nul - a NUL byte is a control character, on its line. */
static void
test_nul(void)
{
	static const char text[] = "Syslog yes\nLogDNS\0 yes\n";
	char err[256];
	struct conf *c = conf_load_buffer(text, sizeof(text) - 1, NAME, NULL, err, sizeof(err));

	tap_ok(c == NULL, "NUL byte rejected");
	tap_streq(err, NAME ":2: control character 0x00", "NUL byte: error");
}

/* test_values - the typed fields behind the dump. */
static void
test_values(void)
{
	char err[1024], host[256];
	struct conf *c = conf_defaults();

	tap_ok(c != NULL, "defaults");
	tap_inteq(c->dns_timeout_ms, 5000, "default DNSTimeout in ms");
	tap_inteq(c->dns_budget_ms, 15000, "default DNSBudget in ms");
	tap_inteq(c->umask, 07, "default UMask");
	tap_inteq(c->syslog_facility, LOG_MAIL, "default facility");
	tap_ok(c->syslog && !c->log_dns && c->reject_failures && c->ignore_authenticated &&
	    !c->hold_quarantined && !c->honor_pct && !c->dns_recursive, "default booleans");
	tap_ok(netlist_match(c->ignore_hosts, "127.0.0.1") && netlist_match(c->ignore_hosts, "::1") &&
	    !netlist_match(c->ignore_hosts, "192.0.2.1"), "default IgnoreHosts");
	tap_streq(c->psl_file, PSL_DEFAULT_FILE, "default PublicSuffixList from config.h");
	tap_ok(c->pid_file == NULL && c->user_id == NULL && c->history_file == NULL &&
	    c->trust_anchor_file == NULL && c->zone_file == NULL, "default none paths are NULL");
	if (gethostname(host, sizeof(host)) == 0)
		tap_streq(c->authserv_id, host, "default AuthservID is the host name");
	tap_inteq(c->refs, 1, "one reference");
	tap_ok(c->path == NULL, "defaults have no path");
	conf_unref(c);

	c = load("UMask 027\nSyslogFacility local3\nDNSTimeout 2\nDNSBudget 7\nOrganizationalDomain psl\n"
	    "DNSFailAction accept\nInternalErrorAction accept\nDKIMMinKeyBits 2048\n"
	    "IgnoreHosts none\nTrustedAuthservIDs MX1.example.org\n", err, sizeof(err));
	if (!tap_ok(c != NULL, "typed values load")) {
		tap_diag("%s", err);
		return;
	}
	tap_inteq(c->umask, 027, "UMask 027");
	tap_inteq(c->syslog_facility, LOG_LOCAL3, "facility local3");
	tap_inteq(c->dns_timeout_ms, 2000, "DNSTimeout 2 s");
	tap_inteq(c->dns_budget_ms, 7000, "DNSBudget 7 s");
	tap_inteq(c->org_mode, ORG_MODE_PSL, "org mode psl");
	tap_inteq(c->dns_fail_action, CONF_FAIL_ACCEPT, "DNSFailAction accept");
	tap_inteq(c->internal_error_action, CONF_FAIL_ACCEPT, "InternalErrorAction accept");
	tap_inteq(c->dkim_min_key_bits, 2048, "DKIMMinKeyBits");
	tap_ok(c->ignore_hosts == NULL && !netlist_match(c->ignore_hosts, "127.0.0.1"), "IgnoreHosts none");
	tap_ok(conf_list_has(&c->trusted_authserv_ids, "mx1.EXAMPLE.org"), "conf_list_has ignores case");
	tap_ok(!conf_list_has(&c->trusted_authserv_ids, "mx2.example.org"), "conf_list_has: absent");
	tap_ok(!conf_list_has(&c->trusted_authserv_ids, NULL), "conf_list_has: NULL");
	tap_streq(c->path, NAME, "path is the name");
	conf_unref(c);
}

/* test_warnings - OpenDMARC keys: a warning each, and the file loads. */
static void
test_warnings(void)
{
	char err[256], *w = NULL;
	size_t wlen;
	FILE *fp = open_memstream(&w, &wlen);
	struct conf *c;

	c = conf_load_buffer("Syslog no\nautorestart yes\nForensicReports true # old\n",
	    strlen("Syslog no\nautorestart yes\nForensicReports true # old\n"), NAME, fp, err, sizeof(err));
	fclose(fp);
	tap_ok(c != NULL && !c->syslog, "OpenDMARC keys: file loads");
	tap_streq(w, NAME ":2: warning: OpenDMARC key 'AutoRestart' is not implemented by authmilter "
	    "and is ignored (let the service manager restart the daemon)\n"
	    NAME ":3: warning: OpenDMARC key 'ForensicReports' is not implemented by authmilter "
	    "and is ignored (use FailureReports)\n", "OpenDMARC keys: warnings");
	conf_unref(c);
	free(w);
	c = load("TestDNSData /tmp/x\n", err, sizeof(err));
	tap_ok(c != NULL, "OpenDMARC key with no warning stream");
	conf_unref(c);
}

/* write_tmp - a temporary file holding text; its name in path. */
static int
write_tmp(char *path, size_t size, const char *text)
{
	FILE *fp;
	int fd;

	snprintf(path, size, "/tmp/test_conf.XXXXXX");
	if ((fd = mkstemp(path)) < 0 || (fp = fdopen(fd, "w")) == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

/* test_hosts_file - IgnoreHosts from a file: entries, and errors naming both files. */
static void
test_hosts_file(void)
{
	char hosts[64], conf[64], text[256], err[1024], want[1024];
	struct conf *c;

	if (write_tmp(hosts, sizeof(hosts), "# local\n192.0.2.0/24\n\n2001:db8::/32 # v6\n") != 0)
		return;
	snprintf(text, sizeof(text), "IgnoreHosts %s\n", hosts);
	c = load(text, err, sizeof(err));
	tap_ok(c != NULL && netlist_match(c->ignore_hosts, "192.0.2.9") &&
	    netlist_match(c->ignore_hosts, "2001:db8::1") && !netlist_match(c->ignore_hosts, "127.0.0.1"),
	    "IgnoreHosts file");
	tap_streq(c ? c->ignore_hosts_spec : NULL, hosts, "IgnoreHosts file: spec is the path");
	conf_unref(c);
	unlink(hosts);

	if (write_tmp(hosts, sizeof(hosts), "192.0.2.0/24\n# comment\nmail.example.com\n") != 0)
		return;
	snprintf(text, sizeof(text), "Syslog yes\nIgnoreHosts %s\n", hosts);
	c = load(text, err, sizeof(err));
	tap_ok(c == NULL, "bad IgnoreHosts file rejected");
	snprintf(want, sizeof(want), NAME ":2: IgnoreHosts: %s:3: bad entry 'mail.example.com': " NOT_ADDR, hosts);
	tap_streq(err, want, "bad IgnoreHosts file: both files and lines named");

	/* conf_load reads a file; its name is in the errors. */
	snprintf(text, sizeof(text), "# x\nIgnoreHosts %s\n", hosts);
	if (write_tmp(conf, sizeof(conf), text) != 0)
		return;
	c = conf_load(conf, NULL, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:2: IgnoreHosts: %s:3: bad entry 'mail.example.com': " NOT_ADDR,
	    conf, hosts);
	tap_ok(c == NULL, "conf_load: error");
	tap_streq(err, want, "conf_load: error names the configuration file");
	unlink(hosts);
	unlink(conf);
	c = conf_load("/nonexistent/authmilter.conf", NULL, err, sizeof(err));
	tap_ok(c == NULL, "conf_load: missing file");
	tap_streq(err, "/nonexistent/authmilter.conf: No such file or directory", "conf_load: missing file error");
	c = conf_load("/tmp", NULL, err, sizeof(err));
	tap_streq(err, "/tmp: not a regular file", "conf_load: directory");
}

/* A file setting every key to something other than its default. */
static const char all_keys[] =
	"Socket unix:/run/authmilter/authmilter.sock\nMilterTimeout 300\nPidFile /run/authmilter.pid\n"
	"UserID authmilter:authmilter\nUMask 0027\nSyslog no\nSyslogFacility local7\nLogDNS yes\nMetricsSocket inet6:9795@::1\n"
	"FailureReports yes\nFailureReportSpool /srv/f\nFailureReportsOnNone yes\nFailureReportsBody yes\n"
	"FailureReportsRedact no\nFailureReportsSentBy dmarc@x.example\nFailureReportsBcc a@x.example\n"
	"FailureReportsRate 5/m\nFailureReportsMaxBytes 65536\n"
	"AuthservID mx.example.org\nTrustedAuthservIDs a.example.org b.example.org\n"
	"SoftwareHeader yes\nIgnoreHosts \"10.0.0.0/8 # lan\"\nIgnoreAuthenticatedClients no\n"
	"IgnoreMailFrom example.com\nRejectFailures no\nHoldQuarantinedMessages yes\n"
	"QuarantineHeader X-Q: \"held\" # c\nRejectMultiValueFrom yes\nRejectUnusableFrom no\nRequiredHeaders yes\n"
	"RejectText \"5.7.1 #1 \\\\ ${reason} \"\nDNSFailAction accept\nInternalErrorAction accept\n"
	"OrganizationalDomain psl\nPublicSuffixList \"/tmp/p s l\"\nHonorPct yes\nDNSTimeout 3\n"
	"DNSBudget 9\nNameservers 192.0.2.53@5353\nDNSRecursion no\n"
	"TrustAnchorFile /usr/share/dns/root.key\nDNSZoneFile /tmp/zone\nDKIMMinKeyBits 2048\n"
	"DKIMMaxSignatures 3\nARCVerify no\nARCTrustedSealers lists.example.org\nHistoryFile /var/lib/authmilter/history\nRecordAllMessages yes\n"
	"HistoryFsync yes\nReportDatabase /tmp/r.db\nReportSpool /tmp/spool\n"
	"ReportOrgName \"Example Org\"\nReportEmail dmarc@example.org\n"
	"ReportSendCommand /usr/local/bin/send -x\nReportMaxBytes 4096\nReportRetentionDays 7\n"
	"ReportLegacyRFC7489 yes\nReportHostID mx2\nReportHostGrace 3600\n";

/*
 * same_lines - lines of dump a also in dump b, but DNSRecursion's (it cannot
 * be set with Nameservers).
 */
static int
same_lines(const char *a, const char *b)
{
	const char *p, *q, *nl;
	int same = 0;

	for (p = a; p != NULL && *p != '\0'; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl == NULL || strncmp(p, "DNSRecursion ", 13) == 0)
			continue;
		for (q = b; q != NULL && *q != '\0'; q = strchr(q, '\n') ? strchr(q, '\n') + 1 : NULL)
			if (strncmp(p, q, (size_t)(nl - p + 1)) == 0)
				same++;
	}
	return same;
}

/* test_round_trip - the dump of a file loads to the same dump; every key differs from its default. */
static void
test_round_trip(void)
{
	char err[1024], *d1, *d2, *dd;
	struct conf *c, *c2, *def;

	c = conf_load_buffer(all_keys, strlen(all_keys), NAME, NULL, err, sizeof(err));
	if (!tap_ok(c != NULL, "every key set: loads")) {
		tap_diag("%s", err);
		return;
	}
	d1 = dump_text(c);
	c2 = conf_load_buffer(d1, strlen(d1), "dump", NULL, err, sizeof(err));
	tap_ok(c2 != NULL, "dump loads");
	d2 = c2 ? dump_text(c2) : NULL;
	tap_streq(d2, d1, "dump of the dump is the same");
	def = conf_defaults();
	dd = dump_text(def);
	tap_ok(dd != NULL && d1 != NULL, "dumps");
	tap_inteq(same_lines(d1, dd), 0, "every key but DNSRecursion differs from its default");
	tap_streq(c->reject_text, "5.7.1 #1 \\ ${reason} ", "quoted RejectText with escapes kept");
	tap_streq(c->quarantine_header, "X-Q: \"held\"", "QuarantineHeader with quotes inside");
	free(d1);
	free(d2);
	free(dd);
	conf_unref(c);
	conf_unref(c2);
	conf_unref(def);
}

/* test_restart_keys - conf_diff_nonreloadable names the changed restart keys only. */
static void
test_restart_keys(void)
{
	char err[256], buf[256];
	struct conf *a = load("Socket inet:1@localhost\nRejectFailures no\n", err, sizeof(err));
	struct conf *b = load("Socket inet:2@localhost\nUMask 077\nSyslogFacility local1\n"
	    "RejectFailures yes\nDNSTimeout 2\n", err, sizeof(err));

	tap_inteq(conf_diff_nonreloadable(a, b, buf, sizeof(buf)), 3, "three restart keys changed");
	tap_streq(buf, "Socket, UMask, SyslogFacility", "their names");
	tap_inteq(conf_diff_nonreloadable(a, a, buf, sizeof(buf)), 0, "no change");
	tap_streq(buf, "", "no names");
	conf_unref(a);
	conf_unref(b);
}

/* test_resolver - conf_resolver copies the DNS keys. */
static void
test_resolver(void)
{
	char err[256];
	struct resolver_config rc;
	struct conf *c = load("Nameservers 192.0.2.1, 192.0.2.2@5353\nDNSTimeout 3\n"
	    "TrustAnchorFile /usr/share/dns/root.key\nDNSZoneFile /tmp/z\n", err, sizeof(err));

	if (!tap_ok(c != NULL, "resolver keys load"))
		return;
	conf_resolver(c, &rc);
	tap_inteq((long long)rc.n_nameservers, 2, "two nameservers");
	tap_streq(rc.nameservers[1], "192.0.2.2@5353", "second nameserver");
	tap_inteq(rc.timeout_ms, 3000, "timeout");
	tap_ok(!rc.recursive && !rc.zone_timeout_waits, "not recursive, zone timeouts do not wait");
	tap_streq(rc.trust_anchor_file, "/usr/share/dns/root.key", "trust anchor");
	tap_streq(rc.zone_file, "/tmp/z", "zone file");
	conf_unref(c);
}

struct expand_case {
	const char *name, *tmpl, *domain, *policy, *reason;
	size_t outsize;
	const char *want;	/* NULL: does not fit */
};

static const struct expand_case expand_cases[] = {
	{ "default", "5.7.1 rejected by DMARC policy for ${domain}", "example.com", "reject", "x", 256,
	  "5.7.1 rejected by DMARC policy for example.com" },
	{ "all variables", "5.7.1 ${policy}/${domain}/${reason}", "a.example", "quarantine", "no pass", 256,
	  "5.7.1 quarantine/a.example/no pass" },
	{ "repeated", "5.7.1 ${domain} ${domain}", "d", NULL, NULL, 256, "5.7.1 d d" },
	{ "NULL values", "5.7.1 [${domain}][${policy}][${reason}]", NULL, NULL, NULL, 256, "5.7.1 [][][]" },
	{ "unsafe bytes replaced", "5.7.1 ${reason}", NULL, NULL, "a%s\r\nb\xc3\xa9", 256, "5.7.1 a?s??b??" },
	{ "exact fit", "5.7.1 ${domain}", "abc", NULL, NULL, 10, "5.7.1 abc" },
	{ "one too long", "5.7.1 ${domain}", "abcd", NULL, NULL, 10, NULL },
	{ "no room at all", "5.7.1 x", NULL, NULL, NULL, 0, NULL },
	{ "variable-like text kept", "5.7.1 ${nope} $x", "d", NULL, NULL, 256, "5.7.1 ${nope} $x" },
};

/* test_expand - conf_reject_text_expand. */
static void
test_expand(void)
{
	char out[256];
	size_t i;

	for (i = 0; i < sizeof(expand_cases) / sizeof(expand_cases[0]); i++) {
		const struct expand_case *t = &expand_cases[i];
		int rc = conf_reject_text_expand(t->tmpl, t->domain, t->policy, t->reason, out, t->outsize);

		tap_inteq(rc, t->want ? 0 : -1, "expand: %s: status", t->name);
		if (t->want != NULL)
			tap_streq(out, t->want, "expand: %s: text", t->name);
	}
}

/* test_table - the table itself: names unique, docs present, the restart set. */
static void
test_table(void)
{
	const struct conf_foreign_key *f;
	const struct conf_key *k;
	size_t n, i, j, computed = 0;
	bool unique = true, docs = true, foreign_ok = true;
	char restart[512] = "";

	k = conf_table(&n);
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++)
			unique &= strcasecmp(k[i].name, k[j].name) != 0;
		docs &= k[i].doc != NULL && strlen(k[i].doc) > 10 && strchr(k[i].doc, '\n') == NULL;
		if (k[i].def == NULL)
			computed += k[i].defdoc != NULL;
		if (k[i].flags & CONF_F_RESTART)
			snprintf(restart + strlen(restart), sizeof(restart) - strlen(restart), " %s", k[i].name);
		for (f = conf_foreign_keys(); f->name != NULL; f++)
			foreign_ok &= strcasecmp(f->name, k[i].name) != 0;
	}
	tap_ok(n >= 34, "at least 34 keys (%zu)", n);
	tap_ok(unique, "key names unique");
	tap_ok(docs, "every key has a one-line doc");
	tap_inteq((long long)computed, 2, "two computed defaults (the host name), with their description");
	tap_ok(foreign_ok, "no OpenDMARC-only key is a key");
	tap_streq(restart, " Socket MilterTimeout PidFile UserID UMask Syslog SyslogFacility MetricsSocket",
	    "keys that need a restart");
}

/* generated - what fn writes, malloc'd. */
static char *
generated(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return NULL;
	fn(fp);
	fclose(fp);
	return buf;
}

/* src_path - a file of the source tree. */
static void
src_path(char *out, size_t size, const char *rel)
{
	const char *top = getenv("top_srcdir");

	snprintf(out, size, "%s/%s", top ? top : ".", rel);
}

/* uncomment - the sample with every "#Key value" line made a setting. */
static char *
uncomment(const char *sample)
{
	char *s = strdup(sample), *p;

	for (p = s; p != NULL && *p != '\0'; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (p[0] == '#' && p[1] >= 'A' && p[1] <= 'Z')
			p[0] = ' ';
	return s;
}

/* test_sample - conf/authmilter.conf is conf_sample's output, loads, and its settings are the defaults. */
static void
test_sample(void)
{
	static const char *const host_keys[] = { "\nAuthservID ", "\nReportHostID " };
	char path[4096], err[1024], *want = generated(conf_sample), *got, *on, *d1, *d2, *a1, *a2;
	struct conf *c, *def;
	size_t i;

	src_path(path, sizeof(path), "conf/authmilter.conf");
	got = test_read_file(path, NULL);
	if (!tap_streq(got, want, "conf/authmilter.conf is conf_sample's output"))
		tap_diag("run \"make update-conf\" after changing the table");
	c = conf_load(path, NULL, err, sizeof(err));
	tap_ok(c != NULL, "conf/authmilter.conf loads");
	conf_unref(c);
	on = uncomment(want);
	c = conf_load_buffer(on, strlen(on), "uncommented", NULL, err, sizeof(err));
	if (!tap_ok(c != NULL, "the sample with every key uncommented loads"))
		tap_diag("%s", err);
	def = conf_defaults();
	d1 = c ? dump_text(c) : NULL;
	d2 = dump_text(def);
	/* equal but for AuthservID and ReportHostID (the sample shows examples, the defaults are the host name) */
	for (i = 0; i < 2; i++) {
		if (d1 != NULL && d2 != NULL && (a1 = strstr(d1, host_keys[i])) != NULL &&
		    (a2 = strstr(d2, host_keys[i])) != NULL) {
			memmove(a1 + 1, strchr(a1 + 1, '\n') + 1, strlen(strchr(a1 + 1, '\n') + 1) + 1);
			memmove(a2 + 1, strchr(a2 + 1, '\n') + 1, strlen(strchr(a2 + 1, '\n') + 1) + 1);
		}
	}
	tap_streq(d1, d2, "the uncommented sample gives the defaults");
	conf_unref(c);
	conf_unref(def);
	free(want);
	free(got);
	free(on);
	free(d1);
	free(d2);
}

/* test_man - doc/authmilter.conf.5 is conf_man's output and names every key. */
static void
test_man(void)
{
	char path[4096], line[256], *want = generated(conf_man), *got;
	const struct conf_foreign_key *f;
	const struct conf_key *k;
	size_t n, i, missing = 0;

	src_path(path, sizeof(path), "doc/authmilter.conf.5");
	got = test_read_file(path, NULL);
	if (!tap_streq(got, want, "doc/authmilter.conf.5 is conf_man's output"))
		tap_diag("run \"make update-conf\" after changing the table");
	k = conf_table(&n);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "\n.B %s\n", k[i].name);
		if (got == NULL || strstr(got, line) == NULL) {
			tap_diag("key %s missing from the manual", k[i].name);
			missing++;
		}
	}
	for (f = conf_foreign_keys(); f->name != NULL; f++) {
		snprintf(line, sizeof(line), "\n.B %s\n", f->name);
		if (got == NULL || strstr(got, line) == NULL) {
			tap_diag("OpenDMARC key %s missing from the manual", f->name);
			missing++;
		}
	}
	tap_inteq((long long)missing, 0, "the manual names every key");
	free(want);
	free(got);
}

/* test_refs - references: the last unref frees (the sanitizer build checks for leaks). */
static void
test_refs(void)
{
	struct conf *c = conf_defaults();

	tap_ok(conf_ref(c) == c, "conf_ref returns its argument");
	conf_ref(c);
	tap_inteq(c->refs, 3, "three references");
	conf_unref(c);
	conf_unref(c);
	tap_inteq(c->refs, 1, "one reference left");
	conf_unref(c);
	conf_unref(NULL);
	tap_ok(conf_ref(NULL) == NULL, "conf_ref(NULL)");
}

int
main(void)
{
	test_good();
	test_bad();
	test_nul();
	test_values();
	test_warnings();
	test_hosts_file();
	test_round_trip();
	test_restart_keys();
	test_resolver();
	test_expand();
	test_table();
	test_sample();
	test_man();
	test_refs();
	return tap_done();
}
