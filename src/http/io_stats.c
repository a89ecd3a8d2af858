/*
 * The boot-file HTTP server's views: /metrics families and the /status
 * object and line (http_boot.h).
 */
#include <stdio.h>

#include <event2/buffer.h>

#include "pxeha/http_boot.h"
#include "pxeha/metrics.h"
#include "pxeha/tftp_files.h"
#include "../ctl/json.h"
#include "http_int.h"

void
http_boot_metrics(const struct http_boot *hb, struct evbuffer *b)
{
	struct tftp_files_stats fs;
	size_t i;

	metrics_family(b, "pxeha_http_requests_total", "counter",
	    "Boot-file HTTP requests answered, by status code.");
	for (i = 0; i < HB_NCODES; i++)
		evbuffer_add_printf(b, "pxeha_http_requests_total{code=\"%d\"} "
		    "%llu\n", hb_codes[i], (unsigned long long)hb->by_code[i]);
	evbuffer_add_printf(b, "pxeha_http_requests_total{code=\"other\"} "
	    "%llu\n", (unsigned long long)hb->by_code[HB_NCODES]);
	metrics_u64(b, "pxeha_http_bytes_sent_total", "counter",
	    "File bytes the kernel took for boot-file HTTP bodies.",
	    hb->bytes_sent + hb_live_bytes(hb));
	metrics_u64(b, "pxeha_http_active_transfers", "gauge",
	    "Boot-file HTTP bodies being sent.", hb->nxfers);
	metrics_u64(b, "pxeha_http_connections", "gauge",
	    "Boot-file HTTP connections open (from their first request).",
	    hb->nconns);
	metrics_u64(b, "pxeha_http_connections_accepted_total", "counter",
	    "Boot-file HTTP connections accepted.", hb->conns_total);
	metrics_family(b, "pxeha_http_transfers_total", "counter",
	    "Boot-file HTTP bodies ended, by result.");
	evbuffer_add_printf(b, "pxeha_http_transfers_total{result=\"done\"} "
	    "%llu\npxeha_http_transfers_total{result=\"failed\"} %llu\n",
	    (unsigned long long)hb->xfers_done,
	    (unsigned long long)hb->xfers_failed);
	metrics_family(b, "pxeha_http_errors_total", "counter",
	    "Boot-file HTTP requests refused and bodies cut short, by "
	    "reason.");
	for (i = 0; i < HB_E_COUNT; i++)
		evbuffer_add_printf(b, "pxeha_http_errors_total{reason=\"%s\"} "
		    "%llu\n", hb_err_names[i],
		    (unsigned long long)hb->errors[i]);
	if (hb->files != NULL) {
		tftp_files_get_stats(hb->files, &fs);
		metrics_u64(b, "pxeha_http_open_files", "gauge",
		    "Distinct files open for boot-file HTTP bodies.",
		    fs.open_files);
		metrics_u64(b, "pxeha_http_case_lookups_total", "counter",
		    "HTTP names found only by ignoring case.",
		    fs.case_lookups + fs.case_cache_hits);
	}
}

void
http_boot_status_json(const struct http_boot *hb, struct evbuffer *b)
{
	char	 l[CFG_HOST_MAX + 8];

	evbuffer_add_printf(b, "{\"state\":\"%s\",\"listen\":",
	    hb->sock != NULL ? "running" : "disabled");
	snprintf(l, sizeof(l), "%s:%u", hb->cfg.host, hb->cfg.port);
	json_str(b, l);
	evbuffer_add_printf(b, ",\"root\":");
	json_str(b, hb->root);
	evbuffer_add_printf(b, ",\"connections\":%u,\"max_connections\":%u,"
	    "\"active_transfers\":%u,\"requests\":%llu,\"transfers_done\":"
	    "%llu,\"transfers_failed\":%llu,\"bytes_sent\":%llu}",
	    hb->nconns, hb->cfg.max_connections, hb->nxfers,
	    (unsigned long long)hb->requests,
	    (unsigned long long)hb->xfers_done,
	    (unsigned long long)hb->xfers_failed,
	    (unsigned long long)(hb->bytes_sent + hb_live_bytes(hb)));
}

void
http_boot_status_text(const struct http_boot *hb, struct evbuffer *b)
{
	if (hb->sock == NULL) {
		evbuffer_add_printf(b, "  http       disabled\n");
		return;
	}
	evbuffer_add_printf(b, "  http       %s on %s:%u: %u connections, %u "
	    "active, %llu done, %llu failed, %llu bytes sent\n", hb->root,
	    hb->cfg.host, hb->cfg.port, hb->nconns, hb->nxfers,
	    (unsigned long long)hb->xfers_done,
	    (unsigned long long)hb->xfers_failed,
	    (unsigned long long)(hb->bytes_sent + hb_live_bytes(hb)));
}
