/*
 * Fuzz the TFTP write-transfer (WRQ) state machine: the first bytes
 * choose the upload (blksize, window, max_size, OACK, configured
 * rollover; the timeout, tsize and rollover options; linger, retries,
 * action space), the rest are cut into events: timer advances, DATA of
 * the expected block (full, short or too long), of a nearby block and of
 * an arbitrary one, ERRORs, junk and shell aborts.  Every DATA payload
 * is f(offset) for the offset the file has reached, so a WRITE must
 * carry exactly those bytes.  Invariants: WRITEs contiguous from 0,
 * never empty, never past max_size or blksize, borrowing only the
 * event's payload; COMPLETE at most once, after a short block and
 * before its ACK; SENDs inside out[] and well-formed; an ACK names the
 * last block written; CLOSE last and final (only a DONE can be taken
 * back, once, by an abort), DONE only after COMPLETE; the deadline
 * UINT64_MAX exactly when closed and not in the past after a due timer
 * step.  Deterministic, no globals; abort() on any broken invariant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/tftp.h"
#include "pxeha/tftp_session.h"
#include "pxeha/tftp_recv.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)
#define MAXBLK		80
#define OUTLEN		(TFTP_RECV_OUT_MIN + 64)

struct cur {
	const uint8_t	*p;
	size_t		 len, off;
};

struct model {
	uint64_t	 written;	/* file bytes written so far */
	int		 complete;	/* COMPLETE seen */
	int		 closed;
	int		 retracted;	/* an abort took back a DONE */
};

static uint8_t
take8(struct cur *c)
{
	return (c->off < c->len ? c->p[c->off++] : 0);
}

static uint16_t
take16(struct cur *c)
{
	uint16_t	 v = (uint16_t)(take8(c) << 8);

	return ((uint16_t)(v | take8(c)));
}

static uint8_t
file_byte(uint64_t off)
{
	return ((uint8_t)((off * 2654435761u) >> 13 ^ off));
}

static void
check_send(const struct tftp_recv *r, const uint8_t *p, size_t len)
{
	struct tftp_opts	 o;
	uint16_t		 b, code;
	uint8_t			 nw;
	const uint8_t		*msg;
	size_t			 ml;

	if (tftp_parse_ack(p, len, &b, &nw) == 0) {
		CHECK(len == 4);
		CHECK(b == tftp_recv_wire_block(r, r->acked));
		CHECK(r->acked == r->next - 1);
	} else if (tftp_parse_error(p, len, &code, &msg, &ml) == 0)
		CHECK(r->state == TFTP_RS_CLOSED);
	else {
		CHECK(tftp_parse_oack(p, len, &o) == 0);
		CHECK(r->oack && r->next == 1 && !r->got_data);
		CHECK(o.present == r->granted.present);
	}
}

static void
check_acts(const struct tftp_recv *r, struct model *m,
    const struct tftp_recv_act *a, int n, const uint8_t *out,
    size_t outlen, const struct tftp_ev *ev)
{
	int	 i, wrote_short = 0;
	size_t	 k;

	for (i = 0; i < n; i++) {
		switch (a[i].type) {
		case TFTP_RACT_SEND:
			CHECK(a[i].len >= 4 && a[i].out_off <= outlen &&
			    a[i].len <= outlen - a[i].out_off);
			check_send(r, out + a[i].out_off, a[i].len);
			break;
		case TFTP_RACT_WRITE:
			CHECK(!m->complete && ev->type == TFTP_EV_PKT);
			CHECK(a[i].off == m->written);
			CHECK(a[i].len > 0 && a[i].len <= r->blksize);
			CHECK(a[i].off + a[i].len <= r->max_size);
			CHECK(a[i].buf_off == TFTP_HDR_LEN);
			CHECK(a[i].len <= ev->len - a[i].buf_off);
			CHECK(a[i].block == a[i].off / r->blksize + 1);
			CHECK(a[i].off % r->blksize == 0);
			for (k = 0; k < a[i].len; k++)
				CHECK(ev->buf[a[i].buf_off + k] ==
				    file_byte(a[i].off + k));
			m->written += a[i].len;
			wrote_short = a[i].len < r->blksize;
			break;
		case TFTP_RACT_COMPLETE:
			CHECK(!m->complete);
			CHECK(wrote_short || i == 0);
			CHECK(i + 1 < n && a[i + 1].type == TFTP_RACT_SEND);
			m->complete = 1;
			break;
		case TFTP_RACT_CLOSE:
			CHECK(i == n - 1);
			CHECK(r->state == TFTP_RS_CLOSED);
			CHECK(a[i].reason == r->reason);
			if (a[i].reason == TFTP_RCLOSE_DONE)
				CHECK(m->complete);
			else if (m->complete)
				CHECK(a[i].reason == TFTP_RCLOSE_ABORT);
			m->closed = 1;
			break;
		default:
			abort();
		}
	}
}

static void
make_data(struct cur *c, const struct tftp_recv *r, uint64_t written,
    uint8_t op, struct tftp_ev *ev, uint8_t *pkt)
{
	uint16_t	 w;
	size_t		 len, k;
	uint8_t		 sel = take8(c);

	switch (op % 8) {
	case 1:		/* the expected block */
		w = tftp_recv_wire_block(r, r->next);
		break;
	case 2:		/* a nearby block, behind or ahead */
		w = tftp_recv_wire_block(r, r->next + 200 - sel % 240);
		break;
	default:	/* anything */
		w = take16(c);
		break;
	}
	/* Mostly full blocks, so transfers get long. */
	if (sel < 0xc0)
		len = r->blksize;
	else if (sel < 0xf8)
		len = sel % r->blksize;
	else
		len = r->blksize + 1 + sel % 2;
	pkt[0] = 0;
	pkt[1] = TFTP_DATA;
	pkt[2] = (uint8_t)(w >> 8);
	pkt[3] = (uint8_t)w;
	for (k = 0; k < len; k++)
		pkt[4 + k] = file_byte(written + k);
	ev->type = TFTP_EV_PKT;
	ev->buf = pkt;
	ev->len = 4 + len;
}

/* Returns 1 when the event is a shell abort rather than a step. */
static int
make_event(struct cur *c, const struct tftp_recv *r, uint64_t written,
    uint64_t *now, struct tftp_ev *ev, uint8_t *pkt)
{
	uint8_t		 op = take8(c);

	ev->type = TFTP_EV_PKT;
	ev->buf = pkt;
	switch (op % 8) {
	case 0:		/* timer, maybe exactly at the deadline */
		ev->type = TFTP_EV_TIMER;
		ev->buf = NULL;
		ev->len = 0;
		if (op & 0x80) {
			if (tftp_recv_deadline(r) != UINT64_MAX &&
			    tftp_recv_deadline(r) > *now)
				*now = tftp_recv_deadline(r);
		} else
			*now += take16(c);
		break;
	case 1:
	case 2:
	case 3:
		make_data(c, r, written, op, ev, pkt);
		break;
	case 4:		/* ERROR */
		pkt[0] = 0;
		pkt[1] = TFTP_ERROR;
		pkt[2] = 0;
		pkt[3] = take8(c);
		pkt[4] = 'x';
		ev->len = 4 + (size_t)(op >> 7);
		break;
	case 5:		/* rarely, the shell gives up */
		if ((op & 0xf0) == 0xf0)
			return (1);
		/* FALLTHROUGH */
	default:	/* junk, ACKs, short DATA */
		pkt[0] = take8(c) % 2;
		pkt[1] = take8(c) % 8;
		pkt[2] = take8(c);
		pkt[3] = take8(c);
		ev->len = (size_t)(op >> 5);
		/* Payloads must be f(offset); see make_data. */
		if (pkt[0] == 0 && pkt[1] == TFTP_DATA && ev->len >= 4)
			pkt[1] = TFTP_ACK;
		break;
	}
	return (0);
}

static void
setup(struct cur *c, struct tftp_recv *r, size_t *nacts)
{
	struct tftp_opts	 o;
	uint8_t			 cfg = take8(c), cfg2 = take8(c);
	uint64_t		 max;

	memset(&o, 0, sizeof(o));
	o.blksize = TFTP_BLKSIZE_MIN + take8(c) % (MAXBLK - 7);
	o.windowsize = 1 + take8(c) % 70;
	if (cfg & 0x04)
		o.present |= TFTP_OPT_BLKSIZE;
	if (cfg & 0x08)
		o.present |= TFTP_OPT_WINDOWSIZE;
	if (cfg & 0x10) {
		o.present |= TFTP_OPT_TIMEOUT;
		o.timeout = 1 + take8(c) % 5;
	}
	max = cfg & 0x20 ? UINT64_MAX : take16(c) * (uint64_t)(1 +
	    take8(c) % 16);
	if (cfg & 0x40) {
		o.present |= TFTP_OPT_TSIZE;
		o.tsize = take16(c);
	}
	if (cfg2 & 0x04) {
		o.present |= TFTP_OPT_ROLLOVER;
		o.rollover = (cfg2 >> 3) & 1;
	}
	*nacts = TFTP_RECV_ACTS_MIN + cfg2 % 4;
	CHECK(tftp_recv_init(r, &o, cfg & 1, (cfg >> 1) & 1, max) == 0);
	if (cfg & 0x80)
		r->linger = 0;
	if (cfg2 & 0x10)
		r->max_retries = cfg2 >> 5;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cur		 c = { data, size, 0 };
	struct tftp_recv	 r;
	struct tftp_recv_act	 acts[TFTP_RECV_ACTS_MIN + 4];
	struct model		 m = { 0, 0, 0, 0 };
	uint8_t			 out[OUTLEN], pkt[4 + MAXBLK + 2];
	struct tftp_ev		 ev;
	uint64_t		 now = 0, dl, acked = 0;
	size_t			 nacts;
	enum tftp_recv_close	 was;
	int			 n, steps = 0, abrt;

	setup(&c, &r, &nacts);
	CHECK(tftp_recv_deadline(&r) == 0);
	while (c.off < c.len && steps++ < 4096) {
		abrt = make_event(&c, &r, m.written, &now, &ev, pkt);
		dl = tftp_recv_deadline(&r);
		was = r.reason;
		if (abrt)
			n = tftp_recv_abort(&r, TFTP_ERR_DISKFULL, "io", acts,
			    nacts, out, sizeof(out));
		else
			n = tftp_recv_step(&r, &ev, now, acts, nacts, out,
			    sizeof(out));
		CHECK(n >= 0 && n <= TFTP_RECV_ACTS_MIN);
		if (m.closed) {
			/* Only a DONE can be taken back, and only once. */
			if (abrt && was == TFTP_RCLOSE_DONE) {
				CHECK(!m.retracted && n == 2);
				CHECK(acts[0].type == TFTP_RACT_SEND);
				CHECK(acts[1].type == TFTP_RACT_CLOSE);
				CHECK(acts[1].reason == TFTP_RCLOSE_ABORT);
				m.retracted = 1;
				continue;
			}
			CHECK(n == 0);
			continue;
		}
		check_acts(&r, &m, acts, n, out, sizeof(out), &ev);
		CHECK(m.closed == (r.state == TFTP_RS_CLOSED));
		CHECK(m.closed == (n > 0 && acts[n - 1].type ==
		    TFTP_RACT_CLOSE));
		CHECK(r.bytes_written == m.written);
		CHECK(m.written <= r.max_size);
		CHECK(r.next == r.blocks + 1 && r.acked <= r.blocks);
		CHECK(r.acked >= acked);
		acked = r.acked;
		if (m.complete)
			CHECK(r.state == TFTP_RS_LINGER ||
			    r.reason == TFTP_RCLOSE_DONE ||
			    r.reason == TFTP_RCLOSE_ABORT);
		else
			CHECK(r.state != TFTP_RS_LINGER &&
			    r.reason != TFTP_RCLOSE_DONE);
		if (m.closed) {
			CHECK(tftp_recv_deadline(&r) == UINT64_MAX);
			continue;
		}
		CHECK(tftp_recv_deadline(&r) != UINT64_MAX);
		if (!abrt && ev.type == TFTP_EV_TIMER && now >= dl)
			CHECK(tftp_recv_deadline(&r) > now);
		CHECK(r.rto_cur >= r.rto && r.rto_cur <= r.rto_max);
	}
	return (0);
}
