// 4D NRRD files laid out as 3D Slicer writes its 4D volumes, for the tests of the 4D input
// path (/work/shared/notes/slicer-cli.md, section 7).
#ifndef voxelkl_test_NrrdFixtures_h
#define voxelkl_test_NrrdFixtures_h

#include "TestFiles.h"

#include <string>

namespace voxelkl::test
{

enum class SlicerNrrdLayout
{
  /** A volume sequence (vtkMRMLVolumeSequenceStorageNode): frames on the last axis,
   * `sizes: X Y Z T`, `kinds: domain domain domain list`, `space directions: ... none`. */
  Sequence,
  /** A MultiVolume (MultiVolumeExplorer, vtkTeemNRRDWriter): frames on the first axis,
   * interleaved, `sizes: T X Y Z`, `kinds: list domain domain domain` (2, 3 and 4 frames get
   * the kinds complex, RGB-color and RGBA-color, as that writer does), and the header keys
   * MultiVolume.NumberOfFrames and MultiVolume.FrameLabels. */
  MultiVolume
};

struct SlicerNrrdOptions
{
  std::string type{ "float32" }; ///< "float32" or "int16" (DICOM fMRI)
  bool        gzip{ false };     ///< `encoding: gzip` (Slicer's default) or raw
};

/** Writes series (values cast to the type as itk::CastImageFilter does) to path as a
 * single-file NRRD in the given layout, in LPS space with the series' spatial geometry. */
void
WriteSlicerNrrd(const Series *            series,
                const std::string &       path,
                SlicerNrrdLayout          layout,
                const SlicerNrrdOptions & options = {});

} // namespace voxelkl::test

#endif
