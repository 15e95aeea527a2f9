// Every way to get a report wrong: exit 1, one line naming the file and the problem, and no
// file left behind (no report, no temporary, no other output of the run).
#include "ReportFiles.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

float
Ones(long, long, long)
{
  return 1.0f;
}

class ReportErrors : public ::testing::Test
{
protected:
  TemporaryDirectory directory{ "report-errors" };
  void
  SetUp() override
  {
    WriteVolume(directory / "anatomy.nii.gz", { 6, 5, 4 }, { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, Ones);
    WriteVolume(directory / "kl.nii.gz", { 6, 5, 4 }, { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, Ones);
    WriteVolume(directory / "rotated.nii.gz", { 6, 5, 4 }, { 0, -1, 0, 1, 0, 0, 0, 0, 1 }, Ones);
    WriteVolume(directory / "small.nii.gz", { 6, 5, 3 }, { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, Ones);
    const auto series =
      MakeSeries({ 6, 5, 4, 12 }, [](long x, long y, long z, long t) { return 100.0 + x + y + z + ((t * 7 + x) % 5); });
    WriteSeries(series, directory / "ref.nii.gz");
    WriteSeries(MakeSeries({ 6, 5, 4, 12 }, [](long x, long y, long z, long t) { return 99.0 + x + y + z + (t % 3); }),
                directory / "gen.nii.gz");
    const auto run = RunProgram(VOXELKL_KL_EXECUTABLE,
                                { "--reference",
                                  directory / "ref.nii.gz",
                                  "--generated",
                                  directory / "gen.nii.gz",
                                  "--output",
                                  directory / "run.nii.gz",
                                  "--summary",
                                  directory / "kl.json" });
    ASSERT_EQ(run.exitCode, 0) << run.err;
  }

  // Runs executable; expects exit 1, one line "<name>: error: ..." holding every needle, and
  // the directory as it was.
  void
  ExpectFailure(const char *                     executable,
                const std::vector<std::string> & arguments,
                const std::vector<std::string> & needles)
  {
    const auto before = directory.Files();
    const auto result = RunProgram(executable, arguments);
    EXPECT_EQ(result.exitCode, 1) << result.err;
    const std::string name = fs::path(executable).filename().string();
    EXPECT_EQ(result.err.rfind(name + ": error: ", 0), 0u) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    for (const std::string & needle : needles)
    {
      EXPECT_NE(result.err.find(needle), std::string::npos) << "'" << needle << "' not in: " << result.err;
    }
    EXPECT_EQ(directory.Files(), before) << "a file was left behind or removed";
  }
  std::vector<std::string>
  Report(std::vector<std::string> extra)
  {
    std::vector<std::string> arguments{
      "--anatomy", directory / "anatomy.nii.gz", "--output", directory / "report.html"
    };
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  }
};

TEST_F(ReportErrors, MapOnAnotherGridNamesBothFilesAndTheField)
{
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                Report({ "--kl", directory / "rotated.nii.gz" }),
                { "anatomy.nii.gz", "rotated.nii.gz", "direction differs" });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                Report({ "--kl", directory / "kl.nii.gz", "--map", "x=" + directory / "small.nii.gz" }),
                { "anatomy.nii.gz", "small.nii.gz", "size differs along axis 2" });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                Report({ "--kl", directory / "kl.nii.gz", "--mask", directory / "small.nii.gz" }),
                { "small.nii.gz", "anatomy.nii.gz" });
}

// A map whose grid cannot fit in memory is refused before it is allocated, naming it.
TEST_F(ReportErrors, HugeMapIsRefusedBeforeAllocationNamingIt)
{
  WriteHugeNrrd(directory / "huge.nrrd", { 100000, 100000, 1000 });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                Report({ "--kl", directory / "huge.nrrd" }),
                { "huge.nrrd: its grid needs about", "GiB of memory" });
}

TEST_F(ReportErrors, SummaryWithoutAFieldOfThePage)
{
  auto summary = nlohmann::json::parse(ReadFile(directory / "kl.json"));
  summary["voxels"].erase("floored");
  std::ofstream(directory / "broken.json") << summary.dump(2);
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                Report({ "--kl", directory / "kl.nii.gz", "--summary", directory / "broken.json" }),
                { "broken.json: no field 'voxels.floored': not a complete VoxelKLDivergence summary" });
  std::ofstream(directory / "other.json") << R"({"tool": "mriqc"})";
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                Report({ "--summary", directory / "other.json" }),
                { "other.json", "a summary of 'mriqc'" });
  std::ofstream(directory / "text.json") << "not json";
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE, Report({ "--summary", directory / "text.json" }), { "text.json" });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                Report({ "--summary", directory / "kl.json", "--summary", directory / "kl.json" }),
                { "a second VoxelKLDivergence summary" });
}

TEST_F(ReportErrors, UnwritableOutputLeavesNothing)
{
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                { "--anatomy",
                  directory / "anatomy.nii.gz",
                  "--kl",
                  directory / "kl.nii.gz",
                  "--output",
                  directory / "no-such-directory/report.html" },
                { "no-such-directory/report.html" });
  fs::create_directory(directory / "taken.html");
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                { "--anatomy",
                  directory / "anatomy.nii.gz",
                  "--kl",
                  directory / "kl.nii.gz",
                  "--output",
                  directory / "taken.html" },
                { "taken.html" });
  // --report of a run: refused before any work, none of the run's outputs written.
  ExpectFailure(VOXELKL_KL_EXECUTABLE,
                { "--reference",
                  directory / "ref.nii.gz",
                  "--generated",
                  directory / "gen.nii.gz",
                  "--output",
                  directory / "kl2.nii.gz",
                  "--summary",
                  directory / "kl2.json",
                  "--report",
                  directory / "no-such-directory/report.html" },
                { "no-such-directory/report.html" });
  ExpectFailure(VOXELKL_SPATIALKL_EXECUTABLE,
                { "--reference",
                  directory / "ref.nii.gz",
                  "--generated",
                  directory / "gen.nii.gz",
                  "--report",
                  directory / "no-such-directory/report.html" },
                { "no-such-directory/report.html" });
}

TEST_F(ReportErrors, UsageErrors)
{
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                { "--kl", directory / "kl.nii.gz", "--output", directory / "report.htm" },
                { "--output", ".html" });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                { "--kl", directory / "kl.nii.gz", "--output", directory / "report.html" },
                { "maps need an underlay" });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE, Report({}), { "nothing to report" });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                Report({ "--reference", directory / "ref.nii.gz", "--kl", directory / "kl.nii.gz" }),
                { "--reference", "--anatomy", "not both" });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE, Report({ "--map", directory / "kl.nii.gz" }), { "NAME=FILE" });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                Report({ "--kl", directory / "kl.nii.gz", "--map", "kl=" + directory / "kl.nii.gz" }),
                { "a map named 'kl' is given twice" });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                Report({ "--kl", directory / "kl.nii.gz", "--slices", "0" }),
                { "--slices must be between 1 and 64" });
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE, Report({ "--kl", directory / "missing.nii.gz" }), { "missing.nii.gz" });
  // An input given as the output.
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                { "--anatomy",
                  directory / "anatomy.nii.gz",
                  "--cohortTable",
                  directory / "c.html",
                  "--output",
                  directory / "c.html" },
                { "--cohortTable", "--output" });
}

TEST_F(ReportErrors, MomentsHaveNoReport)
{
  const auto saved = RunProgram(VOXELKL_MOMENTS_EXECUTABLE,
                                { "--input", directory / "ref.nii.gz", "--saveState", directory / "moments.vkls" });
  ASSERT_EQ(saved.exitCode, 0) << saved.err;
  ExpectFailure(VOXELKL_MERGE_EXECUTABLE,
                { "--state",
                  directory / "moments.vkls",
                  "--mean",
                  directory / "mean.nii.gz",
                  "--report",
                  directory / "merged.html" },
                { "--report does not apply", "moments.vkls holds a moments state" });
}

TEST_F(ReportErrors, TablesThatAreNotTheirKind)
{
  std::ofstream(directory / "spatial.tsv") << "volume\tloss\n0\t1\n";
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                { "--spatialTable", directory / "spatial.tsv", "--output", directory / "report.html" },
                { "spatial.tsv", "volume<TAB>kl" });
  std::ofstream(directory / "cohort.tsv") << "model\tmeanKL\na\t1\n";
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                { "--cohortTable", directory / "cohort.tsv", "--output", directory / "report.html" },
                { "cohort.tsv: no 'subject' column" });
  std::ofstream(directory / "regions.tsv") << "label\tname\n1\tx\n";
  ExpectFailure(VOXELKL_REPORT_EXECUTABLE,
                { "--regionTable", directory / "regions.tsv", "--output", directory / "report.html" },
                { "regions.tsv" });
}

} // namespace
