#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/config.h"

static struct cfg *
parse(const char *text, struct cfg_errors *e)
{
	memset(e, 0, sizeof(*e));
	return (cfg_parse("t.ini", text, strlen(text), e));
}

static void
expect_error(const char *text, const char *msg)
{
	struct cfg_errors e;
	struct cfg *c = parse(text, &e);
	size_t i;
	int found = 0;

	for (i = 0; i < e.n; i++)
		if (strcmp(e.msg[i], msg) == 0)
			found = 1;
	if (!found) {
		fprintf(stderr, "wanted: %s\ngot %zu:\n", msg, e.n);
		for (i = 0; i < e.n; i++)
			fprintf(stderr, "  %s\n", e.msg[i]);
	}
	assert_null(c);
	assert_true(found);
	cfg_errors_fini(&e);
}

static void
test_config_empty_gives_defaults(void **state)
{
	struct cfg_errors e;
	struct cfg *c = parse("", &e);

	(void)state;
	assert_non_null(c);
	assert_int_equal(e.n, 0);
	assert_string_equal(c->ctl.host, "127.0.0.1");
	assert_int_equal(c->ctl.port, 8067);
	assert_int_equal(c->node.log_level, 6);		/* LOG_INFO */
	assert_int_equal(c->tftp.port, 69);
	assert_string_equal(c->ctl.token_file + strlen(c->ctl.token_file) - 10,
	    "/ctl.token");
	cfg_free(c);
}

static const char full[] =
    "; a comment\n"
    "# another\n"
    "[node]\n"
    "name = pxe-a\n"
    "state_dir = /var/lib/pxeha-a\n"
    "log_level = debug\n"
    "\n"
    "[ctl]\n"
    "  listen = 127.0.0.1:9000   ; inline comment\n"
    "  token_file = /etc/pxeha/token\n"
    "[interface eth1]\n"
    "dhcp = yes\n"
    "address = 198.18.10.1\n"
    "[subnet lab]\n"
    "network = 198.18.10.0/24\n"
    "interface = eth1\n"
    "pool = 198.18.10.100-198.18.10.149, 198.18.10.150-198.18.10.199\n"
    "exclude = 198.18.10.120\n"
    "router = 198.18.10.1\n"
    "dns = 198.18.10.1, 198.18.10.2\n"
    "domain = lab.example\n"
    "lease_time = 8h\n"
    "[subnet far]\n"
    "network = 198.19.20.0/24\n"
    "pool = 198.19.20.10-198.19.20.20\n"
    "[tftp]\n"
    "enable = yes\n"
    "root = /srv/boot\n"
    "max_blksize = 8K\n"
    "[pxe]\n"
    "mode = proxy\n"
    "[boot uefi]\n"
    "arch = efi-x64, http-x64\n"
    "file = ipxe.efi\n"
    "[peer d]\n"
    "address = 198.18.10.4:6767\n"
    "role = standby\n"
    "[dhcp]\n"
    "offer_hold = 1m\n"
    "option.42 = ip:198.18.10.1, 198.18.10.2\n"
    "[host pc1]\n"
    "mac = 52:54:00:12:34:56\n"
    "address = 198.18.10.50\n"
    "hostname = pc1\n"
    "option.252 = text:\\Boot\\x64\\default.bcd\n"
    "[host pc2]\n"
    "client_id = 01:52:54:00:12:34:57\n"
    "address = 198.18.10.51\n";

static void
test_config_full_file_parses(void **state)
{
	struct cfg_errors e;
	struct cfg *c = parse(full, &e);

	(void)state;
	if (c == NULL)
		for (size_t i = 0; i < e.n; i++)
			fprintf(stderr, "%s\n", e.msg[i]);
	assert_non_null(c);
	assert_string_equal(c->node.name, "pxe-a");
	assert_int_equal(c->node.log_level, 7);
	assert_int_equal(c->ctl.port, 9000);
	assert_string_equal(c->ctl.token_file, "/etc/pxeha/token");
	assert_int_equal(c->nifaces, 1);
	assert_int_equal(c->ifaces[0].address, 0xc6120a01);
	assert_int_equal(c->nsubnets, 2);
	assert_int_equal(c->subnets[0].npools, 2);
	assert_int_equal(c->subnets[0].netmask, 0xffffff00);
	assert_int_equal(c->subnets[0].lease_time, 8 * 3600);
	assert_int_equal(c->subnets[0].renew_time, 4 * 3600);
	assert_int_equal(c->subnets[0].rebind_time, 7 * 3600);
	assert_int_equal(c->subnets[0].ndns, 2);
	assert_string_equal(c->subnets[0].domain, "lab.example");
	assert_string_equal(c->subnets[1].iface, "");
	assert_int_equal(c->tftp.max_blksize, 8192);
	assert_int_equal(c->pxe.mode, CFG_PXE_PROXY);
	assert_int_equal(c->boots[0].arch_mask,
	    1u << CFG_ARCH_EFI_X64 | 1u << CFG_ARCH_HTTP_X64);
	assert_int_equal(c->peers[0].role, CFG_PEER_STANDBY);
	assert_int_equal(c->peers[0].port, 6767);
	assert_int_equal(c->dhcp.offer_hold, 60);
	assert_int_equal(c->dhcp.authoritative, 1);
	assert_int_equal(c->dhcp.nopts, 1);
	assert_int_equal(c->dhcp.opts[0].code, 42);
	assert_int_equal(c->dhcp.opts[0].len, 8);
	assert_int_equal(c->nhosts, 2);
	assert_true(c->hosts[0].has_mac);
	assert_int_equal(c->hosts[0].mac[5], 0x56);
	assert_string_equal(c->hosts[0].hostname, "pc1");
	assert_int_equal(c->hosts[0].opts[0].code, 252);
	assert_memory_equal(c->hosts[0].opts[0].data, "\\Boot\\x64\\default.bcd", 22);
	assert_int_equal(c->hosts[1].cidlen, 7);
	assert_int_equal(c->hosts[1].address, 0xc6120a33);
	cfg_free(c);
	cfg_errors_fini(&e);
}

/* Each broken config and the exact message it must produce. */
static const struct {
	const char	*text;
	const char	*msg;
} broken[] = {
	{ "[nod]\nname = a\n",
	  "t.ini:1: [nod]: unknown section (known: node, ctl, dhcp, "
	  "interface, subnet, host, tftp, pxe, http, boot, peer)" },
	{ "[http]\nenable = yes\n",
	  "t.ini:1: [http]: enable = yes needs root (or a [tftp] root to "
	  "share)" },
	{ "[pxe]\nprompt_timeout = 255\n",
	  "t.ini:2: [pxe] prompt_timeout: \"255\": duration out of range" },
	{ "[boot b]\narch = bios\nfile = x\nscript = "
	  "http://{server}/{server}/{server}/{server}/{server}/{server}/"
	  "{server}/{server}/{server}/{server}/{server}/x.ipxe\n",
	  "t.ini:4: [boot b] script: longer than the 127 bytes the BOOTP "
	  "file field holds (a {server} counts 15)" },
	{ "[host h]\naddress = 198.18.10.5\n",
	  "t.ini:1: [host h] mac: a host needs mac, client_id or guid" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\n[host h]\nmac = 52:54:00:00:00:01\n"
	  "address = 198.18.11.5\n",
	  "t.ini:5: [host h] address: 198.18.11.5 is not inside any [subnet]" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\n[host h]\nmac = 52:54:00:00:00:01\n"
	  "[host i]\nmac = 52:54:00:00:00:01\n",
	  "t.ini:6: [host i] mac: same as [host h] (line 4)" },
	{ "[host h]\nmac = 52:54:00:00:00\n",
	  "t.ini:2: [host h] mac: \"52:54:00:00:00\": not a MAC address (use "
	  "aa:bb:cc:dd:ee:ff)" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\noption.51 = u32:60\n",
	  "t.ini:3: [subnet a] option.51: set by pxeha itself (use lease_time)" },
	{ "[dhcp]\noption.43 = hex:01:0\n",
	  "t.ini:2: [dhcp] option.43: \"hex:01:0\": not hex bytes (use e.g. "
	  "01:a0:ff)" },
	{ "[dhcp]\noption.43 = hex:01\noption.43 = hex:02\n",
	  "t.ini:3: [dhcp] option.43: duplicate key (first set on line 2)" },
	{ "[dhcp]\noption.300 = text:a\n",
	  "t.ini:2: [dhcp] option.300: option code must be 1 to 254" },
	{ "[dhcp]\noption.66 = string:a\n",
	  "t.ini:2: [dhcp] option.66: \"string:a\": unknown type (use text:, "
	  "hex:, ip:, u8:, u16:, u32: or bool:)" },
	{ "[node]\noption.66 = text:a\n", "t.ini:2: [node] option.66: unknown key" },
	{ "[node]\nnmae = a\n", "t.ini:2: [node] nmae: unknown key" },
	{ "[node]\nname = a\nname = b\n",
	  "t.ini:3: [node] name: duplicate key (first set on line 2)" },
	{ "[node]\n[node]\n", "t.ini:2: [node]: duplicate section (first on "
	  "line 1)" },
	{ "name = a\n", "t.ini:1: name: key outside of any section" },
	{ "[ctl]\nlisten = 127.0.0.1:0\n",
	  "t.ini:2: [ctl] listen: \"127.0.0.1:0\": port must be 1 to 65535" },
	{ "[ctl]\nlisten = localhost:8067\n",
	  "t.ini:2: [ctl] listen: \"localhost:8067\": not an IPv4 address "
	  "(names are not resolved)" },
	{ "[subnet a]\nnetwork = 198.18.10.1/24\n",
	  "t.ini:2: [subnet a] network: \"198.18.10.1/24\": host bits are set "
	  "(write the network address)" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\n"
	  "pool = 198.18.11.10-198.18.11.20\n",
	  "t.ini:3: [subnet a] pool: 198.18.11.10-198.18.11.20 is not inside "
	  "the subnet's network" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\n"
	  "pool = 198.18.10.10-198.18.10.20, 198.18.10.15-198.18.10.30\n",
	  "t.ini:3: [subnet a] pool: 198.18.10.15-198.18.10.30 overlaps "
	  "another range of this list" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\n"
	  "[subnet b]\nnetwork = 198.18.10.128/25\n",
	  "t.ini:4: [subnet b] network: overlaps [subnet a] (line 2)" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\nlease_time = 12 h\n",
	  "t.ini:3: [subnet a] lease_time: \"12 h\": not a duration (use e.g. "
	  "90s, 10m, 12h or 7d)" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\nlease_time = 1h\n"
	  "renew_time = 2h\n",
	  "t.ini:4: [subnet a] renew_time: must be shorter than rebind_time "
	  "(3150s)" },
	{ "[subnet a]\npool = 198.18.10.10\n",
	  "t.ini:1: [subnet a] network: required key is missing" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\ninterface = eth9\n",
	  "t.ini:3: [subnet a] interface: no [interface eth9] section "
	  "declares it" },
	{ "[tftp]\nenable = maybe\n",
	  "t.ini:2: [tftp] enable: \"maybe\": not a boolean (use yes or no)" },
	{ "[tftp]\nenable = yes\n",
	  "t.ini:1: [tftp] root: required key is missing" },
	{ "[tftp]\nmax_blksize = 64M\n",
	  "t.ini:2: [tftp] max_blksize: \"64M\": size out of range" },
	{ "[tftp]\nroot = srv/boot\n",
	  "t.ini:2: [tftp] root: \"srv/boot\": not an absolute path" },
	{ "[pxe]\nmode = sometimes\n",
	  "t.ini:2: [pxe] mode: \"sometimes\": not one of the allowed values" },
	{ "[boot x]\narch = amiga\nfile = a\n",
	  "t.ini:2: [boot x] arch: \"amiga\": unknown architecture (known: "
	  "bios, efi-ia32, efi-x64, efi-arm32, efi-arm64, http-x64, "
	  "http-arm64, http-ia32, http-arm32)" },
	{ "[subnet]\n", "t.ini:1: [subnet]: needs a name: [subnet NAME]" },
	{ "[node extra]\n", "t.ini:1: [node extra]: takes no name: [node]" },
	{ "[node\n", "t.ini:1: malformed section header (expected [name] or "
	  "[kind NAME])" },
	{ "[node]\njust words\n", "t.ini:2: [node]: expected \"key = value\"" },
	{ "[node]\nname =\n", "t.ini:2: [node] name: \"\": empty value" },
	{ "[interface averyveryverylongname]\n",
	  "t.ini:1: [interface averyveryverylongname]: name is empty or too "
	  "long" },
	{ "[peer d]\naddress = 198.18.10.4:6767\n",
	  "t.ini:1: [peer d] role: required key is missing" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\nrouter = 198.18.99.1\n",
	  "t.ini:3: [subnet a] router: 198.18.99.1 is not inside the subnet's "
	  "network" },
	{ "[subnet a]\nnetwork = 198.18.10.0/24\npool = 198.18.10.0-198.18.10.9\n",
	  "t.ini:3: [subnet a] pool: 198.18.10.0-198.18.10.9 includes the "
	  "network or broadcast address" },
};

static void
test_config_broken_each_message(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++)
		expect_error(broken[i].text, broken[i].msg);
}

static void
test_config_reports_every_error_in_line_order(void **state)
{
	const char *text =
	    "[node]\n"
	    "log_level = loud\n"
	    "[ctl]\n"
	    "listen = 1.2.3.4:99999\n"
	    "[bogus]\n"
	    "key = ignored because the section is bad\n"
	    "[subnet s]\n"
	    "network = 198.18.10.0/24\n"
	    "pool = 198.18.20.1-198.18.20.5\n";
	struct cfg_errors e;
	struct cfg *c = parse(text, &e);

	(void)state;
	assert_null(c);
	assert_int_equal(e.n, 4);
	assert_non_null(strstr(e.msg[0], "t.ini:2:"));
	assert_non_null(strstr(e.msg[1], "t.ini:4:"));
	assert_non_null(strstr(e.msg[2], "t.ini:5:"));
	assert_non_null(strstr(e.msg[3], "t.ini:9:"));
	cfg_errors_fini(&e);
}

static void
test_config_long_line_and_nul(void **state)
{
	char text[400];
	struct cfg_errors e;
	struct cfg *c;

	(void)state;
	memset(text, 'x', sizeof(text));
	memcpy(text, "[node]\nname = ", 14);
	text[sizeof(text) - 1] = '\n';
	memset(&e, 0, sizeof(e));
	c = cfg_parse("t.ini", text, sizeof(text), &e);
	assert_null(c);
	assert_string_equal(e.msg[0], "t.ini:2: line longer than 199 characters");
	cfg_errors_fini(&e);

	memset(&e, 0, sizeof(e));
	c = cfg_parse("t.ini", "[node]\nna\0me = a\n", 17, &e);
	assert_null(c);
	assert_string_equal(e.msg[0], "t.ini:2: NUL byte in line");
	cfg_errors_fini(&e);
}

static void
test_config_crlf_and_indent(void **state)
{
	struct cfg_errors e;
	struct cfg *c = parse("[node]\r\n    name = a\r\n\tstate_dir = /x\r\n",
	    &e);

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->node.name, "a");
	assert_string_equal(c->node.state_dir, "/x");
	cfg_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_empty_gives_defaults),
		cmocka_unit_test(test_config_full_file_parses),
		cmocka_unit_test(test_config_broken_each_message),
		cmocka_unit_test(test_config_reports_every_error_in_line_order),
		cmocka_unit_test(test_config_long_line_and_nul),
		cmocka_unit_test(test_config_crlf_and_indent),
	};

	return (cmocka_run_group_tests_name("config", tests, NULL, NULL));
}
