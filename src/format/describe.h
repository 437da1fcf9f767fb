/* Readable descriptions of the structured fields of an event, shared by text and JSON. */
#ifndef CAPSULE_DESCRIBE_H
#define CAPSULE_DESCRIBE_H
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include "capsule/event.h"
#include "trace/syscalls.h"
#include "trace/decode.h"

/* "127.0.0.1:53", "[::1]:8080", "unix:/run/x.sock", "unix:@abstract", "netlink:0", ...
 * Names inside come escaped. family_out gets the address family (may be NULL). */
size_t cap_describe_sockaddr(char *buf, size_t n, const uint8_t *sa, size_t len, int *family_out);
/* The address part of a socket's end: "127.0.0.1:5000" (remote when peer, else local). */
size_t cap_describe_sock_end(char *buf, size_t n, const struct cap_sockinfo *si, int peer);
/* "tcp", "udp", "unix", "raw", "netlink", "packet", ... from family/type/protocol */
const char *cap_sock_proto_name(const struct cap_sockinfo *si);
const char *cap_sock_proto_from(int family, int type, int protocol);
/* "reg", "dir", "chr", "blk", "fifo", "sock", "lnk" */
const char *cap_file_type_name(uint32_t mode);
/* filesystem name from a superblock magic: "ext4", "cgroup2", "proc", "tmpfs", ... or NULL */
const char *cap_fs_name(uint32_t magic);
/* device class of an open file (char/block devices only), or NULL */
const char *cap_file_device_class(const struct cap_fileinfo *fi);
/* Formats v for display according to fmt; returns 0 when the plain number says it all. */
size_t cap_fmt_decoded(char *buf, size_t n, enum cap_fmt fmt, uint64_t v);

/* False for the mode argument of an open that does not create a file: the register then
 * holds whatever was left in it. */
bool cap_arg_shown(const struct cap_syscall *sc, int i, const __u64 *args);
/* The u64 of a CAP_F_U64 field (clone3 flags, open_how.flags); 0 when absent or short. */
int cap_event_u64(const struct cap_event *ev, int arg, uint64_t *out);
/* "net:[4026531833]", "pipe:[123]", ... for an fd path that is a pseudo file's bare "/";
 * 0 when the path is a real one. */
size_t cap_describe_pseudo_path(char *buf, size_t n, const struct cap_event *ev, const struct cap_fieldref *f);

#endif
