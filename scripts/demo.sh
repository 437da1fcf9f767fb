#!/bin/sh
# make demo: run the example agent under Capsule, as the invoking user (or nobody as root), then
# print the session's report.
set -e
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "capsule: the demo loads BPF programs and needs root: sudo make demo" >&2
	exit 1
fi
user_opt=""
[ -n "${SUDO_UID:-}" ] || user_opt="--user nobody"
log="capsule-logs/demo-$(date +%Y%m%d-%H%M%S)"
status=0
build/capsule run $user_opt --log-dir "$log" -- python3 examples/agent.py || status=$?
echo
build/capsule report "$log"
echo
echo "More: build/capsule report --html $log > report.html · build/capsule report --template soc2 $log"
echo "      build/capsule query --kind connect $log · build/capsule verify $log"
exit $status
