#!/usr/bin/env bash
# The HTML report in a real browser (ctest Report.Browser). Writes a small demo pair, runs
# VoxelKLDivergence --report (every map, a region table with a hostile region name),
# VoxelKLReport from the files and SpatialKLDivergence --report, and loads each page in
# Debian's chromium, headless, through check-report.mjs (playwright-core over the DevTools
# protocol): no console error, no network request, every image decoded, the viewer's canvas
# not blank (WebGL on SwiftShader), a screenshot saved. Exit 77 (skipped, with the reason)
# when chromium, node or playwright-core is missing.
#   browser_test.sh --node NODE --modules NODE_MODULES --checker check-report.mjs --bin BUILD/Applications
#                   --work DIR --viewer required|absent
set -euo pipefail
node= modules= checker= bin= work= viewer=required
while (($#)); do
  case "$1" in
    --node) node=$2 ;;
    --modules) modules=$2 ;;
    --checker) checker=$2 ;;
    --bin) bin=$2 ;;
    --work) work=$2 ;;
    --viewer) viewer=$2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x "$chromium" ]]; then
  echo "SKIPPED: Debian's chromium is not installed ($chromium); bash CMake/bootstrap.sh test installs it"
  exit 77
fi
if [[ -z "$node" || ! -x "$node" ]]; then
  echo "SKIPPED: node is not installed (the browser test drives chromium with playwright-core)"
  exit 77
fi
if [[ ! -d "$modules/playwright-core" ]]; then
  echo "SKIPPED: playwright-core is not installed in $modules (npm ci at build time needs npm)"
  exit 77
fi

rm -rf "$work"
mkdir -p "$work"
cd "$work"
ln -s "$modules" node_modules
cp "$checker" check-report.mjs

echo "== A demo pair and its maps"
"$bin/VoxelKLDemoPair/VoxelKLDemoPair" --outputDirectory "$work" --size 40,48,36 --timePoints 60 --compress >/dev/null
printf '1\tfaithful\n2\t<script>alert("region")</script>\n3\tmean-shifted\n4\theavy-tailed\n' >names.txt
"$bin/VoxelKLDivergence/VoxelKLDivergence" --reference reference.nii.gz --generated generated.nii.gz \
  --mask mask.nii.gz --output kl.nii.gz --summary kl.json --mse mse.nii.gz --correlation correlation.nii.gz \
  --meanDifference mean_difference.nii.gz --varianceLogRatio variance_log_ratio.nii.gz \
  --labels distortions.nii.gz --labelNames names.txt --regionTable regions.tsv --report run.html >/dev/null
"$bin/VoxelKLDivergence/VoxelKLDivergence" --reference reference.nii.gz --generated generated.nii.gz \
  --mask mask.nii.gz --estimator knn --output kl_knn.nii.gz >/dev/null
"$bin/VoxelKLReport/VoxelKLReport" --reference reference.nii.gz --mask mask.nii.gz --kl kl.nii.gz \
  --knn kl_knn.nii.gz --varianceLogRatio variance_log_ratio.nii.gz --summary kl.json --regionTable regions.tsv \
  --output files.html
"$bin/SpatialKLDivergence/SpatialKLDivergence" --reference reference.nii.gz --generated generated.nii.gz \
  --mask mask.nii.gz --standardize volume --table spatial.tsv --report spatial.html >/dev/null

status=0
check() { # page, screenshot, viewer expectation
  echo "== $1 in chromium ($("$chromium" --version 2>/dev/null | head -n 1))"
  "$node" check-report.mjs "$1" "$2" --viewer "$3" || status=1
}
check run.html run.png "$viewer"
check files.html files.png "$viewer"
check spatial.html spatial.png absent
ls -l "$work"/*.html "$work"/*.png | awk '{ print "   " $5 " bytes  " $9 }'
exit $status
