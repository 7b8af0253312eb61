/*
 * sendcmd.h - hand one message to ReportSendCommand: the command is split
 * at blanks (no shell, no quoting: "/usr/sbin/sendmail -t -oi"), run with
 * fork/execvp, the message written to its standard input; its standard
 * output goes to our standard error.  Success is exit status 0.  A command
 * that does not finish within the time limit is killed (by its PID).
 *
 * Called by send.c, one message at a time.  Changes the SIGPIPE
 * disposition while writing (restored before returning): not for a
 * threaded program.
 */
#ifndef AUTHMILTER_REPORTS_SENDCMD_H
#define AUTHMILTER_REPORTS_SENDCMD_H

#include <stddef.h>

#define SENDCMD_MAX_ARGS 32		/* words of the command */
#define SENDCMD_TIMEOUT_MS 600000	/* ten minutes for one message */

enum sendcmd_status {
	SENDCMD_OK = 0,		/* exit status 0 */
	SENDCMD_FAILED,		/* ran, but non-zero exit, a signal or the time limit */
	SENDCMD_ERROR		/* could not run it: empty command, fork, pipe, exec */
};

/*
 * sendcmd_split - split command at blanks (spaces and tabs) into argv
 * (maxargs entries, NULL-terminated), the words copied into buf (bufsize
 * bytes).  Returns the number of words, or -1 when there are none, too
 * many, or buf is too small.
 */
int sendcmd_split(const char *command, char *buf, size_t bufsize, char **argv, size_t maxargs);

/*
 * sendcmd_run - run command with len bytes of data on its standard input,
 * waiting at most timeout_ms (0: SENDCMD_TIMEOUT_MS).  On anything but
 * SENDCMD_OK why (whysize bytes) says what happened ("exit status 75").
 */
enum sendcmd_status sendcmd_run(const char *command, const char *data, size_t len,
    unsigned timeout_ms, char *why, size_t whysize);

#endif
