/* Starting the agent: as the invoking user, inside the session's cgroup. */
#ifndef CAPSULE_SPAWN_H
#define CAPSULE_SPAWN_H
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "session/cgroup.h"

struct cap_user {
	uid_t uid;
	gid_t gid;
	char name[64];
	char home[512];
	char shell[256];
	gid_t groups[256];
	int ngroups;
};

/* Who the agent runs as: --user NAME|UID, else SUDO_UID/SUDO_GID, else the caller; root only
 * with allow_root. Returns 0 or a negative errno with a one-line reason in err. */
int cap_user_resolve(struct cap_user *u, const char *name, bool allow_root, char *err, size_t errsz);

/* Starting the agent, in three steps so that the BPF programs can load meanwhile:
 *   cap_spawn_start  forks it; it moves itself into cg, becomes u, and waits;
 *   cap_spawn_ready  waits until it has done so (attach the programs after this: none of its
 *                    set-up is recorded, and it runs nothing before the go);
 *   cap_spawn_go     lets it exec argv (PATH search as execvp); returns its pid, or a negative
 *                    errno with the reason in err (-ENOENT: the command does not exist).
 * Each returns 0 (go: the pid) or a negative errno with a one-line reason in err; after a
 * failure the child is gone. cap_spawn_abort kills a child that was started but not let go. */
struct cap_spawn {
	pid_t pid;
	int go_fd, ready_fd, err_fd;
	char argv0[256], user[64], cgroup[4096];
	char **envp;          /* the agent's environment (made before the fork) */
	char env_vars[1024];  /* its HOME=, USER=, LOGNAME=, SHELL= */
};
int cap_spawn_start(struct cap_spawn *sp, char *const argv[], const struct cap_user *u, struct cap_cgroup *cg,
		    char *err, size_t errsz);
int cap_spawn_ready(struct cap_spawn *sp, char *err, size_t errsz);
pid_t cap_spawn_go(struct cap_spawn *sp, char *err, size_t errsz);
void cap_spawn_abort(struct cap_spawn *sp);

#endif
