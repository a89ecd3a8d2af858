/*
 * TFTP codec and option negotiation: request parsing (options alone and
 * together, bad values, duplicates, unknown options, mode case, malformed
 * requests), negotiation limits, ACK with the msftwindow byte, ERROR
 * truncation and the OACK round trip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/tftp.h"

/* A request literal: embedded NULs, the implicit final NUL not counted. */
#define B(s)	(const uint8_t *)(s), sizeof(s) - 1
#define RRQ	"\0\1"
#define WRQ	"\0\2"

struct req_case {
	const char	*name;
	const uint8_t	*buf;
	size_t		 len;
	int		 rc;
	uint32_t	 present;
	uint64_t	 blksize, timeout, tsize, windowsize, msft, rollover;
	int		 truncated;
};

static const struct req_case req_cases[] = {
	{ "plain", B(RRQ "pxelinux.0\0octet\0"), 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "blksize", B(RRQ "f\0octet\0blksize\0" "1432\0"), 0,
	    TFTP_OPT_BLKSIZE, 1432, 0, 0, 0, 0, 0, 0 },
	{ "timeout", B(RRQ "f\0octet\0timeout\0" "5\0"), 0,
	    TFTP_OPT_TIMEOUT, 0, 5, 0, 0, 0, 0, 0 },
	{ "tsize", B(RRQ "f\0octet\0tsize\0" "0\0"), 0,
	    TFTP_OPT_TSIZE, 0, 0, 0, 0, 0, 0, 0 },
	{ "windowsize", B(RRQ "f\0octet\0windowsize\0" "4\0"), 0,
	    TFTP_OPT_WINDOWSIZE, 0, 0, 0, 4, 0, 0, 0 },
	{ "msftwindow", B(RRQ "f\0octet\0msftwindow\0" "31416\0"), 0,
	    TFTP_OPT_MSFTWINDOW, 0, 0, 0, 0, 31416, 0, 0 },
	{ "rollover", B(RRQ "f\0octet\0rollover\0" "1\0"), 0,
	    TFTP_OPT_ROLLOVER, 0, 0, 0, 0, 0, 1, 0 },
	{ "all", B(RRQ "f\0octet\0blksize\0" "1456\0tsize\0" "0\0"
	    "windowsize\0" "8\0msftwindow\0" "31416\0timeout\0" "3\0"
	    "rollover\0" "0\0"), 0, TFTP_OPT_ALL, 1456, 3, 0, 8, 31416, 0, 0 },
	{ "names any case", B(RRQ "f\0OcTeT\0BLKSIZE\0" "512\0TSize\0" "0\0"),
	    0, TFTP_OPT_BLKSIZE | TFTP_OPT_TSIZE, 512, 0, 0, 0, 0, 0, 0 },
	{ "netascii upper", B(RRQ "f\0NETASCII\0"), 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "unknown ignored", B(RRQ "f\0octet\0multicast\0\0blksize\0" "1468\0"
	    "utimeout\0" "100\0"), 0, TFTP_OPT_BLKSIZE, 1468, 0, 0, 0, 0, 0, 0 },
	{ "unknown twice ignored", B(RRQ "f\0octet\0x\0" "1\0x\0" "2\0"), 0,
	    0, 0, 0, 0, 0, 0, 0, 0 },
	{ "empty option name ignored", B(RRQ "f\0octet\0\0" "5\0"), 0, 0,
	    0, 0, 0, 0, 0, 0, 0 },
	{ "duplicate", B(RRQ "f\0octet\0blksize\0" "512\0blksize\0" "1024\0"),
	    -TFTP_E_DUPOPT, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "duplicate other case", B(RRQ "f\0octet\0tsize\0" "0\0TSIZE\0" "0\0"),
	    -TFTP_E_DUPOPT, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "duplicate after bad value", B(RRQ "f\0octet\0blksize\0x\0"
	    "blksize\0" "512\0"), -TFTP_E_DUPOPT, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "leading zero dropped", B(RRQ "f\0octet\0blksize\0" "0512\0"), 0, 0,
	    0, 0, 0, 0, 0, 0, 0 },
	{ "plus sign dropped", B(RRQ "f\0octet\0blksize\0+512\0"), 0, 0,
	    0, 0, 0, 0, 0, 0, 0 },
	{ "minus sign dropped", B(RRQ "f\0octet\0timeout\0-1\0"), 0, 0,
	    0, 0, 0, 0, 0, 0, 0 },
	{ "blank dropped", B(RRQ "f\0octet\0blksize\0 512\0"), 0, 0,
	    0, 0, 0, 0, 0, 0, 0 },
	{ "hex dropped", B(RRQ "f\0octet\0blksize\0" "0x200\0"), 0, 0,
	    0, 0, 0, 0, 0, 0, 0 },
	{ "empty value dropped", B(RRQ "f\0octet\0blksize\0\0"), 0, 0,
	    0, 0, 0, 0, 0, 0, 0 },
	{ "uint64 max kept", B(RRQ "f\0octet\0tsize\0"
	    "18446744073709551615\0"), 0, TFTP_OPT_TSIZE, 0, 0, UINT64_MAX, 0,
	    0, 0, 0 },
	{ "uint64 overflow dropped", B(RRQ "f\0octet\0tsize\0"
	    "18446744073709551616\0"), 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "huge dropped", B(RRQ "f\0octet\0blksize\0"
	    "99999999999999999999999999999\0"), 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "odd option count", B(RRQ "f\0octet\0blksize\0" "1432\0tsize\0"), 0,
	    TFTP_OPT_BLKSIZE, 1432, 0, 0, 0, 0, 0, 1 },
	{ "option unterminated", B(RRQ "f\0octet\0blksize\0" "1432\0tsi"), 0,
	    TFTP_OPT_BLKSIZE, 1432, 0, 0, 0, 0, 0, 1 },
	{ "value unterminated", B(RRQ "f\0octet\0blksize\0" "14"), 0, 0,
	    0, 0, 0, 0, 0, 0, 1 },
	{ "wrq", B(WRQ "up\0octet\0tsize\0" "77\0"), 0, TFTP_OPT_TSIZE, 0, 0,
	    77, 0, 0, 0, 0 },
	{ "empty", B(""), -TFTP_E_SHORT, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "one byte", B("\0"), -TFTP_E_SHORT, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "opcode data", B("\0\3f\0octet\0"), -TFTP_E_OPCODE, 0, 0, 0, 0, 0,
	    0, 0, 0 },
	{ "opcode 0", B("\0\0f\0octet\0"), -TFTP_E_OPCODE, 0, 0, 0, 0, 0, 0,
	    0, 0 },
	{ "no filename", B(RRQ), -TFTP_E_FILENAME, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "empty filename", B(RRQ "\0octet\0"), -TFTP_E_FILENAME, 0, 0, 0, 0,
	    0, 0, 0, 0 },
	{ "filename unterminated", B(RRQ "pxelinux.0"), -TFTP_E_FILENAME, 0,
	    0, 0, 0, 0, 0, 0, 0 },
	{ "missing mode", B(RRQ "f\0"), -TFTP_E_MODE, 0, 0, 0, 0, 0, 0, 0,
	    0 },
	{ "mode unterminated", B(RRQ "f\0octet"), -TFTP_E_MODE, 0, 0, 0, 0, 0,
	    0, 0, 0 },
	{ "empty mode", B(RRQ "f\0\0"), -TFTP_E_MODE, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "mail refused", B(RRQ "f\0mail\0"), -TFTP_E_MODE, 0, 0, 0, 0, 0, 0,
	    0, 0 },
	{ "MAIL refused", B(RRQ "f\0MAIL\0"), -TFTP_E_MODE, 0, 0, 0, 0, 0, 0,
	    0, 0 },
	{ "octet prefix refused", B(RRQ "f\0octets\0"), -TFTP_E_MODE, 0, 0,
	    0, 0, 0, 0, 0, 0 },
};

static void
test_tftp_parse_req_table(void **state)
{
	struct tftp_req	 req;
	size_t		 i;
	int		 rc;

	(void)state;
	for (i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		const struct req_case *c = &req_cases[i];

		print_message("case %zu: %s\n", i, c->name);
		rc = tftp_parse_req(c->buf, c->len, &req);
		assert_int_equal(rc, c->rc);
		if (rc != 0)
			continue;
		assert_int_equal(req.opt.present, c->present);
		assert_int_equal(req.opt_truncated, c->truncated);
		if (c->present & TFTP_OPT_BLKSIZE)
			assert_true(req.opt.blksize == c->blksize);
		if (c->present & TFTP_OPT_TIMEOUT)
			assert_true(req.opt.timeout == c->timeout);
		if (c->present & TFTP_OPT_TSIZE)
			assert_true(req.opt.tsize == c->tsize);
		if (c->present & TFTP_OPT_WINDOWSIZE)
			assert_true(req.opt.windowsize == c->windowsize);
		if (c->present & TFTP_OPT_MSFTWINDOW)
			assert_true(req.opt.msftwindow == c->msft);
		if (c->present & TFTP_OPT_ROLLOVER)
			assert_true(req.opt.rollover == c->rollover);
	}
}

static void
test_tftp_parse_req_fields(void **state)
{
	static const uint8_t	 mixed[] = RRQ "\\Boot\\x64\\wdsmgfw.efi\0"
	    "NetAscii\0";
	struct tftp_req		 req;

	(void)state;
	assert_int_equal(tftp_parse_req(mixed, sizeof(mixed) - 1, &req), 0);
	assert_int_equal(req.opcode, TFTP_RRQ);
	assert_int_equal(req.mode, TFTP_MODE_NETASCII);
	assert_string_equal(req.filename, "\\Boot\\x64\\wdsmgfw.efi");
	assert_int_equal(req.filename_len, strlen(req.filename));
	assert_int_equal(tftp_parse_req(B(WRQ "a\0octet\0"), &req), 0);
	assert_int_equal(req.opcode, TFTP_WRQ);
	assert_int_equal(req.mode, TFTP_MODE_OCTET);
}

static void
test_tftp_parse_req_filename_limit(void **state)
{
	uint8_t		 buf[2 + TFTP_FILENAME_MAX + 2 + 6];
	struct tftp_req	 req;
	size_t		 n;

	(void)state;
	for (n = TFTP_FILENAME_MAX; n <= TFTP_FILENAME_MAX + 1; n++) {
		buf[0] = 0;
		buf[1] = TFTP_RRQ;
		memset(buf + 2, 'a', n);
		buf[2 + n] = 0;
		memcpy(buf + 3 + n, "octet", 6);
		assert_int_equal(tftp_parse_req(buf, 9 + n, &req),
		    n == TFTP_FILENAME_MAX ? 0 : -TFTP_E_FILENAME);
	}
	assert_int_equal(req.filename_len, 0);
	assert_int_equal(tftp_parse_req(buf, 9 + TFTP_FILENAME_MAX - 1, &req),
	    -TFTP_E_FILENAME);
}

struct neg_case {
	const char	*name;
	const uint8_t	*buf;
	size_t		 len;
	uint32_t	 max_blksize, max_window;
	int		 msft, roll;
	uint64_t	 fsize;
	int		 n;
	uint32_t	 present;
	uint64_t	 blksize, timeout, tsize, windowsize, msftwindow, rollover;
};

static const struct neg_case neg_cases[] = {
	{ "none -> no oack", B(RRQ "f\0octet\0"), 1468, 64, 1, 1, 10, 0, 0,
	    512, 0, 0, 1, 0, 0 },
	{ "only unknown -> no oack", B(RRQ "f\0octet\0multicast\0\0"), 1468,
	    64, 1, 1, 10, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "ipxe", B(RRQ "f\0octet\0blksize\0" "1432\0tsize\0" "0\0"), 1468,
	    64, 1, 1, 123456, 2, TFTP_OPT_BLKSIZE | TFTP_OPT_TSIZE, 1432, 0,
	    123456, 1, 0, 0 },
	{ "blksize clamped", B(RRQ "f\0octet\0blksize\0" "65464\0"), 1468, 64,
	    0, 0, 0, 1, TFTP_OPT_BLKSIZE, 1468, 0, 0, 1, 0, 0 },
	{ "blksize 8", B(RRQ "f\0octet\0blksize\0" "8\0"), 1468, 64, 0, 0, 0,
	    1, TFTP_OPT_BLKSIZE, 8, 0, 0, 1, 0, 0 },
	{ "blksize 7 ignored", B(RRQ "f\0octet\0blksize\0" "7\0"), 1468, 64,
	    0, 0, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "blksize 65465 ignored", B(RRQ "f\0octet\0blksize\0" "65465\0"),
	    65464, 64, 0, 0, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "blksize limit 0 -> 8", B(RRQ "f\0octet\0blksize\0" "1432\0"), 0, 64,
	    0, 0, 0, 1, TFTP_OPT_BLKSIZE, 8, 0, 0, 1, 0, 0 },
	{ "blksize limit huge", B(RRQ "f\0octet\0blksize\0" "65464\0"), 100000,
	    64, 0, 0, 0, 1, TFTP_OPT_BLKSIZE, 65464, 0, 0, 1, 0, 0 },
	{ "timeout 1", B(RRQ "f\0octet\0timeout\0" "1\0"), 1468, 64, 0, 0, 0,
	    1, TFTP_OPT_TIMEOUT, 512, 1, 0, 1, 0, 0 },
	{ "timeout 255", B(RRQ "f\0octet\0timeout\0" "255\0"), 1468, 64, 0, 0,
	    0, 1, TFTP_OPT_TIMEOUT, 512, 255, 0, 1, 0, 0 },
	{ "timeout 0 ignored", B(RRQ "f\0octet\0timeout\0" "0\0"), 1468, 64,
	    0, 0, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "timeout 256 ignored", B(RRQ "f\0octet\0timeout\0" "256\0"), 1468,
	    64, 0, 0, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "tsize unknown size", B(RRQ "f\0octet\0tsize\0" "0\0"), 1468, 64, 0,
	    0, UINT64_MAX, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "tsize netascii size", B(RRQ "f\0netascii\0tsize\0" "0\0"), 1468,
	    64, 0, 0, 1050, 1, TFTP_OPT_TSIZE, 512, 0, 1050, 1, 0, 0 },
	{ "tsize wrq echoed", B(WRQ "f\0octet\0tsize\0" "4096\0"), 1468, 64,
	    0, 0, UINT64_MAX, 1, TFTP_OPT_TSIZE, 512, 0, 4096, 1, 0, 0 },
	{ "window capped", B(RRQ "f\0octet\0windowsize\0" "65535\0"), 1468, 64,
	    0, 0, 0, 1, TFTP_OPT_WINDOWSIZE, 512, 0, 0, 64, 0, 0 },
	{ "window 4 edk2", B(RRQ "f\0octet\0blksize\0" "1468\0windowsize\0"
	    "4\0"), 1468, 64, 0, 0, 0, 2,
	    TFTP_OPT_BLKSIZE | TFTP_OPT_WINDOWSIZE, 1468, 0, 0, 4, 0, 0 },
	{ "window 0 ignored", B(RRQ "f\0octet\0windowsize\0" "0\0"), 1468, 64,
	    0, 0, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "window 65536 ignored", B(RRQ "f\0octet\0windowsize\0" "65536\0"),
	    1468, 64, 0, 0, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "window limit 0 -> 1", B(RRQ "f\0octet\0windowsize\0" "8\0"), 1468,
	    0, 0, 0, 0, 1, TFTP_OPT_WINDOWSIZE, 512, 0, 0, 1, 0, 0 },
	{ "msft granted", B(RRQ "f\0octet\0msftwindow\0" "31416\0"), 1468, 64,
	    1, 0, 0, 1, TFTP_OPT_MSFTWINDOW, 512, 0, 0, 1, 27182, 0 },
	{ "msft disabled", B(RRQ "f\0octet\0msftwindow\0" "31416\0"), 1468, 64,
	    0, 0, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "msft wrong value", B(RRQ "f\0octet\0msftwindow\0" "27182\0"), 1468,
	    64, 1, 0, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "msft on wrq", B(WRQ "f\0octet\0msftwindow\0" "31416\0"), 1468, 64,
	    1, 0, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "rollover 1", B(RRQ "f\0octet\0rollover\0" "1\0"), 1468, 64, 0, 1, 0,
	    1, TFTP_OPT_ROLLOVER, 512, 0, 0, 1, 0, 1 },
	{ "rollover 0", B(RRQ "f\0octet\0rollover\0" "0\0"), 1468, 64, 0, 1, 0,
	    1, TFTP_OPT_ROLLOVER, 512, 0, 0, 1, 0, 0 },
	{ "rollover 2 ignored", B(RRQ "f\0octet\0rollover\0" "2\0"), 1468, 64,
	    0, 1, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "rollover disabled", B(RRQ "f\0octet\0rollover\0" "1\0"), 1468, 64,
	    0, 0, 0, 0, 0, 512, 0, 0, 1, 0, 0 },
	{ "bootmgr", B(RRQ "\\Boot\\x64\\boot.sdi\0octet\0blksize\0" "1456\0"
	    "tsize\0" "0\0windowsize\0" "4\0msftwindow\0" "31416\0"), 1468, 64,
	    1, 0, 3170304, 4, TFTP_OPT_BLKSIZE | TFTP_OPT_TSIZE |
	    TFTP_OPT_WINDOWSIZE | TFTP_OPT_MSFTWINDOW, 1456, 0, 3170304, 4,
	    27182, 0 },
};

static void
test_tftp_negotiate_table(void **state)
{
	struct tftp_limits	 lim;
	struct tftp_opts	 g, back;
	struct tftp_req		 req;
	uint8_t			 oack[512];
	size_t			 i;
	int			 n, len;

	(void)state;
	for (i = 0; i < sizeof(neg_cases) / sizeof(neg_cases[0]); i++) {
		const struct neg_case *c = &neg_cases[i];

		print_message("case %zu: %s\n", i, c->name);
		assert_int_equal(tftp_parse_req(c->buf, c->len, &req), 0);
		memset(&lim, 0, sizeof(lim));
		lim.max_blksize = c->max_blksize;
		lim.max_window = c->max_window;
		lim.allow_msft = c->msft;
		lim.allow_rollover = c->roll;
		n = tftp_negotiate(&req, &lim, c->fsize, &g);
		assert_int_equal(n, c->n);
		assert_int_equal(g.present, c->present);
		assert_true(g.blksize == c->blksize);
		assert_true(g.timeout == c->timeout);
		assert_true(g.tsize == c->tsize);
		assert_true(g.windowsize == c->windowsize);
		assert_true(g.msftwindow == c->msftwindow);
		assert_true(g.rollover == c->rollover);

		/* Round trip through the OACK. */
		len = tftp_build_oack(oack, sizeof(oack), &g);
		assert_true(len >= 2);
		assert_int_equal(tftp_parse_oack(oack, (size_t)len, &back), 0);
		assert_int_equal(back.present, g.present);
		if (g.present & TFTP_OPT_BLKSIZE)
			assert_true(back.blksize == g.blksize);
		if (g.present & TFTP_OPT_TSIZE)
			assert_true(back.tsize == g.tsize);
		if (g.present & TFTP_OPT_WINDOWSIZE)
			assert_true(back.windowsize == g.windowsize);
		if (g.present & TFTP_OPT_MSFTWINDOW)
			assert_true(back.msftwindow == TFTP_MSFT_GRANT);
	}
}

static void
test_tftp_build_oack_bytes(void **state)
{
	static const uint8_t	 want[] = "\0\6blksize\0" "1468\0tsize\0"
	    "18446744073709551615\0windowsize\0" "4\0msftwindow\0" "27182\0";
	struct tftp_opts	 g;
	uint8_t			 out[128];
	size_t			 i;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.present = TFTP_OPT_BLKSIZE | TFTP_OPT_TSIZE | TFTP_OPT_WINDOWSIZE |
	    TFTP_OPT_MSFTWINDOW;
	g.blksize = 1468;
	g.tsize = UINT64_MAX;
	g.windowsize = 4;
	g.msftwindow = TFTP_MSFT_GRANT;
	assert_int_equal(tftp_build_oack(out, sizeof(out), &g),
	    sizeof(want) - 1);
	assert_memory_equal(out, want, sizeof(want) - 1);
	for (i = 0; i < sizeof(want) - 1; i++)
		assert_int_equal(tftp_build_oack(out, i, &g), -TFTP_E_SPACE);
	g.present = 0;
	assert_int_equal(tftp_build_oack(out, sizeof(out), &g), 2);
}

static void
test_tftp_parse_oack_errors(void **state)
{
	struct tftp_opts	 o;

	(void)state;
	assert_int_equal(tftp_parse_oack(B("\0"), &o), -TFTP_E_SHORT);
	assert_int_equal(tftp_parse_oack(B("\0\4\0\0"), &o), -TFTP_E_OPCODE);
	assert_int_equal(tftp_parse_oack(B("\0\6tsize\0" "1\0tsize\0" "1\0"),
	    &o), -TFTP_E_DUPOPT);
	assert_int_equal(tftp_parse_oack(B("\0\6"), &o), 0);
	assert_int_equal(o.present, 0);
}

static void
test_tftp_ack(void **state)
{
	uint8_t		 out[8], w;
	uint16_t	 blk;

	(void)state;
	assert_int_equal(tftp_build_ack(out, sizeof(out), 0xfffe), 4);
	assert_memory_equal(out, "\0\4\xff\xfe", 4);
	assert_int_equal(tftp_build_ack(out, 3, 1), -TFTP_E_SPACE);
	assert_int_equal(tftp_parse_ack(out, 4, &blk, &w), 0);
	assert_int_equal(blk, 0xfffe);
	assert_int_equal(w, 0);
	/* bootmgr: one trailing byte, the next window size. */
	assert_int_equal(tftp_parse_ack(B("\0\4\0\7\x10"), &blk, &w), 0);
	assert_int_equal(blk, 7);
	assert_int_equal(w, 16);
	assert_int_equal(tftp_parse_ack(B("\0\4\0\7\x08\x99\x99"), &blk, &w),
	    0);
	assert_int_equal(w, 8);
	assert_int_equal(tftp_parse_ack(B("\0\4\0"), &blk, &w),
	    -TFTP_E_SHORT);
	assert_int_equal(tftp_parse_ack(B(""), &blk, &w), -TFTP_E_SHORT);
	assert_int_equal(tftp_parse_ack(B("\0\3\0\1"), &blk, &w),
	    -TFTP_E_OPCODE);
}

static void
test_tftp_data(void **state)
{
	uint8_t		 out[4];

	(void)state;
	assert_int_equal(tftp_build_data(out, sizeof(out), 0x1234, 1468),
	    1472);
	assert_memory_equal(out, "\0\3\x12\x34", 4);
	assert_int_equal(tftp_build_data(out, sizeof(out), 1, 0), 4);
	assert_int_equal(tftp_build_data(out, 3, 1, 0), -TFTP_E_SPACE);
	assert_int_equal(tftp_build_data(out, 4, 1, TFTP_BLKSIZE_MAX + 1),
	    -TFTP_E_RANGE);
	assert_int_equal(tftp_build_data(out, 4, 1, TFTP_BLKSIZE_MAX),
	    TFTP_BLKSIZE_MAX + 4);
}

static void
test_tftp_error(void **state)
{
	char		 longmsg[1000];
	uint8_t		 out[600];
	const uint8_t	*msg;
	size_t		 msglen;
	uint16_t	 code;

	(void)state;
	assert_int_equal(tftp_build_error(out, sizeof(out), TFTP_ERR_NOTFOUND,
	    "File not found"), 4 + 14 + 1);
	assert_memory_equal(out, "\0\5\0\1File not found\0", 19);
	assert_int_equal(tftp_parse_error(out, 19, &code, &msg, &msglen), 0);
	assert_int_equal(code, TFTP_ERR_NOTFOUND);
	assert_int_equal(msglen, 14);
	assert_memory_equal(msg, "File not found", 14);

	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	assert_int_equal(tftp_build_error(out, sizeof(out), TFTP_ERR_UNDEF,
	    longmsg), 4 + TFTP_ERRMSG_MAX + 1);
	assert_int_equal(out[4 + TFTP_ERRMSG_MAX], 0);
	assert_int_equal(tftp_build_error(out, 20, TFTP_ERR_UNDEF, longmsg),
	    20);
	assert_int_equal(out[19], 0);
	assert_int_equal(tftp_parse_error(out, 20, &code, &msg, &msglen), 0);
	assert_int_equal(msglen, 15);
	assert_int_equal(tftp_build_error(out, 5, TFTP_ERR_BADID, "abc"), 5);
	assert_int_equal(out[4], 0);
	assert_int_equal(tftp_build_error(out, 4, TFTP_ERR_BADID, "abc"),
	    -TFTP_E_SPACE);
	assert_int_equal(tftp_build_error(out, 8, TFTP_ERR_OPTNEG, NULL), 5);

	/* Unterminated message tolerated; short and wrong opcode refused. */
	assert_int_equal(tftp_parse_error(B("\0\5\0\2abc"), &code, &msg,
	    &msglen), 0);
	assert_int_equal(code, 2);
	assert_int_equal(msglen, 3);
	assert_int_equal(tftp_parse_error(B("\0\5\0\2"), &code, &msg, &msglen),
	    0);
	assert_int_equal(msglen, 0);
	assert_int_equal(tftp_parse_error(B("\0\5\0"), &code, &msg, &msglen),
	    -TFTP_E_SHORT);
	assert_int_equal(tftp_parse_error(B("\0\4\0\1x\0"), &code, &msg,
	    &msglen), -TFTP_E_OPCODE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tftp_parse_req_table),
		cmocka_unit_test(test_tftp_parse_req_fields),
		cmocka_unit_test(test_tftp_parse_req_filename_limit),
		cmocka_unit_test(test_tftp_negotiate_table),
		cmocka_unit_test(test_tftp_build_oack_bytes),
		cmocka_unit_test(test_tftp_parse_oack_errors),
		cmocka_unit_test(test_tftp_ack),
		cmocka_unit_test(test_tftp_data),
		cmocka_unit_test(test_tftp_error),
	};

	return (cmocka_run_group_tests_name("tftp_packet", tests, NULL, NULL));
}
