/*
 * TFTP read-transfer state machine: scripted event lists with a fake
 * clock, and a simulated channel (loss, duplication, reordering, late
 * ACKs, driven by a deterministic PRNG) between the machine and a
 * simulated RFC 7440 client, checking that every byte of a synthetic
 * file (content = f(offset)) arrives exactly once and in order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/tftp.h"
#include "pxeha/tftp_session.h"

#define NACTS		80
#define OUTLEN		1024

static uint8_t
file_byte(uint64_t off)
{
	return ((uint8_t)((off * 2654435761u) >> 13 ^ off));
}

static struct tftp_opts
opts(uint64_t blksize, uint64_t window)
{
	struct tftp_opts	 o;

	memset(&o, 0, sizeof(o));
	o.blksize = blksize;
	o.windowsize = window;
	if (blksize != TFTP_BLKSIZE_DEFAULT)
		o.present |= TFTP_OPT_BLKSIZE;
	if (window != 1)
		o.present |= TFTP_OPT_WINDOWSIZE;
	return (o);
}

/* --- the simulated world ------------------------------------------------ */

struct pkt {
	uint64_t	 at;		/* delivery time */
	uint64_t	 seq;		/* ties go in sending order */
	uint8_t		 hdr[8];	/* ACK/ERROR/OACK head, DATA header */
	size_t		 hlen;
	uint64_t	 off;		/* DATA: file offset */
	size_t		 len;		/* DATA: payload length */
	int		 data;
};

struct sim {
	/* channel */
	uint64_t	 rng;
	unsigned	 loss_pm;	/* per mille, each direction */
	unsigned	 dup_data_pm, dup_ack_pm, late_ack_pm;
	unsigned	 lat, jitter;	/* ms */
	struct pkt	*q;
	size_t		 nq, qcap;
	uint64_t	 seq;
	/* client */
	uint64_t	 window;	/* blocks per ACK */
	uint64_t	 blksize;
	int		 rollover;
	uint64_t	 expect;	/* next 64-bit block wanted */
	uint64_t	 count;		/* in-order blocks since the last ACK */
	uint8_t		*rcv;
	uint64_t	 rcvd;
	int		 done;
	int		 got_oack, got_error;
	/* server */
	struct tftp_xfer x;
	uint64_t	 now;
	uint64_t	 size;
	uint64_t	 data_pkts;	/* DATA datagrams sent */
	int		 closed;
	enum tftp_close	 reason;
	uint64_t	 close_at;
	uint64_t	 max_burst;	/* most actions from one ACK */
};

static uint32_t
rnd(struct sim *s)
{
	/* splitmix64 */
	uint64_t	 z = (s->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return ((uint32_t)((z ^ (z >> 31)) >> 16));
}

static int
chance(struct sim *s, unsigned pm)
{
	return (pm != 0 && rnd(s) % 1000 < pm);
}

static void
enqueue(struct sim *s, const struct pkt *p, int is_ack)
{
	struct pkt	 c = *p;
	int		 copies = 1, i;

	if (chance(s, s->loss_pm))
		return;
	if (chance(s, is_ack ? s->dup_ack_pm : s->dup_data_pm))
		copies = 2;
	for (i = 0; i < copies; i++) {
		c.at = s->now + s->lat + (s->jitter ? rnd(s) % s->jitter : 0);
		if (is_ack && chance(s, s->late_ack_pm))
			c.at += 1500;
		c.seq = s->seq++;
		if (s->nq == s->qcap) {
			s->qcap = s->qcap ? 2 * s->qcap : 256;
			s->q = realloc(s->q, s->qcap * sizeof(*s->q));
			assert_non_null(s->q);
		}
		s->q[s->nq++] = c;
	}
}

static uint16_t
wire_of(const struct sim *s, uint64_t n)
{
	if (n <= 65535)
		return ((uint16_t)n);
	if (s->rollover == 0)
		return ((uint16_t)n);
	return ((uint16_t)((n - 1) % 65535 + 1));
}

static void
client_ack(struct sim *s, uint64_t n)
{
	struct pkt	 p;

	memset(&p, 0, sizeof(p));
	p.hdr[1] = TFTP_ACK;
	p.hdr[2] = (uint8_t)(wire_of(s, n) >> 8);
	p.hdr[3] = (uint8_t)wire_of(s, n);
	p.hlen = 4;
	s->count = 0;
	enqueue(s, &p, 1);
}

/* An RFC 7440 receiver: ACK each window's last block, or at a gap. */
static void
client_data(struct sim *s, const struct pkt *p)
{
	uint16_t	 w = (uint16_t)(p->hdr[2] << 8 | p->hdr[3]);
	uint64_t	 i;

	if (s->done || w != wire_of(s, s->expect)) {
		client_ack(s, s->expect - 1);
		return;
	}
	assert_int_equal(p->off, s->rcvd);
	assert_true(p->len <= s->blksize);
	assert_true(p->off + p->len <= s->size);
	for (i = 0; i < p->len; i++)
		s->rcv[s->rcvd + i] = file_byte(p->off + i);
	s->rcvd += p->len;
	s->expect++;
	s->count++;
	if (p->len < s->blksize) {
		s->done = 1;
		client_ack(s, s->expect - 1);
	} else if (s->count >= s->window)
		client_ack(s, s->expect - 1);
}

static void
client_recv(struct sim *s, const struct pkt *p)
{
	if (p->data) {
		client_data(s, p);
		return;
	}
	if (p->hdr[1] == TFTP_OACK) {
		s->got_oack++;
		if (s->expect == 1)
			client_ack(s, 0);
	} else if (p->hdr[1] == TFTP_ERROR)
		s->got_error++;
}

static void
server_acts(struct sim *s, const struct tftp_act *a, int n,
    const uint8_t *out)
{
	struct pkt	 p;
	int		 i;

	if ((uint64_t)n > s->max_burst)
		s->max_burst = (uint64_t)n;
	for (i = 0; i < n; i++) {
		assert_false(s->closed);
		memset(&p, 0, sizeof(p));
		switch (a[i].type) {
		case TFTP_ACT_SEND:
			p.hlen = a[i].len < sizeof(p.hdr) ? a[i].len :
			    sizeof(p.hdr);
			memcpy(p.hdr, out + a[i].out_off, p.hlen);
			enqueue(s, &p, 0);
			break;
		case TFTP_ACT_SEND_FILE:
			memcpy(p.hdr, out + a[i].out_off, 4);
			assert_int_equal(p.hdr[1], TFTP_DATA);
			p.hlen = 4;
			p.data = 1;
			p.off = a[i].off;
			p.len = a[i].len;
			assert_int_equal(a[i].off % s->blksize, 0);
			assert_true(a[i].off + a[i].len <= s->size);
			s->data_pkts++;
			enqueue(s, &p, 0);
			break;
		case TFTP_ACT_CLOSE:
			assert_int_equal(i, n - 1);
			s->closed = 1;
			s->reason = a[i].reason;
			s->close_at = s->now;
			break;
		}
	}
}

static void
server_step(struct sim *s, const struct tftp_ev *ev)
{
	struct tftp_act	 acts[NACTS];
	uint8_t		 out[OUTLEN];
	int		 n;

	n = tftp_xfer_step(&s->x, ev, s->now, acts, NACTS, out, sizeof(out));
	assert_true(n >= 0);
	server_acts(s, acts, n, out);
}

static void
sim_init(struct sim *s, uint64_t seed, uint64_t size,
    const struct tftp_opts *o, int oack, int rollover)
{
	memset(s, 0, sizeof(*s));
	s->rng = seed;
	s->lat = 5;
	s->size = size;
	s->blksize = o->blksize;
	s->window = o->windowsize;
	s->rollover = (o->present & TFTP_OPT_ROLLOVER) ?
	    (int)o->rollover : rollover;
	s->expect = 1;
	s->rcv = malloc(size + 1);
	assert_non_null(s->rcv);
	assert_int_equal(tftp_xfer_init(&s->x, o, size, oack, rollover), 0);
}

/* Run until the server closes; returns nonzero if it did. */
static int
sim_run(struct sim *s, uint64_t limit)
{
	struct tftp_ev	 ev;
	struct pkt	 p;
	uint64_t	 dl;
	size_t		 i, best;

	while (!s->closed && s->now < limit) {
		dl = tftp_xfer_deadline(&s->x);
		best = s->nq;
		for (i = 0; i < s->nq; i++)
			if (best == s->nq || s->q[i].at < s->q[best].at ||
			    (s->q[i].at == s->q[best].at &&
			    s->q[i].seq < s->q[best].seq))
				best = i;
		if (best == s->nq || dl <= s->q[best].at) {
			assert_true(dl != UINT64_MAX);
			if (dl > s->now)
				s->now = dl;
			ev.type = TFTP_EV_TIMER;
			ev.buf = NULL;
			ev.len = 0;
			server_step(s, &ev);
			continue;
		}
		p = s->q[best];
		s->q[best] = s->q[--s->nq];
		if (p.at > s->now)
			s->now = p.at;
		if (p.data || p.hdr[1] != TFTP_ACK) {
			client_recv(s, &p);
			continue;
		}
		ev.type = TFTP_EV_PKT;
		ev.buf = p.hdr;
		ev.len = p.hlen;
		server_step(s, &ev);
	}
	return (s->closed);
}

static void
sim_check_file(struct sim *s)
{
	uint64_t	 i;

	assert_true(s->closed);
	assert_int_equal(s->reason, TFTP_CLOSE_DONE);
	assert_true(s->done);
	assert_int_equal(s->rcvd, s->size);
	for (i = 0; i < s->size; i++)
		if (s->rcv[i] != file_byte(i))
			fail_msg("byte %llu differs", (unsigned long long)i);
	assert_int_equal(s->x.bytes_acked, s->size);
}

static void
sim_fini(struct sim *s)
{
	free(s->q);
	free(s->rcv);
}

/* One complete transfer through the channel. */
static void
xfer_case(uint64_t seed, uint64_t size, uint64_t blksize, uint64_t window,
    unsigned loss_pm, unsigned dup_pm, unsigned late_pm, unsigned jitter)
{
	struct tftp_opts	 o = opts(blksize, window);
	struct sim		 s;

	sim_init(&s, seed, size, &o, o.present != 0, 0);
	s.loss_pm = loss_pm;
	s.dup_data_pm = s.dup_ack_pm = dup_pm;
	s.late_ack_pm = late_pm;
	s.jitter = jitter;
	s.x.max_retries = 12;	/* 10% loss both ways loses 7 in a row */
	if (!sim_run(&s, 100000000))
		fail_msg("no close: size %llu window %llu",
		    (unsigned long long)size, (unsigned long long)window);
	sim_check_file(&s);
	if (loss_pm == 0 && dup_pm == 0 && late_pm == 0 && jitter == 0)
		{ if (s.x.retransmits) fail_msg("size %llu win %llu rtx %llu", (unsigned long long)size, (unsigned long long)window, (unsigned long long)s.x.retransmits); }
	sim_fini(&s);
}

static const uint64_t windows[] = { 1, 4, 16, 64 };

static void
sizes_for(uint64_t bs, uint64_t *sz)
{
	sz[0] = 0;
	sz[1] = 1;
	sz[2] = bs - 1;
	sz[3] = bs;
	sz[4] = bs + 1;
	sz[5] = bs * 150 + 17;	/* many windows of 64 */
	sz[6] = bs * 128;	/* zero-length final block */
}

static void
matrix(unsigned loss_pm, unsigned dup_pm, unsigned late_pm, unsigned jitter)
{
	uint64_t	 sz[7];
	size_t		 i, w;

	sizes_for(512, sz);
	for (w = 0; w < sizeof(windows) / sizeof(windows[0]); w++)
		for (i = 0; i < 7; i++)
			xfer_case(1000 * w + i + loss_pm, sz[i], 512,
			    windows[w], loss_pm, dup_pm, late_pm, jitter);
}

static void
test_tftp_xfer_clean_all_sizes_and_windows(void **state)
{
	(void)state;
	matrix(0, 0, 0, 0);
}

static void
test_tftp_xfer_loss_1pct(void **state)
{
	(void)state;
	matrix(10, 0, 0, 3);
}

static void
test_tftp_xfer_loss_10pct(void **state)
{
	(void)state;
	matrix(100, 0, 0, 3);
}

static void
test_tftp_xfer_duplicates_and_reordering(void **state)
{
	(void)state;
	matrix(10, 50, 0, 8);
}

static void
test_tftp_xfer_late_acks(void **state)
{
	(void)state;
	matrix(10, 20, 30, 3);
}

static void
test_tftp_xfer_blksize_8_odd_sizes(void **state)
{
	uint64_t	 sz[7];
	size_t		 i;

	(void)state;
	sizes_for(8, sz);
	for (i = 0; i < 7; i++)
		xfer_case(77 + i, sz[i], 8, 4, 50, 20, 0, 3);
}

static void
rollover_case(int mode, uint64_t window, unsigned loss_pm)
{
	struct tftp_opts	 o = opts(8, window);
	struct sim		 s;
	uint64_t		 size = 8 * 140000 + 3;

	sim_init(&s, 99 + (uint64_t)mode, size, &o, 0, mode);
	s.loss_pm = loss_pm;
	s.x.max_retries = 12;
	assert_true(sim_run(&s, 1000000000));
	sim_check_file(&s);
	assert_true(s.x.nblocks > 2 * 65536);
	sim_fini(&s);
}

static void
test_tftp_xfer_rollover_to_0(void **state)
{
	(void)state;
	assert_int_equal(tftp_xfer_wire_block(&(struct tftp_xfer){
	    .rollover = 0 }, 65536), 0);
	rollover_case(0, 16, 0);
	rollover_case(0, 64, 10);
}

static void
test_tftp_xfer_rollover_to_1(void **state)
{
	(void)state;
	assert_int_equal(tftp_xfer_wire_block(&(struct tftp_xfer){
	    .rollover = 1 }, 65536), 1);
	rollover_case(1, 16, 0);
	rollover_case(1, 64, 10);
}

static void
test_tftp_xfer_rollover_option_overrides(void **state)
{
	struct tftp_opts	 o = opts(8, 16);
	struct sim		 s;

	(void)state;
	o.present |= TFTP_OPT_ROLLOVER;
	o.rollover = 1;
	sim_init(&s, 5, 8 * 70000, &o, 1, 0);
	assert_int_equal(s.x.rollover, 1);
	assert_true(sim_run(&s, 1000000000));
	sim_check_file(&s);
	sim_fini(&s);
}

/* --- scripted event lists ------------------------------------------------ */

struct script {
	struct tftp_xfer x;
	struct tftp_act	 a[NACTS];
	uint8_t		 out[OUTLEN];
	int		 n;
};

static int
step_timer(struct script *t, uint64_t now)
{
	struct tftp_ev	 ev = { TFTP_EV_TIMER, NULL, 0 };

	t->n = tftp_xfer_step(&t->x, &ev, now, t->a, NACTS, t->out,
	    sizeof(t->out));
	return (t->n);
}

static int
step_pkt(struct script *t, uint64_t now, const uint8_t *b, size_t len)
{
	struct tftp_ev	 ev = { TFTP_EV_PKT, b, len };

	t->n = tftp_xfer_step(&t->x, &ev, now, t->a, NACTS, t->out,
	    sizeof(t->out));
	return (t->n);
}

static int
step_ack(struct script *t, uint64_t now, uint16_t blk)
{
	uint8_t	 b[4] = { 0, TFTP_ACK, (uint8_t)(blk >> 8), (uint8_t)blk };

	return (step_pkt(t, now, b, sizeof(b)));
}

/*
 * A client that ACKs every block although it asked for a window: each
 * ACK is "inside the window".  Going back on every one of them would
 * resend the rest of the window per ACK (about 15 x the file here); at
 * most once per round trip it stays under one extra copy.
 */
static void
test_tftp_xfer_per_block_acks_no_storm(void **state)
{
	struct tftp_opts	 o = opts(512, 16);
	struct sim		 s;
	uint64_t		 nb = 2000;

	(void)state;
	sim_init(&s, 77, 512 * nb + 100, &o, 1, 0);
	s.window = 1;		/* the client ACKs each block */
	assert_true(sim_run(&s, 100000000));
	sim_check_file(&s);
	print_message("per-block ACKs: %llu DATA for %llu blocks, %llu "
	    "retransmits, %llu go-backs\n", (unsigned long long)s.data_pkts,
	    (unsigned long long)s.x.nblocks,
	    (unsigned long long)s.x.retransmits,
	    (unsigned long long)s.x.gobacks);
	assert_true(s.x.retransmits < s.x.nblocks);
	assert_true(s.x.gobacks < s.x.nblocks / 8);
	sim_fini(&s);
}

static void
test_tftp_xfer_retry_exhaustion(void **state)
{
	struct tftp_opts	 o = opts(512, 4);
	struct script		 t;
	uint64_t		 at;
	uint16_t		 code;
	const uint8_t		*msg;
	size_t			 ml;
	int			 i;

	(void)state;
	o.present = 0;	/* no OACK */
	assert_int_equal(tftp_xfer_init(&t.x, &o, 10000, 0, 0), 0);
	assert_int_equal(tftp_xfer_deadline(&t.x), 0);
	assert_int_equal(step_timer(&t, 0), 4);
	at = tftp_xfer_deadline(&t.x);
	assert_int_equal(at, 1000);
	assert_int_equal(step_timer(&t, 999), 0);	/* early */
	/* Retries alone do not end it: also GIVEUP_MS without progress. */
	for (i = 1; i < TFTP_XFER_GIVEUP_MS / 1000; i++) {
		at = tftp_xfer_deadline(&t.x);
		assert_int_equal(at, 1000 * (uint64_t)i);
		assert_int_equal(step_timer(&t, at), 4);
		assert_int_equal(t.a[0].block, 1);
	}
	assert_int_equal(tftp_xfer_deadline(&t.x), TFTP_XFER_GIVEUP_MS);
	assert_int_equal(step_timer(&t, TFTP_XFER_GIVEUP_MS), 2);
	assert_int_equal(t.a[0].type, TFTP_ACT_SEND);
	assert_int_equal(tftp_parse_error(t.out + t.a[0].out_off, t.a[0].len,
	    &code, &msg, &ml), 0);
	assert_int_equal(ml, 7);
	assert_memory_equal(msg, "timeout", 7);
	assert_int_equal(t.a[1].type, TFTP_ACT_CLOSE);
	assert_int_equal(t.a[1].reason, TFTP_CLOSE_TIMEOUT);
	assert_int_equal(tftp_xfer_deadline(&t.x), UINT64_MAX);
	assert_int_equal(step_timer(&t, TFTP_XFER_GIVEUP_MS + 2000), 0);
	assert_int_equal(step_ack(&t, TFTP_XFER_GIVEUP_MS + 2000, 4), 0);
	assert_int_equal(t.x.timeouts, TFTP_XFER_GIVEUP_MS / 1000);
	assert_int_equal(t.x.retransmits,
	    4 * (TFTP_XFER_GIVEUP_MS / 1000 - 1));
}

/*
 * With a timer of a few ms (fast link), 6 timeouts pass in well under a
 * second; the transfer must survive a longer client pause and resume.
 */
static void
test_tftp_xfer_short_rto_survives_a_pause(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;
	uint64_t		 now = 0, at;
	int			 n = 0;

	(void)state;
	o.present = 0;
	assert_int_equal(tftp_xfer_init(&t.x, &o, 100000, 0, 0), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	/* A few quick round trips bring the timer down to its floor. */
	for (n = 1; n <= 20; n++) {
		now += 1;
		assert_int_equal(step_ack(&t, now, (uint16_t)n), 1);
	}
	assert_int_equal(t.x.rto, TFTP_XFER_RTO_MIN);
	/* The client goes quiet for 3 s: many timeouts, no give-up. */
	while ((at = tftp_xfer_deadline(&t.x)) < now + 3000) {
		assert_true(step_timer(&t, at) >= 1);
		assert_int_equal(t.a[0].type, TFTP_ACT_SEND_FILE);
		assert_int_equal(t.a[0].block, 21);
	}
	assert_true(t.x.timeouts > TFTP_XFER_RETRIES);
	assert_int_not_equal(t.x.state, TFTP_XS_CLOSED);
	assert_int_equal(step_ack(&t, now + 3000, 21), 1);
	assert_int_equal(t.a[0].block, 22);
	assert_int_equal(t.x.retries, 0);
}

static void
test_tftp_xfer_backoff_to_negotiated_timeout(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;
	uint64_t		 want[] = { 1000, 3000, 6000, 9000, 12000 };
	size_t			 i;

	(void)state;
	o.present |= TFTP_OPT_TIMEOUT;
	o.timeout = 3;
	assert_int_equal(tftp_xfer_init(&t.x, &o, 100, 0, 0), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(tftp_xfer_deadline(&t.x), want[i]);
		assert_int_equal(step_timer(&t, want[i]), 1);
	}
}

static void
test_tftp_xfer_rtt_shrinks_timer(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;
	uint64_t		 now = 0;
	uint16_t		 b;

	(void)state;
	assert_int_equal(tftp_xfer_init(&t.x, &o, 512 * 20, 0, 0), 0);
	assert_int_equal(step_timer(&t, now), 1);
	for (b = 1; b <= 10; b++) {
		now += 2;
		assert_int_equal(step_ack(&t, now, b), 1);
	}
	assert_true(tftp_xfer_deadline(&t.x) - now >= TFTP_XFER_RTO_MIN);
	assert_true(tftp_xfer_deadline(&t.x) - now <= 20);
}

static void
test_tftp_xfer_dup_ack_no_burst(void **state)
{
	struct tftp_opts	 o = opts(512, 16);
	struct script		 t;
	int			 i;

	(void)state;
	assert_int_equal(tftp_xfer_init(&t.x, &o, 512 * 100, 0, 0), 0);
	assert_int_equal(step_timer(&t, 0), 16);
	assert_int_equal(step_ack(&t, 10, 16), 16);
	assert_int_equal(t.a[0].block, 17);
	for (i = 0; i < 50; i++) {
		assert_int_equal(step_ack(&t, 11 + (uint64_t)i, 16), 0);
		assert_int_equal(step_ack(&t, 11 + (uint64_t)i, 3), 0);
	}
	assert_int_equal(t.x.retransmits, 0);
	assert_int_equal(t.x.dup_acks, 50);
	assert_int_equal(t.x.stale_acks, 50);
	/* A future ACK (block not yet sent) is ignored too. */
	assert_int_equal(step_ack(&t, 70, 40), 0);
	/* Partial ACK: slide and resend from acked + 1. */
	assert_int_equal(step_ack(&t, 80, 20), 16);
	assert_int_equal(t.a[0].block, 21);
	assert_int_equal(t.x.retransmits, 12);
}

static void
test_tftp_xfer_oack_then_ack0(void **state)
{
	struct tftp_opts	 o = opts(1024, 4), got;
	struct script		 t;

	(void)state;
	o.present |= TFTP_OPT_TSIZE;
	o.tsize = 3000;
	assert_int_equal(tftp_xfer_init(&t.x, &o, 3000, 1, 0), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	assert_int_equal(t.a[0].type, TFTP_ACT_SEND);
	assert_int_equal(tftp_parse_oack(t.out + t.a[0].out_off, t.a[0].len,
	    &got), 0);
	assert_int_equal(got.blksize, 1024);
	assert_int_equal(got.tsize, 3000);
	/* A stray ACK 1 before ACK 0 does not start the data. */
	assert_int_equal(step_ack(&t, 3, 1), 0);
	/* OACK lost: resent on the timer. */
	assert_int_equal(step_timer(&t, 1000), 1);
	assert_int_equal(t.a[0].type, TFTP_ACT_SEND);
	assert_int_equal(step_ack(&t, 1010, 0), 3);
	assert_int_equal(t.a[0].block, 1);
	assert_int_equal(t.a[2].len, 3000 - 2048);
	assert_int_equal(step_ack(&t, 1020, 0), 0);	/* duplicate ACK 0 */
	assert_int_equal(step_ack(&t, 1030, 3), 1);
	assert_int_equal(t.a[0].type, TFTP_ACT_CLOSE);
	assert_int_equal(t.a[0].reason, TFTP_CLOSE_DONE);
}

static void
test_tftp_xfer_oack_then_error(void **state)
{
	static const uint8_t	 err[] = "\0\5\0\10tsize probe";
	struct tftp_opts	 o = opts(1432, 1);
	struct script		 t;

	(void)state;
	assert_int_equal(tftp_xfer_init(&t.x, &o, 1 << 20, 1, 0), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	assert_int_equal(step_pkt(&t, 5, err, sizeof(err)), 1);
	assert_int_equal(t.a[0].type, TFTP_ACT_CLOSE);
	assert_int_equal(t.a[0].reason, TFTP_CLOSE_OACK_ERROR);
	assert_int_equal(t.x.peer_code, 8);
	assert_int_equal(t.x.bytes_sent, 0);
	assert_int_equal(tftp_xfer_deadline(&t.x), UINT64_MAX);
}

static void
test_tftp_xfer_error_and_junk_during_data(void **state)
{
	static const uint8_t	 err[] = "\0\5\0\0stop";
	static const uint8_t	 junk[] = "\0\3\0\1xx";
	struct tftp_opts	 o = opts(512, 2);
	struct script		 t;

	(void)state;
	assert_int_equal(tftp_xfer_init(&t.x, &o, 5000, 0, 0), 0);
	assert_int_equal(step_timer(&t, 0), 2);
	assert_int_equal(step_pkt(&t, 1, junk, sizeof(junk)), 0);
	assert_int_equal(step_pkt(&t, 1, junk, 1), 0);
	assert_int_equal(t.x.ignored, 2);
	assert_int_equal(step_pkt(&t, 2, err, sizeof(err)), 1);
	assert_int_equal(t.a[0].reason, TFTP_CLOSE_PEER_ERROR);
}

static void
test_tftp_xfer_small_action_space(void **state)
{
	struct tftp_opts	 o = opts(512, 64);
	struct tftp_ev		 ev = { TFTP_EV_TIMER, NULL, 0 };
	struct tftp_xfer	 x;
	struct tftp_act		 a[5];
	uint8_t			 out[TFTP_XFER_OUT_MIN];
	uint64_t		 next = 1;
	int			 n, i, steps = 0;

	(void)state;
	assert_int_equal(tftp_xfer_init(&x, &o, 512 * 200, 0, 0), 0);
	assert_int_equal(tftp_xfer_step(&x, &ev, 0, a, 1, out, sizeof(out)),
	    -TFTP_E_SPACE);
	assert_int_equal(tftp_xfer_step(&x, &ev, 0, a, 5, out, 10),
	    -TFTP_E_SPACE);
	while (next <= 64) {
		assert_int_equal(tftp_xfer_deadline(&x), 0);
		n = tftp_xfer_step(&x, &ev, 0, a, 5, out, sizeof(out));
		assert_true(n > 0);
		for (i = 0; i < n; i++)
			assert_int_equal(a[i].block, next++);
		steps++;
	}
	assert_int_equal(steps, 13);
	assert_int_equal(tftp_xfer_deadline(&x), 1000);
	assert_int_equal(x.timeouts, 0);
}

static void
test_tftp_xfer_msftwindow_byte(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;
	uint8_t			 ack[5] = { 0, TFTP_ACK, 0, 1, 8 };

	(void)state;
	o.present |= TFTP_OPT_MSFTWINDOW;
	o.msftwindow = TFTP_MSFT_GRANT;
	assert_int_equal(tftp_xfer_init(&t.x, &o, 512 * 100, 0, 0), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	assert_int_equal(step_pkt(&t, 5, ack, sizeof(ack)), 8);
	assert_int_equal(t.a[7].block, 9);
	ack[3] = 9;
	ack[4] = 0;	/* 0: keep the window */
	assert_int_equal(step_pkt(&t, 9, ack, sizeof(ack)), 8);
	/* The byte is capped by window_max (the config's max_window). */
	t.x.window_max = 5;
	ack[3] = 17;
	ack[4] = 200;
	assert_int_equal(step_pkt(&t, 12, ack, sizeof(ack)), 5);
}

/* With an OACK, the byte on ACK 0 sets the first window. */
static void
test_tftp_xfer_msftwindow_byte_on_ack0(void **state)
{
	struct tftp_opts	 o = opts(1400, 1);
	struct script		 t;
	uint8_t			 ack[5] = { 0, TFTP_ACK, 0, 0, 8 };

	(void)state;
	o.present = TFTP_OPT_BLKSIZE | TFTP_OPT_MSFTWINDOW;
	o.msftwindow = TFTP_MSFT_GRANT;
	assert_int_equal(tftp_xfer_init(&t.x, &o, 100000, 1, 0), 0);
	assert_int_equal(step_timer(&t, 0), 1);	/* the OACK */
	assert_int_equal(t.a[0].type, TFTP_ACT_SEND);
	assert_int_equal(step_pkt(&t, 3, ack, sizeof(ack)), 8);
	assert_int_equal(t.a[0].block, 1);
	assert_int_equal(t.a[7].block, 8);
}

static void
test_tftp_xfer_init_rejects_bad_options(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct tftp_xfer	 x;

	(void)state;
	o.blksize = 7;
	assert_int_equal(tftp_xfer_init(&x, &o, 1, 0, 0), -TFTP_E_RANGE);
	o = opts(512, 0);
	assert_int_equal(tftp_xfer_init(&x, &o, 1, 0, 0), -TFTP_E_RANGE);
	o = opts(512, 1);
	assert_int_equal(tftp_xfer_init(&x, &o, 1, 0, 2), -TFTP_E_RANGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tftp_xfer_clean_all_sizes_and_windows),
		cmocka_unit_test(test_tftp_xfer_loss_1pct),
		cmocka_unit_test(test_tftp_xfer_loss_10pct),
		cmocka_unit_test(test_tftp_xfer_duplicates_and_reordering),
		cmocka_unit_test(test_tftp_xfer_late_acks),
		cmocka_unit_test(test_tftp_xfer_blksize_8_odd_sizes),
		cmocka_unit_test(test_tftp_xfer_rollover_to_0),
		cmocka_unit_test(test_tftp_xfer_rollover_to_1),
		cmocka_unit_test(test_tftp_xfer_rollover_option_overrides),
		cmocka_unit_test(test_tftp_xfer_retry_exhaustion),
		cmocka_unit_test(test_tftp_xfer_short_rto_survives_a_pause),
		cmocka_unit_test(test_tftp_xfer_per_block_acks_no_storm),
		cmocka_unit_test(test_tftp_xfer_backoff_to_negotiated_timeout),
		cmocka_unit_test(test_tftp_xfer_rtt_shrinks_timer),
		cmocka_unit_test(test_tftp_xfer_dup_ack_no_burst),
		cmocka_unit_test(test_tftp_xfer_oack_then_ack0),
		cmocka_unit_test(test_tftp_xfer_oack_then_error),
		cmocka_unit_test(test_tftp_xfer_error_and_junk_during_data),
		cmocka_unit_test(test_tftp_xfer_small_action_space),
		cmocka_unit_test(test_tftp_xfer_msftwindow_byte),
		cmocka_unit_test(test_tftp_xfer_msftwindow_byte_on_ack0),
		cmocka_unit_test(test_tftp_xfer_init_rejects_bad_options),
	};

	return (cmocka_run_group_tests_name("tftp_session", tests, NULL,
	    NULL));
}
