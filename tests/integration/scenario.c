/* The "agent" run by tests/integration/run.py under capsule: one subcommand per area, each
 * making direct syscalls with recognisable arguments so the tests can assert exact events.
 *
 *   scenario AREA DIR [EXTRA]
 *
 * DIR is a folder the agent may write to (file names are unique to the area). Values the
 * tests cannot know beforehand (pids, ports, fds) are printed on stdout as key=value lines.
 * Most failures of the syscalls themselves are expected (the agent is unprivileged) and are
 * not fatal: the events and their results are what the tests look at. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static const char *dir;

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void die(const char *what)
{
	fprintf(stderr, "scenario: %s: %s\n", what, strerror(errno));
	exit(99);
}

static char *path_in(const char *name)
{
	static char bufs[8][4096];
	static int k;
	char *b = bufs[k++ % 8];
	snprintf(b, sizeof(bufs[0]), "%s/%s", dir, name);
	return b;
}

static void msleep(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int wait_child(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return st;
}

/* ---- process ---- */

static void *thread_main(void *arg)
{
	(void)arg;
	out("thread_tid=%ld", (long)syscall(SYS_gettid));
	int fd = syscall(SYS_openat, AT_FDCWD, path_in("proc-thread-marker"), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int area_process(void)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		char *argv[] = { "true", "capsule-proc-arg", NULL };
		execv("/bin/true", argv);
		_exit(98);
	}
	out("exec_child=%d", pid);
	wait_child(pid);

	pthread_t th;
	if (pthread_create(&th, NULL, thread_main, NULL))
		die("pthread_create");
	pthread_join(th, NULL);

	/* setsid in a child: a fresh child is never a group leader, so it succeeds */
	pid = fork();
	if (pid == 0) {
		syscall(SYS_setsid);
		_exit(0);
	}
	out("setsid_child=%d", pid);
	wait_child(pid);

	syscall(SYS_prctl, PR_SET_NAME, "capsule-test", 0, 0, 0);
	int fd = syscall(SYS_openat, AT_FDCWD, path_in("proc-after-rename"), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	exit(7);
}

/* ---- network ---- */

static int area_network(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	/* TCP listener and a client in the same process */
	int ls = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	if (ls < 0 || syscall(SYS_bind, ls, &a, sizeof(a)) || syscall(SYS_listen, ls, 7))
		die("tcp listener");
	getsockname(ls, (struct sockaddr *)&a, &len);
	out("tcp_listen_fd=%d", ls);
	out("tcp_port=%d", ntohs(a.sin_port));
	int cs = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);
	if (cs < 0 || syscall(SYS_connect, cs, &a, sizeof(a)))
		die("tcp connect");
	struct sockaddr_in cl;
	len = sizeof(cl);
	getsockname(cs, (struct sockaddr *)&cl, &len);
	out("tcp_client_fd=%d", cs);
	out("tcp_client_port=%d", ntohs(cl.sin_port));
	struct sockaddr_in peer;
	len = sizeof(peer);
	int as = syscall(SYS_accept, ls, &peer, &len);
	if (as < 0)
		die("accept");
	out("tcp_accepted_fd=%d", as);
	/* 5 bytes one way, 9 the other: the close events carry the totals */
	if (write(cs, "hello", 5) != 5 || write(as, "capsule!!", 9) != 9)
		die("tcp write");
	char buf[64];
	if (read(as, buf, sizeof(buf)) != 5 || read(cs, buf, sizeof(buf)) != 9)
		die("tcp read");
	close(cs);
	close(as);
	close(ls);

	/* UDP with peer addresses */
	struct sockaddr_in us = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int u1 = syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	int u2 = syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
	if (u1 < 0 || u2 < 0 || syscall(SYS_bind, u1, &us, sizeof(us)))
		die("udp");
	len = sizeof(us);
	getsockname(u1, (struct sockaddr *)&us, &len);
	struct sockaddr_in uc = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (syscall(SYS_bind, u2, &uc, sizeof(uc)))
		die("udp bind 2");
	len = sizeof(uc);
	getsockname(u2, (struct sockaddr *)&uc, &len);
	out("udp_server_port=%d", ntohs(us.sin_port));
	out("udp_client_port=%d", ntohs(uc.sin_port));
	if (syscall(SYS_sendto, u2, "capsule-udp", 11, 0, &us, sizeof(us)) != 11)
		die("sendto");
	struct sockaddr_in from;
	len = sizeof(from);
	if (syscall(SYS_recvfrom, u1, buf, sizeof(buf), 0, &from, &len) != 11)
		die("recvfrom");
	close(u1);
	close(u2);

	/* unix sockets: a path and an abstract name */
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	snprintf(su.sun_path, sizeof(su.sun_path), "%s", path_in("capsule-net.sock"));
	int x1 = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	int x2 = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	if (syscall(SYS_bind, x1, &su, sizeof(su)) || syscall(SYS_listen, x1, 3) ||
	    syscall(SYS_connect, x2, &su, sizeof(su)))
		die("unix path");
	close(x2);
	close(x1);
	unlink(su.sun_path);

	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static const char abstract[] = "capsule-abstract";
	memcpy(sa.sun_path + 1, abstract, sizeof(abstract) - 1);
	socklen_t salen = offsetof(struct sockaddr_un, sun_path) + 1 + sizeof(abstract) - 1;
	int y1 = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	int y2 = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	if (syscall(SYS_bind, y1, &sa, salen) || syscall(SYS_listen, y1, 3) || syscall(SYS_connect, y2, &sa, salen))
		die("unix abstract");
	close(y2);
	close(y1);
	return 0;
}

/* ---- file ---- */

static int area_file(void)
{
	char data[1234];
	memset(data, 'c', sizeof(data));

	/* openat relative to a directory fd; 1234 bytes in two writes */
	int dfd = syscall(SYS_open, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (dfd < 0)
		die("open dir");
	out("dirfd=%d", dfd);
	int fd = syscall(SYS_openat, dfd, "file-rel.txt", O_CREAT | O_WRONLY | O_TRUNC, 0640);
	if (fd < 0)
		die("openat");
	out("rel_fd=%d", fd);
	if (write(fd, data, 1000) != 1000 || write(fd, data + 1000, 234) != 234)
		die("write");
	close(fd);

	/* open(2) with O_CREAT|O_WRONLY, 77 bytes */
	fd = syscall(SYS_open, path_in("file-open.txt"), O_CREAT | O_WRONLY, 0600);
	if (fd < 0)
		die("open");
	if (write(fd, data, 77) != 77)
		die("write 2");
	close(fd);

	/* read totals: 1234 bytes in 100-byte reads */
	fd = syscall(SYS_openat, dfd, "file-rel.txt", O_RDONLY, 0);
	if (fd < 0)
		die("open for read");
	char buf[100];
	long total = 0, n, calls = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		total += n;
		calls++;
	}
	out("read_total=%ld", total);
	out("read_calls=%ld", calls); /* reads that returned data (not the final 0) */
	close(fd);

	/* the rest with paths relative to the working directory */
	if (chdir(dir))
		die("chdir");
	syscall(SYS_rename, "file-open.txt", "file-renamed.txt");
	syscall(SYS_mkdir, "file-subdir", 0750);
	syscall(SYS_chmod, "file-renamed.txt", 0604);
	syscall(SYS_chown, "file-renamed.txt", getuid(), getgid());
	syscall(SYS_truncate, "file-renamed.txt", 10);
	syscall(SYS_link, "file-renamed.txt", "file-subdir/../file-hardlink.txt");
	syscall(SYS_symlink, "file-renamed.txt", "file-symlink.txt");
	syscall(SYS_unlink, "file-hardlink.txt");
	syscall(SYS_unlink, "file-symlink.txt");
	syscall(SYS_rmdir, "file-subdir");
	/* failures carry the error */
	syscall(SYS_unlink, "file-does-not-exist");
	close(dfd);
	return 0;
}

/* ---- credentials ---- */

static int area_cred(void)
{
	uid_t uid = getuid();
	out("uid=%d", uid);
	syscall(SYS_setuid, uid);
	syscall(SYS_setresuid, uid, uid, uid);
	gid_t g = getgid();
	syscall(SYS_setgroups, 1, &g);

	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct cd[2] = { 0 };
	cd[0].effective = cd[0].permitted = 1u << CAP_SYS_ADMIN;
	syscall(SYS_capset, &hdr, cd);

	const char *suid = NULL;
	static const char *const candidates[] = { "/usr/bin/passwd", "/usr/bin/chfn", "/usr/bin/newgrp",
						  "/bin/su", "/usr/bin/su", "/bin/mount", "/usr/bin/mount" };
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++) {
		struct stat st;
		if (!stat(candidates[i], &st) && (st.st_mode & S_ISUID) && st.st_uid == 0) {
			suid = candidates[i];
			break;
		}
	}
	if (suid) {
		out("setuid_binary=%s", suid);
		pid_t pid = fork();
		if (pid == 0) {
			int nul = open("/dev/null", O_WRONLY);
			dup2(nul, 1);
			dup2(nul, 2);
			execl(suid, suid, "--help", (char *)NULL);
			_exit(98);
		}
		out("setuid_child=%d", pid);
		wait_child(pid);
	}
	return 0;
}

/* ---- memory ---- */

static volatile long poke_target = 1111;

static int area_memory(void)
{
	void *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	out("wx_addr=%lu", (unsigned long)p);
	void *q = mmap(NULL, 12288, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	out("rw_addr=%lu", (unsigned long)q);
	syscall(SYS_mprotect, q, 4096, PROT_READ | PROT_EXEC);
	syscall(SYS_mprotect, (char *)q + 4096, 4096, PROT_READ | PROT_WRITE | PROT_EXEC);

	int mfd = syscall(SYS_memfd_create, "capsule-memfd", MFD_CLOEXEC);
	out("memfd=%d", mfd);
	close(mfd);

	/* PTRACE_TRACEME in a child */
	pid_t pid = fork();
	if (pid == 0) {
		syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0);
		_exit(0);
	}
	out("traceme_child=%d", pid);
	wait_child(pid);

	/* attach to a child, then write into its memory */
	int go[2];
	if (pipe(go))
		die("pipe");
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		char c;
		while (read(go[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(poke_target == 4242 ? 42 : 0);
	}
	close(go[0]);
	out("victim=%d", pid);
	long r = syscall(SYS_ptrace, PTRACE_ATTACH, pid, 0, 0);
	out("attach_ret=%ld", r);
	if (r == 0) {
		int st;
		waitpid(pid, &st, 0);
		syscall(SYS_ptrace, PTRACE_DETACH, pid, 0, 0);
	}
	long v = 4242;
	struct iovec local = { &v, sizeof(v) }, remote = { (void *)&poke_target, sizeof(v) };
	r = syscall(SYS_process_vm_writev, pid, &local, 1, &remote, 1, 0);
	out("vm_writev_ret=%ld", r);
	close(go[1]);
	int st = wait_child(pid);
	out("victim_status=%d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	/* module loading fails without CAP_SYS_MODULE */
	int nfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	out("module_fd=%d", nfd);
	syscall(SYS_finit_module, nfd, "capsule_param=1", 0);
	close(nfd);
	return 0;
}

/* ---- local IPC ---- */

static int area_ipc(void)
{
	int p[2], s[2];
	if (syscall(SYS_pipe2, p, O_CLOEXEC))
		die("pipe2");
	out("pipe=%d,%d", p[0], p[1]);
	if (syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, s))
		die("socketpair");
	out("socketpair=%d,%d", s[0], s[1]);
	syscall(SYS_mknod, path_in("capsule.fifo"), S_IFIFO | 0600, 0);

	int shm = syscall(SYS_shmget, IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	out("shmid=%d", shm);
	if (shm >= 0) {
		void *a = (void *)syscall(SYS_shmat, shm, NULL, 0);
		out("shmaddr=%lu", (unsigned long)a);
		shmdt(a);
		shmctl(shm, IPC_RMID, NULL);
	}
	int mq = syscall(SYS_msgget, IPC_PRIVATE, IPC_CREAT | 0600);
	out("msqid=%d", mq);
	if (mq >= 0)
		msgctl(mq, IPC_RMID, NULL);
	int q = syscall(SYS_mq_open, "capsule-mq", O_CREAT | O_RDWR | O_CLOEXEC, 0600, NULL);
	out("mq_fd=%d", q);
	if (q >= 0) {
		close(q);
		syscall(SYS_mq_unlink, "capsule-mq");
	}
	return 0;
}

/* ---- devices ---- */

static int area_devices(const char *extra)
{
	int fd = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_WRONLY, 0);
	out("null_fd=%d", fd);
	if (write(fd, "0123456789", 10) != 10)
		die("write /dev/null");
	close(fd);
	fd = syscall(SYS_openat, AT_FDCWD, "/dev/zero", O_RDONLY, 0);
	char buf[4096];
	if (read(fd, buf, sizeof(buf)) != sizeof(buf))
		die("read /dev/zero");
	close(fd);
	fd = syscall(SYS_openat, AT_FDCWD, "/dev/tty", O_RDWR | O_NOCTTY, 0);
	out("tty_fd=%d", fd);
	if (fd >= 0)
		close(fd);
	fd = syscall(SYS_openat, AT_FDCWD, "/dev/kvm", O_RDWR | O_CLOEXEC, 0);
	out("kvm_fd=%d", fd);
	if (fd >= 0)
		close(fd);
	/* a sensitive device node the tests made accessible (same numbers as /dev/kvm) */
	if (extra) {
		fd = syscall(SYS_openat, AT_FDCWD, extra, O_RDWR | O_CLOEXEC, 0);
		out("extra_fd=%d", fd);
		if (fd >= 0) {
			syscall(SYS_ioctl, fd, 0xAE00 /* KVM_GET_API_VERSION */, 0);
			close(fd);
		}
	}

	int m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0)
		die("posix_openpt");
	out("ptmx_fd=%d", m);
	if (grantpt(m) || unlockpt(m))
		die("unlockpt");
	char *name = ptsname(m);
	out("pts=%s", name);
	int sfd = syscall(SYS_openat, AT_FDCWD, name, O_RDWR | O_NOCTTY, 0);
	if (sfd < 0)
		die("open pts");
	out("pts_fd=%d", sfd);
	struct termios t;
	syscall(SYS_ioctl, sfd, TCGETS, &t);
	close(sfd);
	close(m);
	return 0;
}

/* ---- system configuration ---- */

static int area_sys(void)
{
	mkdir(path_in("sys-mnt"), 0755);
	syscall(SYS_mount, "capsule-src", path_in("sys-mnt"), "tmpfs", MS_NOSUID, NULL);
	syscall(SYS_chroot, path_in("sys-mnt"));
	syscall(SYS_sethostname, "capsule-host", 12);

	/* HOME inside the test folder; append to its .bashrc */
	setenv("HOME", path_in("home"), 1);
	mkdir(getenv("HOME"), 0755);
	char rc[4200];
	snprintf(rc, sizeof(rc), "%s/.bashrc", getenv("HOME"));
	int fd = syscall(SYS_openat, AT_FDCWD, rc, O_WRONLY | O_CREAT | O_APPEND, 0644);
	out("bashrc_fd=%d", fd);
	if (fd >= 0) {
		if (write(fd, "echo capsule\n", 13) != 13)
			die("write .bashrc");
		close(fd);
	}
	return 0;
}

/* ---- namespaces and cgroups ---- */

static int cgroup2_mount(char *buf, size_t n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int ok = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		char mnt[2048];
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %2047s", mnt) == 1 && strlen(mnt) < n) {
			snprintf(buf, n, "%s", mnt);
			ok = 0;
			break;
		}
	}
	fclose(f);
	return ok;
}

static int area_ns(const char *extra)
{
	pid_t pid = fork();
	if (pid == 0) {
		long r = syscall(SYS_unshare, CLONE_NEWUSER);
		_exit(r == 0 ? 0 : 1);
	}
	int st = wait_child(pid);
	out("unshare_child=%d", pid);
	out("unshare_ok=%d", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	int nfd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	out("ns_fd=%d", nfd);
	syscall(SYS_setns, nfd, CLONE_NEWNET);
	close(nfd);

	/* our own cgroup's cgroup.procs, for writing */
	char mnt[2048], cg[4096] = "", line[4096], path[8192];
	FILE *f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			memcpy(cg, line + 3, strlen(line + 3) + 1);
			cg[strcspn(cg, "\n")] = 0;
		}
	if (f)
		fclose(f);
	if (cgroup2_mount(mnt, sizeof(mnt)))
		die("no cgroup2 mount");
	snprintf(path, sizeof(path), "%s%s/cgroup.procs", mnt, cg);
	out("cgroup_procs=%s", path);
	int fd = syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
	out("cgroup_fd=%d", fd);
	if (fd >= 0)
		close(fd);
	/* a cgroup file the tests made writable for us: opened, never written */
	if (extra) {
		fd = syscall(SYS_openat, AT_FDCWD, extra, O_WRONLY | O_CLOEXEC, 0);
		out("extra_fd=%d", fd);
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/* ---- signals ---- */

static pid_t named_child(const char *name, int mode, int *ready_fd)
{
	int p[2];
	if (pipe(p))
		die("pipe");
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		syscall(SYS_prctl, PR_SET_NAME, name, 0, 0, 0);
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		if (mode == 1)
		{
			volatile uintptr_t bad = 8;
			*(volatile int *)bad = 1; /* a real fault: SIGSEGV */
		}
		if (mode == 2)
			abort();
		if (write(p[1], "r", 1) != 1)
			_exit(97);
		for (;;)
			pause();
	}
	close(p[1]);
	*ready_fd = p[0];
	return pid;
}

static int area_signals(void)
{
	int r;
	char c;
	pid_t a = named_child("capsule-victim", 0, &r);
	if (read(r, &c, 1) != 1)
		die("ready");
	close(r);
	out("term_child=%d", a);
	syscall(SYS_kill, a, SIGTERM);
	wait_child(a);

	pid_t b = named_child("capsule-tgk", 0, &r);
	if (read(r, &c, 1) != 1)
		die("ready");
	close(r);
	out("tgkill_child=%d", b);
	syscall(SYS_tgkill, b, b, SIGUSR1);
	wait_child(b);

	pid_t s = named_child("capsule-segv", 1, &r);
	close(r);
	out("segv_child=%d", s);
	wait_child(s);

	pid_t ab = named_child("capsule-abrt", 2, &r);
	close(r);
	out("abrt_child=%d", ab);
	wait_child(ab);
	return 0;
}

/* ---- a grandchild that outlives its parent ---- */

static int area_doublefork(int wait_for_it)
{
	int p[2];
	if (pipe(p))
		die("pipe");
	pid_t a = fork();
	if (a == 0) {
		close(p[0]);
		syscall(SYS_setsid);
		pid_t g = fork();
		if (g == 0) {
			syscall(SYS_prctl, PR_SET_NAME, "capsule-gchild", 0, 0, 0);
			msleep(400); /* its parent is long gone by now */
			int fd = syscall(SYS_openat, AT_FDCWD, path_in("grandchild-marker"), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
			if (fd >= 0) {
				if (write(fd, "alive", 5) != 5)
					_exit(1);
				close(fd);
			}
			_exit(0);
		}
		printf("grandchild=%d\n", g);
		fflush(stdout);
		_exit(0);
	}
	close(p[1]);
	out("middle=%d", a);
	wait_child(a);
	if (wait_for_it) {
		/* EOF once the grandchild (which holds the write end) exits */
		char c;
		while (read(p[0], &c, 1) > 0 || errno == EINTR)
			;
	}
	close(p[0]);
	return 0;
}

/* ---- misc ---- */

static int area_storm(long n)
{
	char *path = path_in("storm.dat");
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16)
		die("storm file");
	close(fd);
	char buf[64];
	for (long i = 0; i < n; i++) {
		fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY, 0);
		if (fd < 0)
			die("storm open");
		if (read(fd, buf, sizeof(buf)) != 16)
			die("storm read");
		close(fd);
	}
	out("storm=%ld", n);
	return 0;
}

/* Opens DIR/<name> every 50 ms for ms milliseconds: activity to find (or not) in a log. */
static int area_touch(const char *name, long ms)
{
	char line[4096];
	FILE *f = fopen("/proc/self/cgroup", "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			out("cgroup=%s", line + 3);
		}
	if (f)
		fclose(f);
	for (long t = 0; t <= ms; t += 50) {
		int fd = syscall(SYS_openat, AT_FDCWD, path_in(name), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		msleep(50);
	}
	return 0;
}

static int area_ctrl(void)
{
	int fd = syscall(SYS_openat, AT_FDCWD, path_in("evil\x1b[2J\nname"), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	out("ctrl_fd=%d", fd);
	if (fd >= 0)
		close(fd);
	return 0;
}

static int area_killself(void)
{
	syscall(SYS_kill, getpid(), SIGKILL);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: scenario AREA DIR [EXTRA]\n"
				"areas: process network file cred memory ipc devices sys ns signals\n"
				"       doublefork [wait] | storm N | touch NAME MS | ctrl | killself\n");
		return 2;
	}
	const char *area = argv[1];
	dir = argv[2];
	const char *extra = argc > 3 ? argv[3] : NULL;
	out("pid=%d", getpid());

	if (!strcmp(area, "process")) return area_process();
	if (!strcmp(area, "network")) return area_network();
	if (!strcmp(area, "file")) return area_file();
	if (!strcmp(area, "cred")) return area_cred();
	if (!strcmp(area, "memory")) return area_memory();
	if (!strcmp(area, "ipc")) return area_ipc();
	if (!strcmp(area, "devices")) return area_devices(extra);
	if (!strcmp(area, "sys")) return area_sys();
	if (!strcmp(area, "ns")) return area_ns(extra);
	if (!strcmp(area, "signals")) return area_signals();
	if (!strcmp(area, "doublefork")) return area_doublefork(extra && !strcmp(extra, "wait"));
	if (!strcmp(area, "storm")) return area_storm(extra ? atol(extra) : 1000);
	if (!strcmp(area, "touch")) return area_touch(extra ? extra : "touch-marker", argc > 4 ? atol(argv[4]) : 1000);
	if (!strcmp(area, "ctrl")) return area_ctrl();
	if (!strcmp(area, "killself")) return area_killself();
	fprintf(stderr, "scenario: unknown area '%s'\n", area);
	return 2;
}
