/* capsule doctor: what a bug report needs and what must be in place before `capsule run`, with
 * a one-line fix for each missing piece. BPF hooks are checked by really loading a minimal
 * program of each type (and attaching the ones a kernel can refuse at attach time), never by
 * guessing from the kernel version. Only the pieces capsule run needs count as problems. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#if defined(__has_include)
#if __has_include(<linux/landlock.h>)
#include <linux/landlock.h>
#endif
#endif

#include "cli/cli.h"
#include "format/escape.h"
#include "format/names.h"

#include "capsule/version.h"

static const char usage[] =
	"Usage: capsule doctor [--json] [--no-color]\n"
	"\n"
	"Checks this machine for what capsule run needs (root, BTF, the BPF hooks, cgroup v2) and\n"
	"prints what a bug report needs, with a one-line fix for each missing piece. BPF hooks are\n"
	"checked by loading a minimal program of each type. Run it as root for the hook checks.\n"
	"Exits 0 when capsule run will work, 1 when a required piece is missing.\n"
	"\n"
	"Options:\n"
	"      --json       one JSON object instead of text\n"
	"      --no-color   no colour (also NO_COLOR=1)\n"
	"  -h, --help       this help\n";

/* ---- the report: rows collected first, then printed as text or JSON ---- */

enum mark { MARK_INFO, MARK_OK, MARK_FAIL };

struct row {
	const char *section, *name;
	enum mark mark;
	bool required;
	char value[256];
	char fix[256];
	/* hook rows only: what the kernel said (0 or an errno) */
	bool hook, skipped, attach_tried;
	int load_err, attach_err;
	char why[160]; /* the verifier's last word when a load was refused */
};

struct report {
	struct row rows[48];
	int n;
	const char *section;
	/* facts later checks depend on */
	char lsms[256];       /* active LSMs, "" when securityfs is not readable */
	struct rlimit memlock; /* read before libbpf can raise it */
	int kmajor, kminor;
};

static struct row *add(struct report *r, const char *name, enum mark m, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct row *add(struct report *r, const char *name, enum mark m, const char *fmt, ...)
{
	static struct row spare; /* only if rows[] is too small: never shown */
	struct row *w = r->n < (int)(sizeof(r->rows) / sizeof(r->rows[0])) ? &r->rows[r->n++] : &spare;
	va_list ap;

	memset(w, 0, sizeof(*w));
	w->section = r->section;
	w->name = name;
	w->mark = m;
	va_start(ap, fmt);
	vsnprintf(w->value, sizeof(w->value), fmt, ap);
	va_end(ap);
	return w;
}

static void fix(struct row *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fix(struct row *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->fix, sizeof(w->fix), fmt, ap);
	va_end(ap);
}

/* Without root every bpf() call fails with EPERM, which says nothing about the kernel: such
 * checks are shown as not done instead of as a dozen failures. */
static struct row *skip_unless_root(struct report *r, const char *name, bool required)
{
	struct row *w;
	if (geteuid() == 0)
		return NULL;
	w = add(r, name, MARK_INFO, "not checked: needs root (sudo capsule doctor)");
	w->required = required;
	w->skipped = true;
	return w;
}

static int count_problems(const struct report *r)
{
	int n = 0;
	for (int i = 0; i < r->n; i++)
		n += r->rows[i].required && r->rows[i].mark == MARK_FAIL;
	return n;
}

/* ---- small helpers ---- */

/* Reads a small file into buf without its trailing newline; returns 0 or -errno. */
static int read_text(const char *path, char *buf, size_t n)
{
	FILE *f = fopen(path, "re");
	size_t len;

	buf[0] = 0;
	if (!f)
		return -errno;
	len = fread(buf, 1, n - 1, f);
	fclose(f);
	buf[len] = 0;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = 0;
	return 0;
}

/* True when word is one of the comma- or space-separated items of list. */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n) {
		bool starts = p == list || p[-1] == ',' || p[-1] == ' ';
		bool ends = p[n] == 0 || p[n] == ',' || p[n] == ' ' || p[n] == '\n';
		if (starts && ends)
			return true;
	}
	return false;
}

/* The kernel's own names (the shared errno table): what a bug report and a web search need. */
static const char *errno_name(int err)
{
	static char other[24];
	const char *name = err == 524 ? "ENOTSUPP" /* kernel-internal, but bpf() returns it */
				      : cap_errno_name(err);
	if (name)
		return name;
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}

static bool kernel_at_least(const struct report *r, int major, int minor)
{
	return r->kmajor > major || (r->kmajor == major && r->kminor >= minor);
}

static void format_bytes(char *buf, size_t n, unsigned long long v)
{
	if (v == RLIM_INFINITY)
		snprintf(buf, n, "unlimited");
	else if (v >= 1024 * 1024)
		snprintf(buf, n, "%llu MiB", v >> 20);
	else
		snprintf(buf, n, "%llu KiB", v >> 10);
}

/* ---- system ---- */

static void copy_str(char *dst, size_t n, const char *src)
{
	size_t len = strnlen(src, n - 1);
	memcpy(dst, src, len);
	dst[len] = 0;
}

static void os_pretty_name(char *buf, size_t n)
{
	static const char *paths[] = { "/etc/os-release", "/usr/lib/os-release" };
	char line[512];

	snprintf(buf, n, "unknown (no os-release)");
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *f = fopen(paths[i], "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char *v = line + strlen("PRETTY_NAME=");
			if (strncmp(line, "PRETTY_NAME=", strlen("PRETTY_NAME=")))
				continue;
			v[strcspn(v, "\n")] = 0;
			if (*v == '"' || *v == '\'') {
				v++;
				v[strcspn(v, "\"'")] = 0;
			}
			copy_str(buf, n, v);
		}
		fclose(f);
		return;
	}
}

static void check_system(struct report *r)
{
	struct utsname u;
	char distro[200];

	r->section = "system";
	add(r, "capsule", MARK_INFO, "%s", CAPSULE_VERSION);
	if (uname(&u) == 0) {
		sscanf(u.release, "%d.%d", &r->kmajor, &r->kminor);
		add(r, "kernel", MARK_INFO, "%s", u.release);
		add(r, "build", MARK_INFO, "%s", u.version);
		add(r, "arch", MARK_INFO, "%s", u.machine);
	}
	os_pretty_name(distro, sizeof(distro));
	add(r, "distro", MARK_INFO, "%s", distro);
	if (geteuid() == 0) {
		add(r, "root", MARK_OK, "yes")->required = true;
	} else {
		struct row *w = add(r, "root", MARK_FAIL, "no (euid %u): hook checks below will fail",
				    (unsigned)geteuid());
		w->required = true;
		fix(w, "run as root: sudo capsule run ... (and sudo capsule doctor for the hook checks)");
	}
}

/* ---- BPF prerequisites ---- */

static void check_btf(struct report *r)
{
	struct stat st;
	struct row *w;

	if (stat("/sys/kernel/btf/vmlinux", &st) == 0 && access("/sys/kernel/btf/vmlinux", R_OK) == 0) {
		w = add(r, "btf", MARK_OK, "/sys/kernel/btf/vmlinux (%lld KiB)", (long long)st.st_size >> 10);
	} else {
		w = add(r, "btf", MARK_FAIL, "/sys/kernel/btf/vmlinux: %s", errno_name(errno));
		fix(w, "use a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distro kernels since 2020)");
	}
	w->required = true;
}

static void check_unprivileged_bpf(struct report *r)
{
	static const char *meaning[] = { "unprivileged BPF allowed", "root only, locked until reboot",
					 "root only" };
	char buf[32];
	int v;

	if (read_text("/proc/sys/kernel/unprivileged_bpf_disabled", buf, sizeof(buf)) ||
	    sscanf(buf, "%d", &v) != 1) {
		add(r, "unprivileged_bpf", MARK_INFO, "unknown");
		return;
	}
	add(r, "unprivileged_bpf", MARK_INFO, "disabled=%d (%s; capsule runs as root)", v,
	    v >= 0 && v <= 2 ? meaning[v] : "?");
}

static bool securityfs_mounted(void)
{
	char buf[8];
	/* the lsm file exists whenever securityfs is mounted */
	return read_text("/sys/kernel/security/lsm", buf, sizeof(buf)) == 0;
}

static void check_lockdown(struct report *r)
{
	char buf[128], *open, *close;
	struct row *w;

	if (read_text("/sys/kernel/security/lockdown", buf, sizeof(buf))) {
		if (securityfs_mounted())
			add(r, "lockdown", MARK_INFO, "none (no lockdown LSM)");
		else
			add(r, "lockdown", MARK_INFO, "unknown: securityfs not mounted "
			    "(mount -t securityfs securityfs /sys/kernel/security)");
		return;
	}
	/* "none [integrity] confidentiality": the bracketed one is in force */
	open = strchr(buf, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!open || !close) {
		add(r, "lockdown", MARK_INFO, "%s", buf);
		return;
	}
	*close = 0;
	if (strcmp(open + 1, "confidentiality")) {
		add(r, "lockdown", MARK_OK, "%s", open + 1);
		return;
	}
	w = add(r, "lockdown", MARK_FAIL, "confidentiality: BPF may not read kernel memory");
	fix(w, "boot with lockdown=integrity (or none); with Secure Boot this may need mokutil --disable-validation");
}

static void check_libbpf(struct report *r)
{
	add(r, "libbpf", MARK_INFO, "%u.%u", libbpf_major_version(), libbpf_minor_version());
}

static void check_memlock(struct report *r)
{
	char cur[32];

	format_bytes(cur, sizeof(cur), r->memlock.rlim_cur);
	if (kernel_at_least(r, 5, 11))
		add(r, "memlock", MARK_INFO, "%s (irrelevant: since 5.11 BPF memory is charged to the memory cgroup)",
		    cur);
	else
		add(r, "memlock", MARK_INFO, "%s (kernel < 5.11 counts BPF memory here; libbpf raises it as root)",
		    cur);
}

static void check_ringbuf(struct report *r)
{
	long page = sysconf(_SC_PAGESIZE);
	struct row *w;
	int fd;

	if (skip_unless_root(r, "ringbuf", true))
		return;
	/* the size must be a power-of-two multiple of the page size */
	fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "capsule_doctor", 0, 0, (page > 0 ? page : 4096) * 16, NULL);
	if (fd >= 0) {
		close(fd);
		w = add(r, "ringbuf", MARK_OK, "creates");
	} else {
		int err = errno;
		w = add(r, "ringbuf", MARK_FAIL, "refused: %s", errno_name(err));
		if (err == EPERM)
			fix(w, "run as root");
		else
			fix(w, "needs kernel 5.8+ (BPF ring buffer)");
	}
	w->required = true;
}

/* ---- hooks: load a two-instruction program of each type ---- */

#define INSN_MOV_IMM(reg, v) ((struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = (reg), .imm = (v) })
#define INSN_EXIT ((struct bpf_insn){ .code = BPF_JMP | BPF_EXIT })

/* Copies the last line of a verifier log that says why (not the "processed N insns" stats). */
static void last_log_line(const char *log, char *why, size_t n)
{
	const char *start = log, *end;

	for (const char *p = log; *p; p++)
		if (p[0] == '\n' && p[1] && strncmp(p + 1, "processed ", 10))
			start = p + 1;
	end = start + strcspn(start, "\n");
	snprintf(why, n, "%.*s", (int)(end - start), start);
}

/* Loads insns as the given type; returns the fd or -errno. When the kernel refuses, loads
 * again with the verifier log on and keeps its last line in why. */
static int load_prog(enum bpf_prog_type type, enum bpf_attach_type expected, int btf_id,
		     const struct bpf_insn *insns, size_t n, char *why, size_t whysz)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = expected, .attach_btf_id = btf_id);
	char log[4096] = "";
	int fd = bpf_prog_load(type, "capsule_doctor", "GPL", insns, n, &opts);
	int err = errno;

	if (fd >= 0)
		return fd;
	opts.log_buf = log;
	opts.log_size = sizeof(log);
	opts.log_level = 1;
	fd = bpf_prog_load(type, "capsule_doctor", "GPL", insns, n, &opts);
	if (fd >= 0) /* loaded the second time: nothing to explain */
		return fd;
	if (log[0])
		last_log_line(log, why, whysz);
	else /* refused by a permission or config check, not by the verifier */
		snprintf(why, whysz, "refused before the verifier ran");
	return -err;
}

/* "r0 = ret; exit": the smallest program every type accepts (with the right ret). */
static int load_noop(enum bpf_prog_type type, enum bpf_attach_type expected, int btf_id, int ret,
		     char *why, size_t whysz)
{
	const struct bpf_insn insns[] = { INSN_MOV_IMM(BPF_REG_0, ret), INSN_EXIT };
	return load_prog(type, expected, btf_id, insns, 2, why, whysz);
}

/* bpf_probe_read_kernel(fp-8, 8, NULL) from a raw tracepoint: Capsule's programs read kernel
 * memory, and lockdown=confidentiality makes the verifier refuse exactly that helper. */
static int load_kernel_read(char *why, size_t whysz)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_X, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_10 },
		{ .code = BPF_ALU64 | BPF_ADD | BPF_K, .dst_reg = BPF_REG_1, .imm = -8 },
		INSN_MOV_IMM(BPF_REG_2, 8),
		INSN_MOV_IMM(BPF_REG_3, 0),
		{ .code = BPF_JMP | BPF_CALL, .imm = BPF_FUNC_probe_read_kernel },
		INSN_MOV_IMM(BPF_REG_0, 0),
		INSN_EXIT,
	};
	return load_prog(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, insns, sizeof(insns) / sizeof(insns[0]), why, whysz);
}

static void check_kernel_reads(struct report *r)
{
	char why[160] = "";
	struct row *w;
	int fd;

	if (skip_unless_root(r, "kernel_reads", true))
		return;
	fd = load_kernel_read(why, sizeof(why));
	if (fd >= 0) {
		close(fd);
		w = add(r, "kernel_reads", MARK_OK, "bpf_probe_read_kernel allowed");
	} else {
		w = add(r, "kernel_reads", MARK_FAIL, "bpf_probe_read_kernel refused: %s%s%s", errno_name(-fd),
			why[0] ? ": " : "", why);
		if (fd == -EPERM)
			fix(w, "run as root");
		else
			fix(w, "lockdown=confidentiality forbids it: boot with lockdown=integrity (or none)");
	}
	w->required = true;
}

enum attach_how {
	ATTACH_NONE,   /* loading is the check (attaching would touch a cgroup or need a perf event) */
	ATTACH_RAW_TP, /* bpf_raw_tracepoint_open("sys_exit", fd) */
	ATTACH_BTF,    /* bpf_raw_tracepoint_open(NULL, fd): tp_btf, fentry, lsm use their BTF target */
};

struct hook_spec {
	const char *name;
	enum bpf_prog_type type;
	enum bpf_attach_type expected;
	enum attach_how attach;
	const char *btf_targets[3]; /* first one found in vmlinux BTF is used */
	int ret;                    /* a return value the verifier accepts for this type */
	const char *pmu;            /* perf event source that must exist to attach, if any */
	const char *pmu_config;     /* the kernel option that provides it */
	bool required;
};

static const struct hook_spec hooks[] = {
	{ .name = "tp_btf", .type = BPF_PROG_TYPE_TRACING, .expected = BPF_TRACE_RAW_TP,
	  .attach = ATTACH_BTF, .btf_targets = { "sys_exit" }, .required = true },
	{ .name = "raw_tp", .type = BPF_PROG_TYPE_RAW_TRACEPOINT, .attach = ATTACH_RAW_TP },
	{ .name = "tracepoint", .type = BPF_PROG_TYPE_TRACEPOINT },
	{ .name = "fentry", .type = BPF_PROG_TYPE_TRACING, .expected = BPF_TRACE_FENTRY,
	  .attach = ATTACH_BTF, .btf_targets = { "do_unlinkat", "vfs_read" } },
	/* libbpf adds the "bpf_lsm_" prefix itself: the BTF function is bpf_lsm_file_open */
	{ .name = "lsm", .type = BPF_PROG_TYPE_LSM, .expected = BPF_LSM_MAC,
	  .attach = ATTACH_BTF, .btf_targets = { "file_open" } },
	{ .name = "kprobe", .type = BPF_PROG_TYPE_KPROBE, .pmu = "kprobe", .pmu_config = "CONFIG_KPROBES=y" },
	{ .name = "uprobe", .type = BPF_PROG_TYPE_KPROBE, .pmu = "uprobe", .pmu_config = "CONFIG_UPROBE_EVENTS=y" },
	{ .name = "perf_event", .type = BPF_PROG_TYPE_PERF_EVENT },
	/* connect4 must return 1 (allow); the other cgroup types accept 0 or 1 */
	{ .name = "cgroup_connect4", .type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
	  .expected = BPF_CGROUP_INET4_CONNECT, .ret = 1 },
	{ .name = "cgroup_skb", .type = BPF_PROG_TYPE_CGROUP_SKB, .expected = BPF_CGROUP_INET_EGRESS, .ret = 1 },
	{ .name = "cgroup_device", .type = BPF_PROG_TYPE_CGROUP_DEVICE, .expected = BPF_CGROUP_DEVICE, .ret = 1 },
	{ .name = "cgroup_sysctl", .type = BPF_PROG_TYPE_CGROUP_SYSCTL, .expected = BPF_CGROUP_SYSCTL, .ret = 1 },
};

/* Finds the first BTF target of h in vmlinux; returns its id or -errno, names the one found. */
static int find_btf_target(const struct hook_spec *h, const char **found)
{
	int id = -ENOENT;
	for (int i = 0; i < 3 && h->btf_targets[i]; i++) {
		id = libbpf_find_vmlinux_btf_id(h->btf_targets[i], h->expected);
		*found = h->btf_targets[i];
		if (id > 0)
			return id;
	}
	return id < 0 ? id : -ENOENT;
}

/* Attaches and detaches at once; returns 0 or the errno. */
static int try_attach(const struct hook_spec *h, int prog_fd)
{
	int link;

	if (h->attach == ATTACH_NONE)
		return 0;
	link = bpf_raw_tracepoint_open(h->attach == ATTACH_RAW_TP ? "sys_exit" : NULL, prog_fd);
	if (link < 0)
		return errno;
	close(link);
	return 0;
}

static bool pmu_exists(const char *pmu)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", pmu);
	return access(path, R_OK) == 0;
}

static void hook_fix(struct report *r, struct row *w, const struct hook_spec *h, int err)
{
	if (err == EPERM && geteuid() != 0)
		fix(w, "run as root");
	else if (err == EPERM && h->required)
		fix(w, "refused even to root: check lockdown, the SELinux/AppArmor policy for bpf(), or a seccomp profile");
	else if (h->required)
		fix(w, "needs kernel 5.5+ with CONFIG_DEBUG_INFO_BTF=y (capsule run --debug shows the verifier log)");
	else if (!strcmp(h->name, "lsm") && r->lsms[0] && !has_word(r->lsms, "bpf"))
		fix(w, "optional: needs CONFIG_BPF_LSM=y and bpf in the lsm= boot parameter");
}

static void append(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t n, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + len, n - len, fmt, ap);
	va_end(ap);
}

/* Describes the outcome of loading (and attaching) h in w. */
static void describe_hook(struct report *r, struct row *w, const struct hook_spec *h, const char *target)
{
	char at[80] = "";

	if (target)
		snprintf(at, sizeof(at), " (%s)", target);
	if (w->load_err)
		snprintf(w->value, sizeof(w->value), "load refused: %s%s%s%s", errno_name(w->load_err), at,
			 w->why[0] ? ": " : "", w->why);
	else if (w->attach_tried && w->attach_err)
		snprintf(w->value, sizeof(w->value), "loads, attach refused: %s%s", errno_name(w->attach_err), at);
	else if (w->attach_tried)
		snprintf(w->value, sizeof(w->value), "loads, attaches%s", at);
	else
		snprintf(w->value, sizeof(w->value), "loads");
	if (!w->load_err && h->pmu && !pmu_exists(h->pmu)) {
		w->mark = MARK_FAIL;
		append(w->value, sizeof(w->value), ", but no %s event source in this kernel", h->pmu);
		fix(w, "optional: needs a kernel with %s", h->pmu_config);
	}
	if (!strcmp(h->name, "lsm") && r->lsms[0] && !has_word(r->lsms, "bpf"))
		append(w->value, sizeof(w->value), "; bpf is not an active LSM");
}

static void check_hook(struct report *r, const struct hook_spec *h)
{
	const char *target = NULL;
	int btf_id = 0, fd;
	struct row *w = skip_unless_root(r, h->name, h->required);

	if (w) {
		w->hook = true;
		return;
	}
	w = add(r, h->name, MARK_FAIL, "%s", "");
	w->hook = true;
	w->required = h->required;
	if (h->btf_targets[0] && (btf_id = find_btf_target(h, &target)) < 0) {
		w->load_err = -btf_id;
		snprintf(w->value, sizeof(w->value), "no BTF id for %s: %s", target, errno_name(-btf_id));
		fix(w, "needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
		return;
	}
	if (h->attach == ATTACH_RAW_TP)
		target = "sys_exit";
	fd = load_noop(h->type, h->expected, btf_id, h->ret, w->why, sizeof(w->why));
	if (fd >= 0) {
		w->attach_tried = h->attach != ATTACH_NONE;
		w->attach_err = try_attach(h, fd);
		close(fd);
	} else {
		w->load_err = -fd;
	}
	w->mark = w->load_err || w->attach_err ? MARK_FAIL : MARK_OK;
	describe_hook(r, w, h, target);
	if (w->mark == MARK_FAIL && !w->fix[0])
		hook_fix(r, w, h, w->load_err ? w->load_err : w->attach_err);
}

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static void check_bpf(struct report *r)
{
	r->section = "bpf";
	check_btf(r);
	check_unprivileged_bpf(r);
	check_lockdown(r);
	check_libbpf(r);
	check_memlock(r);
	check_ringbuf(r);
	check_kernel_reads(r);
}

static void check_hooks(struct report *r)
{
	r->section = "hooks";
	for (size_t i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
		check_hook(r, &hooks[i]);
}

/* ---- cgroups: from /proc/self/mountinfo, never assuming /sys/fs/cgroup ---- */

struct cgroup_layout {
	char v2[512]; /* first cgroup2 mount point, "" if none */
	bool v2_readonly;
	int v1_count;
};

static void scan_mountinfo(struct cgroup_layout *c)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mnt[512], opts[256];

	memset(c, 0, sizeof(*c));
	if (!f)
		return;
	/* id parent maj:min root mountpoint options [optional...] - fstype source superopts */
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		if (!sep || sscanf(line, "%*s %*s %*s %*s %511s %255s", mnt, opts) != 2)
			continue;
		if (!strncmp(sep + 3, "cgroup ", 7))
			c->v1_count++;
		else if (!strncmp(sep + 3, "cgroup2 ", 8) && !c->v2[0]) {
			snprintf(c->v2, sizeof(c->v2), "%s", mnt);
			c->v2_readonly = has_word(opts, "ro");
		}
	}
	fclose(f);
}

/* A non-root cgroup directory (cgroup.kill does not exist on the root): ours, else any child. */
static bool find_child_cgroup(const char *mnt, char *buf, size_t n)
{
	char line[1024];
	FILE *f = fopen("/proc/self/cgroup", "re");
	DIR *d;
	struct dirent *e;
	bool found = false;

	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		/* a truncated path would name the wrong directory */
		if (!strncmp(line, "0::/", 4) && line[4])
			found = snprintf(buf, n, "%s%s", mnt, line + 3) < (int)n;
	}
	if (f)
		fclose(f);
	/* in a cgroup namespace our path is relative to the namespace, maybe not to this mount */
	found = found && access(buf, F_OK) == 0;
	if (found || !(d = opendir(mnt)))
		return found;
	while (!found && (e = readdir(d)))
		if (e->d_type == DT_DIR && e->d_name[0] != '.')
			found = snprintf(buf, n, "%s/%s", mnt, e->d_name) < (int)n;
	closedir(d);
	return found;
}

static void check_cgroup_kill(struct report *r, const char *mnt)
{
	char dir[1024], path[1100];

	if (!find_child_cgroup(mnt, dir, sizeof(dir))) {
		add(r, "cgroup_kill", MARK_INFO, kernel_at_least(r, 5, 14) ? "expected (kernel 5.14+)"
			: "no (kernel < 5.14: capsule freezes and kills each process instead)");
		return;
	}
	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	if (access(path, F_OK) == 0)
		add(r, "cgroup_kill", MARK_OK, "yes");
	else
		add(r, "cgroup_kill", MARK_INFO, "no (kernel < 5.14: capsule freezes and kills each process instead)");
}

static void check_cgroup_controllers(struct report *r, const char *mnt)
{
	char path[600], buf[256];

	snprintf(path, sizeof(path), "%s/cgroup.controllers", mnt);
	if (read_text(path, buf, sizeof(buf)))
		add(r, "controllers", MARK_INFO, "unreadable: %s", errno_name(errno));
	else if (!buf[0])
		add(r, "controllers", MARK_INFO, "none (all bound to v1; capsule only needs the hierarchy)");
	else
		add(r, "controllers", MARK_INFO, "%s", buf);
}

static void check_cgroups(struct report *r)
{
	struct cgroup_layout c;
	struct row *w;

	r->section = "cgroup";
	scan_mountinfo(&c);
	if (!c.v2[0]) {
		w = add(r, "cgroup2", MARK_FAIL, "not mounted%s", c.v1_count ? " (only cgroup v1)" : "");
		fix(w, "mount -t cgroup2 none /sys/fs/cgroup/unified, or boot with systemd.unified_cgroup_hierarchy=1");
	} else if (c.v2_readonly) {
		w = add(r, "cgroup2", MARK_FAIL, "%s, read-only", c.v2);
		fix(w, "mount -o remount,rw %s", c.v2);
	} else {
		w = add(r, "cgroup2", MARK_OK, "%s", c.v2);
	}
	w->required = true;
	if (c.v2[0] && c.v1_count)
		add(r, "layout", MARK_INFO, "hybrid (cgroup2 plus %d v1 hierarchies)", c.v1_count);
	else
		add(r, "layout", MARK_INFO, "%s", c.v2[0] ? "unified (cgroup2 only)" : "legacy (cgroup v1 only)");
	if (!c.v2[0])
		return;
	check_cgroup_controllers(r, c.v2);
	check_cgroup_kill(r, c.v2);
}

/* ---- sandboxing building blocks (future: enforcement) ---- */

static void check_lsms(struct report *r)
{
	if (read_text("/sys/kernel/security/lsm", r->lsms, sizeof(r->lsms)) == 0)
		add(r, "active_lsms", MARK_INFO, "%s", r->lsms);
	else
		add(r, "active_lsms", MARK_INFO, "unknown: securityfs not mounted "
		    "(mount -t securityfs securityfs /sys/kernel/security)");
}

static void check_landlock(struct report *r)
{
#if defined(SYS_landlock_create_ruleset) && defined(LANDLOCK_CREATE_RULESET_VERSION)
	long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int err = errno;
	struct row *w;

	if (abi > 0) {
		add(r, "landlock", MARK_OK, "ABI %ld", abi);
		return;
	}
	if (err == EOPNOTSUPP) {
		w = add(r, "landlock", MARK_FAIL, "built but disabled at boot");
		fix(w, "optional: add landlock to the lsm= boot parameter");
	} else {
		w = add(r, "landlock", MARK_FAIL, "unavailable: %s", errno_name(err));
		fix(w, "optional: needs kernel 5.13+ with CONFIG_SECURITY_LANDLOCK=y");
	}
#else
	add(r, "landlock", MARK_INFO, "unknown (built without <linux/landlock.h>)");
#endif
}

static void check_seccomp(struct report *r)
{
	char buf[256];
	struct row *w;

	if (read_text("/proc/sys/kernel/seccomp/actions_avail", buf, sizeof(buf))) {
		w = add(r, "seccomp", MARK_FAIL, "no seccomp filters");
		fix(w, "optional: needs a kernel with CONFIG_SECCOMP_FILTER=y");
	} else if (has_word(buf, "user_notif")) {
		add(r, "seccomp", MARK_OK, "user_notif available (%s)", buf);
	} else {
		w = add(r, "seccomp", MARK_FAIL, "no user_notif (%s)", buf);
		fix(w, "optional: needs kernel 5.0+");
	}
}

static void check_sandbox(struct report *r)
{
	r->section = "sandbox";
	check_lsms(r);
	check_landlock(r);
	check_seccomp(r);
}

/* ---- output ---- */

struct style {
	const char *ok, *fail, *warn, *dim, *bold, *reset;
};

static struct style make_style(bool color)
{
	if (!color)
		return (struct style){ "", "", "", "", "", "" };
	return (struct style){ "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[1m", "\033[0m" };
}

static void print_row(const struct row *w, const struct style *s)
{
	const char *mark = w->mark == MARK_OK ? "✓" : w->mark == MARK_FAIL ? "✗" : "-";
	const char *col = w->mark == MARK_OK ? s->ok : w->mark == MARK_INFO ? s->dim : w->required ? s->fail : s->warn;
	int dots = 20 - (int)strlen(w->name);

	printf("  %s%s%s %s %.*s %s", col, mark, s->reset, w->name, dots > 2 ? dots : 2,
	       "......................", w->value);
	if (w->hook)
		printf("  %s[%s]%s", s->dim, w->required ? "required" : "optional", s->reset);
	putchar('\n');
	if (w->mark == MARK_FAIL && w->fix[0])
		printf("      %sfix:%s %s\n", col, s->reset, w->fix);
}

static void print_text(const struct report *r, bool color)
{
	struct style s = make_style(color);
	const char *section = NULL;
	int problems = count_problems(r);

	printf("%scapsule doctor%s\n", s.bold, s.reset);
	for (int i = 0; i < r->n; i++) {
		if (r->rows[i].section != section) {
			section = r->rows[i].section;
			printf("%s%s%s\n", s.bold, section, s.reset);
		}
		print_row(&r->rows[i], &s);
	}
	if (problems)
		printf("%snot ready: %d problem%s%s\n", s.fail, problems, problems == 1 ? "" : "s", s.reset);
	else
		printf("%sready: capsule run will work%s\n", s.ok, s.reset);
}

static void json_str(const char *str)
{
	char buf[1024];
	size_t n = cap_json_escape(buf, sizeof(buf), str, strlen(str));
	printf("\"%.*s\"", (int)n, buf);
}

static void json_row(const struct row *w)
{
	static const char *status[] = { "info", "ok", "fail" };

	json_str(w->name);
	printf(":{\"section\":");
	json_str(w->section);
	printf(",\"status\":\"%s\",\"required\":%s,\"value\":", status[w->mark], w->required ? "true" : "false");
	json_str(w->value);
	printf(",\"fix\":");
	if (w->mark == MARK_FAIL && w->fix[0])
		json_str(w->fix);
	else
		printf("null");
	if (w->hook && !w->skipped) {
		printf(",\"loads\":%s,\"attaches\":%s,\"error\":", w->load_err ? "false" : "true",
		       !w->attach_tried ? "null" : w->attach_err ? "false" : "true");
		if (w->load_err || w->attach_err)
			json_str(errno_name(w->load_err ? w->load_err : w->attach_err));
		else
			printf("null");
		printf(",\"verifier\":");
		if (w->why[0])
			json_str(w->why);
		else
			printf("null");
	}
	putchar('}');
}

static void print_json(const struct report *r)
{
	int problems = count_problems(r);

	printf("{\"capsule_version\":");
	json_str(CAPSULE_VERSION);
	printf(",\"ready\":%s,\"problems\":%d,\"checks\":{", problems ? "false" : "true", problems);
	for (int i = 0; i < r->n; i++) {
		if (i)
			putchar(',');
		json_row(&r->rows[i]);
	}
	printf("}}\n");
}

/* ---- entry point ---- */

static void run_checks(struct report *r)
{
	libbpf_print_fn_t old = libbpf_set_print(quiet_libbpf);

	/* before any bpf() call: libbpf raises RLIMIT_MEMLOCK on kernels without memcg accounting */
	getrlimit(RLIMIT_MEMLOCK, &r->memlock);
	check_system(r);
	check_bpf(r);
	/* the LSM list is needed by the lsm hook row, but shown with the sandbox section */
	read_text("/sys/kernel/security/lsm", r->lsms, sizeof(r->lsms));
	check_hooks(r);
	check_cgroups(r);
	check_sandbox(r);
	libbpf_set_print(old);
}

int cmd_doctor(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_NO_COLOR };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	bool json = false, color = !getenv("NO_COLOR") && isatty(STDOUT_FILENO);
	static struct report r; /* ~25 KiB: keep it off the stack */
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: json = true; break;
		case OPT_NO_COLOR: color = false; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "capsule doctor: unexpected argument '%s'\n%s", argv[optind], usage);
		return 2;
	}
	memset(&r, 0, sizeof(r));
	run_checks(&r);
	if (json)
		print_json(&r);
	else
		print_text(&r, color);
	fflush(stdout);
	return count_problems(&r) ? 1 : 0;
}
