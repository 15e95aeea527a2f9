// One engine, one result: the same series in every input kind gives the same bits in every
// map, through the executables' jobs and through an ITK pipeline of the filters, for any
// threads and tiles. NaN and inf samples included (kept by every path that reads them).
#include "NrrdFixtures.h"
#include "TestFiles.h"
#include "voxelkl/Errors.h"
#include "voxelkl/FilterInstantiations.h"
#include "voxelkl/KLMapJob.h"
#include "voxelkl/MomentsJob.h"
#include "voxelkl/NiftiImageIO.h"

#include "itkImageFileReader.h"
#include "itkStreamingImageFilter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>

namespace
{
using namespace voxelkl::test;

constexpr long TimePoints = 31;

double
Value(long x, long y, long z, long t, double spread)
{
  if (x == 0)
  {
    return 7.0; // a constant voxel
  }
  if (x == 1 && y == 1 && t % 5 == 2)
  {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (x == 2 && y == 0 && z == 1 && t == 4)
  {
    return -std::numeric_limits<double>::infinity();
  }
  const double phase = 0.7 * x + 1.3 * y + 2.1 * z;
  return 300.0 + 5.0 * x + spread * (std::sin(0.9 * t + phase) + 0.5 * std::cos(2.3 * t * t + phase));
}

// Writes the pair in every kind; returns the series files by kind.
struct Kinds
{
  TemporaryDirectory                              directory{ "read-paths" };
  std::map<std::string, std::vector<std::string>> reference;
  std::map<std::string, std::vector<std::string>> generated;

  Kinds()
  {
    for (const bool isReference : { true, false })
    {
      const double spread = isReference ? 10.0 : 6.0;
      const auto   series = MakeSeries({ 6, 5, 4, TimePoints },
                                     [spread](long x, long y, long z, long t) { return Value(x, y, z, t, spread); });
      // The same series as two runs: time points [0, 12) and [12, 31).
      const auto first =
        MakeSeries({ 6, 5, 4, 12 }, [spread](long x, long y, long z, long t) { return Value(x, y, z, t, spread); });
      const auto        second = MakeSeries({ 6, 5, 4, TimePoints - 12 }, [spread](long x, long y, long z, long t) {
        return Value(x, y, z, t + 12, spread);
      });
      auto &            files = isReference ? reference : generated;
      const std::string stem = directory / (isReference ? "reference" : "generated");
      for (const std::string kind : { ".nii", ".nii.gz", ".mha", ".nrrd" })
      {
        WriteSeries(series, stem + kind);
        files[kind] = { stem + kind };
      }
      files["list"] = WriteVolumes(series, stem + "_volume", ".nii.gz");
      WriteSlicerNrrd(series, stem + "_sequence.nrrd", SlicerNrrdLayout::Sequence);
      files["sequence"] = { stem + "_sequence.nrrd" };
      WriteSlicerNrrd(series, stem + "_multivolume.nrrd", SlicerNrrdLayout::MultiVolume, { "float32", true });
      files["multivolume"] = { stem + "_multivolume.nrrd" };
      WriteSeries(first, stem + "_run-1.nii.gz");
      WriteSeries(second, stem + "_run-2.mha");
      files["runs"] = { stem + "_run-1.nii.gz", stem + "_run-2.mha" };
    }
  }
};

const Kinds &
Files()
{
  static const Kinds kinds;
  return kinds;
}

template <typename TImage>
std::size_t
Mismatches(const TImage * a, const TImage * b)
{
  if (a == nullptr || b == nullptr)
  {
    return a == b ? 0 : 1;
  }
  const std::size_t n = a->GetLargestPossibleRegion().GetNumberOfPixels();
  return std::memcmp(a->GetBufferPointer(), b->GetBufferPointer(), n * sizeof(typename TImage::PixelType)) == 0 ? 0 : 1;
}

void
ExpectSameMaps(const voxelkl::KLMaps & a, const voxelkl::KLMaps & b, const std::string & what)
{
  EXPECT_EQ(Mismatches(a.divergence.GetPointer(), b.divergence.GetPointer()), 0u) << what;
  EXPECT_EQ(Mismatches(a.status.GetPointer(), b.status.GetPointer()), 0u) << what;
  EXPECT_EQ(Mismatches(a.nonFiniteSamples.GetPointer(), b.nonFiniteSamples.GetPointer()), 0u) << what;
  EXPECT_EQ(Mismatches(a.meanDifference.GetPointer(), b.meanDifference.GetPointer()), 0u) << what;
  EXPECT_EQ(Mismatches(a.varianceLogRatio.GetPointer(), b.varianceLogRatio.GetPointer()), 0u) << what;
  EXPECT_EQ(Mismatches(a.meanSquaredError.GetPointer(), b.meanSquaredError.GetPointer()), 0u) << what;
  EXPECT_EQ(Mismatches(a.correlation.GetPointer(), b.correlation.GetPointer()), 0u) << what;
  EXPECT_EQ(Mismatches(a.theilerWindows.GetPointer(), b.theilerWindows.GetPointer()), 0u) << what;
  EXPECT_EQ(Mismatches(a.referenceMean.GetPointer(), b.referenceMean.GetPointer()), 0u) << what;
}

voxelkl::KLMapJob
Job(const std::string & kind, voxelkl::KLEstimator estimator)
{
  voxelkl::KLMapJob job;
  job.reference = voxelkl::InspectSeries(Files().reference.at(kind));
  job.generated = voxelkl::InspectSeries(Files().generated.at(kind));
  job.estimator.estimator = estimator;
  job.direction = voxelkl::KLDirection::Symmetric;
  job.fidelity.meanDifference = true;
  job.fidelity.varianceLogRatio = true;
  job.fidelity.paired = estimator == voxelkl::KLEstimator::Gaussian;
  job.fidelity.referenceMean = true;
  return job;
}

const char * const AllKinds[] = { ".nii", ".nii.gz", ".mha", ".nrrd", "list", "sequence", "multivolume", "runs" };

TEST(ReadPaths, EveryKindGivesTheBitsOfUncompressedNifti)
{
  for (const auto estimator :
       { voxelkl::KLEstimator::Gaussian, voxelkl::KLEstimator::NearestNeighbour, voxelkl::KLEstimator::Histogram })
  {
    const voxelkl::KLMaps expected = voxelkl::ComputeKLMaps(Job(".nii", estimator));
    EXPECT_EQ(expected.report.readMode, "voxel tiles");
    for (const std::string kind : AllKinds)
    {
      ExpectSameMaps(voxelkl::ComputeKLMaps(Job(kind, estimator)), expected, kind + " " + voxelkl::ToString(estimator));
    }
  }
}

// The underlay of a report: the reference's mean over its finite samples, from the
// comparison's own accumulators, as VoxelMoments' mean map (to float rounding), on every path.
// The Gaussian map without paired maps keeps each voxel's mean and M2 in registers over
// several time points: by passes of a few time points over a tile of uncompressed NIfTI,
// by blocks of volumes on the other paths. The same bits for every kind, any threads and
// tiles, and series of different lengths (31 and 20 time points: a pass in which one
// series ends), NaN and inf included (the voxels that have them go time point by time point).
TEST(ReadPaths, GaussianMapAloneIsTheSameBitsOnEveryPath)
{
  auto alone = [](const std::string & kind) {
    voxelkl::KLMapJob job = Job(kind, voxelkl::KLEstimator::Gaussian);
    job.fidelity = {};
    job.fidelity.meanDifference = true; // from each series' own moments: not paired
    job.fidelity.varianceLogRatio = true;
    return job;
  };
  const voxelkl::KLMaps expected = voxelkl::ComputeKLMaps(alone(".nii"));
  EXPECT_EQ(expected.report.readMode, "voxel tiles");
  for (const std::string kind : AllKinds)
  {
    ExpectSameMaps(voxelkl::ComputeKLMaps(alone(kind)), expected, kind);
  }
  for (const unsigned int threads : { 1u, 3u })
  {
    for (const unsigned int tiles : { 1u, 7u, 120u })
    {
      voxelkl::KLMapJob job = alone(".nii");
      job.execution.threads = threads;
      job.execution.tiles = tiles;
      ExpectSameMaps(voxelkl::ComputeKLMaps(job), expected, "threads " + std::to_string(threads));
    }
  }
  TemporaryDirectory directory{ "read-paths-lengths" };
  const auto         shorter =
    MakeSeries({ 6, 5, 4, 20 }, [](long x, long y, long z, long t) { return Value(x, y, z, t, 6.0); });
  WriteSeries(shorter, directory / "shorter.nii");
  WriteSeries(shorter, directory / "shorter.nii.gz");
  voxelkl::KLMapJob byTiles = alone(".nii");
  byTiles.generated = voxelkl::InspectSeries({ directory / "shorter.nii" });
  voxelkl::KLMapJob byVolumes = alone(".nii.gz");
  byVolumes.generated = voxelkl::InspectSeries({ directory / "shorter.nii.gz" });
  const voxelkl::KLMaps tiled = voxelkl::ComputeKLMaps(byTiles);
  EXPECT_EQ(tiled.report.readMode, "voxel tiles");
  ExpectSameMaps(tiled, voxelkl::ComputeKLMaps(byVolumes), "31 and 20 time points");
}

// k-NN and histogram maps without maps that need the Gaussian moments skip the Welford
// pass: a voxel is decided from its series' flags (SeriesFlags), a series that keeps its
// first value's bits from that value alone. They must give the bits of the maps with the
// Welford pass (asking for the mean difference), at constant voxels of every kind: finite,
// NaN, +inf, -inf, -0, and +0 with -0 (equal values, other bits), beside varying voxels
// with and without a NaN or an inf.
TEST(ReadPaths, ScreenedNonparametricMapsAreTheBitsOfTheWelfordPass)
{
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  auto         value = [&](long x, long y, long z, long t, double spread) {
    if (x == 1)
    {
      const double constants[] = { 7.0, nan, inf, -inf, -0.0 };
      return y < 5 ? constants[y] : 0.0;
    }
    if (x == 2 && y < 2)
    {
      return t % 2 == 0 ? 0.0 : -0.0; // one value, two bit patterns
    }
    if (x == 3 && t == 4)
    {
      return y == 0 ? nan : y == 1 ? inf : Value(x, y, z, t, spread);
    }
    return Value(x, y, z, t, spread);
  };
  TemporaryDirectory directory{ "read-paths-screened" };
  for (const bool isReference : { true, false })
  {
    const double spread = isReference ? 10.0 : 6.0;
    // The generated series keeps the constants of the reference at other places (z), so
    // that a voxel pairs constants of two kinds or a constant with a varying series.
    const auto series = MakeSeries({ 6, 5, 4, TimePoints }, [&](long x, long y, long z, long t) {
      return isReference ? value(x, y, z, t, spread) : value(x, (y + z) % 5, z, t, spread);
    });
    WriteSeries(series, directory / (isReference ? "reference.nii" : "generated.nii"));
  }
  for (const auto estimator : { voxelkl::KLEstimator::NearestNeighbour, voxelkl::KLEstimator::Histogram })
  {
    voxelkl::KLMapJob screened;
    screened.reference = voxelkl::InspectSeries({ directory / "reference.nii" });
    screened.generated = voxelkl::InspectSeries({ directory / "generated.nii" });
    screened.estimator.estimator = estimator;
    screened.estimator.theilerWindow = 1;
    screened.estimator.neighbours = 3;
    voxelkl::KLMapJob welford = screened;
    welford.fidelity.meanDifference = true;
    const voxelkl::KLMaps a = voxelkl::ComputeKLMaps(screened);
    const voxelkl::KLMaps b = voxelkl::ComputeKLMaps(welford);
    const std::string     what = voxelkl::ToString(estimator);
    EXPECT_EQ(Mismatches(a.divergence.GetPointer(), b.divergence.GetPointer()), 0u) << what;
    EXPECT_EQ(Mismatches(a.status.GetPointer(), b.status.GetPointer()), 0u) << what;
    EXPECT_EQ(Mismatches(a.nonFiniteSamples.GetPointer(), b.nonFiniteSamples.GetPointer()), 0u) << what;
    EXPECT_EQ(Mismatches(a.theilerWindows.GetPointer(), b.theilerWindows.GetPointer()), 0u) << what;
    // The fixture has what it is meant to: constant, non-finite and estimated voxels.
    std::map<int, int> statuses;
    for (std::size_t i = 0; i < a.status->GetLargestPossibleRegion().GetNumberOfPixels(); ++i)
    {
      ++statuses[a.status->GetBufferPointer()[i]];
    }
    EXPECT_GE(statuses.size(), 3u) << what;
  }
}

TEST(ReadPaths, ReferenceMeanIsTheMomentsMean)
{
  voxelkl::MomentsJob moments;
  moments.series = voxelkl::InspectSeries(Files().reference.at(".nii"));
  const auto    mean = voxelkl::ComputeMoments(moments).maps[static_cast<unsigned int>(voxelkl::MomentMap::Mean)];
  const float * expected = mean->GetBufferPointer();
  for (const auto estimator : { voxelkl::KLEstimator::Gaussian, voxelkl::KLEstimator::NearestNeighbour })
  {
    for (const std::string kind : { ".nii", ".nii.gz", "list" })
    {
      voxelkl::KLMapJob job = Job(kind, estimator);
      job.fidelity = {};
      job.fidelity.referenceMean = true; // alone: the k-NN path must not skip the moments
      const voxelkl::KLMaps maps = voxelkl::ComputeKLMaps(job);
      ASSERT_TRUE(maps.referenceMean);
      EXPECT_FALSE(maps.meanDifference);
      const float * actual = maps.referenceMean->GetBufferPointer();
      for (std::size_t v = 0; v < 6 * 5 * 4; ++v)
      {
        EXPECT_NEAR(actual[v], expected[v], 1e-6 * std::abs(expected[v])) << kind << " voxel " << v;
      }
    }
  }
}

TEST(ReadPaths, MixedKindsAreOneSeriesPair)
{
  const voxelkl::KLMaps expected = voxelkl::ComputeKLMaps(Job(".nii", voxelkl::KLEstimator::Gaussian));
  voxelkl::KLMapJob     job = Job(".nii", voxelkl::KLEstimator::Gaussian);
  job.reference = voxelkl::InspectSeries(Files().reference.at("sequence"));
  job.generated = voxelkl::InspectSeries(Files().generated.at("runs"));
  ExpectSameMaps(voxelkl::ComputeKLMaps(job), expected, "sequence vs runs");
}

TEST(ReadPaths, ThreadsAndTilesDoNotChangeABit)
{
  for (const std::string kind : { ".nii", ".nii.gz" })
  {
    const voxelkl::KLMaps expected = voxelkl::ComputeKLMaps(Job(kind, voxelkl::KLEstimator::NearestNeighbour));
    for (const unsigned int threads : { 1u, 2u, 3u })
    {
      for (const unsigned int tiles : { 1u, 7u, 120u })
      {
        voxelkl::KLMapJob job = Job(kind, voxelkl::KLEstimator::NearestNeighbour);
        job.execution.threads = threads;
        job.execution.tiles = tiles;
        ExpectSameMaps(voxelkl::ComputeKLMaps(job), expected, kind + " threads " + std::to_string(threads));
      }
    }
  }
}

TEST(ReadPaths, MomentsOfEveryKindAreTheBitsOfUncompressedNifti)
{
  auto moments = [](const std::string & kind) {
    voxelkl::MomentsJob job;
    job.series = voxelkl::InspectSeries(Files().reference.at(kind));
    return voxelkl::ComputeMoments(job);
  };
  const voxelkl::MomentMaps expected = moments(".nii");
  for (const std::string kind : AllKinds)
  {
    const voxelkl::MomentMaps maps = moments(kind);
    for (unsigned int n = 0; n < voxelkl::MomentMapCount; ++n)
    {
      EXPECT_EQ(Mismatches(maps.maps[n].GetPointer(), expected.maps[n].GetPointer()), 0u) << kind << " map " << n;
    }
    EXPECT_EQ(maps.nonFiniteSamples, expected.nonFiniteSamples) << kind;
  }
}

// A C++ user's pipeline: ITK's reader (with voxelkl::NiftiImageIO registered for NIfTI,
// which keeps NaN and inf as MetaImage and NRRD do), the filter, streamed in pieces: the
// executables' bits, for every 4D format.
TEST(ReadPaths, ItkPipelineGivesTheJobsBits)
{
  voxelkl::RegisterNiftiImageIO();
  using Series = itk::Image<float, 4>;
  auto read = [](const std::string & file) {
    auto reader = itk::ImageFileReader<Series>::New();
    reader->SetFileName(file);
    return reader;
  };
  const voxelkl::KLMaps expected = voxelkl::ComputeKLMaps(Job(".nii", voxelkl::KLEstimator::Gaussian));
  const voxelkl::KLMaps knn = voxelkl::ComputeKLMaps(Job(".nii", voxelkl::KLEstimator::NearestNeighbour));
  for (const std::string kind : { ".nii", ".nii.gz", ".mha", ".nrrd" })
  {
    auto reference = read(Files().reference.at(kind).front());
    auto generated = read(Files().generated.at(kind).front());
    auto filter = itk::GaussianKLDivergenceImageFilter<Series, voxelkl::MapImage>::New();
    filter->SetReferenceImage(reference->GetOutput());
    filter->SetGeneratedImage(generated->GetOutput());
    filter->SetDivergenceDirection(voxelkl::KLDirection::Symmetric);
    filter->SetComputePairedMaps(true);
    auto streamer = itk::StreamingImageFilter<voxelkl::MapImage, voxelkl::MapImage>::New();
    streamer->SetInput(filter->GetKLOutput());
    streamer->SetNumberOfStreamDivisions(3);
    streamer->Update();
    EXPECT_EQ(Mismatches(streamer->GetOutput(), expected.divergence.GetPointer()), 0u) << kind;
    // The other outputs of the last update hold the whole grid after one more update.
    filter->UpdateLargestPossibleRegion();
    EXPECT_EQ(Mismatches(filter->GetCorrelationOutput(), expected.correlation.GetPointer()), 0u) << kind;
    EXPECT_EQ(Mismatches(filter->GetMeanSquaredErrorOutput(), expected.meanSquaredError.GetPointer()), 0u) << kind;
    EXPECT_EQ(Mismatches(filter->GetStatusOutput(), expected.status.GetPointer()), 0u) << kind;
    EXPECT_EQ(Mismatches(filter->GetNonFiniteSampleCountOutput(), expected.nonFiniteSamples.GetPointer()), 0u) << kind;

    auto nonparametric = itk::NonparametricKLDivergenceImageFilter<Series, voxelkl::MapImage>::New();
    nonparametric->SetReferenceImage(reference->GetOutput());
    nonparametric->SetGeneratedImage(generated->GetOutput());
    nonparametric->SetDivergenceDirection(voxelkl::KLDirection::Symmetric);
    auto knnStreamer = itk::StreamingImageFilter<voxelkl::MapImage, voxelkl::MapImage>::New();
    knnStreamer->SetInput(nonparametric->GetKLOutput());
    knnStreamer->SetNumberOfStreamDivisions(4);
    knnStreamer->Update();
    EXPECT_EQ(Mismatches(knnStreamer->GetOutput(), knn.divergence.GetPointer()), 0u) << kind;
  }
}

// 3D Slicer's 4D NRRD as ITK reads it, a VectorImage whose components are the time points,
// straight into the filters: the jobs' bits, in both layouts.
TEST(ReadPaths, FiltersTakeSlicerVectorImages)
{
  using Series = itk::VectorImage<float, 3>;
  const voxelkl::KLMaps gaussian = voxelkl::ComputeKLMaps(Job(".nii", voxelkl::KLEstimator::Gaussian));
  const voxelkl::KLMaps knn = voxelkl::ComputeKLMaps(Job(".nii", voxelkl::KLEstimator::NearestNeighbour));
  for (const std::string layout : { "sequence", "multivolume" })
  {
    auto read = [](const std::string & file) {
      auto reader = itk::ImageFileReader<Series>::New();
      reader->SetFileName(file);
      return reader;
    };
    auto reference = read(Files().reference.at(layout).front());
    auto generated = read(Files().generated.at(layout).front());
    auto filter = itk::GaussianKLDivergenceImageFilter<Series, voxelkl::MapImage>::New();
    filter->SetReferenceImage(reference->GetOutput());
    filter->SetGeneratedImage(generated->GetOutput());
    filter->SetDivergenceDirection(voxelkl::KLDirection::Symmetric);
    filter->SetComputePairedMaps(true);
    auto streamer = itk::StreamingImageFilter<voxelkl::MapImage, voxelkl::MapImage>::New();
    streamer->SetInput(filter->GetKLOutput());
    streamer->SetNumberOfStreamDivisions(2);
    streamer->Update();
    EXPECT_EQ(Mismatches(streamer->GetOutput(), gaussian.divergence.GetPointer()), 0u) << layout;
    filter->UpdateLargestPossibleRegion();
    EXPECT_EQ(Mismatches(filter->GetCorrelationOutput(), gaussian.correlation.GetPointer()), 0u) << layout;
    EXPECT_EQ(Mismatches(filter->GetMeanDifferenceOutput(), gaussian.meanDifference.GetPointer()), 0u) << layout;

    auto nonparametric = itk::NonparametricKLDivergenceImageFilter<Series, voxelkl::MapImage>::New();
    nonparametric->SetReferenceImage(reference->GetOutput());
    nonparametric->SetGeneratedImage(generated->GetOutput());
    nonparametric->SetDivergenceDirection(voxelkl::KLDirection::Symmetric);
    nonparametric->Update();
    EXPECT_EQ(Mismatches(nonparametric->GetKLOutput(), knn.divergence.GetPointer()), 0u) << layout;
    EXPECT_EQ(Mismatches(nonparametric->GetTheilerWindowOutput(), knn.theilerWindows.GetPointer()), 0u) << layout;

    auto moments = itk::TemporalMomentsImageFilter<Series, voxelkl::MapImage>::New();
    moments->SetInput(reference->GetOutput());
    moments->Update();
    voxelkl::MomentsJob job;
    job.series = voxelkl::InspectSeries(Files().reference.at(".nii"));
    const voxelkl::MomentMaps expected = voxelkl::ComputeMoments(job);
    for (unsigned int n = 0; n < voxelkl::MomentMapCount; ++n)
    {
      EXPECT_EQ(Mismatches(moments->GetOutput(n), expected.maps[n].GetPointer()), 0u) << layout << " map " << n;
    }
  }
}

TEST(ReadPaths, CancelledJobStopsWithCancelled)
{
  voxelkl::KLMapJob job = Job(".nii.gz", voxelkl::KLEstimator::Gaussian);
  job.execution.cancelled = [] { return true; };
  EXPECT_THROW(voxelkl::ComputeKLMaps(job), voxelkl::Cancelled);
  job = Job(".nii", voxelkl::KLEstimator::NearestNeighbour);
  job.execution.cancelled = [] { return true; };
  EXPECT_THROW(voxelkl::ComputeKLMaps(job), voxelkl::Cancelled);
}

TEST(ReadPaths, LastProgressIsOne)
{
  for (const std::string kind : { ".nii", ".nii.gz", "runs" })
  {
    for (const auto estimator : { voxelkl::KLEstimator::Gaussian, voxelkl::KLEstimator::Histogram })
    {
      voxelkl::KLMapJob job = Job(kind, estimator);
      double            last = -1.0;
      job.execution.progress = [&last](double fraction) { last = fraction; };
      voxelkl::ComputeKLMaps(job);
      EXPECT_EQ(last, 1.0) << kind;
    }
  }
}

} // namespace
