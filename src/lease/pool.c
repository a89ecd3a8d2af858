/*
 * The lease table's per-pool allocation machinery.  Pure, like table.c:
 * no I/O, no clock; `now` comes in as an argument.
 *
 * Per pool, arrays indexed by addr - first: a FIFO of free addresses
 * (linked through next/prev, so a commit can take any address out in
 * O(1)) and a min-heap, keyed by expires, of the addresses a lease holds
 * (OFFERED, ACTIVE, DECLINED).  Every non-excluded address is in exactly
 * one of the two.  alloc first moves the heap entries that ran out by
 * `now` to the FIFO tail, in expiry order, then takes the FIFO head:
 * O(1) amortized plus O(log n) per expiry.  An expired lease therefore
 * joins the queue when the next alloc notices it, not at the moment it
 * expired, which can put it behind an address released after it; the
 * order among expiries is exact.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/lease.h"
#include "table_int.h"

#define PF_EXCL		0x01	/* never allocated */
#define PF_FIFO		0x02	/* on the free FIFO */
#define PF_SEEN		0x04	/* add_pool scratch: a lease is on it */

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
void
lease_pool_update(struct lt_pool *p, const struct lease *l)
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

void
lease_pool_fini(struct lt_pool *p)
{
	free(p->next);
	free(p->prev);
	free(p->hpos);
	free(p->flags);
	free(p->heap);
}

int
lease_pool_of(const struct lease_table *t, uint32_t addr)
{
	int i;

	for (i = 0; i < t->npools; i++)
		if (addr - t->pools[i].first < t->pools[i].n)
			return (i);
	return (-1);
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
		lease_pool_fini(p);
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
		e = lease_trie_get(t, p->first + off);
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
