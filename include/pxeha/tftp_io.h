/*
 * The TFTP service's I/O shell: the port 69 listener, one socket (TID)
 * and timer per transfer, batched window sends, limits and counters.
 */
#ifndef PXEHA_TFTP_IO_H
#define PXEHA_TFTP_IO_H

struct pxeha;
struct cfg;
struct evbuffer;
struct tftp_io;

/*
 * Start serving cfg's [tftp] root (if enabled).  Returns NULL (logged)
 * when enabled and the root or the port cannot be opened.
 */
struct tftp_io	*tftp_io_new(struct pxeha *, const struct cfg *);
/* Stop listening and end every transfer (no ERROR is sent). */
void		 tftp_io_free(struct tftp_io *);

/*
 * Apply a validated new configuration: limits at once for new
 * transfers; a new root or port is opened before the old one is let go.
 * Transfers in progress finish with the file they have.  Returns 0, or
 * -1 (logged) with the old service left as it was.
 */
int		 tftp_io_reload(struct tftp_io *, const struct cfg *);

/* /metrics families, the /status "tftp" object, and GET /tftp. */
void		 tftp_io_metrics(const struct tftp_io *, struct evbuffer *);
void		 tftp_io_status_json(const struct tftp_io *, struct evbuffer *);
void		 tftp_io_status_text(const struct tftp_io *, struct evbuffer *);
void		 tftp_io_sessions_json(const struct tftp_io *,
		    struct evbuffer *);
void		 tftp_io_sessions_text(const struct tftp_io *,
		    struct evbuffer *);

#endif
