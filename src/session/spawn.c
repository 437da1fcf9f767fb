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

/* In the child: become the user. Any failure is fatal (never run the agent as root by mistake).
 * Only system calls here: capsule has threads when it forks, and a lock one of them held (in
 * malloc, say) stays locked forever in the child; the environment is made before the fork. */
static int drop_privileges(const struct cap_user *u)
{
	if (setgroups(u->ngroups, u->groups) || setresgid(u->gid, u->gid, u->gid) ||
	    setresuid(u->uid, u->uid, u->uid))
		return -errno;
	if (u->uid != 0 && setuid(0) == 0)
		return -EPERM; /* privileges were not dropped */
	return 0;
}

/* The agent's environment: capsule's, with the user's HOME, USER, LOGNAME and SHELL. */
static char **user_environ(const struct cap_user *u, char *vars, size_t varsn)
{
	static const char *const names[] = { "HOME=", "USER=", "LOGNAME=", "SHELL=" };
	const char *vals[] = { u->home, u->name, u->name, u->shell };
	size_t n = 0, k = 0, used = 0;
	while (environ && environ[n])
		n++;
	char **env = calloc(n + 5, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;
		for (int j = 0; j < 4; j++)
			replaced |= !strncmp(environ[i], names[j], strlen(names[j])) && (j < 3 || u->shell[0]);
		if (!replaced)
			env[k++] = environ[i];
	}
	for (int j = 0; j < 4; j++) {
		if (j == 3 && !u->shell[0])
			continue; /* no shell known: SHELL stays as it was */
		int w = snprintf(vars + used, varsn - used, "%s%s", names[j], vals[j]);
		if (w < 0 || (size_t)w >= varsn - used) {
			free(env);
			return NULL;
		}
		env[k++] = vars + used;
		used += w + 1;
	}
	env[k] = NULL;
	return env;
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

/* What the child reports on the error pipe when it cannot go on. */
struct child_error {
	int stage; /* STAGE_* */
	int err;   /* errno */
};
enum { STAGE_CGROUP = 1, STAGE_USER, STAGE_EXEC };

static void child_fail(int err_fd, int stage, int err)
{
	struct child_error ce = { stage, err };
	if (write(err_fd, &ce, sizeof(ce)) < 0)
		_exit(127);
	_exit(127);
}

/* The child moves itself into the session's cgroup (as root: the cgroup is root's), then
 * prepares everything else (signals, privileges) and says it is ready. The parent attaches the
 * BPF programs only after that, so none of this set-up is recorded; after the go byte the
 * child only execs. Moving itself lets the move (~13 ms here: the first migration into a new
 * cgroup waits for an RCU grace period) overlap the parent's loading of the programs. */
static void child(char *const argv[], char *const envp[], const struct cap_user *u, struct cap_cgroup *cg,
		  pid_t parent, int go_fd, int ready_fd, int err_fd)
{
	sigset_t all;
	char c;
	int e;

	/* undo what capsule's own signal handling set up */
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	e = cap_cgroup_add(cg, 0); /* "0": this process */
	if (e)
		child_fail(err_fd, STAGE_CGROUP, -e);
	e = drop_privileges(u);
	if (e)
		child_fail(err_fd, STAGE_USER, -e);
	/* if capsule dies, so does the agent it can no longer trace (after the uid change, which
	 * resets the parent-death signal; a parent already gone is seen by getppid) */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	/* the pipes are close-on-exec: nothing to close by hand */
	if (write(ready_fd, "r", 1) != 1 || read(go_fd, &c, 1) != 1)
		_exit(127);
	execvpe(argv[0], argv, envp);
	e = errno;
	if (e == EACCES && !strchr(argv[0], '/') && !found_in_path(argv[0]))
		e = ENOENT; /* an unsearchable PATH folder, not the command, said EACCES */
	child_fail(err_fd, STAGE_EXEC, e);
}

int cap_spawn_start(struct cap_spawn *sp, char *const argv[], const struct cap_user *u, struct cap_cgroup *cg,
		    char *err, size_t errsz)
{
	int go[2], ready[2], ep[2];
	pid_t parent = getpid();

	memset(sp, 0, sizeof(*sp));
	sp->pid = -1;
	sp->go_fd = sp->ready_fd = sp->err_fd = -1;
	sp->envp = user_environ(u, sp->env_vars, sizeof(sp->env_vars));
	if (!sp->envp) {
		errno = ENOMEM;
		goto fail;
	}
	if (pipe2(go, O_CLOEXEC) < 0)
		goto fail;
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		goto fail;
	}
	if (pipe2(ep, O_CLOEXEC) < 0) {
		close(go[0]);
		close(go[1]);
		close(ready[0]);
		close(ready[1]);
		goto fail;
	}
	sp->pid = fork();
	if (sp->pid < 0) {
		int e = errno;
		for (int i = 0; i < 2; i++) {
			close(go[i]);
			close(ready[i]);
			close(ep[i]);
		}
		errno = e;
		goto fail;
	}
	if (sp->pid == 0) {
		close(go[1]);
		close(ready[0]);
		close(ep[0]);
		child(argv, sp->envp, u, cg, parent, go[0], ready[1], ep[1]);
	}
	close(go[0]);
	close(ready[1]);
	close(ep[1]);
	sp->go_fd = go[1];
	sp->ready_fd = ready[0];
	sp->err_fd = ep[0];
	snprintf(sp->argv0, sizeof(sp->argv0), "%s", argv[0]);
	snprintf(sp->user, sizeof(sp->user), "%s", u->name);
	snprintf(sp->cgroup, sizeof(sp->cgroup), "%s", cg->path);
	return 0;
fail:
	snprintf(err, errsz, "cannot start %s: %s", argv[0], strerror(errno));
	int e = errno;
	free(sp->envp);
	sp->envp = NULL;
	return -e;
}

void cap_spawn_abort(struct cap_spawn *sp)
{
	if (sp->pid > 0) {
		kill(sp->pid, SIGKILL);
		waitpid(sp->pid, NULL, 0);
	}
	sp->pid = -1;
	free(sp->envp);
	sp->envp = NULL;
	int *fds[] = { &sp->go_fd, &sp->ready_fd, &sp->err_fd };
	for (int i = 0; i < 3; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Reads the child's report from the error pipe: 0 at end of file (it exec'd, or died
 * without a word), else its errno with the message in err. */
static int child_error(struct cap_spawn *sp, char *err, size_t errsz)
{
	struct child_error ce;
	ssize_t n;
	do
		n = read(sp->err_fd, &ce, sizeof(ce));
	while (n < 0 && errno == EINTR);
	if (n == 0)
		return 0;
	if (n != sizeof(ce)) {
		snprintf(err, errsz, "cannot start %s: the child exited before exec", sp->argv0);
		return ECHILD;
	}
	if (ce.stage == STAGE_CGROUP)
		snprintf(err, errsz, "cannot move the agent into cgroup %s: %s", sp->cgroup, strerror(ce.err));
	else if (ce.stage == STAGE_EXEC && ce.err == ENOENT)
		snprintf(err, errsz, "command not found: %s", sp->argv0);
	else
		snprintf(err, errsz, "cannot run %s as %s: %s", sp->argv0, sp->user, strerror(ce.err));
	return ce.err ? ce.err : ECHILD;
}

int cap_spawn_ready(struct cap_spawn *sp, char *err, size_t errsz)
{
	char c;
	ssize_t r;
	do
		r = read(sp->ready_fd, &c, 1);
	while (r < 0 && errno == EINTR);
	close(sp->ready_fd);
	sp->ready_fd = -1;
	if (r == 1)
		return 0;
	/* it failed before it was ready (cgroup, privileges) and says why, or died: it must
	 * never be sent the go byte, which would let it run untraced */
	int e = child_error(sp, err, errsz);
	if (!e) {
		snprintf(err, errsz, "cannot start %s: the child exited before exec", sp->argv0);
		e = ECHILD;
	}
	cap_spawn_abort(sp);
	return -e;
}

pid_t cap_spawn_go(struct cap_spawn *sp, char *err, size_t errsz)
{
	pid_t pid = sp->pid;
	if (write(sp->go_fd, "g", 1) != 1) {
		/* the child died before exec (it reports why on the error pipe) */
	}
	close(sp->go_fd);
	sp->go_fd = -1;
	/* the error pipe closes at the exec (close-on-exec), or carries why the exec failed */
	int e = child_error(sp, err, errsz);
	close(sp->err_fd);
	sp->err_fd = -1;
	free(sp->envp);
	sp->envp = NULL;
	sp->pid = -1; /* from here the caller's: it waits for it */
	if (e) {
		waitpid(pid, NULL, 0);
		return -e;
	}
	return pid;
}
