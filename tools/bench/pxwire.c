/*
 * pxwire: a user-space "wire" with a fixed one-way delay (and optional random
 * loss) between two network namespaces, for tools/bench/tftp on kernels without
 * netem.  A benchmark tool, not part of pxeha.
 *
 *   pxwire wire --a NETNS:IFNAME --b NETNS:IFNAME [--delay-us 250]
 *               [--loss-permille 0] [--seed N] [--qlen 16384] [--max-secs N]
 *       Creates TAP device IFNAME inside network namespace NETNS (a name under
 *       /run/netns) for each side (IFF_TAP|IFF_NO_PI; the device lives as long as
 *       pxwire does), prints "ready" on stdout, then forwards every Ethernet frame
 *       read from one TAP to the other after holding it for the delay.  Frames are
 *       queued with their due time (CLOCK_MONOTONIC); the loop sleeps in ppoll()
 *       with a nanosecond timeout until the next frame is due or a frame arrives
 *       (timer slack set to 1 ns), shortened by the average lateness of its past
 *       timed wake-ups.  Loss, if any, is drawn per frame and direction.
 *       SIGTERM/SIGINT, or --max-secs after the start: print counters on stderr
 *       and exit.
 *
 *   pxwire blast --to IP:PORT [--secs 2] [--size 1472] [--batch 16] [--pps N]
 *       Send UDP datagrams of SIZE bytes (sendmmsg, BATCH at a time) for SECS, at N
 *       datagrams per second (paced per batch), or as fast as possible without --pps.
 *   pxwire sink --port PORT [--secs 3]
 *       Count UDP datagrams received on PORT until SECS after the first one, or
 *       0.5 s of silence; print "sink pkts=N bytes=B secs=S pps=... mbps=...".
 *       (blast + sink measure the wire's own packet-rate ceiling.)
 *
 * Build: cc -O2 -Wall -o pxwire pxwire.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLOT 1600	/* frame bytes per queue slot: MTU 1500 + Ethernet header */

static volatile sig_atomic_t stop;

static void
on_signal(int s)
{
	(void)s;
	stop = 1;
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
die(const char *what)
{
	fprintf(stderr, "pxwire: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ------------------------------------------------------------------ wire */

struct queue {
	unsigned cap, head, n;
	int64_t *due;
	uint16_t *len;
	uint8_t *data;
	uint64_t in, out, lost, qdrop, late, maxq;
	int64_t late_max;
};

struct side {
	const char *ns, *ifname;
	int fd;
};

static uint64_t rng;

static inline uint64_t
xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
open_tap(const char *ns, const char *ifname, int home)
{
	char path[256];
	int nsfd, fd;
	struct ifreq ifr;

	snprintf(path, sizeof path, "/run/netns/%s", ns);
	nsfd = open(path, O_RDONLY | O_CLOEXEC);
	if (nsfd < 0)
		die(path);
	if (setns(nsfd, CLONE_NEWNET) < 0)
		die("setns");
	close(nsfd);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		die("/dev/net/tun");
	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (strlen(ifname) >= IFNAMSIZ) {
		fprintf(stderr, "pxwire: interface name too long: %s\n", ifname);
		exit(2);
	}
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die("TUNSETIFF");
	if (setns(home, CLONE_NEWNET) < 0)
		die("setns back");
	return fd;
}

static void
q_init(struct queue *q, unsigned cap)
{
	memset(q, 0, sizeof *q);
	q->cap = cap;
	q->due = calloc(cap, sizeof *q->due);
	q->len = calloc(cap, sizeof *q->len);
	q->data = malloc((size_t)cap * SLOT);
	if (!q->due || !q->len || !q->data) {
		fprintf(stderr, "pxwire: out of memory\n");
		exit(1);
	}
}

/* read what is waiting on `from` (up to budget frames) into q; each frame is due
 * `delay` after `stamp` (its estimated arrival) */
static void
q_fill(struct queue *q, int from, int64_t stamp, int64_t delay, unsigned loss, int budget)
{
	uint8_t scratch[SLOT];

	for (int i = 0; i < budget; i++) {
		unsigned slot = (q->head + q->n) % q->cap;
		uint8_t *dst = q->n < q->cap ? q->data + (size_t)slot * SLOT : scratch;
		ssize_t r = read(from, dst, SLOT);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			die("read tap");
		}
		if (r == 0)
			return;
		q->in++;
		if (loss && xorshift() % 1000 < loss) {
			q->lost++;
			continue;
		}
		if (q->n >= q->cap) {
			q->qdrop++;
			continue;
		}
		q->due[slot] = stamp + delay;
		q->len[slot] = (uint16_t)r;
		q->n++;
		if (q->n > q->maxq)
			q->maxq = q->n;
	}
}

/* forward every frame of q that is due by `now` + `early` to `to` */
static void
q_drain(struct queue *q, int to, int64_t now, int64_t early)
{
	while (q->n > 0 && q->due[q->head] <= now + early) {
		unsigned s = q->head;
		int64_t late = now - q->due[s];
		if (late > 50000)
			q->late++;
		if (late > q->late_max)
			q->late_max = late;
		if (write(to, q->data + (size_t)s * SLOT, q->len[s]) < 0 && errno != EAGAIN &&
		    errno != EIO && errno != ENOBUFS)
			die("write tap");
		q->out++;
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
}

static int
cmd_wire(int argc, char **argv)
{
	struct side a = { 0 }, b = { 0 };
	int64_t delay = 250000;
	unsigned loss = 0, qlen = 16384;
	double max_secs = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();

	for (int i = 0; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		struct side *s = NULL;
		if (!v)
			goto usage;
		if (strcmp(o, "--a") == 0)
			s = &a;
		else if (strcmp(o, "--b") == 0)
			s = &b;
		if (s) {
			char *c = strchr(v, ':');
			if (!c)
				goto usage;
			*c = 0;
			s->ns = v;
			s->ifname = c + 1;
		} else if (strcmp(o, "--delay-us") == 0) {
			delay = (int64_t)(atof(v) * 1000);
		} else if (strcmp(o, "--loss-permille") == 0) {
			loss = (unsigned)atoi(v);
		} else if (strcmp(o, "--seed") == 0) {
			seed = strtoull(v, NULL, 0);
		} else if (strcmp(o, "--qlen") == 0) {
			qlen = (unsigned)atoi(v);
		} else if (strcmp(o, "--max-secs") == 0) {
			max_secs = atof(v);
		} else {
			goto usage;
		}
		i++;
	}
	if (!a.ns || !b.ns || loss > 1000 || qlen < 16 || delay < 0)
		goto usage;
	rng = seed ? seed : 1;

	int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		die("/proc/self/ns/net");
	a.fd = open_tap(a.ns, a.ifname, home);
	b.fd = open_tap(b.ns, b.ifname, home);
	close(home);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	struct queue ab, ba;
	q_init(&ab, qlen);
	q_init(&ba, qlen);
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	printf("ready\n");
	fflush(stdout);

	struct pollfd pfd[2] = { { .fd = a.fd, .events = POLLIN }, { .fd = b.fd, .events = POLLIN } };
	uint64_t wakeups = 0, timer_wakeups = 0;
	/*
	 * A timed sleep ends late: on this kind of VM 50-100 us (waking an idle vCPU).
	 * `early` tracks that overshoot (moving average of the timer wake-ups) and the
	 * loop sleeps that much less, forwarding what is due within `early`: on average
	 * a frame leaves on time instead of one overshoot late.  A frame that woke the
	 * loop from a sleep arrived about as long before it was read (the same wake-up):
	 * its clock starts that much earlier (at most the time slept).
	 */
	int64_t early = 0, early_max = delay / 2;
	double overshoot_sum = 0;
	int64_t end_at = max_secs > 0 ? now_ns() + (int64_t)(max_secs * 1e9) : INT64_MAX;
	while (!stop) {
		int64_t now = now_ns();
		if (now >= end_at) {
			fprintf(stderr, "pxwire: --max-secs reached\n");
			break;
		}
		q_drain(&ab, b.fd, now, early);
		q_drain(&ba, a.fd, now, early);
		int64_t next = INT64_MAX;
		if (ab.n)
			next = ab.due[ab.head];
		if (ba.n && ba.due[ba.head] < next)
			next = ba.due[ba.head];
		struct timespec ts;
		int64_t want = 0;
		if (next != INT64_MAX) {
			want = next - early;
			int64_t w = want - now_ns();
			if (w < 0)
				w = 0;
			ts.tv_sec = w / 1000000000;
			ts.tv_nsec = w % 1000000000;
		} else {
			ts.tv_sec = 0;
			ts.tv_nsec = 200000000;	/* look at `stop` now and then */
		}
		int64_t slept_at = now_ns();
		int r = ppoll(pfd, 2, &ts, NULL);
		int64_t woke = now_ns();
		wakeups++;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("ppoll");
		}
		if (r == 0 && next != INT64_MAX) {
			int64_t over = woke - want;
			if (over < 0)
				over = 0;
			timer_wakeups++;
			overshoot_sum += (double)over;
			early += (over - early) / 8;
			if (early > early_max)
				early = early_max;
			if (early < 0)
				early = 0;
		}
		if (r > 0) {
			int64_t back = woke - slept_at < early ? woke - slept_at : early;
			if (pfd[0].revents & POLLIN)
				q_fill(&ab, a.fd, woke - back, delay, loss, 256);
			if (pfd[1].revents & POLLIN)
				q_fill(&ba, b.fd, woke - back, delay, loss, 256);
			if ((pfd[0].revents | pfd[1].revents) & (POLLERR | POLLHUP | POLLNVAL)) {
				fprintf(stderr, "pxwire: tap error\n");
				break;
			}
		}
	}
	fprintf(stderr,
	    "pxwire: a->b in=%" PRIu64 " out=%" PRIu64 " lost=%" PRIu64 " qdrop=%" PRIu64
	    " maxq=%" PRIu64 " late50us=%" PRIu64 " latemax_us=%.1f; "
	    "b->a in=%" PRIu64 " out=%" PRIu64 " lost=%" PRIu64 " qdrop=%" PRIu64
	    " maxq=%" PRIu64 " late50us=%" PRIu64 " latemax_us=%.1f; wakeups=%" PRIu64
	    " timer_overshoot_avg_us=%.1f early_us=%.1f\n",
	    ab.in, ab.out, ab.lost, ab.qdrop, ab.maxq, ab.late, ab.late_max / 1e3, ba.in, ba.out,
	    ba.lost, ba.qdrop, ba.maxq, ba.late, ba.late_max / 1e3, wakeups,
	    timer_wakeups ? overshoot_sum / timer_wakeups / 1e3 : 0.0, early / 1e3);
	return 0;
usage:
	fprintf(stderr, "usage: pxwire wire --a NETNS:IF --b NETNS:IF [--delay-us US] "
			"[--loss-permille N] [--seed N] [--qlen N] [--max-secs N]\n");
	return 2;
}

/* ------------------------------------------------------------------ blast / sink */

static int
cmd_blast(int argc, char **argv)
{
	const char *to = NULL;
	double secs = 2, pps = 0;
	int size = 1472, batch = 16;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--to") == 0)
			to = argv[i + 1];
		else if (strcmp(argv[i], "--secs") == 0)
			secs = atof(argv[i + 1]);
		else if (strcmp(argv[i], "--size") == 0)
			size = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--batch") == 0)
			batch = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--pps") == 0)
			pps = atof(argv[i + 1]);
	}
	if (!to || size < 1 || size > 65000 || batch < 1 || batch > 1024 || secs <= 0 ||
	    secs > 60) {
		fprintf(stderr, "usage: pxwire blast --to IP:PORT [--secs S] [--size N] [--batch N]\n");
		return 2;
	}
	char host[64];
	snprintf(host, sizeof host, "%s", to);
	char *c = strrchr(host, ':');
	if (!c)
		return 2;
	*c = 0;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(c + 1)) };
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return 2;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
		die("socket");
	uint8_t *buf = calloc(1, (size_t)size);
	struct mmsghdr *m = calloc((size_t)batch, sizeof *m);
	struct iovec iov = { .iov_base = buf, .iov_len = (size_t)size };
	for (int i = 0; i < batch; i++) {
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	int64_t start = now_ns(), end = start + (int64_t)(secs * 1e9);
	uint64_t sent = 0, errs = 0, batches = 0;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	while (!stop && now_ns() < end) {
		if (pps > 0) {
			/* batch k leaves at start + k * batch / pps (late ones at once) */
			int64_t at = start + (int64_t)((double)batches * batch / pps * 1e9);
			int64_t w = at - now_ns();
			if (w > 0) {
				struct timespec ts = { w / 1000000000, w % 1000000000 };
				nanosleep(&ts, NULL);
			}
			batches++;
		}
		int r = sendmmsg(fd, m, (unsigned)batch, 0);
		if (r < 0) {
			errs++;
			continue;
		}
		sent += (uint64_t)r;
	}
	double el = (double)(now_ns() - start) / 1e9;
	printf("blast sent=%" PRIu64 " errors=%" PRIu64 " pps=%.0f\n", sent, errs,
	    el > 0 ? sent / el : 0);
	return 0;
}

static int
cmd_sink(int argc, char **argv)
{
	int port = 0;
	double secs = 3;

	for (int i = 0; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--port") == 0)
			port = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--secs") == 0)
			secs = atof(argv[i + 1]);
	}
	if (port <= 0 || port > 65535 || secs <= 0 || secs > 120) {
		fprintf(stderr, "usage: pxwire sink --port PORT [--secs S]\n");
		return 2;
	}
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	int rb = 4 << 20;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (fd < 0)
		die("socket");
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rb, sizeof rb);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0)
		die("bind");
	printf("ready\n");
	fflush(stdout);
	enum { B = 64 };
	static uint8_t bufs[B][2048];
	struct mmsghdr m[B];
	struct iovec iov[B];
	for (int i = 0; i < B; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof bufs[i];
		memset(&m[i], 0, sizeof m[i]);
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	uint64_t pkts = 0, bytes = 0;
	int64_t first = 0, last = 0, giveup = now_ns() + (int64_t)(secs * 1e9) + 30000000000;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop) {
		int64_t now = now_ns();
		if (now > giveup || (first && now - first > (int64_t)(secs * 1e9)) ||
		    (first && now - last > 500000000))
			break;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		int r = recvmmsg(fd, m, B, MSG_DONTWAIT, NULL);
		if (r <= 0)
			continue;
		last = now_ns();
		if (!first)
			first = last;
		pkts += (uint64_t)r;
		for (int i = 0; i < r; i++)
			bytes += m[i].msg_len;
	}
	double s = first && last > first ? (double)(last - first) / 1e9 : 0;
	printf("sink pkts=%" PRIu64 " bytes=%" PRIu64 " secs=%.3f pps=%.0f mbps=%.1f\n", pkts, bytes,
	    s, s > 0 ? pkts / s : 0, s > 0 ? bytes / s / 1e6 : 0);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "wire") == 0)
		return cmd_wire(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "blast") == 0)
		return cmd_blast(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "sink") == 0)
		return cmd_sink(argc - 2, argv + 2);
	fprintf(stderr, "usage: pxwire wire|blast|sink ...\n");
	return 2;
}
