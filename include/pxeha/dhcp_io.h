/*
 * The DHCP service's I/O shell: port 67 sockets on the configured
 * interfaces, the lease table and journal, and the group-commit pipeline
 * that holds every ACK until its lease record is on stable storage.
 */
#ifndef PXEHA_DHCP_IO_H
#define PXEHA_DHCP_IO_H

#include <stdint.h>

struct pxeha;
struct cfg;
struct evbuffer;
struct dhcp_io;
struct lease_table;

/*
 * Open the lease store in cfg's state_dir, start the journal writer and
 * listen on every [interface] with dhcp = yes.  Returns NULL (logged) when
 * the store cannot be opened.
 */
struct dhcp_io	*dhcp_io_new(struct pxeha *, const struct cfg *);
/* Flush what is queued, stop the writer, close everything. */
void		 dhcp_io_free(struct dhcp_io *);

/*
 * Switch to a new configuration (after it was validated): rebuild the
 * server over the new subnets and reservations, keep every lease, reopen
 * sockets.  Returns 0, or -1 (logged) leaving the old state in service.
 */
int		 dhcp_io_reload(struct dhcp_io *, const struct cfg *);

const struct lease_table *dhcp_io_table(const struct dhcp_io *);

/* /metrics lines and the /status "dhcp" object. */
void		 dhcp_io_metrics(const struct dhcp_io *, struct evbuffer *);
void		 dhcp_io_status_json(const struct dhcp_io *, struct evbuffer *);
void		 dhcp_io_status_text(const struct dhcp_io *, struct evbuffer *);
/* GET /pxe: the last 64 boot answers, newest first. */
void		 dhcp_io_pxe_json(const struct dhcp_io *, struct evbuffer *);
void		 dhcp_io_pxe_text(const struct dhcp_io *, struct evbuffer *);

#endif
