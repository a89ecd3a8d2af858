/*
 * Fuzz PXE client classification: arbitrary bytes as a received datagram,
 * parsed and classified; and, so the fuzzer need not rediscover the
 * header and cookie, the same bytes as the options field of a fixed
 * request.  The result must agree with an independent reading of the
 * options (pxe.h's rules), every string must be NUL-terminated inside
 * its buffer, the enums in range, and classifying twice into differently
 * pre-filled structs must give the same fields.  Deterministic, no
 * globals; abort() on any broken invariant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/dhcp.h"
#include "pxeha/pxe.h"
#include "fuzz_dhcp_opts.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static int
same(const struct pxe_client *a, const struct pxe_client *b)
{
	return (a->cls == b->cls && a->arch == b->arch &&
	    a->arch_src == b->arch_src && a->arch_code == b->arch_code &&
	    a->undi_src == b->undi_src && a->undi_major == b->undi_major &&
	    a->undi_minor == b->undi_minor && a->ipxe == b->ipxe &&
	    a->has_guid == b->has_guid &&
	    memcmp(a->guid, b->guid, sizeof(a->guid)) == 0 &&
	    a->has_boot_item == b->has_boot_item &&
	    a->boot_item_type == b->boot_item_type &&
	    a->boot_item_layer == b->boot_item_layer &&
	    a->vclass_len == b->vclass_len &&
	    memcmp(a->vclass, b->vclass, sizeof(a->vclass)) == 0);
}

static void
check_client(const struct dhcp_msg *m, const struct pxe_client *c)
{
	static const uint8_t zero[PXE_GUID_LEN];
	const uint8_t	*v;
	size_t		 n, i;

	CHECK(c->cls == PXE_CLASS_NONE || c->cls == PXE_CLASS_PXE ||
	    c->cls == PXE_CLASS_HTTP);
	CHECK((unsigned)c->arch <= PXE_ARCH_UNKNOWN);
	CHECK(c->arch_src == PXE_SRC_NONE || c->arch_src == PXE_SRC_OPTION ||
	    c->arch_src == PXE_SRC_VCLASS);
	CHECK(c->undi_src == PXE_SRC_NONE || c->undi_src == PXE_SRC_OPTION ||
	    c->undi_src == PXE_SRC_VCLASS);
	CHECK(strcmp(pxe_class_name(c->cls), "unknown") != 0);
	CHECK(pxe_arch_from_name(pxe_arch_name(c->arch)) == c->arch);

	/* Strings: terminated inside the buffer, length as stated. */
	CHECK(c->vclass_len <= PXE_VCLASS_MAX);
	CHECK(memchr(c->vclass, '\0', sizeof(c->vclass)) != NULL);
	CHECK(strlen(c->vclass) == c->vclass_len);
	for (i = c->vclass_len; i < sizeof(c->vclass); i++)
		CHECK(c->vclass[i] == '\0');

	/* 60: class from the prefix, vclass a prefix of the value. */
	if ((v = dhcp_opt(m, DHO_VENDOR_CLASS, &n)) == NULL) {
		CHECK(c->cls == PXE_CLASS_NONE && c->vclass_len == 0);
		CHECK(c->arch_src != PXE_SRC_VCLASS);
	} else {
		CHECK(c->vclass_len <= n &&
		    memcmp(c->vclass, v, c->vclass_len) == 0);
		CHECK(c->vclass_len == n || c->vclass_len == PXE_VCLASS_MAX ||
		    v[c->vclass_len] == '\0');
		if (n >= 9 && memcmp(v, "PXEClient", 9) == 0)
			CHECK(c->cls == PXE_CLASS_PXE);
		else if (n >= 10 && memcmp(v, "HTTPClient", 10) == 0)
			CHECK(c->cls == PXE_CLASS_HTTP);
		else
			CHECK(c->cls == PXE_CLASS_NONE);
	}
	if (c->cls == PXE_CLASS_NONE)
		CHECK(c->arch_src != PXE_SRC_VCLASS &&
		    c->undi_src != PXE_SRC_VCLASS && !c->has_boot_item);

	/* 93 first, then 60; arch always the map of the code. */
	v = dhcp_opt(m, DHO_CLIENT_ARCH, &n);
	if (v != NULL && n >= 2 && n % 2 == 0)
		CHECK(c->arch_src == PXE_SRC_OPTION &&
		    c->arch_code == (uint16_t)(v[0] << 8 | v[1]));
	else
		CHECK(c->arch_src != PXE_SRC_OPTION);
	if (c->arch_src == PXE_SRC_NONE)
		CHECK(c->arch == PXE_ARCH_UNKNOWN && c->arch_code == 0);
	else
		CHECK(c->arch == pxe_arch_from_code(c->arch_code));

	v = dhcp_opt(m, DHO_CLIENT_NDI, &n);
	if (v != NULL && n == 3 && v[0] == 1)
		CHECK(c->undi_src == PXE_SRC_OPTION &&
		    c->undi_major == v[1] && c->undi_minor == v[2]);
	else
		CHECK(c->undi_src != PXE_SRC_OPTION);
	if (c->undi_src == PXE_SRC_NONE)
		CHECK(c->undi_major == 0 && c->undi_minor == 0);

	/* iPXE bits. */
	CHECK((c->ipxe & ~(unsigned)(PXE_IPXE_UCLASS | PXE_IPXE_ENCAP |
	    PXE_IPXE_HTTP | PXE_IPXE_HTTPS)) == 0);
	CHECK(((c->ipxe & PXE_IPXE_ENCAP) != 0) == dhcp_has_opt(m, DHO_IPXE));
	if (c->ipxe & (PXE_IPXE_HTTP | PXE_IPXE_HTTPS))
		CHECK(c->ipxe & PXE_IPXE_ENCAP);
	if (c->ipxe & PXE_IPXE_UCLASS)
		CHECK(dhcp_has_opt(m, DHO_USER_CLASS));

	/* 97. */
	v = dhcp_opt(m, DHO_CLIENT_UUID, &n);
	if (v != NULL && n == 17 && v[0] == 0)
		CHECK(c->has_guid && memcmp(c->guid, v + 1, 16) == 0);
	else
		CHECK(!c->has_guid && memcmp(c->guid, zero, 16) == 0);

	/* 43.71: only a PXEClient that sent a 43 of at least 6 bytes. */
	if (c->has_boot_item) {
		v = dhcp_opt(m, DHO_VENDOR_OPTS, &n);
		CHECK(c->cls == PXE_CLASS_PXE && v != NULL && n >= 6);
	} else
		CHECK(c->boot_item_type == 0 && c->boot_item_layer == 0);
}

static void
classify(const struct dhcp_msg *m)
{
	struct pxe_client a, b;

	memset(&a, 0xa5, sizeof(a));
	memset(&b, 0x5a, sizeof(b));
	pxe_classify(m, &a);
	pxe_classify(m, &b);
	CHECK(same(&a, &b));
	check_client(m, &a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct dhcp_msg	 m;
	uint8_t		 pkt[DHCP_MAX_LEN];
	size_t		 n;

	if (dhcp_parse(data, len, &m) == 0)
		classify(&m);

	/* The input as the options of a fixed request. */
	n = fuzz_request_with_options(data, len, pkt);
	if (dhcp_parse(pkt, n, &m) == 0)
		classify(&m);
	return (0);
}
