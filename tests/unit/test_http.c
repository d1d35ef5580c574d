/* test_http.c: unit tests of the URL helpers in src/http.c: userinfo
 * removed from shown URLs, the API URL's scheme, origins for --token-for,
 * and paths joined before a base URL's query. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "http.h"

/* http_redact(IN) must give WANT. */
static void redacts(const char *in, const char *want)
{
	char *got = http_redact(in);

	assert_string_equal(got, want);
	free(got);
}

/* Userinfo goes wherever a URL stands; other text stays as it is. */
static void test_redact(void **state)
{
	(void)state;
	redacts("http://alice:pw@host/x", "http://host/x");
	redacts("https://alice@host:8443", "https://host:8443");
	redacts("lbl=https://a:b@host/x?q=u@v", "lbl=https://host/x?q=u@v");
	redacts("http://a:p@ss@host/x", "http://host/x");
	redacts("GET http://u:p@h/a, redirected to http://v:q@g/b", "GET http://h/a, redirected to http://g/b");
	redacts("alice:pw@127.0.0.1:8080", "127.0.0.1:8080");
	redacts("http://host is down, mail admin@example.org", "http://host is down, mail admin@example.org");
	redacts("r1", "r1");
	redacts("runs/a@b.json", "runs/a@b.json");
	redacts("", "");
	/* Secret query values, in a URL alone and in a message. */
	redacts("http://h/w.csv?access_token=S3CR3T&x=1#f", "http://h/w.csv?access_token=REDACTED&x=1#f");
	redacts("warning: http://u:p@h/w.csv?API_KEY=s: 1 value was not finite",
	        "warning: http://h/w.csv?API_KEY=REDACTED: 1 value was not finite");
	redacts("http://h/a?sig=1&page=2 and http://g/b?password=x", "http://h/a?sig=REDACTED&page=2 and http://g/b?password=REDACTED");
	redacts("http://h/a?q=token", "http://h/a?q=token");
	redacts("http://h/a#?token=x", "http://h/a#?token=x");
}

/* The API URL needs http:// or https:// and a host. */
static void test_api_url(void **state)
{
	(void)state;
	assert_true(http_is_api_url("http://127.0.0.1:8080"));
	assert_true(http_is_api_url("HTTPS://h/base?x=1"));
	assert_false(http_is_api_url("127.0.0.1:8080"));
	assert_false(http_is_api_url("localhost"));
	assert_false(http_is_api_url("ftp://h/"));
	assert_false(http_is_api_url("http://"));
	assert_false(http_is_api_url(NULL));
}

/* Origins: normalized; anything more than an origin is refused. */
static void test_origin(void **state)
{
	char *o = NULL;

	(void)state;
	assert_int_equal(http_parse_origin("HTTPS://Example.ORG/", &o), 0);
	assert_string_equal(o, "https://example.org:443");
	free(o);
	assert_int_equal(http_parse_origin("http://localhost:8080", &o), 0);
	assert_string_equal(o, "http://localhost:8080");
	free(o);
	assert_int_equal(http_parse_origin("http://h/api", &o), -1);
	assert_null(o);
	assert_int_equal(http_parse_origin("http://h/?x", &o), -1);
	assert_int_equal(http_parse_origin("http://h?", &o), -1);
	assert_int_equal(http_parse_origin("http://u:p@h", &o), -1);
	assert_int_equal(http_parse_origin("h:80", &o), -1);
	assert_int_equal(http_parse_origin("file:///etc", &o), -1);
}

/* http_url_join(BASE, PATH) must give WANT. */
static void joins(const char *base, const char *path, const char *want)
{
	char *got = http_url_join(base, path);

	assert_string_equal(got, want);
	free(got);
}

/* The base's path, the path, then both queries. */
static void test_join(void **state)
{
	(void)state;
	joins("http://h", "/api/x", "http://h/api/x");
	joins("http://h/", "api/x", "http://h/api/x");
	joins("http://h/base//", "/api/x", "http://h/base/api/x");
	joins("http://h/base?x=1", "/api/x", "http://h/base/api/x?x=1");
	joins("http://h/base/?x=1#frag", "/api/x?limit=2", "http://h/base/api/x?x=1&limit=2");
	joins("http://h#frag", "/api/x?limit=2", "http://h/api/x?limit=2");
	joins("http://h/?", "/api/x?", "http://h/api/x");
}

/* http_url_identity(URL) must give WANT (NULL: none). */
static void identifies(const char *url, const char *want)
{
	char *got = http_url_identity(url);

	if (want)
		assert_string_equal(got, want);
	else
		assert_null(got);
	free(got);
}

/* Scheme, host (lower case), port (the default filled in) and path
 * prefix (no trailing slash); no userinfo, query or fragment. */
static void test_identity(void **state)
{
	(void)state;
	identifies("http://h:5000/", "http://h:5000");
	identifies("http://h:5000", "http://h:5000");
	identifies("HTTP://u:pw@H:80/mlflow//?token=x#f", "http://h:80/mlflow");
	identifies("http://h/a/../mlflow/", "http://h:80/mlflow");
	identifies("https://h", "https://h:443");
	identifies("https://h/MLflow", "https://h:443/MLflow");
	/* An IPv6 host keeps its zone (the interface, case kept). */
	identifies("http://[FE80::1%25eth0]:5000/", "http://[fe80::1%25eth0]:5000");
	identifies("http://[fe80::1%25Eth1]:5000/", "http://[fe80::1%25Eth1]:5000");
	identifies("http://[::1]:5000/", "http://[::1]:5000");
	identifies("ftp://h/", NULL);
	identifies("not a url", NULL);
}

/* http_url_access(URL) must give WANT. */
static void accesses(const char *url, const char *want)
{
	char *got = http_url_access(url);

	assert_string_equal(got, want);
	free(got);
}

/* Userinfo and query as written, "" without either. */
static void test_access(void **state)
{
	(void)state;
	accesses("http://h:5000/", "");
	accesses("http://u:pw@h:5000/mlflow", "u:pw?");
	accesses("http://u@h/", "u?");
	accesses("http://h/?token=x", "?token=x");
	accesses("http://u:p%40w@h/?a=1&b=2#f", "u:p%40w?a=1&b=2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_api_url),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_join),
		cmocka_unit_test(test_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
