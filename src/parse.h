/* parse.h: the streaming metrics reader.
 *
 * Bytes are pushed in as they arrive (from a file or an HTTP transfer) and
 * rows are appended to a struct run; memory grows with the numbers kept, not
 * with the JSON.  Formats, detected from content:
 *   - the platform's answer  {"job_id": …, "metrics": [MetricPoint…], …}
 *   - a bare JSON array of MetricPoints
 *   - JSON Lines: one MetricPoint object per line
 * A UTF-8 BOM and CRLF line ends are accepted.  json-c parses every value;
 * this module only walks the outer skeleton.
 *
 * Errors are returned as a malloc'd *cause without the job name, e.g.
 * "invalid JSON at line 3, column 7: unexpected character" or
 * "more than 1000000 rows".  The caller prefixes the job. */
#ifndef TRCOMPARE_PARSE_H
#define TRCOMPARE_PARSE_H

#include <stddef.h>

#include "run.h"

#define PARSE_MAX_DEPTH 32          /* JSON nesting depth */
#define PARSE_MAX_VALUE (1 << 20)   /* bytes in one row or top-level value */
#define PARSE_MAX_FIELDS 1024       /* fields in one row */

struct parser;

/* A parser appending to RUN (borrowed; must outlive the parser). */
struct parser *parser_new(struct run *run);
void parser_free(struct parser *p);

/* Pushes LEN bytes.  Returns 0, or -1 with *cause set; after an error the
 * parser accepts nothing more. */
int parser_feed(struct parser *p, const void *buf, size_t len, char **cause);

/* End of input: reports truncated JSON or an empty input.  Returns 0, or -1
 * with *cause set.  Does not call run_finish(). */
int parser_finish(struct parser *p, char **cause);

/* Reads all of FD into RUN (parser_new/feed/finish).  Returns 0, or -1 with
 * *cause set (read errors name strerror). */
int parse_fd(struct run *run, int fd, char **cause);

/* Parses an ISO-8601 timestamp ("2024-05-01T12:00:00.5Z", "+02:00" offsets,
 * no zone = UTC, a space instead of T) to seconds since the epoch.  Returns
 * 0, or -1 when S is not such a time. */
int parse_timestamp(const char *s, double *out);

#endif
