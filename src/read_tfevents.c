/* read_tfevents.c: TensorBoard event files (events.out.tfevents.*).
 *
 * A file is a sequence of TFRecords: uint64le length, uint32le masked
 * CRC-32C of those 8 bytes, the data, uint32le masked CRC-32C of the data.
 * Each record is an Event protobuf, walked with pb.h:
 *   Event   1 wall_time double, 2 step int64, 5 summary, 7 session_log
 *   Summary 1 repeated Value
 *   Value   1 tag, 2 simple_value float, 8 tensor, 9 metadata (1
 *           plugin_data -> 1 plugin_name)
 *   Tensor  1 dtype (1 FLOAT, 2 DOUBLE), 2 shape (2 repeated dim),
 *           4 tensor_content, 5 float_val, 6 double_val (packed or not)
 *   SessionLog 1 status (1 START)
 * Only scalars are read: simple_value, or a rank-0 FLOAT or DOUBLE tensor
 * (Keras) whose plugin, when named, is "scalars".  A tag's kind is fixed
 * when it is first seen, as TensorBoard does: a tag first seen as an image
 * or a histogram stays skipped.
 *
 * Checksums: a bad length checksum means the framing is lost, so the file
 * ends there with an error naming the offset; a bad data checksum (or a
 * record whose protobuf does not parse) skips that record and counts it
 * (run->bad_records).  A file that ends mid-record is a file still being
 * written: what came before is kept and the file is counted
 * (run->truncated).
 *
 * Values: TensorBoard keeps float32; each is stored as the shortest decimal
 * that reads back as that float (0.1f as 0.1, not 0.100000001490116), so
 * the data files show no precision the log never had.  DOUBLE tensors are
 * kept as they are. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pb.h"
#include "reader.h"
#include "tagmap.h"
#include "util.h"

#define TFE_MAX_RECORD (256u << 20) /* bytes of one record, at most */
#define TFE_MAX_TAGS 4096           /* distinct tags remembered per run */
#define TFE_MAX_DEPTH 16            /* directory levels searched for runs */
_Static_assert(TFE_MAX_DEPTH + 1 <= READER_DIR_DEPTH, "--newer looks as deep as the runs are found");
#define TFE_MAX_RUNS 1000           /* runs under one directory, at most */

/* ---------------------------------------------------------------- CRC-32C */

static uint32_t crc_table[8][256]; /* slicing-by-8 tables */
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

/* Fills crc_table for the reflected Castagnoli polynomial 0x82f63b78. */
static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
}

/* CRC-32C of P[0..N) (init and final xor 0xffffffff). */
static uint32_t crc32c(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	pthread_once(&crc_once, crc_init);
	while (n >= 8) {
		uint32_t lo = c ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				   (uint32_t)p[3] << 24);
		c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		    crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][p[4]] ^
		    crc_table[2][p[5]] ^ crc_table[1][p[6]] ^ crc_table[0][p[7]];
		p += 8;
		n -= 8;
	}
	while (n--)
		c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
	return c ^ 0xffffffffu;
}

/* TFRecord's masked CRC-32C of P[0..N). */
static uint32_t masked_crc(const unsigned char *p, size_t n)
{
	uint32_t c = crc32c(p, n);
	return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

/* The uint32le at P. */
static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The uint64le at P. */
static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ----------------------------------------------------------------- values */

/* The shortest decimal that reads back as float F, as a double: for P = 1
 * to 9 significant digits, m = F rounded to P digits, m / 10^k (or
 * m * 10^-k) computed exactly rounded while 10^|k| is an exact double
 * (|k| <= 22), the first that reads back as F; else (far out of any
 * training metric's range) %.Pg and strtod. */
static double float_value(float f)
{
	static const double p10[23] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
					1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
					1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	double a = fabs((double)f);
	if (!isfinite(a) || a == 0)
		return (double)f;
	int e10 = (int)floor(log10(a)); /* a is in [10^e10, 10^(e10+1)), or
	                                   one off near a power of ten */
	for (int p = 1; p <= 9; p++) {
		int k = p - 1 - e10; /* decimals: m = a * 10^k has P digits */
		if (k < -22 || k > 22)
			break;
		double m = k >= 0 ? floor(a * p10[k] + 0.5) : floor(a / p10[-k] + 0.5);
		double d = k >= 0 ? m / p10[k] : m * p10[-k];
		if ((float)d == (float)a)
			return f < 0 ? -d : d;
	}
	char s[32];
	for (int prec = 1; prec <= 9; prec++) {
		snprintf(s, sizeof s, "%.*g", prec, (double)f);
		double d = strtod(s, NULL);
		if ((float)d == f)
			return d;
	}
	return (double)f;
}

/* ------------------------------------------------------------------- tags */

enum tag_kind { TAG_SIMPLE, TAG_TENSOR, TAG_OTHER };

struct tag {
	char *name;  /* NULL: empty slot */
	size_t len;
	enum tag_kind kind;
	int col;     /* run column, or -1 (dropped, or no room) */
};

/* One event file reader; a run's files are read one after another by the
 * same state, so tags keep their kind and column across them. */
struct tfe {
	struct run *run;         /* borrowed */
	bool eval;               /* Keras validation/: tags are eval columns */
	unsigned char *buf;      /* bytes of a record not complete yet */
	size_t len, cap;
	uint64_t off;            /* file offset of buf[0] (or of the next byte) */
	const char *file;        /* name in messages, or NULL */
	char *err;               /* the error once failed */
	int time_col;
	struct tag *tags;        /* open addressing, ntags_cap slots */
	size_t ntags, ntags_cap;
	/* The scalars of the event being read. */
	struct scalar {
		struct tag *tag;
		double v;
	} *vals;
	size_t nvals, vals_cap;
};

/* FNV-1a of S[0..N). */
static size_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211u;
	return (size_t)h;
}

/* The slot of tag NAME[0..N) (empty when new). */
static struct tag *tag_slot(struct tfe *t, const char *name, size_t n)
{
	size_t i = hash(name, n) & (t->ntags_cap - 1);
	while (t->tags[i].name && !(t->tags[i].len == n && memcmp(t->tags[i].name, name, n) == 0))
		i = (i + 1) & (t->ntags_cap - 1);
	return &t->tags[i];
}

/* Doubles the tag table. */
static void tags_grow(struct tfe *t)
{
	struct tag *old = t->tags;
	size_t oldcap = t->ntags_cap;
	t->ntags_cap = oldcap ? oldcap * 2 : 64;
	t->tags = xcalloc(t->ntags_cap, sizeof *t->tags);
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].name)
			*tag_slot(t, old[i].name, old[i].len) = old[i];
	free(old);
}

/* The tag NAME[0..N), added with KIND when new; NULL when the table is full
 * (the value is then ignored). */
static struct tag *tag_get(struct tfe *t, const char *name, size_t n, enum tag_kind kind)
{
	if (t->ntags_cap == 0 || (t->ntags + 1) * 2 > t->ntags_cap)
		tags_grow(t);
	struct tag *g = tag_slot(t, name, n);
	if (g->name)
		return g;
	if (t->ntags >= TFE_MAX_TAGS)
		return NULL;
	g->name = xmalloc(n + 1); /* the bytes as they are, NULs and all */
	memcpy(g->name, name, n);
	g->name[n] = '\0';
	g->len = n;
	g->kind = kind;
	g->col = -1;
	if (kind != TAG_OTHER) {
		char *col = tagmap_column(name, n, t->eval);
		if (col) {
			g->col = run_col(t->run, col);
			if (g->col < 0)
				t->run->ignored_fields++;
		}
		free(col);
	}
	t->ntags++;
	return g;
}

/* ---------------------------------------------------------------- protobuf */

/* Is the plugin named in SummaryMetadata M[0..N) absent or "scalars"?
 * -1 when malformed. */
static int scalar_plugin(const unsigned char *m, size_t n)
{
	struct pb_reader r = pb_reader_of(m, n);
	struct pb_field f;
	int rc, ok = 1;
	while ((rc = pb_next(&r, &f)) > 0) {
		if (f.num != 1 || f.wire != PB_LEN)
			continue;
		struct pb_reader pd = pb_reader_of(f.p, f.len);
		struct pb_field g;
		while ((rc = pb_next(&pd, &g)) > 0)
			if (g.num == 1 && g.wire == PB_LEN)
				ok = g.len == 7 && memcmp(g.p, "scalars", 7) == 0;
		if (rc < 0)
			return -1;
	}
	return rc < 0 ? -1 : ok;
}

/* The value of a rank-0 FLOAT or DOUBLE TensorProto T[0..N) into *V.
 * Returns 1, 0 when the tensor is no such scalar, -1 when malformed. */
static int tensor_scalar(const unsigned char *t, size_t n, double *v)
{
	struct pb_reader r = pb_reader_of(t, n);
	struct pb_field f;
	uint64_t dtype = 0;
	bool rank0 = true, have = false;
	const unsigned char *content = NULL;
	size_t ncontent = 0;
	uint64_t fbits = 0, dbits = 0;
	bool have_f = false, have_d = false;
	int rc;
	while ((rc = pb_next(&r, &f)) > 0) {
		switch (f.num) {
		case 1:
			if (f.wire == PB_VARINT)
				dtype = f.u;
			break;
		case 2:
			if (f.wire == PB_LEN) {
				struct pb_reader s = pb_reader_of(f.p, f.len);
				struct pb_field d;
				int rs;
				while ((rs = pb_next(&s, &d)) > 0)
					if (d.num == 2)
						rank0 = false;
				if (rs < 0)
					return -1;
			}
			break;
		case 4:
			if (f.wire == PB_LEN) {
				content = f.p;
				ncontent = f.len;
			}
			break;
		case 5: /* float_val, packed or not: the first element */
			if (f.wire == PB_I32 && !have_f) {
				fbits = f.u;
				have_f = true;
			} else if (f.wire == PB_LEN && f.len >= 4 && !have_f) {
				fbits = le32(f.p);
				have_f = true;
			}
			break;
		case 6: /* double_val */
			if (f.wire == PB_I64 && !have_d) {
				dbits = f.u;
				have_d = true;
			} else if (f.wire == PB_LEN && f.len >= 8 && !have_d) {
				dbits = le64(f.p);
				have_d = true;
			}
			break;
		default:
			break;
		}
	}
	if (rc < 0)
		return -1;
	if (!rank0)
		return 0;
	if (dtype == 1) { /* DT_FLOAT */
		if (have_f) {
			*v = float_value(pb_float(fbits));
			have = true;
		} else if (content && ncontent == 4) {
			*v = float_value(pb_float(le32(content)));
			have = true;
		}
	} else if (dtype == 2) { /* DT_DOUBLE */
		if (have_d) {
			*v = pb_double(dbits);
			have = true;
		} else if (content && ncontent == 8) {
			*v = pb_double(le64(content));
			have = true;
		}
	}
	return have;
}

/* Adds the scalar of tag G, value V, to the event's list. */
static void push_scalar(struct tfe *t, struct tag *g, double v)
{
	if (t->nvals == t->vals_cap) {
		t->vals_cap = t->vals_cap ? t->vals_cap * 2 : 16;
		t->vals = xreallocarray(t->vals, t->vals_cap, sizeof *t->vals);
	}
	t->vals[t->nvals].tag = g;
	t->vals[t->nvals].v = v;
	t->nvals++;
}

/* Reads one Summary.Value V[0..N) into the event's scalars; -1 when
 * malformed. */
static int read_value(struct tfe *t, const unsigned char *v, size_t n)
{
	struct pb_reader r = pb_reader_of(v, n);
	struct pb_field f;
	const unsigned char *tag = NULL, *tensor = NULL, *meta = NULL;
	size_t ntag = 0, ntensor = 0, nmeta = 0;
	bool simple = false, other = false;
	float sv = 0;
	int rc;
	while ((rc = pb_next(&r, &f)) > 0) {
		if (f.num == 1 && f.wire == PB_LEN) {
			tag = f.p;
			ntag = f.len;
		} else if (f.num == 2 && f.wire == PB_I32) {
			sv = pb_float(f.u);
			simple = true;
		} else if (f.num == 8 && f.wire == PB_LEN) {
			tensor = f.p;
			ntensor = f.len;
		} else if (f.num == 9 && f.wire == PB_LEN) {
			meta = f.p;
			nmeta = f.len;
		} else if (f.num >= 3 && f.num <= 6) { /* image, histo, audio... */
			other = true;
		}
	}
	if (rc < 0 || !tag)
		return rc < 0 ? -1 : 0;
	double x = NAN;
	enum tag_kind kind = TAG_OTHER;
	if (simple && !other) {
		kind = TAG_SIMPLE;
		x = float_value(sv);
	} else if (tensor && !other) {
		int plug = meta ? scalar_plugin(meta, nmeta) : 1;
		int ts = plug < 0 ? -1 : plug ? tensor_scalar(tensor, ntensor, &x) : 0;
		if (ts < 0)
			return -1;
		if (ts > 0)
			kind = TAG_TENSOR;
	}
	struct tag *g = tag_get(t, (const char *)tag, ntag, kind);
	if (!g) {
		t->run->ignored_fields++;
		return 0;
	}
	if (g->kind != kind || kind == TAG_OTHER || g->col < 0)
		return 0;
	push_scalar(t, g, x);
	return 0;
}

/* Reads one Event E[0..N) into the run.  Returns 0 (a malformed event is
 * counted and skipped), or -1 with t->err (the run is full). */
static int read_event(struct tfe *t, const unsigned char *e, size_t n)
{
	struct pb_reader r = pb_reader_of(e, n);
	struct pb_field f;
	double wall = NAN, step = 0;
	const unsigned char *sum = NULL;
	size_t nsum = 0;
	bool start = false;
	int rc;
	while ((rc = pb_next(&r, &f)) > 0) {
		if (f.num == 1 && f.wire == PB_I64) {
			wall = pb_double(f.u);
		} else if (f.num == 2 && f.wire == PB_VARINT) {
			step = (double)(int64_t)f.u;
		} else if (f.num == 5 && f.wire == PB_LEN) {
			sum = f.p;
			nsum = f.len;
		} else if (f.num == 7 && f.wire == PB_LEN) {
			struct pb_reader s = pb_reader_of(f.p, f.len);
			struct pb_field g;
			int rs;
			while ((rs = pb_next(&s, &g)) > 0)
				if (g.num == 1 && g.wire == PB_VARINT)
					start = g.u == 1;
			if (rs < 0)
				rc = -1;
			if (rc < 0)
				break;
		}
	}
	t->nvals = 0;
	if (rc >= 0 && sum) {
		struct pb_reader s = pb_reader_of(sum, nsum);
		struct pb_field g;
		while ((rc = pb_next(&s, &g)) > 0)
			if (g.num == 1 && g.wire == PB_LEN && read_value(t, g.p, g.len) < 0) {
				rc = -1;
				break;
			}
	}
	if (rc < 0) {
		t->run->bad_records++;
		return 0;
	}
	if (start)
		run_drop_from(t->run, step);
	if (t->nvals == 0)
		return 0;
	/* add_scalar writes an event per tag: one row per step holds them. */
	struct run *run = t->run;
	bool reuse = run->nrows > 0 && run->cols[0][run->nrows - 1] == step;
	for (size_t i = 0; reuse && i < t->nvals; i++)
		reuse = isnan(run->cols[t->vals[i].tag->col][run->nrows - 1]);
	if (!reuse && run_add_row(run, step, &t->err) < 0)
		return -1;
	if (isfinite(wall) && wall > 0) {
		if (t->time_col < 0)
			t->time_col = run_col(t->run, COL_TIME);
		run_set(t->run, t->time_col, wall);
	}
	for (size_t i = 0; i < t->nvals; i++) {
		if (isfinite(t->vals[i].v))
			run_set(t->run, t->vals[i].tag->col, t->vals[i].v);
		else
			t->run->nonfinite++;
	}
	return 0;
}

/* ------------------------------------------------------------------ records */

/* The error at file offset OFF: "[FILE: ]WHAT at offset OFF". */
static void fail_at(struct tfe *t, const char *what, uint64_t off)
{
	if (t->file)
		t->err = xasprintf("%s: %s at offset %llu", t->file, what, (unsigned long long)off);
	else
		t->err = xasprintf("%s at offset %llu", what, (unsigned long long)off);
}

/* Reads the whole records of P[0..N), which start at t->off.  Returns the
 * bytes used, or -1 with t->err. */
static long long read_records(struct tfe *t, const unsigned char *p, size_t n)
{
	size_t pos = 0;
	while (n - pos >= 12) {
		const unsigned char *h = p + pos;
		uint64_t len = le64(h);
		if (masked_crc(h, 8) != le32(h + 8)) {
			fail_at(t, "bad length checksum", t->off);
			return -1;
		}
		if (len > TFE_MAX_RECORD) {
			fail_at(t, "record too large", t->off);
			return -1;
		}
		if (n - pos - 12 < len + 4)
			break;
		if (masked_crc(h + 12, (size_t)len) != le32(h + 12 + len))
			t->run->bad_records++;
		else if (read_event(t, h + 12, (size_t)len) < 0)
			return -1;
		pos += 16 + (size_t)len;
		t->off += 16 + len;
	}
	return (long long)pos;
}

/* Opens a reader for RUN; EVAL: tags are evaluation metrics. */
static struct tfe *tfe_new(struct run *run, bool eval)
{
	struct tfe *t = xcalloc(1, sizeof *t);
	t->run = run;
	t->eval = eval;
	t->time_col = -1;
	return t;
}

/* Pushes bytes of the current file.  0, or -1 with *cause. */
static int tfe_feed(void *state, const void *buf, size_t len, char **cause)
{
	struct tfe *t = state;
	if (t->err) {
		*cause = xstrdup(t->err);
		return -1;
	}
	const unsigned char *p = buf;
	if (t->len == 0) {
		long long used = read_records(t, p, len);
		if (used < 0) {
			*cause = xstrdup(t->err);
			return -1;
		}
		p += used;
		len -= (size_t)used;
		if (len == 0)
			return 0;
	}
	if (t->len + len > t->cap) {
		t->cap = t->len + len > 2 * t->cap ? t->len + len : 2 * t->cap;
		t->buf = xrealloc(t->buf, t->cap);
	}
	memcpy(t->buf + t->len, p, len);
	t->len += len;
	long long used = read_records(t, t->buf, t->len);
	if (used < 0) {
		*cause = xstrdup(t->err);
		return -1;
	}
	memmove(t->buf, t->buf + used, t->len - (size_t)used);
	t->len -= (size_t)used;
	return 0;
}

/* End of the current file: a partial record is counted, not an error. */
static int tfe_finish(void *state, char **cause)
{
	struct tfe *t = state;
	if (t->err) {
		*cause = xstrdup(t->err);
		return -1;
	}
	if (t->len)
		t->run->truncated++;
	t->len = 0;
	t->off = 0;
	return 0;
}

/* Frees the reader. */
static void tfe_close(void *state)
{
	struct tfe *t = state;
	if (!t)
		return;
	for (size_t i = 0; i < t->ntags_cap; i++)
		free(t->tags[i].name);
	free(t->tags);
	free(t->vals);
	free(t->buf);
	free(t->err);
	free(t);
}

/* reader_format.open. */
static void *tfe_open(struct run *run)
{
	return tfe_new(run, false);
}

/* The first 12 bytes: a record length with a valid masked CRC-32C. */
static enum reader_sniff tfe_sniff(const unsigned char *head, size_t len, bool at_eof)
{
	if (len < 12)
		return at_eof ? READER_NO : READER_MORE;
	return masked_crc(head, 8) == le32(head + 8) ? READER_YES : READER_NO;
}

/* ------------------------------------------------------------ directories */

/* Is NAME an event file's name ("tfevents" in it, as TensorBoard asks)? */
static bool event_name(const char *name)
{
	return name[0] != '.' && strstr(name, "tfevents") != NULL;
}

/* qsort: by name. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The event files directly in DIR (regular files), sorted by name; *N of
 * them.  NULL when none (or DIR cannot be read). */
static char **event_files(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	*n = 0;
	if (!d)
		return NULL;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!event_name(de->d_name))
			continue;
		char *path = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		bool reg = stat(path, &st) == 0 && S_ISREG(st.st_mode);
		free(path);
		if (!reg)
			continue;
		names = xreallocarray(names, *n + 1, sizeof *names);
		names[(*n)++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof *names, cmp_str);
	return names;
}

/* Frees N strings and their array. */
static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Reads the event files of DIR/SUB (SUB "" for DIR itself) into RUN, in
 * name order, through one reader (EVAL for validation/).  Returns 0, 1
 * when there are none, -1 with *cause ("FILE: ..."). */
static int read_event_dir(struct run *run, const char *dir, const char *sub, bool eval, char **cause)
{
	char *path = *sub ? xasprintf("%s/%s", dir, sub) : xstrdup(dir);
	size_t n;
	char **names = event_files(path, &n);
	int rc = n ? 0 : 1;
	struct tfe *t = tfe_new(run, eval);
	unsigned char *buf = n ? xmalloc(128 * 1024) : NULL;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *file = xasprintf("%s%s%s", sub, *sub ? "/" : "", names[i]);
		char *fp = xasprintf("%s/%s", path, names[i]);
		int fd = open(fp, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		free(fp);
		t->file = file;
		if (fd < 0) {
			*cause = xasprintf("%s: %s", file, strerror(errno));
			rc = -1;
		}
		while (rc == 0) {
			ssize_t got = read(fd, buf, 128 * 1024);
			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				*cause = xasprintf("%s: read error: %s", file, strerror(errno));
				rc = -1;
			} else if (got == 0) {
				rc = tfe_finish(t, cause);
				break;
			} else {
				rc = tfe_feed(t, buf, (size_t)got, cause);
			}
		}
		if (fd >= 0)
			close(fd);
		t->file = NULL;
		free(file);
	}
	free(buf);
	tfe_close(t);
	free_strv(names, n);
	free(path);
	return rc;
}

/* A TensorBoard run directory: its own event files, or (none there) the
 * Keras pair train/ + validation/, validation tags as eval columns. */
static int tfe_load_dir(struct run *run, const char *dir, char **cause)
{
	int rc = read_event_dir(run, dir, "", false, cause);
	if (rc <= 0)
		return rc;
	int rt = read_event_dir(run, dir, "train", false, cause);
	if (rt < 0)
		return -1;
	int rv = read_event_dir(run, dir, "validation", true, cause);
	if (rv < 0)
		return -1;
	run_sort_rows(run); /* validation's epochs start over */
	return rt == 0 || rv == 0 ? 0 : 1;
}

/* A growing list of relative paths. */
struct pathlist {
	char **v;
	size_t n;
};

/* Adds the runs under DIR/REL (REL "" for DIR) to L, DEPTH levels down:
 * a directory holding event files is a run.  -1 with *cause past
 * TFE_MAX_RUNS. */
static int find_runs(const char *dir, const char *rel, int depth, struct pathlist *l, char **cause)
{
	char *path = *rel ? xasprintf("%s/%s", dir, rel) : xstrdup(dir);
	size_t nf;
	char **files = event_files(path, &nf);
	free_strv(files, nf);
	if (nf) {
		if (l->n >= TFE_MAX_RUNS) {
			*cause = xasprintf("more than %d runs in the directory", TFE_MAX_RUNS);
			free(path);
			return -1;
		}
		l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
		l->v[l->n++] = xstrdup(*rel ? rel : ".");
	}
	DIR *d = depth < TFE_MAX_DEPTH ? opendir(path) : NULL;
	int rc = 0;
	struct dirent *de;
	while (d && rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		/* Real directories only: a symlink loop never recurses. */
		char *sub = xasprintf("%s/%s", path, de->d_name);
		struct stat st;
		bool isdir = lstat(sub, &st) == 0 && S_ISDIR(st.st_mode);
		free(sub);
		if (!isdir)
			continue;
		char *r2 = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		rc = find_runs(dir, r2, depth + 1, l, cause);
		free(r2);
	}
	if (d)
		closedir(d);
	free(path);
	return rc;
}

/* Is S (a relative path in L) a Keras half, P/train or P/validation, whose
 * parent P is no run itself?  *PLEN: P's length (0 for the top). */
static bool keras_half(const struct pathlist *l, const char *s, size_t *plen)
{
	const char *slash = strrchr(s, '/');
	const char *base = slash ? slash + 1 : s;
	if (strcmp(base, "train") != 0 && strcmp(base, "validation") != 0)
		return false;
	*plen = slash ? (size_t)(slash - s) : 0;
	for (size_t i = 0; i < l->n; i++) {
		bool parent = *plen ? strlen(l->v[i]) == *plen && memcmp(l->v[i], s, *plen) == 0
				    : strcmp(l->v[i], ".") == 0;
		if (parent)
			return false;
	}
	return true;
}

/* The runs under DIR, as TensorBoard lists them (see reader.h). */
static int tfe_list_runs(const char *dir, char ***rels, size_t *n, char **cause)
{
	struct pathlist l = { NULL, 0 };
	if (find_runs(dir, "", 0, &l, cause) < 0) {
		free_strv(l.v, l.n);
		return -1;
	}
	/* Keras's train/ and validation/ are one run: their parent. */
	struct pathlist out = { NULL, 0 };
	for (size_t i = 0; i < l.n; i++) {
		size_t plen;
		char *r = keras_half(&l, l.v[i], &plen) ? (plen ? xstrndup(l.v[i], plen) : xstrdup("."))
							 : xstrdup(l.v[i]);
		bool dup = false;
		for (size_t k = 0; k < out.n; k++)
			dup |= strcmp(out.v[k], r) == 0;
		if (dup) {
			free(r);
			continue;
		}
		out.v = xreallocarray(out.v, out.n + 1, sizeof *out.v);
		out.v[out.n++] = r;
	}
	free_strv(l.v, l.n);
	if (out.n)
		qsort(out.v, out.n, sizeof *out.v, cmp_str);
	*rels = out.v;
	*n = out.n;
	return 0;
}

const struct reader_format tfevents_format = {
	.name = "tfevents",
	.sniff = tfe_sniff,
	.open = tfe_open,
	.feed = tfe_feed,
	.finish = tfe_finish,
	.close = tfe_close,
	.load_dir = tfe_load_dir,
	.list_runs = tfe_list_runs,
	/* An event file is named after its run directory, as TensorBoard names runs. */
	.label_dir = true,
};
