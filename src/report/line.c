/* One readable line per event for the report (evidence, warnings, timeline), and the small
 * formatting helpers the renderers share. Works from the JSON object, so it reads the same
 * from events.jsonl and from the store. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include "format/jsonget.h"
#include "format/escape.h"
#include "format/sbuf.h"
#include "format/text.h"
#include "report/report.h"

/* Agent strings in the log are escaped already (docs/events.md); escaping them again would
 * double every backslash. So only the runs between backslashes and quotes go through
 * cap_escape, which leaves clean text unchanged and turns anything a forged log slipped in
 * (control bytes, invalid UTF-8, bidi overrides) into \xNN. */
size_t rep_safe_into(char *out, size_t n, const char *s)
{
	size_t o = 0;
	if (!n)
		return 0;
	out[0] = 0;
	while (*s && o + 1 < n) {
		size_t run = strcspn(s, "\\\"");
		if (run) {
			o += cap_escape(out + o, n - o, s, run, 0);
			s += run;
		} else {
			out[o++] = *s++;
			out[o] = 0;
		}
	}
	return o;
}

char *rep_safe(const char *s)
{
	size_t n = strlen(s) * 4 + 1;
	char *out = malloc(n);
	if (out)
		rep_safe_into(out, n, s);
	return out;
}

int64_t rep_parse_time(const char *t)
{
	struct tm tm = { 0 };
	int ns_digits = 0;
	int64_t ns = 0;
	const char *p = strptime(t, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			if (ns_digits < 9)
				ns = ns * 10 + (*p - '0'), ns_digits++;
	while (ns_digits++ < 9)
		ns *= 10;
	if (*p != 'Z' || p[1])
		return -1;
	time_t sec = timegm(&tm);
	if (sec < 0 || sec > INT64_MAX / 1000000000 - 1) /* nanoseconds fit in 64 bits until 2262 */
		return -1;
	return (int64_t)sec * 1000000000 + ns;
}

/* "read, written, ..." for a file's REP_* access bits */
void rep_access_words(char *out, size_t n, unsigned a)
{
	static const char *const w[] = { "read", "written", "deleted", "executed", "changed" };
	size_t o = 0;
	out[0] = 0;
	for (int i = 0; i < 5; i++)
		if (a & (1u << i))
			o += snprintf(out + o, o < n ? n - o : 0, "%s%s", o ? ", " : "", w[i]);
}

void rep_fmt_duration(char *out, size_t n, double s)
{
	if (s < 1)
		snprintf(out, n, "%.0f ms", s * 1000);
	else if (s < 120)
		snprintf(out, n, "%.2f s", s);
	else if (s < 7200)
		snprintf(out, n, "%dm %02ds", (int)s / 60, (int)s % 60);
	else
		snprintf(out, n, "%dh %02dm", (int)s / 3600, (int)s / 60 % 60);
}

void rep_fmt_bytes(char *out, size_t n, uint64_t b)
{
	if (b < 1024)
		snprintf(out, n, "%" PRIu64 " B", b);
	else if (b < 1024 * 1024)
		snprintf(out, n, "%.1f KiB", b / 1024.0);
	else if (b < 1024ull * 1024 * 1024)
		snprintf(out, n, "%.1f MiB", b / 1048576.0);
	else
		snprintf(out, n, "%.2f GiB", b / 1073741824.0);
}



static void put_safe(struct sbuf *b, const char *s, size_t max)
{
	char tmp[2048];
	size_t n = rep_safe_into(tmp, sizeof(tmp), s);
	if (max && n > max) {
		/* cut at a character boundary (never inside a UTF-8 sequence) */
		while (max && ((unsigned char)tmp[max] & 0xc0) == 0x80)
			max--;
		sb_putn(b, tmp, max);
		sb_puts(b, "…");
		return;
	}
	sb_putn(b, tmp, n);
}

static void put_kv(struct sbuf *b, const char *k, const char *v)
{
	sb_putc(b, ' ');
	sb_puts(b, k);
	sb_putc(b, '=');
	put_safe(b, v, 300);
}

size_t rep_event_line(struct json_object *ev, int64_t time_ns, char *out, size_t n)
{
	struct sbuf b;
	const char *kind = cap_jstr(ev, "kind"), *comm = cap_jstr(ev, "comm");
	const char *v;

	sb_init(&b, out, n);
	/* local time, as the live view and timeline.log show it */
	if (time_ns >= 0)
		cap_text_time(&b, time_ns);
	else
		sb_puts(&b, "[?]");
	sb_puts(&b, " P");
	sb_i64(&b, json_object_get_int64(cap_jget(ev, "pid")));
	sb_puts(&b, " (");
	put_safe(&b, comm ? comm : "?", 64);
	sb_puts(&b, ") ");
	put_safe(&b, kind ? kind : "?", 64);

	if (kind && !strcmp(kind, "execve") && cap_jget(ev, "argv")) {
		struct json_object *argv = cap_jget(ev, "argv");
		sb_puts(&b, " ");
		if ((v = cap_jstr(ev, "exe")))
			put_safe(&b, v, 300);
		sb_puts(&b, " argv=[");
		for (size_t i = 0; json_object_is_type(argv, json_type_array) && i < json_object_array_length(argv) && i < 32; i++) {
			const char *a = json_object_get_string(json_object_array_get_idx(argv, i));
			if (i)
				sb_putc(&b, ' ');
			sb_putc(&b, '"');
			put_safe(&b, a ? a : "", 200);
			sb_putc(&b, '"');
		}
		sb_putc(&b, ']');
	} else if (kind && !strcmp(kind, "dns")) {
		if ((v = cap_jstr(ev, "name")))
			put_kv(&b, "name", v);
		if ((v = cap_jstr(ev, "type")))
			put_kv(&b, "type", v);
		struct json_object *ans = cap_jget(ev, "answered");
		if (ans && !json_object_get_boolean(ans))
			sb_puts(&b, " -> no answer");
		else if ((v = cap_jstr(ev, "rcode"))) {
			sb_puts(&b, " -> ");
			put_safe(&b, v, 32);
		}
		struct json_object *addrs = cap_jget(ev, "addresses");
		for (size_t i = 0; addrs && json_object_is_type(addrs, json_type_array) && i < json_object_array_length(addrs) && i < 8; i++) {
			const char *a = json_object_get_string(json_object_array_get_idx(addrs, i));
			sb_putc(&b, ' ');
			put_safe(&b, a ? a : "", 64);
		}
	} else if (kind && !strcmp(kind, "fork")) {
		sb_puts(&b, " child=P");
		sb_i64(&b, json_object_get_int64(cap_jget(ev, "child_pid")));
	} else if (kind && !strcmp(kind, "exit")) {
		if ((v = cap_jstr(ev, "signal")))
			put_kv(&b, "signal", v);
		else {
			sb_puts(&b, " code=");
			sb_i64(&b, json_object_get_int64(cap_jget(ev, "exit_code")));
		}
	} else {
		if ((v = cap_jstr(ev, "path")))
			put_kv(&b, "path", v);
		if ((v = cap_jstr(ev, "path2")))
			put_kv(&b, "path2", v);
		if ((v = cap_jstr(ev, "fd_path")))
			put_kv(&b, "fd", v);
		if ((v = cap_jstr(cap_jget(ev, "addr"), "address")))
			put_kv(&b, "addr", v);
		else if ((v = cap_jstr(cap_jget(ev, "sock"), "peer")))
			put_kv(&b, "peer", v);
		if ((v = cap_jstr(ev, "dns")))
			put_kv(&b, "dns", v);
		struct json_object *dec = cap_jget(ev, "decoded");
		if (dec && json_object_is_type(dec, json_type_object)) {
			json_object_object_foreach(dec, k, val) {
				if (json_object_is_type(val, json_type_string))
					put_kv(&b, k, json_object_get_string(val));
			}
		}
		struct json_object *tgt = cap_jget(ev, "target");
		if (tgt) {
			sb_puts(&b, " target=P");
			sb_i64(&b, json_object_get_int64(cap_jget(tgt, "pid")));
			if ((v = cap_jstr(tgt, "comm"))) {
				sb_puts(&b, " (");
				put_safe(&b, v, 64);
				sb_putc(&b, ')');
			}
		}
		if (kind && !strcmp(kind, "signal") && (v = cap_jstr(ev, "signal")))
			put_kv(&b, "signal", v);
		if ((v = cap_jstr(ev, "device")))
			put_kv(&b, "device", v);
		if ((v = cap_jstr(ev, "error"))) {
			sb_puts(&b, " -> ");
			put_safe(&b, v, 32);
		} else if (cap_jget(ev, "ret")) {
			sb_puts(&b, " -> ");
			sb_i64(&b, json_object_get_int64(cap_jget(ev, "ret")));
		}
	}
	if ((v = cap_jstr(ev, "warning"))) {
		sb_puts(&b, "  ⚠ ");
		put_safe(&b, v, 200);
	}
	if (b.full && b.len) { /* drop a UTF-8 sequence cut in two */
		size_t lead = b.len - 1;
		while (lead && ((unsigned char)out[lead] & 0xc0) == 0x80)
			lead--;
		unsigned char c = out[lead];
		size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (b.len - lead < need)
			out[b.len = lead] = 0;
	}
	return b.len;
}
