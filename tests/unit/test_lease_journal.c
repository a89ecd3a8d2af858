/*
 * Lease journal: files in a mkdtemp directory (no sockets, no sleeps).
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "pxeha/lease.h"
#include "pxeha/log.h"

#define HDR	8		/* file header */
#define FRAME	16		/* per-record header */

struct fx {
	char		 dir[64];
	char		 jpath[96], spath[96];
};

static int
setup(void **state)
{
	struct fx *fx;

	if ((fx = calloc(1, sizeof(*fx))) == NULL)
		return (-1);
	strcpy(fx->dir, "/tmp/pxeha-journal-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return (-1);
	snprintf(fx->jpath, sizeof(fx->jpath), "%s/leases.journal", fx->dir);
	snprintf(fx->spath, sizeof(fx->spath), "%s/leases.snapshot", fx->dir);
	*state = fx;
	return (0);
}

static int
teardown(void **state)
{
	struct fx *fx = *state;
	struct dirent *de;
	char path[384];
	DIR *d;

	if ((d = opendir(fx->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", fx->dir,
			    de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(fx->dir);
	free(fx);
	return (0);
}

static struct lease
mk(uint32_t n, int64_t expires)
{
	struct lease l;

	memset(&l, 0, sizeof(l));
	l.addr = 0x0a000000u | n;
	l.state = LEASE_ACTIVE;
	l.hwtype = 1;
	l.hwlen = 6;
	l.hw[5] = (uint8_t)n;
	l.hw[4] = (uint8_t)(n >> 8);
	l.cidlen = 3;
	l.cid[2] = (uint8_t)n;
	snprintf(l.hostname, sizeof(l.hostname), "host-%u", n);
	l.starts = 1700000000;
	l.expires = expires;
	l.subnet = 1;
	return (l);
}

/* Commit to t and queue for j. */
static uint64_t
put(struct lease_table *t, struct lease_journal *j, uint32_t n,
    int64_t expires)
{
	struct lease l = mk(n, expires);
	uint64_t seq;

	assert_true((seq = lease_table_commit(t, &l)) > 0);
	assert_int_equal(lease_journal_append(j, lease_table_find_addr(t,
	    l.addr)), 0);
	return (seq);
}

struct dump {
	uint8_t		*p;
	size_t		 len, cap;
};

static int
dump_fn(const struct lease *l, void *arg)
{
	struct dump *d = arg;
	int n;

	if (d->cap - d->len < LEASE_REC_MAX) {
		d->cap = d->cap * 2 + 4096;
		assert_non_null(d->p = realloc(d->p, d->cap));
	}
	n = lease_rec_encode(l, d->p + d->len, d->cap - d->len);
	assert_true(n > 0);
	d->len += (size_t)n;
	return (0);
}

/* Two tables hold the same leases, seqs included. */
static void
assert_tables_equal(const struct lease_table *a, const struct lease_table *b)
{
	struct dump da = { NULL, 0, 0 }, db = { NULL, 0, 0 };

	assert_int_equal(lease_table_count(a), lease_table_count(b));
	assert_true(lease_table_seq(a) == lease_table_seq(b));
	lease_table_walk(a, dump_fn, &da);
	lease_table_walk(b, dump_fn, &db);
	assert_int_equal(da.len, db.len);
	if (da.len > 0)
		assert_memory_equal(da.p, db.p, da.len);
	free(da.p);
	free(db.p);
}

/* Open the journal in dir into a fresh table: it must equal t. */
static void
assert_reopen_equal(const char *dir, const struct lease_table *t)
{
	struct lease_journal *j;
	struct lease_table *r;

	assert_non_null(r = lease_table_new());
	assert_non_null(j = lease_journal_open(dir, r));
	assert_tables_equal(t, r);
	lease_journal_close(j);
	lease_table_free(r);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *p;
	int fd;

	assert_true((fd = open(path, O_RDONLY)) != -1);
	assert_int_equal(fstat(fd, &st), 0);
	*len = (size_t)st.st_size;
	assert_non_null(p = malloc(*len + 1));
	assert_true(read(fd, p, *len) == (ssize_t)*len);
	close(fd);
	return (p);
}

static void
spit(const char *path, const uint8_t *p, size_t len)
{
	int fd;

	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) !=
	    -1);
	assert_true(write(fd, p, len) == (ssize_t)len);
	close(fd);
}

static off_t
file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (st.st_size);
}

/* Offsets of the frames in a journal image; returns how many. */
static size_t
frames(const uint8_t *p, size_t len, size_t *off, size_t max)
{
	size_t o = HDR, n = 0;
	uint32_t rl;

	while (o + FRAME <= len && n < max) {
		rl = (uint32_t)p[o] << 24 | (uint32_t)p[o + 1] << 16 |
		    (uint32_t)p[o + 2] << 8 | p[o + 3];
		if (o + FRAME + rl > len)
			break;
		off[n++] = o;
		o += FRAME + rl;
	}
	return (n);
}

/* A closed journal of n leases, one older one updated before every 4th. */
static struct lease_table *
build(struct fx *fx, uint32_t n)
{
	struct lease_table *t;
	struct lease_journal *j;
	uint64_t last = 0;
	uint32_t i;

	assert_non_null(t = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, t));
	for (i = 1; i <= n; i++) {
		if (i % 4 == 0)
			put(t, j, i / 2, 1700007200 + i);
		last = put(t, j, i, 1700003600 + i);
	}
	assert_true(lease_journal_flush(j) == last);
	assert_true(lease_journal_durable_seq(j) == last);
	lease_journal_close(j);
	return (t);
}

static void
test_lease_journal_reopen_restores(void **state)
{
	struct fx *fx = *state;
	struct lease_table *t, *r;
	struct lease_journal *j;

	t = build(fx, 100);
	assert_non_null(r = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, r));
	assert_tables_equal(t, r);
	assert_true(lease_journal_durable_seq(j) == lease_table_seq(t));
	assert_true(lease_journal_bytes(j) ==
	    (uint64_t)file_size(fx->jpath) - HDR);
	/* Nothing queued: flush reports what is durable. */
	assert_true(lease_journal_flush(j) == lease_table_seq(t));
	lease_journal_close(j);
	lease_table_free(t);
	lease_table_free(r);
}

static void
test_lease_journal_seq_continues(void **state)
{
	struct fx *fx = *state;
	struct lease_table *t, *r;
	struct lease_journal *j;
	uint64_t seq, s2;

	t = build(fx, 10);
	seq = lease_table_seq(t);
	lease_table_free(t);
	assert_non_null(t = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, t));
	assert_true(put(t, j, 500, 1) == seq + 1);
	s2 = put(t, j, 3, 2);
	assert_true(lease_journal_flush(j) == s2);
	lease_journal_close(j);
	assert_non_null(r = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, r));
	assert_tables_equal(t, r);
	assert_true(lease_table_seq(r) == seq + 2);
	lease_journal_close(j);
	lease_table_free(t);
	lease_table_free(r);
}

static void
test_lease_journal_torn_tail_every_offset(void **state)
{
	struct fx *fx = *state;
	struct lease_table *t, *r;
	struct lease_journal *j;
	const struct lease *l;
	size_t len, off[64], n, cut;
	uint8_t *img;
	uint64_t seq;

	t = build(fx, 20);	/* the last record is a new address */
	img = slurp(fx->jpath, &len);
	n = frames(img, len, off, 64);
	assert_int_equal(n, 25);
	assert_int_equal(off[n - 1] < len, 1);
	for (cut = off[n - 1] + 1; cut < len; cut++) {
		spit(fx->jpath, img, cut);
		assert_non_null(r = lease_table_new());
		assert_non_null(j = lease_journal_open(fx->dir, r));
		/* Only the torn record is gone, and the file is cut there. */
		assert_int_equal(lease_table_count(r), 19);
		assert_null(lease_table_find_addr(r, 0x0a000000u | 20));
		assert_true(lease_table_seq(r) == lease_table_seq(t) - 1);
		assert_true(file_size(fx->jpath) == (off_t)off[n - 1]);
		/* Appends go after the cut and survive the next open. */
		l = lease_table_find_addr(t, 0x0a000000u | 20);
		assert_int_equal(lease_table_apply(r, l), 0);
		assert_int_equal(lease_journal_append(j, l), 0);
		seq = lease_journal_flush(j);
		assert_true(seq == l->seq);
		lease_journal_close(j);
		lease_table_free(r);
		assert_non_null(r = lease_table_new());
		assert_non_null(j = lease_journal_open(fx->dir, r));
		assert_tables_equal(t, r);
		assert_true(file_size(fx->jpath) == (off_t)len);
		lease_journal_close(j);
		lease_table_free(r);
	}
	/* Cut exactly at a frame boundary: nothing is torn. */
	spit(fx->jpath, img, off[n - 1]);
	assert_non_null(r = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, r));
	assert_int_equal(lease_table_count(r), 19);
	lease_journal_close(j);
	lease_table_free(r);
	free(img);
	lease_table_free(t);
}

static void
test_lease_journal_flipped_byte_stops_replay(void **state)
{
	struct fx *fx = *state;
	struct lease_table *t, *r;
	struct lease_journal *j;
	size_t len, off[16], n, dlen, k;
	char dpath[128];
	uint8_t *img, *dropped;
	uint32_t i;

	t = build(fx, 10);	/* 12 frames: 1, 2, 3, 2, 4, 5, ... */
	img = slurp(fx->jpath, &len);
	n = frames(img, len, off, 16);
	assert_int_equal(n, 12);
	/* Every byte of frame 6 (lease 5), header and payload. */
	for (k = off[5]; k < off[6]; k++) {
		img[k] ^= 0x40;
		spit(fx->jpath, img, len);
		img[k] ^= 0x40;
		assert_non_null(r = lease_table_new());
		assert_non_null(j = lease_journal_open(fx->dir, r));
		assert_int_equal(lease_table_count(r), 4);
		for (i = 1; i <= 4; i++)
			assert_non_null(lease_table_find_addr(r,
			    0x0a000000u | i));
		assert_null(lease_table_find_addr(r, 0x0a000000u | 5));
		assert_true(file_size(fx->jpath) == (off_t)off[5]);
		lease_journal_close(j);
		lease_table_free(r);
		/* The dropped bytes are kept for inspection. */
		snprintf(dpath, sizeof(dpath), "%s/leases.journal.dropped",
		    fx->dir);
		dropped = slurp(dpath, &dlen);
		assert_int_equal(dlen, len - off[5]);
		assert_memory_equal(dropped + (off[6] - off[5]), img + off[6],
		    len - off[6]);
		free(dropped);
	}
	free(img);
	lease_table_free(t);
}

static void
test_lease_journal_compaction_then_reopen(void **state)
{
	struct fx *fx = *state;
	struct lease_table *t, *r;
	struct lease_journal *j;
	uint64_t last = 0;
	uint32_t i;

	t = build(fx, 40);
	lease_table_free(t);
	assert_non_null(t = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, t));
	assert_true(lease_journal_bytes(j) > 0);
	/* Queued but unflushed records are covered by the snapshot. */
	put(t, j, 41, 5);
	assert_int_equal(lease_journal_compact(j, t), 0);
	assert_true(lease_journal_durable_seq(j) == lease_table_seq(t));
	assert_true(lease_journal_bytes(j) == 0);
	assert_true(file_size(fx->jpath) == HDR);
	assert_true(file_size(fx->spath) > HDR);
	for (i = 30; i < 50; i++)
		last = put(t, j, i, 1700009000 + i);
	assert_true(lease_journal_flush(j) == last);
	lease_journal_close(j);
	assert_non_null(r = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, r));
	assert_tables_equal(t, r);
	/* Compacting twice in a row, and with nothing new, is fine. */
	assert_int_equal(lease_journal_compact(j, r), 0);
	assert_int_equal(lease_journal_compact(j, r), 0);
	lease_journal_close(j);
	lease_table_free(r);
	assert_reopen_equal(fx->dir, t);
	lease_table_free(t);
}

/*
 * A crash between the snapshot rename and the journal swap leaves the new
 * snapshot with the old journal, and leftover tmp files.  Replay must
 * give the same table.
 */
static void
test_lease_journal_crash_mid_compaction(void **state)
{
	struct fx *fx = *state;
	struct lease_table *t, *r;
	struct lease_journal *j;
	char tpath[128];
	uint8_t *old;
	size_t len;

	t = build(fx, 30);
	old = slurp(fx->jpath, &len);
	lease_table_free(t);
	assert_non_null(t = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, t));
	assert_int_equal(lease_journal_compact(j, t), 0);
	lease_journal_close(j);
	spit(fx->jpath, old, len);
	snprintf(tpath, sizeof(tpath), "%s/leases.journal.tmp", fx->dir);
	spit(tpath, (const uint8_t *)"junk", 4);
	snprintf(tpath, sizeof(tpath), "%s/leases.snapshot.tmp", fx->dir);
	spit(tpath, (const uint8_t *)"junk", 4);
	assert_non_null(r = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, r));
	assert_tables_equal(t, r);
	assert_int_equal(access(tpath, F_OK), -1);
	lease_journal_close(j);
	lease_table_free(r);
	free(old);
	lease_table_free(t);
}

static void
test_lease_journal_refuses_foreign_files(void **state)
{
	struct fx *fx = *state;
	struct lease_table *t, *r;
	struct lease_journal *j;
	size_t len, off[8], n;
	uint8_t *img, *now;
	uint32_t crc;

	t = build(fx, 3);
	img = slurp(fx->jpath, &len);
	/* Another version: refused, file untouched. */
	img[7] = 2;
	spit(fx->jpath, img, len);
	assert_non_null(r = lease_table_new());
	assert_null(lease_journal_open(fx->dir, r));
	lease_table_free(r);
	now = slurp(fx->jpath, &len);
	assert_memory_equal(now, img, len);
	free(now);
	img[7] = 1;
	/* An intact CRC over content we cannot read: refused too. */
	n = frames(img, len, off, 8);
	assert_int_equal(n, 3);
	img[off[1] + FRAME] = 9;		/* record version */
	crc = (uint32_t)crc32(0, img + off[1], 12);
	crc = (uint32_t)crc32(crc, img + off[1] + FRAME, img[off[1] + 3]);
	img[off[1] + 12] = (uint8_t)(crc >> 24);
	img[off[1] + 13] = (uint8_t)(crc >> 16);
	img[off[1] + 14] = (uint8_t)(crc >> 8);
	img[off[1] + 15] = (uint8_t)crc;
	spit(fx->jpath, img, len);
	assert_non_null(r = lease_table_new());
	assert_null(lease_journal_open(fx->dir, r));
	lease_table_free(r);
	assert_true(file_size(fx->jpath) == (off_t)len);
	/* A journal shorter than its header starts afresh. */
	spit(fx->jpath, img, 3);
	assert_non_null(r = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, r));
	assert_int_equal(lease_table_count(r), 0);
	assert_true(file_size(fx->jpath) == HDR);
	lease_journal_close(j);
	lease_table_free(r);
	free(img);
	lease_table_free(t);
}

struct flusher {
	struct lease_journal	*j;
	int			 stop;
	pthread_mutex_t		 mu;
	uint64_t		 flushes;
};

static void *
flusher_main(void *arg)
{
	struct flusher *f = arg;
	int stop;

	for (;;) {
		pthread_mutex_lock(&f->mu);
		stop = f->stop;
		pthread_mutex_unlock(&f->mu);
		if (stop)
			break;
		if (lease_journal_flush(f->j) > 0)
			f->flushes++;
	}
	return (NULL);
}

/* Appends on this thread while a worker flushes: nothing lost or torn. */
static void
test_lease_journal_flush_from_worker(void **state)
{
	struct fx *fx = *state;
	struct lease_table *t;
	struct lease_journal *j;
	struct flusher f;
	pthread_t th;
	uint64_t last = 0;
	uint32_t i;

	assert_non_null(t = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, t));
	memset(&f, 0, sizeof(f));
	f.j = j;
	pthread_mutex_init(&f.mu, NULL);
	assert_int_equal(pthread_create(&th, NULL, flusher_main, &f), 0);
	for (i = 0; i < 3000; i++) {
		last = put(t, j, 1 + i % 1000, i);
		if (i == 1500)
			assert_int_equal(lease_journal_compact(j, t), 0);
	}
	pthread_mutex_lock(&f.mu);
	f.stop = 1;
	pthread_mutex_unlock(&f.mu);
	pthread_join(th, NULL);
	pthread_mutex_destroy(&f.mu);
	assert_true(lease_journal_flush(j) == last);
	lease_journal_close(j);
	assert_reopen_equal(fx->dir, t);
	lease_table_free(t);
}

static void
test_lease_journal_append_rejects_uncommitted(void **state)
{
	struct fx *fx = *state;
	struct lease_table *t;
	struct lease_journal *j;
	struct lease l = mk(1, 1);

	assert_non_null(t = lease_table_new());
	assert_non_null(j = lease_journal_open(fx->dir, t));
	assert_int_equal(lease_journal_append(j, &l), -LEASE_E_INVAL);
	assert_true(lease_journal_flush(j) == 0);
	lease_journal_close(j);
	lease_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_lease_journal_reopen_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_lease_journal_seq_continues, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_lease_journal_torn_tail_every_offset, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_lease_journal_flipped_byte_stops_replay, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_lease_journal_compaction_then_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_lease_journal_crash_mid_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_lease_journal_refuses_foreign_files, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_lease_journal_flush_from_worker, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_lease_journal_append_rejects_uncommitted, setup,
		    teardown),
	};

	log_init(0, LOG_ERR, "test_lease_journal");	/* damage is expected */
	return (cmocka_run_group_tests_name("lease_journal", tests, NULL,
	    NULL));
}
