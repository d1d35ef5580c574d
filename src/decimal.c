/* decimal.c: M * 10^E to the nearest double without strtod, when exact
 * (decimal.h). */
#include "decimal.h"

#include <float.h>
#include <stdatomic.h>
#include <string.h>

/* Powers of ten a double holds exactly. */
static const double pow10_d[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#if LDBL_MANT_DIG == 64 && (defined(__x86_64__) || defined(__i386__))
#define HAVE_EXTENDED 1

/* Powers of ten a 64-bit significand holds exactly: 10^k = 5^k * 2^k,
 * and 5^27 < 2^64 < 5^28. */
static const long double pow10_ld[] = {
	1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,  1e10L, 1e11L, 1e12L, 1e13L,
	1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};

/* 1 when long double arithmetic really has 64 significant bits, -1 when
 * not (an x87 set to double precision, or an emulator such as valgrind
 * that computes x87 operations in double), 0 not yet known.  Every
 * thread computes the same answer, so the race is benign. */
static atomic_int extended_ok;

/* True when long double arithmetic has its 64 bits here (extended_ok). */
static bool extended_works(void)
{
	int s = atomic_load_explicit(&extended_ok, memory_order_relaxed);

	if (s == 0) {
		volatile long double one = 1.0L, tiny = 0x1p-62L;
		volatile uint64_t u = UINT64_C(18446744073709551615);

		/* 1 + 2^-62 and 2^64 - 1 need more than a double's 53 bits. */
		s = one + tiny != one && (long double)u - (long double)(u - 1) == 1.0L ? 1 : -1;
		atomic_store_explicit(&extended_ok, s, memory_order_relaxed);
	}
	return s > 0;
}

/* The low 64 bits of X's x87 extended format: the significand, explicit
 * leading bit included. */
static uint64_t significand(long double x)
{
	uint64_t m;

	memcpy(&m, &x, sizeof m);
	return m;
}
#endif

bool decimal_to_double(uint64_t m, int e10, double *v)
{
	if (m == 0) {
		*v = 0.0;
		return true;
	}
	if (m <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
		double d = (double)m;

		*v = e10 < 0 ? d / pow10_d[-e10] : d * pow10_d[e10];
		return true;
	}
#ifdef HAVE_EXTENDED
	if (e10 < -27 || e10 > 27 || !extended_works())
		return false;
	/* m < 2^64 and 10^|e10| are exact; the one operation rounds the
	 * exact value x to R, |x - R| ≤ half a unit of R's last place.
	 * m > 0 here, and 1e-27 ≤ R < 2^64 * 1e27: a normal double, 53 of
	 * R's 64 bits kept, the low 11 dropped.  Rounding R to double gives
	 * the double nearest to x unless a midpoint between two doubles
	 * (low bits 0x400) lies within half a unit of R: refuse low bits
	 * 0x3ff, 0x400 and 0x401. */
	long double r = e10 < 0 ? (long double)m / pow10_ld[-e10] : (long double)m * pow10_ld[e10];
	unsigned low = (unsigned)(significand(r) & 0x7ff);

	if (low >= 0x3ff && low <= 0x401)
		return false;
	*v = (double)r;
	return true;
#else
	return false;
#endif
}
