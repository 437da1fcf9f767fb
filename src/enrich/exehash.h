/* Executable identity: SHA-256 of exec'd files, computed on a worker thread so the event
 * reader never waits for a disk, and cached by (device, inode, mtime, size, ctime) in a bounded LRU.
 *
 * The reader asks the cache (a short lock, no I/O); on a miss it queues a job and goes on.
 * The worker opens the file without trusting its path (see exehash.c), hashes it and posts a
 * result that the reader collects with cap_exehash_poll(). Nothing here prints. */
#ifndef CAPSULE_EXEHASH_H
#define CAPSULE_EXEHASH_H
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "capsule/event.h"

#define CAP_EXEHASH_CACHE_MAX 4096            /* hashes remembered (LRU); ~120 B each */
#define CAP_EXEHASH_INFLIGHT_MAX 256          /* jobs queued or done but not yet collected */
#define CAP_EXEHASH_FILE_MAX (256ULL << 20)   /* larger files are not hashed (status too_large) */

/* What identifies one version of a file. dev is the kernel's encoding (major << 20 | minor),
 * as in struct cap_fileinfo. */
struct cap_exekey {
	uint64_t dev, ino;
	int64_t mtime;    /* seconds */
	uint64_t size;
	int64_t ctime_ns; /* status change (ns): changes with every write, even if mtime is set back */
};

/* The key of the version a record's file info describes. */
static inline void cap_exe_key(struct cap_exekey *k, const struct cap_fileinfo *fi)
{
	*k = (struct cap_exekey){ .dev = fi->dev, .ino = fi->ino, .mtime = fi->mtime, .size = fi->size,
				  .ctime_ns = fi->ctime_ns };
}

static inline bool cap_exekey_eq(const struct cap_exekey *a, const struct cap_exekey *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->mtime == b->mtime && a->size == b->size &&
	       a->ctime_ns == b->ctime_ns;
}

enum cap_image_status {
	CAP_IMG_OK = 0,     /* sha256 is the content of the exec'd file */
	CAP_IMG_MODIFIED,   /* same inode, but size, mtime or ctime changed since the exec (a write, chmod,
			     * chown, link...): sha256 is of the content now */
	CAP_IMG_REPLACED,   /* no file with the exec'd device and inode could be opened: no sha256 */
	CAP_IMG_TOO_LARGE,  /* larger than CAP_EXEHASH_FILE_MAX: no sha256 */
	CAP_IMG_ERROR,      /* open or read failed (err): no sha256 */
	CAP_IMG_DROPPED,    /* the queue was full: not hashed */
};

/* EXE: the file the kernel ran, key known from the exec record (verified when opened).
 * SCRIPT: a script run through its interpreter: the kernel records only the interpreter's
 * inode, so the worker opens the path (no symlink followed) and fills the key it found. */
enum cap_image_role { CAP_IMG_EXE = 0, CAP_IMG_SCRIPT = 1 };

struct cap_exejob {
	struct cap_exekey key;
	int role;                /* enum cap_image_role */
	uint32_t pid;            /* the process that exec'd it: /proc/PID/exe is tried first (EXE role) */
	char *path;              /* where it was exec'd from (malloc'd; owned by the job / result) */
	uint64_t exec_seq;       /* seq of the execve event */
	struct cap_rec hdr;      /* header of the exec record, for the result event's common fields */
};

struct cap_exeresult {
	struct cap_exejob job;
	int status;              /* enum cap_image_status */
	int err;                 /* positive errno for CAP_IMG_ERROR */
	bool via_proc;           /* opened through /proc/PID/exe rather than the path */
	bool session_written;    /* set by the caller: the session wrote this file */
	uint64_t size;           /* bytes hashed */
	uint8_t sha256[32];
};

struct cap_exehash_entry;

struct cap_exehash {
	pthread_mutex_t mu;
	pthread_cond_t wake;     /* worker: a job or stop */
	pthread_cond_t idle;     /* cap_exehash_wait: a job finished */
	pthread_t thread;
	bool started, stop;
	uint64_t max_bytes;

	/* LRU cache: hash buckets + a list, most recently used first */
	struct cap_exehash_entry **buckets;
	size_t nbuckets, count, cap;
	struct cap_exehash_entry *lru_head, *lru_tail;

	/* jobs waiting, then results waiting to be collected: together at most INFLIGHT_MAX */
	struct cap_exejob jobs[CAP_EXEHASH_INFLIGHT_MAX];
	struct cap_exeresult results[CAP_EXEHASH_INFLIGHT_MAX];
	unsigned job_head, njobs, res_head, nres, busy;
	atomic_uint ready;       /* results waiting: read by the reader without the lock */

	/* counters */
	uint64_t hits, misses, hashed, dropped, bytes;
};

/* cache_cap 0: CAP_EXEHASH_CACHE_MAX; max_bytes 0: CAP_EXEHASH_FILE_MAX. Starts the worker. */
int cap_exehash_init(struct cap_exehash *h, size_t cache_cap, uint64_t max_bytes);
/* Stops the worker (a file being hashed is finished first) and frees everything. */
void cap_exehash_free(struct cap_exehash *h);

/* 1 and the hash when the cache knows this key; 0 when not (or still being computed). */
int cap_exehash_lookup(struct cap_exehash *h, const struct cap_exekey *k, uint8_t sha[32]);
/* Queues a job (path is copied). Returns 0, -EEXIST when the key is already being hashed
 * (its result will cover this exec too), -EAGAIN when the queue is full, -ENOMEM. Jobs of
 * role SCRIPT are not deduplicated (their key is not known yet). */
int cap_exehash_submit(struct cap_exehash *h, const struct cap_exejob *job);
/* Takes one finished result (the caller frees r->job.path). 1 when one was taken, else 0. */
int cap_exehash_poll(struct cap_exehash *h, struct cap_exeresult *r);
/* Waits until no job is queued or running, at most timeout_ms. 0, or -ETIMEDOUT. */
int cap_exehash_wait(struct cap_exehash *h, int timeout_ms);

/* The hashing itself, synchronous (used by the worker; exposed for tests): hashes the regular
 * file behind fd from its start, at most max_bytes. 0, -EFBIG, or -errno. */
int cap_sha256_fd(int fd, uint64_t max_bytes, uint8_t sha[32], uint64_t *size);

const char *cap_image_status_name(int status);

#endif
