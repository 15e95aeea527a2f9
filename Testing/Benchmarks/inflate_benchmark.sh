#!/usr/bin/env bash
# How fast VoxelKL inflates .nii.gz (ISA-L), against igzip and gzip, and what streaming a
# .nii.gz through voxelkl::NiftiImageIO in 16 z slabs costs against one whole read.
#
# Usage: inflate_benchmark.sh BUILD_DIR [WORK_DIR]
#   BUILD_DIR  a VoxelKL build tree (testing on) with VoxelKLDemoPair and
#              VoxelKLInflateBenchmark built
#   WORK_DIR   where the pairs go (default /tmp/voxelkl-inflate-bench); generated once
# Environment: REPEATS=5 (timed runs of each command; medians are reported),
#   ITK_IO=1 (also time ITK's NiftiImageIO streaming the small pair in 16 slabs: slow).
# Targets: reading the 91x109x91x300 float32 pair (both files at once, as the executables
# read them) within 1.2x of two `igzip -dc` in parallel; a 16-slab streamed read of the
# 64x64x40x300 float32 pair within 1.5x of one whole read.
set -euo pipefail

readonly INFLATE_TARGET=1.2
readonly STREAM_TARGET=1.5

die()
{
  echo "inflate_benchmark.sh: error: $*" >&2
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

# own_seconds COMMAND... : the "seconds S" VoxelKLInflateBenchmark prints (its timed part).
own_seconds()
{
  local output
  output=$("$@") || die "failed: $*"
  awk '$1 == "seconds" { printf "%.3f", $2 }' <<<"$output"
}

# seconds COMMAND... : wall seconds of COMMAND (its output discarded), or exit if it fails.
seconds()
{
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null || die "failed: $*"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f", e - s }'
}

# both TOOL A B : TOOL -dc on the two files at once.
both()
{
  local tool=$1 pid status=0
  "$tool" -dc "$2" >/dev/null &
  pid=$!
  "$tool" -dc "$3" >/dev/null || status=$?
  wait "$pid" || status=$?
  return "$status"
}

# make_pair NAME SIZE : WORK_DIR/NAME/{reference,generated}.nii.gz, SIZE x 300 float32.
make_pair()
{
  local directory=$WORK_DIR/$1
  [[ -f $directory/reference.nii.gz && -f $directory/generated.nii.gz ]] && return
  echo "generating the $2 x 300 float32 .nii.gz pair in $directory" >&2
  rm -rf "$directory.partial" "$directory"
  "$DEMO_PAIR" --outputDirectory "$directory.partial" --size "$2" --timePoints 300 --type float32 --seed 1 \
    --compress >/dev/null
  mv "$directory.partial" "$directory"
}

[[ $# -ge 1 && $# -le 2 && $1 != -h && $1 != --help ]] || { sed -n '2,14s/^# \{0,1\}//p' "$0" >&2; exit 2; }
BUILD_DIR=$(cd "$1" && pwd) || die "no build directory $1"
WORK_DIR=${2:-/tmp/voxelkl-inflate-bench}
REPEATS=${REPEATS:-5}
DEMO_PAIR=$BUILD_DIR/Applications/VoxelKLDemoPair/VoxelKLDemoPair
READER=$BUILD_DIR/Testing/Benchmarks/VoxelKLInflateBenchmark
[[ -x $DEMO_PAIR ]] || die "$DEMO_PAIR not built"
[[ -x $READER ]] || die "$READER not built (configure with -DVOXELKL_BUILD_TESTING=ON)"
command -v igzip >/dev/null || die "igzip not found (apt-get install isal)"
mkdir -p "$WORK_DIR"
make_pair mni 91,109,91
make_pair small 64,64,40
mni=("$WORK_DIR/mni/reference.nii.gz" "$WORK_DIR/mni/generated.nii.gz")
small=("$WORK_DIR/small/reference.nii.gz" "$WORK_DIR/small/generated.nii.gz")
cat "${mni[@]}" "${small[@]}" >/dev/null # warm the page cache

declare -A times
# Interleaved: every command sees the same machine (2 cores shared with other work).
for ((run = 1; run <= REPEATS; ++run)); do
  echo "run $run/$REPEATS" >&2
  times[igzip]+=" $(seconds both igzip "${mni[@]}")"
  times[gzip]+=" $(seconds both gzip "${mni[@]}")"
  times[stream]+=" $(seconds "$READER" stream "${mni[@]}")"
  times[io1]+=" $(seconds "$READER" io 1 "${small[@]}")"
  times[io16]+=" $(seconds "$READER" io 16 "${small[@]}")"
  times[io16warm]+=" $(own_seconds "$READER" io-warm 16 "${small[@]}")"
  times[io1own]+=" $(own_seconds "$READER" io 1 "${small[@]}")"
  times[small_igzip]+=" $(seconds both igzip "${small[@]}")"
  if [[ ${ITK_IO:-0} == 1 ]]; then
    times[itk1]+=" $(seconds "$READER" itk-io 1 "${small[@]}")"
    times[itk16]+=" $(seconds "$READER" itk-io 16 "${small[@]}")"
  fi
done
m()
{
  # shellcheck disable=SC2086 # the list of times is split on purpose
  median ${times[$1]}
}

echo
echo "Medians of $REPEATS runs, seconds (both files of a pair read at once, one thread each)"
echo "91x109x91x300 float32 pair ($(du -ch "${mni[@]}" | tail -n 1 | cut -f 1) compressed, 2 x 1.08 GB inflated):"
printf '  %-44s %7s\n' "2 x igzip -dc in parallel" "$(m igzip)" "2 x gzip -dc in parallel" "$(m gzip)" \
  "VoxelKL NiftiVolumeStream (ISA-L), 2 threads" "$(m stream)"
stream_ratio=$(ratio "$(m stream)" "$(m igzip)")
echo "  NiftiVolumeStream / igzip: $stream_ratio (target <= $INFLATE_TARGET: $(meets "$stream_ratio" "$INFLATE_TARGET"))"
echo "64x64x40x300 float32 pair ($(du -ch "${small[@]}" | tail -n 1 | cut -f 1) compressed, 2 x 197 MB inflated):"
printf '  %-44s %7s\n' "2 x igzip -dc in parallel" "$(m small_igzip)" \
  "voxelkl::NiftiImageIO, 1 division" "$(m io1)" "voxelkl::NiftiImageIO, 16 divisions (z slabs)" "$(m io16)"
if [[ ${ITK_IO:-0} == 1 ]]; then
  printf '  %-44s %7s\n' "itk::NiftiImageIO, 1 division" "$(m itk1)" "itk::NiftiImageIO, 16 divisions" "$(m itk16)"
fi
io_ratio=$(ratio "$(m io16)" "$(m io1)")
echo "  16 divisions / 1 division: $io_ratio (target <= $STREAM_TARGET: $(meets "$io_ratio" "$STREAM_TARGET"))"
echo "  Read timed inside the process (no start-up), the IO's index already built by one streamed read:"
printf '  %-44s %7s\n' "voxelkl::NiftiImageIO, 1 division, cold" "$(m io1own)" \
  "voxelkl::NiftiImageIO, 16 divisions, warm" "$(m io16warm)"
warm_ratio=$(ratio "$(m io16warm)" "$(m io1own)")
echo "  16 divisions warm / 1 division: $warm_ratio (target <= $STREAM_TARGET: $(meets "$warm_ratio" "$STREAM_TARGET"))"
