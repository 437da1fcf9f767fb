/* The session's cgroup v2: found from /proc/self/mountinfo, never assumed. */
#ifndef CAPSULE_CGROUP_H
#define CAPSULE_CGROUP_H
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

struct cap_cgroup {
	char mount[512];  /* cgroup2 mount point */
	char path[4096];  /* the session's cgroup directory */
	uint64_t id;      /* cgroup id (inode number of the directory) */
	uint32_t level;   /* depth below the cgroup2 root */
	int dirfd;        /* open directory, for clone3(CLONE_INTO_CGROUP) and file access */
};

/* Writes the cgroup2 mount point into buf; -ENOENT when cgroup v2 is not mounted. */
int cap_cgroup2_mount(char *buf, size_t n);
/* Creates <mount>/capsule/<name>. */
int cap_cgroup_create(struct cap_cgroup *cg, const char *name, char *err, size_t errsz);
/* Moves a process into the cgroup. */
int cap_cgroup_add(struct cap_cgroup *cg, int pid);
/* True while any process is in the cgroup (or a child cgroup). */
bool cap_cgroup_populated(struct cap_cgroup *cg);
/* Number of processes in the cgroup. */
unsigned cap_cgroup_count(struct cap_cgroup *cg);
/* Kills every process in the cgroup (cgroup.kill, or SIGKILL to each on old kernels). */
int cap_cgroup_kill(struct cap_cgroup *cg);
/* Removes the cgroup (and any child cgroups the agent made), after killing what is left. */
int cap_cgroup_remove(struct cap_cgroup *cg);
/* Removes session cgroups whose capsule is gone (killed with SIGKILL), stopping what is left in them. */
void cap_cgroup_reap_stale(void);

#endif
