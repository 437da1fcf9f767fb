/* Tamper evidence for events.jsonl: a SHA-256 hash chain over the lines (docs/events.md,
 * "Hash chain"). Every line ends with the member "prev":"<hex>", the hash of the line before
 * it; line 1's prev is the hash of "capsule:" + session id. A line's hash is SHA-256 of its
 * bytes without the newline. The hash of the last line is the session's final hash.
 *
 * Sealing (capsule run) costs one SHA-256 per line; verifying (capsule verify) reads a log
 * line by line and classifies the first damage it finds. Pure code: no I/O, no printing. */
#ifndef CAPSULE_CHAIN_H
#define CAPSULE_CHAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "format/sbuf.h"

#define CAP_CHAIN_HASH_LEN 32
#define CAP_CHAIN_HEX_LEN 64
/* What sealing adds to a line: ,"prev":"<64 hex>"} and the newline (the "}\n" it replaces
 * is already there). Keep this much room free in the line buffer. */
#define CAP_CHAIN_SUFFIX_MAX 80
/* A record moved further than this many lines from its place is reported as removed. */
#define CAP_CHAIN_WINDOW 256
/* Longest line verify accepts as a record (capsule writes at most 256 KiB). */
#define CAP_CHAIN_LINE_MAX (1 << 20)

struct cap_chain {
	void *ctx;                  /* EVP_MD_CTX, reused for every line */
	void *md;                   /* EVP_MD for SHA-256, fetched once */
	char prev[CAP_CHAIN_HEX_LEN + 1]; /* hash of the last sealed line (the genesis at first) */
	uint64_t count;             /* lines sealed */
};

/* SHA-256 hex (lowercase, NUL-terminated) of "capsule:" + session_id. */
int cap_chain_genesis(const char *session_id, char out[CAP_CHAIN_HEX_LEN + 1]);
/* SHA-256 hex of len bytes. */
int cap_chain_hash_hex(const void *data, size_t len, char out[CAP_CHAIN_HEX_LEN + 1]);

/* Starts a chain for a session. 0, or -ENOMEM / -EIO (OpenSSL failed). */
int cap_chain_init(struct cap_chain *c, const char *session_id);
/* Turns the line in b (one JSON object ending in "}\n") into a chained line: adds the prev
 * member before the closing brace, hashes the line, and makes that hash the next prev.
 * b must have CAP_CHAIN_SUFFIX_MAX bytes free. 0, or -EINVAL (not a JSON object line, or
 * no room: b is left as it was) / -EIO. */
int cap_chain_seal(struct cap_chain *c, struct sbuf *b);
/* The session's final hash: the last sealed line's hash (the genesis when none was sealed). */
static inline const char *cap_chain_final(const struct cap_chain *c) { return c->prev; }
void cap_chain_free(struct cap_chain *c);

/* ---- verification ---- */

enum cap_chain_damage {
	CAP_CHAIN_INTACT = 0,
	CAP_CHAIN_ALTERED,     /* a record's bytes were changed (line) */
	CAP_CHAIN_REMOVED,     /* records seq..seq_to are missing before line */
	CAP_CHAIN_INSERTED,    /* line is a record that does not belong (a copy, or forged) */
	CAP_CHAIN_REORDERED,   /* line (seq) stands before other_line (other_seq), its true place is later */
	CAP_CHAIN_GENESIS,     /* line 1 does not start this session's chain */
	CAP_CHAIN_TRUNCATED,   /* records seq..seq_to were cut from the end (or line is cut short) */
	CAP_CHAIN_APPENDED,    /* lines from line on were added after the session's last record */
	CAP_CHAIN_FINAL,       /* the last line or the summary's final_hash was changed */
	CAP_CHAIN_MALFORMED,   /* line is not a chained capsule record at all */
};

/* What the session's summary says about the log (from summary.json), when known. */
struct cap_chain_expect {
	const char *session_id;  /* for the genesis; NULL: line 1's prev is taken as given */
	bool have_end;           /* final_hash and records below are known */
	char final_hash[CAP_CHAIN_HEX_LEN + 1];
	uint64_t records;
};

struct cap_chain_report {
	enum cap_chain_damage kind;
	uint64_t line, seq;             /* the record concerned (seq 0: unknown) */
	uint64_t seq_to;                /* REMOVED, TRUNCATED: last missing seq */
	uint64_t other_line, other_seq; /* REORDERED: the record it jumped ahead of; INSERTED: the
					   line it copies; TRUNCATED: the line cut short (0: none) */
	uint64_t lines;                 /* lines read */
	char final_hash[CAP_CHAIN_HEX_LEN + 1]; /* hash of the last line read */
};

struct cap_chain_link {
	uint64_t seq;         /* 0: no seq at the start of the line */
	bool has_prev;
	uint8_t prev[CAP_CHAIN_HASH_LEN];
	uint8_t hash[CAP_CHAIN_HASH_LEN];
};

struct cap_chain_verifier {
	struct cap_chain chain;        /* its hash context */
	struct cap_chain_expect exp;
	uint8_t want_prev[CAP_CHAIN_HASH_LEN];
	uint8_t final_hash[CAP_CHAIN_HASH_LEN]; /* exp.final_hash, when have_end */
	bool genesis_known;
	struct cap_chain_link last;    /* the last line that checked out (seq 0 before line 1) */
	uint64_t lines;
	bool broken, done, cut_short;
	uint64_t break_line;
	struct cap_chain_link win[CAP_CHAIN_WINDOW]; /* the line that broke the chain and the next ones */
	size_t nwin;
	struct cap_chain_report rep;
};

/* exp is copied (session_id must outlive the verifier). 0, or -ENOMEM / -EIO / -EINVAL (a
 * final_hash that is not 64 hex digits). */
int cap_chain_verify_init(struct cap_chain_verifier *v, const struct cap_chain_expect *exp);
/* One line of the log, without its newline (has_newline: whether one followed it). Returns
 * 1 while more lines are useful, 0 once the verdict is known (the caller may stop), -EIO. */
int cap_chain_verify_line(struct cap_chain_verifier *v, const char *line, size_t len, bool has_newline);
/* The verdict once every line was given (or feeding stopped at 0). */
const struct cap_chain_report *cap_chain_verify_end(struct cap_chain_verifier *v);
void cap_chain_verify_free(struct cap_chain_verifier *v);

/* One sentence saying what the report means, for people. */
void cap_chain_describe(const struct cap_chain_report *r, char *out, size_t n);
/* A short name for a damage kind: "intact", "altered", "removed", ... */
const char *cap_chain_damage_name(enum cap_chain_damage d);

/* Parsing helpers (exposed for tests): the seq at the start of a capsule line (0: none),
 * and the prev member at its end (0, or -EINVAL). */
uint64_t cap_chain_line_seq(const char *line, size_t len);
int cap_chain_line_prev(const char *line, size_t len, uint8_t out[CAP_CHAIN_HASH_LEN]);
int cap_chain_unhex(const char *hex, uint8_t out[CAP_CHAIN_HASH_LEN]);
void cap_chain_hex(const uint8_t h[CAP_CHAIN_HASH_LEN], char out[CAP_CHAIN_HEX_LEN + 1]);

#endif
