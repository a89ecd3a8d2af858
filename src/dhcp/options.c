/*
 * DHCPv4 encoding: option sets and the reply and message builders
 * (RFC 2131, RFC 2132, RFC 3396 long options, RFC 2132 9.3 overload).
 * Pure: no sockets, no clock, no malloc.  Decoding is in packet.c.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pxeha/dhcp.h"
#include "../core/wire.h"

#define DHCP_SNAME_OFF		44
#define DHCP_FILE_OFF		108
#define DHCP_OPT_MAXLEN		255	/* one instance: the length is 1 byte */
#define DHCP_IPUDP_LEN		28	/* IPv4 header (no options) + UDP */

/* Overload areas, as bits of the option 52 value (RFC 2132 9.3). */
#define DHCP_AREA_FILE		1
#define DHCP_AREA_SNAME		2

#define DHCP_BIT_SET(a, c)	((a)[(c) >> 3] |= (uint8_t)(1U << ((c) & 7)))
#define DHCP_BIT_ISSET(a, c)	(((unsigned)(a)[(c) >> 3] >> ((c) & 7)) & 1U)

_Static_assert(sizeof(((struct dhcp_optset *)0)->store) <= UINT16_MAX,
    "optset offsets are 16 bits");

/* RFC 2131 3: the options field starts with 99.130.83.99. */
static const uint8_t	dhcp_cookie[4] = { 99, 130, 83, 99 };

/*
 * Sent whether or not the client's option 55 asks for them: the basic
 * configuration of RFC 2131 4.3.1 that PXE ROMs often forget to request
 * (mask, routers, DNS, domain, broadcast, lease times, server id).
 */
static const uint8_t	dhcp_always_codes[] = {
	DHO_SUBNET_MASK, DHO_ROUTERS, DHO_DNS, DHO_DOMAIN_NAME, DHO_BROADCAST,
	DHO_LEASE_TIME, DHO_SERVER_ID, DHO_RENEWAL_TIME, DHO_REBINDING_TIME
};

/* ------------------------------------------------------------ option sets */

void
dhcp_optset_init(struct dhcp_optset *s)
{
	memset(s, 0, sizeof(*s));
}

static int
dhcp_optset_find(const struct dhcp_optset *s, uint8_t code, size_t *idx)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (s->o[i].code == code) {
			*idx = i;
			return (0);
		}
	return (-1);
}

/* Remove slot i's bytes from the store; the slot itself stays. */
static void
dhcp_optset_squeeze(struct dhcp_optset *s, size_t i)
{
	size_t	 off = s->o[i].off, len = s->o[i].len, j;

	memmove(s->store + off, s->store + off + len, s->used - off - len);
	s->used -= len;
	for (j = 0; j < s->n; j++)
		if (s->o[j].off > off)
			s->o[j].off = (uint16_t)(s->o[j].off - len);
	s->o[i].len = 0;
}

/*
 * Give code a fresh len-byte value at the end of the store and point *pp
 * at it.  An existing slot keeps its place in the order.  On failure the
 * set is unchanged.
 */
static int
dhcp_optset_reserve(struct dhcp_optset *s, uint8_t code, size_t len,
    uint8_t **pp)
{
	size_t	 i, avail;
	int	 found;

	if (code == DHO_PAD || code == DHO_END)
		return (-DHCP_E_OPTION);	/* they have no length octet */
	found = dhcp_optset_find(s, code, &i) == 0;
	avail = sizeof(s->store) - s->used + (found ? s->o[i].len : 0);
	if (len > avail || (!found && s->n == DHCP_OPTSET_MAX))
		return (-DHCP_E_SPACE);
	if (found)
		dhcp_optset_squeeze(s, i);
	else {
		i = s->n++;
		s->o[i].code = code;
	}
	s->o[i].off = (uint16_t)s->used;
	s->o[i].len = (uint16_t)len;
	*pp = s->store + s->used;
	s->used += len;
	return (0);
}

int
dhcp_optset_add(struct dhcp_optset *s, uint8_t code, const void *data,
    size_t len)
{
	uint8_t	*p;
	int	 rv;

	if ((rv = dhcp_optset_reserve(s, code, len, &p)) != 0)
		return (rv);
	if (len > 0)
		memcpy(p, data, len);
	return (0);
}

int
dhcp_optset_add_u32(struct dhcp_optset *s, uint8_t code, uint32_t v)
{
	uint8_t	 b[4];

	wire_store32(b, v);
	return (dhcp_optset_add(s, code, b, sizeof(b)));
}

int
dhcp_optset_add_u8(struct dhcp_optset *s, uint8_t code, uint8_t v)
{
	return (dhcp_optset_add(s, code, &v, 1));
}

int
dhcp_optset_add_addrs(struct dhcp_optset *s, uint8_t code,
    const uint32_t *addrs, size_t n)
{
	uint8_t	*p;
	size_t	 i;
	int	 rv;

	if (n > sizeof(s->store) / 4)
		return (-DHCP_E_SPACE);
	if ((rv = dhcp_optset_reserve(s, code, n * 4, &p)) != 0)
		return (rv);
	for (i = 0; i < n; i++)
		wire_store32(p + 4 * i, addrs[i]);
	return (0);
}

void
dhcp_optset_del(struct dhcp_optset *s, uint8_t code)
{
	size_t	 i;

	if (dhcp_optset_find(s, code, &i) == -1)
		return;
	dhcp_optset_squeeze(s, i);
	memmove(&s->o[i], &s->o[i + 1], (s->n - i - 1) * sizeof(s->o[0]));
	s->n--;
}

void
dhcp_optset_always(struct dhcp_optset *s, uint8_t code)
{
	DHCP_BIT_SET(s->always, code);
}

/* ------------------------------------------------------- option encoding */

/* An option area being filled; cap leaves one byte for its END. */
struct dhcp_area {
	uint8_t		*p;
	size_t		 cap, off;
	unsigned	 bit;		/* DHCP_AREA_*, 0 for options */
};

/* Bytes a value of len takes on the wire, in 255-byte instances. */
static size_t
dhcp_enc_len(size_t len)
{
	if (len == 0)
		return (2);
	return (len + 2 * ((len + DHCP_OPT_MAXLEN - 1) / DHCP_OPT_MAXLEN));
}

static void
dhcp_emit(struct dhcp_area *a, uint8_t code, const uint8_t *v, size_t n)
{
	assert(n <= DHCP_OPT_MAXLEN && a->cap - a->off >= n + 2);
	a->p[a->off++] = code;
	a->p[a->off++] = (uint8_t)n;
	if (n > 0)
		memcpy(a->p + a->off, v, n);
	a->off += n;
}

/*
 * Put one option into the areas a[0..na).  A value of up to 255 bytes goes
 * whole into the first area with room: PXE ROMs tend to read only the
 * first instance of an option and not to implement RFC 3396.  A longer
 * value is cut into instances (RFC 3396 5) that fill the areas in order,
 * so the decoder's concatenation order (options, file, sname) restores it.
 * Returns 0, or -1 when it does not fit; the areas are then partly
 * written and the caller starts the layout again.
 */
static int
dhcp_put(struct dhcp_area *a, size_t na, uint8_t code, const uint8_t *v,
    size_t len)
{
	size_t	 i, n, room;

	if (len <= DHCP_OPT_MAXLEN) {
		for (i = 0; i < na; i++)
			if (a[i].cap - a[i].off >= len + 2) {
				dhcp_emit(&a[i], code, v, len);
				return (0);
			}
		return (-1);
	}
	for (i = 0; len > 0;) {
		if (i == na)
			return (-1);
		if ((room = a[i].cap - a[i].off) < 3) {
			i++;
			continue;
		}
		n = len < room - 2 ? len : room - 2;
		if (n > DHCP_OPT_MAXLEN)
			n = DHCP_OPT_MAXLEN;
		dhcp_emit(&a[i], code, v, n);
		v += n;
		len -= n;
	}
	return (0);
}

/* The fixed header of a message being built. */
struct dhcp_fixed {
	uint8_t		 op, htype, hlen, hops;
	uint32_t	 xid;
	uint16_t	 secs, flags;
	uint32_t	 ciaddr, yiaddr, siaddr, giaddr;
	const uint8_t	*chaddr;	/* DHCP_CHADDR_LEN bytes */
	const void	*sname, *file;	/* snamelen, filelen bytes; rest 0 */
	size_t		 snamelen, filelen;
};

/* Write the fixed header and the cookie: out[0..DHCP_MIN_LEN). */
static void
dhcp_put_header(uint8_t *out, const struct dhcp_fixed *h)
{
	struct wire_wr	 w;

	wire_wr_init(&w, out, DHCP_MIN_LEN);
	(void)wire_put_u8(&w, h->op);
	(void)wire_put_u8(&w, h->htype);
	(void)wire_put_u8(&w, h->hlen);
	(void)wire_put_u8(&w, h->hops);
	(void)wire_put_u32(&w, h->xid);
	(void)wire_put_u16(&w, h->secs);
	(void)wire_put_u16(&w, h->flags);
	(void)wire_put_u32(&w, h->ciaddr);
	(void)wire_put_u32(&w, h->yiaddr);
	(void)wire_put_u32(&w, h->siaddr);
	(void)wire_put_u32(&w, h->giaddr);
	(void)wire_put_bytes(&w, h->chaddr, DHCP_CHADDR_LEN);
	(void)wire_put_bytes(&w, h->sname, h->snamelen);
	(void)wire_put_zero(&w, DHCP_SNAME_LEN - h->snamelen);
	(void)wire_put_bytes(&w, h->file, h->filelen);
	(void)wire_put_zero(&w, DHCP_FILE_LEN - h->filelen);
	(void)wire_put_bytes(&w, dhcp_cookie, sizeof(dhcp_cookie));
	assert(!w.bad && w.off == DHCP_MIN_LEN);
}

/*
 * END after the options, then zeros up to the BOOTP minimum (RFC 951).
 * The caller kept a byte for END and checked that 300 bytes fit.
 */
static int
dhcp_finish(uint8_t *out, size_t optlen)
{
	size_t	 len = DHCP_MIN_LEN + optlen;

	out[len++] = DHO_END;
	if (len < DHCP_BOOTP_MIN_LEN) {
		memset(out + len, 0, DHCP_BOOTP_MIN_LEN - len);
		len = DHCP_BOOTP_MIN_LEN;
	}
	return ((int)len);
}

int
dhcp_build_msg(const struct dhcp_msg *hdr, const struct dhcp_optset *opts,
    uint8_t *out, size_t outlen)
{
	struct dhcp_fixed h = { hdr->op, hdr->htype, hdr->hlen, hdr->hops,
	    hdr->xid, hdr->secs, hdr->flags, hdr->ciaddr, hdr->yiaddr,
	    hdr->siaddr, hdr->giaddr, hdr->chaddr, hdr->sname, hdr->file,
	    sizeof(hdr->sname), sizeof(hdr->file) };
	struct dhcp_area a;
	size_t		 i, limit, dummy;
	uint8_t		 t;

	limit = outlen < DHCP_MAX_LEN ? outlen : DHCP_MAX_LEN;
	if (out == NULL || limit < DHCP_BOOTP_MIN_LEN)
		return (-DHCP_E_SPACE);
	dhcp_put_header(out, &h);
	a.p = out + DHCP_MIN_LEN;
	a.cap = limit - DHCP_MIN_LEN - 1;
	a.off = 0;
	a.bit = 0;
	if (hdr->type != DHCP_NONE &&
	    (opts == NULL || dhcp_optset_find(opts, DHO_MSG_TYPE, &dummy) != 0)) {
		t = (uint8_t)hdr->type;
		if (dhcp_put(&a, 1, DHO_MSG_TYPE, &t, 1) == -1)
			return (-DHCP_E_SPACE);
	}
	for (i = 0; opts != NULL && i < opts->n; i++)
		if (dhcp_put(&a, 1, opts->o[i].code,
		    opts->store + opts->o[i].off, opts->o[i].len) == -1)
			return (-DHCP_E_SPACE);
	return (dhcp_finish(out, a.off));
}

/* ----------------------------------------------------------------- replies */

/* One option the reply may carry, in the order it is laid out. */
struct dhcp_cand {
	const uint8_t	*v;
	size_t		 len;
	uint8_t		 code;
	uint8_t		 keep;	/* never dropped: 53, 54, 51, 82 */
	uint8_t		 on;	/* not dropped (yet) */
};

struct dhcp_plan {
	struct dhcp_cand c[DHCP_OPTSET_MAX + 2];
	size_t		 n;
	uint8_t		 type;	/* value of option 53 */
};

static int
dhcp_wanted(const struct dhcp_msg *req, const struct dhcp_reply *rep,
    uint8_t code)
{
	const uint8_t	*prl;
	size_t		 i, n;

	/* RFC 2131 4.3.2 table 3: a DHCPNAK carries 54 and 56 only. */
	if (rep->type == DHCPNAK)
		return (code == DHO_SERVER_ID || code == DHO_MESSAGE);
	/*
	 * A client without option 55 (BOOTP, RFC 1497 vendor extensions)
	 * gets everything, not nothing, as dnsmasq does.
	 */
	if ((prl = dhcp_opt(req, DHO_PARAM_LIST, &n)) == NULL)
		return (1);
	if (DHCP_BIT_ISSET(rep->opts.always, code))
		return (1);
	for (i = 0; i < sizeof(dhcp_always_codes); i++)
		if (dhcp_always_codes[i] == code)
			return (1);
	for (i = 0; i < n; i++)
		if (prl[i] == code)
			return (1);
	return (0);
}

static void
dhcp_plan_add(struct dhcp_plan *pl, uint8_t code, const uint8_t *v,
    size_t len)
{
	struct dhcp_cand *c;

	assert(pl->n < sizeof(pl->c) / sizeof(pl->c[0]));
	c = &pl->c[pl->n++];
	c->code = code;
	c->v = v;
	c->len = len;
	c->on = 1;
	c->keep = code == DHO_MSG_TYPE || code == DHO_SERVER_ID ||
	    code == DHO_LEASE_TIME || code == DHO_RELAY_INFO;
}

/* 53 first, 54 next, the rest in the order added, 82 last. */
static void
dhcp_plan_reply(struct dhcp_plan *pl, const struct dhcp_msg *req,
    const struct dhcp_reply *rep)
{
	const struct dhcp_optset *s = &rep->opts;
	const uint8_t	*v;
	size_t		 i, len;
	uint8_t		 code;

	pl->n = 0;
	pl->type = (uint8_t)rep->type;
	if (rep->type != DHCP_NONE)
		dhcp_plan_add(pl, DHO_MSG_TYPE, &pl->type, 1);
	if (dhcp_optset_find(s, DHO_SERVER_ID, &i) == 0)
		dhcp_plan_add(pl, DHO_SERVER_ID, s->store + s->o[i].off,
		    s->o[i].len);
	for (i = 0; i < s->n; i++) {
		code = s->o[i].code;
		/* The builder owns these; 82 is only ever an echo. */
		if (code == DHO_MSG_TYPE || code == DHO_SERVER_ID ||
		    code == DHO_OVERLOAD || code == DHO_RELAY_INFO ||
		    code == DHO_PAD || code == DHO_END)
			continue;
		if (dhcp_wanted(req, rep, code))
			dhcp_plan_add(pl, code, s->store + s->o[i].off,
			    s->o[i].len);
	}
	/* RFC 3046 2.2: echo the relay agent option unchanged, last. */
	if ((v = dhcp_opt(req, DHO_RELAY_INFO, &len)) != NULL)
		dhcp_plan_add(pl, DHO_RELAY_INFO, v, len);
}

/* Drop the last option that may be dropped; -1 when none is left. */
static int
dhcp_plan_drop(struct dhcp_plan *pl)
{
	size_t	 i;

	for (i = pl->n; i > 0; i--)
		if (pl->c[i - 1].on && !pl->c[i - 1].keep) {
			pl->c[i - 1].on = 0;
			return (0);
		}
	return (-1);
}

/*
 * Lay the plan out into the options field of out[0..limit), and into file
 * and sname for the DHCP_AREA_* bits in ovl.  53 and 54 lead the options
 * field, option 52 (when ovl) follows them, and 82 ends it, so that a
 * relay agent stripping 82 (RFC 3046 2.1) need not follow option 52.
 * Returns the length of the options field without END, or -1 when the
 * plan does not fit.
 */
static int
dhcp_layout(uint8_t *out, size_t limit, const struct dhcp_plan *pl,
    unsigned ovl)
{
	struct dhcp_area a[3];
	const struct dhcp_cand *c;
	static const uint8_t zero = 0;
	size_t		 na = 1, i, tail = 0, need, at52 = 0;
	unsigned	 used = 0;
	int		 placed52 = ovl == 0;

	if (pl->n > 0 && pl->c[pl->n - 1].code == DHO_RELAY_INFO)
		tail = dhcp_enc_len(pl->c[pl->n - 1].len);
	need = 1 + tail + (ovl ? 3 : 0);
	if (limit < DHCP_MIN_LEN + need)
		return (-1);
	a[0] = (struct dhcp_area){ out + DHCP_MIN_LEN,
	    limit - DHCP_MIN_LEN - need, 0, 0 };
	/* RFC 2131 4.1: file is interpreted before sname. */
	if (ovl & DHCP_AREA_FILE)
		a[na++] = (struct dhcp_area){ out + DHCP_FILE_OFF,
		    DHCP_FILE_LEN - 1, 0, DHCP_AREA_FILE };
	if (ovl & DHCP_AREA_SNAME)
		a[na++] = (struct dhcp_area){ out + DHCP_SNAME_OFF,
		    DHCP_SNAME_LEN - 1, 0, DHCP_AREA_SNAME };

	for (i = 0; i < pl->n; i++) {
		c = &pl->c[i];
		if (!c->on)
			continue;
		if (!placed52 && c->code != DHO_MSG_TYPE &&
		    c->code != DHO_SERVER_ID) {
			a[0].cap += 3;
			dhcp_emit(&a[0], DHO_OVERLOAD, &zero, 1);
			at52 = a[0].off - 1;
			placed52 = 1;
		}
		if (c->code == DHO_RELAY_INFO && i == pl->n - 1)
			a[0].cap += tail;
		if (dhcp_put(a, c->code == DHO_MSG_TYPE ||
		    c->code == DHO_SERVER_ID || c->code == DHO_RELAY_INFO ?
		    1 : na, c->code, c->v, c->len) == -1)
			return (-1);
	}
	for (i = 1; i < na; i++)
		if (a[i].off > 0) {
			a[i].p[a[i].off] = DHO_END;
			used |= a[i].bit;
		}
	if (ovl) {
		/*
		 * Not reached: the caller tries without overload first, with
		 * 3 more bytes in the options field, so something spilled.
		 */
		if (!placed52 || used == 0)
			return (-1);
		a[0].p[at52] = (uint8_t)used;
	}
	return ((int)a[0].off);
}

/*
 * The reply size limit.  RFC 2132 9.10: option 57 is the largest IP
 * datagram the client accepts and may not be below 576; RFC 2131 2: without
 * it the client must still accept a 576-byte datagram (an options field
 * of 312 octets).  Both include the 20-byte IP and 8-byte UDP headers, so
 * the DHCP message gets 28 bytes less: 548 by default.
 */
static size_t
dhcp_limit(const struct dhcp_msg *req, size_t outlen)
{
	size_t		 limit = DHCP_MIN_MAX_SIZE;
	uint16_t	 v;

	if (dhcp_opt_u16(req, DHO_MAX_SIZE, &v) == 0 && v > limit)
		limit = v;
	limit -= DHCP_IPUDP_LEN;
	if (limit > DHCP_MAX_LEN)
		limit = DHCP_MAX_LEN;
	if (limit > outlen)
		limit = outlen;
	return (limit);
}

static void
dhcp_clear_areas(uint8_t *out, unsigned areas)
{
	if (areas & DHCP_AREA_FILE)
		memset(out + DHCP_FILE_OFF, 0, DHCP_FILE_LEN);
	if (areas & DHCP_AREA_SNAME)
		memset(out + DHCP_SNAME_OFF, 0, DHCP_SNAME_LEN);
}

int
dhcp_build(const struct dhcp_msg *req, const struct dhcp_reply *rep,
    uint8_t *out, size_t outlen)
{
	struct dhcp_plan pl;
	struct dhcp_fixed h;
	unsigned	 avail = 0;
	size_t		 limit;
	int		 len, nak;

	if ((unsigned)rep->type > DHCPINFORM)
		return (-DHCP_E_TYPE);
	limit = dhcp_limit(req, outlen);
	if (out == NULL || limit < DHCP_BOOTP_MIN_LEN)
		return (-DHCP_E_SPACE);
	nak = rep->type == DHCPNAK;

	/* RFC 2131 4.3.1 table 3: hops and secs 0, the rest from req. */
	memset(&h, 0, sizeof(h));
	h.op = DHCP_BOOTREPLY;
	h.htype = req->htype;
	h.hlen = req->hlen;
	h.xid = req->xid;
	h.flags = req->flags;
	h.giaddr = req->giaddr;
	h.chaddr = req->chaddr;
	/* Table 3: a DHCPNAK has no addresses and no sname or file. */
	if (!nak) {
		h.ciaddr = rep->ciaddr;
		h.yiaddr = rep->yiaddr;
		h.siaddr = rep->siaddr;
		h.sname = rep->sname;
		h.snamelen = strnlen(rep->sname, sizeof(rep->sname));
		h.file = rep->file;
		h.filelen = strnlen(rep->file, sizeof(rep->file));
		/* RFC 2132 9.3: only empty fields may carry options. */
		avail = (h.filelen == 0 ? DHCP_AREA_FILE : 0) |
		    (h.snamelen == 0 ? DHCP_AREA_SNAME : 0);
	}
	dhcp_put_header(out, &h);

	dhcp_plan_reply(&pl, req, rep);
	for (;;) {
		dhcp_clear_areas(out, avail);
		if ((len = dhcp_layout(out, limit, &pl, 0)) >= 0)
			break;
		if (avail != 0) {
			dhcp_clear_areas(out, avail);
			if ((len = dhcp_layout(out, limit, &pl, avail)) >= 0)
				break;
		}
		if (dhcp_plan_drop(&pl) == -1)
			return (-DHCP_E_SPACE);
	}
	return (dhcp_finish(out, (size_t)len));
}
