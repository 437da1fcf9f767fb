/* Executable identity in a session: which file each exec ran (SHA-256 of the image and of the
 * script), and whether the session itself wrote that file earlier.
 *
 * How a hash reaches the output without stalling the reader: when the cache already knows the
 * file (most execs in an agent session repeat), the execve event carries image_sha256 itself.
 * Otherwise the file is queued for the worker thread and, when it is done, an event of kind
 * "image" follows in the timeline (docs/events.md). */
#ifndef CAPSULE_EXE_H
#define CAPSULE_EXE_H
#include <stdbool.h>
#include <stdint.h>
#include "enrich/exehash.h"
#include "enrich/view.h"
#include "format/sbuf.h"
#include "format/text.h"
#include "trace/decode.h"

#define CAP_EXE_WRITTEN_MAX 65536 /* files (inodes and paths) remembered as written by the session (16 B each, x2 slots) */

struct cap_exe_file {
	uint64_t dev, ino;
};

struct cap_exe {
	struct cap_exehash hash;
	bool hashing;                   /* the worker runs */
	struct cap_exe_file *written;   /* open addressing; {0,0} is empty; allocated at first use */
	size_t written_slots, nwritten;
	uint64_t written_overflow;      /* files not remembered because of the cap */
	uint64_t images_dropped;        /* execs not hashed because the queue was full */
};

/* hash_files false: no worker, no hashes (the rest still works). 0 or -errno. */
int cap_exe_init(struct cap_exe *x, bool hash_files);
void cap_exe_free(struct cap_exe *x);

/* After cap_view_build, for every event: remembers files the session writes; at an exec,
 * fills v->image_sha256/script_sha256 from the cache or queues the hashing, and sets the
 * warning for an exec of a file the session wrote. */
void cap_exe_event(struct cap_exe *x, const struct cap_event *ev, struct cap_view *v);
bool cap_exe_was_written(const struct cap_exe *x, uint64_t kdev, uint64_t ino);

/* A finished hash, when there is one (the caller frees r->job.path); a script's result says
 * whether the session wrote that file (by inode). */
int cap_exe_poll(struct cap_exe *x, struct cap_exeresult *r);

/* The "image" event of a result: a JSON object line, and a text line. */
void cap_exe_image_json(struct sbuf *b, const struct cap_exeresult *r, uint64_t seq, int64_t realtime_ns);
void cap_exe_image_text(struct sbuf *b, const struct cap_exeresult *r, int64_t realtime_ns,
			const struct cap_text_opts *o);

#endif
