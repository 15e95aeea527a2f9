// voxelkl::NiftiImageIO against NiftiVolumeStream (values, bit for bit, NaN included) and
// against ITK's own NiftiImageIO (geometry), on files written by ITK then scaled, swapped,
// gzipped; and its registration in front of ITK's IO.
#include "voxelkl/NiftiImageIO.h"
#include "voxelkl/NiftiVolumeStream.h"

#include "NiftiTestFiles.h"

#include "itkImageIOFactory.h"
#include "itkNiftiImageIO.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace
{

namespace vt = voxelkl::test;

constexpr std::size_t ScaleSlopeOffset = 112;
constexpr std::size_t ScaleInterceptOffset = 116;

template <typename T>
std::vector<T>
ReadWithStream(const std::string & path)
{
  voxelkl::NiftiVolumeStream stream(path);
  std::vector<T>             values(stream.VoxelsPerVolume() * stream.VolumeCount());
  stream.ReadVolumes(stream.VolumeCount(), values.data());
  return values;
}

/** The voxels of path as itk::ImageFileReader<itk::Image<T, 4>> gives them through io. */
template <typename T>
std::vector<T>
ReadWithIO(const std::string & path, itk::ImageIOBase * io)
{
  using ImageType = itk::Image<T, 4>;
  auto reader = itk::ImageFileReader<ImageType>::New();
  reader->SetFileName(path);
  reader->SetImageIO(io);
  reader->Update();
  const ImageType * image = reader->GetOutput();
  return std::vector<T>(image->GetBufferPointer(),
                        image->GetBufferPointer() + image->GetBufferedRegion().GetNumberOfPixels());
}

template <typename T>
void
ExpectSameBits(const std::vector<T> & expected, const std::vector<T> & actual, const std::string & what)
{
  ASSERT_EQ(expected.size(), actual.size()) << what;
  const long long at = vt::FirstBitwiseDifference(expected, actual);
  EXPECT_EQ(at, -1) << what << ": first difference at voxel " << at << ": expected " << (at >= 0 ? expected[at] : T{})
                    << ", got " << (at >= 0 ? actual[at] : T{});
}

/** Our IO gives NiftiVolumeStream's bits, as float and as double. */
void
ExpectMatchesStream(const std::string & path)
{
  ExpectSameBits(ReadWithStream<float>(path), ReadWithIO<float>(path, voxelkl::NiftiImageIO::New()), path + " float");
  ExpectSameBits(
    ReadWithStream<double>(path), ReadWithIO<double>(path, voxelkl::NiftiImageIO::New()), path + " double");
}

std::size_t
CountNonFinite(const std::vector<float> & values)
{
  return static_cast<std::size_t>(
    std::count_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); }));
}

/** name.nii as given, and name_gz.nii.gz: the same bytes gzipped. */
std::array<std::string, 2>
WriteNiiAndGz(const vt::TempDirectory & dir, const std::string & name, const std::vector<unsigned char> & bytes)
{
  const std::array<std::string, 2> paths{ dir.File(name + ".nii"), dir.File(name + "_gz.nii.gz") };
  vt::WriteBytes(paths[0], bytes);
  vt::WriteGzip(paths[1], bytes);
  return paths;
}

const std::array<std::size_t, 4> Size{ 9, 7, 5, 6 };
constexpr std::size_t            Voxels = 9 * 7 * 5 * 6;

TEST(NiftiImageIO, Float32WithNonFiniteValuesMatchesStream)
{
  vt::TempDirectory dir;
  auto              values = vt::RandomValues<float>(Voxels, 1);
  values[3] = std::numeric_limits<float>::quiet_NaN();
  values[100] = std::numeric_limits<float>::infinity();
  values[Voxels - 1] = -std::numeric_limits<float>::infinity();
  const std::string written = dir.File("written_f32.nii");
  vt::WriteWithItk<float, 4>(written, Size, values);
  for (const std::string & path : WriteNiiAndGz(dir, "f32", vt::ReadBytes(written)))
  {
    ExpectMatchesStream(path);
    EXPECT_EQ(CountNonFinite(ReadWithIO<float>(path, voxelkl::NiftiImageIO::New())), 3u) << path;
    // ITK's own IO zeroes them: the reason for this IO.
    EXPECT_EQ(CountNonFinite(ReadWithIO<float>(path, itk::NiftiImageIO::New())), 0u) << path;
  }
}

TEST(NiftiImageIO, ScaledInt16MatchesStreamAndItk)
{
  vt::TempDirectory dir;
  const std::string written = dir.File("written_i16.nii");
  vt::WriteWithItk<short, 4>(written, Size, vt::RandomValues<short>(Voxels, 2));
  auto bytes = vt::ReadBytes(written);
  vt::PatchFloat(bytes, ScaleSlopeOffset, 0.37f);
  vt::PatchFloat(bytes, ScaleInterceptOffset, -12.5f);
  for (const std::string & path : WriteNiiAndGz(dir, "i16", bytes))
  {
    ExpectMatchesStream(path);
    // No non-finite values here: ITK's IO must agree too.
    ExpectSameBits(ReadWithIO<float>(path, itk::NiftiImageIO::New()),
                   ReadWithIO<float>(path, voxelkl::NiftiImageIO::New()),
                   path + " against ITK");
  }
  // Byte-swapped (big-endian) too.
  for (const std::string & path : WriteNiiAndGz(dir, "i16_swapped", vt::ByteSwappedNifti(bytes, 2)))
  {
    ExpectMatchesStream(path);
  }
}

TEST(NiftiImageIO, Float64ScaledAndUnscaledMatchesStream)
{
  vt::TempDirectory dir;
  auto              values = vt::RandomValues<double>(Voxels, 3);
  values[7] = std::numeric_limits<double>::quiet_NaN();
  const std::string written = dir.File("written_f64.nii");
  vt::WriteWithItk<double, 4>(written, Size, values);
  auto bytes = vt::ReadBytes(written);
  for (const std::string & path : WriteNiiAndGz(dir, "f64", bytes))
  {
    ExpectMatchesStream(path);
  }
  vt::PatchFloat(bytes, ScaleSlopeOffset, 2.5f);
  vt::PatchFloat(bytes, ScaleInterceptOffset, 0.125f);
  for (const std::string & path : WriteNiiAndGz(dir, "f64_scaled", bytes))
  {
    ExpectMatchesStream(path);
  }
}

/** Geometry (and shape) our IO reports equals ITK's IO's, exactly. */
void
ExpectSameGeometryAsItk(const std::string & path)
{
  auto ours = voxelkl::NiftiImageIO::New();
  ASSERT_TRUE(ours->CanReadFile(path.c_str())) << path;
  ours->SetFileName(path);
  ours->ReadImageInformation();
  auto itkIO = itk::NiftiImageIO::New();
  itkIO->SetFileName(path);
  itkIO->ReadImageInformation();
  ASSERT_EQ(ours->GetNumberOfDimensions(), itkIO->GetNumberOfDimensions()) << path;
  for (unsigned d = 0; d < ours->GetNumberOfDimensions(); ++d)
  {
    EXPECT_EQ(ours->GetDimensions(d), itkIO->GetDimensions(d)) << path << " axis " << d;
    EXPECT_EQ(ours->GetSpacing(d), itkIO->GetSpacing(d)) << path << " axis " << d;
    EXPECT_EQ(ours->GetOrigin(d), itkIO->GetOrigin(d)) << path << " axis " << d;
    EXPECT_EQ(ours->GetDirection(d), itkIO->GetDirection(d)) << path << " axis " << d;
  }
}

TEST(NiftiImageIO, GeometryEqualsItksOnObliqueSyntheticFiles)
{
  vt::TempDirectory dir;
  using ImageType = itk::Image<float, 4>;
  auto image = ImageType::New();
  image->SetRegions(ImageType::RegionType(ImageType::SizeType{ { 6, 5, 4, 3 } }));
  image->Allocate(true);
  ImageType::SpacingType spacing;
  spacing[0] = 1.5;
  spacing[1] = 2.25;
  spacing[2] = 3.1;
  spacing[3] = 2.0;
  image->SetSpacing(spacing);
  ImageType::PointType origin;
  origin[0] = -90.5;
  origin[1] = 12.25;
  origin[2] = 40.0;
  origin[3] = 0.0;
  image->SetOrigin(origin);
  // A rotation of 0.3 rad about z, then 0.2 rad about x: an oblique acquisition.
  const double             c = std::cos(0.3), s = std::sin(0.3), cx = std::cos(0.2), sx = std::sin(0.2);
  ImageType::DirectionType direction;
  direction.SetIdentity();
  const double rotation[3][3] = { { c, -s * cx, s * sx }, { s, c * cx, -c * sx }, { 0, sx, cx } };
  for (int i = 0; i < 3; ++i)
  {
    for (int j = 0; j < 3; ++j)
    {
      direction[i][j] = rotation[i][j];
    }
  }
  image->SetDirection(direction);
  for (const std::string name : { "oblique.nii", "oblique_gz.nii.gz" })
  {
    auto writer = itk::ImageFileWriter<ImageType>::New();
    writer->SetFileName(dir.File(name));
    writer->SetInput(image);
    writer->Update();
    ExpectSameGeometryAsItk(dir.File(name));
  }
  // A 3D file, and a 4D one written big-endian.
  const std::string threeD = dir.File("three_d.nii.gz");
  vt::WriteWithItk<short, 3>(threeD, { 8, 6, 4 }, vt::RandomValues<short>(8 * 6 * 4, 4));
  ExpectSameGeometryAsItk(threeD);
  const std::string swapped = dir.File("swapped_gz.nii.gz");
  vt::WriteGzip(swapped, vt::ByteSwappedNifti(vt::ReadBytes(dir.File("oblique.nii")), 4));
  ExpectSameGeometryAsItk(swapped);
}

TEST(NiftiImageIO, GeometryAndValuesOnRealData)
{
  const char * data = std::getenv("VOXELKL_TEST_DATA");
  int          found = 0;
  for (const char * name : { "ds003_sub-01_mc.nii.gz", "example4d.nii.gz" })
  {
    const std::string path = std::string(data != nullptr ? data : "") + "/" + name;
    if (data == nullptr || !std::filesystem::exists(path))
    {
      continue;
    }
    ++found;
    ExpectSameGeometryAsItk(path);
    ExpectMatchesStream(path);
  }
  if (found == 0)
  {
    GTEST_SKIP() << "real test data not fetched (CMake/fetch-test-data.sh)";
  }
}

TEST(NiftiImageIO, RegisteredInFrontOfItksNiftiImageIO)
{
  vt::TempDirectory dir;
  const std::string nii = dir.File("plain.nii");
  vt::WriteWithItk<float, 4>(nii, Size, vt::RandomValues<float>(Voxels, 5));
  const std::string gz = dir.File("packed.nii.gz");
  vt::WriteGzip(gz, vt::ReadBytes(nii));
  const std::string hdr = dir.File("pair.hdr");
  vt::WriteWithItk<float, 3>(hdr, { 4, 3, 2 }, vt::RandomValues<float>(24, 6));

  const auto chosen = [](const std::string & path) {
    const auto io = itk::ImageIOFactory::CreateImageIO(path.c_str(), itk::ImageIOFactory::FileModeEnum::ReadMode);
    return io ? std::string(io->GetNameOfClass()) +
                  (dynamic_cast<voxelkl::NiftiImageIO *>(io.GetPointer()) ? "/voxelkl" : "/itk")
              : std::string("none");
  };
  EXPECT_EQ(chosen(nii), "NiftiImageIO/itk");
  voxelkl::RegisterNiftiImageIO();
  voxelkl::RegisterNiftiImageIO(); // twice: registered once
  std::size_t ours = 0;
  for (auto * factory : itk::ObjectFactoryBase::GetRegisteredFactories())
  {
    ours += dynamic_cast<voxelkl::NiftiImageIOFactory *>(factory) != nullptr ? 1 : 0;
  }
  EXPECT_EQ(ours, 1u);
  EXPECT_EQ(chosen(nii), "NiftiImageIO/voxelkl");
  EXPECT_EQ(chosen(gz), "NiftiImageIO/voxelkl");
  // What this IO does not read still goes to ITK's.
  EXPECT_EQ(chosen(hdr), "NiftiImageIO/itk");
  // A reader without an IO of its own now reads through ours.
  ExpectSameBits(ReadWithStream<float>(gz), vt::ReadWithItk<float>(gz), "factory-chosen IO");

  for (auto * factory : itk::ObjectFactoryBase::GetRegisteredFactories())
  {
    if (dynamic_cast<voxelkl::NiftiImageIOFactory *>(factory) != nullptr)
    {
      itk::ObjectFactoryBase::UnRegisterFactory(factory);
      break;
    }
  }
  EXPECT_EQ(chosen(nii), "NiftiImageIO/itk");
}

TEST(NiftiImageIO, NeitherWritesNorReadsWhatItDoesNotSupport)
{
  auto io = voxelkl::NiftiImageIO::New();
  EXPECT_FALSE(io->CanWriteFile("x.nii.gz"));
  EXPECT_TRUE(io->CanStreamRead());
  EXPECT_FALSE(io->CanReadFile("missing.nii.gz"));
  EXPECT_FALSE(io->CanReadFile("x.nrrd"));
}

} // namespace
