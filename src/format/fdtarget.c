#include <string.h>
#include "format/fdtarget.h"
#include "format/describe.h"

const struct cap_fdview *cap_view_fd(const struct cap_view *v, int arg)
{
	for (int i = 0; i < v->nfds; i++)
		if (v->fds[i].arg == arg)
			return &v->fds[i];
	return NULL;
}

static const char *end_arrow(const struct cap_fdview *f)
{
	if (f->kind == CAP_FDK_SOCKET)
		return " <-> ";
	return f->end == CAP_FDE_WRITE ? " -> " : f->end == CAP_FDE_READ ? " <- " : " <-> ";
}

/* "tcp 10.0.0.2:5000 -> 1.2.3.4:443"; 0 when the socket has nothing to show */
static int sock_text(struct sbuf *b, const struct cap_fdview *f)
{
	char tmp[128];
	const struct cap_sockinfo *si = &f->sock;
	if (!f->has_sock)
		return 0;
	sb_puts(b, cap_sock_proto_name(si));
	if (si->lport && cap_describe_sock_end(tmp, sizeof(tmp), si, 0)) {
		sb_putc(b, ' ');
		sb_puts(b, tmp);
	}
	if (si->rport && cap_describe_sock_end(tmp, sizeof(tmp), si, 1)) {
		sb_puts(b, " -> ");
		sb_puts(b, tmp);
	}
	return 1;
}

void cap_text_fd_target(struct sbuf *b, const struct cap_fdview *f, size_t max_str)
{
	sb_puts(b, " (");
	if (f->kind == CAP_FDK_SOCKET && sock_text(b, f)) {
		if (!f->sock.lport && !f->sock.rport && f->ino) {
			sb_puts(b, " socket:[");
			sb_u64(b, f->ino);
			sb_putc(b, ']');
		}
	} else if (f->name_len) {
		sb_escaped(b, f->name, f->name_len, max_str);
	} else {
		sb_puts(b, cap_fd_kind_name(f->kind));
	}
	if (f->npeers) {
		sb_puts(b, end_arrow(f));
		for (int i = 0; i < f->npeers; i++) {
			if (i)
				sb_puts(b, ", ");
			sb_putc(b, 'P');
			sb_u64(b, f->peer[i].pid);
			if (f->peer[i].comm[0]) {
				sb_putc(b, ' ');
				sb_escaped(b, f->peer[i].comm, strnlen(f->peer[i].comm, CAP_COMM_LEN), 0);
			}
		}
		if (f->more_peers) {
			sb_puts(b, " +");
			sb_u64(b, f->more_peers);
		}
	}
	sb_putc(b, ')');
}

static void json_one(struct sbuf *b, const char *key, const struct cap_fdview *f)
{
	char tmp[128];
	if (key) { /* a member of the event; else an array element */
		sb_puts(b, ",\"");
		sb_puts(b, key);
		sb_puts(b, "\":");
	}
	sb_puts(b, "{\"fd\":");
	sb_i64(b, f->fd);
	sb_puts(b, ",\"kind\":\"");
	sb_puts(b, cap_fd_kind_name(f->kind));
	sb_puts(b, "\",\"name\":");
	sb_json_str(b, f->name, f->name_len);
	sb_puts(b, f->cloexec ? ",\"cloexec\":true" : ",\"cloexec\":false");
	if (f->ino) {
		sb_puts(b, ",\"ino\":");
		sb_u64(b, f->ino);
	}
	if (f->end)
		sb_puts(b, f->kind == CAP_FDK_SOCKET ? (f->end == CAP_FDE_READ ? ",\"end\":0" : ",\"end\":1")
						     : (f->end == CAP_FDE_READ ? ",\"end\":\"read\"" : ",\"end\":\"write\""));
	if (f->device) {
		sb_puts(b, ",\"device\":");
		sb_json_cstr(b, f->device);
	}
	if (f->has_sock) {
		const struct cap_sockinfo *si = &f->sock;
		sb_puts(b, ",\"protocol\":");
		sb_json_cstr(b, cap_sock_proto_name(si));
		if (si->lport && cap_describe_sock_end(tmp, sizeof(tmp), si, 0)) {
			sb_puts(b, ",\"local\":");
			sb_json_cstr(b, tmp);
		}
		if (si->rport && cap_describe_sock_end(tmp, sizeof(tmp), si, 1)) {
			sb_puts(b, ",\"peer\":");
			sb_json_cstr(b, tmp);
		}
	}
	if (f->npeers || f->more_peers) {
		sb_puts(b, ",\"peers\":[");
		for (int i = 0; i < f->npeers; i++) {
			sb_puts(b, i ? ",{\"pid\":" : "{\"pid\":");
			sb_u64(b, f->peer[i].pid);
			sb_puts(b, ",\"comm\":");
			sb_json_str(b, f->peer[i].comm, strnlen(f->peer[i].comm, CAP_COMM_LEN));
			sb_putc(b, '}');
		}
		sb_puts(b, "],\"more_peers\":");
		sb_u64(b, f->more_peers);
	}
	sb_putc(b, '}');
}

void cap_text_fd_rights(struct sbuf *b, const struct cap_view *v, size_t max_str)
{
	int n = 0;
	for (int i = 0; i < v->nfds; i++) {
		if (v->fds[i].arg != CAP_FDARG_RIGHTS)
			continue;
		sb_puts(b, n++ ? ", FD " : " received [FD ");
		sb_i64(b, v->fds[i].fd);
		cap_text_fd_target(b, &v->fds[i], max_str);
	}
	if (n)
		sb_putc(b, ']');
}

void cap_json_fd_targets(struct sbuf *b, const struct cap_view *v)
{
	int nargs = 0, nrights = 0;
	for (int i = 0; i < v->nfds; i++) {
		const struct cap_fdview *f = &v->fds[i];
		if (f->arg == CAP_FDARG_RIGHTS)
			continue;
		if (f->arg == CAP_FDARG_RET)
			json_one(b, "result_fd_target", f);
		else if (f->arg == CAP_FDARG_RET2)
			json_one(b, "result_fd2_target", f);
		else if (nargs < 3) { /* no recorded call has more fd arguments; never a duplicate key */
			static const char *const names[] = { "fd_target", "fd2_target", "fd3_target" };
			json_one(b, names[nargs++], f);
		}
	}
	for (int i = 0; i < v->nfds; i++) {
		if (v->fds[i].arg != CAP_FDARG_RIGHTS)
			continue;
		sb_puts(b, nrights++ ? "," : ",\"received_fds\":[");
		json_one(b, NULL, &v->fds[i]);
	}
	if (nrights)
		sb_putc(b, ']');
}
