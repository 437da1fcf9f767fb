/* capsule report: a finished session as readable text, one self-contained HTML page, or a
 * rollup to a framework's criteria (SOC 2, ISO 27001, or a template of your own). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cli/cli.h"
#include "report/report.h"
#include "report/template.h"
#include "session/registry.h"

static const char usage[] =
	"Usage: capsule report [OPTIONS] SESSION\n"
	"\n"
	"Sums up a recorded session: what ran (process tree), files read, written and deleted\n"
	"(sensitive paths first), hosts contacted, credential and namespace changes, devices,\n"
	"warnings with the events behind them, resource use and duration.\n"
	"SESSION is a session id (see /run/capsule/sessions or ./capsule-logs), a session folder,\n"
	"an events.jsonl file, or a session.db database.\n"
	"\n"
	"Options:\n"
	"      --html             one self-contained HTML page (timeline, charts, process tree)\n"
	"  -t, --template T       rollup to a framework: a name (soc2, iso27001) from the\n"
	"                         templates folder, or a YAML file (docs/templates.md)\n"
	"      --db FILE          read the session from this database\n"
	"  -s, --session ID       the session to read from --db (default: the newest)\n"
	"  -h, --help             this help\n"
	"\n"
	"Examples:\n"
	"  capsule report 20261204-203047-2007\n"
	"  capsule report --html capsule-logs/20261204-203047-2007 > report.html\n"
	"  capsule report --template soc2 capsule-logs/20261204-203047-2007\n"
	"  capsule report --db sessions.db --session 20261204-203047-2007 --template my-controls.yml\n";

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

/* Finds and reads the session named on the command line. */
static int load(struct rep_session *s, const char *what, const char *db, const char *id, char *err, size_t errn)
{
	struct stat st;
	char dir[PATH_MAX], rid[256];

	if (db)
		return rep_load_db(s, db, id ? id : what, err, errn);
	if (!what) {
		snprintf(err, errn, "which session? (capsule report SESSION; --help)");
		return -EINVAL;
	}
	if (stat(what, &st) == 0 && S_ISREG(st.st_mode)) {
		if (has_suffix(what, ".jsonl")) {
			/* the summary.json beside it, when there is one */
			snprintf(dir, sizeof(dir), "%s", what);
			char *slash = strrchr(dir, '/');
			snprintf(slash ? slash + 1 : dir, sizeof(dir) - (slash ? (size_t)(slash + 1 - dir) : 0), "summary.json");
			rep_load_summary(s, dir);
			return rep_load_jsonl(s, what, err, errn);
		}
		return rep_load_db(s, what, id, err, errn);
	}
	if (stat(what, &st) == 0 && S_ISDIR(st.st_mode))
		return rep_load_dir(s, what, err, errn);
	if (!strchr(what, '/')) {
		if (cap_registry_find(what, dir, sizeof(dir), rid, sizeof(rid)) == 0)
			return rep_load_dir(s, dir, err, errn);
		snprintf(dir, sizeof(dir), "capsule-logs/%s", what);
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			return rep_load_dir(s, dir, err, errn);
	}
	snprintf(err, errn, "no session '%s' (not a folder, log file, database, or known session id)", what);
	return -ENOENT;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "html", no_argument, NULL, 'H' },
		{ "template", required_argument, NULL, 't' },
		{ "db", required_argument, NULL, 'D' },
		{ "session", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *tpl_name = NULL, *db = NULL, *id = NULL;
	bool html = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+t:s:h", opts, NULL)) != -1) {
		switch (c) {
		case 'H': html = true; break;
		case 't': tpl_name = optarg; break;
		case 'D': db = optarg; break;
		case 's': id = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + 1 < argc) {
		cli_error("one session at a time (got '%s' and '%s')", argv[optind], argv[optind + 1]);
		return 2;
	}
	const char *what = optind < argc ? argv[optind] : NULL;
	if (!what && !db) {
		fputs(usage, stderr);
		return 2;
	}

	char err[4096] = "";
	struct rep_template *tpl = NULL;
	if (tpl_name && tpl_load(tpl_name, argv[0], &tpl, err, sizeof(err))) {
		fprintf(stderr, "capsule: %s\n", err);
		return 2;
	}
	struct rep_session s;
	if (rep_session_init(&s, tpl)) {
		tpl_free(tpl);
		cli_error("out of memory");
		return 1;
	}
	int r = load(&s, what, db, id, err, sizeof(err));
	if (r) {
		cli_error("%s", err[0] ? err : strerror(-r));
		rep_session_free(&s);
		tpl_free(tpl);
		return 1;
	}
	rep_finish(&s);
	if (s.truncated)
		cli_error("%s: the log is cut short (its last line is incomplete); reporting the %llu events before it",
			  s.source, (unsigned long long)s.events);
	if (s.damage[0])
		cli_error("%s: %s", s.source, s.damage);
	if (s.malformed)
		cli_error("%s: %llu lines are not valid events and were skipped", s.source, (unsigned long long)s.malformed);
	if (html)
		rep_write_html(stdout, &s);
	else if (tpl)
		rep_write_template(stdout, &s);
	else
		rep_write_text(stdout, &s);
	int werr = fflush(stdout) || ferror(stdout);
	rep_session_free(&s);
	tpl_free(tpl);
	if (werr) {
		cli_error("writing the report: %s", strerror(errno));
		return 1;
	}
	return 0;
}
