/*
 * PXE client classification (pxe.h): who is asking, for which
 * architecture, and whether it is already iPXE.  Reads options 60, 93,
 * 94, 97, 77, 175 and 43 of a parsed request.  Pure: no sockets, no
 * clock, no malloc.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pxeha/config.h"
#include "pxeha/dhcp.h"
#include "pxeha/pxe.h"
#include "../core/wire.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* A [boot] rule's arch_mask is indexed by enum cfg_arch; ours must agree. */
_Static_assert((int)PXE_ARCH_BIOS == (int)CFG_ARCH_BIOS &&
    (int)PXE_ARCH_EFI_IA32 == (int)CFG_ARCH_EFI_IA32 &&
    (int)PXE_ARCH_EFI_X64 == (int)CFG_ARCH_EFI_X64 &&
    (int)PXE_ARCH_EFI_ARM32 == (int)CFG_ARCH_EFI_ARM32 &&
    (int)PXE_ARCH_EFI_ARM64 == (int)CFG_ARCH_EFI_ARM64 &&
    (int)PXE_ARCH_HTTP_X64 == (int)CFG_ARCH_HTTP_X64 &&
    (int)PXE_ARCH_HTTP_ARM64 == (int)CFG_ARCH_HTTP_ARM64 &&
    (int)PXE_ARCH_HTTP_IA32 == (int)CFG_ARCH_HTTP_IA32 &&
    (int)PXE_ARCH_HTTP_ARM32 == (int)CFG_ARCH_HTTP_ARM32 &&
    (int)PXE_ARCH_COUNT == (int)CFG_ARCH_COUNT,
    "enum pxe_arch and enum cfg_arch disagree");

/* The same spellings as arch_names in config.c, plus "unknown". */
static const char *const pxe_arch_names[] = {
	"bios", "efi-ia32", "efi-x64", "efi-arm32", "efi-arm64", "http-x64",
	"http-arm64", "http-ia32", "http-arm32", "unknown"
};
_Static_assert(NITEMS(pxe_arch_names) == PXE_ARCH_UNKNOWN + 1,
    "pxe_arch_names");

static const char *const pxe_class_names[] = { "none", "pxe", "http" };

/* RFC 4578 2.1 codes, as kept in IANA's processor architecture registry. */
static const struct {
	uint16_t	 code;
	enum pxe_arch	 arch;
} pxe_arch_codes[] = {
	{ 0, PXE_ARCH_BIOS },		/* x86 BIOS */
	{ 6, PXE_ARCH_EFI_IA32 },
	{ 7, PXE_ARCH_EFI_X64 },	/* EDK2 (OVMF) and iPXE send this */
	/*
	 * 9 is EFI byte code in the registry, but x64 firmware sends it:
	 * pixiecore maps it to x64 and dnsmasq setups match both 7 and 9.
	 * No EBC client boots a file we could choose for it anyway.
	 */
	{ 9, PXE_ARCH_EFI_X64 },
	{ 10, PXE_ARCH_EFI_ARM32 },
	{ 11, PXE_ARCH_EFI_ARM64 },
	{ 16, PXE_ARCH_HTTP_X64 },	/* EDK2 HttpBootDxe, x64 */
	{ 19, PXE_ARCH_HTTP_ARM64 },
	{ 15, PXE_ARCH_HTTP_IA32 },
	{ 18, PXE_ARCH_HTTP_ARM32 },
};

#define VC_PXE		"PXEClient"
#define VC_PXE_LEN	9
#define VC_HTTP		"HTTPClient"
#define VC_HTTP_LEN	10

/* PXE 2.1 vendor option (43) carrying the client's boot item. */
#define PXE_BOOT_ITEM		71
/* iPXE feature flags inside option 175 (ipxe src/include/ipxe/features.h). */
#define IPXE_FEATURE_HTTP	0x13
#define IPXE_FEATURE_HTTPS	0x14

/* The Arch and UNDI fields of option 60, when they are there. */
struct vc_fields {
	int		 has_arch, has_undi;
	uint16_t	 arch;
	uint8_t		 major, minor;
};

enum pxe_arch
pxe_arch_from_code(uint16_t code)
{
	size_t	 i;

	for (i = 0; i < NITEMS(pxe_arch_codes); i++)
		if (pxe_arch_codes[i].code == code)
			return (pxe_arch_codes[i].arch);
	return (PXE_ARCH_UNKNOWN);
}

const char *
pxe_arch_name(enum pxe_arch a)
{
	return ((unsigned)a < PXE_ARCH_UNKNOWN ? pxe_arch_names[a] :
	    pxe_arch_names[PXE_ARCH_UNKNOWN]);
}

enum pxe_arch
pxe_arch_from_name(const char *name)
{
	unsigned	 a;

	if (name == NULL)
		return (PXE_ARCH_UNKNOWN);
	for (a = 0; a < PXE_ARCH_COUNT; a++)
		if (strcmp(name, pxe_arch_names[a]) == 0)
			return ((enum pxe_arch)a);
	return (PXE_ARCH_UNKNOWN);
}

const char *
pxe_class_name(enum pxe_class cls)
{
	return ((unsigned)cls < NITEMS(pxe_class_names) ?
	    pxe_class_names[cls] : "unknown");
}

/* Option 60 is text; some firmware NUL-terminates it.  Stop at a NUL. */
static size_t
text_len(const uint8_t *v, size_t n)
{
	const uint8_t	*z;

	if ((z = memchr(v, '\0', n)) == NULL)
		return (n);
	return ((size_t)(z - v));
}

/*
 * The next ':'-separated field of s[0..len) from *off: 0 with the field in
 * *f and *flen (it may be empty), or -1 when the last one has been taken.
 * *off never exceeds len + 1, so len - *off is only taken when *off <= len.
 */
static int
vc_field(const uint8_t *s, size_t len, size_t *off, const uint8_t **f,
    size_t *flen)
{
	const uint8_t	*colon;

	if (*off > len)
		return (-1);
	*f = s + *off;
	colon = memchr(*f, ':', len - *off);
	*flen = colon == NULL ? len - *off : (size_t)(colon - *f);
	*off += *flen + 1;
	return (0);
}

static int
field_is(const uint8_t *f, size_t flen, const char *word)
{
	return (flen == strlen(word) && memcmp(f, word, flen) == 0);
}

/* A field of minlen..maxlen decimal digits (at most 6: no overflow). */
static int
field_num(const uint8_t *f, size_t flen, size_t minlen, size_t maxlen,
    uint32_t *v)
{
	size_t	 i;

	if (flen < minlen || flen > maxlen)
		return (-1);
	*v = 0;
	for (i = 0; i < flen; i++) {
		if (f[i] < '0' || f[i] > '9')
			return (-1);
		*v = *v * 10 + (uint32_t)(f[i] - '0');
	}
	return (0);
}

/*
 * "PXEClient:Arch:xxxxx:UNDI:yyyzzz" (PXE 2.1; iPXE prints it with
 * "%05d" and "%03d%03d").  EDK2's HttpBootDxe sends the same shape after
 * "HTTPClient".  EDK2 copies the interface name from its network
 * interface identifier protocol; only "UNDI" gives a version we trust.
 * Arch takes 1 to 5 digits, so a client that does not zero-pad still
 * counts; UNDI must be exactly 6 to split it.
 */
static void
vc_parse(const uint8_t *v, size_t n, struct vc_fields *vc)
{
	const uint8_t	*f;
	size_t		 len, flen, off = 0;
	uint32_t	 x;

	memset(vc, 0, sizeof(*vc));
	len = text_len(v, n);
	if (vc_field(v, len, &off, &f, &flen) == -1 ||
	    !(field_is(f, flen, VC_PXE) || field_is(f, flen, VC_HTTP)))
		return;
	if (vc_field(v, len, &off, &f, &flen) == -1 ||
	    !field_is(f, flen, "Arch") ||
	    vc_field(v, len, &off, &f, &flen) == -1 ||
	    field_num(f, flen, 1, 5, &x) == -1 || x > UINT16_MAX)
		return;
	vc->has_arch = 1;
	vc->arch = (uint16_t)x;
	if (vc_field(v, len, &off, &f, &flen) == -1 ||
	    !field_is(f, flen, "UNDI") ||
	    vc_field(v, len, &off, &f, &flen) == -1 ||
	    field_num(f, flen, 6, 6, &x) == -1 ||
	    x / 1000 > UINT8_MAX || x % 1000 > UINT8_MAX)
		return;
	vc->has_undi = 1;
	vc->major = (uint8_t)(x / 1000);
	vc->minor = (uint8_t)(x % 1000);
}

static void
classify_vclass(const uint8_t *v, size_t n, struct pxe_client *c)
{
	size_t	 len;

	/* EDK2 compares the first 9 or 10 bytes, whatever follows. */
	if (n >= VC_PXE_LEN && memcmp(v, VC_PXE, VC_PXE_LEN) == 0)
		c->cls = PXE_CLASS_PXE;
	else if (n >= VC_HTTP_LEN && memcmp(v, VC_HTTP, VC_HTTP_LEN) == 0)
		c->cls = PXE_CLASS_HTTP;
	len = text_len(v, n);
	if (len > PXE_VCLASS_MAX)
		len = PXE_VCLASS_MAX;
	memcpy(c->vclass, v, len);
	c->vclass[len] = '\0';
	c->vclass_len = len;
}

static void
classify_arch(const struct dhcp_msg *m, const struct vc_fields *vc,
    struct pxe_client *c)
{
	const uint8_t	*v;
	size_t		 n;

	if ((v = dhcp_opt(m, DHO_CLIENT_ARCH, &n)) != NULL && n >= 2 &&
	    n % 2 == 0) {
		c->arch_src = PXE_SRC_OPTION;
		c->arch_code = wire_load16(v);
	} else if (vc->has_arch) {
		c->arch_src = PXE_SRC_VCLASS;
		c->arch_code = vc->arch;
	} else
		return;
	c->arch = pxe_arch_from_code(c->arch_code);
}

static void
classify_undi(const struct dhcp_msg *m, const struct vc_fields *vc,
    struct pxe_client *c)
{
	const uint8_t	*v;
	size_t		 n;

	/* RFC 4578 2.2: type 1 is UNDI, the only type defined. */
	if ((v = dhcp_opt(m, DHO_CLIENT_NDI, &n)) != NULL && n == 3 &&
	    v[0] == 1) {
		c->undi_src = PXE_SRC_OPTION;
		c->undi_major = v[1];
		c->undi_minor = v[2];
	} else if (vc->has_undi) {
		c->undi_src = PXE_SRC_VCLASS;
		c->undi_major = vc->major;
		c->undi_minor = vc->minor;
	}
}

/*
 * Option 77.  iPXE sends the bare string "iPXE" (dhcp.c's request
 * options), not the RFC 3004 form, and 'i' read as an RFC 3004 length
 * runs past the option, so the two forms cannot be confused for it.
 */
static int
uclass_is_ipxe(const uint8_t *v, size_t n)
{
	struct wire_rd	 r;
	const uint8_t	*e;
	size_t		 len = n;
	uint8_t		 elen;
	int		 found = 0;

	while (len > 0 && v[len - 1] == '\0')
		len--;
	if (len == 4 && memcmp(v, "iPXE", 4) == 0)
		return (1);
	/* RFC 3004: UC_Len_i, then that many bytes, filling the option. */
	wire_rd_init(&r, v, n);
	while (wire_left(&r) > 0) {
		if (wire_u8(&r, &elen) == -1 || wire_ptr(&r, elen, &e) == -1)
			return (0);
		if (elen == 4 && memcmp(e, "iPXE", 4) == 0)
			found = 1;
	}
	return (found);
}

/*
 * Encapsulated options v[0..n) in RFC 2132 form (0 pad, 255 end, bytes
 * after the end ignored).  The whole list is checked: returns -1 when a
 * length runs past the option, else 1 with the first instance of code in
 * *d and *dlen, or 0 when there is none.
 */
static int
sub_find(const uint8_t *v, size_t n, uint8_t code, const uint8_t **d,
    uint8_t *dlen)
{
	struct wire_rd	 r;
	const uint8_t	*p;
	uint8_t		 c, len;
	int		 found = 0;

	wire_rd_init(&r, v, n);
	while (wire_left(&r) > 0) {
		(void)wire_u8(&r, &c);
		if (c == DHO_PAD)
			continue;
		if (c == DHO_END)
			break;
		if (wire_u8(&r, &len) == -1 || wire_ptr(&r, len, &p) == -1)
			return (-1);
		if (c == code && !found) {
			*d = p;
			*dlen = len;
			found = 1;
		}
	}
	return (found);
}

static void
classify_ipxe(const struct dhcp_msg *m, struct pxe_client *c)
{
	const uint8_t	*v, *d;
	size_t		 n;
	uint8_t		 dlen;
	int		 http, https;

	if ((v = dhcp_opt(m, DHO_USER_CLASS, &n)) != NULL &&
	    uclass_is_ipxe(v, n))
		c->ipxe |= PXE_IPXE_UCLASS;
	if ((v = dhcp_opt(m, DHO_IPXE, &n)) == NULL)
		return;
	c->ipxe |= PXE_IPXE_ENCAP;
	http = sub_find(v, n, IPXE_FEATURE_HTTP, &d, &dlen);
	https = sub_find(v, n, IPXE_FEATURE_HTTPS, &d, &dlen);
	if (http == -1 || https == -1)
		return;
	if (http == 1)
		c->ipxe |= PXE_IPXE_HTTP;
	if (https == 1)
		c->ipxe |= PXE_IPXE_HTTPS;
}

void
pxe_classify(const struct dhcp_msg *m, struct pxe_client *c)
{
	struct vc_fields vc;
	const uint8_t	*v, *d;
	size_t		 n;
	uint8_t		 dlen;

	assert(m != NULL && c != NULL);
	memset(c, 0, sizeof(*c));
	memset(&vc, 0, sizeof(vc));
	c->arch = PXE_ARCH_UNKNOWN;
	if ((v = dhcp_opt(m, DHO_VENDOR_CLASS, &n)) != NULL) {
		classify_vclass(v, n, c);
		if (c->cls != PXE_CLASS_NONE)
			vc_parse(v, n, &vc);
	}
	classify_arch(m, &vc, c);
	classify_undi(m, &vc, c);
	classify_ipxe(m, c);

	/* RFC 4578 2.3: type 0 and a 16-byte GUID; other types reserved. */
	if ((v = dhcp_opt(m, DHO_CLIENT_UUID, &n)) != NULL &&
	    n == 1 + PXE_GUID_LEN && v[0] == 0) {
		c->has_guid = 1;
		memcpy(c->guid, v + 1, PXE_GUID_LEN);
	}

	/* A client's 43 is PXE's only when its 60 says PXEClient. */
	if (c->cls == PXE_CLASS_PXE &&
	    (v = dhcp_opt(m, DHO_VENDOR_OPTS, &n)) != NULL &&
	    sub_find(v, n, PXE_BOOT_ITEM, &d, &dlen) == 1 && dlen == 4) {
		c->has_boot_item = 1;
		c->boot_item_type = wire_load16(d);
		c->boot_item_layer = wire_load16(d + 2);
	}
}
