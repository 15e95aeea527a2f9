#include "VolumeSources.h"

#include "voxelkl/Errors.h"
#include "voxelkl/NiftiVolumeStream.h"

#include <algorithm>

namespace voxelkl::sources
{
namespace
{

template <typename T>
class NiftiVolumeSource final : public VolumeSource<T>
{
public:
  explicit NiftiVolumeSource(const SeriesInfo & series)
    : m_Stream(series.files.front())
  {
    if (m_Stream.VolumeCount() != series.timePoints || m_Stream.VoxelsPerVolume() != series.grid.VoxelCount())
    {
      throw InputError(series.files.front(), "NIfTI header disagrees with ITK's reading of it");
    }
  }

  std::size_t
  Read(std::size_t maxVolumes, T * out) override
  {
    const std::size_t count = std::min(maxVolumes, m_Stream.VolumeCount() - m_Stream.VolumesRead());
    if (count > 0)
    {
      m_Stream.ReadVolumes(count, out);
    }
    return count;
  }

private:
  NiftiVolumeStream m_Stream;
};

} // namespace

template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenNifti(const SeriesInfo & series)
{
  return std::make_unique<NiftiVolumeSource<T>>(series);
}

template std::unique_ptr<VolumeSource<float>>
OpenNifti<float>(const SeriesInfo &);
template std::unique_ptr<VolumeSource<double>>
OpenNifti<double>(const SeriesInfo &);

} // namespace voxelkl::sources
