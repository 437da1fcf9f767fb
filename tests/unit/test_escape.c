#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "format/escape.h"

#define ELLIPSIS "\xe2\x80\xa6"
#define NIHONGO "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e" /* 日本語 */

/* Escapes a string literal (embedded NULs included) with a roomy buffer. */
#define ESC(lit, max_out) escape_to(buf, sizeof(buf), lit, sizeof(lit) - 1, max_out)

static char buf[512];

static const char *escape_to(char *out, size_t outsz, const char *in, size_t len, size_t max_out)
{
	size_t n = cap_escape(out, outsz, in, len, max_out);
	assert_int_equal(n, strlen(out));
	assert_true(n < outsz);
	return out;
}

/* Reverses cap_escape on untruncated output; returns the decoded length. */
static size_t unescape(const char *s, char *out)
{
	size_t o = 0;

	while (*s) {
		if (*s != '\\') {
			out[o++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': out[o++] = '\n'; s++; break;
		case 't': out[o++] = '\t'; s++; break;
		case 'r': out[o++] = '\r'; s++; break;
		case 'x': {
			char hex[3] = { s[1], s[2], 0 };
			out[o++] = (char)strtoul(hex, NULL, 16);
			s += 3;
			break;
		}
		default: out[o++] = *s++; break;
		}
	}
	return o;
}

static void test_plain_ascii_copied(void **state)
{
	(void)state;
	assert_string_equal(ESC("hello world ~!@#$%^&*()", 0), "hello world ~!@#$%^&*()");
	assert_int_equal(cap_escape(buf, sizeof(buf), "abc", 3, 0), 3);
}

static void test_empty_input(void **state)
{
	(void)state;
	assert_string_equal(ESC("", 0), "");
	assert_int_equal(cap_escape(buf, sizeof(buf), NULL, 0, 0), 0);
}

static void test_short_escapes(void **state)
{
	(void)state;
	assert_string_equal(ESC("a\\b\"c\nd\te\rf", 0), "a\\\\b\\\"c\\nd\\te\\rf");
	/* a literal "\x41" must not read back as 'A' */
	assert_string_equal(ESC("\\x41", 0), "\\\\x41");
}

static void test_control_bytes_hex(void **state)
{
	(void)state;
	assert_string_equal(ESC("\x01\x1f\x7f", 0), "\\x01\\x1f\\x7f");
	assert_string_equal(ESC("a\0b", 0), "a\\x00b");
	assert_string_equal(ESC("\x0b\x0c\x08", 0), "\\x0b\\x0c\\x08");
}

static void test_terminal_escape_sequence(void **state)
{
	(void)state;
	assert_string_equal(ESC("\x1b[2J\x1b]0;title\x07", 0), "\\x1b[2J\\x1b]0;title\\x07");
}

static void test_valid_utf8_kept(void **state)
{
	(void)state;
	assert_string_equal(ESC("caf\xc3\xa9", 0), "caf\xc3\xa9");                     /* é */
	assert_string_equal(ESC("\xe6\x97\xa5\xe6\x9c\xac", 0), "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
	assert_string_equal(ESC("\xf0\x9f\x98\x80", 0), "\xf0\x9f\x98\x80");             /* 😀 */
	assert_string_equal(ESC("\xc2\xa0", 0), "\xc2\xa0");                             /* NBSP */
	assert_string_equal(ESC("\xf4\x8f\xbf\xbf", 0), "\xf4\x8f\xbf\xbf");             /* U+10FFFF */
	assert_string_equal(ESC("\xed\x9f\xbf\xee\x80\x80", 0), "\xed\x9f\xbf\xee\x80\x80"); /* around surrogates */
	/* neighbours of the escaped ranges stay */
	assert_string_equal(ESC("\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa", 0),
			    "\xe2\x80\xa7\xe2\x80\xaf\xe2\x81\xa5\xe2\x81\xaa");
}

static void test_invalid_utf8_hex_per_byte(void **state)
{
	(void)state;
	assert_string_equal(ESC("\x80", 0), "\\x80");                          /* lone continuation */
	assert_string_equal(ESC("a\xbf" "b", 0), "a\\xbfb");
	assert_string_equal(ESC("\xc0\x80", 0), "\\xc0\\x80");                 /* overlong NUL */
	assert_string_equal(ESC("\xc1\xbf", 0), "\\xc1\\xbf");
	assert_string_equal(ESC("\xe0\x80\xaf", 0), "\\xe0\\x80\\xaf");       /* overlong '/' */
	assert_string_equal(ESC("\xf0\x8f\xbf\xbf", 0), "\\xf0\\x8f\\xbf\\xbf"); /* overlong 4-byte */
	assert_string_equal(ESC("\xed\xa0\x80", 0), "\\xed\\xa0\\x80");       /* surrogate D800 */
	assert_string_equal(ESC("\xed\xbf\xbf", 0), "\\xed\\xbf\\xbf");       /* surrogate DFFF */
	assert_string_equal(ESC("\xf4\x90\x80\x80", 0), "\\xf4\\x90\\x80\\x80"); /* U+110000 */
	assert_string_equal(ESC("\xf5\x80\x80\x80", 0), "\\xf5\\x80\\x80\\x80");
	assert_string_equal(ESC("\xfe\xff", 0), "\\xfe\\xff");
	/* a bad continuation only spoils the lead byte; the next byte is decoded afresh */
	assert_string_equal(ESC("\xc3" "A", 0), "\\xc3A");
	assert_string_equal(ESC("\xe6\x97" "\xc3\xa9", 0), "\\xe6\\x97\xc3\xa9");
}

static void test_truncated_sequence_at_end_of_input(void **state)
{
	(void)state;
	assert_string_equal(ESC("a\xe6\x97", 0), "a\\xe6\\x97");
	assert_string_equal(ESC("\xf0\x9f\x98", 0), "\\xf0\\x9f\\x98");
	/* 日本 cut after 4 bytes */
	assert_string_equal(escape_to(buf, sizeof(buf), "\xe6\x97\xa5\xe6\x9c\xac", 4, 0), "\xe6\x97\xa5\\xe6");
}

static void test_c1_and_unicode_separators_escaped(void **state)
{
	(void)state;
	assert_string_equal(ESC("\xc2\x85", 0), "\\xc2\\x85");             /* NEL */
	assert_string_equal(ESC("\xc2\x9b" "2J", 0), "\\xc2\\x9b2J");       /* 8-bit CSI */
	assert_string_equal(ESC("\xc2\x80\xc2\x9f", 0), "\\xc2\\x80\\xc2\\x9f");
	assert_string_equal(ESC("a\xe2\x80\xa8" "b", 0), "a\\xe2\\x80\\xa8b"); /* U+2028 */
	assert_string_equal(ESC("\xe2\x80\xa9", 0), "\\xe2\\x80\\xa9");     /* U+2029 */
	assert_string_equal(ESC("\xe2\x80\xaa", 0), "\\xe2\\x80\\xaa");     /* U+202A LRE */
	assert_string_equal(ESC("\xe2\x80\xae" "fdp.exe", 0), "\\xe2\\x80\\xaefdp.exe"); /* RLO */
	assert_string_equal(ESC("\xe2\x81\xa6", 0), "\\xe2\\x81\\xa6");     /* U+2066 LRI */
	assert_string_equal(ESC("\xe2\x81\xa9", 0), "\\xe2\\x81\\xa9");     /* U+2069 PDI */
}

static void test_truncation_marker_counts_hidden_input(void **state)
{
	(void)state;
	/* 4 shown + "…[+22]" (8 bytes) = 12 */
	assert_string_equal(ESC("abcdefghijklmnopqrstuvwxyz", 12), "abcd" ELLIPSIS "[+22]");
	/* same limit from outsz alone */
	assert_string_equal(escape_to(buf, 13, "abcdefghijklmnopqrstuvwxyz", 26, 0), "abcd" ELLIPSIS "[+22]");
	/* max_out larger than the buffer: the buffer wins */
	assert_string_equal(escape_to(buf, 13, "abcdefghijklmnopqrstuvwxyz", 26, 100), "abcd" ELLIPSIS "[+22]");
	/* exactly fitting text carries no marker */
	assert_string_equal(ESC("abcdefghijkl", 12), "abcdefghijkl");
	assert_string_equal(escape_to(buf, 4, "abc", 3, 0), "abc");
}

static void test_truncation_uses_every_byte(void **state)
{
	(void)state;
	/* 15 bytes, limit 13: 5 + "…[+10]" and 6 + "…[+9]" both fit; the longer prefix wins */
	assert_string_equal(ESC("aaaaaaaaaaaaaaa", 13), "aaaaaa" ELLIPSIS "[+9]");

	char big[1000];
	memset(big, 'a', sizeof(big));
	size_t n = cap_escape(buf, sizeof(buf), big, sizeof(big), 20);
	assert_int_equal(n, 20);
	assert_string_equal(buf, "aaaaaaaaaaa" ELLIPSIS "[+989]");
}

static void test_truncation_keeps_characters_whole(void **state)
{
	(void)state;
	/* 日本語日本語: 日 + "…[+15]" is 11 bytes; a split 4th byte would still fit at 12 and 13 */
	assert_string_equal(ESC(NIHONGO NIHONGO, 12), "\xe6\x97\xa5" ELLIPSIS "[+15]");
	assert_string_equal(ESC(NIHONGO NIHONGO, 13), "\xe6\x97\xa5" ELLIPSIS "[+15]");
	assert_string_equal(ESC(NIHONGO NIHONGO, 14), "\xe6\x97\xa5\xe6\x9c\xac" ELLIPSIS "[+12]");
	/* escapes are never split either */
	assert_string_equal(ESC("\x01\x02\x03\x04", 12), "\\x01" ELLIPSIS "[+3]");
	assert_string_equal(ESC("\x01\x02\x03\x04", 14), "\\x01" ELLIPSIS "[+3]");
	/* an escaped U+2028 goes or stays as a whole */
	assert_string_equal(ESC("\xe2\x80\xa8" "abcdefgh", 12), ELLIPSIS "[+11]");
	/* at 10 "a\\n…[+10]" (11 bytes) does not fit, and "\\n" is not split */
	assert_string_equal(ESC("a\nbcdefghijk", 11), "a\\nb" ELLIPSIS "[+9]");
	assert_string_equal(ESC("a\nbcdefghijk", 10), "a" ELLIPSIS "[+11]");
}

static void test_truncation_of_cut_short_sequence(void **state)
{
	(void)state;
	/* the ill-formed tail is escaped byte by byte, and the cut falls between escapes */
	assert_string_equal(ESC("ab\xe6\x97zzzz", 13), "ab\\xe6" ELLIPSIS "[+5]");
}

static void test_tiny_buffers(void **state)
{
	(void)state;
	char small[8];

	memset(small, 'Z', sizeof(small));
	assert_int_equal(cap_escape(small, 0, "abc", 3, 0), 0);
	assert_int_equal(small[0], 'Z'); /* outsz 0: untouched */

	assert_int_equal(cap_escape(small, 1, "abc", 3, 0), 0);
	assert_string_equal(small, "");

	/* no room for a count: an ellipsis alone still shows the cut */
	assert_int_equal(cap_escape(small, 4, "abcd", 4, 0), 3);
	assert_string_equal(small, ELLIPSIS);
	assert_int_equal(cap_escape(small, 3, "abcd", 4, 0), 0);
	assert_string_equal(small, "");
	assert_int_equal(cap_escape(small, sizeof(small), "\x1b", 1, 0), 4);
	assert_string_equal(small, "\\x1b");
	assert_int_equal(cap_escape(small, 4, "\x1b", 1, 0), 3);
	assert_string_equal(small, ELLIPSIS);
}

/* Every outsz and max_out: terminated, in bounds, never a control byte, canary intact. */
static void test_all_sizes_stay_in_bounds(void **state)
{
	(void)state;
	static const char in[] = "x\x1b[31m\xe6\x97\xa5\xe2\x80\xae\xc3\xa9\n\xff\xf0\x9f\x98\x80 end\xe6\x97";
	char area[128];

	for (size_t outsz = 0; outsz < 100; outsz++) {
		for (size_t max_out = 0; max_out < 100; max_out += 7) {
			memset(area, 'Z', sizeof(area));
			size_t n = cap_escape(area, outsz, in, sizeof(in) - 1, max_out);
			for (size_t k = outsz; k < sizeof(area); k++)
				assert_int_equal(area[k], 'Z');
			if (outsz == 0) {
				assert_int_equal(n, 0);
				continue;
			}
			assert_true(n < outsz);
			if (max_out)
				assert_true(n <= max_out);
			assert_int_equal(area[n], '\0');
			assert_int_equal(strlen(area), n);
			for (size_t k = 0; k < n; k++) {
				unsigned char c = (unsigned char)area[k];
				assert_true(c >= 0x20 && c != 0x7f);
			}
		}
	}
}

static void test_lossless_round_trip(void **state)
{
	(void)state;
	static const char in[] = "a\\b\"\n\t\r\x00\x1b\x7f\x80\xc0\x80\xed\xa0\x80\xc2\x85\xe2\x80\xa8\xe6\x97\xa5\xf0\x9f\x98\x80\xf4\x90\x80\x80\\x41";
	char back[sizeof(buf)];

	ESC(in, 0);
	size_t n = unescape(buf, back);
	assert_int_equal(n, sizeof(in) - 1);
	assert_memory_equal(back, in, n);
}

static void test_json_escape(void **state)
{
	(void)state;
	static const char in[] = "a\"b\\c\n\t\r\b\f\x01\x1f\x7f \xc3\xa9/";
	size_t n = cap_json_escape(buf, sizeof(buf), in, sizeof(in) - 1);
	assert_string_equal(buf, "a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\x7f \xc3\xa9/");
	assert_int_equal(n, strlen(buf));

	/* escaped text goes through unchanged but for its backslashes */
	char esc[64];
	cap_escape(esc, sizeof(esc), "\x1b[2J", 4, 0);
	cap_json_escape(buf, sizeof(buf), esc, strlen(esc));
	assert_string_equal(buf, "\\\\x1b[2J");
}

static void test_json_truncation(void **state)
{
	(void)state;
	char small[16];

	memset(small, 'Z', sizeof(small));
	assert_int_equal(cap_json_escape(small, 0, "abc", 3), 0);
	assert_int_equal(small[0], 'Z');
	assert_int_equal(cap_json_escape(small, 1, "abc", 3), 0);
	assert_string_equal(small, "");
	assert_int_equal(cap_json_escape(small, 3, "abc", 3), 2);
	assert_string_equal(small, "ab");
	/* escapes and characters are not split */
	assert_int_equal(cap_json_escape(small, 7, "a\x01", 2), 1);
	assert_string_equal(small, "a");
	assert_int_equal(cap_json_escape(small, 8, "a\x01", 2), 7);
	assert_string_equal(small, "a\\u0001");
	assert_int_equal(cap_json_escape(small, 3, "a\"", 2), 1);
	assert_int_equal(cap_json_escape(small, 4, "a\xe6\x97\xa5", 4), 1);
	assert_string_equal(small, "a");
	assert_int_equal(cap_json_escape(small, 5, "a\xe6\x97\xa5", 4), 4);
	/* stray bytes of non-UTF-8 input go one at a time */
	assert_int_equal(cap_json_escape(small, 3, "a\xe6\x97", 3), 2);
	assert_int_equal(cap_json_escape(small, 4, "a\xe6\x97", 3), 3);
}

/* Text read back from a database or log: escaped lines pass unchanged, anything that could
 * drive the terminal becomes '?'. */
static void test_terminal_safe(void **state)
{
	(void)state;
	static const char in[] = "ok \\x1b \"q\" caf\xc3\xa9 \x1b[2J \xc2\x9b \xe2\x80\xae \x9b \n end";
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	assert_non_null(f);
	cap_put_terminal_safe(f, in, sizeof(in) - 1);
	fclose(f);
	assert_string_equal(out, "ok \\x1b \"q\" caf\xc3\xa9 ?[2J ? ? ? ? end");
	free(out);
	/* the same filter in place */
	char copy[sizeof(in)];
	memcpy(copy, in, sizeof(in));
	size_t m = cap_terminal_sanitize(copy, sizeof(in) - 1);
	assert_int_equal(m, strlen("ok \\x1b \"q\" caf\xc3\xa9 ?[2J ? ? ? ? end"));
	assert_string_equal(copy, "ok \\x1b \"q\" caf\xc3\xa9 ?[2J ? ? ? ? end");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terminal_safe),
		cmocka_unit_test(test_plain_ascii_copied),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_short_escapes),
		cmocka_unit_test(test_control_bytes_hex),
		cmocka_unit_test(test_terminal_escape_sequence),
		cmocka_unit_test(test_valid_utf8_kept),
		cmocka_unit_test(test_invalid_utf8_hex_per_byte),
		cmocka_unit_test(test_truncated_sequence_at_end_of_input),
		cmocka_unit_test(test_c1_and_unicode_separators_escaped),
		cmocka_unit_test(test_truncation_marker_counts_hidden_input),
		cmocka_unit_test(test_truncation_uses_every_byte),
		cmocka_unit_test(test_truncation_keeps_characters_whole),
		cmocka_unit_test(test_truncation_of_cut_short_sequence),
		cmocka_unit_test(test_tiny_buffers),
		cmocka_unit_test(test_all_sizes_stay_in_bounds),
		cmocka_unit_test(test_lossless_round_trip),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_json_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
