/*
 * Fuzz the DHCPv4 codec: arbitrary bytes as a received datagram.  When
 * they parse, every accessor must stay inside the message, a reply built
 * to them must parse back with the promised properties (type, 82 echoed
 * byte for byte, 55 filter, size limit, NAK rules), and re-encoding the
 * parsed options with dhcp_build_msg must parse to the same values.  Every
 * byte of the output must be written by the builder: two builds into
 * buffers pre-filled differently must be identical.  Deterministic, no
 * globals; abort() on any broken invariant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/dhcp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static const uint8_t always_codes[] = { 1, 3, 6, 15, 28, 51, 54, 58, 59 };

static size_t
enc_len(size_t len)
{
	return (len == 0 ? 2 : len + 2 * ((len + 254) / 255));
}

static void
check_parsed(const struct dhcp_msg *m)
{
	struct dhcp_rai	 rai;
	const uint8_t	*v;
	size_t		 len, total = 0;
	uint32_t	 u32;
	uint16_t	 u16;
	unsigned	 c;

	CHECK(m->op == DHCP_BOOTREQUEST || m->op == DHCP_BOOTREPLY);
	CHECK(m->hlen <= DHCP_CHADDR_LEN);
	CHECK(m->optused <= sizeof(m->optdata));
	CHECK(dhcp_type_name(m->type) != NULL);
	for (c = 0; c < 256; c++) {
		v = dhcp_opt(m, (uint8_t)c, &len);
		CHECK((v != NULL) == (dhcp_has_opt(m, (uint8_t)c) != 0));
		if (v == NULL) {
			CHECK(len == 0);
			CHECK(dhcp_opt_u32(m, (uint8_t)c, &u32) == -1);
			CHECK(dhcp_opt_u16(m, (uint8_t)c, &u16) == -1);
			continue;
		}
		CHECK(c != DHO_PAD && c != DHO_END);
		CHECK(v >= m->optdata &&
		    (size_t)(v - m->optdata) + len <= m->optused);
		total += len;
		CHECK((dhcp_opt_u32(m, (uint8_t)c, &u32) == 0) == (len == 4));
		CHECK((dhcp_opt_u16(m, (uint8_t)c, &u16) == 0) == (len == 2));
		if (len == 4)
			CHECK(u32 == ((uint32_t)v[0] << 24 |
			    (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3]));
	}
	CHECK(total == m->optused);
	v = dhcp_opt(m, DHO_MSG_TYPE, &len);
	CHECK(v == NULL ? m->type == DHCP_NONE :
	    len == 1 && v[0] >= 1 && v[0] <= 8 && m->type == v[0]);
	v = dhcp_opt(m, DHO_OVERLOAD, &len);
	CHECK(v == NULL ? m->overload == 0 :
	    len == 1 && m->overload == v[0] && v[0] >= 1 && v[0] <= 3);

	if (dhcp_rai(m, &rai) == 0) {
		v = dhcp_opt(m, DHO_RELAY_INFO, &len);
		CHECK(rai.raw == v && rai.rawlen == len);
		if (rai.circuit_id != NULL)
			CHECK(rai.circuit_id >= v && rai.circuit_id +
			    rai.circuit_id_len <= v + len);
		if (rai.remote_id != NULL)
			CHECK(rai.remote_id >= v && rai.remote_id +
			    rai.remote_id_len <= v + len);
	} else
		CHECK(rai.raw == NULL && rai.circuit_id == NULL &&
		    rai.remote_id == NULL && rai.link_select == 0 &&
		    rai.server_id_override == 0);
}

/* The reply options, varied by bits of the request. */
static void
make_reply(const struct dhcp_msg *req, struct dhcp_reply *rep)
{
	static const enum dhcp_type types[] = { DHCPOFFER, DHCPACK, DHCPNAK,
	    DHCP_NONE };
	static const uint32_t dns[] = { 0xc6120301, 0xc6120302, 0x08080808 };
	uint8_t		 big[300];
	size_t		 i;
	uint32_t	 k = req->xid;

	memset(rep, 0, sizeof(*rep));
	rep->type = types[k & 3];
	rep->yiaddr = 0xc6120364;
	rep->siaddr = 0xc6120301;
	rep->ciaddr = req->ciaddr;
	if (k & 4)
		strcpy(rep->file, "boot.ipxe");
	if (k & 8)
		strcpy(rep->sname, "pxe-a");
	dhcp_optset_init(&rep->opts);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 13 + k);
	CHECK(dhcp_optset_add_u32(&rep->opts, DHO_LEASE_TIME, 600) == 0);
	CHECK(dhcp_optset_add_u32(&rep->opts, DHO_ROUTERS, 1) == 0);
	CHECK(dhcp_optset_add_u32(&rep->opts, DHO_SUBNET_MASK,
	    0xffffff00) == 0);
	CHECK(dhcp_optset_add_addrs(&rep->opts, DHO_DNS, dns, 3) == 0);
	CHECK(dhcp_optset_add(&rep->opts, DHO_DOMAIN_NAME, "lab.example",
	    11) == 0);
	CHECK(dhcp_optset_add(&rep->opts, DHO_VENDOR_CLASS, "PXEClient",
	    9) == 0);
	/* A long one: 2 instances (RFC 3396), maybe overloaded or dropped. */
	CHECK(dhcp_optset_add(&rep->opts, DHO_VENDOR_OPTS, big,
	    100 + (k >> 4) % 200) == 0);
	if (k & 0x1000)
		dhcp_optset_always(&rep->opts, DHO_VENDOR_OPTS);
	CHECK(dhcp_optset_add(&rep->opts, DHO_BOOTFILE, "ipxe.efi", 8) == 0);
	CHECK(dhcp_optset_add(&rep->opts, DHO_HOST_NAME, big + 7,
	    (k >> 8) % 64) == 0);
	CHECK(dhcp_optset_add(&rep->opts, DHO_MESSAGE, "no", 2) == 0);
	CHECK(dhcp_optset_add_u32(&rep->opts, DHO_SERVER_ID,
	    0xc6120301) == 0);
	/* Replace and delete: the store is compacted under the others. */
	CHECK(dhcp_optset_add_u32(&rep->opts, DHO_ROUTERS, 0xc6120301) == 0);
	if (k & 0x2000)
		dhcp_optset_del(&rep->opts, DHO_DOMAIN_NAME);
	CHECK(rep->opts.n == (k & 0x2000 ? 10U : 11U));
}

/* The limit dhcp_build promises to respect (dhcp.h). */
static size_t
reply_limit(const struct dhcp_msg *req, size_t outlen)
{
	size_t		 l = 576;
	uint16_t	 v;

	if (dhcp_opt_u16(req, DHO_MAX_SIZE, &v) == 0 && v > l)
		l = v;
	l -= 28;
	if (l > DHCP_MAX_LEN)
		l = DHCP_MAX_LEN;
	return (l < outlen ? l : outlen);
}

static int
wanted(const struct dhcp_msg *req, const struct dhcp_reply *rep,
    uint8_t code)
{
	const uint8_t	*prl;
	size_t		 i, n;

	if (rep->type == DHCPNAK)
		return (code == DHO_SERVER_ID || code == DHO_MESSAGE);
	if ((prl = dhcp_opt(req, DHO_PARAM_LIST, &n)) == NULL)
		return (1);
	if ((rep->opts.always[code >> 3] >> (code & 7)) & 1)
		return (1);
	for (i = 0; i < sizeof(always_codes); i++)
		if (always_codes[i] == code)
			return (1);
	for (i = 0; i < n; i++)
		if (prl[i] == code)
			return (1);
	return (0);
}

static const uint8_t *
set_value(const struct dhcp_optset *s, uint8_t code, size_t *len)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		if (s->o[i].code == code) {
			*len = s->o[i].len;
			return (s->store + s->o[i].off);
		}
	return (NULL);
}

static void
check_reply(const struct dhcp_msg *req)
{
	struct dhcp_reply rep;
	struct dhcp_msg	 m;
	uint8_t		 out[DHCP_MAX_LEN], out2[DHCP_MAX_LEN];
	const uint8_t	*v, *rv;
	size_t		 outlen, limit, keep, len, rlen;
	unsigned	 c;
	int		 n, nak;

	make_reply(req, &rep);
	nak = rep.type == DHCPNAK;
	outlen = req->secs & 1 ? 280 + (size_t)req->secs % 1500 : sizeof(out);
	limit = reply_limit(req, outlen);
	memset(out, 0xa5, sizeof(out));
	memset(out2, 0x5a, sizeof(out2));
	n = dhcp_build(req, &rep, out, outlen);
	CHECK(dhcp_build(req, &rep, out2, outlen) == n);

	rv = dhcp_opt(req, DHO_RELAY_INFO, &rlen);
	keep = 1 + (rep.type != DHCP_NONE ? 3U : 0U) + 6 + (nak ? 0U : 6U) +
	    (rv != NULL ? enc_len(rlen) : 0);
	if (n < 0) {
		CHECK(n == -DHCP_E_SPACE);
		/* Only when even the options never dropped do not fit. */
		CHECK(limit < DHCP_BOOTP_MIN_LEN ||
		    DHCP_MIN_LEN + keep > limit);
		return;
	}
	CHECK((size_t)n >= DHCP_BOOTP_MIN_LEN && (size_t)n <= limit);
	CHECK(memcmp(out, out2, (size_t)n) == 0);
	CHECK(dhcp_parse(out, (size_t)n, &m) == 0);
	check_parsed(&m);

	CHECK(m.op == DHCP_BOOTREPLY && m.hops == 0 && m.secs == 0);
	CHECK(m.htype == req->htype && m.hlen == req->hlen);
	CHECK(m.xid == req->xid && m.flags == req->flags);
	CHECK(m.giaddr == req->giaddr);
	CHECK(memcmp(m.chaddr, req->chaddr, DHCP_CHADDR_LEN) == 0);
	CHECK(m.type == rep.type);
	if (nak)
		CHECK(m.ciaddr == 0 && m.yiaddr == 0 && m.siaddr == 0 &&
		    m.overload == 0 && m.sname[0] == 0 && m.file[0] == 0);
	else
		CHECK(m.ciaddr == rep.ciaddr && m.yiaddr == rep.yiaddr &&
		    m.siaddr == rep.siaddr);
	/* RFC 2132 9.3: only empty fields carry options. */
	if (m.overload & 1)
		CHECK(rep.file[0] == '\0');
	else if (!nak)
		CHECK(strncmp((const char *)m.file, rep.file,
		    DHCP_FILE_LEN) == 0);
	if (m.overload & 2)
		CHECK(rep.sname[0] == '\0');
	else if (!nak)
		CHECK(strncmp((const char *)m.sname, rep.sname,
		    DHCP_SNAME_LEN) == 0);

	/* 82: echoed unchanged, and only as an echo. */
	v = dhcp_opt(&m, DHO_RELAY_INFO, &len);
	CHECK((v == NULL) == (rv == NULL));
	if (v != NULL)
		CHECK(len == rlen && memcmp(v, rv, len) == 0);
	/* Never dropped. */
	CHECK(dhcp_has_opt(&m, DHO_SERVER_ID));
	if (!nak)
		CHECK(dhcp_has_opt(&m, DHO_LEASE_TIME));
	/* Everything else: from rep, unchanged, and wanted. */
	for (c = 1; c < 255; c++) {
		if (c == DHO_MSG_TYPE || c == DHO_OVERLOAD ||
		    c == DHO_RELAY_INFO ||
		    (v = dhcp_opt(&m, (uint8_t)c, &len)) == NULL)
			continue;
		CHECK(wanted(req, &rep, (uint8_t)c));
		CHECK((rv = set_value(&rep.opts, (uint8_t)c, &rlen)) != NULL);
		CHECK(len == rlen && memcmp(v, rv, len) == 0);
	}
	if ((v = dhcp_opt(&m, DHO_ROUTERS, &len)) != NULL)
		CHECK(len == 4 && memcmp(v, "\xc6\x12\x03\x01", 4) == 0);
	if ((v = dhcp_opt(&m, DHO_DOMAIN_NAME, &len)) != NULL)
		CHECK(len == 11 && memcmp(v, "lab.example", 11) == 0);
}

/* parse -> build_msg -> parse keeps every field and option value. */
static void
check_rebuild(const struct dhcp_msg *m)
{
	struct dhcp_optset s;
	struct dhcp_msg	 m2;
	uint8_t		 out[DHCP_MAX_LEN], out2[DHCP_MAX_LEN];
	const uint8_t	*v, *v2;
	size_t		 len, len2, need = DHCP_MIN_LEN + 1;
	unsigned	 c;
	int		 n;

	dhcp_optset_init(&s);
	for (c = 1; c < 255; c++) {
		/* Without 52, sname and file stay plain bytes. */
		if (c == DHO_OVERLOAD ||
		    (v = dhcp_opt(m, (uint8_t)c, &len)) == NULL)
			continue;
		if (dhcp_optset_add(&s, (uint8_t)c, v, len) != 0)
			return;		/* more than a set holds */
		need += enc_len(len);
	}
	memset(out, 0xa5, sizeof(out));
	memset(out2, 0x5a, sizeof(out2));
	n = dhcp_build_msg(m, &s, out, sizeof(out));
	CHECK(dhcp_build_msg(m, &s, out2, sizeof(out2)) == n);
	if (need > DHCP_MAX_LEN) {
		CHECK(n == -DHCP_E_SPACE);
		return;
	}
	CHECK(n >= DHCP_BOOTP_MIN_LEN && (size_t)n ==
	    (need > DHCP_BOOTP_MIN_LEN ? need : DHCP_BOOTP_MIN_LEN));
	CHECK(memcmp(out, out2, (size_t)n) == 0);
	CHECK(dhcp_parse(out, (size_t)n, &m2) == 0);
	check_parsed(&m2);
	CHECK(memcmp(m, &m2, offsetof(struct dhcp_msg, overload)) == 0);
	CHECK(m2.type == m->type && m2.overload == 0);
	for (c = 0; c < 256; c++) {
		if (c == DHO_OVERLOAD)
			continue;
		v = dhcp_opt(m, (uint8_t)c, &len);
		v2 = dhcp_opt(&m2, (uint8_t)c, &len2);
		CHECK((v == NULL) == (v2 == NULL));
		if (v != NULL)
			CHECK(len == len2 && memcmp(v, v2, len) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct dhcp_msg	 m;
	int		 rv;

	rv = dhcp_parse(data, len, &m);
	CHECK(dhcp_strerror(rv) != NULL);
	if (rv != 0) {
		CHECK(rv < 0 && -rv >= DHCP_E_SHORT && -rv <= DHCP_E_TOOLONG &&
		    -rv != DHCP_E_SPACE);
		CHECK(m.optused == 0 && m.type == DHCP_NONE);
		return (0);
	}
	CHECK(len >= DHCP_MIN_LEN && len <= DHCP_MAX_LEN);
	check_parsed(&m);
	check_reply(&m);
	check_rebuild(&m);
	return (0);
}
