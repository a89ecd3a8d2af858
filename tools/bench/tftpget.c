/*
 * tftpget: a fast TFTP read client for tools/bench/tftp (a benchmark tool, not
 * part of pxeha).
 *
 *   tftpget [options] SERVER FILE        fetch FILE (N times concurrently with -n)
 *   tftpget --gen PATH BYTES             write a test file with the check pattern
 *
 * Options:
 *   -p PORT     server port (69)
 *   -b BLKSIZE  request blksize (1468); 0: request no blksize (512-byte blocks)
 *   -w WINDOW   request windowsize W (RFC 7440) when W > 1 (1: not requested)
 *   -n N        N concurrent transfers of FILE in this one process (1)
 *   -t MS       retransmit timeout for our last ACK (200)
 *   -q MS       retransmit timeout for the RRQ (1000): longer, since every RRQ
 *               retransmitted to a forking server (in.tftpd) starts one more process
 *   -g SECS     give up a transfer after SECS without progress (10)
 *   -T SECS     cap: stop every transfer still running after SECS (0: none); a
 *               capped transfer is reported with capped=1 and its bytes so far
 *   -S BYTES    expected size: a transfer that ends with another size fails
 *   -V          verify every byte against the --gen pattern
 *   -R 0|1      block number after 65535 (0: wrap to 0, the usual; 1: to 1)
 *   -l ADDR     local address to bind the sockets to
 *   -r BYTES    SO_RCVBUF of each socket (default 4 MiB / N, at least 256 KiB)
 *   -s          spin: never sleep in epoll_wait() (non-blocking receive loop); only
 *               for a client that has a CPU of its own
 *
 * ACK policy (RFC 7440): ACK the last block of each window (a window starts after
 * every ACK we send), the last block of the file at once, the last in-order block
 * on a gap (once per gap), and again on a timeout.  A duplicate of an already
 * received block re-sends the last ACK at most once per 2 ms.  When the server's
 * OACK has no windowsize (or there is no OACK) the window is 1: every block is
 * ACKed.
 *
 * Output, one line per transfer and one summary line, on stdout:
 *   xfer id=0 ok=1 capped=0 bytes=... secs=... mbps=... timeouts=0 dups=0 gaps=0
 *        acks=... blksize=1468 window=16 oack=1 verify=ok err=-
 *   total n=1 ok=1 failed=0 capped=0 bytes=... wall=... agg_mbps=...
 *        min_secs=... max_secs=... timeouts=... dups=... gaps=...
 * MB = 10^6 bytes.  secs: from the first RRQ to the ACK of the last block.
 *
 * Build: cc -O2 -Wall -o tftpget tftpget.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { OP_RRQ = 1, OP_WRQ, OP_DATA, OP_ACK, OP_ERROR, OP_OACK };
enum { ST_RRQ, ST_XFER, ST_DONE, ST_FAILED, ST_CAPPED };

#define BATCH 32
#define MAX_BLK 65464

struct xfer {
	int fd;
	int id;
	int state;
	int connected;
	struct sockaddr_in peer;
	unsigned blksize, window;
	int oack;
	uint64_t next;		/* next expected block, absolute (1-based) */
	uint64_t ack_due;	/* absolute block whose arrival ends the window */
	uint64_t gap_acked;	/* `next` for which a gap ACK was sent (0: none) */
	uint64_t bytes;
	uint64_t tsize;
	int64_t t_start, t_end;
	int64_t t_progress;	/* last time `next` advanced (or the start) */
	int64_t t_deadline;	/* retransmit at */
	int64_t t_last_ack;
	uint64_t last_ack_abs;	/* absolute block of our last ACK */
	unsigned timeouts, dups, gaps, acks, oob;
	int verify_bad;
	char err[96];
};

static unsigned opt_port = 69, opt_blksize = 1468, opt_window = 1, opt_n = 1;
static unsigned opt_timeout_ms = 200, opt_rrq_timeout_ms = 1000, opt_rollover = 0;
static double opt_giveup = 10, opt_cap = 0;
static int64_t opt_expect = -1;
static int opt_verify, opt_spin;
static int opt_rcvbuf;
static const char *opt_local;
static struct sockaddr_in srv;
static const char *fname;
static volatile sig_atomic_t stop;

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- the check pattern: 32-bit little-endian words, a function of the offset */
static inline uint32_t
patword(uint64_t off4)
{
	uint32_t x = (uint32_t)(off4 >> 2);

	x = x * 2654435761u;
	return x ^ (x >> 15) ^ 0x5bd1e995u;
}

static inline uint8_t
patbyte(uint64_t off)
{
	return (uint8_t)(patword(off & ~(uint64_t)3) >> ((off & 3) * 8));
}

static int
verify(const uint8_t *p, size_t len, uint64_t off)
{
	while (len > 0 && (off & 3)) {
		if (*p != patbyte(off))
			return 0;
		p++, off++, len--;
	}
	while (len >= 4) {
		uint32_t w = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		    (uint32_t)p[3] << 24;
		if (w != patword(off))
			return 0;
		p += 4, off += 4, len -= 4;
	}
	while (len > 0) {
		if (*p != patbyte(off))
			return 0;
		p++, off++, len--;
	}
	return 1;
}

static int
gen(const char *path, const char *size_s)
{
	uint64_t size = strtoull(size_s, NULL, 0), off = 0;
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "wb");

	if (!f) {
		perror(path);
		return 1;
	}
	while (off < size) {
		size_t n = size - off < sizeof buf ? (size_t)(size - off) : sizeof buf;
		for (size_t i = 0; i < n; i += 4) {
			uint32_t w = patword(off + i);
			uint8_t b[4] = { (uint8_t)w, (uint8_t)(w >> 8), (uint8_t)(w >> 16),
				(uint8_t)(w >> 24) };
			memcpy(buf + i, b, n - i >= 4 ? 4 : n - i);
		}
		if (fwrite(buf, 1, n, f) != n) {
			perror(path);
			fclose(f);
			return 1;
		}
		off += n;
	}
	if (fclose(f) != 0) {
		perror(path);
		return 1;
	}
	return 0;
}

/* ---- block numbers on the wire */
static inline uint16_t
wire_blk(uint64_t abs)
{
	if (opt_rollover == 0 || abs <= 65535)
		return (uint16_t)abs;
	return (uint16_t)((abs - 1) % 65535 + 1);
}

/* signed distance from the expected wire block to a received one */
static int
blk_delta(uint64_t next_abs, uint16_t got)
{
	uint16_t exp = wire_blk(next_abs);
	int d = (int)(uint16_t)(got - exp);

	if (opt_rollover == 1 && next_abs > 65535) {
		/* in rollover-to-1 mode 0 never appears: wire distance skips it */
		int64_t g = got, e = exp;
		if (got == 0)
			return 40000;	/* "far away": ignored */
		d = (int)((g - e + 65535) % 65535);
	}
	if (d >= 32768)
		d -= 65536;
	return d;
}

static void
send_ack(struct xfer *x, uint64_t abs, int64_t now)
{
	uint8_t pkt[4] = { 0, OP_ACK, 0, 0 };
	uint16_t b = wire_blk(abs);

	pkt[2] = b >> 8;
	pkt[3] = b & 0xff;
	if (abs == 0)
		pkt[2] = pkt[3] = 0;
	if (send(x->fd, pkt, 4, 0) < 0 && errno != EAGAIN && errno != ENOBUFS &&
	    errno != ECONNREFUSED) {
		snprintf(x->err, sizeof x->err, "send-ack:%s", strerror(errno));
	}
	x->acks++;
	x->t_last_ack = now;
	x->last_ack_abs = abs;
	x->ack_due = abs + x->window;
	x->t_deadline = now + (int64_t)opt_timeout_ms * 1000000;
}

static size_t
build_rrq(uint8_t *p, size_t cap)
{
	size_t n = 0;
	char tmp[32];
	int w;

#define PUT(s)                                                  \
	do {                                                    \
		size_t l_ = strlen(s) + 1;                      \
		if (n + l_ > cap)                               \
			return 0;                               \
		memcpy(p + n, s, l_);                           \
		n += l_;                                        \
	} while (0)
	p[n++] = 0;
	p[n++] = OP_RRQ;
	PUT(fname);
	PUT("octet");
	if (opt_blksize) {
		PUT("blksize");
		w = snprintf(tmp, sizeof tmp, "%u", opt_blksize);
		(void)w;
		PUT(tmp);
	}
	PUT("tsize");
	PUT("0");
	if (opt_window > 1) {
		PUT("windowsize");
		snprintf(tmp, sizeof tmp, "%u", opt_window);
		PUT(tmp);
	}
#undef PUT
	return n;
}

static void
send_rrq(struct xfer *x, int64_t now)
{
	uint8_t pkt[600];
	size_t n = build_rrq(pkt, sizeof pkt);

	if (sendto(x->fd, pkt, n, 0, (struct sockaddr *)&srv, sizeof srv) < 0 &&
	    errno != EAGAIN && errno != ENOBUFS)
		snprintf(x->err, sizeof x->err, "send-rrq:%s", strerror(errno));
	x->t_deadline = now + (int64_t)opt_rrq_timeout_ms * 1000000;
}

static void
send_error(struct xfer *x, const char *msg)
{
	uint8_t pkt[128];
	size_t l = strlen(msg);

	if (!x->connected || l > 100)
		return;
	pkt[0] = 0, pkt[1] = OP_ERROR, pkt[2] = 0, pkt[3] = 0;
	memcpy(pkt + 4, msg, l + 1);
	(void)send(x->fd, pkt, 4 + l + 1, 0);
}

static void
finish(struct xfer *x, int state, int64_t now, const char *why)
{
	x->state = state;
	x->t_end = now;
	if (why && !x->err[0])
		snprintf(x->err, sizeof x->err, "%s", why);
}

/* parse an OACK; returns 0 when acceptable */
static int
parse_oack(struct xfer *x, const uint8_t *p, size_t len)
{
	size_t i = 2;

	x->oack = 1;
	x->blksize = 512;
	x->window = 1;
	while (i < len) {
		const char *k = (const char *)p + i;
		size_t kl = strnlen(k, len - i);
		if (i + kl >= len)
			return -1;
		i += kl + 1;
		const char *v = (const char *)p + i;
		size_t vl = strnlen(v, len - i);
		if (i + vl >= len)
			return -1;
		i += vl + 1;
		unsigned long val = strtoul(v, NULL, 10);
		if (strcasecmp(k, "blksize") == 0) {
			if (val < 8 || val > MAX_BLK || (opt_blksize && val > opt_blksize))
				return -1;
			x->blksize = (unsigned)val;
		} else if (strcasecmp(k, "windowsize") == 0) {
			if (val < 1 || val > 65535 || val > opt_window)
				return -1;
			x->window = (unsigned)val;
		} else if (strcasecmp(k, "tsize") == 0) {
			x->tsize = strtoull(v, NULL, 10);
		}
	}
	return 0;
}

/* one datagram for transfer x */
static void
on_packet(struct xfer *x, const uint8_t *p, size_t len, const struct sockaddr_in *from,
    int64_t now)
{
	uint16_t op, blk;

	if (x->state != ST_RRQ && x->state != ST_XFER) {
		/* finished: re-ACK a retransmitted last block (our final ACK was lost) */
		if (x->state == ST_DONE && len >= 4 && p[1] == OP_DATA &&
		    now - x->t_last_ack > 2000000) {
			uint8_t a[4] = { 0, OP_ACK, p[2], p[3] };
			(void)send(x->fd, a, 4, 0);
			x->t_last_ack = now;
		}
		return;
	}
	if (len < 4) {
		x->oob++;
		return;
	}
	if (!x->connected) {
		if (from->sin_addr.s_addr != srv.sin_addr.s_addr) {
			x->oob++;
			return;
		}
		x->peer = *from;
		if (connect(x->fd, (const struct sockaddr *)&x->peer, sizeof x->peer) < 0) {
			finish(x, ST_FAILED, now, "connect");
			return;
		}
		x->connected = 1;
	}
	op = (uint16_t)(p[0] << 8 | p[1]);
	blk = (uint16_t)(p[2] << 8 | p[3]);
	if (op == OP_ERROR) {
		char m[64];
		size_t ml = len - 4 < sizeof m - 1 ? len - 4 : sizeof m - 1;
		memcpy(m, p + 4, ml);
		m[ml] = 0;
		for (char *c = m; *c; c++)
			if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '=')
				*c = '_';
		snprintf(x->err, sizeof x->err, "error%u:%s", blk, m);
		finish(x, ST_FAILED, now, NULL);
		return;
	}
	if (op == OP_OACK) {
		if (x->state != ST_RRQ) {
			/* our ACK 0 was lost: the server sent its OACK again */
			if (x->next == 1)
				send_ack(x, 0, now);
			return;
		}
		if (parse_oack(x, p, len) < 0) {
			send_error(x, "bad OACK");
			finish(x, ST_FAILED, now, "bad-oack");
			return;
		}
		x->state = ST_XFER;
		x->next = 1;
		x->t_progress = now;
		send_ack(x, 0, now);
		return;
	}
	if (op != OP_DATA) {
		x->oob++;
		return;
	}
	if (x->state == ST_RRQ) {
		/* no OACK: the server ignored every option */
		x->state = ST_XFER;
		x->blksize = 512;
		x->window = 1;
		x->next = 1;
		x->ack_due = 1;
	}
	size_t dl = len - 4;
	if (dl > x->blksize) {
		x->oob++;
		return;
	}
	int d = blk_delta(x->next, blk);
	if (d == 0) {
		if (opt_verify && !x->verify_bad &&
		    !verify(p + 4, dl, (x->next - 1) * (uint64_t)x->blksize))
			x->verify_bad = 1;
		x->bytes += dl;
		x->t_progress = now;
		if (dl < x->blksize) {
			send_ack(x, x->next, now);
			x->next++;
			finish(x, ST_DONE, now, NULL);
			return;
		}
		if (x->next >= x->ack_due)
			send_ack(x, x->next, now);
		x->next++;
		/* no timeout while data keeps coming in order */
		x->t_deadline = now + (int64_t)opt_timeout_ms * 1000000;
	} else if (d > 0) {
		/* a gap: blocks lost before this one; ACK what we have, once */
		x->gaps++;
		if (x->gap_acked != x->next) {
			x->gap_acked = x->next;
			send_ack(x, x->next - 1, now);
		}
	} else {
		x->dups++;
		if (now - x->t_last_ack > 2000000)
			send_ack(x, x->next - 1, now);
	}
}

static void
on_timeout(struct xfer *x, int64_t now)
{
	if (now - x->t_progress > (int64_t)(opt_giveup * 1e9)) {
		send_error(x, "no progress");
		finish(x, ST_FAILED, now, x->state == ST_RRQ ? "no-answer" : "stalled");
		return;
	}
	x->timeouts++;
	if (x->state == ST_RRQ)
		send_rrq(x, now);
	else
		send_ack(x, x->next - 1, now);
}

static void
on_signal(int s)
{
	(void)s;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: tftpget [-p PORT] [-b BLKSIZE] [-w WINDOW] [-n N] [-t MS] [-q MS] [-g SECS] [-T SECS]\n"
	    "               [-S BYTES] [-V] [-R 0|1] [-l ADDR] [-r BYTES] [-s] SERVER FILE\n"
	    "       tftpget --gen PATH BYTES\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int c;

	if (argc == 4 && strcmp(argv[1], "--gen") == 0)
		return gen(argv[2], argv[3]);
	while ((c = getopt(argc, argv, "p:b:w:n:t:q:g:T:S:VR:l:r:s")) != -1) {
		switch (c) {
		case 'p': opt_port = (unsigned)atoi(optarg); break;
		case 'b': opt_blksize = (unsigned)atoi(optarg); break;
		case 'w': opt_window = (unsigned)atoi(optarg); break;
		case 'n': opt_n = (unsigned)atoi(optarg); break;
		case 't': opt_timeout_ms = (unsigned)atoi(optarg); break;
		case 'q': opt_rrq_timeout_ms = (unsigned)atoi(optarg); break;
		case 'g': opt_giveup = atof(optarg); break;
		case 'T': opt_cap = atof(optarg); break;
		case 'S': opt_expect = strtoll(optarg, NULL, 0); break;
		case 'V': opt_verify = 1; break;
		case 'R': opt_rollover = (unsigned)atoi(optarg); break;
		case 'l': opt_local = optarg; break;
		case 'r': opt_rcvbuf = atoi(optarg); break;
		case 's': opt_spin = 1; break;
		default: usage();
		}
	}
	if (argc - optind != 2 || opt_n < 1 || opt_n > 4096 || opt_window < 1 ||
	    opt_window > 65535 || opt_timeout_ms < 1 || opt_rrq_timeout_ms < 1 || opt_rollover > 1 ||
	    (opt_blksize && (opt_blksize < 8 || opt_blksize > MAX_BLK)))
		usage();
	memset(&srv, 0, sizeof srv);
	srv.sin_family = AF_INET;
	srv.sin_port = htons((uint16_t)opt_port);
	if (inet_pton(AF_INET, argv[optind], &srv.sin_addr) != 1) {
		fprintf(stderr, "tftpget: bad server address %s\n", argv[optind]);
		return 2;
	}
	fname = argv[optind + 1];
	if (strlen(fname) > 400)
		usage();
	if (!opt_rcvbuf) {
		opt_rcvbuf = (int)(4194304 / opt_n);
		if (opt_rcvbuf < 262144)
			opt_rcvbuf = 262144;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	struct xfer *xs = calloc(opt_n, sizeof *xs);
	size_t bufsz = (opt_blksize ? opt_blksize : 512) + 4 + 1;
	if (bufsz < 1600)
		bufsz = 1600;
	uint8_t *bufs = malloc(bufsz * BATCH);
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in froms[BATCH];
	if (!xs || !bufs) {
		fprintf(stderr, "tftpget: out of memory\n");
		return 1;
	}

	int64_t t0 = now_ns();
	for (unsigned i = 0; i < opt_n; i++) {
		struct xfer *x = &xs[i];
		x->id = (int)i;
		x->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (x->fd < 0) {
			perror("socket");
			return 1;
		}
		if (setsockopt(x->fd, SOL_SOCKET, SO_RCVBUFFORCE, &opt_rcvbuf,
			sizeof opt_rcvbuf) < 0)
			(void)setsockopt(x->fd, SOL_SOCKET, SO_RCVBUF, &opt_rcvbuf,
			    sizeof opt_rcvbuf);
		if (opt_local) {
			struct sockaddr_in la = { .sin_family = AF_INET };
			if (inet_pton(AF_INET, opt_local, &la.sin_addr) != 1 ||
			    bind(x->fd, (struct sockaddr *)&la, sizeof la) < 0) {
				perror("bind");
				return 1;
			}
		}
		x->blksize = opt_blksize ? opt_blksize : 512;
		x->window = 1;
		x->state = ST_RRQ;
		x->t_start = x->t_progress = now_ns();
		send_rrq(x, x->t_start);
	}

	int64_t cap_at = opt_cap > 0 ? t0 + (int64_t)(opt_cap * 1e9) : INT64_MAX;
	unsigned active = opt_n;
	uint64_t loops = 0;
	int ep = -1;
	struct epoll_event evs[256];

	if (!opt_spin) {
		ep = epoll_create1(EPOLL_CLOEXEC);
		if (ep < 0) {
			perror("epoll_create1");
			return 1;
		}
		for (unsigned i = 0; i < opt_n; i++) {
			struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };
			if (epoll_ctl(ep, EPOLL_CTL_ADD, xs[i].fd, &ev) < 0) {
				perror("epoll_ctl");
				return 1;
			}
		}
	}
	while (active > 0 && !stop) {
		loops++;
		int64_t now = now_ns();
		int64_t next_dl = cap_at;

		if (now >= cap_at) {
			for (unsigned i = 0; i < opt_n; i++)
				if (xs[i].state == ST_RRQ || xs[i].state == ST_XFER) {
					send_error(&xs[i], "benchmark time cap");
					finish(&xs[i], ST_CAPPED, now, "cap");
				}
			break;
		}
		for (unsigned i = 0; i < opt_n; i++) {
			struct xfer *x = &xs[i];
			if (x->state != ST_RRQ && x->state != ST_XFER)
				continue;
			if (now >= x->t_deadline) {
				on_timeout(x, now);
				if (x->state != ST_XFER && x->state != ST_RRQ) {
					active--;
					continue;
				}
			}
			if (x->t_deadline < next_dl)
				next_dl = x->t_deadline;
		}
		if (active == 0)
			break;
		unsigned nready = 0;
		if (opt_spin) {
			/* every transfer, running or done (a lost final ACK is re-sent) */
			for (unsigned i = 0; i < opt_n && nready < 256; i++)
				if (xs[i].state == ST_RRQ || xs[i].state == ST_XFER ||
				    xs[i].state == ST_DONE)
					evs[nready++].data.u32 = i;
		} else {
			int64_t wait_ms = (next_dl - now + 999999) / 1000000;
			if (wait_ms < 0)
				wait_ms = 0;
			if (wait_ms > 1000)
				wait_ms = 1000;
			int r = epoll_wait(ep, evs, 256, (int)wait_ms);
			if (r < 0) {
				if (errno == EINTR)
					continue;
				perror("epoll_wait");
				break;
			}
			nready = (unsigned)r;
		}
		for (unsigned k = 0; k < nready; k++) {
			struct xfer *x = &xs[evs[k].data.u32];
			int was_active = x->state == ST_RRQ || x->state == ST_XFER;
			for (int rounds = 0; rounds < 8; rounds++) {
				for (int j = 0; j < BATCH; j++) {
					iov[j].iov_base = bufs + (size_t)j * bufsz;
					iov[j].iov_len = bufsz;
					memset(&msgs[j].msg_hdr, 0, sizeof msgs[j].msg_hdr);
					msgs[j].msg_hdr.msg_iov = &iov[j];
					msgs[j].msg_hdr.msg_iovlen = 1;
					msgs[j].msg_hdr.msg_name = &froms[j];
					msgs[j].msg_hdr.msg_namelen = sizeof froms[j];
				}
				int got = recvmmsg(x->fd, msgs, BATCH, MSG_DONTWAIT, NULL);
				if (got <= 0) {
					if (got < 0 && errno == ECONNREFUSED && x->state == ST_XFER)
						finish(x, ST_FAILED, now_ns(), "port-unreachable");
					break;
				}
				int64_t t = now_ns();
				for (int j = 0; j < got; j++) {
					if (msgs[j].msg_hdr.msg_flags & MSG_TRUNC) {
						x->oob++;
						continue;
					}
					on_packet(x, iov[j].iov_base, msgs[j].msg_len, &froms[j], t);
				}
				if (got < BATCH)
					break;
			}
			if (was_active && x->state != ST_RRQ && x->state != ST_XFER) {
				active--;
				if (ep >= 0 && x->state != ST_DONE)
					(void)epoll_ctl(ep, EPOLL_CTL_DEL, x->fd, NULL);
			}
		}
	}
	int64_t t_end = now_ns();
	if (stop) {
		for (unsigned i = 0; i < opt_n; i++)
			if (xs[i].state == ST_RRQ || xs[i].state == ST_XFER) {
				send_error(&xs[i], "interrupted");
				finish(&xs[i], ST_FAILED, t_end, "interrupted");
			}
	}

	unsigned ok = 0, failed = 0, capped = 0;
	uint64_t tot_bytes = 0, tot_to = 0, tot_dup = 0, tot_gap = 0;
	double mn = 1e18, mx = 0;
	for (unsigned i = 0; i < opt_n; i++) {
		struct xfer *x = &xs[i];
		if (x->state == ST_RRQ || x->state == ST_XFER)
			finish(x, ST_FAILED, t_end, "unfinished");
		double secs = (double)(x->t_end - x->t_start) / 1e9;
		int good = x->state == ST_DONE;
		if (good && opt_expect >= 0 && (int64_t)x->bytes != opt_expect) {
			good = 0;
			snprintf(x->err, sizeof x->err, "size:%" PRIu64 "!=%" PRId64, x->bytes,
			    opt_expect);
		}
		if (good && x->tsize && x->bytes != x->tsize) {
			good = 0;
			snprintf(x->err, sizeof x->err, "tsize:%" PRIu64 "!=%" PRIu64, x->bytes,
			    x->tsize);
		}
		if (good && x->verify_bad) {
			good = 0;
			snprintf(x->err, sizeof x->err, "verify");
		}
		if (good) {
			ok++;
			if (secs < mn)
				mn = secs;
			if (secs > mx)
				mx = secs;
		} else if (x->state == ST_CAPPED) {
			capped++;
		} else {
			failed++;
		}
		tot_bytes += x->bytes;
		tot_to += x->timeouts;
		tot_dup += x->dups;
		tot_gap += x->gaps;
		printf("xfer id=%d ok=%d capped=%d bytes=%" PRIu64 " secs=%.6f mbps=%.3f "
		       "timeouts=%u dups=%u gaps=%u acks=%u oob=%u blksize=%u window=%u oack=%d "
		       "verify=%s err=%s\n",
		    x->id, good, x->state == ST_CAPPED, x->bytes, secs,
		    secs > 0 ? (double)x->bytes / secs / 1e6 : 0.0, x->timeouts, x->dups, x->gaps,
		    x->acks, x->oob, x->blksize, x->window, x->oack,
		    !opt_verify ? "off" : x->verify_bad ? "BAD" : "ok",
		    x->err[0] ? x->err : "-");
		close(x->fd);
	}
	double wall = (double)(t_end - t0) / 1e9;
	printf("total n=%u ok=%u failed=%u capped=%u bytes=%" PRIu64 " wall=%.6f agg_mbps=%.3f "
	       "min_secs=%.6f max_secs=%.6f timeouts=%" PRIu64 " dups=%" PRIu64 " gaps=%" PRIu64
	       " loops=%" PRIu64 "\n",
	    opt_n, ok, failed, capped, tot_bytes, wall,
	    wall > 0 ? (double)tot_bytes / wall / 1e6 : 0.0, ok ? mn : 0.0, ok ? mx : 0.0, tot_to,
	    tot_dup, tot_gap, loops);
	free(xs);
	free(bufs);
	return (ok == opt_n) ? 0 : 1;
}
