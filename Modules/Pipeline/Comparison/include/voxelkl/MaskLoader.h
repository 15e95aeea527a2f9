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

/** When seriesFile is a NIfTI without orientation (qform_code and sform_code 0, like nipype's
 * ds003), what to tell a user whose image on "the same" grid was refused or resampled: the
 * series is read as ITK reads it, the RAS affine diag(-dx, -dy, dz) at origin 0 (LPS
 * identity), and an image saved with the NIfTI "method 1" affine diag(dx, dy, dz) or by
 * nibabel with the series' affine lies elsewhere; save it with the series' header and no
 * affine. The text starts with what (e.g. "a mask"); "" for any other file. */
std::string
UnorientedSeriesHint(const std::string & seriesFile, const SpatialGrid & seriesGrid, const std::string & what);

/** Reads a mask (nonzero and finite = inside) and checks it is on the series' grid and
 * not empty. An empty path gives "all voxels". Throws InputError naming the file. */
Mask
LoadMask(const std::string & path, const std::string & seriesName, const SpatialGrid & grid);

} // namespace voxelkl

#endif
