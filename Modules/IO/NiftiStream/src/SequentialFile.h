// An open file read front to back, inflated when it is gzip (private to the module).
#ifndef voxelkl_SequentialFile_h
#define voxelkl_SequentialFile_h

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace voxelkl
{
namespace detail
{

class GzipInflater;

/** Owns a file descriptor opened for reading; closes it. */
class FileDescriptor
{
public:
  /** Throws InputError(path, "cannot open: ..."). */
  explicit FileDescriptor(const std::string & path);
  ~FileDescriptor();
  FileDescriptor(const FileDescriptor &) = delete;
  FileDescriptor &
  operator=(const FileDescriptor &) = delete;
  int
  Get() const
  {
    return m_Descriptor;
  }

private:
  int m_Descriptor{ -1 };
};

/** pread of up to bytes at offset, retried on EINTR and short reads; fewer only at the end
 * of the file. Throws InputError(path, "read error: ..."). */
std::size_t
ReadAt(int fileDescriptor, const std::string & path, void * destination, std::size_t bytes, std::uint64_t offset);

/** True when the file starts with the gzip magic (1f 8b): how zlib's gzopen tells a
 * compressed file from a plain one, whatever its name. */
bool
StartsWithGzipMagic(int fileDescriptor, const std::string & path);

/** The bytes of a file in order: as stored, or inflated (every member) when it is gzip. */
class SequentialFile
{
public:
  explicit SequentialFile(const std::string & path);
  ~SequentialFile();
  SequentialFile(const SequentialFile &) = delete;
  SequentialFile &
  operator=(const SequentialFile &) = delete;

  bool
  IsGzip() const
  {
    return m_Inflater != nullptr;
  }
  /** The file's size on disk (compressed, for a gzip file). Throws InputError. */
  std::uint64_t
  SizeOnDisk() const;
  /** Up to bytes; fewer only at the end of the data, or of a truncated gzip file. Throws
   * InputError for corrupt gzip data. */
  std::size_t
  Read(void * destination, std::size_t bytes);
  std::uint64_t
  Skip(std::uint64_t bytes);
  /** A gzip file: true when it ended inside a member. */
  bool
  Truncated() const;
  /** A gzip file: inflates to the end of the data, checking every member's CRC32 and
   * length; false when it ends inside a member. A plain file: true. */
  bool
  Finish();

private:
  std::string                   m_Path;
  FileDescriptor                m_File;
  std::unique_ptr<GzipInflater> m_Inflater;
  std::uint64_t                 m_Offset{ 0 }; // of a plain file
};

} // namespace detail
} // namespace voxelkl

#endif
