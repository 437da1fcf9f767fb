#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "session/cgroup.h"

int cap_cgroup2_mount(char *buf, size_t n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int ret = -ENOENT;

	if (!f)
		return -errno;
	/* mountinfo: id parent maj:min root mountpoint options ... - fstype source superopts */
	while (fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - ");
		char mnt[1024];
		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %1023s", mnt) != 1)
			continue;
		/* mountinfo escapes spaces as \040; cgroup2 mounts with spaces are not supported */
		if (strlen(mnt) >= n)
			continue;
		snprintf(buf, n, "%s", mnt);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static int write_file(int dirfd, const char *name, const char *val)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, val, strlen(val));
	int ret = n < 0 ? -errno : 0;
	close(fd);
	return ret;
}

int cap_cgroup_create(struct cap_cgroup *cg, const char *name, char *err, size_t errsz)
{
	char parent[600];
	struct stat st;
	int ret;

	memset(cg, 0, sizeof(*cg));
	cg->dirfd = -1;
	ret = cap_cgroup2_mount(cg->mount, sizeof(cg->mount));
	if (ret) {
		snprintf(err, errsz, "cgroup v2 is not mounted: mount it (mount -t cgroup2 none /sys/fs/cgroup/unified) "
			 "or boot with systemd.unified_cgroup_hierarchy=1");
		return ret;
	}
	snprintf(parent, sizeof(parent), "%s/capsule", cg->mount);
	if (mkdir(parent, 0755) && errno != EEXIST) {
		ret = -errno;
		snprintf(err, errsz, "cannot create %s: %s", parent, strerror(errno));
		return ret;
	}
	snprintf(cg->path, sizeof(cg->path), "%s/%s", parent, name);
	if (mkdir(cg->path, 0755)) {
		ret = -errno;
		snprintf(err, errsz, "cannot create cgroup %s: %s", cg->path, strerror(errno));
		return ret;
	}
	cg->dirfd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->dirfd < 0 || fstat(cg->dirfd, &st)) {
		ret = -errno;
		snprintf(err, errsz, "cannot open cgroup %s: %s", cg->path, strerror(errno));
		rmdir(cg->path);
		return ret;
	}
	cg->id = st.st_ino;
	/* depth below the root of the hierarchy: one per path component after the mount */
	cg->level = 0;
	for (const char *p = cg->path + strlen(cg->mount); *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			cg->level++;
	return 0;
}

int cap_cgroup_add(struct cap_cgroup *cg, int pid)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%d", pid);
	return write_file(cg->dirfd, "cgroup.procs", buf);
}

bool cap_cgroup_populated(struct cap_cgroup *cg)
{
	char buf[256] = "";
	int fd = openat(cg->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	return strstr(buf, "populated 1") != NULL;
}

unsigned cap_cgroup_count(struct cap_cgroup *cg)
{
	int fd = openat(cg->dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	unsigned n = 0;
	int pid;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (fscanf(f, "%d", &pid) == 1)
		n++;
	fclose(f);
	return n;
}

static void kill_listed(int dirfd)
{
	int fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
	int pid;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (fscanf(f, "%d", &pid) == 1)
		kill(pid, SIGKILL);
	fclose(f);
}

int cap_cgroup_kill(struct cap_cgroup *cg)
{
	if (write_file(cg->dirfd, "cgroup.kill", "1") == 0)
		return 0;
	/* before 5.14 there is no cgroup.kill: freeze, kill each, thaw */
	write_file(cg->dirfd, "cgroup.freeze", "1");
	kill_listed(cg->dirfd);
	write_file(cg->dirfd, "cgroup.freeze", "0");
	return 0;
}

/* Removes child cgroups depth-first, then dir itself. */
static int remove_tree(const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *e;
	if (d && depth < 16) {
		while ((e = readdir(d))) {
			char sub[4096];
			if (e->d_type != DT_DIR || e->d_name[0] == '.')
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			remove_tree(sub, depth + 1);
		}
	}
	if (d)
		closedir(d);
	return rmdir(path) ? -errno : 0;
}

int cap_cgroup_remove(struct cap_cgroup *cg)
{
	int ret = 0;
	if (cg->dirfd < 0)
		return 0;
	/* processes take a moment to leave after SIGKILL: retry for up to ~2 s */
	for (int i = 0; i < 200; i++) {
		if (cap_cgroup_populated(cg))
			cap_cgroup_kill(cg);
		ret = remove_tree(cg->path, 0);
		if (ret != -EBUSY)
			break;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	close(cg->dirfd);
	cg->dirfd = -1;
	return ret;
}

void cap_cgroup_reap_stale(void)
{
	char mnt[512], parent[600];
	DIR *d;
	struct dirent *e;

	if (cap_cgroup2_mount(mnt, sizeof(mnt)))
		return;
	snprintf(parent, sizeof(parent), "%s/capsule", mnt);
	d = opendir(parent);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char sub[2048];
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		/* session names end in -<pid of the capsule that owns it>; leave live owners alone */
		const char *dash = strrchr(e->d_name, '-');
		int owner = dash ? atoi(dash + 1) : 0;
		if (owner <= 0 || kill(owner, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", parent, e->d_name);
		if (rmdir(sub) && errno == EBUSY) {
			/* the agent outlived a killed capsule: it runs untraced, so stop it */
			struct cap_cgroup cg = { .dirfd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC) };
			snprintf(cg.path, sizeof(cg.path), "%s", sub);
			if (cg.dirfd >= 0)
				cap_cgroup_remove(&cg);
		}
	}
	closedir(d);
}
