#include "voxelkl/ConnectivityJob.h"

#include "voxelkl/Errors.h"
#include "voxelkl/ProgressCounter.h"
#include "voxelkl/Traversal.h"

#include <fmt/format.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <stdexcept>

// Bit-identical for any thread count: a region's sum at a time point is the sum of its
// fixed chunks (RegionChunkVoxels voxels of its list, each summed in list order by
// SumVoxels) added in chunk order by RegionTimeSeries::SetTimePoint on one thread; threads
// only decide where each chunk of each volume is summed.

namespace voxelkl
{
namespace
{

std::string
MaskText(const ConnectivityJob & job)
{
  return job.mask.path.empty() ? "on the grid of " + job.reference.Name() : "inside " + job.mask.path;
}

// Fewer than 2 regions with a voxel: refused before any series is read.
void
RequireTwoRegions(const ConnectivityJob & job, const RegionVoxels & regions)
{
  std::size_t withVoxels = 0;
  for (std::size_t r = 0; r < regions.RegionCount(); ++r)
  {
    withVoxels += regions.VoxelCount(r) > 0 ? 1 : 0;
  }
  if (withVoxels < 2)
  {
    throw InputError(job.labels.path,
                     fmt::format("{} of its {} regions {} a voxel {}: connectivity needs at least 2 regions",
                                 withVoxels,
                                 regions.RegionCount(),
                                 withVoxels == 1 ? "has" : "have",
                                 MaskText(job)));
  }
}

// Like RequireMemory, for what grows with the number of regions.
void
RequireRegionMemory(const std::string & atlas, std::size_t regions, double bytes)
{
  const double physical = PhysicalMemory();
  if (physical > 0.0 && bytes > physical)
  {
    constexpr double GiB = 1024.0 * 1024.0 * 1024.0;
    throw InputError(atlas,
                     fmt::format("has {} labels: their connectivity matrices and time series need about {:.1f} GiB of "
                                 "memory, more than this machine's {:.1f} GiB (is it a label atlas?)",
                                 regions,
                                 bytes / GiB,
                                 physical / GiB));
  }
}

template <typename T>
void
Accumulate(const ConnectivityJob & job, ConnectivityResult & result, const TraversalContext & context)
{
  const std::size_t      voxels = job.reference.grid.VoxelCount();
  const std::size_t      block = VolumesPerBlock(voxels, sizeof(T));
  const auto &           chunks = result.regions.Chunks();
  auto                   referenceSource = OpenVolumeSource<T>(job.reference);
  auto                   generatedSource = OpenVolumeSource<T>(job.generated);
  std::vector<RegionSum> sums(2 * block * chunks.size());
  std::size_t            referenceRead = 0, generatedRead = 0;
  context.Execute([&] {
    ForEachVolumeBlock<T>(
      *referenceSource,
      generatedSource.get(),
      voxels,
      block,
      context,
      [&](const T *   reference,
          std::size_t referenceCount,
          const T *   generated,
          std::size_t generatedCount,
          std::size_t first) {
        if (first + referenceCount > job.reference.timePoints || first + generatedCount > job.generated.timePoints)
        {
          throw InputError(job.reference.Name() + " and " + job.generated.Name() +
                           ": a series holds more volumes than its header says (did a file change while it was read?)");
        }
        const std::size_t volumes = referenceCount + generatedCount;
        tbb::parallel_for(tbb::blocked_range<std::size_t>(0, volumes * chunks.size()), [&](const auto & range) {
          for (std::size_t item = range.begin(); item < range.end(); ++item)
          {
            const std::size_t           slot = item / chunks.size();
            const RegionVoxels::Chunk & chunk = chunks[item % chunks.size()];
            const T *                   volume =
              slot < referenceCount ? reference + slot * voxels : generated + (slot - referenceCount) * voxels;
            sums[item] = SumVoxels(volume, result.regions.Voxels(chunk.region) + chunk.begin, chunk.end - chunk.begin);
          }
        });
        for (std::size_t s = 0; s < referenceCount; ++s)
        {
          result.reference.SetTimePoint(first + s, result.regions, sums.data() + s * chunks.size());
        }
        for (std::size_t s = 0; s < generatedCount; ++s)
        {
          result.generated.SetTimePoint(first + s, result.regions, sums.data() + (referenceCount + s) * chunks.size());
        }
        referenceRead += referenceCount;
        generatedRead += generatedCount;
      });
  });
  for (const auto & [series, read] :
       { std::pair{ &job.reference, referenceRead }, std::pair{ &job.generated, generatedRead } })
  {
    if (read != series->timePoints)
    {
      throw InputError(series->Name(),
                       fmt::format("ended after {} volumes while its header says {}", read, series->timePoints));
    }
  }
}

std::uint64_t
NonFiniteSamples(const RegionVoxels & regions, const RegionTimeSeries & series)
{
  std::uint64_t skipped = 0;
  for (std::size_t t = 0; t < series.TimePoints(); ++t)
  {
    for (std::size_t r = 0; r < regions.RegionCount(); ++r)
    {
      skipped += regions.VoxelCount(r) - series.Count(t, r);
    }
  }
  return skipped;
}

// The reasons regions were left out, for the error that too few remain.
std::string
Exclusions(const ConnectivityJob & job, const ConnectivityComparison & comparison)
{
  std::size_t noVoxel = 0, noFinite = 0, constant = 0;
  for (const RegionOutcome & outcome : comparison.regions)
  {
    noVoxel += outcome.status == RegionStatus::NoVoxel ? 1 : 0;
    noFinite += outcome.status == RegionStatus::NoFiniteValue ? 1 : 0;
    constant += outcome.status == RegionStatus::Constant ? 1 : 0;
  }
  return fmt::format("{} without a voxel {}, {} without a finite value, {} constant over time",
                     noVoxel,
                     MaskText(job),
                     noFinite,
                     constant);
}

} // namespace

std::string
RegionName(const LabelNames & names, std::int32_t label)
{
  const auto found = names.find(label);
  return found != names.end() ? found->second : std::to_string(label);
}

ConnectivityResult
ComputeConnectivity(const ConnectivityJob & job)
{
  RequireSameGrid(job.reference.Name(), job.reference.grid, job.generated.Name(), job.generated.grid);
  const std::size_t voxels = job.reference.grid.VoxelCount();
  if (job.labels.labels.size() != voxels || (!job.mask.inside.empty() && job.mask.inside.size() != voxels))
  {
    throw std::logic_error("ComputeConnectivity: the atlas or the mask is not on the series' grid");
  }
  const bool        useDouble = job.reference.needsDouble || job.generated.needsDouble;
  const std::size_t valueBytes = useDouble ? sizeof(double) : sizeof(float);
  const double      regionCount = static_cast<double>(job.labels.atlasLabels.size());
  const double      timePoints = static_cast<double>(job.reference.timePoints + job.generated.timePoints);
  // Blocks of both series and the region lists; then the region time series and the p x p
  // matrices (a label image of many thousands of labels is not an atlas to compare).
  RequireMemory(job.reference.Name() + " / " + job.generated.Name(),
                2.0 * static_cast<double>(VolumesPerBlock(voxels, valueBytes) * voxels * valueBytes) +
                  16.0 * static_cast<double>(voxels));
  RequireRegionMemory(job.labels.path,
                      job.labels.atlasLabels.size(),
                      16.0 * timePoints * regionCount + 8.0 * 12.0 * regionCount * regionCount);

  ConnectivityResult result;
  result.regions = RegionVoxels(job.labels.labels.data(), voxels, job.mask.inside, job.labels.atlasLabels);
  RequireTwoRegions(job, result.regions);
  result.reference = RegionTimeSeries(result.regions.RegionCount(), job.reference.timePoints);
  result.generated = RegionTimeSeries(result.regions.RegionCount(), job.generated.timePoints);

  const unsigned int threads = EffectiveThreads(job.execution.threads);
  ProgressCounter    progress(job.execution.progress, timePoints);
  TraversalContext   context{ threads, &progress, job.execution.cancelled, 0 };
  if (useDouble)
  {
    Accumulate<double>(job, result, context);
  }
  else
  {
    Accumulate<float>(job, result, context);
  }
  progress.Finish();
  result.referenceNonFinite = NonFiniteSamples(result.regions, result.reference);
  result.generatedNonFinite = NonFiniteSamples(result.regions, result.generated);
  result.report = { "volumes", 0, threads };

  result.comparison = CompareConnectivity(result.regions, result.reference, result.generated);
  const ConnectivityComparison & comparison = result.comparison;
  switch (comparison.problem)
  {
    case ConnectivityProblem::None:
      break;
    case ConnectivityProblem::TooFewRegions:
      throw InputError(fmt::format("{} on {} and {}: {} of its {} regions can be compared, connectivity needs at least "
                                   "2 ({})",
                                   job.labels.path,
                                   job.reference.Name(),
                                   job.generated.Name(),
                                   comparison.used.size(),
                                   comparison.regions.size(),
                                   Exclusions(job, comparison)));
    case ConnectivityProblem::TooFewReferenceTimePoints:
    case ConnectivityProblem::TooFewGeneratedTimePoints:
    {
      const bool                 isReference = comparison.problem == ConnectivityProblem::TooFewReferenceTimePoints;
      const SeriesInfo &         series = isReference ? job.reference : job.generated;
      const SeriesConnectivity & censored = isReference ? comparison.reference : comparison.generated;
      if (series.timePoints < 2)
      {
        throw InputError(series.Name(), "has 1 volume: connectivity needs at least 2 time points");
      }
      throw InputError(series.Name(),
                       fmt::format("{} of its {} volumes {} a finite value in every region of {} (the others are "
                                   "left out): connectivity needs at least 2",
                                   series.timePoints - censored.censored.size(),
                                   series.timePoints,
                                   series.timePoints - censored.censored.size() == 1 ? "has" : "have",
                                   job.labels.path));
    }
  }
  return result;
}

} // namespace voxelkl
