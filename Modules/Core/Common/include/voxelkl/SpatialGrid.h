// The spatial grid of an image and the one check that two grids are the same, shared by
// the executables, the series sources and the ITK filters.
#ifndef voxelkl_SpatialGrid_h
#define voxelkl_SpatialGrid_h

#include <array>
#include <cstddef>
#include <string>

namespace voxelkl
{

/** The spatial grid of an image: what two images must share to be compared voxel by voxel. */
struct SpatialGrid
{
  std::array<std::size_t, 3> size{};
  std::array<double, 3>      spacing{};
  std::array<double, 3>      origin{};
  std::array<double, 9>      direction{}; // row-major 3x3 direction cosines

  std::size_t
  VoxelCount() const
  {
    return size[0] * size[1] * size[2];
  }
};

/** Tolerances for "the same grid". Origins and spacings may differ by this fraction of
 * the smallest spacing, direction cosines by the absolute amount: NIfTI stores geometry in
 * float32, so the same grid written by two tools differs in the 7th digit. */
struct GridTolerance
{
  double coordinate{ 1e-4 };
  double direction{ 1e-4 };
};

/** Returns "" when the grids agree, else the first field that differs with both values,
 * e.g. "spacing differs along axis 2: 3 vs 3.5". */
std::string
CompareGrids(const SpatialGrid & a, const SpatialGrid & b, const GridTolerance & tolerance = {});

/** Throws InputError naming both files and the differing field unless the grids agree. */
void
RequireSameGrid(const std::string &   nameA,
                const SpatialGrid &   a,
                const std::string &   nameB,
                const SpatialGrid &   b,
                const GridTolerance & tolerance = {});

} // namespace voxelkl

#endif
