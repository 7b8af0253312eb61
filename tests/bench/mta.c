/*
 * mta.c - the MTA side of the milter protocol, version 6; see mta.h.
 *
 * The constants are written out here rather than taken from libmilter's
 * mfdef.h: this is the other side of the protocol, as Postfix has its own.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mta.h"

/* Commands, MTA to filter. */
#define CMD_ABORT	'A'
#define CMD_BODY	'B'
#define CMD_CONNECT	'C'
#define CMD_MACRO	'D'
#define CMD_BODYEOB	'E'
#define CMD_HELO	'H'
#define CMD_HEADER	'L'
#define CMD_MAIL	'M'
#define CMD_EOH		'N'
#define CMD_OPTNEG	'O'
#define CMD_QUIT	'Q'
#define CMD_RCPT	'R'
#define CMD_DATA	'T'

/* Replies, filter to MTA. */
#define REP_ADDRCPT	'+'
#define REP_DELRCPT	'-'
#define REP_ADDRCPT_PAR	'2'
#define REP_SHUTDOWN	'4'
#define REP_ACCEPT	'a'
#define REP_REPLBODY	'b'
#define REP_CONTINUE	'c'
#define REP_DISCARD	'd'
#define REP_CHGFROM	'e'
#define REP_CONN_FAIL	'f'
#define REP_ADDHEADER	'h'
#define REP_INSHEADER	'i'
#define REP_CHGHEADER	'm'
#define REP_PROGRESS	'p'
#define REP_QUARANTINE	'q'
#define REP_REJECT	'r'
#define REP_SKIP	's'
#define REP_TEMPFAIL	't'
#define REP_REPLYCODE	'y'

/* Protocol steps (SMFIP_*). */
#define P_NOCONNECT	0x00000001u
#define P_NOHELO	0x00000002u
#define P_NOMAIL	0x00000004u
#define P_NORCPT	0x00000008u
#define P_NOBODY	0x00000010u
#define P_NOHDRS	0x00000020u
#define P_NOEOH		0x00000040u
#define P_NR_HDR	0x00000080u
#define P_NODATA	0x00000200u
#define P_SKIP		0x00000400u
#define P_NR_CONN	0x00001000u
#define P_NR_HELO	0x00002000u
#define P_NR_MAIL	0x00004000u
#define P_NR_RCPT	0x00008000u
#define P_NR_DATA	0x00010000u
#define P_NR_EOH	0x00040000u
#define P_NR_BODY	0x00080000u
#define P_HDR_LEADSPC	0x00100000u
#define P_OFFER		0x001fffffu	/* every step of version 6, as Postfix offers */

/* Actions (SMFIF_*). */
#define A_ADDHDRS	0x001u
#define A_CHGBODY	0x002u
#define A_ADDRCPT	0x004u
#define A_DELRCPT	0x008u
#define A_CHGHDRS	0x010u
#define A_QUARANTINE	0x020u
#define A_CHGFROM	0x040u
#define A_ADDRCPT_PAR	0x080u
#define A_OFFER		0x1ffu

#define PROTO_VERSION	6
#define BODY_CHUNK	65535		/* Postfix's MILTER_CHUNK_SIZE */
#define MAX_PACKET	(64u * 1024 * 1024)
#define MTA_HOSTNAME	"mx.bench.example"

/* Macro stages, numbered as in the negotiation's macro lists (SMFIM_*). */
enum stage { ST_CONNECT, ST_HELO, ST_MAIL, ST_RCPT, ST_DATA, ST_EOM, ST_EOH, ST_N };

/* Postfix 3.7's default milter_*_macros. */
static const char *const default_macros[ST_N] = {
	"j {daemon_name} {daemon_addr} v _",
	"{tls_version} {cipher} {cipher_bits} {cert_subject} {cert_issuer}",
	"i {auth_type} {auth_authen} {auth_author} {mail_addr} {mail_host} {mail_mailer}",
	"i {rcpt_addr} {rcpt_host} {rcpt_mailer}",
	"i",
	"i",
	"i",
};

struct buf {
	unsigned char *p;
	size_t len, cap;
};

/* One milter connection of a session. */
struct mc {
	int fd;
	bool is_tcp;
	int index;			/* place in the chain */
	uint32_t actions, proto;	/* as negotiated */
	char *macros[ST_N];		/* the filter's macro lists; NULL: the defaults */
	bool conn_done;			/* accepted or rejected the connection */
	bool msg_done;			/* accepted the message: no more events for it */
	bool in_msg;			/* got MAIL and no EOM yet: needs an abort */
	int skip;			/* command whose further events are skipped, or 0 */
	struct buf out;
	size_t out_off;			/* written so far of out */
	size_t out_max;			/* write when this much is buffered */
	bool broken;			/* a write failed */
	unsigned char *in;
	size_t in_len, in_pos, in_cap;
};

/* A header field of the message being sent: corpus text or a milter's. */
struct hent {
	const char *name;
	const char *value;		/* as after the colon, leading space included */
};

struct session {
	const struct mta_opts *o;
	struct mc mc[MTA_MAX_CHAIN];
	size_t nchain;
	const struct corpus_msg *msg;
	const char *qid;
	const char *rcpt;		/* the recipient of the RCPT event */
	bool qid_known;			/* Postfix names the queue file after a RCPT */
	enum mta_final conn_final;	/* MTA_ACCEPT unless the connection was refused */
	char conn_reply[256];
	struct mta_result *res;
	struct hent *h;			/* the header as the next milter will see it */
	size_t nh, caph;
	char **owned;			/* strings that h points to and we allocated */
	size_t nowned, capowned;
	struct buf log;
	struct buf tmp;
};

/* ------------------------------------------------------------------ buffers */

/* buf_reserve - room for n more bytes; exits when memory runs out. */
static void
buf_reserve(struct buf *b, size_t n)
{
	unsigned char *p;
	size_t cap;

	if (b->len + n <= b->cap)
		return;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + n)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		fprintf(stderr, "milterbench: out of memory\n");
		exit(1);
	}
	b->p = p;
	b->cap = cap;
}

static void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* buf_str - a string with its NUL, as the protocol carries strings. */
static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s) + 1);
}

static void
buf_u32(struct buf *b, uint32_t v)
{
	uint32_t n = htonl(v);

	buf_add(b, &n, 4);
}

/* buf_printf - formatted text, without NUL. */
static void __attribute__((format(printf, 2, 3)))
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* xstrdup - strdup that exits when memory runs out. */
static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);

	if (d == NULL) {
		fprintf(stderr, "milterbench: out of memory\n");
		exit(1);
	}
	memcpy(d, s, n);
	return d;
}

/* ------------------------------------------------------------------ socket I/O */

/* mc_write - n bytes of the buffer from out_off; -1 on error. */
static int
mc_write(struct mc *mc, size_t n)
{
	ssize_t w;

	while (n > 0 && !mc->broken) {
		w = send(mc->fd, mc->out.p + mc->out_off, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			mc->broken = true;
			break;
		}
		mc->out_off += (size_t)w;
		n -= (size_t)w;
	}
	if (mc->out_off == mc->out.len)
		mc->out_off = mc->out.len = 0;
	return mc->broken ? -1 : 0;
}

/*
 * mc_put - one packet into the output buffer, written out whenever a full
 * buffer's worth is there: Postfix's VSTREAM, which vstream_tweak_tcp()
 * sizes to twice the TCP MSS, so that only whole segments leave before the
 * flush that precedes reading a reply (no Nagle wait on a partial one).
 */
static void
mc_put(struct mc *mc, char cmd, const void *data, size_t len)
{
	buf_u32(&mc->out, (uint32_t)len + 1);
	buf_add(&mc->out, &cmd, 1);
	buf_add(&mc->out, data, len);
	while (mc->out.len - mc->out_off >= mc->out_max && !mc->broken)
		(void)mc_write(mc, mc->out_max);
}

/* mc_flush - write everything buffered; -1 on error. */
static int
mc_flush(struct mc *mc)
{
	return mc_write(mc, mc->out.len - mc->out_off);
}

/* mc_fill - at least need unread bytes in the input buffer; -1 on EOF or error. */
static int
mc_fill(struct mc *mc, size_t need, const struct mta_opts *o)
{
	static const int one = 1;
	ssize_t r;

	if (mc->in_len - mc->in_pos >= need)
		return 0;
	if (mc->in_pos > 0) {
		memmove(mc->in, mc->in + mc->in_pos, mc->in_len - mc->in_pos);
		mc->in_len -= mc->in_pos;
		mc->in_pos = 0;
	}
	if (mc->in_cap < need || mc->in_cap - mc->in_len < 4096) {
		size_t cap = mc->in_cap ? mc->in_cap : 65536;
		unsigned char *p;

		while (cap < need || cap - mc->in_len < 4096)
			cap *= 2;
		if ((p = realloc(mc->in, cap)) == NULL)
			return -1;
		mc->in = p;
		mc->in_cap = cap;
	}
	while (mc->in_len < need) {
		r = read(mc->fd, mc->in + mc->in_len, mc->in_cap - mc->in_len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		mc->in_len += (size_t)r;
		if (o->quickack && mc->is_tcp)
			setsockopt(mc->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
	}
	return 0;
}

/* mc_read - the next packet (flushing what is buffered first); -1 on error. */
static int
mc_read(struct mc *mc, const struct mta_opts *o, char *cmd, const unsigned char **data,
    size_t *len)
{
	uint32_t n;

	if (mc_flush(mc) != 0)
		return -1;
	if (mc_fill(mc, 4, o) != 0)
		return -1;
	memcpy(&n, mc->in + mc->in_pos, 4);
	n = ntohl(n);
	if (n < 1 || n > MAX_PACKET || mc_fill(mc, 4 + (size_t)n, o) != 0)
		return -1;
	*cmd = (char)mc->in[mc->in_pos + 4];
	*data = mc->in + mc->in_pos + 5;
	*len = n - 1;
	mc->in_pos += 4 + (size_t)n;
	return 0;
}

/* ------------------------------------------------------------------ connection */

int
mta_parse_milter(const char *s, struct mta_milter *m, char *err, size_t errlen)
{
	const char *p, *sep;
	char *end;
	unsigned long port;
	struct in_addr a;

	memset(m, 0, sizeof(*m));
	if (snprintf(m->spec, sizeof(m->spec), "%s", s) >= (int)sizeof(m->spec))
		goto bad;
	if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0) {
		p = strchr(s, ':') + 1;
		m->is_unix = true;
		if (snprintf(m->path, sizeof(m->path), "%s", p) >= (int)sizeof(m->path) || !*p)
			goto bad;
		return 0;
	}
	if (strncmp(s, "inet:", 5) != 0)
		goto bad;
	p = s + 5;
	if ((sep = strchr(p, '@')) != NULL) {		/* inet:PORT@HOST (sendmail) */
		port = strtoul(p, &end, 10);
		if (end != sep || snprintf(m->host, sizeof(m->host), "%s", sep + 1) >=
		    (int)sizeof(m->host))
			goto bad;
	} else if ((sep = strrchr(p, ':')) != NULL) {	/* inet:HOST:PORT (Postfix) */
		port = strtoul(sep + 1, &end, 10);
		if (*end != '\0' || (size_t)(sep - p) >= sizeof(m->host))
			goto bad;
		memcpy(m->host, p, (size_t)(sep - p));
		m->host[sep - p] = '\0';
	} else {
		goto bad;
	}
	if (port == 0 || port > 65535 || inet_pton(AF_INET, m->host, &a) != 1)
		goto bad;
	m->port = (uint16_t)port;
	return 0;
bad:
	snprintf(err, errlen, "%s: not inet:PORT@IPV4, inet:IPV4:PORT or unix:PATH", s);
	return -1;
}

/* mc_connect - a socket to m, with timeouts; -1 on error. */
static int
mc_connect(struct mc *mc, const struct mta_milter *m, const struct mta_opts *o)
{
	struct sockaddr_in sin;
	struct sockaddr_un sun;
	struct timeval tv = { o->timeout_s, 0 };
	static const int one = 1;
	int rc, mss = 0;
	socklen_t len = sizeof(mss);

	mc->fd = socket(m->is_unix ? AF_UNIX : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (mc->fd < 0)
		return -1;
	setsockopt(mc->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(mc->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	mc->is_tcp = !m->is_unix;
	if (m->is_unix) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, m->path, strlen(m->path) + 1);
		rc = connect(mc->fd, (struct sockaddr *)&sun, sizeof(sun));
	} else {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(m->port);
		inet_pton(AF_INET, m->host, &sin.sin_addr);
		rc = connect(mc->fd, (struct sockaddr *)&sin, sizeof(sin));
		if (rc == 0 && o->quickack)
			setsockopt(mc->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
		if (rc == 0)
			getsockopt(mc->fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &len);
	}
	/* VSTREAM_BUFSIZE is 4096; Postfix doubles the MSS when that is larger. */
	mc->out_max = mss > 2048 ? 2 * (size_t)mss : 4096;
	return rc;
}

/* take_macro_lists - the filter's macro lists after the negotiation words. */
static int
take_macro_lists(struct mc *mc, const unsigned char *p, size_t len)
{
	uint32_t stage;
	const unsigned char *nul;

	while (len > 0) {
		if (len < 5)
			return -1;
		memcpy(&stage, p, 4);
		stage = ntohl(stage);
		nul = memchr(p + 4, '\0', len - 4);
		if (nul == NULL || stage >= ST_N)
			return -1;
		free(mc->macros[stage]);
		mc->macros[stage] = xstrdup((const char *)p + 4);
		len -= (size_t)(nul + 1 - p);
		p = nul + 1;
	}
	return 0;
}

/* mc_negotiate - SMFIC_OPTNEG offering everything; -1 on error. */
static int
mc_negotiate(struct mc *mc, const struct mta_opts *o)
{
	struct buf b = { NULL, 0, 0 };
	const unsigned char *d;
	uint32_t w[3];
	size_t len;
	char cmd;
	int i;

	buf_u32(&b, PROTO_VERSION);
	buf_u32(&b, A_OFFER);
	buf_u32(&b, P_OFFER);
	mc_put(mc, CMD_OPTNEG, b.p, b.len);
	free(b.p);
	if (mc_read(mc, o, &cmd, &d, &len) != 0 || cmd != CMD_OPTNEG || len < 12)
		return -1;
	for (i = 0; i < 3; i++) {
		memcpy(&w[i], d + 4 * i, 4);
		w[i] = ntohl(w[i]);
	}
	if (w[0] < 2 || w[0] > PROTO_VERSION || (w[1] & ~A_OFFER) || (w[2] & ~P_OFFER))
		return -1;
	mc->actions = w[1];
	mc->proto = w[2];
	return take_macro_lists(mc, d + 12, len - 12);
}

/* ------------------------------------------------------------------ macros */

/* macro_value - what Postfix would send for a macro now, or NULL. */
static const char *
macro_value(struct session *s, const char *name, char *tmp, size_t tmplen)
{
	const struct corpus_msg *m = s->msg;
	const char *addr;

	if (strcmp(name, "j") == 0 || strcmp(name, "{daemon_name}") == 0)
		return MTA_HOSTNAME;
	if (strcmp(name, "{daemon_addr}") == 0)
		return "127.0.0.1";
	if (strcmp(name, "v") == 0)
		return "Postfix 3.7.11";
	if (strcmp(name, "_") == 0) {
		snprintf(tmp, tmplen, "%s [%s]", m->ptr, m->ip);
		return tmp;
	}
	if (strcmp(name, "{client_addr}") == 0)
		return m->ip;
	if (strcmp(name, "{client_name}") == 0 || strcmp(name, "{client_ptr}") == 0)
		return m->ptr;
	if (strcmp(name, "i") == 0)
		return s->qid_known ? s->qid : NULL;
	if (strcmp(name, "{mail_addr}") == 0 || strcmp(name, "{rcpt_addr}") == 0) {
		addr = name[1] == 'm' ? m->mail_from : s->rcpt;
		if (addr == NULL)
			return NULL;
		snprintf(tmp, tmplen, "%.*s", (int)(strlen(addr) >= 2 ? strlen(addr) - 2 : 0),
		    addr + 1);
		return tmp;
	}
	if (strcmp(name, "{mail_mailer}") == 0 || strcmp(name, "{rcpt_mailer}") == 0)
		return "smtp";
	return NULL;
}

/* put_macros - the defined macros of stage, for the command cmd. */
static void
put_macros(struct session *s, struct mc *mc, enum stage st, char cmd)
{
	const char *list = mc->macros[st] ? mc->macros[st] : default_macros[st];
	const char *p = list, *v;
	char name[128], tmp[1024];
	size_t n;

	s->tmp.len = 0;
	buf_add(&s->tmp, &cmd, 1);
	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, " ,");
		if (n == 0)
			break;
		if (n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			if ((v = macro_value(s, name, tmp, sizeof(tmp))) != NULL) {
				buf_str(&s->tmp, name);
				buf_str(&s->tmp, v);
			}
		}
		p += n;
	}
	if (s->tmp.len > 1)
		mc_put(mc, CMD_MACRO, s->tmp.p, s->tmp.len);
}

/* ------------------------------------------------------------------ results */

/* final_of - what a reply code does to the message. */
static enum mta_final
final_of(char code, const char *text)
{
	switch (code) {
	case REP_REJECT: return MTA_REJECT;
	case REP_TEMPFAIL: case REP_CONN_FAIL: case REP_SHUTDOWN: return MTA_TEMPFAIL;
	case REP_DISCARD: return MTA_DISCARD;
	case REP_REPLYCODE:
		return text[0] == '4' ? MTA_TEMPFAIL : text[0] == '5' ? MTA_REJECT : MTA_ERROR;
	default: return MTA_ERROR;
	}
}

/* default_reply - the reply text of a reject or tempfail without its own. */
static const char *
default_reply(char code)
{
	switch (code) {
	case REP_REJECT: return "550 5.7.1 Command rejected";
	case REP_TEMPFAIL: return "451 4.7.1 Service unavailable - try again later";
	case REP_CONN_FAIL: case REP_SHUTDOWN: return "421 4.7.0 Server closing connection";
	default: return "";
	}
}

/* log_escaped - s into the log with backslash, tab, CR, LF and '|' escaped. */
static void
log_escaped(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '|': buf_add(b, "\\|", 2); break;
		default: buf_add(b, s + i, 1);
		}
	}
}

/* log_mod - one change a milter asked for, when recording. */
static void
log_mod(struct session *s, struct mc *mc, const char *what, const char *a, const char *v)
{
	if (!s->o->record)
		return;
	if (s->log.len > 0)
		buf_add(&s->log, "|", 1);
	buf_printf(&s->log, "m%d %s ", mc->index + 1, what);
	log_escaped(&s->log, a, strlen(a));
	if (v != NULL) {
		buf_add(&s->log, ":", 1);
		log_escaped(&s->log, v, strlen(v));
	}
}

/* ------------------------------------------------------------------ events */

/* await - the reply to an event (progress skipped); 0 on error. */
static char
await(struct session *s, struct mc *mc, char *text, size_t textlen)
{
	const unsigned char *d;
	size_t len;
	char cmd;

	for (;;) {
		if (mc_read(mc, s->o, &cmd, &d, &len) != 0)
			return 0;
		if (cmd != REP_PROGRESS)
			break;
		s->res->mods.progress++;
	}
	text[0] = '\0';
	if (cmd == REP_REPLYCODE) {
		if (len == 0 || d[len - 1] != '\0')
			return 0;
		snprintf(text, textlen, "%s", (const char *)d);
	}
	return cmd;
}

/*
 * event - the macros of st, then cmd with data unless the filter asked not
 * to get it (nosend), then its reply unless it asked to send none
 * (noreply).  Returns the reply ('c' when none), or 0 on error.
 */
static char
event(struct session *s, struct mc *mc, enum stage st, char cmd, uint32_t nosend,
    uint32_t noreply, const void *data, size_t len, char *text, size_t textlen)
{
	put_macros(s, mc, st, cmd);
	text[0] = '\0';
	if ((mc->proto & nosend) != 0 || mc->skip == cmd)
		return REP_CONTINUE;
	if (mc->skip != 0)
		mc->skip = 0;
	mc_put(mc, cmd, data, len);
	if ((mc->proto & noreply) != 0)
		return REP_CONTINUE;
	return await(s, mc, text, textlen);
}

/* active - does milter mc still get this message's events? */
static bool
active(const struct mc *mc)
{
	return !mc->conn_done && !mc->msg_done;
}

/* ------------------------------------------------------------------ header list */

static void
h_own(struct session *s, char *p)
{
	if (s->nowned == s->capowned) {
		s->capowned = s->capowned ? 2 * s->capowned : 16;
		s->owned = realloc(s->owned, s->capowned * sizeof(*s->owned));
		if (s->owned == NULL) {
			fprintf(stderr, "milterbench: out of memory\n");
			exit(1);
		}
	}
	s->owned[s->nowned++] = p;
}

/* h_insert - a field at position idx (clamped), taking copies. */
static void
h_insert(struct session *s, size_t idx, const char *name, const char *value, bool leadspc)
{
	char *n = xstrdup(name), *v;
	size_t vlen = strlen(value);

	/* Stored as after the colon: a filter without LEADSPC gets one space added. */
	v = malloc(vlen + 2);
	if (v == NULL) {
		fprintf(stderr, "milterbench: out of memory\n");
		exit(1);
	}
	snprintf(v, vlen + 2, "%s%s", leadspc ? "" : " ", value);
	h_own(s, n);
	h_own(s, v);
	if (s->nh == s->caph) {
		s->caph = s->caph ? 2 * s->caph : 32;
		if ((s->h = realloc(s->h, s->caph * sizeof(*s->h))) == NULL) {
			fprintf(stderr, "milterbench: out of memory\n");
			exit(1);
		}
	}
	if (idx > s->nh)
		idx = s->nh;
	memmove(s->h + idx + 1, s->h + idx, (s->nh - idx) * sizeof(*s->h));
	s->h[idx].name = n;
	s->h[idx].value = v;
	s->nh++;
}

/* h_change - the idx'th (1-based) field called name: replaced, or deleted when value is "". */
static void
h_change(struct session *s, uint32_t idx, const char *name, const char *value, bool leadspc)
{
	size_t i;
	uint32_t seen = 0;

	for (i = 0; i < s->nh; i++) {
		if (strcasecmp(s->h[i].name, name) != 0 || ++seen != idx)
			continue;
		if (value[0] == '\0') {
			memmove(s->h + i, s->h + i + 1, (s->nh - i - 1) * sizeof(*s->h));
			s->nh--;
		} else {
			h_insert(s, i, name, value, leadspc);
			memmove(s->h + i + 1, s->h + i + 2, (s->nh - i - 2) * sizeof(*s->h));
			s->nh--;
		}
		return;
	}
	if (value[0] != '\0')		/* no such field: sendmail and Postfix add it */
		h_insert(s, s->nh, name, value, leadspc);
}

/* h_reset - the corpus message's own header again. */
static void
h_reset(struct session *s)
{
	size_t i;

	for (i = 0; i < s->nowned; i++)
		free(s->owned[i]);
	s->nowned = 0;
	s->nh = s->msg->nfields;
	if (s->caph < s->nh) {
		s->caph = s->nh + 16;
		if ((s->h = realloc(s->h, s->caph * sizeof(*s->h))) == NULL) {
			fprintf(stderr, "milterbench: out of memory\n");
			exit(1);
		}
	}
	for (i = 0; i < s->nh; i++) {
		s->h[i].name = s->msg->fields[i].name;
		s->h[i].value = s->msg->fields[i].value;
	}
}

/* ------------------------------------------------------------------ message phases */

/* two_strings - "name\0value\0" at d, len bytes; false when malformed. */
static bool
two_strings(const unsigned char *d, size_t len, const char **a, const char **b)
{
	const unsigned char *nul = memchr(d, '\0', len);

	if (nul == NULL || len == 0 || d[len - 1] != '\0' || nul == d + len - 1)
		return false;
	*a = (const char *)d;
	*b = (const char *)nul + 1;
	return memchr(*b, '\0', len - (size_t)(nul + 1 - d)) == (const void *)(d + len - 1);
}

/* allowed - may the filter ask for this change (negotiated actions)? */
static bool
allowed(const struct mc *mc, char cmd)
{
	switch (cmd) {
	case REP_ADDHEADER: case REP_INSHEADER: return mc->actions & A_ADDHDRS;
	case REP_CHGHEADER: return mc->actions & A_CHGHDRS;
	case REP_QUARANTINE: return mc->actions & A_QUARANTINE;
	case REP_REPLBODY: return mc->actions & A_CHGBODY;
	case REP_ADDRCPT: return mc->actions & A_ADDRCPT;
	case REP_DELRCPT: return mc->actions & A_DELRCPT;
	case REP_ADDRCPT_PAR: return mc->actions & A_ADDRCPT_PAR;
	case REP_CHGFROM: return mc->actions & A_CHGFROM;
	default: return false;
	}
}

/* header_mod - an addheader, insheader or chgheader; false when malformed. */
static bool
header_mod(struct session *s, struct mc *mc, char cmd, const unsigned char *d, size_t len)
{
	bool lead = (mc->proto & P_HDR_LEADSPC) != 0;
	const char *name, *value;
	uint32_t idx = 0;
	char what[32];

	if (cmd != REP_ADDHEADER) {
		if (len < 4)
			return false;
		memcpy(&idx, d, 4);
		idx = ntohl(idx);
		d += 4;
		len -= 4;
	}
	if (!two_strings(d, len, &name, &value))
		return false;
	if (cmd == REP_ADDHEADER) {
		s->res->mods.addheader++;
		h_insert(s, s->nh, name, value, lead);
		snprintf(what, sizeof(what), "addheader");
	} else if (cmd == REP_INSHEADER) {
		s->res->mods.insheader++;
		h_insert(s, idx, name, value, lead);
		snprintf(what, sizeof(what), "insheader %u", idx);
	} else {
		s->res->mods.chgheader++;
		h_change(s, idx, name, value, lead);
		snprintf(what, sizeof(what), "chgheader %u", idx);
	}
	log_mod(s, mc, what, name, value);
	return true;
}

/* eom_mod - one change at end of message; false on a protocol error. */
static bool
eom_mod(struct session *s, struct mc *mc, char cmd, const unsigned char *d, size_t len,
    bool *quarantined)
{
	struct mta_mods *m = &s->res->mods;

	if (!allowed(mc, cmd))
		return false;
	switch (cmd) {
	case REP_ADDHEADER: case REP_INSHEADER: case REP_CHGHEADER:
		return header_mod(s, mc, cmd, d, len);
	case REP_QUARANTINE:
		if (len == 0 || d[len - 1] != '\0')
			return false;
		m->quarantine++;
		*quarantined = true;
		log_mod(s, mc, "quarantine", (const char *)d, NULL);
		return true;
	case REP_REPLBODY:
		m->replbody++;
		return true;
	case REP_ADDRCPT: case REP_DELRCPT: case REP_ADDRCPT_PAR:
		m->rcpt++;
		return true;
	default:		/* REP_CHGFROM */
		m->chgfrom++;
		return true;
	}
}

/* eom - end of message to mc and its changes until the final reply; 0 on error. */
static char
eom(struct session *s, struct mc *mc, char *text, size_t textlen, bool *quarantined)
{
	const unsigned char *d;
	size_t len;
	char cmd;

	put_macros(s, mc, ST_EOM, CMD_BODYEOB);
	mc_put(mc, CMD_BODYEOB, NULL, 0);
	mc->in_msg = false;
	for (;;) {
		if (mc_read(mc, s->o, &cmd, &d, &len) != 0)
			return 0;
		switch (cmd) {
		case REP_ACCEPT: case REP_CONTINUE: case REP_REJECT: case REP_TEMPFAIL:
		case REP_DISCARD: case REP_CONN_FAIL: case REP_SHUTDOWN:
			text[0] = '\0';
			return cmd;
		case REP_REPLYCODE:
			if (len == 0 || d[len - 1] != '\0')
				return 0;
			snprintf(text, textlen, "%s", (const char *)d);
			return cmd;
		case REP_PROGRESS:
			s->res->mods.progress++;
			break;
		default:
			if (!eom_mod(s, mc, cmd, d, len, quarantined))
				return 0;
		}
	}
}

/* send_header - every field to mc; its reply when it wants to give one. */
static char
send_header(struct session *s, struct mc *mc, char *text, size_t textlen)
{
	bool lead = (mc->proto & P_HDR_LEADSPC) != 0;
	const char *v;
	char r = REP_CONTINUE;
	size_t i;
	struct buf pkt = { NULL, 0, 0 };

	for (i = 0; i < s->nh; i++) {
		v = s->h[i].value;
		if (!lead && v[0] == ' ')	/* Postfix eats one space, not a tab */
			v++;
		pkt.len = 0;
		buf_str(&pkt, s->h[i].name);
		buf_str(&pkt, v);
		r = event(s, mc, ST_EOH, CMD_HEADER, P_NOHDRS, P_NR_HDR, pkt.p, pkt.len, text,
		    textlen);
		if (r != REP_CONTINUE)
			break;
	}
	free(pkt.p);
	return i == s->nh ? REP_CONTINUE : r;
}

/* send_body - the body in chunks, until the end or a skip. */
static char
send_body(struct session *s, struct mc *mc, char *text, size_t textlen)
{
	const unsigned char *p = s->msg->body;
	size_t left = s->msg->body_len, n;
	char r;

	while (left > 0) {
		n = left < BODY_CHUNK ? left : BODY_CHUNK;
		r = event(s, mc, ST_EOH, CMD_BODY, P_NOBODY, P_NR_BODY, p, n, text, textlen);
		if (r == REP_SKIP) {
			mc->skip = CMD_BODY;
			return REP_CONTINUE;
		}
		if (r != REP_CONTINUE)
			return r;
		p += n;
		left -= n;
	}
	return REP_CONTINUE;
}

/*
 * decided - what a reply means for the message: false to go on, true when
 * it is final (res->final set).  An accept ends the milter's part.
 */
static bool
decided(struct session *s, struct mc *mc, char r, const char *text, bool conn_stage)
{
	enum mta_final f;

	if (r == REP_CONTINUE || r == REP_SKIP)
		return false;
	if (r == REP_ACCEPT) {
		if (conn_stage)
			mc->conn_done = true;
		else
			mc->msg_done = true;
		return false;
	}
	f = r == 0 ? MTA_ERROR : final_of(r, text);
	s->res->final = f;
	snprintf(s->res->reply, sizeof(s->res->reply), "%s", text[0] ? text : default_reply(r));
	if (f == MTA_ERROR)
		log_mod(s, mc, "error", r == 0 ? "connection or protocol" : "bad reply", NULL);
	return true;
}

/* content - header, eoh, body and eom to each milter in turn. */
static bool
content(struct session *s, bool *quarantined)
{
	char text[512], r;
	size_t j;

	h_reset(s);
	for (j = 0; j < s->nchain; j++) {
		struct mc *mc = &s->mc[j];

		if (!active(mc))
			continue;
		r = send_header(s, mc, text, sizeof(text));
		if (r == REP_CONTINUE)
			r = event(s, mc, ST_EOH, CMD_EOH, P_NOEOH, P_NR_EOH, NULL, 0, text,
			    sizeof(text));
		if (r == REP_CONTINUE)
			r = send_body(s, mc, text, sizeof(text));
		if (r == REP_CONTINUE)
			r = eom(s, mc, text, sizeof(text), quarantined);
		else if (r == REP_ACCEPT)
			mc->in_msg = false;	/* it has had all it wants of this message */
		if (decided(s, mc, r, text, false))
			return true;
	}
	return false;
}

/* mail_from_event - MAIL FROM with Postfix's SIZE parameter. */
static char
mail_from_event(struct session *s, struct mc *mc, char *text, size_t textlen)
{
	struct buf b = { NULL, 0, 0 };
	char size[64];
	char r;

	buf_str(&b, s->msg->mail_from);
	snprintf(size, sizeof(size), "SIZE=%zu", s->msg->size);
	buf_str(&b, size);
	mc->in_msg = true;
	r = event(s, mc, ST_MAIL, CMD_MAIL, P_NOMAIL, P_NR_MAIL, b.p, b.len, text, textlen);
	free(b.p);
	return r;
}

/* rcpts - every RCPT to each milter; false when no recipient is left. */
static bool
rcpts(struct session *s)
{
	char text[512], r = REP_CONTINUE, last[512] = "", lastr = REP_REJECT;
	size_t i, j, ok = 0;
	bool refused;

	for (i = 0; i < s->msg->nrcpt; i++) {
		s->rcpt = s->msg->rcpt[i];
		refused = false;
		for (j = 0; j < s->nchain && !refused; j++) {
			if (!active(&s->mc[j]))
				continue;
			r = event(s, &s->mc[j], ST_RCPT, CMD_RCPT, P_NORCPT, P_NR_RCPT, s->rcpt,
			    strlen(s->rcpt) + 1, text, sizeof(text));
			if (r == REP_ACCEPT)
				s->mc[j].msg_done = true;
			else if (r != REP_CONTINUE) {
				refused = true;	/* this recipient only (a discard is more) */
				lastr = r;
				snprintf(last, sizeof(last), "%s", text);
				if (r == 0 || r == REP_DISCARD) {
					decided(s, &s->mc[j], r, text, false);
					return false;
				}
			}
		}
		if (!refused) {
			ok++;
			s->qid_known = true;
		}
	}
	s->rcpt = NULL;
	if (ok == 0)
		decided(s, &s->mc[0], lastr, last, false);
	return ok > 0;
}

/* envelope - MAIL, RCPT, DATA; false when the message ended there. */
static bool
envelope(struct session *s)
{
	char text[512], r;
	size_t j;

	for (j = 0; j < s->nchain; j++) {
		if (!active(&s->mc[j]))
			continue;
		r = mail_from_event(s, &s->mc[j], text, sizeof(text));
		if (decided(s, &s->mc[j], r, text, false))
			return false;
	}
	if (!rcpts(s))
		return false;
	for (j = 0; j < s->nchain; j++) {
		if (!active(&s->mc[j]))
			continue;
		r = event(s, &s->mc[j], ST_DATA, CMD_DATA, P_NODATA, P_NR_DATA, NULL, 0, text,
		    sizeof(text));
		if (decided(s, &s->mc[j], r, text, false))
			return false;
	}
	return true;
}

/* connect_helo - CONNECT and HELO to each milter; false when refused. */
static bool
connect_helo(struct session *s)
{
	const struct corpus_msg *m = s->msg;
	struct buf b = { NULL, 0, 0 };
	uint16_t port = htons(25);
	char text[512], r = REP_CONTINUE;
	size_t j;
	bool refused = false;

	buf_str(&b, m->ptr);
	buf_add(&b, "4", 1);
	buf_add(&b, &port, 2);
	buf_str(&b, m->ip);
	for (j = 0; j < s->nchain && !refused; j++) {
		r = event(s, &s->mc[j], ST_CONNECT, CMD_CONNECT, P_NOCONNECT, P_NR_CONN, b.p, b.len,
		    text, sizeof(text));
		refused = decided(s, &s->mc[j], r, text, true);
	}
	for (j = 0; j < s->nchain && !refused; j++) {
		if (s->mc[j].conn_done)
			continue;
		r = event(s, &s->mc[j], ST_HELO, CMD_HELO, P_NOHELO, P_NR_HELO, m->helo,
		    strlen(m->helo) + 1, text, sizeof(text));
		refused = decided(s, &s->mc[j], r, text, true);
	}
	free(b.p);
	return !refused;
}

/* ------------------------------------------------------------------ session */

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* abort_rest - SMFIC_ABORT to every milter left inside the message. */
static void
abort_rest(struct session *s)
{
	size_t j;

	for (j = 0; j < s->nchain; j++) {
		struct mc *mc = &s->mc[j];

		if (mc->in_msg && !mc->conn_done)
			mc_put(mc, CMD_ABORT, NULL, 0);
		mc->in_msg = false;
		mc->msg_done = false;
		mc->skip = 0;
	}
}

/* one_message - the envelope and content of s->msg; res->final set. */
static void
one_message(struct session *s)
{
	bool quarantined = false;

	s->res->final = MTA_ACCEPT;
	if (envelope(s) && !content(s, &quarantined))
		s->res->final = quarantined ? MTA_QUARANTINE : MTA_ACCEPT;
	else if (quarantined && s->res->final == MTA_ACCEPT)
		s->res->final = MTA_QUARANTINE;
	abort_rest(s);
}

/* session_open - connect and negotiate with every milter; false on error. */
static bool
session_open(struct session *s, const struct mta_milter *chain)
{
	size_t j;

	for (j = 0; j < s->nchain; j++) {
		s->mc[j].index = (int)j;
		if (mc_connect(&s->mc[j], &chain[j], s->o) != 0 ||
		    mc_negotiate(&s->mc[j], s->o) != 0)
			return false;
	}
	return true;
}

/* session_close - quit, close, free. */
static void
session_close(struct session *s)
{
	size_t j;
	int k;

	for (j = 0; j < s->nchain; j++) {
		struct mc *mc = &s->mc[j];

		if (mc->fd >= 0) {
			mc_put(mc, CMD_QUIT, NULL, 0);
			(void)mc_flush(mc);
			close(mc->fd);
		}
		for (k = 0; k < ST_N; k++)
			free(mc->macros[k]);
		free(mc->out.p);
		free(mc->in);
	}
	for (j = 0; j < s->nowned; j++)
		free(s->owned[j]);
	free(s->owned);
	free(s->h);
	free(s->log.p);
	free(s->tmp.p);
}

/* finish - the message's latency and log. */
static void
finish(struct session *s, struct mta_result *r, double t0)
{
	r->latency_ms = now_ms() - t0;
	if (s->o->record) {
		r->log = malloc(s->log.len + 1);
		if (r->log != NULL) {
			if (s->log.len > 0)
				memcpy(r->log, s->log.p, s->log.len);
			r->log[s->log.len] = '\0';
		}
	}
	s->log.len = 0;
}

size_t
mta_session(const struct mta_milter *chain, size_t nchain, const struct mta_opts *o,
    const struct corpus_msg *const *msgs, const char *const *qids, size_t n,
    struct mta_result *res)
{
	struct session s;
	size_t i, j, errors = 0;
	double start = now_ms();	/* the first message's time includes connecting */
	bool ok;

	memset(&s, 0, sizeof(s));
	memset(res, 0, n * sizeof(*res));
	s.o = o;
	s.nchain = nchain < MTA_MAX_CHAIN ? nchain : MTA_MAX_CHAIN;
	for (j = 0; j < s.nchain; j++)
		s.mc[j].fd = -1;
	s.msg = msgs[0];
	s.qid = qids[0];
	s.res = &res[0];
	ok = session_open(&s, chain);
	if (ok && !connect_helo(&s)) {
		s.conn_final = res[0].final;
		snprintf(s.conn_reply, sizeof(s.conn_reply), "%s", res[0].reply);
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			start = now_ms();
		s.msg = msgs[i];
		s.qid = qids[i];
		s.res = &res[i];
		s.qid_known = false;
		if (!ok) {
			res[i].final = MTA_ERROR;
			log_mod(&s, &s.mc[0], "error", "cannot connect or negotiate", NULL);
		} else if (s.conn_final != MTA_ACCEPT) {
			res[i].final = s.conn_final;
			snprintf(res[i].reply, sizeof(res[i].reply), "%s", s.conn_reply);
		} else {
			one_message(&s);
		}
		finish(&s, &res[i], start);
		if (res[i].final == MTA_ERROR) {
			errors++;
			ok = false;	/* the rest of the session is lost */
		}
	}
	session_close(&s);
	return errors;
}

const char *
mta_final_name(enum mta_final f)
{
	static const char *const names[MTA_NFINAL] = {
		"accept", "quarantine", "reject", "tempfail", "discard", "error"
	};

	return f < MTA_NFINAL ? names[f] : "?";
}
