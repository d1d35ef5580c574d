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
 * - any other M and -64 <= E10 <= 64: the Eisel-Lemire algorithm (a
 *   128-bit product with a table of powers of five; exact, ties to even),
 *   where the compiler has 128-bit integers.
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
