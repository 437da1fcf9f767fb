/* capsule watch: follow a session's timeline from another terminal, or replay an ended one.
 * Reads timeline.log (the text lines) and events.jsonl (one object per line, same order) in
 * lockstep: the JSON gives the fields the filters need, the text is what is shown. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli/cli.h"
#include "format/escape.h"
#include "session/registry.h"

struct watch_opts {
	const char *kinds;  /* comma-separated */
	const char *areas;
	const char *comm;
	long pid;
	bool follow, color;
};

static const char usage[] =
	"Usage: capsule watch [OPTIONS] [SESSION]\n"
	"\n"
	"Follows the timeline of a session (default: the newest) until it ends; for a session\n"
	"that has ended, replays it. SESSION is an id (see /run/capsule/sessions) or a log folder.\n"
	"\n"
	"Options:\n"
	"  -k, --kind K[,K...]   only these event kinds (execve, openat, connect, exit, ...)\n"
	"  -a, --area A[,A...]   only these areas (proc net file cred mem ipc dev sys ns signal)\n"
	"  -p, --pid PID         only this process\n"
	"  -c, --comm NAME       only processes with this command name\n"
	"  -n, --no-follow       print what is there and stop\n"
	"      --no-color        no colour (also NO_COLOR=1)\n"
	"  -h, --help            this help\n"
	"\n"
	"Examples:\n"
	"  sudo capsule watch\n"
	"  sudo capsule watch --kind execve,connect\n"
	"  capsule watch ./capsule-logs/20261204-101500-4242 --area net --no-follow\n";

/* Reads one complete line (with '\n') into *buf; keeps partial lines for the next call. */
static int read_line(FILE *f, char **buf, size_t *cap, size_t *len)
{
	for (;;) {
		int c = getc(f);
		if (c == EOF) {
			clearerr(f);
			return 0;
		}
		if (*len + 2 > *cap) {
			size_t n = *cap ? *cap * 2 : 4096;
			char *p = realloc(*buf, n);
			if (!p)
				return -1;
			*buf = p;
			*cap = n;
		}
		(*buf)[(*len)++] = c;
		if (c == '\n') {
			(*buf)[*len] = 0;
			return 1;
		}
	}
}

/* The value of a top-level string or number key of one of our own JSON lines. Our writer puts
 * these keys before any string that came from the agent, and agent strings never hold a bare
 * quote, so the first match is the real one. */
static int json_get(const char *line, const char *key, char *out, size_t n)
{
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *p = strstr(line, pat);
	if (!p)
		return -1;
	p += strlen(pat);
	bool quoted = *p == '"';
	p += quoted;
	size_t i = 0;
	while (*p && i + 1 < n && (quoted ? *p != '"' : (*p != ',' && *p != '}'))) {
		if (quoted && *p == '\\' && p[1])
			out[i++] = *p++;
		out[i++] = *p++;
	}
	out[i] = 0;
	return 0;
}

static bool in_list(const char *list, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = list; p && *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && !strncmp(p, v, n))
			return true;
		p = e ? e + 1 : NULL;
	}
	return false;
}

static bool wanted(const struct watch_opts *o, const char *json)
{
	char v[256];
	if (o->kinds && (json_get(json, "kind", v, sizeof(v)) || !in_list(o->kinds, v)))
		return false;
	if (o->areas && (json_get(json, "area", v, sizeof(v)) || !in_list(o->areas, v)))
		return false;
	if (o->pid && (json_get(json, "pid", v, sizeof(v)) || atol(v) != o->pid))
		return false;
	if (o->comm && (json_get(json, "comm", v, sizeof(v)) || strcmp(v, o->comm)))
		return false;
	return true;
}

/* Colours a timeline line the way capsule run does on a terminal. */
static void print_colored(const char *line, const char *json)
{
	char kind[64] = "", area[16] = "";
	json_get(json, "kind", kind, sizeof(kind));
	json_get(json, "area", area, sizeof(area));
	static const char *const areas[] = { "proc", "net", "file", "cred", "mem", "ipc", "dev", "sys", "ns", "signal" };
	static const char *const colors[] = { "\033[1;32m", "\033[1;34m", "\033[1;37m", "\033[1;35m", "\033[1;31m",
					      "\033[1;36m", "\033[1;33m", "\033[1;31m", "\033[1;35m", "\033[1;33m" };
	const char *kc = "\033[1m";
	for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
		if (!strcmp(area, areas[i]))
			kc = colors[i];

	const char *t_end = strchr(line, ']');
	const char *k = NULL, *warn = strstr(line, "  ⚠ ");
	char pat[80];
	snprintf(pat, sizeof(pat), ") %s", kind);
	k = kind[0] ? strstr(line, pat) : NULL;
	if (!t_end || !k) {
		fputs(line, stdout);
		return;
	}
	k += 2;
	printf("\033[2m%.*s\033[0m", (int)(t_end + 1 - line), line);
	printf("%.*s", (int)(k - t_end - 1), t_end + 1);
	printf("%s%s\033[0m", kc, kind);
	const char *rest = k + strlen(kind);
	const char *end = warn ? warn : rest + strlen(rest);
	const char *err = strstr(rest, " -> E");
	if (err && err < end) {
		printf("%.*s -> \033[31m", (int)(err - rest), rest);
		const char *e = err + 4;
		while (*e >= 'A' && *e <= 'Z')
			e++;
		printf("%.*s\033[0m%.*s", (int)(e - err - 4), err + 4, (int)(end - e), e);
	} else {
		printf("%.*s", (int)(end - rest), rest);
	}
	if (warn)
		printf("  \033[1;33m%.*s\033[0m\n", (int)strcspn(warn + 2, "\n"), warn + 2);
}

int cmd_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kind", required_argument, NULL, 'k' }, { "area", required_argument, NULL, 'a' },
		{ "pid", required_argument, NULL, 'p' },  { "comm", required_argument, NULL, 'c' },
		{ "no-follow", no_argument, NULL, 'n' },  { "no-color", no_argument, NULL, 256 },
		{ "help", no_argument, NULL, 'h' },       { 0 },
	};
	struct watch_opts o = { .follow = true, .color = !getenv("NO_COLOR") && isatty(STDOUT_FILENO) };
	char dir[PATH_MAX], id[256], path[PATH_MAX + 32];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:a:p:c:nh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o.kinds = optarg; break;
		case 'a': o.areas = optarg; break;
		case 'p':
			if (cli_parse_long(optarg, 1, 1 << 22, &o.pid))
				return cli_error("--pid takes a process id, not '%s'", optarg), 2;
			break;
		case 'c': o.comm = optarg; break;
		case 'n': o.follow = false; break;
		case 256: o.color = false; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (cap_registry_find(optind < argc ? argv[optind] : NULL, dir, sizeof(dir), id, sizeof(id)))
		return cli_error(optind < argc ? "no session '%s' (ids are listed in " CAP_REGISTRY_DIR ")"
					       : "no session to watch yet%s: start one with sudo capsule run",
				 optind < argc ? argv[optind] : ""), 1;

	snprintf(path, sizeof(path), "%s/timeline.log", dir);
	FILE *tf = fopen(path, "re");
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	FILE *jf = fopen(path, "re");
	if (!tf || !jf)
		return cli_error("cannot read the session in %s: %s", dir, strerror(errno)), 1;
	fprintf(stderr, "capsule: %s session %s (%s)\n", cap_registry_live(id) ? "following" : "replaying", id, dir);

	char *tl = NULL, *jl = NULL;
	size_t tcap = 0, jcap = 0, tlen = 0, jlen = 0;
	int have_t = 0, have_j = 0;
	for (;;) {
		if (!have_t)
			have_t = read_line(tf, &tl, &tcap, &tlen);
		if (!have_j)
			have_j = read_line(jf, &jl, &jcap, &jlen);
		if (have_t < 0 || have_j < 0)
			break;
		if (have_t && have_j) {
			/* a log folder can come from anywhere: nothing in it may drive the terminal */
			size_t n = cap_terminal_sanitize(tl, tlen - 1);
			tl[n] = '\n';
			tl[n + 1] = 0;
			cap_terminal_sanitize(jl, jlen - 1);
			if (wanted(&o, jl)) {
				if (o.color)
					print_colored(tl, jl);
				else
					fputs(tl, stdout);
			}
			have_t = have_j = 0;
			tlen = jlen = 0;
			continue;
		}
		fflush(stdout);
		snprintf(path, sizeof(path), "%s/summary.json", dir);
		if (!o.follow || access(path, F_OK) == 0 || !cap_registry_live(id)) {
			/* one more pass: the last lines may have landed with the summary */
			if (!have_t && !(have_t = read_line(tf, &tl, &tcap, &tlen)))
				break;
			continue;
		}
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	free(tl);
	free(jl);
	fclose(tf);
	fclose(jf);
	return 0;
}
