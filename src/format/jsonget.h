/* Reading fields of parsed JSON records (json-c) that may be hostile or damaged: an absent
 * field, or one of the wrong type, reads as NULL / the fallback. One set for import, the
 * store and the reports. */
#ifndef CAPSULE_JSONGET_H
#define CAPSULE_JSONGET_H
#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>

static inline struct json_object *cap_jget(struct json_object *o, const char *k)
{
	struct json_object *v = NULL;
	if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, k, &v))
		return v;
	return NULL;
}

/* a field of the given type (an object, an array, ...) */
static inline struct json_object *cap_jtyped(struct json_object *o, const char *k, json_type t)
{
	struct json_object *v = cap_jget(o, k);
	return v && json_object_is_type(v, t) ? v : NULL;
}

static inline const char *cap_jstr(struct json_object *o, const char *k)
{
	struct json_object *v = cap_jget(o, k);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* an integer field */
static inline int64_t cap_jint(struct json_object *o, const char *k, int64_t fallback)
{
	struct json_object *v = cap_jget(o, k);
	return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : fallback;
}

/* an integer or a number with a fraction (cut to an integer) */
static inline int64_t cap_jnum(struct json_object *o, const char *k, int64_t fallback)
{
	struct json_object *v = cap_jget(o, k);
	return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double))
		       ? json_object_get_int64(v) : fallback;
}

static inline bool cap_jbool(struct json_object *o, const char *k)
{
	struct json_object *v = cap_jget(o, k);
	return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

#endif
