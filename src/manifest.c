/* manifest.c: the --batch manifest's words (see manifest.h). */
#include "config.h"

#include "manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define MANIFEST_MAX (64L * 1024 * 1024)

struct lexer {
	const char *t;
	size_t len, i;
	size_t line, col;  /* of t[i] */
	char *word;        /* the word being read */
	size_t wlen, wcap;
	bool in_word;
	size_t wline, wcol;
	struct manifest_entry cur;
	size_t curcap;
	struct manifest *m;
	size_t mcap;
};

/* Moves past one byte, keeping the line and column. */
static void adv(struct lexer *lx)
{
	if (lx->t[lx->i] == '\n') {
		lx->line++;
		lx->col = 1;
	} else {
		lx->col++;
	}
	lx->i++;
}

/* Starts a word at the current position unless one is open. */
static void begin(struct lexer *lx)
{
	if (lx->in_word)
		return;
	lx->in_word = true;
	lx->wlen = 0;
	lx->wline = lx->line;
	lx->wcol = lx->col;
}

/* Appends byte C to the open word. */
static void put(struct lexer *lx, char c)
{
	if (lx->wlen + 2 > lx->wcap) {
		lx->wcap = lx->wcap ? 2 * lx->wcap : 64;
		lx->word = xrealloc(lx->word, lx->wcap);
	}
	lx->word[lx->wlen++] = c;
}

/* Ends the open word, if any, adding it to the current entry. */
static void end_word(struct lexer *lx)
{
	if (!lx->in_word)
		return;
	lx->in_word = false;
	struct manifest_entry *e = &lx->cur;
	if (e->nwords == lx->curcap) {
		lx->curcap = lx->curcap ? 2 * lx->curcap : 8;
		e->words = xreallocarray(e->words, lx->curcap, sizeof *e->words);
	}
	if (e->nwords == 0)
		e->line = lx->wline;
	struct manifest_word *w = &e->words[e->nwords++];
	w->text = xstrndup(lx->word ? lx->word : "", lx->wlen);
	w->line = lx->wline;
	w->col = lx->wcol;
}

/* Ends the current entry (a line's end), adding it when it has words. */
static void end_entry(struct lexer *lx)
{
	end_word(lx);
	if (lx->cur.nwords == 0)
		return;
	struct manifest *m = lx->m;
	if (m->n == lx->mcap) {
		lx->mcap = lx->mcap ? 2 * lx->mcap : 16;
		m->entries = xreallocarray(m->entries, lx->mcap, sizeof *m->entries);
	}
	m->entries[m->n++] = lx->cur;
	memset(&lx->cur, 0, sizeof lx->cur);
	lx->curcap = 0;
}

/* True when a line ends at offset I: "\n" or "\r\n". */
static bool newline_at(const struct lexer *lx, size_t i)
{
	return i < lx->len &&
	       (lx->t[i] == '\n' || (lx->t[i] == '\r' && i + 1 < lx->len && lx->t[i + 1] == '\n'));
}

/* Moves past the newline at the current position ("\n" or "\r\n"). */
static void skip_newline(struct lexer *lx)
{
	if (lx->t[lx->i] == '\r')
		adv(lx);
	adv(lx);
}

/* A quoted part starting at the current quote Q.  Returns 0, or -1 with
 * *cause. */
static int quoted(struct lexer *lx, char q, char **cause)
{
	size_t qline = lx->line, qcol = lx->col;
	begin(lx);
	adv(lx);
	for (;;) {
		if (lx->i >= lx->len) {
			*cause = xasprintf("%zu:%zu: unterminated %s quote", qline, qcol,
					   q == '\'' ? "single" : "double");
			return -1;
		}
		char c = lx->t[lx->i];
		if (c == '\0') {
			*cause = xasprintf("%zu:%zu: NUL byte", lx->line, lx->col);
			return -1;
		}
		if (c == q) {
			adv(lx);
			return 0;
		}
		if (q == '"' && c == '\\' && lx->i + 1 < lx->len) {
			char n = lx->t[lx->i + 1];
			if (newline_at(lx, lx->i + 1)) {
				adv(lx);
				skip_newline(lx);
				continue;
			}
			if (n == '$' || n == '`' || n == '"' || n == '\\') {
				adv(lx);
				put(lx, n);
				adv(lx);
				continue;
			}
		}
		/* A quoted newline of a CRLF file is a newline too. */
		if (!(c == '\r' && newline_at(lx, lx->i)))
			put(lx, c);
		adv(lx);
	}
}

/* Splits the whole text; returns 0 or -1 with *cause. */
static int lex(struct lexer *lx, char **cause)
{
	while (lx->i < lx->len) {
		char c = lx->t[lx->i];
		if (c == '\0') {
			*cause = xasprintf("%zu:%zu: NUL byte", lx->line, lx->col);
			return -1;
		}
		if (newline_at(lx, lx->i)) {
			end_entry(lx);
			skip_newline(lx);
		} else if (c == ' ' || c == '\t') {
			end_word(lx);
			adv(lx);
		} else if (c == '#' && !lx->in_word) {
			while (lx->i < lx->len && !newline_at(lx, lx->i))
				adv(lx);
		} else if (c == '\\') {
			if (lx->i + 1 >= lx->len) {
				*cause = xasprintf("%zu:%zu: backslash at the end of the manifest", lx->line,
						   lx->col);
				return -1;
			}
			if (newline_at(lx, lx->i + 1)) { /* a continuation */
				adv(lx);
				skip_newline(lx);
				continue;
			}
			if (lx->t[lx->i + 1] == '\0') {
				*cause = xasprintf("%zu:%zu: NUL byte", lx->line, lx->col + 1);
				return -1;
			}
			begin(lx);
			adv(lx);
			put(lx, lx->t[lx->i]);
			adv(lx);
		} else if (c == '\'' || c == '"') {
			if (quoted(lx, c, cause) != 0)
				return -1;
		} else {
			begin(lx);
			put(lx, c);
			adv(lx);
		}
	}
	end_entry(lx);
	return 0;
}

int manifest_parse(const char *text, size_t len, struct manifest *m, char **cause)
{
	memset(m, 0, sizeof *m);
	struct lexer lx = { .t = text, .len = len, .line = 1, .col = 1, .m = m };
	/* A UTF-8 byte order mark (Windows editors write one) is no part of
	 * the first word; columns count from after it. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		lx.i = 3;
	int rc = lex(&lx, cause);
	if (rc != 0) {
		end_word(&lx); /* (uses lx.word) */
		for (size_t i = 0; i < lx.cur.nwords; i++)
			free(lx.cur.words[i].text);
		free(lx.cur.words);
		manifest_free(m);
	}
	free(lx.word);
	return rc;
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->n; i++) {
		for (size_t k = 0; k < m->entries[i].nwords; k++)
			free(m->entries[i].words[k].text);
		free(m->entries[i].words);
	}
	free(m->entries);
	memset(m, 0, sizeof *m);
}

int manifest_read(const char *path, char **text, size_t *len, char **cause)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (is_stdin)
		path = "stdin"; /* as the lines' places name it */
	if (fd < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return -1;
	}
	struct buf b = {0};
	char chunk[65536];
	int rc = 0;
	for (;;) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*cause = xasprintf("%s: %s", path, strerror(errno));
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		buf_append(&b, chunk, (size_t)n);
		if (b.len > MANIFEST_MAX) {
			*cause = xasprintf("%s: larger than 64 MiB", path);
			rc = -1;
			break;
		}
	}
	if (!is_stdin)
		close(fd);
	if (rc != 0) {
		buf_free(&b);
		return -1;
	}
	*len = b.len;
	*text = b.data ? b.data : xstrdup("");
	return 0;
}

char *manifest_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (strcmp(path, "-") == 0 || !slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}
