/* Executable identity in a session (see exe.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "enrich/exe.h"
#include "log/chain.h"
#include "format/json.h"
#include "format/names.h"

int cap_exe_init(struct cap_exe *x, bool hash_files)
{
	memset(x, 0, sizeof(*x));
	if (!hash_files)
		return 0;
	int ret = cap_exehash_init(&x->hash, 0, 0);
	x->hashing = ret == 0;
	return ret;
}

void cap_exe_free(struct cap_exe *x)
{
	if (x->hashing)
		cap_exehash_free(&x->hash);
	free(x->written);
	memset(x, 0, sizeof(*x));
}

#define PATH_DEV UINT64_MAX /* entries {PATH_DEV, hash of the path}: kernel devs are 32-bit */

static size_t file_slot(const struct cap_exe *x, uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino * 0x9E3779B97F4A7C15ULL) ^ (dev * 0xC2B2AE3D27D4EB4FULL);
	return (h ^ (h >> 31)) & (x->written_slots - 1);
}

bool cap_exe_was_written(const struct cap_exe *x, uint64_t kdev, uint64_t ino)
{
	if (!x->written)
		return false;
	for (size_t i = file_slot(x, kdev, ino);; i = (i + 1) & (x->written_slots - 1)) {
		const struct cap_exe_file *f = &x->written[i];
		if (!f->dev && !f->ino)
			return false;
		if (f->dev == kdev && f->ino == ino)
			return true;
	}
}

static void remember_written(struct cap_exe *x, uint64_t kdev, uint64_t ino)
{
	if (!x->written) {
		x->written_slots = CAP_EXE_WRITTEN_MAX * 2; /* at most half full: probes stay short */
		x->written = calloc(x->written_slots, sizeof(*x->written));
		if (!x->written)
			return;
	}
	for (size_t i = file_slot(x, kdev, ino);; i = (i + 1) & (x->written_slots - 1)) {
		struct cap_exe_file *f = &x->written[i];
		if (f->dev == kdev && f->ino == ino)
			return;
		if (!f->dev && !f->ino) {
			if (x->nwritten >= CAP_EXE_WRITTEN_MAX) {
				x->written_overflow++;
				return;
			}
			f->dev = kdev;
			f->ino = ino;
			x->nwritten++;
			return;
		}
	}
}

static uint64_t path_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h | 1; /* never {PATH_DEV, 0}... nor the empty slot */
}

/* The cached image hash into v, or the file queued for the worker; the script (whose inode
 * the kernel does not record) is always queued. */
static void identify(struct cap_exe *x, const struct cap_event *ev, struct cap_view *v)
{
	struct cap_exekey k;
	uint8_t sha[32];
	struct cap_exejob job = { .pid = ev->hdr.pid, .exec_seq = ev->seq, .hdr = ev->hdr };
	int ret;

	if (!x->hashing)
		return;
	if (v->has_file && S_ISREG(v->file.mode)) {
		cap_exe_key(&k, &v->file);
		if (cap_exehash_lookup(&x->hash, &k, sha)) {
			cap_chain_hex(sha, v->image_sha256);
		} else {
			job.key = k;
			job.role = CAP_IMG_EXE;
			job.path = v->npaths ? v->path[0] : NULL;
			ret = cap_exehash_submit(&x->hash, &job);
			if (ret == 0 && cap_exehash_lookup(&x->hash, &k, sha)) /* finished meanwhile */
				cap_chain_hex(sha, v->image_sha256);
			else if (ret == -EAGAIN)
				x->images_dropped++, v->image_note = cap_image_status_name(CAP_IMG_DROPPED);
		}
	}
	if (v->has_script) {
		/* with the kernel's inode of the script, the worker hashes that very file (else
		 * whatever the path holds, key 0) */
		job.key = (struct cap_exekey){ 0 };
		if (v->has_script_file && S_ISREG(v->script_file.mode))
			cap_exe_key(&job.key, &v->script_file);
		job.role = CAP_IMG_SCRIPT;
		job.path = v->path[1];
		if (cap_exehash_submit(&x->hash, &job) == -EAGAIN)
			x->images_dropped++;
	}
}

int cap_exe_poll(struct cap_exe *x, struct cap_exeresult *r)
{
	if (!x->hashing || !cap_exehash_poll(&x->hash, r))
		return 0;
	if (r->job.role == CAP_IMG_SCRIPT && r->status != CAP_IMG_REPLACED &&
	    cap_exe_was_written(x, r->job.key.dev, r->job.key.ino))
		r->session_written = true;
	return 1;
}

void cap_exe_event(struct cap_exe *x, const struct cap_event *ev, struct cap_view *v)
{
	if (ev->hdr.type == CAP_REC_SYSCALL) {
		/* a regular file the session created or opened for writing */
		if (ev->sc->rett == CAP_R_FD_FILE && ev->hdr.ret >= 0 && v->writes && v->has_file &&
		    S_ISREG(v->file.mode)) {
			remember_written(x, v->file.dev, v->file.ino);
			if (v->npaths)
				remember_written(x, PATH_DEV, path_hash(v->path[0], v->path_len[0]));
		} else if (ev->hdr.ret == 0 && v->npaths == 2 && !strncmp(ev->sc->name, "rename", 6)) {
			/* written elsewhere, then moved into place */
			remember_written(x, PATH_DEV, path_hash(v->path[1], v->path_len[1]));
		}
		return;
	}
	if (ev->hdr.type != CAP_REC_EXEC)
		return;
	identify(x, ev, v);
	/* the image by inode; a script by path (the kernel does not record its inode), and by
	 * inode again when its hash comes back (the image event) */
	if ((v->has_file && cap_exe_was_written(x, v->file.dev, v->file.ino)) ||
	    (v->has_script && cap_exe_was_written(x, PATH_DEV, path_hash(v->path[1], v->path_len[1])))) {
		v->session_written = true;
		/* a privilege gain says more; anything else gives way */
		if (!v->warning || strcmp(v->warning, "privilege gain at exec"))
			v->warning = CAP_WARN_SESSION_WRITTEN;
	}
}

/* ---- the "image" event ---- */

static void json_key(struct sbuf *b, const char *k)
{
	sb_puts(b, ",\"");
	sb_puts(b, k);
	sb_puts(b, "\":");
}

void cap_exe_image_json(struct sbuf *b, const struct cap_exeresult *r, uint64_t seq, int64_t realtime_ns)
{
	const struct cap_rec *h = &r->job.hdr;
	char hex[65];

	cap_json_head(b, seq, realtime_ns, "image", "proc", h);
	json_key(b, "exec_seq");
	sb_u64(b, r->job.exec_seq);
	json_key(b, "role");
	sb_puts(b, r->job.role == CAP_IMG_SCRIPT ? "\"script\"" : "\"exe\"");
	if (r->job.path) {
		json_key(b, "path");
		sb_json_str(b, r->job.path, strlen(r->job.path));
	}
	json_key(b, "file");
	sb_puts(b, "{\"dev\":\"");
	sb_u64(b, r->job.key.dev >> 20);
	sb_putc(b, ':');
	sb_u64(b, r->job.key.dev & 0xfffff);
	sb_puts(b, "\",\"ino\":");
	sb_u64(b, r->job.key.ino);
	sb_puts(b, ",\"size\":");
	sb_u64(b, r->job.key.size);
	sb_puts(b, ",\"mtime\":");
	sb_i64(b, r->job.key.mtime);
	sb_putc(b, '}');
	json_key(b, "status");
	sb_json_cstr(b, cap_image_status_name(r->status));
	if (r->session_written)
		sb_puts(b, ",\"session_written\":true,\"warning\":\"" CAP_WARN_SESSION_WRITTEN "\"");
	if (r->status == CAP_IMG_OK || r->status == CAP_IMG_MODIFIED) {
		cap_chain_hex(r->sha256, hex);
		json_key(b, "sha256");
		sb_json_cstr(b, hex);
		json_key(b, "bytes");
		sb_u64(b, r->size);
		json_key(b, "opened_via");
		sb_puts(b, r->via_proc ? "\"proc\"" : "\"path\"");
	}
	if (r->status == CAP_IMG_ERROR) {
		const char *e = cap_errno_name(r->err);
		json_key(b, "error");
		sb_json_cstr(b, e ? e : "E?");
	}
	sb_puts(b, "}\n");
}

void cap_exe_image_text(struct sbuf *b, const struct cap_exeresult *r, int64_t realtime_ns,
			const struct cap_text_opts *o)
{
	const struct cap_rec *h = &r->job.hdr;
	char hex[65];
	time_t sec = realtime_ns / 1000000000;
	struct tm tm;
	char hms[16];

	localtime_r(&sec, &tm);
	strftime(hms, sizeof(hms), "%H:%M:%S", &tm);
	sb_putc(b, '[');
	sb_puts(b, hms);
	sb_putc(b, '.');
	sb_u64w(b, (realtime_ns / 1000000) % 1000, 3);
	sb_puts(b, "] P");
	sb_u64(b, h->pid);
	sb_puts(b, " (");
	sb_escaped(b, h->comm, strnlen(h->comm, CAP_COMM_LEN), 0);
	sb_puts(b, ") image ");
	if (r->job.role == CAP_IMG_SCRIPT)
		sb_puts(b, "script=");
	if (r->job.path)
		sb_escaped(b, r->job.path, strlen(r->job.path), o->max_str);
	if (r->status == CAP_IMG_OK || r->status == CAP_IMG_MODIFIED) {
		cap_chain_hex(r->sha256, hex);
		sb_puts(b, " sha256=");
		sb_puts(b, hex);
	}
	switch (r->status) {
	case CAP_IMG_MODIFIED:
		sb_puts(b, "  ⚠ changed since the exec (hash of the content now)");
		break;
	case CAP_IMG_REPLACED:
		sb_puts(b, "  ⚠ not hashed: the file at this path is not the one exec'd (device:inode differ)");
		break;
	case CAP_IMG_TOO_LARGE:
		sb_puts(b, " not hashed: larger than ");
		sb_u64(b, CAP_EXEHASH_FILE_MAX >> 20);
		sb_puts(b, " MiB");
		break;
	case CAP_IMG_ERROR: {
		const char *e = cap_errno_name(r->err);
		sb_puts(b, " not hashed: ");
		sb_puts(b, e ? e : "error");
		break;
	}
	}
	if (r->session_written)
		sb_puts(b, "  ⚠ " CAP_WARN_SESSION_WRITTEN);
	sb_putc(b, '\n');
	if (b->full)
		b->buf[b->len - 1] = '\n';
}
