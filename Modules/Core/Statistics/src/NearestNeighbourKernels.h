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

/** For each sample i of the sorted, padded series p, the distance to its k-th nearest other
 * sample, when no sample within the window (|t_j - t_i| <= window) is among the k nearest;
 * fallback[i] = 1 where one may be, and rho[i] is then left to the caller. k is 1, 3, 5
 * or 10; for any other k every sample is left to the caller. */
void
KthNeighbourWithin(unsigned int k, SortedSeries p, std::int32_t window, double * rho, unsigned char * fallback);

/** The same for the distance from each p sample to its k-th nearest q sample; insertion[i]
 * is the first q sample >= p[i]. The window applies when exclude is true. */
void
KthNeighbourAcross(unsigned int          k,
                   SortedSeries          p,
                   const std::uint32_t * insertion,
                   SortedSeries          q,
                   bool                  exclude,
                   std::int32_t          window,
                   double *              nu,
                   unsigned char *       fallback);

/** KthNeighbourWithin and KthNeighbourAcross at once: the same distances and flags, in one
 * loop over the samples where the AVX-512 kernels run. */
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
