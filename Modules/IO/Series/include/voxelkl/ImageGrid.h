// An ITK image's spatial grid and back: the one conversion between itk::ImageBase<3> and
// voxelkl::SpatialGrid.
#ifndef voxelkl_ImageGrid_h
#define voxelkl_ImageGrid_h

#include "voxelkl/SpatialGrid.h"

#include "itkImageBase.h"

namespace voxelkl
{

/** The grid of an image (size of its largest region, spacing, origin, direction). */
SpatialGrid
ImageGrid(const itk::ImageBase<3> * image);

/** Gives image the grid's origin, spacing and direction, and its size as the region. */
void
ApplyGrid(const SpatialGrid & grid, itk::ImageBase<3> * image);

} // namespace voxelkl

#endif
