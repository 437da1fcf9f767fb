#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include "enrich/dns.h"

/* ---- one message ---- */

/* names longer than CAP_DNS_NAME_MAX - 1 (escaped binary labels) are cut */
static void copy_name(char *dst, const char *src)
{
	size_t n = strnlen(src, CAP_DNS_NAME_MAX - 1);
	memcpy(dst, src, n);
	dst[n] = 0;
}

int cap_dns_parse(const uint8_t *p, size_t len, struct cap_dns_msg *m)
{
	ns_msg h;
	ns_rr rr;
	char name[NS_MAXDNAME];

	memset(m, 0, offsetof(struct cap_dns_msg, rr));
	if (len > NS_MAXMSG || ns_initparse(p, (int)len, &h) < 0)
		return -EBADMSG;
	m->id = ns_msg_id(h);
	m->qr = ns_msg_getflag(h, ns_f_qr);
	m->rcode = ns_msg_getflag(h, ns_f_rcode);
	m->tc = ns_msg_getflag(h, ns_f_tc);
	m->qdcount = ns_msg_count(h, ns_s_qd);
	m->ancount = ns_msg_count(h, ns_s_an);
	if (m->qdcount) {
		if (ns_parserr(&h, ns_s_qd, 0, &rr) < 0)
			return -EBADMSG;
		copy_name(m->qname, ns_rr_name(rr));
		m->qtype = ns_rr_type(rr);
	}
	/* ns_initparse has walked every section already; only the kept answers are expanded */
	for (unsigned i = 0; i < m->ancount && m->nrr < CAP_DNS_RR_MAX; i++) {
		if (ns_parserr(&h, ns_s_an, i, &rr) < 0)
			return -EBADMSG;
		struct cap_dns_rr *r = &m->rr[m->nrr];
		memset(r, 0, sizeof(*r));
		r->type = ns_rr_type(rr);
		r->ttl = ns_rr_ttl(rr);
		copy_name(r->owner, ns_rr_name(rr));
		switch (r->type) {
		case ns_t_a:
		case ns_t_aaaa:
			r->family = r->type == ns_t_a ? AF_INET : AF_INET6;
			if (ns_rr_rdlen(rr) != (r->family == AF_INET ? 4 : 16))
				return -EBADMSG;
			memcpy(r->addr, ns_rr_rdata(rr), ns_rr_rdlen(rr));
			inet_ntop(r->family, r->addr, r->data, sizeof(r->data));
			break;
		case ns_t_cname:
		case ns_t_ptr:
		case ns_t_ns:
			if (ns_name_uncompress(ns_msg_base(h), ns_msg_end(h), ns_rr_rdata(rr), name, sizeof(name)) < 0)
				return -EBADMSG;
			copy_name(r->data, name);
			break;
		}
		m->nrr++;
	}
	return 0;
}

unsigned cap_dns_addresses(const struct cap_dns_msg *m, const struct cap_dns_rr **out, unsigned max)
{
	const char *chain[CAP_DNS_CNAME_DEPTH + 1];
	unsigned nchain = 0, n = 0;

	chain[nchain++] = m->qname;
	while (nchain <= CAP_DNS_CNAME_DEPTH) {
		const char *next = NULL;
		for (unsigned i = 0; i < m->nrr && !next; i++)
			if (m->rr[i].type == ns_t_cname && !strcasecmp(m->rr[i].owner, chain[nchain - 1]))
				next = m->rr[i].data;
		if (!next)
			break;
		chain[nchain++] = next;
	}
	for (unsigned i = 0; i < m->nrr && n < max; i++) {
		if (!m->rr[i].family)
			continue;
		for (unsigned k = 0; k < nchain; k++)
			if (!strcasecmp(m->rr[i].owner, chain[k])) {
				out[n++] = &m->rr[i];
				break;
			}
	}
	return n;
}

const char *cap_dns_type_name(char *buf, size_t n, unsigned type)
{
	static const struct { unsigned t; const char *name; } names[] = {
		{ ns_t_a, "A" }, { ns_t_ns, "NS" }, { ns_t_cname, "CNAME" }, { ns_t_soa, "SOA" },
		{ ns_t_ptr, "PTR" }, { ns_t_mx, "MX" }, { ns_t_txt, "TXT" }, { ns_t_aaaa, "AAAA" },
		{ ns_t_srv, "SRV" }, { ns_t_opt, "OPT" }, { 64, "SVCB" }, { 65, "HTTPS" },
		{ ns_t_any, "ANY" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == type)
			return names[i].name;
	snprintf(buf, n, "TYPE%u", type);
	return buf;
}

const char *cap_dns_rcode_name(char *buf, size_t n, int rcode)
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
					     "NOTIMP", "REFUSED" };
	if (rcode >= 0 && rcode < (int)(sizeof(names) / sizeof(names[0])))
		return names[rcode];
	snprintf(buf, n, "RCODE%d", rcode);
	return buf;
}

/* ---- the session's state ---- */

#define BUCKETS 8192 /* power of two, twice the cache */

struct cache_ent {
	int family;
	uint8_t addr[16];
	int next;      /* bucket chain, -1 ends */
	uint64_t used; /* LRU stamp */
	char name[CAP_DNS_NAME_MAX];
};

struct pending {
	int used;
	uint64_t stamp;
	int32_t fd;
	uint16_t id, qtype;
	int tcp;
	struct cap_rec hdr; /* of the query's record: who asked, when */
	char qname[CAP_DNS_NAME_MAX];
};

struct stream {
	int used;
	uint64_t stamp;
	uint32_t pid;
	int32_t fd;
	int out;
	size_t len;
	uint8_t buf[CAP_DNS_STREAM_BUF];
};

#define EVICT_LOOK 8 /* entries compared per eviction */

struct cap_dns {
	int buckets[BUCKETS];
	struct cache_ent cache[CAP_DNS_CACHE_MAX];
	unsigned ncache;
	unsigned evict_at; /* where the next eviction looks */
	uint64_t clock;
	struct pending pend[CAP_DNS_PENDING_MAX];
	struct stream streams[CAP_DNS_STREAMS_MAX];
	unsigned live; /* pending queries + streams in use: closes are free when 0 */
	struct cap_dns_msg msg;
	uint8_t joined[2 * CAP_DATA_MAX];
	struct cap_dns_stats st;
};

struct cap_dns *cap_dns_new(void)
{
	struct cap_dns *d = calloc(1, sizeof(*d));
	if (d)
		memset(d->buckets, 0xff, sizeof(d->buckets)); /* -1: empty */
	return d;
}

void cap_dns_free(struct cap_dns *d)
{
	free(d);
}

const struct cap_dns_stats *cap_dns_stats(const struct cap_dns *d)
{
	return &d->st;
}

static unsigned addr_hash(int family, const uint8_t *addr)
{
	size_t n = family == AF_INET ? 4 : 16;
	uint32_t h = 2166136261u ^ (uint32_t)family;
	for (size_t i = 0; i < n; i++)
		h = (h ^ addr[i]) * 16777619u;
	return h & (BUCKETS - 1);
}

static int find(struct cap_dns *d, int family, const uint8_t *addr, unsigned *bucket)
{
	size_t n = family == AF_INET ? 4 : 16;
	*bucket = addr_hash(family, addr);
	for (int i = d->buckets[*bucket]; i >= 0; i = d->cache[i].next)
		if (d->cache[i].family == family && !memcmp(d->cache[i].addr, addr, n))
			return i;
	return -1;
}

static void unlink_ent(struct cap_dns *d, int e)
{
	int *p = &d->buckets[addr_hash(d->cache[e].family, d->cache[e].addr)];
	while (*p >= 0 && *p != e)
		p = &d->cache[*p].next;
	if (*p == e)
		*p = d->cache[e].next;
}

static void remember(struct cap_dns *d, int family, const uint8_t *addr, const char *name)
{
	unsigned b;
	int e = find(d, family, addr, &b);
	if (e < 0) {
		if (d->ncache < CAP_DNS_CACHE_MAX) {
			e = d->ncache++;
		} else {
			/* full: of the next EVICT_LOOK entries from a moving cursor, the least recently
			 * used goes; a scan of the whole cache per address would let a flood of
			 * answers (the agent's own server) cost thousands of compares each */
			e = d->evict_at;
			for (unsigned k = 1; k < EVICT_LOOK; k++) {
				unsigned i = (d->evict_at + k) % CAP_DNS_CACHE_MAX;
				if (d->cache[i].used < d->cache[e].used)
					e = i;
			}
			d->evict_at = (d->evict_at + EVICT_LOOK) % CAP_DNS_CACHE_MAX;
			unlink_ent(d, e);
			d->st.evicted++;
		}
		memset(d->cache[e].addr, 0, sizeof(d->cache[e].addr));
		d->cache[e].family = family;
		memcpy(d->cache[e].addr, addr, family == AF_INET ? 4 : 16);
		d->cache[e].next = d->buckets[b];
		d->buckets[b] = e;
	}
	d->cache[e].used = ++d->clock;
	copy_name(d->cache[e].name, name);
}

const char *cap_dns_lookup(struct cap_dns *d, int family, const uint8_t *addr)
{
	unsigned b;
	if (!d->ncache || (family != AF_INET && family != AF_INET6))
		return NULL;
	int e = find(d, family, addr, &b);
	if (e < 0)
		return NULL;
	d->cache[e].used = ++d->clock;
	return d->cache[e].name;
}

const char *cap_dns_event_name(struct cap_dns *d, const struct cap_event *ev)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (!d->ncache || ev->hdr.type != CAP_REC_SYSCALL)
		return NULL;
	const struct cap_fieldref *f = cap_event_field(ev, CAP_F_SOCKADDR, -1);
	if (!f || f->len < 8)
		return NULL;
	uint16_t family;
	memcpy(&family, f->data, 2);
	if (family == AF_INET)
		return cap_dns_lookup(d, AF_INET, f->data + 4);
	if (family == AF_INET6 && f->len >= 24) {
		if (!memcmp(f->data + 8, v4mapped, 12))
			return cap_dns_lookup(d, AF_INET, f->data + 20);
		return cap_dns_lookup(d, AF_INET6, f->data + 8);
	}
	return NULL;
}

/* ---- queries and answers ---- */

static void set_used(struct cap_dns *d, int *used, int v)
{
	if (*used != v)
		d->live += v ? 1 : -1;
	*used = v;
}

static struct pending *pending_find(struct cap_dns *d, uint32_t pid, int32_t fd, uint16_t id)
{
	for (unsigned i = 0; i < CAP_DNS_PENDING_MAX; i++) {
		struct pending *q = &d->pend[i];
		if (q->used && q->hdr.pid == pid && q->fd == fd && q->id == id)
			return q;
	}
	return NULL;
}

static void pending_add(struct cap_dns *d, const struct cap_event *ev, int tcp, const struct cap_dns_msg *m)
{
	int32_t fd = (int32_t)ev->hdr.args[0];
	struct pending *q = pending_find(d, ev->hdr.pid, fd, m->id), *oldest = &d->pend[0];
	for (unsigned i = 0; i < CAP_DNS_PENDING_MAX && !q; i++) {
		if (!d->pend[i].used)
			q = &d->pend[i];
		else if (d->pend[i].stamp < oldest->stamp)
			oldest = &d->pend[i];
	}
	if (!q) {
		q = oldest; /* a flood of unanswered queries: the oldest is forgotten */
		d->st.evicted++;
	}
	set_used(d, &q->used, 1);
	q->stamp = ++d->clock;
	q->fd = fd;
	q->id = m->id;
	q->qtype = m->qtype;
	q->tcp = tcp;
	q->hdr = ev->hdr;
	copy_name(q->qname, m->qname);
}

static void one_message(struct cap_dns *d, const struct cap_event *ev, int out, int tcp, const uint8_t *p,
			size_t len, cap_dns_emit_fn emit, void *ctx)
{
	struct cap_dns_msg *m = &d->msg;
	if (cap_dns_parse(p, len, m)) {
		d->st.malformed++;
		return;
	}
	if (out && !m->qr) {
		d->st.queries++;
		pending_add(d, ev, tcp, m);
		return;
	}
	if (out || !m->qr)
		return; /* the program answers queries itself: not a lookup it made */
	d->st.answers++;

	const struct cap_dns_rr *addrs[CAP_DNS_RR_MAX];
	unsigned n = cap_dns_addresses(m, addrs, CAP_DNS_RR_MAX);
	for (unsigned i = 0; i < n; i++)
		remember(d, addrs[i]->family, addrs[i]->addr, m->qname);

	struct cap_dns_event e = { .hdr = ev->hdr, .fd = (int32_t)ev->hdr.args[0],
				   .tcp = tcp, .answer = m, .id = m->id, .qtype = m->qtype };
	struct pending *q = pending_find(d, ev->hdr.pid, e.fd, m->id);
	if (q) {
		e.query_seen = 1;
		set_used(d, &q->used, 0);
	}
	copy_name(e.qname, m->qname);
	if (emit)
		emit(ctx, &e);
}

static struct stream *stream_get(struct cap_dns *d, uint32_t pid, int32_t fd, int out)
{
	struct stream *oldest = &d->streams[0], *free_one = NULL;
	for (unsigned i = 0; i < CAP_DNS_STREAMS_MAX; i++) {
		struct stream *t = &d->streams[i];
		if (t->used && t->pid == pid && t->fd == fd && t->out == out)
			return t;
		if (!t->used && !free_one)
			free_one = t;
		else if (t->used && t->stamp < oldest->stamp)
			oldest = t;
	}
	struct stream *t = free_one ? free_one : oldest;
	set_used(d, &t->used, 1);
	t->pid = pid;
	t->fd = fd;
	t->out = out;
	t->len = 0;
	return t;
}

/* TCP: messages carry a 2-byte length and may arrive in pieces (glibc reads the length,
 * then the message). A piece the kernel could not capture whole breaks the stream. */
static void tcp_bytes(struct cap_dns *d, const struct cap_event *ev, int out, const uint8_t *p, size_t len,
		      int cut, cap_dns_emit_fn emit, void *ctx)
{
	struct stream *t = stream_get(d, ev->hdr.pid, (int32_t)ev->hdr.args[0], out);
	t->stamp = ++d->clock;
	if (cut || len > sizeof(t->buf) - t->len) {
		d->st.cut++;
		set_used(d, &t->used, 0);
		return;
	}
	memcpy(t->buf + t->len, p, len);
	t->len += len;
	while (t->len >= 2) {
		size_t mlen = (size_t)t->buf[0] << 8 | t->buf[1];
		if (mlen + 2 > sizeof(t->buf)) {
			d->st.cut++; /* longer than we capture: cannot be read */
			set_used(d, &t->used, 0);
			return;
		}
		if (t->len < mlen + 2)
			return;
		one_message(d, ev, out, 1, t->buf + 2, mlen, emit, ctx);
		memmove(t->buf, t->buf + 2 + mlen, t->len - 2 - mlen);
		t->len -= 2 + mlen;
	}
}

void cap_dns_record(struct cap_dns *d, const struct cap_event *ev, cap_dns_emit_fn emit, void *ctx)
{
	if (ev->hdr.type != CAP_REC_SYSCALL || !(ev->hdr.flags & CAP_RF_DNS) || ev->hdr.ret <= 0)
		return;
	int out = (ev->sc->flags & CAP_S_DATA_OUT) != 0;
	/* an mmsg call returns a message count: its first two messages are fields arg 1 and 2 */
	if (ev->sc->args[1].capture == CAP_A_MMSGHDR) {
		for (unsigned i = 0; i < ev->nfields; i++)
			if (ev->fields[i].type == CAP_F_DATA)
				one_message(d, ev, out, 0, ev->fields[i].data, ev->fields[i].len, emit, ctx);
		return;
	}
	/* otherwise the fields are consecutive pieces (TCP: length prefix, then message) */
	size_t len = 0;
	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct cap_fieldref *f = &ev->fields[i];
		if (f->type != CAP_F_DATA || f->len > sizeof(d->joined) - len)
			continue;
		memcpy(d->joined + len, f->data, f->len);
		len += f->len;
	}
	if (!len)
		return;
	int cut = (uint64_t)ev->hdr.ret > len;
	if (ev->hdr.flags & CAP_RF_DNS_TCP) {
		tcp_bytes(d, ev, out, d->joined, len, cut, emit, ctx);
		return;
	}
	if (cut) {
		d->st.cut++;
		return;
	}
	one_message(d, ev, out, 0, d->joined, len, emit, ctx);
}

/* Unanswered queries of (pid, fd), or all when pid is 0, are emitted and forgotten. */
static void unanswered(struct cap_dns *d, uint32_t pid, int32_t fd, cap_dns_emit_fn emit, void *ctx)
{
	for (unsigned i = 0; i < CAP_DNS_PENDING_MAX; i++) {
		struct pending *q = &d->pend[i];
		if (!q->used || (pid && (q->hdr.pid != pid || q->fd != fd)))
			continue;
		struct cap_dns_event e = { .hdr = q->hdr, .fd = q->fd, .tcp = q->tcp,
					   .query_seen = 1, .id = q->id, .qtype = q->qtype };
		copy_name(e.qname, q->qname);
		set_used(d, &q->used, 0);
		if (emit)
			emit(ctx, &e);
	}
}

void cap_dns_flush(struct cap_dns *d, cap_dns_emit_fn emit, void *ctx)
{
	unanswered(d, 0, 0, emit, ctx);
}

void cap_dns_closed(struct cap_dns *d, uint32_t pid, int32_t fd, cap_dns_emit_fn emit, void *ctx)
{
	if (!d->live)
		return;
	for (unsigned i = 0; i < CAP_DNS_STREAMS_MAX; i++)
		if (d->streams[i].used && d->streams[i].pid == pid && d->streams[i].fd == fd)
			set_used(d, &d->streams[i].used, 0);
	unanswered(d, pid, fd, emit, ctx);
}
