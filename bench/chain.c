/* Micro-bench of the events.jsonl hash chain: ns per line for sealing lines of the sizes
 * capsule writes (~300-800 bytes), the cost on_record pays per event. Not part of `make bench`:
 * run build/bench/chain [LINES]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "log/chain.h"

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	static const size_t sizes[] = { 300, 500, 800, 2000 };
	static char line[4096], buf[4096 + CAP_CHAIN_SUFFIX_MAX];
	struct cap_chain c;

	if (n <= 0 || cap_chain_init(&c, "20261204-000000-1")) {
		fprintf(stderr, "usage: chain [LINES]\n");
		return 2;
	}
	printf("%-10s %-12s %s\n", "line bytes", "ns/line", "MB/s");
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t len = sizes[k] - (CAP_CHAIN_SUFFIX_MAX - 4); /* the line before sealing */
		memset(line, 'a', len);
		memcpy(line, "{\"seq\":1,", 9);
		memcpy(line + len - 2, "}\n", 2);
		double t0 = now_ns();
		for (long i = 0; i < n; i++) {
			struct sbuf b;
			sb_init(&b, buf, sizeof(buf));
			memcpy(buf, line, len); /* what cap_json_event leaves in the buffer */
			b.len = len;
			if (cap_chain_seal(&c, &b))
				return 1;
		}
		double ns = (now_ns() - t0) / n;
		printf("%-10zu %-12.0f %.0f\n", sizes[k], ns, sizes[k] / ns * 1e3);
	}
	printf("final %s after %llu lines\n", cap_chain_final(&c), (unsigned long long)c.count);
	cap_chain_free(&c);
	return 0;
}
