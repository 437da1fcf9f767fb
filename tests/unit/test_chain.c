/* The events.jsonl hash chain (sealing lines, classifying damage) and the Ed25519 signing of
 * its final hash. Expected hashes were computed independently (Python hashlib). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include "log/chain.h"
#include "log/sign.h"

#define SESSION "20261204-101500-4242"
/* sha256("capsule:20261204-101500-4242") */
#define GENESIS "9f0e5828dc0714a1d7a41ecf1e649f7b8f9bbcae9d7b16f05a22fff297b8538c"
/* the two sealed lines of test_seal_known_lines and their hashes */
#define H1 "38bbfce936a858fbe3855f09894460da47a361c6c28848c38f07fe4a35657f65"
#define H2 "40999367ca6848cdfbeb5fcfe394fd532564cc895d02f66559efd759b869a133"

static void test_genesis_and_hash(void **state)
{
	(void)state;
	char hex[CAP_CHAIN_HEX_LEN + 1];
	assert_int_equal(cap_chain_genesis(SESSION, hex), 0);
	assert_string_equal(hex, GENESIS);
	assert_int_equal(cap_chain_hash_hex("", 0, hex), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	struct cap_chain c;
	assert_int_equal(cap_chain_init(&c, SESSION), 0);
	assert_string_equal(cap_chain_final(&c), GENESIS); /* no line yet: the final hash is the genesis */
	assert_int_equal(c.count, 0);
	cap_chain_free(&c);
}

static void seal_str(struct cap_chain *c, const char *in, char *out, size_t cap)
{
	struct sbuf b;
	sb_init(&b, out, cap);
	sb_puts(&b, in);
	assert_int_equal(cap_chain_seal(c, &b), 0);
	assert_int_equal(b.len, strlen(out));
}

static void test_seal_known_lines(void **state)
{
	(void)state;
	struct cap_chain c;
	char buf[512];
	assert_int_equal(cap_chain_init(&c, SESSION), 0);
	seal_str(&c, "{\"seq\":1,\"kind\":\"execve\"}\n", buf, sizeof(buf));
	assert_string_equal(buf, "{\"seq\":1,\"kind\":\"execve\",\"prev\":\"" GENESIS "\"}\n");
	assert_string_equal(cap_chain_final(&c), H1);
	seal_str(&c, "{\"seq\":2,\"kind\":\"exit\"}\n", buf, sizeof(buf));
	assert_string_equal(buf, "{\"seq\":2,\"kind\":\"exit\",\"prev\":\"" H1 "\"}\n");
	assert_string_equal(cap_chain_final(&c), H2);
	assert_int_equal(c.count, 2);
	cap_chain_free(&c);
}

static void test_seal_rejects(void **state)
{
	(void)state;
	struct cap_chain c;
	struct sbuf b;
	char buf[256];
	assert_int_equal(cap_chain_init(&c, SESSION), 0);
	/* not an object line */
	sb_init(&b, buf, sizeof(buf));
	sb_puts(&b, "{\"seq\":1}");
	assert_int_equal(cap_chain_seal(&c, &b), -EINVAL);
	sb_init(&b, buf, sizeof(buf));
	sb_puts(&b, "[1]\n");
	assert_int_equal(cap_chain_seal(&c, &b), -EINVAL);
	/* no room for the member: the line is left as it was */
	sb_init(&b, buf, 40);
	sb_puts(&b, "{\"seq\":1,\"kind\":\"x\"}\n");
	assert_int_equal(cap_chain_seal(&c, &b), -EINVAL);
	assert_string_equal(buf, "{\"seq\":1,\"kind\":\"x\"}\n");
	/* a line already cut short */
	sb_init(&b, buf, 8);
	sb_puts(&b, "{\"seq\":1,\"kind\":\"x\"}\n");
	assert_true(b.full);
	assert_int_equal(cap_chain_seal(&c, &b), -EINVAL);
	assert_int_equal(c.count, 0);
	assert_string_equal(cap_chain_final(&c), GENESIS);
	cap_chain_free(&c);
}

static void test_line_parsing(void **state)
{
	(void)state;
	uint8_t h[CAP_CHAIN_HASH_LEN], g[CAP_CHAIN_HASH_LEN];
#define SEQ(s) cap_chain_line_seq(s, strlen(s))
	assert_int_equal(SEQ("{\"seq\":12,\"x\":1}"), 12);
	assert_int_equal(SEQ("{\"seq\":18446744073709551615,"), UINT64_MAX);
	assert_int_equal(SEQ("{\"seq\":18446744073709551616,"), 0); /* overflow */
	assert_int_equal(SEQ("{\"seq\":12}"), 0);
	assert_int_equal(SEQ("{\"seq\":,"), 0);
	assert_int_equal(SEQ("{\"seq\":-1,"), 0);
	assert_int_equal(SEQ(" {\"seq\":1,"), 0);
	assert_int_equal(SEQ("{\"seq\":12"), 0);
	assert_int_equal(SEQ(""), 0);
	const char *ok = "{\"seq\":1,\"prev\":\"" GENESIS "\"}";
	assert_int_equal(cap_chain_line_prev(ok, strlen(ok), h), 0);
	assert_int_equal(cap_chain_unhex(GENESIS, g), 0);
	assert_memory_equal(h, g, sizeof(h));
	const char *upper = "{\"seq\":1,\"prev\":\"9F0E5828DC0714A1D7A41ECF1E649F7B8F9BBCAE9D7B16F05A22FFF297B8538C\"}";
	assert_int_equal(cap_chain_line_prev(upper, strlen(upper), h), -EINVAL);
	const char *notlast = "{\"prev\":\"" GENESIS "\",\"seq\":1}";
	assert_int_equal(cap_chain_line_prev(notlast, strlen(notlast), h), -EINVAL);
	assert_int_equal(cap_chain_line_prev(ok, strlen(ok) - 1, h), -EINVAL);
	assert_int_equal(cap_chain_line_prev("{}", 2, h), -EINVAL);
	char hex[CAP_CHAIN_HEX_LEN + 1];
	cap_chain_hex(g, hex);
	assert_string_equal(hex, GENESIS);
}

/* ---- a chain of N lines, then damage ---- */

#define N 12
#define MAXL (N + 4)

struct log {
	char *line[MAXL]; /* without newlines */
	size_t n;
	char final[CAP_CHAIN_HEX_LEN + 1];
	bool last_has_newline;
};

static void make_log(struct log *l, size_t n)
{
	struct cap_chain c;
	char buf[512];
	memset(l, 0, sizeof(*l));
	assert_int_equal(cap_chain_init(&c, SESSION), 0);
	for (size_t i = 0; i < n; i++) {
		char in[128];
		snprintf(in, sizeof(in), "{\"seq\":%zu,\"kind\":\"openat\",\"path\":\"/etc/f%zu\"}\n", i + 1, i);
		seal_str(&c, in, buf, sizeof(buf));
		buf[strlen(buf) - 1] = 0;
		l->line[i] = strdup(buf);
	}
	l->n = n;
	l->last_has_newline = true;
	memcpy(l->final, cap_chain_final(&c), sizeof(l->final));
	cap_chain_free(&c);
}

static void free_log(struct log *l)
{
	for (size_t i = 0; i < MAXL; i++)
		free(l->line[i]);
}

static void del(struct log *l, size_t i)
{
	free(l->line[i]);
	memmove(&l->line[i], &l->line[i + 1], (l->n - i - 1) * sizeof(char *));
	l->line[--l->n] = NULL;
}

static void ins(struct log *l, size_t i, const char *s)
{
	memmove(&l->line[i + 1], &l->line[i], (l->n - i) * sizeof(char *));
	l->line[i] = strdup(s);
	l->n++;
}

static void swap(struct log *l, size_t i, size_t j)
{
	char *t = l->line[i];
	l->line[i] = l->line[j];
	l->line[j] = t;
}

/* Verifies l against what summary.json would say for the intact log of `records` lines. */
static struct cap_chain_report check(const struct log *l, const char *final, uint64_t records, bool with_summary)
{
	static struct cap_chain_verifier v;
	struct cap_chain_expect e = { 0 };
	if (with_summary) {
		e.session_id = SESSION;
		e.have_end = true;
		memcpy(e.final_hash, final, sizeof(e.final_hash));
		e.records = records;
	}
	assert_int_equal(cap_chain_verify_init(&v, &e), 0);
	for (size_t i = 0; i < l->n; i++)
		if (cap_chain_verify_line(&v, l->line[i], strlen(l->line[i]),
					  i + 1 < l->n || l->last_has_newline) == 0)
			break;
	struct cap_chain_report r = *cap_chain_verify_end(&v);
	cap_chain_verify_free(&v);
	return r;
}

#define EXPECT(r, k, l, s)                                   \
	do {                                                 \
		assert_string_equal(cap_chain_damage_name((r).kind), cap_chain_damage_name(k)); \
		assert_int_equal((r).line, l);               \
		assert_int_equal((r).seq, s);                \
	} while (0)

static void test_verify_intact(void **state)
{
	(void)state;
	struct log l;
	make_log(&l, N);
	struct cap_chain_report r = check(&l, l.final, N, true);
	assert_int_equal(r.kind, CAP_CHAIN_INTACT);
	assert_int_equal(r.lines, N);
	assert_string_equal(r.final_hash, l.final);
	char msg[256];
	cap_chain_describe(&r, msg, sizeof(msg));
	assert_non_null(strstr(msg, "intact: 12 records"));
	/* without a summary: the chain holds, its ends are taken as given */
	r = check(&l, NULL, 0, false);
	assert_int_equal(r.kind, CAP_CHAIN_INTACT);
	free_log(&l);

	/* an empty log of a session without events: the final hash is the genesis */
	make_log(&l, 0);
	r = check(&l, GENESIS, 0, true);
	assert_int_equal(r.kind, CAP_CHAIN_INTACT);
	assert_string_equal(r.final_hash, GENESIS);
	free_log(&l);
}

static void test_verify_genesis(void **state)
{
	(void)state;
	struct log l;
	static struct cap_chain_verifier v;
	struct cap_chain_expect e = { .session_id = "20261204-101500-4243", .have_end = true, .records = N };
	make_log(&l, N);
	memcpy(e.final_hash, l.final, sizeof(e.final_hash));
	assert_int_equal(cap_chain_verify_init(&v, &e), 0);
	for (size_t i = 0; i < l.n; i++)
		cap_chain_verify_line(&v, l.line[i], strlen(l.line[i]), true);
	const struct cap_chain_report *r = cap_chain_verify_end(&v);
	EXPECT(*r, CAP_CHAIN_GENESIS, 1, 1);
	cap_chain_verify_free(&v);
	free_log(&l);
}

static void test_verify_altered(void **state)
{
	(void)state;
	struct log l;
	struct cap_chain_report r;

	/* one byte of a middle record's content */
	make_log(&l, N);
	l.line[4][strlen("{\"seq\":5,\"kind\":\"o")] = 'X';
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_ALTERED, 5, 5);
	r = check(&l, NULL, 0, false); /* the chain alone says the same */
	EXPECT(r, CAP_CHAIN_ALTERED, 5, 5);
	free_log(&l);

	/* its seq */
	make_log(&l, N);
	l.line[4][7] = '9';
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_ALTERED, 5, 9);
	free_log(&l);

	/* its prev member made unreadable */
	make_log(&l, N);
	l.line[4][strlen(l.line[4]) - 10] = 'G';
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_MALFORMED, 5, 5);
	char msg[256];
	cap_chain_describe(&r, msg, sizeof(msg));
	assert_string_equal(msg, "line 5 (seq 5) has no prev member at its end: damaged, or written without a hash chain");
	free_log(&l);

	/* its prev member */
	make_log(&l, N);
	char *p = l.line[4] + strlen(l.line[4]) - 3;
	*p = *p == '0' ? '1' : '0';
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_ALTERED, 5, 5);
	free_log(&l);

	/* the first record */
	make_log(&l, N);
	l.line[0][20] = 'X';
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_ALTERED, 1, 1);
	free_log(&l);

	/* the last record: only the summary's final hash shows it */
	make_log(&l, N);
	l.line[N - 1][20] = 'X';
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_FINAL, N, N);
	r = check(&l, NULL, 0, false);
	assert_int_equal(r.kind, CAP_CHAIN_INTACT);
	/* the summary's final hash edited instead: the same report */
	free_log(&l);
	make_log(&l, N);
	r = check(&l, GENESIS, N, true);
	EXPECT(r, CAP_CHAIN_FINAL, N, N);
	free_log(&l);

	/* the next-to-last: the last line still links to it, and the summary confirms the last */
	make_log(&l, N);
	l.line[N - 2][20] = 'X';
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_ALTERED, N - 1, N - 1);
	free_log(&l);
}

static void test_verify_removed(void **state)
{
	(void)state;
	struct log l;
	struct cap_chain_report r;

	make_log(&l, N);
	del(&l, 4);
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_REMOVED, 5, 5);
	assert_int_equal(r.seq_to, 5);
	free_log(&l);

	make_log(&l, N);
	del(&l, 4);
	del(&l, 4);
	del(&l, 4);
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_REMOVED, 5, 5);
	assert_int_equal(r.seq_to, 7);
	char msg[256];
	cap_chain_describe(&r, msg, sizeof(msg));
	assert_string_equal(msg, "records seq 5 to 7 were removed before line 5");
	free_log(&l);

	/* the first record, with and without the summary's session id */
	make_log(&l, N);
	del(&l, 0);
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_REMOVED, 1, 1);
	r = check(&l, NULL, 0, false);
	EXPECT(r, CAP_CHAIN_REMOVED, 1, 1);
	free_log(&l);
}

static void test_verify_reordered(void **state)
{
	(void)state;
	struct log l;
	struct cap_chain_report r;

	make_log(&l, N);
	swap(&l, 4, 5);
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_REORDERED, 5, 6);
	assert_int_equal(r.other_line, 6);
	assert_int_equal(r.other_seq, 5);
	free_log(&l);

	make_log(&l, N);
	swap(&l, 2, 8);
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_REORDERED, 3, 9);
	assert_int_equal(r.other_line, 9);
	assert_int_equal(r.other_seq, 3);
	free_log(&l);

	/* a record moved later: the first out of place is the one after its old place */
	make_log(&l, N);
	char *moved = l.line[3];
	memmove(&l.line[3], &l.line[4], 4 * sizeof(char *));
	l.line[7] = moved; /* 1 2 3 5 6 7 8 4 9 ... */
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_REORDERED, 4, 5);
	assert_int_equal(r.other_line, 8);
	assert_int_equal(r.other_seq, 4);
	free_log(&l);
}

static void test_verify_inserted(void **state)
{
	(void)state;
	struct log l;
	struct cap_chain_report r;

	/* a duplicate of a record right after it */
	make_log(&l, N);
	ins(&l, 5, l.line[4]);
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_INSERTED, 6, 5);
	assert_int_equal(r.other_line, 5);
	free_log(&l);

	/* a duplicate of an earlier record further down */
	make_log(&l, N);
	ins(&l, 8, l.line[1]);
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_INSERTED, 9, 2);
	assert_int_equal(r.other_line, 0);
	free_log(&l);

	/* a forged record with the next seq and a made-up prev */
	make_log(&l, N);
	ins(&l, 5, "{\"seq\":6,\"kind\":\"openat\",\"prev\":\"" GENESIS "\"}");
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_INSERTED, 6, 6);
	free_log(&l);

	/* something that is not a record at all */
	make_log(&l, N);
	ins(&l, 5, "hello");
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_INSERTED, 6, 0);
	free_log(&l);
	make_log(&l, N);
	ins(&l, N, "");
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_MALFORMED, N + 1, 0);
	free_log(&l);
}

static void test_verify_end(void **state)
{
	(void)state;
	struct log l;
	struct cap_chain_report r;
	char msg[256];

	/* the last record dropped */
	make_log(&l, N);
	char full_final[CAP_CHAIN_HEX_LEN + 1];
	memcpy(full_final, l.final, sizeof(full_final));
	del(&l, N - 1);
	r = check(&l, full_final, N, true);
	EXPECT(r, CAP_CHAIN_TRUNCATED, N, N);
	assert_int_equal(r.seq_to, N);
	cap_chain_describe(&r, msg, sizeof(msg));
	assert_string_equal(msg, "record seq 12 was cut from the end (the log stops at line 11)");
	/* without the summary nothing can tell */
	r = check(&l, NULL, 0, false);
	assert_int_equal(r.kind, CAP_CHAIN_INTACT);
	del(&l, N - 2);
	del(&l, N - 3);
	r = check(&l, full_final, N, true);
	EXPECT(r, CAP_CHAIN_TRUNCATED, N - 2, N - 2);
	assert_int_equal(r.seq_to, N);
	free_log(&l);

	/* the last line cut in the middle, no newline */
	make_log(&l, N);
	l.line[N - 1][30] = 0;
	l.last_has_newline = false;
	r = check(&l, l.final, N, true);
	EXPECT(r, CAP_CHAIN_TRUNCATED, N, N);
	cap_chain_describe(&r, msg, sizeof(msg));
	assert_string_equal(msg, "line 12 is cut short (the file ends inside it): record seq 12 was cut from the end");
	r = check(&l, NULL, 0, false);
	assert_int_equal(r.kind, CAP_CHAIN_TRUNCATED);
	assert_int_equal(r.line, N);
	free_log(&l);

	/* only the last newline missing */
	make_log(&l, N);
	l.last_has_newline = false;
	r = check(&l, l.final, N, true);
	assert_int_equal(r.kind, CAP_CHAIN_TRUNCATED);
	assert_int_equal(r.line, N);
	cap_chain_describe(&r, msg, sizeof(msg));
	assert_string_equal(msg, "line 12 is cut short (the file ends inside it): the log was truncated");
	free_log(&l);

	/* records appended after the summary was written (a longer chain than it says) */
	make_log(&l, N);
	r = check(&l, l.final, N - 2, true);
	EXPECT(r, CAP_CHAIN_APPENDED, N - 1, N - 1);
	free_log(&l);
}

static void test_verify_window(void **state)
{
	(void)state;
	/* the verdict comes once the window after the break is full: reading stops there */
	static struct cap_chain_verifier v;
	struct cap_chain c;
	char buf[256];
	uint64_t fed = 0;
	assert_int_equal(cap_chain_init(&c, SESSION), 0);
	assert_int_equal(cap_chain_verify_init(&v, &(struct cap_chain_expect){ .session_id = SESSION }), 0);
	for (int i = 1; i <= 1000; i++) {
		char in[64];
		snprintf(in, sizeof(in), "{\"seq\":%d}\n", i);
		seal_str(&c, in, buf, sizeof(buf));
		if (i == 10)
			continue; /* removed */
		fed++;
		if (cap_chain_verify_line(&v, buf, strlen(buf) - 1, true) == 0)
			break;
	}
	assert_int_equal(fed, 9 + CAP_CHAIN_WINDOW);
	const struct cap_chain_report *r = cap_chain_verify_end(&v);
	EXPECT(*r, CAP_CHAIN_REMOVED, 10, 10);
	cap_chain_verify_free(&v);
	cap_chain_free(&c);

	/* a line too long to be a record (the caller passes NULL) */
	struct log l;
	make_log(&l, N);
	assert_int_equal(cap_chain_verify_init(&v, &(struct cap_chain_expect){ .session_id = SESSION }), 0);
	for (size_t i = 0; i < l.n; i++)
		cap_chain_verify_line(&v, i == 3 ? NULL : l.line[i], i == 3 ? CAP_CHAIN_LINE_MAX + 1 : strlen(l.line[i]), true);
	r = cap_chain_verify_end(&v);
	EXPECT(*r, CAP_CHAIN_MALFORMED, 4, 0);
	cap_chain_verify_free(&v);
	free_log(&l);

	/* a summary's final hash that is not one */
	struct cap_chain_expect bad = { .session_id = SESSION, .have_end = true };
	strcpy(bad.final_hash, "xyz");
	assert_int_equal(cap_chain_verify_init(&v, &bad), -EINVAL);
}

/* ---- signing ---- */

static char tmpdir[64];

static const char *write_key(const char *name, EVP_PKEY *k, bool private)
{
	static char path[4][128];
	static int next;
	char *p = path[next++ % 4];
	snprintf(p, 128, "%s/%s", tmpdir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	if (private)
		assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
	else
		assert_int_equal(PEM_write_PUBKEY(f, k), 1);
	fclose(f);
	return p;
}

static int sign_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/capsule-test-chain-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int sign_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_sign_round_trip(void **state)
{
	(void)state;
	char err[512], msg[CAP_SIGN_MSG_MAX], fp[CAP_SIGN_FP_LEN + 1], fp2[CAP_SIGN_FP_LEN + 1];
	uint8_t sig[CAP_SIGN_LEN], raw[CAP_SIGN_PUB_LEN];
	cap_key *priv, *pub, *other, *fromraw;

	EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"), *b = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(a);
	assert_non_null(b);
	const char *apriv = write_key("a.pem", a, true), *apub = write_key("a.pub", a, false);
	const char *bpub = write_key("b.pub", b, false);

	assert_int_equal(cap_sign_load_private(apriv, &priv, err, sizeof(err)), 0);
	assert_int_equal(cap_sign_load_public(apub, &pub, err, sizeof(err)), 0);
	assert_int_equal(cap_sign_load_public(bpub, &other, err, sizeof(err)), 0);

	int len = cap_sign_message(msg, sizeof(msg), SESSION, 12, H1);
	assert_string_equal(msg, "capsule-chain-v1 session=" SESSION " records=12 final_hash=" H1);
	assert_int_equal(cap_sign(priv, msg, len, sig), 0);
	assert_int_equal(cap_sign_check(pub, msg, len, sig, sizeof(sig)), 0);
	assert_int_equal(cap_sign_check(priv, msg, len, sig, sizeof(sig)), 0);
	/* another key, another message, a changed signature: all refused */
	assert_int_equal(cap_sign_check(other, msg, len, sig, sizeof(sig)), -EBADMSG);
	msg[len - 1] ^= 1;
	assert_int_equal(cap_sign_check(pub, msg, len, sig, sizeof(sig)), -EBADMSG);
	msg[len - 1] ^= 1;
	sig[10] ^= 0x40;
	assert_int_equal(cap_sign_check(pub, msg, len, sig, sizeof(sig)), -EBADMSG);
	assert_int_equal(cap_sign_check(pub, msg, len, sig, sizeof(sig) - 1), -EBADMSG);

	/* fingerprints: the same for the private and public halves, the raw key round-trips */
	assert_int_equal(cap_sign_fingerprint(priv, fp), 0);
	assert_int_equal(cap_sign_fingerprint(pub, fp2), 0);
	assert_string_equal(fp, fp2);
	assert_int_equal(strncmp(fp, "sha256:", 7), 0);
	assert_int_equal(strlen(fp), CAP_SIGN_FP_LEN);
	assert_int_equal(cap_sign_public_raw(pub, raw), 0);
	assert_int_equal(cap_sign_key_from_raw(raw, &fromraw), 0);
	assert_int_equal(cap_sign_fingerprint(fromraw, fp2), 0);
	assert_string_equal(fp, fp2);
	assert_int_equal(cap_sign_fingerprint(other, fp2), 0);
	assert_string_not_equal(fp, fp2);

	/* signature.json */
	assert_int_equal(cap_sign_write(-1, tmpdir, priv, SESSION, 12, H1, err, sizeof(err)), 0);
	char path[128], text[1024];
	snprintf(path, sizeof(path), "%s/signature.json", tmpdir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	assert_non_null(strstr(text, "\"algorithm\":\"ed25519\""));
	assert_non_null(strstr(text, "\"final_hash\":\"" H1 "\""));
	assert_non_null(strstr(text, "\"records\":12"));
	assert_non_null(strstr(text, fp));
	assert_int_equal(cap_sign_write(-1, "/nonexistent/dir", priv, SESSION, 12, H1, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/dir/signature.json"));

	cap_sign_key_free(priv);
	cap_sign_key_free(pub);
	cap_sign_key_free(other);
	cap_sign_key_free(fromraw);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

static void test_sign_bad_keys(void **state)
{
	(void)state;
	char err[512], path[128];
	cap_key *k = (cap_key *)1;

	/* missing */
	assert_int_equal(cap_sign_load_private("/nonexistent.pem", &k, err, sizeof(err)), -ENOENT);
	assert_null(k);
	assert_non_null(strstr(err, "cannot read key /nonexistent.pem"));
	/* not PEM */
	snprintf(path, sizeof(path), "%s/junk.pem", tmpdir);
	FILE *f = fopen(path, "w");
	fputs("not a key\n", f);
	fclose(f);
	assert_int_equal(cap_sign_load_public(path, &k, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is not a PEM"));
	/* an EC key */
	EVP_PKEY *ec = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	assert_non_null(ec);
	const char *ecpriv = write_key("ec.pem", ec, true), *ecpub = write_key("ec.pub", ec, false);
	assert_int_equal(cap_sign_load_private(ecpriv, &k, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "type EC, not Ed25519"));
	assert_int_equal(cap_sign_load_public(ecpub, &k, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not Ed25519"));
	EVP_PKEY_free(ec);
	/* a public key where the private one is needed */
	EVP_PKEY *a = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	const char *apub = write_key("a2.pub", a, false);
	assert_int_equal(cap_sign_load_private(apub, &k, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is not a PEM private key"));
	EVP_PKEY_free(a);
}

static void test_base64(void **state)
{
	(void)state;
	uint8_t in[64], out[80];
	char text[100];
	for (int i = 0; i < 64; i++)
		in[i] = i * 37;
	for (size_t len = 0; len <= 64; len++) {
		assert_true(cap_b64_encode(in, len, text, sizeof(text)) >= 0);
		assert_int_equal(cap_b64_decode(text, out, sizeof(out)), len);
		assert_memory_equal(in, out, len);
	}
	assert_int_equal(cap_b64_encode(in, 64, text, 10), -EINVAL);
	assert_int_equal(cap_b64_decode("abc", out, sizeof(out)), -EINVAL);
	assert_int_equal(cap_b64_decode("ab!=", out, sizeof(out)), -EINVAL);
	assert_int_equal(cap_b64_decode("aGVsbG8=", out, 3), -EINVAL); /* no room */
	assert_int_equal(cap_b64_decode("aGVsbG8=", out, sizeof(out)), 5);
	assert_memory_equal(out, "hello", 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_genesis_and_hash),
		cmocka_unit_test(test_seal_known_lines),
		cmocka_unit_test(test_seal_rejects),
		cmocka_unit_test(test_line_parsing),
		cmocka_unit_test(test_verify_intact),
		cmocka_unit_test(test_verify_genesis),
		cmocka_unit_test(test_verify_altered),
		cmocka_unit_test(test_verify_removed),
		cmocka_unit_test(test_verify_reordered),
		cmocka_unit_test(test_verify_inserted),
		cmocka_unit_test(test_verify_end),
		cmocka_unit_test(test_verify_window),
		cmocka_unit_test(test_sign_round_trip),
		cmocka_unit_test(test_sign_bad_keys),
		cmocka_unit_test(test_base64),
	};
	return cmocka_run_group_tests(tests, sign_setup, sign_teardown);
}
