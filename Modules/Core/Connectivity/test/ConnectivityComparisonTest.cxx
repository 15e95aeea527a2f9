// The comparison of two series' connectivity against loops written here: region means ->
// textbook Pearson -> atanh -> upper triangles and rows; which regions are used, which time
// points are censored, and what cannot be computed.
#include "voxelkl/ConnectivityComparison.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

namespace
{
using voxelkl::RegionStatus;

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// One voxel per region on a grid of `regions` voxels (label r + 1): each region's mean is
// the value given for it. regionLabels may name labels that have no voxel.
struct OneVoxelRegions
{
  std::vector<std::int32_t> labels;
  voxelkl::RegionVoxels     regions;
  OneVoxelRegions(std::size_t voxels, std::vector<std::int32_t> regionLabels)
  {
    for (std::size_t v = 0; v < voxels; ++v)
    {
      labels.push_back(static_cast<std::int32_t>(v + 1));
    }
    regions = voxelkl::RegionVoxels(labels.data(), voxels, {}, std::move(regionLabels));
  }
  voxelkl::RegionTimeSeries
  Series(std::size_t timePoints, const std::function<double(std::size_t t, std::size_t v)> & f) const
  {
    voxelkl::RegionTimeSeries series(regions.RegionCount(), timePoints);
    std::vector<double>       volume(labels.size());
    for (std::size_t t = 0; t < timePoints; ++t)
    {
      for (std::size_t v = 0; v < volume.size(); ++v)
      {
        volume[v] = f(t, v);
      }
      series.AddVolume(t, regions, volume.data());
    }
    return series;
  }
};

double
TextbookPearson(const std::vector<double> & a, const std::vector<double> & b)
{
  double ma = 0.0, mb = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k)
  {
    ma += a[k] / static_cast<double>(a.size());
    mb += b[k] / static_cast<double>(b.size());
  }
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (std::size_t k = 0; k < a.size(); ++k)
  {
    sab += (a[k] - ma) * (b[k] - mb);
    saa += (a[k] - ma) * (a[k] - ma);
    sbb += (b[k] - mb) * (b[k] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

// Region r's mean over the given time points.
std::vector<double>
Column(const voxelkl::RegionTimeSeries & s, std::size_t r, const std::vector<std::size_t> & times)
{
  std::vector<double> values;
  for (const std::size_t t : times)
  {
    values.push_back(s.Mean(t, r));
  }
  return values;
}

std::vector<std::size_t>
Range(std::size_t n, std::size_t skip = static_cast<std::size_t>(-1))
{
  std::vector<std::size_t> times;
  for (std::size_t t = 0; t < n; ++t)
  {
    if (t != skip)
    {
      times.push_back(t);
    }
  }
  return times;
}

// Every number of the comparison against the loops above, for series of different lengths.
void
ExpectAsTheLoops(const voxelkl::ConnectivityComparison & c,
                 const voxelkl::RegionTimeSeries &       reference,
                 const std::vector<std::size_t> &        referenceTimes,
                 const voxelkl::RegionTimeSeries &       generated,
                 const std::vector<std::size_t> &        generatedTimes)
{
  ASSERT_EQ(c.problem, voxelkl::ConnectivityProblem::None);
  const std::size_t                p = c.used.size();
  std::vector<std::vector<double>> zr(p, std::vector<double>(p)), zg(p, std::vector<double>(p));
  for (std::size_t i = 0; i < p; ++i)
  {
    for (std::size_t j = 0; j < p; ++j)
    {
      if (i == j)
      {
        continue;
      }
      const double rr =
        TextbookPearson(Column(reference, c.used[i], referenceTimes), Column(reference, c.used[j], referenceTimes));
      const double rg =
        TextbookPearson(Column(generated, c.used[i], generatedTimes), Column(generated, c.used[j], generatedTimes));
      EXPECT_NEAR(c.reference.correlation(i, j), rr, 1e-13);
      EXPECT_NEAR(c.generated.correlation(i, j), rg, 1e-13);
      zr[i][j] = std::atanh(rr);
      zg[i][j] = std::atanh(rg);
      EXPECT_NEAR(c.reference.fisherZ(i, j), zr[i][j], 1e-12);
      EXPECT_NEAR(c.generated.fisherZ(i, j), zg[i][j], 1e-12);
    }
  }
  std::vector<double> upperR, upperG;
  double              squares = 0.0;
  for (std::size_t i = 0; i < p; ++i)
  {
    for (std::size_t j = i + 1; j < p; ++j)
    {
      upperR.push_back(zr[i][j]);
      upperG.push_back(zg[i][j]);
      squares += (zg[i][j] - zr[i][j]) * (zg[i][j] - zr[i][j]);
    }
  }
  EXPECT_EQ(c.pairs, p * (p - 1) / 2);
  EXPECT_NEAR(c.meanSquaredZDifference, squares / static_cast<double>(upperR.size()), 1e-12);
  ASSERT_TRUE(c.matrixSimilarity);
  EXPECT_NEAR(*c.matrixSimilarity, TextbookPearson(upperR, upperG), 1e-12);
  ASSERT_EQ(c.profileCorrelation.size(), p);
  for (std::size_t i = 0; i < p; ++i)
  {
    std::vector<double> a, b;
    for (std::size_t j = 0; j < p; ++j)
    {
      if (j != i)
      {
        a.push_back(zr[i][j]);
        b.push_back(zg[i][j]);
      }
    }
    ASSERT_TRUE(c.profileCorrelation[i]) << "region " << i;
    EXPECT_NEAR(*c.profileCorrelation[i], TextbookPearson(a, b), 1e-12);
  }
  // The Gaussians: the Ledoit-Wolf estimates of the kept region means.
  ASSERT_TRUE(c.forwardKL && c.reverseKL);
  EXPECT_EQ(c.reference.covariance.mean.size(), p);
  for (std::size_t i = 0; i < p; ++i)
  {
    const auto column = Column(reference, c.used[i], referenceTimes);
    double     mean = 0.0;
    for (const double v : column)
      mean += v / static_cast<double>(column.size());
    EXPECT_NEAR(c.reference.covariance.mean[i], mean, 1e-12 * std::fabs(mean));
  }
  EXPECT_EQ(*c.GaussianDivergence(voxelkl::KLDirection::Forward), *c.forwardKL);
  EXPECT_EQ(*c.GaussianDivergence(voxelkl::KLDirection::Reverse), *c.reverseKL);
  EXPECT_EQ(*c.GaussianDivergence(voxelkl::KLDirection::Symmetric), *c.forwardKL + *c.reverseKL);
  EXPECT_EQ(*c.forwardKL,
            *voxelkl::MultivariateGaussianKL(c.reference.covariance.mean,
                                             c.reference.covariance.shrunk,
                                             c.generated.covariance.mean,
                                             c.generated.covariance.shrunk));
}

double
Noise(std::size_t t, std::size_t v, unsigned salt)
{
  std::mt19937_64 random((t * 7919 + v) * 31 + salt);
  return std::normal_distribution<double>(0.0, 1.0)(random);
}

TEST(CompareConnectivity, SeriesOfDifferentLengthsAgainstTheLoops)
{
  const OneVoxelRegions setup(6, { 1, 2, 3, 4, 5, 6 });
  const auto            reference = setup.Series(40, [](std::size_t t, std::size_t v) {
    return 1000.0 + 10.0 * v + 3.0 * Noise(t, 99, 1) * (v % 2 ? 1.0 : -0.5) + Noise(t, v, 2);
  });
  const auto            generated = setup.Series(33, [](std::size_t t, std::size_t v) {
    return 990.0 + 9.0 * v + 2.0 * Noise(t, 98, 3) * (v < 3 ? 1.0 : 0.7) + Noise(t, v, 4);
  });
  const auto            c = voxelkl::CompareConnectivity(setup.regions, reference, generated);
  EXPECT_EQ(c.used.size(), 6u);
  EXPECT_TRUE(c.reference.censored.empty());
  EXPECT_EQ(c.reference.timePoints, 40u);
  EXPECT_EQ(c.generated.timePoints, 33u);
  ExpectAsTheLoops(c, reference, Range(40), generated, Range(33));
}

TEST(CompareConnectivity, ExcludedRegionsAndCensoredTimePoints)
{
  // Labels 1..7 on voxels; 8 has no voxel. Region 3 (label 3) is NaN everywhere in the
  // generated series, region 5 constant in the reference, and every region with a value
  // but region 2 is NaN at reference time point 4 (censored there).
  const OneVoxelRegions setup(7, { 1, 2, 3, 4, 5, 6, 7, 8 });
  const auto            reference = setup.Series(30, [](std::size_t t, std::size_t v) {
    if (v == 4)
      return 42.0;
    if (t == 4 && v == 1)
      return NaN;
    return 5.0 + Noise(t, 50, 5) * (1.0 + 0.1 * v) + Noise(t, v, 6);
  });
  const auto            generated = setup.Series(30, [](std::size_t t, std::size_t v) {
    if (v == 2)
      return NaN;
    return 6.0 + Noise(t, 51, 7) * (1.0 + 0.2 * v) + Noise(t, v, 8);
  });
  const auto            c = voxelkl::CompareConnectivity(setup.regions, reference, generated);
  ASSERT_EQ(c.regions.size(), 8u);
  EXPECT_EQ(c.regions[7].status, RegionStatus::NoVoxel);
  EXPECT_EQ(c.regions[2].status, RegionStatus::NoFiniteValue);
  EXPECT_FALSE(c.regions[2].reference);
  EXPECT_TRUE(c.regions[2].generated);
  EXPECT_EQ(c.regions[4].status, RegionStatus::Constant);
  EXPECT_TRUE(c.regions[4].reference);
  EXPECT_FALSE(c.regions[4].generated);
  EXPECT_EQ(c.used, (std::vector<std::size_t>{ 0, 1, 3, 5, 6 }));
  EXPECT_EQ(c.reference.censored, std::vector<std::size_t>{ 4 });
  EXPECT_TRUE(c.generated.censored.empty());
  ExpectAsTheLoops(c, reference, Range(30, 4), generated, Range(30));
  EXPECT_EQ(voxelkl::ToString(RegionStatus::NoVoxel), "no voxel in the mask");
}

TEST(CompareConnectivity, IdenticalSeriesAgreePerfectly)
{
  const OneVoxelRegions setup(5, { 1, 2, 3, 4, 5 });
  const auto f = [](std::size_t t, std::size_t v) { return Noise(t, 7, 1) * double(v + 1) + Noise(t, v, 2); };
  const auto c = voxelkl::CompareConnectivity(setup.regions, setup.Series(25, f), setup.Series(25, f));
  ASSERT_EQ(c.problem, voxelkl::ConnectivityProblem::None);
  EXPECT_EQ(c.meanSquaredZDifference, 0.0);
  EXPECT_NEAR(*c.matrixSimilarity, 1.0, 1e-15);
  for (const auto & r : c.profileCorrelation)
  {
    EXPECT_NEAR(*r, 1.0, 1e-15);
  }
  EXPECT_GE(*c.forwardKL, 0.0);
  EXPECT_LT(*c.forwardKL, 1e-20);
}

TEST(CompareConnectivity, TwoRegionsHaveNoSimilarityOrProfiles)
{
  const OneVoxelRegions setup(2, { 1, 2 });
  const auto            c =
    voxelkl::CompareConnectivity(setup.regions,
                                 setup.Series(10, [](std::size_t t, std::size_t v) { return Noise(t, v, 1); }),
                                 setup.Series(12, [](std::size_t t, std::size_t v) { return Noise(t, v, 2); }));
  ASSERT_EQ(c.problem, voxelkl::ConnectivityProblem::None);
  EXPECT_EQ(c.pairs, 1u);
  EXPECT_FALSE(c.matrixSimilarity);
  EXPECT_FALSE(c.profileCorrelation[0]);
  EXPECT_TRUE(std::isfinite(c.meanSquaredZDifference));
  EXPECT_TRUE(c.forwardKL);
}

TEST(CompareConnectivity, FewerThanTwoUsableRegionsOrTimePointsIsAProblem)
{
  const OneVoxelRegions setup(3, { 1, 2, 3 });
  const auto            varying = [](std::size_t t, std::size_t v) { return Noise(t, v, 1); };
  // Regions 1 and 2 constant in the generated series: one region left.
  const auto c = voxelkl::CompareConnectivity(
    setup.regions, setup.Series(10, varying), setup.Series(10, [](std::size_t t, std::size_t v) {
      return v == 0 ? Noise(t, v, 3) : 1.0;
    }));
  EXPECT_EQ(c.problem, voxelkl::ConnectivityProblem::TooFewRegions);
  EXPECT_EQ(c.regions[1].status, RegionStatus::Constant);
  EXPECT_TRUE(c.regions[1].generated);
  // A series of one time point.
  EXPECT_EQ(voxelkl::CompareConnectivity(setup.regions, setup.Series(10, varying), setup.Series(1, varying)).problem,
            voxelkl::ConnectivityProblem::TooFewGeneratedTimePoints);
  // Every time point but one censored in the reference.
  EXPECT_EQ(voxelkl::CompareConnectivity(
              setup.regions,
              setup.Series(10, [](std::size_t t, std::size_t v) { return t > 0 && v == 1 ? NaN : Noise(t, v, 4); }),
              setup.Series(10, varying))
              .problem,
            voxelkl::ConnectivityProblem::TooFewReferenceTimePoints);
}

} // namespace
