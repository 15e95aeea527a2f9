#!/usr/bin/env bash
# Wall time and size of VoxelKLReport's page for maps of the 2 mm MNI grid (91x109x91): the
# Gaussian and k-NN KL maps and the four fidelity maps of a VoxelKLDemoPair pair, over the
# reference's mean image, with the summary and the region table. (Issue #19: under 2 s and
# under 10 MB; not asserted by any test.)
#
# Usage: report_benchmark.sh BUILD_DIR [WORK_DIR]
#   BUILD_DIR  a VoxelKL build tree (VoxelKLDemoPair, VoxelKLDivergence, VoxelMoments,
#              VoxelKLReport)
#   WORK_DIR   where the pair, its maps and the pages go (default /tmp/voxelkl-report-bench);
#              made once and reused
# Environment:
#   REPEATS=5   timed runs of each command (the medians are reported)
#   TIME_POINTS=100   volumes of the pair (the maps' size does not depend on it)
set -euo pipefail

readonly SIZE=91,109,91
readonly SPACING=2,2,2,2

usage()
{
  sed -n '2,15s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

die()
{
  echo "report_benchmark.sh: error: $*" >&2
  exit 1
}

# median NUMBER... : the median (mean of the middle two for an even count).
median()
{
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# seconds COMMAND... : runs COMMAND (output discarded, shown on failure) and prints its wall time.
seconds()
{
  local start end log
  log=$(mktemp)
  start=$(date +%s.%N)
  "$@" >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; die "failed: $*"; }
  end=$(date +%s.%N)
  rm -f "$log"
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

[[ $# -ge 1 && $# -le 2 ]] || usage
build=$(cd "$1" && pwd)
work=${2:-/tmp/voxelkl-report-bench}
repeats=${REPEATS:-5}
time_points=${TIME_POINTS:-100}
bin=$build/Applications
for tool in VoxelKLDemoPair VoxelKLDivergence VoxelMoments VoxelKLReport; do
  [[ -x "$bin/$tool/$tool" ]] || die "$bin/$tool/$tool is not built"
done
mkdir -p "$work"
cd "$work"

if [[ ! -s maps.done ]]; then
  echo "== Making the pair (${SIZE}x$time_points) and its maps in $work (once)"
  "$bin/VoxelKLDemoPair/VoxelKLDemoPair" --outputDirectory "$work" --size "$SIZE" --timePoints "$time_points" \
    --spacing "$SPACING" --compress >/dev/null
  printf '1\tfaithful\n2\tflattened\n3\tmean-shifted\n4\theavy-tailed\n' >distortions.txt
  "$bin/VoxelKLDivergence/VoxelKLDivergence" --reference reference.nii.gz --generated generated.nii.gz \
    --mask mask.nii.gz --output kl.nii.gz --summary kl.json --mse mse.nii.gz --correlation correlation.nii.gz \
    --meanDifference mean_difference.nii.gz --varianceLogRatio variance_log_ratio.nii.gz \
    --labels distortions.nii.gz --labelNames distortions.txt --regionTable regions.tsv >/dev/null
  "$bin/VoxelKLDivergence/VoxelKLDivergence" --reference reference.nii.gz --generated generated.nii.gz \
    --mask mask.nii.gz --estimator knn --output kl_knn.nii.gz >/dev/null
  "$bin/VoxelMoments/VoxelMoments" --input reference.nii.gz --mean mean.nii.gz >/dev/null
  echo done >maps.done
fi

maps=(--mask mask.nii.gz --kl kl.nii.gz --knn kl_knn.nii.gz --mse mse.nii.gz --correlation correlation.nii.gz
  --meanDifference mean_difference.nii.gz --varianceLogRatio variance_log_ratio.nii.gz --summary kl.json
  --regionTable regions.tsv)
anatomy=()
reference=()
for ((r = 0; r < repeats; ++r)); do
  anatomy+=("$(seconds "$bin/VoxelKLReport/VoxelKLReport" --anatomy mean.nii.gz "${maps[@]}" --output anatomy.html)")
  reference+=("$(seconds "$bin/VoxelKLReport/VoxelKLReport" --reference reference.nii.gz "${maps[@]}" \
    --output reference.html)")
done
size_of() { stat -c %s "$1"; }
printf '%-58s %8s %10s\n' "VoxelKLReport, 6 maps of ${SIZE} (medians of $repeats)" "time" "size"
printf '%-58s %7ss %8.2f MB\n' "--anatomy mean.nii.gz (the mean image given)" "$(median "${anatomy[@]}")" \
  "$(awk -v b="$(size_of anatomy.html)" 'BEGIN { print b / 1e6 }')"
printf '%-58s %7ss %8.2f MB\n' "--reference reference.nii.gz (its mean computed, T = $time_points)" \
  "$(median "${reference[@]}")" "$(awk -v b="$(size_of reference.html)" 'BEGIN { print b / 1e6 }')"
echo "(runs: anatomy ${anatomy[*]}; reference ${reference[*]})"
