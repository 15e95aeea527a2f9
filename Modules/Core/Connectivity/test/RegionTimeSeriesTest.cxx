// Region voxel lists and region mean time series against a brute-force double loop over
// the grid written here.
#include "voxelkl/RegionTimeSeries.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace
{
using voxelkl::RegionSum;
using voxelkl::RegionTimeSeries;
using voxelkl::RegionVoxels;

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Inf = std::numeric_limits<double>::infinity();

// A 7x6x5 grid: labels 0 (background), 2, 5, 9 in blocks, one label (7) not among the regions.
struct Fixture
{
  std::size_t                voxels = 7 * 6 * 5;
  std::vector<std::int32_t>  labels;
  std::vector<unsigned char> inside;
  Fixture()
  {
    for (std::size_t v = 0; v < voxels; ++v)
    {
      const std::size_t x = v % 7, y = (v / 7) % 6;
      labels.push_back(x == 0 ? 0 : x < 3 ? 2 : x < 5 ? (y < 3 ? 5 : 7) : 9);
      inside.push_back(v % 11 != 3 ? 1 : 0);
    }
  }
};

TEST(RegionVoxels, ListsEachRegionsVoxelsInGridOrderAndChunksThem)
{
  const Fixture f;
  // 11 is a region without voxels.
  const RegionVoxels regions(f.labels.data(), f.voxels, f.inside, { 2, 5, 9, 11 }, 13);
  ASSERT_EQ(regions.RegionCount(), 4u);
  std::size_t labelled = 0;
  for (std::size_t r = 0; r < regions.RegionCount(); ++r)
  {
    std::vector<std::size_t> expected;
    for (std::size_t v = 0; v < f.voxels; ++v)
    {
      if (f.labels[v] == regions.Label(r) && f.inside[v] != 0)
      {
        expected.push_back(v);
      }
    }
    ASSERT_EQ(regions.VoxelCount(r), expected.size()) << "region " << r;
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), regions.Voxels(r)));
    labelled += expected.size();
  }
  EXPECT_EQ(regions.VoxelCount(3), 0u);
  EXPECT_EQ(regions.LabelledVoxels(), labelled);
  // Chunks: consecutive pieces of at most 13 voxels covering each list once, region by region.
  std::vector<std::size_t> covered(regions.RegionCount(), 0);
  std::size_t              previousRegion = 0;
  for (const auto & chunk : regions.Chunks())
  {
    EXPECT_GE(chunk.region, previousRegion);
    previousRegion = chunk.region;
    EXPECT_EQ(chunk.begin, covered[chunk.region]);
    EXPECT_LE(chunk.end - chunk.begin, 13u);
    EXPECT_GT(chunk.end, chunk.begin);
    covered[chunk.region] = chunk.end;
  }
  for (std::size_t r = 0; r < regions.RegionCount(); ++r)
  {
    EXPECT_EQ(covered[r], regions.VoxelCount(r));
  }
}

TEST(RegionVoxels, WithoutAMaskEveryLabelledVoxelCounts)
{
  const Fixture      f;
  const RegionVoxels regions(f.labels.data(), f.voxels, {}, { 2, 5, 7, 9 });
  std::size_t        labelled = 0;
  for (const auto label : f.labels)
  {
    labelled += label != 0;
  }
  EXPECT_EQ(regions.LabelledVoxels(), labelled);
}

TEST(RegionVoxels, RefusesUnsortedLabelsAndAMaskOfAnotherGrid)
{
  const Fixture f;
  EXPECT_THROW(RegionVoxels(f.labels.data(), f.voxels, f.inside, { 5, 2 }), std::invalid_argument);
  EXPECT_THROW(RegionVoxels(f.labels.data(), f.voxels, f.inside, { 2, 2 }), std::invalid_argument);
  EXPECT_THROW(RegionVoxels(f.labels.data(), f.voxels, { 1, 0 }, { 2 }), std::invalid_argument);
}

TEST(RegionTimeSeries, MeansEqualABruteForceLoopOverTheGrid)
{
  const Fixture                    f;
  const std::vector<std::int32_t>  regionLabels{ 2, 5, 9 };
  const RegionVoxels               regions(f.labels.data(), f.voxels, f.inside, regionLabels, 5);
  std::mt19937_64                  random(7);
  std::normal_distribution<double> normal(1000.0, 30.0);
  constexpr std::size_t            T = 6;
  RegionTimeSeries                 series(regionLabels.size(), T);
  std::vector<std::vector<float>>  volumes(T, std::vector<float>(f.voxels));
  for (std::size_t t = 0; t < T; ++t)
  {
    for (auto & value : volumes[t])
    {
      value = static_cast<float>(normal(random));
    }
  }
  volumes[1][10] = static_cast<float>(NaN); // skipped
  volumes[2][11] = static_cast<float>(Inf);
  volumes[3][12] = static_cast<float>(-Inf);
  // Every voxel of region 9 at time point 4 is NaN: no mean there.
  for (std::size_t v = 0; v < f.voxels; ++v)
  {
    if (f.labels[v] == 9)
    {
      volumes[4][v] = static_cast<float>(NaN);
    }
  }
  for (std::size_t t = 0; t < T; ++t)
  {
    series.AddVolume(t, regions, volumes[t].data());
  }
  for (std::size_t t = 0; t < T; ++t)
  {
    for (std::size_t r = 0; r < regionLabels.size(); ++r)
    {
      double        sum = 0.0;
      std::uint64_t count = 0;
      for (std::size_t v = 0; v < f.voxels; ++v)
      {
        const double value = volumes[t][v];
        if (f.labels[v] == regionLabels[r] && f.inside[v] != 0 && std::isfinite(value))
        {
          sum += value;
          ++count;
        }
      }
      EXPECT_EQ(series.Count(t, r), count) << "t " << t << " region " << r;
      if (count == 0)
      {
        EXPECT_TRUE(std::isnan(series.Mean(t, r)));
      }
      else
      {
        EXPECT_NEAR(series.Mean(t, r), sum / static_cast<double>(count), 1e-12 * 1000.0);
      }
    }
  }
  EXPECT_EQ(series.Count(4, 2), 0u);
}

// The chunked path (chunk sums computed anywhere, merged by SetTimePoint) gives the bits of
// AddVolume, in any order of computing the chunks.
TEST(RegionTimeSeries, ChunkSumsComputedInAnyOrderGiveTheSameBits)
{
  const Fixture       f;
  const RegionVoxels  regions(f.labels.data(), f.voxels, f.inside, { 2, 5, 9 }, 4);
  std::vector<double> volume(f.voxels);
  for (std::size_t v = 0; v < f.voxels; ++v)
  {
    volume[v] = 1.0 / (1.0 + static_cast<double>(v)) + 1e8 * ((v * 37) % 5);
  }
  RegionTimeSeries direct(3, 1), chunked(3, 1);
  direct.AddVolume(0, regions, volume.data());
  std::vector<RegionSum> sums(regions.Chunks().size());
  for (std::size_t c = sums.size(); c-- > 0;) // backwards
  {
    const auto & chunk = regions.Chunks()[c];
    sums[c] = voxelkl::SumVoxels(volume.data(), regions.Voxels(chunk.region) + chunk.begin, chunk.end - chunk.begin);
  }
  chunked.SetTimePoint(0, regions, sums.data());
  for (std::size_t r = 0; r < 3; ++r)
  {
    EXPECT_EQ(direct.Sum(0, r), chunked.Sum(0, r));
    EXPECT_EQ(direct.Count(0, r), chunked.Count(0, r));
  }
}

TEST(RegionTimeSeries, SumVoxelsSkipsNonFiniteValues)
{
  const std::vector<double>      values{ 1.0, NaN, 2.0, Inf, 3.0, -Inf, 4.0 };
  const std::vector<std::size_t> all{ 0, 1, 2, 3, 4, 5, 6 };
  const RegionSum                sum = voxelkl::SumVoxels(values.data(), all.data(), all.size());
  EXPECT_EQ(sum.sum, 10.0);
  EXPECT_EQ(sum.finite, 4u);
}

} // namespace
