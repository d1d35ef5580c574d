/* quote_check.h: the property the gnuplot quoting must keep, checked with
 * the real gnuplot.  Shared (header-only, static) by tests/unit/test_text.c
 * and tests/fuzz/fuzz_quote.c.  Include "config.h" first.
 *
 * qc_roundtrip sanitizes RAW, quotes it with text_gp_quote, writes a script
 * that stores it in an array, prints it back with `set print` and uses it as
 * title, axis label, label and key entry in an SVG and a canvas (HTML)
 * chart, runs gnuplot in a fresh
 * private directory (HOME pointing there, stdin /dev/null) and checks:
 *   - gnuplot exits 0 and writes nothing on stderr or stdout;
 *   - the printed string equals the sanitized text byte for byte;
 *   - the directory holds exactly the files the script writes (any other
 *     file, such as a canary made by `touch`, means something ran);
 *   - the SVG parses as XML (xmllint --noout), when CHECK_XML is set;
 *   - the HTML holds as many "</script" and "<!--" as with a plain title
 *     (the canvas terminal copies titles into an inline script).
 * Plus in-process checks: the sanitized text is valid UTF-8 without control
 * characters, within the cap, and sanitizing it again changes nothing; the
 * literal holds none of " ` @ # $ ' \n NUL and only [A-Za-z0-9 ] and
 * -_.,:/+=()[] besides escapes. */
#ifndef TRCOMPARE_QUOTE_CHECK_H
#define TRCOMPARE_QUOTE_CHECK_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "text.h"

#define QC_MSG_MAX 1024

/* The files the round-trip script and its runner create, nothing else. */
static const char *const qc_expected_files[] = {
	"script.gp", "out.svg", "out.html", "printed.txt", "gp.out", "gp.err", "xml.err",
};

/* Formats a failure message into MSG; returns -1. */
static int qc_fail(char *msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int qc_fail(char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, QC_MSG_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

/* Reads the whole file DIR/NAME; returns malloc'd bytes and *LEN, or NULL. */
static char *qc_slurp(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	FILE *fp;
	char *data = NULL;
	size_t cap = 0, n = 0, got;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	do {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap + 1);
			if (data == NULL)
				abort();
		}
		got = fread(data + n, 1, cap - n, fp);
		n += got;
	} while (got > 0);
	fclose(fp);
	data[n] = '\0';
	*len = n;
	return data;
}

/* nftw callback removing one entry. */
static int qc_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Runs ARGV (argv[0] looked up in PATH) with its working directory DIR,
 * HOME=DIR, stdin /dev/null and stdout/stderr into DIR/OUT and DIR/ERR,
 * killed after 120 s.  Returns the wait status, or -1. */
static int qc_run(const char *dir, char *const argv[], const char *out, const char *err)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd;

		if (chdir(dir) != 0)
			_exit(126);
		setenv("HOME", dir, 1);
		unsetenv("DISPLAY");
		unsetenv("GNUPLOT_LIB");
		unsetenv("GNUTERM");
		unsetenv("GNUPLOT_DRIVER_DIR");
		fd = open("/dev/null", O_RDONLY);
		if (fd < 0 || dup2(fd, 0) < 0)
			_exit(126);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(126);
		fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		alarm(120); /* survives exec: a hung gnuplot gets SIGALRM */
		execvp(argv[0], argv);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

/* Checks that S (LEN bytes) is valid UTF-8 holding no control character
 * and counts its characters into *NCHARS.  Returns 0 or -1. */
static int qc_utf8_clean(const unsigned char *s, size_t len, size_t *nchars)
{
	size_t n = 0;

	for (size_t i = 0; i < len; n++) {
		unsigned c = s[i], need, cp, min;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7F)
				return -1;
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			need = 1, cp = c & 0x1F, min = 0x80;
		else if (c >= 0xE0 && c <= 0xEF)
			need = 2, cp = c & 0x0F, min = 0x800;
		else if (c >= 0xF0 && c <= 0xF4)
			need = 3, cp = c & 0x07, min = 0x10000;
		else
			return -1;
		if (len - i <= need)
			return -1;
		for (unsigned k = 1; k <= need; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return -1;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
		    (cp >= 0x80 && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF)
			return -1;
		i += need + 1;
	}
	*nchars = n;
	return 0;
}

/* Checks the in-process properties of SAN and its literal Q. */
static int qc_static_checks(const char *san, size_t maxchars, const char *q, char *msg)
{
	size_t len = strlen(san), nchars, qlen = strlen(q);
	char *again;

	if (qc_utf8_clean((const unsigned char *)san, len, &nchars) != 0)
		return qc_fail(msg, "sanitized text is not clean UTF-8");
	if (maxchars > 0 && nchars > maxchars)
		return qc_fail(msg, "sanitized text has %zu characters, cap %zu", nchars, maxchars);
	if (len == 0 || san[0] == ' ' || san[len - 1] == ' ')
		return qc_fail(msg, "sanitized text is empty or not trimmed");
	again = text_sanitize(san, len, maxchars, "fallback");
	if (strcmp(again, san) != 0) {
		free(again);
		return qc_fail(msg, "sanitizing twice changes the text");
	}
	free(again);
	if (qlen < 2 || q[0] != '"' || q[qlen - 1] != '"')
		return qc_fail(msg, "literal is not double-quoted");
	for (size_t i = 1; i + 1 < qlen; i++) {
		unsigned char c = (unsigned char)q[i];

		if (c == '\\') {
			/* \0ooo below 0100, \ooo from 0100 up. */
			unsigned v = 0;
			size_t nd = (q[i + 1] == '0') ? 4 : 3;

			for (size_t k = 1; k <= nd; k++) {
				if (i + k + 1 >= qlen || q[i + k] < '0' || q[i + k] > '7')
					return qc_fail(msg, "bad escape at %zu in literal", i);
				v = v * 8 + (unsigned)(q[i + k] - '0');
			}
			if (v == 0 || v > 0377 || (nd == 4) != (v < 0100))
				return qc_fail(msg, "bad escape value at %zu in literal", i);
			i += nd;
			continue;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || (c != '\0' && strchr(" -_.,:/+=()[]", c))))
			return qc_fail(msg, "byte 0x%02x literal at %zu", c, i);
	}
	return 0;
}

/* Writes DIR/script.gp using the gnuplot literal Q.  Returns 0 or -1. */
static int qc_write_script(const char *dir, const char *q, char *msg)
{
	char path[4200];
	FILE *fp;

	snprintf(path, sizeof path, "%s/script.gp", dir);
	fp = fopen(path, "w");
	if (fp == NULL)
		return qc_fail(msg, "%s: %s", path, strerror(errno));
	fprintf(fp,
		"set terminal svg size 600,400\n"
		"set output \"out.svg\"\n"
		"set termoption noenhanced\n"
		"array T[1]\n"
		"T[1] = %s\n"
		"set print \"printed.txt\"\n"
		"print T[1]\n"
		"unset print\n"
		"set title T[1]\n"
		"set xlabel T[1]\n"
		"set label 1 T[1] at graph 0.1, graph 0.5\n"
		"plot x title T[1]\n"
		"unset output\n"
		"set terminal canvas standalone size 600,400\n"
		"set output \"out.html\"\n"
		"set termoption noenhanced\n"
		"replot\n"
		"unset output\n",
		q);
	if (fclose(fp) != 0)
		return qc_fail(msg, "%s: write error", path);
	return 0;
}

/* Counts case-insensitive occurrences of "</script" and "<!--" in the
 * NUL-terminated HTML (N bytes). */
static long qc_count_script_breaks(const char *html, size_t n)
{
	long count = 0;

	for (size_t i = 0; i < n; i++) {
		if (html[i] != '<')
			continue;
		if (n - i >= 8 && strncasecmp(html + i, "</script", 8) == 0)
			count++;
		else if (n - i >= 4 && strncmp(html + i, "<!--", 4) == 0)
			count++;
	}
	return count;
}

/* The count for a plain title ("x"), computed once per process. */
static long qc_baseline_breaks(void)
{
	static long baseline = -1;
	char dir[4096], msg[QC_MSG_MAX];
	const char *tmp = getenv("TMPDIR");
	char *argv[] = {"gnuplot", "script.gp", NULL};
	size_t n;
	char *html;
	int status;

	if (baseline >= 0)
		return baseline;
	snprintf(dir, sizeof dir, "%s/trc-quote.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		return -1;
	if (qc_write_script(dir, "\"x\"", msg) == 0) {
		status = qc_run(dir, argv, "gp.out", "gp.err");
		html = qc_slurp(dir, "out.html", &n);
		if (status == 0 && html != NULL)
			baseline = qc_count_script_breaks(html, n);
		free(html);
	}
	nftw(dir, qc_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return baseline;
}

/* Runs the gnuplot part of the round trip on the literal Q, expecting
 * gnuplot to print back WANT exactly.  Returns 0, or -1 with MSG
 * (QC_MSG_MAX bytes) saying what failed; the temporary directory is kept
 * on failure when QC_KEEP is set in the environment. */
static int qc_check_literal(const char *want_text, const char *q, int check_xml, char *msg)
{
	char dir[4096];
	const char *tmp = getenv("TMPDIR");
	const char *san = want_text;
	char *got = NULL;
	size_t got_len = 0;
	DIR *d;
	struct dirent *de;
	int rc = -1, status;

	msg[0] = '\0';
	snprintf(dir, sizeof dir, "%s/trc-quote.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		qc_fail(msg, "mkdtemp: %s", strerror(errno));
		goto out;
	}
	if (qc_write_script(dir, q, msg) != 0)
		goto out_rm;

	{
		char *argv[] = {"gnuplot", "script.gp", NULL};

		status = qc_run(dir, argv, "gp.out", "gp.err");
	}
	/* First: did anything run?  Any file the script does not write. */
	d = opendir(dir);
	if (d == NULL) {
		qc_fail(msg, "%s: %s", dir, strerror(errno));
		goto out_rm;
	}
	while ((de = readdir(d)) != NULL) {
		size_t i;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		for (i = 0; i < sizeof qc_expected_files / sizeof qc_expected_files[0]; i++)
			if (strcmp(de->d_name, qc_expected_files[i]) == 0)
				break;
		if (i == sizeof qc_expected_files / sizeof qc_expected_files[0]) {
			qc_fail(msg, "unexpected file \"%.200s\" appeared: something ran", de->d_name);
			closedir(d);
			goto out_rm;
		}
	}
	closedir(d);

	{
		size_t n = 0;
		char *err = qc_slurp(dir, "gp.err", &n);
		char *gout;

		if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			qc_fail(msg, "gnuplot status %d: %.300s", status, err ? err : "");
			free(err);
			goto out_rm;
		}
		if (err == NULL || n != 0) {
			qc_fail(msg, "gnuplot wrote on stderr: %.300s", err ? err : "(missing)");
			free(err);
			goto out_rm;
		}
		free(err);
		gout = qc_slurp(dir, "gp.out", &n);
		free(gout);
		if (gout == NULL || n != 0) {
			qc_fail(msg, "gnuplot wrote %zu bytes on stdout", n);
			goto out_rm;
		}
	}

	got = qc_slurp(dir, "printed.txt", &got_len);
	if (got == NULL) {
		qc_fail(msg, "printed.txt missing");
		goto out_rm;
	}
	if (got_len != strlen(san) + 1 || memcmp(got, san, strlen(san)) != 0 ||
	    got[got_len - 1] != '\n') {
		qc_fail(msg, "printed %zu bytes, want %zu: \"%.200s\"", got_len, strlen(san) + 1, got);
		goto out_rm;
	}

	if (check_xml) {
		char *argv[] = {"xmllint", "--noout", "out.svg", NULL};

		status = qc_run(dir, argv, "gp.out", "xml.err");
		if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			size_t n;
			char *err = qc_slurp(dir, "xml.err", &n);

			qc_fail(msg, "xmllint status %d: %.300s", status, err ? err : "");
			free(err);
			goto out_rm;
		}
	}

	{
		size_t n;
		char *html = qc_slurp(dir, "out.html", &n);
		long want = qc_baseline_breaks(), got_breaks;

		if (html == NULL) {
			qc_fail(msg, "out.html missing");
			goto out_rm;
		}
		got_breaks = qc_count_script_breaks(html, n);
		free(html);
		if (want < 0) {
			qc_fail(msg, "cannot run the baseline canvas script");
			goto out_rm;
		}
		if (got_breaks != want) {
			qc_fail(msg, "out.html has %ld \"</script\" or \"<!--\", a plain title %ld",
				got_breaks, want);
			goto out_rm;
		}
	}

	rc = 0;

out_rm:
	if (rc != 0 && getenv("QC_KEEP") != NULL)
		fprintf(stderr, "quote_check: kept %s\n", dir);
	else
		nftw(dir, qc_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
out:
	free(got);
	return rc;
}

/* The round trip described at the top of this file.  MAXCHARS is passed to
 * text_sanitize (0: no cap).  Returns 0, or -1 with MSG. */
static int qc_roundtrip(const char *raw, size_t len, size_t maxchars, int check_xml, char *msg)
{
	char *san = text_sanitize(raw, len, maxchars, "job 1");
	char *q = text_gp_quote(san);
	int rc = qc_static_checks(san, maxchars, q, msg);

	if (rc == 0)
		rc = qc_check_literal(san, q, check_xml, msg);
	free(san);
	free(q);
	return rc;
}

#endif
