/*
 * Linux: confined opens beneath a directory (osfs.h).
 */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "pxeha/osfs.h"

#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

static int no_openat2;

/* Component by component with O_NOFOLLOW: no symlink is ever followed. */
static int
open_walk(int dirfd, const char *path, int flags)
{
	char	 comp[NAME_MAX + 1];
	const char *p = path, *e;
	size_t	 n;
	int	 fd = dirfd, nfd, saved;

	for (;;) {
		e = strchr(p, '/');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n > NAME_MAX || (n == 2 && p[0] == '.' &&
		    p[1] == '.')) {
			nfd = -1;
			errno = n > NAME_MAX ? ENAMETOOLONG : EACCES;
		} else {
			memcpy(comp, p, n);
			comp[n] = '\0';
			nfd = openat(fd, comp, e != NULL ?
			    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC :
			    flags | O_NOFOLLOW | O_CLOEXEC);
		}
		saved = errno;
		if (fd != dirfd)
			close(fd);
		if (nfd == -1) {
			errno = saved;
			return (-1);
		}
		if (e == NULL)
			return (nfd);
		fd = nfd;
		p = e + 1;
	}
}

int
osfs_open_beneath(int dirfd, const char *path, int flags)
{
#ifdef SYS_openat2
	struct open_how how;
	long fd;

	if (!no_openat2) {
		memset(&how, 0, sizeof(how));
		how.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC);
		how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return ((int)fd);
		no_openat2 = 1;
	}
#endif
	return (open_walk(dirfd, path, flags));
}
