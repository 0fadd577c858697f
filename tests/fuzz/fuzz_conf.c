/* fuzz_conf.c - libFuzzer target: the whole config parser on arbitrary
 * bytes.  Includes are off (no file system access) and the host checks
 * (interfaces, scripts) are off so runs are reproducible. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	struct cf_options opts = {
		.config_id = "fuzz",
		.no_include = true,
		.have_seed = true,
		.random_seed = 1,
		.max_lines = 100000,
	};
	struct diag d;
	diag_init(&d);
	struct cf_model *m = cf_load_buffer("fuzz.conf", (const char *)data, size,
					    &opts, &d);
	model_free(m);
	diag_free(&d);
	return 0;
}
