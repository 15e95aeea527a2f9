#include "voxelkl/NiftiTileReader.h"

#include "voxelkl/Errors.h"
#include "voxelkl/NiftiVolumeStream.h"
#include "voxelkl/PathText.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <type_traits>
#include <unistd.h>
#include <utility>

namespace voxelkl
{

template <typename T>
bool
NiftiTileReader<T>::Supports(const SeriesInfo & series)
{
  if (series.isVolumeList || series.files.size() != 1)
  {
    return false;
  }
  const std::string & file = series.files.front();
  if (file.size() < 5 || !EndsWith(file, ".nii") || !NiftiVolumeStream::CanRead(file))
  {
    return false;
  }
  const NiftiVolumeStream header(file);
  const char *            type = std::is_same_v<T, float> ? "float32" : "float64";
  return header.VoxelTypeName() == type && !header.IsScaled() && !header.IsByteSwapped();
}

template <typename T>
NiftiTileReader<T>::NiftiTileReader(const SeriesInfo & series)
  : m_Path(series.files.front())
{
  const NiftiVolumeStream header(m_Path);
  m_DataOffset = header.DataOffset();
  m_VoxelsPerVolume = header.VoxelsPerVolume();
  m_Descriptor = open(m_Path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m_Descriptor < 0)
  {
    throw InputError(m_Path, std::string("cannot open: ") + std::strerror(errno));
  }
}

template <typename T>
NiftiTileReader<T>::NiftiTileReader(int descriptor, std::string name, std::size_t voxelsPerVolume)
  : m_Path(std::move(name))
  , m_Descriptor(descriptor)
  , m_VoxelsPerVolume(voxelsPerVolume)
{
}

template <typename T>
NiftiTileReader<T>::~NiftiTileReader()
{
  close(m_Descriptor);
}

template <typename T>
void
NiftiTileReader<T>::SubtractRunMeans(std::vector<std::size_t> runStarts, std::vector<double> means)
{
  m_RunStarts = std::move(runStarts);
  m_RunMeans = std::move(means);
}

template <typename T>
void
NiftiTileReader<T>::Read(std::size_t t, std::size_t first, std::size_t count, T * out) const
{
  auto *      cursor = reinterpret_cast<char *>(out);
  std::size_t bytes = count * sizeof(T);
  auto        offset = static_cast<off_t>(m_DataOffset + (t * m_VoxelsPerVolume + first) * sizeof(T));
  while (bytes > 0)
  {
    const ssize_t got = pread(m_Descriptor, cursor, bytes, offset);
    if (got < 0 && errno == EINTR)
    {
      continue;
    }
    if (got < 0)
    {
      throw InputError(m_Path, std::string("cannot read: ") + std::strerror(errno));
    }
    if (got == 0)
    {
      throw InputError(m_Path, "truncated: the file ends in volume " + std::to_string(t + 1));
    }
    cursor += got;
    bytes -= static_cast<std::size_t>(got);
    offset += got;
  }
  if (!m_RunStarts.empty())
  {
    const auto run =
      static_cast<std::size_t>(std::upper_bound(m_RunStarts.begin(), m_RunStarts.end(), t) - m_RunStarts.begin()) - 1;
    const double * means = m_RunMeans.data() + run * m_VoxelsPerVolume + first;
    for (std::size_t i = 0; i < count; ++i)
    {
      out[i] = static_cast<T>(static_cast<double>(out[i]) - means[i]);
    }
  }
}

template class NiftiTileReader<float>;
template class NiftiTileReader<double>;

} // namespace voxelkl
