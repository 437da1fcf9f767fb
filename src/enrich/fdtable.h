/* The file-descriptor table of every traced process, kept in user space from the event stream:
 * what each fd refers to (file path, socket, pipe and who holds its other end, device, memfd,
 * eventfd, ...) and whether it is close-on-exec. Followed across open/socket/pipe/dup/fcntl/
 * close/close_range, fork (copy), CLONE_FILES and threads (shared), exec (close-on-exec fds
 * dropped) and exit (freed). Every lookup and update is O(1) (hash maps); only fork, exec,
 * exit and close_range walk one table.
 *
 * Memory is bounded by the caps below (documented in docs/events.md): at the per-process or
 * total fd cap an existing entry of the same process is evicted; at the process cap another
 * process's table is evicted. Evictions are counted (summary.json "fd_table"). */
#ifndef CAPSULE_FDTABLE_H
#define CAPSULE_FDTABLE_H
#include <stddef.h>
#include <stdint.h>
#include "enrich/fdview.h"
#include "enrich/view.h"
#include "trace/decode.h"

#define CAP_FDT_MAX_PROCS      8192
#define CAP_FDT_MAX_FDS_PROC   32768
#define CAP_FDT_MAX_FDS_TOTAL  131072
#define CAP_FDT_SEEDS_PER_SEC  100    /* processes read from /proc per second at most */

struct cap_fdt_limits {
	uint32_t max_procs, max_fds_proc, max_fds_total;
};

struct cap_fdt_stats {
	uint64_t procs, procs_peak;     /* processes with a table now / at most */
	uint64_t fds, fds_peak;         /* fd entries now / at most */
	uint64_t fd_evictions;          /* entries dropped at a cap */
	uint64_t proc_evictions;        /* tables dropped at the process cap */
	uint64_t seeded;                /* processes whose table was read from /proc */
};

/* What a new fd refers to. name is copied (cut at CAP_PATH_MAX). */
struct cap_fd_desc {
	uint8_t kind, end;
	uint64_t ino;
	uint64_t pair;                      /* pipes, FIFOs, socketpairs: what the two ends share */
	const char *name;
	size_t name_len;
	const char *device;                 /* static string */
	const struct cap_sockinfo *sock;    /* copied */
};

struct cap_fdt;

/* NULL limits: the defaults above. Returns NULL when out of memory. */
struct cap_fdt *cap_fdt_new(const struct cap_fdt_limits *lim);
void cap_fdt_free(struct cap_fdt *t);

/* Called once for a process seen for the first time without a fork record (it was there before
 * tracing started): fills its table, e.g. from /proc (src/enrich/fdseed.c). */
typedef void (*cap_fdt_seed_fn)(struct cap_fdt *t, uint32_t pid, void *ctx);
void cap_fdt_set_seeder(struct cap_fdt *t, cap_fdt_seed_fn fn, void *ctx);

/* The hot path: names the fds of ev into v->fds (before the call for fd arguments, after it for
 * results) and applies what ev did to the table. v must have been built for ev. */
void cap_fdt_event(struct cap_fdt *t, const struct cap_event *ev, struct cap_view *v);

/* The operations, for the event handler, the seeder and the tests. pid is a thread-group id.
 * They return 0, or -ENOENT (no such fd or process) / -ENOMEM. */
int cap_fdt_install(struct cap_fdt *t, uint32_t pid, int32_t fd, const struct cap_fd_desc *d, int cloexec);
int cap_fdt_close(struct cap_fdt *t, uint32_t pid, int32_t fd);
int cap_fdt_dup(struct cap_fdt *t, uint32_t pid, int32_t oldfd, int32_t newfd, int cloexec);
int cap_fdt_set_cloexec(struct cap_fdt *t, uint32_t pid, int32_t fd, int cloexec);
/* close_range(first, last, flags): closes, or with cloexec_only marks close-on-exec */
void cap_fdt_close_range(struct cap_fdt *t, uint32_t pid, uint32_t first, uint32_t last, int cloexec_only);
/* share: the child uses the parent's very table (CLONE_FILES); else it gets a copy */
void cap_fdt_fork(struct cap_fdt *t, uint32_t parent, uint32_t child, int share);
void cap_fdt_exec(struct cap_fdt *t, uint32_t pid, const char *comm);
void cap_fdt_exit(struct cap_fdt *t, uint32_t pid);
/* Creates an empty table for pid unless it has one (no seeding). */
int cap_fdt_add_proc(struct cap_fdt *t, uint32_t pid);
/* Copies what fd refers to into out (peers: holders of the other end, pid itself left out). */
int cap_fdt_lookup(const struct cap_fdt *t, uint32_t pid, int32_t fd, struct cap_fdview *out);
/* Sockets: the addresses seen in a later record (after bind, connect, ...). */
void cap_fdt_update_sock(struct cap_fdt *t, uint32_t pid, int32_t fd, const struct cap_sockinfo *si);

const struct cap_fdt_stats *cap_fdt_stats(const struct cap_fdt *t);

#endif
