/* The session's process tree (see proctree.h). */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "enrich/proctree.h"
#include "log/chain.h"
#include "format/json.h"
#include "format/names.h"
#include "format/sbuf.h"

int cap_proctree_init(struct cap_proctree *t)
{
	memset(t, 0, sizeof(*t));
	t->max = CAP_PROCTREE_MAX;
	t->exited_max = CAP_PROCTREE_EXITED_MAX;
	t->nbuckets = 4096;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : -ENOMEM;
}

static size_t bucket(const struct cap_proctree *t, uint32_t pid)
{
	return (pid * 2654435761u) & (t->nbuckets - 1);
}

struct cap_proc *cap_proctree_find(const struct cap_proctree *t, uint32_t pid)
{
	for (struct cap_proc *p = t->buckets[bucket(t, pid)]; p; p = p->hnext)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void unhash(struct cap_proctree *t, struct cap_proc *p)
{
	if (!p->in_hash)
		return;
	for (struct cap_proc **pp = &t->buckets[bucket(t, p->pid)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == p) {
			*pp = p->hnext;
			break;
		}
	}
	p->hnext = NULL;
	p->in_hash = false;
}

/* ---- strings, within the budget ---- */

static char *budget_dup(struct cap_proctree *t, const void *data, size_t len, bool *cut)
{
	if (t->str_bytes + len + 1 > CAP_PROCTREE_STR_BUDGET && len > CAP_PROCTREE_STR_CUT) {
		len = CAP_PROCTREE_STR_CUT;
		if (cut)
			*cut = true;
	}
	char *s = malloc(len + 1);
	if (!s)
		return NULL;
	memcpy(s, data, len);
	s[len] = 0;
	t->str_bytes += len + 1;
	return s;
}

static void budget_free(struct cap_proctree *t, char **s, size_t len)
{
	if (!*s)
		return;
	t->str_bytes -= len + 1;
	free(*s);
	*s = NULL;
}

static void free_strings(struct cap_proctree *t, struct cap_proc *p)
{
	budget_free(t, &p->argv, p->argv_len);
	if (p->cwd)
		budget_free(t, &p->cwd, strlen(p->cwd));
	if (p->exe)
		budget_free(t, &p->exe, strlen(p->exe));
	if (p->script)
		budget_free(t, &p->script, strlen(p->script));
	if (p->interp)
		budget_free(t, &p->interp, strlen(p->interp));
}

/* ---- tree links ---- */

static void link_child(struct cap_proctree *t, struct cap_proc *parent, struct cap_proc *c)
{
	struct cap_proc **first = parent ? &parent->child : &t->roots;
	struct cap_proc **last = parent ? &parent->last_child : &t->last_root;
	c->parent = parent;
	c->next = NULL;
	c->prev = *last;
	if (*last)
		(*last)->next = c;
	else
		*first = c;
	*last = c;
}

static void unlink_child(struct cap_proctree *t, struct cap_proc *c)
{
	struct cap_proc **first = c->parent ? &c->parent->child : &t->roots;
	struct cap_proc **last = c->parent ? &c->parent->last_child : &t->last_root;
	if (c->prev)
		c->prev->next = c->next;
	else
		*first = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		*last = c->prev;
	c->prev = c->next = NULL;
	c->parent = NULL;
}

/* Drops the oldest exited process; its children move up to its parent. */
static void evict_oldest(struct cap_proctree *t)
{
	struct cap_proc *x = t->xhead;
	if (!x)
		return;
	t->xhead = x->xnext;
	if (t->xhead)
		t->xhead->xprev = NULL;
	else
		t->xtail = NULL;
	t->exited--;
	while (x->child) {
		struct cap_proc *c = x->child;
		unlink_child(t, c);
		link_child(t, x->parent, c);
	}
	unlink_child(t, x);
	unhash(t, x);
	free_strings(t, x);
	free(x);
	t->count--;
	t->evicted++;
}

static void mark_exited(struct cap_proctree *t, struct cap_proc *p)
{
	p->exited = true;
	p->xnext = NULL;
	p->xprev = t->xtail;
	if (t->xtail)
		t->xtail->xnext = p;
	else
		t->xhead = p;
	t->xtail = p;
	t->exited++;
	while (t->exited > t->exited_max)
		evict_oldest(t);
}

/* The parent is looked up by pid after the eviction: the oldest exited process evicted to make
 * room may be that very parent. */
static struct cap_proc *new_proc(struct cap_proctree *t, uint32_t pid, uint32_t ppid,
				 const struct cap_event *ev)
{
	if (t->count >= t->max)
		evict_oldest(t);
	struct cap_proc *parent = cap_proctree_find(t, ppid);
	if (t->count >= t->max) {
		t->untracked++;
		return NULL;
	}
	struct cap_proc *p = calloc(1, sizeof(*p));
	if (!p) {
		t->untracked++;
		return NULL;
	}
	struct cap_proc *old = cap_proctree_find(t, pid);
	if (old) /* pid reuse (or a lost exit): the old one stays in the tree, unreachable by pid */
		unhash(t, old);
	p->pid = pid;
	p->start_ns = ev->realtime_ns;
	memcpy(p->comm, ev->hdr.comm, CAP_COMM_LEN);
	p->uid = ev->hdr.uid;
	p->euid = ev->hdr.euid;
	p->gid = ev->hdr.gid;
	p->ppid_now = parent ? parent->pid : ev->hdr.ppid;
	link_child(t, parent, p);
	size_t b = bucket(t, pid);
	p->hnext = t->buckets[b];
	t->buckets[b] = p;
	p->in_hash = true;
	t->count++;
	return p;
}

/* The event's process, created from its header when first seen. */
static struct cap_proc *get_proc(struct cap_proctree *t, const struct cap_event *ev)
{
	struct cap_proc *p = cap_proctree_find(t, ev->hdr.pid);
	if (!p)
		return new_proc(t, ev->hdr.pid, ev->hdr.ppid, ev);
	if (ev->hdr.ppid != p->ppid_now)
		p->ppid_now = ev->hdr.ppid; /* reparented (its parent exited); the tree keeps who started it */
	if (memcmp(p->comm, ev->hdr.comm, CAP_COMM_LEN))
		memcpy(p->comm, ev->hdr.comm, CAP_COMM_LEN);
	return p;
}

static void set_str(struct cap_proctree *t, char **dst, const void *data, size_t len, bool *cut)
{
	if (*dst)
		budget_free(t, dst, strlen(*dst));
	*dst = data ? budget_dup(t, data, len, cut) : NULL;
}

static void on_exec(struct cap_proctree *t, struct cap_proc *p, const struct cap_event *ev,
		    const struct cap_view *v)
{
	const struct cap_fieldref *f;
	struct cap_cred c;
	bool cut = false;

	p->execs++;
	p->exec_ns = ev->realtime_ns;
	budget_free(t, &p->argv, p->argv_len);
	p->argv_len = 0;
	p->argv_cut = false;
	if ((f = cap_event_field(ev, CAP_F_ARGV, -1))) {
		p->argv = budget_dup(t, f->data, f->len, &cut);
		p->argv_len = p->argv ? (cut ? CAP_PROCTREE_STR_CUT : f->len) : 0;
		p->argv_cut = cut || (ev->hdr.flags & CAP_RF_TRUNCATED);
	}
	f = cap_event_field(ev, CAP_F_CWD, -1);
	set_str(t, &p->cwd, f ? f->data : NULL, f ? f->len : 0, NULL);
	set_str(t, &p->exe, v->npaths ? v->path[0] : NULL, v->npaths ? v->path_len[0] : 0, NULL);
	set_str(t, &p->script, v->has_script ? v->path[1] : NULL, v->has_script ? v->path_len[1] : 0, NULL);
	f = cap_event_field(ev, CAP_F_INTERP, -1);
	set_str(t, &p->interp, f ? f->data : NULL, f ? f->len : 0, NULL);
	if (cap_event_struct(ev, CAP_F_CRED, 0, &c, sizeof(c))) {
		p->uid = c.uid;
		p->euid = c.euid;
		p->gid = c.gid;
	}
	p->has_key = v->has_file && S_ISREG(v->file.mode);
	p->setuid = v->has_file && (v->file.mode & S_ISUID);
	p->setgid = v->has_file && (v->file.mode & S_ISGID);
	if (p->has_key) {
		cap_exe_key(&p->key, &v->file);
	}
	memcpy(p->image_sha256, v->image_sha256, sizeof(p->image_sha256));
	p->script_sha256[0] = 0;
	p->image_status = v->image_note;
	p->session_written = v->session_written;
}

void cap_proctree_event(struct cap_proctree *t, const struct cap_event *ev, const struct cap_view *v)
{
	struct cap_proc *p;

	switch (ev->hdr.type) {
	case CAP_REC_FORK:
		get_proc(t, ev);
		if (ev->hdr.args[0] == ev->hdr.args[1]) { /* a process, not a thread */
			struct cap_proc *c = new_proc(t, (uint32_t)ev->hdr.args[1], ev->hdr.pid, ev);
			if (c)
				c->ppid_now = ev->hdr.pid;
		}
		return;
	case CAP_REC_EXEC:
		if ((p = get_proc(t, ev)))
			on_exec(t, p, ev, v);
		return;
	case CAP_REC_EXIT:
		p = cap_proctree_find(t, ev->hdr.pid);
		if (p && !p->exited) {
			p->status = (int)ev->hdr.ret;
			p->exit_ns = ev->realtime_ns;
			mark_exited(t, p);
		}
		return;
	case CAP_REC_SIGNAL:
		return; /* about the receiver, sent by someone else: no news about the process itself */
	default:
		get_proc(t, ev);
	}
}


void cap_proctree_image(struct cap_proctree *t, const struct cap_exeresult *r)
{
	struct cap_proc *p = cap_proctree_find(t, r->job.hdr.pid);
	if (!p)
		return;
	if (r->job.role == CAP_IMG_SCRIPT) {
		if (p->script && r->job.path && !strcmp(p->script, r->job.path)) {
			if (r->status == CAP_IMG_OK)
				cap_chain_hex(r->sha256, p->script_sha256);
			p->session_written |= r->session_written;
		}
		return;
	}
	if (!p->has_key || !cap_exekey_eq(&p->key, &r->job.key))
		return;
	if (r->status == CAP_IMG_OK)
		cap_chain_hex(r->sha256, p->image_sha256);
	else
		p->image_status = cap_image_status_name(r->status);
}

/* Visits every process depth-first, parents before children, without recursion. */
#define TREE_WALK(t, p, depth) \
	for (struct cap_proc *p = (t)->roots, *p##_n = NULL; p; p = p##_n) \
		for (int p##_once = 1; p##_once; p##_once = 0, p##_n = next_in_walk(p, &depth))

static struct cap_proc *next_in_walk(struct cap_proc *p, int *depth)
{
	if (p->child) {
		(*depth)++;
		return p->child;
	}
	while (p && !p->next) {
		p = p->parent;
		(*depth)--;
	}
	return p ? p->next : NULL;
}

void cap_proctree_fill_hashes(struct cap_proctree *t, struct cap_exehash *h)
{
	uint8_t sha[32];
	int depth = 0;
	TREE_WALK(t, p, depth) {
		if (p->has_key && !p->image_sha256[0] && cap_exehash_lookup(h, &p->key, sha)) {
			cap_chain_hex(sha, p->image_sha256);
			p->image_status = NULL;
		}
	}
}

void cap_proctree_free(struct cap_proctree *t)
{
	struct cap_proc *p = t->roots;
	/* post-order free without recursion: descend to a leaf, free it, repeat */
	while (p) {
		if (p->child) {
			p = p->child;
			continue;
		}
		struct cap_proc *up = p->parent;
		unlink_child(t, p);
		free_strings(t, p);
		free(p);
		p = up ? up : t->roots;
	}
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

/* ---- output ---- */

/* uid/gid -> name, from the real passwd/group databases; cached (cap: NAME_CACHE entries). */
#define NAME_CACHE 256
struct name_cache {
	unsigned n;
	struct { uint32_t id; char name[64]; } e[NAME_CACHE];
};

static const char *id_name(struct name_cache *c, uint32_t id, bool group)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->e[i].id == id)
			return c->e[i].name[0] ? c->e[i].name : NULL;
	char buf[16384];
	const char *name = NULL;
	if (group) {
		struct group gr, *res = NULL;
		if (!getgrgid_r(id, &gr, buf, sizeof(buf), &res) && res)
			name = res->gr_name;
	} else {
		struct passwd pw, *res = NULL;
		if (!getpwuid_r(id, &pw, buf, sizeof(buf), &res) && res)
			name = res->pw_name;
	}
	if (c->n >= NAME_CACHE)
		return NULL; /* cache full: the number alone */
	c->e[c->n].id = id;
	snprintf(c->e[c->n].name, sizeof(c->e[c->n].name), "%s", name ? name : "");
	return c->e[c->n++].name[0] ? c->e[c->n - 1].name : NULL;
}

static int64_t first_start(const struct cap_proctree *t)
{
	int64_t first = 0;
	for (const struct cap_proc *p = t->roots; p; p = p->next)
		if (p->start_ns && (!first || p->start_ns < first))
			first = p->start_ns;
	return first;
}

static void put_secs(struct sbuf *b, int64_t ns)
{
	char tmp[32];
	snprintf(tmp, sizeof(tmp), "+%.3fs", ns / 1e9);
	sb_puts(b, tmp);
}

static void put_exit(struct sbuf *b, int st)
{
	char tmp[32];
	if (st & 0x7f) {
		cap_signal_format(tmp, sizeof(tmp), st & 0x7f);
		sb_puts(b, " killed by ");
		sb_puts(b, tmp);
	} else {
		sb_puts(b, " exit ");
		sb_u64(b, (st >> 8) & 0xff);
	}
}

#define INDENT_MAX 32 /* deeper levels are not indented further; the depth is shown */

void cap_proctree_print(FILE *f, const struct cap_proctree *t, int color)
{
	static char line[65536];
	struct name_cache *names = calloc(2, sizeof(*names));
	int64_t t0 = first_start(t);
	int depth = 0;
	const char *cy = color ? "\033[36m" : "", *r = color ? "\033[0m" : "", *y = color ? "\033[1;33m" : "";

	if (!names)
		return;
	fprintf(f, "\n%s── process tree ──%s %zu process%s", color ? "\033[1m" : "", r, t->count,
		t->count == 1 ? "" : "es");
	if (t->evicted)
		fprintf(f, "; %llu exited ones not kept (cap %zu)", (unsigned long long)t->evicted, t->exited_max);
	if (t->untracked)
		fprintf(f, "; %llu not tracked (cap %zu)", (unsigned long long)t->untracked, t->max);
	fputc('\n', f);
	TREE_WALK(t, p, depth) {
		struct sbuf b;
		sb_init(&b, line, sizeof(line));
		for (int i = 0; i < (depth < INDENT_MAX ? depth : INDENT_MAX); i++)
			sb_puts(&b, "  ");
		if (depth >= INDENT_MAX) {
			sb_puts(&b, "[depth ");
			sb_u64(&b, depth);
			sb_puts(&b, "] ");
		}
		sb_puts(&b, cy);
		sb_putc(&b, 'P');
		sb_u64(&b, p->pid);
		sb_puts(&b, r);
		sb_puts(&b, " (");
		sb_escaped(&b, p->comm, strnlen(p->comm, CAP_COMM_LEN), 0);
		sb_putc(&b, ')');
		if (p->argv) {
			sb_puts(&b, " [");
			for (uint32_t i = 0, start = 0, n = 0; i <= p->argv_len; i++) {
				if (i < p->argv_len && p->argv[i])
					continue;
				if (i == p->argv_len && i == start)
					break;
				if (n++)
					sb_putc(&b, ',');
				sb_putc(&b, '"');
				sb_escaped(&b, p->argv + start, i - start, 200);
				sb_putc(&b, '"');
				start = i + 1;
			}
			sb_puts(&b, p->argv_cut ? ",…]" : "]");
		}
		if (p->exe) {
			sb_puts(&b, " exe=");
			sb_escaped(&b, p->exe, strlen(p->exe), 256);
		}
		if (p->script) {
			sb_puts(&b, " script=");
			sb_escaped(&b, p->script, strlen(p->script), 256);
		}
		const char *un = id_name(&names[0], p->uid, false), *gn = id_name(&names[1], p->gid, true);
		sb_puts(&b, " user=");
		if (un)
			sb_puts(&b, un);
		else
			sb_u64(&b, p->uid);
		sb_putc(&b, ':');
		if (gn)
			sb_puts(&b, gn);
		else
			sb_u64(&b, p->gid);
		if (p->euid != p->uid) {
			const char *en = id_name(&names[0], p->euid, false);
			sb_puts(&b, " euid=");
			if (en)
				sb_puts(&b, en);
			else
				sb_u64(&b, p->euid);
		}
		if (p->cwd) {
			sb_puts(&b, " cwd=");
			sb_escaped(&b, p->cwd, strlen(p->cwd), 256);
		}
		sb_putc(&b, ' ');
		put_secs(&b, p->start_ns && t0 ? p->start_ns - t0 : 0);
		if (p->exited) {
			sb_puts(&b, "..");
			put_secs(&b, p->exit_ns - t0);
			put_exit(&b, p->status);
		} else {
			sb_puts(&b, " running");
		}
		if (p->image_sha256[0]) {
			sb_puts(&b, " sha256=");
			sb_putn(&b, p->image_sha256, 16);
			sb_puts(&b, "…");
		} else if (p->image_status) {
			sb_puts(&b, " image ");
			sb_puts(&b, p->image_status);
		}
		if (p->script_sha256[0]) {
			sb_puts(&b, " script_sha256=");
			sb_putn(&b, p->script_sha256, 16);
			sb_puts(&b, "…");
		}
		if (p->setuid || p->setgid)
			sb_puts(&b, p->setuid ? " setuid" : " setgid");
		if (p->session_written) {
			sb_puts(&b, "  ");
			sb_puts(&b, y);
			sb_puts(&b, "⚠ written by this session");
			sb_puts(&b, r);
		}
		sb_putc(&b, '\n');
		if (b.full)
			b.buf[b.len - 1] = '\n';
		fwrite(b.buf, 1, b.len, f);
	}
	free(names);
}

static void json_time_or_null(struct sbuf *b, const char *k, int64_t ns)
{
	sb_puts(b, ",\"");
	sb_puts(b, k);
	sb_puts(b, "\":");
	if (ns)
		cap_json_time(b, ns);
	else
		sb_puts(b, "null");
}

static void json_opt_str(struct sbuf *b, const char *k, const char *s)
{
	if (!s)
		return;
	sb_puts(b, ",\"");
	sb_puts(b, k);
	sb_puts(b, "\":");
	sb_json_str(b, s, strlen(s));
}

static void json_name(struct sbuf *b, const char *k, const char *name)
{
	sb_puts(b, ",\"");
	sb_puts(b, k);
	sb_puts(b, "\":");
	if (name)
		sb_json_cstr(b, name);
	else
		sb_puts(b, "null");
}

void cap_proctree_json(FILE *f, const struct cap_proctree *t)
{
	/* a process's line: 4 KiB argv escaped up to 4x, JSON-escaped again, paths, children */
	static char line[512 * 1024];
	struct name_cache *names = calloc(2, sizeof(*names));
	int depth = 0, n = 0;

	if (!names)
		return;
	fprintf(f, "{\"tracked\":%zu,\"evicted\":%llu,\"untracked\":%llu,\"caps\":{\"processes\":%zu,\"exited\":%zu},\"processes\":[",
		t->count, (unsigned long long)t->evicted, (unsigned long long)t->untracked, t->max, t->exited_max);
	TREE_WALK(t, p, depth) {
		struct sbuf b;
		sb_init(&b, line, sizeof(line));
		sb_puts(&b, n++ ? ",\n{\"pid\":" : "\n{\"pid\":");
		sb_u64(&b, p->pid);
		sb_puts(&b, ",\"ppid\":");
		if (p->parent)
			sb_u64(&b, p->parent->pid);
		else
			sb_puts(&b, "null");
		sb_puts(&b, ",\"ppid_now\":");
		sb_u64(&b, p->ppid_now);
		sb_puts(&b, ",\"depth\":");
		sb_u64(&b, depth);
		sb_puts(&b, ",\"comm\":");
		sb_json_str(&b, p->comm, strnlen(p->comm, CAP_COMM_LEN));
		if (p->argv) {
			sb_puts(&b, ",\"argv\":[");
			for (uint32_t i = 0, start = 0, k = 0; i <= p->argv_len; i++) {
				if (i < p->argv_len && p->argv[i])
					continue;
				if (i == p->argv_len && i == start)
					break;
				if (k++)
					sb_putc(&b, ',');
				sb_json_str(&b, p->argv + start, i - start);
				start = i + 1;
			}
			sb_putc(&b, ']');
			if (p->argv_cut)
				sb_puts(&b, ",\"argv_truncated\":true");
		}
		json_opt_str(&b, "exe", p->exe);
		json_opt_str(&b, "interpreter", p->interp);
		json_opt_str(&b, "script", p->script);
		json_opt_str(&b, "cwd", p->cwd);
		sb_puts(&b, ",\"uid\":");
		sb_u64(&b, p->uid);
		json_name(&b, "user", id_name(&names[0], p->uid, false));
		sb_puts(&b, ",\"euid\":");
		sb_u64(&b, p->euid);
		sb_puts(&b, ",\"gid\":");
		sb_u64(&b, p->gid);
		json_name(&b, "group", id_name(&names[1], p->gid, true));
		json_time_or_null(&b, "start", p->start_ns);
		json_time_or_null(&b, "exec_time", p->exec_ns);
		json_time_or_null(&b, "exit_time", p->exit_ns);
		sb_puts(&b, ",\"execs\":");
		sb_u64(&b, p->execs);
		sb_puts(&b, p->exited ? ",\"exited\":true" : ",\"exited\":false");
		if (p->exited) {
			char tmp[32];
			sb_puts(&b, ",\"status\":");
			sb_i64(&b, p->status);
			if (p->status & 0x7f) {
				cap_signal_format(tmp, sizeof(tmp), p->status & 0x7f);
				json_opt_str(&b, "signal", tmp);
			} else {
				sb_puts(&b, ",\"exit_code\":");
				sb_u64(&b, (p->status >> 8) & 0xff);
			}
		}
		if (p->image_sha256[0])
			json_opt_str(&b, "image_sha256", p->image_sha256);
		else if (p->image_status)
			json_opt_str(&b, "image_status", p->image_status);
		if (p->script_sha256[0])
			json_opt_str(&b, "script_sha256", p->script_sha256);
		sb_puts(&b, p->setuid ? ",\"setuid\":true" : ",\"setuid\":false");
		sb_puts(&b, p->setgid ? ",\"setgid\":true" : ",\"setgid\":false");
		sb_puts(&b, p->session_written ? ",\"session_written\":true" : ",\"session_written\":false");
		sb_puts(&b, ",\"children\":[");
		for (struct cap_proc *c = p->child; c; c = c->next) {
			sb_u64(&b, c->pid);
			if (c->next)
				sb_putc(&b, ',');
		}
		sb_puts(&b, "]}");
		fwrite(b.buf, 1, b.len, f);
	}
	fputs("\n]}\n", f);
	free(names);
}
