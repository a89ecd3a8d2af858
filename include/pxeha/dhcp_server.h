/*
 * DHCPv4 server decisions (RFC 2131, authoritative).  Pure: a parsed
 * message, `now` (wall seconds) and the lease table in; a built reply,
 * where to send it and which lease changes must be durable first, out.
 * No sockets, no clock, no journal: dhcp/io.c does those.
 */
#ifndef PXEHA_DHCP_SERVER_H
#define PXEHA_DHCP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "pxeha/dhcp.h"
#include "pxeha/lease.h"

struct cfg;
struct dhcp_srv;

/* Where a reply goes (RFC 2131 4.1). */
enum dhcp_dest {
	DHCP_DEST_NONE = 0,	/* no reply */
	DHCP_DEST_RELAY,	/* giaddr, server port 67 */
	DHCP_DEST_CIADDR,	/* unicast to ciaddr, port 68 */
	DHCP_DEST_BROADCAST,	/* 255.255.255.255:68 on the arrival link */
	DHCP_DEST_YIADDR,	/* unicast to yiaddr at chaddr (needs ARP) */
	DHCP_DEST_SOURCE	/* back to the request's source address and port */
};

/* Why a request got no reply; index into dhcp_drop_name(). */
enum dhcp_drop {
	DHCP_DROP_NONE = 0, DHCP_DROP_NOT_REQUEST, DHCP_DROP_NO_SUBNET,
	DHCP_DROP_BAD_CLIENT, DHCP_DROP_NOT_FOR_US, DHCP_DROP_NO_ADDRESS,
	DHCP_DROP_UNKNOWN_LEASE, DHCP_DROP_BAD_TYPE, DHCP_DROP_NO_BOOT,
	DHCP_DROP_COUNT
};

/* One request as the I/O layer saw it. */
struct dhcp_ctx {
	const struct dhcp_msg	*msg;
	int64_t			 now;		/* wall seconds */
	int			 iface;		/* cfg ifaces[] index, -1: none */
	uint32_t		 local_addr;	/* our address on that link */
	/*
	 * Set for a request to the PXE boot server port (4011): answered with
	 * the boot file only, back to where it came from (src_addr:src_port,
	 * host order), whatever [pxe] mode is.
	 */
	int			 bootsrv;
	uint32_t		 src_addr;
	uint16_t		 src_port;
};

#define DHCP_SRV_MAX_CHANGES	2

struct dhcp_result {
	enum dhcp_dest		 dest;
	uint32_t		 dst_addr;	/* host order */
	uint16_t		 dst_port;
	uint32_t		 src_addr;	/* server identifier used */
	int			 len;		/* bytes of reply in out[] */
	enum dhcp_type		 type;		/* of the reply */
	enum dhcp_drop		 drop;
	int			 subnet;	/* cfg subnet index, -1: none */
	/* Boot information in the reply: pxe_phase is enum pxe_phase + 1
	 * (0: none), pxe_arch the client's enum pxe_arch, pxe_rule the cfg
	 * boots[] index, pxe_ipxe whether the client was iPXE. */
	int			 pxe_phase;
	int			 pxe_arch;
	int			 pxe_rule;
	int			 pxe_ipxe;
	/*
	 * Copies of the leases this request changed (already in the table).
	 * Those that must be durable before the reply leaves have seq <=
	 * durable_seq; the reply must wait until the journal has reached it.
	 */
	struct lease		 changes[DHCP_SRV_MAX_CHANGES];
	size_t			 nchanges;
	uint64_t		 durable_seq;	/* 0: send at once */
};

/*
 * A server over cfg and t.  Declares cfg's pools, exclusions and
 * reservations in t.  Returns NULL when out of memory.  cfg and t are
 * borrowed and must outlive the server.
 */
struct dhcp_srv	*dhcp_srv_new(const struct cfg *, struct lease_table *t);
void		 dhcp_srv_free(struct dhcp_srv *);

/*
 * Decide and build the reply to ctx->msg into out (outlen bytes, at least
 * DHCP_MAX_LEN is safe).  Always returns 0 and fills *res (dest NONE and
 * a drop reason when there is no reply).
 */
int		 dhcp_srv_handle(struct dhcp_srv *, const struct dhcp_ctx *,
		    struct dhcp_result *res, uint8_t *out, size_t outlen);

/* Pool ids of subnet i (for statistics); returns the count. */
size_t		 dhcp_srv_subnet_pools(const struct dhcp_srv *, size_t i,
		    const int **ids);
size_t		 dhcp_srv_subnet_reserved(const struct dhcp_srv *, size_t i);

const char	*dhcp_drop_name(enum dhcp_drop);

#endif
