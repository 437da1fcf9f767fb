/* libFuzzer target for what capsule import does with one events.jsonl line: json-c parses it,
 * cap_store_rec_from_json turns it into columns (time parsing, address splitting included).
 * Every string the record gives must be NUL-terminated inside the parsed object or the host
 * buffer, and the host buffer is exactly sized so ASan catches an overflow. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "store/import.h"
#include "store/query.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			__builtin_trap(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = 0;

	/* the time formats of --since/--until, on the same bytes */
	int64_t t;
	cap_parse_time(line, 1764879005000000000LL, &t);

	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, line, (int)size);
	if (o) {
		size_t hostn = 64;
		char *host = malloc(hostn);
		char err[128];
		struct cap_store_rec r;
		if (!cap_store_rec_from_json(o, &r, host, hostn, err, sizeof(err))) {
			CHECK(r.kind && r.area);
			const char *s[] = { r.kind, r.area, r.comm, r.error, r.warning, r.path, r.path2, r.host, r.proto };
			size_t total = 0;
			for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
				total += s[i] ? strlen(s[i]) : 0;
			CHECK(total < (size_t)1 << 40);
			CHECK(!r.host || strlen(r.host) < hostn);
		} else {
			CHECK(err[0]);
		}
		free(host);
		json_object_put(o);
	}
	json_tokener_free(tok);
	free(line);
	return 0;
}
