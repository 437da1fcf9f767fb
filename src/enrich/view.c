#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <linux/sched.h>
#include "enrich/view.h"
#include "format/describe.h"
#include "format/names.h"

size_t cap_path_join(char *out, size_t n, const char *base, size_t blen, const char *rel, size_t rlen)
{
	size_t len = 0;
	/* components are appended one by one; ".." pops back to the previous '/' */
	const char *parts[2] = { base, rel };
	size_t lens[2] = { blen, rlen };

	if (n < 2)
		return 0;
	if (rlen && rel[0] == '/')
		lens[0] = 0;
	out[len++] = '/';
	for (int p = 0; p < 2; p++) {
		const char *s = parts[p], *end = s + lens[p];
		while (s < end) {
			while (s < end && *s == '/')
				s++;
			const char *c = s;
			while (s < end && *s != '/')
				s++;
			size_t cl = s - c;
			if (cl == 0 || (cl == 1 && c[0] == '.'))
				continue;
			if (cl == 2 && c[0] == '.' && c[1] == '.') {
				while (len > 1 && out[len - 1] != '/')
					len--;
				if (len > 1)
					len--; /* the '/' before the popped component */
				continue;
			}
			if (len > 1) {
				if (len + 1 >= n)
					break;
				out[len++] = '/';
			}
			if (len + cl >= n)
				cl = n - 1 - len;
			memcpy(out + len, c, cl);
			len += cl;
		}
	}
	out[len] = 0;
	return len;
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !memcmp(s + a - b, suf, b);
}

int cap_path_is_persistence(const char *p)
{
	static const char *const suffixes[] = {
		"/.bashrc", "/.bash_profile", "/.bash_login", "/.bash_logout", "/.profile", "/.zshrc",
		"/.zprofile", "/.zshenv", "/.config/fish/config.fish", "/.ssh/authorized_keys",
		"/.ssh/authorized_keys2", "/.ssh/rc", "/.pam_environment", "/.xinitrc", "/.xprofile",
		"/etc/rc.local", "/etc/ld.so.preload", "/etc/profile", "/etc/bash.bashrc",
		"/etc/environment", "/etc/sudoers", "/etc/passwd", "/etc/shadow", "/etc/crontab",
	};
	static const char *const inside[] = {
		"/.config/autostart/", "/.config/systemd/user/", "/.local/share/systemd/user/",
		"/etc/cron.", "/var/spool/cron/", "/etc/systemd/system/", "/lib/systemd/system/",
		"/etc/init.d/", "/etc/profile.d/", "/etc/sudoers.d/", "/etc/update-motd.d/",
		"/etc/xdg/autostart/", "/etc/ld.so.conf.d/",
	};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (has_suffix(p, suffixes[i]))
			return 1;
	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		if (strstr(p, inside[i]))
			return 1;
	return 0;
}

int cap_path_is_secret(const char *p)
{
	static const char *const inside[] = {
		"/.ssh/id_", "/.aws/credentials", "/.config/gcloud/", "/.kube/config", "/.gnupg/",
		"/.docker/config.json", "/.git-credentials", "/.netrc", "/etc/shadow", "/etc/gshadow",
		"/.npmrc", "/.pypirc", "/.config/gh/hosts.yml",
	};
	if (has_suffix(p, "/.env"))
		return 1;
	for (size_t i = 0; i < sizeof(inside) / sizeof(inside[0]); i++)
		if (strstr(p, inside[i]))
			return 1;
	return 0;
}

static const char *path_warning(const struct cap_view *v, const struct cap_event *ev, int writes)
{
	for (int i = 0; i < v->npaths; i++) {
		if (writes && cap_path_is_persistence(v->path[i]))
			return "write to a persistence path";
		if (!writes && ev->hdr.ret >= 0 && cap_path_is_secret(v->path[i]))
			return "read of a secret";
	}
	return NULL;
}

static void syscall_view(struct cap_view *v, const struct cap_event *ev)
{
	const struct cap_syscall *sc = ev->sc;
	const char *n = sc->name;
	const __u64 *a = ev->hdr.args;
	long ret = ev->hdr.ret;
	uint64_t flags = 0;
	int is_open = sc->rett == CAP_R_FD_FILE;

	/* resolved paths */
	for (int i = 0; i < 6 && v->npaths < CAP_VIEW_PATHS; i++) {
		if (sc->args[i].capture != CAP_A_PATH)
			continue;
		const struct cap_fieldref *s = cap_event_field(ev, CAP_F_STR, i);
		const struct cap_fieldref *b = cap_event_field(ev, CAP_F_BASE, i);
		if (!s)
			continue;
		int k = v->npaths++;
		v->path_arg[k] = i;
		v->path_len[k] = cap_path_join(v->path[k], sizeof(v->path[k]), b ? (const char *)b->data : "",
					       b ? b->len : 0, (const char *)s->data, s->len);
	}
	if (cap_event_struct(ev, CAP_F_FILE, 6, &v->file, sizeof(v->file)) ||
	    cap_event_struct(ev, CAP_F_FILE, 0, &v->file, sizeof(v->file)) ||
	    cap_event_struct(ev, CAP_F_FILE, 4, &v->file, sizeof(v->file))) {
		v->has_file = 1;
		v->device = cap_file_device_class(&v->file);
		v->fs = cap_fs_name(v->file.magic);
	}

	if (is_open) {
		if (!strcmp(n, "openat2"))
			cap_event_u64(ev, 2, &flags);
		else if (!strcmp(n, "creat"))
			flags = O_CREAT | O_WRONLY | O_TRUNC;
		else
			flags = !strcmp(n, "open") ? a[1] : a[2];
		v->writes = (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND)) != 0;
		if (v->writes && v->fs && (!strcmp(v->fs, "cgroup2") || !strcmp(v->fs, "cgroup")))
			v->warning = "write to a cgroup file";
		else if (v->device && cap_device_is_sensitive(v->device))
			v->warning = "access to a sensitive device";
		else
			v->warning = path_warning(v, ev, v->writes);
		return;
	}
	switch (sc->area) {
	case AREA_file:
		if (sc->args[0].capture == CAP_A_FD || !strncmp(n, "dup", 3) || !strcmp(n, "close_range"))
			return; /* close, dup, read, write: no path */
		v->writes = 1;
		v->warning = path_warning(v, ev, 1);
		return;
	case AREA_mem:
		if (!strcmp(n, "mmap") || !strcmp(n, "mprotect") || !strcmp(n, "pkey_mprotect")) {
			if ((a[2] & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC))
				v->warning = "W+X mapping";
		} else if (!strcmp(n, "ptrace")) {
			if (a[0] != 0 /* PTRACE_TRACEME */)
				v->warning = "ptrace of another process";
		} else if (!strcmp(n, "process_vm_writev")) {
			v->warning = "writes another process's memory";
		} else if (strstr(n, "module")) {
			v->warning = "kernel module load/unload";
		} else if (!strcmp(n, "bpf")) {
			v->warning = "BPF syscall";
		}
		return;
	case AREA_cred:
		if (ret == 0 && !strcmp(n, "capset"))
			v->warning = "capabilities changed";
		else if (ret == 0 && strstr(n, "uid"))
			for (int i = 0; i < 3 && sc->args[i].name; i++)
				if ((uint32_t)a[i] == 0)
					v->warning = "became root";
		return;
	case AREA_ns:
		if (!strcmp(n, "setns"))
			v->warning = "joined a namespace";
		else if (!strcmp(n, "clone3") ? (cap_event_u64(ev, 0, &flags), flags & CLONE_NEWUSER)
					       : a[0] & CLONE_NEWUSER)
			v->warning = "user namespace created";
		else
			v->warning = "namespace created";
		return;
	case AREA_sys:
		v->warning = "system configuration change";
		if (!strcmp(n, "mount") || !strcmp(n, "umount2"))
			v->warning = "mount table change";
		return;
	case AREA_ipc:
		if (v->npaths)
			v->warning = path_warning(v, ev, 1);
		return;
	case AREA_dev:
		if (v->device && cap_device_is_sensitive(v->device))
			v->warning = "ioctl on a sensitive device";
		return;
	}
}

static void exec_view(struct cap_view *v, const struct cap_event *ev)
{
	struct cap_cred c;
	const struct cap_fieldref *p = cap_event_field(ev, CAP_F_FDPATH, 6);
	if (!p)
		p = cap_event_field(ev, CAP_F_STR, 0);
	if (p) {
		v->npaths = 1;
		v->path_arg[0] = 0;
		v->path_len[0] = cap_path_join(v->path[0], sizeof(v->path[0]), "", 0, (const char *)p->data, p->len);
	}
	if (cap_event_struct(ev, CAP_F_FILE, 6, &v->file, sizeof(v->file)))
		v->has_file = 1;
	/* a script: the kernel ran the interpreter (path[0]) on the file exec'd (filename); the
	 * kernel describes that file too (argument 0: its inode and absolute path) */
	const struct cap_fieldref *sp = cap_event_field(ev, CAP_F_STR, 0);
	if (sp && cap_event_field(ev, CAP_F_INTERP, -1)) {
		const struct cap_fieldref *cwd = cap_event_field(ev, CAP_F_CWD, -1);
		const struct cap_fieldref *kp = cap_event_field(ev, CAP_F_FDPATH, 0);
		v->has_script = 1;
		if (kp)
			v->path_len[1] = cap_path_join(v->path[1], sizeof(v->path[1]), "", 0, (const char *)kp->data,
						       kp->len);
		else
			v->path_len[1] = cap_path_join(v->path[1], sizeof(v->path[1]),
						       cwd ? (const char *)cwd->data : "", cwd ? cwd->len : 0,
						       (const char *)sp->data, sp->len);
		if (cap_event_struct(ev, CAP_F_FILE, 0, &v->script_file, sizeof(v->script_file)))
			v->has_script_file = 1;
	}
	if (v->has_file && (v->file.mode & (S_ISUID | S_ISGID)))
		v->warning = v->file.mode & S_ISUID ? "exec of a setuid binary" : "exec of a setgid binary";
	if (cap_event_struct(ev, CAP_F_CRED, 0, &c, sizeof(c)) && c.uid != 0 &&
	    (c.euid == 0 || c.cap_effective != 0))
		v->warning = "privilege gain at exec";
}

/* The preview of a read or write, cut to preview_max. */
static void data_view(struct cap_view *v, const struct cap_event *ev)
{
	const struct cap_fieldref *f = cap_event_field(ev, CAP_F_DATA, -1);
	if (!f || !v->preview_max)
		return;
	v->data = f->data;
	v->data_len = f->len < v->preview_max ? f->len : v->preview_max;
	v->data_total = ev->sc->args[1].capture == CAP_A_MMSGHDR || ev->hdr.ret < 0 ? f->len : (uint64_t)ev->hdr.ret;
}

void cap_view_build(struct cap_view *v, const struct cap_event *ev)
{
	v->data = NULL;
	v->data_len = v->data_total = 0;
	v->dns = NULL;
	v->npaths = 0;
	v->has_file = 0;
	v->device = v->fs = v->warning = NULL;
	v->writes = 0;
	v->has_script = 0;
	v->has_script_file = 0;
	v->session_written = 0;
	v->image_sha256[0] = 0;
	v->image_note = NULL;
	v->nfds = 0;
	if (ev->hdr.type == CAP_REC_SYSCALL) {
		syscall_view(v, ev);
		data_view(v, ev);
	}
	else if (ev->hdr.type == CAP_REC_EXEC)
		exec_view(v, ev);
	/* one place for the area every output shows: a file event on a device is a device's */
	v->area = cap_event_area(ev);
	if (v->device && v->area == AREA_file)
		v->area = AREA_dev;
}
