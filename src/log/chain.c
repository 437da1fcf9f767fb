/* The events.jsonl hash chain: sealing lines as they are written, and finding the first
 * damage in a log (see chain.h and docs/events.md, "Hash chain"). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include "log/chain.h"

static const char prev_key[] = ",\"prev\":\"";
#define PREV_KEY_LEN (sizeof(prev_key) - 1)
/* ,"prev":"<64 hex>"} */
#define SUFFIX_LEN (PREV_KEY_LEN + CAP_CHAIN_HEX_LEN + 2)

void cap_chain_hex(const uint8_t h[CAP_CHAIN_HASH_LEN], char out[CAP_CHAIN_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < CAP_CHAIN_HASH_LEN; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[CAP_CHAIN_HEX_LEN] = 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* the format is lowercase: anything else is not ours */
}

int cap_chain_unhex(const char *hex, uint8_t out[CAP_CHAIN_HASH_LEN])
{
	for (int i = 0; i < CAP_CHAIN_HASH_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

/* One digest with a context and algorithm fetched once: no allocation per line. */
static int digest(struct cap_chain *c, const void *data, size_t len, uint8_t out[CAP_CHAIN_HASH_LEN])
{
	unsigned int n = 0;
	if (!EVP_DigestInit_ex2(c->ctx, c->md, NULL) || !EVP_DigestUpdate(c->ctx, data, len) ||
	    !EVP_DigestFinal_ex(c->ctx, out, &n) || n != CAP_CHAIN_HASH_LEN)
		return -EIO;
	return 0;
}

int cap_chain_hash_hex(const void *data, size_t len, char out[CAP_CHAIN_HEX_LEN + 1])
{
	uint8_t h[CAP_CHAIN_HASH_LEN];
	unsigned int n = 0;
	if (!EVP_Digest(data, len, h, &n, EVP_sha256(), NULL) || n != CAP_CHAIN_HASH_LEN)
		return -EIO;
	cap_chain_hex(h, out);
	return 0;
}

int cap_chain_genesis(const char *session_id, char out[CAP_CHAIN_HEX_LEN + 1])
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "capsule:%s", session_id);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EINVAL;
	return cap_chain_hash_hex(buf, n, out);
}

int cap_chain_init(struct cap_chain *c, const char *session_id)
{
	memset(c, 0, sizeof(*c));
	c->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	c->ctx = EVP_MD_CTX_new();
	if (!c->md || !c->ctx) {
		cap_chain_free(c);
		return -ENOMEM;
	}
	int ret = cap_chain_genesis(session_id, c->prev);
	if (ret)
		cap_chain_free(c);
	return ret;
}

void cap_chain_free(struct cap_chain *c)
{
	EVP_MD_CTX_free(c->ctx);
	EVP_MD_free(c->md);
	c->ctx = NULL;
	c->md = NULL;
}

int cap_chain_seal(struct cap_chain *c, struct sbuf *b)
{
	uint8_t h[CAP_CHAIN_HASH_LEN];
	size_t len = b->len;

	if (b->full || len < 3 || b->buf[0] != '{' || b->buf[len - 2] != '}' || b->buf[len - 1] != '\n' ||
	    len - 2 + SUFFIX_LEN + 2 > b->cap)
		return -EINVAL;
	/* replace "}\n" by ,"prev":"<hex>"}\n in place */
	char *p = b->buf + len - 2;
	memcpy(p, prev_key, PREV_KEY_LEN);
	memcpy(p + PREV_KEY_LEN, c->prev, CAP_CHAIN_HEX_LEN);
	memcpy(p + PREV_KEY_LEN + CAP_CHAIN_HEX_LEN, "\"}\n", 4);
	b->len = len - 2 + SUFFIX_LEN + 1;
	if (digest(c, b->buf, b->len - 1, h))
		return -EIO;
	cap_chain_hex(h, c->prev);
	c->count++;
	return 0;
}

/* ---- reading lines ---- */

uint64_t cap_chain_line_seq(const char *line, size_t len)
{
	static const char key[] = "{\"seq\":";
	size_t k = sizeof(key) - 1, i;
	uint64_t v = 0;
	if (len <= k || memcmp(line, key, k))
		return 0;
	for (i = k; i < len && i < k + 20 && line[i] >= '0' && line[i] <= '9'; i++) {
		uint64_t d = line[i] - '0';
		if (v > (UINT64_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	if (i == k || i >= len || line[i] != ',')
		return 0;
	return v;
}

int cap_chain_line_prev(const char *line, size_t len, uint8_t out[CAP_CHAIN_HASH_LEN])
{
	if (len < SUFFIX_LEN + 1 || line[0] != '{')
		return -EINVAL;
	const char *s = line + len - SUFFIX_LEN;
	if (memcmp(s, prev_key, PREV_KEY_LEN) || memcmp(line + len - 2, "\"}", 2))
		return -EINVAL;
	return cap_chain_unhex(s + PREV_KEY_LEN, out);
}

/* ---- verification ---- */

int cap_chain_verify_init(struct cap_chain_verifier *v, const struct cap_chain_expect *exp)
{
	int ret;

	memset(v, 0, sizeof(*v));
	if (exp)
		v->exp = *exp;
	if (v->exp.have_end && (strlen(v->exp.final_hash) != CAP_CHAIN_HEX_LEN ||
				cap_chain_unhex(v->exp.final_hash, v->final_hash)))
		return -EINVAL;
	ret = cap_chain_init(&v->chain, v->exp.session_id ? v->exp.session_id : "");
	if (ret)
		return ret;
	if (v->exp.session_id) {
		cap_chain_unhex(v->chain.prev, v->want_prev);
		v->genesis_known = true;
	}
	return 0;
}

void cap_chain_verify_free(struct cap_chain_verifier *v)
{
	cap_chain_free(&v->chain);
}

static bool same(const uint8_t *a, const uint8_t *b)
{
	return !memcmp(a, b, CAP_CHAIN_HASH_LEN);
}

/* The first line that does not continue the chain is win[0] (line break_line); the lines after
 * it, up to the window's size, tell what most likely happened. */
static void classify(struct cap_chain_verifier *v, bool eof)
{
	struct cap_chain_report *r = &v->rep;
	const struct cap_chain_link *L = &v->win[0];
	const uint8_t *want = v->want_prev;  /* what line i's prev should be */
	uint64_t i = v->break_line, E = v->last.seq + 1;
	bool want_known = i > 1 || v->genesis_known;
	size_t j = 0;

	r->line = i;
	r->seq = L->seq;
	if (eof && v->cut_short && i == v->lines) {
		/* the last line lost its end: the file was cut in the middle of a record */
		r->kind = CAP_CHAIN_TRUNCATED;
		r->seq = E;
		r->seq_to = v->exp.have_end && v->exp.records >= E ? v->exp.records : 0;
		r->other_line = i;
		return;
	}
	if (want_known && L->has_prev && same(L->prev, want)) {
		/* linked to the line before, yet the wrong seq: its seq was edited */
		r->kind = CAP_CHAIN_ALTERED;
		return;
	}
	/* the true successor of line i-1, if it is further down */
	if (want_known)
		for (size_t k = 1; k < v->nwin && !j; k++)
			if (v->win[k].has_prev && same(v->win[k].prev, want))
				j = k;
	if (j) {
		/* lines i..i+j-1 stand where they do not belong: moved up from later, or added */
		for (size_t k = 1; k < v->nwin && L->has_prev; k++) {
			if (same(v->win[k].hash, L->prev) && L->seq > E) {
				r->kind = CAP_CHAIN_REORDERED;
				r->other_line = i + j;
				r->other_seq = v->win[j].seq;
				return;
			}
		}
		r->kind = CAP_CHAIN_INSERTED;
		if (i > 1 && same(L->hash, v->last.hash))
			r->other_line = i - 1;
		return;
	}
	if (L->seq > E) {
		r->kind = CAP_CHAIN_REMOVED;
		r->seq = E;
		r->seq_to = L->seq - 1;
		return;
	}
	if (L->seq && L->seq < E) {
		/* an earlier seq again: a copy of a record, or a forged one */
		r->kind = CAP_CHAIN_INSERTED;
		if (i > 1 && same(L->hash, v->last.hash))
			r->other_line = i - 1;
		return;
	}
	if (!L->has_prev) {
		r->kind = CAP_CHAIN_MALFORMED;
		return;
	}
	/* the right seq but the wrong prev: either the line before changed after it was hashed
	 * (then this line still links to the next one), or this line itself did */
	bool next_ok;
	if (v->nwin > 1)
		next_ok = v->win[1].has_prev && same(v->win[1].prev, L->hash);
	else
		next_ok = eof && v->exp.have_end && v->exp.records == i && same(L->hash, v->final_hash);
	if (next_ok && i == 1) {
		r->kind = CAP_CHAIN_GENESIS;
	} else if (next_ok) {
		r->kind = CAP_CHAIN_ALTERED;
		r->line = i - 1;
		r->seq = v->last.seq;
	} else {
		r->kind = CAP_CHAIN_ALTERED;
	}
}

int cap_chain_verify_line(struct cap_chain_verifier *v, const char *line, size_t len, bool has_newline)
{
	struct cap_chain_link L = { 0 };

	if (v->done)
		return 0;
	v->lines++;
	v->rep.lines = v->lines;
	if (!has_newline)
		v->cut_short = true;
	if (line) { /* NULL: a line too long to be a record */
		L.seq = cap_chain_line_seq(line, len);
		L.has_prev = !cap_chain_line_prev(line, len, L.prev);
		if (digest(&v->chain, line, len, L.hash))
			return -EIO;
	}
	if (v->broken) {
		v->win[v->nwin++] = L;
		if (v->nwin == CAP_CHAIN_WINDOW) {
			classify(v, false);
			v->done = true;
			return 0;
		}
		return 1;
	}
	bool first_unchecked = v->lines == 1 && !v->genesis_known;
	bool linked = L.has_prev && (first_unchecked || same(L.prev, v->want_prev));
	if (linked && L.seq == v->last.seq + 1) {
		v->last = L;
		memcpy(v->want_prev, L.hash, CAP_CHAIN_HASH_LEN);
		cap_chain_hex(L.hash, v->rep.final_hash);
		return 1;
	}
	v->broken = true;
	v->break_line = v->lines;
	v->win[0] = L;
	v->nwin = 1;
	return 1;
}

const struct cap_chain_report *cap_chain_verify_end(struct cap_chain_verifier *v)
{
	struct cap_chain_report *r = &v->rep;

	if (v->done)
		return r;
	v->done = true;
	if (!v->lines && v->genesis_known)
		memcpy(r->final_hash, v->chain.prev, sizeof(r->final_hash));
	if (v->broken) {
		classify(v, true);
		return r;
	}
	if (v->cut_short) {
		r->kind = CAP_CHAIN_TRUNCATED;
		r->line = r->other_line = v->lines;
		r->seq = v->last.seq;
		return r;
	}
	if (!v->exp.have_end)
		return r;
	if (v->lines < v->exp.records) {
		r->kind = CAP_CHAIN_TRUNCATED;
		r->line = v->lines + 1;
		r->seq = v->last.seq + 1;
		r->seq_to = v->exp.records;
	} else if (v->lines > v->exp.records) {
		r->kind = CAP_CHAIN_APPENDED;
		r->line = v->exp.records + 1;
		r->seq = v->exp.records + 1;
	} else if (strcmp(r->final_hash, v->exp.final_hash)) {
		r->kind = CAP_CHAIN_FINAL;
		r->line = v->lines;
		r->seq = v->last.seq;
	}
	return r;
}

const char *cap_chain_damage_name(enum cap_chain_damage d)
{
	static const char *const names[] = {
		[CAP_CHAIN_INTACT] = "intact",       [CAP_CHAIN_ALTERED] = "altered",
		[CAP_CHAIN_REMOVED] = "removed",     [CAP_CHAIN_INSERTED] = "inserted",
		[CAP_CHAIN_REORDERED] = "reordered", [CAP_CHAIN_GENESIS] = "genesis",
		[CAP_CHAIN_TRUNCATED] = "truncated", [CAP_CHAIN_APPENDED] = "appended",
		[CAP_CHAIN_FINAL] = "final_hash",    [CAP_CHAIN_MALFORMED] = "malformed",
	};
	return (unsigned)d < sizeof(names) / sizeof(names[0]) ? names[d] : "unknown";
}

void cap_chain_describe(const struct cap_chain_report *r, char *out, size_t n)
{
	unsigned long long line = r->line, seq = r->seq, to = r->seq_to;
	char what[64]; /* "line 5 (seq 5)", or "line 5 (no seq)" */

	if (seq)
		snprintf(what, sizeof(what), "line %llu (seq %llu)", line, seq);
	else
		snprintf(what, sizeof(what), "line %llu (no seq)", line);

	switch (r->kind) {
	case CAP_CHAIN_INTACT:
		snprintf(out, n, "intact: %llu records, final hash %s", (unsigned long long)r->lines,
			 r->final_hash);
		break;
	case CAP_CHAIN_ALTERED:
		snprintf(out, n, "%s was altered: its bytes no longer hash to what the chain recorded", what);
		break;
	case CAP_CHAIN_REMOVED:
		if (to > seq)
			snprintf(out, n, "records seq %llu to %llu were removed before line %llu", seq, to, line);
		else
			snprintf(out, n, "record seq %llu was removed before line %llu", seq, line);
		break;
	case CAP_CHAIN_INSERTED:
		if (r->other_line)
			snprintf(out, n, "%s was inserted: a copy of line %llu", what, (unsigned long long)r->other_line);
		else
			snprintf(out, n, "%s was inserted: it does not belong in the chain", what);
		break;
	case CAP_CHAIN_REORDERED:
		snprintf(out, n, "%s is out of order: it stands before line %llu (seq %llu) but belongs after it",
			 what, (unsigned long long)r->other_line, (unsigned long long)r->other_seq);
		break;
	case CAP_CHAIN_GENESIS:
		snprintf(out, n, "line 1 does not start this session's chain: the log is from another session, or summary.json's session id was changed");
		break;
	case CAP_CHAIN_TRUNCATED: {
		char cut[96] = "";
		if (r->other_line)
			snprintf(cut, sizeof(cut), "line %llu is cut short (the file ends inside it)",
				 (unsigned long long)r->other_line);
		if (to > seq)
			snprintf(out, n, "%s%srecords seq %llu to %llu were cut from the end", cut, *cut ? ": " : "", seq, to);
		else if (to == seq && to)
			snprintf(out, n, "%s%srecord seq %llu was cut from the end", cut, *cut ? ": " : "", seq);
		else
			snprintf(out, n, "%s: the log was truncated", cut);
		if (!r->other_line)
			snprintf(out + strlen(out), n - strlen(out), " (the log stops at line %llu)", line - 1);
		break;
	}
	case CAP_CHAIN_APPENDED:
		snprintf(out, n, "%s and the lines after it were added after the session's last record", what);
		break;
	case CAP_CHAIN_FINAL:
		snprintf(out, n, "the last line, %s, was altered, or summary.json's final_hash was changed", what);
		break;
	case CAP_CHAIN_MALFORMED:
		if (seq)
			snprintf(out, n, "%s has no prev member at its end: damaged, or written without a hash chain", what);
		else
			snprintf(out, n, "line %llu is not a chained capsule record (no seq or prev member): inserted or damaged", line);
		break;
	}
}
