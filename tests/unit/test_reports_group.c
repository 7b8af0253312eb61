/*
 * test_reports_group.c - tests for reports/group.c and the row facts of
 * reports/report.c: tables of messages with the rows they must make
 * (what separates two rows, what merges them, the counts, the order),
 * the reasons a row gets, and the mapping from a history record.
 * Single-threaded TAP program.
 */
#include <stdio.h>
#include <string.h>

#include "group.h"
#include "report.h"
#include "tap.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define MAXN 8

/* A message, compactly: the fields a row is made of. */
struct msg {
	const char *ip, *hfrom, *mfrom, *rcpt;	/* mfrom/rcpt NULL: absent */
	enum dmarc_result res;
	enum disposition disp;
	enum dmarc_policy pol;
	bool dkim, spf;
	unsigned ov;
	int64_t auth;
};

/* A row that must come out, in output order. */
struct row {
	const char *ip, *hfrom;
	enum disposition disp;
	unsigned reasons;
	int64_t auth;
	uint64_t count;
};

struct group_case {
	const char *name;
	struct msg m[MAXN];
	struct row r[MAXN];
};

#define PASS(ip, auth) { ip, "a.example", "a.example", "r.example", DMARC_RES_PASS, DISP_PASS, \
	DMARC_POLICY_REJECT, true, true, 0, auth }
#define FAIL(ip, disp, ov) { ip, "a.example", "x.example", "r.example", DMARC_RES_FAIL, disp, \
	DMARC_POLICY_REJECT, false, false, ov, 1 }

static const struct group_case cases[] = {
	{ "identical messages make one row",
	  { PASS("192.0.2.1", 1), PASS("192.0.2.1", 1), PASS("192.0.2.1", 1) },
	  { { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 3 } } },
	{ "the source IP separates rows, ordered by IP text",
	  { PASS("192.0.2.2", 1), PASS("192.0.2.1", 1), PASS("192.0.2.2", 1) },
	  { { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 1 },
	    { "192.0.2.2", "a.example", DISP_PASS, 0, 1, 2 } } },
	{ "the result set separates rows",
	  { PASS("192.0.2.1", 2), PASS("192.0.2.1", 1), PASS("192.0.2.1", 2) },
	  { { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 1 },
	    { "192.0.2.1", "a.example", DISP_PASS, 0, 2, 2 } } },
	{ "the disposition separates rows",
	  { FAIL("192.0.2.1", DISP_REJECT, 0), FAIL("192.0.2.1", DISP_NONE, OVERRIDE_LOCAL_POLICY),
	    FAIL("192.0.2.1", DISP_REJECT, 0) },
	  { { "192.0.2.1", "a.example", DISP_NONE, OVERRIDE_LOCAL_POLICY, 1, 1 },
	    { "192.0.2.1", "a.example", DISP_REJECT, 0, 1, 2 } } },
	{ "override reasons separate rows",
	  { FAIL("192.0.2.1", DISP_NONE, OVERRIDE_LOCAL_POLICY),
	    FAIL("192.0.2.1", DISP_NONE, OVERRIDE_TRUSTED_FORWARDER),
	    FAIL("192.0.2.1", DISP_NONE, OVERRIDE_LOCAL_POLICY) },
	  { { "192.0.2.1", "a.example", DISP_NONE, OVERRIDE_LOCAL_POLICY, 1, 2 },
	    { "192.0.2.1", "a.example", DISP_NONE, OVERRIDE_TRUSTED_FORWARDER, 1, 1 } } },
	{ "a disposition off the policy without an override gets a reason",
	  { FAIL("192.0.2.1", DISP_NONE, 0), FAIL("192.0.2.1", DISP_REJECT, 0) },
	  { { "192.0.2.1", "a.example", DISP_NONE, REPORT_REASON_UNEXPLAINED, 1, 1 },
	    { "192.0.2.1", "a.example", DISP_REJECT, 0, 1, 1 } } },
	{ "header_from separates rows",
	  { { "192.0.2.1", "b.example", NULL, NULL, DMARC_RES_PASS, DISP_PASS, DMARC_POLICY_NONE,
	      true, false, 0, 1 },
	    { "192.0.2.1", "a.example", NULL, NULL, DMARC_RES_PASS, DISP_PASS, DMARC_POLICY_NONE,
	      true, false, 0, 1 } },
	  { { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 1 },
	    { "192.0.2.1", "b.example", DISP_PASS, 0, 1, 1 } } },
	{ "absent, empty and named envelope_from are three rows",
	  { { "192.0.2.1", "a.example", NULL, NULL, DMARC_RES_PASS, DISP_PASS, DMARC_POLICY_NONE,
	      true, false, 0, 1 },
	    { "192.0.2.1", "a.example", "", NULL, DMARC_RES_PASS, DISP_PASS, DMARC_POLICY_NONE,
	      true, false, 0, 1 },
	    { "192.0.2.1", "a.example", "m.example", NULL, DMARC_RES_PASS, DISP_PASS,
	      DMARC_POLICY_NONE, true, false, 0, 1 },
	    { "192.0.2.1", "a.example", "", NULL, DMARC_RES_PASS, DISP_PASS, DMARC_POLICY_NONE,
	      true, false, 0, 1 } },
	  { { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 1 },
	    { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 2 },
	    { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 1 } } },
	{ "envelope_to separates rows",
	  { { "192.0.2.1", "a.example", "a.example", "r1.example", DMARC_RES_PASS, DISP_PASS,
	      DMARC_POLICY_NONE, true, true, 0, 1 },
	    { "192.0.2.1", "a.example", "a.example", NULL, DMARC_RES_PASS, DISP_PASS,
	      DMARC_POLICY_NONE, true, true, 0, 1 },
	    { "192.0.2.1", "a.example", "a.example", "r1.example", DMARC_RES_PASS, DISP_PASS,
	      DMARC_POLICY_NONE, true, true, 0, 1 } },
	  { { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 1 },
	    { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 2 } } },
	{ "DKIM and SPF alignment separate rows",
	  { { "192.0.2.1", "a.example", "a.example", NULL, DMARC_RES_PASS, DISP_PASS,
	      DMARC_POLICY_NONE, true, false, 0, 1 },
	    { "192.0.2.1", "a.example", "a.example", NULL, DMARC_RES_PASS, DISP_PASS,
	      DMARC_POLICY_NONE, false, true, 0, 1 },
	    { "192.0.2.1", "a.example", "a.example", NULL, DMARC_RES_PASS, DISP_PASS,
	      DMARC_POLICY_NONE, true, true, 0, 1 } },
	  { { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 1 },
	    { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 1 },
	    { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 1 } } },
	{ "temperror and fail are different rows",
	  { { "192.0.2.1", "a.example", "a.example", NULL, DMARC_RES_TEMPERROR, DISP_NONE,
	      DMARC_POLICY_REJECT, false, false, 0, 1 },
	    { "192.0.2.1", "a.example", "a.example", NULL, DMARC_RES_FAIL, DISP_NONE,
	      DMARC_POLICY_REJECT, false, false, 0, 1 } },
	  { { "192.0.2.1", "a.example", DISP_NONE, REPORT_REASON_UNEXPLAINED, 1, 1 },
	    { "192.0.2.1", "a.example", DISP_NONE, REPORT_REASON_UNEXPLAINED, 1, 1 } } },
	{ "IPv6 and IPv4 from the same sender",
	  { PASS("2001:db8::1", 1), PASS("192.0.2.1", 1), PASS("2001:db8::1", 1),
	    PASS("2001:db8::1", 1) },
	  { { "192.0.2.1", "a.example", DISP_PASS, 0, 1, 1 },
	    { "2001:db8::1", "a.example", DISP_PASS, 0, 1, 3 } } },
};

/* to_msg - a table message as a report_msg. */
static void
to_msg(const struct msg *s, struct report_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->source_ip = s->ip;
	m->header_from = s->hfrom;
	m->envelope_from = s->mfrom;
	m->envelope_to = s->rcpt;
	m->result = s->res;
	m->disposition = s->disp;
	m->policy = s->pol;
	m->dkim_aligned = s->dkim;
	m->spf_aligned = s->spf;
	m->overrides = s->ov;
	m->auth_id = s->auth;
}

/* test_case - group the messages, compare the rows. */
static void
test_case(const struct group_case *c)
{
	struct report_msg m;
	struct group g;
	size_t nm = 0, nr = 0, i;
	uint64_t sum = 0;

	group_init(&g);
	for (i = 0; i < MAXN && c->m[i].ip != NULL; i++, nm++) {
		to_msg(&c->m[i], &m);
		if (group_add(&g, &m) != GROUP_OK)
			tap_ok(false, "%s: group_add", c->name);
	}
	for (nr = 0; nr < MAXN && c->r[nr].ip != NULL; nr++)
		;
	group_sort(&g);
	tap_inteq((long long)g.nrows, (long long)nr, "%s: rows", c->name);
	for (i = 0; i < g.nrows && i < nr; i++) {
		const struct group_row *r = g.rows[i];
		const struct row *w = &c->r[i];

		tap_ok(strcmp(r->source_ip, w->ip) == 0 && strcmp(r->header_from, w->hfrom) == 0 &&
		    r->disposition == w->disp && r->reasons == w->reasons && r->auth_id == w->auth &&
		    r->count == w->count, "%s: row %zu (%s %s %s reasons %u auth %lld count %llu)",
		    c->name, i + 1, r->source_ip, r->header_from, disposition_name(r->disposition),
		    r->reasons, (long long)r->auth_id, (unsigned long long)r->count);
		sum += r->count;
	}
	tap_ok(sum == nm && g.total == nm, "%s: counts sum to the %zu messages", c->name, nm);
	group_free(&g);
}

/* test_reasons - report_reasons for each kind of message. */
static void
test_reasons(void)
{
	static const struct {
		const char *name;
		enum dmarc_result res;
		enum disposition disp;
		enum dmarc_policy pol;
		unsigned ov, want;
	} t[] = {
		{ "pass", DMARC_RES_PASS, DISP_PASS, DMARC_POLICY_REJECT, 0, 0 },
		{ "reject as asked", DMARC_RES_FAIL, DISP_REJECT, DMARC_POLICY_REJECT, 0, 0 },
		{ "quarantine as asked", DMARC_RES_FAIL, DISP_QUARANTINE, DMARC_POLICY_QUARANTINE, 0, 0 },
		{ "p=none, none", DMARC_RES_FAIL, DISP_NONE, DMARC_POLICY_NONE, 0, 0 },
		{ "t=y lowered", DMARC_RES_FAIL, DISP_QUARANTINE, DMARC_POLICY_REJECT,
		  OVERRIDE_POLICY_TEST_MODE, OVERRIDE_POLICY_TEST_MODE },
		{ "lowered, no override", DMARC_RES_FAIL, DISP_NONE, DMARC_POLICY_REJECT, 0,
		  REPORT_REASON_UNEXPLAINED },
		{ "temperror", DMARC_RES_TEMPERROR, DISP_NONE, DMARC_POLICY_QUARANTINE, 0,
		  REPORT_REASON_UNEXPLAINED },
		{ "no policy selected", DMARC_RES_FAIL, DISP_NONE, DMARC_POLICY_UNSET, 0, 0 },
	};
	struct report_msg m;
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		memset(&m, 0, sizeof(m));
		m.result = t[i].res;
		m.disposition = t[i].disp;
		m.policy = t[i].pol;
		m.overrides = t[i].ov;
		tap_inteq(report_reasons(&m), t[i].want, "reasons: %s", t[i].name);
	}
}

/* test_from_history - the row facts of a history record. */
static void
test_from_history(void)
{
	static struct history_record h;
	struct report_msg m;

	history_record_init(&h);
	snprintf(h.source_ip, sizeof(h.source_ip), "192.0.2.9");
	snprintf(h.header_from, sizeof(h.header_from), "a.example");
	report_msg_from_history(&h, &m);
	tap_ok(m.envelope_from == NULL && m.envelope_to == NULL, "no mfrom, no rcpt: both absent");
	h.envelope_from_present = true;
	h.nrcpt = 1;
	snprintf(h.envelope_to[0], sizeof(h.envelope_to[0]), "r.example");
	report_msg_from_history(&h, &m);
	tap_ok(m.envelope_from != NULL && m.envelope_from[0] == '\0', "null sender: empty envelope_from");
	tap_streq(m.envelope_to, "r.example", "one recipient domain: envelope_to");
	h.nrcpt = 2;
	snprintf(h.envelope_to[1], sizeof(h.envelope_to[1]), "s.example");
	report_msg_from_history(&h, &m);
	tap_ok(m.envelope_to == NULL, "two recipient domains: no envelope_to");
	h.overrides = OVERRIDE_MAILING_LIST | 0x400;
	report_msg_from_history(&h, &m);
	tap_inteq(m.overrides, OVERRIDE_MAILING_LIST, "unknown override bits are dropped");
	h.arc = HISTORY_ARC_PASS;
	h.arc_instance = 2;
	snprintf(h.arc_sealer, sizeof(h.arc_sealer), "lists.example.org");
	report_msg_from_history(&h, &m);
	tap_streq(m.forwarder, "", "ARC instance without trusted_forwarder: no comment");
	h.overrides = OVERRIDE_TRUSTED_FORWARDER;
	report_msg_from_history(&h, &m);
	tap_streq(m.forwarder, "arc=pass i=2 d=lists.example.org", "trusted_forwarder by ARC: the comment");
	h.arc_instance = 0;
	h.arc_sealer[0] = '\0';
	report_msg_from_history(&h, &m);
	tap_streq(m.forwarder, "", "trusted_forwarder without an ARC instance: no comment");
}

/* test_forwarder_rows - the ARC comment separates rows and stays with its row. */
static void
test_forwarder_rows(void)
{
	struct group g;
	struct report_msg m;

	group_init(&g);
	memset(&m, 0, sizeof(m));
	m.source_ip = "192.0.2.1";
	m.header_from = "a.example";
	m.result = DMARC_RES_FAIL;
	m.disposition = DISP_NONE;
	m.policy = DMARC_POLICY_REJECT;
	m.overrides = OVERRIDE_TRUSTED_FORWARDER;
	snprintf(m.forwarder, sizeof(m.forwarder), "arc=pass i=1 d=l1.example");
	group_add(&g, &m);
	group_add(&g, &m);
	snprintf(m.forwarder, sizeof(m.forwarder), "arc=pass i=2 d=l2.example");
	group_add(&g, &m);
	group_sort(&g);
	tap_inteq((long long)g.nrows, 2, "forwarder rows: two sealers, two rows");
	tap_ok(g.nrows == 2 && g.rows[0]->count == 2 && g.rows[0]->forwarder != NULL &&
	    strcmp(g.rows[0]->forwarder, "arc=pass i=1 d=l1.example") == 0 &&
	    strcmp(g.rows[1]->forwarder, "arc=pass i=2 d=l2.example") == 0,
	    "forwarder rows: counts and comments kept, sorted");
	group_free(&g);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < NELEM(cases); i++)
		test_case(&cases[i]);
	test_reasons();
	test_from_history();
	test_forwarder_rows();
	return tap_done();
}
