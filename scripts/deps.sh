#!/bin/sh
# Installs the Debian/Ubuntu packages Capsule needs to build, test and benchmark.
# The one list of dependencies: `make deps`, `make demo`, `make test` and .ci/run all use it.
set -e
PKGS="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config libcmocka-dev
      libssl-dev libsqlite3-dev libjson-c-dev python3 jq strace iproute2 procps util-linux
      libyaml-dev chromium"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
# Ubuntu ships bpftool in linux-tools; Debian has a bpftool package.
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "capsule: missing packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "capsule: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
	apt-get update >/dev/null && apt-get install -y --no-install-recommends $missing
}
