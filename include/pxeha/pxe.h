/*
 * PXE client classification.  Pure: reads a parsed struct dhcp_msg and
 * fills a struct pxe_client; no sockets, no clock, no allocation.
 *
 * What a boot client says about itself, and where:
 *   60	vendor class: "PXEClient..." (PXE 2.1) or "HTTPClient..." (UEFI
 *	HTTP boot), usually "PXEClient:Arch:xxxxx:UNDI:yyyzzz";
 *   93	client system architecture, 16-bit codes (RFC 4578 2.1, IANA
 *	"Processor Architecture Types");
 *   94	client network interface identifier: type 1 (UNDI), major,
 *	minor (RFC 4578 2.2);
 *   97	client machine identifier: type 0 + 16-byte GUID (RFC 4578 2.3);
 *   77	user class (RFC 3004), "iPXE" from iPXE;
 *   175 iPXE encapsulated options (feature flags, version, bus id);
 *   43	PXE vendor options; a client doing boot server discovery puts
 *	its boot item (sub-option 71 PXE_BOOT_ITEM: type, layer) in it
 *	(PXE 2.1 specification, vendor options).
 *
 * Values that are absent, truncated, too long or otherwise malformed are
 * treated as absent; codes nobody maps are kept raw.  Nothing here trusts
 * a length it has not checked.
 */
#ifndef PXEHA_PXE_H
#define PXEHA_PXE_H

#include <stdint.h>
#include <stddef.h>

#include "pxeha/dhcp.h"

enum pxe_class {
	PXE_CLASS_NONE,		/* no option 60, or neither prefix */
	PXE_CLASS_PXE,		/* option 60 begins with "PXEClient" */
	PXE_CLASS_HTTP		/* option 60 begins with "HTTPClient" */
};

/*
 * Boot architectures, in the order and with the names of the [boot]
 * section's arch key (enum cfg_arch in config.h; arch.c checks that the
 * two agree), so a rule matches when arch < PXE_ARCH_COUNT and
 * (rule->arch_mask >> arch) & 1.  Anything else is PXE_ARCH_UNKNOWN.
 */
enum pxe_arch {
	PXE_ARCH_BIOS, PXE_ARCH_EFI_IA32, PXE_ARCH_EFI_X64, PXE_ARCH_EFI_ARM32,
	PXE_ARCH_EFI_ARM64, PXE_ARCH_HTTP_X64, PXE_ARCH_HTTP_ARM64,
	PXE_ARCH_HTTP_IA32, PXE_ARCH_HTTP_ARM32,
	PXE_ARCH_UNKNOWN
};
#define PXE_ARCH_COUNT		PXE_ARCH_UNKNOWN	/* the known ones */

/* Where a value came from. */
enum pxe_src {
	PXE_SRC_NONE,		/* not found: the value fields are 0 */
	PXE_SRC_OPTION,		/* its own option (93 for arch, 94 for UNDI) */
	PXE_SRC_VCLASS		/* parsed out of option 60 */
};

/* pxe_client.ipxe bits; any of them means the client is iPXE. */
#define PXE_IPXE_UCLASS		0x01	/* option 77 carries "iPXE" */
#define PXE_IPXE_ENCAP		0x02	/* option 175 present */
#define PXE_IPXE_HTTP		0x04	/* 175 lists feature 0x13 (HTTP) */
#define PXE_IPXE_HTTPS		0x08	/* 175 lists feature 0x14 (HTTPS) */

#define PXE_GUID_LEN		16
#define PXE_VCLASS_MAX		255	/* bytes of option 60 kept */

struct pxe_client {
	enum pxe_class	 cls;
	enum pxe_arch	 arch;		/* PXE_ARCH_UNKNOWN when not found */
	enum pxe_src	 arch_src;
	uint16_t	 arch_code;	/* raw RFC 4578 code; 0 if not found */
	enum pxe_src	 undi_src;
	uint8_t		 undi_major, undi_minor;
	unsigned	 ipxe;		/* PXE_IPXE_* bits */
	int		 has_guid;	/* option 97 well-formed */
	uint8_t		 guid[PXE_GUID_LEN];	/* as on the wire */
	int		 has_boot_item;	/* 43.71 well-formed */
	uint16_t	 boot_item_type, boot_item_layer;
	size_t		 vclass_len;	/* strlen(vclass) */
	char		 vclass[PXE_VCLASS_MAX + 1];
};

/*
 * Classify the client that sent m.  *c is fully overwritten; nothing in it
 * points into m.  Never fails: a message with none of the options above
 * gives cls PXE_CLASS_NONE, arch PXE_ARCH_UNKNOWN and everything else 0.
 *
 *   cls	 from the first 9 ("PXEClient") or 10 ("HTTPClient") bytes of
 *		 option 60, case-sensitive, as EDK2 compares them;
 *		 anything may follow the prefix.
 *   arch	 option 93 when its length is even and non-zero.  RFC 4578
 *		 2.1 allows a list but gives it no order; we take the first
 *		 code (every client in the captures sends exactly one).
 *		 Several instances of 93 are one list (RFC 3396
 *		 concatenation, done by dhcp_parse), so the first instance
 *		 wins too.  An odd or zero length is malformed and 93 is
 *		 ignored.  Without a usable 93, the Arch field of option 60
 *		 (below).  Codes map as pxe_arch_from_code.
 *   undi	 option 94 when it is exactly 3 bytes of type 1; otherwise
 *		 the UNDI field of option 60.
 *   ipxe	 PXE_IPXE_UCLASS when option 77 is "iPXE" as a plain string
 *		 (what iPXE sends; trailing NULs ignored) or has an "iPXE"
 *		 entry in RFC 3004 form (length-prefixed entries that fill
 *		 the option exactly); PXE_IPXE_ENCAP when 175 is present,
 *		 even empty or malformed; the HTTP/HTTPS bits only when 175
 *		 is a well-formed list of sub-options (0 pad, 255 end).
 *   guid	 option 97 when it is exactly 17 bytes with type 0.  An
 *		 all-zero GUID (QEMU without -uuid, firmware without SMBIOS)
 *		 is still reported: it identifies nobody.
 *   boot_item	 sub-option 71 of option 43, exactly 4 bytes, only for a
 *		 PXEClient and only when 43 is a well-formed list.
 *   vclass	 option 60 up to its first NUL, at most PXE_VCLASS_MAX bytes,
 *		 NUL-terminated.  Raw peer bytes: escape them before logging.
 *
 * Option 60's fields: after the prefix, ":Arch:" and 1 to 5 decimal
 * digits (at most 65535) that end the option or are followed by ':'
 * give the arch; after that ':', "UNDI:" and exactly 6 digits (major
 * and minor, 3 each, each at most 255) that end the option or are
 * followed by ':' give the UNDI version.  Any other shape gives neither
 * field from 60 (the class stands).  Both fields end at a NUL.
 */
void		 pxe_classify(const struct dhcp_msg *m, struct pxe_client *c);

/*
 * RFC 4578 / IANA code to architecture: 0 bios, 6 efi-ia32, 7 efi-x64,
 * 9 efi-x64 too (EFI byte code in the registry, sent by x64 firmware in
 * the wild), 10 efi-arm32, 11 efi-arm64, 16 http-x64, 19 http-arm64,
 * 15 http-ia32, 18 http-arm32.
 * Every other code is PXE_ARCH_UNKNOWN.
 */
enum pxe_arch	 pxe_arch_from_code(uint16_t code);

/* "bios" .. "http-arm32" as in config.c, "unknown" for anything else.
 * Returns a static string, never NULL. */
const char	*pxe_arch_name(enum pxe_arch);

/* Inverse of pxe_arch_name for the known names (exact, case-sensitive);
 * PXE_ARCH_UNKNOWN for "unknown", any other string and NULL. */
enum pxe_arch	 pxe_arch_from_name(const char *name);

/* "none", "pxe", "http"; "unknown" out of range.  Never NULL. */
const char	*pxe_class_name(enum pxe_class);

struct cfg;
struct cfg_boot;

/*
 * Choose the [boot] rule for client c on the subnet named subnet (NULL
 * or "": not known).  The rules are tried in the order of the file and
 * the first that matches wins, as in a firewall: put specific rules
 * first.  A rule matches when
 *   - c's architecture is in its arch list (an unknown architecture
 *     matches no rule),
 *   - its client kind matches: firmware = a PXE/HTTP client that is not
 *     iPXE yet, ipxe = iPXE (user class "iPXE" or option 175), any,
 *   - it names no subnet, or this one;
 *   - it names no host, or the [host] reservation this client matched
 *     (by MAC, client identifier or GUID; host NULL: none);
 *   - its vendor_class is a prefix of the client's option 60 ("" is).
 * A client that is neither PXE nor HTTP boot (option 60) gets NULL, as
 * does one no rule matches.  Pure; borrows cfg, returns a pointer into it.
 */
const struct cfg_boot *pxe_boot_choose(const struct cfg *cfg,
	    const struct pxe_client *c, const char *subnet, const char *host);

/*
 * Expand tmpl into dst (cap bytes, NUL included): every "{server}"
 * becomes addr (host order) in dotted quad.  Returns the length, or -1
 * when it does not fit (dst is then "").
 */
int		 pxe_expand(char *dst, size_t cap, const char *tmpl,
		    uint32_t addr);

/* Answers ------------------------------------------------------------------ */

/* Where a PXE answer goes. */
enum pxe_phase {
	PXE_PHASE_DHCP,		/* our own OFFER/ACK ([pxe] mode = dhcp) */
	PXE_PHASE_PROXY,	/* a proxy OFFER on port 67 (mode = proxy) */
	PXE_PHASE_BOOTSRV	/* the ACK to a boot-server request on 4011 */
};

/*
 * PXE 2.1 boot server types (option 43 sub-options 8, 9 and 71): 0 is
 * "boot from the local disk"; 0x8000-0xfffe are for vendors.  pxeha
 * offers one network boot item of its own.
 */
#define PXE_ITEM_LOCAL		0x0000
#define PXE_ITEM_PXEHA		0x8001

/* Option 43 sub-options (PXE 2.1 specification, vendor options). */
#define PXE_SUB_DISCOVERY	6	/* discovery control bits */
#define PXE_SUB_SERVERS		8	/* boot servers: type, n, addresses */
#define PXE_SUB_MENU		9	/* menu: type, len, description... */
#define PXE_SUB_PROMPT		10	/* menu prompt: timeout, text */
#define PXE_SUB_ITEM		71	/* boot item: type, layer */

/* A boot menu in option 43. */
struct pxe_menu {
	uint32_t	 server;	/* boot server for our item, host order */
	const char	*label;		/* our item's description */
	int		 local_first;	/* offer "boot from local disk" first */
	unsigned	 timeout;	/* prompt seconds; 0: pick item 1 now */
	const char	*prompt;	/* prompt text */
};

/*
 * Option 43 with a boot menu, as PXE ROMs and iPXE read it: discovery
 * control 3 (no broadcast or multicast discovery: ask the listed server
 * on port 4011), the boot server list (our item at m->server), the menu
 * (local boot first when m->local_first) and the prompt.  Descriptions
 * and prompt are cut to what fits; the whole is at most 255 bytes and
 * ends with 255.  Returns the length written to out (cap >= 255), or -1
 * when cap is too small.  Pure.
 */
int		 pxe_opt43_menu(const struct pxe_menu *m, uint8_t *out,
		    size_t cap);

/*
 * What one request needs to be answered with boot information.
 *   pc	     the classified client; sn its subnet (NULL: not known);
 *   known   it has a [host] reservation;
 *   server  our address on its link (host order): the default next
 *	     server, the boot server of menus and {server} in names.
 */
struct pxe_req {
	const struct cfg	*cfg;
	const struct cfg_subnet	*sn;
	const struct pxe_client	*pc;
	const char		*host;	/* its [host] name, NULL: none */
	int			 known;
	enum pxe_phase		 phase;
	uint32_t		 server;
};

struct dhcp_reply;

/*
 * Put the boot answer for q into rep (siaddr, sname, file, options 43,
 * 60, 66, 67, 97, 252; all but 66 are sent whatever option 55 asks, as
 * firmware needs them).  Returns the rule used, or NULL when the client gets no boot
 * information: not a PXE/HTTP client, the subnet answers only known
 * clients and this one is not, no rule matches, the name does not fit,
 * or (on 4011) it asked for a boot item that is not ours.
 *
 * Policy, per phase, for the rule's name (its script for iPXE clients
 * when it has one; "{server}" expanded to the next server):
 *   DHCP     file and next server; BIOS PXE firmware (not iPXE) gets 43
 *	      discovery control 8 (boot the file named here) or, when the
 *	      subnet has pxe_answer = prompt, a menu: "boot from local disk"
 *	      first, ours second, with [pxe] prompt and prompt_timeout (the
 *	      firmware boots the disk unless a key is pressed; it asks 4011
 *	      for our item).
 *   PROXY    BIOS PXE clients (firmware or iPXE ROM) get a menu holding
 *	      our item (picked at once, or the prompt as above) plus the
 *	      file; other PXE clients no 43 and no file, so they ask 4011
 *	      (what UEFI firmware needs); HTTP clients the URL.
 *   BOOTSRV  file and next server; the boot item of the request echoed.
 */
const struct cfg_boot *pxe_answer(const struct pxe_req *q,
		    struct dhcp_reply *rep);

#endif
