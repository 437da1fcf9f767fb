/* capsule report, plain text: one section per question a reader has (what ran, what it
 * touched, whom it talked to, what it changed, what looked risky, what it cost). Strings in
 * the model are safe already (no control bytes), so they are printed as they are. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/report.h"
#include "report/template.h"

#define FILES_PER_DIR 12 /* a folder with more shows the first ones and a count */

static void heading(FILE *f, const char *title, size_t n, bool show_n)
{
	if (show_n)
		fprintf(f, "\n== %s (%zu) ==\n", title, n);
	else
		fprintf(f, "\n== %s ==\n", title);
}

static void header(FILE *f, const struct rep_session *s)
{
	char dur[32];
	fprintf(f, "Capsule report: session %s\n", s->id[0] ? s->id : "(unknown)");
	if (s->command[0])
		fprintf(f, "  command   %s\n", s->command);
	if (s->user[0])
		fprintf(f, "  user      %s\n", s->user);
	if (s->have_summary)
		fprintf(f, "  exit      %ld\n", s->exit_status);
	rep_fmt_duration(dur, sizeof(dur), s->duration_s);
	fprintf(f, "  started   %s\n  duration  %s\n", s->start_time[0] ? s->start_time : "?", dur);
	fprintf(f, "  events    %" PRIu64 " read", s->events);
	if (s->have_summary)
		fprintf(f, " (%" PRIu64 " recorded, %" PRIu64 " lost by the kernel buffer)", s->summary_recorded, s->summary_lost);
	fputc('\n', f);
	if (s->final_hash[0])
		fprintf(f, "  final hash %s\n", s->final_hash);
	fprintf(f, "  source    %s\n", s->source);
	if (s->truncated)
		fprintf(f, "  ! the log is cut short: its last line is incomplete; this report covers the %" PRIu64 " events before it\n", s->events);
	if (s->malformed)
		fprintf(f, "  ! %" PRIu64 " lines of the log are not valid events and were skipped\n", s->malformed);
	if (s->damage[0])
		fprintf(f, "  ! %s\n", s->damage);
	if (!s->have_summary)
		fprintf(f, "  ! no end-of-session summary: the session did not end normally (or its summary is damaged)\n");
}

static void proc_line(FILE *f, const struct rep_session *s, size_t i, int depth)
{
	const struct rep_proc *p = &s->procs[i];
	char cpu[32], rss[32];
	for (int d = 0; d <= depth; d++)
		fputs("  ", f);
	fprintf(f, "%sP%d %s", depth ? "└ " : "", p->pid, p->cmdline && p->cmdline[0] ? p->cmdline : p->comm);
	if (p->exe && p->cmdline && !strstr(p->cmdline, p->exe))
		fprintf(f, "  [%s]", p->exe);
	if (p->has_exit) {
		snprintf(cpu, sizeof(cpu), "%.1f ms", p->cpu_ns / 1e6);
		rep_fmt_bytes(rss, sizeof(rss), p->maxrss_kb * 1024);
		fprintf(f, "  (%s, cpu %s, peak rss %s)", p->exit, cpu, rss);
	} else {
		fputs("  (no exit recorded)", f);
	}
	fputc('\n', f);
}

static void proc_tree(FILE *f, const struct rep_session *s, size_t i, int depth, size_t *budget)
{
	if (!*budget)
		return;
	(*budget)--;
	proc_line(f, s, i, depth < 24 ? depth : 24);
	for (size_t j = i + 1; j < s->nprocs; j++) /* children are always recorded after their parent */
		if (s->procs[j].parent == (int)i)
			proc_tree(f, s, j, depth + 1, budget);
}

static void processes(FILE *f, const struct rep_session *s)
{
	size_t budget = s->nprocs;
	heading(f, "Processes", s->nprocs, true);
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].parent < 0)
			proc_tree(f, s, i, 0, &budget);
	if (s->procs_dropped)
		fprintf(f, "  … %zu more processes not tracked (cap %d)\n", s->procs_dropped, REP_MAX_PROCS);
}

static void file_detail(FILE *f, const struct rep_file *fi, const char *name)
{
	char acc[64], rb[32], wb[32];
	rep_access_words(acc, sizeof(acc), fi->access);
	fprintf(f, "    %-40s %s", name, acc);
	rep_fmt_bytes(rb, sizeof(rb), fi->read_bytes);
	rep_fmt_bytes(wb, sizeof(wb), fi->write_bytes);
	if (fi->read_bytes && fi->write_bytes)
		fprintf(f, "  (%s read, %s written)", rb, wb);
	else if (fi->read_bytes)
		fprintf(f, "  (%s read)", rb);
	else if (fi->write_bytes)
		fprintf(f, "  (%s written)", wb);
	fputc('\n', f);
}

static void files(FILE *f, const struct rep_session *s)
{
	size_t counts[5] = { 0 };
	for (size_t i = 0; i < s->nfiles; i++)
		for (int b = 0; b < 5; b++)
			if (s->files[i].access & (1u << b))
				counts[b]++;
	heading(f, "Files", s->nfiles, true);
	fprintf(f, "  %zu read, %zu written, %zu deleted, %zu executed, %zu changed (mode, owner, size)\n",
		counts[0], counts[1], counts[2], counts[3], counts[4]);
	size_t i = 0;
	if (s->nfiles && s->files[0].sensitive) {
		fprintf(f, "  sensitive paths:\n");
		for (; i < s->nfiles && s->files[i].sensitive; i++) {
			char acc[64];
			rep_access_words(acc, sizeof(acc), s->files[i].access);
			fprintf(f, "    ! %-11s %s  %s\n", s->files[i].sensitive == 2 ? "secret" : "persistence", s->files[i].path, acc);
		}
	}
	while (i < s->nfiles) {
		const char *p = s->files[i].path, *slash = strrchr(p, '/');
		size_t dl = slash ? (size_t)(slash - p) : 0;
		fprintf(f, "  %.*s/\n", (int)dl, p);
		size_t shown = 0, j = i;
		for (; j < s->nfiles && s->files[j].sensitive == 0; j++) {
			const char *q = s->files[j].path, *qs = strrchr(q, '/');
			if ((size_t)(qs ? qs - q : 0) != dl || memcmp(p, q, dl))
				break;
			if (shown++ < FILES_PER_DIR)
				file_detail(f, &s->files[j], qs ? qs + 1 : q);
		}
		if (shown > FILES_PER_DIR)
			fprintf(f, "    … %zu more in this folder\n", shown - FILES_PER_DIR);
		i = j;
	}
	if (s->files_dropped)
		fprintf(f, "  … %zu more paths not tracked (cap %d)\n", s->files_dropped, REP_MAX_FILES);
}

static void hosts(FILE *f, const struct rep_session *s)
{
	char sb[32], rb[32];
	heading(f, "Hosts contacted", s->nhosts, true);
	if (!s->nhosts)
		fprintf(f, "  none\n");
	for (size_t i = 0; i < s->nhosts; i++) {
		const struct rep_host *h = &s->hosts[i];
		rep_fmt_bytes(sb, sizeof(sb), h->sent_bytes);
		rep_fmt_bytes(rb, sizeof(rb), h->recv_bytes);
		fprintf(f, "  %-5s %s", h->proto, h->addr);
		if (h->dns)
			fprintf(f, " (%s)", h->dns);
		fprintf(f, "  %" PRIu64 " connects, %" PRIu64 " accepts, %" PRIu64 " datagrams out, %" PRIu64 " in; %s sent, %s received",
			h->connects, h->accepts, h->sends, h->recvs, sb, rb);
		if (h->failed)
			fprintf(f, "; %" PRIu64 " failed", h->failed);
		fputc('\n', f);
	}
	if (s->hosts_dropped)
		fprintf(f, "  … %zu more peers not tracked (cap %d)\n", s->hosts_dropped, REP_MAX_HOSTS);
}

static void dns(FILE *f, const struct rep_session *s)
{
	heading(f, "DNS lookups", s->ndns, true);
	if (!s->ndns)
		fprintf(f, "  none seen\n");
	for (size_t i = 0; i < s->ndns; i++) {
		const struct rep_dns *d = &s->dns[i];
		fprintf(f, "  %-40s %-5s %s", d->name, d->type, d->rcode[0] ? d->rcode : "-");
		if (d->addresses && d->addresses[0])
			fprintf(f, "  %s", d->addresses);
		fprintf(f, "  (%" PRIu64 "×", d->n);
		if (d->unanswered)
			fprintf(f, ", %" PRIu64 " unanswered", d->unanswered);
		fputs(")\n", f);
	}
	if (s->dns_dropped)
		fprintf(f, "  … %zu more lookups not tracked (cap %d)\n", s->dns_dropped, REP_MAX_DNS);
}

static void lines(FILE *f, const char *title, const struct rep_lines *l)
{
	heading(f, title, l->total, true);
	if (!l->total)
		fprintf(f, "  none\n");
	for (size_t i = 0; i < l->n; i++)
		fprintf(f, "  %s\n", l->line[i]);
	if (l->total > l->n)
		fprintf(f, "  … %zu more\n", l->total - l->n);
}

static void devices(FILE *f, const struct rep_session *s)
{
	heading(f, "Devices", s->ndevs, true);
	if (!s->ndevs)
		fprintf(f, "  none\n");
	for (size_t i = 0; i < s->ndevs; i++) {
		const struct rep_device *d = &s->devs[i];
		fprintf(f, "  %-8s %s  %" PRIu64 " opens, %" PRIu64 " ioctls", d->cls, d->path ? d->path : "-", d->opens, d->ioctls);
		if (d->failed)
			fprintf(f, ", %" PRIu64 " failed", d->failed);
		fputc('\n', f);
	}
}

static void warnings(FILE *f, const struct rep_session *s)
{
	heading(f, "Warnings", s->warnings_total, true);
	if (!s->warnings_total) {
		fprintf(f, "  none\n");
		return;
	}
	for (size_t i = 0; i < s->nwarn_kinds; i++)
		fprintf(f, "  %6" PRIu64 " × %s\n", s->warn_kinds[i].n, s->warn_kinds[i].name);
	if (s->warn_kinds_dropped)
		fprintf(f, "  … %zu more warnings of other reasons (cap %d reasons)\n", s->warn_kinds_dropped,
			REP_MAX_WARN_KINDS);
	fprintf(f, "  the events:\n");
	for (size_t i = 0; i < s->warnings.n; i++)
		fprintf(f, "  %s\n", s->warnings.line[i]);
	if (s->warnings.total > s->warnings.n)
		fprintf(f, "  … %zu more\n", s->warnings.total - s->warnings.n);
}

static void resources(FILE *f, const struct rep_session *s)
{
	char a[32], b[32], c[32];
	heading(f, "Resource use", 0, false);
	fprintf(f, "  CPU time      %.3f s (user + system, all processes, from their exits)\n", s->cpu_ns / 1e9);
	rep_fmt_bytes(a, sizeof(a), s->maxrss_kb * 1024);
	fprintf(f, "  peak memory   %s (largest resident set of one process)\n", a);
	rep_fmt_bytes(b, sizeof(b), s->io_read);
	rep_fmt_bytes(c, sizeof(c), s->io_written);
	fprintf(f, "  I/O           %s read, %s written (through file descriptors, counted at close)\n", b, c);
	fprintf(f, "  activity     ");
	for (int i = 0; i < REP_AREAS; i++)
		if (s->by_area[i])
			fprintf(f, " %s %" PRIu64, rep_area_names[i], s->by_area[i]);
	fputc('\n', f);
	if (s->peak_rss_kb) {
		rep_fmt_bytes(a, sizeof(a), s->peak_rss_kb * 1024);
		fprintf(f, "  capsule       peak memory %s\n", a);
	}
}

void rep_write_text(FILE *f, const struct rep_session *s)
{
	header(f, s);
	processes(f, s);
	files(f, s);
	hosts(f, s);
	dns(f, s);
	lines(f, "Credentials and privileges", &s->creds);
	lines(f, "Namespaces", &s->namespaces);
	lines(f, "System configuration", &s->system);
	devices(f, s);
	lines(f, "Signals", &s->signals);
	lines(f, "Denied (EPERM, EACCES)", &s->denied);
	warnings(f, s);
	resources(f, s);
}

void rep_write_template(FILE *f, const struct rep_session *s)
{
	const struct rep_template *t = s->tpl;
	size_t found = 0;
	for (size_t i = 0; i < t->ncrit; i++)
		found += s->evidence[i].lines.total > 0;
	fprintf(f, "%s: session %s\n", t->title ? t->title : t->name, s->id[0] ? s->id : "(unknown)");
	if (s->command[0])
		fprintf(f, "  command   %s\n", s->command);
	fprintf(f, "  template  %s\n  events    %" PRIu64 " read from %s\n", t->file, s->events, s->source);
	if (s->truncated)
		fprintf(f, "  ! the log is cut short: this covers the %" PRIu64 " events before its incomplete last line\n", s->events);
	if (s->damage[0])
		fprintf(f, "  ! %s\n", s->damage);
	fprintf(f, "  criteria  %zu, %zu with evidence, %zu with no activity\n", t->ncrit, found, t->ncrit - found);
	for (size_t i = 0; i < t->ncrit; i++) {
		const struct tpl_criterion *c = &t->crit[i];
		const struct rep_lines *l = &s->evidence[i].lines;
		fprintf(f, "\n%s  %s\n", c->id, c->title ? c->title : "");
		if (c->description) {
			fputs("  ", f);
			for (const char *p = c->description; *p; p++) /* template text is trusted, but keep it one paragraph */
				fputc(*p == '\n' ? ' ' : (unsigned char)*p < 0x20 ? '?' : *p, f);
			fputc('\n', f);
		}
		if (l->total)
			fprintf(f, "  status: evidence found (%zu events)\n", l->total);
		else
			fprintf(f, "  status: no activity\n");
		for (size_t j = 0; j < l->n; j++)
			fprintf(f, "    %s\n", l->line[j]);
		if (l->total > l->n)
			fprintf(f, "    … %zu more\n", l->total - l->n);
	}
}
