#include "voxelkl/SampleSummary.h"

#include "voxelkl/MomentAccumulator.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace voxelkl
{

double
SortedPercentile(const std::vector<double> & sorted, double q)
{
  if (sorted.empty())
  {
    return 0.0;
  }
  const double      position = q / 100.0 * static_cast<double>(sorted.size() - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double      fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

namespace
{
// A key per value whose unsigned order is the values' order: the sign bit set for positive
// values, every bit flipped for negative ones. -0 takes +0's key: the two compare equal, and
// a percentile among zeros is then 0.
std::uint64_t
OrderKey(double value)
{
  std::uint64_t bits;
  const double  unsignedZero = value == 0.0 ? 0.0 : value;
  std::memcpy(&bits, &unsignedZero, sizeof bits);
  return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t{ 1 } << 63);
}

double
FromOrderKey(std::uint64_t key)
{
  const std::uint64_t bits = (key >> 63) != 0 ? key & ~(std::uint64_t{ 1 } << 63) : ~key;
  double              value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// The values at the given ranks of the sorted sample (each < the sample's size, in any
// order), without sorting it. The caller passes the lowest and highest OrderKey. One pass
// counts the keys in 65,536 buckets of the bits below the range's common prefix, one
// gathers the keys of the buckets the ranks fall in, and only those are sorted: the same
// order statistics as a sort. With the moments' pass, a map's 280,000 values took ~2.0 ms,
// where five nth_element selections took ~6 ms.
std::vector<double>
OrderStatistics(const std::vector<double> &      values,
                const std::vector<std::size_t> & ranks,
                std::uint64_t                    lowest,
                std::uint64_t                    highest)
{
  std::vector<double> statistics(ranks.size(), FromOrderKey(lowest));
  if (lowest == highest)
  {
    return statistics;
  }
  constexpr int            bucketBits = 16;
  const int                differingBits = 64 - __builtin_clzll(lowest ^ highest);
  const int                shift = std::max(0, differingBits - bucketBits);
  const auto               bucketOf = [&](std::uint64_t key) { return (key >> shift) - (lowest >> shift); };
  std::vector<std::size_t> starts(std::size_t{ 1 } << bucketBits, 0); // counts, then first ranks
  for (const double value : values)
  {
    ++starts[bucketOf(OrderKey(value))];
  }
  std::size_t first = 0;
  for (std::size_t & start : starts)
  {
    const std::size_t count = start;
    start = first;
    first += count;
  }
  // The bucket of each rank: the last whose first rank is not above it.
  std::vector<std::size_t> bucketOfRank(ranks.size());
  std::vector<bool>        wanted(starts.size(), false);
  for (std::size_t r = 0; r < ranks.size(); ++r)
  {
    bucketOfRank[r] =
      static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), ranks[r]) - starts.begin()) - 1;
    wanted[bucketOfRank[r]] = true;
  }
  std::vector<std::uint64_t> gathered;
  for (const double value : values)
  {
    const std::uint64_t key = OrderKey(value);
    if (wanted[bucketOf(key)])
    {
      gathered.push_back(key);
    }
  }
  // Sorted, the gathered keys are the wanted buckets in order, each holding its ranks.
  std::sort(gathered.begin(), gathered.end());
  // Where each wanted bucket starts among the gathered keys.
  std::vector<std::size_t> wantedBuckets(bucketOfRank);
  std::sort(wantedBuckets.begin(), wantedBuckets.end());
  wantedBuckets.erase(std::unique(wantedBuckets.begin(), wantedBuckets.end()), wantedBuckets.end());
  std::vector<std::size_t> offsets(wantedBuckets.size(), 0);
  for (std::size_t w = 1; w < wantedBuckets.size(); ++w)
  {
    const std::size_t previous = wantedBuckets[w - 1];
    const std::size_t end = previous + 1 < starts.size() ? starts[previous + 1] : values.size();
    offsets[w] = offsets[w - 1] + (end - starts[previous]);
  }
  for (std::size_t r = 0; r < ranks.size(); ++r)
  {
    const std::size_t bucket = bucketOfRank[r];
    const auto        w = std::lower_bound(wantedBuckets.begin(), wantedBuckets.end(), bucket) - wantedBuckets.begin();
    statistics[r] = FromOrderKey(gathered[offsets[static_cast<std::size_t>(w)] + ranks[r] - starts[bucket]]);
  }
  return statistics;
}

// The q-th percentile (type 7) of n values from their order statistics at below and below + 1.
double
Percentile(double q, std::size_t n, const std::vector<double> & statistics, std::size_t lowerIndex)
{
  const double      position = q / 100.0 * static_cast<double>(n - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const double      fraction = position - static_cast<double>(below);
  const double      lower = statistics[lowerIndex];
  if (fraction == 0.0 || below + 1 >= n)
  {
    return lower;
  }
  const double upper = statistics[lowerIndex + 1];
  return lower + fraction * (upper - lower);
}
} // namespace

SampleSummary
Summarize(const std::vector<double> & values)
{
  SampleSummary summary;
  if (values.empty())
  {
    return summary;
  }
  // One pass: the moments, whose chain of divisions takes the time, and beside it the
  // extremes (the first smallest and the last largest, as std::minmax_element) and the
  // range of the order keys.
  VarianceAccumulator moments;
  double              minimum = values.front();
  double              maximum = values.front();
  std::uint64_t       lowest = ~std::uint64_t{ 0 };
  std::uint64_t       highest = 0;
  for (const double value : values)
  {
    moments.Push(value);
    minimum = value < minimum ? value : minimum;
    maximum = value < maximum ? maximum : value;
    const std::uint64_t key = OrderKey(value);
    lowest = std::min(lowest, key);
    highest = std::max(highest, key);
  }
  summary.count = values.size();
  summary.mean = moments.Mean();
  summary.std = moments.StandardDeviation();
  summary.min = minimum;
  summary.max = maximum;
  // Each percentile interpolates between the order statistics at floor(q (n - 1) / 100)
  // and the next one (type 7).
  const std::size_t        n = values.size();
  constexpr double         percentiles[] = { 5.0, 25.0, 50.0, 75.0, 95.0 };
  std::vector<std::size_t> ranks;
  for (const double q : percentiles)
  {
    const auto below = static_cast<std::size_t>(std::floor(q / 100.0 * static_cast<double>(n - 1)));
    ranks.push_back(below);
    ranks.push_back(std::min(below + 1, n - 1));
  }
  const std::vector<double> statistics = OrderStatistics(values, ranks, lowest, highest);
  summary.p5 = Percentile(5.0, n, statistics, 0);
  summary.p25 = Percentile(25.0, n, statistics, 2);
  summary.median = Percentile(50.0, n, statistics, 4);
  summary.p75 = Percentile(75.0, n, statistics, 6);
  summary.p95 = Percentile(95.0, n, statistics, 8);
  return summary;
}

} // namespace voxelkl
