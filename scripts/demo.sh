#!/bin/sh
# make demo: run the example agent under Capsule, as the invoking user (or nobody as root).
set -e
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then
	echo "capsule: the demo loads BPF programs and needs root: sudo make demo" >&2
	exit 1
fi
user_opt=""
[ -n "${SUDO_UID:-}" ] || user_opt="--user nobody"
exec build/capsule run $user_opt -- python3 examples/agent.py
