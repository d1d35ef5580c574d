/* test_util.c: unit tests of src/util.c: growable buffers, shortest
 * round-trip numbers, atomic output files, write-error detection on close
 * and clean-up of temporary files and child processes on signals. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util.h"

/* ------------------------------------------------------------ helpers */

/* A fresh temporary directory for one test (the test state). */
static int dir_setup(void **state)
{
	const char *base = getenv("TMPDIR");
	char *dir = xasprintf("%s/trc-unit.XXXXXX", base != NULL && *base != '\0' ? base : "/tmp");

	if (mkdtemp(dir) == NULL) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

/* Removes the test's directory and everything in it (one level). */
static int dir_teardown(void **state)
{
	char *dir = *state;
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
				char *p = xasprintf("%s/%s", dir, e->d_name);
				unlink(p);
				free(p);
			}
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
	return 0;
}

/* Number of entries in DIR other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* Contents of the file at PATH (malloc'd, NUL-terminated). */
static char *slurp(const char *path)
{
	struct buf b = { 0 };
	char chunk[512];
	size_t n;
	FILE *fp = fopen(path, "r");

	assert_non_null(fp);
	buf_puts(&b, "");
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		buf_append(&b, chunk, n);
	fclose(fp);
	return b.data;
}

/* ------------------------------------------------------------ buf */

/* Appending text, bytes with NULs and formatted text grows the buffer and
 * keeps it NUL-terminated. */
static void test_buf_append(void **state)
{
	struct buf b = { 0 };

	(void)state;
	buf_puts(&b, "");
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");

	buf_puts(&b, "abc");
	buf_append(&b, "\0x\0", 3);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.data, "abc\0x\0", 7); /* and the terminating NUL */

	buf_printf(&b, "[%d|%s|%5.2f]", -42, "q", 3.14159);
	assert_int_equal(b.len, 6 + strlen("[-42|q| 3.14]"));
	assert_string_equal(b.data + 6, "[-42|q| 3.14]");
	assert_true(b.cap > b.len);
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
}

/* Many appends of different sizes keep every byte in order. */
static void test_buf_growth(void **state)
{
	struct buf b = { 0 };
	size_t want = 0;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		char piece[64];
		int n = snprintf(piece, sizeof piece, "%d,", i);

		buf_append(&b, piece, (size_t)n);
		want += (size_t)n;
		assert_int_equal(b.len, want);
		assert_int_equal(b.data[b.len], '\0');
	}
	/* A long formatted piece that needs several doublings at once. */
	buf_printf(&b, "%10000s|", "end");
	assert_int_equal(b.len, want + 10001);
	assert_int_equal(b.data[b.len - 1], '|');
	assert_memory_equal(b.data, "0,1,2,3,", 8);
	assert_non_null(strstr(b.data, ",1999,"));
	buf_free(&b);

	/* A freed buffer can be used again. */
	buf_puts(&b, "again");
	assert_string_equal(b.data, "again");
	buf_free(&b);
}

/* ------------------------------------------------------------ fmt_double */

/* fmt_double(v) for V must be exactly WANT. */
static void check_fmt(double v, const char *want)
{
	char out[FMT_DOUBLE_MAX];
	int n = fmt_double(out, v);

	assert_string_equal(out, want);
	assert_int_equal(n, (int)strlen(want));
}

/* Short decimals stay short; non-finite values become NaN. */
static void test_fmt_double_exact(void **state)
{
	(void)state;
	check_fmt(0.1, "0.1");
	check_fmt(0.3, "0.3");
	check_fmt(1.0 / 3.0, "0.3333333333333333");
	check_fmt(100, "100");
	check_fmt(-2.5, "-2.5");
	check_fmt(3e-4, "0.0003");
	check_fmt(1e-5, "1e-05");
	check_fmt(6.02214076e23, "6.02214076e+23");
	check_fmt(123456789012345.0, "123456789012345");
	check_fmt(9007199254740993.0, "9007199254740992"); /* 2^53 + 1 rounds to 2^53 */
	check_fmt(0.0, "0");
	check_fmt(-0.0, "0");
	check_fmt(NAN, "NaN");
	check_fmt(-NAN, "NaN");
	check_fmt(INFINITY, "NaN");
	check_fmt(-INFINITY, "NaN");
	check_fmt(DBL_MAX, "1.7976931348623157e+308");
	check_fmt(-DBL_MIN, "-2.2250738585072014e-308");
	check_fmt(4.9406564584124654e-324, "4.94065645841247e-324"); /* smallest subnormal */
}

/* Deterministic pseudo-random 64-bit values (xorshift64*). */
static uint64_t next_random(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

/* Every finite double, whatever its bit pattern, reads back exactly and
 * fits in FMT_DOUBLE_MAX (at most 24 bytes: "-1.2345678901234567e-308"). */
static void test_fmt_double_roundtrip(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	int tested = 0;

	(void)state;
	while (tested < 200000) {
		uint64_t bits = next_random(&seed);
		double v, back;
		char out[FMT_DOUBLE_MAX];
		int n;

		memcpy(&v, &bits, sizeof v);
		if (!isfinite(v))
			continue;
		n = fmt_double(out, v);
		assert_true(n > 0 && n < FMT_DOUBLE_MAX);
		assert_int_equal((size_t)n, strlen(out));
		back = strtod(out, NULL);
		if (v == 0) {
			assert_true(back == 0);
		} else if (memcmp(&back, &v, sizeof v) != 0) {
			fail_msg("%s does not read back as %.17g", out, v);
		}
		assert_true(n <= 24);
		/* C locale text: digits, sign, point, exponent only. */
		assert_int_equal(strspn(out, "0123456789+-.e"), (size_t)n);
		tested++;
	}
}

/* Values written with 15 or fewer significant digits come back as written
 * (the shortest form), not as 17-digit noise. */
static void test_fmt_double_shortest(void **state)
{
	uint64_t seed = 12345;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		char text[64], out[FMT_DOUBLE_MAX];
		int digits = 1 + (int)(next_random(&seed) % 15);
		int exp10 = (int)(next_random(&seed) % 41) - 20;
		double mant = (double)(next_random(&seed) % 1000000000000000ULL) / 1e15 + 1;
		char want[64];
		double v;

		snprintf(text, sizeof text, "%.*g", digits, mant * pow(10, exp10));
		v = strtod(text, NULL);
		/* The same decimal, in printf's %g spelling. */
		snprintf(want, sizeof want, "%.15g", v);
		fmt_double(out, v);
		assert_string_equal(out, want);
		assert_true(strtod(out, NULL) == v);
	}
}

/* fmt_double as printf spells it: "%.15g" when that reads back, else 16
 * or 17 digits (the definition fmt_double's fast path must match). */
static void fmt_reference(char *out, double v)
{
	if (!isfinite(v)) {
		strcpy(out, "NaN");
		return;
	}
	if (v == 0) {
		strcpy(out, "0");
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, FMT_DOUBLE_MAX, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* fmt_double() against fmt_reference() on metric-like values (short
 * decimals, integers, values at the fast path's edges) and on random
 * bit patterns. */
static void test_fmt_double_fast(void **state)
{
	static const double edges[] = {1e-4, 9.9999999999999991e-05, 0.00010000000000000002, 1e15, 999999999999999.0,
	                                999999999999999.9, 999999999999999.4, 0.1 + 0.2, 1.0 / 3.0, 2.91839, 1e-3,
	                                123456789012345.6, 12345678901234.56, 0.000123456789012345, 5e-324, 1e300};
	uint64_t seed = 777;
	char a[FMT_DOUBLE_MAX], b[FMT_DOUBLE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
		for (int sign = 0; sign < 2; sign++) {
			double v = sign ? -edges[i] : edges[i];

			fmt_double(a, v);
			fmt_reference(b, v);
			assert_string_equal(a, b);
		}
	}
	for (int i = 0; i < 300000; i++) {
		uint64_t r = next_random(&seed);
		double v;

		switch (i % 3) {
		case 0: /* a decimal of 1..17 digits, scaled */
			v = (double)(r % 100000000000000000ULL) / pow(10, (double)(next_random(&seed) % 24));
			break;
		case 1: /* an integer or a step-like value */
			v = (double)(r % 10000000000000000ULL) / (double)(1 + next_random(&seed) % 4);
			break;
		default:
			memcpy(&v, &r, sizeof v);
			break;
		}
		if (r & 1)
			v = -v;
		fmt_double(a, v);
		fmt_reference(b, v);
		if (strcmp(a, b) != 0)
			fail_msg("%.17g: fmt_double %s, printf %s", v, a, b);
	}
}

/* ------------------------------------------------------------ atomic_out */

/* The temporary file lives beside the target; the target appears only on
 * commit, with the written bytes and the usual mode. */
static void test_atomic_commit(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/out.txt", dir);
	struct atomic_out ao;
	char *cause = NULL;
	struct stat st;
	mode_t mask = umask(022);

	assert_int_equal(atomic_open(&ao, path, &cause), 0);
	assert_null(cause);
	assert_string_equal(ao.path, path);
	assert_non_null(ao.tmp);
	assert_non_null(ao.fp);
	/* beside the target, hidden, short (".trcXXXXXX"), not the target */
	assert_int_equal(strncmp(ao.tmp, dir, strlen(dir)), 0);
	assert_non_null(strstr(ao.tmp, "/.trc"));
	assert_int_equal(strlen(strstr(ao.tmp, "/.trc")), strlen("/.trcXXXXXX.txt"));
	/* the extension stays last: some gnuplot terminals need it */
	assert_string_equal(ao.tmp + strlen(ao.tmp) - 4, ".txt");
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(access(ao.tmp, F_OK), 0);

	fputs("hello\n", ao.fp);
	fprintf(ao.fp, "%d\n", 42);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(atomic_commit(&ao, &cause), 0);
	assert_null(cause);
	assert_null(ao.fp);

	char *got = slurp(path);
	assert_string_equal(got, "hello\n42\n");
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_entries(dir), 1); /* no temporary file left */
	umask(mask);
	free(path);
}

/* Committing over an existing file replaces it whole. */
static void test_atomic_replace(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/chart.svg", dir);
	struct atomic_out ao;
	char *cause = NULL;
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs("old contents that are longer than the new ones\n", fp);
	fclose(fp);

	assert_int_equal(atomic_open(&ao, path, &cause), 0);
	fputs("new\n", ao.fp);
	/* Until the commit, readers see the old file. */
	char *got = slurp(path);
	assert_string_equal(got, "old contents that are longer than the new ones\n");
	free(got);
	assert_int_equal(atomic_commit(&ao, &cause), 0);
	got = slurp(path);
	assert_string_equal(got, "new\n");
	free(got);
	assert_int_equal(count_entries(dir), 1);
	free(path);
}

/* Abort removes the temporary file and leaves an existing target alone. */
static void test_atomic_abort(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/x.png", dir);
	struct atomic_out ao;
	char *cause = NULL;

	assert_int_equal(atomic_open(&ao, path, &cause), 0);
	fputs("partial", ao.fp);
	assert_int_equal(count_entries(dir), 1);
	atomic_abort(&ao);
	assert_null(ao.fp);
	assert_null(ao.tmp);
	assert_int_equal(count_entries(dir), 0);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
}

/* A relative name gets its temporary file in the working directory, with a
 * "./" prefix (the name may reach a gnuplot "set output"). */
static void test_atomic_relative(void **state)
{
	const char *dir = *state;
	struct atomic_out ao;
	char *cause = NULL;
	char cwd[4096];

	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(atomic_open(&ao, "rel.gp", &cause), 0);
	assert_int_equal(strncmp(ao.tmp, "./.trc", 6), 0);
	assert_string_equal(ao.tmp + strlen(ao.tmp) - 3, ".gp");
	fputs("x\n", ao.fp);
	assert_int_equal(atomic_commit(&ao, &cause), 0);
	assert_int_equal(access("rel.gp", F_OK), 0);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(count_entries(dir), 1);
}

/* A missing parent directory or a path naming no file is an error with a
 * message naming the path; nothing is created. */
static void test_atomic_open_errors(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/missing/out.png", dir);
	char *want = xasprintf("%s: cannot create: No such file or directory", path);
	struct atomic_out ao;
	char *cause = NULL;

	assert_int_equal(atomic_open(&ao, path, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
	free(want);
	free(path);

	path = xasprintf("%s/", dir);
	want = xasprintf("%s/: not a file name", dir);
	cause = NULL;
	assert_int_equal(atomic_open(&ao, path, &cause), -1);
	assert_string_equal(cause, want);
	free(cause);
	free(want);
	free(path);
	assert_int_equal(count_entries(dir), 0);
}

/* A write error (here: the temporary file's descriptor closed under the
 * stream) fails the commit, names the path and leaves no file. */
static void test_atomic_write_error(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/fail.txt", dir);
	char *want = xasprintf("%s: write error: Bad file descriptor", path);
	struct atomic_out ao;
	char *cause = NULL;
	int fd;

	assert_int_equal(atomic_open(&ao, path, &cause), 0);
	fputs("buffered, not yet written", ao.fp);
	/* Swap a read-only descriptor in under the stream. */
	fd = open("/dev/null", O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, fileno(ao.fp)), fileno(ao.fp));
	close(fd);
	assert_int_equal(atomic_commit(&ao, &cause), -1);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(count_entries(dir), 0);
	free(cause);
	free(want);
	free(path);
}

/* ------------------------------------------------------------ close_stream */

/* A successful close returns 0 and no message. */
static void test_close_stream_ok(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/ok", dir);
	char *cause = NULL;
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs("fine\n", fp);
	assert_int_equal(close_stream(fp, &cause), 0);
	assert_null(cause);
	free(path);
}

/* Buffered bytes that cannot be written (a full device) are reported. */
static void test_close_stream_full(void **state)
{
	char *cause = NULL;
	FILE *fp;

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	fp = fopen("/dev/full", "w");
	assert_non_null(fp);
	fputs("lost\n", fp);
	assert_int_equal(close_stream(fp, &cause), -1);
	assert_string_equal(cause, "write error: No space left on device");
	free(cause);
}

/* An error the stream already met (and whose bytes are gone) still counts,
 * even though the final flush has nothing left to write. */
static void test_close_stream_earlier_error(void **state)
{
	const char *dir = *state;
	char *path = xasprintf("%s/ro", dir);
	char *cause = NULL;
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fclose(fp);
	fp = fopen(path, "r"); /* writing to a read-only stream fails */
	assert_non_null(fp);
	assert_int_equal(fputc('x', fp), EOF);
	assert_true(ferror(fp));
	assert_int_equal(close_stream(fp, &cause), -1);
	assert_string_equal(cause, "write error");
	free(cause);
	free(path);
}

/* ------------------------------------------------------------ signals */

/* A signal during an atomic write removes the temporary file, kills the
 * registered child's process group and then kills us with that signal. */
static void check_signal_cleanup(const char *dir, int sig)
{
	char *path = xasprintf("%s/sig.png", dir);
	int ready[2];
	pid_t pid, helper = 0;
	int status;

	/* Become the reaper of orphans, so the killed helper (a grandchild)
	 * is ours to wait for once the child is gone. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct atomic_out ao;
		char *cause = NULL;
		pid_t h;

		close(ready[0]);
		/* The default action, whatever this test inherited (a shell
		 * starts background jobs with SIGINT ignored, which
		 * cleanup_install_signals rightly keeps). */
		signal(sig, SIG_DFL);
		cleanup_install_signals();
		if (atomic_open(&ao, path, &cause) != 0)
			_exit(3);
		fputs("partial", ao.fp);
		fflush(ao.fp);
		h = fork();
		free(path); /* (for valgrind: the forks die by signals) */
		if (h == 0) {
			signal(SIGTERM, SIG_DFL);
			setpgid(0, 0);
			for (;;)
				pause();
		}
		setpgid(h, h);
		cleanup_add_child(h);
		if (write(ready[1], &h, sizeof h) != (ssize_t)sizeof h)
			_exit(4);
		raise(sig);
		_exit(5); /* not reached: the handler re-raises */
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &helper, sizeof helper), (ssize_t)sizeof helper);
	close(ready[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);
	/* The helper was killed with SIGTERM, not left running. */
	assert_int_equal(waitpid(helper, &status, 0), helper);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
	assert_int_equal(count_entries(dir), 0);
	free(path);
}

/* SIGINT (Ctrl-C) cleans up. */
static void test_signal_sigint(void **state)
{
	check_signal_cleanup(*state, SIGINT);
}

/* SIGTERM and SIGHUP clean up too. */
static void test_signal_sigterm_sighup(void **state)
{
	check_signal_cleanup(*state, SIGTERM);
	check_signal_cleanup(*state, SIGHUP);
}

/* An inherited "ignore" (nohup) is kept: the signal does nothing. */
static void test_signal_ignored_kept(void **state)
{
	pid_t pid = fork();
	int status;

	(void)state;
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGHUP, SIG_IGN);
		cleanup_install_signals();
		raise(SIGHUP);
		_exit(7);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
}

/* ------------------------------------------------------------ env_set */

/* Set and non-empty is true; empty or unset is false. */
static void test_env_set(void **state)
{
	(void)state;
	setenv("TRC_UNIT_X", "1", 1);
	assert_true(env_set("TRC_UNIT_X"));
	setenv("TRC_UNIT_X", "", 1);
	assert_false(env_set("TRC_UNIT_X"));
	unsetenv("TRC_UNIT_X");
	assert_false(env_set("TRC_UNIT_X"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_append),
		cmocka_unit_test(test_buf_growth),
		cmocka_unit_test(test_fmt_double_exact),
		cmocka_unit_test(test_fmt_double_roundtrip),
		cmocka_unit_test(test_fmt_double_fast),
		cmocka_unit_test(test_fmt_double_shortest),
		cmocka_unit_test_setup_teardown(test_atomic_commit, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_replace, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_abort, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_relative, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_open_errors, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_atomic_write_error, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_close_stream_ok, dir_setup, dir_teardown),
		cmocka_unit_test(test_close_stream_full),
		cmocka_unit_test_setup_teardown(test_close_stream_earlier_error, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_signal_sigint, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_signal_sigterm_sighup, dir_setup, dir_teardown),
		cmocka_unit_test(test_signal_ignored_kept),
		cmocka_unit_test(test_env_set),
	};

	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
