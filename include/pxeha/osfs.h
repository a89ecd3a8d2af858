/*
 * Platform file-system helpers for serving a directory tree to the
 * network.  One implementation per platform family (fs_linux.c now).
 */
#ifndef PXEHA_OSFS_H
#define PXEHA_OSFS_H

/*
 * Open path (relative, '/'-separated, no ".." component: see
 * tftp_path_norm) beneath the directory dirfd, so that nothing outside
 * that directory can be reached: not by a ".." that slipped through, not
 * by an absolute or relative symlink pointing out.  Symlinks that stay
 * inside are followed.  flags are open(2) flags (O_CLOEXEC is added).
 * Returns the fd, or -1 with errno: ENOENT/ENOTDIR when there is no such
 * file, EXDEV/ELOOP/EACCES/EPERM when it is refused.
 *
 * Linux uses openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS); where the
 * kernel lacks openat2 (before 5.6) it walks the path one component at a
 * time with O_NOFOLLOW, so every symlink is refused.
 */
int	osfs_open_beneath(int dirfd, const char *path, int flags);

#endif
