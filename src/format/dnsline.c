/* The lines of a DNS lookup (kind "dns"): a query paired with its answer.
 *   [12:01:03.540] P4321 (python3) dns query www.example.com A -> 2 answers (93.184.215.14, ...)
 * Names came from the network: escaped like every other agent-controlled string. */
#include <arpa/nameser.h>
#include <string.h>
#include "format/dnsline.h"
#include "format/json.h"

static void key(struct sbuf *b, const char *k)
{
	sb_puts(b, ",\"");
	sb_puts(b, k);
	sb_puts(b, "\":");
}

static void kv_u64(struct sbuf *b, const char *k, uint64_t v)
{
	key(b, k);
	sb_u64(b, v);
}

static void kv_name(struct sbuf *b, const char *k, const char *v)
{
	key(b, k);
	sb_json_str(b, v, strlen(v));
}

static void kv_bool(struct sbuf *b, const char *k, int v)
{
	key(b, k);
	sb_puts(b, v ? "true" : "false");
}

void cap_dns_json_line(struct sbuf *b, const struct cap_dns_event *e, uint64_t seq, int64_t realtime_ns)
{
	const struct cap_dns_msg *m = e->answer;
	char tmp[32];

	cap_json_head(b, seq, realtime_ns, "dns", "net", &e->hdr);
	key(b, "fd");
	sb_i64(b, e->fd);
	key(b, "transport");
	sb_puts(b, e->tcp ? "\"tcp\"" : "\"udp\"");
	kv_u64(b, "id", e->id);
	kv_name(b, "name", e->qname);
	key(b, "type");
	sb_json_cstr(b, cap_dns_type_name(tmp, sizeof(tmp), e->qtype));
	kv_u64(b, "type_nr", e->qtype);
	kv_bool(b, "query_seen", e->query_seen);
	kv_bool(b, "answered", m != NULL);
	if (m) {
		key(b, "rcode");
		sb_json_cstr(b, cap_dns_rcode_name(tmp, sizeof(tmp), m->rcode));
		kv_bool(b, "truncated", m->tc);
		kv_u64(b, "answer_count", m->ancount);
		key(b, "answers");
		sb_putc(b, '[');
		for (unsigned i = 0; i < m->nrr; i++) {
			const struct cap_dns_rr *r = &m->rr[i];
			if (i)
				sb_putc(b, ',');
			sb_puts(b, "{\"name\":");
			sb_json_str(b, r->owner, strlen(r->owner));
			key(b, "type");
			sb_json_cstr(b, cap_dns_type_name(tmp, sizeof(tmp), r->type));
			kv_u64(b, "ttl", r->ttl);
			if (r->data[0])
				kv_name(b, "data", r->data);
			sb_putc(b, '}');
		}
		sb_putc(b, ']');
		/* the addresses the name the program asked for resolves to, CNAMEs followed */
		const struct cap_dns_rr *addrs[CAP_DNS_RR_MAX];
		unsigned n = cap_dns_addresses(m, addrs, CAP_DNS_RR_MAX);
		key(b, "addresses");
		sb_putc(b, '[');
		for (unsigned i = 0; i < n; i++) {
			if (i)
				sb_putc(b, ',');
			sb_json_cstr(b, addrs[i]->data);
		}
		sb_putc(b, ']');
	}
	sb_puts(b, "}\n");
}

void cap_dns_text_line(struct sbuf *b, const struct cap_dns_event *e, int64_t realtime_ns,
		       const struct cap_text_opts *o)
{
	const struct cap_dns_msg *m = e->answer;
	char tmp[32];

	cap_text_time(b, realtime_ns);
	sb_puts(b, " P");
	sb_u64(b, e->hdr.pid);
	if (e->hdr.tid != e->hdr.pid) {
		sb_putc(b, '/');
		sb_u64(b, e->hdr.tid);
	}
	sb_puts(b, " (");
	sb_escaped(b, e->hdr.comm, strnlen(e->hdr.comm, CAP_COMM_LEN), 0);
	sb_puts(b, ") ");
	if (o->color)
		sb_puts(b, "\033[1;34m");
	sb_puts(b, "dns");
	if (o->color)
		sb_puts(b, "\033[0m");
	sb_puts(b, " query ");
	sb_escaped(b, e->qname, strlen(e->qname), o->max_str);
	sb_putc(b, ' ');
	sb_puts(b, cap_dns_type_name(tmp, sizeof(tmp), e->qtype));
	if (e->tcp)
		sb_puts(b, " over tcp");
	sb_puts(b, " -> ");
	if (!m) {
		sb_puts(b, "no answer");
	} else if (m->rcode != ns_r_noerror) {
		sb_puts(b, cap_dns_rcode_name(tmp, sizeof(tmp), m->rcode));
	} else if (m->tc) {
		sb_puts(b, "truncated (retried over TCP)");
	} else {
		sb_u64(b, m->ancount);
		sb_puts(b, m->ancount == 1 ? " answer" : " answers");
		/* CNAMEs of the chain, then the addresses it ends at */
		const struct cap_dns_rr *addrs[CAP_DNS_RR_MAX];
		unsigned n = cap_dns_addresses(m, addrs, CAP_DNS_RR_MAX), shown = 0;
		for (unsigned i = 0; i < m->nrr; i++) {
			if (m->rr[i].type != ns_t_cname)
				continue;
			sb_puts(b, shown++ ? ", " : " (");
			sb_puts(b, "cname ");
			sb_escaped(b, m->rr[i].data, strlen(m->rr[i].data), o->max_str);
		}
		for (unsigned i = 0; i < n && i < 8; i++) {
			sb_puts(b, shown++ ? ", " : " (");
			sb_puts(b, addrs[i]->data);
		}
		if (n > 8)
			sb_puts(b, ", …");
		if (shown)
			sb_putc(b, ')');
	}
	if (!e->query_seen)
		sb_puts(b, " [query not captured]");
	sb_putc(b, '\n');
	if (b->full)
		b->buf[b->len - 1] = '\n';
}
