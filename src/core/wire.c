/*
 * Bounds-checked wire cursors (see wire.h).  Pure.
 */
#include <string.h>

#include "wire.h"

void
wire_rd_init(struct wire_rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = p == NULL ? 0 : len;
	r->off = 0;
	r->bad = 0;
}

size_t
wire_left(const struct wire_rd *r)
{
	return (r->bad ? 0 : r->len - r->off);
}

/* Claim n bytes: 0 and the old offset in *at, or -1 and the reader bad. */
static int
wire_take(struct wire_rd *r, size_t n, size_t *at)
{
	if (r->bad || r->len - r->off < n) {
		r->bad = 1;
		return (-1);
	}
	*at = r->off;
	r->off += n;
	return (0);
}

int
wire_u8(struct wire_rd *r, uint8_t *v)
{
	size_t	 at;

	if (wire_take(r, 1, &at) == -1)
		return (-1);
	*v = r->p[at];
	return (0);
}

int
wire_u16(struct wire_rd *r, uint16_t *v)
{
	size_t	 at;

	if (wire_take(r, 2, &at) == -1)
		return (-1);
	*v = wire_load16(r->p + at);
	return (0);
}

int
wire_u32(struct wire_rd *r, uint32_t *v)
{
	size_t	 at;

	if (wire_take(r, 4, &at) == -1)
		return (-1);
	*v = wire_load32(r->p + at);
	return (0);
}

int
wire_bytes(struct wire_rd *r, void *dst, size_t n)
{
	size_t	 at;

	if (wire_take(r, n, &at) == -1)
		return (-1);
	if (n > 0)
		memcpy(dst, r->p + at, n);
	return (0);
}

int
wire_skip(struct wire_rd *r, size_t n)
{
	size_t	 at;

	return (wire_take(r, n, &at));
}

int
wire_ptr(struct wire_rd *r, size_t n, const uint8_t **pp)
{
	size_t	 at;

	if (wire_take(r, n, &at) == -1)
		return (-1);
	/* An empty reader may have p == NULL; never do arithmetic on it. */
	*pp = r->p == NULL ? (const uint8_t *)"" : r->p + at;
	return (0);
}

int
wire_sub(struct wire_rd *r, size_t n, struct wire_rd *sub)
{
	const uint8_t	*p;

	if (wire_ptr(r, n, &p) == -1) {
		wire_rd_init(sub, NULL, 0);
		sub->bad = 1;
		return (-1);
	}
	wire_rd_init(sub, p, n);
	return (0);
}

void
wire_wr_init(struct wire_wr *w, void *p, size_t len)
{
	w->p = p;
	w->len = p == NULL ? 0 : len;
	w->off = 0;
	w->bad = 0;
}

/* Claim n bytes of output, as wire_take does for input. */
static uint8_t *
wire_room(struct wire_wr *w, size_t n)
{
	uint8_t	*at;

	if (w->bad || w->len - w->off < n) {
		w->bad = 1;
		return (NULL);
	}
	at = w->p + w->off;
	w->off += n;
	return (at);
}

int
wire_put_u8(struct wire_wr *w, uint8_t v)
{
	uint8_t	*at;

	if ((at = wire_room(w, 1)) == NULL)
		return (-1);
	*at = v;
	return (0);
}

int
wire_put_u16(struct wire_wr *w, uint16_t v)
{
	uint8_t	*at;

	if ((at = wire_room(w, 2)) == NULL)
		return (-1);
	wire_store16(at, v);
	return (0);
}

int
wire_put_u32(struct wire_wr *w, uint32_t v)
{
	uint8_t	*at;

	if ((at = wire_room(w, 4)) == NULL)
		return (-1);
	wire_store32(at, v);
	return (0);
}

int
wire_put_bytes(struct wire_wr *w, const void *v, size_t n)
{
	uint8_t	*at;

	if (n == 0)
		return (w->bad ? -1 : 0);
	if ((at = wire_room(w, n)) == NULL)
		return (-1);
	memcpy(at, v, n);
	return (0);
}

int
wire_put_zero(struct wire_wr *w, size_t n)
{
	uint8_t	*at;

	if (n == 0)
		return (w->bad ? -1 : 0);
	if ((at = wire_room(w, n)) == NULL)
		return (-1);
	memset(at, 0, n);
	return (0);
}

uint16_t
wire_load16(const uint8_t *p)
{
	return ((uint16_t)((unsigned)p[0] << 8 | p[1]));
}

uint32_t
wire_load32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3]);
}

void
wire_store16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
wire_store32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}
