/*
 * TFTP write-transfer (WRQ) state machine: a simulated channel (loss,
 * duplication, reordering by jitter, driven by a deterministic PRNG)
 * between the receive machine as server and the RRQ sender from
 * session.c as the uploading client, checking that the written bytes
 * are exactly the sent file (content = f(offset)), in order, once; then
 * scripted event lists with a fake clock for each rule of the machine.
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
#include "pxeha/tftp_recv.h"

#define NACTS		80
#define OUTLEN		1024
#define MAXBLK		1468

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
	uint64_t	 at, seq;
	int		 to_server;
	uint8_t		 hdr[8];	/* ACK/ERROR/OACK head, DATA header */
	size_t		 hlen;
	int		 data;
	uint64_t	 off;		/* DATA: file offset */
	size_t		 len;		/* DATA: payload length */
};

struct sim {
	uint64_t	 rng;
	unsigned	 loss_pm, dup_pm, jitter, lat;
	struct pkt	*q;
	size_t		 nq, qcap;
	uint64_t	 seq, now, size;
	struct tftp_opts o;
	/* client: the RRQ sender, started by the server's ACK 0/OACK */
	struct tftp_xfer x;
	int		 started, c_closed;
	enum tftp_close	 c_reason;
	/* server */
	struct tftp_recv r;
	int		 s_closed, completes;
	enum tftp_recv_close s_reason;
	uint8_t		*rcv;
	uint64_t	 written;
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
enqueue(struct sim *s, const struct pkt *p)
{
	struct pkt	 c = *p;
	int		 copies = 1, i;

	if (chance(s, s->loss_pm))
		return;
	if (chance(s, s->dup_pm))
		copies = 2;
	for (i = 0; i < copies; i++) {
		c.at = s->now + s->lat + (s->jitter ? rnd(s) % s->jitter : 0);
		c.seq = s->seq++;
		if (s->nq == s->qcap) {
			s->qcap = s->qcap ? 2 * s->qcap : 256;
			s->q = realloc(s->q, s->qcap * sizeof(*s->q));
			assert_non_null(s->q);
		}
		s->q[s->nq++] = c;
	}
}

static void
server_acts(struct sim *s, const struct tftp_recv_act *a, int n,
    const uint8_t *out, const uint8_t *evbuf, size_t evlen)
{
	struct pkt	 p;
	int		 i;

	for (i = 0; i < n; i++) {
		assert_false(s->s_closed);
		memset(&p, 0, sizeof(p));
		switch (a[i].type) {
		case TFTP_RACT_SEND:
			p.hlen = a[i].len < sizeof(p.hdr) ? a[i].len :
			    sizeof(p.hdr);
			memcpy(p.hdr, out + a[i].out_off, p.hlen);
			enqueue(s, &p);
			break;
		case TFTP_RACT_WRITE:
			/* Contiguous, inside the file, from the event. */
			assert_int_equal(a[i].off, s->written);
			assert_true(a[i].len > 0 && a[i].len <= s->r.blksize);
			assert_true(a[i].off + a[i].len <= s->size);
			assert_non_null(evbuf);
			assert_true(a[i].buf_off + a[i].len <= evlen);
			assert_int_equal(a[i].off, (a[i].block - 1) *
			    s->r.blksize);
			memcpy(s->rcv + a[i].off, evbuf + a[i].buf_off,
			    a[i].len);
			s->written += a[i].len;
			break;
		case TFTP_RACT_COMPLETE:
			assert_int_equal(s->completes, 0);
			s->completes++;
			break;
		case TFTP_RACT_CLOSE:
			assert_int_equal(i, n - 1);
			s->s_closed = 1;
			s->s_reason = a[i].reason;
			break;
		}
	}
}

static void
server_step(struct sim *s, const struct tftp_ev *ev)
{
	struct tftp_recv_act	 acts[NACTS];
	uint8_t			 out[OUTLEN];
	int			 n;

	n = tftp_recv_step(&s->r, ev, s->now, acts, NACTS, out, sizeof(out));
	assert_true(n >= 0 && n <= TFTP_RECV_ACTS_MIN);
	server_acts(s, acts, n, out, ev->buf, ev->len);
}

static void
client_step(struct sim *s, const struct tftp_ev *ev)
{
	struct tftp_act	 a[NACTS];
	uint8_t		 out[OUTLEN];
	struct pkt	 p;
	int		 n, i;

	n = tftp_xfer_step(&s->x, ev, s->now, a, NACTS, out, sizeof(out));
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		memset(&p, 0, sizeof(p));
		p.to_server = 1;
		switch (a[i].type) {
		case TFTP_ACT_SEND:
			p.hlen = a[i].len < sizeof(p.hdr) ? a[i].len :
			    sizeof(p.hdr);
			memcpy(p.hdr, out + a[i].out_off, p.hlen);
			enqueue(s, &p);
			break;
		case TFTP_ACT_SEND_FILE:
			memcpy(p.hdr, out + a[i].out_off, 4);
			p.hlen = 4;
			p.data = 1;
			p.off = a[i].off;
			p.len = a[i].len;
			enqueue(s, &p);
			break;
		case TFTP_ACT_CLOSE:
			s->c_closed = 1;
			s->c_reason = a[i].reason;
			break;
		}
	}
}

static void
deliver_server(struct sim *s, const struct pkt *p)
{
	static uint8_t	 buf[4 + TFTP_BLKSIZE_MAX];
	struct tftp_ev	 ev;
	size_t		 i;

	memcpy(buf, p->hdr, p->hlen);
	for (i = 0; p->data && i < p->len; i++)
		buf[4 + i] = file_byte(p->off + i);
	ev.type = TFTP_EV_PKT;
	ev.buf = buf;
	ev.len = p->data ? 4 + p->len : p->hlen;
	if (!s->s_closed)
		server_step(s, &ev);
}

static void
deliver_client(struct sim *s, const struct pkt *p)
{
	struct tftp_ev	 ev = { TFTP_EV_PKT, p->hdr, p->hlen };

	if (s->c_closed)
		return;
	if (!s->started) {
		/* The WRQ's answer: ACK 0 or OACK starts the upload. */
		if (p->hdr[1] == TFTP_ERROR) {
			s->c_closed = 1;
			s->c_reason = TFTP_CLOSE_PEER_ERROR;
			return;
		}
		assert_true(p->hdr[1] == TFTP_OACK || (p->hdr[1] == TFTP_ACK &&
		    p->hdr[2] == 0 && p->hdr[3] == 0));
		assert_int_equal(p->hdr[1] == TFTP_OACK, s->r.oack);
		s->started = 1;
		assert_int_equal(tftp_xfer_init(&s->x, &s->o, s->size, 0,
		    s->r.rollover), 0);
		s->x.max_retries = 12;
		return;
	}
	if (p->hdr[1] == TFTP_OACK)
		return;		/* a resent OACK: already started */
	client_step(s, &ev);
}

static void
sim_init(struct sim *s, uint64_t seed, uint64_t size,
    const struct tftp_opts *o, int oack, int rollover)
{
	memset(s, 0, sizeof(*s));
	s->rng = seed;
	s->lat = 5;
	s->size = size;
	s->o = *o;
	s->rcv = malloc(size + 1);
	assert_non_null(s->rcv);
	assert_int_equal(tftp_recv_init(&s->r, o, oack, rollover, size), 0);
	s->r.max_retries = 12;
}

static uint64_t
client_deadline(const struct sim *s)
{
	if (!s->started || s->c_closed)
		return (UINT64_MAX);
	return (tftp_xfer_deadline(&s->x));
}

/* Run until both ends are done or the time limit passes. */
static void
sim_run(struct sim *s, uint64_t limit)
{
	struct tftp_ev	 tmr = { TFTP_EV_TIMER, NULL, 0 };
	struct pkt	 p;
	uint64_t	 sd, cd, at;
	size_t		 i, best;

	while (s->now < limit) {
		sd = s->s_closed ? UINT64_MAX : tftp_recv_deadline(&s->r);
		cd = client_deadline(s);
		best = s->nq;
		for (i = 0; i < s->nq; i++)
			if (best == s->nq || s->q[i].at < s->q[best].at ||
			    (s->q[i].at == s->q[best].at &&
			    s->q[i].seq < s->q[best].seq))
				best = i;
		at = best == s->nq ? UINT64_MAX : s->q[best].at;
		if (sd == UINT64_MAX && cd == UINT64_MAX && at == UINT64_MAX)
			break;
		if (sd <= cd && sd <= at) {
			if (sd > s->now)
				s->now = sd;
			server_step(s, &tmr);
		} else if (cd <= at) {
			if (cd > s->now)
				s->now = cd;
			client_step(s, &tmr);
		} else {
			p = s->q[best];
			s->q[best] = s->q[--s->nq];
			if (p.at > s->now)
				s->now = p.at;
			if (p.to_server)
				deliver_server(s, &p);
			else
				deliver_client(s, &p);
		}
	}
}

static void
sim_check_file(struct sim *s)
{
	uint64_t	 i;

	assert_true(s->s_closed);
	assert_int_equal(s->s_reason, TFTP_RCLOSE_DONE);
	assert_int_equal(s->completes, 1);
	assert_int_equal(s->written, s->size);
	assert_int_equal(s->r.bytes_written, s->size);
	for (i = 0; i < s->size; i++)
		if (s->rcv[i] != file_byte(i))
			fail_msg("byte %llu differs", (unsigned long long)i);
}

static void
sim_fini(struct sim *s)
{
	free(s->q);
	free(s->rcv);
}

static void
xfer_case(uint64_t seed, uint64_t size, uint64_t blksize, uint64_t window,
    unsigned loss_pm, unsigned dup_pm, unsigned jitter)
{
	struct tftp_opts	 o = opts(blksize, window);
	struct sim		 s;

	sim_init(&s, seed, size, &o, o.present != 0, 0);
	s.loss_pm = loss_pm;
	s.dup_pm = dup_pm;
	s.jitter = jitter;
	sim_run(&s, 100000000);
	sim_check_file(&s);
	/* Lingering lets the client hear the final ACK despite loss. */
	assert_true(s.c_closed);
	assert_int_equal(s.c_reason, TFTP_CLOSE_DONE);
	if (loss_pm == 0 && dup_pm == 0 && jitter == 0) {
		assert_int_equal(s.x.retransmits, 0);
		assert_int_equal(s.r.resent, 0);
		assert_int_equal(s.r.timeouts, 0);
		/* ACK 0, one per window of full blocks, the last one. */
		assert_int_equal(s.r.acks_sent, 1 + (s.r.blocks - 1) / window +
		    1);
	}
	sim_fini(&s);
}

static const uint64_t windows[] = { 1, 4, 16, 64 };

static void
matrix(uint64_t bs, unsigned loss_pm, unsigned dup_pm, unsigned jitter)
{
	uint64_t	 sz[7];
	size_t		 i, w;

	sz[0] = 0;
	sz[1] = 1;
	sz[2] = bs - 1;
	sz[3] = bs;
	sz[4] = bs + 1;
	sz[5] = bs * 150 + 17;	/* many windows of 64 */
	sz[6] = bs * 128;	/* zero-length final block */
	for (w = 0; w < sizeof(windows) / sizeof(windows[0]); w++)
		for (i = 0; i < 7; i++)
			xfer_case(1000 * w + i + loss_pm + bs, sz[i], bs,
			    windows[w], loss_pm, dup_pm, jitter);
}

static void
test_tftp_recv_clean_all_sizes_and_windows(void **state)
{
	(void)state;
	matrix(512, 0, 0, 0);
	matrix(MAXBLK, 0, 0, 0);
}

static void
test_tftp_recv_loss_1pct(void **state)
{
	(void)state;
	matrix(512, 10, 0, 3);
}

static void
test_tftp_recv_loss_10pct(void **state)
{
	(void)state;
	matrix(512, 100, 0, 3);
}

static void
test_tftp_recv_duplicates_and_reordering(void **state)
{
	(void)state;
	matrix(512, 10, 50, 12);
	matrix(8, 30, 100, 20);
}

static void
rollover_case(int mode, uint64_t window, unsigned loss_pm)
{
	struct tftp_opts	 o = opts(8, window);
	struct sim		 s;

	sim_init(&s, 99 + (uint64_t)mode + loss_pm, 8 * 140000 + 3, &o, 0,
	    mode);
	/*
	 * Loss only: with jitter a window of 64 arrives shuffled, and a
	 * receiver that keeps no block out of order makes the sender go
	 * back for every swap (go-back-N).  Correct, but 140000 blocks of
	 * it only cost test time; the matrix covers reordering.
	 */
	s.loss_pm = loss_pm;
	sim_run(&s, 1000000000);
	sim_check_file(&s);
	assert_true(s.r.blocks > 2 * 65536);
	assert_int_equal(s.c_reason, TFTP_CLOSE_DONE);
	sim_fini(&s);
}

static void
test_tftp_recv_rollover_to_0(void **state)
{
	(void)state;
	assert_int_equal(tftp_recv_wire_block(&(struct tftp_recv){
	    .rollover = 0 }, 65536), 0);
	rollover_case(0, 16, 0);
	rollover_case(0, 64, 10);
}

static void
test_tftp_recv_rollover_to_1(void **state)
{
	(void)state;
	assert_int_equal(tftp_recv_wire_block(&(struct tftp_recv){
	    .rollover = 1 }, 65536), 1);
	assert_int_equal(tftp_recv_wire_block(&(struct tftp_recv){
	    .rollover = 1 }, 65535), 65535);
	rollover_case(1, 16, 0);
	rollover_case(1, 1, 10);
}

static void
test_tftp_recv_no_linger_client_may_miss_last_ack(void **state)
{
	struct tftp_opts	 o = opts(512, 4);
	struct sim		 s;
	int			 seed, client_timeouts = 0;

	(void)state;
	/* Without lingering the file is still whole every time. */
	for (seed = 0; seed < 40; seed++) {
		sim_init(&s, (uint64_t)seed, 512 * 9 + 5, &o, 1, 0);
		s.r.linger = 0;
		s.loss_pm = 150;
		sim_run(&s, 100000000);
		sim_check_file(&s);
		if (s.c_reason == TFTP_CLOSE_TIMEOUT)
			client_timeouts++;
		sim_fini(&s);
	}
	/* ... though with 15% loss some clients never hear it. */
	assert_true(client_timeouts > 0);
}

/* --- scripted event lists ------------------------------------------------ */

struct script {
	struct tftp_recv	 r;
	struct tftp_recv_act	 a[NACTS];
	uint8_t			 out[OUTLEN];
	uint8_t			 pkt[4 + TFTP_BLKSIZE_MAX];
	int			 n;
};

static int
step_timer(struct script *t, uint64_t now)
{
	struct tftp_ev	 ev = { TFTP_EV_TIMER, NULL, 0 };

	t->n = tftp_recv_step(&t->r, &ev, now, t->a, NACTS, t->out,
	    sizeof(t->out));
	return (t->n);
}

static int
step_pkt(struct script *t, uint64_t now, const uint8_t *b, size_t len)
{
	struct tftp_ev	 ev = { TFTP_EV_PKT, b, len };

	t->n = tftp_recv_step(&t->r, &ev, now, t->a, NACTS, t->out,
	    sizeof(t->out));
	return (t->n);
}

/* DATA with wire block blk and len payload bytes of f(off). */
static int
step_data(struct script *t, uint64_t now, uint16_t blk, size_t len,
    uint64_t off)
{
	size_t	 i;

	t->pkt[0] = 0;
	t->pkt[1] = TFTP_DATA;
	t->pkt[2] = (uint8_t)(blk >> 8);
	t->pkt[3] = (uint8_t)blk;
	for (i = 0; i < len; i++)
		t->pkt[4 + i] = file_byte(off + i);
	return (step_pkt(t, now, t->pkt, 4 + len));
}

/* Action i is a SEND of ACK blk. */
static void
is_ack(const struct script *t, int i, uint16_t blk)
{
	uint16_t	 got;
	uint8_t		 nw;

	assert_true(i < t->n);
	assert_int_equal(t->a[i].type, TFTP_RACT_SEND);
	assert_int_equal(t->a[i].len, 4);
	assert_int_equal(tftp_parse_ack(t->out + t->a[i].out_off, t->a[i].len,
	    &got, &nw), 0);
	assert_int_equal(got, blk);
}

/* Action i is a SEND of ERROR code; returns nothing, checks msg. */
static void
is_error(const struct script *t, int i, uint16_t code, const char *msg)
{
	uint16_t	 got;
	const uint8_t	*m;
	size_t		 ml;

	assert_true(i < t->n);
	assert_int_equal(t->a[i].type, TFTP_RACT_SEND);
	assert_int_equal(tftp_parse_error(t->out + t->a[i].out_off,
	    t->a[i].len, &got, &m, &ml), 0);
	assert_int_equal(got, code);
	assert_int_equal(ml, strlen(msg));
	assert_memory_equal(m, msg, ml);
}

static void
is_close(const struct script *t, int i, enum tftp_recv_close why)
{
	assert_int_equal(t->n, i + 1);
	assert_int_equal(t->a[i].type, TFTP_RACT_CLOSE);
	assert_int_equal(t->a[i].reason, why);
	assert_int_equal(t->r.state, TFTP_RS_CLOSED);
	assert_int_equal(tftp_recv_deadline(&t->r), UINT64_MAX);
}

static void
test_tftp_recv_lockstep_no_oack(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 1, 0, UINT64_MAX), 0);
	assert_int_equal(t.r.oack, 0);	/* nothing granted: no OACK */
	t.r.linger = 0;
	assert_int_equal(tftp_recv_deadline(&t.r), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	is_ack(&t, 0, 0);
	assert_int_equal(tftp_recv_deadline(&t.r), 1000);
	assert_int_equal(step_data(&t, 10, 1, 512, 0), 2);
	assert_int_equal(t.a[0].type, TFTP_RACT_WRITE);
	assert_int_equal(t.a[0].off, 0);
	assert_int_equal(t.a[0].len, 512);
	assert_int_equal(t.a[0].buf_off, 4);
	assert_int_equal(t.a[0].block, 1);
	is_ack(&t, 1, 1);
	assert_int_equal(tftp_recv_deadline(&t.r), 1010);
	assert_int_equal(step_data(&t, 20, 2, 100, 512), 4);
	assert_int_equal(t.a[0].type, TFTP_RACT_WRITE);
	assert_int_equal(t.a[0].off, 512);
	assert_int_equal(t.a[0].len, 100);
	assert_int_equal(t.a[1].type, TFTP_RACT_COMPLETE);
	is_ack(&t, 2, 2);
	is_close(&t, 3, TFTP_RCLOSE_DONE);
	assert_int_equal(t.r.bytes_written, 612);
	assert_int_equal(step_data(&t, 30, 2, 100, 512), 0);
	assert_int_equal(step_timer(&t, 99999), 0);
}

static void
test_tftp_recv_empty_file(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, 0), 0);
	t.r.linger = 0;
	assert_int_equal(step_timer(&t, 0), 1);
	/* No zero-length WRITE. */
	assert_int_equal(step_data(&t, 1, 1, 0, 0), 3);
	assert_int_equal(t.a[0].type, TFTP_RACT_COMPLETE);
	is_ack(&t, 1, 1);
	is_close(&t, 2, TFTP_RCLOSE_DONE);
}

static void
test_tftp_recv_oack_resent_then_error(void **state)
{
	static const uint8_t	 err[] = "\0\5\0\10no thanks";
	struct tftp_opts	 o = opts(1024, 1), got;
	struct script		 t;

	(void)state;
	o.present |= TFTP_OPT_TSIZE;
	o.tsize = 5000;
	assert_int_equal(tftp_recv_init(&t.r, &o, 1, 0, 5000), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	assert_int_equal(t.a[0].type, TFTP_RACT_SEND);
	assert_int_equal(tftp_parse_oack(t.out + t.a[0].out_off, t.a[0].len,
	    &got), 0);
	assert_int_equal(got.blksize, 1024);
	assert_int_equal(got.tsize, 5000);
	assert_int_equal(step_timer(&t, 999), 0);	/* early */
	assert_int_equal(step_timer(&t, 1000), 1);
	assert_int_equal(t.out[t.a[0].out_off + 1], TFTP_OACK);
	assert_int_equal(t.r.resent, 1);
	/* An ACK from the client is not ours to act on. */
	assert_int_equal(step_pkt(&t, 1001, (const uint8_t *)"\0\4\0\0", 4),
	    0);
	assert_int_equal(t.r.ignored, 1);
	assert_int_equal(step_pkt(&t, 1002, err, sizeof(err)), 1);
	is_close(&t, 0, TFTP_RCLOSE_OACK_ERROR);
	assert_int_equal(t.r.peer_code, 8);
}

static void
test_tftp_recv_oack_then_data_then_timer_acks(void **state)
{
	struct tftp_opts	 o = opts(512, 4);
	struct script		 t;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 1, 0, UINT64_MAX), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	assert_int_equal(t.out[t.a[0].out_off + 1], TFTP_OACK);
	/* DATA 1 lost, DATA 2 arrives: the OACK is known, ACK 0. */
	assert_int_equal(step_data(&t, 5, 2, 512, 512), 1);
	is_ack(&t, 0, 0);
	assert_int_equal(step_data(&t, 6, 3, 512, 1024), 0);
	/* The timer now repeats ACK 0, not the OACK. */
	assert_int_equal(step_timer(&t, 1000), 1);
	is_ack(&t, 0, 0);
	assert_int_equal(tftp_recv_deadline(&t.r), 3000);
}

static void
test_tftp_recv_window_acks_every_w(void **state)
{
	struct tftp_opts	 o = opts(512, 4);
	struct script		 t;
	uint16_t		 b;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	is_ack(&t, 0, 0);
	for (b = 1; b <= 10; b++) {
		assert_int_equal(step_data(&t, b, b, 512,
		    (uint64_t)(b - 1) * 512), b % 4 == 0 ? 2 : 1);
		assert_int_equal(t.a[0].type, TFTP_RACT_WRITE);
		if (b % 4 == 0)
			is_ack(&t, 1, b);
	}
	/* Short block 11 ends it in the middle of a window. */
	assert_int_equal(step_data(&t, 20, 11, 3, 5120), 3);
	assert_int_equal(t.a[1].type, TFTP_RACT_COMPLETE);
	is_ack(&t, 2, 11);
	assert_int_equal(t.r.state, TFTP_RS_LINGER);
	assert_int_equal(tftp_recv_deadline(&t.r), 20 + 10000);
	assert_int_equal(t.r.acks_sent, 4);
}

static void
test_tftp_recv_gap_acked_once(void **state)
{
	struct tftp_opts	 o = opts(512, 8);
	struct script		 t;
	uint16_t		 b;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	assert_int_equal(step_data(&t, 1, 1, 512, 0), 1);
	assert_int_equal(step_data(&t, 1, 2, 512, 512), 1);
	/* 3 lost: 4 shows the gap, one ACK 2; 5..8 add nothing. */
	assert_int_equal(step_data(&t, 2, 4, 512, 1536), 1);
	is_ack(&t, 0, 2);
	for (b = 5; b <= 8; b++)
		assert_int_equal(step_data(&t, 2, b, 512,
		    (uint64_t)(b - 1) * 512), 0);
	assert_int_equal(t.r.gap_blocks, 5);
	assert_int_equal(t.r.suppressed, 4);
	/* Progress, then the window restarts from 3: ACK at 10. */
	for (b = 3; b <= 10; b++) {
		assert_int_equal(step_data(&t, 3, b, 512,
		    (uint64_t)(b - 1) * 512), b == 10 ? 2 : 1);
		assert_int_equal(t.a[0].off, (uint64_t)(b - 1) * 512);
	}
	is_ack(&t, 1, 10);
	/* A new gap after progress is ACKed again. */
	assert_int_equal(step_data(&t, 4, 13, 512, 0), 1);
	is_ack(&t, 0, 10);
	assert_int_equal(t.r.bytes_written, 10 * 512);
}

static void
test_tftp_recv_resent_window_one_ack_per_round(void **state)
{
	struct tftp_opts	 o = opts(512, 4);
	struct script		 t;
	uint16_t		 b;
	int			 round;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	for (b = 1; b <= 4; b++)
		(void)step_data(&t, 1, b, 512, (uint64_t)(b - 1) * 512);
	is_ack(&t, 1, 4);
	/* ACK 4 was lost: the sender resends 1..4, three rounds. */
	for (round = 0; round < 3; round++) {
		assert_int_equal(step_data(&t, 10, 1, 512, 0), 1);
		is_ack(&t, 0, 4);
		for (b = 2; b <= 4; b++)
			assert_int_equal(step_data(&t, 10, b, 512, 0), 0);
	}
	assert_int_equal(t.r.dup_blocks, 12);
	assert_int_equal(t.r.suppressed, 9);
	assert_int_equal(t.r.resent, 3);
	/* Duplicates did not move the timer: it fires 1000 after block 4. */
	assert_int_equal(tftp_recv_deadline(&t.r), 1001);
	/* While a window is half received, a duplicate is not answered. */
	assert_int_equal(step_data(&t, 20, 5, 512, 2048), 1);
	assert_int_equal(step_data(&t, 20, 3, 512, 0), 0);
	assert_int_equal(t.r.suppressed, 10);
}

static void
test_tftp_recv_lockstep_every_duplicate_acked(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;
	int			 i;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	assert_int_equal(step_data(&t, 1, 1, 512, 0), 2);
	for (i = 0; i < 5; i++) {
		assert_int_equal(step_data(&t, 2, 1, 512, 0), 1);
		is_ack(&t, 0, 1);
	}
	/* Block 0 is not a block that exists before the wrap. */
	assert_int_equal(step_data(&t, 3, 0, 512, 0), 0);
	assert_int_equal(t.r.ignored, 1);
	assert_int_equal(t.r.dup_blocks, 5);
}

static void
test_tftp_recv_timeout_backoff_and_give_up(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;
	static const uint64_t	 at[] = { 1000, 3000, 7000, 15000, 23000,
	    31000, 39000 };
	size_t			 i;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	for (i = 0; i < TFTP_RECV_RETRIES; i++) {
		assert_int_equal(tftp_recv_deadline(&t.r), at[i]);
		assert_int_equal(step_timer(&t, at[i] - 1), 0);
		assert_int_equal(step_timer(&t, at[i]), 1);
		is_ack(&t, 0, 0);
	}
	assert_int_equal(tftp_recv_deadline(&t.r), at[TFTP_RECV_RETRIES]);
	assert_int_equal(step_timer(&t, at[TFTP_RECV_RETRIES]), 2);
	is_error(&t, 0, TFTP_ERR_UNDEF, "timeout");
	is_close(&t, 1, TFTP_RCLOSE_TIMEOUT);
	assert_int_equal(t.r.timeouts, 7);
	assert_int_equal(step_data(&t, 50000, 1, 512, 0), 0);
}

static void
test_tftp_recv_progress_resets_backoff(void **state)
{
	struct tftp_opts	 o = opts(512, 4);
	struct script		 t;

	(void)state;
	o.present |= TFTP_OPT_TIMEOUT;
	o.timeout = 3;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	assert_int_equal(t.r.linger, TFTP_RECV_LINGER_MIN);
	assert_int_equal(step_timer(&t, 0), 1);
	assert_int_equal(step_data(&t, 10, 1, 512, 0), 1);
	assert_int_equal(step_data(&t, 11, 2, 512, 512), 1);
	assert_int_equal(tftp_recv_deadline(&t.r), 3011);
	/* Mid-window timeout: ACK the last block in order (RFC 7440). */
	assert_int_equal(step_timer(&t, 3011), 1);
	is_ack(&t, 0, 2);
	assert_int_equal(tftp_recv_deadline(&t.r), 3011 + 6000);
	assert_int_equal(step_timer(&t, 9011), 1);
	assert_int_equal(tftp_recv_deadline(&t.r), 9011 + 8000);
	assert_int_equal(t.r.retries, 2);
	/* The window counts from the ACK: 3..6 then ACK 6. */
	assert_int_equal(step_data(&t, 9100, 3, 512, 1024), 1);
	assert_int_equal(t.r.retries, 0);
	assert_int_equal(tftp_recv_deadline(&t.r), 9100 + 3000);
	(void)step_data(&t, 9101, 4, 512, 1536);
	(void)step_data(&t, 9102, 5, 512, 2048);
	assert_int_equal(step_data(&t, 9103, 6, 512, 2560), 2);
	is_ack(&t, 1, 6);
}

static void
test_tftp_recv_max_size(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;

	(void)state;
	/* Exactly max_size: accepted, with the empty final block. */
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, 1024), 0);
	t.r.linger = 0;
	(void)step_timer(&t, 0);
	assert_int_equal(step_data(&t, 1, 1, 512, 0), 2);
	assert_int_equal(step_data(&t, 2, 2, 512, 512), 2);
	assert_int_equal(step_data(&t, 3, 3, 0, 1024), 3);
	is_close(&t, 2, TFTP_RCLOSE_DONE);
	/* One byte over: ERROR 3, nothing written. */
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, 1023), 0);
	(void)step_timer(&t, 0);
	assert_int_equal(step_data(&t, 1, 1, 512, 0), 2);
	assert_int_equal(step_data(&t, 2, 2, 512, 512), 2);
	is_error(&t, 0, TFTP_ERR_DISKFULL, "disk full or allocation exceeded");
	is_close(&t, 1, TFTP_RCLOSE_FULL);
	assert_int_equal(t.r.bytes_written, 512);
	/* A short last block over the limit too. */
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, 100), 0);
	(void)step_timer(&t, 0);
	assert_int_equal(step_data(&t, 1, 1, 101, 0), 2);
	is_close(&t, 1, TFTP_RCLOSE_FULL);
	assert_int_equal(t.r.bytes_written, 0);
}

static void
test_tftp_recv_tsize_over_limit_refused_at_start(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;

	(void)state;
	o.present |= TFTP_OPT_TSIZE;
	o.tsize = 4097;
	assert_int_equal(tftp_recv_init(&t.r, &o, 1, 0, 4096), 0);
	assert_int_equal(step_timer(&t, 0), 2);
	is_error(&t, 0, TFTP_ERR_DISKFULL, "disk full or allocation exceeded");
	is_close(&t, 1, TFTP_RCLOSE_FULL);
	/* At the limit it is fine. */
	o.tsize = 4096;
	assert_int_equal(tftp_recv_init(&t.r, &o, 1, 0, 4096), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	assert_int_equal(t.out[t.a[0].out_off + 1], TFTP_OACK);
}

static void
test_tftp_recv_peer_error_and_junk(void **state)
{
	static const uint8_t	 err[] = "\0\5\0\3full";
	static const uint8_t	 junk[] = "\0\1x\0octet\0";
	struct tftp_opts	 o = opts(512, 2);
	struct script		 t;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 1, 0, UINT64_MAX), 0);
	assert_int_equal(step_timer(&t, 0), 1);
	assert_int_equal(step_data(&t, 1, 1, 512, 0), 1);
	assert_int_equal(step_pkt(&t, 2, junk, sizeof(junk)), 0);
	assert_int_equal(step_pkt(&t, 2, junk, 3), 0);
	assert_int_equal(step_pkt(&t, 2, (const uint8_t *)"\0\3\0", 3), 0);
	assert_int_equal(step_pkt(&t, 2, NULL, 0), 0);
	assert_int_equal(t.r.ignored, 4);
	assert_int_equal(step_pkt(&t, 3, err, sizeof(err)), 1);
	is_close(&t, 0, TFTP_RCLOSE_PEER_ERROR);
	assert_int_equal(t.r.peer_code, 3);
}

static void
test_tftp_recv_oversize_data_refused(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	(void)step_timer(&t, 0);
	assert_int_equal(step_data(&t, 1, 1, 513, 0), 2);
	is_error(&t, 0, TFTP_ERR_BADOP, "block larger than blksize");
	is_close(&t, 1, TFTP_RCLOSE_BADDATA);
}

static void
test_tftp_recv_linger_reacks_last_block(void **state)
{
	static const uint8_t	 err[] = "\0\5\0\0bye";
	struct tftp_opts	 o = opts(512, 4);
	struct script		 t;
	uint16_t		 b;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	assert_int_equal(t.r.linger, 10000);
	/* With a timeout option of 5 s: three of them. */
	o.present |= TFTP_OPT_TIMEOUT;
	o.timeout = 5;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	assert_int_equal(t.r.linger, 15000);
	o = opts(512, 4);
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	(void)step_timer(&t, 0);
	for (b = 1; b <= 5; b++)
		(void)step_data(&t, 10, b, 512, (uint64_t)(b - 1) * 512);
	assert_int_equal(step_data(&t, 10, 6, 7, 2560), 3);
	is_ack(&t, 2, 6);
	assert_int_equal(tftp_recv_deadline(&t.r), 10010);
	/* The sender resends its last window: only block 6 is answered. */
	assert_int_equal(step_data(&t, 500, 5, 512, 2048), 0);
	assert_int_equal(step_data(&t, 500, 6, 7, 2560), 1);
	is_ack(&t, 0, 6);
	assert_int_equal(step_data(&t, 900, 6, 7, 2560), 1);
	/* No more WRITE or COMPLETE; the deadline did not move. */
	assert_int_equal(t.a[0].type, TFTP_RACT_SEND);
	assert_int_equal(tftp_recv_deadline(&t.r), 10010);
	assert_int_equal(step_timer(&t, 10009), 0);
	assert_int_equal(step_timer(&t, 10010), 1);
	is_close(&t, 0, TFTP_RCLOSE_DONE);
	assert_int_equal(t.r.bytes_written, 2567);
	/* An ERROR while lingering still closes as DONE. */
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	(void)step_timer(&t, 0);
	(void)step_data(&t, 1, 1, 0, 0);
	assert_int_equal(step_pkt(&t, 2, err, sizeof(err)), 1);
	is_close(&t, 0, TFTP_RCLOSE_DONE);
}

static void
test_tftp_recv_abort(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;

	(void)state;
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	(void)step_timer(&t, 0);
	assert_int_equal(step_data(&t, 1, 1, 512, 0), 2);
	/* The shell's write failed: ERROR 3 instead of the ACK. */
	t.n = tftp_recv_abort(&t.r, TFTP_ERR_DISKFULL, "write failed", t.a,
	    NACTS, t.out, sizeof(t.out));
	assert_int_equal(t.n, 2);
	is_error(&t, 0, TFTP_ERR_DISKFULL, "write failed");
	is_close(&t, 1, TFTP_RCLOSE_ABORT);
	assert_int_equal(tftp_recv_abort(&t.r, 0, NULL, t.a, NACTS, t.out,
	    sizeof(t.out)), 0);
	assert_int_equal(tftp_recv_abort(&t.r, 0, NULL, t.a, 1, t.out,
	    sizeof(t.out)), -TFTP_E_SPACE);
}

static void
test_tftp_recv_abort_takes_back_done(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct script		 t;

	(void)state;
	/* linger 0: the last block's step closes; the commit fails. */
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	t.r.linger = 0;
	(void)step_timer(&t, 0);
	assert_int_equal(step_data(&t, 1, 1, 10, 0), 4);
	is_close(&t, 3, TFTP_RCLOSE_DONE);
	t.n = tftp_recv_abort(&t.r, TFTP_ERR_DISKFULL, NULL, t.a, NACTS,
	    t.out, sizeof(t.out));
	is_error(&t, 0, TFTP_ERR_DISKFULL, "");
	is_close(&t, 1, TFTP_RCLOSE_ABORT);
	/* Once only. */
	assert_int_equal(tftp_recv_abort(&t.r, 0, NULL, t.a, NACTS, t.out,
	    sizeof(t.out)), 0);
	/* Lingering: the same, from the LINGER state. */
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 0, UINT64_MAX), 0);
	(void)step_timer(&t, 0);
	assert_int_equal(step_data(&t, 1, 1, 10, 0), 3);
	assert_int_equal(t.r.state, TFTP_RS_LINGER);
	t.n = tftp_recv_abort(&t.r, TFTP_ERR_DISKFULL, "no", t.a, NACTS,
	    t.out, sizeof(t.out));
	is_close(&t, 1, TFTP_RCLOSE_ABORT);
}

static void
test_tftp_recv_rollover_wire_numbers(void **state)
{
	struct tftp_opts	 o = opts(8, 4);
	struct script		 t;
	uint64_t		 n;

	(void)state;
	/* rollover 1: DATA 0 is never valid, 65535 is followed by 1. */
	assert_int_equal(tftp_recv_init(&t.r, &o, 0, 1, UINT64_MAX), 0);
	t.r.linger = 0;
	(void)step_timer(&t, 0);
	for (n = 1; n <= 65540; n++) {
		t.n = step_data(&t, n, tftp_recv_wire_block(&t.r, n), 8,
		    (n - 1) * 8);
		assert_int_equal(t.a[0].type, TFTP_RACT_WRITE);
		assert_int_equal(t.a[0].block, n);
		if (n == 65535)
			assert_int_equal(step_data(&t, n, 0, 8, 0), 0);
	}
	assert_int_equal(t.r.ignored, 1);
	/* An old block from before the wrap is a duplicate, not new. */
	assert_int_equal(step_data(&t, 70000, 65533, 8, 0), 1);
	is_ack(&t, 0, tftp_recv_wire_block(&t.r, 65540));
	assert_int_equal(t.a[0].len, 4);
	assert_int_equal(t.r.dup_blocks, 1);
	assert_int_equal(t.r.bytes_written, 65540 * 8);
}

static void
test_tftp_recv_bad_init_and_space(void **state)
{
	struct tftp_opts	 o = opts(512, 1);
	struct tftp_recv	 r;
	struct tftp_recv_act	 a[TFTP_RECV_ACTS_MIN];
	uint8_t			 out[TFTP_RECV_OUT_MIN];
	struct tftp_ev		 ev = { TFTP_EV_TIMER, NULL, 0 };

	(void)state;
	o.blksize = 7;
	assert_int_equal(tftp_recv_init(&r, &o, 0, 0, 1), -TFTP_E_RANGE);
	o = opts(65465, 1);
	assert_int_equal(tftp_recv_init(&r, &o, 0, 0, 1), -TFTP_E_RANGE);
	o = opts(512, 0);
	assert_int_equal(tftp_recv_init(&r, &o, 0, 0, 1), -TFTP_E_RANGE);
	o = opts(512, 65536);
	assert_int_equal(tftp_recv_init(&r, &o, 0, 0, 1), -TFTP_E_RANGE);
	o = opts(512, 1);
	assert_int_equal(tftp_recv_init(&r, &o, 0, 2, 1), -TFTP_E_RANGE);
	o.present |= TFTP_OPT_ROLLOVER;
	o.rollover = 2;
	assert_int_equal(tftp_recv_init(&r, &o, 0, 0, 1), -TFTP_E_RANGE);
	o.rollover = 1;
	assert_int_equal(tftp_recv_init(&r, &o, 0, 0, 1), 0);
	assert_int_equal(r.rollover, 1);
	o = opts(512, 65535);
	assert_int_equal(tftp_recv_init(&r, &o, 0, 1, 1), 0);
	assert_int_equal(r.window, 65534);
	assert_int_equal(tftp_recv_step(&r, &ev, 0, a, TFTP_RECV_ACTS_MIN - 1,
	    out, sizeof(out)), -TFTP_E_SPACE);
	assert_int_equal(tftp_recv_step(&r, &ev, 0, a, TFTP_RECV_ACTS_MIN,
	    out, sizeof(out) - 1), -TFTP_E_SPACE);
	assert_int_equal(tftp_recv_deadline(&r), 0);
	assert_int_equal(tftp_recv_step(&r, &ev, 0, a, TFTP_RECV_ACTS_MIN,
	    out, sizeof(out)), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tftp_recv_clean_all_sizes_and_windows),
		cmocka_unit_test(test_tftp_recv_loss_1pct),
		cmocka_unit_test(test_tftp_recv_loss_10pct),
		cmocka_unit_test(test_tftp_recv_duplicates_and_reordering),
		cmocka_unit_test(test_tftp_recv_rollover_to_0),
		cmocka_unit_test(test_tftp_recv_rollover_to_1),
		cmocka_unit_test(
		    test_tftp_recv_no_linger_client_may_miss_last_ack),
		cmocka_unit_test(test_tftp_recv_lockstep_no_oack),
		cmocka_unit_test(test_tftp_recv_empty_file),
		cmocka_unit_test(test_tftp_recv_oack_resent_then_error),
		cmocka_unit_test(test_tftp_recv_oack_then_data_then_timer_acks),
		cmocka_unit_test(test_tftp_recv_window_acks_every_w),
		cmocka_unit_test(test_tftp_recv_gap_acked_once),
		cmocka_unit_test(
		    test_tftp_recv_resent_window_one_ack_per_round),
		cmocka_unit_test(test_tftp_recv_lockstep_every_duplicate_acked),
		cmocka_unit_test(test_tftp_recv_timeout_backoff_and_give_up),
		cmocka_unit_test(test_tftp_recv_progress_resets_backoff),
		cmocka_unit_test(test_tftp_recv_max_size),
		cmocka_unit_test(
		    test_tftp_recv_tsize_over_limit_refused_at_start),
		cmocka_unit_test(test_tftp_recv_peer_error_and_junk),
		cmocka_unit_test(test_tftp_recv_oversize_data_refused),
		cmocka_unit_test(test_tftp_recv_linger_reacks_last_block),
		cmocka_unit_test(test_tftp_recv_abort),
		cmocka_unit_test(test_tftp_recv_abort_takes_back_done),
		cmocka_unit_test(test_tftp_recv_rollover_wire_numbers),
		cmocka_unit_test(test_tftp_recv_bad_init_and_space),
	};

	return (cmocka_run_group_tests_name("tftp_recv", tests, NULL, NULL));
}
