/* Records from the ring buffer are decoded and formatted: any bytes must be safe. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "trace/decode.h"
#include "enrich/view.h"
#include "format/text.h"
#include "format/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cap_event ev;
	static struct cap_view v;
	static char out[1 << 18];
	struct sbuf b;
	struct cap_text_opts o = { .color = true, .max_str = 64 };

	if (cap_decode(&ev, data, size))
		return 0;
	v.preview_max = 64;
	cap_view_build(&v, &ev);
	sb_init(&b, out, sizeof(out));
	cap_text_event(&b, &ev, &v, &o);
	sb_init(&b, out, sizeof(out));
	cap_json_event(&b, &ev, &v);
	if (b.len && out[b.len - 1] != '\n')
		abort();
	return 0;
}
