#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzz build (Testing/Fuzz/fuzz.cmake), or replays inputs.
#
#   bash Testing/Fuzz/run-fuzzers.sh BUILD_DIR SECONDS [NAME...]
#       fuzzes each target (all six, or the NAMEs: nifti_header nifti_stream series
#       label_text fsl_atlas_xml state_file) for SECONDS seconds, starting from the seed corpus the
#       build wrote (BUILD_DIR/Testing/Fuzz/seeds/NAME) and the inputs earlier runs found
#       (BUILD_DIR/Testing/Fuzz/found/NAME, kept between runs). A crash, sanitizer report,
#       leak, timeout (10 s on one input) or out-of-memory (2 GiB) fails the run; the input
#       that caused it is kept as BUILD_DIR/Testing/Fuzz/artifacts/NAME/crash-<sha1> (or
#       leak-, timeout-, oom-). Exits 1 when any target failed, after running them all.
#   bash Testing/Fuzz/run-fuzzers.sh BUILD_DIR gate [NAME...]
#       what CI runs: each target from the seed corpus alone, with a fixed random seed and a
#       fixed number of inputs (about a minute each on 2 cores), so the same commit fuzzes
#       the same inputs on every machine and a failure is the commit's, not the dice's
#       (an exploratory run above is how new crashes are looked for; each one found becomes
#       a regression input in Testing/Fuzz/corpus/NAME, which the seed corpus includes).
#   bash Testing/Fuzz/run-fuzzers.sh BUILD_DIR replay NAME PATH...
#       runs target NAME once on each PATH: a crash file (e.g. one of the artifacts above,
#       to debug it: the report and stack go to the terminal) or a corpus directory (every
#       file in it, e.g. Testing/Fuzz/corpus/NAME, the checked-in regression inputs).
#
# The sanitizer options and suppressions are those of Testing/Sanitizers/environment.sh.
# CI (CMake/bootstrap.sh test) runs the gate; 5-10 s of exploration is a quick local check.
set -euo pipefail

if (($# < 2)); then
  sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
source "$(dirname "${BASH_SOURCE[0]}")/../Sanitizers/environment.sh"
fuzz_dir=$build_dir/Testing/Fuzz
dict_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/dict

declare -A executables=(
  [nifti_header]=VoxelKLNiftiHeaderFuzzer [nifti_stream]=VoxelKLNiftiStreamFuzzer
  [series]=VoxelKLSeriesFuzzer [label_text]=VoxelKLLabelTextFuzzer
  [fsl_atlas_xml]=VoxelKLFslAtlasXmlFuzzer [state_file]=VoxelKLStateFileFuzzer)
# Largest input the mutator makes: a header; small images; text files.
declare -A max_len=([nifti_header]=352 [nifti_stream]=65536 [series]=65536 [label_text]=8192
  [fsl_atlas_xml]=8192 [state_file]=16384)
names=(nifti_header nifti_stream series label_text fsl_atlas_xml state_file)

executable() {
  local name=$1
  if [[ -z "${executables[$name]:-}" ]]; then
    echo "run-fuzzers.sh: unknown fuzzer '$name' (one of: ${names[*]})" >&2
    exit 2
  fi
  local path=$fuzz_dir/${executables[$name]}
  if [[ ! -x "$path" ]]; then
    echo "run-fuzzers.sh: $path is not built (cmake --build $build_dir --target VoxelKLFuzzers)" >&2
    exit 2
  fi
  echo "$path"
}

if [[ "$2" == replay ]]; then
  (($# >= 4)) || { echo "usage: run-fuzzers.sh BUILD_DIR replay NAME PATH..." >&2; exit 2; }
  exe=$(executable "$3")
  shift 3
  status=0
  for path in "$@"; do
    if [[ -d "$path" ]]; then
      # -runs=0: run every input of the directory once, fuzz nothing.
      "$exe" -runs=0 -timeout=10 "$path" || status=1
    else
      "$exe" -timeout=10 "$path" || status=1
    fi
  done
  exit $status
fi

# Inputs per target in the gate: about 60 s each on the CI machine (2 cores, ASan+UBSan).
declare -A gate_runs=([nifti_header]=2000000 [nifti_stream]=30000 [series]=40000 [label_text]=200000
  [fsl_atlas_xml]=1000000 [state_file]=25000)
gate=false
seconds=$2
if [[ "$seconds" == gate ]]; then
  gate=true
  seconds=600 # a bound only: the gate ends after its inputs
fi
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "run-fuzzers.sh: SECONDS must be a number or 'gate'" >&2; exit 2; }
shift 2
(($#)) && names=("$@")
failed=()
for name in "${names[@]}"; do
  exe=$(executable "$name")
  seeds=$fuzz_dir/seeds/$name
  found=$fuzz_dir/found/$name
  artifacts=$fuzz_dir/artifacts/$name
  log=$fuzz_dir/logs/$name.log
  mkdir -p "$seeds" "$found" "$artifacts" "$(dirname "$log")"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="${max_len[$name]}"
    -artifact_prefix="$artifacts/" -print_final_stats=1)
  [[ -f "$dict_dir/$name.dict" ]] && options+=(-dict="$dict_dir/$name.dict")
  if $gate; then
    # A fresh corpus directory: inputs found by earlier runs would change what is tried.
    found=$fuzz_dir/gate/$name
    rm -rf "$found"
    mkdir -p "$found"
    options+=(-seed=20261207 -runs="${gate_runs[$name]}")
  fi
  start=$SECONDS
  if "$exe" "${options[@]}" "$found" "$seeds" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    echo "== fuzz $name: ok, ${runs:-?} inputs in $((SECONDS - start)) s, ${coverage:-cov: ?}, corpus $(ls "$found" | wc -l) found + $(ls "$seeds" | wc -l) seeds"
  else
    failed+=("$name")
    echo "== fuzz $name: FAILED after $((SECONDS - start)) s; the end of $log:"
    tail -n 60 "$log"
    echo "== kept in $artifacts: $(ls "$artifacts" | tr '\n' ' ')"
    echo "== replay: bash $(dirname "${BASH_SOURCE[0]}")/run-fuzzers.sh $build_dir replay $name $artifacts/<file>"
  fi
done
if ((${#failed[@]})); then
  echo "== fuzzers that failed: ${failed[*]}" >&2
  exit 1
fi
