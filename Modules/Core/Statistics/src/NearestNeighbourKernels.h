// The k-th neighbour distances of the k-NN KL estimator for all samples of a sorted series
// at once (internal): AVX-512 or AVX2 kernels where the CPU has them, else loops the
// compiler vectorises across samples; the set is chosen at run time
// (detail::UseNeighbourKernels in voxelkl/NonparametricKL.h).
#ifndef voxelkl_NearestNeighbourKernels_h
#define voxelkl_NearestNeighbourKernels_h

#include "voxelkl/SortedPair.h"

#include <cstddef>
#include <cstdint>

namespace voxelkl::detail
{

using voxelkl::SortedSeries;

/** The two neighbour distances of the k-NN estimator for every sample i of the sorted,
 * padded series p:
 * - rho[i]: to its k-th nearest other p sample, leaving out those within the window
 *   (|t_j - t_i| <= window);
 * - nu[i]: to its k-th nearest q sample (insertion[i]: the first q sample >= p[i]),
 *   leaving out the window when exclude is true;
 * each computed where no left-out sample may be among the k nearest; elsewhere the
 * fallback flag is 1 and the distance is left to the caller. k is 1, 3, 5 or 10; for any
 * other k every sample is left to the caller. Where the AVX-512 kernels run, both come
 * from one loop over the samples. */
void
KthNeighbourBoth(unsigned int          k,
                 SortedSeries          p,
                 const std::uint32_t * insertion,
                 SortedSeries          q,
                 bool                  exclude,
                 std::int32_t          window,
                 double *              rho,
                 unsigned char *       rhoFallback,
                 double *              nu,
                 unsigned char *       nuFallback);

/** Whether the AVX-512 set is the chosen one (detail::UseNeighbourKernels): SortedPair's
 * AVX-512 split follows the same choice, so that tests and VOXELKL_PORTABLE_KERNELS=1 run
 * the portable code throughout. */
bool
Avx512KernelsChosen();

} // namespace voxelkl::detail

#endif
