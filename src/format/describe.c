#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netlink.h>
#include "format/describe.h"
#include "format/escape.h"
#include "format/names.h"

size_t cap_describe_sockaddr(char *buf, size_t n, const uint8_t *sa, size_t len, int *family_out)
{
	uint16_t family;
	char ip[INET6_ADDRSTRLEN];

	if (n)
		buf[0] = 0;
	if (len < 2)
		return 0;
	memcpy(&family, sa, 2);
	if (family_out)
		*family_out = family;
	if (family == AF_INET && len >= 8) {
		uint16_t port;
		memcpy(&port, sa + 2, 2);
		inet_ntop(AF_INET, sa + 4, ip, sizeof(ip));
		return snprintf(buf, n, "%s:%u", ip, ntohs(port));
	}
	if (family == AF_INET6 && len >= 24) {
		uint16_t port;
		memcpy(&port, sa + 2, 2);
		inet_ntop(AF_INET6, sa + 8, ip, sizeof(ip));
		return snprintf(buf, n, "[%s]:%u", ip, ntohs(port));
	}
	if (family == AF_UNIX) {
		const char *p = (const char *)sa + 2;
		size_t plen = len - 2;
		char esc[512];
		if (plen == 0)
			return snprintf(buf, n, "unix:(unnamed)");
		if (p[0] == 0) /* abstract: the name is every byte after the NUL */
			return cap_escape(esc, sizeof(esc), p + 1, plen - 1, 200),
			       snprintf(buf, n, "unix:@%s", esc);
		plen = strnlen(p, plen);
		cap_escape(esc, sizeof(esc), p, plen, 200);
		return snprintf(buf, n, "unix:%s", esc);
	}
	if (family == AF_NETLINK && len >= 12) {
		uint32_t pid;
		memcpy(&pid, sa + 4, 4);
		return snprintf(buf, n, "netlink:%u", pid);
	}
	const char *fam = cap_family_name(family);
	return fam ? snprintf(buf, n, "%s", fam) : snprintf(buf, n, "family:%u", family);
}

size_t cap_describe_sock_end(char *buf, size_t n, const struct cap_sockinfo *si, int peer)
{
	char ip[INET6_ADDRSTRLEN];
	const uint8_t *a = peer ? si->raddr : si->laddr;
	unsigned port = peer ? si->rport : si->lport;

	if (si->family == AF_INET) {
		inet_ntop(AF_INET, a, ip, sizeof(ip));
		return snprintf(buf, n, "%s:%u", ip, port);
	}
	if (si->family == AF_INET6) {
		inet_ntop(AF_INET6, a, ip, sizeof(ip));
		return snprintf(buf, n, "[%s]:%u", ip, port);
	}
	if (n)
		buf[0] = 0;
	return 0;
}

const char *cap_sock_proto_from(int family, int type, int protocol)
{
	type &= 0xf;
	switch (family) {
	case AF_UNIX:
		return type == SOCK_DGRAM ? "unix-dgram" : type == SOCK_SEQPACKET ? "unix-seqpacket" : "unix";
	case AF_INET:
	case AF_INET6:
		if (type == SOCK_STREAM)
			return protocol == 262 ? "mptcp" : "tcp";
		if (type == SOCK_DGRAM)
			return protocol == 1 || protocol == 58 ? "icmp" : "udp";
		if (type == SOCK_RAW)
			return "raw";
		return "ip";
	case AF_NETLINK:
		return "netlink";
	case AF_PACKET:
		return "packet";
	case AF_VSOCK:
		return "vsock";
	case AF_BLUETOOTH:
		return "bluetooth";
	}
	return "other";
}

const char *cap_sock_proto_name(const struct cap_sockinfo *si)
{
	return cap_sock_proto_from(si->family, si->type, si->protocol);
}

const char *cap_file_type_name(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "reg";
	case S_IFDIR: return "dir";
	case S_IFCHR: return "chr";
	case S_IFBLK: return "blk";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "sock";
	case S_IFLNK: return "lnk";
	}
	return "anon";
}

const char *cap_fs_name(uint32_t magic)
{
	static const struct { uint32_t magic; const char *name; } fs[] = {
		{ 0xEF53, "ext4" }, { 0x58465342, "xfs" }, { 0x9123683E, "btrfs" },
		{ 0x01021994, "tmpfs" }, { 0x858458f6, "ramfs" }, { 0x794c7630, "overlay" },
		{ 0x9fa0, "proc" }, { 0x62656572, "sysfs" }, { 0x63677270, "cgroup2" },
		{ 0x27e0eb, "cgroup" }, { 0x1cd1, "devpts" }, { 0x50495045, "pipefs" },
		{ 0x534F434B, "sockfs" }, { 0x09041934, "anon_inode" }, { 0x64626720, "debugfs" },
		{ 0x74726163, "tracefs" }, { 0xcafe4a11, "bpf" }, { 0x73636673, "securityfs" },
		{ 0x19800202, "mqueue" }, { 0x958458f6, "hugetlbfs" }, { 0x6e736673, "nsfs" },
		{ 0x65735546, "fuse" }, { 0x6969, "nfs" }, { 0x01021997, "9p" },
		{ 0x73717368, "squashfs" }, { 0x4d44, "vfat" }, { 0x2011BAB0, "exfat" },
		{ 0x62646576, "bdev" }, { 0x5a3c69f0, "aafs" }, { 0xf97cff8c, "selinuxfs" },
		{ 0x43415d53, "smackfs" }, { 0x6165676C, "pstore" }, { 0xde5e81e4, "efivarfs" },
		{ 0x42494e4d, "binfmt_misc" }, { 0x33, "z3fold" }, { 0x13661366, "balloon" },
	};
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if (fs[i].magic == magic)
			return fs[i].name;
	return NULL;
}

const char *cap_file_device_class(const struct cap_fileinfo *fi)
{
	uint32_t t = fi->mode & S_IFMT;
	if (t != S_IFCHR && t != S_IFBLK)
		return NULL;
	/* kernel encoding: major in the top 12 bits, minor in the low 20 */
	const char *cls = cap_device_class(fi->rdev >> 20, fi->rdev & 0xfffff, t == S_IFBLK);
	return cls ? cls : (t == S_IFBLK ? "block" : "char");
}

size_t cap_fmt_decoded(char *buf, size_t n, enum cap_fmt fmt, uint64_t v)
{
	const char *s = NULL;

	if (n)
		buf[0] = 0;
	switch (fmt) {
	case D_OPEN: return cap_open_flags_format(buf, n, v);
	case D_MODE: return cap_mode_format(buf, n, v);
	case D_CLONE: return cap_clone_flags_format(buf, n, v);
	case D_SIG: return cap_signal_format(buf, n, (int)v);
	case D_PROT: return cap_prot_flags_format(buf, n, v);
	case D_MMAP: return cap_mmap_flags_format(buf, n, v);
	case D_AT: return v ? cap_at_flags_format(buf, n, v) : 0;
	case D_RENAME: return v ? cap_rename_flags_format(buf, n, v) : 0;
	case D_MOUNT: return cap_mount_flags_format(buf, n, v);
	case D_UMOUNT: return v ? cap_umount_flags_format(buf, n, v) : 0;
	case D_SOCKTYPE: return cap_sock_type_format(buf, n, v);
	case D_MSG: return v ? cap_msg_flags_format(buf, n, v) : 0;
	case D_MFD: return cap_memfd_flags_format(buf, n, v);
	case D_IPC: return cap_ipc_flags_format(buf, n, v);
	case D_FAMILY: s = cap_family_name((int)v); break;
	case D_PROTO: s = v ? cap_ipproto_name((int)v) : NULL; break;
	case D_PRCTL: s = cap_prctl_name((int)v); break;
	case D_PTRACE: s = cap_ptrace_name((long)v); break;
	case D_IOCTL: s = cap_ioctl_name(v); break;
	case D_FCNTL: s = cap_fcntl_name((int)v); break;
	case D_DEV: return snprintf(buf, n, "%u:%u", (unsigned)((v >> 8) & 0xfff), (unsigned)((v & 0xff) | ((v >> 12) & 0xfff00)));
	default: return 0;
	}
	return s ? (size_t)snprintf(buf, n, "%s", s) : 0;
}

size_t cap_describe_pseudo_path(char *buf, size_t n, const struct cap_event *ev, const struct cap_fieldref *f)
{
	struct cap_fileinfo fi;
	char ns[64] = "";
	/* only a bare "/" from a pseudo filesystem is replaced: everything else is a real path */
	if (f->len != 1 || f->data[0] != '/' || !cap_event_struct(ev, CAP_F_FILE, f->arg, &fi, sizeof(fi)))
		return 0;
	switch (fi.magic) {
	case 0x6e736673: /* nsfs: setns names the kind in its second argument */
		if (ev->hdr.type == CAP_REC_SYSCALL && !strcmp(ev->sc->name, "setns"))
			cap_ns_flags_format(ns, sizeof(ns), ev->hdr.args[1]);
		return snprintf(buf, n, "%s:[%llu]", ns[0] && !strchr(ns, ',') ? ns : "ns", (unsigned long long)fi.ino);
	case 0x50495045:
		return snprintf(buf, n, "pipe:[%llu]", (unsigned long long)fi.ino);
	case 0x534F434B:
		return snprintf(buf, n, "socket:[%llu]", (unsigned long long)fi.ino);
	case 0x09041934:
		return snprintf(buf, n, "anon_inode:[%llu]", (unsigned long long)fi.ino);
	}
	return 0;
}

bool cap_arg_shown(const struct cap_syscall *sc, int i, const __u64 *args)
{
	if (sc->args[i].fmt != D_MODE || i == 0 || sc->rett != CAP_R_FD_FILE || !strcmp(sc->name, "creat"))
		return true;
	return (args[i - 1] & (O_CREAT | __O_TMPFILE)) != 0;
}

int cap_event_u64(const struct cap_event *ev, int arg, uint64_t *out)
{
	*out = 0;
	return cap_event_struct(ev, CAP_F_U64, arg, out, sizeof(*out));
}
