/*
 * The lease store: the only owner of lease state.
 *
 * In memory: every lease indexed by address, by client identifier (option
 * 61) and by hardware address, and a free list per pool so allocation is
 * O(1).  On disk (state_dir): an append-only journal of records, each with
 * length, sequence number and CRC32, plus periodic snapshots.  Every
 * committed change carries a monotonic sequence number; the journal, the
 * change stream for failover replication and bulk resync all speak it.
 *
 * Split: table.c is pure (no I/O, no clock: `now` is passed in, wall-clock
 * seconds); journal.c and compact.c do the file I/O.
 */
#ifndef PXEHA_LEASE_H
#define PXEHA_LEASE_H

#include <stddef.h>
#include <stdint.h>

#define LEASE_HW_MAX	16
#define LEASE_CID_MAX	64	/* longer client ids are refused by the server */
#define LEASE_HOST_MAX	64

enum lease_state {
	LEASE_FREE = 0,		/* not in use (kept only as history) */
	LEASE_OFFERED,		/* held for an OFFER until offer_expires */
	LEASE_ACTIVE,		/* ACKed; until expires */
	LEASE_RELEASED,		/* client released it */
	LEASE_EXPIRED,		/* lease time ran out */
	LEASE_DECLINED,		/* quarantined until expires (probation) */
	LEASE_STATE_COUNT
};

struct lease {
	uint32_t	 addr;			/* host byte order */
	enum lease_state state;
	uint8_t		 hwtype, hwlen;
	uint8_t		 hw[LEASE_HW_MAX];
	uint8_t		 cidlen;
	uint8_t		 cid[LEASE_CID_MAX];
	char		 hostname[LEASE_HOST_MAX];	/* option 12, sanitized */
	int64_t		 starts;		/* wall seconds */
	int64_t		 expires;		/* wall seconds; state end */
	uint32_t	 subnet;		/* config subnet index */
	uint64_t	 seq;			/* of the change that made this */
};

struct lease_table;

/* Allocation ----------------------------------------------------------- */

struct lease_table *lease_table_new(void);
void		 lease_table_free(struct lease_table *);

/*
 * Declare a pool [first, last] of subnet index `subnet`; excluded ranges
 * are skipped.  Addresses with a lease already in the table are not put on
 * the free list.  Returns a pool id >= 0 or -1 (out of memory).
 */
int		 lease_table_add_pool(struct lease_table *, uint32_t subnet,
		    uint32_t first, uint32_t last);
int		 lease_table_exclude(struct lease_table *, uint32_t first,
		    uint32_t last);

/*
 * Take a free address from pool `pool` at time now (wall seconds): the one
 * free longest (so a departed client's address is reused last).  Addresses
 * whose lease ended (EXPIRED, RELEASED, DECLINED after probation) are
 * free.  Returns the address, or 0 when the pool is exhausted.
 */
uint32_t	 lease_table_alloc(struct lease_table *, int pool, int64_t now);

/* Lookups (NULL when absent).  The pointer is valid until the next commit. */
const struct lease *lease_table_find_addr(const struct lease_table *,
		    uint32_t addr);
const struct lease *lease_table_find_cid(const struct lease_table *,
		    const uint8_t *cid, size_t cidlen);
const struct lease *lease_table_find_hw(const struct lease_table *,
		    uint8_t hwtype, const uint8_t *hw, size_t hwlen);

/*
 * Apply a change (the full new lease record, l->addr as key).  Gives it
 * the next sequence number (returned, and stored in the table), updates
 * every index and the free lists.  This is what the server, the journal
 * replay and the failover peer all call.  Returns the seq, 0 on failure.
 */
uint64_t	 lease_table_commit(struct lease_table *, const struct lease *l);

/* Apply a record that already has a sequence number (journal replay, peer). */
int		 lease_table_apply(struct lease_table *, const struct lease *l);

uint64_t	 lease_table_seq(const struct lease_table *);	/* last seq */

/*
 * Call fn for each lease changed after seq `since`, in sequence order
 * (each lease once, in its latest form).  fn returning non-zero stops.
 */
void		 lease_table_changes_since(const struct lease_table *,
		    uint64_t since, int (*fn)(const struct lease *, void *),
		    void *arg);
/* Every lease, ordered by address. */
void		 lease_table_walk(const struct lease_table *,
		    int (*fn)(const struct lease *, void *), void *arg);

struct lease_pool_stats {
	uint64_t	 total, free, leased, offered, declined;
};
int		 lease_table_pool_stats(const struct lease_table *, int pool,
		    int64_t now, struct lease_pool_stats *);

/* Record codec (pure; shared by the journal and the HA wire) ----------- */

#define LEASE_REC_MAX	256	/* encoded size bound */

/* Encode l into buf; returns bytes written or -1 if buflen is too small. */
int		 lease_rec_encode(const struct lease *l, uint8_t *buf,
		    size_t buflen);
/* Decode exactly len bytes; returns 0 or -1 on malformed input. */
int		 lease_rec_decode(const uint8_t *buf, size_t len,
		    struct lease *l);

/* Journal (I/O) --------------------------------------------------------- */

struct lease_journal;

/*
 * Open (creating) the journal in dir and replay the snapshot and journal
 * into t.  A torn or corrupt tail is truncated, and how many records were
 * dropped is logged.  Returns NULL (logged) on an I/O error.
 */
struct lease_journal *lease_journal_open(const char *dir,
		    struct lease_table *t);
void		 lease_journal_close(struct lease_journal *);

/* Queue the record for l (already committed to the table, so l->seq set). */
int		 lease_journal_append(struct lease_journal *,
		    const struct lease *l);

/*
 * Write everything queued and fdatasync it.  Group commit: one call covers
 * every record appended before it.  Returns the highest seq now durable,
 * or 0 on an I/O error (logged; callers must not send ACKs then).
 */
uint64_t	 lease_journal_flush(struct lease_journal *);
uint64_t	 lease_journal_durable_seq(const struct lease_journal *);

/*
 * Write a snapshot of t and start a new journal, both swapped in with
 * atomic renames (and a directory fsync).  Returns 0 or -1 (logged).
 */
int		 lease_journal_compact(struct lease_journal *,
		    const struct lease_table *t);

#endif
