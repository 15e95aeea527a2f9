#include "voxelkl/SpectralJob.h"

#include "JobSupport.h"
#include "voxelkl/Errors.h"
#include "voxelkl/NiftiTileReader.h"
#include "voxelkl/NonparametricKL.h"
#include "voxelkl/TileStaging.h"
#include "voxelkl/Traversal.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_invoke.h>

#include <algorithm>
#include <memory>

// The spectral measure (Core/Spectral) on the engine's tile traversal: a voxel's spectrum
// needs all its samples, so tiles hold voxels x all time points; each voxel's series is
// gathered into a row and goes through the same estimator whatever the tile, thread or
// read path.

namespace voxelkl
{
namespace
{

std::vector<std::size_t>
RunLengths(const SeriesInfo & series)
{
  if (series.runs.empty())
  {
    return { series.timePoints };
  }
  std::vector<std::size_t> lengths;
  for (const SeriesInfo & run : series.runs)
  {
    lengths.push_back(run.timePoints);
  }
  return lengths;
}

// The pooled lag autocorrelation of a series of runs: each run about its own trend.
double
Autocorrelation(const double * row, const std::vector<std::size_t> & runs, std::size_t lag)
{
  if (runs.size() == 1 && lag == 1)
  {
    return LagOneAutocorrelation(row, runs[0]); // the Theiler window's estimate, shared
  }
  AutocorrelationSums sums;
  std::size_t         start = 0;
  for (const std::size_t run : runs)
  {
    sums += LagAutocorrelationSums(row + start, run, lag);
    start += run;
  }
  return sums.Value();
}

template <typename T>
SpectralMaps
Compute(const SpectralJob & job, unsigned int threads)
{
  const std::size_t voxels = job.reference.grid.VoxelCount();
  const std::size_t referenceLength = job.reference.timePoints;
  const std::size_t generatedLength = job.generated.timePoints;
  const std::size_t bins = job.welch.Bins();
  const auto        referenceRuns = RunLengths(job.reference);
  const auto        generatedRuns = RunLengths(job.generated);
  // At most ~16 MiB of each series per tile (8 bytes per value).
  const std::size_t preferred = std::clamp<std::size_t>(
    (std::size_t{ 16 } << 20) / (8 * std::max(referenceLength, generatedLength)), 256, detail::VoxelsPerTile / 4);
  const bool       inPlace = NiftiTileReader<T>::Supports(job.reference) && NiftiTileReader<T>::Supports(job.generated);
  TraversalContext context{ threads, nullptr, job.execution.cancelled, job.execution.tiles };
  const std::size_t tileVoxels = TileVoxels(context, voxels, preferred);
  const auto        tiles = static_cast<double>(TileCount(voxels, tileVoxels));
  // Progress: the scratch copy (when needed) is the first half of the work.
  ProgressCounter progress(job.execution.progress, inPlace ? tiles : 2.0 * tiles);
  context.progress = &progress;
  const auto volumes = static_cast<double>(referenceLength + generatedLength);
  auto       copied = [&](std::size_t count) { progress.Add(tiles * static_cast<double>(count) / volumes); };
  std::unique_ptr<NiftiTileReader<T>> referenceReader;
  std::unique_ptr<NiftiTileReader<T>> generatedReader;
  if (inPlace)
  {
    referenceReader = std::make_unique<NiftiTileReader<T>>(job.reference);
    generatedReader = std::make_unique<NiftiTileReader<T>>(job.generated);
  }
  else
  {
    context.Execute([&] {
      tbb::parallel_invoke([&] { referenceReader = OpenTileReader<T>(job.reference, copied); },
                           [&] { generatedReader = OpenTileReader<T>(job.generated, copied); });
    });
  }

  SpectralMaps maps;
  for (auto & map : maps.maps)
  {
    map = detail::MakeImage<float>(job.reference.grid);
  }
  maps.status = detail::MakeImage<unsigned char>(job.reference.grid);
  if (job.spectra)
  {
    maps.referenceSpectra.assign(bins * voxels, 0.0f);
    maps.generatedSpectra.assign(bins * voxels, 0.0f);
  }
  struct Buffers
  {
    std::vector<T>                  reference, generated;         // [time][voxel] of the tile
    std::vector<double>             referenceRows, generatedRows; // a group of voxels' series
    std::vector<double>             referenceSpectrum, generatedSpectrum;
    std::unique_ptr<WelchEstimator> estimator;
  };
  tbb::enumerable_thread_specific<Buffers> buffers;
  TraverseTiles(voxels, tileVoxels, context, [&](std::size_t first, std::size_t count) {
    Buffers & b = buffers.local();
    if (!b.estimator)
    {
      b.estimator = std::make_unique<WelchEstimator>(job.welch);
      b.referenceSpectrum.resize(bins);
      b.generatedSpectrum.resize(bins);
    }
    b.reference.resize(count * referenceLength);
    b.generated.resize(count * generatedLength);
    for (std::size_t t = 0; t < referenceLength; ++t)
    {
      referenceReader->Read(t, first, count, b.reference.data() + t * count);
    }
    for (std::size_t t = 0; t < generatedLength; ++t)
    {
      generatedReader->Read(t, first, count, b.generated.data() + t * count);
    }
    const unsigned char * inside = job.mask.inside.empty() ? nullptr : job.mask.inside.data() + first;
    float *               out[SpectralMapCount];
    for (std::size_t m = 0; m < SpectralMapCount; ++m)
    {
      out[m] = maps.maps[m]->GetBufferPointer() + first;
    }
    unsigned char * status = maps.status->GetBufferPointer() + first;
    auto            finishVoxel = [&](std::size_t i, const double * referenceRow, const double * generatedRow) {
      for (float * map : out)
      {
        map[i] = 0.0f;
      }
      if (inside != nullptr && inside[i] == 0)
      {
        status[i] = static_cast<unsigned char>(SpectralStatus::OutsideMask);
        return;
      }
      const double phiReference = Autocorrelation(referenceRow, referenceRuns, job.lag);
      const double phiGenerated = Autocorrelation(generatedRow, generatedRuns, job.lag);
      out[static_cast<std::size_t>(SpectralMap::AutocorrelationReference)][i] = static_cast<float>(phiReference);
      out[static_cast<std::size_t>(SpectralMap::AutocorrelationGenerated)][i] = static_cast<float>(phiGenerated);
      out[static_cast<std::size_t>(SpectralMap::AutocorrelationDifference)][i] =
        static_cast<float>(phiGenerated - phiReference);
      const bool estimated = b.estimator->Estimate(referenceRow, 1, referenceRuns, b.referenceSpectrum.data()) &&
                             b.estimator->Estimate(generatedRow, 1, generatedRuns, b.generatedSpectrum.data());
      if (!estimated)
      {
        status[i] = static_cast<unsigned char>(SpectralStatus::NonFinite);
        return;
      }
      if (job.spectra)
      {
        for (std::size_t k = 0; k < bins; ++k)
        {
          maps.referenceSpectra[k * voxels + first + i] = static_cast<float>(b.referenceSpectrum[k]);
          maps.generatedSpectra[k * voxels + first + i] = static_cast<float>(b.generatedSpectrum[k]);
        }
      }
      if (!HasPower(b.referenceSpectrum.data(), job.welch) || !HasPower(b.generatedSpectrum.data(), job.welch))
      {
        status[i] = static_cast<unsigned char>(SpectralStatus::NoPower);
        return;
      }
      const SpectralAgreement agreement =
        CompareSpectra(b.referenceSpectrum.data(), b.generatedSpectrum.data(), job.welch, job.band, job.direction);
      status[i] = static_cast<unsigned char>(SpectralStatus::Valid);
      out[static_cast<std::size_t>(SpectralMap::LogSpectralDistance)][i] =
        static_cast<float>(agreement.logSpectralDistance);
      out[static_cast<std::size_t>(SpectralMap::SpectralKL)][i] = static_cast<float>(agreement.spectralKL);
      out[static_cast<std::size_t>(SpectralMap::AlffRatio)][i] = static_cast<float>(agreement.alffRatio);
      out[static_cast<std::size_t>(SpectralMap::FalffRatio)][i] = static_cast<float>(agreement.falffRatio);
    };
    // Voxels in groups turned into rows first: a voxel's series is a column `count` values
    // apart, and gathering it alone would touch one cache line per time point. The tile
    // is larger than the cache (it is read with few system calls), so the lines of later
    // time points are asked for ahead.
    constexpr std::size_t group = 128;
    constexpr std::size_t ahead = 8;
    b.referenceRows.resize(group * referenceLength);
    b.generatedRows.resize(group * generatedLength);
    auto toRows = [count](const std::vector<T> & columns,
                          std::size_t            length,
                          std::size_t            start,
                          std::size_t            width,
                          std::vector<double> &  rows) {
      for (std::size_t t = 0; t < length; ++t)
      {
        if (t + ahead < length)
        {
          const T * later = columns.data() + (t + ahead) * count + start;
          for (std::size_t j = 0; j < width; j += 64 / sizeof(T))
          {
            __builtin_prefetch(later + j);
          }
        }
        const T * line = columns.data() + t * count + start;
        for (std::size_t j = 0; j < width; ++j)
        {
          rows[j * length + t] = static_cast<double>(line[j]);
        }
      }
    };
    for (std::size_t start = 0; start < count; start += group)
    {
      const std::size_t width = std::min(group, count - start);
      toRows(b.reference, referenceLength, start, width, b.referenceRows);
      toRows(b.generated, generatedLength, start, width, b.generatedRows);
      for (std::size_t j = 0; j < width; ++j)
      {
        const std::size_t i = start + j;
        finishVoxel(i, b.referenceRows.data() + j * referenceLength, b.generatedRows.data() + j * generatedLength);
      }
    }
  });
  progress.Finish();
  maps.report = { inPlace ? "voxel tiles" : "voxel tiles (staged)",
                  static_cast<unsigned int>(TileCount(voxels, tileVoxels)),
                  threads };
  return maps;
}

} // namespace

const std::array<const char *, SpectralMapCount> &
SpectralMapNames()
{
  static const std::array<const char *, SpectralMapCount> names{ "logSpectralDistance",
                                                                 "spectralKL",
                                                                 "alffRatio",
                                                                 "falffRatio",
                                                                 "autocorrelationReference",
                                                                 "autocorrelationGenerated",
                                                                 "autocorrelationDifference" };
  return names;
}

SpectralMaps
ComputeSpectralMaps(const SpectralJob & job)
{
  RequireSameGrid(job.reference.Name(), job.reference.grid, job.generated.Name(), job.generated.grid);
  const double voxels = static_cast<double>(job.reference.grid.VoxelCount());
  RequireMemory(job.reference.Name() + " / " + job.generated.Name(),
                voxels * (4.0 * SpectralMapCount + 1.0 + (job.spectra ? 8.0 * job.welch.Bins() : 0.0)) +
                  64.0 * (1 << 20));
  const unsigned int threads = EffectiveThreads(job.execution.threads);
  const bool         useDouble = job.reference.needsDouble || job.generated.needsDouble;
  return useDouble ? Compute<double>(job, threads) : Compute<float>(job, threads);
}

} // namespace voxelkl
