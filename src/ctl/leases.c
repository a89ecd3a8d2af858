/*
 * GET /leases[?subnet=NAME][&format=text] and GET /leases/ADDR: the lease
 * table as JSON (or a table for people), for `pxehactl leases|lease`.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "pxeha/clock.h"
#include "pxeha/config.h"
#include "pxeha/lease.h"
#include "../core/cfgval.h"
#include "json.h"
#include "leases.h"

struct walk {
	struct evbuffer		*b;
	const struct cfg	*cfg;
	int			 subnet;	/* -1: all */
	int			 text;
	size_t			 n;
	int64_t			 now;
};

static const char *
state_name(const struct lease *l, int64_t now)
{
	switch (l->state) {
	case LEASE_OFFERED:
		return (l->expires > now ? "offered" : "free");
	case LEASE_ACTIVE:
		return (l->expires > now ? "active" : "expired");
	case LEASE_RELEASED:
		return ("released");
	case LEASE_EXPIRED:
		return ("expired");
	case LEASE_DECLINED:
		return (l->expires > now ? "declined" : "free");
	default:
		return ("free");
	}
}

static void
fmt_hex(char *dst, size_t n, const uint8_t *p, size_t len)
{
	size_t i, o = 0;

	dst[0] = '\0';
	for (i = 0; i < len && o + 3 < n; i++)
		o += (size_t)snprintf(dst + o, n - o, "%s%02x", i ? ":" : "",
		    p[i]);
}

static int
emit(const struct lease *l, void *arg)
{
	struct walk *w = arg;
	char mac[64], cid[3 * LEASE_CID_MAX + 1], ex[32], st[32], ad[16];
	const char *sub = "";

	if (w->subnet >= 0 && l->subnet != (uint32_t)w->subnet)
		return (0);
	if (l->subnet < w->cfg->nsubnets)
		sub = w->cfg->subnets[l->subnet].name;
	fmt_hex(mac, sizeof(mac), l->hw, l->hwlen);
	fmt_hex(cid, sizeof(cid), l->cid, l->cidlen);
	json_time(ex, sizeof(ex), l->expires);
	json_time(st, sizeof(st), l->starts);
	cfgv_fmt_ip(ad, l->addr);
	if (w->text) {
		evbuffer_add_printf(w->b, "%-15s %-17s %-9s %-20s %-12s %s\n",
		    ad, mac, state_name(l, w->now), ex, sub, l->hostname);
	} else {
		evbuffer_add_printf(w->b, "%s{\"address\":\"%s\","
		    "\"mac\":\"%s\",\"client_id\":\"%s\",\"state\":\"%s\","
		    "\"starts\":\"%s\",\"expires\":\"%s\",\"subnet\":",
		    w->n ? ",\n" : "", ad, mac, cid, state_name(l, w->now), st,
		    ex);
		json_str(w->b, sub);
		evbuffer_add_printf(w->b, ",\"hostname\":");
		json_str(w->b, l->hostname);
		evbuffer_add_printf(w->b, ",\"seq\":%llu}",
		    (unsigned long long)l->seq);
	}
	w->n++;
	return (0);
}

int
ctl_leases(const struct lease_table *t, const struct cfg *c,
    const char *subnet, const char *addr, int text, struct evbuffer *b)
{
	struct walk w = { b, c, -1, text, 0, clock_wall() };
	const struct lease *l;
	uint32_t a;
	size_t i;

	if (subnet != NULL) {
		for (i = 0; i < c->nsubnets; i++)
			if (strcmp(c->subnets[i].name, subnet) == 0)
				w.subnet = (int)i;
		if (w.subnet < 0)
			return (-1);
	}
	if (text)
		evbuffer_add_printf(b, "%-15s %-17s %-9s %-20s %-12s %s\n",
		    "ADDRESS", "MAC", "STATE", "EXPIRES", "SUBNET", "HOSTNAME");
	if (addr != NULL) {
		if (cfgv_ipv4(addr, &a) != NULL ||
		    (l = lease_table_find_addr(t, a)) == NULL)
			return (-1);
		if (!text)
			evbuffer_add_printf(b, "[");
		emit(l, &w);
	} else {
		if (!text)
			evbuffer_add_printf(b, "[");
		lease_table_walk(t, emit, &w);
	}
	if (!text)
		evbuffer_add_printf(b, "]\n");
	return (0);
}
