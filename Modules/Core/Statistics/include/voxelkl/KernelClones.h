// Compiles the vectorised accumulator kernels once per instruction set (GNU ifunc), chosen
// at load time. Vector width changes how many voxels an instruction updates, never the
// operations one voxel goes through, and -ffp-contract=off keeps FMA out: the same bits on
// every machine.
#ifndef voxelkl_KernelClones_h
#define voxelkl_KernelClones_h

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define VOXELKL_KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
// Inlined into each clone, so that its loops are compiled for that clone's instruction set.
#define VOXELKL_INLINE_INTO_CLONES __attribute__((always_inline)) inline
#else
#define VOXELKL_KERNEL_CLONES
#define VOXELKL_INLINE_INTO_CLONES inline
#endif

#endif
