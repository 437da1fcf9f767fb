/* Report templates: YAML data files that map session events to the criteria of a framework
 * (SOC 2, ISO 27001, …). Format: docs/templates.md. The loader rejects an unknown key, a value
 * of the wrong type and a broken selector with "FILE:LINE:COL: message". */
#ifndef CAPSULE_TEMPLATE_H
#define CAPSULE_TEMPLATE_H
#include <stdbool.h>
#include <stddef.h>

#define TPL_MAX_CRITERIA  256
#define TPL_MAX_SELECTORS 64   /* per criterion */
#define TPL_MAX_PATTERNS  256  /* per list */
#define TPL_MAX_SIZE      (1 << 20) /* bytes of YAML */

/* What an event looks like to a selector (filled by the report from one event). */
struct tpl_event {
	const char *kind, *area, *warning, *device, *error;
	const char *paths[4]; int npaths;
	const char *hosts[3]; int nhosts;  /* "127.0.0.1:443", "127.0.0.1", DNS name */
	unsigned access;                   /* enum rep_access bits of this event */
	bool failed;
};

struct tpl_list {
	char **v;
	size_t n;
};

/* Every list given must match (AND); a list matches when any of its entries does (OR). */
struct tpl_selector {
	char *label;
	struct tpl_list kinds, areas, paths, hosts, warnings, devices, errors;
	unsigned access;   /* 0: any */
	int failed;        /* -1 any, 0 succeeded only, 1 failed only */
};

struct tpl_criterion {
	char *id, *title, *description;
	struct tpl_selector *sel;
	size_t nsel;
};

struct rep_template {
	char *name, *title, *description, *file;
	struct tpl_criterion *crit;
	size_t ncrit;
};

/* Parses YAML text (name is used in messages). Returns 0, or -EINVAL with err holding
 * "NAME:LINE:COL: message", or -ENOMEM. */
int tpl_parse(const char *name, const char *text, size_t len, struct rep_template **out, char *err, size_t errn);
/* Loads a file; -errno with a message in err. */
int tpl_load_file(const char *path, struct rep_template **out, char *err, size_t errn);
/* A template by name ("soc2") or path: a name is looked up in the templates folder next to
 * the binary (../templates from build/capsule, ../share/capsule/templates from bin/) and in
 * /usr/share/capsule/templates. */
int tpl_load(const char *name_or_path, const char *argv0, struct rep_template **out, char *err, size_t errn);
void tpl_free(struct rep_template *t);

/* True when the selector matches the event. */
bool tpl_selector_match(const struct tpl_selector *sel, const struct tpl_event *ev);
/* Glob check as the loader does it: NULL when fine, else why not. */
const char *tpl_glob_error(const char *pattern);

#endif
