// A label atlas on a map's grid: read, checked for integer labels, and resampled (nearest
// neighbour, in physical space) when the atlas was drawn on another grid.
#ifndef voxelkl_LabelVolume_h
#define voxelkl_LabelVolume_h

#include "voxelkl/ImageGrid.h"
#include "voxelkl/LabelNames.h"
#include "voxelkl/SeriesInfo.h"

#include "itkImage.h"

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace voxelkl
{

using LabelImage = itk::Image<std::int32_t, 3>;

struct LabelVolume
{
  std::string               path;      ///< the atlas file
  SpatialGrid               atlasGrid; ///< the atlas file's own grid
  SpatialGrid               grid;      ///< the map's grid, which labels is on
  bool                      resampled{ false };
  std::vector<std::int32_t> labels;          ///< one per voxel of grid, x fastest; 0 = background
  std::vector<std::int32_t> atlasLabels;     ///< distinct nonzero values of the atlas file, ascending
  std::size_t               keptLabels{ 0 }; ///< how many of atlasLabels have a voxel on grid
};

/** Reads atlas (a 3D image of integer values, any voxel type; 0 is background, NaN is
 * taken as background) and puts it on mapGrid. When CompareGrids finds the grids differ,
 * the atlas is resampled with nearest-neighbour interpolation in physical space (identity
 * transform; map voxels whose centre falls outside the atlas get 0) and one line is
 * written to notes, saying from which grid to which and how many labels remain. Throws
 * InputError naming the atlas when it is not a 3D image, holds a non-integer value or no
 * nonzero value, and naming the atlas and mapName when no labelled voxel lands on the
 * map's grid (they do not overlap). */
LabelVolume
LoadLabels(const std::string & atlas, const std::string & mapName, const SpatialGrid & mapGrid, std::ostream & notes);

/** Checks names, read from namesPath, against the labels of the atlas file: InputError when
 * it names none of them (another atlas's names?); one line in notes when it leaves some
 * unnamed (they are named by number). */
void
CheckLabelNames(const std::string & namesPath,
                const LabelNames &  names,
                const LabelVolume & labels,
                std::ostream &      notes);

/** The nearest-neighbour resampling of LoadLabels alone: labels onto grid, 0 outside. */
LabelImage::Pointer
ResampleLabels(const LabelImage * labels, const SpatialGrid & grid);

/** The grid of an image (size, spacing, origin, direction). */
SpatialGrid
ImageGrid(const itk::ImageBase<3> * image);

/** Gives image the grid's origin, spacing and direction, and its size as the region. */
void
ApplyGrid(const SpatialGrid & grid, itk::ImageBase<3> * image);

/** "181x217x181 voxels of 1x1x1 mm": for messages. */
std::string
DescribeGrid(const SpatialGrid & grid);

} // namespace voxelkl

#endif
