/*
 * TFTP file layer helpers.  Pure: no sockets, no file I/O, no clock, no
 * allocation.
 *
 * tftp_path_norm turns a requested filename into a path relative to the
 * server root (or upload directory) that is safe to hand to openat()
 * under a directory fd.  It is the string half of the confinement in
 * STYLE.md ("reject NUL, .. components ... and absolute paths, then open
 * through a dirfd"); files.c still opens with RESOLVE_BENEATH/O_NOFOLLOW
 * so a symlink inside the root cannot lead out of it.
 *
 * The netascii functions convert between a file's bytes and RFC 764
 * NVT-ASCII as TFTP uses it (RFC 1350 1): LF travels as CR LF and CR as
 * CR NUL.
 */
#ifndef PXEHA_TFTP_PATH_H
#define PXEHA_TFTP_PATH_H

#include <stddef.h>
#include <stdint.h>

/*
 * tftp_path_norm return codes.  The hint in brackets is the TFTP ERROR
 * code a server answers with (tftp_path_err maps them).
 */
#define TFTP_PATH_OK		0
#define TFTP_PATH_E_ACCESS	1	/* ".." component, or a byte below
					   0x20 or 0x7f (NUL included) [2] */
#define TFTP_PATH_E_EMPTY	2	/* no component left [1] */
#define TFTP_PATH_E_LONG	3	/* a component longer than
					   TFTP_PATH_NAME_MAX, or the result
					   does not fit in outlen [1] */

#define TFTP_PATH_NAME_MAX	255	/* longest component (NAME_MAX) */

/*
 * Normalise the requested filename in[0..len) into out[0..outlen) as a
 * relative path:
 *
 *   - '\' separates components like '/': the Windows boot manager asks
 *     for "\Boot\BCD" and dnsmasq maps it the same way;
 *   - leading separators are dropped: "/pxelinux.0" is relative to the
 *     root, as every TFTP server treats it;
 *   - empty components ("a//b", a trailing '/') and "." are dropped;
 *   - a ".." component refuses the name (-TFTP_PATH_E_ACCESS), wherever
 *     it is: "a/../b" is refused, not folded to "b".  The check is per
 *     component, so "...", "..a" and "a.." are ordinary names;
 *   - a byte below 0x20 or 0x7f anywhere refuses it too
 *     (-TFTP_PATH_E_ACCESS), even inside a dropped component.  NUL is
 *     one of them, so a name with an embedded NUL is refused rather
 *     than cut short.  Bytes 0x80-0xff pass unchanged (UTF-8 names);
 *   - everything else is an ordinary component, kept byte for byte:
 *     "C:" stays "C:", case is kept (a case-insensitive lookup is the
 *     caller's), and so are spaces and trailing dots.
 *
 * On success out holds the components joined by single '/', with no
 * leading or trailing '/', no '\', never empty, NUL-terminated, and
 * tftp_path_norm(out) gives out back.  out may be the same buffer as in
 * (the result is never longer than the input).
 *
 * Returns TFTP_PATH_OK, or -TFTP_PATH_E_ACCESS, -TFTP_PATH_E_LONG or
 * -TFTP_PATH_E_EMPTY, checked in that order over the whole name, so the
 * answer does not depend on where the problem is nor on outlen unless
 * the name is otherwise acceptable.  On error out holds "" when outlen
 * is not 0 (with out == in the input is then gone).  in is only read
 * (unless out == in); len may be 0 and in may then be NULL.
 */
int	 tftp_path_norm(const char *in, size_t len, char *out, size_t outlen);

/*
 * The TFTP ERROR code to answer a tftp_path_norm error with:
 * TFTP_ERR_ACCESS for -TFTP_PATH_E_ACCESS, TFTP_ERR_NOTFOUND for the
 * others (a name that cannot exist under the root is not found).
 * TFTP_ERR_UNDEF for a code that is not a tftp_path_norm error.
 */
uint16_t tftp_path_err(int rc);

/*
 * Step through the components of a normalised path, for a lookup that
 * matches each directory entry without regard to case:
 *
 *	const char *p = path, *c;
 *	size_t n;
 *	while (tftp_path_next(&p, &c, &n))
 *		... c[0..n) is the next component, not NUL-terminated ...
 *
 * Any run of '/' separates components, so a path that was not
 * normalised yields no empty component.  Returns 1 with *comp and
 * *complen set and *p moved past the component, or 0 at the end of the
 * string (*comp and *complen untouched).  *p must point into a
 * NUL-terminated string, which is only read.
 */
int	 tftp_path_next(const char **p, const char **comp, size_t *complen);

/*
 * The number of bytes in[0..n) takes in netascii: n plus one for every
 * CR and every LF.
 */
uint64_t tftp_netascii_len(const uint8_t *in, size_t n);

/*
 * Convert in[0..n) to netascii in out[0..outlen): LF becomes CR LF, CR
 * becomes CR NUL, every other byte is copied.  A whole file at once; a
 * CR at the end of the input is written as CR NUL like any other.
 *
 * Returns the number of bytes written, tftp_netascii_len(in, n), or
 * TFTP_NETASCII_ESPACE when that is more than outlen; nothing is written
 * then.  in and out must not overlap.
 */
#define TFTP_NETASCII_ESPACE	SIZE_MAX
size_t	 tftp_netascii_encode(const uint8_t *in, size_t n, uint8_t *out,
	    size_t outlen);

/*
 * Streaming netascii decoder, for a file uploaded in netascii mode.
 * Zero the state before the first call.  A CR at the end of one chunk
 * is held until the next byte says what it was.
 */
struct tftp_netascii_dec {
	int	 cr;	/* a CR was seen and not written yet */
};

/*
 * Decode the chunk in[0..n) into out, which must have room for n + 1
 * bytes.  CR NUL gives CR and CR LF gives LF; a CR before any other
 * byte is kept with that byte (tftp-hpa does the same rather than fail
 * an upload over a stray CR).  Returns the number of bytes written.
 * in and out must not overlap.
 */
size_t	 tftp_netascii_decode(struct tftp_netascii_dec *d, const uint8_t *in,
	    size_t n, uint8_t *out);

/*
 * End of the stream: write a held CR to out (room for 1 byte).  Returns
 * the number of bytes written, 0 or 1, and clears the state.
 */
size_t	 tftp_netascii_decode_end(struct tftp_netascii_dec *d, uint8_t *out);

#endif
