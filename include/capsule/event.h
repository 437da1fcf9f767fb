/* The record ABI between the kernel programs (bpf/) and user space (src/).
 * Fixed-width types only; this header is included by both sides.
 *
 * A record is a cap_rec header followed by nfields fields. A field is a cap_field header
 * followed by len bytes of data (no padding). Records are variable-length: only the bytes in
 * use go through the ring buffer. User space treats every byte as untrusted (bounds-checked
 * in src/trace/decode.c). */
#ifndef CAPSULE_EVENT_H
#define CAPSULE_EVENT_H

#ifdef __bpf__
/* vmlinux.h provides the __u* types */
#else
#include <linux/types.h>
#endif

#define CAP_COMM_LEN     16
#define CAP_PATH_MAX     4096 /* longest path or string captured; longer ones are cut and flagged */
#define CAP_ARGV_MAX     4096 /* bytes of the NUL-separated argv captured at exec */
#define CAP_SOCKADDR_MAX 128
#define CAP_RIGHTS_MAX   8    /* SCM_RIGHTS fds described per message */
#define CAP_REC_MAX      16384 /* largest record the kernel side builds */
#define CAP_SYSCALL_MAX  1024 /* size of the syscall spec table (nr < CAP_SYSCALL_MAX) */
#define CAP_DATA_MAX     4096 /* largest --capture-bytes, and the bytes of a DNS message captured */

/* What produced the record. */
enum cap_rec_type {
	CAP_REC_SYSCALL = 1, /* a syscall of interest, at its exit (args + result) */
	CAP_REC_EXEC = 2,    /* sched_process_exec: a successful execve/execveat; args[0] = old pid */
	CAP_REC_FORK = 3,    /* sched_process_fork: args[0] = child tid, args[1] = child tgid,
			      * args[3] bit 0: the child shares the parent's fd table (CLONE_FILES) */
	CAP_REC_EXIT = 4,    /* sched_process_exit of the last thread: ret = wait status, args[0..1] = user/system ns */
	CAP_REC_SIGNAL = 5,  /* signal_generate for a traced receiver with the default action: args[0] = sig, args[1] = si_code, args[2] = sender pid */
};

struct cap_rec {
	__u16 size;    /* total bytes of the record, header included */
	__u16 type;    /* enum cap_rec_type */
	__u16 nr;      /* syscall number (CAP_REC_SYSCALL) */
	__u8 nfields;  /* fields that follow the fixed part */
	__u8 flags;    /* CAP_RF_* */
	__u64 ts;      /* bpf_ktime_get_boot_ns() */
	__u32 pid;     /* thread-group id */
	__u32 tid;
	__u32 ppid;    /* real parent's thread-group id */
	__u32 uid;     /* real uid */
	__u32 euid;
	__u32 gid;
	__u64 cgroup;  /* cgroup id of the task */
	char comm[CAP_COMM_LEN];
	__s64 ret;     /* syscall result (-errno on failure); exit: wait status; others: 0 */
	__u64 args[6]; /* raw syscall arguments; for other types see the type's comment */
};

#define CAP_RF_TRUNCATED 0x01 /* a field was cut (string too long or record full) */
#define CAP_RF_DNS       0x02 /* the CAP_F_DATA fields are a DNS message (remote port 53) */
#define CAP_RF_DNS_TCP   0x04 /* ... over a stream socket: 2-byte length prefixes */

/* Field types. arg is the syscall argument the field belongs to (0-5), or 6 for the result. */
enum cap_field_type {
	CAP_F_STR = 1,      /* a string argument read from user memory (no NUL) */
	CAP_F_BASE = 2,     /* absolute path of the directory a relative path arg is resolved against */
	CAP_F_SOCKADDR = 3, /* raw struct sockaddr bytes from user memory */
	CAP_F_SOCK = 4,     /* struct cap_sockinfo of a socket fd (arg) or of the returned fd (6) */
	CAP_F_FILE = 5,     /* struct cap_fileinfo of an fd (arg) or of the returned fd (6) */
	CAP_F_FDPATH = 6,   /* absolute path of the file behind an fd */
	CAP_F_IO = 7,       /* struct cap_iostat: I/O totals of the fd being closed */
	CAP_F_ARGV = 8,     /* exec: NUL-separated argv */
	CAP_F_CWD = 9,      /* exec: working directory */
	CAP_F_CRED = 10,    /* exec: struct cap_cred after the exec */
	CAP_F_U64 = 11,     /* a u64 read through a pointer argument (clone3 flags, open_how.flags) */
	CAP_F_INT2 = 12,    /* two ints written by the call (pipe, socketpair) */
	CAP_F_CAPDATA = 13, /* capset: struct cap_capdata */
	CAP_F_TARGET = 14,  /* signal target: struct cap_target */
	CAP_F_INTERP = 15,  /* exec: the interpreter (bprm->interp) when it differs from the file */
	CAP_F_DATA = 16,    /* the first bytes of the buffer the call wrote or read (the first iovec; a
			     * DNS send over TCP also has the second iovec in a second field; a DNS
			     * sendmmsg/recvmmsg its second message as a field with arg 2) */
	CAP_F_INO2 = 17,    /* two __u64 inode numbers of the fds in CAP_F_INT2 (pipe: the same one) */
	CAP_F_RIGHTS = 18,  /* sendmsg/recvmsg: the __s32 fds of an SCM_RIGHTS message (at most 8) */
	CAP_F_RIGHTS_FILE = 19, /* struct cap_fileinfo of the k-th of those fds (arg = k) */
	CAP_F_RIGHTS_PATH = 20, /* path of the k-th of those fds (arg = k) */
};

struct cap_field {
	__u16 len;  /* bytes of data after this header */
	__u8 type;  /* enum cap_field_type */
	__u8 arg;
};

struct cap_sockinfo {
	__u16 family;
	__u16 type;     /* SOCK_STREAM, ... */
	__u16 protocol;
	__u8 state;     /* TCP state */
	__u8 pad;
	__u16 lport;    /* host byte order */
	__u16 rport;
	__u8 laddr[16]; /* IPv4 in the first 4 bytes */
	__u8 raddr[16];
	__u64 ino;      /* socket inode, as in socket:[ino] */
};

struct cap_fileinfo {
	__u32 mode;     /* i_mode: type and permission bits */
	__u32 rdev;     /* device number for char/block devices (kernel encoding major<<20|minor) */
	__u32 dev;      /* superblock device (kernel encoding) */
	__u32 magic;    /* superblock magic: tells cgroupfs, procfs, tmpfs, ... */
	__u64 ino;
	__u64 size;
	__s64 mtime;    /* seconds */
	__s64 ctime_ns; /* last status change, ns: any write, chmod or utimes sets it to now (no one can
			 * set it back), so with it a file version is known even after mtime was reset */
	__u32 uid;      /* owner */
	__u32 gid;
};

struct cap_iostat {
	__u64 rbytes;
	__u64 wbytes;
	__u32 rcalls;
	__u32 wcalls;
};

struct cap_cred {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
	__u64 cap_effective;
	__u64 cap_permitted;
	__u64 cap_inheritable;
	__u64 cap_ambient;
	__u32 user_ns_level; /* depth of the task's user namespace (0: initial) */
	__u32 pad;
};

struct cap_capdata {
	__u32 version;
	__s32 pid;
	__u64 effective;
	__u64 permitted;
	__u64 inheritable;
};

struct cap_target {
	__u32 pid;
	__u32 tid;
	char comm[CAP_COMM_LEN];
};

/* ---- the syscall spec table: which syscalls to record and what to capture ----
 * User space fills the map `specs` (index: syscall number) from src/trace/syscalls.def
 * at load time, so the list of syscalls and their argument kinds has one source. */
enum cap_arg_type {
	CAP_A_NONE = 0,     /* raw value only */
	CAP_A_FD,           /* an fd number, no capture */
	CAP_A_DIRFD,        /* base for the next CAP_A_PATH argument (AT_FDCWD: cwd) */
	CAP_A_PATH,         /* path string; CAP_F_BASE added when relative */
	CAP_A_STR,          /* string, no path resolution */
	CAP_A_SOCKADDR,     /* sockaddr pointer, length is the next argument's value */
	CAP_A_SOCKADDR_OUT, /* sockaddr pointer filled by the call, next argument points to the length */
	CAP_A_MSGHDR,       /* struct msghdr pointer: its msg_name is captured as CAP_F_SOCKADDR */
	CAP_A_FD_SOCK,      /* socket fd: CAP_F_SOCK captured at exit */
	CAP_A_FD_FILE,      /* fd: CAP_F_FILE and CAP_F_FDPATH captured */
	CAP_A_U64PTR,       /* pointer to a u64 (first member of clone_args / open_how) */
	CAP_A_INT2OUT,      /* int[2] filled by the call */
	CAP_A_CAPDATA,      /* capset header pointer; the data pointer is the next argument */
	CAP_A_PRCTL_ARG,    /* prctl arg2: a string for PR_SET_NAME, else a value */
	CAP_A_BUF,          /* bytes whose length is the next argument's value (sethostname) */
	CAP_A_DATA,         /* data buffer of a read/write; CAP_F_DATA when the spec says DOUT/DIN */
	CAP_A_IOV,          /* struct iovec array: its first buffer is the data */
	CAP_A_MMSGHDR,      /* struct mmsghdr array: like CAP_A_MSGHDR for its first message */
	CAP_A__COUNT,
};

/* Capture of the result. */
enum cap_ret_type {
	CAP_R_NONE = 0,
	CAP_R_FD_FILE, /* new fd: CAP_F_FILE (device numbers, fs magic) */
	CAP_R_FD_SOCK, /* new socket fd: CAP_F_SOCK */
};

#define CAP_S_RECORD     0x01 /* record this syscall */
#define CAP_S_IO_READ    0x02 /* add the result to the fd's read totals (arg 0 is the fd) */
#define CAP_S_IO_WRITE   0x04 /* add the result to the fd's write totals */
#define CAP_S_CLOSE      0x08 /* attach and clear the fd's I/O totals (CAP_F_IO) */
#define CAP_S_IF_MASK    0x10 /* record only when (value of filter_arg) & filter_mask */
#define CAP_S_IF_PTR     0x20 /* record only when argument filter_arg is non-NULL (else only I/O totals) */
#define CAP_S_IF_DEVICE  0x40 /* record only when fd arg 0 is a char or block device */
#define CAP_S_SIG        0x80 /* attach the signal target (CAP_F_TARGET) seen at signal_generate */
#define CAP_S_FAILONLY   0x100 /* record only failures (a successful execve is a CAP_REC_EXEC) */
#define CAP_S_DATA_OUT   0x200 /* a write: recorded with its first bytes when the fd is a pipe, a
				* socket or a terminal (not a regular file); DNS messages in full */
#define CAP_S_DATA_IN    0x400 /* a read: recorded with its bytes when the fd is a DNS socket */
#define CAP_S_IF_IN      0x800 /* record only when the int value of filter_arg is one of the four
				* 16-bit values packed in filter_mask (fcntl: the fd-changing commands) */

/* The CLONE_NEW* bits: a clone that creates namespaces is recorded as a syscall. */
#define CAP_NS_MASK 0x7E020080ULL

struct cap_spec {
	__u8 argt[6];  /* enum cap_arg_type per argument */
	__u8 rett;     /* enum cap_ret_type */
	__u8 filter_arg;
	__u16 flags;   /* CAP_S_* */
	__u16 pad;
	__u32 pad2;
	__u64 filter_mask;
};

/* Per-CPU counters of the kernel side (map `stats`). */
enum cap_stat {
	CAP_STAT_RECORDS = 0, /* records written to the ring buffer */
	CAP_STAT_LOST = 1,    /* records lost: the ring buffer was full */
	CAP_STAT_TRUNCATED = 2, /* records with a field cut short */
	CAP_STAT__COUNT = 4,
};

#define CAP_WAKEUP_FRACTION 4 /* force a reader wake-up when the buffer is more than 1/4 full */
#define CAP_AT_FDCWD (-100)

#endif
