#include "VolumeSources.h"

#include "voxelkl/ItkGlobals.h"
#include "voxelkl/NiftiVolumeStream.h"

namespace voxelkl
{

template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenVolumeSource(const SeriesInfo & series)
{
  PrepareItkForThreads(); // the traversals read both series in parallel
  if (series.runs.size() > 1)
  {
    return sources::OpenRunSequence<T>(series);
  }
  if (series.isVolumeList)
  {
    return sources::OpenVolumeList<T>(series);
  }
  if (series.framesAsComponents)
  {
    return sources::OpenSlicerFrames<T>(series);
  }
  if (NiftiVolumeStream::HasNiftiName(series.files.front())) // read by us or refused, never by niftilib
  {
    return sources::OpenNifti<T>(series);
  }
  return sources::OpenThroughItk<T>(series);
}

template std::unique_ptr<VolumeSource<float>>
OpenVolumeSource<float>(const SeriesInfo &);
template std::unique_ptr<VolumeSource<double>>
OpenVolumeSource<double>(const SeriesInfo &);

} // namespace voxelkl
