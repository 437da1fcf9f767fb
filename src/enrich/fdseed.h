/* Fills the fd table of a process that was already running when tracing started (the agent's
 * inherited stdin/stdout/stderr, ...) from /proc/PID/fd and /proc/PID/fdinfo. */
#ifndef CAPSULE_FDSEED_H
#define CAPSULE_FDSEED_H
#include <stdint.h>
#include "enrich/fdtable.h"

/* Adds every fd of pid (up to the table's cap); returns how many, or -errno. proc_root is
 * "/proc" (tests may point it elsewhere). */
int cap_fdseed_proc(struct cap_fdt *t, uint32_t pid, const char *proc_root);
/* The same from any process's fd and fdinfo folders; with skip_cloexec, only the fds an exec
 * keeps (capsule seeds the agent it forks from its own fds: what the agent inherits). */
int cap_fdseed_dir(struct cap_fdt *t, uint32_t pid, const char *fd_dir, const char *fdinfo_dir,
		   int skip_cloexec);

/* A cap_fdt_seed_fn reading /proc (ctx unused). */
void cap_fdseed_cb(struct cap_fdt *t, uint32_t pid, void *ctx);

/* Classifies a /proc/PID/fd link target ("pipe:[12]", "socket:[5]", "anon_inode:[eventfd]",
 * "/dev/pts/1", "/memfd:x (deleted)", ...) into d (name points into link). st_mode/st_rdev
 * (0 when unknown) tell devices and directories apart; accmode is O_RDONLY/O_WRONLY/O_RDWR. */
void cap_fdseed_classify(struct cap_fd_desc *d, const char *link, size_t len, unsigned st_mode,
			 uint64_t st_rdev, int accmode);

#endif
