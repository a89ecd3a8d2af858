/*
 * Portable helpers over the interface list that net_iface_list() returns.
 */

#include <string.h>

#include "pxeha/net.h"

const struct net_iface *
net_iface_find(const struct net_iface *ifs, size_t n, const char *name)
{
	size_t	 i;

	/* No interface name is this long, and strncmp would cut it. */
	if (ifs == NULL || name == NULL ||
	    strnlen(name, NET_IFNAME_MAX) == NET_IFNAME_MAX)
		return (NULL);
	for (i = 0; i < n; i++) {
		/* Bounded: the list may come from a caller, not the kernel. */
		if (strncmp(ifs[i].name, name, sizeof(ifs[i].name)) == 0)
			return (&ifs[i]);
	}
	return (NULL);
}
