/* joblist.c: see joblist.h. */
#include "joblist.h"
