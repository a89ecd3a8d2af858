/*
 * What the DHCP service shows: /metrics families and its /status part.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "pxeha/clock.h"
#include "pxeha/config.h"
#include "pxeha/dhcp_io.h"
#include "pxeha/lease.h"
#include "pxeha/metrics.h"
#include "../ctl/json.h"
#include "../core/cfgval.h"
#include "dhcp_io_int.h"

const uint64_t flush_bucket_us[FLUSH_BUCKETS - 1] = {
	250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 500000
};

static const char *const extra_drops[] = { "malformed", "queue_full",
	"send_error" };

static const char *
drop_reason(size_t i)
{
	return (i < DHCP_DROP_COUNT ? dhcp_drop_name((enum dhcp_drop)i) :
	    extra_drops[i - DHCP_DROP_COUNT]);
}

static void
by_type(struct evbuffer *b, const char *name, const uint64_t *v)
{
	int t;

	for (t = DHCPDISCOVER; t <= DHCPINFORM; t++)
		evbuffer_add_printf(b, "%s{type=\"%s\"} %llu\n", name,
		    dhcp_type_name((enum dhcp_type)t), (unsigned long long)v[t]);
}

/* Sum of a subnet's pools. */
static void
subnet_stats(const struct dhcp_io *io, size_t i, struct lease_pool_stats *sum)
{
	struct lease_pool_stats ps;
	const int *ids;
	size_t n, k;

	memset(sum, 0, sizeof(*sum));
	n = dhcp_srv_subnet_pools(io->srv, i, &ids);
	for (k = 0; k < n; k++) {
		if (lease_table_pool_stats(io->t, ids[k], clock_wall(),
		    &ps) == -1)
			continue;
		sum->total += ps.total;
		sum->free += ps.free;
		sum->leased += ps.leased;
		sum->offered += ps.offered;
		sum->declined += ps.declined;
	}
}

void
dhcp_io_metrics(const struct dhcp_io *io, struct evbuffer *b)
{
	struct dhcp_io *w = (struct dhcp_io *)(uintptr_t)io;	/* for mu */
	struct lease_pool_stats ps;
	uint64_t hist[FLUSH_BUCKETS], flushes, sum, acc = 0;
	size_t i;

	metrics_family(b, "pxeha_dhcp_received_total", "counter",
	    "DHCP requests received, by message type.");
	by_type(b, "pxeha_dhcp_received_total", io->recv);
	metrics_family(b, "pxeha_dhcp_sent_total", "counter",
	    "DHCP replies sent, by message type.");
	by_type(b, "pxeha_dhcp_sent_total", io->sent);
	metrics_family(b, "pxeha_dhcp_dropped_total", "counter",
	    "DHCP requests that got no reply, by reason.");
	for (i = 1; i < DROP_REASONS; i++)
		evbuffer_add_printf(b, "pxeha_dhcp_dropped_total{reason=\"%s\"}"
		    " %llu\n", drop_reason(i), (unsigned long long)io->drops[i]);
	metrics_family(b, "pxeha_dhcp_kernel_drops_total", "counter",
	    "Requests the kernel dropped because a socket's receive queue "
	    "was full (as of the last packet read from it).");
	for (i = 0; i < io->nsocks; i++)
		evbuffer_add_printf(b, "pxeha_dhcp_kernel_drops_total"
		    "{interface=\"%s\",port=\"%s\"} %u\n", io->socks[i].name,
		    io->socks[i].bootsrv ? "pxe" : "dhcp",
		    io->socks[i].kernel_drops);
	metrics_family(b, "pxeha_pxe_answers_total", "counter",
	    "Boot answers sent, by where (our DHCP reply, a proxy offer, the "
	    "4011 boot server) and client architecture.");
	for (i = 0; i < 3; i++) {
		static const char *const ph[] = { "dhcp", "proxy", "4011" };
		unsigned a;

		for (a = 0; a <= PXE_ARCH_UNKNOWN; a++)
			evbuffer_add_printf(b, "pxeha_pxe_answers_total{phase="
			    "\"%s\",arch=\"%s\"} %llu\n", ph[i],
			    pxe_arch_name((enum pxe_arch)a),
			    (unsigned long long)io->pxe_answers[i][a]);
	}
	metrics_u64(b, "pxeha_dhcp_acks_waiting", "gauge",
	    "ACKs held until their lease is on stable storage.", io->nheld);
	metrics_u64(b, "pxeha_lease_journal_durable_seq", "gauge",
	    "Highest lease change sequence number on stable storage.",
	    lease_journal_durable_seq(io->j));

	pthread_mutex_lock(&w->mu);
	memcpy(hist, io->flush_hist, sizeof(hist));
	flushes = io->flushes;
	sum = io->flush_us_sum;
	pthread_mutex_unlock(&w->mu);
	metrics_family(b, "pxeha_lease_journal_flush_seconds", "histogram",
	    "Time of one journal write + fdatasync (group commit).");
	for (i = 0; i < FLUSH_BUCKETS - 1; i++) {
		acc += hist[i];
		evbuffer_add_printf(b, "pxeha_lease_journal_flush_seconds_bucket"
		    "{le=\"%g\"} %llu\n", (double)flush_bucket_us[i] / 1e6,
		    (unsigned long long)acc);
	}
	evbuffer_add_printf(b, "pxeha_lease_journal_flush_seconds_bucket"
	    "{le=\"+Inf\"} %llu\npxeha_lease_journal_flush_seconds_sum %.6f\n"
	    "pxeha_lease_journal_flush_seconds_count %llu\n",
	    (unsigned long long)flushes, (double)sum / 1e6,
	    (unsigned long long)flushes);

	metrics_family(b, "pxeha_dhcp_pool_addresses", "gauge",
	    "Pool addresses by subnet and state.");
	for (i = 0; i < io->cfg->nsubnets; i++) {
		const char *n = io->cfg->subnets[i].name;

		subnet_stats(io, i, &ps);
		evbuffer_add_printf(b,
		    "pxeha_dhcp_pool_addresses{subnet=\"%s\",state=\"leased\"} %llu\n"
		    "pxeha_dhcp_pool_addresses{subnet=\"%s\",state=\"offered\"} %llu\n"
		    "pxeha_dhcp_pool_addresses{subnet=\"%s\",state=\"declined\"} %llu\n"
		    "pxeha_dhcp_pool_addresses{subnet=\"%s\",state=\"free\"} %llu\n",
		    n, (unsigned long long)ps.leased, n,
		    (unsigned long long)ps.offered, n,
		    (unsigned long long)ps.declined, n,
		    (unsigned long long)ps.free);
	}
}

void
dhcp_io_status_json(const struct dhcp_io *io, struct evbuffer *b)
{
	struct lease_pool_stats ps;
	char ip[CFGV_IPSTR];
	size_t i;

	evbuffer_add_printf(b, "{\"state\":\"running\",\"interfaces\":[");
	for (i = 0; i < io->nsocks; i++) {
		evbuffer_add_printf(b, "%s{\"name\":", i ? "," : "");
		json_str(b, io->socks[i].name);
		evbuffer_add_printf(b, ",\"port\":\"%s\",\"state\":\"%s\","
		    "\"address\":\"%s\"}", io->socks[i].bootsrv ? "pxe" : "dhcp",
		    io->socks[i].listening ? "listening" : "down",
		    cfgv_fmt_ip(ip, io->socks[i].addr));
	}
	evbuffer_add_printf(b, "],\"subnets\":[");
	for (i = 0; i < io->cfg->nsubnets; i++) {
		const struct cfg_subnet *sn = &io->cfg->subnets[i];

		subnet_stats(io, i, &ps);
		evbuffer_add_printf(b, "%s{\"name\":", i ? "," : "");
		json_str(b, sn->name);
		evbuffer_add_printf(b, ",\"network\":\"%s/%u\","
		    "\"total\":%llu,\"leased\":%llu,\"offered\":%llu,"
		    "\"free\":%llu,\"declined\":%llu,\"reserved\":%zu}",
		    cfgv_fmt_ip(ip, sn->network), sn->prefix,
		    (unsigned long long)ps.total,
		    (unsigned long long)ps.leased,
		    (unsigned long long)ps.offered,
		    (unsigned long long)ps.free,
		    (unsigned long long)ps.declined,
		    dhcp_srv_subnet_reserved(io->srv, i));
	}
	evbuffer_add_printf(b, "],\"leases\":%zu,\"journal_seq\":%llu,"
	    "\"acks_waiting\":%zu}", lease_table_count(io->t),
	    (unsigned long long)lease_journal_durable_seq(io->j), io->nheld);
}

void
dhcp_io_status_text(const struct dhcp_io *io, struct evbuffer *b)
{
	struct lease_pool_stats ps;
	char ip[CFGV_IPSTR];
	size_t i;

	for (i = 0; i < io->nsocks; i++)
		evbuffer_add_printf(b, "  %-10s %s on %s\n",
		    io->socks[i].bootsrv ? "pxe 4011" : "dhcp",
		    io->socks[i].listening ? "listening" : "NOT listening",
		    io->socks[i].name);
	for (i = 0; i < io->cfg->nsubnets; i++) {
		const struct cfg_subnet *sn = &io->cfg->subnets[i];

		subnet_stats(io, i, &ps);
		evbuffer_add_printf(b, "  subnet     %-12s %s/%u: "
		    "%llu of %llu leased, %llu free, %llu offered, "
		    "%llu declined, %zu reserved\n", sn->name,
		    cfgv_fmt_ip(ip, sn->network), sn->prefix,
		    (unsigned long long)ps.leased,
		    (unsigned long long)ps.total,
		    (unsigned long long)ps.free,
		    (unsigned long long)ps.offered,
		    (unsigned long long)ps.declined,
		    dhcp_srv_subnet_reserved(io->srv, i));
	}
}

static const char *const seen_phase[] = { "dhcp", "proxy", "4011" };

/* The i-th newest boot answer (0: the newest). */
static const struct pxe_seen *
seen_at(const struct dhcp_io *io, size_t i)
{
	return (&io->pxe_seen[(io->pxe_seen_next + PXE_SEEN_MAX - 1 - i) %
	    PXE_SEEN_MAX]);
}

void
dhcp_io_pxe_json(const struct dhcp_io *io, struct evbuffer *b)
{
	const struct pxe_seen *e;
	char t[32], mac[18], ip[CFGV_IPSTR];
	size_t i;

	evbuffer_add_printf(b, "{\"answers\":[");
	for (i = 0; i < io->pxe_seen_n; i++) {
		e = seen_at(io, i);
		json_time(t, sizeof(t), e->wall);
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		    e->mac[0], e->mac[1], e->mac[2], e->mac[3], e->mac[4],
		    e->mac[5]);
		evbuffer_add_printf(b, "%s{\"time\":\"%s\",\"mac\":\"%s\","
		    "\"address\":\"%s\",\"interface\":", i ? "," : "", t, mac,
		    e->to != 0 ? cfgv_fmt_ip(ip, e->to) : "");
		json_str(b, e->iface);
		evbuffer_add_printf(b, ",\"phase\":\"%s\",\"arch\":\"%s\","
		    "\"ipxe\":%s,\"rule\":", seen_phase[e->phase % 3],
		    pxe_arch_name((enum pxe_arch)e->arch),
		    e->ipxe ? "true" : "false");
		json_str(b, e->rule);
		evbuffer_add_printf(b, ",\"file\":");
		json_str(b, e->file);
		evbuffer_add_printf(b, "}");
	}
	evbuffer_add_printf(b, "]}\n");
}

void
dhcp_io_pxe_text(const struct dhcp_io *io, struct evbuffer *b)
{
	const struct pxe_seen *e;
	char t[32], ip[CFGV_IPSTR];
	size_t i;

	if (io->pxe_seen_n == 0) {
		evbuffer_add_printf(b, "no boot answers yet\n");
		return;
	}
	evbuffer_add_printf(b, "%-20s  %-17s  %-15s  %-5s  %-15s  %-12s  %s\n",
	    "time", "mac", "address", "phase", "client", "rule", "file");
	for (i = 0; i < io->pxe_seen_n; i++) {
		char client[24];

		e = seen_at(io, i);
		json_time(t, sizeof(t), e->wall);
		snprintf(client, sizeof(client), "%s%s",
		    pxe_arch_name((enum pxe_arch)e->arch), e->ipxe ? "+ipxe" : "");
		evbuffer_add_printf(b, "%-20s  %02x:%02x:%02x:%02x:%02x:%02x  "
		    "%-15s  %-5s  %-15s  %-12s  %s\n", t, e->mac[0], e->mac[1],
		    e->mac[2], e->mac[3], e->mac[4], e->mac[5],
		    e->to != 0 ? cfgv_fmt_ip(ip, e->to) : "-",
		    seen_phase[e->phase % 3], client, e->rule, e->file);
	}
}
