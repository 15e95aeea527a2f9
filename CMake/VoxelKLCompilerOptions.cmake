# Warnings and floating-point rules shared by every VoxelKL target.
option(VOXELKL_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)

find_program(VOXELKL_CCACHE ccache)
if(VOXELKL_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${VOXELKL_CCACHE})
endif()

# Usage: voxelkl_target_options(<target>) for our own compiled targets.
function(voxelkl_target_options target)
  target_compile_options(${target} PRIVATE -Wall -Wextra
    # Same bits on every machine: no fused multiply-add contraction, which would make the
    # result depend on whether a loop was vectorised or built with -march=native.
    -ffp-contract=off
    # We never enable floating-point traps; saying so lets GCC vectorise the branch-free
    # accumulator loops (it will not speculate arithmetic that "could trap"). Rounding is
    # unchanged.
    -fno-trapping-math)
  if(VOXELKL_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
