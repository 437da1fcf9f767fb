/* How a named fd (struct cap_fdview, from the fd table) is shown in text and JSON. */
#ifndef CAPSULE_FDTARGET_H
#define CAPSULE_FDTARGET_H
#include "enrich/fdview.h"
#include "enrich/view.h"
#include "format/sbuf.h"

/* " (pipe:[123] -> P4400 grep)", " (/tmp/x)", " (tcp 10.0.0.2:5000 -> 1.2.3.4:443)" */
void cap_text_fd_target(struct sbuf *b, const struct cap_fdview *f, size_t max_str);
/* " received [FD 5 (/tmp/x)]": fds that came with SCM_RIGHTS */
void cap_text_fd_rights(struct sbuf *b, const struct cap_view *v, size_t max_str);
/* ,"fd_target":{...} and the like for every named fd of the event (docs/events.md) */
void cap_json_fd_targets(struct sbuf *b, const struct cap_view *v);
/* the named fd of argument/result arg, or NULL */
const struct cap_fdview *cap_view_fd(const struct cap_view *v, int arg);

#endif
