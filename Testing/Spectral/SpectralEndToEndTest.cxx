// VoxelSpectralAgreement: the same bits for any threads, tiles and read path (.nii in place,
// .nii.gz staged, a list of volumes), the repetition time taken from the header or refused,
// and every bad option refused in one line without output.
#include "TestFiles.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

double
Reference(long x, long y, long z, long t)
{
  return 700.0 + 5.0 * x + 3.0 * std::sin(0.4 * t + y) + ((x * 7 + y * 3 + z * 5 + t * 11) % 13) * 0.7;
}
double
Generated(long x, long y, long z, long t)
{
  return 690.0 + 5.0 * x + ((x * 5 + y * 11 + z * 2 + t * 17) % 19) * 0.9;
}

class Spectral : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    WriteSeries(MakeSeries({ 6, 5, 4, 64 }, Reference), directory / "ref.nii");
    WriteSeries(MakeSeries({ 6, 5, 4, 50 }, Generated), directory / "gen.nii");
    WriteSeries(MakeSeries({ 6, 5, 4, 64 }, Reference), directory / "ref.nii.gz");
  }

  ProcessResult
  Run(const std::string & reference, std::vector<std::string> extra, const std::string & stem)
  {
    std::vector<std::string> arguments{ "--reference", reference, "--generated", directory / "gen.nii" };
    for (const char * map :
         { "logSpectralDistance", "spectralKL", "alffRatio", "falffRatio", "autocorrelationDifference" })
    {
      arguments.insert(arguments.end(), { std::string("--") + map, directory / (stem + "-" + map + ".nii") });
    }
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return RunProgram(VOXELKL_SPECTRAL_EXECUTABLE, arguments);
  }

  void
  ExpectSameBits(const std::string & a, const std::string & b)
  {
    for (const char * map :
         { "logSpectralDistance", "spectralKL", "alffRatio", "falffRatio", "autocorrelationDifference" })
    {
      EXPECT_TRUE(
        SameVoxels(ReadVolume(directory / (a + "-" + map + ".nii")), ReadVolume(directory / (b + "-" + map + ".nii"))))
        << a << " vs " << b << ": " << map;
    }
  }

  TemporaryDirectory directory{ std::string("spectral-") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name() };
};

TEST_F(Spectral, SameBitsForEveryThreadCountTilingAndReadPath)
{
  // MakeSeries/WriteSeries give the files no repetition time: 2 s is given.
  ASSERT_EQ(Run(directory / "ref.nii", { "--repetitionTime", "2", "--threads", "1" }, "one").exitCode, 0);
  auto result = Run(directory / "ref.nii", { "--repetitionTime", "2", "--threads", "2", "--tiles", "7" }, "tiles");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  ExpectSameBits("one", "tiles");
  result = Run(directory / "ref.nii.gz", { "--repetitionTime", "2", "--threads", "2" }, "staged");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  ExpectSameBits("one", "staged");
  const auto               volumes = WriteVolumes(MakeSeries({ 6, 5, 4, 64 }, Reference), directory / "vol", ".nii");
  std::vector<std::string> arguments{ "--repetitionTime", "2" };
  std::vector<std::string> list;
  for (const auto & volume : volumes)
  {
    list.insert(list.end(), { "--reference", volume });
  }
  arguments.insert(arguments.begin(), list.begin() + 2, list.end()); // the first goes as `reference`
  result = Run(volumes.front(), arguments, "list");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  ExpectSameBits("one", "list");
}

TEST_F(Spectral, BadOptionsAndInputsAreRefusedInOneLine)
{
  auto expectRefused = [&](const ProcessResult & result, const std::string & words) {
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find(words), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(directory / "bad-spectralKL.nii"));
  };
  // WriteSeries writes pixdim[4] = 1 with units unknown: taken as 1 s. A list has none.
  const auto               volumes = WriteVolumes(MakeSeries({ 6, 5, 4, 20 }, Reference), directory / "vol", ".nii");
  std::vector<std::string> list;
  for (std::size_t i = 1; i < volumes.size(); ++i)
  {
    list.insert(list.end(), { "--reference", volumes[i] });
  }
  expectRefused(Run(volumes.front(), list, "bad"), "give --repetitionTime");
  expectRefused(Run(directory / "ref.nii", { "--repetitionTime", "2", "--band", "0.01,0.5" }, "bad"), "Nyquist = 0.25");
  expectRefused(Run(directory / "ref.nii", { "--repetitionTime", "2", "--band", "0.1" }, "bad"), "--band must be");
  expectRefused(Run(directory / "ref.nii", { "--repetitionTime", "2", "--segmentLength", "60" }, "bad"),
                "too few for one Welch segment of 60");
  expectRefused(
    Run(directory / "ref.nii", { "--repetitionTime", "2", "--overlap", "40", "--segmentLength", "32" }, "bad"),
    "--overlap must be below the segment length (32)");
  expectRefused(
    Run(directory / "ref.nii", { "--repetitionTime", "2", "--band", "0.1,0.11", "--segmentLength", "8" }, "bad"),
    "holds no frequency bin");
  expectRefused(Run(directory / "ref.nii", { "--repetitionTime", "0" }, "bad"), "--repetitionTime must be a positive");
  // Six time points: below any segment.
  WriteSeries(MakeSeries({ 6, 5, 4, 6 }, Generated), directory / "short.nii");
  expectRefused(RunProgram(VOXELKL_SPECTRAL_EXECUTABLE,
                           { "--reference",
                             directory / "ref.nii",
                             "--generated",
                             directory / "short.nii",
                             "--repetitionTime",
                             "2",
                             "--spectralKL",
                             directory / "bad-spectralKL.nii" }),
                "short.nii: has 6 time points");
}

TEST_F(Spectral, SummaryCountsAndRegionTable)
{
  WriteMask(
    MakeSeries({ 6, 5, 4, 1 }, Reference), directory / "labels.nii.gz", [](long x, long, long) { return 1 + x % 2; });
  const auto result = Run(directory / "ref.nii",
                          { "--repetitionTime",
                            "2",
                            "--summary",
                            directory / "s.json",
                            "--labels",
                            directory / "labels.nii.gz",
                            "--regionTable",
                            directory / "regions.tsv" },
                          "summary");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  nlohmann::json summary;
  std::ifstream(directory / "s.json") >> summary;
  EXPECT_EQ(summary["voxels"]["valid"], 120);
  EXPECT_EQ(summary["options"]["repetitionTime"], 2.0);
  EXPECT_EQ(summary["options"]["segmentLength"], 50); // min(T, 128) of the shorter series
  EXPECT_EQ(summary["maps"]["spectralKL"]["count"], 120);
  EXPECT_EQ(summary["regions"]["regions"].size(), 2u);
  EXPECT_TRUE(fs::exists(directory / "regions.tsv"));
}

} // namespace
