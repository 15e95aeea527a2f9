// Streamed reads through voxelkl::NiftiImageIO: every piece of a StreamingImageFilter, and
// regions asked for by hand in random order, equal the same voxels of one whole read; a
// streamed .nii.gz is inflated once (the decoded scratch), or about twice through the
// access-point index (scratch off, or failing), not once per piece.
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/NiftiVolumeStream.h"

#include "NiftiTestFiles.h"

#include "itkImageRegionSplitterDirection.h"
#include "itkPipelineMonitorImageFilter.h"
#include "itkStreamingImageFilter.h"

#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <random>
#include <utility>

namespace
{

namespace vt = voxelkl::test;
using ImageType = itk::Image<float, 4>;

// 40 slices split 16 ways by ITK's splitter: 14 pieces of 3 slices (itk-streaming.md).
const std::array<std::size_t, 4> Size{ 24, 20, 40, 50 };
constexpr std::size_t            Voxels = 24 * 20 * 40 * 50;
constexpr std::size_t            DataBytes = Voxels * sizeof(float);

std::vector<float>
WholeWithStream(const std::string & path)
{
  voxelkl::NiftiVolumeStream stream(path);
  std::vector<float>         values(Voxels);
  stream.ReadVolumes(stream.VolumeCount(), values.data());
  return values;
}

struct StreamedRead
{
  std::vector<float> values;
  unsigned           pieces{ 0 };
};

/** reader(io) -> monitor -> StreamingImageFilter(16 divisions, in z: t is kept whole, as a
 * 4D -> 3D reduction asks for it). */
StreamedRead
ReadIn16ZSlabs(const std::string & path, voxelkl::NiftiImageIO * io)
{
  auto reader = itk::ImageFileReader<ImageType>::New();
  reader->SetFileName(path);
  reader->SetImageIO(io);
  auto monitor = itk::PipelineMonitorImageFilter<ImageType>::New();
  monitor->SetInput(reader->GetOutput());
  auto splitter = itk::ImageRegionSplitterDirection::New();
  splitter->SetDirection(3);
  auto streamer = itk::StreamingImageFilter<ImageType, ImageType>::New();
  streamer->SetInput(monitor->GetOutput());
  streamer->SetNumberOfStreamDivisions(16);
  streamer->SetRegionSplitter(splitter);
  streamer->Update();
  const ImageType * image = streamer->GetOutput();
  StreamedRead      read;
  read.values.assign(image->GetBufferPointer(),
                     image->GetBufferPointer() + image->GetBufferedRegion().GetNumberOfPixels());
  read.pieces = monitor->GetNumberOfUpdates();
  for (const auto & region : monitor->GetUpdatedBufferedRegions())
  {
    EXPECT_EQ(region.GetSize(3), Size[3]) << "pieces keep t whole";
    EXPECT_LE(region.GetSize(2), 3u) << "pieces are z slabs";
  }
  return read;
}

void
ExpectSameBits(const std::vector<float> & expected, const std::vector<float> & actual, const std::string & what)
{
  ASSERT_EQ(expected.size(), actual.size()) << what;
  const long long at = vt::FirstBitwiseDifference(expected, actual);
  EXPECT_EQ(at, -1) << what << ": first difference at voxel " << at;
}

class NiftiImageIOStreaming : public ::testing::Test
{
protected:
  void
  SetUp() override
  {
    auto values = vt::RandomValues<float>(Voxels, 11);
    values[12345] = std::numeric_limits<float>::quiet_NaN();
    vt::WriteWithItk<float, 4>(nii, Size, values);
    vt::WriteGzip(gz, vt::ReadBytes(nii));
    whole = WholeWithStream(gz);
  }

  vt::TempDirectory  dir;
  const std::string  nii = dir.File("series.nii");
  const std::string  gz = dir.File("series_gz.nii.gz");
  std::vector<float> whole;
};

TEST_F(NiftiImageIOStreaming, SixteenZSlabsEqualOneWholeRead)
{
  for (const std::string & path : { nii, gz })
  {
    auto               io = voxelkl::NiftiImageIO::New();
    const StreamedRead read = ReadIn16ZSlabs(path, io);
    EXPECT_EQ(read.pieces, 14u) << path;
    ExpectSameBits(whole, read.values, path + " streamed");
  }
}

TEST_F(NiftiImageIOStreaming, IndexMakesSixteenSlabsCostAboutTwoInflates)
{
  auto io = voxelkl::NiftiImageIO::New();
  io->UseDecodedScratchOff();
  const StreamedRead read = ReadIn16ZSlabs(gz, io);
  ASSERT_EQ(read.pieces, 14u);
  ExpectSameBits(whole, read.values, "streamed through the index");
  EXPECT_FALSE(io->GetUsesDecodedScratch());
  // Without the index every piece inflates the file up to its last slab: ~14 x DataBytes
  // (what ITK's IO costs). With it: the first piece passes over the whole file once (no
  // deflate stream can be skipped without inflating it), every later piece inflates only its
  // own slabs, from the point where the piece before stopped: (1 + 13/14) x DataBytes.
  EXPECT_GE(io->GetInflatedBytes(), DataBytes);
  EXPECT_LT(io->GetInflatedBytes(), 2 * DataBytes + DataBytes / 20) << io->GetInflatedBytes() << " bytes inflated";
  EXPECT_GT(io->GetNumberOfAccessPoints(), Size[3]) << "a point where each volume's slab ended";

  // Kept across reads of the same file: the same pipeline again costs no first pass, only
  // the slabs themselves.
  const std::uint64_t before = io->GetInflatedBytes();
  ExpectSameBits(whole, ReadIn16ZSlabs(gz, io).values, "second streamed read");
  EXPECT_LT(io->GetInflatedBytes() - before, DataBytes + DataBytes / 20)
    << io->GetInflatedBytes() - before << " bytes inflated";
}

TEST_F(NiftiImageIOStreaming, ScratchMakesSixteenSlabsCostOneInflate)
{
  auto               io = voxelkl::NiftiImageIO::New(); // the scratch is on by default
  const StreamedRead read = ReadIn16ZSlabs(gz, io);
  ASSERT_EQ(read.pieces, 14u);
  ExpectSameBits(whole, read.values, "streamed through the scratch");
  EXPECT_TRUE(io->GetUsesDecodedScratch());
  // Inflated once, up to the last voxel (the header's 352 bytes come first).
  EXPECT_EQ(io->GetInflatedBytes(), DataBytes + 352);
  // Again: everything from the scratch, nothing inflated.
  const std::uint64_t before = io->GetInflatedBytes();
  ExpectSameBits(whole, ReadIn16ZSlabs(gz, io).values, "second streamed read");
  EXPECT_EQ(io->GetInflatedBytes(), before);
}

TEST_F(NiftiImageIOStreaming, WholeReadsMakeNoScratch)
{
  auto reader = itk::ImageFileReader<ImageType>::New();
  auto io = voxelkl::NiftiImageIO::New();
  reader->SetFileName(gz);
  reader->SetImageIO(io);
  reader->Update();
  EXPECT_FALSE(io->GetUsesDecodedScratch());
  EXPECT_EQ(io->GetInflatedBytes(), DataBytes + 352);
}

TEST_F(NiftiImageIOStreaming, ScratchWithoutRoomFallsBackToTheIndex)
{
  // TMPDIR that does not exist: no scratch; a file size limit of 1 MiB: the scratch's
  // writes fail part way (EFBIG), and the pieces go on through the access points. The same
  // bits either way.
  const char *      previous = std::getenv("TMPDIR");
  const std::string saved = previous != nullptr ? previous : "";
  setenv("TMPDIR", dir.File("no-such-directory").c_str(), 1);
  {
    auto io = voxelkl::NiftiImageIO::New();
    ExpectSameBits(whole, ReadIn16ZSlabs(gz, io).values, "without a TMPDIR");
    EXPECT_FALSE(io->GetUsesDecodedScratch());
  }
  const std::string scratchDirectory = dir.File("scratch");
  ASSERT_EQ(mkdir(scratchDirectory.c_str(), 0700), 0);
  setenv("TMPDIR", scratchDirectory.c_str(), 1);
  {
    auto   io = voxelkl::NiftiImageIO::New();
    rlimit before{};
    rlimit limited{};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &before), 0);
    limited = before;
    limited.rlim_cur = 1 << 20;
    const auto previousHandler = std::signal(SIGXFSZ, SIG_IGN); // EFBIG, not a signal
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
    const StreamedRead read = ReadIn16ZSlabs(gz, io);
    setrlimit(RLIMIT_FSIZE, &before);
    std::signal(SIGXFSZ, previousHandler);
    ExpectSameBits(whole, read.values, "with a scratch that fails");
    EXPECT_FALSE(io->GetUsesDecodedScratch()) << "closed on the failed write";
    EXPECT_GT(io->GetInflatedBytes(), DataBytes + 352) << "the points took over";
  }
  if (previous != nullptr)
    setenv("TMPDIR", saved.c_str(), 1);
  else
    unsetenv("TMPDIR");
}

TEST_F(NiftiImageIOStreaming, RegionsByHandInRandomOrder)
{
  // The .nii.gz with the scratch (reads behind and ahead of the inflater) and without it.
  const std::pair<std::string, bool> runs[] = { { nii, false }, { gz, true }, { gz, false } };
  for (const auto & [path, scratch] : runs)
  {
    auto io = voxelkl::NiftiImageIO::New();
    io->SetAccessPointSpacing(256 * 1024);
    io->SetUseDecodedScratch(scratch);
    io->SetFileName(path);
    io->ReadImageInformation();
    ASSERT_EQ(io->GetComponentType(), itk::IOComponentEnum::FLOAT);
    std::mt19937 engine(12);
    for (int i = 0; i < 60; ++i)
    {
      itk::ImageIORegion region(4);
      std::size_t        count = 1;
      for (unsigned d = 0; d < 4; ++d)
      {
        std::uniform_int_distribution<std::size_t> first(0, Size[d] - 1);
        const std::size_t                          index = first(engine);
        std::uniform_int_distribution<std::size_t> length(1, Size[d] - index);
        // Now and then the whole axis, so that runs of several rows and slices occur.
        const std::size_t size = i % 3 == 0 && d < 2 ? Size[d] : length(engine);
        region.SetIndex(d, i % 3 == 0 && d < 2 ? 0 : static_cast<itk::IndexValueType>(index));
        region.SetSize(d, size);
        count *= size;
      }
      io->SetIORegion(region);
      std::vector<float> got(count);
      io->Read(got.data());
      std::vector<float> expected;
      expected.reserve(count);
      for (std::size_t t = 0; t < region.GetSize(3); ++t)
        for (std::size_t z = 0; z < region.GetSize(2); ++z)
          for (std::size_t y = 0; y < region.GetSize(1); ++y)
            for (std::size_t x = 0; x < region.GetSize(0); ++x)
            {
              const std::size_t gx = x + region.GetIndex(0), gy = y + region.GetIndex(1), gz_ = z + region.GetIndex(2),
                                gt = t + region.GetIndex(3);
              expected.push_back(whole[((gt * Size[2] + gz_) * Size[1] + gy) * Size[0] + gx]);
            }
      ExpectSameBits(expected, got, path + " region " + std::to_string(i));
    }
  }
}

TEST_F(NiftiImageIOStreaming, DamagedGzipNamesFileAndProblem)
{
  const auto bytes = vt::ReadBytes(gz);
  const struct
  {
    std::string                name;
    std::vector<unsigned char> bytes;
    const char *               problem;
  } cases[] = {
    { "cut_gz.nii.gz", std::vector<unsigned char>(bytes.begin(), bytes.begin() + bytes.size() / 2), "truncated" },
    { "notrailer_gz.nii.gz", std::vector<unsigned char>(bytes.begin(), bytes.end() - 8), "truncated" },
    { "badcrc_gz.nii.gz",
      [&bytes] {
        auto bad = bytes;
        bad[bad.size() - 6] ^= 0x40;
        return bad;
      }(),
      "CRC mismatch" },
  };
  for (const auto & c : cases)
  {
    const std::string path = dir.File(c.name);
    vt::WriteBytes(path, c.bytes);
    std::string message;
    try
    {
      ReadIn16ZSlabs(path, voxelkl::NiftiImageIO::New());
    }
    catch (const itk::ExceptionObject & e)
    {
      message = e.GetDescription();
    }
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(c.problem), std::string::npos) << message;
  }
}

} // namespace
