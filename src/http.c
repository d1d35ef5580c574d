/* http.c: see http.h.
 *
 * One libcurl multi handle drives every transfer.  Redirects are followed
 * here rather than by libcurl so that the token header is sent only to the
 * origin it belongs to (libcurl would forward a custom X-API-Key header to
 * any host a server names).  A retry or a redirect replaces the transfer's
 * easy handle; the request keeps its place in the queue. */
#include "config.h"

#include "http.h"

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "text.h"
#include "util.h"

#define HTTP_MAX_REDIRECTS 5
#define HTTP_ERRBODY_MAX (64 * 1024) /* bytes of an HTML page kept (its title) */
#define HTTP_MSG_CHARS 300           /* characters of a server message shown */
#define HTTP_BACKOFF_FIRST 1.0       /* seconds before the first retry */
#define HTTP_BACKOFF_MAX 30.0        /* longest backoff between retries */
#define HTTP_RETRY_AFTER_MAX 60.0    /* longest Retry-After honoured */
#define HTTP_TICK 0.25               /* seconds between progress calls */
#define HTTP_ERRFIELD_MAX 4096       /* bytes of an error body's "error" kept */
#define HTTP_TITLE_CHARS 100         /* characters of an HTML page's title shown */

enum xfer_state { XFER_WAITING, XFER_ACTIVE, XFER_DONE };
enum body_mode { BODY_UNDECIDED, BODY_SINK, BODY_ERROR, BODY_DISCARD, BODY_HTML };

/* The top-level strings of a JSON error body that make its message. */
enum { EF_ERROR, EF_DETAILS, EF_DETAIL, EF_N };
static const char *const errfield_names[EF_N] = { "error", "details", "detail" };

/* A streaming scan of an error body for its top-level "error", "details"
 * and "detail" strings, however long the body (a 64 KiB prefix cut by a
 * long trace would not parse): fed byte by byte, it keeps the first value
 * of each (HTTP_ERRFIELD_MAX bytes of it) and nothing else. */
struct errscan {
	int depth;           /* nesting depth; the body's object is depth 1 */
	bool in_str, esc, is_key, want_key;
	int hex;             /* digits of a \uXXXX escape still to skip */
	int pending;         /* the field whose value comes next, or -1 */
	int capture;         /* the field being read, or -1 */
	char key[16];
	size_t klen;
	bool klong;
	struct buf val[EF_N];
	bool got[EF_N];
};

/* One request's transfer state across attempts and redirects. */
struct xfer {
	struct http_request *req;
	const struct fetch_config *opts;
	char *const *token_origins;   /* borrowed: origins that get the token */
	size_t ntoken_origins;
	char *first_origin;           /* origin of the request's URL (owned) */
	CURL *easy;
	struct curl_slist *headers;
	char *url;                    /* current URL (owned) */
	int redirects;
	enum xfer_state state;
	double not_before;            /* monotonic time the next attempt may start */
	enum body_mode mode;
	bool sunk;                    /* the sink got bytes on this request */
	bool too_big;
	bool sent_token;              /* this attempt carries the token */
	double t_start;               /* monotonic start of this attempt */
	char *sink_err;               /* sink's message, owned */
	struct buf errbody;           /* start of an HTML answer (its title) */
	struct errscan scan;          /* the error body's message */
	char reason[128];             /* status line's reason phrase */
	char errbuf[CURL_ERROR_SIZE];
};

static void (*progress_fn)(void *ctx, const struct http_request *reqs, size_t n, double elapsed);
static void *progress_ctx;
static void (*log_fn)(void *ctx, const char *line);
static void *log_ctx;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* Sets the verbose log hook (see http.h). */
void http_set_log(void (*fn)(void *ctx, const char *line), void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

/* TEXT without the userinfo of its URLs (see http.h). */
/* Is the query parameter NAME (LEN bytes) a secret: its name holds
 * "token", "key", "secret", "password" or "sig" (any case)? */
static bool secret_param(const char *name, size_t len)
{
	static const char *const words[] = {"token", "key", "secret", "password", "sig"};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		size_t w = strlen(words[i]);
		for (size_t k = 0; k + w <= len; k++)
			if (strncasecmp(name + k, words[i], w) == 0)
				return true;
	}
	return false;
}

/* TEXT with the value of every secret query parameter of its URLs made
 * "REDACTED" (a URL ends at white space or a quote; a ':' that ends it is
 * the message's, not the value's).  malloc'd. */
static char *redact_query(const char *text)
{
	struct buf b = { 0 };
	const char *p = text, *s;
	buf_puts(&b, "");
	while ((s = strstr(p, "://")) != NULL) {
		const char *end = s + strcspn(s, " \t\r\n\"'<>");
		const char *q = memchr(s, '?', (size_t)(end - s));
		const char *frag = memchr(s, '#', (size_t)(end - s));
		if (!q || (frag && frag < q)) {
			buf_append(&b, p, (size_t)(end - p));
			p = end;
			continue;
		}
		const char *qend = frag ? frag : end;
		if (!frag && qend > q && qend[-1] == ':')
			qend--;
		buf_append(&b, p, (size_t)(q + 1 - p));
		for (const char *a = q + 1; a < qend;) {
			const char *amp = memchr(a, '&', (size_t)(qend - a));
			const char *e = amp ? amp : qend;
			const char *eq = memchr(a, '=', (size_t)(e - a));
			if (eq && secret_param(a, (size_t)(eq - a))) {
				buf_append(&b, a, (size_t)(eq + 1 - a));
				buf_puts(&b, "REDACTED");
			} else {
				buf_append(&b, a, (size_t)(e - a));
			}
			if (amp)
				buf_append(&b, amp, 1);
			a = amp ? amp + 1 : e;
		}
		p = qend;
	}
	buf_puts(&b, p);
	return b.data;
}

char *http_redact(const char *text)
{
	struct buf b = { 0 };
	const char *p = text, *s;

	buf_puts(&b, "");
	/* "user:pw@host:port/..." without a scheme (a mistyped --url). */
	if (!strstr(text, "://")) {
		size_t alen = strcspn(text, "/?#\\ \t\r\n\"'<>");
		const char *at = memrchr(text, '@', alen);

		if (at && memchr(text, ':', (size_t)(at - text)))
			p = at + 1;
	}
	while ((s = strstr(p, "://")) != NULL) {
		/* The authority ends at the path, query, fragment or white space;
		 * its last '@' ends the userinfo. */
		const char *auth = s + 3, *at = NULL;
		size_t alen = strcspn(auth, "/?#\\ \t\r\n\"'<>");

		for (const char *q = auth; q < auth + alen; q++)
			if (*q == '@')
				at = q;
		buf_append(&b, p, (size_t)(auth - p));
		p = at ? at + 1 : auth;
	}
	buf_puts(&b, p);
	char *r = redact_query(b.data);
	free(b.data);
	return r;
}

/* URL without its userinfo, sanitized, for the log.  malloc'd. */
static char *url_for_log(const char *url)
{
	char *r = http_redact(url);
	char *out = text_sanitize(r, strlen(r), HTTP_MSG_CHARS, "(URL)");

	free(r);
	return out;
}

/* Sends one printf-formatted line to the log hook, if any. */
static void PRINTF_LIKE(1, 2) http_log(const char *fmt, ...)
{
	va_list ap;
	char *line;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	log_fn(log_ctx, line);
	free(line);
}

/* Sets the progress hook (see http.h). */
void http_set_progress(void (*fn)(void *ctx, const struct http_request *reqs, size_t n,
				  double elapsed), void *ctx)
{
	progress_fn = fn;
	progress_ctx = ctx;
}

/* libcurl's global set-up, once per process. */
static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* Monotonic seconds. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* URL-escapes S (see http.h). */
char *http_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = { 0 };

	buf_puts(&b, "");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			buf_append(&b, p, 1);
		} else {
			char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			buf_append(&b, e, 3);
		}
	}
	return b.data;
}

/* "scheme://host:port" of URL (scheme and host in lower case, the default
 * port filled in), then with IDENTITY an IPv6 host's zone and the path
 * without trailing slashes (http_url_identity); NULL when URL is not
 * http(s).  malloc'd. */
static char *url_server(const char *url, bool identity)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *zone = NULL, *out = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    (!identity || curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) &&
	    (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0)) {
		size_t plen = path ? strlen(path) : 0;
		while (plen > 0 && path[plen - 1] == '/')
			plen--;
		out = xasprintf("%s://%s", scheme, host);
		for (char *p = out; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		/* An IPv6 link-local host's zone (its interface: "[fe80::1%25eth0]"
		 * and "[fe80::1%25eth1]" are two hosts; libcurl's HOST leaves
		 * it out), its case kept as interface names keep theirs. */
		size_t hlen = strlen(out);
		bool zoned = identity && hlen > 0 && out[hlen - 1] == ']' &&
			     curl_url_get(u, CURLUPART_ZONEID, &zone, 0) == CURLUE_OK && zone && *zone;
		char *with = xasprintf("%.*s%s%s%s:%s%.*s", (int)(zoned ? hlen - 1 : hlen), out, zoned ? "%25" : "",
				       zoned ? zone : "", zoned ? "]" : "", port, (int)plen, path ? path : "");
		free(out);
		out = with;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(zone);
	curl_url_cleanup(u);
	return out;
}

/* "scheme://host:port" of URL (lower case, default port filled in), or NULL
 * when URL is not http(s).  malloc'd. */
static char *url_origin(const char *url)
{
	return url_server(url, false);
}

/* The server URL identity of URL (see http.h). */
char *http_url_identity(const char *url)
{
	return url_server(url, true);
}

/* What URL carries besides its server (see http.h). */
char *http_url_access(const char *url)
{
	CURLU *u = curl_url();
	char *user = NULL, *pw = NULL, *query = NULL, *out;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
		(void)curl_url_get(u, CURLUPART_USER, &user, 0);
		(void)curl_url_get(u, CURLUPART_PASSWORD, &pw, 0);
		(void)curl_url_get(u, CURLUPART_QUERY, &query, 0);
	}
	out = user || pw || query ? xasprintf("%s%s%s?%s", user ? user : "", pw ? ":" : "", pw ? pw : "",
					      query ? query : "")
				  : xstrdup("");
	curl_free(user);
	curl_free(pw);
	curl_free(query);
	curl_url_cleanup(u);
	return out;
}

/* True when URL is an http(s) URL with a host (see http.h). */
bool http_is_api_url(const char *url)
{
	char *origin;

	if (!url || (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0))
		return false;
	origin = url_origin(url);
	free(origin);
	return origin != NULL;
}

/* Parses an origin (see http.h). */
int http_parse_origin(const char *s, char **origin)
{
	CURLU *u = curl_url();
	char *path = NULL, *query = NULL, *frag = NULL, *user = NULL;
	int ret = -1;

	*origin = NULL;
	if (http_is_api_url(s) && curl_url_set(u, CURLUPART_URL, s, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PATH, &path, 0);
		curl_url_get(u, CURLUPART_QUERY, &query, 0);
		curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0);
		curl_url_get(u, CURLUPART_USER, &user, 0);
		if ((!path || strcmp(path, "/") == 0 || !*path) && !query && !frag && !user &&
		    s[strlen(s) - 1] != '?' && s[strlen(s) - 1] != '#') {
			*origin = url_origin(s);
			ret = *origin ? 0 : -1;
		}
	}
	curl_free(path);
	curl_free(query);
	curl_free(frag);
	curl_free(user);
	curl_url_cleanup(u);
	return ret;
}

/* The URL of PATH under BASE (see http.h). */
char *http_url_join(const char *base, const char *path)
{
	size_t blen = strcspn(base, "?#");
	const char *bq = base[blen] == '?' ? base + blen + 1 : NULL;
	size_t bqlen = bq ? strcspn(bq, "#") : 0;
	size_t plen = strcspn(path, "?");
	const char *pq = path[plen] == '?' ? path + plen + 1 : NULL;
	struct buf b = { 0 };

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	buf_append(&b, base, blen);
	if (*path != '/')
		buf_puts(&b, "/");
	buf_append(&b, path, plen);
	if (bqlen || (pq && *pq)) {
		buf_puts(&b, "?");
		buf_append(&b, bq ? bq : "", bqlen);
		if (bqlen && pq && *pq)
			buf_puts(&b, "&");
		buf_puts(&b, pq ? pq : "");
	}
	buf_puts(&b, "");
	return b.data;
}

/* Feeds byte C of an error body to the scan (see struct errscan). */
static void errscan_byte(struct errscan *s, char c)
{
	if (s->in_str) {
		char out = c;

		if (s->hex > 0) {
			s->hex--;
			return;
		}
		if (s->esc) {
			s->esc = false;
			if (c == 'n' || c == 'r' || c == 't' || c == 'b' || c == 'f') {
				out = ' ';
			} else if (c == 'u') {
				s->hex = 4;
				out = '?';
			}
		} else if (c == '\\') {
			s->esc = true;
			return;
		} else if (c == '"') {
			s->in_str = false;
			if (s->is_key) {
				s->is_key = false;
				s->pending = -1;
				for (int k = 0; k < EF_N && !s->klong; k++)
					if (strlen(errfield_names[k]) == s->klen &&
					    memcmp(errfield_names[k], s->key, s->klen) == 0)
						s->pending = k;
			} else if (s->capture >= 0) {
				s->got[s->capture] = true;
				s->capture = -1;
			}
			return;
		}
		if (s->is_key) {
			if (s->klen < sizeof s->key)
				s->key[s->klen++] = out;
			else
				s->klong = true;
		} else if (s->capture >= 0 && s->val[s->capture].len < HTTP_ERRFIELD_MAX) {
			buf_append(&s->val[s->capture], &out, 1);
		}
		return;
	}
	switch (c) {
	case '"':
		s->in_str = true;
		if (s->depth == 1 && s->want_key) {
			s->is_key = true;
			s->klen = 0;
			s->klong = false;
			s->want_key = false;
		} else if (s->depth == 1) {
			if (s->pending >= 0 && !s->got[s->pending]) {
				s->capture = s->pending;
				s->val[s->capture].len = 0;
			}
			s->pending = -1;
		}
		break;
	case '{':
	case '[':
		if (++s->depth == 1)
			s->want_key = c == '{';
		else if (s->depth == 2)
			s->pending = -1;
		break;
	case '}':
	case ']':
		s->depth--;
		break;
	case ',':
		if (s->depth == 1) {
			s->want_key = true;
			s->pending = -1;
		}
		break;
	case ':':
	case ' ':
	case '\t':
	case '\r':
	case '\n':
		break;
	default:
		if (s->depth == 1)
			s->pending = -1; /* a number or literal */
		break;
	}
}

/* Forgets what the scan found (a new attempt). */
static void errscan_reset(struct errscan *s)
{
	struct buf val[EF_N];

	memcpy(val, s->val, sizeof val);
	memset(s, 0, sizeof *s);
	for (int k = 0; k < EF_N; k++) {
		s->val[k] = val[k];
		s->val[k].len = 0;
	}
	s->pending = s->capture = -1;
}

/* True when Content-Type CT is an HTML page. */
static bool is_html(const char *ct)
{
	return strncasecmp(ct, "text/html", 9) == 0 || strncasecmp(ct, "application/xhtml", 17) == 0;
}

/* "the server sent an HTML page, not JSON ("TITLE")" from the page's
 * <title>, decoded a little, sanitized, white space squeezed.  malloc'd. */
static char *html_message(const struct buf *page)
{
	const char *d = page->data ? page->data : "", *end = d + page->len, *t = NULL;
	struct buf b = { 0 };
	char *title, *msg;

	for (const char *p = d; p + 6 < end && !t; p++)
		if (strncasecmp(p, "<title", 6) == 0 && (p[6] == '>' || p[6] == ' ' || p[6] == '\t' ||
							  p[6] == '\n' || p[6] == '\r'))
			t = p + 6;
	while (t && t < end && *t != '>')
		t++;
	for (const char *p = t ? t + 1 : end; p < end && *p != '<'; p++) {
		static const char *const ent[][2] = { { "&amp;", "&" }, { "&lt;", "<" }, { "&gt;", ">" },
						      { "&quot;", "\"" }, { "&#39;", "'" }, { "&nbsp;", " " } };
		bool done = false;

		for (size_t k = 0; k < ARRAY_SIZE(ent) && !done; k++) {
			size_t n = strlen(ent[k][0]);

			if ((size_t)(end - p) >= n && strncasecmp(p, ent[k][0], n) == 0) {
				buf_puts(&b, ent[k][1]);
				p += n - 1;
				done = true;
			}
		}
		if (done)
			continue;
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			if (b.len && b.data[b.len - 1] != ' ')
				buf_puts(&b, " ");
		} else {
			buf_append(&b, p, 1);
		}
	}
	while (b.len && b.data[b.len - 1] == ' ')
		b.len--;
	title = b.len ? text_sanitize(b.data, b.len, HTTP_TITLE_CHARS, "") : xstrdup("");
	buf_free(&b);
	msg = *title ? xasprintf("the server sent an HTML page, not JSON (\"%s\")", title)
		     : xstrdup("the server sent an HTML page, not JSON");
	free(title);
	return msg;
}

/* The value of header NAME (with its colon) in the header line DATA[0..N)
 * when it is that header and its value is printable text: malloc'd, else
 * NULL. */
static char *header_value(const char *data, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (n <= k || strncasecmp(data, name, k) != 0)
		return NULL;
	size_t i = k, end = n;
	while (i < end && (data[i] == ' ' || data[i] == '\t'))
		i++;
	while (end > i && (data[end - 1] == '\r' || data[end - 1] == '\n' || data[end - 1] == ' '))
		end--;
	if (end == i || end - i > 256)
		return NULL;
	for (size_t j = i; j < end; j++)
		if ((unsigned char)data[j] < 0x20 || data[j] == 0x7f)
			return NULL;
	return xstrndup(data + i, end - i);
}

/* libcurl header callback: keeps the reason phrase of the last status
 * line, and the validators of its answer when asked for. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;
	struct http_request *r = x->req;
	char *v;

	if (r->validators && (v = header_value(data, n, "ETag:")) != NULL) {
		free(r->etag);
		r->etag = v;
	} else if (r->validators && (v = header_value(data, n, "Last-Modified:")) != NULL) {
		free(r->last_modified);
		r->last_modified = v;
	}

	if (n > 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* "HTTP/1.1 404 Not Found\r\n": skip version and code. */
		size_t i = 5, start;

		while (i < n && data[i] != ' ')
			i++;
		while (i < n && data[i] == ' ')
			i++;
		while (i < n && data[i] >= '0' && data[i] <= '9')
			i++;
		while (i < n && data[i] == ' ')
			i++;
		start = i;
		while (i < n && data[i] != '\r' && data[i] != '\n')
			i++;
		if (i - start >= sizeof x->reason)
			i = start + sizeof x->reason - 1;
		memcpy(x->reason, data + start, i - start);
		x->reason[i - start] = '\0';
		x->mode = BODY_UNDECIDED;
		/* Validators belong to the answer whose status line this is. */
		free(r->etag);
		free(r->last_modified);
		r->etag = r->last_modified = NULL;
	}
	return n;
}

/* libcurl write callback: body bytes to the sink (2xx, file://), to the
 * error buffer (4xx/5xx), or nowhere (redirects). */
static size_t on_body(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	struct http_request *r = x->req;
	size_t n = size * nmemb;

	if (x->mode == BODY_UNDECIDED) {
		long code = 0;

		curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200 && code < 300) {
			char *ct = NULL;

			curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
			x->mode = ct && is_html(ct) ? BODY_HTML : BODY_SINK;
		} else if (code == 0)
			x->mode = BODY_SINK;
		else if (code >= 300 && code < 400)
			x->mode = BODY_DISCARD;
		else
			x->mode = BODY_ERROR;
	}
	switch (x->mode) {
	case BODY_SINK:
		if (x->opts->max_filesize > 0 &&
		    (long long)(r->bytes + n) > x->opts->max_filesize) {
			x->too_big = true;
			return 0;
		}
		r->bytes += n;
		x->sunk = true;
		if (r->sink && r->sink(r->ctx, data, n, &x->sink_err) < 0) {
			if (!x->sink_err)
				x->sink_err = xstrdup("invalid data");
			return 0;
		}
		break;
	case BODY_ERROR:
		for (size_t i = 0; i < n; i++)
			errscan_byte(&x->scan, data[i]);
		break;
	case BODY_HTML:
		if (x->errbody.len < HTTP_ERRBODY_MAX)
			buf_append(&x->errbody, data,
				   n < HTTP_ERRBODY_MAX - x->errbody.len ? n : HTTP_ERRBODY_MAX - x->errbody.len);
		break;
	default:
		break;
	}
	return n;
}

/* Creates and configures the easy handle for X's next attempt. */
static void xfer_start(struct xfer *x, CURLM *multi)
{
	const struct fetch_config *o = x->opts;
	CURL *e = curl_easy_init();
	char *origin;

	if (!e)
		oom(); /* curl_easy_init fails only when out of memory */
	x->easy = e;
	x->mode = BODY_UNDECIDED;
	x->too_big = false;
	x->reason[0] = '\0';
	x->errbuf[0] = '\0';
	x->errbody.len = 0;
	errscan_reset(&x->scan);
	x->req->bytes = 0;
	x->req->http_status = 0;
	x->req->attempts++;

	curl_slist_free_all(x->headers);
	x->headers = curl_slist_append(NULL, "Accept: application/json");
	x->sent_token = false;
	x->t_start = now();
	origin = url_origin(x->url);
	/* The token stays on the origin the request started on, and that
	 * must be the API's or one the user named. */
	bool allowed = false;
	for (size_t i = 0; i < x->ntoken_origins && origin && x->first_origin; i++)
		allowed |= strcmp(origin, x->token_origins[i]) == 0 &&
			   strcmp(origin, x->first_origin) == 0;
	if (o->token && *o->token && allowed) {
		char *h = o->auth == AUTH_X_API_KEY ? xasprintf("X-API-Key: %s", o->token)
						    : xasprintf("Authorization: Bearer %s", o->token);
		x->headers = curl_slist_append(x->headers, h);
		x->sent_token = true;
		/* curl copied it; wipe ours. */
		memset(h, 0, strlen(h));
		free(h);
	}
	free(origin);
	if (x->req->post_json)
		x->headers = curl_slist_append(x->headers, "Content-Type: application/json");
	if (x->req->validators && x->req->if_none_match) {
		char *h = xasprintf("If-None-Match: %s", x->req->if_none_match);
		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
	if (x->req->validators && x->req->if_modified_since) {
		char *h = xasprintf("If-Modified-Since: %s", x->req->if_modified_since);
		x->headers = curl_slist_append(x->headers, h);
		free(h);
	}
	if (log_fn) {
		char *shown = url_for_log(x->url);

		http_log("%s %s%s", x->req->post_json ? "POST" : "GET", shown,
			 !x->sent_token ? "" :
			 o->auth == AUTH_X_API_KEY ? ", token as X-API-Key (redacted)"
						   : ", token as Authorization: Bearer (redacted)");
		free(shown);
	}

	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	if (x->req->post_json)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->req->post_json);
	/* CURLOPT_NOSIGNAL stays 0: libcurl then ignores SIGPIPE while it works
	 * (a TLS write to a closed socket would otherwise kill us), and with
	 * its threaded resolver it sets no alarms. */
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "-plot/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, x->redirects ? "http,https" : "http,https,file");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS,
			 (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS | (x->redirects ? 0 : CURLPROTO_FILE)));
#endif
	if (o->connect_timeout > 0)
		curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, o->connect_timeout);
	if (o->max_time > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT, o->max_time);
	if (o->max_filesize > 0)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_filesize);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, o->insecure ? 0L : 2L);
	if (o->cacert)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert);
	if (o->netrc)
		curl_easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);

	curl_multi_add_handle(multi, e);
	x->state = XFER_ACTIVE;
}

/* "HTTP 404: Job not found or unauthorized" from the status and the body's
 * error and details (or the reason phrase).  Sanitized; malloc'd. */
static char *http_error_message(long code, const struct xfer *x)
{
	const struct errscan *s = &x->scan;
	const struct buf *det = s->got[EF_DETAILS] ? &s->val[EF_DETAILS] :
				s->got[EF_DETAIL]  ? &s->val[EF_DETAIL] : NULL;
	struct buf b = { 0 };
	char *text, *msg;

	if (s->got[EF_ERROR]) {
		buf_append(&b, s->val[EF_ERROR].data, s->val[EF_ERROR].len);
		if (det && det->len) {
			buf_puts(&b, ": ");
			buf_append(&b, det->data, det->len);
		}
	} else if (det && det->len) {
		buf_append(&b, det->data, det->len);
	} else if (x->reason[0]) {
		buf_puts(&b, x->reason);
	}
	text = b.len ? text_sanitize(b.data, b.len, HTTP_MSG_CHARS, "") : xstrdup("");
	buf_free(&b);
	msg = *text ? xasprintf("HTTP %ld: %s", code, text) : xasprintf("HTTP %ld", code);
	free(text);
	return msg;
}

/* True when libcurl result RC is worth retrying (connection trouble). */
static bool retryable_curl(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* Sets X's request's final error (taking MSG) and marks it done. */
static void xfer_fail(struct xfer *x, int status, char *msg)
{
	free(x->req->error);
	x->req->error = msg;
	x->req->status = status;
	x->state = XFER_DONE;
}

/* Handles the end of X's attempt with libcurl result RC: success, failure,
 * a redirect or a retry (back to waiting). */
static void xfer_done(struct xfer *x, CURLcode rc, double t)
{
	struct http_request *r = x->req;
	const struct fetch_config *o = x->opts;
	long code = 0;
	curl_off_t retry_after = -1;
	bool retry = false;
	char *msg = NULL;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	r->http_status = code;
	if (x->sink_err) {
		xfer_fail(x, EXIT_DATA, x->sink_err);
		x->sink_err = NULL;
	} else if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		xfer_fail(x, EXIT_FETCH, xasprintf("response larger than --max-filesize (%lld bytes)",
						   o->max_filesize));
	} else if (rc == CURLE_OK && x->mode == BODY_HTML) {
		xfer_fail(x, EXIT_FETCH, html_message(&x->errbody));
	} else if (rc != CURLE_OK) {
		msg = text_sanitize(x->errbuf, strlen(x->errbuf), HTTP_MSG_CHARS, curl_easy_strerror(rc));
		retry = retryable_curl(rc);
	} else if (code == 304 && r->validators && (r->if_none_match || r->if_modified_since)) {
		free(r->error);
		r->error = NULL;
		free(r->etag);
		free(r->last_modified);
		r->etag = r->last_modified = NULL;
		if (log_fn) {
			char *a = url_for_log(x->url);
			http_log("%s: HTTP 304, not modified", a);
			free(a);
		}
		r->not_modified = true;
		r->status = EXIT_OK;
		x->state = XFER_DONE;
		return;
	} else if (code >= 300 && code < 400) {
		char *loc = NULL;

		curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &loc);
		if (!loc) {
			msg = http_error_message(code, x);
		} else if (x->redirects >= HTTP_MAX_REDIRECTS) {
			msg = xasprintf("too many redirects (more than %d)", HTTP_MAX_REDIRECTS);
		} else {
			char *next = xstrdup(loc);

			if (log_fn) {
				char *a = url_for_log(x->url), *b = url_for_log(next);

				http_log("%s: HTTP %ld, redirected to %s", a, code, b);
				free(a);
				free(b);
			}
			free(x->url);
			x->url = next;
			x->redirects++;
			r->attempts--; /* a redirect is not a retry */
			x->state = XFER_WAITING;
			x->not_before = t;
			return;
		}
		xfer_fail(x, EXIT_FETCH, msg);
		return;
	} else if (code != 0 && (code < 200 || code >= 300)) {
		msg = http_error_message(code, x);
		retry = code == 429 || code == 408 || code >= 500;
		curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &retry_after);
	} else {
		free(r->error); /* from an earlier, retried attempt */
		r->error = NULL;
		if (log_fn) {
			char *a = url_for_log(x->url);

			if (code)
				http_log("%s: HTTP %ld, %zu bytes in %.2f s", a, code, r->bytes, t - x->t_start);
			else
				http_log("%s: %zu bytes in %.2f s", a, r->bytes, t - x->t_start);
			free(a);
		}
		r->status = EXIT_OK;
		x->state = XFER_DONE;
		return;
	}
	if (!msg)
		return;
	if (retry && r->attempts <= (o->retry > 0 ? o->retry : 0)) {
		double delay = HTTP_BACKOFF_FIRST * pow(2.0, r->attempts - 1);

		if (delay > HTTP_BACKOFF_MAX)
			delay = HTTP_BACKOFF_MAX;
		/* libcurl reports 0 for "no Retry-After" too: then back off. */
		if (retry_after > 0)
			delay = (double)retry_after > HTTP_RETRY_AFTER_MAX ? HTTP_RETRY_AFTER_MAX
									   : (double)retry_after;
		if (log_fn) {
			char *a = url_for_log(x->url);

			http_log("%s: %s; retry %d of %d in %.0f s", a, msg, r->attempts,
				 o->retry, delay);
			free(a);
		}
		free(r->error);
		r->error = msg; /* kept in case the retries run out some other way */
		if (x->sunk && r->reset)
			r->reset(r->ctx);
		x->sunk = false;
		x->state = XFER_WAITING;
		x->not_before = t + delay;
		return;
	}
	xfer_fail(x, EXIT_FETCH, msg);
}

/* Performs every request (see http.h). */
int http_fetch_all(struct http_request *reqs, size_t n, const struct fetch_config *opts)
{
	struct xfer *xs;
	char **origins;
	CURLM *multi;
	size_t norigins = 0, ndone = 0, active = 0, par;
	double t0, last_tick;
	int ret = 0;

	if (n == 0)
		return 0;
	pthread_once(&init_once, global_init);
	multi = curl_multi_init();
	if (!multi)
		oom();
	par = opts->parallel > 0 ? (size_t)opts->parallel : n;
	/* The token goes to the API's origin and to those named with
	 * --token-for, never to a URL's own origin just because it was given. */
	origins = xcalloc(opts->ntoken_for + 1, sizeof *origins);
	if (opts->url && *opts->url && (origins[norigins] = url_origin(opts->url)) != NULL)
		norigins++;
	for (size_t i = 0; i < opts->ntoken_for; i++)
		if ((origins[norigins] = url_origin(opts->token_for[i])) != NULL)
			norigins++;

	xs = xcalloc(n, sizeof *xs);
	for (size_t i = 0; i < n; i++) {
		struct xfer *x = &xs[i];

		x->req = &reqs[i];
		x->opts = opts;
		x->url = xstrdup(reqs[i].url);
		reqs[i].status = EXIT_OK;
		reqs[i].error = NULL;
		reqs[i].attempts = 0;
		reqs[i].done = false;
		x->token_origins = origins;
		x->ntoken_origins = norigins;
		x->first_origin = url_origin(reqs[i].url);
		x->state = XFER_WAITING;
	}

	t0 = last_tick = now();
	while (ndone < n) {
		double t = now(), wait = HTTP_TICK;
		int running;
		CURLMsg *m;
		int left;

		for (size_t i = 0; i < n && active < par; i++) {
			if (xs[i].state == XFER_WAITING && xs[i].not_before <= t) {
				xfer_start(&xs[i], multi);
				active++;
			}
		}
		curl_multi_perform(multi, &running);
		while ((m = curl_multi_info_read(multi, &left)) != NULL) {
			struct xfer *x;
			char *priv = NULL;

			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
			x = (struct xfer *)(void *)priv;
			xfer_done(x, m->data.result, now());
			curl_multi_remove_handle(multi, x->easy);
			curl_easy_cleanup(x->easy);
			x->easy = NULL;
			active--;
			if (x->state == XFER_DONE) {
				x->req->done = true;
				ndone++;
			}
		}
		if (ndone == n)
			break;

		t = now();
		for (size_t i = 0; i < n; i++) {
			if (xs[i].state != XFER_WAITING)
				continue;
			if (xs[i].not_before <= t) {
				if (active < par)
					wait = 0;
			} else if (xs[i].not_before - t < wait) {
				wait = xs[i].not_before - t;
			}
		}
		if (wait > 0)
			curl_multi_poll(multi, NULL, 0, (int)(wait * 1000) + 1, NULL);
		if (progress_fn && now() - last_tick >= HTTP_TICK) {
			last_tick = now();
			progress_fn(progress_ctx, reqs, n, last_tick - t0);
		}
	}

	for (size_t i = 0; i < n; i++) {
		curl_slist_free_all(xs[i].headers);
		free(xs[i].url);
		free(xs[i].sink_err);
		buf_free(&xs[i].errbody);
		for (int k = 0; k < EF_N; k++)
			buf_free(&xs[i].scan.val[k]);
		free(xs[i].first_origin);
		reqs[i].done = true;
		if (reqs[i].status != EXIT_OK)
			ret = -1;
	}
	for (size_t i = 0; i < norigins; i++)
		free(origins[i]);
	free(origins);
	free(xs);
	curl_multi_cleanup(multi);
	return ret;
}

struct mem_sink {
	struct buf b;
};

/* Sink into memory for http_get. */
static int mem_feed(void *ctx, const void *buf, size_t len, char **cause)
{
	struct mem_sink *m = ctx;

	buf_append(&m->b, buf, len);
	return 0;
}

/* Reset for http_get: drop what came so far. */
static void mem_reset(void *ctx)
{
	struct mem_sink *m = ctx;

	m->b.len = 0;
}

/* A GET (JSON NULL) or a POST of JSON into memory. */
static int mem_request(const char *url, const struct fetch_config *opts, const char *json, char **body,
		       size_t *len, long *http_status, char **cause)
{
	struct mem_sink m = { { 0 } };
	struct http_request req = { 0 };
	void (*saved_fn)(void *, const struct http_request *, size_t, double) = progress_fn;

	req.url = url;
	req.post_json = json;
	req.sink = mem_feed;
	req.reset = mem_reset;
	req.ctx = &m;
	progress_fn = NULL;
	http_fetch_all(&req, 1, opts);
	progress_fn = saved_fn;
	if (http_status)
		*http_status = req.http_status;
	if (req.status != EXIT_OK) {
		*cause = req.error;
		buf_free(&m.b);
		return -1;
	}
	buf_puts(&m.b, "");
	*body = m.b.data;
	if (len)
		*len = m.b.len;
	return 0;
}

/* GET into memory (see http.h). */
int http_get(const char *url, const struct fetch_config *opts, char **body, size_t *len,
	     long *http_status, char **cause)
{
	return mem_request(url, opts, NULL, body, len, http_status, cause);
}

/* POST of JSON into memory (see http.h). */
int http_post_json(const char *url, const struct fetch_config *opts, const char *json, char **body,
		   size_t *len, long *http_status, char **cause)
{
	return mem_request(url, opts, json, body, len, http_status, cause);
}
