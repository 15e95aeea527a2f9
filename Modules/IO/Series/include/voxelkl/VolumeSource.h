// The volumes of a series, front to back: the one interface through which the engine
// reads a series of any kind, and the one factory that chooses how.
#ifndef voxelkl_VolumeSource_h
#define voxelkl_VolumeSource_h

#include "voxelkl/SeriesInfo.h"

#include <cstddef>
#include <memory>

namespace voxelkl
{

/** Reads a series volume after volume, each file once. Values are converted to T (float
 * or double) exactly as itk::ImageFileReader<itk::Image<T, 4>> converts them, except that
 * NaN and inf samples of float NIfTI files are kept (niftilib, under ITK's reader, turns
 * them into 0; the measures skip and count them). One object per thread. */
template <typename T>
class VolumeSource
{
public:
  virtual ~VolumeSource() = default;
  /** Reads up to maxVolumes next volumes into out, volume after volume (x fastest); returns
   * how many were read, 0 at the end. Throws InputError naming the file on a read failure. */
  virtual std::size_t
  Read(std::size_t maxVolumes, T * out) = 0;
};

/** The source for a series, by its kind (SeriesInfo):
 *  - several 4D runs: each run's source in turn (concatenated in time);
 *  - a list of 3D volumes: one file per time point, NIfTI through VoxelKL's reader, other
 *    formats through ITK;
 *  - a 4D NRRD as 3D Slicer writes it: read once as ITK reads it, frame t = component t;
 *  - a 4D NIfTI (.nii, .nii.gz): inflated once, front to back (NiftiVolumeStream);
 *  - any other 4D image ITK reads (MetaImage, NRRD): blocks of volumes where its ImageIO
 *    streams, else the whole image once. */
template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenVolumeSource(const SeriesInfo & series);

extern template std::unique_ptr<VolumeSource<float>>
OpenVolumeSource<float>(const SeriesInfo &);
extern template std::unique_ptr<VolumeSource<double>>
OpenVolumeSource<double>(const SeriesInfo &);

} // namespace voxelkl

#endif
