#!/bin/sh
# Wraps each SC(...) line of syscalls.def in #ifdef __NR_<name>, so that the table compiled for
# an architecture holds exactly the syscalls that architecture has (arm64 has no open, ...).
exec awk '
/^SC\(/ { name = $0; sub(/^SC\( */, "", name); sub(/[ ,].*/, "", name);
          printf "#ifdef __NR_%s\n%s\n#endif\n", name, $0; next }
{ print }' "$1"
