/* Reads a session folder: summary.json (optional: a session cut short has none) and
 * events.jsonl, one JSON object per line. A line that is not JSON is counted and skipped; a
 * last line without its newline means the log was cut (a crash, a full disk): the report
 * says so and shows everything before it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include "report/report.h"

#define LINE_CAP (1 << 20) /* a longer line is not one Capsule wrote (records are <= 16 KiB) */
#define SUMMARY_CAP (16 << 20)

static int read_small_file(const char *path, char **out, size_t cap)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char *buf = malloc(cap + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	buf[n] = 0;
	*out = buf;
	return 0;
}

int rep_load_summary(struct rep_session *s, const char *path)
{
	char *text = NULL;
	int r = read_small_file(path, &text, SUMMARY_CAP);
	if (r)
		return r;
	struct json_object *o = json_tokener_parse(text);
	free(text);
	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EINVAL;
	}
	rep_set_summary(s, o);
	json_object_put(o);
	return 0;
}

int rep_load_jsonl(struct rep_session *s, const char *file, char *err, size_t errn)
{
	FILE *f = fopen(file, "re");
	if (!f) {
		int e = errno;
		snprintf(err, errn, "%s: %s", file, strerror(e));
		return -e;
	}
	char *line = NULL;
	size_t cap = 0;
	struct json_tokener *tok = json_tokener_new();
	if (!tok) {
		fclose(f);
		return -ENOMEM;
	}
	snprintf(s->source, sizeof(s->source), "%s", file);
	int r = 0;
	ssize_t n;
	/* as capsule import reads it: by real length, so that a NUL byte (blocks zeroed by a
	 * crash) costs that line, not the rest of the log */
	while ((n = getline(&line, &cap, f)) >= 0) {
		size_t len = (size_t)n;
		bool complete = len && line[len - 1] == '\n';
		if (!complete) {
			s->truncated = true; /* the last line lost its end */
			break;
		}
		line[--len] = 0;
		if (!len)
			continue;
		if (len > LINE_CAP || strlen(line) != len) {
			s->malformed++;
			continue;
		}
		if ((r = rep_add_json(s, tok, line, len)))
			break;
	}
	if (ferror(f) && !r) {
		r = -EIO;
		snprintf(err, errn, "%s: read error", file);
	}
	json_tokener_free(tok);
	free(line);
	fclose(f);
	return r;
}

int rep_load_dir(struct rep_session *s, const char *dir, char *err, size_t errn)
{
	char path[4096 + 32];
	struct stat st;

	snprintf(path, sizeof(path), "%s/summary.json", dir);
	int sr = rep_load_summary(s, path);
	snprintf(path, sizeof(path), "%s/events.jsonl", dir);
	if (stat(path, &st) != 0) {
		snprintf(path, sizeof(path), "%s/session.db", dir);
		if (stat(path, &st) == 0)
			return rep_load_db(s, path, s->have_summary ? s->id : NULL, err, errn);
		snprintf(err, errn, "%s: no events.jsonl or session.db in this folder", dir);
		return -ENOENT;
	}
	int r = rep_load_jsonl(s, path, err, errn);
	if (!s->id[0]) { /* no summary: the folder is named after the session (capsule-logs/ID) */
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s", dir);
		size_t n = strlen(tmp);
		while (n > 1 && tmp[n - 1] == '/')
			tmp[--n] = 0;
		const char *base = strrchr(tmp, '/');
		rep_safe_into(s->id, sizeof(s->id), base ? base + 1 : tmp);
	}
	if (sr == -EINVAL && !r && !s->damage[0])
		snprintf(s->damage, sizeof(s->damage), "summary.json is damaged (not a JSON object): the session's totals come from the events alone");
	return r;
}
