/* A JSONL record (docs/events.md) into the store's columns, for capsule import. */
#ifndef CAPSULE_IMPORT_H
#define CAPSULE_IMPORT_H
#include <stddef.h>
#include <json-c/json.h>
#include "store/store.h"

/* An open (or creat) for writing, as src/enrich/view.c decides it, from the record's decoded
 * flag names: the store and the reports count the same writes. */
bool cap_store_open_writes(json_object *o, const char *kind);
/* Fills r from a parsed record; strings point into o (or into host, which gets the remote
 * address). json/line are left for the caller. A record without "time" (the stand-in for a
 * line cut at the length limit) gets time_ns -1: the caller supplies one. Returns 0, or
 * -EINVAL with the reason in err when seq or kind is missing, or a member has the wrong type. */
int cap_store_rec_from_json(json_object *o, struct cap_store_rec *r, char *host, size_t hostn,
			    char *err, size_t errn);

#endif
