// The ISA-L inflater and its access-point index against the bytes that zlib compressed:
// multi-member files, trailer checks, and reads at random offsets in random order.
#include "GzipInflater.h"
#include "GzipIndex.h"
#include "NiftiTestFiles.h"
#include "SequentialFile.h"
#include "voxelkl/Errors.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <random>

namespace
{

namespace vt = voxelkl::test;
using voxelkl::InputError;
using voxelkl::detail::GzipIndex;
using voxelkl::detail::SequentialFile;

/** Bytes that compress like image data: a slow random walk of floats with noise. */
std::vector<unsigned char>
ImageLikeBytes(std::size_t bytes, unsigned seed)
{
  std::mt19937                    engine(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float>              values(bytes / sizeof(float));
  float                           level = 1000.0f;
  for (float & v : values)
  {
    level += 0.01f * noise(engine);
    v = std::round(level + 5.0f * noise(engine));
  }
  std::vector<unsigned char> out(bytes);
  std::memcpy(out.data(), values.data(), values.size() * sizeof(float));
  return out;
}

/** gzip members of the given sizes, one after the other (as `cat a.gz b.gz` makes). */
std::vector<unsigned char>
GzipMembers(const vt::TempDirectory &          dir,
            const std::vector<unsigned char> & content,
            const std::vector<std::size_t> &   sizes)
{
  std::vector<unsigned char> file;
  std::size_t                at = 0;
  for (std::size_t i = 0; i < sizes.size(); ++i)
  {
    const std::string member = dir.File("member" + std::to_string(i) + ".gz");
    vt::WriteGzip(member,
                  std::vector<unsigned char>(content.begin() + static_cast<std::ptrdiff_t>(at),
                                             content.begin() + static_cast<std::ptrdiff_t>(at + sizes[i])));
    const auto bytes = vt::ReadBytes(member);
    file.insert(file.end(), bytes.begin(), bytes.end());
    at += sizes[i];
  }
  return file;
}

std::vector<unsigned char>
InflateAll(const std::string & path)
{
  SequentialFile             file(path);
  std::vector<unsigned char> out;
  unsigned char              piece[70000];
  for (std::size_t got; (got = file.Read(piece, sizeof(piece))) > 0;)
  {
    out.insert(out.end(), piece, piece + got);
  }
  EXPECT_FALSE(file.Truncated()) << path;
  return out;
}

std::string
ErrorOfInflateAll(const std::string & path)
{
  try
  {
    SequentialFile             file(path);
    std::vector<unsigned char> piece(1 << 20);
    while (file.Read(piece.data(), piece.size()) > 0)
    {
    }
    return file.Truncated() ? "truncated" : (file.Finish() ? "" : "truncated at finish");
  }
  catch (const InputError & e)
  {
    return e.what();
  }
}

TEST(GzipInflater, InflatesEveryMemberOfAMultiMemberFile)
{
  vt::TempDirectory dir;
  const auto        content = ImageLikeBytes(3'000'000, 1);
  const std::string path = dir.File("three.gz");
  vt::WriteBytes(path, GzipMembers(dir, content, { 1'000'003, 17, 1'999'980 }));
  EXPECT_EQ(InflateAll(path), content);
}

TEST(GzipInflater, IgnoresBytesAfterTheLastMemberLikeZlib)
{
  vt::TempDirectory dir;
  const auto        content = ImageLikeBytes(200'000, 2);
  auto              file = GzipMembers(dir, content, { 200'000 });
  file.insert(file.end(), { 0, 0, 0, 0, 'j', 'u', 'n', 'k' });
  const std::string path = dir.File("padded.gz");
  vt::WriteBytes(path, file);
  EXPECT_EQ(InflateAll(path), content);
}

TEST(GzipInflater, ChecksCrcAndLengthOfEveryMember)
{
  vt::TempDirectory dir;
  const auto        content = ImageLikeBytes(400'000, 3);
  const auto        good = GzipMembers(dir, content, { 150'000, 250'000 });
  const auto        first = GzipMembers(dir, content, { 150'000 }).size();
  // CRC32 of the first member, ISIZE of the last: the 8 trailer bytes are CRC32, ISIZE.
  for (const std::size_t at : { first - 8, good.size() - 2 })
  {
    auto bad = good;
    bad[at] ^= 0x01;
    const std::string path = dir.File("bad" + std::to_string(at) + ".gz");
    vt::WriteBytes(path, bad);
    const std::string message = ErrorOfInflateAll(path);
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("corrupt compressed data (CRC mismatch"), std::string::npos) << message;
  }
  for (const std::size_t keep : { good.size() - 1, good.size() - 8, first + 5, first - 3, std::size_t{ 5 } })
  {
    const std::string path = dir.File("cut" + std::to_string(keep) + ".gz");
    vt::WriteBytes(path, std::vector<unsigned char>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(keep)));
    EXPECT_NE(ErrorOfInflateAll(path).find("truncated"), std::string::npos) << keep;
  }
}

TEST(GzipIndex, ReadsRandomRangesInRandomOrderFromAccessPoints)
{
  vt::TempDirectory dir;
  const auto        content = ImageLikeBytes(6'000'000, 4);
  const std::string path = dir.File("random.gz");
  vt::WriteBytes(path, GzipMembers(dir, content, { 2'500'000, 3'500'000 }));
  GzipIndex index(path, 256 * 1024);

  std::mt19937_64                            engine(5);
  std::uniform_int_distribution<std::size_t> offset(0, content.size() - 1);
  std::uniform_int_distribution<std::size_t> length(1, 300'000);
  std::vector<unsigned char>                 piece;
  std::uint64_t                              requested = 0;
  for (int i = 0; i < 200; ++i)
  {
    const std::size_t at = offset(engine);
    const std::size_t bytes = std::min(length(engine), content.size() - at);
    requested += bytes;
    piece.assign(bytes, 0xee);
    ASSERT_EQ(index.Read(at, piece.data(), bytes), bytes) << at;
    ASSERT_TRUE(std::equal(piece.begin(), piece.end(), content.begin() + static_cast<std::ptrdiff_t>(at)))
      << "read " << i << " at " << at << " of " << bytes;
  }
  EXPECT_GE(index.NumberOfAccessPoints(), content.size() / (256 * 1024));
  // Points are at most 256 KiB + one 1 MiB piece apart, so each read costs at most that
  // beyond its own bytes (plus one pass over the file): about half of what inflating from
  // the start each time costs (~200 x 3 MB).
  EXPECT_LT(index.InflatedBytes(), content.size() + requested + 200 * (256 * 1024 + 1024 * 1024));
  // Past the end: a short read.
  EXPECT_EQ(index.Read(content.size() - 10, piece.data(), 100), 10u);
  EXPECT_TRUE(index.Finish());
}

// A gzip header may carry its own CRC16 (FHCRC, RFC 1952 2.3.1): a bad one is named as the
// header's, not as the trailer's CRC32. ISA-L reports both with one error code.
TEST(GzipInflater, BadHeaderCrc16IsNamedAsTheHeaders)
{
  vt::TempDirectory          dir;
  const auto                 content = ImageLikeBytes(50'000, 4);
  std::vector<unsigned char> deflated(compressBound(content.size()) + 64);
  z_stream                   stream{};
  ASSERT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK); // raw deflate
  stream.next_in = const_cast<unsigned char *>(content.data());
  stream.avail_in = static_cast<uInt>(content.size());
  stream.next_out = deflated.data();
  stream.avail_out = static_cast<uInt>(deflated.size());
  ASSERT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  deflated.resize(stream.total_out);
  deflateEnd(&stream);
  const std::vector<unsigned char> header{ 0x1f, 0x8b, 8, 0x02 /* FHCRC */, 0, 0, 0, 0, 0, 3 };
  const uLong                      headerCrc = crc32(0, header.data(), static_cast<uInt>(header.size()));
  const uLong                      dataCrc = crc32(0, content.data(), static_cast<uInt>(content.size()));
  const auto                       file = [&](unsigned crc16) {
    std::vector<unsigned char> bytes = header;
    bytes.push_back(static_cast<unsigned char>(crc16 & 0xff));
    bytes.push_back(static_cast<unsigned char>((crc16 >> 8) & 0xff));
    bytes.insert(bytes.end(), deflated.begin(), deflated.end());
    for (const uLong value : { dataCrc, static_cast<uLong>(content.size()) })
    {
      for (int i = 0; i < 4; ++i)
      {
        bytes.push_back(static_cast<unsigned char>((value >> (8 * i)) & 0xff));
      }
    }
    return bytes;
  };
  const std::string good = dir.File("hcrc.gz");
  vt::WriteBytes(good, file(headerCrc & 0xffff));
  EXPECT_EQ(InflateAll(good), content);

  const std::string bad = dir.File("bad_hcrc.gz");
  vt::WriteBytes(bad, file((headerCrc & 0xffff) ^ 0x00ff));
  const std::string message = ErrorOfInflateAll(bad);
  EXPECT_NE(message.find(bad + ": corrupt compressed data (CRC mismatch: the gzip header's CRC16"), std::string::npos)
    << message;
  EXPECT_EQ(message.find("CRC32"), std::string::npos) << message;
}

} // namespace
