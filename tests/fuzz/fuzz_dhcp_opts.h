/*
 * For DHCP-level fuzzers: the input as the options field of a fixed
 * DHCPREQUEST from 52:54:00:00:00:01 (so the fuzzer need not rediscover
 * the header and the magic cookie).  Header-only, for the harnesses.
 */
#ifndef PXEHA_FUZZ_DHCP_OPTS_H
#define PXEHA_FUZZ_DHCP_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pxeha/dhcp.h"

/* Build the request into pkt (DHCP_MAX_LEN bytes); returns its length. */
static inline size_t
fuzz_request_with_options(const uint8_t *data, size_t len,
    uint8_t pkt[DHCP_MAX_LEN])
{
	size_t n;

	memset(pkt, 0, DHCP_MIN_LEN);
	pkt[0] = DHCP_BOOTREQUEST;
	pkt[1] = 1;
	pkt[2] = 6;
	pkt[28] = 0x52;
	pkt[29] = 0x54;
	pkt[33] = 0x01;
	pkt[236] = 99;
	pkt[237] = 130;
	pkt[238] = 83;
	pkt[239] = 99;
	n = len < DHCP_MAX_LEN - DHCP_MIN_LEN ? len : DHCP_MAX_LEN - DHCP_MIN_LEN;
	if (n > 0)
		memcpy(pkt + DHCP_MIN_LEN, data, n);
	return (DHCP_MIN_LEN + n);
}

#endif
