// Files the stream refuses or that end early: InputError naming the file and the problem.
#include "voxelkl/NiftiVolumeStream.h"

#include "NiftiTestFiles.h"
#include "voxelkl/Errors.h"

#include <gtest/gtest.h>

namespace
{

namespace vt = voxelkl::test;
using voxelkl::InputError;
using voxelkl::NiftiVolumeStream;

const std::array<std::size_t, 4> Size{ 7, 5, 4, 6 };
constexpr std::size_t            Voxels = 7 * 5 * 4 * 6;
constexpr std::size_t            VolumeBytes = 7 * 5 * 4 * 2; // int16
constexpr std::size_t            DataOffset = 352;            // as ITK writes it

/** The message of the InputError that f throws ("" and a failure if none). */
template <typename F>
std::string
InputErrorOf(F && f)
{
  try
  {
    f();
  }
  catch (const InputError & e)
  {
    return e.what();
  }
  catch (const std::exception & e)
  {
    ADD_FAILURE() << "not an InputError: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no exception";
  return "";
}

std::string
OpenError(const std::string & path)
{
  EXPECT_FALSE(NiftiVolumeStream::CanRead(path)) << path;
  return InputErrorOf([&path] { NiftiVolumeStream stream(path); });
}

/** An int16 4D .nii written by ITK, as bytes. */
std::vector<unsigned char>
Int16Nifti(const vt::TempDirectory & dir)
{
  const std::string path = dir.File("itk_int16.nii");
  vt::WriteWithItk<short, 4>(path, Size, vt::RandomValues<short>(Voxels, 31));
  return vt::ReadBytes(path);
}

class NiftiVolumeStreamErrors : public ::testing::Test
{
protected:
  vt::TempDirectory dir;
};

TEST_F(NiftiVolumeStreamErrors, MissingFile)
{
  const std::string path = dir.File("missing.nii.gz");
  const std::string message = OpenError(path);
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("cannot open"), std::string::npos) << message;
}

TEST_F(NiftiVolumeStreamErrors, NotNifti)
{
  const std::vector<unsigned char> text(1000, 'x');
  const std::string                plain = dir.File("text.nii");
  const std::string                gz = dir.File("text_gz.nii.gz");
  const std::string                tiny = dir.File("tiny.nii");
  vt::WriteBytes(plain, text);
  vt::WriteGzip(gz, text);
  vt::WriteBytes(tiny, std::vector<unsigned char>(10, 0));
  for (const std::string & path : { plain, gz, tiny })
  {
    const std::string message = OpenError(path);
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("not a NIfTI-1 file"), std::string::npos) << message;
  }
}

TEST_F(NiftiVolumeStreamErrors, UnsupportedHeaders)
{
  const auto bytes = Int16Nifti(dir);
  struct Case
  {
    const char * name;
    std::size_t  offset;
    short        value;
    const char * problem;
  };
  const Case cases[] = {
    { "complex", 70, 32, "complex voxels" },      // datatype = complex64
    { "rgb", 70, 128, "RGB" },                    // datatype = rgb24
    { "int64", 70, 1024, "not supported" },       // datatype = int64
    { "dims5", 40, 5, "more than 4 dimensions" }, // dim[0] = 5, dim[5] = 3 below
    { "dims2", 40, 2, "only 3D and 4D" },         // dim[0] = 2
    { "nifti2", 0, 540, "NIfTI-2" },              // sizeof_hdr (low half, little-endian)
    { "analyze", 344, 0, "Analyze" },             // magic cleared
  };
  for (const Case & c : cases)
  {
    auto patched = bytes;
    vt::PatchShort(patched, c.offset, c.value);
    if (std::string(c.name) == "dims5")
    {
      vt::PatchShort(patched, 40 + 2 * 5, 3);
    }
    if (std::string(c.name) == "analyze")
    {
      vt::PatchShort(patched, 346, 0);
    }
    const std::string path = dir.File(std::string(c.name) + ".nii");
    vt::WriteBytes(path, patched);
    const std::string message = OpenError(path);
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(c.problem), std::string::npos) << c.name << ": " << message;
  }
}

TEST_F(NiftiVolumeStreamErrors, HeaderImagePairs)
{
  auto bytes = Int16Nifti(dir);
  // By name, whatever the content.
  const std::string hdr = dir.File("pair.hdr");
  vt::WriteBytes(hdr, bytes);
  EXPECT_NE(OpenError(hdr).find("pairs are not supported"), std::string::npos);
  // By magic: "ni1" says the voxels are in a separate .img.
  bytes[345] = 'i';
  const std::string nii = dir.File("pair_magic.nii");
  vt::WriteBytes(nii, bytes);
  const std::string message = OpenError(nii);
  EXPECT_NE(message.find(nii), std::string::npos) << message;
  EXPECT_NE(message.find("pairs are not supported"), std::string::npos) << message;
}

TEST_F(NiftiVolumeStreamErrors, CanReadOnlyNiftiNames)
{
  const std::string mha = dir.File("image.mha");
  vt::WriteWithItk<short, 4>(mha, Size, vt::RandomValues<short>(Voxels, 32));
  EXPECT_FALSE(NiftiVolumeStream::CanRead(mha));
  const std::string nii = dir.File("image.nii");
  vt::WriteBytes(nii, Int16Nifti(dir));
  EXPECT_TRUE(NiftiVolumeStream::CanRead(nii));
  const std::string upper = dir.File("IMAGE_UPPER.NII");
  vt::WriteBytes(upper, Int16Nifti(dir));
  EXPECT_TRUE(NiftiVolumeStream::CanRead(upper));
}

// Reads 1, 3, then 2 volumes; returns the error of the read that fails.
std::string
ReadAllError(const std::string & path)
{
  return InputErrorOf([&path] {
    NiftiVolumeStream  stream(path);
    std::vector<float> out(Voxels);
    stream.ReadVolumes(1, out.data());
    stream.ReadVolumes(3, out.data());
    stream.ReadVolumes(2, out.data());
  });
}

TEST_F(NiftiVolumeStreamErrors, TruncatedNii)
{
  const auto bytes = Int16Nifti(dir);
  ASSERT_EQ(bytes.size(), DataOffset + 6 * VolumeBytes);
  const struct
  {
    std::size_t  keep;
    const char * where;
  } cuts[] = { { bytes.size() - 100, "file ends in volume 6" },
               { DataOffset + 2 * VolumeBytes + 10, "file ends in volume 3" },
               { DataOffset + 4 * VolumeBytes, "file ends in volume 5" },
               { 200, "shorter than the 348-byte header" },
               { 350, "file ends in volume 1" } };
  for (const auto & cut : cuts)
  {
    const std::string path = dir.File("cut" + std::to_string(cut.keep) + ".nii");
    vt::WriteBytes(path, std::vector<unsigned char>(bytes.begin(), bytes.begin() + cut.keep));
    const std::string message = ReadAllError(path);
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(cut.where), std::string::npos) << message;
    if (cut.keep > 348)
    {
      EXPECT_NE(message.find("truncated: expected 6 volumes"), std::string::npos) << message;
    }
  }
}

TEST_F(NiftiVolumeStreamErrors, TruncatedNiiGz)
{
  const std::string full = dir.File("full_gz.nii.gz");
  vt::WriteGzip(full, Int16Nifti(dir));
  const auto gz = vt::ReadBytes(full);
  // Most of the data gone; then only the 8-byte trailer (CRC, length) or part of it.
  for (std::size_t keep : { gz.size() / 2, gz.size() - 8, gz.size() - 3 })
  {
    const std::string path = dir.File("cut" + std::to_string(keep) + "_gz.nii.gz");
    vt::WriteBytes(path, std::vector<unsigned char>(gz.begin(), gz.begin() + keep));
    const std::string message = ReadAllError(path);
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  }
}

TEST_F(NiftiVolumeStreamErrors, CorruptGzip)
{
  const std::string full = dir.File("good_gz.nii.gz");
  vt::WriteGzip(full, Int16Nifti(dir));
  auto badCrc = vt::ReadBytes(full);
  badCrc[badCrc.size() - 8] ^= 0xff; // the CRC: only the end-of-data check sees it
  const std::string crcPath = dir.File("badcrc_gz.nii.gz");
  vt::WriteBytes(crcPath, badCrc);
  const std::string message = ReadAllError(crcPath);
  EXPECT_NE(message.find(crcPath), std::string::npos) << message;
  EXPECT_NE(message.find("corrupt compressed data"), std::string::npos) << message;

  auto garbled = vt::ReadBytes(full);
  for (std::size_t i = garbled.size() / 3; i < garbled.size() / 3 + 64; ++i)
  {
    garbled[i] = static_cast<unsigned char>(i * 37);
  }
  const std::string garbledPath = dir.File("garbled_gz.nii.gz");
  vt::WriteBytes(garbledPath, garbled);
  EXPECT_NE(ReadAllError(garbledPath).find(garbledPath), std::string::npos);
}

TEST_F(NiftiVolumeStreamErrors, MoreVolumesThanRemain)
{
  const std::string path = dir.File("six.nii.gz");
  vt::WriteGzip(path, Int16Nifti(dir));
  NiftiVolumeStream  stream(path);
  std::vector<float> out(Voxels);
  stream.ReadVolumes(4, out.data());
  const std::string message = InputErrorOf([&] { stream.ReadVolumes(3, out.data()); });
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("cannot read 3 volumes: 2 of 6 remain"), std::string::npos) << message;
  // A request the stream refused leaves it usable.
  stream.ReadVolumes(2, out.data());
  EXPECT_EQ(stream.VolumesRead(), 6u);
  stream.ReadVolumes(0, out.data());
}

TEST_F(NiftiVolumeStreamErrors, NoReadAfterAnError)
{
  const auto        bytes = Int16Nifti(dir);
  const std::string path = dir.File("short.nii");
  vt::WriteBytes(path, std::vector<unsigned char>(bytes.begin(), bytes.begin() + DataOffset + VolumeBytes / 2));
  NiftiVolumeStream  stream(path);
  std::vector<float> out(Voxels);
  EXPECT_NE(InputErrorOf([&] { stream.ReadVolumes(1, out.data()); }).find("volume 1"), std::string::npos);
  EXPECT_NE(InputErrorOf([&] { stream.ReadVolumes(1, out.data()); }).find("earlier error"), std::string::npos);
}

} // namespace
