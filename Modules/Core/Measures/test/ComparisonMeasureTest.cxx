// The comparison measure against textbook formulas in double, computed here sample by
// sample: the maps are what the definitions say, whatever the runs and the order of pushes.
#include "voxelkl/ComparisonMeasure.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace
{
using namespace voxelkl;

struct Moments2
{
  double mean{ 0 }, variance{ 0 };
};

Moments2
TwoPass(const std::vector<double> & x)
{
  Moments2 m;
  for (double v : x)
    m.mean += v;
  m.mean /= double(x.size());
  for (double v : x)
    m.variance += (v - m.mean) * (v - m.mean);
  m.variance /= double(x.size());
  return m;
}

double
TextbookKL(const Moments2 & p, const Moments2 & q)
{
  return 0.5 *
         (std::log(q.variance / p.variance) + (p.variance + (p.mean - q.mean) * (p.mean - q.mean)) / q.variance - 1);
}

bool
Near(double a, double b)
{
  return std::fabs(a - b) <= 2e-6 * std::max(1.0, std::fabs(b)); // float32 maps
}

TEST(ComparisonMeasure, GaussianKLAndFidelityMapsFromTheirDefinitions)
{
  constexpr std::size_t            voxels = 37;
  constexpr std::size_t            timePoints = 50;
  std::mt19937_64                  engine(3);
  std::normal_distribution<double> noise;
  std::vector<std::vector<double>> reference(voxels), generated(voxels);
  for (std::size_t v = 0; v < voxels; ++v)
  {
    for (std::size_t t = 0; t < timePoints; ++t)
    {
      const double r = 100.0 + v + (1.0 + 0.1 * v) * noise(engine);
      reference[v].push_back(r);
      generated[v].push_back(0.6 * r + 40.0 + 2.0 + 0.5 * noise(engine));
    }
  }
  for (const bool paired : { false, true })
  {
    const ComparisonSettings settings{ KLDirection::Forward, VarianceFloor{}, paired, 0.0 };
    GaussianComparison       comparison(settings, voxels);
    std::vector<float>       r(voxels), g(voxels);
    for (std::size_t t = 0; t < timePoints; ++t)
    {
      for (std::size_t v = 0; v < voxels; ++v)
      {
        r[v] = static_cast<float>(reference[v][t]);
        g[v] = static_cast<float>(generated[v][t]);
      }
      // Runs of different lengths: the state of a voxel does not depend on its run.
      comparison.PushTimePoint(0, 10, r.data(), g.data(), nullptr);
      comparison.PushTimePoint(10, voxels - 10, r.data() + 10, g.data() + 10, nullptr);
    }
    std::vector<float>         kl(voxels), meanDifference(voxels), logRatio(voxels), mse(voxels), correlation(voxels);
    std::vector<unsigned char> status(voxels);
    std::vector<std::uint32_t> skipped(voxels), pairs(voxels);
    ComparisonRow<float>       row{ kl.data(),
                              status.data(),
                              skipped.data(),
                              meanDifference.data(),
                              logRatio.data(),
                              paired ? mse.data() : nullptr,
                              paired ? correlation.data() : nullptr,
                              paired ? pairs.data() : nullptr,
                              nullptr };
    comparison.Finish(0, voxels, nullptr, row);
    for (std::size_t v = 0; v < voxels; ++v)
    {
      // The expectations from the float32 values the measure saw.
      std::vector<double> x, y;
      for (std::size_t t = 0; t < timePoints; ++t)
      {
        x.push_back(static_cast<float>(reference[v][t]));
        y.push_back(static_cast<float>(generated[v][t]));
      }
      const Moments2 p = TwoPass(x), q = TwoPass(y);
      EXPECT_EQ(status[v], static_cast<unsigned char>(VoxelStatus::Valid));
      EXPECT_PRED2(Near, kl[v], TextbookKL(p, q)) << v;
      EXPECT_PRED2(Near, meanDifference[v], q.mean - p.mean);
      EXPECT_PRED2(Near, logRatio[v], std::log(q.variance / p.variance));
      EXPECT_EQ(skipped[v], 0u);
      if (paired)
      {
        double squares = 0, cross = 0;
        for (std::size_t t = 0; t < timePoints; ++t)
        {
          squares += (y[t] - x[t]) * (y[t] - x[t]);
          cross += (x[t] - p.mean) * (y[t] - q.mean);
        }
        EXPECT_PRED2(Near, mse[v], squares / double(timePoints));
        EXPECT_PRED2(Near, correlation[v], cross / double(timePoints) / std::sqrt(p.variance * q.variance));
        EXPECT_EQ(pairs[v], timePoints);
      }
    }
  }
}

TEST(ComparisonMeasure, OutsideTheMaskEverythingIsZero)
{
  const ComparisonSettings settings{ KLDirection::Symmetric, VarianceFloor{}, true, 0.0 };
  GaussianComparison       comparison(settings, 3);
  const float              r[3] = { 1, 2, 3 }, g[3] = { 3, 1, 3 };
  const unsigned char      inside[3] = { 1, 0, 1 };
  for (int t = 0; t < 4; ++t)
  {
    comparison.PushTimePoint(0, 3, r, g, inside);
  }
  float                kl[3] = { 9, 9, 9 }, dm[3] = { 9, 9, 9 }, mse[3] = { 9, 9, 9 };
  unsigned char        status[3] = { 9, 9, 9 };
  std::uint32_t        pairs[3] = { 9, 9, 9 };
  ComparisonRow<float> row;
  row.kl = kl;
  row.status = status;
  row.meanDifference = dm;
  row.meanSquaredError = mse;
  row.pairCount = pairs;
  comparison.Finish(0, 3, inside, row);
  EXPECT_EQ(status[1], static_cast<unsigned char>(VoxelStatus::OutsideMask));
  EXPECT_EQ(kl[1], 0.0f);
  EXPECT_EQ(dm[1], 0.0f);
  EXPECT_EQ(mse[1], 0.0f);
  EXPECT_EQ(pairs[1], 0u);
  // Two different constants: floored variances; the same constant: KL exactly 0.
  EXPECT_EQ(status[0], static_cast<unsigned char>(VoxelStatus::Floored));
  EXPECT_EQ(mse[0], 4.0f); // (3 - 1)^2
  EXPECT_EQ(status[2], static_cast<unsigned char>(VoxelStatus::ConstantEqual));
  EXPECT_EQ(kl[2], 0.0f);
  EXPECT_EQ(mse[2], 0.0f);
  EXPECT_EQ(pairs[2], 4u);
}

} // namespace
