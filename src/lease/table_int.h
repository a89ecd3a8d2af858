/*
 * Private to table.c and pool.c: the lease table's layout, shared by the
 * indexes (table.c) and the per-pool allocation machinery (pool.c).
 * Pure, like both of them.
 */
#ifndef PXEHA_TABLE_INT_H
#define PXEHA_TABLE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "pxeha/lease.h"

#define NONE		UINT32_MAX
#define ENT_SHIFT	8
#define ENT_CHUNK	(1u << ENT_SHIFT)

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

/* Entries never move once allocated: no big copies as the table grows. */
static inline struct lt_ent *
ent(const struct lease_table *t, uint32_t e)
{
	return (&t->chunk[e >> ENT_SHIFT][e & (ENT_CHUNK - 1)]);
}

/* table.c ---------------------------------------------------------------- */

/* The entry number for addr in the address trie, or NONE. */
uint32_t	lease_trie_get(const struct lease_table *, uint32_t addr);

/* pool.c ----------------------------------------------------------------- */

/*
 * The pool side of a change to l, already stored in its entry: held
 * addresses go on the heap, free ones on the FIFO.  p is the pool that
 * holds l->addr.  Never fails: the pool's arrays are sized at add_pool.
 */
void		lease_pool_update(struct lt_pool *p, const struct lease *l);
/* Free what p owns (not p itself); p's arrays may be NULL. */
void		lease_pool_fini(struct lt_pool *p);
/* The id of the pool holding addr, or -1 when it is in none. */
int		lease_pool_of(const struct lease_table *, uint32_t addr);

#endif
