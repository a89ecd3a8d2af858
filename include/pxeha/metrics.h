/*
 * Prometheus text exposition helpers for every subsystem's /metrics part.
 * Names follow Prometheus conventions: counters end in _total, units are
 * in the name (_seconds, _bytes).
 */
#ifndef PXEHA_METRICS_H
#define PXEHA_METRICS_H

#include <stdint.h>

struct evbuffer;

/* The # HELP and # TYPE lines of a family; samples follow. */
void	metrics_family(struct evbuffer *, const char *name, const char *type,
	    const char *help);
/* A family with one unlabelled sample. */
void	metrics_u64(struct evbuffer *, const char *name, const char *type,
	    const char *help, uint64_t value);

#endif
