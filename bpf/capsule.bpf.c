// SPDX-License-Identifier: GPL-2.0
/* Capsule's kernel side: one sys_exit hook driven by the `specs` table, plus the process
 * lifecycle and signal tracepoints. Every program drops events from outside the session's
 * cgroup first thing. Records are built in a per-CPU scratch buffer and copied into the ring
 * buffer with their real size; the reader is woken only when the buffer fills up (it drains on
 * a timer otherwise), which is what keeps the cost per syscall low. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "capsule/event.h"
#include "arch.bpf.h"
#include "maps.bpf.h"
#include "capture.bpf.h"
#include "data.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- the generic syscall exit ---- */

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	if (!traced())
		return 0;

	__u32 nr = SYSCALL_NR(regs);
	if (nr >= CAP_SYSCALL_MAX)
		return 0;
	const struct cap_spec *sp = bpf_map_lookup_elem(&specs, &nr);
	if (!sp || !sp->flags)
		return 0;
	__u16 fl = sp->flags;
	__u64 a[6];
	a[0] = SYSCALL_ARG1(regs);

	if ((fl & (CAP_S_IO_READ | CAP_S_IO_WRITE)) && ret > 0)
		io_account((__s32)a[0], ret, fl & CAP_S_IO_WRITE);

	/* previews and DNS: one look at the fd's type decides (regular files: nothing more) */
	__u32 plan = 0;
	if ((fl & (CAP_S_DATA_OUT | CAP_S_DATA_IN)) && ret > 0) {
		int dc = data_class((__s32)a[0]);
		if (dc == DC_PREVIEW && (fl & CAP_S_DATA_OUT))
			plan = capture_bytes;
		else if (dc == DC_SOCK) {
			/* the call's own address: sendto/recvfrom arg 4, a msghdr's msg_name */
			__u64 sa = 0;
			if (sp->argt[4] == CAP_A_SOCKADDR || sp->argt[4] == CAP_A_SOCKADDR_OUT)
				sa = SYSCALL_ARG5(regs);
			else if (sp->argt[1] == CAP_A_MSGHDR || sp->argt[1] == CAP_A_MMSGHDR)
				sa = msghdr_name(SYSCALL_ARG2(regs));
			plan = data_plan((__s32)a[0], fl & CAP_S_DATA_OUT, sa);
		}
	}
	if (!(fl & CAP_S_RECORD) && !plan)
		return 0;
	if ((fl & CAP_S_FAILONLY) && ret >= 0)
		return 0;

	a[1] = SYSCALL_ARG2(regs);
	a[2] = SYSCALL_ARG3(regs);
	a[3] = SYSCALL_ARG4(regs);
	a[4] = SYSCALL_ARG5(regs);
	a[5] = SYSCALL_ARG6(regs);

	if ((fl & (CAP_S_IF_MASK | CAP_S_IF_PTR | CAP_S_IF_IN)) && !plan) {
		__u32 fi = sp->filter_arg;
		__u64 v = 0;
		__u8 t = 0;
		switch (fi) {
		case 0: v = a[0]; t = sp->argt[0]; break;
		case 1: v = a[1]; t = sp->argt[1]; break;
		case 2: v = a[2]; t = sp->argt[2]; break;
		case 3: v = a[3]; t = sp->argt[3]; break;
		case 4: v = a[4]; t = sp->argt[4]; break;
		default: v = a[5]; t = sp->argt[5]; break;
		}
		if (t == CAP_A_U64PTR)
			v = read_user_u64(v);
		else if (t == CAP_A_MSGHDR)
			v = msghdr_name(v) ?: msghdr_has_rights(v); /* a peer address, or fds passed */
		else if (t == CAP_A_MMSGHDR)
			v = msghdr_name(v);
		if ((fl & CAP_S_IF_MASK) && !(v & sp->filter_mask))
			return 0;
		if ((fl & CAP_S_IF_PTR) && !v)
			return 0;
		if (fl & CAP_S_IF_IN) {
			__u64 m = sp->filter_mask;
			__u32 c = (__u32)v;
			if (c != (m & 0xffff) && c != ((m >> 16) & 0xffff) && c != ((m >> 32) & 0xffff) &&
			    c != (m >> 48))
				return 0;
		}
	}
	if ((fl & CAP_S_IF_DEVICE) && !fd_is_device((__s32)a[0]))
		return 0;

	struct scratch *s = rec_begin(CAP_REC_SYSCALL);
	if (!s)
		return 0;
	struct cap_rec *r = (void *)s->buf;
	r->nr = nr;
	r->ret = ret;
	__builtin_memcpy(r->args, a, sizeof(a));

	/* one global function per argument keeps this program small for the verifier */
	__s32 dirfd = CAP_AT_FDCWD;
#pragma clang loop unroll(disable)
	for (__u32 i = 0; i < 6; i++) {
		__u8 t = sp->argt[i & 7];
		if (t == CAP_A_NONE)
			continue;
		dirfd = capture_arg((i << 8) | t, r->args[i & 7], i < 5 ? r->args[(i + 1) & 7] : 0, ret, dirfd);
	}
	if (sp->argt[1] == CAP_A_PRCTL_ARG && a[0] == 15 /* PR_SET_NAME */)
		add_user_str(CAP_F_STR, 1, a[1], CAP_COMM_LEN);

	if (ret >= 0) {
		if (sp->rett == CAP_R_FD_FILE)
			add_fileinfo(6, (__s32)ret);
		else if (sp->rett == CAP_R_FD_SOCK)
			add_sockinfo(6, (__s32)ret);
	}
	if (fl & CAP_S_CLOSE)
		add_io_totals((__s32)a[0]);
	if (fl & CAP_S_SIG)
		add_signal_target();
	if (plan & 0xffff) {
		if (plan & DP_DNS)
			r->flags |= CAP_RF_DNS | (plan & DP_TCP ? CAP_RF_DNS_TCP : 0);
		add_call_data(sp->argt[1], a[1], a[2], ret, plan);
	}

	rec_submit();
	return 0;
}

/* ---- process lifecycle ---- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	if (!traced())
		return 0;
	struct scratch *s = rec_begin(CAP_REC_EXEC);
	if (!s)
		return 0;
	struct cap_rec *r = (void *)s->buf;
	r->args[0] = old_pid;

	const char *filename = BPF_CORE_READ(bprm, filename);
	const char *interp = BPF_CORE_READ(bprm, interp);
	add_kernel_str(CAP_F_STR, 0, (__u64)filename);
	if (interp != filename)
		add_kernel_str(CAP_F_INTERP, 0, (__u64)interp);
	struct file *file = BPF_CORE_READ(bprm, file);
	add_file_struct_info(CAP_F_FILE, 6, (__u64)file);
	add_dpath(CAP_F_FDPATH, 6, (__u64)BPF_CORE_READ(file, f_path.dentry),
		  (__u64)BPF_CORE_READ(file, f_path.mnt));
	/* a script run through its interpreter: bprm->file is the interpreter by now and
	 * bprm->executable the file that was exec'd (5.8+), described as argument 0 */
	if (bpf_core_field_exists(bprm->executable)) {
		struct file *exe = BPF_CORE_READ(bprm, executable);
		if (exe && exe != file) {
			add_file_struct_info(CAP_F_FILE, 0, (__u64)exe);
			add_dpath(CAP_F_FDPATH, 0, (__u64)BPF_CORE_READ(exe, f_path.dentry),
				  (__u64)BPF_CORE_READ(exe, f_path.mnt));
		}
	}
	add_argv();
	add_cwd();
	add_cred();
	rec_submit();
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	if (!traced())
		return 0;
	struct scratch *s = rec_begin(CAP_REC_FORK);
	if (!s)
		return 0;
	struct cap_rec *r = (void *)s->buf;
	r->args[0] = BPF_CORE_READ(child, pid);
	r->args[1] = BPF_CORE_READ(child, tgid);
	r->args[2] = BPF_CORE_READ(child, flags);
	/* CLONE_FILES: the fd table is the parent's own (threads, and some clone() users) */
	r->args[3] = BPF_CORE_READ(child, files) == BPF_CORE_READ(parent, files);
	rec_submit();
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit, struct task_struct *p)
{
	if (!traced())
		return 0;
	struct task_struct *t = (void *)bpf_get_current_task();
	/* Only the last thread of a process makes an exit line; the live count is already
	 * decremented when the tracepoint fires. */
	if (BPF_CORE_READ(t, signal, live.counter) != 0)
		return 0;
	struct scratch *s = rec_begin(CAP_REC_EXIT);
	if (!s)
		return 0;
	struct cap_rec *r = (void *)s->buf;
	r->ret = BPF_CORE_READ(t, exit_code);
	/* CPU time of the whole process: the exited threads' sum plus this thread */
	r->args[0] = BPF_CORE_READ(t, signal, utime) + BPF_CORE_READ(t, utime);
	r->args[1] = BPF_CORE_READ(t, signal, stime) + BPF_CORE_READ(t, stime);
	r->args[2] = BPF_CORE_READ(t, signal, maxrss);
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	if (mm) {
		__u64 hiwater = BPF_CORE_READ(mm, hiwater_rss);
		r->args[3] = hiwater;
	}
	rec_submit();
	return 0;
}

/* ---- signals ---- */

/* In the sender's context: remember who the signal is for, so the kill/tgkill record that
 * follows names the target (pid and comm) even if it dies right after. */
SEC("tp_btf/signal_generate")
int BPF_PROG(signal_generate, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	if (!traced())
		return 0;
	/* SEND_SIG_NOINFO (0) and SEND_SIG_PRIV (1) are not pointers; si_code > 0 is the kernel */
	if ((__u64)info <= 1 || BPF_CORE_READ(info, si_code) > 0)
		return 0;
	struct cap_target tg = {};
	tg.pid = BPF_CORE_READ(task, tgid);
	tg.tid = BPF_CORE_READ(task, pid);
	BPF_CORE_READ_STR_INTO(&tg.comm, task, comm);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_update_elem(&sigtargets, &tid, &tg, BPF_ANY);
	return 0;
}

/* A signal whose default action will hit a traced process, seen when it is sent (from any
 * sender, inside the session or not). At delivery the kernel has already turned fatal signals
 * into SIGKILL, so this is the only place that knows the signal really sent. */
static __always_inline bool task_traced(struct task_struct *task)
{
	struct cgroup *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp);
	struct cgroup *anc = NULL;
	if (!cg || BPF_CORE_READ(cg, level) < (int)target_level)
		return false;
	bpf_probe_read_kernel(&anc, sizeof(anc), &cg->ancestors[target_level & 63]);
	return anc && BPF_CORE_READ(anc, kn, id) == target_cgid;
}

SEC("tp_btf/signal_generate")
int BPF_PROG(signal_to_traced, int sig, struct kernel_siginfo *info, struct task_struct *task,
	     int group, int result)
{
	/* 17 SIGCHLD, 18 SIGCONT, 23 SIGURG, 28 SIGWINCH: ignored by default, not interesting */
	if (result != 0 /* TRACE_SIGNAL_DELIVERED */ || sig <= 0 || sig > 64 || sig == 17 ||
	    sig == 18 || sig == 23 || sig == 28 || !task_traced(task))
		return 0;
	struct sighand_struct *sh = BPF_CORE_READ(task, sighand);
	void *handler = (void *)1;
	bpf_probe_read_kernel(&handler, sizeof(handler), &sh->action[(sig - 1) & 63].sa.sa_handler);
	if (handler != 0 /* SIG_DFL */)
		return 0;
	struct scratch *s = rec_begin(CAP_REC_SIGNAL);
	if (!s)
		return 0;
	struct cap_rec *r = (void *)s->buf;
	int code = (__u64)info > 1 ? BPF_CORE_READ(info, si_code) : 0;
	/* the record is about the receiver; the sender is the current task */
	r->args[0] = sig;
	r->args[1] = code;
	r->args[2] = code <= 0 && (__u64)info > 1 ? r->pid : 0;
	r->pid = BPF_CORE_READ(task, tgid);
	r->tid = BPF_CORE_READ(task, pid);
	r->ppid = BPF_CORE_READ(task, real_parent, tgid);
	r->uid = BPF_CORE_READ(task, cred, uid.val);
	r->euid = BPF_CORE_READ(task, cred, euid.val);
	r->gid = BPF_CORE_READ(task, cred, gid.val);
	r->cgroup = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
	BPF_CORE_READ_STR_INTO(&r->comm, task, comm);
	rec_submit();
	return 0;
}
