#include "NearestNeighbourKernels.h"

#include "KernelClones.h"

#include <algorithm>
#include <limits>

#if defined(__x86_64__)
#include <immintrin.h>
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
#define VOXELKL_AVX512_ACROSS 1
// Across the series the K nearest q samples of a p sample v inserted at r are q[s..s+K-1]
// for one start s in [r - K, r], so the K-th distance is the smallest over s of
// max(v - q[s], q[s + K - 1] - v): the terms of KthOfBothSides, read as two contiguous
// runs of q in the lanes of one register per sample. Across samples (AcrossKernel) every
// neighbour takes a gather, since r differs from sample to sample. Exact operations
// only (subtraction, max, min): the same bits as the other kernels and the scalar path.
template <unsigned int K, bool Exclude>
__attribute__((target("avx512f,avx512vl"))) void
AcrossKernelAvx512(SortedSeries          p,
                   const std::uint32_t * insertion,
                   SortedSeries          q,
                   std::int32_t          window,
                   double *              nu,
                   unsigned char *       fallback)
{
  constexpr unsigned int Terms = K + 1;
  constexpr unsigned int Candidates = 2 * K; // q[r - K .. r + K - 1]
  auto                   lanes = [](unsigned int from, unsigned int count) {
    return static_cast<__mmask8>(count > from + 8 ? 0xFF : (1u << (count - from)) - 1u);
  };
  const __m256i span = _mm256_set1_epi32(2 * window);
  for (std::size_t i = 0; i < p.size; ++i)
  {
    const __m512d        v = _mm512_set1_pd(p.values[i]);
    const double *       first = q.values + static_cast<std::ptrdiff_t>(insertion[i]) - K;
    const std::int32_t * firstTime = q.times + static_cast<std::ptrdiff_t>(insertion[i]) - K;
    __m512d              best = _mm512_set1_pd(std::numeric_limits<double>::infinity());
    for (unsigned int c = 0; c < Terms; c += 8)
    {
      const __mmask8 m = lanes(c, Terms);
      const __m512d  low = _mm512_sub_pd(v, _mm512_maskz_loadu_pd(m, first + c));
      const __m512d  high = _mm512_sub_pd(_mm512_maskz_loadu_pd(m, first + c + K - 1), v);
      best = _mm512_mask_min_pd(best, m, best, _mm512_max_pd(low, high));
    }
    const double distance = _mm512_reduce_min_pd(best);
    nu[i] = distance;
    if constexpr (Exclude)
    {
      // |t_j - t| <= w as (t_j - t + w) <= 2w unsigned; the padding's times are far away.
      const __m256i shift = _mm256_set1_epi32(window - p.times[i]);
      const __m512d limit = _mm512_set1_pd(distance);
      __mmask8      matters = 0;
      for (unsigned int c = 0; c < Candidates; c += 8)
      {
        const __mmask8 m = lanes(c, Candidates);
        const __m512d  x = _mm512_maskz_loadu_pd(m, first + c);
        const __m512d  gap = _mm512_max_pd(_mm512_sub_pd(v, x), _mm512_sub_pd(x, v));
        const __m256i  times = _mm256_maskz_loadu_epi32(m, firstTime + c);
        const __mmask8 inWindow = _mm256_mask_cmple_epu32_mask(m, _mm256_add_epi32(times, shift), span);
        matters |= _mm512_mask_cmp_pd_mask(inWindow, gap, limit, _CMP_LE_OQ);
      }
      fallback[i] = matters != 0 ? 1 : 0;
    }
    else
    {
      fallback[i] = 0;
    }
  }
}

// The AVX-512 kernel for k, or none.
template <bool Exclude>
auto
Avx512AcrossFor(unsigned int k) -> decltype(&AcrossKernelAvx512<1, Exclude>)
{
  switch (k)
  {
    case 1:
      return AcrossKernelAvx512<1, Exclude>;
    case 3:
      return AcrossKernelAvx512<3, Exclude>;
    case 5:
      return AcrossKernelAvx512<5, Exclude>;
    case 10:
      return AcrossKernelAvx512<10, Exclude>;
    default:
      return nullptr;
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
#ifdef VOXELKL_AVX512_ACROSS
  static const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
  if (const auto across = avx512 ? (exclude ? Avx512AcrossFor<true>(k) : Avx512AcrossFor<false>(k)) : nullptr)
  {
    return across(p, insertion, q, window, nu, fallback);
  }
#endif
  if (const auto across = KernelsFor(k).across)
  {
    return across(p, insertion, q, exclude, window, nu, fallback);
  }
  std::fill(fallback, fallback + p.size, 1);
}

} // namespace voxelkl::detail
