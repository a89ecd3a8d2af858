/*
 * udpecho: integration-test helper for src/net.
 *
 *	udpecho PORT [IFNAME] [--count N] [--seconds S] [--bcast-reply]
 *	udpecho --list
 *
 * The first form answers each datagram with one line saying where it
 * arrived (interface, destination address) and who sent it, and sends that
 * answer through net_udp_send() from the address and interface it arrived
 * on, so one exchange checks IP_PKTINFO in both directions.  It prints
 * "ready" once the socket is bound, answers at most N datagrams (default
 * 10) and exits after S seconds (default 20) at the latest.  With
 * --bcast-reply the answer goes to 255.255.255.255 at the sender's port
 * instead, still out of the arrival interface, as a DHCP server answers a
 * client that has no address yet.
 *
 * The second form prints net_iface_list(), one interface per line.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pxeha/net.h"

#define UDPECHO_BUFLEN	2048

static void	usage(void) __attribute__((__noreturn__));

static void
usage(void)
{
	fprintf(stderr, "usage: udpecho PORT [IFNAME] [--count N] "
	    "[--seconds S] [--bcast-reply]\n       udpecho --list\n");
	exit(2);
}

/* strtonum(3)-like: the whole string must be a number in [min, max]. */
static int
parse_num(const char *s, long long min, long long max, long long *v)
{
	char		*end;
	long long	 x;

	errno = 0;
	x = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || x < min || x > max)
		return (-1);
	*v = x;
	return (0);
}

static uint64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

static const struct net_iface *
iface_by_index(const struct net_iface *ifs, size_t n, unsigned index)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (ifs[i].index == index)
			return (&ifs[i]);
	return (NULL);
}

static int
list_ifaces(void)
{
	struct net_iface	*ifs;
	char			 a[INET_ADDRSTRLEN];
	size_t			 n, i, j;

	if (net_iface_list(&ifs, &n) == -1) {
		perror("udpecho: net_iface_list");
		return (1);
	}
	for (i = 0; i < n; i++) {
		printf("name=%s index=%u mtu=%u mac=", ifs[i].name,
		    ifs[i].index, ifs[i].mtu);
		if (ifs[i].has_mac) {
			for (j = 0; j < sizeof(ifs[i].mac); j++)
				printf("%s%02x", j ? ":" : "", ifs[i].mac[j]);
		} else
			printf("-");
		printf(" up=%d addrs=", ifs[i].up ? 1 : 0);
		for (j = 0; j < ifs[i].naddr; j++) {
			inet_ntop(AF_INET, &ifs[i].addr[j], a, sizeof(a));
			printf("%s%s/%u", j ? "," : "", a, ifs[i].prefix[j]);
		}
		printf("\n");
	}
	free(ifs);
	return (fflush(stdout) == 0 ? 0 : 1);
}

/*
 * Answer one received datagram; pi and from describe its arrival.  The
 * answer goes back to from, or to the limited broadcast address at from's
 * port when bcast is set.
 */
static void
echo_reply(int fd, ssize_t len, const struct sockaddr_in *from,
    const struct net_pktinfo *pi, int bcast)
{
	struct net_iface	*ifs = NULL;
	const struct net_iface	*ifp = NULL;
	struct net_pktinfo	 out;
	struct sockaddr_in	 to;
	char			 msg[256], dst[INET_ADDRSTRLEN];
	char			 src[INET_ADDRSTRLEN];
	size_t			 n = 0;
	int			 mlen;

	/* Listed per datagram so interfaces added after startup show up. */
	if (net_iface_list(&ifs, &n) == -1)
		perror("udpecho: net_iface_list");
	else
		ifp = iface_by_index(ifs, n, pi->ifindex);

	/* The received pi names the interface and our address on it. */
	out = *pi;

	inet_ntop(AF_INET, &pi->dst, dst, sizeof(dst));
	inet_ntop(AF_INET, &from->sin_addr, src, sizeof(src));
	mlen = snprintf(msg, sizeof(msg),
	    "ifindex=%u ifname=%s dst=%s from=%s:%u len=%zd", pi->ifindex,
	    ifp != NULL ? ifp->name : "?", dst, src, ntohs(from->sin_port),
	    len);
	free(ifs);
	if (mlen < 0 || (size_t)mlen >= sizeof(msg))
		return;
	to = *from;
	if (bcast)
		to.sin_addr.s_addr = htonl(INADDR_BROADCAST);
	if (net_udp_send(fd, msg, (size_t)mlen, &to, &out) == -1)
		fprintf(stderr, "udpecho: net_udp_send: %s: %s\n", msg,
		    strerror(errno));
}

/* Receive and answer until count datagrams were seen or seconds passed. */
static int
echo_loop(int fd, long long count, long long seconds, int bcast)
{
	struct pollfd		 pfd;
	struct sockaddr_in	 from;
	struct net_pktinfo	 pi;
	uint8_t			 buf[UDPECHO_BUFLEN];
	uint64_t		 now, deadline;
	ssize_t			 len;
	int			 r;

	deadline = now_ms() + (uint64_t)seconds * 1000;
	while (count > 0 && (now = now_ms()) < deadline) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			perror("udpecho: poll");
			return (1);
		}
		if (r == 0)
			break;
		len = net_udp_recv(fd, buf, sizeof(buf), &from, &pi);
		if (len == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		count--;
		if (len == -1)
			perror("udpecho: net_udp_recv");
		else
			echo_reply(fd, len, &from, &pi, bcast);
	}
	return (0);
}

int
main(int argc, char *argv[])
{
	struct in_addr	 any;
	const char	*ifname = NULL;
	long long	 port = -1, count = 10, seconds = 20;
	int		 i, fd, rc, bcast = 0;

	if (argc == 2 && strcmp(argv[1], "--list") == 0)
		return (list_ifaces());
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			if (parse_num(argv[++i], 1, 1000000, &count) == -1)
				usage();
		} else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			if (parse_num(argv[++i], 1, 86400, &seconds) == -1)
				usage();
		} else if (strcmp(argv[i], "--bcast-reply") == 0) {
			bcast = 1;
		} else if (argv[i][0] == '-') {
			usage();
		} else if (port == -1) {
			if (parse_num(argv[i], 1, 65535, &port) == -1)
				usage();
		} else if (ifname == NULL) {
			ifname = argv[i];
		} else
			usage();
	}
	if (port == -1)
		usage();

	any.s_addr = htonl(INADDR_ANY);
	fd = net_udp_open(any, (uint16_t)port, ifname,
	    NET_UDP_BROADCAST | NET_UDP_REUSEADDR);
	if (fd == -1) {
		fprintf(stderr, "udpecho: net_udp_open port %lld%s%s: %s\n",
		    port, ifname != NULL ? " dev " : "",
		    ifname != NULL ? ifname : "", strerror(errno));
		return (1);
	}
	printf("ready\n");
	if (fflush(stdout) != 0)
		return (1);
	rc = echo_loop(fd, count, seconds, bcast);
	close(fd);
	return (rc);
}
