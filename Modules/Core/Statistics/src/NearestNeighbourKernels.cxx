#include "NearestNeighbourKernels.h"

#include "voxelkl/KernelClones.h"
#include "voxelkl/NonparametricKL.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

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

// Sample i's K nearest candidates on each side: within p (Across false: p[i - 1 - j] and
// p[i + 1 + j]) or in q from i's insertion point r (q[r - 1 - j] and q[r + j]). A
// candidate left out by the window (|t_j - t_i| <= w; a window of -1 leaves none out)
// changes the K-th distance only if it is not farther than that distance (the K-th distance
// counted without the window): only then does the sample take the scalar path.
template <unsigned int K, bool Across>
VOXELKL_INLINE_INTO_CLONES void
PortableKernel(SortedSeries          p,
               const std::uint32_t * insertion,
               SortedSeries          q,
               std::int32_t          w,
               double *              distances,
               unsigned char *       fallback)
{
  const SortedSeries & from = Across ? q : p;
  for (std::size_t i = 0; i < p.size; ++i)
  {
    const std::ptrdiff_t nearestAbove =
      Across ? static_cast<std::ptrdiff_t>(insertion[i]) : static_cast<std::ptrdiff_t>(i) + 1;
    const std::ptrdiff_t nearestBelow = (Across ? nearestAbove : nearestAbove - 1) - 1;
    const double         v = p.values[i];
    const std::int32_t   t = p.times[i];
    double               below[K];
    double               above[K];
    bool                 belowOut[K];
    bool                 aboveOut[K];
    for (unsigned int j = 0; j < K; ++j)
    {
      // The padding (+-inf, far times) stands in for missing neighbours near the ends.
      below[j] = v - from.values[nearestBelow - j];
      above[j] = from.values[nearestAbove + j] - v;
      const std::int32_t dBelow = from.times[nearestBelow - j] - t;
      const std::int32_t dAbove = from.times[nearestAbove + j] - t;
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
    distances[i] = distance;
    fallback[i] = static_cast<unsigned char>(matters);
  }
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VOXELKL_INTRINSIC_KERNELS 1

// Sample i's sixteen candidates for the intrinsic kernels: the eight nearest below (from
// the eighth nearest up) and the eight nearest above, in p itself (within: p[i - 8..i - 1]
// and p[i + 1..i + 8]) or in q from i's insertion point r (across: q[r - 8..r - 1] and
// q[r..r + 7]); the padding covers the ends.
struct Candidates
{
  const double *       belowValues;
  const std::int32_t * belowTimes;
  const double *       aboveValues;
  const std::int32_t * aboveTimes;
};
template <bool Across>
VOXELKL_INLINE_INTO_CLONES Candidates
CandidatesOf(SortedSeries p, const std::uint32_t * insertion, SortedSeries q, std::size_t i)
{
  const SortedSeries & from = Across ? q : p;
  const std::ptrdiff_t nearestAbove =
    Across ? static_cast<std::ptrdiff_t>(insertion[i]) : static_cast<std::ptrdiff_t>(i) + 1;
  const std::ptrdiff_t lowest = (Across ? nearestAbove : nearestAbove - 1) - 8;
  return { from.values + lowest, from.times + lowest, from.values + nearestAbove, from.times + nearestAbove };
}

// Whether a side keeps fewer than K of its eight candidates (masks of kept ones): the
// sample then goes to the scalar path.
template <unsigned int K>
VOXELKL_INLINE_INTO_CLONES unsigned char
TooFewKept(unsigned int keptBelow, unsigned int keptAbove)
{
  return static_cast<unsigned char>((__builtin_popcount(keptBelow) < static_cast<int>(K)) |
                                    (__builtin_popcount(keptAbove) < static_cast<int>(K)));
}

// The AVX-512 kernel's constants for k = K.
template <unsigned int K>
struct Avx512Lanes
{
  __m512d  infinity;
  __m512i  reverse;
  __m256i  reverseTimes;
  __m256i  span;
  __m512i  belowIndex; // lanes j = 0..K of the terms: X[j] = below[j - 1] (0 for j = 0)
  __m512i  aboveIndex; // Y[j] = above[K - j - 1] (0 for j = K)
  __mmask8 terms;
  __mmask8 aboveTerms;

  __attribute__((target("avx512f,avx512vl"))) explicit Avx512Lanes(std::int32_t window)
  {
    static_assert(K >= 1 && K <= 8, "eight candidates per side");
    constexpr auto above = [](unsigned int j) -> long long { return j < K ? K - 1 - j : 0; };
    infinity = _mm512_set1_pd(std::numeric_limits<double>::infinity());
    reverse = _mm512_set_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    reverseTimes = _mm256_set_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    span = _mm256_set1_epi32(2 * window);
    belowIndex = _mm512_set_epi64(6, 5, 4, 3, 2, 1, 0, 0);
    aboveIndex = _mm512_set_epi64(above(7), above(6), above(5), above(4), above(3), above(2), above(1), above(0));
    terms = static_cast<__mmask8>((1u << (K + 1)) - 1u);
    aboveTerms = static_cast<__mmask8>((1u << K) - 1u);
  }
};

// Sample i's K-th distance (and whether it is left to the scalar path) with AVX-512: its
// eight nearest candidates on each side (CandidatesOf) in the lanes of one register.
// Candidates in the window are squeezed out (compress), which leaves each side's kept
// distances in ascending order, and the K-th distance is KthOfBothSides' min over j of
// max(j-th below, (K - j)-th above) in lanes. Where the gathers of the portable kernels
// cost a load per neighbour and every window candidate near a sample sends it to the
// scalar path, this reads four contiguous runs per sample and leaves to the scalar path
// only a side with fewer than K candidates kept among its eight. Exact operations only
// (subtraction, max, min): the same bits as the other kernels and the scalar path.
template <unsigned int K, bool Exclude, bool Across>
__attribute__((target("avx512f,avx512vl"), always_inline)) inline void
NearestSampleAvx512(const Avx512Lanes<K> & lanes,
                    SortedSeries           p,
                    const std::uint32_t *  insertion,
                    SortedSeries           q,
                    std::int32_t           window,
                    std::size_t            i,
                    double *               distances,
                    unsigned char *        fallback)
{
  const __m512d    v = _mm512_set1_pd(p.values[i]);
  const Candidates from = CandidatesOf<Across>(p, insertion, q, i);
  // Nearest first on both sides: below reversed.
  const __m512d belowDistances =
    _mm512_sub_pd(v, _mm512_permutexvar_pd(lanes.reverse, _mm512_loadu_pd(from.belowValues)));
  const __m512d aboveDistances = _mm512_sub_pd(_mm512_loadu_pd(from.aboveValues), v);
  __mmask8      keptBelow = 0xFF;
  __mmask8      keptAbove = 0xFF;
  if constexpr (Exclude)
  {
    // |t_j - t| <= w as (t_j - t + w) <= 2w unsigned; the padding's times are far away.
    const __m256i shift = _mm256_set1_epi32(window - p.times[i]);
    const __m256i belowTimes = _mm256_permutexvar_epi32(
      lanes.reverseTimes, _mm256_loadu_si256(reinterpret_cast<const __m256i *>(from.belowTimes)));
    const __m256i aboveTimes = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(from.aboveTimes));
    keptBelow = static_cast<__mmask8>(~_mm256_cmple_epu32_mask(_mm256_add_epi32(belowTimes, shift), lanes.span));
    keptAbove = static_cast<__mmask8>(~_mm256_cmple_epu32_mask(_mm256_add_epi32(aboveTimes, shift), lanes.span));
  }
  const __m512d nearBelow = _mm512_mask_compress_pd(lanes.infinity, keptBelow, belowDistances);
  const __m512d nearAbove = _mm512_mask_compress_pd(lanes.infinity, keptAbove, aboveDistances);
  const __m512d x = _mm512_maskz_permutexvar_pd(static_cast<__mmask8>(0xFE), lanes.belowIndex, nearBelow);
  const __m512d y = _mm512_maskz_permutexvar_pd(lanes.aboveTerms, lanes.aboveIndex, nearAbove);
  const __m512d termValues = _mm512_mask_max_pd(lanes.infinity, lanes.terms, x, y);
  distances[i] = _mm512_reduce_min_pd(termValues);
  fallback[i] = TooFewKept<K>(keptBelow, keptAbove);
}

// Within distances of the eight samples i..i + 7 of p at once, one sample per lane: the
// K-th distance without the window, from the K nearest on each side at fixed offsets
// (KthOfBothSides in lanes). Returns the lanes where a candidate in the window among those
// is not farther than that distance: only there can the window change the K-th distance
// (PortableKernel's test), and those lanes are left to the caller. Most samples of an
// fMRI series have none, and this costs a fraction of a sample's compress and permutes.
template <unsigned int K>
__attribute__((target("avx512f,avx512vl"), always_inline)) inline __mmask8
WithinEightAvx512(SortedSeries p, std::size_t i, std::int32_t window, double * rho)
{
  const __m512d v = _mm512_loadu_pd(p.values + i);
  const __m256i shift =
    _mm256_sub_epi32(_mm256_set1_epi32(window), _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p.times + i)));
  const __m256i span = _mm256_set1_epi32(2 * window);
  __m512d       below[K];
  __m512d       above[K];
  for (unsigned int m = 0; m < K; ++m)
  {
    below[m] = _mm512_sub_pd(v, _mm512_loadu_pd(p.values + i - 1 - m));
    above[m] = _mm512_sub_pd(_mm512_loadu_pd(p.values + i + 1 + m), v);
  }
  __m512d distance = _mm512_min_pd(below[K - 1], above[K - 1]);
  for (unsigned int j = 1; j < K; ++j)
  {
    distance = _mm512_min_pd(distance, _mm512_max_pd(below[j - 1], above[K - j - 1]));
  }
  _mm512_storeu_pd(rho + i, distance);
  // |t_j - t| <= w as (t_j - t + w) <= 2w unsigned; the padding's times are far away.
  __mmask8 matters = 0;
  for (unsigned int m = 0; m < K; ++m)
  {
    const __m256i  belowTimes = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p.times + i - 1 - m));
    const __m256i  aboveTimes = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p.times + i + 1 + m));
    const __mmask8 belowIn = _mm256_cmple_epu32_mask(_mm256_add_epi32(belowTimes, shift), span);
    const __mmask8 aboveIn = _mm256_cmple_epu32_mask(_mm256_add_epi32(aboveTimes, shift), span);
    matters |= _mm512_mask_cmp_pd_mask(belowIn, below[m], distance, _CMP_LE_OQ);
    matters |= _mm512_mask_cmp_pd_mask(aboveIn, above[m], distance, _CMP_LE_OQ);
  }
  return matters;
}

// Both distances of each sample: within p (the window applies), eight samples at a time
// where WithinEightAvx512 decides them, else one at a time, and across to q (the window
// applies when CrossExclude), one at a time.
template <unsigned int K, bool CrossExclude>
__attribute__((target("avx512f,avx512vl"))) void
NearestBothAvx512(SortedSeries          p,
                  const std::uint32_t * insertion,
                  SortedSeries          q,
                  std::int32_t          window,
                  double *              rho,
                  unsigned char *       rhoFallback,
                  double *              nu,
                  unsigned char *       nuFallback)
{
  const Avx512Lanes<K> lanes(window);
  // The samples WithinEightAvx512 leaves, listed without a branch (a loop over each
  // group's few would mispredict about once a group) and taken after the groups.
  thread_local std::vector<std::uint32_t> left;
  left.resize(p.size + 8);
  std::uint32_t * const list = left.data();
  std::size_t           listed = 0;
  const __m256i         groupLanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  std::size_t           i = 0;
  for (; i + 8 <= p.size; i += 8)
  {
    const __mmask8 slow = WithinEightAvx512<K>(p, i, window, rho);
    std::memset(rhoFallback + i, 0, 8);
    _mm256_storeu_si256(
      reinterpret_cast<__m256i *>(list + listed),
      _mm256_maskz_compress_epi32(slow, _mm256_add_epi32(groupLanes, _mm256_set1_epi32(static_cast<int>(i)))));
    listed += static_cast<std::size_t>(__builtin_popcount(slow));
    for (std::size_t lane = i; lane < i + 8; ++lane)
    {
      NearestSampleAvx512<K, CrossExclude, true>(lanes, p, insertion, q, window, lane, nu, nuFallback);
    }
  }
  for (std::size_t j = 0; j < listed; ++j)
  {
    NearestSampleAvx512<K, true, false>(lanes, p, insertion, p, window, list[j], rho, rhoFallback);
  }
  for (; i < p.size; ++i)
  {
    NearestSampleAvx512<K, true, false>(lanes, p, insertion, p, window, i, rho, rhoFallback);
    NearestSampleAvx512<K, CrossExclude, true>(lanes, p, insertion, q, window, i, nu, nuFallback);
  }
}

// The positions of the kept candidates among eight, in order, for each mask of kept ones
// (bit m: the m-th nearest candidate is kept), then 8 (the slot after the eight, +inf): a
// table lookup stands in for AVX-512's compress.
struct KeptPositions
{
  std::uint8_t of[256][8];
};
constexpr KeptPositions
MakeKeptPositions()
{
  KeptPositions table{};
  for (unsigned int mask = 0; mask < 256; ++mask)
  {
    unsigned int kept = 0;
    for (unsigned int m = 0; m < 8; ++m)
    {
      if (((mask >> m) & 1u) != 0)
      {
        table.of[mask][kept++] = static_cast<std::uint8_t>(m);
      }
    }
    for (; kept < 8; ++kept)
    {
      table.of[mask][kept] = 8;
    }
  }
  return table;
}
constexpr KeptPositions keptPositions = MakeKeptPositions();

// The AVX-512 kernel's method with AVX2 (x86-64-v3): each sample's eight nearest candidates
// on each side, nearest first, stored as distances; the kept ones found through
// keptPositions; the K-th distance the same min over j of max(j-th kept below, (K - j)-th
// kept above), in scalar min and max (exact, so the same bits). Without it a CPU without
// AVX-512 gathered K candidates per side across samples and sent every sample with a
// window candidate among them to the scalar path.
template <unsigned int K, bool Exclude, bool Across>
__attribute__((target("arch=x86-64-v3"))) void
NearestKernelAvx2(SortedSeries          p,
                  const std::uint32_t * insertion,
                  SortedSeries          q,
                  std::int32_t          window,
                  double *              distances,
                  unsigned char *       fallback)
{
  static_assert(K >= 1 && K <= 8, "eight candidates per side");
  alignas(32) double below[9];
  alignas(32) double above[9];
  below[8] = std::numeric_limits<double>::infinity();
  above[8] = below[8];
  const __m256i reverseTimes = _mm256_set_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i span = _mm256_set1_epi32(2 * window);
  for (std::size_t i = 0; i < p.size; ++i)
  {
    const __m256d    v = _mm256_set1_pd(p.values[i]);
    const Candidates from = CandidatesOf<Across>(p, insertion, q, i);
    // Nearest first on both sides: the four nearest below are the upper four, reversed.
    _mm256_store_pd(below, _mm256_sub_pd(v, _mm256_permute4x64_pd(_mm256_loadu_pd(from.belowValues + 4), 0x1B)));
    _mm256_store_pd(below + 4, _mm256_sub_pd(v, _mm256_permute4x64_pd(_mm256_loadu_pd(from.belowValues), 0x1B)));
    _mm256_store_pd(above, _mm256_sub_pd(_mm256_loadu_pd(from.aboveValues), v));
    _mm256_store_pd(above + 4, _mm256_sub_pd(_mm256_loadu_pd(from.aboveValues + 4), v));
    unsigned int keptBelow = 0xFF;
    unsigned int keptAbove = 0xFF;
    if constexpr (Exclude)
    {
      // |t_j - t| <= w as (t_j - t + w) <= 2w unsigned, i.e. min(x, 2w) == x; the
      // padding's times are far away.
      const __m256i shift = _mm256_set1_epi32(window - p.times[i]);
      const __m256i belowTimes =
        _mm256_add_epi32(_mm256_permutevar8x32_epi32(
                           _mm256_loadu_si256(reinterpret_cast<const __m256i *>(from.belowTimes)), reverseTimes),
                         shift);
      const __m256i aboveTimes =
        _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i *>(from.aboveTimes)), shift);
      const __m256i inBelow = _mm256_cmpeq_epi32(_mm256_min_epu32(belowTimes, span), belowTimes);
      const __m256i inAbove = _mm256_cmpeq_epi32(_mm256_min_epu32(aboveTimes, span), aboveTimes);
      keptBelow = ~static_cast<unsigned int>(_mm256_movemask_ps(_mm256_castsi256_ps(inBelow))) & 0xFFu;
      keptAbove = ~static_cast<unsigned int>(_mm256_movemask_ps(_mm256_castsi256_ps(inAbove))) & 0xFFu;
    }
    const std::uint8_t * nearBelow = keptPositions.of[keptBelow];
    const std::uint8_t * nearAbove = keptPositions.of[keptAbove];
    double               distance = std::min(below[nearBelow[K - 1]], above[nearAbove[K - 1]]);
    for (unsigned int j = 1; j < K; ++j)
    {
      distance = std::min(distance, std::max(below[nearBelow[j - 1]], above[nearAbove[K - j - 1]]));
    }
    distances[i] = distance;
    fallback[i] = TooFewKept<K>(keptBelow, keptAbove);
  }
}

// Within the series when insertion is null, else across (the window applying when exclude
// is true), with the AVX2 kernels. (The AVX-512 ones take both at once: KthNeighbourBoth.)
template <unsigned int K>
void
NearestAvx2(SortedSeries          p,
            const std::uint32_t * insertion,
            SortedSeries          q,
            bool                  exclude,
            std::int32_t          window,
            double *              distances,
            unsigned char *       fallback)
{
  if (insertion == nullptr)
  {
    NearestKernelAvx2<K, true, false>(p, insertion, q, window, distances, fallback);
  }
  else if (exclude)
  {
    NearestKernelAvx2<K, true, true>(p, insertion, q, window, distances, fallback);
  }
  else
  {
    NearestKernelAvx2<K, false, true>(p, insertion, q, window, distances, fallback);
  }
}

bool
TryAvx2(unsigned int          k,
        SortedSeries          p,
        const std::uint32_t * insertion,
        SortedSeries          q,
        bool                  exclude,
        std::int32_t          window,
        double *              distances,
        unsigned char *       fallback)
{
  switch (k)
  {
    case 1:
      NearestAvx2<1>(p, insertion, q, exclude, window, distances, fallback);
      return true;
    case 3:
      NearestAvx2<3>(p, insertion, q, exclude, window, distances, fallback);
      return true;
    case 5:
      NearestAvx2<5>(p, insertion, q, exclude, window, distances, fallback);
      return true;
    default:
      return false;
  }
}
#endif

// One entry point per k and instruction set (target_clones needs plain functions): within
// p when insertion is null, else across (without a window unless exclude is true).
#define VOXELKL_NEIGHBOUR_KERNELS(K)                                                                                   \
  VOXELKL_KERNEL_CLONES void Nearest##K(SortedSeries          p,                                                       \
                                        const std::uint32_t * r,                                                       \
                                        SortedSeries          q,                                                       \
                                        bool                  exclude,                                                 \
                                        std::int32_t          w,                                                       \
                                        double *              out,                                                     \
                                        unsigned char *       fallback)                                                \
  {                                                                                                                    \
    if (r == nullptr)                                                                                                  \
    {                                                                                                                  \
      PortableKernel<K, false>(p, r, q, w, out, fallback);                                                             \
    }                                                                                                                  \
    else                                                                                                               \
    {                                                                                                                  \
      PortableKernel<K, true>(p, r, q, exclude ? w : -1, out, fallback);                                               \
    }                                                                                                                  \
  }

VOXELKL_NEIGHBOUR_KERNELS(1)
VOXELKL_NEIGHBOUR_KERNELS(3)
VOXELKL_NEIGHBOUR_KERNELS(5)
VOXELKL_NEIGHBOUR_KERNELS(10)

#undef VOXELKL_NEIGHBOUR_KERNELS

// The portable kernel compiled for k, or none.
decltype(&Nearest1)
PortableKernelFor(unsigned int k)
{
  switch (k)
  {
    case 1:
      return Nearest1;
    case 3:
      return Nearest3;
    case 5:
      return Nearest5;
    case 10:
      return Nearest10;
    default:
      return nullptr;
  }
}

// The set this CPU runs by default: the widest; with VOXELKL_PORTABLE_KERNELS set, what a
// CPU without AVX-512 runs (the PortableKernels.* tests).
NeighbourKernels
WidestNeighbourKernels()
{
  const char * portable = std::getenv("VOXELKL_PORTABLE_KERNELS");
  const bool   noAvx512 = portable != nullptr && *portable != '\0' && std::string(portable) != "0";
  if (!noAvx512 && NeighbourKernelsRun(NeighbourKernels::Avx512))
  {
    return NeighbourKernels::Avx512;
  }
  return NeighbourKernelsRun(NeighbourKernels::Avx2) ? NeighbourKernels::Avx2 : NeighbourKernels::Portable;
}

std::atomic<NeighbourKernels> &
ChosenNeighbourKernels()
{
  static std::atomic<NeighbourKernels> chosen{ WidestNeighbourKernels() };
  return chosen;
}

// One of the two distances of every sample (KthNeighbourBoth) with the chosen set's
// kernels where it has them for k (the AVX2 ones take k of 1, 3 and 5; the AVX-512 ones
// are called by KthNeighbourBoth, both distances at once), else the portable ones; for k
// without kernels every sample is left to the caller.
void
KthNeighbour(unsigned int          k,
             SortedSeries          p,
             const std::uint32_t * insertion,
             SortedSeries          q,
             bool                  exclude,
             std::int32_t          window,
             double *              distances,
             unsigned char *       fallback)
{
#ifdef VOXELKL_INTRINSIC_KERNELS
  switch (ChosenNeighbourKernels().load(std::memory_order_relaxed))
  {
    case NeighbourKernels::Avx512: // its kernels take both distances at once (KthNeighbourBoth)
      break;
    case NeighbourKernels::Avx2:
      if (TryAvx2(k, p, insertion, q, exclude, window, distances, fallback))
      {
        return;
      }
      break;
    case NeighbourKernels::Portable:
      break;
  }
#endif
  if (const auto kernel = PortableKernelFor(k); kernel != nullptr)
  {
    return kernel(p, insertion, q, exclude, window, distances, fallback);
  }
  std::fill(fallback, fallback + p.size, 1);
}

} // namespace

bool
NeighbourKernelsRun(NeighbourKernels kernels)
{
  switch (kernels)
  {
#ifdef VOXELKL_INTRINSIC_KERNELS
    case NeighbourKernels::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    case NeighbourKernels::Avx2:
      return __builtin_cpu_supports("x86-64-v3");
#endif
    case NeighbourKernels::Portable:
      return true;
    default:
      return false;
  }
}

NeighbourKernels
UseNeighbourKernels(NeighbourKernels kernels)
{
  return ChosenNeighbourKernels().exchange(NeighbourKernelsRun(kernels) ? kernels : WidestNeighbourKernels());
}

bool
Avx512KernelsChosen()
{
  return ChosenNeighbourKernels().load(std::memory_order_relaxed) == NeighbourKernels::Avx512;
}

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
                 unsigned char *       nuFallback)
{
#ifdef VOXELKL_INTRINSIC_KERNELS
  if (ChosenNeighbourKernels().load(std::memory_order_relaxed) == NeighbourKernels::Avx512)
  {
    auto both = [&](auto kernel) {
      kernel(p, insertion, q, window, rho, rhoFallback, nu, nuFallback);
      return true;
    };
    const bool done = k == 1   ? (exclude ? both(NearestBothAvx512<1, true>) : both(NearestBothAvx512<1, false>))
                      : k == 3 ? (exclude ? both(NearestBothAvx512<3, true>) : both(NearestBothAvx512<3, false>))
                      : k == 5 ? (exclude ? both(NearestBothAvx512<5, true>) : both(NearestBothAvx512<5, false>))
                               : false;
    if (done)
    {
      return;
    }
  }
#endif
  KthNeighbour(k, p, nullptr, p, true, window, rho, rhoFallback);
  KthNeighbour(k, p, insertion, q, exclude, window, nu, nuFallback);
}

} // namespace voxelkl::detail
