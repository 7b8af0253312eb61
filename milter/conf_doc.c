/*
 * conf_doc.c - the documentation written from the table of keys
 * (conf_table.h): the sample configuration file (conf_sample, committed as
 * conf/authmilter.conf) and the manual page (conf_man, committed as
 * doc/authmilter.conf.5).  Tests check that the committed files equal what
 * these functions write, so neither can drift from the table.  No state:
 * thread-safe.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "conf_table.h"
#include "str.h"

#define DOC_WIDTH 76		/* columns of the sample file's comment lines */

/* wrap - text as "# " comment lines of at most DOC_WIDTH columns. */
static void
wrap(FILE *out, const char *text)
{
	const char *p = text, *space, *cut;

	while (*p != '\0') {
		if (strlen(p) + 2 <= DOC_WIDTH) {
			fprintf(out, "# %s\n", p);
			return;
		}
		cut = NULL;
		for (space = p; (space = strchr(space, ' ')) != NULL && space - p + 2 <= DOC_WIDTH; space++)
			cut = space;
		if (cut == NULL)
			cut = strchr(p, ' ');
		if (cut == NULL) {
			fprintf(out, "# %s\n", p);
			return;
		}
		fprintf(out, "# %.*s\n", (int)(cut - p), p);
		for (p = cut; *p == ' '; p++)
			;
	}
}

/* values - the values k takes, in words, into s ("" when the doc says it). */
static void
values(const struct conf_key *k, struct str *s)
{
	const struct conf_enum_name *e;

	switch (k->type) {
	case CONF_T_BOOL:
		str_appends(s, "yes or no");
		break;
	case CONF_T_UNSIGNED:
		str_printf(s, "%u to %u", k->min, k->max);
		break;
	case CONF_T_SECONDS:
		str_printf(s, "%u to %u seconds", k->min, k->max);
		break;
	case CONF_T_OCTAL:
		str_printf(s, "an octal mode, 000 to %03o", k->max);
		break;
	case CONF_T_ENUM:
		for (e = k->names; e->name != NULL; e++)
			str_printf(s, "%s%s", e == k->names ? "" : ", ", e->name);
		break;
	case CONF_T_PATH:
		str_appends(s, "an absolute path");
		break;
	case CONF_T_LIST:
		str_printf(s, "a list, commas or blanks between the items, at most %u",
		    k->max ? k->max : CONF_MAX_LIST);
		break;
	default:
		break;
	}
	if ((k->flags & CONF_F_NONE) && s->len > 0)
		str_appends(s, ", or none");
}

/* sample_key - one key of the sample: its doc, values, default. */
static void
sample_key(FILE *out, const struct conf_key *k)
{
	struct str s = STR_INITIALIZER(4096);

	if (k->section != NULL)
		fprintf(out, "\n## %s\n", k->section);
	str_printf(&s, "%s - %s", k->name, k->doc);
	if (k->more != NULL)
		str_printf(&s, "  %s", k->more);
	fputs("\n", out);
	wrap(out, str_cstr(&s));
	str_reset(&s);
	values(k, &s);
	if (s.len > 0) {
		str_reset(&s);
		str_appends(&s, "Values: ");
		values(k, &s);
		str_appends(&s, ".");
		wrap(out, str_cstr(&s));
	}
	if (k->flags & CONF_F_RESTART)
		fputs("# A change needs a restart (a reload keeps the old value).\n", out);
	if (k->def == NULL)
		fprintf(out, "# Default: %s.\n#%s mail.example.com\n", k->defdoc, k->name);
	else
		fprintf(out, "#%s %s\n", k->name, k->def);
	str_free(&s);
}

void
conf_sample(FILE *out)
{
	const struct conf_key *keys;
	size_t n, i;

	keys = conf_table(&n);
	fputs("# authmilter.conf - configuration of authmilter, the SPF, DKIM, ARC and DMARC milter.\n"
	    "#\n"
	    "# Generated from authmilter's table of keys: every key is listed with what\n"
	    "# it does and its default value, commented out.\n"
	    "#\n"
	    "# Syntax: \"Key value\", one a line.  Key names are case-insensitive; '#'\n"
	    "# starts a comment; a value may be written in double quotes, in which '#'\n"
	    "# and blanks are part of it (\\\" and \\\\ are the escapes).  Paths are\n"
	    "# absolute.  A key set twice, an unknown key or a bad value is an error\n"
	    "# naming the file and line.  \"authmilter -n\" checks a file.\n"
	    "# See authmilter.conf(5).\n", out);
	for (i = 0; i < n; i++)
		sample_key(out, &keys[i]);
}

/* roff - text for a roff body line: backslashes doubled, a leading '.' or '\'' guarded. */
static void
roff(FILE *out, const char *text)
{
	const char *p;

	if (text[0] == '.' || text[0] == '\'')
		fputs("\\&", out);
	for (p = text; *p != '\0'; p++) {
		if (*p == '\\')
			fputs("\\e", out);
		else if (*p == '-')
			fputs("\\-", out);
		else
			putc(*p, out);
	}
}

/* man_key - one key's entry of the KEYS section. */
static void
man_key(FILE *out, const struct conf_key *k)
{
	struct str s = STR_INITIALIZER(4096);

	if (k->section != NULL) {
		fputs(".SS ", out);
		roff(out, k->section);
		fputs("\n", out);
	}
	fputs(".TP\n.B ", out);
	roff(out, k->name);
	fputs("\n", out);
	roff(out, k->doc);
	if (k->more != NULL) {
		fputs("\n", out);
		roff(out, k->more);
	}
	values(k, &s);
	if (s.len > 0) {
		fputs("\nValues: ", out);
		roff(out, str_cstr(&s));
		fputs(".", out);
	}
	fputs("\nDefault: ", out);
	if (k->def != NULL) {
		fputs("\\fB", out);
		roff(out, k->def);
		fputs("\\fR.", out);
	} else {
		roff(out, k->defdoc);
		fputs(".", out);
	}
	if (k->flags & CONF_F_RESTART)
		fputs("\nA change needs a restart.", out);
	fputs("\n", out);
	str_free(&s);
}

static const char *const man_head[] = {
	".\\\" authmilter.conf.5 - generated from authmilter's table of keys",
	".\\\" (conf_man, milter/conf_doc.c); change the table, not this file.",
	".TH AUTHMILTER.CONF 5 \"\" \"authmilter\" \"File Formats\"",
	".SH NAME",
	"authmilter.conf \\- configuration file of the authmilter mail filter",
	".SH SYNOPSIS",
	".B /etc/authmilter.conf",
	".SH DESCRIPTION",
	"authmilter is a milter for Postfix and Sendmail that checks SPF, DKIM, ARC",
	"and DMARC.  It reads its settings from this file at start-up and again when it",
	"receives SIGHUP.  The key names are OpenDMARC's where OpenDMARC has the",
	"setting, so that an opendmarc.conf mostly works as it is.",
	".SH SYNTAX",
	"One setting a line: a key name, blanks, and the value.  Key names are",
	"case-insensitive.  A \\(oq#\\(cq starts a comment that runs to the end of the",
	"line; blank lines are ignored.  The value is the rest of the line without",
	"its comment and trailing blanks, or is written in double quotes, in which",
	"\\(oq#\\(cq and blanks are part of the value and \\e\" and \\e\\e are the escapes.",
	"Keys that take one word reject anything after it.",
	".PP",
	"Lists are separated by commas or blanks.  Booleans are yes, no, true,",
	"false, on, off, 1 or 0.  Paths must be absolute.  The keys whose",
	"description says so take",
	".B none",
	"for \\(lqnot set\\(rq.",
	".PP",
	"An unknown key, a key set twice, a bad value or trailing junk is an error",
	"naming the file and line, and the file is not used.  An OpenDMARC key that",
	"authmilter does not implement (see below) is a warning naming it, and is",
	"ignored.",
	".B authmilter \\-n",
	"checks a file and prints the effective values.",
	".SH RELOADING",
	"On SIGHUP the daemon reads the file into a new configuration, checks it",
	"and only then uses it; when the new file has an error the old",
	"configuration stays.  The keys marked",
	"\\(lqA change needs a restart\\(rq keep their old value until the daemon is",
	"restarted, and a warning names them.",
	".SH KEYS",
	NULL
};

static const char *const man_tail[] = {
	".SH FILES",
	".TP",
	".B /etc/authmilter.conf",
	"the configuration file.",
	".SH SEE ALSO",
	".BR authmilter (8),",
	".BR opendmarc.conf (5)",
	NULL
};

void
conf_man(FILE *out)
{
	const struct conf_foreign_key *f;
	const struct conf_key *keys;
	const char *const *l;
	size_t n, i;

	keys = conf_table(&n);
	for (l = man_head; *l != NULL; l++)
		fprintf(out, "%s\n", *l);
	for (i = 0; i < n; i++)
		man_key(out, &keys[i]);
	fputs(".SH OPENDMARC KEYS NOT IMPLEMENTED\n"
	    "These OpenDMARC keys give a warning and are ignored.\n", out);
	for (f = conf_foreign_keys(); f->name != NULL; f++) {
		fputs(".TP\n.B ", out);
		roff(out, f->name);
		fputs("\n", out);
		roff(out, f->hint);
		fputs(".\n", out);
	}
	for (l = man_tail; *l != NULL; l++)
		fprintf(out, "%s\n", *l);
}
