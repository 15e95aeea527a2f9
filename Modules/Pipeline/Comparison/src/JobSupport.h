// What the jobs share: maps allocated on a grid, and the tile size of the tile traversal.
#ifndef voxelkl_JobSupport_h
#define voxelkl_JobSupport_h

#include "voxelkl/ImageGrid.h"
#include "voxelkl/SeriesInfo.h"

#include "itkImage.h"

#include <cstddef>

namespace voxelkl::detail
{

/** An image on the grid, allocated (not initialised). */
template <typename TPixel>
typename itk::Image<TPixel, 3>::Pointer
MakeImage(const SpatialGrid & grid)
{
  auto image = itk::Image<TPixel, 3>::New();
  ApplyGrid(grid, image);
  image->Allocate();
  return image;
}

/** Voxels per tile when uncompressed NIfTI is read tile by tile (voxel runs x all time
 * points): 128 KiB of float32 per time point, and order-2 accumulators (40 bytes per voxel)
 * that stay in the L2 cache while all the time points are pushed. */
constexpr std::size_t VoxelsPerTile = 16384;

/** Time points a Gaussian tile reads before it pushes them together (their values, 64 KiB
 * per series and time point, stay in the L2 cache with the tile's accumulators). */
constexpr std::size_t TimePointsPerTilePass = 8;

} // namespace voxelkl::detail

#endif
