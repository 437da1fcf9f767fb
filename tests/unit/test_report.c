/* The report model and renderers on hand-made events: process tree, files by access, hosts
 * with bytes from close, evidence per criterion, and hostile strings in text and HTML. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <json-c/json.h>

#include "report/report.h"
#include "report/template.h"

#define T(ms) "\"time\":\"2026-12-04T10:00:00." ms "000000Z\""

static const char *const events[] = {
	"{\"seq\":1," T("000") ",\"kind\":\"execve\",\"area\":\"proc\",\"pid\":100,\"ppid\":1,\"comm\":\"agent\",\"exe\":\"/usr/bin/python3\",\"argv\":[\"python3\",\"agent.py\"]}",
	"{\"seq\":2," T("001") ",\"kind\":\"fork\",\"area\":\"proc\",\"pid\":100,\"ppid\":1,\"comm\":\"agent\",\"child_pid\":101,\"thread\":false}",
	"{\"seq\":3," T("002") ",\"kind\":\"openat\",\"area\":\"file\",\"pid\":101,\"ppid\":100,\"comm\":\"agent\",\"path\":\"/home/ana/.ssh/id_rsa\",\"decoded\":{\"flags\":\"O_RDONLY\"},\"file\":{\"type\":\"reg\"},\"ret\":3,\"fd\":3,\"warning\":\"read of a secret\"}",
	"{\"seq\":4," T("003") ",\"kind\":\"close\",\"area\":\"file\",\"pid\":101,\"ppid\":100,\"comm\":\"agent\",\"args\":{\"fd\":3},\"io\":{\"read_bytes\":1679,\"reads\":1,\"write_bytes\":0,\"writes\":0},\"ret\":0}",
	"{\"seq\":5," T("004") ",\"kind\":\"connect\",\"area\":\"net\",\"pid\":101,\"ppid\":100,\"comm\":\"agent\",\"args\":{\"fd\":4},\"sock\":{\"protocol\":\"tcp\"},\"addr\":{\"address\":\"10.0.0.7:443\"},\"dns\":\"api.example.com\",\"ret\":0}",
	"{\"seq\":6," T("005") ",\"kind\":\"close\",\"area\":\"file\",\"pid\":101,\"ppid\":100,\"comm\":\"agent\",\"args\":{\"fd\":4},\"io\":{\"read_bytes\":10,\"reads\":1,\"write_bytes\":1679,\"writes\":1},\"ret\":0}",
	"{\"seq\":7," T("006") ",\"kind\":\"unlinkat\",\"area\":\"file\",\"pid\":101,\"ppid\":100,\"comm\":\"agent\",\"path\":\"/tmp/w/out.txt\",\"ret\":0}",
	"{\"seq\":8," T("007") ",\"kind\":\"openat\",\"area\":\"file\",\"pid\":101,\"ppid\":100,\"comm\":\"agent\",\"path\":\"/etc/sudoers\",\"decoded\":{\"flags\":\"O_WRONLY\"},\"error\":\"EACCES\",\"ret\":-13}",
	"{\"seq\":9," T("008") ",\"kind\":\"exit\",\"area\":\"proc\",\"pid\":101,\"ppid\":100,\"comm\":\"agent\",\"exit_code\":0,\"utime_ns\":3000000,\"stime_ns\":1000000,\"maxrss_kb\":2048}",
	/* hostile strings: a forged log with a raw escape byte, a </script>, U+2028 and quotes */
	"{\"seq\":10," T("009") ",\"kind\":\"openat\",\"area\":\"file\",\"pid\":100,\"ppid\":1,\"comm\":\"x\\u001b[2J\",\"path\":\"/tmp/</script><b>\\u2028'\\\"&.txt\",\"decoded\":{\"flags\":\"O_WRONLY|O_CREAT\"},\"file\":{\"type\":\"reg\"},\"ret\":5,\"fd\":5}",
	"not json at all",
	"{\"seq\":12," T("010") ",\"kind\":\"dns\",\"area\":\"net\",\"pid\":101,\"ppid\":100,\"comm\":\"agent\",\"name\":\"api.example.com\",\"type\":\"A\",\"answered\":true,\"rcode\":\"NOERROR\",\"addresses\":[\"10.0.0.7\",\"10.0.0.8\"]}",
	"{\"seq\":13," T("010") ",\"kind\":\"dns\",\"area\":\"net\",\"pid\":101,\"ppid\":100,\"comm\":\"agent\",\"name\":\"api.example.com\",\"type\":\"A\",\"answered\":false}",
	"{\"seq\":11," T("010") ",\"kind\":\"exit\",\"area\":\"proc\",\"pid\":100,\"ppid\":1,\"comm\":\"agent\",\"signal\":\"SIGKILL\",\"utime_ns\":1000000,\"stime_ns\":0,\"maxrss_kb\":9000}",
};

static const char tpl_text[] =
	"name: t\ncriteria:\n"
	"  - id: SECRETS\n    evidence: [{warnings: [\"read of a secret\"]}]\n"
	"  - id: NET\n    evidence: [{kinds: [connect], hosts: [\"*.example.com\"]}]\n"
	"  - id: DENIED\n    evidence: [{errors: [EACCES], access: [write]}]\n"
	"  - id: NOTHING\n    evidence: [{areas: [ns]}]\n"
	"  - id: LOOKUPS\n    evidence: [{kinds: [dns], hosts: [\"*.example.com\"]}]\n";

static void load(struct rep_session *s, const struct rep_template *t)
{
	assert_int_equal(rep_session_init(s, t), 0);
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		struct json_object *o = json_tokener_parse(events[i]);
		if (!o) {
			s->malformed++;
			continue;
		}
		assert_int_equal(rep_add_event(s, o), 0);
		json_object_put(o);
	}
	rep_finish(s);
}

static const struct rep_file *file(const struct rep_session *s, const char *path)
{
	for (size_t i = 0; i < s->nfiles; i++)
		if (!strcmp(s->files[i].path, path))
			return &s->files[i];
	return NULL;
}

static void test_model(void **state)
{
	(void)state;
	struct rep_session s;
	load(&s, NULL);
	assert_int_equal(s.events, 13);
	assert_int_equal(s.malformed, 1);
	assert_int_equal(s.nprocs, 2);
	assert_int_equal(s.procs[0].pid, 100);
	assert_string_equal(s.procs[0].cmdline, "python3 agent.py");
	assert_string_equal(s.procs[0].exit, "SIGKILL");
	assert_int_equal(s.procs[1].pid, 101);
	assert_int_equal(s.procs[1].parent, 0);
	assert_string_equal(s.procs[1].exit, "exit 0");
	assert_int_equal(s.procs[1].cpu_ns, 4000000);
	assert_int_equal(s.cpu_ns, 5000000);
	assert_int_equal(s.maxrss_kb, 9000);
	/* sensitive first */
	assert_string_equal(s.files[0].path, "/home/ana/.ssh/id_rsa");
	assert_int_equal(s.files[0].sensitive, 2);
	assert_int_equal(s.files[0].read_bytes, 1679);
	const struct rep_file *del = file(&s, "/tmp/w/out.txt");
	assert_non_null(del);
	assert_int_equal(del->access, REP_DELETE);
	assert_null(file(&s, "/etc/sudoers")); /* failed: not a file touched, but a denied line */
	assert_int_equal(s.denied.total, 1);
	assert_non_null(strstr(s.denied.line[0], "/etc/sudoers"));
	assert_int_equal(s.nhosts, 1);
	assert_string_equal(s.hosts[0].addr, "10.0.0.7:443");
	assert_string_equal(s.hosts[0].dns, "api.example.com");
	assert_int_equal(s.hosts[0].sent_bytes, 1679);
	assert_int_equal(s.hosts[0].recv_bytes, 10);
	assert_int_equal(s.warnings_total, 1);
	assert_non_null(strstr(s.warnings.line[0], "read of a secret"));
	assert_int_equal(s.by_area[1], 3); /* net: a connect, two lookups */
	assert_int_equal(s.ndns, 1);
	assert_string_equal(s.dns[0].name, "api.example.com");
	assert_string_equal(s.dns[0].rcode, "NOERROR");
	assert_string_equal(s.dns[0].addresses, "10.0.0.7 10.0.0.8");
	assert_int_equal(s.dns[0].n, 2);
	assert_int_equal(s.dns[0].unanswered, 1);
	/* the forged escape byte is shown as \x1b, never raw */
	for (size_t i = 0; i < s.nprocs; i++)
		assert_null(strchr(s.procs[i].comm, 0x1b));
	rep_session_free(&s);
}

static void test_evidence(void **state)
{
	(void)state;
	struct rep_template *t = NULL;
	char err[256];
	assert_int_equal(tpl_parse("t.yml", tpl_text, strlen(tpl_text), &t, err, sizeof(err)), 0);
	struct rep_session s;
	load(&s, t);
	assert_int_equal(s.evidence[0].lines.total, 1);
	assert_non_null(strstr(s.evidence[0].lines.line[0], "id_rsa"));
	assert_int_equal(s.evidence[1].lines.total, 1);
	assert_non_null(strstr(s.evidence[1].lines.line[0], "10.0.0.7:443"));
	assert_int_equal(s.evidence[2].lines.total, 1);
	assert_non_null(strstr(s.evidence[2].lines.line[0], "EACCES"));
	assert_int_equal(s.evidence[3].lines.total, 0);
	assert_int_equal(s.evidence[4].lines.total, 2);
	assert_non_null(strstr(s.evidence[4].lines.line[0], "dns name=api.example.com type=A -> NOERROR 10.0.0.7 10.0.0.8"));
	assert_non_null(strstr(s.evidence[4].lines.line[1], "-> no answer"));
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	rep_write_template(f, &s);
	fclose(f);
	assert_non_null(strstr(out, "SECRETS"));
	assert_non_null(strstr(out, "status: evidence found (1 events)"));
	assert_non_null(strstr(out, "NOTHING"));
	assert_non_null(strstr(out, "status: no activity"));
	free(out);
	rep_session_free(&s);
	tpl_free(t);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_outputs_escape(void **state)
{
	(void)state;
	struct rep_session s;
	load(&s, NULL);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	rep_write_text(f, &s);
	fclose(f);
	assert_null(strchr(out, 0x1b));
	assert_null(strstr(out, "\xe2\x80\xa8"));
	assert_non_null(strstr(out, "script><b>\\xe2\\x80\\xa8'\"&.txt"));
	assert_non_null(strstr(out, "== Processes (2) =="));
	assert_non_null(strstr(out, "api.example.com"));
	assert_non_null(strstr(out, "== DNS lookups (1) ==\n  api.example.com"));
	assert_non_null(strstr(out, "10.0.0.7 10.0.0.8  (2×, 1 unanswered)"));
	free(out);

	f = open_memstream(&out, &len);
	rep_write_html(f, &s);
	fclose(f);
	/* only Capsule's own two script elements close; the path never opens a tag */
	assert_int_equal(count(out, "</script>"), 2);
	assert_int_equal(count(out, "<script"), 2);
	assert_null(strstr(out, "<b>\\xe2"));
	assert_null(strstr(out, "\xe2\x80\xa8")); /* U+2028 only as \u2028 or after cap_escape */
	assert_non_null(strstr(out, "script&gt;&lt;b&gt;\\xe2"));
	assert_non_null(strstr(out, "\\u003c/script\\u003e"));
	/* no URL but the SVG namespace name (an identifier, never fetched) */
	assert_int_equal(count(out, "http://"), count(out, "http://www.w3.org/2000/svg"));
	assert_null(strstr(out, "https://"));
	free(out);
	rep_session_free(&s);
}

static void test_safe_and_time(void **state)
{
	(void)state;
	char buf[64];
	rep_safe_into(buf, sizeof(buf), "a\\x1bb\"c");
	assert_string_equal(buf, "a\\x1bb\"c"); /* already escaped text is unchanged */
	rep_safe_into(buf, sizeof(buf), "a\x1b" "b\xff");
	assert_string_equal(buf, "a\\x1bb\\xff");
	assert_true(rep_parse_time("2026-12-04T10:00:00.000000001Z") == 1796378400000000001LL);
	assert_true(rep_parse_time("2026-12-04T10:00:00Z") == 1796378400000000000LL);
	assert_true(rep_parse_time("2026-12-04 10:00:00Z") < 0);
	assert_true(rep_parse_time("2026-12-04T10:00:00.5Zjunk") < 0);
}

static void test_chart_columns(void **state)
{
	(void)state;
	static const char *const ev[] = {
		"{\"time\":\"2026-12-04T10:00:00.000000000Z\",\"kind\":\"openat\",\"area\":\"file\",\"pid\":1}",
		"{\"time\":\"2026-12-04T10:00:00.000100000Z\",\"kind\":\"connect\",\"area\":\"net\",\"pid\":1,\"warning\":\"x\"}",
		"{\"time\":\"2026-12-04T10:00:00.001000000Z\",\"kind\":\"openat\",\"area\":\"file\",\"pid\":1}",
		"{\"time\":\"2026-12-04T10:00:10.000000000Z\",\"kind\":\"exit\",\"area\":\"proc\",\"pid\":1}",
	};
	struct rep_session s;
	assert_int_equal(rep_session_init(&s, NULL), 0);
	assert_int_equal(s.bucket_ns, 1000);
	for (size_t i = 0; i < 4; i++) {
		struct json_object *o = json_tokener_parse(ev[i]);
		assert_non_null(o);
		rep_add_event(&s, o);
		json_object_put(o);
		if (i == 1) /* 100 us fits the first columns of 1 us */
			assert_int_equal(s.bucket_ns, 1000);
	}
	/* 10 s over 240 columns: the width doubled from 1 us to the first power of two >= 41.7 ms */
	assert_int_equal(s.bucket_ns, 65536000);
	assert_int_equal(s.buckets[0][2], 2);  /* both opens in the first column */
	assert_int_equal(s.buckets[0][1], 1);
	assert_int_equal(s.bucket_warn[0], 1);
	assert_int_equal(s.buckets[10000000000LL / 65536000][0], 1);
	uint64_t total = 0;
	for (int b = 0; b < REP_BUCKETS; b++)
		for (int a = 0; a < REP_AREAS; a++)
			total += s.buckets[b][a];
	assert_int_equal(total, 4); /* merging columns loses nothing */
	rep_session_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_evidence),
		cmocka_unit_test(test_outputs_escape),
		cmocka_unit_test(test_safe_and_time),
		cmocka_unit_test(test_chart_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
