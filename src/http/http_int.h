/*
 * Internals of the boot-file HTTP server shared by io.c (the server)
 * and io_stats.c (metrics and status views).
 */
#ifndef PXEHA_HTTP_INT_H
#define PXEHA_HTTP_INT_H

#include <sys/queue.h>

#include <stdint.h>

#include "pxeha/config.h"

struct evhttp;
struct evhttp_bound_socket;
struct evhttp_connection;
struct evhttp_request;
struct event_base;
struct evbuffer;
struct pxeha;
struct tftp_file;
struct tftp_files;

#define HB_CHUNK	(256u << 10)	/* bytes read per refill */
#define HB_TIMEOUT_S	60		/* idle, and no write progress */
#define HB_READ_HIWAT	(64u << 10)	/* input held during a body */
#define HB_PATH_MAX	1024		/* decoded request path */
#define HB_SHOWN	128		/* mapped name, escaped, for logs */
#define HB_PEER		64

/* Status codes counted in pxeha_http_requests_total. */
static const int hb_codes[] = {
	200, 206, 400, 403, 404, 405, 414, 416, 500, 503
};
#define HB_NCODES	(sizeof(hb_codes) / sizeof(hb_codes[0]))

enum hb_err {
	HB_E_BADREQ, HB_E_NOTFOUND, HB_E_FORBIDDEN, HB_E_METHOD, HB_E_RANGE,
	HB_E_BUSY, HB_E_INTERNAL, HB_E_CHANGED, HB_E_ABORTED, HB_E_COUNT
};
static const char *const hb_err_names[HB_E_COUNT] = {
	"bad_request", "not_found", "forbidden", "method", "unsatisfiable",
	"busy", "internal", "file_changed", "aborted"
};

struct http_boot;

/* One client connection, from its first request until evhttp closes it. */
struct hb_conn {
	TAILQ_ENTRY(hb_conn) link;
	struct http_boot *hb;
	struct evhttp_connection *evcon;
	char		 peer[HB_PEER];

	/* The body being sent; req == NULL: none. */
	struct evhttp_request *req;
	struct tftp_file *file;
	int		 code;		/* 200 or 206 */
	int		 ended;		/* evhttp_send_reply_end called */
	uint64_t	 size;		/* of the file */
	uint64_t	 first;		/* of the range */
	uint64_t	 off, end;	/* next byte to read; past the last */
	uint64_t	 queued;	/* body bytes handed to evhttp */
	uint64_t	 start_ms;
	char		 shown[HB_SHOWN];
};

struct http_boot {
	struct pxeha	*px;
	struct event_base *base;
	struct cfg_http	 cfg;
	char		 root[CFG_PATH_MAX];	/* the tree served */
	struct evhttp	*http;
	struct evhttp_bound_socket *sock;	/* NULL: not listening */
	struct tftp_files *files;
	struct evbuffer	*chunk;		/* staging for one refill */
	TAILQ_HEAD(, hb_conn) conns;
	unsigned	 nconns, nxfers;

	uint64_t	 requests;
	uint64_t	 by_code[HB_NCODES + 1];	/* last: other codes */
	uint64_t	 errors[HB_E_COUNT];
	uint64_t	 bytes_sent;	/* of finished bodies */
	uint64_t	 xfers_done, xfers_failed;
	uint64_t	 conns_total;
};

/* File bytes of bodies in progress that the kernel has taken so far. */
uint64_t	 hb_live_bytes(const struct http_boot *);

#endif
