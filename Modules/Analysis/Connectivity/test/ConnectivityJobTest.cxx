// The connectivity job on files: region means against a brute-force loop over the values
// written, the same bits for any thread count and any kind of input file, progress,
// cancellation, and the checks made before the series are read.
#include "voxelkl/ConnectivityJob.h"
#include "TestFiles.h"
#include "voxelkl/ConnectivityOutputs.h"
#include "voxelkl/Errors.h"
#include "voxelkl/NiftiImageIO.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>

namespace
{
using namespace voxelkl::test;

constexpr long   X = 9, Y = 8, Z = 5;
constexpr long   ReferenceLength = 37, GeneratedLength = 29;
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// Six block regions (1..6), background where x == 0 and z == 0, and label 9 at one voxel
// that the mask leaves out.
int
Label(long x, long y, long z)
{
  if (x == 8 && y == 7)
  {
    return 9;
  }
  if (x == 0 && z == 0)
  {
    return 0;
  }
  return 1 + static_cast<int>(x / 3) + 3 * static_cast<int>(y / 4);
}

int
Inside(long x, long y, long)
{
  return x == 8 && y == 7 ? 0 : 1;
}

// Each region shares a signal of its own and a global one, plus voxel noise; a few NaN.
double
Value(long x, long y, long z, long t, bool reference)
{
  if (x == 4 && y == 2 && z == 3 && t % 7 == 1)
  {
    return NaN;
  }
  const int    label = Label(x, y, z);
  const double global = std::sin(0.21 * t) + 0.5 * HashNoise(0, 0, 0, t, reference ? 1 : 2);
  const double own = HashNoise(label, 0, 0, t, reference ? 3 : 4);
  const double weight = reference ? 0.2 * label : 0.3 * (7 - label);
  return (reference ? 800.0 : 760.0) + 10.0 * label + 4.0 * (weight * global + own) + HashNoise(x, y, z, t, 5);
}

struct Files
{
  TemporaryDirectory       directory{ "connectivity-job" };
  std::string              labels = directory / "labels.nii.gz";
  std::string              mask = directory / "mask.nii.gz";
  std::vector<std::string> referenceGz{ directory / "reference.nii.gz" };
  std::vector<std::string> referenceNii{ directory / "reference.nii" };
  std::vector<std::string> referenceMha{ directory / "reference.mha" };
  std::vector<std::string> referenceList;
  std::vector<std::string> generatedGz{ directory / "generated.nii.gz" };
  std::vector<std::string> generatedList;
  Files()
  {
    const auto reference =
      MakeSeries({ X, Y, Z, ReferenceLength }, [](long x, long y, long z, long t) { return Value(x, y, z, t, true); });
    const auto generated =
      MakeSeries({ X, Y, Z, GeneratedLength }, [](long x, long y, long z, long t) { return Value(x, y, z, t, false); });
    WriteSeries(reference, referenceGz[0]);
    WriteSeries(reference, referenceNii[0]);
    WriteSeries(reference, referenceMha[0]);
    referenceList = WriteVolumes(reference, directory / "reference", ".nii");
    WriteSeries(generated, generatedGz[0]);
    generatedList = WriteVolumes(generated, directory / "generated", ".nii.gz");
    WriteMask(reference, labels, Label);
    WriteMask(reference, mask, Inside);
  }
};

const Files &
TheFiles()
{
  static const Files files;
  return files;
}

voxelkl::ConnectivityJob
MakeJob(const std::vector<std::string> & reference, const std::vector<std::string> & generated, unsigned threads)
{
  voxelkl::ConnectivityJob job;
  job.reference = voxelkl::InspectSeries(reference);
  job.generated = voxelkl::InspectSeries(generated);
  job.mask = voxelkl::LoadMask(TheFiles().mask, job.reference.Name(), job.reference.grid);
  std::ostringstream notes;
  job.labels = voxelkl::LoadLabels(TheFiles().labels, job.reference.Name(), job.reference.grid, notes);
  job.execution.threads = threads;
  return job;
}

TEST(ConnectivityJob, RegionMeansEqualABruteForceLoopOverTheValuesWritten)
{
  voxelkl::RegisterNiftiImageIO();
  const auto result = voxelkl::ComputeConnectivity(MakeJob(TheFiles().referenceGz, TheFiles().generatedGz, 2));
  ASSERT_EQ(result.regions.Labels(), (std::vector<std::int32_t>{ 1, 2, 3, 4, 5, 6, 9 }));
  EXPECT_EQ(result.comparison.regions[6].status, voxelkl::RegionStatus::NoVoxel);
  EXPECT_EQ(result.comparison.used.size(), 6u);
  for (const bool reference : { true, false })
  {
    const auto & series = reference ? result.reference : result.generated;
    const long   length = reference ? ReferenceLength : GeneratedLength;
    ASSERT_EQ(series.TimePoints(), static_cast<std::size_t>(length));
    for (long t = 0; t < length; ++t)
    {
      for (std::size_t r = 0; r < 6; ++r)
      {
        double        sum = 0.0;
        std::uint64_t count = 0;
        for (long z = 0; z < Z; ++z)
          for (long y = 0; y < Y; ++y)
            for (long x = 0; x < X; ++x)
            {
              const double value = static_cast<float>(Value(x, y, z, t, reference)); // as stored
              if (Label(x, y, z) == static_cast<int>(r + 1) && Inside(x, y, z) && std::isfinite(value))
              {
                sum += value;
                ++count;
              }
            }
        ASSERT_EQ(series.Count(t, r), count);
        EXPECT_NEAR(series.Mean(t, r), sum / static_cast<double>(count), 1e-12 * 800.0) << "t " << t << " r " << r;
      }
    }
  }
  // One voxel of region 2 is NaN every 7th reference volume: counted as skipped samples.
  EXPECT_EQ(result.referenceNonFinite, static_cast<std::uint64_t>((ReferenceLength + 5) / 7));
  EXPECT_EQ(result.generatedNonFinite, static_cast<std::uint64_t>((GeneratedLength + 5) / 7));
  EXPECT_TRUE(result.comparison.matrixSimilarity);
  EXPECT_TRUE(result.comparison.forwardKL);
}

// Everything the outputs are made of, as bytes.
std::string
Fingerprint(const voxelkl::ConnectivityJob & job, const voxelkl::ConnectivityResult & result)
{
  std::string text = voxelkl::FormatRegionTimeSeriesTable(job, result) +
                     voxelkl::FormatCorrelationTable(job, result, true) +
                     voxelkl::FormatCorrelationTable(job, result, false);
  auto summary = voxelkl::MakeConnectivitySummary(job, result);
  summary.erase("inputs");
  summary["options"].erase("threads");
  text += summary.dump();
  const auto map = voxelkl::MakeProfileCorrelationMap(job, result);
  text.append(reinterpret_cast<const char *>(map->GetBufferPointer()),
              map->GetLargestPossibleRegion().GetNumberOfPixels() * sizeof(float));
  return text;
}

TEST(ConnectivityJob, SameBitsForAnyThreadsAndAnyKindOfInput)
{
  voxelkl::RegisterNiftiImageIO();
  const auto        first = MakeJob(TheFiles().referenceGz, TheFiles().generatedGz, 1);
  const std::string expected = Fingerprint(first, voxelkl::ComputeConnectivity(first));
  for (const unsigned threads : { 2u, 3u })
  {
    const auto job = MakeJob(TheFiles().referenceGz, TheFiles().generatedGz, threads);
    EXPECT_TRUE(Fingerprint(job, voxelkl::ComputeConnectivity(job)) == expected) << threads << " threads";
  }
  for (const auto * reference : { &TheFiles().referenceNii, &TheFiles().referenceMha, &TheFiles().referenceList })
  {
    const auto job = MakeJob(*reference, TheFiles().generatedList, 2);
    EXPECT_TRUE(Fingerprint(job, voxelkl::ComputeConnectivity(job)) == expected) << reference->front();
  }
}

TEST(ConnectivityJob, ReportsProgressToOneAndStopsWhenCancelled)
{
  voxelkl::RegisterNiftiImageIO();
  auto                job = MakeJob(TheFiles().referenceGz, TheFiles().generatedGz, 2);
  std::vector<double> fractions;
  job.execution.progress = [&fractions](double fraction) { fractions.push_back(fraction); };
  voxelkl::ComputeConnectivity(job);
  ASSERT_FALSE(fractions.empty());
  EXPECT_EQ(fractions.back(), 1.0);
  EXPECT_TRUE(std::is_sorted(fractions.begin(), fractions.end()));
  job.execution.cancelled = [] { return true; };
  EXPECT_THROW(voxelkl::ComputeConnectivity(job), voxelkl::Cancelled);
}

TEST(ConnectivityJob, FewerThanTwoRegionsInTheMaskIsRefusedNamingTheAtlasAndTheMask)
{
  voxelkl::RegisterNiftiImageIO();
  TemporaryDirectory directory("connectivity-one-region");
  const auto         series = MakeSeries({ X, Y, Z, 2 }, [](long, long, long, long) { return 0.0; });
  WriteMask(series, directory / "one.nii.gz", [](long x, long y, long) { return x < 3 && y < 4 ? 1 : 0; });
  auto job = MakeJob(TheFiles().referenceGz, TheFiles().generatedGz, 2);
  job.mask = voxelkl::LoadMask(directory / "one.nii.gz", job.reference.Name(), job.reference.grid);
  try
  {
    voxelkl::ComputeConnectivity(job);
    FAIL() << "no error";
  }
  catch (const voxelkl::InputError & e)
  {
    EXPECT_EQ(std::string(e.what()),
              TheFiles().labels + ": 1 of its 7 regions has a voxel inside " + directory / "one.nii.gz" +
                ": connectivity needs at least 2 regions");
  }
}

} // namespace
