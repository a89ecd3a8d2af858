/*
 * Lease record codec, shared by the journal, snapshots and the HA wire.
 * Pure: bytes in, struct out.
 *
 * Version 1 layout, big-endian, 38 + hwlen + cidlen + hostlen bytes:
 *
 *	u8 version (1)   u8 state        u32 addr       u64 seq
 *	i64 starts       i64 expires     u32 subnet     u8 hwtype
 *	u8 hwlen  hw[hwlen]   u8 cidlen  cid[cidlen]   u8 hostlen  host[hostlen]
 *
 * The encoding is canonical: decode refuses anything encode would not
 * produce, so a record read back re-encodes byte for byte (the fuzzer
 * checks this).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pxeha/lease.h"

#define REC_VERSION	1
#define REC_FIXED	38	/* every field but the three byte strings */
#define REC_HOST_MAX	(LEASE_HOST_MAX - 1)

/* Encoder cursor: callers check the space up front, so writes cannot fail. */
struct rec_wr {
	uint8_t		*p;
	size_t		 off;
};

/* Decoder cursor: off <= len always, and bad is sticky. */
struct rec_rd {
	const uint8_t	*p;
	size_t		 len, off;
	int		 bad;
};

static void
wr_u8(struct rec_wr *w, uint8_t v)
{
	w->p[w->off++] = v;
}

static void
wr_u32(struct rec_wr *w, uint32_t v)
{
	int i;

	for (i = 3; i >= 0; i--)
		w->p[w->off++] = (uint8_t)(v >> (i * 8));
}

static void
wr_u64(struct rec_wr *w, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--)
		w->p[w->off++] = (uint8_t)(v >> (i * 8));
}

static void
wr_bytes(struct rec_wr *w, const void *src, size_t n)
{
	if (n > 0)
		memcpy(w->p + w->off, src, n);
	w->off += n;
}

static uint8_t
rd_u8(struct rec_rd *r)
{
	if (r->bad || r->len - r->off < 1) {
		r->bad = 1;
		return (0);
	}
	return (r->p[r->off++]);
}

static uint32_t
rd_u32(struct rec_rd *r)
{
	uint32_t v = 0;
	int i;

	if (r->bad || r->len - r->off < 4) {
		r->bad = 1;
		return (0);
	}
	for (i = 0; i < 4; i++)
		v = v << 8 | r->p[r->off++];
	return (v);
}

static uint64_t
rd_u64(struct rec_rd *r)
{
	uint64_t v = 0;
	int i;

	if (r->bad || r->len - r->off < 8) {
		r->bad = 1;
		return (0);
	}
	for (i = 0; i < 8; i++)
		v = v << 8 | r->p[r->off++];
	return (v);
}

/* A length byte (at most max) followed by that many bytes, into dst. */
static size_t
rd_lv(struct rec_rd *r, uint8_t *dst, size_t max)
{
	size_t n;

	n = rd_u8(r);
	if (r->bad || n > max || r->len - r->off < n) {
		r->bad = 1;
		return (0);
	}
	if (n > 0)
		memcpy(dst, r->p + r->off, n);
	r->off += n;
	return (n);
}

static int
host_char_ok(uint8_t c)
{
	return (c >= 0x20 && c <= 0x7e);
}

int
lease_rec_encode(const struct lease *l, uint8_t *buf, size_t buflen)
{
	struct rec_wr w = { buf, 0 };
	size_t hostlen, i;

	if (l->addr == 0 || (unsigned)l->state >= LEASE_STATE_COUNT ||
	    l->hwlen > LEASE_HW_MAX || l->cidlen > LEASE_CID_MAX)
		return (-LEASE_E_INVAL);
	hostlen = strnlen(l->hostname, REC_HOST_MAX);
	if (buflen < (size_t)REC_FIXED + l->hwlen + l->cidlen + hostlen)
		return (-LEASE_E_SPACE);

	wr_u8(&w, REC_VERSION);
	wr_u8(&w, (uint8_t)l->state);
	wr_u32(&w, l->addr);
	wr_u64(&w, l->seq);
	wr_u64(&w, (uint64_t)l->starts);
	wr_u64(&w, (uint64_t)l->expires);
	wr_u32(&w, l->subnet);
	wr_u8(&w, l->hwtype);
	wr_u8(&w, l->hwlen);
	wr_bytes(&w, l->hw, l->hwlen);
	wr_u8(&w, l->cidlen);
	wr_bytes(&w, l->cid, l->cidlen);
	wr_u8(&w, (uint8_t)hostlen);
	for (i = 0; i < hostlen; i++)
		wr_u8(&w, host_char_ok((uint8_t)l->hostname[i]) ?
		    (uint8_t)l->hostname[i] : '?');
	return ((int)w.off);
}

int
lease_rec_decode(const uint8_t *buf, size_t len, struct lease *out)
{
	struct rec_rd r = { buf, len, 0, 0 };
	struct lease l;
	uint8_t host[REC_HOST_MAX];
	size_t hostlen, i;
	uint8_t state;

	memset(&l, 0, sizeof(l));
	if (rd_u8(&r) != REC_VERSION)
		return (-LEASE_E_FORMAT);
	state = rd_u8(&r);
	l.addr = rd_u32(&r);
	l.seq = rd_u64(&r);
	l.starts = (int64_t)rd_u64(&r);
	l.expires = (int64_t)rd_u64(&r);
	l.subnet = rd_u32(&r);
	l.hwtype = rd_u8(&r);
	l.hwlen = (uint8_t)rd_lv(&r, l.hw, sizeof(l.hw));
	l.cidlen = (uint8_t)rd_lv(&r, l.cid, sizeof(l.cid));
	hostlen = rd_lv(&r, host, sizeof(host));
	if (r.bad || r.off != r.len || state >= LEASE_STATE_COUNT ||
	    l.addr == 0)
		return (-LEASE_E_FORMAT);
	for (i = 0; i < hostlen; i++) {
		if (!host_char_ok(host[i]))
			return (-LEASE_E_FORMAT);
		l.hostname[i] = (char)host[i];
	}
	l.state = (enum lease_state)state;
	*out = l;
	return (0);
}
