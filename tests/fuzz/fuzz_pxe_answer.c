/*
 * Fuzz the PXE answer paths: arbitrary bytes as a received request (and,
 * as in fuzz_pxe_classify, as the options of a fixed one), classified and
 * answered in every phase under every answer policy of a fixed config;
 * and the same bytes as the label and prompt of an option 43 menu.  Every
 * option 43 built must be a well-formed sub-option list ending in 255 and
 * at most 255 bytes, the file field NUL-terminated, option 60 present on
 * every answer, a boot-server request for an item not ours unanswered,
 * and building the whole reply must stay in bounds.  abort() on any broken invariant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/config.h"
#include "pxeha/dhcp.h"
#include "pxeha/pxe.h"
#include "fuzz_dhcp_opts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static const char conf_text[] =
    "[interface eth0]\n"
    "[subnet all]\nnetwork = 198.18.80.0/24\ninterface = eth0\n"
    "[subnet known]\nnetwork = 198.18.81.0/24\npxe_answer = known\n"
    "[subnet prompt]\nnetwork = 198.18.82.0/24\npxe_answer = prompt\n"
    "[boot bios]\narch = bios\nfile = undionly.kpxe\n"
    "script = http://{server}:8080/boot.ipxe\n"
    "[boot efi]\narch = efi-x64, efi-ia32, efi-arm64\n"
    "file = \\Boot\\x64\\bootmgfw.efi\nbcd = \\Boot\\x64\\default.bcd\n"
    "[boot http]\narch = http-x64, http-arm64, http-ia32, http-arm32\n"
    "file = http://{server}/{server}/{server}/{server}/{server}/x.efi\n";

static void
check_43(const uint8_t *v, size_t n)
{
	size_t i = 0;

	CHECK(n >= 1 && n <= 255);
	while (v[i] != 255) {
		CHECK(i + 2 <= n);
		i += 2 + (size_t)v[i + 1];
		CHECK(i < n);
	}
	CHECK(i == n - 1);
}

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

static void
answer_all(const struct cfg *cfg, const struct dhcp_msg *m)
{
	static uint8_t out[DHCP_MAX_LEN];
	struct pxe_client pc;
	struct dhcp_reply rep;
	struct pxe_req q;
	const uint8_t *v;
	size_t s, n;
	int ph, known;

	pxe_classify(m, &pc);
	for (s = 0; s < cfg->nsubnets; s++)
		for (ph = PXE_PHASE_DHCP; ph <= PXE_PHASE_BOOTSRV; ph++)
			for (known = 0; known < 2; known++) {
				memset(&q, 0, sizeof(q));
				q.cfg = cfg;
				q.sn = &cfg->subnets[s];
				q.pc = &pc;
				q.known = known;
				q.phase = (enum pxe_phase)ph;
				q.server = 0xc6125001u;
				memset(&rep, 0, sizeof(rep));
				rep.type = ph == PXE_PHASE_PROXY ? DHCPOFFER :
				    DHCPACK;
				dhcp_optset_init(&rep.opts);
				if (pxe_answer(&q, &rep) == NULL) {
					CHECK(rep.opts.n == 0);
					continue;
				}
				CHECK(pc.cls != PXE_CLASS_NONE);
				CHECK(!(ph == PXE_PHASE_BOOTSRV &&
				    pc.has_boot_item &&
				    pc.boot_item_type != PXE_ITEM_PXEHA));
				CHECK(memchr(rep.file, '\0', sizeof(rep.file)));
				CHECK(opt(&rep, DHO_VENDOR_CLASS, &n) != NULL);
				if ((v = opt(&rep, DHO_VENDOR_OPTS, &n)) != NULL)
					check_43(v, n);
				/* May refuse (a client's tiny option 57);
				 * must not overrun. */
				(void)dhcp_build(m, &rep, out, sizeof(out));
			}
}

static void
menu(const uint8_t *data, size_t len)
{
	char label[300], prompt[300];
	uint8_t out[255];
	struct pxe_menu mm;
	size_t half = len / 2, a, b;
	int n;

	a = half < sizeof(label) - 1 ? half : sizeof(label) - 1;
	b = len - half < sizeof(prompt) - 1 ? len - half : sizeof(prompt) - 1;
	memcpy(label, data, a);
	label[a] = '\0';
	memcpy(prompt, data + half, b);
	prompt[b] = '\0';
	memset(&mm, 0, sizeof(mm));
	mm.server = len > 0 ? (uint32_t)data[0] * 0x01010101u : 0;
	mm.label = label;
	mm.prompt = prompt;
	mm.local_first = len > 1 && (data[1] & 1);
	mm.timeout = len > 2 ? data[2] * 3u : 0;
	n = pxe_opt43_menu(&mm, out, sizeof(out));
	CHECK(n > 0);
	check_43(out, (size_t)n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct cfg *cfg;
	struct dhcp_msg m;
	uint8_t pkt[DHCP_MAX_LEN];
	size_t n;

	if (cfg == NULL) {
		struct cfg_errors errs = { 0 };

		cfg = cfg_parse("fuzz.ini", conf_text, strlen(conf_text),
		    &errs);
		CHECK(cfg != NULL);
		cfg_errors_fini(&errs);
	}
	if (dhcp_parse(data, len, &m) == 0)
		answer_all(cfg, &m);
	/* The input as the options of a fixed request. */
	n = fuzz_request_with_options(data, len, pkt);
	if (dhcp_parse(pkt, n, &m) == 0)
		answer_all(cfg, &m);
	menu(data, len);
	return (0);
}
