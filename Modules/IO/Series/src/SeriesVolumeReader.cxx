#include "voxelkl/SeriesVolumeReader.h"

#include "voxelkl/Errors.h"

#include "itkImage.h"
#include "itkImageFileReader.h"
#include "itkVectorImage.h"

#include <algorithm>
#include <cstring>

namespace voxelkl
{

template <typename T>
struct SeriesVolumeReader<T>::Frames
{
  using Image = itk::VectorImage<T, 3>;
  typename Image::Pointer image;
  std::size_t             components{ 0 };
};

template <typename T>
bool
SeriesVolumeReader<T>::Supports(const SeriesInfo & info)
{
  return info.isVolumeList || info.framesAsComponents ||
         (info.files.size() == 1 && NiftiVolumeStream::CanRead(info.files.front()));
}

template <typename T>
SeriesVolumeReader<T>::~SeriesVolumeReader() = default;

template <typename T>
SeriesVolumeReader<T>::SeriesVolumeReader(const SeriesInfo & info)
  : m_Info(info)
{
  if (!Supports(info))
  {
    throw InputError(info.Name(), "cannot be read volume by volume");
  }
  if (info.framesAsComponents)
  {
    const std::string & file = info.files.front();
    auto                reader = itk::ImageFileReader<typename Frames::Image>::New();
    reader->SetFileName(file);
    try
    {
      reader->Update();
    }
    catch (const itk::ExceptionObject & e)
    {
      throw InputError(file, std::string("cannot read the voxels: ") + e.GetDescription());
    }
    m_Frames = std::make_unique<Frames>();
    m_Frames->image = reader->GetOutput();
    m_Frames->components = m_Frames->image->GetNumberOfComponentsPerPixel();
    if (m_Frames->components != info.timePoints ||
        m_Frames->image->GetBufferedRegion().GetNumberOfPixels() != info.grid.VoxelCount())
    {
      throw InputError(file, "ITK's reading of the frames disagrees with its header");
    }
  }
  else if (!info.isVolumeList)
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
  else if (m_Frames)
  {
    // Voxel after voxel: its `count` frames are adjacent in the interleaved buffer.
    const std::size_t voxels = m_Info.grid.VoxelCount();
    const std::size_t components = m_Frames->components;
    const T *         in = m_Frames->image->GetBufferPointer() + m_Next;
    for (std::size_t v = 0; v < voxels; ++v, in += components)
    {
      for (std::size_t t = 0; t < count; ++t)
      {
        out[t * voxels + v] = in[t];
      }
    }
    if (m_Next + count == m_Info.timePoints)
    {
      m_Frames.reset(); // the series' memory is not needed any longer
    }
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
