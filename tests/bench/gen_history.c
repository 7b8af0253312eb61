/*
 * gen_history.c - write COUNT synthetic history records (AMH1.0 lines,
 * made by the policy library's encoder) to standard output, for the
 * report tool's tests and benchmark.  Deterministic for a seed: times
 * spread evenly over [start, start + span), policy domains each with its
 * own pool of client addresses (IPv4 and IPv6), DMARC pass or fail with matching
 * dispositions, DKIM and SPF results, some subdomains, some records
 * without a policy (not reported).  Single-threaded program.
 *
 * usage: gen_history [-s SEED] [-t START] [-p SPAN] [-d DOMAINS] [-i IPS] COUNT
 * (IPS: client addresses per domain)
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "str.h"

struct gen {
	uint64_t rng;
	int64_t start, span;
	unsigned domains, ips;
	uint64_t count;
};

/* next - xorshift64*. */
static uint64_t
next(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ULL;
}

/* pick - a number in [0, n). */
static unsigned
pick(struct gen *g, unsigned n)
{
	return (unsigned)(next(g) % n);
}

/* number - a decimal option value, or exit. */
static uint64_t
number(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s || *end != '\0') {
		fprintf(stderr, "gen_history: '%s' is not a number\n", s);
		exit(1);
	}
	return v;
}

/* set_ip - client address k: mostly IPv4 (10/8), every fifth IPv6. */
static void
set_ip(struct history_record *h, uint64_t k)
{
	if (k % 5 == 4)
		snprintf(h->source_ip, sizeof(h->source_ip), "2001:db8:%x:%x::1",
		    (unsigned)(k >> 16 & 0xffff), (unsigned)(k & 0xffff));
	else
		snprintf(h->source_ip, sizeof(h->source_ip), "10.%u.%u.%u", (unsigned)(k >> 16 & 255),
		    (unsigned)(k >> 8 & 255), (unsigned)(k & 255));
}

/* set_policy - the published policy of domain d. */
static void
set_policy(struct history_record *h, unsigned d)
{
	static const enum dmarc_policy ps[] = { DMARC_POLICY_NONE, DMARC_POLICY_QUARANTINE,
	    DMARC_POLICY_REJECT };

	h->policy_found = true;
	snprintf(h->policy_domain, sizeof(h->policy_domain), "d%u.example", d);
	snprintf(h->org_domain, sizeof(h->org_domain), "d%u.example", d);
	h->p = ps[d % 3];
	h->sp = d % 4 == 0 ? DMARC_POLICY_QUARANTINE : DMARC_POLICY_UNSET;
	h->np = d % 5 == 0 ? DMARC_POLICY_REJECT : DMARC_POLICY_UNSET;
	h->adkim = d % 7 == 0 ? DMARC_ALIGN_STRICT : DMARC_ALIGN_RELAXED;
	h->aspf = DMARC_ALIGN_RELAXED;
	h->fo = DMARC_FO_0;
	h->testing = d % 11 == 0;
	h->psd = DMARC_PSD_U;
	h->nrua = 1;
	h->rua[0].uri = malloc(64);
	snprintf(h->rua[0].uri, 64, "mailto:dmarc@d%u.example", d);
	h->rua[0].size_limit = d % 2 ? 10485760 : 0;
}

/* set_results - DKIM and SPF results, alignment, result and disposition. */
static void
set_results(struct gen *g, struct history_record *h, unsigned d)
{
	bool pass = pick(g, 10) < 7;

	h->ndkim = pick(g, 3);
	for (size_t i = 0; i < h->ndkim; i++) {
		struct history_dkim *k = &h->dkim[i];

		snprintf(k->domain, sizeof(k->domain), i == 0 ? "d%u.example" : "esp%u.example",
		    i == 0 ? d : pick(g, 4));
		snprintf(k->selector, sizeof(k->selector), "s%u", pick(g, 2));
		k->result = pass || i > 0 ? DKIM_RES_PASS : DKIM_RES_FAIL;
		if (k->result == DKIM_RES_FAIL)
			snprintf(k->human, sizeof(k->human), "body hash mismatch");
	}
	h->nspf = 1;
	snprintf(h->spf[0].domain, sizeof(h->spf[0].domain), "%s", h->envelope_from);
	h->spf[0].scope = SPF_SCOPE_MFROM;
	h->spf[0].result = pass ? SPF_RES_PASS : (pick(g, 2) ? SPF_RES_FAIL : SPF_RES_SOFTFAIL);
	h->dkim_aligned = pass && h->ndkim > 0;
	h->spf_aligned = pass && !h->dkim_aligned;
	h->result = pass ? DMARC_RES_PASS : DMARC_RES_FAIL;
	h->policy = h->p;
	h->applied_tag = POLICY_TAG_P;
	h->disposition = pass ? DISP_PASS : h->p == DMARC_POLICY_REJECT ? DISP_REJECT :
	    h->p == DMARC_POLICY_QUARANTINE ? DISP_QUARANTINE : DISP_NONE;
	if (!pass && h->testing && h->p != DMARC_POLICY_NONE) {
		h->disposition = h->p == DMARC_POLICY_REJECT ? DISP_QUARANTINE : DISP_NONE;
		h->overrides = OVERRIDE_POLICY_TEST_MODE;
	}
}

/* make - record i. */
static void
make(struct gen *g, uint64_t i, struct history_record *h)
{
	unsigned d = pick(g, g->domains);

	history_record_init(h);
	h->time = g->start + (int64_t)(i * (uint64_t)g->span / g->count);
	set_ip(h, (uint64_t)d * g->ips + pick(g, g->ips));
	if (pick(g, 4) == 0)
		snprintf(h->header_from, sizeof(h->header_from), "mail.d%u.example", d);
	else
		snprintf(h->header_from, sizeof(h->header_from), "d%u.example", d);
	h->envelope_from_present = true;
	snprintf(h->envelope_from, sizeof(h->envelope_from), "bounce.d%u.example", d);
	h->nrcpt = 1;
	snprintf(h->envelope_to[0], sizeof(h->envelope_to[0]), "rcpt%u.example", pick(g, 3));
	h->discovery = ORG_MODE_TREEWALK;
	if (pick(g, 50) == 0) {
		h->result = DMARC_RES_NONE;	/* no policy: not reported */
		h->disposition = DISP_NONE;
		return;
	}
	set_policy(h, d);
	set_results(g, h, d);
}

int
main(int argc, char **argv)
{
	struct gen g = { 42, 1795392000, 86400, 50, 2000, 0 };
	struct str line = STR_INITIALIZER(HISTORY_LINE_MAX);
	struct history_record *h = malloc(sizeof(*h));
	enum history_status st;
	uint64_t i;
	int ch;

	while ((ch = getopt(argc, argv, "s:t:p:d:i:")) != -1) {
		switch (ch) {
		case 's': g.rng = number(optarg) | 1; break;
		case 't': g.start = (int64_t)number(optarg); break;
		case 'p': g.span = (int64_t)number(optarg); break;
		case 'd': g.domains = (unsigned)number(optarg); break;
		case 'i': g.ips = (unsigned)number(optarg); break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || h == NULL || g.domains == 0 || g.ips == 0 || g.span <= 0)
		goto usage;
	if ((g.count = number(argv[optind])) == 0)
		return 0;
	for (i = 0; i < g.count; i++) {
		make(&g, i, h);
		if ((st = history_encode(h, &line)) != HISTORY_OK) {
			fprintf(stderr, "gen_history: record %" PRIu64 ": %s\n", i,
			    history_status_name(st));
			return 1;
		}
		fwrite(line.s, 1, line.len, stdout);
		history_record_free(h);
	}
	str_free(&line);
	free(h);
	return fflush(stdout) == 0 ? 0 : 1;
usage:
	fprintf(stderr, "usage: gen_history [-s SEED] [-t START] [-p SPAN] [-d DOMAINS] [-i IPS] COUNT\n");
	return 1;
}
