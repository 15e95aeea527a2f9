#!/usr/bin/env bash
# Extracts small real fMRI files from Debian packages into DIR, without installing the
# packages (and their Python dependencies): apt-get download + dpkg-deb -x.
#   nipype: testing/data/ds003_sub-01_mc.nii.gz, a real motion-corrected run (16x16x9x20)
#   nibabel: tests/data/example4d.nii.gz (128x96x24x2)
#   mricron-data: templates/aal.nii.gz, the AAL atlas (181x217x181, 1 mm, 116 labels), and
#     templates/aal.nii.txt, its region names
# Tests that need them are skipped, not failed, when they are missing (no apt access).
set -uo pipefail
dir=${1:?usage: fetch-test-data.sh DIR}
mkdir -p "$dir"
cd "$dir" || exit 1
fetch() { # package, then pairs of: path inside the package, name to give it
  local package=$1
  shift
  local missing=0 pairs=("$@") i
  for ((i = 1; i < ${#pairs[@]}; i += 2)); do
    [[ -s "${pairs[i]}" ]] || missing=1
  done
  ((missing)) || return 0
  local work
  work=$(mktemp -d)
  if (cd "$work" && apt-get download -qq "$package" >/dev/null 2>&1); then
    dpkg-deb -x "$work"/"$package"_*.deb "$work/root"
    for ((i = 0; i < ${#pairs[@]}; i += 2)); do
      local inner=${pairs[i]} name=${pairs[i + 1]} found
      found=$(find "$work/root" -path "*$inner" | head -n 1)
      [[ -n "$found" ]] && cp "$found" "$name" && echo "   $name (from $package)"
    done
  else
    echo "   could not download $package: tests that need ${pairs[*]} will be skipped" >&2
  fi
  rm -rf "$work"
}
fetch python3-nipype testing/data/ds003_sub-01_mc.nii.gz ds003_sub-01_mc.nii.gz
fetch python3-nibabel tests/data/example4d.nii.gz example4d.nii.gz
fetch mricron-data templates/aal.nii.gz aal.nii.gz templates/aal.nii.txt aal.nii.txt
exit 0
