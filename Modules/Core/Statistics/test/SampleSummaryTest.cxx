// Summaries against numpy's definitions, evaluated by hand for 1..10.
#include "voxelkl/SampleSummary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <utility>
#include <vector>

namespace
{

TEST(SampleSummary, MatchesNumpyOnOneToTen)
{
  // numpy.percentile([1..10], q) = 1 + 9 q / 100: 1.45, 3.25, 5.5, 7.75, 9.55;
  // numpy.std = sqrt(8.25).
  const auto s = voxelkl::Summarize({ 10, 3, 1, 2, 4, 9, 5, 6, 8, 7 });
  EXPECT_EQ(s.count, 10u);
  EXPECT_DOUBLE_EQ(s.mean, 5.5);
  EXPECT_DOUBLE_EQ(s.std, std::sqrt(8.25));
  EXPECT_EQ(s.min, 1.0);
  EXPECT_EQ(s.max, 10.0);
  EXPECT_DOUBLE_EQ(s.p5, 1.45);
  EXPECT_DOUBLE_EQ(s.p25, 3.25);
  EXPECT_DOUBLE_EQ(s.median, 5.5);
  EXPECT_DOUBLE_EQ(s.p75, 7.75);
  EXPECT_DOUBLE_EQ(s.p95, 9.55);
}

TEST(SampleSummary, EmptyAndSingle)
{
  EXPECT_EQ(voxelkl::Summarize({}).count, 0u);
  const auto one = voxelkl::Summarize({ 3.5 });
  EXPECT_EQ(one.median, 3.5);
  EXPECT_EQ(one.p95, 3.5);
  EXPECT_EQ(one.std, 0.0);
}

TEST(SampleSummary, SelectionAgreesWithSortingOnRandomData)
{
  std::mt19937_64                       engine(5);
  std::exponential_distribution<double> exponential(1.0);
  for (std::size_t n : { 2u, 3u, 17u, 1000u, 1001u })
  {
    std::vector<double> values(n);
    for (double & v : values)
      v = exponential(engine);
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const auto s = voxelkl::Summarize(values);
    EXPECT_EQ(s.min, sorted.front());
    EXPECT_EQ(s.max, sorted.back());
    EXPECT_DOUBLE_EQ(s.p5, voxelkl::SortedPercentile(sorted, 5));
    EXPECT_DOUBLE_EQ(s.p25, voxelkl::SortedPercentile(sorted, 25));
    EXPECT_DOUBLE_EQ(s.median, voxelkl::SortedPercentile(sorted, 50));
    EXPECT_DOUBLE_EQ(s.p75, voxelkl::SortedPercentile(sorted, 75));
    EXPECT_DOUBLE_EQ(s.p95, voxelkl::SortedPercentile(sorted, 95));
  }
}

// The percentiles come from order statistics found through 65,536 buckets of the values'
// order keys: samples whose values crowd into one bucket, straddle zero, repeat, or hold
// both zeros must still give what sorting gives, exactly.
TEST(SampleSummary, BucketedSelectionAgreesWithSortingOnHardSamples)
{
  std::mt19937_64                    engine(11);
  std::normal_distribution<double>   normal(0.0, 1.0);
  std::uniform_int_distribution<int> small(-3, 3);
  std::vector<std::vector<double>>   samples;
  std::vector<double>                crowded(5000), straddling(20001), ties(7777), zeros(101), wide(4096), two(2);
  for (double & v : crowded) // one binade, the last 12 bits of the mantissa: one bucket
    v = 1.0 + std::ldexp(static_cast<double>(engine() % 4096), -52);
  for (double & v : straddling)
    v = normal(engine);
  for (double & v : ties)
    v = small(engine);
  // 101 values, so that q (n - 1) / 100 is a whole rank: 10 negative, 40 of -0 and 40 of +0
  // interleaved, 11 positive; p25 (rank 25) falls among the zeros, uninterpolated.
  for (std::size_t i = 0; i < zeros.size(); ++i)
    zeros[i] = i < 10   ? -1e-300 * static_cast<double>(i + 1)
               : i < 90 ? (i % 2 == 0 ? -0.0 : 0.0)
                        : 1e-300 * static_cast<double>(i);
  for (double & v : wide) // from 1e-300 to 1e300, both signs
    v = std::ldexp(normal(engine), static_cast<int>(engine() % 1990) - 995);
  two = { 7.0, -7.0 };
  for (const auto * sample : { &crowded, &straddling, &ties, &zeros, &wide, &two })
  {
    std::vector<double> sorted = *sample;
    std::sort(sorted.begin(), sorted.end());
    const auto s = voxelkl::Summarize(*sample);
    EXPECT_EQ(s.count, sample->size());
    EXPECT_EQ(s.min, sorted.front());
    EXPECT_EQ(s.max, sorted.back());
    const std::pair<double, double> percentiles[] = {
      { 5, s.p5 }, { 25, s.p25 }, { 50, s.median }, { 75, s.p75 }, { 95, s.p95 }
    };
    for (const auto & [q, value] : percentiles)
    {
      EXPECT_EQ(value, voxelkl::SortedPercentile(sorted, q)) << "q " << q << " of " << sample->size() << " values";
      if (value == 0.0)
      {
        EXPECT_FALSE(std::signbit(value)) << "q " << q << ": a percentile among zeros is +0";
      }
    }
  }
}

} // namespace
