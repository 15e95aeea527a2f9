// VoxelMoments on real files against two-pass double computations written here.
#include "TestFiles.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

namespace
{
using namespace voxelkl::test;

double
Skewed(long x, long y, long z, long t)
{
  if (x == 0 && y == 0 && z == 0)
    return 42.0; // constant voxel
  if (x == 1 && y == 0 && z == 0 && t % 4 == 1)
    return std::numeric_limits<double>::quiet_NaN();
  // A skewed, voxel-dependent signal around 1e4: exercises the shifted accumulation.
  const double u = std::fmod(0.618033988749 * (t + 1) * (x + 2) + 0.1 * y + 0.37 * z, 1.0);
  return 1e4 + x + (2.0 + y) * u * u * u;
}

TEST(VoxelMomentsApp, MatchesTwoPassMoments)
{
  TemporaryDirectory directory("moments");
  const auto         series = MakeSeries({ 5, 4, 3, 37 }, Skewed);
  WriteSeries(series, directory / "bold.nii.gz", "float64");
  const auto result = RunProgram(VOXELKL_MOMENTS_EXECUTABLE,
                                 { "--input",
                                   directory / "bold.nii.gz",
                                   "--mean",
                                   directory / "mean.nii",
                                   "--variance",
                                   directory / "var.nii",
                                   "--std",
                                   directory / "std.nii",
                                   "--skewness",
                                   directory / "skew.nii",
                                   "--kurtosis",
                                   directory / "kurt.nii",
                                   "--count",
                                   directory / "count.nii" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto mean = ReadVolume(directory / "mean.nii");
  const auto variance = ReadVolume(directory / "var.nii");
  const auto deviation = ReadVolume(directory / "std.nii");
  const auto skewness = ReadVolume(directory / "skew.nii");
  const auto kurtosis = ReadVolume(directory / "kurt.nii");
  const auto count = ReadVolume(directory / "count.nii");
  for (long z = 0; z < 3; ++z)
    for (long y = 0; y < 4; ++y)
      for (long x = 0; x < 5; ++x)
      {
        std::vector<double> values;
        for (double v : VoxelValues(series, x, y, z))
          if (std::isfinite(v))
            values.push_back(v);
        const double n = values.size();
        double       m = 0, m2 = 0, m3 = 0, m4 = 0;
        for (double v : values)
          m += v / n;
        for (double v : values)
        {
          m2 += std::pow(v - m, 2) / n;
          m3 += std::pow(v - m, 3) / n;
          m4 += std::pow(v - m, 4) / n;
        }
        // scipy's rule: a variance below (1e-15 * mean)^2 is a constant series (skewness 0 here).
        const bool              constant = m2 <= 1e-30 * m * m;
        const double            g1 = constant ? 0.0 : m3 / std::pow(m2, 1.5);
        const double            g2 = constant ? 0.0 : m4 / (m2 * m2) - 3.0;
        const Volume::IndexType i{ { x, y, z } };
        EXPECT_NEAR(mean->GetPixel(i), m, 1e-7 * m);
        EXPECT_NEAR(variance->GetPixel(i), m2, 1e-6 * std::max(m2, 1e-6));
        EXPECT_NEAR(deviation->GetPixel(i), std::sqrt(m2), 1e-6 * std::max(std::sqrt(m2), 1e-3));
        EXPECT_NEAR(skewness->GetPixel(i), g1, 1e-5);
        EXPECT_NEAR(kurtosis->GetPixel(i), g2, 1e-5);
        EXPECT_EQ(count->GetPixel(i), n);
      }
  EXPECT_EQ(count->GetPixel(Volume::IndexType{ { 1, 0, 0 } }), 28.0); // 9 NaN skipped
  EXPECT_EQ(variance->GetPixel(Volume::IndexType{ { 0, 0, 0 } }), 0.0);
  EXPECT_NE(result.out.find("9 non-finite samples skipped"), std::string::npos) << result.out;
}

// m.nii and m.nii.gz in one run (their temporaries once collided): each map its own values.
TEST(VoxelMomentsApp, MapsNamedMNiiAndMNiiGzInOneRunAreBothRight)
{
  TemporaryDirectory directory("moments-names");
  const auto         series = MakeSeries({ 5, 4, 3, 17 }, [](long x, long y, long z, long t) {
    return 1000.0 + 10 * x + ((x * 7 + y * 5 + z * 3 + t * 11) % 13) * (1 + y);
  });
  WriteSeries(series, directory / "bold.nii", "float64");
  const auto result =
    RunProgram(VOXELKL_MOMENTS_EXECUTABLE,
               { "--input", directory / "bold.nii", "--mean", directory / "m.nii", "--std", directory / "m.nii.gz" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  for (const auto & name : directory.Files())
    EXPECT_EQ(name.find("voxelkl-partial"), std::string::npos) << name;
  // ITK's reader (niftilib), given m.nii.gz, reads m.nii beside it: read each alone.
  std::filesystem::rename(directory / "m.nii.gz", directory / "std.nii.gz");
  const auto mean = ReadVolume(directory / "m.nii");
  const auto deviation = ReadVolume(directory / "std.nii.gz");
  for (long z = 0; z < 3; ++z)
    for (long y = 0; y < 4; ++y)
      for (long x = 0; x < 5; ++x)
      {
        const auto [m, v] = MeanVariance(VoxelValues(series, x, y, z));
        const Volume::IndexType index{ { x, y, z } };
        EXPECT_NEAR(mean->GetPixel(index), m, 1e-3) << index;
        EXPECT_NEAR(deviation->GetPixel(index), std::sqrt(v), 1e-4) << index;
      }
}

TEST(VoxelMomentsApp, TilesThreadsAndListsGiveTheSameBits)
{
  TemporaryDirectory directory("moments-bits");
  const auto         series = MakeSeries({ 6, 5, 7, 19 }, Skewed);
  WriteSeries(series, directory / "bold.nii", "float32");
  auto skewness = [&](std::vector<std::string> arguments, const std::string & name) {
    arguments.insert(arguments.end(), { "--skewness", directory / name });
    const auto result = RunProgram(VOXELKL_MOMENTS_EXECUTABLE, arguments);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    return ReadVolume(directory / name);
  };
  const auto baseline = skewness({ "--input", directory / "bold.nii", "--threads", "1" }, "base.nii");
  // MetaImage streams through the ITK filter tile by tile: the same bits for any tiling.
  WriteSeries(series, directory / "bold.mha", "float32");
  for (const char * tiles : { "0", "1", "2", "7" })
  {
    EXPECT_TRUE(SameVoxels(baseline,
                           skewness({ "--input", directory / "bold.mha", "--tiles", tiles, "--threads", "2" },
                                    std::string("t") + tiles + ".nii")))
      << tiles;
  }
  std::vector<std::string> list;
  for (const auto & path : WriteVolumes(series, directory / "vol", ".nii"))
    list.insert(list.end(), { "--input", path });
  EXPECT_TRUE(SameVoxels(baseline, skewness(list, "list.nii")));
}

} // namespace
