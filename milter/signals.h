/*
 * signals.h - SIGHUP reloads the configuration; SIGTERM and SIGINT stop the
 * daemon (libmilter's own signal thread handles those).
 *
 * Thread-safety: signals_block from the main thread before any other thread
 * exists; signals_start_reloader once, before smfi_main.
 */
#ifndef AUTHMILTER_SIGNALS_H
#define AUTHMILTER_SIGNALS_H

/* signals_block - block SIGHUP, SIGTERM, SIGINT in this and all later threads. */
void signals_block(void);

/* signals_start_reloader - a thread that calls reload() on each SIGHUP; 0 or -1. */
int signals_start_reloader(void (*reload)(void));

#endif
