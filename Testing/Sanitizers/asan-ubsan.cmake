# Initial cache of a build with AddressSanitizer and UndefinedBehaviorSanitizer (clang):
#   cmake -C Testing/Sanitizers/asan-ubsan.cmake -S . -B build-sanitize -G Ninja
#   cmake --build build-sanitize -j2
#   source Testing/Sanitizers/environment.sh && cd build-sanitize && ctest -j2
# The runtime options (and the suppression files) are in Testing/Sanitizers/environment.sh;
# source it before building too: the build runs the test executables (test discovery, the
# Slicer XML of every executable), and a leak report there would fail the build.
set(CMAKE_C_COMPILER clang CACHE STRING "" FORCE)
set(CMAKE_CXX_COMPILER clang++ CACHE STRING "" FORCE)
# -O2 like the release build (the tests' running time), -g for the reports' stacks.
set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "" FORCE)
set(VOXELKL_SANITIZE_FLAGS "-fsanitize=address,undefined -fno-omit-frame-pointer -fno-optimize-sibling-calls")
set(CMAKE_C_FLAGS "${VOXELKL_SANITIZE_FLAGS}" CACHE STRING "" FORCE)
# Debian's ITK headers accept only GCC: itk-clang.h says why and how it gets past that.
set(VOXELKL_CLANG_CXX_FLAGS "${VOXELKL_SANITIZE_FLAGS} -include ${CMAKE_CURRENT_LIST_DIR}/itk-clang.h")
set(CMAKE_CXX_FLAGS "${VOXELKL_CLANG_CXX_FLAGS}" CACHE STRING "" FORCE)
set(CMAKE_EXE_LINKER_FLAGS "-fsanitize=address,undefined" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS "-fsanitize=address,undefined" CACHE STRING "" FORCE)
set(CMAKE_MODULE_LINKER_FLAGS "-fsanitize=address,undefined" CACHE STRING "" FORCE)
set(VOXELKL_BUILD_TESTING ON CACHE BOOL "")
