#!/usr/bin/env bash
# STYLE.md practice 2: every header compiles on its own. Compiles, for each
# header of the project, a translation unit that includes only that header,
# with the project's warning set. Run by scripts/test.sh; exit 1 on failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CFLAGS=(-std=c11 -D_GNU_SOURCE -DALLOW_EXPERIMENTAL_API -Wall -Wextra -Werror -Wshadow
	-Wstrict-prototypes -Wmissing-prototypes -Wcast-qual -Wvla -fsyntax-only
	-I"$ROOT/dataplane/include" -I"$ROOT/dataplane/wire" -I"$ROOT/dataplane/config"
	-I"$ROOT/dataplane" -I"$ROOT/controlplane" -I"$ROOT/dataplane/media"
	-I"$ROOT/controlplane/media" -I"$ROOT/controlplane/sdp" -I"$ROOT/controlplane/ng"
	-I"$ROOT/controlplane/calls" -I"$ROOT/controlplane/signal" -I"$ROOT/controlplane/demo"
	-I"$ROOT/turnfront")
# DPDK headers as system headers, as meson does (include_type: system).
read -ra DPDK <<<"$(pkg-config --cflags libdpdk | sed 's/-I/-isystem /g')"
fails=0 n=0
for h in "$ROOT"/dataplane/include/*.h "$ROOT"/dataplane/wire/*.h "$ROOT"/dataplane/config/*.h \
	 "$ROOT"/dataplane/*.h "$ROOT"/controlplane/*.h "$ROOT"/dataplane/media/*.h \
	 "$ROOT"/controlplane/media/*.h "$ROOT"/controlplane/sdp/*.h \
	 "$ROOT"/controlplane/ng/*.h "$ROOT"/controlplane/calls/*.h \
	 "$ROOT"/controlplane/signal/*.h "$ROOT"/controlplane/demo/*.h "$ROOT"/turnfront/*.h; do
	[ -e "$h" ] || continue
	n=$((n + 1))
	printf '#include "%s"\n' "$h" > "$TMP/t.c"
	if ! gcc "${CFLAGS[@]}" "${DPDK[@]}" -c "$TMP/t.c" -o /dev/null 2>"$TMP/err"; then
		echo "not self-contained: ${h#"$ROOT"/}"
		head -5 "$TMP/err"
		fails=$((fails + 1))
	fi
done
echo "$n headers checked, $fails not self-contained"
[ "$fails" -eq 0 ]
