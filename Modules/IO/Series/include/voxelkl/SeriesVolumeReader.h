// Reads a series volume by volume, from the first time point to the last, each file once.
#ifndef voxelkl_SeriesVolumeReader_h
#define voxelkl_SeriesVolumeReader_h

#include "voxelkl/NiftiVolumeStream.h"
#include "voxelkl/SeriesInfo.h"

#include <cstddef>
#include <memory>

namespace voxelkl
{

/** Volume-by-volume reader for the series that can be read that way in one pass: a
 * single-file NIfTI-1 4D image (.nii or .nii.gz: inflated once, front to back), a 4D NRRD
 * as 3D Slicer writes it (SeriesInfo::framesAsComponents: read whole once, as ITK reads
 * any NRRD, then frame t is component t of every voxel) or a list of 3D volumes (any
 * format ITK reads, one file per time point). Values are converted to T (float or double)
 * exactly as itk::ImageFileReader<itk::Image<T, 4>> would. */
template <typename T>
class SeriesVolumeReader
{
public:
  explicit SeriesVolumeReader(const SeriesInfo & info);
  ~SeriesVolumeReader();
  SeriesVolumeReader(const SeriesVolumeReader &) = delete;
  SeriesVolumeReader &
  operator=(const SeriesVolumeReader &) = delete;

  /** Whether this reader can read the series (else: ITK's tile-by-tile reading). */
  static bool
  Supports(const SeriesInfo & info);

  /** Reads up to maxVolumes next volumes into out (volume after volume); returns how many
   * were read, 0 at the end. Throws InputError naming the file on a read failure. */
  std::size_t
  Read(std::size_t maxVolumes, T * out);

  std::size_t
  VolumesRead() const
  {
    return m_Next;
  }

private:
  struct Frames; // the whole NRRD of a framesAsComponents series, until its last frame is read

  SeriesInfo                         m_Info;
  std::unique_ptr<NiftiVolumeStream> m_Stream; // a single NIfTI file
  std::unique_ptr<Frames>            m_Frames; // a framesAsComponents NRRD
  std::size_t                        m_Next{ 0 };
};

extern template class SeriesVolumeReader<float>;
extern template class SeriesVolumeReader<double>;

} // namespace voxelkl

#endif
