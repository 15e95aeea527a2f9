// Closed-form Gaussian divergences against values computed by hand (see each comment).
#include "voxelkl/GaussianKL.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace
{
using voxelkl::GaussianParameters;

TEST(GaussianKL, KnownPair)
{
  // KL(N(0,1) || N(0.5, 1.5^2)) = ln 1.5 + (1 + 0.25) / (2 * 2.25) - 1/2 = 0.18324288588...
  const GaussianParameters p{ 0.0, 1.0 };
  const GaussianParameters q{ 0.5, 2.25 };
  const double             forward = std::log(1.5) + 1.25 / 4.5 - 0.5;
  // Reverse: ln(1/1.5) + (2.25 + 0.25) / 2 - 1/2 = 0.34453489189...
  const double reverse = -std::log(1.5) + 2.5 / 2.0 - 0.5;
  EXPECT_NEAR(voxelkl::GaussianKL(p, q), forward, 1e-15);
  EXPECT_NEAR(voxelkl::GaussianKL(q, p), reverse, 1e-15);
  EXPECT_NEAR(forward, 0.1832429, 1e-7);
  EXPECT_NEAR(reverse, 0.3445349, 1e-7);
  EXPECT_NEAR(voxelkl::GaussianJeffreys(p, q), forward + reverse, 1e-15);
  EXPECT_NEAR(voxelkl::GaussianJeffreys(p, q), 0.5277778, 1e-7);
}

TEST(GaussianKL, DirectionsMapReferenceAndGenerated)
{
  const GaussianParameters reference{ 0.0, 1.0 };
  const GaussianParameters generated{ 0.5, 2.25 };
  using voxelkl::KLDirection;
  EXPECT_EQ(voxelkl::GaussianDivergence(reference, generated, KLDirection::Forward),
            voxelkl::GaussianKL(reference, generated));
  EXPECT_EQ(voxelkl::GaussianDivergence(reference, generated, KLDirection::Reverse),
            voxelkl::GaussianKL(generated, reference));
  EXPECT_EQ(voxelkl::GaussianDivergence(reference, generated, KLDirection::Symmetric),
            voxelkl::GaussianJeffreys(reference, generated));
}

TEST(GaussianKL, IdenticalDistributionsGiveExactlyZero)
{
  const GaussianParameters p{ 1234.5, 17.25 };
  EXPECT_EQ(voxelkl::GaussianKL(p, p), 0.0);
  EXPECT_EQ(voxelkl::GaussianJeffreys(p, p), 0.0);
}

TEST(GaussianKL, NearlyEqualVariancesStayAccurate)
{
  // r = 1 + u with u = 1e-8: r - 1 - ln r = u^2/2 - u^3/3 + ... = 5e-17 - 3.3e-25.
  // The naive form returns 0 or a negative number here.
  const double u = 1e-8;
  EXPECT_NEAR(voxelkl::VarianceRatioTerm(1.0 + u) / (u * u / 2 - u * u * u / 3), 1.0, 1e-7);
  // Against log1p away from the series: u = 0.5 gives 0.5 - ln 1.5.
  EXPECT_NEAR(voxelkl::VarianceRatioTerm(1.5), 0.5 - std::log(1.5), 1e-16);
  // Both sides of the switch to the series agree with a long double evaluation.
  for (double uu : { -0.0101, -0.0099, 0.0099, 0.0101, 3e-3, -3e-5 })
  {
    const long double exact = uu - std::log1p(static_cast<long double>(uu));
    EXPECT_NEAR(voxelkl::VarianceRatioTerm(1.0 + uu) / static_cast<double>(exact), 1.0, 1e-10) << uu;
  }
  EXPECT_GE(voxelkl::VarianceRatioTerm(1.0 + 1e-17), 0.0);
}

TEST(GaussianKL, ParsesDirectionNames)
{
  EXPECT_EQ(voxelkl::ParseKLDirection("forward"), voxelkl::KLDirection::Forward);
  EXPECT_EQ(voxelkl::ParseKLDirection("reverse"), voxelkl::KLDirection::Reverse);
  EXPECT_EQ(voxelkl::ParseKLDirection("symmetric"), voxelkl::KLDirection::Symmetric);
  EXPECT_EQ(voxelkl::ToString(voxelkl::KLDirection::Reverse), "reverse");
  EXPECT_THROW(voxelkl::ParseKLDirection("backward"), std::invalid_argument);
}

} // namespace
