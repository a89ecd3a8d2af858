#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pxeha/log.h"

static void
test_log_rl_burst_then_suppress(void **state)
{
	struct log_rl rl = { 0 };
	unsigned supp = 99, i, allowed = 0;

	(void)state;
	for (i = 0; i < 100; i++)
		allowed += (unsigned)log_rl_allow(&rl, 1000, &supp);
	assert_int_equal(allowed, LOG_RL_BURST);
	assert_int_equal(rl.suppressed, 100 - LOG_RL_BURST);
}

static void
test_log_rl_refill_reports_count(void **state)
{
	struct log_rl rl = { 0 };
	unsigned supp = 0, i;

	(void)state;
	for (i = 0; i < 50; i++)
		(void)log_rl_allow(&rl, 0, &supp);
	/* Not yet an interval: still suppressed. */
	assert_int_equal(log_rl_allow(&rl, LOG_RL_INTERVAL_MS - 1, &supp), 0);
	assert_int_equal(log_rl_allow(&rl, LOG_RL_INTERVAL_MS, &supp), 1);
	assert_int_equal(supp, 50 - LOG_RL_BURST + 1);
	/* The count is reported once, then reset. */
	assert_int_equal(log_rl_allow(&rl, 100 * LOG_RL_INTERVAL_MS, &supp), 1);
	assert_int_equal(supp, 0);
}

static void
test_log_rl_full_refill_is_capped(void **state)
{
	struct log_rl rl = { 0 };
	unsigned supp, i, allowed = 0;

	(void)state;
	(void)log_rl_allow(&rl, 0, &supp);
	for (i = 0; i < 100; i++)
		allowed += (unsigned)log_rl_allow(&rl, 1000000000ull, &supp);
	assert_int_equal(allowed, LOG_RL_BURST);
}

static void
test_log_rl_clock_backwards(void **state)
{
	struct log_rl rl = { 0 };
	unsigned supp;

	(void)state;
	(void)log_rl_allow(&rl, 50000, &supp);
	assert_int_equal(log_rl_allow(&rl, 10, &supp), 1);
}

static void
test_log_escape_nonprintable(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(log_escape(out, sizeof(out), "a\nb\\c\x7f", 6),
	    "a\\x0ab\\x5cc\\x7f");
	assert_string_equal(log_escape(out, 4, "abcdef", 6), "abc");
	assert_string_equal(log_escape(out, 4, "\x01\x02", 2), "");
	assert_string_equal(log_escape(out, 5, "\x01\x02", 2), "\\x01");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_rl_burst_then_suppress),
		cmocka_unit_test(test_log_rl_refill_reports_count),
		cmocka_unit_test(test_log_rl_full_refill_is_capped),
		cmocka_unit_test(test_log_rl_clock_backwards),
		cmocka_unit_test(test_log_escape_nonprintable),
	};

	return (cmocka_run_group_tests_name("log", tests, NULL, NULL));
}
