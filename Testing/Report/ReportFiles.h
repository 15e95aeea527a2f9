// Files and pages for the report's end-to-end tests.
#ifndef voxelkl_test_ReportFiles_h
#define voxelkl_test_ReportFiles_h

#include "ReportTestSupport.h"
#include "TestFiles.h"

#include "itkImageFileWriter.h"

#include <array>
#include <fstream>
#include <sstream>
#include <string>

namespace voxelkl::test
{

/** A 3D float image with values from f, spacing (2, 2, 3), the given direction (row-major,
 * columns = index axes in LPS) and origin, written as path (ITK's writer). */
inline itk::Image<float, 3>::Pointer
WriteVolume(const std::string &           path,
            std::array<std::size_t, 3>    size,
            const std::array<double, 9> & direction,
            float (*f)(long, long, long))
{
  SpatialGrid grid;
  grid.size = size;
  grid.spacing = { 2.0, 2.0, 3.0 };
  grid.origin = { 20.0, -10.0, -15.0 };
  grid.direction = direction;
  auto image = MakeVolume(grid, f);
  auto writer = itk::ImageFileWriter<itk::Image<float, 3>>::New();
  writer->SetInput(image);
  writer->SetFileName(path);
  writer->Update();
  return image;
}

inline std::string
ReadFile(const std::string & path)
{
  std::ifstream      file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

/** The part of html from the first occurrence of start (at or after from) to the next end. */
inline std::string
Between(const std::string & html, const std::string & start, const std::string & end, std::size_t from = 0)
{
  const std::size_t a = html.find(start, from);
  return a == std::string::npos ? std::string() : html.substr(a, html.find(end, a) - a);
}

} // namespace voxelkl::test

#endif
