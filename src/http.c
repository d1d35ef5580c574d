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
#include <json-c/json.h>
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
#define HTTP_ERRBODY_MAX (64 * 1024) /* bytes of an error body kept */
#define HTTP_MSG_CHARS 300           /* characters of a server message shown */
#define HTTP_BACKOFF_FIRST 1.0       /* seconds before the first retry */
#define HTTP_BACKOFF_MAX 30.0        /* longest backoff between retries */
#define HTTP_RETRY_AFTER_MAX 60.0    /* longest Retry-After honoured */
#define HTTP_TICK 0.25               /* seconds between progress calls */

enum xfer_state { XFER_WAITING, XFER_ACTIVE, XFER_DONE };
enum body_mode { BODY_UNDECIDED, BODY_SINK, BODY_ERROR, BODY_DISCARD };

/* One request's transfer state across attempts and redirects. */
struct xfer {
	struct http_request *req;
	const struct fetch_config *opts;
	const char *token_origin;     /* borrowed; NULL: send no token */
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
	struct buf errbody;           /* body of a non-2xx answer, capped */
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

/* URL without its password, sanitized, for the log.  malloc'd. */
static char *url_for_log(const char *url)
{
	CURLU *u = curl_url();
	char *shown = NULL, *out;

	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
		curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
		curl_url_get(u, CURLUPART_URL, &shown, 0);
	}
	out = shown ? text_sanitize(shown, strlen(shown), HTTP_MSG_CHARS, "?") : xstrdup("(URL)");
	curl_free(shown);
	curl_url_cleanup(u);
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

/* "scheme://host:port" of URL (lower case, default port filled in), or NULL
 * when URL is not http(s).  malloc'd. */
static char *url_origin(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *out = NULL;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	    (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0)) {
		out = xasprintf("%s://%s:%s", scheme, host, port);
		for (char *p = out; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return out;
}

/* libcurl header callback: keeps the reason phrase of the last status line. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct xfer *x = ctx;
	size_t n = size * nmemb;

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
		if (code == 0 || (code >= 200 && code < 300))
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
	x->req->bytes = 0;
	x->req->http_status = 0;
	x->req->attempts++;

	curl_slist_free_all(x->headers);
	x->headers = curl_slist_append(NULL, "Accept: application/json");
	x->sent_token = false;
	x->t_start = now();
	origin = url_origin(x->url);
	if (o->token && *o->token && x->token_origin && origin &&
	    strcmp(origin, x->token_origin) == 0) {
		char *h = o->auth == AUTH_X_API_KEY ? xasprintf("X-API-Key: %s", o->token)
						    : xasprintf("Authorization: Bearer %s", o->token);
		x->headers = curl_slist_append(x->headers, h);
		x->sent_token = true;
		/* curl copied it; wipe ours. */
		memset(h, 0, strlen(h));
		free(h);
	}
	free(origin);
	if (log_fn) {
		char *shown = url_for_log(x->url);

		http_log("GET %s%s", shown,
			 !x->sent_token ? "" :
			 o->auth == AUTH_X_API_KEY ? ", token as X-API-Key (redacted)"
						   : ", token as Authorization: Bearer (redacted)");
		free(shown);
	}

	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
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
	struct json_object *root = NULL, *err, *det;
	struct buf b = { 0 };
	char *text, *msg;

	if (x->errbody.len > 0) {
		struct json_tokener *tok = json_tokener_new();

		root = json_tokener_parse_ex(tok, x->errbody.data, (int)x->errbody.len);
		json_tokener_free(tok);
	}
	if (root && json_object_is_type(root, json_type_object) &&
	    json_object_object_get_ex(root, "error", &err) && err &&
	    !json_object_is_type(err, json_type_null)) {
		buf_puts(&b, json_object_get_string(err));
		if (json_object_object_get_ex(root, "details", &det) && det &&
		    !json_object_is_type(det, json_type_null) && *json_object_get_string(det)) {
			buf_puts(&b, ": ");
			buf_puts(&b, json_object_get_string(det));
		}
	} else if (x->reason[0]) {
		buf_puts(&b, x->reason);
	}
	json_object_put(root);
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
	} else if (rc != CURLE_OK) {
		msg = text_sanitize(x->errbuf, strlen(x->errbuf), HTTP_MSG_CHARS, curl_easy_strerror(rc));
		retry = retryable_curl(rc);
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
	char **own_origin;
	CURLM *multi;
	char *api_origin = NULL;
	size_t ndone = 0, active = 0, par;
	double t0, last_tick;
	int ret = 0;

	if (n == 0)
		return 0;
	pthread_once(&init_once, global_init);
	multi = curl_multi_init();
	if (!multi)
		oom();
	par = opts->parallel > 0 ? (size_t)opts->parallel : n;
	if (opts->url && *opts->url)
		api_origin = url_origin(opts->url);

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
		/* The token goes to the API's origin; with no API URL, to the
		 * origin of each URL as the user wrote it. */
		x->token_origin = api_origin;
		x->state = XFER_WAITING;
	}
	own_origin = xcalloc(n, sizeof *own_origin);
	if (!api_origin)
		for (size_t i = 0; i < n; i++)
			xs[i].token_origin = own_origin[i] = url_origin(reqs[i].url);

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
		free(own_origin[i]);
		reqs[i].done = true;
		if (reqs[i].status != EXIT_OK)
			ret = -1;
	}
	free(own_origin);
	free(api_origin);
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

/* GET into memory (see http.h). */
int http_get(const char *url, const struct fetch_config *opts, char **body, size_t *len,
	     long *http_status, char **cause)
{
	struct mem_sink m = { { 0 } };
	struct http_request req = { 0 };
	void (*saved_fn)(void *, const struct http_request *, size_t, double) = progress_fn;

	req.url = url;
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
