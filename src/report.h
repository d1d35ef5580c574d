/* report.h: --report FILE.html (or FILE.md, report_write) — one self-contained page comparing the
 * chart's jobs: the title, when and by which version it was made, the
 * command that makes it again, one inline SVG per panel drawn by gnuplot
 * (with gnuplot's mouse script: a click shows coordinates, a click on a
 * job in the legend hides or shows its lines), panel check boxes, the
 * summary table (summary.c's numbers, sortable), each job's details and a
 * note of how the chart was made.
 *
 * One more emitter of the chart model: it reads the chart (built for
 * report_target), the spec and report_opts, nothing else, and writes one
 * file atomically.  Every string from a log, server or file is escaped
 * for HTML text and attributes; gnuplot's SVG holds the labels after
 * text_sanitize (gnuplot writes '<' as "&lt;", and the sanitizer breaks
 * "]]>", "</" and "<!"), and the page's Content-Security-Policy lets only
 * its own two scripts run (by hash) and loads nothing. */
#ifndef TRCOMPARE_REPORT_H
#define TRCOMPARE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "compare.h"
#include "joblist.h"
#include "spec.h"

/* Size of one panel's SVG in the page, in pixels. */
#define REPORT_PANEL_WIDTH 900
#define REPORT_PANEL_HEIGHT 420

/* The charts of a Markdown report, beside it. */
enum report_images { REPORT_IMAGES_PNG, REPORT_IMAGES_SVG };

/* What the report needs besides the chart and the spec. */
struct report_opts {
	char *const *argv;   /* the command line as run (argv[0] first): shown
	                        quoted for a POSIX shell, tokens redacted */
	size_t argc;
	time_t generated;    /* when the report is made */
	const struct joblist *jl; /* job statuses and model names, or NULL */
	const char *tmpdir;  /* for gnuplot's SVG files (absolute) */
	enum report_images images; /* --report-images */
	double refresh;      /* seconds after which the HTML page reloads
	                        itself (--watch), or 0 */
};

/* The target SPEC's chart must be built for (compare_build) to go into a
 * report: svg, one REPORT_PANEL_WIDTH x REPORT_PANEL_HEIGHT SVG per panel
 * (the downsampling grid follows), NPANELS panels. */
struct chart_target report_target(size_t npanels);

/* Checks the report's file name: it must end in ".html", ".htm" or ".md"
 * (case-insensitive).  Returns 0, or -1 with *cause ("'x.txt': a report
 * is FILE.html or FILE.md"). */
int report_check_path(const char *path, char **cause);

/* Is PATH a Markdown report (".md")? */
bool report_is_markdown(const char *path);

/* The chart of panel PANEL (0-based) that the Markdown report REPORT puts
 * beside itself: DIR/STEM-panel-N.png (.svg with SVG): malloc'd. */
char *report_image_path(const char *report, size_t panel, bool svg);

/* Writes the report of CH (built for report_target) to PATH, atomically;
 * gnuplot draws every panel in one session.  FILE.md: GitHub-flavoured
 * Markdown with the same sections (no panel check boxes, no sorting), its
 * charts beside it as STEM-panel-N.png (pngcairo; .svg with
 * REPORT_IMAGES_SVG; STEM is the report's name without ".md" made a
 * file name stem, text_file_stem), linked relatively; every image is
 * written atomically and committed after the report.  Untrusted text goes
 * through text_md_cell (no link, image or raw HTML can come of it); the
 * command sits in a code fence longer than any backquote run in it.
 * Returns 0, or -1 with *cause (atomic_open's and atomic_commit's,
 * "TMPDIR: cannot create a temporary file: …", gnuplot's, "this gnuplot
 * has no 'pngcairo' terminal", "gnuplot's SVG is not what the report
 * expects"); what gnuplot printed on success is in *warnings (malloc'd)
 * or NULL. */
int report_write(const char *path, const struct chart *ch, const struct compare_spec *spec,
		 const struct report_opts *o, char **warnings, char **cause);

/* S quoted for a POSIX shell so that the text shows exactly in a page
 * and, pasted into sh, gives S back: as is when it holds only
 * [A-Za-z0-9_./:=,@%+-] (and is not empty), else in single quotes, a '
 * as \', a newline kept as it is inside the quotes, and the bytes of
 * control characters, bidirectional and line-separator characters and
 * invalid UTF-8 as "$(printf '\ooo')" (octal): 'x y', 'it'\''s', 'x<newline>y',
 * 'a'"$(printf '\011')"'b' (a tab).  malloc'd. */
char *report_shell_quote(const char *s);

/* The command line ARGV (N words) as one line for a POSIX shell, each
 * word quoted, secrets redacted: the value of --token (the next word, or
 * after '='), a URL's password (http_redact) and the value of a URL query
 * parameter whose name holds "token", "key", "secret", "password" or
 * "sig" become "REDACTED".  Words are kept byte for byte otherwise
 * (report_shell_quote), so the text holds no control character but the
 * newlines inside quoted words, and sh runs it as it was run.
 * malloc'd. */
char *report_command(char *const *argv, size_t n);

/* The SHA-256 of N bytes at P, base64, as a CSP source
 * ("'sha256-…'").  malloc'd. */
char *report_csp_hash(const void *p, size_t n);

#endif
