/*
 * TFTP I/O (tftp_io.h): sockets, timers and file reads around the pure
 * transfer machine in session.c.
 *
 * Requests arrive on the listener (port 69).  Each accepted RRQ gets its
 * own socket bound to the local address the request came to, on an
 * ephemeral port (its TID, RFC 1350 4), plus a libevent timer.  The
 * machine's SEND_FILE actions for a window are gathered into one buffer
 * of back-to-back datagrams, filled by one preadv from the shared open
 * file and handed to the kernel by net_udp_send_segs (UDP segmentation
 * offload / sendmmsg): a 64-block window costs two system calls to read
 * and send, not 128.  The buffer is shared by all sessions, since the
 * kernel has copied the bytes by the time the send returns, so a session
 * costs its struct and a socket, whatever its window.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "pxeha/clock.h"
#include "pxeha/config.h"
#include "pxeha/daemon.h"
#include "pxeha/log.h"
#include "pxeha/net.h"
#include "pxeha/tftp.h"
#include "pxeha/tftp_files.h"
#include "pxeha/tftp_io.h"
#include "pxeha/tftp_session.h"
#include "tftp_io_int.h"

#define RECV_BURST	64	/* datagrams read per wake-up */
#define STEP_MAX	64	/* steps per event before yielding */
#define SESS_BATCH	8	/* datagrams per receive on a transfer */
#define FOREIGN_PER_S	100	/* ERROR 5 answers a second, at most */
#define SESS_DGRAM	1024	/* room for each: an ACK or an ERROR */

static void	listen_cb(evutil_socket_t, short, void *);
static void	sess_cb(evutil_socket_t, short, void *);
static void	tmr_cb(evutil_socket_t, short, void *);

const char *
tio_peer_str(const struct sockaddr_in *sin, char *buf, size_t n)
{
	char a[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, n, "%s:%u", a, ntohs(sin->sin_port));
	return (buf);
}

void
tio_send_error(struct tftp_io *io, int fd, const struct sockaddr_in *to,
    uint16_t code, const char *msg)
{
	static struct log_rl rl;
	uint8_t b[TFTP_ERRMSG_MAX + 8];
	char p[32];
	int n;

	if ((n = tftp_build_error(b, sizeof(b), code, msg)) < 0)
		return;
	if (sendto(fd, b, (size_t)n, 0, (const struct sockaddr *)to,
	    sizeof(*to)) == -1) {
		io->send_errors++;
		log_rl(&rl, clock_ms(), LOG_WARNING, "tftp %s: send: %s",
		    tio_peer_str(to, p, sizeof(p)), strerror(errno));
		return;
	}
	io->errors_sent[code < 9 ? code : 0]++;
}

static void
count_file(struct tftp_io *io, const char *name)
{
	size_t i;

	for (i = 0; i < TIO_FILESTATS; i++) {
		if (io->fstat[i].name[0] == '\0') {
			snprintf(io->fstat[i].name, sizeof(io->fstat[i].name),
			    "%s", name);
			io->fstat[i].n = 1;
			return;
		}
		if (strcmp(io->fstat[i].name, name) == 0) {
			io->fstat[i].n++;
			return;
		}
	}
	io->fstat_other++;
}

/* Sessions ------------------------------------------------------------------ */

static void
sess_free(struct tftp_sess *s)
{
	struct tftp_io *io = s->io;

	TAILQ_REMOVE(&io->sess, s, link);
	io->nsess--;
	io->bytes_sent += s->x.bytes_sent;
	io->retransmits += s->x.retransmits;
	io->timeouts += s->x.timeouts;
	tio_close(s->ev, s->tmr, s->fd);
	tftp_file_release(s->file);
	free(s);
}

static void
sess_end(struct tftp_sess *s, enum tftp_close why, const char *detail)
{
	struct tftp_io *io = s->io;
	uint64_t ms = clock_ms() - s->start_ms;
	char p[32];

	tio_peer_str(&s->peer, p, sizeof(p));
	switch (why) {
	case TFTP_CLOSE_DONE:
		io->done++;
		log_info("tftp %s: sent %s, %llu bytes in %llu.%03llu s "
		    "(%.1f MB/s), blksize %u, window %u, %llu retransmits, "
		    "%llu timeouts, srtt %u ms", p, s->shown,
		    (unsigned long long)s->x.size,
		    (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000),
		    ms > 0 ? (double)s->x.size / 1e3 / (double)ms : 0.0,
		    s->x.blksize, s->x.window,
		    (unsigned long long)s->x.retransmits,
		    (unsigned long long)s->x.timeouts, s->x.srtt);
		break;
	case TFTP_CLOSE_PEER_ERROR:
	case TFTP_CLOSE_OACK_ERROR:
		io->errors_rcvd++;
		/* An ERROR after the OACK is how EDK2 asks for tsize only. */
		if (why == TFTP_CLOSE_OACK_ERROR)
			log_info("tftp %s: %s: client ended after the OACK "
			    "(error %u; a size probe)", p, s->shown,
			    s->x.peer_code);
		else {
			io->failed++;
			log_notice("tftp %s: %s: client sent error %u after "
			    "%llu bytes", p, s->shown, s->x.peer_code,
			    (unsigned long long)s->x.bytes_acked);
		}
		break;
	default:
		io->failed++;
		log_notice("tftp %s: %s: %s after %llu of %llu bytes "
		    "(%llu retransmits, %llu timeouts, %llu duplicate and "
		    "%llu stale ACKs)", p, s->shown,
		    detail != NULL ? detail : "timed out",
		    (unsigned long long)s->x.bytes_acked,
		    (unsigned long long)s->x.size,
		    (unsigned long long)s->x.retransmits,
		    (unsigned long long)s->x.timeouts,
		    (unsigned long long)s->x.dup_acks,
		    (unsigned long long)s->x.stale_acks);
		break;
	}
	sess_free(s);
}

/* Carry a run of SEND_FILE actions out as one batch of datagrams. */
static int
send_blocks(struct tftp_sess *s, const struct tftp_act *a, size_t n)
{
	struct tftp_io *io = s->io;
	struct iovec iov[TIO_NACTS];
	size_t seg = TFTP_HDR_LEN + s->x.blksize, k, total;
	uint8_t *slot;
	ssize_t r;

	for (k = 0; k < n; k++) {
		slot = io->scratch + k * seg;
		memcpy(slot, io->out + a[k].out_off, TFTP_HDR_LEN);
		iov[k].iov_base = slot + TFTP_HDR_LEN;
		iov[k].iov_len = a[k].len;
	}
	if (tftp_file_readv(s->file, a[0].off, iov, (int)n) == -1)
		return (-1);
	total = (n - 1) * seg + TFTP_HDR_LEN + a[n - 1].len;
	if (n == 1)
		r = sendto(s->fd, io->scratch, total, 0,
		    (struct sockaddr *)&s->peer, sizeof(s->peer)) == -1 ? -1 : 1;
	else
		r = net_udp_send_segs(s->fd, &s->peer, io->scratch, total,
		    seg, &s->gso);
	if (r < (ssize_t)n)
		io->send_errors++;	/* lost like any datagram; resent */
	return (0);
}

/*
 * Step the machine with ev (NULL: a timer expiry) and carry out what it
 * says, then arm the timer.  Returns -1 when the session was freed.
 */
static int
sess_run(struct tftp_sess *s, const struct tftp_ev *ev)
{
	static const struct tftp_ev tick = { TFTP_EV_TIMER, NULL, 0 };
	struct tftp_io *io = s->io;
	const struct tftp_act *a;
	uint64_t now = clock_ms();
	size_t i, j, blk;
	int n, it;

	if (ev == NULL)
		ev = &tick;
	for (it = 0; it < STEP_MAX; it++) {
		n = tftp_xfer_step(&s->x, ev, now, io->acts, TIO_NACTS,
		    io->out, sizeof(io->out));
		ev = &tick;
		if (n < 0) {
			sess_end(s, TFTP_CLOSE_TIMEOUT, "internal error");
			return (-1);
		}
		blk = s->x.blksize;
		for (i = 0; i < (size_t)n; i = j) {
			a = &io->acts[i];
			j = i + 1;
			switch (a->type) {
			case TFTP_ACT_SEND:
				if (sendto(s->fd, io->out + a->out_off, a->len,
				    0, (struct sockaddr *)&s->peer,
				    sizeof(s->peer)) == -1)
					io->send_errors++;
				break;
			case TFTP_ACT_SEND_FILE:
				/* Contiguous full blocks go out together. */
				while (j < (size_t)n &&
				    io->acts[j].type == TFTP_ACT_SEND_FILE &&
				    io->acts[j - 1].len == blk &&
				    io->acts[j].off == io->acts[j - 1].off + blk)
					j++;
				if (send_blocks(s, a, j - i) == -1) {
					io->changed++;
					tio_send_error(io, s->fd, &s->peer,
					    TFTP_ERR_UNDEF, "File changed "
					    "while being sent; try again");
					sess_end(s, TFTP_CLOSE_TIMEOUT,
					    "file changed on disk");
					return (-1);
				}
				break;
			case TFTP_ACT_CLOSE:
				if (a->reason == TFTP_CLOSE_TIMEOUT)
					io->errors_sent[TFTP_ERR_UNDEF]++;
				sess_end(s, a->reason, NULL);
				return (-1);
			}
		}
		if (tftp_xfer_deadline(&s->x) > now)
			break;
	}
	if (now - s->rate_ms >= 1000) {
		s->rate_bps = (s->x.bytes_acked - s->rate_bytes) * 1000 /
		    (now - s->rate_ms);
		s->rate_ms = now;
		s->rate_bytes = s->x.bytes_acked;
	}
	tio_arm(s->tmr, tftp_xfer_deadline(&s->x), now);
	return (0);
}

static void
tmr_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)sess_run(arg, NULL);
}

int
tio_foreign(struct tftp_io *io, int fd, const struct sockaddr_in *peer,
    const struct sockaddr_in *from)
{
	static struct log_rl rl;
	static uint64_t win_ms, win_n;
	uint64_t now;
	char p[32];

	if (from->sin_addr.s_addr == peer->sin_addr.s_addr &&
	    from->sin_port == peer->sin_port)
		return (0);
	io->foreign_tid++;
	now = clock_ms();
	log_rl(&rl, now, LOG_NOTICE, "tftp %s: datagram for another "
	    "client's transfer", tio_peer_str(from, p, sizeof(p)));
	/*
	 * RFC 1350 4: answer, and leave the transfer be.  But not more
	 * than FOREIGN_PER_S answers a second: spoofed strangers must not
	 * turn us into a reflector.
	 */
	if (now - win_ms >= 1000) {
		win_ms = now;
		win_n = 0;
	}
	if (win_n++ < FOREIGN_PER_S)
		tio_send_error(io, fd, from, TFTP_ERR_BADID,
		    "Unknown transfer ID");
	return (1);
}

ssize_t
tio_recv_peer(struct tftp_io *io, int fd, const struct sockaddr_in *peer)
{
	struct sockaddr_in from;
	socklen_t fl;
	ssize_t n;
	int k;

	for (k = 0; k < RECV_BURST; k++) {
		fl = sizeof(from);
		n = recvfrom(fd, io->rbuf, sizeof(io->rbuf), 0,
		    (struct sockaddr *)&from, &fl);
		if (n < 0 || !tio_foreign(io, fd, peer, &from))
			return (n);
	}
	return (-1);	/* a flood of strangers: the loop comes back */
}

void
tio_arm(struct event *ev, uint64_t deadline, uint64_t now)
{
	struct timeval tv;
	uint64_t d = deadline > now ? deadline - now : 0;

	tv.tv_sec = (time_t)(d / 1000);
	tv.tv_usec = (suseconds_t)(d % 1000) * 1000;
	evtimer_add(ev, &tv);
}

void
tio_close(struct event *ev, struct event *tmr, int fd)
{
	if (ev != NULL)
		event_free(ev);
	if (tmr != NULL)
		event_free(tmr);
	if (fd != -1)
		close(fd);
}

/*
 * A download only ever hears ACKs and ERRORs: small datagrams, read in
 * batches (one system call for a lock-step ACK, not two).
 */
static void
sess_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tftp_sess *s = arg;
	struct tftp_io *io = s->io;
	struct net_dgram d[SESS_BATCH];
	struct tftp_ev ev;
	int n, i, k;

	(void)what;
	for (i = 0; i < SESS_BATCH; i++) {
		d[i].buf = io->rbuf + i * SESS_DGRAM;
		d[i].cap = SESS_DGRAM;
	}
	for (k = 0; k < RECV_BURST / SESS_BATCH; k++) {
		if ((n = net_udp_recv_batch(fd, d, SESS_BATCH)) <= 0)
			return;
		for (i = 0; i < n; i++) {
			if (tio_foreign(io, fd, &s->peer, &d[i].from))
				continue;
			ev.type = TFTP_EV_PKT;
			ev.buf = d[i].buf;
			ev.len = d[i].len;
			if (sess_run(s, &ev) == -1)
				return;
		}
		if (n < SESS_BATCH)
			return;
	}
}

/* Requests ------------------------------------------------------------------ */

static unsigned
client_sessions(const struct tftp_io *io, const struct sockaddr_in *from,
    int *dup)
{
	const struct tftp_sess *s;
	unsigned n = 0;

	*dup = 0;
	const struct tftp_up *u;

	TAILQ_FOREACH(s, &io->sess, link) {
		if (s->peer.sin_addr.s_addr != from->sin_addr.s_addr)
			continue;
		n++;
		if (s->peer.sin_port == from->sin_port)
			*dup = 1;
	}
	TAILQ_FOREACH(u, &io->ups, link) {
		if (u->peer.sin_addr.s_addr != from->sin_addr.s_addr)
			continue;
		n++;
		if (u->peer.sin_port == from->sin_port)
			*dup = 1;
	}
	return (n);
}

static const char *
file_error_msg(int code)
{
	switch (code) {
	case TFTP_ERR_NOTFOUND:
		return ("File not found");
	case TFTP_ERR_ACCESS:
		return ("Access violation");
	case TFTP_ERR_DISKFULL:
		return ("File too large for netascii mode");
	default:
		return ("Cannot read the file");
	}
}

static int
ensure_scratch(struct tftp_io *io, uint32_t blksize)
{
	size_t need = (size_t)TIO_NACTS * (TFTP_HDR_LEN + blksize);
	uint8_t *p;

	if (io->scratch_len >= need)
		return (0);
	if ((p = realloc(io->scratch, need)) == NULL)
		return (-1);
	io->scratch = p;
	io->scratch_len = need;
	return (0);
}

static void
start_rrq(struct tftp_io *io, const struct tftp_req *req,
    const struct sockaddr_in *from, const struct net_pktinfo *pi)
{
	struct tftp_limits lim;
	struct tftp_opts granted;
	struct tftp_file *f = NULL;
	struct tftp_sess *s;
	char shown[TIO_SHOWN], p[32], esc[TIO_SHOWN];
	unsigned mtu;
	size_t sndbuf;
	int code, nopt, saved;

	tio_peer_str(from, p, sizeof(p));
	code = tftp_files_open(io->files, req->filename, req->filename_len,
	    req->mode == TFTP_MODE_NETASCII, &f, shown, sizeof(shown));
	log_escape(esc, sizeof(esc), shown[0] != '\0' ? shown : req->filename,
	    shown[0] != '\0' ? strlen(shown) : req->filename_len);
	if (code != 0) {
		log_info("tftp %s: RRQ %s: %s", p, esc, file_error_msg(code));
		tio_send_error(io, io->lfd, from, (uint16_t)code,
		    file_error_msg(code));
		return;
	}
	count_file(io, esc);

	memset(&lim, 0, sizeof(lim));
	lim.max_blksize = (uint32_t)io->cfg.max_blksize;
	if (io->cfg.mtu_clamp && (mtu = net_iface_mtu(pi->ifindex)) > 68 &&
	    mtu - 32 < lim.max_blksize)
		lim.max_blksize = mtu - 32;	/* 20 IP + 8 UDP + 4 TFTP */
	lim.max_window = io->cfg.max_window;
	lim.allow_msft = io->cfg.msftwindow;
	lim.allow_rollover = 1;
	nopt = tftp_negotiate(req, &lim, tftp_file_size(f), &granted);
	/*
	 * A window is one burst into the client's receive queue: past
	 * max_window_bytes (tftp-hpa's --window-bytes) answer a smaller
	 * windowsize, as RFC 7440 lets a server.
	 */
	if (granted.windowsize * granted.blksize > io->cfg.max_window_bytes)
		granted.windowsize = io->cfg.max_window_bytes /
		    granted.blksize > 1 ? io->cfg.max_window_bytes /
		    granted.blksize : 1;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		goto fail;
	s->io = io;
	s->file = f;
	s->fd = -1;
	s->peer = *from;
	s->mode = req->mode;
	snprintf(s->shown, sizeof(s->shown), "%s", esc);
	s->start_ms = s->rate_ms = clock_ms();
	if (tftp_xfer_init(&s->x, &granted, tftp_file_size(f), nopt > 0,
	    (int)io->cfg.rollover) != 0 ||
	    ensure_scratch(io, s->x.blksize) == -1)
		goto fail_s;
	/* The TID: our address on the request's path, a fresh port. */
	s->fd = net_udp_open(pi->src, 0, NULL, 0);
	if (s->fd == -1) {
		saved = errno;
		log_warnx("tftp %s: cannot open a transfer socket: %s", p,
		    strerror(saved));
		goto fail_s;
	}
	/* The boot manager's per-ACK window obeys the same caps. */
	s->x.window_max = io->cfg.max_window;
	if (s->x.window_max > io->cfg.max_window_bytes / s->x.blksize)
		s->x.window_max = (uint32_t)(io->cfg.max_window_bytes /
		    s->x.blksize);
	if (s->x.window_max < s->x.window)
		s->x.window_max = s->x.window;
	/* A whole window must fit the send queue, or its tail is lost. */
	sndbuf = s->x.msft ? s->x.window_max : s->x.window;
	sndbuf = (sndbuf < TIO_NACTS ? sndbuf : TIO_NACTS) *
	    (TFTP_HDR_LEN + s->x.blksize + 64) * 2;
	if (sndbuf > 212992)
		(void)net_udp_sndbuf(s->fd, sndbuf);
	s->ev = event_new(io->base, s->fd, EV_READ | EV_PERSIST, sess_cb, s);
	s->tmr = evtimer_new(io->base, tmr_cb, s);
	if (s->ev == NULL || s->tmr == NULL || event_add(s->ev, NULL) == -1)
		goto fail_s;
	TAILQ_INSERT_TAIL(&io->sess, s, link);
	io->nsess++;
	io->sessions_total++;
	log_debug("tftp %s: RRQ %s (%s, %llu bytes, blksize %u, window %u%s)",
	    p, esc, req->mode == TFTP_MODE_NETASCII ? "netascii" : "octet",
	    (unsigned long long)tftp_file_size(f), s->x.blksize, s->x.window,
	    s->x.msft ? ", msftwindow" : "");
	(void)sess_run(s, NULL);
	return;

fail_s:
	tio_close(s->ev, s->tmr, s->fd);
	free(s);
fail:
	tftp_file_release(f);
	tio_send_error(io, io->lfd, from, TFTP_ERR_UNDEF,
	    "Server out of resources; try again later");
}

static void
handle_request(struct tftp_io *io, const uint8_t *buf, size_t len,
    const struct sockaddr_in *from, const struct net_pktinfo *pi)
{
	static struct log_rl rl_bad, rl_busy;
	struct tftp_req req;
	char p[32];
	int r, dup;
	unsigned n;

	if (from->sin_port == 0)
		return;
	tio_peer_str(from, p, sizeof(p));
	if ((r = tftp_parse_req(buf, len, &req)) != 0) {
		/* Never answer an ERROR: two servers could loop. */
		if (len >= 2 && buf[0] == 0 && buf[1] == TFTP_ERROR)
			return;
		log_rl(&rl_bad, clock_ms(), LOG_NOTICE, "tftp %s: bad request "
		    "(%s)", p, r == -TFTP_E_DUPOPT ? "an option twice" :
		    "malformed");
		tio_send_error(io, io->lfd, from, r == -TFTP_E_DUPOPT ?
		    TFTP_ERR_OPTNEG : TFTP_ERR_BADOP, r == -TFTP_E_DUPOPT ?
		    "Option given twice" : "Illegal TFTP operation");
		return;
	}
	io->requests++;
	n = client_sessions(io, from, &dup);
	if (dup) {
		/* A retransmitted request: its transfer is under way. */
		io->dup_requests++;
		return;
	}
	if (req.opcode == TFTP_WRQ && io->updirfd == -1) {
		log_rl(&rl_bad, clock_ms(), LOG_NOTICE, "tftp %s: WRQ refused "
		    "(uploads are disabled)", p);
		tio_send_error(io, io->lfd, from, TFTP_ERR_ACCESS,
		    "Access violation");
		return;
	}
	if (io->nsess >= io->cfg.max_sessions ||
	    n >= io->cfg.max_per_client) {
		io->refused_busy++;
		log_rl(&rl_busy, clock_ms(), LOG_WARNING, "tftp %s: refused: "
		    "%s (%u)", p, n >= io->cfg.max_per_client ?
		    "too many transfers from this address" :
		    "too many transfers", n >= io->cfg.max_per_client ?
		    io->cfg.max_per_client : io->cfg.max_sessions);
		tio_send_error(io, io->lfd, from, TFTP_ERR_UNDEF,
		    "Server busy: too many transfers; try again later");
		return;
	}
	if (req.opcode == TFTP_WRQ)
		tftp_up_start(io, &req, from, pi);
	else
		start_rrq(io, &req, from, pi);
}

static void
listen_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tftp_io *io = arg;
	struct sockaddr_in from;
	struct net_pktinfo pi;
	ssize_t n;
	int k;

	(void)what;
	for (k = 0; k < RECV_BURST; k++) {
		n = net_udp_recv(fd, io->rbuf, sizeof(io->rbuf), &from, &pi);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;
		}
		handle_request(io, io->rbuf, (size_t)n, &from, &pi);
	}
}

/* Life cycle ---------------------------------------------------------------- */

static int
open_listener(struct tftp_io *io, const struct cfg_tftp *c, int *fdp,
    struct event **evp)
{
	struct in_addr any = { INADDR_ANY };
	unsigned long nofile;
	int fd;

	/* One descriptor per transfer: at start and when a reload enables us. */
	nofile = net_raise_nofile();
	if (nofile > 0 && nofile < (unsigned long)c->max_sessions + 64)
		log_warnx("tftp: the open-file limit (%lu) is below "
		    "max_sessions (%u) + 64", nofile, c->max_sessions);
	if ((fd = net_udp_open(any, c->port, NULL, NET_UDP_BIGBUF)) == -1) {
		log_warn("tftp: cannot listen on port %u", c->port);
		return (-1);
	}
	*evp = event_new(io->base, fd, EV_READ | EV_PERSIST, listen_cb, io);
	if (*evp == NULL || event_add(*evp, NULL) == -1) {
		if (*evp != NULL)
			event_free(*evp);
		close(fd);
		return (-1);
	}
	*fdp = fd;
	return (0);
}

/* (Re)open upload_dir; uploads stay off (logged) if it cannot be. */
static void
open_updir(struct tftp_io *io, const struct cfg_tftp *c)
{
	if (io->updirfd != -1)
		close(io->updirfd);
	io->updirfd = -1;
	if (!c->enable || c->upload_dir[0] == '\0')
		return;
	io->updirfd = open(c->upload_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (io->updirfd == -1)
		log_warn("tftp: uploads stay off: cannot open upload_dir %s",
		    c->upload_dir);
	else
		log_info("tftp: uploads go to %s (at most %llu bytes each)",
		    c->upload_dir, (unsigned long long)c->upload_max);
}

struct tftp_io *
tftp_io_new(struct pxeha *px, const struct cfg *cfg)
{
	struct tftp_io *io;

	if ((io = calloc(1, sizeof(*io))) == NULL)
		return (NULL);
	io->px = px;
	io->base = px->base;
	io->cfg = cfg->tftp;
	io->lfd = -1;
	io->updirfd = -1;
	TAILQ_INIT(&io->sess);
	TAILQ_INIT(&io->ups);
	if (!cfg->tftp.enable)
		return (io);
	if ((io->files = tftp_files_new(cfg->tftp.root)) == NULL) {
		log_warn("tftp: cannot open root %s", cfg->tftp.root);
		free(io);
		return (NULL);
	}
	if (open_listener(io, &io->cfg, &io->lfd, &io->lev) == -1) {
		tftp_files_free(io->files);
		free(io);
		return (NULL);
	}
	open_updir(io, &cfg->tftp);
	log_info("tftp: serving %s on port %u", cfg->tftp.root,
	    cfg->tftp.port);
	return (io);
}

void
tftp_io_free(struct tftp_io *io)
{
	struct tftp_sess *s;

	if (io == NULL)
		return;
	while ((s = TAILQ_FIRST(&io->sess)) != NULL)
		sess_free(s);
	while (!TAILQ_EMPTY(&io->ups))
		tftp_up_free(TAILQ_FIRST(&io->ups));
	if (io->updirfd != -1)
		close(io->updirfd);
	if (io->lev != NULL)
		event_free(io->lev);
	if (io->lfd != -1)
		close(io->lfd);
	tftp_files_free(io->files);
	free(io->scratch);
	free(io);
}

int
tftp_io_reload(struct tftp_io *io, const struct cfg *cfg)
{
	const struct cfg_tftp *c = &cfg->tftp;
	struct tftp_files *files = NULL;
	struct event *lev = NULL;
	int lfd = -1;

	if (c->enable) {
		if (!io->cfg.enable || strcmp(io->cfg.root, c->root) != 0) {
			if ((files = tftp_files_new(c->root)) == NULL) {
				log_warn("tftp: cannot open root %s", c->root);
				return (-1);
			}
		}
		if ((!io->cfg.enable || io->cfg.port != c->port) &&
		    open_listener(io, c, &lfd, &lev) == -1) {
			tftp_files_free(files);
			return (-1);
		}
	}
	if (!c->enable || files != NULL) {
		tftp_files_free(io->files);
		io->files = files;
	}
	if (!c->enable || lev != NULL) {
		if (io->lev != NULL)
			event_free(io->lev);
		if (io->lfd != -1)
			close(io->lfd);
		io->lev = lev;
		io->lfd = lfd;
	}
	io->cfg = *c;
	open_updir(io, c);
	if (c->enable)
		log_info("tftp: serving %s on port %u", c->root, c->port);
	return (0);
}
