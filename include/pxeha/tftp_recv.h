/*
 * TFTP write-transfer (WRQ) state machine: the server receives a file.
 * The mirror image of the RRQ machine in tftp_session.h, and pure in
 * the same way: datagrams and timer expiries in (struct tftp_ev),
 * actions out, the time passed in as monotonic milliseconds.  No
 * sockets, no clock, no allocation, no file I/O: the file bytes are
 * handed to the shell as WRITE actions that borrow the event's buffer.
 *
 * RFC 1350 (lock-step), RFC 2347 (OACK: the client answers it with
 * DATA 1), RFC 2349 (timeout, tsize), RFC 7440 (windowsize: the
 * receiver ACKs every windowsize blocks, and the last block it got in
 * order when it sees a gap), the tftp-hpa rollover option.  The
 * Windows msftwindow extension is for reads only and is ignored here.
 *
 * The shell's loop:
 *
 *	tftp_recv_init(r, &granted, oack, rollover, max_size);
 *	for (;;) {
 *		wait for a datagram from the client's TID or for
 *		    tftp_recv_deadline(r) (0 right after init: the first
 *		    step sends the OACK or ACK 0);
 *		n = tftp_recv_step(r, &ev, now, acts, nacts, out, outlen);
 *		carry out acts[0..n) in order (WRITE before the ACK that
 *		    promises it is stored); stop after a CLOSE;
 *		if a WRITE or COMPLETE fails, skip the rest of the step's
 *		    actions and call tftp_recv_abort instead;
 *	}
 *
 * Writes come strictly in file order, each one starting where the last
 * ended, so the shell may also ignore the offset and append (a netascii
 * upload goes through tftp_netascii_decode that way).  max_size counts
 * the bytes as they travel, before any netascii decoding.  The shell's
 * receive buffer must hold at least blksize + 5 bytes (or the shell
 * must drop datagrams flagged MSG_TRUNC): a DATA cut to blksize would
 * pass for a full block instead of being refused.
 */
#ifndef PXEHA_TFTP_RECV_H
#define PXEHA_TFTP_RECV_H

#include <stddef.h>
#include <stdint.h>

#include "pxeha/tftp.h"
#include "pxeha/tftp_session.h"	/* struct tftp_ev */

#define TFTP_RECV_RETRIES	6	/* timeouts in a row before giving up */
#define TFTP_RECV_RTO_INIT	1000	/* ms, without a timeout option */
#define TFTP_RECV_RTO_MAX	8000	/* ms, back-off ceiling (or the
					   timeout option when longer) */
#define TFTP_RECV_LINGER	3	/* default linger, in RTOs ... */
#define TFTP_RECV_LINGER_MIN	10000	/* ... but at least this, ms: the
					   tftp-hpa client resends every 5 s */
#define TFTP_RECV_ACTS_MIN	4	/* smallest nacts: every step fits */
#define TFTP_RECV_OUT_MIN	256	/* smallest outlen; an OACK fits */

enum tftp_recv_act_type {
	TFTP_RACT_SEND,		/* send out[out_off .. out_off + len) */
	TFTP_RACT_WRITE,	/* store ev->buf[buf_off .. buf_off + len)
				   at file offset off */
	TFTP_RACT_COMPLETE,	/* every byte is written: commit the file */
	TFTP_RACT_CLOSE		/* end of the transfer; always last */
};

/*
 * Why a transfer closed.  The first five have the values of enum
 * tftp_close in tftp_session.h.
 */
enum tftp_recv_close {
	TFTP_RCLOSE_NONE = 0,
	TFTP_RCLOSE_DONE,	/* the file is complete (COMPLETE was sent) */
	TFTP_RCLOSE_TIMEOUT,	/* retries exhausted; ERROR 0 was sent */
	TFTP_RCLOSE_PEER_ERROR,	/* the client sent ERROR during the data */
	TFTP_RCLOSE_OACK_ERROR,	/* the client answered the OACK with ERROR */
	TFTP_RCLOSE_FULL,	/* past max_size (or tsize said it would
				   be); ERROR 3 was sent */
	TFTP_RCLOSE_BADDATA,	/* DATA longer than blksize; ERROR 4 sent */
	TFTP_RCLOSE_ABORT	/* tftp_recv_abort; its ERROR was sent */
};

struct tftp_recv_act {
	enum tftp_recv_act_type	 type;
	size_t			 len;		/* SEND, WRITE: bytes */
	size_t			 out_off;	/* SEND: offset in out[] */
	/*
	 * WRITE: offset of the payload in the buf of the event passed to
	 * this step (always 4, the DATA header's length).  The bytes are
	 * borrowed: valid as long as that buffer is.
	 */
	size_t			 buf_off;
	uint64_t		 off;		/* WRITE: file offset */
	uint64_t		 block;		/* WRITE: 64-bit block number */
	enum tftp_recv_close	 reason;	/* CLOSE only */
};

/* States; callers only compare with TFTP_RS_CLOSED. */
enum tftp_rs {
	TFTP_RS_START = 0,	/* nothing sent yet: deadline is 0 */
	TFTP_RS_RECV,		/* OACK or ACK 0 sent; receiving DATA */
	TFTP_RS_LINGER,		/* last block ACKed; re-ACKing it if the
				   client sends it again */
	TFTP_RS_CLOSED
};

/*
 * One upload.  Embeddable; the fields are public for metrics and tests,
 * and only tftp_recv_* writes them, except max_retries and linger,
 * which the caller may change between init and the first step.  Block
 * numbers are 64-bit and never wrap; block n carries the file bytes
 * [(n - 1) * blksize, n * blksize).
 */
struct tftp_recv {
	enum tftp_rs	 state;
	enum tftp_recv_close reason;	/* set on CLOSE */
	struct tftp_opts granted;	/* what the OACK carries */
	uint64_t	 max_size;	/* bytes; UINT64_MAX: no limit */
	uint32_t	 blksize;
	uint32_t	 window;	/* blocks per ACK */
	int		 rollover;	/* block after 65535: 0 or 1 */
	int		 oack;		/* the first step sends the OACK */
	int		 max_retries;	/* TFTP_RECV_RETRIES */
	int		 retries;	/* timeouts since the last progress */
	/*
	 * ms to stay after the final ACK, answering a retransmitted last
	 * DATA (RFC 1350 6 "dallying"); 0 closes at once.  Init sets
	 * TFTP_RECV_LINGER times the first RTO, at least
	 * TFTP_RECV_LINGER_MIN: the client's timer is unknown without a
	 * timeout option, and lingering shorter than it catches nothing.
	 * The file is committed (COMPLETE) before lingering starts.
	 */
	uint32_t	 linger;

	uint64_t	 next;		/* next block expected, from 1 */
	uint64_t	 acked;		/* last block ACKed; 0: ACK 0/OACK */
	uint64_t	 dup_prev;	/* last old block since progress */
	int		 gap_acked;	/* a gap was ACKed since progress */
	int		 got_data;	/* DATA came: the OACK arrived */

	uint64_t	 now;		/* latest time seen */
	uint64_t	 rto_at;	/* resend (or, lingering, close) time */
	uint32_t	 rto;		/* timeout option or RTO_INIT, ms */
	uint32_t	 rto_cur;	/* rto with back-off applied */
	uint32_t	 rto_max;

	uint16_t	 peer_code;	/* ERROR code the client sent */

	/* Counters for metrics. */
	uint64_t	 bytes_written;	/* file bytes handed to WRITE */
	uint64_t	 blocks;	/* blocks received in order */
	uint64_t	 acks_sent;	/* ACKs and OACKs, resends included */
	uint64_t	 resent;	/* of those, repeats of the last */
	uint64_t	 dup_blocks;	/* DATA already received */
	uint64_t	 gap_blocks;	/* DATA ahead of a missing block */
	uint64_t	 suppressed;	/* duplicates, gaps not answered */
	uint64_t	 timeouts;	/* resend timer expiries */
	uint64_t	 ignored;	/* datagrams neither DATA nor ERROR, or
					   DATA with no plausible block */
};

/*
 * Set up *r to receive a file with the options granted by
 * tftp_negotiate for the WRQ (absent fields hold the defaults, see
 * struct tftp_opts).  oack: nonzero to start with the OACK built from
 * *granted (ignored when no option is granted); zero to start with
 * ACK 0.  rollover: the configured block after 65535 (0 or 1); a
 * granted rollover option overrides it.  max_size: the largest file
 * accepted, in bytes as sent (UINT64_MAX: no limit); a granted tsize
 * above it makes the first step refuse with ERROR 3 (RFC 2349) instead
 * of the OACK.  The resend timer starts at the granted timeout option
 * in seconds, else TFTP_RECV_RTO_INIT, and doubles on each timeout up
 * to TFTP_RECV_RTO_MAX (or the timeout option, when longer).
 *
 * Returns 0, or -TFTP_E_RANGE when blksize is outside 8..65464,
 * windowsize outside 1..65535 or rollover not 0 or 1 (*r unspecified).
 * granted is copied.  Nothing to free: there is no tftp_recv_fini.
 */
int	 tftp_recv_init(struct tftp_recv *r, const struct tftp_opts *granted,
	    int oack, int rollover, uint64_t max_size);

/*
 * Feed one event at time now (monotonic ms; a time earlier than one
 * already seen is taken as the latest seen).  TFTP_EV_PKT is a datagram
 * from the client's TID; DATA and ERROR are acted on, anything else is
 * counted in r->ignored.  TFTP_EV_TIMER may come at any time; early
 * expiries do nothing.  The first step sends the OACK or ACK 0 (or
 * refuses, see tsize in tftp_recv_init) whatever the event.
 *
 * DATA of the next block in order gives a WRITE (none for an empty
 * block), then an ACK when it completes a window of r->window blocks
 * counted from the last ACK.  A client that stops to wait before it has
 * sent a whole window gets its ACK only from the timer: RFC 7440 makes
 * the negotiated window binding on the sender.
 *
 * A block shorter than blksize is the last: WRITE, COMPLETE, ACK, then
 * CLOSE(DONE) at once when r->linger is 0, else the machine lingers:
 * the last DATA sent again is answered with the final ACK again, other
 * DATA is ignored, an ERROR or the linger deadline gives CLOSE(DONE).
 *
 * Out of order (RFC 7440 4): DATA beyond the next block means one was
 * lost; the first such after progress is answered with an ACK of the
 * last block received in order (ACK 0, not the OACK, once DATA shows
 * the OACK arrived), later ones are not until progress resumes.  No
 * block out of order is kept, so reordering costs the sender a resend
 * from the gap (go-back-N).
 *
 * DATA already received, while every block received is ACKed, is
 * answered the same way once per retransmitted window: again only
 * when its block number is not above the previous duplicate's (a new
 * round of resends) -- so in lock-step every duplicate is ACKed as RFC
 * 1350 wants, and a window of W resent blocks costs one ACK, not W.
 * The sender's Sorcerer's Apprentice rule (RFC 1123 4.2.3.1) does the
 * rest.  Duplicates and gaps never move the resend timer; only blocks
 * in order do, so a client that never makes progress times out.
 *
 * Timer: the OACK (before any DATA) or the last ACK is sent again,
 * with back-off; after max_retries timeouts in a row, ERROR 0 "timeout"
 * and CLOSE(TIMEOUT).  A block that would take the file past max_size
 * gives ERROR 3 and CLOSE(FULL) and is not written; DATA longer than
 * blksize gives ERROR 4 and CLOSE(BADDATA); an ERROR from the client
 * gives CLOSE(PEER_ERROR), or CLOSE(OACK_ERROR) when it answers the
 * OACK before any DATA.
 *
 * Writes up to nacts actions into acts[] and datagram bytes into out[]
 * (both caller-owned, valid until the next step).  A CLOSE is always
 * the last action; after it every step returns 0.
 *
 * Returns the number of actions (at most TFTP_RECV_ACTS_MIN), or
 * -TFTP_E_SPACE when nacts < TFTP_RECV_ACTS_MIN or outlen <
 * TFTP_RECV_OUT_MIN (nothing changed).  ev and ev->buf are only read.
 */
int	 tftp_recv_step(struct tftp_recv *r, const struct tftp_ev *ev,
	    uint64_t now, struct tftp_recv_act *acts, size_t nacts,
	    uint8_t *out, size_t outlen);

/*
 * Give up from the shell's side, e.g. when a WRITE or the COMPLETE
 * commit failed: SEND an ERROR with code and the C string msg (NULL:
 * empty; TFTP_ERR_DISKFULL suits ENOSPC and EDQUOT), then
 * CLOSE(ABORT).  The message goes to the client as is: it must not
 * reveal server paths.  Same buffers and return values as
 * tftp_recv_step.
 *
 * It also works once on a machine that closed with DONE, so that a
 * COMPLETE whose commit failed can be taken back even when the same
 * step closed the transfer (linger 0): the shell skips that step's ACK
 * and CLOSE and sends this ERROR instead.  Call it for that and nothing
 * else after a DONE.  Returns 0 when closed for any other reason.
 */
int	 tftp_recv_abort(struct tftp_recv *r, uint16_t code, const char *msg,
	    struct tftp_recv_act *acts, size_t nacts, uint8_t *out,
	    size_t outlen);

/*
 * The time the caller must step with TFTP_EV_TIMER: 0 before the first
 * step, then the resend (or, lingering, the closing) time; UINT64_MAX
 * once closed.
 */
uint64_t tftp_recv_deadline(const struct tftp_recv *r);

/* The 16-bit block number that 64-bit block n carries on the wire. */
uint16_t tftp_recv_wire_block(const struct tftp_recv *r, uint64_t n);

#endif
