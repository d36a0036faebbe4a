#!/usr/bin/env bash
# Formats the C and C++ sources with clang-format (--check: report, change nothing).
# native/constants.cc is generated and formatted by its generator, so it is left out.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v clang-format >/dev/null || { echo "clang-format not found (apt-get install clang-format)" >&2; exit 1; }
mapfile -t files < <(git ls-files -co --exclude-standard 'native/*.cc' 'native/*.h' 'bench/c/*.c' 'test/**/*.c' | grep -v '^native/constants.cc$' | sort -u)
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run -Werror "${files[@]}"
else
  clang-format -i "${files[@]}"
fi
