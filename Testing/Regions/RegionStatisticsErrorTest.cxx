// Every way the inputs of RegionStatistics can be wrong: exit status 1, one line naming
// the file and the problem, and no output file (not even a partial one).
#include "RegionFiles.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

class RegionStatisticsErrors : public ::testing::Test
{
protected:
  TemporaryDirectory directory{ "region-errors" };
  std::string        map = directory / "map.nii.gz";
  std::string        atlas = directory / "atlas.nii.gz";
  std::string        table = directory / "regions.tsv";

  void
  SetUp() override
  {
    WriteVolume(MakeVolume<float>(MapGrid, MapValue).GetPointer(), map);
    WriteVolume(MakeVolume<std::int16_t>(MapGrid, SameGridLabel).GetPointer(), atlas);
  }

  // Runs with the given arguments; expects exit 1, a one-line error holding every needle
  // (with the --help hint for a usage error) and no new file.
  void
  ExpectFailure(const std::vector<std::string> & arguments,
                const std::vector<std::string> & needles,
                bool                             usage = false)
  {
    const auto before = directory.Files();
    const auto result = RunProgram(VOXELKL_REGIONS_EXECUTABLE, arguments);
    EXPECT_EQ(result.exitCode, 1) << result.err;
    EXPECT_EQ(result.err.rfind("RegionStatistics: error: ", 0), 0u) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(result.err.find("--help')") != std::string::npos, usage) << result.err;
    for (const auto & needle : needles)
    {
      EXPECT_NE(result.err.find(needle), std::string::npos) << "missing '" << needle << "' in: " << result.err;
    }
    EXPECT_EQ(directory.Files().size(), before.size()) << "a file was left behind";
    EXPECT_FALSE(fs::exists(table));
    EXPECT_FALSE(fs::exists(directory / "regions.schema.tsv"));
  }
  std::vector<std::string>
  With(std::vector<std::string> extra) const
  {
    std::vector<std::string> arguments{ "--input", map, "--labels", atlas, "--table", table };
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  }
};

TEST_F(RegionStatisticsErrors, MissingOrUnreadableInputs)
{
  ExpectFailure({ "--input", map, "--labels", directory / "nope.nii.gz", "--table", table },
                { "nope.nii.gz: no such file" });
  ExpectFailure({ "--input", directory / "absent.nii.gz", "--labels", atlas, "--table", table },
                { "absent.nii.gz: no such file" });
  std::ofstream(directory / "notes.nii.gz") << "not an image";
  ExpectFailure({ "--input", map, "--labels", directory / "notes.nii.gz", "--table", table }, { "notes.nii.gz" });
  ExpectFailure(With({ "--labelNames", directory / "absent.txt" }), { "absent.txt: no such file" });
}

TEST_F(RegionStatisticsErrors, AtlasThatDoesNotOverlapTheMap)
{
  const std::string far = directory / "far.nii.gz";
  WriteVolume(MakeVolume<std::int16_t>(MakeGrid({ 20, 20, 20 }, { 1, 1, 1 }, { 400, 400, 400 }),
                                       [](long, long, long) { return std::int16_t(3); })
                .GetPointer(),
              far);
  ExpectFailure({ "--input", map, "--labels", far, "--table", table },
                { far + " and " + map + " do not overlap", "atlas x 400..419" });
}

TEST_F(RegionStatisticsErrors, AtlasThatIsNotALabelImage)
{
  const std::string fractional = directory / "probability.nii.gz";
  WriteVolume(MakeVolume<float>(MapGrid, [](long i, long, long) { return 0.1f * float(i); }).GetPointer(), fractional);
  ExpectFailure({ "--input", map, "--labels", fractional, "--table", table },
                { "probability.nii.gz: holds 0.1", "integer labels" });
  const std::string empty = directory / "empty.nii.gz";
  WriteVolume(MakeVolume<std::uint8_t>(MapGrid, [](long, long, long) { return std::uint8_t(0); }).GetPointer(), empty);
  ExpectFailure({ "--input", map, "--labels", empty, "--table", table }, { "empty.nii.gz: holds no label" });
}

TEST_F(RegionStatisticsErrors, BadNamesFiles)
{
  const std::string bad = directory / "bad.txt";
  std::ofstream(bad) << "1 Frontal\nFrontal 2\n";
  ExpectFailure(With({ "--labelNames", bad }), { "bad.txt: line 2", "Frontal 2" });
  const std::string xml = directory / "atlas.xml";
  std::ofstream(xml) << "<atlas><header><name>x</name></header><data><label index=\"1\">A</label></data></atlas>";
  ExpectFailure(With({ "--labelNames", xml }), { "atlas.xml", "<type>" });
  const std::string other = directory / "other.txt";
  std::ofstream(other) << "100 Elsewhere\n101 Nowhere\n";
  ExpectFailure(With({ "--labelNames", other }), { "other.txt names none of the 6 labels of " + atlas + " (1..6)" });
}

TEST_F(RegionStatisticsErrors, MaskAndOutputs)
{
  const std::string mask = directory / "mask.nii.gz";
  WriteVolume(MakeVolume<std::uint8_t>(MakeGrid({ 12, 10, 7 }, { 2, 2, 2 }, { 30, 20, -10 }, MapGrid.direction),
                                       [](long, long, long) { return std::uint8_t(1); })
                .GetPointer(),
              mask);
  ExpectFailure(With({ "--mask", mask }), { "mask.nii.gz", "size differs along axis 2" });
  ExpectFailure(
    { "--input", map, "--labels", atlas, "--table", directory / "regions.csv" }, { "regions.csv", ".tsv" }, true);
  ExpectFailure({ "--input", map, "--labels", atlas, "--table", directory / "missing-dir/regions.tsv" },
                { "missing-dir" });
  ExpectFailure(With({ "--summary", directory / "missing-dir/s.json" }), { "missing-dir" });
  ExpectFailure(With({ "--mapName", "two words" }), { "--mapName" }, true);
  ExpectFailure({ "--input", map, "--labels", atlas }, { "--table" }, true);
}

TEST(RegionStatisticsCommand, HelpAndSlicerDescription)
{
  const auto help = RunProgram(VOXELKL_REGIONS_EXECUTABLE, { "--help" });
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("RegionStatistics --input kl.nii.gz --labels aal.nii.gz"), std::string::npos) << help.out;
  const auto xml = RunProgram(VOXELKL_REGIONS_EXECUTABLE, { "--xml" });
  EXPECT_EQ(xml.exitCode, 0);
  EXPECT_EQ(xml.err, "");
  EXPECT_EQ(xml.out.rfind("<?xml ", 0), 0u);
  EXPECT_NE(xml.out.find("<longflag>table</longflag>"), std::string::npos) << xml.out;
  EXPECT_NE(xml.out.find("fileExtensions=\".tsv\""), std::string::npos) << xml.out;
}

} // namespace
