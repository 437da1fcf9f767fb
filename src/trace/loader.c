/* open -> set rodata -> load -> fill the spec table -> attach, with one cleanup path. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "capsule.skel.h"
#include "trace/loader.h"
#include "trace/syscalls.h"

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

static int libbpf_debug(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

static int fill_specs(struct cap_tracer *t, bool verbose)
{
	int fd = bpf_map__fd(t->skel->maps.specs);
	unsigned n;
	const struct cap_syscall *tab = cap_syscall_table(&n);

	for (unsigned i = 0; i < n; i++) {
		struct cap_spec sp = cap_syscall_spec(&tab[i], verbose);
		uint32_t key = tab[i].nr;
		if (key >= CAP_SYSCALL_MAX)
			continue;
		if (bpf_map_update_elem(fd, &key, &sp, BPF_ANY))
			return -errno;
	}
	return 0;
}

static int handle(void *ctx, void *data, size_t size)
{
	const struct cap_tracer_opts *o = ctx;
	return o->on_record(o->ctx, data, size);
}

int cap_tracer_load(struct cap_tracer *t, const struct cap_tracer_opts *o, char *err, size_t errsz)
{
	int ret;

	memset(t, 0, sizeof(*t));
	libbpf_set_print(o->debug ? libbpf_debug : libbpf_quiet);
	t->ncpus = libbpf_num_possible_cpus();
	t->skel = capsule_bpf__open();
	if (!t->skel) {
		ret = -errno;
		snprintf(err, errsz, "cannot open the BPF object: %s", strerror(-ret));
		return ret;
	}
	t->skel->rodata->target_cgid = o->cgroup_id;
	t->skel->rodata->target_level = o->cgroup_level;
	t->skel->rodata->capture_bytes = o->capture_bytes < CAP_DATA_MAX ? o->capture_bytes : CAP_DATA_MAX;
	bpf_map__set_max_entries(t->skel->maps.events, o->ringbuf_bytes);

	ret = capsule_bpf__load(t->skel);
	if (ret) {
		ret = ret < 0 ? ret : -errno;
		if (ret == -EPERM)
			snprintf(err, errsz, "loading BPF programs was refused (EPERM): run as root, "
				 "and check kernel.unprivileged_bpf_disabled / lockdown (capsule doctor)");
		else
			snprintf(err, errsz, "loading BPF programs failed: %s (run with --debug for the "
				 "verifier log; capsule doctor lists what this kernel supports)", strerror(-ret));
		goto fail;
	}
	ret = fill_specs(t, o->verbose);
	if (ret) {
		snprintf(err, errsz, "filling the syscall table failed: %s", strerror(-ret));
		goto fail;
	}
	t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), handle, (void *)o, NULL);
	if (!t->rb) {
		ret = -errno;
		snprintf(err, errsz, "cannot map the ring buffer: %s", strerror(-ret));
		goto fail;
	}
	return 0;
fail:
	cap_tracer_stop(t);
	return ret;
}

int cap_tracer_attach(struct cap_tracer *t, char *err, size_t errsz)
{
	int ret = capsule_bpf__attach(t->skel);
	if (ret) {
		ret = ret < 0 ? ret : -errno;
		snprintf(err, errsz, "attaching BPF programs failed: %s (capsule doctor shows which hooks load here)",
			 strerror(-ret));
		cap_tracer_stop(t);
	}
	return ret;
}

int cap_tracer_poll(struct cap_tracer *t, int wake_fd, int timeout_ms)
{
	/* libbpf's epoll fd is readable when the kernel wakes the reader; wake_fd (the signalfd)
	 * ends the wait too, so a child's exit is seen at once, not at the next timeout */
	struct pollfd p[2] = { { .fd = ring_buffer__epoll_fd(t->rb), .events = POLLIN },
			       { .fd = wake_fd, .events = POLLIN } };
	if (poll(p, wake_fd >= 0 ? 2 : 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	return ring_buffer__consume(t->rb);
}

int cap_tracer_drain(struct cap_tracer *t)
{
	return ring_buffer__consume(t->rb);
}

uint64_t cap_tracer_stat(struct cap_tracer *t, enum cap_stat which)
{
	uint64_t vals[t->ncpus > 0 ? t->ncpus : 1];
	uint32_t key = which;
	uint64_t sum = 0;

	if (!t->skel || bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.stats), &key, vals))
		return 0;
	for (int i = 0; i < t->ncpus; i++)
		sum += vals[i];
	return sum;
}

void cap_tracer_stop(struct cap_tracer *t)
{
	ring_buffer__free(t->rb);
	t->rb = NULL;
	capsule_bpf__destroy(t->skel);
	t->skel = NULL;
}
