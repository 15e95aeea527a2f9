#include "GzipIndex.h"

#include <algorithm>
#include <iterator>

namespace voxelkl
{
namespace detail
{
namespace
{

// Output is produced in pieces of at most this many bytes, so that a spaced point lands
// within a piece of where it is due. Larger pieces for the caller's memory: each
// isal_inflate call passes its first ~32 KiB through its own buffer (one more copy).
constexpr std::size_t PieceBytes = 1024 * 1024;
constexpr std::size_t DiscardBytes = 1024 * 1024;

} // namespace

GzipIndex::GzipIndex(const std::string & path, std::uint64_t spacing)
  : m_File(path)
  , m_Inflater(m_File.Get(), path)
  , m_Spacing(std::max<std::uint64_t>(spacing, PieceBytes))
  , m_Discard(DiscardBytes)
{
  m_Points.emplace(0, Point{ m_Inflater.Snapshot(), false });
}

void
GzipIndex::AddSpacedPointIfDue()
{
  const std::uint64_t position = m_Inflater.Position();
  const auto          after = m_Points.upper_bound(position);
  const auto          before = std::prev(after); // the point at 0 is always there
  if (position - before->first >= m_Spacing && (after == m_Points.end() || after->first - position >= m_Spacing / 2))
  {
    m_Points.emplace(position, Point{ m_Inflater.Snapshot(), false });
  }
}

void
GzipIndex::AddContinuationPoint()
{
  const std::uint64_t position = m_Inflater.Position();
  if (m_Points.count(position) != 0)
  {
    return;
  }
  Point point{ m_Inflater.Snapshot(), true };
  m_ContinuationBytes += point.snapshot.state.size();
  m_Points.emplace(position, std::move(point));
  m_ContinuationOrder.push_back(position);
  while (m_ContinuationBytes > ContinuationBudgetBytes && !m_ContinuationOrder.empty())
  {
    const auto oldest = m_Points.find(m_ContinuationOrder.front());
    m_ContinuationOrder.pop_front();
    if (oldest != m_Points.end() && oldest->second.continuation)
    {
      m_ContinuationBytes -= oldest->second.snapshot.state.size();
      m_Points.erase(oldest);
    }
  }
}

void
GzipIndex::MoveTo(std::uint64_t offset)
{
  const std::uint64_t current = m_Inflater.Position();
  const auto          point = std::prev(m_Points.upper_bound(offset));
  // Inflating on from where the inflater stands beats resuming at a point behind it.
  if (!(current <= offset && current >= point->first && !m_Inflater.Truncated()))
  {
    m_Inflater.Restore(point->second.snapshot);
  }
  while (m_Inflater.Position() < offset)
  {
    const std::size_t piece =
      static_cast<std::size_t>(std::min<std::uint64_t>(offset - m_Inflater.Position(), DiscardBytes));
    const std::size_t got = m_Inflater.Read(m_Discard.data(), piece);
    AddSpacedPointIfDue();
    if (got < piece)
    {
      return;
    }
  }
}

std::size_t
GzipIndex::Read(std::uint64_t offset, void * destination, std::size_t bytes)
{
  MoveTo(offset);
  if (m_Inflater.Position() != offset)
  {
    return 0;
  }
  auto *      cursor = static_cast<unsigned char *>(destination);
  std::size_t done = 0;
  while (done < bytes)
  {
    const std::size_t piece = std::min(bytes - done, PieceBytes);
    const std::size_t got = m_Inflater.Read(cursor + done, piece);
    done += got;
    AddSpacedPointIfDue();
    if (got < piece)
    {
      return done;
    }
  }
  AddContinuationPoint();
  return done;
}

bool
GzipIndex::Finish()
{
  return m_Inflater.Finish();
}

} // namespace detail
} // namespace voxelkl
