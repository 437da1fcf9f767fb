/* One JSON object per event: raw numbers and decoded names, every string escaped. */
#include <string.h>
#include <time.h>
#include "format/json.h"
#include "format/describe.h"
#include "format/fdtarget.h"
#include "format/names.h"

static void key(struct sbuf *b, const char *k)
{
	sb_putc(b, ',');
	sb_putc(b, '"');
	sb_puts(b, k);
	sb_puts(b, "\":");
}

static void kv_u64(struct sbuf *b, const char *k, uint64_t v)
{
	key(b, k);
	sb_u64(b, v);
}

static void kv_i64(struct sbuf *b, const char *k, int64_t v)
{
	key(b, k);
	sb_i64(b, v);
}

static void kv_cstr(struct sbuf *b, const char *k, const char *v)
{
	key(b, k);
	sb_json_cstr(b, v);
}

static void kv_str(struct sbuf *b, const char *k, const void *v, size_t len)
{
	key(b, k);
	sb_json_str(b, v, len);
}

void cap_json_time(struct sbuf *b, int64_t ns)
{
	static __thread time_t last = -1;
	static __thread char ymdhms[32];
	time_t sec = ns / 1000000000;
	if (sec != last) {
		struct tm tm;
		gmtime_r(&sec, &tm);
		strftime(ymdhms, sizeof(ymdhms), "%Y-%m-%dT%H:%M:%S", &tm);
		last = sec;
	}
	sb_putc(b, '"');
	sb_puts(b, ymdhms);
	sb_putc(b, '.');
	sb_u64w(b, ns % 1000000000, 9);
	sb_puts(b, "Z\"");
}

static int64_t arg_number(const struct cap_arg_desc *d, uint64_t v)
{
	/* ints travel in 64-bit registers: the kernel reads only the low 32 bits of fds */
	if (d->capture == CAP_A_DIRFD || d->capture == CAP_A_FD || d->capture == CAP_A_FD_FILE ||
	    d->capture == CAP_A_FD_SOCK)
		return (int32_t)v;
	switch (d->fmt) {
	case D_FD:
	case D_PID:
	case D_ID:
	case D_SIG:
		return (int32_t)v;
	default:
		return (int64_t)v;
	}
}

static void put_fileinfo(struct sbuf *b, const char *k, const struct cap_fileinfo *fi)
{
	const char *fs = cap_fs_name(fi->magic);
	const char *dev = cap_file_device_class(fi);
	key(b, k);
	sb_puts(b, "{\"type\":\"");
	sb_puts(b, cap_file_type_name(fi->mode));
	sb_puts(b, "\"");
	kv_u64(b, "mode", fi->mode);
	kv_u64(b, "ino", fi->ino);
	key(b, "dev");
	sb_putc(b, '"');
	sb_u64(b, fi->dev >> 20);
	sb_putc(b, ':');
	sb_u64(b, fi->dev & 0xfffff);
	sb_putc(b, '"');
	if (dev) {
		key(b, "rdev");
		sb_putc(b, '"');
		sb_u64(b, fi->rdev >> 20);
		sb_putc(b, ':');
		sb_u64(b, fi->rdev & 0xfffff);
		sb_putc(b, '"');
		kv_cstr(b, "device", dev);
	}
	if (fs)
		kv_cstr(b, "fs", fs);
	else
		kv_u64(b, "fs_magic", fi->magic);
	kv_u64(b, "size", fi->size);
	kv_i64(b, "mtime", fi->mtime);
	kv_u64(b, "owner_uid", fi->uid);
	kv_u64(b, "owner_gid", fi->gid);
	sb_putc(b, '}');
}

static void put_sock(struct sbuf *b, const char *k, const struct cap_sockinfo *si)
{
	char tmp[128];
	const char *fam = cap_family_name(si->family);
	key(b, k);
	sb_puts(b, "{\"protocol\":\"");
	sb_puts(b, cap_sock_proto_name(si));
	sb_putc(b, '"');
	if (fam)
		kv_cstr(b, "family", fam);
	kv_u64(b, "family_nr", si->family);
	kv_u64(b, "type", si->type);
	kv_u64(b, "proto_nr", si->protocol);
	if (cap_describe_sock_end(tmp, sizeof(tmp), si, 0)) {
		kv_cstr(b, "local", tmp);
		kv_u64(b, "local_port", si->lport);
	}
	if (cap_describe_sock_end(tmp, sizeof(tmp), si, 1) && si->rport) {
		kv_cstr(b, "peer", tmp);
		kv_u64(b, "peer_port", si->rport);
	}
	kv_u64(b, "inode", si->ino);
	sb_putc(b, '}');
}

static void syscall_fields(struct sbuf *b, const struct cap_event *ev, const struct cap_view *v)
{
	const struct cap_syscall *sc = ev->sc;
	char tmp[1024];
	int first = 1;

	kv_u64(b, "nr", ev->hdr.nr);
	key(b, "args");
	sb_putc(b, '{');
	for (int i = 0; i < 6 && sc->args[i].name; i++) {
		const struct cap_arg_desc *d = &sc->args[i];
		const struct cap_fieldref *f = NULL;
		if (!first)
			sb_putc(b, ',');
		first = 0;
		sb_putc(b, '"');
		sb_puts(b, d->name);
		sb_puts(b, "\":");
		if (d->capture == CAP_A_PATH || d->capture == CAP_A_STR || d->capture == CAP_A_BUF ||
		    d->capture == CAP_A_PRCTL_ARG)
			f = cap_event_field(ev, CAP_F_STR, i);
		if (f)
			sb_json_str(b, f->data, f->len);
		else
			sb_i64(b, arg_number(d, ev->hdr.args[i]));
	}
	sb_putc(b, '}');

	first = 1;
	for (int i = 0; i < 6 && sc->args[i].name; i++) {
		const struct cap_arg_desc *d = &sc->args[i];
		uint64_t val = ev->hdr.args[i];
		if (d->capture == CAP_A_U64PTR && !cap_event_u64(ev, i, &val))
			continue;
		if (!cap_arg_shown(sc, i, ev->hdr.args))
			continue;
		if (!cap_fmt_decoded(tmp, sizeof(tmp), d->fmt, val) || !tmp[0])
			continue;
		if (first)
			key(b, "decoded"), sb_putc(b, '{');
		else
			sb_putc(b, ',');
		first = 0;
		sb_putc(b, '"');
		sb_puts(b, d->name);
		sb_puts(b, "\":");
		sb_json_cstr(b, tmp);
	}
	if (!first)
		sb_putc(b, '}');

	/* resolved paths: "path" for the first, "path2" for the second */
	for (int k = 0; k < v->npaths; k++)
		kv_str(b, k ? "path2" : "path", v->path[k], v->path_len[k]);

	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct cap_fieldref *f = &ev->fields[i];
		switch (f->type) {
		case CAP_F_FDPATH:
			if (cap_describe_pseudo_path(tmp, sizeof(tmp), ev, f))
				kv_cstr(b, "fd_path", tmp);
			else
				kv_str(b, "fd_path", f->data, f->len);
			break;
		case CAP_F_SOCKADDR: {
			int fam = 0;
			cap_describe_sockaddr(tmp, sizeof(tmp), f->data, f->len, &fam);
			key(b, "addr");
			sb_puts(b, "{\"address\":");
			sb_json_cstr(b, tmp);
			const char *fn = cap_family_name(fam);
			if (fn)
				kv_cstr(b, "family", fn);
			if (v->dns)
				kv_str(b, "dns", v->dns, strlen(v->dns));
			sb_putc(b, '}');
			break;
		}
		case CAP_F_SOCK: {
			struct cap_sockinfo si;
			if (f->len >= sizeof(si)) {
				memcpy(&si, f->data, sizeof(si));
				put_sock(b, f->arg == 6 ? "result_sock" : "sock", &si);
			}
			break;
		}
		case CAP_F_FILE: {
			struct cap_fileinfo fi;
			if (f->len >= sizeof(fi)) {
				memcpy(&fi, f->data, sizeof(fi));
				put_fileinfo(b, "file", &fi);
			}
			break;
		}
		case CAP_F_IO: {
			struct cap_iostat io;
			if (f->len >= sizeof(io)) {
				memcpy(&io, f->data, sizeof(io));
				key(b, "io");
				sb_puts(b, "{\"read_bytes\":");
				sb_u64(b, io.rbytes);
				kv_u64(b, "reads", io.rcalls);
				kv_u64(b, "write_bytes", io.wbytes);
				kv_u64(b, "writes", io.wcalls);
				sb_putc(b, '}');
			}
			break;
		}
		case CAP_F_INT2: {
			int32_t fds[2];
			if (f->len >= 8) {
				memcpy(fds, f->data, 8);
				key(b, "fds");
				sb_putc(b, '[');
				sb_i64(b, fds[0]);
				sb_putc(b, ',');
				sb_i64(b, fds[1]);
				sb_putc(b, ']');
			}
			break;
		}
		case CAP_F_CAPDATA: {
			struct cap_capdata cd;
			if (f->len >= sizeof(cd)) {
				memcpy(&cd, f->data, sizeof(cd));
				key(b, "capdata");
				sb_puts(b, "{\"effective\":");
				sb_u64(b, cd.effective);
				kv_u64(b, "permitted", cd.permitted);
				kv_u64(b, "inheritable", cd.inheritable);
				cap_caps_format(tmp, sizeof(tmp), cd.effective);
				kv_cstr(b, "effective_names", tmp);
				sb_putc(b, '}');
			}
			break;
		}
		case CAP_F_TARGET: {
			struct cap_target tg;
			if (f->len >= sizeof(tg)) {
				memcpy(&tg, f->data, sizeof(tg));
				key(b, "target");
				sb_puts(b, "{\"pid\":");
				sb_u64(b, tg.pid);
				kv_u64(b, "tid", tg.tid);
				kv_str(b, "comm", tg.comm, strnlen(tg.comm, sizeof(tg.comm)));
				sb_putc(b, '}');
			}
			break;
		}
		}
	}

	if (v->data) {
		kv_str(b, "data", v->data, v->data_len);
		kv_u64(b, "data_len", v->data_len);
		kv_u64(b, "data_total", v->data_total);
		key(b, "data_truncated");
		sb_puts(b, v->data_total > v->data_len ? "true" : "false");
	}
	if (ev->hdr.flags & CAP_RF_DNS) {
		key(b, "dns_message");
		sb_puts(b, "true");
	}

	cap_json_fd_targets(b, v);
	long ret = ev->hdr.ret;
	kv_i64(b, "ret", ret);
	if (ret < 0 && ret > -4096) {
		const char *e = cap_errno_name((int)-ret);
		kv_cstr(b, "error", e ? e : "E?");
	} else if (sc->ret_fmt == D_FD) {
		kv_i64(b, "fd", ret);
	}
}

static void exec_fields(struct sbuf *b, const struct cap_event *ev, const struct cap_view *v)
{
	const struct cap_fieldref *f;
	struct cap_cred c;
	struct cap_fileinfo fi;

	kv_i64(b, "old_pid", (int64_t)ev->hdr.args[0]);
	if ((f = cap_event_field(ev, CAP_F_STR, 0)))
		kv_str(b, "filename", f->data, f->len);
	if (v->npaths)
		kv_str(b, "exe", v->path[0], v->path_len[0]);
	if ((f = cap_event_field(ev, CAP_F_INTERP, -1)))
		kv_str(b, "interpreter", f->data, f->len);
	if (v->has_script)
		kv_str(b, "script", v->path[1], v->path_len[1]);
	if ((f = cap_event_field(ev, CAP_F_ARGV, -1))) {
		key(b, "argv");
		sb_putc(b, '[');
		for (size_t i = 0, start = 0, n = 0; i <= f->len; i++) {
			if (i < f->len && f->data[i])
				continue;
			if (i == f->len && i == start)
				break;
			if (n++)
				sb_putc(b, ',');
			sb_json_str(b, f->data + start, i - start);
			start = i + 1;
		}
		sb_putc(b, ']');
	}
	if ((f = cap_event_field(ev, CAP_F_CWD, -1)))
		kv_str(b, "cwd", f->data, f->len);
	if (cap_event_struct(ev, CAP_F_CRED, 0, &c, sizeof(c))) {
		char tmp[1024];
		key(b, "cred");
		sb_puts(b, "{\"uid\":");
		sb_u64(b, c.uid);
		kv_u64(b, "euid", c.euid);
		kv_u64(b, "suid", c.suid);
		kv_u64(b, "fsuid", c.fsuid);
		kv_u64(b, "gid", c.gid);
		kv_u64(b, "egid", c.egid);
		kv_u64(b, "sgid", c.sgid);
		kv_u64(b, "fsgid", c.fsgid);
		kv_u64(b, "cap_effective", c.cap_effective);
		kv_u64(b, "cap_permitted", c.cap_permitted);
		kv_u64(b, "cap_inheritable", c.cap_inheritable);
		kv_u64(b, "cap_ambient", c.cap_ambient);
		cap_caps_format(tmp, sizeof(tmp), c.cap_effective);
		kv_cstr(b, "cap_effective_names", tmp);
		kv_u64(b, "user_ns_level", c.user_ns_level);
		sb_putc(b, '}');
	}
	if (cap_event_struct(ev, CAP_F_FILE, 6, &fi, sizeof(fi))) {
		put_fileinfo(b, "file", &fi);
		key(b, "setuid");
		sb_puts(b, fi.mode & 04000 ? "true" : "false");
		key(b, "setgid");
		sb_puts(b, fi.mode & 02000 ? "true" : "false");
	}
	if (v->image_sha256[0])
		kv_cstr(b, "image_sha256", v->image_sha256);
	if (v->image_note)
		kv_cstr(b, "image_status", v->image_note);
}

void cap_json_head(struct sbuf *b, uint64_t seq, int64_t realtime_ns, const char *kind, const char *area,
		   const struct cap_rec *h)
{
	sb_puts(b, "{\"seq\":");
	sb_u64(b, seq);
	key(b, "time");
	cap_json_time(b, realtime_ns);
	kv_cstr(b, "kind", kind);
	kv_cstr(b, "area", area);
	kv_u64(b, "pid", h->pid);
	kv_u64(b, "tid", h->tid);
	kv_u64(b, "ppid", h->ppid);
	kv_u64(b, "uid", h->uid);
	kv_u64(b, "euid", h->euid);
	kv_u64(b, "gid", h->gid);
	kv_str(b, "comm", h->comm, strnlen(h->comm, CAP_COMM_LEN));
	kv_u64(b, "cgroup", h->cgroup);
}

void cap_json_event(struct sbuf *b, const struct cap_event *ev, const struct cap_view *v)
{
	char tmp[64];
	cap_json_head(b, ev->seq, ev->realtime_ns, cap_event_kind(ev), cap_area_name(v->area), &ev->hdr);

	switch (ev->hdr.type) {
	case CAP_REC_SYSCALL:
		syscall_fields(b, ev, v);
		break;
	case CAP_REC_EXEC:
		exec_fields(b, ev, v);
		break;
	case CAP_REC_FORK:
		kv_u64(b, "child_pid", ev->hdr.args[1]);
		kv_u64(b, "child_tid", ev->hdr.args[0]);
		key(b, "thread");
		sb_puts(b, ev->hdr.args[0] != ev->hdr.args[1] ? "true" : "false");
		key(b, "shares_fds");
		sb_puts(b, ev->hdr.args[3] & 1 ? "true" : "false");
		break;
	case CAP_REC_EXIT: {
		int st = (int)ev->hdr.ret;
		kv_i64(b, "status", st);
		if (st & 0x7f) {
			cap_signal_format(tmp, sizeof(tmp), st & 0x7f);
			kv_cstr(b, "signal", tmp);
			kv_u64(b, "signo", st & 0x7f);
			key(b, "core_dumped");
			sb_puts(b, st & 0x80 ? "true" : "false");
		} else {
			kv_u64(b, "exit_code", (st >> 8) & 0xff);
		}
		kv_u64(b, "utime_ns", ev->hdr.args[0]);
		kv_u64(b, "stime_ns", ev->hdr.args[1]);
		kv_u64(b, "maxrss_kb", ev->hdr.args[2]);
		break;
	}
	case CAP_REC_SIGNAL:
		cap_signal_format(tmp, sizeof(tmp), (int)ev->hdr.args[0]);
		kv_cstr(b, "signal", tmp);
		kv_u64(b, "signo", ev->hdr.args[0]);
		kv_i64(b, "code", (int32_t)ev->hdr.args[1]);
		kv_i64(b, "sender_pid", (int32_t)ev->hdr.args[2]);
		break;
	}
	if (v->device)
		kv_cstr(b, "device", v->device);
	if (v->warning)
		kv_cstr(b, "warning", v->warning);
	if (ev->hdr.flags & CAP_RF_TRUNCATED) {
		key(b, "truncated");
		sb_puts(b, "true");
	}
	sb_puts(b, "}\n");
}
