#!/usr/bin/env bash
# Build the Debian package: rtcgw_<version>_amd64.deb.
#
#   scripts/package.sh [-o DIR]     (default DIR: build-pkg/)
#
# A release build (meson, -Dtests=disabled) in build-pkg/, installed with
# DESTDIR into a staging tree, plus:
#   /etc/rtcgw/rtcgw.yaml                  the default config (a conffile)
#   /lib/systemd/system/rtcgw-*.service    the units (scripts/dist/systemd)
#   /usr/lib/rtcgw/rtcgw-host              their hugepage/cleanup helper
#   /usr/share/doc/rtcgw/                  README, config reference, dashboard
#   /usr/share/rtcgw/grafana/rtcgw.json    the Grafana dashboard
# Depends: the shared libraries the binaries link (dpkg-shlibdeps) and the
# DPDK plugins EAL loads at run time (bus, mempool and the vdev PMDs the
# default config and the tests use), which no linker records.
# Needs dpkg-dev (in build-essential) and the build dependencies of setup.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=$ROOT/build-pkg
while [ $# -gt 0 ]; do
	case $1 in
	-o) OUT=$(readlink -f "$2"); shift 2 ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "package.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

say() { printf 'rtcgw package: %s\n' "$*"; }

BUILD=$ROOT/build-pkg/build
VERSION=$(sed -nE "s/^[[:space:]]*version:[[:space:]]*'([^']+)'.*/\1/p" "$ROOT/meson.build" | head -1)
ARCH=$(dpkg --print-architecture)
NAME=rtcgw_${VERSION}_$ARCH
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
STAGE=$WORK/$NAME

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" "$ROOT" --buildtype=release --prefix=/usr --werror \
		-Dtests=disabled >/dev/null
fi
ninja -C "$BUILD" >/dev/null
DESTDIR=$STAGE meson install -C "$BUILD" --no-rebuild --quiet

install -D -m 0644 "$ROOT/gateway-conf/rtcgw.yaml" "$STAGE/etc/rtcgw/rtcgw.yaml"
install -D -m 0755 "$ROOT/scripts/rtcgw-host.sh" "$STAGE/usr/lib/rtcgw/rtcgw-host"
for u in "$ROOT"/scripts/dist/systemd/*.service; do
	install -D -m 0644 "$u" "$STAGE/lib/systemd/system/$(basename "$u")"
done
install -D -m 0644 "$ROOT/scripts/dist/grafana/rtcgw.json" "$STAGE/usr/share/rtcgw/grafana/rtcgw.json"
DOC=$STAGE/usr/share/doc/rtcgw
install -D -m 0644 "$ROOT/README.md" "$DOC/README.md"
install -D -m 0644 "$ROOT/gateway-conf/README.md" "$DOC/config.md"
cat > "$DOC/copyright" <<EOC
rtcgw $VERSION: a WebRTC gateway appliance with a DPDK dataplane.
Built from $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "an unknown commit").
EOC
strip --strip-unneeded "$STAGE"/usr/bin/rtcgw-*

# The shared libraries, as Debian's own packages compute them.
mkdir -p "$WORK/debian"
printf 'Source: rtcgw\n\nPackage: rtcgw\nArchitecture: any\n' > "$WORK/debian/control"
SHLIBS=$(cd "$WORK" && dpkg-shlibdeps -O "$STAGE"/usr/bin/rtcgw-* 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$SHLIBS" ] || { say "dpkg-shlibdeps found no dependencies"; exit 1; }
rm -rf "$WORK/debian"
# EAL loads these from its plugin directory; no ELF header names them.
PLUGINS="librte-bus-vdev23, librte-bus-pci23, librte-mempool-ring23, librte-net-tap23, librte-net-af-packet23"

mkdir -p "$STAGE/DEBIAN"
cat > "$STAGE/DEBIAN/control" <<EOC
Package: rtcgw
Version: $VERSION
Architecture: $ARCH
Maintainer: rtcgw developers <rtcgw@localhost>
Section: net
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
Depends: $SHLIBS, $PLUGINS, iproute2, mount, util-linux
Recommends: dpdk, librte-net-af-xdp23
Description: WebRTC gateway appliance with a DPDK dataplane
 STUN/TURN server, ICE-lite responder and media relay whose per-packet work
 runs in a DPDK poll-mode dataplane (rtcgw-dataplane, the DPDK primary) next
 to a control plane (rtcgw-controlplane: REST, metrics, credentials) and a
 TURN over TCP/TLS front (rtcgw-turnfront). systemd units
 rtcgw-dataplane.service, rtcgw-controlplane.service and
 rtcgw-turnfront.service; the
 config is /etc/rtcgw/rtcgw.yaml; a Grafana dashboard for its Prometheus
 metrics is in /usr/share/rtcgw/grafana/.
EOC
echo /etc/rtcgw/rtcgw.yaml > "$STAGE/DEBIAN/conffiles"
# Units are installed, not enabled or started: the operator chooses the NIC
# and the hugepages first (README, "Install on a server").
cat > "$STAGE/DEBIAN/postinst" <<'EOC'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null || true
fi
EOC
cat > "$STAGE/DEBIAN/prerm" <<'EOC'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
	systemctl stop rtcgw-turnfront.service rtcgw-controlplane.service \
		rtcgw-dataplane.service >/dev/null 2>&1 || true
fi
EOC
cat > "$STAGE/DEBIAN/postrm" <<'EOC'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null || true
fi
EOC
chmod 0755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/prerm" "$STAGE/DEBIAN/postrm"

mkdir -p "$OUT"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$OUT/$NAME.deb" >/dev/null
say "$OUT/$NAME.deb"
