/*
 * PXE answers (pxe_answer, pxe_opt43_menu, pxe_expand): what each kind of
 * client is told in each phase (our DHCP reply, a proxy offer, the 4011
 * boot server ACK) under each answer policy.  Configs are real INI text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/config.h"
#include "pxeha/dhcp.h"
#include "pxeha/pxe.h"

#define SRV	0xc6125001u	/* 198.18.80.1 */

static const char conf_text[] =
    "[pxe]\n"
    "prompt = Press F8 for the network\n"
    "prompt_timeout = 7\n"
    "[interface eth0]\n"
    "[subnet all]\n"
    "network = 198.18.80.0/24\n"
    "interface = eth0\n"
    "[subnet known]\n"
    "network = 198.18.81.0/24\n"
    "pxe_answer = known\n"
    "[subnet prompt]\n"
    "network = 198.18.82.0/24\n"
    "pxe_answer = prompt\n"
    "[boot bios]\n"
    "arch = bios\n"
    "file = undionly.kpxe\n"
    "script = http://{server}:8080/boot.ipxe\n"
    "[boot uefi]\n"
    "arch = efi-x64\n"
    "file = \\Boot\\x64\\bootmgfw.efi\n"
    "bcd = \\Boot\\x64\\default.bcd\n"
    "next_server = 198.18.80.9\n"
    "[boot http]\n"
    "arch = http-x64\n"
    "file = http://{server}/ipxe.efi\n";

static struct cfg *cfg;

static int
setup(void **state)
{
	struct cfg_errors errs = { 0 };
	size_t i;

	(void)state;
	cfg = cfg_parse("t.ini", conf_text, strlen(conf_text), &errs);
	for (i = 0; i < errs.n; i++)
		print_message("%s\n", errs.msg[i]);
	cfg_errors_fini(&errs);
	return (cfg == NULL);
}

static int
teardown(void **state)
{
	(void)state;
	cfg_free(cfg);
	return (0);
}

static const struct cfg_subnet *
subnet(const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nsubnets; i++)
		if (strcmp(cfg->subnets[i].name, name) == 0)
			return (&cfg->subnets[i]);
	fail_msg("no subnet %s", name);
	return (NULL);
}

static struct pxe_client
client(enum pxe_class cls, enum pxe_arch arch, unsigned ipxe)
{
	struct pxe_client c;

	memset(&c, 0, sizeof(c));
	c.cls = cls;
	c.arch = arch;
	c.ipxe = ipxe;
	return (c);
}

/* The value of code in rep's options, or NULL. */
static const uint8_t *
opt(const struct dhcp_reply *rep, uint8_t code, size_t *len)
{
	size_t i;

	for (i = 0; i < rep->opts.n; i++)
		if (rep->opts.o[i].code == code) {
			*len = rep->opts.o[i].len;
			return (rep->opts.store + rep->opts.o[i].off);
		}
	return (NULL);
}

/* Sub-option sub of a 43 value, or NULL; asserts the value is a
 * well-formed list ending in 255. */
static const uint8_t *
sub43(const uint8_t *v, size_t n, uint8_t sub, size_t *len)
{
	size_t i = 0;
	const uint8_t *found = NULL;

	while (i < n && v[i] != 255) {
		assert_true(i + 2 <= n);
		assert_true(i + 2 + v[i + 1] <= n);
		if (v[i] == sub) {
			found = v + i + 2;
			*len = v[i + 1];
		}
		i += 2 + (size_t)v[i + 1];
	}
	assert_true(i == n - 1 && v[i] == 255);
	return (found);
}

static const struct cfg_boot *
answer(struct pxe_client *pc, const char *sn, int known, enum pxe_phase ph,
    struct dhcp_reply *rep)
{
	struct pxe_req q;

	memset(&q, 0, sizeof(q));
	q.cfg = cfg;
	q.sn = sn != NULL ? subnet(sn) : NULL;
	q.pc = pc;
	q.known = known;
	q.phase = ph;
	q.server = SRV;
	memset(rep, 0, sizeof(*rep));
	dhcp_optset_init(&rep->opts);
	return (pxe_answer(&q, rep));
}

static void
test_pxe_answer_dhcp_mode_by_client(void **state)
{
	struct pxe_client bios = client(PXE_CLASS_PXE, PXE_ARCH_BIOS, 0);
	struct pxe_client ipxe = client(PXE_CLASS_PXE, PXE_ARCH_BIOS,
	    PXE_IPXE_UCLASS);
	struct pxe_client uefi = client(PXE_CLASS_PXE, PXE_ARCH_EFI_X64, 0);
	struct pxe_client http = client(PXE_CLASS_HTTP, PXE_ARCH_HTTP_X64, 0);
	struct pxe_client none = client(PXE_CLASS_NONE, PXE_ARCH_BIOS, 0);
	struct dhcp_reply rep;
	const uint8_t *v;
	size_t n;

	(void)state;
	/* BIOS firmware: the file, discovery control 8, option 60. */
	assert_non_null(answer(&bios, "all", 0, PXE_PHASE_DHCP, &rep));
	assert_string_equal(rep.file, "undionly.kpxe");
	assert_int_equal(rep.siaddr, SRV);
	v = opt(&rep, DHO_VENDOR_OPTS, &n);
	assert_non_null(v);
	assert_int_equal(n, 4);
	assert_memory_equal(v, "\x06\x01\x08\xff", 4);
	v = opt(&rep, DHO_VENDOR_CLASS, &n);
	assert_int_equal(n, 9);
	assert_memory_equal(v, "PXEClient", 9);
	v = opt(&rep, DHO_BOOTFILE, &n);
	assert_int_equal(n, strlen("undionly.kpxe"));
	/* The TFTP server by name as well: sname and option 66. */
	assert_string_equal(rep.sname, "198.18.80.1");
	v = opt(&rep, DHO_TFTP_SERVER, &n);
	assert_non_null(v);
	assert_memory_equal(v, "198.18.80.1", n);

	/* iPXE: the rule's script with {server} expanded, no 43. */
	assert_non_null(answer(&ipxe, "all", 0, PXE_PHASE_DHCP, &rep));
	assert_string_equal(rep.file, "http://198.18.80.1:8080/boot.ipxe");
	assert_null(opt(&rep, DHO_VENDOR_OPTS, &n));

	/* UEFI: its next server, no 43, the BCD path in 252. */
	assert_non_null(answer(&uefi, "all", 0, PXE_PHASE_DHCP, &rep));
	assert_string_equal(rep.file, "\\Boot\\x64\\bootmgfw.efi");
	assert_int_equal(rep.siaddr, 0xc6125009u);
	assert_string_equal(rep.sname, "198.18.80.9");
	assert_null(opt(&rep, DHO_VENDOR_OPTS, &n));
	v = opt(&rep, DHO_BCD_PATH, &n);
	assert_non_null(v);
	assert_int_equal(n, strlen("\\Boot\\x64\\default.bcd"));
	assert_memory_equal(v, "\\Boot\\x64\\default.bcd", n);

	/* HTTP boot: the URL, HTTPClient back. */
	assert_non_null(answer(&http, "all", 0, PXE_PHASE_DHCP, &rep));
	assert_string_equal(rep.file, "http://198.18.80.1/ipxe.efi");
	v = opt(&rep, DHO_VENDOR_CLASS, &n);
	assert_int_equal(n, 10);
	assert_memory_equal(v, "HTTPClient", 10);

	/* Not a boot client: nothing, and nothing touched. */
	assert_null(answer(&none, "all", 0, PXE_PHASE_DHCP, &rep));
	assert_int_equal(rep.opts.n, 0);
	assert_string_equal(rep.file, "");
}

static void
test_pxe_answer_known_policy(void **state)
{
	struct pxe_client bios = client(PXE_CLASS_PXE, PXE_ARCH_BIOS, 0);
	struct dhcp_reply rep;

	(void)state;
	assert_null(answer(&bios, "known", 0, PXE_PHASE_DHCP, &rep));
	assert_null(answer(&bios, "known", 0, PXE_PHASE_PROXY, &rep));
	assert_null(answer(&bios, "known", 0, PXE_PHASE_BOOTSRV, &rep));
	assert_non_null(answer(&bios, "known", 1, PXE_PHASE_DHCP, &rep));
	assert_string_equal(rep.file, "undionly.kpxe");
}

static void
test_pxe_answer_prompt_policy(void **state)
{
	struct pxe_client bios = client(PXE_CLASS_PXE, PXE_ARCH_BIOS, 0);
	struct pxe_client ipxe = client(PXE_CLASS_PXE, PXE_ARCH_BIOS,
	    PXE_IPXE_ENCAP);
	struct dhcp_reply rep;
	const uint8_t *v, *s;
	size_t n, sn;

	(void)state;
	/* Firmware behind a prompt: a menu with local boot first, the
	 * configured prompt and timeout, and no file until it picks us. */
	assert_non_null(answer(&bios, "prompt", 0, PXE_PHASE_DHCP, &rep));
	assert_string_equal(rep.file, "");
	assert_null(opt(&rep, DHO_BOOTFILE, &n));
	v = opt(&rep, DHO_VENDOR_OPTS, &n);
	assert_non_null(v);
	s = sub43(v, n, PXE_SUB_DISCOVERY, &sn);
	assert_int_equal(sn, 1);
	assert_int_equal(s[0], 3);
	s = sub43(v, n, PXE_SUB_SERVERS, &sn);
	assert_int_equal(sn, 7);
	assert_memory_equal(s, "\x80\x01\x01\xc6\x12\x50\x01", 7);
	s = sub43(v, n, PXE_SUB_MENU, &sn);
	assert_true(sn > 6);
	assert_int_equal(s[0], 0);
	assert_int_equal(s[1], 0);	/* local boot first */
	assert_int_equal(s[3 + s[2]], 0x80);
	assert_int_equal(s[4 + s[2]], 0x01);
	s = sub43(v, n, PXE_SUB_PROMPT, &sn);
	assert_int_equal(s[0], 7);
	assert_int_equal(sn, 1 + strlen("Press F8 for the network"));
	assert_memory_equal(s + 1, "Press F8 for the network", sn - 1);

	/* The same in a proxy offer. */
	assert_non_null(answer(&bios, "prompt", 0, PXE_PHASE_PROXY, &rep));
	assert_string_equal(rep.file, "");
	assert_non_null(opt(&rep, DHO_VENDOR_OPTS, &n));

	/* iPXE is past the prompt: straight to its script. */
	assert_non_null(answer(&ipxe, "prompt", 0, PXE_PHASE_DHCP, &rep));
	assert_string_equal(rep.file, "http://198.18.80.1:8080/boot.ipxe");
	assert_null(opt(&rep, DHO_VENDOR_OPTS, &n));
}

static void
test_pxe_answer_proxy_offer(void **state)
{
	struct pxe_client rom = client(PXE_CLASS_PXE, PXE_ARCH_BIOS,
	    PXE_IPXE_UCLASS);
	struct pxe_client uefi = client(PXE_CLASS_PXE, PXE_ARCH_EFI_X64, 0);
	struct pxe_client http = client(PXE_CLASS_HTTP, PXE_ARCH_HTTP_X64, 0);
	struct dhcp_reply rep;
	const uint8_t *v, *s;
	size_t n, sn;

	(void)state;
	/* The BIOS iPXE ROM: a menu item picked at once, and the file. */
	assert_non_null(answer(&rom, "all", 0, PXE_PHASE_PROXY, &rep));
	assert_string_equal(rep.file, "http://198.18.80.1:8080/boot.ipxe");
	v = opt(&rep, DHO_VENDOR_OPTS, &n);
	assert_non_null(v);
	s = sub43(v, n, PXE_SUB_PROMPT, &sn);
	assert_int_equal(s[0], 0);
	s = sub43(v, n, PXE_SUB_MENU, &sn);
	assert_int_equal(s[0], 0x80);	/* our item only */
	assert_int_equal(sn, 3 + (size_t)s[2]);
	assert_memory_equal(s + 3, "pxeha bios", s[2]);

	/* UEFI: no 43 and no file, so it asks 4011. */
	assert_non_null(answer(&uefi, "all", 0, PXE_PHASE_PROXY, &rep));
	assert_null(opt(&rep, DHO_VENDOR_OPTS, &n));
	assert_string_equal(rep.file, "");
	assert_null(opt(&rep, DHO_BOOTFILE, &n));
	assert_non_null(opt(&rep, DHO_VENDOR_CLASS, &n));

	/* HTTP boot takes its URL from the proxy offer itself. */
	assert_non_null(answer(&http, "all", 0, PXE_PHASE_PROXY, &rep));
	assert_string_equal(rep.file, "http://198.18.80.1/ipxe.efi");
}

static void
test_pxe_answer_boot_server(void **state)
{
	struct pxe_client rom = client(PXE_CLASS_PXE, PXE_ARCH_BIOS,
	    PXE_IPXE_UCLASS);
	struct pxe_client uefi = client(PXE_CLASS_PXE, PXE_ARCH_EFI_X64, 0);
	struct dhcp_reply rep;
	const uint8_t *v;
	size_t n;

	(void)state;
	/* Our item: file, and the item echoed as the client sent it. */
	rom.has_boot_item = 1;
	rom.boot_item_type = PXE_ITEM_PXEHA;
	rom.boot_item_layer = 0;
	assert_non_null(answer(&rom, "all", 0, PXE_PHASE_BOOTSRV, &rep));
	assert_string_equal(rep.file, "http://198.18.80.1:8080/boot.ipxe");
	v = opt(&rep, DHO_VENDOR_OPTS, &n);
	assert_non_null(v);
	assert_int_equal(n, 7);
	assert_memory_equal(v, "\x47\x04\x80\x01\x00\x00\xff", 7);

	/* Local boot or someone else's item: not ours to answer. */
	rom.boot_item_type = PXE_ITEM_LOCAL;
	assert_null(answer(&rom, "all", 0, PXE_PHASE_BOOTSRV, &rep));
	rom.boot_item_type = 0x8003;
	assert_null(answer(&rom, "all", 0, PXE_PHASE_BOOTSRV, &rep));

	/* UEFI after a proxy offer: its file, no 43. */
	assert_non_null(answer(&uefi, "all", 0, PXE_PHASE_BOOTSRV, &rep));
	assert_string_equal(rep.file, "\\Boot\\x64\\bootmgfw.efi");
	assert_null(opt(&rep, DHO_VENDOR_OPTS, &n));

	/* The prompt policy never blocks the 4011 round it leads to. */
	rom.boot_item_type = PXE_ITEM_PXEHA;
	rom.ipxe = 0;
	assert_non_null(answer(&rom, "prompt", 0, PXE_PHASE_BOOTSRV, &rep));
	assert_string_equal(rep.file, "undionly.kpxe");
}

static void
test_pxe_opt43_menu_fits(void **state)
{
	char label[400], prompt[400];
	uint8_t out[255];
	struct pxe_menu m;
	const uint8_t *s;
	size_t sn;
	int n;

	(void)state;
	memset(label, 'L', sizeof(label) - 1);
	label[sizeof(label) - 1] = '\0';
	memset(prompt, 'P', sizeof(prompt) - 1);
	prompt[sizeof(prompt) - 1] = '\0';
	memset(&m, 0, sizeof(m));
	m.server = SRV;
	m.label = label;
	m.prompt = prompt;
	m.local_first = 1;
	m.timeout = 300;
	n = pxe_opt43_menu(&m, out, sizeof(out));
	assert_true(n > 0 && n <= 255);
	s = sub43(out, (size_t)n, PXE_SUB_PROMPT, &sn);
	assert_int_equal(s[0], 255);	/* timeout capped */
	assert_int_equal(sn, 1 + 64);	/* prompt cut to 64 */
	s = sub43(out, (size_t)n, PXE_SUB_MENU, &sn);
	assert_non_null(s);
	assert_int_equal(n, 255);	/* the label took what was left */
	/* Too small a buffer is refused, never overrun. */
	assert_int_equal(pxe_opt43_menu(&m, out, 254), -1);
	/* Empty strings are fine. */
	m.label = m.prompt = NULL;
	n = pxe_opt43_menu(&m, out, sizeof(out));
	assert_true(n > 0);
	assert_non_null(sub43(out, (size_t)n, PXE_SUB_MENU, &sn));
}

static void
test_pxe_expand(void **state)
{
	char d[32];

	(void)state;
	assert_int_equal(pxe_expand(d, sizeof(d), "a{server}b", SRV), 13);
	assert_string_equal(d, "a198.18.80.1b");
	assert_int_equal(pxe_expand(d, sizeof(d), "{server", SRV), 7);
	assert_string_equal(d, "{server");
	assert_int_equal(pxe_expand(d, 8, "{server}", SRV), -1);
	assert_string_equal(d, "");
	assert_int_equal(pxe_expand(d, 12, "{server}", SRV), 11);
	assert_int_equal(pxe_expand(d, 11, "{server}", SRV), -1);
	assert_int_equal(pxe_expand(d, 1, "", SRV), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pxe_answer_dhcp_mode_by_client),
		cmocka_unit_test(test_pxe_answer_known_policy),
		cmocka_unit_test(test_pxe_answer_prompt_policy),
		cmocka_unit_test(test_pxe_answer_proxy_offer),
		cmocka_unit_test(test_pxe_answer_boot_server),
		cmocka_unit_test(test_pxe_opt43_menu_fits),
		cmocka_unit_test(test_pxe_expand),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
