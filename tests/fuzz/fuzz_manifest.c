/* fuzz_manifest.c: libFuzzer target for the --batch manifest's words
 * (src/manifest.c).  Any input either fails with a "LINE:COL: ..." cause
 * or splits into entries of words; then the words, each written back in
 * single quotes (' as '\''), one entry per line, must split into the very
 * same entries and words. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The manifest M written back with every word single-quoted. */
static char *requote(const struct manifest *m, size_t *len)
{
	struct buf b = {0};
	for (size_t i = 0; i < m->n; i++) {
		for (size_t k = 0; k < m->entries[i].nwords; k++) {
			if (k)
				buf_puts(&b, " ");
			buf_puts(&b, "'");
			for (const char *p = m->entries[i].words[k].text; *p; p++)
				if (*p == '\'')
					buf_puts(&b, "'\\''");
				else
					buf_append(&b, p, 1);
			buf_puts(&b, "'");
		}
		buf_puts(&b, "\n");
	}
	*len = b.len;
	return b.data ? b.data : xstrdup("");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	struct manifest m, again;
	char *cause = NULL;
	if (manifest_parse((const char *)data, size, &m, &cause) != 0) {
		unsigned long line, col;
		if (!cause || sscanf(cause, "%lu:%lu: ", &line, &col) != 2 || line < 1 || col < 1)
			abort();
		free(cause);
		return 0;
	}
	for (size_t i = 0; i < m.n; i++) {
		if (m.entries[i].nwords == 0 || m.entries[i].line != m.entries[i].words[0].line)
			abort();
		for (size_t k = 0; k < m.entries[i].nwords; k++)
			if (m.entries[i].words[k].line < 1 || m.entries[i].words[k].col < 1)
				abort();
	}
	size_t len;
	char *text = requote(&m, &len);
	if (manifest_parse(text, len, &again, &cause) != 0 || again.n != m.n)
		abort();
	for (size_t i = 0; i < m.n; i++) {
		if (again.entries[i].nwords != m.entries[i].nwords)
			abort();
		for (size_t k = 0; k < m.entries[i].nwords; k++)
			if (strcmp(again.entries[i].words[k].text, m.entries[i].words[k].text) != 0)
				abort();
	}
	manifest_free(&again);
	manifest_free(&m);
	free(text);
	return 0;
}
