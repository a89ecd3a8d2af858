/*
 * pxehactl: the operator's client for pxeha's control endpoint.
 *
 *   pxehactl [-s HOST:PORT] [-c CONFIG] [-t TOKEN_FILE] [--json] VERB
 *
 * With no flags it talks to 127.0.0.1 on the default ctl port, so
 * "ip netns exec NS pxehactl status" works wherever pxeha runs with the
 * default [ctl].  -c reads the address and token file from a pxeha config.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "pxeha/config.h"
#include "build_config.h"
#include "../src/core/cfgval.h"

#define DEFAULT_TOKEN	PXEHA_LOCALSTATEDIR "/lib/pxeha/ctl.token"

enum { EX_OK = 0, EX_FAIL = 1, EX_USAGE = 2, EX_CONN = 3 };

struct result {
	struct event_base *base;
	int		 done;
	int		 code;		/* HTTP status, 0: no response */
	struct evbuffer	*body;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: pxehactl [options] status | metrics | reload | leases | "
	    "lease ADDR | tftp | pxe\n"
	    "  -s, --server HOST:PORT  control endpoint (default 127.0.0.1:%d)\n"
	    "  -c, --config FILE       read [ctl] listen and token_file from a "
	    "pxeha config\n"
	    "  -t, --token-file FILE   token for reload (default %s)\n"
	    "  -j, --json              machine-readable output\n"
	    "  -T, --timeout SECONDS   give up after this long (default 5)\n"
	    "  -S, --subnet NAME       leases: only this [subnet]\n"
	    "exit status: 0 ok, 1 the server refused or failed, 2 usage, "
	    "3 cannot reach pxeha\n", PXEHA_CTL_PORT, DEFAULT_TOKEN);
}

static void
done_cb(struct evhttp_request *req, void *arg)
{
	struct result *r = arg;

	r->done = 1;
	/* Do not wait for the keep-alive connection to time out. */
	event_base_loopexit(r->base, NULL);
	if (req == NULL)
		return;
	r->code = evhttp_request_get_response_code(req);
	evbuffer_add_buffer(r->body, evhttp_request_get_input_buffer(req));
}

static int
request(const char *host, uint16_t port, enum evhttp_cmd_type method,
    const char *uri, const char *token, int timeout, struct result *r)
{
	struct event_base *base;
	struct evhttp_connection *conn;
	struct evhttp_request *req;
	struct evkeyvalq *h;
	char auth[256];

	if ((base = event_base_new()) == NULL ||
	    (conn = evhttp_connection_base_new(base, NULL, host, port)) ==
	    NULL || (req = evhttp_request_new(done_cb, r)) == NULL)
		return (-1);
	r->base = base;
	evhttp_connection_set_timeout(conn, timeout);
	evhttp_connection_set_retries(conn, 0);
	h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "Host", host);
	evhttp_add_header(h, "User-Agent", "pxehactl/" PXEHA_VERSION);
	if (token != NULL) {
		snprintf(auth, sizeof(auth), "Bearer %s", token);
		evhttp_add_header(h, "Authorization", auth);
	}
	if (evhttp_make_request(conn, req, method, uri) == 0)
		event_base_dispatch(base);
	evhttp_connection_free(conn);
	event_base_free(base);
	return (r->code == 0 ? -1 : 0);
}

static char *
read_token(const char *path)
{
	char buf[256];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "pxehactl: cannot read token file %s: %s\n",
		    path, strerror(errno));
		return (NULL);
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
	    buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return (strdup(buf));
}

/* Prometheus text exposition -> one JSON object per sample. */
static void
metrics_json(const char *text)
{
	const char *l = text, *nl, *sp;
	int first = 1;
	size_t n;

	printf("[");
	for (; *l != '\0'; l = nl + 1) {
		if ((nl = strchr(l, '\n')) == NULL)
			nl = l + strlen(l);
		n = (size_t)(nl - l);
		if (n > 0 && l[0] != '#' && (sp = memrchr(l, ' ', n)) != NULL) {
			printf("%s\n {\"series\":\"", first ? "" : ",");
			for (const char *q = l; q < sp; q++) {
				if (*q == '"' || *q == '\\')
					putchar('\\');
				putchar(*q);
			}
			printf("\",\"value\":%.*s}", (int)(nl - sp - 1), sp + 1);
			first = 0;
		}
		if (*nl == '\0')
			break;
	}
	printf("\n]\n");
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "token-file", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "subnet", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char host[CFG_HOST_MAX] = "127.0.0.1", uri[256], subnet[CFG_NAME_MAX] = "";
	const char *server = NULL, *config = NULL, *tokfile = NULL, *verb;
	char *token = NULL, *body;
	uint16_t port = PXEHA_CTL_PORT;
	uint64_t t;
	int ch, json = 0, timeout = 5, rc;
	struct result r = { 0 };
	struct cfg *cfg = NULL;
	struct cfg_errors errs = { 0 };
	size_t i;

	while ((ch = getopt_long(argc, argv, "s:c:t:jT:S:h", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 's':
			server = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 't':
			tokfile = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'T':
			if (cfgv_uint(optarg, 1, 3600, &t) != NULL) {
				fprintf(stderr, "pxehactl: bad timeout\n");
				return (EX_USAGE);
			}
			timeout = (int)t;
			break;
		case 'S':
			if (cfgv_name(optarg, subnet, sizeof(subnet)) != NULL) {
				fprintf(stderr, "pxehactl: bad subnet name\n");
				return (EX_USAGE);
			}
			break;
		case 'h':
			usage(stdout);
			return (EX_OK);
		default:
			usage(stderr);
			return (EX_USAGE);
		}
	}
	if (optind == argc || optind + (strcmp(argv[optind], "lease") == 0 ?
	    2 : 1) != argc) {
		usage(stderr);
		return (EX_USAGE);
	}
	verb = argv[optind];
	if (config != NULL) {
		if ((cfg = cfg_load(config, &errs)) == NULL) {
			for (i = 0; i < errs.n; i++)
				fprintf(stderr, "%s\n", errs.msg[i]);
			cfg_errors_fini(&errs);
			return (EX_USAGE);
		}
		snprintf(host, sizeof(host), "%s", cfg->ctl.host);
		port = cfg->ctl.port;
		if (tokfile == NULL)
			tokfile = cfg->ctl.token_file;
	}
	if (server != NULL && cfgv_hostport(server, host, sizeof(host),
	    &port) != NULL) {
		fprintf(stderr, "pxehactl: %s: not HOST:PORT\n", server);
		return (EX_USAGE);
	}
	if ((r.body = evbuffer_new()) == NULL)
		return (EX_FAIL);
	if (strcmp(verb, "status") == 0) {
		snprintf(uri, sizeof(uri), "/status%s", json ? "" :
		    "?format=text");
		rc = request(host, port, EVHTTP_REQ_GET, uri, NULL, timeout, &r);
	} else if (strcmp(verb, "leases") == 0 || strcmp(verb, "lease") == 0) {
		uint32_t a;

		if (verb[5] == '\0' && cfgv_ipv4(argv[optind + 1], &a) != NULL) {
			fprintf(stderr, "pxehactl: %s: not an IPv4 address\n",
			    argv[optind + 1]);
			return (EX_USAGE);
		}
		snprintf(uri, sizeof(uri), "/leases%s%s?format=%s%s%s",
		    verb[5] == '\0' ? "/" : "",
		    verb[5] == '\0' ? argv[optind + 1] : "",
		    json ? "json" : "text", subnet[0] ? "&subnet=" : "", subnet);
		rc = request(host, port, EVHTTP_REQ_GET, uri, NULL, timeout, &r);
	} else if (strcmp(verb, "tftp") == 0 || strcmp(verb, "pxe") == 0) {
		snprintf(uri, sizeof(uri), "/%s%s", verb, json ? "" :
		    "?format=text");
		rc = request(host, port, EVHTTP_REQ_GET, uri, NULL, timeout, &r);
	} else if (strcmp(verb, "metrics") == 0)
		rc = request(host, port, EVHTTP_REQ_GET, "/metrics", NULL,
		    timeout, &r);
	else if (strcmp(verb, "reload") == 0) {
		if ((token = read_token(tokfile != NULL ? tokfile :
		    DEFAULT_TOKEN)) == NULL)
			return (EX_USAGE);
		snprintf(uri, sizeof(uri), "/reload%s", json ? "" :
		    "?format=text");
		rc = request(host, port, EVHTTP_REQ_POST, uri, token, timeout,
		    &r);
	} else {
		fprintf(stderr, "pxehactl: unknown verb \"%s\"\n", verb);
		usage(stderr);
		return (EX_USAGE);
	}
	if (rc == -1) {
		fprintf(stderr, "pxehactl: no answer from pxeha at %s:%u "
		    "(is it running, in this network namespace?)\n", host, port);
		evbuffer_free(r.body);
		free(token);
		cfg_free(cfg);
		return (EX_CONN);
	}
	evbuffer_add(r.body, "", 1);
	body = (char *)evbuffer_pullup(r.body, -1);
	if (strcmp(verb, "metrics") == 0 && json && r.code == 200)
		metrics_json(body);
	else
		fputs(body, r.code == 200 ? stdout : stderr);
	evbuffer_free(r.body);
	free(token);
	cfg_free(cfg);
	return (r.code == 200 ? EX_OK : EX_FAIL);
}
