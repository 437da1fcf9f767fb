/* Where session databases are: --db FILE, a session's folder (session.db), the registry of
 * sessions (/run/capsule/sessions) and ./capsule-logs/<id>/. */
#ifndef CAPSULE_LOCATE_H
#define CAPSULE_LOCATE_H
#include <stdbool.h>
#include <stddef.h>

#define CAP_LOGS_DIR "capsule-logs"
#define CAP_LOCATE_MAX 4096 /* most databases `capsule sessions` lists */

/* The database to read: db when given (then *filter = session != NULL: pick the session
 * inside it); else the session.db of session (an id, or a folder); else the newest session's.
 * Returns 0 or -ENOENT with a readable message in err. */
int cap_store_locate(const char *db, const char *session, char *path, size_t n, bool *filter,
		     char *err, size_t errn);

/* Every session.db under ./capsule-logs/ and behind the registry, each once (by real path),
 * sorted by path. Returns how many (at most max); paths are malloc'd, free them. */
int cap_store_discover(char **paths, int max);

#endif
