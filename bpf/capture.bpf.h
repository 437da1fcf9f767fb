/* Building records: the header, and one function per kind of field.
 * The add_* functions are global (non-inlined) BPF functions: the verifier checks each once,
 * on its own, instead of once per call site, which keeps the generic sys_exit program small
 * enough to verify. They take only scalars and find the record under construction in the
 * per-CPU scratch map themselves. */
#ifndef CAPSULE_CAPTURE_BPF_H
#define CAPSULE_CAPTURE_BPF_H

#define S_IFMT   00170000
#define S_IFSOCK 0140000
#define S_IFBLK  0060000
#define S_IFCHR  0020000

#define MAX_PATH_DEPTH 48 /* path components walked; deeper paths are cut and flagged */
#define NAME_MAX_LEN 255
#define USER_BUF_MAX 256  /* sockaddr, hostname, ... */

/* inode timestamps changed layout more than once, and ctime moved one release before mtime:
 *   ctime: i_ctime (timespec64) <= 6.5, __i_ctime 6.6-6.10, i_ctime_sec/_nsec >= 6.11
 *   mtime: i_mtime (timespec64) <= 6.6, __i_mtime 6.7-6.10, i_mtime_sec >= 6.11
 * so each is picked on its own, through CO-RE field checks. */
struct inode___sec {
	time64_t i_mtime_sec;
	time64_t i_ctime_sec;
	__u32 i_ctime_nsec;
} __attribute__((preserve_access_index));
struct inode___priv {
	struct timespec64 __i_mtime;
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));
struct inode___old {
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
} __attribute__((preserve_access_index));
/* since 6.13 the top bit of i_ctime_nsec says "queried" (multigrain timestamps), not time */
#define CTIME_NSEC_MASK 0x3fffffffu

static __always_inline bool traced(void)
{
	return bpf_get_current_ancestor_cgroup_id(target_level) == target_cgid;
}

static __always_inline void stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);
	if (v)
		*v += 1;
}

static __always_inline struct scratch *get_scratch(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&scratch_map, &zero);
}

/* Fills the header of a new record for the current task in the scratch buffer. A global
 * function, so its loads through the trusted task pointer are verified once (see fd_file_addr). */
__noinline int rec_header(__u32 type)
{
	struct scratch *s = get_scratch();
	if (!s)
		return -1;
	struct cap_rec *r = (void *)s->buf;
	/* direct loads through the trusted task pointer: far cheaper than probe reads */
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 pidtgid = bpf_get_current_pid_tgid();
	__u64 ugid = bpf_get_current_uid_gid();

	__builtin_memset(r, 0, sizeof(*r));
	r->type = type;
	r->ts = bpf_ktime_get_boot_ns();
	r->pid = pidtgid >> 32;
	r->tid = (__u32)pidtgid;
	r->ppid = t->real_parent->tgid;
	r->uid = (__u32)ugid;
	r->gid = ugid >> 32;
	r->euid = t->cred->euid.val;
	r->cgroup = bpf_get_current_cgroup_id();
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	s->off = sizeof(*r);
	return 0;
}

/* Starts a record for the current task. */
static __always_inline struct scratch *rec_begin(__u16 type)
{
	return rec_header(type) ? NULL : get_scratch();
}

/* Copies the finished record into the ring buffer. Wakes the reader only when the buffer is
 * filling up; otherwise the reader drains it on its own timer. */
static __always_inline void rec_submit(void)
{
	struct scratch *s = get_scratch();
	if (!s)
		return;
	__u32 size = s->off;
	if (size > CAP_REC_MAX)
		size = CAP_REC_MAX;
	if (size < sizeof(struct cap_rec))
		return;
	struct cap_rec *r = (void *)s->buf;
	r->size = size;
	if (r->flags & CAP_RF_TRUNCATED)
		stat_inc(CAP_STAT_TRUNCATED);
	/* Wake the reader once, when this record takes the buffer past a quarter full. Past three
	 * quarters, every record wakes it: that costs the producer enough to let a busy reader
	 * catch up instead of losing records. */
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	__u64 ring = bpf_ringbuf_query(&events, BPF_RB_RING_SIZE);
	__u64 thr = ring / CAP_WAKEUP_FRACTION;
	__u64 flags = (avail < thr && avail + size >= thr) || avail > ring - thr ? BPF_RB_FORCE_WAKEUP
										 : BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_output(&events, s->buf, size, flags))
		stat_inc(CAP_STAT_LOST);
	else
		stat_inc(CAP_STAT_RECORDS);
}

/* Where the data of the next field goes, or NULL when the record is full. */
static __always_inline void *field_data(struct scratch *s)
{
	__u32 off = s->off;
	if (off + sizeof(struct cap_field) >= CAP_REC_MAX) {
		((struct cap_rec *)s->buf)->flags |= CAP_RF_TRUNCATED;
		return NULL;
	}
	return &s->buf[(off + sizeof(struct cap_field)) & (CAP_REC_MAX - 1)];
}

/* Appends the header of a field whose len data bytes were written at field_data(). */
static __always_inline void field_commit(struct scratch *s, __u32 type, __u32 arg, __u32 len)
{
	__u32 off = s->off;
	struct cap_rec *r = (void *)s->buf;
	if (off + sizeof(struct cap_field) >= CAP_REC_MAX)
		return;
	__u32 room = CAP_REC_MAX - off - sizeof(struct cap_field);
	if (len > room) {
		len = room;
		r->flags |= CAP_RF_TRUNCATED;
	}
	struct cap_field *f = (void *)&s->buf[off & (CAP_REC_MAX - 1)];
	f->len = len;
	f->type = type;
	f->arg = arg;
	s->off = off + sizeof(struct cap_field) + len;
	r->nfields++;
}

/* The struct file of the current task's fd, as an address (read it with BPF_CORE_READ).
 * A global function: the verifier checks its loads through the trusted task pointer once,
 * instead of once per caller (each such check scans the kernel's BTF, which made loading the
 * programs take most of Capsule's start-up time). */
__noinline __u64 fd_file_addr(__s32 fd)
{
	if (fd < 0)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct files_struct *files = t->files;
	if (!files)
		return 0;
	struct fdtable *fdt = files->fdt;
	if (!fdt || (__u32)fd >= fdt->max_fds)
		return 0;
	struct file **arr = fdt->fd;
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return (__u64)f;
}

static __always_inline struct file *fd_file(__s32 fd)
{
	return (struct file *)fd_file_addr(fd);
}

static __always_inline __u64 read_user_u64(__u64 uptr)
{
	__u64 v = 0;
	if (uptr)
		bpf_probe_read_user(&v, sizeof(v), (void *)uptr);
	return v;
}

static __always_inline __u32 read_user_u32(__u64 uptr)
{
	__u32 v = 0;
	if (uptr)
		bpf_probe_read_user(&v, sizeof(v), (void *)uptr);
	return v;
}

/* msg_name of a struct msghdr (also the first member of struct mmsghdr) */
static __always_inline __u64 msghdr_name(__u64 uptr)
{
	return read_user_u64(uptr);
}

/* whether the first control message of a struct msghdr passes fds (SCM_RIGHTS) */
static __always_inline __u64 msghdr_has_rights(__u64 uptr)
{
	struct {
		__u64 len;
		__s32 level, type;
	} h = {};
	__u64 ctl = uptr ? read_user_u64(uptr + 32) : 0;
	if (!ctl || read_user_u64(uptr + 40) < sizeof(h) + 4)
		return 0;
	if (bpf_probe_read_user(&h, sizeof(h), (void *)ctl))
		return 0;
	return h.level == 1 /* SOL_SOCKET */ && h.type == 1 /* SCM_RIGHTS */;
}

__noinline int fd_is_device(__s32 fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return 0;
	__u32 mode = BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT;
	return mode == S_IFCHR || mode == S_IFBLK;
}

/* Adds read or write bytes to the fd's totals. */
__noinline int io_account(__s32 fd, __s64 bytes, __u32 is_write)
{
	struct fdkey k = { .pid = bpf_get_current_pid_tgid() >> 32, .fd = fd };
	struct cap_iostat *st = bpf_map_lookup_elem(&iostats, &k);
	if (st) {
		if (is_write) {
			__sync_fetch_and_add(&st->wbytes, bytes);
			__sync_fetch_and_add(&st->wcalls, 1);
		} else {
			__sync_fetch_and_add(&st->rbytes, bytes);
			__sync_fetch_and_add(&st->rcalls, 1);
		}
		return 0;
	}
	struct cap_iostat n = {};
	if (is_write) {
		n.wbytes = bytes;
		n.wcalls = 1;
	} else {
		n.rbytes = bytes;
		n.rcalls = 1;
	}
	bpf_map_update_elem(&iostats, &k, &n, BPF_NOEXIST);
	return 0;
}

__noinline int add_io_totals(__s32 fd)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct fdkey k = { .pid = bpf_get_current_pid_tgid() >> 32, .fd = fd };
	struct cap_iostat *st = bpf_map_lookup_elem(&iostats, &k);
	if (!st)
		return 0;
	void *dst = field_data(s);
	if (dst) {
		__builtin_memcpy(dst, st, sizeof(*st));
		field_commit(s, CAP_F_IO, 0, sizeof(*st));
	}
	bpf_map_delete_elem(&iostats, &k);
	return 0;
}

__noinline int add_signal_target(void)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct cap_target *tg = bpf_map_lookup_elem(&sigtargets, &tid);
	if (!tg)
		return 0;
	void *dst = field_data(s);
	if (dst) {
		__builtin_memcpy(dst, tg, sizeof(*tg));
		field_commit(s, CAP_F_TARGET, 0, sizeof(*tg));
	}
	bpf_map_delete_elem(&sigtargets, &tid);
	return 0;
}

/* A NUL-terminated string from user memory: up to CAP_COMM_LEN bytes when max is that
 * small, else up to CAP_PATH_MAX (NUL included). */
__noinline int add_user_str(__u32 type, __u32 arg, __u64 uptr, __u32 max)
{
	struct scratch *s = get_scratch();
	if (!s || !uptr)
		return 0;
	void *dst = field_data(s);
	if (!dst)
		return 0;
	/* constant sizes only: a clamped variable size does not survive clang's register use */
	long n = max <= CAP_COMM_LEN ? bpf_probe_read_user_str(dst, CAP_COMM_LEN, (void *)uptr)
				     : bpf_probe_read_user_str(dst, CAP_PATH_MAX, (void *)uptr);
	if (n <= 0)
		return 0;
	if (n >= CAP_PATH_MAX)
		((struct cap_rec *)s->buf)->flags |= CAP_RF_TRUNCATED;
	field_commit(s, type, arg, n - 1);
	return 0;
}

__noinline int add_kernel_str(__u32 type, __u32 arg, __u64 kptr)
{
	struct scratch *s = get_scratch();
	if (!s || !kptr)
		return 0;
	void *dst = field_data(s);
	if (!dst)
		return 0;
	long n = bpf_probe_read_kernel_str(dst, CAP_PATH_MAX, (void *)kptr);
	if (n <= 0)
		return 0;
	field_commit(s, type, arg, n - 1);
	return 0;
}

/* len bytes of user memory (a sockaddr, a hostname, an int[2]; at most USER_BUF_MAX), or the
 * first bytes of a buffer a call moved (CAP_F_DATA: at most CAP_DATA_MAX). */
__noinline int add_user_buf(__u32 type, __u32 arg, __u64 uptr, __u64 len)
{
	struct scratch *s = get_scratch();
	if (!s || !uptr || len == 0)
		return 0;
	void *dst = field_data(s);
	if (!dst)
		return 0;
	__u64 max = type == CAP_F_DATA ? CAP_DATA_MAX : USER_BUF_MAX;
	if (len > max)
		len = max;
	if (bpf_probe_read_user(dst, len, (void *)uptr))
		return 0;
	field_commit(s, type, arg, len);
	return 0;
}

__noinline int add_user_u64(__u32 arg, __u64 uptr)
{
	struct scratch *s = get_scratch();
	if (!s || !uptr)
		return 0;
	void *dst = field_data(s);
	if (!dst)
		return 0;
	if (bpf_probe_read_user(dst, 8, (void *)uptr))
		return 0;
	field_commit(s, CAP_F_U64, arg, 8);
	return 0;
}

__noinline int add_msghdr_name(__u32 arg, __u64 uptr)
{
	struct {
		__u64 name;
		__u32 namelen;
	} h = {};
	if (!uptr || bpf_probe_read_user(&h, sizeof(h), (void *)uptr))
		return 0;
	if (h.name && h.namelen)
		add_user_buf(CAP_F_SOCKADDR, arg, h.name, h.namelen);
	return 0;
}

/* capset: the header pointer is the argument, the data pointer the next one */
__noinline int add_capdata(__u32 arg, __u64 hdrp, __u64 datap)
{
	struct scratch *s = get_scratch();
	if (!s || !datap)
		return 0;
	struct {
		__u32 version;
		__s32 pid;
	} hdr = {};
	struct {
		__u32 effective, permitted, inheritable;
	} d[2] = {};
	bpf_probe_read_user(&hdr, sizeof(hdr), (void *)hdrp);
	if (bpf_probe_read_user(&d, sizeof(d), (void *)datap))
		return 0;
	struct cap_capdata *c = field_data(s);
	if (!c)
		return 0;
	c->version = hdr.version;
	c->pid = hdr.pid;
	c->effective = d[0].effective | ((__u64)d[1].effective << 32);
	c->permitted = d[0].permitted | ((__u64)d[1].permitted << 32);
	c->inheritable = d[0].inheritable | ((__u64)d[1].inheritable << 32);
	field_commit(s, CAP_F_CAPDATA, arg, sizeof(*c));
	return 0;
}

/* The absolute path of (dentry, vfsmount), walking up to the root and across mounts.
 * The write position lives in the map value, not in a register: the verifier then sees one
 * unknown position per iteration instead of a new exact one, so it can prune the loop. */
__noinline int add_dpath(__u32 type, __u32 arg, __u64 dentry_p, __u64 vfsmnt_p)
{
	struct scratch *s = get_scratch();
	__u32 zero = 0;
	struct pathbuf *pb = bpf_map_lookup_elem(&pathbuf_map, &zero);
	if (!s || !pb || !dentry_p || !vfsmnt_p)
		return 0;
	struct dentry *d = (void *)dentry_p;
	struct vfsmount *vm = (void *)vfsmnt_p;
	struct mount *mnt = container_of(vm, struct mount, mnt);
	int complete = 0;

	pb->pos = CAP_PATH_MAX;
	for (int i = 0; i < MAX_PATH_DEPTH; i++) {
		struct dentry *root = BPF_CORE_READ(mnt, mnt.mnt_root);
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (d == root || d == parent) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);
			if (d != root || up == mnt) {
				complete = 1; /* the root of the namespace (or of a pseudo fs) */
				break;
			}
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			continue;
		}
		__u32 len = BPF_CORE_READ(d, d_name.len) & NAME_MAX_LEN;
		const unsigned char *name = BPF_CORE_READ(d, d_name.name);
		__u32 pos = pb->pos;
		if (pos > CAP_PATH_MAX || pos < len + 1)
			break;
		pos -= len + 1;
		pb->buf[pos & (CAP_PATH_MAX - 1)] = '/';
		bpf_probe_read_kernel(&pb->buf[(pos + 1) & (CAP_PATH_MAX - 1)], len, name);
		pb->pos = pos;
		d = parent;
	}
	if (!complete)
		((struct cap_rec *)s->buf)->flags |= CAP_RF_TRUNCATED;
	__u32 pos = pb->pos;
	if (pos >= CAP_PATH_MAX) {
		pos = CAP_PATH_MAX - 1;
		pb->buf[pos] = '/';
	}
	void *dst = field_data(s);
	if (!dst)
		return 0;
	__u32 len = (CAP_PATH_MAX - pos) & (CAP_PATH_MAX - 1);
	bpf_probe_read_kernel(dst, len, &pb->buf[pos & (CAP_PATH_MAX - 1)]);
	field_commit(s, type, arg, len);
	return 0;
}

static __always_inline int add_cwd_as(__u32 type, __u32 arg)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	if (!fs)
		return 0;
	return add_dpath(type, arg, (__u64)BPF_CORE_READ(fs, pwd.dentry),
			 (__u64)BPF_CORE_READ(fs, pwd.mnt));
}

static __always_inline int add_cwd(void)
{
	return add_cwd_as(CAP_F_CWD, 0);
}

__noinline int add_fd_path_as(__u32 type, __u32 arg, __s32 fd)
{
	struct file *f = fd_file(fd);
	if (!f)
		return 0;
	return add_dpath(type, arg, (__u64)BPF_CORE_READ(f, f_path.dentry),
			 (__u64)BPF_CORE_READ(f, f_path.mnt));
}

static __always_inline int add_fd_path(__u32 arg, __s32 fd)
{
	return add_fd_path_as(CAP_F_FDPATH, arg, fd);
}

/* A path argument; when relative, also the directory it is resolved against. */
__noinline int add_user_path(__u32 arg, __u64 uptr, __s32 dirfd)
{
	struct scratch *s = get_scratch();
	if (!s || !uptr)
		return 0;
	__u32 before = s->off;
	add_user_str(CAP_F_STR, arg, uptr, CAP_PATH_MAX);
	if (s->off == before || before + sizeof(struct cap_field) >= CAP_REC_MAX)
		return 0;
	char first = s->buf[(before + sizeof(struct cap_field)) & (CAP_REC_MAX - 1)];
	if (first == '/')
		return 0;
	if (dirfd == CAP_AT_FDCWD)
		return add_cwd_as(CAP_F_BASE, arg);
	return add_fd_path_as(CAP_F_BASE, arg, dirfd);
}

__noinline int add_file_struct_info(__u32 type, __u32 arg, __u64 file_p)
{
	struct scratch *s = get_scratch();
	struct file *f = (void *)file_p;
	if (!s || !f)
		return 0;
	struct cap_fileinfo *fi = field_data(s);
	if (!fi)
		return 0;
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	fi->mode = BPF_CORE_READ(ino, i_mode);
	fi->rdev = BPF_CORE_READ(ino, i_rdev);
	fi->dev = BPF_CORE_READ(ino, i_sb, s_dev);
	fi->magic = BPF_CORE_READ(ino, i_sb, s_magic);
	fi->ino = BPF_CORE_READ(ino, i_ino);
	fi->size = BPF_CORE_READ(ino, i_size);
	fi->uid = BPF_CORE_READ(ino, i_uid.val);
	fi->gid = BPF_CORE_READ(ino, i_gid.val);
	__s64 cs, cn;
	if (bpf_core_field_exists(struct inode___sec, i_mtime_sec))
		fi->mtime = BPF_CORE_READ((struct inode___sec *)ino, i_mtime_sec);
	else if (bpf_core_field_exists(struct inode___priv, __i_mtime))
		fi->mtime = BPF_CORE_READ((struct inode___priv *)ino, __i_mtime.tv_sec);
	else
		fi->mtime = BPF_CORE_READ((struct inode___old *)ino, i_mtime.tv_sec);
	if (bpf_core_field_exists(struct inode___sec, i_ctime_sec)) {
		cs = BPF_CORE_READ((struct inode___sec *)ino, i_ctime_sec);
		cn = BPF_CORE_READ((struct inode___sec *)ino, i_ctime_nsec) & CTIME_NSEC_MASK;
	} else if (bpf_core_field_exists(struct inode___priv, __i_ctime)) {
		cs = BPF_CORE_READ((struct inode___priv *)ino, __i_ctime.tv_sec);
		cn = BPF_CORE_READ((struct inode___priv *)ino, __i_ctime.tv_nsec);
	} else {
		cs = BPF_CORE_READ((struct inode___old *)ino, i_ctime.tv_sec);
		cn = BPF_CORE_READ((struct inode___old *)ino, i_ctime.tv_nsec);
	}
	fi->ctime_ns = cs * 1000000000LL + cn;
	field_commit(s, type, arg, sizeof(*fi));
	return 0;
}

static __always_inline int add_fileinfo(__u32 arg, __s32 fd)
{
	struct file *f = fd_file(fd);
	return f ? add_file_struct_info(CAP_F_FILE, arg, (__u64)f) : 0;
}

__noinline int add_sockinfo(__u32 arg, __s32 fd)
{
	struct scratch *s = get_scratch();
	struct file *f = fd_file(fd);
	if (!s || !f)
		return 0;
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	if ((BPF_CORE_READ(ino, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return 0;
	struct cap_sockinfo *si = field_data(s);
	if (!si)
		return 0;
	__builtin_memset(si, 0, sizeof(*si));
	si->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	si->type = BPF_CORE_READ(sock, type);
	si->protocol = BPF_CORE_READ(sk, sk_protocol);
	si->state = BPF_CORE_READ(sk, __sk_common.skc_state);
	si->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
	si->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	si->ino = BPF_CORE_READ(ino, i_ino);
	if (si->family == 2 /* AF_INET */) {
		BPF_CORE_READ_INTO(&si->laddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(&si->raddr, sk, __sk_common.skc_daddr);
	} else if (si->family == 10 /* AF_INET6 */) {
		BPF_CORE_READ_INTO(&si->laddr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&si->raddr, sk, __sk_common.skc_v6_daddr);
	}
	field_commit(s, CAP_F_SOCK, arg, sizeof(*si));
	return 0;
}

/* pipe, pipe2, socketpair: the inodes of the two new fds, so user space can pair the ends */
__noinline int add_ino2(__u32 arg, __u64 uptr)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	__u64 fds = read_user_u64(uptr);
	struct file *f0 = fd_file((__s32)fds);
	struct file *f1 = fd_file((__s32)(fds >> 32));
	__u64 *dst = field_data(s);
	if (!dst)
		return 0;
	dst[0] = f0 ? BPF_CORE_READ(f0, f_inode, i_ino) : 0;
	dst[1] = f1 ? BPF_CORE_READ(f1, f_inode, i_ino) : 0;
	field_commit(s, CAP_F_INO2, arg, 16);
	return 0;
}

/* The fds of an SCM_RIGHTS message (the first control message), each with its file and path,
 * so the receiver's new fds get named. msg_control/msg_controllen of struct msghdr (64-bit). */
__noinline int add_scm_rights(__u32 arg, __u64 uptr)
{
	struct scratch *s = get_scratch();
	struct {
		__u64 len;
		__s32 level, type;
	} h = {};
	__s32 fds[CAP_RIGHTS_MAX] = {};
	if (!s || !uptr)
		return 0;
	__u64 ctl = read_user_u64(uptr + 32), clen = read_user_u64(uptr + 40);
	if (!ctl || clen < sizeof(h) + 4 || bpf_probe_read_user(&h, sizeof(h), (void *)ctl))
		return 0;
	if (h.level != 1 /* SOL_SOCKET */ || h.type != 1 /* SCM_RIGHTS */ || h.len < sizeof(h) + 4 || h.len > clen)
		return 0;
	__u32 n = (h.len - sizeof(h)) / 4;
	if (n > CAP_RIGHTS_MAX)
		n = CAP_RIGHTS_MAX;
	/* a fixed-size read (the verifier wants one); past the end of the mapping, just the first */
	if (bpf_probe_read_user(fds, sizeof(fds), (void *)(ctl + sizeof(h)))) {
		if (bpf_probe_read_user(fds, 4, (void *)(ctl + sizeof(h))))
			return 0;
		n = 1;
	}
	void *dst = field_data(s);
	if (!dst)
		return 0;
	__builtin_memcpy(dst, fds, sizeof(fds));
	field_commit(s, CAP_F_RIGHTS, arg, n * 4);
#pragma clang loop unroll(disable)
	for (__u32 k = 0; k < CAP_RIGHTS_MAX; k++) {
		if (k >= n)
			break;
		struct file *f = fd_file(fds[k]);
		if (!f)
			continue;
		add_file_struct_info(CAP_F_RIGHTS_FILE, k, (__u64)f);
		add_fd_path_as(CAP_F_RIGHTS_PATH, k, fds[k]);
	}
	return 0;
}

/* exec: the NUL-separated argv from the new program's memory */
__noinline int add_argv(void)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct task_struct *t = (void *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	__u64 start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
	if (end <= start)
		return 0;
	__u64 len = end - start;
	if (len > CAP_ARGV_MAX) {
		len = CAP_ARGV_MAX;
		((struct cap_rec *)s->buf)->flags |= CAP_RF_TRUNCATED;
	}
	void *dst = field_data(s);
	if (!dst)
		return 0;
	if (bpf_probe_read_user(dst, len, (void *)start))
		return 0;
	field_commit(s, CAP_F_ARGV, 0, len);
	return 0;
}

__noinline int add_cred(void)
{
	struct scratch *s = get_scratch();
	if (!s)
		return 0;
	struct task_struct *t = (void *)bpf_get_current_task();
	const struct cred *c = BPF_CORE_READ(t, cred);
	struct cap_cred *cc = field_data(s);
	if (!cc || !c)
		return 0;
	cc->uid = BPF_CORE_READ(c, uid.val);
	cc->euid = BPF_CORE_READ(c, euid.val);
	cc->suid = BPF_CORE_READ(c, suid.val);
	cc->fsuid = BPF_CORE_READ(c, fsuid.val);
	cc->gid = BPF_CORE_READ(c, gid.val);
	cc->egid = BPF_CORE_READ(c, egid.val);
	cc->sgid = BPF_CORE_READ(c, sgid.val);
	cc->fsgid = BPF_CORE_READ(c, fsgid.val);
	/* kernel_cap_t is a u64 since 6.3 and two u32 before: 8 bytes either way */
	bpf_probe_read_kernel(&cc->cap_effective, 8, &c->cap_effective);
	bpf_probe_read_kernel(&cc->cap_permitted, 8, &c->cap_permitted);
	bpf_probe_read_kernel(&cc->cap_inheritable, 8, &c->cap_inheritable);
	bpf_probe_read_kernel(&cc->cap_ambient, 8, &c->cap_ambient);
	cc->user_ns_level = BPF_CORE_READ(c, user_ns, level);
	cc->pad = 0;
	field_commit(s, CAP_F_CRED, 0, sizeof(*cc));
	return 0;
}

/* Captures argument i (bits 8+ of it_type) of kind t (low 8 bits); next is the value of the
 * following argument (a length, or a pointer to one). Returns the dirfd for the next PATH
 * argument. */
__noinline __s32 capture_arg(__u32 it_type, __u64 v, __u64 next, __s64 ret, __s32 dirfd)
{
	__u32 i = it_type >> 8;
	__s32 base = CAP_AT_FDCWD;

	switch (it_type & 0xff) {
	case CAP_A_DIRFD:
		base = (__s32)v;
		break;
	case CAP_A_PATH:
		add_user_path(i, v, dirfd);
		break;
	case CAP_A_STR:
		add_user_str(CAP_F_STR, i, v, CAP_PATH_MAX);
		break;
	case CAP_A_BUF:
		add_user_buf(CAP_F_STR, i, v, next);
		break;
	case CAP_A_PRCTL_ARG:
		/* arg2 of prctl; the option (arg 0) is not at hand here, but only PR_SET_NAME's
		 * argument is a readable string of at most 16 bytes worth showing */
		break;
	case CAP_A_SOCKADDR:
		add_user_buf(CAP_F_SOCKADDR, i, v, next);
		break;
	case CAP_A_SOCKADDR_OUT:
		if (ret >= 0)
			add_user_buf(CAP_F_SOCKADDR, i, v, read_user_u32(next));
		break;
	case CAP_A_MSGHDR:
	case CAP_A_MMSGHDR:
		add_msghdr_name(i, v);
		if (ret >= 0)
			add_scm_rights(i, v);
		break;
	case CAP_A_FD_SOCK:
		add_sockinfo(i, (__s32)v);
		break;
	case CAP_A_FD_FILE:
		if ((__s32)v >= 0) {
			add_fileinfo(i, (__s32)v);
			add_fd_path(i, (__s32)v);
		}
		break;
	case CAP_A_U64PTR:
		add_user_u64(i, v);
		break;
	case CAP_A_INT2OUT:
		if (ret >= 0) {
			add_user_buf(CAP_F_INT2, i, v, 8);
			add_ino2(i, v);
		}
		break;
	case CAP_A_CAPDATA:
		add_capdata(i, v, next);
		break;
	}
	return base;
}

#endif
