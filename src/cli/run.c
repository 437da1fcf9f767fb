/* capsule run: start a command in its own cgroup, trace it and every descendant, print the
 * live timeline, write the session log, and exit with the command's status. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "enrich/exe.h"
#include "enrich/proctree.h"
#include "enrich/dns.h"
#include "enrich/fdseed.h"
#include "enrich/fdtable.h"
#include "enrich/view.h"
#include "format/dnsline.h"
#include "format/json.h"
#include "format/text.h"
#include "log/chain.h"
#include "log/sign.h"
#include "session/cgroup.h"
#include "session/registry.h"
#include "session/spawn.h"
#include "session/summary.h"
#include "store/store.h"
#include "trace/decode.h"
#include "trace/loader.h"

#define LINE_MAX_BYTES (256 * 1024)

struct run_opts {
	const char *user;
	bool allow_root, follow_all, json, verbose, debug, color, tree, no_db;
	int interactive; /* -1 auto, 0 no, 1 yes */
	const char *output, *log_dir, *db;
	const char *sign_key;
	unsigned buffer_mib;
	size_t max_str;
	unsigned capture_bytes;
};

struct session {
	struct run_opts *o;
	int log_dirfd;   /* the session folder, opened before the agent runs */
	pid_t starting;  /* the agent's process until its first execve: its read of the go byte is
			  * Capsule's own, not the agent's (recorded with --verbose) */
	FILE *live;      /* the live timeline (text or JSON), or NULL */
	bool live_json;
	FILE *jsonl;     /* events.jsonl */
	FILE *timeline;  /* timeline.log: the text lines, uncoloured */
	struct cap_summary sum;
	struct cap_event ev;
	struct cap_view view;
	struct cap_exe exe;        /* image hashes, files the session wrote */
	struct cap_proctree tree;
	struct cap_fdt *fdt; /* what every fd of every traced process refers to */
	char *line, *tline;
	struct cap_store *store; /* session.db (or --db): fed per event, written by its own thread */
	uint64_t seq;
	int64_t boot_to_real; /* add to a boot-time stamp to get wall-clock ns */
	struct cap_text_opts text_file, text_live;
	uint64_t lost_reported;
	struct cap_chain chain; /* events.jsonl's hash chain */
	struct cap_dns *dns; /* DNS answers seen: names for later connects */
};

static const char usage[] =
	"Usage: capsule run [OPTIONS] -- CMD [ARGS...]\n"
	"\n"
	"Runs CMD in its own cgroup as the user who invoked sudo, traces it and every process it\n"
	"starts from the kernel, prints a live timeline and writes a detailed log.\n"
	"\n"
	"Options:\n"
	"  -u, --user NAME        run CMD as NAME (default: SUDO_USER)\n"
	"      --allow-root       allow CMD to run as root\n"
	"  -o, --output FILE      write the live timeline to FILE instead of stderr\n"
	"  -l, --log-dir DIR      session folder (default ./capsule-logs/<session-id>)\n"
	"      --json             live output as JSON lines instead of text\n"
	"      --db FILE          store the events in FILE (SQLite, may hold many sessions)\n"
	"                         instead of session.db in the session folder\n"
	"      --no-db            no SQLite store (events.jsonl only; capsule import makes one later)\n"
	"  -v, --verbose          also one line per read/write/send/recv and per mapping\n"
	"  -f, --follow-all       end when every traced process has exited, not just CMD\n"
	"  -i, --interactive      CMD draws on the terminal: keep the timeline off it (see capsule watch)\n"
	"      --no-interactive   always print the timeline live, even for full-screen agents\n"
	"  -b, --buffer-size MIB  kernel ring buffer size (power of two, 1-1024; default 8)\n"
	"      --max-string N     longest string shown in the live text (default 256)\n"
	"      --tree             print the process tree at the end (always in processes.json)\n"
	"      --capture-bytes N  first N bytes of writes to pipes/sockets/terminals (default 64,\n"
	"                         0 for none, at most 4096); DNS messages are read in full anyway\n"
	"      --no-color         no colour (also NO_COLOR=1)\n"
	"      --sign-key FILE    sign the log's final hash with this Ed25519 private key (PEM)\n"
	"  -d, --debug            libbpf debug output and verifier logs\n"
	"  -h, --help             this help\n"
	"\n"
	"Examples:\n"
	"  sudo capsule run -- python3 agent.py\n"
	"  sudo capsule run --json -- bash -c 'curl -s example.com' | jq .kind\n"
	"  sudo capsule run -- claude        # then in another terminal: sudo capsule watch\n";

/* Full-screen terminal agents: their screen would be garbled by timeline lines. */
static bool is_fullscreen_agent(const char *cmd)
{
	static const char *const names[] = { "claude", "codex", "gemini", "aider", "cursor-agent",
					     "opencode", "goose", "amp", "vim", "nvim", "emacs",
					     "htop", "top", "less", "tmux", "screen" };
	const char *base = strrchr(cmd, '/');
	base = base ? base + 1 : cmd;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(base, names[i]))
			return true;
	return false;
}

static int parse_opts(struct run_opts *o, int argc, char **argv)
{
	enum { OPT_ALLOW_ROOT = 256, OPT_JSON, OPT_NO_INTERACTIVE, OPT_MAX_STRING, OPT_NO_COLOR, OPT_TREE,
	       OPT_SIGN_KEY, OPT_CAPTURE_BYTES, OPT_DB, OPT_NO_DB };
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "allow-root", no_argument, NULL, OPT_ALLOW_ROOT },
		{ "output", required_argument, NULL, 'o' },
		{ "log-dir", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "db", required_argument, NULL, OPT_DB },
		{ "no-db", no_argument, NULL, OPT_NO_DB },
		{ "verbose", no_argument, NULL, 'v' },
		{ "follow-all", no_argument, NULL, 'f' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "no-interactive", no_argument, NULL, OPT_NO_INTERACTIVE },
		{ "buffer-size", required_argument, NULL, 'b' },
		{ "max-string", required_argument, NULL, OPT_MAX_STRING },
		{ "capture-bytes", required_argument, NULL, OPT_CAPTURE_BYTES },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "tree", no_argument, NULL, OPT_TREE },
		{ "sign-key", required_argument, NULL, OPT_SIGN_KEY },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	long v;

	o->interactive = -1;
	o->buffer_mib = 8; /* mapped twice by the reader (wrap-around): 16 MiB of RSS */
	o->max_str = 256;
	o->capture_bytes = 64;
	o->color = !getenv("NO_COLOR");
	optind = 1;
	/* "+": stop at the first non-option, so CMD's own options are left alone */
	while ((c = getopt_long(argc, argv, "+u:o:l:vfib:dh", longopts, NULL)) != -1) {
		switch (c) {
		case 'u': o->user = optarg; break;
		case OPT_ALLOW_ROOT: o->allow_root = true; break;
		case 'o': o->output = optarg; break;
		case 'l': o->log_dir = optarg; break;
		case OPT_JSON: o->json = true; break;
		case OPT_DB: o->db = optarg; break;
		case OPT_NO_DB: o->no_db = true; break;
		case 'v': o->verbose = true; break;
		case 'f': o->follow_all = true; break;
		case 'i': o->interactive = 1; break;
		case OPT_NO_INTERACTIVE: o->interactive = 0; break;
		case 'b':
			if (cli_parse_long(optarg, 1, 1024, &v) || (v & (v - 1)))
				return cli_error("--buffer-size takes a power of two from 1 to 1024 (MiB), not '%s'", optarg);
			o->buffer_mib = v;
			break;
		case OPT_MAX_STRING:
			if (cli_parse_long(optarg, 16, 1 << 20, &v))
				return cli_error("--max-string takes a number from 16 to 1048576, not '%s'", optarg);
			o->max_str = v;
			break;
		case OPT_CAPTURE_BYTES:
			if (cli_parse_long(optarg, 0, CAP_DATA_MAX, &v))
				return cli_error("--capture-bytes takes a number from 0 to %d, not '%s'", CAP_DATA_MAX, optarg);
			o->capture_bytes = v;
			break;
		case OPT_NO_COLOR: o->color = false; break;
		case OPT_TREE: o->tree = true; break;
		case OPT_SIGN_KEY: o->sign_key = optarg; break;
		case 'd': o->debug = true; break;
		case 'h': fputs(usage, stdout); exit(0);
		default: fputs(usage, stderr); return -EINVAL;
		}
	}
	if (optind >= argc)
		return cli_error("run needs a command: capsule run [OPTIONS] -- CMD [ARGS...]");
	return 0;
}

static int64_t realtime_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Seals a JSON line built in s->line (leaving CAP_CHAIN_SUFFIX_MAX bytes free) into the hash
 * chain and writes it to events.jsonl and the live JSON stream: every line goes through here. */
static void write_json_line(struct session *s, struct sbuf *b, uint64_t seq, const char *kind)
{
	b->cap = LINE_MAX_BYTES;
	if (cap_chain_seal(&s->chain, b)) {
		/* cut at LINE_MAX_BYTES: a short stand-in keeps the chain, and the lockstep with
		 * timeline.log that capsule watch relies on */
		sb_init(b, s->line, LINE_MAX_BYTES);
		sb_puts(b, "{\"seq\":");
		sb_u64(b, seq);
		sb_puts(b, ",\"kind\":");
		sb_json_cstr(b, kind);
		sb_puts(b, ",\"truncated\":true}\n");
		cap_chain_seal(&s->chain, b);
	}
	fwrite(b->buf, 1, b->len, s->jsonl);
	if (s->live && s->live_json)
		fwrite(b->buf, 1, b->len, s->live);
}

/* The "image" events of hashes the worker has finished (src/enrich/exe.h). */
static void emit_images(struct session *s)
{
	struct cap_exeresult r;
	struct sbuf b;
	while (cap_exe_poll(&s->exe, &r)) {
		int64_t now = realtime_now();
		struct cap_proc *p = cap_proctree_find(&s->tree, r.job.hdr.pid);
		if (p) /* its name now (prctl may have changed it since the exec) */
			memcpy(r.job.hdr.comm, p->comm, CAP_COMM_LEN);
		cap_proctree_image(&s->tree, &r);
		s->sum.events++;
		s->sum.by_area[AREA_proc]++;
		sb_init(&b, s->line, LINE_MAX_BYTES - CAP_CHAIN_SUFFIX_MAX);
		cap_exe_image_json(&b, &r, ++s->seq, now);
		write_json_line(s, &b, s->seq, "image");
		struct sbuf t;
		sb_init(&t, s->tline, LINE_MAX_BYTES);
		cap_exe_image_text(&t, &r, now, &s->text_file);
		fwrite(t.buf, 1, t.len, s->timeline);
		if (s->store)
			cap_store_line(s->store, b.buf, b.len, t.buf, t.len);
		if (s->live && !s->live_json)
			fwrite(t.buf, 1, t.len, s->live);
		free(r.job.path);
	}
}

/* A DNS lookup (query + answer) becomes its own line, right after the record that ended it. */
static void emit_dns(void *ctx, const struct cap_dns_event *e)
{
	struct session *s = ctx;
	struct sbuf b;
	int64_t t = (int64_t)e->hdr.ts + s->boot_to_real;

	sb_init(&b, s->line, LINE_MAX_BYTES - CAP_CHAIN_SUFFIX_MAX);
	cap_dns_json_line(&b, e, ++s->seq, t);
	write_json_line(s, &b, s->seq, "dns");
	struct sbuf tl;
	sb_init(&tl, s->tline, LINE_MAX_BYTES);
	cap_dns_text_line(&tl, e, t, &s->text_file);
	fwrite(tl.buf, 1, tl.len, s->timeline);
	if (s->store)
		cap_store_line(s->store, b.buf, b.len, tl.buf, tl.len);
	b = tl;
	if (s->live && !s->live_json) {
		if (s->text_live.color) {
			sb_init(&b, s->line, LINE_MAX_BYTES);
			cap_dns_text_line(&b, e, t, &s->text_live);
		}
		fwrite(b.buf, 1, b.len, s->live);
	}
}

static int on_record(void *ctx, const void *data, size_t size)
{
	struct session *s = ctx;
	struct cap_event *ev = &s->ev;
	struct sbuf b;

	if (cap_decode(ev, data, size)) {
		s->sum.malformed++;
		return 0;
	}
	if (s->starting && ev->hdr.pid == (uint32_t)s->starting) {
		const char *k = cap_event_kind(ev);
		if (ev->hdr.type == CAP_REC_SYSCALL && strcmp(k, "execve") && strcmp(k, "execveat"))
			return 0;
		s->starting = 0;
	}
	ev->seq = ++s->seq;
	ev->realtime_ns = (int64_t)ev->hdr.ts + s->boot_to_real;
	cap_view_build(&s->view, ev);
	cap_exe_event(&s->exe, ev, &s->view);
	cap_proctree_event(&s->tree, ev, &s->view);
	s->view.dns = cap_dns_event_name(s->dns, ev);
	cap_fdt_event(s->fdt, ev, &s->view);
	cap_summary_add(&s->sum, ev, &s->view);

	/* room is kept for the chain's prev member, which sealing puts before the closing brace */
	sb_init(&b, s->line, LINE_MAX_BYTES - CAP_CHAIN_SUFFIX_MAX);
	cap_json_event(&b, ev, &s->view);
	write_json_line(s, &b, ev->seq, cap_event_kind(ev));

	struct sbuf t;
	sb_init(&t, s->tline, LINE_MAX_BYTES);
	cap_text_event(&t, ev, &s->view, &s->text_file);
	fwrite(t.buf, 1, t.len, s->timeline);
	if (s->store)
		cap_store_event(s->store, ev, &s->view, b.buf, b.len, t.buf, t.len);
	if (s->live && !s->live_json) {
		if (s->text_live.color) {
			sb_init(&t, s->line, LINE_MAX_BYTES);
			cap_text_event(&t, ev, &s->view, &s->text_live);
		}
		fwrite(t.buf, 1, t.len, s->live);
	}
	if (ev->hdr.flags & CAP_RF_DNS)
		cap_dns_record(s->dns, ev, emit_dns, s);
	else if (ev->hdr.type == CAP_REC_SYSCALL && (ev->sc->flags & CAP_S_CLOSE))
		cap_dns_closed(s->dns, ev->hdr.pid, (int32_t)ev->hdr.args[0], emit_dns, s);
	if (s->live && ferror(s->live)) {
		/* the live reader is gone; the session folder still gets everything */
		if (s->live != stderr && s->live != stdout)
			fclose(s->live);
		s->live = NULL;
	}
	emit_images(s);
	return 0;
}

/* Our own peak RSS: VmHWM, as getrusage's ru_maxrss also counts the memory of the process that
 * started us (it carries over an exec). */
static long peak_rss_kb(void)
{
	char buf[4096];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "re");
	while (f && fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "VmHWM: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	if (kb < 0) {
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		kb = ru.ru_maxrss;
	}
	return kb;
}

static int64_t boot_to_realtime(void)
{
	struct timespec r, bt;
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return ((int64_t)r.tv_sec - bt.tv_sec) * 1000000000LL + (r.tv_nsec - bt.tv_nsec);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void flush_all(struct session *s)
{
	fflush(s->jsonl);
	fflush(s->timeline);
	if (s->live)
		fflush(s->live);
}

/* A live line when the kernel reports new losses: never silent. */
static void report_losses(struct session *s, struct cap_tracer *t)
{
	uint64_t lost = cap_tracer_stat(t, CAP_STAT_LOST);
	if (lost == s->lost_reported)
		return;
	FILE *f = s->live ? s->live : stderr;
	fprintf(f, "capsule: ⚠ %llu events lost (ring buffer full; total %llu) — a larger --buffer-size helps\n",
		(unsigned long long)(lost - s->lost_reported), (unsigned long long)lost);
	s->lost_reported = lost;
}

/* A file of the session folder, through the folder's fd taken before the agent ran: renaming
 * the folder's parent and leaving a link in its place (the agent may own the cwd) cannot send
 * root's later writes (summary, tree, signature) elsewhere; nor can a link inside it. */
static FILE *open_log(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f && fd >= 0)
		close(fd);
	return f;
}

/* The command line as one escaped string, for the summary. */
static void command_string(char *out, size_t n, char **argv)
{
	struct sbuf b;
	sb_init(&b, out, n);
	for (int i = 0; argv[i]; i++) {
		if (i)
			sb_putc(&b, ' ');
		sb_escaped(&b, argv[i], strlen(argv[i]), 200);
	}
}

/* The SQLite store: session.db in the session folder, or --db FILE. */
static int open_store(struct session *s, const struct run_opts *o, const char *id, char **cmd,
		      const struct cap_user *user, const char *log_dir, const char *abs_log)
{
	char path[PATH_MAX + 16], cmdline[4096], argv_json[8192], host[256] = "", err[512];
	struct sbuf b;
	if (o->no_db)
		return 0;
	if (o->db)
		snprintf(path, sizeof(path), "%s", o->db);
	else
		snprintf(path, sizeof(path), "%s/session.db", log_dir);
	command_string(cmdline, sizeof(cmdline), cmd);
	sb_init(&b, argv_json, sizeof(argv_json));
	sb_putc(&b, '[');
	for (int i = 0; cmd[i]; i++) {
		if (i)
			sb_putc(&b, ',');
		sb_json_str(&b, cmd[i], strlen(cmd[i]));
	}
	sb_putc(&b, ']');
	gethostname(host, sizeof(host) - 1);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct cap_store_session si = {
		.uuid = id, .command = cmdline, .argv_json = b.full ? NULL : argv_json, .user = user->name,
		.uid = user->uid, .start_ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec,
		.log_dir = abs_log, .host = host,
	};
	if (cap_store_open(&s->store, path, &si, 0, err, sizeof(err)))
		return cli_error("session store: %s", err);
	return 0;
}

static void close_store(struct session *s, int status, uint64_t lost)
{
	char err[512];
	struct timespec now;
	if (!s->store)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	uint64_t dropped = cap_store_not_stored(s->store);
	struct cap_store_end end = { .end_ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec,
				     .exit_status = status, .lost = lost };
	if (cap_store_close(s->store, &end, err, sizeof(err)))
		cli_error("session store: %s", err);
	if (dropped)
		fprintf(stderr, "capsule: ⚠ %llu events are in events.jsonl but not in the session database "
				"(store queue full); capsule import rebuilds it\n", (unsigned long long)dropped);
	s->store = NULL;
}

static int exit_status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 1;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o = { 0 };
	struct session s = { .log_dirfd = -1 };
	struct cap_tracer tracer = { 0 };
	struct cap_cgroup cg = { .dirfd = -1 };
	struct cap_user user;
	struct cap_session_info info = { 0 };
	struct cap_tracer_opts topts = { 0 };
	struct cap_spawn sp = { .pid = -1, .go_fd = -1, .ready_fd = -1, .err_fd = -1 };
	char err[512], id[64], log_dir[PATH_MAX], cmdline[4096];
	cap_key *sign_key = NULL;
	sigset_t mask, oldmask;
	int sfd = -1, ret, status = 1, wstatus = 0, forwarded = 0;
	pid_t child = -1;
	bool child_done = false, hash_stuck = false;
	double t0;

	if (parse_opts(&o, argc, argv))
		return 2;
	char **cmd = argv + optind;
	s.o = &o;

	if (geteuid() != 0)
		return cli_error("capsule run needs root to load BPF programs: run it with sudo"), 1;
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return cli_error("this kernel has no BTF (/sys/kernel/btf/vmlinux): it needs CONFIG_DEBUG_INFO_BTF=y"), 1;
	if (cap_user_resolve(&user, o.user, o.allow_root, err, sizeof(err)))
		return cli_error("%s", err), 1;
	/* a bad key is found before the agent runs, not after */
	if (o.sign_key && cap_sign_load_private(o.sign_key, &sign_key, err, sizeof(err)))
		return cli_error("--sign-key: %s", err), 1;

	/* session id: time plus our pid, which also marks the cgroup as ours */
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	snprintf(id, sizeof(id), "%04d%02d%02d-%02d%02d%02d-%d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, getpid());
	if (o.log_dir)
		snprintf(log_dir, sizeof(log_dir), "%s", o.log_dir);
	else
		snprintf(log_dir, sizeof(log_dir), "capsule-logs/%s", id);
	if (cli_mkdirs(log_dir, 0755))
		return cli_error("cannot create log folder %s: %s", log_dir, strerror(errno)), 1;
	if (cap_chain_init(&s.chain, id))
		return cli_error("cannot set up the log's hash chain (OpenSSL SHA-256)"), 1;
	char abs_log[PATH_MAX];
	if (!realpath(log_dir, abs_log))
		snprintf(abs_log, sizeof(abs_log), "%s", log_dir);

	s.log_dirfd = open(log_dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (s.log_dirfd < 0)
		return cli_error("cannot open log folder %s: %s", log_dir, strerror(errno)), 1;
	s.jsonl = open_log(s.log_dirfd, "events.jsonl");
	s.timeline = open_log(s.log_dirfd, "timeline.log");
	if (!s.jsonl || !s.timeline)
		return cli_error("cannot write into %s: %s", log_dir, strerror(errno)), 1;
	static char jbuf[1 << 20], tbuf[1 << 20];
	setvbuf(s.jsonl, jbuf, _IOFBF, sizeof(jbuf));
	setvbuf(s.timeline, tbuf, _IOFBF, sizeof(tbuf));
	s.line = malloc(LINE_MAX_BYTES);
	s.dns = cap_dns_new();
	s.view.preview_max = o.capture_bytes;
	s.fdt = cap_fdt_new(NULL);
	s.tline = malloc(LINE_MAX_BYTES);
	if (!s.line || !s.tline || !s.dns || !s.fdt)
		return cli_error("out of memory"), 1;

	/* where the live timeline goes */
	bool agent_has_tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	bool interactive = o.interactive == 1 ||
			   (o.interactive == -1 && agent_has_tty && !o.output && is_fullscreen_agent(cmd[0]));
	if (o.output) {
		s.live = strcmp(o.output, "-") ? fopen(o.output, "we") : stdout;
		if (!s.live)
			return cli_error("cannot open --output %s: %s", o.output, strerror(errno)), 1;
	} else if (!interactive) {
		s.live = stderr;
	}
	s.live_json = o.json;
	s.text_file = (struct cap_text_opts){ .color = false, .max_str = o.max_str };
	s.text_live = (struct cap_text_opts){ .color = o.color && s.live && isatty(fileno(s.live)),
					      .max_str = o.max_str };
	cap_summary_init(&s.sum);
	if (cap_exe_init(&s.exe, true))
		fprintf(stderr, "capsule: ⚠ no image hashes: cannot start the hashing thread\n");
	if (cap_proctree_init(&s.tree))
		return cli_error("out of memory"), 1;
	/* processes met without a fork record (the agent itself) get their fds from /proc */
	cap_fdt_set_seeder(s.fdt, cap_fdseed_cb, NULL);
	s.boot_to_real = boot_to_realtime();

	cap_cgroup_reap_stale();
	if (cap_cgroup_create(&cg, id, err, sizeof(err)))
		return cli_error("%s", err), 1;

	/* the agent's process first: it moves itself into the cgroup (which takes a while) and
	 * becomes the user while the programs load */
	if (cap_spawn_start(&sp, cmd, &user, &cg, err, sizeof(err))) {
		cli_error("%s", err);
		goto out;
	}
	s.starting = sp.pid;

	topts.cgroup_id = cg.id;
	topts.cgroup_level = cg.level;
	topts.ringbuf_bytes = o.buffer_mib << 20;
	topts.verbose = o.verbose;
	topts.capture_bytes = o.capture_bytes;
	topts.debug = o.debug;
	topts.on_record = on_record;
	topts.ctx = &s;
	ret = cap_tracer_load(&tracer, &topts, err, sizeof(err));
	if (ret) {
		cli_error("%s", err);
		goto out;
	}
	/* recording starts once it is ready: none of its set-up is in the session */
	if (cap_spawn_ready(&sp, err, sizeof(err))) {
		cli_error("%s", err);
		status = 126;
		goto out;
	}
	ret = cap_tracer_attach(&tracer, err, sizeof(err));
	if (ret) {
		cli_error("%s", err);
		goto out;
	}
	/* the store's session starts here: just before the command (no event comes before) */
	if (open_store(&s, &o, id, cmd, &user, log_dir, abs_log))
		goto out;
	cap_registry_add(id, abs_log);

	command_string(cmdline, sizeof(cmdline), cmd);
	fprintf(stderr, "capsule: session %s: tracing `%s` as %s; log %s/\n", id, cmdline, user.name, log_dir);
	if (interactive)
		fprintf(stderr, "capsule: the agent has the terminal; watch the timeline from another terminal with:\n"
				"         sudo capsule watch %s\n", id);

	/* a reader of the live output that goes away (| head) must not kill the session */
	signal(SIGPIPE, SIG_IGN);
	/* signals arrive on a signalfd; the child undoes this mask before exec */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);
	sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

	t0 = now_s();
	child = cap_spawn_go(&sp, err, sizeof(err));
	if (child < 0) {
		cap_tracer_drain(&tracer);
		cli_error("%s", err);
		status = child == -ENOENT ? 127 : 126;
		goto out_summary;
	}
	/* the agent's fds are the ones of ours an exec keeps: its stdin/stdout/stderr, ... */
	if (!cap_fdt_add_proc(s.fdt, child))
		cap_fdseed_dir(s.fdt, child, "/proc/self/fd", "/proc/self/fdinfo", 1);

	double last_stats = now_s();
	for (;;) {
		cap_tracer_poll(&tracer, sfd, 10);
		emit_images(&s);
		flush_all(&s);

		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGCHLD)
				continue;
			/* a terminal's Ctrl-C already reached the agent (same process group);
			 * a signal sent to capsule itself is passed on */
			if (si.ssi_code != SI_KERNEL || si.ssi_signo == SIGTERM) {
				kill(child, si.ssi_signo);
				forwarded++;
			}
			if (forwarded >= 3) {
				fprintf(stderr, "capsule: stopping every traced process\n");
				cap_cgroup_kill(&cg);
			}
		}
		if (!child_done && waitpid(child, &wstatus, WNOHANG) == child) {
			child_done = true;
			status = exit_status_of(wstatus);
		}
		if (child_done && (!o.follow_all || !cap_cgroup_populated(&cg)))
			break;
		if (now_s() - last_stats > 0.25) {
			report_losses(&s, &tracer);
			last_stats = now_s();
		}
	}

	/* what is left when CMD exits runs untraced once we go: stop it, and record its end */
	if (cap_cgroup_populated(&cg)) {
		info.leftover_killed = cap_cgroup_count(&cg);
		cap_cgroup_kill(&cg);
		for (int i = 0; i < 200 && cap_cgroup_populated(&cg); i++)
			cap_tracer_poll(&tracer, -1, 10);
	}
	info.duration_s = now_s() - t0;
	/* every process of the session has exited, and a process's records are in the buffer
	 * before its exit completes (the programs run in its own context): drain without waiting */
	while (cap_tracer_drain(&tracer) > 0)
		;

out_summary:
	/* the hashes still being computed, then their events (a stuck file costs 5 s at most) */
	hash_stuck = s.exe.hashing && cap_exehash_wait(&s.exe.hash, 5000);
	if (hash_stuck)
		fprintf(stderr, "capsule: ⚠ some image hashes were not finished in time\n");
	emit_images(&s);
	report_losses(&s, &tracer);
	cap_dns_flush(s.dns, emit_dns, &s);
	{
		const struct cap_dns_stats *ds = cap_dns_stats(s.dns);
		s.sum.dns_queries = ds->queries;
		s.sum.dns_answers = ds->answers;
		s.sum.dns_malformed = ds->malformed;
		cap_summary_warn(&s.sum, "malformed DNS message", ds->malformed);
	}
	s.sum.lost = cap_tracer_stat(&tracer, CAP_STAT_LOST);
	s.sum.truncated = cap_tracer_stat(&tracer, CAP_STAT_TRUNCATED);
	flush_all(&s);
	{
		info.peak_rss_kb = peak_rss_kb();
		info.fdt = cap_fdt_stats(s.fdt);
		info.id = id;
		info.command = cmdline;
		info.user = user.name;
		info.log_dir = log_dir;
		info.exit_status = status;
		info.home = user.home;
		info.final_hash = cap_chain_final(&s.chain);
		info.chain_records = s.chain.count;
		cap_summary_print(stderr, &s.sum, &info, o.color && isatty(STDERR_FILENO));
		FILE *sj = open_log(s.log_dirfd, "summary.json");
		if (sj) {
			cap_summary_json(sj, &s.sum, &info);
			fclose(sj);
		}
		if (s.exe.hashing)
			cap_proctree_fill_hashes(&s.tree, &s.exe.hash);
		FILE *pj = open_log(s.log_dirfd, "processes.json");
		if (pj) {
			cap_proctree_json(pj, &s.tree);
			fclose(pj);
		}
		if (o.tree)
			cap_proctree_print(stderr, &s.tree, o.color && isatty(STDERR_FILENO));
		if (sign_key && cap_sign_write(s.log_dirfd, log_dir, sign_key, id, s.chain.count, cap_chain_final(&s.chain),
					       err, sizeof(err)))
			cli_error("%s", err);
	}
out:
	cap_spawn_abort(&sp); /* a child never let go (an error on the way) */
	cap_tracer_stop(&tracer);
	if (cg.dirfd >= 0 && cap_cgroup_remove(&cg))
		fprintf(stderr, "capsule: could not remove cgroup %s: %s\n", cg.path, strerror(errno));
	if (sfd >= 0)
		close(sfd);
	if (s.live && s.live != stderr && s.live != stdout)
		fclose(s.live);
	if (s.jsonl)
		fclose(s.jsonl);
	if (s.timeline)
		fclose(s.timeline);
	if (s.store)
		cap_store_set_final_hash(s.store, cap_chain_final(&s.chain));
	close_store(&s, status, s.sum.lost);
	cap_summary_free(&s.sum);
	if (!hash_stuck) /* a worker stuck in a read (a hung FUSE file) is left to exit() */
		cap_exe_free(&s.exe);
	cap_proctree_free(&s.tree);
	cap_chain_free(&s.chain);
	cap_sign_key_free(sign_key);
	cap_fdt_free(s.fdt);
	free(s.line);
	cap_dns_free(s.dns);
	free(s.tline);
	if (s.log_dirfd >= 0)
		close(s.log_dirfd);
	return status;
}
