/*
 * DHCPv4 wire codec: parse errors, RFC 3396 concatenation and splitting,
 * option overload, option 82, the reply builder's rules, and real client
 * packets captured from QEMU firmware (/work/shared/captures).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/dhcp.h"
#include "wire.h"

/*
 * Client packets from qemu-dhcp-full-mode.pcap (SeaBIOS + iPXE ROM, OVMF)
 * and qemu-proxydhcp-mode.pcap (ipxe.efi to UDP 4011), UDP payloads as
 * captured.  sname and file are all zero in all three, so only bytes 0-43
 * (op .. chaddr) and 236-end (cookie, options) are stored; vec_load()
 * puts the zeros back.
 */
static const uint8_t bios_ipxe_discover_hdr[] = {
	0x01, 0x01, 0x06, 0x00, 0xf8, 0x78, 0xad, 0x01, 0x00, 0x04, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x52, 0x54, 0x00, 0xbe, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t bios_ipxe_discover_opt[] = {
	0x63, 0x82, 0x53, 0x63, 0x35, 0x01, 0x01, 0x39, 0x02, 0x05, 0xc0, 0x5d,
	0x02, 0x00, 0x00, 0x5e, 0x03, 0x01, 0x02, 0x01, 0x3c, 0x20, 0x50, 0x58,
	0x45, 0x43, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x3a, 0x41, 0x72, 0x63, 0x68,
	0x3a, 0x30, 0x30, 0x30, 0x30, 0x30, 0x3a, 0x55, 0x4e, 0x44, 0x49, 0x3a,
	0x30, 0x30, 0x32, 0x30, 0x30, 0x31, 0x4d, 0x04, 0x69, 0x50, 0x58, 0x45,
	0x37, 0x17, 0x01, 0x03, 0x06, 0x07, 0x0c, 0x0f, 0x11, 0x1a, 0x2b, 0x3c,
	0x42, 0x43, 0x77, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0xaf,
	0xcb, 0xaf, 0x30, 0xb1, 0x05, 0x01, 0x1a, 0xf4, 0x10, 0x00, 0xeb, 0x03,
	0x01, 0x00, 0x00, 0x17, 0x01, 0x01, 0x22, 0x01, 0x01, 0x13, 0x01, 0x01,
	0x11, 0x01, 0x01, 0x27, 0x01, 0x01, 0x19, 0x01, 0x01, 0x29, 0x01, 0x01,
	0x10, 0x01, 0x02, 0x21, 0x01, 0x01, 0x15, 0x01, 0x01, 0x18, 0x01, 0x01,
	0x12, 0x01, 0x01, 0x3d, 0x07, 0x01, 0x52, 0x54, 0x00, 0xbe, 0x00, 0x01,
	0x61, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff,
};
static const uint8_t ovmf_discover_hdr[] = {
	0x01, 0x01, 0x06, 0x00, 0x3b, 0x07, 0xf8, 0x46, 0x00, 0x00, 0x80, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x52, 0x54, 0x00, 0xbe, 0x00, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t ovmf_discover_opt[] = {
	0x63, 0x82, 0x53, 0x63, 0x35, 0x01, 0x01, 0x39, 0x02, 0x05, 0xc0, 0x37,
	0x23, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x0c, 0x0d, 0x0f, 0x11, 0x12,
	0x16, 0x17, 0x1c, 0x28, 0x29, 0x2a, 0x2b, 0x32, 0x33, 0x36, 0x3a, 0x3b,
	0x3c, 0x42, 0x43, 0x61, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
	0x61, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x5e, 0x03, 0x01, 0x03, 0x00,
	0x5d, 0x02, 0x00, 0x07, 0x3c, 0x20, 0x50, 0x58, 0x45, 0x43, 0x6c, 0x69,
	0x65, 0x6e, 0x74, 0x3a, 0x41, 0x72, 0x63, 0x68, 0x3a, 0x30, 0x30, 0x30,
	0x30, 0x37, 0x3a, 0x55, 0x4e, 0x44, 0x49, 0x3a, 0x30, 0x30, 0x33, 0x30,
	0x30, 0x30, 0xff,
};
static const uint8_t ipxe_efi_request_4011_hdr[] = {
	0x01, 0x01, 0x06, 0x00, 0x8d, 0xbd, 0xc8, 0x39, 0x00, 0x0f, 0x80, 0x00,
	0xc6, 0x12, 0x03, 0xba, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x52, 0x54, 0x00, 0xbe, 0x00, 0x02, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t ipxe_efi_request_4011_opt[] = {
	0x63, 0x82, 0x53, 0x63, 0x35, 0x01, 0x03, 0x39, 0x02, 0x05, 0xc0, 0x5d,
	0x02, 0x00, 0x07, 0x5e, 0x03, 0x01, 0x03, 0x0a, 0x3c, 0x20, 0x50, 0x58,
	0x45, 0x43, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x3a, 0x41, 0x72, 0x63, 0x68,
	0x3a, 0x30, 0x30, 0x30, 0x30, 0x37, 0x3a, 0x55, 0x4e, 0x44, 0x49, 0x3a,
	0x30, 0x30, 0x33, 0x30, 0x31, 0x30, 0x4d, 0x04, 0x69, 0x50, 0x58, 0x45,
	0x37, 0x17, 0x01, 0x03, 0x06, 0x07, 0x0c, 0x0f, 0x11, 0x1a, 0x2b, 0x3c,
	0x42, 0x43, 0x77, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0xaf,
	0xcb, 0xaf, 0x27, 0xb1, 0x05, 0x01, 0x1a, 0xf4, 0x10, 0x00, 0xeb, 0x03,
	0x01, 0x00, 0x00, 0x17, 0x01, 0x01, 0x24, 0x01, 0x01, 0x13, 0x01, 0x01,
	0x11, 0x01, 0x01, 0x27, 0x01, 0x01, 0x29, 0x01, 0x01, 0x15, 0x01, 0x01,
	0x1b, 0x01, 0x01, 0x12, 0x01, 0x01, 0x3d, 0x07, 0x01, 0x52, 0x54, 0x00,
	0xbe, 0x00, 0x02, 0x61, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x36, 0x04,
	0xc6, 0x12, 0x03, 0x01, 0xff,
};

struct vec {
	const uint8_t	*hdr, *opt;
	size_t		 optlen, caplen;
};

#define VEC(n, len)	{ n##_hdr, n##_opt, sizeof(n##_opt), len }
static const struct vec vec_bios_ipxe_discover =
    VEC(bios_ipxe_discover, 400);
static const struct vec vec_ovmf_discover = VEC(ovmf_discover, 347);
static const struct vec vec_ipxe_efi_request_4011 =
    VEC(ipxe_efi_request_4011, 397);

static size_t
vec_load(const struct vec *v, uint8_t *buf)
{
	memset(buf, 0, DHCP_FIXED_LEN);
	memcpy(buf, v->hdr, 44);
	memcpy(buf + DHCP_FIXED_LEN, v->opt, v->optlen);
	assert_int_equal(DHCP_FIXED_LEN + v->optlen, v->caplen);
	return (DHCP_FIXED_LEN + v->optlen);
}

/* A crafted packet: fixed header, cookie, then whatever is put. */
struct pkt {
	uint8_t		 b[DHCP_MAX_LEN + 64];
	size_t		 len;
};

#define SNAME_OFF	44
#define FILE_OFF	108

static void
pkt_init(struct pkt *p, uint8_t op)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(p, 0, sizeof(*p));
	p->b[0] = op;
	p->b[1] = 1;
	p->b[2] = 6;
	wire_store32(p->b + 4, 0x12345678);
	memcpy(p->b + 28, mac, sizeof(mac));
	p->b[236] = 99;
	p->b[237] = 130;
	p->b[238] = 83;
	p->b[239] = 99;
	p->len = DHCP_MIN_LEN;
}

static void
pkt_put(struct pkt *p, const uint8_t *d, size_t n)
{
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

static void
pkt_opt(struct pkt *p, uint8_t code, const void *d, size_t n)
{
	p->b[p->len++] = code;
	p->b[p->len++] = (uint8_t)n;
	memcpy(p->b + p->len, d, n);
	p->len += n;
}

#define BYTES(...)	(const uint8_t[]){ __VA_ARGS__ }
#define PUT(p, ...)	pkt_put(p, BYTES(__VA_ARGS__), \
			    sizeof(BYTES(__VA_ARGS__)))

static void
fill(uint8_t *b, size_t n, uint8_t seed)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

/* Codes in the options field of a built message, in order, until END. */
static size_t
field_codes(const uint8_t *b, size_t len, uint8_t *codes, size_t max)
{
	size_t	 i = DHCP_MIN_LEN, n = 0;

	while (i < len && b[i] != DHO_END) {
		if (b[i] == DHO_PAD) {
			i++;
			continue;
		}
		assert_true(n < max);
		codes[n++] = b[i];
		assert_true(i + 1 < len);
		i += 2 + b[i + 1];
	}
	assert_true(i < len);	/* END present */
	return (n);
}

static void
assert_opt_eq(const struct dhcp_msg *m, uint8_t code, const void *v,
    size_t len)
{
	const uint8_t	*p;
	size_t		 n;

	p = dhcp_opt(m, code, &n);
	assert_non_null(p);
	assert_int_equal(n, len);
	if (len > 0)
		assert_memory_equal(p, v, len);
}

static void
assert_opt_str(const struct dhcp_msg *m, uint8_t code, const char *s)
{
	assert_opt_eq(m, code, s, strlen(s));
}

/* A request with a parameter list, option 57 (0: none) and option 82. */
static void
mkreq(struct dhcp_msg *m, const uint8_t *prl, size_t nprl,
    uint16_t maxsize, const uint8_t *rai, size_t nrai)
{
	struct pkt	 p;
	uint8_t		 b[2];

	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, DHCPDISCOVER);
	if (prl != NULL)
		pkt_opt(&p, DHO_PARAM_LIST, prl, nprl);
	if (maxsize != 0) {
		wire_store16(b, maxsize);
		pkt_opt(&p, DHO_MAX_SIZE, b, 2);
	}
	if (rai != NULL)
		pkt_opt(&p, DHO_RELAY_INFO, rai, nrai);
	PUT(&p, DHO_END);
	assert_int_equal(dhcp_parse(p.b, p.len, m), 0);
}

/* ------------------------------------------------------------ parse errors */

static void
test_dhcp_packet_parse_short(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	assert_int_equal(dhcp_parse(p.b, DHCP_MIN_LEN - 1, &m),
	    -DHCP_E_SHORT);
	assert_int_equal(dhcp_parse(p.b, 0, &m), -DHCP_E_SHORT);
	assert_int_equal(dhcp_parse(NULL, 0, &m), -DHCP_E_SHORT);
	/* Exactly the fixed part and the cookie, no options: fine. */
	assert_int_equal(dhcp_parse(p.b, DHCP_MIN_LEN, &m), 0);
	assert_int_equal(m.type, DHCP_NONE);
}

static void
test_dhcp_packet_parse_toolong(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	assert_int_equal(dhcp_parse(p.b, DHCP_MAX_LEN + 1, &m),
	    -DHCP_E_TOOLONG);
	/* DHCP_MAX_LEN itself is all PAD after the cookie: fine. */
	assert_int_equal(dhcp_parse(p.b, DHCP_MAX_LEN, &m), 0);
}

static void
test_dhcp_packet_parse_bad_cookie(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, DHCPDISCOVER, DHO_END);
	p.b[239] = 98;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_COOKIE);
}

static void
test_dhcp_packet_parse_hlen_over_16(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	p.b[2] = 16;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	p.b[2] = 17;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_HLEN);
}

static void
test_dhcp_packet_parse_bad_op(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, 0);
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_OP);
	p.b[0] = 3;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_OP);
	p.b[0] = DHCP_BOOTREPLY;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_int_equal(m.op, DHCP_BOOTREPLY);
}

static void
test_dhcp_packet_parse_type_bad_length(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 2, 1, 1, DHO_END);
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_TYPE);
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 0, DHO_END);
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_TYPE);
	/* RFC 3396: two 1-byte instances make one 2-byte option. */
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, 1, DHO_MSG_TYPE, 1, 1, DHO_END);
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_TYPE);
}

static void
test_dhcp_packet_parse_type_out_of_range(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;
	unsigned	 t;

	(void)state;
	for (t = 0; t < 256; t++) {
		pkt_init(&p, DHCP_BOOTREQUEST);
		PUT(&p, DHO_MSG_TYPE, 1, (uint8_t)t, DHO_END);
		if (t >= DHCPDISCOVER && t <= DHCPINFORM) {
			assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
			assert_int_equal(m.type, t);
		} else
			assert_int_equal(dhcp_parse(p.b, p.len, &m),
			    -DHCP_E_TYPE);
	}
}

static void
test_dhcp_packet_parse_option_past_end(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	/* The length runs past the packet. */
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, 1, DHO_VENDOR_OPTS, 10, 'a');
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_OPTION);
	/* A code with no length octet. */
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, 1, DHO_VENDOR_OPTS);
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_OPTION);
	/* An option that runs off the end of an overloaded file field. */
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_OVERLOAD, 1, 1, DHO_END);
	p.b[FILE_OFF + 120] = DHO_HOST_NAME;
	p.b[FILE_OFF + 121] = 7;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_OPTION);
	/* The same in sname. */
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_OVERLOAD, 1, 2, DHO_END);
	p.b[SNAME_OFF + 63] = DHO_HOST_NAME;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_OPTION);
}

static void
test_dhcp_packet_parse_overload_bad(void **state)
{
	static const uint8_t bad[][5] = {
		{ DHO_OVERLOAD, 0 },
		{ DHO_OVERLOAD, 1, 0 },
		{ DHO_OVERLOAD, 1, 4 },
		{ DHO_OVERLOAD, 2, 1, 2 },
		{ DHO_OVERLOAD, 1, 1, DHO_OVERLOAD, 1 },
	};
	static const size_t badlen[] = { 2, 3, 3, 4, 5 };
	struct dhcp_msg	 m;
	struct pkt	 p;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(badlen) / sizeof(badlen[0]); i++) {
		pkt_init(&p, DHCP_BOOTREQUEST);
		pkt_put(&p, bad[i], badlen[i]);
		if (i == 4)
			PUT(&p, 2);	/* second instance: 52 = 0x01 0x02 */
		PUT(&p, DHO_END);
		assert_int_equal(dhcp_parse(p.b, p.len, &m),
		    -DHCP_E_OVERLOAD);
	}
}

static void
test_dhcp_packet_parse_error_keeps_header(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_HOST_NAME, 2, 'h', 'i', DHO_MSG_TYPE, 1, 42, DHO_END);
	assert_int_equal(dhcp_parse(p.b, p.len, &m), -DHCP_E_TYPE);
	assert_int_equal(m.xid, 0x12345678);
	assert_int_equal(m.chaddr[5], 0x56);
	assert_false(dhcp_has_opt(&m, DHO_HOST_NAME));
	assert_null(dhcp_opt(&m, DHO_HOST_NAME, NULL));
	assert_int_equal(m.type, DHCP_NONE);
}

/* ------------------------------------------------------------ parse rules */

static void
test_dhcp_packet_parse_header_fields(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, DHCPREQUEST, DHO_END);
	p.b[3] = 2;
	wire_store16(p.b + 8, 7);
	wire_store16(p.b + 10, DHCP_BROADCAST_FLAG);
	wire_store32(p.b + 12, 0xc0a80001);
	wire_store32(p.b + 16, 0xc0a80002);
	wire_store32(p.b + 20, 0xc0a80003);
	wire_store32(p.b + 24, 0xc0a80004);
	memcpy(p.b + SNAME_OFF, "server", 6);
	memcpy(p.b + FILE_OFF, "boot.ipxe", 9);
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_int_equal(m.op, DHCP_BOOTREQUEST);
	assert_int_equal(m.htype, 1);
	assert_int_equal(m.hlen, 6);
	assert_int_equal(m.hops, 2);
	assert_int_equal(m.xid, 0x12345678);
	assert_int_equal(m.secs, 7);
	assert_int_equal(m.flags, DHCP_BROADCAST_FLAG);
	assert_int_equal(m.ciaddr, 0xc0a80001);
	assert_int_equal(m.yiaddr, 0xc0a80002);
	assert_int_equal(m.siaddr, 0xc0a80003);
	assert_int_equal(m.giaddr, 0xc0a80004);
	assert_memory_equal(m.sname, "server", 7);
	assert_memory_equal(m.file, "boot.ipxe", 10);
	assert_int_equal(m.type, DHCPREQUEST);
	assert_int_equal(m.overload, 0);
}

static void
test_dhcp_packet_parse_pad_and_missing_end(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_PAD, DHO_PAD, DHO_MSG_TYPE, 1, 1, DHO_PAD,
	    DHO_HOST_NAME, 3, 'p', 'c', '1');	/* no END */
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_int_equal(m.type, DHCPDISCOVER);
	assert_opt_str(&m, DHO_HOST_NAME, "pc1");
	assert_false(dhcp_has_opt(&m, DHO_PAD));
	/* Anything after END is not looked at, not even broken options. */
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, 1, DHO_END, DHO_HOST_NAME, 200, 1);
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_false(dhcp_has_opt(&m, DHO_HOST_NAME));
}

static void
test_dhcp_packet_parse_bootp_has_no_type(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_END);
	p.len = DHCP_BOOTP_MIN_LEN;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_int_equal(m.type, DHCP_NONE);
	assert_false(dhcp_has_opt(&m, DHO_MSG_TYPE));
	assert_string_equal(dhcp_type_name(m.type), "BOOTP");
}

static void
test_dhcp_packet_parse_overload_concat_order(void **state)
{
	static const uint8_t inf[] = { DHO_VENDOR_OPTS, 2, 'C', 'D',
	    DHO_OVERLOAD, 1, 2, DHO_END };
	static const uint8_t ins[] = { DHO_VENDOR_OPTS, 2, 'E', 'F',
	    DHO_HOST_NAME, 3, 's', 'r', 'v', DHO_END };
	struct dhcp_msg	 m;
	struct pkt	 p;
	size_t		 len;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, 1, DHO_VENDOR_OPTS, 2, 'A', 'B',
	    DHO_OVERLOAD, 1, 3, DHO_END);
	memcpy(p.b + FILE_OFF, inf, sizeof(inf));
	memcpy(p.b + SNAME_OFF, ins, sizeof(ins));
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_int_equal(m.overload, 3);
	/* RFC 3396 6: options field, then file, then sname. */
	assert_opt_str(&m, DHO_VENDOR_OPTS, "ABCDEF");
	assert_opt_str(&m, DHO_HOST_NAME, "srv");
	/* 52 inside file is ignored, not appended. */
	assert_non_null(dhcp_opt(&m, DHO_OVERLOAD, &len));
	assert_int_equal(len, 1);
	/* The raw fields are kept as they were on the wire. */
	assert_memory_equal(m.file, inf, sizeof(inf));
	assert_memory_equal(m.sname, ins, sizeof(ins));

	/* Overload 1: file only; sname is a name again. */
	p.b[DHCP_MIN_LEN + 9] = 1;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_int_equal(m.overload, 1);
	assert_opt_str(&m, DHO_VENDOR_OPTS, "ABCD");
	assert_false(dhcp_has_opt(&m, DHO_HOST_NAME));

	/* Overload 2: sname only. */
	p.b[DHCP_MIN_LEN + 9] = 2;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_opt_str(&m, DHO_VENDOR_OPTS, "ABEF");
	assert_opt_str(&m, DHO_HOST_NAME, "srv");
}

static void
test_dhcp_packet_parse_no_overload_file_is_name(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, 1, DHO_END);
	/* Looks like options, but without 52 it is just a file name. */
	memcpy(p.b + FILE_OFF, BYTES(DHO_HOST_NAME, 2, 'x', 'y', DHO_END), 5);
	p.b[FILE_OFF + 5] = 0;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_false(dhcp_has_opt(&m, DHO_HOST_NAME));
}

static void
test_dhcp_packet_parse_long_option_rejoin(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;
	uint8_t		 v[600];

	(void)state;
	fill(v, sizeof(v), 3);
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, 1);
	pkt_opt(&p, DHO_VENDOR_OPTS, v, 255);
	PUT(&p, DHO_HOST_NAME, 1, 'h');	/* interleaved: still in order */
	pkt_opt(&p, DHO_VENDOR_OPTS, v + 255, 255);
	pkt_opt(&p, DHO_VENDOR_OPTS, v + 510, 90);
	PUT(&p, DHO_END);
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_opt_eq(&m, DHO_VENDOR_OPTS, v, sizeof(v));
	assert_opt_str(&m, DHO_HOST_NAME, "h");
}

static void
test_dhcp_packet_parse_max_len_all_options(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;
	size_t		 len;

	(void)state;
	/* Fill every area with one code; optdata must hold it all. */
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_OVERLOAD, 1, 3);
	while (p.len + 257 <= DHCP_MAX_LEN) {
		p.b[p.len++] = DHO_VENDOR_OPTS;
		p.b[p.len++] = 255;
		fill(p.b + p.len, 255, (uint8_t)p.len);
		p.len += 255;
	}
	p.b[FILE_OFF] = DHO_VENDOR_OPTS;
	p.b[FILE_OFF + 1] = DHCP_FILE_LEN - 2;
	p.b[SNAME_OFF] = DHO_VENDOR_OPTS;
	p.b[SNAME_OFF + 1] = DHCP_SNAME_LEN - 2;
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_non_null(dhcp_opt(&m, DHO_VENDOR_OPTS, &len));
	assert_int_equal(len, (p.len - 243) / 257 * 255 + 126 + 62);
	assert_true(m.optused <= sizeof(m.optdata));
}

/* -------------------------------------------------------------- accessors */

static void
test_dhcp_packet_opt_accessors(void **state)
{
	struct dhcp_msg	 m;
	struct pkt	 p;
	uint32_t	 a = 7;
	uint16_t	 s = 7;
	size_t		 len = 9;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, 1, DHO_REQUESTED_ADDR, 4, 10, 0, 0, 9,
	    DHO_MAX_SIZE, 2, 0x05, 0xc0, DHO_SERVER_ID, 3, 1, 2, 3,
	    DHO_CLIENT_ID, 0, DHO_END);
	assert_int_equal(dhcp_parse(p.b, p.len, &m), 0);
	assert_int_equal(dhcp_opt_u32(&m, DHO_REQUESTED_ADDR, &a), 0);
	assert_int_equal(a, 0x0a000009);
	assert_int_equal(dhcp_opt_u16(&m, DHO_MAX_SIZE, &s), 0);
	assert_int_equal(s, 1472);
	/* Wrong length or absent: -1, output untouched. */
	a = 7;
	assert_int_equal(dhcp_opt_u32(&m, DHO_SERVER_ID, &a), -1);
	assert_int_equal(dhcp_opt_u32(&m, DHO_MAX_SIZE, &a), -1);
	assert_int_equal(dhcp_opt_u32(&m, DHO_ROUTERS, &a), -1);
	assert_int_equal(a, 7);
	assert_int_equal(dhcp_opt_u16(&m, DHO_REQUESTED_ADDR, &s), -1);
	/* Zero length is a value, not absence. */
	assert_true(dhcp_has_opt(&m, DHO_CLIENT_ID));
	assert_non_null(dhcp_opt(&m, DHO_CLIENT_ID, &len));
	assert_int_equal(len, 0);
	assert_null(dhcp_opt(&m, DHO_ROUTERS, &len));
	assert_int_equal(len, 0);
	assert_false(dhcp_has_opt(&m, DHO_ROUTERS));
	assert_false(dhcp_has_opt(&m, DHO_END));
}

/* -------------------------------------------------------------- option 82 */

static void
test_dhcp_packet_rai_suboptions(void **state)
{
	static const uint8_t rai[] = {
		DHCP_RAI_CIRCUIT_ID, 3, 'e', 't', '0',
		DHCP_RAI_REMOTE_ID, 2, 'r', '1',
		9, 0,
		DHCP_RAI_LINK_SELECT, 4, 10, 1, 2, 0,
		DHCP_RAI_SERVER_ID_OVR, 4, 10, 1, 2, 1,
		DHCP_RAI_CIRCUIT_ID, 1, 'x',	/* second one: ignored */
	};
	struct dhcp_msg	 m;
	struct dhcp_rai	 r;

	(void)state;
	mkreq(&m, NULL, 0, 0, rai, sizeof(rai));
	assert_int_equal(dhcp_rai(&m, &r), 0);
	assert_int_equal(r.rawlen, sizeof(rai));
	assert_memory_equal(r.raw, rai, sizeof(rai));
	assert_int_equal(r.circuit_id_len, 3);
	assert_memory_equal(r.circuit_id, "et0", 3);
	assert_int_equal(r.remote_id_len, 2);
	assert_memory_equal(r.remote_id, "r1", 2);
	assert_int_equal(r.link_select, 0x0a010200);
	assert_int_equal(r.server_id_override, 0x0a010201);
	/* Pointers are into the message, not into the packet buffer. */
	assert_true(r.circuit_id >= m.optdata &&
	    r.circuit_id < m.optdata + sizeof(m.optdata));
}

static void
test_dhcp_packet_rai_bad_address_length_is_absent(void **state)
{
	static const uint8_t rai[] = {
		DHCP_RAI_LINK_SELECT, 3, 10, 1, 2,
		DHCP_RAI_SERVER_ID_OVR, 5, 10, 1, 2, 1, 0,
		DHCP_RAI_REMOTE_ID, 1, 'r',
	};
	struct dhcp_msg	 m;
	struct dhcp_rai	 r;

	(void)state;
	mkreq(&m, NULL, 0, 0, rai, sizeof(rai));
	assert_int_equal(dhcp_rai(&m, &r), 0);
	assert_int_equal(r.link_select, 0);
	assert_int_equal(r.server_id_override, 0);
	assert_null(r.circuit_id);
	assert_int_equal(r.remote_id_len, 1);
}

static void
test_dhcp_packet_rai_malformed(void **state)
{
	struct dhcp_msg	 m;
	struct dhcp_rai	 r;

	(void)state;
	mkreq(&m, NULL, 0, 0, BYTES(DHCP_RAI_CIRCUIT_ID, 1, 'a',
	    DHCP_RAI_REMOTE_ID, 5, 'b'), 6);
	assert_int_equal(dhcp_rai(&m, &r), -1);
	assert_null(r.raw);
	assert_null(r.circuit_id);
	mkreq(&m, NULL, 0, 0, BYTES(DHCP_RAI_CIRCUIT_ID), 1);
	assert_int_equal(dhcp_rai(&m, &r), -1);
	/* Absent. */
	mkreq(&m, NULL, 0, 0, NULL, 0);
	assert_int_equal(dhcp_rai(&m, &r), -1);
	/* Empty: present, nothing in it. */
	mkreq(&m, NULL, 0, 0, BYTES(0), 0);
	assert_int_equal(dhcp_rai(&m, &r), 0);
	assert_int_equal(r.rawlen, 0);
	assert_null(r.circuit_id);
}

/* ------------------------------------------------------------ option sets */

static void
test_dhcp_packet_optset_replace_keeps_order(void **state)
{
	struct dhcp_optset s;

	(void)state;
	dhcp_optset_init(&s);
	assert_int_equal(dhcp_optset_add(&s, DHO_HOST_NAME, "aaaa", 4), 0);
	assert_int_equal(dhcp_optset_add(&s, DHO_DOMAIN_NAME, "lab", 3), 0);
	assert_int_equal(dhcp_optset_add_u8(&s, DHO_OVERLOAD + 100, 9), 0);
	assert_int_equal(dhcp_optset_add(&s, DHO_HOST_NAME, "b", 1), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.used, 5);
	assert_int_equal(s.o[0].code, DHO_HOST_NAME);
	assert_int_equal(s.o[0].len, 1);
	assert_memory_equal(s.store + s.o[0].off, "b", 1);
	assert_memory_equal(s.store + s.o[1].off, "lab", 3);
	assert_int_equal(s.store[s.o[2].off], 9);

	dhcp_optset_del(&s, DHO_DOMAIN_NAME);
	dhcp_optset_del(&s, DHO_ROUTERS);	/* absent: no-op */
	assert_int_equal(s.n, 2);
	assert_int_equal(s.used, 2);
	assert_int_equal(s.o[1].code, DHO_OVERLOAD + 100);
	assert_int_equal(s.store[s.o[1].off], 9);
	assert_memory_equal(s.store + s.o[0].off, "b", 1);
}

static void
test_dhcp_packet_optset_full(void **state)
{
	static struct dhcp_optset s;
	static uint8_t	 big[4097];
	unsigned	 c;

	(void)state;
	dhcp_optset_init(&s);
	for (c = 1; c <= DHCP_OPTSET_MAX; c++)
		assert_int_equal(dhcp_optset_add_u8(&s, (uint8_t)c, 1), 0);
	assert_int_equal(dhcp_optset_add_u8(&s, 200, 1), -DHCP_E_SPACE);
	/* Replacing needs no new slot. */
	assert_int_equal(dhcp_optset_add_u8(&s, 5, 2), 0);

	dhcp_optset_init(&s);
	assert_int_equal(dhcp_optset_add(&s, DHO_VENDOR_OPTS, big, 4097),
	    -DHCP_E_SPACE);
	assert_int_equal(dhcp_optset_add(&s, DHO_VENDOR_OPTS, big, 4000), 0);
	assert_int_equal(dhcp_optset_add(&s, DHO_HOST_NAME, big, 97),
	    -DHCP_E_SPACE);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.used, 4000);
	/* Replacing counts the old value as free. */
	assert_int_equal(dhcp_optset_add(&s, DHO_VENDOR_OPTS, big, 4096), 0);
	assert_int_equal(s.used, 4096);
	assert_int_equal(dhcp_optset_add_addrs(&s, DHO_ROUTERS, NULL,
	    SIZE_MAX / 2), -DHCP_E_SPACE);
}

static void
test_dhcp_packet_optset_rejects_pad_end(void **state)
{
	struct dhcp_optset s;

	(void)state;
	dhcp_optset_init(&s);
	assert_int_equal(dhcp_optset_add_u8(&s, DHO_PAD, 1), -DHCP_E_OPTION);
	assert_int_equal(dhcp_optset_add(&s, DHO_END, "x", 1),
	    -DHCP_E_OPTION);
	assert_int_equal(s.n, 0);
}

static void
test_dhcp_packet_optset_values_network_order(void **state)
{
	static const uint32_t dns[] = { 0xc6120301, 0x08080808 };
	struct dhcp_optset s;

	(void)state;
	dhcp_optset_init(&s);
	assert_int_equal(dhcp_optset_add_u32(&s, DHO_LEASE_TIME, 3600), 0);
	assert_int_equal(dhcp_optset_add_addrs(&s, DHO_DNS, dns, 2), 0);
	assert_memory_equal(s.store + s.o[0].off, BYTES(0, 0, 0x0e, 0x10), 4);
	assert_memory_equal(s.store + s.o[1].off,
	    BYTES(198, 18, 3, 1, 8, 8, 8, 8), 8);
	assert_int_equal(dhcp_optset_add_addrs(&s, DHO_ROUTERS, NULL, 0), 0);
	assert_int_equal(s.o[2].len, 0);
}

/* ---------------------------------------------------------------- replies */

static void
rep_init(struct dhcp_reply *rep, enum dhcp_type t)
{
	memset(rep, 0, sizeof(*rep));
	rep->type = t;
	dhcp_optset_init(&rep->opts);
}

static void
test_dhcp_packet_build_header_fields(void **state)
{
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	struct pkt	 p;
	uint8_t		 out[1500];
	int		 n;
	size_t		 i;

	(void)state;
	pkt_init(&p, DHCP_BOOTREQUEST);
	PUT(&p, DHO_MSG_TYPE, 1, DHCPDISCOVER, DHO_END);
	p.b[3] = 1;					/* hops */
	wire_store16(p.b + 8, 30);			/* secs */
	wire_store16(p.b + 10, DHCP_BROADCAST_FLAG);
	wire_store32(p.b + 24, 0x0a000001);		/* giaddr */
	assert_int_equal(dhcp_parse(p.b, p.len, &req), 0);

	rep_init(&rep, DHCPOFFER);
	rep.yiaddr = 0x0a000064;
	rep.siaddr = 0x0a000002;
	strcpy(rep.sname, "pxe-a");
	strcpy(rep.file, "undionly.kpxe");
	assert_int_equal(dhcp_optset_add_u32(&rep.opts, DHO_SERVER_ID,
	    0x0a000002), 0);
	memset(out, 0xee, sizeof(out));
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_int_equal(n, DHCP_BOOTP_MIN_LEN);	/* padded */
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.op, DHCP_BOOTREPLY);
	assert_int_equal(m.htype, 1);
	assert_int_equal(m.hlen, 6);
	assert_int_equal(m.hops, 0);
	assert_int_equal(m.secs, 0);
	assert_int_equal(m.xid, 0x12345678);
	assert_int_equal(m.flags, DHCP_BROADCAST_FLAG);
	assert_int_equal(m.giaddr, 0x0a000001);
	assert_int_equal(m.ciaddr, 0);
	assert_int_equal(m.yiaddr, 0x0a000064);
	assert_int_equal(m.siaddr, 0x0a000002);
	assert_memory_equal(m.chaddr, req.chaddr, DHCP_CHADDR_LEN);
	assert_string_equal((const char *)m.sname, "pxe-a");
	assert_string_equal((const char *)m.file, "undionly.kpxe");
	assert_int_equal(m.type, DHCPOFFER);
	/* 53 and 54, END, then zero padding. */
	assert_int_equal(out[DHCP_MIN_LEN + 9], DHO_END);
	for (i = DHCP_MIN_LEN + 10; i < (size_t)n; i++)
		assert_int_equal(out[i], 0);
}

static void
test_dhcp_packet_build_order_53_54_first_82_last(void **state)
{
	static const uint8_t prl[] = { 1, 3, 6, 43, 67 };
	static const uint8_t rai[] = { DHCP_RAI_CIRCUIT_ID, 4, 'p', 'o',
	    'r', 't', DHCP_RAI_REMOTE_ID, 2, 0xab, 0xcd };
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	uint8_t		 out[1500], codes[32];
	const uint8_t	*v;
	size_t		 nc, len;
	int		 n;

	(void)state;
	mkreq(&req, prl, sizeof(prl), 0, rai, sizeof(rai));
	rep_init(&rep, DHCPACK);
	assert_int_equal(dhcp_optset_add_u32(&rep.opts, DHO_ROUTERS,
	    0x0a000001), 0);
	assert_int_equal(dhcp_optset_add_u32(&rep.opts, DHO_SUBNET_MASK,
	    0xffffff00), 0);
	assert_int_equal(dhcp_optset_add_u32(&rep.opts, DHO_LEASE_TIME, 600),
	    0);
	assert_int_equal(dhcp_optset_add(&rep.opts, DHO_VENDOR_OPTS,
	    "\x06\x01\x08\xff", 4), 0);
	assert_int_equal(dhcp_optset_add(&rep.opts, DHO_BOOTFILE, "a.efi", 5),
	    0);
	/* Added last, as server.c does; still sent second. */
	assert_int_equal(dhcp_optset_add_u32(&rep.opts, DHO_SERVER_ID,
	    0x0a000002), 0);
	/* The builder owns 53, 52 and 82: these are ignored. */
	assert_int_equal(dhcp_optset_add_u8(&rep.opts, DHO_MSG_TYPE, 7), 0);
	assert_int_equal(dhcp_optset_add_u8(&rep.opts, DHO_OVERLOAD, 3), 0);
	assert_int_equal(dhcp_optset_add(&rep.opts, DHO_RELAY_INFO, "zz", 2),
	    0);

	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n >= DHCP_BOOTP_MIN_LEN);
	nc = field_codes(out, (size_t)n, codes, sizeof(codes));
	assert_int_equal(nc, 8);
	assert_memory_equal(codes, BYTES(53, 54, 3, 1, 51, 43, 67, 82), 8);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.type, DHCPACK);
	assert_false(dhcp_has_opt(&m, DHO_OVERLOAD));
	/* RFC 3046 2.2: echoed byte for byte although 55 lacks 82. */
	v = dhcp_opt(&m, DHO_RELAY_INFO, &len);
	assert_non_null(v);
	assert_int_equal(len, sizeof(rai));
	assert_memory_equal(v, rai, sizeof(rai));
	/* Right before END in the options field. */
	v = out + n;
	while (*--v == 0)
		;
	assert_int_equal(*v, DHO_END);
	assert_memory_equal(v - sizeof(rai), rai, sizeof(rai));
	assert_int_equal(v[-(int)sizeof(rai) - 2], DHO_RELAY_INFO);
}

static void
test_dhcp_packet_build_prl_filters(void **state)
{
	static const uint8_t prl[] = { DHO_SUBNET_MASK, DHO_BOOTFILE };
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	uint8_t		 out[1500];
	int		 n;

	(void)state;
	mkreq(&req, prl, sizeof(prl), 0, NULL, 0);
	rep_init(&rep, DHCPOFFER);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_SUBNET_MASK, 0xffffff00);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_ROUTERS, 0x0a000001);
	(void)dhcp_optset_add(&rep.opts, DHO_HOST_NAME, "pc", 2);
	(void)dhcp_optset_add(&rep.opts, DHO_VENDOR_OPTS, "\xff", 1);
	(void)dhcp_optset_add(&rep.opts, DHO_TFTP_SERVER, "10.0.0.2", 8);
	dhcp_optset_always(&rep.opts, DHO_TFTP_SERVER);
	(void)dhcp_optset_add(&rep.opts, DHO_BOOTFILE, "x", 1);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_RENEWAL_TIME, 300);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_REBINDING_TIME, 500);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_LEASE_TIME, 600);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_SERVER_ID, 0x0a000002);
	(void)dhcp_optset_add(&rep.opts, DHO_DOMAIN_NAME, "lab", 3);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_BROADCAST, 0x0a0000ff);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_DNS, 0x0a000001);

	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_true(dhcp_has_opt(&m, DHO_SUBNET_MASK));
	assert_true(dhcp_has_opt(&m, DHO_BOOTFILE));
	/* The always-sent set and the caller's dhcp_optset_always. */
	assert_true(dhcp_has_opt(&m, DHO_ROUTERS));
	assert_true(dhcp_has_opt(&m, DHO_DNS));
	assert_true(dhcp_has_opt(&m, DHO_DOMAIN_NAME));
	assert_true(dhcp_has_opt(&m, DHO_BROADCAST));
	assert_true(dhcp_has_opt(&m, DHO_LEASE_TIME));
	assert_true(dhcp_has_opt(&m, DHO_SERVER_ID));
	assert_true(dhcp_has_opt(&m, DHO_RENEWAL_TIME));
	assert_true(dhcp_has_opt(&m, DHO_REBINDING_TIME));
	assert_true(dhcp_has_opt(&m, DHO_TFTP_SERVER));
	/* Not asked for. */
	assert_false(dhcp_has_opt(&m, DHO_HOST_NAME));
	assert_false(dhcp_has_opt(&m, DHO_VENDOR_OPTS));

	/* Without 55 at all everything is sent. */
	mkreq(&req, NULL, 0, 0, NULL, 0);
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_true(dhcp_has_opt(&m, DHO_HOST_NAME));
	assert_true(dhcp_has_opt(&m, DHO_VENDOR_OPTS));
}

/* Three big options the client asked for and that do not fit in 548. */
static void
rep_big(struct dhcp_reply *rep, uint8_t *v43, uint8_t *v67, uint8_t *v12)
{
	rep_init(rep, DHCPOFFER);
	fill(v43, 250, 1);
	fill(v67, 120, 2);
	fill(v12, 60, 3);
	(void)dhcp_optset_add_u32(&rep->opts, DHO_LEASE_TIME, 600);
	(void)dhcp_optset_add(&rep->opts, DHO_VENDOR_OPTS, v43, 250);
	(void)dhcp_optset_add(&rep->opts, DHO_BOOTFILE, v67, 120);
	(void)dhcp_optset_add(&rep->opts, DHO_HOST_NAME, v12, 60);
	(void)dhcp_optset_add_u32(&rep->opts, DHO_SERVER_ID, 0x0a000002);
}

static void
test_dhcp_packet_build_default_limit_overloads(void **state)
{
	static const uint8_t prl[] = { 43, 67, 12 };
	static const uint8_t rai[] = { DHCP_RAI_CIRCUIT_ID, 2, 'a', 'b' };
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	uint8_t		 out[1500], v43[250], v67[120], v12[60];
	int		 n;

	(void)state;
	/* No option 57: 576-byte datagram, 548 bytes of DHCP. */
	mkreq(&req, prl, sizeof(prl), 0, rai, sizeof(rai));
	rep_big(&rep, v43, v67, v12);
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 0 && n <= 548);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.overload, 3);
	assert_opt_eq(&m, DHO_VENDOR_OPTS, v43, sizeof(v43));
	assert_opt_eq(&m, DHO_BOOTFILE, v67, sizeof(v67));
	assert_opt_eq(&m, DHO_HOST_NAME, v12, sizeof(v12));
	assert_opt_eq(&m, DHO_RELAY_INFO, rai, sizeof(rai));
	/* file is filled before sname; both end with END. */
	assert_int_equal(out[FILE_OFF], DHO_BOOTFILE);
	assert_int_equal(out[FILE_OFF + 122], DHO_END);
	assert_int_equal(out[SNAME_OFF], DHO_HOST_NAME);
	assert_int_equal(out[SNAME_OFF + 62], DHO_END);

	/* Option 57 of 1500 leaves room: no overload. */
	mkreq(&req, prl, sizeof(prl), 1500, rai, sizeof(rai));
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 548 && n <= 1500 - 28);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.overload, 0);
	assert_opt_eq(&m, DHO_HOST_NAME, v12, sizeof(v12));
	assert_int_equal(m.sname[0], 0);
	assert_int_equal(m.file[0], 0);

	/* Option 57 below 576 counts as 576; outlen caps everything. */
	mkreq(&req, prl, sizeof(prl), 300, rai, sizeof(rai));
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 0 && n <= 548);
	n = dhcp_build(&req, &rep, out, 300);
	assert_int_equal(n, 300);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_true(dhcp_has_opt(&m, DHO_RELAY_INFO));
}

static void
test_dhcp_packet_build_overload_only_empty_fields(void **state)
{
	static const uint8_t prl[] = { 43, 12 };
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	uint8_t		 out[1500], v43[250], v67[120], v12[60];
	int		 n;

	(void)state;
	mkreq(&req, prl, sizeof(prl), 0, NULL, 0);
	rep_big(&rep, v43, v67, v12);
	strcpy(rep.file, "boot.ipxe");
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 0 && n <= 548);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	/* RFC 2132 9.3: file holds a name, so only sname carries options. */
	assert_int_equal(m.overload, 2);
	assert_string_equal((const char *)m.file, "boot.ipxe");
	assert_opt_eq(&m, DHO_VENDOR_OPTS, v43, sizeof(v43));
	assert_opt_eq(&m, DHO_HOST_NAME, v12, sizeof(v12));
	assert_int_equal(out[SNAME_OFF], DHO_HOST_NAME);
	assert_false(dhcp_has_opt(&m, DHO_BOOTFILE));	/* not asked for */
}

static void
test_dhcp_packet_build_drops_from_end(void **state)
{
	static const uint8_t prl[] = { 43, 67, 12, 1 };
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	uint8_t		 out[1500], v43[250], v67[120], v12[60];
	int		 n;

	(void)state;
	mkreq(&req, prl, sizeof(prl), 576, NULL, 0);
	rep_big(&rep, v43, v67, v12);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_SUBNET_MASK, 0xffffff00);
	strcpy(rep.file, "boot.ipxe");
	strcpy(rep.sname, "pxe-a");
	/*
	 * No overload possible.  53 54 51 43 67 = 319 > 307 bytes: 1 and 12
	 * go (from the end) and still 67 does not fit, so it goes too; 51
	 * and 54 are never dropped.
	 */
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 0 && n <= 548);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.overload, 0);
	assert_true(dhcp_has_opt(&m, DHO_LEASE_TIME));
	assert_true(dhcp_has_opt(&m, DHO_SERVER_ID));
	assert_opt_eq(&m, DHO_VENDOR_OPTS, v43, sizeof(v43));
	assert_false(dhcp_has_opt(&m, DHO_BOOTFILE));
	assert_false(dhcp_has_opt(&m, DHO_HOST_NAME));
	assert_false(dhcp_has_opt(&m, DHO_SUBNET_MASK));
}

static void
test_dhcp_packet_build_overload_then_drop(void **state)
{
	static const uint8_t prl[] = { 43, 67, 12, 66, 60 };
	static const uint8_t rai[] = { DHCP_RAI_REMOTE_ID, 8, 1, 2, 3, 4, 5,
	    6, 7, 8 };
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	uint8_t		 out[1500], v43[250], v67[120], v12[60], v66[50];
	uint8_t		 v60[200];
	int		 n;

	(void)state;
	mkreq(&req, prl, sizeof(prl), 0, rai, sizeof(rai));
	rep_big(&rep, v43, v67, v12);
	fill(v66, sizeof(v66), 4);
	fill(v60, sizeof(v60), 5);
	(void)dhcp_optset_add(&rep.opts, DHO_TFTP_SERVER, v66, sizeof(v66));
	(void)dhcp_optset_add(&rep.opts, DHO_VENDOR_CLASS, v60, sizeof(v60));
	/*
	 * Options field 548 - 240 - 1 (END) - 3 (52) - 12 (82) = 292: 53, 54,
	 * 51 and 43 take 267; 67 goes to file, 12 to sname, and 66 and 60 fit
	 * nowhere, so they are dropped, 60 first.
	 */
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 0 && n <= 548);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.overload, 3);
	assert_opt_eq(&m, DHO_VENDOR_OPTS, v43, sizeof(v43));
	assert_opt_eq(&m, DHO_BOOTFILE, v67, sizeof(v67));
	assert_opt_eq(&m, DHO_HOST_NAME, v12, sizeof(v12));
	assert_false(dhcp_has_opt(&m, DHO_TFTP_SERVER));
	assert_false(dhcp_has_opt(&m, DHO_VENDOR_CLASS));
	assert_opt_eq(&m, DHO_RELAY_INFO, rai, sizeof(rai));
}

static void
test_dhcp_packet_build_space(void **state)
{
	struct dhcp_reply rep;
	struct dhcp_msg	 req;
	struct dhcp_optset s;
	struct dhcp_msg	 hdr;
	uint8_t		 out[1500], rai[600];
	int		 n;

	(void)state;
	mkreq(&req, NULL, 0, 0, NULL, 0);
	rep_init(&rep, DHCPOFFER);
	assert_int_equal(dhcp_build(&req, &rep, out, 299), -DHCP_E_SPACE);
	assert_int_equal(dhcp_build(&req, &rep, NULL, 0), -DHCP_E_SPACE);
	assert_int_equal(dhcp_build(&req, &rep, out, 300), 300);

	/* A 600-byte 82 cannot be dropped and does not fit in 548. */
	fill(rai, sizeof(rai), 9);
	memset(&hdr, 0, sizeof(hdr));
	hdr.op = DHCP_BOOTREQUEST;
	hdr.type = DHCPDISCOVER;
	dhcp_optset_init(&s);
	assert_int_equal(dhcp_optset_add(&s, DHO_RELAY_INFO, rai,
	    sizeof(rai)), 0);
	n = dhcp_build_msg(&hdr, &s, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(dhcp_parse(out, (size_t)n, &req), 0);
	assert_int_equal(dhcp_build(&req, &rep, out, sizeof(out)),
	    -DHCP_E_SPACE);
	/* With a larger option 57 it fits, echoed whole. */
	assert_int_equal(dhcp_optset_add(&s, DHO_MAX_SIZE, "\x05\xdc", 2), 0);
	n = dhcp_build_msg(&hdr, &s, out, sizeof(out));
	assert_int_equal(dhcp_parse(out, (size_t)n, &req), 0);
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(dhcp_parse(out, (size_t)n, &hdr), 0);
	assert_opt_eq(&hdr, DHO_RELAY_INFO, rai, sizeof(rai));
}

static void
test_dhcp_packet_build_long_option_split(void **state)
{
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	uint8_t		 out[1500], v[600], codes[16];
	size_t		 nc, i;
	int		 n;

	(void)state;
	mkreq(&req, BYTES(43), 1, 1500, NULL, 0);
	rep_init(&rep, DHCPACK);
	fill(v, sizeof(v), 11);
	assert_int_equal(dhcp_optset_add(&rep.opts, DHO_VENDOR_OPTS, v,
	    sizeof(v)), 0);
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 0);
	/* RFC 3396: 255 + 255 + 90, in a row. */
	nc = field_codes(out, (size_t)n, codes, sizeof(codes));
	assert_int_equal(nc, 4);
	assert_memory_equal(codes, BYTES(53, 43, 43, 43), 4);
	i = DHCP_MIN_LEN + 3;
	assert_int_equal(out[i + 1], 255);
	assert_int_equal(out[i + 2 + 255 + 1], 255);
	assert_int_equal(out[i + 2 * 257 + 1], 90);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_opt_eq(&m, DHO_VENDOR_OPTS, v, sizeof(v));

	/*
	 * In 548 bytes it spills over into file and sname, in order: the
	 * options field takes 255 + 42 after 53 and 52, file 125, sname 58.
	 */
	mkreq(&req, BYTES(43), 1, 0, NULL, 0);
	assert_int_equal(dhcp_optset_add(&rep.opts, DHO_VENDOR_OPTS, v, 480),
	    0);
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_true(n > 0 && n <= 548);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.overload, 3);
	assert_opt_eq(&m, DHO_VENDOR_OPTS, v, 480);
	assert_memory_equal(out + FILE_OFF, BYTES(43, 125), 2);
	assert_memory_equal(out + SNAME_OFF, BYTES(43, 58), 2);
	/* One byte more does not fit anywhere, and 43 may be dropped. */
	assert_int_equal(dhcp_optset_add(&rep.opts, DHO_VENDOR_OPTS, v, 484),
	    0);
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_false(dhcp_has_opt(&m, DHO_VENDOR_OPTS));
}

static void
test_dhcp_packet_build_nak_fields(void **state)
{
	static const uint8_t prl[] = { 1, 3, 51 };
	static const uint8_t rai[] = { DHCP_RAI_CIRCUIT_ID, 1, 'c' };
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	uint8_t		 out[1500], codes[16];
	size_t		 nc;
	int		 n;

	(void)state;
	mkreq(&req, prl, sizeof(prl), 0, rai, sizeof(rai));
	rep_init(&rep, DHCPNAK);
	rep.ciaddr = 1;
	rep.yiaddr = 2;
	rep.siaddr = 3;
	strcpy(rep.sname, "s");
	strcpy(rep.file, "f");
	(void)dhcp_optset_add_u32(&rep.opts, DHO_SUBNET_MASK, 0xffffff00);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_LEASE_TIME, 600);
	(void)dhcp_optset_add(&rep.opts, DHO_MESSAGE, "wrong network", 13);
	(void)dhcp_optset_add(&rep.opts, DHO_BOOTFILE, "x", 1);
	dhcp_optset_always(&rep.opts, DHO_BOOTFILE);
	(void)dhcp_optset_add_u32(&rep.opts, DHO_SERVER_ID, 0x0a000002);
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_int_equal(n, 300);
	/* RFC 2131 table 3: 53, 54, 56 and the 82 echo; no addresses. */
	nc = field_codes(out, (size_t)n, codes, sizeof(codes));
	assert_int_equal(nc, 4);
	assert_memory_equal(codes, BYTES(53, 54, 56, 82), 4);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.type, DHCPNAK);
	assert_int_equal(m.ciaddr, 0);
	assert_int_equal(m.yiaddr, 0);
	assert_int_equal(m.siaddr, 0);
	assert_int_equal(m.sname[0], 0);
	assert_int_equal(m.file[0], 0);
	assert_opt_str(&m, DHO_MESSAGE, "wrong network");
	assert_int_equal(m.xid, req.xid);
}

static void
test_dhcp_packet_build_bad_type(void **state)
{
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	uint8_t		 out[600];
	int		 n;

	(void)state;
	mkreq(&req, NULL, 0, 0, NULL, 0);
	rep_init(&rep, DHCP_NONE);
	rep.type = (enum dhcp_type)9;
	assert_int_equal(dhcp_build(&req, &rep, out, sizeof(out)),
	    -DHCP_E_TYPE);
	/* DHCP_NONE: a BOOTP reply, no option 53. */
	rep.type = DHCP_NONE;
	(void)dhcp_optset_add_u32(&rep.opts, DHO_SUBNET_MASK, 0xffffff00);
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_int_equal(n, 300);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.type, DHCP_NONE);
	assert_true(dhcp_has_opt(&m, DHO_SUBNET_MASK));
}

/* ---------------------------------------------------- build_msg, round trip */

static void
test_dhcp_packet_build_msg_round_trip(void **state)
{
	struct dhcp_optset s;
	struct dhcp_msg	 hdr, m;
	uint8_t		 out[1500], v[600];
	unsigned	 c;
	int		 n;

	(void)state;
	memset(&hdr, 0, sizeof(hdr));
	hdr.op = DHCP_BOOTREQUEST;
	hdr.htype = 1;
	hdr.hlen = 6;
	hdr.hops = 2;
	hdr.xid = 0xdeadbeef;
	hdr.secs = 3;
	hdr.flags = DHCP_BROADCAST_FLAG;
	hdr.ciaddr = 1;
	hdr.yiaddr = 2;
	hdr.siaddr = 3;
	hdr.giaddr = 4;
	memset(hdr.chaddr, 0xaa, sizeof(hdr.chaddr));
	memset(hdr.sname, 's', sizeof(hdr.sname));	/* no NUL: raw */
	memset(hdr.file, 'f', sizeof(hdr.file));
	hdr.type = DHCPREQUEST;
	fill(v, sizeof(v), 5);
	dhcp_optset_init(&s);
	(void)dhcp_optset_add_u32(&s, DHO_REQUESTED_ADDR, 0x0a000005);
	(void)dhcp_optset_add(&s, DHO_CLIENT_ID, "\x01\xaa\xaa", 3);
	(void)dhcp_optset_add(&s, DHO_USER_CLASS, "", 0);
	(void)dhcp_optset_add(&s, DHO_VENDOR_OPTS, v, sizeof(v));

	n = dhcp_build_msg(&hdr, &s, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_memory_equal(&m, &hdr, offsetof(struct dhcp_msg, overload));
	assert_int_equal(m.type, DHCPREQUEST);
	assert_int_equal(out[DHCP_MIN_LEN], DHO_MSG_TYPE);
	for (c = 1; c < 255; c++) {
		if (c == DHO_MSG_TYPE)
			continue;
		assert_int_equal(dhcp_has_opt(&m, (uint8_t)c),
		    c == DHO_REQUESTED_ADDR || c == DHO_CLIENT_ID ||
		    c == DHO_USER_CLASS || c == DHO_VENDOR_OPTS);
	}
	assert_opt_eq(&m, DHO_VENDOR_OPTS, v, sizeof(v));
	assert_opt_eq(&m, DHO_USER_CLASS, "", 0);

	/* The set's own 53 wins over hdr.type, and only one is sent. */
	(void)dhcp_optset_add_u8(&s, DHO_MSG_TYPE, DHCPINFORM);
	n = dhcp_build_msg(&hdr, &s, out, sizeof(out));
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.type, DHCPINFORM);

	/* Space. */
	assert_int_equal(dhcp_build_msg(&hdr, &s, out, 299), -DHCP_E_SPACE);
	assert_int_equal(dhcp_build_msg(&hdr, &s, out, 600), -DHCP_E_SPACE);
	assert_int_equal(dhcp_build_msg(&hdr, NULL, out, 300), 300);
}

/* A crafted overload request, built with build_msg (52 written as given). */
static void
test_dhcp_packet_build_msg_crafted_overload(void **state)
{
	struct dhcp_optset s;
	struct dhcp_msg	 hdr, m;
	uint8_t		 out[600];
	int		 n;

	(void)state;
	memset(&hdr, 0, sizeof(hdr));
	hdr.op = DHCP_BOOTREQUEST;
	hdr.type = DHCPDISCOVER;
	memcpy(hdr.file, BYTES(DHO_HOST_NAME, 2, 'p', 'c', DHO_END), 5);
	dhcp_optset_init(&s);
	(void)dhcp_optset_add_u8(&s, DHO_OVERLOAD, 1);
	n = dhcp_build_msg(&hdr, &s, out, sizeof(out));
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.overload, 1);
	assert_opt_str(&m, DHO_HOST_NAME, "pc");
}

/* --------------------------------------------------------- real captures */

static const uint8_t ipxe_prl[] = { 0x01, 0x03, 0x06, 0x07, 0x0c, 0x0f,
    0x11, 0x1a, 0x2b, 0x3c, 0x42, 0x43, 0x77, 0x80, 0x81, 0x82, 0x83, 0x84,
    0x85, 0x86, 0x87, 0xaf, 0xcb };

static void
test_dhcp_packet_capture_bios_ipxe_discover(void **state)
{
	struct dhcp_msg	 m;
	uint8_t		 buf[512];
	uint16_t	 u;
	size_t		 len;

	(void)state;
	len = vec_load(&vec_bios_ipxe_discover, buf);
	assert_int_equal(dhcp_parse(buf, len, &m), 0);
	assert_int_equal(m.op, DHCP_BOOTREQUEST);
	assert_int_equal(m.type, DHCPDISCOVER);
	assert_int_equal(m.xid, 0xf878ad01);
	assert_int_equal(m.secs, 4);
	assert_memory_equal(m.chaddr, "\x52\x54\x00\xbe\x00\x01", 6);
	assert_opt_str(&m, DHO_VENDOR_CLASS,
	    "PXEClient:Arch:00000:UNDI:002001");
	assert_int_equal(dhcp_opt_u16(&m, DHO_CLIENT_ARCH, &u), 0);
	assert_int_equal(u, 0);			/* BIOS x86 */
	assert_opt_str(&m, DHO_USER_CLASS, "iPXE");
	assert_opt_eq(&m, DHO_PARAM_LIST, ipxe_prl, sizeof(ipxe_prl));
	assert_int_equal(dhcp_opt_u16(&m, DHO_MAX_SIZE, &u), 0);
	assert_int_equal(u, 1472);
	assert_opt_eq(&m, DHO_CLIENT_NDI, "\x01\x02\x01", 3);
	assert_opt_eq(&m, DHO_CLIENT_ID, "\x01\x52\x54\x00\xbe\x00\x01", 7);
	assert_non_null(dhcp_opt(&m, DHO_IPXE, &len));
	assert_int_equal(len, 48);
	assert_non_null(dhcp_opt(&m, DHO_CLIENT_UUID, &len));
	assert_int_equal(len, 17);
}

static void
test_dhcp_packet_capture_ovmf_discover(void **state)
{
	static const uint8_t prl[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
	    0x0c, 0x0d, 0x0f, 0x11, 0x12, 0x16, 0x17, 0x1c, 0x28, 0x29, 0x2a,
	    0x2b, 0x32, 0x33, 0x36, 0x3a, 0x3b, 0x3c, 0x42, 0x43, 0x61, 0x80,
	    0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87 };
	struct dhcp_msg	 m;
	uint8_t		 buf[512];
	uint16_t	 u;
	size_t		 len;

	(void)state;
	len = vec_load(&vec_ovmf_discover, buf);
	assert_int_equal(dhcp_parse(buf, len, &m), 0);
	assert_int_equal(m.type, DHCPDISCOVER);
	assert_int_equal(m.flags, DHCP_BROADCAST_FLAG);
	assert_opt_str(&m, DHO_VENDOR_CLASS,
	    "PXEClient:Arch:00007:UNDI:003000");
	assert_int_equal(dhcp_opt_u16(&m, DHO_CLIENT_ARCH, &u), 0);
	assert_int_equal(u, 7);			/* EFI BC (x86-64) */
	assert_false(dhcp_has_opt(&m, DHO_USER_CLASS));	/* not iPXE yet */
	assert_opt_eq(&m, DHO_PARAM_LIST, prl, sizeof(prl));
	assert_false(dhcp_has_opt(&m, DHO_RELAY_INFO));
}

static void
test_dhcp_packet_capture_ipxe_efi_request_4011(void **state)
{
	struct dhcp_msg	 m;
	uint8_t		 buf[512];
	uint32_t	 a;
	uint16_t	 u;
	size_t		 len;

	(void)state;
	len = vec_load(&vec_ipxe_efi_request_4011, buf);
	assert_int_equal(dhcp_parse(buf, len, &m), 0);
	assert_int_equal(m.type, DHCPREQUEST);
	assert_int_equal(m.ciaddr, 0xc61203ba);		/* 198.18.3.186 */
	assert_int_equal(dhcp_opt_u32(&m, DHO_SERVER_ID, &a), 0);
	assert_int_equal(a, 0xc6120301);
	assert_opt_str(&m, DHO_VENDOR_CLASS,
	    "PXEClient:Arch:00007:UNDI:003010");
	assert_int_equal(dhcp_opt_u16(&m, DHO_CLIENT_ARCH, &u), 0);
	assert_int_equal(u, 7);
	assert_opt_str(&m, DHO_USER_CLASS, "iPXE");
	assert_opt_eq(&m, DHO_PARAM_LIST, ipxe_prl, sizeof(ipxe_prl));
}

/* A ProxyDHCP ACK to the captured ipxe.efi request, then parsed back. */
static void
test_dhcp_packet_capture_proxy_ack_round_trip(void **state)
{
	struct dhcp_reply rep;
	struct dhcp_msg	 req, m;
	uint8_t		 buf[512], out[1500], codes[16];
	size_t		 len, nc;
	int		 n;

	(void)state;
	len = vec_load(&vec_ipxe_efi_request_4011, buf);
	assert_int_equal(dhcp_parse(buf, len, &req), 0);
	rep_init(&rep, DHCPACK);
	rep.ciaddr = req.ciaddr;
	rep.siaddr = 0xc6120301;
	strcpy(rep.file, "boot.ipxe");
	(void)dhcp_optset_add_u32(&rep.opts, DHO_SERVER_ID, 0xc6120301);
	(void)dhcp_optset_add(&rep.opts, DHO_VENDOR_CLASS, "PXEClient", 9);
	(void)dhcp_optset_add(&rep.opts, DHO_VENDOR_OPTS, "\x06\x01\x08\xff",
	    4);
	(void)dhcp_optset_add(&rep.opts, DHO_CLIENT_UUID, req.optdata +
	    req.optoff[DHO_CLIENT_UUID], req.optlen[DHO_CLIENT_UUID]);
	n = dhcp_build(&req, &rep, out, sizeof(out));
	assert_int_equal(n, 300);
	nc = field_codes(out, (size_t)n, codes, sizeof(codes));
	/* 97 is not in iPXE's 55 and not marked always: left out. */
	assert_int_equal(nc, 4);
	assert_memory_equal(codes, BYTES(53, 54, 60, 43), 4);
	assert_int_equal(dhcp_parse(out, (size_t)n, &m), 0);
	assert_int_equal(m.type, DHCPACK);
	assert_int_equal(m.xid, 0x8dbdc839);
	assert_int_equal(m.flags, DHCP_BROADCAST_FLAG);
	assert_int_equal(m.ciaddr, 0xc61203ba);
	assert_string_equal((const char *)m.file, "boot.ipxe");
	assert_opt_str(&m, DHO_VENDOR_CLASS, "PXEClient");
}

/* Every capture re-encoded with build_msg parses to the same values. */
static void
test_dhcp_packet_capture_rebuild_round_trip(void **state)
{
	const struct vec *vecs[] = { &vec_bios_ipxe_discover,
	    &vec_ovmf_discover, &vec_ipxe_efi_request_4011 };
	struct dhcp_optset s;
	struct dhcp_msg	 m, m2;
	uint8_t		 buf[512], out[1500];
	const uint8_t	*v;
	size_t		 i, len;
	unsigned	 c;
	int		 n;

	(void)state;
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		len = vec_load(vecs[i], buf);
		assert_int_equal(dhcp_parse(buf, len, &m), 0);
		dhcp_optset_init(&s);
		for (c = 1; c < 255; c++)
			if ((v = dhcp_opt(&m, (uint8_t)c, &len)) != NULL)
				assert_int_equal(dhcp_optset_add(&s,
				    (uint8_t)c, v, len), 0);
		n = dhcp_build_msg(&m, &s, out, sizeof(out));
		assert_true(n > 0);
		assert_int_equal(dhcp_parse(out, (size_t)n, &m2), 0);
		assert_memory_equal(&m, &m2, offsetof(struct dhcp_msg,
		    optdata));
		assert_memory_equal(m.optdata, m2.optdata, m.optused);
	}
}

/* ------------------------------------------------------------------ names */

static void
test_dhcp_packet_names(void **state)
{
	static const int codes[] = { DHCP_E_SHORT, DHCP_E_COOKIE,
	    DHCP_E_OPTION, DHCP_E_HLEN, DHCP_E_OP, DHCP_E_TYPE,
	    DHCP_E_OVERLOAD, DHCP_E_SPACE, DHCP_E_TOOLONG };
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_string_not_equal(dhcp_strerror(-codes[i]),
		    "unknown error");
		assert_string_equal(dhcp_strerror(-codes[i]),
		    dhcp_strerror(codes[i]));
	}
	assert_string_equal(dhcp_strerror(42), "unknown error");
	assert_string_equal(dhcp_strerror(-2147483647 - 1), "unknown error");
	assert_string_equal(dhcp_type_name(DHCPDISCOVER), "DHCPDISCOVER");
	assert_string_equal(dhcp_type_name(DHCPINFORM), "DHCPINFORM");
	assert_string_equal(dhcp_type_name((enum dhcp_type)77), "unknown");
}

/* --------------------------------------------------------- wire cursor */

static void
test_dhcp_packet_wire_sticky_error(void **state)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5 };
	struct wire_rd	 r, sub;
	struct wire_wr	 w;
	uint8_t		 o[3];
	uint32_t	 v = 9;
	uint16_t	 s;
	uint8_t		 u;

	(void)state;
	wire_rd_init(&r, b, sizeof(b));
	assert_int_equal(wire_u16(&r, &s), 0);
	assert_int_equal(s, 0x0102);
	assert_int_equal(wire_sub(&r, 2, &sub), 0);
	assert_int_equal(wire_u32(&sub, &v), -1);	/* bounded by sub */
	assert_int_equal(v, 9);
	assert_int_equal(wire_u8(&sub, &u), -1);	/* sticky */
	assert_int_equal(wire_left(&r), 1);
	assert_int_equal(wire_u16(&r, &s), -1);
	assert_int_equal(wire_u8(&r, &u), -1);		/* sticky */
	assert_int_equal(wire_left(&r), 0);
	assert_int_equal(wire_sub(&r, 0, &sub), -1);
	assert_true(sub.bad);

	wire_wr_init(&w, o, sizeof(o));
	assert_int_equal(wire_put_u16(&w, 0xabcd), 0);
	assert_int_equal(wire_put_u16(&w, 1), -1);
	assert_int_equal(wire_put_u8(&w, 1), -1);	/* sticky */
	assert_int_equal(w.off, 2);
	assert_memory_equal(o, BYTES(0xab, 0xcd), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dhcp_packet_parse_short),
		cmocka_unit_test(test_dhcp_packet_parse_toolong),
		cmocka_unit_test(test_dhcp_packet_parse_bad_cookie),
		cmocka_unit_test(test_dhcp_packet_parse_hlen_over_16),
		cmocka_unit_test(test_dhcp_packet_parse_bad_op),
		cmocka_unit_test(test_dhcp_packet_parse_type_bad_length),
		cmocka_unit_test(test_dhcp_packet_parse_type_out_of_range),
		cmocka_unit_test(test_dhcp_packet_parse_option_past_end),
		cmocka_unit_test(test_dhcp_packet_parse_overload_bad),
		cmocka_unit_test(test_dhcp_packet_parse_error_keeps_header),
		cmocka_unit_test(test_dhcp_packet_parse_header_fields),
		cmocka_unit_test(test_dhcp_packet_parse_pad_and_missing_end),
		cmocka_unit_test(test_dhcp_packet_parse_bootp_has_no_type),
		cmocka_unit_test(test_dhcp_packet_parse_overload_concat_order),
		cmocka_unit_test(test_dhcp_packet_parse_no_overload_file_is_name),
		cmocka_unit_test(test_dhcp_packet_parse_long_option_rejoin),
		cmocka_unit_test(test_dhcp_packet_parse_max_len_all_options),
		cmocka_unit_test(test_dhcp_packet_opt_accessors),
		cmocka_unit_test(test_dhcp_packet_rai_suboptions),
		cmocka_unit_test(test_dhcp_packet_rai_bad_address_length_is_absent),
		cmocka_unit_test(test_dhcp_packet_rai_malformed),
		cmocka_unit_test(test_dhcp_packet_optset_replace_keeps_order),
		cmocka_unit_test(test_dhcp_packet_optset_full),
		cmocka_unit_test(test_dhcp_packet_optset_rejects_pad_end),
		cmocka_unit_test(test_dhcp_packet_optset_values_network_order),
		cmocka_unit_test(test_dhcp_packet_build_header_fields),
		cmocka_unit_test(test_dhcp_packet_build_order_53_54_first_82_last),
		cmocka_unit_test(test_dhcp_packet_build_prl_filters),
		cmocka_unit_test(test_dhcp_packet_build_default_limit_overloads),
		cmocka_unit_test(test_dhcp_packet_build_overload_only_empty_fields),
		cmocka_unit_test(test_dhcp_packet_build_drops_from_end),
		cmocka_unit_test(test_dhcp_packet_build_overload_then_drop),
		cmocka_unit_test(test_dhcp_packet_build_space),
		cmocka_unit_test(test_dhcp_packet_build_long_option_split),
		cmocka_unit_test(test_dhcp_packet_build_nak_fields),
		cmocka_unit_test(test_dhcp_packet_build_bad_type),
		cmocka_unit_test(test_dhcp_packet_build_msg_round_trip),
		cmocka_unit_test(test_dhcp_packet_build_msg_crafted_overload),
		cmocka_unit_test(test_dhcp_packet_capture_bios_ipxe_discover),
		cmocka_unit_test(test_dhcp_packet_capture_ovmf_discover),
		cmocka_unit_test(test_dhcp_packet_capture_ipxe_efi_request_4011),
		cmocka_unit_test(test_dhcp_packet_capture_proxy_ack_round_trip),
		cmocka_unit_test(test_dhcp_packet_capture_rebuild_round_trip),
		cmocka_unit_test(test_dhcp_packet_names),
		cmocka_unit_test(test_dhcp_packet_wire_sticky_error),
	};

	return (cmocka_run_group_tests_name("dhcp_packet", tests, NULL,
	    NULL));
}
