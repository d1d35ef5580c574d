/* fetch.h: how jobs are fetched from the training platform's API — the
 * settings shared by every comparison of a process (curl's GlobalConfig,
 * kept apart from each comparison's spec.h).  Filled by the top level
 * (options.c) from the command line and the environment; read-only below.
 * Strings are borrowed from argv or owned by the top level. */
#ifndef TRCOMPARE_FETCH_H
#define TRCOMPARE_FETCH_H

#include <stdbool.h>

enum auth_header { AUTH_BEARER, AUTH_X_API_KEY };

#define FETCH_DEFAULT_ENDPOINT "/api/training/local/{id}/metrics"

struct fetch_config {
	const char *url;      /* API base URL (--url, TRCOMPARE_URL), or NULL */
	const char *endpoint; /* metrics path template, {id} = job id */
	const char *token;    /* API token (TRCOMPARE_TOKEN, --token-file), or
	                         NULL; never printed, never passed on */
	const char *const *token_for; /* --token-for origins that also get
	                                 the token */
	size_t ntoken_for;
	enum auth_header auth;
	bool netrc;
	const char *cacert;
	bool insecure;
	int parallel;         /* transfers at once (default 5) */
	int retry;            /* retries of transient failures (default 2) */
	long connect_timeout; /* seconds (default 10) */
	long max_time;        /* seconds per transfer (default 300) */
	long long max_filesize; /* bytes per answer (default 256 MiB) */
};

#endif
