#!/usr/bin/env bash
# Tests of the cohort workflow (Applications/Cohort) run locally, with `snakemake --cores 2`:
#   local-test.sh run    BUILD_DIR WORK_DIR [--require-group] [--require-tables]
#       generates the demo cohort (3 subjects x 2 runs x 2 models) into WORK_DIR/data, runs
#       the workflow from its participants TSV into WORK_DIR/local/results and checks every
#       output file and each subject's maps against a direct VoxelKLDivergence run. The other
#       modes and slurm-test.sh use what it leaves (a CTest fixture).
#   local-test.sh bids   BUILD_DIR WORK_DIR   the same cohort from its BIDS folder: same outputs
#   local-test.sh group  BUILD_DIR WORK_DIR   group maps against a pooled run (skipped while
#                                             VoxelKLMerge or --saveState is missing)
#   local-test.sh tables BUILD_DIR WORK_DIR   cohort tables (skipped while VoxelKLCohort is)
#   local-test.sh errors BUILD_DIR WORK_DIR   a broken cohort or config stops the workflow
#                                             with one line naming the file
# --require-group / --require-tables (CMake passes them once the executables are targets of
# the build): the workflow must make them (config true instead of auto), no skipping.
# Exit 77: skipped, the reason printed.
set -euo pipefail

if (($# < 3)); then
  echo "usage: local-test.sh run|bids|group|tables|errors BUILD_DIR WORK_DIR [--require-group] [--require-tables]" >&2
  exit 2
fi
mode=$1
build=$(cd "$2" && pwd)
work=$3
shift 3
require_group=auto require_tables=auto
for option in "$@"; do
  case $option in
  --require-group) require_group=true ;;
  --require-tables) require_tables=true ;;
  *) echo "local-test.sh: unknown option $option" >&2 && exit 2 ;;
  esac
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cohort=$(cd "$here/../../Applications/Cohort" && pwd)
applications=$build/Applications
divergence=$applications/VoxelKLDivergence/VoxelKLDivergence
# Debian's interpreter and snakemake (a python3 first on PATH may be another one).
python=/usr/bin/python3
check() { "$python" "$here/check_outputs.py" "$@"; }

if ! command -v snakemake >/dev/null; then
  echo "skipped: snakemake is not installed (Debian 12: apt-get install snakemake; bash CMake/bootstrap.sh test installs it)"
  exit 77
fi
# Snakemake's caches in the work folder, not in the home of whoever runs the tests.
export XDG_CACHE_HOME=$work/.cache

# One config per input form; everything absolute, so that any working directory runs it.
write_config() { # FILE LINES... (a key the lines set is not set again)
  local file=$1
  shift
  printf '%s\n' "$@" >"$file"
  local key value
  for key in output executables group cohort_tables; do
    case $key in
    output) value=results ;;
    executables) value=$applications ;;
    group) value=$require_group ;;
    cohort_tables) value=$require_tables ;;
    esac
    grep -q "^$key:" "$file" || echo "$key: $value" >>"$file"
  done
}

# Runs the workflow in WORK_DIR/NAME with CONFIG; its output goes to NAME.log, shown on failure.
run_workflow() { # NAME CONFIG [snakemake options]
  local name=$1 config=$2
  shift 2
  rm -rf "${work:?}/$name"
  mkdir -p "$work/$name"
  local start=$SECONDS
  if ! (cd "$work/$name" && snakemake -s "$cohort/Snakefile" --configfile "$config" "$@" \
    >"$work/$name.log" 2>&1); then
    tail -n 40 "$work/$name.log" >&2
    echo "local-test.sh: the $name run failed; its log: $work/$name.log" >&2
    exit 1
  fi
  echo "$name run: $((SECONDS - start)) s (log: $work/$name.log)"
}

# What the fixture's run made, for the modes that follow it.
feature_on() { grep -qx "$1" "$work/features" 2>/dev/null; }

case $mode in
run)
  rm -rf "$work"
  mkdir -p "$work"
  start=$SECONDS
  bash "$cohort/demo-cohort.sh" "$applications" "$work/data"
  write_config "$work/config-tsv.yaml" "participants: $work/data/participants.tsv"
  write_config "$work/config-bids.yaml" "bids:" "  directory: $work/data/bids"
  run_workflow local "$work/config-tsv.yaml" --cores 2
  # What auto switched on: the workflow says so in one line when it is off.
  : >"$work/features"
  grep -q "VoxelKL cohort: no group maps" "$work/local.log" || echo group >>"$work/features"
  grep -q "VoxelKL cohort: no cohort tables" "$work/local.log" || echo tables >>"$work/features"
  grep "VoxelKL cohort:" "$work/local.log" || true
  layout=()
  feature_on group && layout+=(--group)
  feature_on tables && layout+=(--tables)
  check layout --results "$work/local/results" --participants "$work/data/participants.tsv" "${layout[@]}"
  check subjects --results "$work/local/results" --participants "$work/data/participants.tsv" \
    --divergence "$divergence" --scratch "$work/direct"
  echo "local test: $((SECONDS - start)) s"
  ;;
bids)
  run_workflow bids "$work/config-bids.yaml" --cores 2
  # The BIDS folder holds the very files the TSV lists: the same maps, summaries and tables;
  # only dataset_description.json differs (SourceDatasets names the BIDS folder).
  for model in "$work"/local/results/voxelkl-*/; do
    model=$(basename "$model")
    grep -q '"SourceDatasets"' "$work/bids/results/$model/dataset_description.json" ||
      { echo "bids: $model/dataset_description.json names no SourceDatasets" >&2 && exit 1; }
    cp "$work/local/results/$model/dataset_description.json" "$work/bids/results/$model/dataset_description.json"
  done
  check same "$work/local/results" "$work/bids/results"
  ;;
group | tables)
  if ! feature_on "$mode"; then
    what=$([[ $mode == group ]] && echo "group maps" || echo "cohort tables")
    echo "skipped: the workflow made no $what:" \
      "$(grep -m1 "VoxelKL cohort: no $what" "$work/local.log" || echo "see $work/local.log")"
    exit 77
  fi
  if [[ $mode == group ]]; then
    check group --results "$work/local/results" --participants "$work/data/participants.tsv" \
      --divergence "$divergence" --scratch "$work/direct-group"
  else
    check tables --results "$work/local/results" --participants "$work/data/participants.tsv"
  fi
  ;;
errors)
  # Each case: a config, and the one line the workflow must stop with.
  errors=$work/errors
  rm -rf "$errors"
  mkdir -p "$errors"
  tsv=$work/data/participants.tsv
  failures=0
  expect_error() { # NAME EXPECTED_LINE CONFIG_LINES... (EXPECTED_LINE ending in ...: a prefix)
    local name=$1 expected=$2
    shift 2
    write_config "$errors/$name.yaml" "$@"
    local match=(-qxF -- "$expected")
    [[ $expected == *... ]] && match=(-q -- "^${expected%...}")
    if (cd "$errors" && snakemake -s "$cohort/Snakefile" --configfile "$errors/$name.yaml" --cores 1 -n \
      >"$errors/$name.log" 2>&1); then
      echo "errors: $name: the workflow accepted it" >&2
      failures=$((failures + 1))
    elif ! grep "${match[@]}" "$errors/$name.log"; then
      echo "errors: $name: no line '$expected' in $errors/$name.log:" >&2
      sed 's/^/    /' "$errors/$name.log" >&2
      failures=$((failures + 1))
    else
      echo "errors: $name: $expected"
    fi
  }
  expect_error missing-table "$errors/none.tsv: participants table not found" \
    "participants: $errors/none.tsv"
  sed '1s/labelNames/lables/' "$tsv" >"$work/data/unknown-column.tsv"
  expect_error unknown-column \
    "$work/data/unknown-column.tsv: line 1: unknown column 'lables' (columns: subject, model, reference, generated, mask, atlas, labelNames, task; tab-separated)" \
    "participants: $work/data/unknown-column.tsv"
  cut -f1-4,6- "$tsv" >"$work/data/no-mask.tsv"
  expect_error missing-column "$work/data/no-mask.tsv: line 1: missing column 'mask'" \
    "participants: $work/data/no-mask.tsv"
  sed '3s/run-2_desc-reference/run-7_desc-reference/' "$tsv" >"$work/data/missing-run.tsv"
  expect_error missing-run \
    "$work/data/missing-run.tsv: line 3: reference file '$work/data/bids/sub-01/func/sub-01_task-rest_run-7_desc-reference_bold.nii.gz' not found" \
    "participants: $work/data/missing-run.tsv"
  { cat "$tsv" && sed -n 2p "$tsv"; } >"$work/data/twice.tsv"
  expect_error duplicate-row \
    "$work/data/twice.tsv: sub-01 model demo task rest twice (twice.tsv line 2 and twice.tsv line 8)" \
    "participants: $work/data/twice.tsv"
  expect_error missing-bids "$errors/nowhere: BIDS folder not found" "bids:" "  directory: $errors/nowhere"
  expect_error both-inputs "config: give the cohort as 'participants' (a TSV) or as 'bids' (a folder), not both" \
    "participants: $tsv" "bids:" "  directory: $work/data/bids"
  expect_error no-executables "VoxelKLDivergence not found in $errors: set 'executables' to a build's Applications folder or an install's bin" \
    "participants: $tsv" "executables: $errors"
  # Asked for what cannot be made: an error, not a silent "auto".
  if ! feature_on group; then
    expect_error group-required "group: true in the config, but ..." "participants: $tsv" "group: true"
  fi
  if ! feature_on tables; then
    expect_error tables-required "cohort_tables: true in the config, but VoxelKLCohort not found in $applications" \
      "participants: $tsv" "cohort_tables: true"
  fi
  if ((failures)); then
    echo "errors: $failures cases failed" >&2
    exit 1
  fi
  ;;
*)
  echo "local-test.sh: unknown mode $mode" >&2
  exit 2
  ;;
esac
