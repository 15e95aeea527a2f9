// The per-voxel policy: closed form on accumulated samples, and zero-variance treatment.
#include "voxelkl/VoxelDivergence.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace
{
using voxelkl::KLDirection;
using voxelkl::VarianceAccumulator;
using voxelkl::VarianceFloor;
using voxelkl::VoxelStatus;

VarianceAccumulator
Accumulate(const std::vector<double> & values)
{
  VarianceAccumulator a;
  for (double v : values)
  {
    a.Push(v);
  }
  return a;
}

TEST(VoxelDivergence, PlainSamplesUseMaximumLikelihoodMoments)
{
  // Reference {1,2,3,4}: mean 2.5, variance 1.25. Generated {2,4,6,8}: mean 5, variance 5.
  const auto reference = Accumulate({ 1, 2, 3, 4 });
  const auto generated = Accumulate({ 2, 4, 6, 8 });
  // Forward KL(ref||gen) = 1/2 [0.25 - 1 - ln 0.25 + 6.25 / 5].
  const double expected = 0.5 * (0.25 - 1.0 - std::log(0.25) + 6.25 / 5.0);
  const auto   result = voxelkl::GaussianVoxelDivergence(reference, generated, KLDirection::Forward, VarianceFloor{});
  EXPECT_EQ(result.status, VoxelStatus::Valid);
  EXPECT_NEAR(result.value, expected, 1e-15);
}

TEST(VoxelDivergence, SameConstantIsZero)
{
  const auto a = Accumulate({ 7, 7, 7 });
  const auto b = Accumulate({ 7, 7, 7, 7, 7 });
  const auto result = voxelkl::GaussianVoxelDivergence(a, b, KLDirection::Symmetric, VarianceFloor{});
  EXPECT_EQ(result.status, VoxelStatus::ConstantEqual);
  EXPECT_EQ(result.value, 0.0);
}

TEST(VoxelDivergence, ConstantAgainstVaryingUsesTheFloor)
{
  const auto constant = Accumulate({ 100, 100, 100, 100 });
  const auto varying = Accumulate({ 99, 101, 99, 101 }); // mean 100, variance 1
  const auto floor = VarianceFloor::Absolute(0.01);
  const auto result = voxelkl::GaussianVoxelDivergence(varying, constant, KLDirection::Forward, floor);
  EXPECT_EQ(result.status, VoxelStatus::Floored);
  // KL(N(100,1) || N(100,0.01)) = 1/2 [100 - 1 - ln 100].
  EXPECT_NEAR(result.value, 0.5 * (100.0 - 1.0 - std::log(100.0)), 1e-12);
  EXPECT_TRUE(std::isfinite(result.value));
}

TEST(VoxelDivergence, DifferentConstantsAreFiniteWithTheRelativeFloor)
{
  const auto a = Accumulate({ 0, 0, 0 });
  const auto b = Accumulate({ 2, 2, 2 });
  // Relative floor (1e-6 * max(|0|, |2|, 1))^2 = 4e-12 on both sides: KL = 1/2 * 4 / 4e-12.
  const auto result = voxelkl::GaussianVoxelDivergence(a, b, KLDirection::Reverse, VarianceFloor::Relative(1e-6));
  EXPECT_EQ(result.status, VoxelStatus::Floored);
  EXPECT_NEAR(result.value / (0.5 * 4.0 / 4e-12), 1.0, 1e-12);
}

TEST(VoxelDivergence, NoFiniteSampleIsReportedNotComputed)
{
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const auto   empty = Accumulate({ nan, nan });
  const auto   full = Accumulate({ 1, 2, 3 });
  const auto   result = voxelkl::GaussianVoxelDivergence(empty, full, KLDirection::Forward, VarianceFloor{});
  EXPECT_EQ(result.status, VoxelStatus::NoSamples);
  EXPECT_EQ(result.value, 0.0);
}

TEST(VoxelDivergence, VarianceLogRatio)
{
  const auto reference = Accumulate({ 1, 2, 3, 4 }); // variance 1.25
  const auto generated = Accumulate({ 2, 4, 6, 8 }); // variance 5
  EXPECT_NEAR(voxelkl::VarianceLogRatio(reference, generated, VarianceFloor{}), std::log(4.0), 1e-15);
  const auto constant = Accumulate({ 3, 3, 3 });
  EXPECT_EQ(voxelkl::VarianceLogRatio(constant, constant, VarianceFloor{}), 0.0);
  // Against a constant: the floor (1e-6 * 3)^2 stands in for its variance.
  EXPECT_NEAR(
    voxelkl::VarianceLogRatio(constant, reference, VarianceFloor::Relative(1e-6)), std::log(1.25 / 9e-12), 1e-9);
}

} // namespace
