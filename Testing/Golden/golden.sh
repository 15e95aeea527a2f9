#!/usr/bin/env bash
# The golden set: every executable over every input kind, one checksum per output.
#   bash Testing/Golden/golden.sh BUILD_DIR WORK_DIR > manifest.txt
# Run it before a refactor and after it, then `diff` the two manifests: every line that
# differs is an output whose bits changed. Maps are written as uncompressed .nii (their
# bytes are their voxels and header); JSON summaries are compared after dropping what
# describes the run rather than the result (read mode, tiles, threads, version, paths).
# Exit codes are part of the manifest, so a refusal that becomes a result (or the other
# way round) shows too.
set -uo pipefail
build=$(cd "$1" && pwd)
work=$2
rm -rf "$work" && mkdir -p "$work/in" "$work/out"
in=$work/in
out=$work/out
bin=$build/Applications
kl=$bin/VoxelKLDivergence/VoxelKLDivergence
moments=$bin/VoxelMoments/VoxelMoments
spatial=$bin/SpatialKLDivergence/SpatialKLDivergence
regions=$bin/RegionStatistics/RegionStatistics
connectivity=$bin/ConnectivityAgreement/ConnectivityAgreement

"$build/Testing/Golden/VoxelKLGoldenInputs" "$in" || exit 1
"$bin/VoxelKLDemoPair/VoxelKLDemoPair" --outputDirectory "$in/demo" --size 20,24,18 --timePoints 60 --compress >/dev/null || exit 1
"$bin/VoxelKLDemoPair/VoxelKLDemoPair" --outputDirectory "$in/demo16" --size 20,24,18 --timePoints 60 --type int16 \
  --seed 3 >/dev/null || exit 1
printf '1\tfaithful\n2\tflattened\n3\tmean-shifted\n4\theavy-tailed\n' >"$in/demo/names.txt"

# Drops the fields that describe how a run went, not what it found.
normalise() {
  python3 - "$1" <<'PY'
import json, sys
drop = {"readMode", "tiles", "threads", "version", "execution", "elapsedSeconds"}
def clean(node):
    if isinstance(node, dict):
        return {k: clean(v) for k, v in node.items() if k not in drop}
    if isinstance(node, list):
        return [clean(v) for v in node]
    return node
print(json.dumps(clean(json.load(open(sys.argv[1]))), sort_keys=True))
PY
}

# run NAME COMMAND...: runs it in its own output folder, then prints NAME's exit code and a
# checksum of each file it wrote.
run() {
  local name=$1
  shift
  local dir=$out/$name
  mkdir -p "$dir"
  (cd "$dir" && "$@" >stdout.txt 2>stderr.txt)
  echo "$name exit $?"
  for file in $(cd "$dir" && ls | sort); do
    case $file in
      stdout.txt | stderr.txt) ;;
      *.json) echo "$name/$file $(normalise "$dir/$file" | sha256sum | cut -c1-16)" ;;
      *) echo "$name/$file $(sha256sum <"$dir/$file" | cut -c1-16)" ;;
    esac
  done
}

declare -A reference generated
for kind in nii nii.gz mha nrrd; do
  reference[$kind]="--reference $in/reference.$kind"
  generated[$kind]="--generated $in/generated.$kind"
done
reference[f64]="--reference $in/reference_f64.nii"
generated[f64]="--generated $in/generated_f64.nii"
for layout in sequence multivolume; do
  reference[$layout]="--reference $in/reference_$layout.nrrd"
  generated[$layout]="--generated $in/generated_$layout.nrrd"
done
reference[list]=$(for t in $(seq 0 39); do printf -- '--reference %s ' "$in/reference_volume_$t.nii"; done)
generated[list]=$(for t in $(seq 0 39); do printf -- '--generated %s ' "$in/generated_volume_$t.nii"; done)
fidelity="--mse mse.nii --correlation r.nii --meanDifference dmean.nii --varianceLogRatio dlogvar.nii"

for kind in nii nii.gz f64 mha nrrd list sequence multivolume; do
  # shellcheck disable=SC2086 # the option lists are meant to split
  {
    run "$kind-gaussian" "$kl" ${reference[$kind]} ${generated[$kind]} --mask "$in/mask.nii.gz" --output kl.nii \
      --summary kl.json $fidelity
    run "$kind-gaussian-reverse-tiles" "$kl" ${reference[$kind]} ${generated[$kind]} --direction reverse --output kl.nii \
      --meanDifference dmean.nii --threads 1 --tiles 3 --summary kl.json
    run "$kind-knn" "$kl" ${reference[$kind]} ${generated[$kind]} --mask "$in/mask.nii.gz" --estimator knn \
      --direction symmetric --output kl.nii --summary kl.json --labels "$in/labels.nii.gz" --regionTable regions.tsv
    run "$kind-knn-paired" "$kl" ${reference[$kind]} ${generated[$kind]} --estimator knn --output kl.nii \
      --varianceLogRatio dlogvar.nii --mse mse.nii --threads 1
    run "$kind-histogram" "$kl" ${reference[$kind]} ${generated[$kind]} --estimator histogram --output kl.nii \
      --summary kl.json
    run "$kind-moments" "$moments" ${reference[$kind]//--reference/--input} --mask "$in/mask.nii.gz" --mean mean.nii \
      --variance var.nii --std std.nii --skewness skew.nii --kurtosis kurt.nii --count count.nii
    run "$kind-spatial" "$spatial" ${reference[$kind]} ${generated[$kind]} --mask "$in/mask.nii.gz" \
      --standardize volume --table volumes.tsv --summary spatial.json
    run "$kind-connectivity" "$connectivity" ${reference[$kind]} ${generated[$kind]} --mask "$in/mask.nii.gz" \
      --labels "$in/labels.nii.gz" --referenceMatrix fc_reference.tsv --generatedMatrix fc_generated.tsv \
      --timeSeries fc_series.tsv --profileCorrelation profile.nii --summary fc.json
  }
done
# Mixed kinds.
# shellcheck disable=SC2086
run mixed-list-niigz "$kl" ${reference[list]} ${generated[nii.gz]} --output kl.nii $fidelity --summary kl.json
# shellcheck disable=SC2086
run mixed-sequence-mha "$kl" ${reference[sequence]} ${generated[mha]} --output kl.nii --summary kl.json
# shellcheck disable=SC2086
run mixed-nii-mha-knn "$kl" ${reference[nii]} ${generated[mha]} --estimator knn --output kl.nii

# The demo pair: real-sized regions, labels and names, float32 .nii.gz and int16 .nii.
for demo in demo demo16; do
  ext=nii.gz
  [[ $demo == demo16 ]] && ext=nii
  for estimator in gaussian knn histogram; do
    run "$demo-$estimator" "$kl" --reference "$in/$demo/reference.$ext" --generated "$in/$demo/generated.$ext" \
      --mask "$in/$demo/mask.nii.gz" --estimator $estimator --output kl.nii --summary kl.json $fidelity \
      --labels "$in/$demo/distortions.nii.gz" --labelNames "$in/demo/names.txt" --regionTable regions.tsv
  done
  run "$demo-moments" "$moments" --input "$in/$demo/reference.$ext" --mean mean.nii --variance var.nii --skewness skew.nii
  run "$demo-spatial" "$spatial" --reference "$in/$demo/reference.$ext" --generated "$in/$demo/generated.$ext" \
    --mask "$in/$demo/mask.nii.gz" --standardize voxel --lambda 0.1 --table volumes.tsv --summary spatial.json
  run "$demo-connectivity" "$connectivity" --reference "$in/$demo/reference.$ext" \
    --generated "$in/$demo/generated.$ext" --mask "$in/$demo/mask.nii.gz" --labels "$in/$demo/distortions.nii.gz" \
    --labelNames "$in/demo/names.txt" --direction symmetric --referenceMatrix fc_reference.tsv \
    --generatedMatrix fc_generated.tsv --timeSeries fc_series.tsv --profileCorrelation profile.nii --summary fc.json
done
run demo-regions "$regions" --input "$out/demo-gaussian/kl.nii" --labels "$in/demo/distortions.nii.gz" \
  --labelNames "$in/demo/names.txt" --mask "$in/demo/mask.nii.gz" --table regions.tsv --summary regions.json
