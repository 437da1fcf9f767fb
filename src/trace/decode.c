#include <errno.h>
#include <string.h>
#include "trace/decode.h"

int cap_decode(struct cap_event *ev, const void *data, size_t size)
{
	const uint8_t *p = data;

	memset(ev, 0, offsetof(struct cap_event, fields));
	ev->nfields = 0;
	if (size < sizeof(struct cap_rec))
		return -EINVAL;
	memcpy(&ev->hdr, p, sizeof(ev->hdr));
	if (ev->hdr.size > size || ev->hdr.size < sizeof(struct cap_rec))
		return -EINVAL;
	size = ev->hdr.size;
	ev->hdr.comm[CAP_COMM_LEN - 1] = 0;

	switch (ev->hdr.type) {
	case CAP_REC_SYSCALL:
		ev->sc = cap_syscall_by_nr(ev->hdr.nr);
		if (!ev->sc)
			return -EINVAL;
		break;
	case CAP_REC_EXEC:
	case CAP_REC_FORK:
	case CAP_REC_EXIT:
	case CAP_REC_SIGNAL:
		break;
	default:
		return -EINVAL;
	}

	size_t off = sizeof(struct cap_rec);
	for (unsigned i = 0; i < ev->hdr.nfields; i++) {
		struct cap_field f;
		if (size - off < sizeof(f))
			return -EINVAL;
		memcpy(&f, p + off, sizeof(f));
		off += sizeof(f);
		if (f.len > size - off)
			return -EINVAL;
		if (ev->nfields < CAP_MAX_FIELDS) {
			struct cap_fieldref *r = &ev->fields[ev->nfields++];
			r->data = p + off;
			r->len = f.len;
			r->type = f.type;
			r->arg = f.arg;
		}
		off += f.len;
	}
	return 0;
}

const struct cap_fieldref *cap_event_field(const struct cap_event *ev, int type, int arg)
{
	for (unsigned i = 0; i < ev->nfields; i++)
		if (ev->fields[i].type == type && (arg < 0 || ev->fields[i].arg == arg))
			return &ev->fields[i];
	return NULL;
}

int cap_event_struct(const struct cap_event *ev, int type, int arg, void *out, size_t size)
{
	const struct cap_fieldref *f = cap_event_field(ev, type, arg);
	if (!f || f->len < size)
		return 0;
	memcpy(out, f->data, size);
	return 1;
}

const char *cap_event_kind(const struct cap_event *ev)
{
	switch (ev->hdr.type) {
	case CAP_REC_SYSCALL:
		return ev->sc->name;
	case CAP_REC_EXEC:
		return "execve";
	case CAP_REC_FORK:
		return ev->hdr.args[0] == ev->hdr.args[1] ? "fork" : "thread";
	case CAP_REC_EXIT:
		return "exit";
	case CAP_REC_SIGNAL:
		return "signal";
	}
	return "?";
}

unsigned cap_event_area(const struct cap_event *ev)
{
	switch (ev->hdr.type) {
	case CAP_REC_SYSCALL:
		return ev->sc->area;
	case CAP_REC_SIGNAL:
		return AREA_signal;
	default:
		return AREA_proc;
	}
}
