#include "voxelkl/KLMapJob.h"

#include "JobSupport.h"
#include "voxelkl/Errors.h"
#include "voxelkl/FilterInstantiations.h"
#include "voxelkl/NiftiTileReader.h"
#include "voxelkl/SeriesComparisonArray.h"
#include "voxelkl/SeriesVolumeReader.h"
#include "voxelkl/TileStaging.h"
#include "voxelkl/VarianceScreening.h"
#include "voxelkl/VoxelwiseAccumulators.h"

#include "itkImageFileReader.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <memory>

// Three ways to read the series, one result: every voxel's values are pushed in time order
// through the same accumulator code, and its KL computed by the same function.
//  - Uncompressed float NIfTI: tiles of voxels x all time points, read in place
//    (ComputeByVoxelTiles); the accumulators of a tile stay in cache.
//  - Other NIfTI (.nii.gz, integer voxels) and lists of 3D files: volume by volume, each file
//    inflated once (ComputeByVolumes).
//  - Other 4D formats (MetaImage, NRRD): itk::GaussianKLDivergenceImageFilter streamed in
//    tiles (ComputeByFilter).
// The non-parametric estimators need all time points of a voxel at once: always tiles
// (ComputeByVoxelTiles), from a scratch copy where the file cannot be read in place.

namespace voxelkl
{
namespace
{
using StatusImage = itk::Image<unsigned char, 3>;
using CountImage = itk::Image<std::uint32_t, 3>;

KLMaps
AllocateMaps(const SpatialGrid & grid, const FidelityMaps & fidelity, KLEstimator estimator)
{
  KLMaps maps;
  maps.divergence = detail::MakeImage<float>(grid);
  maps.status = detail::MakeImage<unsigned char>(grid);
  maps.nonFiniteSamples = detail::MakeImage<std::uint32_t>(grid);
  if (fidelity.meanDifference)
  {
    maps.meanDifference = detail::MakeImage<float>(grid);
  }
  if (fidelity.varianceLogRatio)
  {
    maps.varianceLogRatio = detail::MakeImage<float>(grid);
  }
  if (estimator == KLEstimator::NearestNeighbour)
  {
    maps.theilerWindows = detail::MakeImage<std::uint16_t>(grid);
    maps.theilerWindows->FillBuffer(0);
  }
  if (fidelity.paired)
  {
    maps.meanSquaredError = detail::MakeImage<float>(grid);
    maps.correlation = detail::MakeImage<float>(grid);
    maps.pairCounts = detail::MakeImage<std::uint32_t>(grid);
  }
  return maps;
}

void
Set(const MapPointer & map, std::size_t v, double value)
{
  if (map)
  {
    map->GetBufferPointer()[v] = static_cast<float>(value);
  }
}

// Writes voxel v of every map from the accumulators of that voxel (pairs: null unless
// paired maps are computed).
void
StoreVoxel(const KLMapJob &            job,
           KLMaps &                    maps,
           std::size_t                 v,
           bool                        inside,
           const VarianceAccumulator & reference,
           const VarianceAccumulator & generated,
           const PairedMoments *       pairs)
{
  if (!inside)
  {
    maps.divergence->GetBufferPointer()[v] = 0.0f;
    maps.status->GetBufferPointer()[v] = static_cast<unsigned char>(VoxelStatus::OutsideMask);
    maps.nonFiniteSamples->GetBufferPointer()[v] = 0;
    for (const MapPointer * map :
         { &maps.meanDifference, &maps.varianceLogRatio, &maps.meanSquaredError, &maps.correlation })
    {
      Set(*map, v, 0.0);
    }
    if (maps.pairCounts)
    {
      maps.pairCounts->GetBufferPointer()[v] = 0;
    }
    return;
  }
  const auto result = GaussianVoxelDivergence(reference, generated, job.direction, job.floor);
  maps.divergence->GetBufferPointer()[v] = static_cast<float>(result.value);
  maps.status->GetBufferPointer()[v] = static_cast<unsigned char>(result.status);
  maps.nonFiniteSamples->GetBufferPointer()[v] = static_cast<std::uint32_t>(reference.Skipped() + generated.Skipped());
  Set(maps.meanDifference, v, generated.Mean() - reference.Mean());
  Set(maps.varianceLogRatio, v, VarianceLogRatio(reference, generated, job.floor));
  if (pairs != nullptr)
  {
    Set(maps.meanSquaredError, v, pairs->MeanSquaredError());
    Set(maps.correlation, v, pairs->Correlation(job.fidelity.undefinedCorrelation));
    maps.pairCounts->GetBufferPointer()[v] = static_cast<std::uint32_t>(pairs->count);
  }
}

// Replaces the Gaussian KL of voxel v by the non-parametric estimate where the Gaussian
// one is valid (elsewhere a series is constant or empty, and no density exists).
void
StoreNonparametric(const KLMapJob & job, KLMaps & maps, std::size_t v, NonparametricVoxelKL & estimator)
{
  if (maps.status->GetBufferPointer()[v] != static_cast<unsigned char>(VoxelStatus::Valid))
  {
    return;
  }
  const NonparametricVoxelResult result = estimator.Estimate(job.direction, v);
  maps.divergence->GetBufferPointer()[v] = result.enough ? static_cast<float>(result.value) : 0.0f;
  if (!result.enough)
  {
    maps.status->GetBufferPointer()[v] = static_cast<unsigned char>(VoxelStatus::NoSamples);
  }
  if (maps.theilerWindows)
  {
    maps.theilerWindows->GetBufferPointer()[v] = static_cast<std::uint16_t>(std::min(result.window, 65535u));
  }
}

// What the Gaussian pass would have decided at the voxels the tile's screen left open (see
// TileScreen), from their rows: a status of Valid, or the exact accumulators' result.
template <typename T>
void
DecideScreenedVoxel(const KLMapJob & job,
                    KLMaps &         maps,
                    std::size_t      v,
                    unsigned char    flags,
                    const T *        referenceRow,
                    const T *        generatedRow)
{
  const std::size_t referenceLength = job.reference.timePoints;
  const std::size_t generatedLength = job.generated.timePoints;
  if ((flags & SeriesNonFinite) == 0 &&
      SurelyValid(referenceRow, referenceLength, generatedRow, generatedLength, job.floor))
  {
    // The usual brain voxel. Its KL is the non-parametric estimate, written next.
    maps.status->GetBufferPointer()[v] = static_cast<unsigned char>(VoxelStatus::Valid);
    maps.nonFiniteSamples->GetBufferPointer()[v] = 0;
    return;
  }
  StoreVoxel(job,
             maps,
             v,
             true,
             AccumulateSeries(referenceRow, referenceLength),
             AccumulateSeries(generatedRow, generatedLength),
             nullptr);
}

// Which voxels of a tile the non-parametric path still has to decide. Without maps that
// need the Gaussian moments (mean difference, variance log ratio, paired maps), the tile
// is not pushed through the Welford accumulators: a cheap pass flags, per series, values
// that vary or are not finite, and the voxels with a flag (inside the mask) are decided
// from their rows. Elsewhere both series are finite constants, whose accumulators are
// known (ConstantSeriesAccumulator).
struct TileScreen
{
  const unsigned char * reference; // SeriesFlag bits per voxel of the tile
  const unsigned char * generated;
  const unsigned char * inside; // null: every voxel

  unsigned char
  Flags(std::size_t i) const
  {
    return static_cast<unsigned char>(reference[i] | generated[i]);
  }
  bool
  Open(std::size_t i) const
  {
    return (inside == nullptr || inside[i] != 0) && Flags(i) != 0;
  }
};

// The non-parametric estimates of a tile held as [time][voxel]. A voxel's series is a
// column 4 count bytes apart; gathering it alone would touch one cache line (and often one
// page) per time point, so groups of voxels are first turned into rows, one line per
// time point for the whole group. screen: null when the Gaussian pass has set every
// voxel's status.
template <typename T>
void
EstimateTile(const KLMapJob &       job,
             KLMaps &               maps,
             std::size_t            first,
             std::size_t            count,
             const std::vector<T> & referenceValues,
             const std::vector<T> & generatedValues,
             const TileScreen *     screen)
{
  constexpr std::size_t group = 16;
  const std::size_t     referenceLength = job.reference.timePoints;
  const std::size_t     generatedLength = job.generated.timePoints;
  std::vector<T>        referenceRows(group * referenceLength);
  std::vector<T>        generatedRows(group * generatedLength);
  NonparametricVoxelKL  estimator(job.estimator);
  auto                  toRows =
    [count](
      const std::vector<T> & columns, std::size_t length, std::size_t start, std::size_t width, std::vector<T> & rows) {
      for (std::size_t t = 0; t < length; ++t)
      {
        const T * line = columns.data() + t * count + start;
        for (std::size_t j = 0; j < width; ++j)
        {
          rows[j * length + t] = line[j];
        }
      }
    };
  const unsigned char * status = maps.status->GetBufferPointer();
  auto                  toEstimate = [&](std::size_t i) {
    return screen != nullptr ? screen->Open(i) : status[first + i] == static_cast<unsigned char>(VoxelStatus::Valid);
  };
  for (std::size_t start = 0; start < count; start += group)
  {
    const std::size_t width = std::min(group, count - start);
    bool              any = false;
    for (std::size_t j = 0; j < width; ++j)
    {
      any = any || toEstimate(start + j);
    }
    if (!any)
    {
      continue; // outside the mask or constant (background): nothing to estimate
    }
    toRows(referenceValues, referenceLength, start, width, referenceRows);
    toRows(generatedValues, generatedLength, start, width, generatedRows);
    for (std::size_t j = 0; j < width; ++j)
    {
      const std::size_t v = first + start + j;
      const T *         referenceRow = referenceRows.data() + j * referenceLength;
      const T *         generatedRow = generatedRows.data() + j * generatedLength;
      if (!toEstimate(start + j))
      {
        continue;
      }
      if (screen != nullptr)
      {
        DecideScreenedVoxel(job, maps, v, screen->Flags(start + j), referenceRow, generatedRow);
      }
      if (status[v] != static_cast<unsigned char>(VoxelStatus::Valid))
      {
        continue;
      }
      estimator.Load(0, referenceRow, 1, referenceLength, job.reference.quantisationStep);
      estimator.Load(1, generatedRow, 1, generatedLength, job.generated.quantisationStep);
      StoreNonparametric(job, maps, v, estimator);
    }
  }
}

// Voxels per tile on the tile path. The per-voxel state of a tile is updated at every time
// point, so it should stay in the L2 cache: the paired accumulators hold 72 bytes per voxel
// (the series' own two 40 each), so paired tiles are half as large. The non-parametric
// estimators also hold the tile's whole series.
std::size_t
TileVoxels(const KLMapJob & job)
{
  if (job.estimator.estimator != KLEstimator::Gaussian)
  {
    // At most ~16 MiB of each series per tile (counting 8 bytes per value), whatever the
    // number of time points.
    const std::size_t timePoints = std::max(job.reference.timePoints, job.generated.timePoints);
    return std::clamp<std::size_t>((std::size_t{ 16 } << 20) / (8 * timePoints), 256, detail::VoxelsPerTile / 4);
  }
  return job.fidelity.paired ? detail::VoxelsPerTile / 2 : detail::VoxelsPerTile;
}

std::size_t
TileCount(const KLMapJob & job)
{
  return (job.reference.grid.VoxelCount() + TileVoxels(job) - 1) / TileVoxels(job);
}

template <typename T>
KLMaps
ComputeByVoxelTiles(const KLMapJob &           job,
                    unsigned int               threads,
                    const NiftiTileReader<T> & referenceReader,
                    const NiftiTileReader<T> & generatedReader,
                    detail::ProgressCounter &  progress)
{
  const bool        wholeSeries = job.estimator.estimator != KLEstimator::Gaussian;
  const std::size_t tileVoxels = TileVoxels(job);
  const std::size_t voxels = job.reference.grid.VoxelCount();
  const std::size_t tiles = TileCount(job);
  const std::size_t referenceLength = job.reference.timePoints;
  const std::size_t generatedLength = job.generated.timePoints;
  const std::size_t timePoints = std::max(referenceLength, generatedLength);
  const bool        paired = job.fidelity.paired;
  KLMaps            maps = AllocateMaps(job.reference.grid, job.fidelity, job.estimator.estimator);
  // Non-parametric maps without maps of the Gaussian moments skip the Welford pass (see
  // TileScreen): a tenth of a k-NN run.
  const bool screened = wholeSeries && !paired && !maps.meanDifference && !maps.varianceLogRatio;
  // A tile's whole series are megabytes: one set of buffers per thread, reused from tile
  // to tile, rather than fresh ones zero-filled for every tile (2 % of a k-NN run). Every
  // value is read into them before it is used.
  struct TileBuffers
  {
    std::vector<T>             referenceValues;
    std::vector<T>             generatedValues;
    std::vector<unsigned char> referenceFlags; // screened: SeriesFlag bits
    std::vector<unsigned char> generatedFlags;
  };
  tbb::enumerable_thread_specific<TileBuffers> buffers;
  auto                                         computeTile = [&](std::size_t tile) {
    const std::size_t     first = tile * tileVoxels;
    const std::size_t     count = std::min(tileVoxels, voxels - first);
    const unsigned char * inside = job.mask.inside.empty() ? nullptr : job.mask.inside.data() + first;
    auto & [referenceValues, generatedValues, referenceFlags, generatedFlags] = buffers.local();
    referenceValues.resize(count * (wholeSeries ? referenceLength : 1));
    generatedValues.resize(count * (wholeSeries ? generatedLength : 1));
    referenceFlags.assign(screened ? count : 0, 0);
    generatedFlags.assign(screened ? count : 0, 0);
    const bool               accumulated = !paired && !screened;
    VarianceAccumulatorArray reference(accumulated ? count : 0);
    VarianceAccumulatorArray generated(accumulated ? count : 0);
    SeriesComparisonArray    comparison(paired ? count : 0);
    for (std::size_t t = 0; t < timePoints; ++t)
    {
      T * referenceVolume = referenceValues.data() + (wholeSeries ? t * count : 0);
      T * generatedVolume = generatedValues.data() + (wholeSeries ? t * count : 0);
      if (t < referenceLength)
      {
        referenceReader.Read(t, first, count, referenceVolume);
      }
      if (t < generatedLength)
      {
        generatedReader.Read(t, first, count, generatedVolume);
      }
      if (paired) // the lengths are equal: checked
      {
        comparison.PushTimePoint(0, count, referenceVolume, generatedVolume, inside);
        continue;
      }
      if (screened)
      {
        if (t < referenceLength)
        {
          MarkSeriesFlags(count, referenceVolume, referenceValues.data(), referenceFlags.data());
        }
        if (t < generatedLength)
        {
          MarkSeriesFlags(count, generatedVolume, generatedValues.data(), generatedFlags.data());
        }
        continue;
      }
      if (t < referenceLength)
      {
        reference.PushTimePoint(0, count, referenceVolume, inside);
      }
      if (t < generatedLength)
      {
        generated.PushTimePoint(0, count, generatedVolume, inside);
      }
    }
    const TileScreen screen{ referenceFlags.data(), generatedFlags.data(), inside };
    for (std::size_t i = 0; i < count; ++i)
    {
      const bool isInside = inside == nullptr || inside[i] != 0;
      if (screened)
      {
        if (!isInside || screen.Flags(i) == 0) // else decided in EstimateTile
        {
          StoreVoxel(job,
                     maps,
                     first + i,
                     isInside,
                     ConstantSeriesAccumulator(static_cast<double>(referenceValues[i]), referenceLength),
                     ConstantSeriesAccumulator(static_cast<double>(generatedValues[i]), generatedLength),
                     nullptr);
        }
      }
      else if (paired)
      {
        const PairedMoments moments = comparison.Pairs(i);
        StoreVoxel(job, maps, first + i, isInside, comparison.Reference(i), comparison.Generated(i), &moments);
      }
      else
      {
        StoreVoxel(job, maps, first + i, isInside, reference.Get(i), generated.Get(i), nullptr);
      }
    }
    if (wholeSeries)
    {
      EstimateTile(job, maps, first, count, referenceValues, generatedValues, screened ? &screen : nullptr);
    }
    progress.Add(1.0);
  };
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] { tbb::parallel_for(std::size_t{ 0 }, tiles, computeTile); });
  maps.report = { "voxel tiles", static_cast<unsigned int>(tiles), threads };
  return maps;
}

template <typename T>
KLMaps
ComputeByVoxelTiles(const KLMapJob & job, unsigned int threads)
{
  const std::size_t        tiles = TileCount(job);
  const NiftiTileReader<T> referenceReader(job.reference);
  const NiftiTileReader<T> generatedReader(job.generated);
  detail::ProgressCounter  progress(job.execution.progress, static_cast<double>(tiles));
  return ComputeByVoxelTiles<T>(job, threads, referenceReader, generatedReader, progress);
}

// Non-parametric: any series, in tiles; what cannot be read in place is first copied to
// scratch, both series at once (each inflates its own file). Progress: the copy is the
// first half of the work, the tiles the second.
template <typename T>
KLMaps
ComputeWholeSeriesByTiles(const KLMapJob & job, unsigned int threads)
{
  const auto              tiles = static_cast<double>(TileCount(job));
  const auto              volumes = static_cast<double>(job.reference.timePoints + job.generated.timePoints);
  detail::ProgressCounter progress(job.execution.progress, 2.0 * tiles);
  auto copied = [&](std::size_t count) { progress.Add(tiles * static_cast<double>(count) / volumes); };
  std::unique_ptr<NiftiTileReader<T>> referenceReader;
  std::unique_ptr<NiftiTileReader<T>> generatedReader;
  tbb::task_arena                     arena(static_cast<int>(threads));
  arena.execute([&] {
    tbb::parallel_invoke([&] { referenceReader = OpenTileReader<T>(job.reference, copied); },
                         [&] { generatedReader = OpenTileReader<T>(job.generated, copied); });
  });
  return ComputeByVoxelTiles<T>(job, threads, *referenceReader, *generatedReader, progress);
}

template <typename T>
KLMaps
ComputeByVolumes(const KLMapJob & job, unsigned int threads)
{
  const std::size_t                               voxels = job.reference.grid.VoxelCount();
  const std::size_t                               block = detail::VolumesPerBlock(voxels, sizeof(T));
  const bool                                      paired = job.fidelity.paired;
  VoxelwiseAccumulators<VarianceAccumulatorArray> reference(paired ? 0 : voxels, job.mask.inside);
  VoxelwiseAccumulators<VarianceAccumulatorArray> generated(paired ? 0 : voxels, job.mask.inside);
  VoxelwiseAccumulators<SeriesComparisonArray>    comparison(paired ? voxels : 0, job.mask.inside);
  detail::ProgressCounter                         progress(job.execution.progress,
                                   static_cast<double>(job.reference.timePoints + job.generated.timePoints));
  tbb::task_arena                                 arena(static_cast<int>(threads));
  if (paired)
  {
    // Block by block in step, so that the pairs meet; each file inflated by its own thread.
    SeriesVolumeReader<T> referenceReader(job.reference);
    SeriesVolumeReader<T> generatedReader(job.generated);
    std::vector<T>        referenceBlock(block * voxels);
    std::vector<T>        generatedBlock(block * voxels);
    arena.execute([&] {
      for (;;)
      {
        std::size_t count = 0;
        tbb::parallel_invoke([&] { count = referenceReader.Read(block, referenceBlock.data()); },
                             [&] { generatedReader.Read(block, generatedBlock.data()); });
        if (count == 0)
        {
          break;
        }
        comparison.AddVolumePairs(referenceBlock.data(), generatedBlock.data(), count);
        progress.Add(2.0 * static_cast<double>(count));
      }
    });
  }
  else
  {
    auto accumulate = [&](const SeriesInfo & series, VoxelwiseAccumulators<VarianceAccumulatorArray> & accumulators) {
      SeriesVolumeReader<T> reader(series);
      std::vector<T>        buffer(block * voxels);
      while (const std::size_t count = reader.Read(block, buffer.data()))
      {
        accumulators.AddVolumes(buffer.data(), count);
        progress.Add(static_cast<double>(count));
      }
    };
    // Both files at once: with two cores, each inflates its own.
    arena.execute([&] {
      tbb::parallel_invoke([&] { accumulate(job.reference, reference); },
                           [&] { accumulate(job.generated, generated); });
    });
  }
  KLMaps maps = AllocateMaps(job.reference.grid, job.fidelity, job.estimator.estimator);
  arena.execute([&] {
    tbb::parallel_for(std::size_t{ 0 }, voxels, [&](std::size_t v) {
      const bool inside = job.mask.inside.empty() || job.mask.inside[v] != 0;
      if (paired)
      {
        const auto &        storage = comparison.Storage();
        const PairedMoments moments = storage.Pairs(v);
        StoreVoxel(job, maps, v, inside, storage.Reference(v), storage.Generated(v), &moments);
      }
      else
      {
        StoreVoxel(job, maps, v, inside, reference[v], generated[v], nullptr);
      }
    });
  });
  maps.report = { "volumes", 0, threads };
  return maps;
}

template <typename T>
KLMaps
ComputeByFilter(const KLMapJob & job, unsigned int threads)
{
  using Series = itk::Image<T, 4>;
  using Filter = itk::GaussianKLDivergenceImageFilter<Series, MapImage>;
  auto referenceReader = itk::ImageFileReader<Series>::New();
  referenceReader->SetFileName(job.reference.files.front());
  auto generatedReader = itk::ImageFileReader<Series>::New();
  generatedReader->SetFileName(job.generated.files.front());
  auto filter = Filter::New();
  filter->SetReferenceImage(referenceReader->GetOutput());
  filter->SetGeneratedImage(generatedReader->GetOutput());
  if (job.mask.image)
  {
    filter->SetMaskImage(job.mask.image);
  }
  filter->SetDirection(job.direction);
  filter->SetVarianceFloor(job.floor);
  filter->SetComputePairedMaps(job.fidelity.paired);
  filter->SetUndefinedCorrelation(job.fidelity.undefinedCorrelation);
  filter->GetMultiThreader()->SetMaximumNumberOfThreads(threads);

  KLMaps             maps = AllocateMaps(job.reference.grid, job.fidelity, job.estimator.estimator);
  const unsigned int requested =
    job.execution.tiles > 0 ? job.execution.tiles
                            : detail::AutomaticTiles(job.reference.grid,
                                                     std::max(job.reference.timePoints, job.generated.timePoints),
                                                     sizeof(T));
  auto takeTile = [&](const itk::ImageRegion<3> & tile) {
    detail::CopyTile<MapImage>(filter->GetDivergenceOutput(), maps.divergence, tile);
    detail::CopyTile<StatusImage>(filter->GetStatusOutput(), maps.status, tile);
    detail::CopyTile<CountImage>(filter->GetNonFiniteSampleCountOutput(), maps.nonFiniteSamples, tile);
    auto copyIfAsked = [&tile](MapImage * from, const MapPointer & to) {
      if (to)
      {
        detail::CopyTile<MapImage>(from, to, tile);
      }
    };
    copyIfAsked(filter->GetMeanDifferenceOutput(), maps.meanDifference);
    copyIfAsked(filter->GetVarianceLogRatioOutput(), maps.varianceLogRatio);
    copyIfAsked(filter->GetMeanSquaredErrorOutput(), maps.meanSquaredError);
    copyIfAsked(filter->GetCorrelationOutput(), maps.correlation);
    if (maps.pairCounts)
    {
      detail::CopyTile<CountImage>(filter->GetPairCountOutput(), maps.pairCounts, tile);
    }
  };
  const unsigned int pieces = detail::StreamTiles(filter->GetOutput(),
                                                  maps.divergence->GetLargestPossibleRegion(),
                                                  requested,
                                                  job.reference.Name() + " / " + job.generated.Name(),
                                                  job.execution.progress,
                                                  takeTile);
  maps.report = { "tiles", pieces, threads };
  return maps;
}

template <typename T>
KLMaps
Compute(const KLMapJob & job, unsigned int threads)
{
  if (job.estimator.estimator != KLEstimator::Gaussian)
  {
    return ComputeWholeSeriesByTiles<T>(job, threads);
  }
  if (NiftiTileReader<T>::Supports(job.reference) && NiftiTileReader<T>::Supports(job.generated))
  {
    return ComputeByVoxelTiles<T>(job, threads);
  }
  // NIfTI files and lists of volumes are always read by VoxelKL: non-finite samples are
  // kept (niftilib, under ITK's NIfTI reader, silently turns NaN and inf into 0).
  if (SeriesVolumeReader<T>::Supports(job.reference) && SeriesVolumeReader<T>::Supports(job.generated))
  {
    return ComputeByVolumes<T>(job, threads);
  }
  if (job.reference.framesAsComponents || job.generated.framesAsComponents)
  {
    // ITK's 4D readers would read 3D Slicer's NRRD frames as one 3D vector image.
    throw UsageError("a 4D NRRD from 3D Slicer is read volume by volume and can only be compared with NIfTI series, "
                     "lists of 3D volumes or another such NRRD: convert the other series to NIfTI");
  }
  if (job.reference.isVolumeList || job.generated.isVolumeList)
  {
    throw UsageError("a list of 3D volumes cannot be compared with a 4D series in a format other than NIfTI: convert "
                     "the 4D series to NIfTI");
  }
  return ComputeByFilter<T>(job, threads);
}

} // namespace

KLMaps
ComputeKLMaps(const KLMapJob & job)
{
  RequireSameGrid(job.reference.Name(), job.reference.grid, job.generated.Name(), job.generated.grid);
  if (job.fidelity.paired && job.reference.timePoints != job.generated.timePoints)
  {
    throw InputError(job.reference.Name() + " and " + job.generated.Name() +
                     " are not paired: MSE and correlation need the same number of volumes, but the reference has " +
                     std::to_string(job.reference.timePoints) + " and the generated series " +
                     std::to_string(job.generated.timePoints));
  }
  if (job.estimator.estimator == KLEstimator::NearestNeighbour)
  {
    const unsigned int window = static_cast<unsigned int>(std::max(job.estimator.theilerWindow, 0));
    const std::size_t  needed = NearestNeighbourMinimumSamples(job.estimator.neighbours, window);
    for (const SeriesInfo * series : { &job.reference, &job.generated })
    {
      if (series->timePoints < needed)
      {
        throw InputError(series->Name(),
                         "has " + std::to_string(series->timePoints) + " time points; the k-NN estimator with k = " +
                           std::to_string(job.estimator.neighbours) + " and a Theiler window of " +
                           std::to_string(window) + " needs at least " + std::to_string(needed) + " (2 w + k + 1)");
      }
    }
  }
  const unsigned int threads = EffectiveThreads(job.execution.threads);
  const bool         useDouble = job.reference.needsDouble || job.generated.needsDouble;
  return useDouble ? Compute<double>(job, threads) : Compute<float>(job, threads);
}

double
GlobalMeanSquaredError(const KLMaps & maps)
{
  if (!maps.meanSquaredError || !maps.pairCounts)
  {
    return 0.0;
  }
  const std::size_t     voxels = maps.meanSquaredError->GetLargestPossibleRegion().GetNumberOfPixels();
  const float *         mse = maps.meanSquaredError->GetBufferPointer();
  const std::uint32_t * pairs = maps.pairCounts->GetBufferPointer();
  double                sum = 0.0;
  double                count = 0.0;
  for (std::size_t v = 0; v < voxels; ++v)
  {
    sum += static_cast<double>(mse[v]) * pairs[v];
    count += pairs[v];
  }
  return count > 0.0 ? sum / count : 0.0;
}

} // namespace voxelkl
