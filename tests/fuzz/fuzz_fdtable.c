/* Sequences of records through the fd table (small caps, few pids, so that forks, shared tables,
 * pipes between processes and evictions meet), then formatted: any bytes must be safe and
 * every table freed without a leak. Input: [u16 length][record] ... */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "trace/decode.h"
#include "enrich/fdtable.h"
#include "enrich/view.h"
#include "format/text.h"
#include "format/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cap_event ev;
	static struct cap_view v;
	static char out[1 << 18];
	static uint8_t rec[CAP_REC_MAX];
	struct cap_fdt_limits lim = { .max_procs = 4, .max_fds_proc = 8, .max_fds_total = 16 };
	struct cap_fdt *t = cap_fdt_new(&lim);
	struct cap_text_opts o = { .max_str = 64 };
	struct sbuf b;

	if (!t)
		return 0;
	while (size >= 2) {
		size_t len = data[0] | (size_t)data[1] << 8;
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		if (len > sizeof(rec))
			len = sizeof(rec);
		memcpy(rec, data, len);
		data += len;
		size -= len;
		if (len >= sizeof(struct cap_rec)) {
			struct cap_rec *r = (void *)rec;
			r->pid %= 8; /* a few processes, so that their tables meet */
			r->args[1] = r->type == CAP_REC_FORK ? r->args[1] % 8 : r->args[1];
		}
		if (cap_decode(&ev, rec, len))
			continue;
		cap_view_build(&v, &ev);
		cap_fdt_event(t, &ev, &v);
		sb_init(&b, out, sizeof(out));
		cap_text_event(&b, &ev, &v, &o);
		sb_init(&b, out, sizeof(out));
		cap_json_event(&b, &ev, &v);
		if (b.len && out[b.len - 1] != '\n')
			abort();
		const struct cap_fdt_stats *st = cap_fdt_stats(t);
		if (st->procs > lim.max_procs || st->fds > lim.max_fds_total)
			abort();
	}
	cap_fdt_free(t);
	return 0;
}
