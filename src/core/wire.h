/*
 * Bounds-checked cursors over wire bytes, shared by the pure codecs (DHCP,
 * TFTP, HA).  Big-endian (network order) integers, converted by hand.
 *
 * The reader keeps off <= len, so len - off never underflows, and its
 * error flag is sticky: after the first failed read every later read
 * fails too, so a parser may read a whole header and test r->bad once.
 * TLVs are read through sub-readers (wire_sub) so a value parser cannot
 * run past its own length.  Nothing is ever cast over packet bytes.
 *
 * The writer is the same idea for output into a caller-owned buffer: a
 * put that does not fit sets the sticky flag and writes nothing.
 */
#ifndef PXEHA_WIRE_H
#define PXEHA_WIRE_H

#include <stddef.h>
#include <stdint.h>

struct wire_rd {
	const uint8_t	*p;
	size_t		 len, off;
	int		 bad;	/* sticky: once set, every later read fails */
};

struct wire_wr {
	uint8_t		*p;
	size_t		 len, off;
	int		 bad;	/* sticky: once set, every later put fails */
};

/* Read len bytes at p (borrowed; must outlive the reader). */
void		 wire_rd_init(struct wire_rd *, const void *p, size_t len);
/* Bytes not yet read; 0 once the reader is bad. */
size_t		 wire_left(const struct wire_rd *);

/*
 * Each read returns 0 and advances, or returns -1, sets r->bad and leaves
 * the output untouched when fewer bytes remain than it needs.
 */
int		 wire_u8(struct wire_rd *, uint8_t *);
int		 wire_u16(struct wire_rd *, uint16_t *);
int		 wire_u32(struct wire_rd *, uint32_t *);
/* Copy the next n bytes into dst. */
int		 wire_bytes(struct wire_rd *, void *dst, size_t n);
/* Skip n bytes. */
int		 wire_skip(struct wire_rd *, size_t n);
/* Borrow the next n bytes: *pp points into the reader's buffer. */
int		 wire_ptr(struct wire_rd *, size_t n, const uint8_t **pp);
/* Carve the next n bytes into *sub so a TLV parser cannot run past its
 * value.  On failure *sub is a bad, empty reader. */
int		 wire_sub(struct wire_rd *, size_t n, struct wire_rd *sub);

/* Write into p[0..len) (borrowed). */
void		 wire_wr_init(struct wire_wr *, void *p, size_t len);
/* Each put returns 0, or -1 with w->bad set and nothing written. */
int		 wire_put_u8(struct wire_wr *, uint8_t);
int		 wire_put_u16(struct wire_wr *, uint16_t);
int		 wire_put_u32(struct wire_wr *, uint32_t);
int		 wire_put_bytes(struct wire_wr *, const void *, size_t);
int		 wire_put_zero(struct wire_wr *, size_t);

/* Fixed-position big-endian helpers; the caller has checked the bounds. */
uint16_t	 wire_load16(const uint8_t *);
uint32_t	 wire_load32(const uint8_t *);
void		 wire_store16(uint8_t *, uint16_t);
void		 wire_store32(uint8_t *, uint32_t);

#endif
