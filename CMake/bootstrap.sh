#!/usr/bin/env bash
# From a fresh Debian 12 clone to a result, in one command:
#   bash CMake/bootstrap.sh demo   installs what is missing, builds, compares the built-in demo
#                                   pair (prints where the KL map and summary went) and ends
#                                   with the path of its HTML report
#   bash CMake/bootstrap.sh test   installs what is missing, builds, and runs every test; then
#                                   the same tests built with ASan and UBSan (clang), then
#                                   the fuzz gate: every fuzz target on a fixed number of
#                                   inputs from a fixed seed (the steps below)
#   bash CMake/bootstrap.sh sanitize   only the ASan/UBSan build and its tests
#   bash CMake/bootstrap.sh fuzz       only the libFuzzer build and a run of every target
# Environment: BUILD_DIR (default ./build), SANITIZE_BUILD_DIR (./build-sanitize),
# FUZZ_BUILD_DIR (./build-fuzz), FUZZ_SECONDS (default "gate"; a number of seconds per target
# explores from a random seed instead), JOBS (default: number of cores).
set -euo pipefail

mode=${1:-}
if [[ "$mode" != demo && "$mode" != test && "$mode" != sanitize && "$mode" != fuzz ]]; then
  echo "usage: bash CMake/bootstrap.sh demo|test|sanitize|fuzz" >&2
  exit 2
fi
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$source_dir/build}
jobs=${JOBS:-$(nproc)}
sanitize_build_dir=${SANITIZE_BUILD_DIR:-$source_dir/build-sanitize}
fuzz_build_dir=${FUZZ_BUILD_DIR:-$source_dir/build-fuzz}
fuzz_seconds=${FUZZ_SECONDS:-gate}

# Build and run dependencies, all Debian 12 packages. libpng-dev: the HTML report's images.
packages=(cmake ninja-build g++ ccache pkg-config libinsighttoolkit5-dev libtbb-dev
  libboost-program-options-dev nlohmann-json3-dev libfmt-dev zlib1g-dev libdeflate-dev
  libisal-dev libfftw3-dev libeigen3-dev libpng-dev)
# npm: installs the NiiVue viewer the HTML reports inline (npm ci from a lock file at build
# time). Debian's npm brings its nodejs; a node and npm installed otherwise are used as they are.
command -v npm >/dev/null || packages+=(npm)
if [[ "$mode" != demo ]]; then
  # libexpat1-dev: the Slicer XML checker; libxml2-utils: xmllint, a second opinion on it;
  # isal: igzip, the reference of Testing/Benchmarks/inflate_benchmark.sh.
  # clang, libclang-rt-14-dev: the ASan/UBSan runtimes and libFuzzer (libclang_rt.fuzzer) of
  # Debian 12's clang 14, for the sanitizer and fuzz steps. python3-numpy, python3-scipy:
  # the scipy.signal.welch oracle of the spectral tests (Testing/Spectral).
  # snakemake (7.21, with python3-jsonschema and python3-yaml), slurm-wlm, munge: the cohort
  # workflow's tests, locally and on a one-node Slurm the test starts itself (Testing/Cohort).
  # Their postinst scripts start no Slurm daemon (the init script and the systemd units want
  # /etc/slurm/slurm.conf, which nothing installs); munge's starts a munged on /run/munge
  # where an init system runs it, which the test does not use (it has its own key and socket).
  # chromium: the report's browser test loads the pages in it, headless (Report.Browser).
  packages+=(libgtest-dev python3 time libexpat1-dev libxml2-utils isal clang libclang-rt-14-dev
    python3-numpy python3-scipy snakemake slurm-wlm munge chromium)
fi

install_missing() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if ((${#missing[@]})); then
    local sudo=""
    [[ $(id -u) -ne 0 ]] && sudo=sudo
    echo "== Installing: ${missing[*]}"
    $sudo apt-get update -qq
    # (through env: sudo does not pass DEBIAN_FRONTEND on)
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

install_missing "${packages[@]}"

# The test suite built with clang's AddressSanitizer and UndefinedBehaviorSanitizer
# (Testing/Sanitizers): any report (memory error, leak, undefined behaviour) fails its test.
# The real test data are those of the release build's directory (fetched if missing).
sanitizer_tests() {
  echo "== ASan/UBSan: building the tests in $sanitize_build_dir"
  (
    source "$source_dir/Testing/Sanitizers/environment.sh"
    cmake -C "$source_dir/Testing/Sanitizers/asan-ubsan.cmake" -S "$source_dir" -B "$sanitize_build_dir" -G Ninja \
      -DVOXELKL_TEST_DATA_DIR="$build_dir/TestData" >/dev/null
    cmake --build "$sanitize_build_dir" -j "$jobs"
    bash "$source_dir/CMake/fetch-test-data.sh" "$build_dir/TestData"
    echo "== ASan/UBSan: running the tests"
    cd "$sanitize_build_dir"
    ctest --output-on-failure -j "$jobs"
  )
}

# The libFuzzer targets of every parser of user input (Testing/Fuzz): the gate, or FUZZ_SECONDS each.
fuzz_parsers() {
  echo "== Fuzzing: building the fuzz targets in $fuzz_build_dir"
  (
    source "$source_dir/Testing/Sanitizers/environment.sh"
    cmake -C "$source_dir/Testing/Fuzz/fuzz.cmake" -S "$source_dir" -B "$fuzz_build_dir" -G Ninja >/dev/null
    cmake --build "$fuzz_build_dir" -j "$jobs" --target VoxelKLFuzzers
  )
  echo "== Fuzzing every parser ($fuzz_seconds; crashing inputs: $fuzz_build_dir/Testing/Fuzz/artifacts)"
  bash "$source_dir/Testing/Fuzz/run-fuzzers.sh" "$fuzz_build_dir" "$fuzz_seconds"
}

if [[ "$mode" == sanitize ]]; then
  sanitizer_tests
  exit 0
fi
if [[ "$mode" == fuzz ]]; then
  fuzz_parsers
  exit 0
fi

echo "== Building in $build_dir"
testing=OFF
[[ "$mode" == test ]] && testing=ON
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DVOXELKL_BUILD_TESTING=$testing -DVOXELKL_WARNINGS_AS_ERRORS=ON >/dev/null
cmake --build "$build_dir" -j "$jobs"

if [[ "$mode" == demo ]]; then
  demo_dir=$build_dir/demo
  mkdir -p "$demo_dir"
  echo "== Writing the demo pair (reference vs generated with known distortions)"
  "$build_dir/Applications/VoxelKLDemoPair/VoxelKLDemoPair" --outputDirectory "$demo_dir" --compress
  printf '1\tfaithful\n2\tflattened\n3\tmean-shifted\n4\theavy-tailed\n' >"$demo_dir/distortions.txt"
  echo "== Comparing them"
  "$build_dir/Applications/VoxelKLDivergence/VoxelKLDivergence" \
    --reference "$demo_dir/reference.nii.gz" --generated "$demo_dir/generated.nii.gz" \
    --mask "$demo_dir/mask.nii.gz" --output "$demo_dir/kl.nii.gz" --summary "$demo_dir/kl.json" \
    --mse "$demo_dir/mse.nii.gz" --correlation "$demo_dir/correlation.nii.gz" \
    --meanDifference "$demo_dir/mean_difference.nii.gz" \
    --varianceLogRatio "$demo_dir/variance_log_ratio.nii.gz" \
    --labels "$demo_dir/distortions.nii.gz" --labelNames "$demo_dir/distortions.txt" \
    --regionTable "$demo_dir/regions.tsv"
  echo "== The same with the k-nearest-neighbour estimator, which also sees the shape"
  "$build_dir/Applications/VoxelKLDivergence/VoxelKLDivergence" \
    --reference "$demo_dir/reference.nii.gz" --generated "$demo_dir/generated.nii.gz" \
    --mask "$demo_dir/mask.nii.gz" --estimator knn --output "$demo_dir/kl_knn.nii.gz" \
    --summary "$demo_dir/kl_knn.json" --labels "$demo_dir/distortions.nii.gz" \
    --labelNames "$demo_dir/distortions.txt" --regionTable "$demo_dir/regions_knn.tsv"
  echo "== Median per distortion region (KL in nats; ln of the variance ratio)"
  paste "$demo_dir/regions.tsv" "$demo_dir/regions_knn.tsv" | awk -F'\t' '
    NR == 1 { for (i = 1; i <= NF; ++i) if (!($i in column)) column[$i] = i; else knn[$i] = i; next }
    { printf "   %-13s Gaussian KL %-9.3g k-NN KL %-9.3g log variance ratio %.3g\n", $2,
        $column["kl_median"], $knn["kl_median"], $column["varianceLogRatio_median"] }'
  echo "== Done. KL maps: $demo_dir/kl.nii.gz, $demo_dir/kl_knn.nii.gz  summaries: $demo_dir/kl.json," \
    "$demo_dir/kl_knn.json  regions: $demo_dir/regions.tsv, $demo_dir/regions_knn.tsv"
  echo "   (the heavy-tailed region has the real signal's mean and variance: the Gaussian KL cannot see it," \
    "the k-NN KL can)"
  echo "== The report: every map over the reference's mean, histograms, regions, a viewer (one HTML file)"
  "$build_dir/Applications/VoxelKLReport/VoxelKLReport" --reference "$demo_dir/reference.nii.gz" \
    --mask "$demo_dir/mask.nii.gz" --kl "$demo_dir/kl.nii.gz" --knn "$demo_dir/kl_knn.nii.gz" \
    --mse "$demo_dir/mse.nii.gz" --correlation "$demo_dir/correlation.nii.gz" \
    --meanDifference "$demo_dir/mean_difference.nii.gz" --varianceLogRatio "$demo_dir/variance_log_ratio.nii.gz" \
    --summary "$demo_dir/kl.json" --regionTable "$demo_dir/regions.tsv" --title "VoxelKL demo pair" \
    --output "$demo_dir/report.html" >/dev/null
  echo "== Report: $demo_dir/report.html (open it in a browser; it needs no network)"
  exit 0
fi

echo "== Fetching real test data from Debian packages"
bash "$source_dir/CMake/fetch-test-data.sh" "$build_dir/TestData"
echo "== Running the tests"
(cd "$build_dir" && ctest --output-on-failure -j "$jobs")
sanitizer_tests
fuzz_parsers
