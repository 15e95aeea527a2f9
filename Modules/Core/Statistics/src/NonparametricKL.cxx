#include "voxelkl/NonparametricKL.h"

#include "NearestNeighbourKernels.h"
#include "voxelkl/KernelClones.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

// The 64-byte generic vectors below are passed only between helpers inlined into each
// kernel clone, never across a call: GCC's note that their ABI differs without AVX-512
// does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace voxelkl
{
namespace
{

// Eight interleaved partial results (lane j takes t = j mod 8), combined in a fixed order
// at the end, held as LaneCount / W vectors of W doubles: one AVX-512 register (W = 8),
// two AVX2 ones (4) or four SSE2 ones (2). The kernels below are written once over W and
// compiled per instruction set with its own W; a lane's operations and their order do not
// depend on W, so every version gives the same bits. (Written over one 64-byte vector,
// as before, the vector lives in memory wherever AVX-512 is missing: GCC's AVX2 clone of
// the autocorrelation accessed the stack ~470 times against 60 for the AVX-512 one, and
// the log-ratio sum ~360 times against 24.)
constexpr std::size_t LaneCount = 8;

template <std::size_t W>
struct PartTypes;
template <>
struct PartTypes<2>
{
  using Doubles = double __attribute__((vector_size(16)));
  using Longs = long long __attribute__((vector_size(16)));
};
template <>
struct PartTypes<4>
{
  using Doubles = double __attribute__((vector_size(32)));
  using Longs = long long __attribute__((vector_size(32)));
};
template <>
struct PartTypes<8>
{
  using Doubles = double __attribute__((vector_size(64)));
  using Longs = long long __attribute__((vector_size(64)));
};
template <std::size_t W>
using Part = typename PartTypes<W>::Doubles;
template <std::size_t W>
using LongPart = typename PartTypes<W>::Longs;

template <std::size_t W>
VOXELKL_INLINE_INTO_CLONES void
LoadPart(const double * from, Part<W> & part)
{
  std::memcpy(&part, from, sizeof part);
}

// Lane j of eight lanes held in parts (a value: clang binds no reference to a vector's
// element).
template <std::size_t W, typename T>
VOXELKL_INLINE_INTO_CLONES auto
Lane(const T (&parts)[LaneCount / W], std::size_t j)
{
  return parts[j / W][j % W];
}

template <std::size_t W, typename T, typename V>
VOXELKL_INLINE_INTO_CLONES void
SetLane(T (&parts)[LaneCount / W], std::size_t j, V value)
{
  parts[j / W][j % W] = value;
}

template <std::size_t W>
VOXELKL_INLINE_INTO_CLONES double
AddLanes(const Part<W> (&parts)[LaneCount / W])
{
  const auto lane = [&](std::size_t j) { return parts[j / W][j % W]; };
  return ((lane(0) + lane(1)) + (lane(2) + lane(3))) + ((lane(4) + lane(5)) + (lane(6) + lane(7)));
}

// Calls addPart(t, k, time) for t = first, first + 8, ... and each part k, with
// values[t + k * W ..] in part k's lanes and time holding their time points, then
// addOne(j, t) for the rest, one lane at a time.
template <std::size_t W, typename AddPart, typename AddOne>
VOXELKL_INLINE_INTO_CLONES void
ForEachInLanes(std::size_t first, std::size_t count, AddPart addPart, AddOne addOne)
{
  constexpr std::size_t Parts = LaneCount / W;
  Part<W>               time[Parts];
  for (std::size_t k = 0; k < Parts; ++k)
  {
    for (std::size_t i = 0; i < W; ++i)
    {
      time[k][i] = static_cast<double>(k * W + i);
    }
    time[k] += static_cast<double>(static_cast<std::int32_t>(first));
  }
  std::size_t t = first;
  for (; t + LaneCount <= count; t += LaneCount)
  {
    for (std::size_t k = 0; k < Parts; ++k)
    {
      addPart(t, k, time[k]);
      time[k] += static_cast<double>(LaneCount);
    }
  }
  for (std::size_t j = 0; t + j < count; ++j)
  {
    addOne(j, t + j);
  }
}

bool
ValueThenTime(const TimedSample & a, const TimedSample & b)
{
  return a.value < b.value || (a.value == b.value && a.time < b.time);
}

} // namespace

std::string
ToString(KLEstimator estimator)
{
  switch (estimator)
  {
    case KLEstimator::Gaussian:
      return "gaussian";
    case KLEstimator::NearestNeighbour:
      return "knn";
    case KLEstimator::Histogram:
      return "histogram";
  }
  return "gaussian";
}

KLEstimator
ParseKLEstimator(const std::string & name)
{
  for (const KLEstimator estimator : { KLEstimator::Gaussian, KLEstimator::NearestNeighbour, KLEstimator::Histogram })
  {
    if (ToString(estimator) == name)
    {
      return estimator;
    }
  }
  throw std::invalid_argument("unknown estimator '" + name + "' (gaussian, knn or histogram)");
}

void
SortByValue(std::vector<TimedSample> & samples)
{
  // A voxel's series is sorted for every estimate, so this is a hot spot. An LSD radix
  // sort (3 passes of 8 bits) orders 8-byte items: a 24-bit key monotone in the value
  // above the sample's index. An insertion pass then orders what the key could not
  // separate, so the result is the one order by (value, time) whatever the input order.
  const std::size_t n = samples.size();
  if (n < 64 || n > 0xFFFFFFFFu)
  {
    std::sort(samples.begin(), samples.end(), ValueThenTime);
    return;
  }
  const auto [lowest, highest] = std::minmax_element(
    samples.begin(), samples.end(), [](const TimedSample & a, const TimedSample & b) { return a.value < b.value; });
  const double low = lowest->value;
  const double range = highest->value - low;
  // (v - low) * scale is monotone in v and within [0, 2^24).
  const double                            scale = range > 0.0 ? 16777215.0 / range : 0.0;
  thread_local std::vector<std::uint64_t> items;
  thread_local std::vector<std::uint64_t> sorted;
  thread_local std::vector<TimedSample>   original;
  items.resize(n);
  sorted.resize(n);
  std::uint32_t counts[3][257] = {};
  for (std::size_t i = 0; i < n; ++i)
  {
    const auto key = static_cast<std::uint64_t>((samples[i].value - low) * scale);
    items[i] = key << 32 | i;
    ++counts[0][(key & 0xFFu) + 1];
    ++counts[1][((key >> 8) & 0xFFu) + 1];
    ++counts[2][((key >> 16) & 0xFFu) + 1];
  }
  for (unsigned int pass = 0; pass < 3; ++pass)
  {
    const unsigned int shift = 32 + 8 * pass;
    if (counts[pass][((items[0] >> shift) & 0xFFu) + 1] == n)
    {
      continue; // every key has this byte: the pass would not move anything
    }
    std::uint32_t * offsets = counts[pass];
    for (unsigned int d = 1; d < 257; ++d)
    {
      offsets[d] += offsets[d - 1];
    }
    for (std::size_t i = 0; i < n; ++i)
    {
      sorted[offsets[(items[i] >> shift) & 0xFFu]++] = items[i];
    }
    items.swap(sorted);
  }
  original.assign(samples.begin(), samples.end());
  for (std::size_t i = 0; i < n; ++i)
  {
    samples[i] = original[items[i] & 0xFFFFFFFFu];
  }
  for (std::size_t i = 1; i < n; ++i)
  {
    for (std::size_t j = i; j > 0 && ValueThenTime(samples[j], samples[j - 1]); --j)
    {
      std::swap(samples[j], samples[j - 1]);
    }
  }
}

namespace
{

// The candidates a window leaves to sample i: the series minus those at times within
// [t - w, t + w] (sample i itself included). Closed form when the series has no gap (every
// time point finite), else from counts of samples before each time point.
class CandidateCounter
{
public:
  CandidateCounter(SortedSeries samples)
    : m_Size(samples.size)
  {
    std::int32_t last = 0;
    for (std::size_t i = 0; i < samples.size; ++i)
    {
      last = std::max(last, samples.times[i]);
    }
    m_Contiguous = samples.size == 0 || static_cast<std::size_t>(last) + 1 == samples.size;
    if (!m_Contiguous)
    {
      m_Before = CountsBefore(samples, last);
    }
  }

  /** Samples at times outside [t - w, t + w]. */
  std::size_t
  Outside(std::int64_t t, std::int64_t w) const
  {
    const auto         last = static_cast<std::int64_t>(m_Contiguous ? m_Size : m_Before.size() - 1) - 1;
    const std::int64_t low = std::max<std::int64_t>(t - w, 0);
    const std::int64_t high = std::min<std::int64_t>(t + w, last);
    if (high < low)
    {
      return m_Size;
    }
    const std::size_t inside =
      m_Contiguous ? static_cast<std::size_t>(high - low + 1)
                   : m_Before[static_cast<std::size_t>(high) + 1] - m_Before[static_cast<std::size_t>(low)];
    return m_Size - inside;
  }

private:
  static std::vector<std::uint32_t>
  CountsBefore(SortedSeries samples, std::int32_t last)
  {
    std::vector<std::uint32_t> counts(static_cast<std::size_t>(last) + 2, 0);
    for (std::size_t i = 0; i < samples.size; ++i)
    {
      ++counts[static_cast<std::size_t>(samples.times[i]) + 1];
    }
    for (std::size_t t = 1; t < counts.size(); ++t)
    {
      counts[t] += counts[t - 1];
    }
    return counts;
  }

  std::size_t                m_Size;
  bool                       m_Contiguous{ true };
  std::vector<std::uint32_t> m_Before;
};

// The distance from `value` to its k-th nearest sample of `sorted` that is not excluded:
// sorted[left - 1] is the nearest candidate below, sorted[right] the nearest above.
// Samples with |time - t| <= window are skipped when window >= 0. +inf if fewer than k
// candidates exist.
// The k nearest are the j nearest below and the k - j nearest above for some j, so the
// k-th distance is min over j of max(j-th below, (k - j)-th above): gathering k distances
// on each side and taking that minimum has no data-dependent branch, where walking
// outwards one neighbour at a time mispredicts about every other step.
// K > 0: k known at compile time (the common ones), so the loops unroll; K = 0: k at run
// time. Exclude: whether the window applies.
template <unsigned int K, bool Exclude>
double
KthDistance(SortedSeries sorted,
            std::size_t  left,
            std::size_t  right,
            double       value,
            std::int64_t time,
            std::int64_t window,
            unsigned int runtimeK,
            double *     below,
            double *     above)
{
  constexpr double   infinity = std::numeric_limits<double>::infinity();
  const unsigned int k = K != 0 ? K : runtimeK;
  // |t_j - t| > w as one unsigned comparison.
  const auto span = static_cast<std::uint64_t>(2 * window);
  auto       kept = [&](std::size_t j) {
    return !Exclude || static_cast<std::uint64_t>(static_cast<std::int64_t>(sorted.times[j]) - time + window) > span;
  };
  unsigned int belowCount = 0;
  for (std::size_t l = left; l > 0 && belowCount < k; --l)
  {
    below[belowCount] = value - sorted.values[l - 1];
    belowCount += kept(l - 1) ? 1 : 0;
  }
  unsigned int aboveCount = 0;
  for (std::size_t r = right; r < sorted.size && aboveCount < k; ++r)
  {
    above[aboveCount] = sorted.values[r] - value;
    aboveCount += kept(r) ? 1 : 0;
  }
  if (belowCount + aboveCount < k)
  {
    return infinity;
  }
  if (belowCount == k && aboveCount == k)
  {
    // The common case, without bounds: j nearest below and k - j above, j = 0..k.
    double distance = std::min(below[k - 1], above[k - 1]);
    for (unsigned int j = 1; j < k; ++j)
    {
      distance = std::min(distance, std::max(below[j - 1], above[k - j - 1]));
    }
    return distance;
  }
  const unsigned int first = k > aboveCount ? k - aboveCount : 0;
  const unsigned int last = std::min(k, belowCount);
  double             distance = infinity;
  for (unsigned int j = first; j <= last; ++j)
  {
    const double fromBelow = j > 0 ? below[j - 1] : 0.0;
    const double fromAbove = j < k ? above[k - j - 1] : 0.0;
    distance = std::min(distance, std::max(fromBelow, fromAbove));
  }
  return distance;
}

// Puts each lane of products into [0.5, 1) times a power of two, which adds to exponents.
// False if a lane is not a normal number (a zero distance, or none at all).
template <std::size_t W>
VOXELKL_INLINE_INTO_CLONES bool
Renormalise(Part<W> (&products)[LaneCount / W], LongPart<W> (&exponents)[LaneCount / W])
{
  constexpr std::size_t Parts = LaneCount / W;
  LongPart<W>           bits[Parts];
  LongPart<W>           exponent[Parts];
  // Sign and exponent s = bits >> 52 (unsigned): a positive normal number has 1 <= s <=
  // 0x7FE, so (s + 1) >> 11 and (s - 1) >> 12 (0 - 1 wraps) are both 0. Shifts and adds
  // only, then one test of all lanes: vector comparisons and a branch per lane were
  // compiled to a scalar sequence per lane.
  LongPart<W> abnormal = LongPart<W>{};
  for (std::size_t k = 0; k < Parts; ++k)
  {
    std::memcpy(&bits[k], &products[k], sizeof bits[k]);
    const LongPart<W> signAndExponent = (bits[k] >> 52) & 0xFFF;
    exponent[k] = signAndExponent & 0x7FF;
    abnormal |= ((signAndExponent + 1) >> 11) | (((signAndExponent - 1) >> 12) & 1);
  }
  long long anyAbnormal = 0;
  for (std::size_t i = 0; i < W; ++i)
  {
    anyAbnormal |= abnormal[i];
  }
  if (anyAbnormal != 0)
  {
    return false;
  }
  for (std::size_t k = 0; k < Parts; ++k)
  {
    exponents[k] += exponent[k] - 1022;
    bits[k] = (bits[k] & ~(LongPart<W>{} + (0x7FFLL << 52))) | (1022LL << 52);
    std::memcpy(&products[k], &bits[k], sizeof bits[k]);
  }
  return true;
}

// SumOfLogRatios for series without gaps (time points 0..n - 1 and 0..m - 1), eight
// samples at a time: the candidate counts in closed form, the products in lanes
// renormalised every 32 samples (each factor is a distance times a count, so 4 of them
// stay far inside the range of a double). False where SumOfLogRatios must decide.
// What the log-ratio sum of two series without gaps takes: the neighbour distances rho and
// nu of p's n samples, their time points, q's sample count m and the Theiler window.
struct LogRatioInputs
{
  const double *       rho;
  const double *       nu;
  const std::int32_t * times;
  std::size_t          n;
  std::size_t          m;
  double               window;
  bool                 crossWindow;
};

template <std::size_t W>
VOXELKL_INLINE_INTO_CLONES bool
SumOfLogRatiosWithoutGapsIn(const LogRatioInputs & in, double & sum)
{
  constexpr std::size_t      Parts = LaneCount / W;
  const double * const       rho = in.rho;
  const double * const       nu = in.nu;
  const std::int32_t * const times = in.times;
  const std::size_t          n = in.n;
  const double               window = in.window;
  const bool                 crossWindow = in.crossWindow;
  const auto                 pLast = static_cast<double>(n) - 1.0;
  const auto                 qLast = static_cast<double>(in.m) - 1.0;
  // Candidates outside [t - w, t + w] of a series whose last time point is `last`.
  auto outside = [window](auto t, double last) {
    const auto low = t - window;
    const auto high = t + window;
    const auto first = low > 0.0 ? low : 0.0 * low;
    const auto end = high < last ? high : 0.0 * high + last;
    const auto inside = (end - first) + 1.0; // below 0 for t past the series' end
    return (last + 1.0) - (inside > 0.0 ? inside : 0.0 * inside);
  };
  Part<W>     numerator[Parts];
  Part<W>     denominator[Parts];
  LongPart<W> numeratorExponents[Parts];
  LongPart<W> denominatorExponents[Parts];
  for (std::size_t k = 0; k < Parts; ++k)
  {
    numerator[k] = Part<W>{} + 1.0;
    denominator[k] = Part<W>{} + 1.0;
    numeratorExponents[k] = LongPart<W>{};
    denominatorExponents[k] = LongPart<W>{};
  }
  std::size_t i = 0;
  for (std::size_t block = 0; i + LaneCount <= n; i += LaneCount, ++block)
  {
    for (std::size_t k = 0; k < Parts; ++k)
    {
      Part<W> t;
      for (std::size_t j = 0; j < W; ++j)
      {
        t[j] = static_cast<double>(times[i + k * W + j]);
      }
      const Part<W> candidatesQ = crossWindow ? outside(t, qLast) : Part<W>{} + (qLast + 1.0);
      Part<W>       distances;
      LoadPart<W>(nu + i + k * W, distances);
      numerator[k] *= distances * candidatesQ;
      LoadPart<W>(rho + i + k * W, distances);
      denominator[k] *= distances * outside(t, pLast);
    }
    if (block % 4 == 3 &&
        !(Renormalise<W>(numerator, numeratorExponents) && Renormalise<W>(denominator, denominatorExponents)))
    {
      return false;
    }
  }
  for (std::size_t j = 0; i + j < n; ++j)
  {
    const double t = times[i + j];
    SetLane<W>(numerator, j, Lane<W>(numerator, j) * (nu[i + j] * (crossWindow ? outside(t, qLast) : qLast + 1.0)));
    SetLane<W>(denominator, j, Lane<W>(denominator, j) * (rho[i + j] * outside(t, pLast)));
  }
  if (!(Renormalise<W>(numerator, numeratorExponents) && Renormalise<W>(denominator, denominatorExponents)))
  {
    return false;
  }
  // Eight mantissas in [0.5, 1) multiply to at least 2^-8.
  double    ratio = 1.0;
  long long exponent = 0;
  for (std::size_t j = 0; j < LaneCount; ++j)
  {
    ratio *= Lane<W>(numerator, j) / Lane<W>(denominator, j);
    exponent += Lane<W>(numeratorExponents, j) - Lane<W>(denominatorExponents, j);
  }
  sum = std::log(ratio) + static_cast<double>(exponent) * std::log(2.0);
  return true;
}

// SumOfLogRatiosWithoutGapsIn in the lane width chosen for this CPU (defined below).
bool
SumOfLogRatiosWithoutGaps(const LogRatioInputs & in, double & sum);

// (1/n) sum_i [ln(nu_i / rho_i) + ln(M_i / N_i)] from the distances. The logs are taken
// of products: one log per sample would cost as much as the neighbour search.
// Numerators and denominators are multiplied apart (no division on the dependency chain)
// and renormalised to [0.5, 1) times a power of two every 8 samples, so they cannot
// overflow.
double
SumOfLogRatios(SortedSeries   p,
               SortedSeries   q,
               const double * rho,
               const double * nu,
               unsigned int   window,
               bool           crossWindow)
{
  const CandidateCounter pCandidates(p);
  const CandidateCounter qCandidates(q);
  const auto             w = static_cast<std::int64_t>(window);
  const double           allQ = static_cast<double>(q.size);
  double                 numerator = 1.0;
  double                 denominator = 1.0;
  int                    exponent = 0;
  for (std::size_t i = 0; i < p.size; ++i)
  {
    const std::int64_t time = p.times[i];
    const double       candidatesQ = crossWindow ? static_cast<double>(qCandidates.Outside(time, w)) : allQ;
    numerator *= nu[i] * candidatesQ;
    denominator *= rho[i] * static_cast<double>(pCandidates.Outside(time, w));
    if ((i & 7u) == 7u || i + 1 == p.size)
    {
      int numeratorExponent = 0;
      int denominatorExponent = 0;
      numerator = std::frexp(numerator, &numeratorExponent);
      denominator = std::frexp(denominator, &denominatorExponent);
      exponent += numeratorExponent - denominatorExponent;
      if (!std::isnormal(numerator) || !std::isnormal(denominator))
      {
        // A distance of 0 (a tie left in place) or none at all (too few candidates).
        return std::log(numerator / denominator);
      }
    }
  }
  const double sum = std::log(numerator / denominator) + exponent * std::log(2.0);
  return sum / static_cast<double>(p.size);
}

// Whether the series has a sample at every time point from 0 on (no gap).
bool
IsContiguous(SortedSeries series)
{
  std::int32_t last = -1;
  for (std::size_t i = 0; i < series.size; ++i)
  {
    last = std::max(last, series.times[i]);
  }
  return static_cast<std::size_t>(last + 1) == series.size;
}

// The neighbour distances of all samples computed first by the vectorised kernels (for
// k = 1, 3, 5, 10); the samples they leave (a window candidate among the nearest), and
// every sample for other k, are done by KthDistance. K: k at compile time, or 0.
template <unsigned int K>
double
NearestNeighbourKLSorted(SortedSeries          p,
                         SortedSeries          q,
                         const std::uint32_t * insertion,
                         unsigned int          k,
                         unsigned int          window,
                         bool                  crossWindow)
{
  thread_local std::vector<double>        rho, nu, below, above;
  thread_local std::vector<unsigned char> rhoFallback, nuFallback;
  const std::size_t                       n = p.size;
  rho.resize(n);
  nu.resize(n);
  rhoFallback.resize(n);
  nuFallback.resize(n);
  below.resize(k);
  above.resize(k);
  const auto w = static_cast<std::int32_t>(window);
  detail::KthNeighbourBoth(
    k, p, insertion, q, crossWindow, w, rho.data(), rhoFallback.data(), nu.data(), nuFallback.data());
  double * const belowData = below.data();
  double * const aboveData = above.data();
  // Few samples are left to the scalar path: memchr jumps from one to the next (the flags
  // are 0 or 1).
  auto forEachFlagged = [n](const std::vector<unsigned char> & flags, auto compute) {
    const unsigned char * first = flags.data();
    const unsigned char * end = first + n;
    for (auto at = static_cast<const unsigned char *>(std::memchr(first, 1, n)); at != nullptr;
         at = static_cast<const unsigned char *>(std::memchr(at + 1, 1, static_cast<std::size_t>(end - at - 1))))
    {
      compute(static_cast<std::size_t>(at - first));
    }
  };
  double * const rhoData = rho.data();
  double * const nuData = nu.data();
  forEachFlagged(rhoFallback, [&](std::size_t i) {
    // Among p, start on both sides of p[i]: the window (w >= 0) also leaves out p[i].
    rhoData[i] = KthDistance<K, true>(p, i, i + 1, p.values[i], p.times[i], w, k, belowData, aboveData);
  });
  forEachFlagged(nuFallback, [&](std::size_t i) {
    const std::size_t r = insertion[i];
    nuData[i] = crossWindow ? KthDistance<K, true>(q, r, r, p.values[i], p.times[i], w, k, belowData, aboveData)
                            : KthDistance<K, false>(q, r, r, p.values[i], p.times[i], w, k, belowData, aboveData);
  });
  if (IsContiguous(p) && IsContiguous(q))
  {
    double               sum = 0.0;
    const LogRatioInputs inputs{ rhoData, nuData, p.times, p.size, q.size, static_cast<double>(window), crossWindow };
    if (SumOfLogRatiosWithoutGaps(inputs, sum))
    {
      return sum / static_cast<double>(n);
    }
  }
  return SumOfLogRatios(p, q, rhoData, nuData, window, crossWindow);
}

// A sorted vector of samples in the padded layout of SortedPair.
class PaddedSeries
{
public:
  explicit PaddedSeries(const std::vector<TimedSample> & samples)
    : m_Values(samples.size() + 2 * SortedPair::Padding)
    , m_Times(samples.size() + 2 * SortedPair::Padding)
    , m_Size(samples.size())
  {
    constexpr std::size_t padding = SortedPair::Padding;
    std::fill_n(m_Values.begin(), padding, -std::numeric_limits<double>::infinity());
    std::fill_n(m_Values.end() - padding, padding, std::numeric_limits<double>::infinity());
    std::fill_n(m_Times.begin(), padding, -(1 << 30));
    std::fill_n(m_Times.end() - padding, padding, 1 << 30);
    for (std::size_t i = 0; i < samples.size(); ++i)
    {
      m_Values[padding + i] = samples[i].value;
      m_Times[padding + i] = static_cast<std::int32_t>(samples[i].time);
    }
  }

  SortedSeries
  View() const
  {
    return { m_Values.data() + SortedPair::Padding, m_Times.data() + SortedPair::Padding, m_Size };
  }

private:
  std::vector<double>       m_Values;
  std::vector<std::int32_t> m_Times;
  std::size_t               m_Size;
};

} // namespace

double
NearestNeighbourKL(SortedSeries          p,
                   SortedSeries          q,
                   const std::uint32_t * insertion,
                   unsigned int          k,
                   unsigned int          window,
                   bool                  crossWindow)
{
  switch (k)
  {
    case 1:
      return NearestNeighbourKLSorted<1>(p, q, insertion, k, window, crossWindow);
    case 3:
      return NearestNeighbourKLSorted<3>(p, q, insertion, k, window, crossWindow);
    case 5:
      return NearestNeighbourKLSorted<5>(p, q, insertion, k, window, crossWindow);
    case 10:
      return NearestNeighbourKLSorted<10>(p, q, insertion, k, window, crossWindow);
    default:
      return NearestNeighbourKLSorted<0>(p, q, insertion, k, window, crossWindow);
  }
}

double
NearestNeighbourKL(const std::vector<TimedSample> & p,
                   const std::vector<TimedSample> & q,
                   unsigned int                     k,
                   unsigned int                     window,
                   bool                             crossWindow)
{
  // insertion[i]: the first q sample >= p[i].
  std::vector<std::uint32_t> insertion(p.size());
  std::size_t                r = 0;
  for (std::size_t i = 0; i < p.size(); ++i)
  {
    while (r < q.size() && q[r].value < p[i].value)
    {
      ++r;
    }
    insertion[i] = static_cast<std::uint32_t>(r);
  }
  const PaddedSeries paddedP(p);
  const PaddedSeries paddedQ(q);
  return NearestNeighbourKL(paddedP.View(), paddedQ.View(), insertion.data(), k, window, crossWindow);
}

std::size_t
NearestNeighbourMinimumSamples(unsigned int k, unsigned int window)
{
  return 2 * static_cast<std::size_t>(window) + k + 1;
}

// v - v is 0 for finite v, NaN otherwise: one sum tells.
namespace
{
// A double is NaN or infinite where its exponent bits are all ones; adding one to the
// exponent field then carries into the sign bit. Integer operations only, with no chain
// from one value to the next but the bitwise or: vectorised on any x86-64.
VOXELKL_KERNEL_CLONES bool
AllFiniteBits(const double * values, std::size_t count)
{
  constexpr std::uint64_t Exponent = 0x7FF0000000000000ULL;
  constexpr std::uint64_t ExponentOne = 0x0010000000000000ULL;
  std::uint64_t           carries = 0;
  for (std::size_t t = 0; t < count; ++t)
  {
    std::uint64_t bits = 0;
    std::memcpy(&bits, values + t, sizeof bits);
    carries |= (bits & Exponent) + ExponentOne;
  }
  return (carries >> 63) == 0;
}
} // namespace

bool
AllFinite(const double * values, std::size_t count)
{
  return AllFiniteBits(values, count);
}

namespace
{

// LagOneAutocorrelation of N series without gaps, each of count values: the same
// quantities, in passes without a branch per sample (the usual case, and one that runs for
// every voxel). Each pass takes the N series in one loop: a series' sums are chains of
// additions, one per lane, and two series' chains run side by side where one series'
// would wait on its own. Each series' arithmetic is what it would be alone.
template <std::size_t W, std::size_t N>
VOXELKL_INLINE_INTO_CLONES void
LagOneAutocorrelationWithoutGapsIn(const double * const (&values)[N], std::size_t count, double (&phi)[N])
{
  constexpr std::size_t Parts = LaneCount / W;
  Part<W>               sums[N][Parts];
  Part<W>               lowest[N][Parts];
  Part<W>               highest[N][Parts];
  for (std::size_t s = 0; s < N; ++s)
  {
    for (std::size_t k = 0; k < Parts; ++k)
    {
      sums[s][k] = Part<W>{};
      lowest[s][k] = Part<W>{} + values[s][0];
      highest[s][k] = lowest[s][k];
    }
  }
  ForEachInLanes<W>(
    0,
    count,
    [&](std::size_t t, std::size_t k, Part<W>) {
      for (std::size_t s = 0; s < N; ++s)
      {
        Part<W> v;
        LoadPart<W>(values[s] + t + k * W, v);
        sums[s][k] += v;
        lowest[s][k] = v < lowest[s][k] ? v : lowest[s][k];
        highest[s][k] = v > highest[s][k] ? v : highest[s][k];
      }
    },
    [&](std::size_t j, std::size_t t) {
      for (std::size_t s = 0; s < N; ++s)
      {
        SetLane<W>(sums[s], j, Lane<W>(sums[s], j) + values[s][t]);
        SetLane<W>(lowest[s], j, std::min(Lane<W>(lowest[s], j), values[s][t]));
        SetLane<W>(highest[s], j, std::max(Lane<W>(highest[s], j), values[s][t]));
      }
    });
  const auto   n = static_cast<double>(count);
  const double timeMean = (n - 1.0) / 2.0;
  bool         constant[N];
  double       valueMean[N];
  for (std::size_t s = 0; s < N; ++s)
  {
    double low = Lane<W>(lowest[s], 0);
    double high = Lane<W>(highest[s], 0);
    for (std::size_t j = 1; j < LaneCount; ++j)
    {
      low = std::min(low, Lane<W>(lowest[s], j));
      high = std::max(high, Lane<W>(highest[s], j));
    }
    constant[s] = low == high; // 0 (see LagOneAutocorrelation); its passes below are discarded
    valueMean[s] = AddLanes<W>(sums[s]) / n;
  }
  Part<W> crossProducts[N][Parts]{};
  Part<W> valueSquares[N][Parts]{};
  ForEachInLanes<W>(
    0,
    count,
    [&](std::size_t t, std::size_t k, Part<W> time) {
      for (std::size_t s = 0; s < N; ++s)
      {
        Part<W> v;
        LoadPart<W>(values[s] + t + k * W, v);
        const Part<W> dv = v - valueMean[s];
        crossProducts[s][k] += (time - timeMean) * dv;
        valueSquares[s][k] += dv * dv;
      }
    },
    [&](std::size_t j, std::size_t t) {
      for (std::size_t s = 0; s < N; ++s)
      {
        const double dv = values[s][t] - valueMean[s];
        SetLane<W>(crossProducts[s],
                   j,
                   Lane<W>(crossProducts[s], j) +
                     ((static_cast<double>(static_cast<std::int32_t>(t)) - timeMean) * dv));
        SetLane<W>(valueSquares[s], j, Lane<W>(valueSquares[s], j) + (dv * dv));
      }
    });
  // sum (t - mean)^2 over t = 0..n-1, exact for any series length that fits in memory.
  const double timeSquares = n * (n * n - 1.0) / 12.0;
  double       slope[N];
  for (std::size_t s = 0; s < N; ++s)
  {
    slope[s] = AddLanes<W>(crossProducts[s]) / timeSquares;
  }
  auto residual = [&](std::size_t s, std::size_t t) {
    return values[s][t] - valueMean[s] - slope[s] * (static_cast<double>(static_cast<std::int32_t>(t)) - timeMean);
  };
  Part<W> squares[N][Parts]{};
  Part<W> lagged[N][Parts]{};
  for (std::size_t s = 0; s < N; ++s)
  {
    SetLane<W>(squares[s], 0, residual(s, 0) * residual(s, 0));
  }
  ForEachInLanes<W>(
    1,
    count,
    [&](std::size_t t, std::size_t k, Part<W> time) {
      for (std::size_t s = 0; s < N; ++s)
      {
        Part<W> v;
        Part<W> previous;
        LoadPart<W>(values[s] + t + k * W, v);
        LoadPart<W>(values[s] + t + k * W - 1, previous);
        const Part<W> e = v - valueMean[s] - slope[s] * (time - timeMean);
        const Part<W> before = previous - valueMean[s] - slope[s] * ((time - 1.0) - timeMean);
        squares[s][k] += e * e;
        lagged[s][k] += before * e;
      }
    },
    [&](std::size_t j, std::size_t t) {
      for (std::size_t s = 0; s < N; ++s)
      {
        const double e = residual(s, t);
        SetLane<W>(squares[s], j, Lane<W>(squares[s], j) + (e * e));
        SetLane<W>(lagged[s], j, Lane<W>(lagged[s], j) + (residual(s, t - 1) * e));
      }
    });
  for (std::size_t s = 0; s < N; ++s)
  {
    const double squareSum = AddLanes<W>(squares[s]);
    phi[s] =
      !constant[s] && squareSum > 1e-20 * AddLanes<W>(valueSquares[s]) ? AddLanes<W>(lagged[s]) / squareSum : 0.0;
  }
}

// The kernels per instruction set (GCC on x86-64; elsewhere the portable width only).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VOXELKL_LANE_WIDTHS 1
template <std::size_t N>
__attribute__((target("arch=x86-64-v4"))) void
LagOneAutocorrelationsWithoutGaps8(const double * const (&values)[N], std::size_t count, double (&phi)[N])
{
  LagOneAutocorrelationWithoutGapsIn<8, N>(values, count, phi);
}
template <std::size_t N>
__attribute__((target("arch=x86-64-v3"))) void
LagOneAutocorrelationsWithoutGaps4(const double * const (&values)[N], std::size_t count, double (&phi)[N])
{
  LagOneAutocorrelationWithoutGapsIn<4, N>(values, count, phi);
}
__attribute__((target("arch=x86-64-v4"))) bool
SumOfLogRatiosWithoutGaps8(const LogRatioInputs & in, double & sum)
{
  return SumOfLogRatiosWithoutGapsIn<8>(in, sum);
}
__attribute__((target("arch=x86-64-v3"))) bool
SumOfLogRatiosWithoutGaps4(const LogRatioInputs & in, double & sum)
{
  return SumOfLogRatiosWithoutGapsIn<4>(in, sum);
}
#endif

// The widest lane width this CPU runs: 8 (AVX-512), 4 (AVX2) or 2. With
// VOXELKL_PORTABLE_KERNELS set (as for the neighbour kernels), what a CPU without AVX-512
// runs.
std::size_t
WidestLaneWidth()
{
#if VOXELKL_LANE_WIDTHS
  const char * portable = std::getenv("VOXELKL_PORTABLE_KERNELS");
  const bool   noAvx512 = portable != nullptr && *portable != '\0' && std::string(portable) != "0";
  if (!noAvx512 && __builtin_cpu_supports("x86-64-v4"))
  {
    return 8;
  }
  if (__builtin_cpu_supports("x86-64-v3"))
  {
    return 4;
  }
#endif
  return 2;
}

std::atomic<std::size_t> &
ChosenLaneWidth()
{
  static std::atomic<std::size_t> chosen{ WidestLaneWidth() };
  return chosen;
}

bool
SumOfLogRatiosWithoutGaps(const LogRatioInputs & in, double & sum)
{
  switch (ChosenLaneWidth().load(std::memory_order_relaxed))
  {
#if VOXELKL_LANE_WIDTHS
    case 8:
      return SumOfLogRatiosWithoutGaps8(in, sum);
    case 4:
      return SumOfLogRatiosWithoutGaps4(in, sum);
#endif
    default:
      return SumOfLogRatiosWithoutGapsIn<2>(in, sum);
  }
}

template <std::size_t N>
void
LagOneAutocorrelationsWithoutGaps(const double * const (&values)[N], std::size_t count, double (&phi)[N])
{
  switch (ChosenLaneWidth().load(std::memory_order_relaxed))
  {
#if VOXELKL_LANE_WIDTHS
    case 8:
      return LagOneAutocorrelationsWithoutGaps8<N>(values, count, phi);
    case 4:
      return LagOneAutocorrelationsWithoutGaps4<N>(values, count, phi);
#endif
    default:
      return LagOneAutocorrelationWithoutGapsIn<2, N>(values, count, phi);
  }
}

// Whether a series takes the passes without gaps (else LagAutocorrelationSums).
bool
WithoutGaps(const double * values, std::size_t count)
{
  return count >= 3 && count <= 0x7FFFFFFF && AllFinite(values, count);
}

} // namespace

namespace detail
{
bool
LaneWidthRuns(std::size_t width)
{
#if VOXELKL_LANE_WIDTHS
  return width == 2 || (width == 4 && __builtin_cpu_supports("x86-64-v3")) ||
         (width == 8 && __builtin_cpu_supports("x86-64-v4"));
#else
  return width == 2;
#endif
}

void
UseLaneWidth(std::size_t width)
{
  ChosenLaneWidth() = LaneWidthRuns(width) ? width : WidestLaneWidth();
}
} // namespace detail

AutocorrelationSums
LagAutocorrelationSums(const double * values, std::size_t count, std::size_t lag)
{
  AutocorrelationSums sums;
  double              timeSum = 0.0;
  double              valueSum = 0.0;
  std::size_t         finite = 0;
  double              lowest = std::numeric_limits<double>::infinity();
  double              highest = -std::numeric_limits<double>::infinity();
  for (std::size_t t = 0; t < count; ++t)
  {
    if (std::isfinite(values[t]))
    {
      timeSum += static_cast<double>(t);
      valueSum += values[t];
      ++finite;
      lowest = std::min(lowest, values[t]);
      highest = std::max(highest, values[t]);
    }
  }
  // A constant series by comparison: the rounded mean of equal values need not equal them.
  if (finite < 3 || lowest == highest)
  {
    return sums;
  }
  // The least-squares line over time: a drift is not autocorrelation, and would make the
  // window as long as the series.
  const double timeMean = timeSum / static_cast<double>(finite);
  const double valueMean = valueSum / static_cast<double>(finite);
  double       timeSquares = 0.0;
  double       crossProducts = 0.0;
  for (std::size_t t = 0; t < count; ++t)
  {
    if (std::isfinite(values[t]))
    {
      const double dt = static_cast<double>(t) - timeMean;
      const double dv = values[t] - valueMean;
      timeSquares += dt * dt;
      crossProducts += dt * dv;
      sums.valueSquares += dv * dv;
    }
  }
  const double slope = crossProducts / timeSquares;
  auto residual = [&](std::size_t t) { return values[t] - valueMean - slope * (static_cast<double>(t) - timeMean); };
  for (std::size_t t = 0; t < count; ++t)
  {
    if (!std::isfinite(values[t]))
    {
      continue;
    }
    const double e = residual(t);
    sums.squares += e * e;
    if (t + lag < count && std::isfinite(values[t + lag]))
    {
      sums.lagged += e * residual(t + lag);
    }
  }
  return sums;
}

double
AutocorrelationSums::Value() const
{
  // A straight line leaves residuals of rounding size only: no autocorrelation to measure.
  return squares > 1e-20 * valueSquares ? lagged / squares : 0.0;
}

double
LagOneAutocorrelation(const double * values, std::size_t count)
{
  if (WithoutGaps(values, count))
  {
    const double * const series[1] = { values };
    double               phi[1];
    LagOneAutocorrelationsWithoutGaps<1>(series, count, phi);
    return phi[0];
  }
  return LagAutocorrelationSums(values, count, 1).Value();
}

double
LargerLagOneAutocorrelation(const double * a, std::size_t aCount, const double * b, std::size_t bCount)
{
  if (aCount == bCount && WithoutGaps(a, aCount) && WithoutGaps(b, bCount))
  {
    const double * const series[2] = { a, b };
    double               phi[2];
    LagOneAutocorrelationsWithoutGaps<2>(series, aCount, phi);
    return std::max(phi[0], phi[1]);
  }
  return std::max(LagOneAutocorrelation(a, aCount), LagOneAutocorrelation(b, bCount));
}

unsigned int
AutomaticTheilerWindow(double phi, std::size_t timePoints, unsigned int k)
{
  if (timePoints < 2)
  {
    return 0;
  }
  const std::size_t quarter = (timePoints - 1) / 4;
  const std::size_t keepK = timePoints - 1 > k ? (timePoints - 1 - k) / 2 : 0;
  const auto        cap = static_cast<double>(std::min(quarter, keepK));
  if (!(phi > 0.0))
  {
    return 0;
  }
  // phi >= 1 (a trend): as long as allowed. -ln(phi) > 0 otherwise.
  const double window = phi < 1.0 ? std::ceil(3.0 / -std::log(phi)) : cap;
  return static_cast<unsigned int>(std::min(window, cap));
}

double
DequantisationUniform(std::uint64_t voxel, unsigned int series, std::uint32_t time)
{
  // SplitMix64 (Steele, Lea & Flood 2014) of the sample's coordinates: a counter-based
  // generator, so no state is carried between voxels or threads.
  std::uint64_t z =
    voxel * 0x9E3779B97F4A7C15ULL ^ (static_cast<std::uint64_t>(time) << 1 | (series & 1u)) * 0xD1B54A32D192ED03ULL;
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53; // the top 53 bits: [0, 1)
}

void
Dequantise(std::vector<TimedSample> & samples, double step, std::uint64_t voxel, unsigned int series)
{
  for (TimedSample & s : samples)
  {
    s.value += step * (DequantisationUniform(voxel, series, s.time) - 0.5);
  }
  SortByValue(samples);
}

bool
HasTies(const std::vector<TimedSample> & sorted)
{
  for (std::size_t i = 1; i < sorted.size(); ++i)
  {
    if (sorted[i].value == sorted[i - 1].value)
    {
      return true;
    }
  }
  return false;
}

bool
SharesValue(const std::vector<TimedSample> & a, const std::vector<TimedSample> & b)
{
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size())
  {
    if (a[i].value == b[j].value)
    {
      return true;
    }
    a[i].value < b[j].value ? ++i : ++j;
  }
  return false;
}

double
SmallestGap(const std::vector<TimedSample> & sorted)
{
  double gap = 0.0;
  for (std::size_t i = 1; i < sorted.size(); ++i)
  {
    const double d = sorted[i].value - sorted[i - 1].value;
    if (d > 0.0 && (gap == 0.0 || d < gap))
    {
      gap = d;
    }
  }
  return gap;
}

namespace
{

// Type 7 quantile of ascending values (numpy's default).
double
Quantile(const std::vector<double> & sorted, double fraction)
{
  const double      position = fraction * static_cast<double>(sorted.size() - 1);
  const auto        below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

} // namespace

unsigned int
FreedmanDiaconisBins(const std::vector<double> & pooledSorted)
{
  const std::size_t n = pooledSorted.size();
  if (n < 2)
  {
    return 1;
  }
  const double range = pooledSorted.back() - pooledSorted.front();
  if (!(range > 0.0))
  {
    return 1;
  }
  double       width = 2.0 * (Quantile(pooledSorted, 0.75) - Quantile(pooledSorted, 0.25));
  const double root = std::cbrt(static_cast<double>(n));
  if (!(width > 0.0))
  {
    // Over half the samples share a value: Scott's rule from the standard deviation.
    double mean = 0.0;
    for (const double v : pooledSorted)
    {
      mean += v;
    }
    mean /= static_cast<double>(n);
    double squares = 0.0;
    for (const double v : pooledSorted)
    {
      squares += (v - mean) * (v - mean);
    }
    width = 3.49 * std::sqrt(squares / static_cast<double>(n));
    width = width > 0.0 ? width : range;
  }
  return static_cast<unsigned int>(std::clamp(std::ceil(range / (width / root)), 1.0, static_cast<double>(n)));
}

HistogramDivergences
HistogramKL(SortedSeries p, SortedSeries q, unsigned int bins, double pseudocount)
{
  thread_local std::vector<double> pooled;
  pooled.resize(p.size + q.size);
  std::merge(p.values, p.values + p.size, q.values, q.values + q.size, pooled.begin());
  HistogramDivergences result;
  result.bins = bins > 0 ? bins : FreedmanDiaconisBins(pooled);
  const double low = pooled.front();
  const double range = pooled.back() - low;
  // Bin of v: floor((v - low) * (bins / range)), the top edge in the last bin.
  const double perUnit = range > 0.0 ? static_cast<double>(result.bins) / range : 0.0;
  const auto   count = [&](SortedSeries samples) {
    std::vector<double> counts(result.bins, 0.0);
    for (std::size_t i = 0; i < samples.size; ++i)
    {
      const auto bin = std::min(static_cast<std::size_t>((samples.values[i] - low) * perUnit), counts.size() - 1);
      counts[bin] += 1.0;
    }
    return counts;
  };
  const std::vector<double> pCounts = count(p);
  const std::vector<double> qCounts = count(q);
  const double              pTotal = static_cast<double>(p.size) + result.bins * pseudocount;
  const double              qTotal = static_cast<double>(q.size) + result.bins * pseudocount;
  for (std::size_t b = 0; b < result.bins; ++b)
  {
    const double pj = (pCounts[b] + pseudocount) / pTotal;
    const double qj = (qCounts[b] + pseudocount) / qTotal;
    // A bin with no mass on one side adds nothing to the KL from that side (0 ln 0 = 0).
    if (pj > 0.0)
    {
      result.forward += pj * std::log(pj / qj);
    }
    if (qj > 0.0)
    {
      result.reverse += qj * std::log(qj / pj);
    }
  }
  return result;
}

HistogramDivergences
HistogramKL(const std::vector<TimedSample> & p,
            const std::vector<TimedSample> & q,
            unsigned int                     bins,
            double                           pseudocount)
{
  const PaddedSeries paddedP(p);
  const PaddedSeries paddedQ(q);
  return HistogramKL(paddedP.View(), paddedQ.View(), bins, pseudocount);
}

} // namespace voxelkl
