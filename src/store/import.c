#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "format/jsonget.h"
#include "store/import.h"
#include "store/query.h"

bool cap_store_open_writes(json_object *o, const char *kind)
{
	if (!strcmp(kind, "creat"))
		return true;
	if (strcmp(kind, "open") && strcmp(kind, "openat") && strcmp(kind, "openat2"))
		return false;
	json_object *dec = cap_jtyped(o, "decoded", json_type_object);
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
	if (!cap_jtyped(o, "seq", json_type_int) || cap_jint(o, "seq", -1) < 0)
		return snprintf(err, errn, "no \"seq\" number"), -EINVAL;
	if (cap_jint(o, "seq", 0) >= CAP_STORE_SEQ_LIMIT) /* events.id = session << 40 | seq */
		return snprintf(err, errn, "\"seq\" is 2^40 or more"), -EINVAL;
	if (!(r->kind = cap_jstr(o, "kind")))
		return snprintf(err, errn, "no \"kind\" string"), -EINVAL;
	/* a stand-in for a record cut at the line limit has no time: the caller uses the last one */
	json_object *tv;
	r->time_ns = -1;
	if (json_object_object_get_ex(o, "time", &tv) &&
	    (!(time_s = json_object_is_type(tv, json_type_string) ? json_object_get_string(tv) : NULL) ||
	     strlen(time_s) < 10 || time_s[4] != '-' || cap_parse_time(time_s, 0, &r->time_ns)))
		return snprintf(err, errn, "\"time\" is not an RFC 3339 time"), -EINVAL;
	r->seq = cap_jint(o, "seq", 0);
	r->area = cap_jstr(o, "area");
	if (!r->area)
		r->area = "?";
	r->pid = cap_jint(o, "pid", 0);
	r->tid = cap_jint(o, "tid", 0);
	r->ppid = cap_jint(o, "ppid", 0);
	r->uid = cap_jint(o, "uid", 0);
	r->comm = cap_jstr(o, "comm");
	r->has_ret = cap_jtyped(o, "ret", json_type_int) != NULL;
	r->ret = cap_jint(o, "ret", 0);
	r->error = cap_jstr(o, "error");
	r->warning = cap_jstr(o, "warning");
	r->path = cap_jstr(o, "path");
	if (!r->path)
		r->path = cap_jstr(o, "fd_path");
	if (!r->path)
		r->path = cap_jstr(o, "exe");
	r->path2 = cap_jstr(o, "path2");
	r->writes = cap_store_open_writes(o, r->kind);
	r->port = -1;

	json_object *sock = cap_jtyped(o, "sock", json_type_object);
	json_object *rsock = cap_jtyped(o, "result_sock", json_type_object);
	r->proto = cap_jstr(rsock, "protocol");
	if (!r->proto)
		r->proto = cap_jstr(sock, "protocol");
	const char *addr = strcmp(r->kind, "bind") ? cap_jstr(cap_jtyped(o, "addr", json_type_object), "address") : NULL;
	if (!addr)
		addr = cap_jstr(sock, "peer");
	if (!addr)
		addr = cap_jstr(rsock, "peer");
	if (addr) {
		cap_store_split_addr(addr, host, hostn, &r->port);
		r->host = host[0] ? host : NULL;
	}
	json_object *io = cap_jtyped(o, "io", json_type_object);
	if (io) {
		r->io_read = cap_jint(io, "read_bytes", 0);
		r->io_write = cap_jint(io, "write_bytes", 0);
		/* as cap_store_event: a close's totals go to the file or the peer its fd was */
		json_object *fdt = cap_jtyped(o, "fd_target", json_type_object);
		const char *kind = cap_jstr(fdt, "kind"), *peer = cap_jstr(fdt, "peer");
		if (!r->path && (r->io_read || r->io_write) && kind && !strcmp(kind, "file"))
			r->io_path = cap_jstr(fdt, "name");
		if (!r->host && (r->io_read || r->io_write) && kind && !strcmp(kind, "socket") && peer) {
			cap_store_split_addr(peer, host, hostn, &r->port);
			r->host = host[0] ? host : NULL;
			if (r->host && !r->proto)
				r->proto = cap_jstr(fdt, "protocol");
		}
	}
	return 0;
}
