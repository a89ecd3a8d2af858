/*
 * The boot-file HTTP server's request parsing.  Pure: no sockets, no
 * file I/O, no clock, no allocation.
 *
 * http_path_decode turns a request-target into the name that is looked
 * up in the boot tree (tftp_files_open does the confinement and the
 * Windows name mapping, exactly as for TFTP).  http_range_parse reads a
 * Range field value (RFC 9110 14.2) against a file's size.
 */
#ifndef PXEHA_HTTP_RANGE_H
#define PXEHA_HTTP_RANGE_H

#include <stddef.h>
#include <stdint.h>

/* http_path_decode return codes (negated). */
#define HTTP_PATH_E_BAD		1	/* not a path, bad or forbidden
					   %-escape, control byte [400] */
#define HTTP_PATH_E_LONG	2	/* the decoded path does not fit [414] */

/*
 * Decode the request-target in[0..len) into out[0..outlen), NUL
 * terminated:
 *
 *   - origin-form ("/boot/x64/boot.wim?x=1") and absolute-form
 *     ("http://host/boot.wim", RFC 9112 3.2.2: a server must accept
 *     it) are taken; the query and any fragment are ignored; anything
 *     else (asterisk-form, authority-form, a relative path, "") is
 *     -HTTP_PATH_E_BAD;
 *   - "%XX" becomes the byte XX; a '%' not followed by two hex digits
 *     is -HTTP_PATH_E_BAD, and so is any byte, decoded or not, below
 *     0x20 or 0x7f: "%00" never cuts a name short and no control byte
 *     reaches a log or the file system;
 *   - '+' is kept (it means a space only in a query).
 *
 * The result keeps its leading '/' and is not otherwise normalised: ".."
 * and '\' are for tftp_files_open to judge.  Returns the length of the
 * result (at least 1), or -HTTP_PATH_E_BAD, or -HTTP_PATH_E_LONG when it
 * (with its NUL) does not fit in outlen; out holds "" on error when
 * outlen is not 0.  in may be NULL when len is 0.
 */
int		 http_path_decode(const char *in, size_t len, char *out,
		    size_t outlen);

/* http_range_parse results. */
#define HTTP_RANGE_NONE		0	/* serve the whole file: 200 */
#define HTTP_RANGE_OK		1	/* serve [first, last]: 206 */
#define HTTP_RANGE_UNSAT	2	/* 416, Content-Range: bytes STAR/SIZE */

/*
 * Read the Range field value v[0..len) for a file of size bytes.
 * Understood: one range in the "bytes" unit (case-insensitive), as
 * "a-b", "a-" or "-n" (RFC 9110 14.1.2), with optional whitespace and
 * empty list elements around it (the #rule of RFC 9110 5.6.1).
 *
 * Returns HTTP_RANGE_OK with *first and *last (inclusive, last < size)
 * set: "a-b" with b past the end is cut to the end, "-n" with n larger
 * than the file is the whole file.  HTTP_RANGE_UNSAT when the range
 * does not overlap the file: a >= size, or n == 0, or the file is empty.
 * HTTP_RANGE_NONE for everything RFC 9110 lets a server ignore: no
 * value (v NULL or all blank), another unit, a syntax error, an invalid
 * range (b < a), and more than one range (we send no multipart).
 * Numbers too large for 64 bits count as the largest value: they still
 * lie past the end of any file.  *first and *last are set only for
 * HTTP_RANGE_OK.
 */
int		 http_range_parse(const char *v, size_t len, uint64_t size,
		    uint64_t *first, uint64_t *last);

/*
 * The Content-Type for a mapped path: "text/plain" for iPXE scripts and
 * text configuration (.ipxe, .txt, .cfg, .conf; any case), else
 * "application/octet-stream".  Never NULL; static storage.
 */
const char	*http_content_type(const char *path);

#endif
