// itk::NonparametricKLDivergenceImageFilter against brute force written here, and its
// results for any tiling and thread count.
#include "SeriesFixtures.h"
#include "voxelkl/FilterInstantiations.h"

#include "itkCastImageFilter.h"
#include "itkStreamingImageFilter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace
{
using namespace voxelkl::test;
using Filter = itk::NonparametricKLDivergenceImageFilter<Series, Map>;

// k-NN KL(p || q) with the p sample itself and, for paired series, the q sample of the same
// time point left out (window 0): Wang et al. (2009) with N_i = n - 1, M_i = m - 1.
double
BruteForceNearestNeighbour(const std::vector<double> & p, const std::vector<double> & q, unsigned int k)
{
  double sum = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i)
  {
    std::vector<double> within;
    std::vector<double> across;
    for (std::size_t j = 0; j < p.size(); ++j)
    {
      if (j != i)
      {
        within.push_back(std::fabs(p[j] - p[i]));
      }
    }
    for (std::size_t j = 0; j < q.size(); ++j)
    {
      if (j != i)
      {
        across.push_back(std::fabs(q[j] - p[i]));
      }
    }
    std::sort(within.begin(), within.end());
    std::sort(across.begin(), across.end());
    sum += std::log(across[k - 1] / within[k - 1]) +
           std::log(static_cast<double>(across.size()) / static_cast<double>(within.size()));
  }
  return sum / static_cast<double>(p.size());
}

// Histogram KL(p || q) on `bins` equal bins over the pooled range, pseudocount alpha.
double
BruteForceHistogram(const std::vector<double> & p, const std::vector<double> & q, unsigned int bins, double alpha)
{
  double low = p[0];
  double high = p[0];
  for (const auto * sample : { &p, &q })
  {
    for (const double v : *sample)
    {
      low = std::min(low, v);
      high = std::max(high, v);
    }
  }
  auto histogram = [&](const std::vector<double> & sample) {
    std::vector<double> counts(bins, 0.0);
    for (const double v : sample)
    {
      const auto bin = static_cast<std::size_t>(std::floor((v - low) / (high - low) * bins));
      counts[std::min<std::size_t>(bin, bins - 1)] += 1.0;
    }
    for (double & c : counts)
    {
      c = (c + alpha) / (static_cast<double>(sample.size()) + bins * alpha);
    }
    return counts;
  };
  const auto pHat = histogram(p);
  const auto qHat = histogram(q);
  double     kl = 0.0;
  for (unsigned int b = 0; b < bins; ++b)
  {
    kl += pHat[b] * std::log(pHat[b] / qHat[b]);
  }
  return kl;
}

Map::Pointer
RunFilter(const Series *                     reference,
          const Series *                     generated,
          const voxelkl::EstimatorSettings & settings,
          unsigned int                       tiles = 1,
          unsigned int                       threads = 2,
          Filter::Pointer *                  keep = nullptr)
{
  // A non-in-place cast in front of the filter so that each tile is really requested.
  auto referenceCast = itk::CastImageFilter<Series, Series>::New();
  referenceCast->SetInput(reference);
  referenceCast->InPlaceOff();
  auto generatedCast = itk::CastImageFilter<Series, Series>::New();
  generatedCast->SetInput(generated);
  generatedCast->InPlaceOff();
  auto filter = Filter::New();
  filter->SetReferenceImage(referenceCast->GetOutput());
  filter->SetGeneratedImage(generatedCast->GetOutput());
  filter->SetEstimatorSettings(settings);
  filter->GetMultiThreader()->SetMaximumNumberOfThreads(threads);
  filter->SetNumberOfWorkUnits(threads); // ITK's pool threader keeps at least its pool's threads
  auto streamer = itk::StreamingImageFilter<Map, Map>::New();
  streamer->SetInput(filter->GetKLOutput());
  streamer->SetNumberOfStreamDivisions(tiles);
  streamer->Update();
  if (keep != nullptr)
  {
    *keep = filter;
  }
  return streamer->GetOutput();
}

const Series::SizeType Size{ { 5, 4, 3, 48 } };

voxelkl::EstimatorSettings
Knn(int window, unsigned int k = 5)
{
  voxelkl::EstimatorSettings settings;
  settings.estimator = voxelkl::KLEstimator::NearestNeighbour;
  settings.neighbours = k;
  settings.theilerWindow = window;
  return settings;
}

TEST(NonparametricKLDivergenceImageFilter, NearestNeighbourMatchesBruteForce)
{
  const auto reference = MakeVariedSeries(Size, 1);
  const auto generated = MakeVariedSeries(Size, 2, 1.7);
  for (const unsigned int k : { 1u, 5u })
  {
    const auto map = RunFilter(reference, generated, Knn(0, k));
    for (long z = 0; z < 3; ++z)
      for (long y = 0; y < 4; ++y)
        for (long x = 0; x < 5; ++x)
        {
          if ((x == 0 || x == 1) && y == 0 && z == 0)
          {
            continue; // the constant voxel and the one with NaN gaps (time indices shift)
          }
          const double expected =
            BruteForceNearestNeighbour(VoxelSeries(reference, x, y, z), VoxelSeries(generated, x, y, z), k);
          EXPECT_NEAR(map->GetPixel({ { x, y, z } }), expected, 1e-5 * (1.0 + std::fabs(expected)))
            << "k " << k << " voxel " << x << "," << y << "," << z;
        }
  }
}

TEST(NonparametricKLDivergenceImageFilter, HistogramMatchesBruteForce)
{
  const auto                 reference = MakeVariedSeries(Size, 3);
  const auto                 generated = MakeVariedSeries(Size, 4, 0.6);
  voxelkl::EstimatorSettings settings;
  settings.estimator = voxelkl::KLEstimator::Histogram;
  settings.bins = 6;
  settings.pseudocount = 0.5;
  const auto map = RunFilter(reference, generated, settings);
  for (long z = 0; z < 3; ++z)
    for (long y = 0; y < 4; ++y)
      for (long x = 1; x < 5; ++x) // x = 0, y = z = 0 is constant
      {
        const double expected =
          BruteForceHistogram(VoxelSeries(reference, x, y, z), VoxelSeries(generated, x, y, z), 6, 0.5);
        EXPECT_NEAR(map->GetPixel({ { x, y, z } }), expected, 1e-5 * (1.0 + expected));
      }
}

TEST(NonparametricKLDivergenceImageFilter, SameBitsForAnyTilingAndThreads)
{
  const auto reference = MakeVariedSeries(Size, 5);
  const auto generated = MakeVariedSeries(Size, 6, 1.3);
  const auto one = RunFilter(reference, generated, Knn(-1), 1, 1);
  for (const unsigned int tiles : { 2u, 3u, 7u })
  {
    for (const unsigned int threads : { 1u, 2u, 3u })
    {
      const auto other = RunFilter(reference, generated, Knn(-1), tiles, threads);
      EXPECT_EQ(0, std::memcmp(one->GetBufferPointer(), other->GetBufferPointer(), 60 * sizeof(float)))
        << tiles << " tiles, " << threads << " threads";
    }
  }
}

TEST(NonparametricKLDivergenceImageFilter, QuantisedDataAreDequantisedPerVoxelIndex)
{
  // Integer-valued series: with step 0 the ties make k-NN distances 0; with step 1 every
  // value is finite and equals the per-voxel estimate seeded by the voxel's grid index.
  auto rounded = [](unsigned int seed, double spread) {
    return MakeSeries(
      Size,
      [spread](long, long, long, long, std::mt19937_64 & engine) {
        std::normal_distribution<double> noise(100.0, spread);
        return static_cast<float>(std::round(noise(engine)));
      },
      seed);
  };
  const auto reference = rounded(7, 2.0);
  const auto generated = rounded(8, 3.0);
  auto       quantised = Filter::New();
  quantised->SetReferenceImage(reference);
  quantised->SetGeneratedImage(generated);
  quantised->SetEstimatorSettings(Knn(2));
  quantised->SetReferenceQuantisationStep(1.0);
  quantised->SetGeneratedQuantisationStep(1.0);
  quantised->Update();
  const Map *                   map = quantised->GetKLOutput();
  voxelkl::NonparametricVoxelKL estimator(Knn(2));
  for (long z = 0; z < 3; ++z)
    for (long y = 0; y < 4; ++y)
      for (long x = 0; x < 5; ++x)
      {
        const float value = map->GetPixel({ { x, y, z } });
        ASSERT_TRUE(std::isfinite(value));
        const auto referenceValues = VoxelSeries(reference, x, y, z);
        const auto generatedValues = VoxelSeries(generated, x, y, z);
        estimator.Load(0, referenceValues.data(), 1, referenceValues.size(), 1.0);
        estimator.Load(1, generatedValues.data(), 1, generatedValues.size(), 1.0);
        const auto index = static_cast<std::uint64_t>(x + 5 * (y + 4 * z));
        EXPECT_EQ(value, static_cast<float>(estimator.Estimate(voxelkl::KLDirection::Forward, index).value));
      }
}

TEST(NonparametricKLDivergenceImageFilter, StatusOfConstantVoxelsAndSettings)
{
  const auto      reference = MakeVariedSeries(Size, 9);
  const auto      generated = MakeVariedSeries(Size, 10);
  Filter::Pointer filter;
  const auto      map = RunFilter(reference, generated, Knn(-1), 1, 2, &filter);
  EXPECT_EQ(0.0f, map->GetPixel({ { 0, 0, 0 } })); // the same constant in both
  EXPECT_EQ(static_cast<unsigned char>(voxelkl::VoxelStatus::ConstantEqual),
            filter->GetStatusOutput()->GetPixel({ { 0, 0, 0 } }));
  EXPECT_EQ(static_cast<unsigned char>(voxelkl::VoxelStatus::Valid),
            filter->GetStatusOutput()->GetPixel({ { 2, 1, 1 } }));

  auto gaussian = Filter::New();
  gaussian->SetReferenceImage(reference);
  gaussian->SetGeneratedImage(generated);
  voxelkl::EstimatorSettings settings;
  settings.estimator = voxelkl::KLEstimator::Gaussian;
  gaussian->SetEstimatorSettings(settings);
  EXPECT_THROW(gaussian->Update(), itk::ExceptionObject);
}

} // namespace
