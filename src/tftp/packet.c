/*
 * TFTP wire codec and option negotiation (see pxeha/tftp.h).  Pure: no
 * sockets, no clock, no allocation.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pxeha/tftp.h"
#include "../core/wire.h"

/* A NUL-terminated field borrowed from the datagram. */
struct tftp_str {
	const uint8_t	*p;
	size_t		 len;	/* without the NUL */
};

static const struct {
	const char	*name;
	uint32_t	 bit;
} tftp_optnames[] = {
	{ "blksize",	TFTP_OPT_BLKSIZE },
	{ "timeout",	TFTP_OPT_TIMEOUT },
	{ "tsize",	TFTP_OPT_TSIZE },
	{ "windowsize",	TFTP_OPT_WINDOWSIZE },
	{ "msftwindow",	TFTP_OPT_MSFTWINDOW },
	{ "rollover",	TFTP_OPT_ROLLOVER },
};
#define TFTP_NOPTS	(sizeof(tftp_optnames) / sizeof(tftp_optnames[0]))

/*
 * Take the next NUL-terminated field.  Returns -1 without consuming
 * anything when no NUL remains.
 */
static int
rd_str(struct wire_rd *r, struct tftp_str *s)
{
	const uint8_t	*nul;
	size_t		 left;

	if ((left = wire_left(r)) == 0)
		return (-1);
	if ((nul = memchr(r->p + r->off, 0, left)) == NULL)
		return (-1);
	s->len = (size_t)(nul - (r->p + r->off));
	return (wire_ptr(r, s->len + 1, &s->p));
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/* Case-insensitive match of s against the lower-case C string name. */
static int
str_is(const struct tftp_str *s, const char *name)
{
	size_t	 i;

	if (s->len != strlen(name))
		return (0);
	for (i = 0; i < s->len; i++)
		if (lower(s->p[i]) != name[i])
			return (0);
	return (1);
}

/*
 * Canonical decimal: one or more digits, no sign, no blanks, no leading
 * zero unless the number is 0, at most UINT64_MAX.  Every boot client
 * we know sends this form; accepting "+512" or "0512" would only give
 * two spellings to one value.
 */
static int
parse_num(const struct tftp_str *s, uint64_t *v)
{
	uint64_t	 n = 0;
	size_t		 i;
	unsigned	 d;

	if (s->len == 0 || (s->p[0] == '0' && s->len > 1))
		return (-1);
	for (i = 0; i < s->len; i++) {
		if (s->p[i] < '0' || s->p[i] > '9')
			return (-1);
		d = (unsigned)(s->p[i] - '0');
		if (n > (UINT64_MAX - d) / 10)
			return (-1);
		n = n * 10 + d;
	}
	*v = n;
	return (0);
}

static uint64_t *
opt_field(struct tftp_opts *o, uint32_t bit)
{
	switch (bit) {
	case TFTP_OPT_BLKSIZE:
		return (&o->blksize);
	case TFTP_OPT_TIMEOUT:
		return (&o->timeout);
	case TFTP_OPT_TSIZE:
		return (&o->tsize);
	case TFTP_OPT_WINDOWSIZE:
		return (&o->windowsize);
	case TFTP_OPT_MSFTWINDOW:
		return (&o->msftwindow);
	default:
		return (&o->rollover);
	}
}

/*
 * Parse name/value pairs to the end of r.  Returns 0 or -TFTP_E_DUPOPT;
 * *truncated is set when an incomplete last option ended parsing.
 */
static int
parse_opts(struct wire_rd *r, struct tftp_opts *o, int *truncated)
{
	struct tftp_str	 name, val;
	uint32_t	 seen = 0, bit;
	uint64_t	 v;
	size_t		 i;

	memset(o, 0, sizeof(*o));
	*truncated = 0;
	while (wire_left(r) > 0) {
		if (rd_str(r, &name) == -1 || rd_str(r, &val) == -1) {
			*truncated = 1;
			break;
		}
		bit = 0;
		for (i = 0; i < TFTP_NOPTS; i++)
			if (str_is(&name, tftp_optnames[i].name))
				bit = tftp_optnames[i].bit;
		if (bit == 0)
			continue;	/* RFC 2347: unknown options ignored */
		if (seen & bit)
			return (-TFTP_E_DUPOPT);
		seen |= bit;
		if (parse_num(&val, &v) == -1)
			continue;	/* malformed value: option dropped */
		*opt_field(o, bit) = v;
		o->present |= bit;
	}
	return (0);
}

int
tftp_parse_req(const uint8_t *buf, size_t len, struct tftp_req *req)
{
	struct wire_rd	 r;
	struct tftp_str	 fn, mode;
	uint16_t	 op;

	memset(req, 0, sizeof(*req));
	wire_rd_init(&r, buf, len);
	if (wire_u16(&r, &op) == -1)
		return (-TFTP_E_SHORT);
	if (op != TFTP_RRQ && op != TFTP_WRQ)
		return (-TFTP_E_OPCODE);
	req->opcode = op;

	if (rd_str(&r, &fn) == -1 || fn.len == 0 ||
	    fn.len > TFTP_FILENAME_MAX)
		return (-TFTP_E_FILENAME);
	memcpy(req->filename, fn.p, fn.len);
	req->filename[fn.len] = '\0';
	req->filename_len = fn.len;

	/* RFC 1350 5: "mail" delivers to a user; obsolete, refused. */
	if (rd_str(&r, &mode) == -1)
		return (-TFTP_E_MODE);
	if (str_is(&mode, "octet"))
		req->mode = TFTP_MODE_OCTET;
	else if (str_is(&mode, "netascii"))
		req->mode = TFTP_MODE_NETASCII;
	else
		return (-TFTP_E_MODE);

	return (parse_opts(&r, &req->opt, &req->opt_truncated));
}

int
tftp_parse_oack(const uint8_t *buf, size_t len, struct tftp_opts *opts)
{
	struct wire_rd	 r;
	uint16_t	 op;
	int		 trunc;

	memset(opts, 0, sizeof(*opts));
	wire_rd_init(&r, buf, len);
	if (wire_u16(&r, &op) == -1)
		return (-TFTP_E_SHORT);
	if (op != TFTP_OACK)
		return (-TFTP_E_OPCODE);
	return (parse_opts(&r, opts, &trunc));
}

int
tftp_parse_ack(const uint8_t *buf, size_t len, uint16_t *block,
    uint8_t *next_window)
{
	struct wire_rd	 r;
	uint16_t	 op, blk;
	uint8_t		 w = 0;

	wire_rd_init(&r, buf, len);
	if (wire_u16(&r, &op) == -1 || wire_u16(&r, &blk) == -1)
		return (-TFTP_E_SHORT);
	if (op != TFTP_ACK)
		return (-TFTP_E_OPCODE);
	/* msftwindow: bootmgr appends the next window size to each ACK. */
	if (wire_left(&r) > 0)
		(void)wire_u8(&r, &w);
	*block = blk;
	*next_window = w;
	return (0);
}

int
tftp_parse_error(const uint8_t *buf, size_t len, uint16_t *code,
    const uint8_t **msg, size_t *msglen)
{
	struct wire_rd	 r;
	const uint8_t	*p, *nul;
	uint16_t	 op, c;
	size_t		 left;

	wire_rd_init(&r, buf, len);
	if (wire_u16(&r, &op) == -1 || wire_u16(&r, &c) == -1)
		return (-TFTP_E_SHORT);
	if (op != TFTP_ERROR)
		return (-TFTP_E_OPCODE);
	left = wire_left(&r);
	p = buf + r.off;
	if (left > 0 && (nul = memchr(p, 0, left)) != NULL)
		left = (size_t)(nul - p);
	*code = c;
	*msg = p;
	*msglen = left;
	return (0);
}

int
tftp_build_data(uint8_t *out, size_t outlen, uint16_t block,
    size_t payload_len)
{
	if (payload_len > TFTP_BLKSIZE_MAX)
		return (-TFTP_E_RANGE);
	if (outlen < TFTP_HDR_LEN)
		return (-TFTP_E_SPACE);
	wire_store16(out, TFTP_DATA);
	wire_store16(out + 2, block);
	return ((int)(TFTP_HDR_LEN + payload_len));
}

int
tftp_build_ack(uint8_t *out, size_t outlen, uint16_t block)
{
	if (outlen < TFTP_HDR_LEN)
		return (-TFTP_E_SPACE);
	wire_store16(out, TFTP_ACK);
	wire_store16(out + 2, block);
	return (TFTP_HDR_LEN);
}

int
tftp_build_error(uint8_t *out, size_t outlen, uint16_t code,
    const char *msg)
{
	size_t	 n;

	if (outlen < TFTP_HDR_LEN + 1)
		return (-TFTP_E_SPACE);
	n = msg == NULL ? 0 : strnlen(msg, TFTP_ERRMSG_MAX);
	if (n > outlen - TFTP_HDR_LEN - 1)
		n = outlen - TFTP_HDR_LEN - 1;
	wire_store16(out, TFTP_ERROR);
	wire_store16(out + 2, code);
	if (n > 0)
		memcpy(out + TFTP_HDR_LEN, msg, n);
	out[TFTP_HDR_LEN + n] = '\0';
	return ((int)(TFTP_HDR_LEN + n + 1));
}

/* Put "name\0decimal\0". */
static void
put_opt(struct wire_wr *w, const char *name, uint64_t v)
{
	char	 dig[21];
	size_t	 i = sizeof(dig);

	do {
		dig[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	(void)wire_put_bytes(w, name, strlen(name) + 1);
	(void)wire_put_bytes(w, dig + i, sizeof(dig) - i);
	(void)wire_put_u8(w, 0);
}

int
tftp_build_oack(uint8_t *out, size_t outlen,
    const struct tftp_opts *granted)
{
	struct tftp_opts o = *granted;
	struct wire_wr	 w;
	size_t		 i;

	wire_wr_init(&w, out, outlen);
	(void)wire_put_u16(&w, TFTP_OACK);
	for (i = 0; i < TFTP_NOPTS; i++)
		if (granted->present & tftp_optnames[i].bit)
			put_opt(&w, tftp_optnames[i].name,
			    *opt_field(&o, tftp_optnames[i].bit));
	if (w.bad || w.off > INT32_MAX)
		return (-TFTP_E_SPACE);
	return ((int)w.off);
}

int
tftp_negotiate(const struct tftp_req *req, const struct tftp_limits *lim,
    uint64_t file_size, struct tftp_opts *g)
{
	const struct tftp_opts *o = &req->opt;
	uint64_t	 maxblk, maxwin;
	int		 n = 0, i;

	memset(g, 0, sizeof(*g));
	g->blksize = TFTP_BLKSIZE_DEFAULT;
	g->windowsize = 1;

	maxblk = lim->max_blksize;
	if (maxblk < TFTP_BLKSIZE_MIN)
		maxblk = TFTP_BLKSIZE_MIN;
	if (maxblk > TFTP_BLKSIZE_MAX)
		maxblk = TFTP_BLKSIZE_MAX;
	maxwin = lim->max_window == 0 ? 1 : lim->max_window;
	if (maxwin > TFTP_WINDOW_MAX)
		maxwin = TFTP_WINDOW_MAX;

	if ((o->present & TFTP_OPT_BLKSIZE) &&
	    o->blksize >= TFTP_BLKSIZE_MIN && o->blksize <= TFTP_BLKSIZE_MAX) {
		g->blksize = o->blksize < maxblk ? o->blksize : maxblk;
		g->present |= TFTP_OPT_BLKSIZE;
	}
	if ((o->present & TFTP_OPT_TIMEOUT) &&
	    o->timeout >= TFTP_TIMEOUT_MIN && o->timeout <= TFTP_TIMEOUT_MAX) {
		g->timeout = o->timeout;
		g->present |= TFTP_OPT_TIMEOUT;
	}
	if (o->present & TFTP_OPT_TSIZE) {
		if (req->opcode == TFTP_WRQ) {
			g->tsize = o->tsize;
			g->present |= TFTP_OPT_TSIZE;
		} else if (file_size != UINT64_MAX) {
			g->tsize = file_size;
			g->present |= TFTP_OPT_TSIZE;
		}
	}
	if ((o->present & TFTP_OPT_WINDOWSIZE) &&
	    o->windowsize >= 1 && o->windowsize <= TFTP_WINDOW_MAX) {
		g->windowsize = o->windowsize < maxwin ? o->windowsize : maxwin;
		g->present |= TFTP_OPT_WINDOWSIZE;
	}
	if ((o->present & TFTP_OPT_MSFTWINDOW) && req->opcode == TFTP_RRQ &&
	    o->msftwindow == TFTP_MSFT_OFFER && lim->allow_msft) {
		g->msftwindow = TFTP_MSFT_GRANT;
		g->present |= TFTP_OPT_MSFTWINDOW;
	}
	if ((o->present & TFTP_OPT_ROLLOVER) && lim->allow_rollover &&
	    o->rollover <= 1) {
		g->rollover = o->rollover;
		g->present |= TFTP_OPT_ROLLOVER;
	}
	for (i = 0; i < 32; i++)
		if (g->present & (1U << i))
			n++;
	return (n);
}

uint16_t
tftp_wire_block(int rollover, uint64_t n)
{
	if (n <= 65535)
		return ((uint16_t)n);
	if (rollover == 0)
		return ((uint16_t)(n & 0xffff));
	return ((uint16_t)((n - 1) % 65535 + 1));
}

int
tftp_granted_check(const struct tftp_opts *granted, int rollover)
{
	if (granted->present & TFTP_OPT_ROLLOVER)
		rollover = granted->rollover > 1 ? -1 : (int)granted->rollover;
	if (granted->blksize < TFTP_BLKSIZE_MIN ||
	    granted->blksize > TFTP_BLKSIZE_MAX ||
	    granted->windowsize < 1 || granted->windowsize > TFTP_WINDOW_MAX ||
	    (rollover != 0 && rollover != 1))
		return (-TFTP_E_RANGE);
	return (rollover);
}
