/* read_wandb.c: W&B run files (wandb/run-<time>-<id>/run-<id>.wandb).
 *
 * Layout (wandb/sdk/internal/datastore.py): a 7-byte header (":W&B",
 * uint16le 0xBEE1, version 0), then LevelDB-log blocks of 32 768 bytes
 * counted from the start of the file (the header takes the first block's
 * first 7 bytes).  A block holds chunks: uint32le crc, uint16le length,
 * uint8 type (1 FULL, 2 FIRST, 3 MIDDLE, 4 LAST), data; the crc is zlib's
 * CRC-32 of the type byte and the data.  Fewer than 7 bytes left in a block
 * are zero padding.  A record (one FULL, or FIRST MIDDLE* LAST) is a
 * Record protobuf (wandb_internal.proto), walked with pb.h:
 *   Record        2 history, 17 run
 *   HistoryRecord 1 repeated item, 2 step (HistoryStep: 1 num)
 *   HistoryItem   1 key, 2 repeated nested_key, 16 value_json
 *   Record        5 config
 *   RunRecord     1 run_id, 4 config, 8 display_name
 *   ConfigRecord  1 repeated update, 2 repeated remove (ConfigItem)
 *   ConfigItem    1 key, 2 repeated nested_key, 16 value_json
 * value_json is JSON text; numbers (and Python's bare NaN, Infinity) are
 * read, other values skipped.  The step is HistoryStep.num, else the
 * `_step` item; `_timestamp` (Unix seconds) is the time column; other keys
 * starting with '_' are W&B's bookkeeping and skipped.  The config (the
 * run record's, then config records' updates and removals, in file order)
 * becomes the run's parameters: KEY (nested keys joined by '.') = the
 * value, a JSON string decoded, any other JSON as it is written (at most
 * WB_MAX_PARAM bytes); keys starting with '_' (_wandb) are skipped.
 *
 * Damage: a chunk with a bad checksum, an impossible length or type, or a
 * record whose protobuf does not parse is skipped and counted
 * (run->bad_records), with the rest of its block (its framing cannot be
 * trusted); a file that ends inside a chunk or a record is a crash or a
 * file still being written, counted once (run->truncated). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "pb.h"
#include "reader.h"
#include "tagmap.h"
#include "util.h"

#define WB_BLOCK 32768             /* LevelDB-log block */
#define WB_HEADER 7                /* file header and chunk header */
#define WB_MAX_RECORD (64u << 20)  /* bytes of one record, at most */
#define WB_MAX_KEYS 4096           /* distinct keys remembered */
#define WB_MAX_PARAM 65536         /* bytes of a config value kept */

/* A key seen before and its column (-1: skipped). */
struct wb_key {
	char *name;
	size_t len;
	int col;
};

struct wb {
	struct run *run;        /* borrowed */
	unsigned char *blk;     /* the block being filled */
	size_t nblk;            /* bytes in it */
	size_t blk_size;        /* its size: WB_BLOCK, the first one less */
	bool header_done;
	unsigned char *rec;     /* the record being assembled */
	size_t nrec, rec_cap;
	bool in_record;         /* a FIRST came, its LAST not yet */
	struct wb_key *keys;
	size_t nkeys;
	int time_col;
	char *err;
};

/* The chunk's CRC: zlib's CRC-32 of TYPE, then DATA[0..N). */
static uint32_t chunk_crc(unsigned char type, const unsigned char *data, size_t n)
{
	uLong c = crc32(0L, &type, 1);
	return (uint32_t)crc32(c, data, (uInt)n);
}

/* The column of history key NAME[0..N), found or added; -1 to skip it. */
static int key_col(struct wb *w, const char *name, size_t n)
{
	for (size_t i = 0; i < w->nkeys; i++)
		if (w->keys[i].len == n && memcmp(w->keys[i].name, name, n) == 0)
			return w->keys[i].col;
	int col = -1;
	if (n && name[0] != '_') {
		char *c = tagmap_column(name, n, false);
		if (c) {
			col = run_col(w->run, c);
			if (col < 0)
				w->run->ignored_fields++;
		}
		free(c);
	}
	if (w->nkeys < WB_MAX_KEYS) {
		w->keys = xreallocarray(w->keys, w->nkeys + 1, sizeof *w->keys);
		w->keys[w->nkeys].name = xmalloc(n + 1);
		memcpy(w->keys[w->nkeys].name, name, n);
		w->keys[w->nkeys].name[n] = '\0';
		w->keys[w->nkeys].len = n;
		w->keys[w->nkeys].col = col;
		w->nkeys++;
	}
	return col;
}

/* The number in JSON text S[0..N) (NaN, Infinity, -Infinity as Python
 * writes them) into *V; false when S is no number. */
static bool json_number(const unsigned char *s, size_t n, double *v)
{
	char buf[64];
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strcmp(buf, "NaN") == 0) {
		*v = NAN;
		return true;
	}
	if (strcmp(buf, "Infinity") == 0 || strcmp(buf, "-Infinity") == 0) {
		*v = buf[0] == '-' ? -INFINITY : INFINITY;
		return true;
	}
	/* JSON numbers only: strtod alone would take "inf", hex, "nan(...)". */
	if (strspn(buf, "0123456789+-.eE") != n)
		return false;
	char *end;
	*v = strtod(buf, &end);
	return end == buf + n;
}

/* The values of one history item: KEY, VALUE. */
struct wb_item {
	const unsigned char *key, *val;
	size_t nkey, nval;
};

/* Reads HistoryRecord H[0..N) into the run; -1 when malformed. */
static int read_history(struct wb *w, const unsigned char *h, size_t n)
{
	struct pb_reader r = pb_reader_of(h, n);
	struct pb_field f;
	int rc;
	bool have_step = false;
	double step = NAN, ts = NAN;
	/* First pass: the step, the timestamp, and that it all parses. */
	while ((rc = pb_next(&r, &f)) > 0) {
		if (f.num == 2 && f.wire == PB_LEN) {
			struct pb_reader s = pb_reader_of(f.p, f.len);
			struct pb_field g;
			int rs;
			while ((rs = pb_next(&s, &g)) > 0)
				if (g.num == 1 && g.wire == PB_VARINT) {
					step = (double)(int64_t)g.u;
					have_step = true;
				}
			if (rs < 0)
				return -1;
		} else if (f.num == 1 && f.wire == PB_LEN) {
			struct pb_reader s = pb_reader_of(f.p, f.len);
			struct pb_field g;
			struct wb_item it = { 0 };
			int rs;
			while ((rs = pb_next(&s, &g)) > 0) {
				if (g.num == 1 && g.wire == PB_LEN) {
					it.key = g.p;
					it.nkey = g.len;
				} else if (g.num == 16 && g.wire == PB_LEN) {
					it.val = g.p;
					it.nval = g.len;
				}
			}
			if (rs < 0)
				return -1;
			double v;
			if (it.key && it.val && json_number(it.val, it.nval, &v)) {
				if (it.nkey == 5 && memcmp(it.key, "_step", 5) == 0 && !have_step) {
					step = v;
				} else if (it.nkey == 10 && memcmp(it.key, "_timestamp", 10) == 0) {
					ts = v;
				}
			}
		}
	}
	if (rc < 0)
		return -1;
	if (!(isfinite(step) && step == floor(step) && fabs(step) < 9.007199254740992e15)) {
		w->run->skipped_nostep++;
		return 0;
	}
	if (run_add_row(w->run, step, &w->err) < 0)
		return -2;
	if (isfinite(ts) && ts > 0) {
		if (w->time_col < 0)
			w->time_col = run_col(w->run, COL_TIME);
		run_set(w->run, w->time_col, ts);
	}
	/* Second pass: the values. */
	r = pb_reader_of(h, n);
	while (pb_next(&r, &f) > 0) {
		if (f.num != 1 || f.wire != PB_LEN)
			continue;
		struct pb_reader s = pb_reader_of(f.p, f.len);
		struct pb_field g;
		const unsigned char *key = NULL, *val = NULL;
		size_t nkey = 0, nval = 0;
		struct buf nested = { 0 };
		while (pb_next(&s, &g) > 0) {
			if (g.num == 1 && g.wire == PB_LEN) {
				key = g.p;
				nkey = g.len;
			} else if (g.num == 2 && g.wire == PB_LEN) {
				/* wandb.log({"a": {"b": 1}}): the UI shows "a.b". */
				if (nested.len)
					buf_append(&nested, ".", 1);
				buf_append(&nested, g.p, g.len);
			} else if (g.num == 16 && g.wire == PB_LEN) {
				val = g.p;
				nval = g.len;
			}
		}
		if (!key && nested.len) {
			key = (const unsigned char *)nested.data;
			nkey = nested.len;
		}
		double v;
		if (key && val && json_number(val, nval, &v)) {
			int col = key_col(w, (const char *)key, nkey);
			if (col >= 0 && isfinite(v))
				run_set(w->run, col, v);
			else if (col >= 0)
				w->run->nonfinite++;
		}
		buf_free(&nested);
	}
	return 0;
}

/* The value of config item VALUE_JSON V[0..N) as a parameter: a JSON
 * string decoded, anything else as written; at most WB_MAX_PARAM bytes.
 * malloc'd. */
static char *config_value(const unsigned char *v, size_t n)
{
	char *text = NULL;
	if (n >= 2 && v[0] == '"' && n < WB_MAX_RECORD) {
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o = json_tokener_parse_ex(tok, (const char *)v, (int)n);
		if (o && json_object_is_type(o, json_type_string))
			text = xstrndup(json_object_get_string(o), (size_t)json_object_get_string_len(o));
		json_object_put(o);
		json_tokener_free(tok);
	}
	if (!text)
		text = xstrndup((const char *)v, n);
	if (strlen(text) > WB_MAX_PARAM)
		text[WB_MAX_PARAM] = '\0';
	return text;
}

/* Applies ConfigRecord C[0..N) to the run's parameters: updates (field
 * 1) and removals (2).  0, or -1 with w->err (too many parameters). */
static int read_config(struct wb *w, const unsigned char *c, size_t n)
{
	struct pb_reader p = pb_reader_of(c, n);
	struct pb_field f;
	while (pb_next(&p, &f) > 0) {
		if ((f.num != 1 && f.num != 2) || f.wire != PB_LEN)
			continue;
		struct pb_reader s = pb_reader_of(f.p, f.len);
		struct pb_field g;
		struct buf key = { 0 }, nested = { 0 };
		const unsigned char *val = NULL;
		size_t nval = 0;
		while (pb_next(&s, &g) > 0) {
			if (g.num == 1 && g.wire == PB_LEN) {
				key.len = 0;
				buf_append(&key, g.p, g.len);
			} else if (g.num == 2 && g.wire == PB_LEN) {
				if (nested.len)
					buf_append(&nested, ".", 1);
				buf_append(&nested, g.p, g.len);
			} else if (g.num == 16 && g.wire == PB_LEN) {
				val = g.p;
				nval = g.len;
			}
		}
		struct buf *k = key.len ? &key : &nested;
		buf_append(k, "", 1);
		int rc = 0;
		/* (A key with a NUL byte is cut there, as text is.) */
		if (k->len > 1 && k->data[0] != '_') {
			if (f.num == 2) {
				run_del_param(w->run, k->data);
			} else if (val) {
				char *v = config_value(val, nval);
				rc = run_add_param(w->run, k->data, v, &w->err);
				free(v);
			}
		}
		buf_free(&key);
		buf_free(&nested);
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Reads RunRecord R[0..N): the run's name, id and config.  0, or -1 with
 * w->err. */
static int read_run(struct wb *w, const unsigned char *r, size_t n)
{
	struct pb_reader p = pb_reader_of(r, n);
	struct pb_field f;
	while (pb_next(&p, &f) > 0) {
		if (f.num == 4 && f.wire == PB_LEN && read_config(w, f.p, f.len) < 0)
			return -1;
		if (f.wire != PB_LEN || f.len == 0 || (f.num != 1 && f.num != 8))
			continue;
		char **dst = f.num == 8 ? &w->run->name : &w->run->id;
		free(*dst);
		*dst = xmalloc(f.len + 1);
		memcpy(*dst, f.p, f.len);
		(*dst)[f.len] = '\0';
	}
	return 0;
}

/* Reads one Record R[0..N).  0, or -1 with w->err (the run is full). */
static int read_record(struct wb *w, const unsigned char *r, size_t n)
{
	struct pb_reader p = pb_reader_of(r, n);
	struct pb_field f;
	int rc;
	const unsigned char *hist = NULL, *run = NULL, *config = NULL;
	size_t nhist = 0, nrun = 0, nconfig = 0;
	while ((rc = pb_next(&p, &f)) > 0) {
		if (f.num == 2 && f.wire == PB_LEN) {
			hist = f.p;
			nhist = f.len;
		} else if (f.num == 17 && f.wire == PB_LEN) {
			run = f.p;
			nrun = f.len;
		} else if (f.num == 5 && f.wire == PB_LEN) {
			config = f.p;
			nconfig = f.len;
		}
	}
	if (rc < 0) {
		w->run->bad_records++;
		return 0;
	}
	if (run && read_run(w, run, nrun) < 0)
		return -1;
	if (config && read_config(w, config, nconfig) < 0)
		return -1;
	if (hist) {
		int h = read_history(w, hist, nhist);
		if (h == -2)
			return -1;
		if (h < 0)
			w->run->bad_records++;
	}
	return 0;
}

/* Appends chunk data D[0..N) to the record being assembled; false when
 * the record grows past WB_MAX_RECORD. */
static bool rec_append(struct wb *w, const unsigned char *d, size_t n)
{
	if (w->nrec + n > WB_MAX_RECORD)
		return false;
	if (n == 0) /* an empty chunk: nothing to copy (rec may be NULL) */
		return true;
	if (w->nrec + n > w->rec_cap) {
		w->rec_cap = w->nrec + n > 2 * w->rec_cap ? w->nrec + n : 2 * w->rec_cap;
		w->rec = xrealloc(w->rec, w->rec_cap);
	}
	memcpy(w->rec + w->nrec, d, n);
	w->nrec += n;
	return true;
}

/* Reads the chunks of block B[0..N); AT_EOF: the file ended inside it
 * (a partial block).  0, or -1 with w->err. */
static int read_block(struct wb *w, const unsigned char *b, size_t n, bool at_eof)
{
	size_t pos = 0;
	while (n - pos >= WB_HEADER) {
		const unsigned char *h = b + pos;
		uint32_t crc = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
			       (uint32_t)h[3] << 24;
		size_t len = (size_t)h[4] | (size_t)h[5] << 8;
		unsigned char type = h[6];
		if (crc == 0 && len == 0 && type == 0)
			return 0; /* zero padding: the rest of the block */
		if (len > n - pos - WB_HEADER) {
			if (at_eof)
				w->run->truncated++;
			else
				w->run->bad_records++;
			w->in_record = false;
			return 0;
		}
		const unsigned char *d = h + WB_HEADER;
		if (type < 1 || type > 4 || chunk_crc(type, d, len) != crc) {
			w->run->bad_records++;
			w->in_record = false;
			return 0;
		}
		pos += WB_HEADER + len;
		switch (type) {
		case 1: /* FULL */
			if (w->in_record)
				w->run->bad_records++;
			w->in_record = false;
			if (read_record(w, d, len) < 0)
				return -1;
			break;
		case 2: /* FIRST */
			if (w->in_record)
				w->run->bad_records++;
			w->nrec = 0;
			w->in_record = rec_append(w, d, len);
			break;
		default: /* MIDDLE, LAST */
			if (!w->in_record) {
				w->run->bad_records++;
				break;
			}
			if (!rec_append(w, d, len)) {
				w->run->bad_records++;
				w->in_record = false;
				break;
			}
			if (type == 4) {
				w->in_record = false;
				if (read_record(w, w->rec, w->nrec) < 0)
					return -1;
			}
			break;
		}
	}
	if (at_eof && pos < n)
		w->run->truncated++;
	return 0;
}

/* reader_format.open. */
static void *wb_open(struct run *run)
{
	struct wb *w = xcalloc(1, sizeof *w);
	w->run = run;
	w->blk = xmalloc(WB_BLOCK);
	w->blk_size = WB_HEADER; /* the file header first */
	w->time_col = -1;
	return w;
}

/* Pushes bytes: whole blocks are read as they fill. */
static int wb_feed(void *state, const void *buf, size_t len, char **cause)
{
	struct wb *w = state;
	const unsigned char *p = buf;
	if (w->err) {
		*cause = xstrdup(w->err);
		return -1;
	}
	while (len) {
		size_t take = w->blk_size - w->nblk;
		if (take > len)
			take = len;
		memcpy(w->blk + w->nblk, p, take);
		w->nblk += take;
		p += take;
		len -= take;
		if (w->nblk < w->blk_size)
			break;
		if (!w->header_done) {
			if (memcmp(w->blk, ":W&B\xe1\xbe", 6) != 0) {
				*cause = xstrdup("not a W&B run file (bad header)");
				w->err = xstrdup(*cause);
				return -1;
			}
			if (w->blk[6] != 0) {
				*cause = xasprintf("W&B run file version %u, not 0", w->blk[6]);
				w->err = xstrdup(*cause);
				return -1;
			}
			w->header_done = true;
			w->blk_size = WB_BLOCK - WB_HEADER;
		} else {
			if (read_block(w, w->blk, w->nblk, false) < 0) {
				*cause = xstrdup(w->err);
				return -1;
			}
			w->blk_size = WB_BLOCK;
		}
		w->nblk = 0;
	}
	return 0;
}

/* End of input: the partial last block, and a record left open. */
static int wb_finish(void *state, char **cause)
{
	struct wb *w = state;
	if (w->err) {
		*cause = xstrdup(w->err);
		return -1;
	}
	if (!w->header_done) {
		*cause = xstrdup("not a W&B run file (bad header)");
		return -1;
	}
	size_t before = w->run->truncated;
	if (w->nblk && read_block(w, w->blk, w->nblk, true) < 0) {
		*cause = xstrdup(w->err);
		return -1;
	}
	if (w->in_record && w->run->truncated == before)
		w->run->truncated++;
	w->in_record = false;
	w->nblk = 0;
	return 0;
}

/* Frees the reader. */
static void wb_close(void *state)
{
	struct wb *w = state;
	if (!w)
		return;
	for (size_t i = 0; i < w->nkeys; i++)
		free(w->keys[i].name);
	free(w->keys);
	free(w->rec);
	free(w->blk);
	free(w->err);
	free(w);
}

/* The header: ":W&B", 0xBEE1 little-endian (any version: feed says
 * which it is when not 0). */
static enum reader_sniff wb_sniff(const unsigned char *head, size_t len, bool at_eof)
{
	static const unsigned char magic[6] = { ':', 'W', '&', 'B', 0xe1, 0xbe };
	size_t n = len < sizeof magic ? len : sizeof magic;
	if (memcmp(head, magic, n) != 0)
		return READER_NO;
	if (len < sizeof magic)
		return at_eof ? READER_NO : READER_MORE;
	return READER_YES;
}

/* ------------------------------------------------------------ directories */

/* The one run file (*.wandb) directly in DIR, malloc'd, or NULL. */
static char *run_file(const char *dir)
{
	DIR *d = opendir(dir);
	char *found = NULL;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < 7 || strcmp(de->d_name + n - 6, ".wandb") != 0)
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (!found || strcmp(path, found) < 0)) {
			free(found);
			found = path;
		} else {
			free(path);
		}
	}
	if (d)
		closedir(d);
	return found;
}

/* A W&B run directory: its .wandb file. */
static int wb_load_dir(struct run *run, const char *dir, char **cause)
{
	char *path = run_file(dir);
	if (!path)
		return 1;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	const char *base = strrchr(path, '/') + 1;
	int rc;
	if (fd < 0) {
		*cause = xasprintf("%s: %s", base, strerror(errno));
		rc = -1;
	} else {
		char *why = NULL;
		void *w = wb_open(run);
		unsigned char *buf = xmalloc(128 * 1024);
		for (rc = 0;;) {
			ssize_t got = read(fd, buf, 128 * 1024);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				why = xasprintf("read error: %s", strerror(errno));
				rc = -1;
			} else if (got == 0) {
				rc = wb_finish(w, &why);
			} else if (wb_feed(w, buf, (size_t)got, &why) < 0) {
				rc = -1;
			}
			if (rc < 0 || got <= 0)
				break;
		}
		if (rc < 0) {
			*cause = xasprintf("%s: %s", base, why);
			free(why);
		}
		free(buf);
		wb_close(w);
		close(fd);
	}
	free(path);
	return rc;
}

/* qsort: by name. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A run directory itself ("."), or the run directories in a wandb/
 * directory (real directories: latest-run, a symlink, is not listed twice). */
static int wb_list_runs(const char *dir, char ***rels, size_t *n, char **cause)
{
	(void)cause;
	*rels = NULL;
	*n = 0;
	char *self = run_file(dir);
	if (self) {
		free(self);
		*rels = xcalloc(1, sizeof **rels);
		(*rels)[(*n)++] = xstrdup(".");
		return 0;
	}
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *sub = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		char *f = lstat(sub, &st) == 0 && S_ISDIR(st.st_mode) ? run_file(sub) : NULL;
		if (f) {
			*rels = xreallocarray(*rels, *n + 1, sizeof **rels);
			(*rels)[(*n)++] = xstrdup(de->d_name);
		}
		free(f);
		free(sub);
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(*rels, *n, sizeof **rels, cmp_str);
	return 0;
}

const struct reader_format wandb_format = {
	.name = "wandb",
	.sniff = wb_sniff,
	.open = wb_open,
	.feed = wb_feed,
	.finish = wb_finish,
	.close = wb_close,
	.load_dir = wb_load_dir,
	.list_runs = wb_list_runs,
};
