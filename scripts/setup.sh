#!/usr/bin/env bash
# Install what rtcgw needs on Debian 12 (as root), build it, and reserve
# hugepages. Sourced or run by scripts/run.sh and scripts/test.sh.
#   scripts/setup.sh            runtime + build dependencies, build
#   scripts/setup.sh --test     also the test peers, clang-14, and the fuzz build
#   scripts/setup.sh --bench    also what scripts/bench.sh needs (coturn to
#                               compare with, gnuplot-nox for the plot)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${RTCGW_BUILD:-$ROOT/build}
HUGEPAGES=${RTCGW_HUGEPAGES:-512}

PKGS_BUILD=(build-essential meson ninja-build pkg-config libdpdk-dev dpdk libssl-dev
	libsrtp2-dev libmicrohttpd-dev libyaml-dev libjansson-dev libcmocka-dev zlib1g-dev)
PKGS_RUN=(iproute2 curl procps python3 util-linux)
# scripts/bench.sh: coturn's turnserver is the baseline, gnuplot draws latest.png;
# scripts/bench_calls.sh and scripts/bench_ng.sh: rtpengine (userspace) is the calls baseline;
# linux-perf: scripts/bench.sh's profile of where each server's CPU goes.
PKGS_BENCH=(coturn gnuplot-nox rtpengine-daemon openssl linux-perf jq)
# systemd: systemd-analyze verifies the package's units (test_package.sh);
# nothing is started under it. kamailio: its rtpengine module drives the ng
# protocol in test_ng.sh (the service is disabled after install). ffmpeg:
# the RTP sender (Opus, VP8, PCMU) of test_media_ingest.sh. openssl: the
# test certificates of the TURN-over-TLS tests (and scripts/bench_tcp.sh).
# iptables: ip6tables keeps test_media_ipv6.sh's IPv4 browsers off IPv6
# (Chromium prefers an IPv6 pair; a fresh Debian 12 has no iptables). jq:
# the calls tests read REST and ng replies with it (not on a fresh Debian 12
# either; the dev image had both, so their absence went unnoticed).
PKGS_TEST=(clang-14 libclang-rt-14-dev iputils-ping iputils-arping stun-client coturn chromium
	systemd kamailio sip-tester ffmpeg openssl iptables jq)

say() { printf 'rtcgw setup: %s\n' "$*"; }

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		say "run me as root (DPDK needs hugepages, network namespaces and raw sockets)"
		exit 1
	fi
}

install_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
	# coturn's package starts a TURN server on 3478; tests bring their own.
	if [[ " ${missing[*]} " == *" coturn "* ]] && command -v systemctl >/dev/null; then
		systemctl disable --now coturn >/dev/null 2>&1 || true
	fi
	# rtpengine's package starts its daemon (ng on 2223, rtcgw's default);
	# scripts/bench_calls.sh and scripts/bench_ng.sh run their own.
	if [[ " ${missing[*]} " == *" rtpengine-daemon "* ]] && command -v systemctl >/dev/null; then
		systemctl disable --now rtpengine-daemon >/dev/null 2>&1 || true
	fi
	# kamailio's package may start a SIP proxy on 5060; test_ng.sh runs its own.
	if [[ " ${missing[*]} " == *" kamailio "* ]] && command -v systemctl >/dev/null; then
		systemctl disable --now kamailio >/dev/null 2>&1 || true
	fi
}

hugepages() {
	local have
	have=$(cat /proc/sys/vm/nr_hugepages)
	if [ "$have" -lt "$HUGEPAGES" ]; then
		echo "$HUGEPAGES" > /proc/sys/vm/nr_hugepages
		have=$(cat /proc/sys/vm/nr_hugepages)
		if [ "$have" -lt "$HUGEPAGES" ]; then
			say "only $have of $HUGEPAGES 2 MiB hugepages could be reserved"
			exit 1
		fi
	fi
}

# Run a build step quietly; on failure show its last lines.
quiet() {
	local log
	log=$(mktemp)
	if ! "$@" >"$log" 2>&1; then
		tail -40 "$log"
		rm -f "$log"
		say "failed: $*"
		exit 1
	fi
	rm -f "$log"
}

build() {
	if [ ! -f "$BUILD/build.ninja" ]; then
		quiet meson setup "$BUILD" "$ROOT" --werror -Dtests=enabled
	fi
	quiet ninja -C "$BUILD"
}

build_fuzz() {
	local fb=${RTCGW_FUZZ_BUILD:-$ROOT/build-fuzz}
	if [ ! -f "$fb/build.ninja" ]; then
		CC=clang-14 quiet meson setup "$fb" "$ROOT" -Dfuzz=enabled -Dtests=disabled
	fi
	quiet ninja -C "$fb"
}

main() {
	need_root
	install_pkgs "${PKGS_BUILD[@]}" "${PKGS_RUN[@]}"
	if [ "${1:-}" = --test ]; then
		install_pkgs "${PKGS_TEST[@]}"
	fi
	if [ "${1:-}" = --bench ]; then
		install_pkgs "${PKGS_BENCH[@]}"
	fi
	hugepages
	say "building in $BUILD"
	build
	if [ "${1:-}" = --test ]; then
		say "building fuzz targets (clang-14)"
		build_fuzz
	fi
}

main "$@"
