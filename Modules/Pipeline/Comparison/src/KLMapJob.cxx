#include "voxelkl/KLMapJob.h"

#include "JobSupport.h"
#include "voxelkl/ComparisonMeasure.h"
#include "voxelkl/Errors.h"
#include "voxelkl/NiftiTileReader.h"
#include "voxelkl/TileSeriesRows.h"
#include "voxelkl/TileStaging.h"
#include "voxelkl/Traversal.h"
#include "voxelkl/VarianceScreening.h"

#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>

#include <algorithm>
#include <memory>

// One measure (voxelkl::GaussianComparison and the non-parametric finish, ComparisonMeasure.h)
// driven by the engine's two traversals (Traversal.h):
//  - Gaussian maps of uncompressed float NIfTI: tiles of voxels x all time points read in
//    place, the tile's state in cache (ComputeByVoxelTiles);
//  - Gaussian maps of every other series (.nii.gz, integer NIfTI, lists of volumes, runs,
//    MetaImage, NRRD, 3D Slicer's 4D NRRD): volume by volume from the series' source,
//    each file read once (ComputeByVolumes);
//  - k-NN and histogram maps, and runs that are demeaned: tiles, read in place or from a
//    scratch copy made in one pass (ComputeWholeSeriesByTiles).
// Each voxel's values pass through the same accumulators in time order on every path, and
// its maps are written by the same functions: the same bits for any read path, threads and
// tiles.

namespace voxelkl
{
namespace
{

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
  if (fidelity.referenceMean)
  {
    maps.referenceMean = detail::MakeImage<float>(grid);
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

ComparisonSettings
Settings(const KLMapJob & job)
{
  return { job.direction, job.floor, job.fidelity.paired, job.fidelity.undefinedCorrelation };
}

// The maps of voxels first, first + 1, ... of the whole grid.
ComparisonRow<float>
RowAt(const KLMaps & maps, std::size_t first)
{
  auto at = [first](const auto & image) { return image ? image->GetBufferPointer() + first : nullptr; };
  return { at(maps.divergence),       at(maps.status),           at(maps.nonFiniteSamples), at(maps.meanDifference),
           at(maps.varianceLogRatio), at(maps.meanSquaredError), at(maps.correlation),      at(maps.pairCounts),
           at(maps.theilerWindows),   at(maps.referenceMean) };
}

TraversalContext
Context(const KLMapJob & job, unsigned int threads, ProgressCounter & progress)
{
  return { threads, &progress, job.execution.cancelled, job.execution.tiles };
}

// The flags (SeriesFlags) of voxel i's series in a tile held as rows. Non-parametric maps
// that need no Gaussian moments (mean difference, variance log ratio, paired maps) do not
// push their tiles through the Welford accumulators: a voxel whose series both have no
// flag is two finite constants, whose accumulators are known (ConstantSeriesAccumulator),
// and the others are decided from their rows. A series that keeps its first value's bits
// throughout (the background) is flagged from that value alone, without its row.
template <typename T>
unsigned char
SeriesFlagsOf(TileSeriesRows<T> & rows, std::size_t i, std::size_t length)
{
  return rows.Varies(i) ? SeriesFlags(rows.Row(i), length) : SeriesFlags(&rows.First(i), 1);
}

// What the Gaussian pass would have decided at a voxel the tile's screen left open, from
// its rows: a status of Valid, or the exact accumulators' result.
template <typename T>
void
DecideScreenedVoxel(const KLMapJob &             job,
                    const ComparisonRow<float> & out,
                    std::size_t                  i,
                    unsigned char                flags,
                    const T *                    referenceRow,
                    const T *                    generatedRow)
{
  const std::size_t referenceLength = job.reference.timePoints;
  const std::size_t generatedLength = job.generated.timePoints;
  if ((flags & SeriesNonFinite) == 0 &&
      SurelyValid(referenceRow, referenceLength, generatedRow, generatedLength, job.floor))
  {
    // The usual brain voxel. Its KL is the non-parametric estimate, written next.
    out.status[i] = static_cast<unsigned char>(VoxelStatus::Valid);
    out.nonFiniteSamples[i] = 0;
    return;
  }
  FinishGaussianVoxel(out,
                      i,
                      Settings(job),
                      AccumulateSeries(referenceRow, referenceLength),
                      AccumulateSeries(generatedRow, generatedLength),
                      PairedMoments{});
}

// The non-parametric estimate of voxel i of a tile (Gaussian status Valid; elsewhere
// nothing changes) from its rows.
template <typename T>
void
EstimateVoxel(const KLMapJob &             job,
              const ComparisonRow<float> & out,
              std::size_t                  first,
              std::size_t                  i,
              NonparametricVoxelKL &       estimator,
              const T *                    referenceRow,
              const T *                    generatedRow)
{
  FinishNonparametricVoxel(out,
                           i,
                           estimator,
                           job.direction,
                           first + i,
                           referenceRow,
                           1,
                           job.reference.timePoints,
                           job.reference.quantisationStep,
                           generatedRow,
                           1,
                           job.generated.timePoints,
                           job.generated.quantisationStep);
}

// The maps of a tile whose Gaussian pass set every voxel's status, with the
// non-parametric estimates where it is Valid.
template <typename T>
void
EstimateTile(const KLMapJob &             job,
             const ComparisonRow<float> & out,
             std::size_t                  first,
             std::size_t                  count,
             TileSeriesRows<T> &          referenceRows,
             TileSeriesRows<T> &          generatedRows)
{
  NonparametricVoxelKL estimator(job.estimator);
  for (std::size_t i = 0; i < count; ++i)
  {
    if (out.status[i] == static_cast<unsigned char>(VoxelStatus::Valid))
    {
      EstimateVoxel(job, out, first, i, estimator, referenceRows.Row(i), generatedRows.Row(i));
    }
  }
}

// The maps of a screened tile (SeriesFlagsOf): outside the mask, two finite constants, or
// decided from the rows and estimated.
template <typename T>
void
FinishScreenedTile(const KLMapJob &             job,
                   const ComparisonRow<float> & out,
                   std::size_t                  first,
                   std::size_t                  count,
                   const unsigned char *        inside,
                   TileSeriesRows<T> &          referenceRows,
                   TileSeriesRows<T> &          generatedRows)
{
  const std::size_t    referenceLength = job.reference.timePoints;
  const std::size_t    generatedLength = job.generated.timePoints;
  NonparametricVoxelKL estimator(job.estimator);
  for (std::size_t i = 0; i < count; ++i)
  {
    if (inside != nullptr && inside[i] == 0)
    {
      FinishOutsideVoxel(out, i);
      continue;
    }
    const auto flags = static_cast<unsigned char>(SeriesFlagsOf(referenceRows, i, referenceLength) |
                                                  SeriesFlagsOf(generatedRows, i, generatedLength));
    if (flags == 0)
    {
      FinishGaussianVoxel(out,
                          i,
                          Settings(job),
                          ConstantSeriesAccumulator(static_cast<double>(referenceRows.First(i)), referenceLength),
                          ConstantSeriesAccumulator(static_cast<double>(generatedRows.First(i)), generatedLength),
                          PairedMoments{});
      continue;
    }
    const T * referenceRow = referenceRows.Row(i);
    const T * generatedRow = generatedRows.Row(i);
    DecideScreenedVoxel(job, out, i, flags, referenceRow, generatedRow);
    EstimateVoxel(job, out, first, i, estimator, referenceRow, generatedRow);
  }
}

// Voxels per tile on the tile path, for series values of bytesPerValue bytes. The Gaussian
// tiles read 64 KiB per series and time point (float32), paired or not: halving paired
// tiles, so that their state (72 bytes per voxel, against the series' own 2 x 40) would
// stay in a 1 MiB L2 cache, cost more in system calls and page-cache lookups than it saved
// (15 interleaved runs on an AMD EPYC: 0.45 s at 8192 voxels, 0.44 s at 16384). The
// non-parametric estimators also hold the tile's whole series.
std::size_t
PreferredTileVoxels(const KLMapJob & job, std::size_t bytesPerValue)
{
  if (job.estimator.estimator != KLEstimator::Gaussian)
  {
    // At most ~16 MiB of each series' rows per tile, whatever the number of time points:
    // 13,981 float32 voxels of 300 time points, whose reads are 55 KiB per time point.
    // (Tiles a quarter of that, 16 KiB reads, spent 4-8% more time on the k-NN map in
    // system calls and page-cache lookups, for 43 rather than 91 MiB.)
    const std::size_t timePoints = std::max(job.reference.timePoints, job.generated.timePoints);
    return std::clamp<std::size_t>(
      (std::size_t{ 16 } << 20) / (bytesPerValue * timePoints), 256, detail::VoxelsPerTile);
  }
  return detail::VoxelsPerTile;
}

template <typename T>
KLMaps
ComputeByVoxelTiles(const KLMapJob &           job,
                    const TraversalContext &   context,
                    const NiftiTileReader<T> & referenceReader,
                    const NiftiTileReader<T> & generatedReader)
{
  const bool        wholeSeries = job.estimator.estimator != KLEstimator::Gaussian;
  const std::size_t voxels = job.reference.grid.VoxelCount();
  const std::size_t tileVoxels = TileVoxels(context, voxels, PreferredTileVoxels(job, sizeof(T)));
  const std::size_t referenceLength = job.reference.timePoints;
  const std::size_t generatedLength = job.generated.timePoints;
  const std::size_t timePoints = std::max(referenceLength, generatedLength);
  // Non-parametric maps that need no Gaussian moments screen their tiles (SeriesFlagsOf).
  const bool screened = wholeSeries && !job.fidelity.paired && !job.fidelity.meanDifference &&
                        !job.fidelity.varianceLogRatio && !job.fidelity.referenceMean;
  const ComparisonSettings settings = Settings(job);
  KLMaps                   maps = AllocateMaps(job.reference.grid, job.fidelity, job.estimator.estimator);
  if (job.saveState)
  {
    maps.state = std::make_shared<MeasureState>(GaussianComparison(settings, 0).Kind(), voxels);
  }
  struct TileBuffers
  {
    std::vector<T>     referenceValues; // a pass of time points: [time][voxel]
    std::vector<T>     generatedValues;
    GaussianComparison comparison;    // reset for each tile: its arrays are allocated once
    TileSeriesRows<T>  referenceRows; // whole series: the rows of the voxels that vary
    TileSeriesRows<T>  generatedRows;
  };
  // Time points read per pass over a tile: a few, so that a pass stays in cache; the
  // Gaussian accumulators take them at once, each voxel's mean and M2 in registers across
  // them (PushTimePoints: the same bits as one time point after the other).
  constexpr std::size_t                        stepsPerPass = detail::TimePointsPerTilePass;
  tbb::enumerable_thread_specific<TileBuffers> buffers([&] {
    return TileBuffers{ {}, {}, GaussianComparison(settings, 0), {}, {} };
  });
  TraverseTiles(voxels, tileVoxels, context, [&](std::size_t first, std::size_t count) {
    const unsigned char * inside = job.mask.inside.empty() ? nullptr : job.mask.inside.data() + first;
    auto & [referenceValues, generatedValues, comparison, referenceRows, generatedRows] = buffers.local();
    referenceValues.resize(count * std::min(stepsPerPass, referenceLength));
    generatedValues.resize(count * std::min(stepsPerPass, generatedLength));
    comparison.Reset(screened ? 0 : count);
    if (wholeSeries)
    {
      referenceRows.Start(count, referenceLength);
      generatedRows.Start(count, generatedLength);
    }
    for (std::size_t pass = 0; pass < timePoints; pass += stepsPerPass)
    {
      const std::size_t steps = std::min(stepsPerPass, timePoints - pass);
      const std::size_t referenceSteps = pass < referenceLength ? std::min(steps, referenceLength - pass) : 0;
      const std::size_t generatedSteps = pass < generatedLength ? std::min(steps, generatedLength - pass) : 0;
      for (std::size_t s = 0; s < referenceSteps; ++s)
      {
        referenceReader.Read(pass + s, first, count, referenceValues.data() + s * count);
      }
      for (std::size_t s = 0; s < generatedSteps; ++s)
      {
        generatedReader.Read(pass + s, first, count, generatedValues.data() + s * count);
      }
      if (wholeSeries)
      {
        referenceRows.Add(referenceValues.data(), referenceSteps, inside);
        generatedRows.Add(generatedValues.data(), generatedSteps, inside);
      }
      if (!screened)
      {
        const auto stride = static_cast<std::ptrdiff_t>(count);
        comparison.PushTimePoints(0,
                                  count,
                                  referenceValues.data(),
                                  stride,
                                  referenceSteps,
                                  generatedValues.data(),
                                  stride,
                                  generatedSteps,
                                  inside);
      }
    }
    const ComparisonRow<float> out = RowAt(maps, first);
    if (screened)
    {
      FinishScreenedTile(job, out, first, count, inside, referenceRows, generatedRows);
      return;
    }
    comparison.Finish(0, count, inside, out);
    if (maps.state)
    {
      comparison.ExportState(0, count, *maps.state, first);
    }
    if (wholeSeries)
    {
      EstimateTile(job, out, first, count, referenceRows, generatedRows);
    }
  });
  maps.report = { "voxel tiles", static_cast<unsigned int>(TileCount(voxels, tileVoxels)), context.threads };
  return maps;
}

// Tiles of any series: what cannot be read in place (or is demeaned per run) is first
// copied to scratch, both series at once (each inflates its own file). Progress: the copy
// is the first half of the work, the tiles the second.
template <typename T>
KLMaps
ComputeWholeSeriesByTiles(const KLMapJob & job, unsigned int threads)
{
  const std::size_t voxels = job.reference.grid.VoxelCount();
  const auto        tiles = static_cast<double>(TileCount(
    voxels, TileVoxels({ threads, nullptr, {}, job.execution.tiles }, voxels, PreferredTileVoxels(job, sizeof(T)))));
  const auto        volumes = static_cast<double>(job.reference.timePoints + job.generated.timePoints);
  ProgressCounter   progress(job.execution.progress, 2.0 * tiles);
  TraversalContext  context = Context(job, threads, progress);
  auto              copied = [&](std::size_t count) { progress.Add(tiles * static_cast<double>(count) / volumes); };
  std::unique_ptr<NiftiTileReader<T>> referenceReader;
  std::unique_ptr<NiftiTileReader<T>> generatedReader;
  context.Execute([&] {
    tbb::parallel_invoke([&] { referenceReader = OpenTileReader<T>(job.reference, copied, job.runs); },
                         [&] { generatedReader = OpenTileReader<T>(job.generated, copied, job.runs); });
  });
  KLMaps maps = ComputeByVoxelTiles<T>(job, context, *referenceReader, *generatedReader);
  progress.Finish();
  return maps;
}

template <typename T>
KLMaps
ComputeInPlaceTiles(const KLMapJob & job, unsigned int threads)
{
  const std::size_t        voxels = job.reference.grid.VoxelCount();
  const NiftiTileReader<T> referenceReader(job.reference);
  const NiftiTileReader<T> generatedReader(job.generated);
  TraversalContext         context{ threads, nullptr, job.execution.cancelled, job.execution.tiles };
  ProgressCounter          progress(
    job.execution.progress,
    static_cast<double>(TileCount(voxels, TileVoxels(context, voxels, PreferredTileVoxels(job, sizeof(T))))));
  context.progress = &progress;
  KLMaps maps = ComputeByVoxelTiles<T>(job, context, referenceReader, generatedReader);
  progress.Finish();
  return maps;
}

// The maps (and, asked for, the state) of a comparison holding every voxel of the grid.
KLMaps
FinishWholeGrid(const GaussianComparison &         comparison,
                const SpatialGrid &                grid,
                const std::vector<unsigned char> & mask,
                const FidelityMaps &               fidelity,
                const TraversalContext &           context,
                bool                               saveState)
{
  const std::size_t voxels = grid.VoxelCount();
  KLMaps            maps = AllocateMaps(grid, fidelity, KLEstimator::Gaussian);
  if (saveState)
  {
    maps.state = std::make_shared<MeasureState>(comparison.Kind(), voxels);
  }
  context.Execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, voxels, 4096), [&](const auto & range) {
      const unsigned char * inside = mask.empty() ? nullptr : mask.data() + range.begin();
      comparison.Finish(range.begin(), range.size(), inside, RowAt(maps, range.begin()));
      if (maps.state)
      {
        comparison.ExportState(range.begin(), range.size(), *maps.state, range.begin());
      }
    });
  });
  return maps;
}

template <typename T>
KLMaps
ComputeByVolumes(const KLMapJob & job, unsigned int threads)
{
  const std::size_t  voxels = job.reference.grid.VoxelCount();
  ProgressCounter    progress(job.execution.progress,
                           static_cast<double>(job.reference.timePoints + job.generated.timePoints));
  TraversalContext   context = Context(job, threads, progress);
  GaussianComparison comparison(Settings(job), voxels);
  auto               referenceSource = OpenVolumeSource<T>(job.reference);
  auto               generatedSource = OpenVolumeSource<T>(job.generated);
  TraverseVolumes(
    *referenceSource,
    generatedSource.get(),
    voxels,
    job.mask.inside,
    context,
    [&](const VoxelRunSteps<T> & run) {
      const auto stride = static_cast<std::ptrdiff_t>(run.stride);
      comparison.PushTimePoints(run.first,
                                run.count,
                                run.reference,
                                stride,
                                run.referenceSteps,
                                run.generated,
                                stride,
                                run.generatedSteps,
                                run.inside);
    },
    job.fidelity.paired ? SeriesPairing::InStep : SeriesPairing::Independent);
  KLMaps maps = FinishWholeGrid(comparison, job.reference.grid, job.mask.inside, job.fidelity, context, job.saveState);
  progress.Finish();
  maps.report = { "volumes", 0, threads };
  return maps;
}

template <typename T>
KLMaps
Compute(const KLMapJob & job, unsigned int threads)
{
  if (job.estimator.estimator != KLEstimator::Gaussian || job.runs == RunsHandling::Demean)
  {
    return ComputeWholeSeriesByTiles<T>(job, threads);
  }
  if (NiftiTileReader<T>::Supports(job.reference) && NiftiTileReader<T>::Supports(job.generated))
  {
    return ComputeInPlaceTiles<T>(job, threads);
  }
  return ComputeByVolumes<T>(job, threads);
}

} // namespace

KLMaps
FinishKLMaps(const MeasureState &               state,
             const SpatialGrid &                grid,
             const std::vector<unsigned char> & inside,
             const ComparisonSettings &         settings,
             const FidelityMaps &               fidelity,
             const ExecutionOptions &           execution)
{
  const unsigned int       threads = EffectiveThreads(execution.threads);
  const GaussianComparison comparison = GaussianComparison::FromState(settings, state);
  const TraversalContext   context{ threads, nullptr, execution.cancelled, execution.tiles };
  KLMaps                   maps = FinishWholeGrid(comparison, grid, inside, fidelity, context, false);
  maps.report = { "state", 0, threads };
  return maps;
}

KLMaps
ComputeKLMaps(const KLMapJob & job)
{
  if (job.saveState && job.estimator.estimator != KLEstimator::Gaussian)
  {
    throw UsageError(std::string("a state can be saved for the Gaussian estimator only: ") +
                     ToString(job.estimator.estimator) + " estimates do not merge");
  }
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
  // The maps (at most 19 bytes per voxel), the per-voxel state of the volume traversal (at
  // most 112 bytes: the paired accumulators) and two blocks of volumes (64 MiB).
  const double voxels = static_cast<double>(job.reference.grid.VoxelCount());
  // A saved state adds its accumulators (at most 144 bytes per voxel).
  RequireMemory(job.reference.Name() + " / " + job.generated.Name(),
                voxels * (19.0 + 112.0 + (job.saveState ? 144.0 : 0.0)) + 64.0 * (1 << 20));
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
