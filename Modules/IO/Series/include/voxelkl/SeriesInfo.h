// What a series on disk is (its files, grid, length and voxel type), read from headers only.
#ifndef voxelkl_SeriesInfo_h
#define voxelkl_SeriesInfo_h

#include <array>
#include <cstddef>
#include <string>
#include <vector>

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

/** A 4D series: one 4D file, or an ordered list of 3D files (one per time point). */
struct SeriesInfo
{
  std::vector<std::string> files;
  SpatialGrid              grid;
  std::size_t              timePoints{ 0 };
  std::string              voxelType;       ///< as stored: "int16", "float32", ...
  bool                     scaled{ false }; ///< NIfTI scl_slope/scl_inter present (ITK reads float)
  /** The spacing of the values the file can hold: |scl_slope| (1 unscaled) for integer
   * voxels, 0 for float voxels (continuous). Non-parametric estimators dequantise by it. */
  double quantisationStep{ 0.0 };
  bool   needsDouble{ false }; ///< float32 cannot hold its values exactly
  bool   isVolumeList{ false };
  /** A 4D NRRD as 3D Slicer writes it (frames on a `list` axis, last for a volume sequence,
   * first for a MultiVolume): ITK reads it as a 3D image whose voxels have one component
   * per frame, frame t = component t. Only SeriesVolumeReader reads it right:
   * itk::Image<T, 4> silently gives garbage. */
  bool        framesAsComponents{ false };
  std::string format;              ///< "NIfTI", "NRRD", "MetaImage", ...
  bool        compressed{ false }; ///< .gz / compressed data

  /** The file, or "first.nii ... last.nii (N volumes)" for a list: for messages. */
  std::string
  Name() const;
};

/** Reads the headers of a series (no voxel data) and checks that it is a scalar 4D series,
 * a 4D NRRD as 3D Slicer writes it (framesAsComponents), or a list of scalar 3D volumes on
 * one grid. Throws InputError naming the file and the problem: missing, unreadable, not an
 * image, 3D where 4D is expected, vector voxels. */
SeriesInfo
InspectSeries(const std::vector<std::string> & files);

/** Reads the header of a 3D image (a mask or a map). */
SpatialGrid
InspectVolume(const std::string & file);

/** Throws InputError naming both files and the differing field unless the grids agree. */
void
RequireSameGrid(const std::string &   nameA,
                const SpatialGrid &   a,
                const std::string &   nameB,
                const SpatialGrid &   b,
                const GridTolerance & tolerance = {});

} // namespace voxelkl

#endif
