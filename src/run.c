/* run.c: see run.h. */
#include "run.h"
