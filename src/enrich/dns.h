/* DNS names: the DNS messages a traced program sends and receives (captured whole by the
 * kernel side for sockets whose remote port is 53) are parsed with glibc's libresolv, queries
 * are paired with their answers (socket + transaction id), and the addresses in answers go
 * into a bounded LRU table so that later connects to them can be named (dns=NAME).
 * Every byte is hostile: parsing is libresolv's, which checks bounds and compression loops;
 * this file only copies bounded strings out of it. */
#ifndef CAPSULE_DNS_H
#define CAPSULE_DNS_H
#include <stddef.h>
#include <stdint.h>
#include "trace/decode.h"

#define CAP_DNS_NAME_MAX 256     /* a name as text; longer ones (escaped labels) are cut */
#define CAP_DNS_RR_MAX 32        /* answer records kept per message (the rest are counted) */
#define CAP_DNS_CNAME_DEPTH 16   /* CNAME links followed from the name asked for */
#define CAP_DNS_CACHE_MAX 4096   /* address -> name entries; eviction: see remember() in dns.c */
#define CAP_DNS_PENDING_MAX 256  /* queries waiting for their answer; oldest dropped */
#define CAP_DNS_STREAMS_MAX 32   /* TCP DNS streams being reassembled; oldest dropped */
#define CAP_DNS_STREAM_BUF (2 + 4096) /* one length-prefixed message, as much as is captured */

struct cap_dns_rr {
	uint16_t type;              /* ns_t_a, ns_t_aaaa, ns_t_cname, ... */
	uint32_t ttl;
	int family;                 /* AF_INET / AF_INET6 for A / AAAA, else 0 */
	uint8_t addr[16];
	char owner[CAP_DNS_NAME_MAX];
	char data[CAP_DNS_NAME_MAX]; /* address text, target name, or empty */
};

struct cap_dns_msg {
	uint16_t id;
	int qr;                     /* 1: a response */
	int rcode;
	int tc;                     /* truncated (the client retries over TCP) */
	char qname[CAP_DNS_NAME_MAX];
	uint16_t qtype;
	unsigned qdcount, ancount;
	unsigned nrr;               /* answers kept in rr */
	struct cap_dns_rr rr[CAP_DNS_RR_MAX];
};

/* Parses one DNS message (no TCP length prefix). 0, or -EBADMSG when it is malformed. */
int cap_dns_parse(const uint8_t *p, size_t len, struct cap_dns_msg *m);
/* The name the addresses of a response belong to: qname, with CNAME chains followed.
 * Returns the number of address records (A/AAAA) reachable from qname. */
unsigned cap_dns_addresses(const struct cap_dns_msg *m, const struct cap_dns_rr **out, unsigned max);
/* "A", "AAAA", "TYPE65", ... into buf */
const char *cap_dns_type_name(char *buf, size_t n, unsigned type);
/* "NOERROR", "NXDOMAIN", "SERVFAIL", ... into buf */
const char *cap_dns_rcode_name(char *buf, size_t n, int rcode);

/* A query and its outcome, handed to the caller to print. */
struct cap_dns_event {
	struct cap_rec hdr;               /* of the record that completed it: who, when */
	int32_t fd;
	int tcp;
	int query_seen;                   /* the query itself was captured */
	const struct cap_dns_msg *answer; /* NULL: no answer came (reported at session end) */
	uint16_t id;
	uint16_t qtype;
	char qname[CAP_DNS_NAME_MAX];
};
typedef void (*cap_dns_emit_fn)(void *ctx, const struct cap_dns_event *e);

struct cap_dns_stats {
	uint64_t queries, answers, malformed, cut, evicted;
};

struct cap_dns;
struct cap_dns *cap_dns_new(void);
void cap_dns_free(struct cap_dns *d);
/* Feeds the DNS bytes of one record (CAP_RF_DNS set): sends are remembered as pending
 * queries, answers are parsed, fill the address table and are emitted paired with their
 * query. Never fails: what cannot be parsed is counted. */
void cap_dns_record(struct cap_dns *d, const struct cap_event *ev, cap_dns_emit_fn emit, void *ctx);
/* Emits the queries that never got an answer and forgets them. */
void cap_dns_flush(struct cap_dns *d, cap_dns_emit_fn emit, void *ctx);
/* The fd was closed: its unanswered queries are emitted, its TCP streams dropped (so a new
 * socket on the same fd number starts clean). Free when nothing is pending. */
void cap_dns_closed(struct cap_dns *d, uint32_t pid, int32_t fd, cap_dns_emit_fn emit, void *ctx);
/* The name an address was given by an earlier answer, or NULL. */
const char *cap_dns_lookup(struct cap_dns *d, int family, const uint8_t *addr);
/* The name of the address in the event's sockaddr (connect, sendto, accept, ...), or NULL. */
const char *cap_dns_event_name(struct cap_dns *d, const struct cap_event *ev);
const struct cap_dns_stats *cap_dns_stats(const struct cap_dns *d);

#endif
