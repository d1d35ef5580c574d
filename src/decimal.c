/* decimal.c: M * 10^E to the nearest double without strtod, when exact
 * (decimal.h). */
#include "decimal.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
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

#ifdef __SIZEOF_INT128__
/* round(X / 2^S) for S in 1 … 127, half to even. */
static unsigned __int128 shift_round(unsigned __int128 x, int s)
{
	unsigned __int128 q = x >> s, rem = x & ((((unsigned __int128)1) << s) - 1);
	unsigned __int128 half = ((unsigned __int128)1) << (s - 1);

	if (rem > half || (rem == half && (q & 1)))
		q++;
	return q;
}

/* round(A * 10^K) half to even, exactly: A = M * 2^E, so A * 10^K =
 * M * 5^K * 2^(E + K), M < 2^53, 0 <= K <= 27: fits 128 bits. */
static uint64_t scaled(double a, int k)
{
	int e;
	double f = frexp(a, &e); /* a = f * 2^e, 0.5 <= f < 1 */
	uint64_t m = (uint64_t)ldexp(f, 53);
	unsigned __int128 x = m;

	e -= 53;
	for (int i = 0; i < k; i++)
		x *= 5;
	e += k;
	if (e >= 0)
		return (uint64_t)(x << e); /* small: a * 10^k < 10^18 */
	if (e <= -128)
		return 0;
	return (uint64_t)shift_round(x, -e);
}
#endif

int decimal_format_g(double v, int p, char *out, bool *exact)
{
#ifdef __SIZEOF_INT128__
	static const uint64_t p10[] = {1,
	                               10,
	                               100,
	                               1000,
	                               10000,
	                               100000,
	                               1000000,
	                               10000000,
	                               100000000,
	                               1000000000,
	                               10000000000,
	                               100000000000,
	                               1000000000000,
	                               10000000000000,
	                               100000000000000,
	                               1000000000000000,
	                               10000000000000000,
	                               100000000000000000,
	                               1000000000000000000};
	double a = fabs(v);

	if (!(a >= 1e-4 && a < 1e15) || p < 15 || p > 17)
		return 0;
	/* X = floor(log10(a)) exactly: 10^0 … 10^14 are exact doubles, and
	 * the doubles nearest 10^-1 … 10^-4 lie above them, so a >= that
	 * double exactly when a >= 10^-j. */
	static const double lower[] = {1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5,
	                               1e6,  1e7,  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14};
	int x = -4;

	while (x < 14 && a >= lower[x + 5])
		x++;
	int k = p - 1 - x; /* decimals: 1 … 20 */
	uint64_t n = scaled(a, k);

	if (n < p10[p - 1] || n > p10[p])
		return 0; /* cannot happen */
	if (n == p10[p] && x + 1 >= p)
		return 0; /* rounded up to 10^P: %g writes an exponent */
	/* N / 10^K in fixed notation, trailing zeros (and point) dropped:
	 * what %g writes (a rounding up to 10^P is the same decimal). */
	while (k > 0 && n % 10 == 0) {
		n /= 10;
		k--;
	}
	char digits[24];
	int nd = 0, len = 0;
	uint64_t u = n;

	do {
		digits[nd++] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		out[len++] = '-';
	if (nd <= k) {
		out[len++] = '0';
		out[len++] = '.';
		for (int z = nd; z < k; z++)
			out[len++] = '0';
		while (nd > 0)
			out[len++] = digits[--nd];
	} else {
		while (nd > 0) {
			if (nd == k)
				out[len++] = '.';
			out[len++] = digits[--nd];
		}
	}
	out[len] = '\0';
	double back;

	if (!decimal_to_double(n, -k, &back))
		back = fabs(strtod(out, NULL));
	*exact = back == a;
	return len;
#else
	(void)v;
	(void)p;
	(void)out;
	(void)exact;
	return 0;
#endif
}
