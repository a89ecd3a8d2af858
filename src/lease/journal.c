/*
 * Lease journal and snapshots (I/O shell of the lease store).
 *
 * Files in state_dir, both with the same framing:
 *
 *	header:	"PXLJ" (journal) or "PXLS" (snapshot), u32 version (1)
 *	frame:	u32 len, u64 seq, u32 crc, payload[len]
 *
 * big-endian, where payload is lease_rec_encode() output and crc is zlib's
 * CRC-32 over len, seq and payload.  Replay applies records with
 * lease_table_apply(), which keeps the newer seq per address; that makes
 * replaying a journal over a snapshot that already holds its records
 * harmless, which is what lets compaction swap the two files one at a
 * time.  Compaction, in this order:
 *
 *	1. write leases.snapshot.tmp, fsync, rename to leases.snapshot,
 *	   fsync the directory;
 *	2. write leases.journal.tmp (header only), fsync, rename to
 *	   leases.journal, fsync the directory.
 *
 * The snapshot lists the leases in seq order (the change stream from 0),
 * so replay appends each at the tail of the table's change list in O(1).
 *
 * A crash before 1's rename leaves the old pair; between 1 and 2 the new
 * snapshot plus the old journal (whose records are all older, so ignored);
 * after 2 the new pair.  No step loses a durable record.
 *
 * Threads: appends (event loop) take only qlock, to add a frame to the
 * queue.  Flush (a worker) holds iolock throughout, swaps the queue out
 * under qlock, then writes and syncs without it, so appends never wait
 * for the disk.  Compaction holds iolock too, so it waits for a flush in
 * progress and the next flush waits for it.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pxeha/lease.h"
#include "pxeha/log.h"

#define J_VERSION	1
#define J_HDR		8	/* magic, version */
#define J_FRAME		16	/* len, seq, crc */
#define J_FRAME_MAX	(J_FRAME + LEASE_REC_MAX)
#define J_QUEUE_MAX	(16u << 20)	/* ~100k records waiting for a flush */
#define J_RDBUF		65536

static const char J_MAGIC[4] = { 'P', 'X', 'L', 'J' };
static const char S_MAGIC[4] = { 'P', 'X', 'L', 'S' };

#define J_NAME		"leases.journal"
#define J_TMP		"leases.journal.tmp"
#define J_DROPPED	"leases.journal.dropped"
#define S_NAME		"leases.snapshot"
#define S_TMP		"leases.snapshot.tmp"

struct jbuf {
	uint8_t		*p;
	size_t		 len, cap;
};

struct lease_journal {
	char		*dir;		/* for messages */
	int		 dirfd;
	pthread_mutex_t	 iolock;	/* fd, size, failed, spare */
	pthread_mutex_t	 qlock;		/* q, qmax */
	int		 fd;		/* leases.journal */
	uint64_t	 size;		/* bytes of intact frames in it */
	int		 failed;	/* fdatasync failed: compact to recover */
	struct jbuf	 q;		/* frames waiting for a flush */
	uint64_t	 qmax;		/* highest seq in q */
	struct jbuf	 spare;		/* swapped with q by each flush */
	_Atomic uint64_t durable;
	_Atomic uint64_t jbytes;
};

/* Buffered reader over pread(): replay does not depend on the offset. */
struct jrd {
	int		 fd;
	uint8_t		*buf;
	size_t		 pos, len;
	uint64_t	 off;		/* file offset of buf[pos] */
};

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

static uint32_t
frame_crc(const uint8_t *fr, uint32_t len)
{
	uLong crc;

	crc = crc32(0L, fr, 12);
	crc = crc32(crc, fr + J_FRAME, (uInt)len);
	return ((uint32_t)crc);
}

/* Frame l into dst (J_FRAME_MAX bytes); returns the length or 0. */
static size_t
frame_put(uint8_t *dst, const struct lease *l)
{
	int n;

	if (l->seq == 0 ||
	    (n = lease_rec_encode(l, dst + J_FRAME, LEASE_REC_MAX)) < 0)
		return (0);
	put32(dst, (uint32_t)n);
	put32(dst + 4, (uint32_t)(l->seq >> 32));
	put32(dst + 8, (uint32_t)l->seq);
	put32(dst + 12, frame_crc(dst, (uint32_t)n));
	return (J_FRAME + (size_t)n);
}

static void
hdr_put(uint8_t *dst, const char magic[4])
{
	memcpy(dst, magic, 4);
	put32(dst + 4, J_VERSION);
}

static int
write_all(int fd, const uint8_t *p, size_t n, uint64_t off)
{
	ssize_t w;

	while (n > 0) {
		if ((w = pwrite(fd, p, n, (off_t)off)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += w;
		n -= (size_t)w;
		off += (uint64_t)w;
	}
	return (0);
}

/* Copy up to n bytes; *got < n only at end of file.  -1 on read error. */
static int
rd_get(struct jrd *r, uint8_t *dst, size_t n, size_t *got)
{
	ssize_t k;
	size_t c;

	*got = 0;
	while (*got < n) {
		if (r->pos == r->len) {
			k = pread(r->fd, r->buf, J_RDBUF, (off_t)r->off);
			if (k == -1 && errno == EINTR)
				continue;
			if (k == -1)
				return (-1);
			if (k == 0)
				return (0);
			r->pos = 0;
			r->len = (size_t)k;
		}
		c = r->len - r->pos < n - *got ? r->len - r->pos : n - *got;
		memcpy(dst + *got, r->buf + r->pos, c);
		r->pos += c;
		r->off += c;
		*got += c;
	}
	return (0);
}

static void
rd_seek(struct jrd *r, uint64_t off)
{
	r->pos = r->len = 0;
	r->off = off;
}

/*
 * Read the next frame into fr.  Returns 0 (frame read, *len set), 1 at a
 * clean end of file, 2 at a torn or corrupt frame, -1 on a read error.
 */
static int
frame_get(struct jrd *r, uint8_t *fr, uint32_t *len)
{
	size_t got;

	if (rd_get(r, fr, J_FRAME, &got) == -1)
		return (-1);
	if (got == 0)
		return (1);
	if (got < J_FRAME)
		return (2);
	*len = get32(fr);
	if (*len == 0 || *len > LEASE_REC_MAX)
		return (2);
	if (rd_get(r, fr + J_FRAME, *len, &got) == -1)
		return (-1);
	if (got < *len || frame_crc(fr, *len) != get32(fr + 12))
		return (2);
	return (0);
}

/*
 * Apply the frames from r's offset to t.  *good is left at the end of
 * the last intact frame.  Returns 0 at a clean end, 1 at a torn or
 * corrupt frame, -1 (logged) on a read error, on a frame whose CRC holds
 * but whose content does not, or when the table is out of memory.
 */
static int
replay(struct lease_journal *j, const char *name, struct jrd *r,
    struct lease_table *t, uint64_t *good, uint64_t *nrec)
{
	uint8_t fr[J_FRAME_MAX];
	struct lease l;
	uint64_t seq;
	uint32_t len;
	int rc;

	for (;;) {
		*good = r->off;
		if ((rc = frame_get(r, fr, &len)) == -1) {
			log_warn("lease journal: read %s/%s", j->dir, name);
			return (-1);
		}
		if (rc > 0)
			return (rc - 1);
		seq = (uint64_t)get32(fr + 4) << 32 | get32(fr + 8);
		if (lease_rec_decode(fr + J_FRAME, len, &l) != 0 ||
		    l.seq != seq || seq == 0) {
			log_warnx("lease journal: %s/%s: record at offset %"
			    PRIu64 " is intact but unreadable (another "
			    "version?); refusing to start", j->dir, name,
			    *good);
			return (-1);
		}
		if ((rc = lease_table_apply(t, &l)) < 0) {
			log_warnx("lease journal: %s/%s: cannot apply record "
			    "at offset %" PRIu64 " (error %d)", j->dir, name,
			    *good, rc);
			return (-1);
		}
		(*nrec)++;
	}
}

/* Check a file header; -1 (logged) unless it is ours, 1 when short. */
static int
hdr_check(struct lease_journal *j, const char *name, struct jrd *r,
    const char magic[4])
{
	uint8_t h[J_HDR];
	size_t got;

	if (rd_get(r, h, J_HDR, &got) == -1) {
		log_warn("lease journal: read %s/%s", j->dir, name);
		return (-1);
	}
	if (got < J_HDR)
		return (1);
	if (memcmp(h, magic, 4) != 0 || get32(h + 4) != J_VERSION) {
		log_warnx("lease journal: %s/%s: not a version %d lease file; "
		    "refusing to start", j->dir, name, J_VERSION);
		return (-1);
	}
	return (0);
}

static int
fsync_dir(struct lease_journal *j)
{
	if (fsync(j->dirfd) == -1) {
		log_warn("lease journal: fsync %s", j->dir);
		return (-1);
	}
	return (0);
}

/*
 * Create name holding only a header, atomically: tmp, fsync, rename,
 * directory fsync.  Returns 0 with *fdp open on the new file; -1 (logged)
 * when nothing changed; -2 (logged) when name is the new file, *fdp open
 * on it, but the directory fsync failed, so the rename may not survive a
 * crash.
 */
static int
file_new(struct lease_journal *j, const char *tmp, const char *name,
    const char magic[4], int *fdp)
{
	uint8_t h[J_HDR];
	int fd;

	hdr_put(h, magic);
	*fdp = -1;
	fd = openat(j->dirfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600);
	if (fd == -1 || write_all(fd, h, J_HDR, 0) == -1 || fsync(fd) == -1 ||
	    renameat(j->dirfd, tmp, j->dirfd, name) == -1) {
		log_warn("lease journal: create %s/%s", j->dir, name);
		if (fd != -1)
			close(fd);
		unlinkat(j->dirfd, tmp, 0);
		return (-1);
	}
	*fdp = fd;
	return (fsync_dir(j) == -1 ? -2 : 0);
}

/* Keep the bytes about to be truncated away, for whoever investigates. */
static void
save_dropped(struct lease_journal *j, uint64_t good, uint64_t size)
{
	uint8_t buf[8192];
	uint64_t off;
	ssize_t k;
	int out;

	out = openat(j->dirfd, J_DROPPED, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600);
	if (out == -1) {
		log_warn("lease journal: create %s/" J_DROPPED, j->dir);
		return;
	}
	for (off = good; off < size; off += (uint64_t)k) {
		k = pread(j->fd, buf, size - off < sizeof(buf) ?
		    (size_t)(size - off) : sizeof(buf), (off_t)off);
		if (k <= 0 || write_all(out, buf, (size_t)k, off - good) == -1) {
			log_warn("lease journal: copy to %s/" J_DROPPED,
			    j->dir);
			break;
		}
	}
	if (fsync(out) == -1)
		log_warn("lease journal: fsync %s/" J_DROPPED, j->dir);
	close(out);
}

/*
 * The journal is intact up to good (< size): log what goes, keep it in
 * leases.journal.dropped, and truncate.  A crash can only tear the last
 * write, whose records were never acknowledged; intact frames after the
 * damaged one suggest the disk damaged the file in place instead.
 */
static int
drop_tail(struct lease_journal *j, struct jrd *r, uint64_t good,
    uint64_t size)
{
	uint8_t fr[J_FRAME_MAX];
	uint64_t after = 0;
	uint32_t len;
	size_t got;

	rd_seek(r, good);
	if (rd_get(r, fr, J_FRAME, &got) == 0 && got == J_FRAME &&
	    (len = get32(fr)) > 0 && len <= LEASE_REC_MAX) {
		rd_seek(r, good + J_FRAME + len);
		while (frame_get(r, fr, &len) == 0)
			after++;
	}
	log_warnx("lease journal: %s/" J_NAME ": record at offset %" PRIu64
	    " is torn or corrupt: dropping %" PRIu64 " bytes, %" PRIu64
	    " record(s); kept in " J_DROPPED, j->dir, good, size - good,
	    after + 1);
	if (after > 0)
		log_warnx("lease journal: %s/" J_NAME ": %" PRIu64 " intact "
		    "record(s) followed the damage: unless the host crashed "
		    "mid-write, the file was damaged and acknowledged leases "
		    "are lost", j->dir, after);
	save_dropped(j, good, size);
	if (ftruncate(j->fd, (off_t)good) == -1 || fsync(j->fd) == -1) {
		log_warn("lease journal: truncate %s/" J_NAME, j->dir);
		return (-1);
	}
	return (0);
}

static int
load_snapshot(struct lease_journal *j, struct lease_table *t, struct jrd *r)
{
	uint64_t good, n = 0;
	int fd, rc;

	if ((fd = openat(j->dirfd, S_NAME, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return (0);
		log_warn("lease journal: open %s/" S_NAME, j->dir);
		return (-1);
	}
	r->fd = fd;
	rd_seek(r, 0);
	if ((rc = hdr_check(j, S_NAME, r, S_MAGIC)) == 1) {
		log_warnx("lease journal: %s/" S_NAME ": shorter than its "
		    "header; ignored", j->dir);
		rc = 0;
	} else if (rc == 0 &&
	    (rc = replay(j, S_NAME, r, t, &good, &n)) == 1) {
		/* Written whole before its rename: this is disk damage. */
		log_warnx("lease journal: %s/" S_NAME ": corrupt record at "
		    "offset %" PRIu64 ": %" PRIu64 " record(s) before it "
		    "loaded, the rest lost", j->dir, good, n);
		rc = 0;
	}
	close(fd);
	return (rc);
}

static int
open_journal(struct lease_journal *j, struct lease_table *t, struct jrd *r)
{
	struct stat st;
	uint64_t good, n = 0;
	int rc;

	if ((j->fd = openat(j->dirfd, J_NAME, O_RDWR | O_CLOEXEC)) == -1 &&
	    errno != ENOENT) {
		log_warn("lease journal: open %s/" J_NAME, j->dir);
		return (-1);
	}
	if (j->fd != -1) {
		if (fstat(j->fd, &st) == -1) {
			log_warn("lease journal: stat %s/" J_NAME, j->dir);
			return (-1);
		}
		r->fd = j->fd;
		rd_seek(r, 0);
		if ((rc = hdr_check(j, J_NAME, r, J_MAGIC)) == -1)
			return (-1);
		if (rc == 1) {
			log_warnx("lease journal: %s/" J_NAME ": shorter than "
			    "its header; starting a new one", j->dir);
			close(j->fd);
			j->fd = -1;
		}
	}
	if (j->fd == -1) {
		j->size = J_HDR;
		return (file_new(j, J_TMP, J_NAME, J_MAGIC, &j->fd) == 0 ?
		    0 : -1);
	}
	if (replay(j, J_NAME, r, t, &good, &n) == -1)
		return (-1);
	if (good < (uint64_t)st.st_size &&
	    drop_tail(j, r, good, (uint64_t)st.st_size) == -1)
		return (-1);
	j->size = good;
	atomic_store(&j->jbytes, good - J_HDR);
	return (0);
}

struct lease_journal *
lease_journal_open(const char *dir, struct lease_table *t)
{
	struct lease_journal *j;
	struct jrd r = { -1, NULL, 0, 0, 0 };

	if ((j = calloc(1, sizeof(*j))) == NULL) {
		log_warnx("lease journal: out of memory");
		return (NULL);
	}
	j->dirfd = j->fd = -1;
	pthread_mutex_init(&j->iolock, NULL);
	pthread_mutex_init(&j->qlock, NULL);
	if ((j->dir = strdup(dir)) == NULL ||
	    (r.buf = malloc(J_RDBUF)) == NULL) {
		log_warnx("lease journal: out of memory");
		goto fail;
	}
	if ((j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 &&
	    errno == ENOENT && mkdir(dir, 0700) == 0)
		j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd == -1) {
		log_warn("lease journal: open %s", dir);
		goto fail;
	}
	/* Leftovers of a compaction a crash interrupted. */
	unlinkat(j->dirfd, S_TMP, 0);
	unlinkat(j->dirfd, J_TMP, 0);
	if (load_snapshot(j, t, &r) == -1 || open_journal(j, t, &r) == -1)
		goto fail;
	free(r.buf);
	atomic_store(&j->durable, lease_table_seq(t));
	log_info("lease journal: %s: %zu lease(s), last seq %" PRIu64,
	    dir, lease_table_count(t), lease_table_seq(t));
	return (j);
fail:
	free(r.buf);
	lease_journal_close(j);
	return (NULL);
}

void
lease_journal_close(struct lease_journal *j)
{
	if (j == NULL)
		return;
	if (j->q.len > 0 && j->fd != -1)
		(void)lease_journal_flush(j);
	if (j->fd != -1)
		close(j->fd);
	if (j->dirfd != -1)
		close(j->dirfd);
	pthread_mutex_destroy(&j->qlock);
	pthread_mutex_destroy(&j->iolock);
	free(j->spare.p);
	free(j->q.p);
	free(j->dir);
	free(j);
}

int
lease_journal_append(struct lease_journal *j, const struct lease *l)
{
	uint8_t fr[J_FRAME_MAX], *np;
	size_t n, ncap;
	int rc = 0;

	if ((n = frame_put(fr, l)) == 0)
		return (-LEASE_E_INVAL);
	pthread_mutex_lock(&j->qlock);
	if (j->q.len + n > j->q.cap) {
		for (ncap = j->q.cap == 0 ? 16384 : j->q.cap;
		    ncap < j->q.len + n; ncap *= 2)
			;
		if (j->q.len + n > J_QUEUE_MAX ||
		    (np = realloc(j->q.p, ncap)) == NULL)
			rc = -LEASE_E_NOMEM;
		else {
			j->q.p = np;
			j->q.cap = ncap;
		}
	}
	if (rc == 0) {
		memcpy(j->q.p + j->q.len, fr, n);
		j->q.len += n;
		if (l->seq > j->qmax)
			j->qmax = l->seq;
	}
	pthread_mutex_unlock(&j->qlock);
	return (rc);
}

/*
 * After a failed write, put w's frames back in front of the queue so the
 * next flush rewrites them, in order, at the same offset.  w gets the
 * old queue buffer, emptied.  Called with iolock held.
 */
static void
requeue(struct lease_journal *j, struct jbuf *w, uint64_t max)
{
	struct jbuf tmp;
	uint8_t *np;
	size_t need;

	pthread_mutex_lock(&j->qlock);
	need = w->len + j->q.len;
	if (need > w->cap) {
		if ((np = realloc(w->p, need)) == NULL) {
			log_warnx("lease journal: out of memory: %zu queued "
			    "bytes lost until a compaction", w->len);
			j->failed = 1;
			w->len = 0;
			pthread_mutex_unlock(&j->qlock);
			return;
		}
		w->p = np;
		w->cap = need;
	}
	if (j->q.len > 0)
		memcpy(w->p + w->len, j->q.p, j->q.len);
	w->len = need;
	tmp = j->q;
	j->q = *w;
	*w = tmp;
	w->len = 0;
	if (max > j->qmax)
		j->qmax = max;
	pthread_mutex_unlock(&j->qlock);
}

uint64_t
lease_journal_flush(struct lease_journal *j)
{
	struct jbuf w;
	uint64_t max, d;

	pthread_mutex_lock(&j->iolock);
	pthread_mutex_lock(&j->qlock);
	w = j->q;
	j->q = j->spare;
	j->q.len = 0;
	max = j->qmax;
	j->qmax = 0;
	pthread_mutex_unlock(&j->qlock);
	d = 0;
	if (w.len == 0)
		d = atomic_load(&j->durable);
	else if (j->failed)
		requeue(j, &w, max);
	else if (write_all(j->fd, w.p, w.len, j->size) == -1) {
		log_warn("lease journal: write %s/" J_NAME, j->dir);
		if (ftruncate(j->fd, (off_t)j->size) == -1)
			log_warn("lease journal: truncate %s/" J_NAME, j->dir);
		requeue(j, &w, max);
	} else if (fdatasync(j->fd) == -1) {
		log_warn("lease journal: fdatasync %s/" J_NAME ": failing "
		    "every flush until a compaction succeeds", j->dir);
		j->failed = 1;
		requeue(j, &w, max);
	} else {
		j->size += w.len;
		atomic_store(&j->jbytes, j->size - J_HDR);
		if (max > atomic_load(&j->durable))
			atomic_store(&j->durable, max);
		d = atomic_load(&j->durable);
		w.len = 0;
	}
	j->spare = w;
	pthread_mutex_unlock(&j->iolock);
	return (d);
}

uint64_t
lease_journal_durable_seq(const struct lease_journal *j)
{
	return (atomic_load(&j->durable));
}

uint64_t
lease_journal_bytes(const struct lease_journal *j)
{
	return (atomic_load(&j->jbytes));
}

/* Compaction ------------------------------------------------------------- */

#define SNAP_BUF	65536

struct snapw {
	int		 fd;
	uint8_t		*p;
	size_t		 len;
	uint64_t	 off;
	int		 err;
};

static int
snap_drain(struct snapw *s)
{
	if (write_all(s->fd, s->p, s->len, s->off) == -1) {
		s->err = -LEASE_E_IO;
		return (-1);
	}
	s->off += s->len;
	s->len = 0;
	return (0);
}

static int
snap_put(const struct lease *l, void *arg)
{
	struct snapw *s = arg;
	size_t n;

	if (s->len + J_FRAME_MAX > SNAP_BUF && snap_drain(s) == -1)
		return (1);
	if ((n = frame_put(s->p + s->len, l)) == 0) {
		s->err = -LEASE_E_INVAL;	/* the table only holds valid ones */
		return (1);
	}
	s->len += n;
	return (0);
}

/* Step 1: leases.snapshot replaced by a snapshot of t, durably. */
static int
snapshot_write(struct lease_journal *j, const struct lease_table *t)
{
	struct snapw s = { -1, NULL, J_HDR, 0, 0 };

	if ((s.p = malloc(SNAP_BUF)) == NULL) {
		log_warnx("lease journal: out of memory");
		return (-LEASE_E_NOMEM);
	}
	hdr_put(s.p, S_MAGIC);
	s.fd = openat(j->dirfd, S_TMP, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0600);
	if (s.fd != -1) {
		lease_table_changes_since(t, 0, snap_put, &s);
		if (s.err == 0 && snap_drain(&s) == 0 && fsync(s.fd) == 0 &&
		    renameat(j->dirfd, S_TMP, j->dirfd, S_NAME) == 0) {
			close(s.fd);
			free(s.p);
			return (fsync_dir(j) == 0 ? 0 : -LEASE_E_IO);
		}
	}
	log_warn("lease journal: write %s/" S_TMP, j->dir);
	if (s.fd != -1)
		close(s.fd);
	unlinkat(j->dirfd, S_TMP, 0);
	free(s.p);
	return (s.err != 0 ? s.err : -LEASE_E_IO);
}

int
lease_journal_compact(struct lease_journal *j, const struct lease_table *t)
{
	int fd, rc;

	pthread_mutex_lock(&j->iolock);
	if ((rc = snapshot_write(j, t)) != 0)
		goto out;
	/* Step 2.  Until it succeeds the old journal stays valid. */
	if ((rc = file_new(j, J_TMP, J_NAME, J_MAGIC, &fd)) == -1) {
		rc = -LEASE_E_IO;
		goto out;
	}
	close(j->fd);
	j->fd = fd;
	j->size = J_HDR;
	atomic_store(&j->jbytes, 0);
	if (rc == -2) {
		/* The rename may be undone by a crash: no flush may count. */
		j->failed = 1;
		rc = -LEASE_E_IO;
		goto out;
	}
	j->failed = 0;
	if (lease_table_seq(t) > atomic_load(&j->durable))
		atomic_store(&j->durable, lease_table_seq(t));
out:
	pthread_mutex_unlock(&j->iolock);
	return (rc);
}
