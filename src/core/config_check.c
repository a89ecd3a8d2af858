/*
 * Checks that span keys and sections: pools inside their network and not
 * overlapping, subnets not overlapping, required keys, timer ordering.
 * Pure, like config.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"
#include "cfgval.h"

static int
key_index(const struct secinst *s, const char *key)
{
	const struct secdef *sd = &cfg_secdefs[s->kind];
	size_t i;

	for (i = 0; i < sd->nkeys; i++)
		if (strcmp(sd->keys[i].key, key) == 0)
			return ((int)i);
	return (-1);
}

/* 1 if the key was given with a valid value. */
static int
key_ok(const struct secinst *s, const char *key)
{
	int i = key_index(s, key);

	return (i >= 0 && s->keyline[i] != 0 && !(s->badkeys & (1u << i)));
}

/* Line of a key, or of its section when the key is absent. */
static unsigned
key_line(const struct secinst *s, const char *key)
{
	int i = key_index(s, key);

	return (i >= 0 && s->keyline[i] != 0 ? s->keyline[i] : s->line);
}

static void
require(struct parser *p, const struct secinst *s, const char *key)
{
	int i = key_index(s, key);

	if (i >= 0 && s->keyline[i] == 0)
		cfg_add_err(p, s->line, s, key, "required key is missing");
}

static int
overlaps(const struct cfg_range *a, const struct cfg_range *b)
{
	return (a->first <= b->last && b->first <= a->last);
}

static const struct secinst *
find_sec(const struct parser *p, enum sec_kind kind, size_t idx)
{
	size_t i;

	for (i = 0; i < p->nsecs; i++)
		if (p->secs[i].kind == kind && p->secs[i].idx == idx)
			return (&p->secs[i]);
	return (NULL);
}

static void
check_ranges(struct parser *p, const struct secinst *s,
    const struct cfg_subnet *sn, const char *key,
    const struct cfg_range *r, size_t n)
{
	uint32_t mask = sn->netmask, bcast = sn->network | ~mask;
	char a[16], b[16];
	size_t i, j;

	for (i = 0; i < n; i++) {
		cfgv_fmt_ip(a, r[i].first);
		cfgv_fmt_ip(b, r[i].last);
		if ((r[i].first & mask) != sn->network ||
		    (r[i].last & mask) != sn->network) {
			cfg_add_err(p, key_line(s, key), s, key, "%s-%s is not "
			    "inside the subnet's network", a, b);
			continue;
		}
		if (sn->prefix <= 30 && (r[i].first == sn->network ||
		    r[i].last == bcast))
			cfg_add_err(p, key_line(s, key), s, key, "%s-%s includes "
			    "the network or broadcast address", a, b);
		for (j = 0; j < i; j++)
			if (overlaps(&r[i], &r[j]))
				cfg_add_err(p, key_line(s, key), s, key, "%s-%s "
				    "overlaps another range of this list", a, b);
	}
}

static void
check_subnet_times(struct parser *p, const struct secinst *s,
    struct cfg_subnet *sn)
{
	if (!key_ok(s, "renew_time"))
		sn->renew_time = sn->lease_time / 2;
	if (!key_ok(s, "rebind_time"))
		sn->rebind_time = (uint32_t)((uint64_t)sn->lease_time * 7 / 8);
	if (sn->rebind_time >= sn->lease_time && key_ok(s, "rebind_time"))
		cfg_add_err(p, key_line(s, "rebind_time"), s, "rebind_time",
		    "must be shorter than lease_time (%us)", sn->lease_time);
	else if (sn->renew_time >= sn->rebind_time &&
	    (key_ok(s, "renew_time") || key_ok(s, "rebind_time")))
		cfg_add_err(p, key_line(s, "renew_time"), s, "renew_time",
		    "must be shorter than rebind_time (%us)", sn->rebind_time);
}

/*
 * A boot file name or URL goes into the 128-byte BOOTP file field, NUL
 * included, after each "{server}" (8 bytes) becomes an address of up to
 * 15.
 */
static void
check_boot_name(struct parser *p, const struct secinst *s, const char *key,
    const char *v)
{
	const char *q;
	size_t len = strlen(v);

	for (q = v; (q = strstr(q, "{server}")) != NULL; q += 8)
		len += 7;
	if (len > 127)
		cfg_add_err(p, key_line(s, key), s, key, "longer than the 127 "
		    "bytes the BOOTP file field holds (a {server} counts 15)");
}

static void
check_boot(struct parser *p, const struct secinst *s)
{
	const struct cfg *c = p->cfg;
	const struct cfg_boot *b = &c->boots[s->idx];
	size_t i;

	check_boot_name(p, s, "file", b->file);
	check_boot_name(p, s, "script", b->script);
	if (strlen(b->bcd) > 255)
		cfg_add_err(p, key_line(s, "bcd"), s, "bcd",
		    "longer than the 255 bytes option 252 holds");
	if (key_ok(s, "host")) {
		for (i = 0; i < c->nhosts; i++)
			if (strcmp(c->hosts[i].name, b->host) == 0)
				break;
		if (i == c->nhosts)
			cfg_add_err(p, key_line(s, "host"), s, "host",
			    "no [host %s] section declares it", b->host);
	}
	if (!key_ok(s, "subnet"))
		return;
	for (i = 0; i < c->nsubnets; i++)
		if (strcmp(c->subnets[i].name, b->subnet) == 0)
			return;
	cfg_add_err(p, key_line(s, "subnet"), s, "subnet",
	    "no [subnet %s] section declares it", b->subnet);
}

static void
check_subnet(struct parser *p, const struct secinst *s)
{
	struct cfg *c = p->cfg;
	struct cfg_subnet *sn = &c->subnets[s->idx];
	const struct secinst *o;
	char a[16];
	size_t i, j;

	require(p, s, "network");
	check_subnet_times(p, s, sn);
	if (strlen(sn->boot_file) > 127)
		cfg_add_err(p, key_line(s, "boot_file"), s, "boot_file",
		    "longer than the 127 bytes the BOOTP file field holds");
	if (key_ok(s, "interface")) {
		for (i = 0; i < c->nifaces; i++)
			if (strcmp(c->ifaces[i].name, sn->iface) == 0)
				break;
		if (i == c->nifaces)
			cfg_add_err(p, key_line(s, "interface"), s, "interface",
			    "no [interface %s] section declares it", sn->iface);
		for (i = 0; i < s->idx; i++) {
			if (strcmp(c->subnets[i].iface, sn->iface) == 0 &&
			    (o = find_sec(p, SEC_SUBNET, i)) != NULL)
				cfg_add_err(p, key_line(s, "interface"), s,
				    "interface", "%s already serves [%s] "
				    "(line %u)", sn->iface, o->label, o->line);
		}
	}
	if (!key_ok(s, "network"))
		return;
	sn->netmask = cfgv_mask(sn->prefix);
	check_ranges(p, s, sn, "pool", sn->pools, sn->npools);
	check_ranges(p, s, sn, "exclude", sn->excludes, sn->nexcludes);
	for (i = 0; i < sn->nrouters; i++) {
		if ((sn->routers[i] & sn->netmask) != sn->network) {
			cfgv_fmt_ip(a, sn->routers[i]);
			cfg_add_err(p, key_line(s, "router"), s, "router", "%s is "
			    "not inside the subnet's network", a);
		}
	}
	for (i = 0; i < s->idx; i++) {
		const struct cfg_subnet *other = &c->subnets[i];
		uint32_t m;

		if ((o = find_sec(p, SEC_SUBNET, i)) == NULL ||
		    !key_ok(o, "network"))
			continue;
		m = sn->prefix < other->prefix ? sn->netmask : other->netmask;
		if ((sn->network & m) == (other->network & m)) {
			cfg_add_err(p, key_line(s, "network"), s, "network",
			    "overlaps [%s] (line %u)", o->label,
			    key_line(o, "network"));
			continue;
		}
		for (j = 0; j < sn->npools; j++) {
			size_t k;

			for (k = 0; k < other->npools; k++)
				if (overlaps(&sn->pools[j], &other->pools[k]))
					cfg_add_err(p, key_line(s, "pool"), s,
					    "pool", "overlaps a pool of [%s] "
					    "(line %u)", o->label,
					    key_line(o, "pool"));
		}
	}
}

struct hkey {
	uint8_t		 key[64];
	size_t		 idx;
};

static int
cmp_hkey(const void *a, const void *b)
{
	const struct hkey *x = a, *y = b;
	int r = memcmp(x->key, y->key, sizeof(x->key));

	return (r != 0 ? r : (x->idx < y->idx ? -1 : x->idx > y->idx));
}

/*
 * Reservations must not share an address, MAC or client id.  Sorting keeps
 * this O(n log n) for sites with thousands of [host] sections.
 */
static void
check_host_dups(struct parser *p, int which, const char *key)
{
	struct cfg *c = p->cfg;
	const struct secinst *a, *b;
	struct hkey *k;
	size_t i, n = 0;

	if (c->nhosts < 2)
		return;
	if ((k = calloc(c->nhosts, sizeof(*k))) == NULL) {
		p->oom = 1;
		return;
	}
	for (i = 0; i < c->nhosts; i++) {
		const struct cfg_host *h = &c->hosts[i];

		if (which == 0 && h->address != 0)
			memcpy(k[n].key, &h->address, sizeof(h->address));
		else if (which == 1 && h->has_mac)
			memcpy(k[n].key, h->mac, sizeof(h->mac));
		else if (which == 2 && h->cidlen > 0) {
			k[n].key[0] = (uint8_t)h->cidlen;
			memcpy(k[n].key + 1, h->cid, h->cidlen < 63 ?
			    h->cidlen : 63);
		} else if (which == 3 && h->has_guid)
			memcpy(k[n].key, h->guid, sizeof(h->guid));
		else
			continue;
		k[n++].idx = i;
	}
	qsort(k, n, sizeof(*k), cmp_hkey);
	for (i = 1; i < n; i++) {
		if (memcmp(k[i].key, k[i - 1].key, sizeof(k[i].key)) != 0)
			continue;
		a = find_sec(p, SEC_HOST, k[i - 1].idx);
		b = find_sec(p, SEC_HOST, k[i].idx);
		if (a != NULL && b != NULL)
			cfg_add_err(p, key_line(b, key), b, key, "same as [%s] "
			    "(line %u)", a->label, key_line(a, key));
	}
	free(k);
}

static void
check_host(struct parser *p, const struct secinst *s)
{
	const struct cfg *c = p->cfg;
	const struct cfg_host *h = &c->hosts[s->idx];
	const struct cfg_subnet *sn;
	char a[16];
	size_t i;

	if (key_line(s, "mac") == s->line &&
	    key_line(s, "client_id") == s->line &&
	    key_line(s, "guid") == s->line)
		cfg_add_err(p, s->line, s, "mac", "a host needs mac, client_id "
		    "or guid");
	if (h->address == 0 || !key_ok(s, "address"))
		return;
	cfgv_fmt_ip(a, h->address);
	for (i = 0; i < c->nsubnets; i++) {
		sn = &c->subnets[i];
		if (sn->netmask == 0 || (h->address & sn->netmask) != sn->network)
			continue;
		if (sn->prefix <= 30 && (h->address == sn->network ||
		    h->address == (sn->network | ~sn->netmask)))
			cfg_add_err(p, key_line(s, "address"), s, "address",
			    "%s is the network or broadcast address", a);
		return;
	}
	cfg_add_err(p, key_line(s, "address"), s, "address", "%s is not inside "
	    "any [subnet]", a);
}

/* Cross-key checks, run once the whole file is read. */
void
cfg_check(struct parser *p)
{
	struct cfg *c = p->cfg;
	const struct secinst *s;
	size_t i;
	int n;

	/* log_level was read as an index into log_levels[]: LOG_ERR is 3. */
	c->node.log_level += 3;
	if (c->ctl.token_file[0] == '\0') {
		n = snprintf(c->ctl.token_file, sizeof(c->ctl.token_file),
		    "%s/ctl.token", c->node.state_dir);
		if (n < 0 || (size_t)n >= sizeof(c->ctl.token_file))
			cfg_add_err(p, 1, NULL, NULL, "state_dir too long for the "
			    "default token_file");
	}
	for (i = 0; i < p->nsecs; i++) {
		s = &p->secs[i];
		switch (s->kind) {
		case SEC_SUBNET:
			check_subnet(p, s);
			break;
		case SEC_TFTP:
			if (c->tftp.enable)
				require(p, s, "root");
			break;
		case SEC_PXE:
			if (strlen(c->pxe.prompt) > 64)
				cfg_add_err(p, key_line(s, "prompt"), s,
				    "prompt", "longer than 64 bytes");
			break;
		case SEC_HTTP:
			if (c->http.enable && !key_ok(s, "root") &&
			    c->tftp.root[0] == '\0')
				cfg_add_err(p, s->line, s, NULL, "enable = yes "
				    "needs root (or a [tftp] root to share)");
			break;
		case SEC_BOOT:
			require(p, s, "arch");
			require(p, s, "file");
			check_boot(p, s);
			break;
		case SEC_PEER:
			require(p, s, "address");
			require(p, s, "role");
			break;
		default:
			break;
		}
	}
	/* Hosts last: they need every subnet's netmask from check_subnet. */
	for (i = 0; i < p->nsecs; i++)
		if (p->secs[i].kind == SEC_HOST)
			check_host(p, &p->secs[i]);
	check_host_dups(p, 0, "address");
	check_host_dups(p, 1, "mac");
	check_host_dups(p, 2, "client_id");
	check_host_dups(p, 3, "guid");
}
