/* Every map and setting of the kernel side, declared once. */
#ifndef CAPSULE_MAPS_BPF_H
#define CAPSULE_MAPS_BPF_H

/* Set by user space in rodata before load: the session's cgroup and its depth. */
const volatile __u64 target_cgid = 0;
const volatile __u32 target_level = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* resized by user space (--buffer-size) */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, CAP_SYSCALL_MAX);
	__type(key, __u32);
	__type(value, struct cap_spec);
} specs SEC(".maps");

/* A record under construction. The buffer is larger than CAP_REC_MAX so that a field of up
 * to CAP_PATH_MAX bytes can be written at any offset below CAP_REC_MAX (verifier bounds). */
#define SCRATCH_SIZE (CAP_REC_MAX + CAP_PATH_MAX + 64)
struct scratch {
	__u32 off;
	__u32 pad;
	__u8 buf[SCRATCH_SIZE];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

/* A path is assembled backwards from the end of [0, CAP_PATH_MAX) while walking dentries. */
struct pathbuf {
	__u32 pos; /* start of the path in buf; it ends at CAP_PATH_MAX */
	__u8 buf[CAP_PATH_MAX * 2];
};
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pathbuf);
} pathbuf_map SEC(".maps");

/* Byte totals per open fd, reported when the fd is closed. LRU so a process with a million
 * fds cannot grow it without bound. */
struct fdkey {
	__u32 pid;
	__s32 fd;
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct fdkey);
	__type(value, struct cap_iostat);
} iostats SEC(".maps");

/* Signal target seen at signal_generate, keyed by the sender's tid. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct cap_target);
} sigtargets SEC(".maps");

/* Per-CPU counters, read by user space (enum cap_stat in capsule/event.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CAP_STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

#endif
