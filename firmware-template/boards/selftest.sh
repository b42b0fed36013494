#!/usr/bin/env bash
# arrayc board self test: build boards/selftest.c for every target in
# boards/targets.json (plus the host), run it under QEMU and check
#   1. exit status 0 and output.bin == expected (1 MB input, negation),
#   2. exit status 3 when input.bin is missing,
#   3. exit status 127 (0x7f) from the fault handler for an unaligned LDRD
#      ("-append fault"), runaway recursion ("-append stack": MPU guard on
#      v7-M, MSPLIM on v8-M) and stores to address 0 / into flash
#      ("-append nullwrite|flashwrite": read-only MPU region), i.e. a fault
#      never hangs QEMU.
# One line per target, PASS/FAIL; exit status 1 if anything failed.
#
# Usage: boards/selftest.sh [target...]     (default: all targets + host)
# Env:   OPT (default -O2), QEMU_TIMEOUT seconds (default 60), KEEP=1 keeps
#        the temp dir.
set -u

BOARDS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FT=$(dirname "$BOARDS")                  # firmware-template/
OPT=${OPT:--O2}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-60}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/arrayc-selftest.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then echo "work dir: $WORK"; else trap 'rm -rf "$WORK"' EXIT; fi

# json field of a target, one array element per line
jget() {
  node -e 'const j = require(process.argv[1])[process.argv[2]];
           const v = j[process.argv[3]];
           process.stdout.write((Array.isArray(v) ? v : [v]).join("\n") + "\n");' \
    "$BOARDS/targets.json" "$1" "$2"
}

if [ $# -gt 0 ]; then
  TARGETS=("$@")
else
  mapfile -t TARGETS < <(node -e 'console.log(Object.keys(require(process.argv[1])).join("\n"))' \
    "$BOARDS/targets.json")
  TARGETS+=(host)
fi

# 1 MB of deterministic int32 LE test data and the expected output.
node -e '
  const fs = require("fs");
  const n = 262144, inp = Buffer.alloc(4 * n), exp = Buffer.alloc(4 * n);
  const edge = [-2147483648, 2147483647, 0, -1, 1, -2147483647, 65535, -65536];
  let s = 0x12345678;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = i < edge.length ? edge[i] : (s | 0);
    inp.writeInt32LE(v, 4 * i);
    exp.writeInt32LE(v === -2147483648 ? 2147483647 : -v, 4 * i);
  }
  fs.writeFileSync(process.argv[1] + "/input.bin", inp);
  fs.writeFileSync(process.argv[1] + "/expected.bin", exp);
' "$WORK" || { echo "FAIL: cannot generate test data with node"; exit 1; }

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# run_case <dir> <cmd...>: runs in <dir>, sets RC and MS (wall time)
run_case() {
  local dir=$1; shift
  local t0; t0=$(now_ms)
  ( cd "$dir" && timeout "$QEMU_TIMEOUT" "$@" >stdout.txt 2>stderr.txt )
  RC=$?
  MS=$(( $(now_ms) - t0 ))
}

FAILED=0
for t in "${TARGETS[@]}"; do
  d="$WORK/$t"; mkdir -p "$d/ok" "$d/missing"
  cp "$WORK/input.bin" "$d/ok/input.bin"
  elf="$d/selftest.elf"
  why=""

  if [ "$t" = host ]; then
    elf="$d/selftest"
    if ! gcc -std=c99 "$OPT" -Wall -Wextra -Werror -o "$elf" "$BOARDS/selftest.c" >"$d/build.log" 2>&1; then
      why="build failed (see $d/build.log)"
    fi
    RUN=("$elf")
  else
    if ! node -e 'process.exit(require(process.argv[1])[process.argv[2]] ? 0 : 1)' \
         "$BOARDS/targets.json" "$t" 2>/dev/null; then
      echo "FAIL $t: not in targets.json"; FAILED=1; continue
    fi
    mapfile -t CFLAGS < <(jget "$t" cflags)
    mapfile -t LDFLAGS < <(jget "$t" ldflags)
    mapfile -t STARTUP < <(jget "$t" startup)
    mapfile -t QEMU_ARGS < <(jget "$t" qemuArgs)
    if ! ( cd "$FT" && arm-none-eabi-gcc "${CFLAGS[@]}" "$OPT" -std=c99 -Wall -Wextra -Werror \
             boards/selftest.c "${STARTUP[@]}" "${LDFLAGS[@]}" -o "$elf" ) >"$d/build.log" 2>&1; then
      why="build failed (see $d/build.log)"
    fi
    RUN=(qemu-system-arm "${QEMU_ARGS[@]}" "$elf")
  fi

  ok_ms="-"; miss_ms="-"
  if [ -z "$why" ]; then
    run_case "$d/ok" "${RUN[@]}"; ok_rc=$RC; ok_ms=$MS
    if [ "$ok_rc" -ne 0 ]; then
      why="exit $ok_rc with input.bin (want 0): $(tr '\n' ' ' <"$d/ok/stderr.txt" | cut -c1-200)"
    elif ! cmp -s "$d/ok/output.bin" "$WORK/expected.bin"; then
      why="output.bin differs from expected"
    fi
  fi
  if [ -z "$why" ]; then
    run_case "$d/missing" "${RUN[@]}"; miss_ms=$MS
    [ "$RC" -eq 3 ] || why="exit $RC without input.bin (want 3)"
  fi
  for kind in fault stack nullwrite flashwrite; do
    if [ -z "$why" ] && [ "$t" != host ]; then
      mkdir -p "$d/$kind"
      run_case "$d/$kind" "${RUN[@]}" -append "$kind"
      if [ "$RC" -ne 127 ]; then
        why="'$kind' test exit $RC (want 127)"
      elif ! grep -q '\*\*\* FAULT' "$d/$kind/stdout.txt" "$d/$kind/stderr.txt"; then
        why="'$kind' test printed no FAULT line"
      fi
    fi
  done

  if [ -z "$why" ]; then
    printf 'PASS %-10s run(1MB)=%5sms missing-input=%5sms\n' "$t" "$ok_ms" "$miss_ms"
  else
    printf 'FAIL %-10s %s\n' "$t" "$why"
    FAILED=1
  fi
done

exit $FAILED
