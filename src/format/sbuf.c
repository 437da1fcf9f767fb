#include <stdarg.h>
#include <stdio.h>
#include "format/sbuf.h"
#include "format/escape.h"
#include "capsule/event.h"

size_t sb_escaped(struct sbuf *b, const void *data, size_t len, size_t max_out)
{
	if (b->len + 1 >= b->cap) {
		b->full = true;
		return 0;
	}
	size_t n = cap_escape(b->buf + b->len, b->cap - b->len, data, len, max_out);
	b->len += n;
	return n;
}

/* JSON-escapes s into the buffer between quotes, leaving room for the closing quote. */
static void json_body(struct sbuf *b, const char *s, size_t len)
{
	sb_putc(b, '"');
	if (b->len + 2 >= b->cap) {
		b->full = true;
		return;
	}
	b->len += cap_json_escape(b->buf + b->len, b->cap - b->len - 1, s, len);
	sb_putc(b, '"');
}

void sb_json_str(struct sbuf *b, const void *data, size_t len)
{
	/* a full-length path escapes to at most 4 bytes per input byte */
	static __thread char tmp[CAP_PATH_MAX * 8 + 64];
	size_t n = cap_escape(tmp, sizeof(tmp), data, len, 0);
	json_body(b, tmp, n);
}

void sb_json_cstr(struct sbuf *b, const char *s)
{
	json_body(b, s, strlen(s));
}

void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	if (!room) {
		b->full = true;
		return;
	}
	va_start(ap, fmt);
	int n = vsnprintf(b->buf + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->buf[b->len] = 0;
		return;
	}
	if ((size_t)n >= room) {
		b->full = true;
		n = room - 1;
	}
	b->len += n;
}
