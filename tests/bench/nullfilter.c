/*
 * nullfilter.c - a libmilter filter that does nothing: every callback
 * answers "continue".  The floor of the benchmark (tests/bench/run.sh):
 * what libmilter itself costs for the events authmilter receives.
 *
 *   nullfilter [-r] SOCKET [PIDFILE]
 *
 * SOCKET as libmilter takes it (inet:PORT@127.0.0.1).  Runs in the
 * foreground; SIGTERM stops it.  Plain libmilter: no TCP_NODELAY, no
 * negotiation callback, as the simplest filter would be written.  With -r
 * it negotiates every "no reply" step the MTA offers (SMFIP_NR_CONN, _HELO,
 * _RCPT, _DATA, _HDR, _EOH, _BODY) and answers those events with
 * SMFIS_NOREPLY: what a filter saves by not making the MTA wait for a
 * reply to each header and body chunk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#define NR_STEPS (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_RCPT | SMFIP_NR_DATA | \
	SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

static int no_reply;		/* -r: the events above get no reply */

/* answer - SMFIS_NOREPLY for a no-reply step (with -r), else continue. */
static sfsistat
answer(void)
{
	return no_reply ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat
nf_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	(void)ctx;
	(void)f0;
	(void)f2;
	(void)f3;
	*pf0 = 0;
	*pf1 = f1 & (NR_STEPS | SMFIP_NOUNKNOWN);
	*pf2 = *pf3 = 0;
	/* every MTA connection offers the same here; a real filter keeps it per ctx */
	return (f1 & NR_STEPS) == NR_STEPS ? SMFIS_CONTINUE : SMFIS_ALL_OPTS;
}

static sfsistat
nf_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)ctx;
	(void)host;
	(void)sa;
	return answer();
}

static sfsistat
nf_str(SMFICTX *ctx, char *s)
{
	(void)ctx;
	(void)s;
	return answer();
}

/* nf_mail - MAIL FROM always gets a reply. */
static sfsistat
nf_mail(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_CONTINUE;
}

static sfsistat
nf_argv(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return answer();
}

static sfsistat
nf_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return answer();
}

static sfsistat
nf_ctx(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static sfsistat
nf_eoh(SMFICTX *ctx)
{
	(void)ctx;
	return answer();
}

static sfsistat
nf_body(SMFICTX *ctx, unsigned char *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return answer();
}

static struct smfiDesc desc = {
	.xxfi_name = "nullfilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = 0,
	.xxfi_connect = nf_connect,
	.xxfi_helo = nf_str,
	.xxfi_envfrom = nf_mail,
	.xxfi_envrcpt = nf_argv,
	.xxfi_header = nf_header,
	.xxfi_eoh = nf_eoh,
	.xxfi_body = nf_body,
	.xxfi_eom = nf_ctx,
	.xxfi_abort = nf_ctx,
	.xxfi_close = nf_ctx,
};

int
main(int argc, char **argv)
{
	FILE *f;

	if (argc > 1 && strcmp(argv[1], "-r") == 0) {
		no_reply = 1;
		desc.xxfi_negotiate = nf_negotiate;
		argv++;
		argc--;
	}
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: nullfilter [-r] SOCKET [PIDFILE]\n");
		return 1;
	}
	if (smfi_setconn(argv[1]) != MI_SUCCESS || smfi_register(desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "nullfilter: cannot listen on %s\n", argv[1]);
		return 1;
	}
	if (argc == 3) {
		if ((f = fopen(argv[2], "w")) == NULL || fprintf(f, "%ld\n", (long)getpid()) < 0 ||
		    fclose(f) != 0) {
			fprintf(stderr, "nullfilter: cannot write %s\n", argv[2]);
			return 1;
		}
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
