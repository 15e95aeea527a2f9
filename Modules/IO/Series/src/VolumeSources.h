// The sources behind OpenVolumeSource, one per input kind (one file each).
#ifndef voxelkl_VolumeSources_h
#define voxelkl_VolumeSources_h

#include "voxelkl/VolumeSource.h"

#include <memory>

namespace voxelkl::sources
{

/** A single-file 4D NIfTI (.nii or .nii.gz), inflated once (NiftiVolumeSource.cxx). */
template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenNifti(const SeriesInfo & series);

/** One 3D file per time point (VolumeListSource.cxx). */
template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenVolumeList(const SeriesInfo & series);

/** A 4D NRRD with its frames on a list axis, as 3D Slicer writes it (SlicerFramesSource.cxx). */
template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenSlicerFrames(const SeriesInfo & series);

/** Any other 4D image, through ITK's ImageIO (ItkVolumeSource.cxx). */
template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenThroughItk(const SeriesInfo & series);

/** Several 4D runs, one after the other (RunSequenceSource.cxx). */
template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenRunSequence(const SeriesInfo & series);

} // namespace voxelkl::sources

#endif
