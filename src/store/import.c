#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "store/import.h"
#include "store/query.h"

static json_object *member(json_object *o, const char *k, json_type t)
{
	json_object *v;
	return o && json_object_object_get_ex(o, k, &v) && json_object_is_type(v, t) ? v : NULL;
}

static const char *str(json_object *o, const char *k)
{
	json_object *v = member(o, k, json_type_string);
	return v ? json_object_get_string(v) : NULL;
}

static int64_t num(json_object *o, const char *k, int64_t dflt)
{
	json_object *v = member(o, k, json_type_int);
	return v ? json_object_get_int64(v) : dflt;
}

/* An open for writing, as src/enrich/view.c decides it, from the decoded flag names. */
static bool open_writes(json_object *o, const char *kind)
{
	if (!strcmp(kind, "creat"))
		return true;
	if (strcmp(kind, "open") && strcmp(kind, "openat") && strcmp(kind, "openat2"))
		return false;
	json_object *dec = member(o, "decoded", json_type_object);
	if (!dec)
		return false;
	static const char *const w[] = { "O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND" };
	json_object_object_foreach(dec, k, v) {
		(void)k;
		if (!json_object_is_type(v, json_type_string))
			continue;
		const char *s = json_object_get_string(v);
		for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++)
			if (strstr(s, w[i]))
				return true;
	}
	return false;
}

int cap_store_rec_from_json(json_object *o, struct cap_store_rec *r, char *host, size_t hostn,
			    char *err, size_t errn)
{
	const char *time_s;
	memset(r, 0, sizeof(*r));
	if (!json_object_is_type(o, json_type_object))
		return snprintf(err, errn, "not a JSON object"), -EINVAL;
	if (!member(o, "seq", json_type_int) || num(o, "seq", -1) < 0)
		return snprintf(err, errn, "no \"seq\" number"), -EINVAL;
	if (num(o, "seq", 0) >= CAP_STORE_SEQ_LIMIT) /* events.id = session << 40 | seq */
		return snprintf(err, errn, "\"seq\" is 2^40 or more"), -EINVAL;
	if (!(r->kind = str(o, "kind")))
		return snprintf(err, errn, "no \"kind\" string"), -EINVAL;
	/* a stand-in for a record cut at the line limit has no time: the caller uses the last one */
	json_object *tv;
	r->time_ns = -1;
	if (json_object_object_get_ex(o, "time", &tv) &&
	    (!(time_s = json_object_is_type(tv, json_type_string) ? json_object_get_string(tv) : NULL) ||
	     strlen(time_s) < 10 || time_s[4] != '-' || cap_parse_time(time_s, 0, &r->time_ns)))
		return snprintf(err, errn, "\"time\" is not an RFC 3339 time"), -EINVAL;
	r->seq = num(o, "seq", 0);
	r->area = str(o, "area");
	if (!r->area)
		r->area = "?";
	r->pid = num(o, "pid", 0);
	r->tid = num(o, "tid", 0);
	r->ppid = num(o, "ppid", 0);
	r->uid = num(o, "uid", 0);
	r->comm = str(o, "comm");
	r->has_ret = member(o, "ret", json_type_int) != NULL;
	r->ret = num(o, "ret", 0);
	r->error = str(o, "error");
	r->warning = str(o, "warning");
	r->path = str(o, "path");
	if (!r->path)
		r->path = str(o, "fd_path");
	if (!r->path)
		r->path = str(o, "exe");
	r->path2 = str(o, "path2");
	r->writes = open_writes(o, r->kind);
	r->port = -1;

	json_object *sock = member(o, "sock", json_type_object);
	json_object *rsock = member(o, "result_sock", json_type_object);
	r->proto = str(rsock, "protocol");
	if (!r->proto)
		r->proto = str(sock, "protocol");
	const char *addr = strcmp(r->kind, "bind") ? str(member(o, "addr", json_type_object), "address") : NULL;
	if (!addr)
		addr = str(sock, "peer");
	if (!addr)
		addr = str(rsock, "peer");
	if (addr) {
		cap_store_split_addr(addr, host, hostn, &r->port);
		r->host = host[0] ? host : NULL;
	}
	json_object *io = member(o, "io", json_type_object);
	if (io) {
		r->io_read = num(io, "read_bytes", 0);
		r->io_write = num(io, "write_bytes", 0);
		/* as cap_store_event: a close's totals go to the file or the peer its fd was */
		json_object *fdt = member(o, "fd_target", json_type_object);
		const char *kind = str(fdt, "kind"), *peer = str(fdt, "peer");
		if (!r->path && (r->io_read || r->io_write) && kind && !strcmp(kind, "file"))
			r->io_path = str(fdt, "name");
		if (!r->host && (r->io_read || r->io_write) && kind && !strcmp(kind, "socket") && peer) {
			cap_store_split_addr(peer, host, hostn, &r->port);
			r->host = host[0] ? host : NULL;
			if (r->host && !r->proto)
				r->proto = str(fdt, "protocol");
		}
	}
	return 0;
}
