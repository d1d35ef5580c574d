/* decimal.c: M * 10^E to the nearest double without strtod, when exact
 * (decimal.h). */
#include "decimal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Powers of ten a double holds exactly. */
static const double pow10_d[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

#ifdef __SIZEOF_INT128__
#define HAVE_EISEL_LEMIRE 1
#define POW5_MIN (-64)
#define POW5_MAX 64

/* 5^q for q = POW5_MIN … POW5_MAX as 128 bits, the leading bit set:
 * for q >= 0, 5^q shifted left or right (truncated); for q < 0, with z =
 * the bits of 5^-q, 2^(z + 127) / 5^-q + 1 when q >= -27, else 2^(2z +
 * 128) / 5^-q + 1 truncated to 128 bits (fast_float's table, from the
 * paper below; computed with Python's integers). */
static const uint64_t pow5_128[][2] = {
	{0xa87fea27a539e9a5, 0x3f2398d747b36224},
	{0xd29fe4b18e88640e, 0x8eec7f0d19a03aad},
	{0x83a3eeeef9153e89, 0x1953cf68300424ac},
	{0xa48ceaaab75a8e2b, 0x5fa8c3423c052dd7},
	{0xcdb02555653131b6, 0x3792f412cb06794d},
	{0x808e17555f3ebf11, 0xe2bbd88bbee40bd0},
	{0xa0b19d2ab70e6ed6, 0x5b6aceaeae9d0ec4},
	{0xc8de047564d20a8b, 0xf245825a5a445275},
	{0xfb158592be068d2e, 0xeed6e2f0f0d56712},
	{0x9ced737bb6c4183d, 0x55464dd69685606b},
	{0xc428d05aa4751e4c, 0xaa97e14c3c26b886},
	{0xf53304714d9265df, 0xd53dd99f4b3066a8},
	{0x993fe2c6d07b7fab, 0xe546a8038efe4029},
	{0xbf8fdb78849a5f96, 0xde98520472bdd033},
	{0xef73d256a5c0f77c, 0x963e66858f6d4440},
	{0x95a8637627989aad, 0xdde7001379a44aa8},
	{0xbb127c53b17ec159, 0x5560c018580d5d52},
	{0xe9d71b689dde71af, 0xaab8f01e6e10b4a6},
	{0x9226712162ab070d, 0xcab3961304ca70e8},
	{0xb6b00d69bb55c8d1, 0x3d607b97c5fd0d22},
	{0xe45c10c42a2b3b05, 0x8cb89a7db77c506a},
	{0x8eb98a7a9a5b04e3, 0x77f3608e92adb242},
	{0xb267ed1940f1c61c, 0x55f038b237591ed3},
	{0xdf01e85f912e37a3, 0x6b6c46dec52f6688},
	{0x8b61313bbabce2c6, 0x2323ac4b3b3da015},
	{0xae397d8aa96c1b77, 0xabec975e0a0d081a},
	{0xd9c7dced53c72255, 0x96e7bd358c904a21},
	{0x881cea14545c7575, 0x7e50d64177da2e54},
	{0xaa242499697392d2, 0xdde50bd1d5d0b9e9},
	{0xd4ad2dbfc3d07787, 0x955e4ec64b44e864},
	{0x84ec3c97da624ab4, 0xbd5af13bef0b113e},
	{0xa6274bbdd0fadd61, 0xecb1ad8aeacdd58e},
	{0xcfb11ead453994ba, 0x67de18eda5814af2},
	{0x81ceb32c4b43fcf4, 0x80eacf948770ced7},
	{0xa2425ff75e14fc31, 0xa1258379a94d028d},
	{0xcad2f7f5359a3b3e, 0x096ee45813a04330},
	{0xfd87b5f28300ca0d, 0x8bca9d6e188853fc},
	{0x9e74d1b791e07e48, 0x775ea264cf55347e},
	{0xc612062576589dda, 0x95364afe032a819e},
	{0xf79687aed3eec551, 0x3a83ddbd83f52205},
	{0x9abe14cd44753b52, 0xc4926a9672793543},
	{0xc16d9a0095928a27, 0x75b7053c0f178294},
	{0xf1c90080baf72cb1, 0x5324c68b12dd6339},
	{0x971da05074da7bee, 0xd3f6fc16ebca5e04},
	{0xbce5086492111aea, 0x88f4bb1ca6bcf585},
	{0xec1e4a7db69561a5, 0x2b31e9e3d06c32e6},
	{0x9392ee8e921d5d07, 0x3aff322e62439fd0},
	{0xb877aa3236a4b449, 0x09befeb9fad487c3},
	{0xe69594bec44de15b, 0x4c2ebe687989a9b4},
	{0x901d7cf73ab0acd9, 0x0f9d37014bf60a11},
	{0xb424dc35095cd80f, 0x538484c19ef38c95},
	{0xe12e13424bb40e13, 0x2865a5f206b06fba},
	{0x8cbccc096f5088cb, 0xf93f87b7442e45d4},
	{0xafebff0bcb24aafe, 0xf78f69a51539d749},
	{0xdbe6fecebdedd5be, 0xb573440e5a884d1c},
	{0x89705f4136b4a597, 0x31680a88f8953031},
	{0xabcc77118461cefc, 0xfdc20d2b36ba7c3e},
	{0xd6bf94d5e57a42bc, 0x3d32907604691b4d},
	{0x8637bd05af6c69b5, 0xa63f9a49c2c1b110},
	{0xa7c5ac471b478423, 0x0fcf80dc33721d54},
	{0xd1b71758e219652b, 0xd3c36113404ea4a9},
	{0x83126e978d4fdf3b, 0x645a1cac083126ea},
	{0xa3d70a3d70a3d70a, 0x3d70a3d70a3d70a4},
	{0xcccccccccccccccc, 0xcccccccccccccccd},
	{0x8000000000000000, 0x0000000000000000},
	{0xa000000000000000, 0x0000000000000000},
	{0xc800000000000000, 0x0000000000000000},
	{0xfa00000000000000, 0x0000000000000000},
	{0x9c40000000000000, 0x0000000000000000},
	{0xc350000000000000, 0x0000000000000000},
	{0xf424000000000000, 0x0000000000000000},
	{0x9896800000000000, 0x0000000000000000},
	{0xbebc200000000000, 0x0000000000000000},
	{0xee6b280000000000, 0x0000000000000000},
	{0x9502f90000000000, 0x0000000000000000},
	{0xba43b74000000000, 0x0000000000000000},
	{0xe8d4a51000000000, 0x0000000000000000},
	{0x9184e72a00000000, 0x0000000000000000},
	{0xb5e620f480000000, 0x0000000000000000},
	{0xe35fa931a0000000, 0x0000000000000000},
	{0x8e1bc9bf04000000, 0x0000000000000000},
	{0xb1a2bc2ec5000000, 0x0000000000000000},
	{0xde0b6b3a76400000, 0x0000000000000000},
	{0x8ac7230489e80000, 0x0000000000000000},
	{0xad78ebc5ac620000, 0x0000000000000000},
	{0xd8d726b7177a8000, 0x0000000000000000},
	{0x878678326eac9000, 0x0000000000000000},
	{0xa968163f0a57b400, 0x0000000000000000},
	{0xd3c21bcecceda100, 0x0000000000000000},
	{0x84595161401484a0, 0x0000000000000000},
	{0xa56fa5b99019a5c8, 0x0000000000000000},
	{0xcecb8f27f4200f3a, 0x0000000000000000},
	{0x813f3978f8940984, 0x4000000000000000},
	{0xa18f07d736b90be5, 0x5000000000000000},
	{0xc9f2c9cd04674ede, 0xa400000000000000},
	{0xfc6f7c4045812296, 0x4d00000000000000},
	{0x9dc5ada82b70b59d, 0xf020000000000000},
	{0xc5371912364ce305, 0x6c28000000000000},
	{0xf684df56c3e01bc6, 0xc732000000000000},
	{0x9a130b963a6c115c, 0x3c7f400000000000},
	{0xc097ce7bc90715b3, 0x4b9f100000000000},
	{0xf0bdc21abb48db20, 0x1e86d40000000000},
	{0x96769950b50d88f4, 0x1314448000000000},
	{0xbc143fa4e250eb31, 0x17d955a000000000},
	{0xeb194f8e1ae525fd, 0x5dcfab0800000000},
	{0x92efd1b8d0cf37be, 0x5aa1cae500000000},
	{0xb7abc627050305ad, 0xf14a3d9e40000000},
	{0xe596b7b0c643c719, 0x6d9ccd05d0000000},
	{0x8f7e32ce7bea5c6f, 0xe4820023a2000000},
	{0xb35dbf821ae4f38b, 0xdda2802c8a800000},
	{0xe0352f62a19e306e, 0xd50b2037ad200000},
	{0x8c213d9da502de45, 0x4526f422cc340000},
	{0xaf298d050e4395d6, 0x9670b12b7f410000},
	{0xdaf3f04651d47b4c, 0x3c0cdd765f114000},
	{0x88d8762bf324cd0f, 0xa5880a69fb6ac800},
	{0xab0e93b6efee0053, 0x8eea0d047a457a00},
	{0xd5d238a4abe98068, 0x72a4904598d6d880},
	{0x85a36366eb71f041, 0x47a6da2b7f864750},
	{0xa70c3c40a64e6c51, 0x999090b65f67d924},
	{0xd0cf4b50cfe20765, 0xfff4b4e3f741cf6d},
	{0x82818f1281ed449f, 0xbff8f10e7a8921a4},
	{0xa321f2d7226895c7, 0xaff72d52192b6a0d},
	{0xcbea6f8ceb02bb39, 0x9bf4f8a69f764490},
	{0xfee50b7025c36a08, 0x02f236d04753d5b4},
	{0x9f4f2726179a2245, 0x01d762422c946590},
	{0xc722f0ef9d80aad6, 0x424d3ad2b7b97ef5},
	{0xf8ebad2b84e0d58b, 0xd2e0898765a7deb2},
	{0x9b934c3b330c8577, 0x63cc55f49f88eb2f},
	{0xc2781f49ffcfa6d5, 0x3cbf6b71c76b25fb}
};

/* M * 10^Q to the nearest double, ties to even, for M > 0 and Q in
 * POW5_MIN … POW5_MAX: the Eisel-Lemire algorithm as fast_float writes
 * it (D. Lemire, "Number parsing at a gigabyte per second", Software:
 * Practice and Experience 51(8), 2021), without a fallback: N. Mushtak and
 * D. Lemire, "Fast number parsing without fallback" (2023) prove the 128-bit
 * product always decides.  All results in that range are normal
 * doubles (10^-64 … 10^84). */
static double eisel_lemire(uint64_t m, int q)
{
	int lz = __builtin_clzll(m);
	const uint64_t *t = pow5_128[q - POW5_MIN];
	unsigned __int128 p;
	uint64_t hi, lo;

	m <<= lz;
	p = (unsigned __int128)m * t[0];
	hi = (uint64_t)(p >> 64);
	lo = (uint64_t)p;
	if ((hi & 0x1ff) == 0x1ff) { /* the low bits may carry: the next 64 */
		uint64_t hi2 = (uint64_t)(((unsigned __int128)m * t[1]) >> 64);

		lo += hi2;
		if (hi2 > lo)
			hi++;
	}
	int upper = (int)(hi >> 63), shift = upper + 9;
	uint64_t mant = hi >> shift;
	/* floor(log2(10^q)) + 63 + 1023, + upper - lz: the biased exponent. */
	int e2 = (int)((((152170 + 65536) * q) >> 16) + 63) + upper - lz + 1023;

	/* Exactly halfway (only where 5^q fits 64 bits): ties to even. */
	if (lo <= 1 && q >= -4 && q <= 23 && (mant & 3) == 1 && (mant << shift) == hi)
		mant &= ~(uint64_t)1;
	mant += mant & 1;
	mant >>= 1;
	if (mant >= (UINT64_C(2) << 52)) {
		mant = UINT64_C(1) << 52;
		e2++;
	}
	uint64_t bits = (mant & ~(UINT64_C(1) << 52)) | (uint64_t)e2 << 52;
	double d;

	memcpy(&d, &bits, sizeof d);
	return d;
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
#ifdef HAVE_EISEL_LEMIRE
	if (e10 < POW5_MIN || e10 > POW5_MAX)
		return false;
	*v = eisel_lemire(m, e10);
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
