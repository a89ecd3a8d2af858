/*
 * TFTP read-transfer state machine; see pxeha/tftp_session.h.  Pure: no
 * clock, no I/O, no allocation.
 */
#include <stddef.h>
#include <stdint.h>

#include "pxeha/tftp.h"
#include "pxeha/tftp_session.h"

/* Where the actions of one step go. */
struct emit {
	struct tftp_act	*acts;
	size_t		 nacts, n;
	uint8_t		*out;
	size_t		 outlen, used;
};

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return (a < b ? a : b);
}

/* File offset where block n starts, clamped to the size. */
static uint64_t
blk_off(const struct tftp_xfer *x, uint64_t n)
{
	if (n == 0)
		return (0);
	if (n - 1 > x->size / x->blksize)
		return (x->size);
	return (min64((n - 1) * x->blksize, x->size));
}

uint16_t
tftp_xfer_wire_block(const struct tftp_xfer *x, uint64_t n)
{
	return (tftp_wire_block(x->rollover, n));
}

int
tftp_xfer_init(struct tftp_xfer *x, const struct tftp_opts *granted,
    uint64_t size, int oack, int rollover)
{
	const struct tftp_xfer	 zero = { .state = TFTP_XS_START };

	*x = zero;
	x->granted = *granted;
	if ((rollover = tftp_granted_check(granted, rollover)) < 0)
		return (rollover);
	x->blksize = (uint32_t)granted->blksize;
	x->rollover = rollover;
	/*
	 * An ACK is mapped to the one block in [acked, hi] that carries its
	 * number, so that range must not hold two blocks with the same
	 * number: 65536 blocks at most with rollover 0, 65535 with 1.
	 */
	x->window_cap = rollover == 0 ? 65535 : 65534;
	x->window = (uint32_t)min64(granted->windowsize, x->window_cap);
	x->window_max = x->window_cap;
	x->msft = (granted->present & TFTP_OPT_MSFTWINDOW) &&
	    granted->msftwindow == TFTP_MSFT_GRANT;
	x->size = size;
	x->nblocks = size / x->blksize + 1;
	x->max_retries = TFTP_XFER_RETRIES;
	x->giveup_ms = TFTP_XFER_GIVEUP_MS;
	x->rto_max = TFTP_XFER_RTO_MAX;
	if ((granted->present & TFTP_OPT_TIMEOUT) &&
	    granted->timeout >= TFTP_TIMEOUT_MIN &&
	    granted->timeout <= TFTP_TIMEOUT_MAX)
		x->rto_max = (uint32_t)granted->timeout * 1000;
	x->rto = x->rto_cur = TFTP_XFER_RTO_INIT < x->rto_max ?
	    TFTP_XFER_RTO_INIT : x->rto_max;
	x->oack = oack != 0;
	return (0);
}

static int
emit_send(struct emit *e, size_t len)
{
	struct tftp_act	*a = &e->acts[e->n++];

	a->type = TFTP_ACT_SEND;
	a->len = len;
	a->out_off = e->used;
	a->off = a->block = 0;
	a->reason = TFTP_CLOSE_NONE;
	e->used += len;
	return (0);
}

static void
emit_close(struct tftp_xfer *x, struct emit *e, enum tftp_close why)
{
	struct tftp_act	*a = &e->acts[e->n++];

	a->type = TFTP_ACT_CLOSE;
	a->len = a->out_off = 0;
	a->off = a->block = 0;
	a->reason = why;
	x->state = TFTP_XS_CLOSED;
	x->reason = why;
}

static void
send_oack(struct tftp_xfer *x, struct emit *e)
{
	int	 len;

	len = tftp_build_oack(e->out + e->used, e->outlen - e->used,
	    &x->granted);
	if (len > 0)
		emit_send(e, (size_t)len);
	x->rto_at = x->now + x->rto_cur;
}

/* RFC 6298 2.2-2.4, in whole milliseconds; G is 1 ms. */
static void
rtt_sample(struct tftp_xfer *x, uint64_t r64)
{
	uint32_t	 r, d, v;

	r = r64 > 60000 ? 60000 : (uint32_t)r64;
	if (x->srtt == 0) {
		x->srtt = r > 0 ? r : 1;
		x->rttvar = r / 2;
	} else {
		d = x->srtt > r ? x->srtt - r : r - x->srtt;
		x->rttvar = (3 * x->rttvar + d) / 4;
		x->srtt = (7 * x->srtt + r) / 8;
		if (x->srtt == 0)
			x->srtt = 1;
	}
	v = 4 * x->rttvar > 1 ? 4 * x->rttvar : 1;
	x->rto = x->srtt + v;
	if (x->rto < TFTP_XFER_RTO_MIN)
		x->rto = TFTP_XFER_RTO_MIN;
	if (x->rto > x->rto_max)
		x->rto = x->rto_max;
}

/* Send what is unsent of the window [acked + 1, acked + window]. */
static void
fill_window(struct tftp_xfer *x, struct emit *e)
{
	uint64_t	 end, off;
	size_t		 len;
	struct tftp_act	*a;
	int		 sent = 0;

	end = min64(x->acked + x->window, x->nblocks);
	while (x->next <= end && e->n < e->nacts &&
	    e->outlen - e->used >= TFTP_HDR_LEN) {
		off = blk_off(x, x->next);
		len = (size_t)min64(x->blksize, x->size - off);
		(void)tftp_build_data(e->out + e->used, TFTP_HDR_LEN,
		    tftp_xfer_wire_block(x, x->next), len);
		a = &e->acts[e->n++];
		a->type = TFTP_ACT_SEND_FILE;
		a->len = len;
		a->out_off = e->used;
		a->off = off;
		a->block = x->next;
		a->reason = TFTP_CLOSE_NONE;
		e->used += TFTP_HDR_LEN;
		x->bytes_sent += len;
		if (x->next <= x->hi) {
			x->retransmits++;
			/* Karn: an ACK of a resent block times nothing. */
			if (x->rtt_on && x->next <= x->rtt_blk)
				x->rtt_on = 0;
		} else {
			x->hi = x->next;
			if (!x->rtt_on) {
				x->rtt_on = 1;
				x->rtt_blk = x->next;
				x->rtt_t = x->now;
			}
		}
		x->next++;
		sent = 1;
	}
	if (sent)
		x->rto_at = x->now + x->rto_cur;
}

/*
 * Map a wire block number to the 64-bit block in [acked, hi] that
 * carries it.  Returns 0 when none does (a stale or future ACK).
 */
static int
map_ack(const struct tftp_xfer *x, uint16_t w, uint64_t *b)
{
	uint16_t	 wa = tftp_xfer_wire_block(x, x->acked);
	uint64_t	 d;

	if (x->rollover == 0 || x->acked == 0)
		d = (uint16_t)(w - wa);
	else if (w == 0)
		return (0);
	else
		d = ((uint32_t)w + 65535 - wa) % 65535;
	if (d > x->hi - x->acked)
		return (0);
	*b = x->acked + d;
	return (1);
}

/* The boot manager's per-ACK byte: the window it wants next. */
static void
msft_window(struct tftp_xfer *x, uint8_t nextwin)
{
	if (x->msft && nextwin != 0)
		x->window = (uint32_t)min64(min64(nextwin, x->window_cap),
		    x->window_max > 0 ? x->window_max : 1);
}

static void
on_ack(struct tftp_xfer *x, struct emit *e, uint16_t w, uint8_t nextwin)
{
	uint64_t	 b;

	if (!map_ack(x, w, &b)) {
		x->stale_acks++;
		return;
	}
	if (b == x->acked) {
		/*
		 * RFC 1350's Sorcerer's Apprentice: resending on a duplicate
		 * ACK doubles the traffic for good.  Only the timer resends.
		 */
		x->dup_acks++;
		return;
	}
	if (x->rtt_on && b >= x->rtt_blk) {
		rtt_sample(x, x->now - x->rtt_t);
		x->rtt_on = 0;
	}
	x->bytes_acked += blk_off(x, b + 1) - blk_off(x, x->acked + 1);
	if (b == x->nblocks)
		x->bytes_acked = x->size;
	/*
	 * RFC 7440 4: an ACK inside the window says a block after it was
	 * lost: go back and resend from there, at once.  But at most once
	 * per round trip: the ACKs that follow one loss, reordered ACKs or
	 * a client that ACKs more often than the window would otherwise
	 * each resend the rest of the window (W^2 traffic).
	 */
	if (b < x->hi && (!x->goback_seen ||
	    x->now - x->goback_at >= (x->srtt > 0 ? x->srtt : 1))) {
		x->next = b + 1;
		x->goback_seen = 1;
		x->goback_at = x->now;
		x->gobacks++;
	} else if (x->next < b + 1)
		x->next = b + 1;
	x->acked = b;
	x->retries = 0;
	x->progress_at = x->now;
	x->rto_cur = x->rto;
	msft_window(x, nextwin);
	if (b == x->nblocks) {
		emit_close(x, e, TFTP_CLOSE_DONE);
		return;
	}
	/* Nothing outstanding until fill_window sends. */
	x->rto_at = x->now + x->rto_cur;
}

static void
on_pkt(struct tftp_xfer *x, struct emit *e, const uint8_t *buf,
    size_t len)
{
	uint16_t	 w, code;
	uint8_t		 nextwin;
	const uint8_t	*msg;
	size_t		 msglen;

	if (tftp_parse_ack(buf, len, &w, &nextwin) == 0) {
		if (x->state == TFTP_XS_DATA)
			on_ack(x, e, w, nextwin);
		else if (w == 0) {
			/* RFC 2347: ACK 0 accepts the OACK. */
			x->state = TFTP_XS_DATA;
			msft_window(x, nextwin);
			x->rtt_on = 0;
			x->next = 1;
			x->retries = 0;
			x->progress_at = x->now;
			x->rto_cur = x->rto;
		} else
			x->stale_acks++;
		return;
	}
	if (tftp_parse_error(buf, len, &code, &msg, &msglen) == 0) {
		x->peer_code = code;
		/*
		 * An ERROR answering the OACK is how EDK2 and others end a
		 * tsize probe: a quiet end, not a failure.
		 */
		emit_close(x, e, x->state == TFTP_XS_OACK ?
		    TFTP_CLOSE_OACK_ERROR : TFTP_CLOSE_PEER_ERROR);
		return;
	}
	x->ignored++;
}

static void
on_timer(struct tftp_xfer *x, struct emit *e)
{
	int	 len;

	if (x->now < x->rto_at)
		return;
	if (x->state == TFTP_XS_DATA &&
	    x->next <= min64(x->acked + x->window, x->nblocks))
		return;		/* still sending a window, not a timeout */
	x->timeouts++;
	if (++x->retries > x->max_retries &&
	    x->now - x->progress_at >= x->giveup_ms) {
		len = tftp_build_error(e->out + e->used, e->outlen - e->used,
		    TFTP_ERR_UNDEF, "timeout");
		if (len > 0)
			emit_send(e, (size_t)len);
		emit_close(x, e, TFTP_CLOSE_TIMEOUT);
		return;
	}
	/* RFC 6298 5.5: back off. */
	x->rto_cur = x->rto_cur > x->rto_max / 2 ? x->rto_max : 2 * x->rto_cur;
	x->rtt_on = 0;
	if (x->state == TFTP_XS_OACK) {
		x->retransmits++;
		send_oack(x, e);
	} else {
		x->next = x->acked + 1;	/* go back: fill_window resends */
		x->goback_seen = 1;
		x->goback_at = x->now;
	}
}

static void
on_start(struct tftp_xfer *x, struct emit *e)
{
	x->progress_at = x->now;
	if (x->oack) {
		x->state = TFTP_XS_OACK;
		send_oack(x, e);
	} else {
		x->state = TFTP_XS_DATA;
		x->next = 1;
	}
}

int
tftp_xfer_step(struct tftp_xfer *x, const struct tftp_ev *ev, uint64_t now,
    struct tftp_act *acts, size_t nacts, uint8_t *out, size_t outlen)
{
	struct emit	 e = { acts, nacts, 0, out, outlen, 0 };

	if (nacts < TFTP_XFER_ACTS_MIN || outlen < TFTP_XFER_OUT_MIN)
		return (-TFTP_E_SPACE);
	if (x->state == TFTP_XS_CLOSED)
		return (0);
	if (now > x->now)
		x->now = now;
	if (x->state == TFTP_XS_START)
		on_start(x, &e);
	else if (ev->type == TFTP_EV_PKT)
		on_pkt(x, &e, ev->buf, ev->len);
	else
		on_timer(x, &e);
	if (x->state == TFTP_XS_DATA)
		fill_window(x, &e);
	return ((int)e.n);
}

uint64_t
tftp_xfer_deadline(const struct tftp_xfer *x)
{
	switch (x->state) {
	case TFTP_XS_START:
		return (0);
	case TFTP_XS_CLOSED:
		return (UINT64_MAX);
	case TFTP_XS_DATA:
		if (x->next <= min64(x->acked + x->window, x->nblocks))
			return (x->now);
		break;
	default:
		break;
	}
	return (x->rto_at);
}
