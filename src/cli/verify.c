/* capsule verify: recompute a session log's hash chain, say where it was first damaged, check
 * its end against summary.json and, when the session was signed, its signature. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>
#include "cli/cli.h"
#include "format/jsonget.h"
#include "format/sbuf.h"
#include "log/chain.h"
#include "log/sign.h"

#define SIDE_FILE_MAX (256 << 20) /* summary.json / signature.json larger than this are refused */
#define SESSION_ID_MAX 256

static const char usage[] =
	"Usage: capsule verify [OPTIONS] DIR|FILE\n"
	"\n"
	"Checks that a session log is as capsule run wrote it: recomputes the hash chain of\n"
	"events.jsonl, reports the first record that was altered, removed, inserted or reordered,\n"
	"checks the final hash and record count in summary.json (records cut from the end), and\n"
	"checks signature.json when the session was signed (capsule run --sign-key).\n"
	"DIR is a session folder; FILE an events.jsonl (summary.json is read beside it).\n"
	"\n"
	"Options:\n"
	"  -k, --key PUB.pem   the Ed25519 public key the session must be signed with\n"
	"      --json          one JSON object instead of text\n"
	"  -h, --help          this help\n"
	"\n"
	"Exit status: 0 intact (and signed by --key when given), 1 damaged, unsigned or not\n"
	"fully checkable, 2 bad options or unreadable files.\n"
	"\n"
	"Examples:\n"
	"  capsule verify capsule-logs/20261204-101500-4242\n"
	"  openssl pkey -in signing.pem -pubout -out signing.pub.pem\n"
	"  capsule verify --key signing.pub.pem capsule-logs/20261204-101500-4242/events.jsonl\n";

struct summary_info {
	bool present, has_chain;
	char session[SESSION_ID_MAX];
	struct cap_chain_expect exp;
	char problem[PATH_MAX + 256]; /* why it could not be used */
};

struct sig_info {
	bool present, valid, key_matches, matches_log;
	char fingerprint[CAP_SIGN_FP_LEN + 1];
	char session[SESSION_ID_MAX];
	char final_hash[CAP_CHAIN_HEX_LEN + 1];
	uint64_t records;
	char problem[PATH_MAX + 256];
};

/* Escaped for a terminal (the files are untrusted). */
static const char *esc(const char *s, char *buf, size_t n)
{
	struct sbuf b;
	sb_init(&b, buf, n);
	sb_escaped(&b, s, strlen(s), 200);
	return buf;
}

static json_object *load_json(const char *path, char *problem, size_t n, bool *present)
{
	struct stat st;
	*present = false;
	if (stat(path, &st)) {
		if (errno != ENOENT)
			snprintf(problem, n, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	*present = true;
	if (!S_ISREG(st.st_mode) || st.st_size > SIDE_FILE_MAX) {
		snprintf(problem, n, "%s is not a regular file of at most %d MiB", path, SIDE_FILE_MAX >> 20);
		return NULL;
	}
	json_object *o = json_object_from_file(path);
	if (!o) {
		const char *why = json_util_get_last_err();
		size_t len = why ? strcspn(why, "\n") : 0;
		snprintf(problem, n, "%s is not valid JSON (%.*s)", path, (int)len, why ? why : "");
	}
	else if (!json_object_is_type(o, json_type_object)) {
		snprintf(problem, n, "%s is not a JSON object", path);
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* a count: an integer >= 0 */
static bool get_count(json_object *o, const char *key, uint64_t *out)
{
	int64_t v = cap_jint(o, key, -1);
	if (v < 0)
		return false;
	*out = (uint64_t)v;
	return true;
}

static bool is_hash(const char *s)
{
	uint8_t h[CAP_CHAIN_HASH_LEN];
	return s && strlen(s) == CAP_CHAIN_HEX_LEN && !cap_chain_unhex(s, h);
}

static void read_summary(const char *path, struct summary_info *si)
{
	json_object *o = load_json(path, si->problem, sizeof(si->problem), &si->present), *chain;
	if (!o) {
		if (!si->present && !si->problem[0])
			snprintf(si->problem, sizeof(si->problem), "%s is missing", path);
		si->present = false;
		return;
	}
	const char *id = cap_jstr(o, "session"), *fh = cap_jstr(o, "final_hash");
	if (!id || strlen(id) >= SESSION_ID_MAX) {
		snprintf(si->problem, sizeof(si->problem), "%s has no usable \"session\" id", path);
		si->present = false;
	} else {
		snprintf(si->session, sizeof(si->session), "%s", id);
		si->exp.session_id = si->session;
		if (!fh && !json_object_object_get_ex(o, "chain", &chain)) {
			snprintf(si->problem, sizeof(si->problem),
				 "%s has no final_hash: this log was written without a hash chain", path);
		} else if (!is_hash(fh) || !json_object_object_get_ex(o, "chain", &chain) ||
			   !get_count(chain, "records", &si->exp.records)) {
			snprintf(si->problem, sizeof(si->problem),
				 "%s: final_hash (64 hex digits) or chain.records (a count) is damaged", path);
		} else {
			memcpy(si->exp.final_hash, fh, CAP_CHAIN_HEX_LEN + 1);
			si->exp.have_end = true;
			si->has_chain = true;
		}
	}
	json_object_put(o);
}

/* Reads signature.json and checks its signature against key (or the public key it names). */
static void read_signature(const char *path, cap_key *key, struct sig_info *g)
{
	uint8_t sig[CAP_SIGN_LEN + 8], raw[CAP_SIGN_PUB_LEN + 8];
	char msg[CAP_SIGN_MSG_MAX];
	cap_key *embedded = NULL;
	json_object *o = load_json(path, g->problem, sizeof(g->problem), &g->present);
	if (!o)
		return;
	const char *alg = cap_jstr(o, "algorithm"), *id = cap_jstr(o, "session"), *fh = cap_jstr(o, "final_hash");
	const char *pub = cap_jstr(o, "public_key"), *s64 = cap_jstr(o, "signature");
	int siglen = s64 ? cap_b64_decode(s64, sig, sizeof(sig)) : -1;
	int publen = pub ? cap_b64_decode(pub, raw, sizeof(raw)) : -1;

	if (!alg || strcmp(alg, "ed25519")) {
		snprintf(g->problem, sizeof(g->problem), "%s: algorithm is not \"ed25519\"", path);
	} else if (!id || strlen(id) >= SESSION_ID_MAX || !is_hash(fh) || !get_count(o, "records", &g->records) ||
		   siglen != CAP_SIGN_LEN || publen != CAP_SIGN_PUB_LEN || cap_sign_key_from_raw(raw, &embedded)) {
		snprintf(g->problem, sizeof(g->problem),
			 "%s is damaged: session, records, final_hash, public_key or signature is missing or malformed", path);
	} else {
		snprintf(g->session, sizeof(g->session), "%s", id);
		memcpy(g->final_hash, fh, sizeof(g->final_hash));
		cap_sign_fingerprint(embedded, g->fingerprint);
		uint8_t mine[CAP_SIGN_PUB_LEN];
		g->key_matches = key && !cap_sign_public_raw(key, mine) && !memcmp(mine, raw, sizeof(mine));
		int len = cap_sign_message(msg, sizeof(msg), g->session, g->records, g->final_hash);
		/* with --key, only that key counts; without it, the key the file names */
		cap_key *k = key ? key : embedded;
		g->valid = len > 0 && !cap_sign_check(k, msg, len, sig, siglen);
	}
	cap_sign_key_free(embedded);
	json_object_put(o);
}

/* The line'th line of the map, escaped and shortened, for the report. */
static void excerpt(const char *map, size_t size, uint64_t line, char *out, size_t n)
{
	const char *p = map, *end = map + size;
	struct sbuf b;
	for (uint64_t i = 1; i < line && p < end; i++) {
		const char *nl = memchr(p, '\n', end - p);
		p = nl ? nl + 1 : end;
	}
	const char *nl = p < end ? memchr(p, '\n', end - p) : NULL;
	size_t len = (nl ? nl : end) - p, show = len > 160 ? 160 : len;
	bool plain = true;
	for (size_t i = 0; i < show && plain; i++)
		plain = p[i] >= 0x20 && p[i] < 0x7f;
	sb_init(&b, out, n);
	/* printable ASCII as it is (JSON is easier to read without its quotes escaped again) */
	if (plain) {
		sb_putn(&b, p, show);
		if (len > show)
			sb_puts(&b, "…");
	} else {
		sb_escaped(&b, p, len, 160);
	}
}

static int emit_json(const char *file, const struct cap_chain_report *r, const char *message,
		     const struct summary_info *si, const struct sig_info *g, const char *keyfp, bool ok)
{
	json_object *o = json_object_new_object(), *s = json_object_new_object();
	json_object_object_add(o, "file", json_object_new_string(file));
	json_object_object_add(o, "intact", json_object_new_boolean(ok));
	json_object_object_add(o, "damage", json_object_new_string(cap_chain_damage_name(r->kind)));
	if (r->kind != CAP_CHAIN_INTACT) {
		json_object_object_add(o, "line", json_object_new_int64(r->line));
		json_object_object_add(o, "seq", json_object_new_int64(r->seq));
	}
	json_object_object_add(o, "message", json_object_new_string(message));
	json_object_object_add(o, "lines", json_object_new_int64(r->lines));
	json_object_object_add(o, "final_hash", json_object_new_string(r->final_hash));
	json_object_object_add(o, "summary_checked", json_object_new_boolean(si->has_chain));
	json_object_object_add(s, "present", json_object_new_boolean(g->present));
	if (g->present) {
		json_object_object_add(s, "valid", json_object_new_boolean(g->valid));
		json_object_object_add(s, "matches_log", json_object_new_boolean(g->matches_log));
		json_object_object_add(s, "key_fingerprint", json_object_new_string(g->fingerprint));
	}
	if (keyfp) {
		json_object_object_add(s, "expected_key", json_object_new_string(keyfp));
		json_object_object_add(s, "key_matches", json_object_new_boolean(g->key_matches));
	}
	json_object_object_add(o, "signature", s);
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *keypath = NULL;
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': keypath = optarg; break;
		case 'J': json = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind != argc - 1)
		return cli_error("verify needs one session folder or events.jsonl: capsule verify [OPTIONS] DIR|FILE"), 2;

	/* where the files are */
	const char *arg = argv[optind];
	char events[PATH_MAX], dir[PATH_MAX], summary[PATH_MAX + 16], signature[PATH_MAX + 16], err[512];
	struct stat st;
	if (stat(arg, &st))
		return cli_error("cannot read %s: %s", arg, strerror(errno)), 2;
	if (S_ISDIR(st.st_mode)) {
		snprintf(dir, sizeof(dir), "%s", arg);
		snprintf(events, sizeof(events), "%s/events.jsonl", arg);
	} else {
		snprintf(events, sizeof(events), "%s", arg);
		snprintf(dir, sizeof(dir), "%s", arg);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = 0;
		else
			snprintf(dir, sizeof(dir), ".");
	}
	snprintf(summary, sizeof(summary), "%s/summary.json", dir);
	snprintf(signature, sizeof(signature), "%s/signature.json", dir);

	cap_key *key = NULL;
	char keyfp[CAP_SIGN_FP_LEN + 1] = "";
	if (keypath) {
		if (cap_sign_load_public(keypath, &key, err, sizeof(err)))
			return cli_error("--key: %s", err), 2;
		cap_sign_fingerprint(key, keyfp);
	}

	int fd = open(events, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		cli_error("cannot read %s: %s", events, fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		cap_sign_key_free(key);
		return 2;
	}
	size_t size = st.st_size;
	const char *map = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : "";
	close(fd);
	if (map == MAP_FAILED) {
		cap_sign_key_free(key);
		return cli_error("cannot read %s: %s", events, strerror(errno)), 2;
	}

	struct summary_info si = { 0 };
	struct sig_info g = { 0 };
	read_summary(summary, &si);
	read_signature(signature, key, &g);

	/* the chain, line by line */
	static struct cap_chain_verifier v;
	int ret = 2;
	if (cap_chain_verify_init(&v, &si.exp)) {
		cli_error("cannot set up SHA-256 (OpenSSL)");
		goto out;
	}
	for (size_t off = 0; off < size;) {
		const char *p = map + off, *nl = memchr(p, '\n', size - off);
		size_t len = (nl ? nl : map + size) - p;
		int r = cap_chain_verify_line(&v, len > CAP_CHAIN_LINE_MAX ? NULL : p, len, nl != NULL);
		if (r < 0) {
			cli_error("SHA-256 failed (OpenSSL)");
			goto out;
		}
		if (r == 0)
			break;
		off += len + 1;
	}
	const struct cap_chain_report *r = cap_chain_verify_end(&v);

	/* the verdict */
	char message[1024], line[PATH_MAX + 512], buf[PATH_MAX + 512];
	cap_chain_describe(r, message, sizeof(message));
	bool ok = r->kind == CAP_CHAIN_INTACT && si.has_chain;
	if (g.present && g.valid) {
		g.matches_log = !strcmp(g.final_hash, r->final_hash) && g.records == r->lines &&
				(!si.present || !strcmp(g.session, si.session));
		/* the signature tells which of the two changed */
		if (r->kind == CAP_CHAIN_FINAL && g.matches_log)
			snprintf(message, sizeof(message),
				 "summary.json's final_hash was changed: the log's last line (line %llu) matches the signed hash",
				 (unsigned long long)r->line);
	}
	if (g.present && (!g.valid || !g.matches_log))
		ok = false;
	if (keypath && (!g.present || !g.key_matches))
		ok = false;

	if (json) {
		emit_json(events, r, message, &si, &g, keypath ? keyfp : NULL, ok);
	} else {
		if (r->kind == CAP_CHAIN_INTACT && si.has_chain)
			printf("%s: intact: %llu records, final hash %s matches summary.json\n", esc(events, buf, sizeof(buf)),
			       (unsigned long long)r->lines, r->final_hash);
		else if (r->kind == CAP_CHAIN_INTACT)
			printf("%s: chain consistent over %llu records, but its start and end are unchecked: %s\n",
			       esc(events, buf, sizeof(buf)), (unsigned long long)r->lines, esc(si.problem, line, sizeof(line)));
		else
			printf("%s: TAMPERED (%s): %s\n", esc(events, buf, sizeof(buf)), cap_chain_damage_name(r->kind), message);
		if (r->kind != CAP_CHAIN_INTACT && r->line && r->line <= r->lines &&
		    r->kind != CAP_CHAIN_REMOVED && r->kind != CAP_CHAIN_TRUNCATED) {
			excerpt(map, size, r->line, line, sizeof(line));
			printf("  line %llu: %s\n", (unsigned long long)r->line, line);
		}
		if (si.present && !si.has_chain && r->kind != CAP_CHAIN_INTACT)
			printf("  %s\n", esc(si.problem, line, sizeof(line)));
		if (!g.present && g.problem[0])
			printf("signature: %s\n", esc(g.problem, line, sizeof(line)));
		else if (!g.present)
			printf("signature: none%s\n", keypath ? " — the session is not signed (no signature.json)" : "");
		else if (g.problem[0])
			printf("signature: BAD: %s\n", esc(g.problem, line, sizeof(line)));
		else if (keypath && !g.key_matches)
			printf("signature: WRONG KEY: signed by %s, not by %s (%s)\n", g.fingerprint, keyfp,
			       esc(keypath, line, sizeof(line)));
		else if (!g.valid)
			printf("signature: BAD: signature.json does not verify with key %s: it was changed after signing\n",
			       keypath ? keyfp : g.fingerprint);
		else if (!g.matches_log)
			printf("signature: valid, but for another log state (session %s, %llu records, final hash %s)\n",
			       esc(g.session, line, sizeof(line)), (unsigned long long)g.records, g.final_hash);
		else if (keypath)
			printf("signature: valid, made with key %s (%s)\n", keyfp, esc(keypath, line, sizeof(line)));
		else
			printf("signature: valid for the key it names, %s (give --key PUB.pem to check whose key that is)\n",
			       g.fingerprint);
	}
	ret = ok ? 0 : 1;
out:
	cap_chain_verify_free(&v);
	cap_sign_key_free(key);
	if (size)
		munmap((void *)map, size);
	return ret;
}
