#!/usr/bin/env bash
# What a C++ pipeline user pays against the executable: two 64x64x40x300 float32 .nii.gz
# series read through voxelkl::NiftiImageIO into itk::GaussianKLDivergenceImageFilter and
# a StreamingImageFilter of 1 and of 16 divisions (VoxelKLPipelineBenchmark), against
# VoxelKLDivergence on the same pair.
#
# Usage: pipeline_benchmark.sh BUILD_DIR [WORK_DIR]
#   BUILD_DIR  a VoxelKL build tree (testing on) with VoxelKLDemoPair, VoxelKLDivergence
#              and VoxelKLPipelineBenchmark built
#   WORK_DIR   where the pair goes (default /tmp/voxelkl-pipeline-bench); generated once
# Environment: REPEATS=5 (interleaved timed runs of each command; medians are reported).
# Targets: 16 divisions within 1.5x of one; the pipeline within 1.5x of the executable.
set -euo pipefail

readonly TARGET=1.5

die()
{
  echo "pipeline_benchmark.sh: error: $*" >&2
  exit 1
}

median()
{
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio()
{
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

meets()
{
  awk -v v="$1" -v l="$2" 'BEGIN { exit !(v != "-" && v + 0 <= l + 0) }' && echo ok || echo MISSED
}

# seconds COMMAND... : wall seconds of one run (output discarded; a failure stops the script).
seconds()
{
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || die "failed: $*"
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

[[ $# -ge 1 && $# -le 2 ]] || die "usage: pipeline_benchmark.sh BUILD_DIR [WORK_DIR]"
build=$(cd "$1" && pwd)
work=${2:-/tmp/voxelkl-pipeline-bench}
repeats=${REPEATS:-5}
pipeline=$build/Testing/Benchmarks/VoxelKLPipelineBenchmark
executable=$build/Applications/VoxelKLDivergence/VoxelKLDivergence
[[ -x $pipeline && -x $executable ]] || die "build VoxelKLPipelineBenchmark and VoxelKLDivergence in $build first"
pair=$work/pair
if [[ ! -f $pair/reference.nii.gz ]]; then
  rm -rf "$pair.partial"
  "$build/Applications/VoxelKLDemoPair/VoxelKLDemoPair" --outputDirectory "$pair.partial" --size 64,64,40 \
    --timePoints 300 --compress >/dev/null
  mv "$pair.partial" "$pair"
fi
cat "$pair"/*.nii.gz >/dev/null # warm the page cache

one=() sixteen=() exe=()
for ((run = 1; run <= repeats; ++run)); do
  echo "  run $run/$repeats" >&2
  one+=("$(seconds "$pipeline" "$pair/reference.nii.gz" "$pair/generated.nii.gz" "$work/kl-1.nii" 1)")
  sixteen+=("$(seconds "$pipeline" "$pair/reference.nii.gz" "$pair/generated.nii.gz" "$work/kl-16.nii" 16)")
  exe+=("$(seconds "$executable" --reference "$pair/reference.nii.gz" --generated "$pair/generated.nii.gz" \
    --output "$work/kl-exe.nii")")
done
cmp -s "$work/kl-1.nii" "$work/kl-16.nii" || die "1 and 16 divisions gave different maps"

m1=$(median "${one[@]}")
m16=$(median "${sixteen[@]}")
me=$(median "${exe[@]}")
echo
echo "64x64x40x300 float32 .nii.gz pair, Gaussian KL map: medians of $repeats interleaved runs, $(nproc) cores"
printf '%-44s %8s %8s  %s\n' "command" "s" "ratio" "target ${TARGET}x"
printf '%-44s %8s %8s  %s\n' "VoxelKLDivergence" "$me" "1.00" ""
printf '%-44s %8s %8s  %s\n' "pipeline, NiftiImageIO, 1 division" "$m1" "$(ratio "$m1" "$me")" \
  "vs executable $(meets "$(ratio "$m1" "$me")" "$TARGET")"
printf '%-44s %8s %8s  %s\n' "pipeline, NiftiImageIO, 16 divisions" "$m16" "$(ratio "$m16" "$me")" \
  "vs executable $(meets "$(ratio "$m16" "$me")" "$TARGET"), vs 1 division $(ratio "$m16" "$m1") $(meets "$(ratio "$m16" "$m1")" "$TARGET")"
