/*
 * Boot rules (pxe_boot_choose): first matching [boot] section in file
 * order, by architecture, client kind (firmware / iPXE) and subnet.
 * Configs are real INI text through cfg_parse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/config.h"
#include "pxeha/pxe.h"

static const char conf_text[] =
    "[interface eth0]\n"
    "[subnet lab]\n"
    "network = 198.18.80.0/24\n"
    "interface = eth0\n"
    "[subnet far]\n"
    "network = 198.18.81.0/24\n"
    "[host lab1]\n"
    "mac = 52:54:00:00:00:01\n"
    "[host staged]\n"
    "guid = 4c4c4544-0042-3510-8052-b3c04f4e3832\n"
    "[boot lab1-special]\n"
    "arch = bios, efi-x64\n"
    "host = lab1\n"
    "file = special.kpxe\n"
    "[boot vendor]\n"
    "arch = efi-x64\n"
    "vendor_class = PXEClient:Arch:00007:UNDI:003016\n"
    "file = vendor.efi\n"
    "[boot ipxe-script]\n"
    "arch = bios, efi-x64\n"
    "client = ipxe\n"
    "file = http://198.18.80.1/boot.ipxe\n"
    "[boot far-uefi]\n"
    "arch = efi-x64\n"
    "subnet = far\n"
    "file = far/ipxe.efi\n"
    "next_server = 198.18.81.9\n"
    "[boot bios]\n"
    "arch = bios\n"
    "client = firmware\n"
    "file = undionly.kpxe\n"
    "[boot uefi]\n"
    "arch = efi-x64, efi-ia32\n"
    "file = ipxe.efi\n"
    "[boot http]\n"
    "arch = http-x64\n"
    "file = http://198.18.80.1/ipxe.efi\n";

static struct cfg *
load(const char *text)
{
	struct cfg_errors errs = { 0 };
	struct cfg *c = cfg_parse("t.ini", text, strlen(text), &errs);
	size_t i;

	for (i = 0; i < errs.n; i++)
		print_message("%s\n", errs.msg[i]);
	cfg_errors_fini(&errs);
	return (c);
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

static const char *
chosen(const struct cfg *cfg, struct pxe_client c, const char *subnet)
{
	const struct cfg_boot *b = pxe_boot_choose(cfg, &c, subnet, NULL);

	return (b != NULL ? b->name : "(none)");
}

static void
test_pxe_boot_rules_in_file_order(void **state)
{
	struct cfg *cfg = load(conf_text);
	static const struct {
		enum pxe_class	 cls;
		enum pxe_arch	 arch;
		unsigned	 ipxe;
		const char	*subnet, *want;
	} t[] = {
		/* Firmware gets the chain loader, iPXE the script. */
		{ PXE_CLASS_PXE, PXE_ARCH_BIOS, 0, "lab", "bios" },
		{ PXE_CLASS_PXE, PXE_ARCH_BIOS, PXE_IPXE_UCLASS, "lab",
		    "ipxe-script" },
		{ PXE_CLASS_PXE, PXE_ARCH_BIOS, PXE_IPXE_ENCAP, "lab",
		    "ipxe-script" },
		{ PXE_CLASS_PXE, PXE_ARCH_EFI_X64, 0, "lab", "uefi" },
		{ PXE_CLASS_PXE, PXE_ARCH_EFI_X64, PXE_IPXE_UCLASS |
		    PXE_IPXE_ENCAP, "lab", "ipxe-script" },
		{ PXE_CLASS_PXE, PXE_ARCH_EFI_IA32, 0, "lab", "uefi" },
		/* A subnet rule applies on its subnet only. */
		{ PXE_CLASS_PXE, PXE_ARCH_EFI_X64, 0, "far", "far-uefi" },
		{ PXE_CLASS_PXE, PXE_ARCH_EFI_X64, 0, NULL, "uefi" },
		{ PXE_CLASS_PXE, PXE_ARCH_BIOS, 0, "far", "bios" },
		{ PXE_CLASS_HTTP, PXE_ARCH_HTTP_X64, 0, "lab", "http" },
		/* No rule, not a PXE client, unknown architecture. */
		{ PXE_CLASS_PXE, PXE_ARCH_EFI_ARM64, 0, "lab", "(none)" },
		{ PXE_CLASS_NONE, PXE_ARCH_BIOS, 0, "lab", "(none)" },
		{ PXE_CLASS_PXE, PXE_ARCH_UNKNOWN, 0, "lab", "(none)" },
	};
	size_t i;

	(void)state;
	assert_non_null(cfg);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *got = chosen(cfg, client(t[i].cls, t[i].arch,
		    t[i].ipxe), t[i].subnet);

		if (strcmp(got, t[i].want) != 0)
			fail_msg("case %zu: got %s, want %s", i, got, t[i].want);
	}
	assert_int_equal(pxe_boot_choose(cfg, &(struct pxe_client){
	    .cls = PXE_CLASS_PXE, .arch = PXE_ARCH_EFI_X64 }, "far", NULL)->
	    next_server, 0xc6125109);	/* 198.18.81.9 */
	cfg_free(cfg);
}

static void
test_pxe_boot_by_host_and_vendor_class(void **state)
{
	struct cfg *cfg = load(conf_text);
	struct pxe_client c = client(PXE_CLASS_PXE, PXE_ARCH_EFI_X64, 0);
	const struct cfg_boot *b;
	uint8_t want[16] = { 0x44, 0x45, 0x4c, 0x4c, 0x42, 0x00, 0x10, 0x35,
	    0x80, 0x52, 0xb3, 0xc0, 0x4f, 0x4e, 0x38, 0x32 };

	(void)state;
	assert_non_null(cfg);
	/* A host rule: that reservation only. */
	b = pxe_boot_choose(cfg, &c, "lab", "lab1");
	assert_string_equal(b->name, "lab1-special");
	b = pxe_boot_choose(cfg, &c, "lab", "staged");
	assert_string_equal(b->name, "uefi");
	/* A vendor class rule: option 60 must start with it. */
	snprintf(c.vclass, sizeof(c.vclass), "PXEClient:Arch:00007:UNDI:003016");
	c.vclass_len = strlen(c.vclass);
	b = pxe_boot_choose(cfg, &c, "lab", NULL);
	assert_string_equal(b->name, "vendor");
	snprintf(c.vclass, sizeof(c.vclass), "PXEClient:Arch:00007:UNDI:003000");
	b = pxe_boot_choose(cfg, &c, "lab", NULL);
	assert_string_equal(b->name, "uefi");
	/* The GUID as dmidecode shows it, stored as clients send it. */
	assert_true(cfg->hosts[1].has_guid);
	assert_memory_equal(cfg->hosts[1].guid, want, 16);
	cfg_free(cfg);
}

static void
test_pxe_boot_config_errors(void **state)
{
	static const char *bad[] = {
		"[boot x]\narch = bios\nfile = a\nsubnet = nowhere\n",
		"[boot x]\narch = bios\nfile = a\nclient = sometimes\n",
		"[boot x]\narch = bios\nfile = a\nnext_server = 1.2.3\n",
		"[boot x]\narch = bios\n",
		"[boot x]\narch = bios\nfile = a\nhost = nobody\n",
		"[host h]\nguid = 4c4c4544-0042-3510-8052\n",
		"[host h]\nguid = {4c4c4544-0042-3510-8052-b3c04f4e3832\n",
		"[host h]\nguid = 4c4c4544004235108052b3c04f4e3832\n",
		"[host h]\nguid = 4c4c4544-0042-3510-8052-b3c04f4e3832\n"
		    "[host i]\nguid = {4C4C4544-0042-3510-8052-B3C04F4E3832}\n",
	};
	struct cfg_errors errs = { 0 };
	struct cfg *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = cfg_parse("t.ini", bad[i], strlen(bad[i]), &errs);
		if (c != NULL)
			fail_msg("case %zu parsed", i);
		assert_true(errs.n > 0);
		cfg_errors_fini(&errs);
		memset(&errs, 0, sizeof(errs));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pxe_boot_rules_in_file_order),
		cmocka_unit_test(test_pxe_boot_by_host_and_vendor_class),
		cmocka_unit_test(test_pxe_boot_config_errors),
	};

	return (cmocka_run_group_tests_name("pxe_boot", tests, NULL, NULL));
}
