#include "voxelkl/MomentsJob.h"

#include "JobSupport.h"
#include "voxelkl/Errors.h"
#include "voxelkl/FilterInstantiations.h"
#include "voxelkl/NiftiTileReader.h"
#include "voxelkl/SeriesVolumeReader.h"
#include "voxelkl/VoxelwiseAccumulators.h"

#include "itkImageFileReader.h"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <atomic>

namespace voxelkl
{
namespace
{
constexpr auto MapCount = static_cast<unsigned int>(MomentMap::NumberOfMaps);

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

// Writes voxel v of every map; returns the voxel's skipped samples.
std::uint64_t
StoreVoxel(MomentMaps & maps, std::size_t v, bool inside, const MomentAccumulator & accumulator)
{
  for (unsigned int n = 0; n < MapCount; ++n)
  {
    maps.maps[n]->GetBufferPointer()[v] =
      inside ? static_cast<float>(MomentMapValue(accumulator, static_cast<MomentMap>(n))) : 0.0f;
  }
  return inside ? accumulator.Skipped() : 0;
}

// See KLMapJob.cxx for the three read paths.
template <typename T>
MomentMaps
ComputeByVoxelTiles(const MomentsJob & job, unsigned int threads)
{
  const std::size_t          voxels = job.series.grid.VoxelCount();
  const std::size_t          tiles = (voxels + detail::VoxelsPerTile - 1) / detail::VoxelsPerTile;
  const NiftiTileReader<T>   reader(job.series);
  MomentMaps                 maps = AllocateMaps(job.series.grid);
  detail::ProgressCounter    progress(job.execution.progress, static_cast<double>(tiles));
  std::atomic<std::uint64_t> skipped{ 0 };
  auto                       computeTile = [&](std::size_t tile) {
    const std::size_t                    first = tile * detail::VoxelsPerTile;
    const std::size_t                    count = std::min(detail::VoxelsPerTile, voxels - first);
    const unsigned char *                inside = job.mask.inside.empty() ? nullptr : job.mask.inside.data() + first;
    std::vector<T>                       values(count);
    AccumulatorVector<MomentAccumulator> accumulators(count);
    for (std::size_t t = 0; t < job.series.timePoints; ++t)
    {
      reader.Read(t, first, count, values.data());
      accumulators.PushTimePoint(0, count, values.data(), inside);
    }
    std::uint64_t tileSkipped = 0;
    for (std::size_t i = 0; i < count; ++i)
    {
      tileSkipped += StoreVoxel(maps, first + i, inside == nullptr || inside[i] != 0, accumulators.Get(i));
    }
    skipped += tileSkipped;
    progress.Add(1.0);
  };
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] { tbb::parallel_for(std::size_t{ 0 }, tiles, computeTile); });
  maps.nonFiniteSamples = skipped;
  maps.report = { "voxel tiles", static_cast<unsigned int>(tiles), threads };
  return maps;
}

template <typename T>
MomentMaps
ComputeByVolumes(const MomentsJob & job, unsigned int threads)
{
  const std::size_t                                           voxels = job.series.grid.VoxelCount();
  const std::size_t                                           block = detail::VolumesPerBlock(voxels, sizeof(T));
  VoxelwiseAccumulators<AccumulatorVector<MomentAccumulator>> accumulators(voxels, job.mask.inside);
  detail::ProgressCounter progress(job.execution.progress, static_cast<double>(job.series.timePoints));
  SeriesVolumeReader<T>   reader(job.series);
  std::vector<T>          buffer(block * voxels);
  tbb::task_arena         arena(static_cast<int>(threads));
  while (const std::size_t count = reader.Read(block, buffer.data()))
  {
    arena.execute([&] { accumulators.AddVolumes(buffer.data(), count); });
    progress.Add(static_cast<double>(count));
  }
  MomentMaps maps = AllocateMaps(job.series.grid);
  for (std::size_t v = 0; v < voxels; ++v)
  {
    maps.nonFiniteSamples += StoreVoxel(maps, v, accumulators.IsInside(v), accumulators[v]);
  }
  maps.report = { "volumes", 0, threads };
  return maps;
}

template <typename T>
MomentMaps
ComputeByFilter(const MomentsJob & job, unsigned int threads)
{
  using Series = itk::Image<T, 4>;
  using Filter = itk::TemporalMomentsImageFilter<Series, MapImage>;
  auto reader = itk::ImageFileReader<Series>::New();
  reader->SetFileName(job.series.files.front());
  auto filter = Filter::New();
  filter->SetInput(reader->GetOutput());
  if (job.mask.image)
  {
    filter->SetMaskImage(job.mask.image);
  }
  filter->GetMultiThreader()->SetMaximumNumberOfThreads(threads);
  MomentMaps         maps = AllocateMaps(job.series.grid);
  const unsigned int requested = job.execution.tiles > 0
                                   ? job.execution.tiles
                                   : detail::AutomaticTiles(job.series.grid, job.series.timePoints, sizeof(T));
  const auto         region = maps.maps[0]->GetLargestPossibleRegion();
  const unsigned int pieces =
    detail::StreamTiles(filter->GetOutput(),
                        region,
                        requested,
                        job.series.Name(),
                        job.execution.progress,
                        [&](const itk::ImageRegion<3> & tile) {
                          for (unsigned int n = 0; n < MapCount; ++n)
                          {
                            detail::CopyTile<MapImage>(filter->GetOutput(n), maps.maps[n], tile);
                          }
                        });
  // Non-finite samples are the time points a voxel's count lacks.
  const float * count = maps.maps[static_cast<unsigned int>(MomentMap::Count)]->GetBufferPointer();
  for (std::size_t v = 0; v < job.series.grid.VoxelCount(); ++v)
  {
    const bool inside = job.mask.inside.empty() || job.mask.inside[v] != 0;
    maps.nonFiniteSamples += inside ? job.series.timePoints - static_cast<std::uint64_t>(count[v]) : 0;
  }
  maps.report = { "tiles", pieces, threads };
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
  if (SeriesVolumeReader<T>::Supports(job.series))
  {
    return ComputeByVolumes<T>(job, threads);
  }
  return ComputeByFilter<T>(job, threads);
}

} // namespace

MomentMaps
ComputeMoments(const MomentsJob & job)
{
  const unsigned int threads = EffectiveThreads(job.execution.threads);
  return job.series.needsDouble ? Compute<double>(job, threads) : Compute<float>(job, threads);
}

} // namespace voxelkl
