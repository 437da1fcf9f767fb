/* DNS messages from the network are parsed, paired, cached and formatted: any bytes must be
 * safe. The first input byte picks the path (UDP or TCP stream, query or answer); the state
 * persists across inputs so pairing, the LRU table and TCP reassembly are exercised too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "enrich/dns.h"
#include "format/dnsline.h"

static char out[1 << 16];

static void emit(void *ctx, const struct cap_dns_event *e)
{
	struct sbuf b;
	struct cap_text_opts o = { .color = false, .max_str = 64 };
	(void)ctx;
	sb_init(&b, out, sizeof(out));
	cap_dns_json_line(&b, e, 1, 0);
	if (!b.len || out[b.len - 1] != '\n')
		abort();
	sb_init(&b, out, sizeof(out));
	cap_dns_text_line(&b, e, 0, &o);
	if (!b.len || out[b.len - 1] != '\n')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cap_dns *d;
	static struct cap_dns_msg m;
	static struct cap_event ev;
	static const struct cap_dns_rr *addrs[CAP_DNS_RR_MAX];

	if (!d && !(d = cap_dns_new()))
		abort();
	if (size < 1)
		return 0;
	uint8_t mode = data[0];
	data++, size--;
	if (cap_dns_parse(data, size, &m) == 0 && cap_dns_addresses(&m, addrs, CAP_DNS_RR_MAX) > CAP_DNS_RR_MAX)
		abort();

	if (size > CAP_DATA_MAX)
		size = CAP_DATA_MAX;
	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = CAP_REC_SYSCALL;
	ev.sc = cap_syscall_by_name(mode & 1 ? "sendto" : "recvfrom");
	ev.hdr.nr = ev.sc->nr;
	ev.hdr.pid = ev.hdr.tid = 100 + (mode >> 4);
	ev.hdr.flags = CAP_RF_DNS | (mode & 2 ? CAP_RF_DNS_TCP : 0);
	ev.hdr.args[0] = (mode >> 2) & 3;
	ev.hdr.ret = mode & 8 ? (long)size + 7 : (long)size;
	ev.fields[0] = (struct cap_fieldref){ .data = data, .len = size, .type = CAP_F_DATA, .arg = 1 };
	ev.nfields = 1;
	cap_dns_record(d, &ev, emit, NULL);
	if (mode == 0xff)
		cap_dns_flush(d, emit, NULL);
	return 0;
}
