/* libFuzzer target for cap_escape and cap_json_escape.
 * Input: 2 bytes outsz, 2 bytes max_out, 1 byte JSON outsz, then the string to escape.
 * Buffers are allocated at their exact size so ASan catches any overflow. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/escape.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			__builtin_trap(); \
	} while (0)

static const char ellipsis[] = "\xe2\x80\xa6";

static int hex_value(char c)
{
	return c <= '9' ? c - '0' : c - 'a' + 10;
}

/* Reverses cap_escape; returns the decoded length. */
static size_t unescape(const char *s, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		if (s[i] != '\\') {
			out[o++] = (unsigned char)s[i++];
			continue;
		}
		CHECK(i + 1 < n);
		switch (s[i + 1]) {
		case 'n': out[o++] = '\n'; i += 2; break;
		case 't': out[o++] = '\t'; i += 2; break;
		case 'r': out[o++] = '\r'; i += 2; break;
		case '\\': out[o++] = '\\'; i += 2; break;
		case '"': out[o++] = '"'; i += 2; break;
		case 'x':
			CHECK(i + 3 < n);
			out[o++] = (unsigned char)(hex_value(s[i + 2]) * 16 + hex_value(s[i + 3]));
			i += 4;
			break;
		default:
			CHECK(false);
		}
	}
	return o;
}

/* Checks the output is well-formed UTF-8 without any character the escaper must hide. */
static void check_displayable(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		CHECK(c >= 0x20 && c != 0x7f);
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		CHECK(c >= 0xc2 && c <= 0xf4 && i + len <= n);
		uint32_t cp = c & (0xff >> (len + 1));
		for (size_t k = 1; k < len; k++) {
			CHECK((s[i + k] & 0xc0) == 0x80);
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		CHECK(cp >= (len == 2 ? 0x80u : len == 3 ? 0x800u : 0x10000u));
		CHECK(cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff));
		CHECK(cp > 0x9f);
		CHECK(cp < 0x2028 || cp > 0x202e);
		CHECK(cp < 0x2066 || cp > 0x2069);
		i += len;
	}
}

static size_t marker_len(size_t hidden)
{
	size_t digits = 1;
	while (hidden >= 10) {
		hidden /= 10;
		digits++;
	}
	return strlen(ellipsis) + 3 + digits;
}

static void check_json(const char *s, size_t n, size_t outsz)
{
	char *out = malloc(outsz ? outsz : 1);
	size_t len = cap_json_escape(out, outsz, s, n);

	if (outsz == 0) {
		CHECK(len == 0);
		free(out);
		return;
	}
	CHECK(len < outsz && out[len] == '\0' && strlen(out) == len);
	for (size_t i = 0; i < len; i++)
		CHECK((unsigned char)out[i] >= 0x20);
	/* what was written decodes to a prefix of the input */
	size_t i = 0, o = 0;
	while (o < len) {
		CHECK(i < n);
		if (out[o] != '\\') {
			CHECK(out[o++] == s[i++]);
			continue;
		}
		char c = out[o + 1];
		CHECK(c != '\0');
		if (c == 'u') {
			CHECK(s[i++] == (char)(hex_value(out[o + 4]) * 16 + hex_value(out[o + 5])));
			o += 6;
			continue;
		}
		const char *pair = strchr("\"\"\\\\b\bf\fn\nr\rt\t", c);
		CHECK(pair != NULL && s[i++] == pair[1]);
		o += 2;
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 5)
		return 0;
	size_t outsz = (size_t)(data[0] | data[1] << 8) % 1024;
	size_t max_out = (size_t)(data[2] | data[3] << 8) % 1024;
	size_t json_outsz = data[4];
	const char *in = (const char *)data + 5;
	size_t len = size - 5;

	/* Roomy buffer: never truncated, displayable and lossless. */
	size_t full_sz = 4 * len + 1;
	char *full = malloc(full_sz);
	unsigned char *back = malloc(len + 1);
	size_t full_len = cap_escape(full, full_sz, in, len, 0);
	CHECK(full_len < full_sz && full[full_len] == '\0' && strlen(full) == full_len);
	check_displayable((const unsigned char *)full, full_len);
	CHECK(unescape(full, full_len, back) == len && memcmp(back, in, len) == 0);

	/* Bounded buffer: in bounds, displayable, and either whole or prefix + marker. */
	char *out = malloc(outsz ? outsz : 1);
	size_t n = cap_escape(out, outsz, in, len, max_out);
	if (outsz == 0) {
		CHECK(n == 0);
	} else {
		size_t limit = outsz - 1;
		if (max_out && max_out < limit)
			limit = max_out;
		CHECK(n <= limit && out[n] == '\0' && strlen(out) == n);
		check_displayable((const unsigned char *)out, n);
		if (full_len <= limit) {
			CHECK(n == full_len && memcmp(out, full, n) == 0);
		} else if (marker_len(len) > limit) {
			CHECK(n == 0 || strcmp(out, ellipsis) == 0);
		} else {
			const char *mark = strstr(out, ellipsis);
			while (mark && strstr(mark + 1, ellipsis))
				mark = strstr(mark + 1, ellipsis);
			CHECK(mark != NULL);
			size_t shown = (size_t)(mark - out);
			char *end;
			CHECK(mark[3] == '[' && mark[4] == '+');
			unsigned long hidden = strtoul(mark + 5, &end, 10);
			CHECK(end[0] == ']' && end[1] == '\0');
			CHECK(hidden <= len && memcmp(out, full, shown) == 0);
			CHECK(unescape(out, shown, back) == len - hidden);
			CHECK(memcmp(back, in, len - hidden) == 0);
		}
		check_json(out, n, json_outsz);
	}
	check_json(full, full_len, full_len * 6 + 1);
	check_json(in, len, json_outsz);

	free(out);
	free(back);
	free(full);
	return 0;
}
