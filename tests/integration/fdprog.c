/* The "agent" of tests/integration/test_fdtable.py: fd juggling the fd table must follow.
 *
 *   fdprog dup2file PATH        open PATH, dup2 it onto stdout, write to stdout
 *   fdprog cloexec PATH         open PATH twice (one O_CLOEXEC), exec itself to write to both
 *   fdprog manyfds N PROCS      PROCS processes holding N fds each at once, then close_range
 *   fdprog forks N              N short-lived child processes (at most 32 alive at a time)
 *   fdprog passfd PATH          a child opens PATH and passes the fd with SCM_RIGHTS; we write to it
 *
 * Values the tests need (fds, pids) go to stderr as key=value lines when stdout is taken. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int dup2file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return perror("open"), 1;
	printf("file_fd=%d\n", fd);
	fflush(stdout);
	if (dup2(fd, 1) != 1)
		return perror("dup2"), 1;
	close(fd);
	if (write(1, "into the file\n", 14) != 14)
		return 1;
	return 0;
}

static int cloexec(const char *self, const char *path)
{
	int a = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int b = open(path, O_WRONLY | O_APPEND);
	if (a < 0 || b < 0)
		return perror("open"), 1;
	char as[16], bs[16];
	snprintf(as, sizeof(as), "%d", a);
	snprintf(bs, sizeof(bs), "%d", b);
	printf("cloexec_fd=%d\nkept_fd=%d\n", a, b);
	fflush(stdout);
	execl(self, self, "cloexec-child", as, bs, (char *)NULL);
	return perror("exec"), 1;
}

static int cloexec_child(int a, int b)
{
	/* a was close-on-exec: EBADF; b was kept */
	int ra = write(a, "a\n", 2);
	int rb = write(b, "b\n", 2);
	printf("write_a=%d\nwrite_b=%d\n", ra < 0 ? -errno : ra, rb);
	return rb == 2 && ra < 0 ? 0 : 1;
}

/* procs processes each holding n fds open at the same time (the hard RLIMIT_NOFILE may be
 * lower than the total), then closing them with close_range */
static int manyfds(long n, int procs)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	if ((rlim_t)n + 64 > rl.rlim_max)
		return fprintf(stderr, "fdprog: hard RLIMIT_NOFILE %lu < %ld\n", (unsigned long)rl.rlim_max, n + 64), 1;
	rl.rlim_cur = n + 64;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		return perror("setrlimit"), 1;
	int ready[2], go[2];
	if (pipe(ready) || pipe(go))
		return perror("pipe"), 1;
	for (int i = 1; i < procs; i++)
		if (fork() == 0) {
			procs = 0; /* a child: open, report, wait */
			break;
		}
	long opened = 0;
	for (long i = 0; i < n; i++) {
		if (open("/dev/null", O_RDONLY) < 0)
			break;
		opened++;
	}
	char c = opened == n ? 'y' : 'n';
	if (write(ready[1], &c, 1) != 1)
		return 1;
	int ok = 1;
	if (procs) {
		/* the parent: once everyone holds its fds, let them all go */
		for (int i = 0; i < procs; i++)
			if (read(ready[0], &c, 1) != 1 || c != 'y')
				ok = 0;
		close(go[1]);
		for (int i = 1; i < procs; i++)
			wait(NULL);
		printf("opened_total=%ld\n", ok ? n * procs : -1);
		fflush(stdout);
	} else {
		close(go[1]);
		if (read(go[0], &c, 1) != 0)
			ok = 0;
	}
	if (syscall(SYS_close_range, 3, ~0U, 0))
		return perror("close_range"), 1;
	return ok ? 0 : 1;
}

static int forks(long n)
{
	long alive = 0, done = 0;
	for (long i = 0; i < n; i++) {
		if (alive >= 32) {
			if (wait(NULL) > 0)
				done++;
			alive--;
		}
		pid_t p = fork();
		if (p == 0) {
			int fd = open("/dev/null", O_RDONLY);
			close(fd);
			_exit(0);
		}
		if (p > 0)
			alive++;
	}
	while (alive-- > 0)
		if (wait(NULL) > 0)
			done++;
	printf("forked=%ld\n", done);
	return done == n ? 0 : 1;
}

/* a child opens PATH and passes the fd over a socketpair with SCM_RIGHTS; we use it */
static int passfd(const char *path)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return perror("socketpair"), 1;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	char byte = 'f';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	pid_t p = fork();
	if (p == 0) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(1);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
		_exit(sendmsg(sv[1], &m, 0) == 1 ? 0 : 1);
	}
	if (recvmsg(sv[0], &m, 0) != 1)
		return perror("recvmsg"), 1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return fprintf(stderr, "fdprog: no fd received\n"), 1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	printf("received_fd=%d\n", fd);
	fflush(stdout);
	waitpid(p, NULL, 0);
	if (write(fd, "passed\n", 7) != 7)
		return 1;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "dup2file"))
		return dup2file(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "cloexec"))
		return cloexec(argv[0], argv[2]);
	if (argc == 4 && !strcmp(argv[1], "cloexec-child"))
		return cloexec_child(atoi(argv[2]), atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "manyfds"))
		return manyfds(atol(argv[2]), atoi(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "passfd"))
		return passfd(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "forks"))
		return forks(atol(argv[2]));
	fprintf(stderr, "usage: fdprog dup2file PATH | cloexec PATH | manyfds N PROCS | forks N | passfd PATH\n");
	return 2;
}
