#include "GzipInflater.h"

#include "voxelkl/Errors.h"

#include <isa-l/igzip_lib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <limits>
#include <type_traits>

namespace voxelkl
{
namespace detail
{
namespace
{

static_assert(std::is_same_v<decltype(inflate_state::tmp_out_valid), std::int32_t> &&
                std::is_same_v<decltype(inflate_state::tmp_out_processed), std::int32_t>,
              "Snapshot patches the history counters as int32_t");

// Compressed input is read in pieces of up to MaxRefillBytes: larger pieces gain nothing
// (inflate, not pread, is the bound). After a Restore the first piece is small and the
// next ones double: a region read resumes at hundreds of points and inflates a few tens
// of KiB from each, so a full-size first read would copy far more than it uses.
constexpr std::size_t MaxRefillBytes = 512 * 1024;
constexpr std::size_t FirstRefillAfterRestore = 32 * 1024;
constexpr std::size_t DiscardBytes = 1024 * 1024;
// Output per isal_inflate call. ISA-L computes the CRC32 of each call's output at the end of
// the call: when the call fills a whole block of volumes (32 MiB) that pass reads it back
// from memory, when it fills 256 KiB the bytes are still in the L2 cache. Measured on the
// benchmark pair (perf, 2000 Hz): CRC and ISA-L's per-call copy took 571 samples with one
// call per block, 345 at 1 MiB, 296 at 512 KiB, 249 at 256 KiB.
constexpr std::size_t OutputPerCall = 256 * 1024;

// The fixed part of the state, up to its history buffer, of which a snapshot keeps only the
// valid bytes. inflate_state is a C struct (standard layout): offsetof is well defined.
constexpr std::size_t FixedStateBytes = offsetof(inflate_state, tmp_out_buffer);

const char *
IsalErrorText(int error)
{
  switch (error)
  {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "back-reference before the start of the data";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "gzip compression method is not deflate";
    case ISAL_INCORRECT_CHECKSUM:
      return "CRC mismatch: the gzip trailer's CRC32 or length (ISIZE) differs from the inflated data";
    default:
      return "ISA-L error";
  }
}

} // namespace

GzipInflater::GzipInflater(int fileDescriptor, std::string path)
  : m_FileDescriptor(fileDescriptor)
  , m_Path(std::move(path))
  , m_State(std::make_unique<inflate_state>())
  , m_Input(MaxRefillBytes)
  , m_RefillBytes(MaxRefillBytes)
{
  isal_inflate_init(m_State.get());
  // ISAL_GZIP: isal_inflate parses the gzip header itself and checks CRC32 and ISIZE.
  m_State->crc_flag = ISAL_GZIP;
  m_State->next_in = m_Input.data();
  m_State->avail_in = 0;
}

GzipInflater::~GzipInflater() = default;

void
GzipInflater::Refill()
{
  inflate_state & s = *m_State;
  // Unconsumed input (a few bytes at most: isal_inflate takes all it is given unless the
  // output is full) moves to the front.
  std::memmove(m_Input.data(), s.next_in, s.avail_in);
  s.next_in = m_Input.data();
  const std::size_t room = std::min(m_RefillBytes, m_Input.size() - s.avail_in);
  m_RefillBytes = std::min(2 * m_RefillBytes, MaxRefillBytes);
  ssize_t got;
  do
  {
    got = pread(m_FileDescriptor, m_Input.data() + s.avail_in, room, static_cast<off_t>(m_ReadOffset));
  } while (got < 0 && errno == EINTR);
  if (got < 0)
  {
    throw InputError(m_Path, std::string("read error: ") + std::strerror(errno));
  }
  if (got == 0)
  {
    m_InputEnd = true;
  }
  s.avail_in += static_cast<std::uint32_t>(got);
  m_ReadOffset += static_cast<std::uint64_t>(got);
}

void
GzipInflater::StartNextMemberOrEnd()
{
  inflate_state & s = *m_State;
  while (s.avail_in < 2 && !m_InputEnd)
  {
    Refill();
  }
  // Another member starts with the gzip magic; anything else after a complete member is
  // ignored, as gzip -d ("trailing garbage ignored") and zlib's gzread do.
  if (s.avail_in >= 2 && s.next_in[0] == 0x1f && s.next_in[1] == 0x8b)
  {
    isal_inflate_reset(&s); // keeps crc_flag: the next header is parsed and checked too
    return;
  }
  m_End = true;
}

std::size_t
GzipInflater::Read(void * out, std::size_t bytes)
{
  inflate_state & s = *m_State;
  auto *          destination = static_cast<unsigned char *>(out);
  std::size_t     produced = 0;
  while (produced < bytes && !m_End && !m_Truncated)
  {
    if (s.block_state == ISAL_BLOCK_FINISH)
    {
      StartNextMemberOrEnd();
      continue;
    }
    if (s.avail_in == 0 && !m_InputEnd)
    {
      Refill();
    }
    const std::size_t want = std::min(bytes - produced, OutputPerCall);
    s.next_out = destination + produced;
    s.avail_out = static_cast<std::uint32_t>(want);
    const std::uint32_t inputBefore = s.avail_in;
    const int           status = isal_inflate(&s);
    const std::size_t   got = want - s.avail_out;
    produced += got;
    m_Position += got;
    m_Inflated += got;
    if (status < 0)
    {
      Corrupt(status);
    }
    if (got == 0 && s.avail_in == inputBefore && s.block_state != ISAL_BLOCK_FINISH)
    {
      if (s.avail_in != 0 || !m_InputEnd)
      {
        // Input left and room for output, yet nothing happened: never seen, but a loop
        // without progress must not spin.
        throw InputError(m_Path, "corrupt compressed data (inflate makes no progress)");
      }
      m_Truncated = true; // the member needs bytes the file does not have
    }
  }
  return produced;
}

std::uint64_t
GzipInflater::Skip(std::uint64_t bytes)
{
  if (m_Discard.empty())
  {
    m_Discard.resize(DiscardBytes);
  }
  std::uint64_t skipped = 0;
  while (skipped < bytes)
  {
    const std::size_t piece = static_cast<std::size_t>(std::min<std::uint64_t>(bytes - skipped, m_Discard.size()));
    const std::size_t got = Read(m_Discard.data(), piece);
    skipped += got;
    if (got < piece)
    {
      break;
    }
  }
  return skipped;
}

bool
GzipInflater::Finish()
{
  Skip(std::numeric_limits<std::uint64_t>::max());
  return !m_Truncated;
}

InflateSnapshot
GzipInflater::Snapshot() const
{
  const inflate_state & s = *m_State;
  InflateSnapshot       snapshot;
  snapshot.compressedOffset = m_ReadOffset - s.avail_in;
  snapshot.uncompressedOffset = m_Position;
  // ISA-L's history buffer holds output already delivered, then output still pending. Only
  // the pending bytes and the last 32 KiB (deflate's window, back from where decoding goes on)
  // can still be used: the bytes before both are dropped, the shift isal_inflate itself makes
  // at the end of a call. A point then takes ~21 KiB of state and 32-64 KiB of history.
  const std::size_t valid = std::min(static_cast<std::size_t>(std::max(s.tmp_out_valid, 0)), sizeof(s.tmp_out_buffer));
  const std::size_t keepFrom = static_cast<std::size_t>(
    std::clamp(std::min(s.tmp_out_valid - ISAL_DEF_HIST_SIZE, s.tmp_out_processed), 0, static_cast<int>(valid)));
  const std::size_t history = valid - keepFrom;
  snapshot.state.resize(FixedStateBytes + history);
  std::memcpy(snapshot.state.data(), &s, FixedStateBytes);
  std::memcpy(snapshot.state.data() + FixedStateBytes, s.tmp_out_buffer + keepFrom, history);
  if (keepFrom > 0)
  {
    const auto validNow = static_cast<std::int32_t>(history);
    const auto processedNow = static_cast<std::int32_t>(s.tmp_out_processed - static_cast<std::int32_t>(keepFrom));
    std::memcpy(snapshot.state.data() + offsetof(inflate_state, tmp_out_valid), &validNow, sizeof(validNow));
    std::memcpy(
      snapshot.state.data() + offsetof(inflate_state, tmp_out_processed), &processedNow, sizeof(processedNow));
  }
  return snapshot;
}

void
GzipInflater::Restore(const InflateSnapshot & snapshot)
{
  inflate_state & s = *m_State;
  std::memcpy(&s, snapshot.state.data(), FixedStateBytes);
  std::memcpy(s.tmp_out_buffer, snapshot.state.data() + FixedStateBytes, snapshot.state.size() - FixedStateBytes);
  // The pointers saved with the state are stale: input restarts at the saved offset.
  s.next_in = m_Input.data();
  s.avail_in = 0;
  s.next_out = nullptr;
  s.avail_out = 0;
  m_ReadOffset = snapshot.compressedOffset;
  m_RefillBytes = FirstRefillAfterRestore;
  m_InputEnd = false;
  m_End = false;
  m_Truncated = false;
  m_Position = snapshot.uncompressedOffset;
}

void
GzipInflater::Corrupt(int isalError) const
{
  // ISA-L reports a bad header CRC16 (FHCRC) with the trailer's error code; its wrapper
  // flag tells them apart: it is set once a member's header has been read and checked.
  const bool   inHeader = m_State->wrapper_flag == 0;
  const char * text = isalError == ISAL_INCORRECT_CHECKSUM && inHeader
                        ? "CRC mismatch: the gzip header's CRC16 differs from the header's bytes"
                        : IsalErrorText(isalError);
  throw InputError(m_Path,
                   std::string("corrupt compressed data (") + text + ", near compressed byte " +
                     std::to_string(m_ReadOffset - m_State->avail_in) + ")");
}

} // namespace detail
} // namespace voxelkl
