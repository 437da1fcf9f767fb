/* The readable timeline line of an event. */
#ifndef CAPSULE_TEXT_H
#define CAPSULE_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include "format/sbuf.h"
#include "trace/decode.h"
#include "enrich/view.h"

struct cap_text_opts {
	bool color;
	size_t max_str; /* visible bytes per string before it is cut with a marker */
};

/* Appends one line (newline included) for ev. */
void cap_text_event(struct sbuf *b, const struct cap_event *ev, const struct cap_view *v,
		    const struct cap_text_opts *o);
/* [HH:MM:SS.mmm] in local time, as at the start of every line */
void cap_text_time(struct sbuf *b, int64_t realtime_ns);

#endif
