/*
 * Boot-file HTTP request parsing: tables of request-targets with the
 * path or refusal each must give, Range values against several file
 * sizes (RFC 9110 14.1.2 examples included), outlen edges, and the
 * Content-Type choice.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/http_range.h"

struct path_case {
	const char	*in;
	size_t		 len;	/* 0: strlen(in) */
	int		 rc;	/* >= 0: strlen(want) */
	const char	*want;
};

#define P_OK(i, w)	{ i, 0, (int)sizeof(w) - 1, w }
#define P_NO(i, e)	{ i, 0, -(e), "" }
#define P_NOLEN(i, l, e) { i, l, -(e), "" }

static const struct path_case path_cases[] = {
	/* What iPXE and UEFI HTTP boot send. */
	P_OK("/ipxe.efi", "/ipxe.efi"),
	P_OK("/boot/x64/boot.wim", "/boot/x64/boot.wim"),
	P_OK("/", "/"),
	P_OK("/menu.ipxe?mac=52:54:00:12:34:56&arch=x64", "/menu.ipxe"),
	P_OK("/a#frag", "/a"),
	P_OK("/a?q#f", "/a"),
	P_OK("/a?", "/a"),
	/* Percent-decoding. */
	P_OK("/my%20file.bin", "/my file.bin"),
	P_OK("/%41%62%63", "/Abc"),
	P_OK("/%2e%2E/x", "/../x"),		/* tftp_files_open refuses it */
	P_OK("/boot%5Cx64%5cwdsmgfw.efi", "/boot\\x64\\wdsmgfw.efi"),
	P_OK("/a%2Fb", "/a/b"),
	P_OK("/%25", "/%"),
	P_OK("/%2541", "/%41"),			/* decoded once only */
	P_OK("/a+b", "/a+b"),
	P_OK("/%C3%A9t%C3%A9", "/\xc3\xa9t\xc3\xa9"),
	P_OK("/\xc3\xa9", "/\xc3\xa9"),
	P_OK("/a?x=%zz", "/a"),			/* the query is not decoded */
	P_OK("/a?x=%00", "/a"),
	/* Absolute-form (RFC 9112 3.2.2). */
	P_OK("http://198.18.81.1/ipxe.efi", "/ipxe.efi"),
	P_OK("HTTP://host:8080/a/b?c", "/a/b"),
	P_OK("https://h/x", "/x"),
	P_OK("http://host", "/"),
	P_OK("http://host?x", "/"),
	/* Refused. */
	P_NO("", HTTP_PATH_E_BAD),
	P_NO("*", HTTP_PATH_E_BAD),
	P_NO("ipxe.efi", HTTP_PATH_E_BAD),
	P_NO("host:80", HTTP_PATH_E_BAD),
	P_NO("ftp://h/x", HTTP_PATH_E_BAD),
	P_NO("http:///x", HTTP_PATH_E_BAD),
	P_NO("/a%00b", HTTP_PATH_E_BAD),
	P_NO("/a%0a", HTTP_PATH_E_BAD),
	P_NO("/a%0D%0A", HTTP_PATH_E_BAD),
	P_NO("/a%1f", HTTP_PATH_E_BAD),
	P_NO("/a%7f", HTTP_PATH_E_BAD),
	P_NO("/a%", HTTP_PATH_E_BAD),
	P_NO("/a%4", HTTP_PATH_E_BAD),
	P_NO("/a%4g", HTTP_PATH_E_BAD),
	P_NO("/a%g4", HTTP_PATH_E_BAD),
	P_NO("/a%%41", HTTP_PATH_E_BAD),
	P_NO("/a\tb", HTTP_PATH_E_BAD),
	P_NO("/a\x7f", HTTP_PATH_E_BAD),
	P_NO("/a?q\x01", HTTP_PATH_E_BAD),
	P_NO("/a#\n", HTTP_PATH_E_BAD),
	P_NOLEN("/a\0b", 4, HTTP_PATH_E_BAD),
	P_NO("http://h\x01/x", HTTP_PATH_E_BAD),
};

static void
test_http_path_decode_table(void **state)
{
	char	 out[256], msg[512];
	size_t	 i, len;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof(path_cases) / sizeof(path_cases[0]); i++) {
		const struct path_case *c = &path_cases[i];

		len = c->len != 0 ? c->len : strlen(c->in);
		memset(out, 'X', sizeof(out));
		rc = http_path_decode(c->in, len, out, sizeof(out));
		snprintf(msg, sizeof(msg), "case %zu \"%s\": rc %d out \"%s\"",
		    i, c->in, rc, out);
		if (rc != c->rc || strcmp(out, c->want) != 0)
			fail_msg("%s", msg);
	}
}

static void
test_http_path_decode_outlen_edges(void **state)
{
	char	 out[8];

	(void)state;
	/* "/abc" needs 5 bytes with its NUL. */
	assert_int_equal(http_path_decode("/abc", 4, out, 5), 4);
	assert_string_equal(out, "/abc");
	memset(out, 'X', sizeof(out));
	assert_int_equal(http_path_decode("/abc", 4, out, 4),
	    -HTTP_PATH_E_LONG);
	assert_string_equal(out, "");
	assert_int_equal(http_path_decode("/%41bc", 6, out, 5), 4);
	assert_int_equal(http_path_decode("/abc", 4, NULL, 0),
	    -HTTP_PATH_E_LONG);
	assert_int_equal(http_path_decode(NULL, 0, out, sizeof(out)),
	    -HTTP_PATH_E_BAD);
	/* Too long and bad: bad, whatever outlen. */
	assert_int_equal(http_path_decode("/abcdef%00", 10, out, 3),
	    -HTTP_PATH_E_BAD);
	assert_int_equal(http_path_decode("/abcdef%0", 9, out, 3),
	    -HTTP_PATH_E_BAD);
	assert_int_equal(http_path_decode("/abcdef\x01", 8, out, 3),
	    -HTTP_PATH_E_BAD);
	assert_int_equal(http_path_decode("http://h", 8, out, 1),
	    -HTTP_PATH_E_LONG);
}

struct range_case {
	const char	*v;
	uint64_t	 size;
	int		 rc;
	uint64_t	 first, last;
};

#define R_OK(v, s, f, l)	{ v, s, HTTP_RANGE_OK, f, l }
#define R_UN(v, s)		{ v, s, HTTP_RANGE_UNSAT, 0, 0 }
#define R_NO(v, s)		{ v, s, HTTP_RANGE_NONE, 0, 0 }

static const struct range_case range_cases[] = {
	/* RFC 9110 14.1.2, for a 10000-byte representation. */
	R_OK("bytes=0-499", 10000, 0, 499),
	R_OK("bytes=500-999", 10000, 500, 999),
	R_OK("bytes=-500", 10000, 9500, 9999),
	R_OK("bytes=9500-", 10000, 9500, 9999),
	R_OK("bytes=0-0", 10000, 0, 0),
	R_OK("bytes=-1", 10000, 9999, 9999),
	R_NO("bytes=0-0,-1", 10000),		/* two ranges: whole */
	R_NO("bytes=0-999,4500-5499,-1000", 10000),
	R_NO("bytes=500-600,601-999", 10000),
	/* Edges of the file. */
	R_OK("bytes=0-", 10000, 0, 9999),
	R_OK("bytes=0-9999", 10000, 0, 9999),
	R_OK("bytes=0-10000", 10000, 0, 9999),	/* cut to the end */
	R_OK("bytes=9999-99999999999", 10000, 9999, 9999),
	R_OK("bytes=-10000", 10000, 0, 9999),
	R_OK("bytes=-20000", 10000, 0, 9999),
	R_OK("bytes=-99999999999999999999999", 10000, 0, 9999),
	R_OK("bytes=0-99999999999999999999999", 10000, 0, 9999),
	R_UN("bytes=10000-", 10000),
	R_UN("bytes=10000-10001", 10000),
	R_UN("bytes=99999999999999999999999-", 10000),
	R_UN("bytes=-0", 10000),
	R_UN("bytes=0-", 0),
	R_UN("bytes=-5", 0),
	R_UN("bytes=0-0", 0),
	R_OK("bytes=0-0", 1, 0, 0),
	R_OK("bytes=-1", 1, 0, 0),
	R_UN("bytes=1-", 1),
	R_OK("bytes=18446744073709551614-", UINT64_MAX,
	    UINT64_MAX - 1, UINT64_MAX - 1),
	/* Spelling: unit case, blanks and empty list elements. */
	R_OK("Bytes=1-2", 10, 1, 2),
	R_OK("BYTES=1-2", 10, 1, 2),
	R_OK("  bytes=1-2\t", 10, 1, 2),
	R_OK("bytes= 1-2", 10, 1, 2),
	R_OK("bytes=1-2 ", 10, 1, 2),
	R_OK("bytes=1-2,", 10, 1, 2),
	R_OK("bytes=,1-2", 10, 1, 2),
	R_OK("bytes=, ,1-2, ,", 10, 1, 2),
	R_OK("bytes=007-008", 10, 7, 8),
	/* Malformed or invalid: ignored, whole file. */
	R_NO(NULL, 10),
	R_NO("", 10),
	R_NO("   ", 10),
	R_NO("bytes", 10),
	R_NO("bytes=", 10),
	R_NO("bytes=,", 10),
	R_NO("bytes =1-2", 10),
	R_NO("bytes= ", 10),
	R_NO("items=1-2", 10),
	R_NO("bytes=2-1", 10),
	R_NO("bytes=-", 10),
	R_NO("bytes=--1", 10),
	R_NO("bytes=1", 10),
	R_NO("bytes=1-2-3", 10),
	R_NO("bytes=a-2", 10),
	R_NO("bytes=1-b", 10),
	R_NO("bytes=1 -2", 10),
	R_NO("bytes=1- 2", 10),
	R_NO("bytes=+1-2", 10),
	R_NO("bytes=-+1", 10),
	R_NO("bytes=0x10-", 10),
	R_NO("bytes=1-2;x", 10),
	R_NO("bytes=1-2,junk", 10),
	R_NO("bytes=20-10", 10),		/* invalid beats unsatisfiable */
	R_NO("bytes=5-,50-", 10),
	R_NO("bytes=\xff-1", 10),
};

static void
test_http_range_parse_table(void **state)
{
	uint64_t f, l;
	size_t	 i;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof(range_cases) / sizeof(range_cases[0]); i++) {
		const struct range_case *c = &range_cases[i];

		f = l = 12345;
		rc = http_range_parse(c->v, c->v != NULL ? strlen(c->v) : 0,
		    c->size, &f, &l);
		if (rc != c->rc)
			fail_msg("case %zu \"%s\" size %llu: rc %d, want %d", i,
			    c->v != NULL ? c->v : "(null)",
			    (unsigned long long)c->size, rc, c->rc);
		if (rc == HTTP_RANGE_OK && (f != c->first || l != c->last))
			fail_msg("case %zu \"%s\": %llu-%llu, want %llu-%llu",
			    i, c->v, (unsigned long long)f,
			    (unsigned long long)l,
			    (unsigned long long)c->first,
			    (unsigned long long)c->last);
		if (rc != HTTP_RANGE_OK && (f != 12345 || l != 12345))
			fail_msg("case %zu \"%s\": outputs touched", i, c->v);
	}
}

static void
test_http_range_parse_uses_len_not_nul(void **state)
{
	uint64_t f = 0, l = 0;

	(void)state;
	/* "bytes=1-23" cut to its first 8 bytes is "bytes=1-". */
	assert_int_equal(http_range_parse("bytes=1-23", 8, 100, &f, &l),
	    HTTP_RANGE_OK);
	assert_true(f == 1 && l == 99);
	assert_int_equal(http_range_parse("bytes=1-2\0,3-4", 14, 100, &f, &l),
	    HTTP_RANGE_NONE);
}

static void
test_http_content_type_by_suffix(void **state)
{
	(void)state;
	assert_string_equal(http_content_type("menu.ipxe"), "text/plain");
	assert_string_equal(http_content_type("boot/MENU.IPXE"), "text/plain");
	assert_string_equal(http_content_type("a/readme.txt"), "text/plain");
	assert_string_equal(http_content_type("pxelinux.cfg/x.cfg"),
	    "text/plain");
	assert_string_equal(http_content_type("grub.conf"), "text/plain");
	assert_string_equal(http_content_type("boot.wim"),
	    "application/octet-stream");
	assert_string_equal(http_content_type(".ipxe"),
	    "application/octet-stream");
	assert_string_equal(http_content_type("ipxe"),
	    "application/octet-stream");
	assert_string_equal(http_content_type(""), "application/octet-stream");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_path_decode_table),
		cmocka_unit_test(test_http_path_decode_outlen_edges),
		cmocka_unit_test(test_http_range_parse_table),
		cmocka_unit_test(test_http_range_parse_uses_len_not_nul),
		cmocka_unit_test(test_http_content_type_by_suffix),
	};

	return (cmocka_run_group_tests_name("http_range", tests, NULL, NULL));
}
