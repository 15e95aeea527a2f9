// What the jobs share: maps allocated on a grid, and the tile size of the tile traversal.
#ifndef voxelkl_JobSupport_h
#define voxelkl_JobSupport_h

#include "voxelkl/SeriesInfo.h"

#include "itkImage.h"

#include <cstddef>

namespace voxelkl::detail
{

template <typename TPixel>
typename itk::Image<TPixel, 3>::Pointer
MakeImage(const SpatialGrid & grid)
{
  using Image = itk::Image<TPixel, 3>;
  auto                          image = Image::New();
  typename Image::SizeType      size;
  typename Image::SpacingType   spacing;
  typename Image::PointType     origin;
  typename Image::DirectionType direction;
  for (unsigned int i = 0; i < 3; ++i)
  {
    size[i] = grid.size[i];
    spacing[i] = grid.spacing[i];
    origin[i] = grid.origin[i];
    for (unsigned int j = 0; j < 3; ++j)
    {
      direction[i][j] = grid.direction[i * 3 + j];
    }
  }
  image->SetRegions(typename Image::RegionType(size));
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
  image->Allocate();
  return image;
}

/** Voxels per tile when uncompressed NIfTI is read tile by tile (voxel runs x all time
 * points): 128 KiB of float32 per time point, and order-2 accumulators (40 bytes per voxel)
 * that stay in the L2 cache while all the time points are pushed. */
constexpr std::size_t VoxelsPerTile = 16384;

} // namespace voxelkl::detail

#endif
