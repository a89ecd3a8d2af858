/*
 * DHCPv4 server decisions: one function per message type, each taking the
 * parsed request, `now` and the lease table, and producing a reply and the
 * lease changes it depends on.  RFC 2131 as an authoritative server.
 * Pure: no sockets, no clock, no journal.
 */
#include <stdlib.h>
#include <string.h>

#include "pxeha/config.h"
#include "pxeha/dhcp.h"
#include "pxeha/dhcp_server.h"
#include "pxeha/lease.h"
#include "pxeha/pxe.h"

#include "server_int.h"

static const char *const drop_names[DHCP_DROP_COUNT] = {
	"none", "not_a_request", "no_subnet", "bad_client", "not_for_us",
	"no_free_address", "unknown_lease", "bad_type", "no_boot_answer"
};

const char *
dhcp_drop_name(enum dhcp_drop d)
{
	return ((unsigned)d < DHCP_DROP_COUNT ? drop_names[d] : "unknown");
}

static int
cmp_rkey(const void *a, const void *b)
{
	const struct rkey *x = a, *y = b;

	return (memcmp(x->key, y->key, sizeof(x->key)));
}

const struct cfg_host *
srv_rfind(const struct dhcp_srv *s, const struct rkey *arr, size_t n,
    const void *key, size_t len)
{
	struct rkey k;
	const struct rkey *r;

	if (n == 0 || len > LEASE_CID_MAX)
		return (NULL);
	memset(&k, 0, sizeof(k));
	k.key[0] = (uint8_t)len;
	memcpy(k.key + 1, key, len);
	r = bsearch(&k, arr, n, sizeof(*arr), cmp_rkey);
	return (r != NULL ? &s->cfg->hosts[r->host] : NULL);
}

static void
addr_key(uint32_t a, uint8_t b[4])
{
	b[0] = (uint8_t)(a >> 24);
	b[1] = (uint8_t)(a >> 16);
	b[2] = (uint8_t)(a >> 8);
	b[3] = (uint8_t)a;
}

static int
build_index(struct dhcp_srv *s)
{
	const struct cfg *c = s->cfg;
	size_t i, n = c->nhosts ? c->nhosts : 1;
	uint8_t ab[4];

	if ((s->by_mac = calloc(n, sizeof(struct rkey))) == NULL ||
	    (s->by_cid = calloc(n, sizeof(struct rkey))) == NULL ||
	    (s->by_addr = calloc(n, sizeof(struct rkey))) == NULL ||
	    (s->by_guid = calloc(n, sizeof(struct rkey))) == NULL)
		return (-1);
	for (i = 0; i < c->nhosts; i++) {
		const struct cfg_host *h = &c->hosts[i];

		if (h->has_mac) {
			s->by_mac[s->nmac].key[0] = 6;
			memcpy(s->by_mac[s->nmac].key + 1, h->mac, 6);
			s->by_mac[s->nmac++].host = i;
		}
		if (h->cidlen > 0 && h->cidlen <= LEASE_CID_MAX) {
			s->by_cid[s->ncid].key[0] = (uint8_t)h->cidlen;
			memcpy(s->by_cid[s->ncid].key + 1, h->cid, h->cidlen);
			s->by_cid[s->ncid++].host = i;
		}
		if (h->has_guid) {
			s->by_guid[s->nguid].key[0] = 16;
			memcpy(s->by_guid[s->nguid].key + 1, h->guid, 16);
			s->by_guid[s->nguid++].host = i;
		}
		if (h->address != 0) {
			addr_key(h->address, ab);
			s->by_addr[s->naddr].key[0] = 4;
			memcpy(s->by_addr[s->naddr].key + 1, ab, 4);
			s->by_addr[s->naddr++].host = i;
		}
	}
	qsort(s->by_mac, s->nmac, sizeof(struct rkey), cmp_rkey);
	qsort(s->by_cid, s->ncid, sizeof(struct rkey), cmp_rkey);
	qsort(s->by_addr, s->naddr, sizeof(struct rkey), cmp_rkey);
	qsort(s->by_guid, s->nguid, sizeof(struct rkey), cmp_rkey);
	return (0);
}

static const struct cfg_host *
host_by_addr(const struct dhcp_srv *s, uint32_t a)
{
	uint8_t ab[4];

	addr_key(a, ab);
	return (srv_rfind(s, s->by_addr, s->naddr, ab, 4));
}

static int
in_subnet(const struct cfg_subnet *sn, uint32_t a)
{
	return (sn->netmask != 0 && (a & sn->netmask) == sn->network);
}

struct dhcp_srv *
dhcp_srv_new(const struct cfg *c, struct lease_table *t)
{
	struct dhcp_srv *s;
	size_t i, j;
	int id;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (NULL);
	s->cfg = c;
	s->t = t;
	if ((s->subnets = calloc(c->nsubnets ? c->nsubnets : 1,
	    sizeof(*s->subnets))) == NULL || build_index(s) == -1)
		goto fail;
	/* Reserved addresses are never handed out dynamically. */
	for (i = 0; i < c->nhosts; i++)
		if (c->hosts[i].address != 0 &&
		    lease_table_exclude(t, c->hosts[i].address,
		    c->hosts[i].address) < 0)
			goto fail;
	for (i = 0; i < c->nsubnets; i++) {
		const struct cfg_subnet *sn = &c->subnets[i];

		for (j = 0; j < sn->nexcludes; j++)
			if (lease_table_exclude(t, sn->excludes[j].first,
			    sn->excludes[j].last) < 0)
				goto fail;
		if ((s->subnets[i].pools = calloc(sn->npools ? sn->npools : 1,
		    sizeof(int))) == NULL)
			goto fail;
		for (j = 0; j < sn->npools; j++) {
			if ((id = lease_table_add_pool(t, (uint32_t)i,
			    sn->pools[j].first, sn->pools[j].last)) < 0)
				goto fail;
			s->subnets[i].pools[s->subnets[i].npools++] = id;
		}
		for (j = 0; j < c->nhosts; j++)
			s->subnets[i].nreserved += c->hosts[j].address != 0 &&
			    in_subnet(sn, c->hosts[j].address);
	}
	return (s);
fail:
	dhcp_srv_free(s);
	return (NULL);
}

void
dhcp_srv_free(struct dhcp_srv *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->subnets != NULL)
		for (i = 0; i < s->cfg->nsubnets; i++)
			free(s->subnets[i].pools);
	free(s->subnets);
	free(s->by_mac);
	free(s->by_cid);
	free(s->by_addr);
	free(s->by_guid);
	free(s);
}

size_t
dhcp_srv_subnet_pools(const struct dhcp_srv *s, size_t i, const int **ids)
{
	if (i >= s->cfg->nsubnets)
		return (0);
	*ids = s->subnets[i].pools;
	return (s->subnets[i].npools);
}

size_t
dhcp_srv_subnet_reserved(const struct dhcp_srv *s, size_t i)
{
	return (i < s->cfg->nsubnets ? s->subnets[i].nreserved : 0);
}

/* Subnet selection ------------------------------------------------------- */

static int
subnet_of(const struct dhcp_srv *s, uint32_t a)
{
	size_t i;

	for (i = 0; i < s->cfg->nsubnets; i++)
		if (in_subnet(&s->cfg->subnets[i], a))
			return ((int)i);
	return (-1);
}

/*
 * The subnet a client is on: for relayed requests the link selection
 * sub-option (RFC 3527), else option 118 (RFC 3011), else giaddr; for
 * direct ones option 118, else (4011 requests) the subnet of ciaddr,
 * else the subnet on the arrival interface.
 */
static int
select_subnet(const struct dhcp_srv *s, const struct dhcp_ctx *ctx)
{
	const struct dhcp_msg *m = ctx->msg;
	const struct cfg *c = s->cfg;
	struct dhcp_rai rai;
	uint32_t a;
	size_t i;

	if (m->giaddr != 0) {
		if (dhcp_rai(m, &rai) == 0 && rai.link_select != 0)
			return (subnet_of(s, rai.link_select));
		if (dhcp_opt_u32(m, DHO_SUBNET_SELECT, &a) == 0)
			return (subnet_of(s, a));
		return (subnet_of(s, m->giaddr));
	}
	if (dhcp_opt_u32(m, DHO_SUBNET_SELECT, &a) == 0)
		return (subnet_of(s, a));
	/* A boot-server request comes from a configured client, perhaps
	 * routed from another subnet: its address says which. */
	if (ctx->bootsrv && m->ciaddr != 0 && subnet_of(s, m->ciaddr) >= 0)
		return (subnet_of(s, m->ciaddr));
	if (ctx->iface < 0 || (size_t)ctx->iface >= c->nifaces)
		return (-1);
	for (i = 0; i < c->nsubnets; i++)
		if (strcmp(c->subnets[i].iface, c->ifaces[ctx->iface].name) == 0)
			return ((int)i);
	return (-1);
}

/* Client identity and leases ---------------------------------------------- */

static int
identify(const struct dhcp_srv *s, const struct dhcp_msg *m, struct client *cl)
{
	memset(cl, 0, sizeof(*cl));
	cl->cid = dhcp_opt(m, DHO_CLIENT_ID, &cl->cidlen);
	if (cl->cid != NULL && (cl->cidlen < 2 || cl->cidlen > LEASE_CID_MAX))
		return (-1);	/* RFC 2132 9.14: at least 2 bytes */
	if (m->hlen > DHCP_CHADDR_LEN || (cl->cid == NULL && m->hlen == 0))
		return (-1);
	cl->htype = m->htype;
	cl->hlen = m->hlen;
	cl->hw = m->chaddr;
	if (cl->cid != NULL)
		cl->host = srv_rfind(s, s->by_cid, s->ncid, cl->cid, cl->cidlen);
	if (cl->host == NULL && cl->htype == 1 && cl->hlen == 6)
		cl->host = srv_rfind(s, s->by_mac, s->nmac, cl->hw, 6);
	return (0);
}

static int
owns(const struct lease *l, const struct client *cl)
{
	if (l->cidlen > 0 || cl->cid != NULL)
		return (cl->cid != NULL && l->cidlen == cl->cidlen &&
		    memcmp(l->cid, cl->cid, cl->cidlen) == 0);
	return (l->hwtype == cl->htype && l->hwlen == cl->hlen &&
	    memcmp(l->hw, cl->hw, cl->hlen) == 0);
}

/* Is l still binding its address at now? */
static int
in_force(const struct lease *l, int64_t now)
{
	switch (l->state) {
	case LEASE_OFFERED:
	case LEASE_ACTIVE:
	case LEASE_DECLINED:
		return (l->expires > now);
	default:
		return (0);
	}
}

static const struct lease *
client_lease(const struct dhcp_srv *s, const struct client *cl)
{
	const struct lease *l = NULL;

	if (cl->cid != NULL)
		l = lease_table_find_cid(s->t, cl->cid, cl->cidlen);
	if (l == NULL) {
		l = lease_table_find_hw(s->t, cl->htype, cl->hw, cl->hlen);
		/* A lease recorded under a client id is not the hw's. */
		if (l != NULL && !owns(l, cl))
			l = NULL;
	}
	return (l);
}

static int
in_pools(const struct cfg_subnet *sn, uint32_t a)
{
	size_t i;

	for (i = 0; i < sn->npools; i++)
		if (a >= sn->pools[i].first && a <= sn->pools[i].last)
			break;
	if (i == sn->npools)
		return (0);
	for (i = 0; i < sn->nexcludes; i++)
		if (a >= sn->excludes[i].first && a <= sn->excludes[i].last)
			return (0);
	return (1);
}

/*
 * May address a go to this client now?  It must be its reservation, or a
 * pool address of the subnet that no other client holds or has reserved.
 */
static int
may_have(const struct req *r, uint32_t a)
{
	const struct cfg_host *h;
	const struct lease *l;

	if (!in_subnet(r->sn, a))
		return (0);
	if ((h = host_by_addr(r->srv, a)) != NULL)
		return (h == r->cl.host);
	if (!in_pools(r->sn, a))
		return (0);
	if ((l = lease_table_find_addr(r->srv->t, a)) == NULL)
		return (1);
	if (owns(l, &r->cl))	/* its own, unless it declined it */
		return (l->state != LEASE_DECLINED || l->expires <= r->ctx->now);
	return (!in_force(l, r->ctx->now));
}

/* Record the client's lease in state st until expires; returns it. */
static const struct lease *
commit(struct req *r, uint32_t a, enum lease_state st, int64_t expires)
{
	const struct dhcp_msg *m = r->m;
	const struct lease *old, *nl;
	const uint8_t *hn;
	struct lease l;
	size_t n, i;

	memset(&l, 0, sizeof(l));
	l.addr = a;
	l.state = st;
	l.hwtype = m->htype;
	l.hwlen = m->hlen;
	memcpy(l.hw, m->chaddr, m->hlen);
	if (r->cl.cid != NULL) {
		l.cidlen = (uint8_t)r->cl.cidlen;
		memcpy(l.cid, r->cl.cid, r->cl.cidlen);
	}
	if ((hn = dhcp_opt(m, DHO_HOST_NAME, &n)) != NULL) {
		for (i = 0; i < n && i < sizeof(l.hostname) - 1; i++)
			l.hostname[i] = hn[i] >= 0x21 && hn[i] < 0x7f ?
			    (char)hn[i] : '_';
	}
	old = lease_table_find_addr(r->srv->t, a);
	l.starts = old != NULL && old->state == st && owns(old, &r->cl) ?
	    old->starts : r->ctx->now;
	l.expires = expires;
	l.subnet = (uint32_t)r->subnet;
	if (lease_table_commit(r->srv->t, &l) == 0)
		return (NULL);
	nl = lease_table_find_addr(r->srv->t, a);
	if (nl != NULL && r->res->nchanges < DHCP_SRV_MAX_CHANGES)
		r->res->changes[r->res->nchanges++] = *nl;
	return (nl);
}

/* Replies ----------------------------------------------------------------- */

static void
add_opts(struct dhcp_optset *os, const struct cfg_opt *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		(void)dhcp_optset_add(os, o[i].code, o[i].data, o[i].len);
}

/* Configured options, the most specific last so it wins. */
static void
reply_options(const struct req *r, struct dhcp_optset *os)
{
	const struct cfg *c = r->srv->cfg;
	const struct cfg_subnet *sn = r->sn;
	const struct cfg_host *h = r->cl.host;

	(void)dhcp_optset_add_u32(os, DHO_SUBNET_MASK, sn->netmask);
	if (sn->nrouters > 0)
		(void)dhcp_optset_add_addrs(os, DHO_ROUTERS, sn->routers,
		    sn->nrouters);
	if (sn->ndns > 0)
		(void)dhcp_optset_add_addrs(os, DHO_DNS, sn->dns, sn->ndns);
	if (sn->domain[0] != '\0')
		(void)dhcp_optset_add(os, DHO_DOMAIN_NAME, sn->domain,
		    strlen(sn->domain));
	if (sn->prefix <= 30)
		(void)dhcp_optset_add_u32(os, DHO_BROADCAST,
		    sn->network | ~sn->netmask);
	add_opts(os, c->dhcp.opts, c->dhcp.nopts);
	add_opts(os, sn->opts, sn->nopts);
	if (h != NULL) {
		if (h->hostname[0] != '\0')
			(void)dhcp_optset_add(os, DHO_HOST_NAME, h->hostname,
			    strlen(h->hostname));
		add_opts(os, h->opts, h->nopts);
	}
}

static void
lease_times(const struct req *r, struct dhcp_optset *os, uint32_t secs)
{
	uint32_t t1 = r->sn->renew_time, t2 = r->sn->rebind_time;

	if (secs < r->sn->lease_time) {
		/* A shortened lease keeps T1 and T2 in proportion. */
		t1 = secs / 2;
		t2 = (uint32_t)((uint64_t)secs * 7 / 8);
	}
	(void)dhcp_optset_add_u32(os, DHO_LEASE_TIME, secs);
	(void)dhcp_optset_add_u32(os, DHO_RENEWAL_TIME, t1);
	(void)dhcp_optset_add_u32(os, DHO_REBINDING_TIME, t2);
}

/* RFC 2131 4.1: where the reply goes. */
static void
destination(struct req *r, enum dhcp_type type, uint32_t yiaddr)
{
	const struct dhcp_msg *m = r->m;
	struct dhcp_result *res = r->res;

	res->dst_port = 68;
	if (m->giaddr != 0) {
		res->dest = DHCP_DEST_RELAY;
		res->dst_addr = m->giaddr;
		res->dst_port = 67;
	} else if (type == DHCPNAK) {
		res->dest = DHCP_DEST_BROADCAST;
		res->dst_addr = 0xffffffffu;
	} else if (m->ciaddr != 0) {
		res->dest = DHCP_DEST_CIADDR;
		res->dst_addr = m->ciaddr;
	} else if ((m->flags & DHCP_BROADCAST_FLAG) || yiaddr == 0) {
		res->dest = DHCP_DEST_BROADCAST;
		res->dst_addr = 0xffffffffu;
	} else {
		res->dest = DHCP_DEST_YIADDR;
		res->dst_addr = yiaddr;
	}
}

void
srv_send_reply(struct req *r, struct dhcp_reply *rep)
{
	struct dhcp_rai rai;
	uint32_t sid = r->server_id;
	int n;

	/* RFC 5107: a relay may ask us to name it as the server. */
	if (r->m->giaddr != 0 && dhcp_rai(r->m, &rai) == 0 &&
	    rai.server_id_override != 0)
		sid = rai.server_id_override;
	(void)dhcp_optset_add_u32(&rep->opts, DHO_SERVER_ID, sid);
	if ((n = dhcp_build(r->m, rep, r->out, r->outlen)) < 0) {
		r->res->dest = DHCP_DEST_NONE;
		r->res->drop = DHCP_DROP_BAD_CLIENT;
		return;
	}
	r->res->len = n;
	r->res->type = rep->type;
	r->res->src_addr = r->server_id;
	if (rep->type == DHCPNAK && r->m->giaddr != 0)
		r->out[10] |= 0x80;	/* RFC 2131 4.3.2: NAK via relay: broadcast */
	if (r->ctx->bootsrv) {
		r->res->dest = r->ctx->src_addr != 0 ? DHCP_DEST_SOURCE :
		    DHCP_DEST_BROADCAST;
		r->res->dst_addr = r->ctx->src_addr != 0 ? r->ctx->src_addr :
		    0xffffffffu;
		r->res->dst_port = r->ctx->src_port;
		return;
	}
	destination(r, rep->type, rep->yiaddr);
}

static void
nak(struct req *r, const char *why)
{
	struct dhcp_reply rep;

	memset(&rep, 0, sizeof(rep));
	rep.type = DHCPNAK;
	dhcp_optset_init(&rep.opts);
	(void)dhcp_optset_add(&rep.opts, DHO_MESSAGE, why, strlen(why));
	srv_send_reply(r, &rep);
}

static void
boot_fields(const struct req *r, struct dhcp_reply *rep, uint32_t next_server,
    const char *file)
{
	size_t n = strlen(file);

	rep->siaddr = next_server != 0 ? next_server : r->server_id;
	memset(rep->file, 0, sizeof(rep->file));
	memcpy(rep->file, file, n < sizeof(rep->file) ? n : sizeof(rep->file) - 1);
}

static void
offer_or_ack(struct req *r, enum dhcp_type type, const struct lease *l)
{
	struct dhcp_reply rep;
	int64_t left = l->expires - r->ctx->now;
	uint32_t secs = r->sn->lease_time;

	memset(&rep, 0, sizeof(rep));
	rep.type = type;
	rep.yiaddr = l->addr;
	dhcp_optset_init(&rep.opts);
	if (type == DHCPACK && left > 0 && left < secs)
		secs = (uint32_t)left;
	lease_times(r, &rep.opts, secs);
	reply_options(r, &rep.opts);
	/* BOOTP boot fields (RFC 2131 2): where and what to fetch. */
	if ((r->srv->cfg->pxe.mode != CFG_PXE_DHCP ||
	    srv_pxe_fields(r, PXE_PHASE_DHCP, &rep) == 0) &&
	    r->sn->boot_file[0] != '\0')
		boot_fields(r, &rep, r->sn->next_server, r->sn->boot_file);
	srv_send_reply(r, &rep);
}

/* Message handlers ---------------------------------------------------------- */

/* Pick the address to offer: existing lease, reservation, request, pool. */
static uint32_t
choose_address(struct req *r)
{
	const struct lease *l = client_lease(r->srv, &r->cl);
	const struct srv_subnet *ss = &r->srv->subnets[r->subnet];
	uint32_t a;
	size_t i;

	if (r->cl.host != NULL && r->cl.host->address != 0)
		return (in_subnet(r->sn, r->cl.host->address) ?
		    r->cl.host->address : 0);
	if (l != NULL && l->state != LEASE_DECLINED && may_have(r, l->addr))
		return (l->addr);
	if (dhcp_opt_u32(r->m, DHO_REQUESTED_ADDR, &a) == 0 && may_have(r, a))
		return (a);
	for (i = 0; i < ss->npools; i++) {
		/* The table skips excluded and reserved addresses. */
		if ((a = lease_table_alloc(r->srv->t, ss->pools[i],
		    r->ctx->now)) != 0)
			return (a);
	}
	return (0);
}

static void
on_discover(struct req *r)
{
	const struct lease *l;
	uint32_t a;

	if ((a = choose_address(r)) == 0) {
		r->res->drop = DHCP_DROP_NO_ADDRESS;
		return;
	}
	l = lease_table_find_addr(r->srv->t, a);
	/* An active lease of this client stays active; no downgrade. */
	if (l == NULL || !owns(l, &r->cl) || l->state != LEASE_ACTIVE ||
	    l->expires <= r->ctx->now)
		l = commit(r, a, LEASE_OFFERED,
		    r->ctx->now + r->srv->cfg->dhcp.offer_hold);
	if (l == NULL) {
		r->res->drop = DHCP_DROP_NO_ADDRESS;
		return;
	}
	offer_or_ack(r, DHCPOFFER, l);
}

static void
ack(struct req *r, uint32_t a)
{
	const struct lease *l = client_lease(r->srv, &r->cl);

	/*
	 * One client, one lease: a client moving to another address ends
	 * the lease it held (as ISC dhcpd and Kea do), in the same durable
	 * step, so it cannot drain a pool by asking for address after
	 * address.
	 */
	if (l != NULL && l->addr != a && in_force(l, r->ctx->now) &&
	    l->state != LEASE_DECLINED)
		(void)commit(r, l->addr, LEASE_EXPIRED, r->ctx->now);
	l = commit(r, a, LEASE_ACTIVE, r->ctx->now + r->sn->lease_time);
	if (l == NULL) {
		r->res->drop = DHCP_DROP_NO_ADDRESS;
		return;
	}
	r->res->durable_seq = l->seq;
	offer_or_ack(r, DHCPACK, l);
}

/* Is this server-identifier one of ours (or a relay's RFC 5107 override)? */
static int
our_server_id(const struct req *r, uint32_t sid)
{
	struct dhcp_rai rai;

	if (sid == r->server_id)
		return (1);
	return (r->m->giaddr != 0 && dhcp_rai(r->m, &rai) == 0 &&
	    rai.server_id_override == sid);
}

static void
on_request(struct req *r)
{
	const struct dhcp_msg *m = r->m;
	const struct lease *l;
	uint32_t sid, a;
	int selecting = dhcp_opt_u32(m, DHO_SERVER_ID, &sid) == 0;

	if (selecting) {
		/* RFC 2131 4.3.2 SELECTING: 54 names the chosen server. */
		if (dhcp_opt_u32(m, DHO_REQUESTED_ADDR, &a) == -1) {
			r->res->drop = DHCP_DROP_BAD_CLIENT;
			return;
		}
		l = lease_table_find_addr(r->srv->t, a);
		if (!our_server_id(r, sid)) {
			/* The client took another server's offer: free ours. */
			if (l != NULL && owns(l, &r->cl) &&
			    l->state == LEASE_OFFERED)
				(void)commit(r, a, LEASE_EXPIRED, r->ctx->now);
			r->res->drop = DHCP_DROP_NOT_FOR_US;
			return;
		}
		if (!may_have(r, a))
			nak(r, "address not available");
		else
			ack(r, a);
		return;
	}
	if (m->ciaddr == 0) {
		/* INIT-REBOOT: 50 is required; wrong network -> NAK. */
		if (dhcp_opt_u32(m, DHO_REQUESTED_ADDR, &a) == -1) {
			r->res->drop = DHCP_DROP_BAD_CLIENT;
			return;
		}
	} else
		a = m->ciaddr;		/* RENEWING or REBINDING */
	if (!in_subnet(r->sn, a)) {
		nak(r, "wrong network");
		return;
	}
	l = lease_table_find_addr(r->srv->t, a);
	if (l != NULL && owns(l, &r->cl) && may_have(r, a) &&
	    (l->state == LEASE_ACTIVE || l->state == LEASE_OFFERED)) {
		ack(r, a);
		return;
	}
	if (r->cl.host != NULL && r->cl.host->address == a) {
		ack(r, a);	/* a reservation needs no prior record */
		return;
	}
	if (!r->srv->cfg->dhcp.authoritative) {
		r->res->drop = DHCP_DROP_UNKNOWN_LEASE;
		return;
	}
	nak(r, l != NULL && in_force(l, r->ctx->now) && !owns(l, &r->cl) ?
	    "address in use" : "no lease for this client");
}

static void
on_decline(struct req *r)
{
	const struct lease *l;
	uint32_t sid, a;

	if (dhcp_opt_u32(r->m, DHO_SERVER_ID, &sid) == -1 ||
	    !our_server_id(r, sid) ||
	    dhcp_opt_u32(r->m, DHO_REQUESTED_ADDR, &a) == -1) {
		r->res->drop = DHCP_DROP_NOT_FOR_US;
		return;
	}
	l = lease_table_find_addr(r->srv->t, a);
	if (l == NULL || !owns(l, &r->cl)) {
		r->res->drop = DHCP_DROP_UNKNOWN_LEASE;
		return;
	}
	/* Quarantine: nobody gets it during probation (RFC 2131 4.3.3). */
	if ((l = commit(r, a, LEASE_DECLINED, r->ctx->now +
	    r->srv->cfg->dhcp.decline_probation)) != NULL)
		r->res->durable_seq = l->seq;
	r->res->drop = DHCP_DROP_NONE;
}

static void
on_release(struct req *r)
{
	const struct lease *l;
	uint32_t sid;

	if (dhcp_opt_u32(r->m, DHO_SERVER_ID, &sid) == -1 ||
	    !our_server_id(r, sid) || r->m->ciaddr == 0) {
		r->res->drop = DHCP_DROP_NOT_FOR_US;
		return;
	}
	l = lease_table_find_addr(r->srv->t, r->m->ciaddr);
	if (l == NULL || !owns(l, &r->cl) || l->state != LEASE_ACTIVE) {
		r->res->drop = DHCP_DROP_UNKNOWN_LEASE;
		return;
	}
	if ((l = commit(r, r->m->ciaddr, LEASE_RELEASED, r->ctx->now)) !=
	    NULL)
		r->res->durable_seq = l->seq;
}

static void
on_inform(struct req *r)
{
	struct dhcp_reply rep;

	/* RFC 2131 4.3.5: options only, no lease, no lease times. */
	memset(&rep, 0, sizeof(rep));
	rep.type = DHCPACK;
	rep.ciaddr = r->m->ciaddr;
	dhcp_optset_init(&rep.opts);
	reply_options(r, &rep.opts);
	srv_send_reply(r, &rep);
}

int
dhcp_srv_handle(struct dhcp_srv *s, const struct dhcp_ctx *ctx,
    struct dhcp_result *res, uint8_t *out, size_t outlen)
{
	const struct dhcp_msg *m = ctx->msg;
	struct req r;

	memset(res, 0, sizeof(*res));
	res->subnet = -1;
	if (m->op != DHCP_BOOTREQUEST || m->type == DHCP_NONE) {
		res->drop = m->op != DHCP_BOOTREQUEST ? DHCP_DROP_NOT_REQUEST :
		    DHCP_DROP_BAD_TYPE;
		return (0);
	}
	memset(&r, 0, sizeof(r));
	r.srv = s;
	r.ctx = ctx;
	r.m = m;
	r.res = res;
	r.out = out;
	r.outlen = outlen;
	r.server_id = ctx->local_addr;
	if (identify(s, m, &r.cl) == -1) {
		res->drop = DHCP_DROP_BAD_CLIENT;
		return (0);
	}
	if ((r.subnet = select_subnet(s, ctx)) < 0) {
		res->drop = DHCP_DROP_NO_SUBNET;
		return (0);
	}
	res->subnet = r.subnet;
	r.sn = &s->cfg->subnets[r.subnet];
	if (ctx->bootsrv) {
		srv_on_bootsrv(&r);
		return (0);
	}
	if (s->cfg->pxe.mode == CFG_PXE_PROXY) {
		srv_on_proxy(&r);
		return (0);
	}
	switch (m->type) {
	case DHCPDISCOVER:
		on_discover(&r);
		break;
	case DHCPREQUEST:
		on_request(&r);
		break;
	case DHCPDECLINE:
		on_decline(&r);
		break;
	case DHCPRELEASE:
		on_release(&r);
		break;
	case DHCPINFORM:
		on_inform(&r);
		break;
	default:
		res->drop = DHCP_DROP_BAD_TYPE;
		break;
	}
	return (0);
}
