/* summary.c: see summary.h. */
#include "summary.h"
