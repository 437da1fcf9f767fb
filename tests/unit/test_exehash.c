/* The image hash engine: hashes agree with sha256sum, the cache answers by (dev, ino, mtime,
 * size) and a changed file is a new key, files are opened only when they are the recorded
 * inode, and the caps hold. Real files in a temporary folder, the real worker thread. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <cmocka.h>
#include "enrich/exehash.h"
#include "log/chain.h"

static char dir[] = "/tmp/capsule-exehash-XXXXXX";

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void key_of(const char *path, struct cap_exekey *k)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	k->dev = (uint64_t)major(st.st_dev) << 20 | minor(st.st_dev);
	k->ino = st.st_ino;
	k->mtime = st.st_mtim.tv_sec;
	k->size = st.st_size;
	k->ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec;
}

/* What sha256sum says about path. */
static void sha256sum(const char *path, char out[65])
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(out, 65, p));
	pclose(p);
	out[64] = 0;
}

/* Submits path and waits for its result. */
static int run_job(struct cap_exehash *h, const char *path, const struct cap_exekey *k, struct cap_exeresult *r)
{
	struct cap_exejob j = { .key = *k, .role = CAP_IMG_EXE, .path = (char *)path, .exec_seq = 42 };
	int ret = cap_exehash_submit(h, &j);
	if (ret)
		return ret;
	assert_int_equal(cap_exehash_wait(h, 5000), 0);
	assert_int_equal(cap_exehash_poll(h, r), 1);
	assert_string_equal(r->job.path, path);
	assert_int_equal(r->job.exec_seq, 42);
	free(r->job.path);
	return 0;
}

static void test_matches_sha256sum_and_caches(void **state)
{
	(void)state;
	struct cap_exehash h;
	struct cap_exeresult r;
	struct cap_exekey k;
	char path[256], want[65], got[65];
	uint8_t sha[32];

	snprintf(path, sizeof(path), "%s/prog", dir);
	static char data[300000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + i / 1000);
	write_file(path, data, sizeof(data));
	key_of(path, &k);
	sha256sum(path, want);

	assert_int_equal(cap_exehash_init(&h, 0, 0), 0);
	assert_int_equal(cap_exehash_lookup(&h, &k, sha), 0);
	assert_int_equal(run_job(&h, path, &k, &r), 0);
	assert_int_equal(r.status, CAP_IMG_OK);
	assert_int_equal(r.size, sizeof(data));
	cap_chain_hex(r.sha256, got);
	assert_string_equal(got, want);

	/* the same key: answered by the cache, no new job */
	memset(sha, 0, sizeof(sha));
	assert_int_equal(cap_exehash_lookup(&h, &k, sha), 1);
	cap_chain_hex(sha, got);
	assert_string_equal(got, want);
	assert_int_equal(h.hashed, 1);
	struct cap_exejob j = { .key = k, .path = path };
	assert_int_equal(cap_exehash_submit(&h, &j), 0); /* already known: nothing queued */
	assert_int_equal(h.njobs, 0);

	/* the synchronous hash agrees too */
	int fd = open(path, O_RDONLY);
	uint64_t n = 0;
	assert_int_equal(cap_sha256_fd(fd, 1 << 20, sha, &n), 0);
	close(fd);
	cap_chain_hex(sha, got);
	assert_string_equal(got, want);
	cap_exehash_free(&h);
}

static void test_changed_file_is_a_new_key(void **state)
{
	(void)state;
	struct cap_exehash h;
	struct cap_exeresult r;
	struct cap_exekey k1, k2;
	char path[256], want1[65], want2[65], got[65];
	uint8_t sha[32];

	snprintf(path, sizeof(path), "%s/script", dir);
	write_file(path, "#!/bin/sh\necho one\n", 19);
	key_of(path, &k1);
	sha256sum(path, want1);
	assert_int_equal(cap_exehash_init(&h, 0, 0), 0);
	assert_int_equal(run_job(&h, path, &k1, &r), 0);
	cap_chain_hex(r.sha256, got);
	assert_string_equal(got, want1);

	/* rewritten in place: other size and mtime, same inode */
	write_file(path, "#!/bin/sh\necho two, longer\n", 27);
	struct timespec ts[2] = { { .tv_nsec = UTIME_NOW }, { .tv_sec = k1.mtime + 100 } };
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	key_of(path, &k2);
	assert_int_equal(k2.ino, k1.ino);
	assert_int_equal(cap_exehash_lookup(&h, &k2, sha), 0);
	sha256sum(path, want2);
	assert_int_equal(run_job(&h, path, &k2, &r), 0);
	assert_int_equal(r.status, CAP_IMG_OK);
	cap_chain_hex(r.sha256, got);
	assert_string_equal(got, want2);

	/* a job for the old version now finds other content under the same inode */
	assert_int_equal(cap_exehash_lookup(&h, &k1, sha), 1); /* the old answer stays cached */
	struct cap_exekey stale = k1;
	stale.mtime -= 1; /* a version never hashed */
	assert_int_equal(run_job(&h, path, &stale, &r), 0);
	assert_int_equal(r.status, CAP_IMG_MODIFIED);
	assert_int_equal(cap_exehash_lookup(&h, &stale, sha), 0); /* not cached under the wrong key */

	/* rewritten again with the same size, and its mtime set back: only ctime tells this
	 * version from the one cached, and the cache must not answer with the old hash */
	struct timespec back[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_sec = k2.mtime } };
	struct cap_exekey k3;
	/* before 6.13 timestamps move once per tick: rewrite until ctime has moved on */
	for (int i = 0; i < 100; i++) {
		write_file(path, "#!/bin/sh\necho TWO, longer\n", 27);
		assert_int_equal(utimensat(AT_FDCWD, path, back, 0), 0);
		key_of(path, &k3);
		if (k3.ctime_ns != k2.ctime_ns)
			break;
		usleep(5000);
	}
	assert_int_equal(k3.size, k2.size);
	assert_int_equal(k3.mtime, k2.mtime);
	assert_true(k3.ctime_ns != k2.ctime_ns);
	assert_int_equal(cap_exehash_lookup(&h, &k3, sha), 0);
	assert_int_equal(run_job(&h, path, &k3, &r), 0);
	assert_int_equal(r.status, CAP_IMG_OK);
	cap_chain_hex(r.sha256, got);
	assert_string_not_equal(got, want2);
	cap_exehash_free(&h);
}

static void test_replaced_file_not_opened(void **state)
{
	(void)state;
	struct cap_exehash h;
	struct cap_exeresult r;
	struct cap_exekey k;
	char path[256], other[256], link[256];

	snprintf(path, sizeof(path), "%s/replaced", dir);
	snprintf(other, sizeof(other), "%s/other", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	write_file(path, "one", 3);
	key_of(path, &k);
	/* replaced by another file (another inode) at the same path */
	write_file(other, "two", 3);
	assert_int_equal(rename(other, path), 0);
	assert_int_equal(cap_exehash_init(&h, 0, 0), 0);
	assert_int_equal(run_job(&h, path, &k, &r), 0);
	assert_int_equal(r.status, CAP_IMG_REPLACED);
	assert_false(r.via_proc);

	/* a symlink to the right file is still not followed */
	key_of(path, &k);
	unlink(link);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(run_job(&h, link, &k, &r), 0);
	assert_int_equal(r.status, CAP_IMG_REPLACED);

	/* a live process: /proc/PID/exe is used whatever the path says */
	key_of("/proc/self/exe", &k);
	struct cap_exejob j = { .key = k, .role = CAP_IMG_EXE, .pid = getpid(), .path = (char *)"/nonexistent" };
	assert_int_equal(cap_exehash_submit(&h, &j), 0);
	assert_int_equal(cap_exehash_wait(&h, 10000), 0);
	assert_int_equal(cap_exehash_poll(&h, &r), 1);
	free(r.job.path);
	assert_int_equal(r.status, CAP_IMG_OK);
	assert_true(r.via_proc);
	cap_exehash_free(&h);
}

static void test_caps(void **state)
{
	(void)state;
	struct cap_exehash h;
	struct cap_exeresult r;
	struct cap_exekey k[3];
	char path[3][256];
	uint8_t sha[32];

	assert_int_equal(cap_exehash_init(&h, 2, 10), 0); /* 2 entries, files of 10 bytes at most */
	for (int i = 0; i < 3; i++) {
		snprintf(path[i], sizeof(path[i]), "%s/small%d", dir, i);
		write_file(path[i], "12345", 5);
		key_of(path[i], &k[i]);
		assert_int_equal(run_job(&h, path[i], &k[i], &r), 0);
		assert_int_equal(r.status, CAP_IMG_OK);
	}
	assert_true(h.count <= 2);
	assert_int_equal(cap_exehash_lookup(&h, &k[0], sha), 0); /* least recently used: gone */
	assert_int_equal(cap_exehash_lookup(&h, &k[2], sha), 1);

	snprintf(path[0], sizeof(path[0]), "%s/big", dir);
	write_file(path[0], "0123456789abcdef", 16);
	key_of(path[0], &k[0]);
	assert_int_equal(run_job(&h, path[0], &k[0], &r), 0);
	assert_int_equal(r.status, CAP_IMG_TOO_LARGE);
	cap_exehash_free(&h);

	/* a full queue drops jobs instead of growing */
	assert_int_equal(cap_exehash_init(&h, 0, 0), 0);
	int dropped = 0;
	for (int i = 0; i < CAP_EXEHASH_INFLIGHT_MAX + 50; i++) {
		struct cap_exejob j = { .key = { .dev = 1, .ino = 1000 + i }, .path = (char *)"/nonexistent" };
		if (cap_exehash_submit(&h, &j) == -EAGAIN)
			dropped++;
	}
	assert_true(dropped >= 50);
	assert_int_equal(h.dropped, dropped);
	cap_exehash_free(&h); /* frees queued jobs and uncollected results */
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* A script path is opened as the agent: its uid and gid, and none of Capsule's supplementary
 * groups (root's), so a file only group root may read is not hashed for it. */
static void test_script_opened_as_agent(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	struct cap_exehash h;
	struct cap_exeresult r;
	char path[256];
	assert_int_equal(chmod(dir, 0755), 0); /* the agent may look in the folder */
	snprintf(path, sizeof(path), "%s/group-root-only", dir);
	write_file(path, "#!/bin/sh\nsecret\n", 17);
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(chmod(path, 0640), 0);
	/* Capsule holds group root among its supplementary groups, as under sudo */
	gid_t g0 = 0;
	assert_int_equal(setgroups(1, &g0), 0);
	assert_int_equal(cap_exehash_init(&h, 0, 0), 0);
	struct cap_exejob j = { .role = CAP_IMG_SCRIPT, .path = path, .exec_seq = 42 };
	j.hdr.euid = 65534;
	j.hdr.gid = 65534;
	assert_int_equal(cap_exehash_submit(&h, &j), 0);
	assert_int_equal(cap_exehash_wait(&h, 5000), 0);
	assert_int_equal(cap_exehash_poll(&h, &r), 1);
	free(r.job.path);
	assert_int_not_equal(r.status, CAP_IMG_OK);
	/* the worker has its groups back: an exe (as root) still hashes */
	struct cap_exekey k;
	key_of(path, &k);
	assert_int_equal(run_job(&h, path, &k, &r), 0);
	assert_int_equal(r.status, CAP_IMG_OK);
	cap_exehash_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_sha256sum_and_caches),
		cmocka_unit_test(test_changed_file_is_a_new_key),
		cmocka_unit_test(test_replaced_file_not_opened),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_script_opened_as_agent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
