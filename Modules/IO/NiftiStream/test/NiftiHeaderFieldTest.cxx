// Each invalid NIfTI-1 header field is refused by name, by the stream and by NiftiImageIO
// claiming every NIfTI file (what the executables register): niftilib never sees it.
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/NiftiVolumeStream.h"

#include "NiftiTestFiles.h"
#include "voxelkl/Errors.h"

#include "nifti1.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <functional>

namespace
{

namespace vt = voxelkl::test;
using voxelkl::InputError;
using voxelkl::NiftiVolumeStream;

const std::array<std::size_t, 4> Size{ 5, 4, 3, 6 };
constexpr std::size_t            Voxels = 5 * 4 * 3 * 6;

std::string
StreamError(const std::string & path)
{
  try
  {
    NiftiVolumeStream::Verify(path);
  }
  catch (const InputError & e)
  {
    return e.what();
  }
  return "(no error)";
}

std::string
ImageIOError(const std::string & path)
{
  auto io = voxelkl::NiftiImageIO::New();
  io->SetClaim(voxelkl::NiftiClaim::EveryNiftiFile);
  EXPECT_TRUE(io->CanReadFile(path.c_str())) << path;
  try
  {
    using Image = itk::Image<float, 4>;
    auto reader = itk::ImageFileReader<Image>::New();
    reader->SetImageIO(io);
    reader->SetFileName(path);
    reader->Update();
  }
  catch (const itk::ExceptionObject & e)
  {
    return e.GetDescription();
  }
  return "(no error)";
}

class NiftiHeaderFields : public ::testing::Test
{
protected:
  vt::TempDirectory          dir;
  std::vector<unsigned char> good;

  void
  SetUp() override
  {
    const std::string path = dir.File("good.nii");
    vt::WriteWithItk<short, 4>(path, Size, vt::RandomValues<short>(Voxels, 7));
    good = vt::ReadBytes(path);
    ASSERT_EQ(StreamError(path), "(no error)");
    ASSERT_EQ(ImageIOError(path), "(no error)");
  }

  // Writes good with patch applied as NAME.nii; both readers must name the problem.
  void
  ExpectRefused(const std::string &                                       name,
                const std::function<void(std::vector<unsigned char> &)> & patch,
                const std::string &                                       problem)
  {
    auto bytes = good;
    patch(bytes);
    const std::string path = dir.File(name + ".nii");
    vt::WriteBytes(path, bytes);
    EXPECT_EQ(StreamError(path), path + ": " + problem) << name;
    EXPECT_NE(ImageIOError(path).find(path + ": " + problem), std::string::npos) << name << ": " << ImageIOError(path);
  }
};

#define AT(field) offsetof(nifti_1_header, field)

TEST_F(NiftiHeaderFields, SizeofHdrMagicDimAndBitpix)
{
  ExpectRefused(
    "sizeof349",
    [](auto & b) { vt::PatchShort(b, AT(sizeof_hdr), 349); },
    "invalid NIfTI header: sizeof_hdr 349 is not 348 (not a NIfTI-1 file)");
  ExpectRefused(
    "magic",
    [](auto & b) { b[AT(magic)] = 'x'; },
    "invalid NIfTI header: magic is not \"n+1\" (not a NIfTI-1 file; Analyze 7.5 is not supported)");
  ExpectRefused(
    "dim0_0", [](auto & b) { vt::PatchShort(b, AT(dim), 0); }, "invalid NIfTI header: dim[0] 0 is not 1..7");
  ExpectRefused(
    "dim0_8", [](auto & b) { vt::PatchShort(b, AT(dim), 8); }, "invalid NIfTI header: dim[0] 8 is not 1..7");
  ExpectRefused(
    "dim2_neg",
    [](auto & b) { vt::PatchShort(b, AT(dim) + 2 * sizeof(short), -4); },
    "invalid NIfTI header: dim[2] -4 is not positive");
  ExpectRefused(
    "dim4_neg",
    [](auto & b) { vt::PatchShort(b, AT(dim) + 4 * sizeof(short), -6); },
    "invalid NIfTI header: dim[4] -6 is not positive");
  ExpectRefused(
    "bitpix",
    [](auto & b) { vt::PatchShort(b, AT(bitpix), 32); },
    "invalid NIfTI header: bitpix 32 does not match datatype 4 (int16, 16 bits)");
}

TEST_F(NiftiHeaderFields, VoxOffset)
{
  const struct
  {
    const char * name;
    float        value;
    const char * problem;
  } cases[] = { { "off0", 0.0f, "vox_offset 0 is below 352" },
                { "off348", 348.0f, "vox_offset 348 is below 352" },
                { "offneg", -4.0f, "vox_offset -4 is below 352" },
                { "offnan", std::nanf(""), "vox_offset is nan (not finite)" },
                { "offhalf", 352.5f, "vox_offset 352.5 is not a whole number of bytes" } };
  for (const auto & c : cases)
  {
    ExpectRefused(
      c.name,
      [&c](auto & b) { vt::PatchFloat(b, AT(vox_offset), c.value); },
      std::string("invalid NIfTI header: ") + c.problem);
  }
}

TEST_F(NiftiHeaderFields, PixdimQformAndSform)
{
  ExpectRefused(
    "pixdimnan",
    [](auto & b) { vt::PatchFloat(b, AT(pixdim) + 2 * sizeof(float), std::nanf("")); },
    "invalid NIfTI header: pixdim[2] is nan (not finite)");
  const auto sform = [](std::size_t offset, float value) {
    return [offset, value](std::vector<unsigned char> & b) {
      vt::PatchShort(b, AT(sform_code), 1);
      vt::PatchFloat(b, offset, value);
    };
  };
  ExpectRefused(
    "sformnan", sform(AT(srow_y) + 4, std::nanf("")), "invalid NIfTI header: srow_y[1] is nan (not finite)");
  ExpectRefused("sforminf",
                sform(AT(srow_z) + 12, std::numeric_limits<float>::infinity()),
                "invalid NIfTI header: srow_z[3] is inf (not finite)");
  ExpectRefused("sformhuge",
                sform(AT(srow_x) + 12, std::ldexp(1.0f, 127)),
                "invalid NIfTI header: srow_x[3] 1.70141183e+38 is beyond +-1e9 mm");
  ExpectRefused(
    "qformnan",
    [](auto & b) {
      vt::PatchShort(b, AT(qform_code), 1);
      vt::PatchFloat(b, AT(qoffset_y), std::nanf(""));
    },
    "invalid NIfTI header: qoffset_y is nan (not finite)");
}

TEST_F(NiftiHeaderFields, TruncatedNii)
{
  const std::string path = dir.File("cut.nii");
  vt::WriteBytes(path, std::vector<unsigned char>(good.begin(), good.end() - 1));
  EXPECT_NE(StreamError(path).find("truncated"), std::string::npos) << StreamError(path);
  EXPECT_NE(ImageIOError(path).find(path + ": truncated: the header describes " + std::to_string(good.size()) +
                                    " bytes, the file has " + std::to_string(good.size() - 1)),
            std::string::npos)
    << ImageIOError(path);
}

// Early: the fault is within the first inflated chunk (a small file); late: past a 1 MiB
// chunk (random voxels do not compress), found only at the end of the stream.
TEST_F(NiftiHeaderFields, TruncatedAndBadCrcGzipEarlyAndLate)
{
  const std::string bigPath = dir.File("big.nii");
  vt::WriteWithItk<float, 4>(bigPath, { 64, 64, 16, 8 }, vt::RandomValues<float>(64 * 64 * 16 * 8, 3));
  const auto big = vt::ReadBytes(bigPath);
  for (const auto & [name, nii] :
       { std::make_pair(std::string("early"), good), std::make_pair(std::string("late"), big) })
  {
    const std::string whole = dir.File(name + "_whole.nii.gz");
    vt::WriteGzip(whole, nii);
    const auto gz = vt::ReadBytes(whole);

    const std::string cut = dir.File(name + "_cut.nii.gz");
    vt::WriteBytes(cut, std::vector<unsigned char>(gz.begin(), gz.end() - 6));
    EXPECT_NE(StreamError(cut).find("truncated"), std::string::npos) << StreamError(cut);
    EXPECT_NE(ImageIOError(cut).find("truncated"), std::string::npos) << ImageIOError(cut);

    auto crc = gz;
    crc[crc.size() - 8] ^= 0x5A;
    const std::string bad = dir.File(name + "_crc.nii.gz");
    vt::WriteBytes(bad, crc);
    EXPECT_NE(StreamError(bad).find("CRC"), std::string::npos) << StreamError(bad);
    EXPECT_NE(ImageIOError(bad).find("CRC"), std::string::npos) << ImageIOError(bad);
  }
}

// Deflate expands at most 1032:1: a header that claims more voxel bytes than that is
// refused before anything is allocated or inflated (it took 14 s and 8.6 GB to find a 24 KB
// file claiming 8 GB "truncated"), while a real file of constant voxels, compressed as well
// as zlib can, still reads. Several members are bounded by the same ratio.
TEST_F(NiftiHeaderFields, GzipClaimingMoreThanDeflateCanHoldIsRefusedUpFront)
{
  const auto writeGzip9 = [](const std::string & path, const std::vector<unsigned char> & bytes) {
    gzFile file = gzopen(path.c_str(), "wb9");
    ASSERT_NE(file, nullptr);
    ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
    gzclose(file);
  };
  // Constant voxels at level 9: about 1030:1, just inside the bound.
  const std::string constantNii = dir.File("constant.nii");
  vt::WriteWithItk<float, 4>(constantNii, { 128, 128, 64, 4 }, std::vector<float>(128 * 128 * 64 * 4, 0.0f));
  const std::string constant = dir.File("constant.nii.gz");
  writeGzip9(constant, vt::ReadBytes(constantNii));
  EXPECT_EQ(StreamError(constant), "(no error)");
  EXPECT_EQ(ImageIOError(constant), "(no error)");

  // good's header claiming 1000x1000x100x20 int16 (4 GB), followed by 20 MiB of zeros.
  std::vector<unsigned char> bomb(good.begin(), good.begin() + 352);
  for (const auto & [index, value] : { std::pair<int, short>{ 1, 1000 }, { 2, 1000 }, { 3, 100 }, { 4, 20 } })
  {
    std::memcpy(bomb.data() + AT(dim) + 2 * index, &value, sizeof(value));
  }
  bomb.resize(352 + (std::size_t{ 20 } << 20), 0);
  const std::string claimed = std::to_string(352 + std::uint64_t{ 1000 } * 1000 * 100 * 20 * 2);
  const std::string one = dir.File("bomb.nii.gz");
  writeGzip9(one, bomb);
  // Three members, as `cat a.gz b.gz c.gz` makes them.
  const std::string three = dir.File("bomb3.nii.gz");
  {
    std::vector<unsigned char> members;
    for (std::size_t part = 0; part < 3; ++part)
    {
      const std::size_t begin = part * bomb.size() / 3, end = (part + 1) * bomb.size() / 3;
      const std::string member = dir.File("member.gz");
      writeGzip9(member, std::vector<unsigned char>(bomb.begin() + begin, bomb.begin() + end));
      const auto bytes = vt::ReadBytes(member);
      members.insert(members.end(), bytes.begin(), bytes.end());
    }
    vt::WriteBytes(three, members);
  }
  for (const std::string & path : { one, three })
  {
    const std::string expected =
      path + ": the header describes " + claimed + " bytes of data, more than a gzip file of " +
      std::to_string(std::filesystem::file_size(path)) + " bytes can hold (deflate expands at most 1032:1)";
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(StreamError(path).rfind(expected, 0), 0u) << StreamError(path);
    EXPECT_NE(ImageIOError(path).find(expected), std::string::npos) << ImageIOError(path);
    // Refused from the header and the file's size: nothing was inflated.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  }
}

} // namespace
