# Initial cache of the libFuzzer build (clang): the ASan/UBSan flags of
# Testing/Sanitizers/asan-ubsan.cmake, every VoxelKL source instrumented for coverage
# (-fsanitize=fuzzer-no-link; the targets link libFuzzer's main with -fsanitize=fuzzer).
#   source Testing/Sanitizers/environment.sh
#   cmake -C Testing/Fuzz/fuzz.cmake -S . -B build-fuzz -G Ninja
#   cmake --build build-fuzz -j2 --target VoxelKLFuzzers
#   bash Testing/Fuzz/run-fuzzers.sh build-fuzz 10
include(${CMAKE_CURRENT_LIST_DIR}/../Sanitizers/asan-ubsan.cmake)
set(CMAKE_C_FLAGS "${VOXELKL_SANITIZE_FLAGS} -fsanitize=fuzzer-no-link" CACHE STRING "" FORCE)
set(CMAKE_CXX_FLAGS "${VOXELKL_CLANG_CXX_FLAGS} -fsanitize=fuzzer-no-link" CACHE STRING "" FORCE)
set(VOXELKL_BUILD_FUZZERS ON CACHE BOOL "")
