// Colour tables, robust ranges and histograms, against what they are defined to be.
#include "ReportTestSupport.h"

#include "voxelkl/ReportColors.h"
#include "voxelkl/ReportPlots.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace
{
using namespace voxelkl;
using namespace voxelkl::test;

TEST(ColorMaps, HotRunsFromBlackThroughRedAndYellowToWhiteAndFadesInOverItsLowestQuarter)
{
  const ColorMap hot = ColorMap::Hot();
  EXPECT_EQ(hot.Table()[0], (Rgb{ 0, 0, 0 }));
  EXPECT_EQ(hot.Table()[255], (Rgb{ 255, 255, 255 }));
  // Red saturates first, then green, then blue (ITK's Hot: 63/26 v - 1/13, 63/26 v - 11/13, 4.5 v - 3.5).
  EXPECT_EQ(hot.Table()[80].g, 0);
  EXPECT_GT(hot.Table()[80].r, 150);
  EXPECT_EQ(hot.Table()[120].r, 255);
  EXPECT_EQ(hot.Table()[200].g, 255);
  EXPECT_LT(hot.Table()[200].b, 255);
  for (int i = 1; i < 256; ++i)
  {
    EXPECT_GE(hot.Table()[i].r, hot.Table()[i - 1].r);
    EXPECT_GE(hot.Table()[i].g, hot.Table()[i - 1].g);
    EXPECT_GE(hot.Table()[i].b, hot.Table()[i - 1].b);
  }
  EXPECT_EQ(hot.Alpha()[0], 0);
  EXPECT_EQ(hot.Alpha()[32], 128);
  EXPECT_EQ(hot.Alpha()[64], 255);
  EXPECT_EQ(hot.Alpha()[255], 255);
}

TEST(ColorMaps, DivergingIsColorBrewerRdBuBlueToRedWithATransparentCentre)
{
  const ColorMap diverging = ColorMap::Diverging();
  EXPECT_EQ(diverging.Table()[0], (Rgb{ 5, 48, 97 }));
  EXPECT_EQ(diverging.Table()[255], (Rgb{ 103, 0, 31 }));
  const Rgb centre = diverging.At(0.5);
  EXPECT_GE(centre.r, 240);
  EXPECT_GE(centre.g, 240);
  EXPECT_GE(centre.b, 240);
  EXPECT_LE(diverging.Alpha()[127], 3); // half an entry from the centre
  EXPECT_LE(diverging.Alpha()[128], 3);
  EXPECT_EQ(diverging.Alpha()[127 - 51], 255);
  EXPECT_EQ(diverging.Alpha()[128 + 51], 255);
  EXPECT_EQ(diverging.Alpha()[0], 255);
  EXPECT_EQ(diverging.Alpha()[255], 255);
  EXPECT_GT(diverging.Table()[20].b, diverging.Table()[20].r);   // blue below 0
  EXPECT_GT(diverging.Table()[235].r, diverging.Table()[235].b); // red above
}

TEST(ColorMaps, EntriesClampAndNaNTakesTheFirst)
{
  EXPECT_EQ(ColorMap::Entry(-3.0), 0u);
  EXPECT_EQ(ColorMap::Entry(std::nan("")), 0u);
  EXPECT_EQ(ColorMap::Entry(0.5), 128u);
  EXPECT_EQ(ColorMap::Entry(7.0), 255u);
  EXPECT_EQ(ColorMap::Grey().At(0.0), (Rgb{ 0, 0, 0 }));
  EXPECT_EQ(ColorMap::Grey().At(1.0), (Rgb{ 255, 255, 255 }));
}

TEST(RobustRange, IsNumpysSecondAndNinetyEighthPercentile)
{
  std::mt19937                        random(7);
  std::lognormal_distribution<double> skewed(0.0, 1.5);
  for (const std::size_t n : { 1, 2, 3, 50, 1001, 47528 })
  {
    std::vector<double> values(n);
    for (double & value : values)
    {
      value = skewed(random) - 0.3;
    }
    const DisplayRange range = RobustRange(values, false);
    EXPECT_EQ(range.count, n);
    EXPECT_DOUBLE_EQ(range.p2, NumpyPercentile(values, 2.0)) << n;
    EXPECT_DOUBLE_EQ(range.p98, NumpyPercentile(values, 98.0)) << n;
    if (n > 1)
    {
      EXPECT_DOUBLE_EQ(range.low, range.p2);
      EXPECT_DOUBLE_EQ(range.high, range.p98);
    }
    const DisplayRange symmetric = RobustRange(values, true);
    const double       m = std::max(std::abs(NumpyPercentile(values, 2.0)), std::abs(NumpyPercentile(values, 98.0)));
    if (n > 1)
    {
      EXPECT_DOUBLE_EQ(symmetric.high, m);
      EXPECT_DOUBLE_EQ(symmetric.low, -m);
    }
  }
}

TEST(RobustRange, OfNothingOrOfOneValueStillSpansSomething)
{
  const DisplayRange empty = RobustRange({}, false);
  EXPECT_EQ(empty.count, 0u);
  EXPECT_LT(empty.low, empty.high);
  const DisplayRange zeros = RobustRange({ 0.0, 0.0, 0.0 }, false);
  EXPECT_DOUBLE_EQ(zeros.low, -0.5);
  EXPECT_DOUBLE_EQ(zeros.high, 0.5);
  const DisplayRange threes = RobustRange({ 3.0, 3.0 }, false);
  EXPECT_LT(threes.low, 3.0);
  EXPECT_GT(threes.high, 3.0);
  EXPECT_NEAR(threes.high - threes.low, 6e-6, 1e-12);
  const DisplayRange symmetricZeros = RobustRange({ 0.0 }, true);
  EXPECT_DOUBLE_EQ(symmetricZeros.low, -symmetricZeros.high);
  EXPECT_GT(symmetricZeros.high, 0.0);
}

TEST(Histogram, CountsEveryValueOnceInTheBinOfItsOwnLoop)
{
  std::mt19937                     random(11);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double>              values(5000);
  for (double & value : values)
  {
    value = normal(random);
  }
  values.push_back(std::nan("")); // not counted
  const DisplayRange range = RobustRange({ values.begin(), values.end() - 1 }, false);
  values.push_back(range.low);  // the first bin
  values.push_back(range.high); // the last bin
  const Histogram histogram = ComputeHistogram(values, range, 40);
  EXPECT_EQ(histogram.Total(), 5002u);
  std::size_t              below = 0;
  std::size_t              above = 0;
  std::vector<std::size_t> counts(40, 0);
  const double             width = (range.high - range.low) / 40;
  for (const double v : values)
  {
    if (std::isnan(v))
    {
      continue;
    }
    if (v < range.low)
    {
      ++below;
    }
    else if (v > range.high)
    {
      ++above;
    }
    else
    {
      std::size_t bin = 0;
      while (bin + 1 < 40 && v >= range.low + (bin + 1) * width)
      {
        ++bin;
      }
      ++counts[bin];
    }
  }
  EXPECT_EQ(histogram.below, below);
  EXPECT_EQ(histogram.above, above);
  EXPECT_EQ(histogram.counts, counts);
  // p2 and p98 leave about 2% on each side.
  EXPECT_NEAR(static_cast<double>(below) / 5002, 0.02, 0.002);
}

} // namespace
