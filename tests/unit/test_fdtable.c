/* The per-process fd table: the operations directly, and whole event sequences built the way
 * the kernel side builds its records (pipeline, fcntl, fork, exec), down to the text and JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <cmocka.h>
#include "../recbuild.h"
#include "enrich/fdtable.h"
#include "enrich/fdseed.h"
#include "enrich/view.h"
#include "format/json.h"
#include "format/text.h"
#include "trace/decode.h"

static struct cap_fdview fv;

static void file(struct cap_fdt *t, uint32_t pid, int fd, const char *path, int cloexec)
{
	struct cap_fd_desc d = { .kind = CAP_FDK_FILE, .name = path, .name_len = strlen(path) };
	assert_int_equal(cap_fdt_install(t, pid, fd, &d, cloexec), 0);
}

/* the path behind fd, or NULL when the table has no such fd */
static const char *name_of(struct cap_fdt *t, uint32_t pid, int fd)
{
	if (cap_fdt_lookup(t, pid, fd, &fv))
		return NULL;
	return fv.name;
}

static void test_dup_onto_open_fd(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	assert_int_equal(cap_fdt_add_proc(t, 100), 0);
	file(t, 100, 3, "/tmp/a", 0);
	file(t, 100, 4, "/tmp/b", 0);
	assert_int_equal(cap_fdt_stats(t)->fds, 2);
	/* dup2(3, 4): 4 now refers to /tmp/a, /tmp/b is gone */
	assert_int_equal(cap_fdt_dup(t, 100, 3, 4, 0), 0);
	assert_string_equal(name_of(t, 100, 4), "/tmp/a");
	assert_string_equal(name_of(t, 100, 3), "/tmp/a");
	assert_int_equal(cap_fdt_stats(t)->fds, 2);
	/* dup(3) -> 5; closing 3 leaves 4 and 5 */
	assert_int_equal(cap_fdt_dup(t, 100, 3, 5, 0), 0);
	assert_int_equal(cap_fdt_close(t, 100, 3), 0);
	assert_null(name_of(t, 100, 3));
	assert_string_equal(name_of(t, 100, 5), "/tmp/a");
	/* dup of an unknown fd: the new fd is unknown too, not its old target */
	file(t, 100, 7, "/tmp/old", 0);
	assert_int_equal(cap_fdt_dup(t, 100, 42, 7, 0), -ENOENT);
	assert_null(name_of(t, 100, 7));
	assert_int_equal(cap_fdt_close(t, 100, 99), -ENOENT);
	/* a name longer than any path is cut at CAP_PATH_MAX */
	static char longname[CAP_PATH_MAX * 2 + 1];
	memset(longname, 'a', sizeof(longname) - 1);
	file(t, 100, 8, longname, 0);
	assert_int_equal(strlen(name_of(t, 100, 8)), CAP_PATH_MAX);
	assert_int_equal(fv.name_len, CAP_PATH_MAX);
	cap_fdt_free(t);
}

static void test_fork_inherits_a_copy(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	cap_fdt_add_proc(t, 100);
	file(t, 100, 3, "/tmp/shared", 0);
	cap_fdt_fork(t, 100, 200, 0);
	assert_string_equal(name_of(t, 200, 3), "/tmp/shared");
	/* after the fork, changes are the process's own */
	cap_fdt_close(t, 200, 3);
	assert_null(name_of(t, 200, 3));
	assert_string_equal(name_of(t, 100, 3), "/tmp/shared");
	file(t, 100, 4, "/tmp/parent-only", 0);
	assert_null(name_of(t, 200, 4));
	cap_fdt_exit(t, 200);
	assert_int_equal(cap_fdt_stats(t)->procs, 1);
	cap_fdt_exit(t, 100);
	assert_int_equal(cap_fdt_stats(t)->procs, 0);
	assert_int_equal(cap_fdt_stats(t)->fds, 0);
	cap_fdt_free(t);
}

static void test_clone_files_shares_until_exec(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	cap_fdt_add_proc(t, 100);
	file(t, 100, 3, "/tmp/x", 0);
	file(t, 100, 4, "/tmp/ce", 1);
	cap_fdt_fork(t, 100, 300, 1); /* CLONE_FILES without CLONE_THREAD */
	cap_fdt_close(t, 300, 3);
	assert_null(name_of(t, 100, 3)); /* one table: the parent's fd is gone too */
	file(t, 100, 5, "/tmp/y", 0);
	assert_string_equal(name_of(t, 300, 5), "/tmp/y");
	/* exec unshares: the close-on-exec fd leaves the child only */
	cap_fdt_exec(t, 300, "child");
	assert_null(name_of(t, 300, 4));
	assert_string_equal(name_of(t, 100, 4), "/tmp/ce");
	assert_string_equal(name_of(t, 300, 5), "/tmp/y");
	cap_fdt_close(t, 100, 5);
	assert_string_equal(name_of(t, 300, 5), "/tmp/y");
	cap_fdt_free(t);
}

static void test_exec_drops_cloexec_only(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	cap_fdt_add_proc(t, 100);
	for (int fd = 3; fd < 40; fd++) {
		char p[32];
		snprintf(p, sizeof(p), "/f%d", fd);
		file(t, 100, fd, p, fd % 2);
	}
	cap_fdt_exec(t, 100, "new");
	for (int fd = 3; fd < 40; fd++)
		if (fd % 2)
			assert_null(name_of(t, 100, fd));
		else
			assert_non_null(name_of(t, 100, fd));
	assert_int_equal(cap_fdt_stats(t)->fds, 18);
	cap_fdt_free(t);
}

static void test_close_range(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	cap_fdt_add_proc(t, 100);
	for (int fd = 0; fd < 64; fd++)
		file(t, 100, fd, "/f", 0);
	/* a narrow range walks the fds, a wide one (up to ~0U) walks the table */
	cap_fdt_close_range(t, 100, 10, 12, 0);
	assert_null(name_of(t, 100, 11));
	assert_non_null(name_of(t, 100, 13));
	cap_fdt_close_range(t, 100, 20, ~0U, 0);
	for (int fd = 0; fd < 64; fd++)
		assert_true((name_of(t, 100, fd) != NULL) == (fd < 10 || (fd > 12 && fd < 20)));
	/* CLOSE_RANGE_CLOEXEC: marked, gone at exec */
	cap_fdt_close_range(t, 100, 3, ~0U, 1);
	assert_non_null(name_of(t, 100, 5));
	assert_true(fv.cloexec);
	cap_fdt_exec(t, 100, "x");
	assert_int_equal(cap_fdt_stats(t)->fds, 3);
	assert_non_null(name_of(t, 100, 2));
	cap_fdt_free(t);
}

/* ---- whole events ---- */

static struct cap_rec *rec(struct builder *b, int type, int nr, uint32_t pid, const char *comm, long ret)
{
	struct cap_rec *r = rec_header(b, type, nr, pid, comm);
	r->ret = ret;
	return r;
}


static struct cap_event ev;
static struct cap_view view;
static char line[65536];

/* decodes, names and applies the record; the text line goes into line */
static void feed(struct cap_fdt *t, struct builder *b)
{
	((struct cap_rec *)b->buf)->size = b->off;
	assert_int_equal(cap_decode(&ev, b->buf, b->off), 0);
	cap_view_build(&view, &ev);
	cap_fdt_event(t, &ev, &view);
	struct sbuf s;
	struct cap_text_opts o = { .max_str = 256 };
	sb_init(&s, line, sizeof(line));
	cap_text_event(&s, &ev, &view, &o);
}

static void json_line(void)
{
	struct sbuf s;
	sb_init(&s, line, sizeof(line));
	cap_json_event(&s, &ev, &view);
}

static void sys(struct cap_fdt *t, int nr, uint32_t pid, const char *comm, long ret, uint64_t a0, uint64_t a1,
		uint64_t a2)
{
	struct builder b;
	struct cap_rec *r = rec(&b, CAP_REC_SYSCALL, nr, pid, comm, ret);
	r->args[0] = a0;
	r->args[1] = a1;
	r->args[2] = a2;
	feed(t, &b);
}

static void fork_ev(struct cap_fdt *t, uint32_t parent, uint32_t child_tid, uint32_t child_tgid, int share)
{
	struct builder b;
	struct cap_rec *r = rec(&b, CAP_REC_FORK, 0, parent, "sh", 0);
	r->args[0] = child_tid;
	r->args[1] = child_tgid;
	r->args[3] = share;
	feed(t, &b);
}

static void exec_ev(struct cap_fdt *t, uint32_t pid, const char *comm)
{
	struct builder b;
	rec(&b, CAP_REC_EXEC, 0, pid, comm, 0);
	feed(t, &b);
}

static void openat_ev(struct cap_fdt *t, uint32_t pid, const char *path, int flags, int fd)
{
	struct builder b;
	struct cap_rec *r = rec(&b, CAP_REC_SYSCALL, __NR_openat, pid, "app", fd);
	struct cap_fileinfo fi = { .mode = S_IFREG | 0644, .ino = 99 };
	r->args[0] = (uint64_t)(int64_t)CAP_AT_FDCWD;
	r->args[2] = flags;
	field(&b, CAP_F_STR, 1, path, strlen(path));
	field(&b, CAP_F_FILE, 6, &fi, sizeof(fi));
	feed(t, &b);
}

static void test_pipeline_names_the_other_end(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	struct builder b;
	cap_fdt_add_proc(t, 10);
	/* sh: pipe2([3,4]) on inode 777 */
	struct cap_rec *r = rec(&b, CAP_REC_SYSCALL, __NR_pipe2, 10, "sh", 0);
	int32_t fds[2] = { 3, 4 };
	uint64_t inos[2] = { 777, 777 };
	field(&b, CAP_F_INT2, 0, fds, sizeof(fds));
	field(&b, CAP_F_INO2, 0, inos, sizeof(inos));
	r->args[1] = O_CLOEXEC;
	feed(t, &b);
	assert_non_null(strstr(line, "fds=[3,4] (pipe:[777])"));
	assert_int_equal(cap_fdt_lookup(t, 10, 4, &fv), 0);
	assert_int_equal(fv.end, CAP_FDE_WRITE);
	assert_true(fv.cloexec);

	fork_ev(t, 10, 11, 11, 0);
	fork_ev(t, 10, 12, 12, 0);
	fork_ev(t, 12, 13, 12, 0); /* a thread: no table of its own */
	assert_int_equal(cap_fdt_stats(t)->procs, 3);
	/* child 11: stdout to the write end; child 12: stdin from the read end */
	sys(t, __NR_dup2, 11, "sh", 1, 4, 1, 0);
	assert_non_null(strstr(line, "-> FD 1 (pipe:[777] -> P12 sh, P10 sh)"));
	sys(t, __NR_close, 11, "sh", 0, 3, 0, 0);
	sys(t, __NR_close, 11, "sh", 0, 4, 0, 0);
	sys(t, __NR_dup2, 12, "sh", 0, 3, 0, 0);
	sys(t, __NR_close, 12, "sh", 0, 3, 0, 0);
	sys(t, __NR_close, 12, "sh", 0, 4, 0, 0);
	sys(t, __NR_close, 10, "sh", 0, 3, 0, 0);
	assert_non_null(strstr(line, "close fd=3 (pipe:[777] <- P11 sh)"));
	sys(t, __NR_close, 10, "sh", 0, 4, 0, 0);
	exec_ev(t, 11, "cat");
	exec_ev(t, 12, "grep");
	/* the pipe fds were close-on-exec, but the dup2'ed 0 and 1 are not */
	sys(t, __NR_write, 11, "cat", 5, 1, 0, 5);
	assert_non_null(strstr(line, "write fd=1 (pipe:[777] -> P12 grep) count=5 -> 5"));
	json_line();
	assert_non_null(strstr(line, "\"fd_target\":{\"fd\":1,\"kind\":\"pipe\",\"name\":\"pipe:[777]\",\"cloexec\":false,"
				     "\"ino\":777,\"end\":\"write\",\"peers\":[{\"pid\":12,\"comm\":\"grep\"}],\"more_peers\":0}"));
	sys(t, __NR_read, 12, "grep", 5, 0, 0, 100);
	assert_non_null(strstr(line, "read fd=0 (pipe:[777] <- P11 cat)"));
	/* the writer exits: the reader's end names nobody */
	struct builder x;
	rec(&x, CAP_REC_EXIT, 0, 11, "cat", 0);
	feed(t, &x);
	sys(t, __NR_read, 12, "grep", 0, 0, 0, 100);
	assert_non_null(strstr(line, "read fd=0 (pipe:[777]) count=100"));
	cap_fdt_free(t);
}

static void test_fcntl_dupfd_cloexec_and_setfd(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	cap_fdt_add_proc(t, 20);
	openat_ev(t, 20, "/tmp/data", O_RDONLY, 3);
	assert_non_null(strstr(line, "-> FD 3 (/tmp/data)"));
	sys(t, __NR_fcntl, 20, "app", 10, 3, 1030 /* F_DUPFD_CLOEXEC */, 10);
	assert_non_null(strstr(line, "fcntl fd=3 (/tmp/data) cmd=F_DUPFD_CLOEXEC"));
	assert_non_null(strstr(line, "-> 10 (/tmp/data)"));
	assert_int_equal(cap_fdt_lookup(t, 20, 10, &fv), 0);
	assert_true(fv.cloexec);
	sys(t, __NR_fcntl, 20, "app", 11, 3, 0 /* F_DUPFD */, 11);
	assert_int_equal(cap_fdt_lookup(t, 20, 11, &fv), 0);
	assert_false(fv.cloexec);
	sys(t, __NR_fcntl, 20, "app", 0, 11, 2 /* F_SETFD */, FD_CLOEXEC);
	sys(t, __NR_fcntl, 20, "app", 0, 3, 2 /* F_SETFD */, FD_CLOEXEC);
	sys(t, __NR_fcntl, 20, "app", 0, 3, 2 /* F_SETFD */, 0);
	/* a failed dup changes nothing */
	sys(t, __NR_fcntl, 20, "app", -EMFILE, 3, 0, 12);
	assert_null(name_of(t, 20, 12));
	exec_ev(t, 20, "next");
	assert_null(name_of(t, 20, 10));
	assert_null(name_of(t, 20, 11));
	assert_string_equal(name_of(t, 20, 3), "/tmp/data");
	/* dup3 with O_CLOEXEC, and a close that failed with EBADF keeps nothing it did not have */
	sys(t, __NR_dup3, 20, "next", 7, 3, 7, O_CLOEXEC);
	assert_non_null(strstr(line, "newfd=7 flags=O_RDONLY|O_CLOEXEC -> FD 7 (/tmp/data)"));
	assert_int_equal(cap_fdt_lookup(t, 20, 7, &fv), 0);
	assert_true(fv.cloexec);
	sys(t, __NR_close, 20, "next", -EBADF, 8, 0, 0);
	sys(t, __NR_close, 20, "next", 0, 3, 0, 0);
	assert_non_null(strstr(line, "close fd=3 (/tmp/data) -> 0"));
	assert_null(name_of(t, 20, 3));
	cap_fdt_free(t);
}

static void test_event_fork_thread_exec_exit(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	cap_fdt_add_proc(t, 30);
	openat_ev(t, 30, "/etc/hosts", O_RDONLY | O_CLOEXEC, 3);
	openat_ev(t, 30, "/tmp/log", O_WRONLY | O_CREAT, 4);
	fork_ev(t, 30, 31, 30, 0); /* a thread of 30 */
	sys(t, __NR_close, 30, "app", 0, 4, 0, 0); /* from any thread: the process's table */
	fork_ev(t, 30, 32, 32, 0);
	assert_null(name_of(t, 32, 4));
	assert_string_equal(name_of(t, 32, 3), "/etc/hosts");
	exec_ev(t, 32, "child");
	assert_null(name_of(t, 32, 3));
	assert_string_equal(name_of(t, 30, 3), "/etc/hosts");
	fork_ev(t, 30, 33, 33, 1); /* CLONE_FILES */
	sys(t, __NR_close, 33, "app", 0, 3, 0, 0);
	assert_null(name_of(t, 30, 3));
	struct builder b;
	rec(&b, CAP_REC_EXIT, 0, 33, "app", 0);
	feed(t, &b);
	rec(&b, CAP_REC_EXIT, 0, 30, "app", 0);
	feed(t, &b);
	rec(&b, CAP_REC_EXIT, 0, 32, "child", 0);
	feed(t, &b);
	assert_int_equal(cap_fdt_stats(t)->procs, 0);
	assert_int_equal(cap_fdt_stats(t)->fds, 0);
	cap_fdt_free(t);
}

static void test_socket_memfd_pidfd(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	struct builder b;
	cap_fdt_add_proc(t, 40);
	struct cap_rec *r = rec(&b, CAP_REC_SYSCALL, __NR_socket, 40, "app", 5);
	struct cap_sockinfo si = { .family = 2, .type = 1, .protocol = 6, .ino = 1234 };
	r->args[0] = 2;
	r->args[1] = 1 | 02000000 /* SOCK_CLOEXEC */;
	field(&b, CAP_F_SOCK, 6, &si, sizeof(si));
	feed(t, &b);
	/* connect reports the addresses: the table's socket gets them */
	r = rec(&b, CAP_REC_SYSCALL, __NR_connect, 40, "app", 0);
	r->args[0] = 5;
	si.lport = 40000;
	si.rport = 443;
	memcpy(si.laddr, "\x7f\0\0\x01", 4);
	memcpy(si.raddr, "\x7f\0\0\x02", 4);
	field(&b, CAP_F_SOCK, 0, &si, sizeof(si));
	feed(t, &b);
	sys(t, __NR_write, 40, "app", 3, 5, 0, 3);
	assert_non_null(strstr(line, "write fd=5 (tcp 127.0.0.1:40000 -> 127.0.0.2:443)"));
	json_line();
	assert_non_null(strstr(line, "\"kind\":\"socket\""));
	assert_non_null(strstr(line, "\"peer\":\"127.0.0.2:443\""));

	r = rec(&b, CAP_REC_SYSCALL, __NR_memfd_create, 40, "app", 6);
	r->args[1] = 1; /* MFD_CLOEXEC */
	field(&b, CAP_F_STR, 0, "jit\033code", 8);
	feed(t, &b);
	sys(t, __NR_write, 40, "app", 3, 6, 0, 3);
	assert_non_null(strstr(line, "write fd=6 (memfd:jit\\x1bcode)")); /* escaped */
	sys(t, __NR_pidfd_open, 40, "app", 7, 1234, 0, 0);
	assert_non_null(strstr(line, "-> FD 7 (pidfd:P1234)"));
	sys(t, __NR_eventfd2, 40, "app", 8, 0, O_CLOEXEC, 0);
	assert_int_equal(cap_fdt_lookup(t, 40, 8, &fv), 0);
	assert_int_equal(fv.kind, CAP_FDK_EVENTFD);
	assert_true(fv.cloexec);
	cap_fdt_free(t);
}

static void test_eviction_at_the_caps(void **state)
{
	(void)state;
	struct cap_fdt_limits lim = { .max_procs = 3, .max_fds_proc = 4, .max_fds_total = 6 };
	struct cap_fdt *t = cap_fdt_new(&lim);
	cap_fdt_add_proc(t, 1);
	for (int fd = 0; fd < 10; fd++)
		file(t, 1, fd, "/f", 0);
	assert_int_equal(cap_fdt_stats(t)->fds, 4);
	assert_int_equal(cap_fdt_stats(t)->fd_evictions, 6);
	assert_non_null(name_of(t, 1, 9)); /* the newest fd is kept */
	/* the total cap: a second process gets room from its own entries */
	cap_fdt_add_proc(t, 2);
	for (int fd = 0; fd < 4; fd++)
		file(t, 2, fd, "/g", 0);
	assert_int_equal(cap_fdt_stats(t)->fds, 6);
	assert_true(cap_fdt_stats(t)->fds_peak <= 6);
	/* an empty process at the total cap cannot add: counted */
	cap_fdt_add_proc(t, 3);
	struct cap_fd_desc d = { .kind = CAP_FDK_FILE, .name = "/h", .name_len = 2 };
	assert_int_equal(cap_fdt_install(t, 3, 0, &d, 0), -ENOSPC);
	/* the process cap: a fourth and fifth process evict others */
	cap_fdt_fork(t, 1, 4, 0);
	cap_fdt_fork(t, 4, 5, 0);
	assert_int_equal(cap_fdt_stats(t)->procs, 3);
	assert_int_equal(cap_fdt_stats(t)->proc_evictions, 2);
	assert_true(cap_fdt_stats(t)->fds <= 6);
	cap_fdt_free(t);
}

/* the hash maps against a plain array, through many random inserts, dups and closes */
static void test_random_ops_match_a_reference(void **state)
{
	(void)state;
	enum { N = 3000 };
	static int ref[N]; /* 0: closed, else the id of the file */
	struct cap_fdt *t = cap_fdt_new(NULL);
	cap_fdt_add_proc(t, 7);
	memset(ref, 0, sizeof(ref));
	srand(12345);
	for (int i = 1; i < 200000; i++) {
		int fd = rand() % N, op = rand() % 4;
		char p[32];
		if (op == 0 || op == 1) {
			snprintf(p, sizeof(p), "/%d", i);
			file(t, 7, fd, p, 0);
			ref[fd] = i;
		} else if (op == 2) {
			int nfd = rand() % N;
			int r = cap_fdt_dup(t, 7, fd, nfd, 0);
			assert_int_equal(r, ref[fd] ? 0 : -ENOENT);
			ref[nfd] = ref[fd];
		} else {
			assert_int_equal(cap_fdt_close(t, 7, fd), ref[fd] ? 0 : -ENOENT);
			ref[fd] = 0;
		}
	}
	uint64_t open_fds = 0;
	for (int fd = 0; fd < N; fd++) {
		const char *n = name_of(t, 7, fd);
		if (!ref[fd]) {
			assert_null(n);
			continue;
		}
		open_fds++;
		assert_non_null(n);
		assert_int_equal(atoi(n + 1), ref[fd]);
	}
	assert_int_equal(cap_fdt_stats(t)->fds, open_fds);
	cap_fdt_free(t);
}

static void test_seed_from_proc(void **state)
{
	(void)state;
	struct cap_fd_desc d;
	cap_fdseed_classify(&d, "pipe:[4242]", 11, S_IFIFO, 0, O_WRONLY);
	assert_int_equal(d.kind, CAP_FDK_PIPE);
	assert_int_equal(d.ino, 4242);
	assert_int_equal(d.end, CAP_FDE_WRITE);
	cap_fdseed_classify(&d, "/memfd:blob (deleted)", 21, S_IFREG, 0, O_RDWR);
	assert_int_equal(d.kind, CAP_FDK_MEMFD);
	assert_int_equal(d.name_len, 10);
	assert_memory_equal(d.name, "memfd:blob", 10);
	cap_fdseed_classify(&d, "anon_inode:[eventpoll]", 22, 0, 0, O_RDWR);
	assert_int_equal(d.kind, CAP_FDK_EPOLL);
	cap_fdseed_classify(&d, "/dev/null", 9, S_IFCHR | 0666, makedev(1, 3), O_RDWR);
	assert_int_equal(d.kind, CAP_FDK_DEVICE);
	assert_non_null(d.device);

	/* this very process: a pipe, one end close-on-exec */
	int p[2];
	struct stat st;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_SETFD, FD_CLOEXEC), 0);
	fstat(p[0], &st);
	struct cap_fdt *t = cap_fdt_new(NULL);
	cap_fdt_add_proc(t, 1);
	assert_true(cap_fdseed_proc(t, 1, "/proc/self/..") < 0 || 1); /* no crash on odd roots */
	cap_fdt_add_proc(t, (uint32_t)getpid());
	assert_true(cap_fdseed_proc(t, (uint32_t)getpid(), "/proc") >= 3);
	assert_int_equal(cap_fdt_lookup(t, getpid(), p[1], &fv), 0);
	assert_int_equal(fv.kind, CAP_FDK_PIPE);
	assert_int_equal(fv.ino, st.st_ino);
	assert_int_equal(fv.end, CAP_FDE_WRITE);
	assert_false(fv.cloexec);
	assert_int_equal(cap_fdt_lookup(t, getpid(), p[0], &fv), 0);
	assert_true(fv.cloexec);
	assert_int_equal(fv.end, CAP_FDE_READ);
	/* what an exec would keep, into another pid's table */
	cap_fdt_add_proc(t, 5);
	assert_true(cap_fdseed_dir(t, 5, "/proc/self/fd", "/proc/self/fdinfo", 1) >= 1);
	assert_int_equal(cap_fdt_lookup(t, 5, p[0], &fv), -ENOENT);
	assert_int_equal(cap_fdt_lookup(t, 5, p[1], &fv), 0);
	close(p[0]);
	close(p[1]);
	cap_fdt_free(t);
}

/* recvmsg with SCM_RIGHTS: the received fds are installed from the kernel's description */
static void test_scm_rights(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	struct builder b;
	cap_fdt_add_proc(t, 50);
	struct cap_rec *r = rec(&b, CAP_REC_SYSCALL, __NR_recvmsg, 50, "app", 1);
	int32_t fds[2] = { 7, 8 };
	struct cap_fileinfo f0 = { .mode = S_IFREG | 0600, .ino = 11 };
	struct cap_fileinfo f1 = { .mode = S_IFIFO | 0600, .ino = 12, .magic = 0x50495045 };
	r->args[0] = 3;
	r->args[2] = 0x40000000; /* MSG_CMSG_CLOEXEC */
	field(&b, CAP_F_RIGHTS, 1, fds, sizeof(fds));
	field(&b, CAP_F_RIGHTS_FILE, 0, &f0, sizeof(f0));
	field(&b, CAP_F_RIGHTS_PATH, 0, "/srv/secret", 11);
	field(&b, CAP_F_RIGHTS_FILE, 1, &f1, sizeof(f1));
	field(&b, CAP_F_RIGHTS_PATH, 1, "/", 1);
	feed(t, &b);
	assert_non_null(strstr(line, "-> 1 received [FD 7 (/srv/secret), FD 8 (pipe:[12])]"));
	json_line();
	assert_non_null(strstr(line, ",\"received_fds\":[{\"fd\":7,\"kind\":\"file\",\"name\":\"/srv/secret\",\"cloexec\":true"));
	assert_non_null(strstr(line, "},{\"fd\":8,\"kind\":\"pipe\""));
	assert_string_equal(name_of(t, 50, 7), "/srv/secret");
	assert_true(fv.cloexec);
	/* a short or lying RIGHTS field installs nothing out of bounds */
	r = rec(&b, CAP_REC_SYSCALL, __NR_recvmsg, 50, "app", 1);
	field(&b, CAP_F_RIGHTS, 1, fds, 3);
	feed(t, &b);
	assert_int_equal(cap_fdt_stats(t)->fds, 2);
	cap_fdt_free(t);
}

static int seeds;
static void count_seed(struct cap_fdt *t, uint32_t pid, void *ctx)
{
	(void)ctx;
	seeds++;
	file(t, pid, 0, "/dev/tty", 0);
}

/* processes met without a fork record are seeded, at most CAP_FDT_SEEDS_PER_SEC a second */
static void test_seeding_is_rationed(void **state)
{
	(void)state;
	struct cap_fdt *t = cap_fdt_new(NULL);
	cap_fdt_set_seeder(t, count_seed, NULL);
	struct builder b;
	for (uint32_t pid = 1000; pid < 1000 + CAP_FDT_SEEDS_PER_SEC + 50; pid++) {
		struct cap_rec *r = rec(&b, CAP_REC_SYSCALL, __NR_close, pid, "x", 0);
		r->ts = 5000000000ULL;
		r->args[0] = 0;
		feed(t, &b);
	}
	assert_int_equal(seeds, CAP_FDT_SEEDS_PER_SEC);
	assert_int_equal(cap_fdt_stats(t)->seeded, CAP_FDT_SEEDS_PER_SEC);
	/* the seeded stdin was named at the close of the first one */
	struct cap_rec *r = rec(&b, CAP_REC_SYSCALL, __NR_read, 999, "x", 0);
	r->ts = 6000000000ULL;
	feed(t, &b);
	assert_non_null(strstr(line, "read fd=0 (/dev/tty)"));
	assert_int_equal(seeds, CAP_FDT_SEEDS_PER_SEC + 1);
	cap_fdt_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dup_onto_open_fd),
		cmocka_unit_test(test_fork_inherits_a_copy),
		cmocka_unit_test(test_clone_files_shares_until_exec),
		cmocka_unit_test(test_exec_drops_cloexec_only),
		cmocka_unit_test(test_close_range),
		cmocka_unit_test(test_pipeline_names_the_other_end),
		cmocka_unit_test(test_fcntl_dupfd_cloexec_and_setfd),
		cmocka_unit_test(test_event_fork_thread_exec_exit),
		cmocka_unit_test(test_socket_memfd_pidfd),
		cmocka_unit_test(test_eviction_at_the_caps),
		cmocka_unit_test(test_random_ops_match_a_reference),
		cmocka_unit_test(test_seed_from_proc),
		cmocka_unit_test(test_seeding_is_rationed),
		cmocka_unit_test(test_scm_rights),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
