/* Shared between tftp/io.c and tftp/io_stats.c only. */
#ifndef PXEHA_TFTP_IO_INT_H
#define PXEHA_TFTP_IO_INT_H

#include <sys/queue.h>
#include <netinet/in.h>

#include "pxeha/config.h"
#include "pxeha/tftp.h"
#include "pxeha/tftp_path.h"
#include "pxeha/tftp_recv.h"
#include "pxeha/tftp_session.h"

#define TIO_NACTS	130	/* actions per step: a 128-block window */
#define TIO_OUTLEN	(TIO_NACTS * TFTP_HDR_LEN + 512)
#define TIO_FILESTATS	64	/* distinct file names counted */
#define TIO_SHOWN	128

struct tftp_file;
struct tftp_files;
struct net_pktinfo;
struct event;
struct event_base;

struct tftp_sess {
	TAILQ_ENTRY(tftp_sess) link;
	struct tftp_io	*io;
	int		 fd;
	int		 gso;		/* net_udp_send_segs state */
	struct event	*ev, *tmr;
	struct sockaddr_in peer;
	struct tftp_xfer x;
	struct tftp_file *file;
	enum tftp_mode	 mode;
	char		 shown[TIO_SHOWN];	/* mapped name, for display */
	uint64_t	 start_ms;
	uint64_t	 rate_ms, rate_bytes;	/* last rate sample */
	uint64_t	 rate_bps;
};

/* An upload (WRQ into [tftp] upload_dir). */
struct tftp_up {
	TAILQ_ENTRY(tftp_up) link;
	struct tftp_io	*io;
	int		 fd;		/* the transfer's socket */
	int		 wfd;		/* the temporary file */
	int		 dirfd;		/* its directory (kept across reloads) */
	struct event	*ev, *tmr;
	struct sockaddr_in peer;
	struct tftp_recv r;
	int		 netascii;
	struct tftp_netascii_dec dec;
	char		 name[TIO_SHOWN];	/* final name in upload_dir */
	char		 tmp[TIO_SHOWN + 32];	/* while it arrives */
	uint64_t	 start_ms;
	uint64_t	 written;	/* bytes in the file */
};

struct tftp_filestat {
	char		 name[TIO_SHOWN];
	uint64_t	 n;
};

struct tftp_io {
	struct pxeha	*px;
	struct event_base *base;
	struct cfg_tftp	 cfg;
	int		 lfd;
	struct event	*lev;
	struct tftp_files *files;
	TAILQ_HEAD(, tftp_sess) sess;
	TAILQ_HEAD(, tftp_up) ups;
	unsigned	 nsess;		/* downloads and uploads */
	int		 updirfd;	/* upload_dir, -1: uploads off */
	uint64_t	 up_seq;
	uint8_t		*scratch;
	size_t		 scratch_len;
	struct tftp_act	 acts[TIO_NACTS];
	uint8_t		 out[TIO_OUTLEN];
	uint8_t		 rbuf[65536];

	/* Counters (sessions add theirs when they end). */
	uint64_t	 requests;	/* RRQ/WRQ parsed */
	uint64_t	 sessions_total;
	uint64_t	 done, failed;
	uint64_t	 bytes_sent;	/* file bytes, retransmits included */
	uint64_t	 retransmits, timeouts;
	uint64_t	 errors_sent[9];	/* ERROR packets by code */
	uint64_t	 errors_rcvd;	/* ERROR from clients */
	uint64_t	 dup_requests, foreign_tid, send_errors;
	uint64_t	 refused_busy, changed;
	uint64_t	 uploads_done, uploads_failed, upload_bytes;
	struct tftp_filestat fstat[TIO_FILESTATS];
	uint64_t	 fstat_other;
};

/* io.c */
const char	*tio_peer_str(const struct sockaddr_in *, char *, size_t);
void		 tio_send_error(struct tftp_io *, int fd,
		    const struct sockaddr_in *, uint16_t code, const char *msg);
/*
 * A datagram on a transfer's socket from other than its client: answer
 * ERROR 5 (RFC 1350 4), count it and return 1; else return 0.
 */
int		 tio_foreign(struct tftp_io *, int fd,
		    const struct sockaddr_in *peer,
		    const struct sockaddr_in *from);
/*
 * Read the next datagram from a transfer's socket into io->rbuf; one
 * from any other address or port is answered with ERROR 5 (RFC 1350 4,
 * at most FOREIGN_PER_S a second) and skipped.  Returns its length, or
 * -1 when none is waiting or after a burst of strangers (the caller
 * returns to the event loop, which calls again while more wait).
 */
ssize_t		 tio_recv_peer(struct tftp_io *, int fd,
		    const struct sockaddr_in *peer);
/* Arm ev to fire at deadline (monotonic ms; now or earlier: at once). */
void		 tio_arm(struct event *, uint64_t deadline, uint64_t now);
/* Free a transfer's events and close its socket (each may be unset). */
void		 tio_close(struct event *, struct event *, int fd);

/* upload.c */
void		 tftp_up_start(struct tftp_io *, const struct tftp_req *,
		    const struct sockaddr_in *, const struct net_pktinfo *);
void		 tftp_up_free(struct tftp_up *);

#endif
