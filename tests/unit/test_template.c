/* The report template loader: a good file, every kind of error with its line:column, the
 * selector matching, and the templates shipped in templates/. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/report.h"
#include "report/template.h"

static char err[1024];

static struct rep_template *parse_ok(const char *text)
{
	struct rep_template *t = NULL;
	err[0] = 0;
	int r = tpl_parse("t.yml", text, strlen(text), &t, err, sizeof(err));
	if (r)
		fail_msg("unexpected error %d: %s", r, err);
	assert_non_null(t);
	return t;
}

/* Parses text that must fail; returns the message. */
static const char *parse_bad(const char *text)
{
	struct rep_template *t = NULL;
	err[0] = 0;
	int r = tpl_parse("t.yml", text, strlen(text), &t, err, sizeof(err));
	assert_int_equal(r, -EINVAL);
	assert_null(t);
	return err;
}

static void expect_error(const char *text, const char *prefix, const char *words)
{
	const char *e = parse_bad(text);
	if (strncmp(e, prefix, strlen(prefix)) || !strstr(e, words))
		fail_msg("got \"%s\", want \"%s…%s…\"", e, prefix, words);
}

static const char good[] =
	"name: mine\n"
	"title: My controls\n"
	"description: >\n"
	"  folded text\n"
	"criteria:\n"
	"  - id: C1\n"
	"    title: Secrets\n"
	"    evidence:\n"
	"      - label: secret reads\n"
	"        warnings: [\"read of a secret\"]\n"
	"      - paths: [\"/home/*/.ssh/*\", \"/etc/shadow\"]\n"
	"        access: [read, write]\n"
	"  - id: C2\n"
	"    evidence:\n"
	"      - kinds: connect\n"          /* one string is a list of one */
	"        hosts: [\"10.*\", \"*.example.com\"]\n"
	"        failed: false\n"
	"      - areas: [cred, ns]\n"
	"      - errors: [EPERM, EACCES]\n"
	"        devices: [\"kvm\"]\n";

static void test_good_file(void **state)
{
	(void)state;
	struct rep_template *t = parse_ok(good);
	assert_string_equal(t->name, "mine");
	assert_string_equal(t->title, "My controls");
	assert_string_equal(t->description, "folded text"); /* trailing newline trimmed */
	assert_int_equal(t->ncrit, 2);
	assert_string_equal(t->crit[0].id, "C1");
	assert_string_equal(t->crit[0].title, "Secrets");
	assert_int_equal(t->crit[0].nsel, 2);
	assert_string_equal(t->crit[0].sel[0].label, "secret reads");
	assert_int_equal(t->crit[0].sel[0].warnings.n, 1);
	assert_int_equal(t->crit[0].sel[0].failed, -1);
	assert_int_equal(t->crit[0].sel[1].paths.n, 2);
	assert_int_equal(t->crit[0].sel[1].access, REP_READ | REP_WRITE);
	assert_null(t->crit[1].title);
	assert_int_equal(t->crit[1].nsel, 3);
	assert_int_equal(t->crit[1].sel[0].kinds.n, 1);
	assert_string_equal(t->crit[1].sel[0].kinds.v[0], "connect");
	assert_int_equal(t->crit[1].sel[0].failed, 0);
	assert_int_equal(t->crit[1].sel[1].areas.n, 2);
	assert_int_equal(t->crit[1].sel[2].errors.n, 2);
	tpl_free(t);
}

static void test_matching(void **state)
{
	(void)state;
	struct rep_template *t = parse_ok(good);
	const struct tpl_selector *ssh = &t->crit[0].sel[1], *net = &t->crit[1].sel[0], *denied = &t->crit[1].sel[2];
	struct tpl_event key = { .kind = "openat", .area = "file", .paths = { "/home/ana/.ssh/id_ed25519" }, .npaths = 1,
				 .access = REP_READ };
	assert_true(tpl_selector_match(ssh, &key));
	key.access = REP_DELETE; /* access must be one of read, write */
	assert_false(tpl_selector_match(ssh, &key));
	key.access = REP_WRITE;
	key.paths[0] = "/home/ana/.sshx/id";
	assert_false(tpl_selector_match(ssh, &key));

	struct tpl_event c = { .kind = "connect", .area = "net", .hosts = { "93.184.216.34:443", "93.184.216.34", "www.example.com" },
			       .nhosts = 3 };
	assert_true(tpl_selector_match(net, &c)); /* by DNS name */
	c.nhosts = 2;
	assert_false(tpl_selector_match(net, &c));
	c.hosts[0] = "10.1.2.3:80";
	assert_true(tpl_selector_match(net, &c));
	c.failed = true; /* failed: false */
	assert_false(tpl_selector_match(net, &c));
	c.failed = false;
	c.kind = "bind";
	assert_false(tpl_selector_match(net, &c));

	struct tpl_event d = { .kind = "ioctl", .area = "dev", .device = "kvm", .error = "EPERM", .failed = true };
	assert_true(tpl_selector_match(denied, &d));
	d.error = "ENOENT";
	assert_false(tpl_selector_match(denied, &d));
	d.error = "EACCES";
	d.device = "tty";
	assert_false(tpl_selector_match(denied, &d));
	tpl_free(t);
}

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_error("name: x\nfoo: 1\ncriteria: []\n", "t.yml:2:1:", "unknown key 'foo'");
	expect_error("name: x\ncriteria:\n  - id: A\n    tilte: typo\n    evidence: [{kinds: [exit]}]\n", "t.yml:4:5:",
		     "unknown key 'tilte' in a criterion");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - kinds: [exit]\n        path: [\"/x\"]\n",
		     "t.yml:6:9:", "unknown key 'path' in a selector");
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_error("name: [a, b]\ncriteria: []\n", "t.yml:1:7:", "'name' must be a string, not a list");
	expect_error("name: x\ncriteria: all\n", "t.yml:2:11:", "'criteria' must be a list");
	expect_error("name: x\ncriteria:\n  - just a string\n", "t.yml:3:5:", "a criterion must be a mapping");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - kinds: {a: b}\n", "t.yml:5:16:",
		     "'kinds' must be a list of strings, not a mapping");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - kinds: [exit, [fork]]\n", "t.yml:5:23:",
		     "entries must be strings");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - failed: maybe\n", "t.yml:5:17:",
		     "'failed' must be true or false");
	expect_error("- a\n- b\n", "t.yml:1:1:", "a template must be a mapping");
}

static void test_broken_selectors(void **state)
{
	(void)state;
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - paths: [\"/etc/*\", \"/home/[ab\"]\n",
		     "t.yml:5:27:", "bad pattern in 'paths': '[' without a closing ']'");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - hosts: \"10.0.0.\\\\\"\n", "t.yml:5:16:",
		     "lone backslash");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - warnings: [\"\"]\n", "t.yml:5:20:", "empty pattern");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - kinds: [openat, opnat]\n", "t.yml:5:25:",
		     "unknown event kind 'opnat'");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - areas: [network]\n", "t.yml:5:17:",
		     "unknown area 'network'");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - access: [read, copy]\n", "t.yml:5:24:",
		     "unknown access 'copy'");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - label: nothing else\n", "t.yml:5:9:",
		     "a selector needs at least one of");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence:\n      - kinds: []\n", "t.yml:5:16:", "empty list");
}

static void test_structure_errors(void **state)
{
	(void)state;
	expect_error("name: x\ncriteria:\n  - title: no id\n    evidence: [{kinds: [exit]}]\n", "t.yml:3:5:", "needs an 'id'");
	expect_error("name: x\ncriteria:\n  - id: A\n", "t.yml:3:5:", "needs 'evidence'");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence: []\n", "t.yml:4:15:", "empty 'evidence'");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence: [{kinds: [exit]}]\n  - id: A\n    evidence: [{kinds: [exit]}]\n",
		     "t.yml:5:5:", "criterion id 'A' used twice");
	expect_error("title: no name\ncriteria: []\n", "t.yml:1:1:", "needs a 'name'");
	expect_error("", "t.yml:1:1:", "empty template");
	expect_error("name: x\ncriteria: []\n", "t.yml:2:11:", "'criteria' is empty");
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence: [{kinds: [exit]}]\n---\nname: y\n", "t.yml:6:1:",
		     "a second YAML document");
}

static void test_yaml_syntax(void **state)
{
	(void)state;
	/* a tab where YAML wants spaces, and an unclosed flow list: libyaml's reason, with its place */
	expect_error("name: x\ncriteria:\n  - id: A\n    evidence: [{kinds: [exit]}\n", "t.yml:5:1:", "did not find expected");
	expect_error("name: x\n\tcriteria: []\n", "t.yml:2:1:", "found a tab character");
}

static void test_shipped_templates(void **state)
{
	(void)state;
	static const char *const files[] = { "templates/soc2.yml", "templates/iso27001.yml" };
	for (size_t i = 0; i < 2; i++) {
		struct rep_template *t = NULL;
		int r = tpl_load_file(files[i], &t, err, sizeof(err));
		if (r)
			fail_msg("%s: %s", files[i], err);
		assert_true(t->ncrit >= 6);
		tpl_free(t);
	}
	struct rep_template *t = NULL;
	assert_int_equal(tpl_load_file("templates/no-such.yml", &t, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "templates/no-such.yml: "));
	assert_int_equal(tpl_load("bad/../name", NULL, &t, err, sizeof(err)), -ENOENT);
	assert_int_equal(tpl_load("soc2;rm", NULL, &t, err, sizeof(err)), -EINVAL);
}

static void test_glob_errors(void **state)
{
	(void)state;
	assert_null(tpl_glob_error("/etc/*"));
	assert_null(tpl_glob_error("/x/[]]y"));
	assert_null(tpl_glob_error("/x/[!a-z]"));
	assert_null(tpl_glob_error("a\\*b"));
	assert_non_null(tpl_glob_error("[a-"));
	assert_non_null(tpl_glob_error("x\\"));
	assert_non_null(tpl_glob_error(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_matching),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_broken_selectors),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_yaml_syntax),
		cmocka_unit_test(test_shipped_templates),
		cmocka_unit_test(test_glob_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
