#!/usr/bin/env bash
# Wall time and peak memory of ConnectivityAgreement with the 116-region AAL atlas on the
# 91x109x91x300 float32 pair of kl_benchmark.sh (2 mm MNI grid), against the Gaussian KL
# map of the same pair (VoxelKLDivergence), runs interleaved so that both see the same
# machine. The atlas is MRIcron's 1 mm aal.nii.gz, resampled by the executable itself
# (nearest neighbour in physical space) onto the pair's grid.
#
# Usage: connectivity_benchmark.sh BUILD_DIR [WORK_DIR]
#   BUILD_DIR  a VoxelKL build tree with VoxelKLDemoPair, VoxelKLDivergence and
#              ConnectivityAgreement built
#   WORK_DIR   where the pairs and results go (default /tmp/voxelkl-bench, shared with
#              kl_benchmark.sh: WORK_DIR/nii, WORK_DIR/nii.gz are generated once and reused)
# Environment:
#   REPEATS=5               timed runs of each command (the medians are reported)
#   FORMATS="nii nii.gz"    which formats to benchmark
#   ATLAS=... NAMES=...     the atlas and its names (default BUILD_DIR/TestData/aal.nii.gz and
#                           aal.nii.txt, fetched by CMake/fetch-test-data.sh when missing)
#   EXTRA_ARGS=""           more arguments for both executables, e.g. "--threads 2"
# Target: ConnectivityAgreement (both matrices, the profile map and the summary) within 1.5x
# the Gaussian KL map (the map and its summary).
set -euo pipefail

readonly SIZE=91,109,91
readonly TIME_POINTS=300
readonly SPACING=2,2,2,2
readonly TARGET=1.5

usage()
{
  sed -n '2,19s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

die()
{
  echo "connectivity_benchmark.sh: error: $*" >&2
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

# timed LOG COMMAND... : runs COMMAND under GNU time; sets WALL (s) and RSS (KiB).
timed()
{
  local log=$1 measure
  shift
  measure=$(mktemp)
  if ! /usr/bin/time -f '%e %M' -o "$measure" "$@" >"$log" 2>&1; then
    echo "connectivity_benchmark.sh: failed: $*" >&2
    tail -n 20 "$log" "$measure" >&2
    rm -f "$measure"
    exit 1
  fi
  read -r WALL RSS < <(tail -n 1 "$measure")
  rm -f "$measure"
}

make_pair()
{
  local format=$1 directory=$WORK_DIR/$1 options=() start=$SECONDS
  if [[ -f $directory/reference.$format && -f $directory/generated.$format ]]; then
    return
  fi
  [[ -x $DEMO_PAIR ]] || die "$DEMO_PAIR not found (cmake --build $BUILD_DIR --target VoxelKLDemoPair)"
  [[ $format == nii.gz ]] && options+=(--compress)
  echo "generating the $SIZE x $TIME_POINTS float32 .$format pair in $directory" >&2
  rm -rf "$directory.partial" "$directory"
  "$DEMO_PAIR" --outputDirectory "$directory.partial" --size "$SIZE" --timePoints "$TIME_POINTS" \
    --spacing "$SPACING" --type float32 --seed 1 "${options[@]}" >/dev/null
  mv "$directory.partial" "$directory"
  echo "  done in $((SECONDS - start)) s" >&2
}

benchmark()
{
  local format=$1
  local reference=$WORK_DIR/$format/reference.$format generated=$WORK_DIR/$format/generated.$format
  local out=$WORK_DIR/results/connectivity-$format
  local kl_times=() kl_rss=() fc_times=() fc_rss=() run
  mkdir -p "$out"
  cat "$reference" "$generated" >/dev/null # warm the page cache
  for ((run = 1; run <= REPEATS; ++run)); do
    echo "  .$format run $run/$REPEATS" >&2
    timed "$out/VoxelKLDivergence.log" "$DIVERGENCE" --reference "$reference" --generated "$generated" \
      --output "$out/kl.nii.gz" --summary "$out/kl.json" "${EXTRA[@]}"
    kl_times+=("$WALL")
    kl_rss+=("$RSS")
    timed "$out/ConnectivityAgreement.log" "$CONNECTIVITY" --reference "$reference" --generated "$generated" \
      --labels "$ATLAS" --labelNames "$NAMES" --referenceMatrix "$out/fc_reference.tsv" \
      --generatedMatrix "$out/fc_generated.tsv" --profileCorrelation "$out/profile.nii.gz" \
      --summary "$out/fc.json" "${EXTRA[@]}"
    fc_times+=("$WALL")
    fc_rss+=("$RSS")
  done
  local kl fc fc_ratio regions verdict
  kl=$(median "${kl_times[@]}")
  fc=$(median "${fc_times[@]}")
  fc_ratio=$(ratio "$fc" "$kl")
  regions=$(grep -m1 '^Regions compared' "$out/ConnectivityAgreement.log" | sed 's/^Regions compared: //')
  if awk -v r="$fc_ratio" -v t="$TARGET" 'BEGIN { exit !(r != "-" && r + 0 <= t + 0) }'; then
    verdict=ok
  else
    verdict=MISSED
  fi
  ROWS+=("$(printf '%-7s %9s %10s %9s %10s %6s  %-8s %s' ".$format" "$kl" \
    "$(awk -v k="$(median "${kl_rss[@]}")" 'BEGIN { printf "%.0f", k / 1024 }')" "$fc" \
    "$(awk -v k="$(median "${fc_rss[@]}")" 'BEGIN { printf "%.0f", k / 1024 }')" "$fc_ratio" "$verdict" "$regions")")
  echo "  all times (s): kl ${kl_times[*]}; connectivity ${fc_times[*]}" >&2
}

[[ $# -ge 1 && $# -le 2 && $1 != -h && $1 != --help ]] || usage
BUILD_DIR=$(cd "$1" && pwd) || die "no build directory $1"
WORK_DIR=${2:-/tmp/voxelkl-bench}
mkdir -p "$WORK_DIR"
WORK_DIR=$(cd "$WORK_DIR" && pwd)
REPEATS=${REPEATS:-5}
FORMATS=${FORMATS:-nii nii.gz}
read -r -a EXTRA <<<"${EXTRA_ARGS:-}"
DEMO_PAIR=$BUILD_DIR/Applications/VoxelKLDemoPair/VoxelKLDemoPair
DIVERGENCE=$BUILD_DIR/Applications/VoxelKLDivergence/VoxelKLDivergence
CONNECTIVITY=$BUILD_DIR/Applications/ConnectivityAgreement/ConnectivityAgreement
ATLAS=${ATLAS:-$BUILD_DIR/TestData/aal.nii.gz}
NAMES=${NAMES:-$BUILD_DIR/TestData/aal.nii.txt}
[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || die "REPEATS must be a positive integer, got '$REPEATS'"
for format in $FORMATS; do
  [[ $format == nii || $format == nii.gz ]] || die "unknown format '$format' in FORMATS (nii, nii.gz)"
done
for executable in "$DIVERGENCE" "$CONNECTIVITY"; do
  [[ -x $executable ]] || die "$executable not found (cmake --build $BUILD_DIR)"
done
[[ -x /usr/bin/time ]] || die "GNU time not found (apt-get install time)"
if [[ ! -s $ATLAS || ! -s $NAMES ]]; then
  bash "$(dirname "${BASH_SOURCE[0]}")/../../CMake/fetch-test-data.sh" "$BUILD_DIR/TestData" >&2
fi
[[ -s $ATLAS && -s $NAMES ]] || die "no atlas $ATLAS (and $NAMES): mricron-data could not be fetched"

for format in $FORMATS; do
  make_pair "$format"
done
ROWS=()
for format in $FORMATS; do
  benchmark "$format"
done

echo
echo "ConnectivityAgreement (AAL, $(basename "$ATLAS")) against VoxelKLDivergence on $SIZE x $TIME_POINTS float32:" \
  "medians of $REPEATS interleaved runs, $(nproc) cores"
printf '%-7s %9s %10s %9s %10s %6s  %-8s %s\n' format "kl wall s" "kl RSS MiB" "fc wall s" "fc RSS MiB" "fc/kl" \
  "target" "regions compared"
printf '%s\n' "${ROWS[@]}"
echo "target: connectivity within ${TARGET}x the Gaussian KL map"
