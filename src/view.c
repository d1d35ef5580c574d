/* view.c: see view.h. */
#include "view.h"
