/*
 * Fuzz the lease record decoder.  Whatever it accepts must re-encode to
 * the same bytes (the encoding is canonical) and go into a table intact.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/lease.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct lease_table *t;
	const struct lease *f;
	struct lease l;
	uint8_t out[LEASE_REC_MAX], again[LEASE_REC_MAX];
	int n, rc;

	if (lease_rec_decode(data, len, &l) != 0)
		return (0);
	n = lease_rec_encode(&l, out, sizeof(out));
	if (n < 0 || (size_t)n != len || memcmp(out, data, len) != 0)
		abort();
	if ((t = lease_table_new()) == NULL)
		return (0);
	rc = lease_table_apply(t, &l);
	if (rc != (l.seq == 0 ? -LEASE_E_INVAL : 0))
		abort();
	if (rc == 0) {
		if ((f = lease_table_find_addr(t, l.addr)) == NULL ||
		    lease_rec_encode(f, again, sizeof(again)) != n ||
		    memcmp(again, out, (size_t)n) != 0)
			abort();
		if (l.cidlen > 0 &&
		    lease_table_find_cid(t, l.cid, l.cidlen) != f)
			abort();
		if (l.hwlen > 0 &&
		    lease_table_find_hw(t, l.hwtype, l.hw, l.hwlen) != f)
			abort();
	}
	lease_table_free(t);
	return (0);
}
