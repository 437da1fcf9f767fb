#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include "enrich/fdseed.h"
#include "format/describe.h"

static int starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && !memcmp(s, prefix, n);
}

/* the number inside "pipe:[123]" */
static uint64_t bracket_num(const char *s, size_t len)
{
	const char *b = memchr(s, '[', len);
	return b ? strtoull(b + 1, NULL, 10) : 0;
}

void cap_fdseed_classify(struct cap_fd_desc *d, const char *link, size_t len, unsigned st_mode,
			 uint64_t st_rdev, int accmode)
{
	static const struct { const char *anon; uint8_t kind; } anon[] = {
		{ "anon_inode:[eventfd]", CAP_FDK_EVENTFD }, { "anon_inode:[eventpoll]", CAP_FDK_EPOLL },
		{ "anon_inode:[timerfd]", CAP_FDK_TIMERFD }, { "anon_inode:[signalfd]", CAP_FDK_SIGNALFD },
		{ "anon_inode:[pidfd]", CAP_FDK_PIDFD }, { "anon_inode:inotify", CAP_FDK_INOTIFY },
	};
	memset(d, 0, sizeof(*d));
	d->kind = CAP_FDK_FILE;
	d->name = link;
	d->name_len = len;
	if (starts(link, len, "pipe:[")) {
		d->kind = CAP_FDK_PIPE;
		d->ino = d->pair = bracket_num(link, len);
		d->end = accmode == O_RDONLY ? CAP_FDE_READ : accmode == O_WRONLY ? CAP_FDE_WRITE : 0;
		return;
	}
	if (starts(link, len, "socket:[")) {
		d->kind = CAP_FDK_SOCKET;
		d->ino = bracket_num(link, len);
		return;
	}
	if (starts(link, len, "/memfd:")) {
		d->kind = CAP_FDK_MEMFD;
		d->name = link + 1;
		d->name_len = len - 1;
		if (d->name_len >= 10 && !memcmp(d->name + d->name_len - 10, " (deleted)", 10))
			d->name_len -= 10;
		return;
	}
	for (size_t i = 0; i < sizeof(anon) / sizeof(anon[0]); i++)
		if (starts(link, len, anon[i].anon)) {
			d->kind = anon[i].kind;
			return;
		}
	if (starts(link, len, "anon_inode:")) {
		d->kind = CAP_FDK_ANON;
		return;
	}
	unsigned type = st_mode & S_IFMT;
	if (type == S_IFDIR) {
		d->kind = CAP_FDK_DIR;
	} else if (type == S_IFCHR || type == S_IFBLK) {
		struct cap_fileinfo fi = { .mode = st_mode,
					   .rdev = (uint32_t)(major(st_rdev) << 20 | minor(st_rdev)) };
		d->kind = CAP_FDK_DEVICE;
		d->device = cap_file_device_class(&fi);
	} else if (type == S_IFIFO) {
		d->kind = CAP_FDK_FIFO;
	}
}

/* flags of /proc/PID/fdinfo/FD ("flags:\t0100002"), or -1 */
static long fdinfo_flags(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char buf[256];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *f = strstr(buf, "flags:");
	return f ? strtol(f + 6, NULL, 8) : -1;
}

int cap_fdseed_proc(struct cap_fdt *t, uint32_t pid, const char *proc_root)
{
	char fdp[128], infop[128];
	snprintf(fdp, sizeof(fdp), "%s/%u/fd", proc_root, pid);
	snprintf(infop, sizeof(infop), "%s/%u/fdinfo", proc_root, pid);
	return cap_fdseed_dir(t, pid, fdp, infop, 0);
}

/* Seeding runs on the event reader: it may look at CAP_FDSEED_FDS_PER_S fds a second in all
 * (a program that makes Capsule re-seed big fd tables in a loop gets unnamed fds, not a stalled
 * reader). */
#define CAP_FDSEED_FDS_PER_S 8192

static time_t budget_window;
static long budget_used;

static long budget_left(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec != budget_window) {
		budget_window = now.tv_sec;
		budget_used = 0;
	}
	return CAP_FDSEED_FDS_PER_S - budget_used;
}

int cap_fdseed_dir(struct cap_fdt *t, uint32_t pid, const char *fd_dir, const char *fdinfo_dir,
		   int skip_cloexec)
{
	int fdd = open(fd_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fdd < 0)
		return -errno;
	int infod = open(fdinfo_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fdopendir(fdd);
	if (!dir) {
		close(fdd);
		if (infod >= 0)
			close(infod);
		return -ENOMEM;
	}
	int count = 0;
	struct dirent *de;
	static char link[CAP_PATH_MAX + 1];
	long budget = budget_left(), seen = 0;
	/* a process with a million fds: the table keeps CAP_FDT_MAX_FDS_PROC of them anyway */
	for (; seen < CAP_FDT_MAX_FDS_PROC && seen < budget && (de = readdir(dir)); seen++) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		if (*end || end == de->d_name || fd < 0 || fd > INT32_MAX)
			continue;
		ssize_t len = readlinkat(fdd, de->d_name, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = 0;
		/* the type, inode and device of what the fd refers to, from cached attributes only:
		 * a file on a FUSE mount the agent serves must not make the reader wait for it */
		struct statx stx;
		if (statx(fdd, de->d_name, AT_STATX_DONT_SYNC, STATX_TYPE | STATX_INO, &stx))
			memset(&stx, 0, sizeof(stx));
		long flags = infod >= 0 ? fdinfo_flags(infod, de->d_name) : -1;
		if (skip_cloexec && (flags < 0 || (flags & O_CLOEXEC)))
			continue;
		struct cap_fd_desc d;
		cap_fdseed_classify(&d, link, len, stx.stx_mode, makedev(stx.stx_rdev_major, stx.stx_rdev_minor),
				    flags < 0 ? O_RDWR : (int)(flags & O_ACCMODE));
		if (d.kind == CAP_FDK_FILE || d.kind == CAP_FDK_DIR || d.kind == CAP_FDK_DEVICE)
			d.ino = stx.stx_ino;
		if (cap_fdt_install(t, pid, (int32_t)fd, &d, flags >= 0 && (flags & O_CLOEXEC)) == 0)
			count++;
	}
	budget_used += seen;
	closedir(dir);
	if (infod >= 0)
		close(infod);
	return count;
}

void cap_fdseed_cb(struct cap_fdt *t, uint32_t pid, void *ctx)
{
	(void)ctx;
	cap_fdseed_proc(t, pid, "/proc");
}
