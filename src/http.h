/* http.h: concurrent GETs through one libcurl multi handle.
 *
 * Each request's body is handed to its sink as bytes arrive (the parser),
 * so nothing is buffered whole.  Retries with backoff on connection
 * failures, timeouts, 429 and 5xx (honouring Retry-After); a retried
 * request's sink is reset first.  The token is sent as a header and never
 * appears in any message. */
#ifndef TRCOMPARE_HTTP_H
#define TRCOMPARE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "fetch.h"

struct http_request {
	const char *url;   /* borrowed */
	/* Called with body bytes of a 2xx answer; returns 0, or -1 with
	 * *cause set to stop this transfer with that error. */
	int (*sink)(void *ctx, const void *buf, size_t len, char **cause);
	/* Called before a retry: forget what was received so far. */
	void (*reset)(void *ctx);
	void *ctx;
	/* A JSON body to POST (borrowed; NULL: a GET).  Sent with
	 * Content-Type: application/json on every attempt, and again to a
	 * redirect's target (the only POSTs made are read-only searches). */
	const char *post_json;

	/* results */
	long http_status;  /* 0 when no answer came */
	size_t bytes;      /* body bytes received on the final attempt */
	int attempts;      /* transfers made (1 + retries) */
	bool done;         /* finished (for progress hooks) */
	char *error;       /* malloc'd message or NULL: "HTTP 404: Job not found
	                      or unauthorized", libcurl's error text, the sink's */
	int status;        /* EXIT_OK, EXIT_FETCH, or EXIT_DATA (sink failed) */

	/* Conditional requests (--watch): with VALIDATORS set, the final 2xx
	 * answer's ETag and Last-Modified are kept in etag and last_modified
	 * (malloc'd, the caller frees; NULL when absent or holding control
	 * characters), and IF_NONE_MATCH and IF_MODIFIED_SINCE (borrowed, or
	 * NULL) are sent as If-None-Match and If-Modified-Since.  A 304
	 * answer is then a success with not_modified set: the sink got
	 * nothing, etag and last_modified stay NULL. */
	bool validators;
	const char *if_none_match, *if_modified_since;
	bool not_modified;
	char *etag, *last_modified;
};

/* Performs every request, at most opts->parallel at once.  Returns 0 when
 * all succeeded, else -1 (each request says how it went).  The token goes
 * only to the origin of opts->url and to the origins of opts->token_for,
 * and only while a request stays on the origin it started on.  A 2xx
 * answer whose Content-Type is HTML (a login page) fails with EXIT_FETCH:
 * the server sent an HTML page, not JSON ("TITLE"). */
int http_fetch_all(struct http_request *reqs, size_t n, const struct fetch_config *opts);

/* GET into memory (job lists): *body malloc'd and NUL-terminated.
 * Returns 0, or -1 with *cause set. */
int http_get(const char *url, const struct fetch_config *opts, char **body, size_t *len,
	     long *http_status, char **cause);

/* As http_get, but POSTs the JSON text BODY (MLflow's runs/search). */
int http_post_json(const char *url, const struct fetch_config *opts, const char *json, char **body,
		   size_t *len, long *http_status, char **cause);

/* Progress hook: when set, http_fetch_all calls FN about four times a
 * second while transfers run (on its own thread), with the requests as they
 * stand (bytes so far).  FN must not print from library code; the top level
 * decides.  NULL turns it off.  Set it before http_fetch_all. */
void http_set_progress(void (*fn)(void *ctx, const struct http_request *reqs, size_t n,
				  double elapsed), void *ctx);

/* Verbose log hook (-v): when set, http_fetch_all and http_get call FN
 * with one line per event: a request ("GET URL" or "POST URL", token as Authorization:
 * Bearer (redacted)"), its answer ("URL: HTTP 200, 4912 bytes in 0.51 s"),
 * a retry, a redirect.  Lines never hold the token (headers are named,
 * never shown) nor a URL's password; server text is sanitized.  NULL turns
 * it off.  Set it before fetching. */
void http_set_log(void (*fn)(void *ctx, const char *line), void *ctx);

/* URL-escapes S (RFC 3986 unreserved kept).  malloc'd. */
char *http_escape(const char *s);

/* TEXT with the userinfo ("user:password@") removed from every URL in it:
 * "LABEL=http://u:pw@host/x" gives "LABEL=http://host/x".  Other text is
 * kept as is (not sanitized).  malloc'd.  Every URL that is shown (messages,
 * -v, progress) or stored (the "# source:" line of data files) goes through
 * it.  A TEXT without "://" that starts "user:pw@host" loses "user:pw@".
 * The value of a URL's query parameter whose name holds "token", "key",
 * "secret", "password" or "sig" becomes "REDACTED" too. */
char *http_redact(const char *text);

/* True when URL is an absolute http:// or https:// URL with a host: what
 * --url and TRCOMPARE_URL must be (a URL without a scheme would be fetched
 * by libcurl's guess, but would match no origin for the token). */
bool http_is_api_url(const char *url);

/* What names the server URL (an http:// or https:// URL with a host)
 * stands for: "scheme://host:port/path", scheme and host in lower case,
 * the default port filled in, an IPv6 host's zone kept ("[fe80::1%25eth0]":
 * another interface is another host), the path as libcurl normalizes it
 * ("/a/../b" is "/b") without trailing slashes; no userinfo, query or
 * fragment.
 * "http://u:pw@Host:80/mlflow/?token=x" gives "http://host:80/mlflow".
 * malloc'd, or NULL when URL is none. */
char *http_url_identity(const char *url);

/* What URL carries besides the server http_url_identity names: its
 * userinfo and query as written, "USER:PASSWORD?QUERY" ("" when it has
 * neither).  Two spellings of one server that carry different
 * credentials are asked as two (one may be refused).  malloc'd. */
char *http_url_access(const char *url);

/* The error when the API URL is not one (a usage error: exit status 64). */
#define HTTP_URL_NO_SCHEME "the API URL (--url or TRCOMPARE_URL) must start with http:// or https://"

/* When S is an origin, "http(s)://host[:port]" with at most a "/" after it
 * (no user, path, query or fragment), sets *ORIGIN to its normalized form
 * ("scheme://host:port", lower case, default port filled in; malloc'd) and
 * returns 0; else -1.  For --token-for. */
int http_parse_origin(const char *s, char **origin);

/* The URL of PATH under the API URL BASE: BASE's path without trailing
 * slashes, then PATH (a '/' put in front when missing), then the query:
 * BASE's, and PATH's own (PATH may hold "?..."), joined by '&'.  BASE's
 * fragment is dropped.  "http://h/base?x=1" + "/api/jobs?limit=1" gives
 * "http://h/base/api/jobs?x=1&limit=1".  malloc'd. */
char *http_url_join(const char *base, const char *path);

#endif
