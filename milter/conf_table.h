/*
 * conf_table.h - the table of configuration keys, shared by conf.c (parse,
 * dump, compare) and conf_doc.c (the sample file and the manual page).
 * Internal to the configuration module; the daemon uses conf.h.  The table
 * is constant: safe from any thread.
 */
#ifndef AUTHMILTER_CONF_TABLE_H
#define AUTHMILTER_CONF_TABLE_H

#include <stddef.h>

enum conf_type {
	CONF_T_WORD,		/* one word (a quoted value may hold blanks) */
	CONF_T_TEXT,		/* the rest of the line, blanks included */
	CONF_T_PATH,		/* an absolute path */
	CONF_T_BOOL,		/* yes no true false on off 1 0 */
	CONF_T_UNSIGNED,	/* decimal, min..max */
	CONF_T_SECONDS,		/* decimal seconds, min..max; stored in ms */
	CONF_T_OCTAL,		/* octal mode_t, at most max */
	CONF_T_ENUM,		/* one of names[], stored as an int */
	CONF_T_LIST,		/* comma- or blank-separated words, at most max */
	CONF_T_NETLIST		/* CIDR list, or "/path" of a file of them */
};

#define CONF_F_RESTART	0x01	/* not reloadable: a change needs a restart */
#define CONF_F_NONE	0x02	/* "none" unsets it (NULL, an empty list) */

struct conf_enum_name {
	const char *name;
	int value;
};

struct conf_key {
	const char *section;	/* non-NULL: the first key of a section, its title */
	const char *name;
	enum conf_type type;
	const char *def;	/* default in file syntax; NULL: computed at load */
	unsigned min, max;	/* numbers: bounds; lists: most items (0: CONF_MAX_LIST) */
	unsigned flags;		/* CONF_F_* */
	size_t off;		/* offsetof(struct conf, the field) */
	const struct conf_enum_name *names; /* CONF_T_ENUM: the words, NULL-terminated */
	/*
	 * conv - validate one value (a word, text, path, or each list item)
	 * and return its stored form, malloc'd; NULL with the reason in why.
	 * NULL conv: stored as written.
	 */
	char *(*conv)(const char *v, char *why, size_t whysize);
	const char *doc;	/* one line: what it does */
	const char *more;	/* NULL, or sentences the sample and manual add */
	const char *defdoc;	/* NULL, or the default in words when def is NULL */
};

/* An OpenDMARC key authmilter does not implement, and what to do instead. */
struct conf_foreign_key {
	const char *name;
	const char *hint;
};

/* conf_table - the keys, in the order of the sample file; *n is set to their number. */
const struct conf_key *conf_table(size_t *n);

/* conf_foreign_keys - the OpenDMARC keys that only warn, NULL-terminated. */
const struct conf_foreign_key *conf_foreign_keys(void);

/*
 * Value converters (conf_check.c), used as conv above.  Each validates v
 * and returns a malloc'd copy (normalised where said), or NULL with the
 * reason in why.
 */
char *conf_conv_socket(const char *v, char *why, size_t whysize);
char *conf_conv_metrics_socket(const char *v, char *why, size_t whysize);
char *conf_conv_rate(const char *v, char *why, size_t whysize);
char *conf_conv_user(const char *v, char *why, size_t whysize);
char *conf_conv_authserv_id(const char *v, char *why, size_t whysize);
char *conf_conv_domain(const char *v, char *why, size_t whysize);	/* to lower-case A-labels */
char *conf_conv_nameserver(const char *v, char *why, size_t whysize);
char *conf_conv_header(const char *v, char *why, size_t whysize);	/* to "Name: value" */
char *conf_conv_reject_text(const char *v, char *why, size_t whysize);
/* An absolute path (SQLite) or a postgresql:// or postgres:// URI without a password. */
char *conf_conv_report_database(const char *v, char *why, size_t whysize);

#endif
