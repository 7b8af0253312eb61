/*
 * authmilter.c - the daemon: options, configuration, socket, privileges,
 * reload on SIGHUP, then libmilter's main loop.  The per-message work is in
 * callbacks.c -> message.c -> decide.c -> apply.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "callbacks.h"
#include "conf.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "notify.h"
#include "runtime.h"
#include "signals.h"
#include "threads.h"

struct opts {
	const char *conf_path;		/* NULL: the default file if present, else defaults */
	bool check_only;		/* -n */
	bool foreground;		/* -f */
	bool dump;			/* -d */
};

/* The 1 MB milter packet size (SMFIP_MDS_1M); libmilter's header names it
 * only when built with _FFR_MDS_NEGOTIATE. */
#define MAX_PACKET ((1024 * 1024) - 1)

static const char *conf_path;		/* what a reload reads */
static const char *listen_socket;	/* Socket at the start (a reload cannot change it) */

/* usage - the synopsis. */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: authmilter [-c FILE] [-n] [-d] [-f] [-V]\n"
	    "  -c FILE  configuration file (default %s, built-in defaults when absent)\n"
	    "  -n       check the configuration and exit (non-zero on error)\n"
	    "  -d       print every key's effective value and exit\n"
	    "  -f       stay in the foreground, log to standard error too\n"
	    "  -V       print the version and exit\n", CONF_DEFAULT_FILE);
	exit(status);
}

/* parse_opts - the command line. */
static void
parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "c:ndfVh")) != -1) {
		switch (c) {
		case 'c': o->conf_path = optarg; break;
		case 'n': o->check_only = true; break;
		case 'd': o->dump = true; break;
		case 'f': o->foreground = true; break;
		case 'V': printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION); exit(0);
		case 'h': usage(0);
		default: usage(1);
		}
	}
	if (optind != argc)
		usage(1);
}

/* load - the configuration from path (NULL: defaults); exits on error. */
static struct conf *
load(const char *path)
{
	struct conf *c;
	char err[1024];

	c = path != NULL ? conf_load(path, stderr, err, sizeof(err)) : conf_defaults();
	if (c == NULL) {
		fprintf(stderr, "authmilter: %s\n", path != NULL ? err : "out of memory");
		exit(1);
	}
	return c;
}

/* dns_log - LogDNS lines into the log, at debug priority. */
static void
dns_log(const char *line)
{
	log_msg(LOG_DEBUG, NULL, "%s", line);
}

/* history_warn - a HistoryFile that could not be opened (not fatal). */
static void
history_warn(const struct runtime *rt)
{
	if (rt->history_wanted && rt->history_fd < 0)
		log_msg(LOG_ERR, NULL, "%s (as uid %ld gid %ld): messages are evaluated, records "
		    "are lost until it can be opened", rt->history_err, (long)geteuid(),
		    (long)getegid());
}

/* reload_conf - SIGHUP: a new snapshot and runtime (true), or keep the old ones (false). */
static bool
reload_conf(void)
{
	struct conf *c;
	struct runtime *rt, *old;
	char err[1024], keys[256];

	if (conf_path == NULL) {
		log_msg(LOG_INFO, NULL, "reload: no configuration file, built-in defaults kept");
		return true;
	}
	if ((c = conf_load(conf_path, NULL, err, sizeof(err))) == NULL) {
		log_msg(LOG_ERR, NULL, "reload failed, old configuration kept: %s", err);
		return false;
	}
	if ((rt = runtime_new(c, dns_log, err, sizeof(err))) == NULL) {
		log_msg(LOG_ERR, NULL, "reload failed, old configuration kept: %s", err);
		conf_unref(c);
		return false;
	}
	old = callbacks_get_runtime();
	if (old != NULL && conf_diff_nonreloadable(old->conf, c, keys, sizeof(keys)) > 0)
		log_msg(LOG_WARNING, NULL, "reload: %s changed; that takes a restart", keys);
	runtime_unref(old);
	history_warn(rt);
	callbacks_set_runtime(rt);
	runtime_unref(rt);
	conf_unref(c);
	log_msg(LOG_INFO, NULL, "configuration reloaded from %s", conf_path);
	return true;
}

/* reload - SIGHUP, told to the service manager (RELOADING=1, then READY=1). */
static void
reload(void)
{
	bool ok;

	notify_reloading();
	ok = reload_conf();
	metrics_reload(ok, (int64_t)time(NULL));
	notify_reloaded(listen_socket, conf_path, ok);
}

/* socket_path - the file of a unix/local socket spec, or NULL. */
static const char *
socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	return spec[0] == '/' ? spec : NULL;
}

/*
 * set_nodelay - TCP_NODELAY on libmilter's listening socket.  libmilter
 * does not set it, and a reply split over two writes (a header change
 * then the final accept) then waits for the MTA's delayed ACK, about 40 ms
 * per message.  Linux gives accepted sockets the listener's TCP_NODELAY,
 * so setting it once on the listener covers every connection.  The
 * listener's descriptor is not exported by libmilter: find it as the one
 * listening TCP socket of the process.
 */
static void
set_nodelay(void)
{
	int fd, on = 1, v, dom;
	socklen_t len;

	for (fd = 0; fd < 1024; fd++) {
		len = sizeof(v);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) != 0 || v != 1)
			continue;
		len = sizeof(dom);
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &len) != 0 ||
		    (dom != AF_INET && dom != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) != 0)
			log_msg(LOG_WARNING, NULL, "TCP_NODELAY on the listening socket: %s",
			    strerror(errno));
	}
}

/* lookup_user - uid/gid of "user[:group]"; -1 on error. */
static int
lookup_user(const char *spec, uid_t *uid, gid_t *gid, char *name, size_t size)
{
	const char *colon = strchr(spec, ':');
	struct passwd *pw;
	struct group *gr;

	snprintf(name, size, "%.*s", (int)(colon ? (size_t)(colon - spec) : strlen(spec)), spec);
	if ((pw = getpwnam(name)) == NULL)
		return -1;
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	if (colon != NULL) {
		if ((gr = getgrnam(colon + 1)) == NULL)
			return -1;
		*gid = gr->gr_gid;
	}
	return 0;
}

/* drop_privileges - become UserID, chowning a unix socket first; exits on error. */
static void
drop_privileges(const struct conf *c)
{
	char name[256];
	const char *sock = socket_path(c->socket);
	uid_t uid;
	gid_t gid;

	if (c->user_id == NULL || c->user_id[0] == '\0')
		return;
	if (lookup_user(c->user_id, &uid, &gid, name, sizeof(name)) != 0) {
		log_msg(LOG_ERR, NULL, "UserID %s: no such user or group", c->user_id);
		exit(1);
	}
	if (sock != NULL && chown(sock, uid, gid) != 0)
		log_msg(LOG_WARNING, NULL, "chown %s: %s", sock, strerror(errno));
	if (getuid() == uid)
		return;
	if (initgroups(name, gid) != 0 || setgid(gid) != 0 || setuid(uid) != 0) {
		log_msg(LOG_ERR, NULL, "cannot become %s: %s", c->user_id, strerror(errno));
		exit(1);
	}
}

/*
 * check_user - for -n: does UserID name an existing user (and group)?  The
 * configuration parser checks its syntax only; a start would fail on it
 * after the socket is open.  0, or 1 with the reason on standard error.
 */
static int
check_user(const struct conf *c, const char *path)
{
	char name[256];
	uid_t uid;
	gid_t gid;

	if (c->user_id == NULL || c->user_id[0] == '\0' ||
	    lookup_user(c->user_id, &uid, &gid, name, sizeof(name)) == 0)
		return 0;
	fprintf(stderr, "authmilter: %s: UserID %s: no such user or group\n",
	    path != NULL ? path : "built-in defaults", c->user_id);
	return 1;
}

/* pid_file_new - a new file tmp holding line, mode 0644; 0 or an errno. */
static int
pid_file_new(const char *tmp, const char *line, size_t len)
{
	int fd, err = 0;

	if (unlink(tmp) != 0 && errno != ENOENT)
		return errno;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)) < 0)
		return errno;
	if (fchmod(fd, 0644) != 0)
		err = errno;
	else if (write(fd, line, len) != (ssize_t)len)
		err = errno != 0 ? errno : EIO;
	if (close(fd) != 0 && err == 0)
		err = errno;
	if (err != 0)
		unlink(tmp);
	return err;
}

/*
 * write_pid - the PidFile, as root before the privileges are dropped;
 * exits on error.  Its directory may belong to UserID (so that the daemon
 * can remove the file at exit): never open the path itself, where that user
 * could have left a symbolic link to a file of root's, or a FIFO.  A new
 * file made with O_EXCL next to it is renamed over it.  Mode 0644 whatever
 * the UMask: the file is root's, readable by anyone, writable by no one
 * else (an init script signals the PID it names).
 */
static void
write_pid(const struct conf *c)
{
	char tmp[4096], line[32];
	int len, err;

	if (c->pid_file == NULL || c->pid_file[0] == '\0')
		return;
	len = snprintf(tmp, sizeof(tmp), "%s.new", c->pid_file);
	if (len < 0 || (size_t)len >= sizeof(tmp)) {
		log_msg(LOG_ERR, NULL, "PidFile %s: name too long", c->pid_file);
		exit(1);
	}
	len = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	errno = 0;
	if ((err = pid_file_new(tmp, line, (size_t)len)) == 0 && rename(tmp, c->pid_file) != 0) {
		err = errno;
		unlink(tmp);
	}
	if (err != 0) {
		log_msg(LOG_ERR, NULL, "PidFile %s: %s", c->pid_file, strerror(err));
		exit(1);
	}
}

/* to_null - descriptor fd onto /dev/null. */
static void
to_null(int fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, fd);
		close(null);
	}
}

/*
 * daemonize - into the background, detached from the terminal.  The
 * parent stays until the child is ready (daemon_ready) and exits 0, or
 * exits 1 when the child dies before that: an init script that started
 * the daemon learns whether it is running, and the reason a start failed
 * (PidFile, UserID, the engines) is still on its standard error.  Returns
 * the child's end of the pipe the parent waits on.
 */
static int
daemonize(void)
{
	int p[2];
	pid_t pid;
	char b;
	ssize_t n;

	if (pipe(p) != 0 || fcntl(p[1], F_SETFD, FD_CLOEXEC) != 0 || (pid = fork()) < 0) {
		log_msg(LOG_ERR, NULL, "cannot go into the background: %s", strerror(errno));
		exit(1);
	}
	if (pid > 0) {
		close(p[1]);
		while ((n = read(p[0], &b, 1)) < 0 && errno == EINTR)
			;
		_exit(n == 1 ? 0 : 1);
	}
	close(p[0]);
	setsid();
	if (chdir("/") != 0)
		log_msg(LOG_WARNING, NULL, "chdir /: %s", strerror(errno));
	to_null(0);
	to_null(1);
	return p[1];
}

/* daemon_ready - let daemonize's parent go; standard error to /dev/null. */
static void
daemon_ready(int fd)
{
	if (fd < 0)
		return;
	if (write(fd, "", 1) != 1)
		log_msg(LOG_WARNING, NULL, "cannot tell the starting process: %s", strerror(errno));
	close(fd);
	to_null(2);
}

/*
 * raise_nofile - the soft limit on open files up to the hard one.  Every
 * MTA connection is a descriptor (libmilter polls them from a pool of
 * worker threads), and so is every DNS query in flight: at the common
 * soft limit of 1024, a thousand connections leave no descriptor for DNS
 * (messages tempfailed) or for accept(2) (connections refused).
 */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_msg(LOG_WARNING, NULL, "cannot raise the open file limit: %s", strerror(errno));
}

/* open_socket - register the filter and open its socket; exits on error. */
static void
open_socket(const struct conf *c)
{
	if (smfi_setconn(c->socket) != MI_SUCCESS ||
	    smfi_register(*callbacks_desc()) != MI_SUCCESS) {
		fprintf(stderr, "authmilter: cannot use Socket %s\n", c->socket);
		exit(1);
	}
	/* Accept packets up to 1 MB (libmilter's default is 64 KB, less than
	 * Postfix's header_size_limit): a longer header field must not make
	 * libmilter drop the connection and the MTA defer the message. */
	smfi_setmaxdatasize(MAX_PACKET);
	/* How long a connection may wait for the MTA: a peer that stalls holds a thread. */
	smfi_settimeout((int)(c->milter_timeout_ms / 1000));
	umask(c->umask);
	if (smfi_opensocket(true) != MI_SUCCESS) {
		fprintf(stderr, "authmilter: cannot open Socket %s (in use, or no permission?)\n",
		    c->socket);
		exit(1);
	}
	set_nodelay();
}

/* open_metrics - bind the MetricsSocket, if any, as root; exits on error. */
static void
open_metrics(const struct conf *c)
{
	char err[512];

	if (c->metrics_socket != NULL && metrics_http_open(c->metrics_socket, err, sizeof(err)) != 0) {
		fprintf(stderr, "authmilter: %s\n", err);
		exit(1);
	}
}

/*
 * start_metrics - count when the metrics are served or a service manager
 * reads the STATUS line, and serve them; exits on error.
 */
static void
start_metrics(const struct conf *c)
{
	char err[512];

	if (c->metrics_socket == NULL && !notify_wanted())
		return;
	metrics_enable();
	runtime_set_dns_stats(metrics_dns());
	if (metrics_http_start(err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, NULL, "cannot start: %s", err);
		exit(1);
	}
}

/* start_runtime - engines for c, made current; exits on error. */
static void
start_runtime(struct conf *c)
{
	struct runtime *rt;
	char err[1024];

	if ((rt = runtime_new(c, dns_log, err, sizeof(err))) == NULL) {
		log_msg(LOG_ERR, NULL, "cannot start: %s", err);
		exit(1);
	}
	history_warn(rt);
	callbacks_set_runtime(rt);
	runtime_unref(rt);
}

int
main(int argc, char **argv)
{
	struct opts o = { NULL, false, false, false };
	struct conf *c;
	int rc, ready_fd = -1;

	parse_opts(argc, argv, &o);
	if (o.conf_path == NULL && access(CONF_DEFAULT_FILE, F_OK) == 0)
		o.conf_path = CONF_DEFAULT_FILE;
	conf_path = o.conf_path;
	c = load(o.conf_path);
	if (o.check_only || o.dump) {
		rc = o.check_only ? check_user(c, o.conf_path) : 0;
		if (o.dump)
			conf_dump(c, stdout);
		else if (rc == 0)
			printf("authmilter: %s: configuration OK\n", o.conf_path ? o.conf_path : "built-in defaults");
		conf_unref(c);
		return rc;
	}
	raise_nofile();
	/* Before the socket listens: a SIGTERM that comes as soon as a client
	 * can connect waits for libmilter's signal thread and stops cleanly,
	 * instead of killing the process by its default action. */
	signals_block();
	open_socket(c);
	open_metrics(c);
	if (!o.foreground)
		ready_fd = daemonize();
	log_open("authmilter", c->syslog, c->syslog_facility, o.foreground || !c->syslog);
	if ((rc = threads_set_stack(THREADS_STACK_SIZE)) != 0)
		log_msg(LOG_WARNING, NULL, "thread stack size: %s", strerror(rc));
	write_pid(c);
	drop_privileges(c);
	start_metrics(c);
	start_runtime(c);
	listen_socket = c->socket;
	if (signals_start_reloader(reload) != 0)
		log_msg(LOG_WARNING, NULL, "no reload thread: SIGHUP is ignored");
	daemon_ready(ready_fd);		/* a start that worked is silent */
	notify_ready(c->socket, o.conf_path);
	log_msg(LOG_INFO, NULL, "%s %s listening on %s (configuration %s)", PACKAGE_NAME,
	    PACKAGE_VERSION, c->socket, o.conf_path ? o.conf_path : "built-in defaults");
	rc = smfi_main();
	metrics_http_stop();
	log_msg(LOG_INFO, NULL, "stopped");
	callbacks_set_runtime(NULL);
	if (c->pid_file != NULL)
		unlink(c->pid_file);
	conf_unref(c);
	log_close();
	return rc == MI_SUCCESS ? 0 : 1;
}
