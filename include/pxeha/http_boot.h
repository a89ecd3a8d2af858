/*
 * The boot-file HTTP server: the [http] section.  Read-only GET and HEAD
 * over the boot tree (the [tftp] root unless [http] root says otherwise),
 * for iPXE ("chain http://...", "kernel http://...") and UEFI HTTP boot.
 * Names are mapped and confined exactly as TFTP maps them
 * (tftp_files.h); single byte ranges are served (RFC 9110 14).
 */
#ifndef PXEHA_HTTP_BOOT_H
#define PXEHA_HTTP_BOOT_H

struct pxeha;
struct cfg;
struct evbuffer;
struct http_boot;

/*
 * Start serving cfg's [http] section on px->base.  When it is disabled
 * the object is idle (no socket, no open tree) and a reload may start
 * it.  Returns NULL (logged) when enabled and the root or the listen
 * address cannot be opened, or out of memory.
 */
struct http_boot *http_boot_new(struct pxeha *, const struct cfg *);

/*
 * Stop listening and close every connection; transfers in progress are
 * cut short.  NULL is a no-op.
 */
void		 http_boot_free(struct http_boot *);

/*
 * Apply a validated new configuration.  A new root or listen address is
 * opened before the old one is let go; connections and transfers in
 * progress go on with the file they have.  max_connections applies to
 * new connections at once.  Returns 0, or -1 (logged) with the service
 * left as it was.
 */
int		 http_boot_reload(struct http_boot *, const struct cfg *);

/* The pxeha_http_* /metrics families, the /status "http" object and its
 * line in the text status. */
void		 http_boot_metrics(const struct http_boot *, struct evbuffer *);
void		 http_boot_status_json(const struct http_boot *,
		    struct evbuffer *);
void		 http_boot_status_text(const struct http_boot *,
		    struct evbuffer *);

#endif
