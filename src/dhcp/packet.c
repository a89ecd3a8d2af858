/*
 * DHCPv4 / BOOTP decoding: header, options (RFC 2131, RFC 2132), long
 * options (RFC 3396), option overload (RFC 2132 9.3) and the relay agent
 * information option (RFC 3046).  Pure: no sockets, no clock, no malloc.
 * The encoding side is in options.c.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pxeha/dhcp.h"
#include "../core/wire.h"

/* RFC 2131 3: the options field starts with 99.130.83.99. */
static const uint8_t	dhcp_cookie[4] = { 99, 130, 83, 99 };

/*
 * Every byte of concatenated option data comes from a distinct byte of the
 * options, file or sname field of the packet, so the total is below the
 * packet length and optdata cannot overflow; optlen/optoff fit in 16 bits.
 */
_Static_assert(DHCP_MAX_LEN - DHCP_MIN_LEN + DHCP_FILE_LEN + DHCP_SNAME_LEN <=
    sizeof(((struct dhcp_msg *)0)->optdata), "optdata too small");
_Static_assert(sizeof(((struct dhcp_msg *)0)->optdata) <= UINT16_MAX,
    "optoff is 16 bits");

#define DHCP_BIT_SET(a, c)	((a)[(c) >> 3] |= (uint8_t)(1U << ((c) & 7)))
#define DHCP_BIT_ISSET(a, c)	(((unsigned)(a)[(c) >> 3] >> ((c) & 7)) & 1U)

/*
 * Walk one option area.  In the counting pass (copy == 0) every TLV is
 * checked, the length of each code is summed into m->optlen and the
 * presence bit is set; in the copying pass each instance is appended at
 * optoff + optlen.  inner is set for file and sname, where option 52 is
 * not followed (no recursion).  Returns 0 or -DHCP_E_OPTION.
 */
static int
dhcp_scan(struct dhcp_msg *m, const uint8_t *area, size_t len, int inner,
    int copy)
{
	struct wire_rd	 r;
	const uint8_t	*v;
	uint8_t		 code, olen;
	size_t		 at;

	wire_rd_init(&r, area, len);
	while (wire_u8(&r, &code) == 0) {
		if (code == DHO_PAD)
			continue;
		if (code == DHO_END)
			break;
		if (wire_u8(&r, &olen) == -1 || wire_ptr(&r, olen, &v) == -1)
			return (-DHCP_E_OPTION);
		if (inner && code == DHO_OVERLOAD)
			continue;
		if (!copy) {
			DHCP_BIT_SET(m->present, code);
			m->optlen[code] = (uint16_t)(m->optlen[code] + olen);
			/* With a valid total length of 1 this is the value. */
			if (code == DHO_OVERLOAD && olen > 0)
				m->overload = v[olen - 1];
			continue;
		}
		at = (size_t)m->optoff[code] + m->optlen[code];
		assert(at + olen <= sizeof(m->optdata));
		memcpy(m->optdata + at, v, olen);
		m->optlen[code] = (uint16_t)(m->optlen[code] + olen);
	}
	return (0);
}

/*
 * RFC 3396 6: instances are concatenated in the order options field, then
 * file, then sname.  The first pass sums the lengths per code so that each
 * code's value can be given one contiguous slot; the second pass fills the
 * slots.  The second pass sees the same bytes, so it cannot fail.
 */
static int
dhcp_scan_all(struct dhcp_msg *m, const uint8_t *opts, size_t optslen,
    const uint8_t *file, const uint8_t *sname)
{
	size_t		 off;
	unsigned	 c;
	int		 rv;

	if ((rv = dhcp_scan(m, opts, optslen, 0, 0)) != 0)
		return (rv);
	if (DHCP_BIT_ISSET(m->present, DHO_OVERLOAD)) {
		/* RFC 2132 9.3: one octet, 1 file, 2 sname, 3 both. */
		if (m->optlen[DHO_OVERLOAD] != 1 || m->overload < 1 ||
		    m->overload > 3)
			return (-DHCP_E_OVERLOAD);
	} else
		m->overload = 0;
	if ((m->overload & 1) &&
	    (rv = dhcp_scan(m, file, DHCP_FILE_LEN, 1, 0)) != 0)
		return (rv);
	if ((m->overload & 2) &&
	    (rv = dhcp_scan(m, sname, DHCP_SNAME_LEN, 1, 0)) != 0)
		return (rv);

	for (c = 0, off = 0; c < 256; c++) {
		m->optoff[c] = (uint16_t)off;
		off += m->optlen[c];
		m->optlen[c] = 0;
	}
	assert(off <= sizeof(m->optdata));
	m->optused = off;

	(void)dhcp_scan(m, opts, optslen, 0, 1);
	if (m->overload & 1)
		(void)dhcp_scan(m, file, DHCP_FILE_LEN, 1, 1);
	if (m->overload & 2)
		(void)dhcp_scan(m, sname, DHCP_SNAME_LEN, 1, 1);
	return (0);
}

int
dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m)
{
	struct wire_rd	 r;
	const uint8_t	*opts;
	uint8_t		 cookie[4], t;
	int		 rv;

	memset(m, 0, sizeof(*m));
	if (buf == NULL || len < DHCP_MIN_LEN)
		return (-DHCP_E_SHORT);
	if (len > DHCP_MAX_LEN)
		return (-DHCP_E_TOOLONG);

	wire_rd_init(&r, buf, len);
	(void)wire_u8(&r, &m->op);
	(void)wire_u8(&r, &m->htype);
	(void)wire_u8(&r, &m->hlen);
	(void)wire_u8(&r, &m->hops);
	(void)wire_u32(&r, &m->xid);
	(void)wire_u16(&r, &m->secs);
	(void)wire_u16(&r, &m->flags);
	(void)wire_u32(&r, &m->ciaddr);
	(void)wire_u32(&r, &m->yiaddr);
	(void)wire_u32(&r, &m->siaddr);
	(void)wire_u32(&r, &m->giaddr);
	(void)wire_bytes(&r, m->chaddr, sizeof(m->chaddr));
	(void)wire_bytes(&r, m->sname, sizeof(m->sname));
	(void)wire_bytes(&r, m->file, sizeof(m->file));
	(void)wire_bytes(&r, cookie, sizeof(cookie));
	assert(!r.bad && r.off == DHCP_MIN_LEN);	/* len was checked */

	if (memcmp(cookie, dhcp_cookie, sizeof(cookie)) != 0)
		rv = -DHCP_E_COOKIE;
	else if (m->hlen > DHCP_CHADDR_LEN)	/* as dhcrelay checks it */
		rv = -DHCP_E_HLEN;
	else if (m->op != DHCP_BOOTREQUEST && m->op != DHCP_BOOTREPLY)
		rv = -DHCP_E_OP;
	else if (wire_ptr(&r, wire_left(&r), &opts) == -1)
		rv = -DHCP_E_SHORT;
	else
		rv = dhcp_scan_all(m, opts, len - DHCP_MIN_LEN, m->file,
		    m->sname);
	if (rv == 0 && DHCP_BIT_ISSET(m->present, DHO_MSG_TYPE)) {
		t = m->optdata[m->optoff[DHO_MSG_TYPE]];
		if (m->optlen[DHO_MSG_TYPE] != 1 || t < DHCPDISCOVER ||
		    t > DHCPINFORM)
			rv = -DHCP_E_TYPE;
		else
			m->type = (enum dhcp_type)t;
	}
	if (rv != 0)	/* keep the header for the caller's log line */
		memset(&m->overload, 0,
		    sizeof(*m) - offsetof(struct dhcp_msg, overload));
	return (rv);
}

const uint8_t *
dhcp_opt(const struct dhcp_msg *m, uint8_t code, size_t *len)
{
	if (!DHCP_BIT_ISSET(m->present, code)) {
		if (len != NULL)
			*len = 0;
		return (NULL);
	}
	if (len != NULL)
		*len = m->optlen[code];
	return (m->optdata + m->optoff[code]);
}

int
dhcp_has_opt(const struct dhcp_msg *m, uint8_t code)
{
	return ((int)DHCP_BIT_ISSET(m->present, code));
}

int
dhcp_opt_u32(const struct dhcp_msg *m, uint8_t code, uint32_t *v)
{
	const uint8_t	*p;
	size_t		 len;

	if ((p = dhcp_opt(m, code, &len)) == NULL || len != 4)
		return (-1);
	*v = wire_load32(p);
	return (0);
}

int
dhcp_opt_u16(const struct dhcp_msg *m, uint8_t code, uint16_t *v)
{
	const uint8_t	*p;
	size_t		 len;

	if ((p = dhcp_opt(m, code, &len)) == NULL || len != 2)
		return (-1);
	*v = wire_load16(p);
	return (0);
}

/*
 * RFC 3046 2.0: option 82 is a sequence of sub-option TLVs with no PAD or
 * END.  A sub-option that runs past the option makes the whole option
 * malformed; an address sub-option of the wrong size is only ignored.  The
 * first instance of each sub-option wins.
 */
int
dhcp_rai(const struct dhcp_msg *m, struct dhcp_rai *rai)
{
	struct wire_rd	 r, sub;
	const uint8_t	*v, *p;
	size_t		 len;
	uint32_t	 a;
	uint8_t		 code, slen;

	memset(rai, 0, sizeof(*rai));
	if ((v = dhcp_opt(m, DHO_RELAY_INFO, &len)) == NULL)
		return (-1);
	wire_rd_init(&r, v, len);
	while (wire_left(&r) > 0) {
		if (wire_u8(&r, &code) == -1 || wire_u8(&r, &slen) == -1 ||
		    wire_sub(&r, slen, &sub) == -1) {
			memset(rai, 0, sizeof(*rai));
			return (-1);
		}
		switch (code) {
		case DHCP_RAI_CIRCUIT_ID:
			if (rai->circuit_id == NULL &&
			    wire_ptr(&sub, slen, &p) == 0) {
				rai->circuit_id = p;
				rai->circuit_id_len = slen;
			}
			break;
		case DHCP_RAI_REMOTE_ID:
			if (rai->remote_id == NULL &&
			    wire_ptr(&sub, slen, &p) == 0) {
				rai->remote_id = p;
				rai->remote_id_len = slen;
			}
			break;
		case DHCP_RAI_LINK_SELECT:	/* RFC 3527 3 */
			if (rai->link_select == 0 && slen == 4 &&
			    wire_u32(&sub, &a) == 0)
				rai->link_select = a;
			break;
		case DHCP_RAI_SERVER_ID_OVR:	/* RFC 5107 4 */
			if (rai->server_id_override == 0 && slen == 4 &&
			    wire_u32(&sub, &a) == 0)
				rai->server_id_override = a;
			break;
		default:
			break;
		}
	}
	rai->raw = v;
	rai->rawlen = len;
	return (0);
}

const char *
dhcp_type_name(enum dhcp_type t)
{
	switch (t) {
	case DHCP_NONE:
		return ("BOOTP");
	case DHCPDISCOVER:
		return ("DHCPDISCOVER");
	case DHCPOFFER:
		return ("DHCPOFFER");
	case DHCPREQUEST:
		return ("DHCPREQUEST");
	case DHCPDECLINE:
		return ("DHCPDECLINE");
	case DHCPACK:
		return ("DHCPACK");
	case DHCPNAK:
		return ("DHCPNAK");
	case DHCPRELEASE:
		return ("DHCPRELEASE");
	case DHCPINFORM:
		return ("DHCPINFORM");
	}
	return ("unknown");
}

const char *
dhcp_strerror(int err)
{
	switch (err < 0 ? 0U - (unsigned)err : (unsigned)err) {
	case 0:
		return ("no error");
	case DHCP_E_SHORT:
		return ("message shorter than the fixed header and cookie");
	case DHCP_E_COOKIE:
		return ("no magic cookie");
	case DHCP_E_OPTION:
		return ("option runs past the end of its field");
	case DHCP_E_HLEN:
		return ("hardware address length over 16");
	case DHCP_E_OP:
		return ("op is neither BOOTREQUEST nor BOOTREPLY");
	case DHCP_E_TYPE:
		return ("bad message type option (53)");
	case DHCP_E_OVERLOAD:
		return ("bad option overload option (52)");
	case DHCP_E_SPACE:
		return ("message does not fit");
	case DHCP_E_TOOLONG:
		return ("message longer than 8192 bytes");
	}
	return ("unknown error");
}
