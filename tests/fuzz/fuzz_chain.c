/* libFuzzer target for the hash chain verifier (capsule verify reads hostile files).
 * Input: 1 byte of flags, 1 byte of operation, 1 byte of position, then text split at '\n'.
 *  1. the text's lines go to the verifier as they are: it must not crash, and what it reports
 *     must point inside the log;
 *  2. the lines are made into records and sealed: the chain verifies intact; then one record
 *     is removed, swapped, duplicated or has a byte flipped: the damage is always found, and a
 *     removal is named at the right line. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/chain.h"

#define CHECK(cond) \
	do { \
		if (!(cond)) \
			__builtin_trap(); \
	} while (0)

#define MAX_LINES 64

static struct cap_chain_verifier v;

static const struct cap_chain_report *run(char **lines, size_t *lens, size_t n, bool last_nl,
					  const struct cap_chain_expect *e)
{
	CHECK(cap_chain_verify_init(&v, e) == 0);
	for (size_t i = 0; i < n; i++)
		if (cap_chain_verify_line(&v, lines[i], lens[i], i + 1 < n || last_nl) == 0)
			break;
	const struct cap_chain_report *r = cap_chain_verify_end(&v);
	char msg[512];
	cap_chain_describe(r, msg, sizeof(msg));
	CHECK(strlen(msg) < sizeof(msg) - 1);
	CHECK(r->lines <= n);
	CHECK(r->kind == CAP_CHAIN_INTACT || r->line <= n + 1);
	cap_chain_verify_free(&v);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *lines[MAX_LINES + 1], *sealed[MAX_LINES + 1];
	static size_t lens[MAX_LINES + 1], slens[MAX_LINES + 1];
	static char buf[8192];
	size_t n = 0;

	if (size < 3)
		return 0;
	uint8_t flags = data[0], op = data[1], pos = data[2];
	const char *text = (const char *)data + 3, *end = (const char *)data + size;
	bool last_nl = false;

	/* 1. raw lines */
	for (const char *p = text; p < end && n < MAX_LINES;) {
		const char *nl = memchr(p, '\n', end - p);
		size_t len = (nl ? nl : end) - p;
		lines[n] = malloc(len + 1);
		memcpy(lines[n], p, len);
		lens[n++] = len;
		last_nl = nl != NULL;
		p += len + 1;
	}
	struct cap_chain_expect e = { 0 };
	if (flags & 1)
		e.session_id = "fuzz";
	if (flags & 2) {
		e.have_end = true;
		e.records = flags >> 2;
		memset(e.final_hash, 'a', CAP_CHAIN_HEX_LEN);
	}
	run(lines, lens, n, last_nl, &e);

	/* 2. the same lines as sealed records */
	struct cap_chain c;
	CHECK(cap_chain_init(&c, "fuzz") == 0);
	for (size_t i = 0; i < n; i++) {
		struct sbuf b;
		sb_init(&b, buf, sizeof(buf));
		snprintf(buf, sizeof(buf), "{\"seq\":%zu,\"x\":", i + 1);
		b.len = strlen(buf);
		sb_putn(&b, lines[i], lens[i] < 4096 ? lens[i] : 4096);
		sb_puts(&b, "}\n");
		CHECK(cap_chain_seal(&c, &b) == 0);
		sealed[i] = malloc(b.len);
		memcpy(sealed[i], b.buf, b.len - 1);
		slens[i] = b.len - 1;
	}
	struct cap_chain_expect full = { .session_id = "fuzz", .have_end = true, .records = n };
	memcpy(full.final_hash, cap_chain_final(&c), CAP_CHAIN_HEX_LEN + 1);
	const struct cap_chain_report *r = run(sealed, slens, n, true, &full);
	CHECK(r->kind == CAP_CHAIN_INTACT && r->lines == n);
	if (n >= 2) {
		size_t k = pos % n, k2 = (k + 1 + op / 4) % n;
		char *saved = sealed[k];
		size_t saved_len = slens[k];
		switch (op % 4) {
		case 0: /* remove line k */
			memmove(&sealed[k], &sealed[k + 1], (n - k - 1) * sizeof(char *));
			memmove(&slens[k], &slens[k + 1], (n - k - 1) * sizeof(size_t));
			r = run(sealed, slens, n - 1, true, &full);
			if (k < n - 1) {
				CHECK(r->kind == CAP_CHAIN_REMOVED && r->line == k + 1 && r->seq == k + 1);
			} else {
				CHECK(r->kind == CAP_CHAIN_TRUNCATED && r->seq == n);
			}
			memmove(&sealed[k + 1], &sealed[k], (n - k - 1) * sizeof(char *));
			memmove(&slens[k + 1], &slens[k], (n - k - 1) * sizeof(size_t));
			sealed[k] = saved;
			slens[k] = saved_len;
			break;
		case 1: /* swap lines k and k2 */
			if (k2 == k)
				break;
			sealed[k] = sealed[k2], slens[k] = slens[k2];
			sealed[k2] = saved, slens[k2] = saved_len;
			CHECK(run(sealed, slens, n, true, &full)->kind != CAP_CHAIN_INTACT);
			sealed[k2] = sealed[k], slens[k2] = slens[k];
			sealed[k] = saved, slens[k] = saved_len;
			break;
		case 2: /* duplicate line k after itself */
			memmove(&sealed[k + 1], &sealed[k], (n - k) * sizeof(char *));
			memmove(&slens[k + 1], &slens[k], (n - k) * sizeof(size_t));
			r = run(sealed, slens, n + 1, true, &full);
			CHECK(r->kind == CAP_CHAIN_INSERTED && r->line == k + 2);
			memmove(&sealed[k], &sealed[k + 1], (n - k) * sizeof(char *));
			memmove(&slens[k], &slens[k + 1], (n - k) * sizeof(size_t));
			break;
		case 3: /* flip one bit of line k */
			sealed[k][(op / 4) % slens[k]] ^= 1 << (pos % 7);
			CHECK(run(sealed, slens, n, true, &full)->kind != CAP_CHAIN_INTACT);
			break;
		}
	}
	cap_chain_free(&c);
	for (size_t i = 0; i < n; i++) {
		free(lines[i]);
		free(sealed[i]);
	}
	return 0;
}
