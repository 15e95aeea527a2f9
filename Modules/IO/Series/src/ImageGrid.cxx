#include "voxelkl/ImageGrid.h"

namespace voxelkl
{

SpatialGrid
ImageGrid(const itk::ImageBase<3> * image)
{
  SpatialGrid grid;
  const auto  size = image->GetLargestPossibleRegion().GetSize();
  for (unsigned int i = 0; i < 3; ++i)
  {
    grid.size[i] = size[i];
    grid.spacing[i] = image->GetSpacing()[i];
    grid.origin[i] = image->GetOrigin()[i];
    for (unsigned int j = 0; j < 3; ++j)
    {
      grid.direction[i * 3 + j] = image->GetDirection()[i][j];
    }
  }
  return grid;
}

void
ApplyGrid(const SpatialGrid & grid, itk::ImageBase<3> * image)
{
  itk::ImageBase<3>::SizeType      size;
  itk::ImageBase<3>::SpacingType   spacing;
  itk::ImageBase<3>::PointType     origin;
  itk::ImageBase<3>::DirectionType direction;
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
  image->SetRegions(itk::ImageBase<3>::RegionType(size));
  image->SetSpacing(spacing);
  image->SetOrigin(origin);
  image->SetDirection(direction);
}

} // namespace voxelkl
