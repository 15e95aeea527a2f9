#!/usr/bin/env bash
# Fails (and lists the files) when any C++ source differs from .clang-format's layout.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v clang-format >/dev/null; then
  apt-get install -y -qq --no-install-recommends clang-format >/dev/null
fi
mapfile -t sources < <(git ls-files '*.h' '*.hxx' '*.cxx' '*.cpp')
bad=()
for file in "${sources[@]}"; do
  clang-format --dry-run -Werror "$file" >/dev/null 2>&1 || bad+=("$file")
done
if ((${#bad[@]})); then
  echo "clang-format would change: ${bad[*]}" >&2
  exit 1
fi
echo "clang-format: ${#sources[@]} files formatted"
