/* options.c: the command line (GNU argp) and the environment.  Top level:
 * usage errors print and exit 64 through argp_error(). */
#include "config.h"

#include "options.h"

#include <argp.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "index.h"
#include "report.h"
#include "text.h"
#include "util.h"

const char *argp_program_version = PACKAGE_NAME "-plot " PACKAGE_VERSION;
const char *argp_program_bug_address = NULL;

static const char doc[] =
	"Compare training runs in gnuplot.\v"
	"A JOB is a metrics file (the platform's JSON answer, a JSON array of "
	"metric points, JSON Lines, a Hugging Face trainer_state.json, "
	"LLaMA-Factory's trainer_log.jsonl, or a CSV/TSV with a header naming "
	"a step: Lightning's or Keras' CSVLogger), a run's directory (a "
	"Hugging Face output or checkpoint-N, lightning_logs/version_N) or a "
	"directory of such runs (lightning_logs/, a sweep's output/: one job each), "
	"'-' for stdin, an http(s):// or file:// "
	"URL, a run on an MLflow tracking server "
	"(mlflow+http://HOST:PORT/#RUN_ID, or the MLflow UI's URL of a run, of an "
	"experiment or of its compare page with mlflow+ in front: #/runs/RUN_ID, "
	"#/experiments/EXP/runs/RUN_ID, #/experiments/EXP or a tab of its page, "
	"#/experiments/EXP/runs, for its runs, #/compare-runs?runs=[...] for the "
	"runs it lists), or a job id on the training platform's API (--url). Write "
	"LABEL=JOB to set a job's legend label.\n\n"
	"Where the chart goes: with -o FILE gnuplot renders it (the terminal "
	"follows the extension: .png .svg .pdf .eps .txt .html; .gp writes the "
	"script). Without -o, a script for gnuplot goes to stdout when stdout "
	"is not a terminal (trcompare-plot JOBS | gnuplot); on a terminal a "
	"gnuplot window opens when a display is available, else a text chart "
	"is drawn.\n\n"
	"Environment: TRCOMPARE_URL (API base URL, http:// or https://), "
	"TRCOMPARE_TOKEN (API token, sent as a Bearer token to the API's origin "
	"only, and to --token-for origins), TRCOMPARE_GNUPLOT (the gnuplot to "
	"run, always with -d first (no init files); for -o it is started as "
	"PROGRAM -d /dev/stdin while the jobs are read and given the script on "
	"its stdin).\n\n"
	"Exit status: 0 success; 1 data or runtime error (bad input, no data, "
	"output not writable, gnuplot failed); 2 a job could not be fetched; "
	"64 usage error.";

static const char args_doc[] = "JOB...";

enum {
	OPT_SIZE = 256, OPT_DATA, OPT_COLORS, OPT_TITLE, OPT_URL, OPT_ENDPOINT,
	OPT_TOKEN_FILE, OPT_API_KEY_HEADER, OPT_NETRC, OPT_CACERT, OPT_INSECURE,
	OPT_PARALLEL, OPT_RETRY, OPT_CONNECT_TIMEOUT, OPT_MAX_TIME,
	OPT_MAX_FILESIZE, OPT_KEEP_GOING, OPT_LIST_JOBS, OPT_STATUS, OPT_LATEST,
	OPT_FORMAT, OPT_SMOOTH, OPT_MAX_POINTS, OPT_IGNORE_OUTLIERS, OPT_LOGY,
	OPT_XRANGE, OPT_YRANGE, OPT_GNUPLOT_TIMEOUT, OPT_TOKEN_FOR, OPT_WIDTH,
	OPT_SUMMARY_OUTPUT, OPT_BATCH, OPT_NEWER, OPT_SHARD, OPT_INDEX,
	OPT_REPORT, OPT_BASELINE, OPT_REPORT_IMAGES,
	OPT_WATCH_FOREVER,
	OPT_LIST_METRICS, OPT_ALIAS,
};

static const struct argp_option option_table[] = {
	{NULL, 0, NULL, 0, "Output:", 1},
	{"output", 'o', "FILE", 0, "Render the chart to FILE (terminal from the extension), or write the script to FILE.gp; repeat it for several outputs of the one chart; '-': the script (with -t, the rendered chart) to stdout", 1},
	{"terminal", 't', "NAME", 0, "gnuplot terminal (pngcairo, svg, pdfcairo, epscairo, dumb, canvas, qt, ...)", 1},
	{"size", OPT_SIZE, "W,H", 0, "Chart size: pixels (png, svg, html), characters (dumb), or inches with 'in' (pdf, eps: 10in,6.5in)", 1},
	{"data-dir", 'd', "DIR", 0, "Write one tidy data file per job and DIR/compare.gp that plots them", 1},
	{"data", OPT_DATA, NULL, 0, "Write the tidy data to stdout (one gnuplot index block per job)", 1},
	{"summary", 'S', "FORMAT", OPTION_ARG_OPTIONAL, "Print the summary table: text (default), markdown, csv or json", 1},
	{"summary-output", OPT_SUMMARY_OUTPUT, "FILE", 0, "Write the summary table (-S, default text) to FILE instead of stdout", 1},
	{"report", OPT_REPORT, "FILE", 0, "Write a report: FILE.html a self-contained page (interactive charts, the summary, each job's details, the command that made it), FILE.md GitHub Markdown with the charts beside it", 1},
	{"report-images", OPT_REPORT_IMAGES, "FORMAT", 0, "Charts of a Markdown report: png (default) or svg", 1},
	{"baseline", OPT_BASELINE, "JOB", 0, "Add each job's deltas against JOB (a JOB as given, or its LABEL) to the summary and the report: final and best eval loss, perplexity (%), gap, score", 1},
	{"width", OPT_WIDTH, "N", 0, "Fit the text summary into N columns (default: the terminal's width when stdout is one, else no limit; 0: no limit)", 1},
	{"metrics", 'm', "LIST", 0, "Panels, comma-separated (default: loss,perplexity,lr,grad_norm; also throughput, gpu_memory, gpu_util, or any column name)", 1},
	{"colors", OPT_COLORS, "LIST", 0, "Job colours, comma-separated #rrggbb (default: #2563eb,#16a34a,#dc2626,#9333ea,#ea580c,...)", 1},
	{"title", OPT_TITLE, "TEXT", 0, "Title above the chart", 1},
	{"quiet", 'q', NULL, 0, "Do not print warnings", 1},
	{"verbose", 'v', NULL, 0, "Say what is being done (never shows the token)", 1},
	{"gnuplot-timeout", OPT_GNUPLOT_TIMEOUT, "SECONDS", 0, "Stop a gnuplot that has not finished drawing after SECONDS (default 300; 0: no limit; a window is never stopped)", 1},
	{"watch", 'w', "SECONDS", OPTION_ARG_OPTIONAL, "Follow running jobs: read them again every SECONDS (default 2; 10 with API jobs or URLs; at least 0.2) and redraw -o FILE (and -d DIR), a window (a zoomed single-panel chart keeps its zoom; a in the window: the chart's ranges; closing it ends the watch, status 0), or a text chart or -S on the terminal in place, whenever a job changed (a directory of runs or an MLflow experiment is listed again each round: new runs join, runs gone leave); a status line (last read, rows per job, jobs still running) on stderr when it is a terminal, and in a window's title; written -w5 or --watch=5", 1},
	{"watch-forever", OPT_WATCH_FOREVER, NULL, 0, "With --watch: go on when every API job has finished (default: draw once more and exit 0)", 1},

	{NULL, 0, NULL, 0, "Chart:", 2},
	{"x-axis", 'x', "AXIS", 0, "x axis: step (default), epoch, time (wall clock) or relative (time since each job's first row)", 2},
	{"smooth", OPT_SMOOTH, "W", 0, "Smooth train-like series with TensorBoard's EMA, 0 <= W < 1 (default 0: off; 0.6 is TensorBoard's default); the raw line stays faded behind", 2},
	{"max-points", OPT_MAX_POINTS, "N", 0, "Points per drawn series (default: 12 per pixel column of the panel; 0 keeps all)", 2},
	{"ignore-outliers", OPT_IGNORE_OUTLIERS, NULL, 0, "y ranges from the 5th-95th percentile with a margin", 2},
	{"logy", OPT_LOGY, "PANELS", 0, "Log-scale y for these panels (comma-separated; perplexity is log by default)", 2},
	{"xrange", OPT_XRANGE, "MIN:MAX", 0, "x range of every panel (either side may be empty)", 2},
	{"yrange", OPT_YRANGE, "PANEL=MIN:MAX,...", 0, "y range per panel", 2},

	{NULL, 0, NULL, 0, "Training platform API:", 3},
	{"url", OPT_URL, "URL", 0, "API base URL, http:// or https:// (default: $TRCOMPARE_URL)", 3},
	{"endpoint", OPT_ENDPOINT, "PATH", 0, "Metrics path template, {id} = job id (default: /api/training/local/{id}/metrics)", 3},
	{"token-file", OPT_TOKEN_FILE, "FILE", 0, "Read the API token from FILE (default: $TRCOMPARE_TOKEN)", 3},
	{"api-key-header", OPT_API_KEY_HEADER, NULL, 0, "Send the token as 'X-API-Key' instead of 'Authorization: Bearer'", 3},
	{"token-for", OPT_TOKEN_FOR, "ORIGIN", 0, "Send the token to URLs on ORIGIN (https://host[:port]) too; repeatable (default: only to the --url origin)", 3},
	{"netrc", OPT_NETRC, NULL, 0, "Use credentials from ~/.netrc", 3},
	{"cacert", OPT_CACERT, "FILE", 0, "CA certificates to verify the server with", 3},
	{"insecure", OPT_INSECURE, NULL, 0, "Do not verify the server's TLS certificate", 3},
	{"parallel", OPT_PARALLEL, "N", 0, "Transfers at once (default 5)", 3},
	{"retry", OPT_RETRY, "N", 0, "Retries on connection failures, timeouts, 429 and 5xx (default 2)", 3},
	{"connect-timeout", OPT_CONNECT_TIMEOUT, "SECONDS", 0, "Connection timeout (default 10)", 3},
	{"max-time", OPT_MAX_TIME, "SECONDS", 0, "Time limit per transfer (default 300)", 3},
	{"max-filesize", OPT_MAX_FILESIZE, "BYTES", 0, "Refuse larger answers (default 256M; suffixes K, M, G)", 3},
	{"keep-going", 'k', NULL, 0, "Draw the jobs that loaded even if others failed (still exits 2)", 3},
	{"list-jobs", OPT_LIST_JOBS, NULL, 0, "List the platform's jobs and exit", 3},
	{"status", OPT_STATUS, "LIST", 0, "Only jobs with these statuses (--list-jobs, --latest; the runs of an MLflow store or experiment)", 3},
	{"latest", OPT_LATEST, "N", 0, "Compare the N newest jobs from the job list (with --watch: picked again every round, so new jobs join)", 3},
	{"format", OPT_FORMAT, "FORMAT", 0, "Output format of --list-jobs: text (default), csv or json", 3},
	{"alias", OPT_ALIAS, "FROM=TO,...", 0, "Read a source's column or tag FROM (its name as logged) as TO, e.g. val/loss=eval_loss; repeatable", 3},
	{"list-metrics", OPT_LIST_METRICS, NULL, 0, "Read the JOBs, list each one's columns (rows with a value, first and last step, the panel that draws it) and parameters, and exit", 3},

	{NULL, 0, NULL, 0, "Batch:", 4},
	{"batch", OPT_BATCH, "MANIFEST", 0, "Make every comparison of MANIFEST ('-': stdin), one per line written as its command line (options and JOBs; each names its outputs); options given here are every line's defaults", 4},
	{"jobs", 'j', "N", 0, "--batch: gnuplot processes drawing at once (default: the number of online cores; at most 64)", 4},
	{"newer", OPT_NEWER, NULL, 0, "--batch: skip a line whose outputs are all newer than its local inputs", 4},
	{"shard", OPT_SHARD, "K/N", 0, "--batch: only every N-th line, starting with line K (1 <= K <= N)", 4},
	{"index", OPT_INDEX, "FILE", 0, "--batch: write FILE (.md or .html), a page linking every chart with its summary table", 4},

	{NULL, 0, NULL, 0, "Informational:", -1},
	{0},
};

/* Reports a usage error.  argp prints it and exits 64, unless parsing
 * with ARGP_NO_EXIT (the fuzz target), where the error is returned. */
#define USAGE(state, ...)                       \
	do {                                    \
		usage_error(state, __VA_ARGS__); \
		return EINVAL;                   \
	} while (0)

/* options_parse_line: the first usage message, and the argv index at
 * fault (-1: unknown). */
static bool capturing;
static int pending_line_start;
static bool at_end; /* ARGP_KEY_END: no one argument is at fault */
static char *captured;
static int captured_idx;

/* argp_error with the message sanitized: it quotes what the user typed. */
static void usage_error(const struct argp_state *state, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void usage_error(const struct argp_state *state, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = text_sanitize(raw, strlen(raw), 0, "");
	if (capturing && !captured) {
		captured = xstrdup(msg);
		captured_idx = state->next > 1 && !at_end ? state->next - 1 : -1;
	}
	argp_error(state, "%s", msg);
	free(msg);
	free(raw);
}

/* Parses a whole decimal integer in [lo, hi] into *out. */
static error_t parse_long(struct argp_state *state, const char *opt, const char *arg, long lo,
			  long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < lo || v > hi)
		USAGE(state, "%s: '%s' is not a whole number from %ld to %ld", opt, arg, lo, hi);
	*out = v;
	return 0;
}

/* Parses a byte count with an optional K/M/G suffix. */
static error_t parse_bytes(struct argp_state *state, const char *arg, long long *out)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	double mult = 1;
	if (end != arg && *end) {
		switch (toupper((unsigned char)*end)) {
		case 'K': mult = 1024.0; break;
		case 'M': mult = 1024.0 * 1024; break;
		case 'G': mult = 1024.0 * 1024 * 1024; break;
		default: mult = 0;
		}
		if (mult && end[1] && !(toupper((unsigned char)end[1]) == 'B' && !end[2]))
			mult = 0;
	}
	if (errno || end == arg || mult == 0 || !(v >= 1) || v * mult > 1e15)
		USAGE(state, "--max-filesize: '%s' is not a size (like 500M)", arg);
	*out = (long long)(v * mult);
	return 0;
}

/* Reads the token from FILE: first line, surrounding white space removed. */
static error_t read_token_file(struct argp_state *state, const char *path, char **out)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		USAGE(state, "--token-file: %s: %s", path, strerror(errno));
	struct buf b = {0};
	char chunk[512];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0 && b.len < 65536)
		buf_append(&b, chunk, n);
	bool bad = ferror(fp);
	fclose(fp);
	if (bad) {
		buf_free(&b);
		USAGE(state, "--token-file: %s: read error", path);
	}
	char *s = b.data ? b.data : xstrdup("");
	size_t len = b.data ? b.len : 0;
	char *nl = memchr(s, '\n', len);
	if (nl)
		len = (size_t)(nl - s);
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	size_t start = 0;
	while (start < len && isspace((unsigned char)s[start]))
		start++;
	*out = xstrndup(s + start, len - start);
	free(s);
	return 0;
}

/* A token must be one printable line: anything else could forge headers. */
static bool token_ok(const char *t)
{
	if (!*t)
		return false;
	for (const unsigned char *p = (const unsigned char *)t; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Splits a comma-separated list into a NULL-terminated array. */
static char **split_list(const char *s, size_t *n)
{
	size_t cap = 4, k = 0;
	char **v = xmalloc(cap * sizeof *v);
	const char *p = s;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (k + 2 > cap)
			v = xreallocarray(v, cap *= 2, sizeof *v);
		v[k++] = xstrndup(p, len);
		if (!comma)
			break;
		p = comma + 1;
	}
	v[k] = NULL;
	*n = k;
	return v;
}

/* True for "#rrggbb". */
static bool color_ok(const char *c)
{
	if (strlen(c) != 7 || c[0] != '#')
		return false;
	for (int i = 1; i < 7; i++)
		if (!isxdigit((unsigned char)c[i]))
			return false;
	return true;
}

/* Parses "W,H" or "WxH" with an optional unit ("in", "cm") on each side. */
static error_t parse_size(struct argp_state *state, struct options *o, const char *arg)
{
	char *end;
	double w = strtod(arg, &end);
	double scale = 1;
	if (strncmp(end, "in", 2) == 0) {
		scale = 100;
		end += 2;
	} else if (strncmp(end, "cm", 2) == 0) {
		scale = 100 / 2.54;
		end += 2;
	}
	if (end == arg || (*end != ',' && *end != 'x'))
		USAGE(state, "--size: '%s' is not W,H", arg);
	const char *hs = end + 1;
	double h = strtod(hs, &end);
	/* A unit given once ("10,6.5in" or "10in,6.5") applies to both. */
	if (strcmp(end, "in") == 0 || strcmp(end, "cm") == 0) {
		if (scale == 1)
			scale = end[0] == 'i' ? 100 : 100 / 2.54;
		end += 2;
	}
	if (end == hs || *end)
		USAGE(state, "--size: '%s' is not W,H", arg);
	w *= scale;
	h *= scale;
	if (!(w >= 10 && w <= 20000 && h >= 5 && h <= 20000))
		USAGE(state, "--size: '%s' is out of range", arg);
	o->spec.width = (int)lround(w);
	o->spec.height = (int)lround(h);
	return 0;
}

/* Is S one of --summary's format names? */
static bool is_summary_format(const char *s)
{
	return strcmp(s, "text") == 0 || strcmp(s, "markdown") == 0 || strcmp(s, "md") == 0 ||
	       strcmp(s, "csv") == 0 || strcmp(s, "json") == 0;
}

/* Options that hold for a whole --batch run: never on a manifest line. */
static bool batch_wide(int key)
{
	switch (key) {
	case 'q': case 'v': case 'j': case OPT_GNUPLOT_TIMEOUT: case OPT_BATCH: case OPT_NEWER: case OPT_INDEX:
	case OPT_SHARD: case OPT_URL: case OPT_ENDPOINT: case OPT_TOKEN_FILE:
	case OPT_API_KEY_HEADER: case OPT_TOKEN_FOR: case OPT_NETRC: case OPT_CACERT:
	case OPT_INSECURE: case OPT_PARALLEL: case OPT_RETRY: case OPT_CONNECT_TIMEOUT:
	case OPT_MAX_TIME: case OPT_MAX_FILESIZE: case OPT_LIST_JOBS: case OPT_STATUS:
	case OPT_LATEST: case OPT_FORMAT: case OPT_ALIAS: case OPT_LIST_METRICS:
	case 'w': case OPT_WATCH_FOREVER:
		return true;
	}
	return false;
}

/* The long name of option KEY ("--url"). */
static const char *option_name(int key)
{
	for (const struct argp_option *p = option_table; p->name || p->doc; p++)
		if (p->key == key && p->name)
			return p->name;
	return "?";
}

/* Is W the word of option KEY: "--NAME", "--NAME=…" or an abbreviation, or
 * "-K…" for a short option?  (In "-qv" getopt moves past the word only
 * with its last letter, so the word before may still be state->next - 1.) */
static bool is_option_word(const char *w, int key)
{
	if (w[0] != '-')
		return false;
	if (w[1] == '-') {
		size_t n = strcspn(w + 2, "=");
		return n > 0 && strncmp(w + 2, option_name(key), n) == 0;
	}
	return key > 0 && key <= 0xff && strchr(w + 1, key) != NULL;
}

/* -o FILE: one more output; the same path twice is an error. */
static error_t add_output(struct argp_state *state, struct options *o, char *arg)
{
	for (size_t i = 0; i < o->noutputs; i++)
		if (strcmp(o->outputs[i], arg) == 0)
			USAGE(state, "-o: '%s' is given twice", arg);
	o->outputs = xreallocarray(o->outputs, o->noutputs + 1, sizeof *o->outputs);
	o->outputs[o->noutputs++] = arg;
	o->spec.output = o->outputs[0];
	return 0;
}

/* Parses --shard K/N. */
static error_t parse_shard(struct argp_state *state, struct options *o, const char *arg)
{
	char *end = (char *)arg;
	errno = 0;
	long k = 0, n = 0;
	if (*arg >= '0' && *arg <= '9') /* (strtol takes "+1" and " 1" too) */
		k = strtol(arg, &end, 10);
	if (!errno && end != arg && *end == '/' && end[1] >= '0' && end[1] <= '9')
		n = strtol(end + 1, &end, 10);
	if (errno || *end || k < 1 || n < k || n > 1000000)
		USAGE(state, "--shard: '%s' is not K/N (1 <= K <= N <= 1000000)", arg);
	o->shard_k = k;
	o->shard_n = n;
	return 0;
}

/* The checks at the end of a --batch command line or a manifest line. */
static error_t check_batch(struct argp_state *state, struct options *o)
{
	if (o->line_start) {
		for (size_t i = 0; i < o->noutputs; i++)
			if (strcmp(o->outputs[i], "-") == 0)
				USAGE(state, "-o -: not on a manifest line (name a file)");
		if (o->spec.data_stdout)
			USAGE(state, "--data: not on a manifest line (use -d DIR)");
		if (o->spec.summary != SUMMARY_NONE && !o->spec.summary_output)
			USAGE(state, "-S: on a manifest line, name its file with --summary-output FILE");
		if (!o->noutputs && !o->spec.data_dir && !o->spec.summary_output && !o->spec.report)
			USAGE(state, "the line names no output "
				     "(-o FILE, -d DIR, --summary-output FILE or --report FILE)");
		return 0;
	}
	if (o->njobs)
		USAGE(state, "--batch takes no JOB; write the JOBs on the manifest's lines");
	if (o->noutputs || o->spec.data_dir || o->spec.summary_output || o->spec.data_stdout || o->spec.report)
		USAGE(state, "--batch: name the outputs (-o, -d, --summary-output, --report) on the manifest's lines");
	if (o->list_jobs || o->latest)
		USAGE(state, "--batch takes no --list-jobs or --latest");
	if (o->watch)
		USAGE(state, "--batch draws each chart once: no --watch");
	return 0;
}

/* Is NAME one of the JOB arguments as written, or the LABEL of a LABEL=JOB? */
static bool names_job(const struct options *o, const char *name)
{
	size_t len = strlen(name);
	for (size_t i = 0; i < o->njobs; i++)
		if (strcmp(o->jobs[i], name) == 0 || (strncmp(o->jobs[i], name, len) == 0 && o->jobs[i][len] == '='))
			return true;
	return false;
}

#define ALIAS_MAX 256 /* --alias pairs, at most */

/* --alias FROM=TO[,FROM=TO...]: appended to O's aliases. */
static error_t parse_aliases(struct argp_state *state, struct options *o, const char *arg)
{
	const char *p = arg;
	for (;;) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		if (!eq || eq == p || eq + 1 == p + n)
			USAGE(state, "--alias: '%.*s' is not FROM=TO", (int)n, p);
		if (o->naliases >= ALIAS_MAX)
			USAGE(state, "--alias: more than %d aliases", ALIAS_MAX);
		o->alias_from = xreallocarray(o->alias_from, o->naliases + 1, sizeof *o->alias_from);
		o->alias_to = xreallocarray(o->alias_to, o->naliases + 1, sizeof *o->alias_to);
		o->alias_from[o->naliases] = xstrndup(p, (size_t)(eq - p));
		o->alias_to[o->naliases++] = xstrndup(eq + 1, (size_t)(p + n - eq - 1));
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* argp's callback for one option or argument. */
static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct options *o = state->input;
	error_t err = 0;
	long v = 0;
	if (o->wide_words && state->next <= o->line_start && batch_wide(key)) {
		/* A word of the --batch command line for the whole run (and its
		 * detached argument): not one of the lines' defaults. */
		int at = state->next - 1;
		if (arg && at >= 1 && state->argv[at] == arg) {
			o->wide_words[at] = true;
			at--;
		}
		if (at >= 1 && is_option_word(state->argv[at], key))
			o->wide_words[at] = true;
	}
	if (o->line_start && state->next > o->line_start && batch_wide(key)) {
		if (key == 'w' || key == OPT_WATCH_FOREVER || key == OPT_LIST_METRICS)
			usage_error(state, "--%s: not with --batch", option_name(key));
		else
			usage_error(state, "--%s: give it on the --batch command line, not on a manifest line",
				    option_name(key));
		/* At the option, not its detached argument. */
		if (arg && state->next >= 2 && state->argv[state->next - 1] == arg &&
		    state->next - 2 >= o->line_start)
			captured_idx = state->next - 2;
		return EINVAL;
	}
	switch (key) {
	case 'o': return add_output(state, o, arg);
	case OPT_SUMMARY_OUTPUT: o->spec.summary_output = arg; break;
	case OPT_BATCH: o->batch = arg; break;
	case 'j': return parse_long(state, "-j", arg, 1, 64, &o->pool);
	case OPT_NEWER: o->newer = true; break;
	case OPT_INDEX:
		if (!index_path_ok(arg))
			USAGE(state, "--index: '%s' does not end in .md or .html", arg);
		o->index = arg;
		break;
	case OPT_SHARD: return parse_shard(state, o, arg);
	case 't':
		if (!*arg)
			USAGE(state, "--terminal: empty name");
		for (const char *p = arg; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				USAGE(state, "--terminal: '%s' is not a terminal name", arg);
		o->spec.terminal = arg;
		break;
	case OPT_SIZE: return parse_size(state, o, arg);
	case 'd': o->spec.data_dir = arg; break;
	case OPT_DATA: o->spec.data_stdout = true; break;
	case 'S':
		/* "-S markdown": argp wants an optional argument attached
		 * (-Smarkdown, --summary=markdown); take a detached format name
		 * too unless a file of that name exists. */
		if (!arg && state->next < state->argc && is_summary_format(state->argv[state->next]) &&
		    access(state->argv[state->next], F_OK) != 0)
			arg = state->argv[state->next++];
		if (!arg || strcmp(arg, "text") == 0)
			o->spec.summary = SUMMARY_TEXT;
		else if (strcmp(arg, "markdown") == 0 || strcmp(arg, "md") == 0)
			o->spec.summary = SUMMARY_MARKDOWN;
		else if (strcmp(arg, "csv") == 0)
			o->spec.summary = SUMMARY_CSV;
		else if (strcmp(arg, "json") == 0)
			o->spec.summary = SUMMARY_JSON;
		else
			USAGE(state, "--summary: unknown format '%s' (text, markdown, csv, json)", arg);
		break;
	case 'm': o->spec.metrics = arg; break;
	case OPT_COLORS: {
		size_t n;
		char **list = split_list(arg, &n);
		for (size_t i = 0; i < n; i++)
			if (!err && !color_ok(list[i])) {
				usage_error(state, "--colors: '%s' is not a colour like #2563eb", list[i]);
				err = EINVAL;
			}
		if (err) {
			for (size_t i = 0; i < n; i++)
				free(list[i]);
			free(list);
			return err;
		}
		if (o->colors) {
			for (size_t i = 0; i < o->ncolors; i++)
				free(o->colors[i]);
			free(o->colors);
		}
		o->colors = list;
		o->ncolors = n;
		break;
	}
	case OPT_TITLE: o->spec.title = arg; break;
	case 'q': o->quiet = true; break;
	case 'v': o->verbose++; break;

	case 'x':
		if (strcmp(arg, "step") == 0)
			o->spec.xaxis = XAXIS_STEP;
		else if (strcmp(arg, "epoch") == 0)
			o->spec.xaxis = XAXIS_EPOCH;
		else if (strcmp(arg, "time") == 0)
			o->spec.xaxis = XAXIS_TIME;
		else if (strcmp(arg, "relative") == 0)
			o->spec.xaxis = XAXIS_RELATIVE;
		else
			USAGE(state, "--x-axis: unknown axis '%s' (step, epoch, time, relative)", arg);
		break;
	case OPT_SMOOTH: {
		char *end;
		double w = strtod(arg, &end);
		if (end == arg || *end || !(w >= 0 && w < 1))
			USAGE(state, "--smooth: '%s' is not a weight from 0 up to (not including) 1", arg);
		o->spec.smooth = w;
		break;
	}
	case OPT_MAX_POINTS:
		if ((err = parse_long(state, "--max-points", arg, 0, 100000000, &v)) == 0)
			o->spec.max_points = v;
		return err;
	case OPT_IGNORE_OUTLIERS: o->spec.ignore_outliers = true; break;
	case OPT_LOGY: o->spec.logy = arg; break;
	case OPT_XRANGE: o->spec.xrange = arg; break;
	case OPT_YRANGE: o->spec.yrange = arg; break;
	case OPT_GNUPLOT_TIMEOUT:
		return parse_long(state, "--gnuplot-timeout", arg, 0, 86400, &o->gnuplot_timeout);
	case OPT_WIDTH:
		return parse_long(state, "--width", arg, 0, 100000, &o->summary_width);
	case OPT_BASELINE: o->spec.baseline = arg; break;
	case OPT_REPORT_IMAGES:
		if (strcmp(arg, "png") != 0 && strcmp(arg, "svg") != 0)
			USAGE(state, "--report-images: unknown format '%s' (png, svg)", arg);
		o->spec.report_svg = strcmp(arg, "svg") == 0;
		break;
	case OPT_REPORT: {
		char *why = NULL;
		if (report_check_path(arg, &why) != 0) {
			usage_error(state, "--report: %s", why);
			free(why);
			return EINVAL;
		}
		o->spec.report = arg;
		break;
	}

	case OPT_URL: o->fetch.url = arg; break;
	case OPT_ENDPOINT:
		if (!strstr(arg, "{id}"))
			USAGE(state, "--endpoint: '%s' has no {id}", arg);
		o->fetch.endpoint = arg;
		break;
	case OPT_TOKEN_FILE:
		free(o->token);
		o->token = NULL;
		if ((err = read_token_file(state, arg, &o->token)) != 0)
			return err;
		if (!token_ok(o->token))
			USAGE(state, "--token-file: %s: the token is empty or holds control characters", arg);
		break;
	case OPT_API_KEY_HEADER: o->fetch.auth = AUTH_X_API_KEY; break;
	case OPT_TOKEN_FOR: {
		char *origin = NULL;
		if (http_parse_origin(arg, &origin) != 0) {
			char *r = http_redact(arg);
			usage_error(state, "--token-for: '%s' is not an origin (like https://host:port)", r);
			free(r);
			return EINVAL;
		}
		free(origin);
		o->token_for = xreallocarray(o->token_for, o->ntoken_for + 1, sizeof *o->token_for);
		o->token_for[o->ntoken_for++] = arg;
		break;
	}
	case OPT_NETRC: o->fetch.netrc = true; break;
	case OPT_CACERT: o->fetch.cacert = arg; break;
	case OPT_INSECURE: o->fetch.insecure = true; break;
	case OPT_PARALLEL:
		if ((err = parse_long(state, "--parallel", arg, 1, 100, &v)) == 0)
			o->fetch.parallel = (int)v;
		return err;
	case OPT_RETRY:
		if ((err = parse_long(state, "--retry", arg, 0, 20, &v)) == 0)
			o->fetch.retry = (int)v;
		return err;
	case OPT_CONNECT_TIMEOUT:
		if ((err = parse_long(state, "--connect-timeout", arg, 1, 3600, &v)) == 0)
			o->fetch.connect_timeout = v;
		return err;
	case OPT_MAX_TIME:
		if ((err = parse_long(state, "--max-time", arg, 1, 86400, &v)) == 0)
			o->fetch.max_time = v;
		return err;
	case OPT_MAX_FILESIZE: return parse_bytes(state, arg, &o->fetch.max_filesize);
	case 'w': {
		char *end;
		double w = arg ? strtod(arg, &end) : -1;
		if (arg && (end == arg || *end || !(w >= 0.2 && w <= 86400)))
			USAGE(state, "--watch: '%s' is not a number of seconds from 0.2 to 86400", arg);
		o->watch = w;
		break;
	}
	case OPT_WATCH_FOREVER: o->watch_forever = true; break;
	case 'k': o->spec.keep_going = true; break;
	case OPT_LIST_JOBS: o->list_jobs = true; break;
	case OPT_LIST_METRICS: o->list_metrics = true; break;
	case OPT_ALIAS: return parse_aliases(state, o, arg);
	case OPT_STATUS:
		o->status = arg;
		o->spec.status = arg;
		break;
	case OPT_LATEST:
		if ((err = parse_long(state, "--latest", arg, 1, 100, &v)) == 0)
			o->latest = (int)v;
		return err;
	case OPT_FORMAT:
		if (strcmp(arg, "text") == 0)
			o->format = LIST_TEXT;
		else if (strcmp(arg, "csv") == 0)
			o->format = LIST_CSV;
		else if (strcmp(arg, "json") == 0)
			o->format = LIST_JSON;
		else
			USAGE(state, "--format: unknown format '%s' (text, csv, json)", arg);
		break;

	case ARGP_KEY_ARG:
		if (!*arg)
			USAGE(state, "empty JOB argument");
		o->jobs = xreallocarray(o->jobs, o->njobs + 1, sizeof *o->jobs);
		o->jobs[o->njobs++] = arg;
		break;
	case ARGP_KEY_INIT:
		o->line_start = pending_line_start;
		if (o->line_start > 0)
			o->wide_words = xcalloc((size_t)o->line_start, sizeof *o->wide_words);
		return 0;
	case ARGP_KEY_ERROR:
		if (capturing && !captured) {
			int i = state->next > 1 ? state->next - 1 : -1;
			captured = i >= 0 && i < state->argc
				? xasprintf("'%s': unknown option, or its argument is missing", state->argv[i])
				: xstrdup("unknown option, or an argument is missing");
			captured_idx = i;
		}
		return 0;
	case ARGP_KEY_END:
		at_end = true;
		if (o->spec.summary_output && o->spec.summary == SUMMARY_NONE)
			o->spec.summary = SUMMARY_TEXT;
		if ((o->pool || o->newer || o->shard_n || o->index) && !o->batch)
			USAGE(state, "%s: only with --batch",
			      o->pool ? "-j" : o->newer ? "--newer" : o->shard_n ? "--shard" : "--index");
		if (o->batch && (err = check_batch(state, o)) != 0)
			return err;
		if (o->njobs == 0 && !o->list_jobs && !o->latest && !(o->batch && !o->line_start))
			USAGE(state, "no JOB given");
		if (o->list_jobs && (o->njobs || o->latest))
			USAGE(state, "--list-jobs takes no JOB and no --latest");
		if (o->list_metrics && (o->list_jobs || o->spec.output || o->spec.data_dir ||
					o->spec.data_stdout || o->spec.summary != SUMMARY_NONE ||
					o->spec.summary_output || o->spec.report || o->watch || o->batch))
			USAGE(state, "--list-metrics writes only the listing: no -o, -d, --data, --summary, "
				     "--report, --watch, --batch or --list-jobs");
		if (o->spec.data_stdout && o->spec.summary != SUMMARY_NONE && !o->spec.summary_output)
			USAGE(state, "--data and --summary both write to stdout; use -d DIR for the data");
		for (size_t i = 0; i < o->noutputs; i++)
			if (strcmp(o->outputs[i], "-") == 0 &&
			    (o->spec.data_stdout || (o->spec.summary != SUMMARY_NONE && !o->spec.summary_output)))
				USAGE(state, "-o - and %s both write to stdout",
				      o->spec.data_stdout ? "--data" : "--summary");
		if (o->spec.baseline && !o->latest && !names_job(o, o->spec.baseline))
			USAGE(state, "--baseline: '%s' is not one of the JOBs (give a JOB as written or its LABEL)",
			      o->spec.baseline);
		if (o->watch_forever && !o->watch)
			USAGE(state, "--watch-forever goes with --watch");
		for (size_t i = 0; o->watch && i < o->noutputs; i++)
			if (strcmp(o->outputs[i], "-") == 0)
				USAGE(state, "--watch: -o - is not redrawn; name a file");
		if (o->watch && (o->list_jobs || o->spec.data_stdout ||
				 (o->spec.summary != SUMMARY_NONE && o->spec.output && !o->spec.summary_output)))
			USAGE(state, "--watch redraws -o FILE and -d DIR, or a text chart or -S on a "
				     "terminal; not --data, --list-jobs, or -S with -o");
		if ((o->list_jobs || o->latest) && !o->fetch.url)
			USAGE(state, "%s needs the API URL: set TRCOMPARE_URL or --url",
				   o->list_jobs ? "--list-jobs" : "--latest");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp argp = {option_table, parse_opt, args_doc, doc, NULL, NULL, NULL};

/* Fills OPTS from the environment, then from argv. */
void options_parse(int argc, char **argv, struct options *opts)
{
	options_parse_ex(argc, argv, opts, 0);
	if (opts->token && !token_ok(opts->token)) {
		diag_error("TRCOMPARE_TOKEN holds control characters");
		exit(EXIT_USAGE);
	}
}

/* options_parse with argp FLAGS; returns argp's error code. */
int options_parse_ex(int argc, char **argv, struct options *opts, unsigned flags)
{
	memset(opts, 0, sizeof *opts);
	opts->spec.metrics = SPEC_DEFAULT_METRICS;
	opts->fetch.endpoint = FETCH_DEFAULT_ENDPOINT;
	opts->fetch.parallel = 5;
	opts->fetch.retry = 2;
	opts->fetch.connect_timeout = 10;
	opts->fetch.max_time = 300;
	opts->fetch.max_filesize = 256LL * 1024 * 1024;
	opts->spec.max_points = -1;
	opts->gnuplot_timeout = 300;
	opts->summary_width = -1;
	const char *url = getenv("TRCOMPARE_URL");
	if (url && *url)
		opts->fetch.url = url;
	const char *tok = getenv("TRCOMPARE_TOKEN");
	if (tok && *tok)
		opts->token = xstrdup(tok);
	/* gnuplot (and anything else we start) must not inherit the secret. */
	unsetenv("TRCOMPARE_TOKEN");
	int rc = argp_parse(&argp, argc, argv, flags, NULL, opts);
	/* The two parts the library sees point into the owned arrays. */
	opts->spec.jobs = opts->jobs;
	opts->spec.njobs = opts->njobs;
	opts->spec.outputs = opts->outputs;
	opts->spec.noutputs = opts->noutputs;
	opts->spec.colors = (const char *const *)opts->colors;
	opts->spec.ncolors = opts->ncolors;
	opts->fetch.token = opts->token;
	opts->fetch.token_for = (const char *const *)opts->token_for;
	opts->fetch.ntoken_for = opts->ntoken_for;
	return rc;
}

int options_parse_line(int argc, char **argv, int line_start, struct options *opts, char **cause)
{
	capturing = true;
	at_end = false;
	captured = NULL;
	captured_idx = -1;
	/* options_parse_ex zeroes OPTS: line_start reaches argp through a
	 * hook set before parsing (ARGP_KEY_INIT). */
	pending_line_start = line_start;
	int rc = options_parse_ex(argc, argv, opts, ARGP_SILENT);
	pending_line_start = 0;
	capturing = false;
	opts->bad_arg = captured_idx;
	if (rc == 0 && !captured)
		return 0;
	*cause = captured ? captured : xstrdup("the line could not be parsed");
	captured = NULL;
	return -1;
}

/* Frees what options_parse allocated. */
void options_free(struct options *opts)
{
	free(opts->wide_words);
	free(opts->jobs);
	free(opts->outputs);
	for (size_t i = 0; i < opts->naliases; i++) {
		free(opts->alias_from[i]);
		free(opts->alias_to[i]);
	}
	free(opts->alias_from);
	free(opts->alias_to);
	free(opts->token_for);
	if (opts->colors) {
		for (size_t i = 0; i < opts->ncolors; i++)
			free(opts->colors[i]);
		free(opts->colors);
	}
	if (opts->token) {
		/* Do not leave the secret in freed memory. */
		volatile char *p = opts->token;
		while (*p)
			*p++ = 0;
		free(opts->token);
	}
	memset(opts, 0, sizeof *opts);
}
