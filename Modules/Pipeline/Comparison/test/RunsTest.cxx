// Several 4D runs per series: concatenated, or each run's voxel mean removed first,
// against a double-precision computation written here from the definition.
#include "TestFiles.h"
#include "voxelkl/Errors.h"
#include "voxelkl/KLMapJob.h"
#include "voxelkl/KLSummary.h"

#include <gtest/gtest.h>

#include <cmath>

namespace
{
using namespace voxelkl::test;

// Run r of a series: a per-voxel signal plus a baseline that differs between runs (the
// drift --runs demean is for).
double
RunValue(long x, long y, long z, long t, int run, double spread)
{
  const double baseline = run == 0 ? 200.0 : 260.0 + 3.0 * x;
  return baseline + spread * std::sin(0.8 * t + 0.5 * x + 0.9 * y + 1.7 * z + run);
}

struct RunFiles
{
  TemporaryDirectory       directory{ "runs" };
  std::vector<std::string> reference;
  std::vector<std::string> generated;
  static constexpr long    Lengths[2] = { 14, 9 };

  RunFiles()
  {
    for (int run = 0; run < 2; ++run)
    {
      for (const bool isReference : { true, false })
      {
        const double      spread = isReference ? 4.0 : 2.5;
        const auto        series = MakeSeries({ 4, 3, 2, Lengths[run] }, [run, spread](long x, long y, long z, long t) {
          return RunValue(x, y, z, t, run, spread);
        });
        const std::string file =
          directory / ((isReference ? "reference_run-" : "generated_run-") + std::to_string(run + 1) + ".nii.gz");
        WriteSeries(series, file, "float32");
        (isReference ? reference : generated).push_back(file);
      }
    }
  }
};

// The samples of voxel (x, y, z) as float32, as the file holds them, each run demeaned
// (in double) or not.
std::vector<double>
Samples(long x, long y, long z, double spread, bool demean)
{
  std::vector<double> all;
  for (int run = 0; run < 2; ++run)
  {
    std::vector<double> values;
    for (long t = 0; t < RunFiles::Lengths[run]; ++t)
    {
      values.push_back(static_cast<float>(RunValue(x, y, z, t, run, spread)));
    }
    double mean = 0.0;
    for (const double v : values)
    {
      mean += v / static_cast<double>(values.size());
    }
    for (const double v : values)
    {
      all.push_back(demean ? v - mean : v);
    }
  }
  return all;
}

TEST(Runs, ConcatenatedAndDemeanedAgainstTheDefinition)
{
  const RunFiles files;
  for (const auto runs : { voxelkl::RunsHandling::Concatenate, voxelkl::RunsHandling::Demean })
  {
    voxelkl::KLMapJob job;
    job.reference = voxelkl::InspectSeries(files.reference);
    job.generated = voxelkl::InspectSeries(files.generated);
    job.runs = runs;
    ASSERT_EQ(job.reference.runs.size(), 2u);
    ASSERT_EQ(job.reference.timePoints, 23u);
    const voxelkl::KLMaps maps = voxelkl::ComputeKLMaps(job);
    const bool            demean = runs == voxelkl::RunsHandling::Demean;
    for (long z = 0; z < 2; ++z)
      for (long y = 0; y < 3; ++y)
        for (long x = 0; x < 4; ++x)
        {
          const auto [mr, vr] = MeanVariance(Samples(x, y, z, 4.0, demean));
          const auto [mg, vg] = MeanVariance(Samples(x, y, z, 2.5, demean));
          const double      expected = TextbookKL(mr, vr, mg, vg);
          const std::size_t v = static_cast<std::size_t>(x + 4 * (y + 3 * z));
          // Float32 maps; demeaned values are rounded to float32 before they are pooled.
          EXPECT_NEAR(maps.divergence->GetBufferPointer()[v], expected, 2e-5 * (1.0 + expected))
            << voxelkl::ToString(runs) << " voxel " << v;
        }
    const nlohmann::json summary = voxelkl::MakeKLSummary(job, maps, voxelkl::ComputeKLMapStatistics(maps));
    EXPECT_EQ(summary["options"]["runs"], voxelkl::ToString(runs));
    EXPECT_EQ(summary["inputs"]["reference"]["runs"].size(), 2u);
    EXPECT_EQ(summary["inputs"]["reference"]["runs"][1]["timePoints"], 9);
  }
}

TEST(Runs, RunsMustShareTheGridAndBe4D)
{
  const RunFiles     files;
  TemporaryDirectory directory("runs-bad");
  const auto         shifted = MakeSeries(
    { 4, 3, 2, 5 }, [](long, long, long, long t) { return t; }, 9.0);
  WriteSeries(shifted, directory / "shifted.nii.gz");
  try
  {
    voxelkl::InspectSeries({ files.reference[0], directory / "shifted.nii.gz" });
    FAIL() << "runs on two grids were accepted";
  }
  catch (const voxelkl::InputError & error)
  {
    EXPECT_NE(std::string(error.what()).find("origin differs"), std::string::npos) << error.what();
  }
  const auto volumes = WriteVolumes(shifted, directory / "volume", ".nii");
  EXPECT_THROW(voxelkl::InspectSeries({ files.reference[0], volumes[0] }), voxelkl::InputError);
}

} // namespace
