#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "session/registry.h"
#include "store/locate.h"

static bool is_file(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISREG(st.st_mode);
}

static bool is_dir(const char *p)
{
	struct stat st;
	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

/* The newest ./capsule-logs/<id>/session.db: ids start with the time, the largest is newest. */
static int newest_local(char *path, size_t n)
{
	DIR *d = opendir(CAP_LOGS_DIR);
	struct dirent *e;
	char best[256] = "", p[PATH_MAX];
	if (!d)
		return -ENOENT;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s/session.db", CAP_LOGS_DIR, e->d_name);
		if (is_file(p) && strcmp(e->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", e->d_name);
	}
	closedir(d);
	if (!best[0])
		return -ENOENT;
	snprintf(path, n, "%s/%s/session.db", CAP_LOGS_DIR, best);
	return 0;
}

int cap_store_locate(const char *db, const char *session, char *path, size_t n, bool *filter,
		     char *err, size_t errn)
{
	char dir[PATH_MAX], id[256];
	*filter = false;
	if (db) {
		snprintf(path, n, "%s", db);
		*filter = session != NULL;
		return 0;
	}
	if (session) {
		if (is_dir(session)) {
			snprintf(path, n, "%s/session.db", session);
		} else if (is_file(session)) {
			snprintf(path, n, "%s", session); /* a database file */
		} else if (!cap_registry_find(session, dir, sizeof(dir), id, sizeof(id))) {
			snprintf(path, n, "%s/session.db", dir);
		} else {
			snprintf(path, n, "%s/%s/session.db", CAP_LOGS_DIR, session);
			if (!is_file(path)) {
				snprintf(err, errn, "no session '%s' (not a folder, not in %s, not in ./%s/)", session,
					 CAP_REGISTRY_DIR, CAP_LOGS_DIR);
				return -ENOENT;
			}
		}
		if (!is_file(path)) {
			snprintf(err, errn, "session '%s' has no database (%s)", session, path);
			return -ENOENT;
		}
		return 0;
	}
	if (!cap_registry_find(NULL, dir, sizeof(dir), id, sizeof(id))) {
		snprintf(path, n, "%s/session.db", dir);
		if (is_file(path))
			return 0;
	}
	if (!newest_local(path, n))
		return 0;
	snprintf(err, errn, "no session database found (none in %s nor ./%s/): give --db FILE or a session",
		 CAP_REGISTRY_DIR, CAP_LOGS_DIR);
	return -ENOENT;
}

static int add_path(char **paths, int count, int max, const char *p)
{
	char real[PATH_MAX];
	if (count >= max || !is_file(p) || !realpath(p, real))
		return count;
	for (int i = 0; i < count; i++)
		if (!strcmp(paths[i], real))
			return count;
	paths[count] = strdup(real);
	return paths[count] ? count + 1 : count;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cap_store_discover(char **paths, int max)
{
	const char *dirs[] = { CAP_LOGS_DIR, CAP_REGISTRY_DIR };
	char p[PATH_MAX];
	int count = 0;
	for (size_t k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
		DIR *d = opendir(dirs[k]);
		struct dirent *e;
		if (!d)
			continue;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s/session.db", dirs[k], e->d_name);
			count = add_path(paths, count, max, p);
		}
		closedir(d);
	}
	qsort(paths, count, sizeof(paths[0]), cmp_str);
	return count;
}
