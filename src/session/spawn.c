#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "session/spawn.h"

static int parse_id(const char *s, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 0xfffffffeUL)
		return -EINVAL;
	*out = v;
	return 0;
}

int cap_user_resolve(struct cap_user *u, const char *name, bool allow_root, char *err, size_t errsz)
{
	struct passwd *pw = NULL;
	unsigned id;
	const char *sudo_uid = getenv("SUDO_UID"), *sudo_gid = getenv("SUDO_GID");

	memset(u, 0, sizeof(*u));
	if (name) {
		pw = getpwnam(name);
		if (!pw && parse_id(name, &id) == 0)
			pw = getpwuid(id);
		if (!pw) {
			snprintf(err, errsz, "unknown user '%s' (--user takes a name or uid from the passwd database)", name);
			return -ENOENT;
		}
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
	} else if (sudo_uid && parse_id(sudo_uid, &id) == 0) {
		u->uid = id;
		pw = getpwuid(id);
		u->gid = pw ? pw->pw_gid : id;
		if (sudo_gid && parse_id(sudo_gid, &id) == 0)
			u->gid = id;
	} else {
		u->uid = getuid();
		u->gid = getgid();
		pw = getpwuid(u->uid);
	}
	if (u->uid == 0 && !allow_root) {
		snprintf(err, errsz, "refusing to run the agent as root: run capsule with sudo from your "
			 "account, pass --user NAME, or --allow-root if you really mean it");
		return -EPERM;
	}
	if (pw) {
		snprintf(u->name, sizeof(u->name), "%s", pw->pw_name);
		snprintf(u->home, sizeof(u->home), "%s", pw->pw_dir);
		snprintf(u->shell, sizeof(u->shell), "%s", pw->pw_shell);
		u->ngroups = sizeof(u->groups) / sizeof(u->groups[0]);
		if (getgrouplist(pw->pw_name, u->gid, u->groups, &u->ngroups) < 0)
			u->ngroups = 0;
	} else {
		snprintf(u->name, sizeof(u->name), "%u", u->uid);
		snprintf(u->home, sizeof(u->home), "/");
		u->groups[0] = u->gid;
		u->ngroups = 1;
	}
	return 0;
}

/* In the child: become the user. Any failure is fatal (never run the agent as root by mistake). */
static int drop_privileges(const struct cap_user *u)
{
	if (setgroups(u->ngroups, u->groups) || setresgid(u->gid, u->gid, u->gid) ||
	    setresuid(u->uid, u->uid, u->uid))
		return -errno;
	if (u->uid != 0 && setuid(0) == 0)
		return -EPERM; /* privileges were not dropped */
	setenv("HOME", u->home, 1);
	setenv("USER", u->name, 1);
	setenv("LOGNAME", u->name, 1);
	if (u->shell[0])
		setenv("SHELL", u->shell, 1);
	return 0;
}

/* Whether name exists in some PATH folder (execvp reports EACCES for a folder it cannot
 * search even when the command is nowhere). */
static bool found_in_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[4096];
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, name) < (int)sizeof(buf) &&
		    access(buf, F_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* The child prepares everything (signals, privileges) before it is moved into the traced cgroup,
 * tells the parent it is ready, and after the move does nothing but read the go byte (not a
 * recorded syscall) and exec: so the session starts with the agent's exec, not with Capsule's
 * own set-up calls. */
static void child(char *const argv[], const struct cap_user *u, pid_t parent, int go_fd, int ready_fd,
		  int err_fd)
{
	sigset_t all;
	char c;
	int e;

	/* undo what capsule's own signal handling set up */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);

	e = drop_privileges(u);
	if (!e) {
		/* if capsule dies, so does the agent it can no longer trace */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		/* ready: the parent now moves us into the cgroup and sends the go byte (the pipes
		 * are close-on-exec, so nothing is closed by hand after the move) */
		if (write(ready_fd, "r", 1) != 1 || read(go_fd, &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		if (errno == EACCES && !strchr(argv[0], '/') && !found_in_path(argv[0]))
			errno = ENOENT; /* an unsearchable PATH folder, not the command, said EACCES */
	}
	e = e ? -e : errno;
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

pid_t cap_spawn(char *const argv[], const struct cap_user *u, struct cap_cgroup *cg, char *err, size_t errsz)
{
	int go[2], ready[2], ep[2], e = 0, ret;
	pid_t pid, parent = getpid();
	char c;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(ready, O_CLOEXEC)) {
		ret = -errno;
		close(go[0]);
		close(go[1]);
		return ret;
	}
	if (pipe2(ep, O_CLOEXEC)) {
		ret = -errno;
		close(go[0]);
		close(go[1]);
		close(ready[0]);
		close(ready[1]);
		return ret;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		snprintf(err, errsz, "fork: %s", strerror(errno));
		close(go[0]);
		close(go[1]);
		close(ready[0]);
		close(ready[1]);
		close(ep[0]);
		close(ep[1]);
		return ret;
	}
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		close(ep[0]);
		child(argv, u, parent, go[0], ready[1], ep[1]);
	}
	close(go[0]);
	close(ready[1]);
	close(ep[1]);
	ssize_t r;
	do
		r = read(ready[0], &c, 1);
	while (r < 0 && errno == EINTR);
	close(ready[0]);
	if (r != 1) {
		/* it failed before it was ready (privileges) and says why on ep, or died: it must
		 * never be sent the go byte, which would let it run untraced */
		ssize_t n;
		do
			n = read(ep[0], &e, sizeof(e));
		while (n < 0 && errno == EINTR);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(go[1]);
		close(ep[0]);
		if (n == sizeof(e)) {
			snprintf(err, errsz, "cannot run %s as %s: %s", argv[0], u->name, strerror(e));
			return -e;
		}
		snprintf(err, errsz, "cannot start %s: the child exited before exec", argv[0]);
		return -ECHILD;
	}
	ret = cap_cgroup_add(cg, pid);
	if (ret) {
		snprintf(err, errsz, "cannot move the agent into cgroup %s: %s", cg->path, strerror(-ret));
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(go[1]);
		close(ep[0]);
		return ret;
	}
	if (write(go[1], "g", 1) != 1) {
		/* the child died before exec (it reports why on ep) */
	}
	close(go[1]);
	ssize_t n;
	do
		n = read(ep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(ep[0]);
	if (n == sizeof(e)) {
		waitpid(pid, NULL, 0);
		if (e == ENOENT)
			snprintf(err, errsz, "command not found: %s", argv[0]);
		else
			snprintf(err, errsz, "cannot run %s as %s: %s", argv[0], u->name, strerror(e));
		return -e;
	}
	if (n > 0) { /* a partial errno: treat as a failed start */
		waitpid(pid, NULL, 0);
		snprintf(err, errsz, "cannot start %s: the child exited before exec", argv[0]);
		return -ECHILD;
	}
	return pid;
}
