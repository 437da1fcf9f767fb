/* Report templates from YAML (libyaml's document API: every node keeps its line and column,
 * so each error can point at the exact place). One parse function per level of the format. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>
#include "report/report.h"
#include "report/template.h"
#include "trace/syscalls.h"

struct ctx {
	const char *name;
	yaml_document_t *doc;
	char *err;
	size_t errn;
};

__attribute__((format(printf, 3, 4)))
static int fail(struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int o = snprintf(c->err, c->errn, "%s:%zu:%zu: ", c->name, n ? n->start_mark.line + 1 : 1,
			 n ? n->start_mark.column + 1 : 1);
	if (o < 0 || (size_t)o >= c->errn)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + o, c->errn - o, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *type_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static int get_string(struct ctx *c, const yaml_node_t *n, const char *key, char **out)
{
	if (n->type != YAML_SCALAR_NODE)
		return fail(c, n, "'%s' must be a string, not %s", key, type_name(n));
	free(*out);
	size_t len = n->data.scalar.length;
	while (len && (n->data.scalar.value[len - 1] == '\n' || n->data.scalar.value[len - 1] == ' '))
		len--; /* folded scalars (>) end with a newline */
	*out = strndup((const char *)n->data.scalar.value, len);
	return *out ? 0 : -ENOMEM;
}

static int get_bool(struct ctx *c, const yaml_node_t *n, const char *key, int *out)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };
	if (n->type == YAML_SCALAR_NODE) {
		const char *v = (const char *)n->data.scalar.value;
		for (int i = 0; i < 3; i++) {
			if (!strcmp(v, yes[i]))
				return *out = 1, 0;
			if (!strcmp(v, no[i]))
				return *out = 0, 0;
		}
	}
	return fail(c, n, "'%s' must be true or false", key);
}

const char *tpl_glob_error(const char *p)
{
	if (!*p)
		return "empty pattern";
	if (strlen(p) > PATH_MAX)
		return "pattern longer than 4096 bytes";
	for (const char *s = p; *s; s++) {
		if (*s == '\\') {
			if (!s[1])
				return "pattern ends with a lone backslash";
			s++;
		} else if (*s == '[') {
			const char *e = s + 1;
			if (*e == '!' || *e == '^')
				e++;
			if (*e == ']')
				e++; /* a ']' first is a member */
			while (*e && *e != ']')
				e++;
			if (!*e)
				return "'[' without a closing ']'";
			s = e;
		}
	}
	return NULL;
}

static bool known_kind(const char *k)
{
	static const char *const lifecycle[] = { "execve", "fork", "thread", "exit", "signal", "dns" };
	for (size_t i = 0; i < sizeof(lifecycle) / sizeof(lifecycle[0]); i++)
		if (!strcmp(k, lifecycle[i]))
			return true;
	return cap_syscall_by_name(k) != NULL;
}

enum list_check { L_GLOB, L_KIND, L_AREA, L_ACCESS };

static const char *const access_names[] = { "read", "write", "delete", "exec", "change" };

/* A list of strings (or one string, taken as a list of one), each checked. */
static int get_list(struct ctx *c, const yaml_node_t *n, const char *key, enum list_check check,
		    struct tpl_list *out, unsigned *access)
{
	const yaml_node_t *items[TPL_MAX_PATTERNS];
	size_t cnt = 0;

	if (n->type == YAML_SCALAR_NODE) {
		items[cnt++] = n;
	} else if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
			if (cnt == TPL_MAX_PATTERNS)
				return fail(c, n, "'%s' has more than %d entries", key, TPL_MAX_PATTERNS);
			items[cnt++] = yaml_document_get_node(c->doc, *it);
		}
		if (!cnt)
			return fail(c, n, "'%s' is an empty list", key);
	} else {
		return fail(c, n, "'%s' must be a list of strings, not %s", key, type_name(n));
	}
	if (out->v)
		return fail(c, n, "'%s' given twice", key);
	out->v = calloc(cnt, sizeof(char *));
	if (!out->v)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		const yaml_node_t *it = items[i];
		if (!it || it->type != YAML_SCALAR_NODE)
			return fail(c, it ? it : n, "'%s' entries must be strings, not %s", key, it ? type_name(it) : "nothing");
		const char *v = (const char *)it->data.scalar.value;
		const char *why;
		switch (check) {
		case L_GLOB:
			if ((why = tpl_glob_error(v)))
				return fail(c, it, "bad pattern in '%s': %s", key, why);
			break;
		case L_KIND:
			if (!known_kind(v))
				return fail(c, it, "unknown event kind '%s' (docs/events.md lists them)", v);
			break;
		case L_AREA:
			if (rep_area_index(v) < 0)
				return fail(c, it, "unknown area '%s' (proc net file cred mem ipc dev sys ns signal)", v);
			break;
		case L_ACCESS: {
			size_t a = 0;
			while (a < 5 && strcmp(v, access_names[a]))
				a++;
			if (a == 5)
				return fail(c, it, "unknown access '%s' (read write delete exec change)", v);
			*access |= 1u << a;
			break;
		}
		}
		out->v[i] = strdup(v);
		if (!out->v[i])
			return -ENOMEM;
		out->n++;
	}
	return 0;
}

static int parse_selector(struct ctx *c, const yaml_node_t *n, struct tpl_selector *sel)
{
	struct tpl_list access = { 0 };
	bool any = false;
	int r = 0;

	sel->failed = -1;
	if (n->type != YAML_MAPPING_NODE)
		return fail(c, n, "an evidence selector must be a mapping (kinds:, paths:, hosts:, …), not %s", type_name(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !r; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
		const char *key = k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		if (!strcmp(key, "label"))
			r = get_string(c, v, key, &sel->label);
		else if (!strcmp(key, "kinds"))
			r = get_list(c, v, key, L_KIND, &sel->kinds, NULL), any = true;
		else if (!strcmp(key, "areas"))
			r = get_list(c, v, key, L_AREA, &sel->areas, NULL), any = true;
		else if (!strcmp(key, "paths"))
			r = get_list(c, v, key, L_GLOB, &sel->paths, NULL), any = true;
		else if (!strcmp(key, "hosts"))
			r = get_list(c, v, key, L_GLOB, &sel->hosts, NULL), any = true;
		else if (!strcmp(key, "warnings"))
			r = get_list(c, v, key, L_GLOB, &sel->warnings, NULL), any = true;
		else if (!strcmp(key, "devices"))
			r = get_list(c, v, key, L_GLOB, &sel->devices, NULL), any = true;
		else if (!strcmp(key, "errors"))
			r = get_list(c, v, key, L_GLOB, &sel->errors, NULL), any = true;
		else if (!strcmp(key, "access"))
			r = get_list(c, v, key, L_ACCESS, &access, &sel->access), any = true;
		else if (!strcmp(key, "failed"))
			r = get_bool(c, v, key, &sel->failed), any = true;
		else
			r = fail(c, k, "unknown key '%s' in a selector (label kinds areas paths hosts warnings devices errors access failed)", key);
	}
	for (size_t i = 0; i < access.n; i++)
		free(access.v[i]);
	free(access.v);
	if (!r && !any)
		r = fail(c, n, "a selector needs at least one of kinds, areas, paths, hosts, warnings, devices, errors, access, failed");
	return r;
}

static int parse_criterion(struct ctx *c, const yaml_node_t *n, struct tpl_criterion *cr)
{
	const yaml_node_t *ev = NULL;
	int r = 0;

	if (n->type != YAML_MAPPING_NODE)
		return fail(c, n, "a criterion must be a mapping (id:, title:, evidence:), not %s", type_name(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !r; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
		const char *key = k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		if (!strcmp(key, "id"))
			r = get_string(c, v, key, &cr->id);
		else if (!strcmp(key, "title"))
			r = get_string(c, v, key, &cr->title);
		else if (!strcmp(key, "description"))
			r = get_string(c, v, key, &cr->description);
		else if (!strcmp(key, "evidence")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return fail(c, v, "'evidence' must be a list of selectors, not %s", type_name(v));
			ev = v;
		} else
			r = fail(c, k, "unknown key '%s' in a criterion (id title description evidence)", key);
	}
	if (r)
		return r;
	if (!cr->id)
		return fail(c, n, "a criterion needs an 'id'");
	if (!ev)
		return fail(c, n, "criterion '%s' needs 'evidence' (a list of selectors)", cr->id);
	size_t cnt = ev->data.sequence.items.top - ev->data.sequence.items.start;
	if (!cnt)
		return fail(c, ev, "criterion '%s' has an empty 'evidence' list", cr->id);
	if (cnt > TPL_MAX_SELECTORS)
		return fail(c, ev, "criterion '%s' has more than %d selectors", cr->id, TPL_MAX_SELECTORS);
	cr->sel = calloc(cnt, sizeof(*cr->sel));
	if (!cr->sel)
		return -ENOMEM;
	for (yaml_node_item_t *it = ev->data.sequence.items.start; it < ev->data.sequence.items.top && !r; it++)
		r = parse_selector(c, yaml_document_get_node(c->doc, *it), &cr->sel[cr->nsel++]);
	return r;
}

static int parse_root(struct ctx *c, const yaml_node_t *n, struct rep_template *t)
{
	const yaml_node_t *crit = NULL;
	int r = 0;

	if (!n)
		return fail(c, NULL, "empty template (it needs 'name' and 'criteria')");
	if (n->type != YAML_MAPPING_NODE)
		return fail(c, n, "a template must be a mapping (name:, title:, criteria:), not %s", type_name(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !r; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key), *v = yaml_document_get_node(c->doc, p->value);
		const char *key = k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";
		if (!strcmp(key, "name"))
			r = get_string(c, v, key, &t->name);
		else if (!strcmp(key, "title"))
			r = get_string(c, v, key, &t->title);
		else if (!strcmp(key, "description"))
			r = get_string(c, v, key, &t->description);
		else if (!strcmp(key, "criteria")) {
			if (v->type != YAML_SEQUENCE_NODE)
				return fail(c, v, "'criteria' must be a list, not %s", type_name(v));
			crit = v;
		} else
			r = fail(c, k, "unknown key '%s' at the top level (name title description criteria)", key);
	}
	if (r)
		return r;
	if (!t->name)
		return fail(c, n, "a template needs a 'name'");
	if (!crit)
		return fail(c, n, "a template needs 'criteria'");
	size_t cnt = crit->data.sequence.items.top - crit->data.sequence.items.start;
	if (!cnt)
		return fail(c, crit, "'criteria' is empty");
	if (cnt > TPL_MAX_CRITERIA)
		return fail(c, crit, "more than %d criteria", TPL_MAX_CRITERIA);
	t->crit = calloc(cnt, sizeof(*t->crit));
	if (!t->crit)
		return -ENOMEM;
	for (yaml_node_item_t *it = crit->data.sequence.items.start; it < crit->data.sequence.items.top && !r; it++) {
		const yaml_node_t *cn = yaml_document_get_node(c->doc, *it);
		r = parse_criterion(c, cn, &t->crit[t->ncrit++]);
		for (size_t i = 0; !r && i + 1 < t->ncrit; i++)
			if (!strcmp(t->crit[i].id, t->crit[t->ncrit - 1].id))
				r = fail(c, cn, "criterion id '%s' used twice", t->crit[i].id);
	}
	return r;
}

int tpl_parse(const char *name, const char *text, size_t len, struct rep_template **out, char *err, size_t errn)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ctx c = { .name = name, .doc = &doc, .err = err, .errn = errn };
	int r;

	*out = NULL;
	if (len > TPL_MAX_SIZE) {
		snprintf(err, errn, "%s:1:1: template larger than %d bytes", name, TPL_MAX_SIZE);
		return -EINVAL;
	}
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errn, "%s:%zu:%zu: %s%s%s", name, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			 parser.problem ? parser.problem : "YAML error", parser.context ? " " : "",
			 parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	struct rep_template *t = calloc(1, sizeof(*t));
	if (!t) {
		r = -ENOMEM;
	} else {
		r = parse_root(&c, yaml_document_get_root_node(&doc), t);
		if (!r) {
			/* one document per file: a second one is a mistake, not something to ignore */
			yaml_document_t more;
			if (yaml_parser_load(&parser, &more)) {
				yaml_node_t *root2 = yaml_document_get_root_node(&more);
				if (root2)
					r = fail(&c, root2, "a second YAML document; a template is one document");
				yaml_document_delete(&more);
			}
		}
		if (!r)
			t->file = strdup(name);
		if (!r && !t->file)
			r = -ENOMEM;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (r) {
		tpl_free(t);
		if (r == -ENOMEM)
			snprintf(err, errn, "%s: out of memory", name);
		return r;
	}
	*out = t;
	return 0;
}

int tpl_load_file(const char *path, struct rep_template **out, char *err, size_t errn)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errn, "%s: %s", path, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > TPL_MAX_SIZE) {
		close(fd);
		snprintf(err, errn, "%s: not a regular file of at most %d bytes", path, TPL_MAX_SIZE);
		return -EINVAL;
	}
	char *buf = malloc(st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, st.st_size - got);
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	int r = tpl_parse(path, buf, got, out, err, errn);
	free(buf);
	return r;
}

int tpl_load(const char *what, const char *argv0, struct rep_template **out, char *err, size_t errn)
{
	char exe[PATH_MAX], cand[PATH_MAX + 64];
	bool is_name = !strchr(what, '/') && !strstr(what, ".yml") && !strstr(what, ".yaml");

	if (!is_name)
		return tpl_load_file(what, out, err, errn);
	for (const char *s = what; *s; s++)
		if (!(*s == '-' || *s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))) {
			snprintf(err, errn, "template name '%s': use letters, digits, '-' and '_', or give a file path", what);
			return -EINVAL;
		}
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0 && argv0 && realpath(argv0, exe))
		n = strlen(exe);
	const char *dirs[3] = { NULL, NULL, "/usr/share/capsule/templates" };
	char d1[PATH_MAX + 32], d2[PATH_MAX + 32];
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(d1, sizeof(d1), "%s/../templates", exe);
			snprintf(d2, sizeof(d2), "%s/../share/capsule/templates", exe);
			dirs[0] = d1;
			dirs[1] = d2;
		}
	}
	for (int i = 0; i < 3; i++) {
		if (!dirs[i])
			continue;
		snprintf(cand, sizeof(cand), "%s/%s.yml", dirs[i], what);
		char real[PATH_MAX];
		if (access(cand, R_OK) == 0)
			return tpl_load_file(realpath(cand, real) ? real : cand, out, err, errn);
	}
	snprintf(err, errn, "no template '%s' (looked in %s, %s and %s)", what, dirs[0] ? dirs[0] : "-",
		 dirs[1] ? dirs[1] : "-", dirs[2]);
	return -ENOENT;
}

static void free_list(struct tpl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

void tpl_free(struct rep_template *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->ncrit; i++) {
		struct tpl_criterion *c = &t->crit[i];
		for (size_t j = 0; j < c->nsel; j++) {
			struct tpl_selector *s = &c->sel[j];
			free(s->label);
			free_list(&s->kinds);
			free_list(&s->areas);
			free_list(&s->paths);
			free_list(&s->hosts);
			free_list(&s->warnings);
			free_list(&s->devices);
			free_list(&s->errors);
		}
		free(c->sel);
		free(c->id);
		free(c->title);
		free(c->description);
	}
	free(t->crit);
	free(t->name);
	free(t->title);
	free(t->description);
	free(t->file);
	free(t);
}

static bool list_has(const struct tpl_list *l, const char *v)
{
	for (size_t i = 0; v && i < l->n; i++)
		if (!strcmp(l->v[i], v))
			return true;
	return false;
}

static bool list_glob(const struct tpl_list *l, const char *const *vals, int nvals)
{
	for (size_t i = 0; i < l->n; i++)
		for (int j = 0; j < nvals; j++)
			if (vals[j] && fnmatch(l->v[i], vals[j], 0) == 0)
				return true;
	return false;
}

bool tpl_selector_match(const struct tpl_selector *s, const struct tpl_event *e)
{
	if (s->kinds.n && !list_has(&s->kinds, e->kind))
		return false;
	if (s->areas.n && !list_has(&s->areas, e->area))
		return false;
	if (s->failed >= 0 && s->failed != (int)e->failed)
		return false;
	if (s->access && !(s->access & e->access))
		return false;
	if (s->paths.n && !list_glob(&s->paths, e->paths, e->npaths))
		return false;
	if (s->hosts.n && !list_glob(&s->hosts, e->hosts, e->nhosts))
		return false;
	if (s->warnings.n && !list_glob(&s->warnings, &e->warning, 1))
		return false;
	if (s->devices.n && !list_glob(&s->devices, &e->device, 1))
		return false;
	if (s->errors.n && !list_glob(&s->errors, &e->error, 1))
		return false;
	return true;
}
