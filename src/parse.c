/* parse.c: see parse.h. */
#include "parse.h"
