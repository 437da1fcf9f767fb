/* The syscalls Capsule records: the one list that drives both the kernel capture (the `specs`
 * map, filled from this table at load time) and the user-space decoding and formatting.
 * One entry per line (the build wraps each in #ifdef __NR_<name>, so a syscall an arch lacks,
 * such as open on arm64, drops out).
 *
 * SC(name, area, flags, filter_arg, filter_mask, ret_capture, ret_format, a0, a1, a2, a3, a4, a5)
 *   area        proc net file cred mem ipc dev sys ns signal
 *   flags       CAP_S_* without the prefix, or-ed: R (record), IOR/IOW (count bytes per fd),
 *               CLOSE, IFMASK/IFPTR/IFDEV (record only when ...), SIG, FAILONLY
 *   ret_capture NONE FD_FILE FD_SOCK
 *   ret_format  how the result is shown: INT FD PID SIZE PTR
 *   aN          A(capture, name, format): capture is a cap_arg_type without CAP_A_, format a
 *               D_* decoder (src/format/text.c); X for no argument.
 */
/* ---- process execution ---- */
#ifdef __NR_execve
SC(execve,            proc,  R|FAILONLY,   0, 0,          NONE,    INT,  A(PATH,filename,STR), A(NONE,argv,SKIP), A(NONE,envp,SKIP), X, X, X)
#endif
#ifdef __NR_execveat
SC(execveat,          proc,  R|FAILONLY,   0, 0,          NONE,    INT,  A(DIRFD,dirfd,SKIP), A(PATH,filename,STR), A(NONE,argv,SKIP), A(NONE,envp,SKIP), A(NONE,flags,AT), X)
#endif
#ifdef __NR_clone
SC(clone,             ns,    R|IFMASK,     0, CAP_NS_MASK, NONE,   PID,  A(NONE,flags,CLONE), A(NONE,stack,SKIP), A(NONE,ptid,SKIP), A(NONE,ctid,SKIP), A(NONE,tls,SKIP), X)
#endif
#ifdef __NR_clone3
SC(clone3,            ns,    R|IFMASK,     0, CAP_NS_MASK, NONE,   PID,  A(U64PTR,flags,CLONE), A(NONE,size,SKIP), X, X, X, X)
#endif
#ifdef __NR_setsid
SC(setsid,            proc,  R,            0, 0,          NONE,    PID,  X, X, X, X, X, X)
#endif
#ifdef __NR_prctl
SC(prctl,             proc,  R,            0, 0,          NONE,    INT,  A(NONE,option,PRCTL), A(PRCTL_ARG,arg2,HEX), A(NONE,arg3,SKIP), A(NONE,arg4,SKIP), A(NONE,arg5,SKIP), X)
#endif
#ifdef __NR_chdir
SC(chdir,             proc,  R,            0, 0,          NONE,    INT,  A(PATH,path,STR), X, X, X, X, X)
#endif
#ifdef __NR_fchdir
SC(fchdir,            proc,  R,            0, 0,          NONE,    INT,  A(FD_FILE,fd,FD), X, X, X, X, X)
#endif
/* ---- network ---- */
#ifdef __NR_socket
SC(socket,            net,   R,            0, 0,          FD_SOCK, FD,   A(NONE,domain,FAMILY), A(NONE,type,SOCKTYPE), A(NONE,protocol,PROTO), X, X, X)
#endif
#ifdef __NR_connect
SC(connect,           net,   R,            0, 0,          NONE,    INT,  A(FD_SOCK,fd,FD), A(SOCKADDR,addr,SKIP), A(NONE,addrlen,SKIP), X, X, X)
#endif
#ifdef __NR_bind
SC(bind,              net,   R,            0, 0,          NONE,    INT,  A(FD_SOCK,fd,FD), A(SOCKADDR,addr,SKIP), A(NONE,addrlen,SKIP), X, X, X)
#endif
#ifdef __NR_listen
SC(listen,            net,   R,            0, 0,          NONE,    INT,  A(FD_SOCK,fd,FD), A(NONE,backlog,INT), X, X, X, X)
#endif
#ifdef __NR_accept
SC(accept,            net,   R,            0, 0,          FD_SOCK, FD,   A(FD,fd,FD), A(SOCKADDR_OUT,addr,SKIP), A(NONE,addrlen,SKIP), X, X, X)
#endif
#ifdef __NR_accept4
SC(accept4,           net,   R,            0, 0,          FD_SOCK, FD,   A(FD,fd,FD), A(SOCKADDR_OUT,addr,SKIP), A(NONE,addrlen,SKIP), A(NONE,flags,SOCKTYPE), X, X)
#endif
#ifdef __NR_sendto
SC(sendto,            net,   R|IOW|IFPTR,  4, 0,          NONE,    SIZE, A(FD_SOCK,fd,FD), A(NONE,buf,SKIP), A(NONE,len,INT), A(NONE,flags,MSG), A(SOCKADDR,addr,SKIP), A(NONE,addrlen,SKIP))
#endif
#ifdef __NR_recvfrom
SC(recvfrom,          net,   R|IOR|IFPTR,  4, 0,          NONE,    SIZE, A(FD_SOCK,fd,FD), A(NONE,buf,SKIP), A(NONE,len,INT), A(NONE,flags,MSG), A(SOCKADDR_OUT,addr,SKIP), A(NONE,addrlen,SKIP))
#endif
#ifdef __NR_sendmsg
SC(sendmsg,           net,   R|IOW|IFPTR,  1, 0,          NONE,    SIZE, A(FD_SOCK,fd,FD), A(MSGHDR,msg,SKIP), A(NONE,flags,MSG), X, X, X)
#endif
#ifdef __NR_recvmsg
SC(recvmsg,           net,   R|IOR|IFPTR,  1, 0,          NONE,    SIZE, A(FD_SOCK,fd,FD), A(MSGHDR,msg,SKIP), A(NONE,flags,MSG), X, X, X)
#endif
#ifdef __NR_sendmmsg
SC(sendmmsg,          net,   R|IFPTR,      1, 0,          NONE,    INT,  A(FD_SOCK,fd,FD), A(MSGHDR,msgvec,SKIP), A(NONE,vlen,INT), A(NONE,flags,MSG), X, X)
#endif
#ifdef __NR_recvmmsg
SC(recvmmsg,          net,   R|IFPTR,      1, 0,          NONE,    INT,  A(FD_SOCK,fd,FD), A(MSGHDR,msgvec,SKIP), A(NONE,vlen,INT), A(NONE,flags,MSG), A(NONE,timeout,SKIP), X)
#endif
/* ---- file I/O ---- */
#ifdef __NR_open
SC(open,              file,  R,            0, 0,          FD_FILE, FD,   A(PATH,path,STR), A(NONE,flags,OPEN), A(NONE,mode,MODE), X, X, X)
#endif
#ifdef __NR_openat
SC(openat,            file,  R,            0, 0,          FD_FILE, FD,   A(DIRFD,dirfd,SKIP), A(PATH,path,STR), A(NONE,flags,OPEN), A(NONE,mode,MODE), X, X)
#endif
#ifdef __NR_openat2
SC(openat2,           file,  R,            0, 0,          FD_FILE, FD,   A(DIRFD,dirfd,SKIP), A(PATH,path,STR), A(U64PTR,flags,OPEN), A(NONE,size,SKIP), X, X)
#endif
#ifdef __NR_creat
SC(creat,             file,  R,            0, 0,          FD_FILE, FD,   A(PATH,path,STR), A(NONE,mode,MODE), X, X, X, X)
#endif
#ifdef __NR_close
SC(close,             file,  R|CLOSE,      0, 0,          NONE,    INT,  A(FD,fd,FD), X, X, X, X, X)
#endif
#ifdef __NR_close_range
SC(close_range,       file,  R,            0, 0,          NONE,    INT,  A(FD,first,FD), A(NONE,last,INT), A(NONE,flags,HEX), X, X, X)
#endif
#ifdef __NR_dup
SC(dup,               file,  R,            0, 0,          NONE,    FD,   A(FD,oldfd,FD), X, X, X, X, X)
#endif
#ifdef __NR_dup2
SC(dup2,              file,  R,            0, 0,          NONE,    FD,   A(FD,oldfd,FD), A(FD,newfd,FD), X, X, X, X)
#endif
#ifdef __NR_dup3
SC(dup3,              file,  R,            0, 0,          NONE,    FD,   A(FD,oldfd,FD), A(FD,newfd,FD), A(NONE,flags,OPEN), X, X, X)
#endif
#ifdef __NR_read
SC(read,              file,  IOR,          0, 0,          NONE,    SIZE, A(FD,fd,FD), A(NONE,buf,SKIP), A(NONE,count,INT), X, X, X)
#endif
#ifdef __NR_write
SC(write,             file,  IOW,          0, 0,          NONE,    SIZE, A(FD,fd,FD), A(NONE,buf,SKIP), A(NONE,count,INT), X, X, X)
#endif
#ifdef __NR_pread64
SC(pread64,           file,  IOR,          0, 0,          NONE,    SIZE, A(FD,fd,FD), A(NONE,buf,SKIP), A(NONE,count,INT), A(NONE,offset,INT), X, X)
#endif
#ifdef __NR_pwrite64
SC(pwrite64,          file,  IOW,          0, 0,          NONE,    SIZE, A(FD,fd,FD), A(NONE,buf,SKIP), A(NONE,count,INT), A(NONE,offset,INT), X, X)
#endif
#ifdef __NR_readv
SC(readv,             file,  IOR,          0, 0,          NONE,    SIZE, A(FD,fd,FD), A(NONE,iov,SKIP), A(NONE,iovcnt,INT), X, X, X)
#endif
#ifdef __NR_writev
SC(writev,            file,  IOW,          0, 0,          NONE,    SIZE, A(FD,fd,FD), A(NONE,iov,SKIP), A(NONE,iovcnt,INT), X, X, X)
#endif
#ifdef __NR_preadv
SC(preadv,            file,  IOR,          0, 0,          NONE,    SIZE, A(FD,fd,FD), A(NONE,iov,SKIP), A(NONE,iovcnt,INT), A(NONE,offset,INT), X, X)
#endif
#ifdef __NR_pwritev
SC(pwritev,           file,  IOW,          0, 0,          NONE,    SIZE, A(FD,fd,FD), A(NONE,iov,SKIP), A(NONE,iovcnt,INT), A(NONE,offset,INT), X, X)
#endif
#ifdef __NR_preadv2
SC(preadv2,           file,  IOR,          0, 0,          NONE,    SIZE, A(FD,fd,FD), A(NONE,iov,SKIP), A(NONE,iovcnt,INT), A(NONE,offset,INT), A(NONE,flags,HEX), X)
#endif
#ifdef __NR_pwritev2
SC(pwritev2,          file,  IOW,          0, 0,          NONE,    SIZE, A(FD,fd,FD), A(NONE,iov,SKIP), A(NONE,iovcnt,INT), A(NONE,offset,INT), A(NONE,flags,HEX), X)
#endif
#ifdef __NR_unlink
SC(unlink,            file,  R,            0, 0,          NONE,    INT,  A(PATH,path,STR), X, X, X, X, X)
#endif
#ifdef __NR_unlinkat
SC(unlinkat,          file,  R,            0, 0,          NONE,    INT,  A(DIRFD,dirfd,SKIP), A(PATH,path,STR), A(NONE,flags,AT), X, X, X)
#endif
#ifdef __NR_rename
SC(rename,            file,  R,            0, 0,          NONE,    INT,  A(PATH,oldpath,STR), A(PATH,newpath,STR), X, X, X, X)
#endif
#ifdef __NR_renameat
SC(renameat,          file,  R,            0, 0,          NONE,    INT,  A(DIRFD,olddirfd,SKIP), A(PATH,oldpath,STR), A(DIRFD,newdirfd,SKIP), A(PATH,newpath,STR), X, X)
#endif
#ifdef __NR_renameat2
SC(renameat2,         file,  R,            0, 0,          NONE,    INT,  A(DIRFD,olddirfd,SKIP), A(PATH,oldpath,STR), A(DIRFD,newdirfd,SKIP), A(PATH,newpath,STR), A(NONE,flags,RENAME), X)
#endif
#ifdef __NR_mkdir
SC(mkdir,             file,  R,            0, 0,          NONE,    INT,  A(PATH,path,STR), A(NONE,mode,MODE), X, X, X, X)
#endif
#ifdef __NR_mkdirat
SC(mkdirat,           file,  R,            0, 0,          NONE,    INT,  A(DIRFD,dirfd,SKIP), A(PATH,path,STR), A(NONE,mode,MODE), X, X, X)
#endif
#ifdef __NR_rmdir
SC(rmdir,             file,  R,            0, 0,          NONE,    INT,  A(PATH,path,STR), X, X, X, X, X)
#endif
#ifdef __NR_chmod
SC(chmod,             file,  R,            0, 0,          NONE,    INT,  A(PATH,path,STR), A(NONE,mode,MODE), X, X, X, X)
#endif
#ifdef __NR_fchmod
SC(fchmod,            file,  R,            0, 0,          NONE,    INT,  A(FD_FILE,fd,FD), A(NONE,mode,MODE), X, X, X, X)
#endif
#ifdef __NR_fchmodat
SC(fchmodat,          file,  R,            0, 0,          NONE,    INT,  A(DIRFD,dirfd,SKIP), A(PATH,path,STR), A(NONE,mode,MODE), X, X, X)
#endif
#ifdef __NR_fchmodat2
SC(fchmodat2,         file,  R,            0, 0,          NONE,    INT,  A(DIRFD,dirfd,SKIP), A(PATH,path,STR), A(NONE,mode,MODE), A(NONE,flags,AT), X, X)
#endif
#ifdef __NR_chown
SC(chown,             file,  R,            0, 0,          NONE,    INT,  A(PATH,path,STR), A(NONE,owner,ID), A(NONE,group,ID), X, X, X)
#endif
#ifdef __NR_lchown
SC(lchown,            file,  R,            0, 0,          NONE,    INT,  A(PATH,path,STR), A(NONE,owner,ID), A(NONE,group,ID), X, X, X)
#endif
#ifdef __NR_fchown
SC(fchown,            file,  R,            0, 0,          NONE,    INT,  A(FD_FILE,fd,FD), A(NONE,owner,ID), A(NONE,group,ID), X, X, X)
#endif
#ifdef __NR_fchownat
SC(fchownat,          file,  R,            0, 0,          NONE,    INT,  A(DIRFD,dirfd,SKIP), A(PATH,path,STR), A(NONE,owner,ID), A(NONE,group,ID), A(NONE,flags,AT), X)
#endif
#ifdef __NR_truncate
SC(truncate,          file,  R,            0, 0,          NONE,    INT,  A(PATH,path,STR), A(NONE,length,INT), X, X, X, X)
#endif
#ifdef __NR_ftruncate
SC(ftruncate,         file,  R,            0, 0,          NONE,    INT,  A(FD_FILE,fd,FD), A(NONE,length,INT), X, X, X, X)
#endif
#ifdef __NR_link
SC(link,              file,  R,            0, 0,          NONE,    INT,  A(PATH,oldpath,STR), A(PATH,newpath,STR), X, X, X, X)
#endif
#ifdef __NR_linkat
SC(linkat,            file,  R,            0, 0,          NONE,    INT,  A(DIRFD,olddirfd,SKIP), A(PATH,oldpath,STR), A(DIRFD,newdirfd,SKIP), A(PATH,newpath,STR), A(NONE,flags,AT), X)
#endif
#ifdef __NR_symlink
SC(symlink,           file,  R,            0, 0,          NONE,    INT,  A(STR,target,STR), A(PATH,linkpath,STR), X, X, X, X)
#endif
#ifdef __NR_symlinkat
SC(symlinkat,         file,  R,            0, 0,          NONE,    INT,  A(STR,target,STR), A(DIRFD,dirfd,SKIP), A(PATH,linkpath,STR), X, X, X)
#endif
/* ---- credentials ---- */
#ifdef __NR_setuid
SC(setuid,            cred,  R,            0, 0,          NONE,    INT,  A(NONE,uid,ID), X, X, X, X, X)
#endif
#ifdef __NR_setgid
SC(setgid,            cred,  R,            0, 0,          NONE,    INT,  A(NONE,gid,ID), X, X, X, X, X)
#endif
#ifdef __NR_setreuid
SC(setreuid,          cred,  R,            0, 0,          NONE,    INT,  A(NONE,ruid,ID), A(NONE,euid,ID), X, X, X, X)
#endif
#ifdef __NR_setregid
SC(setregid,          cred,  R,            0, 0,          NONE,    INT,  A(NONE,rgid,ID), A(NONE,egid,ID), X, X, X, X)
#endif
#ifdef __NR_setresuid
SC(setresuid,         cred,  R,            0, 0,          NONE,    INT,  A(NONE,ruid,ID), A(NONE,euid,ID), A(NONE,suid,ID), X, X, X)
#endif
#ifdef __NR_setresgid
SC(setresgid,         cred,  R,            0, 0,          NONE,    INT,  A(NONE,rgid,ID), A(NONE,egid,ID), A(NONE,sgid,ID), X, X, X)
#endif
#ifdef __NR_setfsuid
SC(setfsuid,          cred,  R,            0, 0,          NONE,    INT,  A(NONE,fsuid,ID), X, X, X, X, X)
#endif
#ifdef __NR_setfsgid
SC(setfsgid,          cred,  R,            0, 0,          NONE,    INT,  A(NONE,fsgid,ID), X, X, X, X, X)
#endif
#ifdef __NR_setgroups
SC(setgroups,         cred,  R,            0, 0,          NONE,    INT,  A(NONE,size,INT), A(NONE,list,SKIP), X, X, X, X)
#endif
#ifdef __NR_capset
SC(capset,            cred,  R,            0, 0,          NONE,    INT,  A(CAPDATA,hdr,SKIP), A(NONE,data,SKIP), X, X, X, X)
#endif
/* ---- memory and code loading ---- */
#ifdef __NR_mmap
SC(mmap,              mem,   R|IFMASK,     2, 4,          NONE,    PTR,  A(NONE,addr,HEX), A(NONE,length,INT), A(NONE,prot,PROT), A(NONE,flags,MMAP), A(FD_FILE,fd,FD), A(NONE,offset,HEX))
#endif
#ifdef __NR_mprotect
SC(mprotect,          mem,   R|IFMASK,     2, 4,          NONE,    INT,  A(NONE,addr,HEX), A(NONE,length,INT), A(NONE,prot,PROT), X, X, X)
#endif
#ifdef __NR_pkey_mprotect
SC(pkey_mprotect,     mem,   R|IFMASK,     2, 4,          NONE,    INT,  A(NONE,addr,HEX), A(NONE,length,INT), A(NONE,prot,PROT), A(NONE,pkey,INT), X, X)
#endif
#ifdef __NR_memfd_create
SC(memfd_create,      mem,   R,            0, 0,          NONE,    FD,   A(STR,name,STR), A(NONE,flags,MFD), X, X, X, X)
#endif
#ifdef __NR_ptrace
SC(ptrace,            mem,   R,            0, 0,          NONE,    INT,  A(NONE,request,PTRACE), A(NONE,pid,PID), A(NONE,addr,HEX), A(NONE,data,HEX), X, X)
#endif
#ifdef __NR_process_vm_readv
SC(process_vm_readv,  mem,   R,            0, 0,          NONE,    SIZE, A(NONE,pid,PID), A(NONE,local_iov,SKIP), A(NONE,liovcnt,SKIP), A(NONE,remote_iov,SKIP), A(NONE,riovcnt,SKIP), A(NONE,flags,SKIP))
#endif
#ifdef __NR_process_vm_writev
SC(process_vm_writev, mem,   R,            0, 0,          NONE,    SIZE, A(NONE,pid,PID), A(NONE,local_iov,SKIP), A(NONE,liovcnt,SKIP), A(NONE,remote_iov,SKIP), A(NONE,riovcnt,SKIP), A(NONE,flags,SKIP))
#endif
#ifdef __NR_init_module
SC(init_module,       mem,   R,            0, 0,          NONE,    INT,  A(NONE,image,SKIP), A(NONE,len,INT), A(STR,params,STR), X, X, X)
#endif
#ifdef __NR_finit_module
SC(finit_module,      mem,   R,            0, 0,          NONE,    INT,  A(FD_FILE,fd,FD), A(STR,params,STR), A(NONE,flags,HEX), X, X, X)
#endif
#ifdef __NR_delete_module
SC(delete_module,     mem,   R,            0, 0,          NONE,    INT,  A(STR,name,STR), A(NONE,flags,HEX), X, X, X, X)
#endif
#ifdef __NR_bpf
SC(bpf,               mem,   R,            0, 0,          NONE,    INT,  A(NONE,cmd,INT), A(NONE,attr,SKIP), A(NONE,size,SKIP), X, X, X)
#endif
/* ---- local IPC ---- */
#ifdef __NR_pipe
SC(pipe,              ipc,   R,            0, 0,          NONE,    INT,  A(INT2OUT,fds,SKIP), X, X, X, X, X)
#endif
#ifdef __NR_pipe2
SC(pipe2,             ipc,   R,            0, 0,          NONE,    INT,  A(INT2OUT,fds,SKIP), A(NONE,flags,OPEN), X, X, X, X)
#endif
#ifdef __NR_socketpair
SC(socketpair,        ipc,   R,            0, 0,          NONE,    INT,  A(NONE,domain,FAMILY), A(NONE,type,SOCKTYPE), A(NONE,protocol,PROTO), A(INT2OUT,sv,SKIP), X, X)
#endif
#ifdef __NR_mknod
SC(mknod,             ipc,   R,            0, 0,          NONE,    INT,  A(PATH,path,STR), A(NONE,mode,MODE), A(NONE,dev,DEV), X, X, X)
#endif
#ifdef __NR_mknodat
SC(mknodat,           ipc,   R,            0, 0,          NONE,    INT,  A(DIRFD,dirfd,SKIP), A(PATH,path,STR), A(NONE,mode,MODE), A(NONE,dev,DEV), X, X)
#endif
#ifdef __NR_shmget
SC(shmget,            ipc,   R,            0, 0,          NONE,    INT,  A(NONE,key,HEX), A(NONE,size,INT), A(NONE,flags,IPC), X, X, X)
#endif
#ifdef __NR_shmat
SC(shmat,             ipc,   R,            0, 0,          NONE,    PTR,  A(NONE,shmid,INT), A(NONE,addr,HEX), A(NONE,flags,HEX), X, X, X)
#endif
#ifdef __NR_msgget
SC(msgget,            ipc,   R,            0, 0,          NONE,    INT,  A(NONE,key,HEX), A(NONE,flags,IPC), X, X, X, X)
#endif
#ifdef __NR_msgsnd
SC(msgsnd,            ipc,   R,            0, 0,          NONE,    INT,  A(NONE,msqid,INT), A(NONE,msgp,SKIP), A(NONE,msgsz,INT), A(NONE,flags,HEX), X, X)
#endif
#ifdef __NR_msgrcv
SC(msgrcv,            ipc,   R,            0, 0,          NONE,    SIZE, A(NONE,msqid,INT), A(NONE,msgp,SKIP), A(NONE,msgsz,INT), A(NONE,msgtyp,INT), A(NONE,flags,HEX), X)
#endif
#ifdef __NR_semget
SC(semget,            ipc,   R,            0, 0,          NONE,    INT,  A(NONE,key,HEX), A(NONE,nsems,INT), A(NONE,flags,IPC), X, X, X)
#endif
#ifdef __NR_mq_open
SC(mq_open,           ipc,   R,            0, 0,          NONE,    FD,   A(STR,name,STR), A(NONE,flags,OPEN), A(NONE,mode,MODE), A(NONE,attr,SKIP), X, X)
#endif
#ifdef __NR_mq_unlink
SC(mq_unlink,         ipc,   R,            0, 0,          NONE,    INT,  A(STR,name,STR), X, X, X, X, X)
#endif
/* ---- device access (opens of devices are openat events with the device in CAP_F_FILE) ---- */
#ifdef __NR_ioctl
SC(ioctl,             dev,   R|IFDEV,      0, 0,          NONE,    INT,  A(FD_FILE,fd,FD), A(NONE,request,IOCTL), A(NONE,arg,HEX), X, X, X)
#endif
/* ---- system configuration ---- */
#ifdef __NR_mount
SC(mount,             sys,   R,            0, 0,          NONE,    INT,  A(STR,source,STR), A(PATH,target,STR), A(STR,fstype,STR), A(NONE,flags,MOUNT), A(NONE,data,SKIP), X)
#endif
#ifdef __NR_umount2
SC(umount2,           sys,   R,            0, 0,          NONE,    INT,  A(PATH,target,STR), A(NONE,flags,UMOUNT), X, X, X, X)
#endif
#ifdef __NR_fsopen
SC(fsopen,            sys,   R,            0, 0,          NONE,    FD,   A(STR,fsname,STR), A(NONE,flags,HEX), X, X, X, X)
#endif
#ifdef __NR_fsmount
SC(fsmount,           sys,   R,            0, 0,          NONE,    FD,   A(FD,fsfd,FD), A(NONE,flags,HEX), A(NONE,attr_flags,HEX), X, X, X)
#endif
#ifdef __NR_move_mount
SC(move_mount,        sys,   R,            0, 0,          NONE,    INT,  A(DIRFD,from_dirfd,SKIP), A(PATH,from_path,STR), A(DIRFD,to_dirfd,SKIP), A(PATH,to_path,STR), A(NONE,flags,HEX), X)
#endif
#ifdef __NR_open_tree
SC(open_tree,         sys,   R,            0, 0,          NONE,    FD,   A(DIRFD,dirfd,SKIP), A(PATH,path,STR), A(NONE,flags,HEX), X, X, X)
#endif
#ifdef __NR_chroot
SC(chroot,            sys,   R,            0, 0,          NONE,    INT,  A(PATH,path,STR), X, X, X, X, X)
#endif
#ifdef __NR_pivot_root
SC(pivot_root,        sys,   R,            0, 0,          NONE,    INT,  A(PATH,new_root,STR), A(PATH,put_old,STR), X, X, X, X)
#endif
#ifdef __NR_sethostname
SC(sethostname,       sys,   R,            0, 0,          NONE,    INT,  A(BUF,name,STR), A(NONE,len,SKIP), X, X, X, X)
#endif
#ifdef __NR_setdomainname
SC(setdomainname,     sys,   R,            0, 0,          NONE,    INT,  A(BUF,name,STR), A(NONE,len,SKIP), X, X, X, X)
#endif
#ifdef __NR_reboot
SC(reboot,            sys,   R,            0, 0,          NONE,    INT,  A(NONE,magic,SKIP), A(NONE,magic2,SKIP), A(NONE,cmd,HEX), X, X, X)
#endif
/* ---- namespaces and cgroups (cgroup file writes are opens with a cgroupfs CAP_F_FILE) ---- */
#ifdef __NR_unshare
SC(unshare,           ns,    R,            0, 0,          NONE,    INT,  A(NONE,flags,CLONE), X, X, X, X, X)
#endif
#ifdef __NR_setns
SC(setns,             ns,    R,            0, 0,          NONE,    INT,  A(FD_FILE,fd,FD), A(NONE,nstype,CLONE), X, X, X, X)
#endif
/* ---- signals (the target's comm comes from signal_generate) ---- */
#ifdef __NR_kill
SC(kill,              signal, R|SIG,       0, 0,          NONE,    INT,  A(NONE,pid,PID), A(NONE,sig,SIG), X, X, X, X)
#endif
#ifdef __NR_tkill
SC(tkill,             signal, R|SIG,       0, 0,          NONE,    INT,  A(NONE,tid,PID), A(NONE,sig,SIG), X, X, X, X)
#endif
#ifdef __NR_tgkill
SC(tgkill,            signal, R|SIG,       0, 0,          NONE,    INT,  A(NONE,tgid,PID), A(NONE,tid,PID), A(NONE,sig,SIG), X, X, X)
#endif
#ifdef __NR_pidfd_send_signal
SC(pidfd_send_signal, signal, R|SIG,       0, 0,          NONE,    INT,  A(FD,pidfd,FD), A(NONE,sig,SIG), A(NONE,info,SKIP), A(NONE,flags,HEX), X, X)
#endif
#ifdef __NR_rt_sigqueueinfo
SC(rt_sigqueueinfo,   signal, R|SIG,       0, 0,          NONE,    INT,  A(NONE,tgid,PID), A(NONE,sig,SIG), A(NONE,info,SKIP), X, X, X)
#endif
