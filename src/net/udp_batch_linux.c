/*
 * Linux: batched UDP sends for bulk data (TFTP windows).
 *
 * A window of blocks is one contiguous buffer of equal-sized datagrams.
 * With UDP_SEGMENT (Linux 4.18) the kernel cuts one large send into those
 * datagrams itself, so a 64-block window of 1472-byte datagrams costs two
 * sendmsg calls instead of 64; sendmmsg then carries several such sends in
 * one system call.  Offload is refused with EIO/EINVAL when a segment does
 * not fit the route's MTU (blksize beyond MTU with mtu_clamp off) or the
 * device cannot do it; we then send the datagrams one by one, still in
 * sendmmsg batches.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pxeha/net.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif

#define BATCH		64	/* messages per sendmmsg */
#define GSO_MAX_BYTES	(65535 - 20 - 8)
#define GSO_MAX_SEGS	64	/* UDP_MAX_SEGMENTS on older kernels */

static ssize_t
send_plain(int fd, const struct sockaddr_in *to, const uint8_t *buf,
    size_t len, size_t seg)
{
	struct mmsghdr	 mm[BATCH];
	struct iovec	 iov[BATCH];
	size_t		 off = 0, sent = 0;
	int		 n, r;

	while (off < len) {
		for (n = 0; n < BATCH && off < len; n++) {
			iov[n].iov_base = (void *)(buf + off);
			iov[n].iov_len = len - off < seg ? len - off : seg;
			memset(&mm[n], 0, sizeof(mm[n]));
			mm[n].msg_hdr.msg_name = (void *)to;
			mm[n].msg_hdr.msg_namelen = to ? sizeof(*to) : 0;
			mm[n].msg_hdr.msg_iov = &iov[n];
			mm[n].msg_hdr.msg_iovlen = 1;
			off += iov[n].iov_len;
		}
		r = sendmmsg(fd, mm, (unsigned)n, 0);
		if (r == -1)
			return (sent > 0 ? (ssize_t)sent : -1);
		sent += (size_t)r;
		if (r < n)
			break;
	}
	return ((ssize_t)sent);
}

static ssize_t
send_gso(int fd, const struct sockaddr_in *to, const uint8_t *buf,
    size_t len, size_t seg)
{
	struct mmsghdr	 mm[BATCH];
	struct iovec	 iov[BATCH];
	union {
		char		buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr	align;
	}		 ctl[BATCH];
	struct cmsghdr	*cm;
	size_t		 off = 0, per, chunk, sent = 0, nseg[BATCH];
	uint16_t	 gs = (uint16_t)seg;
	int		 n, i, r;

	per = GSO_MAX_BYTES / seg;
	if (per > GSO_MAX_SEGS)
		per = GSO_MAX_SEGS;
	while (off < len) {
		for (n = 0; n < BATCH && off < len; n++) {
			chunk = per * seg;
			if (chunk > len - off)
				chunk = len - off;
			iov[n].iov_base = (void *)(buf + off);
			iov[n].iov_len = chunk;
			nseg[n] = (chunk + seg - 1) / seg;
			memset(&mm[n], 0, sizeof(mm[n]));
			mm[n].msg_hdr.msg_name = (void *)to;
			mm[n].msg_hdr.msg_namelen = to ? sizeof(*to) : 0;
			mm[n].msg_hdr.msg_iov = &iov[n];
			mm[n].msg_hdr.msg_iovlen = 1;
			if (nseg[n] > 1) {
				mm[n].msg_hdr.msg_control = ctl[n].buf;
				mm[n].msg_hdr.msg_controllen =
				    sizeof(ctl[n].buf);
				cm = CMSG_FIRSTHDR(&mm[n].msg_hdr);
				cm->cmsg_level = SOL_UDP;
				cm->cmsg_type = UDP_SEGMENT;
				cm->cmsg_len = CMSG_LEN(sizeof(gs));
				memcpy(CMSG_DATA(cm), &gs, sizeof(gs));
			}
			off += chunk;
		}
		r = sendmmsg(fd, mm, (unsigned)n, 0);
		if (r == -1)
			return (sent > 0 ? (ssize_t)sent : -1);
		for (i = 0; i < r; i++)
			sent += nseg[i];
		if (r < n)
			break;
	}
	return ((ssize_t)sent);
}

ssize_t
net_udp_send_segs(int fd, const struct sockaddr_in *to, const uint8_t *buf,
    size_t len, size_t seg, int *gso)
{
	ssize_t r;

	if (seg == 0 || seg > GSO_MAX_BYTES || len == 0) {
		errno = EINVAL;
		return (-1);
	}
	if (*gso >= 0 && len > seg) {
		r = send_gso(fd, to, buf, len, seg);
		if (r > 0) {
			*gso = 1;
			return (r);
		}
		if (r == -1 && (errno == EIO || errno == EINVAL ||
		    errno == ENOPROTOOPT || errno == EOPNOTSUPP ||
		    errno == EMSGSIZE))
			*gso = -1;
		else
			return (r);
	}
	return (send_plain(fd, to, buf, len, seg));
}

int
net_udp_recv_batch(int fd, struct net_dgram *d, int n)
{
	struct mmsghdr	 mm[BATCH];
	struct iovec	 iov[BATCH];
	int		 i, r;

	if (n > BATCH)
		n = BATCH;
	memset(mm, 0, (size_t)n * sizeof(mm[0]));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = d[i].buf;
		iov[i].iov_len = d[i].cap;
		mm[i].msg_hdr.msg_name = &d[i].from;
		mm[i].msg_hdr.msg_namelen = sizeof(d[i].from);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	if ((r = recvmmsg(fd, mm, (unsigned)n, MSG_DONTWAIT, NULL)) <= 0)
		return (r == 0 ? 0 : -1);
	for (i = 0; i < r; i++) {
		d[i].len = mm[i].msg_len;
		d[i].trunc = (mm[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
	}
	return (r);
}

int
net_udp_sndbuf(int fd, size_t bytes)
{
	int size = bytes > (1u << 30) ? 1 << 30 : (int)bytes;

	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size,
	    sizeof(size)) == 0)
		return (0);
	return (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)));
}

unsigned
net_iface_mtu(unsigned ifindex)
{
	struct ifreq	 ifr;
	int		 fd, mtu;

	memset(&ifr, 0, sizeof(ifr));
	if (ifindex == 0 || if_indextoname(ifindex, ifr.ifr_name) == NULL)
		return (0);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return (0);
	mtu = ioctl(fd, SIOCGIFMTU, &ifr) == -1 ? 0 : ifr.ifr_mtu;
	close(fd);
	return (mtu > 0 ? (unsigned)mtu : 0);
}

unsigned long
net_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return (0);
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	return ((unsigned long)rl.rlim_cur);
}
