/*
 * "option.N = type:value" keys: DHCP options an administrator sets at
 * global ([dhcp]), subnet and host level (the most specific wins).  Pure.
 *
 *   option.43  = hex:01:04:00:00:00:00
 *   option.252 = text:\Boot\x64\default.bcd
 *   option.42  = ip:198.18.10.1, 198.18.10.2
 *   option.26  = u16:1400        (also u8:, u32:, bool:)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "cfgval.h"

/* Options pxeha computes itself, and the key that sets each instead. */
static const struct {
	uint8_t		 code;
	const char	*use;
} managed[] = {
	{ 0, "pad" }, { 1, "[subnet] network" }, { 3, "[subnet] router" },
	{ 6, "[subnet] dns" }, { 12, "[host] hostname" },
	{ 15, "[subnet] domain" }, { 50, "the protocol" }, { 51, "lease_time" },
	{ 52, "the protocol" }, { 53, "the protocol" }, { 54, "the protocol" },
	{ 55, "the protocol" }, { 57, "the protocol" }, { 58, "renew_time" },
	{ 59, "rebind_time" }, { 61, "[host] client_id" },
	{ 82, "the relay agent" }, { 118, "the protocol" }, { 255, "end" },
};

int
cfg_option_list(struct parser *p, const struct secinst *s,
    struct cfg_opt ***opts, size_t **nopts)
{
	struct cfg *c = p->cfg;

	switch (s->kind) {
	case SEC_DHCP:
		*opts = &c->dhcp.opts;
		*nopts = &c->dhcp.nopts;
		return (0);
	case SEC_SUBNET:
		*opts = &c->subnets[s->idx].opts;
		*nopts = &c->subnets[s->idx].nopts;
		return (0);
	case SEC_HOST:
		*opts = &c->hosts[s->idx].opts;
		*nopts = &c->hosts[s->idx].nopts;
		return (0);
	default:
		return (-1);
	}
}

static const char *
encode_uint(const char *v, uint64_t max, size_t width, struct cfg_opt *o)
{
	uint64_t n;
	size_t i;

	if (cfgv_uint(v, 0, max, &n) != NULL)
		return ("number out of range for its type");
	for (i = 0; i < width; i++)
		o->data[i] = (uint8_t)(n >> (8 * (width - 1 - i)));
	o->len = (uint8_t)width;
	return (NULL);
}

static const char *
encode_value(const char *type, const char *v, struct cfg_opt *o)
{
	char items[CFG_LIST_MAX][20];
	uint32_t a;
	size_t len;
	int i, n, b;

	if (strcmp(type, "text") == 0) {
		len = strlen(v);
		if (len == 0 || len > CFG_OPT_DATA_MAX)
			return ("text must be 1 to 255 characters");
		memcpy(o->data, v, len);
		o->len = (uint8_t)len;
		return (NULL);
	}
	if (strcmp(type, "hex") == 0) {
		if (cfgv_hex(v, o->data, &len, 1, CFG_OPT_DATA_MAX) != NULL)
			return ("not hex bytes (use e.g. 01:a0:ff)");
		o->len = (uint8_t)len;
		return (NULL);
	}
	if (strcmp(type, "ip") == 0) {
		if ((n = cfgv_split(v, &items[0][0], sizeof(items[0]),
		    CFG_LIST_MAX)) == -1)
			return ("not a list of addresses");
		for (i = 0; i < n; i++) {
			if (cfgv_ipv4(items[i], &a) != NULL)
				return ("not a list of addresses");
			o->data[4 * i] = (uint8_t)(a >> 24);
			o->data[4 * i + 1] = (uint8_t)(a >> 16);
			o->data[4 * i + 2] = (uint8_t)(a >> 8);
			o->data[4 * i + 3] = (uint8_t)a;
		}
		o->len = (uint8_t)(4 * n);
		return (NULL);
	}
	if (strcmp(type, "u8") == 0)
		return (encode_uint(v, 0xff, 1, o));
	if (strcmp(type, "u16") == 0)
		return (encode_uint(v, 0xffff, 2, o));
	if (strcmp(type, "u32") == 0)
		return (encode_uint(v, 0xffffffff, 4, o));
	if (strcmp(type, "bool") == 0) {
		if (cfgv_bool(v, &b) != NULL)
			return ("not a boolean");
		o->data[0] = (uint8_t)b;
		o->len = 1;
		return (NULL);
	}
	return ("unknown type (use text:, hex:, ip:, u8:, u16:, u32: or bool:)");
}

void
cfg_option_key(struct parser *p, struct secinst *s, const char *key,
    const char *value, struct cfg_opt **opts, size_t *nopts)
{
	struct cfg_opt o, *n;
	char type[8];
	const char *colon, *err;
	uint64_t code;
	size_t i;

	if (cfgv_uint(key + 7, 1, 254, &code) != NULL) {
		cfg_add_err(p, p->line, s, key, "option code must be 1 to 254");
		return;
	}
	for (i = 0; i < sizeof(managed) / sizeof(managed[0]); i++) {
		if (managed[i].code == code) {
			cfg_add_err(p, p->line, s, key, "set by pxeha itself "
			    "(use %s)", managed[i].use);
			return;
		}
	}
	for (i = 0; i < *nopts; i++) {
		if ((*opts)[i].code == code) {
			cfg_add_err(p, p->line, s, key, "duplicate key (first "
			    "set on line %u)", (*opts)[i].line);
			return;
		}
	}
	memset(&o, 0, sizeof(o));
	o.code = (uint8_t)code;
	o.line = p->line;
	if ((colon = strchr(value, ':')) == NULL ||
	    (size_t)(colon - value) >= sizeof(type)) {
		cfg_add_err(p, p->line, s, key, "\"%s\": write type:value "
		    "(e.g. text:abc, hex:01:02, ip:198.18.10.1)", value);
		return;
	}
	memcpy(type, value, (size_t)(colon - value));
	type[colon - value] = '\0';
	if ((err = encode_value(type, colon + 1, &o)) != NULL) {
		cfg_add_err(p, p->line, s, key, "\"%s\": %s", value, err);
		return;
	}
	if (*nopts >= 64) {
		cfg_add_err(p, p->line, s, key, "too many options in one "
		    "section (at most 64)");
		return;
	}
	if ((n = realloc(*opts, (*nopts + 1) * sizeof(**opts))) == NULL) {
		p->oom = 1;
		return;
	}
	n[*nopts] = o;
	*opts = n;
	(*nopts)++;
}
