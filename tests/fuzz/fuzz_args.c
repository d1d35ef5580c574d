/* fuzz_args.c: libFuzzer target for command-line parsing.  The input is
 * split at NUL bytes into argv; options are parsed silently (nothing printed,
 * nothing exits), then the user text they carry goes through the parsers
 * behind them: the metric list and JOB classification. */
#include "config.h"

#include <argp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "source.h"
#include "util.h"
#include "compare.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *copy = xmalloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	char *argv[64];
	int argc = 0;
	argv[argc++] = "trcompare-plot";
	for (size_t i = 0; i <= size && argc < 63;) {
		argv[argc++] = copy + i;
		i += strlen(copy + i) + 1;
	}
	argv[argc] = NULL;

	struct options o;
	if (options_parse_ex(argc, argv, &o, ARGP_SILENT) == 0) {
		struct panel_set ps;
		const char *option = NULL;
		char *cause = NULL;
		if (compare_panels(&o.spec, &ps, &option, &cause) == 0)
			panel_set_free(&ps);
		free(cause);
		for (size_t i = 0; i < o.njobs; i++) {
			char *label = NULL, *target = NULL;
			source_classify(o.jobs[i], &label, &target);
			free(label);
			free(target);
		}
	}
	options_free(&o);
	free(copy);
	return 0;
}
