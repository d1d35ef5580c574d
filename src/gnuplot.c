/* gnuplot.c: see gnuplot.h. */
#include "config.h"

#include "gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netdb.h>
#include <time.h>
#include <unistd.h>

#include "text.h"
#include "util.h"

extern char **environ;

#define STDERR_KEEP 4096    /* bytes of gnuplot's stderr kept for messages */
#define POLL_MS 100         /* how often to look whether the child has exited */

static const char install_hint[] =
	"gnuplot not found; install it (Debian: apt-get install gnuplot-nox)";

/* Output of one gnuplot process: the first STDERR_KEEP bytes of its stderr
 * and how it ended. */
struct gp_result {
	struct buf err;  /* kept stderr */
	bool cut;        /* more stderr was discarded */
	int status;      /* as from waitpid */
	bool timed_out;  /* stopped at the time limit */
};

/* The time limit of gnuplot_set_timeout, in seconds (0: none). */
static long timeout_s = 300;

void gnuplot_set_timeout(long seconds)
{
	timeout_s = seconds > 0 ? seconds : 0;
}

/* Milliseconds on the monotonic clock. */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The deadline of a wait for gnuplot that starts now (0: none). */
static long long deadline_from_now(void)
{
	return timeout_s > 0 ? now_ms() + timeout_s * 1000LL : 0;
}

/* The message for a gnuplot stopped at the time limit. */
static char *timeout_message(void)
{
	return xasprintf("gnuplot did not finish within %ld s (--gnuplot-timeout); stopped it", timeout_s);
}

const char *gnuplot_program(void)
{
	const char *p = getenv("TRCOMPARE_GNUPLOT");

	return p != NULL && *p != '\0' ? p : "gnuplot";
}

static const struct {
	const char *ext;
	const char *terminal; /* NULL: write the script */
} extensions[] = {
	{ ".png", "pngcairo" }, { ".svg", "svg" },  { ".pdf", "pdfcairo" },
	{ ".eps", "epscairo" }, { ".txt", "dumb" }, { ".html", "canvas" },
	{ ".gp", NULL },
};

int gnuplot_terminal_for_path(const char *path, const char **terminal, char **cause)
{
	const char *base = strrchr(path, '/');
	const char *dot;
	char *shown;

	base = base != NULL ? base + 1 : path;
	dot = strrchr(base, '.');
	if (dot != NULL && dot != base) {
		for (size_t i = 0; i < ARRAY_SIZE(extensions); i++) {
			if (strcasecmp(dot, extensions[i].ext) == 0) {
				*terminal = extensions[i].terminal;
				return 0;
			}
		}
	} else {
		dot = ""; /* no extension (a leading dot names a hidden file) */
	}
	shown = text_sanitize(dot, strlen(dot), 40, "");
	*cause = xasprintf("unknown output extension '%s' "
	                   "(known: .png .svg .pdf .eps .txt .html .gp)", shown);
	free(shown);
	return -1;
}

void gnuplot_default_size(const char *terminal, int *width, int *height)
{
	if (terminal != NULL && strcmp(terminal, "dumb") == 0) {
		*width = 120;
		*height = 40;
	} else if (terminal != NULL &&
	           (strcmp(terminal, "pdfcairo") == 0 || strcmp(terminal, "epscairo") == 0)) {
		*width = 1000;
		*height = 667;
	} else {
		*width = 1200;
		*height = 800;
	}
}

/* Appends what can be read from FD now to R (keeping at most STDERR_KEEP
 * bytes).  Returns false at end of file or on a read error. */
static bool drain(int fd, struct gp_result *r)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof chunk);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	if (r->err.len < STDERR_KEEP) {
		size_t keep = STDERR_KEEP - r->err.len;

		if ((size_t)n <= keep) {
			buf_append(&r->err, chunk, (size_t)n);
		} else {
			buf_append(&r->err, chunk, keep);
			r->cut = true;
		}
	} else {
		r->cut = true;
	}
	return true;
}

/* Waits for PID, retrying on EINTR.  Returns 0 or -1 with errno. */
static int wait_child(pid_t pid, int *status, int flags, pid_t *got)
{
	pid_t w;

	do
		w = waitpid(pid, status, flags);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -1;
	*got = w;
	return 0;
}

/* True when locale name NAME (from the environment) says nothing, or says
 * the C/POSIX locale: a character set without a degree sign. */
static bool plain_c_locale(const char *name)
{
	return name == NULL || *name == '\0' || strcmp(name, "C") == 0 ||
	       strcmp(name, "POSIX") == 0;
}

/* True when the environment entry ENTRY ("NAME=value") sets NAME. */
static bool env_entry_is(const char *entry, const char *name)
{
	size_t len = strlen(name);

	return strncmp(entry, name, len) == 0 && entry[len] == '=';
}

/* The environment for gnuplot: ours, less the API token (gnuplot runs
 * shell commands for any script it is given and has no use for it), and in
 * the plain C locale with a UTF-8 LC_CTYPE: our scripts say "set encoding
 * utf8", which in the C locale makes gnuplot warn on every run ("iconv
 * failed to convert degree sign").  Returns a malloc'd array of borrowed
 * strings (the one added is static). */
static char **child_environment(void)
{
	const char *all = getenv("LC_ALL"), *ctype = getenv("LC_CTYPE"), *lang = getenv("LANG");
	const char *set = NULL, *replaced = NULL;
	size_t n = 0, j = 0;
	char **env;

	if (all != NULL && *all != '\0') {
		if (plain_c_locale(all))
			set = "LC_ALL=C.UTF-8", replaced = "LC_ALL";
	} else if (ctype != NULL && *ctype != '\0') {
		if (plain_c_locale(ctype))
			set = "LC_CTYPE=C.UTF-8", replaced = "LC_CTYPE";
	} else if (plain_c_locale(lang)) {
		set = "LC_CTYPE=C.UTF-8", replaced = "LC_CTYPE";
	}
	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 2, sizeof *env);
	for (size_t i = 0; i < n; i++) {
		if (env_entry_is(environ[i], "TRCOMPARE_TOKEN"))
			continue;
		if (replaced != NULL && env_entry_is(environ[i], replaced))
			continue;
		env[j++] = environ[i];
	}
	if (set != NULL)
		env[j++] = (char *)set;
	env[j] = NULL;
	return env;
}

/* In the child after fork: standard descriptors, default signals, its own
 * process group, then exec.  On failure the errno goes up STATUS_FD. */
static void exec_child(const char *prog, char **argv, char **env, int stdin_fd, int stdout_fd, int err_fd,
                       int status_fd, const sigset_t *mask)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE };
	struct sigaction dfl;
	int e, in;

	/* Our clean-up handler must never run here: defaults first, and only
	 * then unblock what the parent blocked around the fork. */
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &dfl, NULL);
	/* In its own process group gnuplot is a background job of the
	 * terminal: with `stty tostop` its text chart would stop it (SIGTTOU)
	 * and we would wait for ever.  An ignored SIGTTOU lets writes (and
	 * terminal settings) through. */
	dfl.sa_handler = SIG_IGN;
	sigaction(SIGTTOU, &dfl, NULL);
	setpgid(0, 0);
	/* stdout first: STDOUT_FD may be descriptor 0 (a /dev/null opened
	 * while our stdin was closed), which the next dup2 replaces. */
	if (stdout_fd >= 0 && dup2(stdout_fd, STDOUT_FILENO) < 0)
		goto fail;
	in = stdin_fd >= 0 ? stdin_fd : open("/dev/null", O_RDONLY);
	if (in < 0 || dup2(in, STDIN_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
		goto fail;
	sigprocmask(SIG_SETMASK, mask, NULL);
	execvpe(prog, argv, env);
fail:
	e = errno;
	if (write(status_fd, &e, sizeof e) < 0) {
		/* nothing more to do */
	}
	_exit(127);
}

/* Starts gnuplot with ARGV (argv[0] is replaced by the program), stdin from
 * STDIN_FD (-1: /dev/null), stdout to STDOUT_FD (-1: inherited), stderr to a pipe whose
 * read end is *ERRFD.  In its own process group, registered for clean-up on
 * signals.  Returns 0 with *PIDP set once gnuplot was executed, or -1 with
 * *cause.  (fork and exec rather than posix_spawn: an exec failure must be
 * told apart from gnuplot's own exit status 127, also under valgrind.) */
static int spawn_start(char **argv, int stdin_fd, int stdout_fd, pid_t *pidp, int *errfd, char **cause)
{
	const char *prog = gnuplot_program();
	sigset_t block, old;
	int pipefd[2], statusfd[2];
	pid_t pid;
	int err = 0;
	char **env;

	if (pipe2(pipefd, O_CLOEXEC) != 0) {
		*cause = xasprintf("cannot run gnuplot: pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(statusfd, O_CLOEXEC) != 0) {
		*cause = xasprintf("cannot run gnuplot: pipe: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	argv[0] = (char *)prog;
	env = child_environment();

	/* Block the clean-up signals until the child is registered, so that a
	 * Ctrl-C right now cannot leave it orphaned. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		exec_child(prog, argv, env, stdin_fd, stdout_fd, pipefd[1], statusfd[1], &old);
	if (pid < 0) {
		err = errno;
	} else {
		setpgid(pid, pid); /* also here: no race with the kill below */
		cleanup_add_child(pid);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(env);
	close(pipefd[1]);
	close(statusfd[1]);
	if (pid > 0) {
		/* The status pipe closes on a successful exec; an errno comes
		 * through it when the exec failed. */
		ssize_t n;

		do
			n = read(statusfd[0], &err, sizeof err);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof err)
			err = 0;
		if (err != 0) {
			pid_t got;
			int st;

			wait_child(pid, &st, 0, &got);
			cleanup_remove_child(pid);
		}
	}
	close(statusfd[0]);

	if (err != 0) {
		const char *var = getenv("TRCOMPARE_GNUPLOT");

		close(pipefd[0]);
		if (err == ENOENT && (var == NULL || *var == '\0')) {
			*cause = xstrdup(install_hint);
		} else if (err == ENOENT) {
			/* The user's choice: name it, and no install hint. */
			char *shown = text_sanitize(prog, strlen(prog), 200, "");

			*cause = xasprintf("TRCOMPARE_GNUPLOT=%s: %s", shown, strerror(err));
			free(shown);
		} else {
			char *shown = text_sanitize(prog, strlen(prog), 200, "");

			*cause = xasprintf("cannot run gnuplot '%s': %s", shown, strerror(err));
			free(shown);
		}
		return -1;
	}
	*pidp = pid;
	*errfd = pipefd[0];
	return 0;
}

/* Reads the stderr of the child PID (started by spawn_start, ERRFD) into R
 * (zeroed, or holding what was read so far) and waits for it; at DEADLINE
 * (now_ms(); 0: none) its process group is killed and R->timed_out set.
 * Returns 0 (R->status set), or -1 with *cause. */
static int spawn_finish(pid_t pid, int errfd, struct gp_result *r, long long deadline, char **cause)
{
	int pipefd[1] = {errfd};
	bool exited = false;

	/* Read stderr until end of file.  Something gnuplot started may keep
	 * the pipe open after gnuplot exits, so look at the child now and then
	 * and stop once it is gone and nothing more is waiting (or after a few
	 * more reads, should that something keep writing). */
	for (int after_exit = 0; after_exit < 16;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		int n = poll(&pfd, 1, exited ? 0 : POLL_MS);
		pid_t got = 0;

		if (n < 0 && errno != EINTR)
			break;
		if (exited)
			after_exit++;
		else if (wait_child(pid, &r->status, WNOHANG, &got) == 0 && got == pid)
			exited = true;
		if (!exited && deadline > 0 && now_ms() >= deadline) {
			/* Its whole group: a wrapper's children too.  What
			 * else holds the pipe is not waited for. */
			kill(-pid, SIGKILL);
			r->timed_out = true;
			break;
		}
		if (n > 0) {
			if (!drain(pipefd[0], r))
				break;
		} else if (n == 0 && exited && after_exit > 0) {
			break;
		}
	}
	close(pipefd[0]);
	if (!exited) {
		pid_t got;

		if (wait_child(pid, &r->status, 0, &got) != 0) {
			cleanup_remove_child(pid);
			*cause = xasprintf("cannot wait for gnuplot: %s", strerror(errno));
			buf_free(&r->err);
			return -1;
		}
	}
	cleanup_remove_child(pid);
	return 0;
}

static void probe_collect(void);

/* Runs gnuplot with ARGV (argv[0] is replaced by the program), stdin from
 * /dev/null, stdout to STDOUT_FD (-1: inherited), stderr captured into R,
 * and waits (within the time limit when LIMITED).  Returns 0 when it ran
 * (R->status set), or -1 with *cause. */
static int spawn_gnuplot(char **argv, int stdout_fd, bool limited, struct gp_result *r, char **cause)
{
	pid_t pid;
	int errfd;

	/* A terminal query started by gnuplot_probe_start() is collected
	 * first: its answer may be needed, and it is never left running. */
	probe_collect();
	memset(r, 0, sizeof *r);
	if (spawn_start(argv, -1, stdout_fd, &pid, &errfd, cause) != 0)
		return -1;
	return spawn_finish(pid, errfd, r, limited ? deadline_from_now() : 0, cause);
}

/* gnuplot's stderr in R, made safe for a terminal: each line sanitized,
 * surrounding blank lines dropped, lines joined by '\n'.  NULL when empty. */
static char *clean_stderr(const struct gp_result *r)
{
	struct buf out = { 0 };
	const char *p = r->err.data != NULL ? r->err.data : "";
	const char *end = p + r->err.len;
	size_t blank = 0; /* blank lines not yet written */

	/* Cut a partial last line when the text was cut. */
	if (r->cut) {
		const char *nl = memrchr(p, '\n', r->err.len);

		if (nl != NULL)
			end = nl;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		char *line;
		size_t lead = 0;

		/* Keep leading spaces: they align gnuplot's '^' under the error. */
		while (lead < len && (p[lead] == ' ' || p[lead] == '\t'))
			lead++;
		line = text_sanitize(p + lead, len - lead, 1000, "");
		if (*line == '\0') {
			if (out.len > 0)
				blank++;
		} else {
			for (; blank > 0; blank--)
				buf_puts(&out, "\n");
			if (out.len > 0)
				buf_puts(&out, "\n");
			for (size_t i = 0; i < lead; i++)
				buf_puts(&out, p[i] == '\t' ? "        " : " ");
			buf_puts(&out, line);
		}
		free(line);
		p += len + (nl != NULL);
	}
	if (out.len > 0 && r->cut)
		buf_printf(&out, "\n[gnuplot's messages cut after %d bytes]", STDERR_KEEP);
	return out.data;
}

/* The cached GPVAL_TERMINALS of the installed gnuplot, padded with spaces,
 * or NULL when gnuplot could not be asked (and then why, in probe_cause). */
static char *terminals;
static char *probe_cause;
static bool terminals_asked;

/* The message for a gnuplot that ended with STATUS, after MSG (its cleaned
 * stderr, or NULL). */
static char *failure_message(int status, const char *msg)
{
	const char *sep = msg == NULL ? "" : strchr(msg, '\n') != NULL ? ":\n" : ": ";

	if (WIFEXITED(status))
		return xasprintf("gnuplot failed (exit status %d)%s%s", WEXITSTATUS(status), sep,
		                 msg == NULL ? "" : msg);
	return xasprintf("gnuplot was killed by signal %d%s%s",
	                 WIFSIGNALED(status) ? WTERMSIG(status) : 0, sep, msg == NULL ? "" : msg);
}

/* Kills the process group of the child PID (ours, from spawn_start) and
 * waits for it: a gnuplot nobody needs any more. */
static void kill_child(pid_t pid)
{
	kill(-pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
	cleanup_remove_child(pid);
}

/* Holds SIGPIPE in this thread (the old mask in *OLD): a write to a
 * gnuplot that has exited then fails with EPIPE instead of ending us. */
static void sigpipe_hold(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

/* Takes a SIGPIPE that came while held, then restores the mask OLD. */
static void sigpipe_release(const sigset_t *old)
{
	sigset_t set;
	struct timespec zero = { 0, 0 };

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		;
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

/* The terminal query running in the background (gnuplot_probe_start). */
static struct {
	bool running;
	pid_t pid;
	int errfd, devnull;
} probe;

/* Starts the terminal query; on failure the reason is kept for
 * get_terminals().  Returns 0 when it runs. */
static int probe_spawn(void)
{
	char *argv[] = { NULL, "-d", "-e", "print GPVAL_TERMINALS", NULL };
	char *cause = NULL;

	terminals_asked = true;
	probe.devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (probe.devnull < 0) {
		probe_cause = xasprintf("cannot run gnuplot: /dev/null: %s", strerror(errno));
		return -1;
	}
	if (spawn_start(argv, -1, probe.devnull, &probe.pid, &probe.errfd, &cause) != 0) {
		probe_cause = cause;
		close(probe.devnull);
		return -1;
	}
	probe.running = true;
	return 0;
}

/* Waits for the terminal query and keeps its answer (or why there is
 * none). */
static void probe_collect(void)
{
	struct gp_result r;
	char *cause = NULL;

	if (!probe.running)
		return;
	probe.running = false;
	memset(&r, 0, sizeof r);
	if (spawn_finish(probe.pid, probe.errfd, &r, deadline_from_now(), &cause) != 0) {
		probe_cause = cause;
	} else {
		if (r.timed_out) {
			probe_cause = timeout_message();
		} else if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0 && r.err.len > 0 && !r.cut) {
			/* "print" writes to stderr: one line of names. */
			char *nl = strchr(r.err.data, '\n');

			if (nl != NULL)
				*nl = '\0';
			terminals = xasprintf(" %s ", r.err.data);
		} else {
			char *msg = clean_stderr(&r);

			probe_cause = failure_message(r.status, msg);
			free(msg);
		}
		buf_free(&r.err);
	}
	close(probe.devnull);
}

/* At exit: a query nobody collected (the program failed before drawing)
 * is stopped rather than left behind. */
static void probe_stop(void)
{
	if (!probe.running)
		return;
	probe.running = false;
	kill_child(probe.pid);
	close(probe.errfd);
	close(probe.devnull);
}

void gnuplot_probe_start(void)
{
	if (terminals_asked)
		return;
	if (probe_spawn() == 0)
		atexit(probe_stop);
}

/* Asks gnuplot once for its terminals. */
static const char *get_terminals(void)
{
	if (!terminals_asked)
		(void)probe_spawn();
	probe_collect();
	return terminals;
}

int gnuplot_check(char **cause)
{
	if (get_terminals() != NULL)
		return 0;
	*cause = xstrdup(probe_cause != NULL ? probe_cause : "gnuplot did not answer");
	return -1;
}

bool gnuplot_has_terminal(const char *terminal)
{
	const char *list = get_terminals();
	char *pat;
	bool found;

	if (list == NULL || terminal == NULL || *terminal == '\0' || strchr(terminal, ' ') != NULL)
		return false;
	pat = xasprintf(" %s ", terminal);
	found = strstr(list, pat) != NULL;
	free(pat);
	return found;
}

/* True when something accepts a connection on the socket at ADDR (LEN
 * bytes), within TIMEOUT_MS. */
static bool accepts(int family, const struct sockaddr *addr, socklen_t len, int timeout_ms)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bool ok = false;

	if (fd < 0)
		return false;
	if (connect(fd, addr, len) == 0) {
		ok = true;
	} else if (errno == EINPROGRESS) {
		struct pollfd pfd = { .fd = fd, .events = POLLOUT };
		int e = 0;
		socklen_t elen = sizeof e;

		ok = poll(&pfd, 1, timeout_ms) == 1 &&
		     getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) == 0 && e == 0;
	}
	close(fd);
	return ok;
}

/* True when a local stream socket at PATH (ABSTRACT: in Linux's abstract
 * namespace) accepts a connection. */
static bool unix_accepts(const char *path, bool abstract)
{
	struct sockaddr_un sun;
	size_t len = strlen(path);

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (len + 1 >= sizeof sun.sun_path)
		return false;
	memcpy(sun.sun_path + (abstract ? 1 : 0), path, len);
	return accepts(AF_UNIX, (struct sockaddr *)&sun,
	               (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (abstract ? 1 : 0)), 1000);
}

/* True when an X server may answer at DISPLAY: its socket accepts a
 * connection (":N" and "unix:N" the local socket, "HOST:N" TCP port
 * 6000+N, as with ssh -X).  Forms not understood here count as
 * reachable: gnuplot then decides. */
static bool x_reachable(const char *display)
{
	const char *colon = strrchr(display, ':');
	char path[64], port[16];
	char *host, *end;
	long n;
	bool ok = false;

	if (colon == NULL)
		return false; /* Xlib needs HOST:N too */
	errno = 0;
	n = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || errno != 0 || n < 0 || n > 59535 || (*end != '\0' && *end != '.') ||
	    (colon > display && colon[-1] == ':') || display[0] == '/')
		return true; /* DECnet, a launchd socket path, ...: not ours to judge */
	host = xstrndup(display, (size_t)(colon - display));
	if (*host == '\0' || strcmp(host, "unix") == 0) {
		snprintf(path, sizeof path, "/tmp/.X11-unix/X%ld", n);
		ok = unix_accepts(path, true) || unix_accepts(path, false);
	} else {
		struct addrinfo hints, *res = NULL;

		memset(&hints, 0, sizeof hints);
		hints.ai_socktype = SOCK_STREAM;
		snprintf(port, sizeof port, "%ld", 6000 + n);
		if (getaddrinfo(host, port, &hints, &res) == 0) {
			for (struct addrinfo *ai = res; ai != NULL && !ok; ai = ai->ai_next)
				ok = accepts(ai->ai_family, ai->ai_addr, ai->ai_addrlen, 2000);
			freeaddrinfo(res);
		}
	}
	free(host);
	return ok;
}

/* True when a Wayland compositor answers at NAME (WAYLAND_DISPLAY: a path,
 * or a name in $XDG_RUNTIME_DIR). */
static bool wayland_reachable(const char *name)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	char *path;
	bool ok;

	if (name[0] == '/')
		return unix_accepts(name, false);
	if (dir == NULL || *dir == '\0')
		return false;
	path = xasprintf("%s/%s", dir, name);
	ok = unix_accepts(path, false);
	free(path);
	return ok;
}

const char *gnuplot_window_terminal(void)
{
	static const char *const interactive[] = { "qt", "wxt", "x11" };

	/* A display nobody answers on (a dead ssh -X forwarding, a stopped
	 * X server) would make gnuplot fail; the caller then draws text. */
	if (!(env_set("DISPLAY") && x_reachable(getenv("DISPLAY"))) &&
	    !(env_set("WAYLAND_DISPLAY") && wayland_reachable(getenv("WAYLAND_DISPLAY"))))
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(interactive); i++) {
		if (gnuplot_has_terminal(interactive[i]))
			return interactive[i];
	}
	return NULL;
}

/* The outcome of a gnuplot run R (its stderr freed): 0 with *warnings
 * (what it said, or NULL) when it exited 0, else -1 with *cause. */
static int run_result(struct gp_result *r, char **warnings, char **cause)
{
	char *msg = clean_stderr(r);

	buf_free(&r->err);
	if (r->timed_out) {
		free(msg);
		*cause = timeout_message();
		return -1;
	}
	if (WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0) {
		*warnings = msg;
		return 0;
	}
	*cause = failure_message(r->status, msg);
	free(msg);
	return -1;
}

/* A gnuplot reading its script from a pipe (`gnuplot -d /dev/stdin`): IN
 * is the write end of its stdin, R collects its stderr as it comes. */
struct gp_session {
	pid_t pid;
	bool running;      /* started, not yet waited for */
	int errfd, in;
	bool err_open;     /* errfd not at its end yet */
	struct gp_result r;
	FILE *fp;          /* the script stream, once asked for */
	char buffer[65536]; /* its buffer (glibc ignores setvbuf's size without one) */
	sigset_t mask;     /* the signal mask before SIGPIPE was held */
	long long deadline; /* of the chart being drawn (0: none) */
	unsigned charts;   /* charts synced so far: the marker's number */
	bool window;       /* gp_session_start_window: never stopped at a deadline */
	int exit_status;   /* gp_session_wait saw it exit: its wait status */
	bool exited;       /* ... and that is exit_status */
};

/* A session: gnuplot started with ARGV, reading its stdin from our pipe.
 * NULL with *cause when it cannot start. */
static struct gp_session *session_spawn(char **argv, char **cause)
{
	int in[2];

	if (pipe2(in, O_CLOEXEC) != 0) {
		*cause = xasprintf("cannot make a pipe for gnuplot: %s", strerror(errno));
		return NULL;
	}
	struct gp_session *s = xcalloc(1, sizeof *s);
	if (spawn_start(argv, in[0], -1, &s->pid, &s->errfd, cause) != 0) {
		close(in[0]);
		close(in[1]);
		free(s);
		return NULL;
	}
	close(in[0]);
	s->in = in[1];
	s->running = true;
	s->err_open = true;
	return s;
}

struct gp_session *gp_session_start(const char *prelude, char **cause)
{
	char *argv[] = { NULL, "-d", "/dev/stdin", NULL };
	struct gp_session *s = session_spawn(argv, cause);

	if (s == NULL)
		return NULL;
	if (prelude != NULL && strlen(prelude) <= PIPE_BUF) {
		/* Into the empty pipe at once (never blocks).  A gnuplot that
		 * has already gone fails the write (EPIPE, no signal); its
		 * status says why later. */
		sigset_t old;

		sigpipe_hold(&old);
		if (write(s->in, prelude, strlen(prelude)) < 0) {
			/* nothing more to do */
		}
		sigpipe_release(&old);
	}
	return s;
}

struct gp_session *gp_session_start_window(char **cause)
{
	/* No script file: commands come on stdin, read between events. */
	char *argv[] = { NULL, "-d", NULL };
	struct gp_session *s = session_spawn(argv, cause);

	if (s != NULL)
		s->window = true;
	return s;
}

static int session_poll(struct gp_session *s, int fd, short events);

bool gp_session_wait(struct gp_session *s, double seconds)
{
	if (!s->running || !s->err_open)
		return true;
	long long saved = s->deadline;
	long long ms = (long long)(seconds * 1000);
	s->deadline = now_ms() + (ms > 0 ? ms : 1);
	bool ended = false;
	for (;;) {
		int rc = session_poll(s, -1, 0);
		if (rc == 0) {
			ended = true; /* its stderr ended: gnuplot has gone */
			break;
		}
		if (rc < 0)
			break; /* the time is up */
	}
	s->deadline = saved;
	if (ended) {
		pid_t got = 0;
		int st;
		/* Its stderr is closed: it is gone or going. */
		if (wait_child(s->pid, &st, 0, &got) == 0) {
			s->running = false;
			s->exited = got == s->pid;
			s->exit_status = st;
			cleanup_remove_child(s->pid);
		}
	}
	return ended;
}

bool gp_session_closed(const struct gp_session *s)
{
	return s->exited && WIFEXITED(s->exit_status) && WEXITSTATUS(s->exit_status) == 0;
}

void gp_session_free(struct gp_session *s)
{
	if (!s)
		return;
	if (s->running) {
		/* gnuplot first: a script stream still open then fails its
		 * last flush at once. */
		kill_child(s->pid);
		s->running = false;
	}
	if (s->fp) {
		fclose(s->fp); /* closes s->in (session_close) */
		sigpipe_release(&s->mask);
	}
	if (s->in >= 0)
		close(s->in);
	if (s->errfd >= 0)
		close(s->errfd);
	buf_free(&s->r.err);
	free(s);
}

/* Reads what gnuplot wrote to stderr now into S->r.  Unlike drain(), a
 * session keeps reading for as long as gnuplot runs, so the middle of a
 * long stream of warnings is dropped: the first and the last STDERR_KEEP
 * bytes are kept (a chart's marker is at the end).  Returns false at end of
 * file or on a read error. */
static bool session_drain(struct gp_session *s)
{
	char chunk[4096];
	ssize_t n = read(s->errfd, chunk, sizeof chunk);

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return false;
	struct buf *e = &s->r.err;
	buf_append(e, chunk, (size_t)n);
	if (e->len > 4 * STDERR_KEEP) {
		memmove(e->data + STDERR_KEEP, e->data + e->len - STDERR_KEEP, STDERR_KEEP + 1);
		e->len = 2 * STDERR_KEEP;
		s->r.cut = true;
	}
	return true;
}

/* Waits until FD (or, with FD -1, gnuplot's stderr) is ready for EVENTS,
 * reading gnuplot's stderr meanwhile, until the chart's deadline.  Returns
 * FD's revents (with FD -1: 1 when stderr brought something), 0 when
 * gnuplot's stderr has ended (FD -1 only), or -1 with errno (ETIMEDOUT at
 * the deadline). */
static int session_poll(struct gp_session *s, int fd, short events)
{
	for (;;) {
		if (fd < 0 && !s->err_open)
			return 0;
		struct pollfd pfd[2] = { { .fd = fd, .events = events },
		                         { .fd = s->err_open ? s->errfd : -1, .events = POLLIN } };
		int wait_ms = -1;

		if (s->deadline > 0) {
			long long left = s->deadline - now_ms();

			if (left <= 0) {
				errno = ETIMEDOUT;
				return -1;
			}
			wait_ms = left < INT_MAX ? (int)left : INT_MAX;
		}
		if (poll(pfd, 2, wait_ms) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		bool got_err = pfd[1].revents != 0;
		if (got_err && !session_drain(s))
			s->err_open = false;
		if (fd >= 0 && pfd[0].revents != 0)
			return pfd[0].revents;
		if (fd < 0 && got_err)
			return s->err_open ? 1 : 0;
	}
}

/* Stream write function: BUF goes to gnuplot's stdin while its stderr is
 * read, so that neither side can block the other.  Returns SIZE, or 0
 * with errno set (fopencookie's convention: never negative) once gnuplot
 * stops reading (EPIPE), the pipe is gone or the time is up. */
static ssize_t session_write(void *cookie, const char *buf, size_t size)
{
	struct gp_session *s = cookie;
	size_t off = 0;

	while (off < size) {
		if (s->in < 0) {
			errno = EPIPE;
			return 0;
		}
		int ev = session_poll(s, s->in, POLLOUT);
		if (ev < 0)
			return 0;
		if ((ev & (POLLERR | POLLHUP | POLLNVAL)) != 0) {
			errno = EPIPE;
			return 0;
		}
		if ((ev & POLLOUT) == 0)
			continue;
		ssize_t n = write(s->in, buf + off, size - off);

		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			return 0; /* EPIPE: gnuplot has gone */
	}
	return (ssize_t)size;
}

/* Stream close function: gnuplot sees the end of its script. */
static int session_close(void *cookie)
{
	struct gp_session *s = cookie;

	close(s->in);
	s->in = -1;
	return 0;
}

FILE *gp_session_script(struct gp_session *s)
{
	static const cookie_io_functions_t io = { .write = session_write, .close = session_close };

	if (!s->running || s->in < 0)
		return NULL;
	if (!s->fp) {
		probe_collect();
		s->fp = fopencookie(s, "w", io);
		if (s->fp == NULL)
			return NULL;
		setvbuf(s->fp, s->buffer, _IOFBF, sizeof s->buffer);
		fcntl(s->in, F_SETFL, fcntl(s->in, F_GETFL) | O_NONBLOCK);
		sigpipe_hold(&s->mask); /* until the stream is closed */
	}
	s->deadline = s->window ? 0 : deadline_from_now();
	return s->fp;
}

/* gnuplot has stopped (or must be stopped at the deadline): waits for it
 * and says why it stopped. */
static int session_end(struct gp_session *s, bool cut, char **warnings, char **cause)
{
	s->running = false;
	int rc = spawn_finish(s->pid, s->errfd, &s->r, s->deadline, cause);
	s->errfd = -1;
	if (rc != 0) {
		buf_free(&s->r.err);
		return -1;
	}
	if (run_result(&s->r, warnings, cause) != 0)
		return -1;
	if (cut) {
		free(*warnings);
		*warnings = NULL;
		*cause = xstrdup("gnuplot ended before reading all of its script");
		return -1;
	}
	return 0;
}

int gp_session_sync(struct gp_session *s, char **warnings, char **cause)
{
	*warnings = NULL;
	if (!s->fp || !s->running) {
		*cause = xstrdup("gnuplot is not running");
		return -1;
	}
	char marker[64];
	snprintf(marker, sizeof marker, "trcompare-plot: chart %u drawn", ++s->charts);
	/* gnuplot prints to stderr; a line of its own, after what the chart
	 * made it say. */
	fprintf(s->fp, "\nprint \"%s\"\n", marker);
	bool cut = fflush(s->fp) != 0 || ferror(s->fp);
	size_t mlen = strlen(marker);
	while (!cut) {
		/* (memmem: gnuplot's stderr may hold a NUL byte.) */
		char *at = s->r.err.len ? memmem(s->r.err.data, s->r.err.len, marker, mlen) : NULL;
		if (at && (size_t)(at - s->r.err.data) + mlen < s->r.err.len && at[mlen] == '\n') {
			/* What came before the marker is this chart's. */
			size_t before = (size_t)(at - s->r.err.data);
			struct gp_result r = { .status = 0 };
			buf_append(&r.err, s->r.err.data, before);
			size_t rest = s->r.err.len - before - mlen - 1;
			memmove(s->r.err.data, at + mlen + 1, rest + 1);
			s->r.err.len = rest;
			return run_result(&r, warnings, cause);
		}
		int rc = session_poll(s, -1, 0);
		if (rc <= 0)
			break; /* stderr ended (gnuplot stopped) or time is up */
	}
	/* gnuplot stopped before drawing all of it (an error in the script)
	 * or the time is up (spawn_finish then stops it): its status says
	 * which. */
	fclose(s->fp);
	s->fp = NULL;
	sigpipe_release(&s->mask);
	return session_end(s, true, warnings, cause);
}

int gp_session_finish(struct gp_session *s, char **warnings, char **cause)
{
	*warnings = NULL;
	if (!s->running) {
		*cause = xstrdup("gnuplot is not running");
		return -1;
	}
	bool cut = false;
	if (s->fp) {
		/* A script gnuplot did not read all of: its status says why, or
		 * (exit 0) it stopped early. */
		cut = ferror(s->fp) != 0;
		cut = fclose(s->fp) != 0 || cut;
		s->fp = NULL;
		sigpipe_release(&s->mask);
	} else {
		close(s->in);
		s->in = -1;
	}
	return session_end(s, cut, warnings, cause);
}

/* gnuplot_run and gnuplot_run_window: within the time limit when LIMITED. */
static int run_file(const char *script_path, bool limited, char **warnings, char **cause)
{
	char *argv[] = { NULL, "-d", (char *)script_path, NULL };
	struct gp_result r;

	*warnings = NULL;
	if (spawn_gnuplot(argv, -1, limited, &r, cause) != 0)
		return -1;
	return run_result(&r, warnings, cause);
}

int gnuplot_run(const char *script_path, char **warnings, char **cause)
{
	return run_file(script_path, true, warnings, cause);
}

int gnuplot_run_window(const char *script_path, char **warnings, char **cause)
{
	return run_file(script_path, false, warnings, cause);
}
