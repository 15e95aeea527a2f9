// The stream against itk::ImageFileReader on files written by ITK (then scaled, byte-swapped
// or given an extension): the two read paths must give the same bits.
#include "voxelkl/NiftiVolumeStream.h"

#include "NiftiTestFiles.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>

namespace
{

namespace vt = voxelkl::test;
using voxelkl::NiftiVolumeStream;

constexpr std::size_t ScaleSlopeOffset = 112;
constexpr std::size_t ScaleInterceptOffset = 116;

/** All volumes of the stream, read in pieces of chunks[0], chunks[1], ... volumes, then the
 * rest: reads must continue where the last one stopped. */
template <typename T>
std::vector<T>
ReadInChunks(NiftiVolumeStream & stream, const std::vector<std::size_t> & chunks = { 1, 3 })
{
  const std::size_t perVolume = stream.VoxelsPerVolume();
  std::vector<T>    values(perVolume * stream.VolumeCount());
  std::size_t       volume = 0;
  for (std::size_t chunk : chunks)
  {
    chunk = std::min(chunk, stream.VolumeCount() - volume);
    stream.ReadVolumes(chunk, values.data() + volume * perVolume);
    volume += chunk;
  }
  stream.ReadVolumes(stream.VolumeCount() - volume, values.data() + volume * perVolume);
  return values;
}

template <typename T>
void
ExpectSame(const std::vector<T> & expected, const std::vector<T> & actual, const std::string & what)
{
  ASSERT_EQ(expected.size(), actual.size()) << what;
  const long long at = vt::FirstBitwiseDifference(expected, actual);
  EXPECT_EQ(at, -1) << what << ": first difference at voxel " << at << ": expected " << (at >= 0 ? expected[at] : T{})
                    << ", got " << (at >= 0 ? actual[at] : T{});
}

/** Reads path with the stream (as T, in uneven chunks) and with ITK's reader of
 * itk::Image<T, 4>, and expects the same bits. */
template <typename T>
void
ExpectMatchesItk(const std::string & path, const std::string & itkPath = "")
{
  NiftiVolumeStream    stream(path);
  const std::vector<T> actual = ReadInChunks<T>(stream);
  EXPECT_EQ(stream.VolumesRead(), stream.VolumeCount());
  ExpectSame(vt::ReadWithItk<T>(itkPath.empty() ? path : itkPath),
             actual,
             path + (std::is_same_v<T, float> ? " as float" : " as double"));
}

void
ExpectMatchesItkAsFloatAndDouble(const std::string & path, const std::string & itkPath = "")
{
  ExpectMatchesItk<float>(path, itkPath);
  ExpectMatchesItk<double>(path, itkPath);
}

/** Writes values with ITK as name.nii and name_gz.nii.gz; returns both paths. */
template <typename TPixel, unsigned Dimension>
std::array<std::string, 2>
WriteBoth(const vt::TempDirectory &                  dir,
          const std::string &                        name,
          const std::array<std::size_t, Dimension> & size,
          const std::vector<TPixel> &                values)
{
  const std::array<std::string, 2> paths{ dir.File(name + ".nii"), dir.File(name + "_gz.nii.gz") };
  for (const std::string & path : paths)
  {
    vt::WriteWithItk<TPixel, Dimension>(path, size, values);
  }
  return paths;
}

/** Saves bytes as name.nii and, gzipped, as name_gz.nii.gz; returns both paths. */
std::array<std::string, 2>
SaveBoth(const vt::TempDirectory & dir, const std::string & name, const std::vector<unsigned char> & bytes)
{
  const std::array<std::string, 2> paths{ dir.File(name + ".nii"), dir.File(name + "_gz.nii.gz") };
  vt::WriteBytes(paths[0], bytes);
  vt::WriteGzip(paths[1], bytes);
  return paths;
}

template <typename TPixel>
std::string
ExpectedTypeName()
{
  if constexpr (std::is_same_v<TPixel, unsigned char>)
    return "uint8";
  else if constexpr (std::is_same_v<TPixel, signed char>)
    return "int8";
  else if constexpr (std::is_same_v<TPixel, short>)
    return "int16";
  else if constexpr (std::is_same_v<TPixel, unsigned short>)
    return "uint16";
  else if constexpr (std::is_same_v<TPixel, int>)
    return "int32";
  else if constexpr (std::is_same_v<TPixel, unsigned int>)
    return "uint32";
  else if constexpr (std::is_same_v<TPixel, float>)
    return "float32";
  else
    return "float64";
}

const std::array<std::size_t, 4> SmallSize{ 7, 5, 4, 6 };
constexpr std::size_t            SmallVoxels = 7 * 5 * 4 * 6;

template <typename TPixel>
class NiftiVolumeStreamTypes : public ::testing::Test
{
};
using DiskTypes = ::testing::Types<unsigned char, signed char, short, unsigned short, int, unsigned int, float, double>;
TYPED_TEST_SUITE(NiftiVolumeStreamTypes, DiskTypes);

TYPED_TEST(NiftiVolumeStreamTypes, MatchesItkReader)
{
  vt::TempDirectory dir;
  const auto        values = vt::RandomValues<TypeParam>(SmallVoxels, 11);
  for (const std::string & path : WriteBoth<TypeParam, 4>(dir, "image", SmallSize, values))
  {
    NiftiVolumeStream stream(path);
    EXPECT_EQ(stream.VolumeSize(), (std::array<std::size_t, 3>{ 7, 5, 4 }));
    EXPECT_EQ(stream.VoxelsPerVolume(), 140u);
    EXPECT_EQ(stream.VolumeCount(), 6u);
    EXPECT_EQ(stream.VolumesRead(), 0u);
    EXPECT_EQ(stream.VoxelTypeName(), ExpectedTypeName<TypeParam>());
    EXPECT_FALSE(stream.IsScaled());
    EXPECT_EQ(stream.Slope(), 1.0);
    EXPECT_EQ(stream.Intercept(), 0.0);
    EXPECT_TRUE(NiftiVolumeStream::CanRead(path));
    ExpectMatchesItkAsFloatAndDouble(path);
  }
}

// ITK writes no scaling: scl_slope and scl_inter are patched into its .nii.
TYPED_TEST(NiftiVolumeStreamTypes, ScaledMatchesItkReader)
{
  vt::TempDirectory dir;
  const auto        values = vt::RandomValues<TypeParam>(SmallVoxels, 12);
  const std::string written = WriteBoth<TypeParam, 4>(dir, "unscaled", SmallSize, values)[0];
  auto              bytes = vt::ReadBytes(written);
  vt::PatchFloat(bytes, ScaleSlopeOffset, 2.5f);
  vt::PatchFloat(bytes, ScaleInterceptOffset, -10.0f);
  for (const std::string & path : SaveBoth(dir, "scaled", bytes))
  {
    NiftiVolumeStream stream(path);
    EXPECT_TRUE(stream.IsScaled());
    EXPECT_EQ(stream.Slope(), 2.5);
    EXPECT_EQ(stream.Intercept(), -10.0);
    ExpectMatchesItkAsFloatAndDouble(path);
  }
}

// A big-endian file: every header field and voxel byte-swapped. ITK reads the original.
TYPED_TEST(NiftiVolumeStreamTypes, ByteSwappedMatchesItkReader)
{
  vt::TempDirectory dir;
  const auto        values = vt::RandomValues<TypeParam>(SmallVoxels, 13);
  const std::string original = WriteBoth<TypeParam, 4>(dir, "native", SmallSize, values)[0];
  auto              bytes = vt::ReadBytes(original);
  for (const std::string & path : SaveBoth(dir, "swapped", vt::ByteSwappedNifti(bytes, sizeof(TypeParam))))
  {
    EXPECT_EQ(NiftiVolumeStream(path).VolumeSize(), (std::array<std::size_t, 3>{ 7, 5, 4 }));
    ExpectMatchesItkAsFloatAndDouble(path, original);
    ExpectMatchesItk<float>(path); // niftilib swaps too: the swapped file is a valid one
  }
  vt::PatchFloat(bytes, ScaleSlopeOffset, 0.75f);
  vt::PatchFloat(bytes, ScaleInterceptOffset, 3.0f);
  const std::string scaledOriginal = dir.File("native_scaled.nii");
  vt::WriteBytes(scaledOriginal, bytes);
  for (const std::string & path : SaveBoth(dir, "swapped_scaled", vt::ByteSwappedNifti(bytes, sizeof(TypeParam))))
  {
    EXPECT_EQ(NiftiVolumeStream(path).Slope(), 0.75);
    ExpectMatchesItkAsFloatAndDouble(path, scaledOriginal);
  }
}

// ITK scales in float for every type but float64, even into an itk::Image<double, 4>;
// the stream must too. With slope 0.3 the float rounding shows.
TEST(NiftiVolumeStream, ScalesInFloatLikeItk)
{
  vt::TempDirectory dir;
  const auto        values = vt::RandomValues<short>(SmallVoxels, 14);
  auto              bytes = vt::ReadBytes(WriteBoth<short, 4>(dir, "int16", SmallSize, values)[0]);
  vt::PatchFloat(bytes, ScaleSlopeOffset, 0.3f);
  vt::PatchFloat(bytes, ScaleInterceptOffset, 0.1f);
  for (const std::string & path : SaveBoth(dir, "int16_scaled", bytes))
  {
    ExpectMatchesItkAsFloatAndDouble(path);
    NiftiVolumeStream   stream(path);
    std::vector<double> read(SmallVoxels);
    stream.ReadVolumes(stream.VolumeCount(), read.data());
    std::size_t differFromDouble = 0;
    for (std::size_t i = 0; i < SmallVoxels; ++i)
    {
      const double inDouble = values[i] * static_cast<double>(0.3f) + static_cast<double>(0.1f);
      EXPECT_EQ(read[i], static_cast<double>(static_cast<float>(inDouble)));
      differFromDouble += read[i] != inDouble;
    }
    EXPECT_GT(differFromDouble, SmallVoxels / 2);
  }
}

// ITK's rules, not the NIfTI standard's: a slope of 0 (or NaN) becomes 1 and the intercept
// is still applied; slope 1 with intercept 0 is no scaling.
TEST(NiftiVolumeStream, DegenerateScalingFollowsItk)
{
  struct Case
  {
    const char * name;
    float        slope;
    float        intercept;
    bool         scaled;
    double       appliedSlope;
    double       appliedIntercept;
  };
  const float       nan = std::numeric_limits<float>::quiet_NaN();
  const Case        cases[] = { { "zero_slope", 0.0f, 5.0f, true, 1.0, 5.0 },
                                { "nan_slope", nan, 5.0f, true, 1.0, 5.0 },
                                { "nan_both", nan, nan, false, 1.0, 0.0 },
                                { "identity", 1.0f, 0.0f, false, 1.0, 0.0 },
                                { "negative", -2.0f, 0.0f, true, -2.0, 0.0 } };
  vt::TempDirectory dir;
  const auto        values = vt::RandomValues<short>(SmallVoxels, 15);
  const auto        bytes = vt::ReadBytes(WriteBoth<short, 4>(dir, "plain", SmallSize, values)[0]);
  for (const Case & c : cases)
  {
    auto patched = bytes;
    vt::PatchFloat(patched, ScaleSlopeOffset, c.slope);
    vt::PatchFloat(patched, ScaleInterceptOffset, c.intercept);
    for (const std::string & path : SaveBoth(dir, c.name, patched))
    {
      NiftiVolumeStream stream(path);
      EXPECT_EQ(stream.IsScaled(), c.scaled) << c.name;
      EXPECT_EQ(stream.Slope(), c.appliedSlope) << c.name;
      EXPECT_EQ(stream.Intercept(), c.appliedIntercept) << c.name;
      ExpectMatchesItkAsFloatAndDouble(path);
    }
  }
}

// The one difference from ITK, on purpose: niftilib sets NaN and +-inf float voxels to 0
// (before scaling); the stream keeps them non-finite so that callers can skip them.
TEST(NiftiVolumeStream, KeepsNonFiniteVoxelsThatItkZeroes)
{
  vt::TempDirectory dir;
  auto              values = vt::RandomValues<float>(SmallVoxels, 22);
  const std::size_t nanAt = 3, infAt = 150, minusInfAt = SmallVoxels - 1;
  values[nanAt] = std::numeric_limits<float>::quiet_NaN();
  values[infAt] = std::numeric_limits<float>::infinity();
  values[minusInfAt] = -std::numeric_limits<float>::infinity();
  auto bytes = vt::ReadBytes(WriteBoth<float, 4>(dir, "nonfinite", SmallSize, values)[0]);
  vt::PatchFloat(bytes, ScaleSlopeOffset, 2.0f);
  vt::PatchFloat(bytes, ScaleInterceptOffset, 1.0f);
  const std::string scaled = SaveBoth(dir, "nonfinite_scaled", bytes)[1];
  for (const std::string & path : { dir.File("nonfinite_gz.nii.gz"), scaled })
  {
    NiftiVolumeStream stream(path);
    auto              read = ReadInChunks<float>(stream);
    auto              itk = vt::ReadWithItk<float>(path);
    const float       zeroAsItkScalesIt = stream.IsScaled() ? 1.0f : 0.0f; // 0 * slope + intercept
    EXPECT_TRUE(std::isnan(read[nanAt])) << path;
    EXPECT_EQ(read[infAt], std::numeric_limits<float>::infinity()) << path;
    EXPECT_EQ(read[minusInfAt], -std::numeric_limits<float>::infinity()) << path;
    for (std::size_t at : { nanAt, infAt, minusInfAt })
    {
      EXPECT_EQ(itk[at], zeroAsItkScalesIt) << path << " voxel " << at;
      itk[at] = read[at];
    }
    ExpectSame(itk, read, path + " (finite voxels)");
  }
}

TEST(NiftiVolumeStream, ReadsA3DImageAsOneVolume)
{
  vt::TempDirectory dir;
  const auto        values = vt::RandomValues<float>(9 * 8 * 7, 16);
  for (const std::string & path : WriteBoth<float, 3>(dir, "volume", { 9, 8, 7 }, values))
  {
    NiftiVolumeStream stream(path);
    EXPECT_EQ(stream.VolumeSize(), (std::array<std::size_t, 3>{ 9, 8, 7 }));
    EXPECT_EQ(stream.VolumeCount(), 1u);
    ExpectMatchesItkAsFloatAndDouble(path);
  }
}

// Header extensions: the voxels start at vox_offset, not at 352.
TEST(NiftiVolumeStream, StartsAtVoxOffset)
{
  vt::TempDirectory dir;
  const auto        values = vt::RandomValues<short>(SmallVoxels, 17);
  auto              bytes = vt::ReadBytes(WriteBoth<short, 4>(dir, "at352", SmallSize, values)[0]);
  bytes.insert(bytes.begin() + 352, 48, 0); // extender stays 0: readers skip to vox_offset
  vt::PatchFloat(bytes, 108, 400.0f);
  for (const std::string & path : SaveBoth(dir, "at400", bytes))
  {
    ExpectMatchesItkAsFloatAndDouble(path);
  }
}

// Volumes larger than the 1 MiB chunk the stream converts at a time, and requests that
// end inside a chunk.
TEST(NiftiVolumeStream, LargeVolumesCrossChunks)
{
  vt::TempDirectory dir;
  {
    const std::array<std::size_t, 4> size{ 96, 96, 60, 3 };
    const auto                       values = vt::RandomValues<unsigned short>(96 * 96 * 60 * 3, 18);
    auto bytes = vt::ReadBytes(WriteBoth<unsigned short, 4>(dir, "uint16", size, values)[0]);
    vt::PatchFloat(bytes, ScaleSlopeOffset, 0.5f);
    vt::PatchFloat(bytes, ScaleInterceptOffset, 1.0f);
    for (const std::string & path : SaveBoth(dir, "uint16_scaled", bytes))
    {
      ExpectMatchesItkAsFloatAndDouble(path);
    }
  }
  {
    const std::array<std::size_t, 4> size{ 64, 64, 40, 5 };
    const auto                       values = vt::RandomValues<double>(64 * 64 * 40 * 5, 19);
    const auto                       paths = WriteBoth<double, 4>(dir, "float64", size, values);
    for (const std::string & path : paths)
    {
      ExpectMatchesItkAsFloatAndDouble(path);
    }
    const auto swapped = SaveBoth(dir, "float64_swapped", vt::ByteSwappedNifti(vt::ReadBytes(paths[0]), 8));
    for (const std::string & path : swapped)
    {
      ExpectMatchesItkAsFloatAndDouble(path, paths[0]);
    }
  }
}

// The intended use: two series read at once, one thread each.
TEST(NiftiVolumeStream, TwoStreamsInParallel)
{
  vt::TempDirectory                dir;
  const std::array<std::size_t, 4> size{ 40, 48, 30, 8 };
  const auto         a = WriteBoth<float, 4>(dir, "a", size, vt::RandomValues<float>(40 * 48 * 30 * 8, 20))[1];
  const auto         b = WriteBoth<short, 4>(dir, "b", size, vt::RandomValues<short>(40 * 48 * 30 * 8, 21))[1];
  std::vector<float> readA, readB;
  std::string        errorA, errorB; // an exception must not escape a thread
  const auto         read =
    [](const std::string & path, std::vector<std::size_t> chunks, std::vector<float> & into, std::string & error) {
      try
      {
        NiftiVolumeStream stream(path);
        into = ReadInChunks<float>(stream, chunks);
      }
      catch (const std::exception & e)
      {
        error = e.what();
      }
    };
  std::thread first(read, a, std::vector<std::size_t>{ 1, 1, 2 }, std::ref(readA), std::ref(errorA));
  std::thread second(read, b, std::vector<std::size_t>{ 3 }, std::ref(readB), std::ref(errorB));
  first.join();
  second.join();
  EXPECT_EQ(errorA, "");
  EXPECT_EQ(errorB, "");
  ExpectSame(vt::ReadWithItk<float>(a), readA, a);
  ExpectSame(vt::ReadWithItk<float>(b), readB, b);
}

} // namespace
