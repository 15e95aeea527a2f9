// VoxelKLMerge end to end: states of runs saved by VoxelKLDivergence (or VoxelMoments) and
// merged, in any order and in stages, give the maps of one run over the concatenated
// series: the float64 states finished here agree to 1e-12 relative, the written float32
// maps to one rounding. And every bad merge is refused, naming the file and the field,
// leaving no output.
#include "TestFiles.h"
#include "voxelkl/ComparisonMeasure.h"
#include "voxelkl/StateFile.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

namespace
{
using namespace voxelkl::test;
namespace fs = std::filesystem;

constexpr std::array<long, 3> Grid{ 7, 5, 4 };

// Run r of a subject: its own baseline (so that demeaning matters) and length, noise from
// a hash, a NaN in one voxel, a constant voxel.
double
Signal(int run, long x, long y, long z, long t, bool generated)
{
  if (x == 0 && y == 0 && z == 0)
    return 250.0;
  if (generated && x == 3 && y == 2 && z == 1 && t % 7 == 3)
    return std::numeric_limits<double>::quiet_NaN();
  const unsigned long hash =
    static_cast<unsigned long>(((x * 73 + y * 19 + z * 7 + t * 31 + run * 101) * 2654435761UL) % 1000);
  const double noise = static_cast<double>(hash) / 1000.0 - 0.5;
  const double baseline = 900.0 + 10.0 * x + 25.0 * run;
  return generated ? 0.8 * baseline + 200.0 + (y == 1 ? 3.0 : 9.0) * noise : baseline + 8.0 * noise + 0.1 * t;
}

class Merges : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    const long lengths[] = { 30, 45, 26 };
    for (int run = 0; run < 3; ++run)
    {
      for (const bool generated : { false, true })
      {
        const std::string path = directory / ((generated ? "gen-" : "ref-") + std::to_string(run) + ".nii.gz");
        WriteSeries(MakeSeries({ Grid[0], Grid[1], Grid[2], lengths[run] },
                               [=](long x, long y, long z, long t) { return Signal(run, x, y, z, t, generated); }),
                    path);
        (generated ? generatedRuns : referenceRuns).push_back(path);
      }
    }
    mask = directory / "mask.nii.gz";
    WriteMask(MakeSeries({ Grid[0], Grid[1], Grid[2], 1 }, [](long, long, long, long) { return 0.0; }),
              mask,
              [](long x, long, long z) { return x < 6 && z < 3 ? 1 : 0; });
  }

  std::string
  Path(const std::string & name) const
  {
    return directory / name;
  }

  // VoxelKLDivergence over the runs given (one state), with every map.
  void
  Compare(const std::vector<int> & runs, const std::string & stem, std::vector<std::string> extra = {})
  {
    std::vector<std::string> arguments;
    for (int run : runs)
    {
      arguments.insert(arguments.end(), { "--reference", referenceRuns[run], "--generated", generatedRuns[run] });
    }
    for (const char * map : { "mse", "correlation", "meanDifference", "varianceLogRatio" })
    {
      arguments.insert(arguments.end(), { std::string("--") + map, Path(stem + "-" + map + ".nii") });
    }
    arguments.insert(arguments.end(),
                     { "--mask",
                       mask,
                       "--output",
                       Path(stem + "-kl.nii"),
                       "--summary",
                       Path(stem + ".json"),
                       "--saveState",
                       Path(stem + ".vkls") });
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    const auto result = RunProgram(VOXELKL_KL_EXECUTABLE, arguments);
    ASSERT_EQ(result.exitCode, 0) << result.err;
  }

  ProcessResult
  Merge(const std::vector<std::string> & states, const std::string & stem, std::vector<std::string> extra = {})
  {
    std::vector<std::string> arguments;
    for (const std::string & state : states)
    {
      arguments.insert(arguments.end(), { "--state", Path(state + ".vkls") });
    }
    for (const char * map : { "mse", "correlation", "meanDifference", "varianceLogRatio" })
    {
      arguments.insert(arguments.end(), { std::string("--") + map, Path(stem + "-" + map + ".nii") });
    }
    arguments.insert(
      arguments.end(),
      { "--output", Path(stem + "-kl.nii"), "--summary", Path(stem + ".json"), "--saveState", Path(stem + ".vkls") });
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    return RunProgram(VOXELKL_MERGE_EXECUTABLE, arguments);
  }

  // The KL, MSE and correlation of a state, finished in double.
  static std::vector<double>
  FinishInDouble(const std::string & path, bool paired)
  {
    const voxelkl::StateFile    file = voxelkl::ReadStateFile(path);
    voxelkl::ComparisonSettings settings;
    settings.paired = paired;
    const auto                 comparison = voxelkl::GaussianComparison::FromState(settings, file.state);
    const std::size_t          n = file.state.Voxels();
    std::vector<double>        values(3 * n);
    std::vector<unsigned char> status(n);
    std::vector<std::uint32_t> skipped(n), pairs(n);
    comparison.Finish(0,
                      n,
                      nullptr,
                      voxelkl::ComparisonRow<double>{ values.data(),
                                                      status.data(),
                                                      skipped.data(),
                                                      nullptr,
                                                      nullptr,
                                                      paired ? values.data() + n : nullptr,
                                                      paired ? values.data() + 2 * n : nullptr,
                                                      paired ? pairs.data() : nullptr,
                                                      nullptr });
    return values;
  }

  static void
  ExpectNear1e12(const std::vector<double> & a, const std::vector<double> & b, const std::string & what)
  {
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
    {
      EXPECT_LE(std::fabs(a[i] - b[i]), 1e-12 * std::max(std::fabs(a[i]), std::fabs(b[i])) + 1e-300)
        << what << " value " << i << ": " << a[i] << " vs " << b[i];
    }
  }

  // Written float32 maps: one rounding apart at most, or 1e-12 of the signal level (~1e3)
  // where a value is rounding noise about 0 (the mean difference of demeaned runs).
  void
  ExpectSameMaps(const std::string & a, const std::string & b)
  {
    for (const char * map : { "kl", "mse", "correlation", "meanDifference", "varianceLogRatio" })
    {
      const auto        first = ReadVolume(Path(a + "-" + map + ".nii"));
      const auto        second = ReadVolume(Path(b + "-" + map + ".nii"));
      const std::size_t n = first->GetLargestPossibleRegion().GetNumberOfPixels();
      for (std::size_t v = 0; v < n; ++v)
      {
        const double x = first->GetBufferPointer()[v], y = second->GetBufferPointer()[v];
        EXPECT_LE(std::fabs(x - y), std::max(std::ldexp(std::fabs(x), -23), 1e-9))
          << map << " voxel " << v << ": " << x << " vs " << y;
      }
    }
  }

  TemporaryDirectory       directory{ std::string("merge-") +
                                ::testing::UnitTest::GetInstance()->current_test_info()->name() };
  std::vector<std::string> referenceRuns, generatedRuns;
  std::string              mask;
};

TEST_F(Merges, RunsMergedInAnyOrderAndInStagesGiveTheConcatenatedSeries)
{
  Compare({ 0, 1, 2 }, "whole");
  Compare({ 0 }, "run0");
  Compare({ 1 }, "run1");
  Compare({ 2 }, "run2");
  auto result = Merge({ "run0", "run1", "run2" }, "merged012");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  result = Merge({ "run2", "run0", "run1" }, "merged201");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  result = Merge({ "run1", "run2" }, "merged12");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  result = Merge({ "run0", "merged12" }, "staged"); // a merge of merges
  ASSERT_EQ(result.exitCode, 0) << result.err;

  const std::vector<double> whole = FinishInDouble(Path("whole.vkls"), true);
  for (const char * merged : { "merged012", "merged201", "staged" })
  {
    ExpectNear1e12(whole, FinishInDouble(Path(std::string(merged) + ".vkls"), true), merged);
    ExpectSameMaps("whole", merged);
  }
  // A merge of one state is that state's maps, bit for bit.
  result = Merge({ "run1" }, "alone");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  for (const char * map : { "kl", "mse", "correlation", "meanDifference", "varianceLogRatio" })
  {
    EXPECT_TRUE(SameVoxels(ReadVolume(Path(std::string("run1-") + map + ".nii")),
                           ReadVolume(Path(std::string("alone-") + map + ".nii"))))
      << map;
  }
  // The summary says what was merged, and has the numbers of the whole.
  nlohmann::json summary, wholeSummary;
  std::ifstream(Path("merged201.json")) >> summary;
  std::ifstream(Path("whole.json")) >> wholeSummary;
  EXPECT_EQ(summary["tool"], "VoxelKLMerge");
  EXPECT_EQ(summary["options"]["merged"], 3);
  ASSERT_EQ(summary["inputs"]["states"].size(), 3u);
  EXPECT_EQ(summary["inputs"]["states"][0]["path"], Path("run2.vkls"));
  EXPECT_EQ(summary["inputs"]["states"][0]["inputs"]["reference"]["paths"][0], referenceRuns[2]);
  EXPECT_EQ(summary["voxels"], wholeSummary["voxels"]);
  EXPECT_NEAR(summary["kl"]["mean"].get<double>(),
              wholeSummary["kl"]["mean"].get<double>(),
              1e-6 * wholeSummary["kl"]["mean"].get<double>());
  EXPECT_NEAR(summary["globalMSE"].get<double>(),
              wholeSummary["globalMSE"].get<double>(),
              1e-9 * wholeSummary["globalMSE"].get<double>());
}

TEST_F(Merges, DemeanedRunsMergeAsTheyPool)
{
  Compare({ 0, 2 }, "whole", { "--runs", "demean" });
  Compare({ 0 }, "run0", { "--runs", "demean" });
  Compare({ 2 }, "run2", { "--runs", "demean" });
  const auto result = Merge({ "run0", "run2" }, "merged");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  ExpectNear1e12(FinishInDouble(Path("whole.vkls"), true), FinishInDouble(Path("merged.vkls"), true), "demeaned");
  ExpectSameMaps("whole", "merged");
  // A concatenated state does not merge with a demeaned one.
  Compare({ 1 }, "run1");
  const auto refused = Merge({ "run0", "run1" }, "mixed");
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE(refused.err.find("option 'runs' differs"), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(Path("mixed-kl.nii")));
}

TEST_F(Merges, MomentStatesMergeIntoTheMomentsOfAllSamples)
{
  auto moments = [&](std::vector<int> runs, const std::string & stem) {
    std::vector<std::string> arguments;
    for (int run : runs)
    {
      arguments.insert(arguments.end(), { "--input", generatedRuns[run] });
    }
    arguments.insert(arguments.end(),
                     { "--mask",
                       mask,
                       "--saveState",
                       Path(stem + ".vkls"),
                       "--skewness",
                       Path(stem + "-skewness.nii"),
                       "--kurtosis",
                       Path(stem + "-kurtosis.nii") });
    const auto result = RunProgram(VOXELKL_MOMENTS_EXECUTABLE, arguments);
    ASSERT_EQ(result.exitCode, 0) << result.err;
  };
  moments({ 0, 1, 2 }, "whole");
  moments({ 0 }, "run0");
  moments({ 1, 2 }, "run12");
  const auto result = RunProgram(VOXELKL_MERGE_EXECUTABLE,
                                 { "--state",
                                   Path("run12.vkls"),
                                   "--state",
                                   Path("run0.vkls"),
                                   "--skewness",
                                   Path("merged-skewness.nii"),
                                   "--kurtosis",
                                   Path("merged-kurtosis.nii") });
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const voxelkl::StateFile whole = voxelkl::ReadStateFile(Path("whole.vkls"));
  voxelkl::StateFile       merged = voxelkl::ReadStateFile(Path("run12.vkls"));
  merged.state.Merge(voxelkl::ReadStateFile(Path("run0.vkls")).state);
  for (std::size_t v = 0; v < whole.state.Voxels(); ++v)
  {
    const auto a = whole.state.MomentsAt(v), b = merged.state.MomentsAt(v);
    EXPECT_EQ(a.Count(), b.Count());
    for (const auto & [x, y] : { std::pair{ a.Mean(), b.Mean() },
                                 std::pair{ a.M2(), b.M2() },
                                 std::pair{ a.Skewness(), b.Skewness() },
                                 std::pair{ a.ExcessKurtosis(), b.ExcessKurtosis() } })
    {
      EXPECT_LE(std::fabs(x - y), 1e-12 * std::max(std::fabs(x), 1.0)) << v;
    }
  }
  for (const char * map : { "skewness", "kurtosis" })
  {
    const auto first = ReadVolume(Path(std::string("whole-") + map + ".nii"));
    const auto second = ReadVolume(Path(std::string("merged-") + map + ".nii"));
    for (std::size_t v = 0; v < first->GetLargestPossibleRegion().GetNumberOfPixels(); ++v)
    {
      EXPECT_NEAR(first->GetBufferPointer()[v], second->GetBufferPointer()[v], 1e-6) << map << " " << v;
    }
  }
}

TEST_F(Merges, BadMergesAreRefusedNamingTheFileAndLeaveNoOutput)
{
  Compare({ 0 }, "run0");
  Compare({ 1 }, "reverse", { "--direction", "reverse" });
  auto expectRefused = [&](const ProcessResult & result, const std::vector<std::string> & words) {
    EXPECT_EQ(result.exitCode, 1) << result.out;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    for (const std::string & word : words)
    {
      EXPECT_NE(result.err.find(word), std::string::npos) << "'" << word << "' not in: " << result.err;
    }
    EXPECT_FALSE(fs::exists(Path("bad-kl.nii")));
    EXPECT_FALSE(fs::exists(Path("bad.json")));
    EXPECT_FALSE(fs::exists(Path("bad.vkls")));
  };
  expectRefused(Merge({ "run0", "reverse" }, "bad"), { "reverse.vkls", "option 'direction' differs" });
  expectRefused(Merge({ "run0", "run0" }, "bad"), { "run0.vkls", "given twice" });
  {
    std::ifstream in(Path("run0.vkls"), std::ios::binary);
    std::string   bytes{ std::istreambuf_iterator<char>(in), {} };
    std::ofstream(Path("short.vkls"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  }
  expectRefused(Merge({ "run0", "short" }, "bad"), { "short.vkls", "truncated" });
  std::ofstream(Path("text.vkls")) << "not a state\n";
  expectRefused(Merge({ "text", "run0" }, "bad"), { "text.vkls", "not a VoxelKL state" });
  // An output onto an input.
  expectRefused(
    RunProgram(VOXELKL_MERGE_EXECUTABLE,
               { "--state", Path("run0.vkls"), "--output", Path("bad-kl.nii"), "--saveState", Path("run0.vkls") }),
    { "run0.vkls" });
  // Paired maps from a state saved without them; moment maps from a comparison.
  ASSERT_EQ(RunProgram(VOXELKL_KL_EXECUTABLE,
                       { "--reference",
                         referenceRuns[2],
                         "--generated",
                         generatedRuns[2],
                         "--mask",
                         mask,
                         "--output",
                         Path("unpaired-kl.nii"),
                         "--saveState",
                         Path("unpaired.vkls") })
              .exitCode,
            0);
  expectRefused(Merge({ "run0", "unpaired" }, "bad"), { "--mse needs paired states" });
  expectRefused(
    RunProgram(VOXELKL_MERGE_EXECUTABLE,
               { "--state", Path("run0.vkls"), "--output", Path("bad-kl.nii"), "--mean", Path("bad-mean.nii") }),
    { "--mean does not apply", "run0.vkls", "comparison" });
  // Non-parametric estimates do not merge.
  expectRefused(RunProgram(VOXELKL_KL_EXECUTABLE,
                           { "--reference",
                             referenceRuns[1],
                             "--generated",
                             generatedRuns[1],
                             "--estimator",
                             "knn",
                             "--neighbours",
                             "3",
                             "--output",
                             Path("bad-kl.nii"),
                             "--saveState",
                             Path("bad.vkls") }),
                { "--saveState needs --estimator gaussian" });
}

} // namespace
