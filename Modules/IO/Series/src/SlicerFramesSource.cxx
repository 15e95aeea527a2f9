#include "VolumeSources.h"

#include "voxelkl/ErrorText.h"
#include "voxelkl/Errors.h"

#include "itkImageFileReader.h"
#include "itkVectorImage.h"

#include <algorithm>

namespace voxelkl::sources
{
namespace
{

// ITK reads such a NRRD as a 3D image with one component per frame; NRRD does not stream,
// so the image is read once and its frames handed out, then released after the last one.
template <typename T>
class SlicerFramesSource final : public VolumeSource<T>
{
public:
  using Image = itk::VectorImage<T, 3>;

  explicit SlicerFramesSource(const SeriesInfo & series)
    : m_Voxels(series.grid.VoxelCount())
    , m_Frames(series.timePoints)
  {
    const std::string & file = series.files.front();
    auto                reader = itk::ImageFileReader<Image>::New();
    reader->SetFileName(file);
    try
    {
      reader->Update();
    }
    catch (const itk::ExceptionObject & e)
    {
      throw InputError(file, std::string("cannot read the voxels: ") + ItkErrorText(e.GetDescription()));
    }
    m_Image = reader->GetOutput();
    if (m_Image->GetNumberOfComponentsPerPixel() != m_Frames ||
        m_Image->GetBufferedRegion().GetNumberOfPixels() != m_Voxels)
    {
      throw InputError(file, "ITK's reading of the frames disagrees with its header");
    }
  }

  std::size_t
  Read(std::size_t maxVolumes, T * out) override
  {
    const std::size_t count = std::min(maxVolumes, m_Frames - m_Next);
    if (count == 0)
    {
      return 0;
    }
    // Voxel after voxel: its `count` frames are adjacent in the interleaved buffer.
    const T * in = m_Image->GetBufferPointer() + m_Next;
    for (std::size_t v = 0; v < m_Voxels; ++v, in += m_Frames)
    {
      for (std::size_t t = 0; t < count; ++t)
      {
        out[t * m_Voxels + v] = in[t];
      }
    }
    m_Next += count;
    if (m_Next == m_Frames)
    {
      m_Image = nullptr; // the series' memory is not needed any longer
    }
    return count;
  }

private:
  std::size_t             m_Voxels;
  std::size_t             m_Frames;
  typename Image::Pointer m_Image;
  std::size_t             m_Next{ 0 };
};

} // namespace

template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenSlicerFrames(const SeriesInfo & series)
{
  return std::make_unique<SlicerFramesSource<T>>(series);
}

template std::unique_ptr<VolumeSource<float>>
OpenSlicerFrames<float>(const SeriesInfo &);
template std::unique_ptr<VolumeSource<double>>
OpenSlicerFrames<double>(const SeriesInfo &);

} // namespace voxelkl::sources
