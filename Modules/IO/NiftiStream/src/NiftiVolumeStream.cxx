#include "voxelkl/NiftiVolumeStream.h"

#include "NiftiHeader.h"
#include "NiftiVoxelKernels.h"
#include "SequentialFile.h"
#include "voxelkl/Errors.h"

#include "nifti1.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace voxelkl
{
namespace
{

// A chunk of 1 MiB stays in L2 cache between inflate, byte swap and conversion.
constexpr std::size_t ChunkBytes = 1024 * 1024;

} // namespace

NiftiVolumeStream::NiftiVolumeStream(const std::string & path)
  : m_Path(path)
{
  if (detail::HasNiftiPairName(path))
  {
    throw InputError(path, "NIfTI .hdr/.img pairs are not supported, only single-file .nii/.nii.gz");
  }
  m_File = std::make_unique<detail::SequentialFile>(path);

  unsigned char     header[detail::NiftiHeaderBytes];
  const std::size_t got = ReadSome(header, sizeof(header));
  if (got < sizeof(header))
  {
    throw InputError(path, "not a NIfTI-1 file (shorter than the 348-byte header)");
  }
  const detail::NiftiLayout layout = detail::ParseNiftiHeader(header, path);
  if (m_File->IsGzip())
  {
    detail::CheckCompressedClaim(layout, m_File->SizeOnDisk(), path);
  }
  m_VolumeSize = layout.volumeSize;
  m_VoxelsPerVolume = layout.volumeSize[0] * layout.volumeSize[1] * layout.volumeSize[2];
  m_VolumeCount = layout.volumeCount;
  m_Datatype = layout.datatype;
  m_BytesPerVoxel = layout.bytesPerVoxel;
  m_Swap = layout.swap;
  m_Scaled = layout.scaled;
  m_Slope = layout.slope;
  m_Intercept = layout.intercept;
  m_DataOffset = layout.dataOffset;
  m_QformCode = layout.qformCode;
  m_SformCode = layout.sformCode;
  m_TimeStep = layout.timeStep;

  // Past the extensions. A file that ends before the offset is reported as truncated by the
  // first read, which then gets no bytes.
  m_File->Skip(layout.dataOffset - sizeof(header));
}

NiftiVolumeStream::~NiftiVolumeStream() = default;

bool
NiftiVolumeStream::CanRead(const std::string & path) noexcept
{
  if (!detail::HasSingleFileNiftiName(path))
  {
    return false;
  }
  try
  {
    NiftiVolumeStream stream(path);
    return true;
  }
  catch (...)
  {
    return false;
  }
}

void
NiftiVolumeStream::Verify(const std::string & path)
{
  NiftiVolumeStream stream(path);
  // A volume at a time, but never a buffer the header alone asks for: a 100-byte .nii.gz
  // may claim terabytes (found by the nifti_stream fuzzer). Beyond 256 MiB a volume is not
  // read here; the caller's own error stands.
  constexpr std::size_t largest = std::size_t{ 64 } << 20; // floats
  if (stream.VoxelsPerVolume() > largest)
  {
    return;
  }
  std::vector<float> volume(stream.VoxelsPerVolume());
  for (std::size_t v = 0; v < stream.VolumeCount(); ++v)
  {
    stream.ReadVolumes(1, volume.data());
  }
}

bool
NiftiVolumeStream::HasNiftiName(const std::string & path) noexcept
{
  return detail::HasSingleFileNiftiName(path);
}

std::string
NiftiVolumeStream::VoxelTypeName() const
{
  return detail::SupportedTypeName(m_Datatype);
}

void
NiftiVolumeStream::Read(std::size_t count, float * out)
{
  ReadConverted(count, out);
}

void
NiftiVolumeStream::Read(std::size_t count, double * out)
{
  ReadConverted(count, out);
}

template <typename T>
void
NiftiVolumeStream::ReadConverted(std::size_t count, T * out)
{
  if (m_Failed)
  {
    throw InputError(m_Path, "cannot read on after an earlier error");
  }
  const std::size_t remaining = m_VolumeCount - m_VolumesRead;
  if (count > remaining)
  {
    throw InputError(m_Path,
                     "cannot read " + std::to_string(count) + " volumes: " + std::to_string(remaining) + " of " +
                       std::to_string(m_VolumeCount) + " remain");
  }
  if (count == 0)
  {
    return;
  }
  // The one type dispatch of the call; the loops below it are per type.
  switch (m_Datatype)
  {
    case DT_UINT8:
      ReadAs<std::uint8_t>(count, out);
      break;
    case DT_INT8:
      ReadAs<std::int8_t>(count, out);
      break;
    case DT_INT16:
      ReadAs<std::int16_t>(count, out);
      break;
    case DT_UINT16:
      ReadAs<std::uint16_t>(count, out);
      break;
    case DT_INT32:
      ReadAs<std::int32_t>(count, out);
      break;
    case DT_UINT32:
      ReadAs<std::uint32_t>(count, out);
      break;
    case DT_FLOAT32:
      ReadAs<float>(count, out);
      break;
    case DT_FLOAT64:
      ReadAs<double>(count, out);
      break;
    default:
      Fail("unsupported datatype " + std::to_string(m_Datatype)); // the constructor rejects these
  }
  m_VolumesRead += count;
  if (m_VolumesRead == m_VolumeCount)
  {
    CheckEndOfData();
  }
}

template <typename TDisk, typename T>
void
NiftiVolumeStream::ReadAs(std::size_t count, T * out)
{
  static_assert(sizeof(TDisk) <= sizeof(double), "voxels of at most 8 bytes");
  // Voxels already of type T are inflated straight into out and fixed up there: no copy.
  constexpr bool    inPlace = std::is_same_v<TDisk, T>;
  const std::size_t total = count * m_VoxelsPerVolume;
  // Voxels that need no fix-up are inflated in one go (the inflater still calls ISA-L per
  // 256 KiB); the others a chunk at a time, fixed up while the chunk is in cache.
  const bool        fixUp = m_Swap || m_Scaled || !inPlace;
  const std::size_t chunk = fixUp ? ChunkBytes / sizeof(TDisk) : total;
  TDisk *           raw = nullptr;
  if constexpr (!inPlace)
  {
    m_Raw.resize(std::max(m_Raw.size(), std::min(chunk, total) * sizeof(TDisk)));
    // operator new storage, aligned for any voxel type; filled by the inflater like a file buffer.
    raw = reinterpret_cast<TDisk *>(m_Raw.data());
  }
  for (std::size_t done = 0; done < total;)
  {
    const std::size_t n = std::min(chunk, total - done);
    TDisk *           voxels = inPlace ? reinterpret_cast<TDisk *>(out + done) : raw;
    ReadExactly(voxels, n * sizeof(TDisk), done * sizeof(TDisk));
    if (m_Swap)
    {
      detail::SwapVoxels(voxels, n);
    }
    if (m_Scaled)
    {
      detail::ScaleVoxels(voxels, n, m_Slope, m_Intercept, out + done);
    }
    else if constexpr (!inPlace)
    {
      detail::CastVoxels(voxels, n, out + done);
    }
    done += n;
  }
}

std::size_t
NiftiVolumeStream::ReadSome(void * destination, std::size_t bytes)
{
  try
  {
    return m_File->Read(destination, bytes);
  }
  catch (const InputError &)
  {
    m_Failed = true;
    throw;
  }
}

void
NiftiVolumeStream::ReadExactly(void * destination, std::size_t bytes, std::size_t dataOffset)
{
  const std::size_t got = ReadSome(destination, bytes);
  if (got < bytes)
  {
    const std::size_t bytesPerVolume = m_VoxelsPerVolume * m_BytesPerVoxel;
    const std::size_t present = m_VolumesRead * bytesPerVolume + dataOffset + got;
    Fail("truncated: expected " + std::to_string(m_VolumeCount) + " volumes, file ends in volume " +
         std::to_string(present / bytesPerVolume + 1));
  }
}

void
NiftiVolumeStream::CheckEndOfData()
{
  // The voxels are complete, but a .gz whose CRC or length does not match, or that lacks its
  // trailer, is damaged: inflate on to the end of the data, which checks every member's
  // trailer. Bytes after the voxels (in a .nii, or a longer stream) are ignored, as ITK does.
  bool complete = false;
  try
  {
    complete = m_File->Finish();
  }
  catch (const InputError &)
  {
    m_Failed = true;
    throw;
  }
  if (!complete)
  {
    Fail("truncated: the gzip stream ends before its trailer (all " + std::to_string(m_VolumeCount) +
         " volumes were read)");
  }
}

void
NiftiVolumeStream::Fail(const std::string & problem)
{
  m_Failed = true;
  throw InputError(m_Path, problem);
}

} // namespace voxelkl
