/* What an event means, worked out once and shared by the text and JSON output:
 * resolved absolute paths, the device or filesystem touched, and the warning (⚠) if any. */
#ifndef CAPSULE_VIEW_H
#define CAPSULE_VIEW_H
#include <stddef.h>
#include "capsule/event.h"
#include "trace/decode.h"
#include "enrich/fdview.h"

#define CAP_VIEW_PATHS 2
#define CAP_VIEW_FDS 4 /* fd arguments and results named (src/enrich/fdtable.c) */

struct cap_view {
	/* resolved paths of the PATH arguments (not escaped yet) */
	int npaths;
	int path_arg[CAP_VIEW_PATHS];
	char path[CAP_VIEW_PATHS][CAP_PATH_MAX * 2];
	size_t path_len[CAP_VIEW_PATHS];
	struct cap_fileinfo file; /* of the result fd or the fd argument */
	int has_file;
	const char *device;       /* device class when a device was opened or ioctl'ed */
	const char *fs;           /* filesystem of that file */
	unsigned area;            /* AREA_*: the event's, or AREA_dev for a file event on a device */
	const char *warning;      /* why this event is risky, or NULL */
	uint8_t session_written;  /* exec of a file the session wrote (even when warning says more) */
	int writes;               /* an open for writing, or a call that changes a file */
	/* exec only: a script run through an interpreter has its path in path[1] (the kernel
	 * records the interpreter's inode only); the image hash is filled by src/enrich/exe.c
	 * when already known ("" if not) */
	int has_script;
	int has_script_file;      /* script_file is the kernel's description of the script */
	struct cap_fileinfo script_file;
	char image_sha256[65];
	const char *image_note;   /* why there will be no hash, e.g. "dropped" */
	/* data preview (CAP_F_DATA): at most preview_max bytes, which the caller sets once */
	size_t preview_max;
	const uint8_t *data;      /* NULL: no preview */
	size_t data_len;          /* bytes shown */
	uint64_t data_total;      /* bytes the call moved (of the first message for mmsg calls) */
	const char *dns;          /* the name of the sockaddr's address (DNS answer), set by the caller */
	int nfds;                 /* what the fds of the event refer to, from the fd table */
	struct cap_fdview fds[CAP_VIEW_FDS];
};

void cap_view_build(struct cap_view *v, const struct cap_event *ev);

/* Lexically normalises base + "/" + rel into out (handles ".", ".." and "//"). */
size_t cap_path_join(char *out, size_t n, const char *base, size_t blen, const char *rel, size_t rlen);
/* The warning of an exec of a file the session wrote (one text for the view, image events, tree) */
#define CAP_WARN_SESSION_WRITTEN "exec of a file this session created"

/* Path classes used by the warnings. */
int cap_path_is_persistence(const char *path);
int cap_path_is_secret(const char *path);

#endif
