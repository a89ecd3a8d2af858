/*
 * Service shim: process-level platform details (process statistics now;
 * daemon/service integration, privilege drop later).  One file per platform.
 */
#ifndef PXEHA_SERVICE_H
#define PXEHA_SERVICE_H

#include <stdint.h>

struct procstat {
	double		 cpu_seconds;	/* user + system */
	uint64_t	 rss_bytes;
	uint64_t	 vsize_bytes;
	uint64_t	 open_fds;
	uint64_t	 max_fds;
};

/* Fill what the platform can tell; fields it cannot stay 0.  Returns 0. */
int	service_procstat(struct procstat *);

#endif
