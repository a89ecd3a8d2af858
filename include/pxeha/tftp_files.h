/*
 * The TFTP (and HTTP) boot tree: requested names mapped into the root
 * with no way out of it, Windows-style names found case-insensitively,
 * and one shared open file per file version however many clients read it.
 */
#ifndef PXEHA_TFTP_FILES_H
#define PXEHA_TFTP_FILES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct tftp_files;
struct tftp_file;

#define TFTP_NETASCII_MAX	(16u << 20)	/* largest text file converted */

struct tftp_files_stats {
	uint64_t	 opens;		/* successful opens */
	uint64_t	 shared;	/* ... that joined an open file */
	uint64_t	 case_lookups;	/* names found only ignoring case */
	uint64_t	 case_cache_hits;
	uint64_t	 changed;	/* files seen changing while served */
	uint64_t	 open_files;	/* distinct files open now */
};

/*
 * Open the tree at root (a directory).  Returns NULL with errno set when
 * it cannot be opened.
 */
struct tftp_files *tftp_files_new(const char *root);
void		 tftp_files_free(struct tftp_files *);

/*
 * Find and open the file a client asked for: name is the request's
 * filename (len bytes, as sent).  netascii: serve it converted (LF to
 * CR LF, CR to CR NUL), whole in memory, up to TFTP_NETASCII_MAX bytes.
 *
 * Returns 0 and a reference in *fp (release it with tftp_file_release),
 * or the TFTP error code to answer: 1 (not found: missing, or a special
 * file), 2 (access violation: a ".." component, a path leaving the root
 * through a symlink, a directory, no permission), 3 (a text file too
 * large to convert).  *shown gets the mapped path relative to the root
 * (for logs and metrics; never the server's own path), even on errors
 * when the name could be mapped.
 */
int		 tftp_files_open(struct tftp_files *, const char *name,
		    size_t len, int netascii, struct tftp_file **fp,
		    char *shown, size_t shownlen);

/* Size in bytes as served (after netascii conversion). */
uint64_t	 tftp_file_size(const struct tftp_file *);

/*
 * Read the served bytes [off, off + sum of iov lengths) into iov.
 * Returns 0, or -1 when the file is shorter than that or has changed
 * since it was opened (a writer modified it in place): the transfer must
 * then stop, so that no client ever gets a mix of two versions.  A file
 * replaced by rename(2) is not changed: readers of the old one go on
 * reading the old one.
 */
int		 tftp_file_readv(struct tftp_file *, uint64_t off,
		    const struct iovec *iov, int iovcnt);

void		 tftp_file_release(struct tftp_file *);

void		 tftp_files_get_stats(const struct tftp_files *,
		    struct tftp_files_stats *);

#endif
