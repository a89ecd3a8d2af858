#include <time.h>

#include <event2/buffer.h>

#include "json.h"

void
json_str(struct evbuffer *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	char esc[7] = "\\u00";

	evbuffer_add(b, "\"", 1);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			evbuffer_add(b, "\\", 1);
			evbuffer_add(b, p, 1);
		} else if (*p < 0x20 || *p == 0x7f) {
			esc[4] = hex[*p >> 4];
			esc[5] = hex[*p & 15];
			evbuffer_add(b, esc, 6);
		} else
			evbuffer_add(b, p, 1);
	}
	evbuffer_add(b, "\"", 1);
}

void
json_hex(struct evbuffer *b, const unsigned char *p, size_t n)
{
	size_t i;

	evbuffer_add(b, "\"", 1);
	for (i = 0; i < n; i++)
		evbuffer_add_printf(b, "%02x", p[i]);
	evbuffer_add(b, "\"", 1);
}

void
json_time(char *buf, size_t n, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
