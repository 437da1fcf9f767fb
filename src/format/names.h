/* Numbers into names: one table per kind, shared by the text and JSON output. */
#ifndef CAPSULE_NAMES_H
#define CAPSULE_NAMES_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* A named bit (or, with mask != 0, a named value of the bits in mask). */
struct cap_flag {
	uint64_t value;
	uint64_t mask; /* 0: value is a single bit set; else (v & mask) == value */
	const char *name;
};

/* Writes the names of the bits set in v joined by sep ("O_CREAT|O_TRUNC"); left-over bits
 * as hex ("0x40000000"); zero_name when v == 0 (may be NULL: writes "0").
 * table ends with an entry whose name is NULL. Entries with a mask are matched against the
 * whole of v; bit entries against the bits no earlier entry has named, so a multi-bit entry
 * (O_SYNC) listed before its parts (O_DSYNC) wins. Output longer than n is cut short.
 * Always NUL-terminates when n > 0; returns the length written (never more than n-1). */
size_t cap_flags_format(char *buf, size_t n, const struct cap_flag *table, uint64_t v,
			const char *sep, const char *zero_name);

/* Single values: a static name, or NULL when unknown. */
const char *cap_errno_name(int err);               /* 2 -> "ENOENT" (positive errno) */
const char *cap_signal_name(int sig);              /* 9 -> "SIGKILL", 34.. -> NULL (use cap_signal_format) */
const char *cap_capability_name(int cap);          /* 21 -> "CAP_SYS_ADMIN" */
const char *cap_family_name(int family);           /* 2 -> "AF_INET", 1 -> "AF_UNIX" */
const char *cap_socktype_name(int type);           /* low 4 bits: 1 -> "SOCK_STREAM" */
const char *cap_ipproto_name(int proto);           /* 6 -> "IPPROTO_TCP" */
const char *cap_prctl_name(int option);            /* 15 -> "PR_SET_NAME" */
const char *cap_ptrace_name(long request);         /* 16 -> "PTRACE_ATTACH" */
const char *cap_ioctl_name(unsigned long request); /* common device ioctls: TCGETS, TIOCSWINSZ, KVM_CREATE_VM, TUNSETIFF, ... */
const char *cap_fcntl_name(int cmd);               /* F_DUPFD, F_SETFL, ... */
const char *cap_seek_whence_name(int whence);

/* Signals including real-time ones ("SIGRTMIN+3", counted from the C library's SIGRTMIN as
 * `kill -l` does); 0 -> "0"; unknown -> "SIG<n>". Returns length. */
size_t cap_signal_format(char *buf, size_t n, int sig);

/* Flag sets (table + cap_flags_format): */
size_t cap_open_flags_format(char *buf, size_t n, uint64_t flags);   /* access mode always named first: O_RDONLY|O_CLOEXEC */
size_t cap_clone_flags_format(char *buf, size_t n, uint64_t flags);  /* CLONE_VM|CLONE_NEWUSER|...; the exit-signal byte (flags & 0xff) shown as SIGCHLD etc. */
size_t cap_ns_flags_format(char *buf, size_t n, uint64_t flags);     /* only CLONE_NEW* bits, short kind names: "user,net,mnt,pid,uts,ipc,cgroup,time"; "" if none */
size_t cap_prot_format(char *buf, size_t n, uint64_t prot);          /* "RWX" style: "R-X", "RW-", "---" */
size_t cap_prot_flags_format(char *buf, size_t n, uint64_t prot);    /* PROT_READ|PROT_EXEC */
size_t cap_mmap_flags_format(char *buf, size_t n, uint64_t flags);   /* MAP_PRIVATE|MAP_ANONYMOUS|... */
size_t cap_caps_format(char *buf, size_t n, uint64_t caps);          /* "CAP_NET_ADMIN,CAP_SYS_ADMIN"; 0 -> "none"; all 41 known -> "all" */
size_t cap_at_flags_format(char *buf, size_t n, uint64_t flags);     /* AT_SYMLINK_NOFOLLOW|AT_REMOVEDIR|AT_EMPTY_PATH|... */
size_t cap_rename_flags_format(char *buf, size_t n, uint64_t flags); /* RENAME_NOREPLACE|RENAME_EXCHANGE|RENAME_WHITEOUT */
size_t cap_mount_flags_format(char *buf, size_t n, uint64_t flags);  /* MS_RDONLY|MS_BIND|MS_REC|... */
size_t cap_umount_flags_format(char *buf, size_t n, uint64_t flags); /* MNT_FORCE|MNT_DETACH|... */
size_t cap_sock_type_format(char *buf, size_t n, uint64_t type);     /* SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK */
size_t cap_msg_flags_format(char *buf, size_t n, uint64_t flags);    /* MSG_DONTWAIT|MSG_NOSIGNAL|... */
size_t cap_memfd_flags_format(char *buf, size_t n, uint64_t flags);  /* MFD_CLOEXEC|MFD_ALLOW_SEALING|MFD_EXEC|MFD_NOEXEC_SEAL */
size_t cap_ipc_flags_format(char *buf, size_t n, uint64_t flags);    /* IPC_CREAT|IPC_EXCL|0600 (mode bits in octal) */
size_t cap_mode_format(char *buf, size_t n, uint64_t mode);          /* "0755", with file type when set: "S_IFCHR|0620" */

/* Device class from a device number: "kvm", "net/tun", "gpu/nvidia", "gpu/dri", "disk", "usb",
 * "tty", "pts", "mem", "kmem", "port", "null", "zero", "random", "urandom", "fuse", "loop", ...;
 * NULL when unknown. is_block selects the block-device namespace. */
const char *cap_device_class(unsigned major, unsigned minor, bool is_block);
/* True for a class a security reviewer wants to see flagged (kvm, mem, kmem, port, disk,
 * net/tun, loop, fuse, usb, and loop-control, dm-control, cpu/msr, uinput, vfio). */
bool cap_device_is_sensitive(const char *cls);

#endif
