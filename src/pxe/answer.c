/*
 * PXE answers (pxe.h): what a classified boot client is told, in our own
 * DHCP replies, in proxy offers and on the boot server port.  Pure: the
 * config snapshot and the request in, a filled struct dhcp_reply out.
 *
 * What real firmware needs (seen with QEMU 7.2's SeaBIOS + iPXE ROM and
 * OVMF, ../shared/research/pxe-tftp.md section 6): option 60 back on
 * every answer (EDK2 drops a boot offer without it); a BIOS PXE ROM in
 * ProxyDHCP mode boots only from a menu item, then asks port 4011 for it;
 * UEFI firmware given a proxy offer without option 43 asks port 4011 for
 * its file; the boot item (43.71) of a 4011 request is echoed in the ACK.
 */
#include <stdio.h>
#include <string.h>

#include "pxeha/config.h"
#include "pxeha/dhcp.h"
#include "pxeha/pxe.h"
#include "../core/cfgval.h"

#define OPT43_MAX	255

int
pxe_expand(char *dst, size_t cap, const char *tmpl, uint32_t addr)
{
	static const char key[] = "{server}";
	char ip[CFGV_IPSTR];
	size_t n = 0, iplen, k = sizeof(key) - 1;
	const char *p;

	if (cap == 0)
		return (-1);
	iplen = strlen(cfgv_fmt_ip(ip, addr));
	for (p = tmpl; *p != '\0';) {
		const char *piece = p;
		size_t plen = 1;

		if (strncmp(p, key, k) == 0) {
			piece = ip;
			plen = iplen;
			p += k;
		} else
			p++;
		if (n + plen >= cap) {
			dst[0] = '\0';
			return (-1);
		}
		memcpy(dst + n, piece, plen);
		n += plen;
	}
	dst[n] = '\0';
	return ((int)n);
}

/* Append sub-option code with len bytes of v; 0, or -1 if it won't fit
 * (leaving room for the final 255). */
static int
sub_add(uint8_t *out, size_t *n, uint8_t code, const void *v, size_t len)
{
	if (len > 255 || *n + 2 + len + 1 > OPT43_MAX)
		return (-1);
	out[(*n)++] = code;
	out[(*n)++] = (uint8_t)len;
	if (len > 0)
		memcpy(out + *n, v, len);
	*n += len;
	return (0);
}

/* One menu entry (type, length, description) into buf at *n, the text cut
 * to room bytes at most. */
static void
menu_item(uint8_t *buf, size_t *n, uint16_t type, const char *text,
    size_t room)
{
	size_t len = strlen(text);

	if (len > room)
		len = room;
	if (len > 255)
		len = 255;
	buf[(*n)++] = (uint8_t)(type >> 8);
	buf[(*n)++] = (uint8_t)type;
	buf[(*n)++] = (uint8_t)len;
	memcpy(buf + *n, text, len);
	*n += len;
}

int
pxe_opt43_menu(const struct pxe_menu *m, uint8_t *out, size_t cap)
{
	static const char local[] = "Boot from local disk";
	const char *label = m->label != NULL ? m->label : "";
	const char *prompt = m->prompt != NULL ? m->prompt : "";
	uint8_t buf[OPT43_MAX], disc = 0x03;
	size_t n = 0, mn, room, plen;
	uint8_t srv[7];

	if (cap < OPT43_MAX)
		return (-1);
	/* 6 (3 bytes) + 8 (9) + 9 header (2) + end (1) = 15 fixed bytes,
	 * then the menu's entries (3 + text each) and 10 (2 + 1 + text). */
	if (sub_add(out, &n, PXE_SUB_DISCOVERY, &disc, 1) == -1)
		return (-1);
	srv[0] = (uint8_t)(PXE_ITEM_PXEHA >> 8);
	srv[1] = (uint8_t)PXE_ITEM_PXEHA;
	srv[2] = 1;
	srv[3] = (uint8_t)(m->server >> 24);
	srv[4] = (uint8_t)(m->server >> 16);
	srv[5] = (uint8_t)(m->server >> 8);
	srv[6] = (uint8_t)m->server;
	if (sub_add(out, &n, PXE_SUB_SERVERS, srv, sizeof(srv)) == -1)
		return (-1);
	/* Prompt text gets at most 64 bytes; the menu what remains. */
	plen = strlen(prompt);
	if (plen > 64)
		plen = 64;
	room = OPT43_MAX - n - 2 - (3 + plen) - 1;
	mn = 0;
	if (m->local_first) {
		menu_item(buf, &mn, PXE_ITEM_LOCAL, local, sizeof(local) - 1);
		room -= mn;
	}
	menu_item(buf, &mn, PXE_ITEM_PXEHA, label, room - 3);
	if (sub_add(out, &n, PXE_SUB_MENU, buf, mn) == -1)
		return (-1);
	buf[0] = (uint8_t)(m->timeout > 255 ? 255 : m->timeout);
	memcpy(buf + 1, prompt, plen);
	if (sub_add(out, &n, PXE_SUB_PROMPT, buf, 1 + plen) == -1)
		return (-1);
	out[n++] = 255;
	return ((int)n);
}

static int
is_ipxe(const struct pxe_client *pc)
{
	return ((pc->ipxe & (PXE_IPXE_UCLASS | PXE_IPXE_ENCAP)) != 0);
}

static void
put_always(struct dhcp_reply *rep, uint8_t code, const void *v, size_t len)
{
	(void)dhcp_optset_add(&rep->opts, code, v, len);
	dhcp_optset_always(&rep->opts, code);
}

/* Option 43 for this answer; returns its length (0: none). */
static int
vendor_opts(const struct pxe_req *q, const struct cfg_boot *b, int prompt,
    uint8_t *o43)
{
	const struct pxe_client *pc = q->pc;
	struct pxe_menu menu;
	char label[CFG_NAME_MAX + 8];
	int bios = pc->cls == PXE_CLASS_PXE && pc->arch == PXE_ARCH_BIOS;

	if (q->phase == PXE_PHASE_BOOTSRV) {
		if (!pc->has_boot_item)
			return (0);
		o43[0] = PXE_SUB_ITEM;
		o43[1] = 4;
		o43[2] = (uint8_t)(pc->boot_item_type >> 8);
		o43[3] = (uint8_t)pc->boot_item_type;
		o43[4] = (uint8_t)(pc->boot_item_layer >> 8);
		o43[5] = (uint8_t)pc->boot_item_layer;
		o43[6] = 255;
		return (7);
	}
	if (!bios)
		return (0);
	if (!prompt && q->phase == PXE_PHASE_DHCP) {
		if (is_ipxe(pc))
			return (0);
		/* Discovery control bit 3: boot the file named here. */
		o43[0] = PXE_SUB_DISCOVERY;
		o43[1] = 1;
		o43[2] = 0x08;
		o43[3] = 255;
		return (4);
	}
	memset(&menu, 0, sizeof(menu));
	menu.server = q->server;
	(void)snprintf(label, sizeof(label), "pxeha %s", b->name);
	menu.label = label;
	if (prompt) {
		menu.local_first = 1;
		menu.timeout = q->cfg->pxe.prompt_timeout;
		menu.prompt = q->cfg->pxe.prompt;
	} else
		menu.prompt = "PXE";
	return (pxe_opt43_menu(&menu, o43, OPT43_MAX));
}

const struct cfg_boot *
pxe_answer(const struct pxe_req *q, struct dhcp_reply *rep)
{
	const struct pxe_client *pc = q->pc;
	const struct cfg_subnet *sn = q->sn;
	const struct cfg_boot *b;
	const char *name;
	char file[DHCP_FILE_LEN];
	uint8_t o43[OPT43_MAX];
	uint32_t next;
	int n43, prompt, with_file = 1;

	if (pc->cls == PXE_CLASS_NONE)
		return (NULL);
	if (sn != NULL && sn->pxe_answer == CFG_PXE_ANSWER_KNOWN && !q->known)
		return (NULL);
	if (q->phase == PXE_PHASE_BOOTSRV && pc->has_boot_item &&
	    pc->boot_item_type != PXE_ITEM_PXEHA)
		return (NULL);	/* local boot, or another server's item */
	if ((b = pxe_boot_choose(q->cfg, pc, sn != NULL ? sn->name : NULL,
	    q->host)) == NULL)
		return (NULL);
	next = b->next_server != 0 ? b->next_server : q->server;
	name = is_ipxe(pc) && b->script[0] != '\0' ? b->script : b->file;
	if (pxe_expand(file, sizeof(file), name, next) < 0)
		return (NULL);
	/* The prompt guards firmware only: iPXE is past it already. */
	prompt = sn != NULL && sn->pxe_answer == CFG_PXE_ANSWER_PROMPT &&
	    pc->cls == PXE_CLASS_PXE && pc->arch == PXE_ARCH_BIOS &&
	    !is_ipxe(pc) && q->phase != PXE_PHASE_BOOTSRV;
	n43 = vendor_opts(q, b, prompt, o43);
	if (n43 < 0)
		return (NULL);
	/*
	 * A proxy offer to PXE clients without a menu names no file: the
	 * client then asks port 4011 (UEFI firmware and iPXE do), where the
	 * answer can follow the request's own details.  Behind a prompt the
	 * file comes from 4011 only once the item is picked.
	 */
	if ((q->phase == PXE_PHASE_PROXY && pc->cls == PXE_CLASS_PXE &&
	    n43 == 0) || prompt)
		with_file = 0;

	rep->siaddr = next;
	memset(rep->file, 0, sizeof(rep->file));
	if (with_file) {
		char ip[CFGV_IPSTR];

		memcpy(rep->file, file, strlen(file));
		put_always(rep, DHO_BOOTFILE, file, strlen(file));
		/* The TFTP server by name too (sname, and 66 when asked for):
		 * firmware that reads those rather than siaddr finds it. */
		cfgv_fmt_ip(ip, next);
		memcpy(rep->sname, ip, strlen(ip) + 1);
		(void)dhcp_optset_add(&rep->opts, DHO_TFTP_SERVER, ip, strlen(ip));
		if (b->bcd[0] != '\0')
			put_always(rep, DHO_BCD_PATH, b->bcd, strlen(b->bcd));
	}
	if (pc->cls == PXE_CLASS_HTTP)
		put_always(rep, DHO_VENDOR_CLASS, "HTTPClient", 10);
	else
		put_always(rep, DHO_VENDOR_CLASS, "PXEClient", 9);
	if (pc->has_guid) {
		uint8_t g[1 + PXE_GUID_LEN] = { 0 };

		memcpy(g + 1, pc->guid, PXE_GUID_LEN);
		put_always(rep, DHO_CLIENT_UUID, g, sizeof(g));
	}
	if (n43 > 0)
		put_always(rep, DHO_VENDOR_OPTS, o43, (size_t)n43);
	return (b);
}
