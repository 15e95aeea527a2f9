// A .nii.gz map (deflated with ISA-L) is the gzip of the .nii written for the same map:
// inflated here with zlib, a separate implementation, for a smooth map and for one of
// random bits that deflate cannot shrink (stored blocks, the output buffer's growth).
#include "voxelkl/MapWriter.h"
#include "TestFiles.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace
{
using namespace voxelkl::test;

std::string
FileBytes(const std::string & path)
{
  std::ifstream file(path, std::ios::binary);
  return { std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>() };
}

// The whole content of a gzip file, inflated by zlib (which also checks CRC32 and ISIZE).
std::string
Gunzip(const std::string & path)
{
  gzFile file = gzopen(path.c_str(), "rb");
  EXPECT_NE(file, nullptr) << path;
  std::string content;
  char        buffer[1 << 16];
  int         read = 0;
  while (file != nullptr && (read = gzread(file, buffer, sizeof(buffer))) > 0)
  {
    content.append(buffer, static_cast<std::size_t>(read));
  }
  EXPECT_EQ(read, 0) << path;
  if (file != nullptr)
  {
    gzclose(file);
  }
  return content;
}

itk::Image<float, 3>::Pointer
MakeMap(const itk::Size<3> & size, bool incompressible)
{
  auto image = itk::Image<float, 3>::New();
  image->SetRegions(itk::ImageRegion<3>(size));
  image->Allocate();
  std::mt19937 random(20261207);
  float *      voxels = image->GetBufferPointer();
  for (std::size_t v = 0; v < image->GetLargestPossibleRegion().GetNumberOfPixels(); ++v)
  {
    if (incompressible) // random finite floats: random sign and mantissa, exponent 1..254
    {
      const std::uint32_t bits = (random() & 0x807fffffu) | ((1u + random() % 254u) << 23);
      std::memcpy(voxels + v, &bits, sizeof(bits));
    }
    else
    {
      voxels[v] = static_cast<float>(std::floor(8.0 * std::sin(0.01 * static_cast<double>(v))) / 8.0); // few values
    }
  }
  return image;
}

void
ExpectGzipOfNifti(const itk::Size<3> & size, bool incompressible)
{
  // Two folders: the .nii.gz is written through a .nii of its own name, then removed.
  TemporaryDirectory plain("mapwriter-nii");
  TemporaryDirectory compressed("mapwriter-niigz");
  const auto         map = MakeMap(size, incompressible);
  voxelkl::WriteMap(map, plain / "map.nii", "map.nii");
  voxelkl::WriteMap(map, compressed / "map.nii.gz", "map.nii.gz");
  EXPECT_EQ(compressed.Files(), std::vector<std::string>{ "map.nii.gz" });
  const std::string nifti = FileBytes(plain / "map.nii");
  ASSERT_EQ(nifti.size(), 352 + map->GetLargestPossibleRegion().GetNumberOfPixels() * sizeof(float));
  EXPECT_EQ(std::memcmp(nifti.data() + 352, map->GetBufferPointer(), nifti.size() - 352), 0);
  EXPECT_TRUE(Gunzip(compressed / "map.nii.gz") == nifti) << "the .nii.gz is not the gzip of the .nii";
  const auto bytes = FileBytes(compressed / "map.nii.gz").size();
  if (incompressible)
  {
    EXPECT_GT(bytes, nifti.size() * 9 / 10); // random mantissas do not compress
  }
  else if (nifti.size() > 4096)
  {
    EXPECT_LT(bytes, nifti.size() / 2);
  }
}

TEST(MapWriter, NiiGzIsTheGzipOfTheNiiForASmoothMap)
{
  ExpectGzipOfNifti({ { 61, 47, 23 } }, false);
}

TEST(MapWriter, NiiGzIsTheGzipOfTheNiiForIncompressibleVoxels)
{
  ExpectGzipOfNifti({ { 91, 109, 9 } }, true);
}

TEST(MapWriter, NiiGzOfASingleVoxel)
{
  ExpectGzipOfNifti({ { 1, 1, 1 } }, false);
}

} // namespace
