// Streaming gzip inflate with ISA-L, resumable from saved points (private to the module).
#ifndef voxelkl_GzipInflater_h
#define voxelkl_GzipInflater_h

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct inflate_state; // ISA-L's decoder state (isa-l/igzip_lib.h)

namespace voxelkl
{
namespace detail
{

/** Where an inflater can resume: the file offset of the next compressed byte it had not
 * yet taken in, the output bytes before the point, and its decoder state (bit buffer,
 * Huffman tables of the current block, the last 32 KiB of output, running CRC).
 *
 * Why the whole state and not zran's block boundary + window: isal_inflate cannot be
 * asked to stop at a block boundary (zlib's Z_BLOCK), it stops where the output buffer
 * is full, mid-block. Its state between two calls is self-contained by contract (each call
 * may get a fresh output buffer), so a copy of it resumes exactly there: ~21 KiB of
 * fixed fields and tables plus its history buffer: the last 32 KiB of output, or up to
 * ~66 KiB when output is still pending in it. */
struct InflateSnapshot
{
  std::uint64_t              compressedOffset{ 0 };
  std::uint64_t              uncompressedOffset{ 0 };
  std::vector<unsigned char> state;
};

/** Inflates the gzip stream that starts at byte 0 of an open file: every member of a
 * multi-member file, one after the other; bytes after the last member that do not start
 * another member are ignored (as gzip -d and zlib's gzread do). Each member's trailer
 * (CRC32 and ISIZE) is checked when the inflater reaches it. Corrupt data throws
 * InputError(path, "corrupt compressed data (...)"); input that ends inside a member
 * makes Read return short and Truncated() true. The file descriptor is borrowed and read
 * with pread only, so that several inflaters can share it. */
class GzipInflater
{
public:
  GzipInflater(int fileDescriptor, std::string path);
  ~GzipInflater();
  GzipInflater(const GzipInflater &) = delete;
  GzipInflater &
  operator=(const GzipInflater &) = delete;

  /** Inflates up to bytes into out; returns fewer only at the end of the data (AtEnd())
   * or where the input ends inside a member (Truncated()). */
  std::size_t
  Read(void * out, std::size_t bytes);
  /** Inflates and discards up to bytes; returns how many. */
  std::uint64_t
  Skip(std::uint64_t bytes);
  /** Inflates to the end of the data, checking every trailer. Returns false when the input
   * ends inside a member (truncated). */
  bool
  Finish();

  bool
  AtEnd() const
  {
    return m_End;
  }
  bool
  Truncated() const
  {
    return m_Truncated;
  }
  /** Output bytes before the next one Read returns. */
  std::uint64_t
  Position() const
  {
    return m_Position;
  }
  /** Output bytes produced by this object, read or skipped, since construction. */
  std::uint64_t
  InflatedBytes() const
  {
    return m_Inflated;
  }

  InflateSnapshot
  Snapshot() const;
  void
  Restore(const InflateSnapshot & snapshot);

private:
  void
  Refill();
  void
  StartNextMemberOrEnd();
  [[noreturn]] void
  Corrupt(int isalError) const;

  int                            m_FileDescriptor;
  std::string                    m_Path;
  std::unique_ptr<inflate_state> m_State; // ~100 KiB: on the heap
  std::vector<unsigned char>     m_Input;
  std::uint64_t                  m_ReadOffset{ 0 }; // file offset of the next pread
  bool                           m_InputEnd{ false };
  bool                           m_End{ false };
  bool                           m_Truncated{ false };
  std::uint64_t                  m_Position{ 0 };
  std::uint64_t                  m_Inflated{ 0 };
  std::size_t                    m_RefillBytes{ 0 }; // grows after a Restore
  std::vector<unsigned char>     m_Discard;
};

} // namespace detail
} // namespace voxelkl

#endif
