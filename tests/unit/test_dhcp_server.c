/*
 * The DHCP server core driven by scripted requests and a fake clock: no
 * sockets, no sleeps.  Configs are real INI text through cfg_parse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/config.h"
#include "pxeha/dhcp.h"
#include "pxeha/dhcp_server.h"
#include "pxeha/lease.h"

#define A(a, b, c, d)	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			    (uint32_t)(c) << 8 | (uint32_t)(d))
#define SRV		A(198, 18, 60, 1)

static const char conf_text[] =
    "[dhcp]\n"
    "offer_hold = 30s\n"
    "decline_probation = 10m\n"
    "option.42 = ip:198.18.60.5\n"
    "option.224 = text:global\n"
    "[interface eth0]\n"
    "[interface eth1]\n"
    "[subnet a]\n"
    "network = 198.18.60.0/24\n"
    "interface = eth0\n"
    "pool = 198.18.60.100-198.18.60.103\n"
    "router = 198.18.60.1\n"
    "lease_time = 1h\n"
    "option.224 = text:subnet\n"
    "boot_file = boot/ipxe.efi\n"
    "[subnet far]\n"
    "network = 198.18.61.0/24\n"
    "pool = 198.18.61.10-198.18.61.20\n"
    "boot_file = far.efi\n"
    "next_server = 198.18.61.9\n"
    "[subnet other]\n"
    "network = 198.18.62.0/24\n"
    "pool = 198.18.62.10-198.18.62.20\n"
    "[host fixed]\n"
    "mac = 52:54:00:aa:00:01\n"
    "address = 198.18.60.10\n"
    "hostname = fixed\n"
    "option.224 = text:host\n"
    "[host byid]\n"
    "client_id = 01:02:03:04\n"
    "address = 198.18.60.11\n";

struct env {
	struct cfg		*cfg;
	struct lease_table	*t;
	struct dhcp_srv		*srv;
	struct dhcp_msg		 req, rep;
	struct dhcp_result	 res;
	uint8_t			 out[DHCP_MAX_LEN];
	int64_t			 now;
};

/* Request fields a test varies. */
struct rq {
	enum dhcp_type	 type;
	uint8_t		 mac;		/* last byte of 52:54:00:00:00:xx */
	uint32_t	 ciaddr, giaddr, requested, server_id;
	const char	*cid;		/* raw bytes, NULL: none */
	size_t		 cidlen;
	int		 bcast;
	const uint8_t	*rai;		/* option 82 value */
	size_t		 railen;
	const char	*vclass;	/* option 60 */
	int		 arch;		/* option 93 + 1; 0: none */
	const char	*uclass;	/* option 77 */
	int		 guid;		/* send option 97 (type 0, 16 x guid) */
	int		 iface;
	int		 bootsrv;	/* to port 4011, from ciaddr:4011 */
};

static const char *conf_cur = conf_text;

static int
setup(void **state)
{
	static struct env e;
	struct cfg_errors errs = { 0 };

	memset(&e, 0, sizeof(e));
	e.cfg = cfg_parse("t.ini", conf_cur, strlen(conf_cur), &errs);
	assert_non_null(e.cfg);
	assert_non_null(e.t = lease_table_new());
	assert_non_null(e.srv = dhcp_srv_new(e.cfg, e.t));
	e.now = 1700000000;
	*state = &e;
	return (0);
}

static int
teardown(void **state)
{
	struct env *e = *state;

	dhcp_srv_free(e->srv);
	lease_table_free(e->t);
	cfg_free(e->cfg);
	return (0);
}

/* Build, parse, handle; the reply (if any) is parsed into e->rep. */
static enum dhcp_type
ask(struct env *e, const struct rq *q)
{
	struct dhcp_msg hdr;
	struct dhcp_optset os;
	struct dhcp_ctx ctx;
	uint8_t buf[DHCP_MAX_LEN];
	int n;

	memset(&hdr, 0, sizeof(hdr));
	hdr.op = DHCP_BOOTREQUEST;
	hdr.htype = 1;
	hdr.hlen = 6;
	hdr.xid = 0x1000u + q->mac;
	hdr.flags = q->bcast ? DHCP_BROADCAST_FLAG : 0;
	hdr.ciaddr = q->ciaddr;
	hdr.giaddr = q->giaddr;
	memcpy(hdr.chaddr, "\x52\x54\x00\x00\x00", 5);
	hdr.chaddr[5] = q->mac;
	if (q->mac == 0xa1)		/* the reserved MAC 52:54:00:aa:00:01 */
		memcpy(hdr.chaddr, "\x52\x54\x00\xaa\x00\x01", 6);
	dhcp_optset_init(&os);
	assert_int_equal(dhcp_optset_add_u8(&os, DHO_MSG_TYPE,
	    (uint8_t)q->type), 0);
	if (q->requested)
		dhcp_optset_add_u32(&os, DHO_REQUESTED_ADDR, q->requested);
	if (q->server_id)
		dhcp_optset_add_u32(&os, DHO_SERVER_ID, q->server_id);
	if (q->cid != NULL)
		dhcp_optset_add(&os, DHO_CLIENT_ID, q->cid, q->cidlen);
	if (q->rai != NULL)
		dhcp_optset_add(&os, DHO_RELAY_INFO, q->rai, q->railen);
	if (q->vclass != NULL)
		dhcp_optset_add(&os, DHO_VENDOR_CLASS, q->vclass,
		    strlen(q->vclass));
	if (q->arch > 0) {
		uint8_t a[2] = { 0, (uint8_t)(q->arch - 1) };

		dhcp_optset_add(&os, DHO_CLIENT_ARCH, a, sizeof(a));
	}
	if (q->uclass != NULL)
		dhcp_optset_add(&os, DHO_USER_CLASS, q->uclass,
		    strlen(q->uclass));
	if (q->guid) {
		uint8_t g[17];

		memset(g, q->guid, sizeof(g));
		g[0] = 0;
		dhcp_optset_add(&os, DHO_CLIENT_UUID, g, sizeof(g));
	}
	n = dhcp_build_msg(&hdr, &os, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(dhcp_parse(buf, (size_t)n, &e->req), 0);
	memset(&ctx, 0, sizeof(ctx));
	ctx.msg = &e->req;
	ctx.now = e->now;
	ctx.iface = q->iface;
	ctx.local_addr = SRV;
	ctx.bootsrv = q->bootsrv;
	ctx.src_addr = q->ciaddr;
	ctx.src_port = 4011;
	assert_int_equal(dhcp_srv_handle(e->srv, &ctx, &e->res, e->out,
	    sizeof(e->out)), 0);
	if (e->res.dest == DHCP_DEST_NONE)
		return (DHCP_NONE);
	assert_int_equal(dhcp_parse(e->out, (size_t)e->res.len, &e->rep), 0);
	return (e->rep.type);
}

static uint32_t
opt32(const struct dhcp_msg *m, uint8_t code)
{
	uint32_t v = 0;

	assert_int_equal(dhcp_opt_u32(m, code, &v), 0);
	return (v);
}

static void
assert_opt_text(const struct dhcp_msg *m, uint8_t code, const char *s)
{
	size_t n;
	const uint8_t *p = dhcp_opt(m, code, &n);

	assert_non_null(p);
	assert_int_equal(n, strlen(s));
	assert_memory_equal(p, s, n);
}

/* DORA for client mac; returns the ACKed address. */
static uint32_t
dora(struct env *e, uint8_t mac)
{
	struct rq q = { .type = DHCPDISCOVER, .mac = mac, .iface = 0 };
	uint32_t a;

	assert_int_equal(ask(e, &q), DHCPOFFER);
	a = e->rep.yiaddr;
	q.type = DHCPREQUEST;
	q.requested = a;
	q.server_id = SRV;
	assert_int_equal(ask(e, &q), DHCPACK);
	assert_int_equal(e->rep.yiaddr, a);
	return (a);
}

static void
test_dhcp_server_dora_pool_and_options(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .mac = 1, .iface = 0 };

	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.yiaddr, A(198, 18, 60, 100));
	assert_int_equal(e->res.durable_seq, 0);	/* OFFER: no wait */
	assert_int_equal(opt32(&e->rep, DHO_SERVER_ID), SRV);
	assert_int_equal(opt32(&e->rep, DHO_LEASE_TIME), 3600);
	assert_int_equal(opt32(&e->rep, DHO_RENEWAL_TIME), 1800);
	assert_int_equal(opt32(&e->rep, DHO_REBINDING_TIME), 3150);
	assert_int_equal(opt32(&e->rep, DHO_SUBNET_MASK), 0xffffff00);
	assert_int_equal(opt32(&e->rep, DHO_ROUTERS), A(198, 18, 60, 1));
	assert_opt_text(&e->rep, 224, "subnet");	/* subnet beats global */
	assert_int_equal(opt32(&e->rep, 42), A(198, 18, 60, 5));
	assert_int_equal(e->res.dest, DHCP_DEST_YIADDR);
	q.type = DHCPREQUEST;
	q.requested = A(198, 18, 60, 100);
	q.server_id = SRV;
	assert_int_equal(ask(e, &q), DHCPACK);
	assert_true(e->res.durable_seq > 0);	/* ACK waits for the journal */
	assert_int_equal(e->res.nchanges, 1);
	assert_int_equal(e->res.changes[0].state, LEASE_ACTIVE);
	assert_int_equal(e->res.changes[0].expires, e->now + 3600);
}

static void
test_dhcp_server_offer_hold_then_expiry(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .iface = 0 };
	uint32_t first;

	q.mac = 1;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	first = e->rep.yiaddr;
	q.mac = 2;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_not_equal(e->rep.yiaddr, first);	/* held for mac 1 */
	/* Same client again: same address. */
	q.mac = 1;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.yiaddr, first);
	/* After the hold, another client may ask for it. */
	e->now += 31;
	q.mac = 3;
	q.requested = first;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.yiaddr, first);
}

static void
test_dhcp_server_pool_exhaustion_drops(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .iface = 0 };
	uint8_t i;

	for (i = 1; i <= 4; i++) {
		q.mac = i;
		assert_int_equal(ask(e, &q), DHCPOFFER);
	}
	q.mac = 5;
	assert_int_equal(ask(e, &q), DHCP_NONE);
	assert_int_equal(e->res.drop, DHCP_DROP_NO_ADDRESS);
}

static void
test_dhcp_server_selecting_other_server_frees_offer(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .mac = 1, .iface = 0 };
	uint32_t a;

	assert_int_equal(ask(e, &q), DHCPOFFER);
	a = e->rep.yiaddr;
	q.type = DHCPREQUEST;
	q.requested = a;
	q.server_id = A(198, 18, 60, 2);	/* chose someone else */
	assert_int_equal(ask(e, &q), DHCP_NONE);
	assert_int_equal(e->res.drop, DHCP_DROP_NOT_FOR_US);
	q.type = DHCPDISCOVER;
	q.mac = 2;
	q.requested = a;
	q.server_id = 0;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.yiaddr, a);
}

static void
test_dhcp_server_init_reboot_rules(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPREQUEST, .mac = 1, .iface = 0 };
	uint32_t a = dora(e, 1);

	q.requested = A(198, 18, 62, 15);	/* wrong network */
	assert_int_equal(ask(e, &q), DHCPNAK);
	assert_int_equal(e->res.dest, DHCP_DEST_BROADCAST);
	assert_int_equal(e->rep.yiaddr, 0);
	q.requested = a;			/* its own: ACK */
	assert_int_equal(ask(e, &q), DHCPACK);
	q.mac = 2;				/* someone else's: NAK */
	assert_int_equal(ask(e, &q), DHCPNAK);
	q.requested = A(198, 18, 60, 103);	/* no record: NAK */
	assert_int_equal(ask(e, &q), DHCPNAK);
}

static void
test_dhcp_server_renewing_unicast_extends(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPREQUEST, .mac = 1, .iface = 0 };
	uint32_t a = dora(e, 1);

	e->now += 1800;
	q.ciaddr = a;
	assert_int_equal(ask(e, &q), DHCPACK);
	assert_int_equal(e->res.dest, DHCP_DEST_CIADDR);
	assert_int_equal(e->res.dst_addr, a);
	assert_int_equal(e->res.changes[0].expires, e->now + 3600);
	q.mac = 2;				/* not its lease */
	assert_int_equal(ask(e, &q), DHCPNAK);
}

static void
test_dhcp_server_decline_quarantine(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDECLINE, .mac = 1, .iface = 0 };
	uint32_t a = dora(e, 1);
	uint8_t i;

	q.requested = a;
	q.server_id = SRV;
	assert_int_equal(ask(e, &q), DHCP_NONE);
	assert_int_equal(e->res.drop, DHCP_DROP_NONE);
	assert_true(e->res.durable_seq > 0);
	assert_int_equal(lease_table_find_addr(e->t, a)->state, LEASE_DECLINED);
	/* During probation nobody gets it, not even when asking for it. */
	memset(&q, 0, sizeof(q));
	q.type = DHCPDISCOVER;
	for (i = 2; i <= 4; i++) {
		q.mac = i;
		q.requested = a;
		assert_int_equal(ask(e, &q), DHCPOFFER);
		assert_int_not_equal(e->rep.yiaddr, a);
	}
	q.mac = 5;
	assert_int_equal(ask(e, &q), DHCP_NONE);	/* 3 left, all held */
	e->now += 601;
	q.mac = 5;
	q.requested = a;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.yiaddr, a);
}

static void
test_dhcp_server_release(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPRELEASE, .mac = 1, .iface = 0 };
	uint32_t a = dora(e, 1);

	q.ciaddr = a;
	q.server_id = SRV;
	assert_int_equal(ask(e, &q), DHCP_NONE);
	assert_int_equal(lease_table_find_addr(e->t, a)->state, LEASE_RELEASED);
	q.ciaddr = dora(e, 2);
	q.mac = 3;				/* a stranger cannot release */
	assert_int_equal(ask(e, &q), DHCP_NONE);
	assert_int_equal(e->res.drop, DHCP_DROP_UNKNOWN_LEASE);
	assert_int_equal(lease_table_find_addr(e->t, q.ciaddr)->state,
	    LEASE_ACTIVE);
}

static void
test_dhcp_server_reservations(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .mac = 0xa1, .iface = 0 };

	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.yiaddr, A(198, 18, 60, 10));
	assert_opt_text(&e->rep, DHO_HOST_NAME, "fixed");
	assert_opt_text(&e->rep, 224, "host");		/* host beats subnet */
	q.mac = 7;
	q.cid = "\x01\x02\x03\x04";
	q.cidlen = 4;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.yiaddr, A(198, 18, 60, 11));
	/* A reserved address is never offered to others. */
	q.cid = NULL;
	q.requested = A(198, 18, 60, 10);
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_not_equal(e->rep.yiaddr, A(198, 18, 60, 10));
	/* INIT-REBOOT of a reserved client needs no prior lease. */
	memset(&q, 0, sizeof(q));
	q.type = DHCPREQUEST;
	q.mac = 0xa1;
	q.requested = A(198, 18, 60, 10);
	assert_int_equal(ask(e, &q), DHCPACK);
}

/* [subnet] boot_file/next_server fill the BOOTP file and siaddr. */
static void
test_dhcp_server_boot_file_and_next_server(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .mac = 1, .iface = 0 };

	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.siaddr, SRV);	/* default: ourselves */
	assert_string_equal((const char *)e->rep.file, "boot/ipxe.efi");
	q.type = DHCPREQUEST;
	q.requested = A(198, 18, 60, 100);
	q.server_id = SRV;
	assert_int_equal(ask(e, &q), DHCPACK);
	assert_int_equal(e->rep.siaddr, SRV);
	assert_string_equal((const char *)e->rep.file, "boot/ipxe.efi");

	q = (struct rq){ .type = DHCPDISCOVER, .mac = 2, .iface = -1,
	    .giaddr = A(198, 18, 61, 1) };
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.siaddr, A(198, 18, 61, 9));
	assert_string_equal((const char *)e->rep.file, "far.efi");

	/* No boot_file: both stay zero. */
	q = (struct rq){ .type = DHCPDISCOVER, .mac = 3, .iface = -1,
	    .giaddr = A(198, 18, 62, 1) };
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.siaddr, 0);
	assert_int_equal(e->rep.file[0], 0);
}

#define PXE_SUBNET \
    "[pxe]\n" \
    "mode = dhcp\n" \
    "[interface eth0]\n" \
    "[subnet a]\n" \
    "network = 198.18.60.0/24\n" \
    "interface = eth0\n" \
    "pool = 198.18.60.100-198.18.60.109\n" \
    "boot_file = plain.bin\n"
#define PXE_RULES \
    "[boot script]\n" \
    "arch = bios, efi-x64\n" \
    "client = ipxe\n" \
    "file = http://198.18.60.1/boot.ipxe\n" \
    "[boot bios]\n" \
    "arch = bios\n" \
    "file = undionly.kpxe\n" \
    "[boot uefi]\n" \
    "arch = efi-x64\n" \
    "file = ipxe.efi\n" \
    "next_server = 198.18.60.7\n" \
    "[boot http]\n" \
    "arch = http-x64\n" \
    "file = http://198.18.60.1/ipxe.efi\n"

static const char pxe_conf[] = PXE_SUBNET PXE_RULES;
/* The same, answering PXE only for reserved clients (WDS "known"). */
static const char pxe_known_conf[] = PXE_SUBNET "pxe_answer = known\n"
    PXE_RULES "[host known]\nmac = 52:54:00:aa:00:01\n"
    "[host staged]\nguid = 5b5b5b5b-5b5b-5b5b-5b5b-5b5b5b5b5b5b\n";

static int
setup_pxe(void **state)
{
	conf_cur = pxe_conf;
	setup(state);
	conf_cur = conf_text;
	return (0);
}

static int
setup_pxe_known(void **state)
{
	conf_cur = pxe_known_conf;
	setup(state);
	conf_cur = conf_text;
	return (0);
}

/* Two subnets, one of them beyond a router, and a rule for that one. */
static const char pxe_far_conf[] = PXE_SUBNET
    "[subnet b]\nnetwork = 198.18.61.0/24\n"
    "[boot far]\narch = efi-x64\nsubnet = b\nfile = far.efi\n" PXE_RULES;

static int
setup_pxe_far(void **state)
{
	conf_cur = pxe_far_conf;
	setup(state);
	conf_cur = conf_text;
	return (0);
}

/* Port 4011: the file for the subnet of the client's own address (it may
 * be routed from another subnet), sent back to where it came from. */
static void
test_dhcp_server_pxe_boot_server_port(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPREQUEST, .mac = 3, .iface = 0,
	    .vclass = "PXEClient:Arch:00007:UNDI:003000", .arch = 7 + 1,
	    .ciaddr = 0xc6123d14, .bootsrv = 1 };	/* 198.18.61.20 */

	assert_int_equal(ask(e, &q), DHCPACK);
	assert_string_equal((const char *)e->rep.file, "far.efi");
	assert_int_equal(e->res.dest, DHCP_DEST_SOURCE);
	assert_int_equal(e->res.dst_addr, 0xc6123d14);
	assert_int_equal(e->res.dst_port, 4011);
	assert_int_equal(e->rep.ciaddr, 0xc6123d14);
	assert_int_equal(e->rep.yiaddr, 0);
	/* No lease was touched. */
	assert_int_equal(e->res.nchanges, 0);
	/* On the arrival interface's own subnet: that subnet's rule. */
	q.ciaddr = 0xc6123c14;				/* 198.18.60.20 */
	assert_int_equal(ask(e, &q), DHCPACK);
	assert_string_equal((const char *)e->rep.file, "ipxe.efi");
	/* A DISCOVER to 4011, or a client that is not a boot client: no. */
	q.type = DHCPDISCOVER;
	assert_int_equal(ask(e, &q), DHCP_NONE);
	q.type = DHCPREQUEST;
	q.vclass = NULL;
	q.arch = 0;
	assert_int_equal(ask(e, &q), DHCP_NONE);
	assert_int_equal(e->res.drop, DHCP_DROP_NO_BOOT);
}

static void
test_dhcp_server_pxe_known_only_and_guid(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .mac = 1, .iface = 0,
	    .vclass = "PXEClient:Arch:00007:UNDI:003000", .arch = 7 + 1,
	    .guid = 0x5a };
	uint8_t want[17];
	const uint8_t *p;
	size_t n;

	/* Not reserved: an address, but no boot file at all (not even the
	 * subnet's), no 60. */
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_string_equal((const char *)e->rep.file, "");
	assert_null(dhcp_opt(&e->rep, DHO_VENDOR_CLASS, &n));
	/* Reserved: the rule, and its GUID echoed. */
	q.mac = 0xa1;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_string_equal((const char *)e->rep.file, "ipxe.efi");
	memset(want, 0x5a, sizeof(want));
	want[0] = 0;
	p = dhcp_opt(&e->rep, DHO_CLIENT_UUID, &n);
	assert_non_null(p);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(p, want, n);
	/* Prestaged by GUID (option 97), unknown MAC: known too. */
	q.mac = 2;
	q.guid = 0x5b;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_string_equal((const char *)e->rep.file, "ipxe.efi");
	/* Without option 97 the same machine is a stranger. */
	q.guid = 0;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_string_equal((const char *)e->rep.file, "");
	/* A client that is not a PXE client keeps the subnet's file. */
	q.vclass = NULL;
	q.arch = 0;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_string_equal((const char *)e->rep.file, "plain.bin");
}

/* [pxe] mode = dhcp: boot rules fill the offer for PXE clients only. */
static void
test_dhcp_server_pxe_rules_in_offers(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .mac = 1, .iface = 0,
	    .vclass = "PXEClient:Arch:00000:UNDI:002001", .arch = 0 + 1 };
	size_t n;
	const uint8_t *p;

	/* BIOS firmware: undionly.kpxe from us, 60 back, 43 = 6:8. */
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_string_equal((const char *)e->rep.file, "undionly.kpxe");
	assert_int_equal(e->rep.siaddr, SRV);
	assert_opt_text(&e->rep, DHO_VENDOR_CLASS, "PXEClient");
	assert_opt_text(&e->rep, DHO_BOOTFILE, "undionly.kpxe");
	p = dhcp_opt(&e->rep, DHO_VENDOR_OPTS, &n);
	assert_non_null(p);
	assert_int_equal(n, 4);
	assert_memory_equal(p, "\x06\x01\x08\xff", 4);

	/* The same machine once iPXE runs: the script, no 43. */
	q.uclass = "iPXE";
	q.mac = 2;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_string_equal((const char *)e->rep.file,
	    "http://198.18.60.1/boot.ipxe");
	assert_null(dhcp_opt(&e->rep, DHO_VENDOR_OPTS, &n));

	/* UEFI x64: ipxe.efi from the rule's next server, no 43. */
	q = (struct rq){ .type = DHCPDISCOVER, .mac = 3, .iface = 0,
	    .vclass = "PXEClient:Arch:00007:UNDI:003000", .arch = 7 + 1 };
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_string_equal((const char *)e->rep.file, "ipxe.efi");
	assert_int_equal(e->rep.siaddr, A(198, 18, 60, 7));
	assert_null(dhcp_opt(&e->rep, DHO_VENDOR_OPTS, &n));

	/* UEFI HTTP boot: a URL and 60 = HTTPClient. */
	q = (struct rq){ .type = DHCPDISCOVER, .mac = 4, .iface = 0,
	    .vclass = "HTTPClient:Arch:00016:UNDI:003000", .arch = 16 + 1 };
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_string_equal((const char *)e->rep.file,
	    "http://198.18.60.1/ipxe.efi");
	assert_opt_text(&e->rep, DHO_VENDOR_CLASS, "HTTPClient");

	/* Not a PXE client: the subnet's plain boot_file, no 60. */
	q = (struct rq){ .type = DHCPDISCOVER, .mac = 5, .iface = 0 };
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_string_equal((const char *)e->rep.file, "plain.bin");
	assert_null(dhcp_opt(&e->rep, DHO_VENDOR_CLASS, &n));
}

static void
test_dhcp_server_relay_subnet_and_echo(void **state)
{
	struct env *e = *state;
	static const uint8_t rai[] = { 1, 3, 'p', 'o', 'e', 2, 2, 0xbe, 0xef };
	static const uint8_t link[] = { 1, 1, 'x', 5, 4, 198, 18, 62, 0,
	    11, 4, 198, 18, 61, 1 };
	struct rq q = { .type = DHCPDISCOVER, .mac = 1, .iface = -1 };
	const uint8_t *p;
	size_t n;

	q.giaddr = A(198, 18, 61, 1);
	q.rai = rai;
	q.railen = sizeof(rai);
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.yiaddr, A(198, 18, 61, 10));
	assert_int_equal(e->res.dest, DHCP_DEST_RELAY);
	assert_int_equal(e->res.dst_addr, A(198, 18, 61, 1));
	assert_int_equal(e->res.dst_port, 67);
	p = dhcp_opt(&e->rep, DHO_RELAY_INFO, &n);
	assert_non_null(p);
	assert_int_equal(n, sizeof(rai));
	assert_memory_equal(p, rai, n);
	/* Link selection beats giaddr; server-id override is named. */
	q.rai = link;
	q.railen = sizeof(link);
	q.mac = 2;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.yiaddr & 0xffffff00u, A(198, 18, 62, 0));
	assert_int_equal(opt32(&e->rep, DHO_SERVER_ID), A(198, 18, 61, 1));
	/* A giaddr in no subnet: dropped. */
	q.rai = NULL;
	q.giaddr = A(198, 19, 1, 1);
	assert_int_equal(ask(e, &q), DHCP_NONE);
	assert_int_equal(e->res.drop, DHCP_DROP_NO_SUBNET);
}

static void
test_dhcp_server_no_subnet_on_interface(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .mac = 1, .iface = 1 };

	assert_int_equal(ask(e, &q), DHCP_NONE);	/* eth1 has none */
	assert_int_equal(e->res.drop, DHCP_DROP_NO_SUBNET);
}

static void
test_dhcp_server_broadcast_flag_and_inform(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .mac = 1, .bcast = 1 };

	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->res.dest, DHCP_DEST_BROADCAST);
	memset(&q, 0, sizeof(q));
	q.type = DHCPINFORM;
	q.mac = 9;
	q.ciaddr = A(198, 18, 60, 50);
	assert_int_equal(ask(e, &q), DHCPACK);
	assert_int_equal(e->rep.yiaddr, 0);
	assert_false(dhcp_has_opt(&e->rep, DHO_LEASE_TIME));
	assert_int_equal(e->res.dest, DHCP_DEST_CIADDR);
	assert_null(lease_table_find_addr(e->t, A(198, 18, 60, 50)));
}

static void
test_dhcp_server_one_client_one_lease(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPREQUEST, .mac = 1, .server_id = SRV };
	uint32_t a = dora(e, 1);

	/* Asking for another free address moves the client there. */
	q.requested = A(198, 18, 60, 103);
	assert_int_equal(ask(e, &q), DHCPACK);
	assert_int_equal(e->res.nchanges, 2);
	assert_int_equal(e->res.changes[0].addr, a);
	assert_int_equal(e->res.changes[0].state, LEASE_EXPIRED);
	assert_int_equal(e->res.changes[1].state, LEASE_ACTIVE);
	assert_true(e->res.durable_seq >= e->res.changes[0].seq);
	assert_int_equal(lease_table_find_addr(e->t, a)->state, LEASE_EXPIRED);
	/* The old address is free again for someone else. */
	memset(&q, 0, sizeof(q));
	q.type = DHCPDISCOVER;
	q.mac = 2;
	q.requested = a;
	assert_int_equal(ask(e, &q), DHCPOFFER);
	assert_int_equal(e->rep.yiaddr, a);
}

static void
test_dhcp_server_bad_client_id(void **state)
{
	struct env *e = *state;
	struct rq q = { .type = DHCPDISCOVER, .mac = 1, .cid = "\x01",
	    .cidlen = 1 };

	assert_int_equal(ask(e, &q), DHCP_NONE);
	assert_int_equal(e->res.drop, DHCP_DROP_BAD_CLIENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_dhcp_server_dora_pool_and_options),
		T(test_dhcp_server_offer_hold_then_expiry),
		T(test_dhcp_server_pool_exhaustion_drops),
		T(test_dhcp_server_selecting_other_server_frees_offer),
		T(test_dhcp_server_init_reboot_rules),
		T(test_dhcp_server_renewing_unicast_extends),
		T(test_dhcp_server_decline_quarantine),
		T(test_dhcp_server_release),
		T(test_dhcp_server_reservations),
		T(test_dhcp_server_relay_subnet_and_echo),
		T(test_dhcp_server_boot_file_and_next_server),
		cmocka_unit_test_setup_teardown(
		    test_dhcp_server_pxe_rules_in_offers, setup_pxe, teardown),
		cmocka_unit_test_setup_teardown(
		    test_dhcp_server_pxe_known_only_and_guid, setup_pxe_known,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_dhcp_server_pxe_boot_server_port, setup_pxe_far,
		    teardown),
		T(test_dhcp_server_no_subnet_on_interface),
		T(test_dhcp_server_broadcast_flag_and_inform),
		T(test_dhcp_server_one_client_one_lease),
		T(test_dhcp_server_bad_client_id),
	};

	return (cmocka_run_group_tests_name("dhcp_server", tests, NULL, NULL));
}
