/*
 * run_authres.c - conformance runner for the Authentication-Results parsing
 * cases of testdata/authres-rfc8601/cases.yaml (from the test suites of
 * python authres 1.2.0 and Perl Mail::AuthenticationResults).
 *
 * How each case is judged (the data's README explains the fields):
 *
 *  - expect.parses false: authres_parse (strict RFC 8601) must reject it.
 *    Every such case is also annotated rfc8601_strict invalid.
 *  - expect.parses true without rfc8601_strict (valid RFC 8601, including
 *    the two valid inputs python authres wrongly rejects, mar-comment-heavy
 *    and mar-none-3): the strict parse must succeed and give authserv_id,
 *    version (absent = none), and either the complete ordered `results`
 *    (method, method_version, result, reason, properties with ptype,
 *    property case-insensitive and value exact; an absent key means none)
 *    or each entry of `contains` matched by a distinct result in any order
 *    (its properties a subset of that result's).
 *  - expect.parses true with rfc8601_strict 'invalid: ...' (accepted by a
 *    lenient source parser but outside the RFC 8601 grammar): the strict
 *    parse must reject it, AND the lenient side must still find the
 *    authserv-id: authres_authserv_id() must return the expected
 *    authserv_id (any non-empty id when the case gives none),
 *    authres_claims_id() must say the header claims it, and
 *    authres_parse_flags(AUTHRES_LENIENT) must succeed with that id.  That
 *    is what the milter needs from such headers: recognising a forged
 *    claim of its own authserv-id.  Their `results` are not compared.
 *
 * Keyword comparisons (method, result, ptype, property) are
 * case-insensitive; the parser stores them lower-cased.  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "str.h"
#include "suite.h"
#include "tap.h"
#include "yaml_tree.h"

/* opt_eq - an optional expected string (NULL: must be absent) against got. */
static bool
opt_eq(const char *want, const char *got, bool ci)
{
	if (want == NULL || got == NULL)
		return want == got;
	return ci ? strcasecmp(want, got) == 0 : strcmp(want, got) == 0;
}

/* prop_eq - one expected property against a parsed one. */
static bool
prop_eq(const struct ynode *want, const struct authres_prop *got)
{
	const struct ynode *pt = ynode_get(want, "ptype");
	const char *value = ynode_str(want, "value");

	if (ynode_is_null(pt) ? got->ptype != NULL :
	    !opt_eq(pt->scalar, got->ptype, true))
		return false;
	if (!opt_eq(ynode_str(want, "property"), got->property, true))
		return false;
	return opt_eq(value != NULL ? value : "", got->value, false);
}

/* props_match - exact ordered list, or (subset) each wanted one present. */
static bool
props_match(const struct ynode *want, const struct authres_result *r, bool subset)
{
	size_t i, j;

	if (want == NULL || want->type != YNODE_SEQ)
		return subset || r->nprops == 0;
	if (!subset && want->n != r->nprops)
		return false;
	for (i = 0; i < want->n; i++) {
		if (!subset) {
			if (!prop_eq(want->items[i], &r->props[i]))
				return false;
			continue;
		}
		for (j = 0; j < r->nprops && !prop_eq(want->items[i], &r->props[j]); j++)
			continue;
		if (j == r->nprops)
			return false;
	}
	return true;
}

/* result_eq - one expected resinfo against a parsed one. */
static bool
result_eq(const struct ynode *want, const struct authres_result *r, bool subset)
{
	if (!opt_eq(ynode_str(want, "method"), r->method, true) ||
	    !opt_eq(ynode_str(want, "result"), r->result, true))
		return false;
	if (!subset && (!opt_eq(ynode_str(want, "method_version"), r->method_version, false) ||
	    !opt_eq(ynode_str(want, "reason"), r->reason, false)))
		return false;
	return props_match(ynode_get(want, "properties"), r, subset);
}

/* results_match - `results` (complete, ordered) or `contains` (subset, any order). */
static bool
results_match(const struct ynode *expect, const struct authres_header *h, char *why, size_t whysize)
{
	const struct ynode *res = ynode_get(expect, "results"), *con = ynode_get(expect, "contains");
	bool used[AUTHRES_MAX_RESULTS] = { false };
	size_t i, j;

	if (res != NULL && res->type == YNODE_SEQ) {
		if (res->n != h->nresults) {
			snprintf(why, whysize, "%zu results, want %zu", h->nresults, res->n);
			return false;
		}
		for (i = 0; i < res->n; i++)
			if (!result_eq(res->items[i], &h->results[i], false)) {
				snprintf(why, whysize, "result %zu (%s=%s) differs", i + 1,
				    h->results[i].method, h->results[i].result);
				return false;
			}
	}
	for (i = 0; con != NULL && con->type == YNODE_SEQ && i < con->n; i++) {
		for (j = 0; j < h->nresults; j++)
			if (!used[j] && result_eq(con->items[i], &h->results[j], true))
				break;
		if (j == h->nresults) {
			snprintf(why, whysize, "no result matches contains[%zu] (%s)", i,
			    ynode_str(con->items[i], "method"));
			return false;
		}
		used[j] = true;
	}
	return true;
}

/* judge_valid - a valid RFC 8601 header: strict parse and compare. */
static bool
judge_valid(const char *hdr, size_t len, const struct ynode *expect, char *why, size_t whysize)
{
	struct authres_header h;
	char reason[256];
	bool ok = false;

	if (authres_parse(hdr, len, &h, reason, sizeof(reason)) != AUTHRES_OK)
		snprintf(why, whysize, "strict parse rejected a valid header: %s", reason);
	else if (!opt_eq(ynode_str(expect, "authserv_id"), h.authserv_id, true))
		snprintf(why, whysize, "authserv-id %s", h.authserv_id);
	else if (!opt_eq(ynode_str(expect, "version"), h.version, false))
		snprintf(why, whysize, "version %s", h.version ? h.version : "(none)");
	else
		ok = results_match(expect, &h, why, whysize);
	authres_header_free(&h);
	return ok;
}

/* judge_lenient_id - the lenient side finds the expected authserv-id. */
static bool
judge_lenient_id(const char *hdr, size_t len, const char *want, char *why, size_t whysize)
{
	struct str id = STR_INITIALIZER(len + 1);
	struct authres_header h;
	bool ok = false;

	memset(&h, 0, sizeof(h));
	if (authres_authserv_id(hdr, len, &id) != AUTHRES_OK)
		snprintf(why, whysize, "lenient: no authserv-id found");
	else if (want != NULL && strcasecmp(want, str_cstr(&id)) != 0)
		snprintf(why, whysize, "lenient: authserv-id %s, want %s", str_cstr(&id), want);
	else if (!authres_claims_id(hdr, len, str_cstr(&id)))
		snprintf(why, whysize, "authres_claims_id disagrees with authres_authserv_id");
	else if (authres_parse_flags(hdr, len, AUTHRES_LENIENT, &h, NULL, 0) != AUTHRES_OK ||
	    strcasecmp(h.authserv_id, str_cstr(&id)) != 0)
		snprintf(why, whysize, "lenient parse failed or found another id");
	else
		ok = true;
	authres_header_free(&h);
	str_free(&id);
	return ok;
}

/* judge - decide one case; why explains a failure. */
static bool
judge(const struct ynode *c, char *why, size_t whysize)
{
	const struct ynode *hn = ynode_get(c, "header"), *expect = ynode_get(c, "expect");
	const char *strict = ynode_str(expect, "rfc8601_strict");
	bool invalid = strict != NULL && strncmp(strict, "invalid", 7) == 0;
	struct authres_header h;
	enum authres_status st;

	if (hn == NULL || hn->type != YNODE_SCALAR || expect == NULL) {
		snprintf(why, whysize, "malformed case");
		return false;
	}
	if (!ynode_bool(expect, "parses", false) || invalid) {
		st = authres_parse(hn->scalar, hn->scalar_len, &h, NULL, 0);
		authres_header_free(&h);
		if (st == AUTHRES_OK) {
			snprintf(why, whysize, "strict parse accepted an invalid header");
			return false;
		}
		if (!ynode_bool(expect, "parses", false))
			return true;
		return judge_lenient_id(hn->scalar, hn->scalar_len,
		    ynode_str(expect, "authserv_id"), why, whysize);
	}
	return judge_valid(hn->scalar, hn->scalar_len, expect, why, whysize);
}

int
main(void)
{
	struct suite *s = suite_open("authres-rfc8601");
	const struct ynode *cases;
	struct ynode *doc;
	char err[512], why[512];
	size_t i;

	if ((doc = yaml_load_file(suite_path(s, "cases.yaml"), err, sizeof(err))) == NULL) {
		tap_diag("cases.yaml: %s", err);
		return suite_finish(s) | 1;
	}
	cases = ynode_get(doc, "cases");
	for (i = 0; cases != NULL && cases->type == YNODE_SEQ && i < cases->n; i++) {
		const char *id = ynode_str(cases->items[i], "id");

		why[0] = '\0';
		suite_case(s, id != NULL ? id : "?", judge(cases->items[i], why, sizeof(why)),
		    "%s", why);
	}
	ynode_free(doc);
	return suite_finish(s);
}
