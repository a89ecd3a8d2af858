#include <event2/buffer.h>

#include "pxeha/metrics.h"

void
metrics_family(struct evbuffer *b, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

void
metrics_u64(struct evbuffer *b, const char *name, const char *type,
    const char *help, uint64_t value)
{
	metrics_family(b, name, type, help);
	evbuffer_add_printf(b, "%s %llu\n", name, (unsigned long long)value);
}
