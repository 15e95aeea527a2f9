#include "GzipIndex.h"

#include "voxelkl/Errors.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
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
// Room a decoded scratch leaves free in its file system, beyond its own size.
constexpr std::uint64_t ScratchMarginBytes = std::uint64_t{ 256 } << 20;

// An unlinked file in directory for the scratch, or -1.
int
OpenUnlinkedFile(const std::string & directory)
{
#ifdef O_TMPFILE
  const int descriptor = open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (descriptor >= 0)
  {
    return descriptor;
  }
#endif
  std::string name = directory + "/.voxelkl-inflated-XXXXXX";
  const int   descriptor2 = mkostemp(name.data(), O_CLOEXEC);
  if (descriptor2 >= 0)
  {
    unlink(name.c_str());
  }
  return descriptor2;
}

} // namespace

GzipIndex::~GzipIndex()
{
  CloseScratch();
}

bool
GzipIndex::StartDecodedScratch(std::uint64_t bytes)
{
  if (m_Scratch >= 0 || m_Inflater.Position() != 0 || m_Inflater.InflatedBytes() != 0 || m_ScratchBytes != 0)
  {
    return m_Scratch >= 0;
  }
  const char * temporary = std::getenv("TMPDIR");
  m_ScratchDirectory = temporary != nullptr && *temporary != '\0' ? temporary : "/tmp";
  struct statvfs room;
  if (statvfs(m_ScratchDirectory.c_str(), &room) != 0 ||
      static_cast<std::uint64_t>(room.f_bavail) * room.f_frsize < bytes + ScratchMarginBytes)
  {
    return false;
  }
  m_Scratch = OpenUnlinkedFile(m_ScratchDirectory);
  return m_Scratch >= 0;
}

void
GzipIndex::CloseScratch()
{
  if (m_Scratch >= 0)
  {
    close(m_Scratch);
    m_Scratch = -1;
  }
}

void
GzipIndex::AppendToScratch(const unsigned char * bytes, std::size_t count)
{
  std::uint64_t at = m_ScratchBytes;
  while (count > 0 && m_Scratch >= 0)
  {
    const ssize_t wrote = pwrite(m_Scratch, bytes, count, static_cast<off_t>(at));
    if (wrote < 0 && errno == EINTR)
    {
      continue;
    }
    if (wrote <= 0)
    {
      CloseScratch(); // no room, or an I/O error: the points serve from here on
      return;
    }
    bytes += wrote;
    count -= static_cast<std::size_t>(wrote);
    at += static_cast<std::uint64_t>(wrote);
  }
  m_ScratchBytes = at;
}

std::size_t
GzipIndex::ReadWithScratch(std::uint64_t offset, unsigned char * destination, std::size_t bytes)
{
  // Bytes behind the inflater: from the scratch.
  const std::uint64_t frontier = m_ScratchBytes;
  std::size_t         done = 0;
  if (offset < frontier)
  {
    const auto behind = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, frontier - offset));
    done = ReadAt(m_Scratch, m_ScratchDirectory + " (VoxelKL's inflated scratch)", destination, behind, offset);
    if (done < behind)
    {
      throw InputError(m_ScratchDirectory, "the inflated scratch file is shorter than written");
    }
  }
  // Bytes ahead: inflated (and kept) on the way to them, then into destination. The
  // inflater stands where the scratch ends unless Finish moved it on.
  if (m_Inflater.Position() != m_ScratchBytes)
  {
    CloseScratch();
  }
  while (m_Scratch >= 0 && m_Inflater.Position() < offset + done)
  {
    const std::size_t piece =
      static_cast<std::size_t>(std::min<std::uint64_t>(offset + done - m_Inflater.Position(), DiscardBytes));
    const std::size_t got = m_Inflater.Read(m_Discard.data(), piece);
    AppendToScratch(m_Discard.data(), got);
    AddSpacedPointIfDue();
    if (got < piece)
    {
      return done;
    }
  }
  while (m_Scratch >= 0 && done < bytes)
  {
    const std::size_t piece = std::min(bytes - done, PieceBytes);
    const std::size_t got = m_Inflater.Read(destination + done, piece);
    AppendToScratch(destination + done, got);
    done += got;
    AddSpacedPointIfDue();
    if (got < piece)
    {
      return done;
    }
  }
  if (done < bytes) // the scratch failed on the way: the points take over
  {
    done += Read(offset + done, destination + done, bytes - done);
  }
  return done;
}

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
  if (m_Scratch >= 0)
  {
    return ReadWithScratch(offset, static_cast<unsigned char *>(destination), bytes);
  }
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
  // With a scratch the inflater stands at its end, and the data's end is reached once.
  return m_Inflater.Finish();
}

} // namespace detail
} // namespace voxelkl
