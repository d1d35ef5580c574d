/* gpscript.c: see gpscript.h. */
#include "gpscript.h"
