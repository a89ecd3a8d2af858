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
 *  - Per pool, arrays indexed by addr - first: a FIFO of free addresses
 *    (linked through next/prev, so a commit can take any address out in
 *    O(1)) and a min-heap, keyed by expires, of the addresses a lease holds
 *    (OFFERED, ACTIVE, DECLINED).  Every non-excluded address is in exactly
 *    one of the two.  alloc first moves the heap entries that ran out by
 *    `now` to the FIFO tail, in expiry order, then takes the FIFO head:
 *    O(1) amortized plus O(log n) per expiry.  An expired lease therefore
 *    joins the queue when the next alloc notices it, not at the moment it
 *    expired, which can put it behind an address released after it; the
 *    order among expiries is exact.
 *
 * A commit is O(1) (trie, two hash updates, list move) plus O(log n) in
 * the pool heap when the lease holds its address.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/lease.h"

#define NONE		UINT32_MAX
#define ENT_SHIFT	8
#define ENT_CHUNK	(1u << ENT_SHIFT)
#define TRIE_FAN	256

#define PF_EXCL		0x01	/* never allocated */
#define PF_FIFO		0x02	/* on the free FIFO */
#define PF_SEEN		0x04	/* add_pool scratch: a lease is on it */

#define K_CID		0
#define K_HW		1

struct lt_ent {
	struct lease	 l;
	uint32_t	 cprev, cnext;	/* change list, ascending (seq, entry) */
	uint32_t	 tl, tr, tp;	/* treap over the same order */
	uint32_t	 prio;		/* treap priority: keyed hash of entry */
	int32_t		 pool;		/* -1: in no pool */
};

struct lt_slot {
	uint32_t	 h;		/* low bits of the key's hash */
	uint32_t	 ent;		/* NONE: empty slot */
};

struct lt_hash {
	struct lt_slot	*s;
	uint32_t	 mask;		/* capacity - 1; capacity a power of 2 */
	uint32_t	 n;
};

/* Inner trie nodes hold child pointers; the last level holds entries. */
struct lt_node {
	void		*c[TRIE_FAN];
};

struct lt_leaf {
	uint32_t	 e[TRIE_FAN];
};

struct lt_hent {
	int64_t		 key;		/* expires */
	uint32_t	 off;
	uint32_t	 state;
};

struct lt_pool {
	uint32_t	 subnet, first, n;
	uint32_t	*next, *prev;	/* FIFO links by offset */
	uint32_t	*hpos;		/* heap index by offset, or NONE */
	uint8_t		*flags;		/* PF_* by offset */
	struct lt_hent	*heap;		/* capacity n */
	uint32_t	 hn;
	uint32_t	 head, tail;
	uint32_t	 nexcl;
	uint32_t	 held[LEASE_STATE_COUNT];	/* heap entries by state */
};

struct lt_range {
	uint32_t	 first, last;
};

struct lease_table {
	struct lt_ent	**chunk;	/* entries, ENT_CHUNK per chunk */
	uint32_t	 nents, nchunks, chunkcap;
	void		*root;		/* struct lt_node, or NULL */
	struct lt_hash	 cid, hw;
	uint64_t	 k0, k1;
	uint32_t	 chead, ctail;
	uint32_t	 troot;
	uint64_t	 seq;
	struct lt_pool	*pools;
	int		 npools;
	struct lt_range	*excl;
	size_t		 nexcl;
};

struct lt_key {
	int		 kind;
	uint8_t		 hwtype;
	const uint8_t	*p;
	size_t		 len;
	uint32_t	 h;
};

/* Entries never move once allocated: no big copies as the table grows. */
static struct lt_ent *
ent(const struct lease_table *t, uint32_t e)
{
	return (&t->chunk[e >> ENT_SHIFT][e & (ENT_CHUNK - 1)]);
}

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

static uint32_t
trie_get(const struct lease_table *t, uint32_t addr)
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

/* Pool heap and FIFO ----------------------------------------------------- */

static void
heap_set(struct lt_pool *p, uint32_t i, struct lt_hent he)
{
	p->heap[i] = he;
	p->hpos[he.off] = i;
}

static void
heap_up(struct lt_pool *p, uint32_t i)
{
	struct lt_hent he = p->heap[i];

	while (i > 0 && p->heap[(i - 1) / 2].key > he.key) {
		heap_set(p, i, p->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(p, i, he);
}

static void
heap_down(struct lt_pool *p, uint32_t i)
{
	struct lt_hent he = p->heap[i];
	uint32_t c;

	while ((c = 2 * i + 1) < p->hn) {
		if (c + 1 < p->hn && p->heap[c + 1].key < p->heap[c].key)
			c++;
		if (p->heap[c].key >= he.key)
			break;
		heap_set(p, i, p->heap[c]);
		i = c;
	}
	heap_set(p, i, he);
}

/* Put off in the heap (or re-key it there) as held by state until key. */
static void
heap_hold(struct lt_pool *p, uint32_t off, int64_t key, enum lease_state st)
{
	struct lt_hent he = { key, off, (uint32_t)st };
	uint32_t i = p->hpos[off];

	if (i == NONE) {
		i = p->hn++;
		heap_set(p, i, he);
	} else {
		p->held[p->heap[i].state]--;
		heap_set(p, i, he);
		heap_down(p, i);
		i = p->hpos[off];
	}
	heap_up(p, i);
	p->held[st]++;
}

static void
heap_drop(struct lt_pool *p, uint32_t off)
{
	struct lt_hent last;
	uint32_t i = p->hpos[off];

	p->held[p->heap[i].state]--;
	p->hpos[off] = NONE;
	if (i == --p->hn)
		return;
	last = p->heap[p->hn];
	heap_set(p, i, last);
	heap_down(p, i);
	heap_up(p, p->hpos[last.off]);
}

static void
fifo_push(struct lt_pool *p, uint32_t off)
{
	p->prev[off] = p->tail;
	p->next[off] = NONE;
	if (p->tail != NONE)
		p->next[p->tail] = off;
	else
		p->head = off;
	p->tail = off;
	p->flags[off] |= PF_FIFO;
}

static void
fifo_unlink(struct lt_pool *p, uint32_t off)
{
	if (p->prev[off] != NONE)
		p->next[p->prev[off]] = p->next[off];
	else
		p->head = p->next[off];
	if (p->next[off] != NONE)
		p->prev[p->next[off]] = p->prev[off];
	else
		p->tail = p->prev[off];
	p->flags[off] &= (uint8_t)~PF_FIFO;
}

static int
holds(enum lease_state st)
{
	return (st == LEASE_OFFERED || st == LEASE_ACTIVE ||
	    st == LEASE_DECLINED);
}

/* The pool side of a lease change: heap while held, FIFO once free. */
static void
pool_update(struct lt_pool *p, const struct lease *l)
{
	uint32_t off = l->addr - p->first;

	if (p->flags[off] & PF_EXCL)
		return;
	if (holds(l->state)) {
		if (p->flags[off] & PF_FIFO)
			fifo_unlink(p, off);
		heap_hold(p, off, l->expires, l->state);
	} else {
		if (p->hpos[off] != NONE)
			heap_drop(p, off);
		if (!(p->flags[off] & PF_FIFO))
			fifo_push(p, off);
	}
}

/* Take off out of the pool for good. */
static void
pool_exclude(struct lt_pool *p, uint32_t off)
{
	if (p->flags[off] & PF_EXCL)
		return;
	if (p->flags[off] & PF_FIFO)
		fifo_unlink(p, off);
	if (p->hpos[off] != NONE)
		heap_drop(p, off);
	p->flags[off] |= PF_EXCL;
	p->nexcl++;
}

static void
pool_fini(struct lt_pool *p)
{
	free(p->next);
	free(p->prev);
	free(p->hpos);
	free(p->flags);
	free(p->heap);
}

static int
pool_of(const struct lease_table *t, uint32_t addr)
{
	int i;

	for (i = 0; i < t->npools; i++)
		if (addr - t->pools[i].first < t->pools[i].n)
			return (i);
	return (-1);
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
		pool_fini(&t->pools[i]);
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
		ent(t, e)->pool = pool_of(t, nl->addr);
		ent(t, e)->prio = entry_prio(t, e);
	}
	x = ent(t, e);
	index_update(t, &t->cid, K_CID, e, isnew ? NULL : &x->l, nl);
	index_update(t, &t->hw, K_HW, e, isnew ? NULL : &x->l, nl);
	x->l = *nl;
	if (x->pool >= 0)
		pool_update(&t->pools[x->pool], &x->l);
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
	uint32_t e = trie_get(t, addr);

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

/* Pools ------------------------------------------------------------------ */

static void
pool_excl_range(struct lt_pool *p, uint32_t first, uint32_t last)
{
	uint32_t plast = p->first + (p->n - 1), lo, hi, a;

	if (last < p->first || first > plast)
		return;
	lo = first > p->first ? first : p->first;
	hi = last < plast ? last : plast;
	for (a = lo;; a++) {
		pool_exclude(p, a - p->first);
		if (a == hi)
			break;
	}
}

static int
ended_cmp(const void *a, const void *b)
{
	const struct lt_hent *x = a, *y = b;

	if (x->key != y->key)
		return (x->key < y->key ? -1 : 1);
	return (x->off < y->off ? -1 : x->off > y->off);
}

/*
 * Queue the new pool's addresses: never-used ones first in address order,
 * then those whose lease ended, oldest end first; held ones go on the
 * heap.  ended has room for p->n entries.
 */
static void
pool_fill(struct lease_table *t, struct lt_pool *p, int id,
    struct lt_hent *ended)
{
	const struct lease *l;
	uint32_t e, off, nended = 0;
	size_t k;

	for (k = 0; k < t->nexcl; k++)
		pool_excl_range(p, t->excl[k].first, t->excl[k].last);
	if (p->first == 0)
		pool_exclude(p, 0);
	for (e = 0; e < t->nents; e++) {
		l = &ent(t, e)->l;
		if ((off = l->addr - p->first) >= p->n)
			continue;
		ent(t, e)->pool = id;
		p->flags[off] |= PF_SEEN;
		if (p->flags[off] & PF_EXCL)
			continue;
		if (holds(l->state))
			heap_hold(p, off, l->expires, l->state);
		else {
			ended[nended].key = l->expires;
			ended[nended++].off = off;
		}
	}
	for (off = 0; off < p->n; off++) {
		if (!(p->flags[off] & (PF_EXCL | PF_SEEN)))
			fifo_push(p, off);
		p->flags[off] &= (uint8_t)~PF_SEEN;
	}
	qsort(ended, nended, sizeof(*ended), ended_cmp);
	for (e = 0; e < nended; e++)
		fifo_push(p, ended[e].off);
}

int
lease_table_add_pool(struct lease_table *t, uint32_t subnet, uint32_t first,
    uint32_t last)
{
	struct lt_pool *np, *p;
	struct lt_hent *ended;
	uint32_t n;
	int i;

	if (first > last || last - first >= LEASE_POOL_MAX ||
	    t->npools >= 65536)
		return (-LEASE_E_INVAL);
	for (i = 0; i < t->npools; i++)
		if (first <= t->pools[i].first + (t->pools[i].n - 1) &&
		    t->pools[i].first <= last)
			return (-LEASE_E_INVAL);
	n = last - first + 1;
	np = realloc(t->pools, ((size_t)t->npools + 1) * sizeof(*np));
	if (np == NULL)
		return (-LEASE_E_NOMEM);
	t->pools = np;
	p = &t->pools[t->npools];
	memset(p, 0, sizeof(*p));
	p->subnet = subnet;
	p->first = first;
	p->n = n;
	p->head = p->tail = NONE;
	p->next = malloc(n * sizeof(*p->next));
	p->prev = malloc(n * sizeof(*p->prev));
	p->hpos = malloc(n * sizeof(*p->hpos));
	p->flags = calloc(n, sizeof(*p->flags));
	p->heap = malloc(n * sizeof(*p->heap));
	ended = malloc(n * sizeof(*ended));
	if (p->next == NULL || p->prev == NULL || p->hpos == NULL ||
	    p->flags == NULL || p->heap == NULL || ended == NULL) {
		free(ended);
		pool_fini(p);
		return (-LEASE_E_NOMEM);
	}
	memset(p->hpos, 0xff, n * sizeof(*p->hpos));
	pool_fill(t, p, t->npools, ended);
	free(ended);
	return (t->npools++);
}

int
lease_table_exclude(struct lease_table *t, uint32_t first, uint32_t last)
{
	struct lt_range *nx;
	int i;

	if (first > last)
		return (-LEASE_E_INVAL);
	if ((nx = realloc(t->excl, (t->nexcl + 1) * sizeof(*nx))) == NULL)
		return (-LEASE_E_NOMEM);
	t->excl = nx;
	t->excl[t->nexcl].first = first;
	t->excl[t->nexcl++].last = last;
	for (i = 0; i < t->npools; i++)
		pool_excl_range(&t->pools[i], first, last);
	return (0);
}

uint32_t
lease_table_alloc(struct lease_table *t, int pool, int64_t now)
{
	const struct lease *l;
	struct lt_pool *p;
	uint32_t off, e;

	if (pool < 0 || pool >= t->npools)
		return (0);
	p = &t->pools[pool];
	while (p->hn > 0 && p->heap[0].key <= now) {
		off = p->heap[0].off;
		heap_drop(p, off);
		fifo_push(p, off);
	}
	while ((off = p->head) != NONE) {
		fifo_unlink(p, off);
		e = trie_get(t, p->first + off);
		l = e == NONE ? NULL : &ent(t, e)->l;
		if (l != NULL && holds(l->state) && now < l->expires) {
			/* Queued at a later `now`: the clock went back. */
			heap_hold(p, off, l->expires, l->state);
			continue;
		}
		fifo_push(p, off);
		return (p->first + off);
	}
	return (0);
}

/* Count the heap entries already due at now (they are free, not held). */
static void
heap_due(const struct lt_pool *p, uint32_t i, int64_t now, uint64_t *due)
{
	while (i < p->hn && p->heap[i].key <= now) {
		due[p->heap[i].state]++;
		heap_due(p, 2 * i + 1, now, due);
		i = 2 * i + 2;
	}
}

int
lease_table_pool_stats(const struct lease_table *t, int pool, int64_t now,
    struct lease_pool_stats *st)
{
	const struct lt_pool *p;
	uint64_t due[LEASE_STATE_COUNT] = { 0 };

	if (pool < 0 || pool >= t->npools)
		return (-LEASE_E_INVAL);
	p = &t->pools[pool];
	heap_due(p, 0, now, due);
	st->total = p->n - p->nexcl;
	st->leased = p->held[LEASE_ACTIVE] - due[LEASE_ACTIVE];
	st->offered = p->held[LEASE_OFFERED] - due[LEASE_OFFERED];
	st->declined = p->held[LEASE_DECLINED] - due[LEASE_DECLINED];
	st->free = st->total - st->leased - st->offered - st->declined;
	return (0);
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
