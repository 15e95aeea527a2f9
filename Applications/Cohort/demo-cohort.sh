#!/usr/bin/env bash
# A synthetic cohort for the workflow (Snakefile beside this script), in both input forms:
#   bash Applications/Cohort/demo-cohort.sh EXECUTABLES_DIR OUT_DIR
# EXECUTABLES_DIR holds VoxelKLDemoPair (a build's Applications folder or an install's
# libexec/VoxelKL). Writes
#   OUT_DIR/bids/            a BIDS derivatives folder: per subject, task rest, RUNS runs of
#                            desc-reference (real), desc-demo and desc-reseeded (two models),
#                            a desc-brain mask, and a dseg atlas (the demo's distortion
#                            regions) for every subject but the last; dseg.tsv names them
#   OUT_DIR/participants.tsv the same cohort as a participants table (paths relative to it)
# Environment: SUBJECTS (default 3), RUNS (2), SIZE (12,14,10), TIME_POINTS (40; subject i
# gets TIME_POINTS + 4 (i - 2) volumes per run, so the series differ in length).
# Subject i, run r is VoxelKLDemoPair with seed 100 i + r; model reseeded takes the
# generated series of seed 100 i + r + 50 (another noise realisation on the same grid).
# Every subject shares the grid, as group maps need.
set -euo pipefail

if (($# != 2)); then
  echo "usage: bash demo-cohort.sh EXECUTABLES_DIR OUT_DIR" >&2
  exit 2
fi
executables=$1
out=$2
subjects=${SUBJECTS:-3}
runs=${RUNS:-2}
size=${SIZE:-12,14,10}
time_points=${TIME_POINTS:-40}

demo_pair=""
for candidate in "$executables/VoxelKLDemoPair/VoxelKLDemoPair" "$executables/VoxelKLDemoPair"; do
  [[ -x "$candidate" && ! -d "$candidate" ]] && demo_pair=$candidate && break
done
if [[ -z "$demo_pair" ]]; then
  echo "demo-cohort.sh: VoxelKLDemoPair not found in $executables" >&2
  exit 1
fi

bids=$out/bids
scratch=$out/.pairs
rm -rf "$bids" "$scratch" "$out/participants.tsv"
mkdir -p "$bids" "$scratch"
cat >"$bids/dataset_description.json" <<'EOF'
{
  "Name": "VoxelKL demo cohort (VoxelKLDemoPair)",
  "BIDSVersion": "1.8.0",
  "DatasetType": "derivative",
  "GeneratedBy": [{"Name": "VoxelKLDemoPair"}]
}
EOF
# BIDS names an atlas's labels in a dseg.tsv (index, name); VoxelKLDivergence skips its header.
printf 'index\tname\n1\tfaithful\n2\tflattened\n3\tmeanShifted\n4\theavyTailed\n' >"$bids/dseg.tsv"
printf 'subject\tmodel\treference\tgenerated\tmask\tatlas\tlabelNames\n' >"$out/participants.tsv"

for ((i = 1; i <= subjects; ++i)); do
  subject=$(printf '%02d' "$i")
  func=$bids/sub-$subject/func
  mkdir -p "$func"
  t=$((time_points + 4 * (i - 2)))
  ((t < 8)) && t=8
  reference=() demo=() reseeded=()
  for ((r = 1; r <= runs; ++r)); do
    for seed in $((100 * i + r)) $((100 * i + r + 50)); do
      "$demo_pair" --outputDirectory "$scratch/$seed" --size "$size" --timePoints "$t" --seed "$seed" \
        --compress >/dev/null
    done
    stem=sub-${subject}_task-rest_run-$r
    mv "$scratch/$((100 * i + r))/reference.nii.gz" "$func/${stem}_desc-reference_bold.nii.gz"
    mv "$scratch/$((100 * i + r))/generated.nii.gz" "$func/${stem}_desc-demo_bold.nii.gz"
    mv "$scratch/$((100 * i + r + 50))/generated.nii.gz" "$func/${stem}_desc-reseeded_bold.nii.gz"
    reference+=("bids/sub-$subject/func/${stem}_desc-reference_bold.nii.gz")
    demo+=("bids/sub-$subject/func/${stem}_desc-demo_bold.nii.gz")
    reseeded+=("bids/sub-$subject/func/${stem}_desc-reseeded_bold.nii.gz")
  done
  mv "$scratch/$((100 * i + 1))/mask.nii.gz" "$func/sub-${subject}_task-rest_desc-brain_mask.nii.gz"
  atlas="" label_names=""
  if ((i < subjects)); then # the last subject has no atlas: the workflow's other rule
    mv "$scratch/$((100 * i + 1))/distortions.nii.gz" "$func/sub-${subject}_task-rest_dseg.nii.gz"
    atlas=bids/sub-$subject/func/sub-${subject}_task-rest_dseg.nii.gz
    label_names=bids/dseg.tsv
  fi
  mask=bids/sub-$subject/func/sub-${subject}_task-rest_desc-brain_mask.nii.gz
  join() { local IFS=';'; echo "$*"; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$subject" demo "$(join "${reference[@]}")" "$(join "${demo[@]}")" \
    "$mask" "$atlas" "$label_names" >>"$out/participants.tsv"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$subject" reseeded "$(join "${reference[@]}")" \
    "$(join "${reseeded[@]}")" "$mask" "$atlas" "$label_names" >>"$out/participants.tsv"
done
rm -rf "$scratch"
echo "demo cohort: $subjects subjects x $runs runs x 2 models ($size voxels) in $bids and $out/participants.tsv"
