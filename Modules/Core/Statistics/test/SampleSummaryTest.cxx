// Summaries against numpy's definitions, evaluated by hand for 1..10.
#include "voxelkl/SampleSummary.h"

#include <gtest/gtest.h>

#include <cmath>

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

} // namespace
