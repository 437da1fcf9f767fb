/* Data previews and dns=NAME in the text and JSON lines, on records built the way the kernel
 * side builds them: cut to --capture-bytes, control bytes escaped, totals from the result. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <cmocka.h>
#include "../recbuild.h"
#include "trace/decode.h"
#include "enrich/view.h"
#include "format/text.h"
#include "format/json.h"

static struct builder rb; /* the record under construction */
static char text[65536], json[65536];

static struct cap_rec *rec(int nr, long ret)
{
	struct cap_rec *r = rec_header(&rb, CAP_REC_SYSCALL, nr, 4321, "agent");
	r->ret = ret;
	return r;
}

static void add(int type, int arg, const void *data, size_t len)
{
	field(&rb, type, arg, data, len);
}

static void render(size_t preview_max, const char *dns_name)
{
	static struct cap_event ev;
	static struct cap_view v;
	struct sbuf b;
	struct cap_text_opts o = { .color = false, .max_str = 256 };
	assert_int_equal(cap_decode(&ev, rb.buf, finish(&rb)), 0);
	v.preview_max = preview_max;
	cap_view_build(&v, &ev);
	v.dns = dns_name;
	sb_init(&b, text, sizeof(text));
	cap_text_event(&b, &ev, &v, &o);
	sb_init(&b, json, sizeof(json));
	cap_json_event(&b, &ev, &v);
}

static void test_write_preview(void **state)
{
	(void)state;
	struct cap_rec *r = rec(__NR_write, 6);
	r->args[0] = 1;
	r->args[2] = 6;
	add(CAP_F_DATA, 1, "hello\n", 6);
	render(64, NULL);
	assert_non_null(strstr(text, "write fd=1 count=6 data=\"hello\\n\" -> 6\n"));
	assert_non_null(strstr(json, "\"data\":\"hello\\\\n\",\"data_len\":6,\"data_total\":6,\"data_truncated\":false"));
}

static void test_preview_cut_and_escaped(void **state)
{
	(void)state;
	struct cap_rec *r = rec(__NR_write, 200);
	r->args[0] = 2;
	r->args[2] = 200;
	/* the kernel captured 16 bytes; the session shows 8 */
	add(CAP_F_DATA, 1, "\x1b[2J\x07\x00zz0123456789", 16);
	render(8, NULL);
	assert_non_null(strstr(text, "data=\"\\x1b[2J\\x07\\x00zz\" (8 of 200 bytes) -> 200"));
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(json, "\"data_len\":8,\"data_total\":200,\"data_truncated\":true"));
	/* previews off: nothing shown even though bytes were captured (DNS) */
	render(0, NULL);
	assert_null(strstr(text, "data="));
	assert_null(strstr(json, "\"data\""));
}

static void test_connect_dns_name(void **state)
{
	(void)state;
	struct cap_rec *r = rec(__NR_connect, 0);
	r->args[0] = 5;
	uint8_t sa[16] = { 2, 0, 0x01, 0xbb, 142, 251, 32, 110 };
	add(CAP_F_SOCKADDR, 1, sa, sizeof(sa));
	render(64, "www.googleapis.com\x1b");
	assert_non_null(strstr(text, "addr=142.251.32.110:443 (dns=www.googleapis.com\\x1b) -> 0"));
	assert_non_null(strstr(json, "\"addr\":{\"address\":\"142.251.32.110:443\",\"family\":\"AF_INET\",\"dns\":\"www.googleapis.com\\\\x1b\"}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_preview),
		cmocka_unit_test(test_preview_cut_and_escaped),
		cmocka_unit_test(test_connect_dns_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
