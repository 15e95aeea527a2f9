// Small 3D images on chosen grids, written to a scratch directory, for the region tests.
#ifndef voxelkl_RegionTestSupport_h
#define voxelkl_RegionTestSupport_h

#include "voxelkl/LabelVolume.h"

#include "itkImageFileWriter.h"

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <unistd.h>

namespace voxelkl::test
{

/** A fresh directory under the system temporary directory, removed afterwards. */
class ScratchDirectory
{
public:
  explicit ScratchDirectory(const std::string & name)
    : m_Path((std::filesystem::temp_directory_path() / ("voxelkl-regions-" + name + "-" + std::to_string(getpid())))
               .string())
  {
    std::filesystem::remove_all(m_Path);
    std::filesystem::create_directories(m_Path);
  }
  ~ScratchDirectory()
  {
    std::error_code ignored;
    std::filesystem::remove_all(m_Path, ignored);
  }
  std::string
  operator/(const std::string & file) const
  {
    return m_Path + "/" + file;
  }

private:
  std::string m_Path;
};

inline SpatialGrid
MakeGrid(std::array<std::size_t, 3>    size,
         std::array<double, 3>         spacing,
         std::array<double, 3>         origin,
         const std::array<double, 9> & direction = { 1, 0, 0, 0, 1, 0, 0, 0, 1 })
{
  SpatialGrid grid;
  grid.size = size;
  grid.spacing = spacing;
  grid.origin = origin;
  grid.direction = direction;
  return grid;
}

/** An image on grid with voxel (i, j, k) = f(i, j, k). */
template <typename T>
typename itk::Image<T, 3>::Pointer
MakeVolume(const SpatialGrid & grid, const std::function<T(long, long, long)> & f)
{
  auto image = itk::Image<T, 3>::New();
  ApplyGrid(grid, image);
  image->Allocate();
  T * out = image->GetBufferPointer();
  for (long k = 0; k < long(grid.size[2]); ++k)
    for (long j = 0; j < long(grid.size[1]); ++j)
      for (long i = 0; i < long(grid.size[0]); ++i)
        *out++ = f(i, j, k);
  return image;
}

template <typename TImage>
void
WriteVolume(const TImage * image, const std::string & path)
{
  auto writer = itk::ImageFileWriter<TImage>::New();
  writer->SetInput(image);
  writer->SetFileName(path);
  writer->Update();
}

/** The real data directory of CMake/fetch-test-data.sh (VOXELKL_TEST_DATA), or "". */
inline std::string
RealDataFile(const std::string & name)
{
  const char *      directory = std::getenv("VOXELKL_TEST_DATA");
  const std::string path = directory ? std::string(directory) + "/" + name : "";
  return !path.empty() && std::filesystem::exists(path) ? path : "";
}

} // namespace voxelkl::test

#endif
