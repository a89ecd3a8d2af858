/*
 * Linux implementation of the platform network layer (net.h).
 *
 * IP_PKTINFO does both directions: on receive it tells us the arrival
 * interface and the destination address of the datagram (which is how a
 * DHCP server on INADDR_ANY tells subnets apart and sees that a request was
 * a broadcast); on send it picks the outgoing interface and the source
 * address, which is the only way to get a 255.255.255.255 reply out of a
 * chosen interface without one socket per interface.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <netpacket/packet.h>

#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pxeha/net.h"

_Static_assert(NET_IFNAME_MAX == IFNAMSIZ, "NET_IFNAME_MAX must be IFNAMSIZ");

/*
 * Room for IP_PKTINFO plus a few other control messages, so that a caller
 * who enables e.g. SO_TIMESTAMP on the fd does not get MSG_CTRUNC and lose
 * the packet info.
 */
#define NET_CMSG_RECV_SPACE \
	(CMSG_SPACE(sizeof(struct in_pktinfo)) + 128)

int
net_udp_open(struct in_addr addr, uint16_t port, const char *ifname,
    int flags)
{
	struct sockaddr_in	 sin;
	size_t			 iflen = 0;
	int			 fd, saved, on = 1;

	if ((flags & ~(NET_UDP_BROADCAST | NET_UDP_REUSEADDR |
	    NET_UDP_REUSEPORT | NET_UDP_BIGBUF)) != 0) {
		errno = EINVAL;
		return (-1);
	}
	if (ifname != NULL) {
		iflen = strlen(ifname);
		/*
		 * The kernel silently truncates a long name to IFNAMSIZ - 1
		 * and treats "" as "unbind": both would bind somewhere the
		 * caller did not ask for.
		 */
		if (iflen == 0) {
			errno = EINVAL;
			return (-1);
		}
		if (iflen >= IFNAMSIZ) {
			errno = ENODEV;
			return (-1);
		}
	}

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (-1);
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on)) == -1)
		goto fail;
	if ((flags & NET_UDP_BROADCAST) &&
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &on, sizeof(on)) == -1)
		goto fail;
	if ((flags & NET_UDP_REUSEADDR) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if ((flags & NET_UDP_REUSEPORT) &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) == -1 &&
	    errno != ENOPROTOOPT)
		goto fail;
	if (ifname != NULL && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE,
	    ifname, (socklen_t)iflen) == -1)
		goto fail;
	if (flags & NET_UDP_BIGBUF) {
		int size = NET_UDP_RCVBUF;

		/* FORCE passes net.core.rmem_max for root; else best effort. */
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size,
		    sizeof(size)) == -1)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
			    sizeof(size));
		if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on,
		    sizeof(on)) == -1)
			goto fail;
	}

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr = addr;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		goto fail;
	return (fd);

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return (-1);
}

/* Copy what IP_PKTINFO says about a received datagram into pi. */
static void
net_pktinfo_parse(struct msghdr *msg, struct net_pktinfo *pi)
{
	struct cmsghdr		*cm;
	struct in_pktinfo	 ipi;

	memset(pi, 0, sizeof(*pi));
	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SO_RXQ_OVFL &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(pi->kernel_drops))) {
			memcpy(&pi->kernel_drops, CMSG_DATA(cm),
			    sizeof(pi->kernel_drops));
			continue;
		}
		if (cm->cmsg_level != IPPROTO_IP ||
		    cm->cmsg_type != IP_PKTINFO ||
		    cm->cmsg_len < CMSG_LEN(sizeof(ipi)))
			continue;
		memcpy(&ipi, CMSG_DATA(cm), sizeof(ipi));
		pi->ifindex = (unsigned)ipi.ipi_ifindex;
		/*
		 * ipi_addr is the destination in the IP header (so
		 * 255.255.255.255 for a limited broadcast); ipi_spec_dst is
		 * the local address the kernel would answer from, which
		 * makes the received pi usable as-is for the reply.
		 */
		pi->dst = ipi.ipi_addr;
		pi->src = ipi.ipi_spec_dst;
	}
}

ssize_t
net_udp_recv(int fd, void *buf, size_t len, struct sockaddr_in *from,
    struct net_pktinfo *pi)
{
	union {
		struct cmsghdr	 hdr;	/* for alignment only */
		unsigned char	 buf[NET_CMSG_RECV_SPACE];
	} cbuf;
	struct sockaddr_in	 sin;
	struct msghdr		 msg;
	struct iovec		 iov;
	ssize_t			 n;

	memset(&sin, 0, sizeof(sin));
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = len;
	msg.msg_name = &sin;
	msg.msg_namelen = sizeof(sin);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof(cbuf.buf);

	if ((n = recvmsg(fd, &msg, 0)) == -1)
		return (-1);
	if (msg.msg_flags & MSG_TRUNC) {
		errno = EMSGSIZE;
		return (-1);
	}
	if (from != NULL)
		*from = sin;
	if (pi != NULL)
		net_pktinfo_parse(&msg, pi);
	return (n);
}

ssize_t
net_udp_send(int fd, const void *buf, size_t len,
    const struct sockaddr_in *to, const struct net_pktinfo *pi)
{
	union {
		struct cmsghdr	 hdr;	/* for alignment only */
		unsigned char	 buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} cbuf;
	struct msghdr		 msg;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	struct in_pktinfo	 ipi;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)buf;	/* sendmsg does not write through it */
	iov.iov_len = len;
	if (to != NULL) {
		msg.msg_name = (void *)to;
		msg.msg_namelen = sizeof(*to);
	}
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;

	if (pi != NULL && (pi->ifindex != 0 || pi->src.s_addr != INADDR_ANY)) {
		if (pi->ifindex > INT_MAX) {
			errno = EINVAL;
			return (-1);
		}
		memset(&cbuf, 0, sizeof(cbuf));
		memset(&ipi, 0, sizeof(ipi));
		ipi.ipi_ifindex = (int)pi->ifindex;
		ipi.ipi_spec_dst = pi->src;
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(ipi));
		memcpy(CMSG_DATA(cm), &ipi, sizeof(ipi));
	}
	return (sendmsg(fd, &msg, 0));
}

/*
 * Find the entry for an ifaddrs name in tab[0..*n), appending a new one if
 * there is room.  glibc reports IPv4 addresses under their label, which
 * may be an alias like "eth0:1"; Linux device names cannot contain ':', so
 * everything from the first ':' on is the alias part and is dropped.
 * Linear search: interface counts are small, and this runs at startup and
 * on reconfiguration only.
 */
static struct net_iface *
net_iface_slot(struct net_iface *tab, size_t *n, size_t cap,
    const char *ifa_name)
{
	char	 name[NET_IFNAME_MAX];
	size_t	 len, i;

	if (ifa_name == NULL)
		return (NULL);
	len = strcspn(ifa_name, ":");
	if (len == 0 || len >= sizeof(name))
		return (NULL);
	memcpy(name, ifa_name, len);
	name[len] = '\0';

	for (i = 0; i < *n; i++)
		if (strcmp(tab[i].name, name) == 0)
			return (&tab[i]);
	if (*n == cap)
		return (NULL);
	memset(&tab[*n], 0, sizeof(tab[*n]));
	memcpy(tab[*n].name, name, len + 1);
	return (&tab[(*n)++]);
}

/* Count the one bits of a netmask (network byte order). */
static unsigned
net_mask_bits(struct in_addr mask)
{
	uint32_t	 m = ntohl(mask.s_addr);
	unsigned	 bits = 0;

	while (m != 0) {
		bits += m & 1;
		m >>= 1;
	}
	return (bits);
}

static void
net_iface_add_inet(struct net_iface *ifp, const struct ifaddrs *ifa)
{
	struct sockaddr_in	 sin;

	if (ifp->naddr >= NET_IFADDR_MAX)
		return;		/* bounded by contract: extras are dropped */
	memcpy(&sin, ifa->ifa_addr, sizeof(sin));
	ifp->addr[ifp->naddr] = sin.sin_addr;
	ifp->prefix[ifp->naddr] = 0;
	if (ifa->ifa_netmask != NULL) {
		memcpy(&sin, ifa->ifa_netmask, sizeof(sin));
		ifp->prefix[ifp->naddr] = net_mask_bits(sin.sin_addr);
	}
	ifp->naddr++;
}

/*
 * Only Ethernet-type links get a MAC: that is what DHCP htype 1 chaddr
 * matches.  Loopback also reports 6 zero bytes, and tun/IPoIB have no or
 * longer hardware addresses.
 */
static void
net_iface_add_link(struct net_iface *ifp, const struct ifaddrs *ifa)
{
	struct sockaddr_ll	 sll;

	memcpy(&sll, ifa->ifa_addr, sizeof(sll));
	if (sll.sll_ifindex > 0)
		ifp->index = (unsigned)sll.sll_ifindex;
	if (sll.sll_hatype == ARPHRD_ETHER &&
	    sll.sll_halen == sizeof(ifp->mac)) {
		memcpy(ifp->mac, sll.sll_addr, sizeof(ifp->mac));
		ifp->has_mac = 1;
	}
}

/*
 * Fill in what getifaddrs() does not give: the MTU, and the index of an
 * interface that had no AF_PACKET entry.  Entries whose interface vanished
 * meanwhile (index still 0) are dropped.  Returns the new count, or -1.
 */
static int
net_iface_complete(struct net_iface *tab, size_t *n)
{
	struct ifreq	 ifr;
	size_t		 i, keep = 0;
	int		 s;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	for (i = 0; i < *n; i++) {
		if (tab[i].index == 0)
			tab[i].index = if_nametoindex(tab[i].name);
		if (tab[i].index == 0)
			continue;
		memset(&ifr, 0, sizeof(ifr));
		memcpy(ifr.ifr_name, tab[i].name, sizeof(ifr.ifr_name));
		if (ioctl(s, SIOCGIFMTU, &ifr) == 0 && ifr.ifr_mtu > 0)
			tab[i].mtu = (unsigned)ifr.ifr_mtu;
		if (keep != i)
			tab[keep] = tab[i];
		keep++;
	}
	close(s);
	*n = keep;
	return (0);
}

static int
net_iface_cmp(const void *a, const void *b)
{
	const struct net_iface	*x = a, *y = b;

	if (x->index != y->index)
		return (x->index < y->index ? -1 : 1);
	return (strcmp(x->name, y->name));
}

int
net_iface_list(struct net_iface **out, size_t *n)
{
	struct ifaddrs		*ifap, *ifa;
	struct net_iface	*tab, *ifp;
	size_t			 cap = 0, cnt = 0;
	int			 saved;

	if (getifaddrs(&ifap) == -1)
		return (-1);
	for (ifa = ifap; ifa != NULL; ifa = ifa->ifa_next)
		cap++;
	/* Never calloc(0): callers get a freeable pointer even when empty. */
	if ((tab = calloc(cap > 0 ? cap : 1, sizeof(*tab))) == NULL) {
		saved = errno;
		freeifaddrs(ifap);
		errno = saved;
		return (-1);
	}
	for (ifa = ifap; ifa != NULL; ifa = ifa->ifa_next) {
		ifp = net_iface_slot(tab, &cnt, cap, ifa->ifa_name);
		if (ifp == NULL)
			continue;
		if (ifa->ifa_flags & IFF_UP)
			ifp->up = 1;
		if (ifa->ifa_flags & IFF_LOOPBACK)
			ifp->loopback = 1;
		if (ifa->ifa_addr == NULL)
			continue;
		if (ifa->ifa_addr->sa_family == AF_INET)
			net_iface_add_inet(ifp, ifa);
		else if (ifa->ifa_addr->sa_family == AF_PACKET)
			net_iface_add_link(ifp, ifa);
	}
	freeifaddrs(ifap);

	if (net_iface_complete(tab, &cnt) == -1) {
		saved = errno;
		free(tab);
		errno = saved;
		return (-1);
	}
	qsort(tab, cnt, sizeof(*tab), net_iface_cmp);
	*out = tab;
	*n = cnt;
	return (0);
}

/*
 * Linux: SIOCSARP adds a complete neighbour entry.  We chose this over
 * writing raw Ethernet frames because the kernel then builds the frame,
 * picks the route and keeps working with VLANs, bonds and bridges; it
 * needs CAP_NET_ADMIN, which a DHCP server bound to port 67 has anyway.
 */
int
net_arp_set(const char *ifname, struct in_addr addr, const uint8_t *mac,
    size_t maclen)
{
	struct arpreq req;
	struct sockaddr_in *sin;
	int fd, r, saved;

	if (ifname == NULL || maclen != 6 || strlen(ifname) >= IFNAMSIZ) {
		errno = EINVAL;
		return (-1);
	}
	memset(&req, 0, sizeof(req));
	sin = (struct sockaddr_in *)(void *)&req.arp_pa;
	sin->sin_family = AF_INET;
	sin->sin_addr = addr;
	req.arp_ha.sa_family = ARPHRD_ETHER;
	memcpy(req.arp_ha.sa_data, mac, 6);
	req.arp_flags = ATF_COM;
	snprintf(req.arp_dev, sizeof(req.arp_dev), "%s", ifname);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	r = ioctl(fd, SIOCSARP, &req);
	saved = errno;
	close(fd);
	errno = saved;
	return (r);
}
