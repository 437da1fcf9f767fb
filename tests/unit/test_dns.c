/* The DNS parser and the session's DNS state, on the bytes of real answers (the layout
 * resolvers send: compression pointers, EDNS OPT records) and on hostile ones (cut short,
 * compression loops, lying counts, empty). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include "enrich/dns.h"

/* example.com A 93.184.215.14, TTL 3600, with the EDNS OPT record a resolver adds (udp 1232) */
static const uint8_t ans_a[] = {
	0x1a, 0x2b, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
	0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 93, 184, 215, 14,
	0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

/* example.com AAAA 2606:2800:21f:cb07:6820:80da:af6b:8b2c */
static const uint8_t ans_aaaa[] = {
	0x5c, 0x01, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x1c, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x10,
	0x26, 0x06, 0x28, 0x00, 0x02, 0x1f, 0xcb, 0x07, 0x68, 0x20, 0x80, 0xda, 0xaf, 0x6b, 0x8b, 0x2c,
};

/* www.github.com CNAME github.com (rdata: a pointer into the question), github.com A
 * 140.82.121.4 (owner: the same pointer) */
static const uint8_t ans_cname[] = {
	0x77, 0x10, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x03, 'w', 'w', 'w', 0x06, 'g', 'i', 't', 'h', 'u', 'b', 0x03, 'c', 'o', 'm', 0x00,
	0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x02, 0xc0, 0x10,
	0xc0, 0x10, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 140, 82, 121, 4,
};

/* api.example.org CNAME edge.cdn.example.net CNAME e1.cdn.example.net A 192.0.2.7, plus an
 * address of an unrelated name that must not be given the asked name */
static const uint8_t ans_chain[] = {
	0x00, 0x07, 0x81, 0x80, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
	/* 12: question api.example.org */
	0x03, 'a', 'p', 'i', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'o', 'r', 'g', 0x00,
	0x00, 0x01, 0x00, 0x01,
	/* 33: api.example.org CNAME edge.cdn.example.net (rdata at 45) */
	0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x16,
	0x04, 'e', 'd', 'g', 'e', 0x03, 'c', 'd', 'n', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
	0x03, 'n', 'e', 't', 0x00,
	/* 67: edge.cdn.example.net CNAME e1 + pointer to cdn.example.net (offset 50) */
	0xc0, 0x2d, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x05,
	0x02, 'e', '1', 0xc0, 0x32,
	/* 84: e1.cdn.example.net A 192.0.2.7 (owner: pointer to 79) */
	0xc0, 0x4f, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x04, 192, 0, 2, 7,
	/* other.example.net A 198.51.100.9 */
	0x05, 'o', 't', 'h', 'e', 'r', 0xc0, 0x36, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
	0x00, 0x04, 198, 51, 100, 9,
};

/* nosuch.example.com A: NXDOMAIN with no records */
static const uint8_t ans_nx[] = {
	0x12, 0x34, 0x81, 0x83, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x06, 'n', 'o', 's', 'u', 'c', 'h', 0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm',
	0x00, 0x00, 0x01, 0x00, 0x01,
};

/* the answer's owner name is a pointer to itself */
static const uint8_t ans_loop[] = {
	0x1a, 0x2b, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01,
	0xc0, 0x1d, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 1, 2, 3, 4,
};

/* a CNAME whose target is two pointers at each other */
static const uint8_t ans_cname_loop[] = {
	0x1a, 0x2c, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 0xc0, 0x2b, 0xc0, 0x29,
};

/* a header that claims 65535 answers and holds one */
static const uint8_t ans_huge[] = {
	0x1a, 0x2b, 0x81, 0x80, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 1, 2, 3, 4,
};

/* the query glibc sends for example.com A (id 0x1a2b, RD) */
static const uint8_t query_a[] = {
	0x1a, 0x2b, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0x03, 'c', 'o', 'm', 0x00, 0x00, 0x01, 0x00, 0x01,
};

static struct cap_dns_msg m;

static void test_parse_a(void **state)
{
	(void)state;
	assert_int_equal(cap_dns_parse(ans_a, sizeof(ans_a), &m), 0);
	assert_int_equal(m.id, 0x1a2b);
	assert_int_equal(m.qr, 1);
	assert_int_equal(m.rcode, 0);
	assert_string_equal(m.qname, "example.com");
	assert_int_equal(m.qtype, ns_t_a);
	assert_int_equal(m.ancount, 1);
	assert_int_equal(m.nrr, 1);
	assert_string_equal(m.rr[0].owner, "example.com");
	assert_string_equal(m.rr[0].data, "93.184.215.14");
	assert_int_equal(m.rr[0].ttl, 3600);
	const struct cap_dns_rr *a[4];
	assert_int_equal(cap_dns_addresses(&m, a, 4), 1);
	assert_int_equal(a[0]->family, AF_INET);
}

static void test_parse_aaaa(void **state)
{
	(void)state;
	assert_int_equal(cap_dns_parse(ans_aaaa, sizeof(ans_aaaa), &m), 0);
	assert_int_equal(m.qtype, ns_t_aaaa);
	assert_int_equal(m.rr[0].family, AF_INET6);
	assert_string_equal(m.rr[0].data, "2606:2800:21f:cb07:6820:80da:af6b:8b2c");
}

static void test_parse_cname_compressed(void **state)
{
	(void)state;
	const struct cap_dns_rr *a[4];
	assert_int_equal(cap_dns_parse(ans_cname, sizeof(ans_cname), &m), 0);
	assert_string_equal(m.qname, "www.github.com");
	assert_int_equal(m.rr[0].type, ns_t_cname);
	assert_string_equal(m.rr[0].data, "github.com");
	assert_string_equal(m.rr[1].owner, "github.com");
	assert_int_equal(cap_dns_addresses(&m, a, 4), 1);
	assert_string_equal(a[0]->data, "140.82.121.4");
}

static void test_cname_chain_and_unrelated_address(void **state)
{
	(void)state;
	const struct cap_dns_rr *a[4];
	assert_int_equal(cap_dns_parse(ans_chain, sizeof(ans_chain), &m), 0);
	assert_int_equal(m.nrr, 4);
	assert_string_equal(m.rr[0].data, "edge.cdn.example.net");
	assert_string_equal(m.rr[1].owner, "edge.cdn.example.net");
	assert_string_equal(m.rr[1].data, "e1.cdn.example.net");
	assert_string_equal(m.rr[3].owner, "other.example.net");
	assert_int_equal(cap_dns_addresses(&m, a, 4), 1);
	assert_string_equal(a[0]->data, "192.0.2.7");
}

static void test_nxdomain(void **state)
{
	(void)state;
	char tmp[16];
	assert_int_equal(cap_dns_parse(ans_nx, sizeof(ans_nx), &m), 0);
	assert_int_equal(m.rcode, ns_r_nxdomain);
	assert_string_equal(cap_dns_rcode_name(tmp, sizeof(tmp), m.rcode), "NXDOMAIN");
	assert_string_equal(cap_dns_rcode_name(tmp, sizeof(tmp), 11), "RCODE11");
	assert_string_equal(cap_dns_type_name(tmp, sizeof(tmp), 28), "AAAA");
	assert_string_equal(cap_dns_type_name(tmp, sizeof(tmp), 999), "TYPE999");
}

static void test_hostile(void **state)
{
	(void)state;
	/* every cut of a real answer is refused: the counts promise more than is there */
	for (size_t n = 0; n < sizeof(ans_a); n++)
		assert_int_equal(cap_dns_parse(ans_a, n, &m), -EBADMSG);
	for (size_t n = 0; n < sizeof(ans_chain); n++)
		assert_int_equal(cap_dns_parse(ans_chain, n, &m), -EBADMSG);
	assert_int_equal(cap_dns_parse(ans_a, 0, &m), -EBADMSG);
	assert_int_equal(cap_dns_parse(NULL, 0, &m), -EBADMSG);
	assert_int_equal(cap_dns_parse(ans_loop, sizeof(ans_loop), &m), -EBADMSG);
	assert_int_equal(cap_dns_parse(ans_cname_loop, sizeof(ans_cname_loop), &m), -EBADMSG);
	assert_int_equal(cap_dns_parse(ans_huge, sizeof(ans_huge), &m), -EBADMSG);
	/* an A record whose data is not 4 bytes */
	uint8_t bad[sizeof(ans_aaaa)];
	memcpy(bad, ans_aaaa, sizeof(bad));
	bad[32] = ns_t_a;
	assert_int_equal(cap_dns_parse(bad, sizeof(bad), &m), -EBADMSG);
}

/* ---- the session's state, fed events built the way the decoder leaves them ---- */

static struct cap_event ev;
static uint8_t evdata[2][8192];
static struct cap_dns_event got[8];
static int ngot;
static struct cap_dns_msg got_msg[8];

static void collect(void *ctx, const struct cap_dns_event *e)
{
	(void)ctx;
	if (ngot < 8) {
		got[ngot] = *e;
		if (e->answer) {
			got_msg[ngot] = *e->answer;
			got[ngot].answer = &got_msg[ngot];
		}
		ngot++;
	}
}

static const struct cap_event *dns_event(const char *sc, int fd, const void *p, size_t len, long ret, int tcp)
{
	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = CAP_REC_SYSCALL;
	ev.sc = cap_syscall_by_name(sc);
	assert_non_null(ev.sc);
	ev.hdr.nr = ev.sc->nr;
	ev.hdr.pid = ev.hdr.tid = 4321;
	ev.hdr.flags = CAP_RF_DNS | (tcp ? CAP_RF_DNS_TCP : 0);
	ev.hdr.args[0] = fd;
	ev.hdr.ret = ret;
	memcpy(evdata[0], p, len);
	ev.fields[0] = (struct cap_fieldref){ .data = evdata[0], .len = len, .type = CAP_F_DATA, .arg = 1 };
	ev.nfields = 1;
	return &ev;
}

static const struct cap_event *connect_event(const char *ip)
{
	static struct sockaddr_in sin;
	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = CAP_REC_SYSCALL;
	ev.sc = cap_syscall_by_name("connect");
	sin.sin_family = AF_INET;
	sin.sin_port = htons(443);
	inet_pton(AF_INET, ip, &sin.sin_addr);
	ev.fields[0] = (struct cap_fieldref){ .data = (void *)&sin, .len = sizeof(sin), .type = CAP_F_SOCKADDR, .arg = 1 };
	ev.nfields = 1;
	return &ev;
}

static void test_query_answer_pairing_and_names(void **state)
{
	(void)state;
	struct cap_dns *d = cap_dns_new();
	assert_non_null(d);
	ngot = 0;
	assert_null(cap_dns_event_name(d, connect_event("93.184.215.14")));
	cap_dns_record(d, dns_event("sendto", 5, query_a, sizeof(query_a), sizeof(query_a), 0), collect, NULL);
	assert_int_equal(ngot, 0);
	cap_dns_record(d, dns_event("recvfrom", 5, ans_a, sizeof(ans_a), sizeof(ans_a), 0), collect, NULL);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].query_seen, 1);
	assert_string_equal(got[0].qname, "example.com");
	assert_non_null(got[0].answer);
	assert_string_equal(cap_dns_event_name(d, connect_event("93.184.215.14")), "example.com");
	assert_null(cap_dns_event_name(d, connect_event("93.184.215.15")));

	/* an answer with no query seen (the second query of a sendmmsg) still names addresses */
	cap_dns_record(d, dns_event("recvfrom", 5, ans_chain, sizeof(ans_chain), sizeof(ans_chain), 0), collect, NULL);
	assert_int_equal(ngot, 2);
	assert_int_equal(got[1].query_seen, 0);
	assert_string_equal(cap_dns_event_name(d, connect_event("192.0.2.7")), "api.example.org");
	assert_null(cap_dns_event_name(d, connect_event("198.51.100.9")));

	/* malformed and cut messages are counted, never emitted */
	cap_dns_record(d, dns_event("recvfrom", 5, ans_loop, sizeof(ans_loop), sizeof(ans_loop), 0), collect, NULL);
	cap_dns_record(d, dns_event("recvfrom", 5, ans_a, 20, 900, 0), collect, NULL);
	assert_int_equal(ngot, 2);
	assert_int_equal(cap_dns_stats(d)->malformed, 1);
	assert_int_equal(cap_dns_stats(d)->cut, 1);

	/* a query never answered is reported at the end */
	uint8_t q2[sizeof(query_a)];
	memcpy(q2, query_a, sizeof(q2));
	q2[1] = 0x99;
	cap_dns_record(d, dns_event("sendto", 5, q2, sizeof(q2), sizeof(q2), 0), collect, NULL);
	cap_dns_flush(d, collect, NULL);
	assert_int_equal(ngot, 3);
	assert_null(got[2].answer);
	assert_int_equal(got[2].id, 0x1a99);
	assert_int_equal(cap_dns_stats(d)->queries, 2);
	cap_dns_free(d);
}

static void test_sendmmsg_two_queries(void **state)
{
	(void)state;
	struct cap_dns *d = cap_dns_new();
	uint8_t q6[sizeof(query_a)];
	memcpy(q6, query_a, sizeof(q6));
	q6[1] = 0x2c;   /* id 0x1a2c */
	q6[26] = 0x1c;  /* AAAA */
	ngot = 0;
	/* glibc: A and AAAA in one sendmmsg; the kernel captures message 2 as field arg 2 */
	dns_event("sendmmsg", 5, query_a, sizeof(query_a), 2, 0);
	memcpy(evdata[1], q6, sizeof(q6));
	ev.fields[1] = (struct cap_fieldref){ .data = evdata[1], .len = sizeof(q6), .type = CAP_F_DATA, .arg = 2 };
	ev.nfields = 2;
	cap_dns_record(d, &ev, collect, NULL);
	assert_int_equal(cap_dns_stats(d)->queries, 2);
	uint8_t a6[sizeof(ans_aaaa)];
	memcpy(a6, ans_aaaa, sizeof(a6));
	a6[0] = 0x1a, a6[1] = 0x2c;
	cap_dns_record(d, dns_event("recvfrom", 5, a6, sizeof(a6), sizeof(a6), 0), collect, NULL);
	cap_dns_record(d, dns_event("recvfrom", 5, ans_a, sizeof(ans_a), sizeof(ans_a), 0), collect, NULL);
	assert_int_equal(ngot, 2);
	assert_int_equal(got[0].query_seen, 1);
	assert_int_equal(got[0].qtype, ns_t_aaaa);
	assert_int_equal(got[1].query_seen, 1);
	cap_dns_flush(d, collect, NULL);
	assert_int_equal(ngot, 2);
	cap_dns_free(d);
}

static void test_tcp_stream(void **state)
{
	(void)state;
	struct cap_dns *d = cap_dns_new();
	uint8_t len[2] = { 0, sizeof(ans_cname) };
	uint8_t both[2 + sizeof(query_a)] = { 0, sizeof(query_a) };
	memcpy(both + 2, query_a, sizeof(query_a));
	ngot = 0;
	cap_dns_record(d, dns_event("write", 7, both, sizeof(both), sizeof(both), 1), collect, NULL);
	/* glibc reads the length, then the message */
	cap_dns_record(d, dns_event("read", 7, len, 2, 2, 1), collect, NULL);
	assert_int_equal(ngot, 0);
	cap_dns_record(d, dns_event("read", 7, ans_cname, sizeof(ans_cname), sizeof(ans_cname), 1), collect, NULL);
	assert_int_equal(ngot, 1);
	assert_int_equal(got[0].tcp, 1);
	assert_string_equal(got[0].qname, "www.github.com");
	assert_string_equal(cap_dns_event_name(d, connect_event("140.82.121.4")), "www.github.com");
	/* a length larger than what is captured breaks the stream instead of waiting forever */
	uint8_t big[2] = { 0xff, 0xff };
	cap_dns_record(d, dns_event("read", 7, big, 2, 2, 1), collect, NULL);
	assert_int_equal(cap_dns_stats(d)->cut, 1);
	cap_dns_free(d);
}

static void test_close_ends_queries_and_streams(void **state)
{
	(void)state;
	struct cap_dns *d = cap_dns_new();
	uint8_t len[2] = { 0, sizeof(ans_cname) };
	ngot = 0;
	cap_dns_closed(d, 4321, 5, collect, NULL); /* nothing pending: nothing happens */
	cap_dns_record(d, dns_event("sendto", 5, query_a, sizeof(query_a), sizeof(query_a), 0), collect, NULL);
	cap_dns_closed(d, 4321, 6, collect, NULL);
	assert_int_equal(ngot, 0);
	cap_dns_closed(d, 4321, 5, collect, NULL);
	assert_int_equal(ngot, 1);
	assert_null(got[0].answer);
	assert_string_equal(got[0].qname, "example.com");
	/* a TCP stream cut mid-message by close: the next socket on fd 7 starts clean */
	cap_dns_record(d, dns_event("read", 7, len, 2, 2, 1), collect, NULL);
	cap_dns_closed(d, 4321, 7, collect, NULL);
	uint8_t whole[2 + sizeof(ans_a)] = { 0, sizeof(ans_a) };
	memcpy(whole + 2, ans_a, sizeof(ans_a));
	cap_dns_record(d, dns_event("read", 7, whole, sizeof(whole), sizeof(whole), 1), collect, NULL);
	assert_int_equal(ngot, 2);
	assert_string_equal(got[1].qname, "example.com");
	assert_int_equal(cap_dns_stats(d)->malformed, 0);
	cap_dns_flush(d, collect, NULL);
	assert_int_equal(ngot, 2);
	cap_dns_free(d);
}

/* an answer "hN.example" A 10.x.y.z for each i */
static size_t make_answer(uint8_t *p, unsigned i)
{
	static const uint8_t head[] = { 0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0 };
	size_t n = 0;
	memcpy(p, head, sizeof(head));
	n = sizeof(head);
	char label[16];
	int ll = snprintf(label, sizeof(label), "h%u", i);
	p[n++] = ll;
	memcpy(p + n, label, ll);
	n += ll;
	memcpy(p + n, "\x07" "example\0\0\x01\0\x01", 13);
	n += 13;
	uint8_t rr[] = { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
	memcpy(p + n, rr, sizeof(rr));
	return n + sizeof(rr);
}

static void test_cache_is_bounded_lru(void **state)
{
	(void)state;
	struct cap_dns *d = cap_dns_new();
	uint8_t buf[128];
	char ip[32];
	for (unsigned i = 0; i < CAP_DNS_CACHE_MAX + 10; i++) {
		size_t n = make_answer(buf, i);
		cap_dns_record(d, dns_event("recvfrom", 3, buf, n, n, 0), NULL, NULL);
		if (i == CAP_DNS_CACHE_MAX - 1) /* the first, used again: stays while others go */
			assert_non_null(cap_dns_event_name(d, connect_event("10.0.0.0")));
	}
	assert_int_equal(cap_dns_stats(d)->evicted, 10);
	assert_int_equal(cap_dns_stats(d)->answers, CAP_DNS_CACHE_MAX + 10);
	assert_string_equal(cap_dns_event_name(d, connect_event("10.0.0.0")), "h0.example");
	assert_null(cap_dns_event_name(d, connect_event("10.0.0.1")));
	snprintf(ip, sizeof(ip), "10.0.%u.%u", ((CAP_DNS_CACHE_MAX + 9) >> 8) & 255, (CAP_DNS_CACHE_MAX + 9) & 255);
	assert_non_null(cap_dns_event_name(d, connect_event(ip)));
	cap_dns_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_a),
		cmocka_unit_test(test_parse_aaaa),
		cmocka_unit_test(test_parse_cname_compressed),
		cmocka_unit_test(test_cname_chain_and_unrelated_address),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_query_answer_pairing_and_names),
		cmocka_unit_test(test_sendmmsg_two_queries),
		cmocka_unit_test(test_tcp_stream),
		cmocka_unit_test(test_close_ends_queries_and_streams),
		cmocka_unit_test(test_cache_is_bounded_lru),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
