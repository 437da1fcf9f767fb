/* A stream of arbitrary records through the executable-identity and process-tree enrichment
 * (no hashing thread): any bytes must be safe, the caps must hold, and the tree must print.
 * The input is cut into records at each record's own size field. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace/decode.h"
#include "enrich/exe.h"
#include "enrich/proctree.h"
#include "enrich/view.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cap_event ev;
	static struct cap_view v;
	static FILE *null;
	struct cap_exe x;
	struct cap_proctree t;

	if (!null)
		null = fopen("/dev/null", "w");
	if (cap_exe_init(&x, false) || cap_proctree_init(&t))
		abort();
	t.max = 64;
	t.exited_max = 8;
	while (size >= sizeof(struct cap_rec)) {
		uint16_t n;
		memcpy(&n, data, sizeof(n));
		if (n < sizeof(struct cap_rec) || n > size)
			n = size;
		if (!cap_decode(&ev, data, n)) {
			cap_view_build(&v, &ev);
			cap_exe_event(&x, &ev, &v);
			cap_proctree_event(&t, &ev, &v);
			if (t.count > t.max || t.exited > t.exited_max)
				abort();
		}
		data += n;
		size -= n;
	}
	cap_proctree_print(null, &t, 1);
	cap_proctree_json(null, &t);
	cap_proctree_free(&t);
	cap_exe_free(&x);
	return 0;
}
