/* What an fd of one event refers to, copied out of the fd table (src/enrich/fdtable.c) for
 * the text and JSON output of that event: the table may change right after (close, dup2). */
#ifndef CAPSULE_FDVIEW_H
#define CAPSULE_FDVIEW_H
#include <stddef.h>
#include <stdint.h>
#include "capsule/event.h"

enum cap_fd_kind {
	CAP_FDK_NONE = 0, CAP_FDK_FILE, CAP_FDK_DIR, CAP_FDK_DEVICE, CAP_FDK_FIFO, CAP_FDK_PIPE,
	CAP_FDK_SOCKET, CAP_FDK_MEMFD, CAP_FDK_EVENTFD, CAP_FDK_EPOLL, CAP_FDK_TIMERFD,
	CAP_FDK_SIGNALFD, CAP_FDK_PIDFD, CAP_FDK_INOTIFY, CAP_FDK_ANON, CAP_FDK__COUNT,
};

/* The two ends of a pipe or FIFO (read, write) and of a socketpair (first, second fd). */
enum cap_fd_end { CAP_FDE_NONE = 0, CAP_FDE_READ = 1, CAP_FDE_WRITE = 2 };

#define CAP_FDVIEW_PEERS 2   /* processes named as holding the other end */
#define CAP_FDVIEW_NAME  (CAP_PATH_MAX + 1) /* with the NUL */

/* which fd of the event: argument 0-5, the result, or the second fd of a pipe/socketpair */
#define CAP_FDARG_RET  6
#define CAP_FDARG_RET2 7
#define CAP_FDARG_RIGHTS 8 /* an fd received with SCM_RIGHTS */

struct cap_fdview {
	int32_t fd;
	uint8_t arg;       /* CAP_FDARG_* or the argument index */
	uint8_t kind;      /* enum cap_fd_kind */
	uint8_t end;       /* enum cap_fd_end */
	uint8_t cloexec;
	uint8_t has_sock;
	uint8_t npeers;
	uint32_t more_peers; /* holders of the other end not listed in peer[] */
	uint64_t ino;
	const char *device;  /* device class (static string) for CAP_FDK_DEVICE */
	struct cap_sockinfo sock;
	struct { uint32_t pid; char comm[CAP_COMM_LEN]; } peer[CAP_FDVIEW_PEERS];
	size_t name_len;
	char name[CAP_FDVIEW_NAME]; /* path, memfd name, ... as the agent gave it: escape to show */
};

/* "file", "pipe", "socket", ... */
const char *cap_fd_kind_name(unsigned kind);

#endif
