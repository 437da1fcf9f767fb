/* The session's process tree: who started whom, what each process ran (argv, exe, script,
 * image hash), as whom, where, when it started and ended, and how. Built from the events by
 * the reader (no I/O, no name lookups on that path); user and group names are looked up only
 * when the tree is written out at the end (capsule run --tree, processes.json).
 *
 * Memory is bounded: at most CAP_PROCTREE_MAX processes are tracked; of those that exited,
 * the CAP_PROCTREE_EXITED_MAX most recent are kept (older ones are dropped and their children
 * attached to the dropped process's parent); argv and cwd strings share a byte budget past
 * which they are cut short. A fork bomb costs at most those caps. */
#ifndef CAPSULE_PROCTREE_H
#define CAPSULE_PROCTREE_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "enrich/exehash.h"
#include "enrich/view.h"
#include "trace/decode.h"

#define CAP_PROCTREE_MAX 8192            /* processes tracked at once (live + kept exited) */
#define CAP_PROCTREE_EXITED_MAX 1024     /* exited processes kept for the tree */
#define CAP_PROCTREE_STR_BUDGET (8 << 20) /* bytes of argv/cwd/exe strings; past it, each is cut */
#define CAP_PROCTREE_STR_CUT 256         /* ... to this many bytes */

struct cap_proc {
	uint32_t pid;
	uint32_t ppid_now;        /* parent the kernel reported last (differs after reparenting) */
	struct cap_proc *parent, *child, *last_child, *prev, *next; /* the tree (who started whom) */
	struct cap_proc *hnext;   /* pid hash chain */
	struct cap_proc *xprev, *xnext; /* the exited list, oldest first */
	char comm[CAP_COMM_LEN];
	char *argv;               /* NUL-separated (as exec'd), or NULL: not exec'd in the session */
	uint32_t argv_len;
	char *cwd, *exe, *script, *interp;
	bool argv_cut;
	uint32_t uid, euid, gid;
	int64_t start_ns, exec_ns, exit_ns; /* wall clock; 0 when not seen */
	bool exited, in_hash;
	int status;               /* wait status at exit */
	unsigned execs;
	bool setuid, setgid, session_written;
	bool has_key;
	struct cap_exekey key;    /* of the image exec'd last */
	char image_sha256[65], script_sha256[65]; /* "" when not known */
	const char *image_status; /* when the image could not be hashed: "replaced", ... */
};

struct cap_proctree {
	struct cap_proc **buckets;  /* pid -> live (or last seen) process */
	size_t nbuckets;
	struct cap_proc *roots, *last_root;
	struct cap_proc *xhead, *xtail;
	size_t count, exited;
	uint64_t evicted;           /* exited processes dropped by the cap */
	uint64_t untracked;         /* processes not tracked because the tree was full */
	size_t str_bytes;
	size_t max, exited_max;     /* the caps (settable for tests) */
};

int cap_proctree_init(struct cap_proctree *t);
void cap_proctree_free(struct cap_proctree *t);

/* Every event, after the view (and cap_exe_event) are built. */
void cap_proctree_event(struct cap_proctree *t, const struct cap_event *ev, const struct cap_view *v);
/* A finished image hash: recorded on the process that exec'd it if that is still its image. */
void cap_proctree_image(struct cap_proctree *t, const struct cap_exeresult *r);
/* Fills the hashes still missing from the cache (at the end of the session). */
void cap_proctree_fill_hashes(struct cap_proctree *t, struct cap_exehash *h);

struct cap_proc *cap_proctree_find(const struct cap_proctree *t, uint32_t pid);

/* The tree as indented text lines (strings escaped), and as processes.json. */
void cap_proctree_print(FILE *f, const struct cap_proctree *t, int color);
void cap_proctree_json(FILE *f, const struct cap_proctree *t);

#endif
