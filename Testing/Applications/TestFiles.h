// Test fixtures on disk: 4D series written through ITK in any format and voxel type, and
// a way to run an executable and collect its exit status and output.
#ifndef voxelkl_test_TestFiles_h
#define voxelkl_test_TestFiles_h

#include "itkImage.h"

#include <functional>
#include <string>
#include <vector>

namespace voxelkl::test
{

/** A fresh empty directory under the system temporary directory, removed by the destructor. */
class TemporaryDirectory
{
public:
  explicit TemporaryDirectory(const std::string & name);
  ~TemporaryDirectory();
  std::string
  operator/(const std::string & file) const
  {
    return m_Path + "/" + file;
  }
  const std::string &
  Path() const
  {
    return m_Path;
  }
  /** Names of the files in the directory. */
  std::vector<std::string>
  Files() const;

private:
  std::string m_Path;
};

using Series = itk::Image<double, 4>;
using Volume = itk::Image<double, 3>;
using ValueFunction = std::function<double(long x, long y, long z, long t)>;

/** A 4D series with values from f, a non-trivial oblique geometry (or the given origin shift). */
Series::Pointer
MakeSeries(std::array<long, 4> size, const ValueFunction & f, double originShift = 0.0);

/** Writes series to path as voxel type `type` ("int16", "uint16", "float32", "float64"). */
void
WriteSeries(const Series * series, const std::string & path, const std::string & type = "float32");

/** Writes each time point of series to its own 3D file; returns the paths. */
std::vector<std::string>
WriteVolumes(const Series * series, const std::string & stem, const std::string & extension);

/** Writes a 3D uint8 image on the series' grid, with values from f(x, y, z). */
void
WriteMask(const Series * series, const std::string & path, const std::function<int(long, long, long)> & f);

/** A gzip-encoded NRRD header of the given sizes (3 or 4) with a few bytes of data: readers
 * cannot size compressed data ahead, so only a memory check stops a tool from allocating
 * its grid (sizes of 100000 x 100000 x 1000 exceed any machine). */
void
WriteHugeNrrd(const std::string & path, const std::vector<long> & sizes, const std::string & type = "float");

Volume::Pointer
ReadVolume(const std::string & path);
Series::Pointer
ReadSeries(const std::string & path);

struct ProcessResult
{
  int         exitCode{ -1 };
  std::string out;
  std::string err;
};

/** Runs executable with arguments (no shell quoting needed: each argument is quoted). */
ProcessResult
RunProgram(const std::string & executable, const std::vector<std::string> & arguments);

/** Values of voxel (x, y, z) over time. */
std::vector<double>
VoxelValues(const Series * series, long x, long y, long z);

/** Deterministic noise in [-1, 1]: a hash of (x, y, z, t, salt). */
double
HashNoise(long x, long y, long z, long t, long salt);

/** Two-pass mean and maximum-likelihood variance. */
std::pair<double, double>
MeanVariance(const std::vector<double> & values);

/** KL(N(m1, v1) || N(m2, v2)), textbook form. */
double
TextbookKL(double m1, double v1, double m2, double v2);

/** Whether two images hold bit-identical voxels. */
bool
SameVoxels(const Volume * a, const Volume * b);

/** The directory of real test data (VOXELKL_TEST_DATA), empty if unset. */
std::string
TestDataDirectory();

} // namespace voxelkl::test

#endif
