/*
 * notify.h - the systemd readiness protocol (sd_notify(3), libsystemd):
 * with Type=notify the service manager learns when the daemon is ready,
 * reloading and stopping, and shows a STATUS line in "systemctl status".
 * Without NOTIFY_SOCKET in the environment (not started by systemd, or
 * Type=simple) every call does nothing.
 *
 * Called by authmilter.c (ready, reload) and signals.c (stopping); the
 * calls are thread-safe (one datagram each).
 */
#ifndef AUTHMILTER_NOTIFY_H
#define AUTHMILTER_NOTIFY_H

/* notify_ready - READY=1 and a STATUS line: the socket listens, the engines are built. */
void notify_ready(const char *socket, const char *conf_path);

/* notify_reloading - RELOADING=1 (a SIGHUP is being handled). */
void notify_reloading(void);

/* notify_reloaded - READY=1 again, STATUS saying whether the reload took. */
void notify_reloaded(const char *socket, const char *conf_path, int ok);

/* notify_stopping - STOPPING=1 (SIGTERM or SIGINT received). */
void notify_stopping(void);

#endif
