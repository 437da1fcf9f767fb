/* Enrichment cost: records built in memory the way the kernel side builds them go through
 * what the reader does for each one (src/cli/run.c on_record): decode, view, executable
 * identity, process tree, summary, JSON line, text line, both written to /dev/null through
 * stdio. One core (the process is pinned to CPU 0, the hashing thread included).
 *
 *   build/bench/enrich [--json] [EVENTS]     (default 2,000,000 events per phase)
 *
 * Phases: file events (openat of a relative path with its fileinfo, close with I/O totals),
 * process events (fork, execve with argv/cwd/cred/fileinfo of a real file, exit), and the two
 * mixed as in an agent session (a process opens and closes 20 files). */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include "capsule/event.h"
#include "enrich/exe.h"
#include "enrich/proctree.h"
#include "enrich/view.h"
#include "format/json.h"
#include "format/text.h"
#include "session/summary.h"
#include "trace/decode.h"

#define TARGET 500000.0

struct rec {
	uint8_t buf[1024];
	size_t size;
};

struct builder {
	struct rec *r;
	struct cap_rec *h;
};

static struct cap_rec *start(struct builder *b, struct rec *r, int type, int nr, uint32_t pid, const char *comm)
{
	memset(r, 0, sizeof(*r));
	b->r = r;
	b->h = (struct cap_rec *)r->buf;
	b->h->type = type;
	b->h->nr = nr;
	b->h->pid = b->h->tid = pid;
	b->h->ppid = 4000;
	b->h->uid = b->h->euid = b->h->gid = 1000;
	snprintf(b->h->comm, sizeof(b->h->comm), "%s", comm);
	r->size = b->h->size = sizeof(struct cap_rec);
	return b->h;
}

static void field(struct builder *b, int type, int arg, const void *data, size_t len)
{
	struct cap_field f = { .len = len, .type = type, .arg = arg };
	memcpy(b->r->buf + b->r->size, &f, sizeof(f));
	memcpy(b->r->buf + b->r->size + sizeof(f), data, len);
	b->r->size += sizeof(f) + len;
	b->h->nfields++;
	b->h->size = b->r->size;
}

static void openat_rec(struct rec *r, uint32_t pid, int i)
{
	struct builder b;
	char path[64];
	struct cap_rec *h = start(&b, r, CAP_REC_SYSCALL, __NR_openat, pid, "python3");
	h->args[0] = (uint64_t)-100;
	h->args[2] = (i % 4 == 0) ? (O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC) : (O_RDONLY | O_CLOEXEC);
	h->args[3] = 0644;
	h->ret = 3 + i % 8;
	int n = snprintf(path, sizeof(path), "src/pkg%d/module_%d.py", i % 7, i);
	field(&b, CAP_F_STR, 1, path, n);
	field(&b, CAP_F_BASE, 1, "/home/ana/project", 17);
	struct cap_fileinfo fi = { .mode = 0100644, .dev = 0xfe00001, .magic = 0xEF53, .ino = 100000 + i,
				   .size = 4096 + i, .mtime = 1733342400, .uid = 1000, .gid = 1000 };
	field(&b, CAP_F_FILE, 6, &fi, sizeof(fi));
}

static void close_rec(struct rec *r, uint32_t pid, int i)
{
	struct builder b;
	struct cap_rec *h = start(&b, r, CAP_REC_SYSCALL, __NR_close, pid, "python3");
	h->args[0] = 3 + i % 8;
	struct cap_iostat io = { .rbytes = 4096 + i, .rcalls = 2, .wbytes = i % 4 ? 0 : 512, .wcalls = i % 4 ? 0 : 1 };
	field(&b, CAP_F_IO, -1 & 0xff, &io, sizeof(io));
}

static void fork_rec(struct rec *r, uint32_t parent, uint32_t child)
{
	struct builder b;
	struct cap_rec *h = start(&b, r, CAP_REC_FORK, 0, parent, "python3");
	h->args[0] = h->args[1] = child;
}

static void exec_rec(struct rec *r, uint32_t pid, const struct stat *st)
{
	struct builder b;
	static const char argv[] = "python3\0agent.py\0--task\0fix the failing test in src/pkg1\0--verbose";
	struct cap_rec *h = start(&b, r, CAP_REC_EXEC, 0, pid, "python3");
	h->args[0] = pid;
	field(&b, CAP_F_STR, 0, "/usr/bin/true", 13);
	struct cap_fileinfo fi = { .mode = st->st_mode, .dev = major(st->st_dev) << 20 | minor(st->st_dev),
				   .magic = 0xEF53, .ino = st->st_ino, .size = st->st_size,
				   .mtime = st->st_mtim.tv_sec };
	field(&b, CAP_F_FILE, 6, &fi, sizeof(fi));
	field(&b, CAP_F_FDPATH, 6, "/usr/bin/true", 13);
	field(&b, CAP_F_ARGV, 0, argv, sizeof(argv) - 1);
	field(&b, CAP_F_CWD, 0, "/home/ana/project", 17);
	struct cap_cred c = { .uid = 1000, .euid = 1000, .suid = 1000, .fsuid = 1000,
			      .gid = 1000, .egid = 1000, .sgid = 1000, .fsgid = 1000 };
	field(&b, CAP_F_CRED, 0, &c, sizeof(c));
}

static void exit_rec(struct rec *r, uint32_t pid)
{
	struct builder b;
	struct cap_rec *h = start(&b, r, CAP_REC_EXIT, 0, pid, "python3");
	h->args[0] = 1000000;
	h->args[1] = 2000000;
}

struct pipeline {
	struct cap_event ev;
	struct cap_view view;
	struct cap_exe exe;
	struct cap_proctree tree;
	struct cap_summary sum;
	struct cap_text_opts topts;
	FILE *out;
	char *line;
	uint64_t seq;
};

#define LINE (256 * 1024)

static void one(struct pipeline *p, const struct rec *r, int64_t ns)
{
	struct sbuf b;
	struct cap_exeresult res;
	if (cap_decode(&p->ev, r->buf, r->size))
		abort();
	p->ev.seq = ++p->seq;
	p->ev.realtime_ns = ns;
	cap_view_build(&p->view, &p->ev);
	cap_exe_event(&p->exe, &p->ev, &p->view);
	cap_proctree_event(&p->tree, &p->ev, &p->view);
	cap_summary_add(&p->sum, &p->ev, &p->view);
	sb_init(&b, p->line, LINE);
	cap_json_event(&b, &p->ev, &p->view);
	fwrite(b.buf, 1, b.len, p->out);
	sb_init(&b, p->line, LINE);
	cap_text_event(&b, &p->ev, &p->view, &p->topts);
	fwrite(b.buf, 1, b.len, p->out);
	while (cap_exe_poll(&p->exe, &res)) {
		cap_proctree_image(&p->tree, &res);
		sb_init(&b, p->line, LINE);
		cap_exe_image_json(&b, &res, ++p->seq, ns);
		fwrite(b.buf, 1, b.len, p->out);
		free(res.job.path);
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs the records in a loop until n events went through; events per second. */
static double phase(const struct rec *recs, size_t nrecs, size_t n)
{
	static char obuf[1 << 20];
	struct pipeline p = { .topts = { .color = false, .max_str = 256 } };
	p.out = fopen("/dev/null", "w");
	p.line = malloc(LINE);
	if (!p.out || !p.line || cap_exe_init(&p.exe, true) || cap_proctree_init(&p.tree))
		abort();
	setvbuf(p.out, obuf, _IOFBF, sizeof(obuf));
	cap_summary_init(&p.sum);
	int64_t ns = 1733342400000000000LL;
	/* warm-up: the image hash gets computed and cached, as it would early in a session */
	for (size_t i = 0; i < nrecs; i++)
		one(&p, &recs[i], ns += 1000);
	cap_exehash_wait(&p.exe.hash, 5000);
	double t0 = now();
	for (size_t done = 0; done < n;)
		for (size_t i = 0; i < nrecs && done < n; i++, done++)
			one(&p, &recs[i], ns += 1000);
	fflush(p.out);
	double dt = now() - t0;
	fclose(p.out);
	free(p.line);
	cap_exe_free(&p.exe);
	cap_proctree_free(&p.tree);
	cap_summary_free(&p.sum);
	return n / dt;
}

int main(int argc, char **argv)
{
	int json = 0;
	size_t n = 2000000;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if ((n = strtoul(argv[i], NULL, 10)) == 0) {
			fprintf(stderr, "usage: enrich [--json] [EVENTS]\n");
			return 2;
		}
	}
	cpu_set_t one_cpu;
	CPU_ZERO(&one_cpu);
	CPU_SET(0, &one_cpu);
	sched_setaffinity(0, sizeof(one_cpu), &one_cpu);

	struct stat st;
	if (stat("/usr/bin/true", &st)) {
		perror("enrich: /usr/bin/true");
		return 1;
	}
	/* 4000 distinct records per phase: 100 processes, pids reused across loops */
	enum { PROCS = 100, FILES = 20 };
	static struct rec file_recs[PROCS * FILES * 2], proc_recs[PROCS * 3], mixed[PROCS * (3 + FILES * 2)];
	size_t nf = 0, np = 0, nm = 0;
	for (int p = 0; p < PROCS; p++) {
		uint32_t pid = 5000 + p;
		fork_rec(&proc_recs[np++], 4000, pid);
		exec_rec(&proc_recs[np++], pid, &st);
		exit_rec(&proc_recs[np++], pid);
		fork_rec(&mixed[nm++], 4000, pid);
		exec_rec(&mixed[nm++], pid, &st);
		for (int f = 0; f < FILES; f++) {
			openat_rec(&file_recs[nf++], pid, p * FILES + f);
			close_rec(&file_recs[nf++], pid, p * FILES + f);
			openat_rec(&mixed[nm++], pid, p * FILES + f);
			close_rec(&mixed[nm++], pid, p * FILES + f);
		}
		exit_rec(&mixed[nm++], pid);
	}
	double file = phase(file_recs, nf, n);
	double proc = phase(proc_recs, np, n / 4);
	double mix = phase(mixed, nm, n);
	if (json) {
		printf("{\"events\":%zu,\"file_events_per_s\":%.0f,\"process_events_per_s\":%.0f,"
		       "\"mixed_events_per_s\":%.0f,\"target_events_per_s\":%.0f,\"ok\":%s}\n",
		       n, file, proc, mix, TARGET, file >= TARGET && proc >= TARGET ? "true" : "false");
	} else {
		printf("enrich: file events    %10.0f events/s (openat + close)\n", file);
		printf("enrich: process events %10.0f events/s (fork + execve + exit)\n", proc);
		printf("enrich: mixed          %10.0f events/s (a process opens and closes 20 files)\n", mix);
		printf("enrich: target >= %.0f events/s for file and process events: %s\n", TARGET,
		       file >= TARGET && proc >= TARGET ? "ok" : "MISS");
	}
	return 0;
}
