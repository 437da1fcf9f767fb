/* capsule report --html (being written) */
#include "report/report.h"
void rep_write_html(FILE *f, const struct rep_session *s)
{
	(void)s;
	fputs("<!doctype html>\n", f);
}
