/* text.h: making untrusted text (ids, labels, column names from servers and
 * files) safe for every output.  The one place that knows the quoting rules
 * (../shared/docs/gnuplot.md, "Quoting untrusted text"). */
#ifndef TRCOMPARE_TEXT_H
#define TRCOMPARE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#define TEXT_MAX_CHARS 200 /* characters kept of one label */

/* Sanitizes LEN bytes of S (which may hold NULs):
 * - decodes UTF-8; invalid bytes become U+FFFD, one per maximal ill-formed
 *   subpart, so overlongs, surrogates and values above U+10FFFF never pass;
 *   the non-characters U+FFFE and U+FFFF (invalid in XML) become U+FFFD;
 * - turns control characters U+0000–U+001F and U+007F–U+009F, the
 *   separators U+2028, U+2029, and the invisible format and bidirectional
 *   controls (U+00AD, U+061C, U+180E, U+200B–U+200F, U+202A–U+202E,
 *   U+2060–U+206F, U+FEFF, U+FFF9–U+FFFB, the tags U+E0001 and
 *   U+E0020–U+E007F) into spaces;
 * - breaks with a space the sequences gnuplot's terminals copy unescaped
 *   into markup: "]]>" → "]] >" and "&#x" → "& #x" (svg), "</" → "< /"
 *   and "<!" → "< !" (canvas writes titles into an inline <script>);
 * - trims surrounding spaces and caps the result at MAXCHARS characters
 *   (0: no cap; a cut text keeps MAXCHARS - 1 characters and ends in "…").
 * Returns malloc'd valid UTF-8 holding no control character; FALLBACK
 * (copied; "" when NULL) when the result is empty.  Sanitizing sanitized
 * text with the same MAXCHARS changes nothing. */
char *text_sanitize(const char *s, size_t len, size_t maxchars, const char *fallback);

/* Gnuplot string literal for S: double-quoted; [A-Za-z0-9 ] and
 * -_.,:/+=()[] literal, every other byte an octal escape (bytes below 0100
 * as \0ooo, others as \ooo).  The result holds no quote, backquote, @, #,
 * $, newline or NUL and never ends inside an escape; gnuplot reads back
 * exactly the bytes of S, whatever they are (so it also quotes file paths,
 * which must not be altered).  Untrusted text goes through text_sanitize
 * first: the literal is inert, but what gnuplot's terminals then do with
 * the text is not.  malloc'd. */
char *text_gp_quote(const char *s);

/* JSON string literal (with quotes) for S: " and \ escaped, \b \f \n \r
 * \t for those controls, other bytes below 0x20 and DEL as \u00xx, every
 * other byte copied (S is valid UTF-8: sanitized text).  malloc'd. */
char *text_json_quote(const char *s);

/* CSV field for S (RFC 4180): a leading = + - @ TAB or CR is prefixed with
 * ' against spreadsheet formulas; quoted (" doubled) when it holds , " CR
 * or LF.  malloc'd. */
char *text_csv_field(const char *s);

/* Markdown table cell (or inline text) for S: | \ ` * _ [ ] < > & ~ $ :
 * and the '.' of "www." escaped with a backslash, a run of '@' as a code
 * span ("a`@`b.co"), so that GitHub makes no link, image, raw HTML, math or
 * strike-through of it; CR and LF (absent from sanitized text) become
 * spaces.  malloc'd. */
char *text_md_cell(const char *s);

/* Markdown for S on a line of its own (a heading's text after "## ", a
 * paragraph): text_md_cell's, with '#' escaped too (a heading's closing
 * '#'s would be cut: "## #" is an empty heading) and nothing at its start
 * read as a block (a list's "- " or "1. ", a thematic break, an indented
 * code block: a leading '-' or '+' escaped, the '.' or ')' after leading
 * digits, a leading space written "&#32;").  malloc'd. */
char *text_md_line(const char *s);

/* File name stem from label S: [A-Za-z0-9._-] kept, runs of anything else
 * become one '_', no leading '.' or '-', at most 64 bytes, "job" when
 * empty.  The caller makes stems unique.  malloc'd. */
char *text_file_stem(const char *s);

/* S with & < > " ' written as HTML character references, for HTML text
 * and attribute values (S already sanitized).  malloc'd. */
char *text_html_escape(const char *s);

/* Columns valid UTF-8 S takes in a terminal: wide characters (CJK, most
 * emoji) count 2, combining and other zero-width characters 0, the rest 1
 * (glibc's wcwidth of C.UTF-8; 1 each when that locale is missing). */
size_t text_width(const char *s);
/* text_width, or (DUMB) the cells gnuplot counts for text_for_dumb(S):
 * 3 for a wide character (2, and 1 for the U+200B after it), 1 for a
 * zero-width one. */
size_t text_width_as(const char *s, bool dumb);

/* Valid UTF-8 S cut to at most MAXCOLS columns (text_width_as(S, DUMB)):
 * whole characters and "…" when it is wider (MAXCOLS 0: ""); S itself
 * when it fits.  malloc'd. */
char *text_fit(const char *s, size_t maxcols, bool dumb);

/* Valid UTF-8 S as gnuplot's dumb terminal can draw it, one character per
 * cell: a character outside the Basic Multilingual Plane (emoji), which
 * dumb mangles ("a\U0001F680bc" comes out "a\U0001F680bbc"), becomes U+FFFD;
 * a wide character (CJK) is followed by U+200B ZERO WIDTH SPACE, so the two
 * cells dumb counts are the two columns a terminal draws.  malloc'd. */
char *text_for_dumb(const char *s);

#endif
