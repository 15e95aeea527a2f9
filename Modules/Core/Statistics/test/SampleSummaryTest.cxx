// Summaries against numpy's definitions, evaluated by hand for 1..10.
#include "voxelkl/SampleSummary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
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

} // namespace
