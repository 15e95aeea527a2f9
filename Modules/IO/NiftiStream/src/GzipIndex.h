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
 * A point takes ~50 KiB (InflateSnapshot: ~21 KiB of state, 32 KiB of window). */
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

  FileDescriptor                 m_File;
  GzipInflater                   m_Inflater;
  std::uint64_t                  m_Spacing;
  std::map<std::uint64_t, Point> m_Points; // by uncompressed offset
  std::deque<std::uint64_t>      m_ContinuationOrder;
  std::size_t                    m_ContinuationBytes{ 0 };
  std::vector<unsigned char>     m_Discard;
};

} // namespace detail
} // namespace voxelkl

#endif
