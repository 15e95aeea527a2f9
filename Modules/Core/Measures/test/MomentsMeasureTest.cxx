// The moments measure against scipy.stats' biased definitions, written here in double.
#include "voxelkl/MomentsMeasure.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

TEST(MomentsMeasure, MapsFromTheirDefinitionsAndNonFiniteSamplesSkipped)
{
  const std::vector<std::vector<double>> series = {
    { 1, 2, 4, 8, 16, 3 },
    { 5, 5, 5, 5, 5, 5 },
    { 2, std::numeric_limits<double>::quiet_NaN(), 7, 1, 9, std::numeric_limits<double>::infinity() }
  };
  voxelkl::Moments moments(3);
  for (std::size_t t = 0; t < 6; ++t)
  {
    const double values[3] = { series[0][t], series[1][t], series[2][t] };
    moments.PushTimePoint(0, 3, values, nullptr);
  }
  std::vector<std::vector<double>> maps(voxelkl::MomentMapCount, std::vector<double>(3));
  voxelkl::MomentsRow<double>      row;
  for (unsigned int n = 0; n < voxelkl::MomentMapCount; ++n)
  {
    row[n] = maps[n].data();
  }
  EXPECT_EQ(moments.Finish(0, 3, nullptr, row), 2u);
  for (std::size_t v = 0; v < 3; ++v)
  {
    std::vector<double> x;
    for (double s : series[v])
      if (std::isfinite(s))
        x.push_back(s);
    const double n = double(x.size());
    double       mean = 0, m2 = 0, m3 = 0, m4 = 0;
    for (double s : x)
      mean += s / n;
    for (double s : x)
    {
      m2 += std::pow(s - mean, 2) / n;
      m3 += std::pow(s - mean, 3) / n;
      m4 += std::pow(s - mean, 4) / n;
    }
    const auto map = [&](voxelkl::MomentMap m) { return maps[static_cast<unsigned int>(m)][v]; };
    EXPECT_NEAR(map(voxelkl::MomentMap::Mean), mean, 1e-12 * std::fabs(mean));
    EXPECT_NEAR(map(voxelkl::MomentMap::Variance), m2, 1e-12 * std::max(1.0, m2));
    EXPECT_NEAR(map(voxelkl::MomentMap::StandardDeviation), std::sqrt(m2), 1e-12 * std::max(1.0, m2));
    EXPECT_EQ(map(voxelkl::MomentMap::Count), n);
    if (m2 > 0)
    {
      EXPECT_NEAR(map(voxelkl::MomentMap::Skewness), m3 / std::pow(m2, 1.5), 1e-10);
      EXPECT_NEAR(map(voxelkl::MomentMap::ExcessKurtosis), m4 / (m2 * m2) - 3.0, 1e-10);
    }
    else
    {
      EXPECT_EQ(map(voxelkl::MomentMap::Skewness), 0.0); // a constant series: 0 by convention
      EXPECT_EQ(map(voxelkl::MomentMap::ExcessKurtosis), 0.0);
    }
  }
}
