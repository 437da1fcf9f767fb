#!/usr/bin/env bash
# Generate bpf/vmlinux/arm64/vmlinux.h from the BTF embedded in Debian
# bookworm's arm64 cloud kernel, so BPF objects can be built for arm64 on an
# x86_64 host without an arm64 machine.
#
# apt runs against a PRIVATE lists/cache/sources tree in a temp dir, so the
# host's dpkg/apt state is never touched (no `dpkg --add-architecture`).
#
# Env overrides: MIRROR, SECURITY_MIRROR, KPKG (meta or concrete package).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT="$ROOT/bpf/vmlinux/arm64/vmlinux.h"
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${SECURITY_MIRROR:-http://deb.debian.org/debian-security}
KPKG=${KPKG:-linux-image-cloud-arm64}   # metapackage -> current ABI package
PY=/usr/bin/python3

for t in apt-get apt-cache dpkg-deb bpftool "$PY"; do
	command -v "$t" >/dev/null || { echo "missing tool: $t" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/gen-vmlinux-arm64.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# apt drops privileges to _apt for downloads; it must be able to write here.
chmod 755 "$TMP"
mkdir -p "$TMP/lists/partial" "$TMP/cache/archives/partial" "$TMP/parts" "$TMP/deb"
# `apt-get download` writes into the cwd as _apt (else it warns and falls back).
if id _apt >/dev/null 2>&1; then chown _apt "$TMP/deb"; fi

# Private sources: bookworm + updates + security (kernel ABI bumps land in
# security first). Keyring is the system Debian one.
cat >"$TMP/sources.list" <<EOF
deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm main
deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm-updates main
deb [arch=arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $SECURITY_MIRROR bookworm-security main
EOF

APT_OPTS=(
	-o APT::Architecture=arm64 -o APT::Architectures=arm64
	-o Dir::Etc::SourceList="$TMP/sources.list"
	-o Dir::Etc::SourceParts="$TMP/parts"      # ignore host sources.list.d
	-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts="$TMP/parts"
	-o Dir::State::Lists="$TMP/lists"
	-o Dir::Cache="$TMP/cache"
	-o Dir::State::Status=/dev/null            # pretend nothing is installed
	-o Acquire::Languages=none -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false
)

echo ">> apt update (private, arm64)" >&2
apt-get -qq "${APT_OPTS[@]}" update

# Resolve the metapackage to the concrete versioned image package
# (apt-get download does not follow dependencies).
PKG=$KPKG
if [[ $KPKG != linux-image-[0-9]* ]]; then
	PKG=$(apt-cache "${APT_OPTS[@]}" depends "$KPKG" |
		awk '$1 ~ /Depends:/ && $2 ~ /^linux-image-[0-9]/ {print $2; exit}')
fi
[[ -n $PKG ]] || { echo "cannot resolve $KPKG" >&2; exit 1; }
echo ">> downloading $PKG" >&2
(cd "$TMP/deb" && apt-get -qq "${APT_OPTS[@]}" download "$PKG")
DEB=$(ls "$TMP"/deb/*.deb)
echo ">> $(basename "$DEB")" >&2

dpkg-deb -x "$DEB" "$TMP/root"
VMLINUZ=$(ls "$TMP"/root/boot/vmlinuz-*)

# arm64 vmlinuz is a raw Image, usually gzip-compressed; detect by magic.
# Then scan for BTF headers (magic 9f eb 01 00) and keep the largest one
# that passes sanity checks (the magic bytes can occur by chance).
"$PY" - "$VMLINUZ" "$TMP/vmlinux.btf" <<'EOF'
import gzip, struct, sys
data = open(sys.argv[1], 'rb').read()
if data[:2] == b'\x1f\x8b':
    data = gzip.decompress(data)
best = None
i = data.find(b'\x9f\xeb\x01\x00')
while i >= 0:
    if i + 24 <= len(data):
        # btf_header: magic u16, version u8, flags u8, hdr_len, type_off,
        # type_len, str_off, str_len (u32, little endian on arm64)
        _, ver, _, hl, toff, tlen, soff, slen = struct.unpack_from('<HBBIIIII', data, i)
        size = hl + soff + slen
        if ver == 1 and hl == 24 and toff == 0 and soff >= tlen and \
           i + size <= len(data) and (best is None or size > best[1]):
            best = (i, size)
    i = data.find(b'\x9f\xeb\x01\x00', i + 1)
if not best:
    sys.exit('no BTF blob found in kernel image')
open(sys.argv[2], 'wb').write(data[best[0]:best[0] + best[1]])
print('>> BTF at 0x%x, %d bytes' % best, file=sys.stderr)
EOF

mkdir -p "$(dirname "$OUT")"
bpftool btf dump file "$TMP/vmlinux.btf" format c >"$TMP/vmlinux.h"
for s in 'struct user_pt_regs {' 'struct task_struct {'; do
	grep -qF "$s" "$TMP/vmlinux.h" || { echo "validation failed: no '$s'" >&2; exit 1; }
done
mv "$TMP/vmlinux.h" "$OUT"
echo ">> wrote $OUT ($(wc -l <"$OUT") lines) from $(basename "$DEB")" >&2
