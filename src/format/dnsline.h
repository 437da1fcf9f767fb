/* Text and JSON lines of DNS lookups (kind "dns"). */
#ifndef CAPSULE_DNSLINE_H
#define CAPSULE_DNSLINE_H
#include "enrich/dns.h"
#include "format/sbuf.h"
#include "format/text.h"

void cap_dns_json_line(struct sbuf *b, const struct cap_dns_event *e, uint64_t seq, int64_t realtime_ns);
void cap_dns_text_line(struct sbuf *b, const struct cap_dns_event *e, int64_t realtime_ns,
		       const struct cap_text_opts *o);

#endif
