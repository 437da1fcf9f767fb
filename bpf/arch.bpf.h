/* Per-architecture access to the syscall number and arguments at sys_exit.
 * At exit the argument registers still hold the arguments, except that arm64 overwrites x0
 * with the result (orig_x0 keeps the first argument), which libbpf's *_CORE_SYSCALL macros
 * know about. libbpf 1.1 has no sixth-argument macro, hence SYSCALL_ARG6. */
#ifndef CAPSULE_ARCH_BPF_H
#define CAPSULE_ARCH_BPF_H

#if defined(__TARGET_ARCH_x86)
#define SYSCALL_NR(regs)   BPF_CORE_READ(regs, orig_ax)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, r9)
#elif defined(__TARGET_ARCH_arm64)
#define SYSCALL_NR(regs)   BPF_CORE_READ(regs, syscallno)
#define SYSCALL_ARG6(regs) BPF_CORE_READ(regs, regs[5])
#else
#error "unsupported architecture: define __TARGET_ARCH_x86 or __TARGET_ARCH_arm64"
#endif
#define SYSCALL_ARG1(regs) PT_REGS_PARM1_CORE_SYSCALL(regs)
#define SYSCALL_ARG2(regs) PT_REGS_PARM2_CORE_SYSCALL(regs)
#define SYSCALL_ARG3(regs) PT_REGS_PARM3_CORE_SYSCALL(regs)
#define SYSCALL_ARG4(regs) PT_REGS_PARM4_CORE_SYSCALL(regs)
#define SYSCALL_ARG5(regs) PT_REGS_PARM5_CORE_SYSCALL(regs)

#endif
