#include "voxelkl/MapWriter.h"

#include "voxelkl/ErrorText.h"
#include "voxelkl/Errors.h"
#include "voxelkl/ItkGlobals.h"
#include "voxelkl/NiftiVolumeStream.h"
#include "voxelkl/OutputTransaction.h"
#include "voxelkl/PathText.h"

#include "itkImageFileReader.h"
#include "itkImageFileWriter.h"
#include "itkImageIOFactory.h"

#include <fmt/format.h>
#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <vector>

#include <sys/mman.h>
#include <unistd.h>

namespace voxelkl
{
namespace
{

// What the image libraries print about a failed write (niftilib: "** ERROR: NWAD: wrote
// only ... bytes", MetaIO: "file stream is fail after write") is held back while ITK
// writes, and shown only when the file turns out complete: a failure is then reported
// once, by the error that names the final file and the reason. stderr is one descriptor
// for the whole process, so writes through ITK take turns.
class HeldBackStderr
{
public:
  HeldBackStderr()
    : m_Lock(Mutex())
  {
    std::cerr.flush();
    std::fflush(stderr);
    m_Capture = memfd_create("voxelkl-stderr", MFD_CLOEXEC);
    m_Saved = m_Capture >= 0 ? dup(STDERR_FILENO) : -1;
    if (m_Saved < 0 || dup2(m_Capture, STDERR_FILENO) < 0)
    {
      Restore(); // nothing held back: the messages just go through
    }
  }
  HeldBackStderr(const HeldBackStderr &) = delete;
  HeldBackStderr &
  operator=(const HeldBackStderr &) = delete;
  ~HeldBackStderr() { Restore(); }

  /** Restores stderr and shows what was held back. */
  void
  Release()
  {
    const int capture = m_Capture >= 0 ? dup(m_Capture) : -1;
    Restore();
    if (capture < 0)
    {
      return;
    }
    char    buffer[4096];
    ssize_t count = 0;
    lseek(capture, 0, SEEK_SET);
    while ((count = read(capture, buffer, sizeof(buffer))) > 0)
    {
      if (write(STDERR_FILENO, buffer, static_cast<std::size_t>(count)) != count)
      {
        break;
      }
    }
    close(capture);
  }

private:
  static std::mutex &
  Mutex()
  {
    static std::mutex mutex;
    return mutex;
  }
  void
  Restore()
  {
    std::cerr.flush();
    std::fflush(stderr);
    if (m_Saved >= 0)
    {
      dup2(m_Saved, STDERR_FILENO);
      close(m_Saved);
      m_Saved = -1;
    }
    if (m_Capture >= 0)
    {
      close(m_Capture);
      m_Capture = -1;
    }
  }

  std::lock_guard<std::mutex> m_Lock;
  int                         m_Capture{ -1 };
  int                         m_Saved{ -1 };
};

template <unsigned int D>
void
WriteWithItk(const itk::Image<float, D> * image, const std::string & path, bool compress)
{
  auto writer = itk::ImageFileWriter<itk::Image<float, D>>::New();
  writer->SetInput(image);
  writer->SetFileName(path);
  writer->SetUseCompression(compress);
  writer->Update();
}

// gzip of `from` into `to`, with ISA-L's deflate at level 1: ITK 5.2's NIfTI writer
// deflates with zlib at its default level. On a 91x109x91 float map ISA-L took 3.3 ms where
// libdeflate's fastest level took 14.5 ms and zlib's twice that, for a file 0.4% larger
// than libdeflate's. A .nii.gz is the gzip of the .nii, so any NIfTI reader reads the result.
// The input buffer is not zero-filled before it is read into, and the output goes to the
// file in 1 MiB pieces as it is made: the buffers of the map's size that were zero-filled
// first cost the paired maps' write a page fault per 4 KiB of each of five maps.
void
Gzip(const std::string & from, const std::string & to, const std::string & displayName)
{
  std::ifstream input(from, std::ios::binary | std::ios::ate);
  if (!input)
  {
    throw std::runtime_error("cannot read " + from);
  }
  const auto                      size = static_cast<std::size_t>(input.tellg());
  std::unique_ptr<std::uint8_t[]> data(new std::uint8_t[std::max<std::size_t>(size, 1)]);
  if (!input.seekg(0) || !input.read(reinterpret_cast<char *>(data.get()), static_cast<std::streamsize>(size)))
  {
    throw std::runtime_error("cannot read " + from);
  }
  std::vector<std::uint8_t> levelBuffer(ISAL_DEF_LVL1_DEFAULT);
  const auto                state = std::make_unique<isal_zstream>(); // 82 KB: not on a worker's stack
  isal_zstream &            stream = *state;
  isal_deflate_init(&stream);
  stream.level = 1;
  stream.level_buf = levelBuffer.data();
  stream.level_buf_size = static_cast<std::uint32_t>(levelBuffer.size());
  stream.gzip_flag = IGZIP_GZIP;
  stream.flush = NO_FLUSH;
  constexpr std::size_t           piece = std::size_t{ 1 } << 20; // output per write
  std::unique_ptr<std::uint8_t[]> compressed(new std::uint8_t[piece]);
  CheckedFileWriter               output(to, displayName);
  std::size_t                     consumed = 0;
  constexpr std::size_t           largestInput = std::size_t{ 1 } << 30; // avail_in is 32 bits
  while (stream.internal_state.state != ZSTATE_END)
  {
    if (stream.avail_in == 0)
    {
      const std::size_t part = std::min(largestInput, size - consumed);
      stream.next_in = data.get() + consumed;
      stream.avail_in = static_cast<std::uint32_t>(part);
      consumed += part;
      stream.end_of_stream = consumed == size ? 1 : 0;
    }
    stream.next_out = compressed.get();
    stream.avail_out = static_cast<std::uint32_t>(piece);
    if (isal_deflate(&stream) != COMP_OK)
    {
      throw std::runtime_error("compression failed");
    }
    output.Append(compressed.get(), static_cast<std::size_t>(stream.next_out - compressed.get()));
  }
  output.Close();
}

template <unsigned int D>
std::size_t
VoxelBytes(const itk::Image<float, D> * image)
{
  return image->GetLargestPossibleRegion().GetNumberOfPixels() * sizeof(float);
}

// ITK's NIfTI writer prints a failed write on stderr and returns as if all went well
// (niftilib does not check), so a full disk left a truncated map: a complete single-file
// NIfTI-1 holds its voxels from vox_offset (byte 108 of the header, 352 for ITK's files).
template <unsigned int D>
void
CheckNifti(const itk::Image<float, D> * image, const std::string & path, const std::string & displayName)
{
  float offset = 352.0f;
  if (std::ifstream header{ path, std::ios::binary })
  {
    char bytes[112];
    if (header.read(bytes, sizeof(bytes)))
    {
      std::memcpy(&offset, bytes + 108, sizeof(offset));
    }
  }
  const auto voxelOffset = static_cast<std::uintmax_t>(offset >= 352.0f && offset < 1e9f ? offset : 352.0f);
  CheckFileComplete(path, voxelOffset + VoxelBytes(image), displayName);
}

// A MetaImage written by ITK holds its header text, ending with "ElementDataFile = LOCAL",
// then the raw voxels (uncompressed for .mha here).
template <unsigned int D>
void
CheckMetaImage(const itk::Image<float, D> * image, const std::string & path, const std::string & displayName)
{
  std::ifstream     file(path, std::ios::binary);
  std::vector<char> head(1 << 16);
  file.read(head.data(), static_cast<std::streamsize>(head.size()));
  const std::string text(head.data(), static_cast<std::size_t>(file.gcount()));
  const std::string marker = "ElementDataFile = LOCAL\n";
  const auto        found = text.find(marker);
  // Without its last header line the file is short by at least its voxels.
  const std::uintmax_t header = found == std::string::npos ? text.size() + 1 : found + marker.size();
  CheckFileComplete(path, header + VoxelBytes(image), displayName);
}

// Formats whose complete size is not known in advance (compressed) are read back.
template <unsigned int D>
void
CheckByReading(const itk::Image<float, D> * image, const std::string & path, const std::string & displayName)
{
  bool same = false;
  try
  {
    auto reader = itk::ImageFileReader<itk::Image<float, D>>::New();
    reader->SetFileName(path);
    reader->Update();
    const auto * read = reader->GetOutput();
    same = read->GetLargestPossibleRegion() == image->GetLargestPossibleRegion() &&
           std::memcmp(read->GetBufferPointer(), image->GetBufferPointer(), VoxelBytes(image)) == 0;
  }
  catch (const itk::ExceptionObject &)
  {
  }
  if (!same)
  {
    // Ask for more space than the voxels need: only a file system that refuses says why.
    std::error_code error;
    CheckFileComplete(path, std::filesystem::file_size(path, error) + VoxelBytes(image) + 1, displayName);
    throw InputError(displayName, "cannot be written: the file written does not read back the same");
  }
}

// Sets qform_code and sform_code (bytes 252 and 254 of the NIfTI-1 header, int16 in the
// byte order ITK wrote: this machine's) of a NIfTI file ITK just wrote to 0.
void
ClearOrientationCodes(const std::string & path, const std::string & displayName)
{
  std::fstream       file(path, std::ios::in | std::ios::out | std::ios::binary);
  const std::int16_t zero[2] = { 0, 0 };
  file.seekp(252);
  file.write(reinterpret_cast<const char *>(zero), sizeof(zero));
  file.flush();
  if (!file)
  {
    throw InputError(displayName, "cannot be written: its header could not be updated");
  }
}

} // namespace

bool
IsUnorientedNifti(const std::string & file)
{
  if (file.empty() || !NiftiVolumeStream::HasNiftiName(file))
  {
    return false;
  }
  try
  {
    const NiftiVolumeStream header(file);
    return header.QformCode() <= 0 && header.SformCode() <= 0;
  }
  catch (const InputError &)
  {
    return false; // read, and refused, by the series' own reader before
  }
}

bool
CanWriteImage(const std::string & path)
{
  return itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::CommonEnums::IOFileMode::WriteMode).IsNotNull();
}

void
RequireImageOutputName(const std::string & option, const std::string & path)
{
  const std::string name = Lowercase(path);
  const char *      format = nullptr;
  for (const char * pair : { ".hdr", ".img", ".hdr.gz", ".img.gz" })
  {
    format = EndsWith(name, pair) ? "NIfTI pairs (.hdr/.img) are" : format;
  }
  format = EndsWith(name, ".mhd") ? "MetaImage headers with a separate data file (.mhd) are" : format;
  format = EndsWith(name, ".nhdr") ? "detached NRRD headers (.nhdr) are" : format;
  if (format != nullptr)
  {
    throw UsageError(
      fmt::format("--{} {}: {} not written; use .nii or .nii.gz (or .nrrd, .mha)", option, path, format));
  }
  if (!CanWriteImage(path))
  {
    throw UsageError(
      fmt::format("--{} {}: no image format for this file name (use .nii.gz, .nii, .nrrd or .mha)", option, path));
  }
}

namespace
{
template <unsigned int D>
void
WriteImage(const itk::Image<float, D> * image,
           const std::string &          path,
           const std::string &          displayName,
           bool                         unoriented)
{
  PrepareItkForThreads(); // maps are written in parallel
  try
  {
    if (EndsWith(path, ".nii.gz"))
    {
      const std::string uncompressed = path.substr(0, path.size() - 3); // the staged name without .gz
      struct RemoveOnExit
      {
        const std::string & file;
        ~RemoveOnExit() { std::remove(file.c_str()); }
      } intermediate{ uncompressed };
      {
        HeldBackStderr held;
        WriteWithItk(image, uncompressed, false);
        CheckNifti(image, uncompressed, displayName);
        if (unoriented)
        {
          ClearOrientationCodes(uncompressed, displayName);
        }
        held.Release();
      }
      Gzip(uncompressed, path, displayName);
      return;
    }
    // Maps are small: compress where the format's readers all understand it.
    const bool     compress = EndsWith(path, ".gz") || EndsWith(path, ".nrrd");
    HeldBackStderr held;
    WriteWithItk(image, path, compress);
    if (EndsWith(path, ".nii"))
    {
      CheckNifti(image, path, displayName);
      if (unoriented)
      {
        ClearOrientationCodes(path, displayName);
      }
    }
    else if (EndsWith(path, ".mha") && !compress)
    {
      CheckMetaImage(image, path, displayName);
    }
    else
    {
      CheckByReading(image, path, displayName);
    }
    held.Release();
  }
  catch (const InputError &)
  {
    throw; // names displayName and the reason already
  }
  catch (const itk::ExceptionObject & e)
  {
    throw InputError(displayName, std::string("cannot be written: ") + ItkErrorText(e.GetDescription()));
  }
  catch (const std::runtime_error & e)
  {
    throw InputError(displayName, std::string("cannot be written: ") + e.what());
  }
}

} // namespace

void
WriteMap(const itk::Image<float, 3> * image, const std::string & path, const std::string & displayName, bool unoriented)
{
  WriteImage<3>(image, path, displayName, unoriented);
}

void
WriteMap(const itk::Image<float, 4> * image, const std::string & path, const std::string & displayName, bool unoriented)
{
  WriteImage<4>(image, path, displayName, unoriented);
}

} // namespace voxelkl
