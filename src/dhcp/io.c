/*
 * DHCP I/O: sockets, the lease journal and the durable-ACK pipeline.
 *
 * A request is parsed and decided on the event loop (dhcp_srv_handle).
 * Lease changes go into the table at once and into the journal queue; a
 * reply that depends on one (ACK) waits in `held` until the journal writer
 * thread has fdatasync'ed past its sequence number.  The writer flushes
 * everything queued in one write + one fdatasync (group commit), so under
 * load the flush rate, not the ACK rate, is the limit.  OFFERs and NAKs
 * change nothing durable and leave at once.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/rand.h>

#include "pxeha/clock.h"
#include "pxeha/config.h"
#include "pxeha/daemon.h"
#include "pxeha/dhcp.h"
#include "pxeha/dhcp_io.h"
#include "pxeha/dhcp_server.h"
#include "pxeha/lease.h"
#include "pxeha/log.h"
#include "pxeha/net.h"
#include "../core/cfgval.h"
#include "../core/wire.h"
#include "dhcp_io_int.h"

#define HELD_MAX	65536	/* replies waiting for the journal */
#define COMPACT_CHECK_S	30	/* how often to consider compaction */
#define COMPACT_MIN	(1u << 20)	/* never for a journal under 1 MiB */

static void	sock_cb(evutil_socket_t, short, void *);
static void	wake_cb(evutil_socket_t, short, void *);

/* The writer thread ------------------------------------------------------- */

static void *
writer_main(void *arg)
{
	struct dhcp_io *io = arg;
	uint64_t t0, ms;
	char b = 1;
	int i;

	pthread_mutex_lock(&io->mu);
	for (;;) {
		while (!io->want_flush && !io->stop)
			pthread_cond_wait(&io->cv, &io->mu);
		if (io->stop && !io->want_flush)
			break;
		io->want_flush = 0;
		io->flushing = 1;
		pthread_mutex_unlock(&io->mu);

		t0 = clock_us();
		(void)lease_journal_flush(io->j);
		ms = clock_us() - t0;

		pthread_mutex_lock(&io->mu);
		io->flushing = 0;
		io->flushes++;
		io->flush_us_sum += ms;
		for (i = 0; i < FLUSH_BUCKETS - 1; i++)
			if (ms <= flush_bucket_us[i])
				break;
		io->flush_hist[i]++;
		pthread_cond_broadcast(&io->cv);
		/* Wake the loop; a full pipe already has a wake-up in it. */
		(void)write(io->wake[1], &b, 1);
	}
	pthread_mutex_unlock(&io->mu);
	return (NULL);
}

static void
kick_writer(struct dhcp_io *io)
{
	pthread_mutex_lock(&io->mu);
	io->want_flush = 1;
	pthread_cond_signal(&io->cv);
	pthread_mutex_unlock(&io->mu);
}

/* Sending ------------------------------------------------------------------- */

static void
send_now(struct dhcp_io *io, const struct held *h)
{
	static struct log_rl rl;
	struct sockaddr_in to;
	struct net_pktinfo pi;
	struct in_addr a;
	char ifname[NET_IFNAME_MAX];
	int bcast = h->dest == DHCP_DEST_BROADCAST;

	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(h->dst_port);
	to.sin_addr.s_addr = htonl(h->dst_addr);
	memset(&pi, 0, sizeof(pi));
	pi.src.s_addr = htonl(h->src_addr);
	if (h->dest != DHCP_DEST_RELAY)
		pi.ifindex = h->ifindex;
	if (h->dest == DHCP_DEST_YIADDR) {
		/* RFC 2131 4.1: unicast to a client with no address yet. */
		a.s_addr = htonl(h->dst_addr);
		if (if_indextoname(h->ifindex, ifname) == NULL ||
		    net_arp_set(ifname, a, h->chaddr, h->hlen) == -1)
			bcast = 1;
	}
	if (bcast)
		to.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	if (net_udp_send(h->fd, h->buf, h->len, &to, &pi) == -1) {
		io->drops[DROP_SEND]++;
		log_rl(&rl, clock_ms(), LOG_WARNING, "dhcp: send to %s: %s",
		    inet_ntoa(to.sin_addr), strerror(errno));
		return;
	}
	io->sent[h->type & 15]++;
}

/* Release held replies whose leases are now on disk, in arrival order. */
static void
release_held(struct dhcp_io *io)
{
	uint64_t durable = lease_journal_durable_seq(io->j);
	struct held *h;

	while (io->nheld > 0) {
		h = &io->held[io->held_head];
		if (h->seq > durable)
			break;
		send_now(io, h);
		free(h->buf);
		h->buf = NULL;
		io->held_head = (io->held_head + 1) % HELD_MAX;
		io->nheld--;
	}
	if ((io->nheld > 0 || io->journal_pending) && !io->stop)
		kick_writer(io);
	io->journal_pending = 0;
}

static void
wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dhcp_io *io = arg;
	char buf[64];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	release_held(io);
}

static int
hold(struct dhcp_io *io, const struct held *tmpl, const uint8_t *pkt)
{
	struct held *h;

	if (io->nheld == HELD_MAX || (io->held == NULL &&
	    (io->held = calloc(HELD_MAX, sizeof(*io->held))) == NULL))
		return (-1);
	h = &io->held[(io->held_head + io->nheld) % HELD_MAX];
	*h = *tmpl;
	if ((h->buf = malloc(tmpl->len)) == NULL)
		return (-1);
	memcpy(h->buf, pkt, tmpl->len);
	io->nheld++;
	return (0);
}

/* Receiving ----------------------------------------------------------------- */

/*
 * Queue the request's lease changes for the journal.  Returns -1 when one
 * could not be queued: its reply must then never leave, since the flush
 * that releases it would not cover that record.
 */
static int
journal_changes(struct dhcp_io *io, const struct dhcp_result *res)
{
	static struct log_rl rl;
	size_t i;
	int r = 0;

	for (i = 0; i < res->nchanges; i++) {
		/* An offer is a promise for seconds: not worth a disk write. */
		if (res->changes[i].state == LEASE_OFFERED)
			continue;
		if (lease_journal_append(io->j, &res->changes[i]) == 0)
			io->journal_pending = 1;
		else {
			log_rl(&rl, clock_ms(), LOG_ERR, "dhcp: cannot queue a "
			    "lease record; its reply is dropped");
			r = -1;
		}
	}
	return (r);
}

/* Count a boot answer and say what was handed out to whom. */
static void
pxe_note(struct dhcp_io *io, const struct dsock *ds,
    const struct dhcp_result *res)
{
	static const char *const phases[] = { "dhcp", "proxy", "4011" };
	static struct log_rl rl;
	const struct cfg *c = io->cfg;
	const struct dhcp_msg *m = &io->msg;
	const char *rule = "?";
	struct pxe_seen *seen;
	char file[129];
	unsigned ph = (unsigned)res->pxe_phase - 1;
	unsigned arch = (unsigned)res->pxe_arch;
	size_t i;

	if (ph > 2 || arch > PXE_ARCH_UNKNOWN || res->len < 236)
		return;
	/* The reply's BOOTP file field (offset 108), printable only. */
	for (i = 0; i < 128 && io->out[108 + i] != 0; i++)
		file[i] = io->out[108 + i] >= 0x20 && io->out[108 + i] < 0x7f ?
		    (char)io->out[108 + i] : '?';
	file[i] = '\0';
	io->pxe_answers[ph][arch]++;
	if (res->pxe_rule >= 0 && (size_t)res->pxe_rule < c->nboots)
		rule = c->boots[res->pxe_rule].name;
	seen = &io->pxe_seen[io->pxe_seen_next];
	io->pxe_seen_next = (io->pxe_seen_next + 1) % PXE_SEEN_MAX;
	if (io->pxe_seen_n < PXE_SEEN_MAX)
		io->pxe_seen_n++;
	memset(seen, 0, sizeof(*seen));
	seen->wall = clock_wall();
	memcpy(seen->mac, m->chaddr, sizeof(seen->mac));
	seen->phase = (uint8_t)ph;
	seen->arch = (uint8_t)arch;
	seen->ipxe = res->pxe_ipxe != 0;
	/* The reply's yiaddr (our offer) or ciaddr (4011). */
	seen->to = wire_load32(io->out + 16) != 0 ? wire_load32(io->out + 16) :
	    wire_load32(io->out + 12);
	memcpy(seen->iface, ds->name, sizeof(seen->iface));
	snprintf(seen->rule, sizeof(seen->rule), "%s", rule);
	memcpy(seen->file, file, sizeof(seen->file));
	log_rl(&rl, clock_ms(), LOG_INFO, "pxe: %02x:%02x:%02x:%02x:%02x:%02x "
	    "(%s%s) on %s: %s answer by [boot %s]: \"%s\"",
	    m->chaddr[0], m->chaddr[1], m->chaddr[2], m->chaddr[3],
	    m->chaddr[4], m->chaddr[5], pxe_arch_name((enum pxe_arch)arch),
	    res->pxe_ipxe ? ", iPXE" : "", ds->name, phases[ph], rule, file);
}

static void
handle(struct dhcp_io *io, struct dsock *ds, const uint8_t *buf, size_t len,
    const struct sockaddr_in *from, const struct net_pktinfo *pi)
{
	static struct log_rl rl_bad, rl_drop;
	struct dhcp_ctx ctx;
	struct dhcp_result res;
	struct held h;
	int err;

	if ((err = dhcp_parse(buf, len, &io->msg)) < 0) {
		io->drops[DROP_MALFORMED]++;
		log_rl(&rl_bad, clock_ms(), LOG_INFO, "dhcp: malformed packet "
		    "on %s: %s", ds->name, dhcp_strerror(-err));
		return;
	}
	io->recv[io->msg.type & 15]++;
	memset(&ctx, 0, sizeof(ctx));
	ctx.msg = &io->msg;
	ctx.now = clock_wall();
	ctx.iface = ds->iface;
	ctx.local_addr = ds->addr != 0 ? ds->addr : ntohl(pi->src.s_addr);
	ctx.bootsrv = ds->bootsrv;
	ctx.src_addr = ntohl(from->sin_addr.s_addr);
	ctx.src_port = ntohs(from->sin_port);
	dhcp_srv_handle(io->srv, &ctx, &res, io->out, sizeof(io->out));
	if (journal_changes(io, &res) == -1 && res.durable_seq != 0) {
		io->drops[DROP_QUEUE_FULL]++;
		res.dest = DHCP_DEST_NONE;
		res.drop = DHCP_DROP_NONE;
	}
	if (res.dest == DHCP_DEST_NONE) {
		if (res.drop != DHCP_DROP_NONE) {
			io->drops[res.drop]++;
			if (res.drop == DHCP_DROP_NO_SUBNET ||
			    res.drop == DHCP_DROP_NO_ADDRESS)
				log_rl(&rl_drop, clock_ms(), LOG_WARNING,
				    "dhcp: %s from %02x:%02x:%02x:%02x:%02x:%02x"
				    " on %s dropped: %s",
				    dhcp_type_name(io->msg.type),
				    io->msg.chaddr[0], io->msg.chaddr[1],
				    io->msg.chaddr[2], io->msg.chaddr[3],
				    io->msg.chaddr[4], io->msg.chaddr[5],
				    ds->name, dhcp_drop_name(res.drop));
		}
		if (io->journal_pending)
			kick_writer(io);
		return;
	}
	if (res.pxe_phase > 0)
		pxe_note(io, ds, &res);
	memset(&h, 0, sizeof(h));
	h.seq = res.durable_seq;
	h.fd = ds->fd;
	h.ifindex = pi->ifindex;
	h.dest = res.dest;
	h.dst_addr = res.dst_addr;
	h.dst_port = res.dst_port;
	h.src_addr = res.src_addr;
	h.type = res.type;
	h.len = (size_t)res.len;
	h.hlen = io->msg.hlen <= 16 ? io->msg.hlen : 0;
	memcpy(h.chaddr, io->msg.chaddr, sizeof(h.chaddr));
	h.buf = io->out;
	if (h.seq == 0 || (io->nheld == 0 &&
	    h.seq <= lease_journal_durable_seq(io->j))) {
		send_now(io, &h);
		if (io->journal_pending)
			kick_writer(io);
		return;
	}
	if (hold(io, &h, io->out) == -1) {
		io->drops[DROP_QUEUE_FULL]++;
		return;
	}
	kick_writer(io);
	io->journal_pending = 0;
}

static void
sock_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dsock *ds = arg;
	struct dhcp_io *io = ds->io;
	struct sockaddr_in from;
	struct net_pktinfo pi;
	ssize_t n;
	int i;

	(void)what;
	/* Bounded batch per wake-up so one busy link cannot starve others. */
	for (i = 0; i < 64; i++) {
		n = net_udp_recv((int)fd, io->in, sizeof(io->in), &from, &pi);
		if (n == -1) {
			if (errno == EMSGSIZE) {
				io->drops[DROP_MALFORMED]++;
				continue;
			}
			break;
		}
		ds->kernel_drops = pi.kernel_drops;
		handle(io, ds, io->in, (size_t)n, &from, &pi);
	}
}

/* Setup ---------------------------------------------------------------------- */

static void
close_socks(struct dhcp_io *io)
{
	size_t i;

	for (i = 0; i < io->nsocks; i++) {
		if (io->socks[i].ev != NULL)
			event_free(io->socks[i].ev);
		if (io->socks[i].fd != -1)
			close(io->socks[i].fd);
	}
	free(io->socks);
	io->socks = NULL;
	io->nsocks = 0;
}

/*
 * One listening socket: port on interface i.  kind 0 is DHCP on the
 * server port, 1 the PXE boot server port.  In [pxe] mode = proxy the
 * server port socket is bound to 255.255.255.255: it hears the clients'
 * broadcasts while unicast to port 67 (renewals, relays) still reaches
 * the DHCP server this host may also run; proxy_listen = all binds it to
 * any address, for relayed clients where no other server runs here.
 */
static void
open_one(struct dhcp_io *io, const struct cfg *c, size_t i,
    const struct net_iface *nif, int bootsrv)
{
	struct dsock *ds = &io->socks[io->nsocks];
	struct in_addr a = { .s_addr = htonl(INADDR_ANY) };
	uint16_t port = bootsrv ? io->bootsrv_port : io->port;
	char ip[CFGV_IPSTR];
	int flags = NET_UDP_BROADCAST | NET_UDP_REUSEADDR | NET_UDP_BIGBUF;

	ds->io = io;
	ds->fd = -1;
	ds->iface = (int)i;
	ds->bootsrv = bootsrv;
	/* [interface] names were checked to be at most 15 bytes. */
	memcpy(ds->name, c->ifaces[i].name, sizeof(ds->name) - 1);
	ds->addr = c->ifaces[i].address;
	if (ds->addr == 0 && nif != NULL && nif->naddr > 0)
		ds->addr = ntohl(nif->addr[0].s_addr);
	io->nsocks++;
	if (nif == NULL) {
		if (!bootsrv)
			log_warnx("dhcp: interface %s does not exist; not "
			    "serving on it", ds->name);
		return;
	}
	if (!bootsrv && c->pxe.mode == CFG_PXE_PROXY) {
		if (c->pxe.proxy_listen == CFG_PROXY_BROADCAST)
			a.s_addr = htonl(INADDR_BROADCAST);
		flags |= NET_UDP_REUSEPORT;
	}
	if ((ds->fd = net_udp_open(a, port, ds->name, flags)) == -1) {
		log_warn("dhcp: cannot listen on %s port %u", ds->name, port);
		return;
	}
	ds->ev = event_new(io->px->base, ds->fd, EV_READ | EV_PERSIST,
	    sock_cb, ds);
	if (ds->ev == NULL || event_add(ds->ev, NULL) == -1) {
		log_warnx("dhcp: cannot watch %s", ds->name);
		return;
	}
	ds->listening = 1;
	if (bootsrv)
		log_info("pxe: boot server on %s port %u", ds->name, port);
	else
		log_info("dhcp: listening on %s (server id %s)%s", ds->name,
		    cfgv_fmt_ip(ip, ds->addr), c->pxe.mode != CFG_PXE_PROXY ? "" :
		    c->pxe.proxy_listen == CFG_PROXY_BROADCAST ?
		    " as ProxyDHCP (broadcasts only)" :
		    " as ProxyDHCP (broadcasts and relays)");
}

static int
open_socks(struct dhcp_io *io, const struct cfg *c)
{
	struct net_iface *ifs = NULL;
	const struct net_iface *nif;
	size_t i, nifs = 0;

	if ((io->socks = calloc(c->nifaces ? 2 * c->nifaces : 1,
	    sizeof(*io->socks))) == NULL)
		return (-1);
	if (net_iface_list(&ifs, &nifs) == -1)
		log_warn("dhcp: cannot list interfaces");
	for (i = 0; i < c->nifaces; i++) {
		if (!c->ifaces[i].dhcp)
			continue;
		nif = net_iface_find(ifs, nifs, c->ifaces[i].name);
		open_one(io, c, i, nif, 0);
		if (c->pxe.mode != CFG_PXE_OFF)
			open_one(io, c, i, nif, 1);
	}
	free(ifs);
	return (0);
}

/* Copy into the table arg; stop (non-zero) only on an error. */
static int
copy_lease(const struct lease *l, void *arg)
{
	return (lease_table_apply(arg, l) < 0);
}

/*
 * Wait for the writer to make everything queued durable and send the
 * replies it held.  Used before sockets close (reload, stop).
 */
static void
drain(struct dhcp_io *io)
{
	if (!io->writer_started)
		return;
	pthread_mutex_lock(&io->mu);
	io->want_flush = 1;
	pthread_cond_signal(&io->cv);
	while (io->want_flush || io->flushing)
		pthread_cond_wait(&io->cv, &io->mu);
	pthread_mutex_unlock(&io->mu);
	io->journal_pending = 0;
	release_held(io);
}

/*
 * Rewrite the journal as a snapshot once it holds several times what the
 * live table needs, so start-up replay and disk use stay bounded.
 */
static void
compact_cb(evutil_socket_t fd, short what, void *arg)
{
	struct dhcp_io *io = arg;
	uint64_t bytes = lease_journal_bytes(io->j), t0;

	(void)fd;
	(void)what;
	if (bytes < COMPACT_MIN ||
	    bytes < 4 * (uint64_t)lease_table_count(io->t) * LEASE_REC_MAX)
		return;
	t0 = clock_ms();
	if (lease_journal_compact(io->j, io->t) == 0)
		log_info("dhcp: journal compacted (%llu bytes, %zu leases) in "
		    "%llu ms", (unsigned long long)bytes,
		    lease_table_count(io->t),
		    (unsigned long long)(clock_ms() - t0));
}

/* A table keyed with this process's secret, so clients cannot pick ids
 * that collide in its hash tables. */
static struct lease_table *
new_table(const struct dhcp_io *io)
{
	struct lease_table *t;

	if ((t = lease_table_new()) == NULL)
		return (NULL);
	if (lease_table_set_key(t, io->key) != 0) {
		lease_table_free(t);
		return (NULL);
	}
	return (t);
}

int
dhcp_io_reload(struct dhcp_io *io, const struct cfg *c)
{
	struct lease_table *t;
	struct dhcp_srv *srv;

	/* A new table with the new pools, holding every lease we know. */
	if ((t = new_table(io)) == NULL ||
	    (srv = dhcp_srv_new(c, t)) == NULL) {
		lease_table_free(t);
		log_warnx("dhcp: out of memory rebuilding for the new "
		    "configuration");
		return (-1);
	}
	/* In sequence order, so every apply is an O(1) append. */
	lease_table_changes_since(io->t, 0, copy_lease, t);
	if (lease_table_count(t) != lease_table_count(io->t)) {
		dhcp_srv_free(srv);
		lease_table_free(t);
		log_warnx("dhcp: out of memory copying leases for the new "
		    "configuration");
		return (-1);
	}
	drain(io);
	close_socks(io);
	dhcp_srv_free(io->srv);
	/* The writer reads only the journal's own queue, never the table. */
	lease_table_free(io->t);
	io->t = t;
	io->srv = srv;
	io->cfg = c;
	/*
	 * The new configuration is live from here on (the server borrows it),
	 * so a socket that cannot be opened is logged, not a failed reload.
	 */
	if (open_socks(io, c) == -1)
		log_warnx("dhcp: out of memory opening sockets; not serving "
		    "DHCP until the next reload");
	return (0);
}

struct dhcp_io *
dhcp_io_new(struct pxeha *px, const struct cfg *c)
{
	struct dhcp_io *io;
	const char *port;

	if ((io = calloc(1, sizeof(*io))) == NULL)
		return (NULL);
	io->px = px;
	io->cfg = c;
	io->wake[0] = io->wake[1] = -1;
	/* Tests may move the server port; production never sets this. */
	io->port = (port = getenv("PXEHA_DHCP_PORT")) != NULL ?
	    (uint16_t)atoi(port) : 67;
	io->bootsrv_port = (port = getenv("PXEHA_PXE_PORT")) != NULL ?
	    (uint16_t)atoi(port) : 4011;
	pthread_mutex_init(&io->mu, NULL);
	pthread_cond_init(&io->cv, NULL);
	if (RAND_bytes(io->key, sizeof(io->key)) != 1)
		goto fail;
	if ((io->t = new_table(io)) == NULL ||
	    (io->srv = dhcp_srv_new(c, io->t)) == NULL)
		goto fail;
	if ((io->j = lease_journal_open(c->node.state_dir, io->t)) == NULL)
		goto fail;
	if (pipe2(io->wake, O_NONBLOCK | O_CLOEXEC) == -1 ||
	    (io->wake_ev = event_new(px->base, io->wake[0],
	    EV_READ | EV_PERSIST, wake_cb, io)) == NULL ||
	    event_add(io->wake_ev, NULL) == -1)
		goto fail;
	if (pthread_create(&io->writer, NULL, writer_main, io) != 0)
		goto fail;
	{
		struct timeval tv = { COMPACT_CHECK_S, 0 };

		if ((io->compact_ev = event_new(px->base, -1, EV_PERSIST,
		    compact_cb, io)) == NULL ||
		    event_add(io->compact_ev, &tv) == -1)
			goto fail;
	}
	io->writer_started = 1;
	if (open_socks(io, c) == -1)
		goto fail;
	log_info("dhcp: %zu lease(s) loaded, journal at seq %llu",
	    lease_table_count(io->t),
	    (unsigned long long)lease_table_seq(io->t));
	return (io);
fail:
	log_warnx("dhcp: cannot start the DHCP service");
	dhcp_io_free(io);
	return (NULL);
}

void
dhcp_io_free(struct dhcp_io *io)
{
	size_t i;

	if (io == NULL)
		return;
	drain(io);
	close_socks(io);
	if (io->writer_started) {
		pthread_mutex_lock(&io->mu);
		io->stop = 1;
		io->want_flush = 1;	/* one last flush of what is queued */
		pthread_cond_signal(&io->cv);
		pthread_mutex_unlock(&io->mu);
		pthread_join(io->writer, NULL);
	}
	if (io->held != NULL) {
		for (i = 0; i < HELD_MAX; i++)
			free(io->held[i].buf);
		free(io->held);
	}
	if (io->wake_ev != NULL)
		event_free(io->wake_ev);
	if (io->compact_ev != NULL)
		event_free(io->compact_ev);
	if (io->wake[0] != -1)
		close(io->wake[0]);
	if (io->wake[1] != -1)
		close(io->wake[1]);
	lease_journal_close(io->j);
	dhcp_srv_free(io->srv);
	lease_table_free(io->t);
	pthread_cond_destroy(&io->cv);
	pthread_mutex_destroy(&io->mu);
	free(io);
}

const struct lease_table *
dhcp_io_table(const struct dhcp_io *io)
{
	return (io->t);
}
