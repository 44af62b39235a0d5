#!/usr/bin/env bash
# The Debian package and its systemd units, as an operator gets them:
# scripts/package.sh builds rtcgw_<version>_amd64.deb; apt-get installs it on
# this machine (and purges it at the end, also on failure); the installed
# rtcgw-dataplane checks the installed default config; systemd-analyze
# verifies the installed units; then the units' own ExecStartPre, ExecStart
# and ExecStopPost lines, read from the installed files, start and stop the
# gateway in the order systemd would (the control plane is After= the
# dataplane, so it stops first), and nothing may be left.
#
# The unit lines run as written except for the config path: they get this
# test's copy of /etc/rtcgw/rtcgw.yaml with its own names (TAP rtq0, file
# prefix rtq, a hugepage dir the prepare step must mount, 198.18.13.0/24,
# REST 127.0.0.1:18093). ExecStart lines run in netns rtqg, so the TAP and the
# REST port live and die with it; ExecStartPre/ExecStopPost run on the host
# (hugepages and mounts are host things).
. "$(dirname "$0")/lib.sh"
tb_init rtq 13 18093
NS=$TB_NS_G
TAP=rtq0
HUGE2=$TB_DIR/huge-unit
INSTALLED=0
DP=
CP=
pkg_cleanup() {
	tb_stop_pid "$CP"
	tb_stop_pid "$DP"
	if [ "$INSTALLED" = 1 ]; then
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 purge -y -q rtcgw \
			>"$TB_DIR/purge.log" 2>&1
	fi
	rm -f "$HUGE2"/* 2>/dev/null
	umount "$HUGE2" 2>/dev/null
	tb_cleanup
}
trap pkg_cleanup EXIT

tb_check "scripts/package.sh builds the .deb" \
	bash -c "'$TB_ROOT/scripts/package.sh' -o '$TB_DIR' > '$TB_DIR/package.log' 2>&1"
DEB=$(ls "$TB_DIR"/rtcgw_*_amd64.deb 2>/dev/null | head -1)
VERSION=$(sed -nE "s/^[[:space:]]*version:[[:space:]]*'([^']+)'.*/\1/p" "$TB_ROOT/meson.build" | head -1)
tb_check "it is named rtcgw_${VERSION}_amd64.deb" test "$(basename "${DEB:-x}")" = "rtcgw_${VERSION}_amd64.deb"
DEPENDS=$(dpkg-deb -f "$DEB" Depends 2>/dev/null)
for lib in librte-eal23 librte-ethdev23 libssl3 libyaml-0-2 libmicrohttpd12 libjansson4 \
		librte-net-tap23 librte-mempool-ring23 librte-bus-vdev23; do
	tb_check "Depends names $lib" bash -c "grep -q '\\b$lib\\b' <<< '$DEPENDS'"
done
CONTENTS=$(dpkg-deb -c "$DEB" 2>/dev/null | awk '{ print $6 }')
for f in ./usr/bin/rtcgw-dataplane ./usr/bin/rtcgw-controlplane ./usr/bin/rtcgw-turnfront \
		./etc/rtcgw/rtcgw.yaml ./lib/systemd/system/rtcgw-dataplane.service \
		./lib/systemd/system/rtcgw-controlplane.service ./lib/systemd/system/rtcgw-turnfront.service \
		./usr/lib/rtcgw/rtcgw-host ./usr/share/doc/rtcgw/README.md ./usr/share/doc/rtcgw/config.md \
		./usr/share/rtcgw/grafana/rtcgw.json; do
	tb_check "the package holds $f" grep -qx "$f" <<< "$CONTENTS"
done
tb_check "/etc/rtcgw/rtcgw.yaml is a conffile" \
	bash -c "dpkg-deb -I '$DEB' conffiles | grep -qx /etc/rtcgw/rtcgw.yaml"

if dpkg-query -W -f='${Status}' rtcgw 2>/dev/null | grep -q 'install ok installed'; then
	tb_check "rtcgw is not installed on this machine already (would not touch it)" false
	tb_done
	exit
fi
INSTALLED=1
tb_check "apt-get install ./$(basename "$DEB")" \
	bash -c "cd '$TB_DIR' && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 \
		install -y -q './$(basename "$DEB")' > '$TB_DIR/install.log' 2>&1"
tb_check "the installed rtcgw-dataplane is on PATH" test "$(command -v rtcgw-dataplane)" = /usr/bin/rtcgw-dataplane
tb_check "rtcgw-dataplane --check-config passes the installed default config" \
	bash -c "rtcgw-dataplane --check-config -c /etc/rtcgw/rtcgw.yaml | grep -qx '/etc/rtcgw/rtcgw.yaml: ok'"
tb_check "rtcgw-controlplane --version runs" bash -c "rtcgw-controlplane --version | grep -q '$VERSION'"
tb_check "systemd-analyze verify accepts the three units" \
	bash -c "systemd-analyze verify /lib/systemd/system/rtcgw-dataplane.service \
		/lib/systemd/system/rtcgw-controlplane.service \
		/lib/systemd/system/rtcgw-turnfront.service > '$TB_DIR/verify.log' 2>&1 && ! [ -s '$TB_DIR/verify.log' ]"
tb_check "the TCP/TLS front with the default config (turn.tcp off) exits 2 at once" \
	bash -c "timeout 10 rtcgw-turnfront -c /etc/rtcgw/rtcgw.yaml >/dev/null 2>&1; [ \$? = 2 ]"
UDP=/lib/systemd/system/rtcgw-dataplane.service
UCP=/lib/systemd/system/rtcgw-controlplane.service
tb_check "the control plane unit Requires= and is After= the dataplane" \
	bash -c "grep -qx 'Requires=rtcgw-dataplane.service' $UCP && grep -qx 'After=rtcgw-dataplane.service' $UCP"
tb_check "both units restart on failure and log to the journal" \
	bash -c "for u in $UDP $UCP; do grep -qx Restart=on-failure \$u && grep -qx StandardOutput=journal \$u || exit 1; done"

# The test's config: the installed default with this test's names.
sed -e "s#hugepage_dir: .*#hugepage_dir: $HUGE2#" \
	-e "s#file_prefix: .*#file_prefix: $TB#" \
	-e "s#iface=rtcgw0#iface=$TAP#" \
	-e "s#memory_mb: .*#memory_mb: 256#" \
	-e "s#198\.18\.0\.#198.18.$TB_NET.#g" \
	-e "s#listen: 127.0.0.1:8080#listen: 127.0.0.1:$TB_REST_PORT#" \
	/etc/rtcgw/rtcgw.yaml > "$TB_CONF"
lines() {   # KEY UNIT: its KEY= lines, the config path replaced
	sed -n "s/^$1=//p" "$2" | sed "s#/etc/rtcgw/rtcgw.yaml#$TB_CONF#g"
}
mapfile -t PRE < <(lines ExecStartPre "$UDP")
mapfile -t POST < <(lines ExecStopPost "$UDP")
DP_START=$(lines ExecStart "$UDP")
CP_START=$(lines ExecStart "$UCP")
tb_check "the dataplane unit has ExecStartPre lines (check, prepare)" test "${#PRE[@]}" -ge 2
tb_check "the dataplane unit has an ExecStopPost line" test "${#POST[@]}" -ge 1
i=0
for l in "${PRE[@]}"; do
	i=$((i + 1))
	tb_check "ExecStartPre #$i: $l" bash -c "$l >> '$TB_DIR/pre.log' 2>&1"
done
tb_check "the prepare step mounted hugetlbfs on $HUGE2" mountpoint -q "$HUGE2"

ip netns add "$NS"
tb_g ip link set lo up
# shellcheck disable=SC2086
ip netns exec "$NS" $DP_START > "$TB_DIR/dp.log" 2>&1 &
DP=$!
tb_check "dataplane ExecStart: ready" tb_wait 30 grep -q ready "$TB_DIR/dp.log"
# shellcheck disable=SC2086
ip netns exec "$NS" $CP_START > "$TB_DIR/cp.log" 2>&1 &
CP=$!
healthz() { tb_g curl -sf -m 2 "$TB_REST/healthz" >/dev/null; }
tb_check "control plane ExecStart: /healthz green" tb_wait 30 healthz
tb_check "the TAP $TAP exists" bash -c "ip netns exec $NS ip link show $TAP >/dev/null"
tb_check "/metrics says the dataplane is up" \
	bash -c "ip netns exec $NS curl -s -m 2 $TB_REST/metrics | grep -qx 'rtcgw_dataplane_up 1'"

# systemctl reload: the units' ExecReload lines with $MAINPID filled in.
RELOAD_CP=$(lines ExecReload "$UCP")
RELOAD_DP=$(lines ExecReload "$UDP")
tb_check "both units map systemctl reload to SIGHUP (ExecReload)" \
	bash -c "[ '${RELOAD_CP//\$MAINPID/X}' = '/bin/kill -HUP X' ] && [ '${RELOAD_DP//\$MAINPID/X}' = '/bin/kill -HUP X' ]"
reloaded_both() {
	${RELOAD_CP//\$MAINPID/$CP} &&
		tb_wait 10 grep -q 'config reloaded from' "$TB_DIR/cp.log" &&
		tb_wait 10 grep -q 'config reloaded from' "$TB_DIR/dp.log"
}
tb_check "control plane ExecReload: both processes reload the config" reloaded_both
tb_check "... and the gateway keeps serving" tb_wait 5 healthz

tb_check "rtcgw-host cleanup refuses while the gateway maps the prefix" \
	bash -c "! /usr/lib/rtcgw/rtcgw-host cleanup -c '$TB_CONF' 2>'$TB_DIR/refuse.log' &&
		grep -q 'still in use by pid' '$TB_DIR/refuse.log' && ls '$HUGE2/${TB}map_'* >/dev/null"

# systemd's stop: the control plane first (reverse of After=), SIGTERM each.
stopped_in() {   # PID SECONDS
	local i
	kill -TERM "$1" 2>/dev/null
	for ((i = 0; i < $2 * 10; i++)); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return $?; }
		sleep 0.1
	done
	return 1
}
tb_check "the control plane stops on SIGTERM within 15 s (TimeoutStopSec), status 0" stopped_in "$CP" 15
tb_check "the dataplane stops on SIGTERM within 15 s, status 0" stopped_in "$DP" 15
tb_check "the dataplane's last log line says stopped" bash -c "tail -1 '$TB_DIR/dp.log' | grep -q stopped"
for l in "${POST[@]}"; do
	tb_check "ExecStopPost: $l" bash -c "$l >> '$TB_DIR/post.log' 2>&1"
done
left() {
	ls "$HUGE2/${TB}map_"* 2>/dev/null
	[ -e "/var/run/dpdk/$TB" ] && echo "/var/run/dpdk/$TB"
	tb_g ip link show "$TAP" 2>/dev/null
	return 0
}
tb_check "nothing left: hugepage files, runtime dir, TAP" test -z "$(left)"

# A dataplane killed with SIGKILL (what systemd does after TimeoutStopSec):
# ExecStopPost removes what it left.
# shellcheck disable=SC2086
ip netns exec "$NS" $DP_START > "$TB_DIR/dp.2.log" 2>&1 &
DP=$!
tb_check "dataplane ExecStart again: ready" tb_wait 30 grep -q ready "$TB_DIR/dp.2.log"
kill -KILL "$DP"
wait "$DP" 2>/dev/null
tb_check "after SIGKILL the dataplane left hugepage files" test -n "$(left)"
for l in "${POST[@]}"; do
	tb_check "ExecStopPost after SIGKILL" bash -c "$l >> '$TB_DIR/post.log' 2>&1"
done
tb_check "nothing left after the SIGKILL and ExecStopPost" test -z "$(left)"

DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 purge -y -q rtcgw \
	>"$TB_DIR/purge.log" 2>&1
INSTALLED=0
tb_check "apt-get purge removes the binaries and /etc/rtcgw" \
	bash -c "! [ -e /usr/bin/rtcgw-dataplane ] && ! [ -e /etc/rtcgw ] && ! [ -e /lib/systemd/system/rtcgw-dataplane.service ]"
tb_done
