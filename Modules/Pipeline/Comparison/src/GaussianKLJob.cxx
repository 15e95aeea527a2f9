#include "voxelkl/GaussianKLJob.h"

#include "JobSupport.h"
#include "voxelkl/Errors.h"
#include "voxelkl/FilterInstantiations.h"
#include "voxelkl/NiftiTileReader.h"
#include "voxelkl/SeriesVolumeReader.h"
#include "voxelkl/VoxelwiseAccumulators.h"

#include "itkImageFileReader.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>
#include <tbb/task_arena.h>

// Three ways to read the series, one result: every voxel's values are pushed in time order
// through the same accumulator code, and its KL computed by the same function.
//  - Uncompressed float NIfTI: tiles of voxels x all time points, read in place
//    (ComputeByVoxelTiles); the accumulators of a tile stay in cache.
//  - Other NIfTI (.nii.gz, integer voxels) and lists of 3D files: volume by volume, each file
//    inflated once (ComputeByVolumes).
//  - Other 4D formats (MetaImage, NRRD): itk::GaussianKLDivergenceImageFilter streamed in
//    tiles (ComputeByFilter).

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

// Writes voxel v of every map from the two accumulators of that voxel.
void
StoreVoxel(const GaussianKLJob &       job,
           GaussianKLMaps &            maps,
           std::size_t                 v,
           bool                        inside,
           const VarianceAccumulator & reference,
           const VarianceAccumulator & generated)
{
  if (!inside)
  {
    maps.divergence->GetBufferPointer()[v] = 0.0f;
    maps.status->GetBufferPointer()[v] = static_cast<unsigned char>(VoxelStatus::OutsideMask);
    maps.nonFiniteSamples->GetBufferPointer()[v] = 0;
    return;
  }
  const auto result = GaussianVoxelDivergence(reference, generated, job.direction, job.floor);
  maps.divergence->GetBufferPointer()[v] = static_cast<float>(result.value);
  maps.status->GetBufferPointer()[v] = static_cast<unsigned char>(result.status);
  maps.nonFiniteSamples->GetBufferPointer()[v] = static_cast<std::uint32_t>(reference.Skipped() + generated.Skipped());
}

template <typename T>
GaussianKLMaps
ComputeByVoxelTiles(const GaussianKLJob & job, unsigned int threads)
{
  const std::size_t        voxels = job.reference.grid.VoxelCount();
  const std::size_t        tiles = (voxels + detail::VoxelsPerTile - 1) / detail::VoxelsPerTile;
  const NiftiTileReader<T> referenceReader(job.reference);
  const NiftiTileReader<T> generatedReader(job.generated);
  GaussianKLMaps           maps = AllocateMaps(job.reference.grid);
  detail::ProgressCounter  progress(job.execution.progress, static_cast<double>(tiles));
  auto                     computeTile = [&](std::size_t tile)
  {
    const std::size_t     first = tile * detail::VoxelsPerTile;
    const std::size_t     count = std::min(detail::VoxelsPerTile, voxels - first);
    const unsigned char * inside = job.mask.inside.empty() ? nullptr : job.mask.inside.data() + first;
    std::vector<T>        values(count);
    auto                  accumulate = [&](const NiftiTileReader<T> & reader, std::size_t timePoints)
    {
      VarianceAccumulatorArray accumulators(count);
      for (std::size_t t = 0; t < timePoints; ++t)
      {
        reader.Read(t, first, count, values.data());
        accumulators.PushTimePoint(0, count, values.data(), inside);
      }
      return accumulators;
    };
    const auto reference = accumulate(referenceReader, job.reference.timePoints);
    const auto generated = accumulate(generatedReader, job.generated.timePoints);
    for (std::size_t i = 0; i < count; ++i)
    {
      StoreVoxel(job, maps, first + i, inside == nullptr || inside[i] != 0, reference.Get(i), generated.Get(i));
    }
    progress.Add(1.0);
  };
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute([&] { tbb::parallel_for(std::size_t{ 0 }, tiles, computeTile); });
  maps.report = { "voxel tiles", static_cast<unsigned int>(tiles), threads };
  return maps;
}

template <typename T>
GaussianKLMaps
ComputeByVolumes(const GaussianKLJob & job, unsigned int threads)
{
  const std::size_t                               voxels = job.reference.grid.VoxelCount();
  const std::size_t                               block = detail::VolumesPerBlock(voxels, sizeof(T));
  VoxelwiseAccumulators<VarianceAccumulatorArray> reference(voxels, job.mask.inside);
  VoxelwiseAccumulators<VarianceAccumulatorArray> generated(voxels, job.mask.inside);
  detail::ProgressCounter                         progress(job.execution.progress,
                                   static_cast<double>(job.reference.timePoints + job.generated.timePoints));
  auto accumulate = [&](const SeriesInfo & series, VoxelwiseAccumulators<VarianceAccumulatorArray> & accumulators)
  {
    SeriesVolumeReader<T> reader(series);
    std::vector<T>        buffer(block * voxels);
    while (const std::size_t count = reader.Read(block, buffer.data()))
    {
      accumulators.AddVolumes(buffer.data(), count);
      progress.Add(static_cast<double>(count));
    }
  };
  // Both files at once: with two cores, each inflates its own.
  tbb::task_arena arena(static_cast<int>(threads));
  arena.execute(
    [&]
    {
      tbb::parallel_invoke([&] { accumulate(job.reference, reference); },
                           [&] { accumulate(job.generated, generated); });
    });
  GaussianKLMaps maps = AllocateMaps(job.reference.grid);
  arena.execute(
    [&]
    {
      tbb::parallel_for(std::size_t{ 0 },
                        voxels,
                        [&](std::size_t v)
                        { StoreVoxel(job, maps, v, reference.IsInside(v), reference[v], generated[v]); });
    });
  maps.report = { "volumes", 0, threads };
  return maps;
}

template <typename T>
GaussianKLMaps
ComputeByFilter(const GaussianKLJob & job, unsigned int threads)
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
  const unsigned int pieces = detail::StreamTiles(
    filter->GetOutput(),
    maps.divergence->GetLargestPossibleRegion(),
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

template <typename T>
GaussianKLMaps
Compute(const GaussianKLJob & job, unsigned int threads)
{
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
  if (job.reference.isVolumeList || job.generated.isVolumeList)
  {
    throw UsageError("a list of 3D volumes cannot be compared with a 4D series in a format other than NIfTI: convert "
                     "the 4D series to NIfTI");
  }
  return ComputeByFilter<T>(job, threads);
}

} // namespace

GaussianKLMaps
ComputeGaussianKL(const GaussianKLJob & job)
{
  RequireSameGrid(job.reference.Name(), job.reference.grid, job.generated.Name(), job.generated.grid);
  const unsigned int threads = EffectiveThreads(job.execution.threads);
  const bool         useDouble = job.reference.needsDouble || job.generated.needsDouble;
  return useDouble ? Compute<double>(job, threads) : Compute<float>(job, threads);
}

} // namespace voxelkl
