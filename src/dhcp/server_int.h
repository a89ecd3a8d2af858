/*
 * What server.c and server_pxe.c share: the server, the client as a
 * request identifies it, and the request being handled.  Pure.
 */
#ifndef PXEHA_DHCP_SERVER_INT_H
#define PXEHA_DHCP_SERVER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "pxeha/dhcp.h"
#include "pxeha/dhcp_server.h"
#include "pxeha/lease.h"
#include "pxeha/pxe.h"

struct cfg;
struct cfg_host;
struct cfg_subnet;

/* A reservation index entry: key bytes and the cfg host it names. */
struct rkey {
	uint8_t		 key[LEASE_CID_MAX + 1];	/* [0] = length */
	size_t		 host;
};

struct srv_subnet {
	int		*pools;		/* lease table pool ids */
	size_t		 npools;
	size_t		 nreserved;
};

struct dhcp_srv {
	const struct cfg	*cfg;
	struct lease_table	*t;
	struct srv_subnet	*subnets;
	struct rkey		*by_mac, *by_cid, *by_addr, *by_guid;
	size_t			 nmac, ncid, naddr, nguid;
};

/* The client as identified by a request: option 61 or (htype, chaddr). */
struct client {
	const uint8_t	*cid;
	size_t		 cidlen;
	uint8_t		 htype, hlen;
	const uint8_t	*hw;
	const struct cfg_host *host;	/* reservation, or NULL */
};

/* What a handler works with. */
struct req {
	struct dhcp_srv		*srv;
	const struct dhcp_ctx	*ctx;
	const struct dhcp_msg	*m;
	struct dhcp_result	*res;
	struct client		 cl;
	int			 subnet;
	const struct cfg_subnet	*sn;
	uint32_t		 server_id;
	uint8_t			*out;
	size_t			 outlen;
};

/* The reservation whose key (len bytes) is key in the sorted index arr. */
const struct cfg_host *srv_rfind(const struct dhcp_srv *, const struct rkey *arr,
		    size_t n, const void *key, size_t len);
/* Add the server identifier, build the reply and set where it goes. */
void		 srv_send_reply(struct req *, struct dhcp_reply *);

/* server_pxe.c */
int		 srv_pxe_fields(const struct req *, enum pxe_phase,
		    struct dhcp_reply *);
void		 srv_on_proxy(struct req *);
void		 srv_on_bootsrv(struct req *);

#endif
