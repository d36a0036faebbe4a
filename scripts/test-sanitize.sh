#!/usr/bin/env bash
# Runs the whole vitest suite against an ASan+UBSan build of the addon.
#   npm run test:sanitize [-- <extra vitest args, e.g. --reporter=json --outputFile.json=x.json>]
# The sanitized build replaces build/Release/bsdsock.node only for the duration of the
# run: the EXIT trap always rebuilds the normal addon, because node-gyp-build prefers
# build/Release and a leftover ASan build breaks every later plain `node` load
# ("ASan runtime does not come first in initial library list").
# Exits with vitest's exit code (or the rebuild's, if that fails).
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# node-gyp must use Node's own headers: there is no network for the headers tarball.
if [ -z "${npm_config_nodedir:-}" ]; then
  npm_config_nodedir="$(node -p 'require("path").resolve(process.execPath, "../..")')"
fi
export npm_config_nodedir
export NO_COLOR="${NO_COLOR:-1}"

NODE_GYP=./node_modules/.bin/node-gyp
VITEST=./node_modules/.bin/vitest

restore_normal_build() {
  local rc=$?
  trap - EXIT INT TERM
  echo "test-sanitize: restoring the normal build (node-gyp rebuild)" >&2
  if ! "$NODE_GYP" rebuild >/tmp/bsdsock-restore-build.$$.log 2>&1; then
    cat /tmp/bsdsock-restore-build.$$.log >&2
    echo "test-sanitize: FAILED to restore the normal build" >&2
    [ "$rc" -eq 0 ] && rc=1
  fi
  rm -f /tmp/bsdsock-restore-build.$$.log
  exit "$rc"
}
trap restore_normal_build EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "test-sanitize: node-gyp rebuild --sanitize=1" >&2
if ! "$NODE_GYP" rebuild --sanitize=1; then
  echo "test-sanitize: sanitizer build failed" >&2
  exit 1
fi

# A gyp condition that silently never matches would leave a plain build: check.
if ! ldd build/Release/bsdsock.node | grep -q libasan; then
  echo "test-sanitize: build/Release/bsdsock.node is not linked against libasan" >&2
  exit 1
fi

LIBASAN="$(gcc -print-file-name=libasan.so)"
if [ ! -e "$LIBASAN" ]; then
  echo "test-sanitize: libasan not found (gcc -print-file-name=libasan.so -> $LIBASAN)" >&2
  exit 1
fi

echo "test-sanitize: vitest run under LD_PRELOAD=$LIBASAN" >&2
LD_PRELOAD="$LIBASAN" \
ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
BSDSOCK_SANITIZE=1 \
  "$VITEST" run "$@"
rc=$?
echo "test-sanitize: vitest exited with $rc" >&2
exit "$rc"
