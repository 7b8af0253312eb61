/*
 * corpus.h - the benchmark corpus (tests/bench/gen_corpus.py), mapped and
 * split once into what an MTA sends a milter: envelope, header fields as
 * Postfix passes them (name, value after the colon, folds as LF), body.
 * Loaded by milterbench's main thread before the workers start; read-only
 * afterwards, so the workers share it without locks.
 */
#ifndef BENCH_CORPUS_H
#define BENCH_CORPUS_H

#include <stddef.h>

/* One header field: name, and the value as written after the colon
 * (leading space kept; continuation lines joined with "\n"). */
struct corpus_field {
	char *name;
	char *value;
};

struct corpus_msg {
	char *id;		/* the generator's number */
	char *ip;		/* client address (IPv4) */
	char *ptr;		/* client name ("unknown" when none) */
	char *helo;
	char *mail_from;	/* "<addr>" or "<>" */
	char **rcpt;		/* "<addr>" each */
	size_t nrcpt;
	char *expect;		/* accept, quarantine or reject */
	char *kind;		/* the generator's kind of message */
	struct corpus_field *fields;
	size_t nfields;
	const unsigned char *body;	/* into the mapping, CRLF line ends */
	size_t body_len;
	size_t size;		/* the whole message */
};

struct corpus {
	struct corpus_msg *msgs;
	size_t n;
	void *map;
	size_t map_len;
};

/*
 * corpus_load - map path and split every message.  Returns 0, or -1 with a
 * reason in err.  The corpus owns everything; corpus_free releases it.
 */
int corpus_load(struct corpus *c, const char *path, char *err, size_t errlen);
void corpus_free(struct corpus *c);

#endif
