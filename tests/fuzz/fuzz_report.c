/* libFuzzer target for capsule report's readers of untrusted input: the input is an
 * events.jsonl (a log the agent may have forged or damaged) fed line by line into the report
 * model, rendered as text, HTML and a template rollup; the HTML must never contain a raw
 * control byte or more than Capsule's own two closing script tags. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "report/report.h"
#include "report/template.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			__builtin_trap(); \
	} while (0)

static const char tpl_text[] =
	"name: fuzz\ncriteria:\n"
	"  - id: A\n    evidence: [{warnings: [\"*\"]}, {paths: [\"/etc/*\"], access: [read, write]}]\n"
	"  - id: B\n    evidence: [{kinds: [connect, sendto], hosts: [\"10.*\", \"*.example.com\"]}, {errors: [EPERM]}]\n";

static size_t count(const char *s, size_t n, const char *needle)
{
	size_t c = 0, l = strlen(needle);
	for (size_t i = 0; i + l <= n; i++)
		if (!memcmp(s + i, needle, l))
			c++;
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rep_template *tpl;
	char err[256];
	if (!tpl && tpl_parse("fuzz.yml", tpl_text, strlen(tpl_text), &tpl, err, sizeof(err)))
		__builtin_trap();
	struct rep_session s;
	if (rep_session_init(&s, tpl))
		return 0;
	struct json_tokener *tok = json_tokener_new();
	size_t start = 0;
	for (size_t i = 0; i <= size; i++) {
		if (i < size && data[i] != '\n')
			continue;
		json_tokener_reset(tok);
		struct json_object *ev = json_tokener_parse_ex(tok, (const char *)data + start, i - start);
		if (ev && json_object_is_type(ev, json_type_object))
			rep_add_event(&s, ev);
		json_object_put(ev);
		start = i + 1;
	}
	json_tokener_free(tok);
	rep_finish(&s);

	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	rep_write_text(f, &s);
	rep_write_template(f, &s);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		CHECK((unsigned char)out[i] >= 0x20 || out[i] == '\n');
	free(out);

	f = open_memstream(&out, &len);
	rep_write_html(f, &s);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		CHECK((unsigned char)out[i] >= 0x20 || out[i] == '\n');
	CHECK(count(out, len, "</script") == 2);
	CHECK(count(out, len, "<script") == 2);
	free(out);
	rep_session_free(&s);
	return 0;
}
