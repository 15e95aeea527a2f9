// ConnectivityAgreement's refusals: each is exit 1, one line naming the file(s) and the
// problem, and no output file.
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
Varying(long x, long y, long z, long t)
{
  return 200.0 + x + y * z + std::sin(0.5 * t * (1 + x)) + std::cos(0.3 * t * (1 + y + z));
}

class ConnectivityErrors : public ::testing::Test
{
protected:
  TemporaryDirectory directory{ "connectivity-errors" };
  Series::Pointer    reference;

  void
  SetUp() override
  {
    reference = MakeSeries({ 6, 5, 4, 12 }, Varying);
    WriteSeries(reference, directory / "ref.nii.gz");
    WriteSeries(MakeSeries({ 6, 5, 4, 9 }, [](long x, long y, long z, long t) { return Varying(y, x, z, t + 1); }),
                directory / "gen.nii.gz");
    WriteMask(reference, directory / "labels.nii.gz", [](long x, long, long) { return 1 + x / 2; });   // 1, 2, 3
    WriteMask(reference, directory / "mask.nii.gz", [](long x, long, long) { return x < 2 ? 1 : 0; }); // region 1 only
    std::ofstream(directory / "names.tsv") << "1\tone\n2\ttwo\n3\tthree\n";
  }

  // Runs with the given arguments plus the series and labels, expecting exit 1 and one
  // line equal to `error` (or containing it when contains), and no output left behind.
  void
  ExpectRefused(std::vector<std::string> arguments, const std::string & error, bool contains = false)
  {
    const auto before = directory.Files();
    const auto result = RunProgram(VOXELKL_CONNECTIVITY_EXECUTABLE, arguments);
    EXPECT_EQ(result.exitCode, 1) << result.err;
    ASSERT_FALSE(result.err.empty());
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    if (contains)
    {
      EXPECT_NE(result.err.find(error), std::string::npos) << result.err;
    }
    else
    {
      EXPECT_EQ(result.err, "ConnectivityAgreement: error: " + error + "\n");
    }
    auto after = directory.Files();
    std::sort(after.begin(), after.end());
    auto expected = before;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(after, expected) << "outputs left behind";
  }

  std::vector<std::string>
  Base() const
  {
    return { "--reference", directory / "ref.nii.gz",   "--generated", directory / "gen.nii.gz",
             "--labels",    directory / "labels.nii.gz" };
  }
  std::vector<std::string>
  With(std::vector<std::string> more) const
  {
    auto arguments = Base();
    arguments.insert(arguments.end(), more.begin(), more.end());
    return arguments;
  }
};

TEST_F(ConnectivityErrors, OneRegionInTheMask)
{
  ExpectRefused(With({ "--mask", directory / "mask.nii.gz", "--summary", directory / "fc.json" }),
                directory / "labels.nii.gz" + ": 1 of its 3 regions has a voxel inside " + directory / "mask.nii.gz" +
                  ": connectivity needs at least 2 regions");
}

TEST_F(ConnectivityErrors, AnAtlasOfOneRegion)
{
  WriteMask(reference, directory / "one.nii.gz", [](long, long, long) { return 4; });
  ExpectRefused({ "--reference",
                  directory / "ref.nii.gz",
                  "--generated",
                  directory / "gen.nii.gz",
                  "--labels",
                  directory / "one.nii.gz",
                  "--referenceMatrix",
                  directory / "r.tsv" },
                directory / "one.nii.gz" + ": 1 of its 1 regions has a voxel on the grid of " +
                  directory / "ref.nii.gz" + ": connectivity needs at least 2 regions");
}

// Constant regions are left out; when fewer than 2 remain, the run is refused.
TEST_F(ConnectivityErrors, ConstantRegionsLeaveTooFew)
{
  WriteSeries(
    MakeSeries({ 6, 5, 4, 9 }, [](long x, long y, long z, long t) { return x < 4 ? 5.0 : Varying(x, y, z, t); }),
    directory / "flat.nii.gz");
  ExpectRefused({ "--reference",
                  directory / "ref.nii.gz",
                  "--generated",
                  directory / "flat.nii.gz",
                  "--labels",
                  directory / "labels.nii.gz",
                  "--summary",
                  directory / "fc.json" },
                directory / "labels.nii.gz" + " on " + directory / "ref.nii.gz" + " and " + directory / "flat.nii.gz" +
                  ": 1 of its 3 regions can be compared, connectivity needs at least 2 (0 without a voxel on the grid "
                  "of " +
                  directory / "ref.nii.gz" + ", 0 without a finite value, 2 constant over time)");
}

// One constant region of three: left out and counted, never NaN in the map.
TEST_F(ConnectivityErrors, AConstantRegionIsLeftOutAndCounted)
{
  WriteSeries(
    MakeSeries({ 6, 5, 4, 9 }, [](long x, long y, long z, long t) { return x < 2 ? 5.0 : Varying(x, y, z, t); }),
    directory / "flat.nii.gz");
  const auto result = RunProgram(VOXELKL_CONNECTIVITY_EXECUTABLE,
                                 { "--reference",
                                   directory / "ref.nii.gz",
                                   "--generated",
                                   directory / "flat.nii.gz",
                                   "--labels",
                                   directory / "labels.nii.gz",
                                   "--profileCorrelation",
                                   directory / "profile.nii.gz",
                                   "--summary",
                                   directory / "fc.json" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.err.find("1 constant over time"), std::string::npos) << result.err;
  std::ifstream file(directory / "fc.json");
  std::string   text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("\"constant\": {\n      \"generated\": 1,\n      \"reference\": 0,\n      \"total\": 1\n    }"),
            std::string::npos)
    << text;
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  // Two regions compared: no profile correlation exists (3 regions are needed): 0 everywhere.
  const auto map = ReadVolume(directory / "profile.nii.gz");
  for (std::size_t v = 0; v < map->GetLargestPossibleRegion().GetNumberOfPixels(); ++v)
  {
    EXPECT_EQ(map->GetBufferPointer()[v], 0.0);
  }
  EXPECT_NE(text.find("\"matrixSimilarity\": null"), std::string::npos);
  EXPECT_EQ(result.out.find("matrixSimilarity ="), std::string::npos) << result.out;
}

// An atlas that labels few of the voxels considered: the other tools' warning, on stderr and
// in the summary's regions.coverage.
TEST_F(ConnectivityErrors, AtlasCoveringFewVoxelsIsWarnedAbout)
{
  // Two regions of 4 voxels each (x 0 and 1 at y 0, every z): 8 of the 120 voxels.
  WriteMask(reference, directory / "few.nii.gz", [](long x, long y, long) { return y == 0 && x < 2 ? 1 + x : 0; });
  const auto result = RunProgram(VOXELKL_CONNECTIVITY_EXECUTABLE,
                                 { "--reference",
                                   directory / "ref.nii.gz",
                                   "--generated",
                                   directory / "gen.nii.gz",
                                   "--labels",
                                   directory / "few.nii.gz",
                                   "--summary",
                                   directory / "fc.json" });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const std::string warning = "the atlas labels 8 of the 120 voxels considered (6.7 %): the connectivity matrices "
                              "describe only them (is the atlas in the maps' space?)";
  EXPECT_NE(result.err.find("ConnectivityAgreement: warning: " + warning + "\n"), std::string::npos) << result.err;
  std::ifstream        file(directory / "fc.json");
  const nlohmann::json summary = nlohmann::json::parse(file);
  EXPECT_EQ(summary["regions"]["coverage"]["consideredVoxels"], 120);
  EXPECT_EQ(summary["regions"]["coverage"]["labelledVoxels"], 8);
  EXPECT_EQ(summary["regions"]["coverage"]["warning"], warning);

  // Inside a mask of those 8 voxels the atlas covers all: no warning, no field.
  WriteMask(reference, directory / "few_mask.nii.gz", [](long x, long y, long) { return y == 0 && x < 2 ? 1 : 0; });
  const auto masked = RunProgram(VOXELKL_CONNECTIVITY_EXECUTABLE,
                                 { "--reference",
                                   directory / "ref.nii.gz",
                                   "--generated",
                                   directory / "gen.nii.gz",
                                   "--labels",
                                   directory / "few.nii.gz",
                                   "--mask",
                                   directory / "few_mask.nii.gz",
                                   "--summary",
                                   directory / "masked.json" });
  ASSERT_EQ(masked.exitCode, 0) << masked.err;
  EXPECT_EQ(masked.err.find("the atlas labels"), std::string::npos) << masked.err;
  std::ifstream        maskedFile(directory / "masked.json");
  const nlohmann::json maskedSummary = nlohmann::json::parse(maskedFile);
  EXPECT_EQ(maskedSummary["regions"]["coverage"]["consideredVoxels"], 8);
  EXPECT_FALSE(maskedSummary["regions"]["coverage"].contains("warning"));
}

TEST_F(ConnectivityErrors, AnOutputThatIsAnInput)
{
  ExpectRefused(
    With({ "--labelNames", directory / "names.tsv", "--referenceMatrix", directory / "names.tsv" }), "same file", true);
  ExpectRefused(With({ "--profileCorrelation", directory / "labels.nii.gz" }), "same file", true);
  // A table's schema (t.tsv -> t.schema.tsv) is an output too.
  std::ofstream(directory / "t.schema.tsv") << "1\tone\n";
  ExpectRefused(With({ "--labelNames", directory / "t.schema.tsv", "--timeSeries", directory / "t.tsv" }),
                "--labelNames " + directory / "t.schema.tsv",
                true);
}

TEST_F(ConnectivityErrors, UsageErrors)
{
  ExpectRefused({ "--reference", directory / "ref.nii.gz", "--generated", directory / "gen.nii.gz" },
                "missing required option --labels (see 'ConnectivityAgreement --help')",
                true);
  ExpectRefused(With({ "--profileCorrelation", directory / "p.txt" }), "--profileCorrelation", true);
  ExpectRefused(With({ "--referenceMatrix", directory / "r.csv" }), "--referenceMatrix", true);
  ExpectRefused(With({ "--direction", "sideways" }), "--direction", true);
}

TEST_F(ConnectivityErrors, SeriesOnAnotherGridOrTooShort)
{
  WriteSeries(MakeSeries({ 6, 5, 3, 9 }, Varying), directory / "small.nii.gz");
  ExpectRefused({ "--reference",
                  directory / "ref.nii.gz",
                  "--generated",
                  directory / "small.nii.gz",
                  "--labels",
                  directory / "labels.nii.gz" },
                directory / "small.nii.gz",
                true);
  // Two volumes, region 1 without a finite voxel in the second: one time point is left.
  WriteSeries(MakeSeries({ 6, 5, 4, 2 },
                         [](long x, long y, long z, long t) { return t == 1 && x < 2 ? NAN : Varying(x, y, z, t); }),
              directory / "short.nii.gz");
  ExpectRefused({ "--reference",
                  directory / "ref.nii.gz",
                  "--generated",
                  directory / "short.nii.gz",
                  "--labels",
                  directory / "labels.nii.gz" },
                directory / "short.nii.gz" + ": 1 of its 2 volumes has a finite value in every region of " +
                  directory / "labels.nii.gz" + " (the others are left out): connectivity needs at least 2");
}

// A 4D series whose grid cannot fit in memory is refused before the atlas is resampled onto
// it (ITK's allocator failed there, in two lines naming no file).
TEST_F(ConnectivityErrors, HugeSeriesIsRefusedBeforeAllocationNamingIt)
{
  WriteHugeNrrd(directory / "huge.nrrd", { 100000, 100000, 1000, 10 });
  WriteHugeNrrd(directory / "huge2.nrrd", { 100000, 100000, 1000, 10 });
  ExpectRefused({ "--reference",
                  directory / "huge.nrrd",
                  "--generated",
                  directory / "huge2.nrrd",
                  "--labels",
                  directory / "labels.nii.gz",
                  "--summary",
                  directory / "fc.json" },
                directory / "huge.nrrd: its grid needs about",
                true);
}

} // namespace
