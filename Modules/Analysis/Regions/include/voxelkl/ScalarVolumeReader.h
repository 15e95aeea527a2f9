// Reading a whole 3D scalar image (a map, a label atlas) into memory.
#ifndef voxelkl_ScalarVolumeReader_h
#define voxelkl_ScalarVolumeReader_h

#include "itkImage.h"

#include <string>

namespace voxelkl
{

/** Reads a 3D scalar image of any voxel type as T (float or double), with its origin,
 * spacing and direction. A NIfTI file is read by NiftiVolumeStream, which keeps NaN and inf
 * where ITK's reader turns them into 0 (a 0 would be counted as data); other formats by
 * ITK. Throws InputError naming the file: missing, not an image, not 3D, unreadable. */
template <typename T>
typename itk::Image<T, 3>::Pointer
ReadScalarVolume(const std::string & path);

extern template itk::Image<float, 3>::Pointer
ReadScalarVolume<float>(const std::string & path);
extern template itk::Image<double, 3>::Pointer
ReadScalarVolume<double>(const std::string & path);

} // namespace voxelkl

#endif
