#ifndef PXEHA_CLOCK_H
#define PXEHA_CLOCK_H

#include <stdint.h>

/* Monotonic milliseconds; the only clock protocol cores ever see (as an argument). */
uint64_t	clock_ms(void);
/* Monotonic microseconds, for latency measurements. */
uint64_t	clock_us(void);
/* Wall clock, seconds since the epoch: only for stored leases and display. */
int64_t		clock_wall(void);

#endif
