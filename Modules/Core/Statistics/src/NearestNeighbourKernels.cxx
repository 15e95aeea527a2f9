#include "NearestNeighbourKernels.h"

#include "voxelkl/KernelClones.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// GCC 12 warns that _mm512_undefined_pd(), which the intrinsics use as the don't-care
// source of unmasked permutes and reductions, "may be used uninitialized" (GCC PR 105593,
// fixed in GCC 13): a false positive in the compiler's own header.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// Every sample's K nearest candidates on each side are read at fixed offsets (within the
// series: i - j and i + j; across: insertion - j and insertion + j - 1; the series'
// padding covers the ends), so that the loops over samples have no data-dependent branch
// and vectorise; the K-th distance is then
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

// A candidate left out by the window changes the K-th distance only if it is not farther
// than that distance (the K-th distance counted without the window): only then does the
// sample take the scalar path.
template <unsigned int K>
VOXELKL_INLINE_INTO_CLONES void
WithinKernel(SortedSeries p, std::int32_t window, double * rho, unsigned char * fallback)
{
  for (std::size_t i = 0; i < p.size; ++i)
  {
    const double       v = p.values[i];
    const std::int32_t t = p.times[i];
    double             below[K];
    double             above[K];
    bool               belowOut[K];
    bool               aboveOut[K];
    for (unsigned int j = 0; j < K; ++j)
    {
      // The padding (+-inf, far times) stands in for missing neighbours near the ends.
      below[j] = v - p.values[static_cast<std::ptrdiff_t>(i) - 1 - j];
      above[j] = p.values[i + 1 + j] - v;
      const std::int32_t dBelow = p.times[static_cast<std::ptrdiff_t>(i) - 1 - j] - t;
      const std::int32_t dAbove = p.times[i + 1 + j] - t;
      belowOut[j] = (dBelow <= window) & (dBelow >= -window);
      aboveOut[j] = (dAbove <= window) & (dAbove >= -window);
    }
    const double distance = KthOfBothSides<K>(below, above);
    int          matters = 0;
    for (unsigned int j = 0; j < K; ++j)
    {
      matters |= belowOut[j] & (below[j] <= distance);
      matters |= aboveOut[j] & (above[j] <= distance);
    }
    rho[i] = distance;
    fallback[i] = static_cast<unsigned char>(matters);
  }
}

template <unsigned int K>
VOXELKL_INLINE_INTO_CLONES void
AcrossKernel(SortedSeries          p,
             const std::uint32_t * insertion,
             SortedSeries          q,
             bool                  exclude,
             std::int32_t          window,
             double *              nu,
             unsigned char *       fallback)
{
  // Without a window no candidate is ever left out: a window of -1 excludes nothing.
  const std::int32_t w = exclude ? window : -1;
  for (std::size_t i = 0; i < p.size; ++i)
  {
    const auto         at = static_cast<std::ptrdiff_t>(insertion[i]);
    const double       v = p.values[i];
    const std::int32_t t = p.times[i];
    double             below[K];
    double             above[K];
    bool               belowOut[K];
    bool               aboveOut[K];
    for (unsigned int j = 0; j < K; ++j)
    {
      below[j] = v - q.values[at - 1 - j];
      above[j] = q.values[at + j] - v;
      const std::int32_t dBelow = q.times[at - 1 - j] - t;
      const std::int32_t dAbove = q.times[at + j] - t;
      belowOut[j] = (dBelow <= w) & (dBelow >= -w);
      aboveOut[j] = (dAbove <= w) & (dAbove >= -w);
    }
    const double distance = KthOfBothSides<K>(below, above);
    int          matters = 0;
    for (unsigned int j = 0; j < K; ++j)
    {
      matters |= belowOut[j] & (below[j] <= distance);
      matters |= aboveOut[j] & (above[j] <= distance);
    }
    nu[i] = distance;
    fallback[i] = static_cast<unsigned char>(matters);
  }
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VOXELKL_AVX512_KERNELS 1
// VOXELKL_PORTABLE_KERNELS=1 in the environment runs the kernels a CPU without AVX-512
// runs: the tests use it to check that both give the same bits.
bool
PortableKernelsRequested()
{
  const char * value = std::getenv("VOXELKL_PORTABLE_KERNELS");
  return value != nullptr && *value != '\0' && std::string(value) != "0";
}

// One sample per iteration, its eight nearest candidates on each side in the lanes of one
// register (within the series: p[i - 8..i - 1] and p[i + 1..i + 8]; across: q[r - 8..r - 1]
// and q[r..r + 7], r the insertion point; the padding covers the ends). Candidates in the
// window are squeezed out (compress), which leaves each side's kept distances in
// ascending order, and the K-th distance is KthOfBothSides' min over j of
// max(j-th below, (K - j)-th above) in lanes. Where the gathers of the kernels above
// cost a load per neighbour and every window candidate near a sample sends it to the
// scalar path, this reads four contiguous runs per sample and leaves to the scalar path
// only a side with fewer than K candidates kept among its eight. Exact operations only
// (subtraction, max, min): the same bits as the other kernels and the scalar path.
template <unsigned int K, bool Exclude, bool Across>
__attribute__((target("avx512f,avx512vl"))) void
NearestKernelAvx512(SortedSeries          p,
                    const std::uint32_t * insertion,
                    SortedSeries          q,
                    std::int32_t          window,
                    double *              distances,
                    unsigned char *       fallback)
{
  static_assert(K >= 1 && K <= 8, "eight candidates per side");
  const __m512d infinity = _mm512_set1_pd(std::numeric_limits<double>::infinity());
  const __m512i reverse = _mm512_set_epi64(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i reverseTimes = _mm256_set_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i span = _mm256_set1_epi32(2 * window);
  // Lanes j = 0..K of the terms: X[j] = below[j - 1] (0 for j = 0), Y[j] = above[K - j - 1]
  // (0 for j = K).
  const __m512i  belowIndex = _mm512_set_epi64(6, 5, 4, 3, 2, 1, 0, 0);
  constexpr auto above = [](unsigned int j) -> long long { return j < K ? K - 1 - j : 0; };
  const __m512i  aboveIndex =
    _mm512_set_epi64(above(7), above(6), above(5), above(4), above(3), above(2), above(1), above(0));
  constexpr __mmask8 terms = static_cast<__mmask8>((1u << (K + 1)) - 1u);
  constexpr __mmask8 aboveTerms = static_cast<__mmask8>((1u << K) - 1u);
  for (std::size_t i = 0; i < p.size; ++i)
  {
    const __m512d        v = _mm512_set1_pd(p.values[i]);
    const std::ptrdiff_t below =
      (Across ? static_cast<std::ptrdiff_t>(insertion[i]) : static_cast<std::ptrdiff_t>(i)) - 8;
    const std::ptrdiff_t upward =
      Across ? static_cast<std::ptrdiff_t>(insertion[i]) : static_cast<std::ptrdiff_t>(i) + 1;
    const SortedSeries & from = Across ? q : p;
    // Nearest first on both sides: below reversed.
    const __m512d belowDistances =
      _mm512_sub_pd(v, _mm512_permutexvar_pd(reverse, _mm512_loadu_pd(from.values + below)));
    const __m512d aboveDistances = _mm512_sub_pd(_mm512_loadu_pd(from.values + upward), v);
    __mmask8      keptBelow = 0xFF;
    __mmask8      keptAbove = 0xFF;
    if constexpr (Exclude)
    {
      // |t_j - t| <= w as (t_j - t + w) <= 2w unsigned; the padding's times are far away.
      const __m256i shift = _mm256_set1_epi32(window - p.times[i]);
      const __m256i belowTimes = _mm256_permutexvar_epi32(
        reverseTimes, _mm256_loadu_si256(reinterpret_cast<const __m256i *>(from.times + below)));
      const __m256i aboveTimes = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(from.times + upward));
      keptBelow = static_cast<__mmask8>(~_mm256_cmple_epu32_mask(_mm256_add_epi32(belowTimes, shift), span));
      keptAbove = static_cast<__mmask8>(~_mm256_cmple_epu32_mask(_mm256_add_epi32(aboveTimes, shift), span));
    }
    const __m512d nearBelow = _mm512_mask_compress_pd(infinity, keptBelow, belowDistances);
    const __m512d nearAbove = _mm512_mask_compress_pd(infinity, keptAbove, aboveDistances);
    const __m512d x = _mm512_maskz_permutexvar_pd(static_cast<__mmask8>(0xFE), belowIndex, nearBelow);
    const __m512d y = _mm512_maskz_permutexvar_pd(aboveTerms, aboveIndex, nearAbove);
    const __m512d termValues = _mm512_mask_max_pd(infinity, terms, x, y);
    distances[i] = _mm512_reduce_min_pd(termValues);
    fallback[i] = static_cast<unsigned char>((__builtin_popcount(keptBelow) < static_cast<int>(K)) |
                                             (__builtin_popcount(keptAbove) < static_cast<int>(K)));
  }
}

template <unsigned int K>
bool
NearestAvx512(SortedSeries          p,
              const std::uint32_t * insertion,
              SortedSeries          q,
              bool                  exclude,
              std::int32_t          window,
              double *              distances,
              unsigned char *       fallback)
{
  if (insertion == nullptr)
  {
    NearestKernelAvx512<K, true, false>(p, insertion, q, window, distances, fallback);
  }
  else if (exclude)
  {
    NearestKernelAvx512<K, true, true>(p, insertion, q, window, distances, fallback);
  }
  else
  {
    NearestKernelAvx512<K, false, true>(p, insertion, q, window, distances, fallback);
  }
  return true;
}

// The AVX-512 kernels where the CPU has them and k fits in eight lanes: within the series
// when insertion is null, else across. False if none ran.
bool
TryAvx512(unsigned int          k,
          SortedSeries          p,
          const std::uint32_t * insertion,
          SortedSeries          q,
          bool                  exclude,
          std::int32_t          window,
          double *              distances,
          unsigned char *       fallback)
{
  static const bool avx512 =
    __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && !PortableKernelsRequested();
  if (!avx512)
  {
    return false;
  }
  switch (k)
  {
    case 1:
      return NearestAvx512<1>(p, insertion, q, exclude, window, distances, fallback);
    case 3:
      return NearestAvx512<3>(p, insertion, q, exclude, window, distances, fallback);
    case 5:
      return NearestAvx512<5>(p, insertion, q, exclude, window, distances, fallback);
    default:
      return false;
  }
}
#endif

// One entry point per k and instruction set (target_clones needs plain functions).
#define VOXELKL_NEIGHBOUR_KERNELS(K)                                                                                   \
  VOXELKL_KERNEL_CLONES void Within##K(SortedSeries p, std::int32_t w, double * out, unsigned char * fallback)         \
  {                                                                                                                    \
    WithinKernel<K>(p, w, out, fallback);                                                                              \
  }                                                                                                                    \
  VOXELKL_KERNEL_CLONES void Across##K(SortedSeries          p,                                                        \
                                       const std::uint32_t * r,                                                        \
                                       SortedSeries          q,                                                        \
                                       bool                  exclude,                                                  \
                                       std::int32_t          w,                                                        \
                                       double *              out,                                                      \
                                       unsigned char *       fallback)                                                 \
  {                                                                                                                    \
    AcrossKernel<K>(p, r, q, exclude, w, out, fallback);                                                               \
  }

VOXELKL_NEIGHBOUR_KERNELS(1)
VOXELKL_NEIGHBOUR_KERNELS(3)
VOXELKL_NEIGHBOUR_KERNELS(5)
VOXELKL_NEIGHBOUR_KERNELS(10)

#undef VOXELKL_NEIGHBOUR_KERNELS

struct Kernels
{
  decltype(&Within1) within;
  decltype(&Across1) across;
};

// The kernels compiled for k, or none.
Kernels
KernelsFor(unsigned int k)
{
  switch (k)
  {
    case 1:
      return { Within1, Across1 };
    case 3:
      return { Within3, Across3 };
    case 5:
      return { Within5, Across5 };
    case 10:
      return { Within10, Across10 };
    default:
      return { nullptr, nullptr };
  }
}

} // namespace

void
KthNeighbourWithin(unsigned int k, SortedSeries p, std::int32_t window, double * rho, unsigned char * fallback)
{
#ifdef VOXELKL_AVX512_KERNELS
  if (TryAvx512(k, p, nullptr, p, true, window, rho, fallback))
  {
    return;
  }
#endif
  if (const auto within = KernelsFor(k).within)
  {
    return within(p, window, rho, fallback);
  }
  std::fill(fallback, fallback + p.size, 1);
}

void
KthNeighbourAcross(unsigned int          k,
                   SortedSeries          p,
                   const std::uint32_t * insertion,
                   SortedSeries          q,
                   bool                  exclude,
                   std::int32_t          window,
                   double *              nu,
                   unsigned char *       fallback)
{
#ifdef VOXELKL_AVX512_KERNELS
  if (TryAvx512(k, p, insertion, q, exclude, window, nu, fallback))
  {
    return;
  }
#endif
  if (const auto across = KernelsFor(k).across)
  {
    return across(p, insertion, q, exclude, window, nu, fallback);
  }
  std::fill(fallback, fallback + p.size, 1);
}

} // namespace voxelkl::detail
