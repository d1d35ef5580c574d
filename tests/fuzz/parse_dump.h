/* parse_dump.h: canonical text of everything a parse produced, shared by
 * the parser's unit test and its fuzz target, which compare the results of
 * feeding one input in different pieces.  Include after parse.h, run.h and
 * util.h. */
#ifndef TRCOMPARE_PARSE_DUMP_H
#define TRCOMPARE_PARSE_DUMP_H

/* The error, counters, id, message, column names and every cell of R
 * (run_finish not called), as malloc'd text. */
static char *parse_dump(const struct run *r, int rc, const char *cause)
{
	struct buf b = {0};

	buf_printf(&b, "rc=%d cause=%s\n", rc, cause ? cause : "-");
	buf_printf(&b, "id=%s message=%s rows=%zu skipped=%zu nonfinite=%zu ignored=%zu badts=%zu mixedts=%zu unit=%d partial=%zu\n",
	           r->id ? r->id : "-", r->message ? r->message : "-", r->nrows, r->skipped_nostep, r->nonfinite,
	           r->ignored_fields, r->bad_timestamps, r->mixed_timestamps, r->time_unit, r->partial_lines);
	for (size_t c = 0; c < r->ncols; c++) {
		buf_printf(&b, "%s:", r->names[c]);
		for (size_t i = 0; i < r->nrows; i++)
			buf_printf(&b, " %.17g", r->cols[c][i]);
		buf_puts(&b, "\n");
	}
	return b.data;
}

#endif
