/* libFuzzer target for the report template loader (YAML from a user's file): any input is
 * either a template or an error of the form "NAME:LINE:COL: message". */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "report/report.h"
#include "report/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rep_template *t = NULL;
	char err[512];
	unsigned line, col;
	int r = tpl_parse("f.yml", (const char *)data, size, &t, err, sizeof(err));
	if (r == 0) {
		if (!t || !t->name || !t->ncrit)
			__builtin_trap();
		struct tpl_event ev = { .kind = "openat", .area = "file", .paths = { "/etc/passwd" }, .npaths = 1 };
		for (size_t i = 0; i < t->ncrit; i++)
			for (size_t j = 0; j < t->crit[i].nsel; j++)
				tpl_selector_match(&t->crit[i].sel[j], &ev);
		tpl_free(t);
	} else if (r == -22) {
		if (t || sscanf(err, "f.yml:%u:%u: ", &line, &col) != 2 || !line || !col)
			__builtin_trap();
	}
	return 0;
}
