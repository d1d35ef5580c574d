/* util.c: allocation, diagnostics, buffers, number formatting, atomic
 * output files and clean-up on signals. */
#include "config.h"

#include "util.h"
#include "decimal.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

const char *program_name = "trcompare-plot";
bool diag_quiet;

/* Prints the out-of-memory message and exits: the one error we do not
 * return (util.h). */
_Noreturn void oom(void)
{
	static const char msg[] = "trcompare-plot: out of memory\n";
	ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)w;
	exit(EXIT_DATA);
}

/* malloc that never returns NULL. */
void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

/* calloc that never returns NULL. */
void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

/* realloc that never returns NULL. */
void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

/* realloc of N elements of SIZE bytes, checking the multiplication. */
void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		oom();
	return xrealloc(p, n * size);
}

/* strdup that never returns NULL. */
char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* Copies at most N bytes of S, NUL-terminated. */
char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* vasprintf that never returns NULL. */
char *xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		oom();
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

/* asprintf that never returns NULL. */
char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

/* Writes "trcompare-plot: [PREFIX]MESSAGE\n" to stderr in one write.
 * Messages quote paths, arguments and server text: whatever they hold, the
 * terminal gets no control characters (no escape sequences). */
static void diag_v(const char *prefix, const char *fmt, va_list ap)
{
	char *msg = xvasprintf(fmt, ap);
	/* Control characters (C0 but newline and tab, DEL, and C1 in UTF-8)
	 * become '?'. */
	for (unsigned char *p = (unsigned char *)msg; *p; p++) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
			*p = '?';
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = '?', p[1] = '?';
	}
	char *line = xasprintf("%s: %s%s\n", program_name, prefix, msg);
	fflush(stdout);
	fputs(line, stderr);
	fflush(stderr);
	free(line);
	free(msg);
}

/* Prints an error line. */
void diag_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_v("", fmt, ap);
	va_end(ap);
}

/* Prints a warning line unless -q was given. */
void diag_warn(const char *fmt, ...)
{
	if (diag_quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	diag_v("warning: ", fmt, ap);
	va_end(ap);
}

/* Prints a -v note. */
void diag_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_v("", fmt, ap);
	va_end(ap);
}

/* Makes room for N more bytes plus a NUL. */
static void buf_reserve(struct buf *b, size_t n)
{
	if (b->len + n + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + n + 1) {
		if (cap > SIZE_MAX / 2)
			oom();
		cap *= 2;
	}
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

/* Appends N bytes. */
void buf_append(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Appends a C string. */
void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

/* Appends formatted text. */
void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		oom();
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	va_end(ap);
}

/* Frees the buffer's memory and empties it. */
void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* fmt_double's fast path for V (finite, not zero): the fewest decimals
 * m / 10^k that read back as V, when m < 10^15 and %g would not use an
 * exponent (1e-4 <= |V| < 1e15).  That is the text "%.15g" gives, without
 * printf: %.15g rounds V to 15 significant digits, which lands on this
 * shorter decimal, since it is within half an ulp of V.  And strtod reads
 * it back as V: m and 10^k are exact doubles, so m / 10^k is the correctly
 * rounded value of the decimal, which is what strtod returns.  Returns the
 * length, or 0 when %.15g does not have such a spelling. */
static int fmt_fixed(char *out, double v)
{
	static const double p10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
				     1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
	double a = fabs(v);

	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	for (int k = 0; k < 16; k++) {
		double s = a * p10[k];
		if (s >= 1e15)
			return 0;
		double m = floor(s + 0.5);
		if (m / p10[k] != a)
			continue;
		/* Digits of m, with the point k digits from the right. */
		char digits[24];
		int nd = 0, n = 0;
		uint64_t u = (uint64_t)m;
		do {
			digits[nd++] = (char)('0' + u % 10);
			u /= 10;
		} while (u > 0);
		if (v < 0)
			out[n++] = '-';
		if (nd <= k) {
			out[n++] = '0';
			out[n++] = '.';
			for (int z = nd; z < k; z++)
				out[n++] = '0';
			while (nd > 0)
				out[n++] = digits[--nd];
		} else {
			while (nd > 0) {
				if (nd == k)
					out[n++] = '.';
				out[n++] = digits[--nd];
			}
		}
		out[n] = '\0';
		return n;
	}
	return 0;
}

/* Shortest "%.Ng" (N = 15..17) that reads back as V; "NaN" if not finite.
 * printf's %g honours LC_NUMERIC, but this program never calls setlocale
 * for numbers, so the decimal point is always '.'. */
int fmt_double(char *out, double v)
{
	if (!isfinite(v)) {
		memcpy(out, "NaN", 4);
		return 3;
	}
	if (v == 0) { /* keeps -0 readable as 0 */
		memcpy(out, "0", 2);
		return 1;
	}
	int n = fmt_fixed(out, v);
	if (n > 0)
		return n;
	for (int prec = 15; prec <= 17; prec++) {
		bool exact = false;

		/* printf's digits without printf where decimal.c can. */
		n = decimal_format_g(v, prec, out, &exact);
		if (n == 0) {
			n = snprintf(out, FMT_DOUBLE_MAX, "%.*g", prec, v);
			exact = strtod(out, NULL) == v;
		}
		if (prec == 17 || exact)
			break;
	}
	return n;
}

/* ---------------------------------------------------------------------
 * Clean-up on signals.  The handler may only use async-signal-safe calls,
 * so the paths live in a fixed table of strdup'd strings that is written
 * with signals blocked. */

#define CLEANUP_MAX 160 /* --batch: a temporary file per gnuplot of its pool, and more */
static char *volatile cleanup_paths[CLEANUP_MAX];
#define CLEANUP_CHILDREN 72 /* the three below, and --batch's pool (-j 64 at most) */
static volatile pid_t cleanup_children[CLEANUP_CHILDREN];

/* Blocks (or restores) the signals the handler catches. */
static void cleanup_block(bool block, sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (block)
		sigprocmask(SIG_BLOCK, &set, old);
	else
		sigprocmask(SIG_SETMASK, old, NULL);
}

static volatile int cleanup_restore_fd = -1;
static const char *volatile cleanup_restore_bytes;

void cleanup_set_restore(int fd, const char *bytes)
{
	sigset_t old;
	cleanup_block(true, &old);
	cleanup_restore_bytes = bytes;
	cleanup_restore_fd = bytes ? fd : -1;
	cleanup_block(false, &old);
}

/* Removes temporary files, kills the child's process group, writes the
 * restoring bytes, re-raises. */
static void cleanup_handler(int sig)
{
	if (cleanup_restore_fd >= 0 && cleanup_restore_bytes) {
		ssize_t w = write(cleanup_restore_fd, cleanup_restore_bytes, strlen(cleanup_restore_bytes));
		(void)w;
	}
	for (size_t i = 0; i < CLEANUP_MAX; i++)
		if (cleanup_paths[i])
			unlink(cleanup_paths[i]);
	for (size_t i = 0; i < CLEANUP_CHILDREN; i++) {
		pid_t pid = cleanup_children[i];
		if (pid > 0) {
			kill(-pid, SIGTERM);
			kill(pid, SIGTERM);
		}
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Installs the handler for SIGINT, SIGTERM, SIGHUP and SIGPIPE. */
void cleanup_install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cleanup_handler;
	sigfillset(&sa.sa_mask);
	int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction old;
		/* Keep an inherited "ignore" (nohup, background jobs). */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	/* A reader that stops reading (gnuplot's `plot '< trcompare-plot
	 * --data …' index 0`, `| head`) ends us quietly, as it ends any
	 * filter, even when the caller left SIGPIPE ignored. */
	sigaction(SIGPIPE, &sa, NULL);
}

static volatile sig_atomic_t sigpipe_noted;

/* SIGPIPE while held: only noted. */
static void sigpipe_note(int sig)
{
	(void)sig;
	sigpipe_noted = 1;
}

/* Notes SIGPIPE instead of ending the process (a handler, not SIG_IGN,
 * so the children we exec still get the default action). */
void cleanup_hold_sigpipe(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = sigpipe_note;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

/* Ends the process by SIGPIPE if one was noted while held. */
void cleanup_release_sigpipe(void)
{
	if (!sigpipe_noted)
		return;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(SIGPIPE);
}

/* Registers PATH for removal if a signal arrives. */
void cleanup_register_path(const char *path)
{
	char *copy = xstrdup(path);
	sigset_t old;
	cleanup_block(true, &old);
	for (size_t i = 0; i < CLEANUP_MAX; i++) {
		if (!cleanup_paths[i]) {
			cleanup_paths[i] = copy;
			copy = NULL;
			break;
		}
	}
	cleanup_block(false, &old);
	free(copy); /* table full: the file is still removed on normal paths */
}

/* Forgets PATH (after it was renamed into place or removed). */
void cleanup_unregister_path(const char *path)
{
	sigset_t old;
	char *victim = NULL;
	cleanup_block(true, &old);
	for (size_t i = 0; i < CLEANUP_MAX; i++) {
		if (cleanup_paths[i] && strcmp(cleanup_paths[i], path) == 0) {
			victim = cleanup_paths[i];
			cleanup_paths[i] = NULL;
			break;
		}
	}
	cleanup_block(false, &old);
	free(victim);
}

/* Adds a child process (group leader) to kill on a signal.  (At most
 * CLEANUP_CHILDREN at a time: three exist at most, the terminal query,
 * the early gnuplot and a text chart's or window's.) */
void cleanup_add_child(pid_t pid)
{
	sigset_t old;
	cleanup_block(true, &old);
	for (size_t i = 0; i < CLEANUP_CHILDREN; i++) {
		if (cleanup_children[i] == 0) {
			cleanup_children[i] = pid;
			break;
		}
	}
	cleanup_block(false, &old);
}

/* Forgets the child PID (it has been waited for). */
void cleanup_remove_child(pid_t pid)
{
	sigset_t old;
	cleanup_block(true, &old);
	for (size_t i = 0; i < CLEANUP_CHILDREN; i++)
		if (cleanup_children[i] == pid)
			cleanup_children[i] = 0;
	cleanup_block(false, &old);
}

/* ---------------------------------------------------------------------
 * Atomic output files. */

#ifdef O_PATH
#define DIR_FLAGS (O_PATH | O_DIRECTORY | O_CLOEXEC) /* search permission suffices */
#else
#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif

/* Is the file ST writable for us by its mode bits?  access(2) says yes to
 * root for every file, but a file someone made read-only is not replaced
 * by -o, root or not: root needs some write bit set. */
static bool mode_writable(const struct stat *st)
{
	uid_t uid = geteuid();
	if (uid == 0)
		return (st->st_mode & 0222) != 0;
	if (st->st_uid == uid)
		return (st->st_mode & 0200) != 0;
	bool member = st->st_gid == getegid();
	int n = getgroups(0, NULL);
	if (!member && n > 0) {
		gid_t *g = xcalloc((size_t)n, sizeof *g);
		n = getgroups(n, g);
		for (int i = 0; i < n && !member; i++)
			member = g[i] == st->st_gid;
		free(g);
	}
	return (st->st_mode & (member ? 0020 : 0002)) != 0;
}

/* Creates ".trcXXXXXX" + EXT in DIRFD (exclusively, 0600, never through a
 * link); the name goes to *NAME.  Returns the descriptor or -1 (errno). */
static int tmp_create(int dirfd, const char *ext, char **name)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	static unsigned long counter;
	for (int tries = 0; tries < 100; tries++) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		unsigned long long r = (unsigned long long)ts.tv_nsec * 2654435761u ^
				       (unsigned long long)ts.tv_sec << 20 ^
				       (unsigned long long)getpid() << 40 ^ ++counter * 40503u;
		char rnd[7];
		for (int i = 0; i < 6; i++, r /= 62)
			rnd[i] = set[r % 62];
		rnd[6] = '\0';
		char *n = xasprintf(".trc%s%s", rnd, ext);
		int fd = openat(dirfd, n, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			*name = n;
			return fd;
		}
		int saved = errno;
		free(n);
		if (saved != EEXIST) {
			errno = saved;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

/* What NAME in DIRFD is: *ST (a link's target), *EXISTS (a dangling link
 * does not), *LINK, *MAGIC (a link into /proc: /dev/stdout, /dev/fd/N
 * name an open file, which is written into whatever it is, never renamed
 * over).  Returns 0, or -1 with errno. */
static int look_at(int dirfd, const char *name, struct stat *st, bool *exists, bool *link,
		   bool *magic)
{
	struct stat target;
	*exists = fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) == 0;
	*link = *magic = false;
	if (!*exists)
		return errno == ENOENT ? 0 : -1;
	*link = S_ISLNK(st->st_mode);
	if (*link && fstatat(dirfd, name, &target, 0) == 0)
		*st = target;
	else if (*link)
		*exists = false; /* a dangling link: replaced */
	if (*link) {
		char to[8];
		struct statfs sf;
		*magic = (readlinkat(dirfd, name, to, sizeof to) >= 6 && memcmp(to, "/proc/", 6) == 0) ||
			 (fstatfs(dirfd, &sf) == 0 && sf.f_type == 0x9fa0 /* PROC_SUPER_MAGIC */);
	}
	return 0;
}

/* atomic_open and atomic_open_at: NAME in DIRFD (taken: closed on failure),
 * DIR its shown directory ("" for the current one), PATH the whole path.
 * THROUGH: an existing FIFO or device (or a link to one) is written through
 * rather than replaced. */
static int open_in(struct atomic_out *ao, int dirfd, const char *dir, const char *name,
		   const char *path, bool through, char **cause)
{
	mode_t mask = umask(0);
	umask(mask);
	mode_t mode = 0666 & ~mask;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	struct stat st;
	bool exists, link, magic;
	if (look_at(dirfd, name, &st, &exists, &link, &magic) != 0) {
		*cause = xasprintf("%s: cannot create: %s", path, strerror(errno));
		close(dirfd);
		return -1;
	}
	/* An existing device or FIFO must not be renamed over (as root that
	 * would replace /dev/full with a regular file): it is opened now, once,
	 * and a private file is copied into it on commit. */
	if (through && exists && (!S_ISREG(st.st_mode) || magic) && !S_ISDIR(st.st_mode)) {
		int fd = openat(dirfd, name,
				O_WRONLY | O_NOCTTY | O_CLOEXEC | (link ? 0 : O_NOFOLLOW) |
					(S_ISREG(st.st_mode) ? O_APPEND : 0));
		int saved = errno;
		close(dirfd);
		struct stat now;
		if (fd >= 0 && (fstat(fd, &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino)) {
			close(fd);
			fd = -1;
			saved = ELOOP;
		}
		if (fd < 0) {
			*cause = saved == ELOOP ? xasprintf("%s: changed while it was opened", path)
						: xasprintf("%s: cannot write: %s", path, strerror(saved));
			return -1;
		}
		const char *tdir = getenv("TMPDIR");
		char *tmp = xasprintf("%s/trcompare-out.XXXXXX", tdir && *tdir == '/' ? tdir : "/tmp");
		sigset_t old;
		cleanup_block(true, &old);
		int tfd = mkstemp(tmp);
		saved = errno;
		if (tfd >= 0)
			cleanup_register_path(tmp);
		cleanup_block(false, &old);
		ao->fp = tfd < 0 ? NULL : fdopen(tfd, "w");
		if (!ao->fp) {
			if (tfd >= 0) {
				saved = errno;
				close(tfd);
				unlink(tmp);
				cleanup_unregister_path(tmp);
			}
			*cause = xasprintf("%s: cannot create: %s", path, strerror(saved));
			free(tmp);
			close(fd);
			return -1;
		}
		ao->path = xstrdup(path);
		ao->tmp = tmp;
		ao->copy = true;
		ao->outfd = fd;
		return 0;
	}
	if (exists && !link && S_ISREG(st.st_mode)) {
		if (!mode_writable(&st)) {
			*cause = (st.st_mode & 0222) == 0
					 ? xasprintf("%s: Permission denied (the file is read-only)", path)
					 : xasprintf("%s: Permission denied", path);
			close(dirfd);
			return -1;
		}
		mode = st.st_mode & 07777 & ~(mode_t)(S_ISUID | S_ISGID);
		gid = st.st_gid;
		if (geteuid() == 0)
			uid = st.st_uid;
	}
	/* The temporary name is short (a long NAME still fits NAME_MAX) and
	 * keeps the extension: some gnuplot terminals insist on it. */
	const char *ext = strrchr(name, '.');
	if (!ext || ext == name || strlen(ext) > 16)
		ext = "";
	char *tname = NULL;
	sigset_t old;
	cleanup_block(true, &old);
	int fd = tmp_create(dirfd, ext, &tname);
	int saved = errno;
	/* Relative paths get "./" so the name never starts with '<', '|' or
	 * '$', which gnuplot's `set output` would treat specially. */
	char *tmp = NULL;
	if (fd >= 0) {
		tmp = xasprintf("%s%s%s%s", dir[0] == '/' ? "" : "./", dir,
				*dir && dir[strlen(dir) - 1] != '/' ? "/" : "", tname);
		cleanup_register_path(tmp);
	}
	cleanup_block(false, &old);
	if (fd < 0) {
		*cause = xasprintf("%s: cannot create: %s", path, strerror(saved));
		close(dirfd);
		return -1;
	}
	if (fchmod(fd, mode) != 0 || ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(fd, uid, gid) != 0)) {
		/* the group (or owner) is kept where we may; the mode always is */
	}
	ao->fp = fdopen(fd, "w");
	if (!ao->fp) {
		saved = errno;
		close(fd);
		unlinkat(dirfd, tname, 0);
		cleanup_unregister_path(tmp);
		free(tmp);
		free(tname);
		close(dirfd);
		*cause = xasprintf("%s: %s", path, strerror(saved));
		return -1;
	}
	ao->path = xstrdup(path);
	ao->tmp = tmp;
	ao->dirfd = dirfd;
	ao->name = xstrdup(name);
	ao->tname = tname;
	return 0;
}

/* Opens a temporary file beside PATH (".trcXXXXXX" in the same directory,
 * so rename(2) is atomic), or the FIFO or device PATH names. */
int atomic_open(struct atomic_out *ao, const char *path, char **cause)
{
	memset(ao, 0, sizeof *ao);
	ao->dirfd = ao->outfd = -1;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (*base == '\0') {
		*cause = xasprintf("%s: not a file name", path);
		return -1;
	}
	char *dir = slash == path ? xstrdup("/") : slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
	int dirfd = open(*dir ? dir : ".", DIR_FLAGS);
	if (dirfd < 0) {
		*cause = xasprintf("%s: cannot create: %s", path, strerror(errno));
		free(dir);
		return -1;
	}
	int rc = open_in(ao, dirfd, dir, base, path, true, cause);
	free(dir);
	return rc;
}

/* Can a file be made in DIR ("" for the current one), or with MAKE in the
 * directories made above it, down from the nearest one that exists? */
static bool can_create_in(const char *dir, bool make)
{
	char *d = xstrdup(*dir ? dir : ".");
	bool ok = false;
	for (;;) {
		struct stat sb;
		if (stat(d, &sb) == 0) {
			ok = S_ISDIR(sb.st_mode) && faccessat(AT_FDCWD, d, W_OK | X_OK, AT_EACCESS) == 0;
			break;
		}
		if (!make || errno != ENOENT || strcmp(d, ".") == 0 || strcmp(d, "/") == 0)
			break;
		size_t n = strlen(d);
		while (n > 1 && d[n - 1] == '/')
			d[--n] = '\0';
		char *slash = strrchr(d, '/');
		if (!slash) {
			free(d);
			d = xstrdup(".");
		} else {
			slash[slash == d] = '\0'; /* "/x" -> "/" */
		}
	}
	free(d);
	return ok;
}

int atomic_check(const char *path, bool make, char **cause)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (*base == '\0') {
		*cause = xasprintf("%s: not a file name", path);
		return -1;
	}
	char *dir = slash == path ? xstrdup("/") : slash ? xstrndup(path, (size_t)(slash - path)) : xstrdup("");
	int dirfd = open(*dir ? dir : ".", DIR_FLAGS), err = errno, rc = 0;
	if (dirfd < 0) {
		/* --batch makes missing directories; that must be possible. */
		if (!(make && err == ENOENT && can_create_in(dir, true))) {
			*cause = xasprintf("%s: cannot create: %s", path, strerror(err));
			rc = -1;
		}
		free(dir);
		return rc;
	}
	struct stat st;
	bool exists, link, magic;
	if (look_at(dirfd, base, &st, &exists, &link, &magic) != 0) {
		*cause = xasprintf("%s: cannot create: %s", path, strerror(errno));
		rc = -1;
	} else if (exists && (!S_ISREG(st.st_mode) || magic)) {
		/* written through (atomic_open says what fails there) */
	} else if (exists && !mode_writable(&st)) {
		*cause = (st.st_mode & 0222) == 0 ? xasprintf("%s: Permission denied (the file is read-only)", path)
						  : xasprintf("%s: Permission denied", path);
		rc = -1;
	} else if (faccessat(dirfd, ".", W_OK | X_OK, AT_EACCESS) != 0) {
		*cause = xasprintf("%s: cannot create: %s", path, strerror(errno));
		rc = -1;
	}
	close(dirfd);
	free(dir);
	return rc;
}

int dir_check(const char *dir, bool make, char **cause)
{
	int fd = open(dir, DIR_FLAGS);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	int err = errno;
	struct stat sb;
	if (err == ENOENT) {
		/* dir_open_or_make's mkdir, in DIR's parent */
		const char *end = dir + strlen(dir);
		while (end > dir + 1 && end[-1] == '/')
			end--;
		while (end > dir && end[-1] != '/')
			end--;
		char *parent = end == dir ? xstrdup("") : xstrndup(dir, (size_t)(end - dir));
		bool ok = can_create_in(parent, make);
		if (!ok && !make) {
			int pfd = open(*parent ? parent : ".", DIR_FLAGS);
			if (pfd >= 0) {
				close(pfd);
				err = EACCES;
			} else {
				err = errno;
			}
		}
		free(parent);
		if (ok)
			return 0;
	} else if (err == ENOTDIR && stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
		*cause = xstrdup("not a directory");
		return -1;
	}
	*cause = xasprintf("cannot create directory: %s", strerror(err));
	return -1;
}

/* atomic_open for NAME in DIRFD, replacing whatever NAME is. */
int atomic_open_at(struct atomic_out *ao, int dirfd, const char *dir, const char *name,
		   char **cause)
{
	memset(ao, 0, sizeof *ao);
	ao->dirfd = ao->outfd = -1;
	char *path = xasprintf("%s/%s", dir, name);
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	int rc = -1;
	if (fd < 0)
		*cause = xasprintf("%s: cannot create: %s", path, strerror(errno));
	else
		rc = open_in(ao, fd, dir, name, path, false, cause);
	free(path);
	return rc;
}

/* Opens DIR, making it first if it does not exist. */
int dir_open_or_make(const char *dir, char **cause)
{
	int fd = open(dir, DIR_FLAGS);
	if (fd < 0 && errno == ENOENT) {
		/* EEXIST: made by someone else since; fine if it is a directory. */
		if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
			*cause = xasprintf("cannot create directory: %s", strerror(errno));
			return -1;
		}
		fd = open(dir, DIR_FLAGS);
	}
	if (fd < 0) {
		struct stat sb;
		int saved = errno;
		if (saved == ENOTDIR && stat(dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
			*cause = xstrdup("not a directory");
		else
			*cause = xasprintf("cannot create directory: %s", strerror(saved));
		return -1;
	}
	return fd;
}

/* Copies the file FROM into OUT, the open device or FIFO TO.  Returns 0, or
 * -1 with *cause. */
static int copy_into(const char *from, int out, const char *to, char **cause)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	char chunk[65536];
	ssize_t n = 0;
	if (in < 0) {
		*cause = xasprintf("%s: cannot write: %s", to, strerror(errno));
		return -1;
	}
	while ((n = read(in, chunk, sizeof chunk)) > 0) {
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, chunk + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				*cause = xasprintf("%s: write error: %s", to, strerror(w < 0 ? errno : ENOSPC));
				close(in);
				return -1;
			}
			done += w;
		}
	}
	int saved = errno;
	close(in);
	if (n < 0) {
		*cause = xasprintf("%s: %s", from, strerror(saved));
		return -1;
	}
	return 0;
}

/* Forgets and frees the temporary file's names and descriptors. */
static void atomic_release(struct atomic_out *ao)
{
	if (ao->tmp)
		cleanup_unregister_path(ao->tmp);
	if (ao->dirfd >= 0)
		close(ao->dirfd);
	free(ao->tmp);
	free(ao->path);
	free(ao->name);
	free(ao->tname);
	memset(ao, 0, sizeof *ao);
	ao->dirfd = ao->outfd = -1;
}

/* Removes the temporary file. */
static void atomic_unlink(struct atomic_out *ao)
{
	if (ao->copy)
		unlink(ao->tmp);
	else if (ao->tname)
		unlinkat(ao->dirfd, ao->tname, 0);
}

/* Flushes, closes, and renames the temporary file into place. */
int atomic_commit(struct atomic_out *ao, char **cause)
{
	char *why = NULL;
	int rc = 0;
	struct stat mine, now;
	bool have_mine = fstat(fileno(ao->fp), &mine) == 0;
	if (close_stream(ao->fp, &why) != 0) {
		*cause = xasprintf("%s: %s", ao->path, why);
		free(why);
		rc = -1;
	} else if (!ao->copy && have_mine &&
		   (fstatat(ao->dirfd, ao->tname, &now, AT_SYMLINK_NOFOLLOW) != 0 ||
		    now.st_dev != mine.st_dev || now.st_ino != mine.st_ino)) {
		/* Someone with write access to the directory replaced the
		 * temporary file: renaming what is there now would put their
		 * file (or link) in place. */
		*cause = xasprintf("%s: changed while it was written", ao->path);
		rc = -1;
	} else if (ao->copy) {
		rc = copy_into(ao->tmp, ao->outfd, ao->path, cause);
	} else if (renameat(ao->dirfd, ao->tname, ao->dirfd, ao->name) != 0) {
		*cause = xasprintf("%s: cannot write: %s", ao->path, strerror(errno));
		rc = -1;
	}
	ao->fp = NULL;
	if (ao->copy && close(ao->outfd) != 0 && rc == 0) {
		*cause = xasprintf("%s: write error: %s", ao->path, strerror(errno));
		rc = -1;
	}
	if (rc != 0 || ao->copy)
		atomic_unlink(ao);
	atomic_release(ao);
	return rc;
}

char *atomic_fd_path(const struct atomic_out *ao)
{
	struct stat mine, there;
	char *p = xasprintf("/proc/%ld/fd/%d", (long)getpid(), fileno(ao->fp));
	if (fstat(fileno(ao->fp), &mine) == 0 && stat(p, &there) == 0 && mine.st_dev == there.st_dev &&
	    mine.st_ino == there.st_ino)
		return p;
	free(p);
	return xstrdup(ao->tmp);
}

/* Discards the temporary file. */
void atomic_abort(struct atomic_out *ao)
{
	if (ao->fp)
		fclose(ao->fp);
	if (ao->tmp)
		atomic_unlink(ao);
	if (ao->copy && ao->outfd >= 0)
		close(ao->outfd);
	atomic_release(ao);
}

/* Closes FP and turns any write error into a message. */
int close_stream(FILE *fp, char **cause)
{
	bool had_error = ferror(fp) != 0;
	int flush = fflush(fp);
	int saved = errno;
	int close_rc = fclose(fp);
	if (close_rc != 0 && flush == 0)
		saved = errno;
	if (had_error || flush != 0 || close_rc != 0) {
		if (had_error && flush == 0 && close_rc == 0)
			*cause = xstrdup("write error");
		else
			*cause = xasprintf("write error: %s", strerror(saved));
		return -1;
	}
	return 0;
}

/* Size in characters of the terminal on FD, less one line so the shell
 * prompt does not scroll the top away; false when FD is no terminal. */
bool tty_size(int fd, int *cols, int *rows)
{
	struct winsize ws;

	if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col < 20 || ws.ws_row < 10)
		return false;
	*cols = ws.ws_col;
	*rows = ws.ws_row - 1;
	return true;
}

/* True when NAME is set to a non-empty value. */
bool env_set(const char *name)
{
	const char *v = getenv(name);
	return v && *v;
}
