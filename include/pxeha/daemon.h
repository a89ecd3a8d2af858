/*
 * The daemon's one context object, passed explicitly to every shell
 * module.  Protocol cores never see it.
 */
#ifndef PXEHA_DAEMON_H
#define PXEHA_DAEMON_H

#include <stdint.h>

#include "pxeha/config.h"

struct event_base;
struct event;
struct ctl;
struct dhcp_io;
struct tftp_io;
struct http_boot;

#define PXEHA_TOKEN_MAX	128

struct pxeha {
	struct event_base	*base;
	char			*cfg_path;
	struct cfg		*cfg;		/* the live snapshot */
	uint64_t		 generation;	/* of cfg; 1 at start */
	int64_t			 loaded_wall;	/* when cfg was installed */
	uint64_t		 start_ms;
	int64_t			 start_wall;
	uint64_t		 reloads_ok, reloads_failed;
	int64_t			 last_reload_fail_wall;
	char			 token[PXEHA_TOKEN_MAX];	/* ctl secret */
	struct ctl		*ctl;
	struct dhcp_io		*dhcp;
	struct tftp_io		*tftp;
	struct http_boot	*http;
	struct event		*sigev[4];
};

/*
 * Build a new snapshot from the config file, validate it fully, and swap it
 * in; a bad file changes nothing.  Returns 0, or -1 with every error in
 * errs (each also logged once).
 */
int	pxeha_reload(struct pxeha *, struct cfg_errors *errs);

/*
 * Load the control token from cfg's token_file, creating the file (mode
 * 0600, random) if it does not exist.  Returns 0 or -1 (logged).
 */
int	pxeha_token_load(struct pxeha *, const struct cfg *);

#endif
