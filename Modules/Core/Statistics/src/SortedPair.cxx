#include "voxelkl/SortedPair.h"

#include "NearestNeighbourKernels.h"
#include "voxelkl/KernelClones.h"

#include <algorithm>
#include <cstring>
#include <limits>

// The AVX-512 forms of the split and of two-pass sorts (GCC on x86-64; chosen at run time
// with the k-NN kernels).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define VOXELKL_AVX512_SORT 1
#include <immintrin.h>
#endif

// GCC 12's intrinsic headers use _mm512_undefined_*() as the don't-care source of their
// unmasked forms and then warn that it "is" or "may be used uninitialized" (GCC PR 105593,
// fixed in GCC 13): a false positive in the compiler's own header.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ < 13
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

namespace voxelkl
{
namespace
{

constexpr std::uint64_t SignBit = 0x8000000000000000ULL;

// The widest radix digit (RadixSortWideDigits): keys of up to twice as many bits take two
// passes.
constexpr unsigned int WideDigitBits = 11;

// An unsigned integer in the same order as the finite double v: 2^63 + |v|'s bits for
// v >= 0, 2^63 - |v|'s bits for v < 0 (so -0 and +0 are one key). Unlike the usual
// "flip the bits of negatives", a negative float32 value keeps the 29 trailing zero bits
// of its double, which lets the sort key drop them.
VOXELKL_INLINE_INTO_CLONES std::uint64_t
                           OrderedKey(double v)
{
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  const std::uint64_t negative = bits >> 63;
  const std::uint64_t magnitude = bits & ~SignBit;
  return SignBit + ((magnitude ^ (0 - negative)) + negative);
}

// Far enough from any real time point that a window never reaches it, close enough to 0
// that differences with real time points cannot overflow.
constexpr std::int32_t PaddingTimeBelow = -(1 << 30);
constexpr std::int32_t PaddingTimeAbove = 1 << 30;

// keys[i] = OrderedKey(values[i]); lowest and highest take in the extremes. Vectorised per
// instruction set: 64-bit minima need AVX-512.
// zeros: whether a value is +0 or -0 (key SignBit) is or-ed into it.
VOXELKL_KERNEL_CLONES void
OrderedKeys(const double *  values,
            std::size_t     count,
            std::uint64_t * keys,
            std::uint64_t & lowest,
            std::uint64_t & highest,
            bool &          zeros)
{
  std::uint64_t low = lowest;
  std::uint64_t high = highest;
  std::uint64_t zero = 0;
  for (std::size_t i = 0; i < count; ++i)
  {
    const std::uint64_t key = OrderedKey(values[i]);
    keys[i] = key;
    low = std::min(low, key);
    high = std::max(high, key);
    zero |= key == SignBit ? 1u : 0u;
  }
  lowest = low;
  highest = high;
  zeros = zeros || zero != 0;
}

// The bits in which any key differs from the lowest, and the sort items
// ((key - lowest) >> shift) << 32 | index.
VOXELKL_KERNEL_CLONES std::uint64_t
                      UsedBits(const std::uint64_t * keys, std::size_t count, std::uint64_t lowest)
{
  std::uint64_t used = 0;
  for (std::size_t i = 0; i < count; ++i)
  {
    used |= keys[i] - lowest;
  }
  return used;
}

VOXELKL_KERNEL_CLONES void
MakeItems(const std::uint64_t * keys, std::size_t count, std::uint64_t lowest, int shift, std::uint64_t * items)
{
  for (std::size_t i = 0; i < count; ++i)
  {
    items[i] = ((keys[i] - lowest) >> shift) << 32 | i;
  }
}

} // namespace

void
SortedPair::Sort(const double * const values[2], const std::int32_t * const times[2], const std::size_t size[2])
{
  const std::size_t total = size[0] + size[1];
  m_Keys.resize(total);
  m_Items.resize(total);
  m_PooledValues.resize(total);
  m_PooledTimes.resize(total);
  std::uint64_t lowest = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t highest = 0;
  // Time points 0, 1, ... in both series (no sample left out: the usual case) are known
  // from each sample's pooled index, and are not copied.
  auto inOrder = [](const std::int32_t * t, std::size_t n) {
    return n == 0 || (t[0] == 0 && t[n - 1] == static_cast<std::int32_t>(n - 1)); // strictly increasing
  };
  m_TimesInOrder = inOrder(times[0], size[0]) && inOrder(times[1], size[1]);
  bool zeros = false;
  for (std::size_t s = 0, offset = 0; s < 2; offset += size[s], ++s)
  {
    OrderedKeys(values[s], size[s], m_Keys.data() + offset, lowest, highest, zeros);
    std::copy_n(values[s], size[s], m_PooledValues.begin() + static_cast<std::ptrdiff_t>(offset));
    if (!m_TimesInOrder)
    {
      std::copy_n(times[s], size[s], m_PooledTimes.begin() + static_cast<std::ptrdiff_t>(offset));
    }
  }
  // The sort key: the key relative to the lowest, less the trailing bits no key uses.
  const std::uint64_t used = UsedBits(m_Keys.data(), total, lowest);
  int                 shift = 0;
  m_Passes = 0;
  m_Exact = true;
  if (used != 0)
  {
    const int           trailing = __builtin_ctzll(used);
    const std::uint64_t range = (highest - lowest) >> trailing;
    const int           bits = 64 - __builtin_clzll(range);
    m_Exact = bits <= 32;
    shift = m_Exact ? trailing : trailing + bits - 24;
    m_Passes = m_Exact ? static_cast<unsigned int>((bits + 7) / 8) : 3;
    // Keys of 17 to 22 bits (float32 data within an octave or two, the usual fMRI voxel)
    // take two passes of wider digits where the counts' running sums are vectorised.
    m_LowDigitBits = 8;
#ifdef VOXELKL_AVX512_SORT
    if (m_Exact && bits >= 17 && bits <= 2 * static_cast<int>(WideDigitBits) && detail::Avx512KernelsChosen())
    {
      m_Passes = 2;
      m_LowDigitBits = static_cast<unsigned int>(bits - bits / 2);
    }
#endif
  }
  MakeItems(m_Keys.data(), total, lowest, shift, m_Items.data());
  m_ValuesFromKeys = m_Exact && !zeros;
  m_LowestKey = lowest;
  m_KeyShift = static_cast<unsigned int>(shift);
  const unsigned int topShift = m_Passes > 1 ? m_LowDigitBits + 8 * (m_Passes - 2) : 0;
  RadixSort(total, m_Passes > 0 ? static_cast<unsigned int>(((highest - lowest) >> shift) >> topShift) + 1 : 0);

  m_Size[0] = size[0];
  m_Size[1] = size[1];
  Split();
}

void
SortedPair::Resort(const double * const values[2])
{
  const std::size_t total = m_Size[0] + m_Size[1];
  std::uint64_t     lowest = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t     highest = 0;
  bool              zeros = false;
  for (std::size_t s = 0, offset = 0; s < 2; offset += m_Size[s], ++s)
  {
    OrderedKeys(values[s], m_Size[s], m_Keys.data() + offset, lowest, highest, zeros);
    std::copy_n(values[s], m_Size[s], m_PooledValues.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  // The items' sort keys are of the old values: drop them, and order the items by their
  // keys alone, starting from the old order, which the small changes barely disturb.
  for (std::uint64_t & item : m_Items)
  {
    item &= 0xFFFFFFFFu;
  }
  m_Exact = false;
  m_ValuesFromKeys = false;
  OrderEqualSortKeys(total);
  Split();
}

namespace
{

// Where the split writes: SortedPair's arrays, values and times past the padding of
// series 0 (series 1 from secondStart), insertion points unpadded (series 1 from
// firstSize).
struct SplitTarget
{
  const std::uint64_t * items;
  const double *        pooledValues;
  const std::int32_t *  pooledTimes; // null: time points 0, 1, ... in each series
  double *              values;
  std::int32_t *        times;
  std::uint32_t *       insertion;
  std::uint32_t         firstSize;
  std::uint32_t         secondStart;
  bool                  valuesFromKeys; // SortedPair::m_ValuesFromKeys, with:
  std::uint64_t         lowestKey;
  unsigned int          keyShift;
};

// Items [begin, end) of the pooled order, count0 of series 0 before them. The count stays
// in a register (a count indexed by the series would make each item wait for the previous
// one's store), and the stores go to one series or the other by arithmetic on the index,
// without a branch: which series comes next is a coin toss. The series 1 count is derived
// from i, not kept: one value fewer carried from one item to the next.
void
SplitItems(const SplitTarget & to, std::uint32_t begin, std::uint32_t end, std::uint32_t count0)
{
  for (std::uint32_t i = begin; i < end; ++i)
  {
    const auto          index = static_cast<std::uint32_t>(to.items[i]);
    const std::uint32_t mask = index >= to.firstSize ? ~0u : 0u; // all ones for series 1
    const std::uint32_t count1 = i - count0;
    const std::uint32_t at = (count1 & mask) | (count0 & ~mask);
    to.insertion[at + (to.firstSize & mask)] = (count0 & mask) | (count1 & ~mask);
    to.values[at + (to.secondStart & mask)] = to.pooledValues[index];
    to.times[at + (to.secondStart & mask)] =
      to.pooledTimes != nullptr ? to.pooledTimes[index] : static_cast<std::int32_t>(index - (to.firstSize & mask));
    count0 += ~mask & 1u;
  }
}

#ifdef VOXELKL_AVX512_SORT
// The values of eight items whose sort keys are exact and not of 0 (SortedPair's
// m_ValuesFromKeys): OrderedKey undone, key SignBit + b for b = the bits of v >= 0 and
// SignBit - m for the magnitude m of v < 0. Integer arithmetic in registers, where a gather
// of the values waited on eight loads.
__attribute__((target("avx512f,avx512vl"), always_inline)) inline __m512d
ValuesOfKeys(__m512i items, __m512i lowestKey, __m128i keyShift)
{
  const __m512i  signBit = _mm512_set1_epi64(static_cast<long long>(SignBit));
  const __m512i  key = _mm512_add_epi64(_mm512_sll_epi64(_mm512_srli_epi64(items, 32), keyShift), lowestKey);
  const __mmask8 positive = _mm512_cmpge_epu64_mask(key, signBit);
  const __m512i  negative = _mm512_or_si512(_mm512_sub_epi64(signBit, key), signBit);
  return _mm512_castsi512_pd(_mm512_mask_sub_epi64(negative, positive, key, signBit));
}

// Eight items at a time: the samples of each series among them are consecutive in that
// series, so each series' values, times and insertion points are squeezed together
// (compress) and stored at once. A sample at pooled place P that is the r-th of its series
// has P - r samples of the other series below it: its insertion point. Data movement only:
// the same arrays as SplitItems.
__attribute__((target("avx512f,avx512vl"))) void
SplitItemsAvx512(const SplitTarget & to, std::uint32_t total)
{
  const __m512i lowHalf = _mm512_set1_epi64(0xFFFFFFFFLL);
  const __m512i firstSize = _mm512_set1_epi64(to.firstSize);
  const __m512i lanes = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
  const __m512i lowestKey = _mm512_set1_epi64(static_cast<long long>(to.lowestKey));
  const __m128i keyShift = _mm_cvtsi32_si128(static_cast<int>(to.keyShift));
  std::uint32_t count0 = 0;
  std::uint32_t i = 0;
  for (; i + 8 <= total; i += 8)
  {
    const __m512i  item = _mm512_loadu_si512(to.items + i);
    const __m512i  index = _mm512_and_si512(item, lowHalf);
    const __mmask8 second = _mm512_cmpge_epu64_mask(index, firstSize);
    const __m512d  values =
      to.valuesFromKeys ? ValuesOfKeys(item, lowestKey, keyShift) : _mm512_i64gather_pd(index, to.pooledValues, 8);
    const __m256i       times = to.pooledTimes != nullptr
                                  ? _mm512_i64gather_epi32(index, to.pooledTimes, 4)
                                  : _mm512_cvtepi64_epi32(_mm512_mask_sub_epi64(index, second, index, firstSize));
    const __m512i       places = _mm512_add_epi64(lanes, _mm512_set1_epi64(i));
    const std::uint32_t count1 = i - count0;
    for (const bool ofSecond : { false, true })
    {
      const __mmask8      in = ofSecond ? second : static_cast<__mmask8>(~second);
      const std::uint32_t before = ofSecond ? count1 : count0; // of this series
      const auto          stored = static_cast<__mmask8>((1u << __builtin_popcount(in)) - 1u);
      const std::uint32_t at = before + (ofSecond ? to.secondStart : 0u);
      const __m512i       ranks = _mm512_add_epi64(lanes, _mm512_set1_epi64(before));
      const __m512i       below = _mm512_sub_epi64(_mm512_maskz_compress_epi64(in, places), ranks);
      _mm512_mask_storeu_pd(to.values + at, stored, _mm512_maskz_compress_pd(in, values));
      _mm256_mask_storeu_epi32(to.times + at, stored, _mm256_maskz_compress_epi32(in, times));
      _mm256_mask_storeu_epi32(
        to.insertion + before + (ofSecond ? to.firstSize : 0u), stored, _mm512_cvtepi64_epi32(below));
    }
    count0 += static_cast<std::uint32_t>(8 - __builtin_popcount(second));
  }
  SplitItems(to, i, total, count0);
}
#endif

} // namespace

// One pass over the pooled order: each series' samples and their place in the other
// series.
void
SortedPair::SplitPooled()
{
  const auto        total = static_cast<std::uint32_t>(m_Size[0] + m_Size[1]);
  const SplitTarget to{ m_Items.data(),
                        m_PooledValues.data(),
                        m_TimesInOrder ? nullptr : m_PooledTimes.data(),
                        m_Values.data() + Padding,
                        m_Times.data() + Padding,
                        m_Insertion.data(),
                        static_cast<std::uint32_t>(m_Size[0]),
                        static_cast<std::uint32_t>(SecondStart() - Padding),
                        m_ValuesFromKeys,
                        m_LowestKey,
                        m_KeyShift };
#ifdef VOXELKL_AVX512_SORT
  if (detail::Avx512KernelsChosen())
  {
    SplitItemsAvx512(to, total);
    return;
  }
#endif
  SplitItems(to, 0, total, 0);
}

namespace
{

// Repeated values: equal values are neighbours in the pooled order, series 0 before
// series 1. A tie within a series is two neighbours of that series with one key, a value
// in both a neighbour pair of different series. Exact: the sort key, in the items, is the
// key. Returns RepeatKind bits: 1 shifted by how many of the two neighbours are of series
// 1, so that the pass is arithmetic on 64-bit lanes only, and vectorises.
enum RepeatKind : unsigned int
{
  TiedFirst = 1,
  Shared = 2,
  TiedSecond = 4
};

template <bool Exact>
VOXELKL_INLINE_INTO_CLONES unsigned int
RepeatsIn(const std::uint64_t * items, const std::uint64_t * keys, std::size_t count, std::uint32_t firstSize)
{
  std::uint64_t kinds = 0;
  for (std::size_t i = 1; i < count; ++i)
  {
    const std::uint64_t a = items[i - 1] & 0xFFFFFFFFu;
    const std::uint64_t b = items[i] & 0xFFFFFFFFu;
    const std::uint64_t same = Exact ? ((items[i - 1] ^ items[i]) >> 32) == 0 : keys[a] == keys[b];
    const std::uint64_t seconds = (a >= firstSize ? 1u : 0u) + (b >= firstSize ? 1u : 0u);
    kinds |= same << seconds;
  }
  return static_cast<unsigned int>(kinds);
}

// Whether two neighbours in the pooled order have one sort key: the usual answer (no) in a
// pass of fewer operations than RepeatsIn's.
VOXELKL_INLINE_INTO_CLONES bool
AnyEqualSortKeys(const std::uint64_t * items, std::size_t count)
{
  std::uint64_t equal = 0;
  for (std::size_t i = 1; i < count; ++i)
  {
    equal |= ((items[i - 1] ^ items[i]) >> 32) == 0 ? 1u : 0u;
  }
  return equal != 0;
}

VOXELKL_KERNEL_CLONES unsigned int
Repeats(const std::uint64_t * items, const std::uint64_t * keys, std::size_t count, std::uint32_t firstSize, bool exact)
{
  if (!exact)
  {
    return RepeatsIn<false>(items, keys, count, firstSize);
  }
  return AnyEqualSortKeys(items, count) ? RepeatsIn<true>(items, keys, count, firstSize) : 0u;
}

} // namespace

// Repeated values: ties within a series, values in both. The split counted the series 0
// samples equal to a series 1 sample as below it, which is right for series 0's insertion
// points (series 0 comes first among equal values) but not for series 1's: where the
// series share a value, a series 1 sample's place in series 0 is the count of series 0
// samples before its run of equal values. That is fixed when series 1's insertion points
// are first asked for (the reverse and symmetric directions; the forward one never does).
void
SortedPair::FindRepeats()
{
  const std::size_t  total = m_Size[0] + m_Size[1];
  const auto         firstSize = static_cast<std::uint32_t>(m_Size[0]);
  const unsigned int kinds = Repeats(m_Items.data(), m_Keys.data(), total, firstSize, m_Exact);
  m_Tied[0] = (kinds & TiedFirst) != 0;
  m_Tied[1] = (kinds & TiedSecond) != 0;
  m_Shared = (kinds & Shared) != 0;
  m_SecondInsertionPending = m_Shared;
}

void
SortedPair::FixSecondInsertion() const
{
  const std::size_t total = m_Size[0] + m_Size[1];
  const auto        firstSize = static_cast<std::uint32_t>(m_Size[0]);
  std::uint32_t     count0 = 0;
  std::uint32_t     firstBeforeRun = 0;
  std::uint64_t     previousKey = ~std::uint64_t{ 0 }; // no finite value's key
  for (std::uint32_t i = 0; i < total; ++i)
  {
    const auto          index = static_cast<std::uint32_t>(m_Items[i]);
    const std::uint64_t key = m_Exact ? m_Items[i] >> 32 : m_Keys[index];
    const unsigned int  second = index >= firstSize ? 1u : 0u;
    firstBeforeRun = key == previousKey ? firstBeforeRun : count0;
    // Only series 1's places are written (a store to series 0's own place, where the
    // value is unchanged, keeps the loop free of a branch on the series, a coin toss).
    const std::uint32_t mask = 0u - second;
    const std::uint32_t count1 = i - count0;
    m_Insertion[((count1 + firstSize) & mask) | (count0 & ~mask)] = (firstBeforeRun & mask) | (count1 & ~mask);
    count0 += second ^ 1u;
    previousKey = key;
  }
  m_SecondInsertionPending = false;
}

// Both series in one array each for values and times, padded on both sides, series 1
// after series 0: the split selects the series of a sample by arithmetic, not by a load.
void
SortedPair::Split()
{
  const std::size_t padded = m_Size[0] + m_Size[1] + 4 * Padding;
  m_Values.resize(padded);
  m_Times.resize(padded);
  m_Insertion.resize(m_Size[0] + m_Size[1]);
  for (const std::size_t start : { std::size_t{ Padding }, SecondStart() })
  {
    const std::size_t end = start + (start == Padding ? m_Size[0] : m_Size[1]);
    std::fill_n(m_Values.begin() + static_cast<std::ptrdiff_t>(start - Padding),
                Padding,
                -std::numeric_limits<double>::infinity());
    std::fill_n(m_Values.begin() + static_cast<std::ptrdiff_t>(end), Padding, std::numeric_limits<double>::infinity());
    std::fill_n(m_Times.begin() + static_cast<std::ptrdiff_t>(start - Padding), Padding, PaddingTimeBelow);
    std::fill_n(m_Times.begin() + static_cast<std::ptrdiff_t>(end), Padding, PaddingTimeAbove);
  }
  SplitPooled();
  FindRepeats();
}

namespace
{

// Stable LSD radix sort of items on the 8-bit digits of item >> 32, Passes of them;
// digits of the last pass are below topDigits. scratch: as large as items. Returns
// whether the sorted items ended in scratch.
template <unsigned int Passes>
bool
RadixSortPasses(std::uint64_t * items, std::uint64_t * scratch, std::size_t total, unsigned int topDigits)
{
  // Digit counts. The top digit takes few values (as many as the series spans of its key
  // range) and repeats from one time-ordered sample to the next, so its counts go to
  // four interleaved sets, else every increment would wait for the one before.
  constexpr unsigned int Top = Passes - 1;
  std::uint32_t          lower[Passes > 1 ? Passes - 1 : 1][256];
  std::uint32_t          top[4][256];
  for (unsigned int pass = 0; pass < Top; ++pass)
  {
    std::fill_n(lower[pass], 256, 0u);
  }
  for (auto & set : top)
  {
    std::fill_n(set, topDigits, 0u);
  }
  auto count = [&](std::uint64_t item, unsigned int set) {
    const std::uint64_t digits = item >> 32;
    for (unsigned int pass = 0; pass < Top; ++pass)
    {
      ++lower[pass][(digits >> (8 * pass)) & 0xFFu];
    }
    ++top[set][(digits >> (8 * Top)) & 0xFFu];
  };
  std::size_t i = 0;
  for (; i + 4 <= total; i += 4)
  {
    count(items[i], 0);
    count(items[i + 1], 1);
    count(items[i + 2], 2);
    count(items[i + 3], 3);
  }
  for (; i < total; ++i)
  {
    count(items[i], 0);
  }
  for (unsigned int d = 0; d < topDigits; ++d)
  {
    top[0][d] += top[1][d] + top[2][d] + top[3][d];
  }
  bool inScratch = false;
  for (unsigned int pass = 0; pass < Passes; ++pass)
  {
    const std::uint32_t * counts = pass == Top ? top[0] : lower[pass];
    const unsigned int    digits = pass == Top ? topDigits : 256;
    const unsigned int    shift = 32 + 8 * pass;
    if (counts[(items[0] >> shift) & 0xFFu] == total)
    {
      continue; // every item has the same digit: the pass would not move anything
    }
    // Two independent chains: the first half of the items fills each digit's range from
    // its start, the second half from its end, backwards. Stable, and twice the items in
    // flight of one pass from the front.
    std::uint32_t front[256];
    std::uint32_t back[256];
    std::uint32_t start = 0;
    for (unsigned int d = 0; d < digits; ++d)
    {
      front[d] = start;
      start += counts[d];
      back[d] = start;
    }
    const std::size_t half = total / 2;
    for (std::size_t j = 0; j < half; ++j)
    {
      const std::uint64_t first = items[j];
      const std::uint64_t last = items[total - 1 - j];
      scratch[front[(first >> shift) & 0xFFu]++] = first;
      scratch[--back[(last >> shift) & 0xFFu]] = last;
    }
    if (total % 2 != 0)
    {
      scratch[front[(items[half] >> shift) & 0xFFu]] = items[half];
    }
    std::swap(items, scratch);
    inScratch = !inScratch;
  }
  return inScratch;
}

#ifdef VOXELKL_AVX512_SORT
// starts[d] = counts[0] + ... + counts[d - 1] for d < n (n a multiple of 16; starts may be
// counts): sixteen running sums at a time, each the lanes' shifted sums plus the sum of
// the sixteen before.
__attribute__((target("avx512f"))) void
RunningSums(const std::uint32_t * counts, std::uint32_t * starts, unsigned int n)
{
  const __m512i zero = _mm512_setzero_si512();
  const __m512i lastLane = _mm512_set1_epi32(15);
  __m512i       before = zero;
  for (unsigned int d = 0; d < n; d += 16)
  {
    const __m512i v = _mm512_loadu_si512(counts + d);
    __m512i       sums = _mm512_add_epi32(v, _mm512_alignr_epi32(v, zero, 15));
    sums = _mm512_add_epi32(sums, _mm512_alignr_epi32(sums, zero, 14));
    sums = _mm512_add_epi32(sums, _mm512_alignr_epi32(sums, zero, 12));
    sums = _mm512_add_epi32(sums, _mm512_alignr_epi32(sums, zero, 8));
    sums = _mm512_add_epi32(sums, before);
    _mm512_storeu_si512(starts + d, _mm512_sub_epi32(sums, v));
    before = _mm512_permutexvar_epi32(lastLane, sums);
  }
}

// Stable LSD radix sort of items on item >> 32 in two passes: the low lowBits bits, then
// the rest (below topDigits). Digits of up to WideDigitBits bits: tables of up to 2048
// counts, whose running sums cost less than a third pass over the items once vectorised.
// Returns false: the sorted items end in items.
__attribute__((target("avx512f"))) bool
RadixSortWideDigits(std::uint64_t * items,
                    std::uint64_t * scratch,
                    std::size_t     total,
                    unsigned int    lowBits,
                    unsigned int    topDigits)
{
  constexpr unsigned int    Most = 1u << WideDigitBits;
  alignas(64) std::uint32_t low[Most];
  alignas(64) std::uint32_t top[Most];
  const unsigned int        lowDigits = 1u << lowBits;
  const std::uint64_t       lowMask = lowDigits - 1u;
  const unsigned int        topCounted = (topDigits + 15u) / 16u * 16u;
  std::fill_n(low, lowDigits, 0u);
  std::fill_n(top, topCounted, 0u);
  for (std::size_t i = 0; i < total; ++i)
  {
    const std::uint64_t key = items[i] >> 32;
    ++low[key & lowMask];
    ++top[key >> lowBits];
  }
  RunningSums(low, low, lowDigits);
  RunningSums(top, top, topCounted);
  for (std::size_t i = 0; i < total; ++i)
  {
    const std::uint64_t item = items[i];
    scratch[low[(item >> 32) & lowMask]++] = item;
  }
  for (std::size_t i = 0; i < total; ++i)
  {
    const std::uint64_t item = scratch[i];
    items[top[item >> (32 + lowBits)]++] = item;
  }
  return false;
}
#endif

} // namespace

void
SortedPair::RadixSort(std::size_t total, unsigned int topDigits)
{
  m_Scratch.resize(total);
  bool swapped = false;
#ifdef VOXELKL_AVX512_SORT
  if (m_Passes == 2 && m_LowDigitBits > 8)
  {
    swapped = RadixSortWideDigits(m_Items.data(), m_Scratch.data(), total, m_LowDigitBits, topDigits);
  }
  else
#endif
    switch (m_Passes)
    {
      case 1:
        swapped = RadixSortPasses<1>(m_Items.data(), m_Scratch.data(), total, topDigits);
        break;
      case 2:
        swapped = RadixSortPasses<2>(m_Items.data(), m_Scratch.data(), total, topDigits);
        break;
      case 3:
        swapped = RadixSortPasses<3>(m_Items.data(), m_Scratch.data(), total, topDigits);
        break;
      case 4:
        swapped = RadixSortPasses<4>(m_Items.data(), m_Scratch.data(), total, topDigits);
        break;
      default:
        break; // 0: every key is the same
    }
  if (swapped)
  {
    m_Items.swap(m_Scratch);
  }
  if (!m_Exact)
  {
    OrderEqualSortKeys(total);
  }
}

// Items whose sort keys are equal are adjacent: order them by (key, index), by insertion.
// The sort key is the key when it is exact, and then this has nothing to do.
void
SortedPair::OrderEqualSortKeys(std::size_t total)
{
  const auto before = [this](std::uint64_t a, std::uint64_t b) {
    if ((a >> 32) != (b >> 32))
    {
      return false; // a's sort key is below b's: ordered
    }
    const std::uint64_t keyA = m_Keys[static_cast<std::uint32_t>(a)];
    const std::uint64_t keyB = m_Keys[static_cast<std::uint32_t>(b)];
    return keyA < keyB || (keyA == keyB && static_cast<std::uint32_t>(a) < static_cast<std::uint32_t>(b));
  };
  for (std::size_t j = 1; j < total; ++j)
  {
    for (std::size_t k = j; k > 0 && before(m_Items[k], m_Items[k - 1]); --k)
    {
      std::swap(m_Items[k], m_Items[k - 1]);
    }
  }
}

SortedSeries
SortedPair::Series(unsigned int s) const
{
  const std::size_t start = s == 0 ? Padding : SecondStart();
  return { m_Values.data() + start, m_Times.data() + start, m_Size[s] };
}

double
SortedPair::SmallestGap(unsigned int s) const
{
  const SortedSeries series = Series(s);
  double             gap = 0.0;
  for (std::size_t i = 1; i < series.size; ++i)
  {
    const double d = series.values[i] - series.values[i - 1];
    if (d > 0.0 && (gap == 0.0 || d < gap))
    {
      gap = d;
    }
  }
  return gap;
}

} // namespace voxelkl
