/*
 * TFTP filename normalisation and netascii: a table of requested names
 * with the path or refusal each must give, outlen edges, in-place use,
 * component iteration, and netascii checked against a decoder written
 * here from RFC 764, independent of the one in path.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/tftp.h"
#include "pxeha/tftp_path.h"

#define BIG	1024

struct norm_case {
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	int		 rc;
	const char	*want;	/* rc == 0 only */
};

#define OK(i, w)	{ i, 0, TFTP_PATH_OK, w }
#define NO(i, e)	{ i, 0, -(e), NULL }
#define NOLEN(i, l, e)	{ i, l, -(e), NULL }

static const struct norm_case norm_cases[] = {
	/* Real boot clients. */
	OK("pxelinux.0", "pxelinux.0"),
	OK("/pxelinux.0", "pxelinux.0"),
	OK("\\Boot\\x64\\wdsmgfw.efi", "Boot/x64/wdsmgfw.efi"),
	OK("\\Boot\\BCD", "Boot/BCD"),
	OK("boot\\x64\\wdsnbp.com", "boot/x64/wdsnbp.com"),
	OK("/ipxe.efi", "ipxe.efi"),
	OK("pxelinux.cfg/01-52-54-00-12-34-56",
	    "pxelinux.cfg/01-52-54-00-12-34-56"),
	OK("EFI/BOOT/grubx64.efi", "EFI/BOOT/grubx64.efi"),
	/* Separators. */
	OK("a//b", "a/b"),
	OK("a\\\\b", "a/b"),
	OK("a/\\/b", "a/b"),
	OK("//a", "a"),
	OK("\\\\server\\share\\f", "server/share/f"),
	OK("a/b/", "a/b"),
	OK("a/b\\", "a/b"),
	OK("a/b//", "a/b"),
	/* Dot components. */
	OK("./a", "a"),
	OK("a/./b", "a/b"),
	OK("a/.", "a"),
	OK("././a/./.", "a"),
	OK(".\\a", "a"),
	/* Names that only look like "..". */
	OK("...", "..."),
	OK("..a", "..a"),
	OK("a..", "a.."),
	OK("a/.../b", "a/.../b"),
	OK(".a", ".a"),
	OK(".. ", ".. "),
	OK("a/..b/c", "a/..b/c"),
	/* Ordinary components kept as they are. */
	OK("C:", "C:"),
	OK("C:\\Boot\\BCD", "C:/Boot/BCD"),
	OK("File Name.TXT", "File Name.TXT"),
	OK("a~1", "a~1"),
	OK("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9"),
	OK("\x80\xff", "\x80\xff"),
	OK("x", "x"),
	/* Refused: "..". */
	NO("..", TFTP_PATH_E_ACCESS),
	NO("/..", TFTP_PATH_E_ACCESS),
	NO("../etc/passwd", TFTP_PATH_E_ACCESS),
	NO("a/../b", TFTP_PATH_E_ACCESS),
	NO("a/..", TFTP_PATH_E_ACCESS),
	NO("a/../", TFTP_PATH_E_ACCESS),
	NO("\\..\\x", TFTP_PATH_E_ACCESS),
	NO("a\\..", TFTP_PATH_E_ACCESS),
	NO("./..", TFTP_PATH_E_ACCESS),
	NO("a/b/c/../../../..", TFTP_PATH_E_ACCESS),
	/* Refused: control bytes, wherever they are. */
	NO("a\tb", TFTP_PATH_E_ACCESS),
	NO("a\nb", TFTP_PATH_E_ACCESS),
	NO("\x01", TFTP_PATH_E_ACCESS),
	NO("a\x1f", TFTP_PATH_E_ACCESS),
	NO("a\x7f", TFTP_PATH_E_ACCESS),
	NO("./\x1b/a", TFTP_PATH_E_ACCESS),
	NO("a/\r", TFTP_PATH_E_ACCESS),
	NOLEN("a\0b", 3, TFTP_PATH_E_ACCESS),
	NOLEN("a\0", 2, TFTP_PATH_E_ACCESS),
	NOLEN("\0", 1, TFTP_PATH_E_ACCESS),
	/* Refused: nothing left. */
	NO("", TFTP_PATH_E_EMPTY),
	NO("/", TFTP_PATH_E_EMPTY),
	NO("\\", TFTP_PATH_E_EMPTY),
	NO(".", TFTP_PATH_E_EMPTY),
	NO("./", TFTP_PATH_E_EMPTY),
	NO("/./.\\.//", TFTP_PATH_E_EMPTY),
};

static void
test_tftp_path_norm_table(void **state)
{
	char	 out[BIG];
	size_t	 i, len;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		const struct norm_case *c = &norm_cases[i];

		len = c->len != 0 ? c->len : strlen(c->in);
		memset(out, 'Z', sizeof(out));
		rc = tftp_path_norm(c->in, len, out, sizeof(out));
		if (rc != c->rc)
			fail_msg("case %zu \"%s\": rc %d, want %d", i, c->in,
			    rc, c->rc);
		if (rc == TFTP_PATH_OK) {
			if (strcmp(out, c->want) != 0)
				fail_msg("case %zu \"%s\": got \"%s\"", i,
				    c->in, out);
		} else
			assert_int_equal(out[0], '\0');
	}
}

static void
test_tftp_path_norm_is_idempotent(void **state)
{
	char	 a[BIG], b[BIG];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		if (norm_cases[i].rc != TFTP_PATH_OK)
			continue;
		assert_int_equal(tftp_path_norm(norm_cases[i].in,
		    strlen(norm_cases[i].in), a, sizeof(a)), 0);
		assert_int_equal(tftp_path_norm(a, strlen(a), b, sizeof(b)), 0);
		assert_string_equal(a, b);
	}
}

static void
test_tftp_path_norm_in_place(void **state)
{
	char	 buf[BIG];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		const struct norm_case *c = &norm_cases[i];
		size_t len = c->len != 0 ? c->len : strlen(c->in);

		memcpy(buf, c->in, len);
		assert_int_equal(tftp_path_norm(buf, len, buf, len + 1), c->rc);
		if (c->rc == TFTP_PATH_OK)
			assert_string_equal(buf, c->want);
	}
}

static void
test_tftp_path_norm_outlen_edges(void **state)
{
	char	 out[16];

	(void)state;
	/* "a/b" needs 4 bytes with its NUL. */
	assert_int_equal(tftp_path_norm("a/b", 3, out, 4), 0);
	assert_string_equal(out, "a/b");
	assert_int_equal(tftp_path_norm("a/b", 3, out, 3),
	    -TFTP_PATH_E_LONG);
	assert_int_equal(out[0], '\0');
	assert_int_equal(tftp_path_norm("a/b", 3, out, 2),
	    -TFTP_PATH_E_LONG);
	/* Dropped parts take no room. */
	assert_int_equal(tftp_path_norm("//a//./b//", 10, out, 4), 0);
	assert_string_equal(out, "a/b");
	assert_int_equal(tftp_path_norm("x", 1, out, 2), 0);
	assert_int_equal(tftp_path_norm("x", 1, out, 1), -TFTP_PATH_E_LONG);
	assert_int_equal(out[0], '\0');
	/* outlen 0: nothing is written, not even the NUL. */
	out[0] = 'Q';
	assert_int_equal(tftp_path_norm("x", 1, out, 0), -TFTP_PATH_E_LONG);
	assert_int_equal(out[0], 'Q');
	assert_int_equal(tftp_path_norm("/", 1, out, 0), -TFTP_PATH_E_EMPTY);
	assert_int_equal(tftp_path_norm("..", 2, out, 0),
	    -TFTP_PATH_E_ACCESS);
	assert_int_equal(out[0], 'Q');
	/* len 0 with no buffer at all. */
	assert_int_equal(tftp_path_norm(NULL, 0, out, sizeof(out)),
	    -TFTP_PATH_E_EMPTY);
}

static void
test_tftp_path_norm_access_beats_long(void **state)
{
	char	 out[8];

	(void)state;
	/* The ".." comes after the part that does not fit. */
	assert_int_equal(tftp_path_norm("abcdefghij/..", 13, out, sizeof(out)),
	    -TFTP_PATH_E_ACCESS);
	assert_int_equal(tftp_path_norm("abcdefghij/\x01", 12, out,
	    sizeof(out)), -TFTP_PATH_E_ACCESS);
	assert_int_equal(tftp_path_norm("abcdefghij/x", 12, out, sizeof(out)),
	    -TFTP_PATH_E_LONG);
}

static void
test_tftp_path_norm_511_byte_names(void **state)
{
	char	 in[TFTP_FILENAME_MAX + 1], out[BIG];
	size_t	 i;

	(void)state;
	/* 511 bytes in 2 components of 255 and 255: fits exactly. */
	memset(in, 'a', sizeof(in));
	in[255] = '/';
	assert_int_equal(tftp_path_norm(in, TFTP_FILENAME_MAX, out,
	    TFTP_FILENAME_MAX + 1), 0);
	assert_int_equal(strlen(out), TFTP_FILENAME_MAX);
	assert_int_equal(tftp_path_norm(in, TFTP_FILENAME_MAX, out,
	    TFTP_FILENAME_MAX), -TFTP_PATH_E_LONG);
	/* One 511-byte component is over TFTP_PATH_NAME_MAX. */
	memset(in, 'b', sizeof(in));
	assert_int_equal(tftp_path_norm(in, TFTP_FILENAME_MAX, out,
	    sizeof(out)), -TFTP_PATH_E_LONG);
	/* 255 is the longest component; 256 is refused. */
	assert_int_equal(tftp_path_norm(in, TFTP_PATH_NAME_MAX, out,
	    sizeof(out)), 0);
	assert_int_equal(tftp_path_norm(in, TFTP_PATH_NAME_MAX + 1, out,
	    sizeof(out)), -TFTP_PATH_E_LONG);
	/* 511 separators and dots: nothing left. */
	for (i = 0; i < TFTP_FILENAME_MAX; i++)
		in[i] = i % 3 == 0 ? '.' : i % 3 == 1 ? '/' : '\\';
	assert_int_equal(tftp_path_norm(in, TFTP_FILENAME_MAX, out,
	    sizeof(out)), -TFTP_PATH_E_EMPTY);
	/* 256 one-byte components: the result is the input. */
	for (i = 0; i < TFTP_FILENAME_MAX; i++)
		in[i] = i % 2 == 0 ? 'a' : '/';
	assert_int_equal(tftp_path_norm(in, TFTP_FILENAME_MAX, out,
	    sizeof(out)), 0);
	assert_int_equal(strlen(out), TFTP_FILENAME_MAX);
	/* A ".." as the very last component of a long name. */
	in[TFTP_FILENAME_MAX - 3] = '/';
	in[TFTP_FILENAME_MAX - 2] = '.';
	in[TFTP_FILENAME_MAX - 1] = '.';
	assert_int_equal(tftp_path_norm(in, TFTP_FILENAME_MAX, out,
	    sizeof(out)), -TFTP_PATH_E_ACCESS);
}

static void
test_tftp_path_err_codes(void **state)
{
	(void)state;
	assert_int_equal(tftp_path_err(-TFTP_PATH_E_ACCESS), TFTP_ERR_ACCESS);
	assert_int_equal(tftp_path_err(-TFTP_PATH_E_EMPTY), TFTP_ERR_NOTFOUND);
	assert_int_equal(tftp_path_err(-TFTP_PATH_E_LONG), TFTP_ERR_NOTFOUND);
	assert_int_equal(tftp_path_err(TFTP_PATH_OK), TFTP_ERR_UNDEF);
	assert_int_equal(tftp_path_err(-99), TFTP_ERR_UNDEF);
}

static void
test_tftp_path_next_components(void **state)
{
	const char	*p, *c;
	size_t		 n;
	char		 out[64];

	(void)state;
	assert_int_equal(tftp_path_norm("\\Boot\\x64\\wdsmgfw.efi", 21, out,
	    sizeof(out)), 0);
	p = out;
	assert_int_equal(tftp_path_next(&p, &c, &n), 1);
	assert_int_equal(n, 4);
	assert_memory_equal(c, "Boot", 4);
	assert_int_equal(tftp_path_next(&p, &c, &n), 1);
	assert_memory_equal(c, "x64", n);
	assert_int_equal(tftp_path_next(&p, &c, &n), 1);
	assert_int_equal(n, 11);
	assert_memory_equal(c, "wdsmgfw.efi", 11);
	assert_int_equal(tftp_path_next(&p, &c, &n), 0);
	assert_int_equal(tftp_path_next(&p, &c, &n), 0);
	/* Not normalised: runs of '/' still give no empty component. */
	p = "//a///b/";
	assert_int_equal(tftp_path_next(&p, &c, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(tftp_path_next(&p, &c, &n), 1);
	assert_int_equal(c[0], 'b');
	assert_int_equal(tftp_path_next(&p, &c, &n), 0);
	p = "";
	assert_int_equal(tftp_path_next(&p, &c, &n), 0);
}

/* --- netascii ----------------------------------------------------------- */

/*
 * RFC 764 decoding as a model: CR NUL is CR, CR LF is LF.  Fails on any
 * other byte after a CR, which the encoder never writes.
 */
static size_t
model_decode(const uint8_t *in, size_t n, uint8_t *out)
{
	size_t	 i, o = 0;

	for (i = 0; i < n; i++) {
		if (in[i] != 0x0d) {
			assert_true(in[i] != 0x0a);	/* bare LF */
			out[o++] = in[i];
			continue;
		}
		assert_true(i + 1 < n);
		assert_true(in[i + 1] == 0x0a || in[i + 1] == 0);
		out[o++] = in[i + 1] == 0x0a ? 0x0a : 0x0d;
		i++;
	}
	return (o);
}

static void
roundtrip(const uint8_t *in, size_t n)
{
	uint8_t				 enc[2 * BIG + 2], dec[2 * BIG + 2];
	struct tftp_netascii_dec	 d;
	size_t				 len, got, i, chunk;

	assert_true(n <= BIG);
	len = tftp_netascii_encode(in, n, enc, sizeof(enc));
	assert_int_equal(len, tftp_netascii_len(in, n));
	assert_int_equal(model_decode(enc, len, dec), n);
	assert_memory_equal(dec, in, n);
	/* Too small by one: refused, nothing written. */
	if (len > 0) {
		memset(dec, 0xa5, len);
		assert_int_equal(tftp_netascii_encode(in, n, dec, len - 1),
		    TFTP_NETASCII_ESPACE);
		for (i = 0; i < len; i++)
			assert_int_equal(dec[i], 0xa5);
	}
	/* The streaming decoder, whole and in every chunk size. */
	for (chunk = 1; chunk <= len + 1; chunk = chunk < 8 ? chunk + 1 :
	    chunk * 2) {
		memset(&d, 0, sizeof(d));
		got = 0;
		for (i = 0; i < len; i += chunk)
			got += tftp_netascii_decode(&d, enc + i,
			    len - i < chunk ? len - i : chunk, dec + got);
		got += tftp_netascii_decode_end(&d, dec + got);
		assert_int_equal(got, n);
		assert_memory_equal(dec, in, n);
	}
}

static void
test_tftp_netascii_encode_examples(void **state)
{
	static const struct {
		const char	*in, *out;
		size_t		 inlen, outlen;
	} ex[] = {
		{ "", "", 0, 0 },
		{ "abc", "abc", 3, 3 },
		{ "\n", "\r\n", 1, 2 },
		{ "\r", "\r\0", 1, 2 },
		{ "\r\n", "\r\0\r\n", 2, 4 },
		{ "\n\r", "\r\n\r\0", 2, 4 },
		{ "a\nb\n", "a\r\nb\r\n", 4, 6 },
		{ "\0", "\0", 1, 1 },
		{ "\r\r", "\r\0\r\0", 2, 4 },
		{ "x\r", "x\r\0", 2, 3 },
	};
	uint8_t	 out[16];
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++) {
		assert_int_equal(tftp_netascii_len((const uint8_t *)ex[i].in,
		    ex[i].inlen), ex[i].outlen);
		assert_int_equal(tftp_netascii_encode(
		    (const uint8_t *)ex[i].in, ex[i].inlen, out, sizeof(out)),
		    ex[i].outlen);
		assert_memory_equal(out, ex[i].out, ex[i].outlen);
		roundtrip((const uint8_t *)ex[i].in, ex[i].inlen);
	}
	/* Exactly enough room, and no room for an empty input. */
	assert_int_equal(tftp_netascii_encode((const uint8_t *)"\n", 1, out,
	    2), 2);
	assert_int_equal(tftp_netascii_encode((const uint8_t *)"", 0, out, 0),
	    0);
	assert_int_equal(tftp_netascii_encode((const uint8_t *)"a", 1, out, 0),
	    TFTP_NETASCII_ESPACE);
}

static void
test_tftp_netascii_roundtrip_random(void **state)
{
	uint8_t		 in[BIG];
	uint64_t	 x = 0x2545f4914f6cdd1dULL;
	size_t		 i, n, t;

	(void)state;
	for (t = 0; t < 300; t++) {
		n = t < 40 ? t : (size_t)(x % BIG);
		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Mostly CR, LF and NUL, to make every pairing. */
			in[i] = (x & 3) == 0 ? 0x0d : (x & 3) == 1 ? 0x0a :
			    (x & 7) == 2 ? 0 : (uint8_t)(x >> 24);
		}
		roundtrip(in, n);
	}
	/* A whole byte range, and a file of only CR and LF. */
	for (i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	roundtrip(in, 256);
	memset(in, 0x0d, 300);
	memset(in + 300, 0x0a, 300);
	roundtrip(in, 600);
	assert_int_equal(tftp_netascii_len(in, 600), 1200);
}

static void
test_tftp_netascii_decode_lenient(void **state)
{
	struct tftp_netascii_dec	 d;
	uint8_t				 out[8];
	size_t				 n;

	(void)state;
	/* A stray CR before an ordinary byte is kept (tftp-hpa). */
	memset(&d, 0, sizeof(d));
	n = tftp_netascii_decode(&d, (const uint8_t *)"\rx", 2, out);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\rx", 2);
	/* CR CR NUL: the first CR is stray, the second is CR NUL. */
	n = tftp_netascii_decode(&d, (const uint8_t *)"\r\r\0", 3, out);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\r\r", 2);
	/* A held CR, then a chunk starting with a byte: n + 1 bytes. */
	n = tftp_netascii_decode(&d, (const uint8_t *)"\r", 1, out);
	assert_int_equal(n, 0);
	n = tftp_netascii_decode(&d, (const uint8_t *)"y", 1, out);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\ry", 2);
	/* A CR at the very end comes out at the end of the stream. */
	n = tftp_netascii_decode(&d, (const uint8_t *)"z\r", 2, out);
	assert_int_equal(n, 1);
	assert_int_equal(tftp_netascii_decode_end(&d, out), 1);
	assert_int_equal(out[0], 0x0d);
	assert_int_equal(tftp_netascii_decode_end(&d, out), 0);
	/* A bare LF passes. */
	n = tftp_netascii_decode(&d, (const uint8_t *)"\n", 1, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 0x0a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tftp_path_norm_table),
		cmocka_unit_test(test_tftp_path_norm_is_idempotent),
		cmocka_unit_test(test_tftp_path_norm_in_place),
		cmocka_unit_test(test_tftp_path_norm_outlen_edges),
		cmocka_unit_test(test_tftp_path_norm_access_beats_long),
		cmocka_unit_test(test_tftp_path_norm_511_byte_names),
		cmocka_unit_test(test_tftp_path_err_codes),
		cmocka_unit_test(test_tftp_path_next_components),
		cmocka_unit_test(test_tftp_netascii_encode_examples),
		cmocka_unit_test(test_tftp_netascii_roundtrip_random),
		cmocka_unit_test(test_tftp_netascii_decode_lenient),
	};

	return (cmocka_run_group_tests_name("tftp_path", tests, NULL, NULL));
}
