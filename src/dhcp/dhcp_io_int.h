/* Private to dhcp/io.c and dhcp/io_stats.c. */
#ifndef PXEHA_DHCP_IO_INT_H
#define PXEHA_DHCP_IO_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "pxeha/dhcp.h"
#include "pxeha/dhcp_server.h"
#include "pxeha/net.h"
#include "pxeha/pxe.h"

struct event;

/* Drop reasons beyond the server's own (enum dhcp_drop). */
#define DROP_MALFORMED		(DHCP_DROP_COUNT + 0)
#define DROP_QUEUE_FULL		(DHCP_DROP_COUNT + 1)
#define DROP_SEND		(DHCP_DROP_COUNT + 2)
#define DROP_REASONS		(DHCP_DROP_COUNT + 3)

#define FLUSH_BUCKETS	11
extern const uint64_t flush_bucket_us[FLUSH_BUCKETS - 1];

struct dhcp_io;

/* One port-67 socket, bound to one [interface]. */
struct dsock {
	struct dhcp_io	*io;
	int		 fd;
	struct event	*ev;
	int		 iface;		/* cfg ifaces[] index */
	char		 name[NET_IFNAME_MAX];
	uint32_t	 addr;		/* our address there (server id) */
	int		 listening;
	int		 bootsrv;	/* the PXE boot server port (4011) */
	uint32_t	 kernel_drops;	/* kernel's count, as last reported */
};

/* One boot answer, as GET /pxe lists it. */
#define PXE_SEEN_MAX	64
struct pxe_seen {
	int64_t		 wall;
	uint8_t		 mac[6];
	uint8_t		 phase;		/* 0 dhcp, 1 proxy, 2 4011 */
	uint8_t		 arch;		/* enum pxe_arch */
	uint8_t		 ipxe;
	uint32_t	 to;		/* yiaddr or ciaddr, 0: none yet */
	char		 iface[NET_IFNAME_MAX];
	char		 rule[CFG_NAME_MAX];
	char		 file[129];
};

/* A reply waiting until the journal is durable up to seq. */
struct held {
	uint64_t	 seq;
	int		 fd;
	unsigned	 ifindex;
	enum dhcp_dest	 dest;
	uint32_t	 dst_addr, src_addr;
	uint16_t	 dst_port;
	enum dhcp_type	 type;
	uint8_t		 chaddr[DHCP_CHADDR_LEN];
	size_t		 hlen;
	uint8_t		*buf;
	size_t		 len;
};

struct dhcp_io {
	struct pxeha		*px;
	const struct cfg	*cfg;
	struct lease_table	*t;
	struct dhcp_srv		*srv;
	struct lease_journal	*j;
	struct event		*compact_ev;
	uint8_t			 key[16];	/* lease table hash key */
	uint16_t		 port;
	uint16_t		 bootsrv_port;	/* PXE boot server, 4011 */
	struct dsock		*socks;
	size_t			 nsocks;

	struct held		*held;		/* ring of HELD_MAX */
	size_t			 held_head, nheld;
	int			 journal_pending;

	/* Writer thread; the fields below mu are shared with it. */
	pthread_t		 writer;
	int			 writer_started;
	int			 wake[2];
	struct event		*wake_ev;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	int			 want_flush, flushing, stop;
	uint64_t		 flushes, flush_us_sum;
	uint64_t		 flush_hist[FLUSH_BUCKETS];

	/* Counters (event loop only). */
	uint64_t		 recv[16], sent[16];
	/* Boot answers by phase (dhcp, proxy, 4011) and client arch. */
	uint64_t		 pxe_answers[3][PXE_ARCH_UNKNOWN + 1];
	/* The last PXE_SEEN_MAX boot answers, oldest first from pxe_seen_next
	 * once the ring is full (GET /pxe). */
	struct pxe_seen		 pxe_seen[PXE_SEEN_MAX];
	size_t			 pxe_seen_next, pxe_seen_n;
	uint64_t		 drops[DROP_REASONS];

	struct dhcp_msg		 msg;		/* scratch, per request */
	uint8_t			 in[DHCP_MAX_LEN + 1];
	uint8_t			 out[DHCP_MAX_LEN];
};

#endif
