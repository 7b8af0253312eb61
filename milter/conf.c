/*
 * conf.c - the daemon's configuration (see conf.h): the table of keys, the
 * file parser, snapshots with reference counts, the dump of effective
 * values and the comparison a reload needs.  The sample file and the
 * manual page are written from the same table by conf_doc.c; the values
 * with a syntax of their own are checked by conf_check.c.
 *
 * Thread-safety: conf_load, conf_load_buffer and conf_defaults use no
 * global state; a loaded snapshot is only read, and its reference count is
 * atomic, so conf_ref/conf_unref may be called from any thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "conf.h"
#include "conf_table.h"
#include "dkim_verify.h"
#include "str.h"

#define CONF_FILE_MAX (1024 * 1024)		/* bytes of a configuration file */
#define CONF_NETLIST_FILE_MAX (16 * 1024 * 1024) /* bytes of an IgnoreHosts file */
#define CONF_VALUE_MAX 65536			/* bytes of one value */
#define CONF_PATH_MAX 4096
#define CONF_WHY_MAX 512

#define OFF(field) offsetof(struct conf, field)

_Static_assert(sizeof(enum conf_fail_action) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum org_mode) == sizeof(int), "enums are stored as int");

static const struct conf_enum_name facility_names[] = {
	{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 }, { NULL, 0 }
};

static const struct conf_enum_name fail_action_names[] = {
	{ "tempfail", CONF_FAIL_TEMPFAIL }, { "accept", CONF_FAIL_ACCEPT }, { NULL, 0 }
};

static const struct conf_enum_name org_mode_names[] = {
	{ "treewalk", ORG_MODE_TREEWALK }, { "psl", ORG_MODE_PSL }, { NULL, 0 }
};

/* The keys.  Order: the sample file's.  Defaults are parsed like file values. */
static const struct conf_key keys[] = {
	{ .section = "Daemon",
	  .name = "Socket", .type = CONF_T_WORD, .def = "inet:8895@127.0.0.1",
	  .flags = CONF_F_RESTART, .off = OFF(socket), .conv = conf_conv_socket,
	  .doc = "Where the MTA connects: inet:PORT@HOST, inet6:PORT@HOST, unix:/PATH or local:/PATH." },
	{ .name = "MilterTimeout", .type = CONF_T_SECONDS, .def = "600", .min = 1, .max = 7210,
	  .flags = CONF_F_RESTART, .off = OFF(milter_timeout_ms),
	  .doc = "Seconds to wait for the MTA's next milter command before the connection is "
	    "dropped.",
	  .more = "A peer that stalls mid-packet holds its connection this long (libmilter's "
	    "own default is 7210); one that connects and never sends a byte is not timed "
	    "out by libmilter and holds a descriptor, not a thread.  600 outlasts Postfix's smtpd_timeout (300 s); a Sendmail whose "
	    "Timeout.command is longer needs it raised." },
	{ .name = "PidFile", .type = CONF_T_PATH, .def = "none",
	  .flags = CONF_F_RESTART | CONF_F_NONE, .off = OFF(pid_file),
	  .doc = "File the daemon writes its process id to, as root before it becomes "
	    "UserID (mode 0644, whatever the UMask); none: no file." },
	{ .name = "UserID", .type = CONF_T_WORD, .def = "none",
	  .flags = CONF_F_RESTART | CONF_F_NONE, .off = OFF(user_id), .conv = conf_conv_user,
	  .doc = "User to run as, USER or USER:GROUP (the user's group when not given); "
	    "none: keep the user that started the daemon." },
	{ .name = "UMask", .type = CONF_T_OCTAL, .def = "007", .max = 0777,
	  .flags = CONF_F_RESTART, .off = OFF(umask),
	  .doc = "File creation mask, in octal, for the socket and the HistoryFile." },
	{ .name = "Syslog", .type = CONF_T_BOOL, .def = "yes",
	  .flags = CONF_F_RESTART, .off = OFF(syslog),
	  .doc = "Log through syslog; no: log to standard error." },
	{ .name = "SyslogFacility", .type = CONF_T_ENUM, .def = "mail",
	  .flags = CONF_F_RESTART, .off = OFF(syslog_facility), .names = facility_names,
	  .doc = "Syslog facility of the log messages." },
	{ .name = "LogDNS", .type = CONF_T_BOOL, .def = "no", .off = OFF(log_dns),
	  .doc = "Log every DNS query and its answer (at debug level)." },
	{ .name = "MetricsSocket", .type = CONF_T_WORD, .def = "none",
	  .flags = CONF_F_RESTART | CONF_F_NONE, .off = OFF(metrics_socket),
	  .conv = conf_conv_metrics_socket,
	  .doc = "Where Prometheus scrapes the metrics (GET /metrics, plain HTTP): "
	    "inet:PORT@ADDRESS or inet6:PORT@ADDRESS; none: no metrics served.",
	  .more = "Give a loopback or management address: the metrics say how much mail "
	    "is rejected and why, and the server has no authentication.  Bound as root "
	    "before UserID takes over; at most 16 scrapes at once, 10 seconds each.  "
	    "authmilter(8) lists the metrics." },

	{ .section = "Authentication-Results",
	  .name = "AuthservID", .type = CONF_T_WORD, .off = OFF(authserv_id),
	  .conv = conf_conv_authserv_id, .defdoc = "the host name (gethostname)",
	  .doc = "authserv-id of the Authentication-Results headers authmilter adds." },
	{ .name = "TrustedAuthservIDs", .type = CONF_T_LIST, .def = "none",
	  .flags = CONF_F_NONE, .off = OFF(trusted_authserv_ids), .conv = conf_conv_authserv_id,
	  .doc = "Other authserv-ids of this site (its other MX hosts and filters): "
	    "Authentication-Results fields claiming one of them, like those claiming "
	    "AuthservID, can only be forged when they arrive and are removed (RFC 8601 "
	    "section 5); none: only AuthservID's.",
	  .more = "Fields with any other authserv-id are kept as they are.  authmilter "
	    "never takes results from existing fields: it checks SPF, DKIM and ARC "
	    "itself." },
	{ .name = "SoftwareHeader", .type = CONF_T_BOOL, .def = "no", .off = OFF(software_header),
	  .doc = "Add a header naming authmilter and its version to each message evaluated." },

	{ .section = "Which messages are evaluated",
	  .name = "IgnoreHosts", .type = CONF_T_NETLIST, .def = "127.0.0.1, ::1",
	  .flags = CONF_F_NONE, .off = OFF(ignore_hosts),
	  .doc = "Clients whose mail is not evaluated: IPv4 and IPv6 addresses and CIDR networks, "
	    "or the absolute path of a file of them (one a line, comments after '#'); "
	    "none: no client.",
	  .more = "The default spares mail submitted on this host.  Host names are not accepted." },
	{ .name = "IgnoreAuthenticatedClients", .type = CONF_T_BOOL, .def = "yes",
	  .off = OFF(ignore_authenticated),
	  .doc = "Do not evaluate mail from clients that authenticated with SMTP AUTH.",
	  .more = "Mail your own users submit is outgoing mail, not inbound: judged by DMARC it "
	    "fails SPF (the user's address is not in your SPF record) and is not yet DKIM-signed, "
	    "so your users' mail would be rejected.  OpenDMARC's default was no." },
	{ .name = "IgnoreMailFrom", .type = CONF_T_LIST, .def = "none",
	  .flags = CONF_F_NONE, .off = OFF(ignore_mail_from), .conv = conf_conv_domain,
	  .doc = "Author (From:) domains whose mail is not evaluated (each domain itself, "
	    "not its subdomains); none: no domain.",
	  .more = "A message is skipped only when every author domain of its From is "
	    "listed: a listed domain beside another is evaluated with it." },

	{ .section = "Policy and actions",
	  .name = "RejectFailures", .type = CONF_T_BOOL, .def = "yes", .off = OFF(reject_failures),
	  .doc = "Reject mail that fails DMARC when the domain's policy is reject; "
	    "no: only report, in the Authentication-Results header.",
	  .more = "authmilter enforces the published policy by default; OpenDMARC's default "
	    "was no." },
	{ .name = "HoldQuarantinedMessages", .type = CONF_T_BOOL, .def = "no",
	  .off = OFF(hold_quarantined),
	  .doc = "Quarantine (policy quarantine) by asking the MTA to hold the message; "
	    "no: add QuarantineHeader and deliver." },
	{ .name = "QuarantineHeader", .type = CONF_T_TEXT, .def = "X-Authmilter-Quarantine: yes",
	  .off = OFF(quarantine_header), .conv = conf_conv_header,
	  .doc = "Header added to mail to be quarantined when it is not held, \"Name: value\"." },
	{ .name = "RejectMultiValueFrom", .type = CONF_T_BOOL, .def = "no",
	  .off = OFF(reject_multi_value_from),
	  .doc = "Reject messages whose From header names several author domains (several "
	    "addresses in one domain are fine); no: evaluate each author domain, the "
	    "strictest result wins (on a tie a DNS temporary failure)." },
	{ .name = "RejectUnusableFrom", .type = CONF_T_BOOL, .def = "yes",
	  .off = OFF(reject_unusable_from),
	  .doc = "Reject (550 5.7.1) messages whose From field gives no usable author domain: "
	    "no From field, a syntax authmilter cannot read unambiguously, no address, an "
	    "address literal, a domain that is not a valid name, more addresses or domains "
	    "than it evaluates; no: evaluate the domains a mail reader may display instead.",
	  .more = "Mail readers show such fields in their own ways (\"Billing "
	    "<billing@bank.example>>\" reads as billing@bank.example), so a From that "
	    "DMARC cannot evaluate must not pass unchecked.  With no, every \"@domain\" in "
	    "the field, in its text and with RFC 2047 encoded words decoded, is evaluated "
	    "and the strictest policy among them applies; when none is found the message "
	    "is accepted with dmarc=none and the reason in Authentication-Results.  More "
	    "than 8 author domains, or From fields not kept whole (more than 16, or one "
	    "over 1 MB), are rejected whatever the setting." },
	{ .name = "RequiredHeaders", .type = CONF_T_BOOL, .def = "no", .off = OFF(required_headers),
	  .doc = "Reject messages whose header breaks the field counts of RFC 5322 3.6: "
	    "no From or no Date field, or two of From, Date, Sender, Reply-To, To, Cc, "
	    "Bcc, Message-ID, In-Reply-To, References or Subject.",
	  .more = "Checked before RejectUnusableFrom; a missing Date counts.  Whether the "
	    "From field can be read is RejectUnusableFrom's rule, not this one." },
	{ .name = "RejectText", .type = CONF_T_TEXT,
	  .def = "5.7.1 rejected by DMARC policy for ${domain}",
	  .off = OFF(reject_text), .conv = conf_conv_reject_text,
	  .doc = "Text of the SMTP rejection: an enhanced status code 5.X.Y, a blank and "
	    "text, where ${domain}, ${policy} and ${reason} are replaced.",
	  .more = "Any other ${...}, a lone '$' or a '%' is an error." },
	{ .name = "DNSFailAction", .type = CONF_T_ENUM, .def = "tempfail",
	  .off = OFF(dns_fail_action), .names = fail_action_names,
	  .doc = "What a DNS failure (timeout, SERVFAIL) that leaves the result open does to the "
	    "message: tempfail (the MTA retries later) or accept.",
	  .more = "Only while RejectFailures is yes (with no, nothing is enforced and the "
	    "message is accepted).  A tempfailed message writes no history record: its "
	    "retry is evaluated and recorded." },
	{ .name = "InternalErrorAction", .type = CONF_T_ENUM, .def = "tempfail",
	  .off = OFF(internal_error_action), .names = fail_action_names,
	  .doc = "What an internal error (out of memory, a library failure) does to the "
	    "message: tempfail or accept." },
	{ .name = "OrganizationalDomain", .type = CONF_T_ENUM, .def = "treewalk",
	  .off = OFF(org_mode), .names = org_mode_names,
	  .doc = "How organizational domains are found: treewalk (the DNS tree walk of "
	    "RFC 9989) or psl (the public suffix list, RFC 7489)." },
	{ .name = "PublicSuffixList", .type = CONF_T_PATH, .def = PSL_DEFAULT_FILE,
	  .off = OFF(psl_file),
	  .doc = "Public suffix list file, read when OrganizationalDomain is psl." },
	{ .name = "HonorPct", .type = CONF_T_BOOL, .def = "no", .off = OFF(honor_pct),
	  .doc = "Apply the pct= sampling of RFC 7489 records (RFC 9989 dropped pct)." },

	{ .section = "DNS",
	  .name = "DNSTimeout", .type = CONF_T_SECONDS, .def = "5", .min = 1, .max = 60,
	  .off = OFF(dns_timeout_ms),
	  .doc = "Seconds to wait for one DNS answer." },
	{ .name = "DNSBudget", .type = CONF_T_SECONDS, .def = "15", .min = 1, .max = 300,
	  .off = OFF(dns_budget_ms),
	  .doc = "Seconds for the DNS lookups of each step of a message (SPF at MAIL "
	    "FROM, the DKIM keys, DMARC at the end); lookups past it fail as timeouts.  "
	    "At least DNSTimeout." },
	{ .name = "Nameservers", .type = CONF_T_LIST, .def = "none",
	  .max = RESOLVER_MAX_NAMESERVERS, .flags = CONF_F_NONE, .off = OFF(nameservers),
	  .conv = conf_conv_nameserver,
	  .doc = "Resolvers to forward every query to, IP or IP@PORT; none: the servers of "
	    "/etc/resolv.conf (or DNSRecursion)." },
	{ .name = "DNSRecursion", .type = CONF_T_BOOL, .def = "no", .off = OFF(dns_recursive),
	  .doc = "Resolve from the root servers instead of asking /etc/resolv.conf's servers "
	    "(not with Nameservers)." },
	{ .name = "TrustAnchorFile", .type = CONF_T_PATH, .def = "none",
	  .flags = CONF_F_NONE, .off = OFF(trust_anchor_file),
	  .doc = "DNSSEC trust anchor file: turns DNSSEC validation on; none: no validation.",
	  .more = "On Debian the root key is /usr/share/dns/root.key (package dns-root-data)." },
	{ .name = "DNSZoneFile", .type = CONF_T_PATH, .def = "none",
	  .flags = CONF_F_NONE, .off = OFF(zone_file),
	  .doc = "Master-format file used as the only DNS data: for tests and offline use, "
	    "never in production; none: real DNS." },

	{ .section = "DKIM",
	  .name = "DKIMMinKeyBits", .type = CONF_T_UNSIGNED, .def = "1024", .min = 512, .max = 8192,
	  .off = OFF(dkim_min_key_bits),
	  .doc = "RSA keys shorter than this make a DKIM signature fail (RFC 8301 asks for 1024)." },
	{ .name = "DKIMMaxSignatures", .type = CONF_T_UNSIGNED, .def = "5",
	  .min = 1, .max = DKIM_VERIFY_MAX_SIGS, .off = OFF(dkim_max_signatures),
	  .doc = "DKIM signatures verified per message; the ones after are not evaluated." },

	{ .section = "ARC",
	  .name = "ARCVerify", .type = CONF_T_BOOL, .def = "yes", .off = OFF(arc_verify),
	  .doc = "Verify the ARC chain (RFC 8617) of each message and add arc= to the "
	    "Authentication-Results header; no: ARC is not looked at.",
	  .more = "Keys are looked up within DNSBudget; DKIMMinKeyBits applies to ARC keys too." },
	{ .name = "ARCTrustedSealers", .type = CONF_T_LIST, .def = "none",
	  .flags = CONF_F_NONE, .off = OFF(arc_trusted_sealers), .conv = conf_conv_domain,
	  .doc = "Sealing domains (ARC-Seal d=, matched exactly) whose ARC results are trusted: "
	    "a DMARC failure is overridden (trusted_forwarder) when the chain passes and such "
	    "a sealer's ARC-Authentication-Results shows DMARC, or an aligned SPF or DKIM, "
	    "passing for the author domain; none: no sealer.",
	  .more = "List only forwarders and mailing lists you know check DMARC honestly: their "
	    "word lets mail through that would have been rejected.  Needs ARCVerify yes." },

	{ .section = "History",
	  .name = "HistoryFile", .type = CONF_T_PATH, .def = "none",
	  .flags = CONF_F_NONE, .off = OFF(history_file),
	  .doc = "File each evaluated message's history record is appended to, for aggregate "
	    "reports; none: no history.",
	  .more = "A HistoryFile that cannot be opened or written (a full or read-only file "
	    "system) never holds up mail, not even at start: the record is lost and counted, "
	    "the failure logged (the first, then every 1000th), the next record tries again, "
	    "and one line is logged when writing works again.  A record cut short by a full "
	    "disk is taken off the file, so every line in it is whole." },
	{ .name = "RecordAllMessages", .type = CONF_T_BOOL, .def = "no",
	  .off = OFF(record_all_messages),
	  .doc = "Write a history record for every evaluated author domain, not only for "
	    "those that publish a DMARC record.",
	  .more = "A message with several author domains gets one record per domain (each "
	    "evaluated on its own, so each domain's owner sees it in its report); a "
	    "message with no author domain gets none (there is no policy domain to report "
	    "to: with RejectUnusableFrom yes it is rejected)." },
	{ .name = "HistoryFsync", .type = CONF_T_BOOL, .def = "no",
	  .off = OFF(history_fsync),
	  .doc = "fsync(2) the HistoryFile after each record: nothing is lost in a crash, "
	    "at the cost of one disk flush per message." },
	{ .section = "Aggregate reports (authmilter-reports)",
	  .name = "ReportDatabase", .type = CONF_T_WORD, .def = "/var/lib/authmilter/reports.db",
	  .off = OFF(report_database), .conv = conf_conv_report_database,
	  .doc = "Database authmilter-reports imports the history into: the absolute path "
	    "of an SQLite file, or a PostgreSQL connection URI (postgresql://USER@HOST:PORT/DBNAME, "
	    "or postgres://).",
	  .more = "A URI holding a password is refused: libpq reads the password from "
	    "~/.pgpass or the file PGPASSFILE names.  The daemon itself never opens the "
	    "database; doc/report-store.md describes both backends." },
	{ .name = "ReportSpool", .type = CONF_T_PATH, .def = "/var/lib/authmilter/reports",
	  .off = OFF(report_spool),
	  .doc = "Directory of the reports made by \"aggregate\" and not yet sent "
	    "(outgoing/) and of those sent (sent/)." },
	{ .name = "ReportOrgName", .type = CONF_T_TEXT, .def = "none",
	  .flags = CONF_F_NONE, .off = OFF(report_org_name),
	  .doc = "org_name of the reports; none: the AuthservID." },
	{ .name = "ReportEmail", .type = CONF_T_WORD, .def = "none",
	  .flags = CONF_F_NONE, .off = OFF(report_email),
	  .doc = "Address in the reports' metadata and the From of their messages; "
	    "none: postmaster@ the AuthservID." },
	{ .name = "ReportSendCommand", .type = CONF_T_TEXT, .def = "/usr/sbin/sendmail -t -oi",
	  .off = OFF(report_send_command),
	  .doc = "Command that sends one report message read from its standard input "
	    "(run without a shell, split at blanks)." },
	{ .name = "ReportMaxBytes", .type = CONF_T_UNSIGNED, .def = "10485760", .min = 4096,
	  .max = 1073741824, .off = OFF(report_max_bytes),
	  .doc = "Largest report message sent; a bigger one is not sent (and a rua \"!size\" "
	    "limit lower than this wins)." },
	{ .name = "ReportRetentionDays", .type = CONF_T_UNSIGNED, .def = "90", .min = 1,
	  .max = 3650, .off = OFF(report_retention_days),
	  .doc = "Days of imported history and sent reports kept; \"expire\" drops older data." },
	{ .name = "ReportLegacyRFC7489", .type = CONF_T_BOOL, .def = "no",
	  .off = OFF(report_legacy),
	  .doc = "Write the reports in the RFC 7489 format too, for receivers that still "
	    "want it." },
	{ .name = "ReportHostID", .type = CONF_T_WORD, .off = OFF(report_host_id),
	  .conv = conf_conv_authserv_id, .defdoc = "the host name (gethostname)",
	  .doc = "Name of this host in a ReportDatabase shared by several hosts (a fleet "
	    "of MX hosts): each host's history files are known under its name, and "
	    "aggregate waits for the hosts that have not yet imported a period.",
	  .more = "Give every host of a fleet its own name (the default, the host name, "
	    "usually is); doc/report-store.md, \"Several hosts\"." },
	{ .name = "ReportHostGrace", .type = CONF_T_SECONDS, .def = "21600", .min = 0,
	  .max = 604800, .off = OFF(report_host_grace),
	  .doc = "How long after a period's end aggregate waits for a host of the fleet "
	    "that imported the day before but not yet past the period's end; then the "
	    "report is made without that host's later records (and says so); 0: never wait.",
	  .more = "A host that imported nothing since the day before the period is not "
	    "waited for (taken out of service)." },

	{ .section = "Failure reports (RFC 9991)",
	  .name = "FailureReports", .type = CONF_T_BOOL, .def = "no", .off = OFF(failure_reports),
	  .doc = "Write a failure report for each message whose policy record asks for one "
	    "(ruf= and fo=) into FailureReportSpool; \"authmilter-reports send-failures\" "
	    "mails them.",
	  .more = "Off by default: a report copies the header of a message that may be "
	    "legitimate mail to a third party (RFC 9991, Privacy Considerations).  fo= is "
	    "honoured: 0 (default) DMARC failed, 1 SPF or DKIM gave no aligned pass, d a DKIM "
	    "signature failed, s SPF failed; a record with psd=y is never reported to.  "
	    "Unlike OpenDMARC's key of the name, the daemon never mails (a report waits in the "
	    "spool for send-failures, which checks external destinations and the rate) and "
	    "fo= is honoured; FailureReportsOnNone, FailureReportsBcc and FailureReportsSentBy "
	    "keep OpenDMARC's meaning." },
	{ .name = "FailureReportSpool", .type = CONF_T_PATH, .def = "/var/lib/authmilter/failures",
	  .off = OFF(failure_report_spool),
	  .doc = "Directory of the failure reports written and not yet sent (outgoing/) and "
	    "of those sent (sent/)." },
	{ .name = "FailureReportsOnNone", .type = CONF_T_BOOL, .def = "no",
	  .off = OFF(failure_reports_on_none),
	  .doc = "Report failures of domains whose policy is none too (as OpenDMARC's key)." },
	{ .name = "FailureReportsBody", .type = CONF_T_BOOL, .def = "no",
	  .off = OFF(failure_reports_body),
	  .doc = "Include the message's body (message/rfc822) rather than its header only "
	    "(text/rfc822-headers)." },
	{ .name = "FailureReportsRedact", .type = CONF_T_BOOL, .def = "yes",
	  .off = OFF(failure_reports_redact),
	  .doc = "Replace the local-parts of the addresses in the copied header fields by "
	    "\"redacted\" (RFC 6590's idea): the domain owner sees domains, not people." },
	{ .name = "FailureReportsSentBy", .type = CONF_T_WORD, .def = "none",
	  .flags = CONF_F_NONE, .off = OFF(failure_reports_sent_by),
	  .doc = "From address of the failure reports; none: ReportEmail." },
	{ .name = "FailureReportsBcc", .type = CONF_T_LIST, .def = "none",
	  .flags = CONF_F_NONE, .off = OFF(failure_reports_bcc),
	  .doc = "Addresses that get a copy of every failure report sent; none: no copy." },
	{ .name = "FailureReportsRate", .type = CONF_T_WORD, .def = "10/h",
	  .off = OFF(failure_reports_rate), .conv = conf_conv_rate,
	  .doc = "Most failure reports sent per policy domain and per destination: N/m, N/h "
	    "or N/d; the rest are counted, logged and dropped." },
	{ .name = "FailureReportsMaxBytes", .type = CONF_T_UNSIGNED, .def = "262144", .min = 4096,
	  .max = 10485760, .off = OFF(failure_reports_max_bytes),
	  .doc = "Largest failure report: the daemon cuts the copied header (and body) to "
	    "fit, send-failures sends none bigger (nor bigger than a ruf \"!size\")." },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* OpenDMARC keys that only warn. */
static const struct conf_foreign_key foreign_keys[] = {
	{ "AuthservIDWithJobID", "the queue id is in the log line of each message" },
	{ "AutoRestart", "let the service manager restart the daemon" },
	{ "AutoRestartCount", "let the service manager restart the daemon" },
	{ "AutoRestartRate", "let the service manager restart the daemon" },
	{ "Background", "the daemon runs in the foreground under its service manager" },
	{ "BaseDirectory", "paths are absolute" },
	{ "ChangeRootDirectory", "use the service manager's sandboxing" },
	{ "CopyFailuresTo", "failure copies are not sent" },
	{ "DomainWhitelist", "use IgnoreMailFrom" },
	{ "DomainWhitelistFile", "use IgnoreMailFrom" },
	{ "DomainWhitelistSize", "use IgnoreMailFrom" },
	{ "EnableCoredumps", "use the service manager's settings" },
	{ "ForensicReports", "use FailureReports" },
	{ "ForensicReportsOnNone", "use FailureReportsOnNone" },
	{ "MilterDebug", "use LogDNS and the log's debug level" },
	{ "ReportCommand", "failure reports are not sent" },
	{ "SPFIgnoreResults", "authmilter always checks SPF itself" },
	{ "SPFSelfValidate", "authmilter always checks SPF itself" },
	{ "TemporaryDirectory", "no temporary files are written" },
	{ "TestDNSData", "use DNSZoneFile" },
	{ NULL, NULL }
};

const struct conf_key *
conf_table(size_t *n)
{
	*n = N_KEYS;
	return keys;
}

const struct conf_foreign_key *
conf_foreign_keys(void)
{
	return foreign_keys;
}

/* One load: where we are in which file, which keys were set on which line. */
struct loader {
	struct conf *c;
	const char *name;
	FILE *warn;
	char *err;
	size_t errsize;
	unsigned line;
	unsigned seen[N_KEYS];	/* line that set each key; 0: default */
};

/* field - where k's value lives in c. */
static void *
field(struct conf *c, const struct conf_key *k)
{
	return (char *)c + k->off;
}

/* cfield - the same, read-only. */
static const void *
cfield(const struct conf *c, const struct conf_key *k)
{
	return (const char *)c + k->off;
}

/* free_list - release the items of a list; it is empty after. */
static void
free_list(struct conf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->item[i]);
	l->n = 0;
}

/* free_value - release k's value in c (strings, lists, network lists). */
static void
free_value(struct conf *c, const struct conf_key *k)
{
	char **sp = field(c, k);

	switch (k->type) {
	case CONF_T_WORD:
	case CONF_T_TEXT:
	case CONF_T_PATH:
		free(*sp);
		*sp = NULL;
		break;
	case CONF_T_LIST:
		free_list(field(c, k));
		break;
	case CONF_T_NETLIST:
		netlist_free(c->ignore_hosts);
		c->ignore_hosts = NULL;
		free(c->ignore_hosts_spec);
		c->ignore_hosts_spec = NULL;
		break;
	default:
		break;
	}
}

/* parse_ulong - a whole decimal or octal number, no sign, no blanks. */
static int
parse_ulong(const char *v, int base, unsigned long *out)
{
	char *end;

	if (v[0] < '0' || v[0] > '9')
		return -1;
	errno = 0;
	*out = strtoul(v, &end, base);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

/* set_bool - yes no true false on off 1 0, any case. */
static int
set_bool(bool *b, const char *v, char *why, size_t whysize)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
			*b = strcasecmp(v, yes[i]) == 0;
			return 0;
		}
	}
	snprintf(why, whysize, "'%.80s' is not yes or no (yes no true false on off 1 0)", v);
	return -1;
}

/* set_number - CONF_T_UNSIGNED, CONF_T_SECONDS (stored in ms) and CONF_T_OCTAL. */
static int
set_number(struct conf *c, const struct conf_key *k, const char *v, char *why, size_t whysize)
{
	unsigned long n;

	if (k->type == CONF_T_OCTAL) {
		if (parse_ulong(v, 8, &n) != 0 || n > k->max) {
			snprintf(why, whysize, "'%.80s' is not an octal mode from 000 to %03o", v, k->max);
			return -1;
		}
		*(mode_t *)field(c, k) = (mode_t)n;
		return 0;
	}
	if (parse_ulong(v, 10, &n) != 0 || n < k->min || n > k->max) {
		snprintf(why, whysize, "'%.80s' is not a number%s from %u to %u", v,
		    k->type == CONF_T_SECONDS ? " of seconds" : "", k->min, k->max);
		return -1;
	}
	*(unsigned *)field(c, k) = (unsigned)(k->type == CONF_T_SECONDS ? n * 1000 : n);
	return 0;
}

/* set_enum - one of k->names, any case. */
static int
set_enum(struct conf *c, const struct conf_key *k, const char *v, char *why, size_t whysize)
{
	const struct conf_enum_name *e;
	struct str s = STR_INITIALIZER(CONF_WHY_MAX);

	for (e = k->names; e->name != NULL; e++) {
		if (strcasecmp(v, e->name) == 0) {
			memcpy(field(c, k), &e->value, sizeof(int));
			return 0;
		}
	}
	for (e = k->names; e->name != NULL; e++)
		str_printf(&s, "%s%s", e == k->names ? "" : " ", e->name);
	snprintf(why, whysize, "'%.80s' is not one of: %s", v, str_cstr(&s));
	str_free(&s);
	return -1;
}

/* set_string - CONF_T_WORD, CONF_T_TEXT, CONF_T_PATH through k->conv. */
static int
set_string(struct conf *c, const struct conf_key *k, const char *v, char *why, size_t whysize)
{
	char *s;

	if (k->type == CONF_T_PATH && (v[0] != '/' || strlen(v) > CONF_PATH_MAX)) {
		snprintf(why, whysize, "'%.80s' is not an absolute path", v);
		return -1;
	}
	if (k->conv != NULL)
		s = k->conv(v, why, whysize);
	else if ((s = strdup(v)) == NULL)
		snprintf(why, whysize, "out of memory");
	if (s == NULL)
		return -1;
	free_value(c, k);
	*(char **)field(c, k) = s;
	return 0;
}

/* set_list - items separated by commas or blanks, each through k->conv. */
static int
set_list(struct conf *c, const struct conf_key *k, const char *v, char *why, size_t whysize)
{
	struct conf_list l = { 0, { NULL } };
	size_t max = k->max ? k->max : CONF_MAX_LIST, len;
	char *item;

	while (*v != '\0') {
		if ((len = strcspn(v, ", \t")) == 0) {
			v++;
			continue;
		}
		if (l.n == max) {
			snprintf(why, whysize, "more than %zu items", max);
			goto fail;
		}
		if ((item = strndup(v, len)) == NULL) {
			snprintf(why, whysize, "out of memory");
			goto fail;
		}
		l.item[l.n] = k->conv ? k->conv(item, why, whysize) : strdup(item);
		free(item);
		if (l.item[l.n] == NULL)
			goto fail;
		l.n++;
		v += len;
	}
	if (l.n == 0) {
		snprintf(why, whysize, "no items (write none for an empty list)");
		return -1;
	}
	free_value(c, k);
	*(struct conf_list *)field(c, k) = l;
	return 0;
fail:
	free_list(&l);
	return -1;
}

/* io_error - "path: errno text" into why (strerror_r: loads may run in any thread). */
static void
io_error(char *why, size_t whysize, const char *path, int err)
{
	char etext[128];

	if (strerror_r(err, etext, sizeof(etext)) != 0)
		snprintf(etext, sizeof(etext), "error %d", err);
	snprintf(why, whysize, "%s: %s", path, etext);
}

/* read_file - the whole regular file path (at most max bytes), NUL-terminated. */
static char *
read_file(const char *path, size_t max, size_t *lenp, char *why, size_t whysize)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat sb;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n = 1;

	if (fd < 0 || fstat(fd, &sb) != 0) {
		io_error(why, whysize, path, errno);
		goto fail;
	}
	if (!S_ISREG(sb.st_mode) || (buf = malloc(max + 1)) == NULL) {
		snprintf(why, whysize, "%s: %s", path, S_ISREG(sb.st_mode) ?
		    "out of memory" : "not a regular file");
		goto fail;
	}
	while (len <= max && n != 0) {
		if ((n = read(fd, buf + len, max + 1 - len)) < 0 && errno != EINTR) {
			io_error(why, whysize, path, errno);
			goto fail;
		}
		len += n > 0 ? (size_t)n : 0;
	}
	if (len > max) {
		snprintf(why, whysize, "%s: larger than %zu bytes", path, max);
		goto fail;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/* set_netlist - an inline CIDR list, or "/path" of a file of them. */
static int
set_netlist(struct conf *c, const struct conf_key *k, const char *v, char *why, size_t whysize)
{
	struct netlist *l;
	char *text, *spec;
	size_t len;

	if (v[0] == '/') {
		if ((text = read_file(v, CONF_NETLIST_FILE_MAX, &len, why, whysize)) == NULL)
			return -1;
		l = netlist_parse_named(text, len, v, why, whysize);
		free(text);
	} else {
		l = netlist_parse(v, why, whysize);
	}
	if (l == NULL)
		return -1;
	if ((spec = strdup(v)) == NULL) {
		netlist_free(l);
		snprintf(why, whysize, "out of memory");
		return -1;
	}
	free_value(c, k);
	c->ignore_hosts = l;
	c->ignore_hosts_spec = spec;
	return 0;
}

/* one_word - does k take a single word (blanks only inside quotes)? */
static bool
one_word(const struct conf_key *k, const char *v)
{
	if (k->type == CONF_T_NETLIST)
		return v[0] == '/';
	return k->type != CONF_T_TEXT && k->type != CONF_T_LIST;
}

/* set_value - parse v (quoted: it was written in double quotes) into k's field of c. */
static int
set_value(struct conf *c, const struct conf_key *k, const char *v, bool quoted,
    char *why, size_t whysize)
{
	const char *blank = v + strcspn(v, " \t");

	if (!quoted && *blank != '\0' && one_word(k, v)) {
		blank += strspn(blank, " \t");
		snprintf(why, whysize, "trailing junk '%.80s'", blank);
		return -1;
	}
	if ((k->flags & CONF_F_NONE) && strcasecmp(v, "none") == 0) {
		free_value(c, k);
		return 0;
	}
	switch (k->type) {
	case CONF_T_BOOL:
		return set_bool(field(c, k), v, why, whysize);
	case CONF_T_UNSIGNED:
	case CONF_T_SECONDS:
	case CONF_T_OCTAL:
		return set_number(c, k, v, why, whysize);
	case CONF_T_ENUM:
		return set_enum(c, k, v, why, whysize);
	case CONF_T_LIST:
		return set_list(c, k, v, why, whysize);
	case CONF_T_NETLIST:
		return set_netlist(c, k, v, why, whysize);
	default:
		return set_string(c, k, v, why, whysize);
	}
}

/* host_name - this host's name for AuthservID, "localhost" when it has none usable. */
static char *
host_name(void)
{
	char buf[256], why[CONF_WHY_MAX];
	char *s;

	if (gethostname(buf, sizeof(buf)) != 0)
		buf[0] = '\0';
	buf[sizeof(buf) - 1] = '\0';
	if ((s = conf_conv_authserv_id(buf, why, sizeof(why))) == NULL)
		s = strdup("localhost");
	return s;
}

struct conf *
conf_defaults(void)
{
	struct conf *c = calloc(1, sizeof(*c));
	char why[CONF_WHY_MAX];
	size_t i;

	if (c == NULL)
		return NULL;
	c->refs = 1;
	for (i = 0; i < N_KEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		if (set_value(c, &keys[i], keys[i].def, true, why, sizeof(why)) != 0) {
			if (strstr(why, "out of memory") == NULL) {
				/* a default of the table (or of configure) that does not parse */
				fprintf(stderr, "authmilter: default %s: %s\n", keys[i].name, why);
				abort();
			}
			conf_unref(c);
			return NULL;
		}
	}
	if ((c->authserv_id = host_name()) == NULL || (c->report_host_id = host_name()) == NULL) {
		conf_unref(c);
		return NULL;
	}
	return c;
}

/* fail - "NAME:LINE: " and the formatted message into ld->err; returns -1. */
static int __attribute__((format(printf, 2, 3)))
fail(struct loader *ld, const char *fmt, ...)
{
	struct str s = STR_INITIALIZER(CONF_WHY_MAX * 2);
	va_list ap;
	char msg[CONF_WHY_MAX * 2];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ld->err != NULL && ld->errsize > 0) {
		str_printf(&s, "%s:%u: %s", ld->name, ld->line, msg);
		snprintf(ld->err, ld->errsize, "%s", str_cstr(&s));
	}
	str_free(&s);
	return -1;
}

/* find_key - the table entry named by len bytes at p (any case), or NULL. */
static const struct conf_key *
find_key(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if (strlen(keys[i].name) == len && strncasecmp(keys[i].name, p, len) == 0)
			return &keys[i];
	return NULL;
}

/* find_foreign - the OpenDMARC-only key named by len bytes at p, or NULL. */
static const struct conf_foreign_key *
find_foreign(const char *p, size_t len)
{
	const struct conf_foreign_key *f;

	for (f = foreign_keys; f->name != NULL; f++)
		if (strlen(f->name) == len && strncasecmp(f->name, p, len) == 0)
			return f;
	return NULL;
}

/* lex_quoted - a "..." value at *pp (past the quote) into val; \" and \\ are escapes. */
static int
lex_quoted(struct loader *ld, const char *key, const char **pp, const char *end,
    struct str *val)
{
	const char *p = *pp;

	for (;;) {
		if (p == end)
			return fail(ld, "%s: unterminated quoted value", key);
		if (*p == '"')
			break;
		if (*p == '\\') {
			if (p + 1 == end || (p[1] != '"' && p[1] != '\\'))
				return fail(ld, "%s: bad escape in a quoted value (only \\\" and \\\\)", key);
			p++;
		}
		if (str_appendc(val, *p++) != STR_OK)
			return fail(ld, "%s: value longer than %d bytes", key, CONF_VALUE_MAX);
	}
	p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p != '#')
		return fail(ld, "%s: trailing junk '%.*s' after the quoted value", key,
		    (int)(end - p > 80 ? 80 : end - p), p);
	*pp = p;
	return 0;
}

/* lex_value - the value at p (blanks skipped): quoted, or up to '#', blanks trimmed. */
static int
lex_value(struct loader *ld, const char *key, const char *p, const char *end, struct str *val,
    bool *quoted)
{
	const char *stop;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*quoted = p < end && *p == '"';
	if (*quoted) {
		p++;
		if (lex_quoted(ld, key, &p, end, val) != 0)
			return -1;
	} else {
		if ((stop = memchr(p, '#', (size_t)(end - p))) == NULL)
			stop = end;
		while (stop > p && (stop[-1] == ' ' || stop[-1] == '\t'))
			stop--;
		if (str_append(val, p, (size_t)(stop - p)) != STR_OK)
			return fail(ld, "%s: value longer than %d bytes", key, CONF_VALUE_MAX);
	}
	if (!*quoted && val->len == 0)
		return fail(ld, "%s: missing value", key);
	return 0;
}

/* check_chars - no control characters but tabs in a line. */
static int
check_chars(struct loader *ld, const char *p, const char *end)
{
	for (; p < end; p++)
		if ((*p >= 0 && *p < ' ' && *p != '\t') || *p == 0x7f)
			return fail(ld, "control character 0x%02x", (unsigned)(unsigned char)*p);
	return 0;
}

/* unknown_key - warn about an OpenDMARC key, or fail on any other. */
static int
unknown_key(struct loader *ld, const char *p, size_t len)
{
	const struct conf_foreign_key *f = find_foreign(p, len);

	if (f == NULL)
		return fail(ld, "unknown key '%.*s'", (int)(len > 80 ? 80 : len), p);
	if (ld->warn != NULL)
		fprintf(ld->warn, "%s:%u: warning: OpenDMARC key '%s' is not implemented "
		    "by authmilter and is ignored (%s)\n", ld->name, ld->line, f->name, f->hint);
	return 0;
}

/* set_key - one "Key value" whose key is k and value starts at p. */
static int
set_key(struct loader *ld, const struct conf_key *k, const char *p, const char *end)
{
	struct str val = STR_INITIALIZER(CONF_VALUE_MAX);
	char why[CONF_WHY_MAX];
	size_t i = (size_t)(k - keys);
	bool quoted;
	int rc = -1;

	if (ld->seen[i] != 0) {
		rc = fail(ld, "duplicate key '%s' (first set at line %u)", k->name, ld->seen[i]);
		goto out;
	}
	if (lex_value(ld, k->name, p, end, &val, &quoted) != 0)
		goto out;
	if (set_value(ld->c, k, str_cstr(&val), quoted, why, sizeof(why)) != 0) {
		rc = fail(ld, "%s: %s", k->name, why);
		goto out;
	}
	ld->seen[i] = ld->line;
	rc = 0;
out:
	str_free(&val);
	return rc;
}

/* load_line - one line, without its newline. */
static int
load_line(struct loader *ld, const char *p, const char *end)
{
	const struct conf_key *k;
	const char *key;

	if (end > p && end[-1] == '\r')
		end--;		/* CRLF files */
	if (check_chars(ld, p, end) != 0)
		return -1;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#')
		return 0;
	for (key = p; p < end && *p != ' ' && *p != '\t' && *p != '#'; p++)
		;
	if ((k = find_key(key, (size_t)(p - key))) == NULL)
		return unknown_key(ld, key, (size_t)(p - key));
	return set_key(ld, k, p, end);
}

/* later_line - the later of the lines that set the keys stored at offsets a and b. */
static unsigned
later_line(const struct loader *ld, size_t a, size_t b)
{
	unsigned line = 0;
	size_t i;

	for (i = 0; i < N_KEYS; i++)
		if ((keys[i].off == a || keys[i].off == b) && ld->seen[i] > line)
			line = ld->seen[i];
	return line;
}

/* cross_check - rules between keys; errors name the line of the key that breaks them. */
static int
cross_check(struct loader *ld)
{
	const struct conf *c = ld->c;

	if (c->nameservers.n > 0 && c->dns_recursive) {
		ld->line = later_line(ld, OFF(nameservers), OFF(dns_recursive));
		return fail(ld, "DNSRecursion yes and Nameservers cannot be used together");
	}
	if (c->dns_budget_ms < c->dns_timeout_ms) {
		ld->line = later_line(ld, OFF(dns_timeout_ms), OFF(dns_budget_ms));
		return fail(ld, "DNSBudget (%u s) is shorter than DNSTimeout (%u s)",
		    c->dns_budget_ms / 1000, c->dns_timeout_ms / 1000);
	}
	return 0;
}

/* load_text - every line of text[0..len) into ld->c. */
static int
load_text(struct loader *ld, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;		/* a UTF-8 byte order mark */
	while (p < end) {
		ld->line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (load_line(ld, p, nl) != 0)
			return -1;
		p = nl < end ? nl + 1 : end;
	}
	return cross_check(ld);
}

struct conf *
conf_load_buffer(const char *text, size_t len, const char *name, FILE *warn,
    char *err, size_t errsize)
{
	struct loader *ld = calloc(1, sizeof(*ld));
	struct conf *c = NULL;

	if (err != NULL && errsize > 0)
		err[0] = '\0';
	if (ld == NULL || (ld->c = conf_defaults()) == NULL ||
	    (ld->c->path = strdup(name ? name : "-")) == NULL) {
		if (err != NULL && errsize > 0)
			snprintf(err, errsize, "%s: out of memory", name ? name : "-");
		goto out;
	}
	ld->name = ld->c->path;
	ld->warn = warn;
	ld->err = err;
	ld->errsize = errsize;
	if (load_text(ld, text, len) == 0) {
		c = ld->c;
		ld->c = NULL;
	}
out:
	if (ld != NULL)
		conf_unref(ld->c);
	free(ld);
	return c;
}

struct conf *
conf_load(const char *path, FILE *warn, char *err, size_t errsize)
{
	char why[CONF_WHY_MAX], *text;
	struct conf *c;
	size_t len;

	if ((text = read_file(path, CONF_FILE_MAX, &len, why, sizeof(why))) == NULL) {
		if (err != NULL && errsize > 0)
			snprintf(err, errsize, "%s", why);
		return NULL;
	}
	c = conf_load_buffer(text, len, path, warn, err, errsize);
	free(text);
	return c;
}

struct conf *
conf_ref(struct conf *c)
{
	if (c != NULL)
		__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void
conf_unref(struct conf *c)
{
	size_t i;

	if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (i = 0; i < N_KEYS; i++)
		free_value(c, &keys[i]);
	free(c->path);
	free(c);
}

/* format_value - k's value in c as written in a file, without quotes, into s. */
static void
format_value(const struct conf *c, const struct conf_key *k, struct str *s)
{
	const struct conf_list *l = cfield(c, k);
	const struct conf_enum_name *e;
	const char *text;
	unsigned u;
	int v;
	size_t i;

	switch (k->type) {
	case CONF_T_BOOL:
		str_appends(s, *(const bool *)cfield(c, k) ? "yes" : "no");
		break;
	case CONF_T_UNSIGNED:
	case CONF_T_SECONDS:
		u = *(const unsigned *)cfield(c, k);
		str_printf(s, "%u", k->type == CONF_T_SECONDS ? u / 1000 : u);
		break;
	case CONF_T_OCTAL:
		str_printf(s, "%03o", (unsigned)*(const mode_t *)cfield(c, k));
		break;
	case CONF_T_ENUM:
		memcpy(&v, cfield(c, k), sizeof(int));
		for (e = k->names; e->name != NULL && e->value != v; e++)
			;
		str_appends(s, e->name ? e->name : "?");
		break;
	case CONF_T_LIST:
		for (i = 0; i < l->n; i++)
			str_printf(s, "%s%s", i ? ", " : "", l->item[i]);
		if (l->n == 0)
			str_appends(s, "none");
		break;
	default:
		text = k->type == CONF_T_NETLIST ? c->ignore_hosts_spec : *(char *const *)cfield(c, k);
		str_appends(s, text ? text : "none");
		break;
	}
}

/* needs_quotes - would text read back differently unquoted? */
static bool
needs_quotes(const struct conf_key *k, const char *text)
{
	size_t len = strlen(text);

	return len == 0 || text[0] == '"' || strchr(text, '#') != NULL ||
	    text[0] == ' ' || text[0] == '\t' || text[len - 1] == ' ' || text[len - 1] == '\t' ||
	    (one_word(k, text) && strpbrk(text, " \t") != NULL);
}

/* write_value - text to out, in double quotes with \" and \\ when needed. */
static void
write_value(const struct conf_key *k, const char *text, FILE *out)
{
	const char *p;

	if (!needs_quotes(k, text)) {
		fputs(text, out);
		return;
	}
	putc('"', out);
	for (p = text; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			putc('\\', out);
		putc(*p, out);
	}
	putc('"', out);
}

void
conf_dump(const struct conf *c, FILE *out)
{
	struct str s = STR_INITIALIZER(SIZE_MAX / 2);
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		str_reset(&s);
		format_value(c, &keys[i], &s);
		fprintf(out, "%s ", keys[i].name);
		write_value(&keys[i], str_cstr(&s), out);
		putc('\n', out);
	}
	str_free(&s);
}

int
conf_diff_nonreloadable(const struct conf *old, const struct conf *next, char *buf, size_t size)
{
	struct str a = STR_INITIALIZER(SIZE_MAX / 2), b = STR_INITIALIZER(SIZE_MAX / 2);
	struct str names = STR_INITIALIZER(SIZE_MAX / 2);
	int n = 0;
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		if (!(keys[i].flags & CONF_F_RESTART))
			continue;
		str_reset(&a);
		str_reset(&b);
		format_value(old, &keys[i], &a);
		format_value(next, &keys[i], &b);
		if (strcmp(str_cstr(&a), str_cstr(&b)) != 0) {
			str_printf(&names, "%s%s", n ? ", " : "", keys[i].name);
			n++;
		}
	}
	if (size > 0)
		snprintf(buf, size, "%s", str_cstr(&names));
	str_free(&a);
	str_free(&b);
	str_free(&names);
	return n;
}

void
conf_resolver(const struct conf *c, struct resolver_config *rc)
{
	size_t i;

	memset(rc, 0, sizeof(*rc));
	for (i = 0; i < c->nameservers.n && i < RESOLVER_MAX_NAMESERVERS; i++)
		rc->nameservers[i] = c->nameservers.item[i];
	rc->n_nameservers = i;
	rc->recursive = c->dns_recursive;
	rc->trust_anchor_file = c->trust_anchor_file;
	rc->timeout_ms = c->dns_timeout_ms;
	rc->zone_file = c->zone_file;
	rc->zone_timeout_waits = false;
}

bool
conf_list_has(const struct conf_list *l, const char *name)
{
	size_t i;

	for (i = 0; l != NULL && name != NULL && i < l->n; i++)
		if (strcasecmp(l->item[i], name) == 0)
			return true;
	return false;
}

int
conf_set(struct conf *c, const char *key, const char *value, char *err, size_t errsize)
{
	const struct conf_key *k = find_key(key, strlen(key));
	char why[CONF_WHY_MAX];

	if (k == NULL) {
		snprintf(err, errsize, "unknown key '%s'", key);
		return -1;
	}
	if (set_value(c, k, value, true, why, sizeof(why)) != 0) {
		snprintf(err, errsize, "%s: %s", k->name, why);
		return -1;
	}
	return 0;
}
