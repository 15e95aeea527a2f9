#include "voxelkl/SeriesVolumeReader.h"

#include "voxelkl/Errors.h"

#include "itkImage.h"
#include "itkImageFileReader.h"

#include <algorithm>
#include <cstring>

namespace voxelkl
{

template <typename T>
bool
SeriesVolumeReader<T>::Supports(const SeriesInfo & info)
{
  return info.isVolumeList || (info.files.size() == 1 && NiftiVolumeStream::CanRead(info.files.front()));
}

template <typename T>
SeriesVolumeReader<T>::SeriesVolumeReader(const SeriesInfo & info)
  : m_Info(info)
{
  if (!Supports(info))
  {
    throw InputError(info.Name(), "cannot be read volume by volume");
  }
  if (!info.isVolumeList)
  {
    m_Stream = std::make_unique<NiftiVolumeStream>(info.files.front());
    if (m_Stream->VolumeCount() != info.timePoints || m_Stream->VoxelsPerVolume() != info.grid.VoxelCount())
    {
      throw InputError(info.files.front(), "NIfTI header disagrees with ITK's reading of it");
    }
  }
}

template <typename T>
std::size_t
SeriesVolumeReader<T>::Read(std::size_t maxVolumes, T * out)
{
  const std::size_t count = std::min(maxVolumes, m_Info.timePoints - m_Next);
  if (count == 0)
  {
    return 0;
  }
  if (m_Stream)
  {
    m_Stream->ReadVolumes(count, out);
  }
  else
  {
    using Volume = itk::Image<T, 3>;
    const std::size_t voxels = m_Info.grid.VoxelCount();
    for (std::size_t t = 0; t < count; ++t)
    {
      const std::string & file = m_Info.files[m_Next + t];
      if (NiftiVolumeStream::CanRead(file))
      {
        // Our reader, not ITK's: niftilib turns NaN into 0, and NaN must be skipped.
        NiftiVolumeStream stream(file);
        if (stream.VoxelsPerVolume() != voxels || stream.VolumeCount() != 1)
        {
          throw InputError(file, "is not one volume on the grid of the first volume");
        }
        stream.ReadVolumes(1, out + t * voxels);
        continue;
      }
      auto reader = itk::ImageFileReader<Volume>::New();
      reader->SetFileName(file);
      try
      {
        reader->Update();
      }
      catch (const itk::ExceptionObject & e)
      {
        throw InputError(file, std::string("cannot read the voxels: ") + e.GetDescription());
      }
      const Volume * volume = reader->GetOutput();
      if (volume->GetBufferedRegion().GetNumberOfPixels() != voxels)
      {
        throw InputError(file, "has a different number of voxels than the first volume");
      }
      std::memcpy(out + t * voxels, volume->GetBufferPointer(), voxels * sizeof(T));
    }
  }
  m_Next += count;
  return count;
}

template class SeriesVolumeReader<float>;
template class SeriesVolumeReader<double>;

} // namespace voxelkl
