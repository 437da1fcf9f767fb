#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
/* the same headers as names.c, so the constants agree */
#include <linux/fcntl.h>
#include <linux/fs.h>
#include <linux/memfd.h>
#include <sys/mman.h>
#include <linux/sched.h>
#include <linux/capability.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <linux/ptrace.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <linux/if_tun.h>
#include <linux/loop.h>
#include <sys/stat.h>
#include <sys/ipc.h>

#include "format/names.h"

static char buf[512];

typedef size_t (*format_fn)(char *buf, size_t n, uint64_t v);

/* Formats v with a roomy buffer and checks the returned length. */
static const char *fmt(format_fn f, uint64_t v)
{
	size_t n = f(buf, sizeof(buf), v);
	assert_int_equal(n, strlen(buf));
	return buf;
}

static size_t signal_fn(char *out, size_t n, uint64_t v)
{
	return cap_signal_format(out, n, (int)(int64_t)v);
}

/* Every buffer size from 0 up: a NUL-terminated prefix of the full text, never past n. */
static void check_truncation(format_fn f, uint64_t v)
{
	char full[256], area[300];
	size_t len = f(full, sizeof(full), v);

	for (size_t n = 0; n <= len + 2; n++) {
		memset(area, 'Z', sizeof(area));
		size_t got = f(area, n, v);
		for (size_t k = n; k < sizeof(area); k++)
			assert_int_equal(area[k], 'Z');
		if (n == 0) {
			assert_int_equal(got, 0);
			continue;
		}
		size_t want = len < n - 1 ? len : n - 1;
		assert_int_equal(got, want);
		assert_int_equal(area[got], '\0');
		assert_memory_equal(area, full, got);
	}
}

static const struct cap_flag demo_flags[] = {
	{ 0x0, 0x3, "MODE_A" },
	{ 0x1, 0x3, "MODE_B" },
	{ 0x30, 0, "BOTH" }, /* before its parts */
	{ 0x10, 0, "LOW" },
	{ 0x20, 0, "HIGH" },
	{ 0x100, 0, "X" },
	{ 0, 0, NULL },
};

static void test_flags_format_generic(void **state)
{
	(void)state;
	cap_flags_format(buf, sizeof(buf), demo_flags, 0x110, "|", NULL);
	assert_string_equal(buf, "MODE_A|LOW|X");
	cap_flags_format(buf, sizeof(buf), demo_flags, 0x31, "|", NULL);
	assert_string_equal(buf, "MODE_B|BOTH");
	cap_flags_format(buf, sizeof(buf), demo_flags, 0x20, ", ", NULL);
	assert_string_equal(buf, "MODE_A, HIGH");
	/* unnamed mode value and unknown bits end up in one hex number */
	cap_flags_format(buf, sizeof(buf), demo_flags, 0x40000112, "|", NULL);
	assert_string_equal(buf, "LOW|X|0x40000002");
	cap_flags_format(buf, sizeof(buf), demo_flags, 0, "|", NULL);
	assert_string_equal(buf, "0");
	cap_flags_format(buf, sizeof(buf), demo_flags, 0, "|", "none");
	assert_string_equal(buf, "none");
	assert_int_equal(cap_flags_format(buf, sizeof(buf), demo_flags, UINT64_MAX, "|", NULL),
			 strlen("BOTH|X|0xfffffffffffffecf"));
	assert_string_equal(buf, "BOTH|X|0xfffffffffffffecf");
}

static void test_flags_format_truncation(void **state)
{
	(void)state;
	char small[8];

	memset(small, 'Z', sizeof(small));
	assert_int_equal(cap_flags_format(small, 0, demo_flags, 0x110, "|", NULL), 0);
	assert_int_equal(small[0], 'Z');
	assert_int_equal(cap_flags_format(small, 1, demo_flags, 0x110, "|", NULL), 0);
	assert_string_equal(small, "");
	assert_int_equal(cap_flags_format(small, 5, demo_flags, 0x110, "|", NULL), 4);
	assert_string_equal(small, "MODE");
	assert_int_equal(cap_flags_format(small, 8, demo_flags, 0x110, "|", NULL), 7);
	assert_string_equal(small, "MODE_A|");

	check_truncation(cap_open_flags_format, O_WRONLY | O_CREAT | O_TRUNC | 0x40000000);
	check_truncation(cap_clone_flags_format, CLONE_VM | CLONE_NEWUSER | SIGCHLD);
	check_truncation(cap_ns_flags_format, CLONE_NEWUSER | CLONE_NEWNET);
	check_truncation(cap_prot_format, PROT_READ);
	check_truncation(cap_prot_flags_format, PROT_READ | PROT_EXEC);
	check_truncation(cap_mmap_flags_format, MAP_PRIVATE | MAP_ANONYMOUS);
	check_truncation(cap_caps_format, (1ULL << CAP_NET_ADMIN) | (1ULL << 62));
	check_truncation(cap_at_flags_format, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
	check_truncation(cap_rename_flags_format, RENAME_EXCHANGE);
	check_truncation(cap_mount_flags_format, MS_BIND | MS_REC);
	check_truncation(cap_umount_flags_format, 2);
	check_truncation(cap_sock_type_format, SOCK_STREAM | SOCK_CLOEXEC);
	check_truncation(cap_msg_flags_format, MSG_NOSIGNAL | MSG_DONTWAIT);
	check_truncation(cap_memfd_flags_format, MFD_CLOEXEC);
	check_truncation(cap_ipc_flags_format, IPC_CREAT | 0600);
	check_truncation(cap_mode_format, S_IFCHR | 0620);
	check_truncation(signal_fn, 40);
	check_truncation(signal_fn, (uint64_t)-7);
}

static void test_open_flags(void **state)
{
	(void)state;
	assert_string_equal(fmt(cap_open_flags_format, 0), "O_RDONLY");
	assert_string_equal(fmt(cap_open_flags_format, O_RDONLY | O_CLOEXEC), "O_RDONLY|O_CLOEXEC");
	assert_string_equal(fmt(cap_open_flags_format, O_CLOEXEC | O_TRUNC | O_CREAT | O_WRONLY),
			    "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC");
	assert_string_equal(fmt(cap_open_flags_format, O_RDWR | O_NONBLOCK), "O_RDWR|O_NONBLOCK");
	assert_string_equal(fmt(cap_open_flags_format, 3), "O_ACCMODE");
	/* multi-bit flags are not split into their parts */
	assert_string_equal(fmt(cap_open_flags_format, O_WRONLY | O_SYNC), "O_WRONLY|O_SYNC");
	assert_string_equal(fmt(cap_open_flags_format, O_WRONLY | O_DSYNC), "O_WRONLY|O_DSYNC");
	assert_string_equal(fmt(cap_open_flags_format, O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
	assert_string_equal(fmt(cap_open_flags_format, O_DIRECTORY | O_PATH), "O_RDONLY|O_DIRECTORY|O_PATH");
	/* the kernel's O_LARGEFILE, which 64-bit glibc defines as 0 */
	assert_true(O_LARGEFILE != 0);
	assert_string_equal(fmt(cap_open_flags_format, O_LARGEFILE), "O_RDONLY|O_LARGEFILE");
	assert_string_equal(fmt(cap_open_flags_format, O_RDONLY | 0x40000000), "O_RDONLY|0x40000000");
}

static void test_clone_flags(void **state)
{
	(void)state;
	assert_string_equal(fmt(cap_clone_flags_format, 0), "0");
	assert_string_equal(fmt(cap_clone_flags_format, SIGCHLD), "SIGCHLD");
	assert_string_equal(fmt(cap_clone_flags_format,
				CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
				CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID),
			    "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
			    "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
	assert_string_equal(fmt(cap_clone_flags_format, CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD),
			    "CLONE_NEWNS|CLONE_NEWUSER|SIGCHLD");
	assert_string_equal(fmt(cap_clone_flags_format, CLONE_VFORK | CLONE_VM | SIGCHLD),
			    "CLONE_VM|CLONE_VFORK|SIGCHLD");
	/* real-time exit signal, and a bit past 32 (clone3) */
	assert_string_equal(fmt(cap_clone_flags_format, CLONE_PARENT | (uint64_t)(SIGRTMIN + 2)),
			    "CLONE_PARENT|SIGRTMIN+2");
	assert_string_equal(fmt(cap_clone_flags_format, CLONE_INTO_CGROUP), "CLONE_INTO_CGROUP");
	assert_string_equal(fmt(cap_clone_flags_format, 1ULL << 40 | SIGCHLD), "0x10000000000|SIGCHLD");
}

static void test_ns_flags(void **state)
{
	(void)state;
	assert_string_equal(fmt(cap_ns_flags_format, 0), "");
	assert_string_equal(fmt(cap_ns_flags_format, CLONE_VM | SIGCHLD), "");
	assert_string_equal(fmt(cap_ns_flags_format, CLONE_NEWNET | CLONE_NEWUSER | CLONE_VM | SIGCHLD),
			    "user,net");
	assert_string_equal(fmt(cap_ns_flags_format,
				CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID |
				CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP | CLONE_NEWTIME),
			    "user,net,mnt,pid,uts,ipc,cgroup,time");
}

static void test_prot(void **state)
{
	(void)state;
	assert_string_equal(fmt(cap_prot_format, PROT_READ | PROT_EXEC), "R-X");
	assert_string_equal(fmt(cap_prot_format, PROT_READ | PROT_WRITE), "RW-");
	assert_string_equal(fmt(cap_prot_format, PROT_NONE), "---");
	assert_string_equal(fmt(cap_prot_format, PROT_READ | PROT_WRITE | PROT_EXEC), "RWX");
	assert_string_equal(fmt(cap_prot_flags_format, PROT_READ | PROT_EXEC), "PROT_READ|PROT_EXEC");
	assert_string_equal(fmt(cap_prot_flags_format, PROT_NONE), "PROT_NONE");
	assert_string_equal(fmt(cap_prot_flags_format, PROT_WRITE | PROT_GROWSDOWN), "PROT_WRITE|PROT_GROWSDOWN");
	assert_string_equal(fmt(cap_prot_flags_format, PROT_READ | 0x100000), "PROT_READ|0x100000");
}

static void test_mmap_flags(void **state)
{
	(void)state;
	assert_string_equal(fmt(cap_mmap_flags_format, MAP_PRIVATE | MAP_ANONYMOUS), "MAP_PRIVATE|MAP_ANONYMOUS");
	assert_string_equal(fmt(cap_mmap_flags_format, MAP_SHARED | MAP_FIXED), "MAP_SHARED|MAP_FIXED");
	assert_string_equal(fmt(cap_mmap_flags_format, MAP_SHARED_VALIDATE | MAP_SYNC),
			    "MAP_SHARED_VALIDATE|MAP_SYNC");
	assert_string_equal(fmt(cap_mmap_flags_format,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21U << MAP_HUGE_SHIFT)),
			    "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_2MB");
	assert_string_equal(fmt(cap_mmap_flags_format, MAP_PRIVATE | MAP_FIXED_NOREPLACE | MAP_STACK),
			    "MAP_PRIVATE|MAP_STACK|MAP_FIXED_NOREPLACE");
	assert_string_equal(fmt(cap_mmap_flags_format, MAP_ANONYMOUS | 0xf), "MAP_ANONYMOUS|0xf");
}

static void test_caps(void **state)
{
	(void)state;
	uint64_t known = (1ULL << (CAP_LAST_CAP + 1)) - 1;

	assert_string_equal(fmt(cap_caps_format, 0), "none");
	assert_string_equal(fmt(cap_caps_format, 1ULL << CAP_SYS_ADMIN | 1ULL << CAP_NET_ADMIN),
			    "CAP_NET_ADMIN,CAP_SYS_ADMIN");
	assert_string_equal(fmt(cap_caps_format, known), "all");
	assert_string_equal(fmt(cap_caps_format, known | 1ULL << 45), "all,0x200000000000");
	/* one missing: every other capability by name */
	fmt(cap_caps_format, known & ~(1ULL << CAP_CHOWN));
	assert_memory_equal(buf, "CAP_DAC_OVERRIDE,CAP_DAC_READ_SEARCH,", 37);
	assert_null(strstr(buf, "CAP_CHOWN"));
	assert_null(strstr(buf, "all"));
	assert_string_equal(fmt(cap_caps_format, 1ULL << CAP_CHOWN | 1ULL << 50), "CAP_CHOWN,0x4000000000000");

	assert_string_equal(cap_capability_name(21), "CAP_SYS_ADMIN");
	assert_string_equal(cap_capability_name(CAP_CHOWN), "CAP_CHOWN");
	assert_string_equal(cap_capability_name(CAP_NET_RAW), "CAP_NET_RAW");
	assert_string_equal(cap_capability_name(CAP_BPF), "CAP_BPF");
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		assert_non_null(cap_capability_name(cap));
	assert_null(cap_capability_name(CAP_LAST_CAP + 1));
	assert_null(cap_capability_name(-1));
	assert_null(cap_capability_name(64));
	assert_null(cap_capability_name(1000));
}

static void test_file_flag_sets(void **state)
{
	(void)state;
	assert_string_equal(fmt(cap_at_flags_format, 0), "0");
	assert_string_equal(fmt(cap_at_flags_format, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH),
			    "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH");
	assert_string_equal(fmt(cap_at_flags_format, AT_REMOVEDIR), "AT_REMOVEDIR");
	assert_string_equal(fmt(cap_at_flags_format, AT_STATX_DONT_SYNC | AT_NO_AUTOMOUNT),
			    "AT_NO_AUTOMOUNT|AT_STATX_DONT_SYNC");
	assert_string_equal(fmt(cap_at_flags_format, AT_RECURSIVE), "AT_RECURSIVE");
	assert_string_equal(fmt(cap_rename_flags_format, RENAME_NOREPLACE), "RENAME_NOREPLACE");
	assert_string_equal(fmt(cap_rename_flags_format, RENAME_EXCHANGE | RENAME_WHITEOUT),
			    "RENAME_EXCHANGE|RENAME_WHITEOUT");
	assert_string_equal(fmt(cap_rename_flags_format, 0x10), "0x10");
	assert_string_equal(fmt(cap_memfd_flags_format, MFD_CLOEXEC | MFD_ALLOW_SEALING),
			    "MFD_CLOEXEC|MFD_ALLOW_SEALING");
	assert_string_equal(fmt(cap_memfd_flags_format, 0x8 | 0x10), "MFD_NOEXEC_SEAL|MFD_EXEC");
	assert_string_equal(fmt(cap_memfd_flags_format, MFD_HUGETLB | MFD_HUGE_1GB), "MFD_HUGETLB|MFD_HUGE_1GB");
}

static void test_mount_flags(void **state)
{
	(void)state;
	assert_string_equal(fmt(cap_mount_flags_format, MS_BIND | MS_REC), "MS_BIND|MS_REC");
	assert_string_equal(fmt(cap_mount_flags_format, MS_REMOUNT | MS_BIND | MS_RDONLY),
			    "MS_RDONLY|MS_REMOUNT|MS_BIND");
	assert_string_equal(fmt(cap_mount_flags_format, MS_MGC_VAL | MS_NOSUID), "MS_MGC_VAL|MS_NOSUID");
	assert_string_equal(fmt(cap_mount_flags_format, MS_PRIVATE | MS_REC), "MS_REC|MS_PRIVATE");
	assert_string_equal(fmt(cap_mount_flags_format, 1U << 31), "MS_NOUSER");
	assert_string_equal(fmt(cap_mount_flags_format, 0), "0");
	assert_string_equal(fmt(cap_umount_flags_format, 2), "MNT_DETACH"); /* not in the uapi headers */
	assert_string_equal(fmt(cap_umount_flags_format, 1 | 8), "MNT_FORCE|UMOUNT_NOFOLLOW");
	assert_string_equal(fmt(cap_umount_flags_format, 0), "0");
}

static void test_socket_flag_sets(void **state)
{
	(void)state;
	assert_string_equal(fmt(cap_sock_type_format, SOCK_STREAM), "SOCK_STREAM");
	assert_string_equal(fmt(cap_sock_type_format, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK),
			    "SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK");
	assert_string_equal(fmt(cap_sock_type_format, SOCK_CLOEXEC), "SOCK_CLOEXEC");
	assert_string_equal(fmt(cap_sock_type_format, 9 | SOCK_CLOEXEC), "SOCK_CLOEXEC|0x9");
	assert_string_equal(fmt(cap_msg_flags_format, MSG_DONTWAIT | MSG_NOSIGNAL), "MSG_DONTWAIT|MSG_NOSIGNAL");
	assert_string_equal(fmt(cap_msg_flags_format, MSG_PEEK | MSG_TRUNC | MSG_CMSG_CLOEXEC),
			    "MSG_PEEK|MSG_TRUNC|MSG_CMSG_CLOEXEC");
	assert_string_equal(fmt(cap_msg_flags_format, 0), "0");
}

static void test_ipc_and_mode(void **state)
{
	(void)state;
	assert_string_equal(fmt(cap_ipc_flags_format, IPC_CREAT | IPC_EXCL | 0600), "IPC_CREAT|IPC_EXCL|0600");
	assert_string_equal(fmt(cap_ipc_flags_format, 0644), "0644");
	assert_string_equal(fmt(cap_ipc_flags_format, 0), "0000");
	assert_string_equal(fmt(cap_ipc_flags_format, IPC_CREAT), "IPC_CREAT|0000");
	assert_string_equal(fmt(cap_ipc_flags_format, 0x100000 | 0600), "0x100000|0600");
	assert_string_equal(fmt(cap_mode_format, 0755), "0755");
	assert_string_equal(fmt(cap_mode_format, 0), "0000");
	assert_string_equal(fmt(cap_mode_format, S_IFCHR | 0620), "S_IFCHR|0620");
	assert_string_equal(fmt(cap_mode_format, S_IFREG | 04755), "S_IFREG|04755");
	assert_string_equal(fmt(cap_mode_format, S_IFDIR | 01777), "S_IFDIR|01777");
	assert_string_equal(fmt(cap_mode_format, S_IFLNK | 0777), "S_IFLNK|0777");
	assert_string_equal(fmt(cap_mode_format, 0160000 | 0644), "0xe000|0644"); /* no such type */
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(cap_errno_name(2), "ENOENT");
	assert_string_equal(cap_errno_name(EPERM), "EPERM");
	assert_string_equal(cap_errno_name(EACCES), "EACCES");
	assert_string_equal(cap_errno_name(EAGAIN), "EAGAIN");
	assert_string_equal(cap_errno_name(EOPNOTSUPP), "EOPNOTSUPP");
	assert_string_equal(cap_errno_name(EHWPOISON), "EHWPOISON");
	assert_string_equal(cap_errno_name(512), "ERESTARTSYS");
	assert_null(cap_errno_name(0));
	assert_null(cap_errno_name(-2));
	assert_null(cap_errno_name(41)); /* unused: EWOULDBLOCK is EAGAIN */
	assert_null(cap_errno_name(EHWPOISON + 1));
	assert_null(cap_errno_name(100000));
}

static void test_signal_names(void **state)
{
	(void)state;
	assert_string_equal(cap_signal_name(9), "SIGKILL");
	assert_string_equal(cap_signal_name(SIGCHLD), "SIGCHLD");
	assert_string_equal(cap_signal_name(SIGSEGV), "SIGSEGV");
	assert_string_equal(cap_signal_name(SIGSYS), "SIGSYS");
	assert_null(cap_signal_name(0));
	assert_null(cap_signal_name(-1));
	assert_null(cap_signal_name(32));
	assert_null(cap_signal_name(SIGRTMIN));
	assert_null(cap_signal_name(64));

	assert_int_equal(cap_signal_format(buf, sizeof(buf), SIGTERM), strlen("SIGTERM"));
	assert_string_equal(buf, "SIGTERM");
	cap_signal_format(buf, sizeof(buf), SIGRTMIN);
	assert_string_equal(buf, "SIGRTMIN");
	cap_signal_format(buf, sizeof(buf), SIGRTMIN + 3);
	assert_string_equal(buf, "SIGRTMIN+3");
	cap_signal_format(buf, sizeof(buf), SIGRTMAX);
	assert_string_equal(buf, "SIGRTMAX");
	cap_signal_format(buf, sizeof(buf), SIGRTMAX + 1);
	assert_string_equal(buf, "SIG65");
	cap_signal_format(buf, sizeof(buf), -3);
	assert_string_equal(buf, "SIG-3");
	cap_signal_format(buf, sizeof(buf), 0);
	assert_string_equal(buf, "0");
	if (SIGRTMIN > 32) { /* glibc keeps 32 and 33 for itself */
		cap_signal_format(buf, sizeof(buf), 32);
		assert_string_equal(buf, "SIG32");
	}
}

static void test_socket_names(void **state)
{
	(void)state;
	assert_string_equal(cap_family_name(2), "AF_INET");
	assert_string_equal(cap_family_name(1), "AF_UNIX");
	assert_string_equal(cap_family_name(AF_INET6), "AF_INET6");
	assert_string_equal(cap_family_name(AF_NETLINK), "AF_NETLINK");
	assert_string_equal(cap_family_name(AF_PACKET), "AF_PACKET");
	assert_string_equal(cap_family_name(AF_VSOCK), "AF_VSOCK");
	assert_string_equal(cap_family_name(AF_UNSPEC), "AF_UNSPEC");
	assert_null(cap_family_name(-1));
	assert_null(cap_family_name(255));

	assert_string_equal(cap_socktype_name(1), "SOCK_STREAM");
	assert_string_equal(cap_socktype_name(SOCK_DGRAM | SOCK_CLOEXEC), "SOCK_DGRAM");
	assert_string_equal(cap_socktype_name(SOCK_PACKET), "SOCK_PACKET");
	assert_null(cap_socktype_name(0));
	assert_null(cap_socktype_name(7));

	assert_string_equal(cap_ipproto_name(6), "IPPROTO_TCP");
	assert_string_equal(cap_ipproto_name(IPPROTO_UDP), "IPPROTO_UDP");
	assert_string_equal(cap_ipproto_name(0), "IPPROTO_IP");
	assert_string_equal(cap_ipproto_name(IPPROTO_ICMPV6), "IPPROTO_ICMPV6");
	assert_string_equal(cap_ipproto_name(IPPROTO_RAW), "IPPROTO_RAW");
	assert_string_equal(cap_ipproto_name(IPPROTO_MPTCP), "IPPROTO_MPTCP");
	assert_null(cap_ipproto_name(200));
	assert_null(cap_ipproto_name(-1));
}

static void test_prctl_ptrace_names(void **state)
{
	(void)state;
	assert_string_equal(cap_prctl_name(15), "PR_SET_NAME");
	assert_string_equal(cap_prctl_name(PR_SET_NO_NEW_PRIVS), "PR_SET_NO_NEW_PRIVS");
	assert_string_equal(cap_prctl_name(PR_SET_SECCOMP), "PR_SET_SECCOMP");
	assert_string_equal(cap_prctl_name(PR_CAP_AMBIENT), "PR_CAP_AMBIENT");
	assert_string_equal(cap_prctl_name(PR_SET_PTRACER), "PR_SET_PTRACER");
	assert_string_equal(cap_prctl_name(PR_SET_VMA), "PR_SET_VMA");
	assert_null(cap_prctl_name(0));
	assert_null(cap_prctl_name(1000));

	assert_string_equal(cap_ptrace_name(16), "PTRACE_ATTACH");
	assert_string_equal(cap_ptrace_name(PTRACE_TRACEME), "PTRACE_TRACEME");
	assert_string_equal(cap_ptrace_name(3), "PTRACE_PEEKUSER");
	assert_string_equal(cap_ptrace_name(PTRACE_SEIZE), "PTRACE_SEIZE");
	assert_string_equal(cap_ptrace_name(PTRACE_GET_SYSCALL_INFO), "PTRACE_GET_SYSCALL_INFO");
#ifdef PTRACE_GETREGS
	assert_string_equal(cap_ptrace_name(PTRACE_GETREGS), "PTRACE_GETREGS");
#endif
	assert_null(cap_ptrace_name(100));
	assert_null(cap_ptrace_name(-1));
}

static void test_ioctl_names(void **state)
{
	(void)state;
	assert_string_equal(cap_ioctl_name(TCGETS), "TCGETS");
	assert_string_equal(cap_ioctl_name(TCSETSW), "TCSETSW");
	assert_string_equal(cap_ioctl_name(TCSETSF), "TCSETSF");
	assert_string_equal(cap_ioctl_name(TIOCGWINSZ), "TIOCGWINSZ");
	assert_string_equal(cap_ioctl_name(TIOCSWINSZ), "TIOCSWINSZ");
	assert_string_equal(cap_ioctl_name(TIOCSCTTY), "TIOCSCTTY");
	assert_string_equal(cap_ioctl_name(TIOCSTI), "TIOCSTI");
	assert_string_equal(cap_ioctl_name(FIONREAD), "FIONREAD");
	assert_string_equal(cap_ioctl_name(FIONBIO), "FIONBIO");
	assert_string_equal(cap_ioctl_name(KVM_CREATE_VM), "KVM_CREATE_VM");
	assert_string_equal(cap_ioctl_name(KVM_GET_API_VERSION), "KVM_GET_API_VERSION");
	assert_string_equal(cap_ioctl_name(KVM_RUN), "KVM_RUN");
	assert_string_equal(cap_ioctl_name(TUNSETIFF), "TUNSETIFF");
	assert_string_equal(cap_ioctl_name(LOOP_SET_FD), "LOOP_SET_FD");
	assert_string_equal(cap_ioctl_name(LOOP_CTL_GET_FREE), "LOOP_CTL_GET_FREE");
	assert_string_equal(cap_ioctl_name(BLKGETSIZE64), "BLKGETSIZE64");
	assert_string_equal(cap_ioctl_name(FICLONE), "FICLONE");
	/* DRM by number whatever the argument size */
	assert_string_equal(cap_ioctl_name(_IOWR('d', 0x00, char[64])), "DRM_IOCTL_VERSION");
	assert_string_equal(cap_ioctl_name(_IOWR('d', 0x00, char[40])), "DRM_IOCTL_VERSION");
	assert_string_equal(cap_ioctl_name(_IO('d', 0x1e)), "DRM_IOCTL_SET_MASTER");
	assert_string_equal(cap_ioctl_name(_IOWR('d', 0xb2, char[32])), "DRM_IOCTL_MODE_CREATE_DUMB");
	assert_null(cap_ioctl_name(_IOWR('d', 0x50, char[8]))); /* driver-private */
	/* the kernel ignores the upper half of the command */
	assert_string_equal(cap_ioctl_name(0xffffffff00000000UL | TCGETS), "TCGETS");
	assert_null(cap_ioctl_name(0));
	assert_null(cap_ioctl_name(0xdeadbeef));
}

static void test_fcntl_seek_names(void **state)
{
	(void)state;
	assert_string_equal(cap_fcntl_name(F_DUPFD), "F_DUPFD");
	assert_string_equal(cap_fcntl_name(F_SETFL), "F_SETFL");
	assert_string_equal(cap_fcntl_name(F_DUPFD_CLOEXEC), "F_DUPFD_CLOEXEC");
	assert_string_equal(cap_fcntl_name(F_ADD_SEALS), "F_ADD_SEALS");
	assert_string_equal(cap_fcntl_name(F_OFD_SETLKW), "F_OFD_SETLKW");
	assert_null(cap_fcntl_name(999));
	assert_null(cap_fcntl_name(-1));
	assert_string_equal(cap_seek_whence_name(0), "SEEK_SET");
	assert_string_equal(cap_seek_whence_name(SEEK_END), "SEEK_END");
	assert_string_equal(cap_seek_whence_name(SEEK_HOLE), "SEEK_HOLE");
	assert_null(cap_seek_whence_name(5));
}

static void test_device_classes(void **state)
{
	(void)state;
	static const struct {
		unsigned major, minor;
		bool is_block;
		const char *cls;
	} cases[] = {
		{ 1, 1, false, "mem" },       { 1, 2, false, "kmem" },
		{ 1, 3, false, "null" },      { 1, 4, false, "port" },
		{ 1, 5, false, "zero" },      { 1, 7, false, "full" },
		{ 1, 8, false, "random" },    { 1, 9, false, "urandom" },
		{ 1, 6, false, NULL },        { 1, 300, false, NULL },
		{ 4, 1, false, "tty" },       { 5, 0, false, "tty" },
		{ 5, 2, false, "ptmx" },      { 136, 3, false, "pts" },
		{ 143, 9, false, "pts" },     { 144, 0, false, NULL },
		{ 10, 232, false, "kvm" },    { 10, 200, false, "net/tun" },
		{ 10, 229, false, "fuse" },   { 10, 237, false, "loop-control" },
		{ 10, 238, false, "vhost-net" }, { 10, 1, false, "misc" },
		{ 195, 0, false, "gpu/nvidia" }, { 226, 128, false, "gpu/dri" },
		{ 189, 1, false, "usb" },     { 180, 0, false, "usb" },
		{ 13, 64, false, "input" },   { 116, 0, false, "sound" },
		{ 7, 0, false, "vcs" },       { 8, 0, false, NULL },
		{ 8, 0, true, "disk" },       { 8, 17, true, "disk" },
		{ 7, 0, true, "loop" },       { 259, 0, true, "disk" },
		{ 9, 0, true, "disk" },       { 253, 0, true, "disk" },
		{ 254, 0, true, "disk" },     { 11, 0, true, "cdrom" },
		{ 1, 3, true, "disk" },       { 100, 0, true, NULL },
		{ 10, 232, true, NULL },      { 0, 0, false, NULL },
	};

	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const char *got = cap_device_class(cases[k].major, cases[k].minor, cases[k].is_block);
		if (cases[k].cls == NULL)
			assert_null(got);
		else
			assert_string_equal(got, cases[k].cls);
	}
}

static void test_sensitive_devices(void **state)
{
	(void)state;
	static const char *const flagged[] = { "kvm", "mem", "kmem", "port", "disk", "net/tun",
					       "loop", "fuse", "usb", "loop-control" };
	static const char *const plain[] = { "null", "zero", "urandom", "tty", "pts", "ptmx",
					     "gpu/dri", "misc", "" };

	for (size_t k = 0; k < sizeof(flagged) / sizeof(flagged[0]); k++)
		assert_true(cap_device_is_sensitive(flagged[k]));
	for (size_t k = 0; k < sizeof(plain) / sizeof(plain[0]); k++)
		assert_false(cap_device_is_sensitive(plain[k]));
	assert_false(cap_device_is_sensitive(NULL));
	assert_true(cap_device_is_sensitive(cap_device_class(10, 232, false)));
	assert_false(cap_device_is_sensitive(cap_device_class(1, 3, false)));

	char copy[8]; /* compared by content, not by pointer */
	strcpy(copy, "kvm");
	assert_true(cap_device_is_sensitive(copy));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flags_format_generic),
		cmocka_unit_test(test_flags_format_truncation),
		cmocka_unit_test(test_open_flags),
		cmocka_unit_test(test_clone_flags),
		cmocka_unit_test(test_ns_flags),
		cmocka_unit_test(test_prot),
		cmocka_unit_test(test_mmap_flags),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_file_flag_sets),
		cmocka_unit_test(test_mount_flags),
		cmocka_unit_test(test_socket_flag_sets),
		cmocka_unit_test(test_ipc_and_mode),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_socket_names),
		cmocka_unit_test(test_prctl_ptrace_names),
		cmocka_unit_test(test_ioctl_names),
		cmocka_unit_test(test_fcntl_seek_names),
		cmocka_unit_test(test_device_classes),
		cmocka_unit_test(test_sensitive_devices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
