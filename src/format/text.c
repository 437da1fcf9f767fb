/* The live timeline line: [12:01:03.513] P4321 (python3) openat path=/x flags=O_RDONLY -> FD 3 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "format/text.h"
#include "format/describe.h"
#include "format/fdtarget.h"
#include "format/names.h"

#define C_RESET "\033[0m"
#define C_DIM "\033[2m"
#define C_BOLD "\033[1m"
#define C_RED "\033[31m"
#define C_YELLOW "\033[1;33m"
#define C_CYAN "\033[36m"

static const char *const area_color[AREA__COUNT] = {
	[AREA_proc] = "\033[1;32m", [AREA_net] = "\033[1;34m", [AREA_file] = "\033[1;37m",
	[AREA_cred] = "\033[1;35m", [AREA_mem] = "\033[1;31m", [AREA_ipc] = "\033[1;36m",
	[AREA_dev] = "\033[1;33m", [AREA_sys] = "\033[1;31m", [AREA_ns] = "\033[1;35m",
	[AREA_signal] = "\033[1;33m",
};

static void color(struct sbuf *b, const struct cap_text_opts *o, const char *c)
{
	if (o->color)
		sb_puts(b, c);
}

/* [HH:MM:SS.mmm] in local time; the conversion is cached per second */
static void put_time(struct sbuf *b, int64_t ns)
{
	static __thread time_t last = -1;
	static __thread char hms[16];
	time_t sec = ns / 1000000000;
	if (sec != last) {
		struct tm tm;
		localtime_r(&sec, &tm);
		strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
		last = sec;
	}
	sb_putc(b, '[');
	sb_puts(b, hms);
	sb_putc(b, '.');
	sb_u64w(b, (ns / 1000000) % 1000, 3);
	sb_putc(b, ']');
}

void cap_text_time(struct sbuf *b, int64_t realtime_ns)
{
	put_time(b, realtime_ns);
}

static void put_errno(struct sbuf *b, long ret)
{
	const char *e = cap_errno_name((int)-ret);
	if (e)
		sb_puts(b, e);
	else {
		sb_puts(b, "E");
		sb_i64(b, -ret);
	}
}

static void put_value(struct sbuf *b, enum cap_fmt fmt, uint64_t v)
{
	char tmp[512];
	if (cap_fmt_decoded(tmp, sizeof(tmp), fmt, v) && tmp[0]) {
		sb_puts(b, tmp);
		return;
	}
	switch (fmt) {
	case D_HEX:
	case D_PTR:
		sb_hex(b, v);
		break;
	case D_FD:
	case D_PID:
	case D_INT:
		sb_i64(b, (int64_t)v);
		break;
	case D_ID:
		sb_i64(b, (int32_t)v);
		break;
	default:
		sb_i64(b, (int64_t)v);
	}
}

static void put_fileinfo_note(struct sbuf *b, const struct cap_view *v)
{
	if (v->device) {
		sb_puts(b, " [dev ");
		sb_puts(b, v->device);
		sb_putc(b, ']');
	} else if (v->fs && (!strncmp(v->fs, "cgroup", 6) || !strcmp(v->fs, "proc") || !strcmp(v->fs, "sysfs"))) {
		sb_puts(b, " [");
		sb_puts(b, v->fs);
		sb_putc(b, ']');
	}
}

static void put_sock(struct sbuf *b, const struct cap_sockinfo *si)
{
	char tmp[128];
	sb_puts(b, cap_sock_proto_name(si));
	if (cap_describe_sock_end(tmp, sizeof(tmp), si, 0) && si->lport) {
		sb_putc(b, ' ');
		sb_puts(b, tmp);
	}
	if (cap_describe_sock_end(tmp, sizeof(tmp), si, 1) && si->rport) {
		sb_puts(b, " -> ");
		sb_puts(b, tmp);
	}
}

static void put_result(struct sbuf *b, const struct cap_event *ev, const struct cap_text_opts *o)
{
	long ret = ev->hdr.ret;
	sb_puts(b, " -> ");
	if (ret < 0 && ret > -4096) {
		color(b, o, C_RED);
		put_errno(b, ret);
		color(b, o, C_RESET);
		return;
	}
	switch (ev->sc->ret_fmt) {
	case D_FD:
		sb_puts(b, "FD ");
		sb_i64(b, ret);
		break;
	case D_PID:
		sb_putc(b, 'P');
		sb_i64(b, ret);
		break;
	case D_PTR:
		sb_hex(b, ret);
		break;
	default:
		sb_i64(b, ret);
	}
}

static void syscall_args(struct sbuf *b, const struct cap_event *ev, const struct cap_view *v,
			 const struct cap_text_opts *o)
{
	const struct cap_syscall *sc = ev->sc;
	int pathk = 0;

	for (int i = 0; i < 6; i++) {
		const struct cap_arg_desc *d = &sc->args[i];
		const struct cap_fieldref *f;
		if (!d->name)
			break;
		switch (d->capture) {
		case CAP_A_PATH:
			if (pathk < v->npaths && v->path_arg[pathk] == i) {
				sb_putc(b, ' ');
				sb_puts(b, d->name);
				sb_putc(b, '=');
				sb_escaped(b, v->path[pathk], v->path_len[pathk], o->max_str);
				pathk++;
			}
			continue;
		case CAP_A_STR:
		case CAP_A_BUF:
		case CAP_A_PRCTL_ARG:
			f = cap_event_field(ev, CAP_F_STR, i);
			if (f) {
				sb_putc(b, ' ');
				sb_puts(b, d->name);
				sb_puts(b, "=\"");
				sb_escaped(b, f->data, f->len, o->max_str);
				sb_putc(b, '"');
				continue;
			}
			if (d->capture != CAP_A_PRCTL_ARG)
				continue;
			break;
		case CAP_A_SOCKADDR:
		case CAP_A_SOCKADDR_OUT:
		case CAP_A_MSGHDR:
		case CAP_A_MMSGHDR:
			f = cap_event_field(ev, CAP_F_SOCKADDR, i);
			if (f) {
				char tmp[600];
				cap_describe_sockaddr(tmp, sizeof(tmp), f->data, f->len, NULL);
				sb_puts(b, " addr=");
				sb_puts(b, tmp);
				if (v->dns) {
					sb_puts(b, " (dns=");
					sb_escaped(b, v->dns, strlen(v->dns), o->max_str);
					sb_putc(b, ')');
				}
			}
			continue;
		case CAP_A_INT2OUT:
			f = cap_event_field(ev, CAP_F_INT2, i);
			if (f && f->len >= 8) {
				int32_t fds[2];
				memcpy(fds, f->data, 8);
				sb_puts(b, " fds=[");
				sb_i64(b, fds[0]);
				sb_putc(b, ',');
				sb_i64(b, fds[1]);
				sb_putc(b, ']');
				const struct cap_fdview *fv = cap_view_fd(v, CAP_FDARG_RET);
				if (fv)
					cap_text_fd_target(b, fv, o->max_str);
			}
			continue;
		case CAP_A_CAPDATA: {
			struct cap_capdata cd;
			if (cap_event_struct(ev, CAP_F_CAPDATA, i, &cd, sizeof(cd))) {
				char tmp[1024];
				cap_caps_format(tmp, sizeof(tmp), cd.effective);
				sb_puts(b, " effective=");
				sb_puts(b, tmp);
				cap_caps_format(tmp, sizeof(tmp), cd.permitted);
				sb_puts(b, " permitted=");
				sb_puts(b, tmp);
			}
			continue;
		}
		case CAP_A_U64PTR:
			{
				uint64_t u;
				if (!cap_event_u64(ev, i, &u))
					continue;
				sb_putc(b, ' ');
				sb_puts(b, d->name);
				sb_putc(b, '=');
				put_value(b, d->fmt, u);
			}
			continue;
		default:
			break;
		}
		if (d->fmt == D_SKIP)
			continue;
		if (!cap_arg_shown(sc, i, ev->hdr.args))
			continue;
		sb_putc(b, ' ');
		sb_puts(b, d->name);
		sb_putc(b, '=');
		put_value(b, d->fmt, ev->hdr.args[i]);
		const struct cap_fdview *fv = cap_view_fd(v, i);
		if (fv) {
			/* from the fd table: also pipes' other ends; the kernel's capture below otherwise */
			cap_text_fd_target(b, fv, o->max_str);
		} else if (d->capture == CAP_A_FD_FILE && (int32_t)ev->hdr.args[i] >= 0) {
			f = cap_event_field(ev, CAP_F_FDPATH, i);
			if (f) {
				char pseudo[64];
				sb_putc(b, '<');
				if (cap_describe_pseudo_path(pseudo, sizeof(pseudo), ev, f))
					sb_puts(b, pseudo);
				else
					sb_escaped(b, f->data, f->len, o->max_str);
				sb_putc(b, '>');
			}
		} else if (d->capture == CAP_A_FD_SOCK) {
			struct cap_sockinfo si;
			if (cap_event_struct(ev, CAP_F_SOCK, i, &si, sizeof(si))) {
				sb_putc(b, '<');
				put_sock(b, &si);
				sb_putc(b, '>');
			}
		}
	}

	struct cap_target tg;
	if (cap_event_struct(ev, CAP_F_TARGET, -1, &tg, sizeof(tg))) {
		sb_puts(b, " target=P");
		sb_u64(b, tg.pid);
		sb_puts(b, " (");
		sb_escaped(b, tg.comm, strnlen(tg.comm, sizeof(tg.comm)), 0);
		sb_putc(b, ')');
	}
	struct cap_iostat io;
	if (cap_event_struct(ev, CAP_F_IO, -1, &io, sizeof(io))) {
		if (io.rcalls) {
			sb_puts(b, " read=");
			sb_u64(b, io.rbytes);
			sb_puts(b, "B/");
			sb_u64(b, io.rcalls);
		}
		if (io.wcalls) {
			sb_puts(b, " written=");
			sb_u64(b, io.wbytes);
			sb_puts(b, "B/");
			sb_u64(b, io.wcalls);
		}
	}
	if (v->data) {
		/* the preview: escaped, with how much of the call's data it shows when cut */
		sb_puts(b, " data=\"");
		sb_escaped(b, v->data, v->data_len, 0);
		sb_putc(b, '"');
		if (v->data_total > v->data_len) {
			sb_puts(b, " (");
			sb_u64(b, v->data_len);
			sb_puts(b, " of ");
			sb_u64(b, v->data_total);
			sb_puts(b, " bytes)");
		}
	}
	put_result(b, ev, o);
	cap_text_fd_rights(b, v, o->max_str);
	const struct cap_fdview *rv = cap_view_fd(v, CAP_FDARG_RET);
	if (rv && ev->hdr.ret >= 0 && sc->args[0].capture != CAP_A_INT2OUT && sc->args[3].capture != CAP_A_INT2OUT) {
		cap_text_fd_target(b, rv, o->max_str);
		put_fileinfo_note(b, v);
		return;
	}
	struct cap_sockinfo rs;
	if (ev->hdr.ret >= 0 && cap_event_struct(ev, CAP_F_SOCK, 6, &rs, sizeof(rs))) {
		sb_puts(b, " (");
		put_sock(b, &rs);
		sb_putc(b, ')');
	}
	if (sc->rett == CAP_R_FD_FILE || sc->args[0].capture == CAP_A_FD_FILE)
		put_fileinfo_note(b, v);
}

static void exec_args(struct sbuf *b, const struct cap_event *ev, const struct cap_view *v,
		      const struct cap_text_opts *o)
{
	const struct cap_fieldref *f;
	struct cap_cred c;

	sb_putc(b, ' ');
	if (v->npaths)
		sb_escaped(b, v->path[0], v->path_len[0], o->max_str);
	f = cap_event_field(ev, CAP_F_ARGV, -1);
	if (f) {
		size_t shown = 0;
		sb_puts(b, " argv=[");
		for (size_t i = 0, start = 0, n = 0; i <= f->len; i++) {
			if (i < f->len && f->data[i])
				continue;
			if (i == f->len && i == start)
				break;
			if (n++)
				sb_putc(b, ',');
			sb_putc(b, '"');
			shown += sb_escaped(b, f->data + start, i - start, o->max_str);
			sb_putc(b, '"');
			start = i + 1;
			if (shown > o->max_str * 4) {
				sb_puts(b, ",…");
				break;
			}
		}
		sb_putc(b, ']');
	}
	f = cap_event_field(ev, CAP_F_INTERP, -1);
	if (f) {
		sb_puts(b, " interp=");
		sb_escaped(b, f->data, f->len, o->max_str);
	}
	if (v->has_script) {
		sb_puts(b, " script=");
		sb_escaped(b, v->path[1], v->path_len[1], o->max_str);
	}
	f = cap_event_field(ev, CAP_F_CWD, -1);
	if (f) {
		sb_puts(b, " cwd=");
		sb_escaped(b, f->data, f->len, o->max_str);
	}
	if (cap_event_struct(ev, CAP_F_CRED, 0, &c, sizeof(c))) {
		sb_puts(b, " uid=");
		sb_u64(b, c.uid);
		if (c.euid != c.uid) {
			sb_puts(b, " euid=");
			sb_u64(b, c.euid);
		}
		if (c.cap_effective && c.uid != 0) {
			char tmp[1024];
			cap_caps_format(tmp, sizeof(tmp), c.cap_effective);
			sb_puts(b, " caps=");
			sb_puts(b, tmp);
		}
	}
	if (v->image_sha256[0]) {
		sb_puts(b, " image_sha256=");
		sb_puts(b, v->image_sha256);
	}
}

static void exit_args(struct sbuf *b, const struct cap_event *ev)
{
	int st = (int)ev->hdr.ret;
	char tmp[32];
	if (st & 0x7f) {
		cap_signal_format(tmp, sizeof(tmp), st & 0x7f);
		sb_puts(b, " signal=");
		sb_puts(b, tmp);
		if (st & 0x80)
			sb_puts(b, " (core dumped)");
	} else {
		sb_puts(b, " code=");
		sb_u64(b, (st >> 8) & 0xff);
	}
	sb_puts(b, " cpu=");
	sb_u64(b, (ev->hdr.args[0] + ev->hdr.args[1]) / 1000000);
	sb_puts(b, "ms");
}

void cap_text_event(struct sbuf *b, const struct cap_event *ev, const struct cap_view *v,
		    const struct cap_text_opts *o)
{
	unsigned area = v->area;

	color(b, o, C_DIM);
	put_time(b, ev->realtime_ns);
	color(b, o, C_RESET);
	sb_puts(b, " ");
	color(b, o, C_CYAN);
	sb_putc(b, 'P');
	sb_u64(b, ev->hdr.pid);
	if (ev->hdr.tid != ev->hdr.pid) {
		sb_putc(b, '/');
		sb_u64(b, ev->hdr.tid);
	}
	color(b, o, C_RESET);
	sb_puts(b, " (");
	sb_escaped(b, ev->hdr.comm, strnlen(ev->hdr.comm, CAP_COMM_LEN), 0);
	sb_puts(b, ") ");
	color(b, o, area_color[area < AREA__COUNT ? area : 0]);
	sb_puts(b, cap_event_kind(ev));
	color(b, o, C_RESET);

	switch (ev->hdr.type) {
	case CAP_REC_SYSCALL:
		syscall_args(b, ev, v, o);
		break;
	case CAP_REC_EXEC:
		exec_args(b, ev, v, o);
		break;
	case CAP_REC_FORK:
		sb_puts(b, ev->hdr.args[0] == ev->hdr.args[1] ? " -> P" : " -> T");
		sb_u64(b, ev->hdr.args[0]);
		break;
	case CAP_REC_EXIT:
		exit_args(b, ev);
		break;
	case CAP_REC_SIGNAL: {
		char tmp[32];
		cap_signal_format(tmp, sizeof(tmp), (int)ev->hdr.args[0]);
		sb_putc(b, ' ');
		sb_puts(b, tmp);
		if ((int32_t)ev->hdr.args[2] > 0) {
			sb_puts(b, " from P");
			sb_u64(b, (uint32_t)ev->hdr.args[2]);
		}
		sb_puts(b, " (default action)");
		break;
	}
	}
	if (ev->hdr.flags & CAP_RF_TRUNCATED)
		sb_puts(b, " [truncated]");
	if (v->warning) {
		sb_puts(b, "  ");
		color(b, o, C_YELLOW);
		sb_puts(b, "⚠ ");
		sb_puts(b, v->warning);
		color(b, o, C_RESET);
	}
	sb_putc(b, '\n');
	if (b->full) /* keep the line a line even when cut */
		b->buf[b->len - 1] = '\n';
}
