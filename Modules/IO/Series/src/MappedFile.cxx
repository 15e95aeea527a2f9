#include "voxelkl/MappedFile.h"

#include "voxelkl/Errors.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace voxelkl
{

MappedFile::MappedFile(const std::string & path)
{
  const int descriptor = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0)
  {
    throw InputError(path, std::string("cannot open: ") + std::strerror(errno));
  }
  struct stat status
  {
  };
  if (fstat(descriptor, &status) != 0 || status.st_size <= 0)
  {
    close(descriptor);
    throw InputError(path, "cannot map: empty or unreadable");
  }
  m_Size = static_cast<std::size_t>(status.st_size);
  void * data = mmap(nullptr, m_Size, PROT_READ, MAP_PRIVATE, descriptor, 0);
  close(descriptor); // the mapping keeps the file
  if (data == MAP_FAILED)
  {
    throw InputError(path, std::string("cannot map: ") + std::strerror(errno));
  }
  m_Data = static_cast<unsigned char *>(data);
  madvise(m_Data, m_Size, MADV_SEQUENTIAL);
}

MappedFile::~MappedFile()
{
  munmap(m_Data, m_Size);
}

void
MappedFile::Populate(std::size_t begin, std::size_t end) const
{
#ifdef MADV_POPULATE_READ
  const auto        page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t first = (begin / page) * page;
  const std::size_t last = std::min(end, m_Size);
  if (last > first)
  {
    madvise(m_Data + first, last - first, MADV_POPULATE_READ); // a failure only costs faults
  }
#else
  (void)begin;
  (void)end;
#endif
}

void
MappedFile::ReleaseUpTo(std::size_t end)
{
  const auto        page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  const std::size_t alignedEnd = (std::min(end, m_Size) / page) * page;
  if (alignedEnd > m_Released)
  {
    madvise(m_Data + m_Released, alignedEnd - m_Released, MADV_DONTNEED);
    m_Released = alignedEnd;
  }
}

} // namespace voxelkl
