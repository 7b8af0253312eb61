/*
 * send.c - placeholder until the sender lands: see send.h.  Says plainly
 * that nothing is sent.
 */
#include "send.h"

int
send_run(const struct conf *c, bool dry_run, FILE *log, struct send_totals *t)
{
	(void)c;
	(void)dry_run;
	t->reports = t->sent = t->skipped = t->failed = 0;
	fprintf(log, "authmilter-reports: send is not implemented in this build\n");
	return 2;
}
