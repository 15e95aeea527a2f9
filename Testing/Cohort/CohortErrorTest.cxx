// Every way the inputs of VoxelKLCohort can be wrong: exit status 1, one line naming the
// file and the problem, and no output (not even a schema or a temporary file).
#include "CohortFiles.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

// A small cohort of hand-made summaries (no images needed for these paths).
class CohortErrors : public ::testing::Test
{
protected:
  TemporaryDirectory directory{ "cohort-errors" };
  std::string        index = directory / "cohort_index.tsv";
  std::string        table = directory / "cohort.tsv";

  static nlohmann::json
  Summary(double mean, const std::string & estimator = "gaussian")
  {
    return { { "tool", "VoxelKLDivergence" },
             { "options",
               { { "estimator", estimator },
                 { "direction", "forward" },
                 { "varianceFloor", "relative: (1e-06 * max(|mean_reference|, |mean_generated|, 1))^2" } } },
             { "voxels", { { "valid", 10 } } },
             { "kl", { { "count", 10 }, { "mean", mean }, { "median", mean / 2 } } } };
  }

  void
  SetUp() override
  {
    WriteText(directory / "sub-01_kl.json", Summary(0.5).dump());
    WriteText(directory / "sub-02_kl.json", Summary(0.75).dump());
    WriteText(index, "subject\tmodel\tsummary\tregionTable\n01\ta\tsub-01_kl.json\t\n02\ta\tsub-02_kl.json\t\n");
  }

  // Runs with the arguments; expects exit 1, one line holding every needle (with the --help
  // hint for a usage error) and no new file.
  void
  ExpectFailure(const std::vector<std::string> & arguments,
                const std::vector<std::string> & needles,
                bool                             usage = false)
  {
    const auto before = directory.Files();
    const auto result = RunProgram(VOXELKL_COHORT_EXECUTABLE, arguments);
    EXPECT_EQ(result.exitCode, 1) << result.err;
    EXPECT_EQ(result.err.rfind("VoxelKLCohort: error: ", 0), 0u) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_EQ(result.err.find("--help')") != std::string::npos, usage) << result.err;
    for (const auto & needle : needles)
    {
      EXPECT_NE(result.err.find(needle), std::string::npos) << "missing '" << needle << "' in: " << result.err;
    }
    EXPECT_EQ(directory.Files(), before) << "a file was left behind or changed";
    EXPECT_FALSE(fs::exists(table));
    EXPECT_FALSE(fs::exists(directory / "cohort.schema.tsv"));
  }
  std::vector<std::string>
  With(std::vector<std::string> extra) const
  {
    std::vector<std::string> arguments{ "--index", index, "--table", table };
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return arguments;
  }
};

TEST_F(CohortErrors, TheControlRunSucceeds)
{
  const auto result = RunProgram(VOXELKL_COHORT_EXECUTABLE, With({ "--groupTable", directory / "group.tsv" }));
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(ReadText(table).substr(0, 8), "subject\t");
}

TEST_F(CohortErrors, SummaryWithoutAFieldIsNamed)
{
  auto summary = Summary(0.75);
  summary["kl"].erase("median");
  WriteText(directory / "sub-02_kl.json", summary.dump());
  ExpectFailure(With({ "--groupTable", directory / "group.tsv" }),
                { directory / "sub-02_kl.json", "no field 'kl.median'", "not a complete VoxelKLDivergence summary" });
  EXPECT_FALSE(fs::exists(directory / "group.tsv"));
}

TEST_F(CohortErrors, FilesThatAreNotSummariesOrRegionTables)
{
  WriteText(directory / "sub-02_kl.json", "{\"tool\": ");
  ExpectFailure(With({}), { directory / "sub-02_kl.json", "not JSON" });
  WriteText(directory / "sub-02_kl.json", R"({"maps": ["kl"], "regions": []})");
  ExpectFailure(With({}), { directory / "sub-02_kl.json", "not a VoxelKL summary" });
  fs::remove(directory / "sub-02_kl.json");
  ExpectFailure(With({}), { directory / "sub-02_kl.json: no such file" });
  WriteText(directory / "sub-02_kl.json", Summary(0.75).dump());
  WriteText(directory / "regions.tsv", "region\tkl\n1\t0.5\n");
  WriteText(index, "subject\tmodel\tsummary\tregionTable\n01\ta\tsub-01_kl.json\tregions.tsv\n");
  ExpectFailure(With({}), { directory / "regions.tsv", "not a VoxelKL region table", "expected 'label name voxels'" });
  WriteText(index, "subject\tmodel\tsumary\n01\ta\tsub-01_kl.json\n");
  ExpectFailure(With({}), { index, "unknown column 'sumary'" });
  ExpectFailure(With({ "--regionTable", directory / "regions_out.tsv" }), { index, "unknown column" });
}

TEST_F(CohortErrors, DuplicateSubjectIsNamedWithBothLines)
{
  WriteText(index, "subject\tmodel\tsummary\n01\ta\tsub-01_kl.json\n02\ta\tsub-02_kl.json\n01\ta\tsub-02_kl.json\n");
  ExpectFailure(With({}), { index + ":4: subject 01, model a is given twice (also on line 2)" });
  // Through the file names: two sessions of one subject.
  WriteText(directory / "sub-01_ses-1_kl.json", Summary(0.5).dump());
  WriteText(directory / "sub-01_ses-2_kl.json", Summary(0.5).dump());
  ExpectFailure({ "--summary",
                  directory / "sub-01_ses-1_kl.json",
                  "--summary",
                  directory / "sub-01_ses-2_kl.json",
                  "--table",
                  table },
                { directory / "sub-01_ses-1_kl.json", directory / "sub-01_ses-2_kl.json", "subject 01", "--index" });
}

TEST_F(CohortErrors, EstimatorsMixedWithinAModelAreRefused)
{
  WriteText(directory / "sub-02_kl.json", Summary(0.75, "knn").dump());
  ExpectFailure(With({}),
                { "model a mixes KL maps computed differently: options.estimator is \"knn\" in " +
                  directory / "sub-02_kl.json but \"gaussian\" in " + directory / "sub-01_kl.json" });
}

TEST_F(CohortErrors, AnOutputThatIsAnInputIsRefused)
{
  ExpectFailure({ "--index", index, "--table", index }, { "--table " + index, "same file", "--index " + index });
  // A file the index names.
  const std::string summary = directory / "sub-01_kl.json";
  fs::copy_file(summary, directory / "sub-01_kl.tsv");
  WriteText(index, "subject\tmodel\tsummary\n01\ta\tsub-01_kl.tsv\n02\ta\tsub-02_kl.json\n");
  ExpectFailure({ "--index", index, "--table", directory / "sub-01_kl.tsv" },
                { "--table " + directory / "sub-01_kl.tsv", "same file", "the summary of " + index + ":2" });
  // A schema beside an output is an output too.
  WriteText(index, "subject\tmodel\tsummary\n01\ta\tsub-01_kl.json\n02\ta\tsub-02_kl.json\n");
  ExpectFailure({ "--index", index, "--table", table, "--groupTable", directory / "cohort.schema.tsv" },
                { "same file", "cohort.schema.tsv" });
  // --summary files too, under another name.
  fs::create_symlink("sub-01_kl.json", directory / "link.tsv");
  ExpectFailure({ "--summary", summary, "--table", directory / "link.tsv" },
                { "--table " + directory / "link.tsv", "same file", "--summary " + summary });
}

TEST_F(CohortErrors, UsageMistakes)
{
  ExpectFailure({ "--table", table }, { "no cohort: give --index" }, true);
  ExpectFailure({ "--index", index, "--summary", directory / "sub-01_kl.json", "--table", table },
                { "give --index or --summary files, not both" },
                true);
  ExpectFailure(
    { "--index", index, "--table", directory / "cohort.csv" }, { "--table", "expected a .tsv file name" }, true);
  ExpectFailure(With({ "--regionTable", directory / "regions.tsv" }),
                { "--regionTable", "no row has region statistics" });
}

TEST(CohortCommand, HelpAndSlicerDescription)
{
  const auto help = RunProgram(VOXELKL_COHORT_EXECUTABLE, { "--help" });
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("VoxelKLCohort --index cohort_index.tsv --table cohort.tsv"), std::string::npos) << help.out;
  const auto xml = RunProgram(VOXELKL_COHORT_EXECUTABLE, { "--xml" });
  EXPECT_EQ(xml.exitCode, 0);
  EXPECT_EQ(xml.err, "");
  EXPECT_NE(xml.out.find("<longflag>groupTable</longflag>"), std::string::npos);
}

} // namespace
