/*
 * The lease table.  Pure: no I/O, no clock; `now` comes in as an argument.
 *
 * Leases live in entries numbered in creation order and stored in chunks
 * of 256 that never move; an address, once seen, keeps its entry as
 * history.  The indexes hold uint32_t entry numbers.  Only a new address
 * allocates: a chunk per 256, a trie leaf per /24, and hash growth.
 *
 *  - By address: a four-level radix trie of 256-way nodes.  Lookup is four
 *    loads, and an in-order walk gives the address order lease_table_walk
 *    needs, so no separate sorted structure is kept.
 *  - By client id and by (hwtype, hw): open-addressing hash tables with
 *    linear probing and backward-shift deletion, keyed with SipHash-1-3 so
 *    clients cannot pick colliding identifiers.  Each key maps to the lease
 *    that most recently took it.
 *  - Change stream: a doubly-linked list of entries in seq order; a
 *    changed entry moves to the tail, so changes_since walks back from the
 *    tail only as far as it has to report.  A treap over the same order
 *    places records applied out of seq order in O(log n).
 *  - Per pool: a free FIFO and a held-expiry heap, in pool.c, which
 *    allocates from them.
 *
 * A commit is O(1) (trie, two hash updates, list move) plus O(log n) in
 * the pool heap when the lease holds its address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/lease.h"
#include "table_int.h"

#define TRIE_FAN	256

#define K_CID		0
#define K_HW		1

/* Inner trie nodes hold child pointers; the last level holds entries. */
struct lt_node {
	void		*c[TRIE_FAN];
};

struct lt_leaf {
	uint32_t	 e[TRIE_FAN];
};

struct lt_key {
	int		 kind;
	uint8_t		 hwtype;
	const uint8_t	*p;
	size_t		 len;
	uint32_t	 h;
};

static int
ent_grow(struct lease_table *t)
{
	struct lt_ent **nc;
	uint32_t ncap;

	if (t->nchunks == t->chunkcap) {
		ncap = t->chunkcap == 0 ? 16 : t->chunkcap * 2;
		if (ncap > (1u << 22) ||
		    (nc = realloc(t->chunk, ncap * sizeof(*nc))) == NULL)
			return (-1);
		t->chunk = nc;
		t->chunkcap = ncap;
	}
	if ((t->chunk[t->nchunks] = malloc(ENT_CHUNK *
	    sizeof(struct lt_ent))) == NULL)
		return (-1);
	t->nchunks++;
	return (0);
}

/* SipHash-1-3 ------------------------------------------------------------ */

static uint64_t
rotl(uint64_t x, int b)
{
	return (x << b | x >> (64 - b));
}

static void
sipround(uint64_t v[4])
{
	v[0] += v[1]; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32);
	v[2] += v[3]; v[3] = rotl(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = rotl(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32);
}

static uint64_t
le64(const uint8_t *p, size_t n)
{
	uint64_t m = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m |= (uint64_t)p[i] << (8 * i);
	return (m);
}

static uint64_t
siphash13(uint64_t k0, uint64_t k1, const uint8_t *p, size_t len)
{
	uint64_t v[4], m;
	size_t i;

	v[0] = 0x736f6d6570736575ULL ^ k0;
	v[1] = 0x646f72616e646f6dULL ^ k1;
	v[2] = 0x6c7967656e657261ULL ^ k0;
	v[3] = 0x7465646279746573ULL ^ k1;
	for (i = 0; i + 8 <= len; i += 8) {
		m = le64(p + i, 8);
		v[3] ^= m;
		sipround(v);
		v[0] ^= m;
	}
	m = le64(p + i, len - i) | (uint64_t)len << 56;
	v[3] ^= m;
	sipround(v);
	v[0] ^= m;
	v[2] ^= 0xff;
	sipround(v);
	sipround(v);
	sipround(v);
	return (v[0] ^ v[1] ^ v[2] ^ v[3]);
}

/* Keys and hash tables --------------------------------------------------- */

static void
key_init(const struct lease_table *t, int kind, uint8_t hwtype,
    const uint8_t *p, size_t len, struct lt_key *k)
{
	uint8_t buf[1 + LEASE_HW_MAX];

	k->kind = kind;
	k->hwtype = hwtype;
	k->p = p;
	k->len = len;
	if (kind == K_CID) {
		k->h = (uint32_t)siphash13(t->k0, t->k1, p, len);
		return;
	}
	buf[0] = hwtype;
	memcpy(buf + 1, p, len);
	k->h = (uint32_t)siphash13(t->k0, t->k1, buf, 1 + len);
}

/* The kind of key l carries; 0 when it has none (empty). */
static int
key_of(const struct lease_table *t, int kind, const struct lease *l,
    struct lt_key *k)
{
	if (kind == K_CID) {
		if (l->cidlen == 0)
			return (0);
		key_init(t, K_CID, 0, l->cid, l->cidlen, k);
	} else {
		if (l->hwlen == 0)
			return (0);
		key_init(t, K_HW, l->hwtype, l->hw, l->hwlen, k);
	}
	return (1);
}

static int
key_match(const struct lt_key *k, const struct lease *l)
{
	if (k->kind == K_CID)
		return (l->cidlen == k->len &&
		    memcmp(l->cid, k->p, k->len) == 0);
	return (l->hwtype == k->hwtype && l->hwlen == k->len &&
	    memcmp(l->hw, k->p, k->len) == 0);
}

/* The slot holding k, or the empty slot where it would go. */
static uint32_t
hash_slot(const struct lease_table *t, const struct lt_hash *h,
    const struct lt_key *k)
{
	uint32_t i;

	for (i = k->h & h->mask; h->s[i].ent != NONE; i = (i + 1) & h->mask)
		if (h->s[i].h == k->h && key_match(k, &ent(t, h->s[i].ent)->l))
			break;
	return (i);
}

static const struct lease *
hash_find(const struct lease_table *t, const struct lt_hash *h,
    const struct lt_key *k)
{
	uint32_t i;

	if (h->s == NULL)
		return (NULL);
	i = hash_slot(t, h, k);
	return (h->s[i].ent == NONE ? NULL : &ent(t, h->s[i].ent)->l);
}

/* Room for one more key at load <= 1/2. */
static int
hash_reserve(struct lt_hash *h)
{
	struct lt_slot *ns;
	uint32_t cap, i, j;

	cap = h->s == NULL ? 0 : h->mask + 1;
	if ((h->n + 1) * 2 <= cap)
		return (0);
	cap = cap == 0 ? 16 : cap * 2;
	if (cap > (1u << 30) || (ns = malloc(cap * sizeof(*ns))) == NULL)
		return (-1);
	for (i = 0; i < cap; i++)
		ns[i].ent = NONE;
	for (i = 0; h->s != NULL && i <= h->mask; i++) {
		if (h->s[i].ent == NONE)
			continue;
		for (j = h->s[i].h & (cap - 1); ns[j].ent != NONE;
		    j = (j + 1) & (cap - 1))
			;
		ns[j] = h->s[i];
	}
	free(h->s);
	h->s = ns;
	h->mask = cap - 1;
	return (0);
}

/* Linear probing deletion: shift later members of the run back. */
static void
hash_del_at(struct lt_hash *h, uint32_t i)
{
	uint32_t j, home;

	for (j = (i + 1) & h->mask; h->s[j].ent != NONE;
	    j = (j + 1) & h->mask) {
		home = h->s[j].h & h->mask;
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		h->s[i] = h->s[j];
		i = j;
	}
	h->s[i].ent = NONE;
	h->n--;
}

/*
 * Entry e changes from old (NULL when new) to nl: drop the old key if it
 * maps to e and differs, then map the new key to e unless a lease with a
 * higher seq holds it.  Capacity was reserved by the caller.
 */
static void
index_update(struct lease_table *t, struct lt_hash *h, int kind, uint32_t e,
    const struct lease *old, const struct lease *nl)
{
	struct lt_key ok, nk;
	int hadold, hasnew;
	uint32_t i, holder;

	hadold = old != NULL && key_of(t, kind, old, &ok);
	hasnew = key_of(t, kind, nl, &nk);
	if (hadold && (!hasnew || ok.h != nk.h || !key_match(&ok, nl))) {
		i = hash_slot(t, h, &ok);
		if (h->s[i].ent == e)
			hash_del_at(h, i);
	}
	if (!hasnew)
		return;
	i = hash_slot(t, h, &nk);
	holder = h->s[i].ent;
	if (holder == NONE) {
		h->s[i].h = nk.h;
		h->s[i].ent = e;
		h->n++;
	} else if (holder == e || ent(t, holder)->l.seq <= nl->seq)
		h->s[i].ent = e;
}

/* Address trie ----------------------------------------------------------- */

uint32_t
lease_trie_get(const struct lease_table *t, uint32_t addr)
{
	const struct lt_node *n = t->root;
	const struct lt_leaf *lf;
	int shift;

	for (shift = 24; shift > 0; shift -= 8) {
		if (n == NULL)
			return (NONE);
		n = n->c[(addr >> shift) & 0xff];
	}
	lf = (const struct lt_leaf *)n;
	return (lf == NULL ? NONE : lf->e[addr & 0xff]);
}

/* The slot for addr, creating the path; NULL when out of memory. */
static uint32_t *
trie_make(struct lease_table *t, uint32_t addr)
{
	void **pp = &t->root;
	struct lt_leaf *lf;
	int shift, i;

	for (shift = 32; shift > 0; shift -= 8) {
		if (*pp == NULL) {
			if (shift > 8)
				*pp = calloc(1, sizeof(struct lt_node));
			else if ((lf = malloc(sizeof(*lf))) != NULL) {
				for (i = 0; i < TRIE_FAN; i++)
					lf->e[i] = NONE;
				*pp = lf;
			}
			if (*pp == NULL)
				return (NULL);
		}
		if (shift > 8)
			pp = &((struct lt_node *)*pp)->c[(addr >> (shift - 8)) &
			    0xff];
	}
	return (&((struct lt_leaf *)*pp)->e[addr & 0xff]);
}

static void
trie_free(void *n, int level)
{
	int i;

	if (n == NULL)
		return;
	if (level < 3)
		for (i = 0; i < TRIE_FAN; i++)
			trie_free(((struct lt_node *)n)->c[i], level + 1);
	free(n);
}

static int
trie_walk(const struct lease_table *t, const void *n, int level,
    int (*fn)(const struct lease *, void *), void *arg)
{
	const struct lt_leaf *lf;
	int i;

	if (n == NULL)
		return (0);
	if (level < 3) {
		for (i = 0; i < TRIE_FAN; i++)
			if (trie_walk(t, ((const struct lt_node *)n)->c[i],
			    level + 1, fn, arg) != 0)
				return (1);
		return (0);
	}
	lf = n;
	for (i = 0; i < TRIE_FAN; i++)
		if (lf->e[i] != NONE && fn(&ent(t, lf->e[i])->l, arg) != 0)
			return (1);
	return (0);
}

/* Table ------------------------------------------------------------------ */

struct lease_table *
lease_table_new(void)
{
	struct lease_table *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	t->chead = t->ctail = t->troot = NONE;
	t->k0 = 0x7078656861206c65ULL;
	t->k1 = 0x6173652074626c31ULL;
	return (t);
}

void
lease_table_free(struct lease_table *t)
{
	int i;

	if (t == NULL)
		return;
	free(t->excl);
	for (i = t->npools - 1; i >= 0; i--)
		lease_pool_fini(&t->pools[i]);
	free(t->pools);
	free(t->hw.s);
	free(t->cid.s);
	trie_free(t->root, 0);
	while (t->nchunks > 0)
		free(t->chunk[--t->nchunks]);
	free(t->chunk);
	free(t);
}

int
lease_table_set_key(struct lease_table *t, const uint8_t key[16])
{
	if (t->nents > 0)
		return (-LEASE_E_INVAL);
	t->k0 = le64(key, 8);
	t->k1 = le64(key + 8, 8);
	return (0);
}

static uint32_t
entry_prio(const struct lease_table *t, uint32_t e)
{
	uint8_t b[4] = { (uint8_t)e, (uint8_t)(e >> 8), (uint8_t)(e >> 16),
	    (uint8_t)(e >> 24) };

	return ((uint32_t)(siphash13(t->k0, t->k1, b, sizeof(b)) >> 32));
}

static int
lease_valid(const struct lease *l)
{
	return (l->addr != 0 && (unsigned)l->state < LEASE_STATE_COUNT &&
	    l->hwlen <= LEASE_HW_MAX && l->cidlen <= LEASE_CID_MAX);
}

/*
 * The change list is kept in (seq, entry) order.  A commit always goes to
 * the tail in O(1); a record applied out of order (a peer's, or a copy
 * made with lease_table_walk) needs its predecessor, which the treap
 * finds in O(log n) expected whatever the arrival order.  Priorities are
 * keyed hashes of entry numbers, so no input order can unbalance it.
 */
static int
chg_less(const struct lease_table *t, uint32_t a, uint32_t b)
{
	uint64_t sa = ent(t, a)->l.seq, sb = ent(t, b)->l.seq;

	return (sa < sb || (sa == sb && a < b));
}

/* Rotate x above its parent. */
static void
tr_rotate_up(struct lease_table *t, uint32_t x)
{
	struct lt_ent *X = ent(t, x), *P = ent(t, X->tp);
	uint32_t p = X->tp, g = P->tp;

	if (P->tl == x) {
		P->tl = X->tr;
		if (X->tr != NONE)
			ent(t, X->tr)->tp = p;
		X->tr = p;
	} else {
		P->tr = X->tl;
		if (X->tl != NONE)
			ent(t, X->tl)->tp = p;
		X->tl = p;
	}
	P->tp = x;
	X->tp = g;
	if (g == NONE)
		t->troot = x;
	else if (ent(t, g)->tl == p)
		ent(t, g)->tl = x;
	else
		ent(t, g)->tr = x;
}

/* Insert e; returns its in-order predecessor (NONE: it is the first). */
static uint32_t
tr_insert(struct lease_table *t, uint32_t e)
{
	struct lt_ent *E = ent(t, e), *P;
	uint32_t p, pred = NONE;

	E->tl = E->tr = E->tp = NONE;
	if ((p = t->ctail) != NONE && chg_less(t, p, e)) {
		ent(t, p)->tr = e;		/* the maximum: O(1) */
		pred = p;
	} else if ((p = t->troot) != NONE) {
		for (;;) {
			P = ent(t, p);
			if (chg_less(t, e, p)) {
				if (P->tl == NONE) {
					P->tl = e;
					break;
				}
				p = P->tl;
			} else {
				pred = p;
				if (P->tr == NONE) {
					P->tr = e;
					break;
				}
				p = P->tr;
			}
		}
	}
	E->tp = p;
	if (p == NONE)
		t->troot = e;
	while (E->tp != NONE && ent(t, E->tp)->prio < E->prio)
		tr_rotate_up(t, e);
	return (pred);
}

static void
tr_delete(struct lease_table *t, uint32_t e)
{
	struct lt_ent *E = ent(t, e);
	uint32_t c;

	while (E->tl != NONE && E->tr != NONE)
		tr_rotate_up(t, ent(t, E->tl)->prio > ent(t, E->tr)->prio ?
		    E->tl : E->tr);
	c = E->tl != NONE ? E->tl : E->tr;
	if (c != NONE)
		ent(t, c)->tp = E->tp;
	if (E->tp == NONE)
		t->troot = c;
	else if (ent(t, E->tp)->tl == e)
		ent(t, E->tp)->tl = c;
	else
		ent(t, E->tp)->tr = c;
}

static void
chg_unlink(struct lease_table *t, uint32_t e)
{
	struct lt_ent *x = ent(t, e);

	if (x->cprev != NONE)
		ent(t, x->cprev)->cnext = x->cnext;
	else
		t->chead = x->cnext;
	if (x->cnext != NONE)
		ent(t, x->cnext)->cprev = x->cprev;
	else
		t->ctail = x->cprev;
	tr_delete(t, e);
}

static void
chg_link(struct lease_table *t, uint32_t e)
{
	struct lt_ent *x = ent(t, e);
	uint32_t p;

	p = tr_insert(t, e);
	x->cprev = p;
	x->cnext = p == NONE ? t->chead : ent(t, p)->cnext;
	if (p != NONE)
		ent(t, p)->cnext = e;
	else
		t->chead = e;
	if (x->cnext != NONE)
		ent(t, x->cnext)->cprev = e;
	else
		t->ctail = e;
}

/*
 * Store nl (valid, seq set) as the lease for nl->addr.  Everything that
 * can fail is reserved before anything changes, so an error leaves the
 * table as it was.  nl must not point into the table.
 */
static int
lt_store(struct lease_table *t, const struct lease *nl)
{
	struct lt_ent *x;
	uint32_t *slot, e;
	int isnew;

	if ((slot = trie_make(t, nl->addr)) == NULL)
		return (-LEASE_E_NOMEM);
	e = *slot;
	isnew = e == NONE;
	if (isnew && t->nents == t->nchunks * ENT_CHUNK && ent_grow(t) == -1)
		return (-LEASE_E_NOMEM);
	if (hash_reserve(&t->cid) == -1 || hash_reserve(&t->hw) == -1)
		return (-LEASE_E_NOMEM);
	if (isnew) {
		e = t->nents++;
		*slot = e;
		ent(t, e)->pool = lease_pool_of(t, nl->addr);
		ent(t, e)->prio = entry_prio(t, e);
	}
	x = ent(t, e);
	index_update(t, &t->cid, K_CID, e, isnew ? NULL : &x->l, nl);
	index_update(t, &t->hw, K_HW, e, isnew ? NULL : &x->l, nl);
	x->l = *nl;
	if (x->pool >= 0)
		lease_pool_update(&t->pools[x->pool], &x->l);
	if (!isnew)
		chg_unlink(t, e);
	chg_link(t, e);
	return (0);
}

uint64_t
lease_table_commit(struct lease_table *t, const struct lease *l)
{
	struct lease nl = *l;

	if (!lease_valid(&nl) || t->seq == UINT64_MAX)
		return (0);
	nl.seq = t->seq + 1;
	nl.hostname[LEASE_HOST_MAX - 1] = '\0';
	if (lt_store(t, &nl) != 0)
		return (0);
	t->seq = nl.seq;
	return (nl.seq);
}

int
lease_table_apply(struct lease_table *t, const struct lease *l)
{
	const struct lease *cur;
	struct lease nl = *l;
	int rc;

	if (!lease_valid(&nl) || nl.seq == 0)
		return (-LEASE_E_INVAL);
	if ((cur = lease_table_find_addr(t, nl.addr)) != NULL &&
	    cur->seq >= nl.seq)
		return (1);
	nl.hostname[LEASE_HOST_MAX - 1] = '\0';
	if ((rc = lt_store(t, &nl)) != 0)
		return (rc);
	if (nl.seq > t->seq)
		t->seq = nl.seq;
	return (0);
}

uint64_t
lease_table_seq(const struct lease_table *t)
{
	return (t->seq);
}

size_t
lease_table_count(const struct lease_table *t)
{
	return (t->nents);
}

/* Lookups ---------------------------------------------------------------- */

const struct lease *
lease_table_find_addr(const struct lease_table *t, uint32_t addr)
{
	uint32_t e = lease_trie_get(t, addr);

	return (e == NONE ? NULL : &ent(t, e)->l);
}

const struct lease *
lease_table_find_cid(const struct lease_table *t, const uint8_t *cid,
    size_t cidlen)
{
	struct lt_key k;

	if (cidlen == 0 || cidlen > LEASE_CID_MAX)
		return (NULL);
	key_init(t, K_CID, 0, cid, cidlen, &k);
	return (hash_find(t, &t->cid, &k));
}

const struct lease *
lease_table_find_hw(const struct lease_table *t, uint8_t hwtype,
    const uint8_t *hw, size_t hwlen)
{
	struct lt_key k;

	if (hwlen == 0 || hwlen > LEASE_HW_MAX)
		return (NULL);
	key_init(t, K_HW, hwtype, hw, hwlen, &k);
	return (hash_find(t, &t->hw, &k));
}

/* Walks ------------------------------------------------------------------ */

void
lease_table_changes_since(const struct lease_table *t, uint64_t since,
    int (*fn)(const struct lease *, void *), void *arg)
{
	uint32_t e, first = NONE;

	for (e = t->ctail; e != NONE && ent(t, e)->l.seq > since;
	    e = ent(t, e)->cprev)
		first = e;
	for (e = first; e != NONE; e = ent(t, e)->cnext)
		if (fn(&ent(t, e)->l, arg) != 0)
			break;
}

void
lease_table_walk(const struct lease_table *t,
    int (*fn)(const struct lease *, void *), void *arg)
{
	trie_walk(t, t->root, 0, fn, arg);
}
