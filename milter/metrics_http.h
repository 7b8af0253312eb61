/*
 * metrics_http.h - the MetricsSocket: metrics.h's exposition on GET
 * /metrics, served by libmicrohttpd from a thread of its own.
 *
 * The socket is bound while the daemon is still root (a port below 1024
 * works) and before it goes into the background (an address in use is an
 * error on the terminal, exit 1); the server thread starts after the fork
 * and the privilege drop.  At most 16 scrapes at once, each given 10
 * seconds: a scraper that stalls holds nothing the mail needs.
 *
 * Thread-safety: call from the main thread only.
 */
#ifndef AUTHMILTER_METRICS_HTTP_H
#define AUTHMILTER_METRICS_HTTP_H

#include <stddef.h>

/*
 * metrics_http_open - bind and listen on spec ("inet:PORT@ADDRESS" or
 * "inet6:PORT@ADDRESS"; no ADDRESS: the loopback address).  0, or -1 with
 * the reason in err.
 */
int metrics_http_open(const char *spec, char *err, size_t errsize);

/* metrics_http_start - serve on the opened socket; 0, or -1 with the reason in err. */
int metrics_http_start(char *err, size_t errsize);

/* metrics_http_stop - stop serving and close the socket (nothing opened: nothing done). */
void metrics_http_stop(void);

#endif
