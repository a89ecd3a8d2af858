/*
 * TFTP wire codec and option negotiation.  Pure: bytes in, struct out;
 * struct in, bytes out.  No sockets, no clock, no allocation.
 *
 * RFC 1350 (protocol), RFC 2347 (option extension, OACK), RFC 2348
 * (blksize), RFC 2349 (timeout, tsize), RFC 7440 (windowsize), the
 * tftp-hpa "rollover" option, and the Windows boot manager's variable
 * window extension ("msftwindow", see research/pxe-tftp.md 2.2): the
 * client offers msftwindow=31416, the server grants it by answering
 * msftwindow=27182 in the OACK, and from then on each ACK may carry one
 * extra byte, the window size the client wants next.
 */
#ifndef PXEHA_TFTP_H
#define PXEHA_TFTP_H

#include <stddef.h>
#include <stdint.h>

/* Opcodes (RFC 1350 5, RFC 2347). */
#define TFTP_RRQ		1
#define TFTP_WRQ		2
#define TFTP_DATA		3
#define TFTP_ACK		4
#define TFTP_ERROR		5
#define TFTP_OACK		6

/* Error codes carried in ERROR packets (RFC 1350 appendix, RFC 2347). */
#define TFTP_ERR_UNDEF		0	/* not defined, see message */
#define TFTP_ERR_NOTFOUND	1	/* file not found */
#define TFTP_ERR_ACCESS		2	/* access violation */
#define TFTP_ERR_DISKFULL	3	/* disk full or allocation exceeded */
#define TFTP_ERR_BADOP		4	/* illegal TFTP operation */
#define TFTP_ERR_BADID		5	/* unknown transfer ID */
#define TFTP_ERR_EXISTS		6	/* file already exists */
#define TFTP_ERR_NOUSER		7	/* no such user */
#define TFTP_ERR_OPTNEG		8	/* option negotiation failed */

/*
 * Codec return codes (negative returns).  The hint in brackets is the
 * ERROR code a server answers a request with when it refuses it.
 */
#define TFTP_E_SHORT		1	/* shorter than its fixed part [4] */
#define TFTP_E_OPCODE		2	/* wrong opcode for this parser [4] */
#define TFTP_E_FILENAME		3	/* empty, unterminated or too long [4] */
#define TFTP_E_MODE		4	/* missing, unterminated or not
					   octet/netascii ("mail" too) [4] */
#define TFTP_E_DUPOPT		5	/* a recognised option given twice [8] */
#define TFTP_E_SPACE		6	/* output does not fit in outlen */
#define TFTP_E_RANGE		7	/* an argument is out of range */

#define TFTP_HDR_LEN		4	/* DATA/ACK/ERROR header */
#define TFTP_FILENAME_MAX	511	/* longest filename accepted, bytes */
#define TFTP_ERRMSG_MAX		255	/* longest message tftp_build_error writes */
#define TFTP_BLKSIZE_DEFAULT	512	/* RFC 1350 */
#define TFTP_BLKSIZE_MIN	8	/* RFC 2348 */
#define TFTP_BLKSIZE_MAX	65464	/* RFC 2348 */
#define TFTP_TIMEOUT_MIN	1	/* RFC 2349, seconds */
#define TFTP_TIMEOUT_MAX	255
#define TFTP_WINDOW_MAX		65535	/* RFC 7440 */
#define TFTP_MSFT_OFFER		31416	/* client: round(pi * 1e4) */
#define TFTP_MSFT_GRANT		27182	/* server: floor(e * 1e4) */

enum tftp_mode { TFTP_MODE_OCTET = 1, TFTP_MODE_NETASCII = 2 };

/* Bits of tftp_opts.present. */
#define TFTP_OPT_BLKSIZE	0x01
#define TFTP_OPT_TIMEOUT	0x02
#define TFTP_OPT_TSIZE		0x04
#define TFTP_OPT_WINDOWSIZE	0x08
#define TFTP_OPT_MSFTWINDOW	0x10
#define TFTP_OPT_ROLLOVER	0x20
#define TFTP_OPT_ALL		0x3f

/*
 * A set of options: those a client requested (tftp_req.opt), those a
 * server grants (tftp_negotiate) or those an OACK carries
 * (tftp_parse_oack).  A field is meaningful only when its bit is set in
 * present, except in a granted set, where an absent field holds the
 * value the transfer runs with: blksize 512, windowsize 1, the rest 0.
 *
 * Requested values are stored as sent, unchecked against the RFC ranges
 * (tftp_negotiate does that); an option whose value is not a canonical
 * decimal number -- empty, a sign, a leading zero, any non-digit, or more
 * than UINT64_MAX -- is dropped by the parser as if it had not been sent.
 */
struct tftp_opts {
	uint32_t	 present;	/* TFTP_OPT_* */
	uint64_t	 blksize;
	uint64_t	 timeout;	/* seconds */
	uint64_t	 tsize;		/* bytes */
	uint64_t	 windowsize;	/* blocks */
	uint64_t	 msftwindow;	/* 31416 offered, 27182 granted */
	uint64_t	 rollover;	/* block after 65535: 0 or 1 */
};

/* A parsed RRQ or WRQ. */
struct tftp_req {
	uint16_t	 opcode;	/* TFTP_RRQ or TFTP_WRQ */
	enum tftp_mode	 mode;
	/*
	 * The filename as sent: 1..TFTP_FILENAME_MAX bytes, none of them
	 * NUL, followed by a NUL so it can also be used as a C string.
	 * Not validated as a path (files.c does that).
	 */
	char		 filename[TFTP_FILENAME_MAX + 1];
	size_t		 filename_len;
	struct tftp_opts opt;
	/*
	 * Set when option parsing stopped at an incomplete last option (a
	 * name or value without its NUL, or a name with no value).  The
	 * options before it stand; see tftp_parse_req.
	 */
	int		 opt_truncated;
};

/* What the server is willing to grant (config, interface MTU). */
struct tftp_limits {
	/* Largest blksize: min(config, MTU - 20 - 8 - 4) computed by the
	 * caller.  Values below 8 are treated as 8, above 65464 as 65464. */
	uint32_t	 max_blksize;
	uint32_t	 max_window;	/* largest windowsize; 0 is taken as 1 */
	int		 allow_msft;	/* grant msftwindow when offered */
	int		 allow_rollover; /* answer the rollover option */
};

/*
 * The 16-bit block number that 64-bit block n carries on the wire when
 * the block after 65535 is rollover (0, as iPXE, tftp-hpa and dnsmasq
 * wrap, or 1, tftp-hpa's rollover=1, which never uses 0 again).
 */
uint16_t tftp_wire_block(int rollover, uint64_t n);

/*
 * Check a granted option set for a transfer (blksize 8..65464,
 * windowsize 1..65535) and return the rollover it runs with: the
 * granted rollover option if present, else the configured one; or
 * -TFTP_E_RANGE when something is out of range (rollover not 0 or 1).
 */
int	 tftp_granted_check(const struct tftp_opts *granted, int rollover);

/*
 * Parse an RRQ or WRQ datagram of len bytes at buf into *req.
 *
 * RFC 1350 5: opcode, filename NUL, mode NUL, then (RFC 2347) pairs of
 * option name NUL, value NUL.  Mode and option names are matched without
 * regard to case.  Unknown options are ignored (RFC 2347: "unrecognized
 * options ... are ignored"), as are recognised options whose value is
 * not a canonical decimal number (see struct tftp_opts).
 *
 * An incomplete option at the end (a name without its NUL, a name with
 * no value, a value without its NUL) ends option parsing but does not
 * refuse the request: the options before it stand and opt_truncated is
 * set.  OpenBSD tftpd tolerates trailing garbage after the options the
 * same way (its option parser notes Apple OpenFirmware); refusing the
 * whole boot for it gains nothing.
 *
 * A recognised option sent twice refuses the request with -TFTP_E_DUPOPT
 * (the server answers ERROR 8).  RFC 2347 says nothing about
 * duplicates and servers are not known to agree on first or last wins,
 * so any silent choice may contradict some implementation, and a
 * client that sends two different blksizes has a bug worth surfacing.
 * No known boot client sends duplicates.  Duplicated unknown options are
 * ignored like any unknown option.
 *
 * Returns 0, or:
 *   -TFTP_E_SHORT	fewer than 2 bytes
 *   -TFTP_E_OPCODE	the opcode is neither RRQ nor WRQ
 *   -TFTP_E_FILENAME	filename empty, unterminated or > TFTP_FILENAME_MAX
 *   -TFTP_E_MODE	mode missing, unterminated, "mail" or unknown
 *   -TFTP_E_DUPOPT	a recognised option appears twice
 * On error *req is unspecified.  buf is only read.
 */
int	 tftp_parse_req(const uint8_t *buf, size_t len, struct tftp_req *req);

/*
 * Parse an ACK.  *block is the block number.  *next_window is the
 * msftwindow extra byte when the ACK is 5 or more bytes long (bytes past
 * the fifth are ignored), else 0; the session honours it only if
 * msftwindow was granted and it is not 0.
 * Returns 0, -TFTP_E_SHORT (< 4 bytes) or -TFTP_E_OPCODE.
 */
int	 tftp_parse_ack(const uint8_t *buf, size_t len, uint16_t *block,
	    uint8_t *next_window);

/*
 * Parse an ERROR.  *code is the error code; *msg borrows the message
 * inside buf (not NUL-terminated in general) and *msglen is its length
 * up to the first NUL or the end of the datagram, so a missing
 * terminator is tolerated.  Returns 0, -TFTP_E_SHORT or -TFTP_E_OPCODE.
 */
int	 tftp_parse_error(const uint8_t *buf, size_t len, uint16_t *code,
	    const uint8_t **msg, size_t *msglen);

/*
 * Parse an OACK's options into *opts (same value rules and duplicate rule
 * as tftp_parse_req; an incomplete last option ends parsing).  Used by
 * tests and fuzzers to check tftp_build_oack.
 * Returns 0, -TFTP_E_SHORT, -TFTP_E_OPCODE or -TFTP_E_DUPOPT.
 */
int	 tftp_parse_oack(const uint8_t *buf, size_t len, struct tftp_opts *opts);

/*
 * Builders write into out[0..outlen) (caller-owned) and return the
 * datagram length, or -TFTP_E_SPACE when it does not fit (out is then
 * unspecified).
 *
 * tftp_build_data writes only the 4-byte header and returns
 * 4 + payload_len, the length of the whole datagram; the caller puts the
 * payload at out + 4 or sends it with an iovec.  outlen needs only 4.
 * payload_len above TFTP_BLKSIZE_MAX gives -TFTP_E_RANGE.
 */
int	 tftp_build_data(uint8_t *out, size_t outlen, uint16_t block,
	    size_t payload_len);
int	 tftp_build_ack(uint8_t *out, size_t outlen, uint16_t block);

/*
 * ERROR with code and the C string msg (NULL is an empty message).  The
 * message is cut to TFTP_ERRMSG_MAX bytes and to what fits in outlen,
 * and is always NUL-terminated; outlen below 5 gives -TFTP_E_SPACE.
 * The message goes to the client as is: it must not reveal server paths.
 */
int	 tftp_build_error(uint8_t *out, size_t outlen, uint16_t code,
	    const char *msg);

/*
 * OACK carrying each option whose bit is set in granted->present, in the
 * order blksize, tsize, timeout, windowsize, msftwindow, rollover, as
 * lower-case names and canonical decimal values.  With no bit set it
 * writes a bare opcode (2 bytes); callers send no OACK in that case.
 */
int	 tftp_build_oack(uint8_t *out, size_t outlen,
	    const struct tftp_opts *granted);

/*
 * Decide what to grant for req under lim; fills *granted (see struct
 * tftp_opts for the values of absent fields).  Rules:
 *
 *   blksize	RFC 2348 allows 8..65464.  A request in that range is
 *		granted as min(request, max_blksize) ("the server may
 *		reply with a smaller value").  A request outside it is not
 *		a valid option, and a server may not answer a value the
 *		client did not ask for; it is ignored (not in the OACK),
 *		so the transfer runs at 512.
 *   timeout	1..255 echoed; anything else ignored (RFC 2349: the
 *		server may not change it, only accept or drop it).
 *   tsize	RRQ: answered with file_size, the size in the request's
 *		mode (for netascii the caller passes the converted size);
 *		file_size UINT64_MAX (unknown) drops the option.  WRQ: the
 *		client's value is echoed (RFC 2349); the caller checks it
 *		against space.
 *   windowsize	1..65535 granted as min(request, max_window) (RFC 7440
 *		4); anything else ignored.
 *   msftwindow	granted (answered as 27182) only when the value is
 *		exactly 31416, the request is an RRQ and lim->allow_msft.
 *   rollover	0 or 1 echoed when lim->allow_rollover; else ignored.
 *
 * Returns the number of options granted, 0..6.  0 means no OACK: the
 * transfer starts with DATA 1 (RRQ) or ACK 0 (WRQ) as in RFC 1350.
 */
int	 tftp_negotiate(const struct tftp_req *req,
	    const struct tftp_limits *lim, uint64_t file_size,
	    struct tftp_opts *granted);

#endif
