/* test_decimal.c: unit tests of src/decimal.c: decimal_to_double must give
 * strtod's double, bit for bit, whenever it gives one; checked on millions
 * of random decimals of 1 to 19 digits and on the hard cases (halfway
 * between two doubles, 2^53 ± 1, 17-digit reprs, exponents at the edge of
 * the exact powers, subnormals). */
#include "config.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decimal.h"
#include "util.h"

/* SplitMix64: a deterministic sequence. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned long accepted, tried;

/* Checks M * 10^E against strtod: equal bits when accepted. */
static void check(uint64_t m, int e)
{
	char s[64];
	double want, got;

	snprintf(s, sizeof s, "%" PRIu64 "e%d", m, e);
	want = strtod(s, NULL);
	tried++;
	if (!decimal_to_double(m, e, &got))
		return;
	accepted++;
	if (memcmp(&got, &want, sizeof got) != 0)
		fail_msg("%s: decimal_to_double %.17g, strtod %.17g", s, got, want);
}

/* True when long double arithmetic really has 64 significant bits here
 * (not under valgrind, which computes x87 operations in double). */
static bool extended(void)
{
#if LDBL_MANT_DIG == 64 && (defined(__x86_64__) || defined(__i386__))
	volatile long double one = 1.0L, tiny = 0x1p-62L;

	return one + tiny != one;
#else
	return false;
#endif
}

/* Random significands of 1 to 19 digits, exponents -30 … 30. */
static void test_random(void **state)
{
	(void)state;
	accepted = tried = 0;
	for (long i = 0; i < 2000000; i++) {
		int digits = 1 + (int)(rnd() % 19);
		uint64_t lim = 1;

		for (int d = 0; d < digits; d++)
			lim *= 10;
		check(rnd() % lim, (int)(rnd() % 61) - 30);
	}
	if (extended())
		assert_true(accepted > tried * 85 / 100); /* 55 of 61 exponents */
}

/* 17 significant digits, as Python's repr writes them at most: random
 * doubles of a training run's magnitudes (1e-8 … 1e5) written with %.16e
 * and read back. */
static void test_reprs(void **state)
{
	(void)state;
	accepted = tried = 0;
	for (long i = 0; i < 1000000; i++) {
		uint64_t bits = rnd();
		double d = ldexp((double)(bits >> 11), -53) * pow(10.0, (double)((int)(rnd() % 14) - 8));
		char s[40], *p, *q;
		uint64_t m = 0;
		int e = 0, frac = 0;
		bool dot = false;

		snprintf(s, sizeof s, "%.16e", d);
		for (p = s; *p != 'e'; p++)
			if (*p == '.')
				dot = true;
			else {
				m = m * 10 + (uint64_t)(*p - '0');
				frac += dot;
			}
		e = (int)strtol(p + 1, &q, 10) - frac;
		check(m, e);
	}
	if (extended())
		assert_true(accepted > tried * 99 / 100);
}

/* Integers halfway between two doubles (ties to even), and their
 * neighbours, from 2^53 up to 2^64, scaled by powers of ten. */
static void test_halfway(void **state)
{
	(void)state;
	check(UINT64_C(9007199254740991), 0); /* 2^53 - 1 */
	check(UINT64_C(9007199254740992), 0);
	check(UINT64_C(9007199254740993), 0); /* halfway: to 2^53 */
	check(UINT64_C(9007199254740995), 0); /* halfway: to 2^53 + 4 */
	check(UINT64_C(9007199254740993), -16);
	check(UINT64_C(18446744073709551615), 0);
	check(UINT64_C(9999999999999999999), 27);
	check(UINT64_C(9999999999999999999), -27);
	for (long i = 0; i < 1000000; i++) {
		int shift = 53 + (int)(rnd() % 11); /* [2^shift, 2^(shift+1)) */
		int ulp = shift - 52;
		uint64_t m = (UINT64_C(1) << shift) | (rnd() & ((UINT64_C(1) << shift) - 1));

		m &= ~((UINT64_C(1) << ulp) - 1);
		m |= UINT64_C(1) << (ulp - 1); /* exactly halfway */
		int e = (int)(rnd() % 9) - 4;
		check(m, e);
		check(m - 1, e);
		check(m + 1, e);
	}
	/* Halfway results of a division are never exact: 10^k's factor 5^k
	 * does not divide; a few with small m near them anyway. */
	for (int e = -30; e <= 30; e++) {
		check(1, e);
		check(5, e);
		check(UINT64_C(12345678901234567), e);
		check(UINT64_C(1234567890123456789), e);
	}
}

/* Outside the exact powers: refused, never wrong. */
static void test_edges(void **state)
{
	double v;

	(void)state;
	assert_false(decimal_to_double(1, -300, &v));
	assert_false(decimal_to_double(UINT64_C(4940656458412465), -339, &v)); /* subnormal */
	assert_false(decimal_to_double(UINT64_C(17976931348623157), 292, &v));
	assert_false(decimal_to_double(UINT64_C(12345678901234567), 28, &v));
	assert_false(decimal_to_double(UINT64_C(12345678901234567), -28, &v));
	assert_true(decimal_to_double(0, -400, &v));
	assert_true(v == 0.0 && !signbit(v));
	assert_true(decimal_to_double(UINT64_C(1) << 53, 22, &v)); /* Clinger */
	assert_true(v == 9007199254740992e22);
	if (extended()) {
		/* 17 digits: the extended path. */
		assert_true(decimal_to_double(UINT64_C(24487257333508552), -17, &v));
		assert_true(v == 0.24487257333508552);
		/* Exactly halfway at 2^53 + 1: refused (strtod decides). */
		assert_false(decimal_to_double(UINT64_C(9007199254740993), 0, &v));
	}
}

/* fmt_double as it was, with printf and strtod only: the reference. */
static int fmt_reference(char *out, double v, int prec)
{
	return snprintf(out, FMT_DOUBLE_MAX, "%.*g", prec, v);
}

/* decimal_format_g gives printf's text for each precision, and says
 * whether it reads back; fmt_double gives the text of the first precision
 * that reads back. */
static void check_format(double v)
{
	char got[FMT_DOUBLE_MAX], want[FMT_DOUBLE_MAX];
	bool done = false;

	for (int p = 15; p <= 17; p++) {
		bool exact = false;
		int n = decimal_format_g(v, p, got, &exact);

		fmt_reference(want, v, p);
		if (n > 0) {
			if (strcmp(got, want) != 0)
				fail_msg("%%.%dg of %a: %s, printf %s", p, v, got, want);
			assert_int_equal(n, (int)strlen(want));
			if (exact != (strtod(want, NULL) == v))
				fail_msg("%%.%dg of %a: exact %d wrong", p, v, exact);
		}
		if (!done && (p == 17 || strtod(want, NULL) == v)) {
			char f[FMT_DOUBLE_MAX];

			done = true;
			fmt_double(f, v);
			/* fmt_double's own short path may write fewer digits. */
			if (strtod(f, NULL) != v || strlen(f) > strlen(want))
				fail_msg("fmt_double(%a) = %s, %%.%dg %s", v, f, p, want);
		}
	}
}

/* Random doubles across and beyond 1e-4 … 1e15, exact ties, and the
 * range's ends. */
static void test_format(void **state)
{
	static const double fixed[] = {
		1e-4, 1e15, 0x1.fffffffffffffp+49, 123456789012344.5, 123456789012345.5,
		1234567890123444.5, 0.1, 0.3, 2.0 / 3.0, 1e14 + 0.5, 9.9999999999999999e14,
		99999999999999.99, 0.00099999999999999999, 1.0000000000000002, 12.345678901234567,
	};

	(void)state;
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		check_format(fixed[i]);
		check_format(-fixed[i]);
		check_format(nextafter(fixed[i], 0));
		check_format(nextafter(fixed[i], INFINITY));
	}
	for (long i = 0; i < 300000; i++) {
		uint64_t bits = (rnd() >> 12) | (UINT64_C(0x3f0) + rnd() % 0x70) << 52;
		double v;

		memcpy(&v, &bits, sizeof v);
		check_format(v);
		check_format(exp((double)(rnd() % 4000) / 1000.0)); /* perplexities */
	}
	/* Halves of integers of 15-17 digits: exact ties at %.15g … %.17g. */
	for (long i = 0; i < 200000; i++) {
		uint64_t n = UINT64_C(100000000000000) + rnd() % UINT64_C(900000000000000);

		check_format((double)n + 0.5);
		check_format((double)n / 4 + 0.125);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_halfway),
		cmocka_unit_test(test_reprs),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
