# Initial cache of a build with AddressSanitizer and UndefinedBehaviorSanitizer (clang):
#   cmake -C Testing/Sanitizers/asan-ubsan.cmake -S . -B build-sanitize -G Ninja
#   cmake --build build-sanitize -j2
#   source Testing/Sanitizers/environment.sh && cd build-sanitize && ctest -j2
# The runtime options (and the suppression files) are in Testing/Sanitizers/environment.sh;
# source it before building too: the build runs the test executables (test discovery, the
# Slicer XML of every executable), and a leak report there would fail the build.
set(CMAKE_C_COMPILER clang CACHE STRING "")
set(CMAKE_CXX_COMPILER clang++ CACHE STRING "")
# -O2 like the release build (the tests' running time), -g for the reports' stacks.
set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "")
set(VOXELKL_SANITIZE_FLAGS "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-optimize-sibling-calls")
set(CMAKE_C_FLAGS "${VOXELKL_SANITIZE_FLAGS}" CACHE STRING "")
set(CMAKE_CXX_FLAGS "${VOXELKL_SANITIZE_FLAGS}" CACHE STRING "")
set(CMAKE_EXE_LINKER_FLAGS "-fsanitize=address,undefined" CACHE STRING "")
set(CMAKE_SHARED_LINKER_FLAGS "-fsanitize=address,undefined" CACHE STRING "")
set(CMAKE_MODULE_LINKER_FLAGS "-fsanitize=address,undefined" CACHE STRING "")
set(VOXELKL_BUILD_TESTING ON CACHE BOOL "")
