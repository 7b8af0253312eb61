/*
 * threads.h - the stack size of the daemon's threads.
 *
 * libmilter (Debian builds it with its worker pool) starts and ends worker
 * threads as the connections come and go, with the default attributes.
 * glibc keeps the stacks of ended threads for reuse, up to 40 MB in all:
 * five stacks of the usual 8 MB.  Beyond that every new worker maps a
 * fresh stack and every ended one unmaps it (mmap, mprotect, munmap, and a
 * page fault for each stack page touched again), which holds the
 * process's memory-map lock and flushes the other CPUs' TLBs: at 64 and
 * 512 connections this was the second source of threads waiting for each
 * other after libmilter's own pool lock (doc/PERFORMANCE.md).
 */
#ifndef AUTHMILTER_THREADS_H
#define AUTHMILTER_THREADS_H

#include <stddef.h>

/*
 * The stack of every thread the daemon starts: 1 MB, small enough for
 * glibc to keep 40 ended threads' stacks for reuse, and five times the
 * deepest use seen: libunbound setting itself up in the first lookup of a
 * resolver context (at start and after a reload) reaches about 200 KB
 * below the top of the calling worker's stack (the benchmark corpus runs
 * with 256 KB stacks and dies there with 128 KB).
 * (CPPFLAGS=-DTHREADS_STACK_SIZE=BYTES changes it at build time.)
 */
#ifndef THREADS_STACK_SIZE
#define THREADS_STACK_SIZE ((size_t)1024 * 1024)
#endif

/* threads_set_stack - threads started from now on get `size` bytes of
 * stack; 0, or an errno value (the default then stays). */
int threads_set_stack(size_t size);

#endif
