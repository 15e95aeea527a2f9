#include "SequentialFile.h"

#include "GzipInflater.h"
#include "voxelkl/Errors.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>

namespace voxelkl
{
namespace detail
{

FileDescriptor::FileDescriptor(const std::string & path)
{
  m_Descriptor = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m_Descriptor < 0)
  {
    throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  }
}

FileDescriptor::~FileDescriptor()
{
  close(m_Descriptor);
}

std::size_t
ReadAt(int fileDescriptor, const std::string & path, void * destination, std::size_t bytes, std::uint64_t offset)
{
  auto *      cursor = static_cast<unsigned char *>(destination);
  std::size_t done = 0;
  while (done < bytes)
  {
    const ssize_t got = pread(fileDescriptor, cursor + done, bytes - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR)
    {
      continue;
    }
    if (got < 0)
    {
      throw InputError(path, std::string("read error: ") + std::strerror(errno));
    }
    if (got == 0)
    {
      break;
    }
    done += static_cast<std::size_t>(got);
  }
  return done;
}

bool
StartsWithGzipMagic(int fileDescriptor, const std::string & path)
{
  unsigned char magic[2] = {};
  return ReadAt(fileDescriptor, path, magic, sizeof(magic), 0) == sizeof(magic) && magic[0] == 0x1f && magic[1] == 0x8b;
}

SequentialFile::SequentialFile(const std::string & path)
  : m_Path(path)
  , m_File(path)
{
  if (StartsWithGzipMagic(m_File.Get(), path))
  {
    m_Inflater = std::make_unique<GzipInflater>(m_File.Get(), path);
  }
}

SequentialFile::~SequentialFile() = default;

std::uint64_t
SequentialFile::SizeOnDisk() const
{
  struct stat status;
  if (fstat(m_File.Get(), &status) != 0)
  {
    throw InputError(m_Path, std::string("cannot read: ") + std::strerror(errno));
  }
  return static_cast<std::uint64_t>(status.st_size);
}

std::size_t
SequentialFile::Read(void * destination, std::size_t bytes)
{
  if (m_Inflater)
  {
    return m_Inflater->Read(destination, bytes);
  }
  const std::size_t got = ReadAt(m_File.Get(), m_Path, destination, bytes, m_Offset);
  m_Offset += got;
  return got;
}

std::uint64_t
SequentialFile::Skip(std::uint64_t bytes)
{
  if (m_Inflater)
  {
    return m_Inflater->Skip(bytes);
  }
  // A plain file: only the offset moves; a read past the end returns 0.
  m_Offset += bytes;
  return bytes;
}

bool
SequentialFile::Truncated() const
{
  return m_Inflater && m_Inflater->Truncated();
}

bool
SequentialFile::Finish()
{
  return !m_Inflater || m_Inflater->Finish();
}

} // namespace detail
} // namespace voxelkl
