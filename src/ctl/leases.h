#ifndef PXEHA_CTL_LEASES_H
#define PXEHA_CTL_LEASES_H

struct cfg;
struct evbuffer;
struct lease_table;

/*
 * Render the leases of subnet (NULL: all), or the one at addr (dotted
 * quad; NULL: all), as JSON or text into b.  -1: no such subnet/lease.
 */
int	ctl_leases(const struct lease_table *, const struct cfg *,
	    const char *subnet, const char *addr, int text, struct evbuffer *b);

#endif
