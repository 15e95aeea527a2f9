#include "voxelkl/MomentsJob.h"

#include "JobSupport.h"
#include "voxelkl/Errors.h"
#include "voxelkl/FilterInstantiations.h"
#include "voxelkl/SeriesVolumeReader.h"
#include "voxelkl/VoxelwiseAccumulators.h"

#include "itkImageFileReader.h"

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

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

template<typename T>
MomentMaps
ComputeByVolumes(const MomentsJob & job, unsigned int threads)
{
  const SpatialGrid &                                         grid = job.series.grid;
  const std::size_t                                           voxels = grid.VoxelCount();
  const std::size_t                                           block = detail::VolumesPerBlock(voxels, sizeof(T));
  VoxelwiseAccumulators<AccumulatorVector<MomentAccumulator>> accumulators(voxels, job.mask.inside);
  detail::ProgressCounter progress(job.execution.progress, static_cast<double>(job.series.timePoints));
  SeriesVolumeReader<T>   reader(job.series);
  tbb::task_arena         arena(static_cast<int>(threads));
  std::size_t             count = 0;
  while (const T * volumes = reader.Next(block, count))
  {
    if (count == 0)
    {
      break;
    }
    arena.execute([&] { accumulators.AddVolumes(volumes, count); });
    progress.Add(static_cast<double>(count));
  }
  MomentMaps maps = AllocateMaps(grid);
  for (std::size_t v = 0; v < voxels; ++v)
  {
    const bool inside = accumulators.IsInside(v);
    for (unsigned int n = 0; n < MapCount; ++n)
    {
      maps.maps[n]->GetBufferPointer()[v] =
        inside ? static_cast<float>(MomentMapValue(accumulators[v], static_cast<MomentMap>(n))) : 0.0f;
    }
    maps.nonFiniteSamples += inside ? accumulators[v].Skipped() : 0;
  }
  maps.report = { "volumes", 0, threads };
  return maps;
}

template<typename T>
MomentMaps
ComputeByTiles(const MomentsJob & job, unsigned int threads)
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
                        [&](const itk::ImageRegion<3> & tile)
                        {
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

} // namespace

MomentMaps
ComputeMoments(const MomentsJob & job)
{
  const unsigned int threads = EffectiveThreads(job.execution.threads);
  const bool         useDouble = job.series.needsDouble;
  // See ComputeGaussianKL: NIfTI and lists volume by volume, other formats in tiles.
  const bool volumes = SeriesVolumeReader<float>::Supports(job.series);
  if (volumes)
  {
    return useDouble ? ComputeByVolumes<double>(job, threads) : ComputeByVolumes<float>(job, threads);
  }
  return useDouble ? ComputeByTiles<double>(job, threads) : ComputeByTiles<float>(job, threads);
}

} // namespace voxelkl
