/*
 * Boot rules: which [boot] section answers a classified client
 * (pxe.h).  Pure: the config snapshot and the classification in, a rule
 * out.
 */
#include <stddef.h>
#include <string.h>

#include "pxeha/config.h"
#include "pxeha/pxe.h"

static int
client_kind_ok(const struct cfg_boot *b, const struct pxe_client *c)
{
	int ipxe = (c->ipxe & (PXE_IPXE_UCLASS | PXE_IPXE_ENCAP)) != 0;

	switch (b->client) {
	case CFG_BOOT_FIRMWARE:
		return (!ipxe);
	case CFG_BOOT_IPXE:
		return (ipxe);
	default:
		return (1);
	}
}

const struct cfg_boot *
pxe_boot_choose(const struct cfg *cfg, const struct pxe_client *c,
    const char *subnet, const char *host)
{
	const struct cfg_boot *b;
	size_t i;

	if (c->cls == PXE_CLASS_NONE || c->arch >= PXE_ARCH_UNKNOWN)
		return (NULL);
	for (i = 0; i < cfg->nboots; i++) {
		b = &cfg->boots[i];
		if ((b->arch_mask & (1u << c->arch)) == 0 ||
		    !client_kind_ok(b, c))
			continue;
		if (b->subnet[0] != '\0' && (subnet == NULL ||
		    strcmp(b->subnet, subnet) != 0))
			continue;
		if (b->host[0] != '\0' && (host == NULL ||
		    strcmp(b->host, host) != 0))
			continue;
		if (strncmp(c->vclass, b->vendor_class,
		    strlen(b->vendor_class)) != 0)
			continue;
		return (b);
	}
	return (NULL);
}
