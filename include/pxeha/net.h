/*
 * Platform network layer.  Protocol code sees only this interface; each
 * platform family implements it in one file (net_linux.c now; BSD/macOS
 * with IP_RECVIF/IP_RECVDSTADDR and Windows with WSARecvMsg later).
 * Addresses (struct in_addr, in struct net_iface and struct net_pktinfo
 * too) are IPv4 in network byte order as the kernel gives them; ports
 * passed as uint16_t are in host byte order.
 */
#ifndef PXEHA_NET_H
#define PXEHA_NET_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

#define NET_IFNAME_MAX	16
#define NET_IFADDR_MAX	8

struct net_iface {
	char		 name[NET_IFNAME_MAX];
	unsigned	 index;
	unsigned	 mtu;
	uint8_t		 mac[6];
	int		 has_mac;
	int		 up, loopback;
	struct in_addr	 addr[NET_IFADDR_MAX];	/* IPv4 addresses */
	unsigned	 prefix[NET_IFADDR_MAX];	/* their prefix lengths */
	size_t		 naddr;
};

/*
 * Where a datagram arrived, or how to send one.  net_udp_recv() sets
 * ifindex, dst and src (this host's address on the arrival interface that
 * a reply should come from, even for a broadcast), so a received pi can be
 * passed straight to net_udp_send(), which reads ifindex and src.
 */
struct net_pktinfo {
	unsigned	 ifindex;	/* 0: unknown (recv), any (send) */
	struct in_addr	 dst;		/* recv: destination address of the datagram */
	struct in_addr	 src;		/* local address to answer from; 0.0.0.0: any */
	uint32_t	 kernel_drops;	/* recv, NET_UDP_BIGBUF: datagrams the kernel
					   dropped on this socket so far (its
					   receive queue was full) */
};

#define NET_UDP_BROADCAST	0x01	/* SO_BROADCAST */
#define NET_UDP_REUSEADDR	0x02	/* SO_REUSEADDR (several listeners on one port) */
/* SO_REUSEPORT as well (where the platform has it): what another DHCP
 * server on the host may have set on its own port 67 socket. */
#define NET_UDP_REUSEPORT	0x08
/* A large receive buffer for bursts (a room of machines powering on), and
 * the kernel's count of datagrams dropped when it still overflows. */
#define NET_UDP_BIGBUF		0x04
#define NET_UDP_RCVBUF		(4 * 1024 * 1024)

/*
 * Open a non-blocking, close-on-exec UDP socket bound to addr:port
 * (INADDR_ANY allowed) that reports arrival interface and destination
 * address.  flags is a mask of NET_UDP_*.  If ifname is not NULL the socket
 * is bound to that device.  Returns the fd (the caller owns it) or -1 with
 * errno set: EINVAL for unknown flags or an empty ifname, ENODEV for an
 * unknown or over-long ifname, or what socket(2)/setsockopt(2)/bind(2) set.
 */
int	net_udp_open(struct in_addr addr, uint16_t port, const char *ifname,
	    int flags);

/*
 * Receive one datagram.  Returns its length, or -1 with errno (EAGAIN when
 * there is none).  from and pi, unless NULL, are filled in; pi->ifindex
 * is 0 if the socket did not come from net_udp_open().  A datagram longer
 * than len is consumed and discarded, and reported as -1 with EMSGSIZE.
 */
ssize_t	net_udp_recv(int fd, void *buf, size_t len, struct sockaddr_in *from,
	    struct net_pktinfo *pi);

/*
 * Send one datagram to `to` (NULL on a connected socket) from pi->src out
 * of pi->ifindex (either may be 0 to let the kernel choose).  pi may be
 * NULL.  Setting ifindex is what makes a 255.255.255.255 reply leave by
 * that interface.  pi->src must be an address of this host.  Returns
 * bytes sent or -1 with errno as sendmsg(2) sets it (EACCES: a broadcast
 * on a socket opened without NET_UDP_BROADCAST).
 */
ssize_t	net_udp_send(int fd, const void *buf, size_t len,
	    const struct sockaddr_in *to, const struct net_pktinfo *pi);

/*
 * List the system's interfaces with their IPv4 addresses, MAC and MTU,
 * ordered by index.  An address labelled as an alias ("eth0:1") counts for
 * its device; beyond NET_IFADDR_MAX addresses per interface the rest are
 * left out.  has_mac is set for Ethernet-type links only (not loopback).
 * On success *out is a malloc'd array of *n entries (never NULL, even if
 * *n is 0; the caller frees it with free()), and 0 is returned; -1 with
 * errno on failure.
 */
int	net_iface_list(struct net_iface **out, size_t *n);

/*
 * Tell the kernel that addr is at the hardware address mac on interface
 * ifname, so a unicast reply can reach a client that has no address yet
 * (RFC 2131 4.1).  Returns 0, or -1 with errno (then broadcast instead).
 */
int	net_arp_set(const char *ifname, struct in_addr addr, const uint8_t *mac,
	    size_t maclen);

/*
 * Send len bytes at buf to `to` as a run of datagrams of seg bytes each
 * (the last may be shorter), in as few system calls as the platform
 * allows: on Linux UDP generic segmentation offload (UDP_SEGMENT, one
 * sendmsg per 64 KiB) and sendmmsg, falling back to sendmmsg of single
 * datagrams where the kernel or the route refuses offload (the choice is
 * remembered in *gso, which the caller keeps per socket, starting at 0:
 * untried, 1: works, -1: unavailable).  Returns the number of whole
 * datagrams handed to the kernel (fewer than all on EAGAIN: the rest is
 * lost like any datagram), or -1 with errno if none was.
 */
ssize_t	net_udp_send_segs(int fd, const struct sockaddr_in *to,
	    const uint8_t *buf, size_t len, size_t seg, int *gso);

/*
 * Let fd queue at least bytes for sending (a whole window in one
 * batch): SO_SNDBUFFORCE where permitted, else SO_SNDBUF, which the
 * kernel caps at net.core.wmem_max.  Best effort; returns 0 or -1.
 */
int	net_udp_sndbuf(int fd, size_t bytes);

/* One datagram of a batch receive. */
struct net_dgram {
	uint8_t			*buf;	/* caller's buffer ... */
	size_t			 cap;	/* ... of this size */
	size_t			 len;	/* bytes stored (a longer datagram is
					   cut to cap and flagged) */
	int			 trunc;
	struct sockaddr_in	 from;
};

/*
 * Receive up to n waiting datagrams in one system call (recvmmsg on
 * Linux) without blocking.  Returns how many were stored in d[0..), or
 * -1 with errno (EAGAIN: none waiting).
 */
int	net_udp_recv_batch(int fd, struct net_dgram *d, int n);

/* The MTU of interface ifindex, or 0 if it cannot be read. */
unsigned net_iface_mtu(unsigned ifindex);

/* Raise the open-file limit to its hard maximum; returns the new limit. */
unsigned long net_raise_nofile(void);

/* Find one interface by name in a list; NULL if absent.  Borrows the list. */
const struct net_iface *net_iface_find(const struct net_iface *, size_t n,
	    const char *name);

#endif
