#include "NearestNeighbourKernels.h"

#include "KernelClones.h"

#include <algorithm>

// Every sample's K nearest candidates on each side are read at fixed offsets (within the
// series: i - j and i + j; across: insertion - j and insertion + j - 1), so that the loops
// over samples have no data-dependent branch and vectorise; the K-th distance is then
// min over j of max(j-th below, (K - j)-th above). The arithmetic per sample is the same
// as the scalar path's, so the results do not depend on which path or vector width ran.

namespace voxelkl::detail
{
namespace
{

// The K-th smallest of two ascending lists of K distances: j from below and K - j from
// above for the best j.
template <unsigned int K>
VOXELKL_INLINE_INTO_CLONES double
KthOfBothSides(const double * below, const double * above)
{
  double distance = std::min(below[K - 1], above[K - 1]);
  for (unsigned int j = 1; j < K; ++j)
  {
    distance = std::min(distance, std::max(below[j - 1], above[K - j - 1]));
  }
  return distance;
}

template <unsigned int K>
VOXELKL_INLINE_INTO_CLONES void
WithinKernel(const double *       values,
             const std::int32_t * times,
             std::size_t          n,
             std::int32_t         window,
             double *             rho,
             unsigned char *      fallback)
{
  std::fill(fallback, fallback + std::min<std::size_t>(K, n), 1);
  if (n < 2 * K + 1)
  {
    std::fill(fallback, fallback + n, 1);
    return;
  }
  std::fill(fallback + (n - K), fallback + n, 1);
  for (std::size_t i = K; i < n - K; ++i)
  {
    const double       v = values[i];
    const std::int32_t t = times[i];
    double             below[K];
    double             above[K];
    int                excluded = 0;
    for (unsigned int j = 0; j < K; ++j)
    {
      below[j] = v - values[i - 1 - j];
      above[j] = values[i + 1 + j] - v;
      const std::int32_t dBelow = times[i - 1 - j] - t;
      const std::int32_t dAbove = times[i + 1 + j] - t;
      excluded |= (dBelow <= window) & (dBelow >= -window);
      excluded |= (dAbove <= window) & (dAbove >= -window);
    }
    rho[i] = KthOfBothSides<K>(below, above);
    fallback[i] = static_cast<unsigned char>(excluded);
  }
}

template <unsigned int K>
VOXELKL_INLINE_INTO_CLONES void
AcrossKernel(const double *        pValues,
             const std::int32_t *  pTimes,
             std::size_t           n,
             const std::uint32_t * insertion,
             const double *        qValues,
             const std::int32_t *  qTimes,
             std::size_t           m,
             bool                  exclude,
             std::int32_t          window,
             double *              nu,
             unsigned char *       fallback)
{
  // Without a window no candidate is ever left out: a window of -1 excludes nothing.
  const std::int32_t w = exclude ? window : -1;
  for (std::size_t i = 0; i < n; ++i)
  {
    // Samples too near either end of q take the scalar path; read from a safe place
    // (m >= 2K: checked by the caller).
    const std::size_t  r = insertion[i];
    const bool         interior = r >= K && r + K <= m;
    const std::size_t  at = std::clamp<std::size_t>(r, K, m - K);
    const double       v = pValues[i];
    const std::int32_t t = pTimes[i];
    double             below[K];
    double             above[K];
    int                excluded = 0;
    for (unsigned int j = 0; j < K; ++j)
    {
      below[j] = v - qValues[at - 1 - j];
      above[j] = qValues[at + j] - v;
      const std::int32_t dBelow = qTimes[at - 1 - j] - t;
      const std::int32_t dAbove = qTimes[at + j] - t;
      excluded |= (dBelow <= w) & (dBelow >= -w);
      excluded |= (dAbove <= w) & (dAbove >= -w);
    }
    nu[i] = KthOfBothSides<K>(below, above);
    fallback[i] = static_cast<unsigned char>(excluded | (interior ? 0 : 1));
  }
}

#define VOXELKL_NEIGHBOUR_KERNELS(K)                                                                                   \
  VOXELKL_KERNEL_CLONES void Within##K(                                                                                \
    const double * v, const std::int32_t * t, std::size_t n, std::int32_t w, double * out, unsigned char * fallback)   \
  {                                                                                                                    \
    WithinKernel<K>(v, t, n, w, out, fallback);                                                                        \
  }                                                                                                                    \
  VOXELKL_KERNEL_CLONES void Across##K(const double *        pv,                                                       \
                                       const std::int32_t *  pt,                                                       \
                                       std::size_t           n,                                                        \
                                       const std::uint32_t * r,                                                        \
                                       const double *        qv,                                                       \
                                       const std::int32_t *  qt,                                                       \
                                       std::size_t           m,                                                        \
                                       bool                  exclude,                                                  \
                                       std::int32_t          w,                                                        \
                                       double *              out,                                                      \
                                       unsigned char *       fallback)                                                 \
  {                                                                                                                    \
    AcrossKernel<K>(pv, pt, n, r, qv, qt, m, exclude, w, out, fallback);                                               \
  }

VOXELKL_NEIGHBOUR_KERNELS(1)
VOXELKL_NEIGHBOUR_KERNELS(3)
VOXELKL_NEIGHBOUR_KERNELS(5)
VOXELKL_NEIGHBOUR_KERNELS(10)

#undef VOXELKL_NEIGHBOUR_KERNELS

} // namespace

bool
HasNeighbourKernels(unsigned int k)
{
  return k == 1 || k == 3 || k == 5 || k == 10;
}

void
KthNeighbourWithin(unsigned int         k,
                   const double *       values,
                   const std::int32_t * times,
                   std::size_t          n,
                   std::int32_t         window,
                   double *             rho,
                   unsigned char *      fallback)
{
  switch (k)
  {
    case 1:
      return Within1(values, times, n, window, rho, fallback);
    case 3:
      return Within3(values, times, n, window, rho, fallback);
    case 5:
      return Within5(values, times, n, window, rho, fallback);
    case 10:
      return Within10(values, times, n, window, rho, fallback);
    default:
      std::fill(fallback, fallback + n, 1);
  }
}

void
KthNeighbourAcross(unsigned int          k,
                   const double *        pValues,
                   const std::int32_t *  pTimes,
                   std::size_t           n,
                   const std::uint32_t * insertion,
                   const double *        qValues,
                   const std::int32_t *  qTimes,
                   std::size_t           m,
                   bool                  exclude,
                   std::int32_t          window,
                   double *              nu,
                   unsigned char *       fallback)
{
  if (m < 2 * static_cast<std::size_t>(k))
  {
    std::fill(fallback, fallback + n, 1); // too short for the fixed offsets
    return;
  }
  switch (k)
  {
    case 1:
      return Across1(pValues, pTimes, n, insertion, qValues, qTimes, m, exclude, window, nu, fallback);
    case 3:
      return Across3(pValues, pTimes, n, insertion, qValues, qTimes, m, exclude, window, nu, fallback);
    case 5:
      return Across5(pValues, pTimes, n, insertion, qValues, qTimes, m, exclude, window, nu, fallback);
    case 10:
      return Across10(pValues, pTimes, n, insertion, qValues, qTimes, m, exclude, window, nu, fallback);
    default:
      std::fill(fallback, fallback + n, 1);
  }
}

} // namespace voxelkl::detail
