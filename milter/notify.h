/*
 * notify.h - the systemd readiness protocol (sd_notify(3), libsystemd):
 * with Type=notify the service manager learns when the daemon is ready,
 * reloading and stopping, and shows a STATUS line in "systemctl status".
 * Without NOTIFY_SOCKET in the environment (not started by systemd, or
 * Type=simple) every call does nothing.
 *
 * The STATUS line also carries the message counters of metrics.h (so
 * counting starts when NOTIFY_SOCKET is set), sent again at most once a
 * minute as mail flows (notify_tick).
 *
 * Called by authmilter.c (ready, reload), callbacks.c (tick) and signals.c
 * (stopping); the calls are thread-safe (one datagram each).
 */
#ifndef AUTHMILTER_NOTIFY_H
#define AUTHMILTER_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>

/* notify_wanted - whether a service manager listens (NOTIFY_SOCKET is set). */
bool notify_wanted(void);

/* notify_ready - READY=1 and a STATUS line: the socket listens, the engines are built. */
void notify_ready(const char *socket, const char *conf_path);

/* notify_reloading - RELOADING=1 (a SIGHUP is being handled). */
void notify_reloading(void);

/* notify_reloaded - READY=1 again, STATUS saying whether the reload took. */
void notify_reloaded(const char *socket, const char *conf_path, int ok);

/* notify_tick - after a message: the STATUS line again if a minute has passed since the last. */
void notify_tick(int64_t now);

/* notify_stopping - STOPPING=1 (SIGTERM or SIGINT received). */
void notify_stopping(void);

#endif
