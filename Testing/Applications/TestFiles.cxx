#include "TestFiles.h"

#include "itkCastImageFilter.h"
#include "itkExtractImageFilter.h"
#include "itkImageFileReader.h"
#include "itkImageFileWriter.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace voxelkl::test
{
namespace fs = std::filesystem;

TemporaryDirectory::TemporaryDirectory(const std::string & name)
{
  m_Path = (fs::temp_directory_path() / ("voxelkl-" + name + "-" + std::to_string(getpid()))).string();
  fs::remove_all(m_Path);
  fs::create_directories(m_Path);
}

TemporaryDirectory::~TemporaryDirectory()
{
  std::error_code ignored;
  fs::remove_all(m_Path, ignored);
}

std::vector<std::string>
TemporaryDirectory::Files() const
{
  std::vector<std::string> names;
  for (const auto & entry : fs::directory_iterator(m_Path))
  {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

Series::Pointer
MakeSeries(std::array<long, 4> size, const ValueFunction & f, double originShift)
{
  auto             series = Series::New();
  Series::SizeType extent{ { static_cast<itk::SizeValueType>(size[0]),
                             static_cast<itk::SizeValueType>(size[1]),
                             static_cast<itk::SizeValueType>(size[2]),
                             static_cast<itk::SizeValueType>(size[3]) } };
  series->SetRegions(Series::RegionType(extent));
  Series::SpacingType spacing;
  spacing[0] = 3.0;
  spacing[1] = 3.0;
  spacing[2] = 3.5;
  spacing[3] = 2.0;
  series->SetSpacing(spacing);
  Series::PointType origin;
  origin[0] = -90.0 + originShift;
  origin[1] = -126.0;
  origin[2] = -72.0;
  origin[3] = 0.0;
  series->SetOrigin(origin);
  Series::DirectionType direction;
  direction.SetIdentity();
  // An oblique acquisition: rotated about z. NIfTI keeps it in its sform/qform.
  const double angle = 0.2;
  direction[0][0] = std::cos(angle);
  direction[0][1] = -std::sin(angle);
  direction[1][0] = std::sin(angle);
  direction[1][1] = std::cos(angle);
  series->SetDirection(direction);
  series->Allocate();
  Series::IndexType i;
  for (i[3] = 0; i[3] < size[3]; ++i[3])
    for (i[2] = 0; i[2] < size[2]; ++i[2])
      for (i[1] = 0; i[1] < size[1]; ++i[1])
        for (i[0] = 0; i[0] < size[0]; ++i[0])
        {
          series->SetPixel(i, f(i[0], i[1], i[2], i[3]));
        }
  return series;
}

namespace
{
template <typename TPixel, unsigned int Dimension, typename TInput>
void
WriteAs(const TInput * image, const std::string & path)
{
  using Output = itk::Image<TPixel, Dimension>;
  auto cast = itk::CastImageFilter<TInput, Output>::New();
  cast->SetInput(image);
  auto writer = itk::ImageFileWriter<Output>::New();
  writer->SetInput(cast->GetOutput());
  writer->SetFileName(path);
  writer->SetUseCompression(path.size() > 3 && path.substr(path.size() - 3) == ".gz");
  writer->Update();
}
} // namespace

void
WriteSeries(const Series * series, const std::string & path, const std::string & type)
{
  if (type == "int16")
    WriteAs<short, 4>(series, path);
  else if (type == "uint16")
    WriteAs<unsigned short, 4>(series, path);
  else if (type == "float32")
    WriteAs<float, 4>(series, path);
  else if (type == "float64")
    WriteAs<double, 4>(series, path);
  else
    throw std::invalid_argument("unknown voxel type " + type);
}

std::vector<std::string>
WriteVolumes(const Series * series, const std::string & stem, const std::string & extension)
{
  std::vector<std::string> paths;
  const auto               region = series->GetLargestPossibleRegion();
  for (long t = 0; t < static_cast<long>(region.GetSize(3)); ++t)
  {
    auto               extract = itk::ExtractImageFilter<Series, Volume>::New();
    Series::RegionType slice = region;
    slice.SetIndex(3, t);
    slice.SetSize(3, 0);
    extract->SetExtractionRegion(slice);
    extract->SetInput(series);
    extract->SetDirectionCollapseToSubmatrix();
    extract->Update();
    std::ostringstream path;
    path << stem << "_" << t << extension;
    WriteAs<float, 3>(extract->GetOutput(), path.str());
    paths.push_back(path.str());
  }
  return paths;
}

void
WriteMask(const Series * series, const std::string & path, const std::function<int(long, long, long)> & f)
{
  using Mask = itk::Image<unsigned char, 3>;
  auto           mask = Mask::New();
  const auto     region = series->GetLargestPossibleRegion();
  Mask::SizeType size{ { region.GetSize(0), region.GetSize(1), region.GetSize(2) } };
  mask->SetRegions(Mask::RegionType(size));
  Mask::SpacingType   spacing;
  Mask::PointType     origin;
  Mask::DirectionType direction;
  for (unsigned int i = 0; i < 3; ++i)
  {
    spacing[i] = series->GetSpacing()[i];
    origin[i] = series->GetOrigin()[i];
    for (unsigned int j = 0; j < 3; ++j)
      direction[i][j] = series->GetDirection()[i][j];
  }
  mask->SetSpacing(spacing);
  mask->SetOrigin(origin);
  mask->SetDirection(direction);
  mask->Allocate();
  Mask::IndexType i;
  for (i[2] = 0; i[2] < static_cast<long>(size[2]); ++i[2])
    for (i[1] = 0; i[1] < static_cast<long>(size[1]); ++i[1])
      for (i[0] = 0; i[0] < static_cast<long>(size[0]); ++i[0])
        mask->SetPixel(i, static_cast<unsigned char>(f(i[0], i[1], i[2])));
  auto writer = itk::ImageFileWriter<Mask>::New();
  writer->SetInput(mask);
  writer->SetFileName(path);
  writer->Update();
}

void
WriteHugeNrrd(const std::string & path, const std::vector<long> & sizes, const std::string & type)
{
  std::ofstream file(path, std::ios::binary);
  file << "NRRD0004\ntype: " << type << "\ndimension: " << sizes.size() << "\nsizes:";
  for (const long size : sizes)
  {
    file << ' ' << size;
  }
  file << "\nencoding: gzip\nendian: little\n\n" << std::string("\x1f\x8b\x08\x00", 4);
}

Volume::Pointer
ReadVolume(const std::string & path)
{
  auto reader = itk::ImageFileReader<Volume>::New();
  reader->SetFileName(path);
  reader->Update();
  return reader->GetOutput();
}

Series::Pointer
ReadSeries(const std::string & path)
{
  auto reader = itk::ImageFileReader<Series>::New();
  reader->SetFileName(path);
  reader->Update();
  return reader->GetOutput();
}

namespace
{
std::string
Slurp(const std::string & path)
{
  std::ifstream      stream(path);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

std::string
Quote(const std::string & argument)
{
  std::string quoted = "'";
  for (char c : argument)
  {
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return quoted + "'";
}
} // namespace

ProcessResult
RunProgram(const std::string & executable, const std::vector<std::string> & arguments)
{
  TemporaryDirectory capture("run");
  std::string        command = Quote(executable);
  for (const auto & argument : arguments)
  {
    command += " " + Quote(argument);
  }
  command += " >" + Quote(capture / "out") + " 2>" + Quote(capture / "err") + " </dev/null";
  const int     status = std::system(command.c_str());
  ProcessResult result;
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = Slurp(capture / "out");
  result.err = Slurp(capture / "err");
  return result;
}

std::vector<double>
VoxelValues(const Series * series, long x, long y, long z)
{
  std::vector<double> values;
  const long          length = static_cast<long>(series->GetLargestPossibleRegion().GetSize(3));
  for (long t = 0; t < length; ++t)
  {
    values.push_back(series->GetPixel(Series::IndexType{ { x, y, z, t } }));
  }
  return values;
}

double
HashNoise(long x, long y, long z, long t, long salt)
{
  unsigned long h = static_cast<unsigned long>(x * 73856093L ^ y * 19349663L ^ z * 83492791L ^ t * 2654435761L ^ salt);
  h ^= h >> 13;
  h *= 0x5bd1e995UL;
  h ^= h >> 15;
  return static_cast<double>(h % 2001) / 1000.0 - 1.0;
}

std::pair<double, double>
MeanVariance(const std::vector<double> & values)
{
  double sum = 0;
  for (double v : values)
    sum += v;
  const double mean = sum / values.size();
  double       squares = 0;
  for (double v : values)
    squares += (v - mean) * (v - mean);
  return { mean, squares / values.size() };
}

double
TextbookKL(double m1, double v1, double m2, double v2)
{
  return 0.5 * (std::log(v2 / v1) + (v1 + (m1 - m2) * (m1 - m2)) / v2 - 1.0);
}

bool
SameVoxels(const Volume * a, const Volume * b)
{
  const auto n = a->GetLargestPossibleRegion().GetNumberOfPixels();
  if (n != b->GetLargestPossibleRegion().GetNumberOfPixels())
    return false;
  for (std::size_t i = 0; i < n; ++i)
  {
    if (a->GetBufferPointer()[i] != b->GetBufferPointer()[i])
      return false;
  }
  return true;
}

std::string
TestDataDirectory()
{
  const char * directory = std::getenv("VOXELKL_TEST_DATA");
  return directory != nullptr ? directory : "";
}

} // namespace voxelkl::test
