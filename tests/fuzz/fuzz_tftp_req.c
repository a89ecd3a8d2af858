/*
 * Fuzz the TFTP request codec: arbitrary bytes as a received RRQ/WRQ.
 * When they parse, the filename must be NUL-free and bounded, every
 * option value must be canonical; negotiation under several limits must
 * stay inside the RFC ranges and the limits; the OACK built from it must
 * parse back to exactly the granted set, and must be written wholly by the
 * builder (two builds into differently pre-filled buffers agree).  The
 * same bytes are also fed to the ACK and ERROR parsers.  Deterministic,
 * no globals; abort() on any broken invariant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pxeha/tftp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(x)	do { if (!(x)) abort(); } while (0)

static int
popcount(uint32_t v)
{
	int	 n = 0;

	for (; v != 0; v &= v - 1)
		n++;
	return (n);
}

static void
check_granted(const struct tftp_req *req, const struct tftp_limits *lim,
    uint64_t fsize, const struct tftp_opts *g, int n)
{
	const struct tftp_opts *o = &req->opt;
	uint64_t	 maxblk;

	CHECK(n == popcount(g->present));
	CHECK((g->present & ~o->present) == 0);	/* only what was asked */
	maxblk = lim->max_blksize < TFTP_BLKSIZE_MIN ? TFTP_BLKSIZE_MIN :
	    lim->max_blksize > TFTP_BLKSIZE_MAX ? TFTP_BLKSIZE_MAX :
	    lim->max_blksize;
	if (g->present & TFTP_OPT_BLKSIZE) {
		CHECK(g->blksize >= TFTP_BLKSIZE_MIN && g->blksize <= maxblk);
		CHECK(g->blksize <= o->blksize);
	} else
		CHECK(g->blksize == TFTP_BLKSIZE_DEFAULT);
	if (g->present & TFTP_OPT_TIMEOUT)
		CHECK(g->timeout == o->timeout && g->timeout >= 1 &&
		    g->timeout <= 255);
	if (g->present & TFTP_OPT_TSIZE)
		CHECK(g->tsize == (req->opcode == TFTP_WRQ ? o->tsize : fsize));
	if (g->present & TFTP_OPT_WINDOWSIZE) {
		CHECK(g->windowsize >= 1 && g->windowsize <= o->windowsize);
		CHECK(g->windowsize <= (lim->max_window == 0 ? 1 :
		    lim->max_window));
	} else
		CHECK(g->windowsize == 1);
	if (g->present & TFTP_OPT_MSFTWINDOW)
		CHECK(lim->allow_msft && o->msftwindow == TFTP_MSFT_OFFER &&
		    g->msftwindow == TFTP_MSFT_GRANT &&
		    req->opcode == TFTP_RRQ);
	if (g->present & TFTP_OPT_ROLLOVER)
		CHECK(lim->allow_rollover && g->rollover <= 1);
}

static void
check_oack(const struct tftp_opts *g)
{
	static uint8_t	 a[512], b[512];
	struct tftp_opts back;
	int		 la, lb;

	memset(a, 0x00, sizeof(a));
	memset(b, 0xff, sizeof(b));
	la = tftp_build_oack(a, sizeof(a), g);
	lb = tftp_build_oack(b, sizeof(b), g);
	CHECK(la >= 2 && la == lb && memcmp(a, b, (size_t)la) == 0);
	CHECK(tftp_build_oack(a, (size_t)la - 1, g) == -TFTP_E_SPACE);
	CHECK(tftp_parse_oack(b, (size_t)lb, &back) == 0);
	CHECK(back.present == g->present);
	CHECK(!(g->present & TFTP_OPT_BLKSIZE) || back.blksize == g->blksize);
	CHECK(!(g->present & TFTP_OPT_TIMEOUT) || back.timeout == g->timeout);
	CHECK(!(g->present & TFTP_OPT_TSIZE) || back.tsize == g->tsize);
	CHECK(!(g->present & TFTP_OPT_WINDOWSIZE) ||
	    back.windowsize == g->windowsize);
	CHECK(!(g->present & TFTP_OPT_MSFTWINDOW) ||
	    back.msftwindow == g->msftwindow);
	CHECK(!(g->present & TFTP_OPT_ROLLOVER) ||
	    back.rollover == g->rollover);
}

static void
check_other(const uint8_t *buf, size_t len)
{
	const uint8_t	*msg;
	size_t		 msglen;
	uint16_t	 blk, code;
	uint8_t		 w, out[8];
	int		 rc;

	rc = tftp_parse_ack(buf, len, &blk, &w);
	if (rc == 0) {
		CHECK(len >= 4);
		CHECK(tftp_build_ack(out, sizeof(out), blk) == 4);
		CHECK(memcmp(out, buf, 4) == 0);
		CHECK(w == (len > 4 ? buf[4] : 0));
	}
	if (tftp_parse_error(buf, len, &code, &msg, &msglen) == 0) {
		CHECK(msg >= buf + 4 && msglen <= len - 4);
		CHECK(memchr(msg, 0, msglen) == NULL);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	static const struct tftp_limits lims[] = {
		{ 1468, 64, 1, 1 },
		{ 0, 0, 0, 0 },
		{ 100000, 100000, 1, 0 },
		{ 512, 1, 0, 1 },
	};
	static const uint64_t fsizes[] = { 0, 3170304, UINT64_MAX };
	struct tftp_req	 req;
	struct tftp_opts g;
	size_t		 i;
	int		 rc, n;

	check_other(buf, len);
	rc = tftp_parse_req(buf, len, &req);
	if (rc != 0) {
		CHECK(rc == -TFTP_E_SHORT || rc == -TFTP_E_OPCODE ||
		    rc == -TFTP_E_FILENAME || rc == -TFTP_E_MODE ||
		    rc == -TFTP_E_DUPOPT);
		return (0);
	}
	CHECK(req.opcode == TFTP_RRQ || req.opcode == TFTP_WRQ);
	CHECK(req.mode == TFTP_MODE_OCTET || req.mode == TFTP_MODE_NETASCII);
	CHECK(req.filename_len >= 1 && req.filename_len <= TFTP_FILENAME_MAX);
	CHECK(strlen(req.filename) == req.filename_len);
	CHECK(memcmp(req.filename, buf + 2, req.filename_len) == 0);
	CHECK((req.opt.present & ~(uint32_t)TFTP_OPT_ALL) == 0);

	for (i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		n = tftp_negotiate(&req, &lims[i], fsizes[i % 3], &g);
		check_granted(&req, &lims[i], fsizes[i % 3], &g, n);
		check_oack(&g);
	}
	/* The request's own options, as an OACK, survive a round trip. */
	check_oack(&req.opt);
	return (0);
}
