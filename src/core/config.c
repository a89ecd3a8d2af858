/*
 * INI text -> struct cfg.  Pure: no files, no clock, no sockets.
 *
 * inih (as Debian builds it) neither passes line numbers to the handler nor
 * reports empty sections, and it joins indented lines onto the previous
 * value.  So our reader, which hands inih one line at a time, counts lines,
 * takes section headers itself, strips indentation and rejects what inih
 * would silently mangle (over-long lines, NUL bytes).  inih still splits
 * "key = value" and strips inline comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "pxeha/config.h"
#include "cfgval.h"
#include "build_config.h"

#include "config_int.h"

static const char *const log_levels[] = {
	"error", "warning", "notice", "info", "debug", NULL
};
static const char *const log_targets[] = { "stderr", "syslog", NULL };
static const char *const pxe_modes[] = { "off", "dhcp", "proxy", NULL };
static const char *const peer_roles[] = { "primary", "standby", NULL };
static const char *const boot_clients[] = { "any", "firmware", "ipxe", NULL };
static const char *const proxy_listens[] = { "broadcast", "all", NULL };
static const char *const pxe_answers[] = { "all", "known", "prompt", NULL };
static const char *const arch_names[] = {
	"bios", "efi-ia32", "efi-x64", "efi-arm32", "efi-arm64", "http-x64",
	"http-arm64", "http-ia32", "http-arm32", NULL
};

#define F(s, m)		offsetof(struct s, m)
#define FN(s, m)	offsetof(struct s, n##m)

static const struct keydef node_keys[] = {
	{ "name", KT_NAME, F(cfg_node, name), 0, 0, 0, NULL },
	{ "state_dir", KT_PATH, F(cfg_node, state_dir), 0, 0, 0, NULL },
	{ "log_level", KT_ENUM, F(cfg_node, log_level), 0, 0, 0, log_levels },
	{ "log_target", KT_ENUM, F(cfg_node, log_target), 0, 0, 0, log_targets },
};
static const struct keydef ctl_keys[] = {
	{ "listen", KT_HOSTPORT, F(cfg_ctl, host), F(cfg_ctl, port), 0, 0, NULL },
	{ "token_file", KT_PATH, F(cfg_ctl, token_file), 0, 0, 0, NULL },
};
static const struct keydef tftp_keys[] = {
	{ "enable", KT_BOOL, F(cfg_tftp, enable), 0, 0, 0, NULL },
	{ "root", KT_PATH, F(cfg_tftp, root), 0, 0, 0, NULL },
	{ "port", KT_UINT, F(cfg_tftp, port), 2, 1, 65535, NULL },
	{ "max_sessions", KT_UINT, F(cfg_tftp, max_sessions), 4, 1, 100000, NULL },
	{ "max_per_client", KT_UINT, F(cfg_tftp, max_per_client), 4, 1, 100000, NULL },
	{ "max_blksize", KT_SIZE, F(cfg_tftp, max_blksize), 0, 8, 65464, NULL },
	{ "mtu_clamp", KT_BOOL, F(cfg_tftp, mtu_clamp), 0, 0, 0, NULL },
	{ "max_window", KT_UINT, F(cfg_tftp, max_window), 4, 1, 65535, NULL },
	{ "max_window_bytes", KT_SIZE, F(cfg_tftp, max_window_bytes), 0, 8, 1ull << 30, NULL },
	{ "rollover", KT_UINT, F(cfg_tftp, rollover), 4, 0, 1, NULL },
	{ "msftwindow", KT_BOOL, F(cfg_tftp, msftwindow), 0, 0, 0, NULL },
	{ "upload_dir", KT_PATH, F(cfg_tftp, upload_dir), 0, 0, 0, NULL },
	{ "upload_max", KT_SIZE, F(cfg_tftp, upload_max), 0, 1, UINT64_MAX, NULL },
};
static const struct keydef pxe_keys[] = {
	{ "mode", KT_ENUM, F(cfg_pxe, mode), 0, 0, 0, pxe_modes },
	{ "proxy_listen", KT_ENUM, F(cfg_pxe, proxy_listen), 0, 0, 0, proxy_listens },
	{ "prompt", KT_TEXT, F(cfg_pxe, prompt), 0, 0, 0, NULL },
	{ "prompt_timeout", KT_DURATION, F(cfg_pxe, prompt_timeout), 0, 1, 254, NULL },
};
static const struct keydef http_keys[] = {
	{ "enable", KT_BOOL, F(cfg_http, enable), 0, 0, 0, NULL },
	{ "listen", KT_HOSTPORT, F(cfg_http, host), F(cfg_http, port), 0, 0, NULL },
	{ "root", KT_PATH, F(cfg_http, root), 0, 0, 0, NULL },
	{ "max_connections", KT_UINT, F(cfg_http, max_connections), 4, 1, 100000, NULL },
};
static const struct keydef iface_keys[] = {
	{ "dhcp", KT_BOOL, F(cfg_iface, dhcp), 0, 0, 0, NULL },
	{ "address", KT_IPV4, F(cfg_iface, address), 0, 0, 0, NULL },
};
static const struct keydef subnet_keys[] = {
	{ "network", KT_CIDR, F(cfg_subnet, network), F(cfg_subnet, prefix), 0, 0, NULL },
	{ "interface", KT_NAME, F(cfg_subnet, iface), 0, 0, 0, NULL },
	{ "pool", KT_RANGES, F(cfg_subnet, pools), FN(cfg_subnet, pools), 0, 0, NULL },
	{ "exclude", KT_RANGES, F(cfg_subnet, excludes), FN(cfg_subnet, excludes), 0, 0, NULL },
	{ "router", KT_ADDRS, F(cfg_subnet, routers), FN(cfg_subnet, routers), 0, 0, NULL },
	{ "dns", KT_ADDRS, F(cfg_subnet, dns), FN(cfg_subnet, dns), 0, 0, NULL },
	{ "domain", KT_DOMAIN, F(cfg_subnet, domain), 0, 0, 0, NULL },
	{ "lease_time", KT_DURATION, F(cfg_subnet, lease_time), 0, 60, 366 * 86400, NULL },
	{ "renew_time", KT_DURATION, F(cfg_subnet, renew_time), 0, 30, 366 * 86400, NULL },
	{ "rebind_time", KT_DURATION, F(cfg_subnet, rebind_time), 0, 30, 366 * 86400, NULL },
	{ "next_server", KT_IPV4, F(cfg_subnet, next_server), 0, 0, 0, NULL },
	{ "boot_file", KT_TEXT, F(cfg_subnet, boot_file), 0, 0, 0, NULL },
	{ "pxe_answer", KT_ENUM, F(cfg_subnet, pxe_answer), 0, 0, 0, pxe_answers },
};
static const struct keydef boot_keys[] = {
	{ "arch", KT_ARCHES, F(cfg_boot, arch_mask), 0, 0, 0, NULL },
	{ "client", KT_ENUM, F(cfg_boot, client), 0, 0, 0, boot_clients },
	{ "subnet", KT_NAME, F(cfg_boot, subnet), 0, 0, 0, NULL },
	{ "host", KT_NAME, F(cfg_boot, host), 0, 0, 0, NULL },
	{ "vendor_class", KT_TEXT, F(cfg_boot, vendor_class), 0, 0, 0, NULL },
	{ "file", KT_TEXT, F(cfg_boot, file), 0, 0, 0, NULL },
	{ "script", KT_TEXT, F(cfg_boot, script), 0, 0, 0, NULL },
	{ "bcd", KT_TEXT, F(cfg_boot, bcd), 0, 0, 0, NULL },
	{ "next_server", KT_IPV4, F(cfg_boot, next_server), 0, 0, 0, NULL },
};
static const struct keydef peer_keys[] = {
	{ "address", KT_HOSTPORT, F(cfg_peer, host), F(cfg_peer, port), 0, 0, NULL },
	{ "role", KT_ENUM, F(cfg_peer, role), 0, 0, 0, peer_roles },
};
static const struct keydef dhcp_keys[] = {
	{ "authoritative", KT_BOOL, F(cfg_dhcp, authoritative), 0, 0, 0, NULL },
	{ "offer_hold", KT_DURATION, F(cfg_dhcp, offer_hold), 0, 1, 600, NULL },
	{ "decline_probation", KT_DURATION, F(cfg_dhcp, decline_probation), 0, 1, 30 * 86400, NULL },
};
static const struct keydef host_keys[] = {
	{ "mac", KT_MAC, F(cfg_host, mac), F(cfg_host, has_mac), 0, 0, NULL },
	{ "client_id", KT_HEX, F(cfg_host, cid), F(cfg_host, cidlen), 1, 64, NULL },
	{ "guid", KT_GUID, F(cfg_host, guid), F(cfg_host, has_guid), 0, 0, NULL },
	{ "address", KT_IPV4, F(cfg_host, address), 0, 0, 0, NULL },
	{ "hostname", KT_HOSTNAME, F(cfg_host, hostname), 0, 0, 0, NULL },
};

#define KEYS(k)	k, sizeof(k) / sizeof(k[0])
const struct secdef cfg_secdefs[SEC_BAD] = {
	[SEC_NODE] = { "node", 0, 1, KEYS(node_keys) },
	[SEC_CTL] = { "ctl", 0, 1, KEYS(ctl_keys) },
	[SEC_TFTP] = { "tftp", 0, 1, KEYS(tftp_keys) },
	[SEC_PXE] = { "pxe", 0, 1, KEYS(pxe_keys) },
	[SEC_HTTP] = { "http", 0, 1, KEYS(http_keys) },
	[SEC_IFACE] = { "interface", 1, 64, KEYS(iface_keys) },
	[SEC_SUBNET] = { "subnet", 1, 256, KEYS(subnet_keys) },
	[SEC_BOOT] = { "boot", 1, 128, KEYS(boot_keys) },
	[SEC_PEER] = { "peer", 1, 16, KEYS(peer_keys) },
	[SEC_DHCP] = { "dhcp", 0, 1, KEYS(dhcp_keys) },
	[SEC_HOST] = { "host", 1, 65536, KEYS(host_keys) },
};

void
cfg_add_err(struct parser *p, unsigned line, const struct secinst *s,
    const char *key, const char *fmt, ...)
{
	char reason[512], *msg;
	void *n;
	va_list ap;
	int r;

	if (p->nev >= ERR_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (s != NULL && key != NULL)
		r = asprintf(&msg, "%s:%u: [%s] %s: %s", p->name, line,
		    s->label, key, reason);
	else if (s != NULL)
		r = asprintf(&msg, "%s:%u: [%s]: %s", p->name, line, s->label,
		    reason);
	else
		r = asprintf(&msg, "%s:%u: %s", p->name, line, reason);
	if (r == -1) {
		p->oom = 1;
		return;
	}
	if (p->nev == p->evcap) {
		p->evcap = p->evcap ? p->evcap * 2 : 16;
		if ((n = realloc(p->ev, p->evcap * sizeof(*p->ev))) == NULL) {
			free(msg);
			p->oom = 1;
			return;
		}
		p->ev = n;
	}
	p->ev[p->nev].line = line;
	p->ev[p->nev].seq = p->nev;
	p->ev[p->nev].msg = msg;
	p->nev++;
}

static void *
grow(void *arr, size_t *n, size_t size, int *oom)
{
	char *a;

	if ((a = realloc(arr, (*n + 1) * size)) == NULL) {
		*oom = 1;
		return (NULL);
	}
	memset(a + *n * size, 0, size);
	(*n)++;
	return (a);
}

/* Defaults of a named section's object, before its keys are read. */
static void
init_object(enum sec_kind kind, void *obj, const char *name)
{
	switch (kind) {
	case SEC_IFACE: {
		struct cfg_iface *i = obj;
		snprintf(i->name, sizeof(i->name), "%s", name);
		i->dhcp = 1;
		break;
	}
	case SEC_SUBNET: {
		struct cfg_subnet *s = obj;
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->lease_time = 12 * 3600;
		break;
	}
	case SEC_BOOT:
		snprintf(((struct cfg_boot *)obj)->name, CFG_NAME_MAX, "%s", name);
		break;
	case SEC_PEER:
		snprintf(((struct cfg_peer *)obj)->name, CFG_NAME_MAX, "%s", name);
		break;
	case SEC_HOST:
		snprintf(((struct cfg_host *)obj)->name, CFG_NAME_MAX, "%s", name);
		break;
	default:
		break;
	}
}

/* Returns the cfg object a section instance refers to. */
static void *
sec_object(struct parser *p, const struct secinst *s)
{
	struct cfg *c = p->cfg;

	switch (s->kind) {
	case SEC_NODE:
		return (&c->node);
	case SEC_CTL:
		return (&c->ctl);
	case SEC_TFTP:
		return (&c->tftp);
	case SEC_PXE:
		return (&c->pxe);
	case SEC_HTTP:
		return (&c->http);
	case SEC_IFACE:
		return (&c->ifaces[s->idx]);
	case SEC_SUBNET:
		return (&c->subnets[s->idx]);
	case SEC_BOOT:
		return (&c->boots[s->idx]);
	case SEC_PEER:
		return (&c->peers[s->idx]);
	case SEC_DHCP:
		return (&c->dhcp);
	case SEC_HOST:
		return (&c->hosts[s->idx]);
	default:
		return (NULL);
	}
}

static int
new_object(struct parser *p, enum sec_kind kind, size_t *idx)
{
	struct cfg *c = p->cfg;
	void *a = NULL;

	switch (kind) {
	case SEC_IFACE:
		*idx = c->nifaces;
		if ((a = grow(c->ifaces, &c->nifaces, sizeof(*c->ifaces),
		    &p->oom)) != NULL)
			c->ifaces = a;
		break;
	case SEC_SUBNET:
		*idx = c->nsubnets;
		if ((a = grow(c->subnets, &c->nsubnets, sizeof(*c->subnets),
		    &p->oom)) != NULL)
			c->subnets = a;
		break;
	case SEC_BOOT:
		*idx = c->nboots;
		if ((a = grow(c->boots, &c->nboots, sizeof(*c->boots),
		    &p->oom)) != NULL)
			c->boots = a;
		break;
	case SEC_PEER:
		*idx = c->npeers;
		if ((a = grow(c->peers, &c->npeers, sizeof(*c->peers),
		    &p->oom)) != NULL)
			c->peers = a;
		break;
	case SEC_HOST:
		*idx = c->nhosts;
		if ((a = grow(c->hosts, &c->nhosts, sizeof(*c->hosts),
		    &p->oom)) != NULL)
			c->hosts = a;
		break;
	default:
		*idx = 0;
		return (0);
	}
	return (a == NULL ? -1 : 0);
}

static size_t
count_kind(const struct parser *p, enum sec_kind kind)
{
	size_t i, n = 0;

	for (i = 0; i < p->nsecs; i++)
		n += p->secs[i].kind == kind;
	return (n);
}

/* A "[...]" line (already trimmed).  Sets p->cur. */
static void
section_line(struct parser *p, char *t)
{
	struct secinst *s, bad = { .kind = SEC_BAD };
	enum sec_kind kind = SEC_BAD;
	char *end, *kw, *arg, namebuf[CFG_NAME_MAX];
	const char *err;
	size_t i, len;
	void *n;

	p->cur = NULL;
	p->skipping = 0;
	snprintf(bad.label, sizeof(bad.label), "?");
	if ((end = strchr(t, ']')) == NULL || end[1] != '\0') {
		cfg_add_err(p, p->line, NULL, NULL,
		    "malformed section header (expected [name] or [kind NAME])");
		goto skip;
	}
	*end = '\0';
	kw = t + 1;
	while (*kw == ' ' || *kw == '\t')
		kw++;
	arg = kw + strcspn(kw, " \t");
	if (*arg != '\0') {
		*arg++ = '\0';
		arg += strspn(arg, " \t");
		len = strlen(arg);
		while (len > 0 && (arg[len - 1] == ' ' || arg[len - 1] == '\t'))
			arg[--len] = '\0';
	}
	for (i = SEC_NODE; i < SEC_BAD; i++)
		if (strcmp(kw, cfg_secdefs[i].name) == 0)
			kind = (enum sec_kind)i;
	snprintf(bad.label, sizeof(bad.label), "%s%s%s", kw, *arg ? " " : "",
	    arg);
	if (kind == SEC_BAD) {
		cfg_add_err(p, p->line, &bad, NULL, "unknown section (known: node, "
		    "ctl, dhcp, interface, subnet, host, tftp, pxe, http, boot, "
		    "peer)");
		goto skip;
	}
	if (cfg_secdefs[kind].named && *arg == '\0') {
		cfg_add_err(p, p->line, &bad, NULL, "needs a name: [%s NAME]", kw);
		goto skip;
	}
	if (!cfg_secdefs[kind].named && *arg != '\0') {
		cfg_add_err(p, p->line, &bad, NULL, "takes no name: [%s]", kw);
		goto skip;
	}
	if (cfg_secdefs[kind].named) {
		if ((err = cfgv_name(arg, namebuf, kind == SEC_IFACE ? 16 :
		    sizeof(namebuf))) != NULL) {
			cfg_add_err(p, p->line, &bad, NULL, "%s", err);
			goto skip;
		}
	}
	for (i = 0; i < p->nsecs; i++) {
		if (p->secs[i].kind == kind &&
		    strcmp(p->secs[i].label, bad.label) == 0) {
			cfg_add_err(p, p->line, &bad, NULL, "duplicate section "
			    "(first on line %u)", p->secs[i].line);
			goto skip;
		}
	}
	if (count_kind(p, kind) >= cfg_secdefs[kind].max) {
		cfg_add_err(p, p->line, &bad, NULL, "too many [%s] sections "
		    "(at most %zu)", kw, cfg_secdefs[kind].max);
		goto skip;
	}
	if (p->nsecs == p->seccap) {
		p->seccap = p->seccap ? p->seccap * 2 : 16;
		if ((n = realloc(p->secs, p->seccap * sizeof(*p->secs))) ==
		    NULL) {
			p->oom = 1;
			return;
		}
		p->secs = n;
	}
	s = &p->secs[p->nsecs];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->line = p->line;
	snprintf(s->label, sizeof(s->label), "%s", bad.label);
	if (new_object(p, kind, &s->idx) == -1)
		return;
	init_object(kind, sec_object(p, s), arg);
	p->nsecs++;
	p->cur = s;
	return;
skip:
	/* Keys of a rejected section are not reported again one by one. */
	p->skipping = 1;
}

static const char *
set_list(const struct keydef *k, void *obj, const char *val, int ranges)
{
	char items[CFG_LIST_MAX][40];
	size_t *count = (size_t *)((char *)obj + k->off2);
	const char *err;
	int i, n;

	if ((n = cfgv_split(val, &items[0][0], sizeof(items[0]),
	    CFG_LIST_MAX)) == -1)
		return ("not a comma-separated list (at most 16 items)");
	for (i = 0; i < n; i++) {
		if (ranges)
			err = cfgv_range(items[i],
			    &((struct cfg_range *)((char *)obj + k->off))[i]);
		else
			err = cfgv_ipv4(items[i],
			    &((uint32_t *)((char *)obj + k->off))[i]);
		if (err != NULL)
			return (err);
	}
	*count = (size_t)n;
	return (NULL);
}

static const char *
set_arches(void *field, const char *val)
{
	char items[CFG_LIST_MAX][CFG_NAME_MAX];
	unsigned mask = 0;
	int i, n, a;

	if ((n = cfgv_split(val, &items[0][0], sizeof(items[0]),
	    CFG_LIST_MAX)) == -1)
		return ("not a comma-separated list of architectures");
	for (i = 0; i < n; i++) {
		for (a = 0; arch_names[a] != NULL; a++)
			if (strcmp(items[i], arch_names[a]) == 0)
				break;
		if (arch_names[a] == NULL)
			return ("unknown architecture (known: bios, efi-ia32, "
			    "efi-x64, efi-arm32, efi-arm64, http-x64, "
			    "http-arm64, http-ia32, http-arm32)");
		mask |= 1u << a;
	}
	*(unsigned *)field = mask;
	return (NULL);
}

/* Parse val into the field(s) k describes.  Returns NULL or a reason. */
static const char *
set_key(const struct keydef *k, void *obj, const char *val)
{
	void *field = (char *)obj + k->off;
	uint64_t u;
	uint32_t d;
	const char *err;
	int i;

	if (*val == '\0')
		return ("empty value");
	switch (k->type) {
	case KT_BOOL:
		return (cfgv_bool(val, field));
	case KT_NAME:
		return (cfgv_name(val, field, CFG_NAME_MAX));
	case KT_PATH:
		return (cfgv_path(val, field, CFG_PATH_MAX));
	case KT_TEXT:
		for (i = 0; val[i] != '\0'; i++)
			if ((unsigned char)val[i] < 0x20 || val[i] == 0x7f)
				return ("holds a control character");
		if (strlen(val) >= CFG_PATH_MAX)
			return ("too long");
		memcpy(field, val, strlen(val) + 1);
		return (NULL);
	case KT_IPV4:
		return (cfgv_ipv4(val, field));
	case KT_CIDR:
		return (cfgv_cidr(val, field, (unsigned *)((char *)obj + k->off2)));
	case KT_HOSTPORT:
		return (cfgv_hostport(val, field, CFG_HOST_MAX,
		    (uint16_t *)((char *)obj + k->off2)));
	case KT_DURATION:
		if ((err = cfgv_duration(val, (uint32_t)k->min,
		    (uint32_t)k->max, &d)) != NULL)
			return (err);
		*(uint32_t *)field = d;
		return (NULL);
	case KT_UINT:
		if ((err = cfgv_uint(val, k->min, k->max, &u)) != NULL)
			return (err);
		if (k->off2 == 2)
			*(uint16_t *)field = (uint16_t)u;
		else
			*(unsigned *)field = (unsigned)u;
		return (NULL);
	case KT_SIZE:
		return (cfgv_size(val, k->min, k->max, field));
	case KT_RANGES:
		return (set_list(k, obj, val, 1));
	case KT_ADDRS:
		return (set_list(k, obj, val, 0));
	case KT_DOMAIN:
		return (cfgv_domain(val, field, CFG_HOST_MAX));
	case KT_ENUM:
		for (i = 0; k->enums[i] != NULL; i++) {
			if (strcmp(val, k->enums[i]) == 0) {
				*(int *)field = i;
				return (NULL);
			}
		}
		return ("not one of the allowed values");
	case KT_ARCHES:
		return (set_arches(field, val));
	case KT_MAC:
		if ((err = cfgv_mac(val, field)) != NULL)
			return (err);
		*(int *)((char *)obj + k->off2) = 1;
		return (NULL);
	case KT_GUID:
		if ((err = cfgv_guid(val, field)) != NULL)
			return (err);
		*(int *)((char *)obj + k->off2) = 1;
		return (NULL);
	case KT_HEX:
		return (cfgv_hex(val, field, (size_t *)((char *)obj + k->off2),
		    (size_t)k->min, (size_t)k->max));
	case KT_HOSTNAME:
		if (strchr(val, '.') != NULL)
			return ("a host name has no dots (domain goes in "
			    "[subnet] domain)");
		return (cfgv_domain(val, field, CFG_HOST_MAX));
	}
	return ("unhandled key type");
}

static int
cfg_ini_handler(void *user, const char *section, const char *name,
    const char *value)
{
	struct parser *p = user;
	const struct secdef *sd;
	struct secinst *s = p->cur;
	const char *err;
	size_t i;

	(void)section;		/* we track sections ourselves, with lines */
	if (p->skipping)
		return (1);
	if (s == NULL) {
		cfg_add_err(p, p->line, NULL, NULL, "%s: key outside of any section",
		    name);
		return (1);
	}
	if (strncmp(name, "option.", 7) == 0) {
		struct cfg_opt **opts;
		size_t *nopts;

		if (cfg_option_list(p, s, &opts, &nopts) == 0) {
			cfg_option_key(p, s, name, value, opts, nopts);
			return (1);
		}
	}
	sd = &cfg_secdefs[s->kind];
	for (i = 0; i < sd->nkeys; i++)
		if (strcmp(sd->keys[i].key, name) == 0)
			break;
	if (i == sd->nkeys) {
		cfg_add_err(p, p->line, s, name, "unknown key");
		return (1);
	}
	if (s->keyline[i] != 0) {
		cfg_add_err(p, p->line, s, name, "duplicate key (first set on line "
		    "%u)", s->keyline[i]);
		return (1);
	}
	s->keyline[i] = p->line;
	if ((err = set_key(&sd->keys[i], sec_object(p, s), value)) != NULL) {
		cfg_add_err(p, p->line, s, name, "\"%s\": %s", value, err);
		s->badkeys |= 1u << i;	/* cross-checks skip it */
	}
	return (1);
}

/*
 * The reader inih calls for each line.  We hand back a trimmed copy of a
 * key line, or an empty line for anything we dealt with ourselves.
 */
static char *
cfg_ini_reader(char *str, int num, void *stream)
{
	struct parser *p = stream;
	const char *l, *nl;
	size_t n, lead;

	if (p->pos >= p->len || p->nev >= ERR_MAX || p->oom)
		return (NULL);
	l = p->text + p->pos;
	nl = memchr(l, '\n', p->len - p->pos);
	n = nl != NULL ? (size_t)(nl - l) : p->len - p->pos;
	p->pos += n + (nl != NULL);
	p->line++;
	if (n > 0 && l[n - 1] == '\r')
		n--;
	lead = 0;
	while (lead < n && (l[lead] == ' ' || l[lead] == '\t'))
		lead++;
	l += lead;
	n -= lead;
	str[0] = '\n';
	str[1] = '\0';
	if (memchr(l, '\0', n) != NULL) {
		cfg_add_err(p, p->line, NULL, NULL, "NUL byte in line");
		return (str);
	}
	if (n + 2 > (size_t)num || n > CFG_LINE_MAX) {
		cfg_add_err(p, p->line, NULL, NULL, "line longer than %d characters",
		    CFG_LINE_MAX);
		return (str);
	}
	if (n == 0 || l[0] == ';' || l[0] == '#')
		return (str);
	memcpy(str, l, n);
	str[n] = '\0';
	while (n > 0 && (str[n - 1] == ' ' || str[n - 1] == '\t'))
		str[--n] = '\0';
	if (str[0] == '[') {
		section_line(p, str);
		str[0] = '\n';
		str[1] = '\0';
		return (str);
	}
	if (strcspn(str, "=:") == n) {
		if (!p->skipping)
			cfg_add_err(p, p->line, p->cur, NULL,
			    "expected \"key = value\"");
		str[0] = '\n';
		str[1] = '\0';
		return (str);
	}
	str[n] = '\n';
	str[n + 1] = '\0';
	return (str);
}

static void
defaults(struct cfg *c)
{
	snprintf(c->node.state_dir, sizeof(c->node.state_dir), "%s/lib/pxeha",
	    PXEHA_LOCALSTATEDIR);
	c->node.log_level = 3;			/* "info", see cfg_check() */
	c->node.log_target = CFG_LOG_STDERR;
	snprintf(c->ctl.host, sizeof(c->ctl.host), "127.0.0.1");
	c->ctl.port = PXEHA_CTL_PORT;
	c->tftp.port = 69;
	c->tftp.max_sessions = 1000;
	c->tftp.max_per_client = 8;
	c->tftp.max_blksize = 65464;
	c->tftp.mtu_clamp = 1;
	c->tftp.max_window = 64;
	c->tftp.max_window_bytes = 128 * 1024;
	c->tftp.msftwindow = 1;
	c->tftp.upload_max = 1ull << 30;
	c->pxe.mode = CFG_PXE_OFF;
	snprintf(c->pxe.prompt, sizeof(c->pxe.prompt),
	    "Press F8 to boot from the network");
	c->pxe.prompt_timeout = 10;
	snprintf(c->http.host, sizeof(c->http.host), "0.0.0.0");
	c->http.port = 80;
	c->http.max_connections = 1000;
	c->dhcp.authoritative = 1;
	c->dhcp.offer_hold = 30;
	c->dhcp.decline_probation = 3600;
}

static int
cmp_ev(const void *a, const void *b)
{
	const struct perr *x = a, *y = b;

	if (x->line != y->line)
		return (x->line < y->line ? -1 : 1);
	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

int
cfg_errors_add(struct cfg_errors *e, char *msg)
{
	void *n;

	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 16;
		if ((n = realloc(e->msg, e->cap * sizeof(*e->msg))) == NULL) {
			free(msg);
			e->oom = 1;
			return (-1);
		}
		e->msg = n;
	}
	e->msg[e->n++] = msg;
	return (0);
}

struct cfg *
cfg_parse(const char *name, const char *text, size_t len,
    struct cfg_errors *errs)
{
	struct parser p;
	char *dup;
	size_t i;

	memset(&p, 0, sizeof(p));
	p.name = name;
	p.text = text;
	p.len = len;
	p.errs = errs;
	if ((p.cfg = calloc(1, sizeof(*p.cfg))) == NULL ||
	    (p.cfg->file = strdup(name)) == NULL) {
		free(p.cfg);
		errs->oom = 1;
		return (NULL);
	}
	defaults(p.cfg);
	/* Our handler never fails, so inih's own error return is unused. */
	(void)ini_parse_stream(cfg_ini_reader, &p, cfg_ini_handler, &p);
	if (p.nev < ERR_MAX)
		cfg_check(&p);
	if (p.oom)
		cfg_add_err(&p, 0, NULL, NULL, "out of memory");
	if (p.nev > 0)
		qsort(p.ev, p.nev, sizeof(*p.ev), cmp_ev);
	for (i = 0; i < p.nev; i++)
		(void)cfg_errors_add(errs, p.ev[i].msg);
	if (p.oom && p.nev == 0 && (dup = strdup("out of memory")) != NULL)
		(void)cfg_errors_add(errs, dup);
	free(p.ev);
	free(p.secs);
	if (p.nev > 0 || p.oom || errs->oom) {
		cfg_free(p.cfg);
		return (NULL);
	}
	return (p.cfg);
}

void
cfg_free(struct cfg *c)
{
	if (c == NULL)
		return;
	size_t i;

	for (i = 0; i < c->nsubnets; i++)
		free(c->subnets[i].opts);
	for (i = 0; i < c->nhosts; i++)
		free(c->hosts[i].opts);
	free(c->dhcp.opts);
	free(c->ifaces);
	free(c->subnets);
	free(c->hosts);
	free(c->boots);
	free(c->peers);
	free(c->file);
	free(c);
}

void
cfg_errors_fini(struct cfg_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	memset(e, 0, sizeof(*e));
}

const char *
cfg_arch_name(enum cfg_arch a)
{
	return ((unsigned)a < CFG_ARCH_COUNT ? arch_names[a] : "unknown");
}

const char *
cfg_pxe_mode_name(enum cfg_pxe_mode m)
{
	return ((unsigned)m < 3 ? pxe_modes[m] : "unknown");
}
