#include "VolumeSources.h"

#include "voxelkl/ErrorText.h"
#include "voxelkl/Errors.h"

#include "itkImage.h"
#include "itkImageFileReader.h"

#include <algorithm>
#include <cstring>

namespace voxelkl::sources
{
namespace
{

// A 4D image in a format ITK reads (MetaImage, NRRD, ...): blocks of ~32 MiB of volumes
// where the ImageIO can stream a region, else the whole image at once (which is what
// ITK's reader does for any region of such a file).
template <typename T>
class ItkVolumeSource final : public VolumeSource<T>
{
public:
  using Series = itk::Image<T, 4>;

  explicit ItkVolumeSource(const SeriesInfo & series)
    : m_File(series.files.front())
    , m_Voxels(series.grid.VoxelCount())
  {
    Guard([&] {
      m_Reader = itk::ImageFileReader<Series>::New();
      m_Reader->SetFileName(m_File);
      m_Reader->UpdateOutputInformation();
    });
    m_Largest = m_Reader->GetOutput()->GetLargestPossibleRegion();
    m_TimePoints = m_Largest.GetSize(3);
    const std::size_t perBlock = std::max<std::size_t>(1, (std::size_t{ 32 } << 20) / (m_Voxels * sizeof(T)));
    m_Step = m_Reader->GetImageIO()->CanStreamRead() ? perBlock : m_TimePoints;
    if (m_Voxels * m_TimePoints != series.grid.VoxelCount() * series.timePoints)
    {
      throw InputError(m_File, "ITK's reading of the image disagrees with its header");
    }
  }

  std::size_t
  Read(std::size_t maxVolumes, T * out) override
  {
    std::size_t done = 0;
    while (done < maxVolumes && m_Next < m_TimePoints)
    {
      if (m_Next >= m_BlockStart + m_BlockCount)
      {
        LoadBlock(m_Next);
      }
      const std::size_t          count = std::min({ maxVolumes - done, m_BlockStart + m_BlockCount - m_Next });
      const Series *             image = m_Reader->GetOutput();
      typename Series::IndexType start = m_Largest.GetIndex();
      start[3] += static_cast<itk::IndexValueType>(m_Next);
      std::memcpy(
        out + done * m_Voxels, image->GetBufferPointer() + image->ComputeOffset(start), count * m_Voxels * sizeof(T));
      done += count;
      m_Next += count;
    }
    if (m_Next == m_TimePoints)
    {
      m_Reader = nullptr; // release the last block
    }
    return done;
  }

private:
  template <typename TBody>
  void
  Guard(const TBody & body)
  {
    try
    {
      body();
    }
    catch (const itk::ExceptionObject & error)
    {
      throw InputError(m_File, std::string("cannot be read: ") + ItkErrorText(error.GetDescription()));
    }
  }

  void
  LoadBlock(std::size_t first)
  {
    m_BlockStart = first;
    m_BlockCount = std::min(m_Step, m_TimePoints - first);
    typename Series::RegionType block = m_Largest;
    block.SetIndex(3, m_Largest.GetIndex(3) + static_cast<itk::IndexValueType>(first));
    block.SetSize(3, m_BlockCount);
    Guard([&] {
      m_Reader->GetOutput()->SetRequestedRegion(block);
      m_Reader->Update();
    });
  }

  std::string                                    m_File;
  std::size_t                                    m_Voxels;
  typename itk::ImageFileReader<Series>::Pointer m_Reader;
  typename Series::RegionType                    m_Largest;
  std::size_t                                    m_TimePoints{ 0 };
  std::size_t                                    m_Step{ 1 };
  std::size_t                                    m_BlockStart{ 0 };
  std::size_t                                    m_BlockCount{ 0 };
  std::size_t                                    m_Next{ 0 };
};

} // namespace

template <typename T>
std::unique_ptr<VolumeSource<T>>
OpenThroughItk(const SeriesInfo & series)
{
  return std::make_unique<ItkVolumeSource<T>>(series);
}

template std::unique_ptr<VolumeSource<float>>
OpenThroughItk<float>(const SeriesInfo &);
template std::unique_ptr<VolumeSource<double>>
OpenThroughItk<double>(const SeriesInfo &);

} // namespace voxelkl::sources
