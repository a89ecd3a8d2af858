/*
 * The boot tree (tftp_files.h).
 *
 * A request goes through tftp_path_norm (pure: separators, "..",
 * control bytes) and then through osfs_open_beneath, which lets the
 * kernel refuse anything that resolves outside the root, symlinks
 * included; string checks alone are not trusted.
 *
 * Windows clients ask for "\Boot\x64\wdsmgfw.efi" when the tree on a
 * Unix disk says boot/x64/wdsmgfw.efi.  When the exact name is missing,
 * each component is looked up ignoring case (the alphabetically first
 * match wins, so the answer does not depend on directory order) and the
 * result is cached by the lower-cased request.
 *
 * Open files are shared: a second client of the same version (device,
 * inode, size, modification time) joins the first one's descriptor, so a
 * room of machines pulling one boot.wim costs one descriptor and the page
 * cache holds one copy.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "pxeha/osfs.h"
#include "pxeha/tftp.h"
#include "pxeha/tftp_files.h"
#include "pxeha/tftp_path.h"

#define CASE_CACHE	256		/* remembered case-insensitive names */
#define PATHBUF		(TFTP_FILENAME_MAX + 1)
#define CHECK_EVERY	32		/* reads between change checks */

struct tftp_file {
	TAILQ_ENTRY(tftp_file) link;
	struct tftp_files *owner;
	unsigned	 refs;
	int		 fd;		/* -1: served from mem */
	uint8_t		*mem;		/* netascii conversion */
	uint64_t	 size;		/* bytes served */
	int		 netascii;
	int		 changed;	/* seen modified: never shared again */
	unsigned	 reads;		/* since the last change check */
	dev_t		 dev;
	ino_t		 ino;
	off_t		 st_size;
	struct timespec	 mtime, ctime;
};

struct case_ent {
	char		 key[PATHBUF];	/* lower-cased request */
	char		 real[PATHBUF];	/* what the tree calls it */
};

struct tftp_files {
	int		 rootfd;
	TAILQ_HEAD(, tftp_file) files;
	struct case_ent	*cache;
	unsigned	 cache_next;
	struct tftp_files_stats st;
};

struct tftp_files *
tftp_files_new(const char *root)
{
	struct tftp_files *fs;
	int saved;

	if ((fs = calloc(1, sizeof(*fs))) == NULL)
		return (NULL);
	if ((fs->cache = calloc(CASE_CACHE, sizeof(*fs->cache))) == NULL) {
		free(fs);
		return (NULL);
	}
	fs->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->rootfd == -1) {
		saved = errno;
		free(fs->cache);
		free(fs);
		errno = saved;
		return (NULL);
	}
	TAILQ_INIT(&fs->files);
	return (fs);
}

void
tftp_files_free(struct tftp_files *fs)
{
	struct tftp_file *f;

	if (fs == NULL)
		return;
	/* Files still referenced by sessions outlive the tree. */
	while ((f = TAILQ_FIRST(&fs->files)) != NULL) {
		TAILQ_REMOVE(&fs->files, f, link);
		f->owner = NULL;
	}
	close(fs->rootfd);
	free(fs->cache);
	free(fs);
}

static int
errno_code(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
	case ENAMETOOLONG:
		return (TFTP_ERR_NOTFOUND);
	default:
		return (TFTP_ERR_ACCESS);
	}
}

static void
lower(char *dst, const char *src, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n && src[i] != '\0'; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

/*
 * In the directory real (relative to the root, "" for the root itself),
 * find the entry whose name equals comp ignoring case; the
 * alphabetically first if several do.  Returns 0 with the name appended
 * to real, or -1.
 */
static int
case_find(struct tftp_files *fs, char *real, size_t cap, const char *comp)
{
	char	 best[NAME_MAX + 1];
	struct dirent *de;
	DIR	*d;
	size_t	 rl = strlen(real);
	int	 dfd, found = 0;

	dfd = rl == 0 ? openat(fs->rootfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC) : osfs_open_beneath(fs->rootfd, real, O_RDONLY |
	    O_DIRECTORY);
	if (dfd == -1)
		return (-1);
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcasecmp(de->d_name, comp) != 0)
			continue;
		if (!found || strcmp(de->d_name, best) < 0) {
			snprintf(best, sizeof(best), "%s", de->d_name);
			found = 1;
		}
	}
	closedir(d);
	if (!found || rl + (rl > 0) + strlen(best) + 1 > cap)
		return (-1);
	snprintf(real + rl, cap - rl, "%s%s", rl > 0 ? "/" : "", best);
	return (0);
}

/* Resolve path component by component ignoring case; 0 and real, or -1. */
static int
case_walk(struct tftp_files *fs, const char *path, char *real, size_t cap)
{
	char	 comp[NAME_MAX + 1];
	const char *p = path, *e;
	size_t	 n, rl;
	int	 fd;

	real[0] = '\0';
	for (;;) {
		e = strchr(p, '/');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n > NAME_MAX)
			return (-1);
		memcpy(comp, p, n);
		comp[n] = '\0';
		/* The exact name first: only a miss costs a scan. */
		rl = strlen(real);
		if (rl + 1 + n + 1 > cap)
			return (-1);
		snprintf(real + rl, cap - rl, "%s%s", rl > 0 ? "/" : "", comp);
		fd = osfs_open_beneath(fs->rootfd, real, O_PATH);
		if (fd >= 0)
			close(fd);
		else {
			if (errno != ENOENT)
				return (-1);
			real[rl] = '\0';
			if (case_find(fs, real, cap, comp) == -1)
				return (-1);
		}
		if (e == NULL)
			return (0);
		p = e + 1;
	}
}

static struct case_ent *
cache_find(struct tftp_files *fs, const char *key)
{
	unsigned i;

	for (i = 0; i < CASE_CACHE; i++)
		if (fs->cache[i].key[0] != '\0' &&
		    strcmp(fs->cache[i].key, key) == 0)
			return (&fs->cache[i]);
	return (NULL);
}

/* Open path, or a case-insensitive match of it.  fd or -1 with errno. */
static int
open_mapped(struct tftp_files *fs, char *path, size_t cap)
{
	char	 key[PATHBUF], real[PATHBUF];
	struct case_ent *ce;
	int	 fd, saved;

	fd = osfs_open_beneath(fs->rootfd, path, O_RDONLY | O_NONBLOCK |
	    O_NOCTTY);
	if (fd >= 0 || errno != ENOENT)
		return (fd);
	saved = errno;
	lower(key, path, sizeof(key));
	if ((ce = cache_find(fs, key)) != NULL) {
		fd = osfs_open_beneath(fs->rootfd, ce->real, O_RDONLY |
		    O_NONBLOCK | O_NOCTTY);
		if (fd >= 0) {
			fs->st.case_cache_hits++;
			snprintf(path, cap, "%s", ce->real);
			return (fd);
		}
		ce->key[0] = '\0';
	}
	if (case_walk(fs, path, real, sizeof(real)) == -1) {
		errno = saved;
		return (-1);
	}
	fd = osfs_open_beneath(fs->rootfd, real, O_RDONLY | O_NONBLOCK |
	    O_NOCTTY);
	if (fd == -1)
		return (-1);
	fs->st.case_lookups++;
	ce = &fs->cache[fs->cache_next++ % CASE_CACHE];
	snprintf(ce->key, sizeof(ce->key), "%s", key);
	snprintf(ce->real, sizeof(ce->real), "%s", real);
	snprintf(path, cap, "%s", real);
	return (fd);
}

static int
same_version(const struct tftp_file *f, const struct stat *sb, int netascii)
{
	return (!f->changed && f->netascii == netascii &&
	    f->dev == sb->st_dev && f->ino == sb->st_ino &&
	    f->st_size == sb->st_size &&
	    f->mtime.tv_sec == sb->st_mtim.tv_sec &&
	    f->mtime.tv_nsec == sb->st_mtim.tv_nsec &&
	    f->ctime.tv_sec == sb->st_ctim.tv_sec &&
	    f->ctime.tv_nsec == sb->st_ctim.tv_nsec);
}

/* Read the whole (small) file and convert it to netascii. */
static int
load_netascii(struct tftp_file *f, int fd, const struct stat *sb)
{
	uint8_t	*raw;
	size_t	 n = (size_t)sb->st_size, got = 0;
	uint64_t cl;
	ssize_t	 r;

	if ((raw = malloc(n > 0 ? n : 1)) == NULL)
		return (-1);
	while (got < n) {
		r = pread(fd, raw + got, n - got, (off_t)got);
		if (r <= 0) {
			free(raw);
			return (-1);
		}
		got += (size_t)r;
	}
	cl = tftp_netascii_len(raw, n);
	if ((f->mem = malloc(cl > 0 ? (size_t)cl : 1)) == NULL) {
		free(raw);
		return (-1);
	}
	f->size = tftp_netascii_encode(raw, n, f->mem, (size_t)cl);
	free(raw);
	return (0);
}

int
tftp_files_open(struct tftp_files *fs, const char *name, size_t len,
    int netascii, struct tftp_file **fp, char *shown, size_t shownlen)
{
	char	 path[PATHBUF];
	struct tftp_file *f;
	struct stat sb;
	int	 fd, r;

	*fp = NULL;
	if (shownlen > 0)
		shown[0] = '\0';
	r = tftp_path_norm(name, len, path, sizeof(path));
	if (r != 0)
		return (tftp_path_err(r));
	if ((fd = open_mapped(fs, path, sizeof(path))) == -1) {
		snprintf(shown, shownlen, "%s", path);
		return (errno_code(errno));
	}
	snprintf(shown, shownlen, "%s", path);
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return (S_ISDIR(sb.st_mode) ? TFTP_ERR_ACCESS :
		    TFTP_ERR_NOTFOUND);
	}
	if (netascii && (uint64_t)sb.st_size > TFTP_NETASCII_MAX) {
		close(fd);
		return (TFTP_ERR_DISKFULL);
	}
	TAILQ_FOREACH(f, &fs->files, link) {
		if (same_version(f, &sb, netascii)) {
			close(fd);
			f->refs++;
			fs->st.opens++;
			fs->st.shared++;
			*fp = f;
			return (0);
		}
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		close(fd);
		return (TFTP_ERR_UNDEF);
	}
	f->owner = fs;
	f->refs = 1;
	f->fd = fd;
	f->netascii = netascii;
	f->dev = sb.st_dev;
	f->ino = sb.st_ino;
	f->st_size = sb.st_size;
	f->mtime = sb.st_mtim;
	f->ctime = sb.st_ctim;
	f->size = (uint64_t)sb.st_size;
	if (netascii) {
		r = load_netascii(f, fd, &sb);
		close(fd);
		f->fd = -1;
		if (r == -1) {
			free(f->mem);
			free(f);
			return (TFTP_ERR_UNDEF);
		}
	}
	TAILQ_INSERT_HEAD(&fs->files, f, link);
	fs->st.opens++;
	*fp = f;
	return (0);
}

uint64_t
tftp_file_size(const struct tftp_file *f)
{
	return (f->size);
}

static int
check_same(struct tftp_file *f)
{
	struct stat sb;

	if (fstat(f->fd, &sb) == -1 || sb.st_size != f->st_size ||
	    sb.st_mtim.tv_sec != f->mtime.tv_sec ||
	    sb.st_mtim.tv_nsec != f->mtime.tv_nsec) {
		if (!f->changed && f->owner != NULL)
			f->owner->st.changed++;
		f->changed = 1;
		return (-1);
	}
	return (0);
}

int
tftp_file_readv(struct tftp_file *f, uint64_t off, const struct iovec *iov,
    int iovcnt)
{
	struct iovec	 v[IOV_MAX];
	uint64_t	 want = 0;
	ssize_t		 r;
	size_t		 skip;
	int		 i, n;

	if (iovcnt <= 0 || iovcnt > IOV_MAX)
		return (iovcnt == 0 ? 0 : -1);
	for (i = 0; i < iovcnt; i++)
		want += iov[i].iov_len;
	if (f->changed || off > f->size || want > f->size - off)
		return (-1);
	if (f->fd == -1) {
		for (i = 0; i < iovcnt; i++) {
			memcpy(iov[i].iov_base, f->mem + off, iov[i].iov_len);
			off += iov[i].iov_len;
		}
		return (0);
	}
	memcpy(v, iov, (size_t)iovcnt * sizeof(*v));
	n = iovcnt;
	i = 0;
	while (want > 0) {
		r = preadv(f->fd, v + i, n - i, (off_t)off);
		if (r <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			return (-1);
		}
		want -= (uint64_t)r;
		off += (uint64_t)r;
		/* A short read: step over what arrived and go on. */
		skip = (size_t)r;
		while (i < n && skip >= v[i].iov_len) {
			skip -= v[i].iov_len;
			i++;
		}
		if (i < n) {
			v[i].iov_base = (uint8_t *)v[i].iov_base + skip;
			v[i].iov_len -= skip;
		}
	}
	/*
	 * Checked after reading, so a write that raced the read shows
	 * here: every CHECK_EVERY reads, and always on a read that reaches
	 * the end of the file.  A transfer can only complete through that
	 * last read, so one that saw a change never completes, and a
	 * lock-step client does not pay an fstat per block.
	 */
	if (++f->reads < CHECK_EVERY && off < f->size)
		return (0);
	f->reads = 0;
	return (check_same(f));
}

void
tftp_file_release(struct tftp_file *f)
{
	if (f == NULL || --f->refs > 0)
		return;
	if (f->owner != NULL)
		TAILQ_REMOVE(&f->owner->files, f, link);
	if (f->fd != -1)
		close(f->fd);
	free(f->mem);
	free(f);
}

void
tftp_files_get_stats(const struct tftp_files *fs, struct tftp_files_stats *st)
{
	const struct tftp_file *f;

	*st = fs->st;
	st->open_files = 0;
	TAILQ_FOREACH(f, &fs->files, link)
		st->open_files++;
}
