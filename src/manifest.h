/* manifest.h: a --batch manifest split into comparisons, each a list of
 * words as its command line would be (no option parsing here: options.c
 * parses the words).
 *
 * The syntax is a small, fixed part of the shell's:
 *   - a line is one comparison; words are separated by spaces and tabs;
 *   - blank lines and comments (from a '#' that starts a word to the end
 *     of the line) are ignored;
 *   - a backslash outside quotes keeps the next character as it is; a
 *     backslash before the end of the line joins the next line (a
 *     continuation);
 *   - '...' keeps everything up to the next ' as it is (newlines too);
 *   - "..." likewise, but a backslash there escapes only $ ` " \ and a
 *     newline (which it removes), as in the shell;
 *   - nothing is expanded: $, `, *, ?, ~, ;, |, &, <, > are plain
 *     characters (no variables, globbing, command substitution or
 *     redirection: the manifest never reaches a shell);
 *   - a carriage return before a newline is ignored (CRLF files), and so
 *     is a UTF-8 byte order mark at the start.
 * Errors: "LINE:COL: unterminated single quote" (the quote's position),
 * "... double quote", "LINE:COL: backslash at the end of the manifest",
 * "LINE:COL: NUL byte". */
#ifndef TRCOMPARE_MANIFEST_H
#define TRCOMPARE_MANIFEST_H

#include <stddef.h>

/* One word: its text and where it starts (1-based line and byte column). */
struct manifest_word {
	char *text;
	size_t line, col;
};

/* One comparison: its words (at least one), in order. */
struct manifest_entry {
	struct manifest_word *words;
	size_t nwords;
	size_t line; /* of its first word */
};

struct manifest {
	struct manifest_entry *entries;
	size_t n;
};

/* Splits TEXT (LEN bytes) into M.  Returns 0, or -1 with *cause
 * ("LINE:COL: what", malloc'd) and M empty. */
int manifest_parse(const char *text, size_t len, struct manifest *m, char **cause);
void manifest_free(struct manifest *m);

/* Reads the manifest at PATH ("-": FD 0) whole, at most 64 MiB.  Returns
 * 0 with *text (malloc'd, NUL-terminated) and *len, or -1 with *cause
 * ("PATH: No such file or directory", "PATH: larger than 64 MiB"; PATH
 * "stdin" for "-"). */
int manifest_read(const char *path, char **text, size_t *len, char **cause);

/* The directory relative paths of manifest PATH resolve against: its
 * directory ("." for a bare name and for "-").  malloc'd. */
char *manifest_dir(const char *path);

#endif
