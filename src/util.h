/* util.h: allocation, diagnostics, exit codes, growable buffers, atomic
 * output files and clean-up on signals.  Shared by every module. */
#ifndef TRCOMPARE_UTIL_H
#define TRCOMPARE_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Documented exit codes (README, man page). */
enum exit_code {
	EXIT_OK = 0,     /* success */
	EXIT_DATA = 1,   /* bad input file, bad data, output or gnuplot failure */
	EXIT_FETCH = 2,  /* a job could not be fetched (network, HTTP status) */
	EXIT_USAGE = 64, /* usage error (argp's default, EX_USAGE) */
};

extern const char *program_name; /* "trcompare-plot" */

/* Allocation that never returns NULL: on exhaustion it prints and exits 1.
 * (Out of memory is the one error library code does not return.)  oom()
 * is that exit, for allocators of other libraries (libcurl, json-c) that
 * return NULL. */
_Noreturn void oom(void);
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);

/* Diagnostics: top level only.  "trcompare-plot: MESSAGE\n" on stderr.
 * diag_warn prefixes "warning: " and is silenced by diag_quiet (-q). */
extern bool diag_quiet;
void diag_error(const char *fmt, ...) PRINTF_LIKE(1, 2);
void diag_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* -v notes: "trcompare-plot: MESSAGE", printed even with -q. */
void diag_note(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* A growable byte buffer; zero-initialise, free with buf_free. data is
 * always NUL-terminated once anything was appended. */
struct buf {
	char *data;
	size_t len, cap;
};
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
void buf_free(struct buf *b);

/* Shortest round-trip text of v in the C locale ("%.17g" at most), or
 * "NaN" when v is not finite.  out must hold FMT_DOUBLE_MAX bytes.
 * Returns the length written. */
#define FMT_DOUBLE_MAX 32
int fmt_double(char *out, double v);

/* Atomic output: write to a temporary file beside PATH, then rename it into
 * place on commit; abort (or a signal) removes the temporary file.  The
 * temporary path is registered for clean-up on SIGINT/SIGTERM/SIGHUP.
 *
 * What PATH names decides what happens (README "Outputs"):
 * - nothing, a regular file, a symbolic link to a regular file or to
 *   nothing: a new file ".trcXXXXXX[.EXT]" is made in PATH's directory
 *   (opened once, by a descriptor) and renamed over the name: a link is
 *   replaced, never written through.  An existing file's mode (and group,
 *   and as root its owner) is kept; a file without write permission for us
 *   (by its mode bits, root included) is refused, as `>` would refuse it.
 * - a FIFO or device, or a symbolic link to one, or a link into /proc
 *   (/dev/stdout, /dev/fd/N) to anything (a regular file: appended): it is opened
 *   once, here, and checked to be the file that was looked at; the output
 *   goes to a private temporary file in $TMPDIR and is copied into that
 *   open descriptor on commit (the FIFO or device is never replaced). */
struct atomic_out {
	char *path; /* owned copy of the final path */
	char *tmp;  /* owned temporary path (for gnuplot's `set output`) */
	FILE *fp;   /* open for writing between open and commit/abort */
	bool copy;  /* PATH is a device or FIFO (/dev/full, /dev/stdout): TMP
	             * is a private file that commit copies into PATH, which
	             * is never replaced */
	int dirfd;   /* !copy: PATH's directory, opened once */
	int outfd;   /* copy: the device or FIFO, opened once */
	char *name;  /* !copy: PATH's last component, in dirfd */
	char *tname; /* !copy: TMP's last component, in dirfd */
};
/* Returns 0, or -1 with *cause set (malloc'd) naming the path and reason:
 * "PATH: cannot create: REASON", "PATH: Permission denied (the file is
 * read-only)", "PATH: Permission denied", "PATH: changed while it was
 * opened" (a device or FIFO swapped between the look and the open). */
int atomic_open(struct atomic_out *ao, const char *path, char **cause);
/* Like atomic_open for NAME (one component, no '/') in the directory DIRFD
 * (borrowed; DIR is its path, for messages and gnuplot), but nothing is
 * ever written through: whatever NAME is (a link, a FIFO, a device), it is
 * replaced by the new regular file.  For -d, whose files are all ours. */
int atomic_open_at(struct atomic_out *ao, int dirfd, const char *dir, const char *name,
		   char **cause);
/* A name by which another process of ours (gnuplot) opens AO's temporary
 * file itself, not whatever is at its path when it looks:
 * /proc/PID/fd/N, where /proc shows that descriptor, else AO's temporary
 * path.  malloc'd. */
char *atomic_fd_path(const struct atomic_out *ao);
/* Flushes, checks for write errors, closes and renames.  On failure the
 * temporary file is removed and -1 returned with *cause set: write
 * errors, "PATH: changed while it was written" (the temporary file was
 * replaced in its directory), "PATH: cannot write: REASON". */
int atomic_commit(struct atomic_out *ao, char **cause);
void atomic_abort(struct atomic_out *ao);

/* Opens the directory DIR (following links), making it (mode 0777 less the
 * umask) when it does not exist; another process making it at the same
 * time is no error.  Returns the descriptor (O_CLOEXEC; the caller closes
 * it), or -1 with *cause set without the path: "cannot create directory:
 * REASON", "not a directory". */
int dir_open_or_make(const char *dir, char **cause);

/* Whether atomic_open(PATH) would find what it needs, before anything is
 * drawn: its directory (with MAKE, or the nearest existing one above it,
 * the missing ones to be made first) searchable and writable, and PATH
 * not a read-only file; a FIFO or device PATH is not looked into.  Makes
 * nothing.  Returns 0, or -1 with *cause as atomic_open's. */
int atomic_check(const char *path, bool make, char **cause);
/* Whether dir_open_or_make(DIR) could open or make DIR (with MAKE, the
 * missing directories above it too).  Makes nothing.  Returns 0, or -1
 * with *cause as dir_open_or_make's. */
int dir_check(const char *dir, bool make, char **cause);

/* Closes FP (stdout included) and reports any pending write error.
 * Returns 0, or -1 with *cause set ("write error: No space left on device"). */
int close_stream(FILE *fp, char **cause);

/* Clean-up on signals: temporary paths are unlinked and the registered
 * child process groups are killed when SIGINT, SIGTERM, SIGHUP or SIGPIPE
 * arrives; then the signal is re-raised with its default action. */
void cleanup_install_signals(void);
void cleanup_register_path(const char *path);   /* copies path */
void cleanup_unregister_path(const char *path);
/* BYTES (static, or NULL for none) are written to FD by the handler
 * first: what puts a terminal back (leaving the alternate screen). */
void cleanup_set_restore(int fd, const char *bytes);
void cleanup_add_child(pid_t pid);    /* at most 4 at a time */
void cleanup_remove_child(pid_t pid); /* once it was waited for */
/* While output files are written, a reader of stdout that went away must
 * not end us before they are committed: cleanup_hold_sigpipe makes SIGPIPE
 * only noted (writes to stdout then fail with EPIPE); cleanup_release_sigpipe
 * ends the process by SIGPIPE, quietly as a filter ends, if one was noted,
 * and otherwise returns.  Children still get SIGPIPE's default action. */
void cleanup_hold_sigpipe(void);
void cleanup_release_sigpipe(void);

/* Size in characters of the terminal on FD (one line fewer than it has,
 * for the prompt); false when FD is no terminal. */
bool tty_size(int fd, int *cols, int *rows);

/* True when NAME is set in the environment to a non-empty value. */
bool env_set(const char *name);

#endif
