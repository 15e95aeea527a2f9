// Real fMRI from Debian packages (CMake/fetch-test-data.sh), end to end: nipype's
// ds003_sub-01_mc.nii.gz against a perturbed copy of itself, checked against a brute-force
// double computation; skipped (not passed) when the data could not be fetched.
#include "TestFiles.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

std::string
RealFile(const std::string & name)
{
  const std::string path = TestDataDirectory() + "/" + name;
  return fs::exists(path) ? path : "";
}

TEST(RealData, Ds003AgainstAFlattenedCopyOfItself)
{
  const std::string file = RealFile("ds003_sub-01_mc.nii.gz");
  if (file.empty())
  {
    GTEST_SKIP() << "ds003_sub-01_mc.nii.gz not fetched (CMake/fetch-test-data.sh)";
  }
  TemporaryDirectory directory("real-ds003");
  const auto         reference = ReadSeries(file);
  const auto         size = reference->GetLargestPossibleRegion().GetSize();
  ASSERT_EQ(size[3], 20u); // 16 x 16 x 9 x 20, float32 on disk, 12.5 x 12.5 x 16 mm
  // The generated copy: each voxel's signal flattened halfway to its mean in the left half
  // (what an MSE-trained model does), shifted by +2% in the right half.
  auto generated =
    MakeSeries({ long(size[0]), long(size[1]), long(size[2]), long(size[3]) }, [&](long x, long y, long z, long t) {
      const auto   values = VoxelValues(reference, x, y, z);
      const double mean = MeanVariance(values).first;
      return x < long(size[0]) / 2 ? mean + 0.5 * (values[t] - mean) : 1.02 * values[t];
    });
  generated->CopyInformation(reference);
  WriteSeries(generated, directory / "generated.nii.gz", "float32");
  const auto result = RunProgram(VOXELKL_KL_EXECUTABLE,
                                 { "--reference",
                                   file,
                                   "--generated",
                                   directory / "generated.nii.gz",
                                   "--output",
                                   directory / "kl.nii.gz",
                                   "--summary",
                                   directory / "kl.json",
                                   "--direction",
                                   "symmetric",
                                   "--mse",
                                   directory / "mse.nii.gz",
                                   "--correlation",
                                   directory / "r.nii.gz",
                                   "--meanDifference",
                                   directory / "md.nii.gz",
                                   "--varianceLogRatio",
                                   directory / "vlr.nii.gz" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto  mse = ReadVolume(directory / "mse.nii.gz");
  const auto  correlation = ReadVolume(directory / "r.nii.gz");
  double      sumSquares = 0.0, pairs = 0.0;
  const auto  map = ReadVolume(directory / "kl.nii.gz");
  const auto  written = ReadSeries(directory / "generated.nii.gz");
  std::size_t checked = 0;
  for (long z = 0; z < long(size[2]); ++z)
    for (long y = 0; y < long(size[1]); ++y)
      for (long x = 0; x < long(size[0]); ++x)
      {
        const auto r = VoxelValues(reference, x, y, z);
        const auto g = VoxelValues(written, x, y, z);
        double     squares = 0.0;
        for (std::size_t t = 0; t < r.size(); ++t)
        {
          squares += (r[t] - g[t]) * (r[t] - g[t]);
        }
        sumSquares += squares;
        pairs += r.size();
        const Volume::IndexType index{ { x, y, z } };
        EXPECT_NEAR(mse->GetPixel(index), squares / r.size(), 1e-5 * std::max(1.0, squares / r.size())) << index;
        const auto [mr, vr] = MeanVariance(r);
        const auto [mg, vg] = MeanVariance(g);
        if (vr == 0.0 || vg == 0.0)
          continue; // background: the floor's business, tested elsewhere
        const double expected = TextbookKL(mr, vr, mg, vg) + TextbookKL(mg, vg, mr, vr);
        EXPECT_NEAR(map->GetPixel(index), expected, 1e-5 * std::max(1.0, expected));
        // Both perturbations are affine in the reference: r = 1 up to float32 rounding.
        EXPECT_NEAR(correlation->GetPixel(index), 1.0, 1e-4) << index;
        ++checked;
      }
  EXPECT_GT(checked, 1000u);
  std::ifstream  stream(directory / "kl.json");
  nlohmann::json summary = nlohmann::json::parse(stream);
  EXPECT_EQ(summary["inputs"]["reference"]["voxelType"], "float32"); // as nibabel reports it
  EXPECT_EQ(summary["voxels"]["total"], 16 * 16 * 9);
  // Flattening to half the spread: Jeffreys = (1 - 1/4)^2 / (2 * 1/4) = 1.125 at each such
  // voxel, half of the brain-sized grid; the shifted half lies on both sides of it.
  EXPECT_NEAR(summary["kl"]["median"].get<double>(), 1.125, 1e-3) << summary["kl"].dump();
  EXPECT_EQ(summary["inputs"]["reference"]["timePoints"], 20);
  EXPECT_NEAR(summary["globalMSE"].get<double>(), sumSquares / pairs, 1e-5 * sumSquares / pairs);
}

TEST(RealData, NibabelExample4dMomentsAndSelfComparison)
{
  const std::string file = RealFile("example4d.nii.gz");
  if (file.empty())
  {
    GTEST_SKIP() << "example4d.nii.gz not fetched (CMake/fetch-test-data.sh)";
  }
  TemporaryDirectory directory("real-example4d");
  const auto         result = RunProgram(VOXELKL_KL_EXECUTABLE,
                                 { "--reference",
                                           file,
                                           "--generated",
                                           file,
                                           "--output",
                                           directory / "kl.nii.gz",
                                           "--summary",
                                           directory / "kl.json" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  // A series against itself: KL exactly 0 everywhere.
  const auto map = ReadVolume(directory / "kl.nii.gz");
  for (std::size_t i = 0; i < map->GetLargestPossibleRegion().GetNumberOfPixels(); ++i)
  {
    ASSERT_EQ(map->GetBufferPointer()[i], 0.0) << i;
  }
  const auto moments = RunProgram(VOXELKL_MOMENTS_EXECUTABLE, { "--input", file, "--mean", directory / "mean.nii.gz" });
  ASSERT_EQ(moments.exitCode, 0) << moments.err;
}

} // namespace

namespace
{
// The header fields a map must share with its series for every tool to put the two on the
// same voxels: read straight from the files (NIfTI-1 offsets), not through any library.
struct OrientationFields
{
  std::int16_t qformCode{ -1 }, sformCode{ -1 };
  float        pixdim[4]{};
};

OrientationFields
ReadOrientationFields(const std::string & niftiFile)
{
  std::ifstream     file(niftiFile, std::ios::binary);
  std::vector<char> header(348);
  file.read(header.data(), 348);
  OrientationFields fields;
  std::memcpy(&fields.qformCode, header.data() + 252, 2);
  std::memcpy(&fields.sformCode, header.data() + 254, 2);
  std::memcpy(fields.pixdim, header.data() + 76, sizeof(fields.pixdim));
  return fields;
}

// ds003 has qform_code and sform_code 0 (no orientation): its maps must say so too, or
// nibabel and FSL read the map on other coordinates than the series.
TEST(RealData, MapsOfAnUnorientedSeriesAreUnorientedToo)
{
  const std::string file = RealFile("ds003_sub-01_mc.nii.gz");
  if (file.empty())
  {
    GTEST_SKIP() << "ds003_sub-01_mc.nii.gz not fetched (CMake/fetch-test-data.sh)";
  }
  TemporaryDirectory directory("real-ds003-orientation");
  // The series itself, inflated by gzip's own rules (the test reads bytes, not images).
  const std::string series = directory / "series.nii";
  ASSERT_EQ(std::system(("gzip -dc '" + file + "' > '" + series + "'").c_str()), 0);
  const OrientationFields expected = ReadOrientationFields(series);
  ASSERT_EQ(expected.qformCode, 0);
  ASSERT_EQ(expected.sformCode, 0);
  const auto result = RunProgram(VOXELKL_MOMENTS_EXECUTABLE, { "--input", file, "--mean", directory / "mean.nii" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const OrientationFields map = ReadOrientationFields(directory / "mean.nii");
  EXPECT_EQ(map.qformCode, 0);
  EXPECT_EQ(map.sformCode, 0);
  for (int i = 1; i < 4; ++i)
  {
    EXPECT_EQ(map.pixdim[i], expected.pixdim[i]) << "pixdim[" << i << "]";
  }
  const auto kl = RunProgram(VOXELKL_KL_EXECUTABLE,
                             { "--reference", file, "--generated", file, "--output", directory / "kl.nii.gz" });
  ASSERT_EQ(kl.exitCode, 0) << kl.err;
  const std::string klFile = directory / "kl.nii";
  ASSERT_EQ(std::system(("gzip -dc '" + directory / "kl.nii.gz" + "' > '" + klFile + "'").c_str()), 0);
  EXPECT_EQ(ReadOrientationFields(klFile).sformCode, 0);
  EXPECT_EQ(ReadOrientationFields(klFile).qformCode, 0);
  // An oriented series keeps ITK's codes (checked on a written file of the fixtures).
  const std::string oriented = directory / "oriented.nii";
  WriteSeries(MakeSeries({ 3, 3, 2, 4 }, [](long x, long, long, long t) { return x + t * t; }), oriented);
  ASSERT_GT(ReadOrientationFields(oriented).sformCode + ReadOrientationFields(oriented).qformCode, 0);
  ASSERT_EQ(RunProgram(VOXELKL_MOMENTS_EXECUTABLE, { "--input", oriented, "--mean", directory / "m2.nii" }).exitCode,
            0);
  EXPECT_GT(
    ReadOrientationFields(directory / "m2.nii").sformCode + ReadOrientationFields(directory / "m2.nii").qformCode, 0);
}
} // namespace
