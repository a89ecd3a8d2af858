#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/lease.h"

#define A(x)	(0x0a000000u | (x))	/* 10.0.x.y */

static struct lease
mk(uint32_t addr, enum lease_state st, int64_t expires, uint8_t id)
{
	struct lease l;

	memset(&l, 0, sizeof(l));
	l.addr = addr;
	l.state = st;
	l.hwtype = 1;
	l.hwlen = 6;
	memcpy(l.hw, "\x52\x54\x00\x00\x00", 5);
	l.hw[5] = id;
	l.cidlen = 7;
	l.cid[0] = 1;
	memcpy(l.cid + 1, l.hw, 6);
	l.starts = 1;
	l.expires = expires;
	l.subnet = 3;
	return (l);
}

static uint64_t
put(struct lease_table *t, uint32_t addr, enum lease_state st,
    int64_t expires, uint8_t id)
{
	struct lease l = mk(addr, st, expires, id);
	uint64_t seq;

	seq = lease_table_commit(t, &l);
	assert_true(seq > 0);
	return (seq);
}

static void
test_lease_table_find_indexes(void **state)
{
	struct lease_table *t;
	const struct lease *f;
	struct lease l;
	uint8_t hw1[6] = { 0x52, 0x54, 0, 0, 0, 1 };
	uint8_t hw2[6] = { 0x52, 0x54, 0, 0, 0, 2 };
	uint8_t cid1[7] = { 1, 0x52, 0x54, 0, 0, 0, 1 };
	uint8_t cid2[7] = { 1, 0x52, 0x54, 0, 0, 0, 2 };

	(void)state;
	assert_non_null(t = lease_table_new());
	put(t, A(10), LEASE_ACTIVE, 100, 1);
	assert_non_null(f = lease_table_find_addr(t, A(10)));
	assert_int_equal(f->state, LEASE_ACTIVE);
	assert_ptr_equal(lease_table_find_cid(t, cid1, 7), f);
	assert_ptr_equal(lease_table_find_hw(t, 1, hw1, 6), f);
	assert_null(lease_table_find_hw(t, 6, hw1, 6));	/* hwtype counts */
	assert_null(lease_table_find_hw(t, 1, hw1, 5));
	assert_null(lease_table_find_cid(t, cid1, 0));
	assert_null(lease_table_find_addr(t, A(11)));

	/* The address changes hands: the old client's keys are forgotten. */
	put(t, A(10), LEASE_ACTIVE, 200, 2);
	assert_null(lease_table_find_cid(t, cid1, 7));
	assert_null(lease_table_find_hw(t, 1, hw1, 6));
	assert_non_null(f = lease_table_find_cid(t, cid2, 7));
	assert_int_equal(f->addr, A(10));
	assert_ptr_equal(lease_table_find_hw(t, 1, hw2, 6), f);

	/* The client moves: its keys follow the newest lease. */
	put(t, A(20), LEASE_ACTIVE, 300, 2);
	assert_int_equal(lease_table_find_cid(t, cid2, 7)->addr, A(20));
	assert_int_equal(lease_table_find_hw(t, 1, hw2, 6)->addr, A(20));
	/* The older lease dropping the key does not unmap the newer one. */
	l = mk(A(10), LEASE_FREE, 300, 0);
	l.cidlen = 0;
	l.hwlen = 0;
	assert_true(lease_table_commit(t, &l) > 0);
	assert_int_equal(lease_table_find_cid(t, cid2, 7)->addr, A(20));
	assert_int_equal(lease_table_find_hw(t, 1, hw2, 6)->addr, A(20));
	assert_int_equal(lease_table_count(t), 2);
	lease_table_free(t);
}

static void
test_lease_table_commit_rejects_bad_fields(void **state)
{
	struct lease_table *t;
	struct lease l;

	(void)state;
	assert_non_null(t = lease_table_new());
	l = mk(0, LEASE_ACTIVE, 1, 1);
	assert_int_equal(lease_table_commit(t, &l), 0);
	l = mk(A(1), LEASE_STATE_COUNT, 1, 1);
	assert_int_equal(lease_table_commit(t, &l), 0);
	l = mk(A(1), LEASE_ACTIVE, 1, 1);
	l.hwlen = LEASE_HW_MAX + 1;
	assert_int_equal(lease_table_commit(t, &l), 0);
	l = mk(A(1), LEASE_ACTIVE, 1, 1);
	l.cidlen = LEASE_CID_MAX + 1;
	assert_int_equal(lease_table_commit(t, &l), 0);
	assert_int_equal(lease_table_seq(t), 0);
	assert_int_equal(lease_table_count(t), 0);
	/* A lease committed from the table's own pointer. */
	put(t, A(1), LEASE_ACTIVE, 5, 1);
	assert_int_equal(lease_table_commit(t, lease_table_find_addr(t, A(1))),
	    2);
	lease_table_free(t);
}

static void
test_lease_table_alloc_fifo_order(void **state)
{
	struct lease_table *t;
	int p;

	(void)state;
	assert_non_null(t = lease_table_new());
	assert_int_equal(p = lease_table_add_pool(t, 3, A(1), A(4)), 0);
	assert_int_equal(lease_table_alloc(t, p, 0), A(1));
	/* Not committed: it stays free but goes to the back. */
	assert_int_equal(lease_table_alloc(t, p, 0), A(2));
	put(t, A(1), LEASE_ACTIVE, 1000, 1);
	put(t, A(2), LEASE_ACTIVE, 1000, 2);
	put(t, A(2), LEASE_RELEASED, 10, 2);
	put(t, A(1), LEASE_RELEASED, 11, 1);
	/* Never-used first, then in the order they were released. */
	assert_int_equal(lease_table_alloc(t, p, 20), A(3));
	put(t, A(3), LEASE_OFFERED, 30, 3);
	assert_int_equal(lease_table_alloc(t, p, 20), A(4));
	put(t, A(4), LEASE_ACTIVE, 1000, 4);
	assert_int_equal(lease_table_alloc(t, p, 20), A(2));
	put(t, A(2), LEASE_ACTIVE, 1000, 5);
	assert_int_equal(lease_table_alloc(t, p, 20), A(1));
	put(t, A(1), LEASE_ACTIVE, 1000, 6);
	assert_int_equal(lease_table_alloc(t, p, 29), 0);
	/* The offer ran out. */
	assert_int_equal(lease_table_alloc(t, p, 30), A(3));
	assert_int_equal(lease_table_alloc(t, -1, 30), 0);
	assert_int_equal(lease_table_alloc(t, 1, 30), 0);
	lease_table_free(t);
}

static void
test_lease_table_alloc_exhausted(void **state)
{
	struct lease_table *t;
	int p;

	(void)state;
	assert_non_null(t = lease_table_new());
	p = lease_table_add_pool(t, 0, A(1), A(2));
	put(t, A(1), LEASE_ACTIVE, 100, 1);
	put(t, A(2), LEASE_OFFERED, 100, 2);
	assert_int_equal(lease_table_alloc(t, p, 50), 0);
	assert_int_equal(lease_table_alloc(t, p, 99), 0);
	lease_table_free(t);
}

static void
test_lease_table_alloc_skips_exclusions(void **state)
{
	struct lease_table *t;
	struct lease_pool_stats st;
	uint32_t a;
	int p, i;

	(void)state;
	assert_non_null(t = lease_table_new());
	assert_int_equal(lease_table_exclude(t, A(2), A(3)), 0);
	assert_int_equal(lease_table_exclude(t, A(5), A(4)), -LEASE_E_INVAL);
	p = lease_table_add_pool(t, 0, A(1), A(8));
	put(t, A(7), LEASE_RELEASED, 0, 7);
	assert_int_equal(lease_table_exclude(t, A(7), A(100)), 0);
	assert_int_equal(lease_table_pool_stats(t, p, 0, &st), 0);
	assert_int_equal(st.total, 4);
	assert_int_equal(st.free, 4);
	for (i = 0; i < 12; i++) {
		a = lease_table_alloc(t, p, 0);
		assert_true(a == A(1) || a == A(4) || a == A(5) || a == A(6));
	}
	/* A commit on an excluded address does not bring it back. */
	put(t, A(8), LEASE_ACTIVE, 5, 8);
	put(t, A(8), LEASE_EXPIRED, 5, 8);
	for (i = 0; i < 12; i++)
		assert_int_not_equal(lease_table_alloc(t, p, 10), A(8));
	/* Address 0 is never handed out. */
	p = lease_table_add_pool(t, 0, 0, 0);
	assert_true(p > 0);
	assert_int_equal(lease_table_alloc(t, p, 0), 0);
	lease_table_free(t);
}

static void
test_lease_table_expiry_frees_at_expires(void **state)
{
	struct lease_table *t;
	int p;

	(void)state;
	assert_non_null(t = lease_table_new());
	p = lease_table_add_pool(t, 0, A(1), A(1));
	put(t, A(1), LEASE_ACTIVE, 1000, 1);
	assert_int_equal(lease_table_alloc(t, p, 0), 0);
	assert_int_equal(lease_table_alloc(t, p, 999), 0);
	assert_int_equal(lease_table_alloc(t, p, 1000), A(1));
	/* A renewal before the next alloc keeps it. */
	put(t, A(1), LEASE_ACTIVE, 2000, 1);
	assert_int_equal(lease_table_alloc(t, p, 1500), 0);
	/* The clock going back does not free a held address early. */
	assert_int_equal(lease_table_alloc(t, p, 2000), A(1));
	assert_int_equal(lease_table_alloc(t, p, 1999), 0);
	assert_int_equal(lease_table_alloc(t, p, 2001), A(1));
	lease_table_free(t);
}

static void
test_lease_table_declined_quarantine(void **state)
{
	struct lease_table *t;
	struct lease_pool_stats st;
	int p;

	(void)state;
	assert_non_null(t = lease_table_new());
	p = lease_table_add_pool(t, 0, A(1), A(2));
	put(t, A(1), LEASE_DECLINED, 500, 0);
	put(t, A(2), LEASE_ACTIVE, 10000, 2);
	assert_int_equal(lease_table_alloc(t, p, 499), 0);
	assert_int_equal(lease_table_pool_stats(t, p, 499, &st), 0);
	assert_int_equal(st.declined, 1);
	assert_int_equal(st.leased, 1);
	assert_int_equal(st.free, 0);
	assert_int_equal(lease_table_pool_stats(t, p, 500, &st), 0);
	assert_int_equal(st.declined, 0);
	assert_int_equal(st.free, 1);
	assert_int_equal(lease_table_alloc(t, p, 500), A(1));
	lease_table_free(t);
}

static void
test_lease_table_pool_stats_counts(void **state)
{
	struct lease_table *t;
	struct lease_pool_stats st;
	uint32_t i;
	int p;

	(void)state;
	assert_non_null(t = lease_table_new());
	p = lease_table_add_pool(t, 0, A(1), A(100));
	for (i = 1; i <= 30; i++)
		put(t, A(i), LEASE_ACTIVE, (int64_t)(i * 10), (uint8_t)i);
	for (i = 31; i <= 35; i++)
		put(t, A(i), LEASE_OFFERED, 50, (uint8_t)i);
	put(t, A(36), LEASE_RELEASED, 0, 36);
	put(t, A(200), LEASE_ACTIVE, 1000, 200);	/* outside the pool */
	assert_int_equal(lease_table_pool_stats(t, p, 0, &st), 0);
	assert_int_equal(st.total, 100);
	assert_int_equal(st.leased, 30);
	assert_int_equal(st.offered, 5);
	assert_int_equal(st.free, 65);
	assert_int_equal(lease_table_pool_stats(t, p, 150, &st), 0);
	assert_int_equal(st.leased, 15);	/* expires 160 .. 300 */
	assert_int_equal(st.offered, 0);
	assert_int_equal(st.free, 85);
	assert_int_equal(lease_table_pool_stats(t, 7, 0, &st), -LEASE_E_INVAL);
	lease_table_free(t);
}

static void
test_lease_table_add_pool_after_leases(void **state)
{
	struct lease_table *t;
	int p;

	(void)state;
	assert_non_null(t = lease_table_new());
	put(t, A(2), LEASE_ACTIVE, 100, 2);
	put(t, A(3), LEASE_RELEASED, 50, 3);
	put(t, A(1), LEASE_EXPIRED, 40, 1);
	p = lease_table_add_pool(t, 0, A(1), A(5));
	assert_int_equal(p, 0);
	assert_int_equal(lease_table_alloc(t, p, 60), A(4));
	assert_int_equal(lease_table_alloc(t, p, 60), A(5));
	assert_int_equal(lease_table_alloc(t, p, 60), A(1));
	assert_int_equal(lease_table_alloc(t, p, 60), A(3));
	assert_int_equal(lease_table_alloc(t, p, 60), A(4));
	lease_table_free(t);
}

static void
test_lease_table_add_pool_rejects(void **state)
{
	struct lease_table *t;

	(void)state;
	assert_non_null(t = lease_table_new());
	assert_int_equal(lease_table_add_pool(t, 0, A(10), A(20)), 0);
	assert_int_equal(lease_table_add_pool(t, 0, A(20), A(30)),
	    -LEASE_E_INVAL);
	assert_int_equal(lease_table_add_pool(t, 0, A(1), A(10)),
	    -LEASE_E_INVAL);
	assert_int_equal(lease_table_add_pool(t, 0, A(5), A(4)),
	    -LEASE_E_INVAL);
	assert_int_equal(lease_table_add_pool(t, 0, 0x20000000u,
	    0x20000000u + LEASE_POOL_MAX), -LEASE_E_INVAL);
	assert_int_equal(lease_table_add_pool(t, 0, A(21), A(21)), 1);
	lease_table_free(t);
}

struct collect {
	uint32_t	 addr[64];
	uint64_t	 seq[64];
	size_t		 n, stop;
};

static int
collect_fn(const struct lease *l, void *arg)
{
	struct collect *c = arg;

	c->addr[c->n] = l->addr;
	c->seq[c->n++] = l->seq;
	return (c->stop != 0 && c->n == c->stop);
}

static void
test_lease_table_changes_since_order(void **state)
{
	struct lease_table *t;
	struct collect c;
	uint64_t sb;

	(void)state;
	assert_non_null(t = lease_table_new());
	assert_int_equal(put(t, A(1), LEASE_ACTIVE, 9, 1), 1);
	sb = put(t, A(2), LEASE_ACTIVE, 9, 2);
	put(t, A(3), LEASE_ACTIVE, 9, 3);
	put(t, A(1), LEASE_ACTIVE, 19, 1);
	put(t, A(1), LEASE_ACTIVE, 29, 1);
	memset(&c, 0, sizeof(c));
	lease_table_changes_since(t, 0, collect_fn, &c);
	assert_int_equal(c.n, 3);	/* A(1) once, in its latest form */
	assert_int_equal(c.addr[0], A(2));
	assert_int_equal(c.addr[1], A(3));
	assert_int_equal(c.addr[2], A(1));
	assert_int_equal(c.seq[2], 5);
	memset(&c, 0, sizeof(c));
	lease_table_changes_since(t, sb, collect_fn, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.addr[0], A(3));
	memset(&c, 0, sizeof(c));
	lease_table_changes_since(t, 5, collect_fn, &c);
	assert_int_equal(c.n, 0);
	memset(&c, 0, sizeof(c));
	c.stop = 1;
	lease_table_changes_since(t, 0, collect_fn, &c);
	assert_int_equal(c.n, 1);
	lease_table_free(t);
}

static void
test_lease_table_apply_keeps_seq_max(void **state)
{
	struct lease_table *t;
	struct collect c;
	struct lease l;

	(void)state;
	assert_non_null(t = lease_table_new());
	l = mk(A(1), LEASE_ACTIVE, 9, 1);
	l.seq = 10;
	assert_int_equal(lease_table_apply(t, &l), 0);
	assert_int_equal(lease_table_seq(t), 10);
	l = mk(A(2), LEASE_ACTIVE, 9, 2);
	l.seq = 5;
	assert_int_equal(lease_table_apply(t, &l), 0);
	assert_int_equal(lease_table_seq(t), 10);
	/* Older or equal for the same address: ignored. */
	l = mk(A(1), LEASE_RELEASED, 9, 1);
	l.seq = 10;
	assert_int_equal(lease_table_apply(t, &l), 1);
	l.seq = 3;
	assert_int_equal(lease_table_apply(t, &l), 1);
	assert_int_equal(lease_table_find_addr(t, A(1))->state, LEASE_ACTIVE);
	l.seq = 0;
	assert_int_equal(lease_table_apply(t, &l), -LEASE_E_INVAL);
	/* A commit is newer than anything applied. */
	assert_int_equal(put(t, A(3), LEASE_ACTIVE, 9, 3), 11);
	/* The change stream stays in seq order with out-of-order applies. */
	memset(&c, 0, sizeof(c));
	lease_table_changes_since(t, 0, collect_fn, &c);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.seq[0], 5);
	assert_int_equal(c.seq[1], 10);
	assert_int_equal(c.seq[2], 11);
	memset(&c, 0, sizeof(c));
	lease_table_changes_since(t, 5, collect_fn, &c);
	assert_int_equal(c.n, 2);
	lease_table_free(t);
}

struct seqcheck {
	uint64_t	 last, since;
	size_t		 n;
	int		 ok;
};

static int
seqcheck_fn(const struct lease *l, void *arg)
{
	struct seqcheck *c = arg;

	if (l->seq <= c->since || (c->n > 0 && l->seq < c->last))
		c->ok = 0;
	c->last = l->seq;
	c->n++;
	return (0);
}

/*
 * Commits and applies with seqs in random order (a peer, or a copy made
 * in address order): the change stream stays in seq order, reports each
 * lease once, and changes_since(s) reports exactly the leases above s.
 */
static void
test_lease_table_changes_random_order(void **state)
{
	struct lease_table *t;
	struct seqcheck c;
	struct lease l;
	uint64_t rnd = 0x2545f4914f6cdd1dULL, seqs[500], since;
	size_t i, k, want;

	(void)state;
	assert_non_null(t = lease_table_new());
	memset(seqs, 0, sizeof(seqs));
	for (k = 0; k < 20000; k++) {
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		i = (size_t)(rnd % 500);
		l = mk(A(1 + (uint32_t)i), LEASE_ACTIVE, 9, (uint8_t)i);
		if (rnd & 0x100000) {
			assert_true((seqs[i] = lease_table_commit(t, &l)) > 0);
		} else {
			l.seq = 1 + (rnd >> 24) % 100000;
			if (lease_table_apply(t, &l) == 0)
				seqs[i] = l.seq;
		}
		if (k % 1000 != 999)
			continue;
		since = (rnd >> 40) % (lease_table_seq(t) + 1);
		for (want = 0, i = 0; i < 500; i++)
			want += seqs[i] > since;
		memset(&c, 0, sizeof(c));
		c.ok = 1;
		c.since = since;
		lease_table_changes_since(t, since, seqcheck_fn, &c);
		assert_true(c.ok);
		assert_int_equal(c.n, want);
	}
	lease_table_free(t);
}

static void
test_lease_table_walk_address_order(void **state)
{
	struct lease_table *t;
	struct collect c;
	uint32_t addrs[] = { 0xc0a80105, 0x0a000001, 0xffffffff, 0x0a000100,
	    0x0a0000ff, 0x00000001, 0xc0a80104, 0x80000000 };
	size_t i;

	(void)state;
	assert_non_null(t = lease_table_new());
	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++)
		put(t, addrs[i], LEASE_ACTIVE, 9, (uint8_t)i);
	memset(&c, 0, sizeof(c));
	lease_table_walk(t, collect_fn, &c);
	assert_int_equal(c.n, sizeof(addrs) / sizeof(addrs[0]));
	for (i = 1; i < c.n; i++)
		assert_true(c.addr[i - 1] < c.addr[i]);
	lease_table_free(t);
}

static void
test_lease_table_set_key(void **state)
{
	struct lease_table *t;
	uint8_t key[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
	uint8_t hw[6] = { 0x52, 0x54, 0, 0, 0, 9 };

	(void)state;
	assert_non_null(t = lease_table_new());
	assert_int_equal(lease_table_set_key(t, key), 0);
	put(t, A(9), LEASE_ACTIVE, 9, 9);
	assert_non_null(lease_table_find_hw(t, 1, hw, 6));
	assert_int_equal(lease_table_set_key(t, key), -LEASE_E_INVAL);
	lease_table_free(t);
}

/*
 * Random commits and allocs against a plain model: alloc never returns
 * an address held at now or excluded, and returns 0 only when the model
 * has no free address.  Catches heap and FIFO bookkeeping slips.
 */
static void
test_lease_table_alloc_random_model(void **state)
{
	struct lease_table *t;
	struct lease_pool_stats st;
	const struct lease *l;
	uint64_t rnd = 88172645463325252ULL, nfree;
	uint32_t a, i, k;
	int64_t now = 0;
	int p;

	(void)state;
	assert_non_null(t = lease_table_new());
	assert_int_equal(lease_table_exclude(t, A(40), A(44)), 0);
	p = lease_table_add_pool(t, 0, A(1), A(64));
	for (k = 0; k < 20000; k++) {
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		now += (int64_t)(rnd % 3);
		if (rnd % 5 < 3) {
			a = A(1 + (uint32_t)(rnd >> 8) % 70);
			put(t, a, (enum lease_state)((rnd >> 20) % 6),
			    now + (int64_t)((rnd >> 32) % 200), (uint8_t)a);
			continue;
		}
		for (nfree = 0, i = 1; i <= 64; i++) {
			if (i >= 40 && i <= 44)
				continue;
			l = lease_table_find_addr(t, A(i));
			if (l == NULL || !(l->state == LEASE_OFFERED ||
			    l->state == LEASE_ACTIVE ||
			    l->state == LEASE_DECLINED) || now >= l->expires)
				nfree++;
		}
		assert_int_equal(lease_table_pool_stats(t, p, now, &st), 0);
		assert_int_equal(st.free, nfree);
		a = lease_table_alloc(t, p, now);
		if (nfree == 0) {
			assert_int_equal(a, 0);
			continue;
		}
		assert_true(a >= A(1) && a <= A(64));
		assert_false(a >= A(40) && a <= A(44));
		l = lease_table_find_addr(t, a);
		assert_true(l == NULL || now >= l->expires ||
		    l->state == LEASE_FREE || l->state == LEASE_RELEASED ||
		    l->state == LEASE_EXPIRED);
		if (rnd & 1)
			put(t, a, LEASE_OFFERED, now + 30, (uint8_t)a);
	}
	lease_table_free(t);
}

/*
 * Random client changes against a model of the index rule: a key maps to
 * the lease that most recently took it, until that lease drops it.
 * Exercises hash growth and backward-shift deletion.
 */
static void
test_lease_table_index_random_model(void **state)
{
	struct lease_table *t;
	const struct lease *f;
	struct lease l;
	uint64_t rnd = 0x9e3779b97f4a7c15ULL;
	uint32_t owner[300], keyof[200], a, k, i;

	(void)state;
	assert_non_null(t = lease_table_new());
	for (i = 0; i < 300; i++)
		owner[i] = 0;
	for (i = 0; i < 200; i++)
		keyof[i] = 0;
	for (k = 0; k < 30000; k++) {
		rnd ^= rnd << 13;
		rnd ^= rnd >> 7;
		rnd ^= rnd << 17;
		a = (uint32_t)(rnd % 200);
		i = (uint32_t)((rnd >> 16) % 300);	/* 0: no key */
		l = mk(A(1 + a), LEASE_ACTIVE, 9, 0);
		l.hwlen = 0;
		l.cidlen = i == 0 ? 0 : 2;
		l.cid[0] = (uint8_t)(i >> 8);
		l.cid[1] = (uint8_t)i;
		if (keyof[a] != 0 && keyof[a] != i && owner[keyof[a]] == a + 1)
			owner[keyof[a]] = 0;
		if (i != 0)
			owner[i] = a + 1;
		keyof[a] = i;
		assert_true(lease_table_commit(t, &l) > 0);
		i = (uint32_t)((rnd >> 40) % 300);
		l.cid[0] = (uint8_t)(i >> 8);
		l.cid[1] = (uint8_t)i;
		f = lease_table_find_cid(t, l.cid, 2);
		if (i == 0 || owner[i] == 0)
			assert_null(f);
		else {
			assert_non_null(f);
			assert_int_equal(f->addr, A(owner[i]));
		}
	}
	lease_table_free(t);
}

/* Record codec ----------------------------------------------------------- */

static struct lease
full_lease(void)
{
	struct lease l = mk(0xc0a80a0b, LEASE_DECLINED, -5, 7);

	l.hwlen = LEASE_HW_MAX;
	memset(l.hw, 0xab, sizeof(l.hw));
	l.cidlen = LEASE_CID_MAX;
	memset(l.cid, 0xcd, sizeof(l.cid));
	memset(l.hostname, 'h', LEASE_HOST_MAX - 1);
	l.starts = INT64_MIN;
	l.expires = INT64_MAX;
	l.subnet = 0xfffffffe;
	l.seq = 0x0102030405060708ULL;
	return (l);
}

static void
assert_lease_equal(const struct lease *a, const struct lease *b)
{
	assert_int_equal(a->addr, b->addr);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->hwtype, b->hwtype);
	assert_int_equal(a->hwlen, b->hwlen);
	assert_memory_equal(a->hw, b->hw, a->hwlen);
	assert_int_equal(a->cidlen, b->cidlen);
	assert_memory_equal(a->cid, b->cid, a->cidlen);
	assert_string_equal(a->hostname, b->hostname);
	assert_true(a->starts == b->starts);
	assert_true(a->expires == b->expires);
	assert_int_equal(a->subnet, b->subnet);
	assert_true(a->seq == b->seq);
}

static void
test_lease_rec_round_trip(void **state)
{
	struct lease l = full_lease(), d;
	uint8_t buf[LEASE_REC_MAX];
	int n;

	(void)state;
	n = lease_rec_encode(&l, buf, sizeof(buf));
	assert_true(n > 0 && n <= LEASE_REC_MAX);
	assert_int_equal(lease_rec_decode(buf, (size_t)n, &d), 0);
	assert_lease_equal(&l, &d);

	l = mk(0x0a000001, LEASE_FREE, 0, 1);
	l.hwlen = 0;
	l.cidlen = 0;
	n = lease_rec_encode(&l, buf, sizeof(buf));
	assert_int_equal(lease_rec_decode(buf, (size_t)n, &d), 0);
	assert_lease_equal(&l, &d);

	/* Hostnames leave sanitized. */
	l = mk(0x0a000001, LEASE_ACTIVE, 0, 1);
	memcpy(l.hostname, "pc\x01\x7f\xe9x", 7);
	n = lease_rec_encode(&l, buf, sizeof(buf));
	assert_int_equal(lease_rec_decode(buf, (size_t)n, &d), 0);
	assert_string_equal(d.hostname, "pc???x");
}

static void
test_lease_rec_rejects_malformed(void **state)
{
	struct lease l = full_lease(), d;
	uint8_t buf[LEASE_REC_MAX + 1], bad[LEASE_REC_MAX + 1];
	size_t len, i;
	int n;

	(void)state;
	n = lease_rec_encode(&l, buf, sizeof(buf));
	len = (size_t)n;
	for (i = 0; i < len; i++)
		assert_int_equal(lease_rec_decode(buf, i, &d),
		    -LEASE_E_FORMAT);
	buf[len] = 0;
	assert_int_equal(lease_rec_decode(buf, len + 1, &d), -LEASE_E_FORMAT);
	/* Encode into every too-small buffer. */
	for (i = 0; i < len; i++)
		assert_int_equal(lease_rec_encode(&l, bad, i), -LEASE_E_SPACE);

	memcpy(bad, buf, len);
	bad[0] = 2;				/* version */
	assert_int_equal(lease_rec_decode(bad, len, &d), -LEASE_E_FORMAT);
	memcpy(bad, buf, len);
	bad[1] = LEASE_STATE_COUNT;		/* state */
	assert_int_equal(lease_rec_decode(bad, len, &d), -LEASE_E_FORMAT);
	memcpy(bad, buf, len);
	memset(bad + 2, 0, 4);			/* address 0 */
	assert_int_equal(lease_rec_decode(bad, len, &d), -LEASE_E_FORMAT);
	memcpy(bad, buf, len);
	bad[35] = LEASE_HW_MAX + 1;		/* hwlen */
	assert_int_equal(lease_rec_decode(bad, len, &d), -LEASE_E_FORMAT);
	memcpy(bad, buf, len);
	bad[36 + LEASE_HW_MAX] = LEASE_CID_MAX + 1;	/* cidlen */
	assert_int_equal(lease_rec_decode(bad, len, &d), -LEASE_E_FORMAT);
	memcpy(bad, buf, len);
	bad[37 + LEASE_HW_MAX + LEASE_CID_MAX] = LEASE_HOST_MAX;	/* hostlen */
	assert_int_equal(lease_rec_decode(bad, len, &d), -LEASE_E_FORMAT);
	memcpy(bad, buf, len);
	bad[len - 1] = '\n';			/* non-printable hostname */
	assert_int_equal(lease_rec_decode(bad, len, &d), -LEASE_E_FORMAT);
	memcpy(bad, buf, len);
	bad[len - 1] = '\0';
	assert_int_equal(lease_rec_decode(bad, len, &d), -LEASE_E_FORMAT);

	l.hwlen = LEASE_HW_MAX + 1;
	assert_int_equal(lease_rec_encode(&l, bad, sizeof(bad)),
	    -LEASE_E_INVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lease_table_find_indexes),
		cmocka_unit_test(test_lease_table_commit_rejects_bad_fields),
		cmocka_unit_test(test_lease_table_alloc_fifo_order),
		cmocka_unit_test(test_lease_table_alloc_exhausted),
		cmocka_unit_test(test_lease_table_alloc_skips_exclusions),
		cmocka_unit_test(test_lease_table_expiry_frees_at_expires),
		cmocka_unit_test(test_lease_table_declined_quarantine),
		cmocka_unit_test(test_lease_table_pool_stats_counts),
		cmocka_unit_test(test_lease_table_add_pool_after_leases),
		cmocka_unit_test(test_lease_table_add_pool_rejects),
		cmocka_unit_test(test_lease_table_changes_since_order),
		cmocka_unit_test(test_lease_table_apply_keeps_seq_max),
		cmocka_unit_test(test_lease_table_changes_random_order),
		cmocka_unit_test(test_lease_table_walk_address_order),
		cmocka_unit_test(test_lease_table_set_key),
		cmocka_unit_test(test_lease_table_alloc_random_model),
		cmocka_unit_test(test_lease_table_index_random_model),
		cmocka_unit_test(test_lease_rec_round_trip),
		cmocka_unit_test(test_lease_rec_rejects_malformed),
	};

	return (cmocka_run_group_tests_name("lease_table", tests, NULL, NULL));
}
