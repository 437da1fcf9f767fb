/* The process tree, fed with records built the way the kernel side builds them: who started
 * whom, exec details, exits, reparenting, and the caps that bound a fork bomb. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "../recbuild.h"
#include "enrich/proctree.h"
#include "enrich/view.h"
#include "trace/decode.h"

static struct cap_rec *rec(struct builder *b, int type, uint32_t pid, uint32_t ppid, const char *comm)
{
	struct cap_rec *r = rec_header(b, type, 0, pid, comm);
	r->ppid = ppid;
	r->uid = r->euid = r->gid = 1000;
	return r;
}


static int64_t now_ns = 1733342400000000000LL;

static void feed(struct cap_proctree *t, struct builder *b)
{
	static struct cap_event ev;
	static struct cap_view v;
	((struct cap_rec *)b->buf)->size = b->off;
	assert_int_equal(cap_decode(&ev, b->buf, b->off), 0);
	ev.realtime_ns = now_ns += 1000000;
	cap_view_build(&v, &ev);
	cap_proctree_event(t, &ev, &v);
}

static void fork_(struct cap_proctree *t, uint32_t parent, uint32_t child)
{
	struct builder b;
	struct cap_proc *p = cap_proctree_find(t, parent);
	struct cap_rec *r = rec(&b, CAP_REC_FORK, parent, 1, p ? p->comm : "sh");
	r->args[0] = r->args[1] = child;
	feed(t, &b);
}

static void exec_(struct cap_proctree *t, uint32_t pid, uint32_t ppid, const char *exe, const char *argv,
		  size_t argv_len, const char *cwd)
{
	struct builder b;
	const char *base = strrchr(exe, '/') + 1;
	struct cap_rec *r = rec(&b, CAP_REC_EXEC, pid, ppid, base);
	r->args[0] = pid;
	field(&b, CAP_F_STR, 0, exe, strlen(exe));
	struct cap_fileinfo fi = { .mode = 0100755, .dev = 0xfe00001, .ino = 77, .size = 1000, .mtime = 5 };
	field(&b, CAP_F_FILE, 6, &fi, sizeof(fi));
	field(&b, CAP_F_FDPATH, 6, exe, strlen(exe));
	field(&b, CAP_F_ARGV, 0, argv, argv_len);
	field(&b, CAP_F_CWD, 0, cwd, strlen(cwd));
	struct cap_cred c = { .uid = 0, .euid = 0, .gid = 0 };
	field(&b, CAP_F_CRED, 0, &c, sizeof(c));
	feed(t, &b);
}

static void exit_(struct cap_proctree *t, uint32_t pid, uint32_t ppid, int status)
{
	struct builder b;
	struct cap_rec *r = rec(&b, CAP_REC_EXIT, pid, ppid, "x");
	r->ret = status;
	feed(t, &b);
}

static char *json_of(const struct cap_proctree *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cap_proctree_json(f, t);
	fclose(f);
	return buf;
}

static char *text_of(const struct cap_proctree *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cap_proctree_print(f, t, 0);
	fclose(f);
	return buf;
}

static void test_tree_exec_exit(void **state)
{
	(void)state;
	struct cap_proctree t;
	assert_int_equal(cap_proctree_init(&t), 0);
	exec_(&t, 100, 1, "/usr/bin/bash", "bash\0-c\0true x", 15, "/home/u");
	fork_(&t, 100, 101);
	exec_(&t, 101, 100, "/usr/bin/true", "true\0x", 6, "/home/u/w");
	fork_(&t, 100, 102);
	exit_(&t, 101, 100, 1 << 8);
	exit_(&t, 102, 100, 9); /* SIGKILL */

	struct cap_proc *root = cap_proctree_find(&t, 100), *c1 = cap_proctree_find(&t, 101);
	struct cap_proc *c2 = cap_proctree_find(&t, 102);
	assert_non_null(root);
	assert_non_null(c1);
	assert_non_null(c2);
	assert_ptr_equal(c1->parent, root);
	assert_ptr_equal(c2->parent, root);
	assert_ptr_equal(root->child, c1);
	assert_ptr_equal(c1->next, c2);
	assert_true(c1->exited);
	assert_false(root->exited);
	assert_string_equal(c1->exe, "/usr/bin/true");
	assert_string_equal(c1->cwd, "/home/u/w");
	assert_int_equal(c1->uid, 0);
	assert_null(c2->argv); /* forked, never exec'd */
	assert_int_equal(t.count, 3);

	char *j = json_of(&t);
	assert_non_null(strstr(j, "{\"pid\":100,\"ppid\":null"));
	assert_non_null(strstr(j, "\"argv\":[\"bash\",\"-c\",\"true x\"]"));
	assert_non_null(strstr(j, "{\"pid\":101,\"ppid\":100"));
	assert_non_null(strstr(j, "\"user\":\"root\""));
	assert_non_null(strstr(j, "\"exit_code\":1"));
	assert_non_null(strstr(j, "\"signal\":\"SIGKILL\""));
	assert_non_null(strstr(j, "\"children\":[101,102]"));
	free(j);
	char *s = text_of(&t);
	assert_non_null(strstr(s, "\nP100 (bash) [\"bash\",\"-c\",\"true x\"] exe=/usr/bin/bash user=root:root"));
	assert_non_null(strstr(s, "\n  P101 (true) [\"true\",\"x\"]"));
	assert_non_null(strstr(s, " exit 1"));
	assert_non_null(strstr(s, "killed by SIGKILL"));
	free(s);
	cap_proctree_free(&t);
}

static void test_hostile_strings_escaped(void **state)
{
	(void)state;
	struct cap_proctree t;
	assert_int_equal(cap_proctree_init(&t), 0);
	exec_(&t, 200, 1, "/tmp/\x1b[2Jevil", "a\nb\0\x1b]0;x\x07", 10, "/tmp/\"q\"");
	char *s = text_of(&t), *j = json_of(&t);
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\x07'));
	assert_non_null(strstr(s, "a\\nb"));
	assert_null(strchr(j, '\x1b'));
	/* escaped (\") first, as every agent string, then JSON-escaped (\\\") */
	assert_non_null(strstr(j, "\"cwd\":\"/tmp/\\\\\\\"q\\\\\\\"\""));
	/* one line per process */
	int lines = 0;
	for (char *p = s; *p; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 3); /* blank line, heading, the process */
	free(s);
	free(j);
	cap_proctree_free(&t);
}

static void test_reparenting(void **state)
{
	(void)state;
	struct cap_proctree t;
	assert_int_equal(cap_proctree_init(&t), 0);
	t.exited_max = 1;
	exec_(&t, 300, 1, "/usr/bin/sh", "sh", 2, "/");
	fork_(&t, 300, 301);
	fork_(&t, 301, 302);
	exit_(&t, 301, 300, 0);
	/* 302 is orphaned: the kernel reports another parent; the tree keeps who started it */
	exec_(&t, 302, 1, "/usr/bin/sleep", "sleep\0" "9", 7, "/");
	struct cap_proc *p302 = cap_proctree_find(&t, 302);
	assert_int_equal(p302->ppid_now, 1);
	assert_int_equal(p302->parent->pid, 301);
	/* 301's entry is dropped by the cap when another process exits: 302 moves up to 300 */
	fork_(&t, 300, 303);
	exit_(&t, 303, 300, 0);
	assert_int_equal(t.evicted, 1);
	assert_null(cap_proctree_find(&t, 301));
	assert_int_equal(p302->parent->pid, 300);
	char *j = json_of(&t);
	assert_non_null(strstr(j, "\"children\":[303,302]"));
	free(j);
	cap_proctree_free(&t);
}

static void test_fork_bomb_is_bounded(void **state)
{
	(void)state;
	struct cap_proctree t;
	assert_int_equal(cap_proctree_init(&t), 0);
	t.exited_max = 50;
	t.max = 200;
	exec_(&t, 1000, 1, "/usr/bin/sh", "sh", 2, "/");
	for (uint32_t i = 0; i < 5000; i++) {
		uint32_t pid = 2000 + i % 3000; /* pids get reused */
		fork_(&t, 1000, pid);
		exec_(&t, pid, 1000, "/usr/bin/true", "true", 4, "/tmp");
		exit_(&t, pid, 1000, 0);
	}
	assert_true(t.count <= 51);
	assert_int_equal(t.exited, 50);
	assert_int_equal(t.evicted, 5000 - 50);
	/* live processes beyond the cap are counted, not stored */
	for (uint32_t i = 0; i < 300; i++)
		fork_(&t, 1000, 9000 + i);
	assert_int_equal(t.count, 200);
	assert_true(t.untracked >= 100);
	assert_true(t.str_bytes < 200 * 64);
	char *s = text_of(&t);
	assert_non_null(strstr(s, "exited ones not kept"));
	assert_non_null(strstr(s, "not tracked"));
	free(s);
	cap_proctree_free(&t);
}

/* The tree is full and the oldest exited process is the parent of a process first seen now:
 * making room evicts that parent, which must not be used afterwards (ASan catches it). */
static void test_evicted_parent_not_used(void **state)
{
	(void)state;
	struct cap_proctree t;
	assert_int_equal(cap_proctree_init(&t), 0);
	t.max = 2;
	fork_(&t, 1, 10);
	exit_(&t, 10, 1, 0);
	fork_(&t, 10, 11); /* a record of 10 after its exit record: the tree makes room */
	assert_true(t.count <= 2);
	char *s = text_of(&t);
	assert_non_null(s);
	free(s);
	cap_proctree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_exec_exit),
		cmocka_unit_test(test_hostile_strings_escaped),
		cmocka_unit_test(test_reparenting),
		cmocka_unit_test(test_fork_bomb_is_bounded),
		cmocka_unit_test(test_evicted_parent_not_used),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
