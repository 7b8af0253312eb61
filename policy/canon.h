/*
 * canon.h - DKIM canonicalization (RFC 6376 3.4), written once for the
 * verifiers that do not go through libopendkim (ARC): the simple and
 * relaxed forms of a header field, and a streaming body canonicalizer that
 * hands its output to a sink (the caller hashes it).  Input uses CRLF line
 * ends; a lone CR or LF is an ordinary byte.
 *
 * Pure: no I/O, no allocation (the header form is appended to a struct
 * str).  Called by milter/arc_verify.c and the tests.  Thread-safe: all
 * state is in the caller's structs.
 */
#ifndef AUTHMILTER_CANON_H
#define AUTHMILTER_CANON_H

#include <stdbool.h>
#include <stddef.h>

#include "str.h"

enum canon_mode {
	CANON_SIMPLE = 0,
	CANON_RELAXED
};

/*
 * canon_header - append the canonical form of one header field
 * "Name:value" (folding CRLFs included, no trailing CRLF) to out, followed
 * by CRLF when crlf is true.  simple: the field unchanged; relaxed: name
 * lower-cased, unfolded, whitespace runs to one SP, whitespace around the
 * colon and at the end removed.  Returns the str status.
 */
enum str_status canon_header(enum canon_mode mode, const char *field, size_t len,
    bool crlf, struct str *out);

/* Receives canonical body bytes. */
typedef void (*canon_sink)(void *ctx, const unsigned char *data, size_t len);

#define CANON_BUF 2048

/* The state of one body canonicalization. */
struct canon_body {
	enum canon_mode mode;
	canon_sink sink;
	void *ctx;
	unsigned long long pending;	/* empty lines held back (trailing?) */
	unsigned long long emitted;	/* bytes given to the sink */
	bool cr;			/* the last byte was a CR */
	bool wsp;			/* relaxed: a whitespace run is pending */
	bool line;			/* the current line has content */
	size_t blen;
	unsigned char buf[CANON_BUF];
};

/* canon_body_init - start a body in mode, output to sink(ctx, ...). */
void canon_body_init(struct canon_body *b, enum canon_mode mode, canon_sink sink,
    void *ctx);

/* canon_body_update - the next chunk of the body. */
void canon_body_update(struct canon_body *b, const unsigned char *data, size_t len);

/*
 * canon_body_final - end of the body: a missing final CRLF is added,
 * trailing empty lines are dropped, and an empty body is CRLF in simple
 * mode and nothing in relaxed mode.  Everything is handed to the sink.
 */
void canon_body_final(struct canon_body *b);

#endif
