#include "voxelkl/GaussianKLJob.h"

#include "JobSupport.h"
#include "voxelkl/Errors.h"
#include "voxelkl/FilterInstantiations.h"
#include "voxelkl/SeriesVolumeReader.h"
#include "voxelkl/VoxelwiseAccumulators.h"

#include "itkImageFileReader.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>

namespace voxelkl
{
namespace
{
using StatusImage = itk::Image<unsigned char, 3>;
using CountImage = itk::Image<std::uint32_t, 3>;

GaussianKLMaps
AllocateMaps(const SpatialGrid & grid)
{
  GaussianKLMaps maps;
  maps.divergence = detail::MakeImage<float>(grid);
  maps.status = detail::MakeImage<unsigned char>(grid);
  maps.nonFiniteSamples = detail::MakeImage<std::uint32_t>(grid);
  return maps;
}

// Each series read once from its first volume to its last, both at the same time.
template<typename T>
GaussianKLMaps
ComputeByVolumes(const GaussianKLJob & job, unsigned int threads)
{
  const SpatialGrid &                             grid = job.reference.grid;
  const std::size_t                               voxels = grid.VoxelCount();
  const std::size_t                               block = detail::VolumesPerBlock(voxels, sizeof(T));
  VoxelwiseAccumulators<VarianceAccumulatorArray> reference(voxels, job.mask.inside);
  VoxelwiseAccumulators<VarianceAccumulatorArray> generated(voxels, job.mask.inside);
  detail::ProgressCounter                         progress(job.execution.progress,
                                   static_cast<double>(job.reference.timePoints + job.generated.timePoints));
  auto accumulate = [&](const SeriesInfo & series, VoxelwiseAccumulators<VarianceAccumulatorArray> & accumulators)
  {
    SeriesVolumeReader<T> reader(series);
    std::size_t           count = 0;
    while (const T * volumes = reader.Next(block, count))
    {
      if (count == 0)
      {
        break;
      }
      accumulators.AddVolumes(volumes, count);
      progress.Add(static_cast<double>(count));
    }
  };
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute(
    [&]
    {
      tbb::parallel_invoke([&] { accumulate(job.reference, reference); },
                           [&] { accumulate(job.generated, generated); });
    });

  GaussianKLMaps  maps = AllocateMaps(grid);
  float *         divergence = maps.divergence->GetBufferPointer();
  unsigned char * status = maps.status->GetBufferPointer();
  std::uint32_t * skipped = maps.nonFiniteSamples->GetBufferPointer();
  arena.execute(
    [&]
    {
      tbb::parallel_for(std::size_t{ 0 },
                        voxels,
                        [&](std::size_t v)
                        {
                          if (!reference.IsInside(v))
                          {
                            divergence[v] = 0.0f;
                            status[v] = static_cast<unsigned char>(VoxelStatus::OutsideMask);
                            skipped[v] = 0;
                            return;
                          }
                          const VarianceAccumulator referenceMoments = reference[v];
                          const VarianceAccumulator generatedMoments = generated[v];
                          const auto                result =
                            GaussianVoxelDivergence(referenceMoments, generatedMoments, job.direction, job.floor);
                          divergence[v] = static_cast<float>(result.value);
                          status[v] = static_cast<unsigned char>(result.status);
                          skipped[v] =
                            static_cast<std::uint32_t>(referenceMoments.Skipped() + generatedMoments.Skipped());
                        });
    });
  maps.report = { "volumes", 0, threads };
  return maps;
}

// Both series streamed through the ITK filter, tile by tile.
template<typename T>
GaussianKLMaps
ComputeByTiles(const GaussianKLJob & job, unsigned int threads)
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
  filter->GetMultiThreader()->SetMaximumNumberOfThreads(threads);

  GaussianKLMaps     maps = AllocateMaps(job.reference.grid);
  const unsigned int requested =
    job.execution.tiles > 0 ? job.execution.tiles
                            : detail::AutomaticTiles(job.reference.grid,
                                                     std::max(job.reference.timePoints, job.generated.timePoints),
                                                     sizeof(T));
  const auto         region = maps.divergence->GetLargestPossibleRegion();
  const unsigned int pieces = detail::StreamTiles(
    filter->GetOutput(),
    region,
    requested,
    job.reference.Name() + " / " + job.generated.Name(),
    job.execution.progress,
    [&](const itk::ImageRegion<3> & tile)
    {
      detail::CopyTile<MapImage>(filter->GetDivergenceOutput(), maps.divergence, tile);
      detail::CopyTile<StatusImage>(filter->GetStatusOutput(), maps.status, tile);
      detail::CopyTile<CountImage>(filter->GetNonFiniteSampleCountOutput(), maps.nonFiniteSamples, tile);
    });
  maps.report = { "tiles", pieces, threads };
  return maps;
}

} // namespace

GaussianKLMaps
ComputeGaussianKL(const GaussianKLJob & job)
{
  RequireSameGrid(job.reference.Name(), job.reference.grid, job.generated.Name(), job.generated.grid);
  const unsigned int threads = EffectiveThreads(job.execution.threads);
  const bool         useDouble = job.reference.needsDouble || job.generated.needsDouble;
  // NIfTI files and lists of volumes are always read volume by volume: each file once, in
  // bounded memory, with non-finite samples kept (niftilib, under ITK's NIfTI reader,
  // silently turns NaN and inf into 0). Other 4D formats stream through the ITK filter.
  const bool volumes =
    SeriesVolumeReader<float>::Supports(job.reference) && SeriesVolumeReader<float>::Supports(job.generated);
  if (!volumes && (job.reference.isVolumeList || job.generated.isVolumeList))
  {
    throw UsageError("a list of 3D volumes cannot be compared with a 4D series in a format other than NIfTI: convert "
                     "the 4D series to NIfTI");
  }
  if (volumes)
  {
    return useDouble ? ComputeByVolumes<double>(job, threads) : ComputeByVolumes<float>(job, threads);
  }
  return useDouble ? ComputeByTiles<double>(job, threads) : ComputeByTiles<float>(job, threads);
}

} // namespace voxelkl
