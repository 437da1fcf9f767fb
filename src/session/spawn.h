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

/* Forks the agent, drops to u, moves it into cg and execs argv (PATH search as execvp).
 * Returns the pid, or a negative errno with the reason in err (exec failures included:
 * -ENOENT for a command that does not exist). */
pid_t cap_spawn(char *const argv[], const struct cap_user *u, struct cap_cgroup *cg, char *err, size_t errsz);

#endif
