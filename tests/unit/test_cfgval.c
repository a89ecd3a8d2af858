#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cfgval.h"

static void
test_cfgval_duration_units(void **state)
{
	uint32_t v;

	(void)state;
	assert_null(cfgv_duration("90s", 0, UINT32_MAX, &v));
	assert_int_equal(v, 90);
	assert_null(cfgv_duration("10m", 0, UINT32_MAX, &v));
	assert_int_equal(v, 600);
	assert_null(cfgv_duration("12h", 0, UINT32_MAX, &v));
	assert_int_equal(v, 43200);
	assert_null(cfgv_duration("7d", 0, UINT32_MAX, &v));
	assert_int_equal(v, 604800);
	assert_null(cfgv_duration("45", 0, UINT32_MAX, &v));
	assert_int_equal(v, 45);
}

static void
test_cfgval_duration_rejects(void **state)
{
	uint32_t v = 7;

	(void)state;
	assert_non_null(cfgv_duration("", 0, 100, &v));
	assert_non_null(cfgv_duration("10 m", 0, 10000, &v));
	assert_non_null(cfgv_duration("10mm", 0, 10000, &v));
	assert_non_null(cfgv_duration("-1s", 0, 10000, &v));
	assert_non_null(cfgv_duration("1w", 0, 10000, &v));
	assert_non_null(cfgv_duration("59s", 60, 10000, &v));
	assert_non_null(cfgv_duration("99999999999d", 0, UINT32_MAX, &v));
	assert_non_null(cfgv_duration("4294967296", 0, UINT32_MAX, &v));
	assert_int_equal(v, 7);		/* untouched on error */
}

static void
test_cfgval_size_units(void **state)
{
	uint64_t v;

	(void)state;
	assert_null(cfgv_size("1468", 0, UINT64_MAX, &v));
	assert_int_equal(v, 1468);
	assert_null(cfgv_size("64K", 0, UINT64_MAX, &v));
	assert_int_equal(v, 65536);
	assert_null(cfgv_size("1M", 0, UINT64_MAX, &v));
	assert_int_equal(v, 1048576);
	assert_null(cfgv_size("2G", 0, UINT64_MAX, &v));
	assert_int_equal(v, 2147483648ull);
	assert_non_null(cfgv_size("1.5M", 0, UINT64_MAX, &v));
	assert_non_null(cfgv_size("64KB", 0, UINT64_MAX, &v));
	assert_non_null(cfgv_size("65465", 8, 65464, &v));
	assert_non_null(cfgv_size("99999999999999999999", 0, UINT64_MAX, &v));
}

static void
test_cfgval_ipv4_strict(void **state)
{
	uint32_t a;

	(void)state;
	assert_null(cfgv_ipv4("198.18.10.1", &a));
	assert_int_equal(a, 0xc6120a01);
	assert_null(cfgv_ipv4("0.0.0.0", &a));
	assert_null(cfgv_ipv4("255.255.255.255", &a));
	assert_non_null(cfgv_ipv4("198.18.10", &a));
	assert_non_null(cfgv_ipv4("198.18.10.1.5", &a));
	assert_non_null(cfgv_ipv4("198.18.10.256", &a));
	assert_non_null(cfgv_ipv4("198.18.010.1", &a));
	assert_non_null(cfgv_ipv4("198.18.10.1 ", &a));
	assert_non_null(cfgv_ipv4("host.example", &a));
	assert_non_null(cfgv_ipv4("", &a));
}

static void
test_cfgval_cidr_host_bits(void **state)
{
	uint32_t n;
	unsigned p;

	(void)state;
	assert_null(cfgv_cidr("198.18.10.0/24", &n, &p));
	assert_int_equal(n, 0xc6120a00);
	assert_int_equal(p, 24);
	assert_non_null(cfgv_cidr("198.18.10.1/24", &n, &p));
	assert_non_null(cfgv_cidr("198.18.10.0/33", &n, &p));
	assert_non_null(cfgv_cidr("198.18.10.0/0", &n, &p));
	assert_non_null(cfgv_cidr("198.18.10.0", &n, &p));
	assert_int_equal(cfgv_mask(24), 0xffffff00);
	assert_int_equal(cfgv_mask(32), 0xffffffff);
}

static void
test_cfgval_range_order(void **state)
{
	struct cfg_range r;

	(void)state;
	assert_null(cfgv_range("198.18.10.100-198.18.10.199", &r));
	assert_int_equal(r.last - r.first, 99);
	assert_null(cfgv_range("198.18.10.5", &r));
	assert_int_equal(r.first, r.last);
	assert_non_null(cfgv_range("198.18.10.199-198.18.10.100", &r));
	assert_non_null(cfgv_range("198.18.10.1-", &r));
	assert_non_null(cfgv_range("198.18.10.1 - 198.18.10.2", &r));
}

static void
test_cfgval_hostport_forms(void **state)
{
	char h[64];
	uint16_t port;

	(void)state;
	assert_null(cfgv_hostport("127.0.0.1:8067", h, sizeof(h), &port));
	assert_string_equal(h, "127.0.0.1");
	assert_int_equal(port, 8067);
	assert_null(cfgv_hostport("[::1]:99", h, sizeof(h), &port));
	assert_string_equal(h, "::1");
	assert_non_null(cfgv_hostport("127.0.0.1:0", h, sizeof(h), &port));
	assert_non_null(cfgv_hostport("127.0.0.1:65536", h, sizeof(h), &port));
	assert_non_null(cfgv_hostport("127.0.0.1", h, sizeof(h), &port));
	assert_non_null(cfgv_hostport("localhost:80", h, sizeof(h), &port));
	assert_non_null(cfgv_hostport("[]:80", h, sizeof(h), &port));
	assert_non_null(cfgv_hostport("[::1:80", h, sizeof(h), &port));
}

static void
test_cfgval_bool_words(void **state)
{
	int b = -1;

	(void)state;
	assert_null(cfgv_bool("yes", &b));
	assert_int_equal(b, 1);
	assert_null(cfgv_bool("Off", &b));
	assert_int_equal(b, 0);
	assert_non_null(cfgv_bool("maybe", &b));
	assert_non_null(cfgv_bool("", &b));
}

static void
test_cfgval_split_list(void **state)
{
	char items[4][16];

	(void)state;
	assert_int_equal(cfgv_split(" a , b,c ", &items[0][0], 16, 4), 3);
	assert_string_equal(items[0], "a");
	assert_string_equal(items[2], "c");
	assert_int_equal(cfgv_split("a,,b", &items[0][0], 16, 4), -1);
	assert_int_equal(cfgv_split("a,b,c,d,e", &items[0][0], 16, 4), -1);
	assert_int_equal(cfgv_split("0123456789abcdefX", &items[0][0], 16, 4),
	    -1);
}

static void
test_cfgval_names_paths_domains(void **state)
{
	char b[32];

	(void)state;
	assert_null(cfgv_name("lab-1.a_b", b, sizeof(b)));
	assert_non_null(cfgv_name("lab 1", b, sizeof(b)));
	assert_non_null(cfgv_name("", b, sizeof(b)));
	assert_null(cfgv_path("/var/lib/pxeha", b, sizeof(b)));
	assert_non_null(cfgv_path("var/lib", b, sizeof(b)));
	assert_non_null(cfgv_path("/a\tb", b, sizeof(b)));
	assert_null(cfgv_domain("lab.example.org", b, sizeof(b)));
	assert_non_null(cfgv_domain("-bad.example", b, sizeof(b)));
	assert_non_null(cfgv_domain("a..b", b, sizeof(b)));
	assert_non_null(cfgv_domain("under_score.org", b, sizeof(b)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfgval_duration_units),
		cmocka_unit_test(test_cfgval_duration_rejects),
		cmocka_unit_test(test_cfgval_size_units),
		cmocka_unit_test(test_cfgval_ipv4_strict),
		cmocka_unit_test(test_cfgval_cidr_host_bits),
		cmocka_unit_test(test_cfgval_range_order),
		cmocka_unit_test(test_cfgval_hostport_forms),
		cmocka_unit_test(test_cfgval_bool_words),
		cmocka_unit_test(test_cfgval_split_list),
		cmocka_unit_test(test_cfgval_names_paths_domains),
	};

	return (cmocka_run_group_tests_name("cfgval", tests, NULL, NULL));
}
