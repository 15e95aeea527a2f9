// Random access into a gzip file through access points found while inflating it (private
// to the module).
#ifndef voxelkl_GzipIndex_h
#define voxelkl_GzipIndex_h

#include "GzipInflater.h"
#include "SequentialFile.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace voxelkl
{
namespace detail
{

/** Reads byte ranges of the inflated content of a gzip file, in any order, without
 * inflating from the start each time: an index of access points (InflateSnapshot) is
 * built as the file is inflated, and each read starts at the nearest point before it.
 *
 * Two kinds of point (engine-and-wave-2.md section 2):
 * - spaced ones, at least Spacing() output bytes apart, wherever inflate passes first
 *   (zran's scheme): any read costs at most ~Spacing() of extra inflate;
 * - one at the end of each range read, so that a read that starts where an earlier one
 *   stopped costs no extra inflate at all. That is how a 4D image is streamed in slabs of z
 *   (ITK's slowest-dimension splitter): piece k+1 reads, in every volume, the bytes right
 *   after those of piece k, so with volumes smaller than Spacing() the spaced points alone
 *   would cost a span per volume and piece. These points are capped at
 *   ContinuationBudgetBytes, oldest dropped first.
 * A point takes ~50 KiB (InflateSnapshot: ~21 KiB of state, 32 KiB of window).
 *
 * With points alone, a 4D series streamed in z slabs is inflated about twice: the first
 * slab's runs are spread over the whole file. StartDecodedScratch() makes it once: from
 * then on everything inflated is also appended to an unlinked scratch file (in TMPDIR, when
 * it has room), the inflater only moves forward, and bytes behind it are read back from the
 * scratch. Should the scratch fail (disk full), reads go on through the points. */
class GzipIndex
{
public:
  static constexpr std::uint64_t DefaultSpacing = 4 * 1024 * 1024;
  static constexpr std::size_t   ContinuationBudgetBytes = 64 * 1024 * 1024;

  GzipIndex(const std::string & path, std::uint64_t spacing = DefaultSpacing);

  /** Up to bytes of inflated content from offset into destination; fewer only where the
   * data ends (or, truncated, stops). Throws InputError for corrupt data. */
  std::size_t
  Read(std::uint64_t offset, void * destination, std::size_t bytes);
  /** Keeps what is inflated from now on in a scratch file of up to `bytes` (the inflated
   * size), when nothing has been inflated yet and TMPDIR has room for it; else nothing
   * changes. True when the scratch is in use. */
  bool
  StartDecodedScratch(std::uint64_t bytes);
  bool
  UsesDecodedScratch() const
  {
    return m_Scratch >= 0;
  }

  /** Inflates from where the last Read stopped to the end of the data, checking every
   * gzip trailer (CRC32, ISIZE). False when the file ends inside a member. */
  bool
  Finish();

  std::uint64_t
  Spacing() const
  {
    return m_Spacing;
  }
  /** Output bytes inflated so far, read or skipped over. */
  std::uint64_t
  InflatedBytes() const
  {
    return m_Inflater.InflatedBytes();
  }
  std::size_t
  NumberOfAccessPoints() const
  {
    return m_Points.size();
  }

private:
  struct Point
  {
    InflateSnapshot snapshot;
    bool            continuation{ false };
  };

  void
  MoveTo(std::uint64_t offset);
  void
  AddSpacedPointIfDue();
  void
  AddContinuationPoint();
  std::size_t
  ReadWithScratch(std::uint64_t offset, unsigned char * destination, std::size_t bytes);
  /** Appends bytes just inflated to the scratch; a failed write closes it (reads then go
   * through the points). */
  void
  AppendToScratch(const unsigned char * bytes, std::size_t count);
  void
  CloseScratch();

  FileDescriptor                 m_File;
  GzipInflater                   m_Inflater;
  std::uint64_t                  m_Spacing;
  std::map<std::uint64_t, Point> m_Points; // by uncompressed offset
  std::deque<std::uint64_t>      m_ContinuationOrder;
  std::size_t                    m_ContinuationBytes{ 0 };
  std::vector<unsigned char>     m_Discard;
  int                            m_Scratch{ -1 };     // the unlinked scratch file, or -1
  std::uint64_t                  m_ScratchBytes{ 0 }; // inflated bytes 0 .. m_ScratchBytes it holds
  std::string                    m_ScratchDirectory;

public:
  ~GzipIndex();
  GzipIndex(const GzipIndex &) = delete;
  GzipIndex &
  operator=(const GzipIndex &) = delete;
};

} // namespace detail
} // namespace voxelkl

#endif
