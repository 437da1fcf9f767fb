/* The table of recorded syscalls, built from syscalls.def for the architecture compiled for. */
#ifndef CAPSULE_SYSCALLS_H
#define CAPSULE_SYSCALLS_H
#include <stdint.h>
#include "capsule/event.h"

/* How a value is shown (text and JSON "decoded"). */
enum cap_fmt {
	D_SKIP = 0, D_INT, D_HEX, D_FD, D_STR, D_OPEN, D_MODE, D_CLONE, D_SIG, D_PROT, D_MMAP,
	D_AT, D_RENAME, D_MOUNT, D_UMOUNT, D_FAMILY, D_SOCKTYPE, D_PROTO, D_MSG, D_MFD, D_IPC,
	D_PRCTL, D_PTRACE, D_IOCTL, D_ID, D_PID, D_DEV, D_SIZE, D_PTR, D_FCNTL,
};

enum cap_area {
	AREA_proc, AREA_net, AREA_file, AREA_cred, AREA_mem, AREA_ipc, AREA_dev, AREA_sys,
	AREA_ns, AREA_signal, AREA__COUNT,
};

struct cap_arg_desc {
	uint8_t capture; /* enum cap_arg_type */
	uint8_t fmt;     /* enum cap_fmt */
	const char *name;
};

struct cap_syscall {
	const char *name;
	int nr;
	uint8_t area;    /* enum cap_area */
	uint8_t rett;    /* enum cap_ret_type */
	uint8_t ret_fmt; /* enum cap_fmt */
	uint8_t nargs;
	uint16_t flags;  /* CAP_S_* */
	uint8_t filter_arg;
	uint64_t filter_mask;
	struct cap_arg_desc args[6];
};

/* The syscall with this number, or NULL when it is not one Capsule records. */
const struct cap_syscall *cap_syscall_by_nr(unsigned nr);
/* By name (for --kind filters and tests), or NULL. */
const struct cap_syscall *cap_syscall_by_name(const char *name);
/* All entries, for filling the kernel's spec map. */
const struct cap_syscall *cap_syscall_table(unsigned *count);
/* The kernel's spec for an entry; verbose also records every read/write. */
struct cap_spec cap_syscall_spec(const struct cap_syscall *sc, int verbose);

const char *cap_area_name(unsigned area);
int cap_area_by_name(const char *name);

#endif
