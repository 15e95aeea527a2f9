#include "VolumeSources.h"

#include "voxelkl/ErrorText.h"
#include "voxelkl/Errors.h"
#include "voxelkl/NiftiVolumeStream.h"

#include "itkImage.h"
#include "itkImageFileReader.h"

#include <algorithm>
#include <cstring>

namespace voxelkl::sources
{
namespace
{

template <typename T>
class VolumeListSource final : public VolumeSource<T>
{
public:
  explicit VolumeListSource(const SeriesInfo & series)
    : m_Series(series)
  {
  }

  std::size_t
  Read(std::size_t maxVolumes, T * out) override
  {
    const std::size_t count = std::min(maxVolumes, m_Series.files.size() - m_Next);
    const std::size_t voxels = m_Series.grid.VoxelCount();
    for (std::size_t t = 0; t < count; ++t)
    {
      ReadVolume(m_Series.files[m_Next + t], voxels, out + t * voxels);
    }
    m_Next += count;
    return count;
  }

private:
  static void
  ReadVolume(const std::string & file, std::size_t voxels, T * out)
  {
    if (NiftiVolumeStream::HasNiftiName(file))
    {
      // Our reader or its error, never ITK's: niftilib turns NaN into 0 (NaN must be skipped)
      // and reads what our reader refuses.
      NiftiVolumeStream stream(file);
      if (stream.VoxelsPerVolume() != voxels || stream.VolumeCount() != 1)
      {
        throw InputError(file, "is not one volume on the grid of the first volume");
      }
      stream.ReadVolumes(1, out);
      return;
    }
    using Volume = itk::Image<T, 3>;
    auto reader = itk::ImageFileReader<Volume>::New();
    reader->SetFileName(file);
    try
    {
      reader->Update();
    }
    catch (const itk::ExceptionObject & e)
    {
      throw InputError(file, std::string("cannot read the voxels: ") + ItkErrorText(e.GetDescription()));
    }
    const Volume * volume = reader->GetOutput();
    if (volume->GetBufferedRegion().GetNumberOfPixels() != voxels)
    {
      throw InputError(file, "has a different number of voxels than the first volume");
    }
    std::memcpy(out, volume->GetBufferPointer(), voxels * sizeof(T));
  }

  SeriesInfo  m_Series;
  std::size_t m_Next{ 0 };
};

} // namespace

template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenVolumeList(const SeriesInfo & series)
{
  return std::make_unique<VolumeListSource<T>>(series);
}

template std::unique_ptr<VolumeSource<float>>
OpenVolumeList<float>(const SeriesInfo &);
template std::unique_ptr<VolumeSource<double>>
OpenVolumeList<double>(const SeriesInfo &);

} // namespace voxelkl::sources
