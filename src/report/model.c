/* The report's model of a session, built one event at a time: the process tree, files, hosts,
 * devices, the lines behind warnings and privilege changes, timeline marks and per-area
 * activity. Every table is capped (report.h); lookups use small hash tables so a session of
 * millions of events is read in one pass. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "format/jsonget.h"
#include "format/escape.h"
#include "enrich/view.h"
#include "report/report.h"
#include "store/import.h"
#include "report/template.h"

const char *const rep_area_names[REP_AREAS] = {
	"proc", "net", "file", "cred", "mem", "ipc", "dev", "sys", "ns", "signal",
};

int rep_area_index(const char *name)
{
	for (int i = 0; name && i < REP_AREAS; i++)
		if (!strcmp(name, rep_area_names[i]))
			return i;
	return -1;
}

/* ---- small hash tables (open addressing for tables that only grow; chained for fds) ---- */
#define PID_SLOTS  (REP_MAX_PROCS * 2)
#define FILE_SLOTS (REP_MAX_FILES * 2)
#define HOST_SLOTS (REP_MAX_HOSTS * 2)
#define FD_BUCKETS 16384

struct fd_node {
	int pid, fd;
	int file, host;   /* index or -1 */
	int next;         /* in the bucket chain or the free list */
};

struct priv {
	int pid_slot[PID_SLOTS];   /* proc index + 1 of the newest process with that pid, 0 empty */
	int pid_key[PID_SLOTS];
	int file_slot[FILE_SLOTS]; /* file index + 1 */
	int host_slot[HOST_SLOTS];
	int fd_bucket[FD_BUCKETS]; /* node index + 1 */
	struct fd_node *fd_nodes;
	int fd_free;
};

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

int rep_session_init(struct rep_session *s, const struct rep_template *tpl)
{
	memset(s, 0, sizeof(*s));
	s->exit_status = -1;
	s->t0_ns = -1;
	s->bucket_ns = 1000; /* 1 µs to start: short sessions get fine columns */
	s->procs = calloc(REP_MAX_PROCS, sizeof(*s->procs));
	s->files = calloc(REP_MAX_FILES, sizeof(*s->files));
	s->hosts = calloc(REP_MAX_HOSTS, sizeof(*s->hosts));
	s->devs = calloc(REP_MAX_DEVS, sizeof(*s->devs));
	s->warn_kinds = calloc(REP_MAX_WARN_KINDS, sizeof(*s->warn_kinds));
	s->dns = calloc(REP_MAX_DNS, sizeof(*s->dns));
	s->tl = calloc(REP_MAX_TIMELINE, sizeof(*s->tl));
	s->tl_text = calloc(REP_MAX_TIMELINE, sizeof(char *));
	struct priv *p = calloc(1, sizeof(*p));
	s->priv = p;
	if (p)
		p->fd_nodes = calloc(REP_MAX_FDS, sizeof(struct fd_node));
	s->tpl = tpl;
	if (tpl && tpl->ncrit)
		s->evidence = calloc(tpl->ncrit, sizeof(*s->evidence));
	if (!s->procs || !s->files || !s->hosts || !s->devs || !s->warn_kinds || !s->dns || !s->tl || !s->tl_text || !p ||
	    !p->fd_nodes || (tpl && tpl->ncrit && !s->evidence)) {
		rep_session_free(s);
		return -ENOMEM;
	}
	for (int i = 0; i < REP_MAX_FDS; i++)
		p->fd_nodes[i].next = i + 1 < REP_MAX_FDS ? i + 2 : 0;
	p->fd_free = 1;
	return 0;
}

static void free_lines(struct rep_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->line[i]);
	l->n = 0;
}

void rep_session_free(struct rep_session *s)
{
	for (size_t i = 0; s->procs && i < s->nprocs; i++) {
		free(s->procs[i].exe);
		free(s->procs[i].cmdline);
	}
	for (size_t i = 0; s->files && i < s->nfiles; i++)
		free(s->files[i].path);
	for (size_t i = 0; s->hosts && i < s->nhosts; i++) {
		free(s->hosts[i].addr);
		free(s->hosts[i].dns);
	}
	for (size_t i = 0; s->devs && i < s->ndevs; i++)
		free(s->devs[i].path);
	for (size_t i = 0; s->warn_kinds && i < s->nwarn_kinds; i++)
		free(s->warn_kinds[i].name);
	for (size_t i = 0; s->dns && i < s->ndns; i++) {
		free(s->dns[i].name);
		free(s->dns[i].addresses);
	}
	free(s->dns);
	for (size_t i = 0; s->tl_text && i < s->ntl; i++)
		free(s->tl_text[i]);
	struct rep_lines *lists[] = { &s->warnings, &s->creds, &s->namespaces, &s->signals, &s->denied, &s->system };
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		free_lines(lists[i]);
	if (s->evidence && s->tpl)
		for (size_t i = 0; i < s->tpl->ncrit; i++)
			free_lines(&s->evidence[i].lines);
	struct priv *p = s->priv;
	if (p)
		free(p->fd_nodes);
	free(p);
	free(s->procs);
	free(s->files);
	free(s->hosts);
	free(s->devs);
	free(s->warn_kinds);
	free(s->tl);
	free(s->tl_text);
	free(s->evidence);
	memset(s, 0, sizeof(*s));
}

/* ---- json helpers: absent or mistyped fields read as NULL / fallback ---- */




/* ---- tables ---- */
static int lines_add(struct rep_lines *l, const char *line)
{
	l->total++;
	if (l->n >= REP_MAX_LINES)
		return 0;
	l->line[l->n] = strdup(line);
	if (!l->line[l->n])
		return -ENOMEM;
	l->n++;
	return 0;
}

static int proc_find(struct rep_session *s, int pid)
{
	struct priv *p = s->priv;
	uint32_t h = (uint32_t)pid * 2654435761u % PID_SLOTS;
	for (int i = 0; i < PID_SLOTS; i++, h = (h + 1) % PID_SLOTS) {
		if (!p->pid_slot[h])
			return -1;
		if (p->pid_key[h] == pid)
			return p->pid_slot[h] - 1;
	}
	return -1;
}

static void proc_index(struct rep_session *s, int pid, int idx)
{
	struct priv *p = s->priv;
	uint32_t h = (uint32_t)pid * 2654435761u % PID_SLOTS;
	for (int i = 0; i < PID_SLOTS; i++, h = (h + 1) % PID_SLOTS)
		if (!p->pid_slot[h] || p->pid_key[h] == pid) {
			p->pid_key[h] = pid;
			p->pid_slot[h] = idx + 1;
			return;
		}
}

/* A new process record (a fork, or the first event of a pid seen before its fork). */
static int proc_new(struct rep_session *s, int pid, int ppid, const char *comm, int64_t t)
{
	if (s->nprocs >= REP_MAX_PROCS) {
		s->procs_dropped++;
		return -1;
	}
	int i = s->nprocs++;
	struct rep_proc *pr = &s->procs[i];
	pr->pid = pid;
	pr->ppid = ppid;
	pr->parent = proc_find(s, ppid);
	pr->start_ns = t;
	pr->end_ns = -1;
	rep_safe_into(pr->comm, sizeof(pr->comm), comm ? comm : "?");
	proc_index(s, pid, i);
	return i;
}

static int file_get(struct rep_session *s, const char *path)
{
	struct priv *p = s->priv;
	uint32_t h = hash_str(path) % FILE_SLOTS;
	for (int n = 0; n < FILE_SLOTS; n++, h = (h + 1) % FILE_SLOTS) {
		int i = p->file_slot[h] - 1;
		if (i < 0)
			break;
		if (!strcmp(s->files[i].path, path))
			return i;
	}
	if (s->nfiles >= REP_MAX_FILES) {
		s->files_dropped++;
		return -1;
	}
	struct rep_file *f = &s->files[s->nfiles];
	f->path = strdup(path);
	if (!f->path)
		return -1;
	f->sensitive = cap_path_is_secret(path) ? 2 : cap_path_is_persistence(path) ? 1 : 0;
	p->file_slot[h] = ++s->nfiles;
	return s->nfiles - 1;
}

static int host_get(struct rep_session *s, const char *proto, const char *addr)
{
	struct priv *p = s->priv;
	uint32_t h = (hash_str(addr) ^ hash_str(proto)) % HOST_SLOTS;
	for (int n = 0; n < HOST_SLOTS; n++, h = (h + 1) % HOST_SLOTS) {
		int i = p->host_slot[h] - 1;
		if (i < 0)
			break;
		if (!strcmp(s->hosts[i].addr, addr) && !strcmp(s->hosts[i].proto, proto))
			return i;
	}
	if (s->nhosts >= REP_MAX_HOSTS) {
		s->hosts_dropped++;
		return -1;
	}
	struct rep_host *ho = &s->hosts[s->nhosts];
	ho->addr = strdup(addr);
	if (!ho->addr)
		return -1;
	rep_safe_into(ho->proto, sizeof(ho->proto), proto);
	p->host_slot[h] = ++s->nhosts;
	return s->nhosts - 1;
}

static struct fd_node *fd_take(struct rep_session *s, int pid, int fd, bool unlink_it)
{
	struct priv *p = s->priv;
	uint32_t b = ((uint32_t)pid * 31u + (uint32_t)fd) % FD_BUCKETS;
	int *link = &p->fd_bucket[b];
	while (*link) {
		struct fd_node *n = &p->fd_nodes[*link - 1];
		if (n->pid == pid && n->fd == fd) {
			if (unlink_it) {
				int idx = *link;
				*link = n->next;
				n->next = p->fd_free;
				p->fd_free = idx;
			}
			return n;
		}
		link = &n->next;
	}
	return NULL;
}

static void fd_remember(struct rep_session *s, int pid, int fd, int file, int host)
{
	struct priv *p = s->priv;
	struct fd_node *n = fd_take(s, pid, fd, false);
	if (!n) {
		if (!p->fd_free)
			return; /* full: byte counts of this fd are not attributed (the totals still are) */
		int idx = p->fd_free;
		n = &p->fd_nodes[idx - 1];
		p->fd_free = n->next;
		uint32_t b = ((uint32_t)pid * 31u + (uint32_t)fd) % FD_BUCKETS;
		n->next = p->fd_bucket[b];
		p->fd_bucket[b] = idx;
		n->pid = pid;
		n->fd = fd;
	}
	n->file = file;
	n->host = host;
}

/* Warnings per reason, compared in their safe form (the form kept); reasons past the cap are
 * counted apart, as the other tables' overflow is. */
static void count_warning(struct rep_session *s, const char *w)
{
	char safe[512];
	rep_safe_into(safe, sizeof(safe), w);
	for (size_t i = 0; i < s->nwarn_kinds; i++)
		if (!strcmp(s->warn_kinds[i].name, safe)) {
			s->warn_kinds[i].n++;
			return;
		}
	if (s->nwarn_kinds < REP_MAX_WARN_KINDS && (s->warn_kinds[s->nwarn_kinds].name = strdup(safe)))
		s->warn_kinds[s->nwarn_kinds++].n = 1;
	else
		s->warn_kinds_dropped++;
}

/* Activity chart: when t falls past the last column, the column width doubles (pairs merge). */
static void chart_add(struct rep_session *s, int64_t t, int area, bool warn)
{
	if (t < 0)
		t = 0;
	while (t / s->bucket_ns >= REP_BUCKETS) {
		for (int i = 0; i < REP_BUCKETS / 2; i++) {
			for (int a = 0; a < REP_AREAS; a++)
				s->buckets[i][a] = s->buckets[2 * i][a] + s->buckets[2 * i + 1][a];
			s->bucket_warn[i] = s->bucket_warn[2 * i] + s->bucket_warn[2 * i + 1];
		}
		memset(s->buckets[REP_BUCKETS / 2], 0, sizeof(s->buckets[0]) * (REP_BUCKETS / 2));
		memset(&s->bucket_warn[REP_BUCKETS / 2], 0, sizeof(s->bucket_warn[0]) * (REP_BUCKETS / 2));
		s->bucket_ns *= 2;
	}
	int b = t / s->bucket_ns;
	if (area >= 0)
		s->buckets[b][area]++;
	if (warn)
		s->bucket_warn[b]++;
}

/* A DNS lookup: one row per (name, type), the last answer's addresses. */
static void add_dns(struct rep_session *s, struct json_object *ev)
{
	const char *name = cap_jstr(ev, "name"), *type = cap_jstr(ev, "type"), *rcode = cap_jstr(ev, "rcode");
	char sn[512], st[16];
	if (!name)
		return;
	rep_safe_into(sn, sizeof(sn), name);
	rep_safe_into(st, sizeof(st), type ? type : "?");
	size_t i = 0;
	while (i < s->ndns && (strcmp(s->dns[i].name, sn) || strcmp(s->dns[i].type, st)))
		i++;
	if (i == s->ndns) {
		if (s->ndns >= REP_MAX_DNS || !(s->dns[i].name = strdup(sn))) {
			s->dns_dropped++;
			return;
		}
		snprintf(s->dns[i].type, sizeof(s->dns[i].type), "%s", st);
		s->ndns++;
	}
	struct rep_dns *d = &s->dns[i];
	d->n++;
	struct json_object *ans = cap_jget(ev, "answered");
	if (ans && !json_object_get_boolean(ans)) {
		d->unanswered++;
		return;
	}
	rep_safe_into(d->rcode, sizeof(d->rcode), rcode ? rcode : "");
	struct json_object *addrs = cap_jget(ev, "addresses");
	char buf[1024];
	size_t o = 0;
	buf[0] = 0;
	for (size_t k = 0; addrs && json_object_is_type(addrs, json_type_array) && k < json_object_array_length(addrs) && k < 16; k++) {
		const char *a = json_object_get_string(json_object_array_get_idx(addrs, k));
		if (!a || o + 2 >= sizeof(buf))
			break;
		if (k)
			buf[o++] = ' ';
		o += rep_safe_into(buf + o, sizeof(buf) - o, a);
	}
	free(d->addresses);
	d->addresses = strdup(buf);
}

static bool is_kind(const char *k, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(k, *list))
			return true;
	return false;
}

static const char *const k_open[] = { "open", "openat", "openat2", "creat", NULL };
static const char *const k_delete[] = { "unlink", "unlinkat", "rmdir", NULL };
static const char *const k_rename[] = { "rename", "renameat", "renameat2", NULL };
static const char *const k_create[] = { "mkdir", "mkdirat", "link", "linkat", "symlink", "symlinkat", "mknod", "mknodat", NULL };
static const char *const k_change[] = { "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "lchown", "fchown",
					 "fchownat", "truncate", "ftruncate", NULL };
static const char *const k_send[] = { "sendto", "sendmsg", "sendmmsg", NULL };
static const char *const k_recv[] = { "recvfrom", "recvmsg", "recvmmsg", NULL };
static const char *const k_signal[] = { "kill", "tkill", "tgkill", "pidfd_send_signal", "rt_sigqueueinfo", "signal", NULL };

/* What one event did to files: up to two paths with their access bits. */
struct file_touch {
	const char *path[2];
	unsigned access[2];
	int n;
};

static void classify_file(const char *kind, struct json_object *ev, struct file_touch *ft)
{
	const char *path = cap_jstr(ev, "path"), *path2 = cap_jstr(ev, "path2"), *fdp = cap_jstr(ev, "fd_path");
	const char *ftype = cap_jstr(cap_jget(ev, "file"), "type");

	ft->n = 0;
	if (is_kind(kind, k_open)) {
		if (!path || (ftype && strcmp(ftype, "reg") && strcmp(ftype, "lnk")))
			return; /* directories, devices (listed apart), sockets */
		bool w = cap_store_open_writes(ev, kind);
		ft->path[0] = path;
		ft->access[0] = w ? REP_WRITE : REP_READ;
		ft->n = 1;
	} else if (is_kind(kind, k_delete)) {
		if (path) {
			ft->path[0] = path;
			ft->access[0] = REP_DELETE;
			ft->n = 1;
		}
	} else if (is_kind(kind, k_rename)) {
		if (path) {
			ft->path[ft->n] = path;
			ft->access[ft->n++] = REP_DELETE;
		}
		if (path2) {
			ft->path[ft->n] = path2;
			ft->access[ft->n++] = REP_WRITE;
		}
	} else if (is_kind(kind, k_create)) {
		const char *p = path2 ? path2 : path;
		if (p) {
			ft->path[0] = p;
			ft->access[0] = REP_WRITE;
			ft->n = 1;
		}
	} else if (is_kind(kind, k_change)) {
		const char *p = path ? path : fdp;
		if (p) {
			ft->path[0] = p;
			ft->access[0] = REP_CHANGE;
			ft->n = 1;
		}
	} else if (!strcmp(kind, "execve") || !strcmp(kind, "execveat")) {
		const char *exe = cap_jstr(ev, "exe");
		if (exe && !cap_jstr(ev, "error")) {
			ft->path[0] = exe;
			ft->access[0] = REP_EXEC;
			ft->n = 1;
		}
	}
}

/* The peer of a network event: protocol and address, NULL when it has none. */
static const char *peer_of(const char *kind, struct json_object *ev, const char **proto)
{
	struct json_object *sock = cap_jget(ev, "sock"), *rs = cap_jget(ev, "result_sock");
	const char *addr = cap_jstr(cap_jget(ev, "addr"), "address");

	*proto = cap_jstr(sock, "protocol");
	if (!strcmp(kind, "accept") || !strcmp(kind, "accept4")) {
		*proto = cap_jstr(rs, "protocol");
		const char *peer = cap_jstr(rs, "peer");
		return peer ? peer : addr;
	}
	if (!strcmp(kind, "connect") || is_kind(kind, k_send) || is_kind(kind, k_recv)) {
		if (!addr)
			addr = cap_jstr(sock, "peer");
		if (addr && !*proto)
			*proto = !strncmp(addr, "unix:", 5) ? "unix" : "ip";
		return addr;
	}
	return NULL;
}

static const char *dns_of(struct json_object *ev)
{
	const char *d = cap_jstr(ev, "dns");
	if (!d)
		d = cap_jstr(cap_jget(ev, "addr"), "dns");
	if (!d)
		d = cap_jstr(cap_jget(ev, "sock"), "dns");
	return d;
}

static void add_evidence(struct rep_session *s, struct json_object *ev, const char *kind, const char *area,
			 const char *warning, const char *device, const struct file_touch *ft, const char *peer,
			 const char *dns, bool failed, const char *line)
{
	struct tpl_event te = { .kind = kind, .area = area, .warning = warning, .device = device, .failed = failed,
				 .error = cap_jstr(ev, "error") };
	char hostonly[256];
	const char *path = cap_jstr(ev, "path"), *path2 = cap_jstr(ev, "path2"), *fdp = cap_jstr(ev, "fd_path");

	for (int i = 0; i < ft->n; i++)
		te.access |= ft->access[i];
	const char *cand[] = { path, path2, fdp, cap_jstr(ev, "exe") };
	for (int i = 0; i < 4; i++)
		if (cand[i])
			te.paths[te.npaths++] = cand[i];
	if (!strcmp(kind, "dns") && cap_jstr(ev, "name"))
		te.hosts[te.nhosts++] = cap_jstr(ev, "name");
	else if (peer) {
		te.hosts[te.nhosts++] = peer;
		/* the address without its port: "10.0.0.1:443" -> "10.0.0.1", "[::1]:80" -> "::1" */
		const char *colon = strrchr(peer, ':');
		if (colon && strncmp(peer, "unix:", 5)) {
			size_t n = colon - peer;
			const char *start = peer;
			if (n >= 2 && peer[0] == '[' && peer[n - 1] == ']')
				start++, n -= 2;
			if (n < sizeof(hostonly)) {
				memcpy(hostonly, start, n);
				hostonly[n] = 0;
				te.hosts[te.nhosts++] = hostonly;
			}
		}
		if (dns)
			te.hosts[te.nhosts++] = dns;
	}
	for (size_t c = 0; c < s->tpl->ncrit; c++) {
		const struct tpl_criterion *cr = &s->tpl->crit[c];
		for (size_t j = 0; j < cr->nsel; j++)
			if (tpl_selector_match(&cr->sel[j], &te)) {
				lines_add(&s->evidence[c].lines, line);
				break;
			}
	}
}

int rep_add_event(struct rep_session *s, struct json_object *ev)
{
	char line[REP_LINE_MAX];
	const char *kind = cap_jstr(ev, "kind"), *area = cap_jstr(ev, "area"), *time = cap_jstr(ev, "time");
	int64_t abs_t = time ? rep_parse_time(time) : -1;
	int pid = cap_jint(ev, "pid", -1);

	if (!kind || pid < 0 || abs_t < 0) {
		s->malformed++;
		return 0;
	}
	s->events++;
	if (s->t0_ns < 0) {
		s->t0_ns = abs_t;
		rep_safe_into(s->start_time, sizeof(s->start_time), time);
	}
	int64_t t = abs_t - s->t0_ns;
	if (t > s->last_ns)
		s->last_ns = t;
	int ai = rep_area_index(area);
	if (ai >= 0)
		s->by_area[ai]++;
	const char *warning = cap_jstr(ev, "warning"), *error = cap_jstr(ev, "error"), *device = cap_jstr(ev, "device");
	int64_t ret = cap_jint(ev, "ret", 0);
	bool failed = error != NULL;
	rep_event_line(ev, abs_t, line, sizeof(line));

	/* process tree */
	int pi = proc_find(s, pid);
	if (pi < 0)
		pi = proc_new(s, pid, cap_jint(ev, "ppid", 0), cap_jstr(ev, "comm"), t);
	if (pi >= 0) {
		struct rep_proc *pr = &s->procs[pi];
		pr->events++;
		if (!strcmp(kind, "fork") && !cap_jbool(ev, "thread")) {
			int child = cap_jint(ev, "child_pid", -1);
			if (child > 0)
				proc_new(s, child, pid, pr->comm, t);
		} else if (!strcmp(kind, "execve") && !failed) {
			struct json_object *argv = cap_jget(ev, "argv");
			char cmd[4096];
			size_t o = 0;
			cmd[0] = 0;
			for (size_t i = 0; argv && json_object_is_type(argv, json_type_array) && i < json_object_array_length(argv); i++) {
				const char *a = json_object_get_string(json_object_array_get_idx(argv, i));
				if (!a || o + 2 >= sizeof(cmd))
					break;
				if (i)
					cmd[o++] = ' ';
				o += rep_safe_into(cmd + o, sizeof(cmd) - o, a);
			}
			free(pr->cmdline);
			pr->cmdline = strdup(cmd);
			free(pr->exe);
			pr->exe = cap_jstr(ev, "exe") ? rep_safe(cap_jstr(ev, "exe")) : NULL;
			rep_safe_into(pr->comm, sizeof(pr->comm), cap_jstr(ev, "comm") ? cap_jstr(ev, "comm") : pr->comm);
			pr->execs++;
		} else if (!strcmp(kind, "exit")) {
			const char *sig = cap_jstr(ev, "signal");
			if (sig)
				rep_safe_into(pr->exit, sizeof(pr->exit), sig);
			else
				snprintf(pr->exit, sizeof(pr->exit), "exit %lld", (long long)cap_jint(ev, "exit_code", 0));
			pr->has_exit = true;
			pr->end_ns = t;
			uint64_t cpu = (uint64_t)cap_jint(ev, "utime_ns", 0) + (uint64_t)cap_jint(ev, "stime_ns", 0);
			pr->cpu_ns = cpu;
			s->cpu_ns += cpu;
			pr->maxrss_kb = cap_jint(ev, "maxrss_kb", 0);
			if (pr->maxrss_kb > s->maxrss_kb)
				s->maxrss_kb = pr->maxrss_kb;
		}
	}

	/* files */
	struct file_touch ft;
	classify_file(kind, ev, &ft);
	for (int i = 0; i < ft.n; i++) {
		if (failed)
			continue;
		char safe[8192];
		rep_safe_into(safe, sizeof(safe), ft.path[i]);
		int fi = file_get(s, safe);
		if (fi < 0)
			continue;
		s->files[fi].access |= ft.access[i];
		s->files[fi].events++;
		if (is_kind(kind, k_open) && cap_jint(ev, "fd", -1) >= 0)
			fd_remember(s, pid, cap_jint(ev, "fd", -1), fi, -1);
	}

	/* hosts */
	const char *proto = NULL, *peer = peer_of(kind, ev, &proto), *dns = dns_of(ev);
	if (peer && strcmp(kind, "bind")) {
		char sp[512], sd[512];
		rep_safe_into(sp, sizeof(sp), peer);
		int hi = host_get(s, proto ? proto : "?", sp);
		if (hi >= 0) {
			struct rep_host *h = &s->hosts[hi];
			if (dns && !h->dns) {
				rep_safe_into(sd, sizeof(sd), dns);
				h->dns = strdup(sd);
			}
			bool inprogress = error && !strcmp(error, "EINPROGRESS");
			if (failed && !inprogress)
				h->failed++;
			else if (!strcmp(kind, "connect"))
				h->connects++, fd_remember(s, pid, cap_jint(cap_jget(ev, "args"), "fd", -1), -1, hi);
			else if (!strncmp(kind, "accept", 6))
				h->accepts++, fd_remember(s, pid, cap_jint(ev, "fd", ret), -1, hi);
			else if (is_kind(kind, k_send) || is_kind(kind, k_recv)) {
				/* a connected socket's bytes come from its totals at close; count the
				 * call's own bytes only when that close will not credit this host */
				bool send = is_kind(kind, k_send);
				struct fd_node *n = fd_take(s, pid, cap_jint(cap_jget(ev, "args"), "fd", -1), false);
				uint64_t bytes = n && n->host == hi ? 0 : ret > 0 ? (uint64_t)ret : 0;
				if (send)
					h->sends++, h->sent_bytes += bytes;
				else
					h->recvs++, h->recv_bytes += bytes;
			}
		}
	}

	/* bytes per fd, reported at close */
	struct json_object *io = cap_jget(ev, "io");
	if (io) {
		uint64_t rb = cap_jint(io, "read_bytes", 0), wb = cap_jint(io, "write_bytes", 0);
		s->io_read += rb;
		s->io_written += wb;
		struct fd_node *n = NULL;
		if (!strcmp(kind, "close"))
			n = fd_take(s, pid, cap_jint(cap_jget(ev, "args"), "fd", -1), false);
		if (n) {
			if (n->file >= 0)
				s->files[n->file].read_bytes += rb, s->files[n->file].write_bytes += wb;
			if (n->host >= 0)
				s->hosts[n->host].recv_bytes += rb, s->hosts[n->host].sent_bytes += wb;
		}
	}
	if (!strcmp(kind, "close"))
		fd_take(s, pid, cap_jint(cap_jget(ev, "args"), "fd", -1), true);

	/* devices */
	if (device) {
		char cls[32], dp[4096];
		const char *p = cap_jstr(ev, "path") ? cap_jstr(ev, "path") : cap_jstr(ev, "fd_path");
		rep_safe_into(cls, sizeof(cls), device);
		dp[0] = 0;
		if (p)
			rep_safe_into(dp, sizeof(dp), p);
		size_t i = 0;
		while (i < s->ndevs && (strcmp(s->devs[i].cls, cls) || strcmp(s->devs[i].path ? s->devs[i].path : "", dp)))
			i++;
		if (i == s->ndevs) {
			if (s->ndevs < REP_MAX_DEVS) {
				snprintf(s->devs[i].cls, sizeof(s->devs[i].cls), "%s", cls);
				s->devs[i].path = dp[0] ? strdup(dp) : NULL;
				s->ndevs++;
			} else {
				s->devs_dropped++;
				i = REP_MAX_DEVS;
			}
		}
		if (i < REP_MAX_DEVS) {
			if (failed)
				s->devs[i].failed++;
			else if (!strcmp(kind, "ioctl"))
				s->devs[i].ioctls++;
			else
				s->devs[i].opens++;
		}
	}

	if (!strcmp(kind, "dns"))
		add_dns(s, ev);

	/* the lines people look for */
	if (warning) {
		s->warnings_total++;
		count_warning(s, warning);
		lines_add(&s->warnings, line);
	}
	if (area && !strcmp(area, "cred"))
		lines_add(&s->creds, line);
	else if (!strcmp(kind, "execve") && (cap_jbool(ev, "setuid") || cap_jbool(ev, "setgid")))
		lines_add(&s->creds, line);
	if (area && !strcmp(area, "ns"))
		lines_add(&s->namespaces, line);
	if (area && !strcmp(area, "sys"))
		lines_add(&s->system, line);
	if (is_kind(kind, k_signal))
		lines_add(&s->signals, line);
	if (error && (!strcmp(error, "EPERM") || !strcmp(error, "EACCES")) && strcmp(kind, "execve"))
		lines_add(&s->denied, line);

	/* timeline marks: ordinary events stop at three quarters of the cap, so the rest is kept
	 * for what matters (processes, network, warnings, privileges) */
	bool important = warning || (ai >= 0 && ai != 2 && ai != 4 && ai != 5) || !strcmp(kind, "exit");
	if (s->ntl < REP_MAX_TIMELINE && pi >= 0 && (important || s->ntl < REP_MAX_TIMELINE * 3 / 4)) {
		char *txt = strdup(line);
		if (txt) {
			s->tl[s->ntl] = (struct rep_tl_event){ .t_ns = t, .proc = pi, .area = ai < 0 ? 0 : ai,
							       .warning = warning != NULL, .line = s->ntl };
			s->tl_text[s->ntl++] = txt;
		}
	} else {
		s->tl_dropped++;
	}
	chart_add(s, t, ai, warning != NULL);

	if (s->tpl)
		add_evidence(s, ev, kind, area, warning, device, &ft, peer, dns, failed, line);
	return 0;
}

void rep_set_summary(struct rep_session *s, struct json_object *sum)
{
	const char *v;
	s->have_summary = true;
	if ((v = cap_jstr(sum, "session")))
		rep_safe_into(s->id, sizeof(s->id), v);
	if ((v = cap_jstr(sum, "command")))
		rep_safe_into(s->command, sizeof(s->command), v);
	if ((v = cap_jstr(sum, "user")))
		rep_safe_into(s->user, sizeof(s->user), v);
	if ((v = cap_jstr(sum, "final_hash")))
		rep_safe_into(s->final_hash, sizeof(s->final_hash), v);
	s->exit_status = cap_jint(sum, "exit_status", -1);
	struct json_object *d = cap_jget(sum, "duration_s");
	if (d && (json_object_is_type(d, json_type_double) || json_object_is_type(d, json_type_int)))
		s->duration_s = json_object_get_double(d);
	s->summary_recorded = cap_jint(sum, "events_recorded", 0);
	s->summary_lost = cap_jint(sum, "events_lost", 0);
	s->peak_rss_kb = cap_jint(sum, "peak_rss_kb", 0);
}

static int file_cmp(const void *a, const void *b)
{
	const struct rep_file *x = a, *y = b;
	if (x->sensitive != y->sensitive)
		return y->sensitive - x->sensitive;
	/* by directory, then name: compare the parts before the last '/' first */
	const char *sx = strrchr(x->path, '/'), *sy = strrchr(y->path, '/');
	size_t dx = sx ? (size_t)(sx - x->path) : 0, dy = sy ? (size_t)(sy - y->path) : 0;
	size_t m = dx < dy ? dx : dy;
	int c = memcmp(x->path, y->path, m);
	if (c)
		return c;
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return strcmp(x->path + dx, y->path + dy);
}

static int host_cmp(const void *a, const void *b)
{
	const struct rep_host *x = a, *y = b;
	uint64_t tx = x->sent_bytes + x->recv_bytes, ty = y->sent_bytes + y->recv_bytes;
	if (tx != ty)
		return tx > ty ? -1 : 1;
	return strcmp(x->addr, y->addr);
}

void rep_finish(struct rep_session *s)
{
	/* hash tables point into files/hosts: sorting is the last step, no lookups after it */
	qsort(s->files, s->nfiles, sizeof(*s->files), file_cmp);
	qsort(s->hosts, s->nhosts, sizeof(*s->hosts), host_cmp);
	if (!s->duration_s && s->last_ns > 0)
		s->duration_s = s->last_ns / 1e9;
}

int rep_add_json(struct rep_session *s, struct json_tokener *tok, const char *text, size_t len)
{
	json_tokener_reset(tok);
	struct json_object *ev = len <= INT32_MAX ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
	if (!ev || json_tokener_get_parse_end(tok) != len || !json_object_is_type(ev, json_type_object)) {
		s->malformed++;
		json_object_put(ev);
		return 0;
	}
	int r = rep_add_event(s, ev);
	json_object_put(ev);
	return r;
}
