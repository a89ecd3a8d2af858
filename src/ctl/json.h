#ifndef PXEHA_CTL_JSON_H
#define PXEHA_CTL_JSON_H

#include <stddef.h>
#include <stdint.h>

struct evbuffer;

/* Append s as a JSON string literal (quoted, escaped; invalid UTF-8 kept
 * as-is is not an issue for our ASCII-only sources, control bytes are
 * escaped). */
void	json_str(struct evbuffer *, const char *s);
/* Append n bytes as lowercase hex inside quotes. */
void	json_hex(struct evbuffer *, const unsigned char *, size_t n);

/* Wall-clock seconds as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into buf. */
void	json_time(char *buf, size_t n, int64_t t);

#endif
