/* SHA-256 of exec'd files on a worker thread, with a bounded LRU cache (see exehash.h).
 *
 * Opening the file safely: the path in an exec record may name another file by the time the
 * worker gets to it (renamed, replaced, a symlink to a device planted in its place), and the
 * worker runs as root. So the file is first opened with O_PATH (no read, no device open
 * side effects), through /proc/PID/exe while the process lives (the very file the kernel
 * mapped), else through the path without following a last symlink; its (device, inode) must
 * be the ones the kernel recorded at exec and it must be a regular file. Only then is it
 * reopened for reading through /proc/self/fd.
 *
 * A script has no kernel record of its inode (only the interpreter's is at hand here), so its
 * path is all there is, and the agent chose it. It is opened with the exec'ing process's
 * file-system uid and gid (the worker thread's own, set with setfsuid/setfsgid), resolved
 * inside that process's root (/proc/PID/root, RESOLVE_IN_ROOT, no magic links) while it lives,
 * never from procfs, sysfs and the like: Capsule never reads for the agent a file the agent
 * could not read itself. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <openssl/evp.h>
#include "enrich/exehash.h"
#include "log/chain.h"

struct cap_exehash_entry {
	struct cap_exekey key;
	bool pending;                  /* a job for this key is queued or running */
	uint8_t sha[32];
	struct cap_exehash_entry *hnext, *prev, *next;
};

static int64_t ctime_ns(const struct stat *st)
{
	return (int64_t)st->st_ctim.tv_sec * 1000000000LL + st->st_ctim.tv_nsec;
}

static uint64_t key_hash(const struct cap_exekey *k)
{
	uint64_t h = k->ino * 0x9E3779B97F4A7C15ULL;
	h ^= (k->dev + (uint64_t)k->mtime * 31 + k->size * 131 + (uint64_t)k->ctime_ns * 7) * 0xC2B2AE3D27D4EB4FULL;
	return h ^ (h >> 29);
}

/* ---- the LRU cache (callers hold mu) ---- */

static void lru_unlink(struct cap_exehash *h, struct cap_exehash_entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		h->lru_head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		h->lru_tail = e->prev;
	e->prev = e->next = NULL;
}

static void lru_front(struct cap_exehash *h, struct cap_exehash_entry *e)
{
	e->next = h->lru_head;
	e->prev = NULL;
	if (h->lru_head)
		h->lru_head->prev = e;
	h->lru_head = e;
	if (!h->lru_tail)
		h->lru_tail = e;
}

static struct cap_exehash_entry **find_slot(struct cap_exehash *h, const struct cap_exekey *k)
{
	struct cap_exehash_entry **p = &h->buckets[key_hash(k) & (h->nbuckets - 1)];
	while (*p && !cap_exekey_eq(&(*p)->key, k))
		p = &(*p)->hnext;
	return p;
}

static void remove_entry(struct cap_exehash *h, struct cap_exehash_entry *e)
{
	struct cap_exehash_entry **p = find_slot(h, &e->key);
	if (*p == e)
		*p = e->hnext;
	lru_unlink(h, e);
	h->count--;
	free(e);
}

/* The entry for k, created (evicting the least recently used) when absent. */
static struct cap_exehash_entry *get_entry(struct cap_exehash *h, const struct cap_exekey *k)
{
	struct cap_exehash_entry **p = find_slot(h, k);
	if (*p)
		return *p;
	if (h->count >= h->cap && h->lru_tail) {
		remove_entry(h, h->lru_tail);
		p = find_slot(h, k);
	}
	struct cap_exehash_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->key = *k;
	*p = e;
	lru_front(h, e);
	h->count++;
	return e;
}

/* ---- hashing ---- */

int cap_sha256_fd(int fd, uint64_t max_bytes, uint8_t sha[32], uint64_t *size)
{
	enum { CHUNK = 1 << 16 };
	uint64_t total = 0;
	unsigned len = 0;
	int ret = 0;
	uint8_t *buf = malloc(CHUNK);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	if (!ctx || !buf) {
		free(buf);
		EVP_MD_CTX_free(ctx);
		return -ENOMEM;
	}
	if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		ret = -EIO;
		goto out;
	}
	for (;;) {
		ssize_t n = pread(fd, buf, CHUNK, total);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		total += n;
		if (total > max_bytes) {
			ret = -EFBIG;
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, n);
	}
	if (!EVP_DigestFinal_ex(ctx, sha, &len) || len != 32)
		ret = -EIO;
	if (size)
		*size = total;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return ret;
}

const char *cap_image_status_name(int status)
{
	switch (status) {
	case CAP_IMG_OK: return "ok";
	case CAP_IMG_MODIFIED: return "modified";
	case CAP_IMG_REPLACED: return "replaced";
	case CAP_IMG_TOO_LARGE: return "too_large";
	case CAP_IMG_ERROR: return "error";
	case CAP_IMG_DROPPED: return "dropped";
	}
	return "?";
}

static bool same_inode(const struct stat *st, const struct cap_exekey *k)
{
	return st->st_ino == k->ino &&
	       st->st_dev == makedev((unsigned)(k->dev >> 20), (unsigned)(k->dev & 0xfffff));
}

/* An O_PATH fd of the exec'd file (see the top of this file), or -1 with r->status set. */
static int open_verified(struct cap_exeresult *r)
{
	const struct cap_exejob *j = &r->job;
	char p[64];
	struct stat st;
	int fd;

	if (j->role == CAP_IMG_EXE && j->pid) {
		snprintf(p, sizeof(p), "/proc/%u/exe", j->pid);
		fd = open(p, O_PATH | O_CLOEXEC);
		if (fd >= 0) {
			/* the inode number is enough here: this link is the kernel's own reference to
			 * the process's image, and some filesystems (btrfs subvolumes, overlayfs) report
			 * another st_dev than the superblock's device the exec record has */
			if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_ino == j->key.ino) {
				r->via_proc = true;
				return fd;
			}
			close(fd); /* the process exec'd again, or its pid was reused */
		}
	}
	bool script = j->role == CAP_IMG_SCRIPT;
	if (!j->path || j->path[0] != '/') {
		r->status = CAP_IMG_REPLACED;
		return -1;
	}
	fd = -1;
	if (script && j->pid) {
		/* the path as the process sees it: inside its root and mount namespace */
		snprintf(p, sizeof(p), "/proc/%u/root", j->pid);
		int root = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root >= 0) {
			struct open_how how = { .flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
						.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
			fd = (int)syscall(SYS_openat2, root, j->path, &how, sizeof(how));
			close(root);
		}
	}
	if (fd < 0)
		fd = open(j->path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r->status = errno == ENOENT || errno == ELOOP ? CAP_IMG_REPLACED : CAP_IMG_ERROR;
		r->err = errno;
		return -1;
	}
	bool verify = !script || j->key.ino; /* a script whose inode the kernel recorded is verified too */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (verify && !same_inode(&st, &j->key))) {
		close(fd);
		r->status = CAP_IMG_REPLACED;
		return -1;
	}
	struct statfs sf;
	if (script && (fstatfs(fd, &sf) || sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC ||
		       sf.f_type == DEBUGFS_MAGIC || sf.f_type == TRACEFS_MAGIC || sf.f_type == SECURITYFS_MAGIC ||
		       sf.f_type == BPF_FS_MAGIC || sf.f_type == CGROUP_SUPER_MAGIC ||
		       sf.f_type == CGROUP2_SUPER_MAGIC)) {
		close(fd); /* pseudo files: reading them can have side effects (kmsg) */
		r->status = CAP_IMG_REPLACED;
		return -1;
	}
	if (!verify) /* the version found is the one hashed (and cached) */
		r->job.key = (struct cap_exekey){ .dev = (uint64_t)major(st.st_dev) << 20 | minor(st.st_dev),
						  .ino = st.st_ino, .mtime = st.st_mtim.tv_sec,
						  .size = st.st_size, .ctime_ns = ctime_ns(&st) };
	return fd;
}

static void hash_job(struct cap_exehash *h, struct cap_exeresult *r)
{
	const struct cap_exejob *j = &r->job;
	char p[64];
	struct stat before, after;

	r->status = CAP_IMG_OK;
	/* a script is opened with the exec'ing process's file-system ids and without Capsule's
	 * supplementary groups (root's: they would open group-root files). This thread only: the
	 * raw setgroups system call, not glibc's, which changes every thread. */
	bool as_agent = j->role == CAP_IMG_SCRIPT;
	gid_t groups[64];
	int ngroups = 0;
	if (as_agent) {
		ngroups = getgroups(64, groups);
		if (ngroups < 0 || syscall(SYS_setgroups, 0, NULL)) {
			r->status = CAP_IMG_ERROR;
			r->err = errno;
			return;
		}
		setfsgid(j->hdr.gid);
		setfsuid(j->hdr.euid);
	}
	int pfd = open_verified(r);
	int fd = -1;
	if (pfd >= 0) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", pfd);
		fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd < 0) {
			r->status = CAP_IMG_ERROR;
			r->err = errno;
		}
		close(pfd);
	}
	if (as_agent) {
		setfsuid(0);
		setfsgid(0);
		syscall(SYS_setgroups, ngroups, groups);
	}
	if (pfd < 0)
		return;
	if (fd < 0 || fstat(fd, &before)) {
		r->status = CAP_IMG_ERROR;
		r->err = errno;
		if (fd >= 0)
			close(fd);
		return;
	}
	if ((uint64_t)before.st_size > h->max_bytes) {
		r->status = CAP_IMG_TOO_LARGE;
		r->size = before.st_size;
		close(fd);
		return;
	}
	int ret = cap_sha256_fd(fd, h->max_bytes, r->sha256, &r->size);
	if (ret == -EFBIG)
		r->status = CAP_IMG_TOO_LARGE;
	else if (ret)
		r->status = CAP_IMG_ERROR, r->err = -ret;
	/* content that changed since the exec (or while hashing) is not what ran */
	else if (fstat(fd, &after) || (uint64_t)after.st_size != j->key.size ||
		 after.st_mtim.tv_sec != j->key.mtime || ctime_ns(&after) != j->key.ctime_ns ||
		 ctime_ns(&after) != ctime_ns(&before) || after.st_size != before.st_size)
		r->status = CAP_IMG_MODIFIED;
	close(fd);
}

static void *worker(void *arg)
{
	struct cap_exehash *h = arg;
	pthread_setname_np(pthread_self(), "capsule-hash"); /* in top and perf */

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->njobs && !h->stop)
			pthread_cond_wait(&h->wake, &h->mu);
		if (h->stop)
			break;
		struct cap_exeresult r = { .job = h->jobs[h->job_head] };
		h->job_head = (h->job_head + 1) % CAP_EXEHASH_INFLIGHT_MAX;
		h->njobs--;
		h->busy = 1;
		pthread_mutex_unlock(&h->mu);

		hash_job(h, &r);

		pthread_mutex_lock(&h->mu);
		h->busy = 0;
		struct cap_exehash_entry **p = find_slot(h, &r.job.key);
		if (r.status == CAP_IMG_OK) {
			struct cap_exehash_entry *e = *p ? *p : get_entry(h, &r.job.key);
			if (e) {
				e->pending = false;
				memcpy(e->sha, r.sha256, 32);
			}
			h->hashed++;
			h->bytes += r.size;
		} else if (*p) {
			remove_entry(h, *p); /* a later exec of the same key tries again */
		}
		h->results[(h->res_head + h->nres) % CAP_EXEHASH_INFLIGHT_MAX] = r;
		h->nres++;
		atomic_store(&h->ready, h->nres);
		pthread_cond_broadcast(&h->idle);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

/* ---- the reader's side ---- */

int cap_exehash_init(struct cap_exehash *h, size_t cache_cap, uint64_t max_bytes)
{
	memset(h, 0, sizeof(*h));
	h->cap = cache_cap ? cache_cap : CAP_EXEHASH_CACHE_MAX;
	h->max_bytes = max_bytes ? max_bytes : CAP_EXEHASH_FILE_MAX;
	h->nbuckets = 16;
	while (h->nbuckets < h->cap)
		h->nbuckets *= 2;
	h->buckets = calloc(h->nbuckets, sizeof(*h->buckets));
	if (!h->buckets)
		return -ENOMEM;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->wake, NULL);
	pthread_cond_init(&h->idle, NULL);
	int err = pthread_create(&h->thread, NULL, worker, h);
	if (err) {
		free(h->buckets);
		h->buckets = NULL;
		return -err;
	}
	h->started = true;
	return 0;
}

void cap_exehash_free(struct cap_exehash *h)
{
	if (!h->buckets)
		return;
	if (h->started) {
		pthread_mutex_lock(&h->mu);
		h->stop = true;
		pthread_cond_signal(&h->wake);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->thread, NULL);
	}
	while (h->lru_head)
		remove_entry(h, h->lru_head);
	for (unsigned i = 0; i < h->njobs; i++)
		free(h->jobs[(h->job_head + i) % CAP_EXEHASH_INFLIGHT_MAX].path);
	for (unsigned i = 0; i < h->nres; i++)
		free(h->results[(h->res_head + i) % CAP_EXEHASH_INFLIGHT_MAX].job.path);
	free(h->buckets);
	pthread_mutex_destroy(&h->mu);
	pthread_cond_destroy(&h->wake);
	pthread_cond_destroy(&h->idle);
	memset(h, 0, sizeof(*h));
}

int cap_exehash_lookup(struct cap_exehash *h, const struct cap_exekey *k, uint8_t sha[32])
{
	int found = 0;
	pthread_mutex_lock(&h->mu);
	struct cap_exehash_entry *e = *find_slot(h, k);
	if (e && !e->pending) {
		memcpy(sha, e->sha, 32);
		lru_unlink(h, e);
		lru_front(h, e);
		found = 1;
		h->hits++;
	} else {
		h->misses++;
	}
	pthread_mutex_unlock(&h->mu);
	return found;
}

int cap_exehash_submit(struct cap_exehash *h, const struct cap_exejob *job)
{
	int ret = 0;
	pthread_mutex_lock(&h->mu);
	bool script = job->role == CAP_IMG_SCRIPT;
	struct cap_exehash_entry *e = script ? NULL : *find_slot(h, &job->key);
	if (e) {
		ret = e->pending ? -EEXIST : 0; /* 0: hashed meanwhile; the caller looks it up again */
		goto out;
	}
	if (h->njobs + h->busy + h->nres >= CAP_EXEHASH_INFLIGHT_MAX) {
		h->dropped++;
		ret = -EAGAIN;
		goto out;
	}
	struct cap_exejob *j = &h->jobs[(h->job_head + h->njobs) % CAP_EXEHASH_INFLIGHT_MAX];
	*j = *job;
	j->path = job->path ? strdup(job->path) : NULL;
	e = script ? NULL : get_entry(h, &job->key);
	if ((!script && !e) || (job->path && !j->path)) {
		free(j->path);
		ret = -ENOMEM;
		goto out;
	}
	if (e)
		e->pending = true;
	h->njobs++;
	pthread_cond_signal(&h->wake);
out:
	pthread_mutex_unlock(&h->mu);
	return ret;
}

int cap_exehash_poll(struct cap_exehash *h, struct cap_exeresult *r)
{
	if (!atomic_load_explicit(&h->ready, memory_order_relaxed))
		return 0;
	pthread_mutex_lock(&h->mu);
	int got = h->nres > 0;
	if (got) {
		*r = h->results[h->res_head];
		h->res_head = (h->res_head + 1) % CAP_EXEHASH_INFLIGHT_MAX;
		h->nres--;
		atomic_store(&h->ready, h->nres);
	}
	pthread_mutex_unlock(&h->mu);
	return got;
}

int cap_exehash_wait(struct cap_exehash *h, int timeout_ms)
{
	struct timespec until;
	int ret = 0;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&h->mu);
	while ((h->njobs || h->busy) && ret == 0)
		ret = pthread_cond_timedwait(&h->idle, &h->mu, &until);
	pthread_mutex_unlock(&h->mu);
	return ret ? -ETIMEDOUT : 0;
}
