#!/usr/bin/env bash
# Wall time of VoxelSpectralAgreement (every spectral and autocorrelation map) against the
# Gaussian KL map of VoxelKLDivergence on the same 91x109x91x300 float32 pair, interleaved
# run by run so that both see the same machine. Issue #20's target: spectral maps <= 4x.
#
# Usage: spectral_benchmark.sh BUILD_DIR [WORK_DIR]
#   The pair is kl_benchmark.sh's (WORK_DIR/nii, generated there when missing).
# Environment: REPEATS=5, FORMAT=nii (or nii.gz).
set -euo pipefail

[[ $# -ge 1 ]] || { sed -n '2,9s/^# \{0,1\}//p' "$0" >&2; exit 2; }
build=$(cd "$1" && pwd)
work=${2:-/tmp/voxelkl-bench}
repeats=${REPEATS:-5}
format=${FORMAT:-nii}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ! -f $work/$format/reference.$format ]]; then
  REPEATS=1 FORMATS=$format bash "$here/kl_benchmark.sh" "$build" "$work" >/dev/null
fi
reference=$work/$format/reference.$format
generated=$work/$format/generated.$format
out=$work/results/spectral
mkdir -p "$out"
kl=$build/Applications/VoxelKLDivergence/VoxelKLDivergence
spectral=$build/Applications/VoxelSpectralAgreement/VoxelSpectralAgreement

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
timed() { /usr/bin/time -f '%e %M' -o "$out/time" "$@" >"$out/log" 2>&1 || { cat "$out/log" >&2; exit 1; }; read -r wall rss <"$out/time"; }

cat "$reference" "$generated" >/dev/null # warm the page cache
kl_times=() spectral_times=() spectral_rss=()
for ((run = 1; run <= repeats; ++run)); do
  echo "  run $run/$repeats" >&2
  timed "$kl" --reference "$reference" --generated "$generated" --output "$out/kl.nii.gz"
  kl_times+=("$wall")
  timed "$spectral" --reference "$reference" --generated "$generated" --logSpectralDistance "$out/lsd.nii.gz" \
    --spectralKL "$out/skl.nii.gz" --alffRatio "$out/alff.nii.gz" --falffRatio "$out/falff.nii.gz" \
    --autocorrelationDifference "$out/dphi.nii.gz" --summary "$out/spectral.json"
  spectral_times+=("$wall")
  spectral_rss+=("$rss")
done
k=$(median "${kl_times[@]}")
s=$(median "${spectral_times[@]}")
ratio=$(awk -v a="$s" -v b="$k" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 4.0) ? "ok" : "MISSED" }')
printf '%-8s %12s %16s %7s %12s  %s\n' format "gaussian KL" "spectral maps" ratio "RSS (MiB)" "target <= 4x"
printf '%-8s %12s %16s %7s %12s  %s\n' ".$format" "$k" "$s" "$ratio" \
  "$(awk -v k="$(median "${spectral_rss[@]}")" 'BEGIN { printf "%.0f", k / 1024 }')" "$verdict"
