/*
 * The control endpoint on evhttp.  Loopback by default; the mutating verb
 * (POST /reload) needs the bearer token from [ctl] token_file.
 */
#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>

#include "pxeha/clock.h"
#include "pxeha/ctl.h"
#include "pxeha/daemon.h"
#include "pxeha/dhcp_io.h"
#include "pxeha/tftp_io.h"
#include "pxeha/http_boot.h"
#include "pxeha/log.h"
#include "pxeha/metrics.h"
#include "pxeha/service.h"
#include "build_config.h"
#include "json.h"
#include "leases.h"

struct ctl {
	struct pxeha		*px;
	struct evhttp		*http;
	uint64_t		 requests, denied;
};

/* Copy query parameter name into buf; 0 if present, -1 if not. */
static int
query_param(struct evhttp_request *req, const char *name, char *buf,
    size_t len)
{
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq args;
	const char *v;
	int r = -1;

	if (q == NULL || evhttp_parse_query_str(q, &args) != 0)
		return (-1);
	if ((v = evhttp_find_header(&args, name)) != NULL &&
	    strlen(v) < len) {
		memcpy(buf, v, strlen(v) + 1);
		r = 0;
	}
	evhttp_clear_headers(&args);
	return (r);
}

static int
want_text(struct evhttp_request *req)
{
	char f[8];

	return (query_param(req, "format", f, sizeof(f)) == 0 &&
	    strcmp(f, "text") == 0);
}

static void
status_json(struct ctl *c, struct evbuffer *b)
{
	const struct pxeha *px = c->px;
	const struct cfg *cfg = px->cfg;
	char t1[CFG_HOST_MAX + 8], t2[32];

	json_time(t1, sizeof(t1), px->start_wall);
	json_time(t2, sizeof(t2), px->loaded_wall);
	evbuffer_add_printf(b, "{\"version\":\"%s\",\"node\":", PXEHA_VERSION);
	json_str(b, cfg->node.name);
	evbuffer_add_printf(b, ",\"pid\":%ld,\"started\":\"%s\","
	    "\"uptime_seconds\":%llu,\"config\":{\"file\":", (long)getpid(),
	    t1, (unsigned long long)((clock_ms() - px->start_ms) / 1000));
	json_str(b, px->cfg_path);
	evbuffer_add_printf(b, ",\"generation\":%llu,\"sha256\":",
	    (unsigned long long)px->generation);
	json_hex(b, cfg->sha256, sizeof(cfg->sha256));
	evbuffer_add_printf(b, ",\"loaded\":\"%s\",\"reloads_ok\":%llu,"
	    "\"reloads_failed\":%llu},\"subsystems\":{\"ctl\":{\"state\":"
	    "\"running\",\"listen\":", t2,
	    (unsigned long long)px->reloads_ok,
	    (unsigned long long)px->reloads_failed);
	snprintf(t1, sizeof(t1), "%s:%u", cfg->ctl.host, cfg->ctl.port);
	json_str(b, t1);
	evbuffer_add_printf(b, ",\"requests\":%llu}",
	    (unsigned long long)c->requests);
	if (px->dhcp != NULL) {
		evbuffer_add_printf(b, ",\"dhcp\":");
		dhcp_io_status_json(px->dhcp, b);
	}
	if (px->tftp != NULL) {
		evbuffer_add_printf(b, ",\"tftp\":");
		tftp_io_status_json(px->tftp, b);
	}
	if (px->http != NULL) {
		evbuffer_add_printf(b, ",\"http\":");
		http_boot_status_json(px->http, b);
	}
	evbuffer_add_printf(b, "}}\n");
}

static void
status_text(struct ctl *c, struct evbuffer *b)
{
	const struct pxeha *px = c->px;
	const struct cfg *cfg = px->cfg;
	char t1[32], t2[32];
	size_t i;

	json_time(t1, sizeof(t1), px->start_wall);
	json_time(t2, sizeof(t2), px->loaded_wall);
	evbuffer_add_printf(b, "pxeha %s on %s (pid %ld)\n", PXEHA_VERSION,
	    cfg->node.name, (long)getpid());
	evbuffer_add_printf(b, "  up since %s (%llus)\n", t1,
	    (unsigned long long)((clock_ms() - px->start_ms) / 1000));
	evbuffer_add_printf(b, "  config     %s, generation %llu, loaded %s\n",
	    px->cfg_path, (unsigned long long)px->generation, t2);
	evbuffer_add_printf(b, "  sha256     ");
	for (i = 0; i < sizeof(cfg->sha256); i++)
		evbuffer_add_printf(b, "%02x", cfg->sha256[i]);
	evbuffer_add_printf(b, "\n  reloads    %llu ok, %llu failed\n",
	    (unsigned long long)px->reloads_ok,
	    (unsigned long long)px->reloads_failed);
	evbuffer_add_printf(b, "  ctl        running on %s:%u\n",
	    cfg->ctl.host, cfg->ctl.port);
	if (px->dhcp != NULL)
		dhcp_io_status_text(px->dhcp, b);
	if (px->tftp != NULL)
		tftp_io_status_text(px->tftp, b);
	if (px->http != NULL)
		http_boot_status_text(px->http, b);
}

static void
metrics_text(struct ctl *c, struct evbuffer *b)
{
	const struct pxeha *px = c->px;
	struct procstat ps;

	metrics_family(b, "pxeha_build_info", "gauge",
	    "Build information; the value is always 1.");
	evbuffer_add_printf(b, "pxeha_build_info{version=\"%s\",openssl=\"%s\","
	    "libevent=\"%s\"} 1\n", PXEHA_VERSION,
	    OpenSSL_version(OPENSSL_VERSION_STRING), event_get_version());
	metrics_u64(b, "pxeha_config_generation", "gauge",
	    "Generation of the live configuration snapshot.", px->generation);
	metrics_family(b, "pxeha_config_reloads_total", "counter",
	    "Configuration reloads by result.");
	evbuffer_add_printf(b, "pxeha_config_reloads_total{result=\"ok\"} "
	    "%llu\npxeha_config_reloads_total{result=\"error\"} %llu\n",
	    (unsigned long long)px->reloads_ok,
	    (unsigned long long)px->reloads_failed);
	metrics_u64(b, "pxeha_config_loaded_timestamp_seconds", "gauge",
	    "When the live configuration was installed.",
	    (uint64_t)px->loaded_wall);
	metrics_u64(b, "pxeha_log_suppressed_total", "counter",
	    "Log lines dropped by per-site rate limiting.",
	    log_suppressed_total());
	metrics_u64(b, "pxeha_ctl_requests_total", "counter",
	    "Requests to the control endpoint.", c->requests);
	metrics_u64(b, "pxeha_ctl_denied_total", "counter",
	    "Control requests refused for a missing or wrong token.",
	    c->denied);

	service_procstat(&ps);
	metrics_family(b, "process_cpu_seconds_total", "counter",
	    "Total user and system CPU time spent in seconds.");
	evbuffer_add_printf(b, "process_cpu_seconds_total %.3f\n",
	    ps.cpu_seconds);
	metrics_u64(b, "process_resident_memory_bytes", "gauge",
	    "Resident memory size in bytes.", ps.rss_bytes);
	metrics_u64(b, "process_virtual_memory_bytes", "gauge",
	    "Virtual memory size in bytes.", ps.vsize_bytes);
	metrics_u64(b, "process_open_fds", "gauge",
	    "Number of open file descriptors.", ps.open_fds);
	metrics_u64(b, "process_max_fds", "gauge",
	    "Maximum number of open file descriptors.", ps.max_fds);
	metrics_u64(b, "process_start_time_seconds", "gauge",
	    "Start time of the process since unix epoch in seconds.",
	    (uint64_t)px->start_wall);
	if (px->dhcp != NULL)
		dhcp_io_metrics(px->dhcp, b);
	if (px->tftp != NULL)
		tftp_io_metrics(px->tftp, b);
	if (px->http != NULL)
		http_boot_metrics(px->http, b);
}

static void
reply(struct evhttp_request *req, int code, const char *reason,
    const char *ctype, struct evbuffer *b)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", ctype);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Cache-Control", "no-store");
	evhttp_send_reply(req, code, reason, b);
}

static int
authorized(struct ctl *c, struct evhttp_request *req)
{
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	size_t n = strlen(c->px->token);

	if (h == NULL || strncmp(h, "Bearer ", 7) != 0 || n == 0)
		return (0);
	h += 7;
	return (strlen(h) == n && CRYPTO_memcmp(h, c->px->token, n) == 0);
}

static void
do_reload(struct ctl *c, struct evhttp_request *req, struct evbuffer *b)
{
	static struct log_rl rl;
	struct cfg_errors errs = { 0 };
	size_t i;
	int text;

	if (!authorized(c, req)) {
		c->denied++;
		log_rl(&rl, clock_ms(), LOG_WARNING, "ctl: reload refused: "
		    "missing or wrong token");
		evbuffer_add_printf(b, "{\"result\":\"denied\",\"error\":"
		    "\"missing or wrong bearer token\"}\n");
		reply(req, 401, "Unauthorized", "application/json", b);
		return;
	}
	text = want_text(req);
	if (pxeha_reload(c->px, &errs) == 0) {
		if (text)
			evbuffer_add_printf(b, "reloaded: generation %llu is "
			    "live\n", (unsigned long long)c->px->generation);
		else
			evbuffer_add_printf(b, "{\"result\":\"ok\","
			    "\"generation\":%llu}\n",
			    (unsigned long long)c->px->generation);
		reply(req, 200, "OK", text ? "text/plain" :
		    "application/json", b);
		cfg_errors_fini(&errs);
		return;
	}
	if (text) {
		evbuffer_add_printf(b, "reload failed; generation %llu stays "
		    "live:\n", (unsigned long long)c->px->generation);
		for (i = 0; i < errs.n; i++)
			evbuffer_add_printf(b, "  %s\n", errs.msg[i]);
	} else {
		evbuffer_add_printf(b, "{\"result\":\"error\",\"generation\":"
		    "%llu,\"errors\":[", (unsigned long long)c->px->generation);
		for (i = 0; i < errs.n; i++) {
			if (i > 0)
				evbuffer_add(b, ",", 1);
			json_str(b, errs.msg[i]);
		}
		evbuffer_add_printf(b, "]}\n");
	}
	reply(req, 422, "Unprocessable Entity", text ? "text/plain" :
	    "application/json", b);
	cfg_errors_fini(&errs);
}

static void
do_leases(struct ctl *c, struct evhttp_request *req, struct evbuffer *b,
    const char *addr)
{
	char subnet[CFG_NAME_MAX];
	int text = want_text(req), have = query_param(req, "subnet", subnet,
	    sizeof(subnet)) == 0;

	if (c->px->dhcp == NULL || ctl_leases(dhcp_io_table(c->px->dhcp),
	    c->px->cfg, have ? subnet : NULL, addr, text, b) == -1) {
		evbuffer_drain(b, evbuffer_get_length(b));
		evbuffer_add_printf(b, "no such %s\n", addr != NULL ? "lease" :
		    "subnet");
		reply(req, 404, "Not Found", "text/plain", b);
		return;
	}
	reply(req, 200, "OK", text ? "text/plain; charset=utf-8" :
	    "application/json", b);
}

static void
ctl_cb(struct evhttp_request *req, void *arg)
{
	struct ctl *c = arg;
	struct evbuffer *b;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	enum evhttp_cmd_type m = evhttp_request_get_command(req);

	c->requests++;
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, 500, "out of memory");
		return;
	}
	if (path == NULL)
		path = "";
	if (strcmp(path, "/reload") == 0 && m == EVHTTP_REQ_POST)
		do_reload(c, req, b);
	else if (strcmp(path, "/reload") == 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "POST");
		evbuffer_add_printf(b, "use POST\n");
		reply(req, 405, "Method Not Allowed", "text/plain", b);
	} else if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evbuffer_add_printf(b, "use GET\n");
		reply(req, 405, "Method Not Allowed", "text/plain", b);
	} else if (strcmp(path, "/status") == 0 && want_text(req)) {
		status_text(c, b);
		reply(req, 200, "OK", "text/plain; charset=utf-8", b);
	} else if (strcmp(path, "/status") == 0) {
		status_json(c, b);
		reply(req, 200, "OK", "application/json", b);
	} else if (strcmp(path, "/leases") == 0 ||
	    strncmp(path, "/leases/", 8) == 0)
		do_leases(c, req, b, path[7] == '/' ? path + 8 : NULL);
	else if (strcmp(path, "/tftp") == 0 && c->px->tftp != NULL) {
		if (want_text(req))
			tftp_io_sessions_text(c->px->tftp, b);
		else
			tftp_io_sessions_json(c->px->tftp, b);
		reply(req, 200, "OK", want_text(req) ?
		    "text/plain; charset=utf-8" : "application/json", b);
	} else if (strcmp(path, "/pxe") == 0 && c->px->dhcp != NULL) {
		if (want_text(req))
			dhcp_io_pxe_text(c->px->dhcp, b);
		else
			dhcp_io_pxe_json(c->px->dhcp, b);
		reply(req, 200, "OK", want_text(req) ?
		    "text/plain; charset=utf-8" : "application/json", b);
	} else if (strcmp(path, "/metrics") == 0) {
		metrics_text(c, b);
		reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8",
		    b);
	} else {
		evbuffer_add_printf(b, "not found; try /status, /metrics, "
		    "/leases, /tftp, /pxe, POST /reload\n");
		reply(req, 404, "Not Found", "text/plain", b);
	}
	evbuffer_free(b);
}

struct ctl *
ctl_new(struct pxeha *px)
{
	struct ctl *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->px = px;
	if ((c->http = evhttp_new(px->base)) == NULL) {
		free(c);
		return (NULL);
	}
	evhttp_set_allowed_methods(c->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST);
	evhttp_set_max_body_size(c->http, 4096);
	evhttp_set_max_headers_size(c->http, 8192);
	evhttp_set_timeout(c->http, 10);
	evhttp_set_gencb(c->http, ctl_cb, c);
	if (evhttp_bind_socket(c->http, px->cfg->ctl.host,
	    px->cfg->ctl.port) != 0) {
		log_warn("ctl: cannot listen on %s:%u", px->cfg->ctl.host,
		    px->cfg->ctl.port);
		evhttp_free(c->http);
		free(c);
		return (NULL);
	}
	log_info("ctl: listening on %s:%u", px->cfg->ctl.host,
	    px->cfg->ctl.port);
	return (c);
}

void
ctl_free(struct ctl *c)
{
	if (c == NULL)
		return;
	evhttp_free(c->http);
	free(c);
}
