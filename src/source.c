/* source.c: see source.h. */
#include "source.h"
