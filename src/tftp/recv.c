/*
 * TFTP write-transfer (WRQ) state machine; see pxeha/tftp_recv.h.
 * Pure: no clock, no I/O, no allocation.
 */
#include <stddef.h>
#include <stdint.h>

#include "pxeha/tftp.h"
#include "pxeha/tftp_session.h"
#include "pxeha/tftp_recv.h"

/* Where the actions of one step go. */
struct emit {
	struct tftp_recv_act	*acts;
	size_t			 nacts, n;
	uint8_t			*out;
	size_t			 outlen, used;
};

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return (a < b ? a : b);
}

uint16_t
tftp_recv_wire_block(const struct tftp_recv *r, uint64_t n)
{
	return (tftp_wire_block(r->rollover, n));
}

int
tftp_recv_init(struct tftp_recv *r, const struct tftp_opts *granted,
    int oack, int rollover, uint64_t max_size)
{
	const struct tftp_recv	 zero = { .state = TFTP_RS_START };
	uint32_t		 cap;

	*r = zero;
	r->granted = *granted;
	if ((rollover = tftp_granted_check(granted, rollover)) < 0)
		return (rollover);
	r->blksize = (uint32_t)granted->blksize;
	r->rollover = rollover;
	/*
	 * A DATA block number is mapped to the one block in the 65536
	 * (65535 with rollover 1) blocks up to the end of the current
	 * window; the window must leave room behind it for duplicates.
	 */
	cap = rollover == 0 ? 65535 : 65534;
	r->window = (uint32_t)min64(granted->windowsize, cap);
	r->oack = oack != 0 && (granted->present & TFTP_OPT_ALL) != 0;
	r->max_size = max_size;
	r->max_retries = TFTP_RECV_RETRIES;
	r->rto = TFTP_RECV_RTO_INIT;
	if ((granted->present & TFTP_OPT_TIMEOUT) &&
	    granted->timeout >= TFTP_TIMEOUT_MIN &&
	    granted->timeout <= TFTP_TIMEOUT_MAX)
		r->rto = (uint32_t)granted->timeout * 1000;
	r->rto_cur = r->rto;
	r->rto_max = r->rto > TFTP_RECV_RTO_MAX ? r->rto : TFTP_RECV_RTO_MAX;
	r->linger = TFTP_RECV_LINGER * r->rto;
	if (r->linger < TFTP_RECV_LINGER_MIN)
		r->linger = TFTP_RECV_LINGER_MIN;
	r->next = 1;
	return (0);
}

static struct tftp_recv_act *
emit_act(struct emit *e, enum tftp_recv_act_type type)
{
	struct tftp_recv_act	*a = &e->acts[e->n++];

	a->type = type;
	a->len = a->out_off = a->buf_off = 0;
	a->off = a->block = 0;
	a->reason = TFTP_RCLOSE_NONE;
	return (a);
}

static void
emit_send(struct emit *e, int len)
{
	struct tftp_recv_act	*a;

	if (len <= 0)
		return;		/* cannot happen with TFTP_RECV_OUT_MIN */
	a = emit_act(e, TFTP_RACT_SEND);
	a->len = (size_t)len;
	a->out_off = e->used;
	e->used += (size_t)len;
}

static void
emit_close(struct tftp_recv *r, struct emit *e, enum tftp_recv_close why)
{
	emit_act(e, TFTP_RACT_CLOSE)->reason = why;
	r->state = TFTP_RS_CLOSED;
	r->reason = why;
}

static void
fail(struct tftp_recv *r, struct emit *e, uint16_t code, const char *msg,
    enum tftp_recv_close why)
{
	emit_send(e, tftp_build_error(e->out + e->used, e->outlen - e->used,
	    code, msg));
	emit_close(r, e, why);
}

/* ACK the last block received in order (the OACK stands for block 0). */
static void
send_ack(struct tftp_recv *r, struct emit *e)
{
	uint64_t	 b = r->next - 1;

	if (r->acks_sent > 0 && b == r->acked)
		r->resent++;
	r->acks_sent++;
	r->acked = b;
	if (b == 0 && r->oack && !r->got_data)
		emit_send(e, tftp_build_oack(e->out + e->used,
		    e->outlen - e->used, &r->granted));
	else
		emit_send(e, tftp_build_ack(e->out + e->used,
		    e->outlen - e->used, tftp_recv_wire_block(r, b)));
}

/*
 * Map a DATA block number to the 64-bit block that carries it among
 * the 65536 (rollover 1: 65535) blocks ending with the last one the
 * current window may hold.  Returns 0 when that block would be below 1.
 */
static int
map_data(const struct tftp_recv *r, uint16_t w, uint64_t *b)
{
	uint64_t	 top = r->next + r->window - 1, back;
	uint16_t	 wt = tftp_recv_wire_block(r, top);

	if (r->rollover == 0)
		back = (uint16_t)(wt - w);
	else if (w == 0)
		return (0);	/* rollover 1 never sends block 0 */
	else
		back = ((uint32_t)wt + 65535 - w) % 65535;
	if (back >= top)
		return (0);
	*b = top - back;
	return (1);
}

static void
progress(struct tftp_recv *r)
{
	r->retries = 0;
	r->rto_cur = r->rto;
	r->rto_at = r->now + r->rto_cur;
	r->dup_prev = 0;
	r->gap_acked = 0;
}

static void
on_block(struct tftp_recv *r, struct emit *e, size_t plen)
{
	struct tftp_recv_act	*a;
	uint64_t		 off = r->bytes_written;

	/* off is the file size so far: every earlier block was full. */
	if (off > r->max_size || plen > r->max_size - off) {
		fail(r, e, TFTP_ERR_DISKFULL,
		    "disk full or allocation exceeded", TFTP_RCLOSE_FULL);
		return;
	}
	if (plen > 0) {
		a = emit_act(e, TFTP_RACT_WRITE);
		a->len = plen;
		a->buf_off = TFTP_HDR_LEN;
		a->off = off;
		a->block = r->next;
	}
	r->bytes_written += plen;
	r->blocks++;
	r->next++;
	progress(r);
	if (plen < r->blksize) {
		/*
		 * COMPLETE before the ACK: a failed commit can still
		 * answer ERROR instead of promising the file is stored.
		 */
		emit_act(e, TFTP_RACT_COMPLETE);
		send_ack(r, e);
		if (r->linger == 0) {
			emit_close(r, e, TFTP_RCLOSE_DONE);
			return;
		}
		r->state = TFTP_RS_LINGER;
		r->rto_at = r->now + r->linger;
		return;
	}
	if (r->next - 1 - r->acked >= r->window)
		send_ack(r, e);
}

static void
on_data(struct tftp_recv *r, struct emit *e, const uint8_t *buf,
    size_t len)
{
	uint16_t	 w = (uint16_t)(buf[2] << 8 | buf[3]);
	uint64_t	 b;

	if (r->state == TFTP_RS_LINGER) {
		/*
		 * Our final ACK was lost: the client sends its last block
		 * again.  The deadline stays, so lingering is bounded.
		 */
		if (w == tftp_recv_wire_block(r, r->next - 1))
			send_ack(r, e);
		else
			r->ignored++;
		return;
	}
	if (len - TFTP_HDR_LEN > r->blksize) {
		fail(r, e, TFTP_ERR_BADOP, "block larger than blksize",
		    TFTP_RCLOSE_BADDATA);
		return;
	}
	if (!map_data(r, w, &b)) {
		r->ignored++;
		return;
	}
	r->got_data = 1;
	if (b == r->next) {
		on_block(r, e, len - TFTP_HDR_LEN);
		return;
	}
	if (b > r->next) {
		/* RFC 7440 4: a gap; one ACK tells the sender where. */
		r->gap_blocks++;
		if (r->gap_acked)
			r->suppressed++;
		else {
			r->gap_acked = 1;
			send_ack(r, e);
		}
		return;
	}
	/*
	 * Already received: our ACK was lost and the sender resends.  One
	 * ACK per round of resends; while blocks of the current window are
	 * still unACKed the sender is busy sending, not resending.
	 */
	r->dup_blocks++;
	if (r->acked == r->next - 1 && (r->dup_prev == 0 || b <= r->dup_prev))
		send_ack(r, e);
	else
		r->suppressed++;
	r->dup_prev = b;
}

static void
on_pkt(struct tftp_recv *r, struct emit *e, const uint8_t *buf,
    size_t len)
{
	uint16_t	 code;
	const uint8_t	*msg;
	size_t		 msglen;

	if (len >= TFTP_HDR_LEN && buf[0] == 0 && buf[1] == TFTP_DATA) {
		on_data(r, e, buf, len);
		return;
	}
	if (tftp_parse_error(buf, len, &code, &msg, &msglen) == 0) {
		r->peer_code = code;
		if (r->state == TFTP_RS_LINGER)
			emit_close(r, e, TFTP_RCLOSE_DONE);
		else
			emit_close(r, e, r->oack && !r->got_data ?
			    TFTP_RCLOSE_OACK_ERROR : TFTP_RCLOSE_PEER_ERROR);
		return;
	}
	r->ignored++;
}

static void
on_timer(struct tftp_recv *r, struct emit *e)
{
	if (r->now < r->rto_at)
		return;
	if (r->state == TFTP_RS_LINGER) {
		emit_close(r, e, TFTP_RCLOSE_DONE);
		return;
	}
	r->timeouts++;
	if (++r->retries > r->max_retries) {
		fail(r, e, TFTP_ERR_UNDEF, "timeout", TFTP_RCLOSE_TIMEOUT);
		return;
	}
	r->rto_cur = r->rto_cur > r->rto_max / 2 ? r->rto_max : 2 * r->rto_cur;
	r->rto_at = r->now + r->rto_cur;
	/* A new round: the sender's resends may be answered again. */
	r->dup_prev = 0;
	r->gap_acked = 0;
	send_ack(r, e);
}

static void
on_start(struct tftp_recv *r, struct emit *e)
{
	/* RFC 2349: a WRQ's tsize lets the server refuse early. */
	if ((r->granted.present & TFTP_OPT_TSIZE) &&
	    r->granted.tsize > r->max_size) {
		fail(r, e, TFTP_ERR_DISKFULL,
		    "disk full or allocation exceeded", TFTP_RCLOSE_FULL);
		return;
	}
	r->state = TFTP_RS_RECV;
	r->rto_at = r->now + r->rto_cur;
	send_ack(r, e);
}

static int
check_space(size_t nacts, size_t outlen)
{
	return (nacts >= TFTP_RECV_ACTS_MIN && outlen >= TFTP_RECV_OUT_MIN);
}

int
tftp_recv_step(struct tftp_recv *r, const struct tftp_ev *ev, uint64_t now,
    struct tftp_recv_act *acts, size_t nacts, uint8_t *out, size_t outlen)
{
	struct emit	 e = { acts, nacts, 0, out, outlen, 0 };

	if (!check_space(nacts, outlen))
		return (-TFTP_E_SPACE);
	if (r->state == TFTP_RS_CLOSED)
		return (0);
	if (now > r->now)
		r->now = now;
	if (r->state == TFTP_RS_START) {
		if (ev->type == TFTP_EV_PKT)
			r->ignored++;
		on_start(r, &e);
	} else if (ev->type == TFTP_EV_PKT)
		on_pkt(r, &e, ev->buf, ev->len);
	else
		on_timer(r, &e);
	return ((int)e.n);
}

int
tftp_recv_abort(struct tftp_recv *r, uint16_t code, const char *msg,
    struct tftp_recv_act *acts, size_t nacts, uint8_t *out, size_t outlen)
{
	struct emit	 e = { acts, nacts, 0, out, outlen, 0 };

	if (!check_space(nacts, outlen))
		return (-TFTP_E_SPACE);
	/*
	 * A DONE close can be taken back: with linger 0 the step that
	 * asks for COMPLETE also closes, and if the commit fails the
	 * client must hear ERROR instead of the final ACK.
	 */
	if (r->state == TFTP_RS_CLOSED && r->reason != TFTP_RCLOSE_DONE)
		return (0);
	fail(r, &e, code, msg, TFTP_RCLOSE_ABORT);
	return ((int)e.n);
}

uint64_t
tftp_recv_deadline(const struct tftp_recv *r)
{
	switch (r->state) {
	case TFTP_RS_START:
		return (0);
	case TFTP_RS_CLOSED:
		return (UINT64_MAX);
	default:
		return (r->rto_at);
	}
}
