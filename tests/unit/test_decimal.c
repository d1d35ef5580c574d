/* test_decimal.c: unit tests of src/decimal.c: decimal_to_double must give
 * strtod's double, bit for bit, whenever it gives one, and give one for
 * every exponent in -64 … 64; checked on millions of random decimals of 1
 * to 19 digits and on the hard cases (exactly halfway between two doubles,
 * 2^53 ± 1, 17-digit reprs, the ends of the exponent range, subnormals). */
#include "config.h"

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
	if (!decimal_to_double(m, e, &got)) {
		if (e >= -64 && e <= 64)
			fail_msg("%s: refused", s);
		return;
	}
	accepted++;
	if (memcmp(&got, &want, sizeof got) != 0)
		fail_msg("%s: decimal_to_double %.17g, strtod %.17g", s, got, want);
}

/* Random significands of 1 to 19 digits, exponents -70 … 70. */
static void test_random(void **state)
{
	(void)state;
	accepted = tried = 0;
	for (long i = 0; i < 2000000; i++) {
		int digits = 1 + (int)(rnd() % 19);
		uint64_t lim = 1;

		for (int d = 0; d < digits; d++)
			lim *= 10;
		check(rnd() % lim, (int)(rnd() % 141) - 70);
	}
	assert_true(accepted > tried * 90 / 100); /* 129 of 141 exponents */
}

/* 17 significant digits, as Python's repr writes them at most: random
 * doubles of 1e-40 … 1e39 (a training run's magnitudes and beyond)
 * written with %.16e and read back. */
static void test_reprs(void **state)
{
	(void)state;
	accepted = tried = 0;
	for (long i = 0; i < 1000000; i++) {
		uint64_t bits = rnd();
		double d = ldexp((double)(bits >> 11), -53) * pow(10.0, (double)((int)(rnd() % 80) - 40));
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
	assert_true(accepted == tried);
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
	/* M * 10^E exactly halfway with M above 2^53 (not Clinger's path):
	 * A = B * 5^Q odd of 54 bits is halfway between two doubles, and so
	 * is A * 2^Q = (B * 10^K) * 10^(Q - K); and the neighbours. */
	for (int q = 0; q <= 23; q++) {
		uint64_t p5 = 1;

		for (int i = 0; i < q; i++)
			p5 *= 5;
		uint64_t lo = ((UINT64_C(1) << 53) + p5 - 1) / p5, hi = ((UINT64_C(1) << 54) - 1) / p5;
		for (long i = 0; i < 20000 && hi > lo; i++) {
			uint64_t b = (lo + rnd() % (hi - lo)) | 1, m = b;
			int k = 0;

			if (b * p5 >= (UINT64_C(1) << 54))
				continue;
			while (m <= (UINT64_C(1) << 53) || (m <= UINT64_MAX / 10 && rnd() % 2)) {
				if (m > UINT64_MAX / 10)
					break;
				m *= 10;
				k++;
			}
			if (m <= (UINT64_C(1) << 53))
				continue;
			check(m, q - k);
			check(m - 1, q - k);
			check(m + 1, q - k);
		}
	}
	/* Halfway results of a division are never exact: 10^k's factor 5^k
	 * does not divide; a few with small m near them anyway. */
	for (int e = -70; e <= 70; e++) {
		check(1, e);
		check(5, e);
		check(UINT64_C(12345678901234567), e);
		check(UINT64_C(1234567890123456789), e);
	}
}

/* Outside -64 … 64: refused, never wrong. */
static void test_edges(void **state)
{
	double v;

	(void)state;
	assert_false(decimal_to_double(1, -300, &v));
	assert_false(decimal_to_double(UINT64_C(4940656458412465), -339, &v)); /* subnormal */
	assert_false(decimal_to_double(UINT64_C(17976931348623157), 292, &v));
	assert_false(decimal_to_double(UINT64_C(12345678901234567), 65, &v));
	assert_false(decimal_to_double(UINT64_C(12345678901234567), -65, &v));
	assert_true(decimal_to_double(UINT64_C(12345678901234567), 64, &v));
	assert_true(v == 12345678901234567e64);
	assert_true(decimal_to_double(UINT64_C(12345678901234567), -64, &v));
	assert_true(v == 12345678901234567e-64);
	assert_true(decimal_to_double(UINT64_C(18446744073709551615), 64, &v));
	assert_true(v == 18446744073709551615e64);
	assert_true(decimal_to_double(1, -64, &v));
	assert_true(v == 1e-64);
	assert_true(decimal_to_double(0, -400, &v));
	assert_true(v == 0.0 && !signbit(v));
	assert_true(decimal_to_double(UINT64_C(1) << 53, 22, &v)); /* Clinger */
	assert_true(v == 9007199254740992e22);
	/* 17 digits: Eisel-Lemire. */
	assert_true(decimal_to_double(UINT64_C(24487257333508552), -17, &v));
	assert_true(v == 0.24487257333508552);
	/* Exactly halfway at 2^53 + 1: to even, 2^53. */
	assert_true(decimal_to_double(UINT64_C(9007199254740993), 0, &v));
	assert_true(v == 9007199254740992.0);
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
