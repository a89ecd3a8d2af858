/*
 * Fuzz the config parser: arbitrary bytes as an INI file.  Every input
 * must end in a snapshot or a list of errors, never a crash or a leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct cfg_errors errs = { 0 };
	struct cfg *c;
	size_t i;

	c = cfg_parse("fuzz.ini", (const char *)data, len, &errs);
	if (c != NULL && errs.n != 0)
		abort();	/* a snapshot is returned only when clean */
	if (c == NULL && errs.n == 0 && !errs.oom)
		abort();	/* a rejection always says why */
	for (i = 0; i < errs.n; i++)
		if (strncmp(errs.msg[i], "fuzz.ini:", 9) != 0)
			abort();	/* every message names file:line */
	cfg_free(c);
	cfg_errors_fini(&errs);
	return (0);
}
