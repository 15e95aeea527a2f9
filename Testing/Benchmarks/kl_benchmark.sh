#!/usr/bin/env bash
# Wall time and peak memory of VoxelKLDivergence on a 91x109x91x300 float32 pair (2 mm
# MNI grid, 1.08 GB per series uncompressed), compared with the time it takes just to
# read the files (cat) and, for .nii.gz, just to decompress them (two gzip -dc, and two
# ISA-L igzip -dc, in parallel).
#
# Usage: kl_benchmark.sh BUILD_DIR [WORK_DIR]
#   BUILD_DIR  a VoxelKL build tree with VoxelKLDemoPair and VoxelKLDivergence built
#   WORK_DIR   where the pairs and results go (default /tmp/voxelkl-bench); the pairs are
#              generated once (WORK_DIR/nii, WORK_DIR/nii.gz) and reused by later runs
# Environment:
#   REPEATS=5                 timed runs of each command (the medians are reported)
#   FORMATS="nii nii.gz"      which formats to benchmark
#   EXTRA_ARGS=""             more VoxelKLDivergence arguments, e.g. "--threads 2"
#   VOXELKL_DIVERGENCE=...    the executable to time (default
#                             BUILD_DIR/Applications/VoxelKLDivergence/VoxelKLDivergence)
#   COST_OF="..."             also time each run with these arguments added (interleaved,
#                             so both see the same machine) and report the ratio, e.g.
#                             COST_OF="--estimator knn" COST_TARGET=5, or the paired maps
#                             COST_OF="--mse m.nii.gz --correlation r.nii.gz" COST_TARGET=1.3
# Targets: .nii within 2x cat; .nii.gz faster than parallel gzip -dc and within 1.2x
# parallel igzip -dc; peak RSS < 256 MiB.
set -euo pipefail

readonly SIZE=91,109,91
readonly TIME_POINTS=300
readonly SPACING=2,2,2,2
readonly NII_TARGET=2.0
readonly GZ_TARGET=1.2
readonly RSS_TARGET_MIB=256

usage()
{
  sed -n '2,17s/^# \{0,1\}//p' "$0" >&2
  exit 2
}

die()
{
  echo "kl_benchmark.sh: error: $*" >&2
  exit 1
}

# GNU time (the package "time"): bash's time keyword cannot report peak RSS.
ensure_gnu_time()
{
  [[ -x /usr/bin/time ]] && return
  local sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  echo "installing GNU time (apt-get install time)" >&2
  "${sudo[@]}" apt-get install -y -qq time >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq time >/dev/null; } ||
    die "cannot install the package 'time'"
}

# median NUMBER... : the median (mean of the middle two for an even count).
median()
{
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B : A / B with two decimals ("-" when B is 0).
ratio()
{
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'
}

# timed LOG COMMAND... : runs COMMAND under GNU time, its output into LOG, and sets WALL
# (seconds) and RSS (peak resident set, KiB). Exits with the log shown if COMMAND fails.
timed()
{
  local log=$1 measure
  shift
  measure=$(mktemp)
  if ! /usr/bin/time -f '%e %M' -o "$measure" "$@" >"$log" 2>&1; then
    echo "kl_benchmark.sh: failed: $*" >&2
    tail -n 20 "$log" "$measure" >&2 # the output, and GNU time's exit status or signal
    rm -f "$measure"
    exit 1
  fi
  read -r WALL RSS < <(tail -n 1 "$measure")
  rm -f "$measure"
}

# The commands timed as the I/O baselines (run through bash -c, hence exported).
read_both()
{
  cat "$1" "$2" >/dev/null
}

decompress_both()
{
  local pid status=0
  gzip -dc "$1" >/dev/null &
  pid=$!
  gzip -dc "$2" >/dev/null || status=$?
  wait "$pid" || status=$?
  return "$status"
}
decompress_both_igzip()
{
  local pid status=0
  igzip -dc "$1" >/dev/null &
  pid=$!
  igzip -dc "$2" >/dev/null || status=$?
  wait "$pid" || status=$?
  return "$status"
}
export -f read_both decompress_both decompress_both_igzip


# make_pair FORMAT : generates WORK_DIR/FORMAT/{reference,generated}.FORMAT unless present
# (into a temporary directory first, so that an interrupted run leaves no partial pair).
# Each format has its own directory: ITK's NIfTI reader given x.nii.gz reads x.nii
# instead when both exist.
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

# benchmark FORMAT : times REPEATS runs of each command; appends one row to ROWS.
benchmark()
{
  local format=$1
  local reference=$WORK_DIR/$format/reference.$format generated=$WORK_DIR/$format/generated.$format
  local out=$WORK_DIR/results/$format
  local kl_times=() kl_rss=() cat_times=() gzip_times=() igzip_times=() cost_times=() cost_rss=() run
  mkdir -p "$out"
  # Relative file names in COST_OF (--mse m.nii.gz) land among the results, not here.
  pushd "$out" >/dev/null
  read_both "$reference" "$generated" # warm the page cache
  # shellcheck disable=SC2016 # $1 and $2 are expanded by the child bash
  for ((run = 1; run <= REPEATS; ++run)); do
    echo "  .$format run $run/$REPEATS" >&2
    timed "$out/cat.log" bash -c 'read_both "$1" "$2"' _ "$reference" "$generated"
    cat_times+=("$WALL")
    if [[ $format == nii.gz ]]; then
      timed "$out/gzip.log" bash -c 'decompress_both "$1" "$2"' _ "$reference" "$generated"
      gzip_times+=("$WALL")
      timed "$out/igzip.log" bash -c 'decompress_both_igzip "$1" "$2"' _ "$reference" "$generated"
      igzip_times+=("$WALL")
    fi
    timed "$out/VoxelKLDivergence.log" "$DIVERGENCE" --reference "$reference" --generated "$generated" \
      --output "$out/kl.nii.gz" --summary "$out/kl.json" "${EXTRA[@]}"
    kl_times+=("$WALL")
    kl_rss+=("$RSS")
    if ((${#COST[@]})); then
      timed "$out/VoxelKLDivergence-cost.log" "$DIVERGENCE" --reference "$reference" --generated "$generated" \
        --output "$out/kl-cost.nii.gz" --summary "$out/kl-cost.json" "${EXTRA[@]}" "${COST[@]}"
      cost_times+=("$WALL")
      cost_rss+=("$RSS")
    fi
  done
  if ((${#COST[@]})); then
    local cost cost_ratio
    cost=$(median "${cost_times[@]}")
    cost_ratio=$(ratio "$cost" "$(median "${kl_times[@]}")")
    COST_ROWS+=("$(printf '%-7s %10s %10s %7s %11s  %s' ".$format" "$(median "${kl_times[@]}")" "$cost" "$cost_ratio" \
      "$(awk -v k="$(median "${cost_rss[@]}")" 'BEGIN { printf "%.0f", k / 1024 }')" \
      "$([[ -n $COST_TARGET ]] && meets "$cost_ratio" "<=" "$COST_TARGET")")")
  fi

  popd >/dev/null
  local kl cat_s cat_ratio rss_mib gzip_s="-" gzip_ratio="-" igzip_s="-" igzip_ratio="-" verdict
  kl=$(median "${kl_times[@]}")
  cat_s=$(median "${cat_times[@]}")
  cat_ratio=$(ratio "$kl" "$cat_s")
  rss_mib=$(awk -v k="$(median "${kl_rss[@]}")" 'BEGIN { printf "%.0f", k / 1024 }')
  if [[ $format == nii.gz ]]; then
    gzip_s=$(median "${gzip_times[@]}")
    gzip_ratio=$(ratio "$kl" "$gzip_s")
    igzip_s=$(median "${igzip_times[@]}")
    igzip_ratio=$(ratio "$kl" "$igzip_s")
    verdict="vs gzip $(meets "$gzip_ratio" "<" 1), vs igzip $(meets "$igzip_ratio" "<=" "$GZ_TARGET")"
  else
    verdict="time $(meets "$cat_ratio" "<=" "$NII_TARGET")"
  fi
  verdict+=", RSS $(meets "$rss_mib" "<" "$RSS_TARGET_MIB")"
  ROWS+=("$(print_row ".$format" "$kl" "$rss_mib" "$cat_s" "$cat_ratio" "$gzip_s" "$gzip_ratio" "$igzip_s" \
    "$igzip_ratio" "$verdict")")
}

# meets VALUE OPERATOR LIMIT : "ok" when VALUE OPERATOR LIMIT holds (<= or <), else "MISSED".
meets()
{
  if awk -v v="$1" -v l="$3" -v op="$2" \
    'BEGIN { ok = (op == "<") ? v + 0 < l + 0 : v + 0 <= l + 0; exit !(v != "-" && ok) }'; then
    echo ok
  else
    echo MISSED
  fi
}

print_row()
{
  printf '%-7s %10s %11s %7s %7s %11s %8s %11s %9s  %s\n' "$@"
}

[[ $# -ge 1 && $# -le 2 && $1 != -h && $1 != --help ]] || usage
BUILD_DIR=$(cd "$1" && pwd) || die "no build directory $1"
WORK_DIR=${2:-/tmp/voxelkl-bench}
mkdir -p "$WORK_DIR"
WORK_DIR=$(cd "$WORK_DIR" && pwd) # the runs happen in the results directory
REPEATS=${REPEATS:-5}
FORMATS=${FORMATS:-nii nii.gz}
read -r -a EXTRA <<<"${EXTRA_ARGS:-}"
read -r -a COST <<<"${COST_OF:-}"
COST_TARGET=${COST_TARGET:-}
DEMO_PAIR=$BUILD_DIR/Applications/VoxelKLDemoPair/VoxelKLDemoPair
DIVERGENCE=${VOXELKL_DIVERGENCE:-$BUILD_DIR/Applications/VoxelKLDivergence/VoxelKLDivergence}
[[ $REPEATS =~ ^[1-9][0-9]*$ ]] || die "REPEATS must be a positive integer, got '$REPEATS'"
for format in $FORMATS; do
  [[ $format == nii || $format == nii.gz ]] || die "unknown format '$format' in FORMATS (nii, nii.gz)"
done
[[ -x $DIVERGENCE ]] || die "$DIVERGENCE not found (cmake --build $BUILD_DIR --target VoxelKLDivergence)"
ensure_gnu_time
command -v igzip >/dev/null || die "igzip not found (apt-get install isal)"
mkdir -p "$WORK_DIR"

for format in $FORMATS; do
  make_pair "$format"
done

ROWS=()
COST_ROWS=()
for format in $FORMATS; do
  benchmark "$format"
done

echo
echo "VoxelKLDivergence${EXTRA[*]:+ ${EXTRA[*]}} on $SIZE x $TIME_POINTS float32: medians of $REPEATS runs, $(nproc) cores"
print_row format "kl wall s" "kl RSS MiB" "cat s" kl/cat "gzip -dc s" kl/gzip "igzip -dc s" kl/igzip targets
printf '%s\n' "${ROWS[@]}"
echo "targets: .nii within ${NII_TARGET}x cat; .nii.gz faster than parallel gzip -dc and within ${GZ_TARGET}x parallel" \
  "igzip -dc; peak RSS < ${RSS_TARGET_MIB} MiB"
if ((${#COST_ROWS[@]})); then
  echo
  echo "cost of ${COST[*]}: medians of $REPEATS interleaved runs"
  printf '%-7s %10s %10s %7s %11s  %s\n' format "without s" "with s" ratio "RSS MiB" "target${COST_TARGET:+ ${COST_TARGET}x}"
  printf '%s\n' "${COST_ROWS[@]}"
fi
