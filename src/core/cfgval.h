/*
 * Typed value parsers for the INI file.  Pure.  Each returns NULL on
 * success or a static phrase saying what is wrong, which the caller puts
 * after the quoted value in its error line.
 */
#ifndef PXEHA_CFGVAL_H
#define PXEHA_CFGVAL_H

#include <stddef.h>
#include <stdint.h>

#include "pxeha/config.h"

const char	*cfgv_bool(const char *, int *);
const char	*cfgv_uint(const char *, uint64_t min, uint64_t max, uint64_t *);
/* "90s", "10m", "12h", "7d" or plain seconds; result in seconds. */
const char	*cfgv_duration(const char *, uint32_t min, uint32_t max, uint32_t *);
/* "512", "64K", "1M", "2G" (powers of 1024); result in bytes. */
const char	*cfgv_size(const char *, uint64_t min, uint64_t max, uint64_t *);
/* Dotted quad, strictly: four decimal parts 0-255, no leading zeros. */
const char	*cfgv_ipv4(const char *, uint32_t *);
/* "a.b.c.d/len" with no host bits set. */
const char	*cfgv_cidr(const char *, uint32_t *net, unsigned *prefix);
/* "a.b.c.d-e.f.g.h" (first <= last) or a single address. */
const char	*cfgv_range(const char *, struct cfg_range *);
/* "a.b.c.d:port" or "[v6]:port"; the host must be numeric. */
const char	*cfgv_hostport(const char *, char *host, size_t hostlen,
		    uint16_t *port);
/* A name: 1..n-1 characters of [A-Za-z0-9._:-]. */
const char	*cfgv_name(const char *, char *dst, size_t n);
/* An absolute path without control characters. */
const char	*cfgv_path(const char *, char *dst, size_t n);
/* A DNS domain name (RFC 1123 labels). */
const char	*cfgv_domain(const char *, char *dst, size_t n);

/*
 * Split a comma-separated list into at most max trimmed items, each copied
 * into items[i] (itemlen bytes each).  Returns the count, or -1 when there
 * are too many items, an item is empty or too long.
 */
int		 cfgv_split(const char *, char *items, size_t itemlen, size_t max);

uint32_t	 cfgv_mask(unsigned prefix);
/* A host-order IPv4 address as a dotted quad in buf; returns buf. */
#define CFGV_IPSTR	16
const char	*cfgv_fmt_ip(char buf[CFGV_IPSTR], uint32_t a);
/* The value of one hex digit (either case), or -1. */
int		 cfgv_hexdigit(int c);
/* "aa:bb:cc:dd:ee:ff" (or with "-"). */
const char	*cfgv_mac(const char *, uint8_t mac[6]);
/*
 * A machine UUID as firmware setup and `dmidecode -s system-uuid` show it
 * (8-4-4-4-12 hex digits, braces optional) into the 16 bytes PXE clients
 * send in option 97: the first three fields little-endian, as SMBIOS 2.6+
 * stores them and EDK2 and iPXE put them on the wire.
 */
const char	*cfgv_guid(const char *, uint8_t guid[16]);
/* Hex bytes, optionally separated by ":" ("01:aa:bb" or "01aabb"). */
const char	*cfgv_hex(const char *, uint8_t *dst, size_t *len, size_t min,
		    size_t max);

#endif
