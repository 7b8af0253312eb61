/*
 * mta.h - the MTA side of the milter protocol, version 6, as Postfix's
 * smtpd speaks it to a chain of smtpd_milters: negotiation offering every
 * protocol step and action (SMFIP_HDR_LEADSPC, the no-reply and no-send
 * flags, SMFIP_SKIP, macro lists from the filter), the default Postfix
 * macros of each stage, connect/helo/mail/rcpt/data to each milter in turn,
 * then the whole content (header, eoh, body in 65,535-byte chunks, eom) to
 * one milter after the other, each seeing the header changes of those
 * before it.  Every eom reply is handled: insheader, addheader, chgheader,
 * quarantine, replycode, body and envelope changes, progress, and the
 * final accept/continue/reject/tempfail/discard.
 *
 * Packets are buffered and written when a reply is awaited (as Postfix's
 * VSTREAM does: macros and command in one write).  With quickack set,
 * TCP_QUICKACK is set again after every read, so the MTA side never delays
 * its ACKs; without it the kernel's delayed ACK applies, as for Postfix.
 *
 * Used by milterbench's worker threads; a session touches only its own
 * state and the read-only corpus, so sessions run in parallel.
 */
#ifndef BENCH_MTA_H
#define BENCH_MTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "corpus.h"

#define MTA_MAX_CHAIN 8

/* One milter of the chain: "inet:PORT@HOST", "inet:HOST:PORT" or "unix:PATH". */
struct mta_milter {
	char spec[256];
	bool is_unix;
	char host[64];
	uint16_t port;
	char path[108];
};

/* What became of a message, as the MTA would act on it. */
enum mta_final {
	MTA_ACCEPT = 0,
	MTA_QUARANTINE,		/* accepted into the hold queue */
	MTA_REJECT,
	MTA_TEMPFAIL,
	MTA_DISCARD,
	MTA_ERROR,		/* a milter broke the protocol or the connection */
	MTA_NFINAL
};

/* Counts of the milters' requests, per message. */
struct mta_mods {
	unsigned insheader, addheader, chgheader, quarantine, replbody, rcpt, chgfrom, progress;
};

struct mta_result {
	enum mta_final final;
	char reply[256];	/* the SMTP reply of a reject or tempfail, "" if none */
	struct mta_mods mods;
	char *log;		/* with mta_opts.record: every change, escaped; free() it */
	double latency_ms;	/* first event of the message to the final reply */
};

struct mta_opts {
	bool quickack;		/* TCP_QUICKACK after every read */
	bool record;		/* fill mta_result.log */
	int timeout_s;		/* per read or write */
};

/*
 * mta_parse_milter - the socket spec s into m.  Returns 0, or -1 with a
 * reason in err.
 */
int mta_parse_milter(const char *s, struct mta_milter *m, char *err, size_t errlen);

/*
 * mta_session - one SMTP session through the chain: connect and negotiate
 * with every milter, send msgs[0..n-1] (one after the other, on the same
 * connections), quit.  qids[i] is message i's queue id (macro "i").
 * res[i] gets each message's outcome (res[i].log is malloc'd when
 * o->record).  A broken connection makes the rest of the session
 * MTA_ERROR.  Returns the number of messages that ended in MTA_ERROR.
 */
size_t mta_session(const struct mta_milter *chain, size_t nchain, const struct mta_opts *o,
    const struct corpus_msg *const *msgs, const char *const *qids, size_t n,
    struct mta_result *res);

/* mta_final_name - "accept", "quarantine", ... */
const char *mta_final_name(enum mta_final f);

#endif
