/*
 * The boot-file HTTP server (http_boot.h) on evhttp.
 *
 * A request's target is decoded by http_path_decode (pure) and looked
 * up with tftp_files_open on the service's own tree, so HTTP clients get
 * the same confinement, the same Windows name mapping and the same
 * shared open file as TFTP clients.
 *
 * Bodies are streamed: HB_CHUNK bytes are read with tftp_file_readv
 * into an evbuffer and handed to evhttp, and the next chunk is read when
 * evhttp reports the connection's output drained (while the kernel's
 * socket buffer still holds the previous one, so the link does not go
 * idle).  A room of clients pulling a 500 MB boot.wim therefore costs at
 * most one chunk of memory per connection.  Content-Length is always set
 * before evhttp_send_reply_start, which makes libevent 2.1 send the body
 * as is rather than chunked.
 *
 * libevent 2.1 keeps the connection's read timeout armed while it
 * writes a response, and a client says nothing while it downloads, so
 * during a body the read timeout is lifted (the write timeout still
 * catches a client that stops reading) and restored when the response
 * is complete.  Reading is capped meanwhile, so a client cannot queue
 * unbounded pipelined bytes behind a long transfer.
 *
 * Connections are known from their first request on: a struct hb_conn
 * holds the transfer in progress, and evhttp's close callback is where a
 * transfer cut short (client gone, timeout, shutdown) is accounted for.
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>

#include "pxeha/clock.h"
#include "pxeha/config.h"
#include "pxeha/daemon.h"
#include "pxeha/http_boot.h"
#include "pxeha/http_range.h"
#include "pxeha/log.h"
#include "pxeha/tftp.h"
#include "pxeha/tftp_files.h"

#include "http_int.h"

static void	xfer_fill(struct evhttp_connection *, void *);

static const char *
reason(int code)
{
	switch (code) {
	case 200:
		return ("OK");
	case 206:
		return ("Partial Content");
	case 400:
		return ("Bad Request");
	case 403:
		return ("Forbidden");
	case 404:
		return ("Not Found");
	case 405:
		return ("Method Not Allowed");
	case 414:
		return ("URI Too Long");
	case 416:
		return ("Range Not Satisfiable");
	case 503:
		return ("Service Unavailable");
	default:
		return ("Internal Server Error");
	}
}

static void
count_code(struct http_boot *hb, int code)
{
	size_t i;

	for (i = 0; i < HB_NCODES && hb_codes[i] != code; i++)
		;
	hb->by_code[i]++;
}

static void
peer_str(struct evhttp_connection *evcon, char *buf, size_t n)
{
	char	*addr = NULL;
	ev_uint16_t port = 0;

	evhttp_connection_get_peer(evcon, &addr, &port);
	snprintf(buf, n, "%s:%u", addr != NULL ? addr : "?", port);
}

/*
 * A short text answer (an error, or a 416).  The body never names the
 * server's own paths.  close: end the connection after it.
 */
static void
reply_text(struct http_boot *hb, struct evhttp_request *req, int code,
    const char *text, int close)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	struct evbuffer *b;

	count_code(hb, code);
	if ((b = evbuffer_new()) == NULL) {
		evhttp_send_error(req, code, reason(code));
		return;
	}
	evbuffer_add_printf(b, "%d %s%s%s\n", code, reason(code),
	    text != NULL ? ": " : "", text != NULL ? text : "");
	evhttp_add_header(h, "Content-Type", "text/plain");
	evhttp_add_header(h, "Cache-Control", "no-store");
	if (close)
		evhttp_add_header(h, "Connection", "close");
	evhttp_send_reply(req, code, reason(code), b);
	evbuffer_free(b);
}

/* Connections --------------------------------------------------------------- */

static void	conn_close_cb(struct evhttp_connection *, void *);

/* The connection's state, moved to the front: a client's next request
 * most likely comes on the connection used last. */
static struct hb_conn *
conn_find(struct http_boot *hb, struct evhttp_connection *evcon)
{
	struct hb_conn *c;

	TAILQ_FOREACH(c, &hb->conns, link) {
		if (c->evcon != evcon)
			continue;
		if (c != TAILQ_FIRST(&hb->conns)) {
			TAILQ_REMOVE(&hb->conns, c, link);
			TAILQ_INSERT_HEAD(&hb->conns, c, link);
		}
		return (c);
	}
	return (NULL);
}

static struct hb_conn *
conn_new(struct http_boot *hb, struct evhttp_connection *evcon)
{
	struct hb_conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->hb = hb;
	c->evcon = evcon;
	peer_str(evcon, c->peer, sizeof(c->peer));
	evhttp_connection_set_closecb(evcon, conn_close_cb, c);
	TAILQ_INSERT_HEAD(&hb->conns, c, link);
	hb->nconns++;
	hb->conns_total++;
	return (c);
}

/* Bytes of this body the kernel has taken so far. */
static uint64_t
xfer_sent(const struct hb_conn *c)
{
	struct bufferevent *bev;
	size_t left = 0;

	/* c->evcon is valid as long as c is: conn_close_cb frees c. */
	if ((bev = evhttp_connection_get_bufferevent(c->evcon)) != NULL)
		left = evbuffer_get_length(bufferevent_get_output(bev));
	return (c->queued > left ? c->queued - left : 0);
}

/* The transfer ends: count it, log it, let the file go. */
static void
xfer_finish(struct hb_conn *c, enum hb_err err, const char *why,
    uint64_t sent)
{
	static struct log_rl rl;
	struct http_boot *hb = c->hb;
	uint64_t ms = clock_ms() - c->start_ms;

	hb->bytes_sent += sent;
	hb->nxfers--;
	if (err == HB_E_COUNT) {
		hb->xfers_done++;
		log_info("http %s: GET %s %d: %llu bytes (%llu-%llu/%llu) in "
		    "%llu.%03llu s (%.1f MB/s)", c->peer, c->shown, c->code,
		    (unsigned long long)sent, (unsigned long long)c->first,
		    (unsigned long long)(c->end - 1),
		    (unsigned long long)c->size,
		    (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000),
		    ms > 0 ? (double)sent / 1e3 / (double)ms : 0.0);
	} else {
		hb->xfers_failed++;
		hb->errors[err]++;
		log_rl(&rl, clock_ms(), LOG_NOTICE, "http %s: GET %s %d: %s "
		    "after %llu of %llu bytes", c->peer, c->shown, c->code,
		    why, (unsigned long long)sent,
		    (unsigned long long)(c->end - c->first));
	}
	tftp_file_release(c->file);
	c->file = NULL;
	c->req = NULL;
}

/*
 * evhttp frees the connection: the client went away, a timeout fired,
 * or the server stops.  A body not yet complete is a failed transfer.
 */
static void
conn_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct hb_conn *c = arg;
	struct http_boot *hb = c->hb;
	struct evhttp_request *req = c->req;
	int orphan;

	(void)evcon;
	if (req != NULL) {
		/*
		 * libevent 2.1 detaches a request we have not ended from a
		 * failed connection and leaves it to us: ending it frees
		 * it.  An ended one, or one still attached (evhttp_free),
		 * goes with the connection.
		 */
		orphan = !c->ended && evhttp_request_get_connection(req) ==
		    NULL;
		xfer_finish(c, HB_E_ABORTED, "connection closed",
		    xfer_sent(c));
		if (orphan)
			evhttp_send_reply_end(req);
	}
	TAILQ_REMOVE(&hb->conns, c, link);
	hb->nconns--;
	free(c);
}

/* Transfers ----------------------------------------------------------------- */

static void
xfer_complete_cb(struct evhttp_request *req, void *arg)
{
	struct hb_conn *c = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	struct timeval tv = { HB_TIMEOUT_S, 0 };

	if (c->req != req)
		return;
	if (evcon != NULL &&
	    (bev = evhttp_connection_get_bufferevent(evcon)) != NULL) {
		bufferevent_set_timeouts(bev, &tv, &tv);
		bufferevent_setwatermark(bev, EV_READ, 0, 0);
	}
	xfer_finish(c, HB_E_COUNT, NULL, c->queued);
}

/*
 * Read the next chunk into hb->chunk.  Returns 0, or -1 when the file
 * changed under the transfer (or memory ran out).
 */
static int
xfer_read(struct hb_conn *c)
{
	struct evbuffer *b = c->hb->chunk;
	struct evbuffer_iovec v;
	struct iovec iov;
	uint64_t want = c->end - c->off;

	if (want > HB_CHUNK)
		want = HB_CHUNK;
	evbuffer_drain(b, evbuffer_get_length(b));
	if (evbuffer_reserve_space(b, (ev_ssize_t)want, &v, 1) != 1)
		return (-1);
	iov.iov_base = v.iov_base;
	iov.iov_len = (size_t)want;
	if (tftp_file_readv(c->file, c->off, &iov, 1) == -1)
		return (-1);
	v.iov_len = (size_t)want;
	if (evbuffer_commit_space(b, &v, 1) == -1)
		return (-1);
	c->off += want;
	c->queued += want;
	return (0);
}

/* Hand the chunk read to evhttp; end the response after the last one. */
static void
xfer_queue(struct hb_conn *c)
{
	struct evhttp_request *req = c->req;

	evhttp_send_reply_chunk_with_cb(req, c->hb->chunk, xfer_fill, c);
	evbuffer_drain(c->hb->chunk, evbuffer_get_length(c->hb->chunk));
	if (c->off == c->end) {
		c->ended = 1;
		/* Completes once the output drains (xfer_complete_cb). */
		evhttp_send_reply_end(req);
	}
}

/*
 * evhttp's output for this connection drained: the next chunk.  A file
 * that changed cuts the connection, so the client sees a short body and
 * never a mix of two versions.
 */
static void
xfer_fill(struct evhttp_connection *evcon, void *arg)
{
	struct hb_conn *c = arg;
	uint64_t sent;

	if (c->req == NULL || c->ended)
		return;
	if (xfer_read(c) == -1) {
		sent = xfer_sent(c);
		xfer_finish(c, HB_E_CHANGED, "file changed on disk (or out of "
		    "memory); connection closed", sent);
		/* The request goes with the connection; c with its close cb. */
		evhttp_connection_free(evcon);
		return;
	}
	xfer_queue(c);
}

/* Send [first, last] of f (already referenced) as the answer to req. */
static void
xfer_start(struct hb_conn *c, struct evhttp_request *req,
    struct tftp_file *f, int code, uint64_t first, uint64_t last)
{
	struct http_boot *hb = c->hb;
	struct bufferevent *bev;
	struct timeval tv = { HB_TIMEOUT_S, 0 };

	c->req = req;
	c->file = f;
	c->code = code;
	c->ended = 0;
	c->size = tftp_file_size(f);
	c->first = c->off = first;
	c->end = last + 1;
	c->queued = 0;
	c->start_ms = clock_ms();
	hb->nxfers++;
	/* The first chunk before the headers: a failure can still be a 500. */
	if (xfer_read(c) == -1) {
		xfer_finish(c, HB_E_CHANGED, "cannot read the file", 0);
		evhttp_clear_headers(evhttp_request_get_output_headers(req));
		reply_text(hb, req, 500, "the file changed; try again", 0);
		return;
	}
	if ((bev = evhttp_connection_get_bufferevent(c->evcon)) != NULL) {
		bufferevent_set_timeouts(bev, NULL, &tv);
		bufferevent_setwatermark(bev, EV_READ, 0, HB_READ_HIWAT);
		(void)bufferevent_set_max_single_write(bev, HB_CHUNK);
	}
	count_code(hb, code);
	evhttp_request_set_on_complete_cb(req, xfer_complete_cb, c);
	evhttp_send_reply_start(req, code, reason(code));
	xfer_queue(c);
}

/* Requests ------------------------------------------------------------------ */

static int
file_error(struct http_boot *hb, struct evhttp_request *req, int tcode,
    const char *peer, const char *esc)
{
	static struct log_rl rl;
	int code = tcode == TFTP_ERR_NOTFOUND ? 404 :
	    tcode == TFTP_ERR_ACCESS ? 403 : 500;

	hb->errors[code == 404 ? HB_E_NOTFOUND : code == 403 ?
	    HB_E_FORBIDDEN : HB_E_INTERNAL]++;
	log_rl(&rl, clock_ms(), LOG_NOTICE, "http %s: GET %s: %d %s", peer,
	    esc, code, reason(code));
	reply_text(hb, req, code, NULL, 0);
	return (code);
}

static void
set_length(struct evkeyvalq *h, uint64_t n)
{
	char	 buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)n);
	evhttp_add_header(h, "Content-Length", buf);
}

/* Decide the answer for a range of f and send it (or start sending). */
static void
serve_file(struct hb_conn *c, struct evhttp_request *req,
    struct tftp_file *f, int head, const char *esc)
{
	static struct log_rl rl;
	struct http_boot *hb = c->hb;
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	const char *rh = evhttp_find_header(in, "Range");
	uint64_t size = tftp_file_size(f), first = 0, last = 0;
	char	 cr[80];
	int	 r;

	/*
	 * RFC 9110 13.1.5: without a validator of ours to compare,
	 * If-Range never matches, and the whole file is the answer.
	 */
	r = rh == NULL || evhttp_find_header(in, "If-Range") != NULL ?
	    HTTP_RANGE_NONE : http_range_parse(rh, strlen(rh), size, &first,
	    &last);
	evhttp_add_header(out, "Accept-Ranges", "bytes");
	if (r == HTTP_RANGE_UNSAT) {
		tftp_file_release(f);
		hb->errors[HB_E_RANGE]++;
		log_rl(&rl, clock_ms(), LOG_INFO, "http %s: GET %s: 416 "
		    "(size %llu)", c->peer, esc, (unsigned long long)size);
		snprintf(cr, sizeof(cr), "bytes */%llu",
		    (unsigned long long)size);
		evhttp_add_header(out, "Content-Range", cr);
		reply_text(hb, req, 416, NULL, 0);
		return;
	}
	if (r == HTTP_RANGE_NONE) {
		first = 0;
		last = size > 0 ? size - 1 : 0;
	} else {
		snprintf(cr, sizeof(cr), "bytes %llu-%llu/%llu",
		    (unsigned long long)first, (unsigned long long)last,
		    (unsigned long long)size);
		evhttp_add_header(out, "Content-Range", cr);
	}
	evhttp_add_header(out, "Content-Type", http_content_type(c->shown));
	set_length(out, size == 0 ? 0 : last - first + 1);
	if (head || size == 0) {
		count_code(hb, r == HTTP_RANGE_OK ? 206 : 200);
		log_info("http %s: %s %s %d: size %llu", c->peer,
		    head ? "HEAD" : "GET", esc, r == HTTP_RANGE_OK ? 206 : 200,
		    (unsigned long long)size);
		tftp_file_release(f);
		evhttp_send_reply(req, r == HTTP_RANGE_OK ? 206 : 200,
		    reason(r == HTTP_RANGE_OK ? 206 : 200), NULL);
		return;
	}
	xfer_start(c, req, f, r == HTTP_RANGE_OK ? 206 : 200, first, last);
}

static void
serve(struct hb_conn *c, struct evhttp_request *req, const char *uri,
    int head)
{
	static struct log_rl rl;
	struct http_boot *hb = c->hb;
	struct tftp_file *f;
	char	 path[HB_PATH_MAX], shown[HB_SHOWN], esc[HB_SHOWN];
	int	 n, code;

	n = http_path_decode(uri, strlen(uri), path, sizeof(path));
	if (n < 0) {
		hb->errors[HB_E_BADREQ]++;
		log_escape(esc, sizeof(esc), uri, strlen(uri));
		log_rl(&rl, clock_ms(), LOG_NOTICE, "http %s: %s: %s", c->peer,
		    esc, n == -HTTP_PATH_E_LONG ? "414 path too long" :
		    "400 bad path");
		reply_text(hb, req, n == -HTTP_PATH_E_LONG ? 414 : 400, NULL,
		    0);
		return;
	}
	code = tftp_files_open(hb->files, path, (size_t)n, 0, &f, shown,
	    sizeof(shown));
	if (shown[0] != '\0')
		log_escape(esc, sizeof(esc), shown, strlen(shown));
	else
		log_escape(esc, sizeof(esc), path, (size_t)n);
	if (code != 0) {
		(void)file_error(hb, req, code, c->peer, esc);
		return;
	}
	snprintf(c->shown, sizeof(c->shown), "%s", esc);
	serve_file(c, req, f, head, esc);
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	static struct log_rl rl_busy, rl_method;
	struct http_boot *hb = arg;
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const char *uri = evhttp_request_get_uri(req);
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	struct hb_conn *c = NULL;
	char	 p[HB_PEER];

	hb->requests++;
	/* libevent 2.1 calls again without a URI to have an error answered. */
	if (uri == NULL || evcon == NULL) {
		hb->errors[HB_E_BADREQ]++;
		reply_text(hb, req, 400, NULL, 1);
		return;
	}
	if (hb->sock != NULL && hb->files != NULL &&
	    (c = conn_find(hb, evcon)) == NULL &&
	    hb->nconns < hb->cfg.max_connections)
		c = conn_new(hb, evcon);
	if (c == NULL || c->req != NULL) {
		hb->errors[HB_E_BUSY]++;
		peer_str(evcon, p, sizeof(p));
		log_rl(&rl_busy, clock_ms(), LOG_WARNING, "http %s: 503: %s",
		    p, hb->sock == NULL ? "service disabled" :
		    "max_connections reached");
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", "5");
		reply_text(hb, req, 503, "busy; try again", 1);
		return;
	}
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		hb->errors[HB_E_METHOD]++;
		log_rl(&rl_method, clock_ms(), LOG_NOTICE, "http %s: 405: "
		    "method not allowed", c->peer);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		reply_text(hb, req, 405, "use GET or HEAD", 0);
		return;
	}
	serve(c, req, uri, m == EVHTTP_REQ_HEAD);
}

/* Life cycle ---------------------------------------------------------------- */

static const char *
root_of(const struct cfg *cfg)
{
	return (cfg->http.root[0] != '\0' ? cfg->http.root : cfg->tftp.root);
}

static struct evhttp_bound_socket *
bind_listen(struct http_boot *hb, const struct cfg_http *c)
{
	struct evhttp_bound_socket *s;

	s = evhttp_bind_socket_with_handle(hb->http, c->host, c->port);
	if (s == NULL)
		log_warn("http: cannot listen on %s:%u", c->host, c->port);
	return (s);
}

struct http_boot *
http_boot_new(struct pxeha *px, const struct cfg *cfg)
{
	struct http_boot *hb;

	if ((hb = calloc(1, sizeof(*hb))) == NULL)
		return (NULL);
	hb->px = px;
	hb->base = px->base;
	TAILQ_INIT(&hb->conns);
	if ((hb->chunk = evbuffer_new()) == NULL ||
	    (hb->http = evhttp_new(px->base)) == NULL) {
		http_boot_free(hb);
		return (NULL);
	}
	/* Every method reaches request_cb, which answers 405 itself. */
	evhttp_set_allowed_methods(hb->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_PATCH);
	evhttp_set_max_headers_size(hb->http, 8192);
	evhttp_set_max_body_size(hb->http, 4096);
	evhttp_set_timeout(hb->http, HB_TIMEOUT_S);
	evhttp_set_gencb(hb->http, request_cb, hb);
	hb->cfg = cfg->http;
	hb->cfg.enable = 0;
	if (http_boot_reload(hb, cfg) == -1) {
		http_boot_free(hb);
		return (NULL);
	}
	return (hb);
}

void
http_boot_free(struct http_boot *hb)
{
	if (hb == NULL)
		return;
	/* Closes every connection; conn_close_cb accounts for each. */
	if (hb->http != NULL)
		evhttp_free(hb->http);
	tftp_files_free(hb->files);
	if (hb->chunk != NULL)
		evbuffer_free(hb->chunk);
	free(hb);
}

/*
 * The new listener before the old is let go; but the same port on an
 * overlapping address cannot be bound twice, so then the old goes
 * first and comes back if the new one fails.
 */
static int
relisten(struct http_boot *hb, const struct cfg_http *c,
    struct evhttp_bound_socket **sp)
{
	if ((*sp = bind_listen(hb, c)) != NULL)
		return (0);
	if (errno != EADDRINUSE || hb->sock == NULL || hb->cfg.port != c->port)
		return (-1);
	evhttp_del_accept_socket(hb->http, hb->sock);
	hb->sock = NULL;
	if ((*sp = bind_listen(hb, c)) != NULL)
		return (0);
	if ((hb->sock = bind_listen(hb, &hb->cfg)) == NULL)
		log_warnx("http: the old listen address %s:%u is lost too",
		    hb->cfg.host, hb->cfg.port);
	return (-1);
}

int
http_boot_reload(struct http_boot *hb, const struct cfg *cfg)
{
	const struct cfg_http *c = &cfg->http;
	const char *root = root_of(cfg);
	struct tftp_files *files = NULL;
	struct evhttp_bound_socket *sock = NULL;

	if (c->enable) {
		if (hb->files == NULL || strcmp(hb->root, root) != 0) {
			if ((files = tftp_files_new(root)) == NULL) {
				log_warn("http: cannot open root %s", root);
				return (-1);
			}
		}
		if ((hb->sock == NULL || strcmp(hb->cfg.host, c->host) != 0 ||
		    hb->cfg.port != c->port) && relisten(hb, c, &sock) == -1) {
			tftp_files_free(files);
			return (-1);
		}
	}
	if (!c->enable || files != NULL) {
		tftp_files_free(hb->files);
		hb->files = files;
	}
	if (!c->enable || sock != NULL) {
		if (hb->sock != NULL)
			evhttp_del_accept_socket(hb->http, hb->sock);
		hb->sock = sock;
	}
	hb->cfg = *c;
	snprintf(hb->root, sizeof(hb->root), "%s", c->enable ? root : "");
	if (c->enable)
		log_info("http: serving %s on %s:%u (at most %u connections)",
		    root, c->host, c->port, c->max_connections);
	return (0);
}

/* For the views (io_stats.c) -------------------------------------------- */

uint64_t
hb_live_bytes(const struct http_boot *hb)
{
	const struct hb_conn *c;
	uint64_t n = 0;

	TAILQ_FOREACH(c, &hb->conns, link)
		if (c->req != NULL)
			n += xfer_sent(c);
	return (n);
}
