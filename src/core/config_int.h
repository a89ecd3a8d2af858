/*
 * Private to config.c and config_check.c: the parser's state while one
 * file is read.
 */
#ifndef PXEHA_CONFIG_INT_H
#define PXEHA_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "pxeha/config.h"

#define MAX_KEYS	16
#define ERR_MAX		200	/* stop collecting after this many errors */

enum sec_kind {
	SEC_NONE, SEC_NODE, SEC_CTL, SEC_TFTP, SEC_PXE, SEC_HTTP, SEC_IFACE, SEC_SUBNET,
	SEC_BOOT, SEC_PEER, SEC_DHCP, SEC_HOST, SEC_BAD
};

enum key_type {
	KT_BOOL, KT_NAME, KT_PATH, KT_TEXT, KT_IPV4, KT_CIDR, KT_HOSTPORT,
	KT_DURATION, KT_UINT, KT_SIZE, KT_RANGES, KT_ADDRS, KT_DOMAIN, KT_ENUM,
	KT_ARCHES, KT_MAC, KT_HEX, KT_HOSTNAME, KT_GUID
};

struct keydef {
	const char		*key;
	enum key_type		 type;
	size_t			 off, off2;	/* field; second field or count */
	uint64_t		 min, max;
	const char *const	*enums;		/* KT_ENUM: NULL-terminated */
};

struct secdef {
	const char		*name;
	int			 named;		/* [kind NAME] */
	size_t			 max;		/* instances allowed */
	const struct keydef	*keys;
	size_t			 nkeys;
};

struct perr {
	unsigned	 line;
	size_t		 seq;		/* discovery order, for a stable sort */
	char		*msg;
};

/* One section as written in the file. */
struct secinst {
	enum sec_kind	 kind;
	size_t		 idx;			/* into the cfg array */
	unsigned	 line;
	unsigned	 keyline[MAX_KEYS];	/* 0: key not given */
	unsigned	 badkeys;		/* bit per key: value rejected */
	char		 label[CFG_NAME_MAX + 16];
};

struct parser {
	const char		*name;
	const char		*text;
	size_t			 len, pos;
	unsigned		 line;
	struct cfg		*cfg;
	struct cfg_errors	*errs;
	struct perr	*ev;			/* errors found so far */
	size_t			 nev, evcap;
	struct secinst		*secs;
	size_t			 nsecs, seccap;
	struct secinst		*cur;		/* NULL before any section */
	int			 skipping;	/* inside a rejected section */
	int			 oom;
};

extern const struct secdef cfg_secdefs[SEC_BAD];

/* Record an error at line (section s and key may be NULL). */
void	cfg_add_err(struct parser *, unsigned line, const struct secinst *s,
	    const char *key, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
void	cfg_check(struct parser *);

/*
 * An "option.N = type:value" key in a [dhcp], [subnet] or [host] section:
 * append it to *opts (duplicates and managed codes are errors).
 */
void	cfg_option_key(struct parser *, struct secinst *, const char *key,
	    const char *value, struct cfg_opt **opts, size_t *nopts);
/* Where a section keeps its options, or NULL if it takes none. */
int	cfg_option_list(struct parser *, const struct secinst *,
	    struct cfg_opt ***opts, size_t **nopts);

#endif
