/* Numbers into names. Values come from the system headers of the build target, so the
 * tables follow its architecture; kernel uapi headers are preferred where glibc's differ
 * from the syscall ABI. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "names.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

/* Kernel <linux/fcntl.h> and <linux/fs.h> rather than glibc <fcntl.h> and <sys/mount.h>:
 * 64-bit glibc defines O_LARGEFILE as 0 although the kernel reports it, and <sys/mount.h>
 * clashes with <linux/fs.h> (needed for the BLK* ioctls). */
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/memfd.h> /* before <sys/mman.h>, which then skips its own MFD_* */
#include <sys/mman.h>
#include <linux/sched.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/prctl.h>
/* Kernel <linux/ptrace.h>: glibc declares the arch-specific requests as enum values only,
 * which #ifdef cannot see. */
#include <linux/ptrace.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <linux/if_tun.h>
#include <linux/loop.h>
#include <sys/stat.h>
#include <sys/ipc.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Dense tables indexed by value; a missing index reads as NULL. */
#define NAME(x) [x] = #x
#define LOOKUP(table, i) ((i) >= 0 && (size_t)(i) < ARRAY_SIZE(table) ? (table)[i] : NULL)
/* Sparse values: one case per name. */
#define CASE(x) case x: return #x;
#define FLAG(x) { (uint64_t)(x), 0, #x }
#define END { 0, 0, NULL }

/* umount2() flags: kernel ABI (include/linux/fs.h), identical on every architecture, but
 * only glibc's <sys/mount.h> exports them and it cannot be included with <linux/fs.h>. */
#ifndef MNT_FORCE
#define MNT_FORCE 0x1
#define MNT_DETACH 0x2
#define MNT_EXPIRE 0x4
#endif
#ifndef UMOUNT_NOFOLLOW
#define UMOUNT_NOFOLLOW 0x8
#endif

/* memfd_create() flags of Linux 6.3, newer than bookworm's headers; same on every arch. */
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* Socket type in the low bits of socket()'s type argument (kernel SOCK_TYPE_MASK). */
#define SOCK_TYPE_MASK 0xf

/* ---- bounded writer ---- */

struct out {
	char *buf;
	size_t n;   /* buffer size */
	size_t len; /* bytes written; buf[len] is the NUL when n > 0 */
};

static struct out out_init(char *buf, size_t n)
{
	if (n > 0)
		buf[0] = '\0';
	return (struct out){ buf, n, 0 };
}

static void put_mem(struct out *o, const char *s, size_t k)
{
	if (o->n == 0)
		return;
	size_t room = o->n - 1 - o->len;
	if (k > room)
		k = room;
	memcpy(o->buf + o->len, s, k);
	o->len += k;
	o->buf[o->len] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

/* v in base 8, 10 or 16, zero-padded to min_digits. */
static void put_num(struct out *o, uint64_t v, unsigned base, size_t min_digits)
{
	char tmp[24]; /* 22 octal digits at most */
	size_t k = sizeof(tmp);

	do {
		tmp[--k] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v != 0);
	while (sizeof(tmp) - k < min_digits)
		tmp[--k] = '0';
	put_mem(o, tmp + k, sizeof(tmp) - k);
}

static void put_hex(struct out *o, uint64_t v)
{
	put_str(o, "0x");
	put_num(o, v, 16, 1);
}

static void put_int(struct out *o, int v)
{
	if (v < 0)
		put_str(o, "-");
	put_num(o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, 1);
}

/* ---- flag sets ---- */

static void put_flags(struct out *o, const struct cap_flag *t, uint64_t v, const char *sep,
		      const char *zero_name)
{
	uint64_t rest = v;
	bool first = true;

	if (v == 0) {
		put_str(o, zero_name ? zero_name : "0");
		return;
	}
	for (; t->name != NULL; t++) {
		/* Multi-bit entries (O_SYNC over O_DSYNC) come first and consume their bits. */
		bool hit = t->mask != 0 ? (v & t->mask) == t->value
					: t->value != 0 && (rest & t->value) == t->value;
		if (!hit)
			continue;
		if (!first)
			put_str(o, sep);
		put_str(o, t->name);
		first = false;
		rest &= ~(t->mask != 0 ? t->mask : t->value);
	}
	if (rest != 0) {
		if (!first)
			put_str(o, sep);
		put_hex(o, rest);
	}
}

size_t cap_flags_format(char *buf, size_t n, const struct cap_flag *table, uint64_t v,
			const char *sep, const char *zero_name)
{
	struct out o = out_init(buf, n);

	put_flags(&o, table, v, sep, zero_name);
	return o.len;
}

static uint64_t table_bits(const struct cap_flag *t)
{
	uint64_t bits = 0;

	for (; t->name != NULL; t++)
		bits |= t->mask != 0 ? t->mask : t->value;
	return bits;
}

static const struct cap_flag open_flags[] = {
	{ O_RDONLY, O_ACCMODE, "O_RDONLY" }, /* access mode first */
	{ O_WRONLY, O_ACCMODE, "O_WRONLY" },
	{ O_RDWR, O_ACCMODE, "O_RDWR" },
	{ O_ACCMODE, O_ACCMODE, "O_ACCMODE" }, /* 3: ioctl-only open */
	FLAG(O_CREAT),
	FLAG(O_EXCL),
	FLAG(O_NOCTTY),
	FLAG(O_TRUNC),
	FLAG(O_APPEND),
	FLAG(O_NONBLOCK),
	FLAG(O_SYNC), /* includes O_DSYNC */
	FLAG(O_DSYNC),
	{ FASYNC, 0, "O_ASYNC" },
	FLAG(O_DIRECT),
	FLAG(O_LARGEFILE),
	FLAG(O_TMPFILE), /* includes O_DIRECTORY */
	FLAG(O_DIRECTORY),
	FLAG(O_NOFOLLOW),
	FLAG(O_NOATIME),
	FLAG(O_CLOEXEC),
	FLAG(O_PATH),
	END,
};

size_t cap_open_flags_format(char *buf, size_t n, uint64_t flags)
{
	return cap_flags_format(buf, n, open_flags, flags, "|", "O_RDONLY");
}

/* The low byte (CSIGNAL) is the exit signal, formatted separately. */
static const struct cap_flag clone_flags[] = {
	FLAG(CLONE_VM),
	FLAG(CLONE_FS),
	FLAG(CLONE_FILES),
	FLAG(CLONE_SIGHAND),
#ifdef CLONE_PIDFD
	FLAG(CLONE_PIDFD),
#endif
	FLAG(CLONE_PTRACE),
	FLAG(CLONE_VFORK),
	FLAG(CLONE_PARENT),
	FLAG(CLONE_THREAD),
	FLAG(CLONE_NEWNS),
	FLAG(CLONE_SYSVSEM),
	FLAG(CLONE_SETTLS),
	FLAG(CLONE_PARENT_SETTID),
	FLAG(CLONE_CHILD_CLEARTID),
	FLAG(CLONE_DETACHED),
	FLAG(CLONE_UNTRACED),
	FLAG(CLONE_CHILD_SETTID),
	FLAG(CLONE_NEWCGROUP),
	FLAG(CLONE_NEWUTS),
	FLAG(CLONE_NEWIPC),
	FLAG(CLONE_NEWUSER),
	FLAG(CLONE_NEWPID),
	FLAG(CLONE_NEWNET),
	FLAG(CLONE_IO),
#ifdef CLONE_CLEAR_SIGHAND
	FLAG(CLONE_CLEAR_SIGHAND),
#endif
#ifdef CLONE_INTO_CGROUP
	FLAG(CLONE_INTO_CGROUP),
#endif
	END,
};

static void put_signal(struct out *o, int sig);

size_t cap_clone_flags_format(char *buf, size_t n, uint64_t flags)
{
	struct out o = out_init(buf, n);
	uint64_t exit_signal = flags & CSIGNAL, rest = flags & ~(uint64_t)CSIGNAL;

	if (rest != 0 || exit_signal == 0)
		put_flags(&o, clone_flags, rest, "|", NULL);
	if (exit_signal != 0) {
		if (rest != 0)
			put_str(&o, "|");
		put_signal(&o, (int)exit_signal);
	}
	return o.len;
}

static const struct cap_flag ns_kinds[] = {
	{ CLONE_NEWUSER, 0, "user" },
	{ CLONE_NEWNET, 0, "net" },
	{ CLONE_NEWNS, 0, "mnt" },
	{ CLONE_NEWPID, 0, "pid" },
	{ CLONE_NEWUTS, 0, "uts" },
	{ CLONE_NEWIPC, 0, "ipc" },
	{ CLONE_NEWCGROUP, 0, "cgroup" },
#ifdef CLONE_NEWTIME
	{ CLONE_NEWTIME, 0, "time" },
#endif
	END,
};

size_t cap_ns_flags_format(char *buf, size_t n, uint64_t flags)
{
	return cap_flags_format(buf, n, ns_kinds, flags & table_bits(ns_kinds), ",", "");
}

size_t cap_prot_format(char *buf, size_t n, uint64_t prot)
{
	char rwx[3] = {
		prot & PROT_READ ? 'R' : '-',
		prot & PROT_WRITE ? 'W' : '-',
		prot & PROT_EXEC ? 'X' : '-',
	};
	struct out o = out_init(buf, n);

	put_mem(&o, rwx, sizeof(rwx));
	return o.len;
}

static const struct cap_flag prot_flags[] = {
	FLAG(PROT_READ),
	FLAG(PROT_WRITE),
	FLAG(PROT_EXEC),
#ifdef PROT_BTI
	FLAG(PROT_BTI),
#endif
#ifdef PROT_MTE
	FLAG(PROT_MTE),
#endif
	FLAG(PROT_GROWSDOWN),
	FLAG(PROT_GROWSUP),
	END,
};

size_t cap_prot_flags_format(char *buf, size_t n, uint64_t prot)
{
	return cap_flags_format(buf, n, prot_flags, prot, "|", "PROT_NONE");
}

/* Huge page size field shared by mmap() and memfd_create(): log2(size) in bits 26..31. */
#define HUGE_MASK ((uint64_t)HUGETLB_FLAG_ENCODE_MASK << HUGETLB_FLAG_ENCODE_SHIFT)
#define HUGE(prefix, size) { HUGETLB_FLAG_ENCODE_##size, HUGE_MASK, prefix #size }

static const struct cap_flag mmap_flags[] = {
	{ MAP_SHARED, MAP_TYPE, "MAP_SHARED" },
	{ MAP_PRIVATE, MAP_TYPE, "MAP_PRIVATE" },
#ifdef MAP_SHARED_VALIDATE
	{ MAP_SHARED_VALIDATE, MAP_TYPE, "MAP_SHARED_VALIDATE" },
#endif
	FLAG(MAP_FIXED),
	FLAG(MAP_ANONYMOUS),
#ifdef MAP_32BIT
	FLAG(MAP_32BIT),
#endif
	FLAG(MAP_GROWSDOWN),
	FLAG(MAP_DENYWRITE),
	FLAG(MAP_EXECUTABLE),
	FLAG(MAP_LOCKED),
	FLAG(MAP_NORESERVE),
	FLAG(MAP_POPULATE),
	FLAG(MAP_NONBLOCK),
	FLAG(MAP_STACK),
	FLAG(MAP_HUGETLB),
#ifdef MAP_SYNC
	FLAG(MAP_SYNC),
#endif
#ifdef MAP_FIXED_NOREPLACE
	FLAG(MAP_FIXED_NOREPLACE),
#endif
	HUGE("MAP_HUGE_", 64KB),
	HUGE("MAP_HUGE_", 2MB),
	HUGE("MAP_HUGE_", 32MB),
	HUGE("MAP_HUGE_", 512MB),
	HUGE("MAP_HUGE_", 1GB),
	HUGE("MAP_HUGE_", 16GB),
	END,
};

size_t cap_mmap_flags_format(char *buf, size_t n, uint64_t flags)
{
	return cap_flags_format(buf, n, mmap_flags, flags, "|", NULL);
}

/* ---- capabilities ---- */

#define CAPS_KNOWN ((UINT64_C(1) << (CAP_LAST_CAP + 1)) - 1)
#define CAP(x) { UINT64_C(1) << (x), 0, #x }

static const struct cap_flag caps[] = {
	{ CAPS_KNOWN, CAPS_KNOWN, "all" },
	CAP(CAP_CHOWN),
	CAP(CAP_DAC_OVERRIDE),
	CAP(CAP_DAC_READ_SEARCH),
	CAP(CAP_FOWNER),
	CAP(CAP_FSETID),
	CAP(CAP_KILL),
	CAP(CAP_SETGID),
	CAP(CAP_SETUID),
	CAP(CAP_SETPCAP),
	CAP(CAP_LINUX_IMMUTABLE),
	CAP(CAP_NET_BIND_SERVICE),
	CAP(CAP_NET_BROADCAST),
	CAP(CAP_NET_ADMIN),
	CAP(CAP_NET_RAW),
	CAP(CAP_IPC_LOCK),
	CAP(CAP_IPC_OWNER),
	CAP(CAP_SYS_MODULE),
	CAP(CAP_SYS_RAWIO),
	CAP(CAP_SYS_CHROOT),
	CAP(CAP_SYS_PTRACE),
	CAP(CAP_SYS_PACCT),
	CAP(CAP_SYS_ADMIN),
	CAP(CAP_SYS_BOOT),
	CAP(CAP_SYS_NICE),
	CAP(CAP_SYS_RESOURCE),
	CAP(CAP_SYS_TIME),
	CAP(CAP_SYS_TTY_CONFIG),
	CAP(CAP_MKNOD),
	CAP(CAP_LEASE),
	CAP(CAP_AUDIT_WRITE),
	CAP(CAP_AUDIT_CONTROL),
	CAP(CAP_SETFCAP),
	CAP(CAP_MAC_OVERRIDE),
	CAP(CAP_MAC_ADMIN),
	CAP(CAP_SYSLOG),
	CAP(CAP_WAKE_ALARM),
	CAP(CAP_BLOCK_SUSPEND),
	CAP(CAP_AUDIT_READ),
#ifdef CAP_PERFMON
	CAP(CAP_PERFMON),
#endif
#ifdef CAP_BPF
	CAP(CAP_BPF),
#endif
#ifdef CAP_CHECKPOINT_RESTORE
	CAP(CAP_CHECKPOINT_RESTORE),
#endif
	END,
};

const char *cap_capability_name(int cap)
{
	if (cap < 0 || cap > 63)
		return NULL;
	for (const struct cap_flag *t = caps; t->name != NULL; t++)
		if (t->mask == 0 && t->value == UINT64_C(1) << cap)
			return t->name;
	return NULL;
}

size_t cap_caps_format(char *buf, size_t n, uint64_t set)
{
	return cap_flags_format(buf, n, caps, set, ",", "none");
}

/* ---- more flag sets ---- */

static const struct cap_flag at_flags[] = {
	FLAG(AT_SYMLINK_NOFOLLOW),
	FLAG(AT_REMOVEDIR), /* same bit as AT_EACCESS (faccessat) */
	FLAG(AT_SYMLINK_FOLLOW),
	FLAG(AT_NO_AUTOMOUNT),
	FLAG(AT_EMPTY_PATH),
	{ AT_STATX_FORCE_SYNC, AT_STATX_SYNC_TYPE, "AT_STATX_FORCE_SYNC" },
	{ AT_STATX_DONT_SYNC, AT_STATX_SYNC_TYPE, "AT_STATX_DONT_SYNC" },
#ifdef AT_RECURSIVE
	FLAG(AT_RECURSIVE),
#endif
	END,
};

size_t cap_at_flags_format(char *buf, size_t n, uint64_t flags)
{
	return cap_flags_format(buf, n, at_flags, flags, "|", NULL);
}

static const struct cap_flag rename_flags[] = {
	FLAG(RENAME_NOREPLACE),
	FLAG(RENAME_EXCHANGE),
	FLAG(RENAME_WHITEOUT),
	END,
};

size_t cap_rename_flags_format(char *buf, size_t n, uint64_t flags)
{
	return cap_flags_format(buf, n, rename_flags, flags, "|", NULL);
}

static const struct cap_flag mount_flags[] = {
	{ MS_MGC_VAL, MS_MGC_MSK, "MS_MGC_VAL" }, /* legacy magic in the high 16 bits */
	FLAG(MS_RDONLY),
	FLAG(MS_NOSUID),
	FLAG(MS_NODEV),
	FLAG(MS_NOEXEC),
	FLAG(MS_SYNCHRONOUS),
	FLAG(MS_REMOUNT),
	FLAG(MS_MANDLOCK),
	FLAG(MS_DIRSYNC),
#ifdef MS_NOSYMFOLLOW
	FLAG(MS_NOSYMFOLLOW),
#endif
	FLAG(MS_NOATIME),
	FLAG(MS_NODIRATIME),
	FLAG(MS_BIND),
	FLAG(MS_MOVE),
	FLAG(MS_REC),
	FLAG(MS_SILENT),
	FLAG(MS_POSIXACL),
	FLAG(MS_UNBINDABLE),
	FLAG(MS_PRIVATE),
	FLAG(MS_SLAVE),
	FLAG(MS_SHARED),
	FLAG(MS_RELATIME),
	FLAG(MS_KERNMOUNT),
	FLAG(MS_I_VERSION),
	FLAG(MS_STRICTATIME),
	FLAG(MS_LAZYTIME),
	FLAG(MS_ACTIVE),
	{ 1U << 31, 0, "MS_NOUSER" }, /* uapi spells it (1<<31), which overflows int */
	END,
};

size_t cap_mount_flags_format(char *buf, size_t n, uint64_t flags)
{
	return cap_flags_format(buf, n, mount_flags, flags, "|", NULL);
}

static const struct cap_flag umount_flags[] = {
	FLAG(MNT_FORCE),
	FLAG(MNT_DETACH),
	FLAG(MNT_EXPIRE),
	FLAG(UMOUNT_NOFOLLOW),
	END,
};

size_t cap_umount_flags_format(char *buf, size_t n, uint64_t flags)
{
	return cap_flags_format(buf, n, umount_flags, flags, "|", NULL);
}

static const struct cap_flag sock_type_flags[] = {
	{ SOCK_STREAM, SOCK_TYPE_MASK, "SOCK_STREAM" },
	{ SOCK_DGRAM, SOCK_TYPE_MASK, "SOCK_DGRAM" },
	{ SOCK_RAW, SOCK_TYPE_MASK, "SOCK_RAW" },
	{ SOCK_RDM, SOCK_TYPE_MASK, "SOCK_RDM" },
	{ SOCK_SEQPACKET, SOCK_TYPE_MASK, "SOCK_SEQPACKET" },
	{ SOCK_DCCP, SOCK_TYPE_MASK, "SOCK_DCCP" },
	{ SOCK_PACKET, SOCK_TYPE_MASK, "SOCK_PACKET" },
	FLAG(SOCK_CLOEXEC),
	FLAG(SOCK_NONBLOCK),
	END,
};

size_t cap_sock_type_format(char *buf, size_t n, uint64_t type)
{
	return cap_flags_format(buf, n, sock_type_flags, type, "|", NULL);
}

const char *cap_socktype_name(int type)
{
	/* the type entries lead the table, up to the first plain flag */
	for (const struct cap_flag *t = sock_type_flags; t->mask != 0; t++)
		if (t->value == ((unsigned)type & SOCK_TYPE_MASK))
			return t->name;
	return NULL;
}

static const struct cap_flag msg_flags[] = {
	FLAG(MSG_OOB),
	FLAG(MSG_PEEK),
	FLAG(MSG_DONTROUTE),
	FLAG(MSG_CTRUNC),
	FLAG(MSG_PROXY),
	FLAG(MSG_TRUNC),
	FLAG(MSG_DONTWAIT),
	FLAG(MSG_EOR),
	FLAG(MSG_WAITALL),
	FLAG(MSG_FIN),
	FLAG(MSG_SYN),
	FLAG(MSG_CONFIRM),
	FLAG(MSG_RST),
	FLAG(MSG_ERRQUEUE),
	FLAG(MSG_NOSIGNAL),
	FLAG(MSG_MORE),
	FLAG(MSG_WAITFORONE),
#ifdef MSG_BATCH
	FLAG(MSG_BATCH),
#endif
#ifdef MSG_ZEROCOPY
	FLAG(MSG_ZEROCOPY),
#endif
	FLAG(MSG_FASTOPEN),
	FLAG(MSG_CMSG_CLOEXEC),
	END,
};

size_t cap_msg_flags_format(char *buf, size_t n, uint64_t flags)
{
	return cap_flags_format(buf, n, msg_flags, flags, "|", NULL);
}

static const struct cap_flag memfd_flags[] = {
	FLAG(MFD_CLOEXEC),
	FLAG(MFD_ALLOW_SEALING),
	FLAG(MFD_HUGETLB),
	FLAG(MFD_NOEXEC_SEAL),
	FLAG(MFD_EXEC),
	HUGE("MFD_HUGE_", 64KB),
	HUGE("MFD_HUGE_", 2MB),
	HUGE("MFD_HUGE_", 32MB),
	HUGE("MFD_HUGE_", 512MB),
	HUGE("MFD_HUGE_", 1GB),
	HUGE("MFD_HUGE_", 16GB),
	END,
};

size_t cap_memfd_flags_format(char *buf, size_t n, uint64_t flags)
{
	return cap_flags_format(buf, n, memfd_flags, flags, "|", NULL);
}

/* Named flags, then the permission bits in octal ("IPC_CREAT|0600", "S_IFCHR|0620"). */
static size_t flags_and_mode(char *buf, size_t n, const struct cap_flag *t, uint64_t v,
			     uint64_t perm_bits)
{
	struct out o = out_init(buf, n);

	if ((v & ~perm_bits) != 0) {
		put_flags(&o, t, v & ~perm_bits, "|", NULL);
		put_str(&o, "|");
	}
	put_str(&o, "0"); /* octal prefix, as in chmod 0755 and 04755 */
	put_num(&o, v & perm_bits, 8, 3);
	return o.len;
}

static const struct cap_flag ipc_flags[] = {
	FLAG(IPC_CREAT),
	FLAG(IPC_EXCL),
	FLAG(IPC_NOWAIT),
	END,
};

size_t cap_ipc_flags_format(char *buf, size_t n, uint64_t flags)
{
	return flags_and_mode(buf, n, ipc_flags, flags, 0777);
}

static const struct cap_flag file_types[] = {
	{ S_IFSOCK, S_IFMT, "S_IFSOCK" },
	{ S_IFLNK, S_IFMT, "S_IFLNK" },
	{ S_IFREG, S_IFMT, "S_IFREG" },
	{ S_IFBLK, S_IFMT, "S_IFBLK" },
	{ S_IFDIR, S_IFMT, "S_IFDIR" },
	{ S_IFCHR, S_IFMT, "S_IFCHR" },
	{ S_IFIFO, S_IFMT, "S_IFIFO" },
	END,
};

size_t cap_mode_format(char *buf, size_t n, uint64_t mode)
{
	return flags_and_mode(buf, n, file_types, mode, 07777);
}

/* ---- single values ---- */

static const char *const errno_names[] = {
	NAME(EPERM), NAME(ENOENT), NAME(ESRCH), NAME(EINTR), NAME(EIO), NAME(ENXIO),
	NAME(E2BIG), NAME(ENOEXEC), NAME(EBADF), NAME(ECHILD), NAME(EAGAIN), NAME(ENOMEM),
	NAME(EACCES), NAME(EFAULT), NAME(ENOTBLK), NAME(EBUSY), NAME(EEXIST), NAME(EXDEV),
	NAME(ENODEV), NAME(ENOTDIR), NAME(EISDIR), NAME(EINVAL), NAME(ENFILE), NAME(EMFILE),
	NAME(ENOTTY), NAME(ETXTBSY), NAME(EFBIG), NAME(ENOSPC), NAME(ESPIPE), NAME(EROFS),
	NAME(EMLINK), NAME(EPIPE), NAME(EDOM), NAME(ERANGE), NAME(EDEADLK),
	NAME(ENAMETOOLONG), NAME(ENOLCK), NAME(ENOSYS), NAME(ENOTEMPTY), NAME(ELOOP),
	NAME(ENOMSG), NAME(EIDRM), NAME(ECHRNG), NAME(EL2NSYNC), NAME(EL3HLT), NAME(EL3RST),
	NAME(ELNRNG), NAME(EUNATCH), NAME(ENOCSI), NAME(EL2HLT), NAME(EBADE), NAME(EBADR),
	NAME(EXFULL), NAME(ENOANO), NAME(EBADRQC), NAME(EBADSLT),
#if EDEADLOCK != EDEADLK
	NAME(EDEADLOCK),
#endif
	NAME(EBFONT), NAME(ENOSTR), NAME(ENODATA), NAME(ETIME), NAME(ENOSR), NAME(ENONET),
	NAME(ENOPKG), NAME(EREMOTE), NAME(ENOLINK), NAME(EADV), NAME(ESRMNT), NAME(ECOMM),
	NAME(EPROTO), NAME(EMULTIHOP), NAME(EDOTDOT), NAME(EBADMSG), NAME(EOVERFLOW),
	NAME(ENOTUNIQ), NAME(EBADFD), NAME(EREMCHG), NAME(ELIBACC), NAME(ELIBBAD),
	NAME(ELIBSCN), NAME(ELIBMAX), NAME(ELIBEXEC), NAME(EILSEQ), NAME(ERESTART),
	NAME(ESTRPIPE), NAME(EUSERS), NAME(ENOTSOCK), NAME(EDESTADDRREQ), NAME(EMSGSIZE),
	NAME(EPROTOTYPE), NAME(ENOPROTOOPT), NAME(EPROTONOSUPPORT), NAME(ESOCKTNOSUPPORT),
	NAME(EOPNOTSUPP), NAME(EPFNOSUPPORT), NAME(EAFNOSUPPORT), NAME(EADDRINUSE),
	NAME(EADDRNOTAVAIL), NAME(ENETDOWN), NAME(ENETUNREACH), NAME(ENETRESET),
	NAME(ECONNABORTED), NAME(ECONNRESET), NAME(ENOBUFS), NAME(EISCONN), NAME(ENOTCONN),
	NAME(ESHUTDOWN), NAME(ETOOMANYREFS), NAME(ETIMEDOUT), NAME(ECONNREFUSED),
	NAME(EHOSTDOWN), NAME(EHOSTUNREACH), NAME(EALREADY), NAME(EINPROGRESS), NAME(ESTALE),
	NAME(EUCLEAN), NAME(ENOTNAM), NAME(ENAVAIL), NAME(EISNAM), NAME(EREMOTEIO),
	NAME(EDQUOT), NAME(ENOMEDIUM), NAME(EMEDIUMTYPE), NAME(ECANCELED), NAME(ENOKEY),
	NAME(EKEYEXPIRED), NAME(EKEYREVOKED), NAME(EKEYREJECTED), NAME(EOWNERDEAD),
	NAME(ENOTRECOVERABLE), NAME(ERFKILL), NAME(EHWPOISON),
};

const char *cap_errno_name(int err)
{
	/* Kernel-internal restart codes (include/linux/errno.h, same on every arch): a syscall
	 * interrupted by a signal exits with them before the restart. */
	switch (err) {
	case 512: return "ERESTARTSYS";
	case 513: return "ERESTARTNOINTR";
	case 514: return "ERESTARTNOHAND";
	case 516: return "ERESTART_RESTARTBLOCK";
	}
	return LOOKUP(errno_names, err);
}

static const char *const signal_names[] = {
	NAME(SIGHUP), NAME(SIGINT), NAME(SIGQUIT), NAME(SIGILL), NAME(SIGTRAP),
	NAME(SIGABRT), NAME(SIGBUS), NAME(SIGFPE), NAME(SIGKILL), NAME(SIGUSR1),
	NAME(SIGSEGV), NAME(SIGUSR2), NAME(SIGPIPE), NAME(SIGALRM), NAME(SIGTERM),
#ifdef SIGSTKFLT
	NAME(SIGSTKFLT),
#endif
	NAME(SIGCHLD), NAME(SIGCONT), NAME(SIGSTOP), NAME(SIGTSTP), NAME(SIGTTIN),
	NAME(SIGTTOU), NAME(SIGURG), NAME(SIGXCPU), NAME(SIGXFSZ), NAME(SIGVTALRM),
	NAME(SIGPROF), NAME(SIGWINCH), NAME(SIGIO), NAME(SIGPWR), NAME(SIGSYS),
};

const char *cap_signal_name(int sig)
{
	return LOOKUP(signal_names, sig);
}

/* Real-time signals are numbered from the C library's SIGRTMIN (34 with glibc, which keeps
 * 32 and 33 for itself), matching what `kill -l` prints. */
static void put_signal(struct out *o, int sig)
{
	const char *name = cap_signal_name(sig);

	if (name != NULL) {
		put_str(o, name);
	} else if (sig == 0) {
		put_str(o, "0"); /* kill(pid, 0): no signal, only a permission check */
	} else if (sig == SIGRTMAX) {
		put_str(o, "SIGRTMAX");
	} else if (sig >= SIGRTMIN && sig < SIGRTMAX) {
		put_str(o, "SIGRTMIN");
		if (sig > SIGRTMIN) {
			put_str(o, "+");
			put_int(o, sig - SIGRTMIN);
		}
	} else {
		put_str(o, "SIG");
		put_int(o, sig);
	}
}

size_t cap_signal_format(char *buf, size_t n, int sig)
{
	struct out o = out_init(buf, n);

	put_signal(&o, sig);
	return o.len;
}

static const char *const family_names[] = {
	NAME(AF_UNSPEC), NAME(AF_UNIX), NAME(AF_INET), NAME(AF_AX25), NAME(AF_IPX),
	NAME(AF_APPLETALK), NAME(AF_NETROM), NAME(AF_BRIDGE), NAME(AF_ATMPVC), NAME(AF_X25),
	NAME(AF_INET6), NAME(AF_ROSE), NAME(AF_DECnet), NAME(AF_NETBEUI), NAME(AF_SECURITY),
	NAME(AF_KEY), NAME(AF_NETLINK), NAME(AF_PACKET), NAME(AF_ASH), NAME(AF_ECONET),
	NAME(AF_ATMSVC), NAME(AF_RDS), NAME(AF_SNA), NAME(AF_IRDA), NAME(AF_PPPOX),
	NAME(AF_WANPIPE), NAME(AF_LLC),
#ifdef AF_IB
	NAME(AF_IB),
#endif
#ifdef AF_MPLS
	NAME(AF_MPLS),
#endif
	NAME(AF_CAN), NAME(AF_TIPC), NAME(AF_BLUETOOTH), NAME(AF_IUCV), NAME(AF_RXRPC),
	NAME(AF_ISDN), NAME(AF_PHONET), NAME(AF_IEEE802154), NAME(AF_CAIF), NAME(AF_ALG),
	NAME(AF_NFC), NAME(AF_VSOCK),
#ifdef AF_KCM
	NAME(AF_KCM),
#endif
#ifdef AF_QIPCRTR
	NAME(AF_QIPCRTR),
#endif
#ifdef AF_SMC
	NAME(AF_SMC),
#endif
#ifdef AF_XDP
	NAME(AF_XDP),
#endif
#ifdef AF_MCTP
	NAME(AF_MCTP),
#endif
};

const char *cap_family_name(int family)
{
	return LOOKUP(family_names, family);
}

const char *cap_ipproto_name(int proto)
{
	switch (proto) {
	CASE(IPPROTO_IP)
	CASE(IPPROTO_ICMP)
	CASE(IPPROTO_IGMP)
	CASE(IPPROTO_IPIP)
	CASE(IPPROTO_TCP)
	CASE(IPPROTO_EGP)
	CASE(IPPROTO_PUP)
	CASE(IPPROTO_UDP)
	CASE(IPPROTO_IDP)
	CASE(IPPROTO_TP)
	CASE(IPPROTO_DCCP)
	CASE(IPPROTO_IPV6)
	CASE(IPPROTO_ROUTING)
	CASE(IPPROTO_FRAGMENT)
	CASE(IPPROTO_RSVP)
	CASE(IPPROTO_GRE)
	CASE(IPPROTO_ESP)
	CASE(IPPROTO_AH)
	CASE(IPPROTO_ICMPV6)
	CASE(IPPROTO_NONE)
	CASE(IPPROTO_DSTOPTS)
	CASE(IPPROTO_MTP)
	CASE(IPPROTO_BEETPH)
	CASE(IPPROTO_ENCAP)
	CASE(IPPROTO_PIM)
	CASE(IPPROTO_COMP)
#ifdef IPPROTO_L2TP
	CASE(IPPROTO_L2TP)
#endif
	CASE(IPPROTO_SCTP)
	CASE(IPPROTO_MH)
	CASE(IPPROTO_UDPLITE)
	CASE(IPPROTO_MPLS)
#ifdef IPPROTO_ETHERNET
	CASE(IPPROTO_ETHERNET)
#endif
	CASE(IPPROTO_RAW)
#ifdef IPPROTO_MPTCP
	CASE(IPPROTO_MPTCP)
#endif
	}
	return NULL;
}

const char *cap_prctl_name(int option)
{
	switch (option) {
	CASE(PR_SET_PDEATHSIG)
	CASE(PR_GET_PDEATHSIG)
	CASE(PR_GET_DUMPABLE)
	CASE(PR_SET_DUMPABLE)
	CASE(PR_GET_UNALIGN)
	CASE(PR_SET_UNALIGN)
	CASE(PR_GET_KEEPCAPS)
	CASE(PR_SET_KEEPCAPS)
	CASE(PR_GET_FPEMU)
	CASE(PR_SET_FPEMU)
	CASE(PR_GET_FPEXC)
	CASE(PR_SET_FPEXC)
	CASE(PR_GET_TIMING)
	CASE(PR_SET_TIMING)
	CASE(PR_SET_NAME)
	CASE(PR_GET_NAME)
	CASE(PR_GET_ENDIAN)
	CASE(PR_SET_ENDIAN)
	CASE(PR_GET_SECCOMP)
	CASE(PR_SET_SECCOMP)
	CASE(PR_CAPBSET_READ)
	CASE(PR_CAPBSET_DROP)
	CASE(PR_GET_TSC)
	CASE(PR_SET_TSC)
	CASE(PR_GET_SECUREBITS)
	CASE(PR_SET_SECUREBITS)
	CASE(PR_SET_TIMERSLACK)
	CASE(PR_GET_TIMERSLACK)
	CASE(PR_TASK_PERF_EVENTS_DISABLE)
	CASE(PR_TASK_PERF_EVENTS_ENABLE)
	CASE(PR_MCE_KILL)
	CASE(PR_MCE_KILL_GET)
	CASE(PR_SET_MM)
	CASE(PR_SET_PTRACER)
	CASE(PR_SET_CHILD_SUBREAPER)
	CASE(PR_GET_CHILD_SUBREAPER)
	CASE(PR_SET_NO_NEW_PRIVS)
	CASE(PR_GET_NO_NEW_PRIVS)
	CASE(PR_GET_TID_ADDRESS)
	CASE(PR_SET_THP_DISABLE)
	CASE(PR_GET_THP_DISABLE)
	CASE(PR_MPX_ENABLE_MANAGEMENT)
	CASE(PR_MPX_DISABLE_MANAGEMENT)
	CASE(PR_SET_FP_MODE)
	CASE(PR_GET_FP_MODE)
	CASE(PR_CAP_AMBIENT)
	CASE(PR_SVE_SET_VL)
	CASE(PR_SVE_GET_VL)
	CASE(PR_GET_SPECULATION_CTRL)
	CASE(PR_SET_SPECULATION_CTRL)
	CASE(PR_PAC_RESET_KEYS)
	CASE(PR_SET_TAGGED_ADDR_CTRL)
	CASE(PR_GET_TAGGED_ADDR_CTRL)
#ifdef PR_SET_IO_FLUSHER
	CASE(PR_SET_IO_FLUSHER)
	CASE(PR_GET_IO_FLUSHER)
#endif
#ifdef PR_SET_SYSCALL_USER_DISPATCH
	CASE(PR_SET_SYSCALL_USER_DISPATCH)
#endif
#ifdef PR_PAC_SET_ENABLED_KEYS
	CASE(PR_PAC_SET_ENABLED_KEYS)
	CASE(PR_PAC_GET_ENABLED_KEYS)
#endif
#ifdef PR_SCHED_CORE
	CASE(PR_SCHED_CORE)
#endif
#ifdef PR_SME_SET_VL
	CASE(PR_SME_SET_VL)
	CASE(PR_SME_GET_VL)
#endif
#ifdef PR_SET_VMA
	CASE(PR_SET_VMA)
#endif
	}
	return NULL;
}

const char *cap_ptrace_name(long request)
{
	switch (request) {
	CASE(PTRACE_TRACEME)
	CASE(PTRACE_PEEKTEXT)
	CASE(PTRACE_PEEKDATA)
	case PTRACE_PEEKUSR: return "PTRACE_PEEKUSER"; /* the spelling of glibc and strace */
	CASE(PTRACE_POKETEXT)
	CASE(PTRACE_POKEDATA)
	case PTRACE_POKEUSR: return "PTRACE_POKEUSER";
	CASE(PTRACE_CONT)
	CASE(PTRACE_KILL)
	CASE(PTRACE_SINGLESTEP)
#ifdef PTRACE_GETREGS
	CASE(PTRACE_GETREGS)
	CASE(PTRACE_SETREGS)
#endif
#ifdef PTRACE_GETFPREGS
	CASE(PTRACE_GETFPREGS)
	CASE(PTRACE_SETFPREGS)
#endif
	CASE(PTRACE_ATTACH)
	CASE(PTRACE_DETACH)
#ifdef PTRACE_GETFPXREGS
	CASE(PTRACE_GETFPXREGS)
	CASE(PTRACE_SETFPXREGS)
#endif
	CASE(PTRACE_SYSCALL)
#ifdef PTRACE_GET_THREAD_AREA
	CASE(PTRACE_GET_THREAD_AREA)
	CASE(PTRACE_SET_THREAD_AREA)
#endif
#ifdef PTRACE_ARCH_PRCTL
	CASE(PTRACE_ARCH_PRCTL)
#endif
#ifdef PTRACE_SYSEMU
	CASE(PTRACE_SYSEMU)
	CASE(PTRACE_SYSEMU_SINGLESTEP)
#endif
#ifdef PTRACE_SINGLEBLOCK
	CASE(PTRACE_SINGLEBLOCK)
#endif
#ifdef PTRACE_PEEKMTETAGS
	CASE(PTRACE_PEEKMTETAGS)
	CASE(PTRACE_POKEMTETAGS)
#endif
	CASE(PTRACE_SETOPTIONS)
	CASE(PTRACE_GETEVENTMSG)
	CASE(PTRACE_GETSIGINFO)
	CASE(PTRACE_SETSIGINFO)
	CASE(PTRACE_GETREGSET)
	CASE(PTRACE_SETREGSET)
	CASE(PTRACE_SEIZE)
	CASE(PTRACE_INTERRUPT)
	CASE(PTRACE_LISTEN)
	CASE(PTRACE_PEEKSIGINFO)
	CASE(PTRACE_GETSIGMASK)
	CASE(PTRACE_SETSIGMASK)
	CASE(PTRACE_SECCOMP_GET_FILTER)
	CASE(PTRACE_SECCOMP_GET_METADATA)
#ifdef PTRACE_GET_SYSCALL_INFO
	CASE(PTRACE_GET_SYSCALL_INFO)
#endif
#ifdef PTRACE_GET_RSEQ_CONFIGURATION
	CASE(PTRACE_GET_RSEQ_CONFIGURATION)
#endif
	}
	return NULL;
}

/* DRM core and mode-setting ioctls by number ('d', nr), whatever the size field:
 * <drm/drm.h> is not part of the kernel headers Debian installs. */
static const char *drm_ioctl_name(unsigned nr)
{
	switch (nr) {
	case 0x00: return "DRM_IOCTL_VERSION";
	case 0x01: return "DRM_IOCTL_GET_UNIQUE";
	case 0x02: return "DRM_IOCTL_GET_MAGIC";
	case 0x07: return "DRM_IOCTL_SET_VERSION";
	case 0x09: return "DRM_IOCTL_GEM_CLOSE";
	case 0x0a: return "DRM_IOCTL_GEM_FLINK";
	case 0x0b: return "DRM_IOCTL_GEM_OPEN";
	case 0x0c: return "DRM_IOCTL_GET_CAP";
	case 0x0d: return "DRM_IOCTL_SET_CLIENT_CAP";
	case 0x11: return "DRM_IOCTL_AUTH_MAGIC";
	case 0x1e: return "DRM_IOCTL_SET_MASTER";
	case 0x1f: return "DRM_IOCTL_DROP_MASTER";
	case 0x2d: return "DRM_IOCTL_PRIME_HANDLE_TO_FD";
	case 0x2e: return "DRM_IOCTL_PRIME_FD_TO_HANDLE";
	case 0x3a: return "DRM_IOCTL_WAIT_VBLANK";
	case 0xa0: return "DRM_IOCTL_MODE_GETRESOURCES";
	case 0xa1: return "DRM_IOCTL_MODE_GETCRTC";
	case 0xa2: return "DRM_IOCTL_MODE_SETCRTC";
	case 0xa6: return "DRM_IOCTL_MODE_GETENCODER";
	case 0xa7: return "DRM_IOCTL_MODE_GETCONNECTOR";
	case 0xae: return "DRM_IOCTL_MODE_ADDFB";
	case 0xaf: return "DRM_IOCTL_MODE_RMFB";
	case 0xb0: return "DRM_IOCTL_MODE_PAGE_FLIP";
	case 0xb2: return "DRM_IOCTL_MODE_CREATE_DUMB";
	case 0xb3: return "DRM_IOCTL_MODE_MAP_DUMB";
	case 0xb4: return "DRM_IOCTL_MODE_DESTROY_DUMB";
	case 0xb8: return "DRM_IOCTL_MODE_ADDFB2";
	case 0xbc: return "DRM_IOCTL_MODE_ATOMIC";
	}
	return NULL;
}

const char *cap_ioctl_name(unsigned long request)
{
	/* The kernel takes the command as unsigned int; upper bits are ignored. */
	unsigned cmd = (unsigned)request;

	switch (cmd) {
	/* terminals */
	CASE(TCGETS)
	CASE(TCSETS)
	CASE(TCSETSW)
	CASE(TCSETSF)
	CASE(TCGETA)
	CASE(TCSETA)
	CASE(TCSETAW)
	CASE(TCSETAF)
	CASE(TCSBRK)
	CASE(TCXONC)
	CASE(TCFLSH)
	CASE(TIOCEXCL)
	CASE(TIOCNXCL)
	CASE(TIOCSCTTY)
	CASE(TIOCGPGRP)
	CASE(TIOCSPGRP)
	CASE(TIOCOUTQ)
	CASE(TIOCSTI)
	CASE(TIOCGWINSZ)
	CASE(TIOCSWINSZ)
	CASE(TIOCMGET)
	CASE(TIOCMBIS)
	CASE(TIOCMBIC)
	CASE(TIOCMSET)
	CASE(FIONREAD)
	CASE(TIOCLINUX)
	CASE(TIOCCONS)
	CASE(TIOCPKT)
	CASE(FIONBIO)
	CASE(TIOCNOTTY)
	CASE(TIOCSETD)
	CASE(TIOCGETD)
	CASE(TIOCSBRK)
	CASE(TIOCCBRK)
	CASE(TIOCGSID)
	CASE(TIOCGPTN)
	CASE(TIOCSPTLCK)
	CASE(TIOCGDEV)
	CASE(TIOCSIG)
	CASE(TIOCVHANGUP)
	CASE(TIOCGPKT)
	CASE(TIOCGPTLCK)
	CASE(TIOCGEXCL)
	CASE(TIOCGPTPEER)
	CASE(FIONCLEX)
	CASE(FIOCLEX)
	CASE(FIOASYNC)
	CASE(FIOQSIZE)
	/* files and block devices */
	CASE(FICLONE)
	CASE(FICLONERANGE)
	CASE(FIFREEZE)
	CASE(FITHAW)
	CASE(FS_IOC_GETFLAGS)
	CASE(FS_IOC_SETFLAGS)
	CASE(FS_IOC_FSGETXATTR)
	CASE(FS_IOC_FSSETXATTR)
	CASE(BLKROSET)
	CASE(BLKROGET)
	CASE(BLKRRPART)
	CASE(BLKGETSIZE)
	CASE(BLKFLSBUF)
	CASE(BLKRASET)
	CASE(BLKRAGET)
	CASE(BLKSSZGET)
	CASE(BLKBSZGET)
	CASE(BLKBSZSET)
	CASE(BLKGETSIZE64)
	CASE(BLKDISCARD)
	CASE(BLKIOMIN)
	CASE(BLKIOOPT)
	CASE(BLKPBSZGET)
	CASE(BLKSECDISCARD)
	CASE(BLKROTATIONAL)
	CASE(BLKZEROOUT)
	/* loop devices */
	CASE(LOOP_SET_FD)
	CASE(LOOP_CLR_FD)
	CASE(LOOP_SET_STATUS)
	CASE(LOOP_GET_STATUS)
	CASE(LOOP_SET_STATUS64)
	CASE(LOOP_GET_STATUS64)
	CASE(LOOP_CHANGE_FD)
	CASE(LOOP_SET_CAPACITY)
	CASE(LOOP_SET_DIRECT_IO)
	CASE(LOOP_SET_BLOCK_SIZE)
#ifdef LOOP_CONFIGURE
	CASE(LOOP_CONFIGURE)
#endif
	CASE(LOOP_CTL_ADD)
	CASE(LOOP_CTL_REMOVE)
	CASE(LOOP_CTL_GET_FREE)
	/* TUN/TAP */
	CASE(TUNSETNOCSUM)
	CASE(TUNSETDEBUG)
	CASE(TUNSETIFF)
	CASE(TUNSETPERSIST)
	CASE(TUNSETOWNER)
	CASE(TUNSETLINK)
	CASE(TUNSETGROUP)
	CASE(TUNGETFEATURES)
	CASE(TUNSETOFFLOAD)
	CASE(TUNSETTXFILTER)
	CASE(TUNGETIFF)
	CASE(TUNGETSNDBUF)
	CASE(TUNSETSNDBUF)
	CASE(TUNATTACHFILTER)
	CASE(TUNDETACHFILTER)
	CASE(TUNGETVNETHDRSZ)
	CASE(TUNSETVNETHDRSZ)
	CASE(TUNSETQUEUE)
	CASE(TUNSETIFINDEX)
	CASE(TUNGETFILTER)
	CASE(TUNSETVNETLE)
	CASE(TUNGETVNETLE)
	CASE(TUNSETVNETBE)
	CASE(TUNGETVNETBE)
	CASE(TUNSETSTEERINGEBPF)
	CASE(TUNSETFILTEREBPF)
	CASE(TUNSETCARRIER)
	CASE(TUNGETDEVNETNS)
	/* KVM: the generic requests, plus each architecture's vCPU set-up */
	CASE(KVM_GET_API_VERSION)
	CASE(KVM_CREATE_VM)
	CASE(KVM_CHECK_EXTENSION)
	CASE(KVM_GET_VCPU_MMAP_SIZE)
	CASE(KVM_CREATE_VCPU)
	CASE(KVM_GET_DIRTY_LOG)
	CASE(KVM_SET_USER_MEMORY_REGION)
	CASE(KVM_SET_TSS_ADDR)
	CASE(KVM_CREATE_IRQCHIP)
	CASE(KVM_IRQ_LINE)
	CASE(KVM_SET_GSI_ROUTING)
	CASE(KVM_IRQFD)
	CASE(KVM_IOEVENTFD)
	CASE(KVM_SIGNAL_MSI)
	CASE(KVM_CREATE_DEVICE)
	CASE(KVM_ENABLE_CAP)
	CASE(KVM_RUN)
	CASE(KVM_GET_REGS)
	CASE(KVM_SET_REGS)
	CASE(KVM_GET_SREGS)
	CASE(KVM_SET_SREGS)
	CASE(KVM_GET_ONE_REG)
	CASE(KVM_SET_ONE_REG)
	CASE(KVM_SET_SIGNAL_MASK)
#if defined(__x86_64__) || defined(__i386__)
	CASE(KVM_GET_SUPPORTED_CPUID)
	CASE(KVM_SET_CPUID2)
	CASE(KVM_GET_MSRS)
	CASE(KVM_SET_MSRS)
#endif
#ifdef __aarch64__
	CASE(KVM_ARM_VCPU_INIT)
	CASE(KVM_ARM_PREFERRED_TARGET)
#endif
	}
	if (_IOC_TYPE(cmd) == 'd')
		return drm_ioctl_name(_IOC_NR(cmd));
	return NULL;
}

const char *cap_fcntl_name(int cmd)
{
	switch (cmd) {
	CASE(F_DUPFD)
	CASE(F_GETFD)
	CASE(F_SETFD)
	CASE(F_GETFL)
	CASE(F_SETFL)
	CASE(F_GETLK)
	CASE(F_SETLK)
	CASE(F_SETLKW)
	CASE(F_SETOWN)
	CASE(F_GETOWN)
	CASE(F_SETSIG)
	CASE(F_GETSIG)
#ifdef F_GETLK64 /* 32-bit ABIs only */
	CASE(F_GETLK64)
	CASE(F_SETLK64)
	CASE(F_SETLKW64)
#endif
	CASE(F_SETOWN_EX)
	CASE(F_GETOWN_EX)
	CASE(F_GETOWNER_UIDS)
	CASE(F_OFD_GETLK)
	CASE(F_OFD_SETLK)
	CASE(F_OFD_SETLKW)
	CASE(F_SETLEASE)
	CASE(F_GETLEASE)
	CASE(F_NOTIFY)
	CASE(F_CANCELLK)
	CASE(F_DUPFD_CLOEXEC)
	CASE(F_SETPIPE_SZ)
	CASE(F_GETPIPE_SZ)
	CASE(F_ADD_SEALS)
	CASE(F_GET_SEALS)
	CASE(F_GET_RW_HINT)
	CASE(F_SET_RW_HINT)
	CASE(F_GET_FILE_RW_HINT)
	CASE(F_SET_FILE_RW_HINT)
	}
	return NULL;
}

const char *cap_seek_whence_name(int whence)
{
	switch (whence) {
	CASE(SEEK_SET)
	CASE(SEEK_CUR)
	CASE(SEEK_END)
	CASE(SEEK_DATA)
	CASE(SEEK_HOLE)
	}
	return NULL;
}

/* ---- devices (Documentation/admin-guide/devices.txt) ---- */

static const char *const mem_minors[] = {
	[1] = "mem", [2] = "kmem", [3] = "null", [4] = "port", [5] = "zero",
	[7] = "full", [8] = "random", [9] = "urandom", [11] = "kmsg",
};

static const char *misc_class(unsigned minor)
{
	switch (minor) {
	case 130: return "watchdog";
	case 135: return "rtc";
	case 183: return "hwrng";
	case 184: return "cpu/microcode";
	case 196: return "vfio";
	case 200: return "net/tun";
	case 223: return "uinput";
	case 224: return "tpm";
	case 227: return "mcelog";
	case 228: return "hpet";
	case 229: return "fuse";
	case 231: return "snapshot";
	case 232: return "kvm";
	case 234: return "btrfs-control";
	case 235: return "autofs";
	case 236: return "dm-control";
	case 237: return "loop-control";
	case 238: return "vhost-net";
	case 239: return "uhid";
	case 241: return "vhost-vsock";
	case 242: return "rfkill";
	}
	return "misc";
}

static const char *char_class(unsigned major, unsigned minor)
{
	switch (major) {
	case 1: return LOOKUP(mem_minors, (int)minor);
	case 4: return "tty";
	case 5:
		switch (minor) {
		case 1: return "console";
		case 2: return "ptmx";
		default: return "tty"; /* 5:0 /dev/tty, 64+ serial callout */
		}
	case 7: return "vcs";
	case 10: return misc_class(minor);
	case 13: return "input";
	case 14: case 116: return "sound";
	case 21: return "disk"; /* SCSI generic: raw commands to disks */
	case 29: return "fb";
	case 81: return "video";
	case 89: return "i2c";
	case 108: return "ppp";
	case 136 ... 143: return "pts";
	case 166: case 188: case 204: return "tty"; /* USB ACM, USB serial, low-density serial */
	case 180: case 189: return "usb";
	case 195: return "gpu/nvidia";
	case 202: return "cpu/msr";
	case 203: return "cpu/cpuid";
	case 226: return "gpu/dri";
	}
	return NULL;
}

static const char *block_class(unsigned major)
{
	switch (major) {
	case 7: return "loop";
	case 11: return "cdrom";
	case 1:            /* RAM disk */
	case 3: case 22: case 33: case 34: /* IDE */
	case 8: case 65 ... 71: case 128 ... 135: /* SCSI disks */
	case 9:            /* md RAID */
	case 43:           /* nbd */
	case 179:          /* MMC */
	case 202:          /* Xen virtual disks */
	case 240 ... 254:  /* dynamic: device-mapper, virtio-blk, zram */
	case 259:          /* blkext: NVMe and extended partitions */
		return "disk";
	}
	return NULL;
}

const char *cap_device_class(unsigned major, unsigned minor, bool is_block)
{
	return is_block ? block_class(major) : char_class(major, minor);
}

bool cap_device_is_sensitive(const char *cls)
{
	/* Raw memory, raw disks, hypervisor, network plumbing, user-space file systems and
	 * devices, plus the control nodes that create such devices or poke the CPU. */
	static const char *const sensitive[] = {
		"kvm", "mem", "kmem", "port", "disk", "net/tun", "loop", "fuse", "usb",
		"loop-control", "dm-control", "cpu/msr", "uinput", "vfio",
	};

	if (cls == NULL)
		return false;
	for (size_t k = 0; k < ARRAY_SIZE(sensitive); k++)
		if (strcmp(cls, sensitive[k]) == 0)
			return true;
	return false;
}
