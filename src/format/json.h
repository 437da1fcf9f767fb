/* The JSONL record of an event (docs/events.md is its schema). */
#ifndef CAPSULE_JSON_H
#define CAPSULE_JSON_H
#include "format/sbuf.h"
#include "trace/decode.h"
#include "enrich/view.h"

/* Appends one JSON object and a newline. */
void cap_json_event(struct sbuf *b, const struct cap_event *ev, const struct cap_view *v);
/* RFC 3339 UTC with nanoseconds: 2026-12-04T19:52:13.123456789Z */
void cap_json_time(struct sbuf *b, int64_t realtime_ns);
/* The members every line of events.jsonl starts with (seq, time, kind, area, the task's ids,
 * comm escaped, cgroup), from "{" on; the caller adds the rest and the closing brace. */
void cap_json_head(struct sbuf *b, uint64_t seq, int64_t realtime_ns, const char *kind, const char *area,
		   const struct cap_rec *h);

#endif
