#include "voxelkl/TileStaging.h"

#include "voxelkl/Errors.h"
#include "voxelkl/SeriesVolumeReader.h"

#include "itkImage.h"
#include "itkImageFileReader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdlib.h>
#include <unistd.h>
#include <vector>

namespace voxelkl
{
namespace
{

// An unlinked file in the temporary directory: gone when closed, whatever happens.
class ScratchFile
{
public:
  explicit ScratchFile(const std::string & purpose)
  {
    std::error_code ec;
    m_Directory = std::filesystem::temp_directory_path(ec).string();
    if (ec)
    {
      m_Directory = "/tmp";
    }
    std::string pattern = (std::filesystem::path(m_Directory) / "voxelkl-scratch-XXXXXX").string();
    m_Descriptor = mkstemp(pattern.data());
    if (m_Descriptor < 0)
    {
      throw InputError(m_Directory,
                       "cannot create a scratch file for " + purpose + ": " + std::strerror(errno) +
                         " (set TMPDIR to a writable directory)");
    }
    unlink(pattern.c_str());
    m_Purpose = purpose;
  }
  ~ScratchFile()
  {
    if (m_Descriptor >= 0)
    {
      close(m_Descriptor);
    }
  }
  ScratchFile(const ScratchFile &) = delete;
  ScratchFile &
  operator=(const ScratchFile &) = delete;

  void
  Write(const void * data, std::size_t bytes)
  {
    const auto * cursor = static_cast<const char *>(data);
    while (bytes > 0)
    {
      const ssize_t written = write(m_Descriptor, cursor, bytes);
      if (written < 0 && errno == EINTR)
      {
        continue;
      }
      if (written <= 0)
      {
        throw InputError(m_Directory,
                         "cannot write the scratch copy of " + m_Purpose + ": " +
                           std::strerror(written < 0 ? errno : ENOSPC) +
                           " (it needs voxels x time points x 4 or 8 bytes; set TMPDIR to a larger file system)");
      }
      cursor += written;
      bytes -= static_cast<std::size_t>(written);
    }
  }

  /** Hands the descriptor over (the caller closes it). */
  int
  Release()
  {
    const int descriptor = m_Descriptor;
    m_Descriptor = -1;
    return descriptor;
  }

private:
  std::string m_Directory;
  std::string m_Purpose;
  int         m_Descriptor{ -1 };
};

// Volumes per copy step: about 32 MiB.
std::size_t
VolumesPerStep(std::size_t voxels)
{
  return std::max<std::size_t>(1, (std::size_t{ 32 } << 20) / (voxels * 8));
}

template <typename T>
void
CopyByVolumes(const SeriesInfo & series, ScratchFile & scratch, const std::function<void(std::size_t)> & progress)
{
  const std::size_t     voxels = series.grid.VoxelCount();
  const std::size_t     step = VolumesPerStep(voxels);
  SeriesVolumeReader<T> reader(series);
  std::vector<T>        buffer(step * voxels);
  while (const std::size_t count = reader.Read(step, buffer.data()))
  {
    scratch.Write(buffer.data(), count * voxels * sizeof(T));
    if (progress)
    {
      progress(count);
    }
  }
}

// MetaImage, NRRD and the other 4D formats through ITK: blocks of volumes where the format
// can stream, else the whole series at once (what ITK's reader does anyway).
template <typename T>
void
CopyThroughITK(const SeriesInfo & series, ScratchFile & scratch, const std::function<void(std::size_t)> & progress)
{
  using Series = itk::Image<T, 4>;
  const std::string & file = series.files.front();
  try
  {
    auto reader = itk::ImageFileReader<Series>::New();
    reader->SetFileName(file);
    reader->UpdateOutputInformation();
    const auto        largest = reader->GetOutput()->GetLargestPossibleRegion();
    const std::size_t voxels = series.grid.VoxelCount();
    const std::size_t timePoints = largest.GetSize(3);
    const std::size_t step = reader->GetImageIO()->CanStreamRead() ? VolumesPerStep(voxels) : timePoints;
    for (std::size_t first = 0; first < timePoints; first += step)
    {
      const std::size_t           count = std::min(step, timePoints - first);
      typename Series::RegionType block = largest;
      typename Series::IndexType  start = largest.GetIndex();
      start[3] += static_cast<itk::IndexValueType>(first);
      block.SetIndex(3, start[3]);
      block.SetSize(3, count);
      reader->GetOutput()->SetRequestedRegion(block);
      reader->Update();
      const Series * image = reader->GetOutput();
      scratch.Write(image->GetBufferPointer() + image->ComputeOffset(start), count * voxels * sizeof(T));
      if (progress)
      {
        progress(count);
      }
    }
  }
  catch (const itk::ExceptionObject & error)
  {
    throw InputError(file, std::string("cannot be read: ") + error.GetDescription());
  }
}

} // namespace

template <typename T>
std::unique_ptr<NiftiTileReader<T>>
OpenTileReader(const SeriesInfo & series, const std::function<void(std::size_t)> & progress)
{
  if (NiftiTileReader<T>::Supports(series))
  {
    if (progress)
    {
      progress(series.timePoints); // nothing to copy
    }
    return std::make_unique<NiftiTileReader<T>>(series);
  }
  ScratchFile scratch(series.Name());
  if (SeriesVolumeReader<T>::Supports(series))
  {
    CopyByVolumes<T>(series, scratch, progress);
  }
  else
  {
    CopyThroughITK<T>(series, scratch, progress);
  }
  return std::make_unique<NiftiTileReader<T>>(scratch.Release(), series.Name(), series.grid.VoxelCount());
}

template std::unique_ptr<NiftiTileReader<float>>
OpenTileReader<float>(const SeriesInfo &, const std::function<void(std::size_t)> &);
template std::unique_ptr<NiftiTileReader<double>>
OpenTileReader<double>(const SeriesInfo &, const std::function<void(std::size_t)> &);

} // namespace voxelkl
