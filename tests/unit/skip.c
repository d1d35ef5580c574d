/* skip.c: what every unit test program is when cmocka is missing at
 * configure time: it says so and exits 77, which automake counts as a
 * skipped test, so the unit tests never drop out of the summary silently. */
#include <stdio.h>

int main(void)
{
	puts("SKIP: cmocka was not found by configure (Debian: libcmocka-dev)");
	return 77;
}
