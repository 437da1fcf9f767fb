/* Data capture at syscall exit: the first bytes written to pipes, sockets and terminals
 * (previews), and whole DNS messages sent to or received from port 53 (for names).
 * Regular files are never previewed: their writes stay aggregated per fd (CAP_F_IO), and the
 * only extra cost on their path is one look at the fd's inode type. */
#ifndef CAPSULE_DATA_BPF_H
#define CAPSULE_DATA_BPF_H

/* Set by user space before load: bytes of a preview (--capture-bytes; 0: no previews). */
const volatile __u32 capture_bytes = 64;

#define S_IFIFO 0010000
#define DNS_PORT 53

/* data_class(): what kind of fd a read or write went to */
#define DC_NONE 0    /* regular file, directory, block device, other char devices: nothing */
#define DC_PREVIEW 1 /* pipe or terminal: previewed writes */
#define DC_SOCK 2    /* socket: previewed writes, DNS both ways */

/* data_plan() result: byte budget in the low 16 bits, plus these */
#define DP_DNS (1u << 16)
#define DP_TCP (1u << 17)

/* tty (4), /dev/tty and ptmx (5), pseudo-terminal slaves (136-143) */
static __always_inline int rdev_is_tty(__u32 rdev)
{
	__u32 major = rdev >> 20;
	return major == 4 || major == 5 || (major >= 136 && major <= 143);
}

__noinline int data_class(__s32 fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return DC_NONE;
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	__u32 mode = BPF_CORE_READ(ino, i_mode) & S_IFMT;
	if (mode == S_IFSOCK)
		return DC_SOCK;
	if (mode == S_IFIFO)
		return DC_PREVIEW;
	if (mode == S_IFCHR && rdev_is_tty(BPF_CORE_READ(ino, i_rdev)))
		return DC_PREVIEW;
	return DC_NONE;
}

/* Port of an AF_INET/AF_INET6 sockaddr in user memory (both keep it at offset 2), or 0. */
static __always_inline __u16 user_sockaddr_port(__u64 uptr)
{
	struct {
		__u16 family;
		__u16 port;
	} sa = {};
	if (!uptr || bpf_probe_read_user(&sa, sizeof(sa), (void *)uptr))
		return 0;
	if (sa.family != 2 && sa.family != 10)
		return 0;
	return bpf_ntohs(sa.port);
}

/* For a socket fd: DNS when the connected peer, or the address of this very call (sa_uptr,
 * filled by the kernel for a receive), has port 53. Returns the budget and DP_* flags. */
__noinline __u32 data_plan(__s32 fd, __u32 out, __u64 sa_uptr)
{
	__u32 preview = capture_bytes;
	struct file *f = fd_file(fd);
	if (!f)
		return 0;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return out ? preview : 0;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != 2 && family != 10)
		return out ? preview : 0;
	__u16 dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (dport != DNS_PORT && user_sockaddr_port(sa_uptr) != DNS_PORT)
		return out ? preview : 0;
	__u32 tcp = BPF_CORE_READ(sock, type) == 1 /* SOCK_STREAM */ ? DP_TCP : 0;
	return CAP_DATA_MAX | DP_DNS | tcp;
}

/* len bytes (at most CAP_DATA_MAX) of user memory as a CAP_F_DATA field. */
static __always_inline int add_data(__u32 arg, __u64 uptr, __u64 len)
{
	return add_user_buf(CAP_F_DATA, arg, uptr, len);
}

struct user_iovec {
	__u64 base;
	__u64 len;
};

/* The first buffer of a msghdr in user memory, moved bytes of it at most. */
__noinline int add_msg_data(__u32 arg, __u64 msg, __u64 moved, __u32 budget)
{
	struct user_iovec io = {};
	__u64 iov = read_user_u64(msg + 16);
	if (!iov || bpf_probe_read_user(&io, sizeof(io), (void *)iov))
		return 0;
	__u64 n = io.len < moved ? io.len : moved;
	add_data(arg, io.base, n < budget ? n : budget);
	return 0;
}

/* The buffers of a read or write: for a plain buffer the call's result is the length; for an
 * iovec (readv/writev, or a msghdr's msg_iov at offset 16, msg_iovlen at 24) the first
 * buffer, and for a DNS message over TCP also the second (glibc writes the 2-byte length
 * prefix and the message as two iovecs); next is the argument after the buffer (iovcnt for
 * an iovec). mmsg calls: msg_len of the first message (offset
 * 56) is its byte count. */
__noinline int add_call_data(__u32 argtype, __u64 v, __u64 next, __u64 ret, __u32 plan)
{
	__u32 budget = plan & 0xffff, dns_tcp = plan & DP_TCP;
	__u64 iov = 0, niov = 1, moved = ret;
	int second = 0;
	struct user_iovec io[2] = {};

	switch (argtype) {
	case CAP_A_DATA:
		add_data(1, v, moved < budget ? moved : budget);
		return 0;
	case CAP_A_IOV:
		iov = v;
		niov = next; /* iovcnt */
		break;
	case CAP_A_MMSGHDR:
		/* glibc sends the A and AAAA queries in one sendmmsg: for DNS, the second
		 * message too (field arg 2; struct mmsghdr is 64 bytes) */
		second = (plan & DP_DNS) && ret >= 2;
		moved = read_user_u32(v + 56);
		/* fall through */
	case CAP_A_MSGHDR:
		iov = read_user_u64(v + 16);
		niov = read_user_u64(v + 24);
		break;
	default:
		return 0;
	}
	if (!iov || !niov || bpf_probe_read_user(&io, niov > 1 ? sizeof(io) : sizeof(io[0]), (void *)iov))
		return 0;
	__u64 n = io[0].len < moved ? io[0].len : moved;
	add_data(1, io[0].base, n < budget ? n : budget);
	if (dns_tcp && niov > 1 && moved > n) {
		__u64 m = moved - n;
		m = io[1].len < m ? io[1].len : m;
		add_data(1, io[1].base, m < budget ? m : budget);
	}
	if (second)
		add_msg_data(2, v + 64, read_user_u32(v + 64 + 56), budget);
	return 0;
}

#endif
