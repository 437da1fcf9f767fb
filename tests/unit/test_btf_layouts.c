/* The BPF programs load on kernels whose struct inode keeps its timestamps in older layouts:
 * each is made from this kernel's BTF (struct inode's members renamed and retyped) and given
 * to libbpf as the target BTF for CO-RE, then the real programs are loaded into this kernel.
 *   <= 6.5     i_atime, i_mtime, i_ctime      (struct timespec64)
 *   6.6        i_atime, i_mtime, __i_ctime
 *   6.7-6.10   __i_atime, __i_mtime, __i_ctime
 *   >= 6.11    i_{a,m,c}time_sec (time64_t) and i_{a,m,c}time_nsec (u32): this kernel
 * Needs root (BPF); skipped otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "capsule.skel.h"

struct layout {
	const char *name;
	const char *sec_names[3]; /* what i_atime_sec, i_mtime_sec, i_ctime_sec become */
};

static const struct layout layouts[] = {
	{ "6.5", { "i_atime", "i_mtime", "i_ctime" } },
	{ "6.6", { "i_atime", "i_mtime", "__i_ctime" } },
	{ "6.10", { "__i_atime", "__i_mtime", "__i_ctime" } },
};

/* This kernel's BTF with struct inode's timestamps in layout l, written to path. */
static void write_layout(const struct layout *l, const char *path)
{
	static const char *const sec[] = { "i_atime_sec", "i_mtime_sec", "i_ctime_sec" };
	struct btf *b = btf__parse("/sys/kernel/btf/vmlinux", NULL);
	assert_non_null(b);
	int ts = btf__find_by_name_kind(b, "timespec64", BTF_KIND_STRUCT);
	int ino = btf__find_by_name_kind(b, "inode", BTF_KIND_STRUCT);
	assert_true(ts > 0 && ino > 0);
	int names[3], gone = btf__add_str(b, "__unused_nsec");
	for (int k = 0; k < 3; k++)
		names[k] = btf__add_str(b, l->sec_names[k]);
	struct btf_type *t = (struct btf_type *)btf__type_by_id(b, ino);
	struct btf_member *m = btf_members(t);
	int renamed = 0;
	for (int i = 0; i < btf_vlen(t); i++) {
		const char *n = btf__name_by_offset(b, m[i].name_off);
		for (int k = 0; k < 3; k++)
			if (!strcmp(n, sec[k])) {
				m[i].name_off = names[k];
				m[i].type = ts;
				renamed++;
			}
		if (!strcmp(n, "i_atime_nsec") || !strcmp(n, "i_mtime_nsec") || !strcmp(n, "i_ctime_nsec"))
			m[i].name_off = gone;
	}
	if (renamed != 3) {
		btf__free(b);
		skip(); /* this kernel is not >= 6.11: nothing to rewrite from */
	}
	uint32_t size;
	const void *raw = btf__raw_data(b, &size);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(raw, 1, size, f), size);
	fclose(f);
	btf__free(b);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN)
		vfprintf(stderr, fmt, ap);
	return 0;
}

static void load_with(const char *btf_path)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = btf_path);
	struct capsule_bpf *skel = capsule_bpf__open_opts(&opts);
	assert_non_null(skel);
	int ret = capsule_bpf__load(skel);
	capsule_bpf__destroy(skel);
	if (ret)
		fail_msg("the programs do not load with %s: %d", btf_path ? btf_path : "this kernel's BTF", ret);
}

static void test_layouts(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	libbpf_set_print(quiet);
	load_with(NULL);
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		char path[] = "/tmp/capsule-btf-XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		close(fd);
		write_layout(&layouts[i], path);
		print_message("inode layout of %s\n", layouts[i].name);
		load_with(path);
		unlink(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layouts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
