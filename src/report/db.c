/* Reads a session from the store (session.db). Waiting for the store's schema. */
#include <errno.h>
#include <stdio.h>
#include "report/report.h"

int rep_load_db(struct rep_session *s, const char *db, const char *session, char *err, size_t errn)
{
	(void)s;
	(void)session;
	snprintf(err, errn, "%s: reading session databases is not built yet", db);
	return -ENOTSUP;
}
