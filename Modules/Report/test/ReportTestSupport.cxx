#include "ReportTestSupport.h"

#include "voxelkl/ImageGrid.h"

#include "itkImageFileReader.h"
#include "itkPNGImageIO.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <unistd.h>

namespace voxelkl::test
{

PngImage::Pointer
DecodePng(const std::string & bytes)
{
  char      path[] = "/tmp/voxelkl-report-test-XXXXXX.png";
  const int descriptor = mkstemps(path, 4);
  if (descriptor < 0)
  {
    throw std::runtime_error("cannot make a temporary file");
  }
  close(descriptor);
  std::ofstream(path, std::ios::binary) << bytes;
  auto reader = itk::ImageFileReader<PngImage>::New();
  reader->SetImageIO(itk::PNGImageIO::New());
  reader->SetFileName(path);
  try
  {
    reader->Update();
  }
  catch (...)
  {
    std::remove(path);
    throw;
  }
  std::remove(path);
  return reader->GetOutput();
}

std::string
DecodeDataUri(const std::string & uri)
{
  const auto comma = uri.find(";base64,");
  if (uri.rfind("data:", 0) != 0 || comma == std::string::npos)
  {
    throw std::invalid_argument("not a base64 data URI");
  }
  std::string  out;
  unsigned int bits = 0;
  int          count = 0;
  for (std::size_t i = comma + 8; i < uri.size() && uri[i] != '='; ++i)
  {
    const char c = uri[i];
    const auto p = std::string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/").find(c);
    if (p == std::string::npos)
    {
      throw std::invalid_argument("not base64");
    }
    bits = (bits << 6) | static_cast<unsigned int>(p);
    count += 6;
    if (count >= 8)
    {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

double
NumpyPercentile(std::vector<double> values, double q)
{
  std::sort(values.begin(), values.end());
  const double      rank = (values.size() - 1) * q / 100.0;
  const std::size_t below = static_cast<std::size_t>(std::floor(rank));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (rank - below) * (values[above] - values[below]);
}

std::vector<std::string>
AttributeValues(const std::string & html, const std::string & attribute)
{
  std::vector<std::string> values;
  const std::string        key = " " + attribute + "=\"";
  for (std::size_t at = html.find(key); at != std::string::npos; at = html.find(key, at + 1))
  {
    const std::size_t start = at + key.size();
    values.push_back(html.substr(start, html.find('"', start) - start));
  }
  return values;
}

std::size_t
Occurrences(const std::string & text, const std::string & needle)
{
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
  {
    ++count;
  }
  return count;
}

itk::Image<float, 3>::Pointer
MakeVolume(const SpatialGrid & grid, float (*f)(long, long, long))
{
  auto image = itk::Image<float, 3>::New();
  ApplyGrid(grid, image);
  image->Allocate();
  float * p = image->GetBufferPointer();
  for (std::size_t z = 0; z < grid.size[2]; ++z)
  {
    for (std::size_t y = 0; y < grid.size[1]; ++y)
    {
      for (std::size_t x = 0; x < grid.size[0]; ++x)
      {
        *p++ = f(static_cast<long>(x), static_cast<long>(y), static_cast<long>(z));
      }
    }
  }
  return image;
}

} // namespace voxelkl::test
