// A read-only memory map of a file, released piece by piece as it is consumed.
#ifndef voxelkl_MappedFile_h
#define voxelkl_MappedFile_h

#include <cstddef>
#include <string>

namespace voxelkl
{

/** Maps a whole file read-only. Reading voxels straight from the page cache saves the
 * copy a read() makes (for two 1 GB series, a quarter of the work of a Gaussian KL map).
 * Pages are mapped on first touch; Release() unmaps what has been consumed, so that the
 * resident memory stays bounded by what is in use, not by the file. */
class MappedFile
{
public:
  /** Throws InputError(path, ...) when the file cannot be opened or mapped. */
  explicit MappedFile(const std::string & path);
  ~MappedFile();
  MappedFile(const MappedFile &) = delete;
  MappedFile &
  operator=(const MappedFile &) = delete;

  const unsigned char *
  Data() const
  {
    return m_Data;
  }
  std::size_t
  Size() const
  {
    return m_Size;
  }
  /** Maps the pages of [begin, end) now, in one system call instead of a page fault per
   * few pages (Linux 5.14+; elsewhere they are mapped on first touch as usual). */
  void
  Populate(std::size_t begin, std::size_t end) const;
  /** Drops the pages wholly inside [0, end) from this process (they stay in the page cache). */
  void
  ReleaseUpTo(std::size_t end);

private:
  unsigned char * m_Data{ nullptr };
  std::size_t     m_Size{ 0 };
  std::size_t     m_Released{ 0 };
};

} // namespace voxelkl

#endif
