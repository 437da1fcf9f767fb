/* Loading and attaching the kernel programs for one session. */
#ifndef CAPSULE_LOADER_H
#define CAPSULE_LOADER_H
#include <stdint.h>
#include <stdbool.h>
#include "capsule/event.h"

struct capsule_bpf;
struct ring_buffer;

struct cap_tracer {
	struct capsule_bpf *skel;
	struct ring_buffer *rb;
	int ncpus;
};

struct cap_tracer_opts {
	uint64_t cgroup_id;     /* the session's cgroup */
	uint32_t cgroup_level;  /* its depth below the cgroup2 root */
	uint32_t ringbuf_bytes; /* power of two, >= 4096 */
	bool verbose;
	uint32_t capture_bytes;  /* preview size of writes to pipes/sockets/ttys (0: none) */
	bool debug;             /* libbpf debug output and verifier logs */
	/* called for every record, in order */
	int (*on_record)(void *ctx, const void *data, size_t size);
	void *ctx;
};

/* Opens and loads the programs (the verifier's work: most of capsule's start-up) and maps the
 * ring buffer; cap_tracer_attach then starts recording. Apart so that the agent's process can
 * get ready meanwhile. On failure they return a negative errno, write a one-line reason with
 * the fix into err, and leave nothing loaded. */
int cap_tracer_load(struct cap_tracer *t, const struct cap_tracer_opts *o, char *err, size_t errsz);
int cap_tracer_attach(struct cap_tracer *t, char *err, size_t errsz);
/* Waits up to timeout_ms for the kernel's wake-up or for wake_fd (-1: none) to be readable,
 * then consumes everything in the buffer. Returns the records consumed or -errno. */
int cap_tracer_poll(struct cap_tracer *t, int wake_fd, int timeout_ms);
/* Consumes what is in the buffer without waiting. */
int cap_tracer_drain(struct cap_tracer *t);
/* Sums a per-CPU counter (enum cap_stat). */
uint64_t cap_tracer_stat(struct cap_tracer *t, enum cap_stat which);
void cap_tracer_stop(struct cap_tracer *t);

#endif
