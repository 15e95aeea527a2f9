#include "voxelkl/NiftiImageIO.h"

#include "GzipIndex.h"
#include "NiftiHeader.h"
#include "NiftiVoxelKernels.h"
#include "SequentialFile.h"
#include "voxelkl/Errors.h"
#include "voxelkl/NiftiVolumeStream.h"

#include "itkNiftiImageIO.h"
#include "nifti1.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <numeric>
#include <type_traits>
#include <vector>

namespace voxelkl
{
namespace
{

// Voxels are read, swapped and scaled a chunk at a time: 1 MiB stays in L2 cache.
constexpr std::size_t ChunkBytes = 1024 * 1024;

struct FileIdentity
{
  std::string   path;
  std::uint64_t size{ 0 };
  std::int64_t  modifiedSeconds{ 0 };
  std::int64_t  modifiedNanoseconds{ 0 };

  bool
  operator==(const FileIdentity & other) const
  {
    return path == other.path && size == other.size && modifiedSeconds == other.modifiedSeconds &&
           modifiedNanoseconds == other.modifiedNanoseconds;
  }
};

FileIdentity
IdentityOf(const std::string & path)
{
  struct stat status;
  if (stat(path.c_str(), &status) != 0)
  {
    throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  }
  return FileIdentity{ path,
                       static_cast<std::uint64_t>(status.st_size),
                       static_cast<std::int64_t>(status.st_mtim.tv_sec),
                       static_cast<std::int64_t>(status.st_mtim.tv_nsec) };
}

detail::NiftiLayout
ReadLayout(detail::SequentialFile & file, const std::string & path)
{
  unsigned char header[detail::NiftiHeaderBytes];
  if (file.Read(header, sizeof(header)) < sizeof(header))
  {
    throw InputError(path, "not a NIfTI-1 file (shorter than the 348-byte header)");
  }
  return detail::ParseNiftiHeader(header, path);
}

} // namespace

/** The file being read, kept across Read calls (and ReadImageInformation calls on the same,
 * unchanged file) with the index of its access points. */
struct NiftiImageIO::OpenFile
{
  FileIdentity                            identity;
  detail::NiftiLayout                     layout;
  std::unique_ptr<detail::FileDescriptor> plain; // a .nii
  std::unique_ptr<detail::GzipIndex>      gzip;  // a .nii.gz
  std::vector<unsigned char>              chunk;
};

NiftiImageIO::NiftiImageIO()
  : m_AccessPointSpacing(detail::GzipIndex::DefaultSpacing)
{
  this->AddSupportedReadExtension(".nii");
  this->AddSupportedReadExtension(".nii.gz");
}

NiftiImageIO::~NiftiImageIO() = default;

bool
NiftiImageIO::CanReadFile(const char * fileName)
{
  const std::string path = fileName != nullptr ? fileName : "";
  if (!detail::HasSingleFileNiftiName(path) || detail::HasNiftiPairName(path))
  {
    return false;
  }
  if (m_Claim == NiftiClaim::EveryNiftiFile)
  {
    // Claimed unread: ReadImageInformation names what is wrong with it.
    struct stat status;
    return stat(path.c_str(), &status) == 0 && S_ISREG(status.st_mode);
  }
  try
  {
    detail::SequentialFile file(path);
    ReadLayout(file, path);
    return true;
  }
  catch (...)
  {
    return false;
  }
}

void
NiftiImageIO::ReadImageInformation()
{
  const std::string path = this->GetFileName();
  try
  {
    const FileIdentity identity = IdentityOf(path);
    if (!m_Open || !(m_Open->identity == identity))
    {
      m_Open.reset();
      auto                   open = std::make_unique<OpenFile>();
      detail::SequentialFile file(path);
      open->identity = identity;
      open->layout = ReadLayout(file, path);
      if (file.IsGzip())
      {
        detail::CheckCompressedClaim(open->layout, identity.size, path);
        open->gzip = std::make_unique<detail::GzipIndex>(path, m_AccessPointSpacing);
      }
      else
      {
        // Before the reader allocates the image: the file must hold what the header says
        // (a .nii.gz is checked as it is inflated, to its CRC and length).
        const detail::NiftiLayout & layout = open->layout;
        const std::uint64_t         expected = layout.dataOffset + static_cast<std::uint64_t>(layout.volumeSize[0]) *
                                                             layout.volumeSize[1] * layout.volumeSize[2] *
                                                             layout.volumeCount * layout.bytesPerVoxel;
        if (identity.size < expected)
        {
          throw InputError(path,
                           "truncated: the header describes " + std::to_string(expected) + " bytes, the file has " +
                             std::to_string(identity.size));
        }
        open->plain = std::make_unique<detail::FileDescriptor>(path);
      }
      m_Open = std::move(open);
    }
  }
  catch (const InputError & e)
  {
    itkExceptionMacro(<< e.what());
  }

  // The grid exactly as ITK's NIfTI IO reports it: its header-only read, same file.
  auto itkIO = itk::NiftiImageIO::New();
  itkIO->SetFileName(path);
  try
  {
    itkIO->ReadImageInformation();
  }
  catch (const itk::ExceptionObject &)
  {
    // niftilib inflates more than the header of a small .nii.gz and fails on a bad CRC or
    // a cut stream without saying so ("not recognized as a NIFTI file"): name the reason.
    try
    {
      NiftiVolumeStream::Verify(path);
    }
    catch (const InputError & e)
    {
      itkExceptionMacro(<< e.what());
    }
    throw;
  }
  const unsigned dimensions = itkIO->GetNumberOfDimensions();
  this->SetNumberOfDimensions(dimensions);
  std::uint64_t voxels = 1;
  for (unsigned d = 0; d < dimensions; ++d)
  {
    this->SetDimensions(d, itkIO->GetDimensions(d));
    this->SetSpacing(d, itkIO->GetSpacing(d));
    this->SetOrigin(d, itkIO->GetOrigin(d));
    this->SetDirection(d, itkIO->GetDirection(d));
    voxels *= itkIO->GetDimensions(d);
  }
  this->SetMetaDataDictionary(itkIO->GetMetaDataDictionary());

  const detail::NiftiLayout & layout = m_Open->layout;
  if (voxels != layout.volumeSize[0] * layout.volumeSize[1] * layout.volumeSize[2] * layout.volumeCount ||
      itkIO->GetNumberOfComponents() != 1)
  {
    Fail("ITK's NIfTI IO sees another image shape than the header's dim[]");
  }
  this->SetPixelType(itk::IOPixelEnum::SCALAR);
  this->SetNumberOfComponents(1);
  // Scaled values are float (double for float64 voxels), as ITK 5.2's NiftiImageIO gives
  // them; unscaled ones keep their type and the reader casts them.
  switch (layout.datatype)
  {
    case DT_UINT8:
      this->SetComponentType(layout.scaled ? itk::IOComponentEnum::FLOAT : itk::IOComponentEnum::UCHAR);
      break;
    case DT_INT8:
      this->SetComponentType(layout.scaled ? itk::IOComponentEnum::FLOAT : itk::IOComponentEnum::CHAR);
      break;
    case DT_INT16:
      this->SetComponentType(layout.scaled ? itk::IOComponentEnum::FLOAT : itk::IOComponentEnum::SHORT);
      break;
    case DT_UINT16:
      this->SetComponentType(layout.scaled ? itk::IOComponentEnum::FLOAT : itk::IOComponentEnum::USHORT);
      break;
    case DT_INT32:
      this->SetComponentType(layout.scaled ? itk::IOComponentEnum::FLOAT : itk::IOComponentEnum::INT);
      break;
    case DT_UINT32:
      this->SetComponentType(layout.scaled ? itk::IOComponentEnum::FLOAT : itk::IOComponentEnum::UINT);
      break;
    case DT_FLOAT32:
      this->SetComponentType(itk::IOComponentEnum::FLOAT);
      break;
    default:
      this->SetComponentType(itk::IOComponentEnum::DOUBLE);
      break;
  }
}

void
NiftiImageIO::Read(void * buffer)
{
  if (!m_Open || m_Open->identity.path != this->GetFileName())
  {
    this->ReadImageInformation();
  }
  const detail::NiftiLayout & layout = m_Open->layout;
  try
  {
    switch (layout.datatype)
    {
      case DT_UINT8:
        layout.scaled ? ReadRegion<std::uint8_t>(static_cast<float *>(buffer))
                      : ReadRegion<std::uint8_t>(static_cast<std::uint8_t *>(buffer));
        break;
      case DT_INT8:
        layout.scaled ? ReadRegion<std::int8_t>(static_cast<float *>(buffer))
                      : ReadRegion<std::int8_t>(static_cast<std::int8_t *>(buffer));
        break;
      case DT_INT16:
        layout.scaled ? ReadRegion<std::int16_t>(static_cast<float *>(buffer))
                      : ReadRegion<std::int16_t>(static_cast<std::int16_t *>(buffer));
        break;
      case DT_UINT16:
        layout.scaled ? ReadRegion<std::uint16_t>(static_cast<float *>(buffer))
                      : ReadRegion<std::uint16_t>(static_cast<std::uint16_t *>(buffer));
        break;
      case DT_INT32:
        layout.scaled ? ReadRegion<std::int32_t>(static_cast<float *>(buffer))
                      : ReadRegion<std::int32_t>(static_cast<std::int32_t *>(buffer));
        break;
      case DT_UINT32:
        layout.scaled ? ReadRegion<std::uint32_t>(static_cast<float *>(buffer))
                      : ReadRegion<std::uint32_t>(static_cast<std::uint32_t *>(buffer));
        break;
      case DT_FLOAT32:
        ReadRegion<float>(static_cast<float *>(buffer));
        break;
      default:
        ReadRegion<double>(static_cast<double *>(buffer));
        break;
    }
  }
  catch (const InputError & e)
  {
    itkExceptionMacro(<< e.what());
  }
}

itk::ImageIORegion
NiftiImageIO::GenerateStreamableReadRegionFromRequestedRegion(const itk::ImageIORegion & requested) const
{
  const unsigned     dimensions = this->GetNumberOfDimensions();
  itk::ImageIORegion region(dimensions);
  for (unsigned d = 0; d < dimensions; ++d)
  {
    const bool asked = d < requested.GetImageDimension();
    region.SetIndex(d, asked ? requested.GetIndex(d) : 0);
    region.SetSize(d, asked ? requested.GetSize(d) : 1);
  }
  return region;
}

template <typename TDisk, typename TOut>
void
NiftiImageIO::ReadRegion(TOut * out)
{
  static_assert(std::is_same_v<TDisk, TOut> || std::is_same_v<TOut, float>, "unscaled voxels keep their type");
  const detail::NiftiLayout & layout = m_Open->layout;
  const unsigned              dimensions = this->GetNumberOfDimensions();
  const itk::ImageIORegion    region = this->GenerateStreamableReadRegionFromRequestedRegion(this->GetIORegion());
  for (unsigned d = dimensions; d < this->GetIORegion().GetImageDimension(); ++d)
  {
    if (this->GetIORegion().GetIndex(d) != 0 || this->GetIORegion().GetSize(d) != 1)
    {
      Fail("requested region has an axis " + std::to_string(d) + " that the image lacks");
    }
  }
  std::vector<std::uint64_t> start(dimensions), size(dimensions), extent(dimensions), stride(dimensions);
  std::uint64_t              voxelStride = 1;
  for (unsigned d = 0; d < dimensions; ++d)
  {
    extent[d] = this->GetDimensions(d);
    size[d] = region.GetSize(d);
    if (region.GetIndex(d) < 0 || static_cast<std::uint64_t>(region.GetIndex(d)) + size[d] > extent[d])
    {
      Fail("requested region lies outside the image");
    }
    start[d] = static_cast<std::uint64_t>(region.GetIndex(d));
    stride[d] = voxelStride;
    voxelStride *= extent[d];
  }
  // A region less than the whole image is a piece of a stream: more will follow, so a
  // .nii.gz is inflated once into a scratch file rather than about twice through the
  // access points (GzipIndex), unless the IO is told not to or TMPDIR lacks room.
  const bool wholeImage = std::equal(size.begin(), size.end(), extent.begin());
  if (m_Open->gzip && !wholeImage && m_UseDecodedScratch)
  {
    m_Open->gzip->StartDecodedScratch(
      layout.dataOffset +
      std::accumulate(extent.begin(), extent.end(), std::uint64_t{ layout.bytesPerVoxel }, std::multiplies<>()));
  }
  // One run of contiguous voxels spans the leading dimensions the region covers whole, and
  // the next one in part; the other dimensions are counted over, first fastest.
  unsigned      runDimensions = 1;
  std::uint64_t runVoxels = size[0];
  while (runDimensions < dimensions && size[runDimensions - 1] == extent[runDimensions - 1])
  {
    runVoxels *= size[runDimensions];
    ++runDimensions;
  }
  if (runVoxels == 0)
  {
    return;
  }
  std::vector<std::uint64_t> counter(dimensions, 0);
  const std::size_t          chunkVoxels = ChunkBytes / sizeof(TDisk);
  for (TOut * run = out;;)
  {
    std::uint64_t first = 0;
    for (unsigned d = 0; d < dimensions; ++d)
    {
      first += (start[d] + counter[d]) * stride[d];
    }
    for (std::uint64_t done = 0; done < runVoxels;)
    {
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(chunkVoxels, runVoxels - done));
      TDisk *           raw = nullptr;
      if constexpr (std::is_same_v<TDisk, TOut>)
      {
        raw = run + done; // decoded where it belongs, fixed up in place
      }
      else
      {
        m_Open->chunk.resize(std::max(m_Open->chunk.size(), n * sizeof(TDisk)));
        raw = reinterpret_cast<TDisk *>(m_Open->chunk.data());
      }
      ReadRaw(layout.dataOffset + (first + done) * sizeof(TDisk), raw, n * sizeof(TDisk));
      if (layout.swap)
      {
        detail::SwapVoxels(raw, n);
      }
      if (layout.scaled)
      {
        detail::ScaleVoxels(raw, n, layout.slope, layout.intercept, run + done);
      }
      done += n;
    }
    run += runVoxels;
    unsigned d = runDimensions;
    while (d < dimensions && ++counter[d] == size[d])
    {
      counter[d] = 0;
      ++d;
    }
    if (d >= dimensions)
    {
      break;
    }
  }
}

void
NiftiImageIO::ReadRaw(std::uint64_t offset, void * destination, std::size_t bytes)
{
  const detail::NiftiLayout & layout = m_Open->layout;
  const std::string &         path = m_Open->identity.path;
  const std::size_t           got = m_Open->gzip ? m_Open->gzip->Read(offset, destination, bytes)
                                                 : detail::ReadAt(m_Open->plain->Get(), path, destination, bytes, offset);
  const std::uint64_t         bytesPerVolume =
    layout.volumeSize[0] * layout.volumeSize[1] * layout.volumeSize[2] * layout.bytesPerVoxel;
  if (got < bytes)
  {
    const std::uint64_t present = offset + got < layout.dataOffset ? 0 : offset + got - layout.dataOffset;
    Fail("truncated: expected " + std::to_string(layout.volumeCount) + " volumes, file ends in volume " +
         std::to_string(present / bytesPerVolume + 1));
  }
  // A read that reaches the last voxel also checks the gzip trailer(s): the CRC is carried
  // in the access points, so this holds whichever point the read started from.
  if (m_Open->gzip && offset + bytes == layout.dataOffset + bytesPerVolume * layout.volumeCount &&
      !m_Open->gzip->Finish())
  {
    Fail("truncated: the gzip stream ends before its trailer");
  }
}

void
NiftiImageIO::Fail(const std::string & problem) const
{
  itkExceptionMacro(<< this->GetFileName() << ": " << problem);
}

void
NiftiImageIO::WriteImageInformation()
{
  itkExceptionMacro(<< "voxelkl::NiftiImageIO does not write; ITK's NiftiImageIO does");
}

void
NiftiImageIO::Write(const void *)
{
  itkExceptionMacro(<< "voxelkl::NiftiImageIO does not write; ITK's NiftiImageIO does");
}

std::uint64_t
NiftiImageIO::GetInflatedBytes() const
{
  return m_Open && m_Open->gzip ? m_Open->gzip->InflatedBytes() : 0;
}

bool
NiftiImageIO::GetUsesDecodedScratch() const
{
  return m_Open && m_Open->gzip && m_Open->gzip->UsesDecodedScratch();
}

std::size_t
NiftiImageIO::GetNumberOfAccessPoints() const
{
  return m_Open && m_Open->gzip ? m_Open->gzip->NumberOfAccessPoints() : 0;
}

void
NiftiImageIO::PrintSelf(std::ostream & os, itk::Indent indent) const
{
  Superclass::PrintSelf(os, indent);
  os << indent << "AccessPointSpacing: " << m_AccessPointSpacing << '\n';
  os << indent << "Claim: " << (m_Claim == NiftiClaim::EveryNiftiFile ? "EveryNiftiFile" : "ReadableFiles") << '\n';
  os << indent << "UseDecodedScratch: " << (m_UseDecodedScratch ? "on" : "off") << '\n';
  os << indent << "Open file: " << (m_Open ? m_Open->identity.path : std::string("(none)")) << '\n';
  os << indent << "InflatedBytes: " << GetInflatedBytes() << '\n';
  os << indent << "NumberOfAccessPoints: " << GetNumberOfAccessPoints() << '\n';
}

} // namespace voxelkl
