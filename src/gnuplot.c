/* gnuplot.c: see gnuplot.h. */
#include "gnuplot.h"
