/*
 * Fuzz journal and snapshot replay: the input becomes leases.journal
 * (and optionally leases.snapshot) in a scratch directory made once per
 * process, and is opened into a fresh table.  Opening must never crash
 * or leak, and every lease loaded must survive an encode/decode round
 * trip.  Input layout:
 *
 *	u8 flags, then
 *	  F_SNAP:	u16 snapshot length (big-endian), snapshot bytes
 *	journal bytes (the rest)
 *
 *	F_HDR	the harness writes the file headers, the input only frames
 *	F_CRC	the harness fixes every frame's CRC, so mutations reach the
 *		record decoder instead of dying at the checksum
 *	F_COMPACT	after a successful open, compact, reopen into a second
 *		table and require the same leases
 *
 * The scratch directory lives on /dev/shm when there is one, since every
 * open may fsync.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pxeha/lease.h"
#include "pxeha/log.h"

#define F_SNAP		0x01
#define F_HDR		0x02
#define F_CRC		0x04
#define F_COMPACT	0x08

#define HDR		8
#define FRAME		16

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	scratch[64];

static void
scratch_clean(void)
{
	static const char *names[] = { "leases.journal", "leases.snapshot",
	    "leases.journal.tmp", "leases.snapshot.tmp",
	    "leases.journal.dropped" };
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", scratch, names[i]);
		unlink(path);
	}
}

static void
scratch_remove(void)
{
	scratch_clean();
	rmdir(scratch);
}

static int
scratch_init(void)
{
	struct stat st;

	if (scratch[0] != '\0')
		return (0);
	snprintf(scratch, sizeof(scratch), "%s/pxeha-fuzz-XXXXXX",
	    stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" :
	    "/tmp");
	if (mkdtemp(scratch) == NULL)
		abort();
	atexit(scratch_remove);
	log_setlevel(LOG_CRIT);		/* torn tails are the point here */
	return (0);
}

static void
fix_crcs(uint8_t *p, size_t len)
{
	size_t o = HDR;
	uint32_t rl;
	uLong crc;

	while (len - o >= FRAME) {
		rl = (uint32_t)p[o] << 24 | (uint32_t)p[o + 1] << 16 |
		    (uint32_t)p[o + 2] << 8 | p[o + 3];
		if (rl == 0 || rl > LEASE_REC_MAX || len - o - FRAME < rl)
			break;
		crc = crc32(0L, p + o, 12);
		crc = crc32(crc, p + o + FRAME, rl);
		p[o + 12] = (uint8_t)(crc >> 24);
		p[o + 13] = (uint8_t)(crc >> 16);
		p[o + 14] = (uint8_t)(crc >> 8);
		p[o + 15] = (uint8_t)crc;
		o += FRAME + rl;
	}
}

/* Write one file from the input, with a header and CRCs as flagged. */
static void
put_file(const char *name, const char magic[4], const uint8_t *data,
    size_t len, int flags)
{
	char path[128];
	uint8_t *buf;
	size_t n = 0;
	int fd;

	if ((buf = malloc(len + HDR)) == NULL)
		abort();
	if (flags & F_HDR) {
		memcpy(buf, magic, 4);
		memcpy(buf + 4, "\0\0\0\1", 4);
		n = HDR;
	}
	if (len > 0)
		memcpy(buf + n, data, len);
	n += len;
	if ((flags & F_CRC) && n >= HDR)
		fix_crcs(buf, n);
	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    write(fd, buf, n) != (ssize_t)n)
		abort();
	close(fd);
	free(buf);
}

struct dump {
	uint8_t		*p;
	size_t		 len, cap;
};

/* Round-trip each lease, and append its encoding to the dump. */
static int
check_fn(const struct lease *l, void *arg)
{
	struct dump *d = arg;
	struct lease back;
	uint8_t again[LEASE_REC_MAX];
	int n;

	if (d->cap - d->len < LEASE_REC_MAX) {
		d->cap = d->cap * 2 + 4096;
		if ((d->p = realloc(d->p, d->cap)) == NULL)
			abort();
	}
	n = lease_rec_encode(l, d->p + d->len, LEASE_REC_MAX);
	if (n <= 0 || lease_rec_decode(d->p + d->len, (size_t)n, &back) != 0 ||
	    lease_rec_encode(&back, again, sizeof(again)) != n ||
	    memcmp(again, d->p + d->len, (size_t)n) != 0 ||
	    back.addr != l->addr || back.seq != l->seq)
		abort();
	d->len += (size_t)n;
	return (0);
}

static void
compact_and_compare(struct lease_journal *j, struct lease_table *t,
    const struct dump *before)
{
	struct lease_table *t2;
	struct dump after = { NULL, 0, 0 };

	if (lease_journal_compact(j, t) != 0) {
		lease_journal_close(j);
		return;
	}
	lease_journal_close(j);
	if ((t2 = lease_table_new()) == NULL)
		abort();
	if ((j = lease_journal_open(scratch, t2)) == NULL)
		abort();
	lease_table_walk(t2, check_fn, &after);
	if (after.len != before->len || lease_table_seq(t2) !=
	    lease_table_seq(t) || (after.len > 0 &&
	    memcmp(after.p, before->p, after.len) != 0))
		abort();
	free(after.p);
	lease_journal_close(j);
	lease_table_free(t2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct lease_journal *j;
	struct lease_table *t;
	struct dump d = { NULL, 0, 0 };
	size_t slen = 0;
	int flags;

	scratch_init();
	scratch_clean();
	if (len < 1)
		return (0);
	flags = data[0];
	data++;
	len--;
	if (flags & F_SNAP) {
		if (len < 2)
			return (0);
		slen = (size_t)data[0] << 8 | data[1];
		data += 2;
		len -= 2;
		if (slen > len)
			slen = len;
		put_file("leases.snapshot", "PXLS", data, slen, flags);
		data += slen;
		len -= slen;
	}
	put_file("leases.journal", "PXLJ", data, len, flags);
	if ((t = lease_table_new()) == NULL)
		return (0);
	if ((j = lease_journal_open(scratch, t)) == NULL) {
		lease_table_free(t);
		return (0);
	}
	lease_table_walk(t, check_fn, &d);
	if (flags & F_COMPACT)
		compact_and_compare(j, t, &d);
	else
		lease_journal_close(j);
	free(d.p);
	lease_table_free(t);
	return (0);
}
