/*
 * threads.c - the stack size of the daemon's threads; see threads.h.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "threads.h"

int
threads_set_stack(size_t size)
{
	pthread_attr_t a;
	int rc;

	if ((rc = pthread_getattr_default_np(&a)) != 0)
		return rc;
	rc = pthread_attr_setstacksize(&a, size);
	if (rc == 0)
		rc = pthread_setattr_default_np(&a);
	pthread_attr_destroy(&a);
	return rc;
}
