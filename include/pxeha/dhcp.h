/*
 * DHCPv4 / BOOTP wire codec.  Pure: bytes in, struct out; struct in, bytes
 * out.  No sockets, no clock, no allocation.  Addresses in structs are
 * IPv4 in host byte order (as in struct cfg).
 *
 * RFC 2131 (message), RFC 2132 (options), RFC 3396 (long options split
 * across instances are concatenated), option 52 overload (options carried
 * in sname/file), RFC 3046 (82 relay agent information), RFC 3011 (118
 * subnet selection), RFC 3527 (82.5 link selection), RFC 5107 (82.11
 * server identifier override).
 */
#ifndef PXEHA_DHCP_H
#define PXEHA_DHCP_H

#include <stddef.h>
#include <stdint.h>

#define DHCP_FIXED_LEN		236	/* op .. file, before the magic cookie */
#define DHCP_MIN_LEN		240	/* fixed part + magic cookie */
#define DHCP_BOOTP_MIN_LEN	300	/* RFC 951 minimum message size */
#define DHCP_MAX_LEN		8192	/* largest datagram we parse or build */
#define DHCP_CHADDR_LEN		16
#define DHCP_SNAME_LEN		64
#define DHCP_FILE_LEN		128
#define DHCP_MIN_MAX_SIZE	576	/* RFC 2132 9.10: smallest option 57 */
#define DHCP_BROADCAST_FLAG	0x8000

enum dhcp_op { DHCP_BOOTREQUEST = 1, DHCP_BOOTREPLY = 2 };

enum dhcp_type {
	DHCP_NONE = 0,			/* BOOTP: no option 53 */
	DHCPDISCOVER = 1, DHCPOFFER, DHCPREQUEST, DHCPDECLINE, DHCPACK,
	DHCPNAK, DHCPRELEASE, DHCPINFORM
};

enum dhcp_opt_code {
	DHO_PAD = 0, DHO_SUBNET_MASK = 1, DHO_ROUTERS = 3, DHO_DNS = 6,
	DHO_HOST_NAME = 12, DHO_BOOT_SIZE = 13, DHO_DOMAIN_NAME = 15,
	DHO_BROADCAST = 28, DHO_VENDOR_OPTS = 43, DHO_REQUESTED_ADDR = 50,
	DHO_LEASE_TIME = 51, DHO_OVERLOAD = 52, DHO_MSG_TYPE = 53,
	DHO_SERVER_ID = 54, DHO_PARAM_LIST = 55, DHO_MESSAGE = 56,
	DHO_MAX_SIZE = 57, DHO_RENEWAL_TIME = 58, DHO_REBINDING_TIME = 59,
	DHO_VENDOR_CLASS = 60, DHO_CLIENT_ID = 61, DHO_TFTP_SERVER = 66,
	DHO_BOOTFILE = 67, DHO_USER_CLASS = 77, DHO_RELAY_INFO = 82,
	DHO_CLIENT_ARCH = 93, DHO_CLIENT_NDI = 94, DHO_CLIENT_UUID = 97,
	DHO_SUBNET_SELECT = 118, DHO_IPXE = 175, DHO_BCD_PATH = 252,
	DHO_END = 255
};

/* Relay agent information sub-options we act on (RFC 3046/3527/5107). */
#define DHCP_RAI_CIRCUIT_ID	1
#define DHCP_RAI_REMOTE_ID	2
#define DHCP_RAI_LINK_SELECT	5
#define DHCP_RAI_SERVER_ID_OVR	11

/* Error codes (negative returns). */
#define DHCP_E_SHORT		1	/* shorter than the fixed part + cookie */
#define DHCP_E_COOKIE		2	/* no RFC 1497 magic cookie at 236 */
#define DHCP_E_OPTION		3	/* an option runs past its area */
#define DHCP_E_HLEN		4	/* hlen > 16 */
#define DHCP_E_OP		5	/* op is neither request nor reply */
#define DHCP_E_TYPE		6	/* option 53 has a bad length or value */
#define DHCP_E_OVERLOAD		7	/* bad option 52 */
#define DHCP_E_SPACE		8	/* reply does not fit */
#define DHCP_E_TOOLONG		9	/* longer than DHCP_MAX_LEN */

/*
 * A parsed message.  Each option's value is the concatenation of all its
 * instances in the order RFC 3396 gives (options field, then file, then
 * sname when overloaded), stored in optdata; optoff/optlen locate it.
 */
struct dhcp_msg {
	uint8_t		 op, htype, hlen, hops;
	uint32_t	 xid;
	uint16_t	 secs, flags;
	uint32_t	 ciaddr, yiaddr, siaddr, giaddr;
	uint8_t		 chaddr[DHCP_CHADDR_LEN];
	uint8_t		 sname[DHCP_SNAME_LEN];	/* as on the wire */
	uint8_t		 file[DHCP_FILE_LEN];	/* as on the wire */
	uint8_t		 overload;	/* option 52 value: 1 file, 2 sname, 3 both */
	enum dhcp_type	 type;		/* option 53, DHCP_NONE for BOOTP */
	uint8_t		 present[32];	/* bit per option code */
	uint16_t	 optoff[256], optlen[256];
	uint8_t		 optdata[DHCP_MAX_LEN];
	size_t		 optused;
};

/* Parsed option 82: pointers into the dhcp_msg that was parsed. */
struct dhcp_rai {
	const uint8_t	*raw;		/* the whole option value, to echo */
	size_t		 rawlen;
	const uint8_t	*circuit_id, *remote_id;
	size_t		 circuit_id_len, remote_id_len;
	uint32_t	 link_select;		/* 0: absent */
	uint32_t	 server_id_override;	/* 0: absent */
};

/*
 * Parse len bytes.  Returns 0 or -DHCP_E_*.  Every read is bounds-checked;
 * m is fully overwritten (no state carried between calls).  On an error
 * other than DHCP_E_SHORT/DHCP_E_TOOLONG the fixed header fields (op ..
 * file) are kept as read, for the caller's log line, and no option is
 * present.  PAD is skipped and a missing END is tolerated; option 52 in
 * file or sname is ignored (no recursion).
 */
int		 dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m);

/* Option value or NULL; *len gets its length (0 is a valid length). */
const uint8_t	*dhcp_opt(const struct dhcp_msg *, uint8_t code, size_t *len);
int		 dhcp_has_opt(const struct dhcp_msg *, uint8_t code);
/* 4-byte options (addresses, times): 0 on success, -1 if absent/bad length. */
int		 dhcp_opt_u32(const struct dhcp_msg *, uint8_t code, uint32_t *);
int		 dhcp_opt_u16(const struct dhcp_msg *, uint8_t code, uint16_t *);
/* Option 82 parsed into *rai; -1 when absent or malformed (then ignore it). */
int		 dhcp_rai(const struct dhcp_msg *, struct dhcp_rai *rai);

/* Options of a reply under construction; values are copied into store. */
#define DHCP_OPTSET_MAX		96
struct dhcp_optset {
	size_t		 n, used;
	struct {
		uint8_t		 code;
		uint16_t	 len;
		uint16_t	 off;	/* into store */
	} o[DHCP_OPTSET_MAX];
	uint8_t		 always[32];	/* bit per code: send even if not in 55 */
	uint8_t		 store[4096];
};

void		 dhcp_optset_init(struct dhcp_optset *);
/* Add (or replace, keeping its place in the order) an option; len may
 * exceed 255 (split per RFC 3396).  data is copied and must not point
 * into the set.  Returns 0, -DHCP_E_SPACE when the set is full (it is
 * then unchanged), or -DHCP_E_OPTION for code 0 or 255. */
int		 dhcp_optset_add(struct dhcp_optset *, uint8_t code,
		    const void *data, size_t len);
int		 dhcp_optset_add_u32(struct dhcp_optset *, uint8_t code, uint32_t);
int		 dhcp_optset_add_u8(struct dhcp_optset *, uint8_t code, uint8_t);
int		 dhcp_optset_add_addrs(struct dhcp_optset *, uint8_t code,
		    const uint32_t *addrs, size_t n);
void		 dhcp_optset_del(struct dhcp_optset *, uint8_t code);
/* Send code even when the client's option 55 does not ask for it. */
void		 dhcp_optset_always(struct dhcp_optset *, uint8_t code);

/* The fixed part of a reply; the builder copies xid/flags/giaddr/chaddr
 * etc. from the request. */
struct dhcp_reply {
	enum dhcp_type	 type;		/* DHCPOFFER, DHCPACK, DHCPNAK; NONE: BOOTP */
	uint32_t	 ciaddr, yiaddr, siaddr;
	char		 sname[DHCP_SNAME_LEN];	/* NUL-terminated, may be "" */
	char		 file[DHCP_FILE_LEN];	/* NUL-terminated, may be "" */
	struct dhcp_optset opts;	/* everything but 53 (added first) */
};

/*
 * Build the reply to req into out (outlen bytes).  Header: op 2, hops and
 * secs 0, htype/hlen/xid/flags/giaddr/chaddr from req, the rest from rep.
 * Order: 53 first (from rep->type; none for DHCP_NONE), then 54, then the
 * rest as added; 82 is echoed last and unchanged when req had it (an 82,
 * 52 or 53 in rep->opts is ignored).  Options outside req's parameter
 * request list (55) are left out unless they are always sent (1, 3, 6,
 * 15, 28, 51, 54, 58, 59 and whatever the caller marked with
 * dhcp_optset_always); a req without 55 gets every option.  The size
 * limit is min(outlen, DHCP_MAX_LEN, max(576, req's option 57) - 28): 57
 * and the 576 default count the IP and UDP headers (RFC 2132 9.10).  What
 * does not fit in the options field goes into file, then sname, whichever
 * of them rep leaves empty (option 52); past that options are dropped
 * from the end (never 53, 54, 51, 82).  A DHCPNAK carries only 53, 54,
 * 56 and 82 and has ciaddr, yiaddr, siaddr, sname and file zero (RFC 2131
 * table 3).  Returns the length, padded to the BOOTP minimum of 300
 * bytes, -DHCP_E_SPACE (also when the limit is below 300) or -DHCP_E_TYPE
 * when rep->type is not a message type.
 */
int		 dhcp_build(const struct dhcp_msg *req,
		    const struct dhcp_reply *rep, uint8_t *out, size_t outlen);

/* Build any message (for tests, fuzzers and the HA/relay paths): every
 * field op .. file from hdr as given (sname and file raw), then 53 from
 * hdr->type unless it is DHCP_NONE or opts has its own 53, then every
 * option of opts (may be NULL) in order, long ones split per RFC 3396,
 * all in the options field (a 52 in opts is written as given: the caller
 * owns what sname and file hold), END, padding to 300 bytes.  Limit
 * min(outlen, DHCP_MAX_LEN).  Returns length or -DHCP_E_SPACE. */
int		 dhcp_build_msg(const struct dhcp_msg *hdr,
		    const struct dhcp_optset *opts, uint8_t *out, size_t outlen);

const char	*dhcp_type_name(enum dhcp_type);
const char	*dhcp_strerror(int err);

#endif
