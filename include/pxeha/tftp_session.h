/*
 * TFTP read-transfer (RRQ) state machine.  Pure (sans-IO): datagrams and
 * timer expiries in, actions out, the time passed in as monotonic
 * milliseconds.  No sockets, no clock, no allocation.
 *
 * RFC 1350 (lock-step), RFC 7440 (windowsize: the receiver ACKs the last
 * block of a window, or the last block it got in order when it sees a
 * gap), RFC 2347/2349 (OACK, timeout), RFC 6298 (retransmission timer),
 * the tftp-hpa rollover option and the Windows boot manager's per-ACK
 * window byte (msftwindow, see tftp.h).
 *
 * The shell's loop, as in STYLE.md sketch 3:
 *
 *	tftp_xfer_init(x, &granted, size, oack, rollover);
 *	for (;;) {
 *		wait for a datagram from the client's TID or for
 *		    tftp_xfer_deadline(x) (0 right after init: the first
 *		    step sends the OACK or the first window);
 *		n = tftp_xfer_step(x, &ev, now, acts, nacts, out, outlen);
 *		carry out acts[0..n) in order; stop after a CLOSE;
 *	}
 */
#ifndef PXEHA_TFTP_SESSION_H
#define PXEHA_TFTP_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "pxeha/tftp.h"

#define TFTP_XFER_RETRIES	6	/* timeouts in a row before giving up, */
#define TFTP_XFER_GIVEUP_MS	10000	/* ... and this long without progress */
#define TFTP_XFER_RTO_MIN	5	/* ms, floor of the retransmission timer */
#define TFTP_XFER_RTO_INIT	1000	/* ms, RFC 6298 2.1 */
#define TFTP_XFER_RTO_MAX	1000	/* ms, ceiling when no timeout option */
#define TFTP_XFER_ACTS_MIN	2	/* smallest nacts tftp_xfer_step takes */
#define TFTP_XFER_OUT_MIN	256	/* smallest outlen; an OACK fits */

enum tftp_ev_type	{ TFTP_EV_PKT, TFTP_EV_TIMER };
enum tftp_act_type	{ TFTP_ACT_SEND, TFTP_ACT_SEND_FILE, TFTP_ACT_CLOSE };

/* Why a transfer closed (tftp_act.reason, tftp_xfer.reason). */
enum tftp_close {
	TFTP_CLOSE_NONE = 0,
	TFTP_CLOSE_DONE,	/* the last block was acknowledged */
	TFTP_CLOSE_TIMEOUT,	/* retries exhausted; an ERROR was sent */
	TFTP_CLOSE_PEER_ERROR,	/* the client sent ERROR during the data */
	TFTP_CLOSE_OACK_ERROR	/* the client answered the OACK with ERROR */
};

struct tftp_ev {
	enum tftp_ev_type	 type;
	const uint8_t		*buf;	/* PKT only: the datagram as received */
	size_t			 len;
};

struct tftp_act {
	enum tftp_act_type	 type;
	/* SEND: datagram length; SEND_FILE: file bytes after the header. */
	size_t			 len;
	/*
	 * SEND: the datagram is out[out_off .. out_off + len).
	 * SEND_FILE: the 4-byte DATA header is out[out_off .. out_off + 4);
	 * the payload is the file's bytes [off, off + len).
	 */
	size_t			 out_off;
	uint64_t		 off;	/* SEND_FILE only */
	uint64_t		 block;	/* SEND_FILE: 64-bit block number */
	enum tftp_close		 reason;	/* CLOSE only */
};

/* States; callers only compare with TFTP_XS_CLOSED. */
enum tftp_xs {
	TFTP_XS_START = 0,	/* nothing sent yet: deadline is 0 */
	TFTP_XS_OACK,		/* OACK sent, waiting for ACK 0 */
	TFTP_XS_DATA,		/* sending the file */
	TFTP_XS_CLOSED
};

/*
 * One transfer.  Embeddable; the fields are public for metrics and
 * tests, and only tftp_xfer_* writes them.  Block numbers here are
 * 64-bit and never wrap; block n carries the file bytes
 * [(n - 1) * blksize, min(n * blksize, size)).
 */
struct tftp_xfer {
	enum tftp_xs	 state;
	enum tftp_close	 reason;	/* set on CLOSE */
	struct tftp_opts granted;	/* what the OACK carries */
	uint64_t	 size;		/* file bytes */
	uint64_t	 nblocks;	/* size / blksize + 1 */
	uint32_t	 blksize;
	uint32_t	 window;	/* current window, blocks */
	uint32_t	 window_cap;	/* largest window rollover permits */
	/*
	 * Largest window the client's per-ACK byte (msftwindow) may ask
	 * for; init sets window_cap, callers lower it (config).
	 */
	uint32_t	 window_max;
	int		 rollover;	/* block after 65535: 0 or 1 */
	int		 msft;		/* per-ACK window byte honoured */
	int		 oack;		/* the first step sends the OACK */
	int		 max_retries;	/* TFTP_XFER_RETRIES; may be changed */
	int		 retries;	/* timeouts since the last progress */
	/*
	 * Give up only after max_retries timeouts in a row AND giveup_ms
	 * without progress (TFTP_XFER_GIVEUP_MS; may be changed): with a
	 * timer of a few ms on a fast link, retries alone would end a
	 * transfer after a client's half-second hiccup.
	 */
	uint32_t	 giveup_ms;
	uint64_t	 progress_at;	/* last start or ACK that moved on */

	uint64_t	 acked;		/* highest block acknowledged */
	uint64_t	 next;		/* next block to (re)send */
	uint64_t	 hi;		/* highest block ever sent */
	int		 goback_seen;	/* a go-back happened, ... */
	uint64_t	 goback_at;	/* ... last at this time */

	uint64_t	 now;		/* latest time seen */
	uint64_t	 rto_at;	/* retransmission deadline */
	uint32_t	 rto;		/* RFC 6298 RTO, ms */
	uint32_t	 rto_cur;	/* rto with back-off applied */
	uint32_t	 rto_max;	/* timeout option, or TFTP_XFER_RTO_MAX */
	uint32_t	 srtt, rttvar;	/* ms; srtt 0 = no sample yet */
	int		 rtt_on;	/* a block is being timed (Karn) */
	uint64_t	 rtt_blk;
	uint64_t	 rtt_t;

	uint16_t	 peer_code;	/* ERROR code the client sent */

	/* Counters for metrics. */
	uint64_t	 retransmits;	/* DATA blocks and OACKs sent again */
	uint64_t	 timeouts;	/* retransmission timer expiries */
	uint64_t	 bytes_sent;	/* file bytes sent, retransmits included */
	uint64_t	 bytes_acked;	/* file bytes acknowledged */
	uint64_t	 dup_acks;	/* ACKs of the already acked block */
	uint64_t	 stale_acks;	/* ACKs outside [acked, hi] */
	uint64_t	 gobacks;	/* partial ACKs that resent the window */
	uint64_t	 ignored;	/* datagrams neither ACK nor ERROR */
};

/*
 * Set up *x for sending a file of size bytes with the options granted
 * by tftp_negotiate (absent fields hold the defaults, see struct
 * tftp_opts).  oack: nonzero when the first step is to send the OACK
 * built from *granted and wait for ACK 0 (RFC 2347); zero to start with
 * DATA 1.  rollover: the configured block after 65535 (0 or 1); a
 * granted rollover option overrides it.  The timer ceiling is the
 * granted timeout option in seconds, else TFTP_XFER_RTO_MAX.
 *
 * Returns 0, or -TFTP_E_RANGE when blksize is outside 8..65464,
 * windowsize outside 1..65535 or rollover not 0 or 1 (*x unspecified).
 * granted is copied.  Nothing to free: there is no tftp_xfer_fini.
 */
int	 tftp_xfer_init(struct tftp_xfer *x, const struct tftp_opts *granted,
	    uint64_t size, int oack, int rollover);

/*
 * Feed one event at time now (monotonic ms; a time earlier than one
 * already seen is taken as the latest seen).  TFTP_EV_PKT is a datagram
 * from the client's TID; ACK and ERROR are acted on, anything else is
 * counted in x->ignored and dropped.  TFTP_EV_TIMER may come at any
 * time; early expiries do nothing.
 *
 * Writes up to nacts actions into acts[] and their bytes into out[]
 * (both caller-owned, valid until the next step).  A window larger than
 * nacts (or than outlen / 4) is sent over several steps: the deadline
 * is then now, and the caller steps again with TFTP_EV_TIMER.  A CLOSE
 * action is always the last; after it every step returns 0.
 *
 * Returns the number of actions, or -TFTP_E_SPACE when nacts <
 * TFTP_XFER_ACTS_MIN or outlen < TFTP_XFER_OUT_MIN (nothing changed).
 */
int	 tftp_xfer_step(struct tftp_xfer *x, const struct tftp_ev *ev,
	    uint64_t now, struct tftp_act *acts, size_t nacts, uint8_t *out,
	    size_t outlen);

/*
 * The time the caller must step with TFTP_EV_TIMER: 0 before the first
 * step, the latest now while part of a window is still unsent, else the
 * retransmission deadline; UINT64_MAX once closed.
 */
uint64_t tftp_xfer_deadline(const struct tftp_xfer *x);

/* The 16-bit block number that 64-bit block n carries on the wire. */
uint16_t tftp_xfer_wire_block(const struct tftp_xfer *x, uint64_t n);

#endif
