/*
 * fuzz_dmarc_record.c - libFuzzer target for policy/dmarc_record.c: parse
 * arbitrary bytes as a DMARC record, check the invariants the callers rely
 * on, deep-copy a usable record and free everything.  Also built with
 * replay_main.c as tests/fuzz/replay_dmarc_record for make check.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_list - invariants of one URI list; aborts (a fuzzer finding) when broken. */
static void
check_list(const struct dmarc_uri_list *l)
{
	size_t i;

	if (l->n > DMARC_URI_MAX)
		abort();
	for (i = 0; i < l->n; i++)
		if (l->v[i].uri == NULL || strchr(l->v[i].uri, ',') != NULL ||
		    strchr(l->v[i].uri, '!') != NULL || strchr(l->v[i].uri, ':') == NULL)
			abort();
}

/* check_record - invariants of a parse result. */
static void
check_record(const struct dmarc_record *rec, enum dmarc_record_status st,
    const char *txt, size_t len)
{
	check_list(&rec->rua);
	check_list(&rec->ruf);
	if (st == DMARC_RECORD_OK && rec->p == DMARC_POLICY_UNSET)
		abort();
	if (rec->rua_rule && (st != DMARC_RECORD_OK || rec->rua.n == 0 ||
	    rec->p != DMARC_POLICY_NONE))
		abort();
	if (rec->pct < -1 || rec->pct > 100)
		abort();
	if ((st == DMARC_RECORD_NOT_DMARC) == dmarc_record_is_dmarc(txt, len))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmarc_record rec, copy;
	enum dmarc_record_status st;
	char reason[128];
	const char *txt = (const char *)(const void *)data;

	st = dmarc_record_parse(txt, size, &rec, reason, sizeof(reason));
	if (st != DMARC_RECORD_NOMEM)
		check_record(&rec, st, txt, size);
	if (st == DMARC_RECORD_OK && dmarc_record_copy(&copy, &rec) == 0) {
		if (copy.rua.n != rec.rua.n || copy.ruf.n != rec.ruf.n ||
		    (copy.rua.n > 0 && strcmp(copy.rua.v[0].uri, rec.rua.v[0].uri) != 0))
			abort();
		dmarc_record_free(&copy);
	}
	dmarc_record_free(&rec);
	return 0;
}
