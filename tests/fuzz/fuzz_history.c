/*
 * fuzz_history.c - libFuzzer target for history_decode (policy/history.c).
 * Any input must decode or be rejected without crashing or leaking; an
 * accepted line must re-encode (unless the canonical form crosses the line
 * cap), decode again to an equal record, and re-encode to the same text.
 * Invariant violations abort() so the fuzzer reports them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_round_trip - encode a decoded record, decode it again, compare. */
static void
check_round_trip(const struct history_record *h, struct history_record *h2)
{
	struct str l1 = STR_INITIALIZER(HISTORY_LINE_MAX), l2 = STR_INITIALIZER(HISTORY_LINE_MAX);
	enum history_status st;
	char reason[256];

	st = history_encode(h, &l1);
	if (st == HISTORY_TOO_LONG)	/* canonical form longer than an input near the cap */
		goto out;
	if (st != HISTORY_OK || l1.len == 0 || l1.s[l1.len - 1] != '\n')
		abort();
	if (history_decode(l1.s, l1.len, h2, reason, sizeof(reason)) != HISTORY_OK)
		abort();
	if (!history_record_equal(h, h2) || h2->unknown_keys != 0)
		abort();
	if (history_encode(h2, &l2) != HISTORY_OK || l2.len != l1.len || memcmp(l1.s, l2.s, l1.len) != 0)
		abort();
	history_record_free(h2);
out:
	str_free(&l1);
	str_free(&l2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct history_record *h = malloc(sizeof(*h)), *h2 = malloc(sizeof(*h2));
	char reason[256];

	if (h == NULL || h2 == NULL) {
		free(h);
		free(h2);
		return 0;
	}
	reason[0] = '\0';
	if (history_decode((const char *)data, size, h, reason, sizeof(reason)) == HISTORY_OK)
		check_round_trip(h, h2);
	else if (reason[0] == '\0' || h->nrua != 0 || h->next != 0 || h->message_id != NULL)
		abort();	/* a rejection always says why and leaves nothing allocated */
	history_record_free(h);
	free(h);
	free(h2);
	return 0;
}
