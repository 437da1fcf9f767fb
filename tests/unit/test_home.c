/* `~` in the printed summary: paths in the agent's home are shown as ~/..., others (and the
 * JSON summary) keep the absolute path. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "session/summary.h"

static void test_prefix(void **state)
{
	(void)state;
	assert_int_equal(cap_home_prefix("/home/u/.bashrc", "/home/u"), 7);
	assert_int_equal(cap_home_prefix("/home/u/.bashrc", "/home/u/"), 7);
	assert_int_equal(cap_home_prefix("/home/u", "/home/u"), 7);
	assert_int_equal(cap_home_prefix("/home/u2/.bashrc", "/home/u"), 0);
	assert_int_equal(cap_home_prefix("/etc/passwd", "/home/u"), 0);
	assert_int_equal(cap_home_prefix("/etc/passwd", "/"), 0);
	assert_int_equal(cap_home_prefix("/etc/passwd", ""), 0);
	assert_int_equal(cap_home_prefix("/etc/passwd", NULL), 0);
	assert_int_equal(cap_home_prefix("/home/u/x", "home/u"), 0);
}

static char *print(const struct cap_summary *s, const char *home, int json)
{
	struct cap_session_info si = { .id = "t", .command = "sh", .user = "u", .log_dir = "/tmp", .home = home };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (json)
		cap_summary_json(f, s, &si);
	else
		cap_summary_print(f, s, &si, 0);
	fclose(f);
	return buf;
}

static void test_summary_paths(void **state)
{
	(void)state;
	struct cap_summary s;
	cap_summary_init(&s);
	strset_add(&s.files_written, "/home/u/.bashrc", 15);
	strset_add(&s.files_written, "/home/u2/notes", 14);
	strset_add(&s.files_deleted, "/home/u/tmp/\x1b[2Jx", 17);
	char *text = print(&s, "/home/u", 0);
	assert_non_null(strstr(text, "~/.bashrc"));
	assert_null(strstr(text, "/home/u/.bashrc"));
	assert_non_null(strstr(text, "/home/u2/notes"));
	assert_non_null(strstr(text, "~/tmp/\\x1b[2Jx"));
	char *json = print(&s, "/home/u", 1);
	assert_non_null(strstr(json, "\"/home/u/.bashrc\""));
	assert_null(strstr(json, "~"));
	free(text);
	free(json);
	text = print(&s, NULL, 0);
	assert_non_null(strstr(text, "/home/u/.bashrc"));
	free(text);
	cap_summary_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_summary_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
