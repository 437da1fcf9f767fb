/* The record decoder and the text/JSON formatters, on records built by hand the way the
 * kernel side builds them (including hostile ones). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <cmocka.h>
#include "../recbuild.h"
#include "trace/decode.h"
#include "enrich/view.h"
#include "format/text.h"
#include "format/json.h"

static struct cap_rec *rec_start(struct builder *b, int type, int nr)
{
	struct cap_rec *r = rec_header(b, type, nr, 4321, "python3");
	r->ppid = 1;
	r->uid = r->euid = 1000;
	return r;
}



static void render(const void *data, size_t size, char *text, char *json)
{
	static struct cap_event ev;
	static struct cap_view v;
	struct sbuf b;
	struct cap_text_opts o = { .color = false, .max_str = 256 };
	assert_int_equal(cap_decode(&ev, data, size), 0);
	ev.seq = 7;
	ev.realtime_ns = 1733342400123456789LL;
	cap_view_build(&v, &ev);
	sb_init(&b, text, 65536);
	cap_text_event(&b, &ev, &v, &o);
	sb_init(&b, json, 65536);
	cap_json_event(&b, &ev, &v);
}

static char text[65536], json[65536];

static void test_openat_relative_resolved(void **state)
{
	(void)state;
	struct builder b;
	struct cap_rec *r = rec_start(&b, CAP_REC_SYSCALL, __NR_openat);
	r->args[0] = (uint64_t)-100;
	r->args[2] = O_RDONLY | O_CLOEXEC;
	r->ret = 3;
	field(&b, CAP_F_STR, 1, "./data/../data/config.yaml", 26);
	field(&b, CAP_F_BASE, 1, "/home/ana", 9);
	struct cap_fileinfo fi = { .mode = 0100644, .magic = 0xEF53 };
	field(&b, CAP_F_FILE, 6, &fi, sizeof(fi));
	render(b.buf, finish(&b), text, json);
	assert_non_null(strstr(text, "P4321 (python3) openat path=/home/ana/data/config.yaml flags=O_RDONLY|O_CLOEXEC -> FD 3\n"));
	assert_null(strstr(text, "mode="));
	assert_non_null(strstr(json, "\"kind\":\"openat\""));
	assert_non_null(strstr(json, "\"path\":\"./data/../data/config.yaml\""));
	assert_non_null(strstr(json, ",\"path\":\"/home/ana/data/config.yaml\""));
	assert_non_null(strstr(json, "\"decoded\":{\"flags\":\"O_RDONLY|O_CLOEXEC\""));
	assert_non_null(strstr(json, "\"time\":\"2024-12-04T20:00:00.123456789Z\""));
	assert_non_null(strstr(json, "\"fs\":\"ext4\""));
	assert_non_null(strstr(json, "\"fd\":3"));
}

static void test_error_and_escaping(void **state)
{
	(void)state;
	struct builder b;
	struct cap_rec *r = rec_start(&b, CAP_REC_SYSCALL, __NR_unlinkat);
	r->args[0] = (uint64_t)-100;
	r->ret = -2;
	static const char name[] = "/tmp/\x1b[2J\nfake line\"";
	field(&b, CAP_F_STR, 1, name, sizeof(name) - 1);
	render(b.buf, finish(&b), text, json);
	assert_non_null(strstr(text, "-> ENOENT\n"));
	assert_null(strchr(text, '\x1b'));
	assert_int_equal(strchr(text, '\n') - text, strlen(text) - 1); /* one line */
	assert_non_null(strstr(text, "\\x1b[2J\\nfake"));
	assert_non_null(strstr(json, "\"error\":\"ENOENT\""));
	assert_null(strchr(json, '\x1b'));
	assert_int_equal(strchr(json, '\n') - json, strlen(json) - 1);
}

static void test_wx_mapping_warning(void **state)
{
	(void)state;
	struct builder b;
	struct cap_rec *r = rec_start(&b, CAP_REC_SYSCALL, __NR_mmap);
	r->args[1] = 4096;
	r->args[2] = 7; /* RWX */
	r->args[3] = 0x22;
	r->args[4] = (uint64_t)-1;
	r->ret = 0x7f0000000000;
	render(b.buf, finish(&b), text, json);
	assert_non_null(strstr(text, "⚠ W+X mapping"));
	assert_non_null(strstr(json, "\"warning\":\"W+X mapping\""));
	assert_non_null(strstr(text, "-> 0x7f0000000000"));
}

static void test_connect_sockaddr(void **state)
{
	(void)state;
	struct builder b;
	struct cap_rec *r = rec_start(&b, CAP_REC_SYSCALL, __NR_connect);
	r->args[0] = 5;
	uint8_t sa[16] = { 2, 0, 0x01, 0xbb, 142, 251, 32, 110 };
	field(&b, CAP_F_SOCKADDR, 1, sa, sizeof(sa));
	struct cap_sockinfo si = { .family = 2, .type = 1, .protocol = 6 };
	field(&b, CAP_F_SOCK, 0, &si, sizeof(si));
	render(b.buf, finish(&b), text, json);
	assert_non_null(strstr(text, "connect fd=5<tcp> addr=142.251.32.110:443 -> 0"));
	assert_non_null(strstr(json, "\"addr\":{\"address\":\"142.251.32.110:443\",\"family\":\"AF_INET\"}"));
}

static void test_exec_argv(void **state)
{
	(void)state;
	struct builder b;
	rec_start(&b, CAP_REC_EXEC, 0);
	field(&b, CAP_F_STR, 0, "python3", 7);
	field(&b, CAP_F_FDPATH, 6, "/usr/bin/python3.11", 19);
	field(&b, CAP_F_ARGV, 0, "python3\0agent.py\0", 17);
	field(&b, CAP_F_CWD, 0, "/home/ana", 9);
	render(b.buf, finish(&b), text, json);
	assert_non_null(strstr(text, "execve /usr/bin/python3.11 argv=[\"python3\",\"agent.py\"] cwd=/home/ana"));
	assert_non_null(strstr(json, "\"argv\":[\"python3\",\"agent.py\"]"));
}

static void test_malformed_records(void **state)
{
	(void)state;
	struct builder b;
	struct cap_event ev;
	rec_start(&b, CAP_REC_SYSCALL, __NR_openat);
	field(&b, CAP_F_STR, 1, "/x", 2);
	size_t n = finish(&b);
	assert_int_equal(cap_decode(&ev, b.buf, n), 0);
	assert_int_equal(cap_decode(&ev, b.buf, n - 1), -EINVAL);       /* size beyond the data */
	assert_int_equal(cap_decode(&ev, b.buf, 10), -EINVAL);          /* shorter than a header */
	((struct cap_rec *)b.buf)->nfields = 2;                          /* a field that is not there */
	assert_int_equal(cap_decode(&ev, b.buf, n), -EINVAL);
	((struct cap_rec *)b.buf)->nfields = 1;
	((struct cap_rec *)b.buf)->nr = 1000;                             /* not a recorded syscall */
	assert_int_equal(cap_decode(&ev, b.buf, n), -EINVAL);
	((struct cap_rec *)b.buf)->type = 99;
	assert_int_equal(cap_decode(&ev, b.buf, n), -EINVAL);
}

static void test_path_join(void **state)
{
	(void)state;
	char out[64];
	cap_path_join(out, sizeof(out), "/a/b", 4, "../c/./d", 8);
	assert_string_equal(out, "/a/c/d");
	cap_path_join(out, sizeof(out), "/a", 2, "/abs//x/", 8);
	assert_string_equal(out, "/abs/x");
	cap_path_join(out, sizeof(out), "/", 1, "../../..", 8);
	assert_string_equal(out, "/");
	cap_path_join(out, 8, "/aaaa", 5, "bbbbbbbb", 8);
	assert_true(strlen(out) < 8);
	assert_true(cap_path_is_persistence("/home/x/.bashrc"));
	assert_true(cap_path_is_persistence("/etc/cron.d/job"));
	assert_false(cap_path_is_persistence("/home/x/bashrc"));
	assert_true(cap_path_is_secret("/home/x/.ssh/id_ed25519"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat_relative_resolved), cmocka_unit_test(test_error_and_escaping),
		cmocka_unit_test(test_wx_mapping_warning),       cmocka_unit_test(test_connect_sockaddr),
		cmocka_unit_test(test_exec_argv),                cmocka_unit_test(test_malformed_records),
		cmocka_unit_test(test_path_join),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
