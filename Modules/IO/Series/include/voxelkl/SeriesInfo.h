// What a series on disk is (its files, grid, length and voxel type), read from headers only.
#ifndef voxelkl_SeriesInfo_h
#define voxelkl_SeriesInfo_h

#include "voxelkl/SpatialGrid.h"

#include <cstddef>
#include <string>
#include <vector>

namespace voxelkl
{

/** How several 4D runs of one series are pooled: concatenated in time as they are, or
 * each run's voxel mean removed first, so that baseline drifts between runs do not
 * inflate the variance. */
enum class RunsHandling
{
  Concatenate,
  Demean
};

/** "concatenate" or "demean"; ParseRunsHandling is its inverse (UsageError otherwise). */
std::string
ToString(RunsHandling runs);
RunsHandling
ParseRunsHandling(const std::string & text);

/** A 4D series: one 4D file, an ordered list of 3D files (one per time point), or several
 * 4D runs concatenated in time. */
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
   * per frame, frame t = component t. Only its VolumeSource reads it right:
   * itk::Image<T, 4> silently gives garbage. */
  bool        framesAsComponents{ false };
  std::string format;              ///< "NIfTI", "NRRD", "MetaImage", ...
  bool        compressed{ false }; ///< .gz / compressed data
  /** Seconds between volumes: NIfTI pixdim[4] by its xyzt_units (unknown units taken as
   * seconds), the 4th spacing of NRRD and MetaImage (no units: seconds); 0 when unknown
   * (lists of 3D volumes, 3D Slicer's frames, runs with different times). */
  double timeStep{ 0.0 };
  /** Several 4D files: each run's own description, in time order (empty otherwise). The
   * series' grid is theirs, its time points their sum; needsDouble holds if any run needs
   * it, and the quantisation step is the largest of the runs'. */
  std::vector<SeriesInfo> runs;

  /** The file, or "first.nii ... last.nii (N volumes)" for a list: for messages. */
  std::string
  Name() const;
};

/** Reads the headers of a series (no voxel data) and checks that it is a scalar 4D series,
 * a 4D NRRD as 3D Slicer writes it (framesAsComponents), a list of scalar 3D volumes on
 * one grid, or several 4D runs on one grid. Throws InputError naming the file and the problem: missing, unreadable, not
 * an image, 3D where 4D is expected, vector voxels. */
SeriesInfo
InspectSeries(const std::vector<std::string> & files);

/** Reads the header of a 3D image (a mask or a map). */
SpatialGrid
InspectVolume(const std::string & file);

} // namespace voxelkl

#endif
