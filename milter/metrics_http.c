/*
 * metrics_http.c - the MetricsSocket server; see metrics_http.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "log.h"
#include "metrics.h"
#include "metrics_http.h"

#define SCRAPES_AT_ONCE 16
#define SCRAPE_TIMEOUT_S 10
#define EXPOSITION_MAX (4 * 1024 * 1024)
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

static int listen_fd = -1;
static int listen_family;
static struct MHD_Daemon *server;

/* split_spec - the family, host and port of an inet/inet6 spec; -1 when malformed. */
static int
split_spec(const char *spec, int *family, char *host, size_t hsize, char *port, size_t psize)
{
	const char *rest, *at;
	size_t n;

	if (strncmp(spec, "inet:", 5) == 0) {
		*family = AF_INET;
		rest = spec + 5;
	} else if (strncmp(spec, "inet6:", 6) == 0) {
		*family = AF_INET6;
		rest = spec + 6;
	} else {
		return -1;
	}
	at = strchr(rest, '@');
	n = at != NULL ? (size_t)(at - rest) : strlen(rest);
	if (n == 0 || n >= psize)
		return -1;
	memcpy(port, rest, n);
	port[n] = '\0';
	snprintf(host, hsize, "%s", at != NULL ? at + 1 : (*family == AF_INET ? "127.0.0.1" : "::1"));
	n = strlen(host);
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {	/* inet6:PORT@[::1] */
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	return 0;
}

/* bind_listen - a listening socket on the first address of ai that works; -1 with errno. */
static int
bind_listen(const struct addrinfo *ai)
{
	int fd, on = 1, err = 0;

	for (; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (ai->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SCRAPES_AT_ONCE) == 0)
			return fd;
		err = errno;
		close(fd);
	}
	errno = err;
	return -1;
}

int
metrics_http_open(const char *spec, char *err, size_t errsize)
{
	struct addrinfo hints, *ai = NULL;
	char host[256], port[16];
	int rc;

	if (split_spec(spec, &listen_family, host, sizeof(host), port, sizeof(port)) != 0) {
		snprintf(err, errsize, "MetricsSocket %s: not inet:PORT@ADDRESS or inet6:PORT@ADDRESS", spec);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = listen_family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0) {
		snprintf(err, errsize, "MetricsSocket %s: %s", spec, gai_strerror(rc));
		return -1;
	}
	listen_fd = bind_listen(ai);
	rc = errno;
	freeaddrinfo(ai);
	if (listen_fd < 0) {
		snprintf(err, errsize, "cannot open MetricsSocket %s: %s", spec, strerror(rc));
		return -1;
	}
	return 0;
}

/* reply - queue a response of len bytes of text (taken: freed by libmicrohttpd). */
static enum MHD_Result
reply(struct MHD_Connection *c, unsigned status, char *text, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(text);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    status == MHD_HTTP_OK ? CONTENT_TYPE : "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* reply_text - a short fixed answer. */
static enum MHD_Result
reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	char *copy = strdup(text);

	return copy != NULL ? reply(c, status, copy, strlen(copy)) : MHD_NO;
}

/* answer - one request: GET or HEAD /metrics. */
static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **req_cls)
{
	struct str out = STR_INITIALIZER(EXPOSITION_MAX);
	size_t len;

	(void)cls;
	(void)version;
	(void)upload_data;
	(void)req_cls;
	*upload_size = 0;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (strcmp(url, "/metrics") != 0)
		return reply_text(c, MHD_HTTP_NOT_FOUND, "authmilter: the metrics are at /metrics\n");
	if (metrics_render(&out) != 0) {
		str_free(&out);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	}
	len = out.len;
	return reply(c, MHD_HTTP_OK, str_steal(&out), len);
}

/* mhd_log - libmicrohttpd's complaints into the log. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	log_msg(LOG_WARNING, NULL, "MetricsSocket: %s", line);
}

int
metrics_http_start(char *err, size_t errsize)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG;

	if (listen_fd < 0)
		return 0;
	if (listen_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	server = MHD_start_daemon(flags, 0, NULL, NULL, answer, NULL,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)listen_fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)SCRAPES_AT_ONCE,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SCRAPE_TIMEOUT_S,
	    MHD_OPTION_END);
	if (server == NULL) {
		snprintf(err, errsize, "cannot serve the MetricsSocket (libmicrohttpd failed to start)");
		return -1;
	}
	return 0;
}

void
metrics_http_stop(void)
{
	if (server != NULL)
		MHD_stop_daemon(server);
	else if (listen_fd >= 0)
		close(listen_fd);
	server = NULL;
	listen_fd = -1;
}
