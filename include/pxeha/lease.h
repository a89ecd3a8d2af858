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
 * Split: table.c and record.c are pure (no I/O, no clock: `now` is passed
 * in, wall-clock seconds); journal.c does the file I/O, snapshots included.
 *
 * Sequence numbers work like a Lamport clock: a commit takes last + 1, a
 * record applied with its own seq (journal replay, peer) raises last to
 * at least that seq, and for one address the record with the higher seq
 * wins.  So a replay is idempotent and a commit after an apply is newer
 * than anything the table has seen.
 */
#ifndef PXEHA_LEASE_H
#define PXEHA_LEASE_H

#include <stddef.h>
#include <stdint.h>

#define LEASE_HW_MAX	16
#define LEASE_CID_MAX	64	/* longer client ids are refused by the server */
#define LEASE_HOST_MAX	64	/* including the NUL: at most 63 characters */
#define LEASE_POOL_MAX	(1u << 22)	/* addresses in one pool */

/* Error codes (negative returns). */
#define LEASE_E_NOMEM	1	/* out of memory (or the journal queue is full) */
#define LEASE_E_INVAL	2	/* an argument or lease field is out of range */
#define LEASE_E_SPACE	3	/* the output buffer is too small */
#define LEASE_E_FORMAT	4	/* malformed encoded record */
#define LEASE_E_IO	5	/* file I/O failed (logged) */

enum lease_state {
	LEASE_FREE = 0,		/* not in use (kept only as history) */
	LEASE_OFFERED,		/* held for an OFFER until expires */
	LEASE_ACTIVE,		/* ACKed; until expires */
	LEASE_RELEASED,		/* client released it */
	LEASE_EXPIRED,		/* lease time ran out */
	LEASE_DECLINED,		/* quarantined until expires (probation) */
	LEASE_STATE_COUNT
};

/*
 * OFFERED, ACTIVE and DECLINED hold their address until `expires`; from
 * then on, and in every other state, the address is free.  For FREE,
 * RELEASED and EXPIRED, `expires` is when the lease ended.
 */
struct lease {
	uint32_t	 addr;			/* host byte order; never 0 */
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

/* An empty table; NULL when out of memory.  lease_table_free(NULL) is a no-op. */
struct lease_table *lease_table_new(void);
void		 lease_table_free(struct lease_table *);

/*
 * Key the client-id and hardware-address hashes (SipHash) so a client
 * cannot choose identifiers that collide.  Call it on an empty table,
 * with random bytes from the shell; without it a fixed key is used.
 * Returns 0, or -LEASE_E_INVAL when the table already holds leases.
 */
int		 lease_table_set_key(struct lease_table *, const uint8_t key[16]);

/*
 * Declare a pool [first, last] of subnet index `subnet`; excluded ranges
 * and address 0 are never handed out.  Addresses with a lease already in
 * the table are not put on the free list while the lease holds them;
 * those whose lease ended queue behind the never-used ones, in the order
 * they ended.  Setup time: O(last - first).  Returns a pool id >= 0,
 * -LEASE_E_INVAL (first > last, more than LEASE_POOL_MAX addresses, or
 * overlapping another pool) or -LEASE_E_NOMEM.
 */
int		 lease_table_add_pool(struct lease_table *, uint32_t subnet,
		    uint32_t first, uint32_t last);
/*
 * Never allocate [first, last], in the pools declared so far and later
 * ones.  A lease already on such an address stays as it is.  Returns 0,
 * -LEASE_E_INVAL (first > last) or -LEASE_E_NOMEM.
 */
int		 lease_table_exclude(struct lease_table *, uint32_t first,
		    uint32_t last);

/*
 * Take a free address from pool `pool` at time now (wall seconds): the one
 * free longest (so a departed client's address is reused last).  Addresses
 * whose lease ended (EXPIRED, RELEASED, DECLINED after probation, OFFERED
 * after the offer expired) are free from `expires` on.  The address stays
 * free until a commit takes it, but moves to the back of the queue, so a
 * second alloc before that commit returns another one.  O(1) amortized,
 * plus O(log n) per lease that ran out since the last call.  Returns the
 * address, or 0 when the pool is exhausted (or `pool` is not a pool id).
 */
uint32_t	 lease_table_alloc(struct lease_table *, int pool, int64_t now);

/*
 * Lookups (NULL when absent).  The pointer is valid until the next call
 * that changes the table.  A client id or hardware address finds the
 * lease that most recently took it; when that lease changes to another
 * client the old key is forgotten.  Empty keys are never found.
 */
const struct lease *lease_table_find_addr(const struct lease_table *,
		    uint32_t addr);
const struct lease *lease_table_find_cid(const struct lease_table *,
		    const uint8_t *cid, size_t cidlen);
const struct lease *lease_table_find_hw(const struct lease_table *,
		    uint8_t hwtype, const uint8_t *hw, size_t hwlen);

/*
 * Apply a change (the full new lease record, l->addr as key; l->seq is
 * ignored).  Gives it the next sequence number (returned, and stored in
 * the table), updates every index and the free lists.  l is copied and
 * may point into the table.  This is what the server calls.  Returns the
 * seq, or 0 (table unchanged) when a field is out of range (addr 0, state,
 * hwlen, cidlen) or memory runs out.
 */
uint64_t	 lease_table_commit(struct lease_table *, const struct lease *l);

/*
 * Apply a record that already has a sequence number (journal replay,
 * peer): stored as is, with l->seq, when it is newer than what the table
 * holds for l->addr; the table's last seq becomes max(last, l->seq).
 * Returns 0 when applied, 1 when ignored (the table has that address at
 * an equal or higher seq), -LEASE_E_INVAL (bad field, seq 0) or
 * -LEASE_E_NOMEM (table unchanged).  O(1) when records come in ascending
 * seq (journal, snapshot, a peer's change stream), O(log n) otherwise.
 */
int		 lease_table_apply(struct lease_table *, const struct lease *l);

uint64_t	 lease_table_seq(const struct lease_table *);	/* last seq */
/* Leases in the table: every address ever committed, history included. */
size_t		 lease_table_count(const struct lease_table *);

/*
 * Call fn for each lease changed after seq `since`, in sequence order
 * (each lease once, in its latest form).  fn returning non-zero stops;
 * fn must not change the table.  O(number of leases reported).
 */
void		 lease_table_changes_since(const struct lease_table *,
		    uint64_t since, int (*fn)(const struct lease *, void *),
		    void *arg);
/* Every lease, ordered by address; same rules for fn. */
void		 lease_table_walk(const struct lease_table *,
		    int (*fn)(const struct lease *, void *), void *arg);

/*
 * Counts for pool `pool` at now: total excludes excluded addresses;
 * leased, offered and declined count leases holding their address at now
 * (ACTIVE, OFFERED, DECLINED before expires); free is the rest.  Returns
 * 0 or -LEASE_E_INVAL (no such pool).
 */
struct lease_pool_stats {
	uint64_t	 total, free, leased, offered, declined;
};
int		 lease_table_pool_stats(const struct lease_table *, int pool,
		    int64_t now, struct lease_pool_stats *);

/* Record codec (pure; shared by the journal and the HA wire) ----------- */

#define LEASE_REC_MAX	256	/* encoded size bound */

/*
 * Encode l into buf (version 1, big-endian, every field including seq).
 * The hostname is cut at its NUL (63 characters at most) and bytes outside
 * printable ASCII become '?'.  Returns bytes written, -LEASE_E_SPACE if
 * buflen is too small, or -LEASE_E_INVAL if a field is out of range.
 */
int		 lease_rec_encode(const struct lease *l, uint8_t *buf,
		    size_t buflen);
/*
 * Decode exactly len bytes into *l (fully overwritten on success, hostname
 * NUL-terminated).  Every length is checked; an unknown version, state,
 * address 0, non-printable hostname or trailing byte is refused, so
 * anything accepted re-encodes to the same bytes.  Returns 0 or
 * -LEASE_E_FORMAT.
 */
int		 lease_rec_decode(const uint8_t *buf, size_t len,
		    struct lease *l);

/* Journal (I/O) --------------------------------------------------------- */

struct lease_journal;

/*
 * Open (creating dir and files when missing) the journal in dir and
 * replay leases.snapshot and then leases.journal into t.  A torn or
 * corrupt journal tail is truncated, how many bytes and records were
 * dropped is logged, and the dropped bytes are kept in
 * leases.journal.dropped for inspection.  Returns NULL (logged) on an
 * I/O error, on a file of an unknown version, or on a record whose CRC
 * is right but whose content is not: files are left untouched then, and t
 * may hold part of their records (discard it).
 */
struct lease_journal *lease_journal_open(const char *dir,
		    struct lease_table *t);
/* Flush what is queued (errors logged) and close.  No flush may be running. */
void		 lease_journal_close(struct lease_journal *);

/*
 * Queue the record for l (already committed to the table, so l->seq set).
 * Thread-safe against flush.  Returns 0, -LEASE_E_INVAL (bad lease or seq
 * 0) or -LEASE_E_NOMEM (out of memory, or the queue is full because
 * flushes keep failing).
 */
int		 lease_journal_append(struct lease_journal *,
		    const struct lease *l);

/*
 * Write everything queued with one write and one fdatasync.  Group
 * commit: one call covers every record appended before it; it may run on
 * a worker thread while appends go on.  Returns the highest seq now
 * durable (0 when nothing ever was), or 0 on an I/O error (logged;
 * callers must not send ACKs then).  The records stay queued after an
 * error; after a failed fdatasync every flush fails until a compaction
 * succeeds, since the kernel may have dropped the unsynced pages.
 */
uint64_t	 lease_journal_flush(struct lease_journal *);
/* The last seq made durable by open, a flush or a compaction; any thread. */
uint64_t	 lease_journal_durable_seq(const struct lease_journal *);

/* Journal bytes since the last compaction: compact when this grows large. */
uint64_t	 lease_journal_bytes(const struct lease_journal *);

/*
 * Write a snapshot of t and start a new journal, both swapped in with
 * atomic renames and directory fsyncs; a crash at any point leaves a
 * snapshot and journal that replay to every durable lease.  Call it on
 * the thread that owns t; it waits for a running flush and blocks while
 * it writes.  On success everything committed to t is durable.  Returns
 * 0 or -LEASE_E_IO / -LEASE_E_NOMEM (logged; the old files stay in use).
 */
int		 lease_journal_compact(struct lease_journal *,
		    const struct lease_table *t);

#endif
