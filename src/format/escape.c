/* Escaping of attacker-controlled bytes: one table lookup per byte on the hot path, no calls
 * through pointers, no allocation. */
#include "escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum byte_kind {
	B_HEX = 0, /* control byte, DEL, stray continuation, C0/C1 overlong lead, F5..FF */
	B_PLAIN,   /* printable ASCII copied as is */
	B_SHORT,   /* \\ \" \n \t \r */
	B_LEAD2,   /* C2..DF */
	B_LEAD3,   /* E0..EF */
	B_LEAD4,   /* F0..F4 */
};

static const uint8_t byte_kinds[256] = {
	[0x00 ... 0x08] = B_HEX,
	['\t'] = B_SHORT,
	['\n'] = B_SHORT,
	[0x0b ... 0x0c] = B_HEX,
	['\r'] = B_SHORT,
	[0x0e ... 0x1f] = B_HEX,
	[0x20 ... 0x21] = B_PLAIN,
	['"'] = B_SHORT,
	[0x23 ... 0x5b] = B_PLAIN,
	['\\'] = B_SHORT,
	[0x5d ... 0x7e] = B_PLAIN,
	[0x7f ... 0xc1] = B_HEX,
	[0xc2 ... 0xdf] = B_LEAD2,
	[0xe0 ... 0xef] = B_LEAD3,
	[0xf0 ... 0xf4] = B_LEAD4,
	[0xf5 ... 0xff] = B_HEX,
};

static const char hex_digit[16] = "0123456789abcdef";

/* "…" (U+2026) as UTF-8; the truncation marker is "…[+N]". */
static const char ellipsis[3] = { '\xe2', '\x80', '\xa6' };

static size_t decimal_digits(size_t v)
{
	size_t n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static size_t marker_len(size_t hidden)
{
	return sizeof(ellipsis) + 3 + decimal_digits(hidden); /* … [ + digits ] */
}

static size_t write_marker(char *out, size_t hidden)
{
	size_t digits = decimal_digits(hidden);
	size_t o = 0;

	for (size_t k = 0; k < sizeof(ellipsis); k++)
		out[o++] = ellipsis[k];
	out[o++] = '[';
	out[o++] = '+';
	for (size_t k = digits; k > 0; k--) {
		out[o + k - 1] = (char)('0' + hidden % 10);
		hidden /= 10;
	}
	o += digits;
	out[o++] = ']';
	return o;
}

/* Length of the well-formed UTF-8 sequence at p (Unicode table 3-7: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 when it is ill-formed or cut short. */
static inline size_t utf8_valid_len(const unsigned char *p, size_t avail, enum byte_kind kind)
{
	size_t n = (size_t)(kind - B_LEAD2) + 2;
	unsigned char lo = 0x80, hi = 0xbf;

	if (n > avail)
		return 0;
	switch (p[0]) {
	case 0xe0: lo = 0xa0; break; /* overlong 3-byte */
	case 0xed: hi = 0x9f; break; /* surrogates D800..DFFF */
	case 0xf0: lo = 0x90; break; /* overlong 4-byte */
	case 0xf4: hi = 0x8f; break; /* above U+10FFFF */
	}
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k < n; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Valid characters that still move the cursor or reorder the line when displayed:
 * C1 controls U+0080-U+009F, U+2028-U+202E (separators, bidi embeddings and overrides),
 * U+2066-U+2069 (bidi isolates). */
static inline bool utf8_is_unsafe(const unsigned char *p, size_t n)
{
	if (n == 2)
		return p[0] == 0xc2 && p[1] < 0xa0;
	if (n == 3 && p[0] == 0xe2)
		return (p[1] == 0x80 && p[2] >= 0xa8 && p[2] <= 0xae) ||
		       (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9);
	return false;
}

static inline char short_escape(unsigned char c)
{
	switch (c) {
	case '\n': return 'n';
	case '\t': return 't';
	case '\r': return 'r';
	default: return (char)c; /* '\\' and '"' escape as themselves */
	}
}

size_t cap_escape(char *out, size_t outsz, const char *in, size_t len, size_t max_out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t limit, safe, i = 0, o = 0, cut_i = 0, cut_o = 0;
	bool can_mark, tracking;

	if (outsz == 0)
		return 0;
	limit = outsz - 1;
	if (max_out != 0 && max_out < limit)
		limit = max_out;

	/*
	 * The marker counts against the limit, so remember the last cut point (cut_i, cut_o)
	 * where the marker for the bytes left still fits. Up to `safe` even the longest marker
	 * fits; past it the exact check is needed. Every character adds at least one output
	 * byte while the marker shrinks by at most one digit, so once a cut point fails all
	 * later ones fail too and tracking can stop.
	 */
	can_mark = marker_len(len) <= limit;
	tracking = can_mark;
	safe = can_mark ? limit - marker_len(len) : 0;

	while (i < len) {
		/* Hot path: plain ASCII while even the longest marker still fits behind it. */
		if (o < safe && byte_kinds[s[i]] == B_PLAIN) {
			do
				out[o++] = (char)s[i++];
			while (i < len && o < safe && byte_kinds[s[i]] == B_PLAIN);
			cut_i = i;
			cut_o = o;
			continue;
		}

		enum byte_kind kind = byte_kinds[s[i]];
		size_t in_n = 1, out_n;
		bool hex = false;

		switch (kind) {
		case B_PLAIN:
			out_n = 1;
			break;
		case B_SHORT:
			out_n = 2;
			break;
		case B_HEX:
			hex = true;
			out_n = 4;
			break;
		default:
			in_n = utf8_valid_len(s + i, len - i, kind);
			if (in_n == 0) {
				/* ill-formed: escape this byte alone and resynchronise on the next */
				in_n = 1;
				hex = true;
			} else {
				hex = utf8_is_unsafe(s + i, in_n);
			}
			out_n = hex ? 4 * in_n : in_n;
			break;
		}
		if (out_n > limit - o)
			goto truncated;

		if (hex) {
			for (size_t k = 0; k < in_n; k++) {
				out[o++] = '\\';
				out[o++] = 'x';
				out[o++] = hex_digit[s[i + k] >> 4];
				out[o++] = hex_digit[s[i + k] & 0xf];
			}
		} else if (kind == B_SHORT) {
			out[o++] = '\\';
			out[o++] = short_escape(s[i]);
		} else {
			for (size_t k = 0; k < in_n; k++)
				out[o++] = (char)s[i + k];
		}
		i += in_n;

		if (tracking) {
			if (o <= safe || o + marker_len(len - i) <= limit) {
				cut_i = i;
				cut_o = o;
			} else {
				tracking = false;
			}
		}
	}
	out[o] = '\0';
	return o;

truncated:
	if (can_mark) {
		o = cut_o + write_marker(out + cut_o, len - cut_i);
	} else if (limit >= sizeof(ellipsis)) {
		/* too small for any count: still show that something was cut */
		for (o = 0; o < sizeof(ellipsis); o++)
			out[o] = ellipsis[o];
	} else {
		o = 0;
	}
	out[o] = '\0';
	return o;
}

/* Bytes in the UTF-8 sequence led by p[0], going by its shape only (the input may be any
 * text); 1 for ASCII, stray or cut-short bytes. Keeps truncation from splitting a character. */
static inline size_t utf8_span(const unsigned char *p, size_t avail)
{
	size_t n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc0 ? 2 : 1;

	if (p[0] >= 0xf8 || n > avail)
		return 1;
	for (size_t k = 1; k < n; k++)
		if ((p[k] & 0xc0) != 0x80)
			return 1;
	return n;
}

size_t cap_json_escape(char *out, size_t outsz, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t limit, i = 0, o = 0;

	if (outsz == 0)
		return 0;
	limit = outsz - 1;

	while (i < len) {
		unsigned char c = p[i];

		/* Hot path: ASCII that JSON takes as is. */
		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			if (o == limit)
				break;
			out[o++] = (char)c;
			i++;
			continue;
		}

		if (c >= 0x80) {
			size_t n = utf8_span(p + i, len - i);
			if (n > limit - o)
				break;
			for (size_t k = 0; k < n; k++)
				out[o++] = (char)p[i + k];
			i += n;
			continue;
		}

		char letter = 0;
		switch (c) {
		case '"': letter = '"'; break;
		case '\\': letter = '\\'; break;
		case '\b': letter = 'b'; break;
		case '\f': letter = 'f'; break;
		case '\n': letter = 'n'; break;
		case '\r': letter = 'r'; break;
		case '\t': letter = 't'; break;
		}
		if (letter) {
			if (limit - o < 2)
				break;
			out[o++] = '\\';
			out[o++] = letter;
		} else {
			if (limit - o < 6)
				break;
			out[o++] = '\\';
			out[o++] = 'u';
			out[o++] = '0';
			out[o++] = '0';
			out[o++] = hex_digit[c >> 4];
			out[o++] = hex_digit[c & 0xf];
		}
		i++;
	}
	out[o] = '\0';
	return o;
}

/* The length of the character at p (1 for a byte that is not one) and whether a terminal can
 * show it as is (see cap_put_terminal_safe). */
static size_t terminal_char(const unsigned char *p, size_t avail, bool *safe)
{
	enum byte_kind kind = byte_kinds[p[0]];
	if (kind == B_PLAIN || p[0] == '\\' || p[0] == '"' || p[0] == '\t') {
		*safe = true;
		return 1;
	}
	size_t n = kind >= B_LEAD2 ? utf8_valid_len(p, avail, kind) : 0;
	*safe = n && !utf8_is_unsafe(p, n);
	return n ? n : 1;
}

void cap_put_terminal_safe(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0; /* bytes p[i - run .. i) are safe and not written yet */
	while (i < len) {
		bool safe;
		size_t n = terminal_char(p + i, len - i, &safe);
		if (!safe) {
			fwrite(p + i - run, 1, run, f);
			fputc('?', f);
			run = 0;
		} else {
			run += n;
		}
		i += n;
	}
	fwrite(p + i - run, 1, run, f);
}

size_t cap_terminal_sanitize(char *s, size_t len)
{
	unsigned char *p = (unsigned char *)s;
	size_t i = 0, o = 0;
	while (i < len) {
		bool safe;
		size_t n = terminal_char(p + i, len - i, &safe);
		if (safe)
			memmove(p + o, p + i, n), o += n;
		else
			p[o++] = '?';
		i += n;
	}
	if (o < len)
		p[o] = 0;
	return o;
}
