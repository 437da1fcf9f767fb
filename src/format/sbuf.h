/* A bounded string builder for output lines: appends never overflow, they stop at the end
 * (and set `full`). No allocation, so formatting costs no malloc per event. */
#ifndef CAPSULE_SBUF_H
#define CAPSULE_SBUF_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <stdbool.h>

struct sbuf {
	char *buf;
	size_t len, cap; /* cap includes room for a NUL */
	bool full;
};

static inline void sb_init(struct sbuf *b, char *mem, size_t cap)
{
	b->buf = mem;
	b->cap = cap;
	b->len = 0;
	b->full = false;
	if (cap)
		mem[0] = 0;
}

static inline void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->full = true;
		n = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
	}
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = 0;
}

static inline void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static inline void sb_putc(struct sbuf *b, char c)
{
	sb_putn(b, &c, 1);
}

static inline void sb_u64(struct sbuf *b, uint64_t v)
{
	char tmp[24];
	int i = sizeof(tmp);
	do {
		tmp[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	sb_putn(b, tmp + i, sizeof(tmp) - i);
}

static inline void sb_i64(struct sbuf *b, int64_t v)
{
	if (v < 0) {
		sb_putc(b, '-');
		sb_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		sb_u64(b, v);
	}
}

static inline void sb_hex(struct sbuf *b, uint64_t v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[20];
	int i = sizeof(tmp);
	do {
		tmp[--i] = digits[v & 15];
		v >>= 4;
	} while (v);
	tmp[--i] = 'x';
	tmp[--i] = '0';
	sb_putn(b, tmp + i, sizeof(tmp) - i);
}

/* zero-padded decimal of fixed width */
static inline void sb_u64w(struct sbuf *b, uint64_t v, int width)
{
	char tmp[24];
	int i = sizeof(tmp);
	while (width-- > 0 || v) {
		tmp[--i] = '0' + v % 10;
		v /= 10;
		if (i == 0)
			break;
	}
	sb_putn(b, tmp + i, sizeof(tmp) - i);
}

/* Appends attacker-controlled bytes, escaped (see escape.h), at most max_out visible bytes. */
size_t sb_escaped(struct sbuf *b, const void *data, size_t len, size_t max_out);
/* printf into the buffer (for text that is not per event: SQL, messages); stops at the end. */
void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends bytes as a JSON string (quotes included): escaped first, then JSON-escaped. */
void sb_json_str(struct sbuf *b, const void *data, size_t len);
/* Appends a trusted C string as a JSON string (quotes included). */
void sb_json_cstr(struct sbuf *b, const char *s);

#endif
