#include "voxelkl/MomentsJob.h"

#include "JobSupport.h"
#include "voxelkl/NiftiTileReader.h"
#include "voxelkl/Traversal.h"

#include <tbb/parallel_for.h>

#include <atomic>

// The moments measure (MomentsMeasure.h) on the engine's traversals: tiles read in place
// from uncompressed float NIfTI, else volume by volume from the series' source (see
// KLMapJob.cxx). The same bits on every path.

namespace voxelkl
{
namespace
{

MomentMaps
AllocateMaps(const SpatialGrid & grid)
{
  MomentMaps maps;
  for (auto & map : maps.maps)
  {
    map = detail::MakeImage<float>(grid);
  }
  return maps;
}

MomentsRow<float>
RowAt(const MomentMaps & maps, std::size_t first)
{
  MomentsRow<float> row;
  for (unsigned int n = 0; n < MomentMapCount; ++n)
  {
    row[n] = maps.maps[n]->GetBufferPointer() + first;
  }
  return row;
}

template <typename T>
MomentMaps
ComputeByVoxelTiles(const MomentsJob & job, unsigned int threads)
{
  const std::size_t          voxels = job.series.grid.VoxelCount();
  TraversalContext           context{ threads, nullptr, job.execution.cancelled, job.execution.tiles };
  const std::size_t          tileVoxels = TileVoxels(context, voxels, detail::VoxelsPerTile);
  ProgressCounter            progress(job.execution.progress, static_cast<double>(TileCount(voxels, tileVoxels)));
  const NiftiTileReader<T>   reader(job.series);
  MomentMaps                 maps = AllocateMaps(job.series.grid);
  std::atomic<std::uint64_t> skipped{ 0 };
  context.progress = &progress;
  if (job.saveState)
  {
    maps.state = std::make_shared<MeasureState>(StateKind::Moments, voxels);
  }
  TraverseTiles(voxels, tileVoxels, context, [&](std::size_t first, std::size_t count) {
    const unsigned char * inside = job.mask.inside.empty() ? nullptr : job.mask.inside.data() + first;
    std::vector<T>        values(count);
    Moments               moments(count);
    for (std::size_t t = 0; t < job.series.timePoints; ++t)
    {
      reader.Read(t, first, count, values.data());
      moments.PushTimePoint(0, count, values.data(), inside);
    }
    skipped += moments.Finish(0, count, inside, RowAt(maps, first));
    if (maps.state)
    {
      moments.ExportState(0, count, *maps.state, first);
    }
  });
  progress.Finish();
  maps.nonFiniteSamples = skipped;
  maps.report = { "voxel tiles", static_cast<unsigned int>(TileCount(voxels, tileVoxels)), threads };
  return maps;
}

MomentMaps
FinishWholeGrid(const Moments &                    moments,
                const SpatialGrid &                grid,
                const std::vector<unsigned char> & inside,
                bool                               saveState)
{
  const std::size_t voxels = grid.VoxelCount();
  MomentMaps        maps = AllocateMaps(grid);
  // In voxel order, so that the total is the same whatever the threads.
  maps.nonFiniteSamples = moments.Finish(0, voxels, inside.empty() ? nullptr : inside.data(), RowAt(maps, 0));
  if (saveState)
  {
    maps.state = std::make_shared<MeasureState>(StateKind::Moments, voxels);
    moments.ExportState(0, voxels, *maps.state, 0);
  }
  return maps;
}

template <typename T>
MomentMaps
ComputeByVolumes(const MomentsJob & job, unsigned int threads)
{
  const std::size_t voxels = job.series.grid.VoxelCount();
  ProgressCounter   progress(job.execution.progress, static_cast<double>(job.series.timePoints));
  TraversalContext  context{ threads, &progress, job.execution.cancelled, job.execution.tiles };
  Moments           moments(voxels);
  auto              source = OpenVolumeSource<T>(job.series);
  TraverseVolumes<T>(
    *source,
    nullptr,
    voxels,
    job.mask.inside,
    context,
    [&](std::size_t first, std::size_t count, const T * values, const T *, const unsigned char * inside) {
      moments.PushTimePoint(first, count, values, inside);
    });
  MomentMaps maps = FinishWholeGrid(moments, job.series.grid, job.mask.inside, job.saveState);
  progress.Finish();
  maps.report = { "volumes", 0, threads };
  return maps;
}

template <typename T>
MomentMaps
Compute(const MomentsJob & job, unsigned int threads)
{
  if (NiftiTileReader<T>::Supports(job.series))
  {
    return ComputeByVoxelTiles<T>(job, threads);
  }
  return ComputeByVolumes<T>(job, threads);
}

} // namespace

MomentMaps
FinishMoments(const MeasureState & state, const SpatialGrid & grid, const std::vector<unsigned char> & inside)
{
  MomentMaps maps = FinishWholeGrid(Moments::FromState(state), grid, inside, false);
  maps.report = { "state", 0, 1 };
  return maps;
}

MomentMaps
ComputeMoments(const MomentsJob & job)
{
  // Six float maps and the order-4 accumulators (72 bytes) per voxel, and a block of volumes.
  RequireMemory(job.series.Name(),
                static_cast<double>(job.series.grid.VoxelCount()) * (24.0 + 72.0 + (job.saveState ? 72.0 : 0.0)) +
                  32.0 * (1 << 20));
  const unsigned int threads = EffectiveThreads(job.execution.threads);
  return job.series.needsDouble ? Compute<double>(job, threads) : Compute<float>(job, threads);
}

} // namespace voxelkl
