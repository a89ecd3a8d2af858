/*
 * Fuzz the TFTP read-transfer state machine: the first bytes choose the
 * transfer (blksize, window, size, OACK, rollover, msftwindow, action
 * space), the rest are cut into events: timer advances, ACKs of
 * arbitrary or plausible block numbers with and without the msftwindow
 * byte, ERRORs and junk.  Invariants: DATA only inside the file, at
 * block-aligned offsets, with the header matching the block; SEND bytes
 * inside out[]; CLOSE last and final; the deadline never in the past
 * after a timer step and UINT64_MAX exactly when closed; bytes acked
 * never beyond the file.  Deterministic, no globals; abort() on any
 * broken invariant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/tftp.h"
#include "pxeha/tftp_session.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)
#define NACTS		72
#define OUTLEN		512

struct cur {
	const uint8_t	*p;
	size_t		 len, off;
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

static void
check_acts(const struct tftp_xfer *x, const struct tftp_act *a, int n,
    const uint8_t *out, size_t outlen)
{
	int	 i;

	for (i = 0; i < n; i++) {
		switch (a[i].type) {
		case TFTP_ACT_SEND:
			CHECK(a[i].len >= 2 && a[i].out_off <= outlen &&
			    a[i].len <= outlen - a[i].out_off);
			break;
		case TFTP_ACT_SEND_FILE:
			CHECK(a[i].out_off <= outlen - 4);
			CHECK(out[a[i].out_off] == 0 &&
			    out[a[i].out_off + 1] == TFTP_DATA);
			CHECK((uint16_t)(out[a[i].out_off + 2] << 8 |
			    out[a[i].out_off + 3]) ==
			    tftp_xfer_wire_block(x, a[i].block));
			CHECK(a[i].block >= 1 && a[i].block <= x->nblocks);
			CHECK(a[i].off % x->blksize == 0);
			CHECK(a[i].off == (a[i].block - 1) * x->blksize);
			CHECK(a[i].off <= x->size &&
			    a[i].len <= x->size - a[i].off);
			CHECK(a[i].len <= x->blksize);
			CHECK(a[i].block == x->nblocks ||
			    a[i].len == x->blksize);
			break;
		case TFTP_ACT_CLOSE:
			CHECK(i == n - 1);
			CHECK(x->state == TFTP_XS_CLOSED);
			break;
		default:
			abort();
		}
	}
}

static void
make_event(struct cur *c, const struct tftp_xfer *x, uint64_t *now,
    struct tftp_ev *ev, uint8_t *pkt)
{
	uint8_t		 op = take8(c);
	uint16_t	 b;

	ev->type = TFTP_EV_PKT;
	ev->buf = pkt;
	pkt[0] = 0;
	switch (op % 6) {
	case 0:		/* timer, maybe exactly at the deadline */
		ev->type = TFTP_EV_TIMER;
		if (op & 0x80) {
			if (tftp_xfer_deadline(x) != UINT64_MAX &&
			    tftp_xfer_deadline(x) > *now)
				*now = tftp_xfer_deadline(x);
		} else
			*now += take16(c);
		break;
	case 1:		/* ACK of an arbitrary block, maybe with extras */
	case 2:		/* ACK of a plausible block */
		b = take16(c);
		if (op % 6 == 2)
			b = tftp_xfer_wire_block(x, x->acked + b % 80);
		pkt[1] = TFTP_ACK;
		pkt[2] = (uint8_t)(b >> 8);
		pkt[3] = (uint8_t)b;
		pkt[4] = take8(c);
		pkt[5] = take8(c);
		ev->len = 4 + (size_t)(op >> 6);
		break;
	case 3:		/* ERROR */
		pkt[1] = TFTP_ERROR;
		pkt[2] = 0;
		pkt[3] = take8(c);
		pkt[4] = 'x';
		ev->len = 4 + (size_t)(op >> 7);
		break;
	default:	/* junk */
		pkt[0] = take8(c);
		pkt[1] = take8(c);
		pkt[2] = take8(c);
		ev->len = (size_t)(op >> 5);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cur		 c = { data, size, 0 };
	struct tftp_opts	 o;
	struct tftp_xfer	 x;
	struct tftp_act		 acts[NACTS];
	uint8_t			 out[OUTLEN], pkt[8], cfg;
	struct tftp_ev		 ev;
	uint64_t		 now = 0, fsize, dl, last_acked = 0;
	size_t			 nacts;
	int			 n, closed = 0, steps = 0;

	memset(&o, 0, sizeof(o));
	cfg = take8(&c);
	o.blksize = TFTP_BLKSIZE_MIN + take8(&c) % 64;
	o.windowsize = 1 + take8(&c) % 70;
	fsize = take16(&c) * (uint64_t)(1 + take8(&c) % 8);
	if (cfg & 0x10) {
		o.present |= TFTP_OPT_MSFTWINDOW;
		o.msftwindow = TFTP_MSFT_GRANT;
	}
	if (cfg & 0x20) {
		o.present |= TFTP_OPT_TIMEOUT;
		o.timeout = 1 + take8(&c) % 5;
	}
	nacts = TFTP_XFER_ACTS_MIN + (cfg & 0x40 ? take8(&c) % NACTS : 64);
	if (nacts > NACTS)
		nacts = NACTS;
	if (tftp_xfer_init(&x, &o, fsize, cfg & 1, (cfg >> 1) & 1) != 0)
		abort();
	CHECK(tftp_xfer_deadline(&x) == 0);
	while (c.off < c.len && steps++ < 4096) {
		make_event(&c, &x, &now, &ev, pkt);
		dl = tftp_xfer_deadline(&x);
		n = tftp_xfer_step(&x, &ev, now, acts, nacts, out, sizeof(out));
		CHECK(n >= 0 && (size_t)n <= nacts);
		if (closed) {
			CHECK(n == 0);
			continue;
		}
		check_acts(&x, acts, n, out, sizeof(out));
		closed = x.state == TFTP_XS_CLOSED;
		CHECK(closed == (n > 0 && acts[n - 1].type == TFTP_ACT_CLOSE));
		CHECK(x.bytes_acked <= x.size && x.acked <= x.nblocks);
		CHECK(x.acked >= last_acked && x.hi >= x.acked);
		CHECK(x.hi - x.acked <= 65535);
		last_acked = x.acked;
		if (closed) {
			CHECK(tftp_xfer_deadline(&x) == UINT64_MAX);
			continue;
		}
		CHECK(tftp_xfer_deadline(&x) != UINT64_MAX);
		if (ev.type == TFTP_EV_TIMER && now >= dl)
			CHECK(tftp_xfer_deadline(&x) >= now);
		CHECK(x.rto >= TFTP_XFER_RTO_MIN && x.rto <= x.rto_max);
		CHECK(x.rto_cur <= x.rto_max);
	}
	if (x.reason == TFTP_CLOSE_DONE)
		CHECK(x.bytes_acked == x.size);
	return (0);
}
