/* listing.h: --list-metrics, what each job of a chart holds, as text.
 *
 * For each job (in chart order): a line "LABEL: JOB", then one line per
 * column: its canonical name, the rows where it has a finite value, the
 * first and last step with one, and the panel (-m name) that draws it
 * ("-" when only -m COLUMN does), then the run's parameters ("  param
 * KEY = VALUE"), if the source keeps any.  Every name and value from the
 * source is sanitized (text.h) and cut to 200 characters. */
#ifndef TRCOMPARE_LISTING_H
#define TRCOMPARE_LISTING_H

#include "compare.h"

/* The listing of CH's jobs; malloc'd, never NULL. */
char *listing_metrics(const struct chart *ch);

#endif
