/*
 * conf.h - the daemon's configuration: one table of keys is the single
 * source of truth (name, type, default, bounds, reloadable, one-line doc).
 * Parsing, validation, "authmilter -n", the dump of effective values, the
 * sample file conf/authmilter.conf and the authmilter.conf(5) page all come
 * from it.
 *
 * File syntax (as OpenDMARC's): one "Key value" per line, key names
 * case-insensitive, '#' starts a comment (outside a quoted value), blank
 * lines ignored.  An unknown key, a bad value or trailing junk is an error
 * naming the file and line.  An OpenDMARC key that authmilter does not
 * implement is a warning naming it.  A key set twice is an error naming
 * both lines.  A value may be written in double quotes ('#' and blanks are
 * then part of it; \" and \\ are the escapes).  Keys that allow it take
 * "none" for "not set".  Paths must be absolute.
 *
 * A struct conf is an immutable snapshot once conf_load returned it:
 * the daemon shares it between threads by reference count (conf_ref /
 * conf_unref) and swaps in a new one on SIGHUP.  conf_load itself is
 * reentrant (no global state).
 */
#ifndef AUTHMILTER_CONF_H
#define AUTHMILTER_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "discover.h"
#include "netlist.h"
#include "resolver.h"

#define CONF_DEFAULT_FILE "/etc/authmilter.conf"
#define CONF_MAX_LIST 64		/* items in one list-valued key */
#define CONF_REJECT_TEXT_MAX 200	/* bytes of the RejectText template */

/* What a DNS temporary failure or an internal error does to a message. */
enum conf_fail_action {
	CONF_FAIL_TEMPFAIL = 0,	/* 451 4.7.x / 451 4.3.0: the MTA retries */
	CONF_FAIL_ACCEPT		/* accept, with the A-R header saying so */
};

/* How a quarantine disposition is carried out. */
enum conf_quarantine {
	CONF_QUARANTINE_HOLD = 0,	/* smfi_quarantine: the MTA's hold queue */
	CONF_QUARANTINE_HEADER	/* add QuarantineHeader and deliver */
};

struct conf_list {
	size_t n;
	char *item[CONF_MAX_LIST];	/* malloc'd, lower-cased where the key says so */
};

struct conf {
	/* Daemon. */
	char *socket;			/* Socket: "inet:PORT@HOST", "inet6:...", "unix:/path", "local:/path" */
	char *metrics_socket;		/* MetricsSocket: "inet:PORT@ADDRESS", "inet6:...", NULL: none */
	unsigned milter_timeout_ms;	/* MilterTimeout: the wait for the MTA's next command */
	char *pid_file;			/* PidFile; NULL: none */
	char *user_id;			/* UserID "user[:group]"; NULL: keep */
	mode_t umask;			/* UMask */
	bool syslog;			/* Syslog */
	int syslog_facility;		/* SyslogFacility, as LOG_MAIL etc. */
	bool log_dns;			/* LogDNS: debug log of every DNS query */

	/* Authentication-Results. */
	char *authserv_id;		/* AuthservID; the host name when not set */
	struct conf_list trusted_authserv_ids; /* TrustedAuthservIDs */
	bool software_header;		/* SoftwareHeader */

	/* Which messages are evaluated. */
	struct netlist *ignore_hosts;	/* IgnoreHosts: CIDR list or a file of them; NULL: none */
	char *ignore_hosts_spec;	/* IgnoreHosts as written (the list or the path); NULL: none */
	bool ignore_authenticated;	/* IgnoreAuthenticatedClients */
	struct conf_list ignore_mail_from; /* IgnoreMailFrom: domains, lower-case A-labels */

	/* Policy and actions. */
	bool reject_failures;		/* RejectFailures */
	bool hold_quarantined;		/* HoldQuarantinedMessages */
	char *quarantine_header;	/* QuarantineHeader, always "Name: value" (one blank after ':') */
	bool reject_multi_value_from;	/* RejectMultiValueFrom */
	bool required_headers;		/* RequiredHeaders */
	bool reject_unusable_from;	/* RejectUnusableFrom */
	char *reject_text;		/* RejectText: "5.X.Y text" template, see conf_reject_text_expand */
	enum conf_fail_action dns_fail_action;	/* DNSFailAction */
	enum conf_fail_action internal_error_action;	/* InternalErrorAction */
	enum org_mode org_mode;		/* OrganizationalDomain: treewalk | psl */
	char *psl_file;			/* PublicSuffixList */
	bool honor_pct;			/* HonorPct: historic pct= sampling */

	/* DNS. */
	unsigned dns_timeout_ms;	/* DNSTimeout (seconds in the file) */
	unsigned dns_budget_ms;		/* DNSBudget: all lookups of one message */
	struct conf_list nameservers;	/* Nameservers "IP[@port]" */
	bool dns_recursive;		/* DNSRecursion */
	char *trust_anchor_file;	/* TrustAnchorFile; NULL: no DNSSEC */
	char *zone_file;		/* DNSZoneFile: tests and offline use only */

	/* DKIM. */
	unsigned dkim_min_key_bits;	/* DKIMMinKeyBits */
	unsigned dkim_max_signatures;	/* DKIMMaxSignatures */

	/* ARC. */
	bool arc_verify;		/* ARCVerify */
	struct conf_list arc_trusted_sealers; /* ARCTrustedSealers: domains, lower-case A-labels */

	/* History. */
	char *history_file;		/* HistoryFile; NULL: none */
	bool record_all_messages;	/* RecordAllMessages */
	bool history_fsync;		/* HistoryFsync */

	/* Aggregate reports (authmilter-reports; the daemon ignores them). */
	char *report_database;		/* ReportDatabase */
	char *report_spool;		/* ReportSpool */
	char *report_org_name;		/* ReportOrgName; NULL: the AuthservID */
	char *report_email;		/* ReportEmail; NULL: postmaster@AuthservID */
	char *report_send_command;	/* ReportSendCommand */
	unsigned report_max_bytes;	/* ReportMaxBytes */
	unsigned report_retention_days;	/* ReportRetentionDays */
	bool report_legacy;		/* ReportLegacyRFC7489 */
	char *report_host_id;		/* ReportHostID; the host name when not set */
	unsigned report_host_grace;	/* ReportHostGrace, in ms */
	bool failure_reports;		/* FailureReports */
	char *failure_report_spool;	/* FailureReportSpool */
	bool failure_reports_on_none;	/* FailureReportsOnNone */
	bool failure_reports_body;	/* FailureReportsBody */
	bool failure_reports_redact;	/* FailureReportsRedact */
	char *failure_reports_sent_by;	/* FailureReportsSentBy; NULL: ReportEmail */
	struct conf_list failure_reports_bcc;	/* FailureReportsBcc */
	char *failure_reports_rate;	/* FailureReportsRate "N/m", "N/h", "N/d" */
	unsigned failure_reports_max_bytes;	/* FailureReportsMaxBytes */

	/* Bookkeeping, not keys. */
	char *path;			/* the file this came from, NULL for defaults */
	int refs;			/* conf_ref / conf_unref */
};

/* conf_defaults - a snapshot of the built-in defaults; NULL on no memory. */
struct conf *conf_defaults(void);

/*
 * conf_load - read path into a new snapshot (defaults for keys not set).
 * On error returns NULL and writes "FILE:LINE: what is wrong" into err.
 * Warnings (unimplemented OpenDMARC keys) are written one per line to warn
 * (may be NULL).
 */
struct conf *conf_load(const char *path, FILE *warn, char *err, size_t errsize);

/*
 * conf_load_buffer - the same for len bytes of text (NUL bytes are an
 * error), named name in messages and in c->path.  conf_load reads the
 * file (a regular file of at most 1 MiB) and calls this.
 */
struct conf *conf_load_buffer(const char *text, size_t len, const char *name, FILE *warn,
    char *err, size_t errsize);

/*
 * conf_set - set one key by name from its text value (taken whole, as if
 * quoted), through the table: for authmilter-check's overrides, before the
 * snapshot is shared.  Returns 0, or -1 with "Key: why" in err.
 */
int conf_set(struct conf *c, const char *key, const char *value, char *err, size_t errsize);

/* conf_ref - one more reference; returns c. */
struct conf *conf_ref(struct conf *c);

/* conf_unref - drop one reference; frees at zero.  NULL is fine. */
void conf_unref(struct conf *c);

/* conf_dump - every key with its effective value, one "Key value" line each. */
void conf_dump(const struct conf *c, FILE *out);

/*
 * conf_diff_nonreloadable - the keys that need a restart (Socket, PidFile,
 * UserID, UMask, Syslog, SyslogFacility) whose values differ between old
 * and next: their number, and their names ("Socket, UMask") in buf.
 * For the daemon's SIGHUP: log a warning that these changes wait for a
 * restart.
 */
int conf_diff_nonreloadable(const struct conf *old, const struct conf *next, char *buf,
    size_t size);

/* conf_sample - the documented sample file, generated from the table. */
void conf_sample(FILE *out);

/* conf_man - the authmilter.conf(5) manual page (roff), generated from the table. */
void conf_man(FILE *out);

/*
 * conf_reject_text_expand - RejectText tmpl with ${domain}, ${policy} and
 * ${reason} replaced (NULL values as "") into out.  Bytes of the values
 * outside printable ASCII, and '%', become '?'.  out starts with the
 * enhanced status code and a blank.  Returns 0, or -1 when it does not fit.
 */
int conf_reject_text_expand(const char *tmpl, const char *domain, const char *policy,
    const char *reason, char *out, size_t outsize);

/*
 * conf_resolver - fill a resolver_config from c (pointers into c, valid
 * while c is referenced).  zone_timeout_waits is false.
 */
void conf_resolver(const struct conf *c, struct resolver_config *rc);

/*
 * conf_rate - a FailureReportsRate value as a count per a number of
 * seconds; -1 when malformed (the configuration checked it).
 */
int conf_rate(const char *v, unsigned *count, unsigned *seconds);

/* conf_list_has - is name (case-insensitive) in l? */
bool conf_list_has(const struct conf_list *l, const char *name);

#endif
