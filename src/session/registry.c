#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli/cli.h"
#include "session/registry.h"

void cap_registry_add(const char *id, const char *log_dir)
{
	char link[PATH_MAX];
	if (cli_mkdirs(CAP_REGISTRY_DIR, 0755))
		return;
	snprintf(link, sizeof(link), "%s/%s", CAP_REGISTRY_DIR, id);
	unlink(link);
	if (symlink(log_dir, link))
		return;
}

bool cap_registry_live(const char *id)
{
	const char *dash = strrchr(id, '-');
	int pid = dash ? atoi(dash + 1) : 0;
	return pid > 0 && (kill(pid, 0) == 0 || errno != ESRCH);
}

int cap_registry_find(const char *what, char *dir, size_t n, char *id, size_t idn)
{
	char path[PATH_MAX];
	struct stat st;

	if (what && strchr(what, '/') && stat(what, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!realpath(what, path))
			return -errno;
		snprintf(dir, n, "%s", path);
		const char *base = strrchr(path, '/');
		snprintf(id, idn, "%s", base ? base + 1 : path);
		return 0;
	}
	if (what) {
		snprintf(path, sizeof(path), "%s/%s", CAP_REGISTRY_DIR, what);
		if (!realpath(path, dir))
			return -ENOENT;
		snprintf(id, idn, "%s", what);
		return 0;
	}
	/* newest: ids start with the start time, so the largest name is the newest */
	DIR *d = opendir(CAP_REGISTRY_DIR);
	struct dirent *e;
	char best[256] = "";
	if (!d)
		return -ENOENT;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", CAP_REGISTRY_DIR, e->d_name);
		if (stat(path, &st))
			continue; /* its folder is gone */
		if (strcmp(e->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", e->d_name);
	}
	closedir(d);
	if (!best[0])
		return -ENOENT;
	return cap_registry_find(best, dir, n, id, idn);
}
