#include "JobSupport.h"

#include "voxelkl/Errors.h"

#include "itkMultiThreaderBase.h"

#include <algorithm>
#include <cmath>

namespace voxelkl
{

unsigned int
EffectiveThreads(unsigned int requested)
{
  return requested > 0 ? requested : std::max(1u, itk::MultiThreaderBase::GetGlobalDefaultNumberOfThreads());
}

namespace detail
{

std::size_t
VolumesPerBlock(std::size_t voxelsPerVolume, std::size_t bytesPerValue)
{
  constexpr std::size_t budget = std::size_t{ 32 } << 20;
  const std::size_t     bytesPerVolume = std::max<std::size_t>(1, voxelsPerVolume * bytesPerValue);
  return std::clamp<std::size_t>(budget / bytesPerVolume, 1, 64);
}

unsigned int
AutomaticTiles(const SpatialGrid & grid, std::size_t timePoints, std::size_t bytesPerValue)
{
  constexpr double budget = 64.0 * (1 << 20);
  // ITK's NIfTI reader holds a tile twice (its own buffer and the image).
  const double bytes = 2.0 * static_cast<double>(grid.VoxelCount()) * timePoints * bytesPerValue;
  const auto   tiles = static_cast<unsigned int>(std::ceil(bytes / budget));
  return std::clamp<unsigned int>(tiles, 1, static_cast<unsigned int>(grid.size[2]));
}

unsigned int
StreamTiles(itk::ImageBase<3> *                                      firstOutput,
            const itk::ImageRegion<3> &                              region,
            unsigned int                                             tiles,
            const std::string &                                      inputs,
            const std::function<void(double)> &                      progress,
            const std::function<void(const itk::ImageRegion<3> &)> & takeTile)
{
  auto               splitter = itk::ImageRegionSplitterSlowDimension::New();
  const unsigned int pieces = splitter->GetNumberOfSplits(region, std::max(1u, tiles));
  for (unsigned int i = 0; i < pieces; ++i)
  {
    itk::ImageRegion<3> tile = region;
    splitter->GetSplit(i, pieces, tile);
    try
    {
      firstOutput->SetRequestedRegion(tile);
      firstOutput->Update();
    }
    catch (const itk::ExceptionObject & e)
    {
      throw InputError(inputs, std::string("cannot read the series: ") + e.GetDescription());
    }
    takeTile(tile);
    if (progress)
    {
      progress(static_cast<double>(i + 1) / pieces);
    }
  }
  return pieces;
}

} // namespace detail
} // namespace voxelkl
