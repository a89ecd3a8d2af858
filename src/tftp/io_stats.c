/*
 * What the TFTP service shows: /metrics families, its /status part and
 * the live session list behind `pxehactl tftp`.
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>

#include "pxeha/clock.h"
#include "pxeha/metrics.h"
#include "pxeha/tftp_files.h"
#include "pxeha/tftp_io.h"
#include "../ctl/json.h"
#include "tftp_io_int.h"

/* Totals of finished sessions plus those still running. */
struct totals {
	uint64_t bytes_sent, retransmits, timeouts;
};

static void
totals(const struct tftp_io *io, struct totals *t)
{
	const struct tftp_sess *s;

	t->bytes_sent = io->bytes_sent;
	t->retransmits = io->retransmits;
	t->timeouts = io->timeouts;
	TAILQ_FOREACH(s, &io->sess, link) {
		t->bytes_sent += s->x.bytes_sent;
		t->retransmits += s->x.retransmits;
		t->timeouts += s->x.timeouts;
	}
}

/* A label value: the names are already escaped for logs; quote-safe. */
static void
label(struct evbuffer *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			evbuffer_add(b, "\\", 1);
		evbuffer_add(b, s, 1);
	}
}

void
tftp_io_metrics(const struct tftp_io *io, struct evbuffer *b)
{
	struct tftp_files_stats fs;
	struct totals t;
	size_t i;

	totals(io, &t);
	metrics_u64(b, "pxeha_tftp_sessions_active", "gauge",
	    "TFTP transfers in progress.", io->nsess);
	metrics_u64(b, "pxeha_tftp_sessions_total", "counter",
	    "TFTP transfers started.", io->sessions_total);
	metrics_family(b, "pxeha_tftp_sessions_ended_total", "counter",
	    "TFTP transfers ended, by result.");
	evbuffer_add_printf(b, "pxeha_tftp_sessions_ended_total{result="
	    "\"done\"} %llu\npxeha_tftp_sessions_ended_total{result="
	    "\"failed\"} %llu\n", (unsigned long long)io->done,
	    (unsigned long long)io->failed);
	metrics_u64(b, "pxeha_tftp_requests_received_total", "counter",
	    "TFTP read and write requests parsed.", io->requests);
	metrics_u64(b, "pxeha_tftp_bytes_sent_total", "counter",
	    "File bytes sent over TFTP, retransmissions included.",
	    t.bytes_sent);
	metrics_u64(b, "pxeha_tftp_retransmits_total", "counter",
	    "TFTP DATA blocks and OACKs sent again.", t.retransmits);
	metrics_u64(b, "pxeha_tftp_timeouts_total", "counter",
	    "TFTP retransmission timer expiries.", t.timeouts);
	metrics_family(b, "pxeha_tftp_errors_total", "counter",
	    "TFTP ERROR packets sent, by error code.");
	for (i = 0; i < 9; i++)
		evbuffer_add_printf(b, "pxeha_tftp_errors_total{code=\"%zu\"} "
		    "%llu\n", i, (unsigned long long)io->errors_sent[i]);
	metrics_u64(b, "pxeha_tftp_client_errors_total", "counter",
	    "TFTP ERROR packets received from clients.", io->errors_rcvd);
	metrics_u64(b, "pxeha_tftp_duplicate_requests_total", "counter",
	    "Retransmitted requests for a transfer already running.",
	    io->dup_requests);
	metrics_u64(b, "pxeha_tftp_foreign_tid_total", "counter",
	    "Datagrams to a transfer's port from another client port.",
	    io->foreign_tid);
	metrics_u64(b, "pxeha_tftp_refused_busy_total", "counter",
	    "Requests refused by max_sessions or max_per_client.",
	    io->refused_busy);
	metrics_u64(b, "pxeha_tftp_send_errors_total", "counter",
	    "TFTP datagrams the kernel did not take.", io->send_errors);
	metrics_family(b, "pxeha_tftp_uploads_total", "counter",
	    "TFTP uploads (WRQ into upload_dir) ended, by result.");
	evbuffer_add_printf(b, "pxeha_tftp_uploads_total{result=\"done\"} "
	    "%llu\npxeha_tftp_uploads_total{result=\"failed\"} %llu\n",
	    (unsigned long long)io->uploads_done,
	    (unsigned long long)io->uploads_failed);
	metrics_u64(b, "pxeha_tftp_upload_bytes_total", "counter",
	    "Bytes stored by completed TFTP uploads.", io->upload_bytes);
	metrics_u64(b, "pxeha_tftp_session_memory_bytes", "gauge",
	    "Memory one TFTP transfer holds (its state; the send buffer is "
	    "shared).", sizeof(struct tftp_sess));
	metrics_u64(b, "pxeha_tftp_send_buffer_bytes", "gauge",
	    "The send buffer shared by all TFTP transfers.", io->scratch_len);
	if (io->files != NULL) {
		tftp_files_get_stats(io->files, &fs);
		metrics_u64(b, "pxeha_tftp_open_files", "gauge",
		    "Distinct files open for TFTP transfers.", fs.open_files);
		metrics_u64(b, "pxeha_tftp_shared_opens_total", "counter",
		    "Transfers that joined a file another transfer had open.",
		    fs.shared);
		metrics_u64(b, "pxeha_tftp_case_lookups_total", "counter",
		    "Names found only by ignoring case.", fs.case_lookups +
		    fs.case_cache_hits);
		metrics_u64(b, "pxeha_tftp_files_changed_total", "counter",
		    "Files modified in place while being sent.", fs.changed);
	}
	metrics_family(b, "pxeha_tftp_requests_total", "counter",
	    "TFTP read requests by file (the first 64 names; the rest are "
	    "file=\"(other)\").");
	for (i = 0; i < TIO_FILESTATS && io->fstat[i].name[0] != '\0'; i++) {
		evbuffer_add_printf(b, "pxeha_tftp_requests_total{file=\"");
		label(b, io->fstat[i].name);
		evbuffer_add_printf(b, "\"} %llu\n",
		    (unsigned long long)io->fstat[i].n);
	}
	if (io->fstat_other > 0)
		evbuffer_add_printf(b, "pxeha_tftp_requests_total{file="
		    "\"(other)\"} %llu\n", (unsigned long long)io->fstat_other);
}

void
tftp_io_status_json(const struct tftp_io *io, struct evbuffer *b)
{
	struct totals t;

	totals(io, &t);
	evbuffer_add_printf(b, "{\"state\":\"%s\",\"root\":",
	    io->cfg.enable ? "running" : "disabled");
	json_str(b, io->cfg.root);
	evbuffer_add_printf(b, ",\"port\":%u,\"sessions_active\":%u,"
	    "\"sessions_total\":%llu,\"done\":%llu,\"failed\":%llu,"
	    "\"bytes_sent\":%llu,\"retransmits\":%llu,\"timeouts\":%llu}",
	    io->cfg.port, io->nsess, (unsigned long long)io->sessions_total,
	    (unsigned long long)io->done, (unsigned long long)io->failed,
	    (unsigned long long)t.bytes_sent,
	    (unsigned long long)t.retransmits, (unsigned long long)t.timeouts);
}

void
tftp_io_status_text(const struct tftp_io *io, struct evbuffer *b)
{
	struct totals t;

	if (!io->cfg.enable) {
		evbuffer_add_printf(b, "  tftp       disabled\n");
		return;
	}
	totals(io, &t);
	evbuffer_add_printf(b, "  tftp       %s on port %u: %u active, %llu "
	    "done, %llu failed, %llu bytes sent, %llu retransmits\n",
	    io->cfg.root, io->cfg.port, io->nsess,
	    (unsigned long long)io->done, (unsigned long long)io->failed,
	    (unsigned long long)t.bytes_sent,
	    (unsigned long long)t.retransmits);
}

static void
sess_peer(const struct tftp_sess *s, char *buf, size_t n)
{
	char a[INET_ADDRSTRLEN];

	if (inet_ntop(AF_INET, &s->peer.sin_addr, a, sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, n, "%s:%u", a, ntohs(s->peer.sin_port));
}

void
tftp_io_sessions_json(const struct tftp_io *io, struct evbuffer *b)
{
	const struct tftp_sess *s;
	uint64_t now = clock_ms();
	char p[32];
	int first = 1;

	evbuffer_add_printf(b, "{\"sessions\":[");
	TAILQ_FOREACH(s, &io->sess, link) {
		sess_peer(s, p, sizeof(p));
		evbuffer_add_printf(b, "%s{\"client\":\"%s\",\"file\":",
		    first ? "" : ",", p);
		first = 0;
		json_str(b, s->shown);
		evbuffer_add_printf(b, ",\"mode\":\"%s\",\"size\":%llu,"
		    "\"acked\":%llu,\"sent\":%llu,\"blksize\":%u,\"window\":%u,"
		    "\"retransmits\":%llu,\"rate_bytes_per_second\":%llu,"
		    "\"age_ms\":%llu}", s->mode == TFTP_MODE_NETASCII ?
		    "netascii" : "octet", (unsigned long long)s->x.size,
		    (unsigned long long)s->x.bytes_acked,
		    (unsigned long long)s->x.bytes_sent, s->x.blksize,
		    s->x.window, (unsigned long long)s->x.retransmits,
		    (unsigned long long)s->rate_bps,
		    (unsigned long long)(now - s->start_ms));
	}
	evbuffer_add_printf(b, "],\"active\":%u,\"max_sessions\":%u}\n",
	    io->nsess, io->cfg.max_sessions);
}

void
tftp_io_sessions_text(const struct tftp_io *io, struct evbuffer *b)
{
	const struct tftp_sess *s;
	uint64_t now = clock_ms();
	char p[32];

	evbuffer_add_printf(b, "%-21s %6s %12s %12s %10s %6s %5s  %s\n",
	    "CLIENT", "DONE", "BYTES", "SIZE", "RATE/s", "BLKSZ", "WIN",
	    "FILE");
	TAILQ_FOREACH(s, &io->sess, link) {
		sess_peer(s, p, sizeof(p));
		evbuffer_add_printf(b, "%-21s %5.1f%% %12llu %12llu %10llu "
		    "%6u %5u  %s  (%llus)\n", p, s->x.size > 0 ?
		    100.0 * (double)s->x.bytes_acked / (double)s->x.size : 0.0,
		    (unsigned long long)s->x.bytes_acked,
		    (unsigned long long)s->x.size,
		    (unsigned long long)s->rate_bps, s->x.blksize, s->x.window,
		    s->shown, (unsigned long long)((now - s->start_ms) / 1000));
	}
	evbuffer_add_printf(b, "%u active (max %u)\n", io->nsess,
	    io->cfg.max_sessions);
}
