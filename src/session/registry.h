/* Where live and ended sessions can be found from another terminal (capsule watch):
 * /run/capsule/sessions/<id> is a symlink to the session's log folder. */
#ifndef CAPSULE_REGISTRY_H
#define CAPSULE_REGISTRY_H
#include <stddef.h>
#include <stdbool.h>

#define CAP_REGISTRY_DIR "/run/capsule/sessions"

void cap_registry_add(const char *id, const char *log_dir);
/* Finds a session's folder: an id, a folder path, or NULL for the newest. 0 or -ENOENT. */
int cap_registry_find(const char *what, char *dir, size_t n, char *id, size_t idn);
/* True while the capsule that owns the session runs. */
bool cap_registry_live(const char *id);

#endif
