/* decimal.h: a decimal significand and exponent to the nearest double,
 * without strtod when that can be done exactly, and back (%.Pg without
 * printf).  Shared by the readers' number fast paths (read_csv.c) and
 * fmt_double (util.c). */
#ifndef TRCOMPARE_DECIMAL_H
#define TRCOMPARE_DECIMAL_H

#include <stdbool.h>
#include <stdint.h>

/* Sets *V to M * 10^E10 correctly rounded (round to nearest, ties to
 * even: what strtod returns for the same decimal) and returns true, when
 * that can be computed here without error:
 * - M ≤ 2^53 and |E10| ≤ 22: one IEEE operation on two exact doubles
 *   (Clinger's fast path);
 * - any M (up to 19 digits) and |E10| ≤ 27 where long double has a 64-bit
 *   significand (x86): one operation on two exact long doubles, accepted
 *   only when the long double result is not within one of its units of a
 *   midpoint between two doubles, so that rounding it to double rounds the
 *   exact value the same way.
 * Returns false otherwise (the caller uses strtod).  The sign is the
 * caller's. */
bool decimal_to_double(uint64_t m, int e10, double *v);

/* Writes V as printf's "%.Pg" would (P = 15, 16 or 17; round half to
 * even) into OUT (at least 32 bytes) and returns the length, when
 * 1e-4 <= |V| < 1e15 (where %g writes no exponent): the digits come from
 * an exact 128-bit product, not from printf.  *EXACT is set when the text
 * reads back as V (checked with decimal_to_double, else strtod).  Returns 0
 * outside that range or where 128-bit integers are missing. */
int decimal_format_g(double v, int p, char *out, bool *exact);

#endif
