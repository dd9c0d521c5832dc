/* Fuzz target: a YAML configuration file (trust boundary: files an admin or
 * a package writes; petrel check runs it on anything). Whatever the input,
 * loading ends with a configuration or with diagnostics, never both. */
#include <stdint.h>
#include <stdlib.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf_diags d;
	struct conf c;

	d.n = 0;
	d.dropped = 0;
	conf_init(&c);
	int rc = conf_load_buf(&c, "fuzz.yaml", (const char *)data, size, &d);
	if (rc == 0 && d.n != 0)
		abort();
	if (rc != 0 && c.n_profiles != 0)
		abort();
	conf_free(&c);
	return 0;
}
