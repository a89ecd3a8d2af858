/*
 * Configuration: one INI file parsed into an immutable snapshot.
 *
 * cfg_parse() is pure: it takes the file's bytes and a name for messages,
 * touches no file system and no clock, and is what the fuzzer drives.
 * cfg_load() reads a file, hashes it and calls cfg_parse().  A snapshot
 * is never modified after it is returned; reload builds a new one.
 */
#ifndef PXEHA_CONFIG_H
#define PXEHA_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CFG_NAME_MAX	64
#define CFG_PATH_MAX	1024
#define CFG_HOST_MAX	256
#define CFG_LIST_MAX	16	/* addresses or ranges in one list value */
#define CFG_LINE_MAX	199	/* longest line inih (as built by Debian) reads */

enum cfg_log_target { CFG_LOG_STDERR, CFG_LOG_SYSLOG };
enum cfg_pxe_mode { CFG_PXE_OFF, CFG_PXE_DHCP, CFG_PXE_PROXY };
enum cfg_peer_role { CFG_PEER_PRIMARY, CFG_PEER_STANDBY };
/* WDS-like answer policy: every PXE client, or only reserved ([host]) ones. */
enum cfg_pxe_answer {
	CFG_PXE_ANSWER_ALL, CFG_PXE_ANSWER_KNOWN, CFG_PXE_ANSWER_PROMPT
};

/* IPv4 addresses are kept in host byte order throughout the config. */
struct cfg_range {
	uint32_t	 first, last;	/* inclusive */
	unsigned	 line;
};

struct cfg_node {
	char		 name[CFG_NAME_MAX];
	char		 state_dir[CFG_PATH_MAX];
	int		 log_level;	/* syslog priority: LOG_ERR .. LOG_DEBUG */
	enum cfg_log_target log_target;
};

struct cfg_ctl {
	char		 host[CFG_HOST_MAX];	/* numeric address */
	uint16_t	 port;
	char		 token_file[CFG_PATH_MAX];
};

struct cfg_iface {
	char		 name[CFG_NAME_MAX];	/* OS interface name */
	int		 dhcp;		/* answer DHCP/PXE on it */
	uint32_t	 address;	/* preferred own address, 0: first found */
	unsigned	 line;
};

#define CFG_OPT_DATA_MAX	255

/* A DHCP option as configured ("option.N = type:value"), encoded. */
struct cfg_opt {
	uint8_t		 code;
	uint8_t		 len;
	uint8_t		 data[CFG_OPT_DATA_MAX];
	unsigned	 line;
};

struct cfg_dhcp {
	int		 authoritative;
	uint32_t	 offer_hold;		/* seconds an OFFER reserves */
	uint32_t	 decline_probation;	/* seconds a DECLINEd address rests */
	struct cfg_opt	*opts;			/* global options */
	size_t		 nopts;
};

/* A reservation: a client known by MAC or client identifier. */
struct cfg_host {
	char		 name[CFG_NAME_MAX];
	uint8_t		 mac[6];
	int		 has_mac;
	uint8_t		 cid[64];
	size_t		 cidlen;
	uint32_t	 address;		/* 0: none (options only) */
	uint8_t		 guid[16];	/* option 97's GUID, wire order */
	int		 has_guid;
	char		 hostname[CFG_HOST_MAX];
	struct cfg_opt	*opts;
	size_t		 nopts;
	unsigned	 line;
};

struct cfg_subnet {
	char		 name[CFG_NAME_MAX];
	uint32_t	 network, netmask;
	unsigned	 prefix;
	char		 iface[CFG_NAME_MAX];	/* empty: reached through relays */
	struct cfg_range pools[CFG_LIST_MAX];
	size_t		 npools;
	struct cfg_range excludes[CFG_LIST_MAX];
	size_t		 nexcludes;
	uint32_t	 routers[CFG_LIST_MAX];
	size_t		 nrouters;
	uint32_t	 dns[CFG_LIST_MAX];
	size_t		 ndns;
	char		 domain[CFG_HOST_MAX];
	uint32_t	 lease_time, renew_time, rebind_time;	/* seconds */
	uint32_t	 next_server;	/* siaddr; 0: our address on the link */
	enum cfg_pxe_answer pxe_answer;	/* which PXE clients get boot info */
	char		 boot_file[CFG_PATH_MAX];	/* BOOTP file; "": none */
	struct cfg_opt	*opts;
	size_t		 nopts;
	unsigned	 line;
};

struct cfg_tftp {
	int		 enable;
	char		 root[CFG_PATH_MAX];
	uint16_t	 port;
	unsigned	 max_sessions;
	unsigned	 max_per_client;	/* sessions from one IPv4 address */
	uint64_t	 max_blksize;
	int		 mtu_clamp;	/* blksize <= interface MTU - 32 */
	unsigned	 max_window;
	uint64_t	 max_window_bytes;	/* window x blksize cap */
	unsigned	 rollover;	/* block after 65535: 0 or 1 */
	int		 msftwindow;	/* grant the boot manager's extension */
	char		 upload_dir[CFG_PATH_MAX];	/* "": WRQ refused */
	uint64_t	 upload_max;	/* bytes one upload may hold */
};

/* What the ProxyDHCP port-67 socket hears: broadcasts only, or also
 * unicast (relayed requests; no other DHCP server on this host). */
enum cfg_proxy_listen { CFG_PROXY_BROADCAST, CFG_PROXY_ALL };

struct cfg_pxe {
	enum cfg_pxe_mode mode;
	enum cfg_proxy_listen proxy_listen;
	char		 prompt[CFG_PATH_MAX];	/* pxe_answer = prompt text */
	uint32_t	 prompt_timeout;	/* seconds, 1..254 */
};

/* The boot-file HTTP server (read-only, GET/HEAD, Range). */
struct cfg_http {
	int		 enable;
	char		 host[CFG_HOST_MAX];	/* numeric listen address */
	uint16_t	 port;
	char		 root[CFG_PATH_MAX];	/* "": the [tftp] root */
	unsigned	 max_connections;
};

/* Which clients a [boot] rule is for: any, PXE firmware, or iPXE. */
enum cfg_boot_client { CFG_BOOT_ANY, CFG_BOOT_FIRMWARE, CFG_BOOT_IPXE };

struct cfg_boot {
	char		 name[CFG_NAME_MAX];
	unsigned	 arch_mask;	/* bit per enum cfg_arch */
	enum cfg_boot_client client;
	char		 subnet[CFG_NAME_MAX];	/* "": any subnet */
	char		 host[CFG_NAME_MAX];	/* "": any client */
	char		 vendor_class[CFG_PATH_MAX];	/* option 60 prefix */
	char		 file[CFG_PATH_MAX];	/* may hold {server} */
	char		 script[CFG_PATH_MAX];	/* for iPXE clients; "": file */
	char		 bcd[CFG_PATH_MAX];	/* option 252; "": none */
	uint32_t	 next_server;	/* 0: our address on the link */
	unsigned	 line;
};

struct cfg_peer {
	char		 name[CFG_NAME_MAX];
	char		 host[CFG_HOST_MAX];
	uint16_t	 port;
	enum cfg_peer_role role;
	unsigned	 line;
};

enum cfg_arch {
	CFG_ARCH_BIOS, CFG_ARCH_EFI_IA32, CFG_ARCH_EFI_X64, CFG_ARCH_EFI_ARM32,
	CFG_ARCH_EFI_ARM64, CFG_ARCH_HTTP_X64, CFG_ARCH_HTTP_ARM64,
	CFG_ARCH_HTTP_IA32, CFG_ARCH_HTTP_ARM32, CFG_ARCH_COUNT
};

struct cfg {
	char		*file;		/* as given, for messages */
	unsigned char	 sha256[32];	/* of the file's bytes */
	uint64_t	 generation;	/* set by whoever installs it */
	struct cfg_node	 node;
	struct cfg_ctl	 ctl;
	struct cfg_tftp	 tftp;
	struct cfg_pxe	 pxe;
	struct cfg_http	 http;
	struct cfg_dhcp	 dhcp;
	struct cfg_iface *ifaces;
	size_t		 nifaces;
	struct cfg_subnet *subnets;
	size_t		 nsubnets;
	struct cfg_boot	*boots;
	size_t		 nboots;
	struct cfg_peer	*peers;
	size_t		 npeers;
	struct cfg_host	*hosts;
	size_t		 nhosts;
};

/* Every error found, each formatted as "FILE:LINE: [section] key: reason". */
struct cfg_errors {
	char		**msg;
	size_t		 n, cap;
	int		 oom;
};

/*
 * Parse len bytes of INI text.  On success returns a new snapshot (free it
 * with cfg_free) and leaves errs empty; on failure returns NULL with every
 * error appended to errs.  name is used in messages only.  Pure.
 */
struct cfg	*cfg_parse(const char *name, const char *text, size_t len,
		    struct cfg_errors *errs);

/*
 * Read the file at path, hash it, parse it.  A file that cannot be read is
 * one error ("FILE: cannot read: reason").  Returns NULL on any error.
 */
struct cfg	*cfg_load(const char *path, struct cfg_errors *errs);

void		 cfg_free(struct cfg *);
void		 cfg_errors_fini(struct cfg_errors *);
/* Append msg (taken over, freed later).  -1 and oom set when out of memory. */
int		 cfg_errors_add(struct cfg_errors *, char *msg);

const char	*cfg_arch_name(enum cfg_arch);
const char	*cfg_pxe_mode_name(enum cfg_pxe_mode);

#endif
