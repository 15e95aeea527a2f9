// Masks: any 3D image on the series' grid; nonzero voxels are inside.
#ifndef voxelkl_MaskLoader_h
#define voxelkl_MaskLoader_h

#include "voxelkl/SeriesInfo.h"

#include "itkImage.h"

#include <string>
#include <vector>

namespace voxelkl
{

struct Mask
{
  std::vector<unsigned char>            inside;     ///< one flag per voxel, x fastest; empty = all
  itk::Image<unsigned char, 3>::Pointer image;      ///< the same flags as an image, or null
  std::size_t                           count{ 0 }; ///< voxels inside
  std::string                           path;       ///< the file, empty for none
};

/** Reads a mask (nonzero and finite = inside) and checks it is on the series' grid and
 * not empty. An empty path gives "all voxels". Throws InputError naming the file. */
Mask
LoadMask(const std::string & path, const std::string & seriesName, const SpatialGrid & grid);

} // namespace voxelkl

#endif
