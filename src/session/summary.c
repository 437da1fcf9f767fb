#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "session/summary.h"
#include "format/describe.h"
#include "format/sbuf.h"

#define SET_MAX 100000 /* distinct files or hosts remembered; more are counted as overflow */

void cap_summary_init(struct cap_summary *s)
{
	memset(s, 0, sizeof(*s));
	strset_init(&s->files_read, SET_MAX);
	strset_init(&s->files_written, SET_MAX);
	strset_init(&s->files_deleted, SET_MAX);
	strset_init(&s->hosts, SET_MAX);
	s->processes = 1; /* the agent itself */
}

void cap_summary_free(struct cap_summary *s)
{
	strset_free(&s->files_read);
	strset_free(&s->files_written);
	strset_free(&s->files_deleted);
	strset_free(&s->hosts);
}

static void add_warnings(struct cap_summary *s, const char *reason, uint64_t n)
{
	s->warnings += n;
	for (int i = 0; i < CAP_SUMMARY_WARN_KINDS; i++) {
		if (!s->warn[i].reason)
			s->warn[i].reason = reason;
		if (s->warn[i].reason == reason) {
			s->warn[i].n += n;
			return;
		}
	}
}

void cap_summary_warn(struct cap_summary *s, const char *reason, uint64_t n)
{
	if (n)
		add_warnings(s, reason, n);
}

static void add_host(struct cap_summary *s, const struct cap_event *ev, const char *proto)
{
	const struct cap_fieldref *f = cap_event_field(ev, CAP_F_SOCKADDR, -1);
	char addr[600], entry[700];
	int fam = 0;
	if (!f)
		return;
	cap_describe_sockaddr(addr, sizeof(addr), f->data, f->len, &fam);
	if (fam != AF_INET && fam != AF_INET6)
		return;
	int n = snprintf(entry, sizeof(entry), "%s %s", proto, addr);
	strset_add(&s->hosts, entry, n);
}

static void syscall_summary(struct cap_summary *s, const struct cap_event *ev, const struct cap_view *v)
{
	const char *n = ev->sc->name;
	long ret = ev->hdr.ret;

	if (ev->sc->rett == CAP_R_FD_FILE && ret >= 0 && v->npaths) {
		if (v->writes && v->has_file && S_ISREG(v->file.mode))
			strset_add(&s->files_written, v->path[0], v->path_len[0]);
		else if (v->has_file && S_ISREG(v->file.mode))
			strset_add(&s->files_read, v->path[0], v->path_len[0]);
		return;
	}
	if (ret < 0 && ret != -115 /* EINPROGRESS: a non-blocking connect under way */)
		return;
	if (!strcmp(n, "connect")) {
		struct cap_sockinfo si;
		const char *proto = "ip";
		if (cap_event_struct(ev, CAP_F_SOCK, 0, &si, sizeof(si)))
			proto = cap_sock_proto_name(&si);
		add_host(s, ev, proto);
	} else if (!strncmp(n, "send", 4)) {
		add_host(s, ev, "udp");
	} else if ((!strncmp(n, "unlink", 6) || !strcmp(n, "rmdir")) && v->npaths) {
		strset_add(&s->files_deleted, v->path[0], v->path_len[0]);
	} else if ((!strncmp(n, "rename", 6) || !strncmp(n, "link", 4)) && v->npaths == 2) {
		strset_add(&s->files_written, v->path[1], v->path_len[1]);
	} else if ((!strcmp(n, "truncate")) && v->npaths) {
		strset_add(&s->files_written, v->path[0], v->path_len[0]);
	}
}

void cap_summary_add(struct cap_summary *s, const struct cap_event *ev, const struct cap_view *v)
{
	s->events++;
	s->by_area[v->area % AREA__COUNT]++;
	switch (ev->hdr.type) {
	case CAP_REC_SYSCALL:
		syscall_summary(s, ev, v);
		break;
	case CAP_REC_EXEC:
		s->execs++;
		break;
	case CAP_REC_FORK:
		if (ev->hdr.args[0] == ev->hdr.args[1])
			s->processes++;
		else
			s->threads++;
		break;
	}
	if (v->warning)
		add_warnings(s, v->warning, 1);
}

/* The length of the home prefix of path ("/home/u" of "/home/u/.bashrc"), or 0. */
size_t cap_home_prefix(const char *path, const char *home)
{
	size_t n = home ? strlen(home) : 0;
	while (n > 1 && home[n - 1] == '/')
		n--;
	if (n < 2 || home[0] != '/' || strncmp(path, home, n) || (path[n] != '/' && path[n] != 0))
		return 0;
	return n;
}

/* Up to max entries of a set, comma-separated, escaped; paths in home as ~/... */
static void print_some(FILE *f, const struct strset *set, int max, const char *home)
{
	int shown = 0;
	char esc[1024];
	strset_foreach(set, i, str) {
		if (shown == max) {
			fprintf(f, ", …");
			break;
		}
		struct sbuf b;
		sb_init(&b, esc, sizeof(esc));
		size_t h = cap_home_prefix(str, home);
		if (h)
			sb_putc(&b, '~');
		sb_escaped(&b, str + h, strlen(str + h), 120);
		fprintf(f, "%s%s", shown++ ? ", " : "", esc);
	}
}

void cap_summary_print(FILE *f, const struct cap_summary *s, const struct cap_session_info *si, int color)
{
	const char *b = color ? "\033[1m" : "", *r = color ? "\033[0m" : "";
	const char *warnc = color && s->warnings ? "\033[1;33m" : "", *lostc = color && s->lost ? "\033[1;31m" : "";

	fprintf(f, "\n%s── capsule summary ── session %s%s\n", b, si->id, r);
	fprintf(f, "  command    %s  (as %s, exit status %d)\n", si->command, si->user, si->exit_status);
	fprintf(f, "  duration   %.2f s\n", si->duration_s);
	fprintf(f, "  processes  %llu (%llu execs, %llu threads)\n", (unsigned long long)s->processes,
		(unsigned long long)s->execs, (unsigned long long)s->threads);
	if (si->leftover_killed)
		fprintf(f, "             %llu left running when the command exited were stopped (--follow-all waits for them)\n",
			(unsigned long long)si->leftover_killed);
	fprintf(f, "  files      %zu read, %zu written, %zu deleted\n", s->files_read.count,
		s->files_written.count, s->files_deleted.count);
	if (s->files_written.count) {
		fprintf(f, "             written: ");
		print_some(f, &s->files_written, 5, si->home);
		fprintf(f, "\n");
	}
	if (s->files_deleted.count) {
		fprintf(f, "             deleted: ");
		print_some(f, &s->files_deleted, 5, si->home);
		fprintf(f, "\n");
	}
	fprintf(f, "  hosts      %zu contacted", s->hosts.count);
	if (s->hosts.count) {
		fprintf(f, ": ");
		print_some(f, &s->hosts, 6, NULL);
	}
	fprintf(f, "\n");
	if (s->dns_queries || s->dns_answers || s->dns_malformed)
		fprintf(f, "  dns        %llu queries, %llu answers, %llu malformed\n",
			(unsigned long long)s->dns_queries, (unsigned long long)s->dns_answers,
			(unsigned long long)s->dns_malformed);
	fprintf(f, "  warnings   %s%llu%s", warnc, (unsigned long long)s->warnings, r);
	for (int i = 0, n = 0; i < CAP_SUMMARY_WARN_KINDS && s->warn[i].reason; i++)
		fprintf(f, "%s%s ×%llu", n++ ? ", " : " (", s->warn[i].reason, (unsigned long long)s->warn[i].n);
	fprintf(f, "%s\n", s->warnings ? ")" : "");
	fprintf(f, "  events     %llu recorded, %s%llu lost%s", (unsigned long long)s->events, lostc,
		(unsigned long long)s->lost, r);
	if (s->truncated)
		fprintf(f, ", %llu with a field cut short", (unsigned long long)s->truncated);
	if (s->malformed)
		fprintf(f, ", %llu malformed", (unsigned long long)s->malformed);
	fprintf(f, "\n  log        %s/events.jsonl\n", si->log_dir);
	fprintf(f, "  capsule    peak memory %.1f MiB\n", si->peak_rss_kb / 1024.0);
}

static void json_set(FILE *f, const char *name, const struct strset *set)
{
	char buf[8192];
	struct sbuf b;
	int n = 0;
	fprintf(f, ",\"%s\":[", name);
	strset_foreach(set, i, str) {
		sb_init(&b, buf, sizeof(buf));
		sb_json_str(&b, str, strlen(str));
		fprintf(f, "%s%s", n++ ? "," : "", buf);
	}
	fprintf(f, "]");
}

void cap_summary_json(FILE *f, const struct cap_summary *s, const struct cap_session_info *si)
{
	char buf[8192];
	struct sbuf b;
	sb_init(&b, buf, sizeof(buf));
	sb_json_cstr(&b, si->command);
	fprintf(f, "{\"session\":\"%s\",\"command\":%s", si->id, buf);
	sb_init(&b, buf, sizeof(buf));
	sb_json_cstr(&b, si->user);
	fprintf(f, ",\"user\":%s,\"exit_status\":%d,\"duration_s\":%.6f", buf, si->exit_status, si->duration_s);
	fprintf(f, ",\"processes\":%llu,\"threads\":%llu,\"execs\":%llu,\"leftover_killed\":%llu",
		(unsigned long long)s->processes, (unsigned long long)s->threads,
		(unsigned long long)s->execs, (unsigned long long)si->leftover_killed);
	fprintf(f, ",\"events_recorded\":%llu,\"events_lost\":%llu,\"events_truncated\":%llu,\"events_malformed\":%llu",
		(unsigned long long)s->events, (unsigned long long)s->lost,
		(unsigned long long)s->truncated, (unsigned long long)s->malformed);
	fprintf(f, ",\"dns_queries\":%llu,\"dns_answers\":%llu,\"dns_malformed\":%llu",
		(unsigned long long)s->dns_queries, (unsigned long long)s->dns_answers,
		(unsigned long long)s->dns_malformed);
	fprintf(f, ",\"warnings\":%llu,\"warning_kinds\":{", (unsigned long long)s->warnings);
	for (int i = 0; i < CAP_SUMMARY_WARN_KINDS && s->warn[i].reason; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", s->warn[i].reason, (unsigned long long)s->warn[i].n);
	fprintf(f, "},\"by_area\":{");
	for (int i = 0; i < AREA__COUNT; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", cap_area_name(i), (unsigned long long)s->by_area[i]);
	fprintf(f, "}");
	json_set(f, "files_read", &s->files_read);
	json_set(f, "files_written", &s->files_written);
	json_set(f, "files_deleted", &s->files_deleted);
	json_set(f, "hosts", &s->hosts);
	if (si->final_hash)
		fprintf(f, ",\"final_hash\":\"%s\",\"chain\":{\"algorithm\":\"sha256\",\"records\":%llu}",
			si->final_hash, (unsigned long long)si->chain_records);
	if (si->fdt)
		fprintf(f, ",\"fd_table\":{\"procs_peak\":%llu,\"fds_peak\":%llu,\"fd_evictions\":%llu,"
			   "\"proc_evictions\":%llu,\"seeded\":%llu}",
			(unsigned long long)si->fdt->procs_peak, (unsigned long long)si->fdt->fds_peak,
			(unsigned long long)si->fdt->fd_evictions, (unsigned long long)si->fdt->proc_evictions,
			(unsigned long long)si->fdt->seeded);
	fprintf(f, ",\"peak_rss_kb\":%ld}\n", si->peak_rss_kb);
}
