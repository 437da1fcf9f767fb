/* The syscall table, expanded from syscalls.def (wrapped per arch by the build). */
#include <string.h>
#include <sys/syscall.h>
#include "trace/syscalls.h"

#define R CAP_S_RECORD
#define IOR CAP_S_IO_READ
#define IOW CAP_S_IO_WRITE
#define CLOSE CAP_S_CLOSE
#define IFMASK CAP_S_IF_MASK
#define IFPTR CAP_S_IF_PTR
#define IFDEV CAP_S_IF_DEVICE
#define SIG CAP_S_SIG
#define FAILONLY CAP_S_FAILONLY
#define DOUT CAP_S_DATA_OUT
#define DIN CAP_S_DATA_IN
#define IFIN CAP_S_IF_IN
#define A(cap, nm, f) { CAP_A_##cap, D_##f, #nm }
#define X { 0, D_SKIP, NULL }
#define SC(nm, ar, fl, fa, fm, rc, rf, a0, a1, a2, a3, a4, a5)                                  \
	{ .name = #nm, .nr = __NR_##nm, .area = AREA_##ar, .rett = CAP_R_##rc, .ret_fmt = D_##rf, \
	  .flags = (fl), .filter_arg = (fa), .filter_mask = (fm), .args = { a0, a1, a2, a3, a4, a5 } },

static const struct cap_syscall table[] = {
#include "syscall_table.h"
};

static const char *const area_names[AREA__COUNT] = {
	"proc", "net", "file", "cred", "mem", "ipc", "dev", "sys", "ns", "signal",
};

static const struct cap_syscall *by_nr[CAP_SYSCALL_MAX];

static void index_table(void)
{
	static int done;
	if (done)
		return;
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].nr >= 0 && table[i].nr < CAP_SYSCALL_MAX)
			by_nr[table[i].nr] = &table[i];
	done = 1;
}

const struct cap_syscall *cap_syscall_by_nr(unsigned nr)
{
	index_table();
	return nr < CAP_SYSCALL_MAX ? by_nr[nr] : NULL;
}

const struct cap_syscall *cap_syscall_by_name(const char *name)
{
	for (unsigned i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

const struct cap_syscall *cap_syscall_table(unsigned *count)
{
	*count = sizeof(table) / sizeof(table[0]);
	return table;
}

struct cap_spec cap_syscall_spec(const struct cap_syscall *sc, int verbose)
{
	struct cap_spec sp = {0};
	for (int i = 0; i < 6; i++)
		sp.argt[i] = sc->args[i].capture;
	sp.rett = sc->rett;
	sp.flags = sc->flags;
	sp.filter_arg = sc->filter_arg;
	sp.filter_mask = sc->filter_mask;
	if (verbose) {
		/* --verbose: every read/write/send/recv and every mapping gets its own line */
		if (sp.flags & (CAP_S_IO_READ | CAP_S_IO_WRITE))
			sp.flags |= CAP_S_RECORD;
		sp.flags &= ~CAP_S_IF_PTR;
		if (sc->area == AREA_mem)
			sp.flags &= ~CAP_S_IF_MASK;
	}
	return sp;
}

const char *cap_area_name(unsigned area)
{
	return area < AREA__COUNT ? area_names[area] : "?";
}

int cap_area_by_name(const char *name)
{
	for (int i = 0; i < AREA__COUNT; i++)
		if (!strcmp(area_names[i], name))
			return i;
	return -1;
}
