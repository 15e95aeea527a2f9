// Test files for the NIfTI stream: written by ITK, then patched, byte-swapped, gzipped or cut.
#ifndef voxelkl_NiftiTestFiles_h
#define voxelkl_NiftiTestFiles_h

#include "itkImage.h"
#include "itkImageFileReader.h"
#include "itkImageFileWriter.h"
#include "itkImageRegionIterator.h"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace voxelkl
{
namespace test
{

/** A fresh directory, removed with its files on destruction. */
class TempDirectory
{
public:
  TempDirectory();
  ~TempDirectory();
  TempDirectory(const TempDirectory &) = delete;
  TempDirectory &
  operator=(const TempDirectory &) = delete;
  /** dir/name. Give every file its own stem: niftilib opens x.nii instead of x.nii.gz when
   * both exist, so ITK would read the wrong voxels. */
  std::string
  File(const std::string & name) const;

private:
  std::string m_Path;
};

std::vector<unsigned char>
ReadBytes(const std::string & path);
void
WriteBytes(const std::string & path, const std::vector<unsigned char> & bytes);
/** Writes bytes as a gzip file (zlib, default level). */
void
WriteGzip(const std::string & path, const std::vector<unsigned char> & bytes);
/** Stores value in native order at offset (e.g. 112: scl_slope, 116: scl_inter). */
void
PatchFloat(std::vector<unsigned char> & bytes, std::size_t offset, float value);
void
PatchShort(std::vector<unsigned char> & bytes, std::size_t offset, short value);
/** A .nii file's bytes with every numeric header field and every voxel of bytesPerVoxel
 * bytes in the other byte order: the same image as written by a big-endian machine. */
std::vector<unsigned char>
ByteSwappedNifti(const std::vector<unsigned char> & nii, std::size_t bytesPerVoxel);

/** Random values over a type's whole range (integers) or of mixed magnitudes (floats; not
 * representable in float for double). */
template <typename TPixel>
std::vector<TPixel>
RandomValues(std::size_t n, unsigned seed)
{
  std::mt19937_64     engine(seed);
  std::vector<TPixel> values(n);
  if constexpr (std::is_integral_v<TPixel>)
  {
    std::uniform_int_distribution<long long> draw(std::numeric_limits<TPixel>::lowest(),
                                                  std::numeric_limits<TPixel>::max());
    for (TPixel & v : values)
    {
      v = static_cast<TPixel>(draw(engine));
    }
  }
  else
  {
    std::normal_distribution<double>   draw(0.0, 1.0);
    std::uniform_int_distribution<int> exponent(-20, 20);
    for (TPixel & v : values)
    {
      v = static_cast<TPixel>(1000.0 + draw(engine) * std::ldexp(1.0, exponent(engine)));
    }
  }
  return values;
}

/** Writes values (x fastest, then y, z, t) as an itk::Image<TPixel, Dimension> with ITK. */
template <typename TPixel, unsigned Dimension>
void
WriteWithItk(const std::string &                        path,
             const std::array<std::size_t, Dimension> & size,
             const std::vector<TPixel> &                values)
{
  using ImageType = itk::Image<TPixel, Dimension>;
  typename ImageType::SizeType itkSize;
  for (unsigned d = 0; d < Dimension; ++d)
  {
    itkSize[d] = size[d];
  }
  auto image = ImageType::New();
  image->SetRegions(typename ImageType::RegionType(itkSize));
  image->Allocate();
  std::copy(values.begin(), values.end(), image->GetBufferPointer());
  auto writer = itk::ImageFileWriter<ImageType>::New();
  writer->SetFileName(path);
  writer->SetInput(image);
  writer->Update();
}

/** The voxels of path as itk::ImageFileReader<itk::Image<T, 4>> gives them. */
template <typename T>
std::vector<T>
ReadWithItk(const std::string & path)
{
  using ImageType = itk::Image<T, 4>;
  auto reader = itk::ImageFileReader<ImageType>::New();
  reader->SetFileName(path);
  reader->Update();
  const ImageType * image = reader->GetOutput();
  const std::size_t n = image->GetBufferedRegion().GetNumberOfPixels();
  return std::vector<T>(image->GetBufferPointer(), image->GetBufferPointer() + n);
}

/** Index of the first element whose bits differ, or -1: exact equality, NaN included. */
template <typename T>
long long
FirstBitwiseDifference(const std::vector<T> & a, const std::vector<T> & b)
{
  if (a.size() != b.size())
  {
    return 0;
  }
  for (std::size_t i = 0; i < a.size(); ++i)
  {
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0)
    {
      return static_cast<long long>(i);
    }
  }
  return -1;
}

} // namespace test
} // namespace voxelkl

#endif
