/* datafile.c: see datafile.h. */
#include "datafile.h"
