// The accumulator against exact two-pass sums in long double over the same values.
#include "voxelkl/MomentAccumulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

namespace
{

struct ExactMoments
{
  long double n{ 0 }, mean{ 0 }, m2{ 0 }, m3{ 0 }, m4{ 0 };
  double      min{ 0 }, max{ 0 };
  unsigned    skipped{ 0 };
};

// Two passes in long double over the finite values: the reference the one-pass code must meet.
ExactMoments
TwoPass(const std::vector<double> & values)
{
  ExactMoments e;
  long double  sum = 0;
  bool         first = true;
  for (double v : values)
  {
    if (!std::isfinite(v))
    {
      ++e.skipped;
      continue;
    }
    sum += v;
    e.n += 1;
    e.min = first ? v : std::min(e.min, v);
    e.max = first ? v : std::max(e.max, v);
    first = false;
  }
  e.mean = sum / e.n;
  for (double v : values)
  {
    if (std::isfinite(v))
    {
      const long double d = v - e.mean;
      e.m2 += d * d;
      e.m3 += d * d * d;
      e.m4 += d * d * d * d;
    }
  }
  return e;
}

double
Relative(double value, long double exact)
{
  return static_cast<double>(std::fabs((value - exact) / exact));
}

voxelkl::MomentAccumulator
PushAll(const std::vector<double> & values)
{
  voxelkl::MomentAccumulator a;
  for (double v : values)
  {
    a.Push(v);
  }
  return a;
}

void
ExpectMatches(const voxelkl::MomentAccumulator & a, const ExactMoments & e, double tolerance)
{
  ASSERT_EQ(a.Count(), static_cast<double>(e.n));
  EXPECT_EQ(a.Skipped(), e.skipped);
  // The mean is accurate relative to the larger of its size and the spread.
  const long double scale = std::max(std::fabs(e.mean), std::sqrt(e.m2 / e.n));
  EXPECT_LT(std::fabs(a.Mean() - e.mean) / scale, 1e-13L);
  EXPECT_LT(Relative(a.M2(), e.m2), tolerance);
  EXPECT_LT(Relative(a.Variance(), e.m2 / e.n), tolerance);
  const long double g1 = std::sqrt(e.n) * e.m3 / std::pow(e.m2, 1.5L);
  const long double g2 = e.n * e.m4 / (e.m2 * e.m2) - 3.0L;
  EXPECT_LT(std::fabs(a.Skewness() - static_cast<double>(g1)), tolerance * std::max(1.0L, std::fabs(g1)));
  EXPECT_LT(std::fabs(a.ExcessKurtosis() - static_cast<double>(g2)), tolerance * std::max(1.0L, std::fabs(g2)));
  EXPECT_EQ(a.Min(), e.min);
  EXPECT_EQ(a.Max(), e.max);
}

std::vector<double>
Normal(std::size_t n, double mean, double sd, unsigned seed)
{
  std::mt19937_64                  engine(seed);
  std::normal_distribution<double> normal(mean, sd);
  std::vector<double>              values(n);
  for (double & v : values)
  {
    v = normal(engine);
  }
  return values;
}

TEST(MomentAccumulator, StandardNormalMatchesTwoPass)
{
  const auto values = Normal(1000, 0.0, 1.0, 1);
  ExpectMatches(PushAll(values), TwoPass(values), 1e-12);
}

TEST(MomentAccumulator, LargeOffsetTinyNoiseStaysAccurate)
{
  // 1e6 + 1e-3 N(0,1): condition number ~1e9. Raw power sums lose everything here; the
  // shifted update must stay near machine precision.
  const auto values = Normal(2000, 1e6, 1e-3, 2);
  ExpectMatches(PushAll(values), TwoPass(values), 1e-9);
}

TEST(MomentAccumulator, SkewedDataAtLargeOffset)
{
  std::mt19937_64                       engine(3);
  std::exponential_distribution<double> exponential(1.0);
  std::vector<double>                   values(500);
  for (double & v : values)
  {
    v = 1e8 + 1e-2 * exponential(engine);
  }
  ExpectMatches(PushAll(values), TwoPass(values), 1e-8);
}

TEST(MomentAccumulator, ConstantSeriesHasExactlyZeroSpread)
{
  voxelkl::MomentAccumulator a;
  for (int i = 0; i < 300; ++i)
  {
    a.Push(1234.5678);
  }
  EXPECT_EQ(a.Mean(), 1234.5678);
  EXPECT_EQ(a.M2(), 0.0);
  EXPECT_EQ(a.M3(), 0.0);
  EXPECT_EQ(a.M4(), 0.0);
  EXPECT_TRUE(a.IsConstant());
  EXPECT_EQ(a.Skewness(), 0.0);
  EXPECT_EQ(a.ExcessKurtosis(), 0.0);
}

TEST(MomentAccumulator, NonFiniteSamplesAreSkippedAndCounted)
{
  auto values = Normal(500, 100.0, 5.0, 4);
  for (std::size_t i = 7; i < values.size(); i += 13)
  {
    values[i] = std::numeric_limits<double>::quiet_NaN();
  }
  values[3] = std::numeric_limits<double>::infinity();
  values[0] = -std::numeric_limits<double>::infinity(); // the shift must come from a finite value
  const auto exact = TwoPass(values);
  EXPECT_GT(exact.skipped, 30u);
  ExpectMatches(PushAll(values), exact, 1e-12);
}

TEST(MomentAccumulator, EmptyAndSingleValue)
{
  voxelkl::MomentAccumulator a;
  EXPECT_EQ(a.Count(), 0.0);
  EXPECT_EQ(a.Mean(), 0.0);
  EXPECT_EQ(a.Variance(), 0.0);
  EXPECT_TRUE(a.IsConstant());
  a.Push(5.0);
  EXPECT_EQ(a.Mean(), 5.0);
  EXPECT_EQ(a.Variance(), 0.0);
  EXPECT_TRUE(a.IsConstant());
}

TEST(MomentAccumulator, MergeOfChunksMatchesTwoPassInAnyOrder)
{
  auto values = Normal(3000, 1e6, 1e-3, 5);
  values[100] = std::numeric_limits<double>::quiet_NaN();
  const auto exact = TwoPass(values);
  // Cut into uneven chunks; merge them in several orders.
  const std::vector<std::size_t>          cuts{ 0, 1, 17, 500, 501, 1800, 3000 };
  std::vector<voxelkl::MomentAccumulator> chunks;
  for (std::size_t c = 0; c + 1 < cuts.size(); ++c)
  {
    chunks.push_back(PushAll(std::vector<double>(values.begin() + cuts[c], values.begin() + cuts[c + 1])));
  }
  std::vector<std::size_t> order(chunks.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 engine(6);
  for (int trial = 0; trial < 10; ++trial)
  {
    std::shuffle(order.begin(), order.end(), engine);
    voxelkl::MomentAccumulator merged;
    for (std::size_t index : order)
    {
      merged.Merge(chunks[index]);
    }
    // Merging chunks with different shifts costs a little: measured 1.3e-9 on skewness.
    ExpectMatches(merged, exact, 1e-8);
  }
}

TEST(MomentAccumulator, OrderTwoAgreesBitForBitWithOrderFour)
{
  const auto                   values = Normal(777, 50.0, 3.0, 7);
  voxelkl::VarianceAccumulator two;
  for (double v : values)
  {
    two.Push(v);
  }
  const auto four = PushAll(values);
  EXPECT_EQ(two.Mean(), four.Mean());
  EXPECT_EQ(two.M2(), four.M2());
  EXPECT_LT(sizeof(two), sizeof(four));
}

} // namespace
