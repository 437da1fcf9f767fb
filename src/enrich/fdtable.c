/* The per-process fd table (see fdtable.h). Layout:
 *   procs:   pid -> struct proc (comm, table); threads and CLONE_FILES children share a table
 *   table:   fd -> struct target (refcounted: dup and fork share it, as the kernel shares the
 *            open file description); the slot's second key holds the close-on-exec flag
 *   ends:    (pair, end) -> the tables holding that end of a pipe/FIFO/socketpair, so a write
 *            to a pipe can name the processes that read it
 * All maps are open-addressing hash maps with linear probing and backward-shift deletion. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <linux/sched.h>
#include "enrich/fdtable.h"
#include "format/describe.h"

/* ---- a small hash map: (k1, k2) -> non-NULL pointer ---- */

struct hslot {
	uint64_t k1, k2;
	void *v; /* NULL: empty */
};

struct hmap {
	struct hslot *s;
	uint32_t cap, n; /* cap: a power of two, or 0 */
	int k1_only;     /* k2 is data, not part of the key (fd maps: the close-on-exec flag) */
};

static inline uint32_t hm_hash(uint64_t k1, uint64_t k2)
{
	uint64_t h = k1 * 0x9E3779B97F4A7C15ULL ^ (k2 + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL;
	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ULL;
	return (uint32_t)(h ^ (h >> 32));
}

static inline uint32_t hm_slot_hash(const struct hmap *m, uint64_t k1, uint64_t k2)
{
	return hm_hash(k1, m->k1_only ? 0 : k2);
}

static inline int hm_same(const struct hmap *m, const struct hslot *s, uint64_t k1, uint64_t k2)
{
	return s->k1 == k1 && (m->k1_only || s->k2 == k2);
}

static struct hslot *hm_find(const struct hmap *m, uint64_t k1, uint64_t k2)
{
	if (!m->cap)
		return NULL;
	uint32_t mask = m->cap - 1;
	for (uint32_t i = hm_slot_hash(m, k1, k2) & mask;; i = (i + 1) & mask) {
		struct hslot *s = &m->s[i];
		if (!s->v)
			return NULL;
		if (hm_same(m, s, k1, k2))
			return s;
	}
}

static struct hslot *hm_slot_for(struct hmap *m, uint64_t k1, uint64_t k2)
{
	uint32_t mask = m->cap - 1;
	for (uint32_t i = hm_slot_hash(m, k1, k2) & mask;; i = (i + 1) & mask)
		if (!m->s[i].v || hm_same(m, &m->s[i], k1, k2))
			return &m->s[i];
}

static int hm_grow(struct hmap *m)
{
	uint32_t ncap = m->cap ? m->cap * 2 : 8;
	struct hslot *old = m->s, *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	uint32_t ocap = m->cap;
	m->s = ns;
	m->cap = ncap;
	for (uint32_t i = 0; i < ocap; i++)
		if (old[i].v)
			*hm_slot_for(m, old[i].k1, old[i].k2) = old[i];
	free(old);
	return 0;
}

/* Inserts or replaces; returns the slot (its old value is overwritten) or NULL. */
static struct hslot *hm_put(struct hmap *m, uint64_t k1, uint64_t k2, void *v)
{
	if ((m->n + 1) * 4 > m->cap * 3 && hm_grow(m))
		return NULL;
	struct hslot *s = hm_slot_for(m, k1, k2);
	if (!s->v)
		m->n++;
	s->k1 = k1;
	s->k2 = k2;
	s->v = v;
	return s;
}

static void hm_del(struct hmap *m, struct hslot *slot)
{
	uint32_t mask = m->cap - 1, i = slot - m->s, j = i;
	m->s[i].v = NULL;
	m->n--;
	/* move later members of the probe run back so that no lookup stops early */
	for (;;) {
		j = (j + 1) & mask;
		if (!m->s[j].v)
			return;
		uint32_t h = hm_slot_hash(m, m->s[j].k1, m->s[j].k2) & mask;
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		m->s[i] = m->s[j];
		m->s[j].v = NULL;
		i = j;
	}
}

static void hm_free(struct hmap *m)
{
	free(m->s);
	m->s = NULL;
	m->cap = m->n = 0;
}

/* ---- the objects ---- */

struct target {
	uint32_t refs;
	uint8_t kind, end;
	uint16_t name_len;
	uint64_t ino, pair;
	const char *device;
	struct cap_sockinfo *sock;
	char name[];
};

struct fdtab {
	uint32_t refs;    /* processes using it */
	uint32_t owner;   /* the process it is named by (holders of pipe ends) */
	uint32_t cursor;  /* where the next eviction looks */
	struct hmap fds;  /* k1 = fd, k2 = cloexec, v = struct target */
};

struct proc {
	uint32_t pid;
	char comm[CAP_COMM_LEN];
	struct fdtab *tab;
};

struct endrec;
struct holder {
	struct holder *prev, *next;
	struct endrec *er;
	struct fdtab *tab;
	uint32_t count; /* fds of tab on this end */
};

struct endrec {
	uint64_t pair;
	uint8_t end;
	uint32_t ntabs;
	struct holder *head; /* newest first */
};

struct cap_fdt {
	struct cap_fdt_limits lim;
	struct cap_fdt_stats st;
	struct hmap procs;   /* k1 = pid */
	struct hmap ends;    /* k1 = pair, k2 = end */
	struct hmap holders; /* k1 = pair, k2 = (uintptr_t)tab | end */
	uint32_t proc_cursor;
	cap_fdt_seed_fn seed;
	void *seed_ctx;
	uint64_t now_ns;      /* time of the event being handled */
	uint64_t seed_second; /* the second the seed budget is for */
	uint32_t seeds_left;
};

static const char *const kind_names[CAP_FDK__COUNT] = {
	"unknown", "file", "dir", "device", "fifo", "pipe", "socket", "memfd", "eventfd", "epoll",
	"timerfd", "signalfd", "pidfd", "inotify", "anon",
};

const char *cap_fd_kind_name(unsigned kind)
{
	return kind < CAP_FDK__COUNT ? kind_names[kind] : "unknown";
}

static struct target *target_new(const struct cap_fd_desc *d)
{
	size_t len = d->name_len > CAP_PATH_MAX ? CAP_PATH_MAX : d->name_len;
	struct target *g = malloc(sizeof(*g) + len + 1);
	if (!g)
		return NULL;
	g->refs = 1;
	g->kind = d->kind;
	g->end = d->end;
	g->name_len = len;
	g->ino = d->ino;
	g->pair = d->pair;
	g->device = d->device;
	g->sock = NULL;
	if (len)
		memcpy(g->name, d->name, len);
	g->name[len] = 0;
	if (d->sock && (g->sock = malloc(sizeof(*g->sock))))
		*g->sock = *d->sock;
	return g;
}

static void target_put(struct target *g)
{
	if (--g->refs)
		return;
	free(g->sock);
	free(g);
}

/* ---- holders of pipe ends ---- */

static void holder_add(struct cap_fdt *t, struct fdtab *tab, const struct target *g)
{
	if (!g->pair || !g->end)
		return;
	uint64_t k2 = (uintptr_t)tab | g->end;
	struct hslot *s = hm_find(&t->holders, g->pair, k2);
	if (s) {
		((struct holder *)s->v)->count++;
		return;
	}
	struct hslot *es = hm_find(&t->ends, g->pair, g->end);
	struct endrec *er = es ? es->v : NULL;
	if (!er) {
		if (!(er = calloc(1, sizeof(*er))))
			return;
		er->pair = g->pair;
		er->end = g->end;
		if (!hm_put(&t->ends, er->pair, er->end, er)) {
			free(er);
			return;
		}
	}
	struct holder *h = calloc(1, sizeof(*h));
	if (!h || !hm_put(&t->holders, g->pair, k2, h)) {
		free(h);
		if (!er->head) {
			hm_del(&t->ends, hm_find(&t->ends, er->pair, er->end));
			free(er);
		}
		return;
	}
	h->er = er;
	h->tab = tab;
	h->count = 1;
	h->next = er->head;
	if (er->head)
		er->head->prev = h;
	er->head = h;
	er->ntabs++;
}

static void holder_del(struct cap_fdt *t, struct fdtab *tab, const struct target *g)
{
	if (!g->pair || !g->end)
		return;
	struct hslot *s = hm_find(&t->holders, g->pair, (uintptr_t)tab | g->end);
	if (!s)
		return;
	struct holder *h = s->v;
	if (--h->count)
		return;
	hm_del(&t->holders, s);
	struct endrec *er = h->er;
	if (h->prev)
		h->prev->next = h->next;
	else
		er->head = h->next;
	if (h->next)
		h->next->prev = h->prev;
	free(h);
	if (--er->ntabs == 0) {
		hm_del(&t->ends, hm_find(&t->ends, er->pair, er->end));
		free(er);
	}
}

/* ---- tables ---- */

static void entry_drop(struct cap_fdt *t, struct fdtab *tab, struct hslot *s)
{
	struct target *g = s->v;
	holder_del(t, tab, g);
	hm_del(&tab->fds, s);
	target_put(g);
	t->st.fds--;
}

static struct fdtab *tab_new(uint32_t owner)
{
	struct fdtab *tab = calloc(1, sizeof(*tab));
	if (tab) {
		tab->refs = 1;
		tab->owner = owner;
		tab->fds.k1_only = 1;
	}
	return tab;
}

static void tab_put(struct cap_fdt *t, struct fdtab *tab)
{
	if (--tab->refs)
		return;
	for (uint32_t i = 0; i < tab->fds.cap; i++)
		if (tab->fds.s[i].v) {
			struct target *g = tab->fds.s[i].v;
			holder_del(t, tab, g);
			target_put(g);
			t->st.fds--;
		}
	hm_free(&tab->fds);
	free(tab);
}

/* Drops one entry of tab (the next one after the cursor), to make room. */
static int tab_evict_one(struct cap_fdt *t, struct fdtab *tab)
{
	if (!tab->fds.n)
		return -ENOSPC;
	uint32_t mask = tab->fds.cap - 1, i = tab->cursor & mask;
	while (!tab->fds.s[i].v)
		i = (i + 1) & mask;
	entry_drop(t, tab, &tab->fds.s[i]);
	tab->cursor = i + 1;
	t->st.fd_evictions++;
	return 0;
}

/* Puts g (one reference taken) at fd; an fd already there is replaced. */
static int tab_set(struct cap_fdt *t, struct fdtab *tab, int32_t fd, struct target *g, int cloexec)
{
	struct hslot *s = hm_find(&tab->fds, (uint32_t)fd, 0);
	if (s) {
		entry_drop(t, tab, s);
	} else {
		while (tab->fds.n >= t->lim.max_fds_proc || t->st.fds >= t->lim.max_fds_total)
			if (tab_evict_one(t, tab)) {
				t->st.fd_evictions++;
				return -ENOSPC;
			}
	}
	if (!hm_put(&tab->fds, (uint32_t)fd, !!cloexec, g))
		return -ENOMEM;
	g->refs++;
	holder_add(t, tab, g);
	if (++t->st.fds > t->st.fds_peak)
		t->st.fds_peak = t->st.fds;
	return 0;
}

static struct hslot *tab_get(const struct fdtab *tab, int32_t fd)
{
	return hm_find(&tab->fds, (uint32_t)fd, 0);
}

static struct fdtab *tab_copy(struct cap_fdt *t, const struct fdtab *src, uint32_t owner)
{
	struct fdtab *tab = tab_new(owner);
	if (!tab)
		return NULL;
	for (uint32_t i = 0; i < src->fds.cap; i++)
		if (src->fds.s[i].v)
			tab_set(t, tab, (int32_t)src->fds.s[i].k1, src->fds.s[i].v, (int)src->fds.s[i].k2);
	return tab;
}

/* ---- processes ---- */

/* comm: a NUL-terminated name, or a CAP_COMM_LEN record field */
static void set_comm(struct proc *p, const char *comm)
{
	size_t n = strnlen(comm, CAP_COMM_LEN - 1);
	memcpy(p->comm, comm, n);
	memset(p->comm + n, 0, CAP_COMM_LEN - n);
}

static struct proc *proc_find(const struct cap_fdt *t, uint32_t pid)
{
	struct hslot *s = hm_find(&t->procs, pid, 0);
	return s ? s->v : NULL;
}

static void proc_drop(struct cap_fdt *t, struct hslot *s)
{
	struct proc *p = s->v;
	hm_del(&t->procs, s);
	tab_put(t, p->tab);
	free(p);
	t->st.procs--;
}

/* A new process with the table tab (taken over), or NULL. */
static struct proc *proc_add(struct cap_fdt *t, uint32_t pid, struct fdtab *tab, const char *comm)
{
	struct hslot *old = hm_find(&t->procs, pid, 0);
	if (old) /* pid reuse after a lost exit */
		proc_drop(t, old);
	while (t->procs.n >= t->lim.max_procs) {
		uint32_t mask = t->procs.cap - 1, i = t->proc_cursor & mask;
		while (!t->procs.s[i].v)
			i = (i + 1) & mask;
		proc_drop(t, &t->procs.s[i]);
		t->proc_cursor = i + 1;
		t->st.proc_evictions++;
	}
	struct proc *p = calloc(1, sizeof(*p));
	if (!p || !tab || !hm_put(&t->procs, pid, 0, p)) {
		free(p);
		if (tab)
			tab_put(t, tab);
		return NULL;
	}
	p->pid = pid;
	p->tab = tab;
	if (comm)
		set_comm(p, comm);
	if (++t->st.procs > t->st.procs_peak)
		t->st.procs_peak = t->st.procs;
	return p;
}

/* The process's entry; a process never seen is created and seeded (it predates tracing). */
static struct proc *proc_get(struct cap_fdt *t, uint32_t pid, const char *comm)
{
	struct proc *p = proc_find(t, pid);
	if (p) {
		/* comm changes at exec and with prctl(PR_SET_NAME): every record has the current one */
		if (comm && strncmp(p->comm, comm, CAP_COMM_LEN - 1))
			set_comm(p, comm);
		return p;
	}
	p = proc_add(t, pid, tab_new(pid), comm);
	/* /proc reads are rationed: processes that keep coming back unknown (lost exits, the
	 * process cap) must not turn every event into a /proc walk */
	if (t->now_ns / 1000000000 != t->seed_second) {
		t->seed_second = t->now_ns / 1000000000;
		t->seeds_left = CAP_FDT_SEEDS_PER_SEC;
	}
	if (p && t->seed && t->seeds_left) {
		t->seeds_left--;
		t->st.seeded++;
		t->seed(t, pid, t->seed_ctx);
		p = proc_find(t, pid); /* the seeder may have evicted it at the cap */
	}
	return p;
}

/* A table of its own before a change that must not reach the processes sharing it. */
static void proc_unshare(struct cap_fdt *t, struct proc *p)
{
	if (p->tab->refs < 2)
		return;
	struct fdtab *copy = tab_copy(t, p->tab, p->pid);
	if (!copy)
		return;
	tab_put(t, p->tab);
	p->tab = copy;
}

/* ---- the public operations ---- */

struct cap_fdt *cap_fdt_new(const struct cap_fdt_limits *lim)
{
	struct cap_fdt *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->lim = lim ? *lim : (struct cap_fdt_limits){ CAP_FDT_MAX_PROCS, CAP_FDT_MAX_FDS_PROC,
							CAP_FDT_MAX_FDS_TOTAL };
	if (!t->lim.max_procs)
		t->lim.max_procs = 1;
	return t;
}

void cap_fdt_free(struct cap_fdt *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->procs.cap; i++)
		if (t->procs.s[i].v) {
			struct proc *p = t->procs.s[i].v;
			tab_put(t, p->tab);
			free(p);
		}
	hm_free(&t->procs);
	/* every holder went with its table */
	hm_free(&t->ends);
	hm_free(&t->holders);
	free(t);
}

void cap_fdt_set_seeder(struct cap_fdt *t, cap_fdt_seed_fn fn, void *ctx)
{
	t->seed = fn;
	t->seed_ctx = ctx;
}

const struct cap_fdt_stats *cap_fdt_stats(const struct cap_fdt *t)
{
	return &t->st;
}

int cap_fdt_add_proc(struct cap_fdt *t, uint32_t pid)
{
	if (proc_find(t, pid))
		return 0;
	return proc_add(t, pid, tab_new(pid), NULL) ? 0 : -ENOMEM;
}

int cap_fdt_install(struct cap_fdt *t, uint32_t pid, int32_t fd, const struct cap_fd_desc *d, int cloexec)
{
	struct proc *p = proc_find(t, pid);
	if (!p || fd < 0)
		return -ENOENT;
	struct target *g = target_new(d);
	if (!g)
		return -ENOMEM;
	int ret = tab_set(t, p->tab, fd, g, cloexec);
	target_put(g);
	return ret;
}

int cap_fdt_close(struct cap_fdt *t, uint32_t pid, int32_t fd)
{
	struct proc *p = proc_find(t, pid);
	struct hslot *s = p ? tab_get(p->tab, fd) : NULL;
	if (!s)
		return -ENOENT;
	entry_drop(t, p->tab, s);
	return 0;
}

int cap_fdt_dup(struct cap_fdt *t, uint32_t pid, int32_t oldfd, int32_t newfd, int cloexec)
{
	struct proc *p = proc_find(t, pid);
	struct hslot *s = p ? tab_get(p->tab, oldfd) : NULL;
	if (!s || newfd < 0) {
		/* the old fd is unknown: the new one is unknown too, not what it was before */
		if (p)
			cap_fdt_close(t, pid, newfd);
		return -ENOENT;
	}
	if (oldfd == newfd)
		return 0;
	struct target *g = s->v;
	g->refs++; /* tab_set may drop s when it replaces or evicts */
	int ret = tab_set(t, p->tab, newfd, g, cloexec);
	target_put(g);
	return ret;
}

int cap_fdt_set_cloexec(struct cap_fdt *t, uint32_t pid, int32_t fd, int cloexec)
{
	struct proc *p = proc_find(t, pid);
	struct hslot *s = p ? tab_get(p->tab, fd) : NULL;
	if (!s)
		return -ENOENT;
	s->k2 = !!cloexec;
	return 0;
}

void cap_fdt_close_range(struct cap_fdt *t, uint32_t pid, uint32_t first, uint32_t last, int cloexec_only)
{
	struct proc *p = proc_find(t, pid);
	if (!p || first > last)
		return;
	struct hmap *m = &p->tab->fds;
	if ((uint64_t)last - first < m->n) {
		for (uint64_t fd = first; fd <= last; fd++)
			if (cloexec_only)
				cap_fdt_set_cloexec(t, pid, (int32_t)fd, 1);
			else
				cap_fdt_close(t, pid, (int32_t)fd);
		return;
	}
	/* a wide range: walk the table instead (a slot is looked at again after a deletion,
	 * which may have moved a later entry into it) */
	for (uint32_t i = 0; i < m->cap; i++) {
		struct hslot *s = &m->s[i];
		while (s->v && (uint32_t)s->k1 >= first && (uint32_t)s->k1 <= last) {
			if (cloexec_only) {
				s->k2 = 1;
				break;
			}
			entry_drop(t, p->tab, s);
		}
	}
}

void cap_fdt_fork(struct cap_fdt *t, uint32_t parent, uint32_t child, int share)
{
	struct proc *pp = proc_get(t, parent, NULL);
	if (!pp)
		return;
	char comm[CAP_COMM_LEN];
	memcpy(comm, pp->comm, sizeof(comm));
	struct fdtab *tab;
	if (share) {
		tab = pp->tab;
		tab->refs++;
	} else {
		tab = tab_copy(t, pp->tab, child);
	}
	proc_add(t, child, tab, comm); /* may evict the parent at the cap: pp not used after */
}

void cap_fdt_exec(struct cap_fdt *t, uint32_t pid, const char *comm)
{
	struct proc *p = proc_get(t, pid, comm);
	if (!p)
		return;
	proc_unshare(t, p); /* exec unshares the fd table */
	if (comm)
		set_comm(p, comm);
	struct hmap *m = &p->tab->fds;
	for (uint32_t i = 0; i < m->cap; i++)
		while (m->s[i].v && m->s[i].k2)
			entry_drop(t, p->tab, &m->s[i]);
}

void cap_fdt_exit(struct cap_fdt *t, uint32_t pid)
{
	struct hslot *s = hm_find(&t->procs, pid, 0);
	if (s)
		proc_drop(t, s);
}

void cap_fdt_update_sock(struct cap_fdt *t, uint32_t pid, int32_t fd, const struct cap_sockinfo *si)
{
	struct proc *p = proc_find(t, pid);
	struct hslot *s = p ? tab_get(p->tab, fd) : NULL;
	if (!s) {
		struct cap_fd_desc d = { .kind = CAP_FDK_SOCKET, .ino = si->ino, .sock = si };
		if (p)
			cap_fdt_install(t, pid, fd, &d, 0);
		return;
	}
	struct target *g = s->v;
	if (g->kind != CAP_FDK_SOCKET)
		return;
	if (!g->sock)
		g->sock = malloc(sizeof(*g->sock));
	if (g->sock)
		*g->sock = *si;
}

static void fill_view(const struct cap_fdt *t, const struct fdtab *own, const struct hslot *s,
		      struct cap_fdview *out)
{
	const struct target *g = s->v;
	out->fd = (int32_t)s->k1;
	out->kind = g->kind;
	out->end = g->end;
	out->cloexec = (uint8_t)s->k2;
	out->ino = g->ino;
	out->device = g->device;
	out->has_sock = g->sock != NULL;
	if (g->sock)
		out->sock = *g->sock;
	out->name_len = g->name_len;
	memcpy(out->name, g->name, g->name_len);
	out->name[g->name_len] = 0;
	out->npeers = 0;
	out->more_peers = 0;
	if (!g->pair || !g->end)
		return;
	struct hslot *es = hm_find(&t->ends, g->pair, g->end ^ 3);
	if (!es)
		return;
	const struct endrec *er = es->v;
	uint32_t others = er->ntabs - (hm_find(&t->holders, g->pair, (uintptr_t)own | (g->end ^ 3)) != NULL);
	/* newest holders first; at most CAP_FDVIEW_PEERS + 1 steps, the rest only counted */
	for (const struct holder *h = er->head; h && out->npeers < CAP_FDVIEW_PEERS; h = h->next) {
		if (h->tab == own)
			continue;
		struct proc *pp = proc_find(t, h->tab->owner);
		out->peer[out->npeers].pid = h->tab->owner;
		memcpy(out->peer[out->npeers].comm, pp ? pp->comm : "", pp ? CAP_COMM_LEN : 1);
		out->npeers++;
	}
	out->more_peers = others > out->npeers ? others - out->npeers : 0;
}

int cap_fdt_lookup(const struct cap_fdt *t, uint32_t pid, int32_t fd, struct cap_fdview *out)
{
	struct proc *p = proc_find(t, pid);
	struct hslot *s = p ? tab_get(p->tab, fd) : NULL;
	if (!s)
		return -ENOENT;
	fill_view(t, p->tab, s, out);
	return 0;
}

/* ---- from events ---- */

enum fd_op {
	OP_NONE = 0, OP_OPEN, OP_SOCKET, OP_ACCEPT, OP_PIPE, OP_SOCKETPAIR, OP_MEMFD, OP_EVENTFD,
	OP_EPOLL, OP_TIMERFD, OP_SIGNALFD, OP_INOTIFY, OP_PIDFD, OP_PIDFD_GETFD, OP_MQ, OP_FSFD,
	OP_CLOSE, OP_CLOSE_RANGE, OP_DUP, OP_DUP2, OP_DUP3, OP_FCNTL, OP_UNSHARE, OP_RECVMSG,
};

static const struct { const char *name; uint8_t op; int8_t flags_arg; } op_names[] = {
	{ "open", OP_OPEN, 1 }, { "openat", OP_OPEN, 2 }, { "openat2", OP_OPEN, -2 },
	{ "creat", OP_OPEN, -1 }, { "open_tree", OP_OPEN, 2 },
	{ "socket", OP_SOCKET, 1 }, { "accept", OP_ACCEPT, -1 }, { "accept4", OP_ACCEPT, 3 },
	{ "pipe", OP_PIPE, -1 }, { "pipe2", OP_PIPE, 1 }, { "socketpair", OP_SOCKETPAIR, 1 },
	{ "memfd_create", OP_MEMFD, 1 }, { "eventfd", OP_EVENTFD, -1 }, { "eventfd2", OP_EVENTFD, 1 },
	{ "epoll_create", OP_EPOLL, -1 }, { "epoll_create1", OP_EPOLL, 0 },
	{ "timerfd_create", OP_TIMERFD, 1 }, { "signalfd", OP_SIGNALFD, -1 },
	{ "signalfd4", OP_SIGNALFD, 3 }, { "inotify_init", OP_INOTIFY, -1 },
	{ "inotify_init1", OP_INOTIFY, 0 }, { "pidfd_open", OP_PIDFD, -1 },
	{ "pidfd_getfd", OP_PIDFD_GETFD, -1 }, { "mq_open", OP_MQ, -1 }, { "fsopen", OP_FSFD, 1 },
	{ "fsmount", OP_FSFD, 1 }, { "close", OP_CLOSE, -1 }, { "close_range", OP_CLOSE_RANGE, 2 },
	{ "dup", OP_DUP, -1 }, { "dup2", OP_DUP2, -1 }, { "dup3", OP_DUP3, 2 },
	{ "fcntl", OP_FCNTL, -1 }, { "unshare", OP_UNSHARE, 0 }, { "recvmsg", OP_RECVMSG, 2 },
};

/* per syscall number: the op, where its close-on-exec flag is, and which args are fds */
static struct { uint8_t op; int8_t flags_arg; uint8_t fdargs; } by_nr[CAP_SYSCALL_MAX];

static void index_ops(void)
{
	static int done;
	if (done)
		return;
	unsigned n;
	const struct cap_syscall *tab = cap_syscall_table(&n);
	for (unsigned i = 0; i < n; i++) {
		if (tab[i].nr < 0 || tab[i].nr >= CAP_SYSCALL_MAX)
			continue;
		uint8_t mask = 0;
		for (int a = 0; a < 6; a++) {
			uint8_t c = tab[i].args[a].capture;
			if (c == CAP_A_FD || c == CAP_A_FD_SOCK || c == CAP_A_FD_FILE)
				mask |= 1u << a;
		}
		if (!strcmp(tab[i].name, "close_range"))
			mask = 0; /* a range, not an fd */
		by_nr[tab[i].nr].fdargs = mask;
		for (size_t k = 0; k < sizeof(op_names) / sizeof(op_names[0]); k++)
			if (!strcmp(op_names[k].name, tab[i].name)) {
				by_nr[tab[i].nr].op = op_names[k].op;
				by_nr[tab[i].nr].flags_arg = op_names[k].flags_arg;
			}
	}
	done = 1;
}

static void view_add(const struct cap_fdt *t, uint32_t pid, int32_t fd, int arg, struct cap_view *v)
{
	if (v->nfds >= CAP_VIEW_FDS || fd < 0)
		return;
	if (cap_fdt_lookup(t, pid, fd, &v->fds[v->nfds]) == 0)
		v->fds[v->nfds++].arg = arg;
}

static int install_named(struct cap_fdt *t, uint32_t pid, int32_t fd, uint8_t kind, const char *name,
			 int cloexec)
{
	struct cap_fd_desc d = { .kind = kind, .name = name, .name_len = strlen(name) };
	return cap_fdt_install(t, pid, fd, &d, cloexec);
}

/* An fd the record describes (path, socket) that the table does not know: learnt, so fds that
 * arrived unseen (SCM_RIGHTS, lost events) get named from then on. */
static void learn(struct cap_fdt *t, const struct cap_event *ev, uint32_t pid, int arg, int32_t fd)
{
	struct cap_sockinfo si;
	if (cap_event_struct(ev, CAP_F_SOCK, arg, &si, sizeof(si))) {
		cap_fdt_update_sock(t, pid, fd, &si);
		return;
	}
	const struct cap_fieldref *fp = cap_event_field(ev, CAP_F_FDPATH, arg);
	struct proc *p = fp ? proc_find(t, pid) : NULL;
	if (!p || tab_get(p->tab, fd))
		return;
	struct cap_fileinfo fi;
	struct cap_fd_desc d = { .kind = CAP_FDK_FILE, .name = (const char *)fp->data, .name_len = fp->len };
	char pseudo[64];
	if (cap_event_struct(ev, CAP_F_FILE, arg, &fi, sizeof(fi))) {
		uint32_t type = fi.mode & S_IFMT;
		d.ino = fi.ino;
		if (type == S_IFDIR)
			d.kind = CAP_FDK_DIR;
		else if (type == S_IFCHR || type == S_IFBLK) {
			d.kind = CAP_FDK_DEVICE;
			d.device = cap_file_device_class(&fi);
		} else if (type == S_IFIFO) {
			d.kind = CAP_FDK_PIPE;
		}
	}
	size_t pl = cap_describe_pseudo_path(pseudo, sizeof(pseudo), ev, fp);
	if (pl) {
		d.name = pseudo;
		d.name_len = pl;
		if (d.kind == CAP_FDK_FILE)
			d.kind = CAP_FDK_ANON;
	}
	cap_fdt_install(t, pid, fd, &d, 0);
}

static void on_open(struct cap_fdt *t, const struct cap_view *v, uint32_t pid,
		    int32_t fd, uint64_t flags)
{
	struct cap_fd_desc d = { .kind = CAP_FDK_FILE };
	if (v->npaths) {
		d.name = v->path[0];
		d.name_len = v->path_len[0];
	}
	if (v->has_file) {
		uint32_t type = v->file.mode & S_IFMT;
		d.ino = v->file.ino;
		if (type == S_IFDIR) {
			d.kind = CAP_FDK_DIR;
		} else if (type == S_IFCHR || type == S_IFBLK) {
			d.kind = CAP_FDK_DEVICE;
			d.device = v->device;
		} else if (type == S_IFIFO) {
			/* a named pipe: its ends pair up like a pipe's, by inode and device */
			d.kind = CAP_FDK_FIFO;
			d.pair = (v->file.ino ^ ((uint64_t)v->file.dev << 40)) | 1ULL << 63;
			d.end = (flags & O_ACCMODE) == O_RDONLY ? CAP_FDE_READ :
				(flags & O_ACCMODE) == O_WRONLY ? CAP_FDE_WRITE : CAP_FDE_NONE;
		}
	}
	cap_fdt_install(t, pid, fd, &d, (flags & O_CLOEXEC) != 0);
}

static void on_pair(struct cap_fdt *t, const struct cap_event *ev, uint32_t pid, int is_pipe, int cloexec)
{
	const struct cap_fieldref *f = cap_event_field(ev, CAP_F_INT2, -1);
	const struct cap_fieldref *fi = cap_event_field(ev, CAP_F_INO2, -1);
	int32_t fds[2];
	uint64_t ino[2] = { 0, 0 };
	if (!f || f->len < sizeof(fds))
		return;
	memcpy(fds, f->data, sizeof(fds));
	if (fi && fi->len >= sizeof(ino))
		memcpy(ino, fi->data, sizeof(ino));
	for (int k = 0; k < 2; k++) {
		char name[48];
		struct cap_sockinfo si = { 0 };
		struct cap_fd_desc d = { .ino = ino[k], .pair = ino[0], .end = k ? CAP_FDE_WRITE : CAP_FDE_READ };
		if (is_pipe) {
			d.kind = CAP_FDK_PIPE;
			d.name_len = snprintf(name, sizeof(name), "pipe:[%llu]", (unsigned long long)ino[k]);
		} else {
			d.kind = CAP_FDK_SOCKET;
			si.family = (uint16_t)ev->hdr.args[0];
			si.type = (uint16_t)(ev->hdr.args[1] & 0xf);
			si.protocol = (uint16_t)ev->hdr.args[2];
			si.ino = ino[k];
			d.sock = &si;
			d.name_len = snprintf(name, sizeof(name), "socket:[%llu]", (unsigned long long)ino[k]);
		}
		d.name = name;
		cap_fdt_install(t, pid, fds[k], &d, cloexec);
	}
}

/* recvmsg with SCM_RIGHTS: the new fds, described by the kernel at the call's exit */
static void on_rights(struct cap_fdt *t, const struct cap_event *ev, struct cap_view *v, uint32_t pid,
		      int cloexec)
{
	const struct cap_fieldref *f = cap_event_field(ev, CAP_F_RIGHTS, -1);
	int32_t fds[CAP_RIGHTS_MAX];
	if (!f)
		return;
	unsigned n = f->len / 4 < CAP_RIGHTS_MAX ? f->len / 4 : CAP_RIGHTS_MAX;
	memcpy(fds, f->data, n * 4);
	for (unsigned k = 0; k < n; k++) {
		struct cap_fileinfo fi;
		const struct cap_fieldref *p = cap_event_field(ev, CAP_F_RIGHTS_PATH, k);
		char name[48];
		struct cap_fd_desc d = { .kind = CAP_FDK_FILE };
		if (p) {
			d.name = (const char *)p->data;
			d.name_len = p->len;
		}
		if (cap_event_struct(ev, CAP_F_RIGHTS_FILE, k, &fi, sizeof(fi))) {
			uint32_t type = fi.mode & S_IFMT;
			d.ino = fi.ino;
			if (fi.magic == 0x50495045 /* pipefs */ || fi.magic == 0x534F434B /* sockfs */ ||
			    fi.magic == 0x09041934 /* anon_inodefs */) {
				d.kind = fi.magic == 0x50495045 ? CAP_FDK_PIPE :
					 fi.magic == 0x534F434B ? CAP_FDK_SOCKET : CAP_FDK_ANON;
				d.name = name;
				d.name_len = snprintf(name, sizeof(name), "%s:[%llu]",
						      d.kind == CAP_FDK_PIPE ? "pipe" : d.kind == CAP_FDK_SOCKET ? "socket" : "anon_inode",
						      (unsigned long long)fi.ino);
			} else if (type == S_IFDIR) {
				d.kind = CAP_FDK_DIR;
			} else if (type == S_IFCHR || type == S_IFBLK) {
				d.kind = CAP_FDK_DEVICE;
				d.device = cap_file_device_class(&fi);
			} else if (type == S_IFIFO) {
				d.kind = CAP_FDK_FIFO;
			}
		}
		cap_fdt_install(t, pid, fds[k], &d, cloexec);
		view_add(t, pid, fds[k], CAP_FDARG_RIGHTS, v);
	}
}

void cap_fdt_event(struct cap_fdt *t, const struct cap_event *ev, struct cap_view *v)
{
	const struct cap_rec *h = &ev->hdr;
	v->nfds = 0;
	t->now_ns = h->ts;
	switch (h->type) {
	case CAP_REC_FORK:
		if (h->args[0] == h->args[1]) /* a process; threads share the table by tgid */
			cap_fdt_fork(t, h->pid, (uint32_t)h->args[1], (int)(h->args[3] & 1));
		return;
	case CAP_REC_EXEC:
		cap_fdt_exec(t, h->pid, h->comm);
		return;
	case CAP_REC_EXIT:
		cap_fdt_exit(t, h->pid);
		return;
	case CAP_REC_SYSCALL:
		break;
	default:
		return;
	}
	index_ops();
	if (h->nr >= CAP_SYSCALL_MAX)
		return;
	uint8_t op = by_nr[h->nr].op, fdargs = by_nr[h->nr].fdargs;
	int fa = by_nr[h->nr].flags_arg;
	if (!op && !fdargs)
		return;
	uint32_t pid = h->pid;
	if (!proc_get(t, pid, h->comm))
		return;

	/* the fd arguments, as they were before the call */
	for (int i = 0; fdargs; i++, fdargs >>= 1) {
		if (!(fdargs & 1))
			continue;
		int32_t fd = (int32_t)h->args[i];
		if (fd < 0)
			continue;
		learn(t, ev, pid, i, fd);
		view_add(t, pid, fd, i, v);
	}

	long ret = h->ret;
	const __u64 *a = h->args;
	uint64_t flags = 0;
	if (fa >= 0)
		flags = a[fa];
	else if (fa == -2)
		cap_event_u64(ev, 2, &flags);
	int32_t rfd = (int32_t)ret;
	int cloexec_o = (flags & O_CLOEXEC) != 0;

	if (op == OP_CLOSE) {
		/* a close that fails with EINTR or EIO has still closed the fd */
		if (ret != -EBADF)
			cap_fdt_close(t, pid, (int32_t)a[0]);
		return;
	}
	if (ret < 0)
		return;
	switch (op) {
	case OP_OPEN:
		if (!strcmp(ev->sc->name, "creat"))
			flags = O_WRONLY | O_CREAT | O_TRUNC;
		on_open(t, v, pid, rfd, flags);
		break;
	case OP_SOCKET:
	case OP_ACCEPT: {
		struct cap_sockinfo si;
		struct cap_fd_desc d = { .kind = CAP_FDK_SOCKET };
		if (cap_event_struct(ev, CAP_F_SOCK, 6, &si, sizeof(si))) {
			d.sock = &si;
			d.ino = si.ino;
		}
		cap_fdt_install(t, pid, rfd, &d, (flags & SOCK_CLOEXEC) != 0);
		break;
	}
	case OP_PIPE:
	case OP_SOCKETPAIR:
		on_pair(t, ev, pid, op == OP_PIPE, op == OP_PIPE ? cloexec_o : (flags & SOCK_CLOEXEC) != 0);
		{
			const struct cap_fieldref *f = cap_event_field(ev, CAP_F_INT2, -1);
			int32_t fds[2];
			if (f && f->len >= sizeof(fds)) {
				memcpy(fds, f->data, sizeof(fds));
				view_add(t, pid, fds[0], CAP_FDARG_RET, v);
				view_add(t, pid, fds[1], CAP_FDARG_RET2, v);
			}
		}
		return;
	case OP_MEMFD: {
		const struct cap_fieldref *f = cap_event_field(ev, CAP_F_STR, 0);
		char name[300];
		size_t n = snprintf(name, sizeof(name), "memfd:");
		size_t l = f ? (f->len < sizeof(name) - n - 1 ? f->len : sizeof(name) - n - 1) : 0;
		if (l)
			memcpy(name + n, f->data, l);
		struct cap_fd_desc d = { .kind = CAP_FDK_MEMFD, .name = name, .name_len = n + l };
		cap_fdt_install(t, pid, rfd, &d, (flags & 1 /* MFD_CLOEXEC */) != 0);
		break;
	}
	case OP_EVENTFD: install_named(t, pid, rfd, CAP_FDK_EVENTFD, "eventfd", cloexec_o); break;
	case OP_EPOLL: install_named(t, pid, rfd, CAP_FDK_EPOLL, "epoll", cloexec_o); break;
	case OP_TIMERFD: install_named(t, pid, rfd, CAP_FDK_TIMERFD, "timerfd", cloexec_o); break;
	case OP_INOTIFY: install_named(t, pid, rfd, CAP_FDK_INOTIFY, "inotify", cloexec_o); break;
	case OP_SIGNALFD:
		if ((int32_t)a[0] == -1)
			install_named(t, pid, rfd, CAP_FDK_SIGNALFD, "signalfd", cloexec_o);
		break;
	case OP_PIDFD: {
		char name[32];
		struct cap_fd_desc d = { .kind = CAP_FDK_PIDFD, .name = name, .ino = (uint32_t)a[0] };
		d.name_len = snprintf(name, sizeof(name), "pidfd:P%u", (unsigned)a[0]);
		cap_fdt_install(t, pid, rfd, &d, 1); /* pidfds are always close-on-exec */
		break;
	}
	case OP_PIDFD_GETFD: {
		/* a copy of another process's fd: the pidfd says which process */
		struct cap_fdview *pv = NULL;
		for (int k = 0; k < v->nfds; k++)
			if (v->fds[k].arg == 0 && v->fds[k].kind == CAP_FDK_PIDFD)
				pv = &v->fds[k];
		struct proc *src = pv ? proc_find(t, (uint32_t)pv->ino) : NULL;
		struct hslot *s = src ? tab_get(src->tab, (int32_t)a[1]) : NULL;
		struct proc *me = proc_find(t, pid);
		if (s && me) {
			struct target *g = s->v;
			g->refs++;
			tab_set(t, me->tab, rfd, g, 1);
			target_put(g);
		} else {
			install_named(t, pid, rfd, CAP_FDK_ANON, "pidfd_getfd", 1);
		}
		break;
	}
	case OP_MQ: {
		const struct cap_fieldref *f = cap_event_field(ev, CAP_F_STR, 0);
		char name[300];
		size_t l = f ? (f->len < 256 ? f->len : 256) : 0;
		memcpy(name, "mqueue:", 7);
		if (l)
			memcpy(name + 7, f->data, l);
		struct cap_fd_desc d = { .kind = CAP_FDK_ANON, .name = name, .name_len = 7 + l };
		cap_fdt_install(t, pid, rfd, &d, 1);
		break;
	}
	case OP_FSFD:
		install_named(t, pid, rfd, CAP_FDK_ANON, !strcmp(ev->sc->name, "fsopen") ? "fscontext" : "mount",
			      (flags & 1) != 0);
		break;
	case OP_CLOSE_RANGE: {
		struct proc *p = proc_find(t, pid);
		if (p && (flags & 2 /* CLOSE_RANGE_UNSHARE */))
			proc_unshare(t, p);
		cap_fdt_close_range(t, pid, (uint32_t)a[0], (uint32_t)a[1], (flags & 4 /* CLOSE_RANGE_CLOEXEC */) != 0);
		return;
	}
	case OP_DUP:
		cap_fdt_dup(t, pid, (int32_t)a[0], rfd, 0);
		break;
	case OP_DUP2:
	case OP_DUP3:
		cap_fdt_dup(t, pid, (int32_t)a[0], rfd, op == OP_DUP3 && cloexec_o);
		break;
	case OP_FCNTL:
		if ((uint32_t)a[1] == F_SETFD) {
			cap_fdt_set_cloexec(t, pid, (int32_t)a[0], (a[2] & FD_CLOEXEC) != 0);
			return;
		}
		if ((uint32_t)a[1] != F_DUPFD && (uint32_t)a[1] != F_DUPFD_CLOEXEC)
			return;
		cap_fdt_dup(t, pid, (int32_t)a[0], rfd, (uint32_t)a[1] == F_DUPFD_CLOEXEC);
		break;
	case OP_RECVMSG:
		on_rights(t, ev, v, pid, (flags & 0x40000000 /* MSG_CMSG_CLOEXEC */) != 0);
		return;
	case OP_UNSHARE:
		if (flags & CLONE_FILES) {
			struct proc *p = proc_find(t, pid);
			if (p)
				proc_unshare(t, p);
		}
		return;
	default:
		return;
	}
	if (ev->sc->ret_fmt == D_FD || op == OP_FCNTL)
		view_add(t, pid, rfd, CAP_FDARG_RET, v);
}
