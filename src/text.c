/* text.c: see text.h. */
#include "text.h"
